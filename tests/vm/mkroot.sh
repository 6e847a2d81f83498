#!/bin/bash
# Builds the VM's root filesystem (an initramfs, uncompressed cpio):
# busybox-static for the shell and core utilities, kmod, the real Debian
# tools the tests drive (ip, ethtool, ping, iperf3, tcpdump, rdma, and
# infiniband-diags: ibstat, ibstatus, saquery, smpquery, ibnetdiscover,
# perfquery, sminfo)
# with their shared libraries, our helpers from tests/vm/tools (static),
# the Debian kernel's InfiniBand modules, our ib_ipoib.ko under updates/
# (as `make install` puts it), softib.ko under extra/, and the test scripts
# under /vmtest.
#
# usage: mkroot.sh KVER OUT.cpio
# VMTEST_KODIR=DIR takes ib_ipoib.ko and tests/softib/softib.ko from DIR.
# VMTEST_MODBASE=DIR takes the kernel's modules from DIR/lib/modules/KVER
# (a kernel built by scripts/debug-kernel.sh) instead of /lib/modules/KVER.
set -euo pipefail

kver=$1
out=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/vmroot.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mods=/lib/modules/$kver
base=${VMTEST_MODBASE:-}

[ -d "$base$mods" ] || { echo "mkroot: $base$mods missing (install linux-image-amd64)" >&2; exit 1; }

mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,etc,proc,sys,dev,tmp,run,root,var,mnt}
ln -s ../run "$root/var/run"

# busybox applets go to /bin; the real tools go to /usr/sbin, first in PATH.
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done

copy_with_libs() {
	local bin=$1 dest=$2
	cp -L "$bin" "$root$dest"
	ldd "$bin" 2>/dev/null | awk '/=> \//{print $3} /^[[:space:]]*\/lib/{print $1}' | while read -r lib; do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

for tool in /usr/sbin/ip /usr/sbin/ethtool /usr/bin/ping /usr/bin/iperf3 /usr/bin/tcpdump \
	/usr/bin/rdma /usr/sbin/ibstat /usr/bin/kmod /usr/bin/timeout /usr/bin/nproc \
	/usr/sbin/saquery /usr/sbin/smpquery /usr/sbin/ibnetdiscover /usr/sbin/perfquery \
	/usr/sbin/sminfo; do
	[ -x "$tool" ] || { echo "mkroot: $tool missing (make deps)" >&2; exit 1; }
	copy_with_libs "$tool" "/usr/sbin/$(basename "$tool")"
done
# VMTEST_PERF=1 (tests/bench/run --profile): perf, to profile the drivers.
if [ -n "${VMTEST_PERF:-}" ]; then
	perf=$(readlink -f /usr/bin/perf)
	[ -x "$perf" ] || { echo "mkroot: perf missing (linux-perf)" >&2; exit 1; }
	copy_with_libs "$perf" /usr/sbin/perf
fi
# ibstatus is a shell script over sysfs (busybox runs it).
cp /usr/sbin/ibstatus "$root/usr/sbin/ibstatus"
for l in insmod rmmod modprobe lsmod modinfo depmod; do
	ln -sf kmod "$root/usr/sbin/$l"
done
# Test helpers of our own, static (no libraries to copy).
for src in "$top"/tests/vm/tools/*.c; do
	gcc -static -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$root/usr/sbin/$(basename "$src" .c)" "$src"
done
# The kernel runs /sbin/modprobe to autoload modules (rtnl-link-* aliases).
ln -sf ../usr/sbin/kmod "$root/sbin/modprobe"
# libibumad (ibstat) reads sysfs only; its config dir may be absent.
mkdir -p "$root/etc/rdma" "$root/run/netns"
cp /etc/protocols /etc/services "$root/etc/"
printf 'root:x:0:0:root:/root:/bin/sh\ntcpdump:x:0:0::/:/bin/false\nnobody:x:65534:65534::/:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
echo vm >"$root/etc/hostname"

# Kernel modules: the InfiniBand stack and what it depends on; veth for
# the forwarding tests; virtio-net (virtio_pci, virtio_net and their
# dependencies: failover, net_failover, virtio, virtio_ring) for the NIC
# between the two VMs of a two-host boot, which alone loads them (the init,
# by modprobe). Built-in ones (6.12's virtio, virtio_pci) are not copied.
want="ib_core ib_cm ib_umad ib_uverbs rdma_cm rdma_ucm ib_ipoib veth virtio_pci virtio_net"
declare -A seen=()
resolve() {
	local m=$1 path dep
	[ -n "${seen[$m]:-}" ] && return
	seen[$m]=1
	path=$(modinfo ${base:+-b "$base"} -k "$kver" -n "$m" 2>/dev/null) || return 0
	path=${path#"$base"}
	case "$path" in /lib/modules/*) ;; *) return 0 ;; esac # built in
	mkdir -p "$root$(dirname "$path")"
	cp "$base$path" "$root$path"
	for dep in $(modinfo ${base:+-b "$base"} -k "$kver" -F depends "$m" | tr ',' ' '); do
		resolve "$dep"
	done
}
for m in $want; do resolve "$m"; done
# 6.12 ships its modules compressed (.ko.xz): unpack them, so that every
# kernel's root has plain .ko files at the paths the tests use
# (lib.sh's STOCK_IPOIB); depmod below indexes them as such.
find "$root/lib/modules" -name '*.ko.xz' -exec xz -d {} +
cp "$base$mods"/modules.builtin "$base$mods"/modules.builtin.modinfo "$base$mods"/modules.order "$root$mods/" 2>/dev/null || true

# Ours. ib_ipoib.ko under updates/ takes precedence over the in-tree one.
# VMTEST_KODIR: a tree whose modules were built for KVER when this one's
# are built for another kernel (tests/vm/run --kver-b).
kodir=${VMTEST_KODIR:-$top}
mkdir -p "$root$mods/updates" "$root$mods/extra"
cp "$kodir/ib_ipoib.ko" "$root$mods/updates/ib_ipoib.ko"
[ -f "$kodir/tests/softib/softib.ko" ] && cp "$kodir/tests/softib/softib.ko" "$root$mods/extra/softib.ko"
depmod -b "$root" "$kver"

# Tests and the init.
mkdir -p "$root/vmtest"
cp -r "${VMTEST_TESTDIR:-$top/tests/vm/tests}" "$root/vmtest/tests"
cp "$top"/tests/vm/lib*.sh "$root/vmtest/"
cp "$top/tests/vm/init" "$root/init"
chmod +x "$root/init"
# An installed kselftest tree (tests/kselftest/install.sh; tests/vm/run
# --kselftest): its runner wants /usr/bin/timeout.
if [ -n "${VMTEST_KSELFTEST:-}" ]; then
	cp -r "$VMTEST_KSELFTEST" "$root/vmtest/kselftest"
	ln -sf ../sbin/timeout "$root/usr/bin/timeout"
fi
[ -n "${VMTEST_PLAN:-}" ] && printf '%s\n' "$VMTEST_PLAN" >"$root/vmtest/plan"
echo "$kver" >"$root/vmtest/kver"

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) >"$out"
