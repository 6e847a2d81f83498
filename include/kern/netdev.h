/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/netdev.h - the net core from C++: NetDev handles, the owning
 * UniqueNetDev, rtnl and TX-lock guards, NAPI, and the binding of the
 * net_device_ops upcalls to a driver class.
 *
 * The ops table is a static struct in kapi/netdev.c whose trampolines
 * call fixed-name extern "C" upcalls with the netdev's owner pointer (set
 * at allocation). KERN_NETDEV_OPS(Driver, Owner) defines those upcalls
 * once, forwarding to static members of Driver that receive the owner as
 * Owner & and the device as a NetDev:
 *
 *     static Status ndo_init(Owner &, NetDev);
 *     static void ndo_uninit(Owner &, NetDev);
 *     static Status ndo_open(Owner &, NetDev);
 *     static Status ndo_stop(Owner &, NetDev);
 *     static TxResult ndo_start_xmit(Owner &, NetDev, Skb, u16 txq);
 *     static Status ndo_change_mtu(Owner &, NetDev, int new_mtu);
 *     static void ndo_set_rx_mode(Owner &, NetDev);            (atomic)
 *     static void ndo_get_stats64(Owner &, NetDev, LinkStats &); (atomic)
 *     static Status ndo_set_mac_address(Owner &, NetDev, const u8 (&)[20]);
 *     static void ndo_tx_timeout(Owner &, NetDev, unsigned int txqueue);
 *     static u64 ndo_fix_features(Owner &, NetDev, u64 features);
 *     static int ndo_get_iflink(Owner &, NetDev);               (any context)
 *     static void netdev_event(Owner &, NetDev, NetdevEvent);
 *     static void netdev_destruct(Owner &);    (core-owned devices: free Owner)
 *     static bool attr_visible(Owner &, NetDev, IfAttr);
 *     static Result<usize> attr_show(Owner &, NetDev, IfAttr, Span<char> buf);
 *     static Result<usize> attr_store(Owner &, NetDev, IfAttr, const char *buf, usize len);
 *
 * Contexts and locking for each are in kapi/netdev.h and kapi/sysfs.h.
 * Driver and Owner may be the same class. The driver never sees a kapi
 * type.
 *
 * Two ways to own a net_device:
 *  - UniqueNetDev::create + register_netdev(): the C++ object owns it;
 *    reset() unregisters and frees, then the owner may go.
 *  - UniqueNetDev::create + register_to_core(), or NetDev::adopt +
 *    register_adopted() in the rtnl newlink upcall (kern/rtnl_link.h):
 *    on success the net core owns it. Unregister with unregister_locked()
 *    (or rtnl dellink); the core then calls ndo_uninit, and, at the
 *    rtnl_unlock() that follows (process context, rtnl released, after
 *    every reference has drained), netdev_destruct, where the owner is
 *    freed, then frees the net_device. Until netdev_destruct the owner
 *    must stay valid: sysfs reads, ndo_get_iflink and the core's
 *    UNREGISTER rebroadcast can still reach it after ndo_uninit.
 */
#ifndef KERN_NETDEV_H
#define KERN_NETDEV_H

#include "kapi/cm.h"
#include "kapi/netdev.h"
#include "kapi/sysfs.h"
#include "kern/base.h"
#include "kern/ib.h"
#include "kern/registration.h"
#include "kern/result.h"
#include "kern/skb.h"

namespace kern {

inline constexpr usize kNetdevNameLen = KAPI_NETDEV_NAME_LEN;
inline constexpr usize kNetdevAddrLen = KAPI_NETDEV_ADDR_LEN;

/* arp_tbl.gc_interval in ms (net.ipv4.neigh.default.gc_interval). Context: any. */
inline u32 arp_gc_interval_ms() noexcept { return kapi_arp_gc_interval_ms(); }
/* arp_tbl.gc_thresh3 (net.ipv4.neigh.default.gc_thresh3). Context: any. */
inline u32 arp_gc_thresh3() noexcept { return kapi_arp_gc_thresh3(); }

/* netdev_features_t bits the driver sets or strips. */
namespace netif_f {
inline constexpr u64 kSg = KAPI_NETIF_F_SG;
inline constexpr u64 kIpCsum = KAPI_NETIF_F_IP_CSUM;
inline constexpr u64 kIpv6Csum = KAPI_NETIF_F_IPV6_CSUM;
inline constexpr u64 kHighDma = KAPI_NETIF_F_HIGHDMA;
inline constexpr u64 kVlanChallenged = KAPI_NETIF_F_VLAN_CHALLENGED;
inline constexpr u64 kTso = KAPI_NETIF_F_TSO;
inline constexpr u64 kRxCsum = KAPI_NETIF_F_RXCSUM;
} // namespace netif_f

/* dev->flags bits. */
namespace iff {
inline constexpr u32 kUp = KAPI_IFF_UP;
inline constexpr u32 kBroadcast = KAPI_IFF_BROADCAST;
inline constexpr u32 kRunning = KAPI_IFF_RUNNING;
inline constexpr u32 kPromisc = KAPI_IFF_PROMISC;
inline constexpr u32 kAllMulti = KAPI_IFF_ALLMULTI;
inline constexpr u32 kMulticast = KAPI_IFF_MULTICAST;
} // namespace iff

/* What ndo_start_xmit tells the core. Busy: skb untouched, queue must be stopped. */
enum class TxResult : u8 {
	Ok = KAPI_NETDEV_TX_OK,
	Busy = KAPI_NETDEV_TX_BUSY,
};

enum class NetdevEvent : u8 {
	Register = KAPI_NETDEV_EVENT_REGISTER,
	Unregister = KAPI_NETDEV_EVENT_UNREGISTER,
	ChangeName = KAPI_NETDEV_EVENT_CHANGENAME,
};

/* Counters reported through ndo_get_stats64 (arrive zeroed). */
struct LinkStats {
	u64 rx_packets;
	u64 tx_packets;
	u64 rx_bytes;
	u64 tx_bytes;
	u64 rx_errors;
	u64 tx_errors;
	u64 rx_dropped;
	u64 tx_dropped;
	u64 multicast;
};

/*
 * The files under /sys/class/net/<if>/ (kapi/sysfs.h); attr_visible picks
 * them per device, once, at register. attr_show is only called for the
 * readable ones (Mode, Pkey, Umcast, Parent), attr_store only for the
 * writable ones (Mode, Umcast, CreateChild, DeleteChild).
 */
enum class IfAttr : u8 {
	Mode = KAPI_IF_ATTR_MODE,                /* mode, 0644 */
	Pkey = KAPI_IF_ATTR_PKEY,                /* pkey, 0444 */
	Umcast = KAPI_IF_ATTR_UMCAST,            /* umcast, 0644 */
	CreateChild = KAPI_IF_ATTR_CREATE_CHILD, /* create_child, 0200 */
	DeleteChild = KAPI_IF_ATTR_DELETE_CHILD, /* delete_child, 0200 */
	Parent = KAPI_IF_ATTR_PARENT,            /* parent, 0444 */
};
inline constexpr usize kIfAttrCount = KAPI_IF_ATTR_COUNT;
inline constexpr usize kSysfsShowBytes = KAPI_SYSFS_SHOW_BYTES;

/* Where /sys/class/net/<if>/device points. */
enum class NetdevParent : u8 {
	Bus = KAPI_NETDEV_PARENT_BUS,     /* the HCA's parent (PCI), as in-tree; -ENODEV if none */
	IbDevice = KAPI_NETDEV_PARENT_IBDEV, /* the ib_device itself */
	None = KAPI_NETDEV_PARENT_NONE,
};

struct NetDevConfig;

/* A borrowed net_device handle. Valid while its UniqueNetDev (or the core) keeps it. */
class NetDev {
public:
	constexpr NetDev() noexcept : m_dev(nullptr) {}
	constexpr explicit NetDev(struct kapi_netdev *dev) noexcept : m_dev(dev) {}

	explicit operator bool() const noexcept { return m_dev != nullptr; }
	bool operator==(const NetDev &o) const noexcept { return m_dev == o.m_dev; }
	bool operator!=(const NetDev &o) const noexcept { return m_dev != o.m_dev; }

	/* The object given at allocation. */
	template <class T>
	T *owner() const noexcept
	{
		return static_cast<T *>(kapi_netdev_owner(m_dev));
	}

	/* Getters. Context: any; name() is stable only under rtnl. */
	const char *name() const noexcept { return kapi_netdev_name(m_dev); }
	int ifindex() const noexcept { return kapi_netdev_ifindex(m_dev); }
	u32 mtu() const noexcept { return kapi_netdev_mtu(m_dev); }
	u32 max_mtu() const noexcept { return kapi_netdev_max_mtu(m_dev); }
	u32 flags() const noexcept { return kapi_netdev_flags(m_dev); }
	u64 features() const noexcept { return kapi_netdev_features(m_dev); }
	bool running() const noexcept { return kapi_netif_running(m_dev) != 0; }
	bool live_addr_change() const noexcept { return kapi_netdev_live_addr_change(m_dev) != 0; }
	void hw_addr(u8 (&out)[kNetdevAddrLen]) const noexcept { kapi_netdev_hw_addr(m_dev, out); }
	void broadcast(u8 (&out)[kNetdevAddrLen]) const noexcept { kapi_netdev_broadcast(m_dev, out); }

	/*
	 * Copies the multicast list (20 bytes per entry) into out and returns
	 * the list's full length, which may exceed what fit. Context: process
	 * or softirq; never from ndo_set_rx_mode.
	 */
	u32 mc_list(Span<u8> out) const noexcept
	{
		usize cap = out.size() / kNetdevAddrLen;
		int max = cap > 0x7fffffff ? 0x7fffffff : static_cast<int>(cap);
		int n = kapi_netdev_mc_list(m_dev, out.data(), max);
		return n < 0 ? 0 : static_cast<u32>(n);
	}

	/* Setters; rtnl once registered (see kapi/netdev.h). */
	void set_mtu(u32 mtu) noexcept { kapi_netdev_set_mtu(m_dev, mtu); }       /* raw, for ndo_change_mtu */
	Status change_mtu(int mtu) noexcept { return from_errno(kapi_netdev_change_mtu(m_dev, mtu)); } /* dev_set_mtu */
	void set_mtu_limits(u32 min_mtu, u32 max_mtu) noexcept { kapi_netdev_set_mtu_limits(m_dev, min_mtu, max_mtu); }
	Status set_hw_addr(u32 offset, ByteSpan bytes) noexcept
	{
		if (bytes.size() > kNetdevAddrLen)
			return Error(-err::EINVAL);
		return from_errno(kapi_netdev_set_hw_addr(m_dev, offset, bytes.data(), static_cast<u32>(bytes.size())));
	}
	void set_broadcast(const u8 (&addr)[kNetdevAddrLen]) noexcept { kapi_netdev_set_broadcast(m_dev, addr); }
	void set_features(u64 features, u64 hw_features) noexcept { kapi_netdev_set_features(m_dev, features, hw_features); }
	void update_features() noexcept { kapi_netdev_update_features(m_dev); }
	/* The features in mask: user-changeable and wanted exactly where on has them. rtnl held. */
	void offer_features(u64 mask, u64 on) noexcept { kapi_netdev_offer_features(m_dev, mask, on); }
	Status set_real_num_tx_queues(unsigned int n) noexcept
	{
		return from_errno(kapi_netdev_set_real_num_tx_queues(m_dev, n));
	}

	/* Carrier and TX queue. Context: any. */
	void carrier_on() noexcept { kapi_netif_carrier_on(m_dev); }
	void carrier_off() noexcept { kapi_netif_carrier_off(m_dev); }
	bool carrier_ok() const noexcept { return kapi_netif_carrier_ok(m_dev) != 0; }
	void start_queue() noexcept { kapi_netif_start_queue(m_dev); }
	void stop_queue() noexcept { kapi_netif_stop_queue(m_dev); }
	void wake_queue() noexcept { kapi_netif_wake_queue(m_dev); }
	bool queue_stopped() const noexcept { return kapi_netif_queue_stopped(m_dev) != 0; }
	/* TX queue q (< num_tx_queues). Context: any. */
	void start_subqueue(u16 q) noexcept { kapi_netif_subqueue_start(m_dev, q); }
	void stop_subqueue(u16 q) noexcept { kapi_netif_subqueue_stop(m_dev, q); }
	void wake_subqueue(u16 q) noexcept { kapi_netif_subqueue_wake(m_dev, q); }
	bool subqueue_stopped(u16 q) const noexcept { return kapi_netif_subqueue_stopped(m_dev, q) != 0; }
	void start_all_queues() noexcept { kapi_netif_tx_start_all(m_dev); }
	/* Stops every TX queue under its xmit lock: no xmit runs once this returns. */
	void tx_disable() noexcept { kapi_netif_tx_disable(m_dev); }
	/* Absent while rebuilt (no TX watchdog); attach wakes every queue. Context: process. */
	void device_detach() noexcept { kapi_netif_device_detach(m_dev); }
	void device_attach() noexcept { kapi_netif_device_attach(m_dev); }
	/* Byte queue limits of queue q (see kapi/netdev.h; sends tell it through kern::send_flag::Bql). */
	void bql_completed(u16 q, u32 pkts, u32 bytes) noexcept { kapi_netdev_tx_completed(m_dev, q, pkts, bytes); }
	void bql_reset(u16 q) noexcept { kapi_netdev_tx_reset(m_dev, q); }
	u32 num_tx_queues() const noexcept { return kapi_netdev_num_tx_queues(m_dev); }
	u32 real_num_tx_queues() const noexcept { return kapi_netdev_real_num_tx_queues(m_dev); }
	/* XPS: cpu transmits on queue q. rtnl held. */
	Status set_xps_cpu(u32 cpu, u16 q) noexcept { return from_errno(kapi_netdev_set_xps_cpu(m_dev, cpu, q)); }

	/* rtnl newlink only: configure the core-allocated dev, set its owner (defined below). */
	Status adopt(const NetDevConfig &cfg, void *owner) noexcept;
	/*
	 * Registers an adopted device (register_netdevice) and hands it to the
	 * core as UniqueNetDev::register_to_core does: on success it is the
	 * core's and netdev_destruct will free the owner, even if newlink
	 * then fails (after unregister_locked()). On failure the rtnl core
	 * frees the device when newlink returns the error and no destruct
	 * upcall comes: free the owner yourself. Context: the newlink
	 * upcall; rtnl held.
	 */
	Status register_adopted() noexcept { return from_errno(kapi_netdev_register_core_locked(m_dev)); }
	/*
	 * unregister_netdevice() of a registered device: ndo_stop if up,
	 * NETDEV_UNREGISTER, ndo_uninit; for a core-owned device
	 * netdev_destruct follows at rtnl_unlock(). Locking: rtnl held.
	 */
	void unregister_locked() noexcept { kapi_netdev_unregister_locked(m_dev); }
	/* dev_change_flags: bringing IFF_UP on or off opens or closes it. Context: process, rtnl held. */
	Status change_flags(u32 flags) noexcept { return from_errno(kapi_netdev_change_flags(m_dev, flags)); }
	/* CAP_NET_ADMIN in the device's netns user namespace, for the current task. */
	bool net_admin_capable() const noexcept { return kapi_netdev_net_admin_capable(m_dev) != 0; }
	/* Both (non-null) devices in the same network namespace. Locking: rtnl for a stable answer. */
	bool same_netns(NetDev other) const noexcept { return kapi_netdev_same_netns(m_dev, other.m_dev) != 0; }

	/* dev_hold/dev_put around asynchronous work that names the device. */
	void hold() noexcept { kapi_netdev_hold(m_dev); }
	void put() noexcept { kapi_netdev_put(m_dev); }

	/*
	 * Re-sends a parked skb (pseudo header pushed) through the qdisc.
	 * Always consumes it. Returns 0 or a positive NET_XMIT_* code; an
	 * error if the core refused it. Context: process or softirq, IRQs on.
	 */
	Result<int> queue_xmit(Skb skb) noexcept
	{
		int rc = kapi_skb_xmit(m_dev, skb.raw());
		if (rc < 0)
			return Error(rc);
		return rc;
	}

	struct kapi_netdev *raw() const noexcept { return m_dev; }

private:
	struct kapi_netdev *m_dev;
};

/* The running kernel's in-tree ib_ipoib TX watchdog period, ms (kapi_netdev_intree_watchdog_ms). */
inline u32 intree_watchdog_ms() noexcept
{
	return kapi_netdev_intree_watchdog_ms();
}

/* Everything set before the device becomes visible; see kapi_netdev_config. */
struct NetDevConfig {
	const char *name = "ib%d";
	IbDevice parent{nullptr};
	NetdevParent parent_kind = NetdevParent::Bus;
	bool live_addr_change = false; /* in-tree leaves IFF_LIVE_ADDR_CHANGE clear */
	u16 dev_port = 0;
	u16 dev_id = 0;
	u32 mtu = 0;
	u32 min_mtu = 0;
	u32 max_mtu = 0;
	u32 tx_queue_len = 0;
	u16 num_tx_queues = 1; /* allocated; UniqueNetDev::create only (rtnl's core allocates its own) */
	u32 watchdog_ms = 0;
	u64 features = 0;
	u64 hw_features = 0;
	u8 dev_addr[kNetdevAddrLen] = {};
	u8 broadcast[kNetdevAddrLen] = {};
	/*
	 * UniqueNetDev::create only: put the device in this device's network
	 * namespace. Hold rtnl from create to registration for a stable answer.
	 */
	NetDev same_net_as{};
};

namespace detail {
/*
 * A show/store result as sysfs wants it: the errno, or the count, which
 * must stay below limit (show: the buffer size; store: len + 1). A
 * larger count is a driver bug: reported, and the write/read fails -EIO.
 */
inline long sysfs_count(const Result<usize> &n, usize limit) noexcept
{
	if (n.is_err())
		return n.error().code();
	if (unlikely(n.value() >= limit)) {
		KERN_WARN("sysfs show/store upcall returned more bytes than it had");
		return -err::EIO;
	}
	return static_cast<long>(n.value());
}

inline struct kapi_netdev_config to_kapi(const NetDevConfig &cfg) noexcept
{
	struct kapi_netdev_config kc = {};
	kc.name = cfg.name;
	kc.parent = cfg.parent.raw();
	kc.parent_kind = static_cast<u8>(cfg.parent_kind);
	kc.live_addr_change = cfg.live_addr_change;
	kc.dev_port = cfg.dev_port;
	kc.dev_id = cfg.dev_id;
	kc.mtu = cfg.mtu;
	kc.min_mtu = cfg.min_mtu;
	kc.max_mtu = cfg.max_mtu;
	kc.tx_queue_len = cfg.tx_queue_len;
	kc.num_tx_queues = cfg.num_tx_queues;
	kc.watchdog_ms = cfg.watchdog_ms;
	kc.features = cfg.features;
	kc.hw_features = cfg.hw_features;
	for (usize i = 0; i < kNetdevAddrLen; i++) {
		kc.dev_addr[i] = cfg.dev_addr[i];
		kc.broadcast[i] = cfg.broadcast[i];
	}
	kc.same_net_as = cfg.same_net_as.raw();
	return kc;
}
} // namespace detail

/*
 * For the dev of the rtnl newlink upcall (allocated by the core with our
 * setup, no owner yet): applies cfg except name and namespace (parent
 * link, dev_port/dev_id, MTU and limits, features, addresses,
 * tx_queue_len if non-zero, watchdog), overriding what the request set,
 * and sets the owner. On error the owner is not set and the core frees
 * the device when newlink fails. Context: the newlink upcall; rtnl held.
 */
inline Status NetDev::adopt(const NetDevConfig &cfg, void *owner) noexcept
{
	struct kapi_netdev_config kc = detail::to_kapi(cfg);
	return from_errno(kapi_netdev_adopt(m_dev, &kc, owner));
}



/*
 * Holds rtnl for the rest of the scope. Context: process; may sleep.
 * Not for code that already runs under rtnl (ndo_open/stop, the notifier).
 */
class [[nodiscard]] RtnlGuard : NonMovable {
public:
	[[nodiscard]] RtnlGuard() noexcept { kapi_rtnl_lock(); }
	~RtnlGuard() { kapi_rtnl_unlock(); }
};

/* rtnl helpers for code that cannot block on it (sysfs stores, work that races unregister). */
namespace rtnl {
inline bool trylock() noexcept { return kapi_rtnl_trylock() != 0; }
inline void unlock() noexcept { kapi_rtnl_unlock(); }
inline void assert_held() noexcept { kapi_rtnl_assert(); }
} // namespace rtnl

/*
 * restart_syscall(): the error a sysfs store returns when rtnl::trylock()
 * failed, so the write restarts transparently (-ERESTARTNOINTR) instead
 * of deadlocking against an unregister that waits for the store.
 * Context: process (a sysfs store).
 */
inline Error restart_syscall() noexcept
{
	return Error(kapi_restart_syscall());
}

/* CPUs online and possible (num_online_cpus, num_possible_cpus). Context: any. */
inline u32 online_cpus() noexcept { return kapi_num_online_cpus(); }
inline u32 possible_cpus() noexcept { return kapi_num_possible_cpus(); }

/* netif_tx_lock_bh for the scope: excludes ndo_start_xmit on dev. */
class [[nodiscard]] TxLockGuard : NonMovable {
public:
	[[nodiscard]] explicit TxLockGuard(NetDev dev) noexcept : m_dev(dev) { kapi_netif_tx_lock_bh(m_dev.raw()); }
	~TxLockGuard() { kapi_netif_tx_unlock_bh(m_dev.raw()); }

private:
	NetDev m_dev;
};

/*
 * Sole owner of an allocated net_device. Destruction unregisters it if
 * registered (taking rtnl) and frees it, so it must run in process
 * context without rtnl held; under rtnl call reset_locked() first.
 * Movable by hand (the moved-from object is disarmed).
 */
class UniqueNetDev : NonCopyable {
public:
	UniqueNetDev() noexcept = default;
	UniqueNetDev(UniqueNetDev &&o) noexcept
		: m_dev(exchange(o.m_dev, nullptr)), m_registered(exchange(o.m_registered, false))
	{
	}
	UniqueNetDev &operator=(UniqueNetDev &&o) noexcept
	{
		if (this != &o) {
			reset();
			m_dev = exchange(o.m_dev, nullptr);
			m_registered = exchange(o.m_registered, false);
		}
		return *this;
	}
	~UniqueNetDev() { reset(); }

	/*
	 * Allocates the device; owner receives every upcall for it and must
	 * outlive it. Context: process; may sleep.
	 */
	static Result<UniqueNetDev> create(const NetDevConfig &cfg, void *owner) noexcept
	{
		struct kapi_netdev_config kc = detail::to_kapi(cfg);
		struct kapi_netdev *dev = nullptr;
		int rc = kapi_netdev_alloc(&kc, owner, &dev);
		if (rc)
			return Error(rc);
		UniqueNetDev out;
		out.m_dev = dev;
		return out;
	}

	NetDev get() const noexcept { return NetDev(m_dev); }
	explicit operator bool() const noexcept { return m_dev != nullptr; }
	bool registered() const noexcept { return m_registered; }

	/* register_netdev (takes rtnl) / register_netdevice (rtnl held). Calls ndo_init. */
	Status register_netdev() noexcept { return do_register(kapi_netdev_register(m_dev)); }
	Status register_locked() noexcept { return do_register(kapi_netdev_register_locked(m_dev)); }

	/*
	 * Registers (register_netdevice; rtnl taken, killably, unless
	 * rtnl_held) and hands the device to the net core: on success this
	 * object is disarmed (get() is null, so take get() before), and the
	 * core calls ndo_uninit at unregister and netdev_destruct, then frees
	 * the device, at the rtnl_unlock() after it. On failure this object
	 * still owns the unregistered device (reset() frees it), no
	 * netdev_destruct will come, and the device's owner pointer is
	 * cleared. -EINVAL if empty or already registered.
	 * Context: process; may sleep.
	 */
	Status register_to_core(bool rtnl_held) noexcept
	{
		if (!m_dev || m_registered)
			return Error(-err::EINVAL);
		int rc = rtnl_held ? kapi_netdev_register_core_locked(m_dev) : kapi_netdev_register_core(m_dev);
		if (rc)
			return Error(rc);
		m_dev = nullptr;
		return ok();
	}

	/* Unregisters (if registered) and frees. Context: process, rtnl NOT held. */
	void reset() noexcept
	{
		if (!m_dev)
			return;
		if (m_registered)
			kapi_netdev_unregister(m_dev);
		kapi_netdev_free(exchange(m_dev, nullptr));
		m_registered = false;
	}
	/* The same under rtnl; the core finishes the free at rtnl_unlock(). */
	void reset_locked() noexcept
	{
		if (!m_dev)
			return;
		if (m_registered)
			kapi_netdev_unregister_locked(m_dev);
		kapi_netdev_free(exchange(m_dev, nullptr));
		m_registered = false;
	}

private:
	Status do_register(int rc) noexcept
	{
		if (rc)
			return Error(rc);
		m_registered = true;
		return ok();
	}

	struct kapi_netdev *m_dev = nullptr;
	bool m_registered = false;
};

/* The module's netdevice notifier; unregistered on destruction. Context: process, no rtnl. */
using NetdevNotifierRegistration = Registration<kapi_netdev_register_notifier, kapi_netdev_unregister_notifier>;

/*
 * A NAPI context embedded in its owner and bound to a member function:
 *
 *     m_recv_napi.init<Iface, &Iface::poll_rx>(this, dev, 64);
 *
 * int T::poll(int budget) runs in softirq and returns the work done.
 * The owner must del() (which sleeps) before it is destroyed and before
 * the net_device is freed: free_netdev() walks the device's NAPI list.
 * The destructor only warns if that was forgotten, since it cannot sleep.
 */
class Napi : NonMovable {
public:
	Napi() = default;
	~Napi()
	{
		if (unlikely(m_added))
			KERN_WARN("kern::Napi destroyed while still added to its net_device");
	}

	/* Context: process. The context starts disabled. */
	template <class T, int (T::*Fn)(int)>
	void init(T *owner, NetDev dev, int weight) noexcept
	{
		m_owner = owner;
		m_call = [](void *o, int budget) { return (static_cast<T *>(o)->*Fn)(budget); };
		kapi_napi_add(dev.raw(), &m_napi, &Napi::trampoline, weight);
		m_added = true;
	}
	/* netif_napi_del. Context: process; sleeps. Idempotent. */
	void del() noexcept
	{
		if (m_added)
			kapi_napi_del(&m_napi);
		m_added = false;
	}

	void enable() noexcept { kapi_napi_enable(&m_napi); }
	/* Context: process; waits for a running poll. */
	void disable() noexcept { kapi_napi_disable(&m_napi); }
	/* Context: any (IRQ included). True if this call scheduled the poll. */
	bool schedule() noexcept { return kapi_napi_schedule(&m_napi) != 0; }
	/* From the poll only. True if complete: the CQ may be re-armed. */
	bool complete_done(int work_done) noexcept { return kapi_napi_complete_done(&m_napi, work_done) != 0; }

	/*
	 * Hands a completed UD receive to the stack through this context's
	 * GRO (see kapi_skb_rx_deliver). Always consumes skb. Returns the
	 * bytes delivered, or -EINVAL for a bad length (skb freed).
	 * Context: this context's poll.
	 */
	Result<u32> deliver_ud(Skb skb, u32 byte_len, PacketType type, bool csum_ok) noexcept
	{
		int n = kapi_skb_rx_deliver(&m_napi, skb.raw(), byte_len, static_cast<enum kapi_pkt_type>(type),
					    csum_ok ? static_cast<unsigned int>(KAPI_SKB_RX_CSUM_OK) : 0u);
		if (n < 0)
			return Error(n);
		return static_cast<u32>(n);
	}
	/*
	 * A connected-mode receive (data at the encap header): GRO, PACKET_HOST.
	 * partial: CHECKSUM_PARTIAL, the L4 header at start and its checksum
	 * field at off from it (start from the IP header). Consumes skb.
	 */
	Result<u32> deliver_cm(Skb skb, bool partial = false, u32 start = 0, u32 off = 0) noexcept
	{
		int n = kapi_skb_rx_deliver_cm(&m_napi, skb.raw(), partial ? static_cast<unsigned int>(KAPI_SKB_RX_CSUM_PARTIAL) : 0u, start,
					       off);
		if (n < 0)
			return Error(n);
		return static_cast<u32>(n);
	}

private:
	static int trampoline(struct kapi_napi *n, int budget)
	{
		Napi *self = reinterpret_cast<Napi *>(reinterpret_cast<char *>(n) - __builtin_offsetof(Napi, m_napi));
		return self->m_call(self->m_owner, budget);
	}

	struct kapi_napi m_napi {};
	int (*m_call)(void *, int) = nullptr;
	void *m_owner = nullptr;
	bool m_added = false;
};

} // namespace kern

/*
 * Defines every net_device upcall once, forwarding to static members of
 * Driver (see the list at the top of this file) with the owner as Owner &.
 * Use once per module, at namespace scope.
 */
#define KERN_NETDEV_OPS(Driver, Owner)                                                                     \
	extern "C" int kapi_upcall_netdev_init(void *owner, struct kapi_netdev *dev)                       \
	{                                                                                                  \
		return kern::to_errno(Driver::ndo_init(*static_cast<Owner *>(owner), kern::NetDev(dev)));  \
	}                                                                                                  \
	extern "C" void kapi_upcall_netdev_uninit(void *owner, struct kapi_netdev *dev)                    \
	{                                                                                                  \
		Driver::ndo_uninit(*static_cast<Owner *>(owner), kern::NetDev(dev));                       \
	}                                                                                                  \
	extern "C" int kapi_upcall_netdev_open(void *owner, struct kapi_netdev *dev)                       \
	{                                                                                                  \
		return kern::to_errno(Driver::ndo_open(*static_cast<Owner *>(owner), kern::NetDev(dev)));  \
	}                                                                                                  \
	extern "C" int kapi_upcall_netdev_stop(void *owner, struct kapi_netdev *dev)                       \
	{                                                                                                  \
		return kern::to_errno(Driver::ndo_stop(*static_cast<Owner *>(owner), kern::NetDev(dev)));  \
	}                                                                                                  \
	extern "C" enum kapi_netdev_tx kapi_upcall_netdev_start_xmit(void *owner, struct kapi_netdev *dev, \
								     struct kapi_skb *skb, kapi_u16 txq)   \
	{                                                                                                  \
		return static_cast<enum kapi_netdev_tx>(Driver::ndo_start_xmit(                            \
			*static_cast<Owner *>(owner), kern::NetDev(dev), kern::Skb(skb), txq));            \
	}                                                                                                  \
	extern "C" int kapi_upcall_netdev_change_mtu(void *owner, struct kapi_netdev *dev, int new_mtu)    \
	{                                                                                                  \
		return kern::to_errno(                                                                     \
			Driver::ndo_change_mtu(*static_cast<Owner *>(owner), kern::NetDev(dev), new_mtu)); \
	}                                                                                                  \
	extern "C" void kapi_upcall_netdev_set_rx_mode(void *owner, struct kapi_netdev *dev)               \
	{                                                                                                  \
		Driver::ndo_set_rx_mode(*static_cast<Owner *>(owner), kern::NetDev(dev));                  \
	}                                                                                                  \
	extern "C" void kapi_upcall_netdev_get_stats(void *owner, struct kapi_netdev *dev,                 \
						     struct kapi_link_stats *out)                          \
	{                                                                                                  \
		kern::LinkStats s = {};                                                                    \
		Driver::ndo_get_stats64(*static_cast<Owner *>(owner), kern::NetDev(dev), s);               \
		out->rx_packets = s.rx_packets;                                                            \
		out->tx_packets = s.tx_packets;                                                            \
		out->rx_bytes = s.rx_bytes;                                                                \
		out->tx_bytes = s.tx_bytes;                                                                \
		out->rx_errors = s.rx_errors;                                                              \
		out->tx_errors = s.tx_errors;                                                              \
		out->rx_dropped = s.rx_dropped;                                                            \
		out->tx_dropped = s.tx_dropped;                                                            \
		out->multicast = s.multicast;                                                              \
	}                                                                                                  \
	extern "C" int kapi_upcall_netdev_set_mac_address(void *owner, struct kapi_netdev *dev,            \
							  const kapi_u8 addr[KAPI_NETDEV_ADDR_LEN])        \
	{                                                                                                  \
		return kern::to_errno(Driver::ndo_set_mac_address(                                         \
			*static_cast<Owner *>(owner), kern::NetDev(dev),                                   \
			*reinterpret_cast<const kern::u8(*)[kern::kNetdevAddrLen]>(addr)));                \
	}                                                                                                  \
	extern "C" void kapi_upcall_netdev_tx_timeout(void *owner, struct kapi_netdev *dev,                \
						      unsigned int txqueue)                                \
	{                                                                                                  \
		Driver::ndo_tx_timeout(*static_cast<Owner *>(owner), kern::NetDev(dev), txqueue);          \
	}                                                                                                  \
	extern "C" kapi_u64 kapi_upcall_netdev_fix_features(void *owner, struct kapi_netdev *dev,          \
							    kapi_u64 features)                             \
	{                                                                                                  \
		return Driver::ndo_fix_features(*static_cast<Owner *>(owner), kern::NetDev(dev), features); \
	}                                                                                                  \
	extern "C" void kapi_upcall_netdev_event(void *owner, struct kapi_netdev *dev,                     \
						 enum kapi_netdev_event event)                             \
	{                                                                                                  \
		Driver::netdev_event(*static_cast<Owner *>(owner), kern::NetDev(dev),                      \
				     static_cast<kern::NetdevEvent>(event));                               \
	}                                                                                                  \
	extern "C" int kapi_upcall_netdev_get_iflink(void *owner, struct kapi_netdev *dev)                 \
	{                                                                                                  \
		return Driver::ndo_get_iflink(*static_cast<Owner *>(owner), kern::NetDev(dev));            \
	}                                                                                                  \
	extern "C" void kapi_upcall_netdev_destruct(void *owner, struct kapi_netdev *)                     \
	{                                                                                                  \
		Driver::netdev_destruct(*static_cast<Owner *>(owner));                                     \
	}                                                                                                  \
	extern "C" int kapi_upcall_netdev_attr_visible(void *owner, struct kapi_netdev *dev,               \
						       enum kapi_if_attr attr)                             \
	{                                                                                                  \
		return Driver::attr_visible(*static_cast<Owner *>(owner), kern::NetDev(dev),               \
					    static_cast<kern::IfAttr>(attr));                              \
	}                                                                                                  \
	extern "C" long kapi_upcall_netdev_attr_show(void *owner, struct kapi_netdev *dev,                 \
						     enum kapi_if_attr attr, char *buf, kapi_size size)    \
	{                                                                                                  \
		kern::Result<kern::usize> n = Driver::attr_show(*static_cast<Owner *>(owner),              \
								kern::NetDev(dev),                         \
								static_cast<kern::IfAttr>(attr),           \
								kern::Span<char>(buf, size));              \
		return kern::detail::sysfs_count(n, size);                                                 \
	}                                                                                                  \
	extern "C" long kapi_upcall_netdev_attr_store(void *owner, struct kapi_netdev *dev,                \
						      enum kapi_if_attr attr, const char *buf,             \
						      kapi_size len)                                       \
	{                                                                                                  \
		kern::Result<kern::usize> n = Driver::attr_store(*static_cast<Owner *>(owner),             \
								 kern::NetDev(dev),                        \
								 static_cast<kern::IfAttr>(attr), buf,     \
								 len);                                     \
		return kern::detail::sysfs_count(n, len + 1);                                              \
	}

#endif /* KERN_NETDEV_H */
