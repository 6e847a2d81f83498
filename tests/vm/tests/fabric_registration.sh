#!/bin/sh
# timeout: 120
# softib registers InfiniBand HCAs that the core, ibstat and rdma see as real
# ones: link layer InfiniBand, ACTIVE, unique LIDs and GUIDs, GID[0] and
# P_Key[0] set, SM LID valid; ib_mad opens QP0/QP1 on every port.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh

check "softib loads" load_fabric
P=/sys/class/infiniband
check "two HCAs sib0 and sib1" [ -d $P/sib0 -a -d $P/sib1 ]
for d in sib0 sib1; do
	check "$d link layer InfiniBand" grep -qx InfiniBand $P/$d/ports/1/link_layer
	check "$d port ACTIVE" grep -q ACTIVE $P/$d/ports/1/state
	check "$d phys state LinkUp" grep -q LinkUp $P/$d/ports/1/phys_state
	check "$d GID[0] is fe80::/64 + GUID" grep -q '^fe80:0000:0000:0000:0002:c9ff:fe50:0' $P/$d/ports/1/gids/0
	check "$d P_Key[0] 0xffff" grep -qx 0xffff $P/$d/ports/1/pkeys/0
	check "$d P_Key[1] 0x8001" grep -qx 0x8001 $P/$d/ports/1/pkeys/1
	check "$d SM LID 0x1" grep -qx 0x1 $P/$d/ports/1/sm_lid
	check "$d node type CA" grep -q CA $P/$d/node_type
done
check "LIDs unique (2, 3)" [ "$(cat $P/sib0/ports/1/lid) $(cat $P/sib1/ports/1/lid)" = "0x2 0x3" ]
check "node GUIDs unique" [ "$(cat $P/sib0/node_guid)" != "$(cat $P/sib1/node_guid)" ]
check "ibstat: Active, InfiniBand" sh -c 'ibstat sib0 | grep -q "State: Active" && ibstat sib1 | grep -q "Link layer: InfiniBand"'
ibstat sib0
check "rdma link: both ports ACTIVE" sh -c '[ "$(rdma link show | grep -c "state ACTIVE physical_state LINK_UP")" -eq 2 ]'
rdma link show
check "ib_mad opened QP0/QP1 (rdma res)" sh -c 'rdma res show qp | grep -q "lqpn 1 type GSI"'
check "hw_counters exposed" [ -f $P/sib0/ports/1/hw_counters/tx_packets ]
check "fabric counters in debugfs" [ -f $SIB_DBG/sib0/port1/counters ]
check "SA pre-created the broadcast groups" grep -q 'ff12:401b:ffff:0000:0000:0000:ffff:ffff' $SIB_DBG/sa/groups
one_hca_two_ports() {
	rmmod softib && modprobe softib ndev=1 nports=2 &&
		[ -d $P/sib0/ports/2 ] && [ ! -d $P/sib1 ] &&
		grep -qx 0x3 $P/sib0/ports/2/lid &&
		grep -q ':0101$' $P/sib0/ports/1/gids/0 &&
		grep -q ':0102$' $P/sib0/ports/2/gids/0
}
check "1 HCA x 2 ports: LIDs 2/3, port GUIDs ..01/..02" one_hca_two_ports
check "4X QDR rate" grep -q '^40 Gb/sec' /sys/class/infiniband/sib0/ports/1/rate
# ipoib derives its datagram MTU (port MTU - 4) from the port attributes.
ipoib_mtu_is() {
	rmmod softib && modprobe softib "$@" && load_stock_ipoib &&
		wait_until 15 netdev_exists ib0 &&
		grep -qx "$want" /sys/class/net/ib0/mtu && rmmod ib_ipoib
}
want=4092 check "mtu=4096: stock ipoib datagram MTU 4092" ipoib_mtu_is mtu=4096
want=2044 check "default: stock ipoib datagram MTU 2044" ipoib_mtu_is
rmmod softib
check_fails "P_Key table without 0xffff first refused" modprobe softib pkeys=0x8001
check_fails "ndev=0 refused" modprobe softib ndev=0
check "loads again" load_fabric
check "softib unloads" rmmod softib
finish
