// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ipoib_rx_moder.cc - the receive CQ's interrupt moderation: static
 * (ethtool -C rx-usecs/rx-frames, as in-tree) or adaptive (adaptive-rx
 * on: the kernel's net_dim picks a profile from the measured traffic).
 * Contexts, locking and lifetime are in ipoib/driver/rx_moder.h.
 */
#include "ipoib/driver/iface.h"

namespace ipoib {

namespace err = kern::err;
using rx_moder::Action;

RxModeration::RxModeration(Iface &ifc) noexcept : m_ifc(ifc)
{
	KERN_LOCK_INIT(m_lock, "ipoib_rx_moder");
	/* Here, not in init(): release() cancels it on every unwind. */
	m_idle_work.init<RxModeration, &RxModeration::idle_check>(this);
}

Status RxModeration::init()
{
	return m_dim.create<RxModeration, &RxModeration::dim_apply>(this);
}

void RxModeration::stop()
{
	m_dim.cancel_sync();
	/* After the dim work, which arms it. */
	m_idle_work.cancel_sync();
	/* The poll is off: its own state may be reset from here. */
	m_idle.reset();
	if (!m_adaptive.load())
		return;
	/* Up again at rest, DIM measuring afresh. */
	kern::MutexGuard g(m_lock);
	(void)apply_locked(rx_moder::kRestUsecs, rx_moder::kRestFrames);
	m_restart.store(true);
}

void RxModeration::release()
{
	/* The dim work arms the idle check: cancelled first. */
	m_dim.cancel_sync();
	m_idle_work.cancel_sync();
	m_dim.reset();
}

Status RxModeration::apply_locked(u32 usecs, u32 frames)
{
	Status st = m_ifc.ud().rx_cq().set_moderation(static_cast<u16>(frames), static_cast<u16>(usecs));
	if (st.is_ok())
		m_in_effect.store(rx_moder::pack(static_cast<u16>(usecs), static_cast<u16>(frames)));
	return st;
}

/*
 * An HCA without CQ moderation (-EOPNOTSUPP) still gets static values
 * stored and shown by -c, as in-tree; adaptive moderation needs it.
 */
Status RxModeration::set(const ethtool::Coalesce &c, bool adaptive)
{
	if (!ethtool::coalesce_valid(c)) {
		kern_warn("%s: ethtool -C: rx-usecs %u and rx-frames %u must each be at most %u", m_ifc.name(),
			  c.rx_usecs, c.rx_frames, ethtool::kCoalesceMax);
		return Error(-err::EINVAL);
	}
	const Action act = rx_moder::coalesce_action(m_adaptive.load(), adaptive);
	/* A dim work left from an earlier adaptive period must not apply its profile over ours. */
	if (act == Action::StartAdaptive)
		m_dim.cancel_sync();
	Status st = kern::ok();
	{
		kern::MutexGuard g(m_lock);
		if (act == Action::ApplyStatic) {
			/* The dim work checks this under m_lock: it applies nothing from now on. */
			m_adaptive.store(false);
			st = apply_locked(c.rx_usecs, c.rx_frames);
			if (st.is_err() && st.error().code() == -err::EOPNOTSUPP)
				st = kern::ok();
		} else if (act == Action::StartAdaptive) {
			st = apply_locked(rx_moder::kRestUsecs, rx_moder::kRestFrames);
			if (st.is_ok()) {
				/* The poll restarts DIM from rest, then samples. */
				m_restart.store(true);
				m_adaptive.store_release(true);
			}
		}
	}
	if (st.is_err()) {
		kern_warn("%s: ethtool -C: modifying the receive CQ failed: %d", m_ifc.name(), st.error().code());
		return st;
	}
	if (act == Action::ApplyStatic) {
		m_dim.cancel_sync();
		m_idle_work.cancel_sync();
	}
	m_static = c;
	return kern::ok();
}

void RxModeration::dim_apply(u16 usecs, u16 frames)
{
	kern::MutexGuard g(m_lock);
	if (!m_adaptive.load())
		return;
	Status st = apply_locked(usecs, frames);
	if (st.is_err()) {
		ipoib_dbg("%s: adaptive-rx: modifying the receive CQ to %u us / %u failed: %d", m_ifc.name(), usecs,
			  frames, st.error().code());
		return;
	}
	if (usecs != rx_moder::kRestUsecs || frames != rx_moder::kRestFrames) {
		m_idle_seen = m_interrupts.load();
		(void)m_ifc.wq().requeue(m_idle_work, rx_moder::kIdleCheckMs);
	}
}

/*
 * No interrupt over a whole period while moderated: the traffic stopped,
 * and a packet coming now would wait for the profile's timer. Rest (no
 * moderation) is applied here; the poll restarts DIM at its rest profile
 * on its next interrupt. A poll racing with this only costs DIM one
 * measurement: it climbs again from rest if the traffic goes on.
 */
void RxModeration::idle_check()
{
	kern::MutexGuard g(m_lock);
	if (!m_adaptive.load())
		return;
	if (m_in_effect.load() == rx_moder::pack(rx_moder::kRestUsecs, rx_moder::kRestFrames))
		return;
	const u32 seen = m_interrupts.load();
	if (seen != m_idle_seen) {
		m_idle_seen = seen;
		(void)m_ifc.wq().requeue(m_idle_work, rx_moder::kIdleCheckMs);
		return;
	}
	Status st = apply_locked(rx_moder::kRestUsecs, rx_moder::kRestFrames);
	if (st.is_err()) {
		ipoib_dbg("%s: adaptive-rx: back to rest failed: %d", m_ifc.name(), st.error().code());
		return;
	}
	m_restart.store(true);
}

/*
 * One interrupt: the poll is done and re-arms the CQ. The counters are
 * the interface's cumulative receive packets and bytes, UD and
 * connected mode alike (both complete on this CQ).
 */
void RxModeration::on_poll_done(u64 packets, u64 bytes) noexcept
{
	if (likely(!m_adaptive.load_acquire()))
		return;
	if (unlikely(m_restart.load()) && m_restart.exchange(false)) {
		m_dim.restart(rx_moder::kRestProfile);
		m_resting = true;
		m_idle.reset();
	}
	m_interrupts.add_single_writer(1);
	const bool idle = m_idle.on_event(kern::time::now_us(), packets);
	/*
	 * Sparse traffic at rest: DIM has nothing to measure, and its sample
	 * would be the costliest part of this interrupt. (Only a sample moves
	 * DIM's profile, so m_resting is exact here.)
	 */
	if (idle && m_resting)
		return;
	m_events++;
	const bool at_rest = m_resting && m_dim.profile() == rx_moder::kRestProfile;
	if (idle && !at_rest) {
		kern::DimProfile rest;
		rest.usecs = rx_moder::kRestUsecs;
		rest.frames = rx_moder::kRestFrames;
		if (m_dim.rest(rx_moder::kRestProfile, rest))
			m_resting = true;
	}
	m_dim.sample(m_events, packets, bytes);
	/* net_dim moved: its profile, not rest, is (or is about to be) in effect. */
	if (m_dim.profile() != rx_moder::kRestProfile)
		m_resting = false;
}

} // namespace ipoib
