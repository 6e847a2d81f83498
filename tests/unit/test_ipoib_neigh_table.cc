// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// Tests for ipoib/neigh_table.h and ipoib/bounded_queue.h: sizing, hash,
// insert/lookup/remove under collisions, idle GC with wrapping clocks,
// and the bounded per-neighbour packet queue.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <type_traits>
#include <vector>

#include "kapi_user.h"
#include "ipoib/neigh_table.h"
#include "kern/memory.h"

using namespace ipoib;
using kern::Gfp;
using kern::UniquePtr;

namespace {

// A test neighbour: queues ints, carries an extra member so the table's
// entries are a derived type, like the driver's.
struct TNeigh final : NeighEntry<int> {
	explicit TNeigh(const HwAddr &a, int id = 0) : NeighEntry<int>(a), m_id(id) {}
	int m_id;
};

using Table = NeighTable<TNeigh>;

HwAddr addr(u64 guid, u32 qpn, u8 flags = 0, u64 prefix = 0xfe80000000000000ull)
{
	return HwAddr(flags, qpn, Gid::from_parts(prefix, guid));
}

// Owns test entries; everything is made with kern::make so leaks are seen.
struct Pool {
	std::vector<UniquePtr<TNeigh>> m_items;
	TNeigh &make(const HwAddr &a, int id = 0)
	{
		UniquePtr<TNeigh> p = kern::make<TNeigh>(Gfp::Atomic, a, id);
		EXPECT_TRUE(p);
		m_items.push_back(kern::move(p));
		return *m_items.back();
	}
};

// Frees reaped entries the way the driver's callback would.
struct Reaper {
	Pool &m_pool;
	std::vector<int> m_ids;
	void operator()(TNeigh &n)
	{
		EXPECT_FALSE(n.hashed());
		m_ids.push_back(n.m_id);
		for (auto &p : m_pool.m_items) {
			if (p.get() == &n)
				p.reset();
		}
	}
};

TEST(IpoibNeighTime, TimeAfterWraps)
{
	EXPECT_TRUE(time_after64(2, 1));
	EXPECT_FALSE(time_after64(1, 2));
	EXPECT_FALSE(time_after64(5, 5));
	EXPECT_TRUE(time_after64(3, ~0ull - 2)) << "3 is after 2^64-3 across the wrap";
	EXPECT_FALSE(neigh_is_idle(100, 90, 10)) << "exactly max_idle is not idle yet";
	EXPECT_TRUE(neigh_is_idle(101, 90, 10));
	EXPECT_FALSE(neigh_is_idle(95, 90, 10));
	EXPECT_TRUE(neigh_is_idle(5, ~0ull - 10, 10)) << "idle 16 across the wrap";
	EXPECT_FALSE(neigh_is_idle(5, ~0ull - 3, 10));
	EXPECT_FALSE(neigh_is_idle(90, 100, 10)) << "stamp in the future is not idle";
}

TEST(IpoibNeighSizing, RoundUpPow2)
{
	EXPECT_EQ(neigh_bucket_count(0), 0u);
	EXPECT_EQ(neigh_bucket_count(1), 1u);
	EXPECT_EQ(neigh_bucket_count(2), 2u);
	EXPECT_EQ(neigh_bucket_count(3), 4u);
	EXPECT_EQ(neigh_bucket_count(1024), 1024u) << "default gc_thresh3";
	EXPECT_EQ(neigh_bucket_count(1025), 2048u);
	EXPECT_EQ(neigh_bucket_count(1u << 31), 1u << 31);
	EXPECT_EQ(neigh_bucket_count((1u << 31) + 1), 0u);
	EXPECT_EQ(neigh_bucket_count(~0u), 0u);
}

TEST(IpoibNeighTable, InitAndErrors)
{
	Table t;
	EXPECT_FALSE(t.initialised());
	EXPECT_EQ(t.lookup(addr(1, 1)), nullptr) << "lookup before init is safe";
	Pool pool;
	TNeigh &n = pool.make(addr(1, 1));
	EXPECT_EQ(t.insert(n).error().code(), -kern::err::ENODEV);
	EXPECT_EQ(t.remove(n).error().code(), -kern::err::ENOENT);

	EXPECT_EQ(t.init(Gfp::Kernel, 0).error().code(), -kern::err::EINVAL);
	EXPECT_EQ(t.init(Gfp::Kernel, 0x80000001u).error().code(), -kern::err::EINVAL);
	ASSERT_TRUE(t.init(Gfp::Kernel, 1000).is_ok());
	EXPECT_TRUE(t.initialised());
	EXPECT_EQ(t.bucket_count(), 1024u);
	EXPECT_EQ(t.size(), 0u);
	EXPECT_EQ(t.init(Gfp::Kernel, 16).error().code(), -kern::err::EBUSY);
	EXPECT_EQ(t.bucket_count(), 1024u);
}

TEST(IpoibNeighTable, InitAllocationFailure)
{
	Table t;
	kapi_test::fail_nth_alloc(1);
	EXPECT_EQ(t.init(Gfp::Kernel, 64).error().code(), -kern::err::ENOMEM);
	EXPECT_FALSE(t.initialised());
	ASSERT_TRUE(t.init(Gfp::Kernel, 64).is_ok()) << "a failed init can be retried";
}

TEST(IpoibNeighTable, LargeTableUsesKvmalloc)
{
	Table t;
	ASSERT_TRUE(t.init(Gfp::Kernel, 4096).is_ok());
	EXPECT_EQ(kapi_test::live_kvallocs(), 1) << "4096 buckets exceed a page";
	Table a;
	ASSERT_TRUE(a.init(Gfp::Atomic, 4096).is_ok());
	EXPECT_EQ(kapi_test::live_kvallocs(), 1) << "atomic allocations never use vmalloc";
}

TEST(IpoibNeighTable, InsertLookupRemove)
{
	Table t;
	ASSERT_TRUE(t.init(Gfp::Kernel, 64, 0x1234).is_ok());
	Pool pool;
	TNeigh &a = pool.make(addr(0x0002c90300000001ull, 0x48), 1);
	TNeigh &b = pool.make(addr(0x0002c90300000002ull, 0x48), 2);
	ASSERT_TRUE(t.insert(a).is_ok());
	ASSERT_TRUE(t.insert(b).is_ok());
	EXPECT_EQ(t.size(), 2u);
	EXPECT_TRUE(a.hashed());
	EXPECT_EQ(t.lookup(addr(0x0002c90300000001ull, 0x48)), &a);
	EXPECT_EQ(t.lookup(addr(0x0002c90300000002ull, 0x48)), &b);
	EXPECT_EQ(t.lookup(addr(0x0002c90300000003ull, 0x48)), nullptr);
	EXPECT_EQ(t.lookup(addr(0x0002c90300000001ull, 0x49)), nullptr) << "QPN is part of the key";
	EXPECT_EQ(t.lookup(addr(0x0002c90300000001ull, 0x48, kHwFlagRc)), nullptr) << "flags are part of the key";
	EXPECT_EQ(t.lookup(addr(0x0002c90300000001ull, 0x48, 0, 0xfec0000000000000ull)), nullptr)
		<< "prefix is compared even though it is not hashed";

	ASSERT_TRUE(t.remove(a).is_ok());
	EXPECT_FALSE(a.hashed());
	EXPECT_EQ(t.size(), 1u);
	EXPECT_EQ(t.lookup(a.hw_addr()), nullptr);
	EXPECT_EQ(t.lookup(b.hw_addr()), &b);
	EXPECT_EQ(t.remove(a).error().code(), -kern::err::ENOENT) << "double remove";
	ASSERT_TRUE(t.insert(a).is_ok()) << "re-insert after remove";
	EXPECT_EQ(t.lookup(a.hw_addr()), &a);
	EXPECT_EQ(t.flush([](TNeigh &) {}), 2u);
	EXPECT_EQ(t.size(), 0u);
}

TEST(IpoibNeighTable, DuplicateAndDoubleInsert)
{
	Table t;
	ASSERT_TRUE(t.init(Gfp::Kernel, 8).is_ok());
	Pool pool;
	TNeigh &a = pool.make(addr(7, 7), 1);
	TNeigh &dup = pool.make(addr(7, 7), 2);
	ASSERT_TRUE(t.insert(a).is_ok());
	EXPECT_EQ(t.insert(a).error().code(), -kern::err::EBUSY);
	EXPECT_EQ(t.insert(dup).error().code(), -kern::err::EEXIST);
	EXPECT_FALSE(dup.hashed());
	EXPECT_EQ(t.size(), 1u);
	EXPECT_EQ(t.lookup(addr(7, 7))->m_id, 1);

	Table other;
	ASSERT_TRUE(other.init(Gfp::Kernel, 8).is_ok());
	EXPECT_EQ(other.insert(a).error().code(), -kern::err::EBUSY) << "already on another table";
	EXPECT_EQ(other.remove(a).error().code(), -kern::err::ENOENT) << "not on this table";
	EXPECT_TRUE(a.hashed());
	t.flush([](TNeigh &) {});
}

// One bucket: everything collides, so chain order and mid-chain removal are exercised.
TEST(IpoibNeighTable, SingleBucketCollisions)
{
	Table t;
	ASSERT_TRUE(t.init(Gfp::Kernel, 1).is_ok());
	ASSERT_EQ(t.bucket_count(), 1u);
	Pool pool;
	std::vector<TNeigh *> ns;
	for (int i = 0; i < 10; i++) {
		ns.push_back(&pool.make(addr(0x100 + i, 0x48), i));
		ASSERT_TRUE(t.insert(*ns.back()).is_ok());
	}
	EXPECT_EQ(t.chain_length(0), 10u);
	EXPECT_EQ(t.chain_length(1), 0u) << "out of range";
	for (int i = 0; i < 10; i++)
		EXPECT_EQ(t.lookup(ns[i]->hw_addr()), ns[i]);

	// Remove head (last inserted), middle and tail (first inserted).
	ASSERT_TRUE(t.remove(*ns[9]).is_ok());
	ASSERT_TRUE(t.remove(*ns[5]).is_ok());
	ASSERT_TRUE(t.remove(*ns[0]).is_ok());
	EXPECT_EQ(t.size(), 7u);
	EXPECT_EQ(t.chain_length(0), 7u);
	for (int i = 0; i < 10; i++) {
		const bool present = i != 9 && i != 5 && i != 0;
		EXPECT_EQ(t.lookup(ns[i]->hw_addr()), present ? ns[i] : nullptr) << i;
	}
	std::set<int> seen;
	t.for_each([&](TNeigh &n) { seen.insert(n.m_id); });
	EXPECT_EQ(seen, (std::set<int>{1, 2, 3, 4, 6, 7, 8}));
	t.flush([](TNeigh &) {});
}

// The removed entry keeps its own next pointer, so a reader standing on it
// (an RCU reader in the driver) can still reach the rest of the chain.
TEST(IpoibNeighTable, RemovedEntryStillLeadsOn)
{
	Table t;
	ASSERT_TRUE(t.init(Gfp::Kernel, 1).is_ok());
	Pool pool;
	TNeigh &a = pool.make(addr(1, 1), 1);
	TNeigh &b = pool.make(addr(2, 1), 2);
	TNeigh &c = pool.make(addr(3, 1), 3);
	ASSERT_TRUE(t.insert(a).is_ok());
	ASSERT_TRUE(t.insert(b).is_ok());
	ASSERT_TRUE(t.insert(c).is_ok()); // chain: c b a
	ASSERT_TRUE(t.remove(b).is_ok());
	EXPECT_EQ(t.lookup(a.hw_addr()), &a);
	EXPECT_EQ(t.chain_length(0), 2u);
	t.flush([](TNeigh &) {});
}

TEST(IpoibNeighTable, ManyEntriesSpread)
{
	Table t;
	ASSERT_TRUE(t.init(Gfp::Kernel, 256, 0xdeadbeef).is_ok());
	Pool pool;
	// A realistic fabric: sequential GUIDs, one QPN each.
	for (int i = 0; i < 256; i++)
		ASSERT_TRUE(t.insert(pool.make(addr(0x0002c90300a00000ull + i, 0x48 + (i % 3)), i)).is_ok());
	usize used = 0, longest = 0;
	for (usize b = 0; b < t.bucket_count(); b++) {
		used += t.chain_length(b) ? 1 : 0;
		longest = std::max(longest, t.chain_length(b));
	}
	// A uniform hash fills about 1 - 1/e = 63% of buckets at load factor 1.
	EXPECT_GT(used, 130u);
	EXPECT_LE(longest, 8u);
	for (auto &p : pool.m_items)
		EXPECT_EQ(t.lookup(p->hw_addr()), p.get());
	EXPECT_EQ(t.flush([](TNeigh &) {}), 256u);
}

TEST(IpoibNeighHash, Properties)
{
	const HwAddr a = addr(0x0002c90300123456ull, 0x48);
	EXPECT_EQ(neigh_hash(a, 0), neigh_hash(a, 0)) << "deterministic";
	EXPECT_NE(neigh_hash(a, 0), neigh_hash(a, 1)) << "seeded";
	HwAddr rc = a;
	rc.set_flags(kHwFlagRc);
	EXPECT_EQ(neigh_hash(a, 5), neigh_hash(rc, 5)) << "flags do not take part";
	EXPECT_EQ(neigh_hash(a, 5), neigh_hash(addr(0x0002c90300123456ull, 0x48, 0, 0xfec0000000000000ull), 5))
		<< "the subnet prefix does not take part";
	EXPECT_NE(neigh_hash(a, 5), neigh_hash(addr(0x0002c90300123456ull, 0x49), 5));
	EXPECT_NE(neigh_hash(a, 5), neigh_hash(addr(0x0002c90300123457ull, 0x48), 5));

	// Single-bit input changes flip about half the output bits.
	int total = 0, n = 0;
	for (int bit = 0; bit < 64; bit++) {
		const u32 h1 = neigh_hash(addr(1ull << bit, 0x48), 0);
		const u32 h0 = neigh_hash(addr(0, 0x48), 0);
		total += __builtin_popcount(h1 ^ h0);
		n++;
	}
	const double avg = double(total) / n;
	EXPECT_GT(avg, 12.0);
	EXPECT_LT(avg, 20.0);
}

TEST(IpoibNeighTable, GcReapsOnlyIdle)
{
	Table t;
	ASSERT_TRUE(t.init(Gfp::Kernel, 4).is_ok());
	Pool pool;
	TNeigh &fresh = pool.make(addr(1, 1), 1);
	TNeigh &edge = pool.make(addr(2, 1), 2);
	TNeigh &old = pool.make(addr(3, 1), 3);
	TNeigh &older = pool.make(addr(4, 1), 4);
	fresh.set_alive(1000);
	edge.set_alive(1000 - 60);
	old.set_alive(1000 - 61);
	older.set_alive(5);
	for (TNeigh *n : {&fresh, &edge, &old, &older})
		ASSERT_TRUE(t.insert(*n).is_ok());

	Reaper r{pool, {}};
	EXPECT_EQ(t.gc(1000, 60, r), 2u);
	std::sort(r.m_ids.begin(), r.m_ids.end());
	EXPECT_EQ(r.m_ids, (std::vector<int>{3, 4}));
	EXPECT_EQ(t.size(), 2u);
	EXPECT_NE(t.lookup(addr(1, 1)), nullptr);
	EXPECT_NE(t.lookup(addr(2, 1)), nullptr);
	EXPECT_EQ(t.lookup(addr(3, 1)), nullptr);

	Reaper r2{pool, {}};
	EXPECT_EQ(t.gc(1000, 60, r2), 0u) << "nothing more is idle";
	EXPECT_EQ(t.gc(1061, 60, r2), 2u);
	EXPECT_EQ(t.size(), 0u);
	EXPECT_EQ(kapi_test::live_allocs(), 1) << "only the bucket array is left";
}

TEST(IpoibNeighTable, GcInCollidingChainAndAcrossWrap)
{
	Table t;
	ASSERT_TRUE(t.init(Gfp::Kernel, 1).is_ok());
	Pool pool;
	const u64 now = 20;             // the clock wrapped recently
	const u64 just_before = ~0ull - 5; // 26 ticks ago
	for (int i = 0; i < 8; i++) {
		TNeigh &n = pool.make(addr(10 + i, 1), i);
		n.set_alive(i % 2 ? now - 1 : just_before); // odd fresh, even idle
		ASSERT_TRUE(t.insert(n).is_ok());
	}
	Reaper r{pool, {}};
	EXPECT_EQ(t.gc(now, 25, r), 4u);
	std::sort(r.m_ids.begin(), r.m_ids.end());
	EXPECT_EQ(r.m_ids, (std::vector<int>{0, 2, 4, 6}));
	EXPECT_EQ(t.chain_length(0), 4u);
	Reaper all{pool, {}};
	EXPECT_EQ(t.flush(all), 4u);
	EXPECT_EQ(kapi_test::live_allocs(), 1);
}

TEST(IpoibNeighTable, RemoveIf)
{
	Table t;
	ASSERT_TRUE(t.init(Gfp::Kernel, 16).is_ok());
	Pool pool;
	const Gid g1 = Gid::from_parts(0xfe80000000000000ull, 0x11);
	for (int i = 0; i < 6; i++)
		ASSERT_TRUE(t.insert(pool.make(HwAddr(0, 0x40 + i, i < 3 ? g1 : Gid::from_parts(0xfe80000000000000ull, 0x22)), i)).is_ok());
	Reaper r{pool, {}};
	EXPECT_EQ(t.remove_if([&](const TNeigh &n) { return n.hw_addr().gid() == g1; }, r), 3u);
	std::sort(r.m_ids.begin(), r.m_ids.end());
	EXPECT_EQ(r.m_ids, (std::vector<int>{0, 1, 2}));
	EXPECT_EQ(t.size(), 3u);
	t.flush(r);
}

TEST(IpoibNeighEntry, TouchStopsWhenQueueFull)
{
	TNeigh n(addr(1, 1));
	n.touch(10);
	EXPECT_EQ(n.alive(), 10u);
	for (int i = 0; i < 3; i++)
		ASSERT_TRUE(n.queue().push(int(i)).is_ok());
	n.touch(20);
	EXPECT_EQ(n.alive(), 10u) << "a stuck neighbour ages so the reaper can free it";
	int x = 0;
	ASSERT_TRUE(n.queue().pop(x));
	n.touch(30);
	EXPECT_EQ(n.alive(), 30u);
	n.queue().drain([](int &&) {});
}

TEST(IpoibBoundedQueue, FifoAndLimit)
{
	BoundedQueue<int, kMaxPathRecQueue> q;
	EXPECT_EQ(q.capacity(), 3u);
	EXPECT_TRUE(q.empty());
	int x = -1;
	EXPECT_FALSE(q.pop(x));
	EXPECT_EQ(x, -1) << "failed pop leaves out untouched";
	for (int i = 1; i <= 3; i++)
		ASSERT_TRUE(q.push(int(i)).is_ok());
	EXPECT_TRUE(q.full());
	EXPECT_EQ(q.push(4).error().code(), -kern::err::ENOBUFS);
	EXPECT_EQ(q.size(), 3u);
	ASSERT_TRUE(q.pop(x));
	EXPECT_EQ(x, 1);
	ASSERT_TRUE(q.push(5).is_ok()) << "wraps around the ring";
	std::vector<int> out;
	EXPECT_EQ(q.drain([&](int &&v) { out.push_back(v); }), 3u);
	EXPECT_EQ(out, (std::vector<int>{2, 3, 5}));
	EXPECT_TRUE(q.empty());
}

TEST(IpoibBoundedQueue, FullPushDoesNotConsumeMoveOnlyItem)
{
	BoundedQueue<UniquePtr<int>, 2> q;
	for (int i = 0; i < 2; i++) {
		UniquePtr<int> p = kern::make<int>(Gfp::Atomic, i);
		ASSERT_TRUE(q.push(kern::move(p)).is_ok());
		EXPECT_FALSE(p);
	}
	UniquePtr<int> extra = kern::make<int>(Gfp::Atomic, 99);
	EXPECT_TRUE(q.push(kern::move(extra)).is_err());
	ASSERT_TRUE(extra) << "the caller still owns a rejected item";
	EXPECT_EQ(*extra, 99);
	EXPECT_EQ(kapi_test::live_allocs(), 3);
	UniquePtr<int> first;
	ASSERT_TRUE(q.pop(first));
	EXPECT_EQ(*first, 0);
	// Drop the rest through drain; the items are freed as the callback's argument dies.
	EXPECT_EQ(q.drain([](UniquePtr<int> &&p) { UniquePtr<int> dropped(kern::move(p)); }), 1u);
	first.reset();
	extra.reset();
	EXPECT_EQ(kapi_test::live_allocs(), 0);
}

TEST(IpoibBoundedQueue, DrainCallbackMayRequeue)
{
	BoundedQueue<int, 3> q;
	ASSERT_TRUE(q.push(1).is_ok());
	ASSERT_TRUE(q.push(2).is_ok());
	std::vector<int> seen;
	EXPECT_EQ(q.drain([&](int &&v) {
		seen.push_back(v);
		EXPECT_TRUE(q.push(v * 10).is_ok());
	}),
		  2u);
	EXPECT_EQ(seen, (std::vector<int>{1, 2}));
	EXPECT_EQ(q.size(), 2u) << "requeued items are not revisited";
	q.drain([](int &&) {});
}

} // namespace
