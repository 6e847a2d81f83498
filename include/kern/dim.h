/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/dim.h - the kernel's dynamic interrupt moderation (net_dim) for
 * one receive CQ (kapi/dim.h). An owned handle bound at create to a
 * member function that applies a profile:
 *
 *     TRY(m_dim.create<Rx, &Rx::apply>(this));   // void Rx::apply(u16 usecs, u16 frames)
 *     m_dim.sample(events, packets, bytes);       // from the receive poll
 *
 * apply runs from the dim work (process context, may sleep); it runs no
 * more once cancel_sync() or reset() has returned, so the owner calls one
 * of them before it goes away (the destructor does not: it may sleep).
 */
#ifndef KERN_DIM_H
#define KERN_DIM_H

#include "kapi/dim.h"
#include "kern/base.h"
#include "kern/result.h"

namespace kern {

/* One RX profile: the CQ's moderation period and count. */
struct DimProfile {
	u16 usecs = 0;
	u16 frames = 0;
};

class Dim : NonCopyable {
public:
	static constexpr u32 kProfiles = KAPI_DIM_PROFILES;

	Dim() = default;
	~Dim() { reset(); }

	/* Starts at profile 0. Context: process. */
	template <class T, void (T::*Fn)(u16 usecs, u16 frames)>
	Status create(T *owner)
	{
		reset();
		m_dim = kapi_dim_create([](void *o, kapi_u16 us, kapi_u16 fr) { (static_cast<T *>(o)->*Fn)(us, fr); },
					owner);
		if (!m_dim)
			return Error(-err::ENOMEM);
		return ok();
	}
	/* Cancels the work and frees. Idempotent. Context: process; may sleep. */
	void reset()
	{
		kapi_dim_destroy(m_dim);
		m_dim = nullptr;
	}
	explicit operator bool() const { return m_dim != nullptr; }

	/* No apply is pending or running once this returns. Context: process; may sleep. */
	void cancel_sync()
	{
		if (m_dim)
			kapi_dim_cancel(m_dim);
	}
	/* Cumulative counters at the end of one interrupt's poll. Context: the receive poll. */
	void sample(u16 events, u64 packets, u64 bytes) { kapi_dim_sample(m_dim, events, packets, bytes); }
	/* Measure afresh from profile ix, which the caller has applied; no apply pending or running. */
	void restart(u32 ix) { (void)kapi_dim_restart(m_dim, ix); }
	/*
	 * Measure afresh from ix and have the work apply `p` (not ix's own
	 * values); false while an earlier apply is pending. Context: the poll.
	 */
	bool rest(u32 ix, DimProfile p) { return kapi_dim_rest(m_dim, ix, p.usecs, p.frames) == 0; }
	u32 profile() const { return kapi_dim_profile(m_dim); }

	/* net_dim's RX profile ix (clamped to the last). Context: any. */
	static DimProfile rx_profile(u32 ix)
	{
		DimProfile p;
		kapi_dim_rx_profile(ix, &p.usecs, &p.frames);
		return p;
	}

private:
	struct kapi_dim *m_dim = nullptr;
};

} // namespace kern

#endif /* KERN_DIM_H */
