# Helpers for the ethtool tests (tests/vm/tests/ethtool_*.sh). Source after
# lib.sh, lib-fabric.sh, lib-dgram.sh and lib-child.sh.

# stat_names DEV: the names ethtool -S lists, in order, one a line.
stat_names() { ethtool -S "$1" | sed -n 's/^ *\([a-z_0-9]*\): .*/\1/p'; }

# intree_stat_names DEV: the names up to in-tree's last (multicast); ours
# adds per-queue and receive-poll counters after them (ethtool_queues).
intree_stat_names() { stat_names "$1" | sed '/^multicast$/q'; }

# stat_of DEV NAME: one ethtool -S value.
stat_of() { ethtool -S "$1" | awk -v n="$2:" '$1 == n { print $2 }'; }

# stats_agree DEV: every ethtool -S counter lies between the sysfs
# statistics/<name> read before and after it (traffic may run meanwhile).
stats_agree() {
	for _s in $(intree_stat_names "$1"); do
		_a=$(cat $N/$1/statistics/$_s) || return 1
		_v=$(stat_of "$1" $_s)
		_b=$(cat $N/$1/statistics/$_s)
		[ -n "$_v" ] && [ "$_a" -le "$_v" ] && [ "$_v" -le "$_b" ] ||
			{ echo "$1 $_s: sysfs $_a, ethtool $_v, sysfs $_b"; return 1; }
	done
}

# coal DEV: the rx-usecs / rx-frames lines of ethtool -c.
coal() { ethtool -c "$1" | grep -E '^(rx-usecs|rx-frames):'; }

# cq_stat HCA NAME: softib's per-HCA CQ counter (completions, events, moderated_events).
cq_stat() { awk -v n="$2" '$1 == n { print $2 }' $SIB_DBG/$1/cq_stats; }

# udp_ab [IPERF3 CLIENT ARGS]: one iperf3 UDP run a -> b (4 s, the client
# arguments set rate and size); fails with the client's output.
udp_ab() {
	in_ns b timeout 30 iperf3 -s -1 >/tmp/iperf-s.log 2>&1 &
	_sp=$!
	sleep 1
	in_ns a timeout 25 iperf3 -c $B4 -u -t 4 --connect-timeout 5000 "$@" >/tmp/iperf-c.log 2>&1
	_rc=$?
	wait $_sp
	[ $_rc -eq 0 ] || { cat /tmp/iperf-c.log; return 1; }
}

# cq_measure MIN CMD...: runs CMD, then prints "COMPLETIONS EVENTS MODERATED
# PERMILLE" on sib1 (ib1's HCA) over it, PERMILLE being completion events
# per 1000 completions; fails below MIN completions.
cq_measure() {
	_min=$1
	shift
	_c0=$(cq_stat sib1 completions)
	_e0=$(cq_stat sib1 events)
	_m0=$(cq_stat sib1 moderated_events)
	"$@" || return 1
	_c=$(($(cq_stat sib1 completions) - _c0))
	_e=$(($(cq_stat sib1 events) - _e0))
	_m=$(($(cq_stat sib1 moderated_events) - _m0))
	[ $_c -gt $_min ] || { echo "only $_c completions"; return 1; }
	echo "$_c $_e $_m $((_e * 1000 / _c))"
}

# rtt_ms: the average round trip of 5 pings a -> b, whole milliseconds.
rtt_ms() {
	in_ns a ping -c 5 -i 0.3 -W 2 $B4 | awk -F/ '/^rtt/ { split($5, a, "."); print a[1] }'
}

# field "A B C" N: the N-th word.
field() { echo "$1" | cut -d' ' -f"$2"; }
