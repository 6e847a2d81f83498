// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ipoib_ud.cc - the datagram (UD) datapath: QP and CQs, the receive ring
 * under NAPI, transmit with scatter-gather and ring flow control, and the
 * drain on stop.
 *
 * Rings. The receive ring has recv_queue_size slots, each one linear skb
 * of IB MTU + 40 (GRH) bytes posted with wr_id = slot index. The transmit
 * ring has send_queue_size slots indexed by a free-running head (xmit,
 * under the netif TX lock) and tail (send NAPI); every send is signaled
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
	kern::Wc wcs[kWcBatch];
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
	ip->m_last_send.store(tx_tail() - 1);
	return ip.release();
}

void UdChannel::ah_put(IpAh *ah) noexcept
{
	if (!ah || --ah->m_refs != 0)
		return;
	kern::SpinGuardBh g(m_ah_lock);
	m_dead_ahs.push_back(*ah);
}

void UdChannel::reap_ahs(bool all)
{
	kern::List<IpAh, &IpAh::m_dead> reap;
	{
		kern::SpinGuardBh g(m_ah_lock);
		const u32 tail = tx_tail();
		for (auto it = m_dead_ahs.begin(); it != m_dead_ahs.end();) {
			IpAh &ah = *it;
			++it;
			if (all || ah_reapable(tail, ah.m_last_send.load())) {
				m_dead_ahs.remove(ah);
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

Status UdChannel::create(IbDevice ib)
{
	m_caps = kern::query_verbs_caps(ib);
	u32 max_wr = m_caps.max_qp_wr ? m_caps.max_qp_wr : kMaxQueueSize;
	m_tx_size = min_u32(kern::params::send_queue_size(), max_wr);
	m_rx_size = min_u32(kern::params::recv_queue_size(), max_wr);
	/* Ring indices are masked: keep both powers of two even after the HCA clamp. */
	while (m_tx_size & (m_tx_size - 1))
		m_tx_size &= m_tx_size - 1;
	while (m_rx_size & (m_rx_size - 1))
		m_rx_size &= m_rx_size - 1;

	m_pd = TRY(kern::Pd::create(ib));
	m_ifc.cm().probe(ib, m_pd);
	/* Connected mode's receives and drains complete here too (Cm::rx_cq_extra, as in-tree). */
	const u32 rx_cqe = m_rx_size + 1 + m_ifc.cm().rx_cq_extra(m_rx_size, m_tx_size);
	m_rx_cq = TRY((kern::Cq::create<UdChannel, &UdChannel::on_rx_cq>(ib, this, static_cast<int>(rx_cqe), 0)));
	m_tx_cq = TRY((kern::Cq::create<UdChannel, &UdChannel::on_tx_cq>(ib, this, static_cast<int>(m_tx_size), 0)));

	kern::UdQpInit init{};
	init.max_send_wr = m_tx_size;
	init.max_recv_wr = m_rx_size;
	init.max_send_sge = min_u32(m_caps.max_send_sge ? m_caps.max_send_sge : 1, kern::kMaxSendSge);
	init.max_recv_sge = 1;
	init.create_flags = m_caps.block_mcast_loopback ? kern::qp_create::BlockMcastLoopback : 0;
	m_qp = TRY(kern::UdQp::create(m_pd, m_tx_cq, m_rx_cq, init));
	m_max_send_sge = static_cast<int>(init.max_send_sge);
	m_qpn = m_qp.qp_num();

	m_rx_ring = kern::make_array<kern::RxSlot>(Gfp::Kernel, m_rx_size);
	m_tx_ring = kern::make_array<TxSlot>(Gfp::Kernel, m_tx_size);
	if (!m_rx_ring || !m_tx_ring)
		return Error(-kern::err::ENOMEM);
	return kern::ok();
}

void UdChannel::destroy()
{
	/* The QP goes before its CQs, the CQs (and the AHs, reaped by the caller) before the PD. */
	m_qp.reset();
	m_tx_cq.reset();
	m_rx_cq.reset();
	m_pd.reset();
}

/* Weight 64 for both (in-tree receives with 4); GRO batches per poll. */
void UdChannel::init_napi(NetDev dev)
{
	m_rx_napi.init<UdChannel, &UdChannel::poll_rx>(this, dev, kNapiWeight);
	m_tx_napi.init<UdChannel, &UdChannel::poll_tx>(this, dev, kNapiWeight);
}

void UdChannel::del_napi()
{
	m_rx_napi.del();
	m_tx_napi.del();
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

	m_tx_head = 0;
	m_tx_tail.store_release(0);
	m_out_head = 0;
	m_out_tail.store_release(0);
	m_rx_posted = 0;
	for (u32 i = 0; i < m_rx_size; i++) {
		st = m_qp.rx_refill(m_ifc.netdev(), i, m_ifc.addr().rx_buf_len, m_rx_ring[i]);
		if (st.is_err()) {
			kern_warn("%s: failed to post receive buffer %u: %d", m_ifc.name(), i, st.error().code());
			(void)m_qp.modify_state(kern::QpState::Reset);
			for (u32 j = 0; j < i; j++)
				m_qp.rx_release(m_rx_ring[j], m_ifc.addr().rx_buf_len);
			return st;
		}
		m_rx_posted++;
	}

	m_rx_napi.enable();
	m_tx_napi.enable();
	(void)m_rx_cq.req_notify();
	(void)m_tx_cq.req_notify();
	return kern::ok();
}

void UdChannel::stop()
{
	m_rx_napi.disable();
	m_tx_napi.disable();

	Status st = m_qp.modify_state(kern::QpState::Err);
	if (st.is_err())
		kern_warn("%s: failed to move the QP to the error state: %d", m_ifc.name(), st.error().code());

	/*
	 * Drain from process context: every posted WR now completes, most
	 * as flushed. Successful receives still queued are dropped, not
	 * delivered, since the interface is going down (in-tree does the
	 * same by turning them into flush errors).
	 */
	const u64 deadline = kern::time::deadline_ms(kDrainTimeoutMs);
	while (m_rx_posted > 0 || tx_head() != tx_tail()) {
		int n = poll_rx(-1) + poll_tx(-1);
		if (n > 0)
			continue;
		if (kern::time::passed(deadline)) {
			kern_warn("%s: timed out draining the QP (%u receives, %u sends left)", m_ifc.name(), m_rx_posted,
				  tx_head() - tx_tail());
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
	for (u32 t = tx_tail(); t != tx_head(); t++) {
		TxSlot &slot = m_tx_ring[t & (m_tx_size - 1)];
		if (slot.skb) {
			m_qp.tx_release(slot.skb, slot.map, 0, false);
			slot.skb = Skb();
			m_ifc.count_tx_dropped();
		}
	}
	m_tx_tail.store_release(m_tx_head);
	m_out_tail.store_release(m_out_head);
}

/* Moves the QP from SQE back to RTS after a send error (in-tree: qp_state_work). */
void UdChannel::recover_task()
{
	if (!m_ifc.oper_up())
		return;
	Result<kern::QpState> st = m_qp.query_state();
	if (st.is_err() || st.value() != kern::QpState::Sqe)
		return;
	Status rc = m_qp.modify_state(kern::QpState::Rts);
	if (rc.is_err())
		kern_warn("%s: failed to recover the QP from the send-queue error state: %d", m_ifc.name(), rc.error().code());
	else
		kern_info("%s: QP recovered from the send-queue error state", m_ifc.name());
}

void UdChannel::on_rx_cq() { m_rx_napi.schedule(); }

void UdChannel::on_tx_cq() { m_tx_napi.schedule(); }

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
			}
			m_qp.rx_release(slot, buf_len);
			m_rx_posted--;
			return;
		}

		const u32 byte_len = wc.byte_len();
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

		Skb skb(old.skb);
		const u8 *data = static_cast<const u8 *>(old.data);
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

	if (!draining && done < budget && m_rx_napi.complete_done(done)) {
		/* Adaptive moderation samples once per interrupt, before re-arming. */
		m_ifc.rx_moder().on_poll_done(stats.rx_packets.load(), stats.rx_bytes.load());
		Result<bool> missed = m_rx_cq.req_notify_report_missed();
		if (missed.is_ok() && missed.value())
			m_rx_napi.schedule();
	}
	return done;
}

int UdChannel::poll_tx(int budget)
{
	const bool draining = budget < 0;
	const int limit = draining ? static_cast<int>(m_tx_size) : budget;
	u32 tail = m_tx_tail.load(); /* this poll is the only writer */
	Cm &cm = m_ifc.cm();
	const int done = poll_cq(m_tx_cq, limit, [&](const kern::Wc &wc) {
		if (cm::wr_is_cm(wc.wr_id())) {
			cm.tx_complete(wc, draining ? 0 : budget);
			return;
		}
		const u32 id = static_cast<u32>(wc.wr_id());
		/* Completions need not come in posting order (multicast may lag): the slot is the wr_id. */
		TxSlot &slot = m_tx_ring[id & (m_tx_size - 1)];
		if (unlikely(!slot.skb)) {
			kern_warn("%s: send completion for empty slot %u", m_ifc.name(), id & (m_tx_size - 1));
			return;
		}
		const bool sent = wc.ok();
		if (likely(sent)) {
			bump(m_ifc.stats().tx_packets);
			bump(m_ifc.stats().tx_bytes, slot.len);
		} else if (!wc.flushed()) {
			ipoib_dbg("%s: send error %u (vendor 0x%x)", m_ifc.name(), wc.status(), wc.vendor_err());
			m_ifc.count_tx_error();
			/* A UD send error leaves the QP in SQE, flushing every later send: recover it. */
			m_ifc.wq().queue(m_recover_work);
		}
		m_qp.tx_release(slot.skb, slot.map, draining ? 0 : budget, sent);
		slot.skb = Skb();
		tail++;
		m_tx_tail.store_release(tail);
		out_completed();
	});

	if (!draining) {
		maybe_wake();
		if (done < budget && m_tx_napi.complete_done(done)) {
			Result<bool> missed = m_tx_cq.req_notify_report_missed();
			if (missed.is_ok() && missed.value())
				m_tx_napi.schedule();
		}
	}
	return done;
}

void UdChannel::send(Skb skb, IpAh *ah, u32 qpn)
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
	const u32 head = m_tx_head;
	if (unlikely(out_full() || tx_ring_full(head, tx_tail(), m_tx_size))) {
		/* Cannot happen while the queue is stopped at sendq - 1; be safe anyway. */
		m_ifc.netdev().stop_queue();
		m_ifc.drop_tx(skb);
		return;
	}
	TxSlot &slot = m_tx_ring[head & (m_tx_size - 1)];
	/* Filled before posting: the completion can be polled on another CPU before the post returns. */
	slot.skb = skb;
	slot.len = len;
	Status st = m_qp.send_skb(skb, head, ah->ref(), qpn, m_ifc.addr().qkey, kern::send_flag::Signaled, m_max_send_sge,
				  slot.map);
	if (unlikely(st.is_err()) && st.error().code() == -kern::err::E2BIG) {
		if (skb.linearize().is_ok())
			st = m_qp.send_skb(skb, head, ah->ref(), qpn, m_ifc.addr().qkey, kern::send_flag::Signaled,
					   m_max_send_sge, slot.map);
	}
	if (unlikely(st.is_err())) {
		slot.skb = Skb();
		ipoib_dbg("%s: post_send failed: %d", m_ifc.name(), st.error().code());
		m_ifc.count_tx_error();
		m_ifc.drop_tx(skb);
		return;
	}
	m_tx_head = head + 1;
	out_posted();
}

void UdChannel::out_posted() noexcept
{
	m_out_head++;
	if (tx_should_stop(m_out_head, m_out_tail.load_acquire(), m_tx_size)) {
		m_ifc.netdev().stop_queue();
		/* Completions may all have arrived before the stop: re-check so the queue is not stuck. */
		maybe_wake();
	}
}

/* m_out_head is the xmit's; read racily here, a stale value only defers the wake to the next completion. */
void UdChannel::maybe_wake() noexcept
{
	if (m_ifc.netdev().queue_stopped() && m_ifc.oper_up() && m_ifc.cm().full_conns() == 0 &&
	    tx_should_wake(m_out_head, m_out_tail.load_acquire(), m_tx_size))
		m_ifc.netdev().wake_queue();
}

} // namespace ipoib
