// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <gtest/gtest.h>

#include "ipoib/ring.h"

using namespace ipoib;

TEST(IpoibRing, OutstandingWraps)
{
	EXPECT_EQ(tx_outstanding(5, 5), 0u);
	EXPECT_EQ(tx_outstanding(10, 3), 7u);
	EXPECT_EQ(tx_outstanding(2, 0xfffffffeu), 4u);
}

TEST(IpoibRing, StopAtSizeMinusOne)
{
	EXPECT_FALSE(tx_should_stop(126, 0, 128));
	EXPECT_TRUE(tx_should_stop(127, 0, 128));
	EXPECT_TRUE(tx_should_stop(128, 0, 128));
	/* Across the wrap. */
	EXPECT_TRUE(tx_should_stop(126, 0xffffffffu, 128));
	EXPECT_FALSE(tx_should_stop(125, 0xffffffffu, 128));
}

TEST(IpoibRing, WakeAtHalf)
{
	EXPECT_TRUE(tx_should_wake(64, 0, 128));
	EXPECT_FALSE(tx_should_wake(65, 0, 128));
	EXPECT_TRUE(tx_should_wake(10, 0xfffffff0u, 128));
	/* Hysteresis: the stop and wake thresholds never overlap for any real ring. */
	for (u32 size = 4; size <= 8192; size <<= 1) {
		for (u32 out = 0; out <= size; out++)
			EXPECT_FALSE(tx_should_stop(out, 0, size) && tx_should_wake(out, 0, size)) << size << " " << out;
	}
}

TEST(IpoibRing, Full)
{
	EXPECT_FALSE(tx_ring_full(127, 0, 128));
	EXPECT_TRUE(tx_ring_full(128, 0, 128));
	EXPECT_TRUE(tx_ring_full(0x7f, 0xffffffffu, 128));
}

TEST(IpoibRing, AhReapable)
{
	/* Used by the send posted at counter 10: reapable once the tail is 11. */
	EXPECT_FALSE(ah_reapable(10, 10));
	EXPECT_TRUE(ah_reapable(11, 10));
	EXPECT_FALSE(ah_reapable(9, 10));
	/* Never used: created with last_send = tail - 1, so reapable at once. */
	EXPECT_TRUE(ah_reapable(0, 0xffffffffu));
	/* Across the wrap. */
	EXPECT_TRUE(ah_reapable(3, 0xfffffffeu));
	EXPECT_FALSE(ah_reapable(0xfffffffeu, 3));
}

