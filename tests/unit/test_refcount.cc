// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// Tests for kern/refcount.h: refcount_t semantics, RefCounted's pre-adopt
// sentinel and destruction hooks, RefPtr ownership.

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "kapi_user.h"
#include "kern/refcount.h"

using kern::Gfp;
using kern::RefCount;
using kern::RefCounted;
using kern::RefPtr;

namespace {

// ---- RefCount -----------------------------------------------------------

TEST(RefCount, CountsAndReportsLastDrop)
{
	RefCount rc;
	EXPECT_EQ(rc.read(), 1);
	rc.inc();
	rc.inc();
	EXPECT_EQ(rc.read(), 3);
	EXPECT_FALSE(rc.dec_and_test());
	EXPECT_FALSE(rc.dec_and_test());
	EXPECT_TRUE(rc.dec_and_test());
	EXPECT_EQ(rc.read(), 0);
	EXPECT_EQ(kapi_test::warn_count(), 0);
}

TEST(RefCount, IncrementFromZeroWarnsAndSaturates)
{
	RefCount rc(0);
	rc.inc();
	EXPECT_EQ(rc.read(), RefCount::kSaturated);
	auto warnings = kapi_test::take_warnings();
	ASSERT_EQ(warnings.size(), 1u);
	EXPECT_NE(warnings[0].find("use-after-free"), std::string::npos);
	EXPECT_NE(warnings[0].find("test_refcount.cc"), std::string::npos) << warnings[0];
	// A saturated count never reaches zero again: the object leaks safely.
	for (int i = 0; i < 100; i++)
		EXPECT_FALSE(rc.dec_and_test());
	EXPECT_EQ(rc.read(), RefCount::kSaturated);
	EXPECT_EQ(kapi_test::take_warnings().size(), 100u);
}

TEST(RefCount, OverflowWarnsAndSaturates)
{
	RefCount rc(RefCount::kMax);
	rc.inc();
	EXPECT_EQ(rc.read(), RefCount::kSaturated);
	auto warnings = kapi_test::take_warnings();
	ASSERT_EQ(warnings.size(), 1u);
	EXPECT_NE(warnings[0].find("saturated"), std::string::npos);
	rc.inc(); // Still saturated, still reported.
	EXPECT_EQ(rc.read(), RefCount::kSaturated);
	EXPECT_EQ(kapi_test::take_warnings().size(), 1u);
}

TEST(RefCount, UnderflowWarnsAndSaturates)
{
	RefCount rc(1);
	EXPECT_TRUE(rc.dec_and_test());
	EXPECT_FALSE(rc.dec_and_test()); // Put after the final put.
	EXPECT_EQ(rc.read(), RefCount::kSaturated);
	auto warnings = kapi_test::take_warnings();
	ASSERT_EQ(warnings.size(), 1u);
	EXPECT_NE(warnings[0].find("underflow"), std::string::npos);
}

TEST(RefCount, IncNotZero)
{
	RefCount dying(0);
	EXPECT_FALSE(dying.inc_not_zero());
	EXPECT_EQ(dying.read(), 0);
	RefCount live(2);
	EXPECT_TRUE(live.inc_not_zero());
	EXPECT_EQ(live.read(), 3);
	RefCount top(RefCount::kMax);
	EXPECT_TRUE(top.inc_not_zero());
	EXPECT_EQ(top.read(), RefCount::kSaturated);
	EXPECT_EQ(kapi_test::take_warnings().size(), 1u);
}

TEST(RefCount, ConcurrentIncDecIsExact)
{
	RefCount rc;
	constexpr int kThreads = 4;
	constexpr int kIterations = 50000;
	std::vector<std::thread> threads;
	int last_drops = 0;
	for (int t = 0; t < kThreads; t++) {
		threads.emplace_back([&] {
			for (int i = 0; i < kIterations; i++) {
				rc.inc();
				if (rc.dec_and_test())
					__atomic_fetch_add(&last_drops, 1, __ATOMIC_RELAXED);
			}
		});
	}
	for (auto &t : threads)
		t.join();
	EXPECT_EQ(rc.read(), 1);
	EXPECT_EQ(last_drops, 0);
	EXPECT_TRUE(rc.dec_and_test());
}

// ---- RefCounted / RefPtr ------------------------------------------------

int g_destroyed;

struct Path : RefCounted<Path> {
	explicit Path(int l) : lid(l) {}
	~Path() { g_destroyed++; }
	int lid;
	int zeroed; // Built by make_ref in zeroed memory.
};

class RefTest : public ::testing::Test {
protected:
	void SetUp() override { g_destroyed = 0; }
};

TEST_F(RefTest, MakeRefAdoptsWithCountOne)
{
	RefPtr<Path> p = kern::make_ref<Path>(Gfp::Kernel, 17);
	ASSERT_TRUE(p);
	EXPECT_EQ(p->ref_count(), 1);
	EXPECT_EQ(p->lid, 17);
	EXPECT_EQ((*p).zeroed, 0);
	EXPECT_EQ(kapi_test::live_allocs(), 1);
	p.reset();
	EXPECT_FALSE(p);
	EXPECT_EQ(g_destroyed, 1);
	EXPECT_EQ(kapi_test::live_allocs(), 0);
}

TEST_F(RefTest, CopiesShareMovesTransfer)
{
	RefPtr<Path> a = kern::make_ref<Path>(Gfp::Atomic, 1);
	RefPtr<Path> b = a;
	EXPECT_EQ(a->ref_count(), 2);
	EXPECT_TRUE(a == b);
	RefPtr<Path> c = kern::move(b);
	EXPECT_FALSE(b);
	EXPECT_EQ(a->ref_count(), 2);
	RefPtr<Path> d;
	d = c;
	EXPECT_EQ(a->ref_count(), 3);
	d = kern::move(c);
	EXPECT_EQ(a->ref_count(), 2);
	a = nullptr;
	EXPECT_EQ(g_destroyed, 0);
	d.reset();
	EXPECT_EQ(g_destroyed, 1);
}

TEST_F(RefTest, SelfAssignmentKeepsObjectAlive)
{
	RefPtr<Path> a = kern::make_ref<Path>(Gfp::Kernel, 1);
	RefPtr<Path> &alias = a;
	a = alias;
	EXPECT_EQ(a->ref_count(), 1);
	a = kern::move(alias);
	ASSERT_TRUE(a);
	EXPECT_EQ(a->ref_count(), 1);
	EXPECT_EQ(g_destroyed, 0);
}

TEST_F(RefTest, AssigningOverTheLastReferenceDestroysOldObject)
{
	RefPtr<Path> a = kern::make_ref<Path>(Gfp::Kernel, 1);
	RefPtr<Path> b = kern::make_ref<Path>(Gfp::Kernel, 2);
	a = b;
	EXPECT_EQ(g_destroyed, 1);
	EXPECT_EQ(a->lid, 2);
	EXPECT_EQ(b->ref_count(), 2);
}

TEST_F(RefTest, RawPointerConstructorTakesANewReference)
{
	RefPtr<Path> owner = kern::make_ref<Path>(Gfp::Kernel, 3);
	Path *raw = owner.get(); // E.g. found on an intrusive list.
	{
		RefPtr<Path> extra(raw);
		EXPECT_EQ(raw->ref_count(), 2);
	}
	EXPECT_EQ(raw->ref_count(), 1);
	EXPECT_EQ(g_destroyed, 0);
}

TEST_F(RefTest, LeakAndReclaimAReference)
{
	RefPtr<Path> p = kern::make_ref<Path>(Gfp::Kernel, 4);
	Path *parked = p.leak_ref(); // E.g. stored in a C-side private pointer.
	EXPECT_FALSE(p);
	EXPECT_EQ(parked->ref_count(), 1);
	RefPtr<Path> back = RefPtr<Path>::from_leaked_ref(parked);
	EXPECT_EQ(back->ref_count(), 1);
	back.reset();
	EXPECT_EQ(g_destroyed, 1);
}

// Builds a Path outside make_ref, to exercise the pre-adopt state.
Path *construct_unadopted(int lid)
{
	void *mem = kapi_kzalloc(sizeof(Path), KAPI_GFP_KERNEL);
	return new (mem) Path(lid);
}

TEST_F(RefTest, AddRefOrReleaseBeforeAdoptWarnsAndIsIgnored)
{
	Path *p = construct_unadopted(5);
	EXPECT_EQ(p->ref_count(), RefCounted<Path>::kPreAdoptSentinel);
	p->add_ref();
	p->release();
	RefPtr<Path> early(p); // The raw-pointer constructor takes a reference: same bug.
	(void)early.leak_ref();
	auto warnings = kapi_test::take_warnings();
	ASSERT_EQ(warnings.size(), 2u + 1u);
	EXPECT_NE(warnings[0].find("add_ref() before adopt_ref()"), std::string::npos);
	EXPECT_NE(warnings[1].find("release() before adopt_ref()"), std::string::npos);
	EXPECT_EQ(p->ref_count(), RefCounted<Path>::kPreAdoptSentinel);
	EXPECT_EQ(g_destroyed, 0);

	RefPtr<Path> adopted = kern::adopt_ref(p);
	EXPECT_EQ(p->ref_count(), 1);
	adopted.reset();
	EXPECT_EQ(g_destroyed, 1);
	EXPECT_EQ(kapi_test::live_allocs(), 0);
}

TEST_F(RefTest, DoubleAdoptWarnsAndKeepsCount)
{
	RefPtr<Path> first = kern::make_ref<Path>(Gfp::Kernel, 6);
	RefPtr<Path> second = kern::adopt_ref(first.get());
	EXPECT_EQ(kapi_test::take_warnings().size(), 1u);
	EXPECT_EQ(first->ref_count(), 1);
	// `second` claims a reference it does not own; drop it without a put.
	(void)second.leak_ref();
	EXPECT_EQ(kern::adopt_ref<Path>(nullptr), nullptr);
}

TEST_F(RefTest, MakeRefFailureReturnsNullWithoutLeak)
{
	kapi_test::fail_nth_alloc(1);
	RefPtr<Path> p = kern::make_ref<Path>(Gfp::Atomic, 1);
	EXPECT_FALSE(p);
	EXPECT_TRUE(p == nullptr);
	EXPECT_EQ(g_destroyed, 0);
	kapi_test::fail_nth_alloc(1);
	auto r = kern::try_make_ref<Path>(Gfp::Atomic, 1);
	ASSERT_TRUE(r.is_err());
	EXPECT_EQ(r.error().code(), -kern::err::ENOMEM);
	auto ok = kern::try_make_ref<Path>(Gfp::Atomic, 2);
	ASSERT_TRUE(ok.is_ok());
	EXPECT_EQ(ok.value()->lid, 2);
}

// An object freed through its own hook (the driver uses this for RCU).
std::vector<std::string> g_hook_log;

struct Pooled : RefCounted<Pooled> {
	void destroy_self()
	{
		g_hook_log.push_back("destroy_self");
		this->~Pooled();
		kapi_kfree(this);
	}
};

class PrivateHook : public RefCounted<PrivateHook> {
	friend class kern::RefCounted<PrivateHook>;
	void destroy_self()
	{
		g_hook_log.push_back("private destroy_self");
		this->~PrivateHook();
		kapi_kfree(this);
	}
};

TEST_F(RefTest, ReleaseUsesDestroySelfWhenPresent)
{
	g_hook_log.clear();
	RefPtr<Pooled> p = kern::make_ref<Pooled>(Gfp::Kernel);
	RefPtr<Pooled> q = p;
	p.reset();
	EXPECT_TRUE(g_hook_log.empty());
	q.reset();
	EXPECT_EQ(g_hook_log, (std::vector<std::string>{"destroy_self"}));

	RefPtr<PrivateHook> h = kern::make_ref<PrivateHook>(Gfp::Kernel);
	h.reset();
	EXPECT_EQ(g_hook_log, (std::vector<std::string>{"destroy_self", "private destroy_self"}));
}

struct Shape : RefCounted<Shape> {
	virtual ~Shape() { g_destroyed += 10; }
	virtual int sides() const = 0;
};
struct Square final : Shape {
	~Square() override { g_destroyed += 1; }
	int sides() const override { return 4; }
	char extra[32] = {};
};

TEST_F(RefTest, DerivedConvertsToBaseAndIsDestroyedWhole)
{
	RefPtr<Square> sq = kern::make_ref<Square>(Gfp::Kernel);
	RefPtr<Shape> shape = sq;
	EXPECT_EQ(sq->ref_count(), 2);
	EXPECT_EQ(shape->sides(), 4);
	RefPtr<Shape> moved = kern::move(sq);
	EXPECT_FALSE(sq);
	EXPECT_EQ(moved->ref_count(), 2);
	shape.reset();
	moved.reset();
	EXPECT_EQ(g_destroyed, 11);
}

TEST_F(RefTest, ConcurrentCopiesAndDropsDestroyOnce)
{
	RefPtr<Path> shared = kern::make_ref<Path>(Gfp::Kernel, 9);
	constexpr int kThreads = 4;
	std::vector<std::thread> threads;
	for (int t = 0; t < kThreads; t++) {
		threads.emplace_back([copy = shared]() mutable {
			for (int i = 0; i < 20000; i++) {
				RefPtr<Path> local = copy;
				RefPtr<Path> other = kern::move(local);
			}
			copy.reset();
		});
	}
	for (auto &t : threads)
		t.join();
	EXPECT_EQ(shared->ref_count(), 1);
	EXPECT_EQ(g_destroyed, 0);
	shared.reset();
	EXPECT_EQ(g_destroyed, 1);
}

} // namespace
