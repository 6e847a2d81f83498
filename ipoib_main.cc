// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ipoib_main.cc - module lifetime, parameters, and the InfiniBand client.
 *
 * The module registers one ib_client. For every IB device, ib_add_one()
 * binds the ports whose link layer is InfiniBand (rdma_protocol_ib(), as
 * the in-tree driver does) and skips the rest; a device with no such port
 * is declined with -EOPNOTSUPP so ib_core keeps no client data for it.
 * Port events (PORT_ACTIVE, PORT_ERR, LID/PKEY/SM changes, client
 * reregister) arrive in atomic context; each port turns them into a work
 * item on the module's ordered workqueue, which re-reads the port.
 *
 * Ownership:
 *   Module (g_module) --owns--> WorkQueue, IbClientRegistration
 *   ib_core client data --owns--> Device --owns--> Port[]
 * A Device is destroyed in ib_remove_one(), after its event handler is
 * unregistered and its ports' work is cancelled.
 */
#include "ipoib/params.h"
#include "kapi/module.h"
#include "kern/ib.h"
#include "kern/log.h"
#include "kern/memory.h"
#include "kern/result.h"
#include "kern/work.h"

namespace ipoib {
namespace {

using kern::Error;
using kern::Gfp;
using kern::IbDevice;
using kern::IbEvent;
using kern::Result;
using kern::Status;
using kern::u16;
using kern::u32;
using kern::u8;

namespace err = kern::err;

/* Debug tracing, enabled at run time through the debug_level parameter. */
#define ipoib_dbg(fmt, ...)                                          \
	do {                                                         \
		if (kapi_param_read(&kapi_params.debug_level) > 0)  \
			kern_dbg(fmt, ##__VA_ARGS__);                \
	} while (0)

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
	void on_event(IbEvent event);
	/* Context: process. Logs what the port looks like now. */
	Status describe(const char *why);
	/* Context: process; sleeps until a running event work item finished. */
	void quiesce() { m_event_work.cancel_sync(); }

private:
	void handle_event();

	Device *m_dev = nullptr;
	u32 m_num = 0;
	/* Written in atomic context, read by the work item. */
	u8 m_last_event = 0;
	kern::Work m_event_work;
};

/* One IB device: the ports bound on it and its event handler. */
class Device : kern::NonCopyable {
public:
	explicit Device(IbDevice ib) : m_ib(ib) {}

	static Result<Device *> create(IbDevice ib);
	void destroy();

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

	static Result<void *> ib_add_one(IbDevice ib);
	static void ib_remove_one(IbDevice ib, void *ctx);
	static void ib_event(void *ctx, IbEvent event, u32 port);

private:
	/* Declared first so that it is destroyed last, after the client is gone. */
	kern::WorkQueue m_wq;
	kern::IbClientRegistration m_client;
};

Module *g_module;

void Port::on_event(IbEvent event)
{
	__atomic_store_n(&m_last_event, static_cast<u8>(event), __ATOMIC_RELAXED);
	g_module->wq().queue(m_event_work);
}

void Port::handle_event()
{
	IbEvent event = static_cast<IbEvent>(__atomic_load_n(&m_last_event, __ATOMIC_RELAXED));
	Status st = describe(kern::to_string(event));
	if (st.is_err())
		kern_warn("%s port %u: query after %s failed: %d", m_dev->ib().name(), m_num,
			  kern::to_string(event), st.error().code());
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
			return st.error();
		}
	}
	/* Last: once registered, events may run against the ports. */
	TRY(dev->m_events.register_handler(ib, dev.get()));
	return dev.release();
}

Port *Device::port(u32 num)
{
	if (num < 1 || num > m_nports || m_ports[num - 1].num() != num)
		return nullptr;
	return &m_ports[num - 1];
}

void Device::destroy()
{
	/* Mirror of create(): no new events, then no running work, then free. */
	m_events.reset();
	for (u32 p = 1; p <= m_nports; p++) {
		if (Port *port = this->port(p))
			port->quiesce();
	}
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

void Module::ib_event(void *ctx, IbEvent event, u32 port)
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
	/* Must be last: devices are added (and may raise events) from here on. */
	return m_client.register_client();
}

} // namespace
} // namespace ipoib

KERN_IB_CLIENT(ipoib::Module)

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
	/* Destroys the client registration first (removing every device), then the workqueue. */
	kern::UniquePtr<Module> mod(g_module);
	mod.reset();
	g_module = nullptr;
	kern_info("unloaded");
}
