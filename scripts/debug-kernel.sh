#!/bin/bash
# Builds, once, the debug kernel that make check-debug runs the VM suite
# on: Debian's linux-source-6.1 with a small configuration (x86_64
# defconfig and kvm_guest.config: what the test VM boots with, plus
# InfiniBand, the in-tree ib_ipoib and veth as modules) and the kernel's
# checkers: KASAN, lockdep (PROVE_LOCKING, PROVE_RCU), DEBUG_ATOMIC_SLEEP,
# kmemleak, debug objects, SLUB debugging, and fault injection (failslab,
# fail_page_alloc, fail-nth).
#
# usage: scripts/debug-kernel.sh [OUTDIR]   (default build/debug-kernel)
# Leaves OUTDIR/src (the configured and built tree: KDIR for ours and
# softib), OUTDIR/mods/lib/modules/<release> (its modules) and
# OUTDIR/stamp. A second run with the same configuration does nothing; a
# changed configuration (this script) rebuilds incrementally.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$top/build/debug-kernel}")
tarball=/usr/src/linux-source-6.1.tar.xz
jobs=$(nproc)

missing=$(for p in linux-source-6.1 bc bison flex libelf-dev libssl-dev cpio xz-utils; do
	dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
if [ -n "$missing" ]; then
	echo "debug-kernel: installing" $missing
	SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -q
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing </dev/null
fi

# The configuration, as scripts/config options; its hash names the build.
opts=(
	# the test VM: initramfs root, serial console, no disk or network
	-e BLK_DEV_INITRD -e DEVTMPFS -e SERIAL_8250 -e SERIAL_8250_CONSOLE
	-e MODULES -e MODULE_UNLOAD -d MODULE_SIG -d MODVERSIONS
	-e NET_NS -e IPV6 -e PACKET -m VETH -e DEBUG_FS -e TMPFS
	-m INFINIBAND -m INFINIBAND_USER_MAD
	-m INFINIBAND_USER_ACCESS -m INFINIBAND_IPOIB -e INFINIBAND_IPOIB_CM
	-e INFINIBAND_IPOIB_DEBUG -e INFINIBAND_ADDR_TRANS
	# PAGE_POOL, which ours uses (connected mode's receive pages), is only
	# ever selected by drivers: a small one (TSNEP, a module) brings it
	-e NET_VENDOR_ENGLEDER -m TSNEP
	-d DEBUG_INFO -e DEBUG_INFO_NONE -d DEBUG_INFO_BTF
	--set-str LOCALVERSION "-ipoib-debug" -d LOCALVERSION_AUTO
	# the checkers
	-e KASAN -e KASAN_GENERIC -e KASAN_INLINE
	-e PROVE_LOCKING -e PROVE_RCU -e DEBUG_ATOMIC_SLEEP -e DEBUG_LOCKDEP
	--set-val LOCKDEP_BITS 16 --set-val LOCKDEP_CHAINS_BITS 17
	-e DEBUG_KMEMLEAK -d DEBUG_KMEMLEAK_DEFAULT_OFF -d DEBUG_KMEMLEAK_AUTO_SCAN
	--set-val DEBUG_KMEMLEAK_MEM_POOL_SIZE 16000
	-e DEBUG_OBJECTS -e DEBUG_OBJECTS_FREE -e DEBUG_OBJECTS_TIMERS
	-e DEBUG_OBJECTS_WORK -e DEBUG_OBJECTS_RCU_HEAD -e DEBUG_OBJECTS_PERCPU_COUNTER
	-e SLUB_DEBUG -e DEBUG_LIST -e BUG_ON_DATA_CORRUPTION
	-e FAULT_INJECTION -e FAILSLAB -e FAIL_PAGE_ALLOC -e FAULT_INJECTION_DEBUG_FS
)
hash=$(printf '%s\n' "${opts[@]}" | sha1sum | cut -c1-12)
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$hash" ]; then
	echo "debug-kernel: $out is built ($(cat "$out/src/include/config/kernel.release"))"
	exit 0
fi

mkdir -p "$out"
if [ ! -f "$out/src/Makefile" ]; then
	echo "debug-kernel: unpacking $tarball"
	rm -rf "$out/src" "$out/src.tmp"
	mkdir -p "$out/src.tmp"
	tar -xf "$tarball" -C "$out/src.tmp"
	mv "$out/src.tmp"/linux-source-6.1 "$out/src"
	rmdir "$out/src.tmp"
fi
cd "$out/src"
make -s x86_64_defconfig
make -s kvm_guest.config
scripts/config "${opts[@]}"
make -s olddefconfig
# scripts/config cannot make a needed symbol stick if a dependency is
# missing: check that every checker is really on.
for s in KASAN PROVE_LOCKING PROVE_RCU DEBUG_ATOMIC_SLEEP DEBUG_KMEMLEAK DEBUG_OBJECTS \
	FAILSLAB FAIL_PAGE_ALLOC INFINIBAND INFINIBAND_IPOIB INFINIBAND_IPOIB_CM VETH PAGE_POOL DIMLIB; do
	grep -Eq "^CONFIG_$s=(y|m)" .config || { echo "debug-kernel: CONFIG_$s did not stick" >&2; exit 1; }
done
echo "debug-kernel: building $(make -s kernelrelease) with $jobs jobs (long: KASAN and lockdep)"
make -s -j"$jobs" bzImage modules
rm -rf "$out/mods"
make -s INSTALL_MOD_PATH="$out/mods" modules_install
echo "$hash" >"$out/stamp"
echo "debug-kernel: built $(cat include/config/kernel.release) in $out"
