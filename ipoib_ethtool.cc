// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ipoib_ethtool.cc - the ethtool operations of an interface, parent or
 * child alike (in-tree ipoib_ethtool.c, reference note b4): -i drvinfo,
 * link settings from the port, -c/-C RX moderation on the receive CQ
 * (static or adaptive: ipoib_rx_moder.cc),
 * and -S with the in-tree counters. -k/-K is the core's features path
 * with our fix_features (ipoib_iface.cc). The pure rules are in
 * ipoib/ethtool.h; the table and trampolines in kapi/ethtool.c.
 */
#include "ipoib/driver/port.h"
#include "ipoib/ethtool.h"
#include "kern/ethtool.h"

namespace ipoib {

namespace err = kern::err;

static_assert(ethtool::kSpeedUnknown == kern::eth::kSpeedUnknown);
static_assert(ethtool::kDuplexFull == kern::eth::kDuplexFull);
static_assert(ethtool::kDuplexUnknown == kern::eth::kDuplexUnknown);
static_assert(ethtool::kPortTp == kern::eth::kPortTp);
static_assert(ethtool::kPortOther == kern::eth::kPortOther);
static_assert(ethtool::kAutonegEnable == kern::eth::kAutonegEnable);
static_assert(ethtool::kStringLen == kern::kEthStringLen);

/*
 * Driver ib_ipoib, the HCA's firmware, and its parent device as bus
 * info: empty for a parentless (software) HCA, where in-tree oopses.
 * The version stays the core's default, the kernel release, as in-tree.
 */
void Iface::eth_get_drvinfo(Iface &ifc, NetDev, kern::EthDrvInfo &info)
{
	kern::copy_str(info.driver, "ib_ipoib");
	kern::ib_fw_version(ifc.m_ib, info.fw_version, sizeof(info.fw_version));
	kern::ib_bus_info(ifc.m_ib, info.bus_info, sizeof(info.bus_info));
}

Status Iface::eth_get_link_ksettings(Iface &ifc, NetDev dev, kern::EthLink &out)
{
	ethtool::LinkSettings ls;
	if (!dev.carrier_ok()) {
		ls = TRY(ethtool::link_settings(false, 0, 0));
	} else {
		Result<kern::PortAttr> attr = ifc.m_ib.query_port(ifc.m_port);
		/* in-tree turns a failed query into -EINVAL too */
		if (attr.is_err())
			return Error(-err::EINVAL);
		ls = TRY(ethtool::link_settings(true, attr.value().active_speed, attr.value().active_width));
	}
	out.speed = ls.speed;
	out.duplex = ls.duplex;
	out.port = ls.port;
	out.phy_address = ls.phy_address;
	out.autoneg = ls.autoneg;
	return kern::ok();
}

/* The static values as set, and whether DIM drives the CQ instead (ipoib_rx_moder.cc). */
Status Iface::eth_get_coalesce(Iface &ifc, NetDev, kern::EthCoalesce &out)
{
	const ethtool::Coalesce c = ifc.m_rx_moder.configured();
	out.rx_usecs = c.rx_usecs;
	out.rx_frames = c.rx_frames;
	out.adaptive_rx = ifc.m_rx_moder.adaptive();
	return kern::ok();
}

Status Iface::eth_set_coalesce(Iface &ifc, NetDev, const kern::EthCoalesce &in)
{
	return ifc.m_rx_moder.set(ethtool::Coalesce{in.rx_usecs, in.rx_frames}, in.adaptive_rx);
}

int Iface::eth_get_sset_count(Iface &, NetDev, int sset)
{
	return sset == kern::kEthSsStats ? static_cast<int>(ethtool::kStatCount) : -err::EOPNOTSUPP;
}

void Iface::eth_get_strings(Iface &, NetDev, u32 sset, u8 *data)
{
	if (sset == static_cast<u32>(kern::kEthSsStats))
		ethtool::fill_stat_strings(data);
}

/* The same counters ip -s link shows (in-tree reads dev->stats). */
void Iface::eth_get_stats(Iface &ifc, NetDev dev, u64 *data)
{
	kern::LinkStats s = {};
	ndo_get_stats64(ifc, dev, s);
	using ethtool::Stat;
	auto at = [&](Stat st) -> u64 & { return data[static_cast<u32>(st)]; };
	at(Stat::RxPackets) = s.rx_packets;
	at(Stat::TxPackets) = s.tx_packets;
	at(Stat::RxBytes) = s.rx_bytes;
	at(Stat::TxBytes) = s.tx_bytes;
	at(Stat::TxErrors) = s.tx_errors;
	at(Stat::RxDropped) = s.rx_dropped;
	at(Stat::TxDropped) = s.tx_dropped;
	at(Stat::Multicast) = s.multicast;
}

} // namespace ipoib

KERN_ETHTOOL_OPS(ipoib::Iface, ipoib::Iface)
