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
modinfo ib_ipoib | grep -E '^(filename|version|description|alias|parm)'
[ -f /lib/modules/$KVER/extra/softib.ko ] || { dmesg_since "$mark" | grep ib_ipoib; rmmod ib_ipoib; echo; echo "Demo finished."; exit 0; }
wait_until 15 test -e /sys/class/net/ib1

FABRIC_KEEP=1 . /vmtest/lib-fabric.sh # the fabric helpers, without unloading anything
say "Our interfaces: one per InfiniBand port"
ip -d link show ib0
say "ib0 into netns a (10.11.0.1, fd11::1), ib1 into netns b (10.11.0.2, fd11::2)"
fabric_netns || { echo "netns setup failed"; exit 1; }
wait_until 30 carrier a ib0 && wait_until 30 carrier b ib1 || { echo "no carrier"; exit 1; }
ip -n a addr show ib0
say "What the driver logged"
dmesg_since "$mark" | grep ib_ipoib
say "ip netns exec a ping 10.11.0.2"
in_ns a ping -c 3 $B4
say "ip netns exec b ping -6 fd11::1"
in_ns b ping -6 -c 3 $A6
say "ip -n a neigh   (20-byte InfiniBand hardware addresses)"
ip -n a neigh
say "cat /sys/kernel/debug/ipoib/ib0_path"
cat $IPOIB_DBG/ib0_path   # debugfs is not mounted in the netns view of /sys
say "ip netns exec a iperf3 -c 10.11.0.2 -t 5   (TCP over our datagram mode, under TCG)"
in_ns b iperf3 -s -D -1
sleep 1
in_ns a iperf3 -c $B4 -t 5 | tail -4
say "ip -n a -s link show ib0"
ip -n a -s link show ib0

say "P_Key children: echo 0x8001 > /sys/class/net/ib0/create_child (in netns a)"
in_ns a sh -c 'echo 0x8001 > /sys/class/net/ib0/create_child'
in_ns a sh -c "grep -H . /sys/class/net/ib0.8001/pkey /sys/class/net/ib0.8001/parent"
say "ip -n b link add link ib1 name ib1.8001 type ipoib pkey 0x8001"
ip -n b link add link ib1 name ib1.8001 type ipoib pkey 0x8001
ip -n b -d link show ib1.8001
ip -n a addr add 10.12.0.1/24 dev ib0.8001 && ip -n a link set ib0.8001 up
ip -n b addr add 10.12.0.2/24 dev ib1.8001 && ip -n b link set ib1.8001 up
wait_until 30 carrier a ib0.8001 && wait_until 30 carrier b ib1.8001
say "ip netns exec a ping 10.12.0.2   (partition 0x8001, its own QP and broadcast group)"
in_ns a ping -c 3 10.12.0.2
say "A child on P_Key 0x8003, not in the port's P_Key table: up, no carrier"
in_ns a sh -c 'echo 0x8003 > /sys/class/net/ib0/create_child'
ip -n a link set ib0.8003 up
sleep 2
ip -n a link show ib0.8003
dmesg | grep 'P_Key 0x8003 is not found' | tail -n 1

say "Connected mode (RFC 4755): echo connected > /sys/class/net/ib{0,1}/mode"
mark=$(dmesg_mark)
in_ns a sh -c 'echo connected > /sys/class/net/ib0/mode'
in_ns b sh -c 'echo connected > /sys/class/net/ib1/mode'
dmesg_since "$mark" | grep ib_ipoib
ip -n a link show ib0
say "ip netns exec a ping -s 65000 10.11.0.2   (one RC message per packet, no IP fragments)"
in_ns a ping -c 3 -s 65000 $B4
say "ip netns exec a iperf3 -c 10.11.0.2 -t 5   (TCP at MTU 65520, under TCG)"
in_ns b iperf3 -s -D -1
sleep 1
in_ns a iperf3 -c $B4 -t 5 | tail -4
say "cat /sys/kernel/debug/ipoib/ib0_cm   (our connection table)"
cat /sys/kernel/debug/ipoib/ib0_cm
say "echo datagram > /sys/class/net/ib0/mode: the MTU goes back to the broadcast group's"
in_ns a sh -c 'echo datagram > /sys/class/net/ib0/mode'
ip -n a link show ib0

say "rmmod ib_ipoib"
mark=$(dmesg_mark)
rmmod ib_ipoib || exit 1
dmesg_since "$mark" | grep ib_ipoib
say "The fabric's raw UD ceiling (100000 MTU-sized sends, sib0 -> sib1)"
echo 100000 >$SIB_DBG/bench && cat $SIB_DBG/bench
fabric_clean
echo
echo "Demo finished."
