// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// Tests for kern/base.h: the std replacements behave like their std twins.

#include <gtest/gtest.h>

#include <string>
#include <type_traits>

#include "kapi_user.h"
#include "kern/base.h"

namespace {

static_assert(sizeof(kern::u8) == 1 && sizeof(kern::s16) == 2 && sizeof(kern::s32) == 4 &&
	      sizeof(kern::s64) == 8 && sizeof(kern::usize) == sizeof(void *));
static_assert(std::is_unsigned_v<kern::u32> && std::is_signed_v<kern::s8>);
static_assert(kern::is_same<kern::remove_reference<int &&>, int>);
static_assert(kern::is_same<kern::remove_cvref<const int &>, int>);
static_assert(!kern::is_same<int, long>);
static_assert(kern::is_lvalue_reference<int &> && !kern::is_lvalue_reference<int &&>);
static_assert(kern::is_reference<int &&> && !kern::is_reference<int>);
static_assert(kern::is_same<kern::enable_if<true, int>, int>);
struct ExplicitFromInt {
	explicit ExplicitFromInt(int) {}
};
static_assert(kern::is_convertible<int, long> && kern::is_convertible<int *, const void *>);
static_assert(!kern::is_convertible<int, ExplicitFromInt> && !kern::is_convertible<const void *, int *>);
static_assert(std::is_same_v<decltype(kern::move(std::declval<std::string &>())), std::string &&>);

static_assert(!std::is_copy_constructible_v<kern::NonCopyable>);
struct Handle : kern::NonCopyable {
	int fd = 0;
};
// A NonCopyable type gets no implicit move either: moving must be spelled out.
static_assert(!std::is_copy_constructible_v<Handle> && !std::is_move_constructible_v<Handle>);
struct Movable : kern::NonCopyable {
	Movable() = default;
	Movable(Movable &&other) noexcept : fd(kern::exchange(other.fd, -1)) {}
	int fd = 3;
};
static_assert(std::is_move_constructible_v<Movable> && !std::is_copy_constructible_v<Movable>);
struct Pinned : kern::NonMovable {};
static_assert(!std::is_move_constructible_v<Pinned> && !std::is_copy_assignable_v<Pinned>);

TEST(Base, MoveAndForward)
{
	std::string a = "payload";
	std::string b = kern::move(a);
	EXPECT_EQ(b, "payload");

	auto sink = [](auto &&x) -> bool { return std::is_rvalue_reference_v<decltype(x)>; };
	auto relay = [&](auto &&x) { return sink(kern::forward<decltype(x)>(x)); };
	std::string lvalue;
	EXPECT_FALSE(relay(lvalue));
	EXPECT_TRUE(relay(std::string()));
}

TEST(Base, SwapExchangeMinMax)
{
	int x = 1, y = 2;
	kern::swap(x, y);
	EXPECT_EQ(x, 2);
	EXPECT_EQ(y, 1);
	EXPECT_EQ(kern::exchange(x, 9), 2);
	EXPECT_EQ(x, 9);
	EXPECT_EQ(kern::min(3, 4), 3);
	EXPECT_EQ(kern::max(3, 4), 4);
	EXPECT_EQ(kern::min(-1, -1), -1);
	static_assert(kern::max<kern::u32>(7, 9) == 9);
	Movable m;
	Movable n = kern::move(m);
	EXPECT_EQ(n.fd, 3);
	EXPECT_EQ(m.fd, -1);
}

TEST(Base, ArraySizeAndHints)
{
	const int table[7] = {};
	static_assert(kern::array_size(table) == 7);
	EXPECT_EQ(kern::array_size(table), 7u);
	EXPECT_TRUE(kern::likely(true));
	EXPECT_FALSE(kern::unlikely(false));
}

TEST(Base, PlacementNew)
{
	alignas(std::string) unsigned char storage[sizeof(std::string)];
	auto *s = new (storage) std::string("placed");
	EXPECT_EQ(static_cast<void *>(s), static_cast<void *>(storage));
	EXPECT_EQ(*s, "placed");
	s->~basic_string();
}

TEST(Base, KernWarnNamesItsLine)
{
	KERN_WARN("explicit invariant failure");
	const auto warnings = kapi_test::take_warnings();
	ASSERT_EQ(warnings.size(), 1u);
	EXPECT_NE(warnings[0].find("test_base.cc"), std::string::npos);
	EXPECT_NE(warnings[0].find("explicit invariant failure"), std::string::npos);
}

} // namespace
