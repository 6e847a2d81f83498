#!/bin/sh
# timeout: 200
# Traffic over P_Key children and partition isolation, on the driver under
# test. Parents ib0/ib1 in netns a/b (10.11.0.0/24, default partition);
# 0x8001 children (ib0's through sysfs, ib1's through rtnl) in a/b
# (10.12.0.0/24): carrier, ping both ways, 5 s of iperf3 TCP. A 0x8002 pair
# (also in softib's P_Key table) in netns c/d (10.13.0.0/24, plus addresses
# in 10.12.0.0/24 and a route to 10.11.0.0/24) reaches itself but neither
# the 0x8001 pair nor the parents, and tcpdump on ib0.8001 sees none of its
# packets. A 0x8003 pair (not in the table) is up without carrier until the
# softib knob adds 0x8003 to both ports' tables; then it pings; when the
# knob removes it, the carrier goes.
# Driver under test: ours, or stock with ipoib_test_driver=stock.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh
. /vmtest/lib-child.sh

ip netns del c 2>/dev/null
ip netns del d 2>/dev/null

# sysfs_child NS PARENT PKEY: create_child from inside NS; in-tree registers
# the child in the initial netns, so it is moved to NS if it is not there.
sysfs_child() {
	in_ns "$1" sh -c "echo $3 > /sys/class/net/$2/create_child" || return 1
	_c=$2.${3#0x}
	ip -n "$1" link show "$_c" >/dev/null 2>&1 || ip link set "$_c" netns "$1"
}
# up NS DEV ADDR/LEN...: addresses and up.
up() {
	_ns=$1
	_d=$2
	shift 2
	for _a in "$@"; do ip -n "$_ns" addr add "$_a" dev "$_d" || return 1; done
	ip -n "$_ns" link set "$_d" up
}

# iperf_pair SECS SERVER_NS SERVER_ADDR CLIENT_NS: TCP, prints Mbit/s.
iperf_pair() {
	in_ns "$2" timeout $(($1 + 30)) iperf3 -s -1 >/tmp/iperf-s.log 2>&1 &
	_spid=$!
	sleep 1
	in_ns "$4" timeout $(($1 + 25)) iperf3 -c "$3" -t "$1" -f m --connect-timeout 5000 >/tmp/iperf-c.log 2>&1
	_rc=$?
	wait $_spid
	[ $_rc -eq 0 ] || { cat /tmp/iperf-c.log; return 1; }
	_m=$(awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i+1) == "Mbits/sec") print $i }' /tmp/iperf-c.log)
	echo "iperf3 ${_m:-0} Mbit/s"
	awk -v m="${_m:-0}" 'BEGIN { exit !(m > 0) }'
}

require "bring-up: ib0/ib1 in netns a/b, carrier" dgram_bringup
require "sysfs child ib0.8001, in netns a" sysfs_child a ib0 0x8001
require "rtnl child ib1.8001 in netns b" ip -n b link add link ib1 name ib1.8001 type ipoib pkey 0x8001
up a ib0.8001 10.12.0.1/24
up b ib1.8001 10.12.0.2/24
check "carrier on ib0.8001" wait_until 30 carrier a ib0.8001
check "carrier on ib1.8001" wait_until 30 carrier b ib1.8001
check "ping over 0x8001 a -> b" ping_ok a 10.12.0.2
check "ping over 0x8001 b -> a" ping_ok b 10.12.0.1
if iperf_pair 5 b 10.12.0.2 a >/tmp/iperf.out 2>&1; then
	pass "iperf3 TCP 5 s over 0x8001 a -> b: $(cat /tmp/iperf.out)"
else
	fail "iperf3 TCP 5 s over 0x8001 a -> b"
	tail -n 10 /tmp/iperf.out | sed 's/^/#   /'
fi

# the 0x8002 pair
ip netns add c
ip netns add d
ip -n c link set lo up
ip -n d link set lo up
check "rtnl child ib0.8002 -> netns c" sh -c "/usr/sbin/ip -n a link add link ib0 name ib0.8002 type ipoib pkey 0x8002 &&
	/usr/sbin/ip -n a link set ib0.8002 netns c"
check "rtnl child ib1.8002 -> netns d" sh -c "/usr/sbin/ip -n b link add link ib1 name ib1.8002 type ipoib pkey 0x8002 &&
	/usr/sbin/ip -n b link set ib1.8002 netns d"
up c ib0.8002 10.13.0.1/24 10.12.0.3/24
up d ib1.8002 10.13.0.2/24 10.12.0.4/24
ip -n c route add 10.11.0.0/24 dev ib0.8002
ip -n d route add 10.11.0.0/24 dev ib1.8002
check "carrier on ib0.8002" wait_until 30 carrier c ib0.8002
check "carrier on ib1.8002" wait_until 30 carrier d ib1.8002
check "ping over 0x8002 c -> d" ping_ok c 10.13.0.2
check "ping over 0x8002 d -> c, same-subnet addresses" ping_ok d 10.12.0.3

in_ns a timeout 40 tcpdump -i ib0.8001 -n -l -p >/tmp/td.out 2>/tmp/td.err &
tdpid=$!
sleep 2
check "0x8001 a -> b still pings (while tcpdump runs)" ping_ok a 10.12.0.2
check "0x8002 c cannot reach ib0.8001 (same subnet)" ping_no c 10.12.0.1
check "0x8002 c cannot reach ib1.8001 (same subnet)" ping_no c 10.12.0.2
check "0x8002 d cannot reach ib0.8001 (same subnet)" ping_no d 10.12.0.1
check "0x8002 c cannot reach parent ib0 (other subnet, on-link route)" ping_no c 10.11.0.1
check "0x8002 d cannot reach parent ib1 (other subnet, on-link route)" ping_no d 10.11.0.2
check "0x8001 a cannot reach 0x8002's 10.12.0.3" ping_no a 10.12.0.3
check "parent a cannot reach 0x8002's 10.13.0.1 (on-link route)" sh -c "/usr/sbin/ip -n a route add 10.13.0.0/24 dev ib0 &&
	! /usr/sbin/ip netns exec a /usr/sbin/ping -c 2 -W 2 10.13.0.1"
check "0x8002 c -> d still pings" ping_ok c 10.13.0.2
sleep 1
kill $tdpid 2>/dev/null
{ wait $tdpid; } 2>/dev/null
# packets sent by the 0x8002 pair or the parents (a's own ARP requests for
# 10.12.0.3 are expected: "tell 10.12.0.1")
FOREIGN='(tell|IP6?) (10\.13\.0\.|10\.12\.0\.[34]|10\.11\.0\.|fd11::)'
log "tcpdump on ib0.8001: $(grep -c . /tmp/td.out) packets; $(tail -n 2 /tmp/td.err | tr '\n' ' ')"
check "tcpdump on ib0.8001 saw 0x8001 traffic (10.12.0.2)" grep -q '10\.12\.0\.2' /tmp/td.out
check_fails "tcpdump on ib0.8001 saw nothing from the 0x8002 pair or the parents" \
	grep -E "$FOREIGN" /tmp/td.out
grep -E "$FOREIGN" /tmp/td.out | head -n 5 | sed 's/^/#   /'

# 0x8003: not in the P_Key table, then added, then removed
check "rtnl children 0x8003 in a and b" sh -c "/usr/sbin/ip -n a link add link ib0 name ib0.8003 type ipoib pkey 0x8003 &&
	/usr/sbin/ip -n b link add link ib1 name ib1.8003 type ipoib pkey 0x8003"
up a ib0.8003 10.14.0.1/24
up b ib1.8003 10.14.0.2/24
sleep 3
check "ib0.8003 is up" sh -c "/usr/sbin/ip -n a link show ib0.8003 | grep -q '[<,]UP[,>]'"
check_fails "ib0.8003 has no carrier (0x8003 not in the table)" carrier a ib0.8003
check_fails "ib1.8003 has no carrier" carrier b ib1.8003
check "knob: 0x8003 into P_Key[4] of sib0 and sib1" sh -c "echo '4 0x8003' > $SIB_DBG/sib0/port1/pkeys &&
	echo '4 0x8003' > $SIB_DBG/sib1/port1/pkeys"
check "carrier on ib0.8003" wait_until 30 carrier a ib0.8003
check "carrier on ib1.8003" wait_until 30 carrier b ib1.8003
check "ping over 0x8003 a -> b" wait_secs 20 in_ns a ping -c 1 -W 2 10.14.0.2
check "knob: P_Key[4] back to 0 on both ports" sh -c "echo '4 0x0000' > $SIB_DBG/sib0/port1/pkeys &&
	echo '4 0x0000' > $SIB_DBG/sib1/port1/pkeys"
check "ib0.8003 loses carrier" wait_until 30 no_carrier a ib0.8003
check "ib1.8003 loses carrier" wait_until 30 no_carrier b ib1.8003
check "0x8001 still pings a -> b" wait_secs 20 in_ns a ping -c 1 -W 2 10.12.0.2
check "parents still ping a -> b" ping_a_b

ip netns del c
ip netns del d
check "ib_ipoib unloads" rmmod ib_ipoib
check "no InfiniBand netdev left anywhere" no_ib_netdevs a b
fabric_clean
dgram_finish
