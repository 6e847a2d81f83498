// expect: may not include standard or kernel headers
#include <vector>
int f(void) { return 0; }
