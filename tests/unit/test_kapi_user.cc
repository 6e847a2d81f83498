// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// Tests for the userspace kapi fakes themselves: the other suites are only
// as strict as these checks.

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <string>

#include "kapi_user.h"

namespace {

TEST(KapiFake, FailNthAllocationFailsExactlyOnce)
{
	kapi_test::fail_nth_alloc(3);
	void *a = kapi_kmalloc(8, KAPI_GFP_KERNEL);
	void *b = kapi_kzalloc(8, KAPI_GFP_ATOMIC);
	void *c = kapi_kvzalloc(8); // The third call of any kind.
	void *d = kapi_kzalloc(8, KAPI_GFP_NOWAIT);
	EXPECT_NE(a, nullptr);
	EXPECT_NE(b, nullptr);
	EXPECT_EQ(c, nullptr);
	EXPECT_NE(d, nullptr);
	EXPECT_EQ(kapi_test::failed_allocs(), 1);
	EXPECT_EQ(kapi_test::total_allocs(), 3);
	EXPECT_EQ(kapi_test::live_allocs(), 3);
	kapi_kfree(a);
	kapi_kfree(b);
	kapi_kvfree(c); // NULL is a no-op, as in the kernel.
	kapi_kvfree(d); // kvfree also accepts kmalloc memory.
	EXPECT_EQ(kapi_test::live_allocs(), 0);
}

TEST(KapiFake, FailAllAllocations)
{
	kapi_test::fail_all_allocs(true);
	EXPECT_EQ(kapi_kzalloc(1, KAPI_GFP_KERNEL), nullptr);
	EXPECT_EQ(kapi_kvzalloc(1 << 20), nullptr);
	kapi_test::fail_all_allocs(false);
	void *p = kapi_kzalloc(1, KAPI_GFP_KERNEL);
	EXPECT_NE(p, nullptr);
	kapi_kfree(p);
}

TEST(KapiFake, KmallocIsPoisonedAndKzallocIsZeroed)
{
	auto *m = static_cast<unsigned char *>(kapi_kmalloc(16, KAPI_GFP_KERNEL));
	auto *z = static_cast<unsigned char *>(kapi_kzalloc(16, KAPI_GFP_KERNEL));
	for (int i = 0; i < 16; i++) {
		EXPECT_EQ(m[i], 0xa5);
		EXPECT_EQ(z[i], 0);
	}
	kapi_kfree(m);
	kapi_kfree(z);
}

TEST(KapiFake, DetectsBadFrees)
{
	void *v = kapi_kvzalloc(64);
	EXPECT_NONFATAL_FAILURE(kapi_kfree(v), "kapi_kfree of kvzalloc memory");
	int not_heap = 0;
	EXPECT_NONFATAL_FAILURE(kapi_kfree(&not_heap), "not a live allocation");
	void *p = kapi_kmalloc(4, KAPI_GFP_KERNEL);
	kapi_kfree(p);
	EXPECT_NONFATAL_FAILURE(kapi_kfree(p), "not a live allocation"); // Double free.
}

TEST(KapiFake, CapturesLogLines)
{
	kapi_log(KAPI_LOG_INFO, "port %u up, mtu %d", 1u, 2044);
	kapi_log_ratelimited(KAPI_LOG_WARNING, "dropped %s", "packet");
	const auto &lines = kapi_test::log_lines();
	ASSERT_EQ(lines.size(), 2u);
	EXPECT_EQ(lines[0], "6:port 1 up, mtu 2044");
	EXPECT_EQ(lines[1], "4:dropped packet");
	kapi_test::clear_log();
	EXPECT_TRUE(kapi_test::log_lines().empty());
}

TEST(KapiFake, CountsAndTakesWarnings)
{
	kapi_warn("a.cc", 1, "first");
	kapi_warn("b.cc", 2, "second");
	EXPECT_EQ(kapi_test::warn_count(), 2);
	const auto w = kapi_test::take_warnings();
	ASSERT_EQ(w.size(), 2u);
	EXPECT_EQ(w[0], "a.cc:1: first");
	EXPECT_EQ(w[1], "b.cc:2: second");
	EXPECT_EQ(kapi_test::warn_count(), 0);
}

TEST(KapiFake, MutexTrylockAndDestroyWhileHeld)
{
	static kapi_lock_class_key key;
	kapi_mutex m{};
	kapi_mutex_init(&m, "m", &key);
	EXPECT_EQ(kapi_mutex_trylock(&m), 1);
	EXPECT_EQ(kapi_mutex_trylock(&m), 0); // Contended (by ourselves): no error, just 0.
	kapi_mutex_destroy(&m);
	kapi_mutex_unlock(&m);
	kapi_mutex_init(&m, "m", &key); // Also forgets the stale owner.
	const auto errors = kapi_test::take_lock_errors();
	ASSERT_EQ(errors.size(), 3u);
	EXPECT_NE(errors[0].find("destroyed while held"), std::string::npos);
	EXPECT_NE(errors[1].find("not initialised (or was destroyed)"), std::string::npos);
	EXPECT_NE(errors[2].find("re-initialised while held"), std::string::npos);
	EXPECT_EQ(kapi_test::held_locks(), 0);
	kapi_mutex_lock(&m);
	kapi_mutex_assert_held(&m);
	kapi_mutex_unlock(&m);
	kapi_mutex_destroy(&m);
}

} // namespace
