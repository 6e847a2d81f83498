/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kapi/ib.h - InfiniBand core: client registration, device and port queries.
 *
 * struct kapi_ib_device is the kernel's struct ib_device, never
 * dereferenced in C++. Port numbers are 1-based as in ib_core.
 */
#ifndef KAPI_IB_H
#define KAPI_IB_H
#include "types.h"

struct kapi_ib_device;

/* enum ib_port_state values. */
enum kapi_ib_port_state {
	KAPI_IB_PORT_NOP = 0,
	KAPI_IB_PORT_DOWN = 1,
	KAPI_IB_PORT_INIT = 2,
	KAPI_IB_PORT_ARMED = 3,
	KAPI_IB_PORT_ACTIVE = 4,
	KAPI_IB_PORT_ACTIVE_DEFER = 5,
};

/* Link layer of a port (IB_LINK_LAYER_*). */
enum kapi_ib_link_layer {
	KAPI_IB_LINK_LAYER_UNSPECIFIED = 0,
	KAPI_IB_LINK_LAYER_INFINIBAND = 1,
	KAPI_IB_LINK_LAYER_ETHERNET = 2,
};

/* enum ib_event_type values the driver reacts to. */
enum kapi_ib_event {
	KAPI_IB_EVENT_PORT_ACTIVE = 9,
	KAPI_IB_EVENT_PORT_ERR = 10,
	KAPI_IB_EVENT_LID_CHANGE = 11,
	KAPI_IB_EVENT_PKEY_CHANGE = 12,
	KAPI_IB_EVENT_SM_CHANGE = 13,
	KAPI_IB_EVENT_CLIENT_REREGISTER = 17,
	KAPI_IB_EVENT_GID_CHANGE = 18,
};

/* What ib_query_port() says, in plain fields. */
struct kapi_ib_port_attr {
	kapi_u32 port_cap_flags;
	kapi_u32 max_msg_sz;
	kapi_s32 gid_tbl_len;
	kapi_u16 pkey_tbl_len;
	kapi_u32 lid;
	kapi_u32 sm_lid;
	kapi_u8 state;        /* enum kapi_ib_port_state */
	kapi_u8 phys_state;
	kapi_u8 max_mtu;      /* enum ib_mtu: 1=256 .. 5=4096 */
	kapi_u8 active_mtu;
	kapi_u8 lmc;
	kapi_u8 sm_sl;
	kapi_u8 active_width; /* IB_WIDTH_* bit */
	kapi_u16 active_speed; /* IB_SPEED_* bit */
	kapi_u8 link_layer;   /* enum kapi_ib_link_layer */
};

KAPI_BEGIN_DECLS

/*
 * Registers the module's ib_client. Its add/remove callbacks call the
 * driver's upcalls below, for every existing and future device.
 * Context: process; may sleep.
 */
int kapi_ib_register_client(void);
void kapi_ib_unregister_client(void);

/* Upcalls implemented in C++ (kern/ib.h binds them to the driver). */
int kapi_upcall_ib_add_one(struct kapi_ib_device *dev, void **client_data);
void kapi_upcall_ib_remove_one(struct kapi_ib_device *dev, void *client_data);
/* Asynchronous event on a device the client is bound to. Context: atomic. */
void kapi_upcall_ib_event(struct kapi_ib_device *dev, void *client_data,
			  enum kapi_ib_event event, kapi_u32 port);

/*
 * Per-device asynchronous event handler. Events are delivered through
 * kapi_upcall_ib_event() with the client data given at registration.
 * Storage is allocated by the glue. Context: process.
 */
struct kapi_ib_event_handler;
int kapi_ib_register_event_handler(struct kapi_ib_device *dev, void *client_data,
				   struct kapi_ib_event_handler **out);
void kapi_ib_unregister_event_handler(struct kapi_ib_event_handler *h);

/* Queries. Context: process unless stated. */
const char *kapi_ib_device_name(const struct kapi_ib_device *dev); /* any context */
kapi_u32 kapi_ib_port_count(const struct kapi_ib_device *dev);     /* any context */
/* rdma_protocol_ib(): the port speaks the IB transport. Any context. */
int kapi_ib_port_is_ib(const struct kapi_ib_device *dev, kapi_u32 port);
int kapi_ib_query_port(struct kapi_ib_device *dev, kapi_u32 port, struct kapi_ib_port_attr *out);
/* GID at index (16 bytes, network order). */
int kapi_ib_query_gid(struct kapi_ib_device *dev, kapi_u32 port, int index, kapi_u8 gid[16]);
int kapi_ib_query_pkey(struct kapi_ib_device *dev, kapi_u32 port, kapi_u16 index, kapi_u16 *pkey);
/* Node GUID in network byte order, as 8 bytes. */
void kapi_ib_node_guid(const struct kapi_ib_device *dev, kapi_u8 guid[8]);
/* Firmware version string (may be empty). */
void kapi_ib_fw_version(struct kapi_ib_device *dev, char *buf, kapi_size len);

KAPI_END_DECLS
#endif
