// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// Tests for ipoib/wire.h: hardware address, broadcast address, encap
// header, transmit hard header, GRH, RX classification and ARP.

#include <gtest/gtest.h>

#include <cstring>
#include <type_traits>
#include <vector>

#include "kapi_user.h"
#include "ipoib/wire.h"

using namespace ipoib;
using kern::ByteSpan;
using kern::MutableByteSpan;

namespace {

const u8 kGidA[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x00, 0x02, 0xc9, 0x03, 0x00, 0x12, 0x34, 0x56};
const u8 kGidB[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x00, 0x02, 0xc9, 0x03, 0x00, 0xab, 0xcd, 0xef};

std::vector<u8> bytes_of(const HwAddr &a)
{
	return std::vector<u8>(a.raw(), a.raw() + HwAddr::kLen);
}

static_assert(std::is_trivially_copyable_v<HwAddr>);
static_assert(std::is_standard_layout_v<HwAddr>);
static_assert(sizeof(HwAddr) == 20);
static_assert(sizeof(Gid) == 16);
static_assert(kHardHeaderLen == 24 && kEncapLen == 4 && kPseudoHeaderLen == 20);
static_assert(kGrhLen == 40 && kArpLen == 56);

TEST(IpoibGid, DefaultIsZero)
{
	Gid g;
	for (usize i = 0; i < 16; i++)
		EXPECT_EQ(g[i], 0);
	EXPECT_FALSE(g.is_multicast());
	EXPECT_EQ(g[16], 0) << "out-of-range index reads as 0";
}

TEST(IpoibGid, PartsAndGroups)
{
	Gid g(kGidA);
	EXPECT_EQ(g.subnet_prefix(), 0xfe80000000000000ull);
	EXPECT_EQ(g.interface_id(), 0x0002c90300123456ull);
	EXPECT_EQ(g.group(0), 0xfe80);
	EXPECT_EQ(g.group(4), 0x0002);
	EXPECT_EQ(g.group(7), 0x3456);
	EXPECT_EQ(g.group(8), 0) << "out-of-range group is 0";
	EXPECT_EQ(Gid::from_parts(0xfe80000000000000ull, 0x0002c90300123456ull), g);
	EXPECT_NE(Gid(kGidB), g);
}

TEST(IpoibGid, FromSpanNeedsExactly16)
{
	u8 buf[17] = {};
	EXPECT_TRUE(Gid::from_span(ByteSpan(buf, 16)).is_ok());
	EXPECT_EQ(Gid::from_span(ByteSpan(buf, 15)).error().code(), -kern::err::EINVAL);
	EXPECT_EQ(Gid::from_span(ByteSpan(buf, 17)).error().code(), -kern::err::EINVAL);
	EXPECT_TRUE(Gid::from_span(ByteSpan()).is_err());
}

TEST(IpoibHwAddr, Layout)
{
	HwAddr a(kHwFlagRc, 0x123456, Gid(kGidA));
	const std::vector<u8> want = {0x80, 0x12, 0x34, 0x56, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x00, 0x02, 0xc9, 0x03, 0x00, 0x12, 0x34, 0x56};
	EXPECT_EQ(bytes_of(a), want);
	EXPECT_EQ(a.flags(), 0x80);
	EXPECT_TRUE(a.rc_capable());
	EXPECT_EQ(a.qpn(), 0x123456u);
	EXPECT_EQ(a.gid(), Gid(kGidA));
	EXPECT_FALSE(a.is_multicast());
}

TEST(IpoibHwAddr, QpnMasks24Bits)
{
	HwAddr a(0xff, 0xabcdef01, Gid(kGidA));
	EXPECT_EQ(a.flags(), 0xff) << "set_qpn must not clobber the flags byte";
	EXPECT_EQ(a.qpn(), 0xcdef01u);
	a.set_qpn(0xffffffff);
	EXPECT_EQ(a.qpn(), 0xffffffu);
	EXPECT_EQ(a.flags(), 0xff);
	a.set_flags(0);
	EXPECT_FALSE(a.rc_capable());
	EXPECT_EQ(a.qpn(), 0xffffffu);
}

TEST(IpoibHwAddr, EqualityComparesAll20Bytes)
{
	HwAddr a(0, 0x48, Gid(kGidA));
	HwAddr b = a;
	EXPECT_EQ(a, b);
	b.set_flags(kHwFlagRc);
	EXPECT_NE(a, b) << "the flags byte is part of the key";
	b = a;
	b.set_qpn(0x49);
	EXPECT_NE(a, b);
	b = a;
	b.raw()[19] ^= 1;
	EXPECT_NE(a, b);
	b = a;
	b.raw()[4] ^= 1;
	EXPECT_NE(a, b);
}

/* The run-time compare goes eight bytes at a time; every byte and bit still counts. */
TEST(IpoibHwAddr, EveryBitOfEveryByteCounts)
{
	const HwAddr a(0, 0x123456, Gid(kGidA));
	for (usize i = 0; i < HwAddr::kLen; i++) {
		for (int bit = 0; bit < 8; bit++) {
			HwAddr b = a;
			b.raw()[i] ^= static_cast<u8>(1u << bit);
			EXPECT_NE(a, b) << "byte " << i << " bit " << bit;
			b.raw()[i] ^= static_cast<u8>(1u << bit);
			EXPECT_EQ(a, b);
		}
	}
}

/* Constant evaluation takes the byte loops (no memcpy there). */
constexpr u8 kRawA[HwAddr::kLen] = {0, 0, 0, 0x48, 0xfe, 0x80};
constexpr u8 kRawB[HwAddr::kLen] = {0, 0, 0, 0x48, 0xfe, 0x81};
static_assert(HwAddr(kRawA) == HwAddr(kRawA));
static_assert(HwAddr(kRawA) != HwAddr(kRawB));

TEST(IpoibHwAddr, FromSpan)
{
	u8 raw[21];
	for (usize i = 0; i < sizeof(raw); i++)
		raw[i] = static_cast<u8>(i);
	auto r = HwAddr::from_span(ByteSpan(raw, 20));
	ASSERT_TRUE(r.is_ok());
	EXPECT_EQ(r.value().qpn(), 0x010203u);
	EXPECT_EQ(r.value()[19], 19);
	EXPECT_TRUE(HwAddr::from_span(ByteSpan(raw, 19)).is_err());
	EXPECT_TRUE(HwAddr::from_span(ByteSpan(raw, 21)).is_err());
}

TEST(IpoibBroadcast, DefaultPkey)
{
	const std::vector<u8> want = {0x00, 0xff, 0xff, 0xff, 0xff, 0x12, 0x40, 0x1b, 0xff, 0xff,
				      0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
	EXPECT_EQ(bytes_of(broadcast_addr(0xffff)), want);
}

TEST(IpoibBroadcast, Pkey8001)
{
	const std::vector<u8> want = {0x00, 0xff, 0xff, 0xff, 0xff, 0x12, 0x40, 0x1b, 0x80, 0x01,
				      0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
	HwAddr b = broadcast_addr(0x8001);
	EXPECT_EQ(bytes_of(b), want);
	EXPECT_EQ(b.qpn(), kMulticastQpn);
	EXPECT_TRUE(b.is_multicast());
	EXPECT_TRUE(b.gid().is_multicast());
	EXPECT_EQ(b.mcast_pkey(), 0x8001);
}

TEST(IpoibBroadcast, LimitedMemberPkeyGetsFullMemberBit)
{
	EXPECT_EQ(broadcast_addr(0x0001), broadcast_addr(0x8001));
	EXPECT_EQ(broadcast_addr(0x7fff).mcast_pkey(), 0xffff);
}

TEST(IpoibBroadcast, ScopeNibble)
{
	EXPECT_EQ(broadcast_addr(0xffff, 0x5)[5], 0x15);
	EXPECT_EQ(broadcast_addr(0xffff, 0xe)[5], 0x1e);
	EXPECT_EQ(broadcast_addr(0xffff, 0xf5)[5], 0x15) << "only the low nibble is a scope";
}

TEST(IpoibEthertype, Supported)
{
	EXPECT_TRUE(is_supported_ethertype(0x0800));
	EXPECT_TRUE(is_supported_ethertype(0x86dd));
	EXPECT_TRUE(is_supported_ethertype(0x0806));
	EXPECT_TRUE(is_supported_ethertype(0x8035));
	EXPECT_TRUE(is_supported_ethertype(0x88ca));
	for (u16 p : {0x0000, 0x0001, 0x0004, 0x8100, 0x88cc, 0x8906, 0x8915, 0xffff, 0x0008, 0xdd86})
		EXPECT_FALSE(is_supported_ethertype(p)) << std::hex << p;
}

TEST(IpoibEncap, ParseAndWrite)
{
	u8 buf[6] = {0x86, 0xdd, 0x12, 0x34, 0xaa, 0xbb};
	auto r = parse_encap(ByteSpan(buf));
	ASSERT_TRUE(r.is_ok());
	EXPECT_EQ(r.value().m_proto, 0x86dd);
	EXPECT_EQ(r.value().m_reserved, 0x1234) << "reserved is reported, not rejected (ignored on receive)";

	u8 out[4] = {0xff, 0xff, 0xff, 0xff};
	ASSERT_TRUE(write_encap(MutableByteSpan(out), 0x0806).is_ok());
	const u8 want[4] = {0x08, 0x06, 0, 0};
	EXPECT_EQ(std::memcmp(out, want, 4), 0) << "reserved must be zero on send";
}

TEST(IpoibEncap, ShortBuffersRejected)
{
	u8 buf[4] = {0x08, 0x00, 0, 0};
	for (usize n = 0; n < 4; n++) {
		EXPECT_EQ(parse_encap(ByteSpan(buf, n)).error().code(), -kern::err::EINVAL) << n;
		EXPECT_TRUE(write_encap(MutableByteSpan(buf, n), 0x800).is_err()) << n;
	}
	EXPECT_TRUE(parse_encap(ByteSpan(buf, 4)).is_ok());
}

TEST(IpoibTxHeader, LayoutIsDaddrThenEncap)
{
	HwAddr d(kHwFlagRc, 0x000048, Gid(kGidB));
	u8 out[30];
	std::memset(out, 0xee, sizeof(out));
	ASSERT_TRUE(write_tx_header(MutableByteSpan(out), d, 0x0800).is_ok());
	EXPECT_EQ(std::memcmp(out, d.raw(), 20), 0);
	EXPECT_EQ(out[20], 0x08);
	EXPECT_EQ(out[21], 0x00);
	EXPECT_EQ(out[22], 0x00);
	EXPECT_EQ(out[23], 0x00);
	EXPECT_EQ(out[24], 0xee) << "nothing written past 24 bytes";

	auto r = parse_tx_header(ByteSpan(out));
	ASSERT_TRUE(r.is_ok());
	EXPECT_EQ(r.value().m_daddr, d);
	EXPECT_EQ(r.value().m_proto, 0x0800);
}

TEST(IpoibTxHeader, ShortRejected)
{
	u8 out[24] = {};
	EXPECT_TRUE(write_tx_header(MutableByteSpan(out, 23), HwAddr(), 0x800).is_err());
	EXPECT_TRUE(parse_tx_header(ByteSpan(out, 23)).is_err());
	EXPECT_TRUE(parse_tx_header(ByteSpan()).is_err());
}

TEST(IpoibTxRoute, Classify)
{
	HwAddr uni(0, 0x48, Gid(kGidA));
	HwAddr mc = broadcast_addr(0xffff);
	EXPECT_EQ(classify_tx(uni, 0x0800), TxRoute::Unicast);
	EXPECT_EQ(classify_tx(uni, 0x86dd), TxRoute::Unicast);
	EXPECT_EQ(classify_tx(uni, 0x88ca), TxRoute::Unicast);
	EXPECT_EQ(classify_tx(uni, 0x0806), TxRoute::UnicastArp);
	EXPECT_EQ(classify_tx(uni, 0x8035), TxRoute::UnicastArp);
	EXPECT_EQ(classify_tx(uni, 0x8100), TxRoute::Drop);
	for (u16 p : {0x0800, 0x86dd, 0x0806, 0x8035, 0x88ca})
		EXPECT_EQ(classify_tx(mc, p), TxRoute::Multicast) << std::hex << p;
	EXPECT_EQ(classify_tx(mc, 0x88cc), TxRoute::Drop);
}

TEST(IpoibTxRoute, PatchPkey)
{
	HwAddr mc = broadcast_addr(0xffff);
	patch_mcast_pkey(mc, 0x8001);
	EXPECT_EQ(mc[8], 0x80);
	EXPECT_EQ(mc[9], 0x01);
	EXPECT_EQ(mc, broadcast_addr(0x8001));
}

// A GRH as a sender would build it (IBA 8.3).
std::vector<u8> make_grh(u8 version, u8 tclass, u32 flow, u16 paylen, u8 nxt, u8 hop, const u8 *sgid, const u8 *dgid)
{
	std::vector<u8> g(40);
	g[0] = static_cast<u8>((version << 4) | (tclass >> 4));
	g[1] = static_cast<u8>(((tclass & 0xf) << 4) | ((flow >> 16) & 0xf));
	g[2] = static_cast<u8>(flow >> 8);
	g[3] = static_cast<u8>(flow);
	g[4] = static_cast<u8>(paylen >> 8);
	g[5] = static_cast<u8>(paylen);
	g[6] = nxt;
	g[7] = hop;
	std::memcpy(&g[8], sgid, 16);
	std::memcpy(&g[24], dgid, 16);
	return g;
}

TEST(IpoibGrh, ParseFields)
{
	HwAddr b = broadcast_addr(0xffff);
	auto g = make_grh(6, 0xa5, 0xbcdef, 2048, 0x1b, 0xff, kGidA, b.gid().raw());
	auto r = parse_grh(ByteSpan(g.data(), g.size()));
	ASSERT_TRUE(r.is_ok());
	const Grh &h = r.value();
	EXPECT_EQ(h.m_version, 6);
	EXPECT_EQ(h.m_traffic_class, 0xa5);
	EXPECT_EQ(h.m_flow_label, 0xbcdefu);
	EXPECT_EQ(h.m_payload_len, 2048);
	EXPECT_EQ(h.m_next_header, kGrhNextHeaderIba);
	EXPECT_EQ(h.m_hop_limit, 0xff);
	EXPECT_EQ(h.m_sgid, Gid(kGidA));
	EXPECT_EQ(h.m_dgid, b.gid());
}

TEST(IpoibGrh, WrongVersionRejected)
{
	for (u8 v : {0, 4, 5, 7, 15}) {
		auto g = make_grh(v, 0, 0, 0, 0x1b, 0, kGidA, kGidB);
		EXPECT_EQ(parse_grh(ByteSpan(g.data(), g.size())).error().code(), -kern::err::EINVAL) << int(v);
	}
}

TEST(IpoibGrh, ShortRejectedEveryLength)
{
	auto g = make_grh(6, 0, 0, 0, 0x1b, 0, kGidA, kGidB);
	for (usize n = 0; n < 40; n++) {
		// A heap copy of exactly n bytes, so ASan catches any read past the span.
		std::vector<u8> part(g.begin(), g.begin() + static_cast<long>(n));
		EXPECT_TRUE(parse_grh(ByteSpan(part.data(), part.size())).is_err()) << n;
	}
	std::vector<u8> exact(g);
	EXPECT_TRUE(parse_grh(ByteSpan(exact.data(), exact.size())).is_ok());
}

TEST(IpoibRx, Classify)
{
	const Gid bcast = broadcast_addr(0xffff).gid();
	const Gid other_bcast = broadcast_addr(0x8001).gid();
	const Gid own(kGidA);
	u8 mc_raw[16] = {0xff, 0x12, 0x40, 0x1b, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0xe0, 0, 0, 1};
	const Gid mc(mc_raw);

	EXPECT_EQ(classify_rx(true, own, bcast), RxPacketType::Host);
	EXPECT_EQ(classify_rx(true, bcast, bcast), RxPacketType::Broadcast);
	EXPECT_EQ(classify_rx(true, mc, bcast), RxPacketType::Multicast);
	EXPECT_EQ(classify_rx(true, other_bcast, bcast), RxPacketType::Multicast)
		<< "another partition's broadcast MGID is just multicast";
	EXPECT_EQ(classify_rx(false, bcast, bcast), RxPacketType::Host) << "no GRH: the DGID bytes are garbage";
	EXPECT_EQ(classify_rx(false, mc, bcast), RxPacketType::Host);
}

TEST(IpoibRx, OwnEcho)
{
	LocalPort me;
	me.m_lid = 0x11;
	me.m_qpn = 0x48;
	me.m_gid = Gid(kGidA);
	const Gid same_if(kGidA);
	const Gid child_if(kGidB);
	Gid other_prefix = Gid::from_parts(0xfec0000000000000ull, Gid(kGidA).interface_id());

	EXPECT_TRUE(is_own_echo(0x11, 0x48, true, same_if, me));
	EXPECT_TRUE(is_own_echo(0x11, 0x48, false, child_if, me)) << "without a GRH the SGID is not looked at";
	EXPECT_FALSE(is_own_echo(0x11, 0x48, true, child_if, me)) << "different interface id: another sender";
	EXPECT_TRUE(is_own_echo(0x11, 0x48, true, other_prefix, me)) << "only the interface id is compared";
	EXPECT_FALSE(is_own_echo(0x12, 0x48, true, same_if, me));
	EXPECT_FALSE(is_own_echo(0x11, 0x49, true, same_if, me));
	EXPECT_TRUE(is_own_echo(0x11, 0xff000048, true, same_if, me)) << "QPNs are 24-bit";
}

ArpPacket sample_arp(u16 op)
{
	ArpPacket a;
	a.m_op = op;
	a.m_sender_hw = HwAddr(kHwFlagRc, 0x48, Gid(kGidA));
	a.m_sender_ip = 0x0a000001;
	a.m_target_hw = HwAddr(0, 0x49, Gid(kGidB));
	a.m_target_ip = 0x0a000002;
	return a;
}

TEST(IpoibArp, RoundTrip)
{
	u8 buf[56];
	ASSERT_TRUE(write_arp(MutableByteSpan(buf), sample_arp(arp_op::kRequest)).is_ok());
	EXPECT_EQ(buf[0], 0x00);
	EXPECT_EQ(buf[1], 32);
	EXPECT_EQ(buf[2], 0x08);
	EXPECT_EQ(buf[3], 0x00);
	EXPECT_EQ(buf[4], 20);
	EXPECT_EQ(buf[5], 4);
	EXPECT_EQ(buf[7], 1);
	EXPECT_EQ(buf[28], 10);
	EXPECT_EQ(buf[31], 1);
	EXPECT_EQ(buf[55], 2);

	std::vector<u8> exact(buf, buf + 56);
	auto r = parse_arp(ByteSpan(exact.data(), exact.size()));
	ASSERT_TRUE(r.is_ok());
	const ArpPacket want = sample_arp(arp_op::kRequest);
	EXPECT_EQ(r.value().m_op, arp_op::kRequest);
	EXPECT_EQ(r.value().m_sender_hw, want.m_sender_hw);
	EXPECT_EQ(r.value().m_sender_ip, want.m_sender_ip);
	EXPECT_EQ(r.value().m_target_hw, want.m_target_hw);
	EXPECT_EQ(r.value().m_target_ip, want.m_target_ip);
	EXPECT_TRUE(r.value().m_sender_hw.rc_capable());
}

TEST(IpoibArp, AllOpsAccepted)
{
	for (u16 op : {arp_op::kRequest, arp_op::kReply, arp_op::kRarpRequest, arp_op::kRarpReply}) {
		u8 buf[56];
		ASSERT_TRUE(write_arp(MutableByteSpan(buf), sample_arp(op)).is_ok());
		auto r = parse_arp(ByteSpan(buf));
		ASSERT_TRUE(r.is_ok()) << op;
		EXPECT_EQ(r.value().m_op, op);
	}
}

TEST(IpoibArp, Malformed)
{
	u8 good[56];
	ASSERT_TRUE(write_arp(MutableByteSpan(good), sample_arp(arp_op::kReply)).is_ok());
	struct Case {
		usize off;
		u8 val;
		const char *what;
	};
	const Case cases[] = {
		{1, 1, "ethernet hardware type"}, {0, 1, "hardware type 0x0120"}, {2, 0x86, "IPv6 protocol"},
		{4, 6, "hlen 6"},                 {4, 16, "hlen 16"},            {4, 21, "hlen 21"},
		{5, 16, "plen 16"},               {7, 0, "op 0"},                {7, 5, "op 5"},
		{6, 1, "op 0x0102"},
	};
	for (const Case &c : cases) {
		u8 bad[56];
		std::memcpy(bad, good, sizeof(bad));
		bad[c.off] = c.val;
		EXPECT_EQ(parse_arp(ByteSpan(bad)).error().code(), -kern::err::EINVAL) << c.what;
	}
}

TEST(IpoibArp, ShortRejectedEveryLength)
{
	u8 good[56];
	ASSERT_TRUE(write_arp(MutableByteSpan(good), sample_arp(arp_op::kReply)).is_ok());
	for (usize n = 0; n < 56; n++) {
		std::vector<u8> part(good, good + n);
		EXPECT_TRUE(parse_arp(ByteSpan(part.data(), part.size())).is_err()) << n;
	}
	u8 small[55];
	EXPECT_TRUE(write_arp(MutableByteSpan(small), sample_arp(1)).is_err());
}

// Every parser on every prefix of random-looking bytes: must never read
// out of bounds (ASan) and must agree with its length rule.
TEST(IpoibWire, ParsersAreTotal)
{
	std::vector<u8> noise(64);
	u32 x = 0x12345678;
	for (auto &b : noise) {
		x = x * 1103515245u + 12345u;
		b = static_cast<u8>(x >> 16);
	}
	noise[0] = 0x60; // make the GRH version valid for the long prefixes
	for (usize n = 0; n <= noise.size(); n++) {
		std::vector<u8> part(noise.begin(), noise.begin() + static_cast<long>(n));
		ByteSpan s(part.data(), part.size());
		EXPECT_EQ(parse_encap(s).is_ok(), n >= 4);
		EXPECT_EQ(parse_tx_header(s).is_ok(), n >= 24);
		EXPECT_EQ(parse_grh(s).is_ok(), n >= 40);
		EXPECT_FALSE(parse_arp(s).is_ok()) << "noise is not ARP";
	}
}

} // namespace

/* ---- csum_layout: where a TCP/UDP checksum goes ---- */

namespace {
std::vector<u8> ipv4(u8 ihl_words, u8 proto, u16 frag, usize total)
{
	std::vector<u8> b(total, 0);
	b[0] = static_cast<u8>(0x40 | ihl_words);
	b[6] = static_cast<u8>(frag >> 8);
	b[7] = static_cast<u8>(frag);
	b[9] = proto;
	return b;
}
std::vector<u8> ipv6(u8 next, usize total)
{
	std::vector<u8> b(total, 0);
	b[0] = 0x60;
	b[6] = next;
	return b;
}
Result<CsumLayout> layout(const std::vector<u8> &b, u16 proto)
{
	return csum_layout(ByteSpan(b.data(), b.size()), proto);
}
} // namespace

TEST(IpoibWire, CsumLayoutTcpUdpV4)
{
	auto tcp = layout(ipv4(5, 6, 0, 40), ethertype::kIpv4);
	ASSERT_TRUE(tcp.is_ok());
	EXPECT_EQ(tcp.value().start, 20);
	EXPECT_EQ(tcp.value().off, 16);
	auto udp = layout(ipv4(5, 17, 0, 28), ethertype::kIpv4);
	ASSERT_TRUE(udp.is_ok());
	EXPECT_EQ(udp.value().start, 20);
	EXPECT_EQ(udp.value().off, 6);
	/* Options move the L4 header; DF alone is no fragment. */
	auto opt = layout(ipv4(15, 6, 0x4000, 80), ethertype::kIpv4);
	ASSERT_TRUE(opt.is_ok());
	EXPECT_EQ(opt.value().start, 60);
}

TEST(IpoibWire, CsumLayoutTcpUdpV6)
{
	auto tcp = layout(ipv6(6, 60), ethertype::kIpv6);
	ASSERT_TRUE(tcp.is_ok());
	EXPECT_EQ(tcp.value().start, 40);
	EXPECT_EQ(tcp.value().off, 16);
	auto udp = layout(ipv6(17, 48), ethertype::kIpv6);
	ASSERT_TRUE(udp.is_ok());
	EXPECT_EQ(udp.value().off, 6);
}

TEST(IpoibWire, CsumLayoutRefusesWhatItCannotPlace)
{
	/* Not TCP/UDP: ICMP, an IPv6 extension header first. */
	EXPECT_TRUE(layout(ipv4(5, 1, 0, 40), ethertype::kIpv4).is_err());
	EXPECT_TRUE(layout(ipv6(0, 80), ethertype::kIpv6).is_err());
	/* Fragments: more-fragments, or an offset. */
	EXPECT_TRUE(layout(ipv4(5, 6, 0x2000, 40), ethertype::kIpv4).is_err());
	EXPECT_TRUE(layout(ipv4(5, 17, 0x0001, 40), ethertype::kIpv4).is_err());
	/* Bad header length, wrong version for the EtherType, not IP. */
	EXPECT_TRUE(layout(ipv4(4, 6, 0, 40), ethertype::kIpv4).is_err());
	EXPECT_TRUE(layout(ipv6(6, 60), ethertype::kIpv4).is_err());
	EXPECT_TRUE(layout(ipv4(5, 6, 0, 40), ethertype::kIpv6).is_err());
	EXPECT_TRUE(layout(ipv4(5, 6, 0, 40), ethertype::kArp).is_err());
	/* The checksum field must be inside the bytes given. */
	EXPECT_TRUE(layout(ipv4(5, 6, 0, 37), ethertype::kIpv4).is_err());
	EXPECT_TRUE(layout(ipv4(5, 6, 0, 38), ethertype::kIpv4).is_ok());
	EXPECT_TRUE(layout(ipv4(15, 17, 0, 67), ethertype::kIpv4).is_err());
	EXPECT_TRUE(layout(ipv6(17, 47), ethertype::kIpv6).is_err());
	EXPECT_TRUE(layout(std::vector<u8>(), ethertype::kIpv4).is_err());
}
