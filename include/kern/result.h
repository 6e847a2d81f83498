/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/result.h - errors as values: Error, Result<T>, Status and TRY().
 *
 * The kernel reports failure with negative errno values. In C++ we keep that
 * representation but make it hard to ignore: Error can only hold a valid
 * negative errno, Result<T> carries either a T or an Error, and both are
 * [[nodiscard]]. TRY() propagates an error to the caller in one line, which
 * replaces the usual `if (rc) goto out;` ladder. Misuse (reading the value
 * of a failed Result, building an Error from 0) is reported through
 * kapi_warn at the caller's line and then degrades to a safe value, because
 * kernel code must not crash on a bug it can survive.
 */
#ifndef KERN_RESULT_H
#define KERN_RESULT_H

#include "kern/base.h"

/*
 * Userspace only: <errno.h> (pulled in by gtest and the C++ library) defines
 * the E* names below as macros, which would turn `err::EINVAL` into
 * `err::22`. Tests include system headers first and kern headers second, so
 * dropping the macros here keeps the driver's spelling valid in both modes.
 * Kernel C++ never sees <errno.h>.
 */
#ifndef __KERNEL__
#undef EPERM
#undef ENOENT
#undef EIO
#undef ENXIO
#undef E2BIG
#undef EAGAIN
#undef ENOMEM
#undef EFAULT
#undef EBUSY
#undef EEXIST
#undef ENODEV
#undef EINVAL
#undef ENOSPC
#undef ERANGE
#undef ENODATA
#undef ETIME
#undef ENOLINK
#undef EPROTO
#undef EOVERFLOW
#undef ENOTUNIQ
#undef EOPNOTSUPP
#undef ENETDOWN
#undef ENETUNREACH
#undef ENETRESET
#undef ECONNRESET
#undef ENOBUFS
#undef ETIMEDOUT
#undef EHOSTUNREACH
#undef ECANCELED
#endif

namespace kern {

/* Positive errno numbers as on Linux x86_64; use them negated: -err::EIO. */
namespace err {
inline constexpr int EPERM = 1;
inline constexpr int ENOENT = 2;
inline constexpr int EIO = 5;
inline constexpr int ENXIO = 6;
inline constexpr int E2BIG = 7;
inline constexpr int EAGAIN = 11;
inline constexpr int ENOMEM = 12;
inline constexpr int EFAULT = 14;
inline constexpr int EBUSY = 16;
inline constexpr int EEXIST = 17;
inline constexpr int ENODEV = 19;
inline constexpr int EINVAL = 22;
inline constexpr int ENOSPC = 28;
inline constexpr int ERANGE = 34;
inline constexpr int ENODATA = 61;
inline constexpr int ETIME = 62;
inline constexpr int ENOLINK = 67;
inline constexpr int EPROTO = 71;
inline constexpr int EOVERFLOW = 75;
inline constexpr int ENOTUNIQ = 76;
inline constexpr int EOPNOTSUPP = 95;
inline constexpr int ENETDOWN = 100;
inline constexpr int ENETUNREACH = 101;
inline constexpr int ENETRESET = 102;
inline constexpr int ECONNRESET = 104;
inline constexpr int ENOBUFS = 105;
inline constexpr int ETIMEDOUT = 110;
inline constexpr int EHOSTUNREACH = 113;
inline constexpr int ECANCELED = 125;

/* Largest errno the kernel encodes in a pointer (MAX_ERRNO). */
inline constexpr int MAX_ERRNO = 4095;
} /* namespace err */

/*
 * A kernel error code.
 *
 * Invariant: -err::MAX_ERRNO <= code() < 0. A 0 or positive code is a bug in
 * the caller (usually a kapi return value that was not checked for sign); it
 * is reported and replaced by -EINVAL so that the error path still runs.
 */
class [[nodiscard]] Error {
public:
	constexpr explicit Error(int code, const char *file = __builtin_FILE(),
				 int line = __builtin_LINE()) noexcept
		: m_code(code)
	{
		if (unlikely(code < -err::MAX_ERRNO || code >= 0)) {
			kapi_warn(file, line, "kern::Error built from a value that is not a negative errno");
			m_code = -err::EINVAL;
		}
	}

	constexpr int code() const noexcept { return m_code; }

	constexpr bool operator==(const Error &other) const noexcept { return m_code == other.m_code; }
	constexpr bool operator!=(const Error &other) const noexcept { return m_code != other.m_code; }

private:
	int m_code;
};

/*
 * Either a T or an Error.
 *
 * T must be default-constructible: a Result always holds a T, value-initialised
 * on the error path. That keeps every special member trivially correct (they
 * are all defaulted, so move-only T such as UniquePtr makes Result move-only)
 * and gives value() something harmless to return after it has warned about
 * being called on an error.
 */
template <class T>
class [[nodiscard]] Result {
	static_assert(!is_reference<T>, "Result cannot hold a reference; return a pointer instead");
	static_assert(!is_same<remove_cvref<T>, Error>, "Result<Error> is meaningless; use Error");
	static_assert(__is_constructible(T), "Result<T> needs a default-constructible T");

public:
	using ValueType = T;

	Result(const T &value) : m_value(value), m_code(0) {}
	Result(T &&value) : m_value(kern::move(value)), m_code(0) {}

	/*
	 * Converting construction, e.g. `return nullptr;` into a
	 * Result<UniquePtr<X>> or a UniquePtr<Derived> into Result<UniquePtr<Base>>.
	 * Only implicit conversions qualify: a raw pointer must not slip into
	 * a Result<UniquePtr<X>> through UniquePtr's explicit constructor.
	 */
	template <class U, class = enable_if<is_convertible<U &&, T> && !is_same<remove_cvref<U>, T> &&
					     !is_same<remove_cvref<U>, Error> && !is_same<remove_cvref<U>, Result>>>
	Result(U &&value) : m_value(kern::forward<U>(value)), m_code(0)
	{
	}

	Result(Error error) : m_value(), m_code(error.code()) {}

	bool is_ok() const noexcept { return m_code == 0; }
	bool is_err() const noexcept { return m_code != 0; }

	/* The error; on a successful Result this is a bug and yields -EINVAL. */
	Error error(const char *file = __builtin_FILE(), int line = __builtin_LINE()) const noexcept
	{
		if (unlikely(is_ok())) {
			kapi_warn(file, line, "error() called on a successful Result");
			return Error(-err::EINVAL);
		}
		return Error(m_code);
	}

	/* The value; on a failed Result this is a bug and yields a value-initialised T. */
	T &value(const char *file = __builtin_FILE(), int line = __builtin_LINE()) noexcept
	{
		warn_if_err(file, line, "value() called on a failed Result");
		return m_value;
	}

	const T &value(const char *file = __builtin_FILE(), int line = __builtin_LINE()) const noexcept
	{
		warn_if_err(file, line, "value() called on a failed Result");
		return m_value;
	}

	/* Moves the value out, leaving a moved-from T behind (how TRY unwraps). */
	T release_value(const char *file = __builtin_FILE(), int line = __builtin_LINE()) noexcept
	{
		warn_if_err(file, line, "release_value() called on a failed Result");
		return kern::move(m_value);
	}

private:
	void warn_if_err(const char *file, int line, const char *msg) const noexcept
	{
		if (unlikely(is_err()))
			kapi_warn(file, line, msg);
	}

	T m_value;
	int m_code; /* 0 on success, otherwise a valid negative errno. */
};

/* Success or an Error, with nothing to carry on success. */
template <>
class [[nodiscard]] Result<void> {
public:
	using ValueType = void;

	constexpr Result() noexcept : m_code(0) {}
	constexpr Result(Error error) noexcept : m_code(error.code()) {}

	bool is_ok() const noexcept { return m_code == 0; }
	bool is_err() const noexcept { return m_code != 0; }

	Error error(const char *file = __builtin_FILE(), int line = __builtin_LINE()) const noexcept
	{
		if (unlikely(is_ok())) {
			kapi_warn(file, line, "error() called on a successful Status");
			return Error(-err::EINVAL);
		}
		return Error(m_code);
	}

	/* Exists so that TRY() treats Status like any other Result. */
	void release_value(const char *file = __builtin_FILE(), int line = __builtin_LINE()) const noexcept
	{
		if (unlikely(is_err()))
			kapi_warn(file, line, "release_value() called on a failed Status");
	}

private:
	int m_code;
};

using Status = Result<void>;

inline Status ok() noexcept
{
	return Status();
}

/*
 * Converts a kapi return code: negative is an error, zero or positive (some
 * kapi calls return a count) is success.
 */
inline Status from_errno(int rc, const char *file = __builtin_FILE(), int line = __builtin_LINE()) noexcept
{
	if (rc < 0)
		return Error(rc, file, line);
	return ok();
}

/* For C callbacks: 0 on success, the negative errno otherwise. */
template <class T>
inline int to_errno(const Result<T> &result) noexcept
{
	return result.is_ok() ? 0 : result.error().code();
}

} /* namespace kern */

/*
 * TRY(expr): evaluate a Result or Status; on error return that error from the
 * enclosing function (which must itself return a Result or Status), otherwise
 * yield the moved-out value (nothing, for Status). A GCC statement expression,
 * as in SerenityOS AK/Try.h. Variadic so that commas in template arguments
 * need no extra parentheses.
 */
#define TRY(...)                                                 \
	({                                                       \
		auto &&kern_try_result_ = (__VA_ARGS__);         \
		if (::kern::unlikely(kern_try_result_.is_err())) \
			return kern_try_result_.error();         \
		kern_try_result_.release_value();                \
	})

#endif /* KERN_RESULT_H */
