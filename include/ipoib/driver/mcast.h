/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/driver/mcast.h - the multicast part of an interface
 * (ipoib_mcast.cc): its groups (the broadcast group, the groups of the
 * netdev's multicast list as full member, send-only groups made by
 * transmit) and the one task that joins and leaves them.
 *
 * Multicast::m_lock (spin, BHs off) guards the group list and each
 * group's join state and queue; it nests inside nothing but rtnl-free
 * contexts, and UdChannel's AH lock nests inside it. Only the task, the
 * neighbour GC's send-only reaping (on the same ordered workqueue, so
 * never while the task runs) and stop (after cancelling the task)
 * remove groups, so a group found under the lock stays valid after it
 * is dropped, for the task.
 */
#ifndef IPOIB_DRIVER_MCAST_H
#define IPOIB_DRIVER_MCAST_H

#include "ipoib/driver/common.h"
#include "ipoib/driver/path.h"
#include "ipoib/mcast_state.h"
#include "kern/list.h"
#include "kern/lock.h"
#include "kern/work.h"
#include "kern/sa.h"
#include "kern/verbs.h"

namespace ipoib {

class Multicast;

class McGroup : kern::NonCopyable {
public:
	McGroup(Multicast *owner, const Gid &mgid, bool sendonly) noexcept;

	/* ib_sa join callback (treated as atomic). */
	kern::JoinVerdict on_join(Status st, const kern::McMember *rec);

	bool attached() const noexcept { return m_state == JoinState::Attached; }

	Multicast *m_owner;
	const Gid m_mgid;
	const bool m_sendonly;
	const u64 m_created; /* jiffies at allocation (debugfs, as in-tree) */
	/* Guarded by Multicast::m_lock. */
	JoinState m_state = JoinState::Idle;
	bool m_listed = false; /* seen in the current multicast-list scan (the task only) */
	int m_status = 0;      /* the join's result, while Reported */
	u32 m_backoff_s = 1;
	u32 m_failures = 0;
	u64 m_retry_at = 0;    /* jiffies; while BackingOff */
	u64 m_alive;           /* jiffies of the last transmit to the group (send-only reaping) */
	kern::McMember m_rec{}; /* written by the callback before Reported */
	IpAh *m_ah = nullptr;   /* a reference, while Attached */
	kern::SkbQueue m_pending; /* send-only: packets waiting for the join (at most 64) */
	kern::ListNode m_node;    /* Multicast::m_groups */
	/* Owned by the join task. */
	kern::McastJoin m_join;
	kern::McastAttach m_attach;
};

class Multicast : kern::NonCopyable {
public:
	explicit Multicast(Iface &ifc) noexcept;

	/* The interface came up: join the broadcast group, then the list. Context: process. */
	void start();
	/* Leave every group and stop the task. Context: process, may sleep; no Multicast::m_lock. */
	void stop();
	/* Before the interface is freed. */
	void cancel_work();
	/* ndo_set_rx_mode. Context: atomic. */
	void rx_mode_changed();
	/* Multicast/broadcast transmit; consumes skb. Context: xmit. */
	void send(Skb skb, const HwAddr &daddr, u16 txq);
	/* The SA join callback of grp (ib_sa context, treated as atomic). */
	void join_reported(McGroup &grp, int status, const kern::McMember *rec);
	/*
	 * The neighbour GC: leave send-only groups nothing was sent to for
	 * `idle` jiffies (in-tree: with their neighbour). Groups with a join
	 * in flight wait for the next run. Context: the interface's WQ (so
	 * never concurrent with the task); may sleep.
	 */
	void reap_idle_sendonly(u64 now, u64 idle);
	/* debugfs <if>_mcg: every group, sorted by MGID, in the in-tree format. */
	void show(BufWriter &w);

private:
	/* One group's step in the task: Ready (attached) or Pending (the callback or retry timer reruns the task). */
	enum class Step { Ready, Pending };

	const char *name() const noexcept;
	void task();
	Step step(McGroup &grp, bool is_bcast);
	void carrier_on();
	void sync_list();
	void mark_dirty();
	void leave(McGroup *grp);

	Iface &m_ifc;
	kern::SpinLock m_lock;
	kern::List<McGroup, &McGroup::m_node> m_groups; /* Guarded by m_lock. */
	McGroup *m_bcast = nullptr; /* the broadcast group, first in m_groups; m_lock */
	bool m_run = false;   /* the task may run; m_lock */
	bool m_dirty = false; /* the multicast list changed; m_lock */
	kern::Work m_work;    /* the task, on Iface::m_wq */
	kern::DelayedWork m_retry;
};

} // namespace ipoib

#endif /* IPOIB_DRIVER_MCAST_H */
