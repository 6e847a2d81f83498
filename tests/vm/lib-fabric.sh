# Helpers shared by the softib fabric tests (tests/vm/tests/fabric_*.sh).
# Source after /vmtest/lib.sh.  Topology: softib with its defaults (two HCAs
# sib0/sib1, one port each, LIDs 2 and 3, SA at LID 1), the stock Debian
# ib_ipoib on top, ib0 in netns "a" and ib1 in netns "b".

SIB_DBG=/sys/kernel/debug/softib
IPOIB_DBG=/sys/kernel/debug/ipoib
A4=10.11.0.1
B4=10.11.0.2
A6=fd11::1
B6=fd11::2

# Tests share one VM boot: start from a clean slate (no netns, no ipoib,
# no fabric) whatever the previous test left behind.
fabric_clean() {
	ip netns del a 2>/dev/null
	ip netns del b 2>/dev/null
	rmmod ib_ipoib 2>/dev/null
	rmmod softib 2>/dev/null
	true
}
# FABRIC_KEEP=1 (the demo) reuses what is already loaded.
[ -n "$FABRIC_KEEP" ] || fabric_clean

netdev_exists() { [ -e "/sys/class/net/$1" ]; }

# in_ns NS CMD...: run CMD in a netns, with that netns' view of sysfs.
in_ns() { ns=$1; shift; ip netns exec "$ns" "$@"; }

# Load softib (extra args are module parameters) and the stock ipoib.
fabric_load() {
	load_fabric "$@" || return 1
	load_stock_ipoib || return 1
	wait_until 15 netdev_exists ib0 && wait_until 15 netdev_exists ib1
}

# carrier NS DEV: the link has carrier (ipoib joined the broadcast group).
carrier() { ip -n "$1" -o link show "$2" 2>/dev/null | grep -q LOWER_UP; }
# carrier0 DEV: carrier, in the initial netns.
carrier0() { ip -o link show "$1" 2>/dev/null | grep -q LOWER_UP; }

# addr_ok NS DEV ADDR: IPv6 address is usable (DAD done, not tentative).
addr6_ready() { ! ip -n "$1" -6 addr show dev "$2" | grep -q tentative; }

# Move ib0/ib1 into netns a/b, address them and bring them up.
fabric_netns() {
	ip netns add a && ip netns add b || return 1
	ip link set ib0 netns a && ip link set ib1 netns b || return 1
	ip -n a link set lo up
	ip -n b link set lo up
	ip -n a addr add $A4/24 dev ib0 || return 1
	ip -n b addr add $B4/24 dev ib1 || return 1
	ip -n a addr add $A6/64 dev ib0 nodad || return 1
	ip -n b addr add $B6/64 dev ib1 nodad || return 1
	ip -n a link set ib0 up && ip -n b link set ib1 up
}

# Everything up to carrier on both sides; extra args go to softib.
fabric_bringup() {
	fabric_load "$@" || return 1
	fabric_netns || return 1
	wait_until 30 carrier a ib0 && wait_until 30 carrier b ib1
}

ping_a_b() { in_ns a ping -c 2 -W 3 "$@" $B4; }
ping_b_a() { in_ns b ping -c 2 -W 3 "$@" $A4; }
ping6_a_b() { in_ns a ping -6 -c 2 -W 3 $B6; }
ping6_b_a() { in_ns b ping -6 -c 2 -W 3 $A6; }
# wait_secs SECS CMD...: like wait_until, but bounded by wall-clock time
# even when CMD itself takes a while (a ping with a reply timeout).
wait_secs() {
	_end=$(($(date +%s) + $1))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(date +%s)" -ge $_end ] && return 1
		sleep 0.5
	done
}

# Retry for a while: after a fault the path/neighbour state must recover.
ping_recovers() { wait_secs "${1:-30}" in_ns a ping -c 1 -W 1 $B4; }

# set_mode MODE: ipoib datagram/connected on both sides.
set_mode() {
	in_ns a sh -c "echo $1 > /sys/class/net/ib0/mode" &&
		in_ns b sh -c "echo $1 > /sys/class/net/ib1/mode" &&
		[ "$(in_ns a cat /sys/class/net/ib0/mode)" = "$1" ] &&
		[ "$(in_ns b cat /sys/class/net/ib1/mode)" = "$1" ]
}

# iperf_run SECONDS: TCP a -> b.  Prints the receiver's Mbit/s; fails if
# iperf3 fails (connection lost) or the throughput is zero.
iperf_run() {
	in_ns b timeout $(($1 + 30)) iperf3 -s -1 >/tmp/iperf-s.log 2>&1 &
	spid=$!
	sleep 1
	in_ns a timeout $(($1 + 25)) iperf3 -c $B4 -t "$1" -f m --connect-timeout 5000 >/tmp/iperf-c.log 2>&1
	rc=$?
	wait $spid
	cat /tmp/iperf-c.log >&2
	[ $rc -eq 0 ] || return 1
	mbps=$(awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i+1) == "Mbits/sec") print $i }' /tmp/iperf-c.log)
	echo "iperf3 ${mbps:-0} Mbit/s"
	awk -v m="${mbps:-0}" 'BEGIN { exit !(m > 0) }'
}

# sib_counter DEV PORT NAME: a softib port counter.
sib_counter() { awk -v n="$3" '$1 == n { print $2 }' $SIB_DBG/$1/port$2/counters; }

counter_positive() { [ "$(sib_counter "$@")" -gt 0 ]; }

# counter_above DEV PORT NAME VALUE: the counter grew past VALUE.
counter_above() { [ "$(sib_counter "$1" "$2" "$3")" -gt "$4" ]; }

# check_iperf DESC SECONDS: a check around iperf_run that also logs the figure.
check_iperf() {
	if iperf_run "$2" >/tmp/iperf.out 2>/tmp/iperf.err; then
		pass "$1: $(cat /tmp/iperf.out)"
	else
		fail "$1"
		tail -n 15 /tmp/iperf.err | sed 's/^/#   /'
	fi
}

# Connected mode over softib; $1 is softib's srq parameter (Y or N).
connected_mode_test() {
	check "softib srq=$1 + stock ipoib, carrier both sides" fabric_bringup srq=$1
	check "datagram ping first" ping_a_b
	check "echo connected > mode, both sides" set_mode connected
	check "connected MTU 65520" [ "$(in_ns a cat /sys/class/net/ib0/mtu)" = 65520 ]
	check "IPv4 ping a -> b (CM connection setup)" ping_a_b
	check "IPv4 ping b -> a" ping_b_a
	check "IPv6 ping a -> b" ping6_a_b
	check "ping -s 60000 a -> b" ping_a_b -s 60000
	check "RC QPs carry the traffic" sh -c 'rdma res show qp | grep -q "type RC"'
	if [ "$1" = Y ]; then
		check "ipoib-CM uses an SRQ" sh -c 'rdma res show srq | grep -q "type BASIC"'
	else
		check "no SRQ anywhere" sh -c '! rdma res show srq | grep -q "type BASIC"'
	fi
	check_iperf "iperf3 TCP 20 s a -> b, connected, srq=$1" 20
	check "ping b -> a after the stream" ping_b_a
	check "no RC fatal errors on sib0" [ "$(sib_counter sib0 1 rc_fatal_errors)" -eq 0 ]
	# RC retry exceeded: ipoib-CM connects with retry_count 0, so a send
	# towards a dead port fails after one ACK timeout and ipoib reconnects.
	check "knob: sib1 port down under live RC connections" sh -c "echo down > $SIB_DBG/sib1/port1/link"
	in_ns a ping -c 3 -W 1 $B4 >/dev/null 2>&1
	check "RC timeouts and retry-exceeded counted on sib0" wait_secs 10 counter_positive sib0 1 rc_fatal_errors
	check "knob: sib1 port up" sh -c "echo up > $SIB_DBG/sib1/port1/link"
	check "connected-mode ping recovers" ping_recovers 60
	check "IPv6 ping recovers too" wait_secs 30 ping6_a_b
	grep rc_ $SIB_DBG/sib0/port1/counters
	check "back to datagram" set_mode datagram
	check "datagram ping again" ping_a_b
	check "fabric unload with CM connections open" rmmod softib
	check "stock ipoib unloads" rmmod ib_ipoib
}

# gid_of HCA, lid_of HCA: port 1's GID[0] as sysfs prints it, its LID in decimal.
gid_of() { cat /sys/class/infiniband/$1/ports/1/gids/0; }
lid_of() { printf '%d' "$(cat /sys/class/infiniband/$1/ports/1/lid)"; }
