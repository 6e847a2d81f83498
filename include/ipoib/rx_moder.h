/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/rx_moder.h - the pure parts of receive moderation (no kapi
 * calls, unit-tested): what ethtool -C does with the static values and
 * the adaptive switch, and the idle rule that sends adaptive moderation
 * back to rest (no moderation). The driver side is ipoib/driver/rx_moder.h.
 */
#ifndef IPOIB_RX_MODER_H
#define IPOIB_RX_MODER_H

#include "ipoib/ethtool.h"
#include "kern/base.h"

namespace ipoib::rx_moder {

using kern::u16;
using kern::u32;
using kern::u64;
using kern::u8;

/*
 * Adaptive moderation at rest (just switched on, interface just up, or
 * idle): no moderation at all, so a lone packet raises its interrupt at
 * once, while net_dim measures from its lowest RX profile and climbs
 * from there when traffic comes. Even its lowest profile (2 us / 256)
 * arms a timer per interrupt, which a lone packet pays for.
 */
inline constexpr u32 kRestProfile = 0;
inline constexpr u16 kRestUsecs = 0;
inline constexpr u16 kRestFrames = 0;

/*
 * The idle check's period while the CQ is moderated: a quiet period this
 * long (far above any profile's 64 us at most) sends it back to rest.
 */
inline constexpr u32 kIdleCheckMs = 10;

/* What an accepted ethtool -C does to the receive CQ. */
enum class Action : u8 {
	ApplyStatic,  /* adaptive off: rx-usecs/rx-frames go to the CQ (also when it was on) */
	StartAdaptive, /* off -> on: DIM takes over from its rest profile */
	StoreOnly,    /* on -> on: the static values are kept for when it goes off */
};

constexpr Action coalesce_action(bool adaptive_now, bool adaptive_req)
{
	if (!adaptive_req)
		return Action::ApplyStatic;
	return adaptive_now ? Action::StoreOnly : Action::StartAdaptive;
}

/*
 * Idle detection from successive receive interrupts. DIM only moves on
 * measured rates and never sees an idle CQ (no interrupts, no samples),
 * so after a burst it would stay at a high profile and hold back the next
 * lone packet by up to the profile's period: at idle the driver goes
 * back to rest instead. An interrupt is a sparse one when its packets
 * came on average kGapUs or more apart since the previous interrupt:
 * far longer than any profile's period (64 us at most), so moderation
 * merged nothing there and only added latency. (A long gap alone is not
 * enough: a late moderation timer makes long gaps full of packets.)
 * kStreak sparse interrupts in a row count as idle; one alone may be a
 * scheduling hiccup in the middle of a flood.
 */
class IdleGap {
public:
	static constexpr u64 kGapUs = 2000;
	static constexpr u8 kStreak = 2;

	/* Forget the history (the interface restarted). */
	void reset() noexcept
	{
		m_primed = false;
		m_streak = 0;
	}
	/*
	 * One interrupt at now_us (monotonic), `packets` the cumulative count
	 * received. True when the last kStreak interrupts were sparse.
	 */
	bool on_event(u64 now_us, u64 packets) noexcept
	{
		u64 n = packets - m_last_packets;
		if (n == 0)
			n = 1;
		const u64 gap = now_us - m_last_us;
		/* gap / n >= kGapUs, without the division (and without overflow for absurd n). */
		const bool sparse = m_primed && n <= gap / kGapUs;
		m_primed = true;
		m_last_us = now_us;
		m_last_packets = packets;
		if (!sparse) {
			m_streak = 0;
			return false;
		}
		if (m_streak < kStreak)
			m_streak++;
		return m_streak >= kStreak;
	}

private:
	u64 m_last_us = 0;
	u64 m_last_packets = 0;
	u8 m_streak = 0;
	bool m_primed = false;
};

/* The moderation in effect, packed for one atomic word: usecs high, frames low. */
constexpr u32 pack(u16 usecs, u16 frames)
{
	return static_cast<u32>(usecs) << 16 | frames;
}
constexpr ethtool::Coalesce unpack(u32 v)
{
	return ethtool::Coalesce{v >> 16, v & 0xffffu};
}

} // namespace ipoib::rx_moder

#endif /* IPOIB_RX_MODER_H */
