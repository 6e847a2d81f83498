/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/ethtool.h - ethtool_ops from C++: the plain structs the upcalls
 * fill, the HCA's bus and firmware names, and KERN_ETHTOOL_OPS(Driver,
 * Owner), which defines the fixed-name upcalls of kapi/ethtool.h once,
 * forwarding to static members of Driver:
 *
 *     static void eth_get_drvinfo(Owner &, NetDev, EthDrvInfo &);
 *     static Status eth_get_link_ksettings(Owner &, NetDev, EthLink &);
 *     static Status eth_get_coalesce(Owner &, NetDev, EthCoalesce &);
 *     static Status eth_set_coalesce(Owner &, NetDev, const EthCoalesce &);
 *     static int eth_get_sset_count(Owner &, NetDev, int sset);
 *     static void eth_get_strings(Owner &, NetDev, u32 sset, u8 *data);
 *     static void eth_get_stats(Owner &, NetDev, u64 *data);
 *     static void eth_get_rings(Owner &, NetDev, EthRings &);
 *     static Status eth_set_rings(Owner &, NetDev, const EthRings &);
 *     static void eth_get_channels(Owner &, NetDev, EthChannels &);
 *     static Status eth_set_channels(Owner &, NetDev, const EthChannels &);
 *
 * Context for all: process, rtnl held, may sleep (kapi/ethtool.h).
 */
#ifndef KERN_ETHTOOL_H
#define KERN_ETHTOOL_H

#include "kapi/ethtool.h"
#include "kapi/ib.h"
#include "kern/base.h"
#include "kern/ib.h"
#include "kern/netdev.h"
#include "kern/result.h"

namespace kern {

inline constexpr usize kEthInfoLen = KAPI_ETHTOOL_INFO_LEN;
inline constexpr usize kEthStringLen = KAPI_ETH_GSTRING_LEN;
inline constexpr int kEthSsStats = KAPI_ETH_SS_STATS;

/* uapi values the driver's pure parts must agree with. */
namespace eth {
inline constexpr u32 kSpeedUnknown = KAPI_SPEED_UNKNOWN;
inline constexpr u8 kDuplexFull = KAPI_DUPLEX_FULL;
inline constexpr u8 kDuplexUnknown = KAPI_DUPLEX_UNKNOWN;
inline constexpr u8 kPortTp = KAPI_PORT_TP;
inline constexpr u8 kPortOther = KAPI_PORT_OTHER;
inline constexpr u8 kAutonegEnable = KAPI_AUTONEG_ENABLE;
} // namespace eth

/* ethtool -i: NUL-terminated strings; version holds the core's default on entry. */
struct EthDrvInfo {
	char driver[kEthInfoLen];
	char version[kEthInfoLen];
	char fw_version[kEthInfoLen];
	char bus_info[kEthInfoLen];
};

struct EthLink {
	u32 speed = 0;
	u8 duplex = 0;
	u8 port = 0;
	u8 phy_address = 0;
	u8 autoneg = 0;
};

struct EthCoalesce {
	u32 rx_usecs = 0;
	u32 rx_frames = 0;
	bool adaptive_rx = false;
};

/* ethtool -g/-G ring sizes, -l/-L channel counts. */
struct EthRings {
	u32 rx_max = 0;
	u32 tx_max = 0;
	u32 rx = 0;
	u32 tx = 0;
};
struct EthChannels {
	u32 max_rx = 0;
	u32 max_tx = 0;
	u32 rx = 0;
	u32 tx = 0;
};

/* The HCA's parent device name (PCI BDF), "" without one. Context: any. */
inline void ib_bus_info(IbDevice ib, char *buf, usize len)
{
	kapi_ethtool_ib_bus_info(ib.raw(), buf, len);
}

/* ib_get_device_fw_str(); "" if buf is too short for it. Context: any. */
inline void ib_fw_version(IbDevice ib, char *buf, usize len)
{
	kapi_ib_fw_version(ib.raw(), buf, len);
}

/* Copies a NUL-terminated string into a fixed buffer, truncating. */
template <usize N>
inline void copy_str(char (&dst)[N], const char *src)
{
	usize i = 0;
	for (; src && src[i] && i < N - 1; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

} // namespace kern

#define KERN_ETHTOOL_OPS(Driver, Owner)                                                                    \
	static_assert(sizeof(kern::EthDrvInfo) == sizeof(struct kapi_ethtool_drvinfo));                    \
	extern "C" void kapi_upcall_ethtool_get_drvinfo(void *owner, struct kapi_netdev *dev,              \
							struct kapi_ethtool_drvinfo *info)                 \
	{                                                                                                  \
		kern::EthDrvInfo d;                                                                        \
		__builtin_memcpy(&d, info, sizeof(d));                                                     \
		Driver::eth_get_drvinfo(*static_cast<Owner *>(owner), kern::NetDev(dev), d);               \
		__builtin_memcpy(info, &d, sizeof(d));                                                     \
	}                                                                                                  \
	extern "C" int kapi_upcall_ethtool_get_link_ksettings(void *owner, struct kapi_netdev *dev,        \
							      struct kapi_ethtool_link *out)               \
	{                                                                                                  \
		kern::EthLink l;                                                                           \
		kern::Status st = Driver::eth_get_link_ksettings(*static_cast<Owner *>(owner),             \
								 kern::NetDev(dev), l);                    \
		if (st.is_err())                                                                           \
			return st.error().code();                                                          \
		out->speed = l.speed;                                                                      \
		out->duplex = l.duplex;                                                                    \
		out->port = l.port;                                                                        \
		out->phy_address = l.phy_address;                                                          \
		out->autoneg = l.autoneg;                                                                  \
		return 0;                                                                                  \
	}                                                                                                  \
	extern "C" int kapi_upcall_ethtool_get_coalesce(void *owner, struct kapi_netdev *dev,              \
							struct kapi_ethtool_coalesce *out)                 \
	{                                                                                                  \
		kern::EthCoalesce c;                                                                       \
		kern::Status st = Driver::eth_get_coalesce(*static_cast<Owner *>(owner), kern::NetDev(dev), c); \
		if (st.is_err())                                                                           \
			return st.error().code();                                                          \
		out->rx_usecs = c.rx_usecs;                                                                \
		out->rx_frames = c.rx_frames;                                                              \
		out->adaptive_rx = c.adaptive_rx ? 1 : 0;                                                  \
		return 0;                                                                                  \
	}                                                                                                  \
	extern "C" int kapi_upcall_ethtool_set_coalesce(void *owner, struct kapi_netdev *dev,              \
							const struct kapi_ethtool_coalesce *in)            \
	{                                                                                                  \
		kern::EthCoalesce c;                                                                       \
		c.rx_usecs = in->rx_usecs;                                                                 \
		c.rx_frames = in->rx_frames;                                                               \
		c.adaptive_rx = in->adaptive_rx != 0;                                                      \
		return kern::to_errno(                                                                     \
			Driver::eth_set_coalesce(*static_cast<Owner *>(owner), kern::NetDev(dev), c));     \
	}                                                                                                  \
	extern "C" int kapi_upcall_ethtool_get_sset_count(void *owner, struct kapi_netdev *dev, int sset)  \
	{                                                                                                  \
		return Driver::eth_get_sset_count(*static_cast<Owner *>(owner), kern::NetDev(dev), sset);  \
	}                                                                                                  \
	extern "C" void kapi_upcall_ethtool_get_strings(void *owner, struct kapi_netdev *dev,              \
							kapi_u32 sset, kapi_u8 *data)                      \
	{                                                                                                  \
		Driver::eth_get_strings(*static_cast<Owner *>(owner), kern::NetDev(dev), sset, data);      \
	}                                                                                                  \
	extern "C" void kapi_upcall_ethtool_get_stats(void *owner, struct kapi_netdev *dev, kapi_u64 *data) \
	{                                                                                                  \
		static_assert(sizeof(kern::u64) == sizeof(kapi_u64));                                      \
		Driver::eth_get_stats(*static_cast<Owner *>(owner), kern::NetDev(dev),                     \
				      reinterpret_cast<kern::u64 *>(data));                                \
	}                                                                                                  \
	extern "C" void kapi_upcall_ethtool_get_rings(void *owner, struct kapi_netdev *dev,                \
						      struct kapi_ethtool_rings *out)                      \
	{                                                                                                  \
		kern::EthRings r;                                                                          \
		Driver::eth_get_rings(*static_cast<Owner *>(owner), kern::NetDev(dev), r);                 \
		out->rx_max = r.rx_max;                                                                    \
		out->tx_max = r.tx_max;                                                                    \
		out->rx = r.rx;                                                                            \
		out->tx = r.tx;                                                                            \
	}                                                                                                  \
	extern "C" int kapi_upcall_ethtool_set_rings(void *owner, struct kapi_netdev *dev,                 \
						     const struct kapi_ethtool_rings *in)                  \
	{                                                                                                  \
		kern::EthRings r;                                                                          \
		r.rx = in->rx;                                                                             \
		r.tx = in->tx;                                                                             \
		return kern::to_errno(Driver::eth_set_rings(*static_cast<Owner *>(owner), kern::NetDev(dev), r)); \
	}                                                                                                  \
	extern "C" void kapi_upcall_ethtool_get_channels(void *owner, struct kapi_netdev *dev,             \
							 struct kapi_ethtool_channels *out)                \
	{                                                                                                  \
		kern::EthChannels c;                                                                       \
		Driver::eth_get_channels(*static_cast<Owner *>(owner), kern::NetDev(dev), c);              \
		out->max_rx = c.max_rx;                                                                    \
		out->max_tx = c.max_tx;                                                                    \
		out->rx = c.rx;                                                                            \
		out->tx = c.tx;                                                                            \
	}                                                                                                  \
	extern "C" int kapi_upcall_ethtool_set_channels(void *owner, struct kapi_netdev *dev,              \
							const struct kapi_ethtool_channels *in)            \
	{                                                                                                  \
		kern::EthChannels c;                                                                       \
		c.rx = in->rx;                                                                             \
		c.tx = in->tx;                                                                             \
		return kern::to_errno(                                                                     \
			Driver::eth_set_channels(*static_cast<Owner *>(owner), kern::NetDev(dev), c));     \
	}

#endif /* KERN_ETHTOOL_H */
