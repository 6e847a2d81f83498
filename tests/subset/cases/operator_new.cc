// expect: global operator new used; allocate with kern::make
struct S { int a; };
S *f(void) { return new S; }
