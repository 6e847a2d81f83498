/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/work.h - work items and workqueues.
 *
 * Work and DelayedWork are embedded in the object that owns them and
 * bound to one of its member functions at init:
 *
 *     m_task.init<Port, &Port::run_task>(this);
 *     wq.queue(m_task);
 *
 * The owner must cancel (cancel_sync) before it is destroyed; the
 * destructors do not, because cancelling sleeps and destructors may run
 * in contexts that must not.
 */
#ifndef KERN_WORK_H
#define KERN_WORK_H

#include "kapi/work.h"
#include "kern/base.h"
#include "kern/memory.h"

namespace kern {

class Work : NonCopyable {
public:
	Work() = default;

	template <class T, void (T::*Fn)()>
	void init(T *owner)
	{
		m_owner = owner;
		m_call = [](void *o) { (static_cast<T *>(o)->*Fn)(); };
		kapi_work_init(&m_work, &Work::trampoline);
	}

	/* Context: process; may sleep. Returns true if it was pending. */
	bool cancel_sync() { return kapi_cancel_work_sync(&m_work) != 0; }
	void flush() { kapi_flush_work(&m_work); }

private:
	friend class WorkQueue;
	static void trampoline(struct kapi_work *w)
	{
		Work *self = reinterpret_cast<Work *>(reinterpret_cast<char *>(w) -
						       __builtin_offsetof(Work, m_work));
		self->m_call(self->m_owner);
	}

	struct kapi_work m_work {};
	void (*m_call)(void *) = nullptr;
	void *m_owner = nullptr;
};

class DelayedWork : NonCopyable {
public:
	DelayedWork() = default;

	template <class T, void (T::*Fn)()>
	void init(T *owner)
	{
		m_owner = owner;
		m_call = [](void *o) { (static_cast<T *>(o)->*Fn)(); };
		kapi_dwork_init(&m_work, &DelayedWork::trampoline);
	}

	bool cancel_sync() { return kapi_cancel_dwork_sync(&m_work) != 0; }

private:
	friend class WorkQueue;
	static void trampoline(struct kapi_dwork *w)
	{
		DelayedWork *self = reinterpret_cast<DelayedWork *>(
			reinterpret_cast<char *>(w) - __builtin_offsetof(DelayedWork, m_work));
		self->m_call(self->m_owner);
	}

	struct kapi_dwork m_work {};
	void (*m_call)(void *) = nullptr;
	void *m_owner = nullptr;
};

/* An owned ordered workqueue; destroyed (drained) with its owner. */
class WorkQueue : NonCopyable {
public:
	WorkQueue() = default;
	~WorkQueue() { reset(); }

	/* Context: process. */
	[[nodiscard]] bool create_ordered(const char *name)
	{
		m_wq = kapi_alloc_ordered_workqueue(name);
		return m_wq != nullptr;
	}
	void reset()
	{
		if (m_wq)
			kapi_destroy_workqueue(m_wq);
		m_wq = nullptr;
	}

	/* Context: any. Returns false if it was already pending. */
	bool queue(Work &w) { return kapi_queue_work(m_wq, &w.m_work) != 0; }
	bool queue(DelayedWork &w, unsigned int delay_ms)
	{
		return kapi_queue_dwork(m_wq, &w.m_work, delay_ms) != 0;
	}
	bool requeue(DelayedWork &w, unsigned int delay_ms)
	{
		return kapi_mod_dwork(m_wq, &w.m_work, delay_ms) != 0;
	}
	void flush() { kapi_flush_workqueue(m_wq); }

private:
	struct kapi_workqueue *m_wq = nullptr;
};

} // namespace kern

#endif /* KERN_WORK_H */
