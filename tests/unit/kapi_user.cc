// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
//
// kapi_user.cc - userspace implementations of the kapi C ABI for unit tests.
//
// Allocation is malloc-backed and tracked per pointer, so leaks, double
// frees and kfree-of-kvzalloc-memory are all caught, and any allocation can
// be made to fail on demand. Locks are real (they spin, so threaded tests
// get mutual exclusion) but also remember their owner and how they were
// taken, so misuse that lockdep would report in the kernel is reported here.
// Every check feeds the per-test listener at the bottom of this file.

#include "kapi_user.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

// ---- Shared state -------------------------------------------------------

struct AllocInfo {
	kapi_size size;
	bool kv; // From kapi_kvzalloc: must be freed with kapi_kvfree.
};

std::mutex g_state_lock; // Guards everything in this block.
std::unordered_map<const void *, AllocInfo> g_allocs;
long g_total_allocs;
long g_failed_allocs;
long g_fail_countdown; // 0: off; n: the nth allocation from now fails.
bool g_fail_all;
kapi_gfp g_last_gfp = KAPI_GFP_KERNEL;
kapi_size g_last_size;
std::vector<std::string> g_warnings;
std::vector<std::string> g_log;
std::vector<std::string> g_lock_errors;

std::atomic<long> g_held_locks{0};

thread_local int tl_bh_depth;
thread_local int tl_irq_depth;
thread_local char tl_thread_token; // Its address identifies the thread.

const void *self_token()
{
	return &tl_thread_token;
}

void lock_error(const char *what, const char *name)
{
	std::lock_guard<std::mutex> g(g_state_lock);
	g_lock_errors.push_back(std::string(what) + " [" + (name ? name : "?") + "]");
}

// ---- Allocation ---------------------------------------------------------

// Decides, under g_state_lock, whether this allocation is refused.
bool should_fail_locked()
{
	if (g_fail_all) {
		g_failed_allocs++;
		return true;
	}
	if (g_fail_countdown > 0 && --g_fail_countdown == 0) {
		g_failed_allocs++;
		return true;
	}
	return false;
}

void *tracked_alloc(kapi_size size, bool zero, bool kv, kapi_gfp gfp)
{
	{
		std::lock_guard<std::mutex> g(g_state_lock);
		if (!kv) {
			g_last_gfp = gfp;
			g_last_size = size;
		}
		if (should_fail_locked())
			return nullptr;
	}
	// The kernel returns a unique non-null pointer for size 0 as well.
	const kapi_size real = size ? size : 1;
	void *p = zero ? std::calloc(1, real) : std::malloc(real);
	if (!p)
		return nullptr;
	if (!zero)
		std::memset(p, 0xa5, real); // Poison, like slub_debug, to expose missing initialisation.
	std::lock_guard<std::mutex> g(g_state_lock);
	g_allocs[p] = AllocInfo{size, kv};
	g_total_allocs++;
	return p;
}

void tracked_free(const void *p, bool kv_free)
{
	if (!p)
		return;
	{
		std::lock_guard<std::mutex> g(g_state_lock);
		auto it = g_allocs.find(p);
		if (it == g_allocs.end()) {
			ADD_FAILURE() << "kapi free of a pointer that is not a live allocation: " << p;
			return;
		}
		if (it->second.kv && !kv_free) {
			ADD_FAILURE() << "kapi_kfree of kvzalloc memory (must use kapi_kvfree): " << p;
		}
		g_allocs.erase(it);
	}
	std::free(const_cast<void *>(p));
}

// ---- Locks --------------------------------------------------------------

enum class Mode : int { None, Plain, Bh, Irq, Mutex };

constexpr kapi_u64 kSpinMagic = 0x5350494e4c4f434bull;  // "SPINLOCK"
constexpr kapi_u64 kMutexMagic = 0x4d555445584c434bull; // "MUTEXLCK"
constexpr kapi_u64 kDeadMagic = 0xdeaddeaddeaddeadull;

// Lives inside the opaque kapi storage, like the kernel type it stands for.
struct FakeLock {
	kapi_u64 magic;
	std::atomic<const void *> owner; // Thread token while held, else nullptr.
	const char *name;
	const kapi_lock_class_key *key;
	Mode mode;
	unsigned long flags; // What irqsave handed out, to check irqrestore.
};
static_assert(sizeof(FakeLock) <= KAPI_SPINLOCK_BYTES, "FakeLock must fit kapi_spinlock");
static_assert(sizeof(FakeLock) <= KAPI_MUTEX_BYTES, "FakeLock must fit kapi_mutex");
static_assert(alignof(FakeLock) <= 8, "FakeLock alignment exceeds the opaque storage");

FakeLock *as_fake(void *storage)
{
	return static_cast<FakeLock *>(storage);
}

void fake_init(void *storage, kapi_u64 magic, const char *name, kapi_lock_class_key *key)
{
	if (!key)
		lock_error("lock initialised without a class key", name);
	FakeLock *old = as_fake(storage);
	if ((old->magic == magic || old->magic == kDeadMagic) && old->owner.load() != nullptr) {
		lock_error("lock re-initialised while held", name);
		g_held_locks--;
	}
	FakeLock *l = new (storage) FakeLock{};
	l->magic = magic;
	l->name = name;
	l->key = key;
}

// Returns false (after recording why) if the lock cannot be taken.
bool fake_acquire(FakeLock *l, kapi_u64 magic, Mode mode, bool try_only)
{
	if (l->magic != magic) {
		lock_error("lock used before init or after destroy", nullptr);
		return false;
	}
	const void *me = self_token();
	if (l->owner.load(std::memory_order_relaxed) == me) {
		if (!try_only)
			lock_error("recursive locking (deadlock)", l->name);
		return false;
	}
	const void *expected = nullptr;
	while (!l->owner.compare_exchange_weak(expected, me, std::memory_order_acquire)) {
		if (try_only)
			return false;
		expected = nullptr;
		std::this_thread::yield();
	}
	l->mode = mode;
	g_held_locks++;
	return true;
}

// Returns how the lock had been taken, or Mode::None (after recording
// why) if the unlock was bogus and ignored.
Mode fake_release(FakeLock *l, kapi_u64 magic, Mode mode)
{
	if (l->magic != magic) {
		lock_error("unlock of a lock that is not initialised (or was destroyed)", nullptr);
		return Mode::None;
	}
	if (l->owner.load(std::memory_order_relaxed) != self_token()) {
		lock_error("unlock of a lock not held by this thread", l->name);
		return Mode::None;
	}
	const Mode taken = l->mode;
	if (taken != mode)
		lock_error("lock released with a different variant than it was taken with", l->name);
	g_held_locks--;
	l->owner.store(nullptr, std::memory_order_release);
	return taken;
}

void fake_assert_held(FakeLock *l, kapi_u64 magic)
{
	if (l->magic != magic || l->owner.load(std::memory_order_relaxed) != self_token())
		lock_error("assert_held failed", l->magic == magic ? l->name : nullptr);
}

std::vector<std::string> take(std::vector<std::string> &v)
{
	std::lock_guard<std::mutex> g(g_state_lock);
	std::vector<std::string> out;
	out.swap(v);
	return out;
}

std::string join(const std::vector<std::string> &v)
{
	std::ostringstream os;
	for (const auto &s : v)
		os << "\n    " << s;
	return os.str();
}

// ---- debugfs -------------------------------------------------------------


// ---- RCU -----------------------------------------------------------------
//
// A real (if slow) grace period, so tests can run readers on threads
// beside a writer: each reader thread has a counter, odd while it is in
// an outermost read section; synchronize waits until every counter that
// was odd when it started has moved. Callbacks queued by call_rcu run at
// the next synchronize or barrier, never earlier.

struct RcuReader {
	std::atomic<unsigned long> ctr{0};
};

std::mutex g_rcu_lock;                              // the reader registry and the callback queue
std::vector<std::unique_ptr<RcuReader>> g_rcu_readers; // never shrinks: a finished thread's stays even
std::vector<kapi_rcu_head *> g_rcu_pending;
thread_local RcuReader *tl_rcu_reader;
thread_local int tl_rcu_depth;

RcuReader &rcu_reader()
{
	if (!tl_rcu_reader) {
		std::lock_guard<std::mutex> g(g_rcu_lock);
		g_rcu_readers.push_back(std::make_unique<RcuReader>());
		tl_rcu_reader = g_rcu_readers.back().get();
	}
	return *tl_rcu_reader;
}

void rcu_enter()
{
	RcuReader &r = rcu_reader();
	if (tl_rcu_depth++ == 0)
		r.ctr.fetch_add(1, std::memory_order_seq_cst);
}

void rcu_leave()
{
	if (tl_rcu_depth <= 0) {
		lock_error("rcu_read_unlock without rcu_read_lock", "rcu");
		return;
	}
	if (--tl_rcu_depth == 0)
		tl_rcu_reader->ctr.fetch_add(1, std::memory_order_seq_cst);
}

// Waits for a grace period; returns the callbacks queued before it, now due.
std::vector<kapi_rcu_head *> rcu_grace_period()
{
	if (tl_rcu_depth != 0)
		lock_error("synchronize_rcu inside an RCU read section (deadlock)", "rcu");
	std::atomic_thread_fence(std::memory_order_seq_cst);
	std::vector<kapi_rcu_head *> due;
	std::vector<std::pair<RcuReader *, unsigned long>> busy;
	{
		std::lock_guard<std::mutex> g(g_rcu_lock);
		due.swap(g_rcu_pending);
		for (auto &r : g_rcu_readers) {
			const unsigned long c = r->ctr.load(std::memory_order_seq_cst);
			if ((c & 1) && r.get() != tl_rcu_reader)
				busy.emplace_back(r.get(), c);
		}
	}
	for (auto &b : busy) {
		while (b.first->ctr.load(std::memory_order_seq_cst) == b.second)
			std::this_thread::yield();
	}
	std::atomic_thread_fence(std::memory_order_seq_cst);
	return due;
}

void rcu_run(std::vector<kapi_rcu_head *> &due)
{
	for (kapi_rcu_head *h : due)
		h->fn(h);
	due.clear();
}

long rcu_pending_count()
{
	std::lock_guard<std::mutex> g(g_rcu_lock);
	return static_cast<long>(g_rcu_pending.size());
}

} // namespace

// The handles are opaque in C++; the fakes give them a body here. Both
// live in g_debugfs_dirs/g_debugfs_files until removed. A directory
// removal removes everything below it, as debugfs_remove() does; entries
// removed that way whose handle is still held by C++ move to the orphan
// lists, because in the kernel that handle would now dangle.
struct kapi_debugfs_dir {
	std::string name;
	kapi_debugfs_dir *parent; // nullptr: the debugfs root
};

struct kapi_debugfs_file {
	std::string name;
	kapi_debugfs_dir *dir;
	kapi_debugfs_fill_fn fn;
	void *owner;
	unsigned int mode;
};

namespace {

// All guarded by g_state_lock.
std::vector<kapi_debugfs_dir *> g_debugfs_dirs;
std::vector<kapi_debugfs_file *> g_debugfs_files;
std::vector<kapi_debugfs_dir *> g_debugfs_orphan_dirs;
std::vector<kapi_debugfs_file *> g_debugfs_orphan_files;
int g_debugfs_create_error; // Non-zero: every create fails with it.

// rtnl_link_ops registration (kapi/rtnl.h).
bool g_rtnl_link_registered;
int g_rtnl_link_register_error; // Non-zero: the next register fails with it.

template <class T>
bool erase_ptr(std::vector<T *> &v, T *p)
{
	auto it = std::find(v.begin(), v.end(), p);
	if (it == v.end())
		return false;
	v.erase(it);
	return true;
}

std::string debugfs_path_locked(const kapi_debugfs_dir *d)
{
	return d ? debugfs_path_locked(d->parent) + d->name + "/" : std::string();
}

bool debugfs_name_taken_locked(const kapi_debugfs_dir *parent, const std::string &name)
{
	for (const kapi_debugfs_dir *d : g_debugfs_dirs)
		if (d->parent == parent && d->name == name)
			return true;
	for (const kapi_debugfs_file *f : g_debugfs_files)
		if (f->dir == parent && f->name == name)
			return true;
	return false;
}

bool debugfs_name_ok(const char *name)
{
	return name && *name && !std::strchr(name, '/');
}

// Moves everything below `dir` (not `dir` itself) to the orphan lists.
void debugfs_orphan_children_locked(kapi_debugfs_dir *dir)
{
	for (auto it = g_debugfs_files.begin(); it != g_debugfs_files.end();) {
		if ((*it)->dir == dir) {
			g_debugfs_orphan_files.push_back(*it);
			it = g_debugfs_files.erase(it);
		} else {
			++it;
		}
	}
	std::vector<kapi_debugfs_dir *> subdirs;
	for (kapi_debugfs_dir *d : g_debugfs_dirs)
		if (d->parent == dir)
			subdirs.push_back(d);
	for (kapi_debugfs_dir *d : subdirs) {
		erase_ptr(g_debugfs_dirs, d);
		g_debugfs_orphan_dirs.push_back(d);
		debugfs_orphan_children_locked(d);
	}
}

// ---- Per-test checks ----------------------------------------------------

// Runs before the default result printer (gtest calls OnTestEnd listeners
// in reverse order of registration), so failures added here are reported
// as failures of the test that caused them.
class KapiStateListener : public ::testing::EmptyTestEventListener {
	void OnTestStart(const ::testing::TestInfo &) override { kapi_test::reset(); }

	void OnTestEnd(const ::testing::TestInfo &) override
	{
		if (tl_rcu_depth != 0)
			ADD_FAILURE() << "test ended inside an RCU read section (depth " << tl_rcu_depth << ")";
		tl_rcu_depth = 0;
		if (rcu_pending_count() != 0) {
			ADD_FAILURE() << "test left " << rcu_pending_count() << " call_rcu callback(s) unrun (no rcu_barrier)";
			kapi_rcu_barrier();
		}
		const long live = kapi_test::live_allocs();
		if (live != 0)
			ADD_FAILURE() << "test leaked " << live << " kapi allocation(s)";
		const long held = kapi_test::held_locks();
		if (held != 0)
			ADD_FAILURE() << "test ended with " << held << " lock(s) still held";
		if (tl_bh_depth != 0 || tl_irq_depth != 0)
			ADD_FAILURE() << "test ended with bottom halves (" << tl_bh_depth << ") or interrupts ("
				      << tl_irq_depth << ") still disabled";
		const auto warnings = kapi_test::take_warnings();
		if (!warnings.empty())
			ADD_FAILURE() << "unexpected kapi_warn (take_warnings() consumes expected ones):"
				      << join(warnings);
		const auto lock_errors = kapi_test::take_lock_errors();
		if (!lock_errors.empty())
			ADD_FAILURE() << "unexpected lock misuse:" << join(lock_errors);
		const auto debugfs = kapi_test::debugfs_entries();
		if (!debugfs.empty())
			ADD_FAILURE() << "test left debugfs entries (or handles to removed ones):" << join(debugfs);
		if (kapi_test::rtnl_link_registered())
			ADD_FAILURE() << "test left the rtnl_link_ops registered";
		forget_leftovers();
		kapi_test::reset();
	}

	// Once reported, leftovers must not fail every later test as well.
	// Leaked blocks are dropped from tracking but not freed, so
	// LeakSanitizer still reports them with their allocation stacks.
	static void forget_leftovers()
	{
		std::lock_guard<std::mutex> g(g_state_lock);
		g_allocs.clear();
		g_held_locks = 0;
		// Dropped unfreed, like leaked blocks.
		g_debugfs_dirs.clear();
		g_debugfs_files.clear();
		g_debugfs_orphan_dirs.clear();
		g_debugfs_orphan_files.clear();
		g_rtnl_link_registered = false;
		tl_bh_depth = 0;
		tl_irq_depth = 0;
	}
};

// A global object with a constructor is fine in the test binary: it only
// registers the listener before gtest's main() runs the tests.
[[maybe_unused]] const bool g_listener_registered = [] {
	::testing::UnitTest::GetInstance()->listeners().Append(new KapiStateListener);
	return true;
}();

} // namespace

// ---- kapi C ABI ---------------------------------------------------------

extern "C" {

void *kapi_kmalloc(kapi_size size, enum kapi_gfp gfp)
{
	return tracked_alloc(size, false, false, gfp);
}

void *kapi_kzalloc(kapi_size size, enum kapi_gfp gfp)
{
	return tracked_alloc(size, true, false, gfp);
}

void *kapi_kvzalloc(kapi_size size)
{
	return tracked_alloc(size, true, true, KAPI_GFP_KERNEL);
}

void kapi_kfree(const void *p)
{
	tracked_free(p, false);
}

void kapi_kvfree(const void *p)
{
	tracked_free(p, true);
}

static void log_line(enum kapi_log_level level, const char *fmt, va_list ap)
{
	char buf[512];
	std::vsnprintf(buf, sizeof(buf), fmt, ap);
	std::lock_guard<std::mutex> g(g_state_lock);
	g_log.push_back(std::to_string(static_cast<int>(level)) + ":" + buf);
}

void kapi_log(enum kapi_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_line(level, fmt, ap);
	va_end(ap);
}

void kapi_log_ratelimited(enum kapi_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_line(level, fmt, ap);
	va_end(ap);
}

void kapi_warn(const char *file, int line, const char *msg)
{
	std::lock_guard<std::mutex> g(g_state_lock);
	g_warnings.push_back(std::string(file) + ":" + std::to_string(line) + ": " + msg);
}

void kapi_spin_lock_init(struct kapi_spinlock *l, const char *name, struct kapi_lock_class_key *key)
{
	fake_init(l->opaque, kSpinMagic, name, key);
}

void kapi_spin_lock(struct kapi_spinlock *l)
{
	fake_acquire(as_fake(l->opaque), kSpinMagic, Mode::Plain, false);
}

void kapi_spin_unlock(struct kapi_spinlock *l)
{
	fake_release(as_fake(l->opaque), kSpinMagic, Mode::Plain);
}

// The bh/irq depth only moves for lock operations that really happened, so
// one misuse (already reported) does not skew later checks.
void kapi_spin_lock_bh(struct kapi_spinlock *l)
{
	if (fake_acquire(as_fake(l->opaque), kSpinMagic, Mode::Bh, false))
		tl_bh_depth++;
}

void kapi_spin_unlock_bh(struct kapi_spinlock *l)
{
	if (fake_release(as_fake(l->opaque), kSpinMagic, Mode::Bh) == Mode::Bh)
		tl_bh_depth--;
}

unsigned long kapi_spin_lock_irqsave(struct kapi_spinlock *l)
{
	// The flags encode the depth before disabling, as the real flags
	// encode whether interrupts were on; irqrestore checks they round-trip.
	const unsigned long flags = 0x200ul | (static_cast<unsigned long>(tl_irq_depth) << 16);
	FakeLock *fl = as_fake(l->opaque);
	if (fake_acquire(fl, kSpinMagic, Mode::Irq, false)) {
		fl->flags = flags;
		tl_irq_depth++;
	}
	return flags;
}

void kapi_spin_unlock_irqrestore(struct kapi_spinlock *l, unsigned long flags)
{
	FakeLock *fl = as_fake(l->opaque);
	if (fl->magic == kSpinMagic && fl->owner.load() == self_token() && fl->flags != flags)
		lock_error("irqrestore with flags that irqsave did not return", fl->name);
	if (fake_release(fl, kSpinMagic, Mode::Irq) == Mode::Irq)
		tl_irq_depth = static_cast<int>((flags >> 16) & 0xffff);
}

void kapi_spin_assert_held(struct kapi_spinlock *l)
{
	fake_assert_held(as_fake(l->opaque), kSpinMagic);
}

void kapi_mutex_init(struct kapi_mutex *m, const char *name, struct kapi_lock_class_key *key)
{
	fake_init(m->opaque, kMutexMagic, name, key);
}

void kapi_mutex_destroy(struct kapi_mutex *m)
{
	FakeLock *l = as_fake(m->opaque);
	if (l->magic != kMutexMagic)
		return; // Never initialised (zeroed storage): harmless, as in the kernel.
	if (l->owner.load() != nullptr)
		lock_error("mutex destroyed while held", l->name);
	l->magic = kDeadMagic;
}

void kapi_mutex_lock(struct kapi_mutex *m)
{
	fake_acquire(as_fake(m->opaque), kMutexMagic, Mode::Mutex, false);
}

void kapi_mutex_unlock(struct kapi_mutex *m)
{
	fake_release(as_fake(m->opaque), kMutexMagic, Mode::Mutex);
}

int kapi_mutex_trylock(struct kapi_mutex *m)
{
	return fake_acquire(as_fake(m->opaque), kMutexMagic, Mode::Mutex, true) ? 1 : 0;
}

void kapi_mutex_assert_held(struct kapi_mutex *m)
{
	fake_assert_held(as_fake(m->opaque), kMutexMagic);
}

int kapi_debugfs_dir_create(const char *name, struct kapi_debugfs_dir *parent, struct kapi_debugfs_dir **out)
{
	std::lock_guard<std::mutex> g(g_state_lock);
	*out = nullptr;
	if (g_debugfs_create_error)
		return g_debugfs_create_error;
	if (parent && std::find(g_debugfs_dirs.begin(), g_debugfs_dirs.end(), parent) == g_debugfs_dirs.end()) {
		ADD_FAILURE() << "kapi_debugfs_dir_create in a directory that is not live";
		return -ENOENT;
	}
	if (!debugfs_name_ok(name))
		return -EINVAL;
	if (debugfs_name_taken_locked(parent, name))
		return -EEXIST;
	auto *d = new kapi_debugfs_dir{name, parent};
	g_debugfs_dirs.push_back(d);
	*out = d;
	return 0;
}

void kapi_debugfs_dir_remove(struct kapi_debugfs_dir *dir)
{
	if (!dir)
		return;
	std::lock_guard<std::mutex> g(g_state_lock);
	if (erase_ptr(g_debugfs_orphan_dirs, dir)) {
		ADD_FAILURE() << "debugfs directory " << dir->name
			      << " removed after its parent (the kernel had already freed it)";
		delete dir;
		return;
	}
	if (!erase_ptr(g_debugfs_dirs, dir)) {
		ADD_FAILURE() << "kapi_debugfs_dir_remove of a handle that is not live: " << dir;
		return;
	}
	debugfs_orphan_children_locked(dir);
	delete dir;
}

int kapi_debugfs_file_create(struct kapi_debugfs_dir *dir, const char *name, unsigned int mode,
			     kapi_debugfs_fill_fn fn, void *owner, struct kapi_debugfs_file **out)
{
	std::lock_guard<std::mutex> g(g_state_lock);
	*out = nullptr;
	if (!dir || !fn || (mode & ~0444u))
		return -EINVAL;
	if (should_fail_locked()) // The glue's kzalloc of its struct.
		return -ENOMEM;
	if (g_debugfs_create_error)
		return g_debugfs_create_error;
	if (std::find(g_debugfs_dirs.begin(), g_debugfs_dirs.end(), dir) == g_debugfs_dirs.end()) {
		ADD_FAILURE() << "kapi_debugfs_file_create in a directory that is not live";
		return -ENOENT;
	}
	if (!debugfs_name_ok(name))
		return -EINVAL;
	if (debugfs_name_taken_locked(dir, name))
		return -EEXIST;
	auto *f = new kapi_debugfs_file{name, dir, fn, owner, mode};
	g_debugfs_files.push_back(f);
	*out = f;
	return 0;
}

void kapi_debugfs_file_remove(struct kapi_debugfs_file *file)
{
	if (!file)
		return;
	std::lock_guard<std::mutex> g(g_state_lock);
	if (erase_ptr(g_debugfs_orphan_files, file)) {
		ADD_FAILURE() << "debugfs file " << file->name
			      << " removed after its directory (the kernel had already freed it)";
		delete file;
		return;
	}
	if (!erase_ptr(g_debugfs_files, file)) {
		ADD_FAILURE() << "kapi_debugfs_file_remove of a handle that is not live: " << file;
		return;
	}
	delete file;
}

int kapi_debugfs_file_rename(struct kapi_debugfs_file *file, struct kapi_debugfs_dir *dir, const char *new_name)
{
	std::lock_guard<std::mutex> g(g_state_lock);
	if (!file || !dir || !new_name)
		return -EINVAL;
	if (std::find(g_debugfs_files.begin(), g_debugfs_files.end(), file) == g_debugfs_files.end()) {
		ADD_FAILURE() << "kapi_debugfs_file_rename of a handle that is not live";
		return -EINVAL;
	}
	if (file->dir != dir || !debugfs_name_ok(new_name))
		return -EINVAL;
	if (debugfs_name_taken_locked(dir, new_name))
		return -EINVAL; // debugfs_rename() reports an existing target as -EINVAL.
	file->name = new_name;
	return 0;
}

int kapi_rtnl_link_register(void)
{
	std::lock_guard<std::mutex> g(g_state_lock);
	if (g_rtnl_link_register_error)
		return std::exchange(g_rtnl_link_register_error, 0);
	if (g_rtnl_link_registered)
		return -EEXIST; // rtnl_link_register() of a kind already there.
	g_rtnl_link_registered = true;
	return 0;
}

void kapi_rtnl_link_unregister(void)
{
	std::lock_guard<std::mutex> g(g_state_lock);
	if (!g_rtnl_link_registered)
		ADD_FAILURE() << "kapi_rtnl_link_unregister without a registration";
	g_rtnl_link_registered = false;
}

void kapi_ext_ack_set_msg(struct kapi_ext_ack *ack, const char *msg)
{
	if (ack)
		ack->msg = msg;
}


// ---- RCU ----

void kapi_rcu_read_lock(void) { rcu_enter(); }
void kapi_rcu_read_unlock(void) { rcu_leave(); }

void kapi_rcu_read_lock_bh(void)
{
	tl_bh_depth++;
	rcu_enter();
}

void kapi_rcu_read_unlock_bh(void)
{
	rcu_leave();
	tl_bh_depth--;
}

void kapi_call_rcu(struct kapi_rcu_head *h, kapi_rcu_fn fn)
{
	h->fn = fn;
	std::lock_guard<std::mutex> g(g_rcu_lock);
	g_rcu_pending.push_back(h);
}

void kapi_synchronize_rcu(void)
{
	std::vector<kapi_rcu_head *> due = rcu_grace_period();
	rcu_run(due);
}

void kapi_rcu_barrier(void)
{
	kapi_synchronize_rcu();
}

} // extern "C"

// ---- Test controls ------------------------------------------------------

namespace kapi_test {

void reset()
{
	std::lock_guard<std::mutex> g(g_state_lock);
	// Live allocations are not forgotten: a leak must stay visible until
	// the listener has reported it, and reset() runs after that report.
	g_total_allocs = 0;
	g_failed_allocs = 0;
	g_fail_countdown = 0;
	g_fail_all = false;
	g_last_gfp = KAPI_GFP_KERNEL;
	g_last_size = 0;
	g_warnings.clear();
	g_log.clear();
	g_lock_errors.clear();
	g_rtnl_link_register_error = 0;
}

int rcu_read_depth() { return tl_rcu_depth; }
long rcu_pending() { return rcu_pending_count(); }

void fail_nth_alloc(long n)
{
	std::lock_guard<std::mutex> g(g_state_lock);
	g_fail_countdown = n;
}

void fail_all_allocs(bool on)
{
	std::lock_guard<std::mutex> g(g_state_lock);
	g_fail_all = on;
}

long live_allocs()
{
	std::lock_guard<std::mutex> g(g_state_lock);
	return static_cast<long>(g_allocs.size());
}

long total_allocs()
{
	std::lock_guard<std::mutex> g(g_state_lock);
	return g_total_allocs;
}

long failed_allocs()
{
	std::lock_guard<std::mutex> g(g_state_lock);
	return g_failed_allocs;
}

long live_kvallocs()
{
	std::lock_guard<std::mutex> g(g_state_lock);
	long n = 0;
	for (const auto &kv : g_allocs)
		n += kv.second.kv ? 1 : 0;
	return n;
}

kapi_gfp last_gfp()
{
	std::lock_guard<std::mutex> g(g_state_lock);
	return g_last_gfp;
}

kapi_size last_alloc_size()
{
	std::lock_guard<std::mutex> g(g_state_lock);
	return g_last_size;
}

std::vector<std::string> take_warnings()
{
	return take(g_warnings);
}

long warn_count()
{
	std::lock_guard<std::mutex> g(g_state_lock);
	return static_cast<long>(g_warnings.size());
}

const std::vector<std::string> &log_lines()
{
	return g_log;
}

void clear_log()
{
	std::lock_guard<std::mutex> g(g_state_lock);
	g_log.clear();
}

std::vector<std::string> take_lock_errors()
{
	return take(g_lock_errors);
}

long held_locks()
{
	return g_held_locks.load();
}

const char *lock_name(const struct kapi_spinlock *l)
{
	return reinterpret_cast<const FakeLock *>(l->opaque)->name;
}

const struct kapi_lock_class_key *lock_key(const struct kapi_spinlock *l)
{
	return reinterpret_cast<const FakeLock *>(l->opaque)->key;
}

const char *mutex_name(const struct kapi_mutex *m)
{
	return reinterpret_cast<const FakeLock *>(m->opaque)->name;
}

const struct kapi_lock_class_key *mutex_key(const struct kapi_mutex *m)
{
	return reinterpret_cast<const FakeLock *>(m->opaque)->key;
}

int bh_disable_depth()
{
	return tl_bh_depth;
}

int irq_disable_depth()
{
	return tl_irq_depth;
}

bool rtnl_link_registered()
{
	std::lock_guard<std::mutex> g(g_state_lock);
	return g_rtnl_link_registered;
}

void rtnl_link_fail_register(int err)
{
	std::lock_guard<std::mutex> g(g_state_lock);
	g_rtnl_link_register_error = err;
}

void debugfs_fail_creates(int err)
{
	std::lock_guard<std::mutex> g(g_state_lock);
	g_debugfs_create_error = err;
}

std::vector<std::string> debugfs_entries()
{
	std::lock_guard<std::mutex> g(g_state_lock);
	std::vector<std::string> out;
	for (const kapi_debugfs_dir *d : g_debugfs_dirs)
		out.push_back(debugfs_path_locked(d));
	for (const kapi_debugfs_file *f : g_debugfs_files)
		out.push_back(debugfs_path_locked(f->dir) + f->name);
	for (const kapi_debugfs_dir *d : g_debugfs_orphan_dirs)
		out.push_back("(removed with its parent) " + d->name + "/");
	for (const kapi_debugfs_file *f : g_debugfs_orphan_files)
		out.push_back("(removed with its directory) " + f->name);
	std::sort(out.begin(), out.end());
	return out;
}

DebugfsRead debugfs_read(const std::string &path, kapi_size first_cap)
{
	kapi_debugfs_fill_fn fn = nullptr;
	void *owner = nullptr;
	{
		std::lock_guard<std::mutex> g(g_state_lock);
		for (const kapi_debugfs_file *f : g_debugfs_files) {
			if (debugfs_path_locked(f->dir) + f->name == path) {
				fn = f->fn;
				owner = f->owner;
			}
		}
	}
	DebugfsRead r;
	if (!fn) {
		r.err = -ENOENT;
		return r;
	}
	// The loop of kapi_debugfs_open(), with an exactly sized, poisoned
	// heap buffer each time so ASan sees any write past cap.
	kapi_size cap = first_cap;
	for (;;) {
		std::unique_ptr<char[]> buf(new char[cap]);
		std::memset(buf.get(), 0xa5, cap);
		const kapi_size need = fn(owner, buf.get(), cap);
		r.fills++;
		r.caps.push_back(cap);
		if (need < cap) {
			r.text.assign(buf.get(), need);
			return r;
		}
		if (need >= KAPI_DEBUGFS_MAX_TEXT) {
			r.err = -EFBIG;
			return r;
		}
		cap = std::min<kapi_size>(std::max<kapi_size>(cap * 2, need + 1), KAPI_DEBUGFS_MAX_TEXT);
	}
}

} // namespace kapi_test
