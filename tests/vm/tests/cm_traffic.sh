#!/bin/sh
# timeout: 240
# Traffic in connected mode over softib with srq=Y (one SRQ per interface);
# cm_traffic_nosrq is the same with srq=N. ib0 (netns a) and ib1 (netns b):
# pings of 65000 and of 100 bytes (the receiver's small-packet copy) both
# ways, IPv6 too, the RC QPs and SRQs rdma res shows, 4 s of iperf3 TCP;
# ours' debugfs ib0_cm (one TX line, connected, mtu 65520, packets > 0, one
# RX line). Then connected ib0 with datagram ib1 (pings, iperf3, the routes),
# in-tree's PMTU emulation towards a peer without the RC flag (ip route get
# shows mtu 2044), and 20 mode switches on both sides under a ping every
# 0.1 s, traffic resuming after each, no transmit timeout. The scenario runs
# under stock and then under the driver under test; the transcripts must be
# equal. Driver under test: ours, or stock with ipoib_test_driver=stock.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh
. /vmtest/lib-child.sh
. /vmtest/lib-cm.sh

CM_SRQ=Y
require "softib srq=Y loads" load_fabric srq=Y
modprobe ib_cm
two_pass cm_traffic_scenario
dgram_finish
