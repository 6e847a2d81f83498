#!/bin/sh
# timeout: 600
# CM fuzzing: the same seeded stream of forged IB CM MADs
# (tests/vm/tools/cmfuzz.c) injected at ib1's GSI QP (QPN 1) through
# softib's inject file, on the in-tree driver and then on ours, in one
# boot, both in connected mode, while ib0 (netns a) pings ib1 (netns b) in
# the background over its RC connection. Classes: REQs to ib1's IPoIB
# service ID with valid and malformed private data (QPN 0 or random,
# receive size 0, tiny, huge, unaligned; garbage, zero, short), random
# comm IDs, CA GUIDs, QPNs, PSNs, path MTUs, from the real peer's LID or a
# forged one; REQs with random fields; REQs sent twice; REQs followed by
# the stale REJ that ends them; REP, RTU, DREQ, DREP, REJ, MRA, LAP, APR of
# unknown connections; MADs with a wrong version, method or attribute, or
# cut short (Documentation/testing.md). For each driver:
#  - every MAD is accepted by the inject file;
#  - the background ping loses < 10%, and ib1 and ib0 ping each other
#    afterwards;
#  - the module unloads; then the verbs objects are the fabric's alone, and
#    ours gained no kmalloc cache 64 or more objects beyond in-tree's gain;
#    the harness fails the test on any kernel-log splat.
# Ours, also: the passive connections the forged REQs made are all gone
# (ib1's RC QPs back to the two of the real connections) within 60 s of
# the last MAD. A REQ nobody answers with an RTU ends when ib_cm gives up
# on its REP: cmfuzz asks for at most 16 tries of 512 ms, 8.2 s, and ours
# tears the connection down on that REP error; 60 s is that and TCG's
# slowness with a margin (the runs measured are in Documentation/testing.md).
# In-tree does nothing on a REP error: such connections wait for its stale
# reaper (idle 512 s, checked every 768 s: 512-1536 s), longer than this
# test. That is an in-tree finding, not held against the stock side: it
# only logs how many forged connections it still holds 20 s after the
# fuzz, and its unload must clean them up.
# Knobs (kernel command line, tests/vm/run --append): fuzz_cm.count=N
# (default 2000 MADs per driver), fuzz_cm.seed=S.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh
. /vmtest/lib-child.sh
. /vmtest/lib-cm.sh

COUNT=$(cmdline_knob fuzz_cm.count 2000)
SEED=$(cmdline_knob fuzz_cm.seed 20261130)
INJ=$SIB_DBG/sib1/port1/inject
# Seconds ours may take to tear down every forged connection (see above).
REAP_SECS=60

sibc() { sib_counter sib1 1 "$1"; }
res_back() { same "$(rdma_res_counts)" "$res0"; }
setup() { dgram_netns && wait_until 30 carrier a ib0 && wait_until 30 carrier b ib1; }
# ib1's RC QPs are down to N (the real connections')
rc_back() { [ "$(rc_qps sib1/1)" -le "$1" ]; }
# The real connections: ib0 -> ib1 and ib1 -> ib0, one RC QP each per side.
connected_both() { ping_a_b -s 3000 >/dev/null && ping_b_a -s 3000 >/dev/null; }

log "fuzz_cm: $COUNT MADs per driver, seed $SEED (rerun: tests/vm/run -t fuzz_cm --append 'fuzz_cm.count=$COUNT fuzz_cm.seed=$SEED')"
for drv in stock ours; do
	fabric_clean
	require "$drv: softib loads" load_fabric
	modprobe ib_cm
	# The netns outlive the driver: tearing one down is asynchronous and
	# its memory would blur the kmalloc figures.
	ip netns add a && ip netns add b && ip -n a link set lo up && ip -n b link set lo up
	settle
	kmallocs >/tmp/km0
	res0=$(rdma_res_counts)
	require "$drv: ib_ipoib loads" ipoib_load_drv $drv
	require "$drv: ib0 (netns a) and ib1 (netns b) up with carrier" setup
	require "$drv: both in connected mode" set_mode connected
	require "$drv: ib0 and ib1 ping each other over RC (3000 bytes)" wait_secs 30 connected_both
	base=$(rc_qps sib1/1)
	log "$drv: ib1 has $base RC QPs before the fuzz"

	addr=$(in_ns b cat /sys/class/net/ib1/address)
	qpn=0x$(echo "$addr" | awk -F: '{ print $2 $3 $4 }')
	args="-f $INJ -q $qpn -g $(gid_of sib1) -L $(lid_of sib0) -G $(gid_of sib0)"
	log "$drv: ib1 $addr, UD QPN $qpn, service ID 0x$(printf '1%015x' $((qpn)))"
	rx0=$(sibc rx_packets)
	nrw0=$(sibc drop_no_rwqe)
	bg_ping_start a $B4
	t0=$(date +%s)
	# 2 ms apart: unpaced, ib_mad's 512 receives ran out under one
	# driver and not the other (415 of 1000 dropped in one run).
	check "$drv: $COUNT CM MADs injected at ib1's GSI QP (seed $SEED)" \
		sh -c "cmfuzz $args -s $SEED -n $COUNT -d 2000 >/tmp/cf.$drv 2>&1"
	t=$(($(date +%s) - t0))
	peak=$(rc_qps sib1/1)
	sleep 2
	bg_ping_checked
	got=$(($(sibc rx_packets) - rx0))
	nrw=$(($(sibc drop_no_rwqe) - nrw0))
	log "$drv: $COUNT MADs in $t s; per class: $(awk '$1 == "class" { printf "%s %s ", $2, $3 } $1 == "connections" { printf "(REQs %s) ", $2 }' /tmp/cf.$drv)"
	log "$drv: softib sib1: rx_packets +$got drop_no_rwqe +$nrw; ib1 RC QPs at the end of the fuzz: $peak"
	# rx_packets also counts the port's real traffic (the background
	# ping's RC packets): the MADs that found no receive are the measure.
	# Paced, none should; a quarter is the margin before the run is
	# called a fuzz of nothing.
	check "$drv: ib1's GSI QP received the MADs (no receive for $nrw of $COUNT, < 25%)" [ $((nrw * 4)) -lt $COUNT ]
	check "$drv: ib1 pings ib0 afterwards" wait_secs 20 ping_b_a
	check "$drv: ib0 pings ib1 afterwards" ping_a_b
	_t=$(date +%s)
	if [ $drv = ours ]; then
		check "$drv: the forged REQs' connections are gone within $REAP_SECS s (ib1 RC QPs back to $base)" \
			wait_secs $REAP_SECS rc_back "$base"
		log "$drv: ib1 RC QPs $(rc_qps sib1/1), $(($(date +%s) - _t)) s after the fuzz"
		echo "$drv $t $nrw $peak $(rc_qps sib1/1) $(($(date +%s) - _t))" >>/tmp/cf.sum
	else
		wait_secs 20 rc_back "$base"
		n=$(($(rc_qps sib1/1) - base))
		log "$drv: $(($(date +%s) - _t)) s after the fuzz ib1 holds $n forged connections"
		[ $n -gt 0 ] && log "$drv: in-tree finding: it ignores ib_cm's REP error, so a REQ never followed by an RTU holds its RC QP until the stale reaper (512-1536 s)"
		echo "$drv $t $nrw $peak $(rc_qps sib1/1) -" >>/tmp/cf.sum
	fi
	check "$drv: ib0 still pings ib1" ping_a_b
	kmallocs >/tmp/kml
	log "$drv: kmalloc caches, active objects gained (driver loaded): $(kmdiff /tmp/km0 /tmp/kml | head -n 6 | tr '\n' ' ')"
	_t=$(date +%s)
	check "$drv: ib_ipoib unloads" rmmod ib_ipoib
	log "$drv: unloaded in $(($(date +%s) - _t)) s"
	check "$drv: verbs objects are the fabric's alone (rdma res)" wait_until 10 res_back
	kmalloc_after_unload $drv
done
check "ours: no kmalloc cache gained 64 or more objects beyond in-tree's gain" more_than_stock
log "side by side: driver seconds MADs-without-receive ib1-RC-QPs-after-fuzz RC-QPs-after-wait seconds-to-reap (base $base)"
sed 's/^/  /' /tmp/cf.sum
rm -f /tmp/cf.sum
fabric_clean
dgram_finish
