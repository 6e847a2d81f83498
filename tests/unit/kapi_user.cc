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

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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

// ---- Per-test checks ----------------------------------------------------

// Runs before the default result printer (gtest calls OnTestEnd listeners
// in reverse order of registration), so failures added here are reported
// as failures of the test that caused them.
class KapiStateListener : public ::testing::EmptyTestEventListener {
	void OnTestStart(const ::testing::TestInfo &) override { kapi_test::reset(); }

	void OnTestEnd(const ::testing::TestInfo &) override
	{
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
}

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

} // namespace kapi_test
