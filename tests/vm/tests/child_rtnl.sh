#!/bin/sh
# timeout: 150
# P_Key children through rtnetlink (ip link add/set/del ... type ipoib), as
# the in-tree ib_ipoib does them: `ip link add ... type ipoib` autoloads the
# module, pkey/mode/umcast, the parent's P_Key when none is given, duplicate
# P_Keys, the errors (child of a child, non-IPoIB or no link, bad P_Keys),
# changelink (umcast, mode; pkey ignored), netns at creation and later, and
# dellink (a parent is a silent no-op). `ip -d link show` output is compared
# with stock's, normalised (ifindexes, QPN bytes). The scenario runs under
# stock and then under the driver under test; the transcripts must be equal.
# Driver under test: ours, or stock with ipoib_test_driver=stock.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh
. /vmtest/lib-child.sh

is_up() { if ip -o link show "$1" | grep -qE '[<,]UP[,>]'; then echo 1; else echo 0; fi; }
attrs() { ls "$N/$1" | grep -E '^(pkey|mode|umcast|parent|create_child|delete_child|dev_id|dev_port)$' | tr '\n' ' '; }
iflink_is_parent() { [ "$(cat $N/$1/iflink)" = "$(cat $N/$2/ifindex)" ]; }

scenario() {
	# autoload: the kernel asks modprobe for rtnl-link-ipoib; no IFLA_LINK
	# then fails the request, but the module stays
	x "E:Invalid argument" 'autoload_as $DRV ip link add name probe type ipoib'
	x 0 ipoib_loaded
	x 0 'ipoib_is $DRV'
	x 0 wait_until 15 netdev_exists ib1

	x 0 ip link add link ib0 name ib0.8001 type ipoib pkey 0x8001
	x "~ib0.8001@ib0: <BROADCAST,MULTICAST,M-DOWN> mtu 2044" ip -d link show ib0.8001
	x "~ipoib pkey 0x8001 mode datagram umcast 0000 " ip -d link show ib0.8001
	x 0 iflink_is_parent ib0.8001 ib0
	# rtnl children have none of the IPoIB sysfs attributes
	x "=dev_id dev_port " attrs ib0.8001
	x "E:No such device" wr 0x8001 $N/ib0/delete_child
	x 0 ip link add link ib0 name r1 type ipoib pkey 0x8002 mode datagram umcast 1
	x "~ipoib pkey 0x8002 mode datagram umcast 0001 " ip -d link show r1
	# connected mode at creation: the CM MTU
	x 0 ip link add link ib0 name r2 type ipoib pkey 0x8002 mode connected
	x "~ipoib pkey 0x8002 mode connected umcast 0000 " ip -d link show r2
	x "~mtu 65520" ip link show r2
	# no pkey: the parent's
	x 0 ip link add link ib0 name r3 type ipoib
	x "~ipoib pkey 0xffff mode datagram umcast 0000 " ip -d link show r3
	# duplicates are allowed (also of a sysfs child's P_Key)
	x 0 ip link add link ib0 name r4 type ipoib pkey 0x8001
	x 0 wr 0x8007 $N/ib0/create_child
	x 0 ip link add link ib0 name r5 type ipoib pkey 0x8007
	# the full-member bit is added
	x 0 ip link add link ib0 name r6 type ipoib pkey 0x0005
	x "~ipoib pkey 0x8005 " ip -d link show r6
	x 0 ip link add link ib1 name ib1.8001 type ipoib pkey 0x8001
	x "~ib1.8001@ib1:" ip -d link show ib1.8001

	# errors
	x "E:Invalid argument" ip link add link ib0.8001 name e1 type ipoib pkey 0x8003
	x "E:Invalid argument" ip link add link ib0.8007 name e1 type ipoib pkey 0x8003
	x "E:No such device" ip link add link lo name e1 type ipoib pkey 0x8003
	x "E:Invalid argument" ip link add name e1 type ipoib pkey 0x8003
	x "E:Invalid argument" ip link add link ib0 name e1 type ipoib pkey 0
	x "E:Invalid argument" ip link add link ib0 name e1 type ipoib pkey 0x8000
	x "E:File exists" ip link add link ib0 name r1 type ipoib pkey 0x8009
	x "E:pkey is invalid" ip link add link ib0 name e1 type ipoib pkey 0x10000
	x "!" ip link add link ib0 name e1 type ipoib mode foo
	x "!" netdev_exists e1

	# changelink: umcast and mode; a pkey is ignored
	x 0 ip link set ib0.8001 type ipoib umcast 1
	x "~ipoib pkey 0x8001 mode datagram umcast 0001 " ip -d link show ib0.8001
	x 0 ip link set ib0.8001 type ipoib pkey 0x8004
	x "~ipoib pkey 0x8001 " ip -d link show ib0.8001
	x 0 ip link set ib0.8001 type ipoib mode connected
	x "~mode connected" ip -d link show ib0.8001
	x "~mtu 65520" ip link show ib0.8001
	x 0 ip link set ib0.8001 type ipoib mode datagram umcast 0
	x "~ipoib pkey 0x8001 mode datagram umcast 0000 " ip -d link show ib0.8001
	x 0 ip link set ib0 type ipoib umcast 1
	x "=1" cat $N/ib0/umcast
	x 0 ip link set ib0 type ipoib umcast 0
	x 0 ip link set ib0.8007 type ipoib umcast 1
	x "=1" cat $N/ib0.8007/umcast
	x - ip -d link show ib0
	x - ip -d link show ib0.8007

	# netns: at creation (netns before type) and later
	ip netns add x
	x 0 ip link add link ib0 name n1 netns x type ipoib pkey 0x8005
	x "~ipoib pkey 0x8005 mode datagram umcast 0000 " ip -n x -d link show n1 \| foreign
	x 0 ip link set ib0.8001 netns x
	x "~ipoib pkey 0x8001 " ip -n x -d link show ib0.8001 \| foreign
	x 0 ip link set r5 netns x
	x - ib_netdevs x
	x 0 ip -n x link set n1 up
	x 0 ip -n x link del ib0.8001
	x 0 ip -n x link del n1
	x - ib_netdevs x
	ip netns del x

	# a parent going down takes its children down; going up brings them
	# all up again (in-tree ipoib_open/ipoib_stop)
	x 0 ip link set ib0 up
	x 0 ip link set ib0.8007 up
	x "=1" is_up ib0.8007
	x 0 ip link set ib0 down
	x "=0" is_up ib0.8007
	x "=0" is_up r4
	x 0 ip link set ib0 up
	x "=1" is_up ib0.8007
	x "=1" is_up r4
	x 0 ip link set ib0 down

	# dellink: children (sysfs ones too); a parent is a no-op
	x 0 ip link del r1
	x "!" netdev_exists r1
	x 0 ip link del ib0
	x 0 netdev_exists ib0
	x 0 ip link del ib0.8007
	x 0 wait_until 10 netdev_gone ib0.8007
	x "E:No such device" wr 0x8007 $N/ib0/delete_child
	x - ip -d link show ib0
	x 0 ip link del r2
	x - ib_netdevs
	x "E:Cannot find device" ip link del r1
}

require "softib loads" load_fabric
modprobe ib_cm
two_pass scenario noload
dgram_finish
