/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/ib.h - InfiniBand core from C++: device handles, port queries,
 * client and event-handler registrations.
 *
 * The ib_client itself is a static struct in kapi/ib.c whose add/remove
 * callbacks call three extern "C" upcalls. KERN_IB_CLIENT(Driver) defines
 * those upcalls once, forwarding to static members of the driver class:
 *
 *     static kern::Result<void *> Driver::ib_add_one(kern::IbDevice dev);
 *     static void Driver::ib_remove_one(kern::IbDevice dev, void *ctx);
 *     static void Driver::ib_event(void *ctx, kern::IbEvent ev, u32 port);
 *
 * so the driver never sees a kapi type and errors cross as errno once.
 */
#ifndef KERN_IB_H
#define KERN_IB_H

#include "kapi/ib.h"
#include "kern/base.h"
#include "kern/registration.h"
#include "kern/result.h"

namespace kern {

enum class PortState : u8 {
	Nop = KAPI_IB_PORT_NOP,
	Down = KAPI_IB_PORT_DOWN,
	Init = KAPI_IB_PORT_INIT,
	Armed = KAPI_IB_PORT_ARMED,
	Active = KAPI_IB_PORT_ACTIVE,
	ActiveDefer = KAPI_IB_PORT_ACTIVE_DEFER,
};

enum class IbEvent : u8 {
	PortActive = KAPI_IB_EVENT_PORT_ACTIVE,
	PortErr = KAPI_IB_EVENT_PORT_ERR,
	LidChange = KAPI_IB_EVENT_LID_CHANGE,
	PkeyChange = KAPI_IB_EVENT_PKEY_CHANGE,
	SmChange = KAPI_IB_EVENT_SM_CHANGE,
	ClientReregister = KAPI_IB_EVENT_CLIENT_REREGISTER,
	GidChange = KAPI_IB_EVENT_GID_CHANGE,
};

const char *to_string(PortState s);
const char *to_string(IbEvent e);

/* A 128-bit GID in network byte order. */
struct Gid {
	u8 raw[16];
};

struct PortAttr {
	PortState state;
	u8 max_mtu;    /* enum ib_mtu: 1=256 .. 5=4096 */
	u8 active_mtu;
	u8 active_width;
	u16 active_speed;
	u32 lid;
	u32 sm_lid;
	u16 pkey_tbl_len;
	s32 gid_tbl_len;
	bool link_layer_ib;
};

/* Bytes for an enum ib_mtu value; 0 for values outside 256..4096. */
constexpr u32 ib_mtu_to_bytes(u8 mtu)
{
	return mtu >= 1 && mtu <= 5 ? 128u << mtu : 0;
}

/* A borrowed handle: ib_core owns the device. */
class IbDevice {
public:
	explicit IbDevice(struct kapi_ib_device *dev) : m_dev(dev) {}

	const char *name() const { return kapi_ib_device_name(m_dev); }
	u32 port_count() const { return kapi_ib_port_count(m_dev); }
	/* rdma_protocol_ib(): IPoIB binds only such ports. */
	bool port_is_ib(u32 port) const { return kapi_ib_port_is_ib(m_dev, port) != 0; }

	/* Context: process. */
	Result<PortAttr> query_port(u32 port) const;
	Result<Gid> query_gid(u32 port, int index) const;
	Result<u16> query_pkey(u32 port, u16 index) const;

	struct kapi_ib_device *raw() const { return m_dev; }

private:
	struct kapi_ib_device *m_dev;
};

/* Holds the ib_client registration; unregisters (removing every device) on destruction. */
using IbClientRegistration = Registration<kapi_ib_register_client, kapi_ib_unregister_client>;

/* A device's asynchronous event handler, unregistered on destruction. */
class IbEventRegistration : NonCopyable {
public:
	IbEventRegistration() = default;
	~IbEventRegistration() { reset(); }

	/* Context: process. Events arrive on the client's ib_event upcall with ctx. */
	Status register_handler(IbDevice dev, void *ctx)
	{
		return from_errno(kapi_ib_register_event_handler(dev.raw(), ctx, &m_handler));
	}
	void reset()
	{
		kapi_ib_unregister_event_handler(m_handler);
		m_handler = nullptr;
	}

private:
	struct kapi_ib_event_handler *m_handler = nullptr;
};

} // namespace kern

#define KERN_IB_CLIENT(Driver)                                                                    \
	extern "C" int kapi_upcall_ib_add_one(struct kapi_ib_device *dev, void **client_data)    \
	{                                                                                         \
		kern::Result<void *> ctx = Driver::ib_add_one(kern::IbDevice(dev));               \
		if (ctx.is_err())                                                                 \
			return ctx.error().code();                                                \
		*client_data = ctx.release_value();                                               \
		return 0;                                                                         \
	}                                                                                         \
	extern "C" void kapi_upcall_ib_remove_one(struct kapi_ib_device *dev, void *client_data) \
	{                                                                                         \
		Driver::ib_remove_one(kern::IbDevice(dev), client_data);                          \
	}                                                                                         \
	extern "C" void kapi_upcall_ib_event(struct kapi_ib_device *, void *client_data,         \
					     enum kapi_ib_event event, kapi_u32 port)             \
	{                                                                                         \
		Driver::ib_event(client_data, static_cast<kern::IbEvent>(event), port);           \
	}

#endif /* KERN_IB_H */
