// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Net-core shims: the IPoIB net_device (allocation, registration, state),
 * the net_device_ops / header_ops / netdevice-notifier trampolines, and
 * NAPI. Each trampoline reads the owner pointer from the netdev's priv
 * and makes exactly one upcall; see include/kapi/netdev.h.
 */
#include <linux/netdevice.h>
#include <linux/if_arp.h>
#include <linux/if_infiniband.h>
#include <linux/rtnetlink.h>
#include <linux/string.h>
#include <linux/jiffies.h>
#include <linux/capability.h>
#include <net/arp.h>
#include <linux/version.h>
#include <net/net_namespace.h>
#include <net/pkt_sched.h>
#include <rdma/ib_verbs.h>

#include "kapi/netdev.h"
#include "glue_internal.h"

/* Mirrored constants. */
static_assert(KAPI_NETDEV_NAME_LEN == IFNAMSIZ);
static_assert(KAPI_NETDEV_ADDR_LEN == INFINIBAND_ALEN);
static_assert(KAPI_NETDEV_ADDR_LEN <= MAX_ADDR_LEN);
static_assert(KAPI_NETIF_F_SG == NETIF_F_SG);
static_assert(KAPI_NETIF_F_IP_CSUM == NETIF_F_IP_CSUM);
static_assert(KAPI_NETIF_F_IPV6_CSUM == NETIF_F_IPV6_CSUM);
static_assert(KAPI_NETIF_F_HIGHDMA == NETIF_F_HIGHDMA);
static_assert(KAPI_NETIF_F_VLAN_CHALLENGED == NETIF_F_VLAN_CHALLENGED);
static_assert(KAPI_NETIF_F_TSO == NETIF_F_TSO);
static_assert(KAPI_NETIF_F_RXCSUM == NETIF_F_RXCSUM);
static_assert(sizeof(netdev_features_t) == sizeof(kapi_u64));
static_assert(KAPI_IFF_UP == IFF_UP);
static_assert(KAPI_IFF_BROADCAST == IFF_BROADCAST);
static_assert(KAPI_IFF_RUNNING == IFF_RUNNING);
static_assert(KAPI_IFF_PROMISC == IFF_PROMISC);
static_assert(KAPI_IFF_ALLMULTI == IFF_ALLMULTI);
static_assert(KAPI_IFF_MULTICAST == IFF_MULTICAST);
static_assert((int)KAPI_NETDEV_TX_OK == (int)NETDEV_TX_OK);
static_assert((int)KAPI_NETDEV_TX_BUSY == (int)NETDEV_TX_BUSY);
static_assert((int)KAPI_NETDEV_EVENT_REGISTER == (int)NETDEV_REGISTER);
static_assert((int)KAPI_NETDEV_EVENT_UNREGISTER == (int)NETDEV_UNREGISTER);
static_assert((int)KAPI_NETDEV_EVENT_CHANGENAME == (int)NETDEV_CHANGENAME);
static_assert(sizeof(struct napi_struct) <= KAPI_NAPI_BYTES);
static_assert(__alignof__(struct napi_struct) <= 8);

/* The RFC 4391 encapsulation header (struct ipoib_header in-tree). */
struct kapi_ipoib_encap {
	__be16 proto;
	u16 reserved;
};
static_assert(sizeof(struct kapi_ipoib_encap) == 4);
static_assert(KAPI_NETDEV_HARD_HEADER_LEN == INFINIBAND_ALEN + sizeof(struct kapi_ipoib_encap));

#define NAPI(n) ((struct napi_struct *)(n)->opaque)

/* ---- Trampolines ---------------------------------------------------- */

/* Runs inside register_netdevice(), before the core adds the device to sysfs. */
static int kapi_ndo_init(struct net_device *dev)
{
	int rc = kapi_upcall_netdev_init(owner_of(dev), KND(dev));

	if (rc)
		return rc;
	kapi_netdev_sysfs_prepare(dev);
	return 0;
}

static void kapi_ndo_uninit(struct net_device *dev)
{
	kapi_upcall_netdev_uninit(owner_of(dev), KND(dev));
}

static int kapi_ndo_open(struct net_device *dev)
{
	return kapi_upcall_netdev_open(owner_of(dev), KND(dev));
}

static int kapi_ndo_stop(struct net_device *dev)
{
	return kapi_upcall_netdev_stop(owner_of(dev), KND(dev));
}

static netdev_tx_t kapi_ndo_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	return (netdev_tx_t)kapi_upcall_netdev_start_xmit(owner_of(dev), KND(dev),
							  (struct kapi_skb *)skb,
							  skb_get_queue_mapping(skb));
}

static int kapi_ndo_change_mtu(struct net_device *dev, int new_mtu)
{
	return kapi_upcall_netdev_change_mtu(owner_of(dev), KND(dev), new_mtu);
}

static void kapi_ndo_set_rx_mode(struct net_device *dev)
{
	kapi_upcall_netdev_set_rx_mode(owner_of(dev), KND(dev));
}

static void kapi_ndo_get_stats64(struct net_device *dev, struct rtnl_link_stats64 *stats)
{
	struct kapi_link_stats s = {};

	kapi_upcall_netdev_get_stats(owner_of(dev), KND(dev), &s);
	stats->rx_packets = s.rx_packets;
	stats->tx_packets = s.tx_packets;
	stats->rx_bytes = s.rx_bytes;
	stats->tx_bytes = s.tx_bytes;
	stats->rx_errors = s.rx_errors;
	stats->tx_errors = s.tx_errors;
	stats->rx_dropped = s.rx_dropped;
	stats->tx_dropped = s.tx_dropped;
	stats->multicast = s.multicast;
}

/*
 * addr is a sockaddr_storage-sized buffer whose family the core has
 * checked against dev->type; the 20-byte address follows the family.
 */
static int kapi_ndo_set_mac_address(struct net_device *dev, void *addr)
{
	struct sockaddr_storage *ss = addr;

	return kapi_upcall_netdev_set_mac_address(owner_of(dev), KND(dev),
						  (const kapi_u8 *)ss->__data);
}

static void kapi_ndo_tx_timeout(struct net_device *dev, unsigned int txqueue)
{
	kapi_upcall_netdev_tx_timeout(owner_of(dev), KND(dev), txqueue);
}

static netdev_features_t kapi_ndo_fix_features(struct net_device *dev, netdev_features_t features)
{
	return kapi_upcall_netdev_fix_features(owner_of(dev), KND(dev), features);
}

static int kapi_ndo_get_iflink(const struct net_device *dev)
{
	return kapi_upcall_netdev_get_iflink(owner_of(dev), KND(dev));
}

const struct net_device_ops kapi_netdev_ops = {
	.ndo_init = kapi_ndo_init,
	.ndo_uninit = kapi_ndo_uninit,
	.ndo_open = kapi_ndo_open,
	.ndo_stop = kapi_ndo_stop,
	.ndo_start_xmit = kapi_ndo_start_xmit,
	.ndo_change_mtu = kapi_ndo_change_mtu,
	.ndo_set_rx_mode = kapi_ndo_set_rx_mode,
	.ndo_get_stats64 = kapi_ndo_get_stats64,
	.ndo_set_mac_address = kapi_ndo_set_mac_address,
	.ndo_tx_timeout = kapi_ndo_tx_timeout,
	.ndo_fix_features = kapi_ndo_fix_features,
	.ndo_get_iflink = kapi_ndo_get_iflink,
};

/*
 * header_ops.create: encap header, then the destination as a pseudo
 * header (b7). With no destination (a SOCK_DGRAM packet socket sending
 * without an address) the in-tree driver dereferences NULL; we push a
 * zeroed pseudo header and return the negated length, which the caller
 * treats as "header incomplete" and drops, as eth_header() does.
 */
static int kapi_header_create(struct sk_buff *skb, struct net_device *dev, unsigned short type,
			      const void *daddr, const void *saddr, unsigned int len)
{
	struct kapi_ipoib_encap *hdr;
	u8 *phdr;

	hdr = skb_push(skb, sizeof(*hdr));
	hdr->proto = htons(type);
	hdr->reserved = 0;

	phdr = skb_push(skb, INFINIBAND_ALEN);
	if (unlikely(!daddr)) {
		memset(phdr, 0, INFINIBAND_ALEN);
		return -KAPI_NETDEV_HARD_HEADER_LEN;
	}
	memcpy(phdr, daddr, INFINIBAND_ALEN);
	return KAPI_NETDEV_HARD_HEADER_LEN;
}

static const struct header_ops kapi_header_ops = {
	.create = kapi_header_create,
};

static int kapi_netdev_notify(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	/* No owner: a failed registration being dismantled (see register_core). */
	if (dev->netdev_ops != &kapi_netdev_ops || !owner_of(dev))
		return NOTIFY_DONE;

	switch (event) {
	case NETDEV_REGISTER:
	case NETDEV_UNREGISTER:
	case NETDEV_CHANGENAME:
		kapi_upcall_netdev_event(owner_of(dev), KND(dev), (enum kapi_netdev_event)event);
		break;
	default:
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block kapi_netdev_notifier = {
	.notifier_call = kapi_netdev_notify,
};

int kapi_netdev_register_notifier(void)
{
	return register_netdevice_notifier(&kapi_netdev_notifier);
}

void kapi_netdev_unregister_notifier(void)
{
	unregister_netdevice_notifier(&kapi_netdev_notifier);
}

/* ---- Lifetime ------------------------------------------------------- */

/*
 * Fixed IPoIB shape (ipoib_setup_common() in-tree); the rest comes from
 * the config. Also rtnl_link_ops.setup, so devices `ip link add` creates
 * get the same shape (with the owner still NULL).
 */
void kapi_netdev_setup(struct net_device *dev)
{
	dev->netdev_ops = &kapi_netdev_ops;
	dev->rtnl_link_ops = &kapi_rtnl_link_ops;
	dev->header_ops = &kapi_header_ops;
	dev->ethtool_ops = &kapi_ethtool_ops;
	dev->type = ARPHRD_INFINIBAND;
	dev->addr_len = INFINIBAND_ALEN;
	dev->hard_header_len = KAPI_NETDEV_HARD_HEADER_LEN;
	dev->flags |= IFF_BROADCAST | IFF_MULTICAST;
	/* Non-zero here, or alloc_netdev() marks the device IFF_NO_QUEUE (no qdisc). */
	dev->tx_queue_len = DEFAULT_TX_QUEUE_LEN;
	netif_keep_dst(dev);
}

static int kapi_netdev_link_parent(struct net_device *dev, const struct kapi_netdev_config *cfg)
{
	struct ib_device *ib = (struct ib_device *)cfg->parent;

	switch (cfg->parent_kind) {
	case KAPI_NETDEV_PARENT_NONE:
		return 0;
	case KAPI_NETDEV_PARENT_BUS:
		if (!ib || !ib->dev.parent)
			return -ENODEV;
		SET_NETDEV_DEV(dev, ib->dev.parent);
		return 0;
	case KAPI_NETDEV_PARENT_IBDEV:
		if (!ib)
			return -EINVAL;
		SET_NETDEV_DEV(dev, &ib->dev);
		return 0;
	default:
		return -EINVAL;
	}
}

/* Everything in cfg but the name, the namespace and the owner. */
static int kapi_netdev_apply_config(struct net_device *dev, const struct kapi_netdev_config *cfg)
{
	int rc;

	rc = kapi_netdev_link_parent(dev, cfg);
	if (rc)
		return rc;

	dev->mtu = cfg->mtu;
	dev->min_mtu = cfg->min_mtu;
	dev->max_mtu = cfg->max_mtu;
	if (cfg->tx_queue_len)
		dev->tx_queue_len = cfg->tx_queue_len;
	if (cfg->watchdog_ms)
		dev->watchdog_timeo = msecs_to_jiffies(cfg->watchdog_ms);
	dev->features = cfg->features;
	dev->hw_features = cfg->hw_features;
	dev->dev_port = cfg->dev_port;
	dev->dev_id = cfg->dev_id;
	if (cfg->live_addr_change)
		dev->priv_flags |= IFF_LIVE_ADDR_CHANGE;
	dev_addr_set(dev, cfg->dev_addr);
	memcpy(dev->broadcast, cfg->broadcast, INFINIBAND_ALEN);
	return 0;
}

int kapi_netdev_alloc(const struct kapi_netdev_config *cfg, void *owner, struct kapi_netdev **out)
{
	struct net_device *dev;
	size_t name_len;
	int rc;

	if (!owner || !cfg->name)
		return -EINVAL;
	/* alloc_netdev() BUG()s on a name that does not fit. */
	name_len = strnlen(cfg->name, IFNAMSIZ);
	if (name_len == 0 || name_len >= IFNAMSIZ)
		return -EINVAL;

	dev = alloc_netdev_mqs(sizeof(struct kapi_netdev_priv), cfg->name, NET_NAME_UNKNOWN,
			       kapi_netdev_setup, max_t(unsigned int, cfg->num_tx_queues, 1), 1);
	if (!dev)
		return -ENOMEM;
	rc = netif_set_real_num_tx_queues(dev, 1);
	if (rc) {
		free_netdev(dev);
		return rc;
	}

	rc = kapi_netdev_apply_config(dev, cfg);
	if (rc) {
		free_netdev(dev);
		return rc;
	}
	if (cfg->same_net_as)
		dev_net_set(dev, dev_net(CND(cfg->same_net_as)));
	kapi_priv(dev)->owner = owner;

	*out = KND(dev);
	return 0;
}

/* In-tree ipoib_setup_common(): HZ on 6.1, 10 * HZ by 6.12. */
kapi_u32 kapi_netdev_intree_watchdog_ms(void)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	return 10000;
#else
	return 1000;
#endif
}

int kapi_netdev_adopt(struct kapi_netdev *kdev, const struct kapi_netdev_config *cfg, void *owner)
{
	struct net_device *dev = ND(kdev);
	int rc;

	ASSERT_RTNL();
	if (!owner || dev->netdev_ops != &kapi_netdev_ops || dev->reg_state != NETREG_UNINITIALIZED)
		return -EINVAL;
	rc = kapi_netdev_apply_config(dev, cfg);
	if (rc)
		return rc;
	/* The core allocated get_num_*_queues (kapi/rtnl.c); one of each is used. */
	rc = netif_set_real_num_tx_queues(dev, 1);
	if (!rc)
		rc = netif_set_real_num_rx_queues(dev, 1);
	if (rc)
		return rc;
	kapi_priv(dev)->owner = owner;
	return 0;
}

void kapi_netdev_free(struct kapi_netdev *dev)
{
	free_netdev(ND(dev));
}

void *kapi_netdev_owner(const struct kapi_netdev *dev)
{
	return owner_of(CND(dev));
}

int kapi_netdev_register(struct kapi_netdev *dev)
{
	return register_netdev(ND(dev));
}

int kapi_netdev_register_locked(struct kapi_netdev *dev)
{
	return register_netdevice(ND(dev));
}

/* The core's: netdev_run_todo() calls this, then free_netdev(). */
static void kapi_netdev_priv_destructor(struct net_device *dev)
{
	kapi_upcall_netdev_destruct(owner_of(dev), KND(dev));
	kapi_priv(dev)->owner = NULL;
}

/*
 * needs_free_netdev/priv_destructor only after success: a failed
 * register_netdevice() may unregister the device it half-registered, and
 * netdev_run_todo() would then call the destructor.
 */
static int kapi_netdev_register_core_rtnl(struct net_device *dev)
{
	int rc;

	if (!owner_of(dev))
		return -EINVAL;
	rc = register_netdevice(dev);
	if (rc) {
		kapi_priv(dev)->owner = NULL;
		return rc;
	}
	dev->needs_free_netdev = true;
	dev->priv_destructor = kapi_netdev_priv_destructor;
	return 0;
}

int kapi_netdev_register_core(struct kapi_netdev *dev)
{
	int rc;

	/* As register_netdev() does. */
	if (rtnl_lock_killable())
		return -EINTR;
	rc = kapi_netdev_register_core_rtnl(ND(dev));
	rtnl_unlock();
	return rc;
}

int kapi_netdev_register_core_locked(struct kapi_netdev *dev)
{
	ASSERT_RTNL();
	return kapi_netdev_register_core_rtnl(ND(dev));
}

void kapi_netdev_unregister(struct kapi_netdev *dev)
{
	unregister_netdev(ND(dev));
}

void kapi_netdev_unregister_locked(struct kapi_netdev *dev)
{
	unregister_netdevice(ND(dev));
}

int kapi_netdev_net_admin_capable(const struct kapi_netdev *dev)
{
	return ns_capable(dev_net(CND(dev))->user_ns, CAP_NET_ADMIN);
}

int kapi_netdev_same_netns(const struct kapi_netdev *a, const struct kapi_netdev *b)
{
	return net_eq(dev_net(CND(a)), dev_net(CND(b)));
}

void kapi_netdev_hold(struct kapi_netdev *dev)
{
	dev_hold(ND(dev));
}

void kapi_netdev_put(struct kapi_netdev *dev)
{
	dev_put(ND(dev));
}

/* ---- rtnl ----------------------------------------------------------- */

void kapi_rtnl_lock(void)
{
	rtnl_lock();
}

void kapi_rtnl_unlock(void)
{
	rtnl_unlock();
}

int kapi_rtnl_trylock(void)
{
	return rtnl_trylock();
}

void kapi_rtnl_assert(void)
{
	ASSERT_RTNL();
}

int kapi_rtnl_is_locked(void)
{
	return rtnl_is_locked();
}

/* ---- State ---------------------------------------------------------- */

void kapi_netif_carrier_on(struct kapi_netdev *dev)
{
	netif_carrier_on(ND(dev));
}

void kapi_netif_carrier_off(struct kapi_netdev *dev)
{
	netif_carrier_off(ND(dev));
}

int kapi_netif_carrier_ok(const struct kapi_netdev *dev)
{
	return netif_carrier_ok(CND(dev));
}

int kapi_netif_running(const struct kapi_netdev *dev)
{
	return netif_running(CND(dev));
}

void kapi_netif_start_queue(struct kapi_netdev *dev)
{
	netif_start_queue(ND(dev));
}

void kapi_netif_stop_queue(struct kapi_netdev *dev)
{
	netif_stop_queue(ND(dev));
}

void kapi_netif_wake_queue(struct kapi_netdev *dev)
{
	netif_wake_queue(ND(dev));
}

int kapi_netif_queue_stopped(const struct kapi_netdev *dev)
{
	return netif_queue_stopped(CND(dev));
}

void kapi_netif_subqueue_start(struct kapi_netdev *dev, kapi_u16 q)
{
	netif_tx_start_queue(netdev_get_tx_queue(ND(dev), q));
}

void kapi_netif_subqueue_stop(struct kapi_netdev *dev, kapi_u16 q)
{
	netif_tx_stop_queue(netdev_get_tx_queue(ND(dev), q));
}

void kapi_netif_subqueue_wake(struct kapi_netdev *dev, kapi_u16 q)
{
	netif_tx_wake_queue(netdev_get_tx_queue(ND(dev), q));
}

int kapi_netif_subqueue_stopped(const struct kapi_netdev *dev, kapi_u16 q)
{
	return netif_tx_queue_stopped(netdev_get_tx_queue(CND(dev), q));
}

void kapi_netif_tx_start_all(struct kapi_netdev *dev)
{
	netif_tx_start_all_queues(ND(dev));
}

void kapi_netif_tx_disable(struct kapi_netdev *dev)
{
	netif_tx_disable(ND(dev));
}

void kapi_netif_device_detach(struct kapi_netdev *dev)
{
	netif_device_detach(ND(dev));
}

void kapi_netif_device_attach(struct kapi_netdev *dev)
{
	netif_device_attach(ND(dev));
}

void kapi_netdev_tx_completed(struct kapi_netdev *dev, kapi_u16 q, kapi_u32 pkts, kapi_u32 bytes)
{
	netdev_tx_completed_queue(netdev_get_tx_queue(ND(dev), q), pkts, bytes);
}

void kapi_netdev_tx_reset(struct kapi_netdev *dev, kapi_u16 q)
{
	netdev_tx_reset_queue(netdev_get_tx_queue(ND(dev), q));
}

kapi_u32 kapi_netdev_num_tx_queues(const struct kapi_netdev *dev)
{
	return CND(dev)->num_tx_queues;
}

kapi_u32 kapi_netdev_real_num_tx_queues(const struct kapi_netdev *dev)
{
	return CND(dev)->real_num_tx_queues;
}

int kapi_netdev_set_xps_cpu(struct kapi_netdev *dev, kapi_u32 cpu, kapi_u16 q)
{
	if (cpu >= nr_cpu_ids || !cpu_possible(cpu))
		return -EINVAL;
	return netif_set_xps_queue(ND(dev), cpumask_of(cpu), q);
}

kapi_u32 kapi_num_online_cpus(void)
{
	return num_online_cpus();
}

kapi_u32 kapi_num_possible_cpus(void)
{
	return num_possible_cpus();
}

void kapi_netif_tx_lock_bh(struct kapi_netdev *dev)
	__acquires(dev)
{
	netif_tx_lock_bh(ND(dev));
	__acquire(dev); /* netif_tx_lock() is out of line and carries no sparse context */
}

void kapi_netif_tx_unlock_bh(struct kapi_netdev *dev)
	__releases(dev)
{
	__release(dev);
	netif_tx_unlock_bh(ND(dev));
}

/* ---- Getters -------------------------------------------------------- */

const char *kapi_netdev_name(const struct kapi_netdev *dev)
{
	return CND(dev)->name;
}

int kapi_netdev_ifindex(const struct kapi_netdev *dev)
{
	return CND(dev)->ifindex;
}

u32 kapi_netdev_mtu(const struct kapi_netdev *dev)
{
	return READ_ONCE(CND(dev)->mtu);
}

u32 kapi_netdev_max_mtu(const struct kapi_netdev *dev)
{
	return CND(dev)->max_mtu;
}

u32 kapi_netdev_flags(const struct kapi_netdev *dev)
{
	return READ_ONCE(CND(dev)->flags);
}

u64 kapi_netdev_features(const struct kapi_netdev *dev)
{
	return CND(dev)->features;
}

void kapi_netdev_hw_addr(const struct kapi_netdev *dev, u8 out[KAPI_NETDEV_ADDR_LEN])
{
	memcpy(out, CND(dev)->dev_addr, INFINIBAND_ALEN);
}

void kapi_netdev_broadcast(const struct kapi_netdev *dev, u8 out[KAPI_NETDEV_ADDR_LEN])
{
	memcpy(out, CND(dev)->broadcast, INFINIBAND_ALEN);
}

int kapi_netdev_live_addr_change(const struct kapi_netdev *dev)
{
	return !!(CND(dev)->priv_flags & IFF_LIVE_ADDR_CHANGE);
}

int kapi_netdev_mc_list(struct kapi_netdev *kdev, u8 *out, int max)
{
	struct net_device *dev = ND(kdev);
	struct netdev_hw_addr *ha;
	int n = 0;

	netif_addr_lock_bh(dev);
	netdev_for_each_mc_addr(ha, dev) {
		if (n < max)
			memcpy(out + (size_t)n * INFINIBAND_ALEN, ha->addr, INFINIBAND_ALEN);
		n++;
	}
	netif_addr_unlock_bh(dev);
	return n;
}

u32 kapi_arp_gc_interval_ms(void)
{
	return jiffies_to_msecs(READ_ONCE(arp_tbl.gc_interval));
}

u32 kapi_arp_gc_thresh3(void)
{
	int v = READ_ONCE(arp_tbl.gc_thresh3);

	return v > 0 ? (u32)v : 0;
}

/* ---- Setters -------------------------------------------------------- */

void kapi_netdev_set_mtu(struct kapi_netdev *dev, u32 mtu)
{
	WRITE_ONCE(ND(dev)->mtu, mtu);
}

int kapi_netdev_change_mtu(struct kapi_netdev *dev, int mtu)
{
	return dev_set_mtu(ND(dev), mtu);
}

void kapi_netdev_set_mtu_limits(struct kapi_netdev *dev, u32 min_mtu, u32 max_mtu)
{
	ND(dev)->min_mtu = min_mtu;
	ND(dev)->max_mtu = max_mtu;
}

int kapi_netdev_set_hw_addr(struct kapi_netdev *dev, u32 offset, const u8 *bytes, u32 len)
{
	if (offset > INFINIBAND_ALEN || len > INFINIBAND_ALEN - offset)
		return -EINVAL;
	dev_addr_mod(ND(dev), offset, bytes, len);
	return 0;
}

void kapi_netdev_set_broadcast(struct kapi_netdev *dev, const u8 addr[KAPI_NETDEV_ADDR_LEN])
{
	memcpy(ND(dev)->broadcast, addr, INFINIBAND_ALEN);
}

void kapi_netdev_set_features(struct kapi_netdev *dev, u64 features, u64 hw_features)
{
	ND(dev)->features = features;
	ND(dev)->hw_features = hw_features;
}

void kapi_netdev_offer_features(struct kapi_netdev *dev, u64 mask, u64 on)
{
	struct net_device *nd = ND(dev);

	ASSERT_RTNL();
	nd->hw_features = (nd->hw_features & ~mask) | on;
	nd->wanted_features = (nd->wanted_features & ~mask) | on;
}

void kapi_netdev_update_features(struct kapi_netdev *dev)
{
	netdev_update_features(ND(dev));
}

int kapi_netdev_change_flags(struct kapi_netdev *dev, unsigned int flags)
{
	return dev_change_flags(ND(dev), flags, NULL);
}

int kapi_netdev_set_real_num_tx_queues(struct kapi_netdev *dev, unsigned int n)
{
	return netif_set_real_num_tx_queues(ND(dev), n);
}

/* ---- NAPI ----------------------------------------------------------- */

static int kapi_napi_poll(struct napi_struct *napi, int budget)
{
	struct kapi_napi *n = container_of((void *)napi, struct kapi_napi, opaque);

	return n->fn(n, budget);
}

void kapi_napi_add(struct kapi_netdev *dev, struct kapi_napi *napi, kapi_napi_poll_fn fn, int weight)
{
	napi->fn = fn;
	netif_napi_add_weight(ND(dev), NAPI(napi), kapi_napi_poll, weight);
}

void kapi_napi_del(struct kapi_napi *napi)
{
	netif_napi_del(NAPI(napi));
}

void kapi_napi_enable(struct kapi_napi *napi)
{
	napi_enable(NAPI(napi));
}

void kapi_napi_disable(struct kapi_napi *napi)
{
	napi_disable(NAPI(napi));
}

int kapi_napi_schedule(struct kapi_napi *napi)
{
	if (!napi_schedule_prep(NAPI(napi)))
		return 0;
	__napi_schedule(NAPI(napi));
	return 1;
}

int kapi_napi_complete_done(struct kapi_napi *napi, int work_done)
{
	return napi_complete_done(NAPI(napi), work_done);
}
