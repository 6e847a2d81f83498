# Helpers for the connected-mode tests (tests/vm/tests/cm_*.sh). Source
# after lib.sh, lib-fabric.sh, lib-dgram.sh and lib-child.sh: the scenarios
# run under stock and then under the driver under test (two_pass) and their
# transcripts are compared.

# tx_norm, as lib-child's but keeping the flags byte of the hardware
# address: 0x80 (connected mode supported) for both drivers here. Also the
# remaining lifetime of a learned route MTU (ip route get: "expires 597sec").
tx_norm() {
	sed -E 's/^[0-9]+: /N: /; s/@if[0-9]+/@ifN/; s/ +$//; s/expires [0-9]+sec/expires Nsec/
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

# carrier0 DEV: carrier, in the initial netns.
carrier0() { ip -o link show "$1" 2>/dev/null | grep -q LOWER_UP; }

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
srqs() { rdma res show srq | grep -c 'type BASIC'; }

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
#   TX <peer GID, %pI6> remote_qpn 0x<6 hex> qpn 0x<6 hex> state connected mtu 65520 packets <n > 0>
# and one RX line
#   RX remote_qpn 0x<6 hex> qpn 0x<6 hex> state live packets <n > 0>
# and nothing else; both QP pairs are RC QPs that rdma res shows.
cm_dbg_ok() {
	_f=$IPOIB_DBG/$1_cm
	_lh=$2
	cat "$_f" || return 1
	_gid=$(cat /sys/class/infiniband/$3/ports/1/gids/0)
	_q=$(rdma res show qp)
	[ "$(grep -c . "$_f")" = 2 ] || { echo "want 2 lines"; return 1; }
	grep -qE "^TX $_gid remote_qpn 0x[0-9a-f]{6} qpn 0x[0-9a-f]{6} state connected mtu 65520 packets [1-9][0-9]*\$" "$_f" ||
		{ echo "no TX line for $_gid, connected, mtu 65520, packets > 0"; return 1; }
	grep -qE '^RX remote_qpn 0x[0-9a-f]{6} qpn 0x[0-9a-f]{6} state live packets [1-9][0-9]*$' "$_f" ||
		{ echo "no RX line, live, packets > 0"; return 1; }
	for _d in TX RX; do
		set -- $(grep "^$_d " "$_f" | sed -E 's/.*remote_qpn (0x[0-9a-f]+) qpn (0x[0-9a-f]+).*/\1 \2/')
		echo "$_q" | grep -q "^link $_lh/1 lqpn $(($2)) rqpn $(($1)) type RC " ||
			{ echo "$_d: no RC QP $(($2)) with remote $(($1)) in rdma res"; return 1; }
	done
}
