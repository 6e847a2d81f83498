#!/bin/sh
# Installs the Debian packages the build, the tests and the demo need,
# if any are missing. Debian 12 only; runs apt-get update first.
#
# KVER=6.12 (or a whole release, KVER=6.12.117+deb12-amd64) also installs
# that kernel's headers and image (linux-image-*-unsigned: the VM boots
# its /boot/vmlinuz-*); a prefix takes the newest release Debian has,
# unless one is installed already. Without KVER (or with KVER=6.1) only
# the default 6.1 kernel (linux-image-amd64) is needed.
set -eu

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
updated=""
apt_update() {
	[ -n "$updated" ] || $SUDO apt-get update -qq
	updated=1
}

# infiniband-diags brings libibumad3, libibmad5 and libibnetdisc5 (the VM
# image copies its tools with them); iproute2 has rdma. Neither rdma-core
# (udev rules, services) nor ibverbs-utils (needs a userspace verbs
# provider, softib has none) is needed. netbase: the VM image copies its
# /etc/protocols and /etc/services (a minimal Debian has neither).
# build-essential: dpkg-buildpackage (make deb) checks for it.
# gnuplot-nox: make bench's plots (build/bench/scale.svg, ceiling.svg).
pkgs="make gcc g++ libc6-dev python3 kmod cpio xz-utils netbase
linux-headers-amd64 linux-image-amd64 qemu-system-x86 busybox-static sparse
libgtest-dev clang libclang-rt-14-dev iproute2 ethtool iputils-ping iperf3 tcpdump infiniband-diags
dkms debhelper dh-dkms dpkg-dev build-essential fakeroot rsync linux-source-6.1 gnuplot-nox"

kver=${KVER:-}
case "$kver" in
"" | 6.1 | 6.1.0-*) kver="" ;; # Debian 12's default: the metapackages above
*[-+]*) ;;                      # a whole release
*)
	rel=$(ls -d /lib/modules/"$kver".*-amd64/build 2>/dev/null | grep -v -e -rt- -e -cloud- |
		sort -V | tail -n 1 | cut -d/ -f4)
	if [ -z "$rel" ] || [ ! -e "/boot/vmlinuz-$rel" ]; then
		apt_update
		rel=$(apt-cache pkgnames "linux-headers-$kver." |
			grep -E "^linux-headers-$(echo "$kver" | sed 's/\./\\./g')\.[0-9]+\+deb[0-9]+-amd64\$" |
			sed 's/^linux-headers-//' | sort -V | tail -n 1)
		[ -n "$rel" ] || { echo "install-deps: no Debian kernel $kver.*-amd64 found" >&2; exit 1; }
	fi
	kver=$rel
	;;
esac
if [ -n "$kver" ]; then pkgs="$pkgs linux-headers-$kver linux-image-$kver-unsigned"; fi

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
apt_update
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing </dev/null
