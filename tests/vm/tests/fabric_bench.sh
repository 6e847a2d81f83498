#!/bin/sh
# timeout: 300
# softib's raw UD self-benchmark: MTU-sized sends between the first two
# ports through the verbs API.  Its figure is the ceiling for IPoIB.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh

# bench N: run N messages, print the result, require all of them received.
bench() {
	echo "$1" >$SIB_DBG/bench || return 1
	r=$(cat $SIB_DBG/bench)
	echo "$r"
	set -- $r
	# msg_size S sent N received N usecs U pps P MBps M
	[ "$4" = "$6" ] && [ "${10}" -gt 0 ]
}

check "softib loads" load_fabric
check "raw UD bench, 2048-byte messages" bench 200000
cat $SIB_DBG/bench
check "no drops during the bench" [ "$(sib_counter sib1 1 drop_no_rwqe)" -eq 0 ]
reload() { rmmod softib && load_fabric "$@"; }
check "mtu=4096" reload mtu=4096
check "raw UD bench, 4096-byte messages" bench 200000
cat $SIB_DBG/bench
check "1 HCA x 2 ports" reload ndev=1 nports=2
check "raw UD bench, port 1 -> port 2 of one HCA" bench 100000
cat $SIB_DBG/bench
check "softib unloads" rmmod softib
finish
