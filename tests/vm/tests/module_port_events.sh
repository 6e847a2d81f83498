#!/bin/sh
# timeout: 120
# Our module binds every InfiniBand port of the fabric and follows its
# events: port down/up, LID change, client reregister, SM change, each
# logged with the port's re-read state. Unloading the fabric while our
# module is bound removes the devices cleanly, and our module unloads after.
. /vmtest/lib.sh
K=/sys/kernel/debug/softib/sib0/port1

[ -f /lib/modules/$KVER/extra/softib.ko ] || skip "softib.ko not built"
check "fabric loads" load_fabric
mark=$(dmesg_mark)
check "ib_ipoib loads" load_our_ipoib
got() { dmesg_since "$mark" | grep -q "$1"; }
check "sib0 port 1 bound and logged" wait_until 5 got "ib_ipoib: sib0 port 1: InfiniBand port found: state ACTIVE, LID 0x2"
check "sib1 port 1 bound and logged" wait_until 5 got "ib_ipoib: sib1 port 1: InfiniBand port found: state ACTIVE"

mark=$(dmesg_mark)
echo down >$K/link
check "port down -> PORT_ERR, state DOWN" wait_until 5 got "ib_ipoib: sib0 port 1: PORT_ERR: state DOWN"
echo up >$K/link
check "port up -> PORT_ACTIVE, state ACTIVE" wait_until 5 got "ib_ipoib: sib0 port 1: PORT_ACTIVE: state ACTIVE"

mark=$(dmesg_mark)
echo 0x20 >$K/lid
check "LID change -> LID_CHANGE with the new LID" wait_until 5 got "ib_ipoib: sib0 port 1: LID_CHANGE: state ACTIVE, LID 0x20"
echo 0x2 >$K/lid

# debug_level gates the per-event trace lines, at run time.
P=/sys/module/ib_ipoib/parameters
mark=$(dmesg_mark)
echo 1 >$K/client_reregister
wait_until 5 got "CLIENT_REREGISTER: state ACTIVE"
check "no event trace with debug_level=0" sh -c "! /bin/dmesg -s 16777216 | tail -n +$((mark + 1)) | grep -q 'event CLIENT_REREGISTER'"
echo 1 >$P/debug_level
mark=$(dmesg_mark)
echo 1 >$K/client_reregister
check "client reregister -> CLIENT_REREGISTER" wait_until 5 got "ib_ipoib: sib0 port 1: CLIENT_REREGISTER: state ACTIVE"
check "debug_level=1 traces the event" wait_until 5 got "ib_ipoib: sib0 port 1: event CLIENT_REREGISTER"
echo 0 >$P/debug_level
echo 1 >$K/sm_change
check "SM change -> SM_CHANGE" wait_until 5 got "ib_ipoib: sib0 port 1: SM_CHANGE: state ACTIVE"

mark=$(dmesg_mark)
check "fabric unloads while ib_ipoib is bound" rmmod softib
check "both devices unbound" sh -c "/bin/dmesg -s 16777216 | tail -n +$((mark + 1)) | grep -c 'ib_ipoib: sib[01]: unbound' | grep -qx 2"
check "ib_ipoib unloads afterwards" rmmod ib_ipoib
finish
