#!/bin/sh
# timeout: 150
# Connected mode's user interface, as the in-tree ib_ipoib has it: the
# sysfs mode attribute (exactly "connected\n" or "datagram\n", else
# EINVAL; echo -n is refused), the MTU (65520 on entering connected mode,
# min(broadcast MTU, current) on leaving it, the limits in each mode and
# their errors), ip link ... type ipoib mode, ip -d link show (the flags
# byte of the hardware address is 0x80: connected mode supported), the
# offloads ethtool -k shows in each mode (ours offers tx-checksumming in
# connected mode, see cm_csum), P_Key children made connected
# (rtnl with mode connected, and a sysfs child's mode attribute; an rtnl
# child's real TX queues go to one in connected mode), and the kernel-log
# line on entering connected mode (in-tree: "ib0: enabling connected mode
# will cause multicast packet drops"; ours must log a line naming the
# interface and saying connected mode drops multicast). The scenario runs
# under stock and then under the driver under test; the transcripts must be
# equal. Driver under test: ours, or stock with ipoib_test_driver=stock.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh
. /vmtest/lib-child.sh
. /vmtest/lib-cm.sh

M=$N/ib0/mode

scenario() {
	x "=datagram" cat $M
	x "=2044" cat $N/ib0/mtu
	x "~link/infiniband 80:" ip -d link show ib0
	x - offloads ib0
	# down: the mode changes all the same
	x 0 klog_says ib0 wr connected $M
	x "=65520" cat $N/ib0/mtu
	x 0 wr datagram $M
	x "=2044" cat $N/ib0/mtu
	x 0 ip link set ib0 up
	x 0 wait_until 30 carrier0 ib0

	x 0 klog_says ib0 wr connected $M
	x "=connected" cat $M
	x "=65520" cat $N/ib0/mtu
	x "~ipoib pkey 0xffff mode connected umcast 0000 " ip -d link show ib0
	# tx-checksumming is ours to offer in connected mode (Documentation/ipoib.md, Differences)
	xd "~tx-checksumming: off" "~tx-checksumming: on" offloads ib0
	# the same mode again: accepted, nothing changes
	x 0 wr connected $M
	# anything but exactly "connected\n" / "datagram\n"
	x "E:Invalid argument" "/bin/sh -c 'echo -n connected > $M'"
	x "E:Invalid argument" "/bin/sh -c 'echo -n datagram > $M'"
	x "E:Invalid argument" wr Connected $M
	x "E:Invalid argument" wr "'connected '" $M
	x "E:Invalid argument" wr conn $M
	x "E:Invalid argument" wr datagramx $M
	x "E:Invalid argument" wr "''" $M
	x "=connected" cat $M
	x "=65520" cat $N/ib0/mtu

	# MTU in connected mode: up to 65520 (the device maximum); the core
	# refuses more
	x "!" ip link set ib0 mtu 65521
	x 0 ip link set ib0 mtu 9000
	x "=9000" cat $N/ib0/mtu
	x 0 ip link set ib0 mtu 1000
	# leaving connected mode: min(broadcast MTU, current)
	x 0 wr datagram $M
	x "=1000" cat $N/ib0/mtu
	x 0 ip link set ib0 mtu 1500
	x 0 wr connected $M
	x "=65520" cat $N/ib0/mtu
	x 0 wr datagram $M
	x "=datagram" cat $M
	x "=2044" cat $N/ib0/mtu
	x - offloads ib0
	# MTU in datagram mode: up to the UD maximum, 2044 here
	x "E:Invalid argument" ip link set ib0 mtu 2045
	x "E:Invalid argument" ip link set ib0 mtu 65520
	x "!" ip link set ib0 mtu 65521
	x "=2044" cat $N/ib0/mtu

	# rtnetlink
	x 0 ip link set ib0 type ipoib mode connected
	x "=connected" cat $M
	x "=65520" cat $N/ib0/mtu
	x "~mode connected" ip -d link show ib0
	x 0 ip link set ib0 type ipoib mode connected
	x 0 ip link set ib0 type ipoib mode datagram umcast 1
	x "=datagram" cat $M
	x "=2044" cat $N/ib0/mtu
	x "~mode datagram umcast 0001" ip -d link show ib0
	x 0 ip link set ib0 type ipoib umcast 0

	# P_Key children: rtnl, connected at creation
	x 0 klog_says ib0.8001 ip link add link ib0 name ib0.8001 type ipoib pkey 0x8001 mode connected
	x "~ipoib pkey 0x8001 mode connected umcast 0000 " ip -d link show ib0.8001
	x "~mtu 65520" ip link show ib0.8001
	x - ls $N/ib0.8001/queues
	x 0 ip link set ib0.8001 up
	x 0 wait_until 30 carrier0 ib0.8001
	# tx-checksumming is ours to offer in connected mode (Documentation/ipoib.md, Differences)
	xd "~tx-checksumming: off" "~tx-checksumming: on" offloads ib0.8001
	x 0 ip link set ib0.8001 type ipoib mode datagram
	x "~mode datagram" ip -d link show ib0.8001
	x "~mtu 2044" ip link show ib0.8001
	# back in datagram mode in-tree restores all TX queues (tx-0 tx-1 on
	# this 2-CPU VM); ours keeps one (Documentation/ipoib.md, Differences)
	xd - - ls $N/ib0.8001/queues
	x 0 ip link set ib0.8001 type ipoib mode connected
	x - ls $N/ib0.8001/queues
	x - ip -d link show ib0.8001
	# sysfs child, then its mode attribute
	x 0 wr 0x8002 $N/ib0/create_child
	x "=datagram" cat $N/ib0.8002/mode
	x 0 klog_says ib0.8002 wr connected $N/ib0.8002/mode
	x "=connected" cat $N/ib0.8002/mode
	x "=65520" cat $N/ib0.8002/mtu
	x "E:Invalid argument" "/bin/sh -c 'echo -n datagram > $N/ib0.8002/mode'"
	x 0 ip link set ib0.8002 up
	x - ip -d link show ib0.8002
	# tx-checksumming is ours to offer in connected mode (Documentation/ipoib.md, Differences)
	xd "~tx-checksumming: off" "~tx-checksumming: on" offloads ib0.8002
	x 0 wr datagram $N/ib0.8002/mode
	x "=2044" cat $N/ib0.8002/mtu
	# the parent's mode is its own
	x "=datagram" cat $M
	x 0 ip link del ib0.8001
	x 0 wr 0x8002 $N/ib0/delete_child
	x 0 wait_until 10 netdev_gone ib0.8002
	x 0 ip link set ib0 down
	x - ip -d link show ib0
}

require "softib loads" load_fabric
modprobe ib_cm
two_pass scenario
dgram_finish
