#!/bin/sh
# timeout: 200
# ethtool on IPoIB interfaces, command by command, as the in-tree
# ib_ipoib answers (reference note b4): -i (driver ib_ipoib, the kernel
# release as version, the HCA's firmware, its parent device softib.N as
# bus-info), link settings without and with carrier (4X QDR: 40000Mb/s,
# full duplex, port Other, PHYAD 255; a never-opened interface still has
# the carrier it was allocated with), -c/-C rx-usecs/rx-frames with the
# 0xffff limits (EINVAL) and the fields the core refuses (EOPNOTSUPP;
# adaptive-rx, which ours has, by design apart: ethtool_dim), -S
# (the 8 in-tree counters in order, equal to sysfs statistics), -k/-K
# (GRO/GSO toggles, fixed features refused), the commands the in-tree
# driver does not implement (their errno), and all of it again on P_Key
# children (rtnl and sysfs, and one without carrier). The scenario runs
# under stock and then under the driver under test; the transcripts must
# be equal. Driver under test: ours, or stock with ipoib_test_driver=stock.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh
. /vmtest/lib-child.sh
. /vmtest/lib-cm.sh
. /vmtest/lib-ethtool.sh

# every_query DEV [cm]: the read-only commands, recorded whole; in
# connected mode (cm) the TX checksum lines apart, as ours offers them there
# (cm_csum; Documentation/ipoib.md, Differences).
every_query() {
	x "~driver: ib_ipoib" ethtool -i $1
	# the sysfs device link: a parent's is its HCA's bus device, a child has none
	x - "if [ -e $N/$1/device ]; then readlink -f $N/$1/device; else echo none; fi"
	x - ethtool $1
	x - "ethtool -c $1 | grep -v '^Adaptive RX:'"
	xd "~Adaptive RX: n/a" "~Adaptive RX: off" ethtool -c $1
	x - intree_stat_names $1
	xd "!~tx_queue_0_packets" "~tx_queue_0_packets" stat_names $1
	x 0 stats_agree $1
	if [ "$2" = cm ]; then
		x - "ethtool -k $1 | grep -vE '^(tx-checksumming|.tx-checksum-ipv4|.tx-checksum-ipv6):'"
		xd "~tx-checksumming: off" "~tx-checksumming: on" ethtool -k $1
	else
		x - ethtool -k $1
	fi
}

scenario() {
	# drvinfo: the fields one by one, then the whole output
	x "~bus-info: softib.0" ethtool -i ib0
	x "~firmware-version: softib 1.0" ethtool -i ib0
	x "~version: $(uname -r)" ethtool -i ib0
	x "~supports-statistics: yes" ethtool -i ib0
	x "=softib.1" "ethtool -i ib1 | sed -n 's/^bus-info: //p'"
	# never opened: in-tree leaves the carrier as the core allocated it
	# (on) until the first open, so the port's speed shows; link: no
	x "~Speed: 40000Mb/s" ethtool ib0
	x "~Link detected: no" ethtool ib0
	every_query ib0
	# up, then down: no carrier, so speed and duplex unknown
	x 0 ip link set ib0 up
	x 0 wait_until 30 carrier0 ib0
	x 0 ip link set ib0 down
	x "~Speed: Unknown!" ethtool ib0
	x "~Duplex: Unknown! (255)" ethtool ib0
	x "~Port: Twisted Pair" ethtool ib0
	every_query ib0
	x 0 ip link set ib0 up
	x 0 wait_until 30 carrier0 ib0
	x "~Speed: 40000Mb/s" ethtool ib0
	x "~Duplex: Full" ethtool ib0
	x "~Port: Other" ethtool ib0
	x "~PHYAD: 255" ethtool ib0
	x "~Auto-negotiation: on" ethtool ib0
	x "~Link detected: yes" ethtool ib0
	every_query ib0

	# -c / -C: rx-usecs and rx-frames only, each at most 0xffff (EINVAL);
	# the core refuses the other fields (EINVAL with its own message)
	x "=rx-usecs: 0
rx-frames: 0" coal ib0
	x 0 ethtool -C ib0 rx-usecs 10 rx-frames 16
	x "=rx-usecs: 10
rx-frames: 16" coal ib0
	x 0 ethtool -C ib0 rx-usecs 65535 rx-frames 65535
	x "=rx-usecs: 65535
rx-frames: 65535" coal ib0
	x "E:Invalid argument" ethtool -C ib0 rx-usecs 65536
	x "E:Invalid argument" ethtool -C ib0 rx-frames 65536
	x "E:Invalid argument" ethtool -C ib0 rx-usecs 1 rx-frames 4294967295
	x "=rx-usecs: 65535
rx-frames: 65535" coal ib0
	x "E:cannot modify an unsupported parameter" ethtool -C ib0 tx-usecs 5
	x "E:cannot modify an unsupported parameter" ethtool -C ib0 tx-frames 5
	# adaptive-rx: ours only (ethtool_dim)
	xd "E:cannot modify an unsupported parameter" 0 ethtool -C ib0 adaptive-rx on
	xd "E:cannot modify an unsupported parameter" 0 ethtool -C ib0 adaptive-rx off
	x "E:cannot modify an unsupported parameter" ethtool -C ib0 rx-usecs-irq 5
	x - ethtool -C ib0 rx-usecs 65535
	x 0 ethtool -C ib0 rx-usecs 0 rx-frames 0
	x - "ethtool -c ib0 | grep -v '^Adaptive RX:'"

	# -S: the in-tree counters, in order, after some traffic
	x "=rx_packets
tx_packets
rx_bytes
tx_bytes
tx_errors
rx_dropped
tx_dropped
multicast" intree_stat_names ib0
	x 0 ip addr add 10.11.0.1/24 dev ib0
	x 0 "ping -c 3 -i 0.2 -W 1 -b 10.11.0.255 >/dev/null 2>&1; true"
	x 0 stats_agree ib0
	x 0 '[ "$(stat_of ib0 tx_packets)" -ge 3 ]'
	x "E:no stats available" ethtool --phy-statistics ib0

	# -k / -K: the core's features path with the driver's rules
	x - ethtool -k ib0
	x 0 ethtool -K ib0 gro off
	x "~generic-receive-offload: off" ethtool -k ib0
	x 0 ethtool -K ib0 gro on
	x 0 ethtool -K ib0 gso off
	x "~generic-segmentation-offload: off" ethtool -k ib0
	x 0 ethtool -K ib0 gso on
	x - ethtool -K ib0 sg off
	x - ethtool -K ib0 tx on
	x - ethtool -K ib0 rx on
	x - ethtool -K ib0 tso on
	x - ethtool -K ib0 lro on
	x - ethtool -K ib0 rxvlan on
	x - ethtool -k ib0

	# what the in-tree driver does not implement; ours has rings and
	# channels (ethtool_queues tests them)
	xd "E:Operation not supported" "~Pre-set maximums:" ethtool -g ib0
	xd "E:Operation not supported" "E:Invalid argument" ethtool -G ib0 rx 1
	xd "E:Operation not supported" "~Pre-set maximums:" ethtool -l ib0
	xd "E:Operation not supported" "E:Invalid argument" ethtool -L ib0 combined 2
	x - ethtool -a ib0
	x - ethtool -A ib0 rx on
	x - ethtool -s ib0 speed 10000
	x - ethtool -r ib0
	x - ethtool -T ib0
	x - ethtool --show-priv-flags ib0
	x - ethtool -d ib0
	x - ethtool -e ib0
	x - ethtool -t ib0
	x - "ethtool -P ib0 | sed -E 's/(: [0-9a-f]{2})(:[0-9a-f]{2}){3}/\\1:QQ:QQ:QQ/'"
	x - ethtool -x ib0
	x - ethtool --show-eee ib0
	x - ethtool --show-fec ib0
	x - ethtool -m ib0

	# P_Key children: an rtnl child, a sysfs child, one without its P_Key
	x 0 ip link add link ib0 name ib0.8001 type ipoib pkey 0x8001
	x "~bus-info: softib.0" ethtool -i ib0.8001
	x "~Speed: 40000Mb/s" ethtool ib0.8001
	every_query ib0.8001
	x 0 ip link set ib0.8001 up
	x 0 wait_until 30 carrier0 ib0.8001
	x "~Speed: 40000Mb/s" ethtool ib0.8001
	every_query ib0.8001
	x 0 ethtool -C ib0.8001 rx-usecs 7 rx-frames 3
	x "=rx-usecs: 7
rx-frames: 3" coal ib0.8001
	x "=rx-usecs: 0
rx-frames: 0" coal ib0
	x "E:Invalid argument" ethtool -C ib0.8001 rx-frames 70000
	x 0 wr 0x8002 $N/ib0/create_child
	x 0 ip link set ib0.8002 up
	x 0 wait_until 30 carrier0 ib0.8002
	every_query ib0.8002
	# 0x8003 is not in the port's P_Key table: up, never any carrier
	x 0 ip link add link ib0 name ib0.8003 type ipoib pkey 0x8003
	x 0 ip link set ib0.8003 up
	x "~Speed: Unknown!" ethtool ib0.8003
	every_query ib0.8003
	# connected mode: the same answers, offloads as cm_mode checks them
	x 0 wr connected $N/ib0.8002/mode
	x "~Speed: 40000Mb/s" ethtool ib0.8002
	every_query ib0.8002 cm
	x 0 ip link del ib0.8001
	x 0 ip link del ib0.8003
	x 0 wr 0x8002 $N/ib0/delete_child
	x 0 wait_until 10 netdev_gone ib0.8002
	x 0 ip addr flush dev ib0
	x 0 ip link set ib0 down
	x "~Speed: Unknown!" ethtool ib0
}

require "softib loads" load_fabric
modprobe ib_cm
two_pass scenario
dgram_finish
