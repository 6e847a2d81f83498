// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// Tests for ipoib/mcast_map.h: IPv4/IPv6 group to MGID mapping (known
// answers from ip_ib_mc_map / ipv6_ib_mc_map), MGID to hardware address,
// and the restart task's validity filter.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kapi_user.h"
#include "ipoib/debugfs_fmt.h"
#include "ipoib/mcast_map.h"

using namespace ipoib;

namespace {

std::vector<u8> bytes_of(const HwAddr &a)
{
	return std::vector<u8>(a.raw(), a.raw() + HwAddr::kLen);
}

std::string gid_str(const Gid &g)
{
	char buf[kGidStrLen];
	format_gid(g, buf, sizeof(buf));
	return buf;
}

Ipv6Addr v6(std::initializer_list<u16> groups)
{
	Ipv6Addr a;
	usize i = 0;
	for (u16 g : groups) {
		a.m_raw[2 * i] = static_cast<u8>(g >> 8);
		a.m_raw[2 * i + 1] = static_cast<u8>(g);
		i++;
	}
	return a;
}

TEST(IpoibMcastMap, Ipv4AllHosts)
{
	const HwAddr bc = broadcast_addr(0xffff);
	const HwAddr m = ipv4_mc_hwaddr_host(0xe0000001, bc); // 224.0.0.1
	const std::vector<u8> want = {0x00, 0xff, 0xff, 0xff, 0xff, 0x12, 0x40, 0x1b, 0xff, 0xff,
				      0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x01};
	EXPECT_EQ(bytes_of(m), want);
	EXPECT_EQ(gid_str(m.gid()), "ff12:401b:ffff:0:0:0:0:1");
	EXPECT_EQ(gid_str(ipv4_mc_mgid(kern::Be32::from_cpu(0xe0000001), bc)), "ff12:401b:ffff:0:0:0:0:1");
	EXPECT_EQ(m.qpn(), kMulticastQpn);
	EXPECT_EQ(m.flags(), 0);
}

TEST(IpoibMcastMap, Ipv4KeepsLow28Bits)
{
	const HwAddr bc = broadcast_addr(0xffff);
	// 239.255.255.250 (SSDP): the top nibble 0xe goes, 0xfff_fffa stays.
	EXPECT_EQ(gid_str(ipv4_mc_hwaddr_host(0xeffffffa, bc).gid()), "ff12:401b:ffff:0:0:0:fff:fffa");
	// 224.0.0.251 (mDNS).
	EXPECT_EQ(gid_str(ipv4_mc_hwaddr_host(0xe00000fb, bc).gid()), "ff12:401b:ffff:0:0:0:0:fb");
	// 255.255.255.255 is NOT the broadcast group through this mapping (the
	// top nibble is cleared); the stack uses dev->broadcast for it instead.
	EXPECT_NE(ipv4_mc_hwaddr_host(0xffffffff, bc).gid(), bc.gid());
	EXPECT_EQ(gid_str(ipv4_mc_hwaddr_host(0xffffffff, bc).gid()), "ff12:401b:ffff:0:0:0:fff:ffff");
}

TEST(IpoibMcastMap, Ipv4TakesNetworkOrderBe32)
{
	const HwAddr bc = broadcast_addr(0xffff);
	// The bytes of 224.1.2.3 as they sit in an IP header.
	const kern::Be32 g = kern::Be32::from_cpu(0xe0010203);
	const HwAddr m = ipv4_mc_hwaddr(g, bc);
	EXPECT_EQ(m[16], 0x00);
	EXPECT_EQ(m[17], 0x01);
	EXPECT_EQ(m[18], 0x02);
	EXPECT_EQ(m[19], 0x03);
}

TEST(IpoibMcastMap, PkeyAndScopeComeFromBroadcast)
{
	const HwAddr bc = broadcast_addr(0x8001, 0x5);
	EXPECT_EQ(gid_str(ipv4_mc_hwaddr_host(0xe0000001, bc).gid()), "ff15:401b:8001:0:0:0:0:1");
	// An IPv6 site-local group still gets the broadcast scope (2 here), as in-tree.
	const HwAddr bc2 = broadcast_addr(0x8001);
	EXPECT_EQ(gid_str(ipv6_mc_hwaddr(v6({0xff05, 0, 0, 0, 0, 0, 0, 2}), bc2).gid()), "ff12:601b:8001:0:0:0:0:2");
	// Bytes 8-9 are copied as they are, even if the caller built a broadcast without the full bit.
	HwAddr odd = broadcast_addr(0xffff);
	odd.set_mcast_pkey(0x0001);
	EXPECT_EQ(ipv4_mc_hwaddr_host(0xe0000001, odd).mcast_pkey(), 0x0001);
}

TEST(IpoibMcastMap, Ipv6AllNodes)
{
	const HwAddr bc = broadcast_addr(0xffff);
	const HwAddr m = ipv6_mc_hwaddr(v6({0xff02, 0, 0, 0, 0, 0, 0, 1}), bc);
	const std::vector<u8> want = {0x00, 0xff, 0xff, 0xff, 0xff, 0x12, 0x60, 0x1b, 0xff, 0xff,
				      0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
	EXPECT_EQ(bytes_of(m), want);
	EXPECT_EQ(gid_str(m.gid()), "ff12:601b:ffff:0:0:0:0:1");
}

TEST(IpoibMcastMap, Ipv6SolicitedNode)
{
	const HwAddr bc = broadcast_addr(0xffff);
	// ff02::1:ff00:1 - the solicited-node group of ...::1.
	const Ipv6Addr g = v6({0xff02, 0, 0, 0, 0, 0x0001, 0xff00, 0x0001});
	const HwAddr m = ipv6_mc_hwaddr(g, bc);
	const std::vector<u8> want = {0x00, 0xff, 0xff, 0xff, 0xff, 0x12, 0x60, 0x1b, 0xff, 0xff,
				      0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x00, 0x00, 0x01};
	EXPECT_EQ(bytes_of(m), want);
	EXPECT_EQ(gid_str(ipv6_mc_mgid(g, bc)), "ff12:601b:ffff:0:0:1:ff00:1");
}

TEST(IpoibMcastMap, Ipv6UsesOnlyLow80Bits)
{
	const HwAddr bc = broadcast_addr(0xffff);
	// Bytes 0-5 of the group (ff0e:1234:5678) are not used.
	const HwAddr a = ipv6_mc_hwaddr(v6({0xff0e, 0x1234, 0x5678, 0x9abc, 0xdef0, 0x1122, 0x3344, 0x5566}), bc);
	const HwAddr b = ipv6_mc_hwaddr(v6({0xff02, 0, 0, 0x9abc, 0xdef0, 0x1122, 0x3344, 0x5566}), bc);
	EXPECT_EQ(a, b);
	EXPECT_EQ(gid_str(a.gid()), "ff12:601b:ffff:9abc:def0:1122:3344:5566");
}

TEST(IpoibMcastMap, MgidToHwAddr)
{
	const HwAddr bc = broadcast_addr(0x8001);
	const Gid mgid = ipv4_mc_mgid(kern::Be32::from_cpu(0xe0000001), bc);
	const HwAddr h = mcast_hwaddr_from_mgid(mgid);
	EXPECT_EQ(h, ipv4_mc_hwaddr_host(0xe0000001, bc));
	EXPECT_EQ(h.qpn(), 0xffffffu);
	EXPECT_EQ(h.flags(), 0);
	EXPECT_EQ(h.gid(), mgid);
	EXPECT_EQ(mcast_hwaddr_from_mgid(bc.gid()), bc) << "the broadcast address is the MGID's hw address";
}

TEST(IpoibMcastMap, ValidityFilter)
{
	const HwAddr bc = broadcast_addr(0x8001);
	EXPECT_TRUE(mcast_addr_is_valid(bc, bc));
	EXPECT_TRUE(mcast_addr_is_valid(ipv4_mc_hwaddr_host(0xe0000001, bc), bc));
	EXPECT_TRUE(mcast_addr_is_valid(ipv6_mc_hwaddr(v6({0xff02, 0, 0, 0, 0, 0, 0, 1}), bc), bc))
		<< "byte 6 (IPv4/IPv6 signature) is not compared";

	// Each compared byte matters.
	for (usize i : {0, 1, 2, 3, 4, 5, 7, 8, 9}) {
		HwAddr a = ipv4_mc_hwaddr_host(0xe0000001, bc);
		a.raw()[i] ^= 0x01;
		EXPECT_FALSE(mcast_addr_is_valid(a, bc)) << "byte " << i;
	}
	// And the others do not.
	for (usize i = 10; i < 20; i++) {
		HwAddr a = bc;
		a.raw()[i] ^= 0xff;
		EXPECT_TRUE(mcast_addr_is_valid(a, bc)) << "byte " << i;
	}
	EXPECT_FALSE(mcast_addr_is_valid(ipv4_mc_hwaddr_host(0xe0000001, broadcast_addr(0xffff)), bc))
		<< "another partition's group";
	EXPECT_FALSE(mcast_addr_is_valid(ipv4_mc_hwaddr_host(0xe0000001, broadcast_addr(0x8001, 5)), bc))
		<< "another scope";
	EXPECT_FALSE(mcast_addr_is_valid(HwAddr(), bc));
}

} // namespace
