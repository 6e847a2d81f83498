/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/rx_moder.h - the pure parts of receive moderation (no kapi
 * calls, unit-tested): what ethtool -C does with the static values and
 * the adaptive switch, and the idle rule that sends adaptive moderation
 * back to its lowest profile. The driver side is ipoib/driver/rx_moder.h.
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
 * The profile adaptive moderation starts from and rests at when idle:
 * net_dim's lowest RX profile (2 us / 256 completions in CQE mode), as
 * close to no moderation as DIM goes.
 */
inline constexpr u32 kRestProfile = 0;

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
 * Idle detection from the times of successive receive interrupts. DIM
 * only moves on measured rates and never sees an idle CQ (no interrupts,
 * no samples), so after a burst it would stay at a high profile and hold
 * back the next lone packet by up to the profile's period. A gap of
 * kGapUs between interrupts is far longer than any profile's period
 * (64 us at most): moderation merged nothing across it and only adds
 * latency. kStreak such gaps in a row count as idle; one alone may be a
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
	/* One interrupt at now_us (monotonic). True when the last kStreak gaps were all idle ones. */
	bool on_event(u64 now_us) noexcept
	{
		const bool gap = m_primed && now_us - m_last_us >= kGapUs;
		m_primed = true;
		m_last_us = now_us;
		if (!gap) {
			m_streak = 0;
			return false;
		}
		if (m_streak < kStreak)
			m_streak++;
		return m_streak >= kStreak;
	}

private:
	u64 m_last_us = 0;
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
