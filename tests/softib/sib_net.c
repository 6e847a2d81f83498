// SPDX-License-Identifier: GPL-2.0
/*
 * softib: the two-host wire.  With wire=IFNAME, the fabric of this host
 * (its HCAs, switch and, on host 0, the SA) is joined to the fabric of
 * another host through an Ethernet interface: in the tests, a virtio-net
 * NIC that QEMU connects to the other VM's.  IB packets travel as frames
 * of EtherType 0x88b5 (IEEE 802 local experimental), one header below.
 *
 * - Each host announces its ports (GUID, LID, state, P_Keys) every second
 *   and at once after a change (HELLO).  The other host keeps a proxy
 *   sib_port per remote port, in the LID table and found by GUID, so the
 *   wire routes to it and the SA answers for it.  A proxy not heard of for
 *   5 s is down; BYE (module unload) takes them down at once.
 * - UD/GSI: a packet for a proxy's LID goes out as one frame; the receiver
 *   delivers it as the in-kernel wire does.  Multicast is fanned out on
 *   both hosts: locally by the sender, and by the receiver of the frame to
 *   its own attached QPs.  GSI packets for the SM LID go to the host that
 *   runs the SA, which replies to the requester's proxy over the wire.
 * - RC: a message goes out as segments of up to the interface MTU, tagged
 *   with a message sequence number (the QPs' SQ/RQ PSNs, which ib_cm
 *   exchanged).  The responder places the segments into one receive WQE
 *   and answers ACK, RNR NAK or invalid request; nothing (no QP, wrong
 *   connection, port down, a lost segment) means the requester's ACK timer
 *   fires and it sends the whole message again.  A duplicate of the last
 *   placed message is ACKed again and not placed twice.  One message per
 *   QP is in flight.
 * - Subnet management (SMPs) stays on each host.
 *
 * Frames are received in softirq, queued, and handled by one work item in
 * order, in process context like the rest of the wire.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>
#include <linux/slab.h>

#include "sib.h"

#define SIB_NET_ETH_P		0x88b5
#define SIB_NET_VERSION		1
#define SIB_NET_HELLO_MS	1000
#define SIB_NET_PEER_TIMEOUT	(5 * HZ)
#define SIB_NET_RXQ_MAX		4096
/* Two emulated CPUs sit on the path: the ACK timeout is at least this. */
#define SIB_NET_RC_MIN_US	500000UL

enum {
	SIB_NET_UD = 1,
	SIB_NET_RC,
	SIB_NET_RC_REPLY,
	SIB_NET_HELLO,
	SIB_NET_BYE,
};

#define SIB_NET_F_GRH	0x01
#define SIB_NET_F_IMM	0x02

struct sib_net_hdr {
	u8 version;
	u8 type;
	u8 flags;
	u8 sl;
	__be16 slid;
	__be16 dlid;
	__be32 src_qpn;
	__be32 dst_qpn;
	__be16 pkey;
	u8 reply;		/* RC_REPLY: SIB_NET_REPLY_* */
	u8 rnr_timer;		/* RC_REPLY of an RNR NAK */
	__be32 qkey;
	__be32 psn;		/* RC: message sequence number */
	__be32 imm;
	__be32 offset;		/* RC: of this segment in the message */
	__be32 total;		/* RC: message length */
	__be32 len;		/* payload bytes in this frame */
} __packed;

/* HELLO payload: the sender's host number and its ports. */
struct sib_net_port_rec {
	__be64 guid;
	__be16 lid;
	u8 state;
	u8 pad;
	__be16 pkeys[SIB_PKEY_TBL_LEN];
} __packed;

struct sib_net_hello {
	u8 host;
	u8 nports;
	u8 pad[2];
	struct sib_net_port_rec port[];
} __packed;

struct sib_proxy {
	struct list_head list;
	struct sib_port port;
	u8 host;
	unsigned long seen;		/* jiffies of the last HELLO */
};

#define SIB_NET_STATS(X)						\
	X(TX_FRAMES, tx_frames)						\
	X(TX_BYTES, tx_bytes)						\
	X(RX_FRAMES, rx_frames)						\
	X(RX_BYTES, rx_bytes)						\
	X(DROP_BAD, drop_malformed)	/* short, wrong version, ... */	\
	X(DROP_NOMEM, drop_nomem)					\
	X(DROP_QUEUE, drop_queue_full)	/* receive backlog full */	\
	X(DROP_MTU, drop_too_long)	/* frame longer than the MTU */	\
	X(DROP_ROUTE, drop_no_route)	/* not for a port of ours */	\
	X(RC_DUP, rc_duplicates)	/* message placed before */	\
	X(RC_RESEND, rc_resent)		/* ACK timeouts */		\
	X(HELLO_RX, hello_rx)						\
	X(FAULT_SEG, fault_dropped_segments)				\
	X(FAULT_ACK, fault_dropped_acks)				\
	X(FAULT_RNR, fault_rnr_naks)

#define SIB_NET_STAT_ENUM(id, name) SIB_NET_##id,
enum { SIB_NET_STATS(SIB_NET_STAT_ENUM) SIB_NET_NSTATS };
#undef SIB_NET_STAT_ENUM

#define SIB_NET_STAT_NAME(id, name) [SIB_NET_##id] = #name,
static const char *const sib_net_stat_names[SIB_NET_NSTATS] = {
	SIB_NET_STATS(SIB_NET_STAT_NAME)
};
#undef SIB_NET_STAT_NAME

static struct {
	bool inited;
	char ifname[IFNAMSIZ];
	struct net_device __rcu *dev;	/* senders */
	struct net_device *held;	/* our reference; under rtnl */
	u32 seg;			/* RC payload bytes per frame */
	struct packet_type pt;
	struct notifier_block nb;
	struct sk_buff_head rxq;
	struct work_struct rx_work;
	struct delayed_work hello_work;

	spinlock_t lock;		/* proxies (the list; entries stay) */
	struct list_head proxies;
	struct mutex proxy_mutex;	/* proxy updates */

	atomic64_t stat[SIB_NET_NSTATS];

	/*
	 * Deterministic RC faults for tests (debugfs wire_fault): the next N
	 * outgoing RC segments or ACKs are dropped, the next N incoming RC
	 * messages are answered RNR NAK as if no receive WQE were posted.
	 * Random loss (drop_ppm) cannot say which recovery path ran.
	 */
	atomic_t drop_segments, drop_acks, rnr;
} sib_net = {
	.lock = __SPIN_LOCK_UNLOCKED(sib_net.lock),
	.proxies = LIST_HEAD_INIT(sib_net.proxies),
	.proxy_mutex = __MUTEX_INITIALIZER(sib_net.proxy_mutex),
};

static void sib_net_stat(int s, u64 n)
{
	atomic64_add(n, &sib_net.stat[s]);
}

bool sib_net_attached(void)
{
	return rcu_access_pointer(sib_net.dev) != NULL;
}

/* ---- transmit ---- */

/* One frame: @h, the GRH if any, and @len bytes from @off of the SGEs. */
static void sib_net_xmit(const struct sib_net_hdr *h, const struct ib_grh *grh,
			 const struct ib_sge *sge, u32 num_sge, u32 off,
			 u32 len)
{
	u32 hl = sizeof(*h) + (grh ? SIB_GRH_BYTES : 0);
	struct net_device *dev;
	struct sk_buff *skb;

	rcu_read_lock();
	dev = rcu_dereference(sib_net.dev);
	if (!dev)
		goto out;
	if (hl + len > dev->mtu) {
		sib_net_stat(SIB_NET_DROP_MTU, 1);
		goto out;
	}
	skb = alloc_skb(LL_RESERVED_SPACE(dev) + hl + len +
			dev->needed_tailroom, GFP_ATOMIC);
	if (!skb) {
		sib_net_stat(SIB_NET_DROP_NOMEM, 1);
		goto out;
	}
	skb_reserve(skb, LL_RESERVED_SPACE(dev));
	skb_reset_network_header(skb);
	skb_put_data(skb, h, sizeof(*h));
	if (grh)
		skb_put_data(skb, grh, SIB_GRH_BYTES);
	if (len)
		sib_sg_get(skb_put(skb, len), sge, num_sge, off, len);
	skb->dev = dev;
	skb->protocol = htons(SIB_NET_ETH_P);
	/* A point-to-point link: every frame is for the other host. */
	if (dev_hard_header(skb, dev, SIB_NET_ETH_P, dev->broadcast,
			    dev->dev_addr, skb->len) < 0) {
		kfree_skb(skb);
		sib_net_stat(SIB_NET_DROP_NOMEM, 1);
		goto out;
	}
	sib_net_stat(SIB_NET_TX_FRAMES, 1);
	sib_net_stat(SIB_NET_TX_BYTES, skb->len);
	dev_queue_xmit(skb);
out:
	rcu_read_unlock();
}

static void sib_net_hdr_init(struct sib_net_hdr *h, u8 type)
{
	memset(h, 0, sizeof(*h));
	h->version = SIB_NET_VERSION;
	h->type = type;
}

void sib_net_send_ud(const struct sib_pkt *pkt, u16 dlid, u32 dqpn)
{
	struct sib_net_hdr h;

	sib_net_hdr_init(&h, SIB_NET_UD);
	h.flags = (pkt->has_grh ? SIB_NET_F_GRH : 0) |
		  (pkt->has_imm ? SIB_NET_F_IMM : 0);
	h.sl = pkt->sl;
	h.slid = cpu_to_be16(pkt->slid);
	h.dlid = cpu_to_be16(dlid);
	h.src_qpn = cpu_to_be32(pkt->src_qpn);
	h.dst_qpn = cpu_to_be32(dqpn);
	h.pkey = cpu_to_be16(pkt->pkey);
	h.qkey = cpu_to_be32(pkt->qkey);
	h.imm = pkt->imm;
	h.len = cpu_to_be32(pkt->len);
	if (pkt->sport)
		sib_count(pkt->sport, SIB_CNT_NET_TX, 1);
	sib_net_xmit(&h, pkt->has_grh ? &pkt->grh : NULL, pkt->sge,
		     pkt->num_sge, 0, pkt->len);
}

/*
 * Send the head WQE of RC @qp as message @psn and arm its ACK timer.  The
 * worker then waits (qp->waiting) for sib_net_rx_reply() or the timer.
 */
void sib_net_send_rc(struct sib_qp *qp, struct sib_port *sport, u16 dlid,
		     u32 dqpn, u32 psn, const struct sib_swqe *w)
{
	unsigned long flags, us;
	struct sib_net_hdr h;
	u32 off = 0, seg = READ_ONCE(sib_net.seg);

	spin_lock_irqsave(&qp->lock, flags);
	if (qp->state != IB_QPS_RTS) {
		/* Moved meanwhile; the next transition schedules the QP. */
		spin_unlock_irqrestore(&qp->lock, flags);
		return;
	}
	qp->net.inflight = true;
	qp->net.reply = SIB_NET_REPLY_NONE;
	qp->net.psn = psn;
	qp->net.gen = qp->sq_gen;
	qp->waiting = true;
	us = max(4UL << min_t(u8, qp->timeout, 20), SIB_NET_RC_MIN_US);
	mod_timer(&qp->retry_timer, jiffies + usecs_to_jiffies(us));
	spin_unlock_irqrestore(&qp->lock, flags);

	sib_net_hdr_init(&h, SIB_NET_RC);
	h.flags = w->opcode == IB_WR_SEND_WITH_IMM ? SIB_NET_F_IMM : 0;
	h.slid = cpu_to_be16(READ_ONCE(sport->lid));
	h.dlid = cpu_to_be16(dlid);
	h.src_qpn = cpu_to_be32(qp->ibqp.qp_num);
	h.dst_qpn = cpu_to_be32(dqpn);
	h.psn = cpu_to_be32(psn);
	h.imm = w->imm;
	h.total = cpu_to_be32(w->length);
	do {
		u32 n = min(seg, w->length - off);

		h.offset = cpu_to_be32(off);
		h.len = cpu_to_be32(n);
		sib_count(sport, SIB_CNT_NET_TX, 1);
		if (atomic_dec_if_positive(&sib_net.drop_segments) >= 0)
			sib_net_stat(SIB_NET_FAULT_SEG, 1);
		else
			sib_net_xmit(&h, NULL, w->sge, w->num_sge, off, n);
		off += n;
	} while (off < w->length);
}

static void sib_net_reply(const struct sib_net_hdr *req, u8 reply,
			  u8 rnr_timer)
{
	struct sib_net_hdr h;

	if (reply == SIB_NET_REPLY_ACK &&
	    atomic_dec_if_positive(&sib_net.drop_acks) >= 0) {
		sib_net_stat(SIB_NET_FAULT_ACK, 1);
		return;
	}
	sib_net_hdr_init(&h, SIB_NET_RC_REPLY);
	h.slid = req->dlid;
	h.dlid = req->slid;
	h.src_qpn = req->dst_qpn;
	h.dst_qpn = req->src_qpn;
	h.psn = req->psn;
	h.reply = reply;
	h.rnr_timer = rnr_timer;
	sib_net_xmit(&h, NULL, NULL, 0, 0, 0);
}

/* Our ports, as HELLO (or BYE: the same list, the host is leaving). */
static void sib_net_send_ports(u8 type)
{
	int n = sib_fabric.nports_total, i;
	struct sib_net_hello *hello;
	struct sib_net_hdr h;
	struct ib_sge sge;
	size_t size = struct_size(hello, port, n);

	hello = kzalloc(size, GFP_KERNEL);
	if (!hello) {
		sib_net_stat(SIB_NET_DROP_NOMEM, 1);
		return;
	}
	hello->host = sib_host();
	hello->nports = n;
	for (i = 0; i < n; i++) {
		struct sib_port *port = sib_port_by_index(i);
		struct sib_net_port_rec *r = &hello->port[i];
		unsigned long flags;
		int k;

		if (!port)
			continue;
		spin_lock_irqsave(&port->lock, flags);
		r->guid = port->guid;
		r->lid = cpu_to_be16(port->lid);
		r->state = type == SIB_NET_BYE ? IB_PORT_DOWN : port->state;
		for (k = 0; k < SIB_PKEY_TBL_LEN; k++)
			r->pkeys[k] = cpu_to_be16(port->pkeys[k]);
		spin_unlock_irqrestore(&port->lock, flags);
	}
	sib_net_hdr_init(&h, type);
	h.len = cpu_to_be32(size);
	sge.addr = (uintptr_t)hello;
	sge.length = size;
	sge.lkey = 0;
	sib_net_xmit(&h, NULL, &sge, 1, 0, size);
	kfree(hello);
}

/* Tell the other host about a change of our ports now. */
void sib_net_announce(void)
{
	if (READ_ONCE(sib_net.inited))
		mod_delayed_work(sib_fabric.wq, &sib_net.hello_work, 0);
}

/* ---- proxies of the other host's ports ---- */

struct sib_port *sib_net_proxy_by_guid(__be64 guid)
{
	struct sib_port *found = NULL;
	struct sib_proxy *p;
	unsigned long flags;

	spin_lock_irqsave(&sib_net.lock, flags);
	list_for_each_entry(p, &sib_net.proxies, list)
		if (p->port.guid == guid) {
			found = &p->port;
			break;
		}
	spin_unlock_irqrestore(&sib_net.lock, flags);
	return found;
}

static void sib_net_proxy_set_lid(struct sib_proxy *p, u16 lid)
{
	struct sib_port *port = &p->port;
	unsigned long flags;
	u16 old = port->lid;
	int ret = 0;

	if (lid == old)
		return;
	if (lid && lid < SIB_MCAST_LID_BASE && lid != sib_sm_lid())
		ret = xa_insert(&sib_fabric.lids, lid, port, GFP_KERNEL);
	else
		ret = -EINVAL;
	if (ret)
		pr_warn_ratelimited("softib: wire %s: host %u port %016llx announces LID %u, which is taken or invalid here (%d)\n",
				    sib_net.ifname, p->host,
				    be64_to_cpu(port->guid), lid, ret);
	if (old && xa_load(&sib_fabric.lids, old) == port)
		xa_erase(&sib_fabric.lids, old);
	spin_lock_irqsave(&port->lock, flags);
	WRITE_ONCE(port->lid, ret ? 0 : lid);
	spin_unlock_irqrestore(&port->lock, flags);
}

static void sib_net_rx_ports(const struct sib_net_hdr *h, const void *data,
			     u32 len)
{
	const struct sib_net_hello *hello = data;
	bool learned = false;
	int i;

	if (len < sizeof(*hello) ||
	    len < struct_size(hello, port, hello->nports)) {
		sib_net_stat(SIB_NET_DROP_BAD, 1);
		return;
	}
	if (hello->host == sib_host()) {
		pr_warn_ratelimited("softib: wire %s: the other host says it is host %u too; give each host its own host=\n",
				    sib_net.ifname, hello->host);
		sib_net_stat(SIB_NET_DROP_BAD, 1);
		return;
	}
	if (!READ_ONCE(sib_net.inited))
		return;		/* unloading */
	sib_net_stat(SIB_NET_HELLO_RX, 1);
	mutex_lock(&sib_net.proxy_mutex);
	for (i = 0; i < hello->nports; i++) {
		const struct sib_net_port_rec *r = &hello->port[i];
		struct sib_port *port = sib_net_proxy_by_guid(r->guid);
		struct sib_proxy *p;
		unsigned long flags;
		int k;

		if (!r->guid)
			continue;
		if (port) {
			p = container_of(port, struct sib_proxy, port);
		} else {
			if (h->type == SIB_NET_BYE)
				continue;
			p = kzalloc(sizeof(*p), GFP_KERNEL);
			if (!p) {
				sib_net_stat(SIB_NET_DROP_NOMEM, 1);
				break;
			}
			port = &p->port;
			spin_lock_init(&port->lock);
			port->remote = true;
			port->index = -1;
			port->port_num = 1;
			port->guid = r->guid;
			port->state = IB_PORT_DOWN;
			for (k = 0; k < SIB_CNT_MAX; k++)
				atomic64_set(&port->cnt[k], 0);
			spin_lock_irqsave(&sib_net.lock, flags);
			list_add_tail(&p->list, &sib_net.proxies);
			spin_unlock_irqrestore(&sib_net.lock, flags);
			learned = true;
		}
		p->host = hello->host;
		p->seen = jiffies;
		sib_net_proxy_set_lid(p, be16_to_cpu(r->lid));
		spin_lock_irqsave(&port->lock, flags);
		port->state = r->state == IB_PORT_ACTIVE ? IB_PORT_ACTIVE :
							   IB_PORT_DOWN;
		for (k = 0; k < SIB_PKEY_TBL_LEN; k++)
			port->pkeys[k] = be16_to_cpu(r->pkeys[k]);
		spin_unlock_irqrestore(&port->lock, flags);
	}
	mutex_unlock(&sib_net.proxy_mutex);
	/* A host we did not know: let it learn ours without waiting. */
	if (learned)
		sib_net_announce();
}

/* Ports of a host that went quiet are down. */
static void sib_net_expire(void)
{
	struct sib_proxy *p;
	unsigned long flags;

	mutex_lock(&sib_net.proxy_mutex);
	list_for_each_entry(p, &sib_net.proxies, list) {
		if (time_before(jiffies, p->seen + SIB_NET_PEER_TIMEOUT))
			continue;
		spin_lock_irqsave(&p->port.lock, flags);
		p->port.state = IB_PORT_DOWN;
		spin_unlock_irqrestore(&p->port.lock, flags);
	}
	mutex_unlock(&sib_net.proxy_mutex);
}

static void sib_net_hello_work(struct work_struct *work)
{
	sib_net_send_ports(SIB_NET_HELLO);
	sib_net_expire();
	if (READ_ONCE(sib_net.inited))
		queue_delayed_work(sib_fabric.wq, &sib_net.hello_work,
				   msecs_to_jiffies(SIB_NET_HELLO_MS));
}

void sib_net_free_proxies(void)
{
	struct sib_proxy *p, *tmp;

	list_for_each_entry_safe(p, tmp, &sib_net.proxies, list) {
		if (p->port.lid &&
		    xa_load(&sib_fabric.lids, p->port.lid) == &p->port)
			xa_erase(&sib_fabric.lids, p->port.lid);
		list_del(&p->list);
		kfree(p);
	}
}

/* ---- receive ---- */

/* A local port for a frame's DLID, or NULL (counted). */
static struct sib_port *sib_net_local_port(u16 dlid)
{
	struct sib_port *port = sib_port_by_lid(dlid);

	if (!port || port->remote) {
		sib_net_stat(SIB_NET_DROP_ROUTE, 1);
		return NULL;
	}
	sib_count(port, SIB_CNT_NET_RX, 1);
	return port;
}

static void sib_net_rx_ud(const struct sib_net_hdr *h, const void *grh,
			  const void *data, u32 len)
{
	struct ib_sge sge = {
		.addr = (uintptr_t)data,
		.length = len,
	};
	struct sib_pkt pkt = {
		.slid = be16_to_cpu(h->slid),
		.src_qpn = be32_to_cpu(h->src_qpn) & 0xffffff,
		.pkey = be16_to_cpu(h->pkey),
		.qkey = be32_to_cpu(h->qkey),
		.sl = h->sl & 0xf,
		.has_imm = h->flags & SIB_NET_F_IMM,
		.imm = h->imm,
		.sge = &sge,
		.num_sge = 1,
		.len = len,
	};
	u16 dlid = be16_to_cpu(h->dlid);
	u32 dqpn = be32_to_cpu(h->dst_qpn);
	struct sib_port *dport;

	/* SMPs stay on their host; no UD message exceeds the IB MTU. */
	if (dqpn == 0 || pkt.src_qpn == 0 || len > (u32)sib_mtu_bytes()) {
		sib_net_stat(SIB_NET_DROP_BAD, 1);
		return;
	}
	if (grh) {
		pkt.has_grh = true;
		memcpy(&pkt.grh, grh, SIB_GRH_BYTES);
	}

	if (dlid >= SIB_MCAST_LID_BASE && dlid != SIB_PERMISSIVE_LID) {
		if (dqpn == SIB_MCAST_QPN)
			sib_wire_mcast_fanout(NULL, &pkt, dlid);
		else
			sib_net_stat(SIB_NET_DROP_BAD, 1);
		return;
	}

	if (dlid == sib_sm_lid() && dqpn == 1) {
		struct sib_port *req = sib_port_by_lid(pkt.slid);

		/* The requester must be a port the other host announced. */
		if (!sib_sa_local() || !req || !req->remote) {
			sib_net_stat(SIB_NET_DROP_ROUTE, 1);
			return;
		}
		pkt.sport = req;
		sib_sa_request(req, &pkt);
		return;
	}

	dport = sib_net_local_port(dlid);
	if (dport)
		sib_wire_deliver_qpn(dport, dqpn, &pkt);
}

/* Take a receive WQE of RC @qp (from its SRQ if it has one). */
static bool sib_net_take_rwqe(struct sib_qp *qp, struct sib_rwqe_buf *rb)
{
	unsigned long flags;
	bool got;

	if (qp->ibqp.srq)
		return sib_srq_pop(to_ssrq(qp->ibqp.srq), &rb->w);
	spin_lock_irqsave(&qp->lock, flags);
	got = sib_queue_pop_rwqe(&qp->rq, &rb->w);
	spin_unlock_irqrestore(&qp->lock, flags);
	return got;
}

/* The responder QP accepts this segment's connection (qp->lock held). */
static bool sib_net_rc_ok(struct sib_qp *qp, const struct sib_net_hdr *h)
{
	return qp->ibqp.qp_type == IB_QPT_RC && sib_state_can_recv(qp->state) &&
	       qp->dest_qpn == (be32_to_cpu(h->src_qpn) & 0xffffff) &&
	       qp->av.dlid == be16_to_cpu(h->slid);
}

static void sib_net_rx_rc(const struct sib_net_hdr *h, const void *data,
			  u32 len)
{
	u32 psn = be32_to_cpu(h->psn) & 0xffffff;
	u32 off = be32_to_cpu(h->offset), total = be32_to_cpu(h->total);
	u8 reply = SIB_NET_REPLY_NONE, rnr_timer = 0;
	bool complete = false, kick = false;
	struct sib_rwqe_buf rb;
	struct sib_port *dport;
	struct ib_wc wc = {};
	struct sib_qp *dqp;
	unsigned long flags;

	if (off > total || len > total - off || total > SZ_1G) {
		sib_net_stat(SIB_NET_DROP_BAD, 1);
		return;
	}
	dport = sib_net_local_port(be16_to_cpu(h->dlid));
	if (!dport)
		return;
	if (READ_ONCE(dport->state) != IB_PORT_ACTIVE) {
		sib_count(dport, SIB_CNT_DROP_LINK_DOWN, 1);
		return;
	}
	dqp = sib_qp_get(dport, be32_to_cpu(h->dst_qpn) & 0xffffff);
	if (!dqp) {
		sib_count(dport, SIB_CNT_DROP_NO_QP, 1);
		return;
	}

	spin_lock_irqsave(&dqp->lock, flags);
	if (!sib_net_rc_ok(dqp, h)) {
		sib_count(dport, SIB_CNT_DROP_NO_QP, 1);
		goto unlock;
	}
	if (psn == ((dqp->rq_psn - 1) & 0xffffff)) {
		/* Our ACK was lost: the message was placed; ACK it again. */
		if (off + len == total) {
			sib_net_stat(SIB_NET_RC_DUP, 1);
			reply = SIB_NET_REPLY_ACK;
		}
		goto unlock;
	}
	if (psn != dqp->rq_psn)
		goto unlock;
	if (off == 0 && !(dqp->net.rx_held && dqp->net.rx_psn == psn)) {
		bool got = false, fault;

		spin_unlock_irqrestore(&dqp->lock, flags);
		fault = atomic_dec_if_positive(&sib_net.rnr) >= 0;
		if (fault)
			sib_net_stat(SIB_NET_FAULT_RNR, 1);
		else
			got = sib_net_take_rwqe(dqp, &rb);
		spin_lock_irqsave(&dqp->lock, flags);
		if (!got) {
			if (sib_net_rc_ok(dqp, h)) {
				sib_count(dport, SIB_CNT_RC_RNR, 1);
				reply = SIB_NET_REPLY_RNR;
				rnr_timer = dqp->min_rnr_timer;
			}
			goto unlock;
		}
		if (!sib_net_rc_ok(dqp, h) || psn != dqp->rq_psn ||
		    dqp->net.rx_held) {
			/* Moved under us: an ERR QP flushes what it took. */
			if (dqp->state == IB_QPS_ERR) {
				wc.wr_id = rb.w.wr_id;
				wc.status = IB_WC_WR_FLUSH_ERR;
				wc.opcode = IB_WC_RECV;
				wc.qp = &dqp->ibqp;
				wc.port_num = dport->port_num;
				complete = true;
			}
			goto unlock;
		}
		dqp->net.rx = rb;
		dqp->net.rx_held = true;
		dqp->net.rx_psn = psn;
		if (sib_sg_len(rb.w.sge, rb.w.num_sge) < total) {
			/* Responder: local length error; requester: invalid request. */
			dqp->net.rx_held = false;
			wc.wr_id = rb.w.wr_id;
			wc.status = IB_WC_LOC_LEN_ERR;
			wc.opcode = IB_WC_RECV;
			wc.qp = &dqp->ibqp;
			wc.port_num = dport->port_num;
			sib_count(dport, SIB_CNT_DROP_LEN, 1);
			sib_qp_set_error_locked(dqp);
			complete = kick = true;
			reply = SIB_NET_REPLY_INV;
			goto unlock;
		}
	}
	if (!dqp->net.rx_held || dqp->net.rx_psn != psn)
		goto unlock;
	if (off == 0)
		dqp->net.rx_off = 0;
	if (off != dqp->net.rx_off)
		goto unlock;	/* a segment was lost: wait for the resend */
	/* Under the QP lock: a flush may complete this WQE meanwhile. */
	sib_sg_put(dqp->net.rx.w.sge, dqp->net.rx.w.num_sge, off, data, len);
	dqp->net.rx_off += len;
	if (dqp->net.rx_off == total) {
		wc.wr_id = dqp->net.rx.w.wr_id;
		wc.status = IB_WC_SUCCESS;
		wc.opcode = IB_WC_RECV;
		wc.qp = &dqp->ibqp;
		wc.byte_len = total;
		wc.src_qp = be32_to_cpu(h->src_qpn) & 0xffffff;
		wc.slid = be16_to_cpu(h->slid);
		wc.pkey_index = dqp->pkey_index;
		wc.port_num = dport->port_num;
		if (h->flags & SIB_NET_F_IMM) {
			wc.ex.imm_data = h->imm;
			wc.wc_flags |= IB_WC_WITH_IMM;
		}
		dqp->net.rx_held = false;
		dqp->rq_psn = (psn + 1) & 0xffffff;
		sib_count(dport, SIB_CNT_RX_PKTS, 1);
		sib_count(dport, SIB_CNT_RX_BYTES, total);
		complete = true;
		reply = SIB_NET_REPLY_ACK;
	}
unlock:
	spin_unlock_irqrestore(&dqp->lock, flags);
	if (complete) {
		struct sib_cq *cq = to_scq(dqp->ibqp.recv_cq);

		if (sib_cq_push(cq, &wc))
			sib_cq_notify(cq);
	}
	if (kick)
		sib_qp_schedule(dqp);
	sib_qp_put(dqp);
	if (reply != SIB_NET_REPLY_NONE)
		sib_net_reply(h, reply, rnr_timer);
}

/* The responder's answer to the message our QP has in flight. */
static void sib_net_rx_reply(const struct sib_net_hdr *h)
{
	u32 psn = be32_to_cpu(h->psn) & 0xffffff;
	struct sib_port *port;
	unsigned long flags;
	struct sib_qp *qp;
	bool kick = false;

	if (h->reply < SIB_NET_REPLY_ACK || h->reply > SIB_NET_REPLY_INV) {
		sib_net_stat(SIB_NET_DROP_BAD, 1);
		return;
	}
	port = sib_net_local_port(be16_to_cpu(h->dlid));
	if (!port)
		return;
	qp = sib_qp_get(port, be32_to_cpu(h->dst_qpn) & 0xffffff);
	if (!qp)
		return;
	spin_lock_irqsave(&qp->lock, flags);
	if (qp->ibqp.qp_type == IB_QPT_RC && qp->net.inflight &&
	    qp->net.reply == SIB_NET_REPLY_NONE && qp->net.psn == psn &&
	    qp->net.gen == qp->sq_gen &&
	    qp->dest_qpn == (be32_to_cpu(h->src_qpn) & 0xffffff) &&
	    qp->av.dlid == be16_to_cpu(h->slid)) {
		qp->net.reply = h->reply;
		qp->net.rnr_timer = h->rnr_timer & 31;
		qp->waiting = false;
		del_timer(&qp->retry_timer);
		kick = true;
	}
	spin_unlock_irqrestore(&qp->lock, flags);
	if (kick)
		sib_qp_schedule(qp);
	sib_qp_put(qp);
}

static void sib_net_rx_one(const void *frame, u32 flen)
{
	const struct sib_net_hdr *h = frame;
	const void *grh = NULL;
	u32 hl = sizeof(*h), len;

	if (flen < sizeof(*h) || h->version != SIB_NET_VERSION) {
		sib_net_stat(SIB_NET_DROP_BAD, 1);
		return;
	}
	if (h->flags & SIB_NET_F_GRH) {
		grh = frame + hl;
		hl += SIB_GRH_BYTES;
	}
	len = be32_to_cpu(h->len);
	/* Short frames come padded to Ethernet's minimum: not "!=". */
	if (flen < hl || len > flen - hl) {
		sib_net_stat(SIB_NET_DROP_BAD, 1);
		return;
	}
	sib_net_stat(SIB_NET_RX_FRAMES, 1);
	sib_net_stat(SIB_NET_RX_BYTES, flen);
	switch (h->type) {
	case SIB_NET_UD:
		sib_net_rx_ud(h, grh, frame + hl, len);
		break;
	case SIB_NET_RC:
		sib_net_rx_rc(h, frame + hl, len);
		break;
	case SIB_NET_RC_REPLY:
		sib_net_rx_reply(h);
		break;
	case SIB_NET_HELLO:
	case SIB_NET_BYE:
		sib_net_rx_ports(h, frame + hl, len);
		break;
	default:
		sib_net_stat(SIB_NET_DROP_BAD, 1);
		break;
	}
}

static void sib_net_rx_work(struct work_struct *work)
{
	struct sk_buff *skb;
	unsigned int n = 0;

	while ((skb = skb_dequeue(&sib_net.rxq))) {
		if (skb_linearize(skb))
			sib_net_stat(SIB_NET_DROP_NOMEM, 1);
		else
			sib_net_rx_one(skb->data, skb->len);
		consume_skb(skb);
		if (!(++n % 16))
			cond_resched();
	}
}

/* Softirq: queue the frame for the work item, which keeps their order. */
static int sib_net_rcv(struct sk_buff *skb, struct net_device *dev,
		       struct packet_type *pt, struct net_device *orig_dev)
{
	if (skb_queue_len(&sib_net.rxq) >= SIB_NET_RXQ_MAX) {
		sib_net_stat(SIB_NET_DROP_QUEUE, 1);
		kfree_skb(skb);
		return NET_RX_DROP;
	}
	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb) {
		sib_net_stat(SIB_NET_DROP_NOMEM, 1);
		return NET_RX_DROP;
	}
	skb_queue_tail(&sib_net.rxq, skb);
	queue_work(sib_fabric.wq, &sib_net.rx_work);
	return NET_RX_SUCCESS;
}

/* ---- attach / detach ---- */

/* Under rtnl. */
static void sib_net_detach(void)
{
	struct net_device *dev = sib_net.held;

	if (!dev)
		return;
	dev_remove_pack(&sib_net.pt);
	RCU_INIT_POINTER(sib_net.dev, NULL);
	synchronize_net();
	sib_net.held = NULL;
	dev_put(dev);
}

static int sib_net_notify(struct notifier_block *nb, unsigned long event,
			  void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	if (event == NETDEV_UNREGISTER && dev == sib_net.held) {
		pr_warn("softib: wire %s is going away; this host's fabric is on its own now\n",
			sib_net.ifname);
		sib_net_detach();
	}
	return NOTIFY_DONE;
}

int sib_net_init(const char *ifname)
{
	struct net_device *dev;
	u32 need = sizeof(struct sib_net_hdr) + SIB_GRH_BYTES + sib_mtu_bytes();
	int ret;

	strscpy(sib_net.ifname, ifname, sizeof(sib_net.ifname));
	skb_queue_head_init(&sib_net.rxq);
	INIT_WORK(&sib_net.rx_work, sib_net_rx_work);
	INIT_DELAYED_WORK(&sib_net.hello_work, sib_net_hello_work);

	/* HELLO must fit in a frame too. */
	need = max_t(u32, need, sizeof(struct sib_net_hdr) +
		     sizeof(struct sib_net_hello) + sib_fabric.nports_total *
		     sizeof(struct sib_net_port_rec));
	dev = dev_get_by_name(&init_net, ifname);
	if (!dev) {
		pr_err("softib: wire %s: no such network interface\n", ifname);
		return -ENODEV;
	}
	if (dev->type != ARPHRD_ETHER) {
		pr_err("softib: wire %s is not an Ethernet interface\n", ifname);
		dev_put(dev);
		return -EINVAL;
	}
	if (dev->mtu < need) {
		pr_err("softib: wire %s: MTU %u is too small for IB MTU %d (needs %u)\n",
		       ifname, dev->mtu, sib_mtu_bytes(), need);
		dev_put(dev);
		return -EINVAL;
	}
	sib_net.seg = dev->mtu - sizeof(struct sib_net_hdr);

	sib_net.nb.notifier_call = sib_net_notify;
	ret = register_netdevice_notifier(&sib_net.nb);
	if (ret) {
		dev_put(dev);
		return ret;
	}
	rtnl_lock();
	sib_net.held = dev;
	rcu_assign_pointer(sib_net.dev, dev);
	sib_net.pt.type = htons(SIB_NET_ETH_P);
	sib_net.pt.dev = dev;
	sib_net.pt.func = sib_net_rcv;
	dev_add_pack(&sib_net.pt);
	rtnl_unlock();
	WRITE_ONCE(sib_net.inited, true);
	sib_net_announce();
	return 0;
}

void sib_net_exit(void)
{
	if (!READ_ONCE(sib_net.inited))
		return;
	WRITE_ONCE(sib_net.inited, false);
	cancel_delayed_work_sync(&sib_net.hello_work);
	/* Our ports go down on the other host at once. */
	sib_net_send_ports(SIB_NET_BYE);
	rtnl_lock();
	sib_net_detach();
	rtnl_unlock();
	unregister_netdevice_notifier(&sib_net.nb);
	cancel_work_sync(&sib_net.rx_work);
	skb_queue_purge(&sib_net.rxq);
}

/* ---- debugfs: softib/wire ---- */

static int sib_net_show(struct seq_file *m, void *unused)
{
	struct sib_proxy *p;
	int i;

	seq_printf(m, "interface %s\n", sib_net.ifname[0] ? sib_net.ifname : "none");
	seq_printf(m, "attached %d\n", sib_net_attached());
	seq_printf(m, "host %d\n", sib_host());
	seq_printf(m, "sa %s\n", sib_sa_local() ? "here" : "remote");
	seq_printf(m, "lid_base %u\n", sib_lid_base());
	for (i = 0; i < SIB_NET_NSTATS; i++)
		seq_printf(m, "%s %lld\n", sib_net_stat_names[i],
			   (long long)atomic64_read(&sib_net.stat[i]));
	mutex_lock(&sib_net.proxy_mutex);
	list_for_each_entry(p, &sib_net.proxies, list)
		seq_printf(m, "remote_port host %u guid %016llx lid %u %s seen_ms_ago %u\n",
			   p->host, be64_to_cpu(p->port.guid),
			   READ_ONCE(p->port.lid),
			   READ_ONCE(p->port.state) == IB_PORT_ACTIVE ?
			   "active" : "down",
			   jiffies_to_msecs(jiffies - p->seen));
	mutex_unlock(&sib_net.proxy_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sib_net);

static int sib_net_fault_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "drop_segments %d\ndrop_acks %d\nrnr %d\n",
		   atomic_read(&sib_net.drop_segments),
		   atomic_read(&sib_net.drop_acks), atomic_read(&sib_net.rnr));
	return 0;
}

static int sib_net_fault_open(struct inode *inode, struct file *file)
{
	return single_open(file, sib_net_fault_show, NULL);
}

/* "drop_segments N", "drop_acks N" or "rnr N": arm the next N faults. */
static ssize_t sib_net_fault_write(struct file *file, const char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	char buf[48], what[16];
	atomic_t *v;
	int n;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (sscanf(buf, "%15s %d", what, &n) != 2 || n < 0 || n > 1000)
		return -EINVAL;
	if (!strcmp(what, "drop_segments"))
		v = &sib_net.drop_segments;
	else if (!strcmp(what, "drop_acks"))
		v = &sib_net.drop_acks;
	else if (!strcmp(what, "rnr"))
		v = &sib_net.rnr;
	else
		return -EINVAL;
	atomic_set(v, n);
	return count;
}

static const struct file_operations sib_net_fault_fops = {
	.owner = THIS_MODULE,
	.open = sib_net_fault_open,
	.read = seq_read,
	.write = sib_net_fault_write,
	.llseek = seq_lseek,
	.release = single_release,
};

void sib_net_debugfs(struct dentry *dir)
{
	debugfs_create_file("wire", 0400, dir, NULL, &sib_net_fops);
	debugfs_create_file("wire_fault", 0600, dir, NULL, &sib_net_fault_fops);
}
