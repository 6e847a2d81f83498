#!/bin/sh
# hosts: 2
# timeout: 900
# Two-host interop, ours on A and the in-tree driver on B: ours is the CM
# active side (traffic starts on A); plus a P_Key child pair, a LID change
# and a port flap.
# Every cell of the mode matrix (datagram/connected on each side): IPv4 and
# IPv6 pings both ways (ARP and ND across hosts), large pings (RC messages
# in segments, or path MTU), iperf3 TCP both ways, UDP multicast both ways.
# Helpers: tests/vm/lib-interop.sh.
. /vmtest/lib.sh
. /vmtest/lib-2host.sh
. /vmtest/lib-interop.sh

DRV_A=ours
DRV_B=stock
ix_setup
ix_matrix
ix_extras
ix_teardown
finish
