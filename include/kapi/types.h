/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kapi/types.h - plain types shared by the C glue and C++.
 *
 * Everything that crosses the kapi boundary is built from compiler builtin
 * types, opaque struct handles and the enums below. No kernel header is
 * included here: C++ compiles this file with -nostdinc and no kernel -I.
 * The glue (the kapi C files) static_asserts that these match the kernel's values.
 */
#ifndef KAPI_TYPES_H
#define KAPI_TYPES_H

#ifdef __cplusplus
#define KAPI_BEGIN_DECLS extern "C" {
#define KAPI_END_DECLS }
#else
#define KAPI_BEGIN_DECLS
#define KAPI_END_DECLS
#endif

/* Builtin-derived fixed-width types; identical in C and C++. */
typedef __UINT8_TYPE__ kapi_u8;
typedef __UINT16_TYPE__ kapi_u16;
typedef __UINT32_TYPE__ kapi_u32;
typedef unsigned long long kapi_u64; /* the kernel's u64 */
typedef __INT32_TYPE__ kapi_s32;
typedef long long kapi_s64;
typedef __SIZE_TYPE__ kapi_size;

#if defined(__GNUC__)
#define KAPI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define KAPI_PRINTF(a, b)
#endif

/* Allocation context. Mapped to GFP_* inside kapi/mem.c. */
enum kapi_gfp {
	KAPI_GFP_KERNEL = 0, /* may sleep */
	KAPI_GFP_ATOMIC = 1, /* atomic context, may use reserves */
	KAPI_GFP_NOWAIT = 2, /* atomic context, no reserves */
};

/* Log levels. Mapped to KERN_* inside kapi/log.c. */
enum kapi_log_level {
	KAPI_LOG_ERR = 3,
	KAPI_LOG_WARNING = 4,
	KAPI_LOG_NOTICE = 5,
	KAPI_LOG_INFO = 6,
	KAPI_LOG_DEBUG = 7,
};

#endif /* KAPI_TYPES_H */
