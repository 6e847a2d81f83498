/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/driver/common.h - names every driver header shares.
 *
 * include/ipoib/driver/ holds the driver's own classes, one header per
 * area (iface, path, mcast, port). Unlike the headers directly under
 * include/ipoib, these use the kernel abstractions (include/kern) and
 * build only into the module; the others stay pure and are unit-tested
 * in userspace.
 */
#ifndef IPOIB_DRIVER_COMMON_H
#define IPOIB_DRIVER_COMMON_H

#include "ipoib/wire.h"
#include "kern/base.h"
#include "kern/log.h"
#include "kern/memory.h"
#include "kern/netdev.h"
#include "kern/result.h"
#include "kern/skb.h"
#include "kern/time.h"
#include "kern/module.h"

namespace ipoib {

using kern::Error;
using kern::Gfp;
using kern::IbDevice;
using kern::NetDev;
using kern::Result;
using kern::Skb;
using kern::Status;
using kern::likely;
using kern::unlikely;

/* Debug tracing, enabled at run time through the debug_level parameter. */
#define ipoib_dbg(fmt, ...)                                         \
	do {                                                        \
		if (kern::params::debug_level() > 0)                \
			kern_dbg(fmt, ##__VA_ARGS__);               \
	} while (0)

class Iface;
class Port;

/* Conversions between the abstraction layer's raw GID and the wire type. */
inline Gid to_wire(const kern::Gid &g) noexcept { return Gid(g.raw); }
inline kern::Gid to_kern(const Gid &g) noexcept
{
	kern::Gid out;
	for (usize i = 0; i < Gid::kLen; i++)
		out.raw[i] = g.raw()[i];
	return out;
}

/* Port events, reduced to what an interface must do (b10 of the reference). */
enum class FlushLevel : u8 { Light, Normal, Heavy };

} // namespace ipoib

#endif /* IPOIB_DRIVER_COMMON_H */
