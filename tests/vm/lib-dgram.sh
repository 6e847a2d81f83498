# Helpers for the datagram-mode end-to-end tests (tests/vm/tests/dgram_*.sh).
# Source after /vmtest/lib.sh and /vmtest/lib-fabric.sh.  Same topology as
# the fabric tests (softib defaults: sib0/sib1, one port each; ib0 in netns
# a, ib1 in netns b), but the IPoIB driver is the one under test:
#
#   ours (default)  updates/ib_ipoib.ko, built from this repository
#   stock           the Debian kernel's in-tree ib_ipoib, selected with the
#                   kernel command line word ipoib_test_driver=stock:
#                     tests/vm/run --append ipoib_test_driver=stock -t NAME
#
# The tests assert what the in-tree driver does, so they pass with stock
# and say where ours differs.

IPOIB_DRIVER=$(sed -n 's/.*ipoib_test_driver=\([a-z]*\).*/\1/p' /proc/cmdline)
IPOIB_DRIVER=${IPOIB_DRIVER:-ours}
case $IPOIB_DRIVER in
ours) IPOIB_KO=$OUR_IPOIB ;;
stock) IPOIB_KO=$STOCK_IPOIB ;;
*) echo "unknown ipoib_test_driver=$IPOIB_DRIVER (ours or stock)"; exit 2 ;;
esac
log "driver under test: $IPOIB_DRIVER ($IPOIB_KO)"
_dgram_t0=$(date +%s)

# dgram_finish: finish, stating the test's wall-clock time.
dgram_finish() {
	log "elapsed $(($(date +%s) - _dgram_t0)) s ($IPOIB_DRIVER driver)"
	finish
}

# require DESC CMD...: a check the rest of the test depends on (bring-up);
# if it fails the test ends there, rather than failing every later check
# slowly, one timeout after another.
require() {
	_f0=$_failed
	check "$@"
	[ $_failed -eq $_f0 ] && return 0
	log "bail out: the remaining checks depend on \"$1\""
	dgram_finish
}

# load_ipoib [PARAMS]: load the driver under test.
load_ipoib() {
	if [ $IPOIB_DRIVER = stock ]; then load_stock_ipoib "$@"; else load_our_ipoib "$@"; fi
}

# The loaded ib_ipoib is the one under test: ours is out of tree (taint O)
# with the srcversion of updates/ib_ipoib.ko; the in-tree one is neither.
ipoib_is_under_test() {
	if [ $IPOIB_DRIVER = stock ]; then
		! grep -q O /sys/module/ib_ipoib/taint
	else
		grep -q O /sys/module/ib_ipoib/taint &&
			[ "$(cat /sys/module/ib_ipoib/srcversion)" = "$(modinfo -F srcversion "$IPOIB_KO")" ]
	fi
}

ipoib_loaded() { grep -q '^ib_ipoib ' /proc/modules; }

# ipoib_load_wait: load the driver under test (softib already there); ib0
# and ib1 appear.
ipoib_load_wait() {
	load_ipoib || return 1
	ipoib_is_under_test || { echo "loaded ib_ipoib is not the $IPOIB_DRIVER one"; return 1; }
	wait_until 15 netdev_exists ib0 && wait_until 15 netdev_exists ib1
}

# dgram_netns: like fabric_netns, but reuses netns a/b if they exist (they
# outlive an unload of ipoib).
dgram_netns() {
	if [ -e /run/netns/a ] || [ -e /run/netns/b ]; then
		ip link set ib0 netns a && ip link set ib1 netns b || return 1
		ip -n a addr add $A4/24 dev ib0 && ip -n b addr add $B4/24 dev ib1 || return 1
		ip -n a addr add $A6/64 dev ib0 nodad && ip -n b addr add $B6/64 dev ib1 nodad || return 1
		ip -n a link set ib0 up && ip -n b link set ib1 up
	else
		fabric_netns
	fi
}

# ipoib_bringup: ipoib_load_wait, then netns a/b, addresses, carrier.
ipoib_bringup() {
	ipoib_load_wait || return 1
	dgram_netns || return 1
	wait_until 30 carrier a ib0 && wait_until 30 carrier b ib1
}

# dgram_load [SOFTIB PARAMS]: softib and the driver under test.
dgram_load() { load_fabric "$@" && ipoib_load_wait; }

# dgram_bringup [SOFTIB PARAMS]: everything up to carrier on both sides.
dgram_bringup() { load_fabric "$@" && ipoib_bringup; }

# dev_stat NS DEV NAME: a netdev counter (rx_bytes, rx_packets, rx_dropped,
# tx_bytes, tx_packets, tx_dropped) as netlink reports it (ip -s link), so
# it does not depend on the netns' view of sysfs (dgram_basic checks that).
dev_stat() {
	ip -n "$1" -s link show "$2" | awk -v w="$3" '
		$1 == "RX:" { getline; v["rx_bytes"] = $1; v["rx_packets"] = $2; v["rx_dropped"] = $4 }
		$1 == "TX:" { getline; v["tx_bytes"] = $1; v["tx_packets"] = $2; v["tx_dropped"] = $4 }
		END { print v[w] }'
}

# stat_grew NS DEV NAME BEFORE MIN: the counter grew by at least MIN.
stat_grew() { [ $(($(dev_stat "$1" "$2" "$3") - $4)) -ge "$5" ]; }

# lladdr NS DEV: the 20-byte hardware address, from netlink.
lladdr() {
	ip -n "$1" -o link show "$2" | awk '{ for (i = 1; i < NF; i++) if ($i == "link/infiniband") print $(i + 1) }'
}

# same A B: A is not empty and equals B.
same() { [ -n "$1" ] && [ "$1" = "$2" ]; }

# port_gid_hex HCA: GID[0] of port 1 as 16 colon-separated bytes.
port_gid_hex() {
	tr -d ':\n' </sys/class/infiniband/$1/ports/1/gids/0 | sed 's/../&:/g; s/:$//'
}

no_carrier() { ! carrier "$@"; }


# rdma_res_counts: the per-HCA object counts (pd, cq, qp, srq, ...), to
# compare before loading and after unloading ipoib.
rdma_res_counts() { rdma res show | sed 's/^[0-9]*: //'; }

# Leak checks over repeated cycles (cm_cycles, child_cycles, ethtool_queues):
# settle frees what caches hold; kmallocs lists "cache active_objects";
# kmdiff A B prints "gain cache" for each that changed; grew_in_both A B
# fails (and names them) for caches that gained 10 or more objects in both
# halves A and B, as a leak does, while noise moves one half only.
# SLUB's /proc/slabinfo counts free objects still in per-CPU slabs as
# active, so a snapshot taken as is moves by hundreds in the small caches
# with nothing leaked; kmallocs first shrinks the caches (flushing the
# per-CPU slabs) so the count is of live objects.
settle() { sleep 2; sync; echo 3 >/proc/sys/vm/drop_caches; }
kmallocs() {
	for _f in /sys/kernel/slab/kmalloc-*/shrink; do echo 1 >"$_f"; done 2>/dev/null
	awk '$1 ~ /^kmalloc-/ { print $1, $2 }' /proc/slabinfo
}
# more_than_stock: /tmp/kmd.stock and /tmp/kmd.ours (kmdiff output of the
# same steps under each driver); fails, naming them, for caches ours grew
# 64 or more past in-tree's gain. (The kernel keeps some objects of its
# own after netdevs and traffic come and go, under either driver.) A cache
# that shrank under in-tree counts as a gain of 0: the kernel freeing its
# own objects then is no allowance for ours (a fresh clone's fuzz_packets
# failed on kmalloc-96 ours +39 against in-tree -41).
more_than_stock() {
	awk 'NR == FNR { s[$2] = $1 > 0 ? $1 : 0; next } $1 - s[$2] >= 64 { print $2 ": ours +" $1 ", stock +" s[$2]; bad = 1 } END { exit bad }' \
		/tmp/kmd.stock /tmp/kmd.ours
}
# kmalloc_gain DRV: each kmalloc cache's gain since /tmp/km0 into /tmp/kmd.DRV
# (for more_than_stock); kmalloc_gained DRV also settles first and logs the top six.
kmalloc_gain() { kmallocs >/tmp/km1 && kmdiff /tmp/km0 /tmp/km1 >/tmp/kmd.$1; }
kmalloc_gained() {
	settle
	kmalloc_gain $1
	log "$1: kmalloc caches, active objects gained (driver unloaded): $(head -n 6 /tmp/kmd.$1 | tr '\n' ' ')"
}
# ours_within_stock: ours' gain now (kmalloc_gain ours) passes more_than_stock.
ours_within_stock() { kmalloc_gain ours && more_than_stock; }
# kmalloc_after_unload DRV: kmalloc_gained DRV, after the driver's unload.
# The kernel frees some of a netdev's objects late (deferred frees, RCU,
# work items; a fresh clone's fuzz_control once counted ours' kmalloc-8
# at +1273 against in-tree's +718, the run before +711 against +710): ours
# (run after in-tree) gets up to 60 s to come within in-tree's gain, the
# wait is logged, and a leak never would.
kmalloc_after_unload() {
	if [ "$1" = ours ]; then
		_t=$(date +%s)
		settle
		wait_until 60 ours_within_stock
		log "ours: kmalloc counted $(($(date +%s) - _t)) s after the unload"
	fi
	kmalloc_gained "$1"
}
kmdiff() { awk 'NR == FNR { a[$1] = $2; next } { d = $2 - a[$1]; if (d != 0) print d, $1 }' "$1" "$2" | sort -rn; }
grew_in_both() {
	awk 'NR == FNR { if ($1 >= 10) g[$2] = 1; next } $1 >= 10 && g[$2] { print $2; bad = 1 } END { exit bad }' "$1" "$2"
}
# leak_start, leak_half, leak_end: the snapshots before, between and after
# the two halves; then leak_checks WHAT FIRST-HALF SECOND-HALF (e.g.
# "80 switches" "switches 21-60" "switches 61-100") checks and logs them.
leak_start() { settle; _res0=$(rdma_res_counts); _slab0=$(meminfo Slab); kmallocs >/tmp/km0; }
leak_half() { settle; kmallocs >/tmp/kmh; }
leak_end() { settle; _slab1=$(meminfo Slab); kmallocs >/tmp/km1; }
leak_checks() {
	check "verbs objects as after the warm-up (rdma res)" same "$(rdma_res_counts)" "$_res0"
	log "Slab ${_slab0} -> ${_slab1} kB over $1"
	check "Slab grew by less than 2 MB over $1" [ $((_slab1 - _slab0)) -lt 2048 ]
	kmdiff /tmp/km0 /tmp/kmh >/tmp/kmd1
	kmdiff /tmp/kmh /tmp/km1 >/tmp/kmd2
	log "kmalloc caches, active objects gained over $2: $(head -n 6 /tmp/kmd1 | tr '\n' ' ')"
	log "kmalloc caches, active objects gained over $3: $(head -n 6 /tmp/kmd2 | tr '\n' ' ')"
	check "no kmalloc cache gained 10 or more objects in both halves" grew_in_both /tmp/kmd1 /tmp/kmd2
}
# bg_ping_checked: bg_ping_stop, then the background ping must have lost < 10%.
bg_ping_checked() {
	bg_ping_stop
	log "background ping: $BG"
	check "background ping lost < 10%" awk -v r="$BG" 'BEGIN { split(r, p, "/"); exit !(p[2] > 0 && p[1] * 100 >= p[2] * 90) }'
}
