// SPDX-License-Identifier: GPL-2.0
/*
 * softib: the subnet administrator built into the fabric.
 *
 * It answers at the SM LID (sm_lid knob, default 1) on QP1: GSI packets with
 * that DLID never reach a port, the wire hands them to sib_sa_request() and
 * the reply is placed on the requester's QP1 with SLID = SM LID, source QP 1.
 *
 * Supported: PathRecord Get, MCMemberRecord Get/Set/Delete, ClassPortInfo
 * Get, and GetTable of PathRecords, MCMemberRecords and NodeRecords, whose
 * replies go out as RMPP transfers (IBA 13.6) paced by the requester's
 * ACKs.  Every other method or attribute gets a proper error status.  One IPoIB
 * broadcast group per configured P_Key is created at load time and is never
 * deleted; other groups are created by the first join and deleted by the
 * last leave.
 */
#include <linux/jiffies.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/version.h>
#include <linux/vmalloc.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif
#include <rdma/ib_sa.h>
#include <rdma/ib_smi.h>

#include "sib.h"

#define SIB_SA_MAX_GROUPS	512
#define SIB_SA_IPOIB_QKEY	0x00000b1b	/* opensm's IPoIB default */
#define SIB_SA_PKT_LIFE		14		/* 4.096 us * 2^14 = 67 ms */
#define SIB_SEL_EQ		2		/* "exactly" selector */

/* SA status codes (IBA 15.2.1.1), in bits 8..15 of the MAD status. */
#define SIB_SA_ERR_NO_RESOURCES		(1 << 8)
#define SIB_SA_ERR_REQ_INVALID		(2 << 8)
#define SIB_SA_ERR_NO_RECORDS		(3 << 8)
#define SIB_SA_ERR_INSUFFICIENT_COMPS	(6 << 8)

/* IBA 15.2.5.16 PathRecord, 64 bytes */
struct sib_path_rec {
	__be64 service_id;
	union ib_gid dgid;
	union ib_gid sgid;
	__be16 dlid;
	__be16 slid;
	__be32 raw_flow_hop;		/* RawTraffic:1 rsvd:3 Flow:20 Hop:8 */
	u8 tclass;
	u8 rev_numb_path;		/* Reversible:1 NumbPath:7 */
	__be16 pkey;
	__be16 qos_sl;			/* QoSClass:12 SL:4 */
	u8 mtu;				/* Selector:2 MTU:6 */
	u8 rate;			/* Selector:2 Rate:6 */
	u8 packet_life;			/* Selector:2 Value:6 */
	u8 preference;
	u8 reserved[6];
} __packed;

/* IBA 15.2.5.17 MCMemberRecord, 52 bytes (56 with padding on the wire) */
struct sib_mcmember_rec {
	union ib_gid mgid;
	union ib_gid port_gid;
	__be32 qkey;
	__be16 mlid;
	u8 mtu;
	u8 tclass;
	__be16 pkey;
	u8 rate;
	u8 packet_life;
	__be32 sl_flow_hop;		/* SL:4 FlowLabel:20 HopLimit:8 */
	u8 scope_join;			/* Scope:4 JoinState:4 */
	u8 proxy_join;			/* ProxyJoin:1 rsvd:7 */
	u8 reserved[2];
} __packed;

/* IBA 15.2.5.2 NodeRecord, 108 bytes (112 with padding on the wire) */
struct sib_node_rec {
	__be16 lid;
	__be16 reserved;
	struct ib_node_info info;
	u8 desc[IB_DEVICE_NODE_DESC_MAX];
} __packed;

/* NodeRecord component mask bits (IBA 15.2.5.2, in field order) */
#define SIB_NR_LID		IB_SA_COMP_MASK(0)
#define SIB_NR_NODE_TYPE	IB_SA_COMP_MASK(4)
#define SIB_NR_NODE_GUID	IB_SA_COMP_MASK(7)
#define SIB_NR_PORT_GUID	IB_SA_COMP_MASK(8)

/* The most a GetTable reply may hold: 256 RMPP segments. */
#define SIB_SA_TABLE_MAX	(256 * IB_MGMT_SA_DATA)
/* An RMPP transfer nobody ACKs for this long is dropped. */
#define SIB_SA_XFER_IDLE	(10 * HZ)
#define SIB_SA_RMPP_SA_HDR	(IB_MGMT_SA_HDR - IB_MGMT_RMPP_HDR)	/* 20 */

/* A GetTable reply being sent as RMPP segments, paced by ACKs. */
struct sib_sa_xfer {
	struct list_head list;
	struct sib_port *port;		/* the requester */
	unsigned long stamp;		/* last activity */
	struct ib_sa_mad hdr;		/* MAD and SA headers of every segment */
	u32 nseg;
	u32 sent;			/* highest segment sent */
	u32 len;			/* record bytes */
	u8 *data;
};

/* GetTable records under construction. */
struct sib_sa_table {
	u8 *buf;
	u32 len;
	u16 rec_len;			/* multiple of 8 */
	bool full;
};

struct sib_sa_member {
	struct list_head list;
	union ib_gid port_gid;
	u8 join_state;
};

struct sib_sa_group {
	struct list_head list;
	struct list_head members;
	bool permanent;
	struct sib_mcmember_rec rec;	/* port_gid and join state unused */
};

struct sib_sa_delayed {
	struct list_head list;
	unsigned long due;
	struct sib_port *port;
	u8 mad[IB_MGMT_MAD_SIZE];
};

static struct {
	struct mutex lock;		/* groups */
	struct list_head groups;
	int ngroups;
	u32 next_mgid;

	spinlock_t delay_lock;		/* delayed */
	struct list_head delayed;
	struct delayed_work delay_work;
	bool stopping;

	struct mutex xfer_lock;		/* xfers */
	struct list_head xfers;

	/* knobs */
	u32 drop_ppm;
	u32 delay_ms;
	u16 status;			/* forced MAD status, 0 = off */
} sib_sa;

static void sib_sa_deliver(struct sib_port *port, void *mad)
{
	struct ib_sge sge = {
		.addr = (uintptr_t)mad,
		.length = IB_MGMT_MAD_SIZE,
	};
	struct sib_pkt pkt = {
		.sport = port,
		.slid = sib_sm_lid(),
		.src_qpn = 1,
		.pkey = 0xffff,
		.qkey = SIB_QP1_QKEY,
		.sge = &sge,
		.num_sge = 1,
		.len = IB_MGMT_MAD_SIZE,
	};
	struct sib_qp *qp1;

	if (port->remote) {	/* a requester on the other host */
		sib_net_send_ud(&pkt, READ_ONCE(port->lid), 1);
		return;
	}
	qp1 = sib_qp_get(port, 1);
	if (!qp1) {
		sib_count(port, SIB_CNT_DROP_NO_QP, 1);
		return;
	}
	sib_wire_deliver_ud(qp1, port, &pkt);
	sib_qp_put(qp1);
}

/* ---- groups ---- */

static struct sib_sa_group *sib_sa_find_group(const union ib_gid *mgid)
{
	struct sib_sa_group *g;

	list_for_each_entry(g, &sib_sa.groups, list)
		if (!memcmp(g->rec.mgid.raw, mgid->raw, sizeof(mgid->raw)))
			return g;
	return NULL;
}

static u16 sib_sa_alloc_mlid(void)
{
	struct sib_sa_group *g;
	u16 mlid;

	for (mlid = SIB_MCAST_LID_BASE; mlid < SIB_PERMISSIVE_LID; mlid++) {
		bool used = false;

		list_for_each_entry(g, &sib_sa.groups, list)
			if (be16_to_cpu(g->rec.mlid) == mlid) {
				used = true;
				break;
			}
		if (!used)
			return mlid;
	}
	return 0;
}

static struct sib_sa_group *sib_sa_new_group(const union ib_gid *mgid, u16 pkey)
{
	struct sib_sa_group *g;
	u16 mlid;

	if (sib_sa.ngroups >= SIB_SA_MAX_GROUPS)
		return NULL;
	mlid = sib_sa_alloc_mlid();
	if (!mlid)
		return NULL;
	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return NULL;
	INIT_LIST_HEAD(&g->members);
	g->rec.mgid = *mgid;
	g->rec.qkey = cpu_to_be32(SIB_SA_IPOIB_QKEY);
	g->rec.mlid = cpu_to_be16(mlid);
	g->rec.mtu = (SIB_SEL_EQ << 6) | sib_mtu_enum();
	g->rec.pkey = cpu_to_be16(pkey);
	g->rec.rate = (SIB_SEL_EQ << 6) | IB_RATE_10_GBPS;
	g->rec.packet_life = (SIB_SEL_EQ << 6) | SIB_SA_PKT_LIFE;
	/* Scope comes from the MGID (IBA 4.1.1: ffXS:...). */
	g->rec.scope_join = (mgid->raw[1] & 0xf) << 4;
	list_add_tail(&g->list, &sib_sa.groups);
	sib_sa.ngroups++;
	return g;
}

static void sib_sa_free_group(struct sib_sa_group *g)
{
	struct sib_sa_member *m, *tmp;

	list_for_each_entry_safe(m, tmp, &g->members, list)
		kfree(m);
	list_del(&g->list);
	sib_sa.ngroups--;
	kfree(g);
}

static struct sib_sa_member *sib_sa_find_member(struct sib_sa_group *g,
						const union ib_gid *gid)
{
	struct sib_sa_member *m;

	list_for_each_entry(m, &g->members, list)
		if (!memcmp(m->port_gid.raw, gid->raw, sizeof(gid->raw)))
			return m;
	return NULL;
}

/* The answer to a member: the group's record with its own GID and state. */
static void sib_sa_fill_member_rec(struct sib_mcmember_rec *out,
				   const struct sib_sa_group *g,
				   const union ib_gid *port_gid, u8 join_state)
{
	*out = g->rec;
	out->port_gid = *port_gid;
	out->scope_join = (g->rec.scope_join & 0xf0) | (join_state & 0xf);
	out->proxy_join = 0;
}

static u16 sib_sa_mcmember_set(struct sib_port *port, ib_sa_comp_mask mask,
			       struct sib_mcmember_rec *rec)
{
	union ib_gid mgid = rec->mgid;
	u8 join = rec->scope_join & 0xf;
	struct sib_sa_member *m;
	struct sib_sa_group *g;
	u16 status = 0;

	if (!(mask & IB_SA_MCMEMBER_REC_PORT_GID) ||
	    !(mask & IB_SA_MCMEMBER_REC_JOIN_STATE))
		return SIB_SA_ERR_INSUFFICIENT_COMPS;
	if (!join || !sib_port_by_gid(&rec->port_gid))
		return SIB_SA_ERR_REQ_INVALID;

	mutex_lock(&sib_sa.lock);
	if (!(mask & IB_SA_MCMEMBER_REC_MGID) || !memcmp(&mgid, &zgid, sizeof(mgid))) {
		/* MGID allocation (IBA 15.2.5.17.3): ff12:601b:pkey::N */
		u16 pkey = (mask & IB_SA_MCMEMBER_REC_PKEY) ?
			   be16_to_cpu(rec->pkey) : 0xffff;

		memset(&mgid, 0, sizeof(mgid));
		mgid.raw[0] = 0xff;
		mgid.raw[1] = 0x12;
		mgid.raw[2] = 0x60;
		mgid.raw[3] = 0x1b;
		mgid.raw[4] = pkey >> 8;
		mgid.raw[5] = pkey & 0xff;
		put_unaligned_be32(++sib_sa.next_mgid, &mgid.raw[12]);
	} else if (mgid.raw[0] != 0xff) {
		status = SIB_SA_ERR_REQ_INVALID;
		goto out;
	}

	g = sib_sa_find_group(&mgid);
	if (!g) {
		g = sib_sa_new_group(&mgid, (mask & IB_SA_MCMEMBER_REC_PKEY) ?
				     be16_to_cpu(rec->pkey) : 0xffff);
		if (!g) {
			status = SIB_SA_ERR_NO_RESOURCES;
			goto out;
		}
		/* The creator chooses the group's parameters. */
		if (mask & IB_SA_MCMEMBER_REC_QKEY)
			g->rec.qkey = rec->qkey;
		if (mask & IB_SA_MCMEMBER_REC_TRAFFIC_CLASS)
			g->rec.tclass = rec->tclass;
		if (mask & (IB_SA_MCMEMBER_REC_SL | IB_SA_MCMEMBER_REC_FLOW_LABEL |
			    IB_SA_MCMEMBER_REC_HOP_LIMIT))
			g->rec.sl_flow_hop = rec->sl_flow_hop;
	} else if (((mask & IB_SA_MCMEMBER_REC_QKEY) && rec->qkey != g->rec.qkey) ||
		   ((mask & IB_SA_MCMEMBER_REC_PKEY) &&
		    !sib_pkey_match(be16_to_cpu(rec->pkey),
				    be16_to_cpu(g->rec.pkey)))) {
		status = SIB_SA_ERR_REQ_INVALID;
		goto out;
	}

	m = sib_sa_find_member(g, &rec->port_gid);
	if (!m) {
		m = kzalloc(sizeof(*m), GFP_KERNEL);
		if (!m) {
			if (list_empty(&g->members) && !g->permanent)
				sib_sa_free_group(g);
			status = SIB_SA_ERR_NO_RESOURCES;
			goto out;
		}
		m->port_gid = rec->port_gid;
		list_add_tail(&m->list, &g->members);
	}
	m->join_state |= join;
	sib_sa_fill_member_rec(rec, g, &m->port_gid, m->join_state);
out:
	mutex_unlock(&sib_sa.lock);
	return status;
}

static u16 sib_sa_mcmember_delete(ib_sa_comp_mask mask,
				  struct sib_mcmember_rec *rec)
{
	u8 leave = rec->scope_join & 0xf;
	struct sib_sa_member *m;
	struct sib_sa_group *g;
	u16 status = 0;

	if (!(mask & IB_SA_MCMEMBER_REC_MGID) ||
	    !(mask & IB_SA_MCMEMBER_REC_PORT_GID) ||
	    !(mask & IB_SA_MCMEMBER_REC_JOIN_STATE))
		return SIB_SA_ERR_INSUFFICIENT_COMPS;

	mutex_lock(&sib_sa.lock);
	g = sib_sa_find_group(&rec->mgid);
	m = g ? sib_sa_find_member(g, &rec->port_gid) : NULL;
	if (!m || !(m->join_state & leave)) {
		status = SIB_SA_ERR_REQ_INVALID;
		goto out;
	}
	m->join_state &= ~leave;
	sib_sa_fill_member_rec(rec, g, &rec->port_gid, leave);
	if (!m->join_state) {
		list_del(&m->list);
		kfree(m);
	}
	if (list_empty(&g->members) && !g->permanent)
		sib_sa_free_group(g);
out:
	mutex_unlock(&sib_sa.lock);
	return status;
}

static u16 sib_sa_mcmember_get(ib_sa_comp_mask mask,
			       struct sib_mcmember_rec *rec)
{
	struct sib_sa_group *g;
	u16 status = SIB_SA_ERR_NO_RECORDS;

	if (!(mask & IB_SA_MCMEMBER_REC_MGID))
		return SIB_SA_ERR_INSUFFICIENT_COMPS;
	mutex_lock(&sib_sa.lock);
	g = sib_sa_find_group(&rec->mgid);
	if (g) {
		sib_sa_fill_member_rec(rec, g, &rec->port_gid, 0);
		status = 0;
	}
	mutex_unlock(&sib_sa.lock);
	return status;
}

/* ---- paths ---- */

static void sib_sa_fill_path(struct sib_port *sport, struct sib_port *dport,
			     u16 pkey, u8 tclass, struct sib_path_rec *rec);

/*
 * A virtual peer (sib_peers.c) is in every partition: only the source
 * port's table decides. Its DLID routes to the wire's sink.
 */
static u16 sib_sa_peer_path(struct sib_port *sport, u16 pkey, u8 tclass,
			    struct sib_path_rec *rec)
{
	union ib_gid dgid = rec->dgid;
	u16 dlid = sib_peer_lid_by_gid(&dgid);

	if (sib_port_find_pkey(sport, pkey) < 0)
		return SIB_SA_ERR_NO_RECORDS;
	sib_sa_fill_path(sport, sport, pkey, tclass, rec);
	rec->dgid = dgid;
	rec->dlid = cpu_to_be16(dlid);
	sib_peer_path_answered();
	return 0;
}

static u16 sib_sa_path_get(struct sib_port *port, ib_sa_comp_mask mask,
			   struct sib_path_rec *rec)
{
	struct sib_port *dport, *sport = port;
	u16 pkey = 0xffff;
	u8 tclass = 0;

	if (!(mask & IB_SA_PATH_REC_DGID))
		return SIB_SA_ERR_INSUFFICIENT_COMPS;
	dport = sib_port_by_gid(&rec->dgid);
	if (mask & IB_SA_PATH_REC_SGID)
		sport = sib_port_by_gid(&rec->sgid);
	if (mask & IB_SA_PATH_REC_PKEY)
		pkey = be16_to_cpu(rec->pkey);
	if (mask & IB_SA_PATH_REC_TRAFFIC_CLASS)
		tclass = rec->tclass;
	if (!dport && sport && sib_peer_lid_by_gid(&rec->dgid))
		return sib_sa_peer_path(sport, pkey, tclass, rec);
	if (!dport || !sport)
		return SIB_SA_ERR_NO_RECORDS;
	/* Both ends must be in the partition, and not both limited. */
	if (sib_port_find_pkey(sport, pkey) < 0 ||
	    sib_port_find_pkey(dport, pkey) < 0)
		return SIB_SA_ERR_NO_RECORDS;
	sib_sa_fill_path(sport, dport, pkey, tclass, rec);
	return 0;
}

static void sib_sa_fill_path(struct sib_port *sport, struct sib_port *dport,
			     u16 pkey, u8 tclass, struct sib_path_rec *rec)
{
	memset(rec, 0, sizeof(*rec));
	sib_port_gid(dport, &rec->dgid);
	sib_port_gid(sport, &rec->sgid);
	rec->dlid = cpu_to_be16(READ_ONCE(dport->lid));
	rec->slid = cpu_to_be16(READ_ONCE(sport->lid));
	rec->raw_flow_hop = 0;		/* hop limit 0: no GRH inside the subnet */
	rec->tclass = tclass;
	rec->rev_numb_path = 0x80 | 1;
	rec->pkey = cpu_to_be16(pkey);
	rec->qos_sl = 0;
	rec->mtu = (SIB_SEL_EQ << 6) | sib_mtu_enum();
	rec->rate = (SIB_SEL_EQ << 6) | IB_RATE_40_GBPS;	/* 4X QDR */
	rec->packet_life = (SIB_SEL_EQ << 6) | SIB_SA_PKT_LIFE;
}

static void sib_sa_class_port_info(struct ib_class_port_info *cpi)
{
	memset(cpi, 0, sizeof(*cpi));
	cpi->base_version = IB_MGMT_BASE_VERSION;
	cpi->class_version = IB_SA_CLASS_VERSION;
	/* cap_mask2 = 0, RespTimeValue = 18 */
	cpi->cap_mask2_resp_time = cpu_to_be32(18);
}

/* ---- GetTable ---- */

static void *sib_sa_table_add(struct sib_sa_table *t)
{
	void *rec;

	if (t->len + t->rec_len > SIB_SA_TABLE_MAX) {
		t->full = true;
		return NULL;
	}
	rec = t->buf + t->len;
	memset(rec, 0, t->rec_len);
	t->len += t->rec_len;
	return rec;
}

static bool sib_gid_eq(const union ib_gid *a, const union ib_gid *b)
{
	return !memcmp(a->raw, b->raw, sizeof(a->raw));
}

/*
 * Every path between two fabric ports (a port to itself included) that
 * the template selects by SGID, DGID, SLID, DLID, P_Key (default 0xffff)
 * and SL; one path per pair. Other components are not evaluated.
 */
static u16 sib_sa_path_table(ib_sa_comp_mask mask,
			     const struct sib_path_rec *tmpl,
			     struct sib_sa_table *t)
{
	u16 pkey = (mask & IB_SA_PATH_REC_PKEY) ? be16_to_cpu(tmpl->pkey) : 0xffff;
	int s, d;

	if ((mask & IB_SA_PATH_REC_SL) && (be16_to_cpu(tmpl->qos_sl) & 0xf))
		return 0;
	if ((mask & IB_SA_PATH_REC_NUMB_PATH) && !(tmpl->rev_numb_path & 0x7f))
		return 0;
	for (s = 0; s < sib_fabric.nports_total; s++) {
		struct sib_port *sport = sib_port_by_index(s);
		union ib_gid sgid;

		if (!sport)
			continue;
		sib_port_gid(sport, &sgid);
		if ((mask & IB_SA_PATH_REC_SGID) && !sib_gid_eq(&sgid, &tmpl->sgid))
			continue;
		if ((mask & IB_SA_PATH_REC_SLID) &&
		    be16_to_cpu(tmpl->slid) != READ_ONCE(sport->lid))
			continue;
		if (sib_port_find_pkey(sport, pkey) < 0)
			continue;
		for (d = 0; d < sib_fabric.nports_total; d++) {
			struct sib_port *dport = sib_port_by_index(d);
			struct sib_path_rec *rec;
			union ib_gid dgid;

			if (!dport)
				continue;
			sib_port_gid(dport, &dgid);
			if ((mask & IB_SA_PATH_REC_DGID) &&
			    !sib_gid_eq(&dgid, &tmpl->dgid))
				continue;
			if ((mask & IB_SA_PATH_REC_DLID) &&
			    be16_to_cpu(tmpl->dlid) != READ_ONCE(dport->lid))
				continue;
			if (sib_port_find_pkey(dport, pkey) < 0)
				continue;
			rec = sib_sa_table_add(t);
			if (!rec)
				return SIB_SA_ERR_NO_RESOURCES;
			sib_sa_fill_path(sport, dport, pkey,
					 (mask & IB_SA_PATH_REC_TRAFFIC_CLASS) ?
					 tmpl->tclass : 0, rec);
		}
	}
	return 0;
}

/*
 * One record per group member, selected by MGID, PortGID, Q_Key, MLID,
 * P_Key and JoinState (any bit in common). Every requester is trusted:
 * port GIDs are shown (a real SA shows them to SM_Key holders only).
 */
static u16 sib_sa_mcmember_table(ib_sa_comp_mask mask,
				 const struct sib_mcmember_rec *tmpl,
				 struct sib_sa_table *t)
{
	struct sib_sa_member *m;
	struct sib_sa_group *g;
	u16 status = 0;

	mutex_lock(&sib_sa.lock);
	list_for_each_entry(g, &sib_sa.groups, list) {
		if ((mask & IB_SA_MCMEMBER_REC_MGID) &&
		    !sib_gid_eq(&g->rec.mgid, &tmpl->mgid))
			continue;
		if ((mask & IB_SA_MCMEMBER_REC_QKEY) && g->rec.qkey != tmpl->qkey)
			continue;
		if ((mask & IB_SA_MCMEMBER_REC_MLID) && g->rec.mlid != tmpl->mlid)
			continue;
		if ((mask & IB_SA_MCMEMBER_REC_PKEY) &&
		    (be16_to_cpu(g->rec.pkey) & 0x7fff) !=
		    (be16_to_cpu(tmpl->pkey) & 0x7fff))
			continue;
		list_for_each_entry(m, &g->members, list) {
			struct sib_mcmember_rec *rec;

			if ((mask & IB_SA_MCMEMBER_REC_PORT_GID) &&
			    !sib_gid_eq(&m->port_gid, &tmpl->port_gid))
				continue;
			if ((mask & IB_SA_MCMEMBER_REC_JOIN_STATE) &&
			    !(m->join_state & tmpl->scope_join & 0xf))
				continue;
			rec = sib_sa_table_add(t);
			if (!rec) {
				status = SIB_SA_ERR_NO_RESOURCES;
				goto out;
			}
			sib_sa_fill_member_rec(rec, g, &m->port_gid, m->join_state);
		}
	}
out:
	mutex_unlock(&sib_sa.lock);
	return status;
}

static bool sib_sa_node_match(ib_sa_comp_mask mask,
			      const struct sib_node_rec *tmpl,
			      const struct sib_node_rec *rec)
{
	return (!(mask & SIB_NR_LID) || tmpl->lid == rec->lid) &&
	       (!(mask & SIB_NR_NODE_TYPE) ||
		tmpl->info.node_type == rec->info.node_type) &&
	       (!(mask & SIB_NR_NODE_GUID) ||
		tmpl->info.node_guid == rec->info.node_guid) &&
	       (!(mask & SIB_NR_PORT_GUID) ||
		tmpl->info.port_guid == rec->info.port_guid);
}

/*
 * The switch (at the SM LID) and every HCA port, one record each, selected
 * by LID, NodeType, NodeGUID and PortGUID.
 */
static u16 sib_sa_node_table(ib_sa_comp_mask mask,
			     const struct sib_node_rec *tmpl,
			     struct sib_sa_table *t)
{
	struct sib_node_rec nr;
	int i;

	for (i = -1; i < sib_fabric.nports_total; i++) {
		struct sib_node_rec *rec;

		memset(&nr, 0, sizeof(nr));
		if (i < 0) {
			nr.lid = cpu_to_be16(sib_sm_lid());
			sib_switch_node_info(0, &nr.info);
			strscpy(nr.desc, sib_switch_desc(), sizeof(nr.desc));
		} else {
			struct sib_port *port = sib_port_by_index(i);

			if (!port)
				continue;
			nr.lid = cpu_to_be16(READ_ONCE(port->lid));
			sib_node_info(port, &nr.info);
			strscpy(nr.desc, port->sdev->ib.node_desc, sizeof(nr.desc));
		}
		if (!sib_sa_node_match(mask, tmpl, &nr))
			continue;
		rec = sib_sa_table_add(t);
		if (!rec)
			return SIB_SA_ERR_NO_RESOURCES;
		memcpy(rec, &nr, sizeof(nr));
	}
	return 0;
}

/* Segment @seg (1-based) of @x, ready to send, in @mad. */
static void sib_sa_xfer_seg(const struct sib_sa_xfer *x, u32 seg,
			    struct ib_sa_mad *mad)
{
	u32 off = (seg - 1) * IB_MGMT_SA_DATA;
	u32 n = x->len > off ? min_t(u32, x->len - off, IB_MGMT_SA_DATA) : 0;
	u8 flags = IB_MGMT_RMPP_FLAG_ACTIVE;
	u32 paylen = 0;

	*mad = x->hdr;
	mad->rmpp_hdr.rmpp_version = IB_MGMT_RMPP_VERSION;
	mad->rmpp_hdr.rmpp_type = IB_MGMT_RMPP_TYPE_DATA;
	/*
	 * PayloadLength (IBA 13.6.2.3) counts the SA header of every
	 * segment: in the first, of the whole transfer; in the last, of
	 * that segment.
	 */
	if (seg == 1) {
		flags |= IB_MGMT_RMPP_FLAG_FIRST;
		paylen = x->nseg * SIB_SA_RMPP_SA_HDR + x->len;
	}
	if (seg == x->nseg) {
		flags |= IB_MGMT_RMPP_FLAG_LAST;
		paylen = SIB_SA_RMPP_SA_HDR + n;
	}
	ib_set_rmpp_resptime(&mad->rmpp_hdr, IB_MGMT_RMPP_NO_RESPTIME);
	ib_set_rmpp_flags(&mad->rmpp_hdr, flags);
	mad->rmpp_hdr.seg_num = cpu_to_be32(seg);
	mad->rmpp_hdr.paylen_newwin = cpu_to_be32(paylen);
	if (n)
		memcpy(mad->data, x->data + off, n);
}

static void sib_sa_xfer_free(struct sib_sa_xfer *x)
{
	list_del(&x->list);
	kvfree(x->data);
	kfree(x);
}

/* Transfers the requester gave up on (it times out after 40 s itself). */
static void sib_sa_xfer_reap(void)
{
	struct sib_sa_xfer *x, *tmp;

	mutex_lock(&sib_sa.xfer_lock);
	list_for_each_entry_safe(x, tmp, &sib_sa.xfers, list)
		if (time_after(jiffies, x->stamp + SIB_SA_XFER_IDLE))
			sib_sa_xfer_free(x);
	mutex_unlock(&sib_sa.xfer_lock);
}

/*
 * An RMPP packet from a requester: an ACK (IBA 13.6.3.3: segments up to
 * seg_num arrived, send up to the new window) or a STOP/ABORT.
 */
static void sib_sa_rmpp_control(struct sib_port *port, const struct ib_sa_mad *req)
{
	u32 seg = be32_to_cpu(req->rmpp_hdr.seg_num);
	u32 newwin = be32_to_cpu(req->rmpp_hdr.paylen_newwin);
	struct ib_sa_mad *mad;
	struct sib_sa_xfer *x;
	u32 s, last;

	mad = kmalloc(sizeof(*mad), GFP_KERNEL);
	if (!mad)
		return;
	mutex_lock(&sib_sa.xfer_lock);
	list_for_each_entry(x, &sib_sa.xfers, list)
		if (x->port == port && x->hdr.mad_hdr.tid == req->mad_hdr.tid)
			goto found;
	goto out;
found:
	if (req->rmpp_hdr.rmpp_type != IB_MGMT_RMPP_TYPE_ACK ||
	    seg >= x->nseg) {
		sib_sa_xfer_free(x);
		goto out;
	}
	x->stamp = jiffies;
	last = min(newwin, x->nseg);
	for (s = max(seg, x->sent) + 1; s <= last; s++) {
		sib_sa_xfer_seg(x, s, mad);
		sib_sa_deliver(port, mad);
	}
	x->sent = max(x->sent, last);
out:
	mutex_unlock(&sib_sa.xfer_lock);
	kfree(mad);
}

/*
 * GetTable of a supported attribute: build every matching record and put
 * the first segment (or an error) in @resp. Returns false for an attribute
 * GetTable does not cover here (sib_sa_process answers those).
 */
static bool sib_sa_get_table(struct sib_port *port, const struct ib_sa_mad *req,
			     struct ib_sa_mad *resp)
{
	ib_sa_comp_mask mask = req->sa_hdr.comp_mask;
	u16 attr = be16_to_cpu(req->mad_hdr.attr_id);
	struct sib_sa_table t = {};
	struct sib_sa_xfer *x;
	u16 status;

	if (req->mad_hdr.base_version != IB_MGMT_BASE_VERSION ||
	    req->mad_hdr.class_version != IB_SA_CLASS_VERSION ||
	    READ_ONCE(sib_sa.status))
		return false;
	switch (attr) {
	case IB_SA_ATTR_PATH_REC:
		t.rec_len = sizeof(struct sib_path_rec);
		break;
	case IB_SA_ATTR_MC_MEMBER_REC:
		t.rec_len = ALIGN(sizeof(struct sib_mcmember_rec), 8);
		break;
	case IB_SA_ATTR_NODE_REC:
		t.rec_len = ALIGN(sizeof(struct sib_node_rec), 8);
		break;
	default:
		return false;
	}

	memset(resp, 0, sizeof(*resp));
	resp->mad_hdr = req->mad_hdr;
	resp->mad_hdr.method = IB_SA_METHOD_GET_TABLE_RESP;
	resp->sa_hdr.comp_mask = mask;
	resp->sa_hdr.attr_offset = cpu_to_be16(t.rec_len / 8);

	t.buf = kvmalloc(SIB_SA_TABLE_MAX, GFP_KERNEL);
	x = kzalloc(sizeof(*x), GFP_KERNEL);
	if (!t.buf || !x) {
		status = SIB_SA_ERR_NO_RESOURCES;
		goto err;
	}
	if (attr == IB_SA_ATTR_PATH_REC)
		status = sib_sa_path_table(mask, (const void *)req->data, &t);
	else if (attr == IB_SA_ATTR_MC_MEMBER_REC)
		status = sib_sa_mcmember_table(mask, (const void *)req->data, &t);
	else
		status = sib_sa_node_table(mask, (const void *)req->data, &t);
	if (status)
		goto err;

	x->port = port;
	x->stamp = jiffies;
	x->hdr = *resp;
	x->len = t.len;
	x->data = t.buf;
	x->nseg = max_t(u32, 1, DIV_ROUND_UP(t.len, IB_MGMT_SA_DATA));
	x->sent = 1;
	sib_sa_xfer_seg(x, 1, resp);
	if (x->nseg == 1) {
		/* The requester ACKs the last segment: nothing to keep. */
		kvfree(t.buf);
		kfree(x);
		return true;
	}
	mutex_lock(&sib_sa.xfer_lock);
	list_add_tail(&x->list, &sib_sa.xfers);
	mutex_unlock(&sib_sa.xfer_lock);
	return true;
err:
	/* An error is one plain MAD, without RMPP. */
	resp->mad_hdr.status = cpu_to_be16(status);
	resp->sa_hdr.attr_offset = 0;
	kvfree(t.buf);
	kfree(x);
	return true;
}

/* ---- requests ---- */

/*
 * Build the reply to @req (from @port) in @resp.  Returns false when none
 * is due.  Also called directly by the self-test.
 */
bool sib_sa_process(struct sib_port *port, const struct ib_sa_mad *req,
		    struct ib_sa_mad *resp)
{
	ib_sa_comp_mask mask = req->sa_hdr.comp_mask;
	u16 attr = be16_to_cpu(req->mad_hdr.attr_id);
	u8 method = req->mad_hdr.method;
	u16 status = 0;
	u16 rec_len = 0;

	/* Responses, traps and reports sent to the SA need no answer. */
	if (method & IB_MGMT_METHOD_RESP)
		return false;

	memset(resp, 0, sizeof(*resp));
	resp->mad_hdr = req->mad_hdr;
	resp->mad_hdr.method = method == IB_SA_METHOD_DELETE ?
			       IB_SA_METHOD_DELETE_RESP :
			       (method | IB_MGMT_METHOD_RESP);
	resp->sa_hdr.comp_mask = mask;
	memcpy(resp->data, req->data, sizeof(resp->data));

	if (req->mad_hdr.base_version != IB_MGMT_BASE_VERSION ||
	    req->mad_hdr.class_version != IB_SA_CLASS_VERSION) {
		status = IB_MGMT_MAD_STATUS_BAD_VERSION;
		goto out;
	}

	switch (attr) {
	case IB_SA_ATTR_PATH_REC:
		rec_len = sizeof(struct sib_path_rec);
		if (method != IB_MGMT_METHOD_GET)
			status = IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD_ATTRIB;
		else
			status = sib_sa_path_get(port, mask,
						 (struct sib_path_rec *)resp->data);
		break;
	case IB_SA_ATTR_MC_MEMBER_REC:
		rec_len = ALIGN(sizeof(struct sib_mcmember_rec), 8);
		if (method == IB_MGMT_METHOD_SET)
			status = sib_sa_mcmember_set(port, mask,
					(struct sib_mcmember_rec *)resp->data);
		else if (method == IB_SA_METHOD_DELETE)
			status = sib_sa_mcmember_delete(mask,
					(struct sib_mcmember_rec *)resp->data);
		else if (method == IB_MGMT_METHOD_GET)
			status = sib_sa_mcmember_get(mask,
					(struct sib_mcmember_rec *)resp->data);
		else
			status = IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD_ATTRIB;
		break;
	case IB_SA_ATTR_CLASS_PORTINFO:
		if (method != IB_MGMT_METHOD_GET)
			status = IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD_ATTRIB;
		else
			sib_sa_class_port_info((struct ib_class_port_info *)resp->data);
		break;
	default:
		status = IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD_ATTRIB;
		break;
	}
out:
	resp->sa_hdr.attr_offset = cpu_to_be16(rec_len / 8);
	if (READ_ONCE(sib_sa.status))
		status = READ_ONCE(sib_sa.status);
	resp->mad_hdr.status = cpu_to_be16(status);
	return true;
}

static void sib_sa_delay_work(struct work_struct *work)
{
	struct sib_sa_delayed *d, *tmp;
	unsigned long flags, next = 0;
	LIST_HEAD(due);

	spin_lock_irqsave(&sib_sa.delay_lock, flags);
	list_for_each_entry_safe(d, tmp, &sib_sa.delayed, list) {
		if (time_after_eq(jiffies, d->due))
			list_move_tail(&d->list, &due);
		else if (!next || time_before(d->due, next))
			next = d->due;
	}
	if (next && !sib_sa.stopping)
		mod_delayed_work(sib_fabric.wq, &sib_sa.delay_work,
				 next - jiffies);
	spin_unlock_irqrestore(&sib_sa.delay_lock, flags);

	list_for_each_entry_safe(d, tmp, &due, list) {
		sib_sa_deliver(d->port, d->mad);
		kfree(d);
	}
}

/* Called by the wire for a GSI packet addressed to the SM LID. */
void sib_sa_request(struct sib_port *port, const struct sib_pkt *pkt)
{
	struct ib_sa_mad *req, *resp;
	unsigned long flags;
	u32 i, off = 0;

	sib_count(port, SIB_CNT_SA_REQ, 1);
	if (pkt->len < IB_MGMT_MAD_SIZE)
		return;
	if (sib_wire_random(READ_ONCE(sib_sa.drop_ppm))) {
		sib_count(port, SIB_CNT_SA_DROP, 1);
		return;
	}

	/* ib_mad posts header and payload as two SGEs: linearise. */
	req = kmalloc(2 * IB_MGMT_MAD_SIZE, GFP_KERNEL);
	if (!req)
		return;
	resp = (void *)req + IB_MGMT_MAD_SIZE;
	for (i = 0; i < pkt->num_sge && off < IB_MGMT_MAD_SIZE; i++) {
		u32 n = min_t(u32, pkt->sge[i].length, IB_MGMT_MAD_SIZE - off);

		memcpy((void *)req + off, (void *)(uintptr_t)pkt->sge[i].addr, n);
		off += n;
	}

	if (req->mad_hdr.mgmt_class != IB_MGMT_CLASS_SUBN_ADM)
		goto out;
	sib_sa_xfer_reap();
	if (ib_get_rmpp_flags(&req->rmpp_hdr) & IB_MGMT_RMPP_FLAG_ACTIVE) {
		sib_sa_rmpp_control(port, req);
		goto out;
	}
	if ((req->mad_hdr.method == IB_SA_METHOD_GET_TABLE &&
	     sib_sa_get_table(port, req, resp)) ||
	    sib_sa_process(port, req, resp)) {
		u32 delay = READ_ONCE(sib_sa.delay_ms);
		struct sib_sa_delayed *d;

		if (!delay) {
			sib_sa_deliver(port, resp);
		} else {
			d = kmalloc(sizeof(*d), GFP_KERNEL);
			if (d) {
				d->port = port;
				d->due = jiffies + msecs_to_jiffies(delay);
				memcpy(d->mad, resp, IB_MGMT_MAD_SIZE);
				spin_lock_irqsave(&sib_sa.delay_lock, flags);
				if (sib_sa.stopping) {
					kfree(d);
				} else {
					/*
					 * Not mod_delayed_work: a stream of
					 * requests must not keep postponing
					 * the replies already due.
					 */
					list_add_tail(&d->list, &sib_sa.delayed);
					queue_delayed_work(sib_fabric.wq,
							   &sib_sa.delay_work,
							   msecs_to_jiffies(delay));
				}
				spin_unlock_irqrestore(&sib_sa.delay_lock, flags);
			}
		}
	}
out:
	kfree(req);
}

/* ---- debugfs ---- */

static int sib_sa_groups_show(struct seq_file *s, void *unused)
{
	struct sib_sa_group *g;
	struct sib_sa_member *m;

	mutex_lock(&sib_sa.lock);
	list_for_each_entry(g, &sib_sa.groups, list) {
		seq_printf(s, "%pI6 mlid 0x%04x qkey 0x%08x pkey 0x%04x%s\n",
			   g->rec.mgid.raw, be16_to_cpu(g->rec.mlid),
			   be32_to_cpu(g->rec.qkey), be16_to_cpu(g->rec.pkey),
			   g->permanent ? " permanent" : "");
		list_for_each_entry(m, &g->members, list)
			seq_printf(s, "  member %pI6 join_state 0x%x\n",
				   m->port_gid.raw, m->join_state);
	}
	mutex_unlock(&sib_sa.lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sib_sa_groups);

/*
 * Writing anything forgets every membership and every group but the
 * permanent (IPoIB broadcast) ones, as an SM restart loses them. Members
 * are not told; the SM's client reregister (port knob) does that.
 */
static ssize_t sib_sa_flush_write(struct file *f, const char __user *ubuf,
				  size_t len, loff_t *pos)
{
	struct sib_sa_group *g, *tmp;
	struct sib_sa_member *m, *mt;

	mutex_lock(&sib_sa.lock);
	list_for_each_entry_safe(g, tmp, &sib_sa.groups, list) {
		if (!g->permanent) {
			sib_sa_free_group(g);
			continue;
		}
		list_for_each_entry_safe(m, mt, &g->members, list) {
			list_del(&m->list);
			kfree(m);
		}
	}
	mutex_unlock(&sib_sa.lock);
	return len;
}

static const struct file_operations sib_sa_flush_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = sib_sa_flush_write,
	.llseek = noop_llseek,
};

void sib_sa_debugfs(struct dentry *root)
{
	struct dentry *dir = debugfs_create_dir("sa", root);

	debugfs_create_u32("drop_ppm", 0600, dir, &sib_sa.drop_ppm);
	debugfs_create_u32("delay_ms", 0600, dir, &sib_sa.delay_ms);
	debugfs_create_x16("status", 0600, dir, &sib_sa.status);
	debugfs_create_file("groups", 0400, dir, NULL, &sib_sa_groups_fops);
	debugfs_create_file("flush_groups", 0200, dir, NULL, &sib_sa_flush_fops);
}

/* ---- setup ---- */

int sib_sa_init(const u16 *pkeys, int npkeys)
{
	int i;

	mutex_init(&sib_sa.lock);
	INIT_LIST_HEAD(&sib_sa.groups);
	spin_lock_init(&sib_sa.delay_lock);
	INIT_LIST_HEAD(&sib_sa.delayed);
	INIT_DELAYED_WORK(&sib_sa.delay_work, sib_sa_delay_work);
	sib_sa.stopping = false;
	mutex_init(&sib_sa.xfer_lock);
	INIT_LIST_HEAD(&sib_sa.xfers);

	/* The IPoIB broadcast group of every partition, as opensm does. */
	for (i = 0; i < npkeys; i++) {
		u16 pkey = pkeys[i] | 0x8000;
		union ib_gid mgid = {
			.raw = { 0xff, 0x12, 0x40, 0x1b, pkey >> 8, pkey & 0xff,
				 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff },
		};
		struct sib_sa_group *g;

		if (!(pkey & 0x7fff) || sib_sa_find_group(&mgid))
			continue;
		g = sib_sa_new_group(&mgid, pkey);
		if (!g) {
			sib_sa_exit();
			return -ENOMEM;
		}
		g->permanent = true;
	}
	return 0;
}

void sib_sa_exit(void)
{
	struct sib_sa_delayed *d, *dtmp;
	struct sib_sa_xfer *x, *xtmp;
	struct sib_sa_group *g, *tmp;
	unsigned long flags;

	spin_lock_irqsave(&sib_sa.delay_lock, flags);
	sib_sa.stopping = true;
	spin_unlock_irqrestore(&sib_sa.delay_lock, flags);
	cancel_delayed_work_sync(&sib_sa.delay_work);
	list_for_each_entry_safe(d, dtmp, &sib_sa.delayed, list) {
		list_del(&d->list);
		kfree(d);
	}

	mutex_lock(&sib_sa.lock);
	list_for_each_entry_safe(g, tmp, &sib_sa.groups, list)
		sib_sa_free_group(g);
	mutex_unlock(&sib_sa.lock);

	mutex_lock(&sib_sa.xfer_lock);
	list_for_each_entry_safe(x, xtmp, &sib_sa.xfers, list)
		sib_sa_xfer_free(x);
	mutex_unlock(&sib_sa.xfer_lock);
}
