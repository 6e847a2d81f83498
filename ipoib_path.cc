// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ipoib_path.cc - unicast address resolution (RFC 4391 section 8):
 * address handles, paths and neighbours of one interface.
 *
 * The stack's ARP/ND gives a 20-byte hardware address (QPN + GID). The
 * neighbour table maps it to a path (one per destination GID), whose SA
 * PathRecord gives the address handle. Packets wait on the path (at most
 * 3) while its query is outstanding and are dropped and counted if it
 * fails. Unicast ARP/RARP goes straight to the path, bypassing the
 * neighbour table, since it may be what creates the neighbour.
 * Everything here is guarded by Iface::m_lock.
 */
#include "ipoib/debugfs_fmt.h"
#include "ipoib/driver/iface.h"
#include "ipoib/ring.h"

namespace ipoib {

namespace err = kern::err;

namespace {

constexpr u32 kPathQueryTimeoutMs = 1000;

} // namespace

/* ---------------------------------------------------------------------- */
/* Address handles                                                         */

Result<IpAh *> Iface::ah_wrap(Result<kern::Ah> made)
{
	if (made.is_err())
		return made.error();
	kern::Ah ah = made.release_value();
	kern::UniquePtr<IpAh> ip = kern::make<IpAh>(Gfp::Atomic);
	if (!ip) {
		ah.reset(kern::AhSleep::No);
		return Error(-err::ENOMEM);
	}
	ip->m_ah = kern::move(ah);
	/* Never used for a send yet: reapable as soon as it is put. */
	ip->m_last_send = m_ud.tx_tail() - 1;
	return ip.release();
}

void Iface::ah_put(IpAh *ah) noexcept
{
	if (ah && --ah->m_refs == 0)
		m_dead_ahs.push_back(*ah);
}

/* Destroys dead AHs no posted send still uses (all of them once the QP is drained). */
void Iface::reap_ahs(bool all)
{
	kern::List<IpAh, &IpAh::m_dead> reap;
	{
		kern::SpinGuardBh g(m_lock);
		const u32 tail = m_ud.tx_tail();
		for (auto it = m_dead_ahs.begin(); it != m_dead_ahs.end();) {
			IpAh &ah = *it;
			++it;
			if (all || ah_reapable(tail, ah.m_last_send)) {
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

void Iface::reap_ah_task()
{
	reap_ahs(false);
	if (__atomic_load_n(&m_oper_up, __ATOMIC_RELAXED))
		m_wq.queue(m_reap_ah_work, kReapAhIntervalMs);
}

/* ---------------------------------------------------------------------- */
/* Paths and neighbours                                                    */

Path::Path(Iface *iface, const Gid &dgid) noexcept : NeighLink(HwAddr(0, 0, dgid)), m_iface(iface)
{
	m_query.init<Path, &Path::on_path>(this);
}

void Path::on_path(Status st, const kern::PathRecord *rec)
{
	m_iface->path_resolved(*this, kern::move(st), rec);
}

void Iface::path_resolved(Path &path, Status st, const kern::PathRecord *rec)
{
	IpAh *new_ah = nullptr;
	if (st.is_ok()) {
		/* ib_sa callback context: the AH must be made without sleeping. */
		Result<IpAh *> w = ah_wrap(kern::Ah::create_from_path(m_ud.pd(), m_port, *rec, kern::AhSleep::No));
		if (w.is_ok())
			new_ah = w.value();
		else
			st = w.error();
	}
	if (st.is_ok())
		ipoib_dbg("%s: path %pI6 resolved: DLID 0x%04x SL %u", name(), path.dgid().raw(), rec->dlid(),
			  rec->sl());
	else
		ipoib_dbg("%s: path %pI6 failed: %d", name(), path.dgid().raw(), st.error().code());

	kern::SkbQueue resend;
	u32 dropped = 0;
	{
		kern::SpinGuardBh g(m_lock);
		auto on_item = [&](Skb &&skb, QueueAction qa) {
			if (qa == QueueAction::SendAll) {
				resend.push_back(skb);
			} else {
				skb.drop();
				dropped++;
			}
		};
		Result<PathAction> act = path.m_machine.apply(st.is_ok() ? PathEvent::QueryOk : PathEvent::QueryErr, on_item);
		if (act.is_err()) {
			kern_warn("%s: unexpected path completion in state %u", name(),
				  static_cast<unsigned>(path.m_machine.state()));
			ah_put(new_ah);
		} else {
			switch (act.value().m_ah) {
			case AhAction::Install:
				ah_put(path.m_ah);
				path.m_ah = new_ah;
				path.m_rec = *rec;
				break;
			case AhAction::Release:
				ah_put(path.m_ah);
				path.m_ah = nullptr;
				ah_put(new_ah);
				break;
			default:
				ah_put(new_ah);
				break;
			}
		}
	}
	if (dropped)
		count_tx_dropped(dropped);
	requeue_all(resend);
}

void Iface::requeue_all(kern::SkbQueue &q)
{
	while (Skb skb = q.pop_front()) {
		Result<int> rc = m_dev.queue_xmit(skb);
		if (rc.is_err())
			ipoib_dbg("%s: requeue failed: %d", name(), rc.error().code());
	}
}

/*
 * The path for daddr, through the neighbour unless arp (a unicast ARP may
 * be what creates the neighbour); made on first use. m_lock held.
 */
static Path *lookup_or_create(Iface &ifc, const HwAddr &daddr, bool arp)
{
	const u64 now = kern::time::now();
	if (!arp) {
		if (Neigh *neigh = ifc.m_neighs.lookup(daddr)) {
			neigh->set_alive(now);
			return neigh->m_path;
		}
	}
	const Gid dgid = daddr.gid();
	Path *path = ifc.m_path_tbl.lookup(HwAddr(0, 0, dgid));
	if (!path) {
		kern::UniquePtr<Path> p = kern::make<Path>(Gfp::Atomic, &ifc, dgid);
		if (!p || ifc.m_path_tbl.insert(*p).is_err())
			return nullptr;
		path = p.release();
		ifc.m_paths.push_back(*path);
	}
	if (!arp) {
		kern::UniquePtr<Neigh> n = kern::make<Neigh>(Gfp::Atomic, daddr, path);
		if (n && ifc.m_neighs.insert(*n).is_ok()) {
			n->set_alive(now);
			(void)n.release();
		}
	}
	return path;
}

/*
 * Parks skb (pseudo header pushed) on an unresolved path and starts its
 * query if the machine says so. Consumes skb. m_lock held via g; drops it.
 */
static void park_and_query(Iface &ifc, Path &path, Skb skb, const HwAddr &daddr, kern::SpinGuard &g)
{
	if (skb.push_pseudo_header(daddr.bytes()).is_err()) {
		g.unlock();
		ifc.drop_tx(skb);
		return;
	}
	Skb item = skb;
	const SendDecision d = path.m_machine.on_send(kern::move(item));
	const bool taken = d.m_verdict == SendVerdict::Queued;
	u32 dropped = taken ? 0 : 1;
	if (d.m_start_query) {
		/* The broadcast group's traffic class, as in-tree (0 until it is joined). */
		const u8 tclass = ifc.m_bcast_group ? ifc.m_bcast_group->m_rec.traffic_class : 0;
		Status st = path.m_query.start(ifc.m_ib, ifc.m_port, to_kern(path.dgid()), to_kern(ifc.m_gid),
					       ifc.m_pkey, tclass, kPathQueryTimeoutMs, Gfp::Atomic);
		if (st.is_err()) {
			ipoib_dbg("%s: path query for %pI6 failed to start: %d", ifc.name(), path.dgid().raw(),
				  st.error().code());
			/* The drain frees skb too if it had been queued. */
			(void)path.m_machine.apply(PathEvent::QueryErr, [&](Skb &&s, QueueAction) {
				s.drop();
				dropped++;
			});
			ifc.ah_put(path.m_ah);
			path.m_ah = nullptr;
			if (taken)
				skb = Skb();
		}
	}
	g.unlock();
	if (!taken)
		skb.drop();
	if (dropped)
		ifc.count_tx_dropped(dropped);
}

/* Context: xmit (BHs off, TX lock held). Consumes skb. */
void Iface::unicast_send(Skb skb, const HwAddr &daddr, bool arp)
{
	kern::SpinGuard g(m_lock);
	Path *path = lookup_or_create(*this, daddr, arp);
	if (unlikely(!path)) {
		g.unlock();
		drop_tx(skb);
		return;
	}
	if (likely(path->m_machine.state() == PathState::Resolved && path->m_ah)) {
		IpAh *ah = path->m_ah;
		ah->m_last_send = m_ud.tx_head();
		g.unlock();
		m_ud.send(skb, ah, daddr.qpn());
		return;
	}
	park_and_query(*this, *path, skb, daddr, g);
}

void Iface::flush_neighs()
{
	kern::SpinGuardBh g(m_lock);
	m_neighs.flush([](Neigh &n) { kern::UniquePtr<Neigh> free(&n); });
}

/* Removes every path; their queries are cancelled and waited for. Context: process. */
void Iface::flush_paths()
{
	kern::List<Path, &Path::m_node> gone;
	u32 dropped = 0;
	{
		kern::SpinGuardBh g(m_lock);
		while (Path *p = m_paths.pop_front()) {
			Result<PathAction> act = p->m_machine.apply(PathEvent::Flush, [&](Skb &&s, QueueAction) {
				s.drop();
				dropped++;
			});
			if (act.is_ok() && act.value().m_cancel_query)
				p->m_query.cancel();
			ah_put(p->m_ah);
			p->m_ah = nullptr;
			(void)m_path_tbl.remove(*p);
			gone.push_back(*p);
		}
	}
	if (dropped)
		count_tx_dropped(dropped);
	while (Path *p = gone.pop_front()) {
		p->m_query.wait();
		kern::UniquePtr<Path> free(p);
	}
}

/* Light flush: every resolved path re-queries on its next send. */
void Iface::invalidate_paths()
{
	kern::SpinGuardBh g(m_lock);
	for (Path &p : m_paths)
		(void)p.m_machine.apply(PathEvent::Invalidate, [](Skb &&, QueueAction) {});
}

void Iface::neigh_gc_task()
{
	const u64 now = kern::time::now();
	const u64 idle = kern::time::from_ms(2 * kNeighGcIntervalMs);
	usize n;
	{
		kern::SpinGuardBh g(m_lock);
		n = m_neighs.gc(now, idle, [](Neigh &nb) { kern::UniquePtr<Neigh> free(&nb); });
	}
	if (n)
		ipoib_dbg("%s: reaped %zu idle neighbours", name(), n);
	if (__atomic_load_n(&m_oper_up, __ATOMIC_RELAXED))
		m_wq.queue(m_neigh_gc_work, kNeighGcIntervalMs);
}


void Iface::show_paths(BufWriter &w)
{
	kern::SpinGuardBh g(m_lock);
	for (Path &p : m_paths) {
		PathRecordInfo info;
		info.m_dgid = p.dgid();
		if (p.m_rec.resolved()) {
			info.m_dlid = p.m_rec.dlid();
			info.m_sl = p.m_rec.sl();
			info.m_rate = p.m_rec.rate();
		}
		if (!write_path_record(w, info))
			return;
	}
}

} // namespace ipoib
