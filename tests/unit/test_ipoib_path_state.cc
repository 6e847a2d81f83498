// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// Tests for ipoib/path_state.h: every (state, event) edge of the path
// record state machine, and PathMachine's queue handling and send verdicts.

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "kapi_user.h"
#include "ipoib/path_state.h"
#include "kern/memory.h"

using namespace ipoib;
using kern::usize;

namespace {

constexpr PathState kStates[] = {PathState::Idle,   PathState::Querying, PathState::Resolved,
				 PathState::Failed, PathState::Invalid,  PathState::Dead};
constexpr PathEvent kEvents[] = {PathEvent::StartQuery, PathEvent::QueryOk, PathEvent::QueryErr,
				 PathEvent::Invalidate, PathEvent::Flush};

const char *name(PathState s)
{
	switch (s) {
	case PathState::Idle: return "Idle";
	case PathState::Querying: return "Querying";
	case PathState::Resolved: return "Resolved";
	case PathState::Failed: return "Failed";
	case PathState::Invalid: return "Invalid";
	case PathState::Dead: return "Dead";
	}
	return "?";
}

const char *name(PathEvent e)
{
	switch (e) {
	case PathEvent::StartQuery: return "StartQuery";
	case PathEvent::QueryOk: return "QueryOk";
	case PathEvent::QueryErr: return "QueryErr";
	case PathEvent::Invalidate: return "Invalidate";
	case PathEvent::Flush: return "Flush";
	}
	return "?";
}

struct Edge {
	bool valid;
	PathState next;
	QueueAction queue;
	AhAction ah;
	bool cancel;
};

constexpr Edge bad() { return Edge{false, PathState::Idle, QueueAction::Keep, AhAction::Keep, false}; }
constexpr Edge to(PathState s, QueueAction q = QueueAction::Keep, AhAction a = AhAction::Keep, bool c = false)
{
	return Edge{true, s, q, a, c};
}

// The whole specification, one row per state, one column per event:
// StartQuery, QueryOk, QueryErr, Invalidate, Flush.
using S = PathState;
using Q = QueueAction;
using A = AhAction;
const Edge kSpec[6][5] = {
	/* Idle */ {to(S::Querying), bad(), bad(), to(S::Idle), to(S::Dead, Q::DropAll, A::Release)},
	/* Querying */
	{bad(), to(S::Resolved, Q::SendAll, A::Install), to(S::Failed, Q::DropAll, A::Release), to(S::Querying),
	 to(S::Dead, Q::DropAll, A::Release, true)},
	/* Resolved */
	{bad(), bad(), bad(), to(S::Invalid, Q::Keep, A::MarkInvalid), to(S::Dead, Q::DropAll, A::Release)},
	/* Failed */ {to(S::Querying), bad(), bad(), to(S::Failed), to(S::Dead, Q::DropAll, A::Release)},
	/* Invalid */ {to(S::Querying), bad(), bad(), to(S::Invalid), to(S::Dead, Q::DropAll, A::Release)},
	/* Dead */ {bad(), to(S::Dead, Q::Keep, A::Discard), to(S::Dead), to(S::Dead), to(S::Dead)},
};

TEST(IpoibPathTransition, EveryEdge)
{
	int valid = 0, invalid = 0;
	for (usize si = 0; si < 6; si++) {
		for (usize ei = 0; ei < 5; ei++) {
			const Edge &want = kSpec[si][ei];
			auto r = path_transition(kStates[si], kEvents[ei]);
			const std::string edge = std::string(name(kStates[si])) + " --" + name(kEvents[ei]) + "-->";
			if (!want.valid) {
				ASSERT_TRUE(r.is_err()) << edge << " should be rejected";
				EXPECT_EQ(r.error().code(), -kern::err::EINVAL) << edge;
				invalid++;
				continue;
			}
			ASSERT_TRUE(r.is_ok()) << edge << " should be accepted";
			const PathAction &a = r.value();
			EXPECT_EQ(a.m_next, want.next) << edge << " next " << name(a.m_next);
			EXPECT_EQ(a.m_queue, want.queue) << edge;
			EXPECT_EQ(a.m_ah, want.ah) << edge;
			EXPECT_EQ(a.m_cancel_query, want.cancel) << edge;
			valid++;
		}
	}
	EXPECT_EQ(valid + invalid, 30);
	EXPECT_EQ(invalid, 11);
}

TEST(IpoibPathTransition, OutOfRangeEnumsRejected)
{
	EXPECT_TRUE(path_transition(static_cast<PathState>(77), PathEvent::Flush).is_err());
	EXPECT_TRUE(path_transition(PathState::Idle, static_cast<PathEvent>(77)).is_err());
}

// Only Flush and Dead's idempotent edges lead into Dead, and nothing leaves it.
TEST(IpoibPathTransition, DeadIsTerminal)
{
	for (PathEvent e : kEvents) {
		auto r = path_transition(PathState::Dead, e);
		if (r.is_ok()) {
			EXPECT_EQ(r.value().m_next, PathState::Dead) << name(e);
		}
	}
}

using Log = std::vector<std::pair<int, QueueAction>>;

struct Sink {
	Log *log;
	void operator()(int &&v, QueueAction qa) const { log->push_back({v, qa}); }
};

TEST(IpoibPathMachine, FirstSendStartsQueryAndQueues)
{
	PathMachine<int> p;
	EXPECT_EQ(p.state(), PathState::Idle);
	SendDecision d = p.on_send(1);
	EXPECT_EQ(d.m_verdict, SendVerdict::Queued);
	EXPECT_TRUE(d.m_start_query);
	EXPECT_EQ(p.state(), PathState::Querying);

	d = p.on_send(2);
	EXPECT_EQ(d.m_verdict, SendVerdict::Queued);
	EXPECT_FALSE(d.m_start_query) << "one query at a time";
	d = p.on_send(3);
	EXPECT_EQ(d.m_verdict, SendVerdict::Queued);
	d = p.on_send(4);
	EXPECT_EQ(d.m_verdict, SendVerdict::Drop) << "queue limit 3";
	EXPECT_FALSE(d.m_start_query);
	EXPECT_EQ(p.queue().size(), 3u);
	EXPECT_EQ(p.dropped(), 1u);

	Log log;
	auto r = p.apply(PathEvent::QueryOk, Sink{&log});
	ASSERT_TRUE(r.is_ok());
	EXPECT_EQ(r.value().m_ah, AhAction::Install);
	EXPECT_EQ(p.state(), PathState::Resolved);
	EXPECT_EQ(log, (Log{{1, QueueAction::SendAll}, {2, QueueAction::SendAll}, {3, QueueAction::SendAll}}));
	EXPECT_TRUE(p.queue().empty());
	EXPECT_EQ(p.dropped(), 1u) << "sent packets are not drops";

	d = p.on_send(5);
	EXPECT_EQ(d.m_verdict, SendVerdict::SendNow);
	EXPECT_FALSE(d.m_start_query);
	EXPECT_TRUE(p.queue().empty());
}

TEST(IpoibPathMachine, FailureDropsAndCountsThenRetries)
{
	PathMachine<int> p;
	(void)p.on_send(1);
	(void)p.on_send(2);
	Log log;
	auto r = p.apply(PathEvent::QueryErr, Sink{&log});
	ASSERT_TRUE(r.is_ok());
	EXPECT_EQ(r.value().m_ah, AhAction::Release);
	EXPECT_EQ(p.state(), PathState::Failed);
	EXPECT_EQ(log, (Log{{1, QueueAction::DropAll}, {2, QueueAction::DropAll}}));
	EXPECT_EQ(p.dropped(), 2u);

	SendDecision d = p.on_send(3);
	EXPECT_TRUE(d.m_start_query) << "the next packet retries";
	EXPECT_EQ(d.m_verdict, SendVerdict::Queued);
	EXPECT_EQ(p.state(), PathState::Querying);
	log.clear();
	ASSERT_TRUE(p.apply(PathEvent::QueryOk, Sink{&log}).is_ok());
	EXPECT_EQ(log, (Log{{3, QueueAction::SendAll}}));
}

TEST(IpoibPathMachine, LightFlushRequeriesOnNextSend)
{
	PathMachine<int> p;
	Log log;
	(void)p.on_send(1);
	ASSERT_TRUE(p.apply(PathEvent::QueryOk, Sink{&log}).is_ok());
	auto r = p.apply(PathEvent::Invalidate, Sink{&log});
	ASSERT_TRUE(r.is_ok());
	EXPECT_EQ(r.value().m_ah, AhAction::MarkInvalid);
	EXPECT_EQ(p.state(), PathState::Invalid);
	ASSERT_TRUE(p.apply(PathEvent::Invalidate, Sink{&log}).is_ok()) << "idempotent";

	SendDecision d = p.on_send(2);
	EXPECT_TRUE(d.m_start_query);
	EXPECT_EQ(d.m_verdict, SendVerdict::Queued) << "the stale AH is not used";
	log.clear();
	r = p.apply(PathEvent::QueryOk, Sink{&log});
	ASSERT_TRUE(r.is_ok());
	EXPECT_EQ(r.value().m_ah, AhAction::Install) << "new AH replaces the stale one";
	EXPECT_EQ(log, (Log{{2, QueueAction::SendAll}}));
}

TEST(IpoibPathMachine, FlushWhileQueryingCancelsAndDiscards)
{
	PathMachine<int> p;
	(void)p.on_send(1);
	(void)p.on_send(2);
	Log log;
	auto r = p.apply(PathEvent::Flush, Sink{&log});
	ASSERT_TRUE(r.is_ok());
	EXPECT_TRUE(r.value().m_cancel_query);
	EXPECT_EQ(p.state(), PathState::Dead);
	EXPECT_EQ(log, (Log{{1, QueueAction::DropAll}, {2, QueueAction::DropAll}}));
	EXPECT_EQ(p.dropped(), 2u);

	SendDecision d = p.on_send(3);
	EXPECT_EQ(d.m_verdict, SendVerdict::Drop);
	EXPECT_FALSE(d.m_start_query);
	EXPECT_EQ(p.dropped(), 3u);

	// The cancelled query still completes (successfully, it lost the race).
	log.clear();
	r = p.apply(PathEvent::QueryOk, Sink{&log});
	ASSERT_TRUE(r.is_ok());
	EXPECT_EQ(r.value().m_ah, AhAction::Discard);
	EXPECT_TRUE(log.empty());
	EXPECT_EQ(p.state(), PathState::Dead);
}

TEST(IpoibPathMachine, SyncQueryStartFailureDropsThePacket)
{
	// path_rec_start failing in-tree drops the packet that triggered it.
	PathMachine<int> p;
	SendDecision d = p.on_send(7);
	ASSERT_TRUE(d.m_start_query);
	Log log;
	ASSERT_TRUE(p.apply(PathEvent::QueryErr, Sink{&log}).is_ok());
	EXPECT_EQ(log, (Log{{7, QueueAction::DropAll}}));
	EXPECT_EQ(p.state(), PathState::Failed);
}

TEST(IpoibPathMachine, RejectedEventChangesNothing)
{
	PathMachine<int> p;
	(void)p.on_send(1);
	Log log;
	auto r = p.apply(PathEvent::StartQuery, Sink{&log});
	EXPECT_EQ(r.error().code(), -kern::err::EINVAL);
	EXPECT_EQ(p.state(), PathState::Querying);
	EXPECT_EQ(p.queue().size(), 1u);
	EXPECT_TRUE(log.empty());

	PathMachine<int> idle;
	EXPECT_TRUE(idle.apply(PathEvent::QueryOk, Sink{&log}).is_err());
	EXPECT_TRUE(idle.apply(PathEvent::QueryErr, Sink{&log}).is_err());
	EXPECT_EQ(idle.state(), PathState::Idle);
	ASSERT_TRUE(p.apply(PathEvent::Flush, Sink{&log}).is_ok());
}

TEST(IpoibPathMachine, ExplicitStartQueryThenSend)
{
	PathMachine<int> p;
	Log log;
	ASSERT_TRUE(p.apply(PathEvent::StartQuery, Sink{&log}).is_ok());
	SendDecision d = p.on_send(1);
	EXPECT_FALSE(d.m_start_query);
	EXPECT_EQ(d.m_verdict, SendVerdict::Queued);
	ASSERT_TRUE(p.apply(PathEvent::Flush, Sink{&log}).is_ok());
}

TEST(IpoibPathMachine, MoveOnlyItemsOwnedCorrectly)
{
	PathMachine<kern::UniquePtr<int>> p;
	for (int i = 0; i < 4; i++) {
		kern::UniquePtr<int> skb = kern::make<int>(kern::Gfp::Atomic, i);
		SendDecision d = p.on_send(kern::move(skb));
		if (d.m_verdict == SendVerdict::Queued)
			EXPECT_FALSE(skb);
		else
			EXPECT_TRUE(skb) << "a dropped packet stays with the caller to free";
	}
	EXPECT_EQ(kapi_test::live_allocs(), 3);
	int freed = 0;
	ASSERT_TRUE(p.apply(PathEvent::QueryErr,
			    [&](kern::UniquePtr<int> &&skb, QueueAction) {
				    kern::UniquePtr<int> gone(kern::move(skb));
				    freed++;
			    })
			    .is_ok());
	EXPECT_EQ(freed, 3);
	EXPECT_EQ(kapi_test::live_allocs(), 0);
}

} // namespace
