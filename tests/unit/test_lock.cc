// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// Tests for kern/lock.h: lock init, guards, call_unlocked, Protected<T>.

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "kapi_user.h"
#include "kern/lock.h"
#include "kern/result.h"

using kern::Mutex;
using kern::MutexGuard;
using kern::Protected;
using kern::SpinGuard;
using kern::SpinGuardBh;
using kern::SpinGuardIrq;
using kern::SpinLock;

namespace {

// Stands in for a driver object whose constructor initialises its locks.
struct Port {
	Port()
	{
		KERN_LOCK_INIT(m_lock, "port_lock");
		KERN_LOCK_INIT(m_mutex, "port_mutex");
	}
	SpinLock m_lock;
	Mutex m_mutex;
};

const kapi_lock_class_key *key_of(SpinLock &l)
{
	return kapi_test::lock_key(reinterpret_cast<const kapi_spinlock *>(&l));
}
const char *name_of(SpinLock &l)
{
	return kapi_test::lock_name(reinterpret_cast<const kapi_spinlock *>(&l));
}

TEST(LockInit, EachInitSiteHasItsOwnStaticKey)
{
	static_assert(sizeof(SpinLock) == sizeof(kapi_spinlock), "SpinLock must be the bare kapi storage");
	Port a, b;
	EXPECT_STREQ(name_of(a.m_lock), "port_lock");
	EXPECT_NE(key_of(a.m_lock), nullptr);
	// Same init site: same lockdep class, as spin_lock_init() gives in C.
	EXPECT_EQ(key_of(a.m_lock), key_of(b.m_lock));

	SpinLock other;
	KERN_LOCK_INIT(other, "other");
	EXPECT_NE(key_of(other), key_of(a.m_lock));

	EXPECT_STREQ(kapi_test::mutex_name(reinterpret_cast<const kapi_mutex *>(&a.m_mutex)), "port_mutex");
	EXPECT_NE(kapi_test::mutex_key(reinterpret_cast<const kapi_mutex *>(&a.m_mutex)), nullptr);
}

TEST(Guards, AreNeitherCopyableNorMovable)
{
	static_assert(!std::is_copy_constructible_v<SpinGuard>);
	static_assert(!std::is_move_constructible_v<SpinGuard>);
	static_assert(!std::is_move_constructible_v<SpinGuardIrq>);
	static_assert(!std::is_move_constructible_v<MutexGuard>);
	static_assert(!std::is_copy_assignable_v<MutexGuard>);
	static_assert(!std::is_move_constructible_v<SpinLock>);
	static_assert(!std::is_default_constructible_v<SpinGuard>);
	SUCCEED();
}

TEST(Guards, SpinGuardHoldsForScope)
{
	Port p;
	{
		SpinGuard g(p.m_lock);
		EXPECT_TRUE(g.held());
		EXPECT_EQ(kapi_test::held_locks(), 1);
		p.m_lock.assert_held();
	}
	EXPECT_EQ(kapi_test::held_locks(), 0);
	EXPECT_TRUE(kapi_test::take_lock_errors().empty());
}

TEST(Guards, AssertHeldReportsWhenNotHeld)
{
	Port p;
	p.m_lock.assert_held();
	p.m_mutex.assert_held();
	EXPECT_EQ(kapi_test::take_lock_errors().size(), 2u);
}

TEST(Guards, EarlyUnlockIsIdempotentAndDestructorDoesNotUnlockAgain)
{
	Port p;
	{
		SpinGuard g(p.m_lock);
		g.unlock();
		EXPECT_FALSE(g.held());
		EXPECT_EQ(kapi_test::held_locks(), 0);
		g.unlock();
		// The lock is free again: another guard can take it in this scope.
		SpinGuard g2(p.m_lock);
		EXPECT_EQ(kapi_test::held_locks(), 1);
	}
	EXPECT_EQ(kapi_test::held_locks(), 0);
	// A double unlock would have been recorded by the fake.
	EXPECT_TRUE(kapi_test::take_lock_errors().empty());
}

// Leaves through TRY's hidden return when the kapi call fails.
kern::Status locked_step(SpinLock &l, bool fail)
{
	SpinGuard g(l);
	TRY(kern::from_errno(fail ? -kern::err::EAGAIN : 0));
	EXPECT_EQ(kapi_test::held_locks(), 1);
	return kern::ok();
}

TEST(Guards, ReleasedOnEarlyReturnAndTry)
{
	Port p;
	EXPECT_TRUE(locked_step(p.m_lock, false).is_ok());
	EXPECT_EQ(kapi_test::held_locks(), 0);
	EXPECT_EQ(locked_step(p.m_lock, true).error().code(), -kern::err::EAGAIN);
	EXPECT_EQ(kapi_test::held_locks(), 0);
}

TEST(Guards, BhGuardDisablesBottomHalvesWhileHeld)
{
	Port p;
	EXPECT_EQ(kapi_test::bh_disable_depth(), 0);
	{
		SpinGuardBh g(p.m_lock);
		EXPECT_EQ(kapi_test::bh_disable_depth(), 1);
	}
	EXPECT_EQ(kapi_test::bh_disable_depth(), 0);
	EXPECT_TRUE(kapi_test::take_lock_errors().empty());
}

TEST(Guards, IrqGuardRestoresSavedFlagsInNestingOrder)
{
	Port a, b;
	{
		SpinGuardIrq ga(a.m_lock);
		EXPECT_EQ(kapi_test::irq_disable_depth(), 1);
		{
			SpinGuardIrq gb(b.m_lock);
			EXPECT_EQ(kapi_test::irq_disable_depth(), 2);
		}
		EXPECT_EQ(kapi_test::irq_disable_depth(), 1);
	}
	EXPECT_EQ(kapi_test::irq_disable_depth(), 0);
	// The fake checks that irqrestore got back the flags irqsave returned.
	EXPECT_TRUE(kapi_test::take_lock_errors().empty());
}

TEST(Guards, CallUnlockedDropsAndRetakesLock)
{
	Port p;
	SpinGuard g(p.m_lock);
	int seen_held = -1;
	g.call_unlocked([&] {
		seen_held = static_cast<int>(kapi_test::held_locks());
		// Proof the lock is really free: it can be taken here.
		SpinGuard inner(p.m_lock);
	});
	EXPECT_EQ(seen_held, 0);
	EXPECT_TRUE(g.held());
	EXPECT_EQ(kapi_test::held_locks(), 1);
	p.m_lock.assert_held();
	EXPECT_TRUE(kapi_test::take_lock_errors().empty());
}

TEST(Guards, CallUnlockedReturnsTheCallablesResult)
{
	Port p;
	SpinGuardIrq g(p.m_lock);
	const int depth_inside = g.call_unlocked([] { return kapi_test::irq_disable_depth(); });
	EXPECT_EQ(depth_inside, 0); // Interrupts were restored for the call.
	EXPECT_EQ(kapi_test::irq_disable_depth(), 1);
	std::string s = g.call_unlocked([] { return std::string("freed"); });
	EXPECT_EQ(s, "freed");
	g.unlock();
	EXPECT_TRUE(kapi_test::take_lock_errors().empty());
}

TEST(Guards, CallUnlockedAfterUnlockWarnsButStillRuns)
{
	Port p;
	SpinGuard g(p.m_lock);
	g.unlock();
	int runs = 0;
	g.call_unlocked([&] { runs++; });
	EXPECT_EQ(runs, 1);
	EXPECT_FALSE(g.held()); // Not retaken: the guard had already let go.
	EXPECT_EQ(kapi_test::held_locks(), 0);
	EXPECT_EQ(kapi_test::take_warnings().size(), 1u);
}

TEST(Guards, MutexGuard)
{
	Port p;
	{
		MutexGuard g(p.m_mutex);
		p.m_mutex.assert_held();
		EXPECT_EQ(kapi_test::held_locks(), 1);
		g.call_unlocked([&] { EXPECT_EQ(kapi_test::held_locks(), 0); });
		EXPECT_EQ(kapi_test::held_locks(), 1);
	}
	EXPECT_EQ(kapi_test::held_locks(), 0);
	EXPECT_TRUE(kapi_test::take_lock_errors().empty());
}

TEST(Guards, MutexDestroyedWithoutInitIsHarmless)
{
	{
		Mutex m; // Zeroed storage, never initialised.
	}
	EXPECT_TRUE(kapi_test::take_lock_errors().empty());
}

// The fake has to catch misuse for the tests above to mean anything.
TEST(FakeLocks, DetectDoubleLockAndStrayUnlock)
{
	Port p;
	kapi_spinlock *raw = reinterpret_cast<kapi_spinlock *>(&p.m_lock);
	kapi_spin_unlock(raw);
	kapi_spin_lock(raw);
	kapi_spin_lock(raw);
	kapi_spin_unlock_bh(raw); // Wrong variant.
	EXPECT_EQ(kapi_test::take_lock_errors().size(), 3u);
	EXPECT_EQ(kapi_test::held_locks(), 0);
	SpinLock never_initialised;
	kapi_spin_lock(reinterpret_cast<kapi_spinlock *>(&never_initialised));
	EXPECT_EQ(kapi_test::take_lock_errors().size(), 1u);
	kapi_test::take_warnings();
}

// ---- Protected ----------------------------------------------------------

struct Stats {
	kern::u64 packets = 0;
	kern::u64 bytes = 0;
};

TEST(Protected, WithRunsUnderTheLockAndReturnsResult)
{
	Protected<Stats, SpinGuardBh> stats;
	KERN_LOCK_INIT(stats, "stats");
	stats.with([](Stats &s) {
		EXPECT_EQ(kapi_test::held_locks(), 1);
		EXPECT_EQ(kapi_test::bh_disable_depth(), 1);
		s.packets++;
		s.bytes += 1500;
	});
	EXPECT_EQ(kapi_test::held_locks(), 0);
	const kern::u64 bytes = stats.with([](Stats &s) { return s.bytes; });
	EXPECT_EQ(bytes, 1500u);
	EXPECT_TRUE(kapi_test::take_lock_errors().empty());
}

TEST(Protected, ForwardsConstructorArguments)
{
	Protected<std::vector<int>, MutexGuard> v(3, 7);
	KERN_LOCK_INIT(v, "vec");
	EXPECT_EQ(v.with([](std::vector<int> &x) { return x.size(); }), 3u);
	EXPECT_EQ(v.with([](std::vector<int> &x) { return x[2]; }), 7);
}

TEST(Protected, WithGuardAllowsCallUnlocked)
{
	Protected<int, SpinGuardIrq> value(1);
	KERN_LOCK_INIT(value, "value");
	const int r = value.with_guard([](int &v, SpinGuardIrq &g) {
		v = 2;
		const long held_inside = g.call_unlocked([] { return kapi_test::held_locks(); });
		EXPECT_EQ(held_inside, 0);
		return v * 10;
	});
	EXPECT_EQ(r, 20);
	EXPECT_EQ(kapi_test::held_locks(), 0);
	EXPECT_EQ(kapi_test::irq_disable_depth(), 0);
	EXPECT_TRUE(kapi_test::take_lock_errors().empty());
}

TEST(Protected, SerialisesConcurrentUpdates)
{
	Protected<Stats, SpinGuard> stats;
	KERN_LOCK_INIT(stats, "shared_stats");
	constexpr int kThreads = 4;
	constexpr int kIterations = 20000;
	std::vector<std::thread> threads;
	for (int t = 0; t < kThreads; t++) {
		threads.emplace_back([&] {
			for (int i = 0; i < kIterations; i++) {
				stats.with([](Stats &s) {
					// Non-atomic read-modify-write: only correct under the lock.
					const kern::u64 p = s.packets;
					s.bytes += 2;
					s.packets = p + 1;
				});
			}
		});
	}
	for (auto &t : threads)
		t.join();
	stats.with([](Stats &s) {
		EXPECT_EQ(s.packets, static_cast<kern::u64>(kThreads) * kIterations);
		EXPECT_EQ(s.bytes, 2u * kThreads * kIterations);
	});
	EXPECT_TRUE(kapi_test::take_lock_errors().empty());
}

// A SpinLock has a constexpr constructor and no destructor, so it can be a
// constant-initialised global (no constructor runs at load time).
SpinLock g_global_lock;
static_assert(std::is_trivially_destructible_v<SpinLock>);

TEST(SpinLock, GlobalLockWorksAfterInit)
{
	KERN_LOCK_INIT(g_global_lock, "global");
	SpinGuard g(g_global_lock);
	EXPECT_EQ(kapi_test::held_locks(), 1);
}

} // namespace
