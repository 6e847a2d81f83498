/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/wire.h - IPoIB wire formats (pure: no kapi calls, unit-tested).
 *
 * Everything here is a value type or a total function over a byte span:
 * the 16-byte GID, the 20-byte IPoIB hardware address, the broadcast
 * address for a P_Key, the 4-byte encapsulation header, the 40-byte GRH,
 * the 24-byte transmit hard header the driver keeps in skb data, the
 * receive classification and ARP over IPoIB. Parsers take a
 * kern::Span<const u8> and never read outside it: anything short or
 * malformed is an -EINVAL Result, never a partial read.
 *
 * All multi-byte fields are big-endian on the wire (IBA vol 1 transmits
 * most-significant byte first; RFC 4391 section 6), and are read with kern::load_beN at byte offsets,
 * so no access is misaligned and no struct overlay is needed.
 */
#ifndef IPOIB_WIRE_H
#define IPOIB_WIRE_H

#include "kern/base.h"
#include "kern/endian.h"
#include "kern/result.h"
#include "kern/span.h"

namespace ipoib {

using kern::ByteSpan;
using kern::Error;
using kern::MutableByteSpan;
using kern::Result;
using kern::Status;
using kern::u16;
using kern::u32;
using kern::u64;
using kern::u8;
using kern::usize;

namespace wire_detail {
/*
 * At run time eight bytes at a time: the transmit path compares a 20-byte
 * address per packet (the neighbour lookup), which byte by byte took
 * about 60 instructions. Constant evaluation keeps the plain loops.
 */
constexpr bool bytes_equal(const u8 *a, const u8 *b, usize n) noexcept
{
	if (!__builtin_is_constant_evaluated()) {
		u64 diff = 0;
		usize i = 0;
		for (; i + 8 <= n; i += 8) {
			u64 x = 0, y = 0;
			__builtin_memcpy(&x, a + i, 8);
			__builtin_memcpy(&y, b + i, 8);
			diff |= x ^ y;
		}
		for (; i < n; i++)
			diff |= static_cast<u64>(a[i] ^ b[i]);
		return diff == 0;
	}
	for (usize i = 0; i < n; i++) {
		if (a[i] != b[i])
			return false;
	}
	return true;
}

constexpr void bytes_copy(u8 *dst, const u8 *src, usize n) noexcept
{
	if (!__builtin_is_constant_evaluated()) {
		__builtin_memcpy(dst, src, n);
		return;
	}
	for (usize i = 0; i < n; i++)
		dst[i] = src[i];
}
} /* namespace wire_detail */

/*
 * A 128-bit InfiniBand GID in wire order (IBA vol 1 chapter 4, modelled
 * on the IPv6 address): an 8-byte subnet prefix followed by an 8-byte
 * interface ID (the port GUID for the default GID). As in IPv6, a GID
 * whose first byte is 0xff is a multicast GID.
 */
class Gid {
public:
	static constexpr usize kLen = 16;

	constexpr Gid() noexcept : m_raw{} {}

	/* Copies 16 bytes; the caller's array has exactly that size. */
	constexpr explicit Gid(const u8 (&raw)[kLen]) noexcept : m_raw{} { wire_detail::bytes_copy(m_raw, raw, kLen); }

	/* From a span that must hold exactly 16 bytes. */
	static Result<Gid> from_span(ByteSpan bytes) noexcept
	{
		if (bytes.size() != kLen)
			return Error(-kern::err::EINVAL);
		Gid gid;
		wire_detail::bytes_copy(gid.m_raw, bytes.data(), kLen);
		return gid;
	}

	/* From a subnet prefix and interface ID given in host order. */
	static Gid from_parts(u64 subnet_prefix, u64 interface_id) noexcept
	{
		Gid gid;
		kern::store_be64(gid.m_raw, subnet_prefix);
		kern::store_be64(gid.m_raw + 8, interface_id);
		return gid;
	}

	constexpr const u8 *raw() const noexcept { return m_raw; }
	constexpr u8 *raw() noexcept { return m_raw; }
	/* The bytes as a sized array, for APIs that take exactly kLen bytes. */
	constexpr const u8 (&bytes() const noexcept)[kLen] { return m_raw; }
	ByteSpan span() const noexcept { return ByteSpan(m_raw); }
	constexpr u8 operator[](usize i) const noexcept { return i < kLen ? m_raw[i] : 0; }

	u64 subnet_prefix() const noexcept { return kern::load_be64(m_raw); }
	u64 interface_id() const noexcept { return kern::load_be64(m_raw + 8); }
	/* The i-th big-endian 16-bit group (0..7), as the debugfs format prints them. */
	u16 group(usize i) const noexcept { return i < 8 ? kern::load_be16(m_raw + 2 * i) : 0; }

	constexpr bool is_multicast() const noexcept { return m_raw[0] == 0xff; }

	constexpr bool operator==(const Gid &o) const noexcept { return wire_detail::bytes_equal(m_raw, o.m_raw, kLen); }
	constexpr bool operator!=(const Gid &o) const noexcept { return !(*this == o); }

private:
	u8 m_raw[kLen];
};
static_assert(sizeof(Gid) == 16 && alignof(Gid) == 1, "Gid must be its 16 wire bytes");

/* INFINIBAND_ALEN, and the QPN the IBA reserves as the multicast destination QP. */
inline constexpr usize kHwAddrLen = 20;
inline constexpr u32 kQpnMask = 0xffffff;
inline constexpr u32 kMulticastQpn = 0xffffff;
/* Byte 0 of the hardware address. RFC 4391 section 9.1.1 reserves it; Linux uses bit 7 for RC. */
inline constexpr u8 kHwFlagRc = 0x80; /* connected mode (RFC 4755) supported */
inline constexpr u8 kHwFlagUc = 0x40; /* unreliable connected: defined, never supported */

/*
 * The 20-byte IPoIB link-layer address (RFC 4391 section 9.1.1):
 *   byte 0      flags (reserved in the RFC; 0x80 = RC-capable in Linux)
 *   bytes 1-3   the 24-bit UD QPN, big-endian
 *   bytes 4-19  the port GID
 * It is what ARP and ND carry, and the key of the neighbour table.
 */
class HwAddr {
public:
	static constexpr usize kLen = kHwAddrLen;

	constexpr HwAddr() noexcept : m_raw{} {}

	constexpr explicit HwAddr(const u8 (&raw)[kLen]) noexcept : m_raw{} { wire_detail::bytes_copy(m_raw, raw, kLen); }

	HwAddr(u8 flags, u32 qpn, const Gid &gid) noexcept : m_raw{}
	{
		m_raw[0] = flags;
		set_qpn(qpn);
		set_gid(gid);
	}

	/* From a span that must hold exactly 20 bytes. */
	static Result<HwAddr> from_span(ByteSpan bytes) noexcept
	{
		if (bytes.size() != kLen)
			return Error(-kern::err::EINVAL);
		HwAddr addr;
		wire_detail::bytes_copy(addr.m_raw, bytes.data(), kLen);
		return addr;
	}

	constexpr u8 flags() const noexcept { return m_raw[0]; }
	constexpr bool rc_capable() const noexcept { return (m_raw[0] & kHwFlagRc) != 0; }

	/* IPOIB_QPN(): the flags byte is masked off, leaving 24 bits. */
	u32 qpn() const noexcept { return kern::load_be32(m_raw) & kQpnMask; }

	Gid gid() const noexcept
	{
		Gid gid;
		wire_detail::bytes_copy(gid.raw(), m_raw + 4, Gid::kLen);
		return gid;
	}

	/* A multicast hardware address is one whose GID is multicast (the TX test in ndo_start_xmit). */
	constexpr bool is_multicast() const noexcept { return m_raw[4] == 0xff; }

	void set_flags(u8 flags) noexcept { m_raw[0] = flags; }
	/* Stores the low 24 bits; a QPN is a 24-bit quantity in every IBA header. */
	void set_qpn(u32 qpn) noexcept
	{
		m_raw[1] = static_cast<u8>(qpn >> 16);
		m_raw[2] = static_cast<u8>(qpn >> 8);
		m_raw[3] = static_cast<u8>(qpn);
	}
	void set_gid(const Gid &gid) noexcept { wire_detail::bytes_copy(m_raw + 4, gid.raw(), Gid::kLen); }

	/* The P_Key bytes of a multicast address (bytes 8-9, MGID bytes 4-5). */
	u16 mcast_pkey() const noexcept { return kern::load_be16(m_raw + 8); }
	void set_mcast_pkey(u16 pkey) noexcept { kern::store_be16(m_raw + 8, pkey); }

	constexpr const u8 *raw() const noexcept { return m_raw; }
	constexpr u8 *raw() noexcept { return m_raw; }
	/* The bytes as a sized array, for APIs that take exactly kLen bytes. */
	constexpr const u8 (&bytes() const noexcept)[kLen] { return m_raw; }
	ByteSpan span() const noexcept { return ByteSpan(m_raw); }
	constexpr u8 operator[](usize i) const noexcept { return i < kLen ? m_raw[i] : 0; }

	/* All 20 bytes, flags included, as the in-tree neighbour lookup compares them. */
	constexpr bool operator==(const HwAddr &o) const noexcept
	{
		return wire_detail::bytes_equal(m_raw, o.m_raw, kLen);
	}
	constexpr bool operator!=(const HwAddr &o) const noexcept { return !(*this == o); }

private:
	u8 m_raw[kLen];
};
static_assert(sizeof(HwAddr) == 20 && alignof(HwAddr) == 1, "HwAddr must be its 20 wire bytes");
static_assert(__is_trivially_copyable(HwAddr) && __is_trivially_copyable(Gid), "wire types are plain bytes");

/* P_Key bit 15: full membership (IBA partitioning). IPoIB always sets it in addresses. */
inline constexpr u16 kPkeyFullMember = 0x8000;
/* Multicast scope nibble of the IPv4 broadcast group: 2 = link-local (RFC 4391 section 4). */
inline constexpr u8 kScopeLinkLocal = 0x2;

/*
 * The broadcast address for a P_Key (RFC 4391 sections 4 and 4.1: the
 * broadcast group is the IPv4 broadcast address mapped like any IPv4
 * group, i.e. in the 0x401b signature space):
 *   00 | ff ff ff | ff 1S 40 1b | PK PK | 00 00 00 00 00 00 | ff ff ff ff
 * The MGID is ff1S:401b:PKEY::ffff:ffff with S the scope; the P_Key is
 * stored with the full-member bit set, as the in-tree driver does (pkey |=
 * 0x8000 at init), so that a limited-member P_Key still names the one
 * broadcast group of the partition.
 */
inline HwAddr broadcast_addr(u16 pkey, u8 scope = kScopeLinkLocal) noexcept
{
	const u8 raw[kHwAddrLen] = {
		0x00, 0xff, 0xff, 0xff, 0xff, static_cast<u8>(0x10 | (scope & 0x0f)), 0x40, 0x1b,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
	};
	HwAddr addr(raw);
	addr.set_mcast_pkey(static_cast<u16>(pkey | kPkeyFullMember));
	return addr;
}

/* EtherTypes IPoIB carries. */
namespace ethertype {
inline constexpr u16 kIpv4 = 0x0800;
inline constexpr u16 kArp = 0x0806;
inline constexpr u16 kRarp = 0x8035;
inline constexpr u16 kIpv6 = 0x86dd;
inline constexpr u16 kTipc = 0x88ca; /* not in RFC 4391, but the in-tree driver passes it */
} /* namespace ethertype */

/*
 * RFC 4391 section 6 takes the Type values from the EtherType registry
 * and is written for IPv4, ARP and IPv6; the in-tree driver additionally
 * passes RARP and TIPC and drops everything else (tx_dropped). We accept
 * exactly the same five so that both ends agree on what crosses the link.
 */
constexpr bool is_supported_ethertype(u16 proto) noexcept
{
	return proto == ethertype::kIpv4 || proto == ethertype::kIpv6 || proto == ethertype::kArp ||
	       proto == ethertype::kRarp || proto == ethertype::kTipc;
}

/*
 * The 4-byte IPoIB encapsulation header (RFC 4391 section 6):
 *   bytes 0-1  Type: the EtherType, big-endian
 *   bytes 2-3  Reserved: "MUST be set to zero on send and ignored on receive"
 */
inline constexpr usize kEncapLen = 4;

struct EncapHeader {
	u16 m_proto = 0;    /* host order */
	u16 m_reserved = 0; /* as received; ignored per RFC 4391 */
};

/* Parses the first 4 bytes; a shorter buffer is -EINVAL. The protocol itself is not judged here. */
inline Result<EncapHeader> parse_encap(ByteSpan bytes) noexcept
{
	if (bytes.size() < kEncapLen)
		return Error(-kern::err::EINVAL);
	EncapHeader hdr;
	hdr.m_proto = kern::load_be16(bytes.data());
	hdr.m_reserved = kern::load_be16(bytes.data() + 2);
	return hdr;
}

/* Writes the header with a zero reserved field; -EINVAL if `out` is shorter than 4 bytes. */
inline Status write_encap(MutableByteSpan out, u16 proto) noexcept
{
	if (out.size() < kEncapLen)
		return Error(-kern::err::EINVAL);
	kern::store_be16(out.data(), proto);
	kern::store_be16(out.data() + 2, 0);
	return kern::ok();
}

/*
 * Our extension of the reserved field, used only on a connected-mode
 * connection whose receiver advertised cm::kCapCsumFree: the packet is
 * TCP or UDP whose checksum the sender left undone (the field holds the
 * pseudo-header sum, as CHECKSUM_PARTIAL has it), the RC transport's
 * ICRC having covered the payload end to end. The receiver finds where
 * the checksum goes with csum_layout(), as the sender checked it would.
 */
inline constexpr u16 kEncapCsumFree = 0x0001;

/* Where an L4 checksum goes, from the start of the IP header. */
struct CsumLayout {
	u16 start = 0; /* the TCP/UDP header */
	u16 off = 0;   /* the checksum field, from start */
	bool operator==(const CsumLayout &o) const { return start == o.start && off == o.off; }
};

/*
 * The checksum layout of a TCP or UDP packet in bytes (from the IP header
 * on) of EtherType proto: IPv4 with any options, not a fragment; IPv6 with
 * TCP or UDP as the first next header. The checksum field must lie within
 * bytes. Anything else is -EPROTO (the sender then checksums in software).
 */
inline Result<CsumLayout> csum_layout(ByteSpan l3, u16 proto) noexcept
{
	constexpr u8 kTcp = 6, kUdp = 17;
	const u8 *b = l3.data();
	CsumLayout l;
	u8 l4;
	if (proto == ethertype::kIpv4) {
		if (l3.size() < 20 || (b[0] >> 4) != 4)
			return Error(-kern::err::EPROTO);
		const u32 ihl = (b[0] & 0x0fu) * 4u;
		/* More fragments, or an offset: no L4 header to checksum alone. */
		if (ihl < 20 || (kern::load_be16(b + 6) & 0x3fffu) != 0)
			return Error(-kern::err::EPROTO);
		l.start = static_cast<u16>(ihl);
		l4 = b[9];
	} else if (proto == ethertype::kIpv6) {
		if (l3.size() < 40 || (b[0] >> 4) != 6)
			return Error(-kern::err::EPROTO);
		l.start = 40;
		l4 = b[6];
	} else {
		return Error(-kern::err::EPROTO);
	}
	if (l4 == kTcp)
		l.off = 16;
	else if (l4 == kUdp)
		l.off = 6;
	else
		return Error(-kern::err::EPROTO);
	if (static_cast<usize>(l.start) + l.off + 2 > l3.size())
		return Error(-kern::err::EPROTO);
	return l;
}

/*
 * Transmit hard header. The 6.1 driver keeps the destination in skb data,
 * not in skb->cb: header_ops.create pushes the encap header and then the
 * 20-byte destination in front of it, so at ndo_start_xmit skb->data is
 *   bytes 0-19   destination hardware address (the "pseudo header")
 *   bytes 20-23  encapsulation header
 * and hard_header_len is 24. ndo_start_xmit pulls the 20 bytes back off,
 * leaving the encap header as the start of the IB payload. On receive the
 * driver pushes 20 zero bytes in the same place so that the mac header
 * has the same length both ways.
 */
inline constexpr usize kPseudoHeaderLen = kHwAddrLen;
inline constexpr usize kHardHeaderLen = kPseudoHeaderLen + kEncapLen;
static_assert(kHardHeaderLen == 24, "hard_header_len must match the in-tree driver");

struct TxHeader {
	HwAddr m_daddr;
	u16 m_proto = 0;
};

/* Builds the 24-byte transmit hard header in `out` (which must hold at least 24 bytes). */
inline Status write_tx_header(MutableByteSpan out, const HwAddr &daddr, u16 proto) noexcept
{
	if (out.size() < kHardHeaderLen)
		return Error(-kern::err::EINVAL);
	wire_detail::bytes_copy(out.data(), daddr.raw(), kHwAddrLen);
	return write_encap(out.subspan(kPseudoHeaderLen), proto);
}

/* Reads the 24-byte transmit hard header back (ndo_start_xmit's view). */
inline Result<TxHeader> parse_tx_header(ByteSpan bytes) noexcept
{
	if (bytes.size() < kHardHeaderLen)
		return Error(-kern::err::EINVAL);
	TxHeader hdr;
	hdr.m_daddr = TRY(HwAddr::from_span(bytes.first(kHwAddrLen)));
	hdr.m_proto = TRY(parse_encap(bytes.subspan(kPseudoHeaderLen))).m_proto;
	return hdr;
}

/* What ndo_start_xmit does with a packet, decided from its hard header alone. */
enum class TxRoute : u8 {
	Drop,       /* unsupported EtherType: count tx_dropped */
	Multicast,  /* multicast/broadcast: patch the P_Key, use the mcast group */
	Unicast,    /* IPv4/IPv6/TIPC unicast: through the neighbour table */
	UnicastArp, /* ARP/RARP unicast: always a path lookup, bypassing the neighbour cache */
};

/*
 * Mirrors the in-tree ndo_start_xmit: multicast is recognised by byte 4
 * of the destination (the first MGID byte); multicast accepts all five
 * EtherTypes; unicast ARP/RARP is routed by path because the neighbour
 * may not exist yet (that is what ARP is resolving).
 */
constexpr TxRoute classify_tx(const HwAddr &daddr, u16 proto) noexcept
{
	if (!is_supported_ethertype(proto))
		return TxRoute::Drop;
	if (daddr.is_multicast())
		return TxRoute::Multicast;
	if (proto == ethertype::kArp || proto == ethertype::kRarp)
		return TxRoute::UnicastArp;
	return TxRoute::Unicast;
}

/*
 * Multicast transmit: the destination from the stack carries whatever
 * P_Key the neighbour layer had; the driver overwrites bytes 8-9 with its
 * own P_Key (RFC 4391 section 4: the P_Key is part of the MGID).
 */
inline void patch_mcast_pkey(HwAddr &daddr, u16 pkey) noexcept { daddr.set_mcast_pkey(pkey); }

/*
 * The 40-byte Global Route Header (IBA vol 1 section 8.3), present at the
 * start of every UD receive buffer; valid only when the completion has
 * IB_WC_GRH.
 *   byte 0      IPVer (4 bits, must be 6) | TClass high nibble
 *   byte 1      TClass low nibble | FlowLabel bits 19-16
 *   bytes 2-3   FlowLabel bits 15-0
 *   bytes 4-5   PayLen
 *   byte 6      NxtHdr (0x1b for IBA transport)
 *   byte 7      HopLmt
 *   bytes 8-23  SGID
 *   bytes 24-39 DGID
 */
inline constexpr usize kGrhLen = 40;
inline constexpr u8 kGrhVersion = 6;
inline constexpr u8 kGrhNextHeaderIba = 0x1b;

struct Grh {
	u8 m_version = 0;
	u8 m_traffic_class = 0;
	u32 m_flow_label = 0;
	u16 m_payload_len = 0;
	u8 m_next_header = 0;
	u8 m_hop_limit = 0;
	Gid m_sgid;
	Gid m_dgid;
};

/* Parses a GRH: -EINVAL if shorter than 40 bytes or IPVer is not 6. */
inline Result<Grh> parse_grh(ByteSpan bytes) noexcept
{
	if (bytes.size() < kGrhLen)
		return Error(-kern::err::EINVAL);
	const u8 *p = bytes.data();
	Grh grh;
	grh.m_version = static_cast<u8>(p[0] >> 4);
	if (grh.m_version != kGrhVersion)
		return Error(-kern::err::EINVAL);
	grh.m_traffic_class = static_cast<u8>(((p[0] & 0x0f) << 4) | (p[1] >> 4));
	grh.m_flow_label = kern::load_be32(p) & 0xfffff;
	grh.m_payload_len = kern::load_be16(p + 4);
	grh.m_next_header = p[6];
	grh.m_hop_limit = p[7];
	grh.m_sgid = TRY(Gid::from_span(bytes.subspan(8, Gid::kLen)));
	grh.m_dgid = TRY(Gid::from_span(bytes.subspan(24, Gid::kLen)));
	return grh;
}

/* skb->pkt_type for a received packet. */
enum class RxPacketType : u8 {
	Host,      /* PACKET_HOST */
	Broadcast, /* PACKET_BROADCAST */
	Multicast, /* PACKET_MULTICAST */
};

/*
 * As the in-tree UD receive path: without a GRH, or with a DGID that is
 * not multicast, the packet was sent to us (UD unicast needs no GRH and
 * the DGID of a unicast GRH is one of our GIDs, so our own GID is not
 * needed to decide); a multicast DGID equal to the broadcast MGID is
 * broadcast, any other multicast DGID is multicast.
 */
inline RxPacketType classify_rx(bool has_grh, const Gid &dgid, const Gid &bcast_mgid) noexcept
{
	if (!has_grh || !dgid.is_multicast())
		return RxPacketType::Host;
	if (dgid == bcast_mgid)
		return RxPacketType::Broadcast;
	return RxPacketType::Multicast;
}

/* What the receiving interface knows about itself for the echo test. */
struct LocalPort {
	u16 m_lid = 0;
	u32 m_qpn = 0;       /* the receive QP (the address's) */
	Gid m_gid;
	const u32 *m_tx_qpns = nullptr; /* the send QPs, one per TX queue */
	u32 m_ntx = 0;
};

/*
 * The HCA replicates our own multicast sends back to our QP when it is
 * attached to the group. Such a packet has SLID == our LID and source QP
 * == our QP. A P_Key child sharing the port has its own QP, but a child
 * created with a different port GID (e.g. an alias GUID) would otherwise
 * be indistinguishable, so a GRH SGID whose interface ID differs from
 * ours means "another interface sent it" and the packet is kept. Only the
 * interface ID is compared, as in-tree: the subnet prefix is the same.
 * We send from one QP per TX queue (not the receive QP the address
 * names), so the source QP may be any of those.
 */
inline bool is_own_echo(u16 slid, u32 src_qp, bool has_grh, const Gid &sgid, const LocalPort &local) noexcept
{
	if (slid != local.m_lid)
		return false;
	const u32 qp = src_qp & kQpnMask;
	bool ours = qp == (local.m_qpn & kQpnMask);
	for (u32 i = 0; !ours && i < local.m_ntx; i++)
		ours = qp == (local.m_tx_qpns[i] & kQpnMask);
	if (!ours)
		return false;
	if (has_grh && sgid.interface_id() != local.m_gid.interface_id())
		return false;
	return true;
}

/*
 * ARP over IPoIB (RFC 4391 section 9.2, RFC 826 layout):
 *   bytes 0-1  ar_hrd = 32 (ARPHRD_INFINIBAND, IANA hardware type 32)
 *   bytes 2-3  ar_pro = 0x0800
 *   byte 4     ar_hln = 20
 *   byte 5     ar_pln = 4
 *   bytes 6-7  ar_op
 *   then sender hw (20), sender IP (4), target hw (20), target IP (4): 56 bytes in all.
 */
inline constexpr u16 kArpHrdInfiniband = 32;
inline constexpr usize kArpLen = 8 + 2 * (kHwAddrLen + 4);
static_assert(kArpLen == 56, "ARP over IPoIB is 56 bytes");

namespace arp_op {
inline constexpr u16 kRequest = 1;
inline constexpr u16 kReply = 2;
inline constexpr u16 kRarpRequest = 3;
inline constexpr u16 kRarpReply = 4;
} /* namespace arp_op */

struct ArpPacket {
	u16 m_op = 0;
	HwAddr m_sender_hw;
	u32 m_sender_ip = 0; /* host order */
	HwAddr m_target_hw;
	u32 m_target_ip = 0; /* host order */
};

/*
 * Validates and splits an ARP/RARP packet. Rejected with -EINVAL: shorter
 * than 56 bytes, a hardware type other than 32, a protocol other than
 * IPv4, hln != 20 or pln != 4 (the kernel's arp_rcv check against
 * dev->addr_len), or an opcode outside 1-4.
 */
inline Result<ArpPacket> parse_arp(ByteSpan bytes) noexcept
{
	if (bytes.size() < kArpLen)
		return Error(-kern::err::EINVAL);
	const u8 *p = bytes.data();
	if (kern::load_be16(p) != kArpHrdInfiniband || kern::load_be16(p + 2) != ethertype::kIpv4 ||
	    p[4] != kHwAddrLen || p[5] != 4)
		return Error(-kern::err::EINVAL);
	ArpPacket arp;
	arp.m_op = kern::load_be16(p + 6);
	if (arp.m_op < arp_op::kRequest || arp.m_op > arp_op::kRarpReply)
		return Error(-kern::err::EINVAL);
	arp.m_sender_hw = TRY(HwAddr::from_span(bytes.subspan(8, kHwAddrLen)));
	arp.m_sender_ip = kern::load_be32(p + 28);
	arp.m_target_hw = TRY(HwAddr::from_span(bytes.subspan(32, kHwAddrLen)));
	arp.m_target_ip = kern::load_be32(p + 52);
	return arp;
}

/* Writes a 56-byte ARP over IPoIB packet (for tests and for gratuitous ARP helpers). */
inline Status write_arp(MutableByteSpan out, const ArpPacket &arp) noexcept
{
	if (out.size() < kArpLen)
		return Error(-kern::err::EINVAL);
	u8 *p = out.data();
	kern::store_be16(p, kArpHrdInfiniband);
	kern::store_be16(p + 2, ethertype::kIpv4);
	p[4] = kHwAddrLen;
	p[5] = 4;
	kern::store_be16(p + 6, arp.m_op);
	wire_detail::bytes_copy(p + 8, arp.m_sender_hw.raw(), kHwAddrLen);
	kern::store_be32(p + 28, arp.m_sender_ip);
	wire_detail::bytes_copy(p + 32, arp.m_target_hw.raw(), kHwAddrLen);
	kern::store_be32(p + 52, arp.m_target_ip);
	return kern::ok();
}

} /* namespace ipoib */

#endif /* IPOIB_WIRE_H */
