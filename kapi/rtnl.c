// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The "ipoib" rtnl_link_ops (in-tree ipoib_netlink.c) with trampolines
 * that parse the attributes and make one upcall each. See
 * include/kapi/rtnl.h for the newlink/dellink ownership rules.
 */
#include <linux/if_link.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/netlink.h>
#include <net/netlink.h>
#include <net/rtnetlink.h>

#include "kapi/rtnl.h"
#include "glue_internal.h"

#define EXTACK(a) ((struct netlink_ext_ack *)(a))
#define KEXTACK(a) ((struct kapi_ext_ack *)(a))

static const struct nla_policy kapi_ipoib_policy[IFLA_IPOIB_MAX + 1] = {
	[IFLA_IPOIB_PKEY] = { .type = NLA_U16 },
	[IFLA_IPOIB_MODE] = { .type = NLA_U16 },
	[IFLA_IPOIB_UMCAST] = { .type = NLA_U16 },
};

/* data is NULL without IFLA_INFO_DATA; the core has checked the types. */
static void kapi_link_attrs_parse(struct nlattr *data[], struct kapi_link_attrs *out)
{
	memset(out, 0, sizeof(*out));
	if (!data)
		return;
	if (data[IFLA_IPOIB_PKEY]) {
		out->has_pkey = 1;
		out->pkey = nla_get_u16(data[IFLA_IPOIB_PKEY]);
	}
	if (data[IFLA_IPOIB_MODE]) {
		out->has_mode = 1;
		out->mode = nla_get_u16(data[IFLA_IPOIB_MODE]);
	}
	if (data[IFLA_IPOIB_UMCAST]) {
		out->has_umcast = 1;
		out->umcast = nla_get_u16(data[IFLA_IPOIB_UMCAST]);
	}
}

/* src_net: the requester's namespace, or IFLA_LINK_NETNSID's. */
static int kapi_rtnl_newlink(struct net *src_net, struct net_device *dev, struct nlattr *tb[],
			     struct nlattr *data[], struct netlink_ext_ack *extack)
{
	struct net_device *parent = NULL;
	struct kapi_link_attrs attrs;
	int has_link = tb[IFLA_LINK] != NULL;

	if (has_link) {
		parent = __dev_get_by_index(src_net, nla_get_u32(tb[IFLA_LINK]));
		if (parent && parent->netdev_ops != &kapi_netdev_ops)
			parent = NULL;
	}
	kapi_link_attrs_parse(data, &attrs);
	return kapi_upcall_rtnl_newlink(KND(dev), has_link, KND(parent), &attrs, KEXTACK(extack));
}

static int kapi_rtnl_changelink(struct net_device *dev, struct nlattr *tb[], struct nlattr *data[],
				struct netlink_ext_ack *extack)
{
	struct kapi_link_attrs attrs;

	kapi_link_attrs_parse(data, &attrs);
	return kapi_upcall_rtnl_changelink(owner_of(dev), KND(dev), &attrs, KEXTACK(extack));
}

static void kapi_rtnl_dellink(struct net_device *dev, struct list_head *head)
{
	if (kapi_upcall_rtnl_dellink(owner_of(dev), KND(dev)))
		unregister_netdevice_queue(dev, head);
}

static size_t kapi_rtnl_get_size(const struct net_device *dev)
{
	return 3 * nla_total_size(sizeof(u16)); /* PKEY, MODE, UMCAST */
}

static int kapi_rtnl_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	struct kapi_link_info info = {};

	kapi_upcall_rtnl_fill_info(owner_of(dev), KND(dev), &info);
	if (nla_put_u16(skb, IFLA_IPOIB_PKEY, info.pkey) ||
	    nla_put_u16(skb, IFLA_IPOIB_MODE, info.mode) ||
	    nla_put_u16(skb, IFLA_IPOIB_UMCAST, info.umcast))
		return -EMSGSIZE;
	return 0;
}

/*
 * Queues of an rtnl-created device: allocated as in-tree (one per
 * possible CPU, at most 128, which `ip -d link` reports as numtxqueues),
 * while kapi_netdev_adopt() sets one real queue each way, as ours
 * transmits and receives on one.
 */
static unsigned int kapi_rtnl_num_queues(void)
{
	return min_t(unsigned int, num_possible_cpus(), 128);
}

struct rtnl_link_ops kapi_rtnl_link_ops __read_mostly = {
	.kind = "ipoib",
	.netns_refund = true,
	.maxtype = IFLA_IPOIB_MAX,
	.policy = kapi_ipoib_policy,
	.priv_size = sizeof(struct kapi_netdev_priv),
	.setup = kapi_netdev_setup,
	.newlink = kapi_rtnl_newlink,
	.changelink = kapi_rtnl_changelink,
	.dellink = kapi_rtnl_dellink,
	.get_size = kapi_rtnl_get_size,
	.fill_info = kapi_rtnl_fill_info,
	.get_num_tx_queues = kapi_rtnl_num_queues,
	.get_num_rx_queues = kapi_rtnl_num_queues,
};

int kapi_rtnl_link_register(void)
{
	return rtnl_link_register(&kapi_rtnl_link_ops);
}

void kapi_rtnl_link_unregister(void)
{
	rtnl_link_unregister(&kapi_rtnl_link_ops);
}

/* NL_SET_ERR_MSG() wants a literal at the call site; this is its body. */
void kapi_ext_ack_set_msg(struct kapi_ext_ack *ack, const char *msg)
{
	do_trace_netlink_extack(msg);
	if (ack)
		EXTACK(ack)->_msg = msg;
}

/* `ip link add ... type ipoib` autoloads this module. */
MODULE_ALIAS_RTNL_LINK("ipoib");
