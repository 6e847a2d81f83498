// expect: dynamic_cast.*not permitted with .-fno-rtti
struct A { virtual ~A(); };
struct B : A { };
B *f(A *a) { return dynamic_cast<B *>(a); }
