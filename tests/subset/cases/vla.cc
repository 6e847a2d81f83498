// expect: variable length array
void use(char *);
void f(int n)
{
	char buf[n];
	use(buf);
}
