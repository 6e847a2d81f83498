#!/bin/sh
# Module parameters: good values are kept, out-of-range values are clamped
# with a log line naming the parameter, and malformed values are rejected.
. /vmtest/lib.sh
P=/sys/module/ib_ipoib/parameters

modprobe ib_core
check "defaults load" modprobe ib_ipoib
check "send_queue_size default 128" [ "$(cat $P/send_queue_size)" = 128 ]
check "recv_queue_size default 256" [ "$(cat $P/recv_queue_size)" = 256 ]
rmmod ib_ipoib

check "valid sizes load" modprobe ib_ipoib send_queue_size=512 recv_queue_size=1024
check "send_queue_size kept at 512" [ "$(cat $P/send_queue_size)" = 512 ]
check "recv_queue_size kept at 1024" [ "$(cat $P/recv_queue_size)" = 1024 ]
rmmod ib_ipoib

mark=$(dmesg_mark)
check "out-of-range sizes still load" modprobe ib_ipoib send_queue_size=5 recv_queue_size=100000
check "send_queue_size 5 clamped to 128" [ "$(cat $P/send_queue_size)" = 128 ]
check "recv_queue_size 100000 clamped to 8192" [ "$(cat $P/recv_queue_size)" = 8192 ]
check "clamp of send_queue_size is logged" sh -c "/bin/dmesg -s 16777216 | tail -n +$((mark + 1)) | grep -q 'ib_ipoib: send_queue_size=5 .*using 128'"
check "clamp of recv_queue_size is logged" sh -c "/bin/dmesg -s 16777216 | tail -n +$((mark + 1)) | grep -q 'ib_ipoib: recv_queue_size=100000 .*using 8192'"
rmmod ib_ipoib

check "non-power-of-2 rounds up" modprobe ib_ipoib recv_queue_size=300
check "recv_queue_size 300 -> 512" [ "$(cat $P/recv_queue_size)" = 512 ]
rmmod ib_ipoib

check "negative size clamps to minimum" modprobe ib_ipoib send_queue_size=-1
check "send_queue_size -1 -> 128" [ "$(cat $P/send_queue_size)" = 128 ]
rmmod ib_ipoib

mark=$(dmesg_mark)
check_fails "malformed value is rejected" modprobe ib_ipoib send_queue_size=lots
check "rejection names the parameter" sh -c "/bin/dmesg -s 16777216 | tail -n +$((mark + 1)) | grep -q \"send_queue_size\""
check "module not left loaded" sh -c '! grep -q "^ib_ipoib " /proc/modules'

check "debug_level is writable at run time" sh -c "/usr/sbin/modprobe ib_ipoib && echo 1 > $P/debug_level && [ \$(cat $P/debug_level) = 1 ]"
rmmod ib_ipoib
finish
