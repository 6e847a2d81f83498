#!/bin/sh
# timeout: 600
# Control-plane fuzzing: the same seeded sequence of random requests at
# ib0 and its children, on the in-tree driver and then on ours, in one
# boot: sysfs writes (create_child, delete_child, mode, umcast, mtu with
# numbers, words and random bytes), rtnl link requests (newlink type
# ipoib with IFLA_IPOIB_* of random lengths and values, changelink,
# dellink) and ethtool ioctls (set and get: coalesce, rings, channels,
# offload toggles, features, string sets, stats) - tests/vm/tools/ctlfuzz.c.
# For each driver:
#  - every request returns within 10 s, succeeding or failing with an errno
#    a user may see (no kernel-internal code, no EFAULT);
#  - the parent survives RTM_DELLINK (both drivers ignore it and report
#    success), and every child the run made can be deleted at the end;
#  - afterwards ib0, put back in datagram mode with its MTU and addresses,
#    pings ib1 again; the module unloads, and then the verbs objects are
#    the fabric's alone. The kmalloc caches are compared with the fabric
#    alone before the driver was loaded: creating and deleting hundreds of
#    netdevs leaves the kernel itself holding a few hundred small objects
#    (in-tree: about 360 kmalloc-8, 100 kmalloc-16), so ours must gain no
#    cache 64 objects more than in-tree did in the same run;
#    the harness fails the test on any kernel-log splat.
# The errno histograms of both drivers are logged side by side (they differ
# where ours does more: ethtool -G/-L, adaptive-rx; Documentation/testing.md).
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh
. /vmtest/lib-child.sh

COUNT=${FUZZ_COUNT:-10000}
SEED=${FUZZ_SEED:-20261130}

carrier0() { ip -o link show "$1" 2>/dev/null | grep -q LOWER_UP; }
setup() {
	ip netns add b && ip -n b link set lo up && ip link set ib1 netns b &&
		ip addr add $A4/24 dev ib0 && ip -n b addr add $B4/24 dev ib1 &&
		ip link set ib0 up && ip -n b link set ib1 up &&
		wait_until 30 carrier0 ib0 && wait_until 30 carrier b ib1 && ping -c 2 -W 3 $B4
}
# back to how setup left ib0: datagram mode, its MTU, up, its address
restore() {
	echo datagram >$N/ib0/mode 2>/dev/null
	ip link set ib0 mtu "$mtu0" && ip link set ib0 up &&
		{ ip addr show dev ib0 | grep -q "inet $A4/" || ip addr add $A4/24 dev ib0; } &&
		wait_until 30 carrier0 ib0 && wait_until 20 ping -c 1 -W 1 $B4
}

only_ib0() { [ "$(ib_netdevs | tr '\n' ' ')" = "ib0 " ]; }

for drv in stock ours; do
	fabric_clean
	require "$drv: softib loads" load_fabric
	settle
	kmallocs >/tmp/km0
	res0=$(rdma_res_counts)
	require "$drv: ib_ipoib loads" ipoib_load_drv $drv
	require "$drv: ib0 (initial netns) pings ib1 (netns b)" setup
	mtu0=$(cat $N/ib0/mtu)
	# In-tree 6.1 gets no connected mode over rtnl: asked for it, it can
	# leave the rtnetlink request unlocking a mutex another task holds
	# (tests/vm/tools/ctlfuzz.c, -D; Documentation/testing.md).
	nocm=
	[ $drv = stock ] && nocm=-D
	t0=$(date +%s)
	check "$drv: $COUNT random control requests (seed $SEED), none bad" \
		sh -c "ctlfuzz -s $SEED -n $COUNT -d ib0 $nocm >/tmp/fuzz.$drv 2>&1"
	log "$drv: $(($(date +%s) - t0)) s"
	sed "s/^/$drv: /" /tmp/fuzz.$drv | grep -v '^.*: # BAD' | tail -n 4
	grep '# BAD' /tmp/fuzz.$drv | head -n 20
	check "$drv: no child left" only_ib0
	check "$drv: ib0 back in datagram mode with its MTU pings ib1" restore
	ip netns del b
	check "$drv: ib_ipoib unloads" rmmod ib_ipoib
	kmalloc_after_unload $drv
	check "$drv: verbs objects are the fabric's alone (rdma res)" same "$(rdma_res_counts)" "$res0"
done
check "ours: no kmalloc cache gained 64 or more objects beyond in-tree's gain" more_than_stock
fabric_clean
dgram_finish
