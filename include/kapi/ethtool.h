/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kapi/ethtool.h - the IPoIB ethtool_ops: one static table in
 * kapi/ethtool.c, installed on every device we set up (kapi/netdev.c),
 * whose members are C trampolines calling the fixed-name upcalls below
 * with the netdev's owner pointer, as for net_device_ops. The table
 * declares what the core may ask for: RX coalescing (rx-usecs, rx-frames
 * and adaptive-rx only; the core answers -EOPNOTSUPP for any other -C
 * field),
 * drvinfo, link settings, the ETH_SS_STATS strings and values, and the
 * core's own get_link (carrier).
 *
 * A trampoline returns -ENODEV (or does nothing) for a device that is
 * no longer registered, so no upcall reaches an interface whose
 * resources ndo_uninit has released.
 *
 * Context of every upcall: process, rtnl held (the ioctl and the netlink
 * paths both take it); may sleep.
 */
#ifndef KAPI_ETHTOOL_H
#define KAPI_ETHTOOL_H
#include "types.h"

struct kapi_netdev;
struct kapi_ib_device;

/* uapi/linux/ethtool.h values (static_asserted in kapi/ethtool.c). */
#define KAPI_ETH_GSTRING_LEN 32
#define KAPI_ETHTOOL_INFO_LEN 32 /* each string of struct ethtool_drvinfo below */
#define KAPI_ETH_SS_STATS 1
#define KAPI_SPEED_UNKNOWN 0xffffffffu
#define KAPI_DUPLEX_FULL 0x01
#define KAPI_DUPLEX_UNKNOWN 0xff
#define KAPI_PORT_TP 0x00
#define KAPI_PORT_OTHER 0xff
#define KAPI_AUTONEG_ENABLE 0x01

/*
 * ethtool -i. version arrives holding the core's default (the kernel
 * release); the upcall may keep or replace it. All NUL-terminated.
 */
struct kapi_ethtool_drvinfo {
	char driver[KAPI_ETHTOOL_INFO_LEN];
	char version[KAPI_ETHTOOL_INFO_LEN];
	char fw_version[KAPI_ETHTOOL_INFO_LEN];
	char bus_info[KAPI_ETHTOOL_INFO_LEN];
};

/* The link settings ipoib fills; the core zeroes every other field. */
struct kapi_ethtool_link {
	kapi_u32 speed; /* Mb/s or KAPI_SPEED_UNKNOWN */
	kapi_u8 duplex;
	kapi_u8 port;
	kapi_u8 phy_address;
	kapi_u8 autoneg;
};

/* ethtool -c / -C: the fields the table declares supported. */
struct kapi_ethtool_coalesce {
	kapi_u32 rx_usecs;
	kapi_u32 rx_frames;
	kapi_u32 adaptive_rx; /* use_adaptive_rx_coalesce: 0 or 1 */
};

/* ethtool -g / -G: the RX and TX ring sizes (mini and jumbo rings: none). */
struct kapi_ethtool_rings {
	kapi_u32 rx_max;
	kapi_u32 tx_max;
	kapi_u32 rx;
	kapi_u32 tx;
};

/* ethtool -l / -L: separate RX and TX channels (no combined, no other). */
struct kapi_ethtool_channels {
	kapi_u32 max_rx;
	kapi_u32 max_tx;
	kapi_u32 rx;
	kapi_u32 tx;
};

KAPI_BEGIN_DECLS

/*
 * dev_name() of the HCA's parent device (the PCI function of a real HCA)
 * into buf, or "" if it has none (a software HCA). Always NUL-terminates
 * when len > 0. Context: any.
 */
void kapi_ethtool_ib_bus_info(struct kapi_ib_device *ib, char *buf, kapi_size len);

/* ---- Upcalls implemented in C++ (KERN_ETHTOOL_OPS in kern/ethtool.h) ---- */

void kapi_upcall_ethtool_get_drvinfo(void *owner, struct kapi_netdev *dev, struct kapi_ethtool_drvinfo *info);
/* out arrives zeroed. Returns 0 or a negative errno. */
int kapi_upcall_ethtool_get_link_ksettings(void *owner, struct kapi_netdev *dev, struct kapi_ethtool_link *out);
int kapi_upcall_ethtool_get_coalesce(void *owner, struct kapi_netdev *dev, struct kapi_ethtool_coalesce *out);
/* The core has already refused fields outside rx-usecs/rx-frames/adaptive-rx. */
int kapi_upcall_ethtool_set_coalesce(void *owner, struct kapi_netdev *dev, const struct kapi_ethtool_coalesce *in);
/* Number of strings in set sset (KAPI_ETH_SS_*), or -EOPNOTSUPP. */
int kapi_upcall_ethtool_get_sset_count(void *owner, struct kapi_netdev *dev, int sset);
/* data holds get_sset_count(sset) * KAPI_ETH_GSTRING_LEN bytes. */
void kapi_upcall_ethtool_get_strings(void *owner, struct kapi_netdev *dev, kapi_u32 sset, kapi_u8 *data);
/* data holds get_sset_count(KAPI_ETH_SS_STATS) values. */
void kapi_upcall_ethtool_get_stats(void *owner, struct kapi_netdev *dev, kapi_u64 *data);
/* -g: out arrives zeroed. -G: the core has refused values above the maximums -g reported. */
void kapi_upcall_ethtool_get_rings(void *owner, struct kapi_netdev *dev, struct kapi_ethtool_rings *out);
int kapi_upcall_ethtool_set_rings(void *owner, struct kapi_netdev *dev, const struct kapi_ethtool_rings *in);
/* -l; -L: the core has refused counts above the maximums and a zero RX or TX count. */
void kapi_upcall_ethtool_get_channels(void *owner, struct kapi_netdev *dev, struct kapi_ethtool_channels *out);
int kapi_upcall_ethtool_set_channels(void *owner, struct kapi_netdev *dev, const struct kapi_ethtool_channels *in);

KAPI_END_DECLS
#endif /* KAPI_ETHTOOL_H */
