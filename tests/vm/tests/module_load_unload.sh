#!/bin/sh
# timeout: 240
# Loads and unloads our ib_ipoib 20 times (with the test fabric present, if
# it is built, so the ib_client add/remove paths run too) and checks that no
# memory is lost: Slab and MemAvailable after the loop are compared with a
# baseline taken after one warm-up cycle, within a tolerance.
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
avail0=$(meminfo MemAvailable)

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
avail1=$(meminfo MemAvailable)
log "Slab ${slab0} kB -> ${slab1} kB, MemAvailable ${avail0} kB -> ${avail1} kB"
# 20 cycles of a leak of even one 256-byte object per load would show as
# growth in Slab; the tolerance absorbs per-cpu cache noise (kB).
check "Slab grew by less than 512 kB" [ $((slab1 - slab0)) -lt 512 ]
check "MemAvailable dropped by less than 2048 kB" [ $((avail0 - avail1)) -lt 2048 ]
finish
