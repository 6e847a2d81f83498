// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Heap allocation shims. */
#include <linux/slab.h>
#include <linux/mm.h>

#include "kapi/mem.h"

static gfp_t kapi_to_gfp(enum kapi_gfp gfp)
{
	switch (gfp) {
	case KAPI_GFP_ATOMIC:
		return GFP_ATOMIC;
	case KAPI_GFP_NOWAIT:
		return GFP_NOWAIT;
	case KAPI_GFP_KERNEL:
	default:
		return GFP_KERNEL;
	}
}

void *kapi_kmalloc(size_t size, enum kapi_gfp gfp)
{
	return kmalloc(size, kapi_to_gfp(gfp));
}

void *kapi_kzalloc(size_t size, enum kapi_gfp gfp)
{
	return kzalloc(size, kapi_to_gfp(gfp));
}

void *kapi_kvzalloc(size_t size)
{
	return kvzalloc(size, GFP_KERNEL);
}

void kapi_kfree(const void *p)
{
	kfree(p);
}

void kapi_kvfree(const void *p)
{
	kvfree(p);
}
