/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/bounded_queue.h - a fixed-capacity FIFO of waiting packets (pure).
 *
 * While a destination is being resolved (path record query in flight,
 * neighbour without a valid AH) the in-tree driver parks at most
 * IPOIB_MAX_PATH_REC_QUEUE = 3 packets per neighbour and per path and
 * drops the rest. The bound is what keeps an unresolvable destination
 * from holding an unbounded amount of memory from atomic context, so the
 * queue is a ring of N slots inside its owner: pushing never allocates
 * and can be done from xmit context under the owner's lock.
 *
 * Generic over the item type: the driver queues skb handles, the unit
 * tests queue ints. Items are moved in and out; Item must be default
 * constructible (an empty slot holds Item{}) and move-assignable. The
 * queue never drops on its own: a full push fails and leaves the item
 * with the caller, who drops and counts it.
 *
 * Not thread-safe: the owner's lock protects it. The count alone may be
 * read without the lock (a lockless neighbour lookup asks full(), as the
 * in-tree driver reads skb_queue_len), so it is read and written with
 * relaxed atomics, the C++ spelling of READ_ONCE/WRITE_ONCE.
 */
#ifndef IPOIB_BOUNDED_QUEUE_H
#define IPOIB_BOUNDED_QUEUE_H

#include "kern/base.h"
#include "kern/result.h"

namespace ipoib {

/* IPOIB_MAX_PATH_REC_QUEUE: packets held per neighbour / path while resolving. */
inline constexpr kern::usize kMaxPathRecQueue = 3;

template <class Item, kern::usize N>
class BoundedQueue : kern::NonCopyable {
	static_assert(N > 0, "a queue needs at least one slot");
	static_assert(__is_constructible(Item), "Item must be default-constructible (empty slots hold Item{})");

public:
	static constexpr kern::usize kCapacity = N;

	constexpr BoundedQueue() noexcept : m_items(), m_head(0), m_count(0) {}

	kern::usize size() const noexcept { return __atomic_load_n(&m_count, __ATOMIC_RELAXED); }
	bool empty() const noexcept { return size() == 0; }
	bool full() const noexcept { return size() == N; }
	static constexpr kern::usize capacity() noexcept { return N; }

	/*
	 * Appends `item`. Returns -ENOBUFS when full; the item is then not
	 * moved from, so the caller still owns it and must drop it.
	 */
	kern::Status push(Item &&item) noexcept
	{
		if (m_count == N)
			return kern::Error(-kern::err::ENOBUFS);
		m_items[(m_head + m_count) % N] = kern::move(item);
		set_count(m_count + 1);
		return kern::ok();
	}

	/* Moves the oldest item into `out`; false (and `out` untouched) if empty. */
	bool pop(Item &out) noexcept
	{
		if (m_count == 0)
			return false;
		out = kern::move(m_items[m_head]);
		m_items[m_head] = Item();
		m_head = (m_head + 1) % N;
		set_count(m_count - 1);
		return true;
	}

	/*
	 * Empties the queue oldest first, handing each item to fn(Item &&)
	 * (send it, or drop it). Returns how many were handed over. fn may
	 * push onto this queue again; such items are not revisited.
	 */
	template <class F>
	kern::usize drain(F &&fn) noexcept
	{
		kern::usize n = m_count;
		kern::usize done = 0;
		Item item{};
		while (done < n && pop(item)) {
			fn(kern::move(item));
			done++;
		}
		return done;
	}

private:
	void set_count(kern::usize n) noexcept { __atomic_store_n(&m_count, n, __ATOMIC_RELAXED); }

	Item m_items[N];
	kern::usize m_head;  /* index of the oldest item */
	kern::usize m_count; /* items held, <= N */
};

} /* namespace ipoib */

#endif /* IPOIB_BOUNDED_QUEUE_H */
