/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/atomic.h - a value read and written from several contexts without
 * a lock: flags the datapath reads lock-free, ring indices published
 * from one CPU to another, counters. One type with named orderings in
 * place of raw __atomic builtins at each site.
 *
 * Plain load()/store() are relaxed (READ_ONCE/WRITE_ONCE); acquire and
 * release are spelled out where they order other memory.
 */
#ifndef KERN_ATOMIC_H
#define KERN_ATOMIC_H

#include "kern/base.h"

namespace kern {

template <class T>
class Atomic {
	static_assert(__is_trivially_copyable(T) && sizeof(T) <= 8, "kern::Atomic holds a machine word");

public:
	constexpr Atomic() noexcept : m_v() {}
	constexpr explicit Atomic(T v) noexcept : m_v(v) {}
	Atomic(const Atomic &) = delete;
	Atomic &operator=(const Atomic &) = delete;

	T load() const noexcept { return __atomic_load_n(&m_v, __ATOMIC_RELAXED); }
	T load_acquire() const noexcept { return __atomic_load_n(&m_v, __ATOMIC_ACQUIRE); }
	void store(T v) noexcept { __atomic_store_n(&m_v, v, __ATOMIC_RELAXED); }
	void store_release(T v) noexcept { __atomic_store_n(&m_v, v, __ATOMIC_RELEASE); }
	T exchange(T v) noexcept { return __atomic_exchange_n(&m_v, v, __ATOMIC_RELAXED); }
	/* Read-modify-write from any number of writers (a locked instruction). */
	T fetch_add(T n) noexcept { return __atomic_fetch_add(&m_v, n, __ATOMIC_RELAXED); }
	T fetch_or(T n) noexcept { return __atomic_fetch_or(&m_v, n, __ATOMIC_RELAXED); }
	/*
	 * Increment by the only writer (e.g. one NAPI context): a plain load
	 * and store, no locked instruction; readers see whole values.
	 */
	void add_single_writer(T n) noexcept { store(static_cast<T>(load() + n)); }

private:
	T m_v;
};

} // namespace kern

#endif /* KERN_ATOMIC_H */
