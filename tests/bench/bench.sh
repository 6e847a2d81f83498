#!/bin/sh
# timeout: 1500
# make bench, in the VM: the in-tree ib_ipoib against ours on the same
# softib fabric, in one boot. Each round runs both drivers back to back,
# in ABBA order (in-tree, ours; ours, in-tree; ...), loading each afresh
# after a short raw UD probe of the machine's speed. Each run uses ib0
# (netns a, 10.11.0.1) -> ib1 (netns b, 10.11.0.2) in datagram mode and
# measures:
#   tcp1   iperf3 TCP, 1 stream, receiver Mbit/s
#   tcp4   iperf3 TCP, 4 streams (-P 4), receiver Mbit/s
#   udp    iperf3 UDP, 64-byte payload, unlimited rate: packets/s the
#          server received, and the loss in percent
#   rtt    ping -f (one echo in flight at a time): average rtt in us
#   idle_rtt  20 pings 50 ms apart: average rtt in us
#   rtt_dim, idle_rtt_dim  the same two with adaptive-rx on at both
#          ends (ethtool -C adaptive-rx on): ours only; the in-tree
#          driver has no adaptive moderation, so its column repeats its
#          (only) figures, rtt and idle_rtt
# then switches both sides to connected mode (MTU 65520) and measures:
#   cm_tcp1, cm_tcp4   iperf3 TCP, 1 and 4 streams, receiver Mbit/s
#   cm_slab, cm_mem    memory per idle connection: bench_conns/2 (32)
#                      rtnl P_Key children of ib1 in netns b, spread over
#                      the partitions 0x8001-0x8003 (softib attaches at
#                      most 16 QPs to a multicast group, so one partition
#                      holds 14 peers at most), each in its own /24; in
#                      netns a one child of ib0 per partition holds .1 of
#                      its peers' /24s. All connected mode and up; the
#                      children of ib0 ping each peer once (an RC
#                      connection each way, plus its path and neighbours),
#                      and after 3 s the growth of Slab and of used memory
#                      (free pages, per-CPU lists included) over the
#                      interfaces alone, divided by the connections
#                      (bench_conns, 64), in kB. (Each interface in
#                      connected mode with an SRQ holds 16 MB of receive
#                      buffers from its creation on, in-tree: 64 peers
#                      would not fit in the VM's 2 GB.)
# and, in each round after both drivers, the stack ceiling: the same
# tcp1, tcp4, udp, rtt and idle_rtt over a veth pair between netns a and
# b (the same addresses, MTU set to ib0's datagram MTU, veth's default
# offloads), with no InfiniBand at all: what the kernel's stack alone
# allows in this VM.
# With bench_part=queues the boot measures only the TX queue rows (a
# second boot of tests/bench/run, on 2 CPUs):
#   tcp4     iperf3 TCP, 4 streams: ours with its default TX queues, one
#            per CPU (each its own UD send QP)
#   tcp4_1q  the same with one TX queue (ethtool -L tx 1 at both ends);
#            ours measures both in each round, in the order N, 1 in odd
#            rounds and 1, N in even ones; in-tree has one queue, its
#            tcp4 stands for both
# The fabric's raw UD ceiling (softib's debugfs bench) is measured once,
# before any ipoib is loaded. The summary table holds the medians over the
# rounds; tests/bench/run (host side) saves it to build/bench/latest.txt.
# tests/bench/run boots the VM with instruction counting (QEMU -icount), so
# guest time, and with it every figure here, counts emulated instructions
# and does not follow the host's load.
#
# Kernel command line knobs (tests/bench/run sets them):
#   bench_part=main|queues all the rows above, or the TX queue rows only
#   bench_ours=ours|stock  what the "ours" column loads; stock gives a
#                          stock-vs-stock run, which shows the noise level
#   bench_rounds=N         rounds per driver (3)
#   bench_secs=S           length of each iperf3 run (10)
#   bench_pings=N          pings in the rtt measurement (2000)
#   bench_raw=N            messages in the raw UD bench (200000)
#   bench_conns=N          idle connections in the memory measurement
#                          (64: 32 peers, a connection each way; 0 skips it)
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-bench.sh

TIMEOUT=1500
T0=$(date +%s)

PART=$(cmdline_knob bench_part main)
OURS=$(cmdline_knob bench_ours ours)
ROUNDS=$(cmdline_knob bench_rounds 3)
SECS=$(cmdline_knob bench_secs 10)
PINGS=$(cmdline_knob bench_pings 2000)
RAW=$(cmdline_knob bench_raw 200000)
CONNS=$(cmdline_knob bench_conns 64)
case $OURS in ours | stock) ;; *) echo "bench_ours must be ours or stock, not $OURS"; exit 2 ;; esac
case $PART in main | queues) ;; *) echo "bench_part must be main or queues, not $PART"; exit 2 ;; esac

DATA=/tmp/bench.dat # "DRIVER ROUND METRIC VALUE" per line
: >$DATA
elapsed() { echo $(($(date +%s) - T0)); }

# Loads the driver a column stands for.
load_driver() {
	if [ "$1" = stock ] || [ "$OURS" = stock ]; then
		load_stock_ipoib
	else
		load_our_ipoib
	fi
}

ipoib_gone() { rmmod ib_ipoib 2>/dev/null; [ ! -d /sys/module/ib_ipoib ]; }

round_down() {
	wait_until 30 ipoib_gone || { echo "ib_ipoib does not unload"; return 1; }
	ip netns del a 2>/dev/null
	ip netns del b 2>/dev/null
	true
}

# Ensures datagram mode where the driver has a mode attribute.
datagram_mode() {
	for x in "a ib0" "b ib1"; do
		set -- $x
		f=/sys/class/net/$2/mode
		in_ns $1 test -e $f || continue
		m=$(in_ns $1 cat $f)
		[ "$m" = datagram ] && continue
		in_ns $1 sh -c "echo datagram > $f" || return 1
	done
}

round_up() {
	load_driver "$1" || { echo "loading the driver failed"; return 1; }
	wait_until 20 netdev_exists ib0 && wait_until 5 netdev_exists ib1 ||
		{ echo "no ib0/ib1 within 20 s"; return 1; }
	fabric_netns || { echo "netns setup failed"; return 1; }
	datagram_mode || { echo "cannot set datagram mode"; return 1; }
	wait_until 30 carrier a ib0 && wait_until 30 carrier b ib1 ||
		{ echo "no carrier within 30 s"; return 1; }
	wait_secs 20 in_ns a ping -c 1 -W 1 $B4 || { echo "no ping a -> b within 20 s"; return 1; }
}

record() { echo "$1 $2 $3 $4" >>$DATA; }

# iperf NAME CLIENT-ARGS...: one iperf3 run a -> b; leaves the client's
# output in /tmp/NAME.log.
iperf() {
	name=$1
	shift
	in_ns b timeout $((SECS + 30)) iperf3 -s -1 >/tmp/$name-s.log 2>&1 &
	spid=$!
	sleep 1
	in_ns a timeout $((SECS + 25)) iperf3 -c $B4 -t $SECS -f m --connect-timeout 5000 "$@" \
		>/tmp/$name.log 2>&1
	rc=$?
	wait $spid
	[ $rc -eq 0 ] || { tail -n 5 /tmp/$name.log; return 1; }
}

# The last "receiver" line's Mbit/s (with -P 4, the [SUM] line).
receiver_mbps() {
	awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i+1) == "Mbits/sec") m = $i } END { if (m != "") print m }' "$1"
}

# UDP receiver line: "[ 5] 0.00-10.00 sec ... LOST/TOTAL (P%) receiver".
# Prints "PPS LOSS%" for what the server received.
udp_stats() {
	awk '/receiver/ {
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^[0-9.]+-[0-9.]+$/) { split($i, t, "-"); d = t[2] - t[1] }
			if ($i ~ /^-?[0-9]+\/[0-9]+$/) { split($i, n, "/"); lost = n[1]; tot = n[2] }
		}
	} END {
		if (d > 0 && tot > 0) printf "%.0f %.2f\n", (tot - lost) / d, 100 * lost / tot
	}' "$1"
}

# measure DRIVER ROUND: all the metrics of one round; fails if one failed.
measure() {
	d=$1 r=$2 line="" bad=0
	if iperf tcp1 && v=$(receiver_mbps /tmp/tcp1.log) && [ -n "$v" ]; then
		record $d $r tcp1 $v
		line="$line tcp1 $v Mbit/s,"
	else
		line="$line tcp1 FAILED,"
		bad=$((bad + 1))
	fi
	if iperf tcp4 -P 4 && v=$(receiver_mbps /tmp/tcp4.log) && [ -n "$v" ]; then
		record $d $r tcp4 $v
		line="$line tcp4 $v Mbit/s,"
	else
		line="$line tcp4 FAILED,"
		bad=$((bad + 1))
	fi
	if iperf udp -u -l 64 -b 0 && v=$(udp_stats /tmp/udp.log) && [ -n "$v" ]; then
		set -- $v
		record $d $r udp_pps $1
		record $d $r udp_loss $2
		line="$line udp64 $1 pkt/s loss $2%,"
	else
		line="$line udp64 FAILED,"
		bad=$((bad + 1))
	fi
	in_ns a timeout 120 ping -q -f -c $PINGS $B4 >/tmp/ping.log 2>&1
	v=$(awk -F'[/ ]+' '/^rtt/ { printf "%.1f", $8 * 1000 }' /tmp/ping.log)
	if [ -n "$v" ]; then
		record $d $r rtt $v
		line="$line rtt $v us"
	else
		line="$line rtt FAILED"
		bad=$((bad + 1))
		tail -n 3 /tmp/ping.log
	fi
	if v=$(idle_rtt) && [ -n "$v" ]; then
		record $d $r idle_rtt $v
		line="$line, idle rtt $v us"
	else
		line="$line, idle rtt FAILED"
		bad=$((bad + 1))
	fi
	measure_dim $d $r || bad=$((bad + 1))
	echo "round $r $d:$line"
	[ $bad -eq 0 ]
}

# idle_rtt: the average round trip of 20 pings 50 ms apart, in us.
idle_rtt() {
	in_ns a ping -q -c 20 -i 0.05 -W 2 $B4 | awk -F'[/ ]+' '/^rtt/ { printf "%.1f", $8 * 1000 }'
}

# adaptive_rx on|off: ethtool -C adaptive-rx at both ends.
adaptive_rx() {
	in_ns a ethtool -C ib0 adaptive-rx $1 && in_ns b ethtool -C ib1 adaptive-rx $1
}

# measure_dim DRIVER ROUND: rtt and idle_rtt with adaptive-rx on (ours);
# the in-tree driver has none, so its off figures stand in for it. Adds
# to $line.
measure_dim() {
	[ "$1" = veth ] && return 0
	if [ "$1" = stock ] || [ "$OURS" = stock ]; then
		v=$(awk -v d=$1 -v r=$2 '$1 == d && $2 == r && $3 == "rtt" { print $4 }' $DATA)
		[ -n "$v" ] && record $1 $2 rtt_dim $v
		v=$(awk -v d=$1 -v r=$2 '$1 == d && $2 == r && $3 == "idle_rtt" { print $4 }' $DATA)
		[ -n "$v" ] && record $1 $2 idle_rtt_dim $v
		return 0
	fi
	adaptive_rx on || { line="$line, adaptive-rx on FAILED"; return 1; }
	_b=0
	in_ns a timeout 120 ping -q -f -c $PINGS $B4 >/tmp/ping-dim.log 2>&1
	v=$(awk -F'[/ ]+' '/^rtt/ { printf "%.1f", $8 * 1000 }' /tmp/ping-dim.log)
	if [ -n "$v" ]; then
		record $1 $2 rtt_dim $v
		line="$line, adaptive-rx: rtt $v us"
	else
		line="$line, adaptive-rx: rtt FAILED"
		_b=1
	fi
	sleep 1
	if v=$(idle_rtt) && [ -n "$v" ]; then
		record $1 $2 idle_rtt_dim $v
		line="$line, idle rtt $v us"
	else
		line="$line, idle rtt FAILED"
		_b=1
	fi
	adaptive_rx off || { line="$line, adaptive-rx off FAILED"; _b=1; }
	[ $_b -eq 0 ]
}

# tx_queues: ib0's current TX queue count (ethtool -l).
tx_queues() {
	in_ns a ethtool -l ib0 | awk '/^Current/ { c = 1 } c && $1 == "TX:" { print $2; exit }'
}

# set_tx N: N TX queues at both ends (ethtool -L refuses a count that
# does not change), then a ping gets through.
set_tx() {
	if [ "$(tx_queues)" != "$1" ]; then
		in_ns a ethtool -L ib0 tx $1 && in_ns b ethtool -L ib1 tx $1 || return 1
	fi
	wait_secs 20 in_ns a ping -c 1 -W 1 $B4
}

# tcp4_as METRIC DRIVER ROUND: one 4-stream iperf3 run, recorded as
# METRIC. Adds to $line.
tcp4_as() {
	if iperf $1 -P 4 && v=$(receiver_mbps /tmp/$1.log) && [ -n "$v" ]; then
		record $2 $3 $1 $v
		line="$line $1 $v Mbit/s,"
	else
		line="$line $1 FAILED,"
		return 1
	fi
}

# iperf_pinned NAME: 4 iperf3 processes, one stream each, on ports
# 5211-5214, client and server of stream i pinned to CPU i mod CPUs
# (iperf3 -A): the sends come from every CPU, so XPS spreads them over
# the TX queues. (One iperf3 -P 4 sends all its streams from one thread,
# on one CPU: one queue.) The receivers' Mbit/s summed go to /tmp/NAME.sum.
iperf_pinned() {
	_cpus=$(nproc) _pids="" _spids="" _rc=0
	for i in 1 2 3 4; do
		in_ns b timeout $((SECS + 30)) iperf3 -s -1 -p $((5210 + i)) -A $(((i - 1) % _cpus)) \
			>/tmp/$1-s$i.log 2>&1 &
		_spids="$_spids $!"
	done
	sleep 1
	for i in 1 2 3 4; do
		in_ns a timeout $((SECS + 25)) iperf3 -c $B4 -p $((5210 + i)) -A $(((i - 1) % _cpus)) -t $SECS -f m \
			--connect-timeout 5000 >/tmp/$1-$i.log 2>&1 &
		_pids="$_pids $!"
	done
	for p in $_pids; do wait $p || _rc=1; done
	for p in $_spids; do wait $p; done
	[ $_rc -eq 0 ] || { tail -n 3 /tmp/$1-*.log; return 1; }
	_sum=0
	for i in 1 2 3 4; do
		v=$(receiver_mbps /tmp/$1-$i.log)
		[ -n "$v" ] || return 1
		_sum=$(awk -v a=$_sum -v b=$v 'BEGIN { printf "%.1f", a + b }')
	done
	echo $_sum >/tmp/$1.sum
}

# tcp4x_as METRIC DRIVER ROUND: one iperf_pinned run, recorded as METRIC.
tcp4x_as() {
	if iperf_pinned $1 && v=$(cat /tmp/$1.sum) && [ -n "$v" ]; then
		record $2 $3 $1 $v
		line="$line $1 $v Mbit/s,"
	else
		line="$line $1 FAILED,"
		return 1
	fi
}

# txq_packets: ib0's packets per TX queue (ethtool -S), space-separated.
txq_packets() {
	in_ns a ethtool -S ib0 | awk '$1 ~ /^tx_queue_[0-9]+_packets:$/ { printf "%s%s", s, $2; s = " " }'
}

# spread_since "P0": the packets per TX queue since txq_packets gave P0, "a/b/...".
spread_since() {
	echo "$1|$(txq_packets)" | awk -F'|' '{
		n = split($1, a, " "); split($2, b, " ")
		for (i = 1; i <= n; i++) printf "%s%d", (i > 1 ? "/" : ""), b[i] - a[i] }'
}

# measure_queues DRIVER ROUND: the TX queue rows (bench_part=queues).
# With N queues the line shows how ib0's packets spread over them.
measure_queues() {
	d=$1 r=$2 line="" bad=0
	if [ "$d" = stock ] || [ "$OURS" = stock ]; then
		tcp4_as tcp4 $d $r || bad=1
		tcp4x_as tcp4x $d $r || bad=1
	else
		n=$(tx_queues)
		[ -n "$n" ] || { echo "round $r $d: ethtool -l ib0 FAILED"; return 1; }
		record $d $r txq $n
		line=" $n TX queues by default:"
		order="$n 1"
		[ $((r % 2)) -eq 0 ] && order="1 $n"
		for q in $order; do
			m=tcp4 mx=tcp4x
			[ $q = 1 ] && [ $n != 1 ] && m=tcp4_1q mx=tcp4x_1q
			if set_tx $q; then
				p0=$(txq_packets)
				tcp4_as $m $d $r || bad=1
				[ $m = tcp4 ] && line="$line per TX queue $(spread_since "$p0") packets,"
				p0=$(txq_packets)
				tcp4x_as $mx $d $r || bad=1
				[ $m = tcp4 ] && line="$line per TX queue $(spread_since "$p0") packets,"
			else
				line="$line -L tx $q FAILED,"
				bad=1
			fi
		done
		set_tx $n || { line="$line -L tx $n FAILED"; bad=1; }
	fi
	echo "round $r $d:$line"
	[ $bad -eq 0 ]
}

# connected_mode: both sides connected, MTU 65520, and a ping gets through.
connected_mode() {
	in_ns a sh -c "echo connected > /sys/class/net/ib0/mode" &&
		in_ns b sh -c "echo connected > /sys/class/net/ib1/mode" || return 1
	[ "$(in_ns a cat /sys/class/net/ib0/mtu)" = 65520 ] && [ "$(in_ns b cat /sys/class/net/ib1/mtu)" = 65520 ] ||
		{ echo "MTU is not 65520"; return 1; }
	wait_secs 20 in_ns a ping -c 1 -W 1 $B4 || { echo "no ping a -> b within 20 s"; return 1; }
}

# The partitions of the peers (softib's P_Key table, see load_fabric below).
PEER_PKEYS="8001 8002 8003"
NPART=3

# idle_conns N: the memory measurement (see the top) with N/2 peers;
# prints "SLAB MEM", kB per connection. Peer i is cc$i in partition
# i % NPART, served by ap$((i % NPART)).
idle_conns() {
	n=$(($1 / 2))
	# only the interface that has the address answers an ARP request
	in_ns b sh -c 'echo 1 > /proc/sys/net/ipv4/conf/all/arp_ignore' || return 1
	p=0
	for k in $PEER_PKEYS; do
		ip -n a link add link ib0 name ap$p type ipoib pkey 0x$k mode connected &&
			ip -n a link set ap$p up || { echo "ap$p: setup failed"; return 1; }
		p=$((p + 1))
	done
	i=1
	while [ $i -le $n ]; do
		p=$((i % NPART))
		k=$(echo $PEER_PKEYS | cut -d' ' -f$((p + 1)))
		ip -n b link add link ib1 name cc$i type ipoib pkey 0x$k mode connected &&
			ip -n b addr add 10.20.$i.2/24 dev cc$i && ip -n b link set cc$i up &&
			ip -n a addr add 10.20.$i.1/24 dev ap$p || { echo "peer $i: setup failed"; return 1; }
		i=$((i + 1))
	done
	i=1
	while [ $i -le $n ]; do
		wait_until 30 carrier b cc$i || { echo "peer $i: no carrier"; return 1; }
		i=$((i + 1))
	done
	p=0
	while [ $p -lt $NPART ]; do
		wait_until 30 carrier a ap$p || { echo "ap$p: no carrier"; return 1; }
		p=$((p + 1))
	done
	sleep 3
	s0=$(meminfo Slab)
	f0=$(free_kb)
	rc0=$(rdma res show qp | grep -c 'type RC ')
	i=1
	while [ $i -le $n ]; do
		in_ns a ping -c 1 -W 5 10.20.$i.2 >/dev/null 2>&1 || { echo "peer $i: no ping"; return 1; }
		i=$((i + 1))
	done
	sleep 3
	s1=$(meminfo Slab)
	f1=$(free_kb)
	rc1=$(rdma res show qp | grep -c 'type RC ')
	echo "  $n peers: RC QPs $rc0 -> $rc1, Slab $s0 -> $s1 kB, free $f0 -> $f1 kB" >&2
	[ $((rc1 - rc0)) -ge $((4 * n)) ] || { echo "fewer than 4 RC QPs per peer"; return 1; }
	awk -v s=$((s1 - s0)) -v f=$((f0 - f1)) -v c=$((2 * n)) 'BEGIN { printf "%.1f %.1f\n", s / c, f / c }'
}

# measure_cm DRIVER ROUND: the connected-mode metrics of one round.
measure_cm() {
	d=$1 r=$2 line="" bad=0
	if ! why=$(connected_mode 2>&1); then
		echo "round $r $d (connected): connected mode failed: $(echo "$why" | tail -n 2 | tr '\n' ' ')"
		return 1
	fi
	if iperf cm1 && v=$(receiver_mbps /tmp/cm1.log) && [ -n "$v" ]; then
		record $d $r cm_tcp1 $v
		line="$line tcp1 $v Mbit/s,"
	else
		line="$line tcp1 FAILED,"
		bad=$((bad + 1))
	fi
	if iperf cm4 -P 4 && v=$(receiver_mbps /tmp/cm4.log) && [ -n "$v" ]; then
		record $d $r cm_tcp4 $v
		line="$line tcp4 $v Mbit/s"
	else
		line="$line tcp4 FAILED"
		bad=$((bad + 1))
	fi
	if [ "$CONNS" -gt 0 ]; then
		if v=$(idle_conns $CONNS) && set -- $v && [ $# -eq 2 ]; then
			record $d $r cm_slab $1
			record $d $r cm_mem $2
			line="$line, per idle connection: Slab $1 kB, memory $2 kB"
		else
			line="$line, idle connections FAILED ($v)"
			bad=$((bad + 1))
		fi
	fi
	echo "round $r $d (connected):$line"
	[ $bad -eq 0 ]
}

# The raw ceiling, before any ipoib is on the fabric.
load_fabric pkeys=0xffff,0x8001,0x8002,0x8003 || { echo "softib does not load"; exit 1; }
echo "$RAW" >$SIB_DBG/bench
RAWLINE=$(cat $SIB_DBG/bench)
echo "raw UD bench: $RAWLINE"

ours_label=ours
[ "$OURS" = stock ] && ours_label="ours(=in-tree)"
echo "part $PART, rounds $ROUNDS, iperf3 $SECS s, $PINGS pings, ours column: $OURS, $(nproc) CPU(s)"

# A short raw UD bench before each round (no ipoib loaded) measures how
# fast the emulated machine runs at that moment. In wall-clock time under
# TCG that follows the host's load, which is then most of the noise; with
# instruction counting it should not change at all.
# veth_round ROUND: the stack ceiling's measurements of one round.
DGRAM_MTU=
veth_round() {
	ip netns add a && ip netns add b &&
		ip link add vetha netns a type veth peer name vethb netns b &&
		ip -n a link set lo up && ip -n b link set lo up &&
		ip -n a link set vetha mtu ${DGRAM_MTU:-2044} && ip -n b link set vethb mtu ${DGRAM_MTU:-2044} &&
		ip -n a addr add $A4/24 dev vetha && ip -n b addr add $B4/24 dev vethb &&
		ip -n a link set vetha up && ip -n b link set vethb up &&
		wait_secs 20 in_ns a ping -c 1 -W 1 $B4 >/dev/null || { echo "round $1 veth: setup failed"; return 1; }
	measure veth $1
	_rc=$?
	ip netns del a
	ip netns del b
	return $_rc
}

probe() {
	echo 30000 >$SIB_DBG/bench 2>/dev/null || return 1
	set -- $(cat $SIB_DBG/bench)
	[ "$4" = "$6" ] && echo "${10}"
}

failed=0
ours_dead=""
last=0
r=1
while [ $r -le "$ROUNDS" ]; do
	# ABBA order (in-tree, ours, ours, in-tree, ...) so that a slow drift
	# of the host's speed favours neither driver.
	order="stock ours"
	[ $((r % 2)) -eq 0 ] && order="ours stock"
	for d in $order; do
		# Stop before the harness timeout would: leave room for a round
		# as long as the longest so far, and the summary.
		if [ $(($(elapsed) + last + 40)) -gt $TIMEOUT ]; then
			echo "time budget reached at $(elapsed) s: stopping before round $r $d"
			failed=1
			break 2
		fi
		if [ "$d" = ours ] && [ -n "$ours_dead" ]; then
			echo "round $r ours: skipped ($ours_dead)"
			continue
		fi
		t=$(date +%s)
		mark=$(dmesg_mark)
		p=$(probe) && record $d $r probe $p
		if why=$(round_up $d 2>&1); then
			ip -n a -o link show ib0 | awk -v m="$(in_ns a cat /sys/class/net/ib0/mode 2>/dev/null)" '{
				for (i = 1; i < NF; i++)
					if ($i ~ /^(mtu|qdisc|qlen)$/) { v = $(i + 1); sub(/\\$/, "", v); o = o " " $i " " v }
				printf "  ib0:%s mode %s,", o, m == "" ? "?" : m }'
			echo " raw probe ${p:-FAILED} pkt/s"
			[ -n "$DGRAM_MTU" ] || DGRAM_MTU=$(in_ns a cat /sys/class/net/ib0/mtu)
			mcm=0
			if [ "$PART" = queues ]; then
				measure_queues $d $r || mcm=1
			else
				measure $d $r || mcm=1
				measure_cm $d $r || mcm=1
			fi
			if [ $mcm -ne 0 ]; then
				failed=1
				# The kernel's messages of the round, most frequent first.
				dmesg_since $mark | sed 's/^\[[^]]*\] //' | sort | uniq -c | sort -rn |
					head -n 8 | sed 's/^ */  dmesg: /'
			fi
		else
			echo "round $r $d: bring-up failed: $(echo "$why" | tail -n 3 | tr '\n' ' ')"
			dmesg_since $mark | tail -n 10 | sed 's/^/  dmesg: /'
			failed=1
			[ "$d" = ours ] && ours_dead="it failed to come up in round $r"
		fi
		if ! round_down; then
			failed=1
			echo "cannot unload ib_ipoib: no more rounds"
			break 2
		fi
		dt=$(($(date +%s) - t))
		[ $dt -gt $last ] && last=$dt
		echo "  ($dt s, $(elapsed) s so far)"
	done
	if [ "$PART" = main ]; then
		t=$(date +%s)
		veth_round $r || failed=1
		echo "  ($(($(date +%s) - t)) s, $(elapsed) s so far)"
	fi
	r=$((r + 1))
done

# ab LABEL METRIC LOWER: a row of in-tree against ours on METRIC.
ab() { printf '%s|stock|%s|ours|%s|%s;' "$1" $2 $2 $3; }

echo "=== ipoib bench ==="
if [ "$PART" = queues ]; then
	n=$(awk '$1 == "ours" && $3 == "txq" { print $4; exit }' $DATA)
	n=${n:-N}
	echo "softib, ib0 (netns a) -> ib1 (netns b), datagram mode, $(nproc) CPUs;"
	echo "$ROUNDS rounds per driver (iperf3 -P 4, $SECS s per run). Columns: medians"
	echo "over the rounds; ratio = ratio of the medians, paired = median of the"
	echo "per-round ratios; >= 1.00 means the right-hand column is better."
	echo "spread = (max - min) / median over the rounds (noise)."
	echo
	table "=in-tree|$ours_label|it|ours;$(ab "TCP 4 streams (Mbit/s) [q]" tcp4 0)$(printf '%s|stock|tcp4|ours|tcp4_1q|0;' "  ours with 1 TX queue [q]")$(ab "TCP 4 pinned processes [p]" tcp4x 0)$(printf '%s|stock|tcp4x|ours|tcp4x_1q|0;' "  ours with 1 TX queue [p]")$(ab "raw UD probe (pkt/s) [*]" probe 0)"
	if [ "$OURS" = ours ]; then
		echo
		echo "ours against ours, the same rounds:"
		table "=1 queue|$n queues|1q|${n}q;TCP 4 streams (Mbit/s)|ours|tcp4_1q|ours|tcp4|0;TCP 4 pinned processes|ours|tcp4x_1q|ours|tcp4x|0"
	fi
	echo "[p] 4 iperf3 processes of one stream each, stream i's client and server"
	echo "    pinned to CPU i mod $(nproc) (iperf3 -A), so the sends come from every"
	echo "    CPU; with -P 4 one thread sends all four."
	echo "[q] ours with its default TX queues, one per CPU ($n, each its own UD"
	echo "    send QP), then with ethtool -L tx 1 at both ends; in-tree has one"
	echo "    TX queue: its column is the same figure on both rows."
else
	echo "softib, ib0 (netns a) -> ib1 (netns b), datagram mode; CM rows: connected"
	echo "mode, MTU 65520; $ROUNDS rounds per driver"
	echo "(iperf3 $SECS s per run, $PINGS pings). Columns: medians over the rounds;"
	echo "ratio = ratio of the medians, paired = median of the per-round ratios."
	echo "Ratios >= 1.00 mean ours is better: ours/in-tree for throughput and"
	echo "packet rate, in-tree/ours for loss, latency and memory."
	echo "spread = (max - min) / median over the rounds (noise)."
	echo
	table "=in-tree|$ours_label|it|ours;$(ab "TCP 1 stream (Mbit/s)" tcp1 0)$(ab "TCP 4 streams (Mbit/s)" tcp4 0)$(ab "UDP 64 B received (pkt/s)" udp_pps 0)$(ab "UDP 64 B loss (%)" udp_loss 1)$(ab "ping -f rtt avg (us)" rtt 1)$(ab "  adaptive-rx on [a]" rtt_dim 1)$(ab "idle ping rtt avg (us)" idle_rtt 1)$(ab "  adaptive-rx on [a]" idle_rtt_dim 1)$(ab "CM TCP 1 stream (Mbit/s)" cm_tcp1 0)$(ab "CM TCP 4 streams (Mbit/s)" cm_tcp4 0)$(ab "CM Slab per idle conn (kB)" cm_slab 1)$(ab "CM memory per idle conn (kB)" cm_mem 1)$(ab "raw UD probe (pkt/s) [*]" probe 0)"
	echo "CM memory: $CONNS idle RC connections, one each way between connected P_Key"
	echo "children of ib1 ($((CONNS / 2)), in 3 partitions) and of ib0 that pinged them once;"
	echo "both ends, paths and neighbours included; per connection."
	echo "[a] ours with ethtool -C adaptive-rx on at both ends; in-tree has no"
	echo "    adaptive moderation: its column repeats its figure above."
	echo "    idle ping: 20 pings 50 ms apart."
	echo
	echo "stack ceiling: each driver against veth in the same VM (no InfiniBand;"
	echo "MTU ${DGRAM_MTU:-2044}, veth's offloads). ratio = driver/veth for throughput and"
	echo "packet rate, veth/driver for latency: the share of what the stack allows."
	vrow() { printf '%s|veth|%s|stock|%s|%s;%s|veth|%s|ours|%s|%s;' "$1, in-tree" $2 $2 $3 "  ours" $2 $2 $3; }
	table "=veth|driver|veth|drv;$(vrow "TCP 1 stream" tcp1 0)$(vrow "TCP 4 streams" tcp4 0)$(vrow "UDP 64 B pkt/s" udp_pps 0)$(vrow "ping -f rtt (us)" rtt 1)$(vrow "idle ping rtt (us)" idle_rtt 1)"
	if [ "$OURS" = ours ]; then
		echo
		echo "ours against ours, the same rounds (>= 1.00: adaptive-rx on no worse):"
		table "=off|adaptive-rx on|off|on;ping -f rtt avg (us)|ours|rtt|ours|rtt_dim|1;idle ping rtt avg (us)|ours|idle_rtt|ours|idle_rtt_dim|1"
	fi
fi
echo "[*] softib's raw UD bench before each round, a check on the machine's speed:"
echo "    a ratio away from 1.00 means it ran slower for one driver's rounds."
set -- $RAWLINE
[ $# -ge 10 ] && awk -v b=$2 -v p=${10} 'BEGIN {
	printf "\nraw UD ceiling (softib bench, %s-byte messages): %s pkt/s, %.0f Mbit/s\n", b, p, b * p * 8 / 1000000 }'
echo "=== end ==="
if [ "$PART" != queues ]; then
	# The ceiling plot's data (tests/bench/run): per metric, the medians of
	# veth, in-tree and ours over the rounds.
	for m in tcp1 tcp4 udp_pps rtt idle_rtt; do
		awk -v m=$m '
			function med(s,    a, k, i, j, t) {
				k = split(s, a, " ")
				for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
				return k == 0 ? "NaN" : (k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2)
			}
			$3 == m { v[$1] = v[$1] " " $4 }
			END { print "ceiling-data", m, med(v["veth"]), med(v["stock"]), med(v["ours"]) }' $DATA
	done
fi
echo "total $(elapsed) s"
[ $failed -eq 0 ]
