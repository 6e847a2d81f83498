// expect: dynamically initialised function-local static
int compute(void);
int f(void)
{
	static int cached = compute();
	return cached;
}
