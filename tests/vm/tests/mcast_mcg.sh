#!/bin/sh
# timeout: 240
# debugfs <if>_mcg, compared with the in-tree file byte for byte (only the
# digits of "created", raw jiffies, are masked). ib0 in netns a, ib1 in b
# (lib-fabric's addresses). The file is empty while the interface is down;
# once up it lists the broadcast group and one group per multicast-list
# address (IPv4 all-hosts, IPv6 all-nodes and solicited-node) plus the
# send-only groups of the IGMP/MLD reports and router solicitations,
# sorted by MGID. Then: ip maddr add, which iproute2 refuses for 20-byte
# addresses (SIOCADDMULTI holds 14), so a group added and removed with
# ip addr ... autojoin; a socket listener joining 239.1.1.1 on ib0
# (mcudp, IP_ADD_MEMBERSHIP), 3 UDP datagrams from b delivered to it,
# the sender's send-only group in ib1_mcg, the listener leaving. A P_Key
# child (ip link add) gets its own file, renamed and removed with it. The
# neighbour GC period is raised for the test, so that no idle send-only
# group is reaped at a different moment under each driver.
# Driver under test: ours, or stock with ipoib_test_driver=stock.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh
. /vmtest/lib-child.sh
. /vmtest/lib-mcast.sh

G1=239.1.1.1
G2=239.1.1.2

# settled NS IF: mcg_settled, then 4 s for the reports that follow a change.
settled() { wait_until 20 mcg_settled "$1" "$2" && sleep 4; }

scenario() {
	x - mcg_files
	x "=" mcg ib0
	x 0 dgram_netns
	x 0 wait_until 30 carrier a ib0
	x 0 wait_until 30 carrier b ib1
	x 0 settled a ib0
	x 0 settled b ib1
	x - mcg ib0
	x - ip -n a maddr show dev ib0

	# a link-layer group: iproute2 cannot; an IP group with autojoin
	x "E:Invalid address length" ip -n a maddr add "$(lladdr4 $G2)" dev ib0
	x 0 ip -n a addr add $G2/32 dev ib0 autojoin
	x 0 wait_until 20 mcg_has ib0 "$(mgid4 $G2)" yes
	x 0 settled a ib0
	x - mcg ib0
	x 0 ip -n a addr del $G2/32 dev ib0
	x 0 wait_until 20 mcg_lacks ib0 "$(mgid4 $G2)"
	x 0 settled a ib0
	x - mcg ib0

	# a listener on a, a sender on b (send-only there)
	mc_listen a $G1 ib0 30 3
	x 0 joined a
	x 0 wait_until 20 mcg_has ib0 "$(mgid4 $G1)" yes
	x 0 settled a ib0
	x - mcg ib0
	x "=sent 3" mc_send b $G1 ib1 3
	mc_listen_wait
	x "=received 3" mc_result a
	x 0 wait_until 10 mcg_sendonly ib1 "$(mgid4 $G1)" yes
	x - mcg ib1
	x 0 wait_until 20 mcg_lacks ib0 "$(mgid4 $G1)"
	x 0 settled a ib0
	x - mcg ib0

	# a P_Key child: its own file, renamed and removed with it
	x 0 ip -n a link add link ib0 name ib0.8001 type ipoib pkey 0x8001
	x - mcg_files
	x "=" mcg ib0.8001
	x 0 ip -n a link set ib0.8001 up
	x 0 wait_until 30 carrier a ib0.8001
	x 0 settled a ib0.8001
	x - mcg ib0.8001
	x 0 ip -n a link set ib0.8001 down
	x "=" mcg ib0.8001
	x 0 ip -n a link set ib0.8001 name mc8001
	x - mcg_files
	x "=" mcg mc8001
	x 0 ip -n a link set mc8001 up
	x 0 wait_until 30 carrier a mc8001
	x 0 settled a mc8001
	x - mcg mc8001
	x 0 ip -n a link del mc8001
	x - mcg_files

	x 0 ip -n a link set ib0 down
	x "=" mcg ib0
	x 0 ip netns del a
	x 0 ip netns del b
}

require "softib loads" load_fabric
modprobe ib_cm
gc_interval 3600
two_pass scenario
gc_interval 30
dgram_finish
