// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <gtest/gtest.h>

#include "ipoib/mcast_state.h"

using namespace ipoib;

namespace {
const JoinState kAll[] = {JoinState::Idle, JoinState::Joining, JoinState::Reported, JoinState::Attached,
			  JoinState::BackingOff};
const JoinEvent kEvents[] = {JoinEvent::Start,    JoinEvent::StartFailed, JoinEvent::Reported,
			     JoinEvent::Attached, JoinEvent::Failed,      JoinEvent::Reset};

JoinState next(JoinState s, JoinEvent e)
{
	auto r = join_next(s, e);
	EXPECT_TRUE(r.is_ok());
	return r.is_ok() ? r.value() : s;
}
} // namespace

TEST(IpoibMcastState, HappyPath)
{
	JoinState s = JoinState::Idle;
	s = next(s, JoinEvent::Start);
	EXPECT_EQ(s, JoinState::Joining);
	s = next(s, JoinEvent::Reported);
	EXPECT_EQ(s, JoinState::Reported);
	s = next(s, JoinEvent::Attached);
	EXPECT_EQ(s, JoinState::Attached);
}

TEST(IpoibMcastState, FailuresBackOffThenRetry)
{
	EXPECT_EQ(next(JoinState::Joining, JoinEvent::StartFailed), JoinState::BackingOff);
	EXPECT_EQ(next(JoinState::Reported, JoinEvent::Failed), JoinState::BackingOff);
	EXPECT_EQ(next(JoinState::BackingOff, JoinEvent::Start), JoinState::Joining);
}

TEST(IpoibMcastState, ResetFromAnywhere)
{
	for (JoinState s : kAll)
		EXPECT_EQ(next(s, JoinEvent::Reset), JoinState::Idle);
}

/* Exactly the edges drawn in the header exist; every other pair is -EINVAL. */
TEST(IpoibMcastState, TransitionTableIsTotal)
{
	int valid = 0;
	for (JoinState s : kAll) {
		for (JoinEvent e : kEvents) {
			auto r = join_next(s, e);
			if (r.is_ok())
				valid++;
			else
				EXPECT_EQ(r.error().code(), -kern::err::EINVAL);
		}
	}
	/* 5 resets + Idle/BackingOff Start + StartFailed + Reported + Attached + Failed. */
	EXPECT_EQ(valid, 5 + 2 + 1 + 1 + 1 + 1);
	EXPECT_TRUE(join_next(JoinState::Attached, JoinEvent::Start).is_err());
	EXPECT_TRUE(join_next(JoinState::Joining, JoinEvent::Start).is_err());
	EXPECT_TRUE(join_next(JoinState::Idle, JoinEvent::Reported).is_err());
	EXPECT_TRUE(join_next(JoinState::Attached, JoinEvent::Failed).is_err());
}

TEST(IpoibMcastState, TaskAndKickPredicates)
{
	EXPECT_TRUE(join_needs_step(JoinState::Idle, false));
	EXPECT_TRUE(join_needs_step(JoinState::Reported, false));
	EXPECT_FALSE(join_needs_step(JoinState::BackingOff, false));
	EXPECT_TRUE(join_needs_step(JoinState::BackingOff, true));
	EXPECT_FALSE(join_needs_step(JoinState::Joining, true));
	EXPECT_FALSE(join_needs_step(JoinState::Attached, true));
	EXPECT_TRUE(join_wants_kick(JoinState::Idle));
	EXPECT_TRUE(join_wants_kick(JoinState::BackingOff));
	EXPECT_FALSE(join_wants_kick(JoinState::Joining));
	EXPECT_FALSE(join_wants_kick(JoinState::Reported));
	EXPECT_FALSE(join_wants_kick(JoinState::Attached));
	for (JoinState s : kAll)
		EXPECT_STRNE(join_state_name(s), "?");
}

TEST(IpoibMcastState, Backoff)
{
	EXPECT_EQ(mcast_next_backoff(0), 1u);
	EXPECT_EQ(mcast_next_backoff(1), 2u);
	EXPECT_EQ(mcast_next_backoff(2), 4u);
	EXPECT_EQ(mcast_next_backoff(4), 8u);
	EXPECT_EQ(mcast_next_backoff(8), 16u);
	EXPECT_EQ(mcast_next_backoff(16), 16u);
	EXPECT_EQ(mcast_next_backoff(0xffffffffu), 16u);
}
