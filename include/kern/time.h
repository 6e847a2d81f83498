/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/time.h - jiffies and sleeping, so driver code never calls the
 * glue for time. Jiffies are the kernel's 64-bit tick count; comparisons
 * wrap correctly as time_after64() does.
 */
#ifndef KERN_TIME_H
#define KERN_TIME_H

#include "kapi/work.h"
#include "kern/base.h"

namespace kern {

namespace time {

/* The current tick. Context: any. */
inline u64 now() noexcept { return kapi_jiffies(); }
inline u64 from_ms(u32 ms) noexcept { return kapi_msecs_to_jiffies(ms); }
inline u32 to_ms(u64 j) noexcept { return kapi_jiffies_to_msecs(j); }
/* Monotonic microseconds (ktime), for intervals finer than a tick. Context: any. */
inline u64 now_us() noexcept { return kapi_ktime_get_us(); }
/* a is after b (wrap-safe, as time_after64). */
constexpr bool after(u64 a, u64 b) noexcept { return static_cast<s64>(b - a) < 0; }
/* now + ms, as a deadline for after(). */
inline u64 deadline_ms(u32 ms) noexcept { return now() + from_ms(ms); }
inline bool passed(u64 deadline) noexcept { return after(now(), deadline); }
/* Context: process; sleeps. */
inline void sleep_ms(u32 ms) noexcept { kapi_msleep(ms); }

} // namespace time

} // namespace kern

#endif /* KERN_TIME_H */
