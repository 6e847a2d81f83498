/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/span.h - a bounds-carrying view of contiguous memory.
 *
 * Packet and MAD parsers walk byte buffers whose lengths come from the
 * wire. Passing pointer and length separately invites the classic
 * off-by-header-length overread; a Span keeps them together, and its
 * checked operations (at, subspan, try_subspan, first, last) can only ever
 * produce an in-bounds pointer or an empty/failed result. The unchecked
 * operator[] exists for hot loops whose index is already bounded by size().
 * A Span never owns memory.
 */
#ifndef KERN_SPAN_H
#define KERN_SPAN_H

#include "kern/base.h"
#include "kern/result.h"

namespace kern {

/*
 * Invariant: data() is null only when size() is 0, and [data(), data() +
 * size()) is the whole view. Constructing from a null pointer with a
 * non-zero length is reported and yields an empty span.
 */
template <class T>
class Span {
public:
	using ElementType = T;

	constexpr Span() noexcept : m_data(nullptr), m_size(0) {}

	constexpr Span(T *data, usize size) noexcept : m_data(data), m_size(size)
	{
		if (unlikely(data == nullptr && size != 0)) {
			KERN_WARN("kern::Span built from a null pointer with a non-zero length");
			m_size = 0;
		}
	}

	/* From a true array; also binds `const u8 (&)[N]` to a u8 array. */
	template <usize N>
	constexpr Span(T (&array)[N]) noexcept : m_data(array), m_size(N)
	{
	}

	/* Span<T> converts to Span<const T>, never the other way round. */
	template <class U, class = enable_if<is_same<const U, T> && !is_same<U, T>>>
	constexpr Span(const Span<U> &other) noexcept : m_data(other.data()), m_size(other.size())
	{
	}

	constexpr T *data() const noexcept { return m_data; }
	constexpr usize size() const noexcept { return m_size; }
	constexpr usize size_bytes() const noexcept { return m_size * sizeof(T); }
	constexpr bool empty() const noexcept { return m_size == 0; }

	/* Checked element access: nullptr when `i` is out of range. */
	constexpr T *at(usize i) const noexcept { return i < m_size ? m_data + i : nullptr; }

	/*
	 * Unchecked element access. Only for loops bounded by size() on hot
	 * paths; anything indexed by a wire value must use at().
	 */
	constexpr T &operator[](usize i) const noexcept { return m_data[i]; }

	/* The `len` elements starting at `offset`, or an empty span if that overruns. */
	constexpr Span subspan(usize offset, usize len) const noexcept
	{
		if (!contains_range(offset, len))
			return Span();
		return Span(m_data + offset, len, Unchecked());
	}

	/* Everything from `offset` on; empty if `offset` is past the end. */
	constexpr Span subspan(usize offset) const noexcept
	{
		if (offset > m_size)
			return Span();
		return Span(m_data + offset, m_size - offset, Unchecked());
	}

	/*
	 * Like subspan(offset, len) but distinguishes "out of range" (-EINVAL)
	 * from a legitimately empty result, for parsers that must reject a
	 * truncated packet.
	 */
	Result<Span> try_subspan(usize offset, usize len) const noexcept
	{
		if (!contains_range(offset, len))
			return Error(-err::EINVAL);
		return Span(m_data + offset, len, Unchecked());
	}

	/* The first / last n elements, or an empty span if there are fewer than n. */
	constexpr Span first(usize n) const noexcept { return subspan(0, n); }
	constexpr Span last(usize n) const noexcept { return n > m_size ? Span() : subspan(m_size - n, n); }

	constexpr T *begin() const noexcept { return m_data; }
	constexpr T *end() const noexcept { return m_data + m_size; }

private:
	/* Sub-views of a valid span are valid by construction: skip the null check. */
	struct Unchecked {};
	constexpr Span(T *data, usize size, Unchecked) noexcept : m_data(data), m_size(size) {}

	/* Overflow-safe form of offset + len <= size. */
	constexpr bool contains_range(usize offset, usize len) const noexcept
	{
		return offset <= m_size && len <= m_size - offset;
	}

	T *m_data;
	usize m_size;
};

using ByteSpan = Span<const u8>;
using MutableByteSpan = Span<u8>;

} /* namespace kern */

#endif /* KERN_SPAN_H */
