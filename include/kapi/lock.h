/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kapi/lock.h - spinlocks and mutexes embedded by value in C++ objects.
 *
 * The storage is opaque and big enough for the kernel type under any
 * debug configuration we build for; kapi/lock.c static_asserts the size
 * and alignment. Each init call takes a lock class key that the caller
 * defines statically at the init site, so lockdep sees one class per
 * site, as spin_lock_init() would give in C.
 */
#ifndef KAPI_LOCK_H
#define KAPI_LOCK_H
#include "types.h"

#define KAPI_SPINLOCK_BYTES 72
#define KAPI_MUTEX_BYTES 160
#define KAPI_LOCK_KEY_BYTES 64

struct kapi_spinlock {
	unsigned char opaque[KAPI_SPINLOCK_BYTES] __attribute__((aligned(8)));
};
struct kapi_mutex {
	unsigned char opaque[KAPI_MUTEX_BYTES] __attribute__((aligned(8)));
};
/* Must live in static storage (lockdep requirement). */
struct kapi_lock_class_key {
	unsigned char opaque[KAPI_LOCK_KEY_BYTES] __attribute__((aligned(8)));
};

KAPI_BEGIN_DECLS

/* Context: any (spin), process (mutex). */
void kapi_spin_lock_init(struct kapi_spinlock *l, const char *name, struct kapi_lock_class_key *key);
void kapi_spin_lock(struct kapi_spinlock *l);
void kapi_spin_unlock(struct kapi_spinlock *l);
/* Disables bottom halves: for state shared with NAPI / timers. */
void kapi_spin_lock_bh(struct kapi_spinlock *l);
void kapi_spin_unlock_bh(struct kapi_spinlock *l);
/* Disables interrupts: for state shared with IB completion handlers. */
unsigned long kapi_spin_lock_irqsave(struct kapi_spinlock *l);
void kapi_spin_unlock_irqrestore(struct kapi_spinlock *l, unsigned long flags);
void kapi_spin_assert_held(struct kapi_spinlock *l);

/* Context: process; may sleep. */
void kapi_mutex_init(struct kapi_mutex *m, const char *name, struct kapi_lock_class_key *key);
void kapi_mutex_destroy(struct kapi_mutex *m);
void kapi_mutex_lock(struct kapi_mutex *m);
void kapi_mutex_unlock(struct kapi_mutex *m);
/* Returns: 1 if taken, 0 if contended. */
int kapi_mutex_trylock(struct kapi_mutex *m);
void kapi_mutex_assert_held(struct kapi_mutex *m);

KAPI_END_DECLS
#endif
