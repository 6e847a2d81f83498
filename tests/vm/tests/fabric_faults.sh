#!/bin/sh
# timeout: 420
# softib's fault knobs raise the events a real fabric would, and the stock
# ipoib recovers from each: port down/up (PORT_ERR/PORT_ACTIVE), client
# reregister, LID change, SM move (SM_CHANGE), slow/lossy/failing SA, and
# random loss and corruption on the wire (counted, TCP-level recovery).
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh

K=$SIB_DBG/sib1/port1
check "bring-up" fabric_bringup
check "ping" ping_a_b

# Port down/up
check "knob: sib1 port down" sh -c "echo down > $K/link"
check "port state DOWN in sysfs" grep -q DOWN /sys/class/infiniband/sib1/ports/1/state
check "ibstat shows Down" sh -c 'ibstat sib1 | grep -q "State: Down"'
no_carrier() { ! carrier "$@"; }
check "ipoib dropped carrier on ib1" wait_secs 15 no_carrier b ib1
check_fails "no ping while the port is down" in_ns a ping -c 2 -W 1 $B4
check "fabric counted link-down drops" counter_positive sib1 1 drop_link_down
check "knob: sib1 port up" sh -c "echo up > $K/link"
check "carrier back on ib1" wait_secs 40 carrier b ib1
check "ping recovers after port down/up" ping_recovers 40

# Client reregister: ipoib rejoins its groups through the SA
sa0=$(sib_counter sib1 1 sa_requests)
check "knob: client reregister on sib1" sh -c "echo 1 > $K/client_reregister"
check "ipoib re-joined (more SA requests)" wait_secs 20 counter_above sib1 1 sa_requests $sa0
check "ping recovers after client reregister" ping_recovers 40

# LID change
check "knob: sib1 LID 3 -> 20" sh -c "echo 20 > $K/lid"
check "sysfs LID 0x14" grep -qx 0x14 /sys/class/infiniband/sib1/ports/1/lid
check_fails "LID already in use is refused" sh -c "echo 2 > $K/lid"
# The SM tells the other end to refresh its paths, as after a re-sweep.
check "knob: client reregister on sib0" sh -c "echo 1 > $SIB_DBG/sib0/port1/client_reregister"
check "ping recovers after LID change" ping_recovers 60
check "ping b -> a after LID change" ping_b_a

# SM moves: SM_CHANGE on every port, SA now answers at LID 30
check "knob: SM LID 1 -> 30" sh -c "echo 30 > $SIB_DBG/sm_lid"
check "sysfs sm_lid 0x1e" grep -qx 0x1e /sys/class/infiniband/sib0/ports/1/sm_lid
check "knob: sm_change event" sh -c "echo 1 > $K/sm_change"
check "knob: client reregister after SM move" sh -c "echo 1 > $K/client_reregister"
check "ping recovers after SM move" ping_recovers 60

# Slow SA
check "knob: SA delay 700 ms" sh -c "echo 700 > $SIB_DBG/sa/delay_ms"
check "knob: client reregister with slow SA" sh -c "echo 1 > $SIB_DBG/sib0/port1/client_reregister"
check "ping recovers with a slow SA" ping_recovers 60
echo 0 >$SIB_DBG/sa/delay_ms

# Failing SA: every reply carries an error, then the SA heals
check "knob: SA status 0x0100 (no resources)" sh -c "echo 0x0100 > $SIB_DBG/sa/status"
check "knob: port down/up under a failing SA" sh -c "echo down > $K/link && sleep 1 && echo up > $K/link"
sleep 5
check_fails "no carrier on ib1 while every join fails" carrier b ib1
check "knob: SA heals" sh -c "echo 0 > $SIB_DBG/sa/status"
check "carrier back once the SA answers" wait_secs 60 carrier b ib1
check "ping recovers after SA errors" ping_recovers 60

# Lossy SA: every request dropped, then healed
check "knob: SA drops everything" sh -c "echo 1000000 > $SIB_DBG/sa/drop_ppm"
check "knob: client reregister under a mute SA" sh -c "echo 1 > $K/client_reregister"
sleep 3
check "fabric counted dropped SA requests" counter_positive sib1 1 sa_dropped
check "knob: SA heals" sh -c "echo 0 > $SIB_DBG/sa/drop_ppm"
check "ping recovers after SA loss" ping_recovers 90

# Lossy and corrupting wire
check "knob: drop 20% of packets" sh -c "echo 200000 > $SIB_DBG/drop_ppm"
check "some pings still answered on a lossy wire" in_ns a ping -c 20 -i 0.2 -W 1 -q $B4
check "fabric counted random drops" counter_positive sib0 1 drop_random
echo 0 >$SIB_DBG/drop_ppm
check "knob: corrupt 20% of packets" sh -c "echo 200000 > $SIB_DBG/corrupt_ppm"
check "some pings still answered on a corrupting wire" in_ns a ping -c 20 -i 0.2 -W 1 -q $B4
check "fabric counted corrupt (bad ICRC) drops" counter_positive sib0 1 drop_corrupt
echo 10000 >$SIB_DBG/corrupt_ppm
check_iperf "TCP survives 1% corruption" 5
echo 0 >$SIB_DBG/corrupt_ppm
check "clean ping at the end" ping_recovers 30
check "fabric unload" rmmod softib
check "stock ipoib unloads" rmmod ib_ipoib
finish
