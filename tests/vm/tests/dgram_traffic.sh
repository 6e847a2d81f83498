#!/bin/sh
# timeout: 240
# Datagram mode end to end under load: 60000-byte pings (IP fragments at
# the UD MTU) both ways, 10000-packet flood pings both ways without loss,
# tcpdump on ib1 decoding the ICMP echo, a 20 s iperf3 TCP stream and a
# paced iperf3 UDP stream that must lose nothing.
# Driver under test: ours, or stock with ipoib_test_driver=stock.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh

# UDP pace: the stock driver under TCG loses 0 datagrams at 10 and 20
# Mbit/s with 2 MB socket buffers; without them the iperf3 receiver itself
# (not the driver) overflows its socket from about 20 Mbit/s up.
UDP_RATE=10M
UDP_SECS=10

require "bring-up: ib0/ib1 in netns a/b, carrier" dgram_bringup
check "ping a -> b" ping_a_b

check "ping -s 60000 (IP fragmentation) a -> b" ping_a_b -s 60000
check "ping -s 60000 b -> a" ping_b_a -s 60000

# flood NS DST: 10000 echo requests as fast as replies come back.
flood() {
	in_ns "$1" ping -f -c 10000 -w 120 -q "$2" >/tmp/flood.out 2>&1
	grep -E 'transmitted|rtt' /tmp/flood.out
	grep -q ' 10000 received, 0% packet loss' /tmp/flood.out
}
check "flood ping a -> b: 10000 sent, 10000 received" flood a $B4
grep transmitted /tmp/flood.out
check "flood ping b -> a: 10000 sent, 10000 received" flood b $A4
grep transmitted /tmp/flood.out

# tcpdump in netns b sees and decodes the echo on ib1.
tcpdump_icmp() {
	rm -f /tmp/td.out /tmp/td.err
	/usr/sbin/ip netns exec b /usr/sbin/timeout 40 /usr/sbin/tcpdump -i ib1 -n -l -e -c 4 icmp \
		>/tmp/td.out 2>/tmp/td.err &
	tpid=$!
	wait_until 20 grep -q "listening on ib1" /tmp/td.err || { cat /tmp/td.err; return 1; }
	in_ns a ping -c 2 -i 0.5 -W 3 $B4 >/dev/null
	wait $tpid
	cat /tmp/td.out /tmp/td.err
	grep -q "4 packets captured" /tmp/td.err
}
check "tcpdump -i ib1 (netns b) captures a 2-packet ping" tcpdump_icmp
cat /tmp/td.out
check "tcpdump decodes ICMP echo request 10.11.0.1 > 10.11.0.2, incoming IPv4" \
	grep -q "In ethertype IPv4 (0x0800), .*: $A4 > $B4: ICMP echo request" /tmp/td.out
check "tcpdump decodes ICMP echo reply 10.11.0.2 > 10.11.0.1, outgoing IPv4" \
	grep -q "Out ethertype IPv4 (0x0800), .*: $B4 > $A4: ICMP echo reply" /tmp/td.out

check_iperf "iperf3 TCP 20 s a -> b" 20
check "ping b -> a after the TCP stream" ping_b_a

# UDP a -> b at a fixed pace. Prints the sender's and the receiver's lines.
rmem0=$(cat /proc/sys/net/core/rmem_max)
wmem0=$(cat /proc/sys/net/core/wmem_max)
echo 4194304 >/proc/sys/net/core/rmem_max
echo 4194304 >/proc/sys/net/core/wmem_max
nrwqe0=$(sib_counter sib1 1 drop_no_rwqe)
rxd0=$(dev_stat b ib1 rx_dropped)
udp_run() {
	in_ns b timeout $((UDP_SECS + 30)) iperf3 -s -1 >/tmp/udp-s.log 2>&1 &
	spid=$!
	sleep 1
	in_ns a timeout $((UDP_SECS + 25)) iperf3 -c $B4 -u -b $UDP_RATE -l 1400 -w 2M \
		-t $UDP_SECS --connect-timeout 5000 >/tmp/udp-c.log 2>&1
	rc=$?
	wait $spid
	grep -E 'sender|receiver|error' /tmp/udp-c.log
	[ $rc -eq 0 ]
}
check "iperf3 UDP $UDP_RATE for $UDP_SECS s a -> b completes" udp_run
# "lost/total" of the sender's or the receiver's summary line
udp_field() { awk -v w="$1" '$NF == w { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\/[0-9]+$/) print $i }' /tmp/udp-c.log; }
sent=$(udp_field sender | cut -d/ -f2)
lost=$(udp_field receiver | cut -d/ -f1)
rtotal=$(udp_field receiver | cut -d/ -f2)
log "UDP $UDP_RATE: sent ${sent:-?}, receiver lost ${lost:-?} of ${rtotal:-?}; receiver UDP stats: $(in_ns b grep Udp: /proc/net/snmp | tail -n 1)"
check "UDP: 0 datagrams lost (receiver: ${lost:-?}/${rtotal:-?})" [ "${lost:-x}" = 0 -a "${rtotal:-0}" -gt 0 ]
check "UDP: receiver got >= 99% of the ${sent:-?} sent" [ $((${rtotal:-0} * 100)) -ge $((${sent:-1} * 99)) ]
check "UDP: no receive-queue overrun on sib1 (fabric drop_no_rwqe)" [ "$(sib_counter sib1 1 drop_no_rwqe)" -eq "$nrwqe0" ]
check "UDP: ib1 rx_dropped unchanged" [ "$(dev_stat b ib1 rx_dropped)" -eq "$rxd0" ]
echo $rmem0 >/proc/sys/net/core/rmem_max
echo $wmem0 >/proc/sys/net/core/wmem_max

check "ib_ipoib unloads" rmmod ib_ipoib
fabric_clean
dgram_finish
