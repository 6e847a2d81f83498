/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kapi/sysfs.h - the IPoIB attributes in /sys/class/net/<if>/: mode,
 * pkey, umcast, create_child, delete_child, parent.
 *
 * Design notes
 *
 * One set of six static device attributes lives in kapi/sysfs.c, with
 * the names and modes of the in-tree driver (mode 0644, pkey 0444,
 * umcast 0644, create_child 0200, delete_child 0200, parent 0444). Each
 * of our net_devices carries an attribute group in its priv, installed
 * as dev->sysfs_groups[0] (as bonding does), so the core creates the
 * files with the device and removes them in unregister.
 *
 * Visibility. Which attributes a device has is decided in C++: right
 * after the init upcall succeeds (inside register, before the core adds
 * the device to sysfs) the glue asks the attr_visible upcall once per
 * attribute and lists the visible ones in the device's group. We do not
 * use attribute_group.is_visible: sysfs_groups_change_owner() (moving a
 * device to a netns owned by another user namespace) fails with -ENOENT
 * on a file is_visible hid, and dev_change_net_namespace() WARNs on that
 * (so in the Debian 6.1.192 source; upstream made
 * sysfs_group_attrs_change_owner() honour is_visible only lately, and
 * not every stable tree has it). A group that lists only existing files has no
 * such problem. The answer is fixed for the life of the device.
 *
 * Show and store trampolines pass the owner and the attribute to one
 * upcall each. The glue makes no permission or parsing decision: the
 * mode bits are the only check before the upcall (C++ checks
 * kapi_netdev_net_admin_capable() itself).
 *
 * Lifetime. The files are removed in unregister after the uninit upcall
 * (unregister_netdevice_many: NETDEV_UNREGISTER, uninit, then the
 * kobject), and removal waits for running show/store calls. So a
 * show/store may run after uninit, but never after unregister returned;
 * the owner is alive throughout (it is freed after unregister).
 * Consequence: a store must not block on rtnl (unregister holds rtnl
 * while it waits for the store): rtnl_trylock, and on failure return
 * kapi_restart_syscall()'s code, as net-sysfs does.
 */
#ifndef KAPI_SYSFS_H
#define KAPI_SYSFS_H
#include "types.h"

struct kapi_netdev;

/* The attributes, in the order of the files' creation. */
enum kapi_if_attr {
	KAPI_IF_ATTR_MODE = 0,         /* 0644 */
	KAPI_IF_ATTR_PKEY = 1,         /* 0444 */
	KAPI_IF_ATTR_UMCAST = 2,       /* 0644 */
	KAPI_IF_ATTR_CREATE_CHILD = 3, /* 0200 */
	KAPI_IF_ATTR_DELETE_CHILD = 4, /* 0200 */
	KAPI_IF_ATTR_PARENT = 5,       /* 0444 */
	KAPI_IF_ATTR_COUNT = 6,
};

/* Size of the buffer a show upcall fills (PAGE_SIZE). */
#define KAPI_SYSFS_SHOW_BYTES 4096

KAPI_BEGIN_DECLS

/*
 * restart_syscall(): makes the current system call restart transparently
 * (TIF_SIGPENDING) and returns -ERESTARTNOINTR, which the store returns.
 * For a store that failed rtnl_trylock(). Context: process.
 */
int kapi_restart_syscall(void);

/* ---- Upcalls implemented in C++ (KERN_NETDEV_OPS in kern/netdev.h) ---- */

/*
 * Whether the device has this attribute's file; nonzero means yes.
 * Context: process; rtnl held; inside register, right after the init
 * upcall succeeded. Called once per attribute and device.
 */
int kapi_upcall_netdev_attr_visible(void *owner, struct kapi_netdev *dev, enum kapi_if_attr attr);
/*
 * Read of a visible 0644/0444 file: write the text into buf (size bytes,
 * zeroed) and return its length (< size), or a negative errno for read(2).
 * Context: process; may sleep; no lock held. See "Lifetime" above.
 */
long kapi_upcall_netdev_attr_show(void *owner, struct kapi_netdev *dev, enum kapi_if_attr attr,
				  char *buf, kapi_size size);
/*
 * Write to a visible 0644/0200 file: buf holds len bytes (NUL-terminated
 * by sysfs, not counted). Return the bytes consumed (normally len) or a
 * negative errno, which write(2) reports.
 * Context: process; may sleep; no lock held; never block on rtnl.
 */
long kapi_upcall_netdev_attr_store(void *owner, struct kapi_netdev *dev, enum kapi_if_attr attr,
				   const char *buf, kapi_size len);

KAPI_END_DECLS
#endif /* KAPI_SYSFS_H */
