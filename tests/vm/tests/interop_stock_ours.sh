#!/bin/sh
# hosts: 2
# timeout: 900
# Two-host interop, the in-tree driver on A and ours on B: in-tree is the
# CM active side, ours passive; plus a P_Key child pair, a LID change and
# a port flap.
# Every cell of the mode matrix (datagram/connected on each side): IPv4 and
# IPv6 pings both ways (ARP and ND across hosts), large pings (RC messages
# in segments, or path MTU), iperf3 TCP both ways, UDP multicast both ways.
# Helpers: tests/vm/lib-interop.sh.
. /vmtest/lib.sh
. /vmtest/lib-2host.sh
. /vmtest/lib-interop.sh

DRV_A=stock
DRV_B=ours
ix_setup
ix_matrix
ix_extras
ix_teardown
finish
