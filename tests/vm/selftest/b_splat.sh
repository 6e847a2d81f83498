#!/bin/sh
# timeout: 20
# Harness self-test: a splat line in the kernel log during a test must fail
# it even though the test itself exits 0.
echo "WARNING: CPU: 0 PID: 1 at selftest.c:1 harness_selftest+0x0/0x0" >/dev/kmsg
exit 0
