/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/rcu.h - RCU: lockless readers of structures a writer changes under
 * its lock.
 *
 * Readers run inside an RcuReadGuard (rcu_read_lock for its scope) and
 * follow pointers the writer publishes with a release store
 * (rcu_assign_pointer) and they read with an acquire or consume load
 * (rcu_dereference): kern::Atomic<T *>::store_release / load_acquire, or
 * the table's own accessors. A writer that unlinks an object frees it
 * only after a grace period, when every reader that could have found it
 * has left its read section:
 *
 *     rcu_free(obj);       // any context: ~T and kfree after a grace period
 *     rcu::synchronize();  // process context: wait for one, then free directly
 *
 * An object freed with rcu_free derives from RcuObject (the rcu_head) and
 * was allocated by kern::make (kmalloc). The callbacks run this module's
 * code, so module exit waits for them (rcu_barrier in kapi/module.c).
 */
#ifndef KERN_RCU_H
#define KERN_RCU_H

#include "kapi/mem.h"
#include "kapi/rcu.h"
#include "kern/base.h"

namespace kern {

/* One RCU read-side critical section for the guard's scope. Nests. */
class RcuReadGuard : NonCopyable {
public:
	RcuReadGuard() noexcept { kapi_rcu_read_lock(); }
	~RcuReadGuard() { kapi_rcu_read_unlock(); }
};

/* The same with bottom halves disabled (rcu_read_lock_bh), for process-context readers of BH-side data. */
class RcuReadGuardBh : NonCopyable {
public:
	RcuReadGuardBh() noexcept { kapi_rcu_read_lock_bh(); }
	~RcuReadGuardBh() { kapi_rcu_read_unlock_bh(); }
};

namespace rcu {

/* Waits for a grace period. Context: process; sleeps. */
inline void synchronize() noexcept { kapi_synchronize_rcu(); }
/* Waits until every callback queued by rcu_free so far has run. Context: process; sleeps. */
inline void barrier() noexcept { kapi_rcu_barrier(); }

} // namespace rcu

/* The base of an object freed after a grace period: carries its rcu_head. */
class RcuObject {
protected:
	constexpr RcuObject() noexcept : m_rcu_head() {}
	~RcuObject() = default;

private:
	template <class T>
	friend void rcu_free(T *obj) noexcept;

	struct kapi_rcu_head m_rcu_head; /* first and only member: a head is its object's address */
};

/*
 * Destroys and frees obj (from kern::make) once every RCU reader that
 * may still see it is done. Context: any. Null is ignored.
 */
template <class T>
void rcu_free(T *obj) noexcept
{
	static_assert(__is_base_of(RcuObject, T), "rcu_free needs an RcuObject");
	if (!obj)
		return;
	RcuObject *base = obj;
	kapi_call_rcu(&base->m_rcu_head, [](struct kapi_rcu_head *h) {
		T *o = static_cast<T *>(reinterpret_cast<RcuObject *>(h));
		o->~T();
		kapi_kfree(o);
	});
}

} // namespace kern

#endif /* KERN_RCU_H */
