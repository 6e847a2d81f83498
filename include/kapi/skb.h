/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kapi/skb.h - socket buffers on the IPoIB datapath, and skb queues.
 *
 * Design notes
 *
 * Coarse on purpose. Every glue call is an out-of-line call, so the hot
 * paths take one call per packet step, never one per field:
 *
 *   RX (UD): kapi_ud_rx_refill()        allocate + map + post (kapi/verbs.h)
 *            kapi_ud_rx_unmap()         the HCA filled it; C++ reads the GRH
 *            kapi_skb_rx_deliver()      put, strip GRH/encap, set fields, GRO
 *   TX:      kapi_skb_tx_pull_hdr()     hard header copied out, pseudo header off
 *            kapi_ud_send_skb()         detach, map head + frags, post (kapi/verbs.h)
 *            kapi_ud_tx_release()       unmap + consume on completion
 *
 * Layout (6.1 in-tree, ipoib-behaviour b7). A UD receive buffer starts
 * with the 40-byte GRH slot, then the 4-byte encapsulation header, then
 * the payload. Delivery pulls the GRH, takes skb->protocol from the encap
 * header, pushes a zeroed 20-byte pseudo hardware header, resets the mac
 * header there and pulls 24: the stack sees mac_header -> [0 x 20 | encap]
 * and data -> payload. On transmit, skb->data holds the 20-byte
 * destination then the encap header (pushed by header_ops.create).
 *
 * DMA. Mapping is done by the verbs glue in the same call that posts
 * (kapi_ud_send_skb, kapi_ud_rx_refill), through ib_dma_* so that it is
 * real DMA on hardware and the identity on virt-DMA software HCAs.
 *
 * Queues. struct kapi_skb_queue embeds a struct sk_buff_head by value.
 * The glue uses the unlocked __skb_* helpers: the C++ owner serialises
 * with its own lock (as the in-tree driver does with priv->lock), and the
 * sk_buff_head's internal spinlock is never initialised or taken.
 */
#ifndef KAPI_SKB_H
#define KAPI_SKB_H
#include "types.h"

struct kapi_skb;    /* struct sk_buff */
struct kapi_netdev; /* struct net_device */
struct kapi_napi;   /* see kapi/netdev.h */

#define KAPI_SKB_GRH_LEN 40    /* IB_GRH_BYTES */
#define KAPI_SKB_ENCAP_LEN 4   /* IPOIB_ENCAP_LEN */
#define KAPI_SKB_PSEUDO_LEN 20 /* IPOIB_PSEUDO_LEN = INFINIBAND_ALEN */
#define KAPI_SKB_HARD_LEN 24   /* IPOIB_HARD_LEN */

/* skb->pkt_type for a received packet (PACKET_*). */
enum kapi_pkt_type {
	KAPI_PACKET_HOST = 0,
	KAPI_PACKET_BROADCAST = 1,
	KAPI_PACKET_MULTICAST = 2,
};

/* kapi_skb_rx_deliver() flags. */
enum kapi_skb_rx_flags {
	/* The HCA verified the IP checksum (IB_WC_IP_CSUM_OK) and the device
	 * has NETIF_F_RXCSUM: mark CHECKSUM_UNNECESSARY. */
	KAPI_SKB_RX_CSUM_OK = 1u << 0,
	/* The sender left the TCP/UDP checksum undone (our connected-mode
	 * extension): CHECKSUM_PARTIAL at the given layout. */
	KAPI_SKB_RX_CSUM_PARTIAL = 1u << 1,
};

/* sk_buff_head by value. Size checked in kapi/skb.c. */
#define KAPI_SKB_QUEUE_BYTES 96
struct kapi_skb_queue {
	unsigned char opaque[KAPI_SKB_QUEUE_BYTES] __attribute__((aligned(8)));
};

KAPI_BEGIN_DECLS

/* ---- Receive ----------------------------------------------------------- */

/*
 * Hands a completed UD receive to the stack: skb_put(byte_len), pull the
 * GRH, protocol from the encap header, zeroed pseudo header as mac
 * header, pull 24, pkt_type, dev = the NAPI's device, CHECKSUM_UNNECESSARY
 * if KAPI_SKB_RX_CSUM_OK, napi_gro_receive().
 * Context: the NAPI poll of napi (softirq).
 * Ownership: always consumes skb.
 * Returns: bytes delivered to the stack (for rx_bytes), or -EINVAL if
 *   byte_len is shorter than GRH + encap or longer than the buffer (the
 *   skb is freed; count it as an RX error).
 */
int kapi_skb_rx_deliver(struct kapi_napi *napi, struct kapi_skb *skb, kapi_u32 byte_len,
			enum kapi_pkt_type type, unsigned int flags);

/* ---- Transmit ---------------------------------------------------------- */

/*
 * At ndo_start_xmit: copies the 24-byte hard header (pseudo header and
 * encap header, as header_ops.create pushed them) into hdr for C++ to
 * parse, then pulls the pseudo header; the encap header stays in skb data
 * (it is sent). Context: any.
 * Returns: 0, or -EINVAL if the linear part is shorter than 24 bytes
 *   (a raw packet socket can send that); the skb is untouched then.
 */
int kapi_skb_tx_pull_hdr(struct kapi_skb *skb, kapi_u8 hdr[KAPI_SKB_HARD_LEN]);
/*
 * Pushes a 20-byte pseudo header back, before parking the skb on a
 * path/neighbour queue for a later kapi_skb_xmit(). Context: any.
 * Returns: 0, or -ENOSPC if there is no headroom for it.
 */
int kapi_skb_push_pseudo_hdr(struct kapi_skb *skb, const kapi_u8 daddr[KAPI_SKB_PSEUDO_LEN]);
/* skb_linearize(). Context: any (GFP_ATOMIC). Returns 0 or -ENOMEM. */
int kapi_skb_linearize(struct kapi_skb *skb);
/*
 * If skb is CHECKSUM_PARTIAL: 1, with where the checksum starts
 * (skb_checksum_start_offset(), from skb->data) in *start and where it
 * goes (csum_offset, from there) in *off. Else 0. Context: any.
 */
int kapi_skb_csum_partial(const struct kapi_skb *skb, kapi_u32 *start, kapi_u32 *off);
/* skb_checksum_help(): the checksum done in software. 0 or -errno (drop then). Context: any. */
int kapi_skb_checksum_help(struct kapi_skb *skb);
/*
 * Writes reserved (host order) into the encap header's reserved field at
 * skb->data + 2, first un-sharing a cloned header (skb_cow_head()).
 * 0, -EINVAL if the linear part is shorter than the encap header, or
 * -ENOMEM. Context: any.
 */
int kapi_skb_set_encap_reserved(struct kapi_skb *skb, kapi_u16 reserved);
/*
 * skb->dev = dev; dev_queue_xmit(skb): resend a parked skb (pseudo
 * header pushed) through the qdisc. Context: process or softirq with
 * IRQs enabled; never under a spinlock taken with irqsave, nor from the
 * xmit upcall. Ownership: always consumes skb.
 * Returns: 0 (NET_XMIT_SUCCESS), a positive NET_XMIT_* code, or -errno.
 */
int kapi_skb_xmit(struct kapi_netdev *dev, struct kapi_skb *skb);

/* ---- Access and release -------------------------------------------------- */

/* skb->len. Context: any. */
kapi_u32 kapi_skb_len(const struct kapi_skb *skb);
/* skb->data, with the linear length in *headlen. Context: any. */
void *kapi_skb_data(struct kapi_skb *skb, kapi_u32 *headlen);

/* dev_kfree_skb_any(): a drop. Context: any. */
void kapi_skb_free_any(struct kapi_skb *skb);
/* dev_consume_skb_any(): sent successfully. Context: any. */
void kapi_skb_consume_any(struct kapi_skb *skb);
/* napi_consume_skb(skb, budget): TX completion inside a NAPI poll. budget 0 = not in NAPI. */
void kapi_skb_napi_consume(struct kapi_skb *skb, int budget);
/* kfree_skb() (6.1 has no drop reasons here). Context: process or softirq, not hard IRQ. */
void kapi_skb_free(struct kapi_skb *skb);

/* ---- Queues ---------------------------------------------------------------- */

/*
 * All queue calls: Context: any. Locking: the caller serialises every
 * call on a queue (its own lock); the queue takes none.
 */
void kapi_skb_queue_init(struct kapi_skb_queue *q);
void kapi_skb_queue_tail(struct kapi_skb_queue *q, struct kapi_skb *skb);
void kapi_skb_queue_head(struct kapi_skb_queue *q, struct kapi_skb *skb);
/* Returns NULL when empty. Ownership: the skb becomes the caller's. */
struct kapi_skb *kapi_skb_dequeue(struct kapi_skb_queue *q);
kapi_u32 kapi_skb_queue_len(const struct kapi_skb_queue *q);
/* Moves every skb of from to the tail of to; from is left empty. */
void kapi_skb_queue_splice_tail_init(struct kapi_skb_queue *from, struct kapi_skb_queue *to);
/* Frees every skb with dev_kfree_skb_any(). Returns how many. */
kapi_u32 kapi_skb_queue_purge(struct kapi_skb_queue *q);

KAPI_END_DECLS
#endif /* KAPI_SKB_H */
