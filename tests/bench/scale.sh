#!/bin/sh
# timeout: 3000
# make bench, many destinations (a boot of tests/bench/run, --scale): the
# in-tree ib_ipoib against ours sending to 1, 100, 1000 and 10,000
# distinct destinations, instruction-counted like the first boot. softib
# is loaded once with peers=10000 (Documentation/softib.md, "Many
# peers"): the SA answers path records for 10,000 virtual GIDs and the
# wire counts and drops what is sent to them, so every destination costs
# the fabric the same and only the drivers' (and the stack's) cost per
# destination shows. Rounds in ABBA order, each driver loaded afresh.
# Per driver, ib0 in netns a, a route 10.12.0.0/16 via ib0, and for N in
# 1, 100, 1000, 10000 (neighbours added to the previous size's):
#   warm-up  static neighbours 10.12.0.1 + i -> peer i's GID, nud
#            permanent (ip -batch); one datagram to each new one, again
#            until softib's sink has seen every one of the N peers (a
#            datagram goes out once its path is resolved); then one to
#            each of the N, so every driver neighbour exists
#   pps_N    udpspray: 64-byte UDP datagrams round-robin to the N
#            addresses for bench_secs; packets/s that reached softib's
#            sink (what the driver put on the wire)
#   slab     at N = 10000: growth of the live slab objects' bytes
#            (/proc/slabinfo, caches shrunk first) over the
#            9000 new destinations, per destination, in bytes: in all,
#            after ip -batch (the stack's neighbours, which include the
#            driver's neigh_priv_len) and over the warm-up (the driver's
#            neighbour, path, address handle, ...)
#   gc       then, idle: with net.ipv4.neigh.default.gc_interval G (both
#            drivers reap their neighbours idle for 2 G, every G), ping
#            ib0 -> ib1 every 10 ms for 3 G + 2 s, in which every one of
#            the 10,000 neighbours becomes reapable and is reaped: the
#            average and maximum rtt, and the slab bytes freed per
#            destination, with the caches that shrank most (the entries
#            really went); then the same pings again, with
#            nothing left to reap, as the reference.
# The neighbour tables are sized at load from gc_thresh3 (in-tree; ours
# mirrors it), so gc_thresh1/2/3 are raised before either driver loads.
#
# Kernel command line knobs (tests/bench/run sets them):
#   bench_ours=ours|stock  what the "ours" column loads (stock: noise level)
#   bench_rounds=N         rounds per driver (2)
#   bench_secs=S           length of each udpspray run (5)
#   bench_gc=G             gc_interval in seconds (5)
#   bench_sizes="1 ..."    destination counts, comma-separated (1,100,1000,10000)
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-bench.sh

TIMEOUT=3000
T0=$(date +%s)
OURS=$(cmdline_knob bench_ours ours)
ROUNDS=$(cmdline_knob bench_rounds 2)
SECS=$(cmdline_knob bench_secs 5)
GC=$(cmdline_knob bench_gc 5)
SIZES=$(cmdline_knob bench_sizes 1,100,1000,10000 | tr ',' ' ')
case $OURS in ours | stock) ;; *) echo "bench_ours must be ours or stock, not $OURS"; exit 2 ;; esac
MAXN=$(echo $SIZES | awk '{ print $NF }')
PEERS=$SIB_DBG/peers
DATA=/tmp/scale.dat
: >$DATA
elapsed() { echo $(($(date +%s) - T0)); }
record() { echo "$1 $2 $3 $4" >>$DATA; }

load_driver() {
	if [ "$1" = stock ] || [ "$OURS" = stock ]; then load_stock_ipoib; else load_our_ipoib; fi
}
ipoib_gone() { rmmod ib_ipoib 2>/dev/null; [ ! -d /sys/module/ib_ipoib ]; }

peers_stat() { awk -v k="$1" '$1 == k { print $2 }' $PEERS; }
# neigh_batch FROM TO: "neigh add" lines for peers FROM..TO-1.
neigh_batch() {
	awk -v a="$1" -v b="$2" 'BEGIN { for (k = a; k < b; k++) { v = k + 1
		printf "neigh add 10.12.%d.%d lladdr 00:00:01:00:fe:80:00:00:00:00:00:00:00:02:c9:ff:fe:60:%02x:%02x dev ib0 nud permanent\n",
			int(v / 256), v % 256, int(k / 256), k % 256 } }'
}
# addr K: the address of peer K.
addr() { echo $(($1 + 1)) | awk '{ printf "10.12.%d.%d\n", int($1 / 256), $1 % 256 }'; }
# The peers that got a datagram (softib's peers_hit, zeroed at each
# driver's start): a datagram to a peer goes out only once its path is
# resolved, and paths stay. (Not ib0_path: in-tree's seq_file restarts
# walk its path tree from the start for every entry, which at 10,000
# paths takes longer than the bench.)
peers_hit() { peers_stat peers_hit; }
have_hit() { [ "$(peers_hit)" -ge "$1" ]; }
# slab_bytes [FILE]: bytes in live slab objects (active objects x object
# size over /proc/slabinfo), every cache's per-CPU and partial slabs let
# go first (Documentation/testing.md); FILE gets "CACHE OBJECTS" lines.
# Finer than meminfo's Slab, which counts pages.
slab_bytes() {
	for f in /sys/kernel/slab/*/shrink; do echo 1 >$f 2>/dev/null; done
	awk -v f="${1:-/dev/null}" 'NR > 2 { b += $2 * $4; print $1, $2 > f } END { printf "%.0f\n", b }' /proc/slabinfo
}
# cache_drops A B: the three caches that lost the most objects from A to B.
cache_drops() {
	awk 'NR == FNR { a[$1] = $2; next } a[$1] - $2 > 0 { print a[$1] - $2, $1 }' "$1" "$2" | sort -rn | head -n 3 |
		awk '{ printf "%s%s -%s", s, $2, $1; s = ", " }'
}
# spray N: udpspray to the first N peers for SECS; prints "SINK_PPS SENT_PPS".
spray() {
	_s0=$(peers_stat sink_packets)
	_o=$(in_ns a udpspray 10.12.0.1 $1 $SECS) || return 1
	_s1=$(peers_stat sink_packets)
	echo "$_o" | awk -v d=$((_s1 - _s0)) '{ printf "%.0f %.0f\n", d / $6, $8 }'
}
# warm PREV N: neighbours PREV..N-1 added and resolved, then all N used once.
warm() {
	neigh_batch $1 $2 >/tmp/neigh.batch
	ip -n a -batch /tmp/neigh.batch || return 1
	S1=$(slab_bytes)
	_end=$(($(date +%s) + 600))
	_pass=0
	while ! have_hit $2; do
		[ "$(date +%s)" -ge $_end ] && { echo "only $(peers_hit) of $2 peers reached after 600 s"; return 1; }
		_pass=$((_pass + 1))
		in_ns a udpspray -1 $(addr $1) $(($2 - $1)) >/dev/null
		wait_until 20 have_hit $2
	done
	in_ns a udpspray -1 10.12.0.1 $2 >/dev/null || return 1
	WARM_PASSES=$_pass
}
# pings: 10 ms apart for SECS_ seconds; prints "AVG_US MAX_US LOST".
pings() {
	in_ns a ping -q -i 0.01 -W 1 -w $1 $B4 2>/dev/null | awk -F'[/ ]+' '
		/packets transmitted/ { tx = $1; rx = $4 }
		/^rtt/ { avg = $8 * 1000; max = $9 * 1000 }
		END { if (rx > 0) printf "%.1f %.1f %d\n", avg, max, tx - rx }'
}

# run_driver DRIVER ROUND: everything above for one driver.
run_driver() {
	d=$1 r=$2
	load_driver $d || { echo "round $r $d: loading the driver failed"; return 1; }
	wait_until 20 netdev_exists ib0 && wait_until 5 netdev_exists ib1 && fabric_netns &&
		wait_until 30 carrier a ib0 && wait_until 30 carrier b ib1 &&
		wait_secs 20 in_ns a ping -c 1 -W 1 $B4 ||
		{ echo "round $r $d: bring-up failed"; return 1; }
	ip -n a route add 10.12.0.0/16 dev ib0 || return 1
	echo 0 >$PEERS
	prev=0 line="" bad=0
	for n in $SIZES; do
		s0=$(slab_bytes)
		t=$(date +%s)
		warm $prev $n || { echo "round $r $d: warm-up to $n failed"; return 1; }
		s2=$(slab_bytes)
		new=$((n - prev))
		if [ $new -ge 1000 ]; then
			record $d $r slab_kernel $(((S1 - s0) / new))
			record $d $r slab_driver $(((s2 - S1) / new))
			record $d $r slab_total $(((s2 - s0) / new))
			mem=" slab/dest stack $(((S1 - s0) / new)) B driver $(((s2 - S1) / new)) B,"
		else
			mem=""
		fi
		v=$(spray $n) || { echo "round $r $d: spray to $n failed"; return 1; }
		set -- $v
		record $d $r pps_$n $1
		record $d $r sent_$n $2
		line="$line N=$n: warm-up $(($(date +%s) - t)) s ($WARM_PASSES passes),$mem $1 pkt/s (sent $2);"
		prev=$n
	done
	echo "round $r $d:$line"
	echo "  sink: $(tr '\n' ' ' <$PEERS)"
	# GC at MAXN entries: nothing sends to the peers from here on.
	g0=$(slab_bytes /tmp/gc0)
	v=$(pings $((3 * GC + 2)))
	g1=$(slab_bytes /tmp/gc1)
	v2=$(pings $((3 * GC + 2)))
	if [ -n "$v" ] && [ -n "$v2" ]; then
		set -- $v
		record $d $r gc_avg $1
		record $d $r gc_max $2
		gcline="reap window: rtt avg $1 max $2 us (lost $3)"
		set -- $v2
		record $d $r idle_avg $1
		record $d $r idle_max $2
		record $d $r gc_freed $(((g0 - g1) / MAXN))
		echo "  gc: $gcline; after: avg $1 max $2 us (lost $3); slab objects $g0 -> $g1 B" \
			"($(((g0 - g1) / MAXN)) B per destination freed; most: $(cache_drops /tmp/gc0 /tmp/gc1))"
	else
		echo "  gc: pings failed"
		bad=1
	fi
	[ $bad -eq 0 ]
}

# Before either driver: neighbour table limits (in-tree sizes its hash from
# gc_thresh3 at load) and the GC period (in-tree queues its first reap
# gc_interval after load).
sysctl_w() { echo $2 >/proc/sys/net/ipv4/neigh/default/$1; }
sysctl_w gc_thresh1 20000 && sysctl_w gc_thresh2 20000 && sysctl_w gc_thresh3 20000 &&
	sysctl_w gc_interval $GC || { echo "cannot set the neighbour sysctls"; exit 1; }
load_fabric peers=$MAXN || { echo "softib does not load with peers=$MAXN"; exit 1; }
echo "scale: sizes $SIZES, rounds $ROUNDS, udpspray $SECS s, gc_interval $GC s, ours column: $OURS, $(nproc) CPU(s)"

failed=0
last=0
r=1
while [ $r -le "$ROUNDS" ]; do
	order="stock ours"
	[ $((r % 2)) -eq 0 ] && order="ours stock"
	for d in $order; do
		if [ $(($(elapsed) + last + 60)) -gt $TIMEOUT ]; then
			echo "time budget reached at $(elapsed) s: stopping before round $r $d"
			failed=1
			break 2
		fi
		t=$(date +%s)
		mark=$(dmesg_mark)
		run_driver $d $r || {
			failed=1
			dmesg_since $mark | sed 's/^\[[^]]*\] //' | sort | uniq -c | sort -rn | head -n 8 | sed 's/^ */  dmesg: /'
		}
		ip netns del a 2>/dev/null
		ip netns del b 2>/dev/null
		wait_until 60 ipoib_gone || { echo "ib_ipoib does not unload"; failed=1; break 2; }
		dt=$(($(date +%s) - t))
		[ $dt -gt $last ] && last=$dt
		echo "  ($dt s, $(elapsed) s so far)"
	done
	r=$((r + 1))
done

# Each driver's pps_N against its own pps_1, per round (paired).
for d in stock ours; do
	for n in $SIZES; do
		awk -v d=$d -v n=$n '$1 == d && $3 == "pps_1" { one[$2] = $4 } $1 == d && $3 == "pps_" n { v[$2] = $4 }
			END { for (r in v) if (one[r] > 0) printf "%s %s flat_%s %.3f\n", d, r, n, v[r] / one[r] }' $DATA >>$DATA.f
	done
done
cat $DATA.f >>$DATA 2>/dev/null

ours_label=ours
[ "$OURS" = stock ] && ours_label="ours(=in-tree)"
ab() { printf '%s|stock|%s|ours|%s|%s;' "$1" $2 $2 $3; }
rows="" frows=""
for n in $SIZES; do
	rows="$rows$(ab "UDP 64 B to $n (pkt/s)" pps_$n 0)"
	frows="$frows$(printf '%s|stock|flat_%s|ours|flat_%s|0;' "  $n / 1" $n $n)"
done
echo "=== ipoib bench ==="
echo "softib peers=$MAXN: ib0 (netns a) -> N virtual peers, 64-byte UDP round-robin"
echo "(udpspray, $SECS s), packets/s reaching softib's sink; $ROUNDS rounds per driver."
echo "Columns: medians; ratio = ours/in-tree (in-tree/ours for memory and rtt),"
echo "paired = median of per-round ratios; spread = (max - min) / median."
echo
table "=in-tree|$ours_label|it|ours;$rows$(ab "Slab per dest, total (B)" slab_total 1)$(ab "  stack's neighbour (B)" slab_kernel 1)$(ab "  driver's part (B)" slab_driver 1)$(ab "GC reap: ping rtt avg (us)" gc_avg 1)$(ab "GC reap: ping rtt max (us)" gc_max 1)$(ab "no reap: ping rtt avg (us)" idle_avg 1)$(ab "no reap: ping rtt max (us)" idle_max 1)$(ab "Slab freed by GC/dest (B)" gc_freed 0)"
echo
echo "cost flat? each driver's packets/s at N over its own at 1 (goal for ours:"
echo ">= 0.90 at every N); the ratio column compares the two drivers' flatness."
table "=in-tree|$ours_label|it|ours;$frows"
echo "Slab per dest: over the $(echo $SIZES | awk '{ print $NF - $(NF - 1) }') destinations added last; the stack's neighbour"
echo "  after ip -batch (with the driver's neigh_priv_len: in-tree asks for room"
echo "  for its ipoib_neigh there, and allocates it apart), the driver's part"
echo "  after the warm-up (its neighbour, path, address handle)."
echo "GC: net.ipv4.neigh.default.gc_interval $GC s, pings ib0 -> ib1 every 10 ms for"
echo "  $((3 * GC + 2)) s while the $MAXN idle neighbours become reapable and go, then"
echo "  as long again with none left."
echo "=== end ==="
# The data, for the plot (tests/bench/run).
sed 's/^/scale-data /' $DATA
echo "total $(elapsed) s"
[ $failed -eq 0 ]
