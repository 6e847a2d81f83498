// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ipoib_main.cc - module lifetime, the InfiniBand client, and the ports
 * it binds: one parent interface per InfiniBand port, port events turned
 * into flushes of the parent and its children (ipoib/driver/port.h).
 */
#include "ipoib/driver/port.h"
#include "ipoib/params.h"
#include "kern/rtnl_link.h"

namespace ipoib {

namespace err = kern::err;

namespace {

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
	/*
	 * Destroyed in reverse: the IB client (every device, so every
	 * interface) first; the rtnl link ops last, whose unregistration
	 * also waits for the net core to finish freeing our devices.
	 */
	kern::WorkQueue m_wq;
	kern::DebugfsDir m_debugfs;
	kern::RtnlLinkRegistration m_link_ops;
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

} // namespace

kern::WorkQueue &flush_wq() { return g_module->wq(); }
const kern::DebugfsDir &debugfs_root() { return g_module->debugfs(); }

/* ---------------------------------------------------------------------- */
/* Port                                                                    */

void Port::init(Device *dev, u32 num)
{
	m_dev = dev;
	m_num = num;
	KERN_LOCK_INIT(m_ifaces_lock, "ipoib_port_ifaces");
	m_event_work.init<Port, &Port::handle_event>(this);
}

IbDevice Port::ib() const noexcept { return m_dev->ib(); }

void Port::on_event(kern::IbEvent event)
{
	m_pending.fetch_or(1u << static_cast<u32>(event));
	flush_wq().queue(m_event_work);
}

void Port::handle_event()
{
	u32 pending = m_pending.exchange(0);
	bool have = false;
	FlushLevel level = FlushLevel::Light;
	for (u32 bit = 0; bit < 32; bit++) {
		if (!(pending & (1u << bit)))
			continue;
		kern::IbEvent event = static_cast<kern::IbEvent>(bit);
		Status st = describe(kern::to_string(event));
		if (st.is_err())
			kern_warn("%s port %u: query after %s failed: %d", ib().name(), m_num, kern::to_string(event),
				  st.error().code());
		FlushLevel l;
		if (event_flush_level(event, l) && (!have || l > level)) {
			level = l;
			have = true;
		}
	}
	if (have)
		flush(level);
}

void Port::flush(FlushLevel level)
{
	/* A heavy flush may restart interfaces, which needs rtnl; it comes first in the lock order. */
	if (level == FlushLevel::Heavy) {
		kern::RtnlGuard rtnl;
		kern::MutexGuard g(m_ifaces_lock);
		for (Iface &ifc : m_ifaces)
			ifc.flush(level);
		return;
	}
	kern::MutexGuard g(m_ifaces_lock);
	for (Iface &ifc : m_ifaces)
		ifc.flush(level);
}

void Port::link(Iface &ifc)
{
	kern::rtnl::assert_held();
	kern::MutexGuard g(m_ifaces_lock);
	if (ifc.is_child())
		m_ifaces.push_back(ifc);
	else
		m_ifaces.push_front(ifc);
}

void Port::unlink(Iface &ifc)
{
	kern::rtnl::assert_held();
	kern::MutexGuard g(m_ifaces_lock);
	m_ifaces.remove(ifc);
}

Status Port::describe(const char *why)
{
	IbDevice dev = ib();
	kern::PortAttr attr = TRY(dev.query_port(m_num));
	kern::Gid gid = TRY(dev.query_gid(m_num, 0));
	u16 pkey = TRY(dev.query_pkey(m_num, 0));
	kern_info("%s port %u: %s: state %s, LID 0x%x, SM LID 0x%x, MTU %u, P_Key 0x%04x, GID %pI6c",
		  dev.name(), m_num, why, kern::to_string(attr.state), attr.lid, attr.sm_lid,
		  kern::ib_mtu_to_bytes(attr.active_mtu), pkey | 0x8000u, gid.raw);
	return kern::ok();
}

Status Port::add_parent()
{
	IfaceSpec spec;
	spec.kind = IfaceKind::Parent;
	spec.name = "ib%d";
	Result<Iface *> ifc = Iface::create(*this, spec, NetDev(), false);
	if (ifc.is_err())
		return ifc.error();
	return kern::ok();
}

void Port::remove_all()
{
	kern::RtnlGuard rtnl;
	/* Children first (the list is parent first): ndo_uninit unlinks each. */
	while (Iface *ifc = m_ifaces.back())
		ifc->netdev().unregister_locked();
	/* rtnl_unlock runs the net core's todo list: every Iface is freed when this returns. */
}

/* ---------------------------------------------------------------------- */
/* Device                                                                  */

Result<kern::UniquePtr<Device>> Device::create(IbDevice ib)
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
		st = port.add_parent();
		if (st.is_err()) {
			kern_err("%s port %u: failed to create the IPoIB interface: %d", ib.name(), p,
				 st.error().code());
			continue;
		}
		bound++;
	}
	if (!bound) {
		dev->remove_ports();
		return Error(-err::ENODEV);
	}
	/* Last: once registered, events may run against the ports. */
	Status st = dev->m_events.register_handler(ib, dev.get());
	if (st.is_err()) {
		dev->remove_ports();
		return st.error();
	}
	return dev;
}

Port *Device::port(u32 num)
{
	if (num < 1 || num > m_nports || m_ports[num - 1].num() != num)
		return nullptr;
	return &m_ports[num - 1];
}

void Device::remove_ports()
{
	for (u32 p = 1; p <= m_nports; p++) {
		Port *port = this->port(p);
		if (!port)
			continue;
		port->quiesce();
		port->remove_all();
	}
}

void Device::destroy()
{
	m_events.reset();
	remove_ports();
	kern_info("%s: unbound", m_ib.name());
}

/* ---------------------------------------------------------------------- */
/* Module                                                                  */

namespace {

Result<void *> Module::ib_add_one(IbDevice ib)
{
	kern::UniquePtr<Device> dev = TRY(Device::create(ib));
	/* Owned by ib_core's client data until ib_remove_one. */
	return static_cast<void *>(dev.release());
}

void Module::ib_remove_one(IbDevice, void *ctx)
{
	kern::UniquePtr<Device> dev(static_cast<Device *>(ctx));
	dev->destroy();
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
		kern_warn("send_queue_size=%d is not a power of 2 in [%u, %u]; using %u", params.send_queue_size,
			  kMinSendQueueSize, kMaxQueueSize, sq.value);
	params.send_queue_size = static_cast<int>(sq.value);

	QueueSize rq = clamp_recv_queue_size(params.recv_queue_size);
	if (rq.adjusted)
		kern_warn("recv_queue_size=%d is not a power of 2 in [%u, %u]; using %u", params.recv_queue_size,
			  kMinQueueSize, kMaxQueueSize, rq.value);
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
	/* Before any device: every netdev we make carries these ops. */
	TRY(m_link_ops.enable());
	TRY(m_sa.enable());
	/* Before the client: the notifier creates each interface's debugfs files. */
	TRY(m_notifier.enable());
	/* Must be last: devices are added (and may raise events) from here on. */
	return m_client.enable();
}

} // namespace

} // namespace ipoib

KERN_IB_CLIENT(ipoib::Module)

/* fail_nth (test only): Documentation/testing.md, "Allocation failures". */
extern "C" int kapi_upcall_fail_nth_set(int n)
{
	if (n < 0)
		return -kern::err::EINVAL;
	kern::alloc_fail_nth_set(n);
	return 0;
}

extern "C" int kapi_upcall_fail_nth_get(void)
{
	return kern::alloc_fail_nth_get();
}

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
		mod.reset();
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
	/* Destroys the client registration first (removing every device), then the rest in reverse. */
	kern::UniquePtr<Module> mod(g_module);
	mod.reset();
	g_module = nullptr;
	kern_info("unloaded");
}
