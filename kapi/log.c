// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Kernel log and WARN shims. Every line carries the module name. */
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/ratelimit.h>
#include <linux/bug.h>

#include "kapi/log.h"

static_assert(KAPI_LOG_ERR == LOGLEVEL_ERR);
static_assert(KAPI_LOG_WARNING == LOGLEVEL_WARNING);
static_assert(KAPI_LOG_NOTICE == LOGLEVEL_NOTICE);
static_assert(KAPI_LOG_INFO == LOGLEVEL_INFO);
static_assert(KAPI_LOG_DEBUG == LOGLEVEL_DEBUG);

static void kapi_vlog(enum kapi_log_level level, const char *fmt, va_list *args)
{
	struct va_format vaf = { .fmt = fmt, .va = args };

	/* Debug lines go to KERN_INFO: the driver gates them on debug_level itself. */
	switch (level) {
	case KAPI_LOG_ERR:
		pr_err(KBUILD_MODNAME ": %pV\n", &vaf);
		break;
	case KAPI_LOG_WARNING:
		pr_warn(KBUILD_MODNAME ": %pV\n", &vaf);
		break;
	case KAPI_LOG_NOTICE:
		pr_notice(KBUILD_MODNAME ": %pV\n", &vaf);
		break;
	case KAPI_LOG_INFO:
	case KAPI_LOG_DEBUG:
	default:
		pr_info(KBUILD_MODNAME ": %pV\n", &vaf);
		break;
	}
}

void kapi_log(enum kapi_log_level level, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	kapi_vlog(level, fmt, &args);
	va_end(args);
}

void kapi_log_ratelimited(enum kapi_log_level level, const char *fmt, ...)
{
	static DEFINE_RATELIMIT_STATE(rs, DEFAULT_RATELIMIT_INTERVAL, DEFAULT_RATELIMIT_BURST);
	va_list args;

	if (!__ratelimit(&rs))
		return;
	va_start(args, fmt);
	kapi_vlog(level, fmt, &args);
	va_end(args);
}

void kapi_warn(const char *file, int line, const char *msg)
{
	WARN(1, KBUILD_MODNAME ": %s:%d: %s\n", file, line, msg);
}
