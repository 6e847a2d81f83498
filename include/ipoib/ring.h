/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/ring.h - ring accounting and retry policy (pure: no kapi calls).
 *
 * The TX ring is indexed by free-running u32 counters (head: posts, tail:
 * completions), so every comparison must survive wraparound: differences
 * are taken modulo 2^32 and never compared as absolute values.
 */
#ifndef IPOIB_RING_H
#define IPOIB_RING_H

#include "kern/base.h"

namespace ipoib {

using kern::u32;

/* Sends posted and not yet completed. */
constexpr u32 tx_outstanding(u32 head, u32 tail) noexcept { return head - tail; }

/* Stop the queue once sendq - 1 sends are outstanding (in-tree), so one slot always stays free. */
constexpr bool tx_should_stop(u32 head, u32 tail, u32 size) noexcept
{
	return tx_outstanding(head, tail) >= size - 1;
}

/* Wake it at half the ring: a completion burst then refills without thrashing the qdisc. */
constexpr bool tx_should_wake(u32 head, u32 tail, u32 size) noexcept
{
	return tx_outstanding(head, tail) <= (size >> 1);
}

/* No free slot at all (a post now would overwrite an outstanding one). */
constexpr bool tx_ring_full(u32 head, u32 tail, u32 size) noexcept { return tx_outstanding(head, tail) >= size; }

/*
 * A dead address handle may be destroyed once the send that last used it
 * (posted as ring counter last_send) has completed, i.e. the tail moved
 * past it. The signed difference makes it wrap-safe for distances below
 * 2^31, far more than any ring holds.
 */
constexpr bool ah_reapable(u32 tail, u32 last_send) noexcept
{
	return static_cast<kern::s32>(tail - last_send) > 0;
}

} // namespace ipoib

#endif /* IPOIB_RING_H */
