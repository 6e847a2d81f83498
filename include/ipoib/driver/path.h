/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/driver/path.h - unicast address resolution (ipoib_path.cc):
 * address handles, paths (one per destination GID, with its SA record)
 * and neighbours (the stack's 20-byte addresses, pointing at a path).
 *
 * All three are guarded by Iface::m_lock (spin, _bh).
 */
#ifndef IPOIB_DRIVER_PATH_H
#define IPOIB_DRIVER_PATH_H

#include "ipoib/driver/common.h"
#include "ipoib/neigh_table.h"
#include "ipoib/path_state.h"
#include "kern/list.h"
#include "kern/sa.h"
#include "kern/verbs.h"

namespace ipoib {

/* The AH reaper's period. */
inline constexpr u32 kReapAhIntervalMs = 1000;
/* arp_tbl defaults: gc_interval 30 s; idle neighbours go after 2 x gc_interval. */
inline constexpr u32 kNeighGcIntervalMs = 30000;

/*
 * A reference-counted address handle. References are taken and dropped
 * under Iface::m_lock; the last one moves the AH to the dead list, and the
 * reaper destroys it once every send posted with it has completed
 * (last_send, a TX ring counter, is behind the ring tail), as in-tree.
 */
class IpAh : kern::NonCopyable {
public:
	kern::Ah m_ah;
	u32 m_refs = 1;       /* Guarded by Iface::m_lock. */
	u32 m_last_send = 0;  /* Written under Iface::m_lock in xmit; read by the reaper. */
	kern::ListNode m_dead; /* Iface::m_dead_ahs, guarded by Iface::m_lock. */

	kern::AhRef ref() const noexcept { return m_ah.ref(); }
};

/* A destination GID: its SA path record, AH and waiting packets. Keyed by HwAddr(0, 0, dgid). */
class Path : public NeighLink {
public:
	Path(Iface *iface, const Gid &dgid) noexcept;

	Gid dgid() const noexcept { return hw_addr().gid(); }
	/* SA callback (ib_sa work; treated as atomic). */
	void on_path(Status st, const kern::PathRecord *rec);

	Iface *m_iface;
	PathMachine<Skb> m_machine; /* Guarded by Iface::m_lock. */
	IpAh *m_ah = nullptr;       /* A reference while Resolved or Invalid; Iface::m_lock. */
	kern::PathRecord m_rec;     /* The last record (for debugfs); Iface::m_lock. */
	kern::PathQuery m_query;
	kern::ListNode m_node; /* Iface::m_paths */
};

/* A neighbour: the 20-byte address the stack resolved, pointing at its path. */
class Neigh : public NeighLink {
public:
	Neigh(const HwAddr &addr, Path *path) noexcept : NeighLink(addr), m_path(path) {}
	Path *m_path; /* Guarded by Iface::m_lock. */
};

} // namespace ipoib

#endif /* IPOIB_DRIVER_PATH_H */
