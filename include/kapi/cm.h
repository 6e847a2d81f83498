/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kapi/cm.h - what connected mode (RFC 4755) needs of ib_core beyond the
 * UD verbs: the IB connection manager (ib_cm), RC queue pairs, the shared
 * receive queue, the large multi-fragment receive buffers, and the ICMP
 * "too big" replies of PMTU emulation.
 *
 * Handles:
 *   struct kapi_cm_id  a glue struct holding the ib_cm_id plus the C++
 *                      owner and the handler its trampoline calls;
 *   struct kapi_srq    a glue struct holding the ib_srq and its lkey;
 *   RC QPs are struct kapi_qp (kapi/verbs.h), so kapi_qp_destroy,
 *   kapi_qp_modify_state, kapi_qp_num, kapi_ud_send_skb (with ah NULL)
 *   and kapi_ud_tx_release apply to them.
 *
 * Events. Every ib_cm event of an id calls fn(owner, id, &ev) from
 * ib_cm's work queue (process context; ib_cm runs one event of an id at
 * a time). A REQ arriving on a listening id comes with a new id: the glue
 * wraps it (same fn and owner as the listener) before the call, and the
 * C++ side may re-point it with kapi_cm_id_set_owner() during the call.
 * If fn returns non-zero, ib_cm destroys the ib_cm_id after the call and
 * the glue frees its wrapper: the id must not be used again (this is the
 * only way to drop an id from inside its own handler). Otherwise the id
 * lives until kapi_cm_destroy_id().
 *
 * Nothing here decides anything: parameters (timeouts, retry counts,
 * private data) come from the caller.
 */
#ifndef KAPI_CM_H
#define KAPI_CM_H
#include "types.h"
#include "verbs.h"

struct kapi_path;   /* kapi/sa.h */
struct kapi_skb;    /* kapi/skb.h */
struct kapi_netdev; /* kapi/netdev.h */
struct kapi_napi;   /* kapi/netdev.h */
struct kapi_cm_id;
struct kapi_srq;

/* enum ib_cm_event_type values (static_asserted in kapi/cm.c). */
enum kapi_cm_event_type {
	KAPI_CM_REQ_ERROR = 0,
	KAPI_CM_REQ_RECEIVED = 1,
	KAPI_CM_REP_ERROR = 2,
	KAPI_CM_REP_RECEIVED = 3,
	KAPI_CM_RTU_RECEIVED = 4,
	KAPI_CM_USER_ESTABLISHED = 5,
	KAPI_CM_DREQ_ERROR = 6,
	KAPI_CM_DREQ_RECEIVED = 7,
	KAPI_CM_DREP_RECEIVED = 8,
	KAPI_CM_TIMEWAIT_EXIT = 9,
	KAPI_CM_MRA_RECEIVED = 10,
	KAPI_CM_REJ_RECEIVED = 11,
	KAPI_CM_LAP_ERROR = 12,
	KAPI_CM_LAP_RECEIVED = 13,
	KAPI_CM_APR_RECEIVED = 14,
	KAPI_CM_SIDR_REQ_ERROR = 15,
	KAPI_CM_SIDR_REQ_RECEIVED = 16,
	KAPI_CM_SIDR_REP_RECEIVED = 17,
};

/* enum ib_cm_rej_reason values IPoIB sends. */
enum kapi_cm_rej_reason {
	KAPI_CM_REJ_NO_QP = 1,
	KAPI_CM_REJ_NO_RESOURCES = 3,
	KAPI_CM_REJ_CONSUMER_DEFINED = 28,
};

/* Bytes of private data IPoIB exchanges in REQ and REP (RFC 4755: QPN + MTU). */
#define KAPI_CM_PRIV_LEN 16

/* One ib_cm event, copied out of struct ib_cm_event. */
struct kapi_cm_event {
	kapi_u32 type;       /* enum kapi_cm_event_type */
	/* REQ/REP: the first KAPI_CM_PRIV_LEN bytes of the private data, as
	 * on the wire (zeros if the event carries none). */
	kapi_u8 private_data[KAPI_CM_PRIV_LEN];
	kapi_u32 remote_qpn; /* REQ: param.remote_qpn; REP: param.remote_qpn */
	kapi_u32 starting_psn; /* REP: param.starting_psn */
	kapi_u32 rej_reason; /* REJ: param.rej_rcvd.reason */
	kapi_u8 rnr_retry_count; /* REQ */
	kapi_u8 srq;             /* REQ/REP */
	kapi_u8 port;            /* REQ: param.port */
};

/* ib_cm_req_param, the parts IPoIB sets (ipoib_cm_send_req). */
struct kapi_cm_req {
	const struct kapi_path *path; /* primary path */
	kapi_u64 service_id;          /* host order; sent big-endian */
	kapi_u32 qp_num;
	kapi_u32 starting_psn;
	kapi_u8 private_data[KAPI_CM_PRIV_LEN];
	kapi_u8 responder_resources;
	kapi_u8 initiator_depth;
	kapi_u8 remote_cm_response_timeout;
	kapi_u8 local_cm_response_timeout;
	kapi_u8 retry_count;
	kapi_u8 rnr_retry_count;
	kapi_u8 max_cm_retries;
	kapi_u8 srq;
	kapi_u8 flow_control;
};

/* ib_cm_rep_param, the parts IPoIB sets (ipoib_cm_send_rep). */
struct kapi_cm_rep {
	kapi_u32 qp_num;
	kapi_u32 starting_psn;
	kapi_u8 private_data[KAPI_CM_PRIV_LEN];
	kapi_u8 rnr_retry_count;
	kapi_u8 srq;
	kapi_u8 flow_control;
};

typedef int (*kapi_cm_handler_fn)(void *owner, struct kapi_cm_id *id, const struct kapi_cm_event *ev);

/* RC QP sizes; on success the create call writes back what was granted. */
struct kapi_rc_qp_init {
	kapi_u32 max_send_wr;
	kapi_u32 max_recv_wr;  /* 0 with an SRQ */
	kapi_u32 max_send_sge;
	kapi_u32 max_recv_sge; /* 0 with an SRQ */
};

/*
 * A connected-mode receive buffer: nfrags pages, posted as one SGE each;
 * page 0 takes the first KAPI_CM_HEAD_SIZE bytes, the others a whole page
 * (head + 15 pages = 65524, the in-tree layout). page[i] is the struct
 * page, addr[i] its DMA address. nfrags is fixed per ring by the caller
 * and passed to every call on the slot.
 */
#define KAPI_CM_MAX_FRAGS 16
#define KAPI_CM_HEAD_SIZE 4084 /* 65524 % PAGE_SIZE: head + 15 pages = 65524 */
#define KAPI_CM_PAGE_SIZE 4096
#define KAPI_CM_RX_HDR 128 /* bytes a large receive copies into the skb's linear part */
struct kapi_cm_rx_slot {
	void *page[KAPI_CM_MAX_FRAGS];
	kapi_u64 addr[KAPI_CM_MAX_FRAGS];
};

/* A page_pool: receive pages that come back when the stack frees them. */
struct kapi_rx_pool;

KAPI_BEGIN_DECLS

/* ---- Connection manager ---- */

/* ib_create_cm_id(dev, trampoline, wrapper). Context: process. Returns 0 or -errno. */
int kapi_cm_create_id(struct kapi_ib_device *dev, kapi_cm_handler_fn fn, void *owner, struct kapi_cm_id **out);
/* Re-points the id's upcalls at owner. Context: its handler, or before any event can arrive. */
void kapi_cm_id_set_owner(struct kapi_cm_id *id, void *owner);
/*
 * ib_destroy_cm_id(): sends DREQ/REJ as the id's state requires, waits
 * for a running handler to return, frees the wrapper. Never from the
 * id's own handler (return non-zero there instead). NULL is a no-op.
 * Context: process; may sleep.
 */
void kapi_cm_destroy_id(struct kapi_cm_id *id);
/* ib_cm_listen(id, cpu_to_be64(service_id)). Context: process. */
int kapi_cm_listen(struct kapi_cm_id *id, kapi_u64 service_id);
/* ib_send_cm_req() with req (RC QP, one primary path). Context: process. */
int kapi_cm_send_req(struct kapi_cm_id *id, const struct kapi_cm_req *req);
/* ib_send_cm_rep(). Context: process (the REQ handler). */
int kapi_cm_send_rep(struct kapi_cm_id *id, const struct kapi_cm_rep *rep);
/* ib_send_cm_rtu(id, NULL, 0). */
int kapi_cm_send_rtu(struct kapi_cm_id *id);
/* ib_send_cm_rej(id, reason, NULL, 0, NULL, 0). */
int kapi_cm_send_rej(struct kapi_cm_id *id, kapi_u32 reason);
/* ib_send_cm_dreq(id, NULL, 0) / ib_send_cm_drep(id, NULL, 0). */
int kapi_cm_send_dreq(struct kapi_cm_id *id);
int kapi_cm_send_drep(struct kapi_cm_id *id);
/*
 * ib_cm_init_qp_attr() for `state` (INIT, RTR or RTS) then ib_modify_qp()
 * with the mask it returns. For RTR, if set_rq_psn, attr.rq_psn = rq_psn
 * first (the passive side's own PSN). Context: process.
 */
int kapi_cm_modify_qp(struct kapi_cm_id *id, struct kapi_qp *qp, int state, int set_rq_psn, kapi_u32 rq_psn);

/* ---- RC QP and SRQ ---- */

/*
 * ib_create_qp() for an IB_QPT_RC QP, every send signaled, on
 * send_cq/recv_cq, with srq if not NULL. QP events call
 * event_fn(owner, enum kapi_qp_event) in atomic context (may be NULL).
 * Completions of its work requests carry owner in kapi_wc.qp_owner.
 * Context: process.
 */
int kapi_rc_qp_create(struct kapi_pd *pd, struct kapi_cq *send_cq, struct kapi_cq *recv_cq,
		      struct kapi_srq *srq, struct kapi_rc_qp_init *attr, kapi_qp_event_fn event_fn,
		      void *owner, struct kapi_qp **out);
/*
 * The active side's RESET -> INIT before the REQ (ipoib_cm_modify_tx_init):
 * qp_access_flags 0, pkey_index, port. Context: process.
 */
int kapi_rc_qp_init(struct kapi_qp *qp, kapi_u16 pkey_index, kapi_u32 port);
/*
 * Posts one signaled zero-length IB_WR_SEND with wr_id (the drain marker:
 * on a QP in ERR it completes, flushed, after every earlier completion of
 * that QP). Context: any.
 */
int kapi_qp_post_drain(struct kapi_qp *qp, kapi_u64 wr_id);

/* ib_create_srq(pd, {max_wr, max_sge}); the granted sizes are written back. Context: process. */
int kapi_srq_create(struct kapi_pd *pd, kapi_u32 *max_wr, kapi_u32 *max_sge, struct kapi_srq **out);
/* ib_destroy_srq(). No QP may still use it. NULL is a no-op. Context: process. */
void kapi_srq_destroy(struct kapi_srq *srq);
/* Device limits for the SRQ (attrs.max_srq, max_srq_wr, max_srq_sge); all 0 if it has none. */
void kapi_srq_caps(const struct kapi_ib_device *dev, kapi_u32 *max_srq, kapi_u32 *max_srq_wr,
		   kapi_u32 *max_srq_sge);

/* ---- Connected-mode receive buffers ---- */

/*
 * page_pool_create() of order-0 pages, no DMA mapping, holding up to size
 * free pages. Only one context at a time may allocate from it (the NAPI
 * poll); pages return to it from anywhere. Context: process.
 */
int kapi_rx_pool_create(kapi_u32 size, struct kapi_rx_pool **out);
/* page_pool_destroy(): pages still out are released as they come back. NULL is a no-op. Context: process. */
void kapi_rx_pool_destroy(struct kapi_rx_pool *pool);

/*
 * Fills slot with nfrags new pages from the page allocator (GFP_ATOMIC if
 * atomic, else GFP_KERNEL), mapped DMA_FROM_DEVICE on pd's device. On
 * failure nothing is left and slot->page[0] is NULL.
 * Returns 0, -EINVAL or -ENOMEM. Context: any if atomic, else process.
 */
int kapi_cm_rx_alloc(struct kapi_pd *pd, kapi_u32 nfrags, int atomic, struct kapi_cm_rx_slot *slot);
/*
 * Posts slot as one receive WR (wr_id; nfrags SGEs, lkey of pd) on exactly
 * one of qp or srq (the other NULL). Context: any; serialise posts to one
 * queue yourself.
 */
int kapi_cm_rx_post(struct kapi_qp *qp, struct kapi_srq *srq, kapi_u64 wr_id,
		    const struct kapi_cm_rx_slot *slot, kapi_u32 nfrags);
/* Unmaps and frees a buffer (teardown; pool pages go back to their pool). Empty slot: no-op. Context: any. */
void kapi_cm_rx_release(struct kapi_pd *pd, struct kapi_cm_rx_slot *slot, kapi_u32 nfrags);
/*
 * A receive of byte_len bytes completed into slot: the small-packet path.
 * Syncs page 0 for the CPU, copies byte_len bytes (which must fit
 * KAPI_CM_HEAD_SIZE) into a new skb for dev (GFP_ATOMIC, IPOIB_PSEUDO_LEN
 * headroom), syncs it back; slot keeps its pages, ready to be posted
 * again. Returns the copy in *out, or -ENOMEM. Context: any.
 */
int kapi_cm_rx_copy(struct kapi_pd *pd, struct kapi_netdev *dev, const struct kapi_cm_rx_slot *slot,
		    kapi_u32 byte_len, struct kapi_skb **out);
/*
 * A receive of byte_len bytes completed into slot: the large-packet path.
 * Allocates a small skb for dev and as many new pages as the packet used
 * (from pool if not NULL, else the page allocator; GFP_ATOMIC); on
 * -ENOMEM slot is untouched (drop the packet and post slot again).
 * Otherwise unmaps the used pages, copies the first KAPI_CM_RX_HDR bytes
 * into the skb's linear part and attaches the rest of the used pages as
 * fragments (truesize a page each), marks the skb for page_pool recycling
 * when pool is set, puts the new pages in their place in *slot (ready to
 * post; unused pages stay as they are) and returns the skb in *out.
 * Context: the NAPI poll when pool is set (its only allocator), else any.
 */
int kapi_cm_rx_swap(struct kapi_pd *pd, struct kapi_netdev *dev, struct kapi_rx_pool *pool,
		    struct kapi_cm_rx_slot *slot, kapi_u32 nfrags, kapi_u32 byte_len, struct kapi_skb **out);
/*
 * Hands a connected-mode receive (data at the encap header) to the stack:
 * protocol from the encap header, zeroed pseudo header as mac header,
 * pull 24, pkt_type HOST, dev = the NAPI's device, then with
 * KAPI_SKB_RX_CSUM_PARTIAL in flags skb_partial_csum_set(start, off)
 * (start from the IP header), napi_gro_receive(). Always consumes skb.
 * Returns the bytes delivered, or -EINVAL if the skb is shorter than the
 * encap header or the checksum field is not in its linear part (freed).
 * Context: the NAPI poll.
 */
int kapi_skb_rx_deliver_cm(struct kapi_napi *napi, struct kapi_skb *skb, unsigned int flags, kapi_u32 start,
			   kapi_u32 off);

/* get_random_u32(): the passive side's starting PSN. Context: any. */
kapi_u32 kapi_random_u32(void);

/* ---- PMTU emulation ---- */

/*
 * skb_dst_update_pmtu_no_confirm(skb, mtu): the route learns the smaller
 * MTU now (xmit context); the ICMP reply follows from a work item.
 * Context: any.
 */
void kapi_skb_update_pmtu(struct kapi_skb *skb, kapi_u32 mtu);
/*
 * Into the local stack: ICMP_DEST_UNREACH/ICMP_FRAG_NEEDED for an IPv4
 * skb, ICMPV6_PKT_TOOBIG for IPv6, carrying mtu (in-tree
 * ipoib_cm_skb_reap); other protocols get nothing. skb->data is at the
 * encap header, the network header set. Frees skb. Context: process or
 * softirq, with no netif tx lock held.
 */
void kapi_skb_icmp_too_big(struct kapi_skb *skb, kapi_u32 mtu);

KAPI_END_DECLS
#endif /* KAPI_CM_H */
