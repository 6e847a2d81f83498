// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ipoib/rx_moder.h: what ethtool -C does with adaptive-rx, the idle rule, the packed in-effect value. */
#include <gtest/gtest.h>

#include "ipoib/rx_moder.h"

using namespace ipoib::rx_moder;

namespace {

constexpr u64 kGap = IdleGap::kGapUs;

TEST(IpoibRxModer, CoalesceAction)
{
	/* adaptive-rx off (or left off): the static values go to the CQ. */
	EXPECT_EQ(coalesce_action(false, false), Action::ApplyStatic);
	EXPECT_EQ(coalesce_action(true, false), Action::ApplyStatic);
	/* on: DIM takes over once; later -C while on only stores the static values. */
	EXPECT_EQ(coalesce_action(false, true), Action::StartAdaptive);
	EXPECT_EQ(coalesce_action(true, true), Action::StoreOnly);
}

TEST(IpoibRxModer, IdleNeedsAStreakOfSparseInterrupts)
{
	IdleGap g;
	u64 pkts = 100;
	/* The first interrupt has nothing to compare with. */
	EXPECT_FALSE(g.on_event(1000000, ++pkts));
	EXPECT_FALSE(g.on_event(1000000 + kGap, ++pkts));     /* one sparse: maybe a hiccup */
	EXPECT_TRUE(g.on_event(1000000 + 2 * kGap, ++pkts));  /* two in a row: idle */
	EXPECT_TRUE(g.on_event(1000000 + 7 * kGap, ++pkts));
	/* A short gap (busy) ends the streak. */
	u64 t = 1000000 + 8 * kGap - 1;
	EXPECT_FALSE(g.on_event(t, ++pkts));
	EXPECT_FALSE(g.on_event(t + kGap, ++pkts));
	EXPECT_TRUE(g.on_event(t + 2 * kGap, ++pkts));
}

TEST(IpoibRxModer, LongGapsFullOfPacketsAreNotIdle)
{
	/* A late moderation timer: interrupts 3 ms apart, 50 packets each. */
	IdleGap g;
	u64 t = 0, pkts = 0;
	for (int i = 0; i < 100; i++) {
		t += 3000;
		pkts += 50;
		EXPECT_FALSE(g.on_event(t, pkts)) << i;
	}
	/* Two packets in 2 gaps' time is sparse; three are not. */
	IdleGap h;
	EXPECT_FALSE(h.on_event(0, 0));
	EXPECT_FALSE(h.on_event(2 * kGap, 2));
	EXPECT_TRUE(h.on_event(4 * kGap, 4));
	EXPECT_FALSE(h.on_event(6 * kGap, 7));
}

TEST(IpoibRxModer, NoPacketsCountAsOne)
{
	/* An interrupt for completions that delivered nothing (drops, CM drains). */
	IdleGap g;
	EXPECT_FALSE(g.on_event(0, 5));
	EXPECT_FALSE(g.on_event(kGap, 5));
	EXPECT_TRUE(g.on_event(2 * kGap, 5));
	EXPECT_FALSE(g.on_event(2 * kGap + kGap / 2, 5));
}

TEST(IpoibRxModer, BusyNeverIdle)
{
	IdleGap g;
	u64 t = 5, pkts = 0;
	for (int i = 0; i < 1000; i++) {
		/* Every other interrupt sparse: never two in a row. */
		t += (i & 1) ? kGap * 10 : 50;
		EXPECT_FALSE(g.on_event(t, ++pkts)) << i;
	}
}

TEST(IpoibRxModer, ResetForgetsHistory)
{
	IdleGap g;
	EXPECT_FALSE(g.on_event(0, 1));
	EXPECT_FALSE(g.on_event(kGap, 2));
	EXPECT_TRUE(g.on_event(2 * kGap, 3));
	g.reset();
	/* After a reset the next interrupt is a first one again. */
	EXPECT_FALSE(g.on_event(100 * kGap, 4));
	EXPECT_FALSE(g.on_event(101 * kGap, 5));
	EXPECT_TRUE(g.on_event(102 * kGap, 6));
}

TEST(IpoibRxModer, CountersWrap)
{
	IdleGap g;
	const u64 top = ~0ull;
	EXPECT_FALSE(g.on_event(top - kGap, top - 1));
	EXPECT_FALSE(g.on_event(top, top));
	EXPECT_TRUE(g.on_event(kGap - 1, 0)); /* time and packets wrapped */
}

TEST(IpoibRxModer, RestIsNoModeration)
{
	/* net_dim's longest RX period (CQE mode) is 64 us: a sparse gap must dwarf it. */
	static_assert(IdleGap::kGapUs >= 10 * 64);
	EXPECT_EQ(kRestProfile, 0u);
	EXPECT_EQ(kRestUsecs, 0u);
	EXPECT_EQ(kRestFrames, 0u);
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

} // namespace
