#!/bin/sh
# timeout: 290
# Datagram mode end to end: unloading ipoib is clean and leaks nothing.
# First, 10 cycles of load / bring up / traffic / unload under a ping flood,
# against a baseline taken after one warm-up cycle (netns a and b stay, so
# their own memory is not in the figures):
#  - verbs objects (rdma res: PDs, CQs, QPs, SRQs, MRs) back to the count
#    before ipoib loaded, after every cycle;
#  - Slab (kmalloc'd driver state: netdevs, rings, neighbours, paths,
#    multicast groups, skb heads): < 512 kB growth over 10 cycles. Two
#    ipoib netdevs up take about 20 MB of slab (receive rings); with the
#    stock driver slab moved by less than 200 kB between cycles;
#  - VmallocUsed (module text, vmalloc'd rings): < 256 kB growth;
#  - free memory, per-CPU free lists included (free_kb), for page-level
#    leaks (skb data comes from page fragments, outside Slab): < 1 MB drop.
#    With the stock driver it moved by < 200 kB over 10 cycles; one leaked
#    receive ring is over 1 MB. (MemAvailable swings by ~22 MB here.)
# Then rmmod during a running iperf3 TCP stream: both netdevs leave their
# netns and every verbs object is released, promptly. The harness fails the
# test on any kernel-log splat. (This part comes last: the killed iperf3's
# orphaned socket holds megabytes until TCP gives up on it.)
# Driver under test: ours, or stock with ipoib_test_driver=stock.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh

check "softib loads" load_fabric
modprobe ib_cm
res0=$(rdma_res_counts)
log "verbs objects without ipoib: $(echo $res0)"
res_back() { same "$(rdma_res_counts)" "$res0"; }
netdevs_gone() {
	! ip -n a link show ib0 >/dev/null 2>&1 && ! ip -n b link show ib1 >/dev/null 2>&1 &&
		! netdev_exists ib0 && ! netdev_exists ib1
}

# cycle N: load, bring up, traffic, unload under a ping flood.
cycle() {
	ipoib_bringup || { echo "cycle $1: bring-up failed"; return 1; }
	in_ns a ping -c 200 -i 0.01 -W 2 -q $B4 >/dev/null || { echo "cycle $1: 200 pings a -> b lost some"; return 1; }
	ping6_a_b >/dev/null || { echo "cycle $1: IPv6 ping failed"; return 1; }
	ping_b_a -s 60000 >/dev/null || { echo "cycle $1: ping -s 60000 failed"; return 1; }
	/usr/sbin/ip netns exec a /usr/sbin/ping -f -s 1400 -w 30 $B4 >/dev/null 2>&1 &
	fpid=$!
	sleep 1
	rmmod ib_ipoib
	rc=$?
	kill $fpid 2>/dev/null
	wait $fpid
	[ $rc -eq 0 ] || { echo "cycle $1: rmmod failed"; return 1; }
	netdevs_gone || { echo "cycle $1: netdevs left"; return 1; }
	res_back || { echo "cycle $1: verbs objects left:"; rdma_res_counts; return 1; }
}
require "warm-up cycle" cycle 0
sync; echo 3 >/proc/sys/vm/drop_caches
slab0=$(meminfo Slab)
vmalloc0=$(meminfo VmallocUsed)
free0=$(free_kb)
cycles() {
	i=1
	while [ $i -le 10 ]; do
		cycle $i || return 1
		i=$((i + 1))
	done
}
check "10 cycles: load / up / ping, ping6, ping -s 60000 / rmmod under a flood" cycles
sync; echo 3 >/proc/sys/vm/drop_caches
slab1=$(meminfo Slab)
vmalloc1=$(meminfo VmallocUsed)
free1=$(free_kb)
log "Slab ${slab0} -> ${slab1} kB, VmallocUsed ${vmalloc0} -> ${vmalloc1} kB, free ${free0} -> ${free1} kB"
check "Slab grew by less than 512 kB over 10 cycles" [ $((slab1 - slab0)) -lt 512 ]
check "VmallocUsed grew by less than 256 kB" [ $((vmalloc1 - vmalloc0)) -lt 256 ]
check "free memory (with per-CPU lists) dropped by less than 1024 kB" [ $((free0 - free1)) -lt 1024 ]

# rmmod under a TCP stream
require "bring-up: ib0/ib1 in netns a/b, carrier" ipoib_bringup
/usr/sbin/ip netns exec b /usr/sbin/timeout 90 /usr/sbin/iperf3 -s -1 >/dev/null 2>&1 &
spid=$!
sleep 1
/usr/sbin/ip netns exec a /usr/sbin/timeout 80 /usr/sbin/iperf3 -c $B4 -t 60 --connect-timeout 5000 \
	>/tmp/iperf-c.log 2>&1 &
cpid=$!
rxb0=$(dev_stat b ib1 rx_bytes)
sleep 5
check "iperf3 TCP stream running (ib1 received > 1 MB in 5 s)" stat_grew b ib1 rx_bytes $rxb0 1000000
mark=$(dmesg_mark)
t=$(date +%s)
check "rmmod ib_ipoib during the stream" timeout 60 /usr/sbin/rmmod ib_ipoib
t=$(($(date +%s) - t))
log "rmmod took $t s"
check "rmmod took < 20 s" [ $t -lt 20 ]
check_fails "module gone" ipoib_loaded
check "ib0 and ib1 gone (netns a, b and initial)" netdevs_gone
check "every verbs object ipoib held released (rdma res as before load)" res_back
check_fails "no 'waiting for ... to become free' in the kernel log" sh -c "/bin/dmesg -s 16777216 | tail -n +$((mark + 1)) | grep 'to become free'"
kill $cpid $spid 2>/dev/null
wait
fabric_clean
dgram_finish
