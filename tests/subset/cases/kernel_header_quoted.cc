// expect: linux/netdevice.h: No such file or directory
#include "linux/netdevice.h"
int f(void) { return 0; }
