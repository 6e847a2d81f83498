/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/txq.h - rules for TX queues and ring sizes (pure: no kapi calls,
 * unit-tested): how many TX queues an interface gets, which CPU sends on
 * which queue, and what ethtool -G / -L accept.
 *
 * Every TX queue sends on a UD QP of its own (TSS); receive stays on the
 * one UD QP whose number is in the hardware address, so peers see one
 * address whatever the queue count. The per-queue -S names live here too.
 */
#ifndef IPOIB_TXQ_H
#define IPOIB_TXQ_H

#include "ipoib/params.h"
#include "kern/base.h"

namespace ipoib {

using kern::u16;
using kern::u32;
using kern::u8;
using kern::usize;

/* TX queues an interface can have: beyond this a queue's QP, CQ and ring cost more than they spread. */
inline constexpr u32 kMaxTxQueues = 16;
/*
 * Fewer QPs than this on the HCA and each interface keeps one TX queue:
 * children and connected-mode connections need QPs of their own.
 */
inline constexpr u32 kMinQpsForTss = 256;

/* The largest power of two <= v (v >= 1). */
constexpr u32 floor_pow2(u32 v)
{
	u32 p = 1;
	while (p <= v / 2)
		p <<= 1;
	return p;
}

/* The most TX queues an interface may use: what its net_device allocated, capped. */
constexpr u32 tx_queues_max(u32 allocated, u32 hca_max_qp)
{
	if (hca_max_qp < kMinQpsForTss || allocated <= 1)
		return 1;
	return allocated < kMaxTxQueues ? allocated : kMaxTxQueues;
}

/* The default: one per online CPU, up to the maximum. */
constexpr u32 tx_queues_default(u32 online_cpus, u32 max)
{
	const u32 n = online_cpus < max ? online_cpus : max;
	return n ? n : 1;
}

/* XPS: CPU cpu transmits on this queue (CPUs round-robin over the queues). */
constexpr u16 xps_queue(u32 cpu, u32 nqueues)
{
	return static_cast<u16>(nqueues ? cpu % nqueues : 0);
}

/*
 * Ring limits for -g/-G: the module-parameter bounds, and no more than
 * the HCA allows per QP, floored to a power of two (the rings are masked).
 */
struct RingLimits {
	u32 rx_min = kMinQueueSize;
	u32 tx_min = kMinSendQueueSize;
	u32 rx_max = kMaxQueueSize;
	u32 tx_max = kMaxQueueSize;
};

constexpr RingLimits ring_limits(u32 hca_max_qp_wr)
{
	RingLimits l;
	if (hca_max_qp_wr && hca_max_qp_wr < kMaxQueueSize) {
		l.rx_max = floor_pow2(hca_max_qp_wr);
		l.tx_max = l.rx_max;
	}
	if (l.tx_max < l.tx_min)
		l.tx_max = l.tx_min;
	if (l.rx_max < l.rx_min)
		l.rx_max = l.rx_min;
	return l;
}

enum class RingCheck : u8 { Ok, RxTooSmall, TxTooSmall, RxTooBig, TxTooBig };

/*
 * -G rx R tx T: each within [min, max], then rounded up to a power of
 * two as the module parameters are (never past max: max is one).
 */
struct RingChoice {
	RingCheck check = RingCheck::Ok;
	u32 rx = 0;
	u32 tx = 0;
};

constexpr RingChoice choose_rings(u32 rx, u32 tx, const RingLimits &l)
{
	RingChoice c;
	if (rx < l.rx_min)
		c.check = RingCheck::RxTooSmall;
	else if (tx < l.tx_min)
		c.check = RingCheck::TxTooSmall;
	else if (rx > l.rx_max)
		c.check = RingCheck::RxTooBig;
	else if (tx > l.tx_max)
		c.check = RingCheck::TxTooBig;
	if (c.check != RingCheck::Ok)
		return c;
	c.rx = round_up_pow2(rx);
	c.tx = round_up_pow2(tx);
	return c;
}

/* -L rx R tx T: one receive channel; 1..max TX queues. */
constexpr bool channels_valid(u32 rx, u32 tx, u32 max_tx)
{
	return rx == 1 && tx >= 1 && tx <= max_tx;
}

/*
 * ethtool -S after in-tree's counters: per TX queue, then the receive
 * poll's and the moderation in effect.
 */
enum class QueueStat : u8 { Packets, Bytes, Stops, Count };
inline constexpr u32 kQueueStatCount = static_cast<u32>(QueueStat::Count);
inline constexpr const char *kQueueStatSuffix[kQueueStatCount] = {"packets", "bytes", "stops"};
enum class RxStat : u8 { NapiPolls, BudgetExhausted, ModerUsecs, ModerFrames, Count };
inline constexpr u32 kRxStatCount = static_cast<u32>(RxStat::Count);
inline constexpr const char *kRxStatNames[kRxStatCount] = {
	"rx_napi_polls", "rx_budget_exhausted", "rx_cq_moder_usecs", "rx_cq_moder_frames",
};

/* "tx_queue_<q>_<suffix>" into out (len bytes, NUL-terminated); returns the length. */
inline usize queue_stat_name(char *out, usize len, u32 q, QueueStat st)
{
	const char *parts[3] = {"tx_queue_", nullptr, kQueueStatSuffix[static_cast<u32>(st)]};
	char num[12];
	usize n = 0;
	u32 v = q;
	do {
		num[n++] = static_cast<char>('0' + v % 10);
		v /= 10;
	} while (v && n < sizeof(num) - 1);
	usize o = 0;
	auto put = [&](char c) {
		if (o + 1 < len)
			out[o++] = c;
	};
	for (const char *p = parts[0]; *p; p++)
		put(*p);
	while (n)
		put(num[--n]);
	put('_');
	for (const char *p = parts[2]; *p; p++)
		put(*p);
	if (len)
		out[o] = '\0';
	return o;
}

} // namespace ipoib

#endif /* IPOIB_TXQ_H */
