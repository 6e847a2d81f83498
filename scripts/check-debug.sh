#!/bin/bash
# make check-debug: the VM suite on a debug kernel. scripts/debug-kernel.sh
# builds it once under build/debug-kernel (KASAN, lockdep, kmemleak, debug
# objects, fault injection); ours and softib are built against it in a
# copy of the tree (build/check-debug), so the Debian kernel's build here
# is left alone; then tests/vm/run boots it, with every test's timeout
# tripled, and scans kmemleak after the tests. Any KASAN, lockdep, RCU,
# "sleeping function" or debug-objects report fails the test it came in
# (they all print BUG: or WARNING:, the harness's splat patterns).
#
# usage: scripts/check-debug.sh [tests/vm/run options, e.g. -t soak]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$top/build/debug-kernel
copy=$top/build/check-debug

"$top/scripts/install-deps.sh"
"$top/scripts/debug-kernel.sh" "$tree"
rm -rf "$copy"
mkdir -p "$copy"
# The tracked files as they are now (uncommitted edits included).
(cd "$top" && git ls-files -z | xargs -0 cp --parents -t "$copy")
make -s -C "$copy" -j"$(nproc)" KDIR="$tree/src" modules
cd "$copy"
KDIR="$tree/src" tests/vm/run --no-build --kernel-tree "$tree" --timeout-factor 3 "$@"
