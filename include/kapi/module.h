/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kapi/module.h - module lifetime and module parameters.
 *
 * module_init/module_exit live in kapi/module.c and call the upcalls
 * below. The parameters are declared there with module_param_named() on
 * the fields of kapi_params; C++ validates them at init and writes the
 * effective values back, so /sys/module/ib_ipoib/parameters shows what
 * is in force.
 */
#ifndef KAPI_MODULE_H
#define KAPI_MODULE_H
#include "types.h"

struct kapi_params {
	int send_queue_size;   /* 0444 */
	int recv_queue_size;   /* 0444 */
	int debug_level;       /* 0644: read it with kapi_param_read() */
	int max_nonsrq_conn_qp; /* 0444 */
	int cm_stale_ms;        /* 0444; test-only: 0 = the in-tree stale timing */
	int cm_csum_free;       /* 0644: advertise kCapCsumFree in REQ/REP */
};

KAPI_BEGIN_DECLS

extern struct kapi_params kapi_params;

/* READ_ONCE of a parameter that sysfs may change at run time. */
int kapi_param_read(const int *param);

/* Upcalls implemented in C++. Context: process. */
int kapi_upcall_module_init(void);
void kapi_upcall_module_exit(void);
/* The fail_nth parameter (test only): set returns 0 or -EINVAL; get the count still to go. */
int kapi_upcall_fail_nth_set(int n);
int kapi_upcall_fail_nth_get(void);

KAPI_END_DECLS
#endif
