#!/bin/sh
# timeout: 240
# rmmod ib_ipoib with 16 P_Key children on the driver under test: sysfs and
# rtnl ones, P_Keys 0x8001-0x8005 and the parent's (one not in the table),
# duplicates, datagram and connected, up and down, spread over the initial
# netns and netns a-d, with ping floods (and, in the first round, an iperf3
# TCP stream) running over them. The module must go, and no InfiniBand
# netdev may remain in any netns; every verbs object is released. Then the
# same again (the netns stay). Leak check as dgram_unload's, over the second
# round against the state after the first: Slab < 512 kB, free memory (with
# the per-CPU lists) < 1024 kB. The harness fails the test on any splat.
# Driver under test: ours, or stock with ipoib_test_driver=stock.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh
. /vmtest/lib-child.sh

NSS="a b c d"
for ns in c d; do ip netns del $ns 2>/dev/null; done

# sysfs_child NS PARENT PKEY [TO_NS]: create_child from NS, where PARENT
# is; the child goes to TO_NS (default NS; "1": the initial netns) from
# wherever it was registered (in-tree: the initial netns).
sysfs_child() {
	in_ns "$1" sh -c "echo $3 > /sys/class/net/$2/create_child" || return 1
	_c=$2.${3#0x}
	_to=${4:-$1}
	if [ "$_to" = 1 ]; then netdev_exists "$_c" && return 0; else ip -n "$_to" link show "$_c" >/dev/null 2>&1 && return 0; fi
	if netdev_exists "$_c"; then ip link set "$_c" netns "$_to"; else ip -n "$1" link set "$_c" netns "$_to"; fi
}
# rtnl NS PARENT NAME TO_NS ARGS...: ip link add in NS, moved to TO_NS.
rtnl() {
	_ns=$1 _p=$2 _c=$3 _to=$4
	shift 4
	ip -n "$_ns" link add link "$_p" name "$_c" type ipoib "$@" || return 1
	[ "$_to" = "$_ns" ] || ip -n "$_ns" link set "$_c" netns "$_to"
}
# upa NS DEV [ADDR]: up, with an address.
upa() {
	[ -z "$3" ] || ip -n "$1" addr add "$3" dev "$2" || return 1
	ip -n "$1" link set "$2" up
}

children() {
	# sysfs (5)
	sysfs_child a ib0 0x8001 && upa a ib0.8001 10.12.0.1/24 &&
		sysfs_child b ib1 0x8001 && upa b ib1.8001 10.12.0.2/24 || return 1
	sysfs_child b ib1 0x8003 1 && sysfs_child b ib1 0x8004 1 && ip link set ib1.8003 up &&
		sysfs_child a ib0 0x8005 1 || return 1
	# rtnl (11)
	rtnl a ib0 ib0.8002 c pkey 0x8002 && upa c ib0.8002 10.13.0.1/24 &&
		rtnl b ib1 ib1.8002 d pkey 0x8002 && upa d ib1.8002 10.13.0.2/24 || return 1
	rtnl a ib0 ib0.8003 a pkey 0x8003 && upa a ib0.8003 || return 1
	rtnl a ib0 r1 a pkey 0x8001 mode $CM && upa a r1 || return 1
	rtnl b ib1 r2 b pkey 0x8001 umcast 1 && upa b r2 || return 1
	rtnl a ib0 r3 c && upa c r3 || return 1
	rtnl b ib1 r4 d pkey 0x8002 && upa d r4 || return 1
	rtnl a ib0 r5 1 pkey 0x8004 && rtnl b ib1 r6 1 pkey 0x8005 mode $CM || return 1
	rtnl a ib0 r7 a pkey 0x8002 && rtnl b ib1 r8 b pkey 0x8003 && upa b r8 || return 1
}
count_children() {
	_t=0
	for _ns in "" $NSS; do _t=$((_t + $(ib_netdevs $_ns | sed 's/@.*//' | grep -vcxE 'ib[01]'))); done
	echo $_t
}
res_back() { same "$(rdma_res_counts)" "$res0"; }
gone_everywhere() { ! ipoib_loaded && no_ib_netdevs $NSS; }

# round N: load, parents, 16 children, traffic, rmmod.
round() {
	require "round $1: ib_ipoib ($IPOIB_DRIVER) loads, parents in a/b, carrier" ipoib_bringup
	for ns in c d; do [ -e /run/netns/$ns ] || { ip netns add $ns && ip -n $ns link set lo up; }; done
	require "round $1: 16 children (5 sysfs, 11 rtnl) over 5 netns" children
	nc=$(count_children)
	check "round $1: 16 children counted ($nc)" [ "$nc" = 16 ]
	for p in "a ib0.8001" "b ib1.8001" "c ib0.8002" "d ib1.8002"; do
		check "round $1: carrier on $p" wait_until 30 carrier $p
	done
	check "round $1: ping over 0x8001" in_ns a ping -c 2 -W 3 10.12.0.2
	check "round $1: ping over 0x8002" in_ns c ping -c 2 -W 3 10.13.0.2
	/usr/sbin/ip netns exec a /usr/sbin/ping -f -s 1400 -w 60 10.12.0.2 >/dev/null 2>&1 &
	f1=$!
	/usr/sbin/ip netns exec c /usr/sbin/ping -f -w 60 10.13.0.2 >/dev/null 2>&1 &
	f2=$!
	/usr/sbin/ip netns exec a /usr/sbin/ping -i 0.2 -w 60 10.11.0.2 >/dev/null 2>&1 &
	f3=$!
	spid= cpid=
	if [ $1 = 1 ]; then
		/usr/sbin/ip netns exec b /usr/sbin/timeout 90 /usr/sbin/iperf3 -s -1 >/dev/null 2>&1 &
		spid=$!
		sleep 1
		/usr/sbin/ip netns exec a /usr/sbin/timeout 80 /usr/sbin/iperf3 -c 10.12.0.2 -t 60 \
			--connect-timeout 5000 >/dev/null 2>&1 &
		cpid=$!
		rxb0=$(dev_stat b ib1.8001 rx_bytes)
		sleep 4
		check "round 1: iperf3 stream running over 0x8001 (> 1 MB in 4 s)" stat_grew b ib1.8001 rx_bytes $rxb0 1000000
	else
		sleep 3
	fi
	t=$(date +%s)
	check "round $1: rmmod ib_ipoib under traffic, 16 children" timeout 60 /usr/sbin/rmmod ib_ipoib
	log "round $1: rmmod took $(($(date +%s) - t)) s"
	check "round $1: module gone, no InfiniBand netdev in any netns" gone_everywhere
	check "round $1: every verbs object released (rdma res as before load)" res_back
	kill $f1 $f2 $f3 $cpid $spid 2>/dev/null
	{ wait; } 2>/dev/null
}
settle() { sleep 2; sync; echo 3 >/proc/sys/vm/drop_caches; }

require "softib loads" load_fabric
modprobe ib_cm
res0=$(rdma_res_counts)
round 1
settle
slab0=$(meminfo Slab)
free0=$(free_kb)
round 2
settle
slab1=$(meminfo Slab)
free1=$(free_kb)
log "round 2: Slab ${slab0} -> ${slab1} kB, free ${free0} -> ${free1} kB"
check "Slab grew by less than 512 kB over round 2" [ $((slab1 - slab0)) -lt 512 ]
check "free memory (with per-CPU lists) dropped by less than 1024 kB over round 2" [ $((free0 - free1)) -lt 1024 ]
for ns in c d; do ip netns del $ns; done
fabric_clean
dgram_finish
