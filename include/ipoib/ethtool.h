/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/ethtool.h - the pure parts of the ethtool operations (pure: no
 * kapi calls, unit-tested): the link speed from the port's lane speed
 * and width, the link settings ethtool reports, the -S counter names and
 * the -C rules. Behaviour follows the in-tree ipoib_ethtool.c (reference
 * note b4); XDR lanes are reported as later kernels do.
 */
#ifndef IPOIB_ETHTOOL_H
#define IPOIB_ETHTOOL_H

#include "kern/base.h"
#include "kern/result.h"

namespace ipoib::ethtool {

using kern::s32;
using kern::u16;
using kern::u32;
using kern::u8;
using kern::usize;

/* uapi/linux/ethtool.h values (kern/ethtool.h checks them against the glue's). */
inline constexpr u32 kSpeedUnknown = 0xffffffffu; /* SPEED_UNKNOWN (-1) */
inline constexpr u8 kDuplexFull = 0x01;           /* DUPLEX_FULL */
inline constexpr u8 kDuplexUnknown = 0xff;        /* DUPLEX_UNKNOWN */
inline constexpr u8 kPortOther = 0xff;            /* PORT_OTHER */
inline constexpr u8 kPortTp = 0x00;               /* PORT_TP: what a zeroed struct says */
inline constexpr u8 kAutonegEnable = 0x01;        /* AUTONEG_ENABLE */
inline constexpr u8 kPhyAddress = 0xff;           /* in-tree reports 0xFF */

/* enum ib_port_speed: one bit per lane speed. XDR is in the IB spec and in kernels from 6.7. */
enum IbSpeed : u16 {
	kSpeedSdr = 1,
	kSpeedDdr = 2,
	kSpeedQdr = 4,
	kSpeedFdr10 = 8,
	kSpeedFdr = 16,
	kSpeedEdr = 32,
	kSpeedHdr = 64,
	kSpeedNdr = 128,
	kSpeedXdr = 256,
};

/* enum ib_port_width: the bit for each lane count. */
enum IbWidth : u8 {
	kWidth1x = 1,
	kWidth4x = 2,
	kWidth8x = 4,
	kWidth12x = 8,
	kWidth2x = 16,
};

/* Mb/s of one lane (in-tree ib_speed_enum_to_int); -1 for anything else. */
constexpr s32 lane_speed_mbps(u16 speed)
{
	switch (speed) {
	case kSpeedSdr:
		return 2500;
	case kSpeedDdr:
		return 5000;
	case kSpeedQdr:
	case kSpeedFdr10:
		return 10000;
	case kSpeedFdr:
		return 14000;
	case kSpeedEdr:
		return 25000;
	case kSpeedHdr:
		return 50000;
	case kSpeedNdr:
		return 100000;
	case kSpeedXdr:
		return 200000;
	default:
		return -1;
	}
}

/* Number of lanes (ib_width_enum_to_int); -1 for anything else. */
constexpr s32 width_lanes(u8 width)
{
	switch (width) {
	case kWidth1x:
		return 1;
	case kWidth2x:
		return 2;
	case kWidth4x:
		return 4;
	case kWidth8x:
		return 8;
	case kWidth12x:
		return 12;
	default:
		return -1;
	}
}

/* The fields of ethtool's link settings that ipoib sets; the core zeroes the rest. */
struct LinkSettings {
	u32 speed = 0;
	u8 duplex = 0;
	u8 port = kPortTp;
	u8 phy_address = 0;
	u8 autoneg = 0;
};

/*
 * Without carrier: speed and duplex unknown, everything else left zero.
 * With carrier: lanes x lane speed, full duplex, PHY address 0xff,
 * autoneg on, port OTHER. An unknown speed or width is -EINVAL, as
 * in-tree (ethtool then prints "Cannot get device settings").
 */
inline kern::Result<LinkSettings> link_settings(bool carrier, u16 speed, u8 width)
{
	LinkSettings ls;
	if (!carrier) {
		ls.speed = kSpeedUnknown;
		ls.duplex = kDuplexUnknown;
		return ls;
	}
	const s32 lane = lane_speed_mbps(speed);
	const s32 lanes = width_lanes(width);
	if (lane < 0 || lanes < 0)
		return kern::Error(-kern::err::EINVAL);
	ls.speed = static_cast<u32>(lane) * static_cast<u32>(lanes);
	ls.duplex = kDuplexFull;
	ls.phy_address = kPhyAddress;
	ls.autoneg = kAutonegEnable;
	ls.port = kPortOther;
	return ls;
}

/* ethtool -S: in-tree's ipoib_gstrings_stats, in its order. */
enum class Stat : u8 {
	RxPackets,
	TxPackets,
	RxBytes,
	TxBytes,
	TxErrors,
	RxDropped,
	TxDropped,
	Multicast,
	Count,
};
inline constexpr u32 kStatCount = static_cast<u32>(Stat::Count);
inline constexpr usize kStringLen = 32; /* ETH_GSTRING_LEN */
inline constexpr const char *kStatNames[kStatCount] = {
	"rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "tx_errors", "rx_dropped", "tx_dropped", "multicast",
};

/*
 * Writes the names as ethtool wants them: kStatCount slots of 32 bytes,
 * each NUL-padded. out must hold kStatCount * kStringLen bytes.
 */
inline void fill_stat_strings(u8 *out)
{
	for (u32 i = 0; i < kStatCount; i++) {
		const char *n = kStatNames[i];
		usize j = 0;
		for (; n[j] && j < kStringLen - 1; j++)
			out[i * kStringLen + j] = static_cast<u8>(n[j]);
		for (; j < kStringLen; j++)
			out[i * kStringLen + j] = 0;
	}
}

/* ethtool -C: rx-usecs and rx-frames, each at most 0xffff (the CQ moderation fields are u16). */
inline constexpr u32 kCoalesceMax = 0xffff;
struct Coalesce {
	u32 rx_usecs = 0;
	u32 rx_frames = 0;
};
constexpr bool coalesce_valid(const Coalesce &c)
{
	return c.rx_usecs <= kCoalesceMax && c.rx_frames <= kCoalesceMax;
}

} // namespace ipoib::ethtool

#endif /* IPOIB_ETHTOOL_H */
