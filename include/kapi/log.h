/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* kapi/log.h - kernel log and WARN. Implemented in kapi/log.c. */
#ifndef KAPI_LOG_H
#define KAPI_LOG_H
#include "types.h"

KAPI_BEGIN_DECLS

/*
 * One printk line, prefixed with the module name ("ib_ipoib: ").
 * Context: any. The format is printk's (kernel %p extensions work).
 */
void kapi_log(enum kapi_log_level level, const char *fmt, ...) KAPI_PRINTF(2, 3);

/*
 * Rate-limited variant for data paths. Context: any.
 */
void kapi_log_ratelimited(enum kapi_log_level level, const char *fmt, ...) KAPI_PRINTF(2, 3);

/*
 * An invariant broke: WARN with the caller's file:line and message, every
 * time (all C++ warnings share this one C call site, so WARN_ONCE here
 * would hide every report after the first).
 * Never noreturn (objtool cannot see through it from C++); the caller
 * carries on with an error path.
 */
void kapi_warn(const char *file, int line, const char *msg);

KAPI_END_DECLS
#endif
