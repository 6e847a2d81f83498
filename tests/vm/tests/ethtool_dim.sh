#!/bin/sh
# timeout: 420
# ethtool -C adaptive-rx (ours only: the in-tree driver has no adaptive
# moderation). Under the in-tree ib_ipoib: `ethtool -C ib1 adaptive-rx on`
# is refused by the core (netlink: "cannot modify an unsupported
# parameter", EINVAL, exit 1), -c shows "Adaptive RX: n/a", and its
# unmoderated figures are shown for comparison. Under ours, on ib1
# (netns b; softib's sib1 is its HCA, whose cq_stats count completions,
# completion events and events on a moderated CQ):
#   - off by default; on and off again through -C, shown by -c;
#   - on, under a 64-byte UDP flood a -> b, events per completion fall
#     well below the unmoderated figure and the CQ is moderated;
#   - once the flood ends, the CQ goes back to rest by itself (no packet
#     needed: the driver's idle check); no moderated events over 20 pings,
#     and the ping round trip near the unmoderated one;
#   - rx-usecs/rx-frames set while on are kept, not applied (the round
#     trip stays short); off applies them (over 15 ms), and 0/0 undoes it;
#   - a P_Key child has its own switch; connected mode's receives (on the
#     same CQ) are moderated too (a smaller cut: at most 3/4); down and up
#     and the unload with adaptive on leave no splat.
# Figures from one run: unmoderated 613 events per 1000 completions,
# adaptive 41; connected mode 741 -> 257; idle round trip 1359 -> 1366 us.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh
. /vmtest/lib-child.sh
. /vmtest/lib-cm.sh
. /vmtest/lib-ethtool.sh

# measure [ARGS]: a flood (iperf3 UDP a -> b, 64-byte datagrams at full
# speed, 4 s), with sib1's completion events over it (cq_measure).
measure() { cq_measure 2000 udp_ab -b 0 -l 64 "$@"; }

# rtt_us: average round trip of 20 pings a -> b, 50 ms apart, in us.
rtt_us() {
	in_ns a ping -c 20 -i 0.05 -W 2 $B4 | awk -F'[/ ]+' '/^rtt/ { printf "%d\n", $8 * 1000 }'
}

# idle_moderated: after a second of quiet, a few pings (the driver sees
# the CQ idle and goes back to rest), then the moderated events on sib1
# over 20 more pings.
idle_moderated() {
	sleep 1
	in_ns a ping -c 3 -i 0.05 -W 2 $B4 >/dev/null || return 1
	sleep 0.2
	_m0=$(cq_stat sib1 moderated_events)
	in_ns a ping -c 20 -i 0.05 -W 2 $B4 >/dev/null || return 1
	echo $(($(cq_stat sib1 moderated_events) - _m0))
}

# moder_now DEV: the receive CQ's moderation in effect (ethtool -S), "usecs/frames".
moder_now() {
	in_ns b ethtool -S "$1" | awk '$1 == "rx_cq_moder_usecs:" { u = $2 } $1 == "rx_cq_moder_frames:" { f = $2 }
		END { print u "/" f }'
}
at_rest() { [ "$(moder_now "$1")" = 0/0 ]; }
adaptive() { in_ns b ethtool -c "$1" | grep -x "Adaptive RX: $2  TX: n/a"; }
usecs_is() { in_ns b ethtool -c "$1" | grep -x "rx-usecs: $2"; }
# adaptive_usecs DEV on|off N: both lines of ethtool -c
adaptive_usecs() { adaptive "$1" "$2" && usecs_is "$1" "$3"; }
child_own() { adaptive ib1.8001 on && adaptive ib1 off; }
both_connected() {
	in_ns a sh -c 'echo connected > /sys/class/net/ib0/mode' &&
		in_ns b sh -c 'echo connected > /sys/class/net/ib1/mode'
}
b_connected() { [ "$(in_ns b cat /sys/class/net/ib1/mode)" = connected ]; }
# refused OUT RC: the core's netlink refusal of an unsupported field
refused() {
	[ "$2" -eq 1 ] && case $1 in *"cannot modify an unsupported parameter"*"Invalid argument"*) ;; *) false ;; esac
}
down_up() { ip -n b link set ib1 down && ip -n b link set ib1 up; }

run_stock() {
	DRV=stock
	require "[$DRV] ib_ipoib loads" ipoib_load_drv $DRV
	fabric_netns && wait_until 30 carrier a ib0 && wait_until 30 carrier b ib1 ||
		fail "[$DRV] netns and carrier"
	check "[$DRV] ping a -> b" ping_a_b
	out=$(in_ns b ethtool -C ib1 adaptive-rx on 2>&1)
	rc=$?
	log "[$DRV] ethtool -C ib1 adaptive-rx on: exit $rc: $(echo $out)"
	check "[$DRV] adaptive-rx on refused by the core (exit 1, EINVAL)" refused "$out" $rc
	check "[$DRV] ethtool -c: Adaptive RX: n/a" adaptive ib1 n/a
	rtt0=$(rtt_us)
	if base=$(measure); then
		pass "[$DRV] unmoderated (its only setting): $base (completions events moderated events/1000), ping ${rtt0} us"
	else
		fail "[$DRV] flood: $base"
	fi
	ip netns del a
	ip netns del b
	check "[$DRV] ib_ipoib unloads" ipoib_unload
}

run_ours() {
	DRV=$IPOIB_DRIVER
	require "[$DRV] ib_ipoib loads" ipoib_load_drv $DRV
	fabric_netns && wait_until 30 carrier a ib0 && wait_until 30 carrier b ib1 ||
		fail "[$DRV] netns and carrier"
	check "[$DRV] ping a -> b" ping_a_b
	check "[$DRV] adaptive-rx off by default" adaptive ib1 off
	rtt0=$(rtt_us)
	if base=$(measure); then pass "[$DRV] unmoderated: $base, ping ${rtt0} us"; else fail "[$DRV] flood: $base"; fi

	check "[$DRV] ethtool -C ib1 adaptive-rx on" in_ns b ethtool -C ib1 adaptive-rx on
	check "[$DRV] ethtool -c: Adaptive RX: on, rx-usecs still 0" adaptive_usecs ib1 on 0
	if mod=$(measure); then pass "[$DRV] adaptive: $mod"; else fail "[$DRV] flood: $mod"; fi
	check "[$DRV] events per completion under the flood at most half ($(field "$base" 4) -> $(field "$mod" 4) per 1000)" \
		[ $(($(field "$mod" 4) * 2)) -le "$(field "$base" 4)" ]
	check "[$DRV] the CQ was moderated during the flood ($(field "$mod" 3) events)" [ "$(field "$mod" 3)" -gt 0 ]
	check "[$DRV] quiet after the flood: back at rest within 3 s with no packet sent (at its end: $(moder_now ib1) us/frames)" \
		wait_secs 3 at_rest ib1
	idle=$(idle_moderated)
	check "[$DRV] idle again: at rest, no moderated events over 20 pings (${idle:-?})" [ "${idle:-99}" -le 1 ]
	rtt1=$(rtt_us)
	check "[$DRV] idle round trip near the unmoderated one (${rtt0} -> ${rtt1} us, at most 1.5x + 300)" \
		[ "${rtt1:-999999}" -le $((rtt0 * 3 / 2 + 300)) ]

	# static values while adaptive: kept, not applied; off applies them
	check "[$DRV] ethtool -C ib1 rx-usecs 20000 rx-frames 64 (adaptive on)" \
		in_ns b ethtool -C ib1 rx-usecs 20000 rx-frames 64
	check "[$DRV] ethtool -c: rx-usecs 20000, Adaptive RX: on" adaptive_usecs ib1 on 20000
	r=$(rtt_ms)
	check "[$DRV] not applied while adaptive: ping ${r} ms, under 15" [ "${r:-99}" -lt 15 ]
	check "[$DRV] ethtool -C ib1 adaptive-rx off" in_ns b ethtool -C ib1 adaptive-rx off
	check "[$DRV] ethtool -c: Adaptive RX: off, rx-usecs 20000" adaptive_usecs ib1 off 20000
	r=$(rtt_ms)
	check "[$DRV] static values applied again: ping ${r} ms, at least 15" [ "${r:-0}" -ge 15 ]
	check "[$DRV] ethtool -C ib1 rx-usecs 0 rx-frames 0" in_ns b ethtool -C ib1 rx-usecs 0 rx-frames 0
	if back=$(measure); then pass "[$DRV] off, 0/0: $back"; else fail "[$DRV] flood: $back"; fi
	check "[$DRV] events per completion back up ($(field "$back" 4) per 1000, at least half of $(field "$base" 4))" \
		[ $(($(field "$back" 4) * 2)) -ge "$(field "$base" 4)" ]
	check "[$DRV] no moderated events any more" [ "$(field "$back" 3)" -eq 0 ]

	# a child's switch is its own
	check "[$DRV] child ib1.8001" ip -n b link add link ib1 name ib1.8001 type ipoib pkey 0x8001
	check "[$DRV] ethtool -C ib1.8001 adaptive-rx on" in_ns b ethtool -C ib1.8001 adaptive-rx on
	check "[$DRV] the child's is on, the parent's still off" child_own
	check "[$DRV] child deleted while adaptive" ip -n b link del ib1.8001

	# connected mode: its receives complete on the same CQ
	check "[$DRV] connected mode both sides" both_connected
	check "[$DRV] ping in connected mode" wait_secs 20 in_ns a ping -c 1 -W 1 $B4
	check "[$DRV] ib1 is in connected mode" b_connected
	if cbase=$(measure); then pass "[$DRV] connected, off: $cbase"; else fail "[$DRV] flood: $cbase"; fi
	check "[$DRV] ethtool -C ib1 adaptive-rx on (connected)" in_ns b ethtool -C ib1 adaptive-rx on
	if cmod=$(measure); then pass "[$DRV] connected, adaptive: $cmod"; else fail "[$DRV] flood: $cmod"; fi
	check "[$DRV] connected: events per completion at most 3/4 ($(field "$cbase" 4) -> $(field "$cmod" 4) per 1000)" \
		[ $(($(field "$cmod" 4) * 4)) -le $(($(field "$cbase" 4) * 3)) ]
	check "[$DRV] connected: the CQ was moderated ($(field "$cmod" 3) events)" [ "$(field "$cmod" 3)" -gt 0 ]
	# down and up while adaptive (the dim work is cancelled on stop), then unload with it on
	check "[$DRV] ib1 down and up while adaptive" down_up
	check "[$DRV] ping after the restart" wait_secs 30 in_ns a ping -c 1 -W 1 $B4
	ip netns del a
	ip netns del b
	check "[$DRV] ib_ipoib unloads" ipoib_unload
}

require "softib loads" load_fabric
run_stock
[ "$IPOIB_DRIVER" = stock ] || run_ours
dgram_finish
