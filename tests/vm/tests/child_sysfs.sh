#!/bin/sh
# timeout: 150
# P_Key children through sysfs (create_child / delete_child), as the
# in-tree ib_ipoib does them: names, attribute values and which attributes
# exist on parent and child, every bad input with its errno, and where a
# child lands when its parent is in another netns. The scenario runs under
# stock and then under the driver under test; both transcripts (outputs,
# exit codes, errno messages, kernel-log line counts of failed writes) must
# be equal. Driver under test: ours, or stock with ipoib_test_driver=stock.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh
. /vmtest/lib-child.sh

IPOIB_ATTRS='^(pkey|mode|umcast|parent|create_child|delete_child|dev_id|dev_port)$'
attrs() { ls "$N/$1" | grep -E "$IPOIB_ATTRS" | tr '\n' ' '; }
iflink_is_parent() { [ "$(cat $N/$1/iflink)" = "$(cat $N/$2/ifindex)" ]; }

scenario() {
	x "=0xffff" cat $N/ib0/pkey
	x "=datagram" cat $N/ib0/mode
	x "=0" cat $N/ib0/umcast
	x "=0x0" cat $N/ib0/dev_id
	x "=0" cat $N/ib0/dev_port
	x "=0x0" cat $N/ib1/dev_id
	x "=0" cat $N/ib1/dev_port
	x "=create_child delete_child dev_id dev_port mode pkey umcast " attrs ib0

	x 0 wr 0x8001 $N/ib0/create_child
	x 0 netdev_exists ib0.8001
	x "=0x8001" cat $N/ib0.8001/pkey
	x "=ib0" cat $N/ib0.8001/parent
	x "=datagram" cat $N/ib0.8001/mode
	x "=0" cat $N/ib0.8001/umcast
	x "=0x0" cat $N/ib0.8001/dev_id
	x "=0" cat $N/ib0.8001/dev_port
	x 0 iflink_is_parent ib0.8001 ib0
	x "=dev_id dev_port mode parent pkey umcast " attrs ib0.8001
	x "~ib0.8001@ib0:" ip -d link show ib0.8001
	x "~ipoib pkey 0x8001 mode datagram umcast 0000" ip -d link show ib0.8001
	# decimal, leading spaces: the name is the P_Key in %04x
	x 0 wr 32770 $N/ib0/create_child
	x "=0x8002" cat $N/ib0.8002/pkey
	x 0 wr "'  0x8004'" $N/ib0/create_child
	x "=0x8004" cat $N/ib0.8004/pkey
	x 0 wr 0x8001 $N/ib1/create_child
	x "=ib1" cat $N/ib1.8001/parent
	x "=0x0" cat $N/ib1.8001/dev_id

	# bad input
	x "E:Invalid argument" wr 0 $N/ib0/create_child
	x "E:Invalid argument" wr 0x8000 $N/ib0/create_child
	x "E:Invalid argument" wr 0x10000 $N/ib0/create_child
	x "E:Invalid argument" wr -1 $N/ib0/create_child
	x "E:Invalid argument" wr abc $N/ib0/create_child
	x 0 "/bin/sh -c \"printf '' > $N/ib0/create_child\""
	x "E:Name not unique on network" wr 0x8001 $N/ib0/create_child
	x "E:Name not unique on network" wr 32769 $N/ib0/create_child
	x "E:Name not unique on network" wr 0xffff $N/ib0/create_child
	# 0x7fff is not the parent's P_Key as written: in-tree accepts it (the
	# child ends up a full member of the default partition, 0xffff)
	x 0 wr 0x7fff $N/ib0/create_child
	x "~brd 00:ff:ff:ff:ff:12:40:1b:ff:ff:" ip link show ib0.7fff
	# 0x0001 is a new name (ib0.0001) on partition 0x8001 again
	x 0 wr 0x0001 $N/ib0/create_child
	x "=0x8001" cat $N/ib0.0001/pkey
	# "1" is pkey 0x0001 again, but it is only caught by the name
	x "E:File exists" wr 1 $N/ib0/create_child
	# a child has no create_child: the shell cannot even open it
	x "E:Permission denied" wr 0x8005 $N/ib0.8001/create_child
	x "E:Permission denied" wr 0x8001 $N/ib0.8001/delete_child
	x - ib_netdevs

	x "E:No such device" wr 0x8003 $N/ib0/delete_child
	x "E:Invalid argument" wr abc $N/ib0/delete_child
	x "E:Invalid argument" wr -1 $N/ib0/delete_child
	x "E:Invalid argument" wr 0x10000 $N/ib0/delete_child
	# a child made with rtnl is not a sysfs child
	x 0 ip link add link ib0 name rt1 type ipoib pkey 0x8006
	x "E:No such device" wr 0x8006 $N/ib0/delete_child
	x 0 netdev_exists rt1
	x 0 ip link del rt1

	# delete_child matches the stored P_Key (full-member bit set): 0x7fff
	# and 0x0001 find nothing, 0xffff deletes ib0.7fff; the two 0x8001
	# children go oldest first
	x 0 wr 0x8001 $N/ib0/delete_child
	x 0 wr 32770 $N/ib0/delete_child
	x 0 wr 0x8004 $N/ib0/delete_child
	x "E:No such device" wr 0x7fff $N/ib0/delete_child
	x "E:No such device" wr 0x0001 $N/ib0/delete_child
	x 0 wr 0x8001 $N/ib1/delete_child
	for c in ib0.8001 ib0.8002 ib0.8004 ib1.8001; do
		x 0 wait_until 10 netdev_gone $c
	done
	x - ib_netdevs
	x 0 wr 0x8001 $N/ib0/delete_child
	x 0 wait_until 10 netdev_gone ib0.0001
	x 0 wr 0xffff $N/ib0/delete_child
	x 0 wait_until 10 netdev_gone ib0.7fff
	x "E:No such device" wr 0x8001 $N/ib0/delete_child
	x - ib_netdevs

	# parent in another netns: the write works there; in-tree registers the
	# child in the initial netns
	ip netns add x
	x 0 ip link set ib0 netns x
	x 0 in_ns x /bin/sh -c "'echo 0x8001 > /sys/class/net/ib0/create_child'"
	# in-tree registers the child in the initial netns, where its creator
	# may have no rights; ours keeps it beside its parent (documented)
	xd "~ib0.8001" "!~ib0.8001" ib_netdevs
	xd "!~ib0.8001" "~ib0.8001" ib_netdevs x
	x 0 in_ns x /bin/sh -c "'echo 0x8001 > /sys/class/net/ib0/delete_child'"
	wait_until 10 netdev_gone ib0.8001
	x - ib_netdevs
	x 0 ip -n x link set ib0 netns 1
	ip netns del x
}

require "softib loads" load_fabric
modprobe ib_cm
two_pass scenario
dgram_finish
