/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/driver/iface.h - one IPoIB interface: a parent (ib%d, one per
 * bound port) or a P_Key child of it (ib0.8001), created through sysfs
 * create_child or `ip link add ... type ipoib`. All kinds are this one
 * type; a child differs only in its P_Key, its parent and who made it.
 *
 * Each interface owns its net_device, UD QP and CQs with their rings and
 * NAPI contexts, paths, neighbours, multicast groups and counters. Its
 * parts live in:
 *   ipoib_iface.cc  create/destroy, open/stop, flush, net_device_ops,
 *                   sysfs attributes, debugfs lifecycle
 *   ipoib_ud.cc     UD datapath: receive NAPI, transmit, completions
 *   ipoib_path.cc   AHs, paths, neighbours (unicast resolution)
 *   ipoib_mcast.cc  broadcast join, carrier, multicast list, send-only groups
 *   ipoib_vlan.cc   children: create_child/delete_child, rtnl_link_ops
 *   ipoib_ethtool.cc ethtool_ops: drvinfo, link settings, -c/-C, -S
 *   ipoib_rx_moder.cc receive CQ moderation: static or adaptive (DIM)
 *
 * Lifetime. The net core owns a registered net_device; the Iface lives
 * exactly as long: ndo_init links it into its Port, ndo_uninit (rtnl
 * held, after ndo_stop) unlinks it and releases every resource, and
 * netdev_destruct (after the last reference, no rtnl) frees it. Nothing
 * else frees an Iface once it is registered. Parents are unregistered by
 * Port::remove_all on device removal, children first.
 *
 * Parts: UdChannel (ud.h: QP, CQs, rings, NAPI, AH pool), Resolver
 * (path.h: paths and neighbours), Multicast (mcast.h: groups and the join
 * task). Calls go one way, Iface -> {Resolver, Multicast} -> UdChannel;
 * the parts read the interface's identity and count into its Stats.
 *
 * Lock order (outermost first):
 *   rtnl -> Port::m_ifaces_lock (mutex) -> Iface::m_ctl (mutex)
 *        -> netif tx lock -> Resolver::m_lock | Multicast::m_lock (spin, _bh)
 *        -> UdChannel::m_ah_lock (spin, _bh)
 *   Iface::m_ctl -> RxModeration::m_lock (mutex; the dim work's only lock)
 * The spinlocks are never held across a sleep; the CQ handlers only
 * schedule NAPI. Work on m_wq (ordered, per interface): the multicast
 * task, the AH reaper, the neighbour GC and QP recovery; none of them
 * blocks on rtnl (carrier-on uses rtnl_trylock and gives up when the
 * task is stopped). The TX-timeout recovery runs on the module's flush
 * queue (the rebuild waits for m_wq's work) and tries rtnl again 20 ms
 * later rather than block on it, since ndo_stop/ndo_uninit cancel it.
 */
#ifndef IPOIB_DRIVER_IFACE_H
#define IPOIB_DRIVER_IFACE_H

#include "ipoib/buf_writer.h"
#include "ipoib/child.h"
#include "ipoib/driver/cm.h"
#include "ipoib/driver/common.h"
#include "ipoib/driver/mcast.h"
#include "ipoib/driver/path.h"
#include "ipoib/driver/rx_moder.h"
#include "ipoib/driver/ud.h"
#include "ipoib/ethtool.h"
#include "ipoib/neigh_table.h"
#include "kern/atomic.h"
#include "kern/debugfs.h"
#include "kern/ethtool.h"
#include "kern/ib.h"
#include "kern/list.h"
#include "kern/lock.h"
#include "kern/rtnl_link.h"
#include "kern/verbs.h"
#include "kern/work.h"

namespace ipoib {

/* One TX queue's counters: packets and bytes written by its send poll, stops by its xmit. */
struct TxqStats {
	kern::Atomic<u64> packets;
	kern::Atomic<u64> bytes;
	kern::Atomic<u64> stops;
};

/*
 * Counters, read by get_stats64 while they change. The receive ones have
 * one writer (the receive poll), each TX queue's its own (see TxqStats),
 * summed for the totals; tx dropped/errors are counted from several
 * contexts. They outlive queue rebuilds (ethtool -L/-G).
 */
struct Stats {
	kern::Atomic<u64> rx_packets;
	kern::Atomic<u64> rx_bytes;
	kern::Atomic<u64> rx_dropped;
	kern::Atomic<u64> rx_errors;
	kern::Atomic<u64> multicast;
	TxqStats txq[kMaxTxQueues];
	kern::Atomic<u64> tx_dropped; /* several writers: fetch_add */
	kern::Atomic<u64> tx_errors;  /* several writers: fetch_add */
};

/* What the parts read of their interface. */
struct IfaceAddr {
	u16 lid = 0;
	Gid gid;
	u16 pkey = 0xffff;          /* with the full-member bit */
	u16 pkey_index = 0;
	bool pkey_assigned = false; /* the port's table holds pkey */
	u32 qkey = 0;               /* the broadcast group's */
	kern::Atomic<u8> bcast_tclass; /* the broadcast group's traffic class, for path queries */
	HwAddr bcast;
	u32 max_ib_mtu = 2048;
	u32 mcast_mtu = 2044;       /* the broadcast group's MTU - 4 */
	u32 admin_mtu = 2044;       /* what the user set */
	u32 rx_buf_len = 2048 + kGrhLen;
};

/* Who made an interface (in-tree: IPOIB_PARENT_DEV / LEGACY_CHILD / RTNL_CHILD). */
enum class IfaceKind : u8 { Parent, SysfsChild, RtnlChild };

/* What Iface::create needs to know beyond the port. */
struct IfaceSpec {
	IfaceKind kind = IfaceKind::Parent;
	u16 pkey = 0;            /* children: the P_Key as requested (full-member bit added) */
	Iface *parent = nullptr; /* children */
	const char *name = nullptr; /* sysfs children: "<parent>.<pkey>"; parents: "ib%d" */
};

class Iface : kern::NonCopyable {
public:
	Iface(Port &port, const IfaceSpec &spec) noexcept;
	~Iface();

	/*
	 * Creates and registers an interface. With adopt set (rtnl newlink)
	 * the core allocated the net_device; otherwise one is allocated.
	 * On success the core owns the device and the Iface (see Lifetime).
	 * Context: process; rtnl held iff rtnl_held.
	 */
	static Result<Iface *> create(Port &port, const IfaceSpec &spec, NetDev adopt, bool rtnl_held);
	/* A port event turned into a flush. Port::m_ifaces_lock held (and rtnl for Heavy). */
	void flush(FlushLevel level);

	/* Before the netdev exists (create()): the name asked for, else the HCA's. */
	const char *name() const noexcept
	{
		if (m_dev)
			return m_dev.name();
		return m_early_name ? m_early_name : m_ib.name();
	}
	NetDev netdev() const noexcept { return m_dev; }
	Port &port() const noexcept { return *m_port_obj; }
	bool is_child() const noexcept { return m_kind != IfaceKind::Parent; }
	IfaceKind kind() const noexcept { return m_kind; }
	Iface *parent() const noexcept { return m_parent; }
	u16 pkey() const noexcept { return m_addr.pkey; }

	/* net_device_ops and friends (KERN_NETDEV_OPS binds these; Driver == Owner == Iface). */
	static Status ndo_init(Iface &, NetDev);
	static void ndo_uninit(Iface &, NetDev);
	static Status ndo_open(Iface &, NetDev);
	static Status ndo_stop(Iface &, NetDev);
	static kern::TxResult ndo_start_xmit(Iface &, NetDev, Skb, u16 txq);
	static Status ndo_change_mtu(Iface &, NetDev, int new_mtu);
	static void ndo_set_rx_mode(Iface &, NetDev);
	static void ndo_get_stats64(Iface &, NetDev, kern::LinkStats &);
	static Status ndo_set_mac_address(Iface &, NetDev, const u8 (&)[kern::kNetdevAddrLen]);
	static void ndo_tx_timeout(Iface &, NetDev, unsigned int);
	static u64 ndo_fix_features(Iface &, NetDev, u64 features);
	static int ndo_get_iflink(Iface &, NetDev);
	static void netdev_event(Iface &, NetDev, kern::NetdevEvent);
	static void netdev_destruct(Iface &);
	/* sysfs attributes of /sys/class/net/<if>/ (ipoib_iface.cc, children in ipoib_vlan.cc). */
	static bool attr_visible(Iface &, NetDev, kern::IfAttr);
	static Result<usize> attr_show(Iface &, NetDev, kern::IfAttr, kern::Span<char> buf);
	static Result<usize> attr_store(Iface &, NetDev, kern::IfAttr, const char *buf, usize len);
	/* rtnl_link_ops (ipoib_vlan.cc; KERN_RTNL_LINK_OPS binds these). */
	static Status rtnl_newlink(NetDev dev, bool has_link, NetDev parent, const kern::LinkAttrs &, kern::ExtAck);
	static Status rtnl_changelink(Iface &, NetDev, const kern::LinkAttrs &, kern::ExtAck);
	static bool rtnl_dellink(Iface &, NetDev);
	static void rtnl_fill_info(Iface &, NetDev, kern::LinkInfo &);
	/* ethtool_ops (ipoib_ethtool.cc; KERN_ETHTOOL_OPS binds these). Process context, rtnl held. */
	static void eth_get_drvinfo(Iface &, NetDev, kern::EthDrvInfo &);
	static Status eth_get_link_ksettings(Iface &, NetDev, kern::EthLink &);
	static Status eth_get_coalesce(Iface &, NetDev, kern::EthCoalesce &);
	static Status eth_set_coalesce(Iface &, NetDev, const kern::EthCoalesce &);
	static int eth_get_sset_count(Iface &, NetDev, int sset);
	static void eth_get_strings(Iface &, NetDev, u32 sset, u8 *data);
	static void eth_get_stats(Iface &, NetDev, u64 *data);
	static void eth_get_rings(Iface &, NetDev, kern::EthRings &);
	static Status eth_set_rings(Iface &, NetDev, const kern::EthRings &);
	static void eth_get_channels(Iface &, NetDev, kern::EthChannels &);
	static Status eth_set_channels(Iface &, NetDev, const kern::EthChannels &);

	/* ---- ipoib_vlan.cc: children ---- */
	Result<usize> create_child_store(const char *buf, usize len);
	Result<usize> delete_child_store(const char *buf, usize len);
	Status set_umcast(bool on);
	/* ipoib_set_mode: connected or datagram, with the MTU, features and paths that go with it. rtnl held. */
	Status set_mode(Mode to);

	/* ---- for the parts (ud, path, mcast) ---- */
	UdChannel &ud() noexcept { return m_ud; }
	Resolver &resolver() noexcept { return m_resolver; }
	Multicast &mcast() noexcept { return m_mcast; }
	Cm &cm() noexcept { return m_cm; }
	/* The receive CQ's moderation; in_effect() is what the CQ has now. */
	RxModeration &rx_moder() noexcept { return m_rx_moder; }
	/* The admin mode is connected (in-tree: IPOIB_FLAG_ADMIN_CM). Context: any. */
	bool cm_mode() const noexcept { return m_cm_mode.load(); }
	/* umcast: skip multicast-list groups userspace joined (ib_sa knows them). Context: any. */
	bool umcast() const noexcept { return m_umcast.load(); }
	Stats &stats() noexcept { return m_stats; }
	const IfaceAddr &addr() const noexcept { return m_addr; }
	kern::WorkQueue &wq() noexcept { return m_wq; }
	IbDevice ib() const noexcept { return m_ib; }
	u32 port_num() const noexcept { return m_port; }
	/* The datapath is running. Context: any. */
	bool oper_up() const noexcept { return m_oper_up.load(); }
	Gid bcast_mgid() const noexcept { return m_addr.bcast.gid(); }
	u8 bcast_tclass() const noexcept { return m_addr.bcast_tclass.load(); }
	/* Set by the broadcast join (the multicast task). */
	void set_qkey(u32 qkey) noexcept { m_addr.qkey = qkey; }
	void set_bcast_tclass(u8 tc) noexcept { m_addr.bcast_tclass.store(tc); }
	void set_mcast_mtu(u32 mtu) noexcept { m_addr.mcast_mtu = mtu; }
	/* The receive CQ moderation in effect (ethtool -S). */
	ethtool::Coalesce rx_moderation() const noexcept;
	/* Re-sends parked skbs through the qdisc. Context: process/softirq, no locks held. */
	void requeue_all(kern::SkbQueue &q);
	/* Drop-and-count for transmit. Context: any. */
	void drop_tx(Skb &skb) noexcept
	{
		count_tx_dropped();
		skb.drop();
	}
	void count_tx_dropped(u64 n = 1) noexcept { m_stats.tx_dropped.fetch_add(n); }
	void count_tx_error() noexcept { m_stats.tx_errors.fetch_add(1); }

	/* Port::m_ifaces: rtnl + Port::m_ifaces_lock to write. */
	kern::ListNode m_port_node;

private:
	void debugfs_update(kern::NetdevEvent ev);
	template <class T, void (T::*Fn)(BufWriter &)>
	void debugfs_file(kern::DebugfsFile &file, const char *suffix, T *owner, kern::NetdevEvent ev);
	Status dev_open();
	void dev_stop();
	/* ethtool -G/-L: the datapath quiesced, rebuilt at the new sizes, resumed. rtnl held. */
	Status reconfigure(u32 rx, u32 tx, u32 ntx);
	/* ndo_tx_timeout's work: the datapath rebuilt at the same sizes, under rtnl (flush_wq). */
	void tx_timeout_work();
	kern::DelayedWork m_tx_timeout_work;
	kern::Atomic<bool> m_tx_timeout_queued; /* set by ndo_tx_timeout, cleared by the work under rtnl */
	/* The TX queues the stack may use: ours in datagram mode, one in connected mode. rtnl held. */
	Status apply_real_tx_queues();
	u32 m_ntx_wanted = 1; /* -L tx (or the default); under rtnl */
	Status refresh_port();
	/* Everything create() made, in reverse; idempotent. Context: process. */
	void release();
	void set_children_up(bool up);

	/* Identity: fixed at create. */
	Port *m_port_obj;
	IbDevice m_ib;
	u32 m_port;
	const IfaceKind m_kind;
	Iface *const m_parent;
	NetDev m_dev;
	/* create() only, for name() until m_dev is set: the requested name of a child. */
	const char *m_early_name = nullptr;
	/* Addresses and sizes: written under m_ctl (or by the join task), read anywhere. */
	IfaceAddr m_addr;
	kern::Atomic<bool> m_umcast;
	kern::Atomic<bool> m_cm_mode; /* written under rtnl */
	kern::Atomic<bool> m_oper_up; /* datapath running: written under m_ctl */

	kern::Mutex m_ctl; /* open/stop/flush of this interface */
	kern::WorkQueue m_wq; /* ordered: the parts' work items */

	/* The parts, each with its own lock (lock order above). */
	UdChannel m_ud;
	Resolver m_resolver;
	Multicast m_mcast;
	Cm m_cm;
	RxModeration m_rx_moder;

	Stats m_stats;
	kern::DebugfsFile m_path_file; /* created/renamed/removed by the notifier (rtnl) */
	kern::DebugfsFile m_cm_file;
	kern::DebugfsFile m_mcg_file;
};

} // namespace ipoib

#endif /* IPOIB_DRIVER_IFACE_H */
