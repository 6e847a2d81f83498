/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/memory.h - owning pointers, fallible allocation and scope guards.
 *
 * Kernel allocation can fail and depends on the calling context, so every
 * allocation here takes an explicit Gfp and reports failure as a null
 * pointer or an ENOMEM Result; nothing throws and nothing uses the global
 * operator new. Objects are constructed in zeroed memory with placement new
 * and destroyed by their owner (~T, then the matching kapi free). Defer
 * undoes partial work on early return, replacing goto-based unwinding.
 */
#ifndef KERN_MEMORY_H
#define KERN_MEMORY_H

#include "kapi/mem.h"
#include "kern/atomic.h"
#include "kern/base.h"
#include "kern/result.h"
#include "kern/span.h"

namespace kern {

/* Allocation context; choose by where the caller runs, not by size. */
enum class Gfp {
	Kernel, /* Process context; may sleep. */
	Atomic, /* Atomic context (NAPI, xmit, IRQ); may dip into reserves. */
	NoWait, /* Atomic context; fails fast without reserves. */
};

constexpr kapi_gfp to_kapi(Gfp gfp) noexcept
{
	switch (gfp) {
	case Gfp::Kernel:
		return KAPI_GFP_KERNEL;
	case Gfp::Atomic:
		return KAPI_GFP_ATOMIC;
	case Gfp::NoWait:
		return KAPI_GFP_NOWAIT;
	}
	return KAPI_GFP_ATOMIC; /* Unreachable; the non-sleeping choice is the safe one. */
}

/*
 * Allocation-failure injection, for tests (ib_ipoib's fail_nth module
 * parameter; Debian's kernels have no CONFIG_FAULT_INJECTION). Armed with
 * n > 0, the nth allocation made through make() or make_array() from
 * then on fails, once, whatever the context: like Linux's per-task
 * fail-nth, but counted over the whole driver, so every unwind path can be
 * walked by arming 1, 2, 3, ... around one operation. Disarmed (the
 * default) it costs one relaxed load per allocation.
 */
inline Atomic<s32> g_alloc_fail_nth;

/* Arms (n > 0) or disarms (0) the injection. */
inline void alloc_fail_nth_set(s32 n) noexcept
{
	g_alloc_fail_nth.store(n > 0 ? n : 0);
}

/* Allocations still to go before the injected failure; 0: it happened, or none is armed. */
inline s32 alloc_fail_nth_get() noexcept
{
	const s32 n = g_alloc_fail_nth.load();
	return n > 0 ? n : 0;
}

/* Counts one allocation against an armed injection; true for the one that is to fail. */
inline bool alloc_should_fail() noexcept
{
	if (likely(g_alloc_fail_nth.load() <= 0))
		return false;
	return g_alloc_fail_nth.fetch_add(-1) == 1;
}

/*
 * Sole owner of a T allocated by make() / try_make().
 *
 * Destruction runs ~T and then kapi_kfree, so a UniquePtr must only ever
 * own memory that came from kapi_kmalloc/kzalloc (adopting anything else is
 * a bug). A UniquePtr<Derived> converts to UniquePtr<Base> only when Base
 * has a virtual destructor, so that ~T destroys the whole object.
 */
template <class T>
class UniquePtr : NonCopyable {
public:
	constexpr UniquePtr() noexcept : m_ptr(nullptr) {}
	constexpr UniquePtr(nullptr_t) noexcept : m_ptr(nullptr) {}
	/* Takes ownership of a kmalloc'ed, fully constructed object. */
	explicit UniquePtr(T *ptr) noexcept : m_ptr(ptr) {}

	UniquePtr(UniquePtr &&other) noexcept : m_ptr(other.release()) {}

	template <class U, class = enable_if<__is_base_of(T, U) && !is_same<T, U>>>
	UniquePtr(UniquePtr<U> &&other) noexcept : m_ptr(other.release())
	{
		static_assert(__has_virtual_destructor(T), "converting UniquePtr to a base without a virtual destructor");
	}

	UniquePtr &operator=(UniquePtr &&other) noexcept
	{
		reset(other.release());
		return *this;
	}

	UniquePtr &operator=(nullptr_t) noexcept
	{
		reset();
		return *this;
	}

	~UniquePtr() { reset(); }

	T *get() const noexcept { return m_ptr; }
	T *operator->() const noexcept { return m_ptr; }
	T &operator*() const noexcept { return *m_ptr; }
	explicit operator bool() const noexcept { return m_ptr != nullptr; }

	/* Gives up ownership without destroying; the caller must free the object. */
	[[nodiscard]] T *release() noexcept { return kern::exchange(m_ptr, nullptr); }

	/* Destroys the owned object (if any) and takes ownership of `ptr`. */
	void reset(T *ptr = nullptr) noexcept
	{
		T *old = kern::exchange(m_ptr, ptr);
		if (old)
			destroy(old);
	}

private:
	static void destroy(T *ptr) noexcept
	{
		ptr->~T();
		kapi_kfree(ptr);
	}

	T *m_ptr;
};

template <class T, class U>
bool operator==(const UniquePtr<T> &a, const UniquePtr<U> &b) noexcept
{
	return a.get() == b.get();
}
template <class T>
bool operator==(const UniquePtr<T> &a, nullptr_t) noexcept
{
	return !a;
}
template <class T>
bool operator!=(const UniquePtr<T> &a, nullptr_t) noexcept
{
	return static_cast<bool>(a);
}

/*
 * Allocates zeroed memory for a T and constructs it from `args`.
 * Returns: a null UniquePtr if the allocation fails.
 * The object is built in zeroed memory, so members without an initialiser
 * read as zero even in a type with a user-provided constructor.
 */
template <class T, class... A>
[[nodiscard]] UniquePtr<T> make(Gfp gfp, A &&...args) noexcept
{
	static_assert(alignof(T) <= kHeapAlign, "kmalloc cannot guarantee this alignment");
	if (unlikely(alloc_should_fail()))
		return UniquePtr<T>();
	void *mem = kapi_kzalloc(sizeof(T), to_kapi(gfp));
	if (unlikely(!mem))
		return UniquePtr<T>();
	/* A trivial T is already value-initialised by kzalloc; don't zero it twice. */
	if constexpr (sizeof...(A) == 0 && __is_trivially_constructible(T))
		return UniquePtr<T>(new (mem) T);
	else
		return UniquePtr<T>(new (mem) T(kern::forward<A>(args)...));
}

/* Like make(), but failure is an ENOMEM Result for use with TRY(). */
template <class T, class... A>
Result<UniquePtr<T>> try_make(Gfp gfp, A &&...args) noexcept
{
	UniquePtr<T> ptr = make<T>(gfp, kern::forward<A>(args)...);
	if (unlikely(!ptr))
		return Error(-err::ENOMEM);
	return ptr;
}

/*
 * Sole owner of n value-initialised T's allocated by make_array().
 *
 * Large process-context tables come from kvzalloc (vmalloc fallback) and
 * everything else from kzalloc; the array records which, because memory
 * from one must be returned to the matching free. Elements are destroyed
 * in reverse order of construction.
 */
template <class T>
class UniqueArray : NonCopyable {
public:
	constexpr UniqueArray() noexcept : m_data(nullptr), m_size(0), m_vmalloc(false) {}
	constexpr UniqueArray(nullptr_t) noexcept : UniqueArray() {}

	UniqueArray(UniqueArray &&other) noexcept
		: m_data(kern::exchange(other.m_data, nullptr)), m_size(kern::exchange(other.m_size, usize(0))),
		  m_vmalloc(other.m_vmalloc)
	{
	}

	UniqueArray &operator=(UniqueArray &&other) noexcept
	{
		if (this != &other) {
			reset();
			m_data = kern::exchange(other.m_data, nullptr);
			m_size = kern::exchange(other.m_size, usize(0));
			m_vmalloc = other.m_vmalloc;
		}
		return *this;
	}

	~UniqueArray() { reset(); }

	usize size() const noexcept { return m_size; }
	bool empty() const noexcept { return m_size == 0; }
	T *data() const noexcept { return m_data; }
	explicit operator bool() const noexcept { return m_data != nullptr; }

	/* Checked access: nullptr when `i` is out of range. */
	T *at(usize i) const noexcept { return i < m_size ? m_data + i : nullptr; }
	/* Unchecked access for loops already bounded by size(). */
	T &operator[](usize i) const noexcept { return m_data[i]; }

	T *begin() const noexcept { return m_data; }
	T *end() const noexcept { return m_data + m_size; }

	Span<T> span() const noexcept { return Span<T>(m_data, m_size); }

	/* True if the memory came from kvzalloc rather than kzalloc. */
	bool is_vmalloc() const noexcept { return m_vmalloc; }

	void reset() noexcept
	{
		if (!m_data)
			return;
		for (usize i = m_size; i > 0; i--)
			m_data[i - 1].~T();
		if (m_vmalloc)
			kapi_kvfree(m_data);
		else
			kapi_kfree(m_data);
		m_data = nullptr;
		m_size = 0;
		m_vmalloc = false;
	}

private:
	template <class U>
	friend UniqueArray<U> make_array(Gfp gfp, usize n) noexcept;

	UniqueArray(T *data, usize size, bool vmalloc) noexcept : m_data(data), m_size(size), m_vmalloc(vmalloc) {}

	T *m_data;
	usize m_size;
	bool m_vmalloc;
};

/*
 * Allocates n value-initialised T's in zeroed memory.
 * Returns: a null array if n is 0, if n * sizeof(T) overflows, or if the
 * allocation fails. Gfp::Kernel requests larger than a page use kvzalloc,
 * which can fall back to vmalloc; atomic requests always use kzalloc.
 */
template <class T>
[[nodiscard]] UniqueArray<T> make_array(Gfp gfp, usize n) noexcept
{
	static_assert(alignof(T) <= kHeapAlign, "kmalloc cannot guarantee this alignment");
	usize bytes;
	if (unlikely(n == 0 || __builtin_mul_overflow(n, sizeof(T), &bytes)))
		return UniqueArray<T>();

	if (unlikely(alloc_should_fail()))
		return UniqueArray<T>();
	const bool vmalloc = gfp == Gfp::Kernel && bytes > kPageSize;
	void *mem = vmalloc ? kapi_kvzalloc(bytes) : kapi_kzalloc(bytes, to_kapi(gfp));
	if (unlikely(!mem))
		return UniqueArray<T>();

	T *data = static_cast<T *>(mem);
	/* For a trivial T the zeroed memory already is n value-initialised T's. */
	if constexpr (!__is_trivially_constructible(T)) {
		for (usize i = 0; i < n; i++)
			new (data + i) T();
	}
	return UniqueArray<T>(data, n, vmalloc);
}

/* Like make_array(), but reports -EINVAL for a bad size and -ENOMEM for OOM. */
template <class T>
Result<UniqueArray<T>> try_make_array(Gfp gfp, usize n) noexcept
{
	usize bytes;
	if (unlikely(n == 0 || __builtin_mul_overflow(n, sizeof(T), &bytes)))
		return Error(-err::EINVAL);
	UniqueArray<T> array = make_array<T>(gfp, n);
	if (unlikely(!array))
		return Error(-err::ENOMEM);
	return array;
}

/*
 * Runs a callable when the scope ends unless cancel() was called first.
 *
 * Typical use is undoing the earlier steps of a multi-step set-up:
 *     auto undo = defer([&] { teardown_rings(); });
 *     TRY(register_netdev());
 *     undo.cancel();
 * Defer is neither copyable nor movable; defer() relies on C++17
 * guaranteed copy elision to hand it out.
 */
template <class F>
class [[nodiscard]] Defer : NonMovable {
public:
	[[nodiscard]] explicit Defer(F &&fn) noexcept : m_fn(kern::move(fn)), m_armed(true) {}
	[[nodiscard]] explicit Defer(const F &fn) noexcept : m_fn(fn), m_armed(true) {}

	~Defer()
	{
		if (m_armed)
			m_fn();
	}

	/* Disarms the guard: the success path keeps what was set up. */
	void cancel() noexcept { m_armed = false; }

private:
	F m_fn;
	bool m_armed;
};

template <class F>
Defer<remove_cvref<F>> defer(F &&fn) noexcept
{
	return Defer<remove_cvref<F>>(kern::forward<F>(fn));
}

} /* namespace kern */

#endif /* KERN_MEMORY_H */
