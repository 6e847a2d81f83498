// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Workqueue shims. A kapi_work embeds a work_struct and the C++ function
 * to call; one trampoline per kind recovers the kapi_work and calls it.
 */
#include <linux/workqueue.h>
#include <linux/jiffies.h>
#include <linux/delay.h>
#include <linux/ktime.h>

#include "kapi/work.h"

static_assert(sizeof(struct work_struct) <= KAPI_WORK_BYTES);
static_assert(sizeof(struct delayed_work) <= KAPI_DWORK_BYTES);
static_assert(__alignof__(struct delayed_work) <= 8);

#define WORK(w) ((struct work_struct *)(w)->opaque)
#define DWORK(w) ((struct delayed_work *)(w)->opaque)

struct kapi_workqueue *kapi_alloc_ordered_workqueue(const char *name)
{
	return (struct kapi_workqueue *)alloc_ordered_workqueue("%s", WQ_MEM_RECLAIM, name);
}

void kapi_destroy_workqueue(struct kapi_workqueue *wq)
{
	destroy_workqueue((struct workqueue_struct *)wq);
}

void kapi_flush_workqueue(struct kapi_workqueue *wq)
{
	flush_workqueue((struct workqueue_struct *)wq);
}

static void kapi_work_trampoline(struct work_struct *work)
{
	struct kapi_work *w = container_of((void *)work, struct kapi_work, opaque);

	w->fn(w);
}

static void kapi_dwork_trampoline(struct work_struct *work)
{
	struct kapi_dwork *w = container_of((void *)to_delayed_work(work), struct kapi_dwork, opaque);

	w->fn(w);
}

void kapi_work_init(struct kapi_work *w, kapi_work_fn fn)
{
	w->fn = fn;
	INIT_WORK(WORK(w), kapi_work_trampoline);
}

int kapi_queue_work(struct kapi_workqueue *wq, struct kapi_work *w)
{
	return queue_work((struct workqueue_struct *)wq, WORK(w));
}

int kapi_cancel_work_sync(struct kapi_work *w)
{
	return cancel_work_sync(WORK(w));
}

void kapi_flush_work(struct kapi_work *w)
{
	flush_work(WORK(w));
}

void kapi_dwork_init(struct kapi_dwork *w, kapi_dwork_fn fn)
{
	w->fn = fn;
	INIT_DELAYED_WORK(DWORK(w), kapi_dwork_trampoline);
}

int kapi_queue_dwork(struct kapi_workqueue *wq, struct kapi_dwork *w, unsigned int delay_ms)
{
	return queue_delayed_work((struct workqueue_struct *)wq, DWORK(w), msecs_to_jiffies(delay_ms));
}

int kapi_mod_dwork(struct kapi_workqueue *wq, struct kapi_dwork *w, unsigned int delay_ms)
{
	return mod_delayed_work((struct workqueue_struct *)wq, DWORK(w), msecs_to_jiffies(delay_ms));
}

int kapi_cancel_dwork_sync(struct kapi_dwork *w)
{
	return cancel_delayed_work_sync(DWORK(w));
}

u64 kapi_jiffies(void)
{
	return get_jiffies_64();
}

unsigned int kapi_jiffies_to_msecs(u64 j)
{
	return jiffies_to_msecs((unsigned long)j);
}

u64 kapi_msecs_to_jiffies(unsigned int ms)
{
	return msecs_to_jiffies(ms);
}

u64 kapi_ktime_get_us(void)
{
	return ktime_to_us(ktime_get());
}

void kapi_msleep(unsigned int ms)
{
	msleep(ms);
}
