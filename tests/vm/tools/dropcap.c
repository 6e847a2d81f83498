// SPDX-License-Identifier: GPL-2.0
/*
 * dropcap: run a command without CAP_NET_ADMIN (busybox has no setpriv or
 * capsh, and the VM image has no libcap).
 *
 *   dropcap [-u UID] CMD [ARG...]
 *
 * Drops CAP_NET_ADMIN from the bounding set (so that exec as root does not
 * give it back), clears the ambient set, removes it from the effective,
 * permitted and inheritable sets with capset(2), optionally switches to
 * UID (and its group, same number), then execvp()s CMD. Built statically
 * by tests/vm/mkroot.sh; raw syscalls, no libcap.
 */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int drop(int cap)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int i = CAP_TO_INDEX(cap);
	unsigned int bit = CAP_TO_MASK(cap);

	if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)) {
		perror("dropcap: PR_CAPBSET_DROP");
		return -1;
	}
	/* No ambient set on old kernels: EINVAL is fine there. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL) {
		perror("dropcap: PR_CAP_AMBIENT_CLEAR_ALL");
		return -1;
	}
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data)) {
		perror("dropcap: capget");
		return -1;
	}
	data[i].effective &= ~bit;
	data[i].permitted &= ~bit;
	data[i].inheritable &= ~bit;
	if (syscall(SYS_capset, &hdr, data)) {
		perror("dropcap: capset");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long uid = -1;
	int a = 1;

	if (argc > 2 && !strcmp(argv[1], "-u")) {
		uid = strtol(argv[2], NULL, 10);
		a = 3;
	}
	if (a >= argc) {
		fprintf(stderr, "usage: dropcap [-u UID] CMD [ARG...]\n");
		return 2;
	}
	if (drop(CAP_NET_ADMIN))
		return 1;
	if (uid >= 0 && (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid))) {
		perror("dropcap: setresuid");
		return 1;
	}
	execvp(argv[a], argv + a);
	fprintf(stderr, "dropcap: %s: %s\n", argv[a], strerror(errno));
	return 127;
}
