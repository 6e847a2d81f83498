// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ib_sa shims: the module's SA client, path record queries and multicast
 * joins with their callback trampolines, and path record getters.
 */
#include <linux/completion.h>
#include <linux/slab.h>
#include <linux/version.h>
#include <rdma/ib_verbs.h>
#include <rdma/ib_sa.h>

#include "kapi/sa.h"

static_assert(sizeof(struct sa_path_rec) <= KAPI_PATH_BYTES);
static_assert(__alignof__(struct sa_path_rec) <= 8);
static_assert(sizeof(struct completion) <= KAPI_SA_COMPLETION_BYTES);
static_assert(__alignof__(struct completion) <= 8);

static_assert((int)KAPI_SA_GT == (int)IB_SA_GT);
static_assert((int)KAPI_SA_LT == (int)IB_SA_LT);
static_assert((int)KAPI_SA_EQ == (int)IB_SA_EQ);
static_assert(KAPI_SA_JOIN_FULL_MEMBER == 1 << FULLMEMBER_JOIN);
static_assert(KAPI_SA_JOIN_NON_MEMBER == 1 << NONMEMBER_JOIN);
static_assert(KAPI_SA_JOIN_SENDONLY_NON_MEMBER == 1 << SENDONLY_NONMEBER_JOIN);
static_assert(KAPI_SA_JOIN_SENDONLY_FULL_MEMBER == 1 << SENDONLY_FULLMEMBER_JOIN);

/*
 * ib_sa component masks are big-endian encoded (IB_SA_COMP_MASK(n) is
 * cpu_to_be64(1 << n)); kapi masks are plain bit n, converted here.
 */
#define KAPI_SA_MASK(m) ((__force ib_sa_comp_mask)cpu_to_be64(m))
static_assert(KAPI_SA_MASK(KAPI_SA_MCMEMBER_REC_MGID) == IB_SA_MCMEMBER_REC_MGID);
static_assert(KAPI_SA_MASK(KAPI_SA_MCMEMBER_REC_PORT_GID) == IB_SA_MCMEMBER_REC_PORT_GID);
static_assert(KAPI_SA_MASK(KAPI_SA_MCMEMBER_REC_QKEY) == IB_SA_MCMEMBER_REC_QKEY);
static_assert(KAPI_SA_MASK(KAPI_SA_MCMEMBER_REC_MLID) == IB_SA_MCMEMBER_REC_MLID);
static_assert(KAPI_SA_MASK(KAPI_SA_MCMEMBER_REC_MTU_SELECTOR) == IB_SA_MCMEMBER_REC_MTU_SELECTOR);
static_assert(KAPI_SA_MASK(KAPI_SA_MCMEMBER_REC_MTU) == IB_SA_MCMEMBER_REC_MTU);
static_assert(KAPI_SA_MASK(KAPI_SA_MCMEMBER_REC_TRAFFIC_CLASS) == IB_SA_MCMEMBER_REC_TRAFFIC_CLASS);
static_assert(KAPI_SA_MASK(KAPI_SA_MCMEMBER_REC_PKEY) == IB_SA_MCMEMBER_REC_PKEY);
static_assert(KAPI_SA_MASK(KAPI_SA_MCMEMBER_REC_RATE_SELECTOR) == IB_SA_MCMEMBER_REC_RATE_SELECTOR);
static_assert(KAPI_SA_MASK(KAPI_SA_MCMEMBER_REC_RATE) == IB_SA_MCMEMBER_REC_RATE);
static_assert(KAPI_SA_MASK(KAPI_SA_MCMEMBER_REC_PACKET_LIFE_TIME_SELECTOR) == IB_SA_MCMEMBER_REC_PACKET_LIFE_TIME_SELECTOR);
static_assert(KAPI_SA_MASK(KAPI_SA_MCMEMBER_REC_PACKET_LIFE_TIME) == IB_SA_MCMEMBER_REC_PACKET_LIFE_TIME);
static_assert(KAPI_SA_MASK(KAPI_SA_MCMEMBER_REC_SL) == IB_SA_MCMEMBER_REC_SL);
static_assert(KAPI_SA_MASK(KAPI_SA_MCMEMBER_REC_FLOW_LABEL) == IB_SA_MCMEMBER_REC_FLOW_LABEL);
static_assert(KAPI_SA_MASK(KAPI_SA_MCMEMBER_REC_HOP_LIMIT) == IB_SA_MCMEMBER_REC_HOP_LIMIT);
static_assert(KAPI_SA_MASK(KAPI_SA_MCMEMBER_REC_SCOPE) == IB_SA_MCMEMBER_REC_SCOPE);
static_assert(KAPI_SA_MASK(KAPI_SA_MCMEMBER_REC_JOIN_STATE) == IB_SA_MCMEMBER_REC_JOIN_STATE);
static_assert(KAPI_SA_MASK(KAPI_SA_MCMEMBER_REC_PROXY_JOIN) == IB_SA_MCMEMBER_REC_PROXY_JOIN);
static_assert(sizeof(ib_sa_comp_mask) == sizeof(kapi_u64));

#define IBDEV(d) ((struct ib_device *)(d))

static struct ib_sa_client kapi_sa_client;

static gfp_t kapi_sa_gfp(enum kapi_gfp gfp)
{
	switch (gfp) {
	case KAPI_GFP_KERNEL:
		return GFP_KERNEL;
	case KAPI_GFP_NOWAIT:
		return GFP_NOWAIT;
	case KAPI_GFP_ATOMIC:
	default:
		return GFP_ATOMIC;
	}
}

void kapi_sa_register_client(void)
{
	ib_sa_register_client(&kapi_sa_client);
}

void kapi_sa_unregister_client(void)
{
	ib_sa_unregister_client(&kapi_sa_client);
}

/* ---- Path records ---- */

static struct sa_path_rec *kapi_rec(const struct kapi_path *p)
{
	return (struct sa_path_rec *)p->opaque;
}

static struct completion *kapi_path_done(struct kapi_sa_path_query *q)
{
	return (struct completion *)q->done;
}

void kapi_sa_path_query_init(struct kapi_sa_path_query *q, kapi_sa_path_fn fn, void *owner)
{
	q->fn = fn;
	q->owner = owner;
	q->query = NULL;
	q->id = -1;
	init_completion(kapi_path_done(q));
	/* complete_all: waits never consume it, so "done" stays true until the next start. */
	complete_all(kapi_path_done(q));
}

/* The record count became unsigned after 6.1. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
typedef unsigned int kapi_sa_nprs_t;
#else
typedef int kapi_sa_nprs_t;
#endif

static void kapi_sa_path_trampoline(int status, struct sa_path_rec *resp, kapi_sa_nprs_t num_prs,
				    void *context)
{
	struct kapi_sa_path_query *q = context;
	struct kapi_path path;

	if (resp) {
		memset(&path, 0, sizeof(path));
		*kapi_rec(&path) = *resp;
	}
	q->fn(q->owner, status, resp ? &path : NULL);
	/* Last touch of q: a waiter may free it as soon as this returns. */
	complete_all(kapi_path_done(q));
}

int kapi_sa_path_rec_get(struct kapi_sa_path_query *q, struct kapi_ib_device *dev, u32 port,
			 const u8 dgid[16], const u8 sgid[16], u16 pkey, u8 tclass,
			 unsigned int timeout_ms, enum kapi_gfp gfp)
{
	struct sa_path_rec rec = {};
	struct ib_sa_query *query = NULL;
	int id;

	if (!completion_done(kapi_path_done(q)))
		return -EBUSY;
	memcpy(rec.dgid.raw, dgid, sizeof(rec.dgid.raw));
	memcpy(rec.sgid.raw, sgid, sizeof(rec.sgid.raw));
	rec.pkey = cpu_to_be16(pkey);
	rec.numb_path = 1;
	rec.traffic_class = tclass;
	rec.rec_type = SA_PATH_REC_TYPE_IB;

	reinit_completion(kapi_path_done(q));
	id = ib_sa_path_rec_get(&kapi_sa_client, IBDEV(dev), port, &rec,
				IB_SA_PATH_REC_DGID | IB_SA_PATH_REC_SGID | IB_SA_PATH_REC_NUMB_PATH |
					IB_SA_PATH_REC_TRAFFIC_CLASS | IB_SA_PATH_REC_PKEY,
				timeout_ms, kapi_sa_gfp(gfp), kapi_sa_path_trampoline, q, &query);
	if (id < 0) {
		complete_all(kapi_path_done(q));
		return id;
	}
	/*
	 * The callback may already have run; a stale id/query pair is
	 * harmless because ib_sa_cancel_query() checks it against its table.
	 */
	q->id = id;
	q->query = query;
	return 0;
}

void kapi_sa_path_query_cancel(struct kapi_sa_path_query *q)
{
	if (q->id < 0 || completion_done(kapi_path_done(q)))
		return;
	ib_sa_cancel_query(q->id, q->query);
}

int kapi_sa_path_query_done(struct kapi_sa_path_query *q)
{
	return completion_done(kapi_path_done(q));
}

void kapi_sa_path_query_wait(struct kapi_sa_path_query *q)
{
	wait_for_completion(kapi_path_done(q));
}

void kapi_path_dgid(const struct kapi_path *p, u8 gid[16])
{
	memcpy(gid, kapi_rec(p)->dgid.raw, 16);
}

void kapi_path_sgid(const struct kapi_path *p, u8 gid[16])
{
	memcpy(gid, kapi_rec(p)->sgid.raw, 16);
}

u32 kapi_path_dlid(const struct kapi_path *p)
{
	return be32_to_cpu(sa_path_get_dlid(kapi_rec(p)));
}

u32 kapi_path_slid(const struct kapi_path *p)
{
	return be32_to_cpu(sa_path_get_slid(kapi_rec(p)));
}

u8 kapi_path_sl(const struct kapi_path *p)
{
	return kapi_rec(p)->sl;
}

u8 kapi_path_rate(const struct kapi_path *p)
{
	return kapi_rec(p)->rate;
}

u8 kapi_path_mtu(const struct kapi_path *p)
{
	return kapi_rec(p)->mtu;
}

u16 kapi_path_pkey(const struct kapi_path *p)
{
	return be16_to_cpu(kapi_rec(p)->pkey);
}

u8 kapi_path_hop_limit(const struct kapi_path *p)
{
	return kapi_rec(p)->hop_limit;
}

u8 kapi_path_traffic_class(const struct kapi_path *p)
{
	return kapi_rec(p)->traffic_class;
}

u32 kapi_path_flow_label(const struct kapi_path *p)
{
	return be32_to_cpu(kapi_rec(p)->flow_label);
}

/* ---- Multicast ---- */

static struct completion *kapi_join_done(struct kapi_sa_join *j)
{
	return (struct completion *)j->done;
}

static void kapi_mcmember_from_rec(struct kapi_mcmember *dst, const struct ib_sa_mcmember_rec *src)
{
	memcpy(dst->mgid, src->mgid.raw, 16);
	memcpy(dst->port_gid, src->port_gid.raw, 16);
	dst->qkey = be32_to_cpu(src->qkey);
	dst->flow_label = be32_to_cpu(src->flow_label);
	dst->mlid = be16_to_cpu(src->mlid);
	dst->pkey = be16_to_cpu(src->pkey);
	dst->mtu_selector = src->mtu_selector;
	dst->mtu = src->mtu;
	dst->traffic_class = src->traffic_class;
	dst->rate_selector = src->rate_selector;
	dst->rate = src->rate;
	dst->packet_life_time_selector = src->packet_life_time_selector;
	dst->packet_life_time = src->packet_life_time;
	dst->sl = src->sl;
	dst->hop_limit = src->hop_limit;
	dst->scope = src->scope;
	dst->join_state = src->join_state;
	dst->proxy_join = src->proxy_join;
}

static void kapi_mcmember_to_rec(struct ib_sa_mcmember_rec *dst, const struct kapi_mcmember *src)
{
	memset(dst, 0, sizeof(*dst));
	memcpy(dst->mgid.raw, src->mgid, 16);
	memcpy(dst->port_gid.raw, src->port_gid, 16);
	dst->qkey = cpu_to_be32(src->qkey);
	dst->flow_label = cpu_to_be32(src->flow_label);
	dst->mlid = cpu_to_be16(src->mlid);
	dst->pkey = cpu_to_be16(src->pkey);
	dst->mtu_selector = src->mtu_selector;
	dst->mtu = src->mtu;
	dst->traffic_class = src->traffic_class;
	dst->rate_selector = src->rate_selector;
	dst->rate = src->rate;
	dst->packet_life_time_selector = src->packet_life_time_selector;
	dst->packet_life_time = src->packet_life_time;
	dst->sl = src->sl;
	dst->hop_limit = src->hop_limit;
	dst->scope = src->scope;
	dst->join_state = src->join_state;
	dst->proxy_join = src->proxy_join;
}

void kapi_sa_join_init(struct kapi_sa_join *j, kapi_sa_join_fn fn, void *owner)
{
	j->fn = fn;
	j->owner = owner;
	init_completion(kapi_join_done(j));
	complete_all(kapi_join_done(j));
}

static int kapi_sa_join_trampoline(int status, struct ib_sa_multicast *multicast)
{
	struct kapi_sa_join *j = multicast->context;
	struct kapi_mcmember rec;
	int ret;

	kapi_mcmember_from_rec(&rec, &multicast->rec);
	ret = j->fn(j->owner, status, (struct kapi_sa_mcast *)multicast, &rec);
	/*
	 * Completed after every callback, not only the first: later ones
	 * (-ENETRESET) find it already done. Last touch of j. If ret is
	 * non-zero ib_sa frees `multicast` after we return.
	 */
	complete_all(kapi_join_done(j));
	return ret;
}

int kapi_sa_join_multicast(struct kapi_sa_join *j, struct kapi_ib_device *dev, u32 port,
			   const struct kapi_mcmember *rec, u64 comp_mask, enum kapi_gfp gfp)
{
	struct ib_sa_mcmember_rec r;
	struct ib_sa_multicast *mc;

	if (!completion_done(kapi_join_done(j)))
		return -EBUSY;
	kapi_mcmember_to_rec(&r, rec);
	reinit_completion(kapi_join_done(j));
	mc = ib_sa_join_multicast(&kapi_sa_client, IBDEV(dev), port, &r, KAPI_SA_MASK(comp_mask),
				  kapi_sa_gfp(gfp), kapi_sa_join_trampoline, j);
	if (IS_ERR(mc)) {
		complete_all(kapi_join_done(j));
		return PTR_ERR(mc);
	}
	/* mc is deliberately dropped: the upcall delivers it (it may already be freed). */
	return 0;
}

int kapi_sa_join_done(struct kapi_sa_join *j)
{
	return completion_done(kapi_join_done(j));
}

void kapi_sa_join_wait(struct kapi_sa_join *j)
{
	wait_for_completion(kapi_join_done(j));
}

void kapi_sa_free_multicast(struct kapi_sa_mcast *mc)
{
	if (mc)
		ib_sa_free_multicast((struct ib_sa_multicast *)mc);
}

int kapi_sa_get_mcmember_rec(struct kapi_ib_device *dev, u32 port, const u8 mgid[16],
			     struct kapi_mcmember *out)
{
	struct ib_sa_mcmember_rec rec;
	union ib_gid gid;
	int rc;

	memcpy(gid.raw, mgid, sizeof(gid.raw));
	rc = ib_sa_get_mcmember_rec(IBDEV(dev), port, &gid, &rec);
	if (rc)
		return rc;
	kapi_mcmember_from_rec(out, &rec);
	return 0;
}
