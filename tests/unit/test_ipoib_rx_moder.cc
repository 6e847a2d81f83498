// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ipoib/rx_moder.h: what ethtool -C does with adaptive-rx, the idle rule, the packed in-effect value. */
#include <gtest/gtest.h>

#include "ipoib/rx_moder.h"

using namespace ipoib::rx_moder;

TEST(IpoibRxModer, CoalesceAction)
{
	/* adaptive-rx off (or left off): the static values go to the CQ. */
	EXPECT_EQ(coalesce_action(false, false), Action::ApplyStatic);
	EXPECT_EQ(coalesce_action(true, false), Action::ApplyStatic);
	/* on: DIM takes over once; later -C while on only stores the static values. */
	EXPECT_EQ(coalesce_action(false, true), Action::StartAdaptive);
	EXPECT_EQ(coalesce_action(true, true), Action::StoreOnly);
}

TEST(IpoibRxModer, IdleNeedsAStreakOfLongGaps)
{
	IdleGap g;
	const u64 gap = IdleGap::kGapUs;
	/* The first event has nothing to compare with. */
	EXPECT_FALSE(g.on_event(1000000));
	EXPECT_FALSE(g.on_event(1000000 + gap));         /* one long gap: maybe a hiccup */
	EXPECT_TRUE(g.on_event(1000000 + 2 * gap));      /* two in a row: idle */
	EXPECT_TRUE(g.on_event(1000000 + 2 * gap + 5 * gap));
	/* A short gap (busy) ends the streak. */
	u64 t = 1000000 + 7 * gap + gap - 1;
	EXPECT_FALSE(g.on_event(t));
	EXPECT_FALSE(g.on_event(t + gap));
	EXPECT_TRUE(g.on_event(t + 2 * gap));
}

TEST(IpoibRxModer, BusyNeverIdle)
{
	IdleGap g;
	u64 t = 5;
	for (int i = 0; i < 1000; i++) {
		/* Every other gap long: never two in a row. */
		t += (i & 1) ? IdleGap::kGapUs * 10 : 50;
		EXPECT_FALSE(g.on_event(t)) << i;
	}
}

TEST(IpoibRxModer, ResetForgetsHistory)
{
	IdleGap g;
	EXPECT_FALSE(g.on_event(0));
	EXPECT_FALSE(g.on_event(IdleGap::kGapUs));
	EXPECT_TRUE(g.on_event(2 * IdleGap::kGapUs));
	g.reset();
	/* After a reset the next event is a first one again. */
	EXPECT_FALSE(g.on_event(100 * IdleGap::kGapUs));
	EXPECT_FALSE(g.on_event(101 * IdleGap::kGapUs));
	EXPECT_TRUE(g.on_event(102 * IdleGap::kGapUs));
}

TEST(IpoibRxModer, GapIsLongerThanAnyProfile)
{
	/* net_dim's longest RX period (CQE mode) is 64 us: an idle gap must dwarf it. */
	static_assert(IdleGap::kGapUs >= 10 * 64);
	EXPECT_EQ(kRestProfile, 0u);
}

TEST(IpoibRxModer, PackRoundTrips)
{
	for (u32 us : {0u, 1u, 2u, 64u, 0xffffu})
		for (u32 fr : {0u, 1u, 256u, 0xffffu}) {
			const ipoib::ethtool::Coalesce c = unpack(pack(static_cast<u16>(us), static_cast<u16>(fr)));
			EXPECT_EQ(c.rx_usecs, us);
			EXPECT_EQ(c.rx_frames, fr);
		}
}
