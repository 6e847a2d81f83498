#!/bin/bash
# The test command (make check): installs missing Debian packages, then
# runs every layer and tallies one line per test:
#   build      the driver and the fabric build with zero warnings (also W=1)
#   sparse     make C=2 over all C reports nothing
#   unit       GoogleTest suites under ASan/UBSan (userspace)
#   subset     every construct outside the C++ subset fails the build
#   tools      host tests of the VM tests' tools (sibpcap)
#   package    the .deb builds; DKMS builds it for 6.1 and 6.12 (private trees)
#   kselftest  the kselftest collection lists every VM test (kernel's runner)
#   vm         the QEMU suite (tests/vm/run)
# Ends with "N passed, N failed, N skipped"; exits non-zero on any failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
log=$top/build/check
mkdir -p "$log"

"$top/scripts/install-deps.sh" || { echo "check: installing packages failed"; echo "0 passed, 1 failed"; exit 1; }

pass=0
fail=0
skip=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
notok() { fail=$((fail + 1)); echo "not ok - $*"; }
now() { date +%s; }

# Adds the closing "N passed, N failed[, N skipped]" line of a sub-runner.
tally() {
	local line p f s
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	if [ -z "$line" ]; then
		notok "$2: no result line (see ${1#$top/})"
		return
	fi
	p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")
	f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	s=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$line")
	pass=$((pass + p))
	fail=$((fail + f))
	skip=$((skip + ${s:-0}))
}

# 1. Build: zero warnings from g++, gcc, objtool and modpost.
t0=$(now)
make clean >/dev/null 2>&1
mkdir -p "$log" # make clean removed build/
if make modules >"$log/build.log" 2>&1; then
	if grep -iE 'warning|error' "$log/build.log" >/dev/null; then
		notok "build: warnings"; grep -iE 'warning|error' "$log/build.log" | head -n 20 | sed 's/^/#   /'
	else
		ok "build: ib_ipoib.ko and softib.ko, no warnings ($(($(now) - t0)) s)"
	fi
else
	notok "build failed"; tail -n 30 "$log/build.log" | sed 's/^/#   /'
	echo "$pass passed, $fail failed, $skip skipped"
	exit 1
fi
make -C "$(make -s print-kdir)" M="$top" CONFIG_DEBUG_INFO_BTF_MODULES= W=1 modules >"$log/build-w1.log" 2>&1
if grep -iE 'warning|error' "$log/build-w1.log" >/dev/null; then
	notok "build W=1: warnings"; grep -iE 'warning|error' "$log/build-w1.log" | head -n 20 | sed 's/^/#   /'
else
	ok "build W=1: no warnings"
fi
make modules >/dev/null 2>&1 # back to the normal build for the VM

# 2. sparse (C=2 rechecks every C file).
if make sparse >"$log/sparse.log" 2>&1 && ! grep -E ': (warning|error):' "$log/sparse.log" >/dev/null; then
	ok "sparse: no reports"
else
	notok "sparse"; grep -E ': (warning|error):' "$log/sparse.log" | head -n 20 | sed 's/^/#   /'
fi

# 3. Userspace unit tests (ASan/UBSan).
make -C tests/unit run >"$log/unit.log" 2>&1
unit_rc=$?
up=$(grep -oE '\[  PASSED  \] [0-9]+ test' "$log/unit.log" | grep -oE '[0-9]+' | tail -n 1)
uf=$(grep -oE '\[  FAILED  \] [0-9]+ test' "$log/unit.log" | grep -oE '[0-9]+' | tail -n 1)
if [ -n "$up" ]; then
	pass=$((pass + up)); fail=$((fail + ${uf:-0}))
	echo "# unit: ${up} passed, ${uf:-0} failed"
	[ "$unit_rc" -ne 0 ] && [ -z "$uf" ] && notok "unit: runner exited $unit_rc (sanitizer report?)" && tail -n 30 "$log/unit.log" | sed 's/^/#   /'
	[ -n "$uf" ] && grep -E '^\[  FAILED  \] [A-Za-z]' "$log/unit.log" | sed 's/^/#   /'
else
	notok "unit: did not run"; tail -n 30 "$log/unit.log" | sed 's/^/#   /'
fi

# 4. Subset enforcement.
if make -C tests/fuzz run FUZZ_TIME=15 >"$log/fuzz.log" 2>&1; then
	ok "fuzz: $(ls tests/fuzz/fuzz_*.cc | wc -l) harness(es), 15 s each, no crash ($(grep -hoE 'Done [0-9]+ runs' "$log/fuzz.log" | tr '\n' ' '))"
else
	notok "fuzz: crash or build failure (see build/check/fuzz.log)"; tail -n 20 "$log/fuzz.log" | sed 's/^/#   /'
fi

tests/subset/run.sh >"$log/subset.log" 2>&1
grep -E '^(ok|not ok)' "$log/subset.log"
tally "$log/subset.log" subset

# The VM tests' host-side tools: sibpcap (two-host wire capture -> IPoIB).
tests/tools/sibpcap_test.py >"$log/tools.log" 2>&1
grep -E '^(ok|not ok)' "$log/tools.log"
tally "$log/tools.log" tools

# 5. The Debian package and DKMS, host-side in private trees (nothing is
#    installed into the host's module tree). Needs the 6.12 headers too.
KVER=6.12 "$top/scripts/install-deps.sh" >"$log/deps-6.12.log" 2>&1 ||
	notok "package: installing the 6.12 headers failed (see build/check/deps-6.12.log)"
t0=$(now)
tests/package/run.sh >"$log/package.log" 2>&1
grep -E '^(ok|not ok)' "$log/package.log"
tally "$log/package.log" package
echo "# package: $(($(now) - t0)) s"

# The kselftest collection (tests/kselftest) against the VM suite, with the
# kernel's runner in dry form; the tests themselves run in the VM only.
tests/kselftest/check.sh >"$log/kselftest.log" 2>&1
grep -E '^(ok|not ok)' "$log/kselftest.log"
tally "$log/kselftest.log" kselftest

# 6. The VM harness must catch what it exists to catch: each self-test has
#    an expected outcome (a clean test passes; a splat, a timeout, a hung
#    guest and a kernel panic each fail with their own reason; tests after
#    a crash run in a fresh boot; in a two-host boot, a splat on host B
#    and B crashing each fail the test).
tests/vm/run --no-build --testdir tests/vm/selftest >"$log/selftest.log" 2>&1
expect_vm() { # name, regex the result line must match
	if grep -qE "^(ok|not ok) [0-9]+ vm: $1( |$)" "$log/selftest.log" &&
		grep -E "^(ok|not ok) [0-9]+ vm: $1( |$)" "$log/selftest.log" | grep -qE "$2"; then
		ok "harness: $1 -> $(grep -E "vm: $1( |$)" "$log/selftest.log" | head -n 1 | cut -c1-80)"
	else
		notok "harness: $1 should match /$2/"; sed 's/^/#   /' "$log/selftest.log" | tail -n 20
	fi
}
expect_vm a_pass '^ok '
expect_vm b_splat '^not ok .*kernel log splat: .*WARNING'
expect_vm c_timeout '^not ok .*timed out after 5s'
expect_vm d_hang '^not ok .*guest hung'
expect_vm e_panic '^not ok .*kernel died: .*Kernel panic'
expect_vm f_after '^ok '
expect_vm g_output '^ok '
expect_vm h_splat_b '^not ok .*kernel log splat: B: .*WARNING'
expect_vm i_panic_b '^not ok .*host B died.*Kernel panic'

# 7. VM suite.
t0=$(now)
tests/vm/run --no-build 2>&1 | tee "$log/vm.log" | grep -vE '^(TAP|1\.\.)'
tally "$log/vm.log" vm
echo "# vm suite: $(($(now) - t0)) s"

echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
