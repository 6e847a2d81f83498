#!/bin/sh
# timeout: 240
# P_Key partitions: stock ipoib children on 0x8001 over softib (pre-created
# broadcast group of that partition), a child whose P_Key is not in the port
# table gets no carrier, and a P_Key table change (debugfs knob) raises
# PKEY_CHANGE, makes the fabric drop and count mismatching packets, and
# recovers when the entry returns.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh

# make_child NS PARENT PKEY: create_child, and make sure the child lives in NS.
make_child() {
	in_ns "$1" sh -c "echo $3 > /sys/class/net/$2/create_child" || return 1
	c=$2.${3#0x}
	ip -n "$1" link show "$c" >/dev/null 2>&1 || ip link set "$c" netns "$1" || return 1
	ip -n "$1" link set "$c" up
}

check "bring-up" fabric_bringup
check "child 0x8001 on ib0" make_child a ib0 0x8001
check "child 0x8001 on ib1" make_child b ib1 0x8001
ip -n a addr add 10.12.0.1/24 dev ib0.8001
ip -n b addr add 10.12.0.2/24 dev ib1.8001
check "carrier on ib0.8001" wait_until 30 carrier a ib0.8001
check "carrier on ib1.8001" wait_until 30 carrier b ib1.8001
check "ping over P_Key 0x8001 a -> b" in_ns a ping -c 2 -W 3 10.12.0.2
check "ping over P_Key 0x8001 b -> a" in_ns b ping -c 2 -W 3 10.12.0.1
check "ib0.8001 joined ff12:401b:8001::ffff:ffff" grep -q 'GID: ff12:401b:8001:0:0:0:ffff:ffff' $IPOIB_DBG/ib0.8001_mcg
check "parent partition still pings" ping_a_b

check "child 0x8003 (not in the table) created" make_child a ib0 0x8003
sleep 3
check_fails "child 0x8003 has no carrier" carrier a ib0.8003

drops0=$(($(sib_counter sib1 1 drop_pkey) + $(sib_counter sib1 1 drop_no_qp)))
check "knob: sib1 P_Key[1] 0x8001 -> 0x8005" sh -c "echo '1 0x8005' > $SIB_DBG/sib1/port1/pkeys"
check "sysfs shows the new P_Key" grep -qx 0x8005 /sys/class/infiniband/sib1/ports/1/pkeys/1
check_fails "no ping over 0x8001 now" in_ns a ping -c 2 -W 2 10.12.0.2
# b's child stops its QP on PKEY_CHANGE, so a's packets die at sib1 as
# P_Key violations or for want of a ready QP; either way they are counted.
check "fabric dropped and counted a's packets at sib1" [ $(($(sib_counter sib1 1 drop_pkey) + $(sib_counter sib1 1 drop_no_qp))) -gt "$drops0" ]
check "knob: restore P_Key[1] 0x8001" sh -c "echo '1 0x8001' > $SIB_DBG/sib1/port1/pkeys"
check "ping over 0x8001 recovers" wait_until 40 in_ns a ping -c 1 -W 1 10.12.0.2
check_fails "knob refuses to change P_Key[0]" sh -c "echo '0 0x8001' > $SIB_DBG/sib1/port1/pkeys"
check "fabric unload with children" rmmod softib
check "stock ipoib unloads" rmmod ib_ipoib
finish
