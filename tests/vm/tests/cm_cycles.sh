#!/bin/sh
# timeout: 420
# 100 mode switches (connected <-> datagram, both sides) with traffic
# running: a ping every 0.1 s a -> b in the background, and after every
# switch a 3000-byte ping (over RC in connected mode, IP fragments in
# datagram mode) that must get through. After 20 warm-up switches, 80 more
# (srq=Y) must leave:
#  - the verbs objects (rdma res: QPs, CQs, SRQs, ...) as they were;
#  - no kmalloc cache with 10 or more active objects more in each of the
#    two 40-switch halves, and Slab within 2 MB (a leaked connection holds
#    its QP and ring, a leaked SRQ megabytes of buffers);
# and the background ping must have lost < 10% (each switch flushes the
# paths, which costs a few echoes while they resolve again).
# The harness fails the test on any kernel-log splat.
# Driver under test: ours, or stock with ipoib_test_driver=stock.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh
. /vmtest/lib-child.sh
. /vmtest/lib-cm.sh

# switches FROM TO: one switch of both sides each, then a big ping through
switches() {
	_i=$1
	while [ $_i -le $2 ]; do
		if [ $((_i % 2)) -eq 1 ]; then _m=connected; else _m=datagram; fi
		set_mode $_m || { echo "switch $_i to $_m failed"; return 1; }
		wait_secs 15 in_ns a ping -c 1 -W 1 -s 3000 $B4 >/dev/null ||
			{ echo "no 3000-byte ping a -> b after switch $_i to $_m"; return 1; }
		_i=$((_i + 1))
	done
}

require "softib srq=Y, ib_ipoib ($IPOIB_DRIVER), ib0 in netns a and ib1 in netns b, carrier" dgram_bringup srq=Y
require "ping a -> b" ping_a_b
bg_ping_start a $B4
t0=$(date +%s)
require "20 warm-up switches" switches 1 20
leak_start
check "40 switches under traffic" switches 21 60
leak_half
check "40 more" switches 61 100
log "100 switches: $(($(date +%s) - t0)) s"
check "after 100 switches both are in datagram mode" [ "$(mode_of a ib0)/$(mode_of b ib1)" = datagram/datagram ]
leak_end
bg_ping_checked
leak_checks "80 switches" "switches 21-60" "switches 61-100"
check "ib_ipoib unloads" rmmod ib_ipoib
fabric_clean
dgram_finish
