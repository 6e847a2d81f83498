// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// Tests for kern/memory.h: UniquePtr, make/try_make, UniqueArray, Defer.

#include <gtest/gtest.h>

#include <type_traits>
#include <vector>

#include "kapi_user.h"
#include "kern/memory.h"

using kern::Gfp;
using kern::UniqueArray;
using kern::UniquePtr;
using kern::usize;
namespace err = kern::err;

namespace {

// Records constructions and destructions, in order, by id.
std::vector<int> g_events;

struct Tracked {
	Tracked() : id(next_id++) { g_events.push_back(id); }
	explicit Tracked(int i) : id(i) { g_events.push_back(id); }
	~Tracked() { g_events.push_back(-id); }
	int id;
	static int next_id;
};
int Tracked::next_id = 1;

struct Mixed {
	explicit Mixed(int a) : set(a) {}
	int set;
	int untouched; // No initialiser: relies on make() building in zeroed memory.
	char bytes[16];
};

class MemoryTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		g_events.clear();
		Tracked::next_id = 1;
	}
};

TEST_F(MemoryTest, MakeConstructsWithArgsInZeroedMemory)
{
	UniquePtr<Mixed> m = kern::make<Mixed>(Gfp::Kernel, 7);
	ASSERT_TRUE(m);
	EXPECT_EQ(m->set, 7);
	EXPECT_EQ(m->untouched, 0);
	for (char c : m->bytes)
		EXPECT_EQ(c, 0);
	EXPECT_EQ(kapi_test::last_alloc_size(), sizeof(Mixed));
	EXPECT_EQ(kapi_test::live_allocs(), 1);
	m.reset();
	EXPECT_EQ(kapi_test::live_allocs(), 0);
}

TEST_F(MemoryTest, GfpMapsToKapiValues)
{
	const std::pair<Gfp, kapi_gfp> cases[] = {
		{Gfp::Kernel, KAPI_GFP_KERNEL},
		{Gfp::Atomic, KAPI_GFP_ATOMIC},
		{Gfp::NoWait, KAPI_GFP_NOWAIT},
	};
	for (const auto &c : cases) {
		static_assert(kern::to_kapi(Gfp::Atomic) == KAPI_GFP_ATOMIC);
		auto p = kern::make<int>(c.first, 1);
		ASSERT_TRUE(p);
		EXPECT_EQ(kapi_test::last_gfp(), c.second);
	}
}

TEST_F(MemoryTest, DestructionRunsDestructorThenFrees)
{
	{
		UniquePtr<Tracked> t = kern::make<Tracked>(Gfp::Atomic, 42);
		ASSERT_TRUE(t);
		EXPECT_EQ(g_events, (std::vector<int>{42}));
	}
	EXPECT_EQ(g_events, (std::vector<int>{42, -42}));
	EXPECT_EQ(kapi_test::live_allocs(), 0);
}

TEST_F(MemoryTest, MakeFailureReturnsNullWithoutConstructing)
{
	kapi_test::fail_nth_alloc(1);
	UniquePtr<Tracked> t = kern::make<Tracked>(Gfp::Kernel);
	EXPECT_FALSE(t);
	EXPECT_EQ(t.get(), nullptr);
	EXPECT_TRUE(t == nullptr);
	EXPECT_TRUE(g_events.empty());
	EXPECT_EQ(kapi_test::failed_allocs(), 1);
	EXPECT_EQ(kapi_test::live_allocs(), 0);
}

TEST_F(MemoryTest, TryMakeReportsEnomem)
{
	kapi_test::fail_all_allocs(true);
	auto r = kern::try_make<Tracked>(Gfp::Kernel, 3);
	ASSERT_TRUE(r.is_err());
	EXPECT_EQ(r.error().code(), -err::ENOMEM);
	kapi_test::fail_all_allocs(false);
	auto ok = kern::try_make<Tracked>(Gfp::Kernel, 3);
	ASSERT_TRUE(ok.is_ok());
	EXPECT_EQ(ok.value()->id, 3);
}

TEST_F(MemoryTest, UniquePtrIsMoveOnlyAndTransfersOwnership)
{
	static_assert(!std::is_copy_constructible_v<UniquePtr<int>>);
	static_assert(!std::is_copy_assignable_v<UniquePtr<int>>);
	static_assert(std::is_nothrow_move_constructible_v<UniquePtr<int>>);

	UniquePtr<Tracked> a = kern::make<Tracked>(Gfp::Kernel, 1);
	UniquePtr<Tracked> b = kern::move(a);
	EXPECT_FALSE(a);
	ASSERT_TRUE(b);
	EXPECT_EQ(b->id, 1);

	UniquePtr<Tracked> c = kern::make<Tracked>(Gfp::Kernel, 2);
	c = kern::move(b); // Destroys 2, takes 1.
	EXPECT_EQ(g_events, (std::vector<int>{1, 2, -2}));
	EXPECT_EQ(c->id, 1);
	EXPECT_EQ((*c).id, 1);
	c = nullptr;
	EXPECT_EQ(g_events, (std::vector<int>{1, 2, -2, -1}));
}

TEST_F(MemoryTest, SelfMoveAssignmentKeepsObject)
{
	UniquePtr<Tracked> a = kern::make<Tracked>(Gfp::Kernel, 5);
	UniquePtr<Tracked> &alias = a;
	a = kern::move(alias);
	ASSERT_TRUE(a);
	EXPECT_EQ(a->id, 5);
	EXPECT_EQ(g_events, (std::vector<int>{5}));
}

TEST_F(MemoryTest, ReleaseHandsOverRawOwnershipAndResetAdopts)
{
	UniquePtr<Tracked> a = kern::make<Tracked>(Gfp::Kernel, 8);
	Tracked *raw = a.release();
	EXPECT_FALSE(a);
	EXPECT_EQ(kapi_test::live_allocs(), 1);
	a.reset(raw); // Back under ownership; no double free at scope exit.
	EXPECT_EQ(a.get(), raw);
	a.reset();
	EXPECT_EQ(g_events, (std::vector<int>{8, -8}));
}

struct Animal {
	virtual ~Animal() { g_events.push_back(-1); }
	virtual int legs() const = 0;
};
struct Dog final : Animal {
	~Dog() override { g_events.push_back(-2); }
	int legs() const override { return 4; }
	char payload[40] = {};
};

TEST_F(MemoryTest, ConvertsToBaseAndDestroysWholeObject)
{
	UniquePtr<Animal> a = kern::make<Dog>(Gfp::Kernel);
	ASSERT_TRUE(a);
	EXPECT_EQ(a->legs(), 4);
	a.reset();
	EXPECT_EQ(g_events, (std::vector<int>{-2, -1}));
	// ASan would report a size mismatch or leak if the Dog were freed as an Animal.
}

TEST_F(MemoryTest, MakeArrayValueInitialisesAndDestroysInReverse)
{
	{
		UniqueArray<Tracked> arr = kern::make_array<Tracked>(Gfp::Kernel, 3);
		ASSERT_TRUE(arr);
		EXPECT_EQ(arr.size(), 3u);
		EXPECT_FALSE(arr.empty());
		EXPECT_FALSE(arr.is_vmalloc());
		EXPECT_EQ(arr[0].id, 1);
		EXPECT_EQ(arr[2].id, 3);
	}
	EXPECT_EQ(g_events, (std::vector<int>{1, 2, 3, -3, -2, -1}));
}

TEST_F(MemoryTest, MakeArrayOfScalarsIsZeroed)
{
	UniqueArray<kern::u64> arr = kern::make_array<kern::u64>(Gfp::Atomic, 100);
	ASSERT_TRUE(arr);
	for (kern::u64 v : arr)
		EXPECT_EQ(v, 0u);
	EXPECT_EQ(kapi_test::last_gfp(), KAPI_GFP_ATOMIC);
}

TEST_F(MemoryTest, MakeArrayCheckedAccessAndSpan)
{
	UniqueArray<int> arr = kern::make_array<int>(Gfp::Kernel, 4);
	ASSERT_TRUE(arr);
	for (usize i = 0; i < arr.size(); i++)
		arr[i] = static_cast<int>(i * 10);
	ASSERT_NE(arr.at(3), nullptr);
	EXPECT_EQ(*arr.at(3), 30);
	EXPECT_EQ(arr.at(4), nullptr);
	EXPECT_EQ(arr.at(static_cast<usize>(-1)), nullptr);
	kern::Span<int> s = arr.span();
	EXPECT_EQ(s.size(), 4u);
	EXPECT_EQ(s.data(), arr.data());
}

TEST_F(MemoryTest, LargeProcessContextArraysUseKvzalloc)
{
	const usize n = kern::kPageSize / sizeof(kern::u32) + 1; // Just over one page.
	UniqueArray<kern::u32> big = kern::make_array<kern::u32>(Gfp::Kernel, n);
	ASSERT_TRUE(big);
	EXPECT_TRUE(big.is_vmalloc());
	EXPECT_EQ(kapi_test::live_kvallocs(), 1);

	UniqueArray<kern::u32> page = kern::make_array<kern::u32>(Gfp::Kernel, n - 1); // Exactly one page.
	ASSERT_TRUE(page);
	EXPECT_FALSE(page.is_vmalloc());

	// Atomic context can never use vmalloc, whatever the size.
	UniqueArray<kern::u32> atomic = kern::make_array<kern::u32>(Gfp::Atomic, n);
	ASSERT_TRUE(atomic);
	EXPECT_FALSE(atomic.is_vmalloc());
	EXPECT_EQ(kapi_test::live_kvallocs(), 1);
	// Freeing each through the matching kapi call is checked by the fake.
}

TEST_F(MemoryTest, MakeArrayRejectsZeroAndOverflowWithoutAllocating)
{
	EXPECT_FALSE(kern::make_array<int>(Gfp::Kernel, 0));
	EXPECT_FALSE(kern::make_array<kern::u64>(Gfp::Kernel, static_cast<usize>(-1) / 4));
	EXPECT_EQ(kapi_test::total_allocs(), 0);
	EXPECT_EQ(kapi_test::failed_allocs(), 0);

	auto zero = kern::try_make_array<int>(Gfp::Kernel, 0);
	ASSERT_TRUE(zero.is_err());
	EXPECT_EQ(zero.error().code(), -err::EINVAL);
	auto huge = kern::try_make_array<kern::u64>(Gfp::Kernel, (static_cast<usize>(1) << 62));
	EXPECT_EQ(huge.error().code(), -err::EINVAL);
}

TEST_F(MemoryTest, MakeArrayFailureConstructsNothing)
{
	kapi_test::fail_nth_alloc(1);
	EXPECT_FALSE(kern::make_array<Tracked>(Gfp::Kernel, 5));
	EXPECT_TRUE(g_events.empty());
	kapi_test::fail_nth_alloc(1);
	auto r = kern::try_make_array<Tracked>(Gfp::Kernel, 5);
	EXPECT_EQ(r.error().code(), -err::ENOMEM);
	EXPECT_EQ(kapi_test::live_allocs(), 0);
}

TEST_F(MemoryTest, UniqueArrayMoves)
{
	UniqueArray<Tracked> a = kern::make_array<Tracked>(Gfp::Kernel, 2);
	UniqueArray<Tracked> b = kern::move(a);
	EXPECT_FALSE(a);
	EXPECT_EQ(a.size(), 0u);
	EXPECT_EQ(b.size(), 2u);
	UniqueArray<Tracked> c = kern::make_array<Tracked>(Gfp::Kernel, 1);
	c = kern::move(b); // Destroys the single element first.
	EXPECT_EQ(g_events, (std::vector<int>{1, 2, 3, -3}));
	EXPECT_EQ(c.size(), 2u);
	c.reset();
	EXPECT_FALSE(c);
	EXPECT_EQ(g_events, (std::vector<int>{1, 2, 3, -3, -2, -1}));
}

// ---- Defer --------------------------------------------------------------

TEST(Defer, RunsAtScopeExit)
{
	int runs = 0;
	{
		auto d = kern::defer([&] { runs++; });
		EXPECT_EQ(runs, 0);
	}
	EXPECT_EQ(runs, 1);
}

TEST(Defer, CancelPreventsRun)
{
	int runs = 0;
	{
		auto d = kern::defer([&] { runs++; });
		d.cancel();
	}
	EXPECT_EQ(runs, 0);
}

TEST(Defer, AcceptsNamedCallables)
{
	int runs = 0;
	auto fn = [&] { runs += 10; };
	{
		auto d = kern::defer(fn); // Copied: fn stays usable.
	}
	fn();
	EXPECT_EQ(runs, 20);
	static_assert(!std::is_move_constructible_v<decltype(kern::defer(fn))>);
}

int early_return(bool bail, int &cleanups)
{
	auto d = kern::defer([&] { cleanups++; });
	if (bail)
		return -1;
	d.cancel();
	return 0;
}

TEST(Defer, RunsOnEarlyReturnOnly)
{
	int cleanups = 0;
	EXPECT_EQ(early_return(true, cleanups), -1);
	EXPECT_EQ(cleanups, 1);
	EXPECT_EQ(early_return(false, cleanups), 0);
	EXPECT_EQ(cleanups, 1);
}

// A three-step create() in the style the driver uses: each step allocates;
// any failure must undo the earlier steps and leave nothing allocated.
struct Rings {
	UniquePtr<Tracked> rx;
	UniquePtr<Tracked> tx;
	UniqueArray<int> table;
};

kern::Result<UniquePtr<Rings>> create_rings()
{
	UniquePtr<Rings> r = TRY(kern::try_make<Rings>(Gfp::Kernel));
	r->rx = TRY(kern::try_make<Tracked>(Gfp::Kernel, 100));
	r->tx = TRY(kern::try_make<Tracked>(Gfp::Kernel, 200));
	r->table = TRY(kern::try_make_array<int>(Gfp::Kernel, 2048));
	return r;
}

TEST_F(MemoryTest, FailureAtEveryStepLeavesNoAllocation)
{
	for (long n = 1; n <= 4; n++) {
		kapi_test::fail_nth_alloc(n);
		auto r = create_rings();
		ASSERT_TRUE(r.is_err()) << "step " << n;
		EXPECT_EQ(r.error().code(), -err::ENOMEM);
		EXPECT_EQ(kapi_test::live_allocs(), 0) << "step " << n;
	}
	kapi_test::fail_nth_alloc(0);
	auto r = create_rings();
	ASSERT_TRUE(r.is_ok());
	EXPECT_EQ(kapi_test::live_allocs(), 4);
	EXPECT_TRUE(r.value()->table.is_vmalloc());
}

} // namespace

// The fail_nth parameter's injection: the nth make()/make_array() fails
// once, without reaching the allocator, and the count reads back.
TEST_F(MemoryTest, InjectedFailureHitsTheNthAllocationOnce)
{
	EXPECT_EQ(kern::alloc_fail_nth_get(), 0);
	kern::alloc_fail_nth_set(3);
	EXPECT_EQ(kern::alloc_fail_nth_get(), 3);
	UniquePtr<Tracked> a = kern::make<Tracked>(Gfp::Kernel);
	UniqueArray<int> b = kern::make_array<int>(Gfp::Atomic, 4);
	EXPECT_TRUE(a);
	EXPECT_TRUE(b);
	EXPECT_EQ(kern::alloc_fail_nth_get(), 1);
	auto c = kern::try_make<Tracked>(Gfp::Kernel, 7);
	ASSERT_TRUE(c.is_err());
	EXPECT_EQ(c.error().code(), -err::ENOMEM);
	EXPECT_EQ(kern::alloc_fail_nth_get(), 0);
	EXPECT_EQ(kapi_test::failed_allocs(), 0); // Refused above the allocator.
	EXPECT_EQ(kapi_test::live_allocs(), 2);
	// Fired: later allocations succeed.
	auto d = kern::try_make_array<Tracked>(Gfp::Kernel, 2);
	EXPECT_TRUE(d.is_ok());
	// Disarm before it fires; negative counts disarm too.
	kern::alloc_fail_nth_set(5);
	kern::alloc_fail_nth_set(0);
	EXPECT_TRUE(kern::make<Tracked>(Gfp::Kernel));
	kern::alloc_fail_nth_set(-2);
	EXPECT_EQ(kern::alloc_fail_nth_get(), 0);
	EXPECT_TRUE(kern::make<Tracked>(Gfp::Kernel));
}
