#!/bin/sh
# timeout: 180
# Datagram mode end to end, failed destinations: a neighbour whose GID the
# SA does not know gets a path query, and every packet to it is dropped and
# counted in tx_dropped; a neighbour with the peer's GID but a QPN that does
# not exist reaches the wire and is dropped by the peer's port (ipoib
# addresses the QPN from the hardware address); an address nobody answers
# ARP for fails in the neighbour layer after ARP broadcasts that reach the
# peer. None of it disturbs traffic to the real peer.
# Driver under test: ours, or stock with ipoib_test_driver=stock.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh

require "bring-up: ib0/ib1 in netns a/b, carrier" dgram_bringup
check "ping a -> b" ping_a_b

# Unknown GID (port GUID ...:0901 is on no fabric port): SA path lookup
# fails (ERR_NO_RECORDS); each packet is dropped and counted.
GHOST=10.11.0.9
GHOST_LL=80:00:00:02:fe:80:00:00:00:00:00:00:00:02:c9:ff:fe:50:09:01
check "static neighbour $GHOST -> unknown GID" ip -n a neigh add $GHOST lladdr $GHOST_LL dev ib0 nud permanent
txd0=$(dev_stat a ib0 tx_dropped)
sa0=$(sib_counter sib0 1 sa_requests)
nr0=$(sib_counter sib0 1 drop_no_route)
check_fails "ping $GHOST (unknown GID) gets no reply" in_ns a ping -c 5 -i 0.5 -W 1 $GHOST
check "all 5 packets dropped and counted in ib0 tx_dropped" wait_secs 10 stat_grew a ib0 tx_dropped $txd0 5
log "ib0 tx_dropped $txd0 -> $(dev_stat a ib0 tx_dropped)"
check "ipoib asked the SA for a path" counter_above sib0 1 sa_requests $sa0
check "nothing sent without a path (fabric drop_no_route unchanged)" [ "$(sib_counter sib0 1 drop_no_route)" -eq "$nr0" ]
check "ping a -> b unaffected" ping_a_b

# Peer's GID, wrong QPN: the datagrams reach sib1, which has no such QP.
WRONG=10.11.0.10
WRONG_LL=$(lladdr b ib1 | sed 's/^\(..\):..:..:../\1:00:0f:ff/')
check "static neighbour $WRONG -> ib1's GID with QPN 0xfff ($WRONG_LL)" \
	ip -n a neigh add $WRONG lladdr $WRONG_LL dev ib0 nud permanent
nq0=$(sib_counter sib1 1 drop_no_qp)
check_fails "ping $WRONG (no such QP) gets no reply" in_ns a ping -c 5 -i 0.5 -W 1 $WRONG
check "sib1 dropped all 5 for want of QP 0xfff (fabric drop_no_qp)" \
	wait_secs 5 counter_above sib1 1 drop_no_qp $((nq0 + 4))
log "sib1 drop_no_qp $nq0 -> $(sib_counter sib1 1 drop_no_qp)"

# Nobody answers ARP for .77: the requests go out on the broadcast group
# and reach ib1 (a's router/MLD chatter goes to groups ib1 has not joined),
# the neighbour fails, the ping reports the host unreachable.
brx0=$(dev_stat b ib1 rx_packets)
check_fails "ping 10.11.0.77 (no ARP answer) gets no reply" in_ns a ping -c 3 -i 1 -W 1 10.11.0.77
check "ib1 received the ARP broadcasts (rx_packets +3)" stat_grew b ib1 rx_packets $brx0 3
check "neighbour 10.11.0.77 FAILED or INCOMPLETE" \
	sh -c "/usr/sbin/ip -n a neigh show 10.11.0.77 | grep -Eq 'FAILED|INCOMPLETE'"

check "static neighbours removed" sh -c "/usr/sbin/ip -n a neigh del $GHOST dev ib0 && /usr/sbin/ip -n a neigh del $WRONG dev ib0"
check "IPv4 ping a -> b after the failures" ping_a_b
check "IPv6 ping a -> b after the failures" ping6_a_b
check "ib_ipoib unloads" rmmod ib_ipoib
fabric_clean
dgram_finish
