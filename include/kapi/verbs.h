/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kapi/verbs.h - IB verbs for a datagram (UD) IPoIB interface: PD, CQ,
 * UD QP, address handles, multicast attach, DMA mapping and posting.
 *
 * Handles:
 *   struct kapi_pd   is the kernel's struct ib_pd;
 *   struct kapi_ah   is the kernel's struct ib_ah;
 *   struct kapi_cq   and struct kapi_qp are small glue structs that hold
 *                    the ib_cq/ib_qp plus the C++ owner and function
 *                    their trampoline calls (so C++ objects holding them
 *                    may move freely: only the pointer is stored).
 * None of them is ever dereferenced in C++.
 *
 * Hot paths (post_send, post_recv, poll, req_notify, DMA map/unmap) are
 * one call each: the glue builds the kernel work request itself.
 * The skb datapath calls map and post (or unmap and release) in one call
 * each, so C++ never handles DMA addresses beyond keeping them per slot.
 */
#ifndef KAPI_VERBS_H
#define KAPI_VERBS_H
#include "types.h"

struct kapi_ib_device;
struct kapi_pd;
struct kapi_cq;
struct kapi_qp;
struct kapi_ah;
struct kapi_path;  /* kapi/sa.h */
struct kapi_skb;   /* kapi/skb.h */
struct kapi_netdev; /* kapi/netdev.h */
/* The kernel's struct page (skb fragments); only ever passed through. */
struct kapi_page;

/* What the device offers that IPoIB sizes its queues and QP flags by. */
struct kapi_verbs_caps {
	kapi_u32 max_qp_wr;
	kapi_u32 max_send_sge;
	kapi_u32 max_recv_sge;
	kapi_u32 max_cqe;
	kapi_u32 max_qp;
	kapi_u32 num_comp_vectors;
	kapi_u8 block_mcast_loopback; /* IBK_BLOCK_MULTICAST_LOOPBACK */
	kapi_u8 ud_tso;               /* IBK_UD_TSO */
	kapi_u8 rdma_netdev_opa;      /* IBK_RDMA_NETDEV_OPA */
	kapi_u8 ud_ip_csum;           /* IB_DEVICE_UD_IP_CSUM */
	kapi_u8 managed_flow_steering; /* IB_DEVICE_MANAGED_FLOW_STEERING */
};

/* enum ib_qp_state values. */
enum kapi_qp_state {
	KAPI_QPS_RESET = 0,
	KAPI_QPS_INIT = 1,
	KAPI_QPS_RTR = 2,
	KAPI_QPS_RTS = 3,
	KAPI_QPS_SQD = 4,
	KAPI_QPS_SQE = 5,
	KAPI_QPS_ERR = 6,
};

/* enum ib_qp_create_flags bits IPoIB uses (ipoib_transport_dev_init). */
enum kapi_qp_create_flags {
	KAPI_QP_CREATE_IPOIB_UD_LSO = 1 << 0,
	KAPI_QP_CREATE_BLOCK_MULTICAST_LOOPBACK = 1 << 1,
	KAPI_QP_CREATE_NETIF_QP = 1 << 5,
	KAPI_QP_CREATE_NETDEV_USE = 1 << 7,
};

/* enum ib_event_type values delivered to a QP's event upcall. */
enum kapi_qp_event {
	KAPI_QP_EVENT_QP_FATAL = 1,
	KAPI_QP_EVENT_QP_REQ_ERR = 2,
	KAPI_QP_EVENT_QP_ACCESS_ERR = 3,
	KAPI_QP_EVENT_COMM_EST = 4,
	KAPI_QP_EVENT_SQ_DRAINED = 5,
	KAPI_QP_EVENT_PATH_MIG = 6,
	KAPI_QP_EVENT_PATH_MIG_ERR = 7,
	KAPI_QP_EVENT_QP_LAST_WQE_REACHED = 16,
};

/* enum ib_wc_status values (the rest pass through as their number). */
enum kapi_wc_status {
	KAPI_WC_SUCCESS = 0,
	KAPI_WC_LOC_LEN_ERR = 1,
	KAPI_WC_LOC_QP_OP_ERR = 2,
	KAPI_WC_LOC_PROT_ERR = 4,
	KAPI_WC_WR_FLUSH_ERR = 5,
	KAPI_WC_RNR_RETRY_EXC_ERR = 13,
	KAPI_WC_RETRY_EXC_ERR = 12,
	KAPI_WC_GENERAL_ERR = 21,
};

/* enum ib_wc_opcode values IPoIB sees. */
enum kapi_wc_opcode {
	KAPI_WC_SEND = 0,
	KAPI_WC_LSO = 7,
	KAPI_WC_RECV = 1 << 7,
};

/* enum ib_wc_flags bits. */
enum kapi_wc_flags {
	KAPI_WC_GRH = 1 << 0,
	KAPI_WC_WITH_IMM = 1 << 1,
	KAPI_WC_IP_CSUM_OK = 1 << 3,
};

/* enum ib_send_flags bits accepted by kapi_ud_post_send*(). */
enum kapi_send_flags {
	KAPI_SEND_SIGNALED = 1 << 1,
	KAPI_SEND_SOLICITED = 1 << 2,
	KAPI_SEND_INLINE = 1 << 3,
	KAPI_SEND_IP_CSUM = 1 << 4,
	/*
	 * Not an ib_send_flags bit: kapi_ud_send_skb() tells byte queue
	 * limits (netdev_tx_sent_queue on skb->dev's queue skb_get_queue_mapping,
	 * skb->len bytes, also stored in map->bql_bytes) right before the post.
	 * If the post then fails, BQL has counted bytes no completion will
	 * report (map->bql_bytes says how many): the caller evens them out
	 * from its completion path.
	 */
	KAPI_SEND_BQL = 1 << 30,
};

/* One work completion, copied out of struct ib_wc. */
struct kapi_wc {
	kapi_u64 wr_id;
	kapi_u32 status;   /* enum kapi_wc_status (or another ib_wc_status) */
	kapi_u32 opcode;   /* enum kapi_wc_opcode */
	kapi_u32 byte_len; /* UD receives include the 40-byte GRH area */
	kapi_u32 qp_num;   /* wc->qp->qp_num */
	kapi_u32 src_qp;
	kapi_u32 slid;
	kapi_u32 wc_flags; /* enum kapi_wc_flags */
	kapi_u32 vendor_err;
	kapi_u16 pkey_index;
	kapi_u8 sl;
	kapi_u8 dlid_path_bits;
	/* The owner given when the QP was created (wc->qp's glue struct):
	 * tells a connected-mode QP's completion from the UD QP's. */
	void *qp_owner;
};

/* UD QP sizes; on success the create call writes back what was granted. */
struct kapi_ud_qp_init {
	kapi_u32 max_send_wr;
	kapi_u32 max_recv_wr;
	kapi_u32 max_send_sge;
	kapi_u32 max_recv_sge;
	kapi_u32 create_flags; /* enum kapi_qp_create_flags */
};

/* Most SGEs kapi_ud_post_send*() accepts: MAX_SKB_FRAGS + 1 on 6.1 x86_64. */
#define KAPI_UD_MAX_SEND_SGE 18

/*
 * The DMA addresses of one posted skb (head, then each fragment), kept in
 * the driver's TX ring slot until the send completes. Lengths are not
 * stored: the skb still describes them at release time.
 */
struct kapi_tx_map {
	kapi_u64 addr[KAPI_UD_MAX_SEND_SGE];
	kapi_u32 nsge;
	kapi_u32 bql_bytes; /* what KAPI_SEND_BQL told byte queue limits (0: nothing) */
};

/* One UD receive ring slot: the skb, where the HCA writes, and its DMA address. */
struct kapi_rx_slot {
	struct kapi_skb *skb;
	void *data;
	kapi_u64 addr;
};

/* Completion upcall: owner is what was given at create time. */
typedef void (*kapi_cq_comp_fn)(void *owner);
/* QP asynchronous event upcall. */
typedef void (*kapi_qp_event_fn)(void *owner, enum kapi_qp_event event);

KAPI_BEGIN_DECLS

/* Device capabilities (ib_device->attrs). Context: any. */
void kapi_verbs_query_caps(const struct kapi_ib_device *dev, struct kapi_verbs_caps *out);
/*
 * ib_find_pkey(): the index of `pkey` in the port's table, matched as
 * ib_core does (full member preferred). Returns 0 or -ENOENT.
 * Context: process.
 */
int kapi_verbs_find_pkey(struct kapi_ib_device *dev, kapi_u32 port, kapi_u16 pkey, kapi_u16 *index);

/* ---- Protection domain ---- */

/* ib_alloc_pd(dev, 0). Context: process; may sleep. */
int kapi_pd_alloc(struct kapi_ib_device *dev, struct kapi_pd **out);
/* ib_dealloc_pd(). Every QP and AH on it must be gone. NULL is a no-op. Context: process. */
void kapi_pd_dealloc(struct kapi_pd *pd);

/* ---- Completion queues ---- */

/*
 * ib_create_cq() with `cqe` entries on completion vector
 * `comp_vector % num_comp_vectors`. Each completion event calls
 * fn(owner) from the HCA's completion context: hard IRQ, softirq or a
 * driver thread with bottom halves off. It must not sleep; IPoIB only
 * schedules NAPI there. The CQ starts unarmed: call kapi_cq_req_notify().
 * Context: process; may sleep.
 */
int kapi_cq_create(struct kapi_ib_device *dev, int cqe, int comp_vector,
		   kapi_cq_comp_fn fn, void *owner, struct kapi_cq **out);
/*
 * ib_destroy_cq(). No QP may still use it; after return fn is never
 * called again. NULL is a no-op. Context: process; may sleep.
 */
void kapi_cq_destroy(struct kapi_cq *cq);
/*
 * ib_req_notify_cq(IB_CQ_NEXT_COMP [| IB_CQ_REPORT_MISSED_EVENTS]).
 * Returns: 0 when armed; with report_missed, >0 if completions may have
 * arrived before arming (poll again); negative errno on failure.
 * Context: any.
 */
int kapi_cq_req_notify(struct kapi_cq *cq, int report_missed);
/*
 * ib_poll_cq() into `wc` (up to n entries). Returns the number polled
 * (0 if empty) or a negative errno. Context: any; serialise polls of one
 * CQ yourself (NAPI does).
 */
int kapi_cq_poll(struct kapi_cq *cq, struct kapi_wc *wc, int n);
/* rdma_set_cq_moderation() (ethtool coalescing). Context: process. */
int kapi_cq_set_moderation(struct kapi_cq *cq, kapi_u16 count, kapi_u16 period_usec);

/* ---- UD queue pair ---- */

/*
 * ib_create_qp() for an IB_QPT_UD QP, every send signaled
 * (IB_SIGNAL_ALL_WR), on send_cq/recv_cq. `attr` gives the requested
 * sizes and create flags and receives the granted ones. QP events call
 * event_fn(owner, event) in atomic context (may be hard IRQ); it may be
 * NULL. Context: process; may sleep.
 */
int kapi_ud_qp_create(struct kapi_pd *pd, struct kapi_cq *send_cq, struct kapi_cq *recv_cq,
		      struct kapi_ud_qp_init *attr, kapi_qp_event_fn event_fn, void *owner,
		      struct kapi_qp **out);
/* ib_destroy_qp(). Returns its errno (the QP is freed anyway when it is 0). NULL is a no-op. Context: process. */
int kapi_qp_destroy(struct kapi_qp *qp);
/* The 24-bit QP number. Context: any. */
kapi_u32 kapi_qp_num(const struct kapi_qp *qp);

/*
 * RESET -> INIT -> RTR -> RTS as ipoib_init_qp(): INIT with
 * QKEY|PORT|PKEY_INDEX, RTR with QKEY|PKEY_INDEX, RTS with QKEY|SQ_PSN.
 * If a step fails the QP is moved back to RESET and the step that failed
 * is written to *failed_state (if not NULL) for the caller's log.
 * Context: process; may sleep.
 */
int kapi_ud_qp_init_to_rts(struct kapi_qp *qp, kapi_u16 pkey_index, kapi_u32 port, kapi_u32 qkey,
			   kapi_u32 sq_psn, enum kapi_qp_state *failed_state);
/* ib_modify_qp(IB_QP_QKEY) alone, in the current state (RTS). Context: process. */
int kapi_qp_set_qkey(struct kapi_qp *qp, kapi_u32 qkey);
/*
 * ib_modify_qp(IB_QP_STATE) alone: to ERR (flushes every WR with
 * WR_FLUSH_ERR), to RESET, or SQE -> RTS. Context: process; may sleep.
 */
int kapi_qp_modify_state(struct kapi_qp *qp, enum kapi_qp_state state);
/* ib_query_qp(IB_QP_STATE). Context: process. */
int kapi_qp_query_state(struct kapi_qp *qp, enum kapi_qp_state *state);

/*
 * One receive WR with one SGE {addr, len, pd->local_dma_lkey}.
 * Context: any (atomic). Serialise posts to one QP yourself.
 */
int kapi_ud_post_recv(struct kapi_qp *qp, kapi_u64 wr_id, kapi_u64 addr, kapi_u32 len);
/* ---- skb datapath: one call per packet step (map + post, unmap + release) ---- */

/*
 * Detaches skb from its socket and route (skb_orphan, skb_dst_drop: the
 * in-tree xmit does both before posting), maps its linear part and page
 * fragments for DMA and posts them as one
 * UD send (IB_WR_SEND, or IB_WR_LSO when mss > 0 with the first hlen
 * bytes of the linear part as the replicated header, which are then not
 * part of the gather list). map receives the DMA addresses.
 * max_sge is the QP's granted max_send_sge. With ah NULL the QP is
 * connected (RC, kapi/cm.h): remote_qpn and remote_qkey are ignored,
 * and LSO is not available (mss must be 0).
 * Returns: 0; -EINVAL for bad arguments (nothing done); -E2BIG if the
 *   skb needs more than max_sge segments (nothing mapped: linearize and
 *   retry); -EIO if mapping failed; the provider's errno if the post
 *   failed (everything unmapped again). On any error the skb is still
 *   the caller's.
 * Context: any (ndo_start_xmit). Serialise posts yourself.
 */
int kapi_ud_send_skb(struct kapi_qp *qp, struct kapi_skb *skb, kapi_u64 wr_id, struct kapi_ah *ah,
		     kapi_u32 remote_qpn, kapi_u32 remote_qkey, kapi_u32 flags, int max_sge, int hlen,
		     int mss, struct kapi_tx_map *map);
/*
 * A send completed (or was flushed): unmaps what kapi_ud_send_skb()
 * mapped, then napi_consume_skb(skb, budget) if sent, else
 * dev_kfree_skb_any(skb) (a drop). budget 0 = not in NAPI. Context: any.
 */
void kapi_ud_tx_release(struct kapi_qp *qp, struct kapi_skb *skb, const struct kapi_tx_map *map, int hlen,
			int budget, int sent);
/*
 * Allocates a receive skb for dev (len bytes after 20 bytes of headroom,
 * GFP_ATOMIC), maps it from the device and posts it with wr_id. On
 * success slot describes it; on failure nothing is left allocated or
 * mapped and slot->skb is NULL. Returns 0, -ENOMEM, -EIO or the post's
 * errno. Context: any.
 */
int kapi_ud_rx_refill(struct kapi_qp *qp, struct kapi_netdev *dev, kapi_u64 wr_id, kapi_u32 len,
		      struct kapi_rx_slot *slot);
/*
 * Copybreak: a small receive (byte_len bytes, GRH area included) copied
 * out of slot's buffer into a new skb laid out as slot's (the bytes at
 * *data, INFINIBAND_ALEN of headroom, nothing put yet); slot's buffer
 * stays mapped and is handed back to the HCA's ownership, for the caller
 * to re-post. -EINVAL if byte_len exceeds the buffer (len), -ENOMEM.
 * Context: NAPI poll.
 */
int kapi_ud_rx_copy(struct kapi_qp *qp, struct kapi_netdev *dev, const struct kapi_rx_slot *slot, kapi_u32 len,
		    kapi_u32 byte_len, struct kapi_skb **out, void **data);
/* The HCA wrote into slot: unmap it so the CPU may read slot->data. Context: any. */
void kapi_ud_rx_unmap(struct kapi_qp *qp, const struct kapi_rx_slot *slot, kapi_u32 len);
/* Teardown of a slot still posted or filled: unmap and free; slot->skb becomes NULL. Context: any. */
void kapi_ud_rx_release(struct kapi_qp *qp, struct kapi_rx_slot *slot, kapi_u32 len);

/* ---- Multicast attach ---- */

/* ib_attach_mcast()/ib_detach_mcast(): mgid network order, mlid host order. Context: process. */
int kapi_qp_attach_mcast(struct kapi_qp *qp, const kapi_u8 mgid[16], kapi_u16 mlid);
int kapi_qp_detach_mcast(struct kapi_qp *qp, const kapi_u8 mgid[16], kapi_u16 mlid);

/* ---- Address handles ---- */

/*
 * An AH for a resolved path: ib_init_ah_attr_from_path() (GRH only when
 * the path's hop_limit > 0) then rdma_create_ah(). `sleepable` selects
 * RDMA_CREATE_AH_SLEEPABLE: pass 0 from atomic context.
 * Context: process if sleepable, else any.
 */
int kapi_ah_create_from_path(struct kapi_pd *pd, kapi_u32 port, const struct kapi_path *path,
			     int sleepable, struct kapi_ah **out);
/*
 * An AH for a multicast group (ipoib_mcast_join_finish): DLID = mlid,
 * GRH with DGID = mgid, flow label, hop limit and traffic class, plus SL
 * and static rate (enum ib_rate) from the MCMemberRecord.
 * Context: process if sleepable, else any.
 */
int kapi_ah_create_mcast(struct kapi_pd *pd, kapi_u32 port, kapi_u16 mlid, const kapi_u8 mgid[16],
			 kapi_u32 flow_label, kapi_u8 hop_limit, kapi_u8 tclass, kapi_u8 sl, kapi_u8 rate,
			 int sleepable, struct kapi_ah **out);
/*
 * rdma_destroy_ah(ah, sleepable ? RDMA_DESTROY_AH_SLEEPABLE : 0). The
 * caller guarantees no posted send still uses it (IPoIB's AH reaper).
 * NULL is a no-op. Context: process if sleepable, else any.
 */
void kapi_ah_destroy(struct kapi_ah *ah, int sleepable);

KAPI_END_DECLS
#endif
