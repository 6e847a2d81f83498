#!/bin/sh
# timeout: 240
# Loads and unloads our ib_ipoib 20 times (with the test fabric present, if
# it is built, so the ib_client add/remove paths run too) and checks that no
# memory is lost, against a baseline taken after one warm-up cycle:
#  - Slab (every kmalloc the driver makes): < 512 kB growth over 20 cycles,
#    i.e. under 26 kB a cycle, far below one leaked device or port object set;
#  - VmallocUsed (module text/data; uncounted at vfree): < 256 kB growth;
#  - free memory, the per-CPU free lists included (free_kb), a coarse net
#    for page-level leaks: < 8 MB drop. (MemAvailable, used before, leaves
#    the per-CPU lists out and moved by 9 MB over clean cycles late in a
#    suite run.)
. /vmtest/lib.sh

if [ -f /lib/modules/$KVER/extra/softib.ko ]; then
	check "test fabric loads" load_fabric
fi
modprobe ib_core

# Warm-up: the first load pulls in caches (module loader, sysfs) that stay.
check "warm-up load" modprobe ib_ipoib
check "warm-up unload" rmmod ib_ipoib
sync; echo 3 >/proc/sys/vm/drop_caches
slab0=$(meminfo Slab)
vmalloc0=$(meminfo VmallocUsed)
free0=$(free_kb)

i=0
ok=0
while [ $i -lt 20 ]; do
	modprobe ib_ipoib || break
	grep -q '^ib_ipoib ' /proc/modules || break
	rmmod ib_ipoib || break
	i=$((i + 1))
done
[ $i -eq 20 ] && ok=1
check "20 load/unload cycles" [ $ok -eq 1 ]
check "module is gone" sh -c '! grep -q "^ib_ipoib " /proc/modules'

sync; echo 3 >/proc/sys/vm/drop_caches
slab1=$(meminfo Slab)
vmalloc1=$(meminfo VmallocUsed)
free1=$(free_kb)
log "Slab ${slab0} -> ${slab1} kB, VmallocUsed ${vmalloc0} -> ${vmalloc1} kB, free ${free0} -> ${free1} kB"
check "Slab grew by less than 512 kB" [ $((slab1 - slab0)) -lt 512 ]
check "VmallocUsed grew by less than 256 kB" [ $((vmalloc1 - vmalloc0)) -lt 256 ]
check "free memory dropped by less than 8192 kB" [ $((free0 - free1)) -lt 8192 ]
finish
