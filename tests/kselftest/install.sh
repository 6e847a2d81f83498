#!/bin/sh
# Installs the kselftest collection "ipoib" (tests/kselftest/ipoib) as the
# kernel's `make -C tools/testing/selftests install` would: OUT holds
# run_kselftest.sh and kselftest/runner.sh from the kernel tree,
# kselftest-list.txt ("ipoib:<test>.sh" lines, from emit_tests) and ipoib/
# (the tests and settings, from lib.mk's install rule). tests/vm/run
# --kselftest copies OUT into the VM and runs OUT/run_kselftest.sh there.
#
# The kernel's selftests come from KSFT_DIR if set (a tree's
# tools/testing/selftests), else they are unpacked once from Debian's
# linux-source-6.1 (/usr/src/linux-source-6.1.tar.xz) into build/kselftest-src.
#
# usage: tests/kselftest/install.sh [OUT]   (default build/kselftest)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/build/kselftest}
case "$out" in /*) ;; *) out=$(pwd)/$out ;; esac

if [ -z "${KSFT_DIR:-}" ]; then
	src=$top/build/kselftest-src
	KSFT_DIR=$src/linux-source-6.1/tools/testing/selftests
	if [ ! -f "$KSFT_DIR/kselftest/runner.sh" ]; then
		tarball=/usr/src/linux-source-6.1.tar.xz
		[ -f "$tarball" ] || { echo "kselftest: $tarball missing (apt-get install linux-source-6.1, or set KSFT_DIR)" >&2; exit 1; }
		mkdir -p "$src"
		s=linux-source-6.1/tools/testing/selftests
		tar -C "$src" -xJf "$tarball" "$s/lib.mk" "$s/run_kselftest.sh" "$s/kselftest"
	fi
fi
for f in lib.mk run_kselftest.sh kselftest/runner.sh kselftest/prefix.pl; do
	[ -f "$KSFT_DIR/$f" ] || { echo "kselftest: $KSFT_DIR/$f missing (KSFT_DIR must be a tree's tools/testing/selftests)" >&2; exit 1; }
done

rm -rf "$out"
mkdir -p "$out/kselftest"
install -m 755 "$KSFT_DIR/run_kselftest.sh" "$out/"
install -m 755 "$KSFT_DIR/kselftest/runner.sh" "$KSFT_DIR/kselftest/prefix.pl" "$out/kselftest/"
make -s --no-print-directory -C "$top/tests/kselftest/ipoib" KSFT_DIR="$KSFT_DIR" \
	INSTALL_PATH="$out/ipoib" install >/dev/null
make -s --no-print-directory -C "$top/tests/kselftest/ipoib" KSFT_DIR="$KSFT_DIR" \
	COLLECTION=ipoib emit_tests >"$out/kselftest-list.txt"
# The VM tests are not executable in the tree (tests/vm/run runs them with sh).
chmod +x "$out"/ipoib/*.sh
echo "$out"
