#!/bin/sh
# Installs the Debian packages the build, the tests and the demo need,
# if any are missing. Debian 12 only; runs apt-get update first.
set -eu

pkgs="make gcc g++ libc6-dev python3 kmod cpio xz-utils
linux-headers-amd64 linux-image-amd64 qemu-system-x86 busybox-static sparse
libgtest-dev clang libclang-rt-14-dev iproute2 ethtool iputils-ping iperf3 tcpdump infiniband-diags"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing </dev/null
