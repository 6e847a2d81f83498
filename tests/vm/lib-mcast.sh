# Helpers for the multicast tests (tests/vm/tests/mcast_*.sh). Source after
# lib.sh, lib-fabric.sh, lib-dgram.sh and lib-child.sh: the scenarios run
# under stock and then under the driver under test (two_pass) and their
# transcripts are compared, so the debugfs <if>_mcg text of both drivers
# must be equal.

# tx_norm, as lib-child's, plus the one <if>_mcg field that differs between
# two loads of any driver: "created" (raw jiffies). Its digits become N, so
# the field width (%10ld) is still compared.
tx_norm() {
	sed -E 's/^[0-9]+:([[:space:]])/N:\1/; s/@if[0-9]+/@ifN/; s#(link/infiniband [0-9a-f]{2})(:[0-9a-f]{2}){3}#\1:QQ:QQ:QQ#; s/ +$//
		s/numtxqueues [0-9]+/numtxqueues Q/; s/ qdisc (mq|fq_codel) / qdisc Q /' |
		awk '/^  created: / { gsub(/[0-9]/, "N") } { print }'
}

# mcg IF: the debugfs multicast group file of IF, verbatim.
mcg() { cat "$IPOIB_DBG/$1_mcg"; }

# mcg_files: the ipoib debugfs files in-tree has (ours also has <if>_cm).
mcg_files() { ls "$IPOIB_DBG" | grep -E '_(mcg|path)$'; }

# mcg_gids IF: the groups of IF's file, one MGID a line.
mcg_gids() { mcg "$1" | sed -n 's/^GID: //p'; }

# mcg_has IF MGID [yes|no]: IF's file lists MGID (complete, or not).
mcg_has() {
	mcg "$1" | awk -v g="$2" -v c="$3" '
		$1 == "GID:" { cur = ($2 == g) }
		cur && $1 == "complete:" { if (c == "" || $2 == c) f = 1 }
		END { exit !f }'
}
mcg_lacks() { ! mcg_has "$1" "$2"; }

# mcg_sendonly IF MGID yes|no: IF lists MGID with that send_only value.
mcg_sendonly() {
	mcg "$1" | awk -v g="$2" -v c="$3" '
		$1 == "GID:" { cur = ($2 == g) }
		cur && $1 == "send_only:" { if ($2 == c) f = 1 }
		END { exit !f }'
}

# mcg_settled NS IF: IF's file has the broadcast group and a complete
# group for every address on the device's multicast list, and nothing
# incomplete. Send-only groups (IGMP/MLD reports, router solicitations)
# may come on top.
mcg_settled() {
	mcg "$2" | grep -q 'complete: *no$' && return 1
	mcg_has "$2" "$(ll2gid "$(ip -n "$1" -o link show "$2" | sed 's/.* brd \([0-9a-f:]*\).*/\1/')")" yes || return 1
	for _l in $(ip -n "$1" maddr show dev "$2" | sed -n 's/^	link  *//p'); do
		mcg_has "$2" "$(ll2gid "$_l")" yes || return 1
	done
}

# ll2gid LLADDR: the MGID of a 20-byte IPoIB address, in the debugfs style.
ll2gid() {
	_IFS=$IFS
	IFS=:
	set -- $1
	IFS=$_IFS
	shift 4
	_s=
	for _i in 1 2 3 4 5 6 7 8; do
		_s="$_s${_s:+:}$(printf %x "0x$1$2")"
		shift 2
	done
	echo "$_s"
}

# mgid4 GROUP [PKEY]: the MGID an IPv4 group maps to, in the debugfs style
# (ff12:401b:<pkey>:0:0:0:<low 28 bits as two groups>).
mgid4() {
	_ip=$1
	_pk=${2:-ffff}
	_IFS=$IFS
	IFS=.
	set -- $_ip
	IFS=$_IFS
	printf 'ff12:401b:%x:0:0:0:%x:%x\n' "0x$_pk" $((($1 & 15) * 256 + $2)) $(($3 * 256 + $4))
}

# lladdr4 GROUP [PKEY]: the 20-byte multicast link-layer address of an
# IPv4 group (for ip maddr add/del).
lladdr4() {
	_ip=$1
	_pk=${2:-ffff}
	_IFS=$IFS
	IFS=.
	set -- $_ip
	IFS=$_IFS
	printf '00:ff:ff:ff:ff:12:40:1b:%s:%s:00:00:00:00:00:00:%02x:%02x:%02x:%02x\n' \
		"$(echo $_pk | cut -c1-2)" "$(echo $_pk | cut -c3-4)" $(($1 & 15)) $2 $3 $4
}

# mc_listen NS GROUP IF SECS [COUNT]: a listener (mcudp) in the
# background, joined when this returns; its output goes to /tmp/mcudp.NS.
# Call it directly, not through x or check (they run commands in a
# subshell, and the listener must be a child of the test's shell);
# joined NS then records whether it joined.
mc_listen() {
	rm -f /tmp/mcudp."$1"
	in_ns "$1" mcudp listen "$2" 5001 "$3" "$4" $5 >/tmp/mcudp."$1" 2>&1 &
	_mc_pid=$!
	wait_until 5 grep -q joined /tmp/mcudp."$1"
}
joined() { grep -q joined /tmp/mcudp."$1"; }
# mc_listen_wait: wait for the listener to end (directly, as mc_listen);
# mc_result NS then prints its result ("received N").
mc_listen_wait() { wait $_mc_pid; }
mc_result() { grep received /tmp/mcudp."$1"; }
# mc_send NS GROUP IF COUNT: prints "sent N"; notes the time in /tmp/mc_sent.
mc_send() {
	in_ns "$1" mcudp send "$2" 5001 "$3" "$4"
	date +%s >/tmp/mc_sent
}

# gc_interval SECS: net.ipv4.neigh.default.gc_interval (arp_tbl), which
# both drivers read when an interface comes up and at each neighbour GC
# run; idle send-only groups go after two periods.
gc_interval() { echo "$1" >/proc/sys/net/ipv4/neigh/default/gc_interval; }
