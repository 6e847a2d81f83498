// expect: exception handling disabled
int f(int x)
{
	if (x)
		throw x;
	return 0;
}
