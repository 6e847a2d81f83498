/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/buf_writer.h - a bounded text writer for %s/%d/%x-style output (pure).
 *
 * Kernel C++ has no snprintf (no libc, and the glue's printk-format
 * functions are not for building strings), yet debugfs and sysfs want
 * exact printf-style fields. BufWriter provides the few conversions they
 * use, with printf's padding rules:
 *   put_str(s, width)        %<width>s   right-aligned, space-padded
 *   put_dec(v, width)        %<width>d / %<width>ld (signed)
 *   put_udec(v, width)       %<width>u
 *   put_hex(v, width, zero)  %<width>x, or %0<width>x with zero = true
 *
 * It writes into a caller-owned buffer and never past it. The text is
 * always NUL-terminated (the last byte is reserved for that). On overflow
 * the output is truncated and overflowed() turns true, so a seq_file
 * caller can return "retry with a bigger buffer" as seq_printf does.
 */
#ifndef IPOIB_BUF_WRITER_H
#define IPOIB_BUF_WRITER_H

#include "kern/base.h"

namespace ipoib {

class BufWriter {
public:
	/* `cap` includes the terminating NUL; a null buffer or cap 0 writes nothing. */
	BufWriter(char *buf, kern::usize cap) noexcept : m_buf(cap ? buf : nullptr), m_cap(buf ? cap : 0), m_len(0),
							      m_overflow(false)
	{
		if (m_cap)
			m_buf[0] = '\0';
	}

	template <kern::usize N>
	explicit BufWriter(char (&buf)[N]) noexcept : BufWriter(buf, N)
	{
	}

	/* Characters written, excluding the NUL. */
	kern::usize size() const noexcept { return m_len; }
	const char *c_str() const noexcept { return m_cap ? m_buf : ""; }
	/* True once anything did not fit. */
	bool overflowed() const noexcept { return m_overflow; }

	void put_char(char c) noexcept
	{
		if (m_len + 1 < m_cap) {
			m_buf[m_len++] = c;
			m_buf[m_len] = '\0';
		} else {
			m_overflow = true;
		}
	}

	/* %<width>s: right-aligned in `width` columns, never truncated to width. A null string prints "(null)". */
	void put_str(const char *s, kern::usize width = 0) noexcept
	{
		if (!s)
			s = "(null)";
		kern::usize n = 0;
		while (s[n])
			n++;
		pad(width, n, ' ');
		for (kern::usize i = 0; i < n; i++)
			put_char(s[i]);
	}

	/* %<width>d for any signed value up to 64 bits. */
	void put_dec(kern::s64 v, kern::usize width = 0) noexcept
	{
		const bool neg = v < 0;
		/* Negate in unsigned arithmetic so that INT64_MIN is not UB. */
		const kern::u64 mag = neg ? 0 - static_cast<kern::u64>(v) : static_cast<kern::u64>(v);
		put_number(mag, 10, neg, width, false);
	}

	/* %<width>u. */
	void put_udec(kern::u64 v, kern::usize width = 0) noexcept { put_number(v, 10, false, width, false); }

	/* %<width>x (lower case); zero_pad gives %0<width>x. */
	void put_hex(kern::u64 v, kern::usize width = 0, bool zero_pad = false) noexcept
	{
		put_number(v, 16, false, width, zero_pad);
	}

private:
	void pad(kern::usize width, kern::usize used, char c) noexcept
	{
		for (kern::usize i = used; i < width; i++)
			put_char(c);
	}

	void put_number(kern::u64 v, unsigned base, bool neg, kern::usize width, bool zero_pad) noexcept
	{
		char digits[24]; /* 2^64 has 20 decimal / 16 hex digits */
		kern::usize n = 0;
		do {
			const unsigned d = static_cast<unsigned>(v % base);
			digits[n++] = static_cast<char>(d < 10 ? '0' + d : 'a' + (d - 10));
			v /= base;
		} while (v && n < sizeof(digits));
		const kern::usize used = n + (neg ? 1 : 0);
		if (zero_pad) {
			/* printf puts the sign before the zeros: %05d of -42 is "-0042". */
			if (neg)
				put_char('-');
			pad(width, used, '0');
		} else {
			pad(width, used, ' ');
			if (neg)
				put_char('-');
		}
		while (n)
			put_char(digits[--n]);
	}

	char *m_buf;
	kern::usize m_cap;
	kern::usize m_len;
	bool m_overflow;
};

} /* namespace ipoib */

#endif /* IPOIB_BUF_WRITER_H */
