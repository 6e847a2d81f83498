/* SPDX-License-Identifier: GPL-2.0 */
/*
 * softib: a software InfiniBand fabric for tests.
 *
 * Object model:
 *
 *   sib_fabric (one, global)
 *     |- LID table (xarray LID -> sib_port), SM LID, wire knobs
 *     |- multicast attach table (MGID -> attached sib_qp list)
 *     |- subnet administrator state (sib_sa.c)
 *     |- the switch every HCA port is cabled to, SMAs and PMA (sib_sma.c)
 *     `- sib_dev[ndev]  (one struct ib_device each, "sibN")
 *          |- sib_port[nports]  (LID, GUID, GID[0], P_Key table, counters)
 *          |- QPN xarray (QPN >= 2), per-port QP0/QP1 in sib_port.special
 *          `- delivery worker: drains the send queues of this device's QPs
 *
 * Locking order (outer to inner): qp->lock -> srq->lock -> cq->lock.
 * fabric.lock, fabric.mcast_lock, dev->pend_lock and the QPN xarray lock are
 * never held while taking a QP lock.  Two QP locks are never held at once:
 * the sender's lock is dropped before the receiver's is taken.
 */
#ifndef SIB_H
#define SIB_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/hrtimer.h>
#include <linux/platform_device.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <rdma/ib_mad.h>
#include <rdma/ib_verbs.h>

#define SIB_MAX_SGE		18	/* MAX_SKB_FRAGS + 1 keeps NETIF_F_SG in ipoib */
#define SIB_MAX_QP_WR		16384
#define SIB_MAX_CQE		65536	/* non-SRQ ipoib-CM asks for ~33k */
#define SIB_MAX_QP		16384
#define SIB_MAX_CQ		16384
#define SIB_MAX_SRQ		1024
#define SIB_MAX_MCAST_GRP	1024
#define SIB_MAX_MCAST_QP	16	/* QPs attached to one group, fabric-wide */
#define SIB_PKEY_TBL_LEN	16
#define SIB_GID_TBL_LEN		1
#define SIB_GRH_BYTES		40
#define SIB_QP1_QKEY		0x80010000
#define SIB_DEFAULT_SM_LID	1
#define SIB_FIRST_LID		2
#define SIB_MCAST_LID_BASE	0xC000
#define SIB_PERMISSIVE_LID	0xFFFF
#define SIB_MCAST_QPN		0xFFFFFF
#define SIB_GUID_PREFIX		0x0002c9fffe500000ULL	/* locally made up */
#define SIB_SWITCH_GUID		(SIB_GUID_PREFIX | 0xff00)	/* the one switch */
#define SIB_WORK_BUDGET		64	/* WQEs per QP before moving on */
#define SIB_SUBNET_PREFIX	0xfe80000000000000ULL
/* Virtual peers (peers=N, sib_peers.c): GUIDs and LIDs no port can have. */
#define SIB_PEER_GUID_BASE	0x0002c9fffe600000ULL
#define SIB_PEER_LID_BASE	0x8000
#define SIB_PEERS_MAX		16384	/* LIDs 0x8000..0xbfff */

/*
 * Per-port counters: name and meaning.  Shown in debugfs
 * (softib/sibN/portP/counters) and as rdma hw_counters.
 */
#define SIB_COUNTERS(X)							\
	X(TX_PKTS, tx_packets)		/* packets put on the wire */	\
	X(TX_BYTES, tx_bytes)						\
	X(RX_PKTS, rx_packets)		/* packets placed in a RWQE */	\
	X(RX_BYTES, rx_bytes)						\
	X(MCAST_TX, mcast_tx_packets)					\
	X(MCAST_RX, mcast_rx_packets)					\
	X(DROP_LINK_DOWN, drop_link_down) /* sender or receiver down */	\
	X(DROP_NO_ROUTE, drop_no_route)	/* DLID not assigned */		\
	X(DROP_NO_QP, drop_no_qp)	/* no QP, wrong type or state */\
	X(DROP_QKEY, drop_qkey)		/* Q_Key violation */		\
	X(DROP_PKEY, drop_pkey)		/* P_Key violation */		\
	X(DROP_NO_RWQE, drop_no_rwqe)	/* UD receive queue empty */	\
	X(DROP_LEN, drop_length)	/* too long for MTU or buffer */\
	X(DROP_RANDOM, drop_random)	/* drop_ppm knob */		\
	X(DROP_CORRUPT, drop_corrupt)	/* corrupt_ppm knob: bad ICRC */\
	X(DROP_NO_GROUP, drop_no_mcast_group)				\
	X(DROP_SMP, drop_smp)		/* SMP with no valid route */	\
	X(RC_RETRY, rc_timeout_retries)					\
	X(RC_RNR, rc_rnr_naks)						\
	X(RC_ERR, rc_fatal_errors)	/* retry/RNR exceeded, ... */	\
	X(SA_REQ, sa_requests)						\
	X(SA_DROP, sa_dropped)		/* sa/drop_ppm knob */		\
	X(NET_TX, wire_tx_frames)	/* frames to the other host */	\
	X(NET_RX, wire_rx_frames)	/* frames from the other host */

#define SIB_CNT_ENUM(id, name) SIB_CNT_##id,
enum sib_counter {
	SIB_COUNTERS(SIB_CNT_ENUM)
	SIB_CNT_MAX
};
#undef SIB_CNT_ENUM

extern const char *const sib_counter_names[SIB_CNT_MAX];

struct sib_dev;

struct sib_port {
	struct sib_dev *sdev;		/* NULL for a remote port */
	/*
	 * A port of an HCA on the other host (sib_net.c): a proxy that only
	 * carries what the peer announced (LID, GUID, state, P_Keys), so the
	 * LID table and the SA see it; packets to it go out on the wire.
	 */
	bool remote;
	u32 port_num;			/* 1-based */
	int index;			/* fabric-wide port number, 0-based */

	spinlock_t lock;		/* attributes below */
	enum ib_port_state state;
	u16 lid;
	u32 cap_flags;
	u16 pkeys[SIB_PKEY_TBL_LEN];
	__be64 guid;

	/* QP0 and QP1; protected by sdev->qp_lock. */
	struct sib_qp *special[2];

	atomic64_t cnt[SIB_CNT_MAX];
	struct dentry *dbg;
	/* Send-queue stall of this port's UD QPs (debugfs send_stall): SIB_STALL_*. */
	u32 send_stall;
};

struct sib_dev {
	struct ib_device ib;
	int index;
	struct sib_port *ports;
	int nports;

	spinlock_t qp_lock;		/* port->special[] */
	struct xarray qps;		/* QPN -> sib_qp, QPN >= 2 */
	u32 next_qpn;

	/* QPs with send-side work (or a pending flush), drained by @work. */
	spinlock_t pend_lock;
	struct list_head pend;
	struct work_struct work;

	atomic_t mr_key;
	bool registered;
	struct dentry *dbg;

	/* The HCA's bus device, as a PCI function is for real HCAs (parent=Y). */
	struct platform_device *pdev;

	/* CQ counters of this HCA, in debugfs softib/sibN/cq_stats. */
	atomic64_t cq_cqes;		/* completions queued */
	atomic64_t cq_events;		/* completion handler calls */
	atomic64_t cq_mod_events;	/* of those, on a CQ with moderation */
};

struct sib_fabric {
	spinlock_t lock;		/* lids, sm_lid */
	struct xarray lids;		/* LID -> sib_port */
	u16 sm_lid;

	spinlock_t mcast_lock;
	struct list_head mcast;		/* sib_mcast attach groups */

	struct workqueue_struct *wq;
	struct sib_dev **devs;
	int ndev;
	int nports_total;

	/* Wire fault knobs, in parts per million. */
	u32 drop_ppm;
	u32 corrupt_ppm;

	struct dentry *dbg;
};

extern struct sib_fabric sib_fabric;

struct sib_pd {
	struct ib_pd ibpd;
};

struct sib_mr {
	struct ib_mr ibmr;
};

struct sib_ah {
	struct ib_ah ibah;
	struct rdma_ah_attr attr;	/* sgid_attr is not kept */
};

struct sib_cq {
	struct ib_cq ibcq;
	spinlock_t lock;
	struct ib_wc *ring;
	u32 size;
	u32 head;			/* next to poll */
	u32 count;			/* entries queued */
	u8 notify;			/* 0, IB_CQ_SOLICITED or IB_CQ_NEXT_COMP */
	bool overflow;
	/*
	 * Moderation (modify_cq, rdma_set_cq_moderation): while armed for
	 * the next completion, the event waits until mod_count completions
	 * have arrived or mod_period us have passed since the first one.
	 * mod_pending counts the completions of the current window.
	 */
	u16 mod_count;
	u16 mod_period;
	u32 mod_pending;
	bool mod_timer_armed;
	struct hrtimer mod_timer;	/* soft (softirq) expiry */
};

/* Longest wait for a count-only moderation (rx-frames without rx-usecs). */
#define SIB_MOD_COUNT_ONLY_US	10000

/* A receive WQE.  The sge array length is the queue's max_sge. */
struct sib_rwqe {
	u64 wr_id;
	u32 num_sge;
	struct ib_sge sge[];
};

/* A receive WQE copied out of its ring, with room for the longest SGE list. */
struct sib_rwqe_buf {
	struct sib_rwqe w;
	struct ib_sge sge[SIB_MAX_SGE];
};

/* A send WQE: the work request plus the address vector copied out of the AH. */
struct sib_swqe {
	u64 wr_id;
	enum ib_wr_opcode opcode;
	u32 send_flags;
	bool signaled;
	__be32 imm;
	u32 length;
	/* UD/GSI address, copied at post time */
	u16 dlid;
	u8 sl;
	bool has_grh;
	union ib_gid dgid;
	u32 flow_label;
	u8 hop_limit;
	u8 tclass;
	u32 remote_qpn;
	u32 remote_qkey;
	u16 pkey_index;			/* GSI only */
	u32 num_sge;
	struct ib_sge sge[];
};

/* Fixed-stride ring of WQEs. */
struct sib_queue {
	void *buf;
	u32 size;			/* capacity */
	u32 stride;			/* bytes per WQE */
	u32 max_sge;
	u32 head;			/* consumer */
	u32 count;
};

struct sib_srq {
	struct ib_srq ibsrq;
	spinlock_t lock;
	struct sib_queue rq;
	u32 limit;			/* 0: not armed */
};

/* RC address vector, from modify_qp(IB_QP_AV). */
struct sib_av {
	u16 dlid;
	u8 sl;
	bool has_grh;
	union ib_gid dgid;
	u8 port_num;
};

struct sib_qp {
	struct ib_qp ibqp;
	struct sib_dev *sdev;
	refcount_t ref;			/* worker and receivers hold it */
	struct completion released;	/* ref hit zero */

	spinlock_t lock;		/* everything below except pend_entry */
	enum ib_qp_state state;
	bool sig_all;
	u32 port_num;
	u16 pkey_index;
	u32 qkey;
	u32 dest_qpn;
	struct sib_av av;
	enum ib_mtu path_mtu;
	int access_flags;
	u32 sq_psn;
	u32 rq_psn;
	u8 timeout;
	u8 retry_cnt;
	u8 rnr_retry;
	u8 min_rnr_timer;
	u8 max_rd_atomic;
	u8 max_dest_rd_atomic;

	struct sib_queue sq;
	struct sib_queue rq;		/* unused with an SRQ */
	u32 sq_gen;			/* bumped on reset; invalidates in-flight WQEs */
	u8 retry_left;
	u8 rnr_left;
	bool waiting;			/* RC retry timer armed */
	bool sq_hung;			/* send_stall "hang" caught it: until RESET/ERR */
	bool last_wqe_raised;

	struct timer_list retry_timer;

	/*
	 * RC over the two-host wire (sib_net.c), under @lock.  Requester: the
	 * head WQE went out as message @psn and waits (@waiting, the retry
	 * timer being the ACK timeout) for the responder's reply.  Responder:
	 * the receive WQE taken for message @rx_psn while its segments arrive.
	 */
	struct {
		bool inflight;
		u8 reply;		/* SIB_NET_REPLY_* */
		u8 rnr_timer;
		u32 psn;
		u32 gen;		/* sq_gen when sent */
		bool rx_held;
		u32 rx_psn;
		u32 rx_off;
		struct sib_rwqe_buf rx;
	} net;

	/* On sdev->pend; protected by sdev->pend_lock. */
	struct list_head pend_entry;
	bool dead;
};

/* A packet on the wire, as the receiver sees it. */
struct sib_pkt {
	struct sib_port *sport;
	u16 slid;
	u32 src_qpn;
	u16 pkey;
	u32 qkey;
	u8 sl;
	bool has_grh;
	struct ib_grh grh;
	bool has_imm;
	__be32 imm;
	const struct ib_sge *sge;	/* payload, kernel virtual addresses */
	u32 num_sge;
	u32 len;
};

static inline struct sib_dev *to_sdev(struct ib_device *ib)
{
	return container_of(ib, struct sib_dev, ib);
}

static inline struct sib_qp *to_sqp(struct ib_qp *q)
{
	return container_of(q, struct sib_qp, ibqp);
}

static inline struct sib_cq *to_scq(struct ib_cq *c)
{
	return container_of(c, struct sib_cq, ibcq);
}

static inline struct sib_srq *to_ssrq(struct ib_srq *s)
{
	return container_of(s, struct sib_srq, ibsrq);
}

static inline struct sib_ah *to_sah(struct ib_ah *a)
{
	return container_of(a, struct sib_ah, ibah);
}

static inline struct sib_port *sib_port(struct sib_dev *sdev, u32 port_num)
{
	return &sdev->ports[port_num - 1];
}

static inline void sib_count(struct sib_port *port, enum sib_counter c, u64 n)
{
	atomic64_add(n, &port->cnt[c]);
}

static inline bool sib_qp_is_ud(const struct sib_qp *qp)
{
	return qp->ibqp.qp_type != IB_QPT_RC;
}

/* Receive-capable states: the responder accepts packets from RTR on. */
static inline bool sib_state_can_recv(enum ib_qp_state s)
{
	return s == IB_QPS_RTR || s == IB_QPS_RTS || s == IB_QPS_SQD ||
	       s == IB_QPS_SQE;
}

static inline void *sib_queue_slot(struct sib_queue *q, u32 i)
{
	return q->buf + (size_t)((q->head + i) % q->size) * q->stride;
}

/* sib_main.c */
int sib_mtu_bytes(void);
enum ib_mtu sib_mtu_enum(void);
bool sib_pkey_match(u16 a, u16 b);
int sib_port_find_pkey(struct sib_port *port, u16 pkey);
struct sib_port *sib_port_by_lid(u16 lid);
struct sib_port *sib_port_by_gid(const union ib_gid *gid);
void sib_port_gid(struct sib_port *port, union ib_gid *gid);
u16 sib_sm_lid(void);
void sib_port_event(struct sib_port *port, enum ib_event_type type);

/* sib_verbs.c */
extern const struct ib_device_ops sib_dev_ops;
extern const struct ib_device_ops sib_srq_ops;
bool sib_cq_push(struct sib_cq *cq, const struct ib_wc *wc);
void sib_cq_notify(struct sib_cq *cq);

/* sib_qp.c */
struct sib_qp *sib_qp_get(struct sib_port *port, u32 qpn);
void sib_qp_put(struct sib_qp *qp);
void sib_qp_schedule(struct sib_qp *qp);
/*
 * send_stall values. HOLD: UD send WQEs stay queued while it is set and
 * go out when it is cleared. HANG: a UD QP that holds a send while it is
 * set keeps its send queue stuck, even after clearing, until the QP is
 * reset or moved to the error state (which flushes the held sends) or
 * destroyed, as a hung send engine would.
 */
enum { SIB_STALL_OFF = 0, SIB_STALL_HOLD = 1, SIB_STALL_HANG = 2 };
/* The port's stall was cleared: let its UD QPs' held sends go. */
void sib_qp_release_stalled(struct sib_port *port);
bool sib_queue_pop_rwqe(struct sib_queue *q, struct sib_rwqe *out);
bool sib_srq_pop(struct sib_srq *srq, struct sib_rwqe *out);
void sib_qp_set_error_locked(struct sib_qp *qp);
int sib_create_qp(struct ib_qp *ibqp, struct ib_qp_init_attr *init,
		  struct ib_udata *udata);
int sib_modify_qp(struct ib_qp *ibqp, struct ib_qp_attr *attr, int mask,
		  struct ib_udata *udata);
int sib_query_qp(struct ib_qp *ibqp, struct ib_qp_attr *attr, int mask,
		 struct ib_qp_init_attr *init);
int sib_destroy_qp(struct ib_qp *ibqp, struct ib_udata *udata);
int sib_post_send(struct ib_qp *ibqp, const struct ib_send_wr *wr,
		  const struct ib_send_wr **bad_wr);
int sib_post_recv(struct ib_qp *ibqp, const struct ib_recv_wr *wr,
		  const struct ib_recv_wr **bad_wr);
int sib_create_srq(struct ib_srq *ibsrq, struct ib_srq_init_attr *init,
		   struct ib_udata *udata);
int sib_modify_srq(struct ib_srq *ibsrq, struct ib_srq_attr *attr,
		   enum ib_srq_attr_mask mask, struct ib_udata *udata);
int sib_query_srq(struct ib_srq *ibsrq, struct ib_srq_attr *attr);
int sib_destroy_srq(struct ib_srq *ibsrq, struct ib_udata *udata);
int sib_post_srq_recv(struct ib_srq *ibsrq, const struct ib_recv_wr *wr,
		      const struct ib_recv_wr **bad_wr);
int sib_attach_mcast(struct ib_qp *ibqp, union ib_gid *gid, u16 lid);
int sib_detach_mcast(struct ib_qp *ibqp, union ib_gid *gid, u16 lid);
void sib_mcast_detach_all(struct sib_qp *qp);
int sib_mcast_snapshot(const union ib_gid *mgid, u16 mlid,
		       struct sib_qp **qps, int max);

/* sib_wire.c */
void sib_dev_work(struct work_struct *work);
void sib_qp_retry_timer(struct timer_list *t);
void sib_wire_deliver_ud(struct sib_qp *dqp, struct sib_port *dport,
			 const struct sib_pkt *pkt);
void sib_wire_deliver_qpn(struct sib_port *dport, u32 qpn,
			  const struct sib_pkt *pkt);
bool sib_wire_random(u32 ppm);

/* sib_sma.c */
struct ib_node_info;
struct sib_port *sib_port_by_index(int i);
__be64 sib_switch_guid(void);
const char *sib_switch_desc(void);
void sib_node_info(struct sib_port *port, struct ib_node_info *ni);
void sib_switch_node_info(u8 in_port, struct ib_node_info *ni);
int sib_process_mad(struct ib_device *ib, int mad_flags, u32 port_num,
		    const struct ib_wc *in_wc, const struct ib_grh *in_grh,
		    const struct ib_mad *in, struct ib_mad *out,
		    size_t *out_mad_size, u16 *out_mad_pkey_index);
void sib_wire_smp(struct sib_port *sport, const struct sib_pkt *pkt, u16 dlid);

/* sib_sa.c */
int sib_sa_init(const u16 *pkeys, int npkeys);
void sib_sa_exit(void);
void sib_sa_request(struct sib_port *port, const struct sib_pkt *pkt);
bool sib_sa_process(struct sib_port *port, const struct ib_sa_mad *req,
		    struct ib_sa_mad *resp);
void sib_sa_debugfs(struct dentry *dir);

/* sib_peers.c */
int sib_peers_init(u32 count);
void sib_peers_exit(void);
bool sib_peer_lid(u16 lid);
u16 sib_peer_lid_by_gid(const union ib_gid *gid);
void sib_peer_gid(u16 lid, union ib_gid *gid);
void sib_peer_path_answered(void);
void sib_peer_sink(u16 lid, const struct sib_pkt *pkt);
void sib_peers_debugfs(struct dentry *root);

/* sib_bench.c, sib_selftest.c */
void sib_bench_debugfs(struct dentry *dir);
void sib_selftest_debugfs(struct dentry *dir);

/* sib_inject.c */
void sib_inject_debugfs(struct sib_port *port);

/* sib_net.c: the two-host wire */
enum {
	SIB_NET_REPLY_NONE,
	SIB_NET_REPLY_ACK,
	SIB_NET_REPLY_RNR,
	SIB_NET_REPLY_INV,	/* responder's buffer too small */
};
int sib_net_init(const char *ifname);
void sib_net_exit(void);
void sib_net_free_proxies(void);
bool sib_net_attached(void);
void sib_net_announce(void);
struct sib_port *sib_net_proxy_by_guid(__be64 guid);
void sib_net_send_ud(const struct sib_pkt *pkt, u16 dlid, u32 dqpn);
void sib_net_send_rc(struct sib_qp *qp, struct sib_port *sport, u16 dlid,
		     u32 dqpn, u32 psn, const struct sib_swqe *w);
void sib_net_debugfs(struct dentry *dir);
/* sib_wire.c helpers the wire's receive side shares */
void sib_wire_mcast_fanout(struct sib_port *sport, const struct sib_pkt *pkt,
			   u16 dlid);
u32 sib_sg_len(const struct ib_sge *sge, u32 num);
void sib_sg_put(const struct ib_sge *sge, u32 num, u32 off, const void *src,
		u32 len);
void sib_sg_get(void *dst, const struct ib_sge *sge, u32 num, u32 off,
		u32 len);
unsigned long sib_rnr_usecs(u8 t);
bool sib_sa_local(void);
int sib_host(void);
u16 sib_lid_base(void);

#endif /* SIB_H */
