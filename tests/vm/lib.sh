# Sourced by every VM test (busybox ash). Provides wrappers for the real
# Debian tools, assertions that print KTAP-style lines, and module helpers.
#
#   check DESC CMD...        run CMD; "ok N DESC" or "not ok N DESC" (+ output)
#                            (CMD runs as is: inside `sh -c '...'` the wrapper
#                            functions below do not exist and busybox applets
#                            answer instead; call tools by /usr/sbin path there)
#   check_fails DESC CMD...  CMD must fail
#   wait_until SECS CMD...   poll CMD every 0.2 s until it succeeds (0) or SECS of
#                            wall-clock time pass (1), however long CMD takes
#   log MSG / skip REASON / finish

# Debian's busybox shell runs its own applets before PATH lookups, so the
# real tools are called by path through functions.
ip() { /usr/sbin/ip "$@"; }
ping() { /usr/sbin/ping "$@"; }
ethtool() { /usr/sbin/ethtool "$@"; }
iperf3() { /usr/sbin/iperf3 "$@"; }
tcpdump() { /usr/sbin/tcpdump "$@"; }
rdma() { /usr/sbin/rdma "$@"; }
ibstat() { /usr/sbin/ibstat "$@"; }
modprobe() { /usr/sbin/modprobe "$@"; }
insmod() { /usr/sbin/insmod "$@"; }
rmmod() { /usr/sbin/rmmod "$@"; }
lsmod() { /usr/sbin/lsmod "$@"; }
modinfo() { /usr/sbin/modinfo "$@"; }

KVER=$(cat /vmtest/kver)
# The Debian kernel's own ib_ipoib; load it by path so ours is not picked.
STOCK_IPOIB=/lib/modules/$KVER/kernel/drivers/infiniband/ulp/ipoib/ib_ipoib.ko
OUR_IPOIB=/lib/modules/$KVER/updates/ib_ipoib.ko

_n=0
_failed=0

log() { echo "$*"; }
# cmdline_knob NAME DEFAULT: the value given as NAME=VALUE on the kernel command
# line (tests/vm/run --append; the last one), else DEFAULT: how make soak,
# make bench and a rerun pass a test its counts, seeds and settings.
cmdline_knob() {
	_v=$(tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | tail -n 1)
	echo "${_v:-$2}"
}

check() {
	desc=$1
	shift
	_n=$((_n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $_n $desc"
	else
		echo "not ok $_n $desc"
		echo "$out" | tail -n 20 | sed 's/^/#   /'
		_failed=$((_failed + 1))
	fi
}

check_fails() {
	desc=$1
	shift
	_n=$((_n + 1))
	if out=$("$@" 2>&1); then
		echo "not ok $_n $desc (unexpectedly succeeded)"
		echo "$out" | tail -n 20 | sed 's/^/#   /'
		_failed=$((_failed + 1))
	else
		echo "ok $_n $desc"
	fi
}

# Records a failure with a message, without running anything.
fail() {
	_n=$((_n + 1))
	echo "not ok $_n $*"
	_failed=$((_failed + 1))
}

pass() {
	_n=$((_n + 1))
	echo "ok $_n $*"
}

wait_until() {
	_end=$(($(date +%s) + $1))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(date +%s)" -ge $_end ] && return 1
		sleep 0.2
	done
}

skip() {
	echo "SKIP $*"
	exit 4
}

finish() {
	echo "# $_n checks, $_failed failed"
	[ $_failed -eq 0 ]
	exit $?
}

# Kernel log lines since a mark: mark=$(dmesg_mark); ...; dmesg_since $mark
# The VM boots with log_buf_len=16M, so the log does not wrap in a run;
# -s reads all of it (busybox dmesg reads 16 KiB by default on some builds).
dmesg() { /bin/dmesg -s 16777216 "$@"; }
dmesg_mark() { dmesg | wc -l; }
dmesg_since() { dmesg | tail -n +"$(($1 + 1))"; }

# /proc/meminfo field in kB.
meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

# free_kb: free memory in kB, counting the pages parked on the per-CPU free
# lists. MemFree and MemAvailable leave those out, and with 2 GB and 2 CPUs
# the lists hold up to 27 MB each: both figures swung by ~22 MB from one
# identical cycle to the next, while this one moved by < 200 kB.
free_kb() {
	awk '$1 == "pages" && $2 == "free" { f += $3 } $1 == "count:" { f += $2 } END { print f * 4 }' /proc/zoneinfo
}

load_fabric() { modprobe softib "$@"; }
load_stock_ipoib() { modprobe ib_cm && insmod "$STOCK_IPOIB"; }
load_our_ipoib() { modprobe ib_ipoib "$@"; }
