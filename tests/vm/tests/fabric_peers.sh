#!/bin/sh
# timeout: 420
# softib's many-peers mode (softib peers=N, Documentation/softib.md): the SA
# answers path records for N virtual GIDs and the wire sinks what is sent
# to them. With the in-tree driver and then ours, in one boot: ib0 (netns
# a) gets a static neighbour (nud permanent, via ip -batch) for each of
# 100 peers, 10.12.0.1 + i -> GID fe80::2:c9ff:fe60:i; udpspray sends one
# datagram to each: every path is resolved (ib0_path lists the 100 GIDs,
# complete, with their DLIDs), the sink counts exactly 100 packets, one
# per peer; a second round does the same without new path records; then
# 3 s of round-robin spray: what ib0 sent reached the sink. A GID past the
# range gets no path record. The module unloads.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh
. /vmtest/lib-child.sh

N=100
PEERS=$SIB_DBG/peers

# peers_stat NAME: a line of softib's peers file.
peers_stat() { awk -v k="$1" '$1 == k { print $2 }' $PEERS; }
# neigh_batch N: "neigh add" lines for peers 0..N-1 (QPN 0x000100).
neigh_batch() {
	awk -v n="$1" 'BEGIN { for (k = 0; k < n; k++) { v = k + 1
		printf "neigh add 10.12.%d.%d lladdr 00:00:01:00:fe:80:00:00:00:00:00:00:00:02:c9:ff:fe:60:%02x:%02x dev ib0 nud permanent\n",
			int(v / 256), v % 256, int(k / 256), k % 256 } }'
}
# paths_complete: ib0_path's peer GIDs that are complete, counted.
paths_complete() {
	awk '$1 == "GID:" { p = ($2 ~ /^fe80:0:0:0:2:c9ff:fe60:/) } p && $1 == "complete:" && $2 == "yes" { n++ } END { print n + 0 }' \
		$IPOIB_DBG/ib0_path
}
# peer_pairs: "GID DLID" of ib0_path's peers; want_pairs N: what they
# must be (peer i: fe80::2:c9ff:fe60:i, LID 0x8000 + i).
peer_pairs() {
	awk '$1 == "GID:" { g = $2; p = (g ~ /^fe80:0:0:0:2:c9ff:fe60:/) } p && $1 == "DLID:" { print g, tolower($2) }' \
		$IPOIB_DBG/ib0_path | sort
}
want_pairs() {
	awk -v n="$1" 'BEGIN { for (k = 0; k < n; k++) printf "fe80:0:0:0:2:c9ff:fe60:%x 0x%04x\n", k, 32768 + k }' | sort
}
peer_dlids_ok() { peer_pairs >/tmp/pp.have && want_pairs $N >/tmp/pp.want && cmp -s /tmp/pp.have /tmp/pp.want; }
n_complete() { [ "$(paths_complete)" -eq "$1" ]; }
sink_is() { [ "$(peers_stat sink_packets)" -eq "$1" ]; }

fabric_clean
require "softib loads with peers=$N" load_fabric peers=$N
log "$(cat $PEERS | tr '\n' ' ')"
check "peers file: $N peers, LIDs 0x8000-0x8063" \
	sh -c "grep -qx 'peers $N' $PEERS && grep -qx 'lids 0x8000 0x8063' $PEERS"
check_fails "the lid knob refuses a peer LID" sh -c "echo 0x8005 > $SIB_DBG/sib0/port1/lid"
check_fails "the sm_lid knob refuses a peer LID" sh -c "echo 0x8063 > $SIB_DBG/sm_lid"

for drv in stock ours; do
	echo 0 >$PEERS
	require "$drv: ib_ipoib loads" ipoib_load_drv $drv
	require "$drv: ib0/ib1 in netns a/b" fabric_netns
	require "$drv: carrier" wait_until 30 carrier a ib0
	require "$drv: ib0 pings ib1" wait_secs 20 ping_a_b
	ip -n a route add 10.12.0.0/16 dev ib0
	neigh_batch $N >/tmp/neigh.batch
	check "$drv: $N static neighbours added (ip -batch)" ip -n a -batch /tmp/neigh.batch
	check "$drv: ib0 lists $N permanent neighbours in 10.12/16" \
		[ "$(ip -n a neigh show dev ib0 nud permanent | grep -c '^10\.12\.')" -eq $N ]
	sa0=$(sib_counter sib0 1 sa_requests)
	check "$drv: one datagram to each peer" in_ns a udpspray -1 10.12.0.1 $N
	check "$drv: every peer's path is resolved (ib0_path: $N complete)" wait_until 30 n_complete $N
	log "$drv: SA requests +$(($(sib_counter sib0 1 sa_requests) - sa0)), path records answered $(peers_stat path_records)"
	check "$drv: the SA answered at least $N peer path records" [ "$(peers_stat path_records)" -ge $N ]
	check "$drv: each peer path's DLID is its peer LID" peer_dlids_ok
	check "$drv: the sink got exactly $N packets" wait_until 10 sink_is $N
	check "$drv: one to each peer (peers_hit $N)" [ "$(peers_stat peers_hit)" -eq $N ]
	p0=$(peers_stat path_records)
	check "$drv: a second datagram to each" in_ns a udpspray -1 10.12.0.1 $N
	check "$drv: the sink got exactly $((2 * N))" wait_until 10 sink_is $((2 * N))
	check "$drv: no new path record for them" [ "$(peers_stat path_records)" -eq "$p0" ]

	s0=$(peers_stat sink_packets)
	t0=$(dev_stat a ib0 tx_packets)
	out=$(in_ns a udpspray 10.12.0.1 $N 3)
	sleep 1
	s1=$(peers_stat sink_packets)
	t1=$(dev_stat a ib0 tx_packets)
	sent=$(echo "$out" | awk '{ print $2 }')
	log "$drv: spray: $out; sink +$((s1 - s0)), ib0 tx_packets +$((t1 - t0))"
	check "$drv: spray sent packets" [ "${sent:-0}" -gt 0 ]
	# ib0's count also has the stack's own multicast (MLD, IGMP): a few.
	check "$drv: the sink got what ib0 sent to the peers (within 20)" \
		[ $((t1 - t0 - (s1 - s0))) -ge 0 -a $((t1 - t0 - (s1 - s0))) -le 20 ]
	check "$drv: at least half of the datagrams reached the sink" [ $((2 * (s1 - s0))) -ge "${sent:-0}" ]

	# One past the range: the SA has no record, nothing reaches the sink.
	ip -n a neigh add 10.12.0.$((N + 1)) lladdr 00:00:01:00:fe:80:00:00:00:00:00:00:00:02:c9:ff:fe:60:00:$(printf %02x $N) dev ib0 nud permanent
	s0=$(peers_stat sink_packets)
	in_ns a udpspray -1 10.12.0.$((N + 1)) 1 >/dev/null
	sleep 2
	check "$drv: GID fe80::2:c9ff:fe60:$(printf %x $N) (past the range) has no complete path" \
		[ "$(paths_complete)" -eq $N ]
	check "$drv: nothing reached the sink for it" [ "$(peers_stat sink_packets)" -eq "$s0" ]

	ip netns del a
	ip netns del b
	check "$drv: ib_ipoib unloads" wait_until 30 sh -c '/usr/sbin/rmmod ib_ipoib 2>/dev/null; [ ! -d /sys/module/ib_ipoib ]'
done
check "softib unloads" rmmod softib
finish
