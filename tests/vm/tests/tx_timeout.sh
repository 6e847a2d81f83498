#!/bin/sh
# timeout: 300
# A send queue that hangs, and the TX watchdog. softib's send_stall "hang"
# on sib0 port 1 (Documentation/softib.md) catches ib0's UD send queue, a
# short ping flood fills the send ring until the netdev queue stops, and
# the stall is cleared at once: the caught send queue stays hung, as a
# hung send engine would, until the QP is moved to the error state or
# reset. Every ping in netns a runs on CPU 0, so ours (a TX queue per CPU,
# XPS) sends them all on the queue that hangs. The watchdog fires after
# the running kernel's in-tree period (1 s on 6.1, 10 s on 6.12; both
# drivers use it). For each driver, in-tree then ours:
#  - the kernel's NETDEV WATCHDOG line names ib0, and the queues'
#    tx_timeout counters in sysfs count it;
#  - ours logs one line naming ib0 and the queue, restarts the datapath
#    and pings again; in-tree 6.12 recovers too (tx_timeout_work:
#    ipoib_stop + ipoib_open). Addresses, the route and the neighbour entry
#    stay; the verbs objects are as before (rdma res);
#  - in-tree 6.1 only logs: the hung send queue stays hung, no ping gets
#    through for 10 s, until ip link set ib0 down/up flushes the QP.
# Recovery times are logged: from the watchdog line, and from the flood's
# end. Last, send_stall 1 (hold) delays a ping's request until cleared.
# The harness fails the test on any kernel-log splat. Debian's 6.1 (a
# 6.1.1xx stable) and 6.12 print the watchdog line with netdev_crit, not
# the WARN_ONCE splat of older kernels, so no splat is expected here.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh
. /vmtest/lib-child.sh

STALL=/sys/kernel/debug/softib/sib0/port1/send_stall
case $KVER in
6.1.*) WD=1 RECOVERS_STOCK=no ;;
*) WD=10 RECOVERS_STOCK=yes ;;
esac
log "kernel $KVER: in-tree TX watchdog ${WD} s"

# cs: uptime in centiseconds.
cs() { awk '{ split($1, t, "."); print t[1] * 100 + t[2] }' /proc/uptime; }
secs() { echo "$(($1 / 100)).$(($1 % 100 / 10))"; }
pa() { in_ns a taskset -c 0 /usr/sbin/ping "$@"; }
klog_has() { echo "vmtest: poll" >/dev/kmsg; dmesg_since "$_m0" | grep -q "$1"; }
# state: what the recovery must not change on ib0.
state() {
	ip -n a -o addr show dev ib0 | awk '{ print $3, $4 }'
	ip -n a route show dev ib0
	ip -n a neigh show $B4 dev ib0 | awk '{ print $1, $2, $3 }'
}
ping1() { pa -c 1 -W 1 $B4; }
no_ping() { ! pa -c "$1" -W 1 $B4; }
# hold_ping: _held = the round trip (ms) of a ping whose request softib
# holds for 1.5 s (send_stall 1), 0 if none came back.
hold_ping() {
	echo 1 >$STALL
	pa -c 1 -W 5 $B4 >/tmp/held.out 2>&1 &
	_p=$!
	sleep 1.5
	echo 0 >$STALL
	wait $_p
	_held=$(sed -n 's/.*time=\([0-9]*\).*/\1/p' /tmp/held.out)
	_held=${_held:-0}
}
same_state() { state >/tmp/state.1 2>&1; cmp -s /tmp/state.0 /tmp/state.1 || { diff /tmp/state.0 /tmp/state.1; return 1; }; }
txq_timeouts() { in_ns a sh -c 'cat /sys/class/net/ib0/queues/tx-*/tx_timeout' | awk '{ s += $1 } END { print s + 0 }'; }

run_driver() {
	DRV=$1
	log "--- $DRV"
	res_pre=$(rdma_res_counts)
	require "[$DRV] ib_ipoib loads" ipoib_load_drv $DRV
	fabric_netns && wait_until 30 carrier a ib0 && wait_until 30 carrier b ib1 ||
		fail "[$DRV] netns and carrier"
	check "[$DRV] ping a -> b" ping_a_b
	state >/tmp/state.0 2>&1
	res0=$(rdma_res_counts)
	to0=$(txq_timeouts)
	_m0=$(dmesg_mark)

	echo 2 >$STALL
	# 500 pings a second for 0.3 s: more than in-tree's send ring (128)
	# holds (ours stops the queue sooner, through BQL), and over before the
	# 1 s watchdog of 6.1 can fire and a restart come while the stall is on.
	pa -q -i 0.002 -c 150 -W 0.1 $B4 >/dev/null 2>&1
	echo 0 >$STALL
	t_flood=$(cs)

	check "[$DRV] NETDEV WATCHDOG names ib0 within $((2 * WD + 5)) s" \
		wait_until $((2 * WD + 5)) klog_has "ib0: NETDEV WATCHDOG: .*transmit queue [0-9]* timed out"
	t_wd=$(cs)
	log "[$DRV] watchdog line $(secs $((t_wd - t_flood))) s after the flood ended"
	check "[$DRV] sysfs tx_timeout counted it ($to0 -> $(txq_timeouts))" [ "$(txq_timeouts)" -gt "$to0" ]
	if [ $DRV = stock ]; then
		check "[$DRV] the driver logged the timeout" klog_has "ib0: transmit timeout: latency"
	else
		check "[$DRV] one line names ib0 and the queue and says what follows" \
			klog_has "ib0: transmit timeout on queue [0-9]*: .*; restarting the datapath"
		check "[$DRV] the datapath restarted" wait_until 5 klog_has "ib0: datapath restarted after the transmit timeout"
		dmesg_since "$_m0" | grep "ib0: \(transmit timeout on\|datapath restarted\)" | head -n 2 | sed 's/^/# /'
	fi

	if [ $DRV = ours ] || [ $RECOVERS_STOCK = yes ]; then
		if wait_until 30 ping1; then
			t_ok=$(cs)
			pass "[$DRV] ping gets through again: $(secs $((t_ok - t_wd))) s after the watchdog line, $(secs $((t_ok - t_flood))) s after the flood"
		else
			fail "[$DRV] no ping within 30 s of the watchdog line"
		fi
		check "[$DRV] addresses, route and neighbour kept" same_state
		settle
		check "[$DRV] verbs objects as before (rdma res)" same "$(rdma_res_counts)" "$res0"
	else
		check "[$DRV] in-tree 6.1 does not recover by itself: no ping for 10 s" no_ping 10
		ip -n a link set ib0 down
		ip -n a link set ib0 up
		check "[$DRV] ip link set ib0 down/up brings it back" wait_until 30 ping1
	fi
	check "[$DRV] ping a -> b" ping_a_b
	hold_ping
	check "[$DRV] send_stall 1 holds a ping's request until cleared (rtt $_held ms, >= 1000)" [ "$_held" -ge 1000 ]
	ip netns del a
	ip netns del b
	check "[$DRV] ib_ipoib unloads" ipoib_unload
	check "[$DRV] verbs objects as before loading" same "$(rdma_res_counts)" "$res_pre"
}

require "softib loads" load_fabric
for d in stock $IPOIB_DRIVER; do run_driver $d; done
dgram_finish
