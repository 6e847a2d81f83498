// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The IPoIB attributes under /sys/class/net/<if>/: six static device
 * attributes, a per-device group listing the visible ones, and show/store
 * trampolines that make one upcall each. See include/kapi/sysfs.h.
 */
#include <linux/device.h>
#include <linux/netdevice.h>
#include <linux/sched/signal.h>
#include <linux/sysfs.h>

#include "kapi/sysfs.h"
#include "glue_internal.h"

static_assert(KAPI_SYSFS_SHOW_BYTES == PAGE_SIZE);
static_assert(sizeof(long) == sizeof(ssize_t));

struct kapi_if_dattr {
	struct device_attribute dattr;
	enum kapi_if_attr id;
};

static ssize_t kapi_if_attr_show(struct device *d, struct device_attribute *attr, char *buf)
{
	struct net_device *dev = to_net_dev(d);
	const struct kapi_if_dattr *a = container_of(attr, struct kapi_if_dattr, dattr);

	return kapi_upcall_netdev_attr_show(owner_of(dev), KND(dev), a->id, buf, PAGE_SIZE);
}

static ssize_t kapi_if_attr_store(struct device *d, struct device_attribute *attr, const char *buf,
				  size_t count)
{
	struct net_device *dev = to_net_dev(d);
	const struct kapi_if_dattr *a = container_of(attr, struct kapi_if_dattr, dattr);

	return kapi_upcall_netdev_attr_store(owner_of(dev), KND(dev), a->id, buf, count);
}

#define KAPI_IF_ATTR(_id, _name, _mode, _show, _store)                        \
	[_id] = {                                                             \
		.dattr = __ATTR(_name, _mode, _show, _store),                 \
		.id = _id,                                                    \
	}

/* Names and modes of the in-tree driver. */
static struct kapi_if_dattr kapi_if_attrs[KAPI_IF_ATTR_COUNT] = {
	KAPI_IF_ATTR(KAPI_IF_ATTR_MODE, mode, 0644, kapi_if_attr_show, kapi_if_attr_store),
	KAPI_IF_ATTR(KAPI_IF_ATTR_PKEY, pkey, 0444, kapi_if_attr_show, NULL),
	KAPI_IF_ATTR(KAPI_IF_ATTR_UMCAST, umcast, 0644, kapi_if_attr_show, kapi_if_attr_store),
	KAPI_IF_ATTR(KAPI_IF_ATTR_CREATE_CHILD, create_child, 0200, NULL, kapi_if_attr_store),
	KAPI_IF_ATTR(KAPI_IF_ATTR_DELETE_CHILD, delete_child, 0200, NULL, kapi_if_attr_store),
	KAPI_IF_ATTR(KAPI_IF_ATTR_PARENT, parent, 0444, kapi_if_attr_show, NULL),
};

void kapi_netdev_sysfs_prepare(struct net_device *dev)
{
	struct kapi_netdev_priv *priv = kapi_priv(dev);
	unsigned int i, n = 0;

	for (i = 0; i < KAPI_IF_ATTR_COUNT; i++)
		if (kapi_upcall_netdev_attr_visible(priv->owner, KND(dev), (enum kapi_if_attr)i))
			priv->attrs[n++] = &kapi_if_attrs[i].dattr.attr;
	priv->attrs[n] = NULL;
	priv->attr_group.attrs = priv->attrs;
	dev->sysfs_groups[0] = &priv->attr_group;
}

int kapi_restart_syscall(void)
{
	return restart_syscall();
}
