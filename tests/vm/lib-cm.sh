# Helpers for the connected-mode tests (tests/vm/tests/cm_*.sh). Source
# after lib.sh, lib-fabric.sh, lib-dgram.sh and lib-child.sh: the scenarios
# run under stock and then under the driver under test (two_pass) and their
# transcripts are compared.

# tx_norm, as lib-child's but keeping the flags byte of the hardware
# address: 0x80 (connected mode supported) for both drivers here. Also the
# remaining lifetime of a learned route MTU (ip route get: "expires 597sec"),
# and the TX queue count and qdisc as lib-child's.
tx_norm() {
	sed -E 's/^[0-9]+: /N: /; s/@if[0-9]+/@ifN/; s/ +$//; s/expires [0-9]+sec/expires Nsec/
		s/numtxqueues [0-9]+/numtxqueues Q/; s/ qdisc (mq|fq_codel) / qdisc Q /
		s#(link/infiniband [0-9a-f]{2}:)[0-9a-f]{2}(:[0-9a-f]{2}){2}#\1QQ:QQ:QQ#'
}

# cm_load DRV [PARAMS]: load that ib_ipoib with module parameters (softib
# loaded); ib0 and ib1 appear.
cm_load() {
	_d=$1
	shift
	if [ "$_d" = stock ]; then modprobe ib_cm && insmod "$STOCK_IPOIB" "$@"; else load_our_ipoib "$@"; fi || return 1
	ipoib_is "$_d" || { echo "loaded ib_ipoib is not the $_d one"; return 1; }
	wait_until 15 netdev_exists ib0 && wait_until 15 netdev_exists ib1
}

quiet() { "$@" >/dev/null 2>&1; }

# pingn NS ADDR COUNT [PING ARGS]: COUNT echoes 0.2 s apart, 2 s wait for
# the last; prints "RECEIVED/TRANSMITTED" (x "=3/3" in the transcript).
pingn() {
	_ns=$1
	_a=$2
	_c=$3
	shift 3
	in_ns "$_ns" ping -c "$_c" -i 0.2 -W 2 "$@" "$_a" 2>&1 |
		awk '/packets transmitted/ { print $4 "/" $1 }'
}

# mode_of NS DEV / set_mode_of NS DEV MODE: the sysfs mode attribute.
mode_of() { in_ns "$1" cat /sys/class/net/$2/mode; }
set_mode_of() { in_ns "$1" sh -c "echo $3 > /sys/class/net/$2/mode" && [ "$(mode_of "$1" "$2")" = "$3" ]; }

# _kmark / _klines: kernel-log lines written between a mark and its end
# (own marks: x's klog marks live in its subshell).
_kmark() {
	_kmk="vmtest: cm mark $(cat /proc/sys/kernel/random/uuid)"
	echo "$_kmk" >/dev/kmsg
}
_klines() {
	echo "$_kmk end" >/dev/kmsg
	dmesg | awk -v a="$_kmk" -v b="$_kmk end" 'index($0, b) { f = 0 } f { print } index($0, a) && !index($0, b) { f = 1 }'
}

# klog_says IF CMD...: CMD succeeds and meanwhile the kernel logged a line
# naming IF ("IF: ") that warns about connected mode and multicast, like
# in-tree's "ib0: enabling connected mode will cause multicast packet drops".
klog_says() {
	_if=$1
	shift
	_kmark
	"$@"
	_r=$?
	_klines >/tmp/klog.cm
	[ $_r -eq 0 ] || return $_r
	grep -F "$_if: " /tmp/klog.cm | grep -q 'connected mode.*multicast' && return 0
	echo "no \"$_if: ... connected mode ... multicast\" line in the kernel log; it had:"
	cat /tmp/klog.cm
	return 1
}

# klog_lacks ERE CMD...: CMD succeeds and the kernel logged no line matching ERE.
klog_lacks() {
	_re=$1
	shift
	_kmark
	"$@"
	_r=$?
	_klines >/tmp/klog.cm
	[ $_r -eq 0 ] || return $_r
	if grep -E "$_re" /tmp/klog.cm; then return 1; fi
}

# offloads DEV [NS]: the ethtool -k lines connected mode changes in-tree
# (IP checksum and TSO are stripped by ndo_fix_features) and their neighbours.
offloads() {
	if [ -n "$2" ]; then in_ns "$2" /usr/sbin/ethtool -k "$1"; else ethtool -k "$1"; fi |
		grep -E '^(rx-checksumming|tx-checksumming|scatter-gather|tcp-segmentation-offload|generic-segmentation-offload|generic-receive-offload):|tx-checksum-ipv4:|tx-checksum-ip-generic:|tx-tcp-segmentation:|tx-tcp6-segmentation:'
}

# rc_qps LINK: the number of RC QPs on an HCA port (sib0/1).
rc_qps() { rdma res show qp | grep -c "^link $1 .*type RC "; }

# rc_states: "link L type RC state S" for each RC QP, sorted.
rc_states() {
	rdma res show qp | grep 'type RC ' |
		sed -E 's/^(link [^ ]+) .*(type RC state [A-Z_]+) .*/\1 \2/' | sort
}

# rc_paired: every RC QP on sib0 has its peer on sib1 (lqpn/rqpn crossed)
# and the other way round.
rc_paired() {
	rdma res show qp | awk '/type RC / {
		for (i = 1; i < NF; i++) { if ($i == "lqpn") l = $(i + 1); if ($i == "rqpn") r = $(i + 1) }
		q[$2 " " l] = r; n++ }
	END {
		for (k in q) {
			split(k, f, " "); o = f[1] == "sib0/1" ? "sib1/1" : "sib0/1"
			if (!((o " " q[k]) in q) || q[o " " q[k]] != f[2]) { print "unpaired RC QP " k " rqpn " q[k]; bad = 1 }
		}
		exit bad || n == 0 }'
}

# srqs: the number of SRQs of ipoib (type BASIC).
srqs() { rdma res show srq | awk '/type BASIC/ { n++ } END { print n + 0 }'; }

# cm_iperf SECS SERVER_NS SERVER_ADDR CLIENT_NS: iperf3 TCP; prints
# "N Mbit/s" (the receiver's); fails if iperf3 fails or the figure is 0.
cm_iperf() {
	in_ns "$2" timeout $(($1 + 30)) iperf3 -s -1 >/tmp/iperf-s.log 2>&1 &
	_spid=$!
	sleep 1
	in_ns "$4" timeout $(($1 + 25)) iperf3 -c "$3" -t "$1" -f m --connect-timeout 5000 >/tmp/iperf-c.log 2>&1
	_rc=$?
	wait $_spid
	[ $_rc -eq 0 ] || { tail -n 5 /tmp/iperf-c.log; return 1; }
	_m=$(awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i+1) == "Mbits/sec") print $i }' /tmp/iperf-c.log)
	echo "${_m:-0} Mbit/s"
	awk -v m="${_m:-0}" 'BEGIN { exit !(m > 0) }'
}

# x_iperf DESC SECS SERVER_NS SERVER_ADDR CLIENT_NS: cm_iperf in the
# transcript (its exit code only); the figure goes to the test's log.
x_iperf() {
	_desc=$1
	shift
	x 0 "cm_iperf $* >/tmp/cm-iperf.out 2>&1"
	log "[$DRV] iperf3 TCP $1 s, $_desc: $(tail -n 1 /tmp/cm-iperf.out)"
}

# cm_dbg_ok IF LOCAL_HCA PEER_HCA: ours' debugfs file IF_cm after traffic
# over one connection each way with the peer port: exactly one TX line
#   TX <peer GID, %pI6> remote_qpn 0x<6 hex> qpn 0x<6 hex> state connected mtu 65520 packets <n > 0> csum_free <n>
# and one RX line
#   RX remote_qpn 0x<6 hex> qpn 0x<6 hex> state live packets <n > 0> csum_free <n>
# and nothing else; both QP pairs are RC QPs that rdma res shows.
cm_dbg_ok() {
	_f=$IPOIB_DBG/$1_cm
	_lh=$2
	cat "$_f" || return 1
	_gid=$(cat /sys/class/infiniband/$3/ports/1/gids/0)
	_q=$(rdma res show qp)
	[ "$(grep -c . "$_f")" = 2 ] || { echo "want 2 lines"; return 1; }
	grep -qE "^TX $_gid remote_qpn 0x[0-9a-f]{6} qpn 0x[0-9a-f]{6} state connected mtu 65520 packets [1-9][0-9]* csum_free [0-9]+\$" "$_f" ||
		{ echo "no TX line for $_gid, connected, mtu 65520, packets > 0"; return 1; }
	grep -qE '^RX remote_qpn 0x[0-9a-f]{6} qpn 0x[0-9a-f]{6} state live packets [1-9][0-9]* csum_free [0-9]+$' "$_f" ||
		{ echo "no RX line, live, packets > 0"; return 1; }
	for _d in TX RX; do
		set -- $(grep "^$_d " "$_f" | sed -E 's/.*remote_qpn (0x[0-9a-f]+) qpn (0x[0-9a-f]+).*/\1 \2/')
		echo "$_q" | grep -q "^link $_lh/1 lqpn $(($2)) rqpn $(($1)) type RC " ||
			{ echo "$_d: no RC QP $(($2)) with remote $(($1)) in rdma res"; return 1; }
	done
}

# ping_pmtu NS ADDR [PING ARGS]: 3 echoes; prints ping's ICMP error lines
# (frag needed, packet too big) and "RECEIVED/TRANSMITTED".
ping_pmtu() {
	_ns=$1
	_a=$2
	shift 2
	in_ns "$_ns" ping -c 3 -i 0.2 -W 2 "$@" "$_a" 2>&1 |
		awk '/Frag needed|too big/ { print } /packets transmitted/ { print $4 "/" $1 }'
}

# lladdr_noflag NS DEV: DEV's hardware address with the flags byte 0x00,
# as a peer without connected mode would have it.
lladdr_noflag() { _l=$(lladdr "$1" "$2") && echo "00:${_l#*:}"; }

# bg_ping_start NS ADDR / bg_ping_stop: a ping every 0.1 s in the
# background; stop sets BG to "RECEIVED/TRANSMITTED" (not in a subshell:
# it waits for the ping).
bg_ping_start() {
	/usr/sbin/ip netns exec "$1" /usr/sbin/ping -q -i 0.1 -W 1 -w 600 "$2" >/tmp/bgping.out 2>&1 &
	_bgp=$!
	sleep 1
}
bg_ping_stop() {
	kill -INT $_bgp
	wait $_bgp
	BG=$(awk '/packets transmitted/ { print $4 "/" $1 }' /tmp/bgping.out)
	[ -n "$BG" ] || sed 's/^/#   /' /tmp/bgping.out
}

# The watchdog's and in-tree's transmit-timeout lines.
TX_TIMEOUT='timed out|transmit timeout'

# mode_switches N: N mode switches on both sides (a/ib0, b/ib1) starting
# with connected; after each, both modes read back and a ping a -> b gets
# through within 15 s.
mode_switches() {
	_m=connected
	_i=1
	while [ $_i -le "$1" ]; do
		set_mode $_m || { echo "switch $_i to $_m failed"; return 1; }
		wait_secs 15 in_ns a ping -c 1 -W 1 $B4 || { echo "no ping a -> b after switch $_i to $_m"; return 1; }
		if [ $_m = connected ]; then _m=datagram; else _m=connected; fi
		_i=$((_i + 1))
	done
}

# cm_traffic_scenario: traffic in connected mode on softib with srq=$CM_SRQ
# (cm_traffic.sh, cm_traffic_nosrq.sh), for two_pass: ib0 in netns a, ib1 in
# netns b.
cm_traffic_scenario() {
	x 0 dgram_netns
	x 0 wait_until 30 carrier a ib0
	x 0 wait_until 30 carrier b ib1
	x "=2/2" pingn a $B4 2
	x 0 set_mode connected
	if [ "$(mode_of a ib0)" != connected ]; then
		log "[$DRV] connected mode refused: the rest of this pass is skipped"
		ip netns del a
		ip netns del b
		return
	fi
	x "=65520" in_ns a cat $N/ib0/mtu
	x "=65520" in_ns b cat $N/ib1/mtu
	# the first packet waits for the connection
	x "=3/3" pingn a $B4 3 -s 65000
	x "=3/3" pingn b $A4 3 -s 65000
	# under 256 bytes the receiver copies into a small skb
	x "=3/3" pingn a $B4 3 -s 100
	x "=3/3" pingn b $A4 3 -s 100
	x "=3/3" pingn a $B6 3 -6 -s 60000
	x "=3/3" pingn b $A6 3 -6 -s 10
	# one RC connection each way, each one QP per side, all in RTS
	x "=2" rc_qps sib0/1
	x "=2" rc_qps sib1/1
	x - rc_states
	x 0 rc_paired
	# with srq=Y ipoib-CM shares one SRQ per interface; with srq=N none
	if [ "$CM_SRQ" = Y ]; then x "=2" srqs; else x "=0" srqs; fi
	x_iperf "connected a -> b, srq=$CM_SRQ" 4 b $B4 a
	x "=3/3" pingn b $A4 3
	# ours' debugfs connection list (in-tree has none: a difference by design)
	xd "!" 0 cm_dbg_ok ib0 sib0 sib1
	x "=2" rc_qps sib0/1

	# connected ib0, datagram ib1. ib1 still has the RC flag in its address
	# and still accepts connections: a -> b goes over RC, b -> a over UD.
	x 0 set_mode_of b ib1 datagram
	x "=2044" in_ns b cat $N/ib1/mtu
	x "=3/3" pingn a $B4 3 -s 1000
	x "=3/3" pingn b $A4 3 -s 1000
	x "=3/3" pingn a $B4 3 -s 3000
	x_iperf "connected a -> datagram b" 4 b $B4 a
	x "=3/3" pingn b $A4 3
	# no PMTU to learn towards an RC-capable peer: the route has no mtu
	x - ip -n a route get $B4
	x - ip -n a -6 route get $B6
	# PMTU emulation: towards a peer without the RC flag (a static
	# neighbour with flags byte 0x00) ib0 sends over UD, and a packet over
	# the broadcast MTU is dropped with ICMP "frag needed" / "packet too
	# big" (mtu 2044) into the local stack; the route learns mtu 2044 and
	# the next echoes go out fragmented
	x 0 'ip -n a neigh replace $B4 lladdr "$(lladdr_noflag b ib1)" dev ib0 nud permanent'
	x 0 'ip -n a -6 neigh replace $B6 lladdr "$(lladdr_noflag b ib1)" dev ib0 nud permanent'
	x "~Frag needed" ping_pmtu a $B4 -s 3000
	x "~mtu 2044" ip -n a route get $B4
	x "~too big" ping_pmtu a $B6 -6 -s 3000
	x "~mtu 2044" ip -n a -6 route get $B6
	x "=3/3" pingn a $B4 3 -s 3000
	x 0 ip -n a neigh del $B4 dev ib0
	x 0 ip -n a -6 neigh del $B6 dev ib0

	# mode switches under a ping every 0.1 s b -> a
	x 0 set_mode datagram
	_s0=$(meminfo Slab)
	bg_ping_start b $A4
	x 0 'klog_lacks "$TX_TIMEOUT" mode_switches 20'
	bg_ping_stop
	log "[$DRV] background ping b -> a during the switches: $BG received; Slab $_s0 kB before, $(meminfo Slab) kB after"
	x 0 '[ "${BG%%/*}" -gt 0 ]'
	x "=datagram" mode_of a ib0
	x "=datagram" mode_of b ib1
	x "=3/3" pingn a $B4 3 -s 1000
	x 0 set_mode connected
	x "=3/3" pingn a $B4 3 -s 30000
	x "=3/3" pingn b $A4 3
	x 0 ip netns del a
	x 0 ip netns del b
}
