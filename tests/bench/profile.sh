#!/bin/sh
# timeout: 900
# make bench profile (tests/bench/run --profile): where each driver's
# per-packet cost goes, instruction-counted like the first boot. For the
# in-tree ib_ipoib and for ours in turn: softib with peers=1, ib0 in
# netns a, a static neighbour 10.12.0.1 -> softib's virtual peer 0 (its
# wire sinks what is sent to it, so no receive work is measured), then
# udpspray sends 64-byte UDP datagrams to it for bench_secs under
# `perf record -a` (cpu-clock: under instruction counting, one sample per
# so many emulated instructions). Prints, per driver, the packets/s that
# reached the sink and perf's flat profile by symbol (shares of all
# samples, 0.03% and up); the per-packet events of a second such run
# (perf stat: NAPI polls, softirqs, softib's work items, context
# switches); the same profile for ping -f ib0 -> ib1 (bench_pings
# pings: both drivers' receive and transmit paths); and an iperf3 64-byte
# UDP run ib0 -> ib1 as in bench.sh with the counters that say where its
# loss went (softib's drop_no_rwqe, the interfaces' drops, UDP's
# RcvbufErrors); last, the profile of iperf3 TCP (1 stream) in connected
# mode. A tool for finding cost, not a ratio of the bench tables
# (Documentation/design.md, "Where the transmit path's instructions
# went").
#
# Kernel command line knobs (tests/bench/run sets them):
#   bench_secs=S   length of each profiled run (10)
#   bench_pings=N  pings in the profiled ping -f (5000)
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh

SECS=$(cmdline_knob bench_secs 10)
PINGS=$(cmdline_knob bench_pings 5000)
PEERS=$SIB_DBG/peers
command -v perf >/dev/null || { echo "no perf in the VM image (tests/vm/mkroot.sh with VMTEST_PERF=1)"; exit 1; }
echo 0 >/proc/sys/kernel/kptr_restrict
echo -1 >/proc/sys/kernel/perf_event_paranoid
load_fabric peers=1 || { echo "softib does not load with peers=1"; exit 1; }
peers_stat() { awk -v k="$1" '$1 == k { print $2 }' $PEERS; }
ipoib_gone() { rmmod ib_ipoib 2>/dev/null; [ ! -d /sys/module/ib_ipoib ]; }

# The fabric's UD drops for an empty receive queue, over every port.
no_rwqe() { cat $SIB_DBG/*/port*/counters | awk '$1 == "drop_no_rwqe" { n += $2 } END { print n + 0 }'; }
# udp_snmp NS FIELD: the Udp: counter FIELD of netns NS.
udp_snmp() { in_ns $1 cat /proc/net/snmp | awk -v f=$2 '$1 == "Udp:" && !h { for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next } $1 == "Udp:" { print $c[f] }'; }
# link_stat NS DEV: "rx_dropped tx_dropped" of DEV.
link_stat() { in_ns $1 ip -s link show $2 | awk '/RX:/ { getline; rd = $4 } /TX:/ { getline; td = $4 } END { print rd, td }'; }
# udp_loss DRIVER: iperf3 UDP 64 B unlimited ib0 -> ib1 as in bench.sh, and where its loss went.
udp_loss() {
	r0=$(no_rwqe) e0=$(udp_snmp b RcvbufErrors) i0=$(udp_snmp b InErrors) s0=$(udp_snmp a SndbufErrors) l0=$(link_stat b ib1) t0=$(link_stat a ib0)
	in_ns b timeout 40 iperf3 -s -1 >/tmp/udp-s.log 2>&1 &
	sleep 1
	in_ns a timeout 35 iperf3 -c $B4 -t $SECS -u -l 64 -b 0 >/tmp/udp-$1.log 2>&1
	wait
	r1=$(no_rwqe) e1=$(udp_snmp b RcvbufErrors) i1=$(udp_snmp b InErrors) s1=$(udp_snmp a SndbufErrors) l1=$(link_stat b ib1) t1=$(link_stat a ib0)
	echo "--- $1: UDP 64 B: $(grep receiver /tmp/udp-$1.log | tail -n 1)"
	echo "    fabric drop_no_rwqe +$((r1 - r0)), netns b Udp RcvbufErrors +$((e1 - e0)) InErrors +$((i1 - i0)), netns a SndbufErrors +$((s1 - s0))"
	echo "    ib1 rx_dropped/tx_dropped $l0 -> $l1, ib0 $t0 -> $t1"
}

# cm_profile DRIVER: connected mode (MTU 65520) on both, then iperf3 TCP
# 1 stream ib0 -> ib1 under perf record.
cm_profile() {
	in_ns a sh -c "echo connected > /sys/class/net/ib0/mode" && in_ns b sh -c "echo connected > /sys/class/net/ib1/mode" &&
		wait_secs 20 in_ns a ping -c 1 -W 1 $B4 || { echo "$1: connected mode failed"; return 1; }
	in_ns b timeout 60 iperf3 -s -1 >/tmp/cm-s.log 2>&1 &
	sleep 1
	perf record -q -a -F 2000 -o /tmp/perf-$1-cm.data -- ip netns exec a timeout 50 iperf3 -c $B4 -t $SECS -f m >/tmp/cm-$1.log 2>&1
	wait
	echo "=== $1: connected TCP 1 stream: $(grep receiver /tmp/cm-$1.log | tail -n 1) ==="
	report /tmp/perf-$1-cm.data
}

# report FILE: perf's flat profile by symbol (self time).
report() {
	echo "--- self"
	perf report -i $1 --stdio --no-children --sort sym -g none --percent-limit 0.03 2>/dev/null | grep -v '^#' | grep -v '^$'
}

failed=0
for d in stock ours; do
	if [ $d = stock ]; then load_stock_ipoib; else load_our_ipoib; fi || { echo "$d: load failed"; failed=1; continue; }
	if ! { wait_until 20 netdev_exists ib0 && wait_until 5 netdev_exists ib1 && fabric_netns &&
		wait_until 30 carrier a ib0 && wait_until 30 carrier b ib1 &&
		wait_secs 20 in_ns a ping -c 1 -W 1 $B4 &&
		ip -n a route add 10.12.0.0/16 dev ib0 &&
		ip -n a neigh add 10.12.0.1 lladdr 00:00:01:00:fe:80:00:00:00:00:00:00:00:02:c9:ff:fe:60:00:00 dev ib0 nud permanent &&
		in_ns a udpspray -1 10.12.0.1 1 >/dev/null && wait_until 20 sh -c "[ \$(awk '\$1 == \"peers_hit\" { print \$2 }' $PEERS) -ge 1 ]"; }; then
		echo "$d: bring-up failed"
		failed=1
	else
		s0=$(peers_stat sink_packets)
		perf record -q -a -F 2000 -o /tmp/perf-$d.data -- ip netns exec a udpspray 10.12.0.1 1 $SECS >/tmp/spray-$d.log 2>/tmp/perf-$d.err
		s1=$(peers_stat sink_packets)
		echo "=== $d: $(awk -v d=$((s1 - s0)) '{ printf "%.0f pkt/s to the sink (sent %s)", d / $6, $8 }' /tmp/spray-$d.log) ==="
		report /tmp/perf-$d.data
		echo "--- events"
		perf stat -a -x, -e napi:napi_poll,net:net_dev_xmit,irq:softirq_entry,irq:softirq_raise,workqueue:workqueue_queue_work,workqueue:workqueue_execute_start,sched:sched_switch,irq:irq_handler_entry \
			-- ip netns exec a udpspray 10.12.0.1 1 $SECS 2>&1 >/tmp/spray2-$d.log | awk -F, '{ print $1, $3 }'
		cat /tmp/spray2-$d.log
		# Round trips: both drivers' receive and transmit paths, ib0 <-> ib1.
		perf record -q -a -F 2000 -o /tmp/perf-$d-ping.data -- ip netns exec a ping -q -f -c $PINGS $B4 >/tmp/ping-$d.log 2>&1
		echo "=== $d: ping -f ib0 -> ib1: $(grep '^rtt' /tmp/ping-$d.log) ==="
		report /tmp/perf-$d-ping.data
	fi
	[ $failed -eq 0 ] && udp_loss $d && cm_profile $d
	ip netns del a 2>/dev/null
	ip netns del b 2>/dev/null
	wait_until 60 ipoib_gone || { echo "ib_ipoib does not unload"; failed=1; break; }
done
exit $failed
