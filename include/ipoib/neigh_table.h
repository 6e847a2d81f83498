/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/neigh_table.h - the IPoIB neighbour hash (pure: no kapi calls).
 *
 * The kernel's ARP/ND neighbour only yields the 20-byte hardware address;
 * everything IPoIB needs per destination (AH, CM connection, waiting
 * packets, idle time) hangs off a private table keyed by that address.
 * The transmit path looks it up for every unicast packet, so:
 *
 *  - the bucket array is sized once, at init, to roundup_pow2(threshold)
 *    (the in-tree driver uses arp_tbl.gc_thresh3: the most neighbours
 *    the stack will keep, so the load factor stays <= 1), and a bucket is
 *    a mask away from the hash;
 *  - chaining is intrusive and singly linked: an entry carries its own
 *    `next` pointer (NeighLink), the caller allocates entries (with
 *    kern::make and the Gfp of its context) and the table never
 *    allocates after init, so insert works in xmit context;
 *  - lookup() only reads. Links are published with release stores and
 *    read with acquire/consume loads, and remove() leaves the removed
 *    entry's own `next` intact (as hlist_del_rcu does), so a lockless
 *    RCU reader can walk a chain while a writer unlinks. An entry is an
 *    RcuObject: once unlinked it is freed with kern::rcu_free (or after
 *    kern::rcu::synchronize), never directly, so a reader that found it
 *    may keep using it until its read section ends.
 *
 * Locking (the caller's business): insert, remove, gc and flush must be
 * serialised by one lock (the writer lock). lookup, for_each and
 * chain_length need either that lock or a kern::RcuReadGuard, with
 * RCU-deferred freeing as above; a reader sees each entry either linked
 * or not, never half set up. alive() / touch() are single relaxed atomic
 * accesses, safe from a reader.
 */
#ifndef IPOIB_NEIGH_TABLE_H
#define IPOIB_NEIGH_TABLE_H

#include "ipoib/bounded_queue.h"
#include "ipoib/wire.h"
#include "kern/base.h"
#include "kern/endian.h"
#include "kern/memory.h"
#include "kern/rcu.h"
#include "kern/result.h"

namespace ipoib {

using kern::s64;

/* Wrap-safe "a is after b" for jiffies-style counters (time_after). */
constexpr bool time_after64(u64 a, u64 b) noexcept
{
	return static_cast<s64>(b - a) < 0;
}

/*
 * An entry idle for more than `max_idle` at `now`: the in-tree reaper's
 * time_after(now - max_idle, alive). Exactly max_idle is not idle yet.
 */
constexpr bool neigh_is_idle(u64 now, u64 alive, u64 max_idle) noexcept
{
	return time_after64(now - max_idle, alive);
}

/* roundup_pow_of_two for the bucket count; 0 and values above 2^31 have no u32 answer. */
constexpr u32 neigh_bucket_count(u32 threshold) noexcept
{
	if (threshold == 0 || threshold > (1u << 31))
		return 0;
	u32 n = 1;
	while (n < threshold)
		n <<= 1;
	return n;
}

/*
 * Hash of a hardware address, before masking.
 *
 * Only the port GUID (bytes 12-19) and the QPN take part, as in-tree:
 * the subnet prefix is the same for every destination we can reach
 * directly (a GUID+QPN cannot be reached through two subnets), and the
 * flags byte does not identify the peer. Equal addresses therefore hash
 * equally even though the table compares all 20 bytes.
 *
 * The mix: QPN spread by a multiply with the 64-bit golden ratio, xored
 * into the GUID with the per-table seed, then the 64-bit finaliser of
 * MurmurHash3 (public domain), whose xor-shift/multiply rounds make every
 * input bit affect every output bit. Folding the halves keeps the high
 * bits, so masking to a small power of two still sees the whole input.
 * Addresses come from ARP/ND replies that remote hosts control, so the
 * driver should pass a random seed (get_random_u32) to make deliberately
 * colliding addresses impractical; the in-tree jhash uses a fixed 0.
 */
inline u32 neigh_hash(const HwAddr &addr, u32 seed) noexcept
{
	u64 h = kern::load_be64(addr.raw() + 12);
	h ^= static_cast<u64>(addr.qpn()) * 0x9e3779b97f4a7c15ull;
	h ^= (static_cast<u64>(seed) << 32) | seed;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb93fe53a85ceull;
	h ^= h >> 33;
	return static_cast<u32>(h ^ (h >> 32));
}

template <class T>
class NeighTable;

/*
 * The part of a neighbour the table owns: key, idle stamp and chain link.
 * The key is fixed at construction and must not change while hashed.
 */
class NeighLink : kern::NonMovable, public kern::RcuObject {
public:
	explicit NeighLink(const HwAddr &addr) noexcept : m_addr(addr), m_alive(0), m_hnext(nullptr), m_hashed(false)
	{
	}

	const HwAddr &hw_addr() const noexcept { return m_addr; }
	bool hashed() const noexcept { return m_hashed; }

	/* Last-use stamp in the caller's clock (jiffies). */
	u64 alive() const noexcept { return __atomic_load_n(&m_alive, __ATOMIC_RELAXED); }
	void set_alive(u64 now) noexcept { __atomic_store_n(&m_alive, now, __ATOMIC_RELAXED); }

private:
	template <class T>
	friend class NeighTable;

	HwAddr m_addr;
	u64 m_alive;
	NeighLink *m_hnext; /* next in bucket; RCU-published */
	bool m_hashed;      /* on a table; written under the writer lock */
};

/*
 * A neighbour with its waiting-packet queue, generic over the queued item
 * (the driver: skb handles; the tests: ints). The driver's neighbour
 * derives from this and adds its AH, CM and path-list members.
 */
template <class Item>
class NeighEntry : public NeighLink {
public:
	explicit NeighEntry(const HwAddr &addr) noexcept : NeighLink(addr), m_queue() {}

	using Queue = BoundedQueue<Item, kMaxPathRecQueue>;
	Queue &queue() noexcept { return m_queue; }
	const Queue &queue() const noexcept { return m_queue; }

	/*
	 * The in-tree lookup refreshes `alive` only while the queue has room:
	 * a neighbour whose queue stays full is stuck (its path never
	 * resolves), and letting it age lets the reaper free it and its
	 * packets instead of pinning them forever.
	 */
	void touch(u64 now) noexcept
	{
		if (!m_queue.full())
			set_alive(now);
	}

private:
	Queue m_queue; /* guarded by the owner's lock */
};

/*
 * The table of T (a NeighLink, usually a NeighEntry<Item>). It never owns
 * its entries: flush() it before destroying it, or the entries stay
 * marked as hashed and point into freed buckets.
 */
template <class T>
class NeighTable : kern::NonMovable {
	static_assert(__is_base_of(NeighLink, T), "table entries must derive from NeighLink");

public:
	constexpr NeighTable() noexcept : m_buckets(), m_mask(0), m_seed(0), m_count(0) {}

	/*
	 * Allocates roundup_pow2(threshold) buckets with `gfp` (a large
	 * table comes from kvzalloc in process context). -EINVAL for a
	 * threshold of 0 or above 2^31, -EBUSY if already initialised,
	 * -ENOMEM if the allocation fails.
	 */
	kern::Status init(kern::Gfp gfp, u32 threshold, u32 seed = 0) noexcept
	{
		if (m_buckets)
			return kern::Error(-kern::err::EBUSY);
		const u32 n = neigh_bucket_count(threshold);
		if (n == 0)
			return kern::Error(-kern::err::EINVAL);
		m_buckets = TRY(kern::try_make_array<NeighLink *>(gfp, n));
		m_mask = n - 1;
		m_seed = seed;
		m_count = 0;
		return kern::ok();
	}

	bool initialised() const noexcept { return static_cast<bool>(m_buckets); }
	usize bucket_count() const noexcept { return m_buckets.size(); }
	usize size() const noexcept { return m_count; }
	u32 bucket_of(const HwAddr &addr) const noexcept { return neigh_hash(addr, m_seed) & m_mask; }

	/* The entry for `addr` (all 20 bytes compared), or nullptr. Never writes. */
	T *lookup(const HwAddr &addr) const noexcept
	{
		if (!m_buckets)
			return nullptr;
		for (NeighLink *n = load(m_buckets[bucket_of(addr)]); n; n = load(n->m_hnext)) {
			if (n->m_addr == addr)
				return static_cast<T *>(n);
		}
		return nullptr;
	}

	/*
	 * Links `entry` at the head of its bucket. -ENODEV before init,
	 * -EBUSY if `entry` is already on a table, -EEXIST if another entry
	 * has the same address (the caller looks up first under the lock,
	 * as ipoib_neigh_alloc does, so this is a race it lost).
	 */
	kern::Status insert(T &entry) noexcept
	{
		if (!m_buckets)
			return kern::Error(-kern::err::ENODEV);
		NeighLink &link = entry;
		if (link.m_hashed)
			return kern::Error(-kern::err::EBUSY);
		if (lookup(link.m_addr))
			return kern::Error(-kern::err::EEXIST);
		NeighLink *&head = m_buckets[bucket_of(link.m_addr)];
		link.m_hnext = head;
		link.m_hashed = true;
		publish(head, &link); /* entry fully set up before readers can see it */
		m_count++;
		return kern::ok();
	}

	/* Unlinks `entry`; -ENOENT if it is not on this table. The caller frees it after a grace period. */
	kern::Status remove(T &entry) noexcept
	{
		NeighLink &link = entry;
		if (!m_buckets || !link.m_hashed)
			return kern::Error(-kern::err::ENOENT);
		for (NeighLink **slot = &m_buckets[bucket_of(link.m_addr)]; *slot; slot = &(*slot)->m_hnext) {
			if (*slot == &link) {
				unlink(slot, link);
				return kern::ok();
			}
		}
		return kern::Error(-kern::err::ENOENT);
	}

	/*
	 * Unlinks every entry idle for more than `max_idle` at `now` and
	 * hands it to on_reap(T &) once unlinked (the callback may free it,
	 * RCU permitting; the table does not touch it afterwards). Returns
	 * how many were reaped. The in-tree reaper uses max_idle = 2 x
	 * gc_interval.
	 */
	template <class F>
	usize gc(u64 now, u64 max_idle, F &&on_reap) noexcept
	{
		return unlink_if([&](const NeighLink &n) { return neigh_is_idle(now, n.alive(), max_idle); },
				 on_reap);
	}

	/* Unlinks every entry (device teardown), handing each to on_remove(T &). */
	template <class F>
	usize flush(F &&on_remove) noexcept
	{
		return unlink_if([](const NeighLink &) { return true; }, on_remove);
	}

	/*
	 * Unlinks every entry for which pred(const T &) holds, e.g. all
	 * neighbours of one GID when its path fails (ipoib_del_neighs_by_gid).
	 */
	template <class P, class F>
	usize remove_if(P &&pred, F &&on_remove) noexcept
	{
		return unlink_if([&](const NeighLink &n) { return pred(static_cast<const T &>(n)); }, on_remove);
	}

	/* Calls fn(T &) for each entry, bucket by bucket; fn must not insert or remove. */
	template <class F>
	void for_each(F &&fn) const noexcept
	{
		for (usize i = 0; i < m_buckets.size(); i++) {
			for (NeighLink *n = load(m_buckets[i]); n; n = load(n->m_hnext))
				fn(*static_cast<T *>(n));
		}
	}

	/* Chain length of bucket `i` (0 if out of range); for tests and statistics. */
	usize chain_length(usize i) const noexcept
	{
		usize len = 0;
		if (i >= m_buckets.size())
			return 0;
		for (NeighLink *n = load(m_buckets[i]); n; n = load(n->m_hnext))
			len++;
		return len;
	}

private:
	static NeighLink *load(NeighLink *const &slot) noexcept { return __atomic_load_n(&slot, __ATOMIC_CONSUME); }
	static void publish(NeighLink *&slot, NeighLink *value) noexcept
	{
		__atomic_store_n(&slot, value, __ATOMIC_RELEASE);
	}

	/* Bypasses `link`; its own m_hnext stays valid for readers already on it. */
	void unlink(NeighLink **slot, NeighLink &link) noexcept
	{
		publish(*slot, link.m_hnext);
		link.m_hashed = false;
		m_count--;
	}

	template <class P, class F>
	usize unlink_if(P &&pred, F &&fn) noexcept
	{
		usize removed = 0;
		for (usize i = 0; i < m_buckets.size(); i++) {
			NeighLink **slot = &m_buckets[i];
			while (NeighLink *n = *slot) {
				if (pred(*n)) {
					unlink(slot, *n);
					removed++;
					fn(*static_cast<T *>(n)); /* last use of n by the table */
				} else {
					slot = &n->m_hnext;
				}
			}
		}
		return removed;
	}

	kern::UniqueArray<NeighLink *> m_buckets; /* heads; written under the writer lock */
	u32 m_mask;
	u32 m_seed;
	usize m_count;
};

} /* namespace ipoib */

#endif /* IPOIB_NEIGH_TABLE_H */
