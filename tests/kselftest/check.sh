#!/bin/bash
# Host-side check (make check) that the kselftest collection matches the VM
# suite: installs it (install.sh, the kernel's runner from linux-source-6.1)
# and checks that every test of tests/vm/tests (but demo.sh and the two-host
# tests, "# hosts: 2", which need tests/vm/run's pair of VMs) is listed,
# installed unchanged and executable, with kernel_log.sh last; that
# "settings" allows the longest test's timeout; and that the kernel's
# run_kselftest.sh lists the collection and runs it in dry form. Runs no
# test (they only run in the VM: tests/vm/run --kselftest).
# Prints ok/not ok lines and "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${KSELFTEST_CHECK_DIR:-$top/build/kselftest-check}
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - kselftest: $*"; }
notok() { fail=$((fail + 1)); echo "not ok - kselftest: $*"; }
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}

mkdir -p "$(dirname "$out")"
if ! "$top/tests/kselftest/install.sh" "$out" >"$out.log" 2>&1; then
	notok "install.sh failed"; sed 's/^/#   /' "$out.log" | tail -n 10
	finish
fi
ok "installed (run_kselftest.sh, kselftest/runner.sh, kselftest-list.txt, ipoib/)"

vm=$top/tests/vm/tests
# The single-VM tests (file names): not demo.sh, not "# hosts: 2".
vm_tests() {
	(cd "$vm" && for t in *.sh; do
		[ "$t" = demo.sh ] && continue
		head -n 10 "$t" | grep -qE '^#[[:space:]]*hosts:[[:space:]]*2' && continue
		echo "$t"
	done)
}
want=$( (vm_tests | sed 's/^/ipoib:/'; echo ipoib:kernel_log.sh) | sort)
have=$(sort "$out/kselftest-list.txt")
if [ "$want" = "$have" ]; then
	ok "kselftest-list.txt: the $(echo "$want" | grep -c .) tests (every single-VM test but demo, and kernel_log.sh)"
else
	notok "kselftest-list.txt differs from tests/vm/tests (< missing from TEST_PROGS, > extra):"
	diff <(echo "$want") <(echo "$have") | grep '^[<>]' | head -n 10 | sed 's/^/#   /'
fi
if [ "$(tail -n 1 "$out/kselftest-list.txt")" = ipoib:kernel_log.sh ]; then ok "kernel_log.sh runs last"; else
	notok "kernel_log.sh is not last in the list"; fi

bad=""
for t in $(vm_tests); do
	if ! cmp -s "$vm/$t" "$out/ipoib/$t" || [ ! -x "$out/ipoib/$t" ]; then bad="$bad $t"; fi
done
[ -x "$out/ipoib/kernel_log.sh" ] || bad="$bad kernel_log.sh"
if [ -z "$bad" ]; then ok "installed tests are the VM tests, executable"; else
	notok "installed tests missing, changed or not executable:$bad"; fi

# The runner gives every test of the collection the one settings timeout.
maxt=0
for t in $(vm_tests); do
	t=$vm/$t
	v=$(head -n 10 "$t" | sed -n 's/^#[[:space:]]*timeout:[[:space:]]*\([0-9]*\).*/\1/p' | head -n 1)
	v=${v:-120} # tests/vm/run's default
	[ "$v" -gt "$maxt" ] && maxt=$v
done
st=$(sed -n 's/^timeout=\([0-9]*\)$/\1/p' "$out/ipoib/settings" 2>/dev/null)
if [ -n "$st" ] && [ "$st" -ge "$maxt" ]; then ok "settings: timeout=$st covers the longest test ($maxt s)"; else
	notok "settings: timeout='${st}' is missing or below the longest test's $maxt s"; fi

# The kernel's runner: list and dry run.
listed=$(cd "$out" && ./run_kselftest.sh -l 2>&1 | sort)
if [ "$listed" = "$have" ]; then ok "run_kselftest.sh -l lists the collection"; else
	notok "run_kselftest.sh -l:"; echo "$listed" | head -n 5 | sed 's/^/#   /'; fi
dry=$(cd "$out" && ./run_kselftest.sh -d -c ipoib 2>&1)
n=$(echo "$dry" | sed -n 's/^run_many //p' | wc -w)
if echo "$dry" | grep -qx 'cd ipoib' && [ "$n" -eq "$(echo "$have" | grep -c .)" ]; then
	ok "run_kselftest.sh -d -c ipoib: run_many over $n tests"
else
	notok "run_kselftest.sh -d -c ipoib:"; echo "$dry" | head -n 5 | sed 's/^/#   /'
fi
finish
