// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ipoib_ud.cc - the datagram (UD) datapath: the receive QP, CQ and ring
 * under NAPI; one TX queue per net_device queue, each a send-only UD QP
 * with its CQ, ring, NAPI and byte queue limits; scatter-gather and ring
 * flow control; the drain on stop and the rebuild on ethtool -G/-L.
 *
 * Rings. The receive ring has recv_queue_size slots, each one linear skb
 * of IB MTU + 40 (GRH) bytes posted with wr_id = slot index. Each TX
 * queue's ring has send_queue_size slots indexed by a free-running head
 * (xmit, under that queue's lock) and tail (its send NAPI); every send is signaled
 * and a UD QP completes in order, so the tail simply advances. The queue
 * stops when sendq - 1 sends are outstanding and wakes at sendq / 2, as
 * in-tree, so a completion burst never thrashes the qdisc.
 *
 * Each per-packet step is one glue call: refill = alloc + map + post,
 * send = map + post, release = unmap + consume; nothing is allocated per
 * packet beyond the receive skb the in-tree driver allocates too.
 */
#include "ipoib/driver/iface.h"
#include "ipoib/params.h"
#include "ipoib/ring.h"

namespace ipoib {

namespace {

constexpr usize kWcBatch = 16;
/*
 * Receives of at most this many bytes after the GRH area (encap header
 * on) are copied into a small skb and their buffer re-posted as it is
 * (as in-tree's connected mode does, IPOIB_CM_COPYBREAK): no buffer to
 * allocate and map, and the stack holds about 1 KB for a small packet
 * instead of the whole MTU-sized buffer (Documentation/design.md,
 * "Where the transmit path's instructions went").
 */
constexpr u32 kRxCopybreak = 256;
constexpr unsigned int kDrainTimeoutMs = 5000;
constexpr int kNapiWeight = 64;

u32 min_u32(u32 a, u32 b) { return a < b ? a : b; }

/*
 * Polls cq in batches until limit completions or the CQ is empty, calling
 * fn(const Wc &) for each; returns how many were handled.
 */
template <class F>
int poll_cq(kern::Cq &cq, int limit, F &&fn)
{
	KERN_SCRATCH kern::Wc wcs[kWcBatch];
	int done = 0;
	while (done < limit) {
		usize want = static_cast<usize>(limit - done) < kWcBatch ? static_cast<usize>(limit - done) : kWcBatch;
		Result<usize> polled = cq.poll(kern::Span<kern::Wc>(wcs, want));
		usize n = polled.is_ok() ? polled.value() : 0;
		for (usize i = 0; i < n; i++)
			fn(wcs[i]);
		done += static_cast<int>(n);
		if (n < want)
			break;
	}
	return done;
}

/* Single-writer counter bump: a plain add the racy stats reader may see torn only on 32-bit. */
inline void bump(kern::Atomic<u64> &c, u64 n = 1) { c.add_single_writer(n); }

} // namespace

UdChannel::UdChannel(Iface &ifc) noexcept : m_ifc(ifc)
{
	m_rx_polls.store(0);
	m_paused.store(false);
	m_rx_exhausted.store(0);
	m_recover_work.init<UdChannel, &UdChannel::recover_task>(this);
	KERN_LOCK_INIT(m_ah_lock, "ipoib_ah_lock");
	m_reap_work.init<UdChannel, &UdChannel::reap_task>(this);
}

/* ---- Address handles ---- */

Result<IpAh *> UdChannel::ah_wrap(Result<kern::Ah> made)
{
	if (made.is_err())
		return made.error();
	kern::Ah ah = made.release_value();
	kern::UniquePtr<IpAh> ip = kern::make<IpAh>(Gfp::Atomic);
	if (!ip) {
		ah.reset(kern::AhSleep::No);
		return Error(-kern::err::ENOMEM);
	}
	ip->m_ah = kern::move(ah);
	/* Never used for a send yet: reapable as soon as it is put. */
	ip->m_used.store(0);
	return ip.release();
}

void UdChannel::ah_put(IpAh *ah) noexcept
{
	if (!ah || --ah->m_refs != 0)
		return;
	kern::SpinGuardBh g(m_ah_lock);
	m_dead_ahs.push_back(*ah);
}

/*
 * A path's AH may have been read by a lockless xmit (Resolver::send_fast)
 * just before it was unpublished and put; that xmit stamps it and posts
 * its send inside its RCU read section. So an AH is judged only a grace
 * period after it was put, once its stamps can no longer change: newly
 * dead ones wait on m_dead_ahs for the next synchronize, then join
 * m_settled_ahs. Context: process.
 */
void UdChannel::reap_ahs(bool all)
{
	kern::List<IpAh, &IpAh::m_dead> fresh;
	{
		kern::SpinGuardBh g(m_ah_lock);
		while (IpAh *ah = m_dead_ahs.pop_front())
			fresh.push_back(*ah);
	}
	if (!fresh.empty())
		kern::rcu::synchronize();
	kern::List<IpAh, &IpAh::m_dead> reap;
	{
		kern::SpinGuardBh g(m_ah_lock);
		while (IpAh *ah = fresh.pop_front())
			m_settled_ahs.push_back(*ah);
		u32 tails[kMaxTxQueues];
		for (u32 q = 0; q < kMaxTxQueues; q++)
			tails[q] = txq_tail(q);
		for (auto it = m_settled_ahs.begin(); it != m_settled_ahs.end();) {
			IpAh &ah = *it;
			++it;
			bool reapable = true;
			const u32 used = ah.m_used.load();
			for (u32 q = 0; reapable && q < kMaxTxQueues; q++)
				reapable = !(used & (1u << q)) || ah_reapable(tails[q], ah.m_last_send[q].load());
			if (all || reapable) {
				m_settled_ahs.remove(ah);
				reap.push_back(ah);
			}
		}
	}
	while (IpAh *ah = reap.pop_front()) {
		ah->m_ah.reset(kern::AhSleep::Yes);
		kern::UniquePtr<IpAh> free(ah);
	}
}

void UdChannel::start_reaper() { m_ifc.wq().queue(m_reap_work, kReapAhIntervalMs); }

void UdChannel::reap_task()
{
	reap_ahs(false);
	if (m_ifc.oper_up())
		m_ifc.wq().queue(m_reap_work, kReapAhIntervalMs);
}

/* ---- TX queues ---- */

TxQueue::TxQueue(UdChannel &ch, u16 index, u32 seq) noexcept : m_ch(ch), m_index(index), m_head(seq)
{
	m_tail.store(seq);
	m_out_head = seq;
	m_out_tail.store(seq);
}

TxQueue::~TxQueue()
{
	/* The QP goes before its CQ; the NAPI context is deleted by the channel first. */
	m_qp.reset();
	m_cq.reset();
}

Status TxQueue::create(IbDevice ib, kern::Pd &pd, u32 size, int max_send_sge)
{
	m_size = size;
	m_max_send_sge = max_send_sge;
	m_cq = TRY((kern::Cq::create<TxQueue, &TxQueue::on_cq>(ib, this, static_cast<int>(size), 0)));
	kern::UdQpInit init{};
	init.max_send_wr = size;
	init.max_recv_wr = 0; /* sends only: receives come to the channel's QP */
	init.max_send_sge = static_cast<u32>(max_send_sge);
	init.max_recv_sge = 1;
	m_qp = TRY(kern::UdQp::create(pd, m_cq, m_cq, init));
	m_qpn = m_qp.qp_num();
	m_ring = kern::make_array<TxSlot>(Gfp::Kernel, size);
	if (!m_ring)
		return Error(-kern::err::ENOMEM);
	return kern::ok();
}

Status TxQueue::open(u16 pkey_index, u32 port, u32 qkey)
{
	kern::QpState failed = kern::QpState::Reset;
	Status st = m_qp.init_to_rts(pkey_index, port, qkey, 0, &failed);
	if (st.is_err()) {
		kern_warn("%s: failed to bring send QP %u up (state %u): %d", m_ch.ifc().name(), m_index,
			  static_cast<unsigned>(failed), st.error().code());
		return st;
	}
	m_ch.m_dev.bql_reset(m_index);
	m_bql_unsent.store(0);
	m_napi.enable();
	(void)m_cq.req_notify();
	return kern::ok();
}

void TxQueue::stop(const char *name)
{
	Status st = m_qp.modify_state(kern::QpState::Err);
	if (st.is_err())
		kern_warn("%s: failed to move send QP %u to the error state: %d", name, m_index, st.error().code());
	const u64 deadline = kern::time::deadline_ms(kDrainTimeoutMs);
	while (m_head != tail()) {
		if (poll(-1) > 0)
			continue;
		if (kern::time::passed(deadline)) {
			kern_warn("%s: timed out draining send QP %u (%u sends left)", name, m_index, m_head - tail());
			break;
		}
		kern::time::sleep_ms(1);
	}
	st = m_qp.modify_state(kern::QpState::Reset);
	if (st.is_err())
		kern_warn("%s: failed to reset send QP %u: %d", name, m_index, st.error().code());
	for (u32 t = tail(); t != m_head; t++) {
		TxSlot &slot = m_ring[t & (m_size - 1)];
		if (slot.skb) {
			m_qp.tx_release(slot.skb, slot.map, 0, false);
			slot.skb = Skb();
			m_ch.ifc().count_tx_dropped();
		}
	}
	m_tail.store_release(m_head);
	m_out_tail.store_release(m_out_head);
}

int TxQueue::poll(int budget)
{
	const bool draining = budget < 0;
	const int limit = draining ? static_cast<int>(m_size) : budget;
	u32 tail = m_tail.load(); /* this poll is the only writer */
	Iface &ifc = m_ch.ifc();
	TxqStats &qs = ifc.stats().txq[m_index];
	Cm &cm = ifc.cm();
	u32 done_pkts = 0, done_bytes = 0;
	const int done = poll_cq(m_cq, limit, [&](const kern::Wc &wc) {
		if (cm::wr_is_cm(wc.wr_id())) {
			cm.tx_complete(wc, draining ? 0 : budget);
			return;
		}
		const u32 id = static_cast<u32>(wc.wr_id());
		/* Completions need not come in posting order (multicast may lag): the slot is the wr_id. */
		TxSlot &slot = m_ring[id & (m_size - 1)];
		if (unlikely(!slot.skb)) {
			kern_warn("%s: send completion for empty slot %u on queue %u", ifc.name(), id & (m_size - 1),
				  m_index);
			return;
		}
		const bool sent = wc.ok();
		if (likely(sent)) {
			bump(qs.packets);
			bump(qs.bytes, slot.len);
		} else if (!wc.flushed()) {
			ipoib_dbg("%s: send error %u (vendor 0x%x) on queue %u", ifc.name(), wc.status(), wc.vendor_err(),
				  m_index);
			ifc.count_tx_error();
			/* A UD send error leaves the QP in SQE, flushing every later send: recover it. */
			ifc.wq().queue(m_ch.recover_work());
		}
		done_pkts++;
		done_bytes += slot.len;
		m_qp.tx_release(slot.skb, slot.map, draining ? 0 : budget, sent);
		slot.skb = Skb();
		tail++;
		m_tail.store_release(tail);
		out_completed();
	});

	if (!draining) {
		if (unlikely(m_bql_unsent.load())) {
			const u32 unsent = m_bql_unsent.exchange(0);
			done_pkts += 1; /* the packet count only paces BQL's slack; bytes balance the limit */
			done_bytes += unsent;
		}
		if (done_pkts)
			m_ch.m_dev.bql_completed(m_index, done_pkts, done_bytes);
		maybe_wake();
		if (done < budget && m_napi.complete_done(done)) {
			Result<bool> missed = m_cq.req_notify_report_missed();
			if (missed.is_ok() && missed.value())
				m_napi.schedule();
		}
	}
	return done;
}

void TxQueue::send(Skb &skb, IpAh *ah, u32 qpn)
{
	Iface &ifc = m_ch.ifc();
	const u32 len = skb.len();
	const u32 head = m_head;
	if (unlikely(out_full() || tx_ring_full(head, tail(), m_size))) {
		/* Cannot happen while the queue is stopped at sendq - 1; be safe anyway. */
		m_ch.m_dev.stop_subqueue(m_index);
		ifc.drop_tx(skb);
		return;
	}
	TxSlot &slot = m_ring[head & (m_size - 1)];
	slot.map.bql_bytes = 0;
	/* Filled before posting: the completion can be polled on another CPU before the post returns. */
	slot.skb = skb;
	slot.len = len;
	const u32 qkey = ifc.addr().qkey;
	/* BQL is told inside the post call, right before the post (its completion may come first). */
	constexpr u32 flags = kern::send_flag::Signaled | kern::send_flag::Bql;
	Status st = m_qp.send_skb(skb, head, ah->ref(), qpn, qkey, flags, m_max_send_sge, slot.map);
	if (unlikely(st.is_err()) && st.error().code() == -kern::err::E2BIG) {
		if (skb.linearize().is_ok())
			st = m_qp.send_skb(skb, head, ah->ref(), qpn, qkey, flags, m_max_send_sge, slot.map);
	}
	if (unlikely(st.is_err())) {
		slot.skb = Skb();
		ipoib_dbg("%s: post_send failed on queue %u: %d", ifc.name(), m_index, st.error().code());
		ifc.count_tx_error();
		ifc.drop_tx(skb);
		/* A post that failed after BQL was told: the poll (only it may report completions) evens it out. */
		if (slot.map.bql_bytes) {
			m_bql_unsent.fetch_add(slot.map.bql_bytes);
			m_napi.schedule();
		}
		return;
	}
	m_head = head + 1;
	out_posted();
}

void TxQueue::out_posted() noexcept
{
	m_out_head++;
	if (tx_should_stop(m_out_head, m_out_tail.load_acquire(), m_size)) {
		m_ch.m_dev.stop_subqueue(m_index);
		m_ch.ifc().stats().txq[m_index].stops.fetch_add(1);
		/* Completions may all have arrived before the stop: re-check so the queue is not stuck. */
		maybe_wake();
	}
}

/* m_out_head is the xmit's; read racily here, a stale value only defers the wake to the next completion. */
void TxQueue::maybe_wake() noexcept
{
	Iface &ifc = m_ch.ifc();
	if (m_ch.m_dev.subqueue_stopped(m_index) && ifc.oper_up() && !m_ch.m_paused.load() && (m_index != 0 || ifc.cm().full_conns() == 0) &&
	    tx_should_wake(m_out_head, m_out_tail.load_acquire(), m_size))
		m_ch.m_dev.wake_subqueue(m_index);
}

/* ---- The channel ---- */

Status UdChannel::create(IbDevice ib, u32 allocated_txqs)
{
	m_ib = ib;
	m_caps = kern::query_verbs_caps(ib);
	m_limits = ring_limits(m_caps.max_qp_wr);
	m_tx_size = min_u32(kern::params::send_queue_size(), m_limits.tx_max);
	m_rx_size = min_u32(kern::params::recv_queue_size(), m_limits.rx_max);
	/* Ring indices are masked: keep both powers of two even after the HCA clamp. */
	m_tx_size = floor_pow2(m_tx_size);
	m_rx_size = floor_pow2(m_rx_size);
	m_cm_rx_size = m_rx_size;
	m_max_ntx = tx_queues_max(allocated_txqs, m_caps.max_qp);

	m_pd = TRY(kern::Pd::create(ib));
	m_ifc.cm().probe(ib, m_pd);
	/*
	 * The receive QP and CQ have room for the largest ring -G accepts, so
	 * a resize never replaces the QP whose number peers address. Connected
	 * mode's receives and drains complete here too (Cm::rx_cq_extra, as
	 * in-tree), for rings it sizes once, at these module-parameter sizes.
	 */
	const u32 rx_cqe = m_limits.rx_max + 1 + m_ifc.cm().rx_cq_extra(m_rx_size, m_tx_size);
	m_rx_cq = TRY((kern::Cq::create<UdChannel, &UdChannel::on_rx_cq>(ib, this, static_cast<int>(rx_cqe), 0)));

	kern::UdQpInit init{};
	init.max_send_wr = 1; /* never sends: the TX queues have QPs of their own */
	init.max_recv_wr = m_limits.rx_max;
	init.max_send_sge = 1;
	init.max_recv_sge = 1;
	m_qp = TRY(kern::UdQp::create(m_pd, m_rx_cq, m_rx_cq, init));
	m_qpn = m_qp.qp_num();
	m_max_send_sge = static_cast<int>(min_u32(m_caps.max_send_sge ? m_caps.max_send_sge : 1, kern::kMaxSendSge));

	m_rx_ring = kern::make_array<kern::RxSlot>(Gfp::Kernel, m_rx_size);
	if (!m_rx_ring)
		return Error(-kern::err::ENOMEM);
	return make_txqs(tx_queues_default(kern::online_cpus(), m_max_ntx));
}

/*
 * ntx TX queues at m_tx_size. Queue 0 must come up; past it, a QP the
 * HCA refuses ends the list there (logged), so a device short of QPs
 * still works with fewer queues.
 */
Status UdChannel::make_txqs(u32 ntx)
{
	for (u32 q = 0; q < ntx; q++) {
		kern::UniquePtr<TxQueue> t = kern::make<TxQueue>(Gfp::Kernel, *this, static_cast<u16>(q), m_txq_seq[q]);
		Status st = t ? t->create(m_ib, m_pd, m_tx_size, m_max_send_sge) : Status(Error(-kern::err::ENOMEM));
		if (st.is_err()) {
			if (q == 0)
				return st;
			kern_info("%s: %u TX queues instead of %u: send QP %u: %d", m_ifc.name(), q, ntx, q,
				  st.error().code());
			break;
		}
		m_tx_qpns[q] = t->qpn();
		if (m_dev)
			t->napi().init<TxQueue, &TxQueue::poll>(t.get(), m_dev, kNapiWeight);
		m_txq[q] = t.release();
		m_ntx = q + 1;
	}
	return kern::ok();
}

void UdChannel::free_txqs()
{
	for (u32 q = 0; q < m_ntx; q++) {
		TxQueue *t = m_txq[q];
		m_txq_seq[q] = t->head();
		t->napi().del();
		kern::UniquePtr<TxQueue> free(t);
		m_txq[q] = nullptr;
		m_tx_qpns[q] = 0;
	}
	m_ntx = 0;
}

void UdChannel::destroy()
{
	/* The QPs go before their CQs, the CQs (and the AHs, reaped by the caller) before the PD. */
	free_txqs();
	m_qp.reset();
	m_rx_cq.reset();
	m_pd.reset();
}

/* Weight 64 for all (in-tree receives with 4); GRO batches per poll. */
void UdChannel::init_napi(NetDev dev)
{
	m_dev = dev;
	m_rx_napi.init<UdChannel, &UdChannel::poll_rx>(this, dev, kNapiWeight);
	for (u32 q = 0; q < m_ntx; q++)
		m_txq[q]->napi().init<TxQueue, &TxQueue::poll>(m_txq[q], dev, kNapiWeight);
}

void UdChannel::del_napi()
{
	m_rx_napi.del();
	for (u32 q = 0; q < m_ntx; q++)
		m_txq[q]->napi().del();
}

Status UdChannel::open(u16 pkey_index, u32 port, u32 qkey)
{
	kern::QpState failed = kern::QpState::Reset;
	Status st = m_qp.init_to_rts(pkey_index, port, qkey, 0, &failed);
	if (st.is_err()) {
		kern_warn("%s: failed to bring the UD QP up (state %u): %d", m_ifc.name(), static_cast<unsigned>(failed),
			  st.error().code());
		return st;
	}
	u32 up = 0;
	for (; up < m_ntx; up++) {
		st = m_txq[up]->open(pkey_index, port, qkey);
		if (st.is_err())
			break;
	}
	if (st.is_ok()) {
		m_rx_posted = 0;
		for (u32 i = 0; i < m_rx_size; i++) {
			st = m_qp.rx_refill(m_ifc.netdev(), i, m_ifc.addr().rx_buf_len, m_rx_ring[i]);
			if (st.is_err()) {
				kern_warn("%s: failed to post receive buffer %u: %d", m_ifc.name(), i, st.error().code());
				for (u32 j = 0; j < i; j++)
					m_qp.rx_release(m_rx_ring[j], m_ifc.addr().rx_buf_len);
				m_rx_posted = 0;
				break;
			}
			m_rx_posted++;
		}
	}
	if (st.is_err()) {
		(void)m_qp.modify_state(kern::QpState::Reset);
		for (u32 q = 0; q < up; q++) {
			m_txq[q]->napi().disable();
			m_txq[q]->stop(m_ifc.name());
		}
		return st;
	}

	m_rx_napi.enable();
	(void)m_rx_cq.req_notify();
	return kern::ok();
}

void UdChannel::stop()
{
	m_rx_napi.disable();
	for (u32 q = 0; q < m_ntx; q++)
		m_txq[q]->napi().disable();

	Status st = m_qp.modify_state(kern::QpState::Err);
	if (st.is_err())
		kern_warn("%s: failed to move the QP to the error state: %d", m_ifc.name(), st.error().code());

	/*
	 * Drain from process context: every posted WR now completes, most
	 * as flushed. Successful receives still queued are dropped, not
	 * delivered, since the interface is going down (in-tree does the
	 * same by turning them into flush errors). Queue 0 first: connected
	 * mode's sends complete there, and its receives on the receive CQ.
	 */
	for (u32 q = 0; q < m_ntx; q++)
		m_txq[q]->stop(m_ifc.name());
	const u64 deadline = kern::time::deadline_ms(kDrainTimeoutMs);
	while (m_rx_posted > 0) {
		int n = poll_rx(-1);
		if (n > 0)
			continue;
		if (kern::time::passed(deadline)) {
			kern_warn("%s: timed out draining the QP (%u receives left)", m_ifc.name(), m_rx_posted);
			break;
		}
		kern::time::sleep_ms(1);
	}

	st = m_qp.modify_state(kern::QpState::Reset);
	if (st.is_err())
		kern_warn("%s: failed to reset the QP: %d", m_ifc.name(), st.error().code());

	/* After RESET the HCA owns nothing: release whatever the drain left. */
	for (u32 i = 0; i < m_rx_size; i++)
		m_qp.rx_release(m_rx_ring[i], m_ifc.addr().rx_buf_len);
	m_rx_posted = 0;
}

Status UdChannel::resize(u32 rx, u32 tx, u32 ntx)
{
	if (rx != m_rx_size) {
		kern::UniqueArray<kern::RxSlot> ring = kern::make_array<kern::RxSlot>(Gfp::Kernel, rx);
		if (!ring)
			return Error(-kern::err::ENOMEM);
		m_rx_ring = kern::move(ring);
		m_rx_size = rx;
	}
	const u32 old_tx = m_tx_size, old_ntx = m_ntx;
	free_txqs();
	m_tx_size = tx;
	Status st = make_txqs(ntx);
	if (st.is_err()) {
		free_txqs();
		m_tx_size = old_tx;
		Status back = make_txqs(old_ntx);
		if (back.is_err())
			kern_warn("%s: no TX queue after a failed resize: %d", m_ifc.name(), back.error().code());
		return st;
	}
	return kern::ok();
}

u32 UdChannel::txq_tail(u32 q) const noexcept
{
	return q < m_ntx ? m_txq[q]->tail() : m_txq_seq[q];
}

void UdChannel::stamp(IpAh *ah, u16 txq) noexcept
{
	if (unlikely(txq >= m_ntx))
		return; /* send() drops it */
	ah->m_last_send[txq].store(m_txq[txq]->head());
	const u32 bit = 1u << txq;
	/* Other queues' xmits may stamp the same AH at once (lockless): set the bit atomically, once. */
	if (unlikely(!(ah->m_used.load() & bit)))
		ah->m_used.fetch_or(bit);
}

/* Moves a send QP from SQE back to RTS after a send error (in-tree: qp_state_work). */
void TxQueue::recover()
{
	Result<kern::QpState> st = m_qp.query_state();
	if (st.is_err() || st.value() != kern::QpState::Sqe)
		return;
	Status rc = m_qp.modify_state(kern::QpState::Rts);
	if (rc.is_err())
		kern_warn("%s: failed to recover send QP %u from the send-queue error state: %d", m_ch.ifc().name(),
			  m_index, rc.error().code());
	else
		kern_info("%s: send QP %u recovered from the send-queue error state", m_ch.ifc().name(), m_index);
}

/* On the interface's ordered queue, so never concurrent with a resize (which cancels it first). */
void UdChannel::recover_task()
{
	if (!m_ifc.oper_up())
		return;
	for (u32 q = 0; q < m_ntx; q++)
		m_txq[q]->recover();
}

void UdChannel::on_rx_cq() { m_rx_napi.schedule(); }

/*
 * budget < 0: the drain, from process context, with NAPI disabled: every
 * completion is consumed and none is delivered.
 */
int UdChannel::poll_rx(int budget)
{
	const bool draining = budget < 0;
	const int limit = draining ? static_cast<int>(m_rx_size) : budget;
	const Gid bcast = m_ifc.bcast_mgid();
	LocalPort local;
	local.m_lid = m_ifc.addr().lid;
	local.m_qpn = m_qpn;
	local.m_gid = m_ifc.addr().gid;
	local.m_tx_qpns = m_tx_qpns;
	local.m_ntx = m_ntx;
	const NetDev dev = m_ifc.netdev();
	const u32 buf_len = m_ifc.addr().rx_buf_len;
	Stats &stats = m_ifc.stats();
	const bool rxcsum = (dev.features() & kern::netif_f::kRxCsum) != 0;
	Cm &cm = m_ifc.cm();
	const int done = poll_cq(m_rx_cq, limit, [&](const kern::Wc &wc) {
		const u64 id = wc.wr_id();
		if (cm::wr_is_cm(id)) {
			(void)cm.rx_complete(wc, m_rx_napi, draining);
			return;
		}
		if (unlikely(id >= m_rx_size)) {
			kern_warn("%s: receive completion for unknown slot %llu", m_ifc.name(),
				  static_cast<unsigned long long>(id));
			bump(stats.rx_errors);
			return;
		}
		kern::RxSlot &slot = m_rx_ring[id];
		if (unlikely(!wc.ok() || draining)) {
			if (!wc.ok() && !wc.flushed()) {
				ipoib_dbg("%s: receive error %u (vendor 0x%x) on slot %llu", m_ifc.name(), wc.status(),
					  wc.vendor_err(), static_cast<unsigned long long>(id));
				bump(stats.rx_errors);
				/*
				 * A UD receive error (IB_WC_LOC_LEN_ERR for a packet longer
				 * than the buffer) leaves the QP in RTS: post the buffer
				 * again, or every such packet costs a ring slot for good
				 * and the interface goes deaf (in-tree does). On a QP in
				 * ERR the repost just comes back flushed.
				 */
				if (!draining && m_qp.rx_repost(id, slot, buf_len).is_ok())
					return;
			}
			m_qp.rx_release(slot, buf_len);
			m_rx_posted--;
			return;
		}

		const u32 byte_len = wc.byte_len();
		Skb skb;
		const u8 *data = nullptr;
		if (byte_len <= kGrhLen + kRxCopybreak && byte_len >= kGrhLen + kEncapLen &&
		    m_qp.rx_copy(dev, slot, buf_len, byte_len, skb, data).is_ok()) {
			/* Copied out: the same buffer goes back to the HCA. */
			if (unlikely(m_qp.rx_repost(id, slot, buf_len).is_err())) {
				m_qp.rx_release(slot, buf_len);
				m_rx_posted--;
			}
		} else {
			const kern::RxSlot old = slot;
			/* Replace first: if no new buffer, drop this packet and reuse its buffer. */
			if (unlikely(m_qp.rx_refill(dev, id, buf_len, slot).is_err())) {
				slot = old;
				bump(stats.rx_dropped);
				if (m_qp.rx_repost(id, slot, buf_len).is_err()) {
					m_qp.rx_release(slot, buf_len);
					m_rx_posted--;
				}
				return;
			}
			m_qp.rx_unmap(old, buf_len);
			skb = Skb(old.skb);
			data = static_cast<const u8 *>(old.data);
		}
		if (unlikely(byte_len < kGrhLen + kEncapLen || byte_len > buf_len)) {
			bump(stats.rx_errors);
			skb.free();
			return;
		}
		/* The GRH area is written only when the packet carried one (multicast, routed). */
		const bool has_grh = wc.has_grh();
		Grh grh;
		if (has_grh) {
			Result<Grh> parsed = parse_grh(kern::ByteSpan(data, kGrhLen));
			if (unlikely(parsed.is_err())) {
				bump(stats.rx_errors);
				skb.free();
				return;
			}
			grh = parsed.value();
		}
		if (is_own_echo(static_cast<u16>(wc.slid()), wc.src_qp(), has_grh, grh.m_sgid, local)) {
			skb.free();
			return;
		}
		const u16 proto = kern::load_be16(data + kGrhLen);
		if (unlikely(proto != ethertype::kIpv4 && proto != ethertype::kIpv6 && proto != ethertype::kArp &&
			     proto != ethertype::kRarp)) {
			bump(stats.rx_dropped);
			skb.free();
			return;
		}
		const RxPacketType type = classify_rx(has_grh, grh.m_dgid, bcast);
		const bool csum_ok = rxcsum && wc.ip_csum_ok();
		kern::PacketType pt = type == RxPacketType::Host ? kern::PacketType::Host
				      : type == RxPacketType::Broadcast ? kern::PacketType::Broadcast
									 : kern::PacketType::Multicast;
		Result<u32> bytes = m_rx_napi.deliver_ud(skb, byte_len, pt, csum_ok);
		if (unlikely(bytes.is_err())) {
			bump(stats.rx_errors);
			return;
		}
		bump(stats.rx_packets);
		bump(stats.rx_bytes, bytes.value());
		if (type != RxPacketType::Host)
			bump(stats.multicast);
	});

	if (!draining) {
		bump(m_rx_polls);
		if (done >= budget)
			bump(m_rx_exhausted);
	}
	if (!draining && done < budget && m_rx_napi.complete_done(done)) {
		/* Adaptive moderation samples once per interrupt, before re-arming. */
		m_ifc.rx_moder().on_poll_done(stats.rx_packets.load(), stats.rx_bytes.load());
		Result<bool> missed = m_rx_cq.req_notify_report_missed();
		if (missed.is_ok() && missed.value())
			m_rx_napi.schedule();
	}
	return done;
}

void UdChannel::send(Skb skb, IpAh *ah, u32 qpn, u16 txq)
{
	const u32 len = skb.len();
	/*
	 * A UD message carries at most one IB MTU: the encap header plus the
	 * MTU. Bigger ones (connected mode toward a datagram peer) go back to
	 * the stack as "too big" with the UD MTU, as in-tree.
	 */
	if (unlikely(len > m_ifc.addr().mcast_mtu + kEncapLen)) {
		ipoib_dbg("%s: packet of %u bytes exceeds the UD MTU %u", m_ifc.name(), len, m_ifc.addr().mcast_mtu);
		m_ifc.count_tx_error();
		m_ifc.count_tx_dropped();
		m_ifc.cm().too_big(skb, m_ifc.addr().mcast_mtu);
		return;
	}
	/* Checksums offered in connected mode (Cm::tx_csum) are done here for UD. */
	u32 cstart, coff;
	if (unlikely(skb.csum_partial(cstart, coff)) && skb.checksum_help().is_err()) {
		m_ifc.count_tx_error();
		m_ifc.drop_tx(skb);
		return;
	}
	if (unlikely(txq >= m_ntx || m_paused.load())) {
		/* The core never maps past the real queue count, which never exceeds ours. */
		m_ifc.drop_tx(skb);
		return;
	}
	m_txq[txq]->send(skb, ah, qpn);
}

} // namespace ipoib
