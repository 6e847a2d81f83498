// expect: global constructor \(.init_array\)
int compute(void);
struct S {
	S() : v(compute()) {}
	int v;
};
S s;
int f(void) { return s.v; }
