// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// libFuzzer harness for ipoib/child.h: the sysfs store parsers read only
// [buf, buf + len) (the input is copied into an exact-size heap block, so
// ASan sees any over-read), agree with one another and with the in-tree
// ranges, and the netlink checks keep their invariants. Any broken
// invariant aborts, which libFuzzer reports as a crash.

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "ipoib/child.h"

#include "fuzz_common.h"

using namespace ipoib;

namespace {

void check_store_parsers(const char *buf, usize len)
{
	const kern::Result<u16> c = parse_create_child(buf, len);
	const kern::Result<u16> d = parse_delete_child(buf, len);
	const kstr::ScanInt s = kstr::scan_i(buf, len);

	// create_child_store: 1..0xffff except 0x8000; delete_child_store: 0..0xffff.
	CHECK(c.is_ok() == (s.m_converted && s.m_value > 0 && s.m_value <= 0xffff && s.m_value != 0x8000));
	CHECK(d.is_ok() == (s.m_converted && s.m_value >= 0 && s.m_value <= 0xffff));
	if (c.is_err())
		CHECK(c.error().code() == -kern::err::EINVAL);
	if (d.is_err())
		CHECK(d.error().code() == -kern::err::EINVAL);
	if (c.is_ok()) {
		CHECK(d.is_ok() && d.value() == c.value());
		CHECK(!child_pkey_invalid(c.value()));
		CHECK(child_pkey_in_use(c.value()) & kPkeyFullMember);
		char name[kIfNameSize];
		const usize n = child_name("ib0", c.value(), name);
		CHECK(n == 8 && strlen(name) == 8 && name[3] == '.');
		// The name's hex digits give back the value as written.
		CHECK(strtoul(name + 4, nullptr, 16) == c.value());
	}

	// A NUL ends the input exactly as len does.
	usize nul = 0;
	while (nul < len && buf[nul])
		nul++;
	const kstr::ScanInt t = kstr::scan_i(buf, nul);
	CHECK(t.m_converted == s.m_converted && t.m_value == s.m_value);
	CHECK(parse_umcast(buf, nul).value() == parse_umcast(buf, len).value());
	CHECK(kstr::simple_strtoul(buf, nul) == kstr::simple_strtoul(buf, len));

	// A converted value cannot depend on bytes past the digits: re-scanning a prefix
	// never converts something the full input did not start with.
	if (len > 0) {
		const kstr::ScanInt p = kstr::scan_i(buf, len - 1);
		if (p.m_converted)
			CHECK(s.m_converted);
	}

	const kern::Result<Mode> m = parse_mode(buf, len);
	if (m.is_ok()) {
		const char *want = m.value() == Mode::Connected ? "connected\n" : "datagram\n";
		CHECK(nul == strlen(want) && memcmp(buf, want, nul) == 0);
	} else {
		CHECK(m.error().code() == -kern::err::EINVAL);
	}
	(void)parse_umcast(buf, len).value();
}

u16 take16(const uint8_t *&p, size_t &n)
{
	u16 v = 0;
	for (int i = 0; i < 2 && n; i++, n--)
		v = static_cast<u16>(v << 8 | *p++);
	return v;
}

void check_netlink(const uint8_t *p, size_t n)
{
	if (n < 1)
		return;
	const u8 flags = *p++;
	n--;
	LinkRequest r{};
	r.has_pkey = flags & 1;
	r.has_mode = flags & 2;
	r.has_umcast = flags & 4;
	NewlinkParent par{};
	par.m_link_given = flags & 8;
	par.m_found_ib = flags & 16;
	par.m_is_child = flags & 32;
	const bool cm = flags & 64;
	const Mode cur = (flags & 128) ? Mode::Connected : Mode::Datagram;
	r.pkey = take16(p, n);
	r.mode = take16(p, n);
	r.umcast = take16(p, n);
	par.m_pkey = take16(p, n);

	const char *msg = nullptr;
	const kern::Result<LinkChange> c = validate_changelink(r, cur, cm, &msg);
	if (c.is_err()) {
		CHECK(c.error().code() == -kern::err::EINVAL && msg != nullptr);
		CHECK(r.has_mode && (r.mode > 1 || (r.mode == 1 && !cm && cur == Mode::Datagram)));
	} else {
		CHECK(msg == nullptr);
		CHECK(c.value().m_set_umcast == r.has_umcast);
		if (r.has_umcast)
			CHECK(c.value().m_umcast == (r.umcast != 0));
		if (c.value().m_mode_switch)
			CHECK(r.has_mode && c.value().m_mode != cur);
	}

	const kern::Result<u16> nl = validate_newlink(par, r, cm, &msg);
	if (nl.is_ok()) {
		CHECK(msg == nullptr);
		CHECK(par.m_link_given && par.m_found_ib && !par.m_is_child);
		CHECK(nl.value() & kPkeyFullMember);
		CHECK((nl.value() & 0x7fff) != 0);
		const u16 written = r.has_pkey ? r.pkey : par.m_pkey;
		CHECK(nl.value() == child_pkey_in_use(written));
		CHECK(validate_changelink(r, Mode::Datagram, cm).is_ok());
	} else {
		CHECK(msg != nullptr);
		const int e = nl.error().code();
		CHECK(e == -kern::err::EINVAL || e == -kern::err::ENODEV);
		CHECK((e == -kern::err::ENODEV) == (par.m_link_given && !par.m_found_ib));
	}

	// Uniqueness and delete over a small child list built from the rest.
	ChildEntry kids[8];
	usize nk = 0;
	while (nk < 8 && n >= 3) {
		const u8 t = *p++;
		n--;
		kids[nk].m_type = (t & 1) ? ChildType::Rtnl : ChildType::Legacy;
		kids[nk].m_pkey = child_pkey_in_use(take16(p, n));
		nk++;
	}
	const kern::Span<const ChildEntry> s(kids, nk);
	const kern::Result<u16> nc = check_new_child(ChildType::Legacy, r.pkey, par.m_pkey, s);
	if (nc.is_ok()) {
		CHECK(nc.value() == child_pkey_in_use(r.pkey));
		CHECK(find_child_to_delete(r.pkey, s).is_err());
		CHECK(r.pkey != par.m_pkey);
	} else if (nc.error().code() == -kern::err::ENOTUNIQ) {
		CHECK(r.pkey == par.m_pkey || find_child_to_delete(r.pkey, s).is_ok());
	} else {
		CHECK(nc.error().code() == -kern::err::EINVAL && child_pkey_invalid(r.pkey));
	}
	CHECK(check_new_child(ChildType::Rtnl, r.pkey, par.m_pkey, s).is_ok() == !child_pkey_invalid(r.pkey));
	const kern::Result<usize> del = find_child_to_delete(r.pkey, s);
	if (del.is_ok()) {
		CHECK(del.value() < nk && kids[del.value()].m_type == ChildType::Legacy &&
		      kids[del.value()].m_pkey == r.pkey);
		CHECK(r.pkey & kPkeyFullMember);
	} else {
		CHECK(del.error().code() == -kern::err::ENODEV);
	}

	char name[kIfNameSize];
	char parent[24];
	const usize pl = flags % sizeof(parent);
	memset(parent, 'a', pl);
	parent[pl] = '\0';
	const usize len = child_name(parent, r.pkey, name);
	CHECK(len == (pl < 10 ? pl : 10) + 5 && strlen(name) == len && len < kIfNameSize);

	char out[12];
	BufWriter w(out);
	show_pkey(w, r.pkey);
	CHECK(!w.overflowed() && w.size() == 7);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	// Exact-size copy: reading buf[size] is a heap overflow ASan reports.
	char *buf = static_cast<char *>(malloc(size ? size : 1));
	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	check_store_parsers(size ? buf : nullptr, size);
	if (!size)
		check_store_parsers(buf, 0);
	free(buf);
	check_netlink(data, size);
	return 0;
}
