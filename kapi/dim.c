// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lib/dim shims: a struct dim per receive CQ and its work; see
 * include/kapi/dim.h. The algorithm is the kernel's (net_dim); what is
 * here is its driver-side protocol: the work applies the profile, then
 * sets DIM_START_MEASURE so net_dim measures again.
 *
 * Kernel versions: net_dim(), dim_update_sample() and
 * net_dim_get_rx_moderation() have the same signatures on 6.1 and 6.12
 * (net_dim takes the sample by value on both; it takes a pointer from
 * 6.13). 6.12's struct dim grew an rcu_head, which an opaque handle
 * allocated here does not care about.
 */
#include <linux/dim.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "kapi/dim.h"

#ifdef NET_DIM_PARAMS_NUM_PROFILES /* in <linux/dim.h> from 6.12, private to net_dim.c before */
static_assert(KAPI_DIM_PROFILES == NET_DIM_PARAMS_NUM_PROFILES);
#endif

struct kapi_dim {
	struct dim dim;
	kapi_dim_apply_fn fn;
	void *owner;
	/* kapi_dim_rest: the work applies these instead of the profile's. */
	bool rest;
	u16 rest_usecs;
	u16 rest_frames;
};

static void kapi_dim_work(struct work_struct *work)
{
	struct dim *dim = container_of(work, struct dim, work);
	struct kapi_dim *d = container_of(dim, struct kapi_dim, dim);
	struct dim_cq_moder m = net_dim_get_rx_moderation(dim->mode, READ_ONCE(dim->profile_ix));

	if (d->rest) {
		d->rest = false;
		d->fn(d->owner, d->rest_usecs, d->rest_frames);
	} else {
		d->fn(d->owner, m.usec, m.pkts);
	}
	/* net_dim ignores samples until this: the profile is in effect now. */
	WRITE_ONCE(dim->state, DIM_START_MEASURE);
}

struct kapi_dim *kapi_dim_create(kapi_dim_apply_fn fn, void *owner)
{
	struct kapi_dim *d;

	if (!fn)
		return NULL;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return NULL;
	d->fn = fn;
	d->owner = owner;
	d->dim.mode = DIM_CQ_PERIOD_MODE_START_FROM_CQE;
	d->dim.state = DIM_START_MEASURE;
	INIT_WORK(&d->dim.work, kapi_dim_work);
	return d;
}

void kapi_dim_destroy(struct kapi_dim *d)
{
	if (!d)
		return;
	cancel_work_sync(&d->dim.work);
	kfree(d);
}

void kapi_dim_cancel(struct kapi_dim *d)
{
	cancel_work_sync(&d->dim.work);
}

void kapi_dim_sample(struct kapi_dim *d, u16 events, u64 packets, u64 bytes)
{
	struct dim_sample s;

	dim_update_sample(events, packets, bytes, &s);
	net_dim(&d->dim, s);
}

/* The state a fresh dim has, at profile ix (parked: the first measurement starts it moving). */
static void kapi_dim_reset(struct dim *dim, unsigned int ix)
{
	memset(&dim->prev_stats, 0, sizeof(dim->prev_stats));
	dim->profile_ix = ix;
	dim->tune_state = DIM_PARKING_ON_TOP;
	dim->steps_left = 0;
	dim->steps_right = 0;
	dim->tired = 0;
}

int kapi_dim_restart(struct kapi_dim *d, unsigned int ix)
{
	if (ix >= KAPI_DIM_PROFILES)
		return -EINVAL;
	kapi_dim_reset(&d->dim, ix);
	d->rest = false;
	WRITE_ONCE(d->dim.state, DIM_START_MEASURE);
	return 0;
}

int kapi_dim_rest(struct kapi_dim *d, unsigned int ix, u16 usecs, u16 frames)
{
	if (ix >= KAPI_DIM_PROFILES)
		return -EINVAL;
	/* Not pending, and a work that ran has read its fields (it sets the state last). */
	if (READ_ONCE(d->dim.state) == DIM_APPLY_NEW_PROFILE)
		return -EBUSY;
	kapi_dim_reset(&d->dim, ix);
	d->rest = true;
	d->rest_usecs = usecs;
	d->rest_frames = frames;
	WRITE_ONCE(d->dim.state, DIM_APPLY_NEW_PROFILE);
	schedule_work(&d->dim.work);
	return 0;
}

unsigned int kapi_dim_profile(const struct kapi_dim *d)
{
	return READ_ONCE(d->dim.profile_ix);
}

void kapi_dim_rx_profile(unsigned int ix, u16 *usecs, u16 *frames)
{
	struct dim_cq_moder m;

	if (ix >= KAPI_DIM_PROFILES)
		ix = KAPI_DIM_PROFILES - 1;
	m = net_dim_get_rx_moderation(DIM_CQ_PERIOD_MODE_START_FROM_CQE, ix);
	*usecs = m.usec;
	*frames = m.pkts;
}
