#!/bin/sh
# timeout: 600
# Packet fuzzing: the same seeded stream of 10^4 malformed and hostile UD
# packets (tests/vm/tools/pktfuzz.c) injected at ib1's QP through softib's
# inject file, on the in-tree driver and then on ours, in one boot, while
# ib0 (netns a) pings ib1 (netns b) in the background. Classes: IPv4, IPv6
# and ARP with corrupted headers and lengths, ARP and neighbour
# solicitations with garbage hardware addresses, unknown ethertypes,
# truncated (0-4 bytes) and oversize (MTU+1..MTU+1024) payloads, bad GRHs,
# wrong P_Key and Q_Key, forged source LID/QPN, multicast from ourselves
# and from forged senders (Documentation/testing.md). For each driver:
#  - first 200 copies of ib1's own multicast echo (its LID, QPN and GID to
#    the broadcast MGID): softib delivers them, the driver drops them all;
#  - every packet is accepted by the inject file; softib drops and counts
#    exactly the wrong-P_Key and wrong-Q_Key ones, and counts a length
#    error for each oversize one;
#  - the driver counts the unknown ethertypes that found a receive buffer
#    (and, ours, the oversize ones) in rx_dropped/rx_errors;
#  - the background ping loses < 10% and ib1 pings ib0 afterwards;
#  - the module unloads; then the verbs objects are the fabric's alone and,
#    once the fragments the stack held for reassembly have expired (the
#    test sets ipfrag_time and ip6frag_time to 1 s in its namespaces),
#    no kmalloc cache grew with ours by 64 or more objects beyond what it
#    grew with in-tree (the kernel keeps some of its own after the fuzz).
#    The harness fails the test on any kernel-log splat.
# The in-tree driver does not get the oversize class in the mix: it frees
# the buffer of a receive completed in error without posting a new one, so
# 256 of them leave ib1 deaf for good (ours reposts it). Both then get 1000
# oversize packets on their own: ours must still ping, stock's outcome is
# logged (Documentation/testing.md).
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh
. /vmtest/lib-child.sh
. /vmtest/lib-cm.sh

# Knobs (kernel command line, tests/vm/run --append; make soak passes
# fuzz.count=100000): fuzz.count=N packets per driver (default 10^4),
# fuzz.seed=N.
COUNT=$(cmdline_knob fuzz.count 10000)
SEED=$(cmdline_knob fuzz.seed 20261130)
ECHOES=200
INJ=$SIB_DBG/sib1/port1/inject

# rx_stat NS DEV FIELD: rx_errors or rx_dropped, from netlink.
rx_stat() {
	ip -n "$1" -s link show "$2" | awk -v w="$3" '
		$1 == "RX:" { getline; e = $3; d = $4 } END { print (w == "rx_errors" ? e : d) }'
}
# The broadcast group's MGID, from ib1's broadcast address (bytes 4-19).
bcast_mgid() {
	ip -n b -o link show ib1 | awk '{ for (i = 1; i < NF; i++) if ($i == "brd") print $(i + 1) }' |
		awk -F: '{ for (i = 5; i <= 20; i += 2) printf "%s%s%s", (i > 5 ? ":" : ""), $i, $(i + 1); print "" }'
}
cls() { awk -v c="$1" '$1 == "class" && $2 == c { n = $3 } END { print n + 0 }' /tmp/pf.$drv; }
sibc() { sib_counter sib1 1 "$1"; }
snap() { for k in rx_packets mcast_rx_packets drop_pkey drop_qkey drop_length drop_no_rwqe drop_no_qp drop_no_mcast_group; do echo "$k $(sibc $k)"; done; }
# delta NAME BEFORE AFTER: how much a counter of two snap files grew.
delta() { echo $(($(awk -v k="$1" '$1 == k { print $2 }' "$3") - $(awk -v k="$1" '$1 == k { print $2 }' "$2"))); }
# IPv4/IPv6 fragments the stack is still holding for reassembly in the
# test's namespaces (FRAG/FRAG6 "inuse" in /proc/net/sockstat*)
frags_gone() {
	for _ns in a b; do
		ip netns exec $_ns cat /proc/net/sockstat /proc/net/sockstat6 |
			awk '/^FRAG6?:/ && $3 != 0 { bad = 1 } END { exit bad }' || return 1
	done
}
# no kmalloc cache has 64 or more objects more than before the load
kmalloc_back() { kmallocs >/tmp/kmw && kmdiff /tmp/km0 /tmp/kmw | awk '$1 >= 64 { bad = 1 } END { exit bad }'; }
setup() { dgram_netns && wait_until 30 carrier a ib0 && wait_until 30 carrier b ib1; }

for drv in stock ours; do
	fabric_clean
	require "$drv: softib loads" load_fabric
	modprobe ib_cm
	# The netns outlive the driver: tearing one down is asynchronous and
	# its memory would blur the kmalloc figures.
	ip netns add a && ip netns add b && ip -n a link set lo up && ip -n b link set lo up
	# The fuzzed IPv4/IPv6 packets include fragments, which the stack
	# holds for reassembly (30 s and 60 s by default), with the driver's
	# receive buffers: 1 s here, so they are gone before the leak check.
	for ns in a b; do
		ip netns exec $ns sh -c 'echo 1 >/proc/sys/net/ipv4/ipfrag_time && echo 1 >/proc/sys/net/ipv6/ip6frag_time'
	done
	settle
	kmallocs >/tmp/km0
	res0=$(rdma_res_counts)
	require "$drv: ib_ipoib loads" ipoib_load_drv $drv
	require "$drv: ib0 (netns a) and ib1 (netns b) up with carrier" setup
	require "$drv: ib0 pings ib1" wait_secs 20 ping_a_b

	addr=$(in_ns b cat /sys/class/net/ib1/address)
	qpn=0x$(echo "$addr" | awk -F: '{ print $2 $3 $4 }')
	mgid=$(bcast_mgid)
	mlid=$(awk -v g="$mgid" '$1 == g { print $3 }' $SIB_DBG/sa/groups)
	# one line: it also goes through sh -c
	args="-f $INJ -q $qpn -l $(lid_of sib1) -Q 0x0b1b -P 0xffff -L $(lid_of sib0) -g $(gid_of sib1)"
	args="$args -G $(gid_of sib0) -m $mgid -M ${mlid:-0xc000} -4 $B4 -6 $B6 -u 2048"
	log "$drv: ib1 $addr, QPN $qpn, broadcast $mgid MLID $mlid"

	# ib1's own multicast echo: delivered by softib, dropped by the driver.
	rx0=$(dev_stat b ib1 rx_packets)
	mc0=$(sibc mcast_rx_packets)
	check "$drv: $ECHOES own multicast echoes injected" pktfuzz $args -s $SEED -n $ECHOES -o mcast_self
	mc1=$(sibc mcast_rx_packets)
	rx1=$(dev_stat b ib1 rx_packets)
	log "$drv: own echoes: softib delivered $((mc1 - mc0)), ib1 rx_packets +$((rx1 - rx0))"
	check "$drv: softib delivered every echo to ib1's QP" [ $((mc1 - mc0)) -ge $ECHOES ]
	check "$drv: the driver dropped them (rx_packets grew by < 20)" [ $((rx1 - rx0)) -lt 20 ]

	x=
	[ $drv = stock ] && x="-x oversize"
	snap >/tmp/sib0
	err0=$(rx_stat b ib1 rx_errors)
	drop0=$(rx_stat b ib1 rx_dropped)
	bg_ping_start a $B4
	t0=$(date +%s)
	check "$drv: $COUNT packets injected at ib1 (seed $SEED${x:+, $x})" \
		sh -c "pktfuzz $args -s $SEED -n $COUNT $x >/tmp/pf.$drv 2>&1"
	t=$(($(date +%s) - t0))
	sleep 2
	bg_ping_checked
	snap >/tmp/sib1
	errs=$(($(rx_stat b ib1 rx_errors) - err0))
	drops=$(($(rx_stat b ib1 rx_dropped) - drop0))
	log "$drv: $COUNT packets in $t s; per class: $(awk '$1 == "class" { printf "%s %s ", $2, $3 }' /tmp/pf.$drv)"
	log "$drv: ib1 rx_errors +$errs rx_dropped +$drops; softib sib1:" \
		"$(for k in rx_packets mcast_rx_packets drop_pkey drop_qkey drop_length drop_no_rwqe drop_no_qp drop_no_mcast_group; do
			printf '%s +%s ' $k "$(delta $k /tmp/sib0 /tmp/sib1)"; done)"
	echo "$drv $errs $drops $(delta drop_pkey /tmp/sib0 /tmp/sib1) $(delta drop_qkey /tmp/sib0 /tmp/sib1) $(delta drop_length /tmp/sib0 /tmp/sib1) $t" >>/tmp/pf.sum
	check "$drv: softib dropped every wrong-P_Key packet (drop_pkey +$(cls bad_pkey))" \
		[ "$(delta drop_pkey /tmp/sib0 /tmp/sib1)" -eq "$(cls bad_pkey)" ]
	check "$drv: softib dropped every wrong-Q_Key packet (drop_qkey +$(cls bad_qkey))" \
		[ "$(delta drop_qkey /tmp/sib0 /tmp/sib1)" -eq "$(cls bad_qkey)" ]
	# The packets that found a receive buffer (softib's drop_no_rwqe counts
	# the rest, from every class alike): the share of the unknown ethertypes
	# that can have reached the driver. In-tree refills its ring more
	# slowly, and under a loaded host softib dropped 4035 of 10000 for it.
	rxp=$(delta rx_packets /tmp/sib0 /tmp/sib1)
	nrw=$(delta drop_no_rwqe /tmp/sib0 /tmp/sib1)
	eth=$(( $(cls ethertype) * rxp / (rxp + nrw + 1) ))
	log "$drv: $(cls ethertype) unknown ethertypes injected, about $eth found a receive buffer"
	if [ $drv = ours ]; then
		ov=$(cls oversize)
		check "$drv: a length error for each oversize packet (drop_length +$ov)" \
			[ $(($(delta drop_length /tmp/sib0 /tmp/sib1) + $(delta drop_no_rwqe /tmp/sib0 /tmp/sib1))) -ge "$ov" ]
		check "$drv: the driver counted the unknown ethertypes and the oversize packets" \
			[ $((errs + drops)) -ge $((eth * 9 / 10 + ov)) ]
	else
		check "$drv: unknown ethertypes that found a buffer counted in rx_dropped (>= 90%)" \
			[ $((drops * 10)) -ge $((eth * 9)) ]
	fi
	check "$drv: ib1 pings ib0 afterwards" wait_secs 20 ping_b_a
	check "$drv: ib0 pings ib1 afterwards" ping_a_b
	# Four receive rings' worth of oversize packets (recv_queue_size 256).
	pktfuzz $args -s $SEED -n 1000 -o oversize >/dev/null
	if [ $drv = ours ]; then
		check "$drv: ib1 pings ib0 after 1000 oversize packets" wait_secs 20 ping_b_a
	elif wait_secs 20 ping_b_a; then
		log "$drv: ib1 still pings ib0 after 1000 oversize packets"
	else
		log "$drv: in-tree finding: after 1000 oversize packets ib1 no longer hears ib0 (each receive error costs a ring slot)"
	fi
	check "$drv: ib_ipoib unloads" rmmod ib_ipoib
	# Fragments awaiting reassembly hold receive buffers (kmalloc-1k with
	# in-tree, kmalloc-512 with ours) until they expire.
	_t=$(date +%s)
	wait_until 70 frags_gone || log "$drv: fragments still held: $(ip netns exec b grep FRAG /proc/net/sockstat /proc/net/sockstat6 | tr '\n' ' ')"
	log "$drv: fragments awaiting reassembly gone $(($(date +%s) - _t)) s after the unload"
	# Some objects go a few seconds late (in-tree's kmalloc-96 took 16 s in
	# one run): a leak never goes, so the check waits up to 90 s. (The 440
	# late kmalloc-512 objects once seen with ours were, most likely,
	# free objects in per-CPU slabs, which kmallocs now flushes first.)
	_t=$(date +%s)
	wait_until 90 kmalloc_back
	log "$drv: kmalloc caches back $(($(date +%s) - _t)) s after the fragments went"
	kmalloc_gained $drv
	check "$drv: verbs objects are the fabric's alone (rdma res)" same "$(rdma_res_counts)" "$res0"
done
# Both drivers leave some kmalloc-96 objects of the kernel's own (about
# 50-90 after the fuzz, the driver unloaded, the namespaces kept): ours is
# held to in-tree's gain.
check "ours: no kmalloc cache gained 64 or more objects beyond in-tree's gain" more_than_stock
log "side by side: driver rx_errors rx_dropped softib:drop_pkey drop_qkey drop_length seconds"
sed 's/^/  /' /tmp/pf.sum
rm -f /tmp/pf.sum
fabric_clean
dgram_finish
