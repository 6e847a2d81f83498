#!/bin/sh
# timeout: 30
# hosts: 2
# Harness self-test: host B crashing during a two-host test must fail that
# test as "host B died" with B's panic line, whatever A does meanwhile.
. /vmtest/lib.sh
. /vmtest/lib-2host.sh
on B sh -c 'echo 1 >/proc/sys/kernel/sysrq; echo c >/proc/sysrq-trigger' &
sleep 60
