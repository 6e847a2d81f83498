#!/bin/bash
# Proves that the build rejects every construct outside the C++ subset.
# Each tests/subset/cases/NAME.cc is compiled to an object through the
# driver's own rule (scripts/Kbuild.cxx) in a scratch kbuild directory;
# its first line says what must happen: "// expect: REGEX" (the build
# fails and its output matches) or "// expect: OK" (the build succeeds).
# Prints one KTAP line per case and "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
kdir=${KDIR:-$(make -s -C "$top" --no-print-directory print-kdir)}
work=$(mktemp -d "${TMPDIR:-/tmp}/subset.XXXXXX")
trap 'rm -rf "$work"' EXIT

pass=0
fail=0
n=0
cases=("$top"/tests/subset/cases/*.cc)
echo "TAP version 13"
echo "1..${#cases[@]}"
for src in "${cases[@]}"; do
	name=$(basename "$src" .cc)
	expect=$(sed -n '1s#^// expect: ##p' "$src")
	n=$((n + 1))
	dir=$work/$name
	mkdir -p "$dir"
	cp "$src" "$dir/case.cc"
	cat >"$dir/Kbuild" <<KB
obj-m := subset_case.o
subset_case-y := case.o
CXX_INCLUDE := $top/include
include $top/scripts/Kbuild.cxx
KB
	out=$(make -C "$kdir" M="$dir" CONFIG_DEBUG_INFO_BTF_MODULES= case.o 2>&1)
	rc=$?
	if [ "$expect" = OK ]; then
		if [ $rc -eq 0 ] && ! grep -qiE 'warning|error' <<<"$out"; then
			echo "ok $n subset: $name builds cleanly"; pass=$((pass + 1))
		else
			echo "not ok $n subset: $name should build cleanly"; fail=$((fail + 1))
			sed 's/^/#   /' <<<"$out" | tail -n 15
		fi
	elif [ $rc -ne 0 ] && grep -qE "$expect" <<<"$out"; then
		echo "ok $n subset: $name rejected ($(grep -oE "$expect" <<<"$out" | head -n 1))"
		pass=$((pass + 1))
	else
		echo "not ok $n subset: $name: expected failure matching /$expect/ (rc=$rc)"
		fail=$((fail + 1))
		sed 's/^/#   /' <<<"$out" | tail -n 15
	fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
