/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/driver.h - the driver's own types, shared by ipoib_*.cc.
 *
 * Unlike the rest of include/ipoib/ this header is not pure: it uses the
 * kernel abstractions (kern/netdev.h, kern/verbs.h, kern/sa.h) and is
 * only built into the module.
 *
 * One Iface per bound InfiniBand port owns the net_device, the UD QP
 * with its two CQs and rings, the path and neighbour tables and the
 * multicast groups. Its parts live in:
 *   ipoib_main.cc   netdev ops, open/stop, flush on port events, paths,
 *                   neighbours, address handles, stats
 *   ipoib_ud.cc     UD rings: receive NAPI, transmit, completions
 *   ipoib_mcast.cc  broadcast join, carrier, multicast list, send-only groups
 *
 * Locking
 *   m_lock (spin, _bh)   paths, neighbours, AH refcounts and the dead-AH
 *                        list, multicast groups and their queues. Taken in
 *                        process context, softirq (xmit) and ib_sa
 *                        callbacks; never from hard IRQ (the CQ handlers
 *                        only schedule NAPI).
 *   m_state (mutex)      open/stop against port-event flushes. Taken
 *                        after rtnl when both are needed.
 *   netif tx lock        the TX ring head (xmit is single-queue).
 *   send NAPI            the TX ring tail; recv NAPI the RX ring.
 * Work on m_wq (ordered, per interface): the multicast task, the AH
 * reaper and the neighbour GC. Port events come from the module's
 * "ipoib_flush" workqueue.
 */
#ifndef IPOIB_DRIVER_H
#define IPOIB_DRIVER_H

#include "ipoib/neigh_table.h"
#include "ipoib/path_state.h"
#include "ipoib/wire.h"
#include "ipoib/buf_writer.h"
#include "kern/debugfs.h"
#include "kern/ib.h"
#include "kern/list.h"
#include "kern/lock.h"
#include "kern/log.h"
#include "kern/memory.h"
#include "kern/netdev.h"
#include "kern/result.h"
#include "kern/sa.h"
#include "kern/skb.h"
#include "kern/verbs.h"
#include "kern/work.h"
#include "kapi/module.h"

namespace ipoib {

using kern::Error;
using kern::Gfp;
using kern::IbDevice;
using kern::NetDev;
using kern::Result;
using kern::Skb;
using kern::Status;
using kern::likely;
using kern::unlikely;

/* Debug tracing, enabled at run time through the debug_level parameter. */
#define ipoib_dbg(fmt, ...)                                         \
	do {                                                        \
		if (kapi_param_read(&kapi_params.debug_level) > 0) \
			kern_dbg(fmt, ##__VA_ARGS__);               \
	} while (0)

class Iface;

/* Conversions between the abstraction layer's raw GID and the wire type. */
inline Gid to_wire(const kern::Gid &g) noexcept { return Gid(g.raw); }
inline kern::Gid to_kern(const Gid &g) noexcept
{
	kern::Gid out;
	for (usize i = 0; i < Gid::kLen; i++)
		out.raw[i] = g.raw()[i];
	return out;
}

/*
 * A reference-counted address handle. References are taken and dropped
 * under Iface::m_lock; the last one moves the AH to the dead list, and the
 * reaper destroys it once every send posted with it has completed
 * (last_send, a TX ring counter, is behind the ring tail), as in-tree.
 */
class IpAh : kern::NonCopyable {
public:
	kern::Ah m_ah;
	u32 m_refs = 1;
	u32 m_last_send = 0;
	kern::ListNode m_dead;

	kern::AhRef ref() const noexcept { return m_ah.ref(); }
};

/* A destination GID: its SA path record, AH and waiting packets. Keyed by HwAddr(0, 0, dgid). */
class Path : public NeighLink {
public:
	Path(Iface *iface, const Gid &dgid) noexcept;

	Gid dgid() const noexcept { return hw_addr().gid(); }
	/* SA callback (ib_sa work; treated as atomic). */
	void on_path(Status st, const kern::Path *rec);

	Iface *m_iface;
	PathMachine<Skb> m_sm;
	IpAh *m_ah = nullptr; /* a reference, while Resolved or Invalid */
	kern::Path m_rec;     /* the last record (for debugfs) */
	kern::PathQuery m_query;
	kern::ListNode m_node; /* Iface::m_paths */
};

/* A neighbour: the 20-byte address the stack resolved, pointing at its path. */
class Neigh : public NeighLink {
public:
	Neigh(const HwAddr &addr, Path *path) noexcept : NeighLink(addr), m_path(path) {}
	Path *m_path;
};

/* A multicast group the interface joined (full member) or sends to (send-only). */
class McGroup : kern::NonCopyable {
public:
	McGroup(Iface *iface, const Gid &mgid, bool sendonly) noexcept;

	/* ib_sa join callback (treated as atomic). */
	kern::JoinVerdict on_join(Status st, const kern::McMember *rec);

	Iface *m_iface;
	Gid m_mgid;
	bool m_sendonly;
	bool m_listed = false;   /* seen in the current multicast list scan */
	bool m_busy = false;     /* a join is in flight */
	bool m_done = false;     /* the join callback ran; m_status/m_rec are its result */
	bool m_attached = false; /* joined, attached (full member) and AH made */
	int m_status = 0;
	u32 m_backoff_s = 1;
	u32 m_failures = 0;
	u64 m_delay_until = 0; /* jiffies */
	kern::McMember m_rec{};
	kern::McastJoin m_join;
	kern::McastAttach m_attach;
	IpAh *m_ah = nullptr;
	kern::SkbQueue m_pending; /* send-only: packets waiting for the join */
	kern::ListNode m_node;    /* Iface::m_groups */
};

/* Counters: each written from one context, read racily by get_stats64. */
struct Counters {
	u64 rx_packets = 0;
	u64 rx_bytes = 0;
	u64 rx_dropped = 0;
	u64 rx_errors = 0;
	u64 multicast = 0;
	u64 tx_packets = 0;
	u64 tx_bytes = 0;
	u64 tx_dropped = 0; /* atomic adds: several contexts */
	u64 tx_errors = 0;  /* atomic adds */
};

struct TxSlot {
	Skb skb;
	u32 len;
	kern::TxMap map;
};

/* Port events, reduced to what the interface must do (b10 of the reference). */
enum class FlushLevel : u8 { Light, Normal, Heavy };

class Iface : kern::NonCopyable {
public:
	Iface(IbDevice ib, u32 port) noexcept;
	~Iface();

	/* Creates and registers ib%d for a port. Context: process. */
	static Result<kern::UniquePtr<Iface>> create(IbDevice ib, u32 port);
	/* Unregisters and frees; traffic may be running. Context: process, no rtnl. */
	void destroy();
	/* A port event turned into a flush (module flush workqueue). */
	void flush(FlushLevel level);

	const char *name() const noexcept { return m_dev.name(); }
	NetDev netdev() const noexcept { return m_dev; }

	/* net_device_ops (KERN_NETDEV_OPS binds these; Driver == Owner == Iface). */
	static Status ndo_init(Iface &, NetDev);
	static void ndo_uninit(Iface &, NetDev);
	static Status ndo_open(Iface &, NetDev);
	static Status ndo_stop(Iface &, NetDev);
	static kern::TxResult ndo_start_xmit(Iface &, NetDev, Skb);
	static Status ndo_change_mtu(Iface &, NetDev, int new_mtu);
	static void ndo_set_rx_mode(Iface &, NetDev);
	static void ndo_get_stats64(Iface &, NetDev, kern::LinkStats &);
	static Status ndo_set_mac_address(Iface &, NetDev, const u8 (&)[kern::kNetdevAddrLen]);
	static void ndo_tx_timeout(Iface &, NetDev, unsigned int);
	static u64 ndo_fix_features(Iface &, NetDev, u64 features);
	static void netdev_event(Iface &, NetDev, kern::NetdevEvent);

	/* ---- ipoib_ud.cc ---- */
	Status ud_create();                 /* PD, CQs, QP, rings; at create */
	void ud_destroy();                  /* reverse; after unregister */
	Status ud_open();                   /* QP to RTS, post receives, NAPI on */
	void ud_stop();                     /* NAPI off, QP to ERR, drain, RESET */
	/* Posts skb (encap header at data) to ah/qpn. Consumes skb. Context: xmit. */
	void ud_send(Skb skb, IpAh *ah, u32 qpn);
	int poll_rx(int budget);
	int poll_tx(int budget);
	void on_rx_cq();
	void on_tx_cq();
	u32 tx_head() const noexcept { return m_tx_head; }
	u32 tx_tail() const noexcept { return __atomic_load_n(&m_tx_tail, __ATOMIC_ACQUIRE); }

	/* ---- ipoib_mcast.cc ---- */
	void mcast_start();                 /* queue the join task */
	void mcast_stop();                  /* leave everything; process context */
	void mcast_task();
	/* Multicast/broadcast transmit; consumes skb. Context: xmit. */
	void mcast_send(Skb skb, const HwAddr &daddr);
	Gid bcast_mgid() const noexcept { return m_bcast.gid(); }

	/* ---- ipoib_main.cc: paths, neighbours, AHs ---- */
	void ah_put(IpAh *ah) noexcept;     /* m_lock held */
	/* Wraps a freshly made AH (or passes its error on). Context: any. */
	Result<IpAh *> ah_wrap(Result<kern::Ah> made);
	void count_tx_dropped(u64 n = 1) noexcept { __atomic_fetch_add(&m_stats.tx_dropped, n, __ATOMIC_RELAXED); }
	void count_tx_error() noexcept { __atomic_fetch_add(&m_stats.tx_errors, 1, __ATOMIC_RELAXED); }
	/* Re-sends parked skbs through the qdisc. Context: process/softirq, no locks held. */
	void requeue_all(kern::SkbQueue &q);
	void path_resolved(Path &path, Status st, const kern::Path *rec);

	/* Identity, fixed at open (written under m_state, read anywhere). */
	IbDevice m_ib;
	u32 m_port;
	NetDev m_dev;
	kern::UniqueNetDev m_owned_dev;
	u16 m_pkey = 0xffff;
	u16 m_pkey_index = 0;
	u32 m_qkey = 0;
	u16 m_lid = 0;
	Gid m_gid;
	HwAddr m_bcast;
	u32 m_max_ib_mtu = 2048;
	u32 m_mcast_mtu = 2044;
	u32 m_admin_mtu = 2044;
	u32 m_rx_buf_len = 2048 + kGrhLen;

	/* Flags (atomic bit operations are overkill: written under m_state or m_lock). */
	bool m_oper_up = false;     /* open, datapath running */
	bool m_mcast_run = false;   /* the join task may run */
	bool m_rx_mode_dirty = false;

	kern::SpinLock m_lock;
	kern::Mutex m_state;
	kern::WorkQueue m_wq;
	kern::Work m_mcast_work;
	kern::DelayedWork m_mcast_retry;
	kern::DelayedWork m_reap_ah_work;
	kern::DelayedWork m_neigh_gc_work;
	kern::Work m_qp_recover_work;

	/* Verbs. */
	kern::VerbsCaps m_caps{};
	kern::Pd m_pd;
	kern::Cq m_rx_cq;
	kern::Cq m_tx_cq;
	kern::UdQp m_qp;
	int m_max_send_sge = 1;
	u32 m_qpn = 0; /* the UD QP's number, read once: the receive path compares it per packet */
	kern::Napi m_rx_napi;
	kern::Napi m_tx_napi;

	/* Rings. */
	kern::UniqueArray<kern::RxSlot> m_rx_ring;
	kern::UniqueArray<TxSlot> m_tx_ring;
	u32 m_rx_size = 0;
	u32 m_tx_size = 0;
	u32 m_tx_head = 0; /* under the netif tx lock */
	u32 m_tx_tail = 0; /* send NAPI / drain */
	u32 m_rx_posted = 0;

	/* Tables (m_lock). */
	NeighTable<Neigh> m_neighs;
	NeighTable<Path> m_path_tbl;
	kern::List<Path, &Path::m_node> m_paths;
	kern::List<IpAh, &IpAh::m_dead> m_dead_ahs;
	kern::List<McGroup, &McGroup::m_node> m_groups;
	McGroup *m_bcast_group = nullptr;

	Counters m_stats;
	kern::DebugfsFile m_path_file;

	/* debugfs ipoib/<if>_path: the in-tree record per path. */
	void show_paths(BufWriter &w);
	void debugfs_update(kern::NetdevEvent ev);

	/* Protocol logic in ipoib_main.cc. */
	void unicast_send(Skb skb, const HwAddr &daddr, bool arp);
	void flush_paths();
	void flush_neighs();
	void reap_ahs(bool all);
	void reap_ah_task();
	void neigh_gc_task();
	void qp_recover_task();
	void invalidate_paths();
	Status dev_open();
	void dev_stop();
	Status refresh_port();
};

/* The module's debugfs directory "ipoib" (empty if debugfs is unavailable). */
const kern::DebugfsDir &debugfs_root();

} // namespace ipoib

#endif /* IPOIB_DRIVER_H */
