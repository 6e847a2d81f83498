/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kapi/work.h - workqueues and work items embedded by value in C++ objects.
 *
 * A kapi_work holds a struct work_struct (opaque storage) and the C++
 * function to run; one C trampoline in kapi/work.c calls it. Storage
 * sizes are static_asserted in kapi/work.c.
 */
#ifndef KAPI_WORK_H
#define KAPI_WORK_H
#include "types.h"

#define KAPI_WORK_BYTES 96
#define KAPI_DWORK_BYTES 192

struct kapi_work;
struct kapi_dwork;
typedef void (*kapi_work_fn)(struct kapi_work *w);
typedef void (*kapi_dwork_fn)(struct kapi_dwork *w);

struct kapi_work {
	unsigned char opaque[KAPI_WORK_BYTES] __attribute__((aligned(8)));
	kapi_work_fn fn;
};
struct kapi_dwork {
	unsigned char opaque[KAPI_DWORK_BYTES] __attribute__((aligned(8)));
	kapi_dwork_fn fn;
};

/* A workqueue handle; the struct is the kernel's workqueue_struct. */
struct kapi_workqueue;

KAPI_BEGIN_DECLS

/* Context: process. Returns NULL on failure. Ordered: one item at a time, in order. */
struct kapi_workqueue *kapi_alloc_ordered_workqueue(const char *name);
/* Context: process; may sleep. Drains and frees. */
void kapi_destroy_workqueue(struct kapi_workqueue *wq);
void kapi_flush_workqueue(struct kapi_workqueue *wq);

/* Context: any (init must precede any queueing). */
void kapi_work_init(struct kapi_work *w, kapi_work_fn fn);
/* Returns: 1 if queued, 0 if it was already pending. Context: any. */
int kapi_queue_work(struct kapi_workqueue *wq, struct kapi_work *w);
/* Context: process; may sleep. Returns 1 if it was pending. */
int kapi_cancel_work_sync(struct kapi_work *w);
void kapi_flush_work(struct kapi_work *w);

void kapi_dwork_init(struct kapi_dwork *w, kapi_dwork_fn fn);
/* delay in milliseconds. Returns 1 if queued, 0 if already pending. Context: any. */
int kapi_queue_dwork(struct kapi_workqueue *wq, struct kapi_dwork *w, unsigned int delay_ms);
/* Re-arms a pending item with the new delay. Context: any. */
int kapi_mod_dwork(struct kapi_workqueue *wq, struct kapi_dwork *w, unsigned int delay_ms);
/* Context: process; may sleep. */
int kapi_cancel_dwork_sync(struct kapi_dwork *w);

/* Time. Context: any. */
kapi_u64 kapi_jiffies(void);
unsigned int kapi_jiffies_to_msecs(kapi_u64 j);
kapi_u64 kapi_msecs_to_jiffies(unsigned int ms);
/* ktime_get() in microseconds (monotonic). Context: any. */
kapi_u64 kapi_ktime_get_us(void);
/* Context: process; sleeps. */
void kapi_msleep(unsigned int ms);

KAPI_END_DECLS
#endif
