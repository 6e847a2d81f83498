/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/module.h - the module parameters (kapi/module.c declares them
 * with module_param; see kapi/module.h), read by the driver through
 * these accessors rather than the glue's struct.
 */
#ifndef KERN_MODULE_H
#define KERN_MODULE_H

#include "kapi/module.h"
#include "kern/base.h"

namespace kern {

namespace params {

/* Fixed after module init (validated and written back by the driver). */
inline u32 send_queue_size() noexcept { return static_cast<u32>(kapi_params.send_queue_size); }
inline u32 recv_queue_size() noexcept { return static_cast<u32>(kapi_params.recv_queue_size); }
inline u32 max_nonsrq_conn_qp() noexcept
{
	return kapi_params.max_nonsrq_conn_qp > 0 ? static_cast<u32>(kapi_params.max_nonsrq_conn_qp) : 0;
}
/* Test-only: 0 means the in-tree stale timing. */
inline int cm_stale_ms() noexcept { return kapi_params.cm_stale_ms; }
/* Writable at run time through sysfs: read it each time. */
inline bool cm_csum_free() noexcept { return kapi_param_read(&kapi_params.cm_csum_free) != 0; }
inline int debug_level() noexcept { return kapi_param_read(&kapi_params.debug_level); }

} // namespace params

} // namespace kern

#endif /* KERN_MODULE_H */
