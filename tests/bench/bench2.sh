#!/bin/sh
# hosts: 2
# timeout: 1500
# make bench, two hosts (a third boot of tests/bench/run: two VMs, one vCPU
# each, softib's wire between them; Documentation/softib.md, "Two hosts"):
# the in-tree ib_ipoib on both hosts against ours on both, in rounds in
# ABBA order, each driver loaded afresh on both VMs. Host A's ib0
# (10.77.0.1) -> host B's ib0 (10.77.0.2):
#   tcp1      iperf3 TCP, 1 stream, datagram mode, receiver Mbit/s
#   tcp4      iperf3 TCP, 4 streams (-P 4), datagram mode
#   idle_rtt  20 pings 50 ms apart, datagram mode: average rtt in us
#   cm_tcp1   iperf3 TCP, 1 stream, connected mode, MTU 65520
# Wall-clock time: each VM's clock is its own, so instruction counting
# would not give comparable figures across the wire; the per-round
# ("paired") ratios cancel slow changes of the host's load.
#
# Kernel command line knobs (tests/bench/run sets them):
#   bench_ours=ours|stock  what the "ours" column loads (stock: noise level)
#   bench_rounds=N         rounds per driver (3)
#   bench_secs=S           length of each iperf3 run (10)
. /vmtest/lib.sh
. /vmtest/lib-2host.sh
. /vmtest/lib-interop.sh
. /vmtest/lib-bench.sh

T0=$(date +%s)
OURS=$(cmdline_knob bench_ours ours)
ROUNDS=$(cmdline_knob bench_rounds 3)
SECS=$(cmdline_knob bench_secs 10)
case $OURS in ours | stock) ;; *) echo "bench_ours must be ours or stock, not $OURS"; exit 2 ;; esac
DATA=/tmp/bench2.dat
: >$DATA
elapsed() { echo $(($(date +%s) - T0)); }
record() { echo "$1 $2 $3 $4" >>$DATA; }
failed=0

# The driver a column stands for, on both hosts.
drv_of() { if [ "$1" = stock ] || [ "$OURS" = stock ]; then echo stock; else echo ours; fi; }

# iperf3 A -> B for SECS; prints the receiver's Mbit/s (empty on failure).
b2_iperf() {
	ixb ix_iperf_server
	timeout $((SECS + 30)) iperf3 -c $IX_B4 -t "$SECS" -f m --connect-timeout 5000 "$@" >/tmp/b2-iperf.log 2>&1 ||
		{ sed 's/^/    /' /tmp/b2-iperf.log | tail -n 3 >&2; return 1; }
	awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i+1) == "Mbits/sec") v = $i } END { print v }' /tmp/b2-iperf.log
}

run_driver() {
	_c=$1 _r=$2 _d=$(drv_of "$1")
	ix_drv_up "$_d" $IX_A4 $IX_A6 >/dev/null && ixb ix_drv_up "$_d" $IX_B4 $IX_B6 >/dev/null ||
		{ echo "  $_c: $_d did not come up on both hosts"; return 1; }
	ix_modes datagram datagram && wait_until 30 ping -c 1 -W 2 $IX_B4 ||
		{ echo "  $_c: no ping A -> B"; return 1; }
	v=$(b2_iperf) && record "$_c" "$_r" tcp1 "$v"
	echo "  $_c ($_d on both): TCP 1 stream ${v:-failed} Mbit/s"
	v=$(b2_iperf -P 4) && record "$_c" "$_r" tcp4 "$v"
	echo "  $_c: TCP 4 streams ${v:-failed} Mbit/s"
	v=$(ping -q -c 20 -i 0.05 -W 2 $IX_B4 | awk -F'[/ ]+' '/^rtt/ { printf "%.1f", $8 * 1000 }')
	[ -n "$v" ] && record "$_c" "$_r" idle_rtt "$v"
	echo "  $_c: idle ping rtt ${v:-failed} us"
	if ix_modes connected connected && wait_until 30 ping -c 1 -W 2 $IX_B4; then
		v=$(b2_iperf) && record "$_c" "$_r" cm_tcp1 "$v"
		echo "  $_c: connected TCP 1 stream ${v:-failed} Mbit/s"
	else
		echo "  $_c: connected mode failed"
	fi
	# ixb runs on B with lib-interop.sh alone: the function must live there.
	wait_until 30 ix_ipoib_gone || { echo "  $_c: A: ib_ipoib did not unload"; return 1; }
	ixb wait_until 30 ix_ipoib_gone || { echo "  $_c: B: ib_ipoib did not unload"; return 1; }
}

ix_clean
ixb ix_clean
ix_fabric 0 && ixb ix_fabric 1 && wait_until 15 ix_sees_peer && ixb wait_until 15 ix_sees_peer ||
	{ echo "the two-host fabric did not come up"; exit 1; }
echo "two hosts: A $(uname -r), B $(on B uname -r); $ROUNDS rounds, $SECS s per iperf3 run"
r=1
while [ $r -le "$ROUNDS" ]; do
	if [ $((r % 2)) = 1 ]; then order="stock ours"; else order="ours stock"; fi
	echo "round $r ($(elapsed) s)"
	for c in $order; do
		run_driver $c $r || failed=1
	done
	r=$((r + 1))
done
ix_teardown

ours_label="ours"
[ "$OURS" = stock ] && ours_label="in-tree again"
echo "=== ipoib bench ==="
echo "two hosts: two VMs (one vCPU each, TCG), softib's wire between them through"
echo "QEMU's UDP socket; A's ib0 -> B's ib0, the same driver on both hosts;"
echo "$ROUNDS rounds per driver, iperf3 $SECS s, wall-clock time. Columns: medians;"
echo "ratio of the medians and paired (median of per-round ratios) >= 1.00 mean"
echo "ours is better; spread = (max - min) / median (noise)."
echo
table "=in-tree|$ours_label|it|ours;TCP 1 stream (Mbit/s)|stock|tcp1|ours|tcp1|0;TCP 4 streams (Mbit/s)|stock|tcp4|ours|tcp4|0;idle ping rtt avg (us)|stock|idle_rtt|ours|idle_rtt|1;CM TCP 1 stream (Mbit/s)|stock|cm_tcp1|ours|cm_tcp1|0"
echo "=== end ==="
echo "total $(elapsed) s"
[ $failed -eq 0 ]
