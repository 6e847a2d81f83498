// SPDX-License-Identifier: GPL-2.0
/*
 * softib: queue pairs, shared receive queues and multicast attachment.
 *
 * Posting only queues work: the device worker (sib_wire.c) moves data and
 * generates every completion, including flushes, so no completion handler
 * ever runs inside post_send/post_recv or modify_qp.
 */
#include <linux/mm.h>
#include <linux/slab.h>

#include "sib.h"

/* ---- WQE rings ---- */

static int sib_queue_init(struct sib_queue *q, u32 size, u32 max_sge,
			  size_t hdr)
{
	q->size = max_t(u32, size, 1);
	q->max_sge = max_t(u32, max_sge, 1);
	q->stride = ALIGN(hdr + q->max_sge * sizeof(struct ib_sge), 8);
	q->head = 0;
	q->count = 0;
	q->buf = kvcalloc(q->size, q->stride, GFP_KERNEL);
	return q->buf ? 0 : -ENOMEM;
}

static void sib_queue_free(struct sib_queue *q)
{
	kvfree(q->buf);
	q->buf = NULL;
}

static void *sib_queue_tail(struct sib_queue *q)
{
	return sib_queue_slot(q, q->count);
}

static void sib_queue_pop(struct sib_queue *q)
{
	q->head = (q->head + 1) % q->size;
	q->count--;
}

static int sib_queue_add_rwqe(struct sib_queue *q, const struct ib_recv_wr *wr)
{
	struct sib_rwqe *w;

	if (wr->num_sge > q->max_sge)
		return -EINVAL;
	if (q->count == q->size)
		return -ENOMEM;
	w = sib_queue_tail(q);
	w->wr_id = wr->wr_id;
	w->num_sge = wr->num_sge;
	memcpy(w->sge, wr->sg_list, wr->num_sge * sizeof(struct ib_sge));
	q->count++;
	return 0;
}

/* Caller holds the lock protecting @q; @out has room for SIB_MAX_SGE. */
bool sib_queue_pop_rwqe(struct sib_queue *q, struct sib_rwqe *out)
{
	struct sib_rwqe *w;

	if (!q->count)
		return false;
	w = sib_queue_slot(q, 0);
	out->wr_id = w->wr_id;
	out->num_sge = w->num_sge;
	memcpy(out->sge, w->sge, w->num_sge * sizeof(struct ib_sge));
	sib_queue_pop(q);
	return true;
}

/* ---- lookup and lifetime ---- */

/*
 * Find a QP by number on @port's device and take a reference.  QP0/QP1 are
 * per port.  A reference keeps the QP (and so its CQs, SRQ and device)
 * alive: sib_destroy_qp waits for all of them to be dropped.
 */
struct sib_qp *sib_qp_get(struct sib_port *port, u32 qpn)
{
	struct sib_dev *sdev = port->sdev;
	struct sib_qp *qp;
	unsigned long flags;

	if (qpn <= 1) {
		spin_lock_irqsave(&sdev->qp_lock, flags);
		qp = port->special[qpn];
		if (qp && !refcount_inc_not_zero(&qp->ref))
			qp = NULL;
		spin_unlock_irqrestore(&sdev->qp_lock, flags);
		return qp;
	}

	xa_lock_irqsave(&sdev->qps, flags);
	qp = xa_load(&sdev->qps, qpn);
	if (qp && !refcount_inc_not_zero(&qp->ref))
		qp = NULL;
	xa_unlock_irqrestore(&sdev->qps, flags);
	/* A QP of another port on the same HCA does not answer here. */
	if (qp && qp->port_num != port->port_num) {
		sib_qp_put(qp);
		qp = NULL;
	}
	return qp;
}

void sib_qp_put(struct sib_qp *qp)
{
	if (refcount_dec_and_test(&qp->ref))
		complete(&qp->released);
}

void sib_qp_release_stalled(struct sib_port *port)
{
	struct sib_dev *sdev = port->sdev;
	struct sib_qp *qp;
	unsigned long flags, qpn;

	xa_lock_irqsave(&sdev->qps, flags);
	xa_for_each(&sdev->qps, qpn, qp) {
		if (qp->ibqp.qp_type != IB_QPT_UD ||
		    qp->port_num != port->port_num ||
		    !refcount_inc_not_zero(&qp->ref))
			continue;
		sib_qp_schedule(qp);
		sib_qp_put(qp);
	}
	xa_unlock_irqrestore(&sdev->qps, flags);
}

/* Ask the device worker to look at this QP's send queue (or to flush it). */
void sib_qp_schedule(struct sib_qp *qp)
{
	struct sib_dev *sdev = qp->sdev;
	unsigned long flags;
	bool kick = false;

	spin_lock_irqsave(&sdev->pend_lock, flags);
	if (!qp->dead && list_empty(&qp->pend_entry)) {
		list_add_tail(&qp->pend_entry, &sdev->pend);
		kick = true;
	}
	spin_unlock_irqrestore(&sdev->pend_lock, flags);
	if (kick)
		queue_work(sib_fabric.wq, &sdev->work);
}

/*
 * Move to ERR; the worker flushes both queues (and raises LAST_WQE_REACHED
 * for SRQ-attached QPs) because consumers may hold their own locks while
 * calling modify_qp and take them again in their handlers.
 */
void sib_qp_set_error_locked(struct sib_qp *qp)
{
	qp->state = IB_QPS_ERR;
	qp->waiting = false;
	qp->net.inflight = false;
}

/* ---- create / destroy ---- */

int sib_create_qp(struct ib_qp *ibqp, struct ib_qp_init_attr *init,
		  struct ib_udata *udata)
{
	struct sib_dev *sdev = to_sdev(ibqp->device);
	struct sib_qp *qp = to_sqp(ibqp);
	struct ib_qp_cap *cap = &init->cap;
	unsigned long flags;
	u32 qpn;
	int ret;

	if (udata)
		return -EOPNOTSUPP;
	switch (init->qp_type) {
	case IB_QPT_SMI:
	case IB_QPT_GSI:
	case IB_QPT_UD:
	case IB_QPT_RC:
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (init->create_flags)
		return -EOPNOTSUPP;
	if (cap->max_send_wr > SIB_MAX_QP_WR || cap->max_recv_wr > SIB_MAX_QP_WR ||
	    cap->max_send_sge > SIB_MAX_SGE || cap->max_recv_sge > SIB_MAX_SGE)
		return -EINVAL;
	if (init->qp_type == IB_QPT_SMI || init->qp_type == IB_QPT_GSI) {
		if (init->port_num < 1 || init->port_num > sdev->nports)
			return -EINVAL;
		qp->port_num = init->port_num;
	} else {
		qp->port_num = 1;
	}

	qp->sdev = sdev;
	refcount_set(&qp->ref, 1);
	init_completion(&qp->released);
	spin_lock_init(&qp->lock);
	INIT_LIST_HEAD(&qp->pend_entry);
	timer_setup(&qp->retry_timer, sib_qp_retry_timer, 0);
	qp->state = IB_QPS_RESET;
	qp->sig_all = init->sq_sig_type == IB_SIGNAL_ALL_WR;
	qp->path_mtu = sib_mtu_enum();

	ret = sib_queue_init(&qp->sq, cap->max_send_wr, cap->max_send_sge,
			     sizeof(struct sib_swqe));
	if (ret)
		return ret;
	if (!init->srq) {
		ret = sib_queue_init(&qp->rq, cap->max_recv_wr,
				     cap->max_recv_sge, sizeof(struct sib_rwqe));
		if (ret)
			goto err_sq;
	}

	if (init->qp_type == IB_QPT_SMI || init->qp_type == IB_QPT_GSI) {
		struct sib_port *port = sib_port(sdev, qp->port_num);

		qpn = init->qp_type == IB_QPT_SMI ? 0 : 1;
		spin_lock_irqsave(&sdev->qp_lock, flags);
		if (port->special[qpn]) {
			ret = -EBUSY;
		} else {
			port->special[qpn] = qp;
			ret = 0;
		}
		spin_unlock_irqrestore(&sdev->qp_lock, flags);
		if (ret)
			goto err_rq;
		if (qpn == 1)
			qp->qkey = SIB_QP1_QKEY;
	} else {
		ret = xa_alloc_cyclic_irq(&sdev->qps, &qpn, qp,
					  XA_LIMIT(2, SIB_MCAST_QPN - 1),
					  &sdev->next_qpn, GFP_KERNEL);
		if (ret < 0)
			goto err_rq;
	}
	ibqp->qp_num = qpn;

	/* Report what was actually granted. */
	cap->max_send_wr = qp->sq.size;
	cap->max_send_sge = qp->sq.max_sge;
	if (!init->srq) {
		cap->max_recv_wr = qp->rq.size;
		cap->max_recv_sge = qp->rq.max_sge;
	} else {
		cap->max_recv_wr = 0;
		cap->max_recv_sge = 0;
	}
	cap->max_inline_data = 0;
	return 0;

err_rq:
	sib_queue_free(&qp->rq);
err_sq:
	sib_queue_free(&qp->sq);
	return ret;
}

/*
 * The core kfree()s the QP as soon as we return, so the QP is made
 * unreachable first and then we wait until neither the worker, a sender
 * delivering into it, nor the retry timer can touch it any more.
 */
int sib_destroy_qp(struct ib_qp *ibqp, struct ib_udata *udata)
{
	struct sib_qp *qp = to_sqp(ibqp);
	struct sib_dev *sdev = qp->sdev;
	unsigned long flags;

	sib_mcast_detach_all(qp);

	spin_lock_irqsave(&sdev->pend_lock, flags);
	qp->dead = true;
	list_del_init(&qp->pend_entry);
	spin_unlock_irqrestore(&sdev->pend_lock, flags);

	if (ibqp->qp_type == IB_QPT_SMI || ibqp->qp_type == IB_QPT_GSI) {
		struct sib_port *port = sib_port(sdev, qp->port_num);

		spin_lock_irqsave(&sdev->qp_lock, flags);
		port->special[ibqp->qp_num] = NULL;
		spin_unlock_irqrestore(&sdev->qp_lock, flags);
	} else {
		xa_erase_irq(&sdev->qps, ibqp->qp_num);
	}

	sib_qp_put(qp);
	wait_for_completion(&qp->released);
	/* The timer only reschedules, and scheduling a dead QP is a no-op. */
	del_timer_sync(&qp->retry_timer);

	sib_queue_free(&qp->rq);
	sib_queue_free(&qp->sq);
	return 0;
}

/* ---- modify / query ---- */

static void sib_ah_to_av(const struct rdma_ah_attr *ah, struct sib_av *av)
{
	av->dlid = rdma_ah_get_dlid(ah);
	av->sl = rdma_ah_get_sl(ah);
	av->port_num = rdma_ah_get_port_num(ah);
	av->has_grh = rdma_ah_get_ah_flags(ah) & IB_AH_GRH;
	if (av->has_grh)
		av->dgid = rdma_ah_read_grh(ah)->dgid;
}

static void sib_av_to_ah(struct ib_device *ib, const struct sib_av *av,
			 struct rdma_ah_attr *ah)
{
	memset(ah, 0, sizeof(*ah));
	ah->type = RDMA_AH_ATTR_TYPE_IB;
	rdma_ah_set_dlid(ah, av->dlid);
	rdma_ah_set_sl(ah, av->sl);
	rdma_ah_set_port_num(ah, av->port_num);
	if (av->has_grh) {
		rdma_ah_set_ah_flags(ah, IB_AH_GRH);
		rdma_ah_retrieve_grh(ah)->dgid = av->dgid;
	}
}

int sib_modify_qp(struct ib_qp *ibqp, struct ib_qp_attr *attr, int mask,
		  struct ib_udata *udata)
{
	struct sib_qp *qp = to_sqp(ibqp);
	enum ib_qp_state cur, new;
	unsigned long flags;
	bool kick = false;
	int ret = 0;

	if (udata && (udata->inlen || udata->outlen))
		return -EOPNOTSUPP;
	if ((mask & IB_QP_PORT) &&
	    (attr->port_num < 1 || attr->port_num > qp->sdev->nports))
		return -EINVAL;
	if ((mask & IB_QP_PKEY_INDEX) && attr->pkey_index >= SIB_PKEY_TBL_LEN)
		return -EINVAL;

	spin_lock_irqsave(&qp->lock, flags);
	cur = (mask & IB_QP_CUR_STATE) ? attr->cur_qp_state : qp->state;
	new = (mask & IB_QP_STATE) ? attr->qp_state : cur;
	if (cur != qp->state ||
	    !ib_modify_qp_is_ok(cur, new, ibqp->qp_type, mask)) {
		ret = -EINVAL;
		goto out;
	}

	if (mask & IB_QP_PORT)
		qp->port_num = attr->port_num;
	if (mask & IB_QP_PKEY_INDEX)
		qp->pkey_index = attr->pkey_index;
	if (mask & IB_QP_QKEY)
		qp->qkey = attr->qkey;
	if (mask & IB_QP_ACCESS_FLAGS)
		qp->access_flags = attr->qp_access_flags;
	if (mask & IB_QP_AV)
		sib_ah_to_av(&attr->ah_attr, &qp->av);
	if (mask & IB_QP_PATH_MTU)
		qp->path_mtu = attr->path_mtu;
	if (mask & IB_QP_DEST_QPN)
		qp->dest_qpn = attr->dest_qp_num;
	if (mask & IB_QP_RQ_PSN)
		qp->rq_psn = attr->rq_psn;
	if (mask & IB_QP_SQ_PSN)
		qp->sq_psn = attr->sq_psn;
	if (mask & IB_QP_TIMEOUT)
		qp->timeout = attr->timeout;
	if (mask & IB_QP_RETRY_CNT)
		qp->retry_cnt = attr->retry_cnt;
	if (mask & IB_QP_RNR_RETRY)
		qp->rnr_retry = attr->rnr_retry;
	if (mask & IB_QP_MIN_RNR_TIMER)
		qp->min_rnr_timer = attr->min_rnr_timer;
	if (mask & IB_QP_MAX_QP_RD_ATOMIC)
		qp->max_rd_atomic = attr->max_rd_atomic;
	if (mask & IB_QP_MAX_DEST_RD_ATOMIC)
		qp->max_dest_rd_atomic = attr->max_dest_rd_atomic;

	if (new != cur) {
		switch (new) {
		case IB_QPS_RESET:
			/* Discard without completions, as IBA 10.3.1 says. */
			qp->sq.head = 0;
			qp->sq.count = 0;
			qp->rq.head = 0;
			qp->rq.count = 0;
			qp->sq_gen++;
			qp->waiting = false;
			qp->net.inflight = false;
			qp->net.rx_held = false;
			qp->sq_hung = false;
			qp->last_wqe_raised = false;
			break;
		case IB_QPS_RTS:
			qp->retry_left = qp->retry_cnt;
			qp->rnr_left = qp->rnr_retry;
			kick = qp->sq.count > 0;
			break;
		case IB_QPS_ERR:
			/* The flush completes whatever send_stall held. */
			qp->sq_hung = false;
			kick = true;
			break;
		default:
			break;
		}
		qp->state = new;
	}
out:
	spin_unlock_irqrestore(&qp->lock, flags);
	if (kick)
		sib_qp_schedule(qp);
	return ret;
}

int sib_query_qp(struct ib_qp *ibqp, struct ib_qp_attr *attr, int mask,
		 struct ib_qp_init_attr *init)
{
	struct sib_qp *qp = to_sqp(ibqp);
	unsigned long flags;

	memset(attr, 0, sizeof(*attr));
	memset(init, 0, sizeof(*init));

	spin_lock_irqsave(&qp->lock, flags);
	attr->qp_state = qp->state;
	attr->cur_qp_state = qp->state;
	attr->path_mtu = qp->path_mtu;
	attr->path_mig_state = IB_MIG_MIGRATED;
	attr->qkey = qp->qkey;
	attr->rq_psn = qp->rq_psn;
	attr->sq_psn = qp->sq_psn;
	attr->dest_qp_num = qp->dest_qpn;
	attr->qp_access_flags = qp->access_flags;
	attr->pkey_index = qp->pkey_index;
	attr->port_num = qp->port_num;
	attr->timeout = qp->timeout;
	attr->retry_cnt = qp->retry_cnt;
	attr->rnr_retry = qp->rnr_retry;
	attr->min_rnr_timer = qp->min_rnr_timer;
	attr->max_rd_atomic = qp->max_rd_atomic;
	attr->max_dest_rd_atomic = qp->max_dest_rd_atomic;
	if (ibqp->qp_type == IB_QPT_RC)
		sib_av_to_ah(ibqp->device, &qp->av, &attr->ah_attr);
	attr->cap.max_send_wr = qp->sq.size;
	attr->cap.max_send_sge = qp->sq.max_sge;
	if (!ibqp->srq) {
		attr->cap.max_recv_wr = qp->rq.size;
		attr->cap.max_recv_sge = qp->rq.max_sge;
	}
	spin_unlock_irqrestore(&qp->lock, flags);

	init->qp_type = ibqp->qp_type;
	init->send_cq = ibqp->send_cq;
	init->recv_cq = ibqp->recv_cq;
	init->srq = ibqp->srq;
	init->cap = attr->cap;
	init->sq_sig_type = qp->sig_all ? IB_SIGNAL_ALL_WR : IB_SIGNAL_REQ_WR;
	init->port_num = qp->port_num;
	return 0;
}

/* ---- posting ---- */

static int sib_build_swqe(struct sib_qp *qp, const struct ib_send_wr *wr,
			  struct sib_swqe *w)
{
	u32 i, len = 0;

	if (wr->opcode != IB_WR_SEND && wr->opcode != IB_WR_SEND_WITH_IMM)
		return -EINVAL;
	if (wr->num_sge > qp->sq.max_sge)
		return -EINVAL;

	w->wr_id = wr->wr_id;
	w->opcode = wr->opcode;
	w->send_flags = wr->send_flags;
	w->signaled = qp->sig_all || (wr->send_flags & IB_SEND_SIGNALED);
	w->imm = wr->opcode == IB_WR_SEND_WITH_IMM ? wr->ex.imm_data : 0;
	w->num_sge = wr->num_sge;
	for (i = 0; i < wr->num_sge; i++) {
		w->sge[i] = wr->sg_list[i];
		len += wr->sg_list[i].length;
	}
	w->length = len;

	if (sib_qp_is_ud(qp)) {
		const struct ib_ud_wr *ud = ud_wr(wr);
		const struct rdma_ah_attr *ah;

		if (!ud->ah)
			return -EINVAL;
		/* Copy the address vector: the AH may be destroyed right after. */
		ah = &to_sah(ud->ah)->attr;
		w->dlid = rdma_ah_get_dlid(ah);
		w->sl = rdma_ah_get_sl(ah);
		w->has_grh = rdma_ah_get_ah_flags(ah) & IB_AH_GRH;
		if (w->has_grh) {
			const struct ib_global_route *grh = rdma_ah_read_grh(ah);

			w->dgid = grh->dgid;
			w->flow_label = grh->flow_label;
			w->hop_limit = grh->hop_limit;
			w->tclass = grh->traffic_class;
		}
		w->remote_qpn = ud->remote_qpn;
		w->remote_qkey = ud->remote_qkey;
		w->pkey_index = ud->pkey_index;
	}
	return 0;
}

int sib_post_send(struct ib_qp *ibqp, const struct ib_send_wr *wr,
		  const struct ib_send_wr **bad_wr)
{
	struct sib_qp *qp = to_sqp(ibqp);
	unsigned long flags;
	bool posted = false;
	int ret = 0;

	spin_lock_irqsave(&qp->lock, flags);
	/* Sends are accepted from RTS on, and in ERR (to be flushed). */
	if (qp->state == IB_QPS_RESET || qp->state == IB_QPS_INIT ||
	    qp->state == IB_QPS_RTR) {
		ret = -EINVAL;
		goto out;
	}
	for (; wr; wr = wr->next) {
		if (qp->sq.count == qp->sq.size) {
			ret = -ENOMEM;
			break;
		}
		ret = sib_build_swqe(qp, wr, sib_queue_tail(&qp->sq));
		if (ret)
			break;
		qp->sq.count++;
		posted = true;
	}
out:
	if (ret)
		*bad_wr = wr;
	spin_unlock_irqrestore(&qp->lock, flags);
	if (posted)
		sib_qp_schedule(qp);
	return ret;
}

int sib_post_recv(struct ib_qp *ibqp, const struct ib_recv_wr *wr,
		  const struct ib_recv_wr **bad_wr)
{
	struct sib_qp *qp = to_sqp(ibqp);
	unsigned long flags;
	bool flush;
	int ret = 0;

	if (ibqp->srq) {
		*bad_wr = wr;
		return -EINVAL;
	}
	spin_lock_irqsave(&qp->lock, flags);
	if (qp->state == IB_QPS_RESET) {
		ret = -EINVAL;
	} else {
		for (; wr; wr = wr->next) {
			ret = sib_queue_add_rwqe(&qp->rq, wr);
			if (ret)
				break;
		}
	}
	if (ret)
		*bad_wr = wr;
	flush = qp->state == IB_QPS_ERR;
	spin_unlock_irqrestore(&qp->lock, flags);
	if (flush)
		sib_qp_schedule(qp);
	return ret;
}

/* ---- SRQ ---- */

int sib_create_srq(struct ib_srq *ibsrq, struct ib_srq_init_attr *init,
		   struct ib_udata *udata)
{
	struct sib_srq *srq = to_ssrq(ibsrq);
	int ret;

	if (udata)
		return -EOPNOTSUPP;
	if (init->srq_type != IB_SRQT_BASIC)
		return -EOPNOTSUPP;
	if (init->attr.max_wr > SIB_MAX_QP_WR || init->attr.max_sge > SIB_MAX_SGE)
		return -EINVAL;
	spin_lock_init(&srq->lock);
	ret = sib_queue_init(&srq->rq, init->attr.max_wr, init->attr.max_sge,
			     sizeof(struct sib_rwqe));
	if (ret)
		return ret;
	srq->limit = init->attr.srq_limit;
	init->attr.max_wr = srq->rq.size;
	init->attr.max_sge = srq->rq.max_sge;
	return 0;
}

int sib_modify_srq(struct ib_srq *ibsrq, struct ib_srq_attr *attr,
		   enum ib_srq_attr_mask mask, struct ib_udata *udata)
{
	struct sib_srq *srq = to_ssrq(ibsrq);
	unsigned long flags;
	int ret = 0;

	if (mask & IB_SRQ_MAX_WR)
		return -EOPNOTSUPP;	/* no resize */
	if (mask & IB_SRQ_LIMIT) {
		spin_lock_irqsave(&srq->lock, flags);
		if (attr->srq_limit > srq->rq.size)
			ret = -EINVAL;
		else
			srq->limit = attr->srq_limit;
		spin_unlock_irqrestore(&srq->lock, flags);
	}
	return ret;
}

int sib_query_srq(struct ib_srq *ibsrq, struct ib_srq_attr *attr)
{
	struct sib_srq *srq = to_ssrq(ibsrq);
	unsigned long flags;

	spin_lock_irqsave(&srq->lock, flags);
	attr->max_wr = srq->rq.size;
	attr->max_sge = srq->rq.max_sge;
	attr->srq_limit = srq->limit;
	spin_unlock_irqrestore(&srq->lock, flags);
	return 0;
}

int sib_destroy_srq(struct ib_srq *ibsrq, struct ib_udata *udata)
{
	/* Attached QPs are destroyed first (usecnt), so nobody pops any more. */
	sib_queue_free(&to_ssrq(ibsrq)->rq);
	return 0;
}

int sib_post_srq_recv(struct ib_srq *ibsrq, const struct ib_recv_wr *wr,
		      const struct ib_recv_wr **bad_wr)
{
	struct sib_srq *srq = to_ssrq(ibsrq);
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&srq->lock, flags);
	for (; wr; wr = wr->next) {
		ret = sib_queue_add_rwqe(&srq->rq, wr);
		if (ret)
			break;
	}
	spin_unlock_irqrestore(&srq->lock, flags);
	if (ret)
		*bad_wr = wr;
	return ret;
}

/* Take one receive WQE; raise SRQ_LIMIT_REACHED when the armed limit is crossed. */
bool sib_srq_pop(struct sib_srq *srq, struct sib_rwqe *out)
{
	unsigned long flags;
	bool got, limit = false;

	spin_lock_irqsave(&srq->lock, flags);
	got = sib_queue_pop_rwqe(&srq->rq, out);
	if (got && srq->limit && srq->rq.count < srq->limit) {
		srq->limit = 0;		/* one event per arm */
		limit = true;
	}
	spin_unlock_irqrestore(&srq->lock, flags);

	if (limit && srq->ibsrq.event_handler) {
		struct ib_event ev = {
			.device = srq->ibsrq.device,
			.element.srq = &srq->ibsrq,
			.event = IB_EVENT_SRQ_LIMIT_REACHED,
		};

		srq->ibsrq.event_handler(&ev, srq->ibsrq.srq_context);
	}
	return got;
}

/* ---- multicast attachment (the data plane; the SA keeps membership) ---- */

struct sib_mcast {
	struct list_head list;
	union ib_gid mgid;
	u16 mlid;
	int nqp;
	struct sib_qp *qps[SIB_MAX_MCAST_QP];
};

static struct sib_mcast *sib_mcast_find(const union ib_gid *mgid)
{
	struct sib_mcast *m;

	list_for_each_entry(m, &sib_fabric.mcast, list)
		if (!memcmp(m->mgid.raw, mgid->raw, sizeof(mgid->raw)))
			return m;
	return NULL;
}

int sib_attach_mcast(struct ib_qp *ibqp, union ib_gid *gid, u16 lid)
{
	struct sib_qp *qp = to_sqp(ibqp);
	struct sib_mcast *m, *fresh;
	unsigned long flags;
	int i, ret = 0;

	if (ibqp->qp_type != IB_QPT_UD)
		return -EINVAL;
	/* Allocate up front: attach may run in atomic context. */
	fresh = kzalloc(sizeof(*fresh), GFP_ATOMIC);
	if (!fresh)
		return -ENOMEM;

	spin_lock_irqsave(&sib_fabric.mcast_lock, flags);
	m = sib_mcast_find(gid);
	if (!m) {
		m = fresh;
		fresh = NULL;
		m->mgid = *gid;
		m->mlid = lid;
		list_add_tail(&m->list, &sib_fabric.mcast);
	}
	for (i = 0; i < m->nqp; i++)
		if (m->qps[i] == qp)
			goto out;	/* attaching twice is a no-op */
	if (m->nqp == SIB_MAX_MCAST_QP) {
		ret = -ENOMEM;
		goto out;
	}
	m->mlid = lid;
	m->qps[m->nqp++] = qp;
out:
	spin_unlock_irqrestore(&sib_fabric.mcast_lock, flags);
	kfree(fresh);
	return ret;
}

static bool sib_mcast_remove(struct sib_mcast *m, struct sib_qp *qp)
{
	int i;

	for (i = 0; i < m->nqp; i++) {
		if (m->qps[i] == qp) {
			m->qps[i] = m->qps[--m->nqp];
			return true;
		}
	}
	return false;
}

int sib_detach_mcast(struct ib_qp *ibqp, union ib_gid *gid, u16 lid)
{
	struct sib_qp *qp = to_sqp(ibqp);
	struct sib_mcast *m, *gone = NULL;
	unsigned long flags;
	int ret = -EINVAL;

	spin_lock_irqsave(&sib_fabric.mcast_lock, flags);
	m = sib_mcast_find(gid);
	if (m && sib_mcast_remove(m, qp)) {
		ret = 0;
		if (!m->nqp) {
			list_del(&m->list);
			gone = m;
		}
	}
	spin_unlock_irqrestore(&sib_fabric.mcast_lock, flags);
	kfree(gone);
	return ret;
}

void sib_mcast_detach_all(struct sib_qp *qp)
{
	struct sib_mcast *m, *tmp;
	unsigned long flags;
	LIST_HEAD(gone);

	spin_lock_irqsave(&sib_fabric.mcast_lock, flags);
	list_for_each_entry_safe(m, tmp, &sib_fabric.mcast, list) {
		if (sib_mcast_remove(m, qp) && !m->nqp)
			list_move(&m->list, &gone);
	}
	spin_unlock_irqrestore(&sib_fabric.mcast_lock, flags);
	list_for_each_entry_safe(m, tmp, &gone, list)
		kfree(m);
}

/*
 * Take references on the QPs attached to a group (by MGID, or by MLID for
 * packets without a GRH).  Returns how many were stored in @qps.
 */
int sib_mcast_snapshot(const union ib_gid *mgid, u16 mlid,
		       struct sib_qp **qps, int max)
{
	struct sib_mcast *m;
	unsigned long flags;
	int i, n = 0;

	spin_lock_irqsave(&sib_fabric.mcast_lock, flags);
	list_for_each_entry(m, &sib_fabric.mcast, list) {
		if (mgid ? memcmp(m->mgid.raw, mgid->raw, sizeof(mgid->raw)) :
			   m->mlid != mlid)
			continue;
		for (i = 0; i < m->nqp && n < max; i++)
			if (refcount_inc_not_zero(&m->qps[i]->ref))
				qps[n++] = m->qps[i];
		if (mgid)
			break;
	}
	spin_unlock_irqrestore(&sib_fabric.mcast_lock, flags);
	return n;
}
