// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// Tests for ipoib/params.h: queue-size clamping (b1 in the reference note).

#include <gtest/gtest.h>

#include <climits>

#include "kapi_user.h"
#include "ipoib/params.h"

using namespace ipoib;

namespace {

static_assert(clamp_send_queue_size(128).value == 128, "usable in constant expressions");

TEST(IpoibParams, RoundUpPow2)
{
	EXPECT_EQ(round_up_pow2(0), 1u);
	EXPECT_EQ(round_up_pow2(1), 1u);
	EXPECT_EQ(round_up_pow2(3), 4u);
	EXPECT_EQ(round_up_pow2(4096), 4096u);
	EXPECT_EQ(round_up_pow2(4097), 8192u);
	EXPECT_EQ(round_up_pow2(0x80000001u), 0x80000000u) << "saturates instead of wrapping to 0";
}

TEST(IpoibParams, SendQueueDefaultsAndRounding)
{
	EXPECT_EQ(clamp_send_queue_size(128).value, 128u);
	EXPECT_FALSE(clamp_send_queue_size(128).adjusted);
	EXPECT_EQ(clamp_send_queue_size(129).value, 256u);
	EXPECT_TRUE(clamp_send_queue_size(129).adjusted);
	EXPECT_EQ(clamp_send_queue_size(1000).value, 1024u);
	EXPECT_EQ(clamp_send_queue_size(8192).value, 8192u);
	EXPECT_FALSE(clamp_send_queue_size(8192).adjusted);
}

TEST(IpoibParams, SendQueueClamps)
{
	// The minimum is 2 * MAX_SEND_CQE = 128.
	for (int v : {INT_MIN, -1, 0, 1, 2, 64, 127}) {
		EXPECT_EQ(clamp_send_queue_size(v).value, 128u) << v;
		EXPECT_TRUE(clamp_send_queue_size(v).adjusted) << v;
	}
	for (int v : {8193, 10000, 1 << 20, INT_MAX}) {
		EXPECT_EQ(clamp_send_queue_size(v).value, 8192u) << v;
		EXPECT_TRUE(clamp_send_queue_size(v).adjusted) << v;
	}
}

TEST(IpoibParams, RecvQueue)
{
	EXPECT_EQ(clamp_recv_queue_size(256).value, 256u);
	EXPECT_FALSE(clamp_recv_queue_size(256).adjusted);
	EXPECT_EQ(clamp_recv_queue_size(2).value, 2u);
	EXPECT_FALSE(clamp_recv_queue_size(2).adjusted);
	EXPECT_EQ(clamp_recv_queue_size(3).value, 4u);
	EXPECT_EQ(clamp_recv_queue_size(1).value, 2u);
	EXPECT_TRUE(clamp_recv_queue_size(1).adjusted);
	EXPECT_EQ(clamp_recv_queue_size(0).value, 2u);
	EXPECT_EQ(clamp_recv_queue_size(-5).value, 2u);
	EXPECT_TRUE(clamp_recv_queue_size(-5).adjusted);
	EXPECT_EQ(clamp_recv_queue_size(INT_MAX).value, 8192u);
	EXPECT_EQ(clamp_recv_queue_size(5000).value, 8192u);
	EXPECT_TRUE(clamp_recv_queue_size(5000).adjusted);
}

TEST(IpoibParams, ResultIsAlwaysPow2InRange)
{
	for (int v = -10; v < 20000; v += 7) {
		const QueueSize s = clamp_send_queue_size(v);
		const QueueSize r = clamp_recv_queue_size(v);
		EXPECT_EQ(s.value & (s.value - 1), 0u) << v;
		EXPECT_EQ(r.value & (r.value - 1), 0u) << v;
		EXPECT_GE(s.value, 128u);
		EXPECT_LE(s.value, 8192u);
		EXPECT_GE(r.value, 2u);
		EXPECT_LE(r.value, 8192u);
		EXPECT_EQ(s.adjusted, static_cast<u32>(v) != s.value || v < 0) << v;
	}
}

} // namespace
