/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/driver/cm.h - connected mode (RFC 4755) of one interface
 * (ipoib_cm.cc): the listener, the passive (RX) connections with the SRQ
 * or their own rings, the active (TX) connections, one per neighbour,
 * and PMTU emulation.
 *
 * Each connection is one-way, as in-tree: a TX connection is our RC QP
 * sending to a peer's passive QP. TX QPs complete on the UD channel's
 * send CQ, RX QPs on its receive CQ (both ways: their drain WR too); the
 * UD polls hand every completion whose wr_id has cm::kWrCm to tx_complete
 * or rx_complete, which find the connection through Wc::qp_owner().
 *
 * Locking. Cm::m_lock (spin, BHs off) guards the state, queue and list
 * membership of every connection. It nests inside Resolver::m_lock (a
 * neighbour's m_cm is the resolver's) and outside UdChannel::m_ah_lock.
 * The TX ring head is the netif tx lock's, its tail the send NAPI's; an
 * RX ring belongs to the receive NAPI. The cm handlers (ib_cm work,
 * process context) and the tasks on Iface::m_wq sleep only with no
 * spinlock held.
 *
 * Lifetime. A TX connection is made by xmit (idle, packets queued),
 * started by the start task (QP, cm id, REQ), connected by its REP
 * handler, and once dead (REJ, DREQ, send error, flush) unlinked from its
 * neighbour and freed by the reap task only after: xmit is fenced (netif
 * tx lock), its cm id is destroyed (no handler running) and every posted
 * send has completed. An RX connection is made by the REQ handler and
 * freed by the reap task once its drain WR has completed (rx_step).
 */
#ifndef IPOIB_DRIVER_CM_H
#define IPOIB_DRIVER_CM_H

#include "ipoib/buf_writer.h"
#include "ipoib/cm_proto.h"
#include "ipoib/driver/common.h"
#include "ipoib/driver/ud.h"
#include "kern/atomic.h"
#include "kern/cm.h"
#include "kern/list.h"
#include "kern/lock.h"
#include "kern/sa.h"
#include "kern/verbs.h"
#include "kern/work.h"

namespace ipoib {

class Cm;
class Neigh;

class CmTx : kern::NonCopyable {
public:
	CmTx(Cm &cm, Neigh *neigh, const HwAddr &daddr, const kern::PathRecord &path) noexcept;

	int on_cm(kern::CmIdRef id, const kern::CmEvent &ev);
	void on_qp_event(kern::QpEvent ev);

	Cm &m_cm;
	Neigh *m_neigh;      /* Resolver::m_lock; null once dead */
	const HwAddr m_daddr;
	kern::PathRecord m_path;
	cm::TxState m_state = cm::TxState::Idle; /* Cm::m_lock */
	/* m_state == Connected, for xmit to read without Cm::m_lock (written under it). */
	kern::Atomic<bool> m_up;
	kern::SkbQueue m_queue;                  /* Cm::m_lock: packets (pseudo header on) waiting for RTU */
	kern::CmId m_id;
	kern::RcQp m_qp;
	u32 m_qpn = 0;
	u32 m_remote_qpn = 0; /* the peer's RC QP, from the REP */
	u32 m_mtu = 0; /* payload MTU from the REP */
	bool m_peer_csum_free = false; /* the REP had cm::kCapCsumFree (set before m_up) */
	int m_max_sge = 1;
	kern::UniqueArray<TxSlot> m_ring;
	u32 m_head = 0;              /* netif tx lock */
	kern::Atomic<u32> m_tail;    /* send NAPI (release) */
	kern::Atomic<bool> m_full;   /* its ring filled up and stopped the queue */
	kern::Atomic<u64> m_packets;
	kern::Atomic<u64> m_csum_free; /* packets that left their checksum to the ICRC */
	kern::ListNode m_node;       /* Cm::m_tx_list, then m_start_list or m_tx_reap: Cm::m_lock */
	kern::ListNode m_work_node;
};

class CmRx : kern::NonCopyable {
public:
	CmRx(Cm &cm, bool listener) noexcept;

	int on_cm(kern::CmIdRef id, const kern::CmEvent &ev);
	void on_qp_event(kern::QpEvent ev);

	Cm &m_cm;
	const bool m_listener; /* the listening id's owner: hands REQs to Cm */
	cm::RxState m_state = cm::RxState::Live; /* Cm::m_lock */
	kern::CmId m_id;
	kern::RcQp m_qp;
	u32 m_qpn = 0;
	u32 m_remote_qpn = 0;
	kern::UniqueArray<kern::CmRxSlot> m_ring; /* without an SRQ; receive NAPI */
	u32 m_posted = 0; /* without an SRQ: buffers on the QP; Cm::m_lock */
	kern::Atomic<u64> m_packets;
	kern::Atomic<u64> m_csum_free; /* packets that left their checksum to the ICRC */
	kern::Atomic<u64> m_stamp_ms;
	kern::Atomic<bool> m_last_wqe; /* set by the QP event, run by the last-WQE task */
	kern::ListNode m_node; /* Cm::m_rx_list, then m_rx_reap: Cm::m_lock */
};

class Cm : kern::NonCopyable {
	friend class CmTx;
	friend class CmRx;

public:
	explicit Cm(Iface &ifc) noexcept;

	/* The interface opens: SRQ (if the device has one) filled, listener on. Context: process. */
	Status open();
	/* Down: every connection torn down and freed, listener off, SRQ gone. Context: process, NAPI on. */
	void stop();
	void cancel_work();

	/* What the device allows (valid after create()). */
	void probe(IbDevice ib, kern::Pd &pd);
	bool has_srq() const noexcept { return m_srq_ok; }
	u32 max_mtu() const noexcept { return cm::max_mtu(m_srq_ok, m_srq_sge); }
	/* Entries the receive CQ needs beyond the UD ring for connected mode. */
	u32 rx_cq_extra(u32 rx_size, u32 tx_size) const noexcept;

	/* ---- transmit (xmit context, netif tx lock; Resolver::m_lock held where said) ---- */
	/* A new TX connection for neigh, holding skb until it connects. Resolver::m_lock held. */
	CmTx *tx_create(Neigh *neigh, const HwAddr &daddr, const kern::PathRecord &path, Skb skb);
	/*
	 * Sends skb on tx, or queues it while connecting. Resolver::m_lock
	 * held via g and dropped here. Consumes skb.
	 */
	void tx_send(CmTx &tx, Skb skb, const HwAddr &daddr, kern::SpinGuard &g);
	/* Posts skb on tx, which is up (m_up seen), with no lock but the netif tx lock. Consumes skb. */
	void tx_post(CmTx &tx, Skb skb);
	/* The neighbour goes (flush, GC): the connection dies with it. Resolver::m_lock held. */
	void tx_detach(CmTx &tx);
	/* Runs ev on tx; true if it died now (then it has left its neighbour). Resolver::m_lock held. */
	bool tx_kill_locked(CmTx &tx, cm::TxEvent ev);
	/*
	 * The path now leads to dlid: a tx still setting up toward another
	 * DLID (its REQ went to a LID nobody has, and ib_cm would retry it for
	 * a minute) dies; true if it did. Resolver::m_lock held.
	 */
	bool tx_kill_if_stale_locked(CmTx &tx, u32 dlid);
	/* PMTU emulation: the route learns mtu, the ICMP reply follows from the wq. Consumes skb. */
	void too_big(Skb skb, u32 mtu);

	/* ---- completions, from the UD polls (NAPI, or the drain with NAPI off) ---- */
	void tx_complete(const kern::Wc &wc, int budget);
	/* Returns true if a packet went to the stack. */
	bool rx_complete(const kern::Wc &wc, kern::Napi &napi, bool draining);

	/* Connections whose full ring stopped the queue: it may wake only when none is left. */
	u32 full_conns() const noexcept { return m_full_conns.load(); }

	/* debugfs <if>_cm */
	void show(BufWriter &w);

	/* ---- for the connections ---- */
	Iface &ifc() noexcept { return m_ifc; }
	int on_req(kern::CmIdRef id, const kern::CmEvent &ev);
	/* tx died (state already Dead): off its neighbour, queue dropped, reap queued. No locks held. */
	void tx_dead(CmTx &tx);
	void rx_event(CmRx &rx, cm::RxEvent ev);

private:
	void start_task();
	void reap_task();
	void stale_task();
	void pmtu_task();
	void last_wqe_task();
	Status tx_start(CmTx &tx);
	void tx_destroy(CmTx &tx);
	void tx_unfull(CmTx &tx);
	void rx_destroy(CmRx &rx);
	Status rx_fill(CmRx *rx, u32 slot, bool atomic);
	/* Applies step's list moves to rx after its state changed. m_lock held. */
	void rx_moved_locked(CmRx &rx, const cm::RxStep &step);
	/* Without an SRQ: one buffer of rx is off its QP for good. m_lock held. */
	void rx_unposted_locked(CmRx &rx);
	bool tx_step_locked(CmTx &tx, cm::TxEvent ev, kern::SkbQueue *requeue);
	Status tx_csum(CmTx &tx, Skb skb);

	Iface &m_ifc;
	kern::SpinLock m_lock;
	CmRx m_listener;
	bool m_srq_ok = false;
	u32 m_srq_sge = 0;
	u32 m_nfrags = cm::kMaxFrags;
	kern::Srq m_srq;
	kern::UniqueArray<kern::CmRxSlot> m_srq_ring; /* receive NAPI */
	kern::RxPool m_pool;                           /* open..stop; allocated from by the receive NAPI only */
	u32 m_srq_size = 0;
	u32 m_rx_count = 0;                            /* m_lock: live passive connections */
	kern::List<CmTx, &CmTx::m_node> m_tx_list;    /* m_lock: every TX connection not yet reaped */
	kern::List<CmTx, &CmTx::m_work_node> m_start_list; /* m_lock */
	kern::List<CmTx, &CmTx::m_work_node> m_tx_reap;    /* m_lock */
	kern::List<CmRx, &CmRx::m_node> m_rx_list;    /* m_lock */
	kern::List<CmRx, &CmRx::m_node> m_rx_reap;    /* m_lock */
	kern::SkbQueue m_too_big;                      /* m_lock */
	bool m_open = false;                           /* m_lock */
	kern::Atomic<u32> m_full_conns;
	kern::Work m_start_work;
	kern::Work m_reap_work;
	kern::Work m_pmtu_work;
	kern::Work m_last_wqe_work;
	kern::DelayedWork m_stale_work;
};

} // namespace ipoib

#endif /* IPOIB_DRIVER_CM_H */
