// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ipoib_iface.cc - one IPoIB interface, parent or child: creation and
 * release, open/stop, port-event flushes, the net_device operations and
 * the sysfs attributes every interface shares (mode, pkey, umcast).
 * Lifetime and lock order are in ipoib/driver/iface.h.
 */
#include "ipoib/child.h"
#include "ipoib/driver/port.h"

namespace ipoib {

namespace err = kern::err;

namespace {

constexpr u32 kMinMtu = 0; /* in-tree sets no lower bound (ip -d link: minmtu 0) */
constexpr u32 kMaxCmMtu = 65520; /* the netdev's max_mtu, as in-tree; UD rejects more than IB MTU - 4 */
/* The checksums connected mode offers (Cm::tx_csum); never in datagram mode. */
constexpr u64 kCmCsumFeatures = kern::netif_f::kIpCsum | kern::netif_f::kIpv6Csum;
/* The TX-timeout recovery's retry period while someone else holds rtnl. */
constexpr unsigned int kRtnlRetryMs = 20;

} // namespace

Iface::Iface(Port &port, const IfaceSpec &spec) noexcept
	: m_port_obj(&port), m_ib(port.ib()), m_port(port.num()), m_kind(spec.kind), m_parent(spec.parent),
	  m_ud(*this), m_resolver(*this), m_mcast(*this), m_cm(*this), m_rx_moder(*this)
{
	if (spec.kind != IfaceKind::Parent)
		m_addr.pkey = static_cast<u16>(spec.pkey | kPkeyFullMember);
	KERN_LOCK_INIT(m_ctl, "ipoib_iface_ctl");
	m_tx_timeout_work.init<Iface, &Iface::tx_timeout_work>(this);
}

Iface::~Iface() = default;

/*
 * Reads LID, GID, MTU and the P_Key index. A parent takes the P_Key at
 * index 0; a child keeps its own and only looks it up (in-tree:
 * update_parent_pkey / update_child_pkey). Context: process.
 */
Status Iface::refresh_port()
{
	kern::PortAttr attr = TRY(m_ib.query_port(m_port));
	kern::Gid gid = TRY(m_ib.query_gid(m_port, 0));
	if (!is_child()) {
		u16 pkey = TRY(m_ib.query_pkey(m_port, 0));
		m_addr.pkey = static_cast<u16>(pkey | kPkeyFullMember);
	}
	m_addr.lid = static_cast<u16>(attr.lid);
	m_addr.gid = to_wire(gid);
	m_addr.max_ib_mtu = kern::ib_mtu_to_bytes(attr.max_mtu);
	if (!m_addr.max_ib_mtu)
		m_addr.max_ib_mtu = 2048;
	Result<u16> idx = kern::find_pkey(m_ib, m_port, m_addr.pkey);
	m_addr.pkey_assigned = idx.is_ok() && (m_addr.pkey & 0x7fff) != 0;
	m_addr.pkey_index = idx.is_ok() ? idx.value() : 0;
	return kern::ok();
}

Result<Iface *> Iface::create(Port &port, const IfaceSpec &spec, NetDev adopt, bool rtnl_held)
{
	kern::UniquePtr<Iface> ifc = kern::make<Iface>(Gfp::Kernel, port, spec);
	if (!ifc)
		return Error(-err::ENOMEM);
	/* Whatever was made goes again on any failure below. */
	auto undo = kern::defer([&] { ifc->release(); });
	/* Logs name the child being made (rtnl: the core has its name already). */
	ifc->m_early_name = adopt ? adopt.name() : spec.kind != IfaceKind::Parent ? spec.name : nullptr;
	if (!ifc->m_wq.create_ordered("ipoib_wq"))
		return Error(-err::ENOMEM);
	TRY(ifc->refresh_port());
	ifc->m_addr.bcast = broadcast_addr(ifc->m_addr.pkey);
	ifc->m_addr.rx_buf_len = ifc->m_addr.max_ib_mtu + static_cast<u32>(kGrhLen);
	ifc->m_addr.mcast_mtu = ifc->m_addr.max_ib_mtu - static_cast<u32>(kEncapLen);
	ifc->m_addr.admin_mtu = ifc->m_addr.mcast_mtu;
	TRY(ifc->m_resolver.init());
	/* TX queues: what rtnl's core allocated for an adopted device, else one per possible CPU (capped). */
	const u32 possible = kern::possible_cpus();
	const u32 allocated = adopt ? adopt.num_tx_queues() : (possible < kMaxTxQueues ? possible : kMaxTxQueues);
	TRY(ifc->m_ud.create(ifc->m_ib, allocated));
	ifc->m_ntx_wanted = ifc->m_ud.ntx();
	TRY(ifc->m_rx_moder.init());

	kern::NetDevConfig cfg;
	cfg.name = spec.name ? spec.name : "ib%d";
	cfg.parent = port.ib();
	/* Only a parent links to the HCA's bus device (in-tree: ipoib_parent_init); children have none. */
	cfg.parent_kind = spec.kind == IfaceKind::Parent ? kern::NetdevParent::Bus : kern::NetdevParent::None;
	cfg.dev_port = static_cast<u16>(port.num() - 1);
	cfg.dev_id = static_cast<u16>(port.num() - 1);
	cfg.mtu = ifc->m_addr.mcast_mtu;
	cfg.min_mtu = kMinMtu;
	cfg.max_mtu = kMaxCmMtu;
	cfg.tx_queue_len = ifc->m_ud.tx_size() * 2;
	cfg.num_tx_queues = static_cast<u16>(allocated);
	/* As the kernel's own ib_ipoib: 1 s on 6.1, 10 s on 6.12. */
	cfg.watchdog_ms = kern::intree_watchdog_ms();
	cfg.features = kern::netif_f::kVlanChallenged | kern::netif_f::kHighDma;
	if (ifc->m_ud.sg())
		cfg.features |= kern::netif_f::kSg;
	/* A sysfs child is born in its parent's namespace (rtnl ones where ip asked). */
	if (spec.kind == IfaceKind::SysfsChild && spec.parent)
		cfg.same_net_as = spec.parent->netdev();
	/* The RC flag: this interface accepts connections (its listener runs in either mode). */
	const HwAddr addr(kHwFlagRc, ifc->m_ud.qpn(), ifc->m_addr.gid);
	for (usize i = 0; i < kHwAddrLen; i++) {
		cfg.dev_addr[i] = addr.raw()[i];
		cfg.broadcast[i] = ifc->m_addr.bcast.raw()[i];
	}

	if (adopt) {
		/* rtnl newlink: the core allocated the device and frees it if this fails. */
		Status st = adopt.adopt(cfg, ifc.get());
		if (st.is_err() && st.error().code() == -err::ENODEV) {
			cfg.parent_kind = kern::NetdevParent::None;
			st = adopt.adopt(cfg, ifc.get());
		}
		TRY(kern::move(st));
		ifc->m_dev = adopt;
		st = adopt.register_adopted();
		if (st.is_err()) {
			ifc->m_dev = NetDev();
			return st.error();
		}
	} else {
		Result<kern::UniqueNetDev> nd = kern::UniqueNetDev::create(cfg, ifc.get());
		if (nd.is_err() && nd.error().code() == -err::ENODEV) {
			/*
			 * No bus device behind the HCA (a software HCA): no device
			 * link, as in-tree. Parenting to the ib_device instead would
			 * hide the netdev's sysfs directory from other network
			 * namespaces, since the infiniband class is namespace-tagged.
			 */
			cfg.parent_kind = kern::NetdevParent::None;
			nd = kern::UniqueNetDev::create(cfg, ifc.get());
		}
		if (nd.is_err())
			return nd.error();
		kern::UniqueNetDev owned = nd.release_value();
		ifc->m_dev = owned.get();
		/*
		 * The carrier stays as the core allocated it (on) until the
		 * first open turns it off, as in-tree: a never-opened interface
		 * reports its port's speed in ethtool.
		 */
		Status st = owned.register_to_core(rtnl_held);
		if (st.is_err()) {
			ifc->m_dev = NetDev();
			return st.error();
		}
	}
	undo.cancel();
	Iface *out = ifc.release();
	out->m_early_name = nullptr;
	if (out->is_child())
		kern_info("%s: created as a child of %s (P_Key 0x%04x, QPN 0x%06x)", out->name(),
			  out->m_parent ? out->m_parent->name() : "?", out->m_addr.pkey, out->m_ud.qpn());
	else
		kern_info("%s: created on %s port %u (QPN 0x%06x, P_Key 0x%04x, %u/%u send/recv slots)", out->name(),
			  out->m_ib.name(), out->m_port, out->m_ud.qpn(), out->m_addr.pkey, out->m_ud.tx_size(),
			  out->m_ud.rx_size());
	return out;
}

void Iface::release()
{
	/* Before the queue goes; the watchdog is down (the device was closed first), so nothing queues it again. */
	m_tx_timeout_work.cancel_sync();
	m_ud.del_napi();
	m_path_file.reset();
	m_cm_file.reset();
	m_mcg_file.reset();
	m_mcast.cancel_work();
	m_cm.cancel_work();
	m_resolver.stop();
	m_ud.stop_reaper();
	m_ud.cancel_work();
	m_ud.reap_ahs(true);
	/* Its work modifies the receive CQ: gone before the CQ. */
	m_rx_moder.release();
	m_ud.destroy();
	m_wq.reset();
}

Status Iface::dev_open()
{
	/* No carrier until the broadcast group is joined (in-tree: ipoib_open). */
	m_dev.carrier_off();
	Status st = refresh_port();
	if (st.is_err())
		kern_warn("%s: port query failed: %d", name(), st.error().code());
	/* Up without a datapath or carrier until the P_Key appears (in-tree: PKEY_ASSIGNED). */
	if (!m_addr.pkey_assigned) {
		kern_warn("%s: P_Key 0x%04x is not found", name(), m_addr.pkey);
		return kern::ok();
	}
	TRY(m_ud.open(m_addr.pkey_index, m_port, m_addr.qkey));
	Status st2 = m_cm.open();
	if (st2.is_err()) {
		m_ud.stop();
		return st2;
	}
	m_oper_up.store(true);
	m_dev.start_all_queues();
	m_mcast.start();
	m_ud.start_reaper();
	m_resolver.start();
	return kern::ok();
}

void Iface::dev_stop()
{
	m_dev.carrier_off();
	if (!oper_up())
		return;
	m_oper_up.store(false);
	/* Every queue stopped under its lock: no xmit is running once this returns. */
	m_dev.tx_disable();
	m_mcast.stop();
	m_resolver.stop();
	/* Every connection down while NAPI still polls their completions. */
	m_cm.stop();
	/* Drain-time errors are flushes, which never queue the recovery again. */
	m_ud.cancel_work();
	m_ud.stop();
	/* Receive NAPI is off: no new dim work; the pending one goes. */
	m_rx_moder.stop();
	m_ud.stop_reaper();
	m_ud.reap_ahs(true);
}

/*
 * ethtool -G/-L. Down: the QPs are in RESET, so the rings and TX queues
 * are simply rebuilt. Up: xmit and every queue's wake are held off, the
 * connections go (in connected mode their QPs complete on TX queue 0's
 * CQ, which is rebuilt; peers reconnect on the next packet), the UD QPs
 * drain and reset, the rings and TX queues are rebuilt, and everything
 * comes back on the same receive QP. Carrier, addresses, routes, the
 * stack's neighbours, paths (datagram mode) and multicast memberships and
 * attachments are untouched. rtnl held.
 */
Status Iface::reconfigure(u32 rx, u32 tx, u32 ntx)
{
	kern::MutexGuard g(m_ctl);
	if (!oper_up()) {
		TRY(m_ud.resize(rx, tx, ntx));
		/*
		 * Up but without a datapath: an earlier rebuild did not come
		 * back. Bring it up on the new rings (down, or waiting for its
		 * P_Key: nothing to do until it opens).
		 */
		if ((m_dev.flags() & kern::iff::kUp) && m_addr.pkey_assigned) {
			TRY(dev_open());
			(void)apply_real_tx_queues();
			kern_info("%s: datapath back up", name());
		}
		return kern::ok();
	}

	m_ud.pause(true);
	/* Absent meanwhile: a rebuild longer than the watchdog period is not a transmit timeout. */
	m_dev.device_detach();
	m_dev.tx_disable();
	if (cm_mode())
		m_resolver.flush();
	m_cm.stop();
	m_ud.stop_reaper();
	m_ud.cancel_work();
	m_ud.stop();
	Status st = m_ud.resize(rx, tx, ntx);
	if (st.is_err())
		kern_warn("%s: resizing to %u/%u send/recv slots and %u TX queues failed: %d", name(), tx, rx, ntx,
			  st.error().code());
	/* After a failed resize the old sizes are back: resume on them. A failed open is tried once more. */
	Status up = kern::ok();
	for (int attempt = 0; attempt < 2; attempt++) {
		up = m_ud.open(m_addr.pkey_index, m_port, m_addr.qkey);
		if (up.is_ok()) {
			up = m_cm.open();
			if (up.is_err())
				m_ud.stop();
		}
		if (up.is_ok())
			break;
	}
	m_ud.pause(false);
	if (up.is_err()) {
		/* Nothing to send on: as if the port went away; ethtool -G/-L or ip link set down/up retries. */
		kern_warn("%s: the datapath did not come back after the resize: %d", name(), up.error().code());
		m_oper_up.store(false);
		m_dev.carrier_off();
		m_mcast.stop();
		m_resolver.stop();
		m_ud.reap_ahs(true);
		/* Present again, with its queues stopped: nothing to send on until it is brought up again. */
		m_dev.device_attach();
		m_dev.tx_disable();
		return up;
	}
	m_ud.reap_ahs(false);
	m_ud.start_reaper();
	(void)apply_real_tx_queues();
	m_dev.device_attach();
	return st;
}

void Iface::flush(FlushLevel level)
{
	kern::MutexGuard g(m_ctl);
	if (level == FlushLevel::Heavy) {
		/* rtnl held by Port::flush: the P_Key (or its index) may have changed. */
		const u16 old_pkey = m_addr.pkey;
		const u16 old_index = m_addr.pkey_index;
		const bool old_assigned = m_addr.pkey_assigned;
		Status st = refresh_port();
		if (st.is_err())
			return;
		if (m_addr.pkey == old_pkey && m_addr.pkey_index == old_index && m_addr.pkey_assigned == old_assigned) {
			if (oper_up()) {
				m_resolver.invalidate();
				m_mcast.stop();
				m_mcast.start();
			}
			return;
		}
		if (m_addr.pkey_assigned)
			kern_info("%s: P_Key 0x%04x at index %u", name(), m_addr.pkey, m_addr.pkey_index);
		else
			kern_info("%s: P_Key 0x%04x is no longer in the port's table", name(), m_addr.pkey);
		dev_stop();
		if (m_addr.pkey != old_pkey) {
			m_addr.bcast = broadcast_addr(m_addr.pkey);
			m_dev.set_broadcast(m_addr.bcast.bytes());
		}
		if (m_dev.running()) {
			st = dev_open();
			if (st.is_err())
				kern_warn("%s: failed to restart after the P_Key change: %d", name(), st.error().code());
		}
		return;
	}

	if (!oper_up())
		return;
	if (level == FlushLevel::Light) {
		(void)refresh_port();
		m_resolver.invalidate();
		m_mcast.stop();
		m_ud.reap_ahs(false);
		m_mcast.start();
		return;
	}
	/* Normal: down (carrier off, groups left, paths gone), then up again. */
	m_dev.carrier_off();
	m_mcast.stop();
	m_resolver.flush();
	(void)refresh_port();
	m_mcast.start();
}

/*
 * As in-tree: a parent going up brings its children up, and going down
 * takes them down. rtnl held (ndo_open/ndo_stop), not m_ctl.
 */
void Iface::set_children_up(bool up)
{
	if (is_child())
		return;
	for (Iface &c : m_port_obj->m_ifaces) {
		if (c.m_parent != this)
			continue;
		const bool is_up = (c.m_dev.flags() & kern::iff::kUp) != 0;
		if (is_up == up)
			continue;
		Status st = c.m_dev.change_flags(up ? c.m_dev.flags() | kern::iff::kUp : c.m_dev.flags() & ~kern::iff::kUp);
		if (st.is_err())
			kern_warn("%s: failed to bring child %s %s: %d", name(), c.name(), up ? "up" : "down",
				  st.error().code());
	}
}

/* ---------------------------------------------------------------------- */
/* net_device_ops                                                          */

Status Iface::ndo_init(Iface &ifc, NetDev dev)
{
	ifc.m_ud.init_napi(dev);
	if (ifc.m_parent)
		ifc.m_parent->m_dev.hold();
	ifc.m_port_obj->link(ifc);
	return kern::ok();
}

void Iface::ndo_uninit(Iface &ifc, NetDev)
{
	ifc.m_port_obj->unlink(ifc);
	ifc.release();
	if (ifc.m_parent)
		ifc.m_parent->m_dev.put();
}

void Iface::netdev_destruct(Iface &ifc)
{
	kern::UniquePtr<Iface> free(&ifc);
}

Status Iface::ndo_open(Iface &ifc, NetDev)
{
	Status q = ifc.apply_real_tx_queues();
	if (q.is_err())
		kern_warn("%s: setting %u TX queues failed: %d", ifc.name(), ifc.m_ntx_wanted, q.error().code());
	{
		kern::MutexGuard g(ifc.m_ctl);
		Status st = ifc.dev_open();
		if (st.is_err()) {
			kern_warn("%s: open failed: %d", ifc.name(), st.error().code());
			return st;
		}
	}
	ifc.set_children_up(true);
	return kern::ok();
}

Status Iface::ndo_stop(Iface &ifc, NetDev)
{
	/* The core stopped the watchdog before this; a pending recovery has nothing left to do (rtnl held: it is not mid-rebuild). */
	ifc.m_tx_timeout_work.cancel_sync();
	ifc.m_tx_timeout_queued.store(false);
	{
		kern::MutexGuard g(ifc.m_ctl);
		ifc.dev_stop();
	}
	ifc.set_children_up(false);
	return kern::ok();
}

kern::TxResult Iface::ndo_start_xmit(Iface &ifc, NetDev, Skb skb, u16 txq)
{
	u8 raw[kHardHeaderLen];
	if (unlikely(skb.tx_pull_header(raw).is_err() || !ifc.oper_up())) {
		ifc.drop_tx(skb);
		return kern::TxResult::Ok;
	}
	/* The unit-tested parser reads what header_ops.create wrote. */
	const Result<TxHeader> hdr = parse_tx_header(kern::ByteSpan(raw, kHardHeaderLen));
	if (unlikely(hdr.is_err())) {
		ifc.drop_tx(skb);
		return kern::TxResult::Ok;
	}
	const HwAddr &daddr = hdr.value().m_daddr;
	const u16 proto = hdr.value().m_proto;
	switch (classify_tx(daddr, proto)) {
	case TxRoute::Multicast:
		ifc.m_mcast.send(skb, daddr, txq);
		break;
	case TxRoute::Unicast:
		ifc.m_resolver.send(skb, daddr, false, txq);
		break;
	case TxRoute::UnicastArp:
		ifc.m_resolver.send(skb, daddr, true, txq);
		break;
	case TxRoute::Drop:
		ipoib_dbg("%s: dropping packet with unsupported ethertype 0x%04x", ifc.name(), proto);
		ifc.drop_tx(skb);
		break;
	}
	return kern::TxResult::Ok;
}

Status Iface::ndo_change_mtu(Iface &ifc, NetDev dev, int new_mtu)
{
	if (ifc.cm_mode()) {
		/* In-tree: up to the connected-mode maximum; admin_mtu is the datagram one and stays. */
		if (new_mtu < 0 || static_cast<u32>(new_mtu) > ifc.m_cm.max_mtu()) {
			kern_warn("%s: MTU %d exceeds the connected-mode maximum %u", ifc.name(), new_mtu, ifc.m_cm.max_mtu());
			return Error(-err::EINVAL);
		}
		if (static_cast<u32>(new_mtu) > ifc.m_addr.mcast_mtu)
			kern_warn("%s: mtu > %u will cause multicast packet drops", ifc.name(), ifc.m_addr.mcast_mtu);
		dev.set_mtu(static_cast<u32>(new_mtu));
		return kern::ok();
	}
	const u32 max_ud = ifc.m_addr.max_ib_mtu - static_cast<u32>(kEncapLen);
	if (new_mtu < 0 || static_cast<u32>(new_mtu) > max_ud) {
		kern_warn("%s: MTU %d exceeds the datagram-mode maximum %u", ifc.name(), new_mtu, max_ud);
		return Error(-err::EINVAL);
	}
	ifc.m_addr.admin_mtu = static_cast<u32>(new_mtu);
	if (ifc.m_addr.mcast_mtu < ifc.m_addr.admin_mtu)
		kern_info("%s: MTU %u > broadcast group MTU %u will cause multicast packet drops", ifc.name(),
			  ifc.m_addr.admin_mtu, ifc.m_addr.mcast_mtu);
	dev.set_mtu(ifc.m_addr.mcast_mtu < ifc.m_addr.admin_mtu ? ifc.m_addr.mcast_mtu : ifc.m_addr.admin_mtu);
	return kern::ok();
}

void Iface::ndo_set_rx_mode(Iface &ifc, NetDev)
{
	ifc.m_mcast.rx_mode_changed();
}

void Iface::ndo_get_stats64(Iface &ifc, NetDev, kern::LinkStats &s)
{
	const Stats &c = ifc.m_stats;
	s.rx_packets = c.rx_packets.load();
	s.rx_bytes = c.rx_bytes.load();
	s.rx_dropped = c.rx_dropped.load();
	s.rx_errors = c.rx_errors.load();
	s.multicast = c.multicast.load();
	for (const TxqStats &q : c.txq) {
		s.tx_packets += q.packets.load();
		s.tx_bytes += q.bytes.load();
	}
	s.tx_dropped = c.tx_dropped.load();
	s.tx_errors = c.tx_errors.load();
}

Status Iface::ndo_set_mac_address(Iface &ifc, NetDev, const u8 (&)[kern::kNetdevAddrLen])
{
	kern_warn("%s: changing the hardware address is not supported", ifc.name());
	return Error(-err::EOPNOTSUPP);
}

/*
 * The TX watchdog found a queue stopped for longer than the period
 * (softirq, that queue's TX lock held): one line, and the rebuild is left
 * to a work item, since it sleeps and needs rtnl. In-tree 6.1 only logs;
 * 6.12 restarts the interface (ipoib_stop + ipoib_open) from its own work.
 */
void Iface::ndo_tx_timeout(Iface &ifc, NetDev, unsigned int txqueue)
{
	const TxQueue *q = ifc.m_ud.txq(txqueue);
	const bool queue = !ifc.m_tx_timeout_queued.exchange(true);
	kern_warn("%s: transmit timeout on queue %u: %u sends outstanding (head %u), %u receives posted; %s", ifc.name(),
		  txqueue, q ? q->head() - q->tail() : 0, q ? q->head() : 0, ifc.m_ud.rx_posted(),
		  queue ? "restarting the datapath" : "a restart is already pending");
	if (queue)
		flush_wq().queue(ifc.m_tx_timeout_work, 0);
}

/*
 * Rebuilds the datapath at the same sizes through reconfigure: the send
 * QPs are moved to the error state (which flushes whatever the HCA held),
 * reset and brought back, every TX queue woken; addresses, routes, the
 * stack's neighbours and paths, and multicast memberships stay. The
 * device is detached meanwhile, so the watchdog cannot fire for the
 * rebuild itself. ndo_stop and ndo_uninit hold rtnl while they cancel
 * this work: it never blocks on rtnl but looks again a little later. It
 * runs on the module's flush queue, not on the interface's m_wq: the
 * rebuild waits for connected-mode receive QPs to drain, which takes
 * m_wq's last-WQE work.
 */
void Iface::tx_timeout_work()
{
	if (!kern::rtnl::trylock()) {
		flush_wq().queue(m_tx_timeout_work, kRtnlRetryMs);
		return;
	}
	auto unlock = kern::defer([] { kern::rtnl::unlock(); });
	m_tx_timeout_queued.store(false);
	if (!m_dev.running() || !oper_up())
		return;
	const u64 start = kern::time::now_us();
	Status st = reconfigure(m_ud.rx_size(), m_ud.tx_size(), m_ud.ntx());
	if (st.is_err())
		kern_warn("%s: the datapath did not come back after the transmit timeout: %d", name(), st.error().code());
	else
		kern_info("%s: datapath restarted after the transmit timeout (%llu us)", name(),
			  static_cast<unsigned long long>(kern::time::now_us() - start));
}

/*
 * No segmentation offload in connected mode (in-tree: ipoib_fix_features).
 * Checksums are offered there (set_mode) and never in datagram mode.
 */
u64 Iface::ndo_fix_features(Iface &ifc, NetDev, u64 features)
{
	if (ifc.cm_mode())
		features &= ~kern::netif_f::kTso;
	else
		features &= ~kCmCsumFeatures;
	return features;
}

/* ip link shows a child as ib0.8001@ib0. */
int Iface::ndo_get_iflink(Iface &ifc, NetDev dev)
{
	return ifc.m_parent ? ifc.m_parent->m_dev.ifindex() : dev.ifindex();
}

void Iface::netdev_event(Iface &ifc, NetDev, kern::NetdevEvent ev)
{
	ipoib_dbg("%s: netdev event %u", ifc.name(), static_cast<unsigned>(ev));
	ifc.debugfs_update(ev);
}

/* <if><suffix> in the ipoib debugfs directory, made, renamed or removed with the netdev. */
template <class T, void (T::*Fn)(BufWriter &)>
void Iface::debugfs_file(kern::DebugfsFile &file, const char *suffix, T *owner, kern::NetdevEvent ev)
{
	if (ev == kern::NetdevEvent::Unregister) {
		file.reset();
		return;
	}
	const kern::DebugfsDir &root = debugfs_root();
	if (!root)
		return;
	char fname[kern::kNetdevNameLen + 8];
	BufWriter w(fname);
	w.put_str(name());
	w.put_str(suffix);
	if (ev == kern::NetdevEvent::ChangeName && file) {
		Status st = file.rename(root, fname);
		if (st.is_err())
			ipoib_dbg("%s: debugfs rename to %s failed: %d", name(), fname, st.error().code());
		return;
	}
	file.reset();
	Result<kern::DebugfsFile> f = kern::DebugfsFile::create<T, Fn>(root, fname, owner);
	if (f.is_ok())
		file = f.release_value();
	else
		ipoib_dbg("%s: debugfs %s not created: %d", name(), fname, f.error().code());
}

/*
 * Context: the netdevice notifier (rtnl held). The fill functions never
 * take rtnl. <if>_cm shows the connections (in-tree has no such file).
 */
void Iface::debugfs_update(kern::NetdevEvent ev)
{
	debugfs_file<Multicast, &Multicast::show>(m_mcg_file, "_mcg", &m_mcast, ev);
	debugfs_file<Resolver, &Resolver::show>(m_path_file, "_path", &m_resolver, ev);
	debugfs_file<Cm, &Cm::show>(m_cm_file, "_cm", &m_cm, ev);
}

/* ---------------------------------------------------------------------- */
/* Mode                                                                    */

/*
 * ipoib_set_mode, in its order: the flag, features, MTU (connected: the
 * CM maximum; datagram: no more than the broadcast group's), then the
 * paths and neighbours flushed so every peer is reached the new way.
 * In-tree drops rtnl for the flush and may then fail with EBUSY; the
 * flush here never needs rtnl, so it keeps it. rtnl held.
 */
Status Iface::set_mode(Mode to)
{
	const Mode cur = cm_mode() ? Mode::Connected : Mode::Datagram;
	Result<bool> change = mode_change(cur, to, true);
	if (change.is_err()) {
		kern_warn("%s: connected mode is not available on this device", name());
		return change.error();
	}
	if (!change.value())
		return kern::ok();
	if (to == Mode::Connected) {
		/*
		 * One TX queue, as in-tree: a connection's ring has one writer,
		 * queue 0's xmit. Shrunk before any xmit can see connected mode
		 * (the core's shrink waits for running xmits; the lock fences too).
		 */
		Status q = m_dev.set_real_num_tx_queues(1);
		if (q.is_err())
			kern_warn("%s: setting one TX queue failed: %d", name(), q.error().code());
		{
			kern::TxLockGuard tx(m_dev);
		}
		m_cm_mode.store(true);
		kern_warn("%s: enabling connected mode will cause multicast packet drops", name());
		/* tx-checksumming: left to the RC ICRC where the peer takes it (Cm::tx_csum), on by default. */
		m_dev.offer_features(kCmCsumFeatures, kCmCsumFeatures);
		m_dev.update_features();
		Status st = m_dev.change_mtu(static_cast<int>(m_cm.max_mtu()));
		if (st.is_err())
			kern_warn("%s: failed to set the connected-mode MTU %u: %d", name(), m_cm.max_mtu(), st.error().code());
	} else {
		m_cm_mode.store(false);
		m_dev.offer_features(kCmCsumFeatures, 0);
		m_dev.update_features();
		const u32 mtu = m_addr.mcast_mtu < m_dev.mtu() ? m_addr.mcast_mtu : m_dev.mtu();
		Status st = m_dev.change_mtu(static_cast<int>(mtu));
		if (st.is_err())
			kern_warn("%s: failed to set the datagram MTU %u: %d", name(), mtu, st.error().code());
	}
	{
		kern::MutexGuard g(m_ctl);
		if (oper_up())
			m_resolver.flush();
	}
	/* Back to datagram: the connections are gone with the paths, so the other queues may send again. */
	if (to == Mode::Datagram) {
		Status q = apply_real_tx_queues();
		if (q.is_err())
			kern_warn("%s: restoring %u TX queues failed: %d", name(), m_ntx_wanted, q.error().code());
	}
	return kern::ok();
}

/*
 * The queue count the stack may pick from, and XPS spreading the CPUs
 * over them. In connected mode one (set before m_cm_mode is seen by a
 * new xmit: the core's synchronize_net in the shrink fences the others).
 */
Status Iface::apply_real_tx_queues()
{
	u32 n = cm_mode() ? 1 : m_ntx_wanted;
	if (n > m_ud.ntx())
		n = m_ud.ntx();
	if (n == 0)
		n = 1;
	if (m_dev.real_num_tx_queues() != n)
		TRY(m_dev.set_real_num_tx_queues(n));
	if (!m_dev.running() && !(m_dev.flags() & kern::iff::kUp))
		return kern::ok();
	const u32 cpus = kern::possible_cpus();
	for (u32 cpu = 0; cpu < cpus; cpu++)
		(void)m_dev.set_xps_cpu(cpu, xps_queue(cpu, n));
	return kern::ok();
}

/* ---------------------------------------------------------------------- */
/* sysfs                                                                   */

/* Which files an interface has (reference b2): rtnl children get none, as in-tree. */
bool Iface::attr_visible(Iface &ifc, NetDev, kern::IfAttr attr)
{
	switch (attr) {
	case kern::IfAttr::Mode:
	case kern::IfAttr::Pkey:
	case kern::IfAttr::Umcast:
		return ifc.m_kind != IfaceKind::RtnlChild;
	case kern::IfAttr::CreateChild:
	case kern::IfAttr::DeleteChild:
		return ifc.m_kind == IfaceKind::Parent;
	case kern::IfAttr::Parent:
		return ifc.m_kind == IfaceKind::SysfsChild;
	}
	return false;
}

Result<usize> Iface::attr_show(Iface &ifc, NetDev, kern::IfAttr attr, kern::Span<char> buf)
{
	BufWriter w(buf.data(), buf.size());
	switch (attr) {
	case kern::IfAttr::Mode:
		show_mode(w, ifc.cm_mode() ? Mode::Connected : Mode::Datagram);
		break;
	case kern::IfAttr::Pkey:
		show_pkey(w, ifc.m_addr.pkey);
		break;
	case kern::IfAttr::Umcast:
		show_umcast(w, ifc.m_umcast.load());
		break;
	case kern::IfAttr::Parent:
		if (!ifc.m_parent)
			return Error(-err::EINVAL);
		show_parent(w, ifc.m_parent->name());
		break;
	default:
		return Error(-err::EINVAL);
	}
	return w.size();
}

Result<usize> Iface::attr_store(Iface &ifc, NetDev dev, kern::IfAttr attr, const char *buf, usize len)
{
	if (!dev.net_admin_capable())
		return Error(-err::EPERM);
	switch (attr) {
	case kern::IfAttr::CreateChild:
		return ifc.create_child_store(buf, len);
	case kern::IfAttr::DeleteChild:
		return ifc.delete_child_store(buf, len);
	case kern::IfAttr::Umcast: {
		Result<bool> on = parse_umcast(buf, len);
		if (on.is_err()) {
			kern_warn("%s: umcast: invalid value", ifc.name());
			return on.error();
		}
		TRY(ifc.set_umcast(on.value()));
		return len;
	}
	case kern::IfAttr::Mode: {
		Result<Mode> m = parse_mode(buf, len);
		if (m.is_err()) {
			kern_warn("%s: mode: expected \"datagram\" or \"connected\"", ifc.name());
			return m.error();
		}
		/* dev_set_mtu needs rtnl; the store must not sleep on it (see ipoib_vlan.cc). */
		if (!kern::rtnl::trylock())
			return kern::restart_syscall();
		Status st = ifc.set_mode(m.value());
		kern::rtnl::unlock();
		TRY(kern::move(st));
		return len;
	}
	default:
		return Error(-err::EINVAL);
	}
}

} // namespace ipoib

KERN_NETDEV_OPS(ipoib::Iface, ipoib::Iface)
