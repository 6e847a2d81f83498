/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/mcast_map.h - IP multicast group to IB MGID mapping (pure).
 *
 * RFC 4391 section 4 maps an IP multicast group onto an IB multicast GID:
 *
 *   IPv4:  ff1S:401b:PPPP:0000:0000:0000:GGGG:GGGG  (low 28 bits of the group)
 *   IPv6:  ff1S:601b:PPPP:<low 80 bits of the group>
 *
 * S is the scope and PPPP the P_Key. Linux does not derive either from
 * the IP group: both come from the interface's broadcast address (its
 * byte 5 low nibble, and bytes 8-9), so that all groups of an interface
 * live in the partition and scope of its broadcast group. We reproduce
 * ip_ib_mc_map() and ipv6_ib_mc_map() byte for byte, because the peer
 * joins the same MGID by the same rule and any difference would make
 * the groups silently disjoint.
 *
 * The result is a 20-byte multicast hardware address: reserved byte 0,
 * QPN 0xffffff (the multicast QPN the IBA reserves), then the MGID.
 */
#ifndef IPOIB_MCAST_MAP_H
#define IPOIB_MCAST_MAP_H

#include "ipoib/wire.h"
#include "kern/base.h"
#include "kern/endian.h"

namespace ipoib {

/* The MGID signature bytes 2-3 (RFC 4391 section 4). */
inline constexpr u8 kMgidSigIpv4 = 0x40;
inline constexpr u8 kMgidSigIpv6 = 0x60;
inline constexpr u8 kMgidSigLow = 0x1b;

namespace mcast_detail {
/*
 * Bytes 0-9 of a multicast hw address: reserved, multicast QPN, then the
 * MGID's ff, 0x10|scope, signature, 0x1b and the broadcast P_Key bytes.
 * Byte 5's high nibble is the flags nibble: 1 = transient (not a
 * well-known, IBA-assigned) group.
 */
inline void put_prefix(u8 *out, const HwAddr &bcast, u8 signature) noexcept
{
	out[0] = 0;
	out[1] = 0xff;
	out[2] = 0xff;
	out[3] = 0xff;
	out[4] = 0xff;
	out[5] = static_cast<u8>(0x10 | (bcast[5] & 0x0f));
	out[6] = signature;
	out[7] = kMgidSigLow;
	out[8] = bcast[8];
	out[9] = bcast[9];
}
} /* namespace mcast_detail */

/*
 * ip_ib_mc_map(): `group` is the IPv4 group in network order as it sits
 * in the packet (the kernel's __be32). Bytes 10-15 are zero and 16-19
 * carry the low 28 bits of the group; the top 4 bits (always 1110 for a
 * class D address) are dropped.
 */
inline HwAddr ipv4_mc_hwaddr(kern::Be32 group, const HwAddr &bcast) noexcept
{
	u8 raw[kHwAddrLen] = {};
	mcast_detail::put_prefix(raw, bcast, kMgidSigIpv4);
	const u32 addr = group.to_cpu();
	raw[16] = static_cast<u8>((addr >> 24) & 0x0f);
	raw[17] = static_cast<u8>(addr >> 16);
	raw[18] = static_cast<u8>(addr >> 8);
	raw[19] = static_cast<u8>(addr);
	return HwAddr(raw);
}

/* Same, from a host-order address such as 0xe0000001 for 224.0.0.1. */
inline HwAddr ipv4_mc_hwaddr_host(u32 group, const HwAddr &bcast) noexcept
{
	return ipv4_mc_hwaddr(kern::Be32::from_cpu(group), bcast);
}

/* An IPv6 address as its 16 network-order bytes (struct in6_addr). */
struct Ipv6Addr {
	u8 m_raw[16] = {};
};

/* ipv6_ib_mc_map(): bytes 10-19 are bytes 6-15 of the group (its low 80 bits). */
inline HwAddr ipv6_mc_hwaddr(const Ipv6Addr &group, const HwAddr &bcast) noexcept
{
	u8 raw[kHwAddrLen] = {};
	mcast_detail::put_prefix(raw, bcast, kMgidSigIpv6);
	for (usize i = 0; i < 10; i++)
		raw[10 + i] = group.m_raw[6 + i];
	return HwAddr(raw);
}

/* The MGID of a group, i.e. bytes 4-19 of its hardware address. */
inline Gid ipv4_mc_mgid(kern::Be32 group, const HwAddr &bcast) noexcept { return ipv4_mc_hwaddr(group, bcast).gid(); }
inline Gid ipv6_mc_mgid(const Ipv6Addr &group, const HwAddr &bcast) noexcept
{
	return ipv6_mc_hwaddr(group, bcast).gid();
}

/*
 * The hardware address the stack uses for an MGID: reserved flags byte 0,
 * QPN 0xffffff, the MGID (what the driver hands up for a group it joined).
 */
inline HwAddr mcast_hwaddr_from_mgid(const Gid &mgid) noexcept { return HwAddr(0, kMulticastQpn, mgid); }

/*
 * The restart task's filter for dev->mc entries: a usable group address
 * agrees with the broadcast address in bytes 0-5 (reserved byte,
 * multicast QPN, ff, flags/scope) and 7-9 (signature low byte and P_Key).
 * Byte 6 is skipped because it is the 0x40/0x60 IPv4/IPv6 signature,
 * which legitimately differs. Anything else (a group for another P_Key
 * or scope, or garbage) is ignored rather than joined.
 */
inline bool mcast_addr_is_valid(const HwAddr &addr, const HwAddr &bcast) noexcept
{
	for (usize i = 0; i < 6; i++) {
		if (addr[i] != bcast[i])
			return false;
	}
	for (usize i = 7; i < 10; i++) {
		if (addr[i] != bcast[i])
			return false;
	}
	return true;
}

} /* namespace ipoib */

#endif /* IPOIB_MCAST_MAP_H */
