// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Module lifetime and parameters. The decisions (validation, clamping,
 * what to register) are made in C++ (ipoib_main.cc); this file only
 * declares what the kernel needs to see in C.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/kernel.h>
#include <linux/sysfs.h>
#include <linux/rcupdate.h>

#include "kapi/module.h"

MODULE_AUTHOR("IPoIB C++ driver team");
MODULE_DESCRIPTION("IP-over-InfiniBand net driver (C++ implementation)");
MODULE_LICENSE("Dual BSD/GPL");
MODULE_VERSION(IPOIB_VERSION);
/* MODULE_ALIAS_RTNL_LINK("ipoib") is in kapi/rtnl.c, beside the ops. */

/* Defaults match the in-tree driver. */
struct kapi_params kapi_params = {
	.send_queue_size = 128,
	.recv_queue_size = 256,
	.debug_level = 0,
	.max_nonsrq_conn_qp = 128,
	.cm_stale_ms = 0,
	.cm_csum_free = 1,
};

module_param_named(send_queue_size, kapi_params.send_queue_size, int, 0444);
MODULE_PARM_DESC(send_queue_size,
		 "Number of descriptors in send queue (power of 2, 128..8192; default 128)");
module_param_named(recv_queue_size, kapi_params.recv_queue_size, int, 0444);
MODULE_PARM_DESC(recv_queue_size,
		 "Number of descriptors in receive queue (power of 2, 2..8192; default 256)");
module_param_named(debug_level, kapi_params.debug_level, int, 0644);
MODULE_PARM_DESC(debug_level, "Enable debug tracing if > 0");
module_param_named(max_nonsrq_conn_qp, kapi_params.max_nonsrq_conn_qp, int, 0444);
MODULE_PARM_DESC(max_nonsrq_conn_qp,
		 "Max number of connected-mode QPs per interface (applied only if shared receive queue is not available)");
module_param_named(cm_stale_ms, kapi_params.cm_stale_ms, int, 0444);
MODULE_PARM_DESC(cm_stale_ms,
		 "Test only: idle ms after which a passive connected-mode connection is reaped (0: 512 s, checked every 768 s, as in-tree)");

module_param_named(cm_csum_free, kapi_params.cm_csum_free, int, 0644);
MODULE_PARM_DESC(cm_csum_free,
		 "Tell connecting peers that TCP/UDP packets may leave their checksum to the RC ICRC (connected mode; default 1, 0 to refuse)");

/*
 * Test only: allocation-failure injection (kern::alloc_fail_nth_*). The
 * count lives in C++; these only parse and print it.
 */
static int kapi_fail_nth_set(const char *val, const struct kernel_param *kp)
{
	int n;
	int err = kstrtoint(val, 0, &n);

	if (err)
		return err;
	return kapi_upcall_fail_nth_set(n);
}

static int kapi_fail_nth_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", kapi_upcall_fail_nth_get());
}

static const struct kernel_param_ops kapi_fail_nth_ops = {
	.set = kapi_fail_nth_set,
	.get = kapi_fail_nth_get,
};
module_param_cb(fail_nth, &kapi_fail_nth_ops, NULL, 0600);
MODULE_PARM_DESC(fail_nth,
		 "Test only: the nth allocation the driver makes from now on fails, once (0: off; reads back how many are still to go)");

int kapi_param_read(const int *param)
{
	return READ_ONCE(*param);
}

static int __init kapi_module_init(void)
{
	return kapi_upcall_module_init();
}

static void __exit kapi_module_exit(void)
{
	kapi_upcall_module_exit();
	/* Callbacks queued by kapi_call_rcu run code of this module. */
	rcu_barrier();
}

module_init(kapi_module_init);
module_exit(kapi_module_exit);
