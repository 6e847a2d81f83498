/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/driver/ud.h - the UD channel of one interface (ipoib_ud.cc):
 * PD, the receive QP (whose number is in the hardware address) with its
 * CQ, ring and NAPI context, one TxQueue per net_device TX queue (a
 * send-only UD QP, CQ, ring and NAPI each: TSS), QP recovery, the drain
 * on stop, and the pool of address handles the paths and groups send
 * with (the AH lock, innermost of all, guards its dead list).
 *
 * Why a QP per TX queue: each queue's xmit runs under its own lock on
 * its own CPU, and a QP's send queue must be posted to by one writer.
 * The receive QP never sends, so -G/-L rebuild the TxQueues freely while
 * the receive QP, its number and its multicast attachments stay: peers
 * see the same address throughout. Connected mode uses TX queue 0 only
 * (its CQ also completes the connections' sends, as in-tree).
 *
 * The interface drives it (create/open/stop/destroy/resize under
 * Iface::m_ctl and rtnl); a queue's send runs under its netif TX queue
 * lock; the receive ring belongs to the receive NAPI poll and a queue's
 * tail to its send poll. It reads the interface's identity (LID, GID,
 * MTU, Q_Key, broadcast MGID) and counts into its Stats.
 */
#ifndef IPOIB_DRIVER_UD_H
#define IPOIB_DRIVER_UD_H

#include "ipoib/driver/common.h"
#include "ipoib/driver/path.h"
#include "ipoib/ring.h"
#include "ipoib/txq.h"
#include "kern/atomic.h"
#include "kern/list.h"
#include "kern/lock.h"
#include "kern/memory.h"
#include "kern/verbs.h"
#include "kern/work.h"

namespace ipoib {

struct TxSlot {
	Skb skb;
	u32 len;
	kern::TxMap map;
};

class UdChannel;

/*
 * One TX queue: a send-only UD QP, its CQ and ring, and the NAPI context
 * that polls the CQ. Created and destroyed with the datapath stopped.
 */
class TxQueue : kern::NonCopyable {
public:
	TxQueue(UdChannel &ch, u16 index, u32 seq) noexcept;
	~TxQueue();

	/* CQ, QP and ring of size slots. Context: process. */
	Status create(IbDevice ib, kern::Pd &pd, u32 size, int max_send_sge);
	Status open(u16 pkey_index, u32 port, u32 qkey);
	/* QP to ERR, completions drained, RESET, leftovers freed. NAPI already off. */
	void stop(const char *name);

	/* Posts skb to ah/qpn. Consumes skb. Context: xmit, this queue's lock held. */
	void send(Skb &skb, IpAh *ah, u32 qpn);
	int poll(int budget);
	void on_cq() { m_napi.schedule(); }
	/* SQE -> RTS after a send error. Context: the interface's work queue. */
	void recover();

	/* The outstanding-send budget (UD sends, and on queue 0 the connections' too). */
	bool out_full() const noexcept { return tx_ring_full(m_out_head, m_out_tail.load_acquire(), m_size); }
	void out_posted() noexcept;
	void out_completed() noexcept { m_out_tail.fetch_add(1); }
	void maybe_wake() noexcept;

	u16 index() const noexcept { return m_index; }
	u32 qpn() const noexcept { return m_qpn; }
	u32 head() const noexcept { return m_head; }
	u32 tail() const noexcept { return m_tail.load_acquire(); }
	kern::Cq &cq() noexcept { return m_cq; }
	kern::Napi &napi() noexcept { return m_napi; }

private:
	UdChannel &m_ch;
	const u16 m_index;
	u32 m_qpn = 0;
	int m_max_send_sge = 1;
	kern::Cq m_cq;
	kern::UdQp m_qp;
	kern::Napi m_napi;
	kern::UniqueArray<TxSlot> m_ring;
	u32 m_size = 0;
	u32 m_head;                 /* Guarded by this queue's xmit lock. */
	kern::Atomic<u32> m_tail;   /* Written by this queue's poll / the drain (release). */
	u32 m_out_head = 0;         /* Guarded by this queue's xmit lock. */
	kern::Atomic<u32> m_out_tail; /* This queue's poll (and the connection reaper, xmit lock held). */
	kern::Atomic<u32> m_bql_unsent; /* bytes BQL counted whose post failed: xmit adds, the poll takes */
};

class UdChannel : kern::NonCopyable {
public:
	explicit UdChannel(Iface &ifc) noexcept;

	/*
	 * PD, the receive CQ and QP (room for the largest ring -G accepts),
	 * the rings, sized by the module parameters and the HCA, and ntx TX
	 * queues: one per online CPU up to what the net_device allocated
	 * (fewer if the HCA is short of QPs; at least one). Context: process.
	 */
	Status create(IbDevice ib, u32 allocated_txqs);
	/* Reverse of create (AHs must be gone first); idempotent. */
	void destroy();
	/* NAPI contexts on the net_device (ndo_init) and off it (before it is freed). */
	void init_napi(NetDev dev);
	void del_napi();
	/* QPs to RTS on the P_Key index, receives posted, NAPI on. Context: process. */
	Status open(u16 pkey_index, u32 port, u32 qkey);
	/* NAPI off, QPs to ERR, drain (at most 5 s), RESET, leftovers freed. Context: process. */
	void stop();
	void cancel_work() { m_recover_work.cancel_sync(); }
	/*
	 * New ring sizes and TX queue count, with the datapath stopped: the
	 * receive ring is reallocated and the TX queues rebuilt; the receive
	 * QP stays. On failure the old sizes come back. Context: process, rtnl.
	 */
	Status resize(u32 rx, u32 tx, u32 ntx);
	/* Paused: no queue is woken and sends are dropped (a resize is under way). rtnl held to change. */
	void pause(bool on) noexcept { m_paused.store(on); }
	/* The most TX queues (-l max), and the receive ring size connected mode sizes its rings by (fixed at create). */
	u32 max_ntx() const noexcept { return m_max_ntx; }
	u32 cm_rx_size() const noexcept { return m_cm_rx_size; }

	/* Posts skb (encap header at data) to ah/qpn on TX queue txq. Consumes skb. Context: xmit (its lock). */
	void send(Skb skb, IpAh *ah, u32 qpn, u16 txq);
	/* Records that ah is about to be used on TX queue txq (in xmit: under the owner's lock or, from Resolver::send_fast, RCU). */
	void stamp(IpAh *ah, u16 txq) noexcept;
	Status set_qkey(u32 qkey) { return m_qp.set_qkey(qkey); }
	Result<kern::McastAttach> attach(const kern::Gid &mgid, u16 mlid)
	{
		return kern::McastAttach::attach(m_qp, mgid, mlid);
	}

	/* Address handles: wrap a new one (context: any), drop a reference (the owner's lock held). */
	Result<IpAh *> ah_wrap(Result<kern::Ah> made);
	void ah_put(IpAh *ah) noexcept;
	/* Destroys dead AHs no posted send still uses (all: every one; the QPs are drained). Process. */
	void reap_ahs(bool all);
	void start_reaper();
	void stop_reaper() { m_reap_work.cancel_sync(); }

	kern::Pd &pd() noexcept { return m_pd; }
	kern::Cq &rx_cq() noexcept { return m_rx_cq; }
	/* TX queue 0: connected mode's sends post against its CQ and budget. */
	TxQueue &txq0() noexcept { return *m_txq[0]; }
	/* TX queue q, or null past the ones that exist. */
	const TxQueue *txq(u32 q) const noexcept { return q < m_ntx ? m_txq[q] : nullptr; }
	kern::Cq &tx_cq() noexcept { return m_txq[0]->cq(); }
	int max_send_sge() const noexcept { return m_max_send_sge; }
	/* Queue 0's budget (see TxQueue); connected mode's xmit and completions use these. */
	bool out_full() const noexcept { return m_txq[0]->out_full(); }
	void out_posted() noexcept { m_txq[0]->out_posted(); }
	void out_completed() noexcept { m_txq[0]->out_completed(); }
	void maybe_wake() noexcept { m_txq[0]->maybe_wake(); }
	u32 qpn() const noexcept { return m_qpn; }
	u32 tx_size() const noexcept { return m_tx_size; }
	u32 rx_size() const noexcept { return m_rx_size; }
	u32 ntx() const noexcept { return m_ntx; }
	const RingLimits &limits() const noexcept { return m_limits; }
	bool sg() const noexcept { return m_max_send_sge > 1; }
	/* Queue 0's ring head: under its xmit lock. */
	u32 tx_head() const noexcept { return m_txq[0]->head(); }
	u32 rx_posted() const noexcept { return m_rx_posted; }
	/* The receive poll's counters. */
	u64 rx_polls() const noexcept { return m_rx_polls.load(); }
	u64 rx_budget_exhausted() const noexcept { return m_rx_exhausted.load(); }

	Iface &ifc() noexcept { return m_ifc; }
	kern::Work &recover_work() noexcept { return m_recover_work; }

private:
	friend class TxQueue;
	int poll_rx(int budget);
	void on_rx_cq();
	void recover_task();
	void reap_task();
	Status make_txqs(u32 ntx);
	void free_txqs();
	/* The tail counter of TX queue q, live or as its last drain left it. */
	u32 txq_tail(u32 q) const noexcept;

	Iface &m_ifc;
	kern::VerbsCaps m_caps{};
	RingLimits m_limits{};
	IbDevice m_ib{nullptr};
	NetDev m_dev{};
	kern::Pd m_pd;
	kern::Cq m_rx_cq;
	kern::UdQp m_qp;
	int m_max_send_sge = 1;
	u32 m_qpn = 0; /* read once: the receive path compares it per packet */
	kern::Napi m_rx_napi;
	kern::Work m_recover_work; /* on Iface::m_wq */
	kern::SpinLock m_ah_lock;
	/* Put since the last reap began; a lockless xmit may still hold them. Guarded by m_ah_lock. */
	kern::List<IpAh, &IpAh::m_dead> m_dead_ahs;
	/* Put at least a grace period ago: their stamps are final. Guarded by m_ah_lock. */
	kern::List<IpAh, &IpAh::m_dead> m_settled_ahs;
	kern::DelayedWork m_reap_work;              /* on Iface::m_wq */
	kern::UniqueArray<kern::RxSlot> m_rx_ring; /* recv NAPI, or the drain with NAPI off */
	u32 m_rx_size = 0;
	u32 m_tx_size = 0;
	u32 m_rx_posted = 0; /* recv NAPI / the drain */
	kern::Atomic<u64> m_rx_polls;
	kern::Atomic<u64> m_rx_exhausted;
	/* TX queues: [0, m_ntx) exist; changed only with the datapath stopped (rtnl). */
	TxQueue *m_txq[kMaxTxQueues] = {};
	u32 m_ntx = 0;
	u32 m_max_ntx = 1;
	u32 m_cm_rx_size = 0;
	kern::Atomic<bool> m_paused;
	u32 m_tx_qpns[kMaxTxQueues] = {}; /* the receive path's own-echo test */
	/* Each queue's ring counter as its last drain left it: AH stamps stay comparable across rebuilds. */
	u32 m_txq_seq[kMaxTxQueues] = {};
};

} // namespace ipoib

#endif /* IPOIB_DRIVER_UD_H */
