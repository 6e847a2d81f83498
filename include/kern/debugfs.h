/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/debugfs.h - owned debugfs directories and read-only text files.
 *
 * A DebugfsFile is bound to a member function of its owner that writes
 * the file's whole text when the file is opened:
 *
 *     void Priv::show_paths(ipoib::BufWriter &w);   // writer form
 *     usize Priv::show_paths(kern::Span<char> buf); // raw form
 *
 *     auto file = kern::DebugfsFile::create<Priv, &Priv::show_paths>(dir, "ib0_path", this);
 *
 * Writer form: any W constructible from (char *, usize) with size() and
 * overflowed(), such as ipoib::BufWriter. If the writer overflowed, the
 * glue calls again with a bigger buffer. Raw form: write into buf and
 * return the text's length; a value >= buf.size() means "too small, call
 * again" (see kapi_debugfs_fill_fn). Either way the function may run
 * several times per open, concurrently with itself, and must write the
 * whole text each time.
 *
 * debugfs may be absent or disabled; create() then fails with an errno
 * and the driver is expected to carry on without the files (a file in a
 * directory that failed to be created fails with -ENODEV). Empty objects
 * (default-constructed, moved-from) may be reset and destroyed; rename()
 * on an empty file returns -ENODEV.
 *
 * Teardown: a DebugfsFile must be reset before the DebugfsDir holding it,
 * and before anything its fill function reads is freed. After reset()
 * (or the destructor) returns, the fill function is never called again,
 * so the owner may then be freed. reset() waits for a fill in progress:
 * do not call it with a lock held that the fill function takes.
 */
#ifndef KERN_DEBUGFS_H
#define KERN_DEBUGFS_H

#include "kapi/debugfs.h"
#include "kern/base.h"
#include "kern/result.h"
#include "kern/span.h"

namespace kern {

/* An owned debugfs directory; removed (recursively) on destruction. */
class DebugfsDir : NonCopyable {
public:
	DebugfsDir() = default;
	DebugfsDir(DebugfsDir &&o) noexcept : m_dir(exchange(o.m_dir, nullptr)) {}
	DebugfsDir &operator=(DebugfsDir &&o) noexcept
	{
		if (this != &o) {
			reset();
			m_dir = exchange(o.m_dir, nullptr);
		}
		return *this;
	}
	/* Context: process; may sleep. */
	~DebugfsDir() { reset(); }

	/*
	 * `name` in the debugfs root. Errors: -ENODEV (no debugfs), -EPERM
	 * (debugfs=off), -EEXIST, -ENOMEM ... Context: process; may sleep.
	 */
	static Result<DebugfsDir> create(const char *name) { return create_in(name, nullptr); }

	/* `name` inside `parent`; -ENODEV if `parent` is empty. Context: process; may sleep. */
	static Result<DebugfsDir> create(const char *name, const DebugfsDir &parent)
	{
		if (!parent)
			return Error(-err::ENODEV);
		return create_in(name, parent.m_dir);
	}

	/*
	 * Removes the directory and anything left in it. Every DebugfsFile
	 * in it must already be reset. Context: process; may sleep.
	 */
	void reset()
	{
		kapi_debugfs_dir_remove(m_dir);
		m_dir = nullptr;
	}

	explicit operator bool() const { return m_dir != nullptr; }
	struct kapi_debugfs_dir *raw() const { return m_dir; }

private:
	static Result<DebugfsDir> create_in(const char *name, struct kapi_debugfs_dir *parent)
	{
		DebugfsDir dir;
		TRY(from_errno(kapi_debugfs_dir_create(name, parent, &dir.m_dir)));
		return dir;
	}

	struct kapi_debugfs_dir *m_dir = nullptr;
};

namespace detail {

/* Which fill signature a member function has; see the top of this file. */
template <class F>
struct DebugfsFill {
	static constexpr bool kValid = false;
};

#define KERN_DEBUGFS_FILL_FORMS(QUALS)                                \
	template <class C, class W>                                   \
	struct DebugfsFill<void (C::*)(W &) QUALS> {                  \
		static constexpr bool kValid = true;                  \
		static constexpr bool kWriter = true;                 \
		using Class = C;                                      \
		using Writer = W;                                     \
	};                                                            \
	template <class C>                                            \
	struct DebugfsFill<usize (C::*)(Span<char>) QUALS> {          \
		static constexpr bool kValid = true;                  \
		static constexpr bool kWriter = false;                \
		using Class = C;                                      \
		using Writer = void;                                  \
	};
KERN_DEBUGFS_FILL_FORMS()
KERN_DEBUGFS_FILL_FORMS(const)
KERN_DEBUGFS_FILL_FORMS(noexcept)
KERN_DEBUGFS_FILL_FORMS(const noexcept)
#undef KERN_DEBUGFS_FILL_FORMS

} /* namespace detail */

/* An owned read-only debugfs text file bound to a member function of its owner. */
class DebugfsFile : NonCopyable {
public:
	DebugfsFile() = default;
	DebugfsFile(DebugfsFile &&o) noexcept : m_file(exchange(o.m_file, nullptr)) {}
	DebugfsFile &operator=(DebugfsFile &&o) noexcept
	{
		if (this != &o) {
			reset();
			m_file = exchange(o.m_file, nullptr);
		}
		return *this;
	}
	/* Context: process; may sleep (waits for a fill in progress). */
	~DebugfsFile() { reset(); }

	/*
	 * Creates `name` in `dir`, read-only with permission `mode` (no write
	 * or execute bits). Fn is called on `owner`, which must outlive the
	 * file. Errors: -ENODEV if `dir` is empty; otherwise what
	 * kapi_debugfs_file_create reports (-EEXIST, -ENOMEM, -EINVAL ...).
	 * Context: process; may sleep.
	 */
	template <class T, auto Fn>
	static Result<DebugfsFile> create(const DebugfsDir &dir, const char *name, T *owner,
					  unsigned int mode = 0444)
	{
		using Fill = detail::DebugfsFill<decltype(Fn)>;
		static_assert(Fill::kValid,
			      "a debugfs fill function is void T::fn(Writer &) or usize T::fn(kern::Span<char>)");
		static_assert(__is_base_of(typename Fill::Class, T), "Fn is not a member function of T");
		if (!dir)
			return Error(-err::ENODEV);
		DebugfsFile file;
		TRY(from_errno(kapi_debugfs_file_create(dir.raw(), name, mode, &DebugfsFile::fill<T, Fn>,
							 owner, &file.m_file)));
		return file;
	}

	/*
	 * Renames the file within `dir`, the directory it was created in
	 * (netdev rename). On error the old name stays. -ENODEV on an empty
	 * file. Context: process; may sleep; does not wait for readers.
	 */
	Status rename(const DebugfsDir &dir, const char *new_name)
	{
		if (!m_file || !dir)
			return Error(-err::ENODEV);
		return from_errno(kapi_debugfs_file_rename(m_file, dir.raw(), new_name));
	}

	/*
	 * Removes the file. Waits for a fill in progress; afterwards Fn is
	 * never called again. Context: process; may sleep.
	 */
	void reset()
	{
		kapi_debugfs_file_remove(m_file);
		m_file = nullptr;
	}

	explicit operator bool() const { return m_file != nullptr; }

private:
	/* The kapi_debugfs_fill_fn for Fn: adapts either form to (buf, cap) -> length. */
	template <class T, auto Fn>
	static kapi_size fill(void *owner, char *buf, kapi_size cap)
	{
		using Fill = detail::DebugfsFill<decltype(Fn)>;
		T *self = static_cast<T *>(owner);
		if constexpr (Fill::kWriter) {
			typename Fill::Writer w(buf, cap);
			(self->*Fn)(w);
			/* A truncating writer cannot say how much it needed: ask for more. */
			return w.overflowed() ? cap : w.size();
		} else {
			return (self->*Fn)(Span<char>(buf, cap));
		}
	}

	struct kapi_debugfs_file *m_file = nullptr;
};

} /* namespace kern */

#endif /* KERN_DEBUGFS_H */
