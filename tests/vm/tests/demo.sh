#!/bin/sh
# timeout: 300
# make demo: loads the test fabric and our ib_ipoib in a VM and shows what
# the driver found. Run by `tests/vm/run --demo`; its output is the demo.
. /vmtest/lib.sh

say() { echo; echo "=== $*"; }

say "Kernel $(uname -r), $(nproc) CPUs (QEMU)"
if [ -f /lib/modules/$KVER/extra/softib.ko ]; then
	say "Loading the software InfiniBand fabric: modprobe softib"
	load_fabric || exit 1
	sleep 1
	say "ibstat"
	ibstat
	say "rdma link"
	rdma link
else
	say "softib.ko not built: no InfiniBand device in this VM"
fi

say "modprobe ib_ipoib   (ours, from /lib/modules/$KVER/updates)"
mark=$(dmesg_mark)
modprobe ib_ipoib || exit 1
sleep 1
modinfo ib_ipoib | grep -E '^(filename|version|description|alias|parm)'
say "What the driver logged"
dmesg_since "$mark" | grep ib_ipoib
say "lsmod"
lsmod | grep -E '^(ib_ipoib|softib|ib_core|ib_cm) '

say "rmmod ib_ipoib"
mark=$(dmesg_mark)
rmmod ib_ipoib || exit 1
dmesg_since "$mark" | grep ib_ipoib
echo
echo "Demo finished."
