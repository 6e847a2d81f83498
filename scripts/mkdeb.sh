#!/bin/sh
# Builds the Debian package ipoib-cxx-dkms_<VERSION>_all.deb (debian/) with
# dpkg-buildpackage, in a copy of the tree: dpkg-buildpackage writes its
# results to the parent directory and its work files under debian/, and
# neither belongs in the source tree. The copy leaves out build/ and git.
#
# usage: scripts/mkdeb.sh [OUTDIR]   (default build/deb; the .deb lands there)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/deb}
case "$out" in /*) ;; *) out=$(pwd)/$out ;; esac

rm -rf "$out"
mkdir -p "$out/ipoib-cxx"
tar -C "$top" --exclude=./build --exclude=./.git -cf - . | tar -C "$out/ipoib-cxx" -xf -
cd "$out/ipoib-cxx"
dpkg-buildpackage -us -uc -b >"$out/dpkg-buildpackage.log" 2>&1 || {
	tail -n 30 "$out/dpkg-buildpackage.log" >&2
	echo "mkdeb: dpkg-buildpackage failed (log: $out/dpkg-buildpackage.log)" >&2
	exit 1
}
ls "$out"/ipoib-cxx-dkms_*_all.deb
