#!/bin/sh
# hosts: 2
# timeout: 900
# Two-host interop, ours on both hosts.
# Every cell of the mode matrix (datagram/connected on each side): IPv4 and
# IPv6 pings both ways (ARP and ND across hosts), large pings (RC messages
# in segments, or path MTU), iperf3 TCP both ways, UDP multicast both ways.
# Helpers: tests/vm/lib-interop.sh.
. /vmtest/lib.sh
. /vmtest/lib-2host.sh
. /vmtest/lib-interop.sh

DRV_A=ours
DRV_B=ours
ix_setup
ix_matrix
ix_teardown
finish
