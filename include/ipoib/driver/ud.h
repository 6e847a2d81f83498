/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/driver/ud.h - the UD channel of one interface (ipoib_ud.cc):
 * PD, UD QP, the receive and transmit CQs with their rings and NAPI
 * contexts, QP recovery, the drain on stop, and the pool of address
 * handles the paths and groups send with (the AH lock, innermost of all,
 * guards its dead list).
 *
 * The interface drives it (create/open/stop/destroy under Iface::m_ctl);
 * transmit (send) runs under the netif tx lock; the receive ring belongs
 * to the receive NAPI poll and the transmit tail to the send poll. It
 * reads the interface's identity (LID, GID, MTU, Q_Key, broadcast MGID)
 * and counts into its Stats, and calls nothing else of it.
 */
#ifndef IPOIB_DRIVER_UD_H
#define IPOIB_DRIVER_UD_H

#include "ipoib/driver/common.h"
#include "ipoib/driver/path.h"
#include "ipoib/ring.h"
#include "kern/atomic.h"
#include "kern/list.h"
#include "kern/lock.h"
#include "kern/verbs.h"
#include "kern/work.h"

namespace ipoib {

struct TxSlot {
	Skb skb;
	u32 len;
	kern::TxMap map;
};

class UdChannel : kern::NonCopyable {
public:
	explicit UdChannel(Iface &ifc) noexcept;

	/* PD, CQs, QP, rings, sized by the module parameters and the HCA. Context: process. */
	Status create(IbDevice ib);
	/* Reverse of create (AHs must be gone first); idempotent. */
	void destroy();
	/* NAPI contexts on the net_device (ndo_init) and off it (before it is freed). */
	void init_napi(NetDev dev);
	void del_napi();
	/* QP to RTS on the P_Key index, receives posted, NAPI on. Context: process. */
	Status open(u16 pkey_index, u32 port, u32 qkey);
	/* NAPI off, QP to ERR, drain (at most 5 s), RESET, leftovers freed. Context: process. */
	void stop();
	void cancel_work() { m_recover_work.cancel_sync(); }

	/* Posts skb (encap header at data) to ah/qpn. Consumes skb. Context: xmit (netif tx lock). */
	void send(Skb skb, IpAh *ah, u32 qpn);
	Status set_qkey(u32 qkey) { return m_qp.set_qkey(qkey); }
	Result<kern::McastAttach> attach(const kern::Gid &mgid, u16 mlid)
	{
		return kern::McastAttach::attach(m_qp, mgid, mlid);
	}

	/* Address handles: wrap a new one (context: any), drop a reference (the owner's lock held). */
	Result<IpAh *> ah_wrap(Result<kern::Ah> made);
	void ah_put(IpAh *ah) noexcept;
	/* Destroys dead AHs no posted send still uses (all: every one; the QP is drained). Process. */
	void reap_ahs(bool all);
	void start_reaper();
	void stop_reaper() { m_reap_work.cancel_sync(); }

	kern::Pd &pd() noexcept { return m_pd; }
	kern::Cq &tx_cq() noexcept { return m_tx_cq; }
	kern::Cq &rx_cq() noexcept { return m_rx_cq; }
	int max_send_sge() const noexcept { return m_max_send_sge; }
	/*
	 * Sends outstanding on the UD QP and every connection together: the
	 * send CQ they share holds tx_size, so the queue stops at tx_size - 1
	 * and wakes at half (in-tree: global_tx_head/tail). out_full and
	 * out_posted under the netif tx lock; out_completed from the send poll.
	 */
	bool out_full() const noexcept { return tx_ring_full(m_out_head, m_out_tail.load_acquire(), m_tx_size); }
	void out_posted() noexcept;
	void out_completed() noexcept { m_out_tail.fetch_add(1); }
	/* Wakes the stopped queue if every ring has room. Context: any. */
	void maybe_wake() noexcept;
	u32 qpn() const noexcept { return m_qpn; }
	u32 tx_size() const noexcept { return m_tx_size; }
	u32 rx_size() const noexcept { return m_rx_size; }
	bool sg() const noexcept { return m_max_send_sge > 1; }
	/* The ring head: under the netif tx lock. */
	u32 tx_head() const noexcept { return m_tx_head; }
	u32 tx_tail() const noexcept { return m_tx_tail.load_acquire(); }
	u32 rx_posted() const noexcept { return m_rx_posted; }

private:
	int poll_rx(int budget);
	int poll_tx(int budget);
	void on_rx_cq();
	void on_tx_cq();
	void recover_task();
	void reap_task();

	Iface &m_ifc;
	kern::VerbsCaps m_caps{};
	kern::Pd m_pd;
	kern::Cq m_rx_cq;
	kern::Cq m_tx_cq;
	kern::UdQp m_qp;
	int m_max_send_sge = 1;
	u32 m_qpn = 0; /* read once: the receive path compares it per packet */
	kern::Napi m_rx_napi;
	kern::Napi m_tx_napi;
	kern::Work m_recover_work; /* on Iface::m_wq */
	kern::SpinLock m_ah_lock;
	kern::List<IpAh, &IpAh::m_dead> m_dead_ahs; /* Guarded by m_ah_lock. */
	kern::DelayedWork m_reap_work;              /* on Iface::m_wq */
	kern::UniqueArray<kern::RxSlot> m_rx_ring; /* recv NAPI, or the drain with NAPI off */
	kern::UniqueArray<TxSlot> m_tx_ring;
	u32 m_rx_size = 0;
	u32 m_tx_size = 0;
	u32 m_tx_head = 0;   /* Guarded by the netif tx lock. */
	kern::Atomic<u32> m_tx_tail; /* Written by send NAPI / the drain (release); read with acquire. */
	u32 m_rx_posted = 0; /* recv NAPI / the drain */
	u32 m_out_head = 0;  /* Guarded by the netif tx lock. */
	kern::Atomic<u32> m_out_tail; /* The send poll (and the connection reaper, with the tx lock held). */
};

} // namespace ipoib

#endif /* IPOIB_DRIVER_UD_H */
