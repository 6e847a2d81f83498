/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/params.h - module parameter rules (pure: no kapi calls, unit-tested).
 *
 * Queue sizes follow the in-tree driver: rounded up to a power of two,
 * then clamped. Unlike the in-tree driver, a value that had to change is
 * reported (the caller logs it), and zero or negative values clamp to the
 * minimum instead of wrapping to the maximum.
 */
#ifndef IPOIB_PARAMS_H
#define IPOIB_PARAMS_H

#include "kern/base.h"

namespace ipoib {

using kern::s32;
using kern::u32;

inline constexpr u32 kMaxQueueSize = 8192;
inline constexpr u32 kMinQueueSize = 2;
/* The send queue must hold at least two polls' worth of completions. */
inline constexpr u32 kMaxSendCqe = 64;
inline constexpr u32 kMinSendQueueSize = 2 * kMaxSendCqe;

struct QueueSize {
	u32 value;
	bool adjusted; /* differs from what was asked for */
};

constexpr u32 round_up_pow2(u32 v)
{
	u32 p = 1;
	while (p < v && p < (1u << 31))
		p <<= 1;
	return p;
}

constexpr QueueSize clamp_queue_size(s32 requested, u32 min, u32 max)
{
	u32 v = 0;
	if (requested <= 0)
		v = min;
	else if (static_cast<u32>(requested) >= max)
		v = max;
	else
		v = round_up_pow2(static_cast<u32>(requested));
	if (v < min)
		v = min;
	if (v > max)
		v = max;
	return QueueSize{v, requested < 0 || static_cast<u32>(requested) != v};
}

constexpr QueueSize clamp_send_queue_size(s32 requested)
{
	return clamp_queue_size(requested, kMinSendQueueSize, kMaxQueueSize);
}

constexpr QueueSize clamp_recv_queue_size(s32 requested)
{
	return clamp_queue_size(requested, kMinQueueSize, kMaxQueueSize);
}

} // namespace ipoib

#endif /* IPOIB_PARAMS_H */
