#!/bin/sh
# timeout: 120
# Permissions of the child interfaces, as in-tree has them. As root without
# CAP_NET_ADMIN (tests/vm/tools/dropcap): create_child, delete_child and
# every rtnetlink change (ip link add/set/del ... type ipoib) are refused
# with EPERM and change nothing; in-tree checks no capability on the mode
# and umcast attributes, so those writes go through. As uid 65534 (also
# without CAP_NET_ADMIN) the attribute files (0200/0644, root's) cannot even
# be opened (EACCES). The scenario runs under stock and then under the
# driver under test; the transcripts must be equal.
# Driver under test: ours, or stock with ipoib_test_driver=stock.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh
. /vmtest/lib-child.sh

# dwr [-u UID] VALUE FILE: wr without CAP_NET_ADMIN (and as UID).
dwr() {
	_u=
	[ "$1" = -u ] && { _u="-u $2"; shift 2; }
	/usr/sbin/dropcap $_u /bin/sh -c "echo '$1' > $2"
}
nocap() { /usr/sbin/dropcap "$@"; }
# state: everything the refused requests could have changed.
state() {
	ib_netdevs
	cat $N/ib0/mode $N/ib0/umcast $N/ib0.8002/mode $N/ib0.8002/umcast
	ip -d link show r1 | grep -o 'ipoib pkey.*umcast [0-9]*'
}
unchanged() { [ "$before" = "$(state)" ]; }

scenario() {
	x "~CapEff:	000001ffffffefff" nocap grep Cap /proc/self/status
	x 0 wr 0x8002 $N/ib0/create_child
	x 0 ip link add link ib0 name r1 type ipoib pkey 0x8003
	before=$(state)
	x "E:Operation not permitted" dwr 0x8001 $N/ib0/create_child
	x "E:Operation not permitted" dwr 0x8002 $N/ib0/delete_child
	x "E:Operation not permitted" dwr 0x8003 $N/ib0/delete_child
	x "E:Operation not permitted" nocap /usr/sbin/ip link add link ib0 name p1 type ipoib pkey 0x8004
	x "E:Operation not permitted" nocap /usr/sbin/ip link add link ib0 name p1 type ipoib
	x "E:Operation not permitted" nocap /usr/sbin/ip link set r1 type ipoib umcast 1
	x "E:Operation not permitted" nocap /usr/sbin/ip link set r1 type ipoib mode connected
	x "E:Operation not permitted" nocap /usr/sbin/ip link set ib0 type ipoib umcast 1
	x "E:Operation not permitted" nocap /usr/sbin/ip link set ib0.8002 type ipoib umcast 1
	x "E:Operation not permitted" nocap /usr/sbin/ip link del r1
	x "E:Operation not permitted" nocap /usr/sbin/ip link del ib0.8002
	# as uid 65534: the files cannot be opened for writing
	for f in ib0/create_child ib0/delete_child ib0/umcast ib0/mode ib0.8002/umcast ib0.8002/mode; do
		x "E:Permission denied" dwr -u 65534 1 $N/$f
	done
	x "E:Operation not permitted" nocap -u 65534 /usr/sbin/ip link add link ib0 name p1 type ipoib pkey 0x8004
	x "E:Operation not permitted" nocap -u 65534 /usr/sbin/ip link del r1
	x 0 unchanged
	x - state

	# in-tree has no capability check on mode and umcast; ours refuses
	# them too (EPERM, nothing changes): a documented difference
	P="E:Operation not permitted"
	xd 0 "$P" dwr 1 $N/ib0/umcast
	xd "=1" "=0" cat $N/ib0/umcast
	xd 0 "$P" dwr 1 $N/ib0.8002/umcast
	xd "=1" "=0" cat $N/ib0.8002/umcast
	xd 0 "$P" dwr connected $N/ib0/mode
	xd "=connected" "=datagram" cat $N/ib0/mode
	xd 0 "$P" dwr connected $N/ib0.8002/mode
	xd "=connected" "=datagram" cat $N/ib0.8002/mode
	xd 0 "$P" dwr datagram $N/ib0/mode
	xd 0 "$P" dwr 0 $N/ib0/umcast
	xd - - state
}

require "softib loads" load_fabric
modprobe ib_cm
two_pass scenario
dgram_finish
