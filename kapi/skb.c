// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sk_buff shims for the IPoIB datapath: one call per packet step (RX
 * allocation, UD and connected-mode delivery, TX header pull, SG layout),
 * release helpers, and sk_buff_head storage embedded in C++ objects. See
 * include/kapi/skb.h for the buffer layout.
 */
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/if_infiniband.h>
#include <linux/if_packet.h>
#include <linux/tcp.h>
#include <linux/string.h>
#include <rdma/ib_pack.h>

#include "kapi/cm.h"
#include "kapi/netdev.h"
#include "kapi/skb.h"

static_assert(KAPI_SKB_GRH_LEN == IB_GRH_BYTES);
static_assert(KAPI_SKB_PSEUDO_LEN == INFINIBAND_ALEN);
static_assert(KAPI_SKB_HARD_LEN == KAPI_SKB_PSEUDO_LEN + KAPI_SKB_ENCAP_LEN);
static_assert(KAPI_SKB_HARD_LEN == KAPI_NETDEV_HARD_HEADER_LEN);
static_assert((int)KAPI_PACKET_HOST == PACKET_HOST);
static_assert((int)KAPI_PACKET_BROADCAST == PACKET_BROADCAST);
static_assert((int)KAPI_PACKET_MULTICAST == PACKET_MULTICAST);
static_assert(sizeof(struct sk_buff_head) <= KAPI_SKB_QUEUE_BYTES);
static_assert(__alignof__(struct sk_buff_head) <= 8);
static_assert(sizeof(kapi_size) == sizeof(size_t));

/* The RFC 4391 encapsulation header. */
struct kapi_skb_encap {
	__be16 proto;
	u16 reserved;
};
static_assert(sizeof(struct kapi_skb_encap) == KAPI_SKB_ENCAP_LEN);

#define SKB(s) ((struct sk_buff *)(s))
#define CSKB(s) ((const struct sk_buff *)(s))
#define KSKB(s) ((struct kapi_skb *)(s))
#define NAPI(n) ((struct napi_struct *)(n)->opaque)
#define Q(q) ((struct sk_buff_head *)(q)->opaque)
#define CQ(q) ((const struct sk_buff_head *)(q)->opaque)

/* ---- Receive -------------------------------------------------------- */

/*
 * What UD and connected-mode delivery share, from skb->data at the encap
 * header on: the in-tree skb_add_pseudo_hdr() and the hand-off to GRO.
 */
static __always_inline int kapi_skb_rx_finish(struct napi_struct *napi, struct sk_buff *skb,
					      enum kapi_pkt_type type, unsigned int flags, u32 start, u32 off)
{
	unsigned int len;
	u8 *phdr;

	skb->protocol = ((const struct kapi_skb_encap *)skb->data)->proto;

	/* skb_add_pseudo_hdr(): a zeroed 20-byte "mac header" before the encap header. */
	phdr = skb_push(skb, INFINIBAND_ALEN);
	memset(phdr, 0, INFINIBAND_ALEN);
	skb_reset_mac_header(skb);
	skb_pull(skb, KAPI_SKB_HARD_LEN);

	skb->pkt_type = type;
	skb->dev = napi->dev;
	if (flags & KAPI_SKB_RX_CSUM_OK)
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	/* From the IP header (skb->data now); the field must be in the linear part. */
	if ((flags & KAPI_SKB_RX_CSUM_PARTIAL) && unlikely(!skb_partial_csum_set(skb, start, off))) {
		dev_kfree_skb_any(skb);
		return -EINVAL;
	}

	len = skb->len;
	napi_gro_receive(napi, skb);
	return len;
}

int kapi_skb_rx_deliver(struct kapi_napi *kn, struct kapi_skb *kskb, u32 byte_len,
			enum kapi_pkt_type type, unsigned int flags)
{
	struct sk_buff *skb = SKB(kskb);

	if (unlikely(byte_len < IB_GRH_BYTES + KAPI_SKB_ENCAP_LEN ||
		     byte_len > skb_tailroom(skb))) {
		dev_kfree_skb_any(skb);
		return -EINVAL;
	}

	skb_put(skb, byte_len);
	skb_pull(skb, IB_GRH_BYTES);
	return kapi_skb_rx_finish(NAPI(kn), skb, type, flags & KAPI_SKB_RX_CSUM_OK, 0, 0);
}

int kapi_skb_rx_deliver_cm(struct kapi_napi *kn, struct kapi_skb *kskb, unsigned int flags, u32 start, u32 off)
{
	struct sk_buff *skb = SKB(kskb);

	/* The headroom test keeps a caller's wrong buffer from skb_under_panic(). */
	if (unlikely(skb_headlen(skb) < KAPI_SKB_ENCAP_LEN || skb_headroom(skb) < INFINIBAND_ALEN)) {
		dev_kfree_skb_any(skb);
		return -EINVAL;
	}
	return kapi_skb_rx_finish(NAPI(kn), skb, KAPI_PACKET_HOST, flags & KAPI_SKB_RX_CSUM_PARTIAL, start, off);
}

/* ---- Transmit ------------------------------------------------------- */

int kapi_skb_tx_pull_hdr(struct kapi_skb *kskb, u8 hdr[KAPI_SKB_HARD_LEN])
{
	struct sk_buff *skb = SKB(kskb);

	if (unlikely(skb_headlen(skb) < KAPI_SKB_HARD_LEN))
		return -EINVAL;
	memcpy(hdr, skb->data, KAPI_SKB_HARD_LEN);
	skb_pull(skb, INFINIBAND_ALEN);
	return 0;
}

int kapi_skb_push_pseudo_hdr(struct kapi_skb *kskb, const u8 daddr[KAPI_SKB_PSEUDO_LEN])
{
	struct sk_buff *skb = SKB(kskb);

	if (unlikely(skb_headroom(skb) < INFINIBAND_ALEN))
		return -ENOSPC;
	memcpy(skb_push(skb, INFINIBAND_ALEN), daddr, INFINIBAND_ALEN);
	return 0;
}

int kapi_skb_linearize(struct kapi_skb *kskb)
{
	return skb_linearize(SKB(kskb));
}

int kapi_skb_csum_partial(const struct kapi_skb *kskb, u32 *start, u32 *off)
{
	const struct sk_buff *skb = CSKB(kskb);

	if (skb->ip_summed != CHECKSUM_PARTIAL)
		return 0;
	*start = skb_checksum_start_offset(skb);
	*off = skb->csum_offset;
	return 1;
}

int kapi_skb_checksum_help(struct kapi_skb *kskb)
{
	return skb_checksum_help(SKB(kskb));
}

int kapi_skb_set_encap_reserved(struct kapi_skb *kskb, u16 reserved)
{
	struct sk_buff *skb = SKB(kskb);
	__be16 v = cpu_to_be16(reserved);

	if (unlikely(skb_headlen(skb) < KAPI_SKB_ENCAP_LEN))
		return -EINVAL;
	if (unlikely(skb_cow_head(skb, 0)))
		return -ENOMEM;
	memcpy(skb->data + 2, &v, sizeof(v));
	return 0;
}

int kapi_skb_xmit(struct kapi_netdev *dev, struct kapi_skb *kskb)
{
	struct sk_buff *skb = SKB(kskb);

	skb->dev = (struct net_device *)dev;
	return dev_queue_xmit(skb);
}

/* ---- Access and release --------------------------------------------- */

u32 kapi_skb_len(const struct kapi_skb *kskb)
{
	return CSKB(kskb)->len;
}

void *kapi_skb_data(struct kapi_skb *kskb, u32 *headlen)
{
	*headlen = skb_headlen(SKB(kskb));
	return SKB(kskb)->data;
}

void kapi_skb_free_any(struct kapi_skb *kskb)
{
	dev_kfree_skb_any(SKB(kskb));
}

void kapi_skb_consume_any(struct kapi_skb *kskb)
{
	dev_consume_skb_any(SKB(kskb));
}

void kapi_skb_napi_consume(struct kapi_skb *kskb, int budget)
{
	napi_consume_skb(SKB(kskb), budget);
}

void kapi_skb_free(struct kapi_skb *kskb)
{
	kfree_skb(SKB(kskb));
}

/* ---- Queues --------------------------------------------------------- */

void kapi_skb_queue_init(struct kapi_skb_queue *q)
{
	/* Unlocked list only: the owner's lock serialises (see the header). */
	__skb_queue_head_init(Q(q));
}

void kapi_skb_queue_tail(struct kapi_skb_queue *q, struct kapi_skb *kskb)
{
	__skb_queue_tail(Q(q), SKB(kskb));
}

void kapi_skb_queue_head(struct kapi_skb_queue *q, struct kapi_skb *kskb)
{
	__skb_queue_head(Q(q), SKB(kskb));
}

struct kapi_skb *kapi_skb_dequeue(struct kapi_skb_queue *q)
{
	return KSKB(__skb_dequeue(Q(q)));
}

u32 kapi_skb_queue_len(const struct kapi_skb_queue *q)
{
	return skb_queue_len(CQ(q));
}

void kapi_skb_queue_splice_tail_init(struct kapi_skb_queue *from, struct kapi_skb_queue *to)
{
	skb_queue_splice_tail_init(Q(from), Q(to));
}

u32 kapi_skb_queue_purge(struct kapi_skb_queue *q)
{
	struct sk_buff *skb;
	u32 n = 0;

	while ((skb = __skb_dequeue(Q(q))) != NULL) {
		dev_kfree_skb_any(skb);
		n++;
	}
	return n;
}
