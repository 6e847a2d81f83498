/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/log.h - kernel log lines from C++.
 *
 * Macros rather than functions so that the format string keeps printf
 * checking at the call site. Every line is prefixed "ib_ipoib: " by the
 * glue; driver code adds the interface or device name itself, so each
 * message names what it is about.
 */
#ifndef KERN_LOG_H
#define KERN_LOG_H

#include "kapi/log.h"

#define kern_err(fmt, ...) kapi_log(KAPI_LOG_ERR, fmt, ##__VA_ARGS__)
#define kern_warn(fmt, ...) kapi_log(KAPI_LOG_WARNING, fmt, ##__VA_ARGS__)
#define kern_notice(fmt, ...) kapi_log(KAPI_LOG_NOTICE, fmt, ##__VA_ARGS__)
#define kern_info(fmt, ...) kapi_log(KAPI_LOG_INFO, fmt, ##__VA_ARGS__)
#define kern_dbg(fmt, ...) kapi_log(KAPI_LOG_DEBUG, fmt, ##__VA_ARGS__)
#define kern_warn_ratelimited(fmt, ...) kapi_log_ratelimited(KAPI_LOG_WARNING, fmt, ##__VA_ARGS__)

/* An invariant broke: WARN with file and line, then carry on. */
#define KERN_WARN_ON(cond)                                   \
	({                                                   \
		bool kern_warn_on_ = !!(cond);               \
		if (__builtin_expect(kern_warn_on_, 0))      \
			kapi_warn(__FILE__, __LINE__, #cond); \
		kern_warn_on_;                               \
	})

#endif /* KERN_LOG_H */
