/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/base.h - the vocabulary every other kern header builds on.
 *
 * Kernel C++ is compiled with -nostdinc, so <cstdint>, <utility> and
 * <type_traits> do not exist. This header supplies the small subset the
 * driver needs: fixed-width integer aliases, move/forward, a few type
 * traits, min/max, branch hints, copy/move-prohibiting bases, and placement
 * new. Everything is built from compiler builtins so that the same header
 * compiles unchanged in userspace next to GoogleTest.
 */
#ifndef KERN_BASE_H
#define KERN_BASE_H

#include "kapi/log.h"
#include "kapi/types.h"

#ifdef __KERNEL__
#include "kern/enforce.h"

/*
 * Placement new is normally declared by <new>, which is unavailable here.
 * It only returns its argument; construction happens in the new-expression.
 */
inline void *operator new(__SIZE_TYPE__, void *where) noexcept
{
	return where;
}
inline void operator delete(void *, void *) noexcept
{
}
#else
/* Userspace: gtest already pulls in <new>, so use its declaration. */
#include <new>
#endif

namespace kern {

using u8 = __UINT8_TYPE__;
using u16 = __UINT16_TYPE__;
using u32 = __UINT32_TYPE__;
using u64 = __UINT64_TYPE__;
using s8 = __INT8_TYPE__;
using s16 = __INT16_TYPE__;
using s32 = __INT32_TYPE__;
using s64 = __INT64_TYPE__;
using usize = __SIZE_TYPE__;
using isize = __PTRDIFF_TYPE__;
using uptr = __UINTPTR_TYPE__;
using nullptr_t = decltype(nullptr);

static_assert(sizeof(u8) == 1 && sizeof(u16) == 2 && sizeof(u32) == 4 && sizeof(u64) == 8,
	      "fixed-width aliases have the wrong size");
static_assert(sizeof(usize) == sizeof(void *), "usize must be pointer-sized");

/* Largest alignment kmalloc guarantees on x86_64 (ARCH_KMALLOC_MINALIGN). */
inline constexpr usize kHeapAlign = 8;
inline constexpr usize kPageSize = 4096;

/* Type traits: only those the kern headers and the driver actually use. */

template <class T, T V>
struct IntegralConstant {
	static constexpr T value = V;
};
using TrueType = IntegralConstant<bool, true>;
using FalseType = IntegralConstant<bool, false>;

template <class A, class B>
struct IsSame : FalseType {};
template <class A>
struct IsSame<A, A> : TrueType {};
template <class A, class B>
constexpr bool is_same = IsSame<A, B>::value;

template <class T>
struct RemoveReference {
	using Type = T;
};
template <class T>
struct RemoveReference<T &> {
	using Type = T;
};
template <class T>
struct RemoveReference<T &&> {
	using Type = T;
};
template <class T>
using remove_reference = typename RemoveReference<T>::Type;

template <class T>
struct RemoveConst {
	using Type = T;
};
template <class T>
struct RemoveConst<const T> {
	using Type = T;
};
template <class T>
using remove_const = typename RemoveConst<T>::Type;

/* What `auto` would deduce for a by-value parameter, minus arrays/functions. */
template <class T>
using remove_cvref = typename RemoveConst<remove_reference<T>>::Type;

template <class T>
constexpr bool is_lvalue_reference = false;
template <class T>
constexpr bool is_lvalue_reference<T &> = true;

template <class T>
constexpr bool is_reference = false;
template <class T>
constexpr bool is_reference<T &> = true;
template <class T>
constexpr bool is_reference<T &&> = true;

template <bool B, class T = void>
struct EnableIf {};
template <class T>
struct EnableIf<true, T> {
	using Type = T;
};
template <bool B, class T = void>
using enable_if = typename EnableIf<B, T>::Type;

/* Like std::declval: only for unevaluated operands. */
template <class T>
T &&declval() noexcept;

/* True if a From converts to a To implicitly (explicit constructors do not count). */
template <class From, class To>
struct IsConvertible {
private:
	template <class T>
	static void accept(T) noexcept;
	template <class F, class T, class = decltype(accept<T>(declval<F>()))>
	static TrueType test(int);
	template <class, class>
	static FalseType test(...);

public:
	static constexpr bool value = decltype(test<From, To>(0))::value;
};
template <class From, class To>
constexpr bool is_convertible = IsConvertible<From, To>::value;

template <class T>
constexpr remove_reference<T> &&move(T &&value) noexcept
{
	return static_cast<remove_reference<T> &&>(value);
}

template <class T>
constexpr T &&forward(remove_reference<T> &value) noexcept
{
	return static_cast<T &&>(value);
}

template <class T>
constexpr T &&forward(remove_reference<T> &&value) noexcept
{
	static_assert(!is_lvalue_reference<T>, "forwarding an rvalue as an lvalue");
	return static_cast<T &&>(value);
}

template <class T>
constexpr void swap(T &a, T &b) noexcept
{
	T tmp = kern::move(a);
	a = kern::move(b);
	b = kern::move(tmp);
}

/* Replaces `value` with `replacement` and returns the old value. */
template <class T, class U = T>
constexpr T exchange(T &value, U &&replacement) noexcept
{
	T old = kern::move(value);
	value = kern::forward<U>(replacement);
	return old;
}

template <class T>
constexpr const T &min(const T &a, const T &b) noexcept
{
	return b < a ? b : a;
}

template <class T>
constexpr const T &max(const T &a, const T &b) noexcept
{
	return a < b ? b : a;
}

/* Element count of a true array; a pointer argument does not compile. */
template <class T, usize N>
constexpr usize array_size(const T (&)[N]) noexcept
{
	return N;
}

/*
 * KERN_SCRATCH: a local array the code fills before anything reads it,
 * on a per-packet path. Exempts it from -ftrivial-auto-var-init=zero
 * (Debian's kernels build with CONFIG_INIT_STACK_ALL_ZERO, and modules
 * inherit the flag), which would zero it on every call.
 */
#if defined(__has_cpp_attribute)
#if __has_cpp_attribute(gnu::uninitialized)
#define KERN_SCRATCH [[gnu::uninitialized]]
#elif __has_cpp_attribute(clang::uninitialized)
#define KERN_SCRATCH [[clang::uninitialized]]
#endif
#endif
#ifndef KERN_SCRATCH
#define KERN_SCRATCH
#endif

/*
 * Branch hints. Functions rather than the kernel's macros so they live in
 * the namespace; __builtin_expect survives inlining of a trivial wrapper.
 */
constexpr bool likely(bool cond) noexcept
{
	return __builtin_expect(cond, true);
}

constexpr bool unlikely(bool cond) noexcept
{
	return __builtin_expect(cond, false);
}

/*
 * Base for types that own a resource. Copying is forbidden, and no move is
 * generated either: a defaulted move would duplicate the handle and release
 * it twice. A derived type that can be moved writes its move operations by
 * hand, which is where the moved-from object gets disarmed (see UniquePtr).
 */
class NonCopyable {
protected:
	constexpr NonCopyable() noexcept = default;
	~NonCopyable() = default;

public:
	NonCopyable(const NonCopyable &) = delete;
	NonCopyable &operator=(const NonCopyable &) = delete;
};

/*
 * An owning handle to a kapi object freed by Free (which may not take
 * NULL): move-only, freed on destruction or reset(). A kern type derives
 * from it and adds its create() and the calls on the object.
 */
template <class H, void (*Free)(H *)>
class OwnedHandle : NonCopyable {
public:
	OwnedHandle() = default;
	OwnedHandle(OwnedHandle &&o) noexcept : m_h(exchange(o.m_h, nullptr)) {}
	OwnedHandle &operator=(OwnedHandle &&o) noexcept
	{
		if (this != &o) {
			reset();
			m_h = exchange(o.m_h, nullptr);
		}
		return *this;
	}
	~OwnedHandle() { reset(); }

	void reset()
	{
		if (H *h = exchange(m_h, nullptr))
			Free(h);
	}
	explicit operator bool() const { return m_h != nullptr; }
	H *raw() const { return m_h; }

protected:
	H *m_h = nullptr;
};

/*
 * Base for types whose address is part of their identity (locks, list
 * nodes, guards): neither copying nor moving is allowed.
 */
class NonMovable {
protected:
	constexpr NonMovable() noexcept = default;
	~NonMovable() = default;

public:
	NonMovable(const NonMovable &) = delete;
	NonMovable &operator=(const NonMovable &) = delete;
	NonMovable(NonMovable &&) = delete;
	NonMovable &operator=(NonMovable &&) = delete;
};

} /* namespace kern */

/*
 * Reports a broken invariant at the expansion site. The caller must then
 * take a safe path: kapi_warn never stops execution.
 */
#define KERN_WARN(msg) kapi_warn(__FILE__, __LINE__, (msg))

#endif /* KERN_BASE_H */
