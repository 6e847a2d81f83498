/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* kapi/mem.h - heap allocation. Implemented in kapi/mem.c (kernel) and
 * tests/unit/kapi_user.cc (userspace, with failure injection). */
#ifndef KAPI_MEM_H
#define KAPI_MEM_H
#include "types.h"

KAPI_BEGIN_DECLS

/*
 * Context: any; KAPI_GFP_KERNEL may sleep.
 * Returns: NULL on failure. Memory is aligned for any builtin type.
 */
void *kapi_kmalloc(kapi_size size, enum kapi_gfp gfp);
void *kapi_kzalloc(kapi_size size, enum kapi_gfp gfp);
/* kvzalloc: large tables (rings, hashes). Context: may sleep. */
void *kapi_kvzalloc(kapi_size size);
/* Context: any. NULL is a no-op. */
void kapi_kfree(const void *p);
void kapi_kvfree(const void *p);

KAPI_END_DECLS
#endif
