// expect: cannot use .typeid. with .-fno-rtti
struct A { virtual ~A(); };
const void *f(A *a) { return &typeid(*a); }
