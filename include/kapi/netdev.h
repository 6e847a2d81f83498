/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kapi/netdev.h - the net core: an IPoIB-shaped net_device, its ops
 * trampolines, rtnl, carrier and queue state, NAPI.
 *
 * Design notes
 *
 * Handles. struct kapi_netdev is the kernel's struct net_device and
 * struct kapi_napi embeds a napi_struct (opaque storage, size
 * static_asserted in kapi/netdev.c). C++ never dereferences either.
 *
 * Owner. The netdev's priv area starts with one void * -- the C++
 * object that owns the interface -- set at allocation (or, for a device
 * the rtnl core allocated, by kapi_netdev_adopt()) and never changed,
 * except that a failed kapi_netdev_register_core*() clears it. Every ops
 * trampoline reads it and passes it to its upcall, so a hot path
 * (ndo_start_xmit) costs one direct call across the boundary and no
 * further glue call to find the driver object. The rest of priv is the
 * device's sysfs attribute group (see kapi/sysfs.h); C++ never sees it.
 *
 * Ops. One static const net_device_ops, one header_ops and one netdevice
 * notifier live in kapi/netdev.c. Their members are C trampolines that
 * call the fixed-name upcalls declared below under "Upcalls implemented
 * in C++"; KERN_NETDEV_OPS() in kern/netdev.h defines them once. The
 * notifier only reports net_devices whose netdev_ops is ours.
 * header_ops.create is pure mechanism and stays in C: it pushes the
 * 4-byte encapsulation header (RFC 4391: __be16 ethertype, u16 0) and
 * then the 20-byte destination hardware address as a pseudo header, so
 * skb->data at ndo_start_xmit is [daddr(20) | proto(2) | 0(2) | payload]
 * (hard_header_len 24, as the 6.1 in-tree driver does).
 *
 * Lifetime, owned by the caller. alloc -> (register -> unregister) ->
 * free. free_netdev() called under rtnl right after unregister_netdevice()
 * is deferred by the core to netdev_run_todo(), so "unregister, then
 * free" is always the right order. NAPI contexts must be deleted
 * (kapi_napi_del) before the storage that embeds them goes away:
 * free_netdev() walks the NAPI list. After unregister returns, no ops
 * upcall runs for that netdev except the notifier's UNREGISTER, which
 * runs inside unregister.
 *
 * Lifetime, owned by the core. kapi_netdev_register_core*() registers
 * and, only once registration has succeeded, sets needs_free_netdev and
 * priv_destructor: from then on the net core owns the device. Whoever
 * unregisters it (C++ with kapi_netdev_unregister_locked(), rtnl dellink,
 * rtnl_link_unregister(); netns teardown moves ours back to init_net,
 * netns_refund) the core runs ndo_uninit inside
 * unregister and later, in netdev_run_todo() (process context, rtnl
 * released, after every dev_hold() was dropped), the destruct upcall and
 * then free_netdev() itself. The owner must stay valid until the destruct
 * upcall, which is where C++ frees it. A failed registration never calls
 * the destruct upcall: the device is still the caller's (kapi_netdev_free)
 * or, for one the rtnl core allocated, the rtnl core's, which frees it
 * when newlink returns an error. Devices the rtnl core allocates
 * (`ip link add ... type ipoib`, see kapi/rtnl.h) are built by the same
 * setup as kapi_netdev_alloc() and configured by kapi_netdev_adopt().
 *
 * Every device we allocate (here or through the rtnl core) carries our
 * rtnl_link_ops, as in-tree, so `ip -d link` shows the ipoib attributes
 * of parents too and rtnl dellink / rtnl_link_unregister() reach parents
 * (the dellink upcall decides whether anything happens).
 *
 * Mirrored kernel values (feature bits, IFF_* flags, NETDEV_TX_*, the
 * notifier events) are static_asserted against the kernel's in
 * kapi/netdev.c. Errors are negative errno ints; ERR_PTR never crosses.
 */
#ifndef KAPI_NETDEV_H
#define KAPI_NETDEV_H
#include "types.h"

struct kapi_netdev;    /* struct net_device */
struct kapi_skb;       /* struct sk_buff (see kapi/skb.h) */
struct kapi_ib_device; /* struct ib_device (see kapi/ib.h) */

#define KAPI_NETDEV_NAME_LEN 16    /* IFNAMSIZ, including the NUL */
#define KAPI_NETDEV_ADDR_LEN 20    /* INFINIBAND_ALEN */
#define KAPI_NETDEV_HARD_HEADER_LEN 24 /* pseudo header 20 + encap 4 */

/* netdev_features_t bits (NETIF_F_*), as 64-bit masks. */
#define KAPI_NETIF_F_SG (1ULL << 0)
#define KAPI_NETIF_F_IP_CSUM (1ULL << 1)
#define KAPI_NETIF_F_IPV6_CSUM (1ULL << 4)
#define KAPI_NETIF_F_HIGHDMA (1ULL << 5)
#define KAPI_NETIF_F_VLAN_CHALLENGED (1ULL << 10)
#define KAPI_NETIF_F_TSO (1ULL << 16)
#define KAPI_NETIF_F_RXCSUM (1ULL << 40)

/* dev->flags bits (uapi IFF_*). */
#define KAPI_IFF_UP 0x1u
#define KAPI_IFF_BROADCAST 0x2u
#define KAPI_IFF_RUNNING 0x40u
#define KAPI_IFF_PROMISC 0x100u
#define KAPI_IFF_ALLMULTI 0x200u
#define KAPI_IFF_MULTICAST 0x1000u

/* ndo_start_xmit results (netdev_tx_t). */
enum kapi_netdev_tx {
	KAPI_NETDEV_TX_OK = 0x00,   /* skb consumed (sent, queued or freed) */
	KAPI_NETDEV_TX_BUSY = 0x10, /* skb NOT consumed; the core requeues it */
};

/* Netdevice notifier events reported to the driver (NETDEV_*). */
enum kapi_netdev_event {
	KAPI_NETDEV_EVENT_REGISTER = 5,
	KAPI_NETDEV_EVENT_UNREGISTER = 6,
	KAPI_NETDEV_EVENT_CHANGENAME = 11,
};

/* Which struct device the netdev's sysfs "device" link points at. */
enum kapi_netdev_parent {
	/* ib_device->dev.parent (the PCI function), as the in-tree driver
	 * does; ethtool bus_info follows it. -ENODEV if the HCA has none
	 * (software HCAs such as the test fabric). */
	KAPI_NETDEV_PARENT_BUS = 0,
	/* &ib_device->dev itself: /sys/class/net/ibN/device -> infiniband/X. */
	KAPI_NETDEV_PARENT_IBDEV = 1,
	/* No parent link. */
	KAPI_NETDEV_PARENT_NONE = 2,
};

/*
 * Everything kapi_netdev_alloc() writes before the device is visible.
 * Fixed by the glue (not configurable): type ARPHRD_INFINIBAND, addr_len
 * 20, hard_header_len 24, flags |= IFF_BROADCAST | IFF_MULTICAST, our
 * net_device_ops and header_ops, netif_keep_dst() (the pseudo header
 * carries the destination, the dst is dropped before posting), one RX
 * queue; num_tx_queues TX queues of which one is real until
 * kapi_netdev_set_real_num_tx_queues().
 */
struct kapi_netdev_config {
	const char *name;              /* "ib%d" template or explicit; < 16 bytes */
	struct kapi_ib_device *parent; /* may be NULL with PARENT_NONE */
	kapi_u8 parent_kind;           /* enum kapi_netdev_parent */
	kapi_u8 live_addr_change;      /* sets IFF_LIVE_ADDR_CHANGE in priv_flags */
	kapi_u16 dev_port;             /* port - 1 */
	kapi_u16 dev_id;               /* port - 1, for compatibility */
	kapi_u32 mtu;
	kapi_u32 min_mtu;
	kapi_u32 max_mtu;
	kapi_u32 tx_queue_len;
	kapi_u16 num_tx_queues;        /* TX queues allocated (alloc only; 0 = 1); one is real until set */
	kapi_u32 watchdog_ms;          /* ndo_tx_timeout period; 0 = core default */
	kapi_u64 features;             /* KAPI_NETIF_F_* */
	kapi_u64 hw_features;          /* user-toggleable subset */
	kapi_u8 dev_addr[KAPI_NETDEV_ADDR_LEN];
	kapi_u8 broadcast[KAPI_NETDEV_ADDR_LEN];
	/*
	 * kapi_netdev_alloc() only: if non-NULL, the new device goes into
	 * this device's network namespace (dev_net_set). Hold rtnl from the
	 * allocation to the registration, or that device may change
	 * namespace in between. kapi_netdev_adopt() ignores it.
	 */
	struct kapi_netdev *same_net_as;
};

/* What ndo_get_stats64 reports; the trampoline copies it into rtnl_link_stats64. */
struct kapi_link_stats {
	kapi_u64 rx_packets;
	kapi_u64 tx_packets;
	kapi_u64 rx_bytes;
	kapi_u64 tx_bytes;
	kapi_u64 rx_errors;
	kapi_u64 tx_errors;
	kapi_u64 rx_dropped;
	kapi_u64 tx_dropped;
	kapi_u64 multicast;
};

/*
 * NAPI context embedded by value in a C++ object. fn is called from the
 * single poll trampoline in kapi/netdev.c. Size checked there.
 */
#define KAPI_NAPI_BYTES 512
struct kapi_napi;
typedef int (*kapi_napi_poll_fn)(struct kapi_napi *napi, int budget);
struct kapi_napi {
	unsigned char opaque[KAPI_NAPI_BYTES] __attribute__((aligned(8)));
	kapi_napi_poll_fn fn;
};

KAPI_BEGIN_DECLS

/* ---- Lifetime ------------------------------------------------------ */

/*
 * Allocates an IPoIB net_device configured from cfg, whose priv holds owner.
 * Context: process; may sleep. Locking: none needed (the device is not
 *   visible until registered).
 * Ownership: on success *out belongs to the caller until kapi_netdev_free().
 *   owner must be non-NULL and outlive every upcall for this device.
 * Returns: 0; -EINVAL (bad name, NULL owner, bad parent_kind); -ENODEV
 *   (PARENT_BUS requested but the HCA has no parent); -ENOMEM.
 */
int kapi_netdev_alloc(const struct kapi_netdev_config *cfg, void *owner, struct kapi_netdev **out);
/*
 * free_netdev(). Context: process; may sleep. Locking: if called under
 * rtnl right after kapi_netdev_unregister_locked(), the core defers the
 * free until rtnl_unlock(). All NAPI contexts must have been deleted.
 */
void kapi_netdev_free(struct kapi_netdev *dev);
/* The owner pointer given at allocation. Context: any. */
void *kapi_netdev_owner(const struct kapi_netdev *dev);

/*
 * Applies cfg (everything but name, same_net_as and the namespace) to a
 * device the rtnl core allocated with our setup and priv size (the dev
 * of the rtnl newlink upcall), then sets its owner. Overrides what the
 * core took from the request (IFLA_MTU, IFLA_ADDRESS, IFLA_BROADCAST;
 * IFLA_TXQLEN if cfg->tx_queue_len is non-zero), as kapi_netdev_alloc()
 * would have set them.
 * Context: process (the newlink upcall). Locking: rtnl held.
 * Ownership: the device stays the rtnl core's; on error the owner is not
 *   set and the core frees the device when newlink fails.
 * Returns: 0; -EINVAL (NULL owner, not our device, already registered,
 *   bad parent_kind); -ENODEV (PARENT_BUS and the HCA has no parent).
 */
int kapi_netdev_adopt(struct kapi_netdev *dev, const struct kapi_netdev_config *cfg, void *owner);

/*
 * The TX watchdog period (watchdog_timeo) that the in-tree ib_ipoib of the
 * kernel this module is built for sets, in ms: 1000 (HZ) on 6.1, 10000 on
 * 6.12. A fact about the kernel, for a driver that matches it.
 * Context: any.
 */
kapi_u32 kapi_netdev_intree_watchdog_ms(void);

/*
 * register_netdev() / register_netdevice(). Calls the init upcall, then
 * the notifier's REGISTER. Context: process; may sleep.
 * Locking: _locked variants require rtnl held; the others take it.
 * Ownership: unchanged, the caller unregisters and frees.
 */
int kapi_netdev_register(struct kapi_netdev *dev);
int kapi_netdev_register_locked(struct kapi_netdev *dev);
/*
 * Registers and hands the device to the core (see "Lifetime, owned by
 * the core" above): on success it sets needs_free_netdev and
 * priv_destructor, and the caller must never free it; unregister it with
 * kapi_netdev_unregister_locked() and free the owner in the destruct
 * upcall. On failure the caller still owns it (kapi_netdev_free(), or
 * the rtnl core for an adopted device), no destruct upcall will come, and
 * the owner pointer has been cleared, so no later upcall (the core's
 * UNREGISTER rebroadcast while a reference drains) reaches the owner.
 * Context: process; may sleep.
 * Locking: _locked requires rtnl held; the other takes it (killable,
 *   -EINTR if a fatal signal is pending). The destruct upcall of a
 *   device unregistered later runs at that unregister's rtnl_unlock().
 * Returns: 0; -EINVAL (no owner set); what register_netdevice() returns.
 */
int kapi_netdev_register_core(struct kapi_netdev *dev);
int kapi_netdev_register_core_locked(struct kapi_netdev *dev);
/*
 * unregister_netdev() / unregister_netdevice(). Closes the device (stop
 * upcall), runs the notifier's UNREGISTER and the uninit upcall.
 * Context: process; may sleep. Locking: as for register.
 */
void kapi_netdev_unregister(struct kapi_netdev *dev);
void kapi_netdev_unregister_locked(struct kapi_netdev *dev);

/*
 * ns_capable(dev_net(dev)->user_ns, CAP_NET_ADMIN) for the current task:
 * 1 if it may administer the device's namespace. Context: process (a
 * sysfs store, a netlink request); the task is the caller's.
 */
int kapi_netdev_net_admin_capable(const struct kapi_netdev *dev);
/* net_eq(dev_net(a), dev_net(b)). Context: any. Locking: rtnl for a stable answer. */
int kapi_netdev_same_netns(const struct kapi_netdev *a, const struct kapi_netdev *b);

/* dev_hold()/dev_put(): pin a device across an asynchronous step. Context: any. */
void kapi_netdev_hold(struct kapi_netdev *dev);
void kapi_netdev_put(struct kapi_netdev *dev);

/* ---- rtnl ------------------------------------------------------------ */

/* Context: process; may sleep. */
void kapi_rtnl_lock(void);
void kapi_rtnl_unlock(void);
/* Returns 1 if taken. Context: process. */
int kapi_rtnl_trylock(void);
/* ASSERT_RTNL(): WARNs once if rtnl is not held. Context: any. */
void kapi_rtnl_assert(void);
/* Context: any. Diagnostic only (another task may hold it). */
int kapi_rtnl_is_locked(void);

/* ---- State: carrier, queue, running ---------------------------------- */

/* Context: any. */
void kapi_netif_carrier_on(struct kapi_netdev *dev);
void kapi_netif_carrier_off(struct kapi_netdev *dev);
int kapi_netif_carrier_ok(const struct kapi_netdev *dev);
/* netif_running(): administratively up (IFF_UP and open). Context: any. */
int kapi_netif_running(const struct kapi_netdev *dev);

/* TX queue 0. Context: any. */
void kapi_netif_start_queue(struct kapi_netdev *dev);
void kapi_netif_stop_queue(struct kapi_netdev *dev);
void kapi_netif_wake_queue(struct kapi_netdev *dev);
int kapi_netif_queue_stopped(const struct kapi_netdev *dev);
/*
 * TX queue q (< the device's num_tx_queues): netif_tx_{start,stop,wake}_queue
 * and netif_tx_queue_stopped on netdev_get_tx_queue(dev, q). Context: any.
 */
void kapi_netif_subqueue_start(struct kapi_netdev *dev, kapi_u16 q);
void kapi_netif_subqueue_stop(struct kapi_netdev *dev, kapi_u16 q);
void kapi_netif_subqueue_wake(struct kapi_netdev *dev, kapi_u16 q);
int kapi_netif_subqueue_stopped(const struct kapi_netdev *dev, kapi_u16 q);
/* Every TX queue: netif_tx_start_all_queues. Context: any. */
void kapi_netif_tx_start_all(struct kapi_netdev *dev);
/*
 * netif_tx_disable(): stops every TX queue, each under its xmit lock, so
 * no ndo_start_xmit runs once it returns. Context: process or softirq.
 */
void kapi_netif_tx_disable(struct kapi_netdev *dev);
/*
 * netif_device_detach() / netif_device_attach(): the device is absent
 * while it is rebuilt; the TX watchdog leaves it alone meanwhile, and
 * attach wakes every queue. Context: process.
 */
void kapi_netif_device_detach(struct kapi_netdev *dev);
void kapi_netif_device_attach(struct kapi_netdev *dev);
/*
 * Byte queue limits of TX queue q (the sends tell it: KAPI_SEND_BQL in
 * kapi/verbs.h): netdev_tx_completed_queue (from its completion poll,
 * once per poll), netdev_tx_reset_queue (no xmit and no poll running,
 * e.g. after a drain). Context: as stated.
 */
void kapi_netdev_tx_completed(struct kapi_netdev *dev, kapi_u16 q, kapi_u32 pkts, kapi_u32 bytes);
void kapi_netdev_tx_reset(struct kapi_netdev *dev, kapi_u16 q);
/* dev->num_tx_queues (allocated) and dev->real_num_tx_queues. Context: any. */
kapi_u32 kapi_netdev_num_tx_queues(const struct kapi_netdev *dev);
kapi_u32 kapi_netdev_real_num_tx_queues(const struct kapi_netdev *dev);
/*
 * XPS: transmit from cpu on queue q (netif_set_xps_queue with that one
 * CPU). Context: process; rtnl held. Returns 0 or a negative errno.
 */
int kapi_netdev_set_xps_cpu(struct kapi_netdev *dev, kapi_u32 cpu, kapi_u16 q);
/* num_online_cpus(), num_possible_cpus(). Context: any. */
kapi_u32 kapi_num_online_cpus(void);
kapi_u32 kapi_num_possible_cpus(void);
/*
 * netif_tx_lock_bh(): excludes ndo_start_xmit on this device. Context:
 * process or softirq; not with IRQs disabled. Never call from the xmit
 * upcall (it already runs under this lock).
 */
void kapi_netif_tx_lock_bh(struct kapi_netdev *dev);
void kapi_netif_tx_unlock_bh(struct kapi_netdev *dev);

/* ---- Getters ----------------------------------------------------------- */

/*
 * dev->name. Context: any. The string can change on rename (under rtnl);
 * hold rtnl for a stable value, otherwise use it for logging only.
 */
const char *kapi_netdev_name(const struct kapi_netdev *dev);
int kapi_netdev_ifindex(const struct kapi_netdev *dev);
kapi_u32 kapi_netdev_mtu(const struct kapi_netdev *dev);
kapi_u32 kapi_netdev_max_mtu(const struct kapi_netdev *dev);
/* dev->flags (KAPI_IFF_*). */
kapi_u32 kapi_netdev_flags(const struct kapi_netdev *dev);
/* dev->features (KAPI_NETIF_F_*). */
kapi_u64 kapi_netdev_features(const struct kapi_netdev *dev);
/* Copies dev->dev_addr / dev->broadcast (20 bytes each). Context: any. */
void kapi_netdev_hw_addr(const struct kapi_netdev *dev, kapi_u8 out[KAPI_NETDEV_ADDR_LEN]);
void kapi_netdev_broadcast(const struct kapi_netdev *dev, kapi_u8 out[KAPI_NETDEV_ADDR_LEN]);
/* priv_flags & IFF_LIVE_ADDR_CHANGE. Context: any. */
int kapi_netdev_live_addr_change(const struct kapi_netdev *dev);

/*
 * Copies up to max multicast link-layer addresses (20 bytes each, packed)
 * from dev->mc into out. Returns the total number on the list, which may
 * exceed max (then call again with a larger buffer).
 * Context: process or softirq. Locking: takes netif_addr_lock_bh; never
 * call it from the set_rx_mode upcall, which already runs under it.
 */
int kapi_netdev_mc_list(struct kapi_netdev *dev, kapi_u8 *out, int max);

/*
 * arp_tbl.gc_interval in ms (sysctl net.ipv4.neigh.default.gc_interval,
 * 30 s by default): the in-tree driver's neighbour GC period. Context: any.
 */
kapi_u32 kapi_arp_gc_interval_ms(void);

/*
 * arp_tbl.gc_thresh3 (sysctl net.ipv4.neigh.default.gc_thresh3, 1024 by
 * default; 0 if negative): the most neighbours the stack keeps, from which
 * the in-tree driver sizes its neighbour hash. Context: any.
 */
kapi_u32 kapi_arp_gc_thresh3(void);

/* ---- Setters ----------------------------------------------------------- */

/*
 * Writes dev->mtu directly. For the change_mtu upcall (which must store
 * the value itself) and before registration. Context: any.
 * Locking: rtnl once registered.
 */
void kapi_netdev_set_mtu(struct kapi_netdev *dev, kapi_u32 mtu);
/*
 * dev_set_mtu(): the full core path (validates min/max, calls the
 * change_mtu upcall, notifies). Context: process. Locking: rtnl held.
 */
int kapi_netdev_change_mtu(struct kapi_netdev *dev, int mtu);
/* Context: any. Locking: rtnl once registered. */
void kapi_netdev_set_mtu_limits(struct kapi_netdev *dev, kapi_u32 min_mtu, kapi_u32 max_mtu);
/*
 * dev_addr_mod(): replaces len bytes of dev_addr starting at offset.
 * Returns -EINVAL if the range leaves the 20 bytes. Does not notify
 * (the core notifies after a successful set_mac_address upcall).
 * Context: process or softirq. Locking: rtnl once registered.
 */
int kapi_netdev_set_hw_addr(struct kapi_netdev *dev, kapi_u32 offset, const kapi_u8 *bytes, kapi_u32 len);
/* Copies 20 bytes into dev->broadcast. Locking: rtnl once registered. */
void kapi_netdev_set_broadcast(struct kapi_netdev *dev, const kapi_u8 addr[KAPI_NETDEV_ADDR_LEN]);
/*
 * Writes dev->features / dev->hw_features. Before registration only;
 * afterwards change what fix_features returns and call
 * kapi_netdev_update_features(). Context: process.
 */
void kapi_netdev_set_features(struct kapi_netdev *dev, kapi_u64 features, kapi_u64 hw_features);
/*
 * The features in mask become user-changeable (hw_features) and wanted
 * exactly where on has them: hw_features and wanted_features both become
 * (x & ~mask) | on. Follow with kapi_netdev_update_features(). Locking:
 * rtnl held.
 */
void kapi_netdev_offer_features(struct kapi_netdev *dev, kapi_u64 mask, kapi_u64 on);
/* netdev_update_features(): re-runs fix_features. Locking: rtnl held. */
void kapi_netdev_update_features(struct kapi_netdev *dev);
/* netif_set_real_num_tx_queues(dev, n). Locking: rtnl held once registered. */
int kapi_netdev_set_real_num_tx_queues(struct kapi_netdev *dev, unsigned int n);
/* dev_change_flags(dev, flags): IFF_UP opens/closes the device. Context: process, rtnl held. */
int kapi_netdev_change_flags(struct kapi_netdev *dev, unsigned int flags);

/* ---- Netdevice notifier ------------------------------------------------ */

/*
 * Registers the module's netdevice notifier. REGISTER, CHANGENAME and
 * UNREGISTER for our devices go to kapi_upcall_netdev_event(); devices
 * already registered are replayed as REGISTER. Context: process; may
 * sleep; takes rtnl, so never call with rtnl held.
 */
int kapi_netdev_register_notifier(void);
void kapi_netdev_unregister_notifier(void);

/* ---- NAPI ------------------------------------------------------------- */

/*
 * netif_napi_add_weight(): binds napi to dev; fn runs in softirq with a
 * budget of at most weight. The context starts disabled.
 * Context: process. Locking: none.
 */
void kapi_napi_add(struct kapi_netdev *dev, struct kapi_napi *napi, kapi_napi_poll_fn fn, int weight);
/* netif_napi_del(). Context: process; sleeps (synchronize_net). */
void kapi_napi_del(struct kapi_napi *napi);
/* Context: process (enable: any). disable sleeps until a running poll ends. */
void kapi_napi_enable(struct kapi_napi *napi);
void kapi_napi_disable(struct kapi_napi *napi);
/* Schedules a poll. Returns 1 if this call scheduled it. Context: any (IRQ included). */
int kapi_napi_schedule(struct kapi_napi *napi);
/*
 * napi_complete_done(). Returns 1 if the poll is complete and interrupts
 * (CQ notification) may be re-armed; 0 if it must keep polling.
 * Context: the poll function only.
 */
int kapi_napi_complete_done(struct kapi_napi *napi, int work_done);

/* ---- Upcalls implemented in C++ (KERN_NETDEV_OPS in kern/netdev.h) ---- */

/*
 * ndo_init / ndo_uninit. Context: process; rtnl held. init runs inside
 * register; an error fails the registration. uninit runs inside
 * unregister, and also when register fails after init succeeded.
 */
int kapi_upcall_netdev_init(void *owner, struct kapi_netdev *dev);
void kapi_upcall_netdev_uninit(void *owner, struct kapi_netdev *dev);
/* ndo_open / ndo_stop. Context: process; rtnl held; may sleep. */
int kapi_upcall_netdev_open(void *owner, struct kapi_netdev *dev);
int kapi_upcall_netdev_stop(void *owner, struct kapi_netdev *dev);
/*
 * ndo_start_xmit. skb->data starts with the 24-byte hard header that
 * header_ops.create pushed (see kapi_skb_tx_pull_hdr()).
 * Context: softirq or process with BH disabled; never sleeps.
 * Locking: the lock of TX queue txq (skb_get_queue_mapping) is held.
 * Ownership: KAPI_NETDEV_TX_OK means the upcall consumed skb; BUSY means it
 *   did not touch it (only return BUSY with the queue stopped).
 */
enum kapi_netdev_tx kapi_upcall_netdev_start_xmit(void *owner, struct kapi_netdev *dev,
						  struct kapi_skb *skb, kapi_u16 txq);
/*
 * ndo_change_mtu. The core has checked min_mtu <= new_mtu <= max_mtu;
 * the upcall stores the effective value with kapi_netdev_set_mtu().
 * Context: process; rtnl held.
 */
int kapi_upcall_netdev_change_mtu(void *owner, struct kapi_netdev *dev, int new_mtu);
/*
 * ndo_set_rx_mode: the multicast list or IFF_ALLMULTI/PROMISC changed.
 * Context: atomic (BH disabled). Locking: netif_addr_lock held. Must not
 * sleep: queue work and read the list from there (kapi_netdev_mc_list).
 */
void kapi_upcall_netdev_set_rx_mode(void *owner, struct kapi_netdev *dev);
/*
 * ndo_get_stats64. out arrives zeroed. Context: any, including RCU
 * read-side and atomic (/proc/net/dev); must not sleep. Locking: none.
 */
void kapi_upcall_netdev_get_stats(void *owner, struct kapi_netdev *dev, struct kapi_link_stats *out);
/*
 * ndo_set_mac_address with the requested 20-byte link-layer address.
 * The upcall checks it and writes dev_addr (kapi_netdev_set_hw_addr) itself.
 * Context: process; rtnl held.
 */
int kapi_upcall_netdev_set_mac_address(void *owner, struct kapi_netdev *dev,
				       const kapi_u8 addr[KAPI_NETDEV_ADDR_LEN]);
/* ndo_tx_timeout. Context: softirq (watchdog timer); TX lock held. */
void kapi_upcall_netdev_tx_timeout(void *owner, struct kapi_netdev *dev, unsigned int txqueue);
/* ndo_fix_features: returns the features to keep. Context: process; rtnl held. */
kapi_u64 kapi_upcall_netdev_fix_features(void *owner, struct kapi_netdev *dev, kapi_u64 features);
/*
 * ndo_get_iflink: the ifindex reported as the link (IFLA_LINK, sysfs
 * iflink); the device's own for a parent, the parent's for a child.
 * Context: any, including RCU read-side and sysfs reads without rtnl;
 * must not sleep. May run after uninit, until the device is freed.
 */
int kapi_upcall_netdev_get_iflink(void *owner, struct kapi_netdev *dev);
/*
 * priv_destructor of a device handed to the core (kapi_netdev_register_core*):
 * the last upcall for it; free the owner here. NAPI contexts must have been
 * deleted by now (free_netdev() walks the NAPI list right after).
 * Context: process (netdev_run_todo: the rtnl_unlock() after the
 * unregister, in whichever task unlocks); rtnl NOT held; may sleep.
 */
void kapi_upcall_netdev_destruct(void *owner, struct kapi_netdev *dev);
/*
 * Netdevice notifier, for our devices only: REGISTER (after ndo_init),
 * CHANGENAME (name already changed), UNREGISTER (device closed, before
 * uninit). Context: process; rtnl held.
 */
void kapi_upcall_netdev_event(void *owner, struct kapi_netdev *dev, enum kapi_netdev_event event);

KAPI_END_DECLS
#endif /* KAPI_NETDEV_H */
