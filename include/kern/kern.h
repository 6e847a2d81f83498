/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/kern.h - the whole C++ support library in one include.
 *
 * Driver files that use several facilities include this instead of a list
 * of headers. Each header stays self-contained, so narrower includes work
 * too and keep rebuilds small.
 */
#ifndef KERN_KERN_H
#define KERN_KERN_H

#include "kern/base.h"
#include "kern/endian.h"
#include "kern/list.h"
#include "kern/lock.h"
#include "kern/memory.h"
#include "kern/refcount.h"
#include "kern/result.h"
#include "kern/span.h"

#endif /* KERN_KERN_H */
