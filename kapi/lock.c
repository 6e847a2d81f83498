// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Lock shims over storage embedded in C++ objects. The sparse context
 * annotations keep `make C=2` able to check lock balance in the glue.
 */
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/lockdep.h>

#include "kapi/lock.h"

static_assert(sizeof(spinlock_t) <= sizeof(struct kapi_spinlock));
static_assert(__alignof__(spinlock_t) <= __alignof__(struct kapi_spinlock));
static_assert(sizeof(struct mutex) <= sizeof(struct kapi_mutex));
static_assert(__alignof__(struct mutex) <= __alignof__(struct kapi_mutex));
static_assert(sizeof(struct lock_class_key) <= sizeof(struct kapi_lock_class_key));

#define SPIN(l) ((spinlock_t *)(l)->opaque)
#define MTX(m) ((struct mutex *)(m)->opaque)

void kapi_spin_lock_init(struct kapi_spinlock *l, const char *name, struct kapi_lock_class_key *key)
{
#ifdef CONFIG_DEBUG_SPINLOCK
	__raw_spin_lock_init(spinlock_check(SPIN(l)), name, (struct lock_class_key *)key->opaque,
			     LD_WAIT_CONFIG);
#else
	/* Without lockdep there is no class to register. */
	spin_lock_init(SPIN(l));
#endif
}

void kapi_spin_lock(struct kapi_spinlock *l)
	__acquires(l)
{
	spin_lock(SPIN(l));
}

void kapi_spin_unlock(struct kapi_spinlock *l)
	__releases(l)
{
	spin_unlock(SPIN(l));
}

void kapi_spin_lock_bh(struct kapi_spinlock *l)
	__acquires(l)
{
	spin_lock_bh(SPIN(l));
}

void kapi_spin_unlock_bh(struct kapi_spinlock *l)
	__releases(l)
{
	spin_unlock_bh(SPIN(l));
}

unsigned long kapi_spin_lock_irqsave(struct kapi_spinlock *l)
	__acquires(l)
{
	unsigned long flags;

	spin_lock_irqsave(SPIN(l), flags);
	return flags;
}

void kapi_spin_unlock_irqrestore(struct kapi_spinlock *l, unsigned long flags)
	__releases(l)
{
	spin_unlock_irqrestore(SPIN(l), flags);
}

void kapi_spin_assert_held(struct kapi_spinlock *l)
{
	lockdep_assert_held(SPIN(l));
}

void kapi_mutex_init(struct kapi_mutex *m, const char *name, struct kapi_lock_class_key *key)
{
	__mutex_init(MTX(m), name, (struct lock_class_key *)key->opaque);
}

void kapi_mutex_destroy(struct kapi_mutex *m)
{
	mutex_destroy(MTX(m));
}

void kapi_mutex_lock(struct kapi_mutex *m)
	__acquires(m)
{
	mutex_lock(MTX(m));
	__acquire(m); /* mutex_lock() carries no sparse context of its own */
}

void kapi_mutex_unlock(struct kapi_mutex *m)
	__releases(m)
{
	__release(m);
	mutex_unlock(MTX(m));
}

int kapi_mutex_trylock(struct kapi_mutex *m)
{
	return mutex_trylock(MTX(m));
}

void kapi_mutex_assert_held(struct kapi_mutex *m)
{
	lockdep_assert_held(MTX(m));
}
