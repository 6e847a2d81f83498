// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ipoib_cm.cc - connected mode (RFC 4755): RC connections beside the UD
 * QP, one per neighbour for sending, one per peer connection for
 * receiving, with the SRQ when the device has one.
 *
 * The protocol decisions (private data, service ID, MTU from a REP, the
 * connection state machines, stale timing, which path a packet takes)
 * are the pure functions of ipoib/cm_proto.h; this file runs them.
 * Structure, locking and lifetime: ipoib/driver/cm.h.
 */
#include "ipoib/debugfs_fmt.h"
#include "ipoib/driver/iface.h"
#include "ipoib/ring.h"

namespace ipoib {

namespace err = kern::err;

namespace {

constexpr u32 kCmDrainMs = 5000;
/* PMTU replies waiting for the work item; more are dropped (the route already learnt the MTU). */
constexpr u32 kMaxTooBig = 64;

u32 cm_min(u32 a, u32 b) { return a < b ? a : b; }

inline void cm_bump(kern::Atomic<u64> &c, u64 n = 1) { c.add_single_writer(n); }
/* What this end takes, for the private data of its REQs and REPs. */
inline u32 cm_caps() { return kern::params::cm_csum_free() ? cm::kCapCsumFree : 0; }

u64 now_ms() { return kern::time::to_ms(kern::time::now()); }

} // namespace

/* ---------------------------------------------------------------------- */
/* Connections                                                             */

CmTx::CmTx(Cm &cm, Neigh *neigh, const HwAddr &daddr, const kern::PathRecord &path) noexcept
	: m_cm(cm), m_neigh(neigh), m_daddr(daddr), m_path(path)
{
}

CmRx::CmRx(Cm &cm, bool listener) noexcept : m_cm(cm), m_listener(listener) {}

Cm::Cm(Iface &ifc) noexcept : m_ifc(ifc), m_listener(*this, true)
{
	KERN_LOCK_INIT(m_lock, "ipoib_cm_lock");
	m_start_work.init<Cm, &Cm::start_task>(this);
	m_reap_work.init<Cm, &Cm::reap_task>(this);
	m_pmtu_work.init<Cm, &Cm::pmtu_task>(this);
	m_stale_work.init<Cm, &Cm::stale_task>(this);
	m_last_wqe_work.init<Cm, &Cm::last_wqe_task>(this);
}

/*
 * SRQ or not, decided once per interface as in-tree (ipoib_cm_dev_init
 * tries to create one): a device may list SRQ limits and still refuse
 * (-EOPNOTSUPP). The real SRQ is made at open, and filled there.
 */
void Cm::probe(IbDevice ib, kern::Pd &pd)
{
	const kern::SrqCaps caps = kern::query_srq_caps(ib);
	m_srq_ok = false;
	if (caps.max_srq > 0 && caps.max_srq_sge > 0) {
		u32 max_wr = 1;
		u32 max_sge = cm::rx_frags(true, caps.max_srq_sge);
		Result<kern::Srq> trial = kern::Srq::create(pd, max_wr, max_sge);
		m_srq_ok = trial.is_ok();
	}
	m_srq_sge = caps.max_srq_sge;
	m_nfrags = cm::rx_frags(m_srq_ok, m_srq_sge);
}

/* As in-tree ipoib_transport_dev_init: the connections' receives and drains land on the UD receive CQ. */
u32 Cm::rx_cq_extra(u32 rx_size, u32 tx_size) const noexcept
{
	if (m_srq_ok)
		return tx_size + rx_size + 1;
	return tx_size + rx_size * kern::params::max_nonsrq_conn_qp();
}

/* ---------------------------------------------------------------------- */
/* Open and stop                                                           */

Status Cm::rx_fill(CmRx *rx, u32 slot, bool atomic)
{
	UdChannel &ud = m_ifc.ud();
	kern::CmRxSlot &s = rx ? rx->m_ring[slot] : m_srq_ring[slot];
	TRY(kern::cm_rx::alloc(ud.pd(), m_nfrags, atomic, s));
	Status st = kern::cm_rx::post(rx ? &rx->m_qp : nullptr, rx ? nullptr : &m_srq, cm::wr_cm(slot), s, m_nfrags);
	if (st.is_err())
		kern::cm_rx::release(ud.pd(), s, m_nfrags);
	else if (rx)
		rx->m_posted++; /* not yet visible to the poll */
	return st;
}

Status Cm::open()
{
	UdChannel &ud = m_ifc.ud();
	/* Without it, receives take new pages from the page allocator. */
	Result<kern::RxPool> pool = kern::RxPool::create(cm::kRxPoolPages);
	if (pool.is_ok())
		m_pool = pool.release_value();
	else
		ipoib_dbg("%s: no receive page pool: %d", m_ifc.name(), pool.error().code());
	if (m_srq_ok) {
		u32 max_wr = ud.cm_rx_size();
		u32 max_sge = m_nfrags;
		Result<kern::Srq> srq = kern::Srq::create(ud.pd(), max_wr, max_sge);
		if (srq.is_err()) {
			kern_warn("%s: failed to create the SRQ: %d; connected mode runs without one", m_ifc.name(),
				  srq.error().code());
			m_srq_ok = false;
			m_nfrags = cm::rx_frags(false, 0);
		} else {
			m_srq = srq.release_value();
			m_srq_size = cm_min(ud.cm_rx_size(), max_wr);
			m_srq_ring = kern::make_array<kern::CmRxSlot>(Gfp::Kernel, m_srq_size);
			if (!m_srq_ring) {
				m_srq.reset();
				return Error(-err::ENOMEM);
			}
			for (u32 i = 0; i < m_srq_size; i++) {
				Status st = rx_fill(nullptr, i, false);
				if (st.is_err()) {
					kern_warn("%s: failed to post SRQ buffer %u: %d", m_ifc.name(), i, st.error().code());
					m_srq.reset();
					for (u32 j = 0; j < i; j++)
						kern::cm_rx::release(ud.pd(), m_srq_ring[j], m_nfrags);
					m_srq_ring.reset();
					return st;
				}
			}
		}
	}

	Result<kern::CmId> id = kern::CmId::create<CmRx, &CmRx::on_cm>(m_ifc.ib(), &m_listener);
	Status st = id.is_ok() ? kern::ok() : Status(id.error());
	if (st.is_ok()) {
		m_listener.m_id = id.release_value();
		st = m_listener.m_id.listen(cm::service_id(ud.qpn()));
	}
	if (st.is_err()) {
		kern_warn("%s: failed to listen for connections (service ID 0x%llx): %d", m_ifc.name(),
			  static_cast<unsigned long long>(cm::service_id(ud.qpn())), st.error().code());
		m_listener.m_id.reset();
		stop();
		return st;
	}
	{
		kern::SpinGuardBh g(m_lock);
		m_open = true;
	}
	const cm::StaleTiming t = cm::stale_timing(kern::params::cm_stale_ms());
	m_ifc.wq().queue(m_stale_work, t.period_ms);
	return kern::ok();
}

void Cm::cancel_work()
{
	m_last_wqe_work.cancel_sync();
	m_start_work.cancel_sync();
	m_stale_work.cancel_sync();
	m_pmtu_work.cancel_sync();
	m_reap_work.cancel_sync();
}

/*
 * The interface goes down (the resolver already flushed: every TX
 * connection is dead and queued for reaping). NAPI is still on, so the
 * drains complete.
 */
void Cm::stop()
{
	{
		kern::SpinGuardBh g(m_lock);
		m_open = false;
	}
	/* No new REQs; a REQ handler running now is waited for. */
	m_listener.m_id.reset();
	m_stale_work.cancel_sync();
	m_start_work.cancel_sync();
	m_pmtu_work.cancel_sync();
	/* Not queued again while closed (m_open): the connections below stay ours to free. */
	m_reap_work.cancel_sync();
	{
		kern::SpinGuardBh g(m_lock);
		/* Never started: nothing to wait for beyond the reaper. */
		while (CmTx *tx = m_start_list.pop_front())
			m_tx_reap.push_back(*tx);
	}
	/* Every passive connection to ERR and through its drain. */
	for (;;) {
		CmRx *live = nullptr;
		{
			kern::SpinGuardBh g(m_lock);
			for (CmRx &rx : m_rx_list) {
				if (rx.m_state == cm::RxState::Live) {
					live = &rx;
					break;
				}
			}
		}
		if (!live)
			break;
		rx_event(*live, cm::RxEvent::Flush);
	}
	const u64 deadline = kern::time::deadline_ms(kCmDrainMs);
	for (;;) {
		bool empty;
		{
			kern::SpinGuardBh g(m_lock);
			empty = m_rx_list.empty();
			if (!empty && kern::time::passed(deadline)) {
				kern_warn("%s: timed out draining connected-mode receive QPs", m_ifc.name());
				while (CmRx *rx = m_rx_list.pop_front()) {
					rx->m_state = cm::RxState::Gone;
					m_rx_reap.push_back(*rx);
				}
				m_rx_count = 0;
				empty = true;
			}
		}
		if (empty)
			break;
		kern::time::sleep_ms(1);
	}
	m_reap_work.cancel_sync();
	m_last_wqe_work.cancel_sync();
	reap_task();

	UdChannel &ud = m_ifc.ud();
	if (m_srq) {
		m_srq.reset();
		for (u32 i = 0; i < m_srq_size; i++)
			kern::cm_rx::release(ud.pd(), m_srq_ring[i], m_nfrags);
		m_srq_ring.reset();
		m_srq_size = 0;
	}
	/* Every receive QP is gone: the NAPI allocates from it no more. */
	m_pool.reset();
	kern::SkbQueue drop;
	{
		kern::SpinGuardBh g(m_lock);
		m_too_big.splice_into(drop);
	}
	/* drop's destructor frees them. */
}

/* ---------------------------------------------------------------------- */
/* Transmit                                                                */

CmTx *Cm::tx_create(Neigh *neigh, const HwAddr &daddr, const kern::PathRecord &path, Skb skb)
{
	kern::UniquePtr<CmTx> tx = kern::make<CmTx>(Gfp::Atomic, *this, neigh, daddr, path);
	if (!tx || skb.push_pseudo_header(daddr.bytes()).is_err()) {
		m_ifc.drop_tx(skb);
		return nullptr;
	}
	kern::SpinGuard g(m_lock); /* BHs are off in xmit */
	if (!m_open) {
		g.unlock();
		m_ifc.drop_tx(skb);
		return nullptr;
	}
	tx->m_queue.push_back(skb);
	m_tx_list.push_back(*tx);
	m_start_list.push_back(*tx);
	m_ifc.wq().queue(m_start_work);
	return tx.release();
}

void Cm::tx_send(CmTx &tx, Skb skb, const HwAddr &daddr, kern::SpinGuard &rg)
{
	/* The fast path: connected (a connection that dies meanwhile flushes what was posted). */
	if (unlikely(!tx.m_up.load_acquire())) {
		kern::SpinGuard g(m_lock);
		if (tx.m_state != cm::TxState::Connected) {
			/* Connecting: hold a few packets for the RTU, as in-tree's neighbour queue. */
			if (tx.m_state != cm::TxState::Dead && tx.m_queue.size() < cm::kMaxQueued &&
			    skb.push_pseudo_header(daddr.bytes()).is_ok()) {
				tx.m_queue.push_back(skb);
				return;
			}
			g.unlock();
			rg.unlock();
			m_ifc.drop_tx(skb);
			return;
		}
	}
	rg.unlock();
	tx_post(tx, skb);
}

/*
 * The reaper fences xmit before freeing tx: it stays valid under the
 * netif tx lock, whether xmit found it under Resolver::m_lock or
 * locklessly (Resolver::send_fast).
 */
void Cm::tx_post(CmTx &tx, Skb skb)
{
	UdChannel &ud = m_ifc.ud();
	const u32 len = skb.len();
	if (unlikely(cm::cm_tx_path(true, true, len, tx.m_mtu, 0) == cm::CmTxPath::TooBig)) {
		ipoib_dbg("%s: packet of %u bytes exceeds the connection MTU %u", m_ifc.name(), len, tx.m_mtu);
		m_ifc.count_tx_error();
		m_ifc.count_tx_dropped();
		too_big(skb, tx.m_mtu);
		return;
	}
	if (unlikely(tx_csum(tx, skb).is_err())) {
		m_ifc.count_tx_error();
		m_ifc.drop_tx(skb);
		return;
	}
	const u32 size = cm::kTxRing;
	const u32 head = tx.m_head;
	if (unlikely(ud.out_full() || tx_ring_full(head, tx.m_tail.load_acquire(), size))) {
		m_ifc.netdev().stop_queue();
		m_ifc.drop_tx(skb);
		return;
	}
	TxSlot &slot = tx.m_ring[head & (size - 1)];
	slot.skb = skb;
	slot.len = len;
	Status st = tx.m_qp.send_skb(skb, cm::wr_cm(head), kern::send_flag::Signaled, tx.m_max_sge, slot.map);
	if (unlikely(st.is_err()) && st.error().code() == -err::E2BIG) {
		if (skb.linearize().is_ok())
			st = tx.m_qp.send_skb(skb, cm::wr_cm(head), kern::send_flag::Signaled, tx.m_max_sge, slot.map);
	}
	if (unlikely(st.is_err())) {
		slot.skb = Skb();
		ipoib_dbg("%s: connected-mode post_send failed: %d", m_ifc.name(), st.error().code());
		m_ifc.count_tx_error();
		m_ifc.drop_tx(skb);
		return;
	}
	tx.m_head = head + 1;
	ud.out_posted();
	if (unlikely(tx_ring_full(tx.m_head, tx.m_tail.load_acquire(), size))) {
		/* Full: stop until it is half empty (tx_complete); other connections wait too. */
		if (!tx.m_full.exchange(true))
			m_full_conns.fetch_add(1);
		m_ifc.netdev().stop_queue();
		if (!tx_ring_full(tx.m_head, tx.m_tail.load_acquire(), size))
			tx_unfull(tx);
	}
}

/* tx's ring has room again: the queue may wake if nothing else holds it. Context: any. */
/*
 * A TCP/UDP checksum the stack left to us (tx-checksumming, on in
 * connected mode): a receiver that advertised kCapCsumFree gets the
 * packet as it is, marked in the encap header, when it will find the
 * checksum field where the stack put it; anyone else gets it computed.
 */
Status Cm::tx_csum(CmTx &tx, Skb skb)
{
	u32 start, off;
	if (!skb.csum_partial(start, off))
		return kern::ok();
	if (tx.m_peer_csum_free) {
		const kern::ByteSpan lin = skb.linear();
		Result<EncapHeader> enc = parse_encap(lin);
		if (enc.is_ok()) {
			Result<CsumLayout> l = csum_layout(lin.subspan(kEncapLen), enc.value().m_proto);
			if (l.is_ok() && start == kEncapLen + l.value().start && off == l.value().off) {
				cm_bump(tx.m_csum_free);
				return skb.set_encap_reserved(kEncapCsumFree);
			}
		}
	}
	return skb.checksum_help();
}

void Cm::tx_unfull(CmTx &tx)
{
	if (!tx.m_full.exchange(false))
		return;
	m_full_conns.fetch_add(static_cast<u32>(-1));
	m_ifc.ud().maybe_wake();
}

void Cm::tx_complete(const kern::Wc &wc, int budget)
{
	CmTx *tx = static_cast<CmTx *>(wc.qp_owner());
	const u32 size = cm::kTxRing;
	TxSlot &slot = tx->m_ring[cm::wr_slot(wc.wr_id()) & (size - 1)];
	if (unlikely(!slot.skb)) {
		kern_warn("%s: connected-mode send completion for an empty slot", m_ifc.name());
		return;
	}
	const bool sent = wc.ok();
	if (likely(sent)) {
		/* Connected mode sends on TX queue 0; its poll runs this. */
		cm_bump(m_ifc.stats().txq[0].packets);
		cm_bump(m_ifc.stats().txq[0].bytes, slot.len);
		cm_bump(tx->m_packets);
	}
	tx->m_qp.tx_release(slot.skb, slot.map, budget, sent);
	slot.skb = Skb();
	const u32 tail = tx->m_tail.load() + 1;
	tx->m_tail.store_release(tail);
	m_ifc.ud().out_completed();
	/* m_head is the xmit's; a stale read only delays the wake to a later completion. */
	if (unlikely(tx->m_full.load()) && tx_outstanding(tx->m_head, tail) <= size / 2)
		tx_unfull(*tx);
	if (!sent && !wc.flushed()) {
		/* retry_count is 0, as in-tree: a lost peer shows up here. The next packet reconnects. */
		ipoib_dbg("%s: connected-mode send error %u (vendor 0x%x) to QPN 0x%06x", m_ifc.name(), wc.status(),
			  wc.vendor_err(), tx->m_daddr.qpn());
		m_ifc.count_tx_error();
		m_ifc.resolver().cm_kill(*tx, cm::TxEvent::Error);
	}
}

/* Moves tx by ev; on teardown it leaves its neighbour (the caller's job) and goes to the reaper. m_lock held. */
bool Cm::tx_step_locked(CmTx &tx, cm::TxEvent ev, kern::SkbQueue *requeue)
{
	Result<cm::TxStep> s = cm::tx_step(tx.m_state, ev);
	if (s.is_err())
		return false;
	tx.m_state = s.value().next;
	tx.m_up.store_release(tx.m_state == cm::TxState::Connected);
	if (s.value().requeue && requeue)
		tx.m_queue.splice_into(*requeue);
	if (s.value().teardown) {
		const u32 dropped = tx.m_queue.purge();
		if (dropped)
			m_ifc.count_tx_dropped(dropped);
		if (tx.m_work_node.in_list())
			m_start_list.remove(tx);
		m_tx_reap.push_back(tx);
		/* While stopping, stop() reaps: no reaper may run beside it. */
		if (m_open)
			m_ifc.wq().queue(m_reap_work);
	}
	return s.value().teardown;
}

bool Cm::tx_kill_locked(CmTx &tx, cm::TxEvent ev)
{
	kern::SpinGuard g(m_lock); /* inside Resolver::m_lock, BHs off */
	if (!tx_step_locked(tx, ev, nullptr))
		return false;
	tx.m_neigh = nullptr;
	return true;
}

bool Cm::tx_kill_if_stale_locked(CmTx &tx, u32 dlid)
{
	kern::SpinGuard g(m_lock); /* inside Resolver::m_lock, BHs off */
	if (tx.m_state == cm::TxState::Connected || tx.m_path.dlid() == dlid)
		return false;
	if (!tx_step_locked(tx, cm::TxEvent::Flush, nullptr))
		return false;
	ipoib_dbg("%s: connection to QPN 0x%06x was set up toward DLID 0x%04x, the path now leads to 0x%04x: restarted",
		  m_ifc.name(), tx.m_daddr.qpn(), tx.m_path.dlid(), dlid);
	tx.m_neigh = nullptr;
	return true;
}

/* A dead tx has left its neighbour already; a live one dies now (Flush applies in every live state). */
void Cm::tx_detach(CmTx &tx) { (void)tx_kill_locked(tx, cm::TxEvent::Flush); }

void Cm::start_task()
{
	for (;;) {
		CmTx *tx;
		{
			kern::SpinGuardBh g(m_lock);
			tx = m_start_list.pop_front();
		}
		if (!tx)
			return;
		Status st = tx_start(*tx);
		if (st.is_err()) {
			ipoib_dbg("%s: connection to QPN 0x%06x failed to start: %d", m_ifc.name(), tx->m_daddr.qpn(),
				  st.error().code());
			m_ifc.resolver().cm_kill(*tx, cm::TxEvent::StartFailed);
		}
	}
}

/* QP, cm id, QP to INIT, REQ (ipoib_cm_tx_init). Context: the start task. */
Status Cm::tx_start(CmTx &tx)
{
	UdChannel &ud = m_ifc.ud();
	kern::RcQpInit init{};
	init.max_send_wr = cm::kTxRing;
	init.max_send_sge = static_cast<u32>(ud.max_send_sge());
	init.max_recv_wr = 1;
	init.max_recv_sge = 1;
	tx.m_ring = kern::make_array<TxSlot>(Gfp::Kernel, cm::kTxRing);
	if (!tx.m_ring)
		return Error(-err::ENOMEM);
	tx.m_qp = TRY((kern::RcQp::create<CmTx, &CmTx::on_qp_event>(ud.pd(), ud.tx_cq(), ud.rx_cq(), nullptr, init, &tx)));
	tx.m_max_sge = static_cast<int>(init.max_send_sge);
	tx.m_qpn = tx.m_qp.qp_num();
	tx.m_id = TRY((kern::CmId::create<CmTx, &CmTx::on_cm>(m_ifc.ib(), &tx)));
	TRY(tx.m_qp.init(m_ifc.addr().pkey_index, m_ifc.port_num()));

	kern::CmReq req{};
	req.path = tx.m_path.raw();
	req.service_id = cm::service_id(tx.m_daddr.qpn());
	req.qp_num = tx.m_qpn;
	req.starting_psn = 0;
	cm::encode_priv(cm::PrivData{ud.qpn(), cm::kBufSize, cm_caps()}, req.private_data);
	req.responder_resources = cm::kRespResources;
	req.remote_cm_response_timeout = cm::kCmResponseTimeout;
	req.local_cm_response_timeout = cm::kCmResponseTimeout;
	req.retry_count = cm::kRetryCount;
	req.rnr_retry_count = cm::kRnrRetryCount;
	req.max_cm_retries = cm::kMaxCmRetries;
	req.srq = m_srq_ok ? 1 : 0;
	{
		/* Connecting before the REQ leaves: its REP may be handled at once. */
		kern::SpinGuardBh g(m_lock);
		if (tx_step_locked(tx, cm::TxEvent::Started, nullptr) || tx.m_state != cm::TxState::Connecting)
			return kern::ok(); /* killed meanwhile: the reaper has it */
	}
	Status st = tx.m_id.send_req(req);
	if (st.is_err()) {
		kern_warn("%s: failed to send a connection request to QPN 0x%06x: %d", m_ifc.name(), tx.m_daddr.qpn(),
			  st.error().code());
		m_ifc.resolver().cm_kill(tx, cm::TxEvent::Error);
	}
	return kern::ok();
}

void CmTx::on_qp_event(kern::QpEvent) {}

/* ib_cm events of an active connection (ib_cm's work queue, process context). */
int CmTx::on_cm(kern::CmIdRef id, const kern::CmEvent &ev)
{
	Iface &ifc = m_cm.ifc();
	switch (ev.type()) {
	case kern::CmEventType::RepReceived: {
		const cm::PrivData pd = cm::decode_priv(ev.private_data());
		m_peer_csum_free = (pd.caps & cm::kCapCsumFree) != 0;
		Result<u32> mtu = cm::rep_mtu(pd.mtu);
		Status st = mtu.is_ok() ? kern::ok() : Status(mtu.error());
		if (st.is_ok())
			st = m_qp.cm_modify(id, kern::QpState::Rtr, true, 0);
		if (st.is_ok())
			st = m_qp.cm_modify(id, kern::QpState::Rts);
		if (st.is_ok())
			st = id.send_rtu();
		if (st.is_err()) {
			kern_warn("%s: connection to QPN 0x%06x failed on REP (receive size %u): %d", ifc.name(),
				  m_daddr.qpn(), pd.mtu, st.error().code());
			(void)id.send_rej(kern::cm_rej::ConsumerDefined);
			ifc.resolver().cm_kill(*this, cm::TxEvent::RepBad);
			return 0;
		}
		kern::SkbQueue requeue;
		{
			kern::SpinGuardBh g(m_cm.m_lock);
			m_mtu = mtu.value();
			m_remote_qpn = ev.remote_qpn();
			(void)m_cm.tx_step_locked(*this, cm::TxEvent::Rep, &requeue);
		}
		ipoib_dbg("%s: connected to QPN 0x%06x (mtu %u)", ifc.name(), m_daddr.qpn(), m_mtu);
		ifc.requeue_all(requeue);
		return 0;
	}
	case kern::CmEventType::DreqReceived:
		(void)id.send_drep();
		ifc.resolver().cm_kill(*this, cm::TxEvent::Dreq);
		return 0;
	case kern::CmEventType::ReqError:
	case kern::CmEventType::RejReceived:
	case kern::CmEventType::TimewaitExit:
		ipoib_dbg("%s: connection to QPN 0x%06x ends (cm event %u, reason %u)", ifc.name(), m_daddr.qpn(),
			  static_cast<unsigned>(ev.type()), ev.rej_reason());
		ifc.resolver().cm_kill(*this, cm::TxEvent::Rej);
		return 0;
	default:
		return 0;
	}
}

/* Frees a dead TX connection (ipoib_cm_tx_destroy). Context: the reap task. */
void Cm::tx_destroy(CmTx &tx)
{
	{
		/* No xmit still holds tx: it was unlinked before, under the resolver lock. */
		kern::TxLockGuard fence(m_ifc.netdev());
	}
	tx.m_id.reset();
	if (tx.m_qp) {
		(void)tx.m_qp.modify_state(kern::QpState::Err);
		const u64 deadline = kern::time::deadline_ms(kCmDrainMs);
		while (tx.m_tail.load_acquire() != tx.m_head) {
			if (kern::time::passed(deadline)) {
				kern_warn("%s: timed out waiting for %u sends of a connection", m_ifc.name(),
					  tx.m_head - tx.m_tail.load());
				break;
			}
			kern::time::sleep_ms(1);
		}
		/* What never completed is unmapped while the QP (and its device) is still there. */
		const u32 size = cm::kTxRing;
		for (u32 t = tx.m_tail.load(); t != tx.m_head; t++) {
			TxSlot &slot = tx.m_ring[t & (size - 1)];
			if (slot.skb) {
				tx.m_qp.tx_release(slot.skb, slot.map, 0, false);
				slot.skb = Skb();
				m_ifc.count_tx_dropped();
				m_ifc.ud().out_completed();
			}
		}
		tx.m_qp.reset();
	}
	tx_unfull(tx);
	{
		kern::SpinGuardBh g(m_lock);
		m_tx_list.remove(tx);
	}
	kern::UniquePtr<CmTx> free(&tx);
}

/* ---------------------------------------------------------------------- */
/* PMTU emulation                                                          */

void Cm::too_big(Skb skb, u32 mtu)
{
	kern::skb_update_pmtu(skb, mtu);
	bool first;
	{
		kern::SpinGuardBh g(m_lock);
		if (m_too_big.size() >= kMaxTooBig) {
			g.unlock();
			skb.drop();
			return;
		}
		first = m_too_big.empty();
		m_too_big.push_back(skb);
	}
	if (first)
		m_ifc.wq().queue(m_pmtu_work);
}

/* ICMP "fragmentation needed" / "packet too big" into the local stack with the UD MTU, as in-tree. */
void Cm::pmtu_task()
{
	kern::SkbQueue q;
	{
		kern::SpinGuardBh g(m_lock);
		m_too_big.splice_into(q);
	}
	const u32 mtu = m_ifc.addr().mcast_mtu;
	while (Skb skb = q.pop_front())
		kern::skb_icmp_too_big(skb, mtu);
}

/* ---------------------------------------------------------------------- */
/* Receive                                                                 */

int CmRx::on_cm(kern::CmIdRef id, const kern::CmEvent &ev)
{
	if (m_listener)
		return ev.type() == kern::CmEventType::ReqReceived ? m_cm.on_req(id, ev) : 0;
	switch (ev.type()) {
	case kern::CmEventType::DreqReceived:
		(void)id.send_drep();
		m_cm.rx_event(*this, cm::RxEvent::Dreq);
		return 0;
	case kern::CmEventType::RejReceived:
		m_cm.rx_event(*this, cm::RxEvent::Rej);
		return 0;
	case kern::CmEventType::RepError:
		/*
		 * ib_cm gave up on our REP (no RTU after the requester's own
		 * timeout and retries) and put the id back to idle: nothing
		 * can establish this connection any more. In-tree leaves it
		 * to the stale reaper (512-1280 s); a forged or lost REQ
		 * would hold an RC QP that long (fuzz_cm).
		 */
		m_cm.rx_event(*this, cm::RxEvent::Error);
		return 0;
	default:
		return 0;
	}
}

/* Atomic context, maybe hard IRQ: the machine runs from the work queue. */
void CmRx::on_qp_event(kern::QpEvent ev)
{
	if (ev == kern::QpEvent::LastWqeReached) {
		m_last_wqe.store(true);
		m_cm.m_ifc.wq().queue(m_cm.m_last_wqe_work);
	}
}

void Cm::last_wqe_task()
{
	for (;;) {
		CmRx *hit = nullptr;
		{
			kern::SpinGuardBh g(m_lock);
			for (CmRx &rx : m_rx_list) {
				if (rx.m_last_wqe.load()) {
					rx.m_last_wqe.store(false);
					hit = &rx;
					break;
				}
			}
		}
		if (!hit)
			return;
		rx_event(*hit, cm::RxEvent::LastWqe);
	}
}

/* A REQ on the listener (ipoib_cm_req_handler). Non-zero: ib_cm destroys the new id. */
int Cm::on_req(kern::CmIdRef id, const kern::CmEvent &ev)
{
	UdChannel &ud = m_ifc.ud();
	const cm::PrivData peer = cm::decode_priv(ev.private_data());
	{
		kern::SpinGuardBh g(m_lock);
		if (!m_open) {
			g.unlock();
			(void)id.send_rej(kern::cm_rej::NoResources);
			return 1;
		}
		if (!m_srq_ok && m_rx_count >= kern::params::max_nonsrq_conn_qp()) {
			g.unlock();
			kern_warn("%s: connection from QPN 0x%06x refused: %u connections is max_nonsrq_conn_qp",
				  m_ifc.name(), peer.qpn, kern::params::max_nonsrq_conn_qp());
			(void)id.send_rej(kern::cm_rej::NoQp);
			return 1;
		}
	}
	kern::UniquePtr<CmRx> rx = kern::make<CmRx>(Gfp::Kernel, *this, false);
	if (!rx) {
		(void)id.send_rej(kern::cm_rej::NoResources);
		return 1;
	}
	kern::RcQpInit init{};
	init.max_send_wr = 1; /* the drain WR */
	init.max_send_sge = 1;
	if (!m_srq_ok) {
		init.max_recv_wr = ud.cm_rx_size();
		init.max_recv_sge = m_nfrags;
	}
	const u32 psn = kern::random_u32() & 0xffffffu;
	Result<kern::RcQp> qp = kern::RcQp::create<CmRx, &CmRx::on_qp_event>(ud.pd(), ud.rx_cq(), ud.rx_cq(),
									     m_srq_ok ? &m_srq : nullptr, init, rx.get());
	Status st = qp.is_ok() ? kern::ok() : Status(qp.error());
	if (st.is_ok()) {
		rx->m_qp = qp.release_value();
		rx->m_qpn = rx->m_qp.qp_num();
		rx->m_remote_qpn = ev.remote_qpn();
		st = rx->m_qp.cm_modify(id, kern::QpState::Init);
	}
	if (st.is_ok())
		st = rx->m_qp.cm_modify(id, kern::QpState::Rtr, true, psn);
	/* RTS too, as in-tree: some HCAs drop what arrives before it. */
	if (st.is_ok())
		st = rx->m_qp.cm_modify(id, kern::QpState::Rts);
	if (st.is_ok() && !m_srq_ok) {
		rx->m_ring = kern::make_array<kern::CmRxSlot>(Gfp::Kernel, ud.cm_rx_size());
		if (!rx->m_ring)
			st = Error(-err::ENOMEM);
		for (u32 i = 0; st.is_ok() && i < ud.cm_rx_size(); i++)
			st = rx_fill(rx.get(), i, false);
	}
	if (st.is_err()) {
		kern_warn("%s: failed to accept a connection from QPN 0x%06x: %d", m_ifc.name(), peer.qpn,
			  st.error().code());
		(void)id.send_rej(kern::cm_rej::ConsumerDefined);
		rx->m_qp.reset();
		if (rx->m_ring)
			for (u32 i = 0; i < ud.cm_rx_size(); i++)
				kern::cm_rx::release(ud.pd(), rx->m_ring[i], m_nfrags);
		return 1;
	}
	rx->m_stamp_ms.store(now_ms());
	CmRx *r = rx.release();
	r->m_id = kern::CmId::adopt<CmRx, &CmRx::on_cm>(id, r);
	{
		kern::SpinGuardBh g(m_lock);
		m_rx_list.push_back(*r);
		m_rx_count++;
	}

	kern::CmRep rep{};
	rep.qp_num = r->m_qpn;
	rep.starting_psn = psn;
	cm::encode_priv(cm::PrivData{ud.qpn(), cm::kBufSize, cm_caps()}, rep.private_data);
	rep.rnr_retry_count = ev.rnr_retry_count();
	rep.srq = m_srq_ok ? 1 : 0;
	st = r->m_id.send_rep(rep);
	if (st.is_err()) {
		kern_warn("%s: failed to answer a connection request from QPN 0x%06x: %d", m_ifc.name(), peer.qpn,
			  st.error().code());
		rx_event(*r, cm::RxEvent::Error);
		return 0;
	}
	ipoib_dbg("%s: accepted a connection from QPN 0x%06x (RC QPN 0x%06x)", m_ifc.name(), peer.qpn, r->m_remote_qpn);
	return 0;
}

/* Runs the RX machine. Context: process for events that move the QP to ERR; any for the others. */
void Cm::rx_event(CmRx &rx, cm::RxEvent ev)
{
	Result<cm::RxStep> s = Error(-err::EINVAL);
	{
		kern::SpinGuardBh g(m_lock);
		s = cm::rx_step(rx.m_state, ev, m_srq_ok);
		if (s.is_err())
			return;
		rx.m_state = s.value().next;
		rx_moved_locked(rx, s.value());
	}
	if (s.value().to_err) {
		Status st = rx.m_qp.modify_state(kern::QpState::Err);
		if (st.is_err())
			kern_warn("%s: failed to move a connected-mode receive QP to ERR: %d", m_ifc.name(), st.error().code());
		if (!m_srq_ok) {
			/*
			 * Its ring may be empty already. rx stays valid here: the
			 * reaper waits for this cm handler (cm id destroy) or runs
			 * on the same ordered queue (stale task), and is off while
			 * stop() runs.
			 */
			kern::SpinGuardBh g(m_lock);
			if (rx.m_posted == 0)
				rx_unposted_locked(rx);
		}
	}
	if (s.value().post_drain) {
		Status st = rx.m_qp.post_drain(cm::kWrCm | cm::kWrDrain);
		if (st.is_err()) {
			/* Nothing will complete for it: the stop's timeout reaps it. */
			kern_warn("%s: failed to post the drain WR: %d", m_ifc.name(), st.error().code());
		}
	}
}

void Cm::rx_moved_locked(CmRx &rx, const cm::RxStep &step)
{
	if (!step.reap)
		return;
	m_rx_list.remove(rx);
	m_rx_count--;
	m_rx_reap.push_back(rx);
	if (m_open)
		m_ifc.wq().queue(m_reap_work);
}

void Cm::rx_unposted_locked(CmRx &rx)
{
	if (rx.m_posted > 0 && --rx.m_posted > 0)
		return;
	if (rx.m_state != cm::RxState::Draining)
		return;
	Result<cm::RxStep> s = cm::rx_step(rx.m_state, cm::RxEvent::Drained, false);
	if (s.is_err())
		return;
	rx.m_state = s.value().next;
	rx_moved_locked(rx, s.value());
}

bool Cm::rx_complete(const kern::Wc &wc, kern::Napi &napi, bool draining)
{
	CmRx *rx = static_cast<CmRx *>(wc.qp_owner());
	const u64 id = wc.wr_id();
	if (cm::wr_is_drain(id)) {
		rx_event(*rx, cm::RxEvent::Drained);
		return false;
	}
	UdChannel &ud = m_ifc.ud();
	Stats &stats = m_ifc.stats();
	const u32 idx = cm::wr_slot(id);
	const bool srq = m_srq_ok;
	if (unlikely(idx >= (srq ? m_srq_size : ud.cm_rx_size()))) {
		kern_warn("%s: connected-mode receive completion for unknown slot %u", m_ifc.name(), idx);
		cm_bump(stats.rx_errors);
		return false;
	}
	kern::CmRxSlot &slot = srq ? m_srq_ring[idx] : rx->m_ring[idx];
	kern::RcQp *qp = srq ? nullptr : &rx->m_qp;
	kern::Srq *q = srq ? &m_srq : nullptr;
	/*
	 * A connection's own ring is refilled only while it is live; once
	 * torn down, each buffer that comes back is freed and the last one
	 * ends the drain (rx_unposted_locked).
	 */
	auto repost = [&] {
		if (!srq) {
			kern::SpinGuard g(m_lock); /* BHs are off in the poll */
			if (rx->m_state == cm::RxState::Live &&
			    kern::cm_rx::post(qp, q, cm::wr_cm(idx), slot, m_nfrags).is_ok())
				return;
			kern::cm_rx::release(ud.pd(), slot, m_nfrags);
			rx_unposted_locked(*rx);
			return;
		}
		if (kern::cm_rx::post(qp, q, cm::wr_cm(idx), slot, m_nfrags).is_err())
			kern::cm_rx::release(ud.pd(), slot, m_nfrags);
	};
	if (unlikely(!wc.ok() || draining)) {
		if (!wc.ok() && !wc.flushed()) {
			ipoib_dbg("%s: connected-mode receive error %u (vendor 0x%x)", m_ifc.name(), wc.status(),
				  wc.vendor_err());
			cm_bump(stats.rx_dropped);
		}
		/* An SRQ buffer goes back to the SRQ; a connection's own ring empties as it flushes. */
		if (srq && !draining) {
			repost();
		} else if (srq) {
			kern::cm_rx::release(ud.pd(), slot, m_nfrags);
		} else {
			kern::SpinGuard g(m_lock);
			kern::cm_rx::release(ud.pd(), slot, m_nfrags);
			rx_unposted_locked(*rx);
		}
		return false;
	}

	const u64 now = now_ms();
	const cm::StaleTiming t = cm::stale_timing(kern::params::cm_stale_ms());
	if (now - rx->m_stamp_ms.load() > t.stamp_ms)
		rx->m_stamp_ms.store(now);

	const u32 len = wc.byte_len();
	Result<Skb> got = Error(-err::ENOMEM);
	if (len < cm::kCopybreak) {
		got = kern::cm_rx::copy(ud.pd(), m_ifc.netdev(), slot, len);
		repost();
	} else {
		got = kern::cm_rx::swap(ud.pd(), m_ifc.netdev(), m_pool, slot, m_nfrags, len);
		repost(); /* the replacement, or the same buffer again if there was none */
	}
	if (unlikely(got.is_err())) {
		cm_bump(stats.rx_dropped);
		return false;
	}
	/* Marked by a sender we told we take it (kCapCsumFree): the checksum is left to the stack's consumer. */
	bool partial = false;
	CsumLayout l;
	const kern::ByteSpan lin = got.value().linear();
	Result<EncapHeader> enc = parse_encap(lin);
	if (enc.is_ok() && (enc.value().m_reserved & kEncapCsumFree)) {
		Result<CsumLayout> found = csum_layout(lin.subspan(kEncapLen), enc.value().m_proto);
		if (unlikely(found.is_err())) {
			ipoib_dbg("%s: checksum-free receive without a TCP/UDP header: dropped", m_ifc.name());
			got.value().drop();
			cm_bump(stats.rx_errors);
			return false;
		}
		partial = true;
		l = found.value();
		cm_bump(rx->m_csum_free);
	}
	Result<u32> bytes = napi.deliver_cm(got.value(), partial, l.start, l.off);
	if (unlikely(bytes.is_err())) {
		cm_bump(stats.rx_errors);
		return false;
	}
	cm_bump(stats.rx_packets);
	cm_bump(stats.rx_bytes, bytes.value());
	cm_bump(rx->m_packets);
	return true;
}

void Cm::stale_task()
{
	const cm::StaleTiming t = cm::stale_timing(kern::params::cm_stale_ms());
	const u64 now = now_ms();
	for (;;) {
		CmRx *stale = nullptr;
		{
			kern::SpinGuardBh g(m_lock);
			if (!m_open)
				return;
			for (CmRx &rx : m_rx_list) {
				if (rx.m_state == cm::RxState::Live && cm::rx_stale(now, rx.m_stamp_ms.load(), t.idle_ms)) {
					stale = &rx;
					break;
				}
			}
		}
		if (!stale)
			break;
		ipoib_dbg("%s: reaping an idle connection from RC QPN 0x%06x", m_ifc.name(), stale->m_remote_qpn);
		/* The reaper is on the same ordered queue: stale stays valid. */
		rx_event(*stale, cm::RxEvent::Stale);
	}
	m_ifc.wq().queue(m_stale_work, t.period_ms);
}

void Cm::rx_destroy(CmRx &rx)
{
	rx.m_id.reset();
	rx.m_qp.reset();
	if (rx.m_ring)
		for (u32 i = 0; i < m_ifc.ud().cm_rx_size(); i++)
			kern::cm_rx::release(m_ifc.ud().pd(), rx.m_ring[i], m_nfrags);
	kern::UniquePtr<CmRx> free(&rx);
}

void Cm::reap_task()
{
	for (;;) {
		CmTx *tx;
		{
			kern::SpinGuardBh g(m_lock);
			tx = m_tx_reap.pop_front();
		}
		if (!tx)
			break;
		tx_destroy(*tx);
	}
	for (;;) {
		CmRx *rx;
		{
			kern::SpinGuardBh g(m_lock);
			rx = m_rx_reap.pop_front();
		}
		if (!rx)
			break;
		rx_destroy(*rx);
	}
}

/* ---------------------------------------------------------------------- */
/* debugfs                                                                 */

/* A GID as %pI6 prints it: eight groups of four hex digits. */
static void put_gid_full(BufWriter &w, const Gid &gid)
{
	const u8 *b = gid.raw();
	for (usize i = 0; i < Gid::kLen; i += 2) {
		if (i)
			w.put_char(':');
		w.put_hex(static_cast<u32>(b[i]) << 8 | b[i + 1], 4, true);
	}
}

void Cm::show(BufWriter &w)
{
	kern::SpinGuardBh g(m_lock);
	for (CmTx &tx : m_tx_list) {
		w.put_str("TX ");
		put_gid_full(w, tx.m_daddr.gid());
		w.put_str(" remote_qpn 0x");
		w.put_hex(tx.m_remote_qpn, 6, true);
		w.put_str(" qpn 0x");
		w.put_hex(tx.m_qpn, 6, true);
		w.put_str(" state ");
		w.put_str(cm::tx_state_name(tx.m_state));
		w.put_str(" mtu ");
		w.put_udec(tx.m_mtu);
		w.put_str(" packets ");
		w.put_udec(tx.m_packets.load());
		w.put_str(" csum_free ");
		w.put_udec(tx.m_csum_free.load());
		w.put_char('\n');
	}
	for (CmRx &rx : m_rx_list) {
		w.put_str("RX remote_qpn 0x");
		w.put_hex(rx.m_remote_qpn, 6, true);
		w.put_str(" qpn 0x");
		w.put_hex(rx.m_qpn, 6, true);
		w.put_str(" state ");
		w.put_str(cm::rx_state_name(rx.m_state));
		w.put_str(" packets ");
		w.put_udec(rx.m_packets.load());
		w.put_str(" csum_free ");
		w.put_udec(rx.m_csum_free.load());
		w.put_char('\n');
	}
}

} // namespace ipoib
