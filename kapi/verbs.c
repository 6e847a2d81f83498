// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ib_core verbs shims for a UD IPoIB interface: PD, CQ (with its
 * completion trampoline), UD QP, AH, multicast attach, posting and DMA
 * mapping. The hot-path calls build the kernel work requests here so
 * C++ crosses the boundary once per packet. kapi/cm.c creates its RC QPs
 * through kapi_qp_create() and posts their sends through
 * kapi_ud_send_skb().
 */
#include <linux/slab.h>
#include <linux/skbuff.h>
#include <linux/dma-mapping.h>
#include <linux/if_infiniband.h>
#include <linux/netdevice.h>
#include <rdma/ib_verbs.h>
#include <rdma/ib_sa.h>

#include "kapi/verbs.h"
#include "kapi/sa.h"
#include "glue_internal.h"

/* Mirrored constants. */
static_assert((int)KAPI_QPS_RESET == (int)IB_QPS_RESET);
static_assert((int)KAPI_QPS_INIT == (int)IB_QPS_INIT);
static_assert((int)KAPI_QPS_RTR == (int)IB_QPS_RTR);
static_assert((int)KAPI_QPS_RTS == (int)IB_QPS_RTS);
static_assert((int)KAPI_QPS_SQD == (int)IB_QPS_SQD);
static_assert((int)KAPI_QPS_SQE == (int)IB_QPS_SQE);
static_assert((int)KAPI_QPS_ERR == (int)IB_QPS_ERR);

static_assert((int)KAPI_QP_CREATE_IPOIB_UD_LSO == (int)IB_QP_CREATE_IPOIB_UD_LSO);
static_assert((int)KAPI_QP_CREATE_BLOCK_MULTICAST_LOOPBACK ==
	      (int)IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK);
static_assert((int)KAPI_QP_CREATE_NETIF_QP == (int)IB_QP_CREATE_NETIF_QP);
static_assert((int)KAPI_QP_CREATE_NETDEV_USE == (int)IB_QP_CREATE_NETDEV_USE);
#define KAPI_QP_CREATE_ALL (KAPI_QP_CREATE_IPOIB_UD_LSO | KAPI_QP_CREATE_BLOCK_MULTICAST_LOOPBACK | \
			    KAPI_QP_CREATE_NETIF_QP | KAPI_QP_CREATE_NETDEV_USE)

static_assert((int)KAPI_QP_EVENT_PATH_MIG == (int)IB_EVENT_PATH_MIG);
static_assert((int)KAPI_QP_EVENT_PATH_MIG_ERR == (int)IB_EVENT_PATH_MIG_ERR);
static_assert((int)KAPI_QP_EVENT_COMM_EST == (int)IB_EVENT_COMM_EST);
static_assert((int)KAPI_QP_EVENT_SQ_DRAINED == (int)IB_EVENT_SQ_DRAINED);
static_assert((int)KAPI_QP_EVENT_QP_FATAL == (int)IB_EVENT_QP_FATAL);
static_assert((int)KAPI_QP_EVENT_QP_REQ_ERR == (int)IB_EVENT_QP_REQ_ERR);
static_assert((int)KAPI_QP_EVENT_QP_ACCESS_ERR == (int)IB_EVENT_QP_ACCESS_ERR);
static_assert((int)KAPI_QP_EVENT_QP_LAST_WQE_REACHED == (int)IB_EVENT_QP_LAST_WQE_REACHED);

static_assert((int)KAPI_WC_SUCCESS == (int)IB_WC_SUCCESS);
static_assert((int)KAPI_WC_LOC_LEN_ERR == (int)IB_WC_LOC_LEN_ERR);
static_assert((int)KAPI_WC_LOC_QP_OP_ERR == (int)IB_WC_LOC_QP_OP_ERR);
static_assert((int)KAPI_WC_LOC_PROT_ERR == (int)IB_WC_LOC_PROT_ERR);
static_assert((int)KAPI_WC_WR_FLUSH_ERR == (int)IB_WC_WR_FLUSH_ERR);
static_assert((int)KAPI_WC_RETRY_EXC_ERR == (int)IB_WC_RETRY_EXC_ERR);
static_assert((int)KAPI_WC_RNR_RETRY_EXC_ERR == (int)IB_WC_RNR_RETRY_EXC_ERR);
static_assert((int)KAPI_WC_GENERAL_ERR == (int)IB_WC_GENERAL_ERR);
static_assert((int)KAPI_WC_SEND == (int)IB_WC_SEND);
static_assert((int)KAPI_WC_LSO == (int)IB_WC_LSO);
static_assert((int)KAPI_WC_RECV == (int)IB_WC_RECV);
static_assert((int)KAPI_WC_GRH == (int)IB_WC_GRH);
static_assert((int)KAPI_WC_WITH_IMM == (int)IB_WC_WITH_IMM);
static_assert((int)KAPI_WC_IP_CSUM_OK == (int)IB_WC_IP_CSUM_OK);

static_assert((int)KAPI_SEND_SIGNALED == (int)IB_SEND_SIGNALED);
static_assert((int)KAPI_SEND_SOLICITED == (int)IB_SEND_SOLICITED);
static_assert((int)KAPI_SEND_INLINE == (int)IB_SEND_INLINE);
static_assert((int)KAPI_SEND_IP_CSUM == (int)IB_SEND_IP_CSUM);
#define KAPI_SEND_IB_FLAGS (KAPI_SEND_SIGNALED | KAPI_SEND_SOLICITED | KAPI_SEND_INLINE | KAPI_SEND_IP_CSUM)
#define KAPI_SEND_ALL (KAPI_SEND_IB_FLAGS | KAPI_SEND_BQL)
static_assert(!(KAPI_SEND_BQL & (IB_SEND_SIGNALED | IB_SEND_SOLICITED | IB_SEND_INLINE | IB_SEND_IP_CSUM |
				 IB_SEND_FENCE)));


static_assert(KAPI_UD_MAX_SEND_SGE >= MAX_SKB_FRAGS + 1);
static_assert(sizeof(kapi_u64) == sizeof(u64) && sizeof(dma_addr_t) <= sizeof(kapi_u64));

#define IBDEV(d) ((struct ib_device *)(d))
#define IBPD(p) ((struct ib_pd *)(p))
#define IBAH(a) ((struct ib_ah *)(a))

/* How many WRs/WCs go through the stack at once (keeps frames small). */
#define KAPI_POLL_CHUNK 8

void kapi_verbs_query_caps(const struct kapi_ib_device *dev, struct kapi_verbs_caps *out)
{
	const struct ib_device_attr *a = &IBDEV(dev)->attrs;

	out->max_qp_wr = a->max_qp_wr;
	out->max_send_sge = a->max_send_sge;
	out->max_recv_sge = a->max_recv_sge;
	out->max_cqe = a->max_cqe;
	out->max_qp = a->max_qp;
	out->num_comp_vectors = IBDEV(dev)->num_comp_vectors;
	out->block_mcast_loopback = !!(a->kernel_cap_flags & IBK_BLOCK_MULTICAST_LOOPBACK);
	out->ud_tso = !!(a->kernel_cap_flags & IBK_UD_TSO);
	out->rdma_netdev_opa = !!(a->kernel_cap_flags & IBK_RDMA_NETDEV_OPA);
	out->ud_ip_csum = !!(a->device_cap_flags & IB_DEVICE_UD_IP_CSUM);
	out->managed_flow_steering = !!(a->device_cap_flags & IB_DEVICE_MANAGED_FLOW_STEERING);
}

int kapi_verbs_find_pkey(struct kapi_ib_device *dev, u32 port, u16 pkey, u16 *index)
{
	return ib_find_pkey(IBDEV(dev), port, pkey, index);
}

/* ---- PD ---- */

int kapi_pd_alloc(struct kapi_ib_device *dev, struct kapi_pd **out)
{
	struct ib_pd *pd = ib_alloc_pd(IBDEV(dev), 0);

	if (IS_ERR(pd))
		return PTR_ERR(pd);
	*out = (struct kapi_pd *)pd;
	return 0;
}

void kapi_pd_dealloc(struct kapi_pd *pd)
{
	if (pd)
		ib_dealloc_pd(IBPD(pd));
}

/* ---- CQ ---- */

static void kapi_cq_comp_trampoline(struct ib_cq *ibcq, void *context)
{
	struct kapi_cq *cq = context;

	cq->fn(cq->owner);
}

int kapi_cq_create(struct kapi_ib_device *dev, int cqe, int comp_vector, kapi_cq_comp_fn fn,
		   void *owner, struct kapi_cq **out)
{
	struct ib_cq_init_attr attr = {};
	struct kapi_cq *cq;
	struct ib_cq *ibcq;

	if (!fn || cqe <= 0 || comp_vector < 0 || IBDEV(dev)->num_comp_vectors <= 0)
		return -EINVAL;
	cq = kzalloc(sizeof(*cq), GFP_KERNEL);
	if (!cq)
		return -ENOMEM;
	cq->fn = fn;
	cq->owner = owner;
	attr.cqe = cqe;
	attr.comp_vector = comp_vector % IBDEV(dev)->num_comp_vectors;
	ibcq = ib_create_cq(IBDEV(dev), kapi_cq_comp_trampoline, NULL, cq, &attr);
	if (IS_ERR(ibcq)) {
		kfree(cq);
		return PTR_ERR(ibcq);
	}
	cq->cq = ibcq;
	*out = cq;
	return 0;
}

void kapi_cq_destroy(struct kapi_cq *cq)
{
	if (!cq)
		return;
	ib_destroy_cq(cq->cq);
	kfree(cq);
}

int kapi_cq_req_notify(struct kapi_cq *cq, int report_missed)
{
	enum ib_cq_notify_flags flags = IB_CQ_NEXT_COMP;

	if (report_missed)
		flags |= IB_CQ_REPORT_MISSED_EVENTS;
	return ib_req_notify_cq(cq->cq, flags);
}

static void kapi_wc_copy(struct kapi_wc *dst, const struct ib_wc *src)
{
	dst->wr_id = src->wr_id;
	dst->status = src->status;
	dst->opcode = src->opcode;
	dst->byte_len = src->byte_len;
	if (likely(src->qp)) {
		dst->qp_num = src->qp->qp_num;
		dst->qp_owner = ((const struct kapi_qp *)src->qp->qp_context)->owner;
	} else {
		dst->qp_num = 0;
		dst->qp_owner = NULL;
	}
	dst->src_qp = src->src_qp;
	dst->slid = src->slid;
	dst->wc_flags = src->wc_flags;
	dst->vendor_err = src->vendor_err;
	dst->pkey_index = src->pkey_index;
	dst->sl = src->sl;
	dst->dlid_path_bits = src->dlid_path_bits;
}

int kapi_cq_poll(struct kapi_cq *cq, struct kapi_wc *wc, int n)
{
	struct ib_wc ibwc[KAPI_POLL_CHUNK] KAPI_SCRATCH;
	int done = 0;

	while (done < n) {
		int want = min(n - done, KAPI_POLL_CHUNK);
		int got = ib_poll_cq(cq->cq, want, ibwc);
		int i;

		if (got < 0)
			return done ? done : got;
		for (i = 0; i < got; i++)
			kapi_wc_copy(&wc[done + i], &ibwc[i]);
		done += got;
		if (got < want)
			break;
	}
	return done;
}

int kapi_cq_set_moderation(struct kapi_cq *cq, u16 count, u16 period_usec)
{
	return rdma_set_cq_moderation(cq->cq, count, period_usec);
}

/* ---- UD QP ---- */

static void kapi_qp_event_trampoline(struct ib_event *event, void *context)
{
	struct kapi_qp *qp = context;

	switch (event->event) {
	case IB_EVENT_PATH_MIG:
	case IB_EVENT_PATH_MIG_ERR:
	case IB_EVENT_COMM_EST:
	case IB_EVENT_SQ_DRAINED:
	case IB_EVENT_QP_FATAL:
	case IB_EVENT_QP_REQ_ERR:
	case IB_EVENT_QP_ACCESS_ERR:
	case IB_EVENT_QP_LAST_WQE_REACHED:
		break;
	default:
		return;
	}
	if (qp->event_fn)
		qp->event_fn(qp->owner, (enum kapi_qp_event)event->event);
}

int kapi_qp_create(struct ib_pd *pd, struct ib_qp_init_attr *init, kapi_qp_event_fn event_fn,
		   void *owner, struct kapi_qp **out)
{
	struct kapi_qp *qp;
	struct ib_qp *ibqp;

	qp = kzalloc(sizeof(*qp), GFP_KERNEL);
	if (!qp)
		return -ENOMEM;
	qp->event_fn = event_fn;
	qp->owner = owner;
	init->event_handler = kapi_qp_event_trampoline;
	init->qp_context = qp;

	ibqp = ib_create_qp(pd, init);
	if (IS_ERR(ibqp)) {
		kfree(qp);
		return PTR_ERR(ibqp);
	}
	qp->qp = ibqp;
	qp->lkey = pd->local_dma_lkey;
	*out = qp;
	return 0;
}

int kapi_ud_qp_create(struct kapi_pd *pd, struct kapi_cq *send_cq, struct kapi_cq *recv_cq,
		      struct kapi_ud_qp_init *attr, kapi_qp_event_fn event_fn, void *owner,
		      struct kapi_qp **out)
{
	struct ib_qp_init_attr init = {};
	int rc;

	if (attr->create_flags & ~KAPI_QP_CREATE_ALL)
		return -EINVAL;
	init.send_cq = send_cq->cq;
	init.recv_cq = recv_cq->cq;
	init.cap.max_send_wr = attr->max_send_wr;
	init.cap.max_recv_wr = attr->max_recv_wr;
	init.cap.max_send_sge = attr->max_send_sge;
	init.cap.max_recv_sge = attr->max_recv_sge;
	init.sq_sig_type = IB_SIGNAL_ALL_WR;
	init.qp_type = IB_QPT_UD;
	init.create_flags = attr->create_flags;

	rc = kapi_qp_create(IBPD(pd), &init, event_fn, owner, out);
	if (rc)
		return rc;
	attr->max_send_wr = init.cap.max_send_wr;
	attr->max_recv_wr = init.cap.max_recv_wr;
	attr->max_send_sge = init.cap.max_send_sge;
	attr->max_recv_sge = init.cap.max_recv_sge;
	return 0;
}

int kapi_qp_destroy(struct kapi_qp *qp)
{
	int rc;

	if (!qp)
		return 0;
	rc = ib_destroy_qp(qp->qp);
	if (rc)
		return rc; /* still alive: the caller may retry or leak it */
	kfree(qp);
	return 0;
}

u32 kapi_qp_num(const struct kapi_qp *qp)
{
	return qp->qp->qp_num;
}

int kapi_ud_qp_init_to_rts(struct kapi_qp *qp, u16 pkey_index, u32 port, u32 qkey, u32 sq_psn,
			   enum kapi_qp_state *failed_state)
{
	struct ib_qp_attr attr = {};
	int mask = IB_QP_STATE | IB_QP_QKEY | IB_QP_PORT | IB_QP_PKEY_INDEX;
	int rc;

	attr.qp_state = IB_QPS_INIT;
	attr.qkey = qkey;
	attr.port_num = port;
	attr.pkey_index = pkey_index;
	rc = ib_modify_qp(qp->qp, &attr, mask);
	if (rc)
		goto fail;

	attr.qp_state = IB_QPS_RTR;
	mask &= ~IB_QP_PORT; /* not allowed on INIT -> RTR */
	rc = ib_modify_qp(qp->qp, &attr, mask);
	if (rc)
		goto fail;

	attr.qp_state = IB_QPS_RTS;
	attr.sq_psn = sq_psn;
	mask |= IB_QP_SQ_PSN;
	mask &= ~IB_QP_PKEY_INDEX;
	rc = ib_modify_qp(qp->qp, &attr, mask);
	if (rc)
		goto fail;
	return 0;

fail:
	if (failed_state)
		*failed_state = (enum kapi_qp_state)attr.qp_state;
	attr.qp_state = IB_QPS_RESET;
	/* Best effort, as ipoib_init_qp(); the original error is what matters. */
	(void)ib_modify_qp(qp->qp, &attr, IB_QP_STATE);
	return rc;
}

int kapi_qp_set_qkey(struct kapi_qp *qp, u32 qkey)
{
	struct ib_qp_attr attr = {};

	attr.qkey = qkey;
	return ib_modify_qp(qp->qp, &attr, IB_QP_QKEY);
}

int kapi_qp_modify_state(struct kapi_qp *qp, enum kapi_qp_state state)
{
	struct ib_qp_attr attr = {};

	if ((unsigned int)state > KAPI_QPS_ERR)
		return -EINVAL;
	attr.qp_state = (enum ib_qp_state)state;
	return ib_modify_qp(qp->qp, &attr, IB_QP_STATE);
}

int kapi_qp_query_state(struct kapi_qp *qp, enum kapi_qp_state *state)
{
	struct ib_qp_attr attr = {};
	struct ib_qp_init_attr init = {};
	int rc;

	rc = ib_query_qp(qp->qp, &attr, IB_QP_STATE, &init);
	if (rc)
		return rc;
	*state = (enum kapi_qp_state)attr.qp_state;
	return 0;
}

int kapi_ud_post_recv(struct kapi_qp *qp, u64 wr_id, u64 addr, u32 len)
{
	struct ib_sge sge = { .addr = addr, .length = len, .lkey = qp->lkey };
	struct ib_recv_wr wr = { .wr_id = wr_id, .sg_list = &sge, .num_sge = 1 };

	return ib_post_recv(qp->qp, &wr, NULL);
}

/* ---- Multicast attach ---- */

int kapi_qp_attach_mcast(struct kapi_qp *qp, const u8 mgid[16], u16 mlid)
{
	union ib_gid gid;

	memcpy(gid.raw, mgid, sizeof(gid.raw));
	return ib_attach_mcast(qp->qp, &gid, mlid);
}

int kapi_qp_detach_mcast(struct kapi_qp *qp, const u8 mgid[16], u16 mlid)
{
	union ib_gid gid;

	memcpy(gid.raw, mgid, sizeof(gid.raw));
	return ib_detach_mcast(qp->qp, &gid, mlid);
}

/* ---- AH ---- */

static int kapi_ah_create(struct ib_pd *pd, struct rdma_ah_attr *av, int sleepable,
			  struct kapi_ah **out)
{
	struct ib_ah *ah = rdma_create_ah(pd, av, sleepable ? RDMA_CREATE_AH_SLEEPABLE : 0);

	if (IS_ERR(ah))
		return PTR_ERR(ah);
	*out = (struct kapi_ah *)ah;
	return 0;
}

int kapi_ah_create_from_path(struct kapi_pd *pd, u32 port, const struct kapi_path *path,
			     int sleepable, struct kapi_ah **out)
{
	struct rdma_ah_attr av;
	int rc;

	rc = ib_init_ah_attr_from_path(IBPD(pd)->device, port, kapi_path_rec(path), &av, NULL);
	if (rc)
		return rc;
	rc = kapi_ah_create(IBPD(pd), &av, sleepable, out);
	rdma_destroy_ah_attr(&av);
	return rc;
}

int kapi_ah_create_mcast(struct kapi_pd *pd, u32 port, u16 mlid, const u8 mgid[16], u32 flow_label,
			 u8 hop_limit, u8 tclass, u8 sl, u8 rate, int sleepable, struct kapi_ah **out)
{
	struct rdma_ah_attr av;
	union ib_gid dgid;

	memcpy(dgid.raw, mgid, sizeof(dgid.raw));
	memset(&av, 0, sizeof(av));
	av.type = rdma_ah_find_type(IBPD(pd)->device, port);
	rdma_ah_set_dlid(&av, mlid);
	rdma_ah_set_port_num(&av, port);
	rdma_ah_set_sl(&av, sl);
	rdma_ah_set_static_rate(&av, rate);
	rdma_ah_set_grh(&av, &dgid, flow_label, 0, hop_limit, tclass);
	return kapi_ah_create(IBPD(pd), &av, sleepable, out);
}

void kapi_ah_destroy(struct kapi_ah *ah, int sleepable)
{
	if (ah)
		rdma_destroy_ah(IBAH(ah), sleepable ? RDMA_DESTROY_AH_SLEEPABLE : 0);
}

/* ---- skb datapath ---- */

static void kapi_tx_unmap(struct ib_device *ib, struct sk_buff *skb, const struct kapi_tx_map *map, int hlen)
{
	unsigned int headlen = skb_headlen(skb) - hlen;
	int i, n = 0;

	if (headlen)
		ib_dma_unmap_single(ib, map->addr[n++], headlen, DMA_TO_DEVICE);
	for (i = 0; n < (int)map->nsge; i++)
		ib_dma_unmap_page(ib, map->addr[n++], skb_frag_size(&skb_shinfo(skb)->frags[i]),
				  DMA_TO_DEVICE);
}

int kapi_ud_send_skb(struct kapi_qp *qp, struct kapi_skb *kskb, u64 wr_id, struct kapi_ah *ah,
		     u32 remote_qpn, u32 remote_qkey, u32 flags, int max_sge, int hlen, int mss,
		     struct kapi_tx_map *map)
{
	struct sk_buff *skb = (struct sk_buff *)kskb;
	struct ib_device *ib = qp->qp->device;
	const struct skb_shared_info *shinfo = skb_shinfo(skb);
	struct ib_sge sge[KAPI_UD_MAX_SEND_SGE] KAPI_SCRATCH;
	struct ib_ud_wr wr = {};
	unsigned int headlen;
	int i, n = 0, rc;

	if (unlikely(hlen < 0 || hlen > (int)skb_headlen(skb) || (flags & ~KAPI_SEND_ALL) ||
		     (mss > 0 && (hlen == 0 || !ah))))
		return -EINVAL;
	headlen = skb_headlen(skb) - hlen;
	skb_orphan(skb);
	skb_dst_drop(skb);
	if (max_sge > KAPI_UD_MAX_SEND_SGE)
		max_sge = KAPI_UD_MAX_SEND_SGE;
	if (shinfo->nr_frags + (headlen ? 1 : 0) > max_sge)
		return -E2BIG;

	if (headlen) {
		u64 a = ib_dma_map_single(ib, skb->data + hlen, headlen, DMA_TO_DEVICE);

		if (unlikely(ib_dma_mapping_error(ib, a)))
			return -EIO;
		map->addr[n] = a;
		sge[n].addr = a;
		sge[n].length = headlen;
		sge[n].lkey = qp->lkey;
		n++;
	}
	for (i = 0; i < shinfo->nr_frags; i++) {
		const skb_frag_t *frag = &shinfo->frags[i];
		u64 a = ib_dma_map_page(ib, skb_frag_page(frag), skb_frag_off(frag), skb_frag_size(frag),
					DMA_TO_DEVICE);

		if (unlikely(ib_dma_mapping_error(ib, a)))
			goto unmap;
		map->addr[n] = a;
		sge[n].addr = a;
		sge[n].length = skb_frag_size(frag);
		sge[n].lkey = qp->lkey;
		n++;
	}
	map->nsge = n;

	wr.wr.wr_id = wr_id;
	wr.wr.sg_list = sge;
	wr.wr.num_sge = n;
	wr.wr.send_flags = flags & KAPI_SEND_IB_FLAGS;
	/* No ah: an RC QP, which reads only the embedded ib_send_wr. */
	if (ah) {
		wr.ah = IBAH(ah);
		wr.remote_qpn = remote_qpn;
		wr.remote_qkey = remote_qkey;
	}
	if (mss > 0) {
		wr.wr.opcode = IB_WR_LSO;
		wr.header = skb->data;
		wr.hlen = hlen;
		wr.mss = mss;
	} else {
		wr.wr.opcode = IB_WR_SEND;
	}
	/* Before the post: its completion may be polled on another CPU before the post returns. */
	map->bql_bytes = 0;
	if (flags & KAPI_SEND_BQL) {
		map->bql_bytes = skb->len;
		netdev_tx_sent_queue(skb_get_tx_queue(skb->dev, skb), skb->len);
	}
	rc = ib_post_send(qp->qp, &wr.wr, NULL);
	if (unlikely(rc)) {
		kapi_tx_unmap(ib, skb, map, hlen);
		return rc;
	}
	return 0;

unmap:
	map->nsge = n;
	kapi_tx_unmap(ib, skb, map, hlen);
	return -EIO;
}

void kapi_ud_tx_release(struct kapi_qp *qp, struct kapi_skb *kskb, const struct kapi_tx_map *map, int hlen,
			int budget, int sent)
{
	struct sk_buff *skb = (struct sk_buff *)kskb;

	kapi_tx_unmap(qp->qp->device, skb, map, hlen);
	if (sent)
		napi_consume_skb(skb, budget);
	else
		dev_kfree_skb_any(skb);
}

int kapi_ud_rx_refill(struct kapi_qp *qp, struct kapi_netdev *dev, u64 wr_id, u32 len,
		      struct kapi_rx_slot *slot)
{
	struct ib_device *ib = qp->qp->device;
	struct sk_buff *skb;
	struct ib_recv_wr wr = {};
	struct ib_sge sge;
	u64 a;
	int rc;

	slot->skb = NULL;
	skb = __netdev_alloc_skb((struct net_device *)dev, len + INFINIBAND_ALEN, GFP_ATOMIC);
	if (unlikely(!skb))
		return -ENOMEM;
	/* Room for the pseudo header delivery pushes; puts the IP header 64 bytes in. */
	skb_reserve(skb, INFINIBAND_ALEN);
	a = ib_dma_map_single(ib, skb->data, len, DMA_FROM_DEVICE);
	if (unlikely(ib_dma_mapping_error(ib, a))) {
		dev_kfree_skb_any(skb);
		return -EIO;
	}
	sge.addr = a;
	sge.length = len;
	sge.lkey = qp->lkey;
	wr.wr_id = wr_id;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	rc = ib_post_recv(qp->qp, &wr, NULL);
	if (unlikely(rc)) {
		ib_dma_unmap_single(ib, a, len, DMA_FROM_DEVICE);
		dev_kfree_skb_any(skb);
		return rc;
	}
	slot->skb = (struct kapi_skb *)skb;
	slot->data = skb->data;
	slot->addr = a;
	return 0;
}

int kapi_ud_rx_copy(struct kapi_qp *qp, struct kapi_netdev *dev, const struct kapi_rx_slot *slot, u32 len,
		    u32 byte_len, struct kapi_skb **out, void **data)
{
	struct ib_device *ib = qp->qp->device;
	struct sk_buff *skb;

	if (unlikely(!slot->skb || byte_len > len))
		return -EINVAL;
	skb = __netdev_alloc_skb((struct net_device *)dev, byte_len + INFINIBAND_ALEN, GFP_ATOMIC);
	if (unlikely(!skb))
		return -ENOMEM;
	skb_reserve(skb, INFINIBAND_ALEN);
	ib_dma_sync_single_for_cpu(ib, slot->addr, byte_len, DMA_FROM_DEVICE);
	memcpy(skb->data, slot->data, byte_len);
	ib_dma_sync_single_for_device(ib, slot->addr, byte_len, DMA_FROM_DEVICE);
	*out = (struct kapi_skb *)skb;
	*data = skb->data;
	return 0;
}

void kapi_ud_rx_unmap(struct kapi_qp *qp, const struct kapi_rx_slot *slot, u32 len)
{
	ib_dma_unmap_single(qp->qp->device, slot->addr, len, DMA_FROM_DEVICE);
}

void kapi_ud_rx_release(struct kapi_qp *qp, struct kapi_rx_slot *slot, u32 len)
{
	if (!slot->skb)
		return;
	ib_dma_unmap_single(qp->qp->device, slot->addr, len, DMA_FROM_DEVICE);
	dev_kfree_skb_any((struct sk_buff *)slot->skb);
	slot->skb = NULL;
}
