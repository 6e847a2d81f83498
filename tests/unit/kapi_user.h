/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kapi_user.h - test-side controls for the userspace kapi fakes.
 *
 * kapi_user.cc implements the kapi C ABI (mem, log, lock, debugfs) on top
 * of libc so that the kern headers and pure driver code run under
 * GoogleTest with ASan/UBSan. The fakes are strict: freeing an unknown
 * pointer, freeing kvzalloc memory with kfree, double-locking, unlocking a
 * lock that is not held, or asserting a lock that is not held are all
 * recorded as errors.
 *
 * A global gtest listener (also in kapi_user.cc) resets this state before
 * each test and fails the test afterwards if it leaked an allocation, left
 * a lock held, or produced a kapi_warn or lock error that the test did not
 * consume with take_warnings() / take_lock_errors(). Tests that expect a
 * warning therefore say so explicitly.
 *
 * Include order in test files: system and gtest headers first, then this
 * file and kern headers (kern/result.h drops libc's E* errno macros).
 */
#ifndef TESTS_UNIT_KAPI_USER_H
#define TESTS_UNIT_KAPI_USER_H

#include <string>
#include <vector>

#include "kapi/debugfs.h"
#include "kapi/lock.h"
#include "kapi/log.h"
#include "kapi/mem.h"
#include "kapi/rcu.h"
#include "kapi/rtnl.h"
#include "kapi/types.h"

/* The fake netlink_ext_ack: what kapi_ext_ack_set_msg() stored. */
struct kapi_ext_ack {
	const char *msg = nullptr;
};

namespace kapi_test {

/* Clears every counter, capture buffer and injected failure. */
void reset();

/* Allocation: the nth allocation from now (1-based) fails once; 0 disables. */
void fail_nth_alloc(long n);
/* Every allocation fails until cleared with fail_all_allocs(false). */
void fail_all_allocs(bool on);

long live_allocs();      /* Allocations not yet freed. */
long total_allocs();     /* Successful allocations since reset(). */
long failed_allocs();    /* Allocations refused by injection since reset(). */
long live_kvallocs();    /* Live allocations that came from kapi_kvzalloc. */
kapi_gfp last_gfp();     /* gfp of the most recent kmalloc/kzalloc call. */
kapi_size last_alloc_size();

/* Warnings: "file:line: msg" for each kapi_warn since the last take. */
std::vector<std::string> take_warnings();
long warn_count(); /* Pending (untaken) warnings. */

/* Log capture: "<level>:<text>" for each kapi_log / kapi_log_ratelimited. */
const std::vector<std::string> &log_lines();
void clear_log();

/* Lock misuse detected by the fakes since the last take. */
std::vector<std::string> take_lock_errors();
long held_locks(); /* Spinlocks and mutexes currently held, all threads. */

/* What the last init call recorded for a lock. */
const char *lock_name(const struct kapi_spinlock *l);
const struct kapi_lock_class_key *lock_key(const struct kapi_spinlock *l);
const char *mutex_name(const struct kapi_mutex *m);
const struct kapi_lock_class_key *mutex_key(const struct kapi_mutex *m);

/* Calling thread's bottom-half / interrupt disable depth (0 = enabled). */
int bh_disable_depth();
int irq_disable_depth();

/*
 * RCU: the calling thread's read-side depth, and call_rcu callbacks not
 * yet run. Grace periods are real across threads (synchronize waits for
 * every reader inside a section when it started); callbacks run only at
 * kapi_synchronize_rcu / kapi_rcu_barrier, and the listener fails a test
 * that leaves any, or ends inside a read section.
 */
int rcu_read_depth();
long rcu_pending();

/*
 * debugfs: every create fails with `err` (e.g. -ENODEV, as without
 * CONFIG_DEBUG_FS) until called again with 0.
 */
void debugfs_fail_creates(int err);
/*
 * Live entries as paths ("ipoib/", "ipoib/ib0_path"), sorted, plus
 * handles to entries that a directory removal took with it (which the
 * kernel would have freed). The listener fails a test that leaves any.
 */
std::vector<std::string> debugfs_entries();
/*
 * open(2) + read(2) of a live file, with the glue's retry loop: fill is
 * offered `first_cap` bytes, then twice that or more, up to
 * KAPI_DEBUGFS_MAX_TEXT (-EFBIG). err is 0 or a negative errno
 * (-ENOENT if there is no such file).
 */
struct DebugfsRead {
	int err = 0;
	std::string text;
	int fills = 0;                /* Calls of the fill function. */
	std::vector<kapi_size> caps;  /* The cap offered to each. */
};
DebugfsRead debugfs_read(const std::string &path, kapi_size first_cap = KAPI_DEBUGFS_FIRST_CAP);

/*
 * rtnl_link_ops: whether kapi_rtnl_link_register() holds the kind now;
 * the next register fails with err (once) if err is non-zero.
 */
bool rtnl_link_registered();
void rtnl_link_fail_register(int err);

} /* namespace kapi_test */

#endif /* TESTS_UNIT_KAPI_USER_H */
