/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/rtnl_link.h - the "ipoib" rtnl_link_ops from C++: link attributes,
 * the netlink extended ack, the registration, and the binding of the
 * newlink/changelink/dellink/fill_info upcalls to a driver class.
 *
 * The ops table is a static struct in kapi/rtnl.c (kind "ipoib", policy,
 * netns_refund, the same setup and priv size as UniqueNetDev::create).
 * KERN_RTNL_LINK_OPS(Driver, Owner) defines its upcalls once, forwarding
 * to static members of Driver:
 *
 *     static Status rtnl_newlink(NetDev dev, bool has_link, NetDev parent,
 *                                const LinkAttrs &, ExtAck);
 *     static Status rtnl_changelink(Owner &, NetDev, const LinkAttrs &, ExtAck);
 *     static bool rtnl_dellink(Owner &, NetDev);
 *     static void rtnl_fill_info(Owner &, NetDev, LinkInfo &);
 *
 * All run in process context with rtnl held (fill_info: must not sleep).
 *
 * newlink. dev was allocated by the core (owner not set, unregistered,
 * already in its target namespace, name set). parent is the IFLA_LINK
 * device if it is one of ours, else null (has_link: IFLA_LINK was given).
 * The usual body: check, create the owner, dev.adopt(cfg, owner),
 * dev.register_adopted(). Ownership on each exit:
 *   - error before register_adopted() succeeded: the core frees dev; free
 *     the owner yourself (no netdev_destruct comes);
 *   - register_adopted() succeeded: dev and the owner are the core's;
 *     netdev_destruct frees the owner. To fail after this point,
 *     dev.unregister_locked() and return the error (in-tree does so when
 *     applying mode/umcast fails); never free the owner here.
 * After newlink succeeded the core may still fail the request (moving the
 * device to the IFLA_NET_NS_* namespace, IFLA_MASTER): it then calls
 * rtnl_dellink, which must return true for such a child.
 *
 * dellink. true: the glue queues dev for unregistration (the core
 * unregisters the batch right after); false: nothing (a parent, as
 * in-tree). Also called by rtnl_link_unregister() for every device with
 * our ops, parents included, at RtnlLinkRegistration::reset().
 *
 * fill_info also runs for the RTM_DELLINK message inside unregister,
 * after NETDEV_UNREGISTER and before ndo_uninit.
 */
#ifndef KERN_RTNL_LINK_H
#define KERN_RTNL_LINK_H

#include "kapi/rtnl.h"
#include "kern/base.h"
#include "kern/netdev.h"
#include "kern/registration.h"
#include "kern/result.h"

namespace kern {

/* IFLA_INFO_DATA of a newlink/changelink request; has_*: the attribute was given. */
struct LinkAttrs {
	bool has_pkey;
	u16 pkey;
	bool has_mode;
	u16 mode; /* 0 datagram, 1 connected (IPOIB_MODE_*) */
	bool has_umcast;
	u16 umcast;
};

/* What `ip -d link show` reports (IFLA_IPOIB_*); arrives zeroed. */
struct LinkInfo {
	u16 pkey;
	u16 mode;
	u16 umcast;
};

/* The request's netlink_ext_ack (may be null: set_msg is then a no-op). */
class ExtAck {
public:
	constexpr explicit ExtAck(struct kapi_ext_ack *ack) noexcept : m_ack(ack) {}

	/*
	 * NL_SET_ERR_MSG: userspace prints msg with the errno. msg must have
	 * static storage (a string literal): netlink reads it after the
	 * upcall returned.
	 */
	void set_msg(const char *static_string) const noexcept { kapi_ext_ack_set_msg(m_ack, static_string); }

	struct kapi_ext_ack *raw() const noexcept { return m_ack; }

private:
	struct kapi_ext_ack *m_ack;
};

/*
 * Holds the rtnl_link_ops registration; reset() / the destructor
 * unregister it, which deletes (via rtnl_dellink) every device the driver
 * says to and runs their netdev_destruct before returning.
 * Context: process; takes rtnl: never with rtnl held.
 */
using RtnlLinkRegistration = Registration<kapi_rtnl_link_register, kapi_rtnl_link_unregister>;

namespace detail {
inline LinkAttrs from_kapi(const struct kapi_link_attrs *a) noexcept
{
	LinkAttrs out{};
	out.has_pkey = a->has_pkey != 0;
	out.pkey = a->pkey;
	out.has_mode = a->has_mode != 0;
	out.mode = a->mode;
	out.has_umcast = a->has_umcast != 0;
	out.umcast = a->umcast;
	return out;
}
} // namespace detail

} // namespace kern

/*
 * Defines the rtnl_link_ops upcalls once, forwarding to static members of
 * Driver (see the list at the top of this file). Use once per module, at
 * namespace scope.
 */
#define KERN_RTNL_LINK_OPS(Driver, Owner)                                                                 \
	extern "C" int kapi_upcall_rtnl_newlink(struct kapi_netdev *dev, int has_link,                    \
						struct kapi_netdev *parent,                               \
						const struct kapi_link_attrs *attrs,                      \
						struct kapi_ext_ack *ack)                                 \
	{                                                                                                 \
		return kern::to_errno(Driver::rtnl_newlink(kern::NetDev(dev), has_link != 0,              \
							   kern::NetDev(parent),                          \
							   kern::detail::from_kapi(attrs),                \
							   kern::ExtAck(ack)));                           \
	}                                                                                                 \
	extern "C" int kapi_upcall_rtnl_changelink(void *owner, struct kapi_netdev *dev,                  \
						   const struct kapi_link_attrs *attrs,                   \
						   struct kapi_ext_ack *ack)                              \
	{                                                                                                 \
		return kern::to_errno(Driver::rtnl_changelink(*static_cast<Owner *>(owner),               \
							      kern::NetDev(dev),                          \
							      kern::detail::from_kapi(attrs),             \
							      kern::ExtAck(ack)));                        \
	}                                                                                                 \
	extern "C" int kapi_upcall_rtnl_dellink(void *owner, struct kapi_netdev *dev)                     \
	{                                                                                                 \
		return Driver::rtnl_dellink(*static_cast<Owner *>(owner), kern::NetDev(dev)) ? 1 : 0;     \
	}                                                                                                 \
	extern "C" void kapi_upcall_rtnl_fill_info(void *owner, struct kapi_netdev *dev,                  \
						   struct kapi_link_info *out)                            \
	{                                                                                                 \
		kern::LinkInfo info{};                                                                    \
		Driver::rtnl_fill_info(*static_cast<Owner *>(owner), kern::NetDev(dev), info);            \
		out->pkey = info.pkey;                                                                    \
		out->mode = info.mode;                                                                    \
		out->umcast = info.umcast;                                                                \
	}

#endif /* KERN_RTNL_LINK_H */
