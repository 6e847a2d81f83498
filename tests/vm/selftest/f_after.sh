#!/bin/sh
# timeout: 20
# Harness self-test: tests after a crash run in a fresh boot and pass.
. /vmtest/lib.sh
check "fresh boot" [ -d /proc/1 ]
finish
