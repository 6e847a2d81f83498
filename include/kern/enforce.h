/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/enforce.h - make a plain `new T` a compile error in kernel builds.
 *
 * Kernel allocations need an explicit allocation context (Gfp), which the
 * global operator new cannot take, so all heap objects are made through
 * kern::make() and friends. Without this header an accidental `new T` only
 * shows up at modpost time as an undefined `_Znwm`; with it, the compiler
 * rejects the expression at its source line.
 *
 * Deleting the implicitly declared global forms draws a pedantic warning
 * ("not first declaration") that has no -W switch, and kbuild may build with
 * -Werror. Marking this one small file as a system header silences exactly
 * that warning and nothing else, which is why these declarations live apart
 * from kern/base.h. Placement new is a different overload and stays usable.
 *
 * Included by kern/base.h in kernel mode only: userspace tests link gtest,
 * which needs the real global operator new.
 */
#ifndef KERN_ENFORCE_H
#define KERN_ENFORCE_H

#ifdef __KERNEL__
#pragma GCC system_header

void *operator new(__SIZE_TYPE__) = delete;
void *operator new[](__SIZE_TYPE__) = delete;
#endif

#endif /* KERN_ENFORCE_H */
