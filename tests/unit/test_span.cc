// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// Tests for kern/span.h: construction, checked access and sub-views.

#include <gtest/gtest.h>

#include <type_traits>
#include <vector>

#include "kapi_user.h"
#include "kern/span.h"

using kern::ByteSpan;
using kern::MutableByteSpan;
using kern::Span;
using kern::u8;
using kern::usize;

namespace {

constexpr usize kHuge = static_cast<usize>(-1);

static_assert(std::is_convertible_v<Span<u8>, Span<const u8>>);
static_assert(!std::is_constructible_v<Span<u8>, Span<const u8>>, "must not drop const");
static_assert(std::is_trivially_copyable_v<Span<u8>>);

TEST(Span, DefaultIsEmpty)
{
	Span<int> s;
	EXPECT_TRUE(s.empty());
	EXPECT_EQ(s.size(), 0u);
	EXPECT_EQ(s.data(), nullptr);
	EXPECT_EQ(s.at(0), nullptr);
	EXPECT_EQ(s.begin(), s.end());
	EXPECT_TRUE(s.subspan(0, 0).empty());
	EXPECT_TRUE(s.try_subspan(0, 0).is_ok());
}

TEST(Span, FromArrayAndPointer)
{
	int arr[4] = {1, 2, 3, 4};
	Span<int> a(arr);
	EXPECT_EQ(a.size(), 4u);
	EXPECT_EQ(a.size_bytes(), sizeof(arr));
	EXPECT_EQ(a.data(), arr);
	Span<int> p(arr + 1, 2);
	EXPECT_EQ(p[0], 2);
	EXPECT_EQ(p[1], 3);
}

TEST(Span, ConstByteSpanFromMutableBytes)
{
	u8 packet[6] = {0xde, 0xad, 0xbe, 0xef, 0, 1};
	ByteSpan bytes(packet); // const u8 view of a u8 array.
	EXPECT_EQ(bytes.size(), 6u);
	MutableByteSpan mut(packet);
	mut[4] = 9;
	ByteSpan again = mut;
	EXPECT_EQ(again[4], 9);
	EXPECT_EQ(again.data(), bytes.data());
}

TEST(Span, NullWithLengthWarnsAndIsEmpty)
{
	Span<const u8> s(nullptr, 10);
	EXPECT_TRUE(s.empty());
	EXPECT_EQ(s.at(0), nullptr);
	EXPECT_EQ(kapi_test::take_warnings().size(), 1u);
}

TEST(Span, AtIsBoundsChecked)
{
	u8 data[3] = {10, 20, 30};
	ByteSpan s(data);
	ASSERT_NE(s.at(0), nullptr);
	EXPECT_EQ(*s.at(0), 10);
	EXPECT_EQ(*s.at(2), 30);
	EXPECT_EQ(s.at(3), nullptr);
	EXPECT_EQ(s.at(kHuge), nullptr);
}

TEST(Span, SubspanInRange)
{
	int arr[6] = {0, 1, 2, 3, 4, 5};
	Span<int> s(arr);
	Span<int> mid = s.subspan(2, 3);
	EXPECT_EQ(mid.size(), 3u);
	EXPECT_EQ(mid.data(), arr + 2);
	EXPECT_EQ(s.subspan(6, 0).size(), 0u); // Empty view at the end is legal.
	EXPECT_EQ(s.subspan(0, 6).size(), 6u);
	EXPECT_EQ(s.subspan(4).size(), 2u);
	EXPECT_EQ(s.subspan(6).size(), 0u);
}

TEST(Span, SubspanOutOfRangeIsEmpty)
{
	int arr[6] = {};
	Span<int> s(arr);
	EXPECT_TRUE(s.subspan(7, 0).empty());
	EXPECT_TRUE(s.subspan(5, 2).empty());
	EXPECT_TRUE(s.subspan(0, 7).empty());
	EXPECT_TRUE(s.subspan(7).empty());
	// offset + len wraps around: a naive check would accept this.
	EXPECT_TRUE(s.subspan(2, kHuge - 1).empty());
	EXPECT_TRUE(s.subspan(kHuge, 2).empty());
	EXPECT_EQ(s.subspan(kHuge, 2).data(), nullptr);
}

TEST(Span, TrySubspanDistinguishesTruncationFromEmpty)
{
	u8 hdr[4] = {1, 2, 3, 4};
	ByteSpan s(hdr);
	auto empty_ok = s.try_subspan(4, 0);
	ASSERT_TRUE(empty_ok.is_ok());
	EXPECT_TRUE(empty_ok.value().empty());

	auto good = s.try_subspan(1, 2);
	ASSERT_TRUE(good.is_ok());
	EXPECT_EQ(good.value()[0], 2);

	auto truncated = s.try_subspan(2, 3);
	ASSERT_TRUE(truncated.is_err());
	EXPECT_EQ(truncated.error().code(), -kern::err::EINVAL);
	EXPECT_TRUE(s.try_subspan(1, kHuge).is_err());
}

kern::Result<kern::u32> parse_len_prefixed(ByteSpan packet)
{
	// [len][len bytes...]: the length byte comes from the wire.
	const u8 *len = packet.at(0);
	if (!len)
		return kern::Error(-kern::err::EINVAL);
	ByteSpan body = TRY(packet.try_subspan(1, *len));
	kern::u32 sum = 0;
	for (u8 b : body)
		sum += b;
	return sum;
}

TEST(Span, ParserRejectsLyingLengthField)
{
	const u8 good[] = {3, 1, 2, 3};
	const u8 lying[] = {200, 1, 2, 3};
	EXPECT_EQ(parse_len_prefixed(ByteSpan(good)).value(), 6u);
	EXPECT_EQ(parse_len_prefixed(ByteSpan(lying)).error().code(), -kern::err::EINVAL);
	EXPECT_TRUE(parse_len_prefixed(ByteSpan()).is_err());
}

TEST(Span, FirstAndLast)
{
	int arr[5] = {1, 2, 3, 4, 5};
	Span<int> s(arr);
	EXPECT_EQ(s.first(2).data(), arr);
	EXPECT_EQ(s.first(2).size(), 2u);
	EXPECT_EQ(s.last(2).data(), arr + 3);
	EXPECT_EQ(s.last(2).size(), 2u);
	EXPECT_EQ(s.first(5).size(), 5u);
	EXPECT_EQ(s.last(5).data(), arr);
	EXPECT_TRUE(s.first(6).empty());
	EXPECT_TRUE(s.last(6).empty());
	EXPECT_TRUE(s.last(kHuge).empty());
	EXPECT_TRUE(s.first(0).empty());
}

TEST(Span, IterationVisitsEveryElementOnce)
{
	int arr[4] = {5, 6, 7, 8};
	std::vector<int> seen;
	for (int v : Span<int>(arr))
		seen.push_back(v);
	EXPECT_EQ(seen, (std::vector<int>{5, 6, 7, 8}));
	for (int &v : Span<int>(arr))
		v *= 2;
	EXPECT_EQ(arr[3], 16);
}

TEST(Span, UsableInConstantExpressions)
{
	static constexpr int table[3] = {1, 2, 3};
	constexpr Span<const int> s(table);
	static_assert(s.size() == 3);
	static_assert(s.subspan(1, 2).size() == 2);
	static_assert(s.subspan(2, 2).empty());
	static_assert(*s.at(2) == 3);
	SUCCEED();
}

} // namespace
