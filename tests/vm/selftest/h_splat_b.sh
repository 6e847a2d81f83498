#!/bin/sh
# timeout: 30
# hosts: 2
# Harness self-test: a splat line in host B's kernel log during a two-host
# test must fail it (reported through B's agent, "splat: B: ..."), and the
# same line on B's console must then not count again as a stray splat.
. /vmtest/lib.sh
. /vmtest/lib-2host.sh
on B sh -c 'echo "WARNING: CPU: 0 PID: 1 at selftest.c:2 harness_selftest_b+0x0/0x0" >/dev/kmsg'
exit 0
