// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Connected-mode shims: ib_cm ids and their event trampoline, RC QPs,
 * the SRQ, the multi-fragment receive buffers and the ICMP "too big"
 * replies. The contract is include/kapi/cm.h.
 */
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/skbuff.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/if_ether.h>
#include <linux/if_infiniband.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ipv6.h>
#include <net/dst.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <linux/version.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#include <net/page_pool/helpers.h>
#include <net/page_pool/types.h>
#else
#include <net/page_pool.h>
#endif
#include <rdma/ib_verbs.h>
#include <rdma/ib_cm.h>
#include <rdma/ib_sa.h>

#include "kapi/cm.h"
#include "kapi/skb.h"
#include "glue_internal.h"

/* Mirrored constants. */
static_assert((int)KAPI_CM_REQ_ERROR == (int)IB_CM_REQ_ERROR);
static_assert((int)KAPI_CM_REQ_RECEIVED == (int)IB_CM_REQ_RECEIVED);
static_assert((int)KAPI_CM_REP_ERROR == (int)IB_CM_REP_ERROR);
static_assert((int)KAPI_CM_REP_RECEIVED == (int)IB_CM_REP_RECEIVED);
static_assert((int)KAPI_CM_RTU_RECEIVED == (int)IB_CM_RTU_RECEIVED);
static_assert((int)KAPI_CM_USER_ESTABLISHED == (int)IB_CM_USER_ESTABLISHED);
static_assert((int)KAPI_CM_DREQ_ERROR == (int)IB_CM_DREQ_ERROR);
static_assert((int)KAPI_CM_DREQ_RECEIVED == (int)IB_CM_DREQ_RECEIVED);
static_assert((int)KAPI_CM_DREP_RECEIVED == (int)IB_CM_DREP_RECEIVED);
static_assert((int)KAPI_CM_TIMEWAIT_EXIT == (int)IB_CM_TIMEWAIT_EXIT);
static_assert((int)KAPI_CM_MRA_RECEIVED == (int)IB_CM_MRA_RECEIVED);
static_assert((int)KAPI_CM_REJ_RECEIVED == (int)IB_CM_REJ_RECEIVED);
static_assert((int)KAPI_CM_LAP_ERROR == (int)IB_CM_LAP_ERROR);
static_assert((int)KAPI_CM_LAP_RECEIVED == (int)IB_CM_LAP_RECEIVED);
static_assert((int)KAPI_CM_APR_RECEIVED == (int)IB_CM_APR_RECEIVED);
static_assert((int)KAPI_CM_SIDR_REQ_ERROR == (int)IB_CM_SIDR_REQ_ERROR);
static_assert((int)KAPI_CM_SIDR_REQ_RECEIVED == (int)IB_CM_SIDR_REQ_RECEIVED);
static_assert((int)KAPI_CM_SIDR_REP_RECEIVED == (int)IB_CM_SIDR_REP_RECEIVED);

static_assert((int)KAPI_CM_REJ_NO_QP == (int)IB_CM_REJ_NO_QP);
static_assert((int)KAPI_CM_REJ_NO_RESOURCES == (int)IB_CM_REJ_NO_RESOURCES);
static_assert((int)KAPI_CM_REJ_CONSUMER_DEFINED == (int)IB_CM_REJ_CONSUMER_DEFINED);

static_assert(KAPI_CM_PRIV_LEN <= IB_CM_REQ_PRIVATE_DATA_SIZE);
static_assert(KAPI_CM_PRIV_LEN <= IB_CM_REP_PRIVATE_DATA_SIZE);

/* The in-tree buffer geometry: IPOIB_CM_BUF_SIZE (65520 + encap) over head + pages. */
#define KAPI_CM_BUF_SIZE 65524
static_assert(KAPI_CM_PAGE_SIZE == PAGE_SIZE);
static_assert(KAPI_CM_HEAD_SIZE == KAPI_CM_BUF_SIZE % PAGE_SIZE);
static_assert(KAPI_CM_MAX_FRAGS == ALIGN(KAPI_CM_BUF_SIZE, PAGE_SIZE) / PAGE_SIZE);
static_assert(KAPI_CM_MAX_FRAGS <= MAX_SKB_FRAGS);
static_assert(KAPI_CM_RX_HDR <= KAPI_CM_HEAD_SIZE);
static_assert(KAPI_SKB_PSEUDO_LEN == INFINIBAND_ALEN);

#define IBDEV(d) ((struct ib_device *)(d))
#define CIBDEV(d) ((const struct ib_device *)(d))
#define IBPD(p) ((struct ib_pd *)(p))
#define SKB(s) ((struct sk_buff *)(s))
#define KSKB(s) ((struct kapi_skb *)(s))

struct kapi_cm_id {
	struct ib_cm_id *id;
	kapi_cm_handler_fn fn;
	void *owner;
};

struct kapi_srq {
	struct ib_srq *srq;
	u32 lkey; /* pd->local_dma_lkey, for the receive posts */
};

/* ---- Connection manager ---- */

static void kapi_cm_event_copy(struct kapi_cm_event *ev, const struct ib_cm_event *event)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = event->event;
	switch (event->event) {
	case IB_CM_REQ_RECEIVED: {
		const struct ib_cm_req_event_param *req = &event->param.req_rcvd;

		ev->remote_qpn = req->remote_qpn;
		ev->starting_psn = req->starting_psn;
		ev->rnr_retry_count = req->rnr_retry_count;
		ev->srq = req->srq;
		ev->port = req->port;
		break;
	}
	case IB_CM_REP_RECEIVED: {
		const struct ib_cm_rep_event_param *rep = &event->param.rep_rcvd;

		ev->remote_qpn = rep->remote_qpn;
		ev->starting_psn = rep->starting_psn;
		ev->rnr_retry_count = rep->rnr_retry_count;
		ev->srq = rep->srq;
		break;
	}
	case IB_CM_REJ_RECEIVED:
		ev->rej_reason = event->param.rej_rcvd.reason;
		return;
	default:
		return;
	}
	/* REQ and REP messages always carry their full private data area. */
	if (event->private_data)
		memcpy(ev->private_data, event->private_data, KAPI_CM_PRIV_LEN);
}

static int kapi_cm_trampoline(struct ib_cm_id *cm_id, const struct ib_cm_event *event)
{
	struct kapi_cm_id *w = cm_id->context;
	struct kapi_cm_event ev;
	int rc;

	/*
	 * A REQ (or SIDR REQ) comes on a new ib_cm_id that inherited the
	 * listener's context. ib_cm holds the listener until this returns,
	 * so its wrapper is still valid here.
	 */
	if (event->event == IB_CM_REQ_RECEIVED || event->event == IB_CM_SIDR_REQ_RECEIVED) {
		const struct kapi_cm_id *listener = w;

		w = kmalloc(sizeof(*w), GFP_KERNEL);
		if (!w)
			return -ENOMEM; /* ib_cm destroys the new id */
		w->id = cm_id;
		w->fn = listener->fn;
		w->owner = listener->owner;
		cm_id->context = w;
	}

	kapi_cm_event_copy(&ev, event);
	rc = w->fn(w->owner, w, &ev);
	if (rc) {
		/* ib_cm destroys cm_id once we return; nothing may reach w. */
		cm_id->context = NULL;
		kfree(w);
	}
	return rc;
}

int kapi_cm_create_id(struct kapi_ib_device *dev, kapi_cm_handler_fn fn, void *owner, struct kapi_cm_id **out)
{
	struct kapi_cm_id *w;
	struct ib_cm_id *id;

	if (!fn)
		return -EINVAL;
	w = kmalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	w->fn = fn;
	w->owner = owner;
	id = ib_create_cm_id(IBDEV(dev), kapi_cm_trampoline, w);
	if (IS_ERR(id)) {
		kfree(w);
		return PTR_ERR(id);
	}
	w->id = id;
	*out = w;
	return 0;
}

void kapi_cm_id_set_owner(struct kapi_cm_id *id, void *owner)
{
	id->owner = owner;
}

void kapi_cm_destroy_id(struct kapi_cm_id *id)
{
	if (!id)
		return;
	ib_destroy_cm_id(id->id);
	kfree(id);
}

int kapi_cm_listen(struct kapi_cm_id *id, u64 service_id)
{
	return ib_cm_listen(id->id, cpu_to_be64(service_id));
}

int kapi_cm_send_req(struct kapi_cm_id *id, const struct kapi_cm_req *req)
{
	struct ib_cm_req_param p = {};

	p.primary_path = kapi_path_rec(req->path);
	p.service_id = cpu_to_be64(req->service_id);
	p.qp_num = req->qp_num;
	p.qp_type = IB_QPT_RC;
	p.starting_psn = req->starting_psn;
	p.private_data = req->private_data;
	p.private_data_len = KAPI_CM_PRIV_LEN;
	p.responder_resources = req->responder_resources;
	p.initiator_depth = req->initiator_depth;
	p.remote_cm_response_timeout = req->remote_cm_response_timeout;
	p.local_cm_response_timeout = req->local_cm_response_timeout;
	p.retry_count = req->retry_count;
	p.rnr_retry_count = req->rnr_retry_count;
	p.max_cm_retries = req->max_cm_retries;
	p.srq = req->srq;
	p.flow_control = req->flow_control;
	return ib_send_cm_req(id->id, &p);
}

int kapi_cm_send_rep(struct kapi_cm_id *id, const struct kapi_cm_rep *rep)
{
	struct ib_cm_rep_param p = {};

	p.qp_num = rep->qp_num;
	p.starting_psn = rep->starting_psn;
	p.private_data = rep->private_data;
	p.private_data_len = KAPI_CM_PRIV_LEN;
	p.rnr_retry_count = rep->rnr_retry_count;
	p.srq = rep->srq;
	p.flow_control = rep->flow_control;
	return ib_send_cm_rep(id->id, &p);
}

int kapi_cm_send_rtu(struct kapi_cm_id *id)
{
	return ib_send_cm_rtu(id->id, NULL, 0);
}

int kapi_cm_send_rej(struct kapi_cm_id *id, u32 reason)
{
	return ib_send_cm_rej(id->id, (enum ib_cm_rej_reason)reason, NULL, 0, NULL, 0);
}

int kapi_cm_send_dreq(struct kapi_cm_id *id)
{
	return ib_send_cm_dreq(id->id, NULL, 0);
}

int kapi_cm_send_drep(struct kapi_cm_id *id)
{
	return ib_send_cm_drep(id->id, NULL, 0);
}

int kapi_cm_modify_qp(struct kapi_cm_id *id, struct kapi_qp *qp, int state, int set_rq_psn, u32 rq_psn)
{
	struct ib_qp_attr attr = {};
	int mask, rc;

	attr.qp_state = (enum ib_qp_state)state;
	rc = ib_cm_init_qp_attr(id->id, &attr, &mask);
	if (rc)
		return rc;
	if (state == IB_QPS_RTR && set_rq_psn)
		attr.rq_psn = rq_psn;
	return ib_modify_qp(qp->qp, &attr, mask);
}

/* ---- RC QP and SRQ ---- */

int kapi_rc_qp_create(struct kapi_pd *pd, struct kapi_cq *send_cq, struct kapi_cq *recv_cq,
		      struct kapi_srq *srq, struct kapi_rc_qp_init *attr, kapi_qp_event_fn event_fn,
		      void *owner, struct kapi_qp **out)
{
	struct ib_qp_init_attr init = {};
	int rc;

	init.send_cq = send_cq->cq;
	init.recv_cq = recv_cq->cq;
	init.srq = srq ? srq->srq : NULL;
	init.cap.max_send_wr = attr->max_send_wr;
	init.cap.max_recv_wr = attr->max_recv_wr;
	init.cap.max_send_sge = attr->max_send_sge;
	init.cap.max_recv_sge = attr->max_recv_sge;
	init.sq_sig_type = IB_SIGNAL_ALL_WR;
	init.qp_type = IB_QPT_RC;

	rc = kapi_qp_create(IBPD(pd), &init, event_fn, owner, out);
	if (rc)
		return rc;
	attr->max_send_wr = init.cap.max_send_wr;
	attr->max_recv_wr = init.cap.max_recv_wr;
	attr->max_send_sge = init.cap.max_send_sge;
	attr->max_recv_sge = init.cap.max_recv_sge;
	return 0;
}

int kapi_rc_qp_init(struct kapi_qp *qp, u16 pkey_index, u32 port)
{
	struct ib_qp_attr attr = {};

	attr.qp_state = IB_QPS_INIT;
	attr.qp_access_flags = 0;
	attr.pkey_index = pkey_index;
	attr.port_num = port;
	return ib_modify_qp(qp->qp, &attr,
			    IB_QP_STATE | IB_QP_ACCESS_FLAGS | IB_QP_PKEY_INDEX | IB_QP_PORT);
}

int kapi_qp_post_drain(struct kapi_qp *qp, u64 wr_id)
{
	struct ib_send_wr wr = {};

	wr.wr_id = wr_id;
	wr.opcode = IB_WR_SEND;
	wr.send_flags = IB_SEND_SIGNALED;
	return ib_post_send(qp->qp, &wr, NULL);
}

int kapi_srq_create(struct kapi_pd *pd, u32 *max_wr, u32 *max_sge, struct kapi_srq **out)
{
	struct ib_srq_init_attr init = {};
	struct kapi_srq *srq;
	struct ib_srq *ibsrq;

	srq = kmalloc(sizeof(*srq), GFP_KERNEL);
	if (!srq)
		return -ENOMEM;
	init.srq_type = IB_SRQT_BASIC;
	init.attr.max_wr = *max_wr;
	init.attr.max_sge = *max_sge;
	ibsrq = ib_create_srq(IBPD(pd), &init);
	if (IS_ERR(ibsrq)) {
		kfree(srq);
		return PTR_ERR(ibsrq);
	}
	srq->srq = ibsrq;
	srq->lkey = IBPD(pd)->local_dma_lkey;
	*max_wr = init.attr.max_wr;
	*max_sge = init.attr.max_sge;
	*out = srq;
	return 0;
}

void kapi_srq_destroy(struct kapi_srq *srq)
{
	if (!srq)
		return;
	ib_destroy_srq(srq->srq);
	kfree(srq);
}

void kapi_srq_caps(const struct kapi_ib_device *dev, u32 *max_srq, u32 *max_srq_wr, u32 *max_srq_sge)
{
	const struct ib_device_attr *a = &CIBDEV(dev)->attrs;

	if (a->max_srq <= 0) {
		*max_srq = *max_srq_wr = *max_srq_sge = 0;
		return;
	}
	*max_srq = a->max_srq;
	*max_srq_wr = a->max_srq_wr;
	*max_srq_sge = a->max_srq_sge;
}

/* ---- Connected-mode receive buffers ---- */

#define PAGE_OF(slot, i) ((struct page *)(slot)->page[i])

int kapi_rx_pool_create(u32 size, struct kapi_rx_pool **out)
{
	struct page_pool_params pp = {
		.order = 0,
		.pool_size = size,
		.nid = NUMA_NO_NODE,
	};
	struct page_pool *pool;

	*out = NULL;
	pool = page_pool_create(&pp);
	if (IS_ERR(pool))
		return PTR_ERR(pool);
	*out = (struct kapi_rx_pool *)pool;
	return 0;
}

void kapi_rx_pool_destroy(struct kapi_rx_pool *pool)
{
	if (pool)
		page_pool_destroy((struct page_pool *)pool);
}

/* A buffer page we own outside any skb: back to its pool, or freed. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
/* page_pool_return_skb_page() is gone: test the signature, put to page->pp. */
static bool kapi_page_is_pp(struct page *page)
{
#ifdef PP_MAGIC_MASK
	return page_pool_page_is_pp(page);
#else
	return (page->pp_magic & ~0x3UL) == PP_SIGNATURE;
#endif
}

static void kapi_cm_page_put(struct page *page)
{
	if (kapi_page_is_pp(page))
		page_pool_put_full_page(page->pp, page, false);
	else
		put_page(page);
}
#else
static void kapi_cm_page_put(struct page *page)
{
	if (!page_pool_return_skb_page(page))
		put_page(page);
}
#endif

/* Page i of a buffer: page 0 holds the first KAPI_CM_HEAD_SIZE bytes. */
static u32 kapi_cm_sge_len(u32 i)
{
	return i ? PAGE_SIZE : KAPI_CM_HEAD_SIZE;
}

static void kapi_cm_rx_unmap(struct ib_device *ib, const u64 *addr, u32 from, u32 to)
{
	u32 i;

	for (i = from; i < to; i++)
		ib_dma_unmap_page(ib, addr[i], kapi_cm_sge_len(i), DMA_FROM_DEVICE);
}

/*
 * Pages from..to-1 of a buffer, new and mapped (page[i], addr[i]). From
 * pool (the NAPI poll is its only user) or the page allocator. On failure
 * nothing is left.
 */
static int kapi_cm_rx_fill(struct ib_device *ib, struct page_pool *pool, gfp_t gfp, u32 from, u32 to,
			   void **page, u64 *addr)
{
	u32 i;

	for (i = from; i < to; i++) {
		struct page *p = pool ? page_pool_dev_alloc_pages(pool) : alloc_page(gfp);

		if (unlikely(!p))
			goto fail;
		addr[i] = ib_dma_map_page(ib, p, 0, kapi_cm_sge_len(i), DMA_FROM_DEVICE);
		if (unlikely(ib_dma_mapping_error(ib, addr[i]))) {
			kapi_cm_page_put(p);
			goto fail;
		}
		page[i] = p;
	}
	return 0;

fail:
	while (i-- > from) {
		ib_dma_unmap_page(ib, addr[i], kapi_cm_sge_len(i), DMA_FROM_DEVICE);
		kapi_cm_page_put(page[i]);
		page[i] = NULL;
	}
	return -ENOMEM;
}

int kapi_cm_rx_alloc(struct kapi_pd *pd, u32 nfrags, int atomic, struct kapi_cm_rx_slot *slot)
{
	memset(slot->page, 0, sizeof(slot->page));
	if (unlikely(nfrags < 1 || nfrags > KAPI_CM_MAX_FRAGS))
		return -EINVAL;
	return kapi_cm_rx_fill(IBPD(pd)->device, NULL, atomic ? GFP_ATOMIC : GFP_KERNEL, 0, nfrags,
			       slot->page, slot->addr);
}

int kapi_cm_rx_post(struct kapi_qp *qp, struct kapi_srq *srq, u64 wr_id,
		    const struct kapi_cm_rx_slot *slot, u32 nfrags)
{
	struct ib_sge sge[KAPI_CM_MAX_FRAGS] KAPI_SCRATCH;
	struct ib_recv_wr wr = {};
	u32 lkey, i;

	if (unlikely(!qp == !srq || nfrags < 1 || nfrags > KAPI_CM_MAX_FRAGS))
		return -EINVAL;
	lkey = qp ? qp->lkey : srq->lkey;
	for (i = 0; i < nfrags; i++) {
		sge[i].addr = slot->addr[i];
		sge[i].length = kapi_cm_sge_len(i);
		sge[i].lkey = lkey;
	}
	wr.wr_id = wr_id;
	wr.sg_list = sge;
	wr.num_sge = nfrags;
	if (qp)
		return ib_post_recv(qp->qp, &wr, NULL);
	return ib_post_srq_recv(srq->srq, &wr, NULL);
}

void kapi_cm_rx_release(struct kapi_pd *pd, struct kapi_cm_rx_slot *slot, u32 nfrags)
{
	u32 i;

	if (!slot->page[0])
		return;
	kapi_cm_rx_unmap(IBPD(pd)->device, slot->addr, 0, nfrags);
	for (i = 0; i < nfrags; i++) {
		kapi_cm_page_put(PAGE_OF(slot, i));
		slot->page[i] = NULL;
	}
}

int kapi_cm_rx_copy(struct kapi_pd *pd, struct kapi_netdev *dev, const struct kapi_cm_rx_slot *slot,
		    u32 byte_len, struct kapi_skb **out)
{
	struct ib_device *ib = IBPD(pd)->device;
	struct sk_buff *skb;

	if (unlikely(byte_len > KAPI_CM_HEAD_SIZE || !slot->page[0]))
		return -EINVAL;
	skb = __netdev_alloc_skb(ND(dev), byte_len + INFINIBAND_ALEN, GFP_ATOMIC);
	if (unlikely(!skb))
		return -ENOMEM;
	skb_reserve(skb, INFINIBAND_ALEN);
	ib_dma_sync_single_for_cpu(ib, slot->addr[0], byte_len, DMA_FROM_DEVICE);
	skb_put_data(skb, page_address(PAGE_OF(slot, 0)), byte_len);
	ib_dma_sync_single_for_device(ib, slot->addr[0], byte_len, DMA_FROM_DEVICE);
	*out = KSKB(skb);
	return 0;
}

int kapi_cm_rx_swap(struct kapi_pd *pd, struct kapi_netdev *dev, struct kapi_rx_pool *kpool,
		    struct kapi_cm_rx_slot *slot, u32 nfrags, u32 byte_len, struct kapi_skb **out)
{
	struct page_pool *pool = (struct page_pool *)kpool;
	struct ib_device *ib = IBPD(pd)->device;
	void *npage[KAPI_CM_MAX_FRAGS] KAPI_SCRATCH;
	u64 naddr[KAPI_CM_MAX_FRAGS] KAPI_SCRATCH;
	u32 used, hdr, rest, i, nr;
	struct sk_buff *skb;

	if (unlikely(!slot->page[0] || nfrags < 1 || nfrags > KAPI_CM_MAX_FRAGS ||
		     byte_len > KAPI_CM_HEAD_SIZE + (nfrags - 1) * PAGE_SIZE))
		return -EINVAL;
	used = byte_len <= KAPI_CM_HEAD_SIZE ? 1 : 1 + PAGE_ALIGN(byte_len - KAPI_CM_HEAD_SIZE) / PAGE_SIZE;
	hdr = min_t(u32, byte_len, KAPI_CM_RX_HDR);

	skb = __netdev_alloc_skb(ND(dev), hdr + INFINIBAND_ALEN, GFP_ATOMIC);
	if (unlikely(!skb))
		return -ENOMEM;
	if (unlikely(kapi_cm_rx_fill(ib, pool, GFP_ATOMIC, 0, used, npage, naddr))) {
		dev_kfree_skb_any(skb);
		return -ENOMEM;
	}
	kapi_cm_rx_unmap(ib, slot->addr, 0, used);

	/* The headers go linear; the rest stays in the pages, handed over. */
	skb_reserve(skb, INFINIBAND_ALEN);
	skb_put_data(skb, page_address(PAGE_OF(slot, 0)), hdr);
	nr = 0;
	rest = byte_len;
	for (i = 0; i < used; i++) {
		u32 off = i ? 0 : hdr;
		u32 size = min_t(u32, rest, kapi_cm_sge_len(i));

		rest -= size;
		if (size > off)
			skb_add_rx_frag(skb, nr++, PAGE_OF(slot, i), off, size - off, PAGE_SIZE);
		else
			kapi_cm_page_put(PAGE_OF(slot, i));
		slot->page[i] = npage[i];
		slot->addr[i] = naddr[i];
	}
	/* Freed pages of pool go back to it (others are put as usual). */
	if (pool)
		skb_mark_for_recycle(skb);
	*out = KSKB(skb);
	return 0;
}

/* ---- PMTU emulation ---- */

void kapi_skb_update_pmtu(struct kapi_skb *skb, u32 mtu)
{
	skb_dst_update_pmtu_no_confirm(SKB(skb), mtu);
}

/*
 * icmp_send() and icmp6_send() disable bottom halves themselves around
 * their per-CPU socket, so no local_bh_disable() here; both need the
 * skb's route (icmp_send drops the reply without it).
 */
void kapi_skb_icmp_too_big(struct kapi_skb *kskb, u32 mtu)
{
	struct sk_buff *skb = SKB(kskb);

	if (skb->protocol == htons(ETH_P_IP)) {
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(mtu));
	}
#if IS_ENABLED(CONFIG_IPV6)
	else if (skb->protocol == htons(ETH_P_IPV6)) {
		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
		icmpv6_send(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
	}
#endif
	dev_kfree_skb_any(skb);
}

u32 kapi_random_u32(void)
{
	return get_random_u32();
}
