#!/bin/sh
# timeout: 480
# rdma-core and infiniband-diags on softib, as users check a real fabric.
# Devices and ports through sysfs and netlink: ibstat, ibstatus, rdma dev,
# rdma link (state, LIDs, SM LID, rate/width, GUIDs, link layer), also
# with a port taken down. SMPs through ib_umad: smpquery locally, LID-routed
# and directed-route (answered by the HCAs' SMA and the switch's), sminfo,
# ibnetdiscover (one switch, every HCA port cabled to it), perfquery and the
# sysfs port counters (the PMA). The SA: saquery node records, path
# records, and multicast member records with each ib_ipoib (in-tree, then
# the driver under test): the broadcast group and every group the driver
# joined (its debugfs <if>_mcg) are listed for its port, as full or
# send-only member (ScopeState 0x21, 0x28), both drivers'
# lists are equal, and they empty when the driver unloads.
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh
. /vmtest/lib-dgram.sh
. /vmtest/lib-child.sh
. /vmtest/lib-mcast.sh
. /vmtest/lib-rdma.sh

P=/sys/class/infiniband

require "softib loads" load_fabric
require "ib_umad loads (the MAD tools' /dev/infiniband/umadN)" modprobe ib_umad
check "umad devices for both HCAs" [ -c /dev/infiniband/umad0 -a -c /dev/infiniband/umad1 ]

# ---- devices and ports ----
for n in 0 1; do
	d=sib$n
	lid=$((n + 2))
	ng=0x0002c9fffe50$(printf %02x $((n + 1)))00
	pg=0x0002c9fffe50$(printf %02x $((n + 1)))01
	ibstat $d >/tmp/ibstat.$d 2>&1
	check "ibstat $d: CA '$d', 1 port" sh -c "grep -qx \"CA '$d'\" /tmp/ibstat.$d && grep -q 'Number of ports: 1$' /tmp/ibstat.$d"
	check "ibstat $d: node GUID $ng" grep -q "Node GUID: $ng\$" /tmp/ibstat.$d
	check "ibstat $d: State Active, Physical state LinkUp" sh -c "grep -q 'State: Active\$' /tmp/ibstat.$d && grep -q 'Physical state: LinkUp\$' /tmp/ibstat.$d"
	check "ibstat $d: Rate 40, Base lid $lid, LMC 0, SM lid 1" sh -c "grep -q 'Rate: 40\$' /tmp/ibstat.$d && grep -q 'Base lid: $lid\$' /tmp/ibstat.$d && grep -q 'LMC: 0\$' /tmp/ibstat.$d && grep -q 'SM lid: 1\$' /tmp/ibstat.$d"
	check "ibstat $d: port GUID $pg, link layer InfiniBand" sh -c "grep -q 'Port GUID: $pg\$' /tmp/ibstat.$d && grep -q 'Link layer: InfiniBand\$' /tmp/ibstat.$d"
	ibstatus $d >/tmp/ibstatus.$d 2>&1
	check "ibstatus $d: gid, lid 0x$lid, sm lid 0x1" sh -c "grep -q 'default gid:.*fe80:0000:0000:0000:0002:c9ff:fe50:0$((n + 1))01' /tmp/ibstatus.$d && grep -q 'base lid:.*0x$lid\$' /tmp/ibstatus.$d && grep -q 'sm lid:.*0x1\$' /tmp/ibstatus.$d"
	check "ibstatus $d: 4: ACTIVE, 5: LinkUp, 40 Gb/sec (4X QDR), InfiniBand" sh -c "grep -q 'state:.*4: ACTIVE' /tmp/ibstatus.$d && grep -q 'phys state:.*5: LinkUp' /tmp/ibstatus.$d && grep -q 'rate:.*40 Gb/sec (4X QDR)' /tmp/ibstatus.$d && grep -q 'link_layer:.*InfiniBand' /tmp/ibstatus.$d"
	check "rdma dev show $d: node_type ca, node and system image GUID" sh -c "rdma dev show $d | grep -q '^[0-9]*: $d: node_type ca .*node_guid 0002:c9ff:fe50:0$((n + 1))00 sys_image_guid 0002:c9ff:fe50:0$((n + 1))00'"
	check "rdma link show $d/1: lid $lid sm_lid 1 lmc 0 ACTIVE LINK_UP" sh -c "rdma link show $d/1 | grep -q '^link $d/1 subnet_prefix fe80:0000:0000:0000 lid $lid sm_lid 1 lmc 0 state ACTIVE physical_state LINK_UP'"
done
ibstat sib0
ibstatus sib1
rdma dev show
rdma link show
check "ibstat -l lists sib0 and sib1" [ "$(ibstat -l | tr '\n' ' ')" = "sib0 sib1 " ]
check "ibstat -p lists the port GUIDs" [ "$(ibstat -p | tr '\n' ' ')" = "0x0002c9fffe500101 0x0002c9fffe500201 " ]

check "knob: sib1 port down" sh -c "echo down > $SIB_DBG/sib1/port1/link"
check "ibstat sib1: State Down, Physical state Disabled" sh -c 'ibstat sib1 >/tmp/o 2>&1; grep -q "State: Down$" /tmp/o && grep -q "Physical state: Disabled$" /tmp/o'
check "ibstatus sib1: 1: DOWN" sh -c "/usr/sbin/ibstatus sib1 | grep -q 'state:.*1: DOWN'"
check "rdma link sib1/1: state DOWN physical_state DISABLED" sh -c "rdma link show sib1/1 | grep -q 'state DOWN physical_state DISABLED'"
check "knob: sib1 port up" sh -c "echo up > $SIB_DBG/sib1/port1/link"
check "rdma link sib1/1: ACTIVE again" sh -c "rdma link show sib1/1 | grep -q 'state ACTIVE physical_state LINK_UP'"

# ---- SMPs: the SMAs of the HCAs and of the switch ----
x_smp() { smpquery "$@" >/tmp/smp.out 2>&1; _rc=$?; cat /tmp/smp.out; return $_rc; }
smp_has() { grep -q "^$1:\.*$2\$" /tmp/smp.out; }
check "smpquery nodeinfo, local (DR path 0): CA sib0, LocalPort 1" sh -c '
	/usr/sbin/smpquery -C sib0 -D nodeinfo 0 >/tmp/smp.out 2>&1 &&
	grep -q "^NodeType:\.*Channel Adapter$" /tmp/smp.out &&
	grep -q "^Guid:\.*0x0002c9fffe500100$" /tmp/smp.out &&
	grep -q "^PortGuid:\.*0x0002c9fffe500101$" /tmp/smp.out &&
	grep -q "^LocalPort:\.*1$" /tmp/smp.out'
x_smp -C sib0 portinfo 3 >/dev/null
cat /tmp/smp.out
check "smpquery portinfo 3 (LID-routed to sib1): Lid 3, SMLid 1, Active" sh -c '
	grep -q "^Lid:\.*3$" /tmp/smp.out && grep -q "^SMLid:\.*1$" /tmp/smp.out &&
	grep -q "^LinkState:\.*Active$" /tmp/smp.out && grep -q "^PhysLinkState:\.*LinkUp$" /tmp/smp.out'
check "smpquery portinfo 3: 4X, 10.0 Gbps a lane (QDR), MTU 2048" sh -c '
	grep -q "^LinkWidthActive:\.*4X$" /tmp/smp.out && grep -q "^LinkSpeedActive:\.*10.0 Gbps$" /tmp/smp.out &&
	grep -q "^MtuCap:\.*2048$" /tmp/smp.out'
check "smpquery nodedesc 3: softib HCA 1" sh -c '/usr/sbin/smpquery -C sib0 nodedesc 3 | grep -q "softib HCA 1$"'
check "smpquery nodedesc 1 (the SM's LID): softib switch" sh -c '/usr/sbin/smpquery -C sib0 nodedesc 1 | grep -q "softib switch$"'
x_smp -C sib1 -D nodeinfo 0,1 >/dev/null
cat /tmp/smp.out
check "smpquery -D nodeinfo 0,1 (one hop): a switch, 2 ports, entered on port 2" sh -c '
	grep -q "^NodeType:\.*Switch$" /tmp/smp.out && grep -q "^NumPorts:\.*2$" /tmp/smp.out &&
	grep -q "^Guid:\.*0x0002c9fffe50ff00$" /tmp/smp.out && grep -q "^LocalPort:\.*2$" /tmp/smp.out'
check "smpquery -D nodeinfo 0,1,1 (through the switch to sib0)" sh -c '
	/usr/sbin/smpquery -C sib1 -D nodeinfo 0,1,1 >/tmp/smp.out 2>&1 &&
	grep -q "^NodeType:\.*Channel Adapter$" /tmp/smp.out && grep -q "^Guid:\.*0x0002c9fffe500100$" /tmp/smp.out'
check "smpquery switchinfo 1: LinearFdbTop 3" sh -c '/usr/sbin/smpquery -C sib0 switchinfo 1 | grep -q "^LinearFdbTop:\.*3$"'
check "smpquery -D portinfo 0,1 1 (switch port 1, cabled to sib0): Active, 4X" sh -c '
	/usr/sbin/smpquery -C sib0 -D portinfo 0,1 1 >/tmp/smp.out 2>&1 &&
	grep -q "^LinkState:\.*Active$" /tmp/smp.out && grep -q "^LinkWidthActive:\.*4X$" /tmp/smp.out'
check_fails "smpquery -D nodeinfo 0,1,3 (no switch port 3): no answer" /usr/sbin/smpquery -C sib0 -t 300 -D nodeinfo 0,1,3
sminfo -C sib0 >/tmp/sminfo.out 2>&1
cat /tmp/sminfo.out
check "sminfo: sm lid 1, the switch's GUID, MASTER" grep -q "sm lid 1 sm guid 0x2c9fffe50ff00, .* state 3 SMINFO_MASTER" /tmp/sminfo.out
ibnetdiscover -C sib0 >/tmp/ibnd.out 2>&1
cat /tmp/ibnd.out
check "ibnetdiscover: one 2-port switch, lid 1" grep -Eq '^Switch[[:space:]]+2 "S-0002c9fffe50ff00"[[:space:]]+# "softib switch" base port 0 lid 1 lmc 0' /tmp/ibnd.out
check "ibnetdiscover: switch ports 1, 2 -> sib0, sib1 port 1, lids 2, 3, 4xQDR" sh -c "
	grep -Eq '^\[1\][[:space:]]+\"H-0002c9fffe500100\"\[1\]\(2c9fffe500101\).*# \"softib HCA 0\" lid 2 4xQDR' /tmp/ibnd.out &&
	grep -Eq '^\[2\][[:space:]]+\"H-0002c9fffe500200\"\[1\]\(2c9fffe500201\).*# \"softib HCA 1\" lid 3 4xQDR' /tmp/ibnd.out"
check "ibnetdiscover: both CAs, cabled to the switch" sh -c "
	grep -Eq '^Ca[[:space:]]+1 \"H-0002c9fffe500100\"[[:space:]]+# \"softib HCA 0\"' /tmp/ibnd.out &&
	grep -Eq '^Ca[[:space:]]+1 \"H-0002c9fffe500200\"[[:space:]]+# \"softib HCA 1\"' /tmp/ibnd.out &&
	grep -Eq '^\[1\]\(2c9fffe500201\)[[:space:]]+\"S-0002c9fffe50ff00\"\[2\].*lid 3 lmc 0 \"softib switch\" lid 1 4xQDR' /tmp/ibnd.out"
check "ibnetdiscover -l: 1 switch, 2 CAs" sh -c '
	/usr/sbin/ibnetdiscover -C sib0 -l >/tmp/o 2>&1 && cat /tmp/o &&
	[ "$(grep -c "^Switch" /tmp/o)" -eq 1 ] && [ "$(grep -c "^Ca" /tmp/o)" -eq 2 ]'

# ---- PMA: perfquery and the sysfs port counters ----
perfquery -C sib0 >/tmp/perf.out 2>&1
cat /tmp/perf.out
check "perfquery (sib0 port 1): extended counters, packets sent and received" sh -c '
	grep -q "PortXmitPkts:\.*[1-9]" /tmp/perf.out && grep -q "PortRcvPkts:\.*[1-9]" /tmp/perf.out'
tx=$(sib_counter sib1 1 tx_packets)
check "perfquery 3 1 (sib1's PMA over the wire): PortXmitPkts >= softib's tx_packets ($tx)" sh -c "
	v=\$(/usr/sbin/perfquery -C sib0 3 1 | sed -n 's/^PortXmitPkts:\.*//p'); [ \"\$v\" -ge $tx ]"
check "sysfs counters: port_xmit_packets > 0, port_rcv_data > 0" sh -c "
	[ \$(cat $P/sib0/ports/1/counters/port_xmit_packets) -gt 0 ] && [ \$(cat $P/sib0/ports/1/counters/port_rcv_data) -gt 0 ]"

# ---- SA: node and path records ----
saquery -C sib0 >/tmp/sa.out 2>&1
cat /tmp/sa.out
check "saquery (node records): the switch and both CAs" sh -c '
	grep -q "softib switch" /tmp/sa.out && grep -q "softib HCA 0" /tmp/sa.out && grep -q "softib HCA 1" /tmp/sa.out'
check "saquery NR 3 (node records of LID 3): one, CA, port GUID ...0201" sh -c '
	/usr/sbin/saquery -C sib0 NR 3 >/tmp/o 2>&1 && grep -q "lid\.*3$" /tmp/o &&
	grep -q "node_type\.*Channel Adapter" /tmp/o && grep -q "port_guid\.*0x0002c9fffe500201$" /tmp/o &&
	[ "$(grep -c "NodeRecord dump" /tmp/o)" -eq 1 ]'
check "saquery -p: a path for each of the 4 port pairs" sh -c '[ "$(/usr/sbin/saquery -C sib0 -p | grep -c "PathRecord dump")" -eq 4 ]'
saquery -C sib0 -p --slid 2 --dlid 3 >/tmp/sa.out 2>&1
cat /tmp/sa.out
check "saquery -p --slid 2 --dlid 3: one path, slid 2 dlid 3, pkey 0xFFFF, MTU 2048 (4), 40 Gb/s (7), reversible" sh -c '
	[ "$(grep -c "PathRecord dump" /tmp/sa.out)" -eq 1 ] &&
	grep -q "slid\.*2$" /tmp/sa.out && grep -q "dlid\.*3$" /tmp/sa.out && grep -q "pkey\.*0xFFFF$" /tmp/sa.out &&
	grep -q "mtu\.*0x84$" /tmp/sa.out && grep -q "rate\.*0x87$" /tmp/sa.out && grep -q "num_path_revers\.*0x81$" /tmp/sa.out &&
	grep -q "sgid\.*fe80::2:c9ff:fe50:101$" /tmp/sa.out && grep -q "dgid\.*fe80::2:c9ff:fe50:201$" /tmp/sa.out'
no_members() { [ -z "$(sa_members)" ]; }
check "saquery -m: no member before ipoib joins" no_members

# ---- SA: multicast member records, per driver ----
G0=$(port_gid_plain sib0)
G1=$(port_gid_plain sib1)
BC=ff12:401b:ffff:0:0:0:ffff:ffff

settled() { wait_until 20 mcg_settled "$1" "$2" && sleep 4; }
both_settled() { settled a ib0 && settled b ib1; }
ns_carrier() { dgram_netns && wait_until 30 carrier a ib0 && wait_until 30 carrier b ib1; }

# same_groups IF PORTGID: the SA lists PORTGID in exactly the groups IF's
# debugfs file lists (complete ones: settled leaves no other).
same_groups() {
	mcg_gids "$1" | sort >/tmp/g.mcg
	sa_port_groups "$2" >/tmp/g.sa
	cmp -s /tmp/g.mcg /tmp/g.sa || { echo "mcg:"; cat /tmp/g.mcg; echo "saquery:"; cat /tmp/g.sa; return 1; }
}

members_pass() {
	drv=$1
	require "[$drv] ib_ipoib loads" ipoib_load_drv $drv
	require "[$drv] ib0 in a, ib1 in b, carrier" ns_carrier
	check "[$drv] multicast groups settled" both_settled
	sa_members >/tmp/sa.$drv
	log "[$drv] saquery -m (MGID PortGID JoinState):"
	sed 's/^/  /' /tmp/sa.$drv
	check "[$drv] saquery -m: ib0's port is a full member of the broadcast group" grep -qx "$BC $G0 0x21" /tmp/sa.$drv
	check "[$drv] saquery -m: ib1's port is a full member of the broadcast group" grep -qx "$BC $G1 0x21" /tmp/sa.$drv
	check "[$drv] saquery -m: ib0's port in every group of ib0_mcg and no other" same_groups ib0 "$G0"
	check "[$drv] saquery -m: ib1's port in every group of ib1_mcg and no other" same_groups ib1 "$G1"
	check "[$drv] saquery -m: IPv4 all-hosts (224.0.0.1) joined by both" sh -c "
		grep -qx '$(mgid4 224.0.0.1) $G0 0x21' /tmp/sa.$drv && grep -qx '$(mgid4 224.0.0.1) $G1 0x21' /tmp/sa.$drv"
	check "[$drv] saquery MCMR --mgid (broadcast): 2 members, MLID 0xc000, Q_Key 0xb1b" sh -c "
		/usr/sbin/saquery -C sib0 MCMR --mgid ff12:401b:ffff::ffff:ffff >/tmp/o 2>&1 && cat /tmp/o &&
		grep -q 'mlid\.*0xc000$' /tmp/o && grep -q 'qkey\.*0xb1b$' /tmp/o && [ \$(grep -c 'MCMember Record' /tmp/o) -eq 2 ]"
	ip netns del a
	ip netns del b
	check "[$drv] ib_ipoib unloads" ipoib_unload
	check "[$drv] saquery -m: every membership left" wait_until 15 no_members
}

modprobe ib_cm
gc_interval 3600
members_pass stock
members_pass $IPOIB_DRIVER
gc_interval 30
_n=$((_n + 1))
if [ -s /tmp/sa.stock ] && cmp -s /tmp/sa.stock /tmp/sa.$IPOIB_DRIVER; then
	echo "ok $_n saquery -m: $IPOIB_DRIVER's member records equal stock's ($(wc -l </tmp/sa.stock) records)"
else
	echo "not ok $_n saquery -m: $IPOIB_DRIVER's member records differ from stock's (--- stock, +++ $IPOIB_DRIVER)"
	diff -U 0 /tmp/sa.stock /tmp/sa.$IPOIB_DRIVER | sed 's/^/#   /'
	_failed=$((_failed + 1))
fi

check "softib unloads with ib_umad open on it" rmmod softib

# Bigger tables and other topologies. 16 HCAs: 256 paths are 82 RMPP
# segments, more than one window of the requester's ib_mad (64), so the
# SA's transfer goes on only as ACKs open new windows.
check "softib ndev=16 loads" modprobe softib ndev=16
check "saquery -p (16 HCAs): 256 paths, one per port pair, over 82 segments" sh -c '
	/usr/sbin/saquery -C sib0 -p >/tmp/o 2>&1; [ "$(grep -c "PathRecord dump" /tmp/o)" -eq 256 ] &&
	[ "$(grep "dlid\.*17$" /tmp/o | wc -l)" -eq 16 ]'
check "ibnetdiscover -l (16 HCAs): one 16-port switch, 16 CAs" sh -c '
	/usr/sbin/ibnetdiscover -C sib5 -l >/tmp/o 2>&1 && grep -q "^Switch.* ports 16 " /tmp/o &&
	[ "$(grep -c "^Ca" /tmp/o)" -eq 16 ]'
check "saquery (16 HCAs): 17 node records" sh -c '[ "$(/usr/sbin/saquery -C sib3 NR | grep -c "NodeRecord dump")" -eq 17 ]'
check "softib ndev=16 unloads" rmmod softib
check "softib ndev=1 nports=2 loads" modprobe softib ndev=1 nports=2
ibnetdiscover -C sib0 -P 2 >/tmp/o 2>&1
cat /tmp/o
check "ibnetdiscover (1 HCA x 2 ports, from port 2): both ports cabled to the switch" sh -c "
	grep -Eq '^Ca[[:space:]]+2 \"H-0002c9fffe500100\"' /tmp/o &&
	grep -Eq '^\[1\][[:space:]]+\"H-0002c9fffe500100\"\[1\]\(2c9fffe500101\)' /tmp/o &&
	grep -Eq '^\[2\][[:space:]]+\"H-0002c9fffe500100\"\[2\]\(2c9fffe500102\)' /tmp/o"
check "smpquery -P 1 portinfo 3 (port 2, LID-routed from port 1): LocalPort 2" sh -c '/usr/sbin/smpquery -C sib0 -P 1 portinfo 3 | grep -q "^LocalPort:\.*2$"'
check "softib unloads" rmmod softib
check "ib_umad unloads" rmmod ib_umad
dgram_finish
