/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/path_state.h - the path record state machine (pure: no kapi calls).
 *
 * A unicast destination GID needs an SA PathRecord (IBA vol 1 chapter 15) to get
 * the DLID, SL and rate that an address handle is built from. One path
 * object exists per destination GID; it is resolved at most once at a
 * time, holds up to 3 packets while that happens, and goes stale when the
 * subnet changes under it (a light flush: client reregister, GID change).
 *
 *          start_query             query_done(ok)
 *   Idle ----------------> Querying ----------------> Resolved
 *                           ^  |  ^                      |
 *               start_query |  |  | start_query          | invalidate
 *                           |  v  |                      v  (light flush)
 *                         Failed  +------------------ Invalid
 *                    (query_done(err))
 *
 *  flush (any state) -> Dead: the path is being removed; a cancelled
 *  query may still complete into Dead, and its result is discarded.
 *
 * The transition function is pure and total: every (state, event) pair
 * either gives a PathAction saying what the caller must do (with the
 * queued packets, the SA query and the AH), or -EINVAL for a pair that
 * cannot happen in a correct driver (for example a completion with no
 * query outstanding). Rejecting instead of asserting keeps a driver bug
 * from taking the machine down and lets the tests enumerate every edge.
 *
 * Differences from the in-tree driver, on purpose:
 *  - a failed query drops (and counts) the queued packets at once; the
 *    in-tree driver keeps them until the path is freed or a later query
 *    succeeds, so a retry much later could send stale ARP packets;
 *  - a failed re-query releases the stale AH instead of keeping it.
 *
 * Locking: the caller's (the device's priv lock), as for the path tree.
 */
#ifndef IPOIB_PATH_STATE_H
#define IPOIB_PATH_STATE_H

#include "ipoib/bounded_queue.h"
#include "kern/base.h"
#include "kern/result.h"

namespace ipoib {

enum class PathState : kern::u8 {
	Idle,     /* created, never queried */
	Querying, /* one SA PathRecord query outstanding */
	Resolved, /* AH valid: send directly */
	Failed,   /* last query failed; the next send retries */
	Invalid,  /* AH marked stale by a light flush; the next send re-queries */
	Dead,     /* flushed; waiting for a cancelled query, then freed */
};

enum class PathEvent : kern::u8 {
	StartQuery, /* the caller is about to issue the SA query */
	QueryOk,    /* the query completed with a record and an AH was made */
	QueryErr,   /* the query failed, timed out, was cancelled, or the AH could not be made */
	Invalidate, /* light flush: the subnet may have changed */
	Flush,      /* normal/heavy flush or device teardown: the path goes away */
};

/* What happens to the packets waiting on the path. */
enum class QueueAction : kern::u8 {
	Keep,    /* leave them queued */
	SendAll, /* resend every one (dev_queue_xmit), oldest first */
	DropAll, /* drop every one and count each in tx_dropped */
};

/* What happens to the path's address handle. */
enum class AhAction : kern::u8 {
	Keep,
	Install,     /* the AH made from the new record replaces the old; put the old one if any */
	MarkInvalid, /* ah->valid = 0: neighbours sharing it stop using it */
	Release,     /* put the path's AH, if it has one */
	Discard,     /* the completion is for a dead path: put the AH it made, if any */
};

/* The full consequence of one event. */
struct PathAction {
	PathState m_next = PathState::Idle;
	QueueAction m_queue = QueueAction::Keep;
	AhAction m_ah = AhAction::Keep;
	bool m_cancel_query = false; /* ib_sa_cancel_query the outstanding query */
};

namespace path_detail {
constexpr PathAction act(PathState next, QueueAction queue = QueueAction::Keep, AhAction ah = AhAction::Keep,
			 bool cancel = false) noexcept
{
	PathAction a;
	a.m_next = next;
	a.m_queue = queue;
	a.m_ah = ah;
	a.m_cancel_query = cancel;
	return a;
}
} /* namespace path_detail */

/*
 * The transition table. Invalid pairs give -EINVAL:
 *  - StartQuery while Querying (one query at a time, as `if
 *    (!path->query)` in-tree), while Resolved (nothing to resolve) or
 *    when Dead;
 *  - QueryOk/QueryErr in any state but Querying and Dead (no query is
 *    outstanding).
 * Invalidate and Flush are accepted everywhere: a flush does not know or
 * care which paths are mid-query.
 */
inline kern::Result<PathAction> path_transition(PathState from, PathEvent ev) noexcept
{
	using path_detail::act;
	using A = AhAction;
	using Q = QueueAction;
	using S = PathState;
	const kern::Error invalid(-kern::err::EINVAL);

	switch (ev) {
	case PathEvent::StartQuery:
		switch (from) {
		case S::Idle:
		case S::Failed:
		case S::Invalid: /* the stale AH stays until the new one is installed */
			return act(S::Querying);
		case S::Querying:
		case S::Resolved:
		case S::Dead:
			return invalid;
		}
		return invalid;
	case PathEvent::QueryOk:
		switch (from) {
		case S::Querying:
			return act(S::Resolved, Q::SendAll, A::Install);
		case S::Dead: /* the cancel lost the race; nothing is queued any more */
			return act(S::Dead, Q::Keep, A::Discard);
		default:
			return invalid;
		}
	case PathEvent::QueryErr:
		switch (from) {
		case S::Querying:
			return act(S::Failed, Q::DropAll, A::Release);
		case S::Dead:
			return act(S::Dead);
		default:
			return invalid;
		}
	case PathEvent::Invalidate:
		switch (from) {
		case S::Resolved:
			return act(S::Invalid, Q::Keep, A::MarkInvalid);
		case S::Querying: /* the answer in flight becomes the fresh record, as in-tree */
		case S::Idle:
		case S::Failed:
		case S::Invalid:
		case S::Dead:
			return act(from);
		}
		return invalid;
	case PathEvent::Flush:
		switch (from) {
		case S::Querying:
			return act(S::Dead, Q::DropAll, A::Release, true);
		case S::Dead:
			return act(S::Dead);
		case S::Idle:
		case S::Resolved:
		case S::Failed:
		case S::Invalid:
			return act(S::Dead, Q::DropAll, A::Release);
		}
		return invalid;
	}
	return invalid;
}

/* What the transmit path must do with one packet for this path. */
enum class SendVerdict : kern::u8 {
	SendNow, /* AH valid: send it (the item was not taken) */
	Queued,  /* taken into the path queue */
	Drop,    /* not taken: drop it and count tx_dropped */
};

struct SendDecision {
	SendVerdict m_verdict = SendVerdict::Drop;
	bool m_start_query = false; /* the caller must issue the SA query now */
};

/*
 * One path's state plus its waiting packets. Item is what the driver
 * queues (an skb handle); tests use ints.
 */
template <class Item>
class PathMachine : kern::NonCopyable {
public:
	using Queue = BoundedQueue<Item, kMaxPathRecQueue>;

	constexpr PathMachine() noexcept : m_state(PathState::Idle), m_queue(), m_dropped(0) {}

	PathState state() const noexcept { return m_state; }
	const Queue &queue() const noexcept { return m_queue; }
	/* Packets this path has dropped (full queue, failure, flush, send when dead). */
	kern::u64 dropped() const noexcept { return m_dropped; }

	/*
	 * A packet for this destination (unicast_arp_send in-tree):
	 *  Resolved           -> SendNow
	 *  Querying           -> queue it if there is room, else Drop
	 *  Idle/Failed/Invalid-> StartQuery, then queue it (or Drop if full;
	 *                        the query is started either way)
	 *  Dead               -> Drop
	 * If the caller then fails to issue the query, it reports
	 * QueryErr, which drops what is queued, this packet included.
	 */
	SendDecision on_send(Item &&item) noexcept
	{
		SendDecision d;
		switch (m_state) {
		case PathState::Resolved:
			d.m_verdict = SendVerdict::SendNow;
			return d;
		case PathState::Dead:
			m_dropped++;
			return d;
		case PathState::Idle:
		case PathState::Failed:
		case PathState::Invalid:
			m_state = PathState::Querying;
			d.m_start_query = true;
			break;
		case PathState::Querying:
			break;
		}
		if (m_queue.push(kern::move(item)).is_ok()) {
			d.m_verdict = SendVerdict::Queued;
		} else {
			d.m_verdict = SendVerdict::Drop;
			m_dropped++;
		}
		return d;
	}

	/*
	 * Applies `ev`. On success the state has changed and the queue has
	 * been dealt with: for SendAll / DropAll each waiting item was handed
	 * to on_item(Item &&, QueueAction) oldest first. The AH and query
	 * actions in the returned PathAction are left to the caller. On
	 * -EINVAL nothing changed.
	 */
	template <class F>
	kern::Result<PathAction> apply(PathEvent ev, F &&on_item) noexcept
	{
		PathAction a = TRY(path_transition(m_state, ev));
		m_state = a.m_next;
		if (a.m_queue != QueueAction::Keep) {
			const QueueAction qa = a.m_queue;
			const kern::usize n = m_queue.drain([&](Item &&item) { on_item(kern::move(item), qa); });
			if (qa == QueueAction::DropAll)
				m_dropped += n;
		}
		return a;
	}

private:
	PathState m_state;
	Queue m_queue;
	kern::u64 m_dropped;
};

} /* namespace ipoib */

#endif /* IPOIB_PATH_STATE_H */
