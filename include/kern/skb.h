/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/skb.h - socket buffers from C++: a borrowed Skb handle and an
 * owning SkbQueue.
 *
 * An Skb is a plain pointer wrapper, copied by value like the kernel's
 * struct sk_buff *: who owns the buffer is a matter of the call protocol
 * (ndo_start_xmit hands it to the driver, a free/consume/xmit call gives
 * it back), exactly as in C. Making it an owning type would put a
 * destructor on every hot-path frame and still not catch the hand-offs
 * that matter (posting to the HCA keeps the skb alive in a ring slot).
 *
 * The calls are coarse (one per packet step); see kapi/skb.h for the
 * buffer layout they assume. Operations that combine an skb with a
 * netdev or NAPI context (RX allocation, delivery, re-xmit) live on
 * NetDev and Napi in kern/netdev.h.
 */
#ifndef KERN_SKB_H
#define KERN_SKB_H

#include "kapi/skb.h"
#include "kern/base.h"
#include "kern/result.h"
#include "kern/span.h"

namespace kern {

inline constexpr usize kSkbGrhLen = KAPI_SKB_GRH_LEN;
inline constexpr usize kSkbEncapLen = KAPI_SKB_ENCAP_LEN;
inline constexpr usize kSkbPseudoLen = KAPI_SKB_PSEUDO_LEN;
inline constexpr usize kSkbHardLen = KAPI_SKB_HARD_LEN;

/* How a received packet was addressed (skb->pkt_type). */
enum class PacketType : u8 {
	Host = KAPI_PACKET_HOST,
	Broadcast = KAPI_PACKET_BROADCAST,
	Multicast = KAPI_PACKET_MULTICAST,
};

/* A borrowed sk_buff pointer. Null only when default-constructed or from an empty dequeue. */
class Skb {
public:
	constexpr Skb() noexcept : m_skb(nullptr) {}
	constexpr explicit Skb(struct kapi_skb *skb) noexcept : m_skb(skb) {}

	explicit operator bool() const noexcept { return m_skb != nullptr; }

	/* skb->len. Context: any. */
	u32 len() const noexcept { return kapi_skb_len(m_skb); }

	/* The linear part, for parsing headers (ARP, IP). Context: any. */
	ByteSpan linear() const noexcept
	{
		u32 headlen = 0;
		const void *data = kapi_skb_data(m_skb, &headlen);
		return ByteSpan(static_cast<const u8 *>(data), headlen);
	}

	/*
	 * At ndo_start_xmit: copies the 24-byte hard header out (for the
	 * caller to parse) and pulls the 20-byte destination off the front.
	 * -EINVAL for a runt; the skb is untouched then.
	 */
	Status tx_pull_header(u8 (&hdr)[kSkbHardLen]) noexcept
	{
		return from_errno(kapi_skb_tx_pull_hdr(m_skb, hdr));
	}

	/* Puts the destination back before parking the skb for a later re-xmit. */
	Status push_pseudo_header(const u8 (&daddr)[kSkbPseudoLen]) noexcept
	{
		return from_errno(kapi_skb_push_pseudo_hdr(m_skb, daddr));
	}

	/* Context: any (atomic allocation). */
	Status linearize() noexcept { return from_errno(kapi_skb_linearize(m_skb)); }
	/* CHECKSUM_PARTIAL: true, with the checksum's start (from data) and field offset (from start). */
	bool csum_partial(u32 &start, u32 &off) const noexcept { return kapi_skb_csum_partial(m_skb, &start, &off) != 0; }
	/* The pending checksum done in software. Context: any. */
	Status checksum_help() noexcept { return from_errno(kapi_skb_checksum_help(m_skb)); }
	/* The encap header (at data) gets this reserved field. Context: any. */
	Status set_encap_reserved(u16 v) noexcept { return from_errno(kapi_skb_set_encap_reserved(m_skb, v)); }

	/* Release, by what happened to the packet. Each ends the driver's ownership. */
	void drop() noexcept { kapi_skb_free_any(m_skb); }              /* any context */
	void consume() noexcept { kapi_skb_consume_any(m_skb); }        /* sent; any context */
	void napi_consume(int budget) noexcept { kapi_skb_napi_consume(m_skb, budget); }
	void free() noexcept { kapi_skb_free(m_skb); }                  /* not hard IRQ */

	struct kapi_skb *raw() const noexcept { return m_skb; }

private:
	struct kapi_skb *m_skb;
};

/*
 * An owned FIFO of skbs (the path and neighbour queues). Not locked: the
 * owner guards every call with its own lock, as with priv->lock in-tree.
 * The destructor drops whatever is left, so a queue never leaks.
 * NonMovable: the sk_buff_head links point at itself.
 */
class SkbQueue : NonMovable {
public:
	SkbQueue() noexcept { kapi_skb_queue_init(&m_q); }
	~SkbQueue() { purge(); }

	void push_back(Skb skb) noexcept { kapi_skb_queue_tail(&m_q, skb.raw()); }
	void push_front(Skb skb) noexcept { kapi_skb_queue_head(&m_q, skb.raw()); }
	/* A null Skb when empty; otherwise the caller owns the result. */
	Skb pop_front() noexcept { return Skb(kapi_skb_dequeue(&m_q)); }
	u32 size() const noexcept { return kapi_skb_queue_len(&m_q); }
	bool empty() const noexcept { return size() == 0; }
	/* Moves everything to the tail of to (e.g. out from under a lock). */
	void splice_into(SkbQueue &to) noexcept { kapi_skb_queue_splice_tail_init(&m_q, &to.m_q); }
	/* Drops every skb; returns how many (for tx_dropped). */
	u32 purge() noexcept { return kapi_skb_queue_purge(&m_q); }

private:
	struct kapi_skb_queue m_q;
};

} // namespace kern

#endif /* KERN_SKB_H */
