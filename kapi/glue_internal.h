/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the glue files share: the netdev priv layout, the ops tables and
 * the common setup (kapi/netdev.c, kapi/sysfs.c, kapi/rtnl.c), and the
 * verbs glue structs (kapi/verbs.c, kapi/cm.c). C only (it includes
 * kernel headers); never included by C++.
 */
#ifndef KAPI_GLUE_INTERNAL_H
#define KAPI_GLUE_INTERNAL_H

#include <linux/netdevice.h>
#include <linux/sysfs.h>
#include <net/rtnetlink.h>

#include "kapi/netdev.h"
#include "kapi/sa.h"
#include "kapi/sysfs.h"
#include "kapi/verbs.h"

/*
 * netdev_priv(): the C++ owner, then the device's sysfs attribute group
 * (dev->sysfs_groups[0]), filled at register from the attr_visible upcall.
 */
struct kapi_netdev_priv {
	void *owner;
	struct attribute_group attr_group;
	struct attribute *attrs[KAPI_IF_ATTR_COUNT + 1];
};

/*
 * A local array the code fills before anything reads it, on a per-packet
 * path: exempt from the zeroing CONFIG_INIT_STACK_ALL_ZERO (Debian's
 * kernels) adds to every local. For ib_wc[8] on every CQ poll that
 * zeroing cost more than the poll itself (Documentation/design.md,
 * "Where the transmit path's instructions went").
 */
#if __has_attribute(__uninitialized__)
#define KAPI_SCRATCH __attribute__((__uninitialized__))
#else
#define KAPI_SCRATCH
#endif

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

/* kapi/ethtool.c: every device we set up carries it. */
extern const struct ethtool_ops kapi_ethtool_ops;

/* kapi/rtnl.c */
extern struct rtnl_link_ops kapi_rtnl_link_ops;

/* ---- Verbs glue structs (kapi/verbs.c, kapi/cm.c) ---- */

struct ib_cq;
struct ib_pd;
struct ib_qp;
struct ib_qp_init_attr;
struct sa_path_rec;

struct kapi_cq {
	struct ib_cq *cq;
	kapi_cq_comp_fn fn;
	void *owner;
};

/* ib_qp->qp_context points here (kapi_cq_poll reads owner through it). */
struct kapi_qp {
	struct ib_qp *qp;
	u32 lkey; /* pd->local_dma_lkey, cached for the hot path */
	kapi_qp_event_fn event_fn;
	void *owner;
};

/*
 * kapi/verbs.c: ib_create_qp(pd, init) with the QP event trampoline and
 * qp_context set to the new glue struct. init->cap holds the granted
 * sizes on success.
 */
int kapi_qp_create(struct ib_pd *pd, struct ib_qp_init_attr *init, kapi_qp_event_fn event_fn,
		   void *owner, struct kapi_qp **out);

/*
 * The struct sa_path_rec stored in a kapi_path (kapi/sa.c asserts it
 * fits). ib_core takes it non-const in calls that only read it.
 */
static inline struct sa_path_rec *kapi_path_rec(const struct kapi_path *path)
{
	return (struct sa_path_rec *)path->opaque;
}

#endif /* KAPI_GLUE_INTERNAL_H */
