/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kapi/dim.h - the kernel's dynamic interrupt moderation (lib/dim,
 * net_dim) for one receive CQ, behind an opaque handle.
 *
 * A kapi_dim owns a struct dim in CQE period mode (the moderation timer
 * starts at the first completion, as softib and most HCAs count it).
 * The owner feeds it cumulative counters from its receive NAPI poll
 * (kapi_dim_sample); when net_dim picks another RX profile it schedules
 * the dim work (on the system workqueue), which calls the owner's apply
 * function with that profile's period and count, then lets net_dim
 * measure again. The owner applies them to its CQ there (process
 * context, may sleep).
 *
 * Sampling, restart and rest must come from one context at a time (the
 * NAPI poll, or process context with the poll disabled). The dim work
 * runs until kapi_dim_cancel or kapi_dim_destroy returns; never after.
 */
#ifndef KAPI_DIM_H
#define KAPI_DIM_H
#include "types.h"

/* net_dim's RX profiles (NET_DIM_PARAMS_NUM_PROFILES; checked in kapi/dim.c where the header has it). */
#define KAPI_DIM_PROFILES 5

struct kapi_dim;
/* Called from the dim work: apply `usecs`/`frames` to the CQ. Context: process; may sleep. */
typedef void (*kapi_dim_apply_fn)(void *owner, kapi_u16 usecs, kapi_u16 frames);

KAPI_BEGIN_DECLS

/* At profile 0, measuring. Returns NULL on allocation failure. Context: process. */
struct kapi_dim *kapi_dim_create(kapi_dim_apply_fn fn, void *owner);
/* Cancels the work (waits for a running one) and frees. NULL is a no-op. Context: process. */
void kapi_dim_destroy(struct kapi_dim *d);
/* Cancels a pending work and waits for a running one. Context: process. */
void kapi_dim_cancel(struct kapi_dim *d);

/*
 * One interrupt's worth of cumulative counters: events (wraps at 2^16),
 * packets and bytes. net_dim decides after 64 events. Context: the poll.
 */
void kapi_dim_sample(struct kapi_dim *d, kapi_u16 events, kapi_u64 packets, kapi_u64 bytes);

/*
 * Forget the tuning history and measure afresh from profile ix, without
 * applying it: the caller has (ix is in effect). Only when no dim work
 * is pending or running (after kapi_dim_cancel, before new samples).
 * Returns 0 or -EINVAL. Context: the poll, or process with it disabled.
 */
int kapi_dim_restart(struct kapi_dim *d, unsigned int ix);
/*
 * As restart, and have the dim work apply usecs/frames (a resting value
 * of the caller's, e.g. none at all) rather than profile ix's: net_dim
 * measures afresh from ix and moves on from there. -EBUSY while the work
 * for an earlier decision is still pending. Context: the poll.
 */
int kapi_dim_rest(struct kapi_dim *d, unsigned int ix, kapi_u16 usecs, kapi_u16 frames);
/* The profile net_dim is at. Context: the poll. */
unsigned int kapi_dim_profile(const struct kapi_dim *d);

/* net_dim_get_rx_moderation() of RX profile ix (< KAPI_DIM_PROFILES), CQE mode. Context: any. */
void kapi_dim_rx_profile(unsigned int ix, kapi_u16 *usecs, kapi_u16 *frames);

KAPI_END_DECLS
#endif /* KAPI_DIM_H */
