// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <gtest/gtest.h>

#include <string.h>

#include "ipoib/txq.h"
#include "ipoib/wire.h"

using namespace ipoib;

TEST(IpoibTxq, FloorPow2)
{
	EXPECT_EQ(floor_pow2(1), 1u);
	EXPECT_EQ(floor_pow2(2), 2u);
	EXPECT_EQ(floor_pow2(3), 2u);
	EXPECT_EQ(floor_pow2(8191), 4096u);
	EXPECT_EQ(floor_pow2(16384), 16384u);
	EXPECT_EQ(floor_pow2(0xffffffffu), 0x80000000u);
}

TEST(IpoibTxq, MaxQueues)
{
	EXPECT_EQ(tx_queues_max(1, 16384), 1u) << "one queue allocated";
	EXPECT_EQ(tx_queues_max(4, 16384), 4u);
	EXPECT_EQ(tx_queues_max(128, 16384), kMaxTxQueues) << "rtnl's core allocates up to 128";
	EXPECT_EQ(tx_queues_max(8, kMinQpsForTss - 1), 1u) << "an HCA short of QPs keeps one";
	EXPECT_EQ(tx_queues_max(8, kMinQpsForTss), 8u);
}

TEST(IpoibTxq, DefaultQueues)
{
	EXPECT_EQ(tx_queues_default(2, 16), 2u) << "one per online CPU";
	EXPECT_EQ(tx_queues_default(64, 16), 16u);
	EXPECT_EQ(tx_queues_default(4, 1), 1u);
	EXPECT_EQ(tx_queues_default(0, 16), 1u);
}

TEST(IpoibTxq, XpsSpreadsCpus)
{
	EXPECT_EQ(xps_queue(0, 4), 0);
	EXPECT_EQ(xps_queue(3, 4), 3);
	EXPECT_EQ(xps_queue(5, 4), 1);
	EXPECT_EQ(xps_queue(7, 1), 0);
	EXPECT_EQ(xps_queue(7, 0), 0) << "no queues: 0, never a division by zero";
	/* Every queue gets a CPU when there are as many CPUs. */
	bool seen[8] = {};
	for (u32 cpu = 0; cpu < 8; cpu++)
		seen[xps_queue(cpu, 8)] = true;
	for (bool s : seen)
		EXPECT_TRUE(s);
}

TEST(IpoibTxq, RingLimitsFromHca)
{
	RingLimits l = ring_limits(16384);
	EXPECT_EQ(l.rx_max, kMaxQueueSize);
	EXPECT_EQ(l.tx_max, kMaxQueueSize);
	l = ring_limits(3000);
	EXPECT_EQ(l.rx_max, 2048u) << "floored to a power of two";
	EXPECT_EQ(l.tx_max, 2048u);
	l = ring_limits(0);
	EXPECT_EQ(l.rx_max, kMaxQueueSize) << "no limit reported";
	l = ring_limits(64);
	EXPECT_EQ(l.tx_max, kMinSendQueueSize) << "never below the minimum";
	EXPECT_EQ(l.rx_max, 64u);
}

TEST(IpoibTxq, ChooseRings)
{
	const RingLimits l = ring_limits(16384);
	RingChoice c = choose_rings(512, 256, l);
	EXPECT_EQ(c.check, RingCheck::Ok);
	EXPECT_EQ(c.rx, 512u);
	EXPECT_EQ(c.tx, 256u);
	c = choose_rings(1000, 300, l);
	EXPECT_EQ(c.check, RingCheck::Ok);
	EXPECT_EQ(c.rx, 1024u) << "rounded up as the module parameters are";
	EXPECT_EQ(c.tx, 512u);
	c = choose_rings(8192, 8192, l);
	EXPECT_EQ(c.rx, 8192u);
	EXPECT_EQ(choose_rings(1, 256, l).check, RingCheck::RxTooSmall);
	EXPECT_EQ(choose_rings(0, 256, l).check, RingCheck::RxTooSmall);
	EXPECT_EQ(choose_rings(512, 127, l).check, RingCheck::TxTooSmall);
	EXPECT_EQ(choose_rings(8193, 256, l).check, RingCheck::RxTooBig);
	EXPECT_EQ(choose_rings(512, 8193, l).check, RingCheck::TxTooBig);
	EXPECT_EQ(choose_rings(2, 128, l).check, RingCheck::Ok) << "the minimums themselves";
}

TEST(IpoibTxq, Channels)
{
	EXPECT_TRUE(channels_valid(1, 1, 4));
	EXPECT_TRUE(channels_valid(1, 4, 4));
	EXPECT_FALSE(channels_valid(1, 5, 4));
	EXPECT_FALSE(channels_valid(1, 0, 4));
	EXPECT_FALSE(channels_valid(2, 1, 4)) << "one receive channel";
	EXPECT_FALSE(channels_valid(0, 1, 4));
}

TEST(IpoibTxq, QueueStatNames)
{
	char buf[32];
	EXPECT_EQ(queue_stat_name(buf, sizeof(buf), 0, QueueStat::Packets), strlen("tx_queue_0_packets"));
	EXPECT_STREQ(buf, "tx_queue_0_packets");
	queue_stat_name(buf, sizeof(buf), 15, QueueStat::Bytes);
	EXPECT_STREQ(buf, "tx_queue_15_bytes");
	queue_stat_name(buf, sizeof(buf), 3, QueueStat::Stops);
	EXPECT_STREQ(buf, "tx_queue_3_stops");
	char small[8];
	EXPECT_EQ(queue_stat_name(small, sizeof(small), 12, QueueStat::Packets), 7u) << "truncated, terminated";
	EXPECT_STREQ(small, "tx_queu");
	EXPECT_STREQ(kRxStatNames[static_cast<u32>(RxStat::ModerFrames)], "rx_cq_moder_frames");
}

TEST(IpoibTxq, OwnEchoFromAnySendQp)
{
	LocalPort me;
	me.m_lid = 0x11;
	me.m_qpn = 0x48;
	const u32 tx[3] = {0x50, 0x51, 0x90};
	me.m_tx_qpns = tx;
	me.m_ntx = 3;
	Gid g;
	EXPECT_TRUE(is_own_echo(0x11, 0x48, false, g, me)) << "the receive QP itself";
	EXPECT_TRUE(is_own_echo(0x11, 0x51, false, g, me)) << "a send QP";
	EXPECT_TRUE(is_own_echo(0x11, 0x90, false, g, me));
	EXPECT_FALSE(is_own_echo(0x11, 0x52, false, g, me)) << "another interface's QP";
	EXPECT_FALSE(is_own_echo(0x12, 0x50, false, g, me)) << "another port";
	me.m_ntx = 1;
	EXPECT_FALSE(is_own_echo(0x11, 0x90, false, g, me)) << "only the queues that exist";
}
