#!/bin/sh
# timeout: 180
# Verbs semantics IPoIB cannot provoke by itself, checked by softib's
# in-kernel self-test (a plain verbs consumer between two ports): GRH slot,
# addressing fields, Q_Key/P_Key drops, the Q_Key high bit, multicast
# loopback with GRH, missed-event reporting, flush to ERR, RC ordering, RNR
# (infinite and zero retries), retry exceeded, LAST_WQE_REACHED.  Run on
# both topologies and without SRQ.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh

# selftest: run it, show its report, require every line to be "ok".
selftest() {
	echo 1 >$SIB_DBG/selftest || return 1
	cat $SIB_DBG/selftest
	grep -q "^passed [1-9][0-9]* failed 0$" $SIB_DBG/selftest &&
		! grep -q "^not ok" $SIB_DBG/selftest
}

reload() { rmmod softib && load_fabric "$@"; }

check "softib loads" load_fabric
check "self-test, 2 HCAs x 1 port" selftest
cat $SIB_DBG/selftest
check "SRQ case ran" grep -q "LAST_WQE_REACHED" $SIB_DBG/selftest
check "reload as 1 HCA x 2 ports" reload ndev=1 nports=2
check "self-test, 1 HCA x 2 ports" selftest
check "reload with srq=N" reload srq=N
check "self-test without SRQ" selftest
check "no SRQ verbs with srq=N" sh -c "! grep -q LAST_WQE_REACHED $SIB_DBG/selftest"
check "softib unloads" rmmod softib
finish
