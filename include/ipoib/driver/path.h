/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/driver/path.h - unicast address resolution (ipoib_path.cc):
 * paths (one per destination GID, with its SA record and AH) and
 * neighbours (the stack's 20-byte addresses, pointing at a path), owned
 * by the interface's Resolver; and the address handle type, whose pool
 * is the UD channel's (ud.h).
 *
 * Resolver::m_lock (spin, BHs off) guards the tables, every path's state,
 * queue and AH reference, and every neighbour; UdChannel's AH lock nests
 * inside it. Transmit's common case takes no lock (in-tree: ipoib_neigh_get
 * under RCU): under a kern::RcuReadGuard it looks the neighbour up,
 * follows it to its path (fixed for the neighbour's life) and reads what
 * the writers publish for it: the path's AH while Resolved (m_fast_ah)
 * or the neighbour's connection (m_cm). Neighbours are freed with
 * kern::rcu_free, paths after kern::rcu::synchronize, and an AH a
 * reader found is judged by the reaper only a grace period after it was
 * put (UdChannel::reap_ahs), so everything a reader holds outlives its
 * read section, which lasts until the send is posted.
 */
#ifndef IPOIB_DRIVER_PATH_H
#define IPOIB_DRIVER_PATH_H

#include "ipoib/driver/common.h"
#include "ipoib/neigh_table.h"
#include "ipoib/path_state.h"
#include "ipoib/txq.h"
#include "ipoib/buf_writer.h"
#include "ipoib/cm_proto.h"
#include "kern/atomic.h"
#include "kern/list.h"
#include "kern/lock.h"
#include "kern/rcu.h"
#include "kern/work.h"
#include "kern/sa.h"
#include "kern/verbs.h"

namespace ipoib {

/* The AH reaper's period. */
inline constexpr u32 kReapAhIntervalMs = 1000;
/*
 * The neighbour GC runs every arp_tbl.gc_interval (sysctl
 * net.ipv4.neigh.default.gc_interval, 30 s by default), read at each run
 * as in-tree; neighbours and send-only groups idle for two periods go.
 * We never go below this period (in-tree would spin on 0).
 */
inline constexpr u32 kNeighGcMinIntervalMs = 1000;

/*
 * A reference-counted address handle. Each AH belongs to one owner (a
 * path or a multicast group) whose lock guards its references; the last
 * one moves it to the UD channel's dead list, and the reaper destroys it
 * once every send posted with it has completed: for each TX queue,
 * last_send (that queue's ring counter at the AH's last send there) is
 * behind the queue's tail, as in-tree does for its one queue.
 */
class IpAh : kern::NonCopyable {
public:
	kern::Ah m_ah;
	u32 m_refs = 1;       /* Guarded by the owner's lock (Resolver or Multicast). */
	/*
	 * Stamped in xmit (under the owner's lock, or locklessly under RCU by
	 * the resolver's fast path); read by the reaper. Bit q of m_used:
	 * stamped on queue q; last_send[q] has one writer, queue q's xmit.
	 */
	kern::Atomic<u32> m_last_send[kMaxTxQueues];
	kern::Atomic<u32> m_used;
	kern::ListNode m_dead; /* UdChannel's dead list, under its AH lock. */

	kern::AhRef ref() const noexcept { return m_ah.ref(); }
};

/* A destination GID: its SA path record, AH and waiting packets. Keyed by HwAddr(0, 0, dgid). */
class Resolver;

class Path : public NeighLink {
public:
	Path(Resolver *owner, const Gid &dgid) noexcept;

	Gid dgid() const noexcept { return hw_addr().gid(); }
	/* SA callback (ib_sa work; treated as atomic). */
	void on_path(Status st, const kern::PathRecord *rec);

	Resolver *m_owner;
	PathMachine<Skb> m_machine; /* Guarded by Resolver::m_lock. */
	IpAh *m_ah = nullptr;       /* A reference while Resolved or Invalid; Resolver::m_lock. */
	/*
	 * m_ah while Resolved, else null: what lockless xmit may send with.
	 * Written (release) under Resolver::m_lock, always before the AH it
	 * held is put.
	 */
	kern::Atomic<IpAh *> m_fast_ah;
	kern::PathRecord m_rec;     /* The last record (for debugfs); Resolver::m_lock. */
	kern::Atomic<u64> m_tx_packets; /* sent to this destination (debugfs); any xmit */
	kern::Atomic<u64> m_tx_bytes;
	kern::PathQuery m_query;
	kern::ListNode m_node; /* Resolver::m_paths */
};

/* A neighbour: the 20-byte address the stack resolved, pointing at its path. */
class CmTx;

class Neigh : public NeighLink {
public:
	Neigh(const HwAddr &addr, Path *path) noexcept : NeighLink(addr), m_path(path) {}
	Path *const m_path; /* for the neighbour's life (paths outlive their neighbours) */
	/* Its connection in connected mode: written (release) under Resolver::m_lock, read by lockless xmit. */
	kern::Atomic<CmTx *> m_cm;
};

class Resolver : kern::NonCopyable {
public:
	explicit Resolver(Iface &ifc) noexcept;

	Status init(); /* the tables; Context: process */
	/* The interface is up: neighbour GC on. */
	void start();
	/* Down: every neighbour and path gone (queries cancelled and waited for), GC off. */
	void stop();
	/* Normal flush: neighbours and paths forgotten. Context: process. */
	void flush();
	/* Light flush: every resolved path re-queries on its next send. */
	void invalidate();
	/* Unicast transmit (arp: bypass the neighbour table). Consumes skb. Context: xmit. */
	void send(Skb skb, const HwAddr &daddr, bool arp, u16 txq);
	/* debugfs <if>_path. */
	void show(BufWriter &w);
	/*
	 * A connection of this interface ends (ev: why): by cm::tx_step it
	 * leaves its neighbour, which goes too, so the next packet resolves
	 * and connects again (in-tree frees the neighbour). Context: any.
	 */
	void cm_kill(CmTx &tx, cm::TxEvent ev);
	/* SA callback of path (ib_sa context, treated as atomic). */
	void path_resolved(Path &path, Status st, const kern::PathRecord *rec);

private:
	const char *name() const noexcept;
	bool send_fast(Skb &skb, const HwAddr &daddr, u16 txq);
	void send_locked(Skb skb, const HwAddr &daddr, bool arp, u16 txq);
	void publish(Path &path);
	Path *lookup_or_create(const HwAddr &daddr, bool arp, Neigh **neigh_out);
	void free_neigh(Neigh &n);
	void drop_stale_connections(Path &path);
	void park_and_query(Path &path, Skb skb, const HwAddr &daddr, kern::SpinGuard &g);
	void flush_all();
	void gc_task();

	Iface &m_ifc;
	kern::SpinLock m_lock;
	NeighTable<Neigh> m_neighs;               /* Guarded by m_lock. */
	NeighTable<Path> m_path_tbl;              /* Guarded by m_lock. */
	kern::List<Path, &Path::m_node> m_paths;  /* Guarded by m_lock. */
	kern::DelayedWork m_gc_work;              /* on Iface::m_wq */
};

} // namespace ipoib

#endif /* IPOIB_DRIVER_PATH_H */
