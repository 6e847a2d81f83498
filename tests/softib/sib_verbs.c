// SPDX-License-Identifier: GPL-2.0
/*
 * softib: device and port queries, PD, MR, AH, CQ, hardware counters and the
 * ops tables.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/version.h>
#include <rdma/ib_cache.h>

#include "sib.h"

static int sib_query_device(struct ib_device *ib, struct ib_device_attr *a,
			    struct ib_udata *udata)
{
	if (udata && (udata->inlen || udata->outlen))
		return -EINVAL;

	memset(a, 0, sizeof(*a));
	a->fw_ver = 1;
	a->sys_image_guid = ib->node_guid;
	a->max_mr_size = U64_MAX;
	a->page_size_cap = PAGE_SIZE;
	a->vendor_id = 0;
	a->vendor_part_id = 0x5b;
	a->hw_ver = 1;
	a->max_qp = SIB_MAX_QP;
	a->max_qp_wr = SIB_MAX_QP_WR;
	a->device_cap_flags = IB_DEVICE_PORT_ACTIVE_EVENT |
			      IB_DEVICE_SYS_IMAGE_GUID |
			      IB_DEVICE_RC_RNR_NAK_GEN;
	/* Deliberately no UD_IP_CSUM/UD_TSO: ipoib then does both itself. */
	a->kernel_cap_flags = IBK_LOCAL_DMA_LKEY;
	a->max_send_sge = SIB_MAX_SGE;
	a->max_recv_sge = SIB_MAX_SGE;
	a->max_sge_rd = 1;
	a->max_cq = SIB_MAX_CQ;
	a->max_cqe = SIB_MAX_CQE;
	a->max_mr = 4096;
	a->max_pd = 4096;
	a->max_qp_rd_atom = 16;
	a->max_qp_init_rd_atom = 16;
	a->max_res_rd_atom = 16 * SIB_MAX_QP;
	a->atomic_cap = IB_ATOMIC_NONE;
	a->max_ah = 65536;
	a->max_srq = SIB_MAX_SRQ;
	a->max_srq_wr = SIB_MAX_QP_WR;
	a->max_srq_sge = SIB_MAX_SGE;
	a->max_mcast_grp = SIB_MAX_MCAST_GRP;
	a->max_mcast_qp_attach = SIB_MAX_MCAST_QP;
	a->max_total_mcast_qp_attach = SIB_MAX_MCAST_GRP * SIB_MAX_MCAST_QP;
	a->max_pkeys = SIB_PKEY_TBL_LEN;
	a->local_ca_ack_delay = 15;
	return 0;
}

static int sib_query_port(struct ib_device *ib, u32 port_num,
			  struct ib_port_attr *a)
{
	struct sib_port *port = sib_port(to_sdev(ib), port_num);
	unsigned long flags;
	bool active;

	/* The core has zeroed *a. */
	spin_lock_irqsave(&port->lock, flags);
	active = port->state == IB_PORT_ACTIVE;
	a->state = port->state;
	a->lid = port->lid;
	a->port_cap_flags = port->cap_flags;
	spin_unlock_irqrestore(&port->lock, flags);

	a->phys_state = active ? IB_PORT_PHYS_STATE_LINK_UP :
				 IB_PORT_PHYS_STATE_DISABLED;
	a->max_mtu = sib_mtu_enum();
	a->active_mtu = sib_mtu_enum();
	a->gid_tbl_len = SIB_GID_TBL_LEN;
	a->pkey_tbl_len = SIB_PKEY_TBL_LEN;
	a->max_msg_sz = 0x80000000;
	a->bad_pkey_cntr = min_t(u64, atomic64_read(&port->cnt[SIB_CNT_DROP_PKEY]),
				 U32_MAX);
	a->qkey_viol_cntr = min_t(u64, atomic64_read(&port->cnt[SIB_CNT_DROP_QKEY]),
				  U32_MAX);
	a->sm_lid = sib_sm_lid();
	a->sm_sl = 0;
	a->lmc = 0;
	a->max_vl_num = 1;
	a->subnet_timeout = 18;
	a->active_width = IB_WIDTH_4X;
	a->active_speed = IB_SPEED_QDR;
	return 0;
}

static int sib_modify_port(struct ib_device *ib, u32 port_num, int mask,
			   struct ib_port_modify *pm)
{
	struct sib_port *port = sib_port(to_sdev(ib), port_num);
	unsigned long flags;

	if (mask & ~(IB_PORT_SHUTDOWN | IB_PORT_RESET_QKEY_CNTR |
		     IB_PORT_INIT_TYPE))
		return -EOPNOTSUPP;

	spin_lock_irqsave(&port->lock, flags);
	port->cap_flags |= pm->set_port_cap_mask;
	port->cap_flags &= ~pm->clr_port_cap_mask;
	spin_unlock_irqrestore(&port->lock, flags);
	if (mask & IB_PORT_RESET_QKEY_CNTR)
		atomic64_set(&port->cnt[SIB_CNT_DROP_QKEY], 0);
	return 0;
}

static int sib_get_port_immutable(struct ib_device *ib, u32 port_num,
				  struct ib_port_immutable *im)
{
	im->pkey_tbl_len = SIB_PKEY_TBL_LEN;
	im->gid_tbl_len = SIB_GID_TBL_LEN;
	im->core_cap_flags = RDMA_CORE_PORT_IBA_IB;
	im->max_mad_size = IB_MGMT_MAD_SIZE;
	return 0;
}

static int sib_query_gid(struct ib_device *ib, u32 port_num, int index,
			 union ib_gid *gid)
{
	if (index != 0)
		return -EINVAL;
	sib_port_gid(sib_port(to_sdev(ib), port_num), gid);
	return 0;
}

static int sib_query_pkey(struct ib_device *ib, u32 port_num, u16 index,
			  u16 *pkey)
{
	struct sib_port *port = sib_port(to_sdev(ib), port_num);
	unsigned long flags;

	if (index >= SIB_PKEY_TBL_LEN)
		return -EINVAL;
	spin_lock_irqsave(&port->lock, flags);
	*pkey = port->pkeys[index];
	spin_unlock_irqrestore(&port->lock, flags);
	return 0;
}

static void sib_get_dev_fw_str(struct ib_device *ib, char *str)
{
	snprintf(str, IB_FW_VERSION_NAME_MAX, "softib 1.0");
}

/* ---- PD and MR: addresses are kernel virtual, so there is nothing to map ---- */

static int sib_alloc_pd(struct ib_pd *pd, struct ib_udata *udata)
{
	return 0;
}

static int sib_dealloc_pd(struct ib_pd *pd, struct ib_udata *udata)
{
	return 0;
}

static struct ib_mr *sib_get_dma_mr(struct ib_pd *pd, int access)
{
	struct sib_mr *mr = kzalloc(sizeof(*mr), GFP_KERNEL);
	u32 key;

	if (!mr)
		return ERR_PTR(-ENOMEM);
	key = atomic_inc_return(&to_sdev(pd->device)->mr_key);
	mr->ibmr.lkey = key;
	mr->ibmr.rkey = key;
	return &mr->ibmr;
}

static struct ib_mr *sib_reg_user_mr(struct ib_pd *pd, u64 start, u64 length,
				     u64 virt, int access,
				     struct ib_udata *udata)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static int sib_dereg_mr(struct ib_mr *ibmr, struct ib_udata *udata)
{
	kfree(container_of(ibmr, struct sib_mr, ibmr));
	return 0;
}

/* ---- AH ---- */

static int sib_create_ah(struct ib_ah *ibah, struct rdma_ah_init_attr *init,
			 struct ib_udata *udata)
{
	struct sib_ah *ah = to_sah(ibah);
	struct rdma_ah_attr *a = init->ah_attr;

	if (a->type != RDMA_AH_ATTR_TYPE_IB)
		return -EINVAL;
	if (!rdma_ah_get_dlid(a) || rdma_ah_get_port_num(a) < 1 ||
	    rdma_ah_get_port_num(a) > ibah->device->phys_port_cnt)
		return -EINVAL;
	ah->attr = *a;
	/* The core owns the sgid_attr reference; do not keep the pointer. */
	ah->attr.grh.sgid_attr = NULL;
	return 0;
}

static int sib_query_ah(struct ib_ah *ibah, struct rdma_ah_attr *a)
{
	*a = to_sah(ibah)->attr;
	a->type = RDMA_AH_ATTR_TYPE_IB;
	return 0;
}

static int sib_destroy_ah(struct ib_ah *ibah, u32 flags)
{
	return 0;
}

/* ---- CQ ---- */

static bool sib_cq_moderated(const struct sib_cq *cq)
{
	return cq->mod_period || cq->mod_count > 1;
}

static u32 sib_cq_mod_wait_us(const struct sib_cq *cq)
{
	return cq->mod_period ? cq->mod_period : SIB_MOD_COUNT_ONLY_US;
}

/* The moderation window ran out: raise the event it held back. */
static enum hrtimer_restart sib_cq_mod_timer(struct hrtimer *t)
{
	struct sib_cq *cq = container_of(t, struct sib_cq, mod_timer);
	unsigned long flags;
	bool fire = false;

	spin_lock_irqsave(&cq->lock, flags);
	cq->mod_timer_armed = false;
	if (cq->notify == IB_CQ_NEXT_COMP && cq->mod_pending) {
		cq->notify = 0;
		cq->mod_pending = 0;
		fire = true;
	}
	spin_unlock_irqrestore(&cq->lock, flags);
	if (fire)
		sib_cq_notify(cq);
	return HRTIMER_NORESTART;
}

/*
 * rdma_set_cq_moderation(): count completions or period us, whichever
 * comes first (0/0 or 1/0: every completion raises its event). A count
 * without a period waits at most SIB_MOD_COUNT_ONLY_US, so a quiet CQ
 * is not held back for ever. Takes effect from the next window.
 */
static int sib_modify_cq(struct ib_cq *ibcq, u16 count, u16 period)
{
	struct sib_cq *cq = to_scq(ibcq);
	unsigned long flags;

	spin_lock_irqsave(&cq->lock, flags);
	cq->mod_count = count;
	cq->mod_period = period;
	spin_unlock_irqrestore(&cq->lock, flags);
	return 0;
}

/* 6.10 passes the uverbs attribute bundle (NULL for kernel CQs), not udata. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
static int sib_create_cq(struct ib_cq *ibcq, const struct ib_cq_init_attr *attr,
			 struct uverbs_attr_bundle *user)
#else
static int sib_create_cq(struct ib_cq *ibcq, const struct ib_cq_init_attr *attr,
			 struct ib_udata *user)
#endif
{
	struct sib_cq *cq = to_scq(ibcq);

	if (user)
		return -EOPNOTSUPP;
	if (attr->cqe < 1 || attr->cqe > SIB_MAX_CQE || attr->flags)
		return -EINVAL;

	cq->ring = kvcalloc(attr->cqe, sizeof(*cq->ring), GFP_KERNEL);
	if (!cq->ring)
		return -ENOMEM;
	spin_lock_init(&cq->lock);
	hrtimer_init(&cq->mod_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	cq->mod_timer.function = sib_cq_mod_timer;
	cq->size = attr->cqe;
	ibcq->cqe = attr->cqe;
	return 0;
}

static int sib_destroy_cq(struct ib_cq *ibcq, struct ib_udata *udata)
{
	/* Every QP using this CQ is gone, and with it any delivery into it. */
	hrtimer_cancel(&to_scq(ibcq)->mod_timer);
	kvfree(to_scq(ibcq)->ring);
	return 0;
}

/*
 * Queue one completion.  Returns true when the consumer must be notified;
 * the caller does that with sib_cq_notify() once it holds no locks.
 */
bool sib_cq_push(struct sib_cq *cq, const struct ib_wc *wc)
{
	unsigned long flags;
	bool notify = false, overflow = false;

	spin_lock_irqsave(&cq->lock, flags);
	if (cq->count == cq->size) {
		overflow = !cq->overflow;
		cq->overflow = true;
	} else {
		cq->ring[(cq->head + cq->count) % cq->size] = *wc;
		cq->count++;
		if (cq->notify == IB_CQ_NEXT_COMP && sib_cq_moderated(cq)) {
			/* Hold the event back for the moderation window. */
			cq->mod_pending++;
			if (cq->mod_count > 1 && cq->mod_pending >= cq->mod_count) {
				cq->notify = 0;
				cq->mod_pending = 0;
				notify = true;
				/* -1: running; it finds nothing pending and clears the flag. */
				if (cq->mod_timer_armed &&
				    hrtimer_try_to_cancel(&cq->mod_timer) >= 0)
					cq->mod_timer_armed = false;
			} else if (!cq->mod_timer_armed) {
				cq->mod_timer_armed = true;
				hrtimer_start(&cq->mod_timer,
					      ns_to_ktime((u64)sib_cq_mod_wait_us(cq) * NSEC_PER_USEC),
					      HRTIMER_MODE_REL_SOFT);
			}
		} else if (cq->notify == IB_CQ_NEXT_COMP ||
			   (cq->notify == IB_CQ_SOLICITED &&
			    (wc->status != IB_WC_SUCCESS ||
			     (wc->wc_flags & IB_WC_WITH_IMM)))) {
			cq->notify = 0;
			notify = true;
		}
	}
	spin_unlock_irqrestore(&cq->lock, flags);
	atomic64_inc(&to_sdev(cq->ibcq.device)->cq_cqes);

	if (overflow && cq->ibcq.event_handler) {
		struct ib_event ev = {
			.device = cq->ibcq.device,
			.element.cq = &cq->ibcq,
			.event = IB_EVENT_CQ_ERR,
		};

		pr_warn_ratelimited("softib: CQ overrun (%u entries)\n",
				    cq->size);
		cq->ibcq.event_handler(&ev, cq->ibcq.cq_context);
	}
	return notify;
}

/*
 * Completion handlers expect softirq-like context (ipoib calls
 * napi_schedule), and the worker runs in process context.
 */
void sib_cq_notify(struct sib_cq *cq)
{
	struct sib_dev *sdev = to_sdev(cq->ibcq.device);

	if (!cq->ibcq.comp_handler)
		return;
	atomic64_inc(&sdev->cq_events);
	if (sib_cq_moderated(cq))
		atomic64_inc(&sdev->cq_mod_events);
	local_bh_disable();
	cq->ibcq.comp_handler(&cq->ibcq, cq->ibcq.cq_context);
	local_bh_enable();
}

static int sib_poll_cq(struct ib_cq *ibcq, int n, struct ib_wc *wc)
{
	struct sib_cq *cq = to_scq(ibcq);
	unsigned long flags;
	int i;

	spin_lock_irqsave(&cq->lock, flags);
	for (i = 0; i < n && cq->count; i++) {
		wc[i] = cq->ring[cq->head];
		cq->head = (cq->head + 1) % cq->size;
		cq->count--;
	}
	spin_unlock_irqrestore(&cq->lock, flags);
	return i;
}

static int sib_req_notify_cq(struct ib_cq *ibcq, enum ib_cq_notify_flags fl)
{
	struct sib_cq *cq = to_scq(ibcq);
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&cq->lock, flags);
	if ((fl & IB_CQ_SOLICITED_MASK) == IB_CQ_NEXT_COMP)
		cq->notify = IB_CQ_NEXT_COMP;
	else if (cq->notify != IB_CQ_NEXT_COMP)
		cq->notify = IB_CQ_SOLICITED;
	/* Pollers re-arm and rely on this to catch completions that raced. */
	if ((fl & IB_CQ_REPORT_MISSED_EVENTS) && cq->count)
		ret = 1;
	spin_unlock_irqrestore(&cq->lock, flags);
	return ret;
}

/* ---- hardware counters: /sys/class/infiniband/sibN/ports/P/hw_counters ---- */

#define SIB_CNT_DESC(id, cname) [SIB_CNT_##id] = { .name = #cname },
static const struct rdma_stat_desc sib_stat_descs[SIB_CNT_MAX] = {
	SIB_COUNTERS(SIB_CNT_DESC)
};
#undef SIB_CNT_DESC

static struct rdma_hw_stats *sib_alloc_hw_port_stats(struct ib_device *ib,
						     u32 port_num)
{
	return rdma_alloc_hw_stats_struct(sib_stat_descs, SIB_CNT_MAX,
					  RDMA_HW_STATS_DEFAULT_LIFESPAN);
}

static int sib_get_hw_stats(struct ib_device *ib, struct rdma_hw_stats *stats,
			    u32 port_num, int index)
{
	struct sib_port *port;
	int i;

	if (!port_num)
		return 0;
	port = sib_port(to_sdev(ib), port_num);
	for (i = 0; i < SIB_CNT_MAX; i++)
		stats->value[i] = atomic64_read(&port->cnt[i]);
	return SIB_CNT_MAX;
}

const struct ib_device_ops sib_dev_ops = {
	.owner = THIS_MODULE,
	.driver_id = RDMA_DRIVER_UNKNOWN,

	.alloc_hw_port_stats = sib_alloc_hw_port_stats,
	.alloc_pd = sib_alloc_pd,
	.attach_mcast = sib_attach_mcast,
	.create_ah = sib_create_ah,
	.create_cq = sib_create_cq,
	.create_qp = sib_create_qp,
	.dealloc_pd = sib_dealloc_pd,
	.dereg_mr = sib_dereg_mr,
	.destroy_ah = sib_destroy_ah,
	.destroy_cq = sib_destroy_cq,
	.destroy_qp = sib_destroy_qp,
	.detach_mcast = sib_detach_mcast,
	.get_dev_fw_str = sib_get_dev_fw_str,
	.get_dma_mr = sib_get_dma_mr,
	.get_hw_stats = sib_get_hw_stats,
	.get_port_immutable = sib_get_port_immutable,
	.modify_cq = sib_modify_cq,
	.modify_port = sib_modify_port,
	.modify_qp = sib_modify_qp,
	.poll_cq = sib_poll_cq,
	.post_recv = sib_post_recv,
	.post_send = sib_post_send,
	.process_mad = sib_process_mad,
	.query_ah = sib_query_ah,
	.query_device = sib_query_device,
	.query_gid = sib_query_gid,
	.query_pkey = sib_query_pkey,
	.query_port = sib_query_port,
	.query_qp = sib_query_qp,
	.reg_user_mr = sib_reg_user_mr,
	.req_notify_cq = sib_req_notify_cq,

	INIT_RDMA_OBJ_SIZE(ib_ah, sib_ah, ibah),
	INIT_RDMA_OBJ_SIZE(ib_cq, sib_cq, ibcq),
	INIT_RDMA_OBJ_SIZE(ib_pd, sib_pd, ibpd),
	INIT_RDMA_OBJ_SIZE(ib_qp, sib_qp, ibqp),
};

/* Installed only with srq=1, so ipoib-CM can be tested without SRQ too. */
const struct ib_device_ops sib_srq_ops = {
	.create_srq = sib_create_srq,
	.destroy_srq = sib_destroy_srq,
	.modify_srq = sib_modify_srq,
	.post_srq_recv = sib_post_srq_recv,
	.query_srq = sib_query_srq,

	INIT_RDMA_OBJ_SIZE(ib_srq, sib_srq, ibsrq),
};
