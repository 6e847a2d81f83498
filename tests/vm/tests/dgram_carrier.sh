#!/bin/sh
# timeout: 240
# Datagram mode end to end: carrier follows the fabric. A port going down
# drops carrier on that port's netdev only; coming back up restores it and
# traffic. A client reregister makes ipoib rejoin its multicast groups (the
# SA sees the joins, ARP and ND work again from empty neighbour tables).
# Carrier comes on only once the broadcast group is joined.
# Driver under test: ours, or stock with ipoib_test_driver=stock.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh

require "bring-up: ib0/ib1 in netns a/b, carrier" dgram_bringup
check "ping a -> b" ping_a_b

# port_cycle HCA NS DEV OTHERNS OTHERDEV: port down, then up.
port_cycle() {
	K=$SIB_DBG/$1/port1/link
	check "knob: $1 port down" sh -c "echo down > $K"
	check "$3 loses carrier" wait_secs 15 no_carrier $2 $3
	check "$5 (other port) keeps carrier" carrier $4 $5
	check_fails "no ping a -> b while $1 is down" in_ns a ping -c 2 -W 1 $B4
	check "knob: $1 port up" sh -c "echo up > $K"
	check "$3 carrier back" wait_secs 40 carrier $2 $3
	check "IPv4 ping a -> b recovers" ping_recovers 40
	check "IPv4 ping b -> a" ping_b_a
	check "IPv6 ping a -> b recovers" wait_secs 30 ping6_a_b
}
port_cycle sib1 b ib1 a ib0
port_cycle sib0 a ib0 b ib1

# Client reregister: the SM asks ipoib to rejoin. ib1 is a full member of
# five groups (IPv4 broadcast and all-hosts, IPv6 all-nodes and two
# solicited-node groups), so at least five joins must reach the SA.
sa0=$(sib_counter sib1 1 sa_requests)
check "knob: client reregister on sib1" sh -c "echo 1 > $SIB_DBG/sib1/port1/client_reregister"
check "ib1 rejoined: >= 5 SA requests from sib1" wait_secs 20 counter_above sib1 1 sa_requests $((sa0 + 4))
log "SA requests from sib1: $sa0 -> $(sib_counter sib1 1 sa_requests)"
# full_member MGID: sib1's port GID is a JoinState 1 member of MGID in the SA
full_member() {
	awk -v g="$1" '/^ff/ { in_g = ($1 == g) } in_g && /member fe80:0000:0000:0000:0002:c9ff:fe50:0201 join_state 0x1/ { f = 1 } END { exit !f }' \
		$SIB_DBG/sa/groups
}
check "SA: ib1 full member of the IPv4 broadcast group" \
	wait_secs 20 full_member ff12:401b:ffff:0000:0000:0000:ffff:ffff
check "SA: ib1 full member of fd11::2's solicited-node group" \
	wait_secs 20 full_member ff12:601b:ffff:0000:0000:0001:ff00:0002
check "carrier on ib1 after the reregister" wait_secs 20 carrier b ib1
# Empty neighbour tables: ARP and ND must go through the rejoined groups.
ip -n a neigh flush dev ib0
ip -n b neigh flush dev ib1
check "IPv4 ping a -> b after reregister (ARP via broadcast)" wait_secs 30 ping_a_b
check "IPv6 ping a -> b after reregister (ND via solicited-node)" wait_secs 30 ping6_a_b
check "IPv6 ping b -> a" ping6_b_a

# Carrier waits for the broadcast join: with every SA reply an error, a
# port down/up leaves ib1 up but without carrier until the SA heals.
check "knob: SA answers every request with status 0x0100" sh -c "echo 0x0100 > $SIB_DBG/sa/status"
check "knob: sib1 port down/up" sh -c "echo down > $SIB_DBG/sib1/port1/link && sleep 1 && echo up > $SIB_DBG/sib1/port1/link"
check "sib1 port ACTIVE again" wait_secs 10 grep -q ACTIVE /sys/class/infiniband/sib1/ports/1/state
sleep 8
check_fails "no carrier on ib1 while the broadcast join fails" carrier b ib1
check "ib1 still administratively up" sh -c "/usr/sbin/ip -n b -o link show ib1 | grep -q '[<,]UP[,>]'"
check "knob: SA heals" sh -c "echo 0 > $SIB_DBG/sa/status"
check "carrier back once the join succeeds" wait_secs 60 carrier b ib1
check "ping a -> b after the SA healed" ping_recovers 40
check "IPv6 ping a -> b after the SA healed" wait_secs 30 ping6_a_b

check "ib_ipoib unloads" rmmod ib_ipoib
fabric_clean
dgram_finish
