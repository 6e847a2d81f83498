# Two-host interop (tests/vm/tests/interop_*.sh, "# hosts: 2"): softib on
# both VMs joined by the wire on eth0 (Documentation/softib.md, "Two
# hosts"), one ib_ipoib per VM: ours or in-tree on A, ours or in-tree on B.
# Sourced on A (after lib.sh and lib-2host.sh) and, through ixb, on B:
# every function here runs on the host it is called on.
#
#   ixb FUNC ARGS...        run FUNC (of this file or lib.sh) on B; the
#                           words are joined and re-split there, so no
#                           argument may hold spaces or redirections
#   ix_fabric HOSTNUM       load softib joined to the other host (A: 0, B: 1)
#   ix_sees_peer            the wire lists the other host's port, active
#   ix_drv_up DRV A4 A6     load DRV (ours|stock), address ib0, up, carrier
#   ix_mode MODE            datagram (MTU 2044) or connected (MTU 65520)
#   ix_clean                unload ipoib and softib
#   ix_cell MODE_A MODE_B   the matrix cell: pings (v4, v6, large), iperf3
#                           TCP both ways, UDP multicast both ways (on A)

IX_A4=10.77.0.1
IX_B4=10.77.0.2
IX_A6=fd77::1
IX_B6=fd77::2
IX_SIB=/sys/kernel/debug/softib
IX_MC=239.77.0.1

ixb() { on B eval ". /vmtest/lib-interop.sh; $*"; }

ix_clean() {
	rmmod ib_ipoib 2>/dev/null
	rmmod softib 2>/dev/null
	true
}

# The driver unloaded (for a test or bench that loads the other one next).
ix_ipoib_gone() { rmmod ib_ipoib 2>/dev/null; [ ! -d /sys/module/ib_ipoib ]; }

ix_fabric() {
	grep -q '^softib ' /proc/modules && return 0
	modprobe softib ndev=1 wire=eth0 host="$1"
}

ix_sees_peer() { grep -q '^remote_port .* active ' $IX_SIB/wire; }

ix_carrier() { ip -o link show ib0 2>/dev/null | grep -q LOWER_UP; }
ix_v6_ready() { ! ip -6 addr show dev ib0 | grep -q tentative; }

ix_drv_up() {
	case $1 in
	ours) load_our_ipoib ;;
	stock) load_stock_ipoib ;;
	*) return 2 ;;
	esac || return 1
	wait_until 20 [ -e /sys/class/net/ib0 ] || { echo "no ib0"; return 1; }
	ip addr add "$2/24" dev ib0 && ip addr add "$3/64" dev ib0 nodad &&
		ip link set ib0 up || return 1
	wait_until 60 ix_carrier || { echo "ib0: no carrier in 60 s"; return 1; }
}

ix_mode() {
	echo "$1" >/sys/class/net/ib0/mode || return 1
	[ "$(cat /sys/class/net/ib0/mode)" = "$1" ] || return 1
	case $1 in
	connected) ip link set ib0 mtu 65520 ;;
	datagram) ip link set ib0 mtu 2044 ;;
	esac
}
ix_modes() { ix_mode "$1" && ixb ix_mode "$2"; }

# ix_ping ADDR [ARGS]: 5 echoes 0.2 s apart, all answered, after one got
# through (the first waits for ARP/ND and the path record).
ix_ping() {
	_a=$1
	shift
	wait_until 30 ping -c 1 -W 2 "$@" "$_a" || { echo "no echo from $_a in 30 s"; return 1; }
	ping -c 5 -i 0.2 -W 3 "$@" "$_a" | tail -n 2
	ping -q -c 5 -i 0.2 -W 3 "$@" "$_a" | grep -q ' 5 received'
}

# ix_iperf_server: a one-shot iperf3 server in the background.
ix_iperf_server() {
	timeout 40 iperf3 -s -1 >/tmp/ix-iperf-s.log 2>&1 </dev/null &
	sleep 1
}

# ix_iperf ADDR [-R]: 3 s of TCP; prints the receiver's Mbit/s, fails on 0.
ix_iperf() {
	timeout 35 iperf3 -c "$1" -t 3 -f m --connect-timeout 5000 $2 >/tmp/ix-iperf-c.log 2>&1 ||
		{ tail -n 5 /tmp/ix-iperf-c.log; return 1; }
	_m=$(awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i+1) == "Mbits/sec") print $i }' /tmp/ix-iperf-c.log)
	echo "${_m:-0}" >/tmp/ix-iperf.m
	echo "${_m:-0} Mbit/s"
	awk -v m="${_m:-0}" 'BEGIN { exit !(m > 0) }'
}

# ix_mc_listen SECS COUNT: join IX_MC on ib0 and receive (foreground).
ix_mc_listen() { mcudp listen $IX_MC 5077 ib0 "$1" "$2"; }
ix_mc_send() { mcudp send $IX_MC 5077 ib0 "$1"; }

# ix_mc FROM TO: 5 datagrams to the group from FROM (A|B) reach TO's
# listener (at least 4: UD may drop one while the sender's send-only join
# completes, as on a real fabric).
ix_mc() {
	rm -f /tmp/ix-mc.out
	if [ "$2" = B ]; then
		ixb ix_mc_listen 20 5 >/tmp/ix-mc.out 2>&1 &
	else
		ix_mc_listen 20 5 >/tmp/ix-mc.out 2>&1 &
	fi
	_lp=$!
	wait_until 10 grep -q joined /tmp/ix-mc.out || { kill $_lp; echo "listener on $2 did not join"; return 1; }
	sleep 1
	if [ "$1" = B ]; then ixb ix_mc_send 5; else ix_mc_send 5; fi
	wait $_lp
	cat /tmp/ix-mc.out
	_r=$(sed -n 's/^received //p' /tmp/ix-mc.out)
	[ "${_r:-0}" -ge 4 ]
}

# ix_cell MODE_A MODE_B: one cell of the matrix; DRV_A/DRV_B name the
# drivers in the descriptions. Traffic starts from A, so in connected mode
# A's driver is the CM active side.
ix_cell() {
	_l="$DRV_A $1 <-> $DRV_B $2"
	check "$_l: modes set" ix_modes "$1" "$2"
	check "$_l: ping A -> B (ARP)" ix_ping $IX_B4
	check "$_l: ping B -> A" ixb ix_ping $IX_A4
	check "$_l: ping6 A -> B (ND)" ix_ping $IX_B6
	check "$_l: ping6 B -> A" ixb ix_ping $IX_A6
	if [ "$1" = connected ] && [ "$2" = connected ]; then
		check "$_l: 30000-byte ping A -> B (RC, segmented)" ix_ping $IX_B4 -s 30000
		check "$_l: 30000-byte ping B -> A" ixb ix_ping $IX_A4 -s 30000
	elif [ "$1" = connected ]; then
		# A's MTU is 65520, B's 2044: A learns B's path MTU (emulated
		# "frag needed" or B's datagram MTU) and fragments.
		check "$_l: 3000-byte ping A -> B (path MTU)" ix_ping $IX_B4 -s 3000
		check "$_l: 3000-byte ping B -> A" ixb ix_ping $IX_A4 -s 3000
	elif [ "$2" = connected ]; then
		check "$_l: 3000-byte ping B -> A (path MTU)" ixb ix_ping $IX_A4 -s 3000
		check "$_l: 3000-byte ping A -> B" ix_ping $IX_B4 -s 3000
	fi
	rm -f /tmp/ix-iperf.m
	ixb ix_iperf_server
	check "$_l: iperf3 TCP A -> B" ix_iperf $IX_B4
	_fw=$(cat /tmp/ix-iperf.m 2>/dev/null)
	rm -f /tmp/ix-iperf.m
	ixb ix_iperf_server
	check "$_l: iperf3 TCP B -> A (reverse)" ix_iperf $IX_B4 -R
	log "$_l: iperf3 A -> B ${_fw:-?} Mbit/s, B -> A $(cat /tmp/ix-iperf.m 2>/dev/null || echo ?) Mbit/s"
	check "$_l: UDP multicast A -> B" ix_mc A B
	check "$_l: UDP multicast B -> A" ix_mc B A
}

# ix_setup: both fabrics joined, DRV_A on A and DRV_B on B with carrier;
# finishes the test at once if that fails (every later check would wait).
ix_setup() {
	ix_clean
	ixb ix_clean
	check "softib on A (host 0, runs the SA)" ix_fabric 0
	check "softib on B (host 1, SA over the wire)" ixb ix_fabric 1
	check "A sees B's port on the wire" wait_until 15 ix_sees_peer
	check "B sees A's port on the wire" ixb wait_until 15 ix_sees_peer
	check "$DRV_A ib_ipoib on A: ib0 up with carrier" ix_drv_up $DRV_A $IX_A4 $IX_A6
	check "$DRV_B ib_ipoib on B: ib0 up with carrier" ixb ix_drv_up $DRV_B $IX_B4 $IX_B6
	[ $_failed -eq 0 ] || { ix_teardown; finish; }
}

ix_teardown() {
	ix_clean
	ixb ix_clean
}

# ix_capture_start / ix_capture_stop / ix_capture_check: the wire's frames
# on A's eth0 (tcpdump), turned into an IPoIB capture by sibpcap; tcpdump
# must decode the echo requests of the datagram cell and the RC-carried
# 30000-byte ones of the connected cell, both ways. Start and stop run in
# the test's shell (not inside check, whose $(...) would hold the capture);
# tcpdump is run by path: a backgrounded shell function keeps a copy of
# the caller's stdout open.
ix_capture_start() {
	/usr/sbin/tcpdump -i eth0 -s 0 -U -w /tmp/ix-wire.pcap ether proto 0x88b5 \
		>/tmp/ix-tcpdump.log 2>&1 </dev/null &
	_cap=$!
}
ix_capture_stop() {
	kill -INT $_cap 2>/dev/null
	wait $_cap
}
ix_capture_check() {
	sibpcap /tmp/ix-wire.pcap /tmp/ix-ipoib.pcap || return 1
	tcpdump -nn -r /tmp/ix-ipoib.pcap 2>/dev/null >/tmp/ix-ipoib.txt
	grep -c . /tmp/ix-ipoib.txt
	for _p in "$IX_A4 > $IX_B4: ICMP echo request" "$IX_B4 > $IX_A4: ICMP echo request" \
		"$IX_A4 > $IX_B4: ICMP echo request.*length 30008" "$IX_B4 > $IX_A4: ICMP echo request.*length 30008"; do
		grep -q "$_p" /tmp/ix-ipoib.txt || { echo "no \"$_p\" in the capture"; head -n 20 /tmp/ix-ipoib.txt; return 1; }
	done
}

# ix_matrix: the four mode cells.
ix_matrix() {
	ix_capture_start
	check "tcpdump captures the wire on A" wait_until 10 grep -q listening /tmp/ix-tcpdump.log
	ix_cell datagram datagram
	ix_cell connected connected
	ix_capture_stop
	check "the wire's capture, through sibpcap, shows IPoIB traffic both ways (UD and RC)" ix_capture_check
	ix_cell connected datagram
	ix_cell datagram connected
	ix_modes datagram datagram
}

ix_child_up() {
	echo 0x8001 >/sys/class/net/ib0/create_child || return 1
	wait_until 10 [ -e /sys/class/net/ib0.8001 ] || return 1
	ip addr add "$1/24" dev ib0.8001 && ip link set ib0.8001 up &&
		wait_until 60 sh -c "/usr/sbin/ip -o link show ib0.8001 | grep -q LOWER_UP"
}
ix_child_down() { echo 0x8001 >/sys/class/net/ib0/delete_child; }
ix_port() { echo "$2" >$IX_SIB/sib0/port1/"$1"; }

# ix_extras: a P_Key child pair, a LID change (new path records on both
# sides: B's ipoib gets LID_CHANGE, A's a client reregister from the "SM")
# and a port flap on B while A keeps running, in datagram mode.
ix_extras() {
	_l="$DRV_A <-> $DRV_B"
	check "$_l: P_Key 0x8001 child on A" ix_child_up 10.78.0.1
	check "$_l: P_Key 0x8001 child on B" ixb ix_child_up 10.78.0.2
	check "$_l: child ping A -> B" ix_ping 10.78.0.2
	check "$_l: child ping B -> A" ixb ix_ping 10.78.0.1
	check "$_l: A's child deleted" ix_child_down
	check "$_l: B's child deleted" ixb ix_child_down
	_lid=$(ixb cat $IX_SIB/sib0/port1/lid)
	check "$_l: B's port gets a new LID" ixb ix_port lid $((_lid + 40))
	check "$_l: A's fabric learns B's new LID" wait_until 10 grep -q "lid $((_lid + 40)) active" $IX_SIB/wire
	# What the SM does after moving a LID (as in the soak): the other
	# ports get a client reregister, and their ipoib asks for paths anew.
	check "$_l: client reregister on A's port" ix_port client_reregister 1
	check "$_l: ping A -> B after the LID change (within 60 s)" wait_until 60 ping -c 1 -W 2 $IX_B4
	check "$_l: ping B -> A after the LID change" ixb wait_until 60 ping -c 1 -W 2 $IX_A4
	check "$_l: B's port down" ixb ix_port link down
	check "$_l: A's fabric sees B's port down" wait_until 10 grep -q " down " $IX_SIB/wire
	check_fails "$_l: no echo from B while its port is down" ping -c 2 -W 1 $IX_B4
	check "$_l: B's port up again" ixb ix_port link up
	check "$_l: B's ib0 carrier again" ixb wait_until 60 ix_carrier
	check "$_l: ping A -> B after the flap (within 60 s)" wait_until 60 ping -c 1 -W 2 $IX_B4
	check "$_l: ping B -> A after the flap" ixb wait_until 60 ping -c 1 -W 2 $IX_A4
	ix_rc_faults
}

ix_fault_count() { sed -n "s/^$1 //p" $IX_SIB/wire; }

# ix_rc_fault HOST KNOB COUNTER: arm one fault of softib's wire_fault
# knob on HOST (A|B) and wait until the wire counted it.
ix_rc_fault() {
	if [ "$1" = B ]; then _f0=$(ixb ix_fault_count "$3"); else _f0=$(ix_fault_count "$3"); fi
	if [ "$1" = B ]; then ixb "echo '$2 1' >$IX_SIB/wire_fault"; else echo "$2 1" >$IX_SIB/wire_fault; fi || return 1
	# 30000-byte pings both ways until the fault was hit (one suffices;
	# the knob waits for the direction it acts on).
	for _i in 1 2 3 4 5; do
		ping -c 1 -W 2 -s 30000 $IX_B4 >/dev/null 2>&1
		ixb ping -c 1 -W 2 -s 30000 $IX_A4 >/dev/null 2>&1
		if [ "$1" = B ]; then _f=$(ixb ix_fault_count "$3"); else _f=$(ix_fault_count "$3"); fi
		[ "${_f:-0}" -gt "${_f0:-0}" ] && return 0
	done
	echo "$1: $3 stayed at ${_f0:-?}"
	return 1
}

# RC faults between the hosts, connected mode on both sides. IPoIB asks
# ib_cm for no RC retries (retry_count and rnr_retry_count 0, as RFC 4755
# advises; in-tree and ours alike), so a lost segment, a lost ACK or an
# RNR NAK fails the sending connection (retry or RNR retry exceeded after
# the wire's ACK timeout): the driver must drop it and reconnect on the
# next packet, with no splat on either host.
ix_rc_faults() {
	_l="$DRV_A <-> $DRV_B, RC faults"
	check "$_l: connected mode on both" ix_modes connected connected
	check "$_l: 30000-byte pings both ways" ix_ping $IX_B4 -s 30000
	check "$_l: (B -> A)" ixb ix_ping $IX_A4 -s 30000
	# A's segment lost: $DRV_A's connection to B fails (ACK timeout).
	check "$_l: one RC segment from A dropped" ix_rc_fault A drop_segments fault_dropped_segments
	check "$_l: A -> B recovers (new connection)" ix_ping $IX_B4 -s 30000
	# B's ACK lost: the message was placed on B, $DRV_A still sees a timeout.
	check "$_l: one RC ACK from B dropped" ix_rc_fault B drop_acks fault_dropped_acks
	check "$_l: A -> B recovers after the lost ACK" ix_ping $IX_B4 -s 30000
	# A answers RNR NAK: $DRV_B's connection to A fails (RNR retries 0).
	check "$_l: one RNR NAK from A" ix_rc_fault A rnr fault_rnr_naks
	check "$_l: B -> A recovers after the RNR NAK" ixb ix_ping $IX_A4 -s 30000
	check "$_l: A -> B still answered" ix_ping $IX_B4 -s 30000
	check "$_l: back to datagram mode" ix_modes datagram datagram
}
