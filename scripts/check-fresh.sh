#!/bin/bash
# make check-fresh: the README's two commands on a fresh Debian 12 system,
# as a new user runs them, with nothing of this machine's installs.
#
#   1. debootstrap a minimal Debian 12 (bookworm, --variant=minbase, plus
#      make: the one tool a user needs to type the commands) under
#      build/fresh/root, with this machine's apt sources (the same mirror
#      and bookworm-security, which carries the current kernels);
#   2. clone the committed tree (HEAD) into it, as a user's git clone;
#   3. chroot in (with /proc, /sys, /dev) and run `make demo`, then
#      `make check`, each once, with no standard input: both must succeed
#      on the first try, and make check's closing line must say 0 failed;
#   4. the Debian package, installed for real in that root: `make deb`,
#      `apt-get install ./ipoib-cxx-dkms_*.deb` must build and install
#      ib_ipoib.ko for every kernel there with headers (6.1, and 6.12,
#      which make check installs), under updates/ where modprobe prefers
#      it; `apt-get remove` must give each kernel its in-tree module back.
#
# QEMU runs inside the chroot. The VMs there take this machine's VM lock
# (bind-mounted), so they never run beside another VM run of the host.
# Nothing is loaded into the host kernel; the root's module trees are its
# own. Runs as root (chroot, mounts). Options:
#   --keep       leave build/fresh/root for inspection (default: removed
#                when everything passed)
#   --no-cache   download every package (default: this machine's apt
#                archive cache is shared, so packages it holds are not
#                fetched again; what is installed and run is the same)
# Prints ok/not ok lines and "N passed, N failed"; the logs are in
# build/fresh/*.log.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
fresh=$top/build/fresh
root=$fresh/root
keep=""
cache=1
for a in "$@"; do
	case "$a" in
	--keep) keep=1 ;;
	--no-cache) cache="" ;;
	*) echo "usage: $0 [--keep] [--no-cache]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" -eq 0 ] || { echo "check-fresh: run as root (debootstrap, chroot, mounts)" >&2; exit 2; }

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - fresh: $*"; }
notok() { fail=$((fail + 1)); echo "not ok - fresh: $*"; }
mounts=()
cleanup() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount -R "${mounts[$i]}" 2>/dev/null || umount -lR "${mounts[$i]}" 2>/dev/null
	done
	mounts=()
}
finish() {
	cleanup
	if [ "$fail" -eq 0 ] && [ -z "$keep" ]; then rm -rf --one-file-system "$root"; fi
	echo "check-fresh: total $(($(date +%s) - T0)) s"
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}
trap 'cleanup; exit 130' INT TERM
T0=$(date +%s)
# step NAME LOG COMMAND...: runs a command, logs it, says how long it took.
step() {
	local what=$1 log=$2 t=$(date +%s) rc
	shift 2
	"$@" >"$log" 2>&1 </dev/null
	rc=$?
	if [ $rc -eq 0 ]; then
		ok "$what ($(($(date +%s) - t)) s)"
	else
		notok "$what: exit $rc ($(($(date +%s) - t)) s), last lines of $(basename "$log"):"
		tail -n 25 "$log" | sed 's/^/#   /'
	fi
	return $rc
}
# in_root COMMAND: a login-less root shell in the fresh system, with a clean
# environment (nothing of the caller's PATH, KDIR or KVER).
in_root() {
	env -i HOME=/root LANG=C.UTF-8 TERM=dumb PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		chroot "$root" /bin/bash -c "$1"
}

if ! command -v debootstrap >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap </dev/null >/dev/null ||
		{ notok "installing debootstrap"; finish; }
fi
# The mirror this machine's apt uses for bookworm main (named by no file of ours).
mirror=$(apt-cache policy 2>/dev/null | awk '$3 == "bookworm/main" && $4 == "amd64" { print $2; exit }')
[ -n "$mirror" ] || { notok "this machine's apt knows no bookworm/main mirror (apt-get update?)"; finish; }

# Leftovers of an interrupted run: unmount before removing.
if [ -d "$root" ]; then
	for m in $(awk -v r="$root" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do umount -l "$m"; done
	rm -rf --one-file-system "$root"
fi
mkdir -p "$fresh"

# 1. A minimal Debian 12.
debootstrap_args=(--variant=minbase --include=make)
[ -n "$cache" ] && debootstrap_args+=(--cache-dir=/var/cache/apt/archives)
step "debootstrap bookworm (minbase + make)" "$fresh/debootstrap.log" \
	debootstrap "${debootstrap_args[@]}" bookworm "$root" "$mirror" || finish
# This machine's apt sources (its mirror and bookworm-security), as a
# fresh install of the same release has them.
rm -f "$root/etc/apt/sources.list"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	grep -q bookworm "$f" || continue
	cp "$f" "$root$f"
done
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null

# 2. The tree, as a user clones it.
rev=$(git -C "$top" rev-parse --short HEAD)
if git clone -q --no-hardlinks "$top" "$root/root/ipoib" 2>"$fresh/clone.log"; then
	ok "git clone of $rev"
else
	notok "git clone"
	finish
fi

# 3. Mounts: the system's own, the VM lock, the shared package cache.
mountit() { mount "$@" && mounts+=("${@: -1}"); }
mountit -t proc proc "$root/proc"
mountit --rbind /sys "$root/sys" && mount --make-rslave "$root/sys"
mountit --rbind /dev "$root/dev" && mount --make-rslave "$root/dev"
touch /tmp/ipoib-vm.lock "$root/tmp/ipoib-vm.lock"
mountit --bind /tmp/ipoib-vm.lock "$root/tmp/ipoib-vm.lock"
[ -n "$cache" ] && mountit --bind /var/cache/apt/archives "$root/var/cache/apt/archives"

step "make demo (first try)" "$fresh/demo.log" in_root 'cd /root/ipoib && make demo'
tail -n 3 "$fresh/demo.log" | sed 's/^/#   /'

step "make check (first try)" "$fresh/check.log" in_root 'cd /root/ipoib && make check'
closing=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$fresh/check.log" | tail -n 1)
if echo "$closing" | grep -qE '[0-9]+ passed, 0 failed'; then
	ok "make check closing line: $closing"
else
	notok "make check closing line: ${closing:-none}"
fi

# 4. The package, installed for real.
step "make deb" "$fresh/deb.log" in_root 'cd /root/ipoib && make deb' || finish
kernels=$(cd "$root/lib/modules" && for k in *; do [ -e "$k/build/include" ] && echo "$k"; done)
echo "# kernels with headers in the fresh root: $(echo $kernels)"
for want in 6.1. 6.12.; do
	echo "$kernels" | grep -q "^$want" || notok "no $want* kernel headers in the fresh root"
done
step "apt-get install ./ipoib-cxx-dkms_*.deb" "$fresh/deb-install.log" \
	in_root 'cd /root/ipoib && DEBIAN_FRONTEND=noninteractive apt-get install -y ./build/deb/ipoib-cxx-dkms_*_all.deb'
ver=$(cat "$top/VERSION")
for k in $kernels; do
	path=$(in_root "modinfo -k $k -n ib_ipoib" 2>/dev/null)
	v=$(in_root "modinfo -k $k -F version ib_ipoib" 2>/dev/null)
	case "$path" in
	*/updates/*) ok "$k: modprobe finds ours ($path, version $v)" ;;
	*) notok "$k: modprobe finds $path, not ours under updates/" ;;
	esac
	[ "$v" = "$ver" ] || notok "$k: version $v, not $ver"
done
step "apt-get remove ipoib-cxx-dkms" "$fresh/deb-remove.log" \
	in_root 'DEBIAN_FRONTEND=noninteractive apt-get remove -y ipoib-cxx-dkms'
for k in $kernels; do
	path=$(in_root "modinfo -k $k -n ib_ipoib" 2>/dev/null)
	case "$path" in
	*/kernel/drivers/infiniband/ulp/ipoib/ib_ipoib.ko*) ok "$k: in-tree module back ($path)" ;;
	*) notok "$k: after remove modprobe finds ${path:-nothing}" ;;
	esac
done
finish
