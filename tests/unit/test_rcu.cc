// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// Tests for kern/rcu.h and the lockless read side of ipoib/neigh_table.h:
// read guards nest, rcu_free defers destruction past every reader, and
// readers on other threads walk the table while a writer unlinks, frees
// and reinserts entries (ASan catches any read of freed memory).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "kapi_user.h"
#include "ipoib/neigh_table.h"
#include "kern/memory.h"
#include "kern/rcu.h"

using namespace ipoib;
using kern::Gfp;

namespace {

constexpr u64 kLive = 0x4c4956454c495645ull;

struct Obj : kern::RcuObject {
	explicit Obj(int *dtors) : m_dtors(dtors) {}
	~Obj() { ++*m_dtors; }
	int *m_dtors;
};

struct RNeigh final : NeighLink {
	RNeigh(const HwAddr &a, u32 id) : NeighLink(a), m_id(id), m_magic(kLive) {}
	~RNeigh() { m_magic = 0; }
	u32 m_id;
	u64 m_magic;
};

HwAddr addr(u64 guid, u32 qpn) { return HwAddr(0, qpn, Gid::from_parts(0xfe80000000000000ull, guid)); }

TEST(Rcu, ReadGuardsNest)
{
	EXPECT_EQ(kapi_test::rcu_read_depth(), 0);
	{
		kern::RcuReadGuard a;
		{
			kern::RcuReadGuard b;
			EXPECT_EQ(kapi_test::rcu_read_depth(), 2);
		}
		EXPECT_EQ(kapi_test::rcu_read_depth(), 1);
	}
	{
		kern::RcuReadGuardBh bh;
		EXPECT_EQ(kapi_test::rcu_read_depth(), 1);
		EXPECT_EQ(kapi_test::bh_disable_depth(), 1);
	}
	EXPECT_EQ(kapi_test::rcu_read_depth(), 0);
	EXPECT_EQ(kapi_test::bh_disable_depth(), 0);
}

TEST(Rcu, FreeWaitsForAGracePeriod)
{
	int dtors = 0;
	Obj *o = kern::make<Obj>(Gfp::Atomic, &dtors).release();
	ASSERT_NE(o, nullptr);
	kern::rcu_free(o);
	kern::rcu_free(static_cast<Obj *>(nullptr));
	EXPECT_EQ(dtors, 0);
	EXPECT_EQ(kapi_test::rcu_pending(), 1);
	EXPECT_EQ(kapi_test::live_allocs(), 1);
	kern::rcu::barrier();
	EXPECT_EQ(dtors, 1);
	EXPECT_EQ(kapi_test::live_allocs(), 0);
}

TEST(Rcu, SynchronizeInsideAReadSectionIsReported)
{
	{
		kern::RcuReadGuard g;
		kern::rcu::synchronize();
	}
	const auto errs = kapi_test::take_lock_errors();
	ASSERT_EQ(errs.size(), 1u);
	EXPECT_NE(errs[0].find("synchronize_rcu inside"), std::string::npos);
}

// A reader that found an entry keeps it across its unlink and free; the
// memory goes only at the grace period after the reader left.
TEST(Rcu, RemovedEntryOutlivesItsReader)
{
	NeighTable<RNeigh> t;
	ASSERT_TRUE(t.init(Gfp::Kernel, 4).is_ok());
	RNeigh *a = kern::make<RNeigh>(Gfp::Atomic, addr(1, 1), 1).release();
	RNeigh *b = kern::make<RNeigh>(Gfp::Atomic, addr(2, 2), 2).release();
	ASSERT_TRUE(t.insert(*a).is_ok());
	ASSERT_TRUE(t.insert(*b).is_ok());
	{
		kern::RcuReadGuard g;
		RNeigh *seen = t.lookup(addr(1, 1));
		ASSERT_EQ(seen, a);
		ASSERT_TRUE(t.remove(*a).is_ok());
		kern::rcu_free(a);
		EXPECT_EQ(t.lookup(addr(1, 1)), nullptr);
		EXPECT_EQ(seen->m_magic, kLive); // still there for this reader
		EXPECT_EQ(kapi_test::rcu_pending(), 1);
	}
	kern::rcu::synchronize();
	EXPECT_EQ(kapi_test::rcu_pending(), 0);
	EXPECT_EQ(kapi_test::live_allocs(), 2); // b and the buckets
	EXPECT_EQ(t.flush([](RNeigh &n) { kern::rcu_free(&n); }), 1u);
	kern::rcu::barrier();
}

// Readers on two threads look up every key continuously while a writer
// (the lock stands for Resolver::m_lock) replaces entries and gc-reaps
// them: each entry a reader finds must be live and carry its key.
TEST(Rcu, ReadersWalkChainsWhileAWriterReplacesEntries)
{
	constexpr u32 kKeys = 64;
	NeighTable<RNeigh> t;
	ASSERT_TRUE(t.init(Gfp::Kernel, 4).is_ok()); // 4 buckets: long chains
	std::mutex writer;
	for (u32 i = 0; i < kKeys; i++)
		ASSERT_TRUE(t.insert(*kern::make<RNeigh>(Gfp::Atomic, addr(i, i), i).release()).is_ok());

	std::atomic<bool> stop{false};
	std::atomic<long> found{0}, bad{0};
	std::atomic<int> started{0};
	auto reader = [&] {
		u32 i = 0;
		started.fetch_add(1);
		while (!stop.load()) {
			kern::RcuReadGuard g;
			const RNeigh *n = t.lookup(addr(i % kKeys, i % kKeys));
			if (n) {
				if (n->m_magic != kLive || n->m_id != i % kKeys || !(n->hw_addr() == addr(i % kKeys, i % kKeys)))
					bad.fetch_add(1);
				found.fetch_add(1);
			}
			i++;
		}
	};
	std::thread r1(reader), r2(reader);
	// On a loaded machine the writer's 2000 rounds can end before a reader
	// ran at all: start once both run, and go on until they have found
	// entries 1000 times while the writer was at work (at most 20 s).
	while (started.load() < 2)
		std::this_thread::yield();
	const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
	for (u32 round = 0; round < 2000 || (found.load() < 1000 && std::chrono::steady_clock::now() < until);
	     round++) {
		{
			std::lock_guard<std::mutex> g(writer);
			const u32 k = (round * 7) % kKeys;
			RNeigh *old = t.lookup(addr(k, k));
			if (old) {
				ASSERT_TRUE(t.remove(*old).is_ok());
				kern::rcu_free(old);
			}
			ASSERT_TRUE(t.insert(*kern::make<RNeigh>(Gfp::Atomic, addr(k, k), k).release()).is_ok());
			if (round % 100 == 0) {
				// Everything idle goes (alive is 0 for all), then comes back.
				t.gc(1000, 10, [](RNeigh &n) { kern::rcu_free(&n); });
				for (u32 i = 0; i < kKeys; i++)
					ASSERT_TRUE(t.insert(*kern::make<RNeigh>(Gfp::Atomic, addr(i, i), i).release()).is_ok());
			}
		}
		if (round % 50 == 0)
			kern::rcu::synchronize();
	}
	stop.store(true);
	r1.join();
	r2.join();
	EXPECT_EQ(bad.load(), 0);
	EXPECT_GE(found.load(), 1000);
	t.flush([](RNeigh &n) { kern::rcu_free(&n); });
	kern::rcu::barrier();
}

} // namespace
