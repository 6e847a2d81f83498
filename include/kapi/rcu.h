/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kapi/rcu.h - RCU read side, grace periods and deferred callbacks.
 *
 * A kapi_rcu_head holds a struct rcu_head (opaque storage, size checked
 * in kapi/rcu.c) and the C++ function to call after the grace period;
 * one C trampoline recovers the kapi_rcu_head and calls it, as for work
 * items. Publication and dereference are done in C++ with release and
 * acquire/consume atomics (kern/atomic.h), not with the kernel macros.
 */
#ifndef KAPI_RCU_H
#define KAPI_RCU_H
#include "types.h"

#define KAPI_RCU_HEAD_BYTES 16

struct kapi_rcu_head;
typedef void (*kapi_rcu_fn)(struct kapi_rcu_head *h);

struct kapi_rcu_head {
	unsigned char opaque[KAPI_RCU_HEAD_BYTES] __attribute__((aligned(8)));
	kapi_rcu_fn fn;
};

KAPI_BEGIN_DECLS

/* rcu_read_lock / rcu_read_unlock. Context: any. */
void kapi_rcu_read_lock(void);
void kapi_rcu_read_unlock(void);
/* rcu_read_lock_bh / rcu_read_unlock_bh: also disables bottom halves. */
void kapi_rcu_read_lock_bh(void);
void kapi_rcu_read_unlock_bh(void);
/* call_rcu: fn(h) runs (softirq context) after a grace period. Context: any. */
void kapi_call_rcu(struct kapi_rcu_head *h, kapi_rcu_fn fn);
/* synchronize_rcu. Context: process; sleeps. */
void kapi_synchronize_rcu(void);
/* rcu_barrier: every callback queued so far has run. Context: process; sleeps. */
void kapi_rcu_barrier(void);

KAPI_END_DECLS

#endif /* KAPI_RCU_H */
