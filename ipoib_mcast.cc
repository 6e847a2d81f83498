// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ipoib_mcast.cc - multicast: the broadcast group (which gates carrier
 * and fixes Q_Key and MTU), the groups of the netdev's multicast list,
 * and send-only groups created on demand by transmit.
 *
 * One task on the interface's ordered workqueue does all joining and
 * leaving, so group state changes are serialised without a mutex:
 *   1. the broadcast group first; nothing else is joined until it is
 *      attached, and carrier comes on only then (RFC 4391 section 5);
 *   2. the multicast list, if ndo_set_rx_mode marked it dirty: join new
 *      groups, leave groups no longer listed, upgrade send-only ones;
 *   3. every group not yet attached: start its join, or finish it when
 *      its callback has reported (attach the QP, make the AH, send what
 *      was queued), or back off after a failure (1 s doubling to 16 s).
 * Join callbacks only record the result under m_lock and requeue the
 * task. Every group but the broadcast one must match the broadcast
 * group's parameters (RFC 4391), so their joins copy them.
 */
#include "ipoib/driver/iface.h"
#include "ipoib/debugfs_fmt.h"
#include "ipoib/mcast_map.h"

namespace ipoib {

namespace {

constexpr u32 kMaxMcastQueue = 64;
constexpr u32 kLogFailures = 20;

u32 ib_mtu_bytes(u8 mtu) { return kern::ib_mtu_to_bytes(mtu); }

/* Entry i of a multicast list copied by NetDev::mc_list (20 bytes each). */
HwAddr mc_entry(kern::Span<u8> list, u32 i)
{
	Result<HwAddr> a = HwAddr::from_span(kern::ByteSpan(list.data() + static_cast<usize>(i) * kHwAddrLen, kHwAddrLen));
	return a.is_ok() ? a.value() : HwAddr();
}

} // namespace

McGroup::McGroup(Multicast *owner, const Gid &mgid, bool sendonly) noexcept
	: m_owner(owner), m_mgid(mgid), m_sendonly(sendonly), m_created(kern::time::now()), m_alive(m_created)
{
	m_join.init<McGroup, &McGroup::on_join>(this);
}

kern::JoinVerdict McGroup::on_join(Status st, const kern::McMember *rec)
{
	/* Port events are handled by the flush; a reset membership is left there. */
	if (st.is_err() && st.error().code() == -kern::err::ENETRESET)
		return kern::JoinVerdict::Keep;
	m_owner->join_reported(*this, st.is_ok() ? 0 : st.error().code(), rec);
	return st.is_ok() ? kern::JoinVerdict::Keep : kern::JoinVerdict::Free;
}

Multicast::Multicast(Iface &ifc) noexcept : m_ifc(ifc)
{
	KERN_LOCK_INIT(m_lock, "ipoib_mcast_lock");
	m_work.init<Multicast, &Multicast::task>(this);
	m_retry.init<Multicast, &Multicast::task>(this);
}

const char *Multicast::name() const noexcept { return m_ifc.name(); }

/* ib_sa join callback context (treated as atomic): record, and let the task finish it. */
void Multicast::join_reported(McGroup &grp, int status, const kern::McMember *rec)
{
	kern::SpinGuardBh g(m_lock);
	Result<JoinState> next = join_next(grp.m_state, JoinEvent::Reported);
	if (next.is_ok())
		grp.m_state = next.value();
	else
		kern_warn("%s: join report for %pI6 in state %s", name(), grp.m_mgid.raw(), join_state_name(grp.m_state));
	grp.m_status = status;
	if (rec)
		grp.m_rec = *rec;
	if (m_run)
		m_ifc.wq().queue(m_work);
}

/* ndo_set_rx_mode (atomic): the list is read by the task. */
void Multicast::rx_mode_changed()
{
	kern::SpinGuardBh g(m_lock);
	m_dirty = true;
	if (m_run)
		m_ifc.wq().queue(m_work);
}

void Multicast::cancel_work()
{
	m_work.cancel_sync();
	m_retry.cancel_sync();
}

void Multicast::start()
{
	kern::SpinGuardBh g(m_lock);
	m_run = true;
	m_dirty = true;
	m_ifc.wq().queue(m_work);
}

/* Leaves and frees one group taken off the list. Context: process. */
void Multicast::leave(McGroup *grp)
{
	/* A join in flight cannot be cancelled through ib_sa's 6.1 API: let it report first. */
	grp->m_join.wait();
	grp->m_attach.reset();
	grp->m_join.leave();
	kern::SkbQueue dropped;
	{
		kern::SpinGuardBh g(m_lock);
		if (grp->m_ah)
			m_ifc.ud().ah_put(grp->m_ah);
		grp->m_ah = nullptr;
		grp->m_pending.splice_into(dropped);
	}
	u32 n = dropped.purge();
	if (n)
		m_ifc.count_tx_dropped(n);
	ipoib_dbg("%s: left multicast group %pI6", name(), grp->m_mgid.raw());
	kern::UniquePtr<McGroup> free(grp);
}

void Multicast::stop()
{
	{
		kern::SpinGuardBh g(m_lock);
		m_run = false;
	}
	m_work.cancel_sync();
	m_retry.cancel_sync();

	kern::List<McGroup, &McGroup::m_node> gone;
	{
		kern::SpinGuardBh g(m_lock);
		while (McGroup *grp = m_groups.pop_front())
			gone.push_back(*grp);
		m_bcast = nullptr;
		m_ifc.set_bcast_tclass(0);
	}
	while (McGroup *grp = gone.pop_front())
		leave(grp);
	/* Callbacks that ran while we waited may have requeued the task. */
	m_work.cancel_sync();
}

namespace {

struct JoinParams {
	kern::McMember rec;
	u64 mask;
};

} // namespace

/*
 * Brings one group forward. Called by the task only (serialised), without
 * m_lock held. Returns Ready once the group is attached.
 */
Multicast::Step Multicast::step(McGroup &grp, bool is_bcast)
{
	bool finish = false;
	bool start = false;
	int status = 0;
	const u64 now = kern::time::now();
	JoinParams jp{};
	{
		kern::SpinGuardBh g(m_lock);
		switch (grp.m_state) {
		case JoinState::Attached:
			return Step::Ready;
		case JoinState::Joining:
			return Step::Pending;
		case JoinState::Reported:
			status = grp.m_status;
			finish = true;
			break;
		case JoinState::BackingOff:
			if (kern::time::after(grp.m_retry_at, now)) {
				u32 ms = kern::time::to_ms(grp.m_retry_at - now);
				m_ifc.wq().queue(m_retry, ms ? ms : 1);
				return Step::Pending;
			}
			break;
		case JoinState::Idle:
			break;
		}
		if (!finish) {
			/* Build the join request. */
			const kern::Gid mgid = to_kern(grp.m_mgid);
			const kern::Gid pgid = to_kern(m_ifc.addr().gid);
			for (usize i = 0; i < 16; i++) {
				jp.rec.mgid[i] = mgid.raw[i];
				jp.rec.port_gid[i] = pgid.raw[i];
			}
			jp.rec.pkey = m_ifc.addr().pkey;
			jp.rec.join_state = grp.m_sendonly ? kern::kJoinSendOnlyFullMember : kern::kJoinFullMember;
			if (is_bcast) {
				jp.mask = kern::kMcMaskBroadcast;
			} else {
				if (!m_bcast || !m_bcast->attached())
					return Step::Pending;
				const kern::McMember &b = m_bcast->m_rec;
				jp.rec.qkey = b.qkey;
				jp.rec.mtu_selector = kern::kSaSelectorEq;
				jp.rec.mtu = b.mtu;
				jp.rec.traffic_class = b.traffic_class;
				jp.rec.rate_selector = kern::kSaSelectorEq;
				jp.rec.rate = b.rate;
				jp.rec.sl = b.sl;
				jp.rec.flow_label = b.flow_label;
				jp.rec.hop_limit = b.hop_limit;
				jp.mask = kern::kMcMaskLikeBroadcast;
			}
			grp.m_state = JoinState::Joining;
			start = true;
		}
	}

	if (start) {
		Status st = grp.m_join.join(m_ifc.ib(), m_ifc.port_num(), jp.rec, jp.mask, Gfp::Kernel);
		if (st.is_ok())
			return Step::Pending;
		status = st.error().code();
	}

	if (finish && status == 0) {
		const kern::McMember rec = grp.m_rec;
		Status st = kern::ok();
		if (is_bcast) {
			/* The Q_Key is the group's; the QP takes it before it is attached. */
			m_ifc.set_qkey(rec.qkey);
			/* Path queries ask for the broadcast group's traffic class, as in-tree. */
			m_ifc.set_bcast_tclass(rec.traffic_class);
			st = m_ifc.ud().set_qkey(rec.qkey);
			if (st.is_err())
				kern_warn("%s: failed to set the Q_Key 0x%x: %d", name(), rec.qkey, st.error().code());
		}
		if (st.is_ok() && !grp.m_sendonly) {
			Result<kern::McastAttach> att = m_ifc.ud().attach(to_kern(grp.m_mgid), rec.mlid);
			if (att.is_ok())
				grp.m_attach = att.release_value();
			else
				st = att.error();
		}
		IpAh *ah = nullptr;
		if (st.is_ok()) {
			Result<IpAh *> w =
				m_ifc.ud().ah_wrap(kern::Ah::create_mcast(m_ifc.ud().pd(), m_ifc.port_num(), rec, kern::AhSleep::Yes));
			if (w.is_ok())
				ah = w.value();
			else
				st = w.error();
		}
		if (st.is_ok()) {
			kern::SkbQueue resend;
			{
				kern::SpinGuardBh g(m_lock);
				grp.m_ah = ah;
				grp.m_state = JoinState::Attached;
				grp.m_backoff_s = 1;
				grp.m_failures = 0;
				grp.m_pending.splice_into(resend);
			}
			ipoib_dbg("%s: joined multicast group %pI6 (MLID 0x%04x)", name(), grp.m_mgid.raw(),
				  rec.mlid);
			m_ifc.requeue_all(resend);
			return Step::Ready;
		}
		/* Joined but unusable: give the membership back and retry like a failed join. */
		grp.m_attach.reset();
		grp.m_join.leave();
		status = st.error().code();
	}

	/* A failure: back off (1 s doubling to 16 s), then the retry timer runs the task. */
	kern::SkbQueue dropped;
	u32 delay_s = 1;
	u32 failures = 0;
	{
		kern::SpinGuardBh g(m_lock);
		grp.m_state = JoinState::BackingOff;
		failures = ++grp.m_failures;
		delay_s = grp.m_backoff_s;
		grp.m_retry_at = kern::time::deadline_ms(delay_s * 1000);
		grp.m_backoff_s = mcast_next_backoff(grp.m_backoff_s);
		/* Send-only: the packets waited long enough after the second failure. */
		if (grp.m_sendonly && failures >= 2)
			grp.m_pending.splice_into(dropped);
	}
	u32 n = dropped.purge();
	if (n)
		m_ifc.count_tx_dropped(n);
	if (failures <= kLogFailures) {
		if (status == -kern::err::ETIMEDOUT || status == -kern::err::EAGAIN ||
		    (grp.m_sendonly && status == -kern::err::EINVAL))
			ipoib_dbg("%s: %s join of %pI6 failed: %d; retrying in %u s", name(),
				  grp.m_sendonly ? "send-only" : "multicast", grp.m_mgid.raw(), status, delay_s);
		else
			kern_warn("%s: %s join of %pI6 failed: %d; retrying in %u s", name(),
				  grp.m_sendonly ? "send-only" : "multicast", grp.m_mgid.raw(), status, delay_s);
	}
	m_ifc.wq().queue(m_retry, delay_s * 1000);
	return Step::Pending;
}

/* Carrier on once the broadcast group is attached; MTU = min(group MTU - 4, admin MTU). */
void Multicast::carrier_on()
{
	const u32 mcast_mtu = ib_mtu_bytes(m_bcast->m_rec.mtu) - kEncapLen;
	/* rtnl is held by ndo_stop while it waits for this task: never block on it. */
	while (!kern::rtnl::trylock()) {
		bool run;
		{
			kern::SpinGuardBh g(m_lock);
			run = m_run;
		}
		if (!run)
			return;
		kern::time::sleep_ms(20);
	}
	m_ifc.set_mcast_mtu(mcast_mtu);
	const u32 mtu = mcast_mtu < m_ifc.addr().admin_mtu ? mcast_mtu : m_ifc.addr().admin_mtu;
	/* In connected mode the MTU is the user's (in-tree: only datagram mode follows the group). */
	if (!m_ifc.cm_mode() && m_ifc.netdev().mtu() != mtu) {
		Status st = m_ifc.netdev().change_mtu(static_cast<int>(mtu));
		if (st.is_err())
			kern_warn("%s: failed to set MTU %u: %d", name(), mtu, st.error().code());
	}
	if (!m_ifc.netdev().carrier_ok()) {
		m_ifc.netdev().carrier_on();
		kern_info("%s: broadcast group joined (MTU %u, Q_Key 0x%x): carrier on", name(),
			  m_ifc.netdev().mtu(), m_ifc.addr().qkey);
	}
	kern::rtnl::unlock();
}

/* sync_list could not finish: the next task run tries again. */
void Multicast::mark_dirty()
{
	kern::SpinGuardBh g(m_lock);
	m_dirty = true;
}

/* Reads the netdev's multicast list and brings the group list in line with it. */
void Multicast::sync_list()
{
	constexpr u32 kInline = 16;
	u8 small[kInline * kHwAddrLen];
	kern::UniqueArray<u8> big;
	kern::Span<u8> buf(small, sizeof(small));
	u32 count;
	/*
	 * Clear the flag before reading the list, not after: a change that
	 * lands between the copy and the scan then marks the list dirty again
	 * (and requeues us) instead of being lost. A lost change left a
	 * group it added unjoined, or only send-only once transmit used it.
	 */
	{
		kern::SpinGuardBh g(m_lock);
		m_dirty = false;
	}
	for (;;) {
		count = m_ifc.netdev().mc_list(buf);
		if (count * kHwAddrLen <= buf.size())
			break;
		big = kern::make_array<u8>(Gfp::Kernel, (count + 8) * kHwAddrLen);
		if (!big) {
			kern_warn("%s: no memory for the multicast list (%u entries)", name(), count);
			mark_dirty();
			return;
		}
		buf = big.span();
	}

	kern::List<McGroup, &McGroup::m_node> gone;
	/* Entries that need a new full-member group: at most count. */
	kern::UniqueArray<bool> add = kern::make_array<bool>(Gfp::Kernel, count ? count : 1);
	if (!add) {
		mark_dirty();
		return;
	}
	/*
	 * umcast: a group ib_sa already has a membership for on this port was
	 * joined by someone else (userspace, through rdma_cm): leave it to
	 * them (in-tree ipoib_mcast_restart_task, ib_sa_get_mcmember_rec).
	 * Asked outside m_lock; the answer is used as in-tree, only for
	 * entries without a full-member group of ours.
	 */
	kern::UniqueArray<bool> user = kern::make_array<bool>(Gfp::Kernel, count ? count : 1);
	if (!user) {
		mark_dirty();
		return;
	}
	const bool umcast = m_ifc.umcast();
	for (u32 i = 0; i < count; i++) {
		const HwAddr addr = mc_entry(buf, i);
		user[i] = umcast && mcast_addr_is_valid(addr, m_ifc.addr().bcast) &&
			  kern::sa_group_cached(m_ifc.ib(), m_ifc.port_num(), to_kern(addr.gid()));
	}
	u32 nadd = 0;
	{
		kern::SpinGuardBh g(m_lock);
		for (McGroup &grp : m_groups)
			grp.m_listed = false;
		for (u32 i = 0; i < count; i++) {
			const HwAddr addr = mc_entry(buf, i);
			add[i] = false;
			if (!mcast_addr_is_valid(addr, m_ifc.addr().bcast))
				continue;
			const Gid mgid = addr.gid();
			if (mgid == m_ifc.bcast_mgid())
				continue;
			bool found = false;
			for (McGroup &grp : m_groups) {
				if (grp.m_mgid == mgid && !grp.m_sendonly) {
					grp.m_listed = true;
					found = true;
				}
			}
			if (!found && user[i]) {
				ipoib_dbg("%s: umcast: ignoring multicast group %pI6 (joined by userspace)", name(),
					  mgid.raw());
				continue;
			}
			if (!found) {
				add[i] = true;
				nadd++;
			}
		}
		/* Leave what is no longer listed; send-only groups being upgraded go too. */
		for (auto it = m_groups.begin(); it != m_groups.end();) {
			McGroup &grp = *it;
			++it;
			if (&grp == m_bcast || grp.m_listed)
				continue;
			bool upgrade = false;
			if (grp.m_sendonly) {
				for (u32 i = 0; i < count && !upgrade; i++) {
					const HwAddr addr = mc_entry(buf, i);
					upgrade = add[i] && addr.gid() == grp.m_mgid;
				}
				if (!upgrade)
					continue;
			}
			m_groups.remove(grp);
			gone.push_back(grp);
		}
	}
	while (McGroup *grp = gone.pop_front())
		leave(grp);

	/*
	 * The new groups are made without m_lock (GFP_KERNEL), and leave()
	 * above may have slept, so transmit may meanwhile have made a
	 * send-only group for one of them. Such a group is replaced here, as
	 * the scan would have done: there is never a send-only and a
	 * full-member group for the same MGID (in-tree does all of this under
	 * one lock).
	 */
	for (u32 i = 0; i < count && nadd; i++) {
		if (!add[i])
			continue;
		const HwAddr addr = mc_entry(buf, i);
		const Gid mgid = addr.gid();
		kern::UniquePtr<McGroup> grp = kern::make<McGroup>(Gfp::Kernel, this, mgid, false);
		if (!grp) {
			kern_warn("%s: no memory for multicast group %pI6", name(), mgid.raw());
			continue;
		}
		kern::SpinGuardBh g(m_lock);
		for (McGroup &other : m_groups) {
			if (other.m_mgid == mgid && other.m_sendonly) {
				m_groups.remove(other);
				gone.push_back(other);
				break;
			}
		}
		m_groups.push_back(*grp.release());
	}
	while (McGroup *grp = gone.pop_front())
		leave(grp);
}

void Multicast::task()
{
	{
		kern::SpinGuardBh g(m_lock);
		if (!m_run)
			return;
	}
	/* Joins are pointless (and fail slowly) while the port is down; PORT_ACTIVE restarts us. */
	Result<kern::PortAttr> attr = m_ifc.ib().query_port(m_ifc.port_num());
	if (attr.is_err() || attr.value().state != kern::PortState::Active)
		return;

	if (!m_bcast) {
		kern::UniquePtr<McGroup> grp = kern::make<McGroup>(Gfp::Kernel, this, m_ifc.bcast_mgid(), false);
		if (!grp) {
			m_ifc.wq().queue(m_retry, 1000);
			return;
		}
		kern::SpinGuardBh g(m_lock);
		m_bcast = grp.get();
		m_groups.push_front(*grp.release());
	}
	if (step(*m_bcast, true) != Step::Ready)
		return;
	if (!m_ifc.netdev().carrier_ok())
		carrier_on();

	bool dirty;
	{
		kern::SpinGuardBh g(m_lock);
		dirty = m_dirty;
	}
	if (dirty)
		sync_list();

	/*
	 * Step every group. Transmit may append send-only groups meanwhile;
	 * only this task removes groups (the GC's reaping runs on the same
	 * ordered workqueue, stop cancels us first), so a group found under
	 * the lock stays valid after it is dropped.
	 */
	for (;;) {
		McGroup *next = nullptr;
		{
			kern::SpinGuardBh g(m_lock);
			if (!m_run)
				return;
			for (McGroup &grp : m_groups) {
				if (join_needs_step(grp.m_state, !kern::time::after(grp.m_retry_at, kern::time::now()))) {
					next = &grp;
					break;
				}
			}
		}
		if (!next)
			break;
		(void)step(*next, false);
	}
}

void Multicast::send(Skb skb, const HwAddr &dest, u16 txq)
{
	HwAddr daddr = dest;
	patch_mcast_pkey(daddr, m_ifc.addr().pkey);
	const Gid mgid = daddr.gid();
	kern::SpinGuard g(m_lock); /* BHs are off in xmit */
	/* Nothing is sent to any group before the broadcast group is in use (RFC 4391 section 5). */
	if (unlikely(!m_run || !m_bcast || !m_bcast->attached())) {
		g.unlock();
		m_ifc.drop_tx(skb);
		return;
	}
	McGroup *found = nullptr;
	for (McGroup &grp : m_groups) {
		if (grp.m_mgid == mgid) {
			found = &grp;
			break;
		}
	}
	if (!found) {
		/* Not a group we are in: join it send-only (JoinState 8) and hold the packet. */
		kern::UniquePtr<McGroup> grp = kern::make<McGroup>(Gfp::Atomic, this, mgid, true);
		if (!grp) {
			g.unlock();
			m_ifc.drop_tx(skb);
			return;
		}
		found = grp.release();
		m_groups.push_back(*found);
		m_ifc.wq().queue(m_work);
	}
	found->m_alive = kern::time::now();
	if (likely(found->attached() && found->m_ah)) {
		IpAh *ah = found->m_ah;
		m_ifc.ud().stamp(ah, txq);
		g.unlock();
		m_ifc.ud().send(skb, ah, kMulticastQpn, txq);
		return;
	}
	if (found->m_pending.size() >= kMaxMcastQueue || skb.push_pseudo_header(daddr.bytes()).is_err()) {
		g.unlock();
		m_ifc.drop_tx(skb);
		return;
	}
	found->m_pending.push_back(skb);
	/* A failed send-only group retries on the next packet once its backoff expired. */
	if (join_wants_kick(found->m_state))
		m_ifc.wq().queue(m_work);
}

void Multicast::reap_idle_sendonly(u64 now, u64 idle)
{
	kern::List<McGroup, &McGroup::m_node> gone;
	{
		kern::SpinGuardBh g(m_lock);
		for (auto it = m_groups.begin(); it != m_groups.end();) {
			McGroup &grp = *it;
			++it;
			if (!grp.m_sendonly || grp.m_state == JoinState::Joining || grp.m_state == JoinState::Reported)
				continue;
			if (!kern::time::after(now, grp.m_alive + idle))
				continue;
			m_groups.remove(grp);
			gone.push_back(grp);
		}
	}
	while (McGroup *grp = gone.pop_front()) {
		ipoib_dbg("%s: reaping idle send-only group %pI6", name(), grp->m_mgid.raw());
		leave(grp);
	}
}

/*
 * debugfs <if>_mcg, as ipoib_mcast_iter_next() walks the rb-tree: sorted
 * by MGID; complete once the group has an AH. Context: process; takes m_lock.
 */
void Multicast::show(BufWriter &w)
{
	kern::SpinGuardBh g(m_lock);
	Gid prev;
	while (McGroup *grp = mcg_next(m_groups, prev, [](const McGroup &x) -> const Gid & { return x.m_mgid; })) {
		McgRecordInfo info;
		info.m_mgid = grp->m_mgid;
		info.m_created = grp->m_created;
		info.m_queuelen = grp->m_pending.size();
		info.m_complete = grp->m_ah != nullptr;
		info.m_send_only = grp->m_sendonly;
		if (!write_mcg_record(w, info))
			return;
		prev = grp->m_mgid;
	}
}

} // namespace ipoib
