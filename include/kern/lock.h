/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/lock.h - spinlocks, mutexes, scoped guards and lock-owned data.
 *
 * The lock objects embed the opaque kapi storage by value, so a lock lives
 * inside the object it protects exactly as in C. Locking and unlocking are
 * private: the only way to take a lock is a guard, which releases it on
 * every path out of the scope, including early returns and TRY(). Each
 * guard type fixes how the lock is taken (plain, bottom halves off,
 * interrupts off), so a lock cannot be released with the wrong variant.
 * Protected<T, G> goes one step further and makes the data unreachable
 * without holding its lock.
 *
 * Locks must be initialised with KERN_LOCK_INIT() before first use, which
 * gives every init site its own lockdep class as spin_lock_init() does.
 */
#ifndef KERN_LOCK_H
#define KERN_LOCK_H

#include "kapi/lock.h"
#include "kern/base.h"

/*
 * Initialises `lock` (a SpinLock, Mutex or Protected) with a lockdep class
 * private to this source line. The key is a zero-initialised POD in static
 * storage: constant-initialised, so no guard variable or constructor is
 * emitted, and in static storage as lockdep requires.
 */
#define KERN_LOCK_INIT(lock, name)                                       \
	do {                                                             \
		static struct kapi_lock_class_key kern_lock_class_key_; \
		(lock).init((name), &kern_lock_class_key_);              \
	} while (0)

namespace kern {

namespace lock_policy {
struct SpinPlain;
struct SpinBh;
struct SpinIrq;
struct MutexPlain;
} /* namespace lock_policy */

/*
 * A kernel spinlock. Trivially destructible and constexpr-constructible, so
 * it may also live in static storage; it still needs KERN_LOCK_INIT.
 */
class SpinLock : NonMovable {
public:
	constexpr SpinLock() noexcept : m_lock{} {}

	/* Use KERN_LOCK_INIT rather than calling this directly. */
	void init(const char *name, struct kapi_lock_class_key *key) noexcept
	{
		kapi_spin_lock_init(&m_lock, name, key);
	}

	/* Warns (through lockdep) if the current context does not hold the lock. */
	void assert_held() noexcept { kapi_spin_assert_held(&m_lock); }

private:
	friend struct lock_policy::SpinPlain;
	friend struct lock_policy::SpinBh;
	friend struct lock_policy::SpinIrq;

	struct kapi_spinlock m_lock;
};

/* A kernel mutex: process context only, may sleep while waiting. */
class Mutex : NonMovable {
public:
	constexpr Mutex() noexcept : m_mutex{} {}

	/*
	 * mutex_destroy() is a debug check that the mutex is unlocked; on
	 * zeroed storage (never initialised) it is harmless.
	 */
	~Mutex() { kapi_mutex_destroy(&m_mutex); }

	/* Use KERN_LOCK_INIT rather than calling this directly. */
	void init(const char *name, struct kapi_lock_class_key *key) noexcept
	{
		kapi_mutex_init(&m_mutex, name, key);
	}

	void assert_held() noexcept { kapi_mutex_assert_held(&m_mutex); }

private:
	friend struct lock_policy::MutexPlain;

	struct kapi_mutex m_mutex;
};

/*
 * How each guard takes and drops its lock. acquire() returns the state that
 * release() needs: the saved interrupt flags for SpinIrq, 0 otherwise.
 */
namespace lock_policy {

struct SpinPlain {
	using Lock = SpinLock;
	static unsigned long acquire(SpinLock &l) noexcept
	{
		kapi_spin_lock(&l.m_lock);
		return 0;
	}
	static void release(SpinLock &l, unsigned long) noexcept { kapi_spin_unlock(&l.m_lock); }
};

/* For state shared with NAPI, timers or other softirq context. */
struct SpinBh {
	using Lock = SpinLock;
	static unsigned long acquire(SpinLock &l) noexcept
	{
		kapi_spin_lock_bh(&l.m_lock);
		return 0;
	}
	static void release(SpinLock &l, unsigned long) noexcept { kapi_spin_unlock_bh(&l.m_lock); }
};

/* For state shared with hard-IRQ context such as IB completion handlers. */
struct SpinIrq {
	using Lock = SpinLock;
	static unsigned long acquire(SpinLock &l) noexcept { return kapi_spin_lock_irqsave(&l.m_lock); }
	static void release(SpinLock &l, unsigned long flags) noexcept
	{
		kapi_spin_unlock_irqrestore(&l.m_lock, flags);
	}
};

struct MutexPlain {
	using Lock = kern::Mutex;
	static unsigned long acquire(kern::Mutex &m) noexcept
	{
		kapi_mutex_lock(&m.m_mutex);
		return 0;
	}
	static void release(kern::Mutex &m, unsigned long) noexcept { kapi_mutex_unlock(&m.m_mutex); }
};

} /* namespace lock_policy */

/*
 * Holds a lock for the rest of the enclosing scope.
 *
 * unlock() releases early (the destructor then does nothing; a second
 * unlock() is harmless). call_unlocked(fn) drops the lock around one call,
 * for work that must not run under it (freeing, calling back into the
 * stack), then retakes it; state read before the call may be stale after.
 * Not copyable or movable: a guard is tied to the scope that took the lock.
 */
template <class Policy>
class [[nodiscard]] Guard : NonMovable {
public:
	using Lock = typename Policy::Lock;

	/* [[nodiscard]] here catches `SpinGuard{lock};`, which would unlock at once. */
	[[nodiscard]] explicit Guard(Lock &lock) noexcept
		: m_lock(&lock), m_state(Policy::acquire(lock)), m_held(true)
	{
	}

	~Guard() { unlock(); }

	void unlock() noexcept
	{
		if (m_held) {
			m_held = false;
			Policy::release(*m_lock, m_state);
		}
	}

	bool held() const noexcept { return m_held; }

	/* Runs fn() with the lock dropped and returns what fn returns. */
	template <class F>
	decltype(auto) call_unlocked(F &&fn)
	{
		if (unlikely(!m_held)) {
			KERN_WARN("call_unlocked() on a guard that was already unlocked");
			return fn();
		}
		Policy::release(*m_lock, m_state);
		Relock relock{this};
		return fn();
	}

private:
	/* Retakes the lock after fn() has produced its return value. */
	struct Relock {
		Guard *guard;
		~Relock() { guard->m_state = Policy::acquire(*guard->m_lock); }
	};

	Lock *m_lock;
	unsigned long m_state; /* Saved IRQ flags for SpinGuardIrq. */
	bool m_held;
};

using SpinGuard = Guard<lock_policy::SpinPlain>;
using SpinGuardBh = Guard<lock_policy::SpinBh>;
using SpinGuardIrq = Guard<lock_policy::SpinIrq>;
using MutexGuard = Guard<lock_policy::MutexPlain>;

/*
 * A T that can only be reached with its lock held.
 *
 * G is the guard type, which names both the lock and how it is taken, e.g.
 * Protected<PathTable, SpinGuardIrq>. with(fn) takes the lock, calls
 * fn(T&) and returns its result; with_guard(fn) also passes the guard so
 * fn can use call_unlocked(). References to the T must not escape fn.
 */
template <class T, class G>
class Protected : NonMovable {
public:
	using Lock = typename G::Lock;

	template <class... A>
	explicit Protected(A &&...args) : m_lock(), m_value(kern::forward<A>(args)...)
	{
	}

	/* Use KERN_LOCK_INIT(protected, "name"). */
	void init(const char *name, struct kapi_lock_class_key *key) noexcept { m_lock.init(name, key); }

	template <class F>
	decltype(auto) with(F &&fn)
	{
		G guard(m_lock);
		return fn(m_value);
	}

	template <class F>
	decltype(auto) with_guard(F &&fn)
	{
		G guard(m_lock);
		return fn(m_value, guard);
	}

private:
	Lock m_lock;
	T m_value; /* Guarded by m_lock. */
};

} /* namespace kern */

#endif /* KERN_LOCK_H */
