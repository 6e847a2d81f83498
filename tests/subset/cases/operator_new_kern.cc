// expect: use of deleted function .void\* operator new
#include "kern/base.h"
struct S { int a; };
S *f(void) { return new S; }
