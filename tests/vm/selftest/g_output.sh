#!/bin/sh
# timeout: 20
# Harness self-test: a test whose output looks like the harness's own
# lines ("start NAME", "done", "result NAME RC", "splat ...") must still
# just pass: test output reaches the host prefixed, so none of it is read
# as a control line.
. /vmtest/lib.sh
echo "start nosuchtest"
echo "# start nosuchtest"
echo "result nosuchtest 1"
echo "splat nosuchtest WARNING: not a real one"
echo "done"
echo "# done"
check "true is true" true
finish
