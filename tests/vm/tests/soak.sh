#!/bin/sh
# timeout: 600
# Fault soak (issue 12): under iperf3 TCP traffic in both directions, N
# cycles of a seeded random mix of faults and reconfigurations, on the
# in-tree ib_ipoib and then on ours, in one boot, with the same sequence.
# ib0 (sib0) is in netns a, ib1 (sib1) in netns b. The ops:
#   port     softib port down (until the side lost carrier), then up
#   rereg    client reregister on one port
#   lid      one port's LID changes; the other port gets a client
#            reregister (the SM tells it to refresh its paths)
#   pkey     P_Key table entry 6 of both ports set/cleared (PKEY_CHANGE)
#   sm       the SM moves to another LID (SM_CHANGE on every port), every
#            other time followed by a client reregister on both ports
#   sa       the SA refuses every request (status 0x0100) while a port
#            reregisters, until the port has asked at least twice; healed
#   mode     datagram <-> connected on both sides
#   child    add (sysfs or rtnl) or delete (sysfs or rtnl) a P_Key child
#   mtu      another MTU on both sides (1280 and up: IPv6 stays)
#   updown   ip link set down/up on one side (IPv6 addresses, which the
#            kernel drops on down, are added again)
#   netns    one side's netdev moves to the initial netns and back
#   ethtool  -G rx/tx on both sides, and -L tx 1|2 in datagram mode
#            (ours only: 6.1's in-tree driver has no -G/-L; skipped there)
#   reload   rmmod ib_ipoib (module refcount must be 0) and load it again,
#            then the configuration is put back (netns, addresses, mode,
#            MTU, rings, children), as a user's scripts would
# After each cycle: ping a -> b and b -> a must work again within 60 s
# (the recovery time, from the end of the fault, is recorded), and each
# side's state must be the expected one: mode, MTU, UP and carrier,
# addresses, number of children (and ring sizes on ours). The first cycle
# that fails ends that driver's cycles (a dead fabric would only make the
# next ones time out): the check names the cycle and the op.
# iperf3 clients a -> b and b -> a (20 Mbit/s each, restarted when they
# exit, as they may while the interface is gone) run throughout; the
# seconds in which the servers received data are reported.
# At the end of each driver: the module unloads, no IB netdev is left, the
# verbs objects are the fabric's alone (rdma res), and the kmalloc caches
# are compared with before the load: ours must gain no cache 64 objects
# beyond what the in-tree driver's run gained (netdevs coming and going
# leave the kernel itself holding some objects). The harness fails the test
# on any kernel-log splat. A summary table shows both drivers side by side.
# Knobs (kernel command line, tests/vm/run --append): soak.cycles=N
# (default 20; make soak: 1000), soak.seed=N (default: random, printed),
# soak.debug=1 (the driver's debug_level 1 after each load: its debug
# lines are in the console log).
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh
. /vmtest/lib-child.sh

CYCLES=$(cmdline_knob soak.cycles 20)
SEED=$(cmdline_knob soak.seed "$(tr -dc 1-9 </proc/sys/kernel/random/uuid | cut -c1-9)")
DEBUG=$(cmdline_knob soak.debug "")
BOUND=60
SA=$SIB_DBG/sa
OPS="port rereg lid pkey sm sa mode child mtu updown netns ethtool reload"
log "soak: $CYCLES cycles per driver, seed $SEED (rerun: tests/vm/run -t soak --append soak.seed=$SEED)"

# rnd N: R = the next pseudo-random number in 0..N-1 (an LCG; no subshell,
# or the state would be lost).
rnd() {
	_r=$(((_r * 1103515245 + 12345) % 2147483648))
	R=$(((_r / 256) % $1))
}
# cs: uptime in centiseconds; secs CS: as seconds with two decimals.
cs() { awk '{ split($1, t, "."); print t[1] * 100 + t[2] }' /proc/uptime; }
secs() { printf '%d.%02d' $(($1 / 100)) $(($1 % 100)); }

# side S: the variables of side S (0: ib0 in a on sib0; 1: ib1 in b on sib1).
side() {
	S=$1
	if [ "$S" = 0 ]; then NS=a DEV=ib0 ADDR4=$A4 ADDR6=$A6 PEER=1; else NS=b DEV=ib1 ADDR4=$B4 ADDR6=$B6 PEER=0; fi
	PORT=$SIB_DBG/sib$S/port1
}
knob() { echo "$1" >"$2"; }
both_ping() { in_ns a ping -c 1 -W 1 $B4 && in_ns b ping -c 1 -W 1 $A4; }

# ---- the expected configuration (the model) and each side's state
# MODE, MTU (both sides), RX/TX rings (ours), CH_0/CH_1 (children: 0, or
# the way the child was made: sysfs/rtnl).
ring_cur() { in_ns "$1" ethtool -g "$2" | awk -v n="$3:" '/^Current/ { c = 1 } c && $1 == n { print $2; exit }'; }
chan_cur() { in_ns "$1" ethtool -l "$2" | awk -v n="$3:" '/^Current/ { c = 1 } c && $1 == n { print $2; exit }'; }
# children: sysfs children of in-tree's are registered in the initial
# netns whatever their parent's (Documentation/ipoib.md); ours' and rtnl
# ones beside the parent. cns S HOW: that netns ("" = initial).
cns() { side "$1"; if [ $DRV = stock ] && [ "$2" = sysfs ]; then CNS=; else CNS=$NS; fi; }
ip_in() { _in=$1; shift; if [ -n "$_in" ]; then ip -n "$_in" "$@"; else ip "$@"; fi; }
# state S: the state of side S, one line. One netns exec and one awk (in
# TCG each process costs tens of ms, and this runs every cycle).
state() {
	side "$1"
	_e=
	[ $DRV = ours ] && _e="; /usr/sbin/ethtool -g $DEV"
	{
		in_ns $NS sh -c "/usr/sbin/ip -o link show; echo ==; /usr/sbin/ip -o addr show dev $DEV scope global;
			echo ==; cat /sys/class/net/$DEV/mode$_e" 2>/dev/null
		echo ==
		ip -o link show
	} | awk -v dev=$DEV -v drv=$DRV '
		$1 == "==" { sec++; next }
		sec == 0 || sec == 3 { n = $2; sub(/[@:].*/, "", n) }
		sec == 0 && n == dev {
			f = $3; gsub(/[<>]/, "", f); k = split(f, a, ",")
			for (i = 1; i <= k; i++) if (a[i] == "UP" || a[i] == "LOWER_UP") fl[a[i]] = 1
			for (i = 3; i < NF; i++) if ($i == "mtu") mtu = $(i + 1)
		}
		(sec == 0 || sec == 3) && index(n, dev ".") == 1 { ch++ }
		sec == 1 { ad[++na] = $4 }
		sec == 2 && mode == "" { mode = $1; next }
		sec == 2 && /^Current/ { cur = 1 }
		sec == 2 && cur && $1 == "RX:" { rx = $2 }
		sec == 2 && cur && $1 == "TX:" { tx = $2 }
		END {
			if (na == 2 && ad[1] > ad[2]) { t = ad[1]; ad[1] = ad[2]; ad[2] = t }
			s = ""; for (i = 1; i <= na; i++) s = s ad[i] " "
			printf "%s: [%s%s] mtu %s %s addrs %schildren %d", dev, fl["LOWER_UP"] ? "LOWER_UP " : "", fl["UP"] ? "UP " : "", mtu, mode, s, ch
			if (drv == "ours") printf " rings %s/%s", rx, tx
			print ""
		}'
}
# expected S: what state S must print (addresses in sorted order: the
# IPv4 one sorts first)
expected() {
	side "$1"
	eval _c=\$CH_$S
	[ "$_c" = 0 ] || _c=1
	_rg=
	[ $DRV = ours ] && _rg=" rings $RX/$TX"
	echo "$DEV: [LOWER_UP UP ] mtu $MTU $MODE addrs $ADDR4/24 $ADDR6/64 children $_c$_rg"
}
state_ok() { [ "$(state 0)" = "$(expected 0)" ] && [ "$(state 1)" = "$(expected 1)" ]; }
state_diff() {
	for _s in 0 1; do
		[ "$(state $_s)" = "$(expected $_s)" ] || echo "expected: $(expected $_s); found: $(state $_s)"
	done
}

# ---- iperf3 in both directions, restarted whenever it exits
# iperf_loop NS TMO ARGS...: run iperf3 ARGS in NS (for at most TMO s, 0:
# no limit) over and over until /tmp/soak.stop exists; the pid of the
# current run is in /tmp/iperf.NS.ARG1.pid.
iperf_loop() {
	_ns=$1
	_tmo=$2
	shift 2
	_tag=$_ns$1
	while [ ! -e /tmp/soak.stop ]; do
		# ip netns exec execs timeout, so the pid is timeout's: killing
		# it ends iperf3 too.
		/usr/sbin/ip netns exec $_ns timeout $_tmo iperf3 "$@" >>/tmp/iperf.$_tag.log 2>&1 &
		echo $! >/tmp/iperf.$_tag.pid
		wait $!
		echo "exit $?" >>/tmp/iperf.$_tag.runs
		sleep 0.5
	done
}
iperf_start() {
	rm -f /tmp/soak.stop /tmp/iperf.*
	# Servers: one test at a time; a session whose peer vanished ends
	# after 10 s without data (--rcv-timeout), and the server goes on.
	iperf_loop a 0 -s --rcv-timeout 10000 -i 1 -f m &
	_ipl="$!"
	iperf_loop b 0 -s --rcv-timeout 10000 -i 1 -f m &
	_ipl="$_ipl $!"
	# 15-s runs at 20 Mbit/s each way: a steady load TCG keeps up with.
	iperf_loop a 60 -c $B4 -t 15 -b 20M --connect-timeout 3000 -f m &
	_ipl="$_ipl $!"
	iperf_loop b 60 -c $A4 -t 15 -b 20M --connect-timeout 3000 -f m &
	_ipl="$_ipl $!"
}
any_alive() { for _p in "$@"; do kill -0 "$_p" 2>/dev/null && return 0; done; return 1; }
iperf_stop() {
	touch /tmp/soak.stop
	_k=0
	while any_alive $_ipl && [ $_k -lt 40 ]; do
		for _p in /tmp/iperf.*.pid; do kill "$(cat "$_p")" 2>/dev/null; done
		_k=$((_k + 1))
		sleep 0.5
	done
	# an iperf3 that ignored SIGTERM for 20 s
	for _p in /tmp/iperf.*.pid; do kill -9 "$(cat "$_p")" 2>/dev/null; done
	kill -9 $_ipl 2>/dev/null
	wait
}
# rx_secs NS: one-second intervals in which NS's server received data.
rx_secs() {
	awk '$NF == "receiver" { next } / sec / { for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec" && $i > 0) n++ } END { print n + 0 }' /tmp/iperf.$1-s.log 2>/dev/null
}
runs() { cat /tmp/iperf.$1-c.runs 2>/dev/null | awk 'END { print NR }'; }
runs_ok() { cat /tmp/iperf.$1-c.runs 2>/dev/null | awk '$2 == 0 { n++ } END { print n + 0 }'; }

# ---- configuration steps
# addrs S: side S's addresses (again).
addrs() {
	side "$1"
	ip -n $NS addr replace $ADDR4/24 dev $DEV && ip -n $NS addr replace $ADDR6/64 dev $DEV nodad
}
set_mode() { # MODE: both sides
	in_ns a sh -c "echo $1 > /sys/class/net/ib0/mode" && in_ns b sh -c "echo $1 > /sys/class/net/ib1/mode"
}
set_mtu() { ip -n a link set ib0 mtu "$1" && ip -n b link set ib1 mtu "$1"; }
set_rings_arg() { in_ns a ethtool -G ib0 "$@" && in_ns b ethtool -G ib1 "$@"; }
child_add() { # S HOW
	cns "$1" "$2"
	if [ "$2" = sysfs ]; then
		in_ns $NS sh -c "echo 0x8001 > /sys/class/net/$DEV/create_child"
	else
		ip -n $NS link add link $DEV name $DEV.8001 type ipoib pkey 0x8001
	fi && wait_secs 10 ip_in "$CNS" link show $DEV.8001 && ip_in "$CNS" link set $DEV.8001 up
}
child_del() { # S HOW (the way it was made) HOW (the way to delete it)
	cns "$1" "$2"
	if [ "$3" = sysfs ]; then
		in_ns $NS sh -c "echo 0x8001 > /sys/class/net/$DEV/delete_child"
	else
		ip_in "$CNS" link del $DEV.8001
	fi
}
# reapply: after a reload, the expected configuration on the new netdevs.
reapply() {
	dgram_netns || return 1
	[ "$MODE" = datagram ] || set_mode "$MODE" || return 1
	[ "$(cat /tmp/mtu.now)" = "$MTU" ] || set_mtu "$MTU" || return 1
	if [ $DRV = ours ]; then
		# the new netdevs have the default rings
		_g=
		[ "$RX" = "$RX0" ] || _g="rx $RX"
		[ "$TX" = "$TX0" ] || _g="$_g tx $TX"
		[ -z "$_g" ] || set_rings_arg $_g || return 1
	fi
	for _s in 0 1; do
		eval _c=\$CH_$_s
		[ "$_c" = 0 ] && continue
		eval CH_$_s=sysfs
		child_add $_s sysfs || return 1
	done
}

# ---- the ops; each sets DESC and fails with a message when a step fails
op_port() {
	rnd 2; side $R
	DESC="port down/up sib$S"
	knob down $PORT/link || return 1
	wait_secs 30 no_carrier $NS $DEV || { echo "$DEV kept carrier 30 s after its port went down"; knob up $PORT/link; return 1; }
	knob up $PORT/link
}
op_rereg() {
	rnd 2; side $R
	DESC="client reregister sib$S"
	knob 1 $PORT/client_reregister
}
op_lid() {
	rnd 2; side $R
	NEXT_LID=$((NEXT_LID + 1))
	DESC="LID of sib$S -> $NEXT_LID"
	knob $NEXT_LID $PORT/lid && knob 1 $SIB_DBG/sib$PEER/port1/client_reregister
}
op_pkey() {
	if [ "$PK6" = 0 ]; then rnd 256; PK6=$(printf '0x%04x' $((0x8100 + R))); else PK6=0; fi
	DESC="P_Key[6] of both ports -> $PK6"
	knob "6 $PK6" $SIB_DBG/sib0/port1/pkeys && knob "6 $PK6" $SIB_DBG/sib1/port1/pkeys
}
op_sm() {
	rnd 10; _lid=$((30 + R))
	[ "$_lid" = "$(cat $SIB_DBG/sm_lid)" ] && _lid=$((30 + (R + 1) % 10))
	rnd 2
	if [ $R = 0 ]; then
		DESC="SM moves to LID $_lid (SM_CHANGE)"
		knob $_lid $SIB_DBG/sm_lid
	else
		DESC="SM moves to LID $_lid (SM_CHANGE, then client reregister on both ports)"
		knob $_lid $SIB_DBG/sm_lid && knob 1 $SIB_DBG/sib0/port1/client_reregister &&
			knob 1 $SIB_DBG/sib1/port1/client_reregister
	fi
}
op_sa() {
	rnd 2; side $R
	DESC="SA refuses joins, client reregister sib$S"
	_q=$(sib_counter sib$S 1 sa_requests)
	knob 0x0100 $SA/status && knob 1 $PORT/client_reregister || { knob 0 $SA/status; return 1; }
	wait_secs 30 counter_above sib$S 1 sa_requests $((_q + 1)) ||
		{ echo "sib$S sent fewer than 2 SA requests in 30 s"; knob 0 $SA/status; return 1; }
	knob 0 $SA/status
}
op_mode() {
	if [ "$MODE" = datagram ]; then MODE=connected; else MODE=datagram; fi
	DESC="mode -> $MODE"
	set_mode $MODE || return 1
	# in-tree: connected takes the largest CM MTU, datagram the smaller
	# of the broadcast group's and the current one
	if [ $MODE = datagram ]; then
		[ "$MTU" -lt "$MTU_DG" ] || MTU=$MTU_DG
	else
		[ -n "$MTU_CM" ] || MTU_CM=$(in_ns a cat /sys/class/net/ib0/mtu)
		[ "$MTU_CM" -gt "$MTU_DG" ] || { echo "connected mode left MTU $MTU_CM"; return 1; }
		MTU=$MTU_CM
	fi
}
op_child() {
	rnd 2; side $R
	eval _c=\$CH_$S
	rnd 2
	if [ $R = 0 ]; then _how=sysfs; else _how=rtnl; fi
	if [ "$_c" = 0 ]; then
		DESC="child $DEV.8001 added ($_how)"
		eval CH_$S=$_how
		child_add $S $_how
	else
		# a child made through rtnl cannot be deleted through sysfs
		[ "$_c" = rtnl ] && _how=rtnl
		DESC="child $DEV.8001 deleted ($_how)"
		eval CH_$S=0
		child_del $S $_c $_how
	fi
}
op_mtu() {
	if [ "$MODE" = datagram ]; then set -- 1280 1500 2000 $MTU_DG; else set -- 1500 4092 9000 65520; fi
	rnd 4; eval MTU=\${$((R + 1))}
	DESC="MTU -> $MTU"
	set_mtu $MTU
}
op_updown() {
	rnd 2; side $R
	DESC="ip link set $DEV down/up"
	ip -n $NS link set $DEV down && ip -n $NS link set $DEV up && addrs $S
}
op_netns() {
	rnd 2; side $R
	DESC="$DEV: netns $NS -> initial -> $NS"
	ip -n $NS link set $DEV netns 1 && wait_secs 10 netdev_exists $DEV || return 1
	ip link set $DEV netns $NS && ip -n $NS link set $DEV up && addrs $S
}
# ethtool refuses (exit 1) a -G or -L that changes nothing: each side is
# given only what differs from its current values.
op_ethtool() {
	_orx=$RX _otx=$TX
	rnd 4; RX=$((128 << R))
	rnd 3; TX=$((128 << R))
	rnd 2; _ch=$((R + 1))
	if [ $DRV = stock ]; then
		DESC="ethtool -G/-L (skipped: not supported by in-tree)"
		SKIPPED=1
		return 0
	fi
	[ "$RX" = "$_orx" ] && [ "$TX" = "$_otx" ] && RX=$((RX == 1024 ? 128 : RX * 2))
	_g=
	[ "$RX" = "$_orx" ] || _g="rx $RX"
	[ "$TX" = "$_otx" ] || _g="$_g tx $TX"
	DESC="ethtool -G $_g"
	set_rings_arg $_g || return 1
	if [ "$MODE" = datagram ]; then
		DESC="$DESC, -L tx $_ch"
		for _s in 0 1; do
			side $_s
			[ "$(chan_cur $NS $DEV TX)" = $_ch ] || in_ns $NS ethtool -L $DEV tx $_ch || return 1
			[ "$(chan_cur $NS $DEV TX)" = $_ch ] || { echo "$DEV has $(chan_cur $NS $DEV TX) TX queues after -L tx $_ch"; return 1; }
		done
	fi
}
op_reload() {
	DESC="rmmod/insmod ib_ipoib"
	_rc=$(cat /sys/module/ib_ipoib/refcnt)
	[ "$_rc" = 0 ] || { echo "module refcount $_rc before rmmod"; return 1; }
	rmmod ib_ipoib || return 1
	no_ib_netdevs a b || { echo "IB netdevs left after rmmod: $(ib_netdevs) $(ib_netdevs a) $(ib_netdevs b)"; return 1; }
	load_drv || return 1
	cat /sys/class/net/ib0/mtu >/tmp/mtu.now
	reapply
}

# load_drv: ipoib_load_drv DRV, and debug_level with soak.debug=1.
load_drv() {
	ipoib_load_drv $DRV || return 1
	[ -z "$DEBUG" ] || [ ! -e /sys/module/ib_ipoib/parameters/debug_level ] ||
		echo "$DEBUG" >/sys/module/ib_ipoib/parameters/debug_level
}
# dump: what a failed cycle leaves, for the log.
dump() {
	state_diff
	for _ns in a b; do echo "neigh $_ns: $(ip -n $_ns neigh show | tr '\n' ';')"; done
	for _f in $IPOIB_DBG/ib0_path $IPOIB_DBG/ib1_path $IPOIB_DBG/ib0_cm $IPOIB_DBG/ib1_cm; do
		[ -e $_f ] && echo "$_f: $(tr '\n' ';' <$_f)"
	done
	for _d in sib0 sib1; do
		echo "$_d: LID $(cat /sys/class/infiniband/$_d/ports/1/lid) $(awk '$2 > 0 { printf "%s %s; ", $1, $2 }' $SIB_DBG/$_d/port1/counters)"
	done
	echo "kernel log, last lines:"
	dmesg | tail -n 25
}

# ---- one driver's soak
# recover: poll until ping works both ways (at most BOUND s); REC = the
# centiseconds it took from the end of the op.
recover() {
	_t0=$(cs)
	_end=$(($(date +%s) + BOUND))
	while ! both_ping >/dev/null 2>&1; do
		[ "$(date +%s)" -ge $_end ] && { REC=$(($(cs) - _t0)); return 1; }
		sleep 0.2
	done
	REC=$(($(cs) - _t0))
}

soak() {
	DRV=$1
	log "--- $DRV"
	fabric_clean
	require "[$DRV] softib loads" load_fabric
	ip netns add a && ip netns add b && ip -n a link set lo up && ip -n b link set lo up
	settle
	kmallocs >/tmp/km0
	res0=$(rdma_res_counts)
	require "[$DRV] ib_ipoib loads" load_drv
	require "[$DRV] netns, addresses, carrier, ping both ways" eval \
		'dgram_netns && wait_until 30 carrier a ib0 && wait_until 30 carrier b ib1 && wait_secs 30 both_ping'
	MODE=datagram MTU=$(in_ns a cat /sys/class/net/ib0/mtu) CH_0=0 CH_1=0 PK6=0 NEXT_LID=40
	MTU_DG=$MTU MTU_CM= RX= TX=
	[ $DRV = ours ] && RX=$(ring_cur a ib0 RX) TX=$(ring_cur a ib0 TX)
	RX0=$RX TX0=$TX
	check "[$DRV] state before the cycles as expected" state_ok
	iperf_start
	_r=$SEED
	: >/tmp/soak.$DRV.rec
	: >/tmp/soak.$DRV.ops
	_t_start=$(date +%s)
	_i=0
	while [ $_i -lt "$CYCLES" ]; do
		_i=$((_i + 1))
		rnd 13
		set -- $OPS
		eval op=\${$((R + 1))}
		DESC=$op SKIPPED=0 _tc=$(cs)
		_cy="[$DRV] cycle $_i/$CYCLES $op"
		if ! op_$op >/tmp/op.out 2>&1; then
			fail "$_cy: $DESC: failed"
			tail -n 10 /tmp/op.out | sed 's/^/#   /'
			break
		fi
		if [ $SKIPPED = 1 ]; then
			echo "$op skipped" >>/tmp/soak.$DRV.ops
			pass "$_cy: $DESC"
			continue
		fi
		if ! recover; then
			# In-tree 6.1 in connected mode: after a LID change, a
			# connection started from the stale path record waits out
			# ib_cm's REQ retries to the old LID (about 65 s); ours ends
			# such connections (Documentation/testing.md, "Fault soak").
			# An in-tree finding: logged, and given one more bound.
			if [ $DRV = stock ] && [ $op = lid ] && recover; then
				log "$_cy: in-tree finding: no ping within $BOUND s after the LID change; recovered $(secs $REC) s into a second wait"
			else
				fail "$_cy: $DESC: no ping both ways within $BOUND s"
				dump 2>&1 | sed 's/^/#   /'
				break
			fi
		fi
		echo "$op done" >>/tmp/soak.$DRV.ops
		echo "$REC $op" >>/tmp/soak.$DRV.rec
		# State that follows the traffic (carrier of a child-less side
		# whose peer was hit) may take a moment longer.
		if ! wait_until 20 state_ok; then
			fail "$_cy: $DESC: ping after $(secs $REC) s, but the state is not as expected"
			state_diff | sed 's/^/#   /'
			break
		fi
		pass "$_cy: $DESC: ping both ways after $(secs $REC) s, state as expected ($(secs $(($(cs) - _tc))) s in all)"
	done
	_t_cycles=$(($(date +%s) - _t_start))
	iperf_stop
	log "[$DRV] $_i cycles in $_t_cycles s"
	# a -> b: received by b's server, sent by a's client
	echo "$(rx_secs b) s, $(runs_ok a)/$(runs a)" >/tmp/soak.$DRV.ab
	echo "$(rx_secs a) s, $(runs_ok b)/$(runs b)" >/tmp/soak.$DRV.ba
	log "[$DRV] iperf3 (seconds in which the server received data, client runs complete/started):" \
		"a -> b $(cat /tmp/soak.$DRV.ab); b -> a $(cat /tmp/soak.$DRV.ba)"
	[ "$_i" = "$CYCLES" ] &&
		check "[$DRV] iperf3 carried data both ways during the soak" [ "$(rx_secs a)" -gt 0 -a "$(rx_secs b)" -gt 0 ]
	check "[$DRV] module refcount 0 before the unload" [ "$(cat /sys/module/ib_ipoib/refcnt)" = 0 ]
	check "[$DRV] ib_ipoib unloads" rmmod ib_ipoib
	check "[$DRV] no IB netdev left (initial netns, a, b)" no_ib_netdevs a b
	check "[$DRV] verbs objects are the fabric's alone (rdma res)" wait_until 10 eval '[ "$(rdma_res_counts)" = "$res0" ]'
	# In-tree's gain is the reference, taken once. Ours' objects freed
	# late (RCU, work items) may take a while: its figures are taken until
	# they pass the check against in-tree's, for at most 60 s (a leak
	# never would).
	settle
	_t=$(date +%s)
	if [ $DRV = ours ]; then
		wait_until 60 ours_within_stock
		log "[$DRV] kmalloc caches taken $(($(date +%s) - _t)) s after the unload"
	else
		kmalloc_gain $DRV
	fi
	log "[$DRV] kmalloc caches, active objects gained (driver unloaded): $(head -n 6 /tmp/kmd.$DRV | tr '\n' ' ')"
	echo "$_i" >/tmp/soak.$DRV.cycles
	echo "$_t_cycles" >/tmp/soak.$DRV.time
	ip netns del a
	ip netns del b
}

# ---- summary helpers (DRV files in /tmp/soak.DRV.*)
n_rec() { grep -c . /tmp/soak.$1.rec; }
median() { sort -n /tmp/soak.$1.rec | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'; }
maxrec() { sort -n /tmp/soak.$1.rec | awk 'END { print $1 + 0 }'; }
opcount() { # DRV OP: "done" count, or "N skipped"
	_d=$(grep -c "^$2 done" /tmp/soak.$1.ops)
	_s=$(grep -c "^$2 skipped" /tmp/soak.$1.ops)
	_m=$(awk -v o="$2" '$2 == o && $1 > m { m = $1 } END { print m + 0 }' /tmp/soak.$1.rec)
	if [ "$_s" -gt 0 ]; then echo "$_s skipped"; elif [ "$_d" -gt 0 ]; then echo "$_d, max $(secs $_m) s"; else echo 0; fi
}
gains() { # DRV: the 3 kmalloc caches that gained most (active objects)
	awk '$1 > 0 && n < 3 { sub(/kmalloc-/, "", $2); printf "%s+%d ", $2, $1; n++ } END { if (!n) printf "none" }' /tmp/kmd.$1
}
row() { printf '%-34s %-26s %s\n' "$1" "$2" "$3"; }

for DRV in stock ours; do
	soak $DRV
done
check "ours: no kmalloc cache gained 64 or more objects beyond in-tree's gain" more_than_stock
fabric_clean

log ""
log "soak summary: seed $SEED, $CYCLES cycles per driver, recovery bound $BOUND s"
row "" "in-tree" "ours"
row "cycles run" "$(cat /tmp/soak.stock.cycles) in $(cat /tmp/soak.stock.time) s" "$(cat /tmp/soak.ours.cycles) in $(cat /tmp/soak.ours.time) s"
row "recovered (ping both ways)" "$(n_rec stock)" "$(n_rec ours)"
row "skipped (op not supported)" "$(grep -c skipped /tmp/soak.stock.ops)" "$(grep -c skipped /tmp/soak.ours.ops)"
row "recovery median / max (s)" "$(secs $(median stock)) / $(secs $(maxrec stock))" "$(secs $(median ours)) / $(secs $(maxrec ours))"
for o in $OPS; do
	row "  $o" "$(opcount stock $o)" "$(opcount ours $o)"
done
row "iperf3 a->b: s with data, runs ok" "$(cat /tmp/soak.stock.ab)" "$(cat /tmp/soak.ours.ab)"
row "iperf3 b->a: s with data, runs ok" "$(cat /tmp/soak.stock.ba)" "$(cat /tmp/soak.ours.ba)"
row "kmalloc gain after unload (top 3)" "$(gains stock)" "$(gains ours)"
row "caches 64+ over in-tree's gain" "" "$(more_than_stock | wc -l)"
log "(skipped: ops the in-tree driver does not support; kmalloc gain: active objects"
log " per kmalloc cache after the unload minus before the load)"
dgram_finish
