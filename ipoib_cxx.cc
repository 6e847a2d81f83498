// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ipoib_cxx.cc - every C++ source of the module, built as one translation
 * unit (see Documentation/design.md, "One C++ object").
 *
 * Why: an inline function or template the compiler does not inline is
 * emitted as a COMDAT group in each object that uses it. When the module
 * is linked, one copy is kept and the others discarded, but the kernel's
 * per-object tables that point at code (.return_sites, .retpoline_sites,
 * ORC, __mcount_loc) still list the discarded copies, redirected to the
 * kept one: module load then patches the same return twice ("missing
 * return thunk" WARN) or the link fails. With one C++ object there are
 * no duplicates. The sources stay one file per area; only the build
 * joins them. scripts/Kbuild.cxx rejects a second C++ object that would
 * reintroduce the problem.
 */
#include "kern/cxx_runtime.cc"
#include "kern/ib.cc"
#include "ipoib_main.cc"
#include "ipoib_iface.cc"
#include "ipoib_path.cc"
#include "ipoib_ud.cc"
#include "ipoib_mcast.cc"
#include "ipoib_vlan.cc"
#include "ipoib_cm.cc"
#include "ipoib_ethtool.cc"
#include "ipoib_rx_moder.cc"
