// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <gtest/gtest.h>

#include "kern/atomic.h"

using kern::Atomic;

TEST(Atomic, LoadStoreExchange)
{
	Atomic<bool> b;
	EXPECT_FALSE(b.load());
	b.store(true);
	EXPECT_TRUE(b.load_acquire());
	EXPECT_TRUE(b.exchange(false));
	EXPECT_FALSE(b.load());
}

TEST(Atomic, Arithmetic)
{
	Atomic<kern::u64> c(5);
	EXPECT_EQ(c.fetch_add(3), 5u);
	c.add_single_writer(2);
	EXPECT_EQ(c.load(), 10u);
	Atomic<kern::u32> bits;
	EXPECT_EQ(bits.fetch_or(1u << 3), 0u);
	EXPECT_EQ(bits.fetch_or(1u << 1), 8u);
	EXPECT_EQ(bits.exchange(0), 10u);
}

TEST(Atomic, RingIndexWraps)
{
	Atomic<kern::u32> tail(0xffffffffu);
	tail.store_release(tail.load() + 1);
	EXPECT_EQ(tail.load_acquire(), 0u);
	Atomic<kern::u8> tc;
	tc.store(0xb8);
	EXPECT_EQ(tc.load(), 0xb8);
}
