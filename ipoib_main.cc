// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ipoib_main.cc - module lifetime, the InfiniBand client, one interface
 * per port with its net_device operations, port-event flushes, and the
 * unicast address resolution (paths, neighbours, address handles).
 *
 * Ownership:
 *   Module (g_module) --owns--> flush WorkQueue, SA client, IB client
 *   ib_core client data --owns--> Device --owns--> Port[] --owns--> Iface
 *   Iface --owns--> net_device, QP/CQs/PD, rings, paths, neighbours, groups
 * A Device is destroyed in ib_remove_one() after its event handler is
 * unregistered and its ports' event work is cancelled; each Iface is then
 * unregistered (closing it if up, even under traffic) and freed.
 *
 * Unicast transmit (RFC 4391 section 8 address resolution): the stack's
 * ARP/ND gives a 20-byte hardware address (QPN + GID). The neighbour
 * table maps it to a path (one per destination GID), whose SA PathRecord
 * gives the address handle. Packets wait on the path (at most 3) while
 * its query is outstanding and are dropped and counted if it fails.
 * Unicast ARP/RARP goes straight to the path, bypassing the neighbour
 * table, since it may be what creates the neighbour.
 */
#include "ipoib/debugfs_fmt.h"
#include "ipoib/driver.h"
#include "ipoib/mcast_map.h"
#include "ipoib/params.h"
#include "ipoib/ring.h"
#include "kapi/module.h"

namespace ipoib {

namespace err = kern::err;

namespace {

constexpr u32 kPathQueryTimeoutMs = 1000;
constexpr u32 kReapAhIntervalMs = 1000;
/* arp_tbl defaults: gc_interval 30 s; idle neighbours go after 2 x gc_interval; gc_thresh3 1024. */
constexpr u32 kNeighGcIntervalMs = 30000;
constexpr u32 kNeighTableSize = 1024;
constexpr u32 kPathTableSize = 256;
constexpr u32 kMinMtu = 68;
constexpr int kNapiWeight = 64;
constexpr u32 kMaxCmMtu = 65520; /* the netdev's max_mtu, as in-tree; UD rejects more than IB MTU - 4 */

class Device;

/* One InfiniBand port bound by the driver. */
class Port : kern::NonCopyable {
public:
	Port() = default;

	void init(Device *dev, u32 num)
	{
		m_dev = dev;
		m_num = num;
		m_event_work.init<Port, &Port::handle_event>(this);
	}

	u32 num() const { return m_num; }

	/* Context: atomic (ib_core event dispatch). */
	void on_event(kern::IbEvent event);
	/* Context: process. Logs what the port looks like now. */
	Status describe(const char *why);
	/* Context: process; sleeps until a running event work item finished. */
	void quiesce() { m_event_work.cancel_sync(); }

	kern::UniquePtr<Iface> m_iface;

private:
	void handle_event();

	Device *m_dev = nullptr;
	u32 m_num = 0;
	/* Events since the work last ran, one bit per kern::IbEvent value. */
	u32 m_pending = 0;
	kern::Work m_event_work;
};

/* One IB device: the ports bound on it and its event handler. */
class Device : kern::NonCopyable {
public:
	explicit Device(IbDevice ib) : m_ib(ib) {}

	static Result<Device *> create(IbDevice ib);
	void destroy();
	void destroy_ports_only();

	IbDevice ib() const { return m_ib; }
	Port *port(u32 num);

private:
	IbDevice m_ib;
	kern::UniqueArray<Port> m_ports;
	u32 m_nports = 0;
	kern::IbEventRegistration m_events;
};

/* Module-wide state; constructed in module init, destroyed in exit. */
class Module : kern::NonCopyable {
public:
	Status start();

	kern::WorkQueue &wq() { return m_wq; }
	const kern::DebugfsDir &debugfs() const { return m_debugfs; }

	static Result<void *> ib_add_one(IbDevice ib);
	static void ib_remove_one(IbDevice ib, void *ctx);
	static void ib_event(void *ctx, kern::IbEvent event, u32 port);

private:
	/* Destroyed in reverse: the IB client (all devices) first, then SA, then the workqueue. */
	kern::WorkQueue m_wq;
	kern::DebugfsDir m_debugfs;
	kern::SaClientRegistration m_sa;
	kern::NetdevNotifierRegistration m_notifier;
	kern::IbClientRegistration m_client;
};

Module *g_module;

/* Port events to flush levels (reference b10); SM_CHANGE as older kernels and FreeBSD: light. */
bool event_flush_level(kern::IbEvent ev, FlushLevel &level)
{
	switch (ev) {
	case kern::IbEvent::ClientReregister:
	case kern::IbEvent::GidChange:
	case kern::IbEvent::SmChange:
		level = FlushLevel::Light;
		return true;
	case kern::IbEvent::PortErr:
	case kern::IbEvent::PortActive:
	case kern::IbEvent::LidChange:
		level = FlushLevel::Normal;
		return true;
	case kern::IbEvent::PkeyChange:
		level = FlushLevel::Heavy;
		return true;
	}
	return false;
}

void Port::on_event(kern::IbEvent event)
{
	__atomic_fetch_or(&m_pending, 1u << static_cast<u32>(event), __ATOMIC_RELAXED);
	g_module->wq().queue(m_event_work);
}

void Port::handle_event()
{
	u32 pending = __atomic_exchange_n(&m_pending, 0, __ATOMIC_RELAXED);
	bool have = false;
	FlushLevel level = FlushLevel::Light;
	for (u32 bit = 0; bit < 32; bit++) {
		if (!(pending & (1u << bit)))
			continue;
		kern::IbEvent event = static_cast<kern::IbEvent>(bit);
		Status st = describe(kern::to_string(event));
		if (st.is_err())
			kern_warn("%s port %u: query after %s failed: %d", m_dev->ib().name(), m_num,
				  kern::to_string(event), st.error().code());
		FlushLevel l;
		if (event_flush_level(event, l) && (!have || l > level)) {
			level = l;
			have = true;
		}
	}
	if (have && m_iface)
		m_iface->flush(level);
}

Status Port::describe(const char *why)
{
	IbDevice ib = m_dev->ib();
	kern::PortAttr attr = TRY(ib.query_port(m_num));
	kern::Gid gid = TRY(ib.query_gid(m_num, 0));
	u16 pkey = TRY(ib.query_pkey(m_num, 0));
	kern_info("%s port %u: %s: state %s, LID 0x%x, SM LID 0x%x, MTU %u, P_Key 0x%04x, GID %pI6c",
		  ib.name(), m_num, why, kern::to_string(attr.state), attr.lid, attr.sm_lid,
		  kern::ib_mtu_to_bytes(attr.active_mtu), pkey | 0x8000u, gid.raw);
	return kern::ok();
}

Result<Device *> Device::create(IbDevice ib)
{
	u32 nports = ib.port_count();
	u32 nib = 0;
	for (u32 p = 1; p <= nports; p++)
		nib += ib.port_is_ib(p) ? 1 : 0;
	if (nib == 0) {
		kern_info("%s: no InfiniBand link-layer port, not binding", ib.name());
		return Error(-err::EOPNOTSUPP);
	}

	kern::UniquePtr<Device> dev = kern::make<Device>(Gfp::Kernel, ib);
	if (!dev)
		return Error(-err::ENOMEM);
	dev->m_ports = kern::make_array<Port>(Gfp::Kernel, nports);
	if (!dev->m_ports)
		return Error(-err::ENOMEM);
	dev->m_nports = nports;

	u32 bound = 0;
	for (u32 p = 1; p <= nports; p++) {
		if (!ib.port_is_ib(p)) {
			kern_info("%s port %u: link layer is not InfiniBand, skipped", ib.name(), p);
			continue;
		}
		Port &port = dev->m_ports[p - 1];
		port.init(dev.get(), p);
		Status st = port.describe("InfiniBand port found");
		if (st.is_err()) {
			kern_err("%s port %u: query failed: %d", ib.name(), p, st.error().code());
			continue;
		}
		Result<kern::UniquePtr<Iface>> ifc = Iface::create(ib, p);
		if (ifc.is_err()) {
			kern_err("%s port %u: failed to create the IPoIB interface: %d", ib.name(), p,
				 ifc.error().code());
			continue;
		}
		port.m_iface = ifc.release_value();
		bound++;
	}
	if (!bound) {
		dev->destroy_ports_only();
		return Error(-err::ENODEV);
	}
	/* Last: once registered, events may run against the ports. */
	Status st = dev->m_events.register_handler(ib, dev.get());
	if (st.is_err()) {
		dev->destroy_ports_only();
		return st.error();
	}
	return dev.release();
}

Port *Device::port(u32 num)
{
	if (num < 1 || num > m_nports || m_ports[num - 1].num() != num)
		return nullptr;
	return &m_ports[num - 1];
}

void Device::destroy_ports_only()
{
	for (u32 p = 1; p <= m_nports; p++) {
		Port *port = this->port(p);
		if (!port)
			continue;
		port->quiesce();
		if (port->m_iface) {
			port->m_iface->destroy();
			port->m_iface.reset();
		}
	}
}

void Device::destroy()
{
	/* Mirror of create(): no new events, then no running work, then the interfaces. */
	m_events.reset();
	destroy_ports_only();
	kern_info("%s: unbound", m_ib.name());
	kern::UniquePtr<Device> self(this);
}

Result<void *> Module::ib_add_one(IbDevice ib)
{
	Device *dev = TRY(Device::create(ib));
	return static_cast<void *>(dev);
}

void Module::ib_remove_one(IbDevice, void *ctx)
{
	static_cast<Device *>(ctx)->destroy();
}

void Module::ib_event(void *ctx, kern::IbEvent event, u32 port)
{
	Device *dev = static_cast<Device *>(ctx);
	ipoib_dbg("%s port %u: event %s", dev->ib().name(), port, kern::to_string(event));
	if (Port *p = dev->port(port))
		p->on_event(event);
}

/* Validates the parameters, writing the effective values back for sysfs. */
void apply_params(struct kapi_params &params)
{
	QueueSize sq = clamp_send_queue_size(params.send_queue_size);
	if (sq.adjusted)
		kern_warn("send_queue_size=%d is not a power of 2 in [%u, %u]; using %u",
			  params.send_queue_size, kMinSendQueueSize, kMaxQueueSize, sq.value);
	params.send_queue_size = static_cast<int>(sq.value);

	QueueSize rq = clamp_recv_queue_size(params.recv_queue_size);
	if (rq.adjusted)
		kern_warn("recv_queue_size=%d is not a power of 2 in [%u, %u]; using %u",
			  params.recv_queue_size, kMinQueueSize, kMaxQueueSize, rq.value);
	params.recv_queue_size = static_cast<int>(rq.value);
}

Status Module::start()
{
	if (!m_wq.create_ordered("ipoib_flush"))
		return Error(-err::ENOMEM);
	Result<kern::DebugfsDir> dir = kern::DebugfsDir::create("ipoib");
	if (dir.is_ok())
		m_debugfs = dir.release_value();
	else
		kern_info("debugfs unavailable (%d): no ipoib/<if>_path files", dir.error().code());
	m_sa.register_client();
	/* Before the client: the notifier creates each interface's debugfs files. */
	TRY(m_notifier.register_notifier());
	/* Must be last: devices are added (and may raise events) from here on. */
	return m_client.register_client();
}

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
	ip->m_last_send = tx_tail() - 1;
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
		const u32 tail = tx_tail();
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

void Path::on_path(Status st, const kern::Path *rec)
{
	m_iface->path_resolved(*this, kern::move(st), rec);
}

void Iface::path_resolved(Path &path, Status st, const kern::Path *rec)
{
	IpAh *new_ah = nullptr;
	if (st.is_ok()) {
		/* ib_sa callback context: the AH must be made without sleeping. */
		Result<IpAh *> w = ah_wrap(kern::Ah::create_from_path(m_pd, m_port, *rec, kern::AhSleep::No));
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
		Result<PathAction> act = path.m_sm.apply(st.is_ok() ? PathEvent::QueryOk : PathEvent::QueryErr, on_item);
		if (act.is_err()) {
			kern_warn("%s: unexpected path completion in state %u", name(),
				  static_cast<unsigned>(path.m_sm.state()));
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

/* Context: xmit (BHs off, TX lock held). Consumes skb. */
void Iface::unicast_send(Skb skb, const HwAddr &daddr, bool arp)
{
	const Gid dgid = daddr.gid();
	const u32 qpn = daddr.qpn();
	kern::SpinGuard g(m_lock);
	Neigh *neigh = nullptr;
	Path *path = nullptr;
	if (!arp) {
		neigh = m_neighs.lookup(daddr);
		if (neigh) {
			neigh->set_alive(kapi_jiffies());
			path = neigh->m_path;
		}
	}
	if (!path) {
		path = m_path_tbl.lookup(HwAddr(0, 0, dgid));
		if (!path) {
			kern::UniquePtr<Path> p = kern::make<Path>(Gfp::Atomic, this, dgid);
			if (!p || m_path_tbl.insert(*p).is_err())
				goto drop;
			path = p.release();
			m_paths.push_back(*path);
		}
		if (!arp) {
			kern::UniquePtr<Neigh> n = kern::make<Neigh>(Gfp::Atomic, daddr, path);
			if (n && m_neighs.insert(*n).is_ok()) {
				n->set_alive(kapi_jiffies());
				(void)n.release();
			}
		}
	}

	if (likely(path->m_sm.state() == PathState::Resolved && path->m_ah)) {
		IpAh *ah = path->m_ah;
		ah->m_last_send = m_tx_head;
		g.unlock();
		ud_send(skb, ah, qpn);
		return;
	}

	{
		u8 raw[kHwAddrLen];
		for (usize i = 0; i < kHwAddrLen; i++)
			raw[i] = daddr.raw()[i];
		if (skb.push_pseudo_header(raw).is_err())
			goto drop;
	}
	{
		Skb item = skb;
		const SendDecision d = path->m_sm.on_send(kern::move(item));
		const bool taken = d.m_verdict == SendVerdict::Queued;
		u32 dropped = taken ? 0 : 1;
		if (d.m_start_query) {
			const u8 tclass = m_bcast_group ? m_bcast_group->m_rec.traffic_class : 0;
			Status st = path->m_query.start(m_ib, m_port, to_kern(dgid), to_kern(m_gid), m_pkey, tclass,
							kPathQueryTimeoutMs, Gfp::Atomic);
			if (st.is_err()) {
				ipoib_dbg("%s: path query for %pI6 failed to start: %d", name(), dgid.raw(),
					  st.error().code());
				(void)path->m_sm.apply(PathEvent::QueryErr, [&](Skb &&s, QueueAction) {
					s.drop();
					dropped++;
				});
				ah_put(path->m_ah);
				path->m_ah = nullptr;
				/* The drain above freed skb if it had been queued. */
				if (taken)
					skb = Skb();
			}
		}
		g.unlock();
		if (!taken)
			skb.drop();
		if (dropped)
			count_tx_dropped(dropped);
		return;
	}
drop:
	g.unlock();
	count_tx_dropped();
	skb.drop();
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
			Result<PathAction> act = p->m_sm.apply(PathEvent::Flush, [&](Skb &&s, QueueAction) {
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
		(void)p.m_sm.apply(PathEvent::Invalidate, [](Skb &&, QueueAction) {});
}

void Iface::neigh_gc_task()
{
	const u64 now = kapi_jiffies();
	const u64 idle = kapi_msecs_to_jiffies(2 * kNeighGcIntervalMs);
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

/* ---------------------------------------------------------------------- */
/* Interface lifetime                                                      */

Iface::Iface(IbDevice ib, u32 port) noexcept : m_ib(ib), m_port(port)
{
	KERN_LOCK_INIT(m_lock, "ipoib_iface_lock");
	KERN_LOCK_INIT(m_state, "ipoib_iface_state");
	m_mcast_work.init<Iface, &Iface::mcast_task>(this);
	m_mcast_retry.init<Iface, &Iface::mcast_task>(this);
	m_reap_ah_work.init<Iface, &Iface::reap_ah_task>(this);
	m_neigh_gc_work.init<Iface, &Iface::neigh_gc_task>(this);
	m_qp_recover_work.init<Iface, &Iface::qp_recover_task>(this);
}

Iface::~Iface() = default;

/* Reads LID, GID, P_Key and MTU of the port. Context: process. */
Status Iface::refresh_port()
{
	kern::PortAttr attr = TRY(m_ib.query_port(m_port));
	kern::Gid gid = TRY(m_ib.query_gid(m_port, 0));
	u16 pkey = TRY(m_ib.query_pkey(m_port, 0));
	m_lid = static_cast<u16>(attr.lid);
	m_gid = to_wire(gid);
	m_pkey = static_cast<u16>(pkey | kPkeyFullMember);
	m_max_ib_mtu = kern::ib_mtu_to_bytes(attr.max_mtu);
	if (!m_max_ib_mtu)
		m_max_ib_mtu = 2048;
	Result<u16> idx = kern::find_pkey(m_ib, m_port, m_pkey);
	m_pkey_index = idx.is_ok() ? idx.value() : 0;
	return kern::ok();
}

Result<kern::UniquePtr<Iface>> Iface::create(IbDevice ib, u32 port)
{
	kern::UniquePtr<Iface> ifc = kern::make<Iface>(Gfp::Kernel, ib, port);
	if (!ifc)
		return Error(-err::ENOMEM);
	if (!ifc->m_wq.create_ordered("ipoib_wq"))
		return Error(-err::ENOMEM);
	TRY(ifc->refresh_port());
	ifc->m_bcast = broadcast_addr(ifc->m_pkey);
	ifc->m_rx_buf_len = ifc->m_max_ib_mtu + static_cast<u32>(kGrhLen);
	ifc->m_mcast_mtu = ifc->m_max_ib_mtu - static_cast<u32>(kEncapLen);
	ifc->m_admin_mtu = ifc->m_mcast_mtu;
	TRY(ifc->m_neighs.init(Gfp::Kernel, kNeighTableSize));
	TRY(ifc->m_path_tbl.init(Gfp::Kernel, kPathTableSize));
	Status st = ifc->ud_create();
	if (st.is_err()) {
		ifc->ud_destroy();
		return st.error();
	}

	kern::NetDevConfig cfg;
	cfg.parent = ib;
	cfg.parent_kind = kern::NetdevParent::Bus;
	cfg.dev_port = static_cast<u16>(port - 1);
	cfg.dev_id = static_cast<u16>(port - 1);
	cfg.mtu = ifc->m_mcast_mtu;
	cfg.min_mtu = kMinMtu;
	cfg.max_mtu = kMaxCmMtu;
	cfg.tx_queue_len = ifc->m_tx_size * 2;
	cfg.watchdog_ms = 1000;
	cfg.features = kern::netif_f::kVlanChallenged | kern::netif_f::kHighDma;
	if (ifc->m_max_send_sge > 1)
		cfg.features |= kern::netif_f::kSg;
	const HwAddr addr(0, ifc->m_qpn, ifc->m_gid);
	for (usize i = 0; i < kHwAddrLen; i++) {
		cfg.dev_addr[i] = addr.raw()[i];
		cfg.broadcast[i] = ifc->m_bcast.raw()[i];
	}
	Result<kern::UniqueNetDev> nd = kern::UniqueNetDev::create(cfg, ifc.get());
	if (nd.is_err() && nd.error().code() == -err::ENODEV) {
		/*
		 * No bus device behind the HCA (a software HCA): no device link,
		 * as in-tree. Parenting to the ib_device instead would hide the
		 * netdev's sysfs directory from other network namespaces, since
		 * the infiniband class is namespace-tagged.
		 */
		cfg.parent_kind = kern::NetdevParent::None;
		nd = kern::UniqueNetDev::create(cfg, ifc.get());
	}
	if (nd.is_err()) {
		ifc->ud_destroy();
		return nd.error();
	}
	ifc->m_owned_dev = nd.release_value();
	ifc->m_dev = ifc->m_owned_dev.get();
	/* No carrier until the broadcast group is joined. */
	ifc->m_dev.carrier_off();
	st = ifc->m_owned_dev.register_netdev();
	if (st.is_err()) {
		ifc->m_owned_dev.reset();
		ifc->ud_destroy();
		return st.error();
	}
	kern_info("%s: created on %s port %u (QPN 0x%06x, P_Key 0x%04x, %u/%u send/recv slots)", ifc->name(),
		  ib.name(), port, ifc->m_qpn, ifc->m_pkey, ifc->m_tx_size, ifc->m_rx_size);
	return ifc;
}

void Iface::destroy()
{
	char name_buf[kern::kNetdevNameLen];
	const char *n = name();
	usize i = 0;
	for (; n[i] && i + 1 < sizeof(name_buf); i++)
		name_buf[i] = n[i];
	name_buf[i] = '\0';
	/* Closes it if up (draining the QP), runs ndo_uninit (NAPI), frees the net_device. */
	m_owned_dev.reset();
	m_dev = NetDev();
	m_path_file.reset();
	m_mcast_work.cancel_sync();
	m_mcast_retry.cancel_sync();
	m_reap_ah_work.cancel_sync();
	m_neigh_gc_work.cancel_sync();
	m_qp_recover_work.cancel_sync();
	ud_destroy();
	m_wq.reset();
	kern_info("%s: removed", name_buf);
}

Status Iface::dev_open()
{
	Status st = refresh_port();
	if (st.is_err())
		kern_warn("%s: port query failed: %d", name(), st.error().code());
	TRY(ud_open());
	__atomic_store_n(&m_oper_up, true, __ATOMIC_RELAXED);
	m_dev.start_queue();
	mcast_start();
	m_wq.queue(m_reap_ah_work, kReapAhIntervalMs);
	m_wq.queue(m_neigh_gc_work, kNeighGcIntervalMs);
	return kern::ok();
}

void Iface::dev_stop()
{
	if (!__atomic_load_n(&m_oper_up, __ATOMIC_RELAXED))
		return;
	__atomic_store_n(&m_oper_up, false, __ATOMIC_RELAXED);
	m_dev.stop_queue();
	{
		/* Fence: no xmit is running once we hold its lock. */
		kern::TxLockGuard tx(m_dev);
	}
	m_dev.carrier_off();
	mcast_stop();
	flush_neighs();
	flush_paths();
	/* Drain-time errors are flushes, which never queue the recovery again. */
	m_qp_recover_work.cancel_sync();
	ud_stop();
	m_reap_ah_work.cancel_sync();
	m_neigh_gc_work.cancel_sync();
	reap_ahs(true);
}

void Iface::flush(FlushLevel level)
{
	if (level == FlushLevel::Heavy) {
		/* The P_Key may have changed: re-read it and restart the datapath if so. */
		kern::RtnlGuard rtnl;
		kern::MutexGuard g(m_state);
		const u16 old_pkey = m_pkey;
		const u16 old_index = m_pkey_index;
		Status st = refresh_port();
		if (st.is_err() || (m_pkey == old_pkey && m_pkey_index == old_index)) {
			if (st.is_ok() && __atomic_load_n(&m_oper_up, __ATOMIC_RELAXED)) {
				invalidate_paths();
				mcast_stop();
				mcast_start();
			}
			return;
		}
		kern_info("%s: P_Key changed to 0x%04x (index %u)", name(), m_pkey, m_pkey_index);
		const bool was_up = __atomic_load_n(&m_oper_up, __ATOMIC_RELAXED);
		dev_stop();
		m_bcast = broadcast_addr(m_pkey);
		u8 raw[kHwAddrLen];
		for (usize i = 0; i < kHwAddrLen; i++)
			raw[i] = m_bcast.raw()[i];
		m_dev.set_broadcast(raw);
		if (was_up) {
			st = dev_open();
			if (st.is_err())
				kern_warn("%s: failed to restart after the P_Key change: %d", name(), st.error().code());
		}
		return;
	}

	kern::MutexGuard g(m_state);
	if (!__atomic_load_n(&m_oper_up, __ATOMIC_RELAXED))
		return;
	if (level == FlushLevel::Light) {
		(void)refresh_port();
		invalidate_paths();
		mcast_stop();
		reap_ahs(false);
		mcast_start();
		return;
	}
	/* Normal: down (carrier off, groups left, paths gone), then up again. */
	m_dev.carrier_off();
	mcast_stop();
	flush_neighs();
	flush_paths();
	(void)refresh_port();
	mcast_start();
}

/* ---------------------------------------------------------------------- */
/* net_device_ops                                                          */

Status Iface::ndo_init(Iface &ifc, NetDev dev)
{
	/* Weight 64 for both (in-tree receives with 4); GRO batches per poll. */
	ifc.m_rx_napi.init<Iface, &Iface::poll_rx>(&ifc, dev, kNapiWeight);
	ifc.m_tx_napi.init<Iface, &Iface::poll_tx>(&ifc, dev, kNapiWeight);
	return kern::ok();
}

void Iface::ndo_uninit(Iface &ifc, NetDev)
{
	ifc.m_rx_napi.del();
	ifc.m_tx_napi.del();
}

Status Iface::ndo_open(Iface &ifc, NetDev)
{
	kern::MutexGuard g(ifc.m_state);
	Status st = ifc.dev_open();
	if (st.is_err())
		kern_warn("%s: open failed: %d", ifc.name(), st.error().code());
	return st;
}

Status Iface::ndo_stop(Iface &ifc, NetDev)
{
	kern::MutexGuard g(ifc.m_state);
	ifc.dev_stop();
	return kern::ok();
}

kern::TxResult Iface::ndo_start_xmit(Iface &ifc, NetDev, Skb skb)
{
	u8 raw[kHwAddrLen];
	u16 proto = 0;
	if (unlikely(skb.tx_pull_header(raw, proto).is_err() || !__atomic_load_n(&ifc.m_oper_up, __ATOMIC_RELAXED))) {
		ifc.count_tx_dropped();
		skb.drop();
		return kern::TxResult::Ok;
	}
	const HwAddr daddr(raw);
	switch (classify_tx(daddr, proto)) {
	case TxRoute::Multicast:
		ifc.mcast_send(skb, daddr);
		break;
	case TxRoute::Unicast:
		ifc.unicast_send(skb, daddr, false);
		break;
	case TxRoute::UnicastArp:
		ifc.unicast_send(skb, daddr, true);
		break;
	case TxRoute::Drop:
		ipoib_dbg("%s: dropping packet with unsupported ethertype 0x%04x", ifc.name(), proto);
		ifc.count_tx_dropped();
		skb.drop();
		break;
	}
	return kern::TxResult::Ok;
}

Status Iface::ndo_change_mtu(Iface &ifc, NetDev dev, int new_mtu)
{
	const u32 max_ud = ifc.m_max_ib_mtu - static_cast<u32>(kEncapLen);
	if (new_mtu < 0 || static_cast<u32>(new_mtu) > max_ud) {
		kern_warn("%s: MTU %d exceeds the datagram-mode maximum %u", ifc.name(), new_mtu, max_ud);
		return Error(-err::EINVAL);
	}
	ifc.m_admin_mtu = static_cast<u32>(new_mtu);
	if (ifc.m_mcast_mtu < ifc.m_admin_mtu)
		kern_info("%s: MTU %u > broadcast group MTU %u will cause multicast packet drops", ifc.name(),
			  ifc.m_admin_mtu, ifc.m_mcast_mtu);
	dev.set_mtu(ifc.m_mcast_mtu < ifc.m_admin_mtu ? ifc.m_mcast_mtu : ifc.m_admin_mtu);
	return kern::ok();
}

void Iface::ndo_set_rx_mode(Iface &ifc, NetDev)
{
	kern::SpinGuardBh g(ifc.m_lock);
	ifc.m_rx_mode_dirty = true;
	if (ifc.m_mcast_run)
		ifc.m_wq.queue(ifc.m_mcast_work);
}

void Iface::ndo_get_stats64(Iface &ifc, NetDev, kern::LinkStats &s)
{
	const Counters &c = ifc.m_stats;
	s.rx_packets = __atomic_load_n(&c.rx_packets, __ATOMIC_RELAXED);
	s.rx_bytes = __atomic_load_n(&c.rx_bytes, __ATOMIC_RELAXED);
	s.rx_dropped = __atomic_load_n(&c.rx_dropped, __ATOMIC_RELAXED);
	s.rx_errors = __atomic_load_n(&c.rx_errors, __ATOMIC_RELAXED);
	s.multicast = __atomic_load_n(&c.multicast, __ATOMIC_RELAXED);
	s.tx_packets = __atomic_load_n(&c.tx_packets, __ATOMIC_RELAXED);
	s.tx_bytes = __atomic_load_n(&c.tx_bytes, __ATOMIC_RELAXED);
	s.tx_dropped = __atomic_load_n(&c.tx_dropped, __ATOMIC_RELAXED);
	s.tx_errors = __atomic_load_n(&c.tx_errors, __ATOMIC_RELAXED);
}

Status Iface::ndo_set_mac_address(Iface &ifc, NetDev, const u8 (&)[kern::kNetdevAddrLen])
{
	kern_warn("%s: changing the hardware address is not supported", ifc.name());
	return Error(-err::EOPNOTSUPP);
}

void Iface::ndo_tx_timeout(Iface &ifc, NetDev, unsigned int)
{
	kern_warn("%s: transmit timeout: %u sends outstanding (head %u), %u receives posted", ifc.name(),
		  ifc.m_tx_head - ifc.tx_tail(), ifc.m_tx_head, ifc.m_rx_posted);
}

u64 Iface::ndo_fix_features(Iface &, NetDev, u64 features) { return features; }

void Iface::netdev_event(Iface &ifc, NetDev, kern::NetdevEvent ev)
{
	ipoib_dbg("%s: netdev event %u", ifc.name(), static_cast<unsigned>(ev));
	ifc.debugfs_update(ev);
}

/* Context: the netdevice notifier (rtnl held). The fill function never takes rtnl. */
void Iface::debugfs_update(kern::NetdevEvent ev)
{
	if (ev == kern::NetdevEvent::Unregister) {
		m_path_file.reset();
		return;
	}
	const kern::DebugfsDir &root = debugfs_root();
	if (!root)
		return;
	char fname[kern::kNetdevNameLen + 8];
	BufWriter w(fname);
	w.put_str(name());
	w.put_str("_path");
	if (ev == kern::NetdevEvent::ChangeName && m_path_file) {
		Status st = m_path_file.rename(root, fname);
		if (st.is_err())
			ipoib_dbg("%s: debugfs rename to %s failed: %d", name(), fname, st.error().code());
		return;
	}
	m_path_file.reset();
	Result<kern::DebugfsFile> f = kern::DebugfsFile::create<Iface, &Iface::show_paths>(root, fname, this);
	if (f.is_ok())
		m_path_file = f.release_value();
	else
		ipoib_dbg("%s: debugfs %s not created: %d", name(), fname, f.error().code());
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

const kern::DebugfsDir &debugfs_root() { return g_module->debugfs(); }

} // namespace ipoib

KERN_IB_CLIENT(ipoib::Module)
KERN_NETDEV_OPS(ipoib::Iface, ipoib::Iface)

extern "C" int kapi_upcall_module_init(void)
{
	using namespace ipoib;
	apply_params(kapi_params);
	kern::UniquePtr<Module> mod = kern::make<Module>(kern::Gfp::Kernel);
	if (!mod)
		return -kern::err::ENOMEM;
	/* Set before start(): add_one runs inside register_client(). */
	g_module = mod.get();
	kern::Status st = mod->start();
	if (st.is_err()) {
		g_module = nullptr;
		return st.error().code();
	}
	/* Owned by g_module from here until module exit. */
	(void)mod.release();
	kern_info("loaded (send_queue_size %d, recv_queue_size %d)", kapi_params.send_queue_size,
		  kapi_params.recv_queue_size);
	return 0;
}

extern "C" void kapi_upcall_module_exit(void)
{
	using namespace ipoib;
	/* Destroys the client registration first (removing every device), then SA, then the workqueue. */
	kern::UniquePtr<Module> mod(g_module);
	mod.reset();
	g_module = nullptr;
	kern_info("unloaded");
}
