#!/bin/sh
# Runs last in the kselftest collection: fails if the kernel log holds a
# splat (WARN, BUG, Oops, refcount, list corruption, lockup, hung task,
# panic, UBSAN, slub poison). tests/vm/run checks the log after each test
# itself; kselftest's runner does not, so this stands in for it.
SPLAT='WARNING:|(^|[^A-Za-z])BUG[: ]|Oops|refcount|list_del corruption|list_add corruption|soft lockup|hard LOCKUP|rcu_sched self-detected stall|hung task|blocked for more than|Kernel panic|general protection|UBSAN|Poison overwritten|Redzone'
log=$(dmesg) || { echo "not ok 1 kernel log readable"; exit 1; }
bad=$(echo "$log" | grep -E "$SPLAT")
if [ -n "$bad" ]; then
	echo "not ok 1 kernel log has no splat"
	echo "$bad" | head -n 20 | sed 's/^/#   /'
	exit 1
fi
echo "ok 1 kernel log has no splat ($(echo "$log" | wc -l) lines)"
