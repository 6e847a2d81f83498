#!/bin/sh
# timeout: 120
# hosts: 2
# The two-host harness itself, no InfiniBand: both VMs run the kernels the
# runner booted (tests/vm/run --kver-b), eth0 has MTU 9000 on both ends and
# carries 8000-byte pings unfragmented, and lib-2host.sh's `on B` keeps the
# exit status, stdout and stderr apart, quoting, megabytes of output and a
# command that runs for seconds; put_b and B's kernel-log helpers work.
. /vmtest/lib.sh
. /vmtest/lib-2host.sh

ka=$(host_kver A)
kb=$(host_kver B)
check "A runs the kernel its root was built for ($ka)" [ "$ka" = "$(cat /vmtest/kver)" ]
want=$(cmdline_knob vmtest.bkver '')
check "B runs the kernel the runner booted it with (${want:-unknown}: $kb)" [ -n "$want" -a "$kb" = "$want" ]
check "B's root was built for B's kernel" [ "$(on B cat /vmtest/kver)" = "$kb" ]

for h in A B; do
	check "$h: eth0 MTU 9000" [ "$(on $h cat /sys/class/net/eth0/mtu)" = 9000 ]
	check "$h: eth0 operstate up" [ "$(on $h cat /sys/class/net/eth0/operstate)" = up ]
done
contains() { case "$1" in *"$2"*) return 0 ;; esac; return 1; }
# lib.sh's wrappers work through `on`: busybox's ip has no -j.
check "A: eth0 has 10.199.0.1/24 (ip -j)" contains "$(on A ip -j -4 addr show dev eth0)" '"local":"10.199.0.1","prefixlen":24'
check "B: eth0 has 10.199.0.2/24 (ip -j)" contains "$(on B ip -j -4 addr show dev eth0)" '"local":"10.199.0.2","prefixlen":24'
check "ping -s 8000 -M do A -> B (no fragmentation: 9000 MTU end to end)" ping -c 3 -W 5 -s 8000 -M do $TWOHOST_B
check "ping -s 8000 -M do B -> A" on B ping -c 3 -W 5 -s 8000 -M do $TWOHOST_A
check_fails "ping -s 9000 -M do A -> B is refused (over the MTU)" ping -c 1 -W 2 -s 9000 -M do $TWOHOST_B

on B true
check "on B true: 0" [ $? -eq 0 ]
on B false
rc=$?
check "on B false: 1 ($rc)" [ $rc -eq 1 ]
on B sh -c 'exit 7'
rc=$?
check "on B sh -c 'exit 7': 7 ($rc)" [ $rc -eq 7 ]
on B sh -c 'kill -9 $$'
rc=$?
check "on B: killed by SIGKILL: 137 ($rc)" [ $rc -eq 137 ]
on A sh -c 'exit 5'
rc=$?
check "on A sh -c 'exit 5': 5 ($rc)" [ $rc -eq 5 ]

on B sh -c 'echo to-out; echo to-err >&2; echo more-out' >/tmp/o 2>/tmp/e
check "stdout apart: 2 lines (to-out, more-out)" [ "$(cat /tmp/o | tr '\n' ,)" = "to-out,more-out," ]
check "stderr apart: 1 line (to-err)" [ "$(cat /tmp/e)" = to-err ]
out=$(on B printf '%s|' 'a b' "c'd" '$HOME' '*')
check "arguments quoted one by one ($out)" [ "$out" = "a b|c'd|\$HOME|*|" ]
out=$(on B sh -c 'x=remote; echo "$x $((6 * 7))"')
check "on B sh -c '...' expands on B ($out)" [ "$out" = "remote 42" ]

on B sh -c 'head -c 1048576 /dev/urandom >/tmp/big; md5sum </tmp/big' >/tmp/sum.b
on B cat /tmp/big >/tmp/big
check "1 MB of output: 1048576 bytes arrived ($(wc -c </tmp/big))" [ "$(wc -c </tmp/big)" -eq 1048576 ]
check "1 MB of output intact (md5 on B = md5 on A)" [ "$(md5sum </tmp/big | cut -d' ' -f1)" = "$(cut -d' ' -f1 </tmp/sum.b)" ]
head -c 200000 /dev/urandom >/tmp/small
put_b /tmp/small /tmp/put
check "put_b: 200000 bytes copied intact" [ "$(on B md5sum /tmp/put | cut -d' ' -f1)" = "$(md5sum </tmp/small | cut -d' ' -f1)" ]

t0=$(date +%s)
out=$(on B sh -c 'sleep 5; echo slept')
rc=$?
t=$(($(date +%s) - t0))
check "a 5 s command: exit 0, its output, after 5..15 s ($t s)" [ $rc -eq 0 -a "$out" = slept -a $t -ge 5 -a $t -le 15 ]
t0=$(date +%s)
on B sh -c 'sleep 30 </dev/null >/dev/null 2>&1 &'
t=$(($(date +%s) - t0))
check "a background command does not hold on B up ($t s)" [ $t -le 3 ]

mark=$(b_dmesg_mark)
on B sh -c 'echo "twohost_harness: marker $$" >/dev/kmsg'
since=$(b_dmesg_since "$mark")
check "b_dmesg_since $mark shows B's new kernel-log line" contains "$since" "twohost_harness: marker"
check "b_dmesg_since $mark: only lines after the mark" [ "$(echo "$since" | grep -c 'vmtest: start twohost_harness')" -eq 0 ]
finish
