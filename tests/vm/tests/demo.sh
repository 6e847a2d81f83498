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

# Our netdevs come with datagram mode; until then, show that the fabric
# carries IP by running the kernel's own in-tree ib_ipoib over it.
if [ -f /lib/modules/$KVER/extra/softib.ko ]; then
	. /vmtest/lib-fabric.sh # starts from a clean slate (unloads the fabric)
	say "The fabric carries IP: the in-tree ib_ipoib over softib, ib0 and ib1 in netns a and b"
	fabric_bringup || { echo "fabric bring-up failed"; exit 1; }
	ip -n a addr show ib0
	say "ip netns exec a ping $B4"
	in_ns a ping -c 3 $B4
	say "ip netns exec a ping -6 $B6"
	in_ns a ping -6 -c 3 $B6
	say "The fabric's raw UD ceiling (100000 MTU-sized sends, sib0 -> sib1)"
	echo 100000 >$SIB_DBG/bench && cat $SIB_DBG/bench
	fabric_clean
fi
echo
echo "Demo finished."
