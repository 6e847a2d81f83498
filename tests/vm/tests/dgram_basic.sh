#!/bin/sh
# timeout: 240
# Datagram mode end to end, the basics: one netdev per port with the IPoIB
# link-layer identity (type, 20-byte address = flags + QPN + port GID,
# broadcast address, dev_port, the HCA's bus device as parent), datagram mode,
# carrier, the UD MTU (2044, 4092 on a 4096 fabric) and its limits, IPv4 and
# IPv6 both ways, neighbours holding the peer's 20-byte address, counters,
# and moving the netdevs between network namespaces.
# Driver under test: ours, or stock with ipoib_test_driver=stock.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh

ip netns del c 2>/dev/null
BCAST=00:ff:ff:ff:ff:12:40:1b:ff:ff:00:00:00:00:00:00:ff:ff:ff:ff

require "softib + ib_ipoib under test load; ib0 and ib1 appear" dgram_load
check "exactly one IPoIB netdev per port (2)" [ "$(grep -lx 32 /sys/class/net/*/type | wc -l)" -eq 2 ]

# Link-layer identity, before the netdevs move: ibN sits on sibN port 1.
for n in 0 1; do
	d=ib$n
	S=/sys/class/net/$d
	addr=$(cat $S/address)
	check "$d type 32 (ARPHRD_INFINIBAND)" [ "$(cat $S/type)" = 32 ]
	check "$d addr_len 20" [ "$(cat $S/addr_len)" = 20 ]
	check "$d address is 20 bytes ($addr)" sh -c "echo $addr | grep -Eqx '([0-9a-f]{2}:){19}[0-9a-f]{2}'"
	check "$d address bytes 4..19 = sib$n port 1 GID[0]" \
		[ "$(echo $addr | cut -d: -f5-)" = "$(port_gid_hex sib$n)" ]
	qpn=$(printf %d 0x$(echo $addr | cut -d: -f2-4 | tr -d :))
	check "$d address bytes 1..3 = QPN $qpn, ib_ipoib's UD QP on sib$n" \
		sh -c "[ $qpn -gt 1 ] && /usr/sbin/rdma res show qp | grep -q '^link sib$n/.* lqpn $qpn type UD .*comm \[ib_ipoib\]'"
	# byte 0: flags; only 0x80 (connected-mode capable) is defined for ipoib
	check "$d address byte 0 is 0x80 or 0x00" sh -c "echo $addr | grep -Eq '^(80|00):'"
	check "$d broadcast $BCAST" [ "$(cat $S/broadcast)" = $BCAST ]
	check "$d dev_port 0 (port 1)" [ "$(cat $S/dev_port)" = 0 ]
	check "$d dev_id 0x0" [ "$(cat $S/dev_id)" = 0x0 ]
	# softib gives each HCA a parent bus device (platform device softib.N,
	# as a real HCA has its PCI function); SET_NETDEV_DEV(ca->dev.parent)
	# links the netdev to it (ours does the same: see Iface::create).
	check "$d device link is sib$n's parent, softib.$n" \
		[ "$(readlink -f $S/device)" = /sys/devices/platform/softib.$n ]
	check "$d sits under its HCA's bus device" \
		[ "$(readlink -f $S)" = /sys/devices/platform/softib.$n/net/$d ]
	# The mode attribute comes with connected mode in ours (the next issue).
	if [ $IPOIB_DRIVER = stock ]; then
		check "$d mode datagram" [ "$(cat $S/mode)" = datagram ]
	fi
	check "$d MTU 2044 (port MTU 2048 - 4)" [ "$(cat $S/mtu)" = 2044 ]
done
for d in ib0 ib1; do
	dl=none
	[ -e /sys/class/net/$d/device ] && dl=$(readlink -f /sys/class/net/$d/device)
	log "$d $(cat /sys/class/net/$d/address), sysfs $(readlink -f /sys/class/net/$d), device link: $dl"
done

require "ib0/ib1 into netns a/b, addressed, up" fabric_netns
check_fails "ib0 left the initial netns" ip link show ib0
check "ib0 in netns a" ip -n a link show ib0
check "ib0 in netns a's sysfs (/sys/class/net/ib0)" in_ns a test -e /sys/class/net/ib0
check "carrier on ib0 after up" wait_until 30 carrier a ib0
check "carrier on ib1 after up" wait_until 30 carrier b ib1
log "netns a sees in /sys/class/net: $(in_ns a ls /sys/class/net | tr '\n' ' ')"
check "sysfs carrier 1 on ib0, read in netns a" [ "$(in_ns a cat /sys/class/net/ib0/carrier)" = 1 ]

tx0=$(dev_stat a ib0 tx_packets)
rx0=$(dev_stat a ib0 rx_packets)
txb0=$(dev_stat a ib0 tx_bytes)
rxb0=$(dev_stat a ib0 rx_bytes)
brx0=$(dev_stat b ib1 rx_packets)
btx0=$(dev_stat b ib1 tx_packets)
check "IPv4 ping a -> b" in_ns a ping -c 5 -i 0.2 -W 3 $B4
check "IPv4 ping b -> a" ping_b_a
check "IPv6 ping a -> b" ping6_a_b
check "IPv6 ping b -> a" ping6_b_a
check "ib0 tx_packets grew by >= 9" stat_grew a ib0 tx_packets $tx0 9
check "ib0 rx_packets grew by >= 9" stat_grew a ib0 rx_packets $rx0 9
check "ib0 tx_bytes grew by >= 9 x 84" stat_grew a ib0 tx_bytes $txb0 756
check "ib0 rx_bytes grew by >= 9 x 84" stat_grew a ib0 rx_bytes $rxb0 756
check "ib1 rx_packets grew by >= 9" stat_grew b ib1 rx_packets $brx0 9
check "ib1 tx_packets grew by >= 9" stat_grew b ib1 tx_packets $btx0 9
ip -n a -s link show ib0
# The counters above come from netlink; sysfs in the netns must agree.
# netlink is read first: the counter only grows, and background IPv6
# traffic (ND, MLD) may send a packet between the two reads.
sysfs_tx() { in_ns a cat /sys/class/net/ib0/statistics/tx_packets; }
sysfs_agrees() { _nl=$(dev_stat a ib0 tx_packets) && [ "$(sysfs_tx)" -ge "$_nl" ]; }
check "sysfs statistics/tx_packets in netns a agrees with ip -s" sysfs_agrees

# Neighbours: ARP and ND resolved the peer to its 20-byte address.
neigh_ll() { ip -n "$1" neigh show "$2" dev "$3" | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }'; }
ip -n a neigh show dev ib0
check "ip -n a neigh: $B4 has ib1's 20-byte address" same "$(neigh_ll a $B4 ib0)" "$(lladdr b ib1)"
check "ip -n a neigh: $B6 has ib1's address" same "$(neigh_ll a $B6 ib0)" "$(lladdr b ib1)"
check "ip -n b neigh: $A4 has ib0's address" same "$(neigh_ll b $A4 ib1)" "$(lladdr a ib0)"

# The UD MTU: full-size datagrams pass unfragmented, one byte more does not.
check "ping -M do -s 2016 (2044-byte IP packet) a -> b" in_ns a ping -c 2 -W 3 -M do -s 2016 $B4
check "ping -M do -s 2016 b -> a" in_ns b ping -c 2 -W 3 -M do -s 2016 $A4
check_fails "ping -M do -s 2017 exceeds the MTU" in_ns a ping -c 1 -W 3 -M do -s 2017 $B4
check_fails "MTU 2045 refused in datagram mode" ip -n a link set ib0 mtu 2045
check "MTU 1500 accepted" ip -n a link set ib0 mtu 1500
link_mtu() { ip -n "$1" -o link show "$2" | awk '{ for (i = 1; i < NF; i++) if ($i == "mtu") print $(i + 1) }'; }
check "MTU now 1500" [ "$(link_mtu a ib0)" = 1500 ]
check_fails "1500 applies: ping -M do -s 1473 refused" in_ns a ping -c 1 -W 3 -M do -s 1473 $B4
check "ping -M do -s 1472 at MTU 1500" in_ns a ping -c 1 -W 3 -M do -s 1472 $B4
check "MTU back to 2044" ip -n a link set ib0 mtu 2044

# Namespaces: ib1 moves b -> c and works there; deleting c hands it back to
# the initial netns (netns_refund), not destroys it.
check "ib1 moves from netns b to netns c" sh -c "/usr/sbin/ip netns add c && /usr/sbin/ip -n b link set ib1 netns c"
check_fails "ib1 gone from netns b" ip -n b link show ib1
in_c() { ip -n c "$@"; }
c_up() {
	in_c link set lo up && in_c addr add 10.11.0.3/24 dev ib1 && in_c link set ib1 up &&
		wait_until 30 carrier c ib1
}
check "ib1 up in netns c as 10.11.0.3, carrier" c_up
check "ping a -> c (neighbour for the new address)" wait_secs 20 in_ns a ping -c 1 -W 2 10.11.0.3
check "ping c -> a" in_ns c ping -c 2 -W 3 $A4
check "netns c deleted" ip netns del c
check "ib1 returns to the initial netns" wait_until 20 netdev_exists ib1
back_to_b() {
	ip link set ib1 netns b && ip -n b addr add $B4/24 dev ib1 &&
		ip -n b addr add $B6/64 dev ib1 nodad && ip -n b link set ib1 up &&
		wait_until 30 carrier b ib1
}
check "ib1 back into netns b, up, carrier" back_to_b
check "IPv4 ping a -> b after the moves" wait_secs 20 ping_a_b
check "IPv6 ping a -> b after the moves" wait_secs 20 ping6_a_b

# A 4096-byte fabric: UD MTU 4092.
fabric_clean
require "softib mtu=4096 + ib_ipoib, carrier both sides" dgram_bringup mtu=4096
check "ib0 MTU 4092 (port MTU 4096 - 4)" [ "$(link_mtu a ib0)" = 4092 ]
check "ib1 MTU 4092" [ "$(link_mtu b ib1)" = 4092 ]
check "ping -M do -s 4064 (4092-byte IP packet) a -> b" in_ns a ping -c 2 -W 3 -M do -s 4064 $B4
check "ping -M do -s 4064 b -> a" in_ns b ping -c 2 -W 3 -M do -s 4064 $A4
check_fails "ping -M do -s 4065 exceeds the MTU" in_ns a ping -c 1 -W 3 -M do -s 4065 $B4
check_fails "MTU 4093 refused" ip -n a link set ib0 mtu 4093
check "IPv6 ping a -> b at MTU 4092" ping6_a_b
check "ib_ipoib unloads" rmmod ib_ipoib
fabric_clean
dgram_finish
