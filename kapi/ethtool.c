// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ethtool_ops trampolines: each reads the owner pointer from the
 * netdev's priv and makes one upcall; see include/kapi/ethtool.h.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/string.h>
#include <rdma/ib_verbs.h>

#include "kapi/ethtool.h"
#include "kapi/ib.h"
#include "glue_internal.h"

static_assert(KAPI_ETH_GSTRING_LEN == ETH_GSTRING_LEN);
static_assert(KAPI_ETH_SS_STATS == ETH_SS_STATS);
static_assert(KAPI_SPEED_UNKNOWN == (u32)SPEED_UNKNOWN);
static_assert(KAPI_DUPLEX_FULL == DUPLEX_FULL);
static_assert(KAPI_DUPLEX_UNKNOWN == DUPLEX_UNKNOWN);
static_assert(KAPI_PORT_TP == PORT_TP);
static_assert(KAPI_PORT_OTHER == PORT_OTHER);
static_assert(KAPI_AUTONEG_ENABLE == AUTONEG_ENABLE);
static_assert(KAPI_ETHTOOL_INFO_LEN == sizeof(((struct ethtool_drvinfo *)0)->driver));
static_assert(KAPI_ETHTOOL_INFO_LEN == sizeof(((struct ethtool_drvinfo *)0)->version));
static_assert(KAPI_ETHTOOL_INFO_LEN == sizeof(((struct ethtool_drvinfo *)0)->fw_version));
static_assert(KAPI_ETHTOOL_INFO_LEN == sizeof(((struct ethtool_drvinfo *)0)->bus_info));

#define IBDEV(d) ((struct ib_device *)(d))

/* Not (or no longer) registered: ndo_uninit may have released the owner's resources. */
static bool kapi_ethtool_gone(const struct net_device *dev)
{
	return dev->reg_state != NETREG_REGISTERED || !owner_of(dev);
}

void kapi_ethtool_ib_bus_info(struct kapi_ib_device *ib, char *buf, size_t len)
{
	struct device *parent = IBDEV(ib)->dev.parent;

	if (!len)
		return;
	strscpy(buf, parent ? dev_name(parent) : "", len);
}

static void kapi_ethtool_get_drvinfo(struct net_device *dev, struct ethtool_drvinfo *info)
{
	struct kapi_ethtool_drvinfo d = {};

	if (kapi_ethtool_gone(dev))
		return;
	strscpy(d.version, info->version, sizeof(d.version));
	kapi_upcall_ethtool_get_drvinfo(owner_of(dev), KND(dev), &d);
	strscpy(info->driver, d.driver, sizeof(info->driver));
	strscpy(info->version, d.version, sizeof(info->version));
	strscpy(info->fw_version, d.fw_version, sizeof(info->fw_version));
	strscpy(info->bus_info, d.bus_info, sizeof(info->bus_info));
}

static int kapi_ethtool_get_link_ksettings(struct net_device *dev, struct ethtool_link_ksettings *cmd)
{
	struct kapi_ethtool_link l = {};
	int rc;

	if (kapi_ethtool_gone(dev))
		return -ENODEV;
	rc = kapi_upcall_ethtool_get_link_ksettings(owner_of(dev), KND(dev), &l);
	if (rc)
		return rc;
	cmd->base.speed = l.speed;
	cmd->base.duplex = l.duplex;
	cmd->base.port = l.port;
	cmd->base.phy_address = l.phy_address;
	cmd->base.autoneg = l.autoneg;
	return 0;
}

static int kapi_ethtool_get_coalesce(struct net_device *dev, struct ethtool_coalesce *coal,
				     struct kernel_ethtool_coalesce *kcoal, struct netlink_ext_ack *extack)
{
	struct kapi_ethtool_coalesce c = {};
	int rc;

	if (kapi_ethtool_gone(dev))
		return -ENODEV;
	rc = kapi_upcall_ethtool_get_coalesce(owner_of(dev), KND(dev), &c);
	if (rc)
		return rc;
	coal->rx_coalesce_usecs = c.rx_usecs;
	coal->rx_max_coalesced_frames = c.rx_frames;
	coal->use_adaptive_rx_coalesce = c.adaptive_rx;
	return 0;
}

static int kapi_ethtool_set_coalesce(struct net_device *dev, struct ethtool_coalesce *coal,
				     struct kernel_ethtool_coalesce *kcoal, struct netlink_ext_ack *extack)
{
	struct kapi_ethtool_coalesce c = {
		.rx_usecs = coal->rx_coalesce_usecs,
		.rx_frames = coal->rx_max_coalesced_frames,
		.adaptive_rx = !!coal->use_adaptive_rx_coalesce,
	};

	if (kapi_ethtool_gone(dev))
		return -ENODEV;
	return kapi_upcall_ethtool_set_coalesce(owner_of(dev), KND(dev), &c);
}

static int kapi_ethtool_get_sset_count(struct net_device *dev, int sset)
{
	if (kapi_ethtool_gone(dev))
		return -EOPNOTSUPP;
	return kapi_upcall_ethtool_get_sset_count(owner_of(dev), KND(dev), sset);
}

static void kapi_ethtool_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	if (kapi_ethtool_gone(dev))
		return;
	kapi_upcall_ethtool_get_strings(owner_of(dev), KND(dev), sset, data);
}

static void kapi_ethtool_get_stats(struct net_device *dev, struct ethtool_stats *stats, u64 *data)
{
	if (kapi_ethtool_gone(dev))
		return;
	kapi_upcall_ethtool_get_stats(owner_of(dev), KND(dev), data);
}

static void kapi_ethtool_get_ringparam(struct net_device *dev, struct ethtool_ringparam *ring,
				      struct kernel_ethtool_ringparam *kring, struct netlink_ext_ack *extack)
{
	struct kapi_ethtool_rings r = {};

	if (kapi_ethtool_gone(dev))
		return;
	kapi_upcall_ethtool_get_rings(owner_of(dev), KND(dev), &r);
	ring->rx_max_pending = r.rx_max;
	ring->tx_max_pending = r.tx_max;
	ring->rx_pending = r.rx;
	ring->tx_pending = r.tx;
}

static int kapi_ethtool_set_ringparam(struct net_device *dev, struct ethtool_ringparam *ring,
				      struct kernel_ethtool_ringparam *kring, struct netlink_ext_ack *extack)
{
	struct kapi_ethtool_rings r = {
		.rx = ring->rx_pending,
		.tx = ring->tx_pending,
	};

	if (kapi_ethtool_gone(dev))
		return -ENODEV;
	if (ring->rx_mini_pending || ring->rx_jumbo_pending)
		return -EINVAL;
	return kapi_upcall_ethtool_set_rings(owner_of(dev), KND(dev), &r);
}

static void kapi_ethtool_get_channels(struct net_device *dev, struct ethtool_channels *ch)
{
	struct kapi_ethtool_channels c = {};

	if (kapi_ethtool_gone(dev))
		return;
	kapi_upcall_ethtool_get_channels(owner_of(dev), KND(dev), &c);
	ch->max_rx = c.max_rx;
	ch->max_tx = c.max_tx;
	ch->rx_count = c.rx;
	ch->tx_count = c.tx;
}

static int kapi_ethtool_set_channels(struct net_device *dev, struct ethtool_channels *ch)
{
	struct kapi_ethtool_channels c = {
		.rx = ch->rx_count,
		.tx = ch->tx_count,
	};

	if (kapi_ethtool_gone(dev))
		return -ENODEV;
	if (ch->combined_count || ch->other_count)
		return -EINVAL;
	return kapi_upcall_ethtool_set_channels(owner_of(dev), KND(dev), &c);
}

const struct ethtool_ops kapi_ethtool_ops = {
	.supported_coalesce_params = ETHTOOL_COALESCE_RX_USECS | ETHTOOL_COALESCE_RX_MAX_FRAMES |
				     ETHTOOL_COALESCE_USE_ADAPTIVE_RX,
	.get_drvinfo = kapi_ethtool_get_drvinfo,
	.get_link_ksettings = kapi_ethtool_get_link_ksettings,
	.get_link = ethtool_op_get_link,
	.get_coalesce = kapi_ethtool_get_coalesce,
	.set_coalesce = kapi_ethtool_set_coalesce,
	.get_sset_count = kapi_ethtool_get_sset_count,
	.get_strings = kapi_ethtool_get_strings,
	.get_ethtool_stats = kapi_ethtool_get_stats,
	.get_ringparam = kapi_ethtool_get_ringparam,
	.set_ringparam = kapi_ethtool_set_ringparam,
	.get_channels = kapi_ethtool_get_channels,
	.set_channels = kapi_ethtool_set_channels,
};
