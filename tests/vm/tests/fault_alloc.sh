#!/bin/sh
# timeout: 600
# Every allocation of ours fails in turn, and every failure unwinds.
#
# Debian's kernels have no fault injection (CONFIG_FAULT_INJECTION is
# off), so our driver has its own knob: the test-only module parameter
# fail_nth (Documentation/testing.md, "Allocation failures"). Written with
# n, the nth allocation the driver makes from then on fails, once; it
# reads back the allocations still to go (0: the failure happened). For
# each operation below, n = 1, 2, 3, ... : arm n, run the operation,
# disarm. If the failure happened, the operation must have failed cleanly
# or carried on without what failed, and the system must be as it was:
# a retry without the injection works. The walk ends when an operation
# succeeds with the count not reached, i.e. it makes fewer than n
# allocations (each walk is bounded at 300).
#   sysfs child   echo 0x8001 > create_child, then up
#   rtnl child    ip link add ... type ipoib pkey 0x8002, then up
#   open          ip link set ib0 up (after down)
#   mode          echo connected > mode, ping the peer (connected mode
#                 too): a new RC connection each time
#   rings         ethtool -G ib0 rx 512 tx 256 (up, reached through a
#                 rebuild of the datapath): ping works afterwards
#   queues        ethtool -L ib0 tx <default>, from 1
#   neighbour     one ping after ib0 went down and up (path, neighbour
#                 and address handle made in the transmit path, atomic
#                 context)
#   port add      modprobe softib with ib_ipoib loaded (our client's add
#                 for each port: interface, rings, QPs)
#   module load   modprobe ib_ipoib fail_nth=n (the count starts at load)
# At the end: the verbs objects with the driver unloaded are those of the
# fabric alone, no kmalloc cache grew by 32 objects or more over the
# walks, and the harness fails the test on any kernel-log splat.
# The in-tree driver has no such knob: ours only.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh
. /vmtest/lib-child.sh

[ "$IPOIB_DRIVER" = ours ] || skip "fail_nth is a parameter of ours; the in-tree driver has none"

P=/sys/module/ib_ipoib/parameters/fail_nth
MAXN=300
arm() { echo "$1" >$P; }
left() { cat $P; }
disarm() { echo 0 >$P; }

carrier() { if [ -z "$1" ]; then ip -o link show "$2"; else ip -n "$1" -o link show "$2"; fi 2>/dev/null | grep -q LOWER_UP; }
setup() {
	ip netns add b 2>/dev/null
	wait_until 10 netdev_exists ib1 && ip -n b link set lo up &&
		ip link set ib1 netns b &&
		ip addr add $A4/24 dev ib0 && ip -n b addr add $B4/24 dev ib1 &&
		ip link set ib0 up && ip -n b link set ib1 up &&
		wait_until 30 carrier "" ib0 && wait_until 30 carrier b ib1 &&
		ping -c 2 -W 3 $B4
}
pings() { wait_until 20 ping -c 1 -W 1 $B4; }

# walk NAME OP RESTORE [PRE]: PRE (disarmed) sets the stage, OP runs
# armed; RESTORE (disarmed) puts things back and must succeed; each
# step's failures are logged with n.
walk() {
	_name=$1 _op=$2 _restore=$3 _pre=${4:-true} _k=1 _fired=0 _bad=0
	while [ $_k -le $MAXN ]; do
		$_pre >/tmp/pre.out 2>&1 || { echo "# $_name: n=$_k: setting the stage failed: $(tail -n 3 /tmp/pre.out | tr '\n' ' ')"; return 1; }
		arm $_k
		$_op >/tmp/op.out 2>&1
		_rc=$?
		_left=$(left)
		disarm
		[ "$_left" -eq 0 ] && _fired=$((_fired + 1))
		if ! $_restore >/tmp/restore.out 2>&1; then
			echo "# $_name: n=$_k (op exit $_rc, left $_left): not restored: $(tail -n 3 /tmp/restore.out | tr '\n' ' ')"
			_bad=$((_bad + 1))
			[ $_bad -ge 3 ] && return 1
		fi
		if [ "$_left" -gt 0 ]; then
			[ $_rc -eq 0 ] || { echo "# $_name: failed with nothing injected: $(tail -n 3 /tmp/op.out | tr '\n' ' ')"; return 1; }
			echo "$_name: $((_k - 1)) allocations, each failed once ($_fired injected)" >>/tmp/walks
			[ $_bad -eq 0 ]
			return
		fi
		_k=$((_k + 1))
	done
	echo "# $_name: more than $MAXN allocations"
	return 1
}

# Operations and their restores.
op_sysfs() { echo 0x8001 >$N/ib0/create_child && ip link set ib0.8001 up; }
re_sysfs() {
	if netdev_exists ib0.8001; then echo 0x8001 >$N/ib0/delete_child || return 1; fi
	wait_until 10 netdev_gone ib0.8001 && echo 0x8001 >$N/ib0/create_child && ip link set ib0.8001 up &&
		echo 0x8001 >$N/ib0/delete_child && wait_until 10 netdev_gone ib0.8001 && pings
}
op_rtnl() { ip link add link ib0 name ib0.8002 type ipoib pkey 0x8002 && ip link set ib0.8002 up; }
re_rtnl() {
	if netdev_exists ib0.8002; then ip link del ib0.8002 || return 1; fi
	op_rtnl && ip link del ib0.8002 && pings
}
op_open() { ip link set ib0 up; }
re_open() { ip link set ib0 up && wait_until 30 carrier "" ib0 && pings; }
pre_open() { ip link set ib0 down; }
op_mode() { echo connected >$N/ib0/mode && ping -c 1 -W 2 $B4; }
re_mode() { echo datagram >$N/ib0/mode && ip link set ib0 mtu "$mtu0" && pings; }
op_rings() { ethtool -G ib0 rx 512 tx 256; }
re_rings() { ethtool -G ib0 rx "$rx0" tx "$tx0" && pings; }
pre_queues() { ethtool -L ib0 tx 1; }
op_queues() { ethtool -L ib0 tx "$txq"; }
re_queues() { ethtool -L ib0 tx "$txq" && pings; }
op_neigh() { ping -c 1 -W 2 $B4; }
# down and up empties ours of paths and neighbours, so the next ping makes them
bounce() { ip link set ib0 down && ip link set ib0 up && wait_until 30 carrier "" ib0; }
re_neigh() { bounce && pings && bounce; }
op_port() { load_fabric; }
re_port() {
	ip netns del b 2>/dev/null
	modprobe -r softib && load_fabric && wait_until 20 netdev_exists ib0 && wait_until 20 netdev_exists ib1 && setup
}
pre_port() { ip netns del b 2>/dev/null; modprobe -r softib; }
op_load() { load_our_ipoib fail_nth=$_k; }
re_load() {
	ip netns del b 2>/dev/null
	rmmod ib_ipoib 2>/dev/null
	load_our_ipoib && wait_until 20 netdev_exists ib0 && wait_until 20 netdev_exists ib1 && setup
}

require "softib loads" load_fabric
res_fabric=$(rdma_res_counts)
require "ib_ipoib (ours) loads" ipoib_load_wait
require "ib0 (initial netns) and ib1 (netns b) up, ping" setup
txq=$(ethtool -l ib0 | awk '/^Current/ { c = 1 } c && /^TX:/ { print $2; exit }')
rx0=$(ethtool -g ib0 | awk '/^Current/ { c = 1 } c && /^RX:/ { print $2; exit }')
tx0=$(ethtool -g ib0 | awk '/^Current/ { c = 1 } c && /^TX:/ { print $2; exit }')
mtu0=$(cat $N/ib0/mtu)
log "TX queues $txq, rings rx $rx0 tx $tx0, MTU $mtu0"
settle
kmallocs >/tmp/km0
slab0=$(meminfo Slab)
t0=$(date +%s)

check "sysfs child: every allocation fails once, cleanly" walk "sysfs child" op_sysfs re_sysfs
check "rtnl child: every allocation fails once, cleanly" walk "rtnl child" op_rtnl re_rtnl
check "ip link set up: every allocation fails once, cleanly" walk "open" op_open re_open pre_open
# the peer in connected mode too: each switch of ib0 makes an RC connection to it
b_mode() { ip netns exec b sh -c "echo $1 >$N/ib1/mode" && ip -n b link set ib1 mtu "$2"; }
check "ib1 in connected mode" b_mode connected 65520
check "connected mode: every allocation fails once, cleanly" walk "mode" op_mode re_mode
check "ib1 back in datagram mode" b_mode datagram "$mtu0"
check "ethtool -G: every allocation fails once, cleanly" walk "rings" op_rings re_rings
check "ethtool -L (1 to the default): every allocation fails once, cleanly" walk "queues" op_queues re_queues pre_queues
bounce
check "neighbour and path on transmit: every allocation fails once, cleanly" walk "neighbour" op_neigh re_neigh
check "port add (modprobe softib): every allocation fails once, cleanly" walk "port add" op_port re_port pre_port
# module load: the count is the parameter given at load, so arm nothing here
op_load_from_none() { ip netns del b 2>/dev/null; rmmod ib_ipoib && op_load; }
walk_load() {
	_k=1 _bad=0
	while [ $_k -le $MAXN ]; do
		op_load_from_none >/tmp/op.out 2>&1
		_rc=$?
		_left=$(cat $P 2>/dev/null || echo 0)
		[ -e $P ] && disarm
		if ! re_load >/tmp/restore.out 2>&1; then
			echo "# module load: n=$_k (exit $_rc): not restored: $(tail -n 3 /tmp/restore.out | tr '\n' ' ')"
			return 1
		fi
		if [ $_rc -eq 0 ] && [ "$_left" -gt 0 ]; then
			# Loaded with the count not reached: the module loaded with
			# fewer than n allocations, the ports' bring-up included
			# (they are added inside module init).
			echo "module load: $((_k - 1)) allocations, each failed once" >>/tmp/walks
			return 0
		fi
		_k=$((_k + 1))
	done
	echo "# module load: more than $MAXN allocations"
	return 1
}
check "modprobe ib_ipoib fail_nth=n: every allocation fails once, cleanly" walk_load
log "walks: $(($(date +%s) - t0)) s"
sed 's/^/walk: /' /tmp/walks

check "ib0 and ib1 ping at the end" pings
settle
kmallocs >/tmp/km1
log "Slab ${slab0} -> $(meminfo Slab) kB over the walks"
kmdiff /tmp/km0 /tmp/km1 >/tmp/kmd
log "kmalloc caches, active objects gained: $(head -n 6 /tmp/kmd | tr '\n' ' ')"
check "no kmalloc cache gained 32 or more objects over the walks" \
	awk '$1 >= 32 { bad = 1 } END { exit bad }' /tmp/kmd
ip netns del b
check "ib_ipoib unloads" rmmod ib_ipoib
check "no InfiniBand netdev left" no_ib_netdevs
check "verbs objects are the fabric's alone (rdma res)" same "$(rdma_res_counts)" "$res_fabric"
fabric_clean
dgram_finish
