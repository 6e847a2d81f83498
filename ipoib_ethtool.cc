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

/* What the receive CQ is moderated by now: the static values, or DIM's current profile. */
ethtool::Coalesce Iface::rx_moderation() const noexcept
{
	return m_rx_moder.in_effect();
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

/*
 * -S: in-tree's counters first, in its order, then ours: each TX queue
 * the stack may use (packets, bytes, stops), the receive poll's, and the
 * receive CQ moderation in effect. The count follows -L and the mode;
 * the core reads count and values under one rtnl hold.
 */
static u32 stat_queues(Iface &ifc, NetDev dev)
{
	const u32 n = dev.real_num_tx_queues();
	return n < ifc.ud().ntx() ? n : ifc.ud().ntx();
}

int Iface::eth_get_sset_count(Iface &ifc, NetDev dev, int sset)
{
	if (sset != kern::kEthSsStats)
		return -err::EOPNOTSUPP;
	return static_cast<int>(ethtool::kStatCount + stat_queues(ifc, dev) * kQueueStatCount + kRxStatCount);
}

void Iface::eth_get_strings(Iface &ifc, NetDev dev, u32 sset, u8 *data)
{
	if (sset != static_cast<u32>(kern::kEthSsStats))
		return;
	ethtool::fill_stat_strings(data);
	u8 *out = data + ethtool::kStatCount * ethtool::kStringLen;
	const u32 nq = stat_queues(ifc, dev);
	for (u32 q = 0; q < nq; q++) {
		for (u32 k = 0; k < kQueueStatCount; k++) {
			char name[ethtool::kStringLen] = {};
			(void)queue_stat_name(name, sizeof(name), q, static_cast<QueueStat>(k));
			__builtin_memcpy(out, name, ethtool::kStringLen);
			out += ethtool::kStringLen;
		}
	}
	for (u32 k = 0; k < kRxStatCount; k++) {
		char name[ethtool::kStringLen] = {};
		kern::copy_str(name, kRxStatNames[k]);
		__builtin_memcpy(out, name, ethtool::kStringLen);
		out += ethtool::kStringLen;
	}
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
	u64 *out = data + ethtool::kStatCount;
	const u32 nq = stat_queues(ifc, dev);
	for (u32 q = 0; q < nq; q++) {
		const TxqStats &qs = ifc.m_stats.txq[q];
		*out++ = qs.packets.load();
		*out++ = qs.bytes.load();
		*out++ = qs.stops.load();
	}
	const ethtool::Coalesce moder = ifc.rx_moderation();
	*out++ = ifc.m_ud.rx_polls();
	*out++ = ifc.m_ud.rx_budget_exhausted();
	*out++ = moder.rx_usecs;
	*out++ = moder.rx_frames;
}

/* -g: the rings now and the largest -G accepts (the receive QP has room for it). */
void Iface::eth_get_rings(Iface &ifc, NetDev, kern::EthRings &out)
{
	const RingLimits &l = ifc.m_ud.limits();
	out.rx_max = l.rx_max;
	out.tx_max = l.tx_max;
	out.rx = ifc.m_ud.rx_size();
	out.tx = ifc.m_ud.tx_size();
}

Status Iface::eth_set_rings(Iface &ifc, NetDev, const kern::EthRings &in)
{
	const RingLimits &l = ifc.m_ud.limits();
	const RingChoice c = choose_rings(in.rx, in.tx, l);
	switch (c.check) {
	case RingCheck::Ok:
		break;
	case RingCheck::RxTooSmall:
	case RingCheck::RxTooBig:
		kern_warn("%s: ethtool -G: rx %u is outside %u..%u", ifc.name(), in.rx, l.rx_min, l.rx_max);
		return Error(-err::EINVAL);
	case RingCheck::TxTooSmall:
	case RingCheck::TxTooBig:
		kern_warn("%s: ethtool -G: tx %u is outside %u..%u", ifc.name(), in.tx, l.tx_min, l.tx_max);
		return Error(-err::EINVAL);
	}
	if (c.rx == ifc.m_ud.rx_size() && c.tx == ifc.m_ud.tx_size())
		return kern::ok();
	TRY(ifc.reconfigure(c.rx, c.tx, ifc.m_ud.ntx()));
	kern_info("%s: %u/%u send/recv slots", ifc.name(), ifc.m_ud.tx_size(), ifc.m_ud.rx_size());
	return kern::ok();
}

/* -l: one receive channel (the receive QP); TX queues up to what the device and the net_device allow. */
void Iface::eth_get_channels(Iface &ifc, NetDev dev, kern::EthChannels &out)
{
	out.max_rx = 1;
	out.max_tx = ifc.m_ud.max_ntx();
	out.rx = 1;
	out.tx = stat_queues(ifc, dev);
}

Status Iface::eth_set_channels(Iface &ifc, NetDev dev, const kern::EthChannels &in)
{
	if (!channels_valid(in.rx, in.tx, ifc.m_ud.max_ntx())) {
		kern_warn("%s: ethtool -L: rx must be 1 and tx 1..%u (asked rx %u tx %u)", ifc.name(), ifc.m_ud.max_ntx(),
			  in.rx, in.tx);
		return Error(-err::EINVAL);
	}
	if (ifc.cm_mode() && in.tx != 1) {
		kern_warn("%s: ethtool -L: connected mode sends on one TX queue; switch to datagram mode first",
			  ifc.name());
		return Error(-err::EINVAL);
	}
	if (in.tx == stat_queues(ifc, dev) && in.tx == ifc.m_ud.ntx())
		return kern::ok();
	ifc.m_ntx_wanted = in.tx;
	Status st = ifc.reconfigure(ifc.m_ud.rx_size(), ifc.m_ud.tx_size(), in.tx);
	ifc.m_ntx_wanted = ifc.m_ud.ntx();
	(void)ifc.apply_real_tx_queues();
	TRY(kern::move(st));
	if (ifc.m_ud.ntx() != in.tx)
		kern_info("%s: %u TX queues, not %u: no more send QPs could be made", ifc.name(), ifc.m_ud.ntx(), in.tx);
	return kern::ok();
}

} // namespace ipoib

KERN_ETHTOOL_OPS(ipoib::Iface, ipoib::Iface)
