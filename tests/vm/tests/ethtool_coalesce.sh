#!/bin/sh
# timeout: 300
# ethtool -C has an effect: softib moderates completion events for real
# (Documentation/softib.md), so rx-usecs/rx-frames on ib1 cut the
# completion events per completion on its HCA (softib/sib1/cq_stats)
# under a steady one-way UDP stream a -> b, the held-back receive event
# shows in the ping round trip, and rx-usecs 0 rx-frames 0 undoes both.
# Measured under the in-tree ib_ipoib and under the driver under test:
# the same thresholds hold for both.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh
. /vmtest/lib-child.sh
. /vmtest/lib-cm.sh
. /vmtest/lib-ethtool.sh

# measure: a steady stream (iperf3 UDP a -> b, 100-byte datagrams at
# 800 kbit/s, 1000 packets/s, 4 s), with sib1's completion events over it
# (cq_measure).
measure() { cq_measure 1000 udp_ab -b 800k -l 100; }


run_driver() {
	DRV=$1
	require "[$DRV] ib_ipoib loads" ipoib_load_drv $DRV
	fabric_netns && wait_until 30 carrier a ib0 && wait_until 30 carrier b ib1 ||
		fail "[$DRV] netns and carrier"
	check "[$DRV] ping a -> b" ping_a_b
	rtt0=$(rtt_ms)
	if base=$(measure); then pass "[$DRV] unmoderated: $base (completions events moderated events/1000)"; else fail "[$DRV] stream: $base"; fi
	check "[$DRV] ethtool -C ib1 rx-usecs 20000 rx-frames 64" in_ns b /usr/sbin/ethtool -C ib1 rx-usecs 20000 rx-frames 64
	check "[$DRV] ethtool -c ib1 shows them" sh -c "/usr/sbin/ip netns exec b /usr/sbin/ethtool -c ib1 | grep -qx 'rx-usecs: 20000'"
	if mod=$(measure); then pass "[$DRV] rx-usecs 20000 rx-frames 64: $mod"; else fail "[$DRV] stream: $mod"; fi
	check "[$DRV] events per completion fell at least 4x ($(field "$base" 4) -> $(field "$mod" 4) per 1000)" \
		[ $(($(field "$mod" 4) * 4)) -lt "$(field "$base" 4)" ]
	check "[$DRV] softib counted events held back by moderation ($(field "$mod" 3))" [ "$(field "$mod" 3)" -gt 0 ]
	rtt1=$(rtt_ms)
	check "[$DRV] ping rtt grew with the held-back receive event (${rtt0} ms -> ${rtt1} ms, >= 15)" \
		[ "${rtt1:-0}" -ge 15 ]
	check "[$DRV] ethtool -C ib1 rx-usecs 0 rx-frames 0" in_ns b /usr/sbin/ethtool -C ib1 rx-usecs 0 rx-frames 0
	if back=$(measure); then pass "[$DRV] back to none: $back"; else fail "[$DRV] stream: $back"; fi
	check "[$DRV] events per completion back up ($(field "$back" 4) per 1000, at least half of $(field "$base" 4))" \
		[ $(($(field "$back" 4) * 2)) -ge "$(field "$base" 4)" ]
	check "[$DRV] no moderated events any more" [ "$(field "$back" 3)" -eq 0 ]
	rtt2=$(rtt_ms)
	check "[$DRV] ping rtt back under 15 ms (${rtt2} ms)" [ "${rtt2:-99}" -lt 15 ]
	ip netns del a
	ip netns del b
	check "[$DRV] ib_ipoib unloads" ipoib_unload
}

require "softib loads" load_fabric
for d in stock $IPOIB_DRIVER; do run_driver $d; done
dgram_finish
