/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/driver/rx_moder.h - the receive CQ's interrupt moderation of one
 * interface (ipoib_rx_moder.cc): the static ethtool -C rx-usecs and
 * rx-frames, or, with adaptive-rx on, the kernel's DIM (net_dim) choosing
 * them from the measured receive traffic, with no moderation at rest
 * (switched on, just up, or idle by the rule of ipoib/rx_moder.h). Beyond in-tree, which has no adaptive moderation.
 *
 * Contexts. ethtool -C/-c come under rtnl; the receive NAPI poll samples
 * once per interrupt (on_poll_done); the dim work (system workqueue)
 * applies DIM's choices. m_lock serialises every change to the CQ's
 * moderation (ethtool and the dim work); it is a mutex, innermost:
 * rtnl -> Iface::m_ctl -> m_lock, and the dim work takes only m_lock,
 * so cancelling it under rtnl or m_ctl cannot deadlock. The DIM state is
 * touched only by the poll (or with the poll disabled) and by the work's
 * protocol in kapi/dim.c; the poll learns of ethtool's changes through
 * m_adaptive and m_restart.
 *
 * The idle check (m_idle_work, on the interface's ordered workqueue) runs
 * while DIM holds the CQ at a moderated profile: when a period passes with
 * no receive interrupt, it puts the CQ back at rest at once (m_lock), and
 * the next poll restarts DIM there (m_restart). Without it the CQ stays
 * moderated until interrupts come again, and the first packets after a
 * quiet spell each wait out the profile's timer.
 *
 * Lifetime: init with the interface (after the receive CQ), stop after
 * the receive NAPI is disabled (no dim work runs after it), release
 * before the CQ goes.
 */
#ifndef IPOIB_DRIVER_RX_MODER_H
#define IPOIB_DRIVER_RX_MODER_H

#include "ipoib/driver/common.h"
#include "ipoib/ethtool.h"
#include "ipoib/rx_moder.h"
#include "kern/atomic.h"
#include "kern/dim.h"
#include "kern/lock.h"
#include "kern/work.h"

namespace ipoib {

class RxModeration : kern::NonCopyable {
public:
	explicit RxModeration(Iface &ifc) noexcept;

	/* Allocates the DIM context; adaptive off. Context: process. */
	Status init();
	/* Interface going down, receive NAPI already disabled: no dim work after this. Context: process. */
	void stop();
	/* Cancels and frees the DIM context; idempotent. Context: process. */
	void release();

	/* ethtool -C: validated, applied per rx_moder::coalesce_action. rtnl held. */
	Status set(const ethtool::Coalesce &c, bool adaptive);
	/* ethtool -c: the static values as last accepted. rtnl held. */
	ethtool::Coalesce configured() const noexcept { return m_static; }
	bool adaptive() const noexcept { return m_adaptive.load(); }
	/* The rx-usecs/rx-frames the receive CQ has now (static or DIM's). Context: any. */
	ethtool::Coalesce in_effect() const noexcept { return rx_moder::unpack(m_in_effect.load()); }

	/* End of a receive poll that re-arms the CQ: one interrupt. Context: the receive NAPI poll. */
	void on_poll_done(u64 packets, u64 bytes) noexcept;

private:
	/* The dim work's apply: DIM picked another profile. */
	void dim_apply(u16 usecs, u16 frames);
	/* m_idle_work: back to rest if no interrupt came for a period. */
	void idle_check();
	/* To the CQ, and remembered as in effect. m_lock held. */
	Status apply_locked(u32 usecs, u32 frames);

	Iface &m_ifc;
	kern::Dim m_dim;
	kern::Mutex m_lock;
	ethtool::Coalesce m_static;      /* ethtool -C as last accepted; under rtnl */
	kern::Atomic<bool> m_adaptive;   /* written under m_lock (and rtnl) */
	kern::Atomic<bool> m_restart;    /* the poll must restart DIM at the rest profile */
	kern::Atomic<u32> m_in_effect;   /* rx_moder::pack(usecs, frames); written under m_lock */
	kern::Atomic<u32> m_interrupts;  /* written by the poll alone; read by idle_check */
	u32 m_idle_seen = 0;             /* m_interrupts at the last idle_check; under m_lock */
	kern::DelayedWork m_idle_work;
	/* The poll's own: */
	u16 m_events = 0;
	bool m_resting = false; /* rest (no moderation) applied, DIM at its rest profile */
	rx_moder::IdleGap m_idle;
};

} // namespace ipoib

#endif /* IPOIB_DRIVER_RX_MODER_H */
