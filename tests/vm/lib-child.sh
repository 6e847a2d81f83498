# Helpers for the P_Key child tests (tests/vm/tests/child_*.sh).  Source
# after lib.sh, lib-fabric.sh and lib-dgram.sh (IPOIB_DRIVER is the driver
# under test).
#
# Tests that compare behaviour run a scenario twice in one boot: first
# under the in-tree (stock) ib_ipoib, then under the driver under test,
# each time recording a transcript (the command, its normalised output and
# exit code), and then compare the two line by line:
#
#   two_pass SCENARIO [noload]   run SCENARIO under stock, then under the
#                                driver under test; compare the transcripts
#   x EXPECT CMD...              run CMD (eval'd: the lib.sh wrappers work),
#                                record it, and check EXPECT:
#                                  -        nothing (record only)
#                                  0        exit code 0
#                                  !        non-zero exit code
#                                  E:TEXT   non-zero, output contains TEXT
#                                           (an errno message, e.g.
#                                           "E:No such device")
#                                  =TEXT    exit 0, output is exactly TEXT
#                                  ~TEXT    exit 0, output contains TEXT
#                                  !~TEXT   exit 0, output lacks TEXT
#   wr VALUE FILE                write "VALUE\n" to FILE in a fresh shell
#                                (its write error names the errno)
#   rec TEXT                     a line of its own in the transcript
#
#   xd STOCK_EXP OURS_EXP CMD... a deliberate difference (Documentation/
#                                ipoib.md, "Differences"): each driver is
#                                checked against its own expectation and
#                                the transcript records only the command
#
# Failed commands log how many kernel-log lines they produced (klog=N) in
# the test output, not in the transcript: ours logs one line naming the
# interface for every refused request, in-tree mostly none. The stock
# transcript is printed at the end (shown with -v or on failure): it is
# the in-tree behaviour, verbatim.

N=/sys/class/net
TX=/dev/null
DRV=$IPOIB_DRIVER
# The mode the lifecycle tests give some children.
CM=connected

# ipoib_is DRV: the loaded ib_ipoib is stock (in-tree: no O taint) or ours
# (O taint, srcversion of updates/ib_ipoib.ko).
ipoib_is() {
	if [ "$1" = stock ]; then
		! grep -q O /sys/module/ib_ipoib/taint
	else
		grep -q O /sys/module/ib_ipoib/taint &&
			[ "$(cat /sys/module/ib_ipoib/srcversion)" = "$(modinfo -F srcversion "$OUR_IPOIB")" ]
	fi
}

# ipoib_load_drv DRV: load that ib_ipoib (softib loaded); ib0 and ib1 appear.
ipoib_load_drv() {
	if [ "$1" = stock ]; then load_stock_ipoib; else load_our_ipoib; fi || return 1
	ipoib_is "$1" || { echo "loaded ib_ipoib is not the $1 one"; return 1; }
	wait_until 15 netdev_exists ib0 && wait_until 15 netdev_exists ib1
}

# autoload_as DRV CMD...: run CMD with `modprobe ib_ipoib` resolving to DRV's
# module file. modprobe picks updates/ib_ipoib.ko (ours); for stock, the
# in-tree file is bind-mounted over it for the duration.
autoload_as() {
	_d=$1
	shift
	[ "$_d" = stock ] && mount --bind "$STOCK_IPOIB" "$OUR_IPOIB"
	"$@"
	_rc=$?
	[ "$_d" = stock ] && umount "$OUR_IPOIB"
	return $_rc
}

# ipoib_unload: rmmod ib_ipoib; every ipoib netdev is gone.
ipoib_unload() { ! ipoib_loaded || rmmod ib_ipoib; }

# ib_netdevs [NS]: names of the InfiniBand netdevs in NS (default: the
# initial netns), one a line, as `ip link` shows them (name@parent; in NS,
# see foreign).
ib_netdevs() {
	if [ -n "$1" ]; then ip -n "$1" -o link show | foreign; else ip -o link show; fi 2>/dev/null |
		awk '/link\/infiniband/ { sub(/:$/, "", $2); print $2 }'
}

# foreign: for `ip -n NS link show` of children whose parent is in another
# netns: ip resolves the parent's ifindex (and its up/down state, M-DOWN) in
# NS, where it names an unrelated device or none; "name@?" instead.
foreign() { sed -E 's/^([0-9]+: [^:@ ]+)(@[^: ]+)?:/\1@?:/; s/,M-DOWN//'; }

# no_ib_netdevs NS...: no InfiniBand netdev in the initial netns nor in any NS.
no_ib_netdevs() {
	[ -z "$(ib_netdevs)" ] || return 1
	for _ns in "$@"; do [ -z "$(ib_netdevs "$_ns")" ] || return 1; done
}

# tx_norm: normalise what differs between two loads of any driver:
# ifindexes (line starts, @ifN, sysfs ifindex/iflink values are recorded
# as relations instead) and the QPN bytes of the hardware address (its
# flags byte, 0x80 for both, is compared). Also the TX queue count a
# device was allocated with and the qdisc that follows from it (mq over
# several): ours gives a parent one TX queue per CPU, in-tree one
# (Documentation/ipoib.md, Differences); ethtool_queues tests ours'.
tx_norm() {
	sed -E 's/^[0-9]+: /N: /; s/@if[0-9]+/@ifN/; s#(link/infiniband [0-9a-f]{2})(:[0-9a-f]{2}){3}#\1:QQ:QQ:QQ#; s/ +$//
		s/numtxqueues [0-9]+/numtxqueues Q/; s/ qdisc (mq|fq_codel) / qdisc Q /'
}

# klog_mark; ...; klog_since: kernel-log lines in between. Marks are
# written to /dev/kmsg: that also closes a pending record (in-tree's
# ipoib_warn lines have no newline and stay unread until the next one), and
# does not depend on how much of the log busybox dmesg reads.
_km=0
klog_mark() {
	_km=$((_km + 1))
	echo "vmtest: mark $_km" >/dev/kmsg
}
klog_since() {
	echo "vmtest: mark $_km end" >/dev/kmsg
	dmesg -s 1048576 | awk -v a="vmtest: mark $_km" -v b="vmtest: mark $_km end" '
		index($0, b) { f = 0 } f { n++ } substr($0, length($0) - length(a) + 1) == a { f = 1; n = 0 }
		END { print n + 0 }'
}

rec() { echo "$*" >>"$TX"; }

wr() { /bin/sh -c "echo '$1' > $2"; }

x() {
	_exp=$1
	shift
	klog_mark
	_out=$( (eval "$*") 2>&1)
	_rc=$?
	_k=$(klog_since)
	{
		echo "\$ $*"
		[ -n "$_out" ] && printf '%s\n' "$_out" | tx_norm
		echo "rc=$_rc"
	} >>"$TX"
	[ $_rc -ne 0 ] && log "[$DRV] rc=$_rc klog=$_k: $*"
	_ok=1
	case $_exp in
	-) return 0 ;;
	0) [ $_rc -eq 0 ] || _ok=0 ;;
	!) [ $_rc -ne 0 ] || _ok=0 ;;
	E:*) [ $_rc -ne 0 ] && case $_out in *"${_exp#E:}"*) ;; *) false ;; esac || _ok=0 ;;
	=*) [ $_rc -eq 0 ] && [ "$_out" = "${_exp#=}" ] || _ok=0 ;;
	~*) [ $_rc -eq 0 ] && case $_out in *"${_exp#\~}"*) ;; *) false ;; esac || _ok=0 ;;
	!~*) [ $_rc -eq 0 ] && case $_out in *"${_exp#!\~}"*) false ;; esac || _ok=0 ;;
	esac
	if [ $_ok = 1 ]; then
		pass "[$DRV] $* -> ${_exp}"
	else
		fail "[$DRV] $* -> expected ${_exp}, got rc=$_rc"
		printf '%s\n' "$_out" | tail -n 8 | sed 's/^/#   /'
	fi
}

# two_pass SCENARIO [noload]: SCENARIO under stock, then under the driver
# under test (stock again when that is stock: the transcripts must then be
# equal, which also proves the normalisation). Each pass starts with
# softib loaded and (unless noload) the driver loaded with ib0/ib1 up to
# exist; SCENARIO must leave no netns behind. The driver is unloaded after.
two_pass() {
	_p=0
	for DRV in stock $IPOIB_DRIVER; do
		_p=$((_p + 1))
		TX=/tmp/transcript.$_p
		: >"$TX"
		log "--- pass $_p: $DRV"
		if [ "$2" != noload ]; then
			require "[$DRV] ib_ipoib loads" ipoib_load_drv $DRV
		fi
		"$1"
		check "[$DRV] ib_ipoib unloads" ipoib_unload
	done
	DRV=$IPOIB_DRIVER
	tx_compare /tmp/transcript.1 /tmp/transcript.2
	log "stock transcript:"
	sed 's/^/  | /' /tmp/transcript.1
}

# tx_compare STOCK UNDER_TEST: the transcripts are equal line by line.
tx_compare() {
	_n=$((_n + 1))
	if cmp -s "$1" "$2"; then
		echo "ok $_n transcript of $IPOIB_DRIVER equals stock's ($(wc -l <"$1") lines)"
	else
		echo "not ok $_n transcript of $IPOIB_DRIVER differs from stock's (--- stock, +++ $IPOIB_DRIVER):"
		diff -U 1 "$1" "$2" | head -n 120 | sed 's/^/#   /'
		_failed=$((_failed + 1))
	fi
}

netdev_gone() { ! netdev_exists "$1"; }

# ping_ok NS ADDR / ping_no NS ADDR: reachable / not reachable.
ping_ok() { in_ns "$1" ping -c 2 -W 3 "$2"; }
ping_no() { ! in_ns "$1" ping -c 2 -W 2 "$2"; }

xd() {
	_es=$1
	_eo=$2
	shift 2
	_tx=$TX
	TX=/dev/null
	if [ "$DRV" = stock ]; then x "$_es" "$@"; else x "$_eo" "$@"; fi
	TX=$_tx
	echo "\$ $* [differs by design]" >>"$TX"
}
