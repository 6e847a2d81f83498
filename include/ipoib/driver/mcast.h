/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/driver/mcast.h - one multicast group of an interface
 * (ipoib_mcast.cc): the broadcast group, a group of the netdev's
 * multicast list (full member) or a send-only group made by transmit.
 */
#ifndef IPOIB_DRIVER_MCAST_H
#define IPOIB_DRIVER_MCAST_H

#include "ipoib/driver/common.h"
#include "ipoib/driver/path.h"
#include "ipoib/mcast_state.h"
#include "kern/list.h"
#include "kern/sa.h"
#include "kern/verbs.h"

namespace ipoib {

class McGroup : kern::NonCopyable {
public:
	McGroup(Iface *iface, const Gid &mgid, bool sendonly) noexcept;

	/* ib_sa join callback (treated as atomic). */
	kern::JoinVerdict on_join(Status st, const kern::McMember *rec);

	bool attached() const noexcept { return m_state == JoinState::Attached; }

	Iface *m_iface;
	const Gid m_mgid;
	const bool m_sendonly;
	/* Guarded by Iface::m_lock. */
	JoinState m_state = JoinState::Idle;
	bool m_listed = false; /* seen in the current multicast-list scan (the task only) */
	int m_status = 0;      /* the join's result, while Reported */
	u32 m_backoff_s = 1;
	u32 m_failures = 0;
	u64 m_retry_at = 0;    /* jiffies; while BackingOff */
	kern::McMember m_rec{}; /* written by the callback before Reported */
	IpAh *m_ah = nullptr;   /* a reference, while Attached */
	kern::SkbQueue m_pending; /* send-only: packets waiting for the join (at most 64) */
	kern::ListNode m_node;    /* Iface::m_groups */
	/* Owned by the join task. */
	kern::McastJoin m_join;
	kern::McastAttach m_attach;
};

} // namespace ipoib

#endif /* IPOIB_DRIVER_MCAST_H */
