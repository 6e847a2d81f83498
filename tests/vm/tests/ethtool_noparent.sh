#!/bin/sh
# timeout: 120
# A parentless HCA (softib parent=N, like other software HCAs): the
# in-tree ib_ipoib's ethtool -i dereferences the HCA's NULL parent and
# oopses, so this runs only for ours, which reports an empty bus-info and
# answers every other ethtool command as on a parented HCA; the netdev
# then has no device link and lives under /sys/devices/virtual.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh
. /vmtest/lib-child.sh
. /vmtest/lib-cm.sh
. /vmtest/lib-ethtool.sh

[ $IPOIB_DRIVER = stock ] && skip "the in-tree driver oopses in ethtool -i on a parentless HCA"

# bus_empty DEV: ethtool -i prints an empty bus-info line.
bus_empty() { ethtool -i "$1" | grep -qx 'bus-info: *'; }
require "softib parent=N + ours; ib0 and ib1 appear" dgram_load parent=N
check "sib0 has no parent device" [ ! -e /sys/class/infiniband/sib0/device ]
check "ib0 has no device link" [ ! -e $N/ib0/device ]
check "ib0 is a virtual netdev" [ "$(readlink -f $N/ib0)" = /sys/devices/virtual/net/ib0 ]
check "ethtool -i ib0: driver ib_ipoib" sh -c "/usr/sbin/ethtool -i ib0 | grep -qx 'driver: ib_ipoib'"
check "ethtool -i ib0: bus-info empty" bus_empty ib0
check "ethtool -i ib0: firmware-version softib 1.0" sh -c "/usr/sbin/ethtool -i ib0 | grep -qx 'firmware-version: softib 1.0'"
check "ib0 up" ip link set ib0 up
check "carrier on ib0" wait_until 30 carrier0 ib0
check "ethtool ib0: 40000Mb/s" sh -c "/usr/sbin/ethtool ib0 | grep -q 'Speed: 40000Mb/s'"
check "ethtool -S ib0: in-tree's 8 counters" [ "$(intree_stat_names ib0 | wc -l)" -eq 8 ]
check "ethtool -S ib0: then ours, per TX queue" sh -c "/usr/sbin/ethtool -S ib0 | grep -q tx_queue_0_packets"
check "ethtool -C ib0 rx-usecs 5 rx-frames 5" ethtool -C ib0 rx-usecs 5 rx-frames 5
check "ethtool -c ib0 shows rx-usecs 5" sh -c "/usr/sbin/ethtool -c ib0 | grep -qx 'rx-usecs: 5'"
check "a sysfs child" sh -c "echo 0x8001 > $N/ib0/create_child"
check "the child's bus-info is empty too" bus_empty ib0.8001
check "ib0 down: speed unknown" sh -c "/usr/sbin/ip link set ib0 down && /usr/sbin/ethtool ib0 | grep -q 'Speed: Unknown!'"
check "ib_ipoib unloads" rmmod ib_ipoib
fabric_clean
dgram_finish
