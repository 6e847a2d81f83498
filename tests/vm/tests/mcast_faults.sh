#!/bin/sh
# timeout: 480
# Multicast under SA faults, in-tree vs ours (transcripts compared; the
# recovery times and SA request counts are logged for each driver and
# bounded). ib0 in netns a, ib1 in b, a listener cycle (3 UDP datagrams
# a -> b over 239.3.3.3) and a ping prove traffic after each cycle.
#  1. The SA refuses everything (MAD status 0x0100) for 6 s; a client
#     reregister on b's port makes ib1 leave and rejoin every group. Once
#     the SA answers again, every group must be joined within 20 s
#     (backoff up to 16 s), with at most 60 SA requests from b's port in
#     the whole cycle (no storm).
#  1b. The SA answers nothing (sa/drop_ppm 1000000) for 6 s, with a client
#     reregister on b's port: the joins time out, then the same bounds.
#  2. The SM loses every group (softib sa/flush_groups) and reregisters
#     both ports, as a restarted SM does: every group rejoined on both
#     sides within 20 s, at most 60 SA requests per port.
#  3. The SM loses every group and only an SM_CHANGE event comes: 6.1's
#     in-tree driver ignores it (no membership comes back); ours flushes
#     lightly and rejoins (a difference by design, Documentation/ipoib.md).
#     Then a reregister brings both to the same state.
# Driver under test: ours, or stock with ipoib_test_driver=stock.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh
. /vmtest/lib-child.sh
. /vmtest/lib-mcast.sh

G=239.3.3.3
SA=$SIB_DBG/sa

sa_reqs() { sib_counter "$1" 1 sa_requests; }
# bcast_members: members of the default partition's broadcast group at the SA.
bcast_members() {
	awk '/^[^ ]/ { cur = ($1 == "ff12:401b:ffff:0000:0000:0000:ffff:ffff") } cur && $1 == "member" { n++ }
		END { print n + 0 }' $SA/groups
}
has_members() { [ "$(bcast_members)" -gt 0 ]; }
# traffic: a listener on b, 3 datagrams from a, a ping.
traffic() {
	mc_listen b $G ib1 20 3 || return 1
	wait_until 20 mcg_has ib1 "$(mgid4 $G)" yes || return 1
	in_ns a mcudp send $G 5001 ib0 3 >/dev/null
	mc_listen_wait
	[ "$(mc_result b)" = "received 3" ] && ping_ok a $B4 >/dev/null
}
# recovered NAME NS IF [NS IF]: (NAME one word: x splits) wait for every group; note the time since
# the fault ended and the SA requests since it began (in /tmp/mc_rec).
recovered() {
	_name=$1
	shift
	_t0=$(cat /tmp/mc_t0)
	wait_until 40 mcg_settled "$1" "$2" || return 1
	[ -z "$3" ] || wait_until 40 mcg_settled "$3" "$4" || return 1
	echo "$_name: joined again $(($(date +%s) - _t0)) s after the fault ended;" \
		"SA requests sib0 $(($(sa_reqs sib0) - $(cat /tmp/mc_r0))) sib1 $(($(sa_reqs sib1) - $(cat /tmp/mc_r1)))" >/tmp/mc_rec
	[ $(($(date +%s) - _t0)) -le 20 ] && [ $(($(sa_reqs sib0) - $(cat /tmp/mc_r0))) -le 60 ] &&
		[ $(($(sa_reqs sib1) - $(cat /tmp/mc_r1))) -le 60 ]
}
fault_begins() { sa_reqs sib0 >/tmp/mc_r0 && sa_reqs sib1 >/tmp/mc_r1; }
fault_ends() { date +%s >/tmp/mc_t0; }
rec_log() { log "[$DRV] $(cat /tmp/mc_rec)"; }

# sa_fault NAME KNOB VALUE: the SA's KNOB is VALUE for 6 s while b's port
# reregisters; then every group of b must be back within the bounds and
# traffic flow.
sa_fault() {
	fault_begins
	x 0 wr $3 $SA/$2
	x 0 wr 1 $SIB_DBG/sib1/port1/client_reregister
	sleep 6
	x 0 wr 0 $SA/$2
	fault_ends
	x 0 recovered $1 b ib1
	rec_log
	x 0 traffic
}

scenario() {
	x 0 dgram_netns
	x 0 wait_until 30 carrier a ib0
	x 0 wait_until 30 carrier b ib1
	x 0 wait_until 20 mcg_settled a ib0
	x 0 wait_until 20 mcg_settled b ib1
	x 0 traffic

	# 1. joins refused for 6 s; 1b. joins time out for 6 s (every request dropped)
	sa_fault refused_6s status 0x0100
	sa_fault timeouts_6s drop_ppm 1000000

	# 2. group loss and reregister (SM restart)
	fault_begins
	x 0 wr 1 $SA/flush_groups
	x "=0" bcast_members
	x 0 wr 1 $SIB_DBG/sib0/port1/client_reregister
	x 0 wr 1 $SIB_DBG/sib1/port1/client_reregister
	fault_ends
	x 0 recovered groups_lost a ib0 b ib1
	rec_log
	x 0 traffic

	# 3. group loss and SM_CHANGE only
	x 0 wr 1 $SA/flush_groups
	x "=0" bcast_members
	x 0 wr 1 $SIB_DBG/sib1/port1/sm_change
	xd "!" 0 wait_until 10 has_members
	fault_begins
	x 0 wr 1 $SIB_DBG/sib0/port1/client_reregister
	x 0 wr 1 $SIB_DBG/sib1/port1/client_reregister
	fault_ends
	x 0 recovered sm_change_then_reregister a ib0 b ib1
	rec_log
	x 0 traffic

	x 0 ip netns del a
	x 0 ip netns del b
}

require "softib loads" load_fabric
modprobe ib_cm
two_pass scenario
dgram_finish
