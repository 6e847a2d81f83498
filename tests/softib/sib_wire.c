// SPDX-License-Identifier: GPL-2.0
/*
 * softib: the wire.  One worker per HCA drains the send queues of that HCA's
 * QPs in order, copies each message straight from the sender's SGEs into a
 * receive WQE of the destination QP(s), and generates all completions.
 *
 * UD/GSI: unicast by DLID -> port -> QPN; multicast fan-out to every
 * attached QP (the sender's own port included), always with a GRH when the
 * sender used one; Q_Key and P_Key checks at the receiver; the send always
 * completes successfully, delivered or not.  GSI MADs to the SM LID go to
 * the embedded SA (sib_sa.c).
 *
 * RC: the send completes only after the message was placed.  No receive WQE
 * means RNR NAK (retry after the responder's min_rnr_timer, rnr_retry times,
 * 7 = forever); no responder or a responder in the wrong state means a lost
 * packet (retry after the local ACK timeout, retry_cnt times).  Exhausting
 * either fails the WQE and moves the QP to ERR.
 */
#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/sched.h>

#include "sib.h"

enum sib_xmit_result {
	SIB_XMIT_DONE,		/* wc status in *status */
	SIB_XMIT_TIMEOUT,	/* RC: no ACK, retry */
	SIB_XMIT_RNR,		/* RC: RNR NAK, retry */
	SIB_XMIT_PENDING,	/* RC: sent to the other host, reply awaited */
	SIB_XMIT_RESEND,	/* RC: the other host's ACK timed out: resend now */
};

bool sib_wire_random(u32 ppm)
{
	return ppm && get_random_u32_below(1000000) < ppm;
}

/* ---- scatter/gather copy between kernel virtual SGE lists ---- */

struct sib_sg_iter {
	const struct ib_sge *sge;
	u32 num;
	u32 idx;
	u32 off;
};

static void sib_sg_iter_init(struct sib_sg_iter *it, const struct ib_sge *sge,
			     u32 num)
{
	it->sge = sge;
	it->num = num;
	it->idx = 0;
	it->off = 0;
}

u32 sib_sg_len(const struct ib_sge *sge, u32 num)
{
	u32 i, n = 0;

	for (i = 0; i < num; i++)
		n += sge[i].length;
	return n;
}

/* Next contiguous chunk of at most @max bytes, or NULL at the end. */
static void *sib_sg_next(struct sib_sg_iter *it, u32 max, u32 *len)
{
	while (it->idx < it->num && it->off == it->sge[it->idx].length) {
		it->idx++;
		it->off = 0;
	}
	if (it->idx == it->num)
		return NULL;
	*len = min(max, it->sge[it->idx].length - it->off);
	/* virt-DMA: the "DMA address" is the kernel virtual address. */
	return (void *)(uintptr_t)(it->sge[it->idx].addr + it->off);
}

static void sib_sg_advance(struct sib_sg_iter *it, u32 len)
{
	it->off += len;
}

static void sib_sg_write(struct sib_sg_iter *dst, const void *src, u32 len)
{
	while (len) {
		u32 n;
		void *d = sib_sg_next(dst, len, &n);

		if (!d)
			return;
		memcpy(d, src, n);
		sib_sg_advance(dst, n);
		src += n;
		len -= n;
	}
}

/* Copy @len bytes; the caller checked that @dst has room. */
static void sib_sg_copy(struct sib_sg_iter *dst, struct sib_sg_iter *src,
			u32 len)
{
	while (len) {
		u32 sn, dn;
		void *s = sib_sg_next(src, len, &sn);
		void *d;

		if (!s)
			return;
		d = sib_sg_next(dst, sn, &dn);
		if (!d)
			return;
		memcpy(d, s, dn);
		sib_sg_advance(src, dn);
		sib_sg_advance(dst, dn);
		len -= dn;
	}
}

/* An iterator at byte @off of an SGE list (at its end if shorter). */
static void sib_sg_iter_at(struct sib_sg_iter *it, const struct ib_sge *sge,
			   u32 num, u32 off)
{
	sib_sg_iter_init(it, sge, num);
	while (off) {
		u32 n;

		if (!sib_sg_next(it, off, &n))
			return;
		sib_sg_advance(it, n);
		off -= n;
	}
}

/* Write @len bytes at byte @off of an SGE list (the caller checked room). */
void sib_sg_put(const struct ib_sge *sge, u32 num, u32 off, const void *src,
		u32 len)
{
	struct sib_sg_iter it;

	sib_sg_iter_at(&it, sge, num, off);
	sib_sg_write(&it, src, len);
}

/* Gather @len bytes from byte @off of an SGE list into @dst. */
void sib_sg_get(void *dst, const struct ib_sge *sge, u32 num, u32 off, u32 len)
{
	struct sib_sg_iter it;

	sib_sg_iter_at(&it, sge, num, off);
	while (len) {
		u32 n;
		void *s = sib_sg_next(&it, len, &n);

		if (!s)
			return;
		memcpy(dst, s, n);
		sib_sg_advance(&it, n);
		dst += n;
		len -= n;
	}
}

/* ---- receive side ---- */

/* Take a receive WQE of @qp (from its SRQ if it has one). */
static bool sib_take_rwqe(struct sib_qp *qp, struct sib_rwqe *out)
{
	unsigned long flags;
	bool got;

	if (qp->ibqp.srq)
		return sib_srq_pop(to_ssrq(qp->ibqp.srq), out);
	spin_lock_irqsave(&qp->lock, flags);
	got = sib_queue_pop_rwqe(&qp->rq, out);
	spin_unlock_irqrestore(&qp->lock, flags);
	return got;
}

static void sib_complete_recv(struct sib_qp *dqp, struct ib_wc *wc)
{
	struct sib_cq *cq = to_scq(dqp->ibqp.recv_cq);

	if (sib_cq_push(cq, wc))
		sib_cq_notify(cq);
}

/*
 * Deliver one UD/GSI packet to @dqp on @dport.  Consumes a receive WQE
 * unless the packet is dropped.  Never fails the sender.
 */
void sib_wire_deliver_ud(struct sib_qp *dqp, struct sib_port *dport,
			 const struct sib_pkt *pkt)
{
	struct sib_rwqe_buf rb;
	struct sib_sg_iter dst, src;
	struct ib_wc wc = {};
	unsigned long flags;
	enum ib_qp_state state;
	u16 qp_pkey_index;
	u32 qkey;
	int pkey_index;

	if (READ_ONCE(dport->state) != IB_PORT_ACTIVE) {
		sib_count(dport, SIB_CNT_DROP_LINK_DOWN, 1);
		return;
	}

	spin_lock_irqsave(&dqp->lock, flags);
	state = dqp->state;
	qkey = dqp->qkey;
	qp_pkey_index = dqp->pkey_index;
	spin_unlock_irqrestore(&dqp->lock, flags);

	/* QP0 receives SMPs only, which come from QP0. */
	if (!sib_qp_is_ud(dqp) || !sib_state_can_recv(state) ||
	    (dqp->ibqp.qp_type == IB_QPT_SMI) != (pkt->src_qpn == 0)) {
		sib_count(dport, SIB_CNT_DROP_NO_QP, 1);
		return;
	}

	/*
	 * QP1 accepts any P_Key in the table; a UD QP only its own. SMPs
	 * are exempt from P_Key and Q_Key checks (IBA 9.6.1.1, 10.2.4).
	 */
	if (dqp->ibqp.qp_type == IB_QPT_SMI) {
		pkey_index = 0;
		qkey = pkt->qkey;
	} else if (dqp->ibqp.qp_type == IB_QPT_GSI) {
		pkey_index = sib_port_find_pkey(dport, pkt->pkey);
	} else {
		u16 mine;

		spin_lock_irqsave(&dport->lock, flags);
		mine = dport->pkeys[qp_pkey_index];
		spin_unlock_irqrestore(&dport->lock, flags);
		pkey_index = sib_pkey_match(mine, pkt->pkey) ? qp_pkey_index : -1;
	}
	if (pkey_index < 0) {
		sib_count(dport, SIB_CNT_DROP_PKEY, 1);
		return;
	}
	if (pkt->qkey != qkey) {
		sib_count(dport, SIB_CNT_DROP_QKEY, 1);
		return;
	}

	if (!sib_take_rwqe(dqp, &rb.w)) {
		sib_count(dport, SIB_CNT_DROP_NO_RWQE, 1);
		return;
	}

	wc.wr_id = rb.w.wr_id;
	wc.qp = &dqp->ibqp;
	wc.opcode = IB_WC_RECV;
	wc.byte_len = SIB_GRH_BYTES + pkt->len;
	wc.src_qp = pkt->src_qpn;
	wc.slid = pkt->slid;
	wc.sl = pkt->sl;
	wc.pkey_index = pkey_index;
	wc.port_num = dport->port_num;

	if (sib_sg_len(rb.w.sge, rb.w.num_sge) < wc.byte_len) {
		wc.status = IB_WC_LOC_LEN_ERR;
		sib_count(dport, SIB_CNT_DROP_LEN, 1);
	} else {
		sib_sg_iter_init(&dst, rb.w.sge, rb.w.num_sge);
		/* The first 40 bytes are the GRH slot, written only if present. */
		if (pkt->has_grh) {
			sib_sg_write(&dst, &pkt->grh, SIB_GRH_BYTES);
			wc.wc_flags |= IB_WC_GRH;
		} else {
			sib_sg_advance(&dst, SIB_GRH_BYTES);
		}
		sib_sg_iter_init(&src, pkt->sge, pkt->num_sge);
		sib_sg_copy(&dst, &src, pkt->len);
		if (pkt->has_imm) {
			wc.ex.imm_data = pkt->imm;
			wc.wc_flags |= IB_WC_WITH_IMM;
		}
		wc.status = IB_WC_SUCCESS;
		sib_count(dport, SIB_CNT_RX_PKTS, 1);
		sib_count(dport, SIB_CNT_RX_BYTES, pkt->len);
	}
	sib_complete_recv(dqp, &wc);
}

/* Deliver to QP @qpn of @dport, or count the packet as for no QP. */
void sib_wire_deliver_qpn(struct sib_port *dport, u32 qpn,
			  const struct sib_pkt *pkt)
{
	struct sib_qp *dqp = sib_qp_get(dport, qpn);

	if (!dqp) {
		sib_count(dport, SIB_CNT_DROP_NO_QP, 1);
		return;
	}
	sib_wire_deliver_ud(dqp, dport, pkt);
	sib_qp_put(dqp);
}

/* ---- send side ---- */

static void sib_build_grh(struct sib_pkt *pkt, const struct sib_swqe *w)
{
	struct ib_grh *g = &pkt->grh;

	pkt->has_grh = true;
	g->version_tclass_flow = cpu_to_be32((6u << 28) | ((u32)w->tclass << 20) |
					     (w->flow_label & 0xfffff));
	g->paylen = cpu_to_be16(pkt->len + 8 + 4);	/* BTH+DETH, no ICRC */
	g->next_hdr = 0x1b;	/* IBA: next header is the BTH */
	g->hop_limit = w->hop_limit;
	sib_port_gid(pkt->sport, &g->sgid);
	g->dgid = w->dgid;
}

/* Random loss or corruption (bad ICRC, so the receiver drops it). */
static bool sib_wire_fault(struct sib_port *sport)
{
	if (sib_wire_random(READ_ONCE(sib_fabric.drop_ppm))) {
		sib_count(sport, SIB_CNT_DROP_RANDOM, 1);
		return true;
	}
	if (sib_wire_random(READ_ONCE(sib_fabric.corrupt_ppm))) {
		sib_count(sport, SIB_CNT_DROP_CORRUPT, 1);
		return true;
	}
	return false;
}

/*
 * Every QP of this host attached to the group (by MGID when the packet has
 * a GRH, else by MLID).  @sport counts a group without members: the
 * sender's port, or NULL for a packet from the other host.
 */
void sib_wire_mcast_fanout(struct sib_port *sport, const struct sib_pkt *pkt,
			   u16 dlid)
{
	struct sib_qp *qps[SIB_MAX_MCAST_QP];
	int i, n;

	n = sib_mcast_snapshot(pkt->has_grh ? &pkt->grh.dgid : NULL, dlid, qps,
			       ARRAY_SIZE(qps));
	if (!n && sport)
		sib_count(sport, SIB_CNT_DROP_NO_GROUP, 1);
	for (i = 0; i < n; i++) {
		struct sib_port *dport = sib_port(qps[i]->sdev,
						  READ_ONCE(qps[i]->port_num));

		sib_count(dport, SIB_CNT_MCAST_RX, 1);
		sib_wire_deliver_ud(qps[i], dport, pkt);
		sib_qp_put(qps[i]);
	}
}

static void sib_xmit_mcast(struct sib_pkt *pkt, const struct sib_swqe *w)
{
	sib_count(pkt->sport, SIB_CNT_MCAST_TX, 1);
	sib_wire_mcast_fanout(pkt->sport, pkt, w->dlid);
	/* The other host fans it out to its own members. */
	if (sib_net_attached())
		sib_net_send_ud(pkt, w->dlid, SIB_MCAST_QPN);
}

static enum ib_wc_status sib_xmit_ud(struct sib_qp *qp, struct sib_port *sport,
				     const struct sib_swqe *w)
{
	struct sib_pkt pkt = {};
	struct sib_port *dport;
	unsigned long flags;
	u16 pkey_index;

	if (w->length > (u32)sib_mtu_bytes()) {
		sib_count(sport, SIB_CNT_DROP_LEN, 1);
		return IB_WC_LOC_LEN_ERR;
	}
	if (READ_ONCE(sport->state) != IB_PORT_ACTIVE) {
		sib_count(sport, SIB_CNT_DROP_LINK_DOWN, 1);
		return IB_WC_SUCCESS;
	}
	pkt.sport = sport;
	pkt.slid = READ_ONCE(sport->lid);
	pkt.src_qpn = qp->ibqp.qp_num;
	pkt.sl = w->sl;
	pkt.sge = w->sge;
	pkt.num_sge = w->num_sge;
	pkt.len = w->length;
	pkt.has_imm = w->opcode == IB_WR_SEND_WITH_IMM;
	pkt.imm = w->imm;

	spin_lock_irqsave(&qp->lock, flags);
	pkey_index = qp->ibqp.qp_type == IB_QPT_GSI ? w->pkey_index :
						      qp->pkey_index;
	/* IBA 10.2.5: a remote Q_Key with the high bit set means "use mine". */
	pkt.qkey = (w->remote_qkey & 0x80000000) ? qp->qkey : w->remote_qkey;
	spin_unlock_irqrestore(&qp->lock, flags);
	spin_lock_irqsave(&sport->lock, flags);
	pkt.pkey = sport->pkeys[pkey_index % SIB_PKEY_TBL_LEN];
	spin_unlock_irqrestore(&sport->lock, flags);

	sib_count(sport, SIB_CNT_TX_PKTS, 1);
	sib_count(sport, SIB_CNT_TX_BYTES, w->length);

	/* QP0: subnet management, through the switch (sib_sma.c). */
	if (qp->ibqp.qp_type == IB_QPT_SMI) {
		sib_wire_smp(sport, &pkt, w->dlid);
		return IB_WC_SUCCESS;
	}

	if (w->has_grh)
		sib_build_grh(&pkt, w);

	if (qp->ibqp.qp_type == IB_QPT_GSI && w->dlid == sib_sm_lid()) {
		if (sib_sa_local())
			sib_sa_request(sport, &pkt);
		else if (sib_net_attached())	/* the SA is on the other host */
			sib_net_send_ud(&pkt, w->dlid, 1);
		else
			sib_count(sport, SIB_CNT_DROP_NO_ROUTE, 1);
		return IB_WC_SUCCESS;
	}

	if (sib_wire_fault(sport))
		return IB_WC_SUCCESS;

	if (w->dlid >= SIB_MCAST_LID_BASE && w->dlid != SIB_PERMISSIVE_LID) {
		if (w->remote_qpn == SIB_MCAST_QPN)
			sib_xmit_mcast(&pkt, w);
		else
			sib_count(sport, SIB_CNT_DROP_NO_QP, 1);
		return IB_WC_SUCCESS;
	}

	if (sib_peer_lid(w->dlid)) {
		sib_peer_sink(w->dlid, &pkt);
		return IB_WC_SUCCESS;
	}
	dport = sib_port_by_lid(w->dlid);
	if (!dport) {
		sib_count(sport, SIB_CNT_DROP_NO_ROUTE, 1);
		return IB_WC_SUCCESS;
	}
	if (dport->remote) {
		if (READ_ONCE(dport->state) != IB_PORT_ACTIVE)
			sib_count(sport, SIB_CNT_DROP_LINK_DOWN, 1);
		else
			sib_net_send_ud(&pkt, w->dlid, w->remote_qpn);
		return IB_WC_SUCCESS;
	}
	sib_wire_deliver_qpn(dport, w->remote_qpn, &pkt);
	return IB_WC_SUCCESS;
}

/*
 * One RC message.  Returns SIB_XMIT_DONE with *status set, or a retry
 * reason; on retry nothing was consumed at the responder.
 */
static enum sib_xmit_result sib_xmit_rc(struct sib_qp *qp,
					struct sib_port *sport,
					const struct sib_swqe *w,
					enum ib_wc_status *status,
					u8 *rnr_timer)
{
	struct sib_rwqe_buf rb;
	struct sib_sg_iter dst, src;
	struct ib_wc wc = {};
	struct sib_port *dport;
	struct sib_qp *dqp;
	unsigned long flags;
	u32 dest_qpn, psn;
	u16 dlid, pkey_index;
	bool ok;

	spin_lock_irqsave(&qp->lock, flags);
	dlid = qp->av.dlid;
	dest_qpn = qp->dest_qpn;
	psn = qp->sq_psn;
	spin_unlock_irqrestore(&qp->lock, flags);

	if (READ_ONCE(sport->state) != IB_PORT_ACTIVE) {
		sib_count(sport, SIB_CNT_DROP_LINK_DOWN, 1);
		return SIB_XMIT_TIMEOUT;
	}
	dport = sib_port_by_lid(dlid);
	if (!dport) {
		sib_count(sport, SIB_CNT_DROP_NO_ROUTE, 1);
		return SIB_XMIT_TIMEOUT;
	}
	if (READ_ONCE(dport->state) != IB_PORT_ACTIVE) {
		sib_count(dport, SIB_CNT_DROP_LINK_DOWN, 1);
		return SIB_XMIT_TIMEOUT;
	}
	if (sib_wire_fault(sport))
		return SIB_XMIT_TIMEOUT;

	if (dport->remote) {
		sib_net_send_rc(qp, sport, dlid, dest_qpn, psn, w);
		return SIB_XMIT_PENDING;
	}

	dqp = sib_qp_get(dport, dest_qpn);
	if (!dqp) {
		sib_count(dport, SIB_CNT_DROP_NO_QP, 1);
		return SIB_XMIT_TIMEOUT;
	}

	/* The responder only accepts packets of its own connection. */
	spin_lock_irqsave(&dqp->lock, flags);
	ok = dqp->ibqp.qp_type == IB_QPT_RC && sib_state_can_recv(dqp->state) &&
	     dqp->dest_qpn == qp->ibqp.qp_num &&
	     dqp->av.dlid == READ_ONCE(sport->lid);
	pkey_index = dqp->pkey_index;
	*rnr_timer = dqp->min_rnr_timer;
	spin_unlock_irqrestore(&dqp->lock, flags);
	if (!ok) {
		sib_count(dport, SIB_CNT_DROP_NO_QP, 1);
		sib_qp_put(dqp);
		return SIB_XMIT_TIMEOUT;
	}

	if (!sib_take_rwqe(dqp, &rb.w)) {
		sib_count(dport, SIB_CNT_RC_RNR, 1);
		sib_qp_put(dqp);
		return SIB_XMIT_RNR;
	}

	wc.wr_id = rb.w.wr_id;
	wc.qp = &dqp->ibqp;
	wc.opcode = IB_WC_RECV;
	wc.byte_len = w->length;
	wc.src_qp = qp->ibqp.qp_num;
	wc.slid = READ_ONCE(sport->lid);
	wc.pkey_index = pkey_index;
	wc.port_num = dport->port_num;

	if (sib_sg_len(rb.w.sge, rb.w.num_sge) < w->length) {
		/* Responder: local length error; requester: remote invalid request. */
		wc.status = IB_WC_LOC_LEN_ERR;
		sib_count(dport, SIB_CNT_DROP_LEN, 1);
		spin_lock_irqsave(&dqp->lock, flags);
		if (dqp->state != IB_QPS_RESET)
			sib_qp_set_error_locked(dqp);
		spin_unlock_irqrestore(&dqp->lock, flags);
		sib_complete_recv(dqp, &wc);
		sib_qp_schedule(dqp);
		sib_qp_put(dqp);
		*status = IB_WC_REM_INV_REQ_ERR;
		return SIB_XMIT_DONE;
	}

	sib_sg_iter_init(&dst, rb.w.sge, rb.w.num_sge);
	sib_sg_iter_init(&src, w->sge, w->num_sge);
	sib_sg_copy(&dst, &src, w->length);	/* RC: no GRH slot */
	if (w->opcode == IB_WR_SEND_WITH_IMM) {
		wc.ex.imm_data = w->imm;
		wc.wc_flags |= IB_WC_WITH_IMM;
	}
	wc.status = IB_WC_SUCCESS;
	sib_count(sport, SIB_CNT_TX_PKTS, 1);
	sib_count(sport, SIB_CNT_TX_BYTES, w->length);
	sib_count(dport, SIB_CNT_RX_PKTS, 1);
	sib_count(dport, SIB_CNT_RX_BYTES, w->length);
	sib_complete_recv(dqp, &wc);
	sib_qp_put(dqp);
	*status = IB_WC_SUCCESS;
	return SIB_XMIT_DONE;
}

/* ---- flush and completion ---- */

static void sib_raise_qp_event(struct sib_qp *qp, enum ib_event_type type)
{
	struct ib_event ev = {
		.device = qp->ibqp.device,
		.element.qp = &qp->ibqp,
		.event = type,
	};

	if (qp->ibqp.event_handler)
		qp->ibqp.event_handler(&ev, qp->ibqp.qp_context);
}

/* Complete every outstanding WQE of an ERR QP with IB_WC_WR_FLUSH_ERR. */
static void sib_qp_flush(struct sib_qp *qp)
{
	struct sib_cq *scq = to_scq(qp->ibqp.send_cq);
	struct sib_cq *rcq = to_scq(qp->ibqp.recv_cq);
	bool notify_s = false, notify_r = false, last_wqe = false;
	struct ib_wc wc = {};
	unsigned long flags;

	wc.status = IB_WC_WR_FLUSH_ERR;
	wc.qp = &qp->ibqp;
	wc.port_num = qp->port_num;

	spin_lock_irqsave(&qp->lock, flags);
	if (qp->state != IB_QPS_ERR) {
		spin_unlock_irqrestore(&qp->lock, flags);
		return;
	}
	wc.opcode = IB_WC_SEND;
	while (qp->sq.count) {
		struct sib_swqe *w = sib_queue_slot(&qp->sq, 0);

		wc.wr_id = w->wr_id;
		notify_s |= sib_cq_push(scq, &wc);
		qp->sq.head = (qp->sq.head + 1) % qp->sq.size;
		qp->sq.count--;
	}
	wc.opcode = IB_WC_RECV;
	/* A message from the other host was arriving into this one. */
	if (qp->net.rx_held) {
		qp->net.rx_held = false;
		wc.wr_id = qp->net.rx.w.wr_id;
		notify_r |= sib_cq_push(rcq, &wc);
	}
	while (qp->rq.count) {
		struct sib_rwqe *w = sib_queue_slot(&qp->rq, 0);

		wc.wr_id = w->wr_id;
		notify_r |= sib_cq_push(rcq, &wc);
		qp->rq.head = (qp->rq.head + 1) % qp->rq.size;
		qp->rq.count--;
	}
	if (qp->ibqp.srq && !qp->last_wqe_raised) {
		qp->last_wqe_raised = true;
		last_wqe = true;
	}
	spin_unlock_irqrestore(&qp->lock, flags);

	/* A CQ shared by both queues reports true only once per arm. */
	if (notify_s)
		sib_cq_notify(scq);
	if (notify_r)
		sib_cq_notify(rcq);
	/* IBA 11.6.3: the SRQ-attached QP will consume no more WQEs. */
	if (last_wqe)
		sib_raise_qp_event(qp, IB_EVENT_QP_LAST_WQE_REACHED);
}

/* IBA 9.7.5.2.8 RNR timer encoding, in microseconds. */
unsigned long sib_rnr_usecs(u8 t)
{
	static const u32 us[32] = {
		655360, 10, 20, 30, 40, 60, 80, 120, 160, 240, 320, 480, 640,
		960, 1280, 1920, 2560, 3840, 5120, 7680, 10240, 15360, 20480,
		30720, 40960, 61440, 81920, 122880, 163840, 245760, 327680,
		491520,
	};

	return us[t & 31];
}

void sib_qp_retry_timer(struct timer_list *t)
{
	struct sib_qp *qp = from_timer(qp, t, retry_timer);
	unsigned long flags;

	spin_lock_irqsave(&qp->lock, flags);
	qp->waiting = false;
	spin_unlock_irqrestore(&qp->lock, flags);
	sib_qp_schedule(qp);
}

/* Its port's send_stall holds this UD QP's sends (qp->lock held). */
static bool sib_send_stalled(struct sib_qp *qp)
{
	u32 stall = READ_ONCE(sib_port(qp->sdev, qp->port_num)->send_stall);

	if (qp->ibqp.qp_type != IB_QPT_UD)
		return false;
	if (stall == SIB_STALL_HANG)
		qp->sq_hung = true;
	return stall != SIB_STALL_OFF || qp->sq_hung;
}

/*
 * Process up to @budget send WQEs of @qp.  Returns true when more work is
 * left and the QP should go to the back of the queue.
 */
static bool sib_qp_process(struct sib_qp *qp, int budget)
{
	struct sib_port *sport;
	unsigned long flags;
	int done;

	for (done = 0; done < budget; done++) {
		enum sib_xmit_result res = SIB_XMIT_DONE;
		enum ib_wc_status status = IB_WC_SUCCESS;
		struct sib_swqe *w;
		struct ib_wc wc = {};
		bool notify = false;
		u8 rnr_timer = 0;
		u32 gen;

		spin_lock_irqsave(&qp->lock, flags);
		if (qp->state == IB_QPS_ERR) {
			spin_unlock_irqrestore(&qp->lock, flags);
			sib_qp_flush(qp);
			return false;
		}
		if (qp->waiting || !qp->sq.count || qp->state != IB_QPS_RTS ||
		    sib_send_stalled(qp)) {
			spin_unlock_irqrestore(&qp->lock, flags);
			return false;
		}
		/* The slot stays ours until we pop it: only this worker pops. */
		w = sib_queue_slot(&qp->sq, 0);
		gen = qp->sq_gen;
		sport = sib_port(qp->sdev, qp->port_num);

		if (qp->net.inflight) {
			/* The other host answered, or the ACK timer fired. */
			qp->net.inflight = false;
			switch (qp->net.reply) {
			case SIB_NET_REPLY_ACK:
				res = SIB_XMIT_DONE;
				sib_count(sport, SIB_CNT_TX_PKTS, 1);
				sib_count(sport, SIB_CNT_TX_BYTES, w->length);
				break;
			case SIB_NET_REPLY_INV:
				status = IB_WC_REM_INV_REQ_ERR;
				break;
			case SIB_NET_REPLY_RNR:
				res = SIB_XMIT_RNR;
				rnr_timer = qp->net.rnr_timer;
				break;
			default:
				res = SIB_XMIT_RESEND;
				break;
			}
			spin_unlock_irqrestore(&qp->lock, flags);
		} else {
			spin_unlock_irqrestore(&qp->lock, flags);
			if (sib_qp_is_ud(qp))
				status = sib_xmit_ud(qp, sport, w);
			else
				res = sib_xmit_rc(qp, sport, w, &status,
						  &rnr_timer);
			if (res == SIB_XMIT_PENDING)
				return false;	/* sib_net_send_rc armed the wait */
		}

		spin_lock_irqsave(&qp->lock, flags);
		if (gen != qp->sq_gen || qp->state == IB_QPS_RESET) {
			/* Reset under our feet: the WQE no longer exists. */
			spin_unlock_irqrestore(&qp->lock, flags);
			continue;
		}
		if (res != SIB_XMIT_DONE && qp->state == IB_QPS_ERR) {
			spin_unlock_irqrestore(&qp->lock, flags);
			continue;	/* flushed on the next iteration */
		}
		if (res == SIB_XMIT_RNR) {
			if (qp->rnr_retry == 7 || qp->rnr_left) {
				unsigned long us = sib_rnr_usecs(rnr_timer);

				if (qp->rnr_retry != 7)
					qp->rnr_left--;
				qp->waiting = true;
				mod_timer(&qp->retry_timer,
					  jiffies + max(usecs_to_jiffies(us), 1UL));
				spin_unlock_irqrestore(&qp->lock, flags);
				return false;
			}
			status = IB_WC_RNR_RETRY_EXC_ERR;
		} else if (res == SIB_XMIT_RESEND) {
			/* The ACK timeout already passed: send again at once. */
			if (qp->retry_left) {
				qp->retry_left--;
				sib_count(sport, SIB_CNT_RC_RETRY, 1);
				spin_unlock_irqrestore(&qp->lock, flags);
				continue;
			}
			status = IB_WC_RETRY_EXC_ERR;
		} else if (res == SIB_XMIT_TIMEOUT) {
			if (qp->retry_left) {
				/* Local ACK timeout: 4.096 us * 2^timeout, capped. */
				unsigned long us = 4UL << min_t(u8, qp->timeout, 20);

				qp->retry_left--;
				sib_count(sport, SIB_CNT_RC_RETRY, 1);
				qp->waiting = true;
				mod_timer(&qp->retry_timer,
					  jiffies + max(usecs_to_jiffies(us), 1UL));
				spin_unlock_irqrestore(&qp->lock, flags);
				return false;
			}
			status = IB_WC_RETRY_EXC_ERR;
		}

		/* Acknowledged (or failed for good): retire the WQE. */
		qp->retry_left = qp->retry_cnt;
		qp->rnr_left = qp->rnr_retry;
		if (w->signaled || status != IB_WC_SUCCESS) {
			wc.wr_id = w->wr_id;
			wc.status = status;
			wc.opcode = IB_WC_SEND;
			wc.qp = &qp->ibqp;
			wc.byte_len = w->length;
			wc.port_num = qp->port_num;
			notify = sib_cq_push(to_scq(qp->ibqp.send_cq), &wc);
		}
		qp->sq.head = (qp->sq.head + 1) % qp->sq.size;
		qp->sq.count--;
		/* Message sequence numbers of the two-host wire (per message). */
		if (!sib_qp_is_ud(qp))
			qp->sq_psn = (qp->sq_psn + 1) & 0xffffff;
		if (status != IB_WC_SUCCESS && !sib_qp_is_ud(qp)) {
			sib_count(sport, SIB_CNT_RC_ERR, 1);
			sib_qp_set_error_locked(qp);
		}
		spin_unlock_irqrestore(&qp->lock, flags);
		if (notify)
			sib_cq_notify(to_scq(qp->ibqp.send_cq));
	}
	return true;
}

void sib_dev_work(struct work_struct *work)
{
	struct sib_dev *sdev = container_of(work, struct sib_dev, work);
	unsigned long flags;
	unsigned int n = 0;

	for (;;) {
		struct sib_qp *qp;
		bool more;

		spin_lock_irqsave(&sdev->pend_lock, flags);
		qp = list_first_entry_or_null(&sdev->pend, struct sib_qp,
					      pend_entry);
		if (qp) {
			list_del_init(&qp->pend_entry);
			/* Still listed, so destroy has not dropped its ref yet. */
			refcount_inc(&qp->ref);
		}
		spin_unlock_irqrestore(&sdev->pend_lock, flags);
		if (!qp)
			break;

		more = sib_qp_process(qp, SIB_WORK_BUDGET);
		if (more)
			sib_qp_schedule(qp);
		sib_qp_put(qp);
		if (!(++n % 8))
			cond_resched();
	}
}
