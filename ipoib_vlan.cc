// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ipoib_vlan.cc - P_Key child interfaces (reference b2, b3): sysfs
 * create_child/delete_child on a parent, and rtnl_link_ops kind "ipoib"
 * (`ip link add link ib0 name ib0.8001 type ipoib pkey 0x8001`).
 *
 * A child is an Iface like its parent, with its own UD QP on its own
 * P_Key index, paths, neighbours, groups and counters (iface.h). Children
 * are listed in the Port after the parent; rtnl guards the list for the
 * lookups here.
 *
 * sysfs stores never block on rtnl: unregistering a net_device (under
 * rtnl) waits for its sysfs writers to leave, so a writer sleeping on
 * rtnl would deadlock. They try the lock and restart the system call, as
 * in-tree and bonding do. delete_child unregisters the child directly
 * (in-tree defers it to a workqueue, which cannot report failure): the
 * child's files are not the ones being written.
 *
 * Parsing and validation are pure (ipoib/child.h, unit-tested); this file
 * applies them. Errors carry the in-tree errno and no netlink extack
 * message (in-tree sets none, so `ip` prints the same); the kernel log
 * gets one line naming the interface.
 */
#include "ipoib/child.h"
#include "ipoib/driver/port.h"

namespace ipoib {

namespace err = kern::err;

namespace {

/* The mode a request asks for: datagram or connected, else EINVAL (ipoib_changelink). */
Status check_mode(const Iface &ifc, const kern::LinkAttrs &attrs)
{
	if (!attrs.has_mode || attrs.mode == static_cast<u16>(Mode::Datagram) ||
	    attrs.mode == static_cast<u16>(Mode::Connected))
		return kern::ok();
	kern_warn("%s: invalid IPoIB mode %u", ifc.name(), attrs.mode);
	return Error(-err::EINVAL);
}

/*
 * The parent's children in creation order, as the pure rules in
 * ipoib/child.h see them, with the Iface behind each entry. rtnl held.
 */
struct ChildList {
	kern::UniqueArray<ChildEntry> entries;
	kern::UniqueArray<Iface *> ifaces;
	usize count = 0;

	Status collect(Iface &parent)
	{
		usize n = 0;
		for (Iface &c : parent.port().m_ifaces)
			n += c.parent() == &parent ? 1 : 0;
		entries = kern::make_array<ChildEntry>(Gfp::Kernel, n ? n : 1);
		ifaces = kern::make_array<Iface *>(Gfp::Kernel, n ? n : 1);
		if (!entries || !ifaces)
			return Error(-err::ENOMEM);
		for (Iface &c : parent.port().m_ifaces) {
			if (c.parent() != &parent)
				continue;
			entries[count].m_pkey = c.pkey();
			entries[count].m_type = c.kind() == IfaceKind::SysfsChild ? ChildType::Legacy : ChildType::Rtnl;
			ifaces[count] = &c;
			count++;
		}
		return kern::ok();
	}
	kern::Span<const ChildEntry> span() const { return kern::Span<const ChildEntry>(entries.data(), count); }
};

} // namespace

Status Iface::set_umcast(bool on)
{
	const bool was = m_umcast.exchange(on);
	if (on && !was)
		kern_warn("%s: ignoring multicast groups joined directly by userspace", name());
	return kern::ok();
}

/* ---------------------------------------------------------------------- */
/* sysfs                                                                   */

Result<usize> Iface::create_child_store(const char *buf, usize len)
{
	Result<u16> pk = parse_create_child(buf, len);
	if (pk.is_err()) {
		kern_warn("%s: create_child: expected a P_Key in 1..0xffff other than 0x8000", name());
		return pk.error();
	}
	const u16 pkey = pk.value();
	if (!kern::rtnl::trylock())
		return kern::restart_syscall();
	auto unlock = kern::defer([] { kern::rtnl::unlock(); });

	/* As in-tree, the P_Key as written is compared with the full P_Keys in use (child.h). */
	ChildList children;
	TRY(children.collect(*this));
	Result<u16> in_use = check_new_child(ChildType::Legacy, pkey, m_addr.pkey, children.span());
	if (in_use.is_err()) {
		if (in_use.error().code() == -err::ENOTUNIQ)
			kern_warn("%s: create_child: P_Key 0x%04x is already in use here", name(), pkey);
		return in_use.error();
	}

	char child[kern::kNetdevNameLen];
	child_name(name(), pkey, child);
	IfaceSpec spec;
	spec.kind = IfaceKind::SysfsChild;
	spec.pkey = pkey;
	spec.parent = this;
	spec.name = child;
	Result<Iface *> c = Iface::create(*m_port_obj, spec, NetDev(), true);
	if (c.is_err()) {
		kern_warn("%s: create_child: failed to create %s: %d", name(), child, c.error().code());
		return c.error();
	}
	return len;
}

Result<usize> Iface::delete_child_store(const char *buf, usize len)
{
	Result<u16> pk = parse_delete_child(buf, len);
	if (pk.is_err()) {
		kern_warn("%s: delete_child: expected a P_Key in 0..0xffff", name());
		return pk.error();
	}
	if (!kern::rtnl::trylock())
		return kern::restart_syscall();
	auto unlock = kern::defer([] { kern::rtnl::unlock(); });
	ChildList children;
	TRY(children.collect(*this));
	Result<usize> at = find_child_to_delete(pk.value(), children.span());
	if (at.is_err()) {
		kern_warn("%s: delete_child: no child made by create_child has P_Key 0x%04x", name(), pk.value());
		return at.error();
	}
	Iface *c = children.ifaces[at.value()];
	kern_info("%s: deleting child %s", name(), c->name());
	/* ndo_uninit unlinks and releases it; the core frees it at rtnl_unlock. */
	c->m_dev.unregister_locked();
	return len;
}

/* ---------------------------------------------------------------------- */
/* rtnl_link_ops                                                           */

Status Iface::rtnl_newlink(NetDev dev, bool has_link, NetDev parent_dev, const kern::LinkAttrs &attrs,
			   kern::ExtAck)
{
	if (!has_link) {
		return Error(-err::EINVAL);
	}
	if (!parent_dev) {
		return Error(-err::ENODEV);
	}
	Iface &parent = *parent_dev.owner<Iface>();
	if (parent.is_child()) {
		kern_warn("%s: child creation disallowed for child devices", parent.name());
		return Error(-err::EINVAL);
	}
	/* No P_Key: the parent's (duplicates are fine for rtnl children, which are deleted by name). */
	const u16 pkey = attrs.has_pkey ? attrs.pkey : parent.m_addr.pkey;
	if (child_pkey_invalid(pkey)) {
		kern_warn("%s: invalid P_Key 0x%04x for a child", parent.name(), pkey);
		return Error(-err::EINVAL);
	}
	/* Checked before creation, so nothing can fail after registration. */
	TRY(check_mode(parent, attrs));

	IfaceSpec spec;
	spec.kind = IfaceKind::RtnlChild;
	spec.pkey = pkey;
	spec.parent = &parent;
	Result<Iface *> c = Iface::create(parent.port(), spec, dev, true);
	if (c.is_err()) {
		kern_warn("%s: failed to create child %s: %d", parent.name(), dev.name(), c.error().code());
		return c.error();
	}
	/* As in-tree: newlink applies mode and umcast as changelink would; the child stays if that fails. */
	if (attrs.has_mode)
		(void)c.value()->set_mode(static_cast<Mode>(attrs.mode));
	if (attrs.has_umcast)
		(void)c.value()->set_umcast(attrs.umcast != 0);
	return kern::ok();
}

Status Iface::rtnl_changelink(Iface &ifc, NetDev, const kern::LinkAttrs &attrs, kern::ExtAck)
{
	/* As in-tree: the P_Key cannot change; mode and umcast can. */
	TRY(check_mode(ifc, attrs));
	if (attrs.has_mode)
		TRY(ifc.set_mode(static_cast<Mode>(attrs.mode)));
	if (attrs.has_umcast)
		TRY(ifc.set_umcast(attrs.umcast != 0));
	return kern::ok();
}

/* A parent goes only with its device: `ip link del ib0` is a silent no-op, as in-tree. */
bool Iface::rtnl_dellink(Iface &ifc, NetDev) { return ifc.is_child(); }

void Iface::rtnl_fill_info(Iface &ifc, NetDev, kern::LinkInfo &info)
{
	info.pkey = ifc.m_addr.pkey;
	info.mode = static_cast<u16>(ifc.cm_mode() ? Mode::Connected : Mode::Datagram);
	info.umcast = ifc.m_umcast.load() ? 1 : 0;
}

} // namespace ipoib

KERN_RTNL_LINK_OPS(ipoib::Iface, ipoib::Iface)
