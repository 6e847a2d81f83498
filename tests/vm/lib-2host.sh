# Sourced by two-host tests ("# hosts: 2" in a test's first lines), after
# lib.sh. tests/vm/run boots two VMs for them, A and B, whose eth0 NICs
# (virtio-net, MTU 9000) are joined back to back: A is 10.199.0.1/24, B
# 10.199.0.2/24, both in the init network namespace. The test runs on A;
# B runs only vmagent (tests/vm/tools/vmagent.c), which these helpers use.
#
#   on A|B CMD...         run CMD on that host: on A here, on B through the
#                         agent; stdout, stderr and the exit status come
#                         back as they were. The words are quoted one by
#                         one, so `on B ip -n b addr show dev ib0` and
#                         `on B sh -c 'echo $x | wc -c'` mean on B what they
#                         would here. On B, CMD runs in a shell that sourced
#                         lib.sh: its wrappers (ip, ping, ...) and helpers
#                         work there too. Output of what CMD leaves running
#                         in the background is dropped when CMD ends.
#   host_kver A|B         the kernel release that host runs
#   put_b SRC DST         copy the file SRC on A to DST on B
#   b_dmesg_mark          B's kernel log position; b_dmesg_since MARK: B's
#                         lines after it (like lib.sh's dmesg_mark/_since)
#
# After each test the harness also collects B's kernel-log splats of the
# test's time and fails it on any, as on A.

TWOHOST_A=10.199.0.1
TWOHOST_B=10.199.0.2
TWOHOST_PORT=7070

[ "$(cmdline_knob vmtest.host '')" = a ] || skip "a two-host test: not in a two-host boot (tests/vm/run boots one for \"# hosts: 2\")"

# 'word' with embedded single quotes as '\''.
_q() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

on() {
	_h=$1
	shift
	case "$_h" in
	A | a) "$@" ;;
	B | b)
		_cmd=". /vmtest/lib.sh;"
		for _w in "$@"; do
			_cmd="$_cmd $(_q "$_w")"
		done
		/usr/sbin/vmagent "$TWOHOST_B" "$TWOHOST_PORT" "$_cmd"
		;;
	*)
		echo "on: host A or B, not $_h" >&2
		return 2
		;;
	esac
}

host_kver() { on "$1" uname -r; }

put_b() { /usr/sbin/vmagent -p "$TWOHOST_B" "$TWOHOST_PORT" "$2" <"$1"; }

b_dmesg_mark() { on B dmesg_mark; }
b_dmesg_since() { on B dmesg_since "$1"; }
