#!/bin/sh
# timeout: 300
# The stock Debian ib_ipoib over softib in datagram mode: carrier, IPv4 and
# IPv6 ping both ways, fragmented 60000-byte pings, a 20 s TCP stream,
# multicast groups in ipoib's debugfs, fabric counters, and unloading the
# fabric under a live ipoib.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh

check "softib + stock ib_ipoib load" fabric_load
check "ib0/ib1 into netns a/b, up" fabric_netns
check "carrier on ib0 (broadcast join via the SA)" wait_until 30 carrier a ib0
check "carrier on ib1" wait_until 30 carrier b ib1
check "datagram mode" [ "$(in_ns a cat /sys/class/net/ib0/mode)" = datagram ]
check "IPv4 ping a -> b" ping_a_b
check "IPv4 ping b -> a" ping_b_a
check "IPv6 ping a -> b" ping6_a_b
check "IPv6 ping b -> a" ping6_b_a
check "ping -s 60000 (IP fragmentation) a -> b" ping_a_b -s 60000
check "ping -s 60000 b -> a" ping_b_a -s 60000
check "ib0_mcg lists the IPv4 broadcast group" grep -q 'GID: ff12:401b:ffff:0:0:0:ffff:ffff' $IPOIB_DBG/ib0_mcg
check "ib0_mcg lists an IPv6 group" grep -q 'GID: ff12:601b:ffff:0:0:0:0:1' $IPOIB_DBG/ib0_mcg
check "ib0_path has ib1's GID" grep -q 'GID: fe80:0:0:0:2:c9ff:fe50:201' $IPOIB_DBG/ib0_path
check_iperf "iperf3 TCP 20 s a -> b, datagram" 20
check "fabric counted received packets on sib1" counter_positive sib1 1 rx_packets
check "fabric counted SA requests" counter_positive sib0 1 sa_requests
check "no Q_Key or P_Key violations on sib1's port" [ "$(sib_counter sib1 1 drop_qkey)" -eq 0 -a "$(sib_counter sib1 1 drop_pkey)" -eq 0 ]
cat $SIB_DBG/sib1/port1/counters
# Unload with traffic in flight: destroy_qp must quiesce the wire first.
in_ns a ping -f -s 1400 -w 15 $B4 >/dev/null 2>&1 &
fpid=$!
sleep 3
check "fabric unload under live ipoib and a ping flood" rmmod softib
wait $fpid
netdevs_gone() { ! ip -n a link show ib0 >/dev/null 2>&1 && ! ip -n b link show ib1 >/dev/null 2>&1; }
check "ipoib netdevs gone" netdevs_gone
check "stock ipoib unloads" rmmod ib_ipoib
finish
