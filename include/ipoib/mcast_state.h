/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/mcast_state.h - the join state of one multicast group, and the
 * join backoff. Pure: no kernel calls; unit-tested in userspace.
 *
 * The in-tree driver keeps this as flag bits (BUSY, ATTACHED, ...) plus
 * a delay timestamp; here it is one enum with a total transition
 * function, so an impossible edge is an -EINVAL the caller logs instead
 * of a silently inconsistent flag set.
 *
 *   Idle --Start--> Joining --Reported--> Reported --Attached--> Attached
 *                     |                      |
 *                StartFailed               Failed
 *                     v                      v
 *   BackingOff <------+----------------------+
 *   BackingOff --Start--> Joining        (once the backoff has expired)
 *   any --Reset--> Idle                  (group left, or rejoined after a flush)
 */
#ifndef IPOIB_MCAST_STATE_H
#define IPOIB_MCAST_STATE_H

#include "kern/base.h"
#include "kern/result.h"

namespace ipoib {

using kern::u32;
using kern::u8;

enum class JoinState : u8 {
	Idle,       /* no join yet: the task starts one */
	Joining,    /* an SA join is in flight; its callback reports */
	Reported,   /* the callback ran; the task finishes (attach, AH) or fails it */
	Attached,   /* joined, QP attached (full member), AH made: usable */
	BackingOff, /* a join failed; retried when the backoff expires */
};

enum class JoinEvent : u8 { Start, StartFailed, Reported, Attached, Failed, Reset };

/* The next state, or -EINVAL for an edge the machine does not have. */
inline kern::Result<JoinState> join_next(JoinState s, JoinEvent e) noexcept
{
	switch (e) {
	case JoinEvent::Reset:
		return JoinState::Idle;
	case JoinEvent::Start:
		if (s == JoinState::Idle || s == JoinState::BackingOff)
			return JoinState::Joining;
		break;
	case JoinEvent::StartFailed:
		if (s == JoinState::Joining)
			return JoinState::BackingOff;
		break;
	case JoinEvent::Reported:
		if (s == JoinState::Joining)
			return JoinState::Reported;
		break;
	case JoinEvent::Attached:
		if (s == JoinState::Reported)
			return JoinState::Attached;
		break;
	case JoinEvent::Failed:
		if (s == JoinState::Reported)
			return JoinState::BackingOff;
		break;
	}
	return kern::Error(-kern::err::EINVAL);
}

/* The join task has something to do for a group in state s. */
constexpr bool join_needs_step(JoinState s, bool backoff_expired) noexcept
{
	return s == JoinState::Idle || s == JoinState::Reported || (s == JoinState::BackingOff && backoff_expired);
}

/* A packet for a group in state s should wake the join task (nothing is in flight). */
constexpr bool join_wants_kick(JoinState s) noexcept
{
	return s == JoinState::Idle || s == JoinState::BackingOff;
}

constexpr const char *join_state_name(JoinState s) noexcept
{
	switch (s) {
	case JoinState::Idle:
		return "idle";
	case JoinState::Joining:
		return "joining";
	case JoinState::Reported:
		return "reported";
	case JoinState::Attached:
		return "attached";
	case JoinState::BackingOff:
		return "backing-off";
	}
	return "?";
}

/* Multicast join backoff: 1 s, doubling per failure, capped at 16 s (in-tree). */
inline constexpr u32 kMcastMaxBackoffSec = 16;
constexpr u32 mcast_next_backoff(u32 cur_sec) noexcept
{
	if (cur_sec == 0)
		return 1;
	return cur_sec >= kMcastMaxBackoffSec / 2 ? kMcastMaxBackoffSec : cur_sec * 2;
}

} // namespace ipoib

#endif /* IPOIB_MCAST_STATE_H */
