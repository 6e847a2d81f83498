/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What kapi/netdev.c, kapi/sysfs.c and kapi/rtnl.c share: the netdev priv
 * layout, the ops tables and the common setup. C only (it includes kernel
 * headers); never included by C++.
 */
#ifndef KAPI_GLUE_INTERNAL_H
#define KAPI_GLUE_INTERNAL_H

#include <linux/netdevice.h>
#include <linux/sysfs.h>
#include <net/rtnetlink.h>

#include "kapi/netdev.h"
#include "kapi/sysfs.h"

/*
 * netdev_priv(): the C++ owner, then the device's sysfs attribute group
 * (dev->sysfs_groups[0]), filled at register from the attr_visible upcall.
 */
struct kapi_netdev_priv {
	void *owner;
	struct attribute_group attr_group;
	struct attribute *attrs[KAPI_IF_ATTR_COUNT + 1];
};

#define ND(d) ((struct net_device *)(d))
#define CND(d) ((const struct net_device *)(d))
#define KND(d) ((struct kapi_netdev *)(d))

static inline struct kapi_netdev_priv *kapi_priv(const struct net_device *dev)
{
	return netdev_priv(dev);
}

static inline void *owner_of(const struct net_device *dev)
{
	return kapi_priv(dev)->owner;
}

/* kapi/netdev.c */
extern const struct net_device_ops kapi_netdev_ops;
void kapi_netdev_setup(struct net_device *dev);

/* kapi/sysfs.c: lists the visible attributes and installs the group. Inside ndo_init. */
void kapi_netdev_sysfs_prepare(struct net_device *dev);

/* kapi/rtnl.c */
extern struct rtnl_link_ops kapi_rtnl_link_ops;

#endif /* KAPI_GLUE_INTERNAL_H */
