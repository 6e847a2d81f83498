// SPDX-License-Identifier: GPL-2.0
/*
 * softib: verbs-level self-test of the wire semantics that IPoIB cannot
 * provoke on its own: Q_Key/P_Key drops, the Q_Key high bit, the GRH slot,
 * multicast loopback with GRH, missed-event reporting, RC ordering, RNR and
 * retry-exceeded, flush to ERR and LAST_WQE_REACHED, and SA answers to
 * requests ipoib never makes.  It runs as an ordinary
 * kernel verbs consumer between the first two ports of the fabric.
 *
 *   echo 1 > /sys/kernel/debug/softib/selftest; cat /sys/kernel/debug/softib/selftest
 */
#include <linux/delay.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif
#include <rdma/ib_sa.h>

#include "sib.h"

#define ST_QKEY		0x22222222
#define ST_LEN		1000
#define ST_BUF		4096

struct sib_st {
	struct sib_port *pa, *pb;
	struct ib_pd *pd_a, *pd_b;
	struct ib_cq *cq_a, *cq_b;
	void *abuf, *bbuf;
	atomic_t comp_events;
	atomic_t last_wqe;
	char *out;
	size_t outlen, used;
	int passed, failed;
};

static DEFINE_MUTEX(sib_st_mutex);
static char sib_st_result[4096] = "not run\n";

static void sib_st_report(struct sib_st *t, bool ok, const char *name,
			  long detail)
{
	if (ok)
		t->passed++;
	else
		t->failed++;
	t->used += scnprintf(t->out + t->used, t->outlen - t->used,
			     ok ? "ok %s\n" : "not ok %s (%ld)\n", name, detail);
}

static void sib_st_comp(struct ib_cq *cq, void *ctx)
{
	struct sib_st *t = ctx;

	atomic_inc(&t->comp_events);
}

static void sib_st_qp_event(struct ib_event *ev, void *ctx)
{
	struct sib_st *t = ctx;

	if (ev->event == IB_EVENT_QP_LAST_WQE_REACHED)
		atomic_inc(&t->last_wqe);
}

/* Wait up to @ms for one completion. */
static bool sib_st_poll(struct ib_cq *cq, struct ib_wc *wc, int ms)
{
	int i;

	for (i = 0; i <= ms; i++) {
		if (ib_poll_cq(cq, 1, wc) == 1)
			return true;
		usleep_range(1000, 1200);
	}
	return false;
}

static struct ib_qp *sib_st_qp(struct sib_st *t, struct ib_pd *pd,
			       struct ib_cq *cq, enum ib_qp_type type,
			       struct ib_srq *srq)
{
	struct ib_qp_init_attr init = {
		.event_handler = sib_st_qp_event,
		.qp_context = t,
		.send_cq = cq,
		.recv_cq = cq,
		.srq = srq,
		.cap = {
			.max_send_wr = 16,
			.max_recv_wr = srq ? 0 : 16,
			.max_send_sge = 2,
			.max_recv_sge = 2,
		},
		.sq_sig_type = IB_SIGNAL_ALL_WR,
		.qp_type = type,
	};

	return ib_create_qp(pd, &init);
}

static int sib_st_ud_up(struct ib_qp *qp, struct sib_port *port, u16 pkey_index)
{
	struct ib_qp_attr a = {
		.qp_state = IB_QPS_INIT,
		.pkey_index = pkey_index,
		.port_num = port->port_num,
		.qkey = ST_QKEY,
	};
	int ret;

	ret = ib_modify_qp(qp, &a, IB_QP_STATE | IB_QP_PKEY_INDEX |
			   IB_QP_PORT | IB_QP_QKEY);
	a.qp_state = IB_QPS_RTR;
	if (!ret)
		ret = ib_modify_qp(qp, &a, IB_QP_STATE);
	a.qp_state = IB_QPS_RTS;
	if (!ret)
		ret = ib_modify_qp(qp, &a, IB_QP_STATE | IB_QP_SQ_PSN);
	return ret;
}

/* Bring an RC QP to RTS towards (@dport, @dqpn), as ib_cm would. */
static int sib_st_rc_up(struct ib_qp *qp, struct sib_port *port,
			struct sib_port *dport, u32 dqpn, u8 rnr_retry,
			u8 retry_cnt)
{
	struct ib_qp_attr a = {
		.qp_state = IB_QPS_INIT,
		.pkey_index = 0,
		.port_num = port->port_num,
		.qp_access_flags = 0,
	};
	int ret;

	ret = ib_modify_qp(qp, &a, IB_QP_STATE | IB_QP_PKEY_INDEX |
			   IB_QP_PORT | IB_QP_ACCESS_FLAGS);
	if (ret)
		return ret;
	a.qp_state = IB_QPS_RTR;
	a.ah_attr.type = RDMA_AH_ATTR_TYPE_IB;
	rdma_ah_set_dlid(&a.ah_attr, READ_ONCE(dport->lid));
	rdma_ah_set_port_num(&a.ah_attr, port->port_num);
	a.path_mtu = sib_mtu_enum();
	a.dest_qp_num = dqpn;
	a.rq_psn = 0;
	a.max_dest_rd_atomic = 1;
	a.min_rnr_timer = 1;	/* 0.01 ms */
	ret = ib_modify_qp(qp, &a, IB_QP_STATE | IB_QP_AV | IB_QP_PATH_MTU |
			   IB_QP_DEST_QPN | IB_QP_RQ_PSN |
			   IB_QP_MAX_DEST_RD_ATOMIC | IB_QP_MIN_RNR_TIMER);
	if (ret)
		return ret;
	a.qp_state = IB_QPS_RTS;
	a.sq_psn = 0;
	a.timeout = 8;		/* ~1 ms */
	a.retry_cnt = retry_cnt;
	a.rnr_retry = rnr_retry;
	a.max_rd_atomic = 1;
	return ib_modify_qp(qp, &a, IB_QP_STATE | IB_QP_SQ_PSN | IB_QP_TIMEOUT |
			    IB_QP_RETRY_CNT | IB_QP_RNR_RETRY |
			    IB_QP_MAX_QP_RD_ATOMIC);
}

/* Post a ST_BUF receive buffer to the QP's RQ, or to its SRQ. */
static int sib_st_post_recv(struct ib_qp *qp, void *buf, u64 id)
{
	struct ib_sge sge = {
		.addr = (uintptr_t)buf, .length = ST_BUF,
		.lkey = qp->pd->local_dma_lkey,
	};
	struct ib_recv_wr wr = { .wr_id = id, .sg_list = &sge, .num_sge = 1 };

	if (qp->srq)
		return ib_post_srq_recv(qp->srq, &wr, NULL);
	return ib_post_recv(qp, &wr, NULL);
}

/* A UD send of ST_LEN bytes (in two SGEs, like ib_mad does), or RC if !ah. */
static int sib_st_send(struct ib_qp *qp, void *buf, struct ib_ah *ah,
		       u32 rqpn, u32 rqkey, u64 id)
{
	struct ib_sge sge[2] = {
		{ .addr = (uintptr_t)buf, .length = 100,
		  .lkey = qp->pd->local_dma_lkey },
		{ .addr = (uintptr_t)buf + 100, .length = ST_LEN - 100,
		  .lkey = qp->pd->local_dma_lkey },
	};
	struct ib_ud_wr wr = {
		.wr = {
			.wr_id = id, .sg_list = sge, .num_sge = 2,
			.opcode = IB_WR_SEND, .send_flags = IB_SEND_SIGNALED,
		},
		.ah = ah, .remote_qpn = rqpn, .remote_qkey = rqkey,
	};

	return ib_post_send(qp, &wr.wr, NULL);
}

static struct ib_ah *sib_st_ah(struct sib_st *t, u16 dlid,
			       const union ib_gid *dgid)
{
	struct rdma_ah_attr a = {};

	a.type = RDMA_AH_ATTR_TYPE_IB;
	rdma_ah_set_dlid(&a, dlid);
	rdma_ah_set_port_num(&a, t->pa->port_num);
	if (dgid) {
		rdma_ah_set_ah_flags(&a, IB_AH_GRH);
		rdma_ah_retrieve_grh(&a)->dgid = *dgid;
		rdma_ah_retrieve_grh(&a)->hop_limit = 1;
	}
	return rdma_create_ah(t->pd_a, &a, RDMA_CREATE_AH_SLEEPABLE);
}

static void sib_st_drain(struct ib_cq *cq)
{
	struct ib_wc wc;

	while (ib_poll_cq(cq, 1, &wc) == 1)
		;
}

static void sib_st_ud(struct sib_st *t)
{
	struct ib_qp *qa = NULL, *qb = NULL, *qa1 = NULL;
	struct ib_ah *ah = NULL, *mah = NULL;
	union ib_gid mgid = { .raw = { 0xff, 0x12, 0x40, 0x1b, 0x80, 0x00, 0, 0,
				       0, 0, 0, 0, 0x5e, 0x1f, 0x7e, 0x57 } };
	union ib_gid agid;
	struct ib_grh *grh = t->bbuf;
	struct ib_wc wc;
	u64 before;
	bool ok;
	int i;

	qa = sib_st_qp(t, t->pd_a, t->cq_a, IB_QPT_UD, NULL);
	qb = sib_st_qp(t, t->pd_b, t->cq_b, IB_QPT_UD, NULL);
	qa1 = sib_st_qp(t, t->pd_a, t->cq_a, IB_QPT_UD, NULL);
	if (IS_ERR(qa) || IS_ERR(qb) || IS_ERR(qa1) ||
	    sib_st_ud_up(qa, t->pa, 0) || sib_st_ud_up(qb, t->pb, 0) ||
	    sib_st_ud_up(qa1, t->pa, 1)) {
		sib_st_report(t, false, "UD setup", 0);
		goto out;
	}
	ah = sib_st_ah(t, READ_ONCE(t->pb->lid), NULL);
	mah = sib_st_ah(t, 0xc1ff, &mgid);
	if (IS_ERR(ah) || IS_ERR(mah)) {
		sib_st_report(t, false, "AH setup", 0);
		goto out;
	}
	for (i = 0; i < ST_LEN; i++)
		((u8 *)t->abuf)[i] = i * 7;

	/* Unicast: GRH slot reserved but empty, addressing fields right. */
	ib_req_notify_cq(t->cq_b, IB_CQ_NEXT_COMP);
	atomic_set(&t->comp_events, 0);
	sib_st_post_recv(qb, t->bbuf, 1);
	sib_st_send(qa, t->abuf, ah, qb->qp_num, ST_QKEY, 2);
	ok = sib_st_poll(t->cq_b, &wc, 1000);
	sib_st_report(t, ok && wc.status == IB_WC_SUCCESS &&
		      wc.byte_len == ST_LEN + SIB_GRH_BYTES &&
		      !(wc.wc_flags & IB_WC_GRH) && wc.src_qp == qa->qp_num &&
		      wc.slid == READ_ONCE(t->pa->lid) && wc.pkey_index == 0 &&
		      wc.qp == qb &&
		      !memcmp(t->bbuf + SIB_GRH_BYTES, t->abuf, ST_LEN),
		      "UD unicast: 40-byte GRH slot, src_qp, slid, pkey_index, data",
		      ok ? wc.status : -1);
	msleep(20);	/* the handler runs just after the CQE becomes visible */
	sib_st_report(t, atomic_read(&t->comp_events) == 1,
		      "one completion event per arm", atomic_read(&t->comp_events));
	ok = sib_st_poll(t->cq_a, &wc, 1000);
	sib_st_report(t, ok && wc.status == IB_WC_SUCCESS && wc.wr_id == 2,
		      "UD send completion", ok ? wc.status : -1);

	/* Missed events: a CQE that arrived unarmed is reported by the re-arm. */
	sib_st_post_recv(qb, t->bbuf, 3);
	sib_st_send(qa, t->abuf, ah, qb->qp_num, ST_QKEY, 4);
	msleep(50);
	sib_st_report(t, ib_req_notify_cq(t->cq_b, IB_CQ_NEXT_COMP |
					  IB_CQ_REPORT_MISSED_EVENTS) > 0,
		      "req_notify_cq reports missed events", 0);
	sib_st_drain(t->cq_a);
	sib_st_drain(t->cq_b);

	/* Q_Key mismatch: dropped and counted, sender still succeeds. */
	before = atomic64_read(&t->pb->cnt[SIB_CNT_DROP_QKEY]);
	sib_st_post_recv(qb, t->bbuf, 5);
	sib_st_send(qa, t->abuf, ah, qb->qp_num, ST_QKEY + 1, 6);
	ok = sib_st_poll(t->cq_a, &wc, 1000) && wc.status == IB_WC_SUCCESS;
	sib_st_report(t, ok && !sib_st_poll(t->cq_b, &wc, 50) &&
		      atomic64_read(&t->pb->cnt[SIB_CNT_DROP_QKEY]) == before + 1,
		      "Q_Key mismatch dropped and counted", 0);

	/* Q_Key high bit: the sender's own Q_Key is used (recv 5 still posted). */
	sib_st_send(qa, t->abuf, ah, qb->qp_num, 0x80000000, 7);
	ok = sib_st_poll(t->cq_b, &wc, 1000);
	sib_st_report(t, ok && wc.status == IB_WC_SUCCESS && wc.wr_id == 5,
		      "remote Q_Key with bit 31 uses the QP's Q_Key", 0);
	sib_st_drain(t->cq_a);

	/* P_Key mismatch: 0x8001 (index 1) towards a 0xffff QP. */
	before = atomic64_read(&t->pb->cnt[SIB_CNT_DROP_PKEY]);
	sib_st_post_recv(qb, t->bbuf, 8);
	sib_st_send(qa1, t->abuf, ah, qb->qp_num, ST_QKEY, 9);
	sib_st_poll(t->cq_a, &wc, 1000);
	sib_st_report(t, !sib_st_poll(t->cq_b, &wc, 50) &&
		      atomic64_read(&t->pb->cnt[SIB_CNT_DROP_PKEY]) == before + 1,
		      "P_Key mismatch dropped and counted", 0);

	/* Multicast: fan-out to both ports, loopback included, with GRH. */
	sib_port_gid(t->pa, &agid);
	if (ib_attach_mcast(qa, &mgid, 0xc1ff) || ib_attach_mcast(qb, &mgid, 0xc1ff)) {
		sib_st_report(t, false, "multicast attach", 0);
		goto out;
	}
	sib_st_post_recv(qa, t->abuf + ST_BUF, 10);
	sib_st_send(qa, t->abuf, mah, SIB_MCAST_QPN, ST_QKEY, 11);
	ok = sib_st_poll(t->cq_b, &wc, 1000);
	sib_st_report(t, ok && wc.status == IB_WC_SUCCESS &&
		      (wc.wc_flags & IB_WC_GRH) && wc.wr_id == 8 &&
		      !memcmp(&grh->dgid, &mgid, sizeof(mgid)) &&
		      !memcmp(&grh->sgid, &agid, sizeof(agid)),
		      "multicast delivered with GRH (DGID = MGID, SGID = sender)", 0);
	ok = false;
	for (i = 0; i < 3 && sib_st_poll(t->cq_a, &wc, 1000); i++)
		if (wc.opcode == IB_WC_RECV && wc.wr_id == 10 &&
		    (wc.wc_flags & IB_WC_GRH) && wc.src_qp == qa->qp_num)
			ok = true;
	sib_st_report(t, ok, "multicast looped back to the sender's QP", 0);
	ib_detach_mcast(qa, &mgid, 0xc1ff);
	ib_detach_mcast(qb, &mgid, 0xc1ff);

	/* Flush: to ERR, then every posted and newly posted WR flushes. */
	sib_st_drain(t->cq_b);
	sib_st_post_recv(qb, t->bbuf, 12);
	sib_st_post_recv(qb, t->bbuf, 13);
	{
		struct ib_qp_attr a = { .qp_state = IB_QPS_ERR };
		int n = 0;

		ib_modify_qp(qb, &a, IB_QP_STATE);
		sib_st_post_recv(qb, t->bbuf, 14);
		while (sib_st_poll(t->cq_b, &wc, 200))
			if (wc.status == IB_WC_WR_FLUSH_ERR)
				n++;
		sib_st_report(t, n == 3, "ERR flushes posted and later WRs", n);
	}
out:
	if (!IS_ERR_OR_NULL(ah))
		rdma_destroy_ah(ah, RDMA_DESTROY_AH_SLEEPABLE);
	if (!IS_ERR_OR_NULL(mah))
		rdma_destroy_ah(mah, RDMA_DESTROY_AH_SLEEPABLE);
	if (!IS_ERR_OR_NULL(qa))
		ib_destroy_qp(qa);
	if (!IS_ERR_OR_NULL(qa1))
		ib_destroy_qp(qa1);
	if (!IS_ERR_OR_NULL(qb))
		ib_destroy_qp(qb);
	sib_st_drain(t->cq_a);
	sib_st_drain(t->cq_b);
}

static void sib_st_rc(struct sib_st *t, u8 rnr_retry, bool use_srq)
{
	struct ib_srq_init_attr sattr = {
		.attr = { .max_wr = 16, .max_sge = 2 },
	};
	struct ib_qp *qa = NULL, *qb = NULL;
	struct ib_srq *srq = NULL;
	struct ib_qp_attr qattr;
	struct ib_qp_init_attr iattr;
	struct ib_wc wc;
	bool ok;
	int i;

	if (use_srq) {
		srq = ib_create_srq(t->pd_b, &sattr);
		if (IS_ERR(srq))
			return;	/* srq=N: nothing to test */
	}
	qa = sib_st_qp(t, t->pd_a, t->cq_a, IB_QPT_RC, NULL);
	qb = sib_st_qp(t, t->pd_b, t->cq_b, IB_QPT_RC, srq);
	if (IS_ERR(qa) || IS_ERR(qb) ||
	    sib_st_rc_up(qa, t->pa, t->pb, qb->qp_num, rnr_retry, 1) ||
	    sib_st_rc_up(qb, t->pb, t->pa, qa->qp_num, rnr_retry, 1)) {
		sib_st_report(t, false, "RC setup", 0);
		goto out;
	}

	if (rnr_retry == 7) {
		/* In order, exact length, no GRH slot. */
		for (i = 0; i < 8; i++) {
			sib_st_post_recv(qb, t->bbuf, i);
			((u8 *)t->abuf)[0] = i;
			sib_st_send(qa, t->abuf, NULL, 0, 0, 100 + i);
			sib_st_poll(t->cq_a, &wc, 1000);
		}
		ok = true;
		for (i = 0; i < 8; i++)
			ok &= sib_st_poll(t->cq_b, &wc, 1000) && wc.wr_id == i &&
			      wc.status == IB_WC_SUCCESS && wc.byte_len == ST_LEN &&
			      wc.src_qp == qa->qp_num;
		sib_st_report(t, ok, use_srq ? "RC via SRQ: in order, no GRH slot" :
			      "RC: in order, no GRH slot", 0);

		/* RNR with infinite retry: completes once a buffer shows up. */
		sib_st_send(qa, t->abuf, NULL, 0, 0, 200);
		ok = !sib_st_poll(t->cq_a, &wc, 50);
		sib_st_post_recv(qb, t->bbuf, 201);
		ok &= sib_st_poll(t->cq_a, &wc, 1000) && wc.status == IB_WC_SUCCESS;
		sib_st_report(t, ok, "RNR retried until a receive WQE is posted", 0);
		sib_st_drain(t->cq_b);

		if (use_srq) {
			struct ib_qp_attr a = { .qp_state = IB_QPS_ERR };

			atomic_set(&t->last_wqe, 0);
			ib_modify_qp(qb, &a, IB_QP_STATE);
			for (i = 0; i < 100 && !atomic_read(&t->last_wqe); i++)
				msleep(10);
			sib_st_report(t, atomic_read(&t->last_wqe) == 1,
				      "SRQ QP in ERR raises LAST_WQE_REACHED",
				      atomic_read(&t->last_wqe));
		}

		/* Responder gone: retry exceeded, QP to ERR. */
		ib_destroy_qp(qb);
		qb = NULL;
		sib_st_send(qa, t->abuf, NULL, 0, 0, 300);
		ok = sib_st_poll(t->cq_a, &wc, 2000) &&
		     wc.status == IB_WC_RETRY_EXC_ERR;
		sib_st_report(t, ok, "no responder: IB_WC_RETRY_EXC_ERR", ok ? 0 : wc.status);
	} else {
		/* rnr_retry 0, as ipoib-CM uses: fatal on the first RNR NAK. */
		sib_st_send(qa, t->abuf, NULL, 0, 0, 400);
		sib_st_send(qa, t->abuf, NULL, 0, 0, 401);
		ok = sib_st_poll(t->cq_a, &wc, 1000) &&
		     wc.status == IB_WC_RNR_RETRY_EXC_ERR && wc.wr_id == 400;
		ok &= sib_st_poll(t->cq_a, &wc, 1000) &&
		      wc.status == IB_WC_WR_FLUSH_ERR && wc.wr_id == 401;
		sib_st_report(t, ok, "rnr_retry 0: RNR_RETRY_EXC_ERR, rest flushed", 0);
		ok = !ib_query_qp(qa, &qattr, IB_QP_STATE, &iattr) &&
		     qattr.qp_state == IB_QPS_ERR;
		sib_st_report(t, ok, "requester moved to ERR", 0);
	}

out:
	if (!IS_ERR_OR_NULL(qa))
		ib_destroy_qp(qa);
	if (!IS_ERR_OR_NULL(qb))
		ib_destroy_qp(qb);
	if (!IS_ERR_OR_NULL(srq))
		ib_destroy_srq(srq);
	sib_st_drain(t->cq_a);
	sib_st_drain(t->cq_b);
}

/* Ask the SA directly; returns the reply's MAD status, or -1 if none. */
static int sib_st_sa(struct sib_st *t, struct ib_sa_mad *req,
		     struct ib_sa_mad *resp, u8 method, u16 attr,
		     ib_sa_comp_mask mask)
{
	req->mad_hdr.base_version = IB_MGMT_BASE_VERSION;
	req->mad_hdr.mgmt_class = IB_MGMT_CLASS_SUBN_ADM;
	req->mad_hdr.class_version = IB_SA_CLASS_VERSION;
	req->mad_hdr.method = method;
	req->mad_hdr.attr_id = cpu_to_be16(attr);
	req->mad_hdr.tid = cpu_to_be64(0x1234567890abcdefULL);
	req->sa_hdr.comp_mask = mask;
	if (!sib_sa_process(t->pa, req, resp))
		return -1;
	return be16_to_cpu(resp->mad_hdr.status);
}

/* The SA's answers to what ipoib never asks: errors, allocation, leave. */
static void sib_st_sa_checks(struct sib_st *t)
{
	struct ib_sa_mad *req, *resp;
	union ib_gid gid, *rgid;
	u8 *rec;
	int st;

	req = kzalloc(2 * sizeof(*req), GFP_KERNEL);
	if (!req)
		return;
	resp = req + 1;
	rec = resp->data;
	rgid = (union ib_gid *)req->data;

	st = sib_st_sa(t, req, resp, IB_MGMT_METHOD_GET, 0x31 /* ServiceRecord */, 0);
	sib_st_report(t, st == IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD_ATTRIB &&
		      resp->mad_hdr.method == IB_MGMT_METHOD_GET_RESP &&
		      resp->mad_hdr.tid == req->mad_hdr.tid,
		      "SA: unknown attribute -> status 0x000c, same TID", st);
	/* GetTable of paths, members and nodes is an RMPP transfer (saquery). */
	st = sib_st_sa(t, req, resp, IB_SA_METHOD_GET_TABLE, 0x31 /* ServiceRecord */, 0);
	sib_st_report(t, st == IB_MGMT_MAD_STATUS_UNSUPPORTED_METHOD_ATTRIB,
		      "SA: ServiceRecord GetTable -> status 0x000c", st);
	st = sib_st_sa(t, req, resp, IB_MGMT_METHOD_GET, IB_SA_ATTR_CLASS_PORTINFO, 0);
	sib_st_report(t, st == 0 &&
		      ((struct ib_class_port_info *)rec)->class_version == 2 &&
		      be32_to_cpu(((struct ib_class_port_info *)rec)->cap_mask2_resp_time) == 18,
		      "SA: ClassPortInfo", st);

	/* PathRecord to an unknown GID: no records. */
	memset(req->data, 0, sizeof(req->data));
	rgid = (union ib_gid *)(req->data + 8);	/* DGID */
	rgid->global.subnet_prefix = cpu_to_be64(0xfe80000000000000ULL);
	rgid->global.interface_id = cpu_to_be64(0x1122334455667788ULL);
	st = sib_st_sa(t, req, resp, IB_MGMT_METHOD_GET, IB_SA_ATTR_PATH_REC,
		       IB_SA_PATH_REC_DGID);
	sib_st_report(t, st == 0x0300, "SA: path to an unknown GID -> ERR_NO_RECORDS", st);
	sib_port_gid(t->pb, rgid);
	st = sib_st_sa(t, req, resp, IB_MGMT_METHOD_GET, IB_SA_ATTR_PATH_REC,
		       IB_SA_PATH_REC_DGID);
	sib_st_report(t, st == 0 && get_unaligned_be16(rec + 40) == READ_ONCE(t->pb->lid) &&
		      get_unaligned_be16(rec + 42) == READ_ONCE(t->pa->lid) &&
		      be16_to_cpu(resp->sa_hdr.attr_offset) == 8,
		      "SA: PathRecord DLID/SLID", st);

	/* MCMemberRecord Set with a zero MGID: the SA allocates one. */
	memset(req->data, 0, sizeof(req->data));
	sib_port_gid(t->pa, &gid);
	memcpy(req->data + 16, &gid, sizeof(gid));	/* PortGID */
	put_unaligned_be32(ST_QKEY, req->data + 32);
	put_unaligned_be16(0xffff, req->data + 40);
	req->data[48] = 0x21;				/* scope 2, full member */
	st = sib_st_sa(t, req, resp, IB_MGMT_METHOD_SET, IB_SA_ATTR_MC_MEMBER_REC,
		       IB_SA_MCMEMBER_REC_PORT_GID | IB_SA_MCMEMBER_REC_QKEY |
				   IB_SA_MCMEMBER_REC_PKEY | IB_SA_MCMEMBER_REC_JOIN_STATE);
	sib_st_report(t, st == 0 && rec[0] == 0xff && rec[1] == 0x12 &&
		      get_unaligned_be16(rec + 36) >= SIB_MCAST_LID_BASE &&
		      get_unaligned_be32(rec + 32) == ST_QKEY && (rec[48] & 0xf) == 1 &&
		      be16_to_cpu(resp->sa_hdr.attr_offset) == 7,
		      "SA: join with zero MGID allocates MGID and MLID", st);

	/* Leave it: the group goes away, and a second leave is refused. */
	memcpy(req->data, rec, 16);
	st = sib_st_sa(t, req, resp, IB_SA_METHOD_DELETE, IB_SA_ATTR_MC_MEMBER_REC,
		       IB_SA_MCMEMBER_REC_MGID | IB_SA_MCMEMBER_REC_PORT_GID |
				   IB_SA_MCMEMBER_REC_JOIN_STATE);
	sib_st_report(t, st == 0 && resp->mad_hdr.method == IB_SA_METHOD_DELETE_RESP,
		      "SA: leave -> DeleteResp", st);
	st = sib_st_sa(t, req, resp, IB_SA_METHOD_DELETE, IB_SA_ATTR_MC_MEMBER_REC,
		       IB_SA_MCMEMBER_REC_MGID | IB_SA_MCMEMBER_REC_PORT_GID |
				   IB_SA_MCMEMBER_REC_JOIN_STATE);
	sib_st_report(t, st == 0x0200, "SA: leaving twice -> ERR_REQ_INVALID", st);
	st = sib_st_sa(t, req, resp, IB_MGMT_METHOD_GET, IB_SA_ATTR_MC_MEMBER_REC,
		       IB_SA_MCMEMBER_REC_MGID);
	sib_st_report(t, st == 0x0300, "SA: the empty group was deleted", st);

	/* The broadcast group is permanent and answers Get. */
	memset(req->data, 0, sizeof(req->data));
	memcpy(req->data, "\xff\x12\x40\x1b\xff\xff\0\0\0\0\0\0\xff\xff\xff\xff", 16);
	st = sib_st_sa(t, req, resp, IB_MGMT_METHOD_GET, IB_SA_ATTR_MC_MEMBER_REC,
		       IB_SA_MCMEMBER_REC_MGID);
	sib_st_report(t, st == 0 && get_unaligned_be32(rec + 32) == 0x0b1b,
		      "SA: pre-created broadcast group, Q_Key 0x0b1b", st);

	req->mad_hdr.class_version = 1;
	if (sib_sa_process(t->pa, req, resp))
		st = be16_to_cpu(resp->mad_hdr.status);
	sib_st_report(t, st == IB_MGMT_MAD_STATUS_BAD_VERSION,
		      "SA: wrong class version -> status 0x0004", st);
	kfree(req);
}

static int sib_st_run(char *out, size_t outlen)
{
	struct ib_cq_init_attr cqa = { .cqe = 64 };
	struct sib_st *t;
	struct ib_qp *q;
	int ret = 0;

	if (sib_fabric.nports_total < 2)
		return -ENODEV;
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->out = out;
	t->outlen = outlen;
	t->pa = &sib_fabric.devs[0]->ports[0];
	t->pb = sib_fabric.devs[0]->nports > 1 ? &sib_fabric.devs[0]->ports[1] :
						 &sib_fabric.devs[1]->ports[0];
	t->abuf = kzalloc(2 * ST_BUF, GFP_KERNEL);
	t->bbuf = kzalloc(ST_BUF, GFP_KERNEL);
	t->pd_a = ib_alloc_pd(&t->pa->sdev->ib, 0);
	t->pd_b = ib_alloc_pd(&t->pb->sdev->ib, 0);
	t->cq_a = ib_create_cq(&t->pa->sdev->ib, NULL, NULL, t, &cqa);
	t->cq_b = ib_create_cq(&t->pb->sdev->ib, sib_st_comp, NULL, t, &cqa);
	if (!t->abuf || !t->bbuf || IS_ERR(t->pd_a) || IS_ERR(t->pd_b) ||
	    IS_ERR(t->cq_a) || IS_ERR(t->cq_b)) {
		ret = -ENOMEM;
		goto out;
	}

	/* Posting sends in RESET is refused synchronously. */
	q = sib_st_qp(t, t->pd_a, t->cq_a, IB_QPT_UD, NULL);
	if (!IS_ERR(q)) {
		sib_st_report(t, sib_st_send(q, t->abuf, NULL, 0, 0, 0) == -EINVAL,
			      "post_send in RESET returns -EINVAL", 0);
		ib_destroy_qp(q);
	}
	sib_st_sa_checks(t);
	sib_st_ud(t);
	sib_st_rc(t, 7, false);
	sib_st_rc(t, 0, false);
	sib_st_rc(t, 7, true);
	t->used += scnprintf(out + t->used, outlen - t->used,
			     "passed %d failed %d\n", t->passed, t->failed);
out:
	if (!IS_ERR_OR_NULL(t->cq_a))
		ib_destroy_cq(t->cq_a);
	if (!IS_ERR_OR_NULL(t->cq_b))
		ib_destroy_cq(t->cq_b);
	if (!IS_ERR_OR_NULL(t->pd_a))
		ib_dealloc_pd(t->pd_a);
	if (!IS_ERR_OR_NULL(t->pd_b))
		ib_dealloc_pd(t->pd_b);
	kfree(t->abuf);
	kfree(t->bbuf);
	kfree(t);
	return ret;
}

static ssize_t sib_st_read(struct file *f, char __user *buf, size_t len,
			   loff_t *pos)
{
	ssize_t ret;

	mutex_lock(&sib_st_mutex);
	ret = simple_read_from_buffer(buf, len, pos, sib_st_result,
				      strlen(sib_st_result));
	mutex_unlock(&sib_st_mutex);
	return ret;
}

static ssize_t sib_st_write(struct file *f, const char __user *ubuf,
			    size_t len, loff_t *pos)
{
	int ret;

	mutex_lock(&sib_st_mutex);
	sib_st_result[0] = 0;
	ret = sib_st_run(sib_st_result, sizeof(sib_st_result));
	mutex_unlock(&sib_st_mutex);
	return ret ? ret : len;
}

static const struct file_operations sib_st_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = sib_st_read,
	.write = sib_st_write,
};

void sib_selftest_debugfs(struct dentry *root)
{
	debugfs_create_file("selftest", 0600, root, NULL, &sib_st_fops);
}
