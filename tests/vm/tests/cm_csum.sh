#!/bin/sh
# timeout: 300
# Checksums in connected mode. Ours offers tx-checksumming there (in-tree
# strips it): to a receiver that advertised in its REP that it takes them
# (our private-data extension, module parameter cm_csum_free), TCP/UDP
# packets go with their checksum left to the RC transport's ICRC and a mark
# in the encapsulation header; the receiver hands them to the stack as
# CHECKSUM_PARTIAL. Anyone else gets the checksum computed, as in-tree.
#
# Scenario, run by both drivers (transcripts compared): ib0 (netns a) and
# ib1 (netns b) in connected mode; b forwards to netns c over a veth pair
# (MTU 65520) whose b end has tx-checksumming off (b's stack must complete
# the checksum of what it forwards) and whose c end has rx-checksumming off
# (c verifies in software). 8 MB of random data by TCP a -> b, b -> a,
# a -> c (forwarded) and over IPv6 a -> b, each arriving whole (sha256
# equal); no TCP checksum error counted in a, b or c. Then again with
# ethtool -K ib0 tx off on a, and (ours) with cm_csum_free=0 after new
# connections. Ours only: the marks were used in the first round (ib0_cm
# TX and ib1_cm RX csum_free > 0) and not in the others.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh
. /vmtest/lib-child.sh
. /vmtest/lib-cm.sh

C4=10.12.0.2
P=/sys/module/ib_ipoib/parameters/cm_csum_free

# xfer FROM TO ADDR: /tmp/csum.bin by TCP from netns FROM to ADDR in TO; the
# copy must be whole.
xfer() {
	rm -f /tmp/csum.rx
	in_ns "$2" tcpcopy -l 5201 >/tmp/csum.rx &
	_pid=$!
	sleep 0.5
	in_ns "$1" timeout 60 tcpcopy "$3" 5201 </tmp/csum.bin || { kill $_pid; return 1; }
	wait $_pid || return 1
	[ "$(sha256sum </tmp/csum.rx)" = "$(sha256sum </tmp/csum.bin)" ]
}

# tcp_csum_errors NS: the Tcp InCsumErrors counter of that netns.
tcp_csum_errors() {
	in_ns "$1" awk '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "InCsumErrors") c = i; h = 1 } else print $c }' /proc/net/snmp
}

# csum_free IF TX|RX: the sum of csum_free over IF's connections that way
# (ours' debugfs IF_cm).
csum_free() {
	[ -e $IPOIB_DBG/$1_cm ] || return 1
	awk -v d="$2" '$1 == d { for (i = 1; i < NF; i++) if ($i == "csum_free") n += $(i + 1) } END { print n + 0 }' $IPOIB_DBG/$1_cm
}
csum_free_above() { [ "$(csum_free "$1" "$2")" -gt "$3" ]; }
csum_free_is() { [ "$(csum_free "$1" "$2")" -eq "$3" ]; }
csum_free_save() { csum_free "$1" "$2" >/tmp/csum.count 2>/dev/null || true; }
csum_free_same() { _c=$(csum_free "$1" "$2") && [ "$_c" = "$(cat /tmp/csum.count)" ]; }

forwarder() {
	ip netns add c &&
		ip link add vb netns b mtu 65520 type veth peer name vc netns c mtu 65520 || return 1
	in_ns b sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'
	ip -n b addr add 10.12.0.1/24 dev vb && ip -n c addr add $C4/24 dev vc || return 1
	ip -n b link set vb up && ip -n c link set vc up && ip -n c link set lo up || return 1
	ip -n c route add default via 10.12.0.1 && ip -n a route add 10.12.0.0/24 via $B4 || return 1
	in_ns b ethtool -K vb tx off >/dev/null && in_ns c ethtool -K vc rx off >/dev/null
}

all_transfers() {
	x 0 xfer a b $B4
	x 0 xfer b a $A4
	x 0 xfer a c $C4
	x 0 xfer a b $B6
	x "=0" tcp_csum_errors a
	x "=0" tcp_csum_errors b
	x "=0" tcp_csum_errors c
}

cm_csum_scenario() {
	x 0 dgram_netns
	x 0 wait_until 30 carrier a ib0
	x 0 wait_until 30 carrier b ib1
	x 0 set_mode connected
	x 0 forwarder
	x "=3/3" pingn a $C4 3
	x - in_ns a ip route get $C4
	all_transfers
	xd "!" 0 csum_free_above ib0 TX 100
	xd "!" 0 csum_free_above ib1 RX 100
	xd "!" 0 csum_free_above ib1 TX 10

	# tx-checksumming off on a: the stack checksums, nothing is marked
	csum_free_save ib0 TX
	xd - 0 in_ns a ethtool -K ib0 tx off
	# in-tree's is "off [fixed]" in connected mode
	xd "~tx-checksumming: off" "~tx-checksumming: off" offloads ib0 a
	all_transfers
	xd "!" 0 csum_free_same ib0 TX
	xd - 0 in_ns a ethtool -K ib0 tx on

	# a receiver that does not advertise it (in-tree, or cm_csum_free=0):
	# new connections (mode switches flush them) mark nothing
	xd "!" 0 "echo 0 > $P"
	x 0 set_mode datagram
	x 0 set_mode connected
	all_transfers
	xd "!" 0 csum_free_is ib0 TX 0
	xd "!" 0 csum_free_is ib1 TX 0
	xd "!" 0 "echo 1 > $P"

	ip netns del c
	ip netns del a
	ip netns del b
}

require "softib loads" load_fabric
modprobe ib_cm
require "veth loads" modprobe veth
dd if=/dev/urandom of=/tmp/csum.bin bs=1M count=8 2>/dev/null
two_pass cm_csum_scenario
dgram_finish
