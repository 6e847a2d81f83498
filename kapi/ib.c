// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ib_core shims: the ib_client trampolines, per-device event handlers
 * and device/port queries, copied into plain kapi structs.
 */
#include <linux/slab.h>
#include <rdma/ib_verbs.h>
#include <rdma/ib_cache.h>

#include "kapi/ib.h"

static_assert((int)KAPI_IB_PORT_ACTIVE == (int)IB_PORT_ACTIVE);
static_assert((int)KAPI_IB_PORT_DOWN == (int)IB_PORT_DOWN);
static_assert((int)KAPI_IB_LINK_LAYER_INFINIBAND == (int)IB_LINK_LAYER_INFINIBAND);
static_assert((int)KAPI_IB_EVENT_PORT_ACTIVE == (int)IB_EVENT_PORT_ACTIVE);
static_assert((int)KAPI_IB_EVENT_PORT_ERR == (int)IB_EVENT_PORT_ERR);
static_assert((int)KAPI_IB_EVENT_LID_CHANGE == (int)IB_EVENT_LID_CHANGE);
static_assert((int)KAPI_IB_EVENT_PKEY_CHANGE == (int)IB_EVENT_PKEY_CHANGE);
static_assert((int)KAPI_IB_EVENT_SM_CHANGE == (int)IB_EVENT_SM_CHANGE);
static_assert((int)KAPI_IB_EVENT_CLIENT_REREGISTER == (int)IB_EVENT_CLIENT_REREGISTER);
static_assert((int)KAPI_IB_EVENT_GID_CHANGE == (int)IB_EVENT_GID_CHANGE);

#define IBDEV(d) ((struct ib_device *)(d))

static struct ib_client kapi_ib_client;

static int kapi_ib_add_one(struct ib_device *device)
{
	void *data = NULL;
	int rc;

	rc = kapi_upcall_ib_add_one((struct kapi_ib_device *)device, &data);
	if (rc)
		return rc;
	ib_set_client_data(device, &kapi_ib_client, data);
	return 0;
}

static void kapi_ib_remove_one(struct ib_device *device, void *client_data)
{
	kapi_upcall_ib_remove_one((struct kapi_ib_device *)device, client_data);
}

static struct ib_client kapi_ib_client = {
	.name = KBUILD_MODNAME,
	.add = kapi_ib_add_one,
	.remove = kapi_ib_remove_one,
};

int kapi_ib_register_client(void)
{
	return ib_register_client(&kapi_ib_client);
}

void kapi_ib_unregister_client(void)
{
	ib_unregister_client(&kapi_ib_client);
}

struct kapi_ib_event_handler {
	struct ib_event_handler handler;
	void *client_data;
};

static void kapi_ib_event_trampoline(struct ib_event_handler *handler, struct ib_event *event)
{
	struct kapi_ib_event_handler *h =
		container_of(handler, struct kapi_ib_event_handler, handler);
	u32 port = 0;

	switch (event->event) {
	case IB_EVENT_PORT_ACTIVE:
	case IB_EVENT_PORT_ERR:
	case IB_EVENT_LID_CHANGE:
	case IB_EVENT_PKEY_CHANGE:
	case IB_EVENT_SM_CHANGE:
	case IB_EVENT_CLIENT_REREGISTER:
	case IB_EVENT_GID_CHANGE:
		port = event->element.port_num;
		break;
	default:
		/* QP/CQ/SRQ events arrive through their own handlers. */
		return;
	}
	kapi_upcall_ib_event((struct kapi_ib_device *)event->device, h->client_data,
			     (enum kapi_ib_event)event->event, port);
}

int kapi_ib_register_event_handler(struct kapi_ib_device *dev, void *client_data,
				   struct kapi_ib_event_handler **out)
{
	struct kapi_ib_event_handler *h = kzalloc(sizeof(*h), GFP_KERNEL);

	if (!h)
		return -ENOMEM;
	h->client_data = client_data;
	INIT_IB_EVENT_HANDLER(&h->handler, IBDEV(dev), kapi_ib_event_trampoline);
	ib_register_event_handler(&h->handler);
	*out = h;
	return 0;
}

void kapi_ib_unregister_event_handler(struct kapi_ib_event_handler *h)
{
	if (!h)
		return;
	ib_unregister_event_handler(&h->handler);
	kfree(h);
}

const char *kapi_ib_device_name(const struct kapi_ib_device *dev)
{
	return dev_name(&IBDEV(dev)->dev);
}

u32 kapi_ib_port_count(const struct kapi_ib_device *dev)
{
	return rdma_end_port(IBDEV(dev)) - rdma_start_port(IBDEV(dev)) + 1;
}

int kapi_ib_port_is_ib(const struct kapi_ib_device *dev, u32 port)
{
	return rdma_protocol_ib(IBDEV(dev), port);
}

int kapi_ib_query_port(struct kapi_ib_device *dev, u32 port, struct kapi_ib_port_attr *out)
{
	struct ib_port_attr attr;
	int rc;

	rc = ib_query_port(IBDEV(dev), port, &attr);
	if (rc)
		return rc;
	out->port_cap_flags = attr.port_cap_flags;
	out->max_msg_sz = attr.max_msg_sz;
	out->gid_tbl_len = attr.gid_tbl_len;
	out->pkey_tbl_len = attr.pkey_tbl_len;
	out->lid = attr.lid;
	out->sm_lid = attr.sm_lid;
	out->state = attr.state;
	out->phys_state = attr.phys_state;
	out->max_mtu = attr.max_mtu;
	out->active_mtu = attr.active_mtu;
	out->lmc = attr.lmc;
	out->sm_sl = attr.sm_sl;
	out->active_width = attr.active_width;
	out->active_speed = attr.active_speed;
	out->link_layer = rdma_port_get_link_layer(IBDEV(dev), port);
	return 0;
}

int kapi_ib_query_gid(struct kapi_ib_device *dev, u32 port, int index, u8 gid[16])
{
	union ib_gid g;
	int rc;

	rc = rdma_query_gid(IBDEV(dev), port, index, &g);
	if (rc)
		return rc;
	memcpy(gid, g.raw, sizeof(g.raw));
	return 0;
}

int kapi_ib_query_pkey(struct kapi_ib_device *dev, u32 port, u16 index, u16 *pkey)
{
	return ib_query_pkey(IBDEV(dev), port, index, pkey);
}

void kapi_ib_node_guid(const struct kapi_ib_device *dev, u8 guid[8])
{
	memcpy(guid, &IBDEV(dev)->node_guid, 8);
}

void kapi_ib_fw_version(struct kapi_ib_device *dev, char *buf, size_t len)
{
	if (!len)
		return;
	buf[0] = '\0';
	if (len >= IB_FW_VERSION_NAME_MAX)
		ib_get_device_fw_str(IBDEV(dev), buf);
}
