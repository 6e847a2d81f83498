// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The little C++ runtime support the kernel build needs.
 *
 * g++ emits a deleting destructor for every class with a virtual
 * destructor, and that references the sized and unsized global operator
 * delete even when no delete-expression exists. Objects are only ever
 * created by kern::make() (kzalloc) and destroyed by kern::UniquePtr or
 * RefPtr (destructor + kfree), so these just kfree.
 * The global operator new is deliberately not defined: kern/enforce.h
 * deletes it and the build rejects any object that references it.
 */
#include "kapi/log.h"
#include "kapi/mem.h"

void operator delete(void *p) noexcept
{
	kapi_kfree(p);
}

void operator delete(void *p, __SIZE_TYPE__) noexcept
{
	kapi_kfree(p);
}

extern "C" void __cxa_pure_virtual();
extern "C" void __cxa_pure_virtual()
{
	kapi_warn(__FILE__, __LINE__, "pure virtual function called");
}
