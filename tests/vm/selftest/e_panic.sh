#!/bin/sh
# timeout: 20
# Harness self-test: a kernel crash must fail the test that caused it.
echo 1 >/proc/sys/kernel/sysrq
echo c >/proc/sysrq-trigger
