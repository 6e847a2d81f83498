#!/bin/sh
# timeout: 240
# Connected mode's limits, on softib srq=N (a receive ring per RC QP).
#
# max_nonsrq_conn_qp=1: each interface accepts one passive connection; a
# further REQ gets REJ NO_QP. ib0 (netns a) connected; two peers on sib1,
# both connected: ib1 (netns b) and c1, an rtnl child of ib1 with ib1's
# P_Key (netns c, 10.11.0.3). In-tree: ib1 connects and pings; c1's
# connection is refused and there is no datagram fallback: all its echoes
# to ib0 are lost, and so are ib0's to c1 (ib0 -> c1 connects, c1 having a
# free slot, but c1's replies need c1 -> ib0). When ib1 leaves connected
# mode its connection to ib0 goes, ib0 reaps the passive side, and c1
# connects. Runs under stock and then under the driver under test; the
# transcripts must be equal.
#
# Stale passive connections (ours only): in-tree reaps a passive connection
# idle for 512 s, checked every 768 s, and has no way to shorten that, so
# stock cannot take part. Ours has the test-only parameter cm_stale_ms
# (0 = the in-tree timing): with the default an idle connection is still
# there after 8 s; with cm_stale_ms=2000 it is reaped within 10 s of the
# last packet (rdma res: the RC QPs go on both sides; debugfs: ib0_cm loses
# its RX line), and the next ping connects again. The connection is
# one-way (ib1 connected, ib0 datagram): ib0's replies go over UD.
# Driver under test: ours, or stock with ipoib_test_driver=stock.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh
. /vmtest/lib-child.sh
. /vmtest/lib-cm.sh

C4=10.11.0.3
ip netns del c 2>/dev/null

limits_scenario() {
	x 0 'cm_load $DRV max_nonsrq_conn_qp=1'
	x "=1" cat /sys/module/ib_ipoib/parameters/max_nonsrq_conn_qp
	x 0 dgram_netns
	x 0 ip netns add c
	x 0 ip -n c link set lo up
	x 0 ip -n b link add link ib1 name c1 type ipoib
	x 0 ip -n b link set c1 netns c
	x 0 ip -n c addr add $C4/24 dev c1
	x 0 ip -n c link set c1 up
	x 0 wait_until 30 carrier a ib0
	x 0 wait_until 30 carrier b ib1
	x 0 wait_until 30 carrier c c1
	x "=2/2" pingn b $A4 2
	x "=2/2" pingn c $A4 2
	x 0 set_mode_of a ib0 connected
	if [ "$(mode_of a ib0)" != connected ]; then
		log "[$DRV] connected mode refused: the rest of this pass is skipped"
		ip netns del c
		ip netns del a
		ip netns del b
		return
	fi
	x 0 set_mode_of b ib1 connected
	x 0 ip -n c link set c1 type ipoib mode connected
	x "~mode connected" ip -n c -d link show c1
	# the first peer takes ib0's one passive slot
	x "=3/3" pingn b $A4 3
	# the second is refused (REJ NO_QP), both ways, with no fallback to UD
	x "=0/3" pingn c $A4 3
	x "=0/3" pingn a $C4 3
	x "=3/3" pingn b $A4 3
	# ib0: RX from ib1, TX to ib1, TX to c1
	x "=3" rc_qps sib0/1
	x 0 rc_paired
	# ib1 leaves connected mode: its connection to ib0 goes, the slot frees
	x 0 set_mode_of b ib1 datagram
	_t0=$(date +%s)
	x 0 wait_secs 30 in_ns c ping -c 1 -W 1 $A4
	log "[$DRV] c1 got through $(($(date +%s) - _t0)) s after ib1 left connected mode"
	x "=3/3" pingn c $A4 3
	x "=3/3" pingn a $C4 3
	x "=3/3" pingn b $A4 3
	x 0 ip netns del c
	x 0 ip netns del a
	x 0 ip netns del b
}

# stale_setup [PARAMS]: ours with PARAMS; ib0 (a) datagram, ib1 (b)
# connected; ping b -> a: one RC connection ib1 -> ib0, the last packet
# now; prints nothing.
stale_setup() {
	ipoib_unload && cm_load ours "$@" && dgram_netns || return 1
	wait_until 30 carrier a ib0 && wait_until 30 carrier b ib1 || return 1
	set_mode_of b ib1 connected || return 1
	[ "$(pingn b $A4 3)" = 3/3 ] || { echo "ping b -> a failed"; return 1; }
	one_rc_conn || { rdma res show qp; return 1; }
	grep -q '^RX .* state live ' $IPOIB_DBG/ib0_cm || { cat $IPOIB_DBG/ib0_cm; return 1; }
}
stale_down() {
	ip netns del a
	ip netns del b
	ipoib_unload
}
no_rc_qps() { [ "$(rc_qps sib0/1)" = 0 ] && [ "$(rc_qps sib1/1)" = 0 ]; }
one_rc_conn() { [ "$(rc_qps sib0/1)" = 1 ] && [ "$(rc_qps sib1/1)" = 1 ]; }
no_rx_line() { [ -e $IPOIB_DBG/ib0_cm ] && ! grep '^RX ' $IPOIB_DBG/ib0_cm; }

# uptime_cs: the time since boot in 1/100 s.
uptime_cs() { awk '{ sub(/\./, "", $1); print $1 + 0 }' /proc/uptime; }

stale_ours() {
	_f0=$_failed
	check "[ours] default timing: one RC connection b -> a" stale_setup
	[ $_failed -eq $_f0 ] || { log "bail out: no connection"; stale_down; return; }
	sleep 8
	check "[ours] default timing: still there after 8 s idle" one_rc_conn
	stale_down
	check "[ours] cm_stale_ms=2000: one RC connection b -> a" stale_setup cm_stale_ms=2000
	[ $_failed -eq $_f0 ] || { log "bail out: no connection"; stale_down; return; }
	_t0=$(uptime_cs)
	if wait_until 10 no_rc_qps; then
		_t=$(($(uptime_cs) - _t0))
		pass "[ours] cm_stale_ms=2000: the idle connection is reaped on both sides, $((_t / 100)).$((_t / 10 % 10)) s after the last packet"
	else
		fail "[ours] cm_stale_ms=2000: the idle connection is not reaped within 10 s"
		rdma res show qp | sed 's/^/#   /'
	fi
	check "[ours] ib0_cm has no RX line any more" no_rx_line
	check "[ours] ping b -> a connects again" [ "$(pingn b $A4 3)" = 3/3 ]
	check "[ours] a new RC connection" one_rc_conn
	stale_down
}

require "softib srq=N loads" load_fabric srq=N
modprobe ib_cm
two_pass limits_scenario noload
if [ "$IPOIB_DRIVER" = ours ]; then
	stale_ours
else
	log "stale reaping: ours only (in-tree's 512 s idle / 768 s period cannot be shortened)"
fi
dgram_finish
