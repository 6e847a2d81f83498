// expect: may not include standard or kernel headers
#include <linux/kernel.h>
int f(void) { return 0; }
