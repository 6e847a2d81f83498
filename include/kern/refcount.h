/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/refcount.h - saturating reference counts and shared ownership.
 *
 * RefCount reproduces the kernel's refcount_t: an atomic count that, rather
 * than wrapping, warns and sticks at a saturation value when it is
 * incremented from zero, overflows or underflows. A saturated object leaks
 * instead of being freed while still in use, turning a use-after-free into
 * a warning plus a leak.
 *
 * RefCounted<T> and RefPtr<T> build shared ownership on top of it. Objects
 * start life in a pre-adopt state (as in Fuchsia's fbl), so taking a
 * reference before the first RefPtr exists is reported instead of being
 * silently counted. make_ref() allocates, constructs and adopts in one
 * step, which is the normal way to create a refcounted object.
 */
#ifndef KERN_REFCOUNT_H
#define KERN_REFCOUNT_H

#include "kapi/mem.h"
#include "kern/base.h"
#include "kern/memory.h"
#include "kern/result.h"

namespace kern {

/* An atomic reference count with refcount_t's saturation semantics. */
class RefCount : NonMovable {
public:
	/* REFCOUNT_SATURATED: far from both 0 and the overflow point. */
	static constexpr int kSaturated = -0x40000000;
	static constexpr int kMax = 0x7fffffff;

	constexpr explicit RefCount(int initial = 1) noexcept : m_refs(initial) {}

	/* Incrementing from 0 (the object may already be freed) or past kMax saturates. */
	void inc(const char *file = __builtin_FILE(), int line = __builtin_LINE()) noexcept
	{
		const int old = __atomic_fetch_add(&m_refs, 1, __ATOMIC_RELAXED);
		if (unlikely(old == 0))
			saturate(file, line, "refcount: increment on 0; use-after-free");
		else if (unlikely(old < 0 || old == kMax))
			saturate(file, line, "refcount: saturated; leaking memory");
	}

	/*
	 * Takes a reference only if the count is not 0, for lookups that can
	 * race with the final put. Returns false if the object is dying.
	 */
	[[nodiscard]] bool inc_not_zero(const char *file = __builtin_FILE(), int line = __builtin_LINE()) noexcept
	{
		int old = read();
		do {
			if (old == 0)
				return false;
		} while (!__atomic_compare_exchange_n(&m_refs, &old, wrapping_add(old, 1), true, __ATOMIC_RELAXED,
						      __ATOMIC_RELAXED));
		if (unlikely(old < 0 || old == kMax))
			saturate(file, line, "refcount: saturated; leaking memory");
		return true;
	}

	/*
	 * Drops a reference. Returns true exactly once, for the caller that
	 * dropped the last reference and must now free the object. The
	 * release/acquire pair orders every earlier access to the object
	 * before that free.
	 */
	[[nodiscard]] bool dec_and_test(const char *file = __builtin_FILE(), int line = __builtin_LINE()) noexcept
	{
		const int old = __atomic_fetch_sub(&m_refs, 1, __ATOMIC_RELEASE);
		if (old == 1) {
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			return true;
		}
		if (unlikely(old <= 0))
			saturate(file, line, "refcount: underflow; use-after-free");
		return false;
	}

	/* A snapshot, only meaningful for diagnostics and tests. */
	int read() const noexcept { return __atomic_load_n(&m_refs, __ATOMIC_RELAXED); }

private:
	template <class T>
	friend class RefCounted;

	static int wrapping_add(int value, int delta) noexcept
	{
		return static_cast<int>(static_cast<unsigned int>(value) + static_cast<unsigned int>(delta));
	}

	void saturate(const char *file, int line, const char *msg) noexcept
	{
		__atomic_store_n(&m_refs, kSaturated, __ATOMIC_RELAXED);
		kapi_warn(file, line, msg);
	}

	int m_refs;
};

template <class T>
class RefPtr;
template <class T>
RefPtr<T> adopt_ref(T *ptr) noexcept;

/*
 * CRTP base for objects shared through RefPtr<T>: class Neigh : public
 * RefCounted<Neigh>.
 *
 * When the last reference goes, release() calls `destroy_self()` if T has
 * one (for objects that must be freed through RCU or returned to a pool;
 * if it is private, T must befriend RefCounted<T>), and otherwise runs ~T
 * and kapi_kfree, which is only correct for objects made by make_ref().
 * A class deriving from T must then have T's destructor virtual.
 */
template <class T>
class RefCounted : NonMovable {
public:
	/* The type whose destruction release() performs. */
	using RefCountedType = T;

	/* 0xA0000000: negative, so any raw count update on it also saturates. */
	static constexpr int kPreAdoptSentinel = -0x60000000;

	/* Takes an extra reference. Before adopt_ref() this is a bug and is ignored. */
	void add_ref(const char *file = __builtin_FILE(), int line = __builtin_LINE()) const noexcept
	{
		if (unlikely(m_refs.read() == kPreAdoptSentinel)) {
			kapi_warn(file, line, "RefCounted: add_ref() before adopt_ref()");
			return;
		}
		m_refs.inc(file, line);
	}

	/* Drops a reference and destroys the object if it was the last one. */
	void release(const char *file = __builtin_FILE(), int line = __builtin_LINE()) const noexcept
	{
		if (unlikely(m_refs.read() == kPreAdoptSentinel)) {
			kapi_warn(file, line, "RefCounted: release() before adopt_ref()");
			return;
		}
		if (m_refs.dec_and_test(file, line))
			destroy(static_cast<T *>(const_cast<RefCounted *>(this)));
	}

	/* A snapshot of the count, for diagnostics and tests. */
	int ref_count() const noexcept { return m_refs.read(); }

protected:
	constexpr RefCounted() noexcept : m_refs(kPreAdoptSentinel) {}
	~RefCounted() = default;

private:
	template <class U>
	friend RefPtr<U> adopt_ref(U *ptr) noexcept;

	/* Member templates so that a friendship granted by T also covers the probe. */
	template <class U>
	static auto has_destroy_self(int) -> decltype(declval<U &>().destroy_self(), TrueType());
	template <class U>
	static FalseType has_destroy_self(...);

	static void destroy(T *self) noexcept
	{
		if constexpr (decltype(has_destroy_self<T>(0))::value) {
			self->destroy_self();
		} else {
			self->~T();
			kapi_kfree(self);
		}
	}

	/* The first reference: moves the count from the sentinel to 1. */
	void adopt(const char *file, int line) const noexcept
	{
		int expected = kPreAdoptSentinel;
		if (unlikely(!__atomic_compare_exchange_n(&m_refs.m_refs, &expected, 1, false, __ATOMIC_RELAXED,
							  __ATOMIC_RELAXED)))
			kapi_warn(file, line, "RefCounted: adopt_ref() of an object that was already adopted");
	}

	mutable RefCount m_refs;
};

/*
 * A counted reference to a RefCounted object. Copying takes a reference,
 * moving transfers it, destruction or reset() drops it.
 */
template <class T>
class RefPtr {
public:
	constexpr RefPtr() noexcept : m_ptr(nullptr) {}
	constexpr RefPtr(nullptr_t) noexcept : m_ptr(nullptr) {}

	/* A new reference to an already adopted object, e.g. one found on a list. */
	explicit RefPtr(T *ptr) noexcept : m_ptr(ptr)
	{
		if (m_ptr)
			m_ptr->add_ref();
	}

	RefPtr(const RefPtr &other) noexcept : RefPtr(other.m_ptr) {}
	RefPtr(RefPtr &&other) noexcept : m_ptr(kern::exchange(other.m_ptr, nullptr)) {}

	template <class U, class = enable_if<__is_base_of(T, U) && !is_same<T, U>>>
	RefPtr(const RefPtr<U> &other) noexcept : RefPtr(static_cast<T *>(other.get()))
	{
		static_assert(__has_virtual_destructor(T), "converting RefPtr to a base without a virtual destructor");
	}

	template <class U, class = enable_if<__is_base_of(T, U) && !is_same<T, U>>>
	RefPtr(RefPtr<U> &&other) noexcept : m_ptr(other.leak_ref())
	{
		static_assert(__has_virtual_destructor(T), "converting RefPtr to a base without a virtual destructor");
	}

	~RefPtr() { reset(); }

	RefPtr &operator=(const RefPtr &other) noexcept
	{
		RefPtr copy(other);
		kern::swap(m_ptr, copy.m_ptr);
		return *this;
	}

	RefPtr &operator=(RefPtr &&other) noexcept
	{
		RefPtr moved(kern::move(other));
		kern::swap(m_ptr, moved.m_ptr);
		return *this;
	}

	RefPtr &operator=(nullptr_t) noexcept
	{
		reset();
		return *this;
	}

	T *get() const noexcept { return m_ptr; }
	T *operator->() const noexcept { return m_ptr; }
	T &operator*() const noexcept { return *m_ptr; }
	explicit operator bool() const noexcept { return m_ptr != nullptr; }

	void reset() noexcept
	{
		T *old = kern::exchange(m_ptr, nullptr);
		if (old)
			old->release();
	}

	/*
	 * Gives up this reference without dropping it, e.g. to park it in a
	 * C-side private pointer. Pair with from_leaked_ref().
	 */
	[[nodiscard]] T *leak_ref() noexcept { return kern::exchange(m_ptr, nullptr); }

	/* Takes back a reference previously given up with leak_ref(). */
	static RefPtr from_leaked_ref(T *ptr) noexcept { return RefPtr(ptr, AdoptTag()); }

private:
	struct AdoptTag {};

	template <class U>
	friend RefPtr<U> adopt_ref(U *ptr) noexcept;

	RefPtr(T *ptr, AdoptTag) noexcept : m_ptr(ptr) {}

	T *m_ptr;
};

template <class T, class U>
bool operator==(const RefPtr<T> &a, const RefPtr<U> &b) noexcept
{
	return a.get() == b.get();
}
template <class T, class U>
bool operator!=(const RefPtr<T> &a, const RefPtr<U> &b) noexcept
{
	return a.get() != b.get();
}
template <class T>
bool operator==(const RefPtr<T> &a, nullptr_t) noexcept
{
	return !a;
}
template <class T>
bool operator!=(const RefPtr<T> &a, nullptr_t) noexcept
{
	return static_cast<bool>(a);
}

/*
 * Turns a freshly constructed object (count at the pre-adopt sentinel) into
 * its first RefPtr. Adopting twice is reported and the count is left alone.
 */
template <class T>
[[nodiscard]] RefPtr<T> adopt_ref(T *ptr) noexcept
{
	if (!ptr)
		return RefPtr<T>();
	ptr->adopt(__FILE__, __LINE__);
	return RefPtr<T>(ptr, typename RefPtr<T>::AdoptTag());
}

/* Allocates, constructs and adopts a T. Returns: a null RefPtr on failure. */
template <class T, class... A>
[[nodiscard]] RefPtr<T> make_ref(Gfp gfp, A &&...args) noexcept
{
	using Root = typename T::RefCountedType;
	static_assert(is_same<Root, T> || __has_virtual_destructor(Root),
		      "release() destroys through the RefCounted<> type, which then needs a virtual destructor");
	static_assert(alignof(T) <= kHeapAlign, "kmalloc cannot guarantee this alignment");
	void *mem = kapi_kzalloc(sizeof(T), to_kapi(gfp));
	if (unlikely(!mem))
		return RefPtr<T>();
	return adopt_ref(new (mem) T(kern::forward<A>(args)...));
}

/* Like make_ref(), but failure is an ENOMEM Result for use with TRY(). */
template <class T, class... A>
Result<RefPtr<T>> try_make_ref(Gfp gfp, A &&...args) noexcept
{
	RefPtr<T> ref = make_ref<T>(gfp, kern::forward<A>(args)...);
	if (unlikely(!ref))
		return Error(-err::ENOMEM);
	return ref;
}

} /* namespace kern */

#endif /* KERN_REFCOUNT_H */
