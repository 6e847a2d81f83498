/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/child.h - P_Key child interfaces: sysfs and netlink input rules,
 * naming, uniqueness and sysfs output (pure: no kapi calls, unit-tested).
 *
 * Everything here matches the Linux 6.1 in-tree driver
 * (drivers/infiniband/ulp/ipoib); the rules, with where they come from:
 *
 * create_child / delete_child (ipoib_main.c: create_child_store,
 * delete_child_store) parse with sscanf(buf, "%i", &int). The kernel's
 * %i (lib/vsprintf.c: vsscanf, simple_strntoll, simple_strntoull;
 * lib/kstrtox.c: _parse_integer_fixup_radix, _parse_integer_limit):
 *  - an empty buffer converts nothing;
 *  - leading white space is skipped: the kernel's isspace (lib/ctype.c)
 *    is \t \n \v \f \r, space and 0xa0;
 *  - an optional '-' ('+' is NOT accepted), and then a decimal digit must
 *    follow, else nothing converts ("+1", "- 1", "abc", "x1" all fail);
 *  - the base comes from the prefix: "0x"/"0X" followed by a hex digit is
 *    hex, any other leading '0' is octal ("08" is 0, "0x" is 0, "0xg" is 0),
 *    otherwise decimal;
 *  - digits are taken while valid for the base; anything after them is
 *    ignored ("12abc" is 12, "0x8001\n" is 0x8001, "1 2" is 1);
 *  - there is no overflow check: the magnitude wraps modulo 2^64, a '-'
 *    negates it modulo 2^64, and the store into the int keeps the low 32
 *    bits (two's complement). So "0x1ffffffff" is -1, "4294967297" and
 *    "0x100000001" are 1, "-4294967295" is 1.
 * Then create_child wants 0 < value <= 0xffff and value != 0x8000, and
 * delete_child wants 0 <= value <= 0xffff; both give -EINVAL otherwise or
 * when nothing converted. The buffer is NUL-terminated by kernfs; here a
 * NUL or `len` ends it, whichever comes first.
 *
 * The child (ipoib_vlan.c: ipoib_vlan_add, __ipoib_vlan_add; ipoib_main.c:
 * ipoib_ndo_init):
 *  - its name is "%.10s.%04x" of the parent name and the P_Key AS WRITTEN
 *    ("1" makes ib0.0001, "0x8001" and "32769" make ib0.8001);
 *  - __ipoib_vlan_add rejects 0 and 0x8000 with -EINVAL (reachable from
 *    netlink only; sysfs already filtered them), then stores the P_Key as
 *    written, checks uniqueness, and registers; ndo_init then sets the
 *    full-member bit: the P_Key in use is always `written | 0x8000`;
 *  - uniqueness (is_child_unique) runs BEFORE ndo_init, so it compares the
 *    P_Key as written with the stored P_Keys of the parent and of the
 *    legacy (sysfs) children, which all carry the full-member bit. Hence a
 *    written value without the bit never collides: with ib0.8001 present,
 *    "1" makes ib0.0001, a second interface using P_Key 0x8001. Writing
 *    "1" again passes the check and fails in register_netdevice with
 *    -EEXIST (the name is taken). A parent with P_Key 0xffff rejects
 *    "0xffff" (-ENOTUNIQ) but accepts "0x7fff" (ib0.7fff, P_Key 0xffff);
 *  - netlink (rtnl) children skip the uniqueness check, and legacy
 *    children ignore rtnl children when checking;
 *  - delete (ipoib_vlan_delete) looks for the first legacy child, in
 *    creation order, whose stored P_Key equals the value as written, else
 *    -ENODEV: "1" never matches anything (to delete ib0.0001 write 0x8001,
 *    which takes whichever 0x8001 legacy child was created first). A
 *    deleted child leaves the list at once; its unregistration is
 *    deferred to a work item (so its name may still be taken briefly).
 *  - order of errors for create: -EINVAL (parse/range), -EPERM (no
 *    CAP_NET_ADMIN), restart_syscall (rtnl busy), -EPERM (parent not
 *    registered), ipoib_intf_alloc's (-ENOMEM ...), -ENOTUNIQ, then
 *    register_netdevice's (-EEXIST ...). Delete: -EINVAL, the same -EPERM
 *    and restart, then -ENODEV (or -ENOMEM for the work item).
 *
 * umcast store (ipoib_main.c: umcast_store, ipoib_set_umcast):
 * simple_strtoul(buf, NULL, 0) - no white space skipping, no sign, same
 * prefix and wrap-around rules as above - and the unsigned long goes into
 * an int parameter (low 32 bits), which must be > 0 to set the flag. It
 * never fails: garbage, "", " 1", "+1", "-1", "0x80000000" and
 * "0x100000000" all CLEAR umcast, and the store returns the full count.
 * Show is "%d\n" (umcast_show).
 *
 * mode store (ipoib_cm.c: mode_store; ipoib_main.c: ipoib_set_mode):
 * strcmp against exactly "connected\n" or "datagram\n", so `echo -n
 * connected` (no newline), "connected\n\n", " connected\n" and
 * "Connected\n" are -EINVAL. Asking for the current mode is a no-op that
 * succeeds; connected mode also needs the device's RC flag
 * (IPOIB_CM_SUPPORTED(dev_addr)), else -EINVAL. Show is "connected\n" or
 * "datagram\n" (mode_show). pkey show is "0x%04x\n" (pkey_show).
 *
 * netlink (ipoib_netlink.c: ipoib_new_child_link, ipoib_changelink):
 *  newlink, in order: no IFLA_LINK -> -EINVAL; no such device or not
 *  ARPHRD_INFINIBAND -> -ENODEV; parent is itself a child
 *  (IPOIB_FLAG_SUBINTERFACE) -> -EINVAL, with the warning "child creation
 *  disallowed for child devices"; no IFLA_IPOIB_PKEY -> the parent's P_Key
 *  (which has the full-member bit); 0 or 0x8000 -> -EINVAL (also when it
 *  came from a parent whose P_Key is 0x8000); no uniqueness check; then
 *  changelink with the same attributes, whose failure unregisters the new
 *  device and fails newlink. The in-tree code sets no extack message.
 *  changelink: MODE 0 (datagram) / 1 (connected) as the sysfs store,
 *  other values -EINVAL; then UMCAST, set iff non-zero (u16 into int > 0).
 *  A failed MODE leaves UMCAST alone. PKEY is ignored: it cannot change.
 *
 * Not modelled: restart_syscall when rtnl is busy, and ipoib_set_mode's
 * -EBUSY when it cannot retake rtnl (in-tree, sysfs reports that as
 * success and changelink as a failure).
 */
#ifndef IPOIB_CHILD_H
#define IPOIB_CHILD_H

#include "ipoib/buf_writer.h"
#include "ipoib/wire.h"
#include "kern/base.h"
#include "kern/result.h"
#include "kern/span.h"

namespace ipoib {

using kern::s32;
using kern::u16;
using kern::u32;
using kern::u64;
using kern::u8;
using kern::usize;

/* IFNAMSIZ; child_name() relies on 10 + 1 + 4 + NUL fitting. */
inline constexpr usize kIfNameSize = 16;

/*
 * Kernel string-to-number primitives, bounded: a NUL byte or `len` ends
 * the input, and nothing at or past buf[len] is read. A null `buf` is an
 * empty input.
 */
namespace kstr {

constexpr u8 at(const char *buf, usize len, usize i) noexcept
{
	return (buf && i < len) ? static_cast<u8>(buf[i]) : 0;
}

/* lib/ctype.c: _S is set for 9..13, 32 and 160. */
constexpr bool is_space(u8 c) noexcept
{
	return (c >= 9 && c <= 13) || c == ' ' || c == 0xa0;
}

constexpr bool is_digit(u8 c) noexcept
{
	return c >= '0' && c <= '9';
}

constexpr bool is_xdigit(u8 c) noexcept
{
	return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

struct Parsed {
	u64 m_value; /* modulo 2^64 */
	usize m_end; /* index of the first byte not consumed */
};

/*
 * simple_strntoull from index `pos` with no character limit; `base` 0
 * auto-detects. Consumes the "0x" prefix even when no digit follows
 * (only reachable with an explicit base 16, as in the kernel).
 */
constexpr Parsed strtoull(const char *buf, usize len, usize pos, unsigned base) noexcept
{
	if (base == 0) {
		if (at(buf, len, pos) == '0')
			base = ((at(buf, len, pos + 1) | 0x20) == 'x' && is_xdigit(at(buf, len, pos + 2))) ? 16 : 8;
		else
			base = 10;
	}
	if (base == 16 && at(buf, len, pos) == '0' && (at(buf, len, pos + 1) | 0x20) == 'x')
		pos += 2;
	u64 v = 0;
	for (;; pos++) {
		const u8 c = at(buf, len, pos);
		const unsigned lc = c | 0x20u;
		unsigned d = 0;
		if (is_digit(c))
			d = c - '0';
		else if (lc >= 'a' && lc <= 'f')
			d = lc - 'a' + 10;
		else
			break;
		if (d >= base)
			break;
		v = v * base + d; /* wraps, like _parse_integer_limit */
	}
	return Parsed{v, pos};
}

/* simple_strtoul(buf, NULL, 0) on a 64-bit kernel. */
constexpr u64 simple_strtoul(const char *buf, usize len) noexcept
{
	return strtoull(buf, len, 0, 0).m_value;
}

/* The low 32 bits as a two's-complement int, as the C conversion to int does in the kernel. */
constexpr s32 low_s32(u64 v) noexcept
{
	const u32 lo = static_cast<u32>(v);
	return lo <= 0x7fffffffu ? static_cast<s32>(lo) : -static_cast<s32>(~lo) - 1;
}

struct ScanInt {
	bool m_converted;
	s32 m_value;
};

/* sscanf(buf, "%i", &int): see the header comment for the rules. */
constexpr ScanInt scan_i(const char *buf, usize len) noexcept
{
	if (at(buf, len, 0) == 0)
		return ScanInt{false, 0};
	usize pos = 0;
	while (is_space(at(buf, len, pos)))
		pos++;
	const bool neg = at(buf, len, pos) == '-';
	if (!is_digit(at(buf, len, neg ? pos + 1 : pos)))
		return ScanInt{false, 0};
	const u64 mag = strtoull(buf, len, neg ? pos + 1 : pos, 0).m_value;
	return ScanInt{true, low_s32(neg ? 0 - mag : mag)};
}

} /* namespace kstr */

/* create_child_store: the P_Key as written, 1..0xffff but not 0x8000; else -EINVAL. */
inline kern::Result<u16> parse_create_child(const char *buf, usize len) noexcept
{
	const kstr::ScanInt s = kstr::scan_i(buf, len);
	if (!s.m_converted || s.m_value <= 0 || s.m_value > 0xffff || s.m_value == 0x8000)
		return kern::Error(-kern::err::EINVAL);
	return static_cast<u16>(s.m_value);
}

/* delete_child_store: the P_Key as written, 0..0xffff; else -EINVAL. */
inline kern::Result<u16> parse_delete_child(const char *buf, usize len) noexcept
{
	const kstr::ScanInt s = kstr::scan_i(buf, len);
	if (!s.m_converted || s.m_value < 0 || s.m_value > 0xffff)
		return kern::Error(-kern::err::EINVAL);
	return static_cast<u16>(s.m_value);
}

/* The P_Key a child uses once registered (ipoib_ndo_init sets the full-member bit). */
constexpr u16 child_pkey_in_use(u16 as_written) noexcept
{
	return static_cast<u16>(as_written | kPkeyFullMember);
}

/* __ipoib_vlan_add: 0 and 0x8000 are refused with -EINVAL. */
constexpr bool child_pkey_invalid(u16 as_written) noexcept
{
	return as_written == 0 || as_written == kPkeyFullMember;
}

enum class ChildType : u8 {
	Legacy, /* IPOIB_LEGACY_CHILD: made by create_child */
	Rtnl,   /* IPOIB_RTNL_CHILD: made by `ip link add ... type ipoib` */
};

/* One existing child of the parent, in the parent's list order (creation order). */
struct ChildEntry {
	u16 m_pkey; /* its stored P_Key: always has the full-member bit */
	ChildType m_type;
};

/*
 * is_child_unique: the new child's P_Key AS WRITTEN against the parent's
 * stored P_Key and every legacy child's stored P_Key, with no masking.
 * Rtnl children are always unique and never block a legacy one.
 */
constexpr bool child_is_unique(ChildType type, u16 as_written, u16 parent_pkey,
			       kern::Span<const ChildEntry> children) noexcept
{
	if (type != ChildType::Legacy)
		return true;
	if (parent_pkey == as_written)
		return false;
	for (usize i = 0; i < children.size(); i++) {
		if (children[i].m_type == ChildType::Legacy && children[i].m_pkey == as_written)
			return false;
	}
	return true;
}

/*
 * The checks of __ipoib_vlan_add before register_netdevice: -EINVAL for 0
 * or 0x8000, -ENOTUNIQ for a duplicate; else the P_Key the child will use.
 * register_netdevice can still fail (-EEXIST when the name is taken).
 */
inline kern::Result<u16> check_new_child(ChildType type, u16 as_written, u16 parent_pkey,
					  kern::Span<const ChildEntry> children) noexcept
{
	if (child_pkey_invalid(as_written))
		return kern::Error(-kern::err::EINVAL);
	if (!child_is_unique(type, as_written, parent_pkey, children))
		return kern::Error(-kern::err::ENOTUNIQ);
	return child_pkey_in_use(as_written);
}

/*
 * ipoib_vlan_delete: the index of the first legacy child whose stored
 * P_Key equals the value as written (no masking), else -ENODEV.
 */
inline kern::Result<usize> find_child_to_delete(u16 as_written, kern::Span<const ChildEntry> children) noexcept
{
	for (usize i = 0; i < children.size(); i++) {
		if (children[i].m_type == ChildType::Legacy && children[i].m_pkey == as_written)
			return i;
	}
	return kern::Error(-kern::err::ENODEV);
}

/*
 * ipoib_vlan_add's name: "%.10s.%04x" of the parent name and the P_Key as
 * written. A null parent prints "(null)", as the kernel's %s does.
 * Returns the length (at most 15).
 */
inline usize child_name(const char *parent, u16 pkey_as_written, char (&out)[kIfNameSize]) noexcept
{
	if (!parent)
		parent = "(null)";
	usize n = 0;
	while (n < 10 && parent[n]) {
		out[n] = parent[n];
		n++;
	}
	out[n++] = '.';
	for (int shift = 12; shift >= 0; shift -= 4) {
		const unsigned d = (pkey_as_written >> shift) & 0xf;
		out[n++] = static_cast<char>(d < 10 ? '0' + d : 'a' + (d - 10));
	}
	out[n] = '\0';
	return n;
}

/* umcast_store + ipoib_set_umcast: never fails; true sets the flag, false clears it. */
inline kern::Result<bool> parse_umcast(const char *buf, usize len) noexcept
{
	return kstr::low_s32(kstr::simple_strtoul(buf, len)) > 0;
}

/* ipoib_changelink: IFLA_IPOIB_UMCAST is a u16 passed to ipoib_set_umcast(int): set iff non-zero. */
constexpr bool umcast_from_netlink(u16 v) noexcept
{
	return v != 0;
}

/* The values are IPOIB_MODE_DATAGRAM / IPOIB_MODE_CONNECTED (uapi/linux/if_link.h). */
enum class Mode : u8 { Datagram = 0, Connected = 1 };

constexpr const char *mode_name(Mode m) noexcept
{
	return m == Mode::Connected ? "connected" : "datagram";
}

namespace child_detail {
/* strcmp(buf, lit) == 0 with buf ending at a NUL or at len. */
constexpr bool equals(const char *buf, usize len, const char *lit) noexcept
{
	usize i = 0;
	for (; lit[i]; i++) {
		if (kstr::at(buf, len, i) != static_cast<u8>(lit[i]))
			return false;
	}
	return kstr::at(buf, len, i) == 0;
}
} /* namespace child_detail */

/* mode_store / ipoib_set_mode: exactly "connected\n" or "datagram\n", else -EINVAL. */
inline kern::Result<Mode> parse_mode(const char *buf, usize len) noexcept
{
	if (child_detail::equals(buf, len, "connected\n"))
		return Mode::Connected;
	if (child_detail::equals(buf, len, "datagram\n"))
		return Mode::Datagram;
	return kern::Error(-kern::err::EINVAL);
}

/*
 * ipoib_set_mode once the text is parsed: false when `to` is already the
 * mode (success, nothing to do), true when the mode must switch, -EINVAL
 * for connected mode on a device without the RC flag.
 */
inline kern::Result<bool> mode_change(Mode current, Mode to, bool cm_supported) noexcept
{
	if (current == to)
		return false;
	if (to == Mode::Connected && !cm_supported)
		return kern::Error(-kern::err::EINVAL);
	return true;
}

/* IFLA_IPOIB_* attributes as received (ipoib_policy: all NLA_U16). */
struct LinkRequest {
	bool has_pkey;
	u16 pkey;
	bool has_mode;
	u16 mode;
	bool has_umcast;
	u16 umcast;
};

/* What the parent lookup of ipoib_new_child_link found. */
struct NewlinkParent {
	bool m_link_given; /* tb[IFLA_LINK] present */
	bool m_found_ib;   /* that ifindex exists and is ARPHRD_INFINIBAND */
	bool m_is_child;   /* it is itself a child (IPOIB_FLAG_SUBINTERFACE) */
	u16 m_pkey;        /* its stored P_Key */
};

/* What a valid changelink does; apply the mode first, then umcast. */
struct LinkChange {
	bool m_mode_switch; /* switch to m_mode (false also when it is already the mode) */
	Mode m_mode;
	bool m_set_umcast;
	bool m_umcast;
};

/* Messages for extack. Only kMsgChildOfChild exists in-tree (as a warning). */
inline constexpr const char *kMsgNoLink = "ipoib: a parent device is required (IFLA_LINK)";
inline constexpr const char *kMsgParentNotIb = "ipoib: parent is not an InfiniBand device";
inline constexpr const char *kMsgChildOfChild = "child creation disallowed for child devices";
inline constexpr const char *kMsgBadPkey = "ipoib: P_Key 0x0000 and 0x8000 are invalid";
inline constexpr const char *kMsgBadMode = "ipoib: mode must be 0 (datagram) or 1 (connected)";
inline constexpr const char *kMsgNoCm = "ipoib: connected mode is not supported by this device";

/*
 * ipoib_changelink: MODE other than 0/1 -> -EINVAL; connected without
 * `cm_supported` -> -EINVAL (unless already connected); PKEY ignored.
 * `*msg` (if given) gets a message on error and nullptr on success.
 */
inline kern::Result<LinkChange> validate_changelink(const LinkRequest &req, Mode current, bool cm_supported,
						      const char **msg = nullptr) noexcept
{
	if (msg)
		*msg = nullptr;
	LinkChange c{false, current, false, false};
	if (req.has_mode) {
		if (req.mode != static_cast<u16>(Mode::Datagram) && req.mode != static_cast<u16>(Mode::Connected)) {
			if (msg)
				*msg = kMsgBadMode;
			return kern::Error(-kern::err::EINVAL);
		}
		const Mode to = static_cast<Mode>(req.mode);
		const kern::Result<bool> sw = mode_change(current, to, cm_supported);
		if (sw.is_err()) {
			if (msg)
				*msg = kMsgNoCm;
			return sw.error();
		}
		c.m_mode_switch = sw.value();
		c.m_mode = to;
	}
	if (req.has_umcast) {
		c.m_set_umcast = true;
		c.m_umcast = umcast_from_netlink(req.umcast);
	}
	return c;
}

/*
 * ipoib_new_child_link up to registration, plus the changelink it runs
 * afterwards (a new child is in datagram mode): the P_Key the child will
 * use, or the in-tree errno. In-tree, a bad MODE fails only after the
 * device was registered (it is then unregistered); checking it here first
 * gives the same errno without the transient device.
 */
inline kern::Result<u16> validate_newlink(const NewlinkParent &parent, const LinkRequest &req, bool cm_supported,
					   const char **msg = nullptr) noexcept
{
	if (msg)
		*msg = nullptr;
	const char *m = nullptr;
	int code = 0;
	u16 written = 0;
	if (!parent.m_link_given) {
		m = kMsgNoLink;
		code = -kern::err::EINVAL;
	} else if (!parent.m_found_ib) {
		m = kMsgParentNotIb;
		code = -kern::err::ENODEV;
	} else if (parent.m_is_child) {
		m = kMsgChildOfChild;
		code = -kern::err::EINVAL;
	} else {
		written = req.has_pkey ? req.pkey : parent.m_pkey;
		if (child_pkey_invalid(written)) {
			m = kMsgBadPkey;
			code = -kern::err::EINVAL;
		}
	}
	if (code) {
		if (msg)
			*msg = m;
		return kern::Error(code);
	}
	const kern::Result<LinkChange> c = validate_changelink(req, Mode::Datagram, cm_supported, msg);
	if (c.is_err())
		return c.error();
	return check_new_child(ChildType::Rtnl, written, parent.m_pkey, kern::Span<const ChildEntry>());
}

/* pkey_show: "0x%04x\n". */
inline void show_pkey(BufWriter &w, u16 pkey) noexcept
{
	w.put_str("0x");
	w.put_hex(pkey, 4, true);
	w.put_char('\n');
}

/* umcast_show: "%d\n" of the flag bit. */
inline void show_umcast(BufWriter &w, bool umcast) noexcept
{
	w.put_dec(umcast ? 1 : 0);
	w.put_char('\n');
}

/* mode_show: "connected\n" or "datagram\n". */
inline void show_mode(BufWriter &w, Mode m) noexcept
{
	w.put_str(mode_name(m));
	w.put_char('\n');
}

/* parent_show (ipoib_vlan.c): "%s\n" of the parent's name. */
inline void show_parent(BufWriter &w, const char *parent_name) noexcept
{
	w.put_str(parent_name);
	w.put_char('\n');
}

} /* namespace ipoib */

#endif /* IPOIB_CHILD_H */
