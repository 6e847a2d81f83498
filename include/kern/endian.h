/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/endian.h - big-endian wire types and byte-buffer accessors.
 *
 * InfiniBand headers, GIDs, QPNs and P_Keys are big-endian on the wire. In
 * C, sparse's __be16/__be32 annotations catch a missing conversion; sparse
 * cannot read C++, so here the type system does it instead: a Be32 field
 * cannot be used as a number without an explicit to_cpu(), and a host
 * integer cannot be stored into it without from_cpu().
 *
 * The Be types have natural size and alignment, so they suit structs that
 * are already aligned (descriptors, kapi structs). For bytes at arbitrary
 * offsets in a packet, use load_beN() and store_beN(), which never
 * perform a misaligned access.
 */
#ifndef KERN_ENDIAN_H
#define KERN_ENDIAN_H

#include "kern/base.h"

namespace kern {

inline constexpr bool kHostLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
inline constexpr bool kHostBigEndian = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
static_assert(kHostLittleEndian || kHostBigEndian, "mixed-endian hosts are not supported");

/* Conversions between host order and big-endian order (each is its own inverse). */
constexpr u16 cpu_to_be16(u16 v) noexcept { return kHostLittleEndian ? __builtin_bswap16(v) : v; }
constexpr u32 cpu_to_be32(u32 v) noexcept { return kHostLittleEndian ? __builtin_bswap32(v) : v; }
constexpr u64 cpu_to_be64(u64 v) noexcept { return kHostLittleEndian ? __builtin_bswap64(v) : v; }
constexpr u16 be16_to_cpu(u16 v) noexcept { return cpu_to_be16(v); }
constexpr u32 be32_to_cpu(u32 v) noexcept { return cpu_to_be32(v); }
constexpr u64 be64_to_cpu(u64 v) noexcept { return cpu_to_be64(v); }

/*
 * A big-endian value of N bits stored in its natural integer type.
 * raw() exposes the stored (wire-order) bits for hashing or for passing to
 * a kapi call that expects a __be value; it is not the numeric value.
 */
template <class U, U (*Swap)(U)>
class BigEndian {
public:
	using HostType = U;

	constexpr BigEndian() noexcept = default;

	static constexpr BigEndian from_cpu(U host) noexcept { return BigEndian(Swap(host)); }
	static constexpr BigEndian from_raw(U wire) noexcept { return BigEndian(wire); }

	constexpr U to_cpu() const noexcept { return Swap(m_raw); }
	constexpr U raw() const noexcept { return m_raw; }

	constexpr bool operator==(BigEndian other) const noexcept { return m_raw == other.m_raw; }
	constexpr bool operator!=(BigEndian other) const noexcept { return m_raw != other.m_raw; }

private:
	constexpr explicit BigEndian(U wire) noexcept : m_raw(wire) {}

	U m_raw = 0;
};

using Be16 = BigEndian<u16, cpu_to_be16>;
using Be32 = BigEndian<u32, cpu_to_be32>;
using Be64 = BigEndian<u64, cpu_to_be64>;

static_assert(sizeof(Be16) == 2 && alignof(Be16) == alignof(u16), "Be16 must match the wire layout");
static_assert(sizeof(Be32) == 4 && alignof(Be32) == alignof(u32), "Be32 must match the wire layout");
static_assert(sizeof(Be64) == 8 && alignof(Be64) == alignof(u64), "Be64 must match the wire layout");
static_assert(__is_trivially_copyable(Be16) && __is_trivially_copyable(Be32) && __is_trivially_copyable(Be64),
	      "wire types must be copyable with memcpy");
static_assert(__is_standard_layout(Be32), "wire types must have C layout");

/*
 * Unaligned big-endian accessors for byte buffers. __builtin_memcpy of a
 * constant size compiles to a single (possibly unaligned) load or store on
 * x86, with no call and no alignment assumption.
 */
inline u16 load_be16(const u8 *p) noexcept
{
	u16 v;
	__builtin_memcpy(&v, p, sizeof(v));
	return be16_to_cpu(v);
}

inline u32 load_be32(const u8 *p) noexcept
{
	u32 v;
	__builtin_memcpy(&v, p, sizeof(v));
	return be32_to_cpu(v);
}

inline u64 load_be64(const u8 *p) noexcept
{
	u64 v;
	__builtin_memcpy(&v, p, sizeof(v));
	return be64_to_cpu(v);
}

inline void store_be16(u8 *p, u16 host) noexcept
{
	const u16 v = cpu_to_be16(host);
	__builtin_memcpy(p, &v, sizeof(v));
}

inline void store_be32(u8 *p, u32 host) noexcept
{
	const u32 v = cpu_to_be32(host);
	__builtin_memcpy(p, &v, sizeof(v));
}

inline void store_be64(u8 *p, u64 host) noexcept
{
	const u64 v = cpu_to_be64(host);
	__builtin_memcpy(p, &v, sizeof(v));
}

} /* namespace kern */

#endif /* KERN_ENDIAN_H */
