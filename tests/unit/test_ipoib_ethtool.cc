// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// Tests for ipoib/ethtool.h: the speed table, link settings, the -S
// strings and the -C limits (b4 in the reference note).

#include <gtest/gtest.h>

#include <cstring>

#include "kapi_user.h"
#include "ipoib/ethtool.h"

using namespace ipoib::ethtool;

namespace {

TEST(IpoibEthtool, LaneSpeeds)
{
	EXPECT_EQ(lane_speed_mbps(kSpeedSdr), 2500);
	EXPECT_EQ(lane_speed_mbps(kSpeedDdr), 5000);
	EXPECT_EQ(lane_speed_mbps(kSpeedQdr), 10000);
	EXPECT_EQ(lane_speed_mbps(kSpeedFdr10), 10000) << "FDR10 signals at QDR's rate";
	EXPECT_EQ(lane_speed_mbps(kSpeedFdr), 14000);
	EXPECT_EQ(lane_speed_mbps(kSpeedEdr), 25000);
	EXPECT_EQ(lane_speed_mbps(kSpeedHdr), 50000);
	EXPECT_EQ(lane_speed_mbps(kSpeedNdr), 100000);
	EXPECT_EQ(lane_speed_mbps(kSpeedXdr), 200000);
	for (unsigned v : {0u, 3u, 5u, 512u, 0xffffu})
		EXPECT_EQ(lane_speed_mbps(static_cast<ipoib::ethtool::u16>(v)), -1) << v;
}

TEST(IpoibEthtool, Widths)
{
	EXPECT_EQ(width_lanes(kWidth1x), 1);
	EXPECT_EQ(width_lanes(kWidth2x), 2);
	EXPECT_EQ(width_lanes(kWidth4x), 4);
	EXPECT_EQ(width_lanes(kWidth8x), 8);
	EXPECT_EQ(width_lanes(kWidth12x), 12);
	for (unsigned v : {0u, 3u, 32u, 255u})
		EXPECT_EQ(width_lanes(static_cast<ipoib::ethtool::u8>(v)), -1) << v;
}

TEST(IpoibEthtool, LinkSettingsWithCarrier)
{
	auto r = link_settings(true, kSpeedQdr, kWidth4x);
	ASSERT_TRUE(r.is_ok());
	EXPECT_EQ(r.value().speed, 40000u) << "4X QDR, softib's port";
	EXPECT_EQ(r.value().duplex, kDuplexFull);
	EXPECT_EQ(r.value().port, kPortOther);
	EXPECT_EQ(r.value().phy_address, 0xffu);
	EXPECT_EQ(r.value().autoneg, kAutonegEnable);
	EXPECT_EQ(link_settings(true, kSpeedNdr, kWidth4x).value().speed, 400000u);
	EXPECT_EQ(link_settings(true, kSpeedXdr, kWidth8x).value().speed, 1600000u);
	EXPECT_EQ(link_settings(true, kSpeedHdr, kWidth2x).value().speed, 100000u);
	EXPECT_EQ(link_settings(true, kSpeedEdr, kWidth12x).value().speed, 300000u);
	EXPECT_EQ(link_settings(true, kSpeedSdr, kWidth1x).value().speed, 2500u);
}

TEST(IpoibEthtool, LinkSettingsUnknownIsEinval)
{
	auto r = link_settings(true, 0, kWidth4x);
	ASSERT_TRUE(r.is_err());
	EXPECT_EQ(r.error().code(), -22);
	EXPECT_TRUE(link_settings(true, kSpeedQdr, 0).is_err());
	EXPECT_TRUE(link_settings(true, 3, 3).is_err());
}

TEST(IpoibEthtool, LinkSettingsWithoutCarrier)
{
	// Whatever the port says: unknown speed and duplex, the rest zero.
	for (auto sp : {0, 4, 999}) {
		auto r = link_settings(false, static_cast<ipoib::ethtool::u16>(sp), kWidth4x);
		ASSERT_TRUE(r.is_ok());
		EXPECT_EQ(r.value().speed, 0xffffffffu);
		EXPECT_EQ(r.value().duplex, 0xffu);
		EXPECT_EQ(r.value().port, 0u);
		EXPECT_EQ(r.value().phy_address, 0u);
		EXPECT_EQ(r.value().autoneg, 0u);
	}
}

TEST(IpoibEthtool, StatStringsInTreeOrder)
{
	static const char *const in_tree[] = {"rx_packets", "tx_packets", "rx_bytes",   "tx_bytes",
					      "tx_errors",  "rx_dropped", "tx_dropped", "multicast"};
	ASSERT_EQ(kStatCount, 8u);
	for (unsigned i = 0; i < kStatCount; i++)
		EXPECT_STREQ(kStatNames[i], in_tree[i]) << i;
	EXPECT_EQ(static_cast<unsigned>(Stat::Multicast), 7u);
}

TEST(IpoibEthtool, StatStringsFill)
{
	ipoib::ethtool::u8 buf[8 * 32];
	memset(buf, 0xa5, sizeof(buf));
	fill_stat_strings(buf);
	for (unsigned i = 0; i < kStatCount; i++) {
		const char *slot = reinterpret_cast<const char *>(buf + i * 32);
		EXPECT_STREQ(slot, kStatNames[i]);
		for (size_t j = strlen(kStatNames[i]); j < 32; j++)
			EXPECT_EQ(buf[i * 32 + j], 0) << "slot " << i << " byte " << j << " is NUL-padded";
	}
}

TEST(IpoibEthtool, CoalesceLimits)
{
	EXPECT_TRUE(coalesce_valid({0, 0}));
	EXPECT_TRUE(coalesce_valid({0xffff, 0xffff}));
	EXPECT_TRUE(coalesce_valid({100, 32}));
	EXPECT_FALSE(coalesce_valid({0x10000, 0}));
	EXPECT_FALSE(coalesce_valid({0, 0x10000}));
	EXPECT_FALSE(coalesce_valid({0xffffffffu, 1}));
	EXPECT_FALSE(coalesce_valid({1, 0xffffffffu}));
}

} // namespace
