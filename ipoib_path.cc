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
 * Everything here is guarded by Resolver::m_lock, except transmit's
 * common case (send_fast), which reads under RCU what the locked code
 * publishes (see driver/path.h); AHs are UdChannel's.
 */
#include "ipoib/debugfs_fmt.h"
#include "ipoib/driver/iface.h"

namespace ipoib {

namespace err = kern::err;

namespace {

constexpr u32 kPathQueryTimeoutMs = 1000;
/*
 * Neighbour hash buckets: roundup_pow2(gc_thresh3) at init, as in-tree, so
 * the load factor stays <= 1 for as many neighbours as the stack keeps (a
 * fixed 1024 cost 5% of the packet rate at 10,000 destinations, make bench
 * "Many destinations"). Clamped: never fewer than the default's 1024, and
 * at most 2^20 (8 MB of buckets) whatever the sysctl says.
 */
constexpr u32 kNeighTableMin = 1024;
constexpr u32 kNeighTableMax = 1u << 20;
constexpr u32 kPathTableSize = 256;

} // namespace

/* ---------------------------------------------------------------------- */
/* Paths and neighbours                                                    */

Resolver::Resolver(Iface &ifc) noexcept : m_ifc(ifc)
{
	KERN_LOCK_INIT(m_lock, "ipoib_resolver_lock");
	m_gc_work.init<Resolver, &Resolver::gc_task>(this);
}

const char *Resolver::name() const noexcept { return m_ifc.name(); }

Status Resolver::init()
{
	u32 n = kern::arp_gc_thresh3();
	n = n < kNeighTableMin ? kNeighTableMin : n > kNeighTableMax ? kNeighTableMax : n;
	TRY(m_neighs.init(Gfp::Kernel, n));
	return m_path_tbl.init(Gfp::Kernel, kPathTableSize);
}

namespace {

u32 neigh_gc_interval_ms()
{
	const u32 ms = kern::arp_gc_interval_ms();
	return ms < kNeighGcMinIntervalMs ? kNeighGcMinIntervalMs : ms;
}

} // namespace

void Resolver::start() { m_ifc.wq().queue(m_gc_work, neigh_gc_interval_ms()); }

void Resolver::stop()
{
	flush_all();
	m_gc_work.cancel_sync();
}

void Resolver::flush()
{
	flush_all();
}

Path::Path(Resolver *owner, const Gid &dgid) noexcept : NeighLink(HwAddr(0, 0, dgid)), m_owner(owner)
{
	m_query.init<Path, &Path::on_path>(this);
}

void Path::on_path(Status st, const kern::PathRecord *rec)
{
	m_owner->path_resolved(*this, kern::move(st), rec);
}

void Resolver::path_resolved(Path &path, Status st, const kern::PathRecord *rec)
{
	IpAh *new_ah = nullptr;
	if (st.is_ok()) {
		/* ib_sa callback context: the AH must be made without sleeping. */
		Result<IpAh *> w = m_ifc.ud().ah_wrap(kern::Ah::create_from_path(m_ifc.ud().pd(), m_ifc.port_num(), *rec, kern::AhSleep::No));
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
			m_ifc.ud().ah_put(new_ah);
		} else {
			/* The old AH is unpublished before it is put: see publish(). */
			IpAh *old = nullptr;
			switch (act.value().m_ah) {
			case AhAction::Install: {
				/*
				 * Connections start from path.m_rec, so a first record
				 * has none to check: skip the walk over every neighbour,
				 * which made resolving 10,000 new paths quadratic.
				 */
				const bool had_record = path.m_rec.resolved();
				old = path.m_ah;
				path.m_ah = new_ah;
				path.m_rec = *rec;
				if (had_record)
					drop_stale_connections(path);
				break;
			}
			case AhAction::Release:
				old = path.m_ah;
				path.m_ah = nullptr;
				m_ifc.ud().ah_put(new_ah);
				break;
			default:
				m_ifc.ud().ah_put(new_ah);
				break;
			}
			publish(path);
			m_ifc.ud().ah_put(old);
		}
	}
	if (dropped)
		m_ifc.count_tx_dropped(dropped);
	m_ifc.requeue_all(resend);
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
Path *Resolver::lookup_or_create(const HwAddr &daddr, bool arp, Neigh **neigh_out)
{
	const u64 now = kern::time::now();
	*neigh_out = nullptr;
	if (!arp) {
		if (Neigh *neigh = m_neighs.lookup(daddr)) {
			neigh->set_alive(now);
			*neigh_out = neigh;
			return neigh->m_path;
		}
	}
	const Gid dgid = daddr.gid();
	Path *path = m_path_tbl.lookup(HwAddr(0, 0, dgid));
	if (!path) {
		kern::UniquePtr<Path> p = kern::make<Path>(Gfp::Atomic, this, dgid);
		if (!p || m_path_tbl.insert(*p).is_err())
			return nullptr;
		path = p.release();
		m_paths.push_back(*path);
	}
	if (!arp) {
		kern::UniquePtr<Neigh> n = kern::make<Neigh>(Gfp::Atomic, daddr, path);
		if (n && m_neighs.insert(*n).is_ok()) {
			n->set_alive(now);
			*neigh_out = n.release();
		}
	}
	return path;
}

/*
 * Parks skb (pseudo header pushed) on an unresolved path and starts its
 * query if the machine says so. Consumes skb. m_lock held via g; drops it.
 */
void Resolver::park_and_query(Path &path, Skb skb, const HwAddr &daddr, kern::SpinGuard &g)
{
	if (skb.push_pseudo_header(daddr.bytes()).is_err()) {
		g.unlock();
		m_ifc.drop_tx(skb);
		return;
	}
	Skb item = skb;
	const SendDecision d = path.m_machine.on_send(kern::move(item));
	const bool taken = d.m_verdict == SendVerdict::Queued;
	u32 dropped = taken ? 0 : 1;
	if (d.m_start_query) {
		/* The broadcast group's traffic class, as in-tree (0 until it is joined). */
		const u8 tclass = m_ifc.bcast_tclass();
		Status st = path.m_query.start(m_ifc.ib(), m_ifc.port_num(), to_kern(path.dgid()), to_kern(m_ifc.addr().gid),
					       m_ifc.addr().pkey, tclass, kPathQueryTimeoutMs, Gfp::Atomic);
		if (st.is_err()) {
			ipoib_dbg("%s: path query for %pI6 failed to start: %d", name(), path.dgid().raw(),
				  st.error().code());
			/* The drain frees skb too if it had been queued. */
			(void)path.m_machine.apply(PathEvent::QueryErr, [&](Skb &&s, QueueAction) {
				s.drop();
				dropped++;
			});
			IpAh *old = path.m_ah;
			path.m_ah = nullptr;
			publish(path);
			m_ifc.ud().ah_put(old);
			if (taken)
				skb = Skb();
		}
	}
	publish(path);
	g.unlock();
	if (!taken)
		skb.drop();
	if (dropped)
		m_ifc.count_tx_dropped(dropped);
}

/*
 * What lockless xmit may use of path: its AH while Resolved, else
 * nothing. Called under m_lock after every change of the path's state or
 * AH, and before the AH it replaces is put: the reaper waits a grace
 * period after the put (UdChannel::reap_ahs), so no reader that could
 * still load the old AH is left by then.
 */
void Resolver::publish(Path &path)
{
	path.m_fast_ah.store_release(path.m_machine.state() == PathState::Resolved ? path.m_ah : nullptr);
}

/*
 * The common case without m_lock, as in-tree's ipoib_neigh_get under
 * RCU: a known neighbour whose path is resolved (datagram), or whose
 * connection is up. The read section lasts until the send is posted: the
 * neighbour, its path and the AH stay valid that long (driver/path.h),
 * and the connection until the reaper's netif tx lock fence. Anything
 * else returns false with skb untouched, for send_locked. Context: xmit.
 */
bool Resolver::send_fast(Skb &skb, const HwAddr &daddr, u16 txq)
{
	kern::RcuReadGuard rcu;
	Neigh *neigh = m_neighs.lookup(daddr);
	if (unlikely(!neigh))
		return false;
	Path *path = neigh->m_path;
	CmTx *tx = neigh->m_cm.load_acquire();
	IpAh *ah = nullptr;
	if (tx) {
		if (unlikely(!tx->m_up.load_acquire()))
			return false; /* connecting: its queue is Cm::m_lock's */
	} else {
		/* Connected mode's first packet to an RC peer makes its connection, under the lock. */
		if (daddr.rc_capable() && m_ifc.cm_mode())
			return false;
		ah = path->m_fast_ah.load_acquire();
		if (unlikely(!ah))
			return false;
	}
	const u64 now = kern::time::now();
	if (neigh->alive() != now)
		neigh->set_alive(now);
	path->m_tx_packets.fetch_add(1);
	path->m_tx_bytes.fetch_add(skb.len());
	if (tx) {
		m_ifc.cm().tx_post(*tx, skb);
		return true;
	}
	m_ifc.ud().stamp(ah, txq);
	m_ifc.ud().send(skb, ah, daddr.qpn(), txq);
	return true;
}

/* Context: xmit (BHs off, TX lock held). Consumes skb. */
void Resolver::send(Skb skb, const HwAddr &daddr, bool arp, u16 txq)
{
	if (likely(!arp) && send_fast(skb, daddr, txq))
		return;
	send_locked(skb, daddr, arp, txq);
}

/* Everything send_fast leaves: new neighbours, unresolved paths, connections to make or being made. */
void Resolver::send_locked(Skb skb, const HwAddr &daddr, bool arp, u16 txq)
{
	kern::SpinGuard g(m_lock);
	Neigh *neigh;
	Path *path = lookup_or_create(daddr, arp, &neigh);
	if (unlikely(!path)) {
		g.unlock();
		m_ifc.drop_tx(skb);
		return;
	}
	if (likely(path->m_machine.state() == PathState::Resolved && path->m_ah)) {
		path->m_tx_packets.fetch_add(1);
		path->m_tx_bytes.fetch_add(skb.len());
		/* Connected mode: an RC-capable peer gets a connection of its own (made on first use). */
		if (CmTx *tx = neigh ? neigh->m_cm.load() : nullptr) {
			m_ifc.cm().tx_send(*tx, skb, daddr, g);
			return;
		}
		if (neigh && daddr.rc_capable() && m_ifc.cm_mode()) {
			/* Set up under Cm::m_lock before lockless xmit can see it. */
			neigh->m_cm.store_release(m_ifc.cm().tx_create(neigh, daddr, path->m_rec, skb));
			return;
		}
		IpAh *ah = path->m_ah;
		m_ifc.ud().stamp(ah, txq);
		g.unlock();
		m_ifc.ud().send(skb, ah, daddr.qpn(), txq);
		return;
	}
	park_and_query(*path, skb, daddr, g);
}

/*
 * A new record for path (a LID change re-resolves it): a connection of
 * one of its neighbours that is still being set up was started from the
 * old record, toward a LID that may be gone, and ib_cm would retry its
 * REQ there for about a minute while every packet waits. It goes; the
 * neighbour stays, and its next packet connects along the new record. (A
 * connected one is left alone: it either still works or fails by
 * itself.) In-tree keeps the stale one. m_lock held.
 */
void Resolver::drop_stale_connections(Path &path)
{
	const u32 dlid = path.m_rec.dlid();
	m_neighs.for_each([&](Neigh &n) {
		CmTx *tx = n.m_cm.load();
		if (n.m_path == &path && tx && m_ifc.cm().tx_kill_if_stale_locked(*tx, dlid))
			n.m_cm.store(nullptr);
	});
}

/*
 * A neighbour goes, already unlinked; its connection dies with it. A
 * lockless xmit may still hold it: freed after a grace period. m_lock held.
 */
void Resolver::free_neigh(Neigh &n)
{
	if (CmTx *tx = n.m_cm.load())
		m_ifc.cm().tx_detach(*tx);
	kern::rcu_free(&n);
}

void Resolver::cm_kill(CmTx &tx, cm::TxEvent ev)
{
	kern::SpinGuardBh g(m_lock);
	Neigh *n = tx.m_neigh;
	if (!m_ifc.cm().tx_kill_locked(tx, ev))
		return;
	if (n) {
		n->m_cm.store(nullptr);
		(void)m_neighs.remove(*n);
		kern::rcu_free(n);
	}
}

/*
 * Removes every neighbour and path; the queries are cancelled and waited
 * for. One critical section for both: an xmit (on another TX queue, or
 * while the flush runs without the tx lock) between the two would make a
 * new neighbour pointing at a path about to be freed. Context: process.
 */
void Resolver::flush_all()
{
	kern::List<Path, &Path::m_node> gone;
	u32 dropped = 0;
	{
		kern::SpinGuardBh g(m_lock);
		m_neighs.flush([&](Neigh &n) { free_neigh(n); });
		while (Path *p = m_paths.pop_front()) {
			Result<PathAction> act = p->m_machine.apply(PathEvent::Flush, [&](Skb &&s, QueueAction) {
				s.drop();
				dropped++;
			});
			if (act.is_ok() && act.value().m_cancel_query)
				p->m_query.cancel();
			IpAh *old = p->m_ah;
			p->m_ah = nullptr;
			publish(*p);
			m_ifc.ud().ah_put(old);
			(void)m_path_tbl.remove(*p);
			gone.push_back(*p);
		}
	}
	if (dropped)
		m_ifc.count_tx_dropped(dropped);
	/* A lockless xmit may still be on a path through a neighbour just unlinked. */
	if (!gone.empty())
		kern::rcu::synchronize();
	while (Path *p = gone.pop_front()) {
		p->m_query.wait();
		kern::UniquePtr<Path> free(p);
	}
}

/* Light flush: every resolved path re-queries on its next send. */
void Resolver::invalidate()
{
	kern::SpinGuardBh g(m_lock);
	for (Path &p : m_paths) {
		(void)p.m_machine.apply(PathEvent::Invalidate, [](Skb &&, QueueAction) {});
		publish(p); /* lockless xmit leaves it to the locked path, which re-queries */
	}
}

void Resolver::gc_task()
{
	const u32 period = neigh_gc_interval_ms();
	const u64 now = kern::time::now();
	const u64 idle = kern::time::from_ms(2 * period);
	usize n;
	{
		kern::SpinGuardBh g(m_lock);
		n = m_neighs.gc(now, idle, [&](Neigh &nb) { free_neigh(nb); });
	}
	if (n)
		ipoib_dbg("%s: reaped %zu idle neighbours", name(), n);
	/* In-tree reaps a send-only group with its idle neighbour; ours have no neighbour, the same idle rule. */
	m_ifc.mcast().reap_idle_sendonly(now, idle);
	if (m_ifc.oper_up())
		m_ifc.wq().queue(m_gc_work, period);
}


void Resolver::show(BufWriter &w)
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
		info.m_tx_packets = p.m_tx_packets.load();
		info.m_tx_bytes = p.m_tx_bytes.load();
		if (!write_path_record(w, info))
			return;
	}
}

} // namespace ipoib
