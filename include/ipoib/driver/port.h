/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/driver/port.h - the module, each bound IB device and its ports
 * (ipoib_main.cc).
 *
 * Ownership:
 *   Module (g_module) --owns--> flush WorkQueue, SA client, rtnl link
 *                               ops, netdev notifier, IB client
 *   ib_core client data --owns--> Device --owns--> Port[]
 *   Port --lists--> Iface (parent first, then its children); the net
 *                   core owns each registered Iface (iface.h)
 * A Device is destroyed in ib_remove_one() after its event handler is
 * unregistered and its ports' event work is cancelled; each port then
 * unregisters its interfaces, children first, under one rtnl hold.
 */
#ifndef IPOIB_DRIVER_PORT_H
#define IPOIB_DRIVER_PORT_H

#include "ipoib/driver/iface.h"
#include "kern/atomic.h"
#include "kern/debugfs.h"
#include "kern/ib.h"
#include "kern/list.h"
#include "kern/lock.h"
#include "kern/work.h"

namespace ipoib {

class Device;

/* One InfiniBand port bound by the driver. */
class Port : kern::NonCopyable {
public:
	Port() = default;

	void init(Device *dev, u32 num);
	u32 num() const noexcept { return m_num; }
	IbDevice ib() const noexcept;

	/* Context: atomic (ib_core event dispatch). */
	void on_event(kern::IbEvent event);
	/* Context: process. Logs what the port looks like now. */
	Status describe(const char *why);
	/* Context: process; sleeps until a running event work item finished. */
	void quiesce() { m_event_work.cancel_sync(); }

	/* Creates the parent interface. Context: process, no rtnl. */
	Status add_parent();
	/* Unregisters every interface, children first. Context: process, no rtnl. */
	void remove_all();
	/* The flush of one port event: the parent, then every child (as in-tree). */
	void flush(FlushLevel level);

	/* Called from ndo_init/ndo_uninit (rtnl held). */
	void link(Iface &ifc);
	void unlink(Iface &ifc);

	/*
	 * The interfaces, parent first. Writers hold rtnl and m_ifaces_lock,
	 * so holding either is enough to walk it.
	 */
	kern::List<Iface, &Iface::m_port_node> m_ifaces;
	kern::Mutex m_ifaces_lock;

private:
	void handle_event();

	Device *m_dev = nullptr;
	u32 m_num = 0;
	/* Events since the work last ran, one bit per kern::IbEvent value. */
	kern::Atomic<u32> m_pending;
	kern::Work m_event_work;
};

/* One IB device: the ports bound on it and its event handler. */
class Device : kern::NonCopyable {
public:
	explicit Device(IbDevice ib) : m_ib(ib) {}

	static Result<kern::UniquePtr<Device>> create(IbDevice ib);
	/* Mirror of create(): no new events, then no running work, then the interfaces. */
	void destroy();

	IbDevice ib() const { return m_ib; }
	Port *port(u32 num);

private:
	void remove_ports();

	IbDevice m_ib;
	kern::UniqueArray<Port> m_ports;
	u32 m_nports = 0;
	kern::IbEventRegistration m_events;
};

/* The module's workqueue for port events and deferred work. */
kern::WorkQueue &flush_wq();
/* The module's debugfs directory "ipoib" (empty if debugfs is unavailable). */
const kern::DebugfsDir &debugfs_root();

} // namespace ipoib

#endif /* IPOIB_DRIVER_PORT_H */
