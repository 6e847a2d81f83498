/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kapi/rtnl.h - the "ipoib" rtnl_link_ops: `ip link add link ib0 name
 * ib0.8001 type ipoib pkey 0x8001 [mode connected] [umcast 1]`,
 * `ip link set ... type ipoib ...`, `ip link del`, `ip -d link show`.
 *
 * Design notes
 *
 * Ops. One struct rtnl_link_ops lives in kapi/rtnl.c, as in-tree
 * ipoib_netlink.c: kind "ipoib", IFLA_IPOIB_PKEY/MODE/UMCAST (NLA_U16,
 * validated by the core before any upcall), netns_refund (a device of a
 * dying netns goes back to init_net instead of being deleted), get_size
 * 3 * nla_total_size(2), and setup/priv_size equal to kapi_netdev_alloc()'s,
 * so a device the core allocates has our net_device_ops, header_ops, IPoIB
 * shape, rtnl_link_ops and sysfs group. Its trampolines parse the
 * attributes into kapi_link_attrs and call one upcall each; fill_info puts
 * the three u16 an upcall reports. MODULE_ALIAS_RTNL_LINK("ipoib") makes
 * `ip link add ... type ipoib` load the module.
 *
 * newlink, following 6.1 rtnl_newlink_create():
 *  - the core allocates dev with our setup (rtnl_create_link: name from
 *    IFLA_IFNAME or "ipoib%d", namespace, rtnl_link_ops, IFLA_MTU,
 *    IFLA_ADDRESS ... applied) and calls the newlink upcall with rtnl held;
 *    dev has no owner yet (kapi_netdev_owner() is NULL).
 *  - the glue resolves IFLA_LINK in the requester's namespace (or
 *    IFLA_LINK_NETNSID's) with __dev_get_by_index() and passes it as
 *    parent only if it is one of ours (netdev_ops is ours), else NULL;
 *    has_link says whether IFLA_LINK was given. The upcall picks the errno.
 *  - C++ builds its owner, kapi_netdev_adopt(), then
 *    kapi_netdev_register_core_locked().
 *  - newlink returns an error: the core calls free_netdev(dev). If the
 *    device was never registered, or registration failed, that frees it
 *    now (no destruct upcall; C++ frees its owner itself). If it was
 *    registered and then C++ unregistered it (unregister_locked) and
 *    failed, free_netdev() only marks it (reg_state UNREGISTERING) and
 *    netdev_run_todo() calls the destruct upcall and frees it: the owner
 *    then belongs to the destruct upcall, exactly as after a success.
 *  - newlink succeeded, then the core fails a later step
 *    (rtnl_configure_link, moving to the IFLA_NET_NS_* target, IFLA_MASTER):
 *    it calls the dellink upcall and unregisters what it queued. The
 *    dellink upcall must return true for such a device, or it stays.
 *
 * dellink: `ip link del`, IFLA_GROUP deletes, rtnl_link_unregister()
 * (module exit: called for every registered device with our ops, parents
 * included). True: the glue queues dev for unregistration
 * (unregister_netdevice_queue(dev, head)); false: nothing, as in-tree does
 * for a parent, and `ip link del` still reports success.
 *
 * 6.12: the same rtnl_link_ops members and signatures, and the same
 * newlink failure handling. Later kernels (6.15) pass newlink a struct
 * rtnl_newlink_params instead of (src_net, tb, data); only kapi/rtnl.c
 * would change.
 */
#ifndef KAPI_RTNL_H
#define KAPI_RTNL_H
#include "types.h"

struct kapi_netdev;  /* struct net_device (see kapi/netdev.h) */
struct kapi_ext_ack; /* struct netlink_ext_ack; may be NULL */

/* IFLA_INFO_DATA of kind "ipoib"; has_* is 0 for an absent attribute. */
struct kapi_link_attrs {
	kapi_u8 has_pkey;
	kapi_u8 has_mode;
	kapi_u8 has_umcast;
	kapi_u16 pkey;   /* IFLA_IPOIB_PKEY */
	kapi_u16 mode;   /* IFLA_IPOIB_MODE: 0 datagram, 1 connected */
	kapi_u16 umcast; /* IFLA_IPOIB_UMCAST */
};

/* What fill_info reports (arrives zeroed). */
struct kapi_link_info {
	kapi_u16 pkey;
	kapi_u16 mode;
	kapi_u16 umcast;
};

KAPI_BEGIN_DECLS

/*
 * rtnl_link_register() / rtnl_link_unregister(). Unregister deletes every
 * device with our ops whose dellink upcall says so, and runs their
 * destruct upcalls before it returns. Context: process; may sleep; takes
 * rtnl (and pernet_ops_rwsem), so never call with rtnl held.
 * Returns: 0; -EEXIST (kind "ipoib" taken: the in-tree module is loaded).
 */
int kapi_rtnl_link_register(void);
void kapi_rtnl_link_unregister(void);

/*
 * NL_SET_ERR_MSG(): the message userspace prints with the errno.
 * msg must be a string with static storage (a literal). NULL ack: no-op.
 * Context: the newlink/changelink upcall that got ack.
 */
void kapi_ext_ack_set_msg(struct kapi_ext_ack *ack, const char *msg);

/* ---- Upcalls implemented in C++ (KERN_RTNL_LINK_OPS in kern/rtnl_link.h) ---- */

/*
 * rtnl_link_ops.newlink; see the design notes. dev: allocated by the core,
 * no owner, unregistered, already in its namespace. parent: NULL unless
 * IFLA_LINK names one of ours in the requester's namespace.
 * Context: process; rtnl held; may sleep.
 * Returns: 0 (dev registered) or a negative errno.
 */
int kapi_upcall_rtnl_newlink(struct kapi_netdev *dev, int has_link, struct kapi_netdev *parent,
			     const struct kapi_link_attrs *attrs, struct kapi_ext_ack *ack);
/*
 * rtnl_link_ops.changelink: `ip link set dev X type ipoib ...` on any of
 * our registered devices. Context: process; rtnl held; may sleep.
 */
int kapi_upcall_rtnl_changelink(void *owner, struct kapi_netdev *dev,
				const struct kapi_link_attrs *attrs, struct kapi_ext_ack *ack);
/*
 * rtnl_link_ops.dellink: nonzero to unregister dev (queued; the core
 * unregisters the batch right after). Context: process; rtnl held.
 */
int kapi_upcall_rtnl_dellink(void *owner, struct kapi_netdev *dev);
/*
 * rtnl_link_ops.fill_info: the values for IFLA_INFO_DATA. Also runs for
 * the RTM_DELLINK message inside unregister (after NETDEV_UNREGISTER,
 * before uninit). Context: rtnl held on 6.1; must not sleep.
 */
void kapi_upcall_rtnl_fill_info(void *owner, struct kapi_netdev *dev, struct kapi_link_info *out);

KAPI_END_DECLS
#endif /* KAPI_RTNL_H */
