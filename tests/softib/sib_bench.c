// SPDX-License-Identifier: GPL-2.0
/*
 * softib: raw UD throughput of the wire, measured through the verbs API.
 *
 * Two UD QPs, on the first and second port of the fabric, stream MTU-sized
 * sends; the receiver reposts every buffer as soon as it completes.  The
 * sender keeps at most RECV_DEPTH messages in flight so no packet is lost
 * for want of a receive WQE.  The figure is the ceiling for IPoIB datagram
 * mode over this fabric.
 *
 *   echo 200000 > /sys/kernel/debug/softib/bench    # runs, takes a while
 *   cat /sys/kernel/debug/softib/bench
 */
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "sib.h"

#define SIB_BENCH_SEND_DEPTH	256
#define SIB_BENCH_RECV_DEPTH	512
#define SIB_BENCH_QKEY		0x11111111
#define SIB_BENCH_STALL_MS	2000

static DEFINE_MUTEX(sib_bench_mutex);
static char sib_bench_result[256] = "not run\n";

struct sib_bench {
	struct sib_port *pa, *pb;
	struct ib_pd *pd_a, *pd_b;
	struct ib_cq *cq_a, *cq_b;
	struct ib_qp *qp_a, *qp_b;
	struct ib_ah *ah;
	void *sbuf;
	void *rbuf;
	u32 rlen;
};

static int sib_bench_qp_up(struct ib_qp *qp, struct sib_port *port)
{
	struct ib_qp_attr a = {
		.qp_state = IB_QPS_INIT,
		.pkey_index = 0,
		.port_num = port->port_num,
		.qkey = SIB_BENCH_QKEY,
	};
	int ret;

	ret = ib_modify_qp(qp, &a, IB_QP_STATE | IB_QP_PKEY_INDEX |
			   IB_QP_PORT | IB_QP_QKEY);
	if (ret)
		return ret;
	a.qp_state = IB_QPS_RTR;
	ret = ib_modify_qp(qp, &a, IB_QP_STATE);
	if (ret)
		return ret;
	a.qp_state = IB_QPS_RTS;
	a.sq_psn = 0;
	return ib_modify_qp(qp, &a, IB_QP_STATE | IB_QP_SQ_PSN);
}

static struct ib_qp *sib_bench_qp(struct ib_pd *pd, struct ib_cq *cq,
				  u32 send, u32 recv)
{
	struct ib_qp_init_attr init = {
		.send_cq = cq,
		.recv_cq = cq,
		.cap = {
			.max_send_wr = send,
			.max_recv_wr = recv,
			.max_send_sge = 1,
			.max_recv_sge = 1,
		},
		.sq_sig_type = IB_SIGNAL_ALL_WR,
		.qp_type = IB_QPT_UD,
	};

	return ib_create_qp(pd, &init);
}

static int sib_bench_post_recv(struct sib_bench *b, u64 i)
{
	struct ib_sge sge = {
		.addr = (uintptr_t)(b->rbuf + i * b->rlen),
		.length = b->rlen,
		.lkey = b->pd_b->local_dma_lkey,
	};
	struct ib_recv_wr wr = { .wr_id = i, .sg_list = &sge, .num_sge = 1 };

	return ib_post_recv(b->qp_b, &wr, NULL);
}

static int sib_bench_post_send(struct sib_bench *b, u32 len)
{
	struct ib_sge sge = {
		.addr = (uintptr_t)b->sbuf,
		.length = len,
		.lkey = b->pd_a->local_dma_lkey,
	};
	struct ib_ud_wr wr = {
		.wr = {
			.sg_list = &sge,
			.num_sge = 1,
			.opcode = IB_WR_SEND,
			.send_flags = IB_SEND_SIGNALED,
		},
		.ah = b->ah,
		.remote_qpn = b->qp_b->qp_num,
		.remote_qkey = SIB_BENCH_QKEY,
	};

	return ib_post_send(b->qp_a, &wr.wr, NULL);
}

static void sib_bench_free(struct sib_bench *b)
{
	if (!IS_ERR_OR_NULL(b->qp_a))
		ib_destroy_qp(b->qp_a);
	if (!IS_ERR_OR_NULL(b->qp_b))
		ib_destroy_qp(b->qp_b);
	if (!IS_ERR_OR_NULL(b->ah))
		rdma_destroy_ah(b->ah, RDMA_DESTROY_AH_SLEEPABLE);
	if (!IS_ERR_OR_NULL(b->cq_a))
		ib_destroy_cq(b->cq_a);
	if (!IS_ERR_OR_NULL(b->cq_b))
		ib_destroy_cq(b->cq_b);
	if (!IS_ERR_OR_NULL(b->pd_a))
		ib_dealloc_pd(b->pd_a);
	if (!IS_ERR_OR_NULL(b->pd_b))
		ib_dealloc_pd(b->pd_b);
	kfree(b->sbuf);
	kvfree(b->rbuf);
}

static int sib_bench_setup(struct sib_bench *b)
{
	struct ib_cq_init_attr cqa = {
		.cqe = SIB_BENCH_SEND_DEPTH + SIB_BENCH_RECV_DEPTH,
	};
	struct rdma_ah_attr ah = {};
	u32 len = sib_mtu_bytes();
	int i, ret;

	b->pd_a = ib_alloc_pd(&b->pa->sdev->ib, 0);
	if (IS_ERR(b->pd_a))
		return PTR_ERR(b->pd_a);
	b->pd_b = ib_alloc_pd(&b->pb->sdev->ib, 0);
	if (IS_ERR(b->pd_b))
		return PTR_ERR(b->pd_b);
	b->cq_a = ib_create_cq(&b->pa->sdev->ib, NULL, NULL, NULL, &cqa);
	if (IS_ERR(b->cq_a))
		return PTR_ERR(b->cq_a);
	b->cq_b = ib_create_cq(&b->pb->sdev->ib, NULL, NULL, NULL, &cqa);
	if (IS_ERR(b->cq_b))
		return PTR_ERR(b->cq_b);
	b->qp_a = sib_bench_qp(b->pd_a, b->cq_a, SIB_BENCH_SEND_DEPTH, 1);
	if (IS_ERR(b->qp_a))
		return PTR_ERR(b->qp_a);
	b->qp_b = sib_bench_qp(b->pd_b, b->cq_b, 1, SIB_BENCH_RECV_DEPTH);
	if (IS_ERR(b->qp_b))
		return PTR_ERR(b->qp_b);
	ret = sib_bench_qp_up(b->qp_a, b->pa);
	if (!ret)
		ret = sib_bench_qp_up(b->qp_b, b->pb);
	if (ret)
		return ret;

	ah.type = RDMA_AH_ATTR_TYPE_IB;
	rdma_ah_set_dlid(&ah, READ_ONCE(b->pb->lid));
	rdma_ah_set_port_num(&ah, b->pa->port_num);
	b->ah = rdma_create_ah(b->pd_a, &ah, RDMA_CREATE_AH_SLEEPABLE);
	if (IS_ERR(b->ah))
		return PTR_ERR(b->ah);

	b->sbuf = kzalloc(len, GFP_KERNEL);
	b->rlen = len + SIB_GRH_BYTES;
	b->rbuf = kvzalloc((size_t)b->rlen * SIB_BENCH_RECV_DEPTH, GFP_KERNEL);
	if (!b->sbuf || !b->rbuf)
		return -ENOMEM;
	for (i = 0; i < SIB_BENCH_RECV_DEPTH; i++) {
		ret = sib_bench_post_recv(b, i);
		if (ret)
			return ret;
	}
	return 0;
}

static int sib_bench_run(u32 npkts)
{
	struct sib_bench b = {};
	u32 sent = 0, scomp = 0, recvd = 0, len = sib_mtu_bytes();
	ktime_t start, last_progress;
	u64 usecs, bytes;
	struct ib_wc wc[16];
	int i, n, ret = 0;

	if (sib_fabric.nports_total < 2)
		return -ENODEV;
	b.pa = &sib_fabric.devs[0]->ports[0];
	b.pb = sib_fabric.devs[0]->nports > 1 ? &sib_fabric.devs[0]->ports[1] :
						&sib_fabric.devs[1]->ports[0];
	ret = sib_bench_setup(&b);
	if (ret)
		goto out;

	start = ktime_get();
	last_progress = start;
	while (recvd < npkts) {
		bool progress = false;

		while (sent < npkts && sent - recvd < SIB_BENCH_RECV_DEPTH &&
		       sent - scomp < SIB_BENCH_SEND_DEPTH) {
			ret = sib_bench_post_send(&b, len);
			if (ret)
				goto out;
			sent++;
			progress = true;
		}
		n = ib_poll_cq(b.cq_a, ARRAY_SIZE(wc), wc);
		for (i = 0; i < n; i++)
			if (wc[i].status != IB_WC_SUCCESS)
				ret = -EIO;
		scomp += n;
		progress |= n > 0;
		n = ib_poll_cq(b.cq_b, ARRAY_SIZE(wc), wc);
		for (i = 0; i < n; i++) {
			if (wc[i].status != IB_WC_SUCCESS ||
			    wc[i].byte_len != len + SIB_GRH_BYTES)
				ret = -EIO;
			else
				recvd++;
			if (sib_bench_post_recv(&b, wc[i].wr_id))
				ret = -EIO;
		}
		progress |= n > 0;
		if (ret)
			goto out;
		if (progress) {
			last_progress = ktime_get();
		} else if (ktime_ms_delta(ktime_get(), last_progress) >
			   SIB_BENCH_STALL_MS) {
			break;	/* lost packets (drop knobs) end the run */
		} else if (signal_pending(current)) {
			ret = -EINTR;
			goto out;
		}
		cond_resched();
	}
	usecs = max_t(u64, ktime_us_delta(ktime_get(), start), 1);
	bytes = (u64)recvd * len;
	snprintf(sib_bench_result, sizeof(sib_bench_result),
		 "msg_size %u sent %u received %u usecs %llu pps %llu MBps %llu\n",
		 len, sent, recvd, usecs, div64_u64((u64)recvd * USEC_PER_SEC, usecs),
		 div64_u64(bytes, usecs));
	pr_info("softib: bench: %s", sib_bench_result);
out:
	sib_bench_free(&b);
	return ret;
}

static ssize_t sib_bench_read(struct file *f, char __user *buf, size_t len,
			      loff_t *pos)
{
	ssize_t ret;

	mutex_lock(&sib_bench_mutex);
	ret = simple_read_from_buffer(buf, len, pos, sib_bench_result,
				      strlen(sib_bench_result));
	mutex_unlock(&sib_bench_mutex);
	return ret;
}

/* Write the number of messages to send; returns when the run is over. */
static ssize_t sib_bench_write(struct file *f, const char __user *ubuf,
			       size_t len, loff_t *pos)
{
	u32 npkts;
	int ret;

	ret = kstrtou32_from_user(ubuf, len, 0, &npkts);
	if (ret)
		return ret;
	if (!npkts || npkts > 100000000)
		return -EINVAL;
	mutex_lock(&sib_bench_mutex);
	ret = sib_bench_run(npkts);
	mutex_unlock(&sib_bench_mutex);
	return ret ? ret : len;
}

static const struct file_operations sib_bench_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = sib_bench_read,
	.write = sib_bench_write,
};

void sib_bench_debugfs(struct dentry *root)
{
	debugfs_create_file("bench", 0600, root, NULL, &sib_bench_fops);
}
