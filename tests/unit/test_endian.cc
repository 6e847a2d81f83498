// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// Tests for kern/endian.h: wire types and unaligned big-endian accessors.

#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <type_traits>
#include <vector>

#include "kapi_user.h"
#include "kern/endian.h"

using kern::Be16;
using kern::Be32;
using kern::Be64;
using kern::u16;
using kern::u32;
using kern::u64;
using kern::u8;

namespace {

// Compile-time: conversions are constexpr and the types are wire-exact.
static_assert(Be16::from_cpu(0x1234).to_cpu() == 0x1234);
static_assert(Be32::from_cpu(0x01020304).to_cpu() == 0x01020304);
static_assert(Be64::from_cpu(0x0102030405060708ull).to_cpu() == 0x0102030405060708ull);
static_assert(kern::kHostLittleEndian ? Be16::from_cpu(0x1234).raw() == 0x3412 : true);
static_assert(std::is_trivially_copyable_v<Be32> && std::is_standard_layout_v<Be64>);
static_assert(!std::is_convertible_v<u32, Be32>, "a host integer must not silently become a wire value");
static_assert(!std::is_convertible_v<Be32, u32>, "a wire value must not silently become a number");

template <class T>
std::vector<u8> bytes_of(const T &v)
{
	std::vector<u8> out(sizeof(T));
	std::memcpy(out.data(), &v, sizeof(T));
	return out;
}

TEST(Endian, HostOrderDetectionMatchesMemory)
{
	const u32 probe = 1;
	u8 first;
	std::memcpy(&first, &probe, 1);
	EXPECT_EQ(kern::kHostLittleEndian, first == 1);
	EXPECT_NE(kern::kHostLittleEndian, kern::kHostBigEndian);
}

TEST(Endian, WireTypesStoreBigEndianBytes)
{
	EXPECT_EQ(bytes_of(Be16::from_cpu(0xabcd)), (std::vector<u8>{0xab, 0xcd}));
	EXPECT_EQ(bytes_of(Be32::from_cpu(0x01020304)), (std::vector<u8>{1, 2, 3, 4}));
	EXPECT_EQ(bytes_of(Be64::from_cpu(0x1122334455667788ull)),
		  (std::vector<u8>{0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88}));
}

TEST(Endian, RoundTripsAndRawAccess)
{
	for (u32 v : {0u, 1u, 0x80000000u, 0xffffffffu, 0x00ffff00u, 0xdeadbeefu}) {
		Be32 b = Be32::from_cpu(v);
		EXPECT_EQ(b.to_cpu(), v);
		EXPECT_EQ(Be32::from_raw(b.raw()), b);
	}
	// The IPoIB QPN field is 24 bits inside a big-endian 32-bit word.
	Be32 qpn = Be32::from_cpu(0x00ffffff);
	EXPECT_EQ(bytes_of(qpn), (std::vector<u8>{0x00, 0xff, 0xff, 0xff}));
	EXPECT_EQ(Be16().to_cpu(), 0); // Default is zero, not garbage.
}

TEST(Endian, Equality)
{
	EXPECT_EQ(Be16::from_cpu(0xffff), Be16::from_cpu(0xffff));
	EXPECT_NE(Be16::from_cpu(0x7fff), Be16::from_cpu(0xffff));
	EXPECT_TRUE(Be64::from_cpu(5) == Be64::from_cpu(5));
	EXPECT_FALSE(Be64::from_cpu(5) != Be64::from_cpu(5));
}

// A wire header made of Be fields keeps the exact C layout.
struct FakeHeader {
	Be16 proto;
	Be16 reserved;
	Be32 qpn;
	Be64 guid;
};
static_assert(sizeof(FakeHeader) == 16);
static_assert(offsetof(FakeHeader, qpn) == 4);

TEST(Endian, HeaderParsesFromBytes)
{
	const u8 wire[16] = {0x08, 0x00, 0, 0, 0x00, 0x12, 0x34, 0x56, 1, 2, 3, 4, 5, 6, 7, 8};
	FakeHeader h;
	std::memcpy(&h, wire, sizeof(h));
	EXPECT_EQ(h.proto.to_cpu(), 0x0800);
	EXPECT_EQ(h.qpn.to_cpu(), 0x123456u);
	EXPECT_EQ(h.guid.to_cpu(), 0x0102030405060708ull);
}

TEST(Endian, ConversionFunctions)
{
	EXPECT_EQ(kern::be16_to_cpu(kern::cpu_to_be16(0x1234)), 0x1234);
	EXPECT_EQ(kern::be32_to_cpu(kern::cpu_to_be32(0x12345678)), 0x12345678u);
	EXPECT_EQ(kern::be64_to_cpu(kern::cpu_to_be64(0x123456789abcdef0ull)), 0x123456789abcdef0ull);
	if (kern::kHostLittleEndian) {
		EXPECT_EQ(kern::cpu_to_be32(0x12345678), 0x78563412u);
	}
}

// Every offset 0..7, so at least one access of each width is misaligned;
// UBSan's alignment check would fire on a plain pointer cast.
TEST(Endian, UnalignedLoadsAndStoresAtEveryOffset)
{
	for (size_t off = 0; off < 8; off++) {
		alignas(8) u8 buf[32];
		std::memset(buf, 0xee, sizeof(buf));

		kern::store_be16(buf + off, 0xa1b2);
		EXPECT_EQ(buf[off], 0xa1);
		EXPECT_EQ(buf[off + 1], 0xb2);
		EXPECT_EQ(kern::load_be16(buf + off), 0xa1b2);

		kern::store_be32(buf + off + 2, 0xc3d4e5f6);
		EXPECT_EQ(kern::load_be32(buf + off + 2), 0xc3d4e5f6u);
		EXPECT_EQ(buf[off + 2], 0xc3);
		EXPECT_EQ(buf[off + 5], 0xf6);

		kern::store_be64(buf + off + 6, 0x0102030405060708ull);
		EXPECT_EQ(kern::load_be64(buf + off + 6), 0x0102030405060708ull);
		for (size_t i = 0; i < 8; i++)
			EXPECT_EQ(buf[off + 6 + i], i + 1);

		// Bytes around the written area are untouched.
		for (size_t i = 0; i < off; i++)
			EXPECT_EQ(buf[i], 0xee) << "offset " << off;
		for (size_t i = off + 14; i < sizeof(buf); i++)
			EXPECT_EQ(buf[i], 0xee) << "offset " << off;
	}
}

TEST(Endian, LoadsMatchWireTypes)
{
	const u8 raw[9] = {0xff, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04};
	Be32 b;
	std::memcpy(&b, raw + 1, 4);
	EXPECT_EQ(b.to_cpu(), kern::load_be32(raw + 1));
	EXPECT_EQ(kern::load_be32(raw + 1), 0xdeadbeefu);
	EXPECT_EQ(kern::load_be64(raw + 1), 0xdeadbeef01020304ull);
}

} // namespace
