// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * RCU shims. A kapi_rcu_head embeds a struct rcu_head and the C++
 * function to call; one trampoline recovers the kapi_rcu_head and calls
 * it after the grace period.
 */
#include <linux/rcupdate.h>

#include "kapi/rcu.h"

static_assert(sizeof(struct rcu_head) <= KAPI_RCU_HEAD_BYTES);
static_assert(__alignof__(struct rcu_head) <= 8);

#define HEAD(h) ((struct rcu_head *)(h)->opaque)

void kapi_rcu_read_lock(void)
	__acquires(RCU)
{
	rcu_read_lock();
}

void kapi_rcu_read_unlock(void)
	__releases(RCU)
{
	rcu_read_unlock();
}

void kapi_rcu_read_lock_bh(void)
	__acquires(RCU_BH)
{
	rcu_read_lock_bh();
}

void kapi_rcu_read_unlock_bh(void)
	__releases(RCU_BH)
{
	rcu_read_unlock_bh();
}

static void kapi_rcu_trampoline(struct rcu_head *head)
{
	struct kapi_rcu_head *h = container_of((void *)head, struct kapi_rcu_head, opaque);

	h->fn(h);
}

void kapi_call_rcu(struct kapi_rcu_head *h, kapi_rcu_fn fn)
{
	h->fn = fn;
	call_rcu(HEAD(h), kapi_rcu_trampoline);
}

void kapi_synchronize_rcu(void)
{
	synchronize_rcu();
}

void kapi_rcu_barrier(void)
{
	rcu_barrier();
}
