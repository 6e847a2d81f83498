// SPDX-License-Identifier: GPL-2.0
/*
 * softib: subnet management agents (SMA), the performance management agent
 * (PMA) and the fabric's one switch.
 *
 * Topology as a subnet manager sees it: every HCA port is cabled to a port
 * of one switch, fabric port index i to switch port i + 1.  The switch's
 * management port 0 holds the SM LID (sm_lid knob), where the subnet
 * manager and SA run, as on a managed switch with an embedded SM.
 *
 * HCAs: their SMA and PMA are sib_process_mad(), which ib_mad calls for
 * SMPs addressed to this node (locally, for directed-route SMPs that end
 * here, and for SMPs from the wire on QP0) and for PerfMgmt MADs on QP1;
 * the kernel's sysfs port counters come from it too.
 *
 * The switch: QP0 packets that leave an HCA port enter it.  It forwards
 * directed-route SMPs along their path (IBA 14.2.2), answers those that
 * end at it and LID-routed SMPs to its LID with its own SMA, and routes
 * other LID-routed SMPs to the HCA port with that LID.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <rdma/ib_pma.h>
#include <rdma/ib_smi.h>

#include "sib.h"

#define SIB_VENDOR_ID		0		/* as query_device reports */
#define SIB_DEVICE_ID		0x5b
#define SIB_SWITCH_DEVICE_ID	0x5c
#define SIB_REVISION		1
#define SIB_SWITCH_DESC		"softib switch"
#define SIB_SMP_STATUS_UNSUP	cpu_to_be16(IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD_ATTRIB)
#define SIB_SMP_STATUS_INVALID	cpu_to_be16(IB_MGMT_MAD_STATUS_INVALID_ATTRIB_VALUE)

/* IBA 14.2.5.6 PortInfo fields the kernel's struct does not name. */
#define SIB_WIDTH_1X_4X		(IB_WIDTH_1X | IB_WIDTH_4X)
#define SIB_SPEED_SDR_DDR_QDR	7		/* 2.5, 5, 10 Gb/s per lane */
#define SIB_SPEED_QDR		4
#define SIB_PHYS_POLLING	2
#define SIB_CAP_IS_SM		(1u << 1)

/* IBA 14.2.5.4 SwitchInfo, the part we fill in. */
struct sib_switch_info {
	__be16 linear_fdb_cap;
	__be16 random_fdb_cap;
	__be16 mcast_fdb_cap;
	__be16 linear_fdb_top;
	u8 default_port;
	u8 default_mcast_primary_port;
	u8 default_mcast_not_primary_port;
	u8 lifetime_state_change;	/* LifeTimeValue:5 PortStateChange:1 ... */
	__be16 lids_per_port;
	__be16 partition_enf_cap;
	u8 flags;			/* enforcement caps, EnhancedPort0 ... */
	u8 reserved;
	__be16 mcast_fdb_top;
} __packed;

/* IBA 14.2.5.13 SMInfo */
struct sib_sm_info {
	__be64 guid;
	__be64 sm_key;
	__be32 act_count;
	u8 priority_state;		/* Priority:4 SMState:4 */
} __packed;

#define SIB_SM_STATE_MASTER	3

/* Fabric port @i (HCA-major), or NULL: out of range, HCA not created yet. */
struct sib_port *sib_port_by_index(int i)
{
	int per_dev = sib_fabric.nports_total / sib_fabric.ndev;
	struct sib_dev *sdev;

	if (i < 0 || i >= sib_fabric.nports_total)
		return NULL;
	sdev = READ_ONCE(sib_fabric.devs[i / per_dev]);
	return sdev ? &sdev->ports[i % per_dev] : NULL;
}

__be64 sib_switch_guid(void)
{
	return cpu_to_be64(SIB_SWITCH_GUID);
}

void sib_node_info(struct sib_port *port, struct ib_node_info *ni)
{
	struct sib_dev *sdev = port->sdev;

	memset(ni, 0, sizeof(*ni));
	ni->base_version = IB_MGMT_BASE_VERSION;
	ni->class_version = 1;
	ni->node_type = RDMA_NODE_IB_CA;
	ni->num_ports = sdev->nports;
	ni->sys_guid = sdev->ib.node_guid;
	ni->node_guid = sdev->ib.node_guid;
	ni->port_guid = port->guid;
	ni->partition_cap = cpu_to_be16(SIB_PKEY_TBL_LEN);
	ni->device_id = cpu_to_be16(SIB_DEVICE_ID);
	ni->revision = cpu_to_be32(SIB_REVISION);
	ni->local_port_num = port->port_num;
	ni->vendor_id[0] = (SIB_VENDOR_ID >> 16) & 0xff;
	ni->vendor_id[1] = (SIB_VENDOR_ID >> 8) & 0xff;
	ni->vendor_id[2] = SIB_VENDOR_ID & 0xff;
}

/* The switch's NodeInfo; @in_port is the port the SMP came in on. */
void sib_switch_node_info(u8 in_port, struct ib_node_info *ni)
{
	memset(ni, 0, sizeof(*ni));
	ni->base_version = IB_MGMT_BASE_VERSION;
	ni->class_version = 1;
	ni->node_type = RDMA_NODE_IB_SWITCH;
	ni->num_ports = sib_fabric.nports_total;
	ni->sys_guid = sib_switch_guid();
	ni->node_guid = sib_switch_guid();
	ni->port_guid = sib_switch_guid();
	ni->partition_cap = cpu_to_be16(SIB_PKEY_TBL_LEN);
	ni->device_id = cpu_to_be16(SIB_SWITCH_DEVICE_ID);
	ni->revision = cpu_to_be32(SIB_REVISION);
	ni->local_port_num = in_port;
}

const char *sib_switch_desc(void)
{
	return SIB_SWITCH_DESC;
}

/* The link fields, the same at both ends of an HCA port's cable. */
static void sib_link_info(struct sib_port *port, struct ib_port_info *pi)
{
	bool active = READ_ONCE(port->state) == IB_PORT_ACTIVE;

	pi->link_width_enabled = SIB_WIDTH_1X_4X;
	pi->link_width_supported = SIB_WIDTH_1X_4X;
	pi->link_width_active = IB_WIDTH_4X;
	pi->linkspeed_portstate = (SIB_SPEED_SDR_DDR_QDR << 4) |
				  (active ? IB_PORT_ACTIVE : IB_PORT_DOWN);
	pi->portphysstate_linkdown = ((active ? IB_PORT_PHYS_STATE_LINK_UP :
					 IB_PORT_PHYS_STATE_DISABLED) << 4) |
				     SIB_PHYS_POLLING;
	pi->linkspeedactive_enabled = (SIB_SPEED_QDR << 4) | SIB_SPEED_SDR_DDR_QDR;
	pi->neighbormtu_mastersmsl = sib_mtu_enum() << 4;	/* SM SL 0 */
	pi->vlcap_inittype = 1 << 4;				/* VL0 only */
	pi->inittypereply_mtucap = sib_mtu_enum();
	pi->operationalvl_pei_peo_fpi_fpo = 1 << 4;
	pi->guid_cap = SIB_GID_TBL_LEN;
	pi->clientrereg_resv_subnetto = 18;			/* subnet timeout */
	pi->resv_resptimevalue = 16;
}

static void sib_ca_port_info(struct sib_port *port, struct ib_port_info *pi)
{
	unsigned long flags;

	memset(pi, 0, sizeof(*pi));
	sib_link_info(port, pi);
	pi->gid_prefix = cpu_to_be64(0xfe80000000000000ULL);
	spin_lock_irqsave(&port->lock, flags);
	pi->lid = cpu_to_be16(port->lid);
	pi->cap_mask = cpu_to_be32(port->cap_flags);
	spin_unlock_irqrestore(&port->lock, flags);
	pi->sm_lid = cpu_to_be16(sib_sm_lid());
	pi->local_port_num = port->port_num;
	pi->pkey_violations = cpu_to_be16(min_t(u64, U16_MAX,
				atomic64_read(&port->cnt[SIB_CNT_DROP_PKEY])));
	pi->qkey_violations = cpu_to_be16(min_t(u64, U16_MAX,
				atomic64_read(&port->cnt[SIB_CNT_DROP_QKEY])));
}

/* Switch port @n (0: management port); @in_port received the SMP. */
static bool sib_switch_port_info(u32 n, u8 in_port, struct ib_port_info *pi)
{
	struct sib_port *peer = NULL;

	if (n > sib_fabric.nports_total)
		return false;
	memset(pi, 0, sizeof(*pi));
	if (n) {
		peer = sib_port_by_index(n - 1);
		if (!peer)
			return false;
		sib_link_info(peer, pi);
	} else {
		/* Port 0 is virtual: active, no physical link of its own. */
		pi->linkspeed_portstate = IB_PORT_ACTIVE;
		pi->cap_mask = cpu_to_be32(SIB_CAP_IS_SM);
		pi->neighbormtu_mastersmsl = sib_mtu_enum() << 4;
		pi->inittypereply_mtucap = sib_mtu_enum();
		pi->vlcap_inittype = 1 << 4;
		pi->operationalvl_pei_peo_fpi_fpo = 1 << 4;
		pi->clientrereg_resv_subnetto = 18;
	}
	pi->gid_prefix = cpu_to_be64(0xfe80000000000000ULL);
	/* A switch has one LID, port 0's; IBA leaves it in every port. */
	pi->lid = cpu_to_be16(sib_sm_lid());
	pi->sm_lid = cpu_to_be16(sib_sm_lid());
	pi->local_port_num = in_port;
	return true;
}

static void sib_switch_info(struct sib_switch_info *si)
{
	u16 top = SIB_FIRST_LID + sib_fabric.nports_total - 1;
	unsigned long idx;
	void *entry;

	memset(si, 0, sizeof(*si));
	/* LIDs can be moved by the lid knob: the top is the highest in use. */
	xa_for_each(&sib_fabric.lids, idx, entry)
		top = max_t(u16, top, idx);
	top = max_t(u16, top, sib_sm_lid());
	si->linear_fdb_cap = cpu_to_be16(0xc000);
	si->mcast_fdb_cap = cpu_to_be16(0x4000);
	si->linear_fdb_top = cpu_to_be16(top);
	si->default_port = 0xff;
	si->default_mcast_primary_port = 0xff;
	si->default_mcast_not_primary_port = 0xff;
	si->lifetime_state_change = 18 << 3;
	si->partition_enf_cap = cpu_to_be16(SIB_PKEY_TBL_LEN);
	si->mcast_fdb_top = cpu_to_be16(SIB_MCAST_LID_BASE - 1);	/* none */
}

static u32 sib_sm_act_count(void)
{
	u64 n = 0;
	int i;

	for (i = 0; i < sib_fabric.nports_total; i++) {
		struct sib_port *port = sib_port_by_index(i);

		if (port)
			n += atomic64_read(&port->cnt[SIB_CNT_SA_REQ]);
	}
	return (u32)n;
}

static void sib_sm_info(struct sib_sm_info *sm)
{
	memset(sm, 0, sizeof(*sm));
	sm->guid = sib_switch_guid();
	sm->act_count = cpu_to_be32(sib_sm_act_count());
	sm->priority_state = SIB_SM_STATE_MASTER;
}

static void sib_pkey_table(struct sib_port *port, u32 block, __be16 *out)
{
	unsigned long flags;
	int i;

	/* 32 entries a block; the table has 16, the rest reads as 0. */
	if (block)
		return;
	spin_lock_irqsave(&port->lock, flags);
	for (i = 0; i < SIB_PKEY_TBL_LEN; i++)
		out[i] = cpu_to_be16(port->pkeys[i]);
	spin_unlock_irqrestore(&port->lock, flags);
}

/* Turn @smp (a copy of the request) into its GetResp. */
static void sib_smp_reply(struct ib_smp *smp, __be16 status)
{
	smp->method = IB_MGMT_METHOD_GET_RESP;
	smp->status = status;
	if (smp->mgmt_class == IB_MGMT_CLASS_SUBN_DIRECTED_ROUTE)
		smp->status |= IB_SMP_DIRECTION;
}

/* Answer the SMP in @smp in place for HCA port @port. */
static void sib_ca_sma(struct sib_port *port, struct ib_smp *smp)
{
	u32 mod = be32_to_cpu(smp->attr_mod);
	__be16 status = 0;

	if (smp->method != IB_MGMT_METHOD_GET) {
		/* No SM configures this fabric: Set is refused. */
		memset(smp->data, 0, sizeof(smp->data));
		sib_smp_reply(smp, SIB_SMP_STATUS_UNSUP);
		return;
	}
	memset(smp->data, 0, sizeof(smp->data));
	switch (smp->attr_id) {
	case IB_SMP_ATTR_NODE_DESC:
		strscpy(smp->data, port->sdev->ib.node_desc, IB_DEVICE_NODE_DESC_MAX);
		break;
	case IB_SMP_ATTR_NODE_INFO:
		sib_node_info(port, (struct ib_node_info *)smp->data);
		break;
	case IB_SMP_ATTR_PORT_INFO:
		/* Attribute modifier 0 means the port the SMP came in on. */
		if (mod > port->sdev->nports) {
			status = SIB_SMP_STATUS_INVALID;
			break;
		}
		sib_ca_port_info(mod ? sib_port(port->sdev, mod) : port,
				 (struct ib_port_info *)smp->data);
		((struct ib_port_info *)smp->data)->local_port_num = port->port_num;
		break;
	case IB_SMP_ATTR_PKEY_TABLE:
		sib_pkey_table(port, mod & 0xffff, (__be16 *)smp->data);
		break;
	case IB_SMP_ATTR_GUID_INFO:
		if (mod)
			status = SIB_SMP_STATUS_INVALID;
		else
			memcpy(smp->data, &port->guid, sizeof(port->guid));
		break;
	default:
		status = SIB_SMP_STATUS_UNSUP;
		break;
	}
	sib_smp_reply(smp, status);
}

/* The switch's SMA; @in_port received the SMP. */
static void sib_switch_sma(u8 in_port, struct ib_smp *smp)
{
	u32 mod = be32_to_cpu(smp->attr_mod);
	__be16 status = 0;

	memset(smp->data, 0, sizeof(smp->data));
	if (smp->method != IB_MGMT_METHOD_GET) {
		sib_smp_reply(smp, SIB_SMP_STATUS_UNSUP);
		return;
	}
	switch (smp->attr_id) {
	case IB_SMP_ATTR_NODE_DESC:
		strscpy(smp->data, SIB_SWITCH_DESC, IB_DEVICE_NODE_DESC_MAX);
		break;
	case IB_SMP_ATTR_NODE_INFO:
		sib_switch_node_info(in_port, (struct ib_node_info *)smp->data);
		break;
	case IB_SMP_ATTR_SWITCH_INFO:
		sib_switch_info((struct sib_switch_info *)smp->data);
		break;
	case IB_SMP_ATTR_PORT_INFO:
		if (!sib_switch_port_info(mod & 0xff, in_port,
					  (struct ib_port_info *)smp->data))
			status = SIB_SMP_STATUS_INVALID;
		break;
	case IB_SMP_ATTR_SM_INFO:
		sib_sm_info((struct sib_sm_info *)smp->data);
		break;
	default:
		status = SIB_SMP_STATUS_UNSUP;
		break;
	}
	sib_smp_reply(smp, status);
}

/* ---- PMA (IBA 16.1) ---- */

static u64 sib_cnt(struct sib_port *port, enum sib_counter c)
{
	return atomic64_read(&port->cnt[c]);
}

static u32 sib_sat32(u64 v)
{
	return min_t(u64, v, U32_MAX);
}

static int sib_pma(struct sib_dev *sdev, u32 port_num, const struct ib_mad *in,
		   struct ib_mad *out)
{
	struct ib_class_port_info *cpi;
	struct sib_port *port;
	u8 sel;

	if (in->mad_hdr.method & IB_MGMT_METHOD_RESP)
		return IB_MAD_RESULT_SUCCESS;
	*out = *in;
	out->mad_hdr.method = IB_MGMT_METHOD_GET_RESP;
	out->mad_hdr.status = 0;
	memset(out->data + 40, 0, sizeof(out->data) - 40);
	if (in->mad_hdr.method != IB_MGMT_METHOD_GET) {
		/* Counters cannot be reset (Set) on this fabric. */
		out->mad_hdr.status = SIB_SMP_STATUS_UNSUP;
		return IB_MAD_RESULT_SUCCESS | IB_MAD_RESULT_REPLY;
	}
	/* PortSelect: the second byte of the attribute; 0 means this port. */
	sel = in->data[41];
	if (sel && sel <= sdev->nports)
		port_num = sel;
	port = sib_port(sdev, port_num);

	switch (in->mad_hdr.attr_id) {
	case IB_PMA_CLASS_PORT_INFO:
		cpi = (struct ib_class_port_info *)(out->data + 40);
		cpi->base_version = IB_MGMT_BASE_VERSION;
		cpi->class_version = 1;
		cpi->capability_mask = IB_PMA_CLASS_CAP_EXT_WIDTH;
		ib_set_cpi_resp_time(cpi, 18);
		break;
	case IB_PMA_PORT_COUNTERS: {
		struct ib_pma_portcounters *pc = (void *)(out->data + 40);

		pc->port_select = port->port_num;
		pc->port_rcv_errors = cpu_to_be16(min_t(u64, U16_MAX,
					sib_cnt(port, SIB_CNT_DROP_CORRUPT)));
		/* Data counters count 4-byte words (IBA 16.1.3.5). */
		pc->port_xmit_data = cpu_to_be32(sib_sat32(sib_cnt(port, SIB_CNT_TX_BYTES) / 4));
		pc->port_rcv_data = cpu_to_be32(sib_sat32(sib_cnt(port, SIB_CNT_RX_BYTES) / 4));
		pc->port_xmit_packets = cpu_to_be32(sib_sat32(sib_cnt(port, SIB_CNT_TX_PKTS)));
		pc->port_rcv_packets = cpu_to_be32(sib_sat32(sib_cnt(port, SIB_CNT_RX_PKTS)));
		break;
	}
	case IB_PMA_PORT_COUNTERS_EXT: {
		struct ib_pma_portcounters_ext *pc = (void *)(out->data + 40);
		u64 tx = sib_cnt(port, SIB_CNT_TX_PKTS);
		u64 rx = sib_cnt(port, SIB_CNT_RX_PKTS);
		u64 mtx = sib_cnt(port, SIB_CNT_MCAST_TX);
		u64 mrx = sib_cnt(port, SIB_CNT_MCAST_RX);

		pc->port_select = port->port_num;
		pc->port_xmit_data = cpu_to_be64(sib_cnt(port, SIB_CNT_TX_BYTES) / 4);
		pc->port_rcv_data = cpu_to_be64(sib_cnt(port, SIB_CNT_RX_BYTES) / 4);
		pc->port_xmit_packets = cpu_to_be64(tx);
		pc->port_rcv_packets = cpu_to_be64(rx);
		pc->port_unicast_xmit_packets = cpu_to_be64(tx - min(tx, mtx));
		pc->port_unicast_rcv_packets = cpu_to_be64(rx - min(rx, mrx));
		pc->port_multicast_xmit_packets = cpu_to_be64(mtx);
		pc->port_multicast_rcv_packets = cpu_to_be64(mrx);
		break;
	}
	default:
		out->mad_hdr.status = SIB_SMP_STATUS_UNSUP;
		break;
	}
	return IB_MAD_RESULT_SUCCESS | IB_MAD_RESULT_REPLY;
}

/*
 * ops.process_mad: ib_mad offers every MAD it receives here first, and
 * hands directed-route SMPs that end at this node here directly. What is
 * not for the SMA or PMA goes on to ib_mad's agents (IB_MAD_RESULT_SUCCESS
 * alone).
 */
int sib_process_mad(struct ib_device *ib, int mad_flags, u32 port_num,
		    const struct ib_wc *in_wc, const struct ib_grh *in_grh,
		    const struct ib_mad *in, struct ib_mad *out,
		    size_t *out_mad_size, u16 *out_mad_pkey_index)
{
	struct sib_dev *sdev = to_sdev(ib);
	u8 class = in->mad_hdr.mgmt_class;

	if (!port_num || port_num > sdev->nports ||
	    in->mad_hdr.base_version != IB_MGMT_BASE_VERSION)
		return IB_MAD_RESULT_SUCCESS;
	if (class == IB_MGMT_CLASS_PERF_MGMT)
		return sib_pma(sdev, port_num, in, out);
	if (class != IB_MGMT_CLASS_SUBN_LID_ROUTED &&
	    class != IB_MGMT_CLASS_SUBN_DIRECTED_ROUTE)
		return IB_MAD_RESULT_SUCCESS;
	/* Responses, traps and reports are for the agents (smpquery's). */
	if (in->mad_hdr.method != IB_MGMT_METHOD_GET &&
	    in->mad_hdr.method != IB_MGMT_METHOD_SET)
		return IB_MAD_RESULT_SUCCESS;

	*out = *in;
	sib_ca_sma(sib_port(sdev, port_num), (struct ib_smp *)out);
	return IB_MAD_RESULT_SUCCESS | IB_MAD_RESULT_REPLY;
}

/* ---- SMPs on the wire ---- */

/* Hand @smp to QP0 of @dport, as if it came from @slid. */
static void sib_smp_deliver(struct sib_port *dport, u16 slid,
			    struct ib_smp *smp)
{
	struct ib_sge sge = {
		.addr = (uintptr_t)smp,
		.length = IB_MGMT_MAD_SIZE,
	};
	struct sib_pkt pkt = {
		.sport = dport,
		.slid = slid,
		.src_qpn = 0,
		.pkey = 0xffff,
		.sge = &sge,
		.num_sge = 1,
		.len = IB_MGMT_MAD_SIZE,
	};
	struct sib_qp *qp0 = sib_qp_get(dport, 0);

	if (!qp0) {
		sib_count(dport, SIB_CNT_DROP_NO_QP, 1);
		return;
	}
	sib_wire_deliver_ud(qp0, dport, &pkt);
	sib_qp_put(qp0);
}

/*
 * A directed-route SMP entering the switch on @in_port (IBA 14.2.2.2 and
 * C14-9/C14-13, as drivers/infiniband/core/smi.c does it for a switch).
 * Returns the HCA port it leaves through, or NULL (dropped).
 */
static struct sib_port *sib_switch_dr(u8 in_port, struct ib_smp *smp,
				       bool *answered)
{
	u8 out;

	*answered = false;
	if (smp->hop_cnt >= IB_SMP_MAX_PATH_HOPS)
		return NULL;
	if (!ib_get_smp_direction(smp)) {
		if (!smp->hop_ptr || smp->hop_ptr > smp->hop_cnt)
			return NULL;
		smp->return_path[smp->hop_ptr] = in_port;
		if (smp->hop_ptr == smp->hop_cnt) {
			/* The path ends here: the switch's SMA answers. */
			if (smp->method != IB_MGMT_METHOD_GET &&
			    smp->method != IB_MGMT_METHOD_SET)
				return NULL;
			sib_switch_sma(in_port, smp);
			*answered = true;
			/* hop_ptr was hop_cnt + 1 for the SMA; back one hop. */
			out = smp->return_path[smp->hop_ptr];
		} else {
			smp->hop_ptr++;
			out = smp->initial_path[smp->hop_ptr];
		}
	} else {
		/* Returning: the switch is an intermediate hop (C14-13:2). */
		if (smp->hop_ptr < 2 || smp->hop_ptr > smp->hop_cnt)
			return NULL;
		smp->hop_ptr--;
		out = smp->return_path[smp->hop_ptr];
	}
	return sib_port_by_index(out - 1);
}

/*
 * An SMP sent on QP0 of @sport (IBA 14.2.2: SMPs are not subject to P_Key
 * or Q_Key checks). @pkt's payload is the MAD; @dlid its destination.
 */
void sib_wire_smp(struct sib_port *sport, const struct sib_pkt *pkt, u16 dlid)
{
	struct sib_port *dport;
	struct ib_smp *smp;
	u16 slid = READ_ONCE(sport->lid);
	bool answered;
	u32 i, off = 0;

	if (pkt->len < IB_MGMT_MAD_SIZE) {
		sib_count(sport, SIB_CNT_DROP_SMP, 1);
		return;
	}
	smp = kmalloc(IB_MGMT_MAD_SIZE, GFP_KERNEL);
	if (!smp)
		return;
	/* ib_mad posts header and payload as two SGEs: linearise. */
	for (i = 0; i < pkt->num_sge && off < IB_MGMT_MAD_SIZE; i++) {
		u32 n = min_t(u32, pkt->sge[i].length, IB_MGMT_MAD_SIZE - off);

		memcpy((void *)smp + off, (void *)(uintptr_t)pkt->sge[i].addr, n);
		off += n;
	}

	switch (smp->mgmt_class) {
	case IB_MGMT_CLASS_SUBN_DIRECTED_ROUTE:
		/* Pure directed route only: no LID-routed part. */
		if (smp->dr_slid != IB_LID_PERMISSIVE ||
		    smp->dr_dlid != IB_LID_PERMISSIVE) {
			sib_count(sport, SIB_CNT_DROP_SMP, 1);
			break;
		}
		dport = sib_switch_dr(sport->index + 1, smp, &answered);
		if (!dport) {
			sib_count(sport, SIB_CNT_DROP_SMP, 1);
			break;
		}
		/* An answer of the switch's own comes from its LID. */
		sib_smp_deliver(dport, answered ? sib_sm_lid() : slid, smp);
		break;
	case IB_MGMT_CLASS_SUBN_LID_ROUTED:
		if (dlid == sib_sm_lid()) {
			if (smp->method != IB_MGMT_METHOD_GET &&
			    smp->method != IB_MGMT_METHOD_SET) {
				sib_count(sport, SIB_CNT_DROP_SMP, 1);
				break;
			}
			sib_switch_sma(sport->index + 1, smp);
			sib_smp_deliver(sport, sib_sm_lid(), smp);
			break;
		}
		dport = sib_port_by_lid(dlid);
		if (!dport) {
			sib_count(sport, SIB_CNT_DROP_NO_ROUTE, 1);
			break;
		}
		/* Subnet management stays on each host (Documentation/softib.md). */
		if (dport->remote) {
			sib_count(sport, SIB_CNT_DROP_SMP, 1);
			break;
		}
		sib_smp_deliver(dport, slid, smp);
		break;
	default:
		sib_count(sport, SIB_CNT_DROP_SMP, 1);
		break;
	}
	kfree(smp);
}
