// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// Tests for ipoib/child.h: P_Key children (b2, b3 in the reference note).
// Every expectation is what the Linux 6.1 in-tree driver does; the function
// that does it is named beside each case.

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "kapi_user.h"
#include "ipoib/child.h"

using namespace ipoib;

namespace {

constexpr int kEINVAL = -kern::err::EINVAL;
constexpr int kENODEV = -kern::err::ENODEV;
constexpr int kENOTUNIQ = -kern::err::ENOTUNIQ;

// The whole std::string is the buffer, as a sysfs store gets it (count
// bytes; kernfs adds a NUL after them, which these functions do not need).
kern::Result<u16> create(const std::string &s) { return parse_create_child(s.data(), s.size()); }
kern::Result<u16> del(const std::string &s) { return parse_delete_child(s.data(), s.size()); }
kstr::ScanInt scan(const std::string &s) { return kstr::scan_i(s.data(), s.size()); }

void expect_create(const std::string &s, u16 want)
{
	const kern::Result<u16> r = create(s);
	ASSERT_TRUE(r.is_ok()) << '"' << s << '"';
	EXPECT_EQ(r.value(), want) << '"' << s << '"';
}

void expect_create_err(const std::string &s)
{
	const kern::Result<u16> r = create(s);
	ASSERT_TRUE(r.is_err()) << '"' << s << "\" gave " << r.value();
	EXPECT_EQ(r.error().code(), kEINVAL) << '"' << s << '"';
}

void expect_del(const std::string &s, u16 want)
{
	const kern::Result<u16> r = del(s);
	ASSERT_TRUE(r.is_ok()) << '"' << s << '"';
	EXPECT_EQ(r.value(), want) << '"' << s << '"';
}

void expect_del_err(const std::string &s)
{
	const kern::Result<u16> r = del(s);
	ASSERT_TRUE(r.is_err()) << '"' << s << "\" gave " << r.value();
	EXPECT_EQ(r.error().code(), kEINVAL) << '"' << s << '"';
}

bool umcast(const std::string &s)
{
	const kern::Result<bool> r = parse_umcast(s.data(), s.size());
	EXPECT_TRUE(r.is_ok()) << "umcast_store never fails: \"" << s << '"';
	return r.is_ok() && r.value();
}

// ---- sscanf("%i") as lib/vsprintf.c vsscanf does it ----

TEST(IpoibChildScan, Bases)
{
	// _parse_integer_fixup_radix with base 0.
	EXPECT_EQ(scan("32769").m_value, 32769);
	EXPECT_EQ(scan("0x8001").m_value, 0x8001);
	EXPECT_EQ(scan("0X8001").m_value, 0x8001) << "_tolower(s[1]) == 'x'";
	EXPECT_EQ(scan("0xAbC").m_value, 0xabc);
	EXPECT_EQ(scan("0100001").m_value, 0100001) << "leading 0 is octal";
	EXPECT_EQ(scan("0").m_value, 0);
	EXPECT_EQ(scan("00").m_value, 0);
	EXPECT_EQ(scan("08").m_value, 0) << "octal stops at 8";
	EXPECT_EQ(scan("0778").m_value, 077);
	EXPECT_EQ(scan("0x").m_value, 0) << "no hex digit after 0x: octal \"0\"";
	EXPECT_EQ(scan("0xg").m_value, 0);
	EXPECT_EQ(scan("0x\n").m_value, 0);
	for (const char *s : {"0", "08", "0x", "0xg", "0x8001", "1"})
		EXPECT_TRUE(scan(s).m_converted) << s;
}

TEST(IpoibChildScan, WhiteSpaceAndSign)
{
	// skip_spaces() uses the kernel isspace: 9..13, 32 and 0xa0.
	EXPECT_EQ(scan("  0x8001").m_value, 0x8001);
	EXPECT_EQ(scan("\t\n\v\f\r 5").m_value, 5);
	EXPECT_EQ(scan("\xa0" "5").m_value, 5) << "0xa0 is _S in lib/ctype.c";
	EXPECT_FALSE(scan("\x85" "5").m_converted) << "0x85 is not space in the kernel table";
	EXPECT_FALSE(scan("\x1c" "5").m_converted);
	EXPECT_EQ(scan("-1").m_value, -1);
	EXPECT_EQ(scan("  -0x10").m_value, -16);
	EXPECT_EQ(scan("-0").m_value, 0);
	EXPECT_EQ(scan("-0x").m_value, 0);
	EXPECT_FALSE(scan("+1").m_converted) << "vsscanf accepts only '-' before the digit";
	EXPECT_FALSE(scan("- 1").m_converted);
	EXPECT_FALSE(scan("--1").m_converted);
	EXPECT_FALSE(scan("-").m_converted);
	EXPECT_FALSE(scan("-x1").m_converted);
}

TEST(IpoibChildScan, NothingToConvert)
{
	for (const char *s : {"", " ", "\n", "   \n", "abc", "x1", "x", ".5", "\xa0"})
		EXPECT_FALSE(scan(s).m_converted) << '"' << s << '"';
	EXPECT_FALSE(kstr::scan_i(nullptr, 0).m_converted);
	EXPECT_FALSE(kstr::scan_i(nullptr, 5).m_converted) << "null is empty";
	EXPECT_FALSE(kstr::scan_i("5", 0).m_converted) << "len 0 is empty";
}

TEST(IpoibChildScan, TrailingGarbageIgnored)
{
	EXPECT_EQ(scan("12abc").m_value, 12);
	EXPECT_EQ(scan("0x12xyz").m_value, 0x12);
	EXPECT_EQ(scan("1 2").m_value, 1);
	EXPECT_EQ(scan("99999 junk").m_value, 99999);
	EXPECT_EQ(scan("019").m_value, 1) << "octal 01, then '9' stops it";
}

TEST(IpoibChildScan, WrapsLikeTheKernel)
{
	// No overflow check: u64 wrap in _parse_integer_limit, then the int store keeps 32 bits.
	EXPECT_EQ(scan("0x1ffffffff").m_value, -1);
	EXPECT_EQ(scan("0xffffffff").m_value, -1);
	EXPECT_EQ(scan("0x80000000").m_value, INT32_MIN);
	EXPECT_EQ(scan("2147483648").m_value, INT32_MIN);
	EXPECT_EQ(scan("4294967297").m_value, 1);
	EXPECT_EQ(scan("0x100000001").m_value, 1);
	EXPECT_EQ(scan("-4294967295").m_value, 1);
	EXPECT_EQ(scan("0x10000000000008001").m_value, 0x8001) << "wraps modulo 2^64 too";
	EXPECT_EQ(scan("18446744073709551617").m_value, 1) << "2^64 + 1";
	EXPECT_EQ(scan("-18446744073709551615").m_value, 1);
	EXPECT_EQ(scan("-2147483648").m_value, INT32_MIN);
	EXPECT_EQ(scan("-2147483649").m_value, INT32_MAX);
}

TEST(IpoibChildScan, BoundedByLenAndNul)
{
	const char buf[] = {'1', '2', '3', '4'}; // no NUL anywhere
	EXPECT_EQ(kstr::scan_i(buf, 2).m_value, 12) << "stops at len";
	EXPECT_EQ(kstr::scan_i(buf, 4).m_value, 1234);
	EXPECT_EQ(kstr::scan_i("0x80", 2).m_value, 0) << "\"0x\" only: octal 0";
	EXPECT_EQ(kstr::scan_i("0x80", 3).m_value, 8);
	EXPECT_EQ(kstr::scan_i("-5", 1).m_converted, false);
	const char nul[] = {'1', '\0', '2'};
	EXPECT_EQ(kstr::scan_i(nul, 3).m_value, 1) << "a NUL ends the string, as in sscanf";
	const char lead_nul[] = {'\0', '7'};
	EXPECT_FALSE(kstr::scan_i(lead_nul, 2).m_converted);
}

// ---- create_child_store ----

TEST(IpoibChildCreate, Accepts)
{
	expect_create("  0x8001", 0x8001);
	expect_create("0x8001\n", 0x8001);
	expect_create("0x8001", 0x8001);
	expect_create("32769", 0x8001);
	expect_create("32769\n", 0x8001);
	expect_create("1", 1); // without the full-member bit: ib0.0001
	expect_create("0x7fff", 0x7fff);
	expect_create("0xffff", 0xffff);
	expect_create("65535", 0xffff);
	expect_create("0177777", 0xffff);
	expect_create("0x8001\xa0", 0x8001);
}

TEST(IpoibChildCreate, AcceptsOddButKernelValid)
{
	expect_create("12abc", 12);
	expect_create("0x8001 0x8002", 0x8001);
	expect_create("0100001", 0x8001); // octal
	expect_create("019", 1);
	expect_create("4294967297", 1); // wraps to 1 in the int
	expect_create("0x100008001", 0x8001);
	expect_create("-4294967295", 1);
	expect_create("\xa0\xa0" "7", 7);
}

TEST(IpoibChildCreate, Rejects)
{
	for (const char *s : {"", "\n", " ", "0", "0\n", "00", "0x0", "-0", "0x", "0xg", "08", "0x8000", "32768",
			      "0100000", "0x10000", "65536", "0x1ffffffff", "0xffffffff", "-1", "-32769", "-0x8001",
			      "abc", "+1", "+0x8001", "x8001", "- 1", "0x80000000", "2147483648", "4294967296",
			      "0x100000000", "0x100008000"})
		expect_create_err(s);
	EXPECT_EQ(parse_create_child(nullptr, 0).error().code(), kEINVAL);
	EXPECT_EQ(parse_create_child("8001", 0).error().code(), kEINVAL);
}

TEST(IpoibChildCreate, ExhaustiveDecimalAndHex)
{
	for (int v = -70000; v <= 70000; v++) {
		const bool ok = v > 0 && v <= 0xffff && v != 0x8000;
		const std::string d = std::to_string(v);
		EXPECT_EQ(create(d).is_ok(), ok) << d;
		if (ok) {
			EXPECT_EQ(create(d).value(), v) << d;
		}
		if (v >= 0) {
			char h[16];
			snprintf(h, sizeof(h), "0x%x\n", v);
			EXPECT_EQ(create(h).is_ok(), ok) << h;
			if (ok) {
				EXPECT_EQ(create(h).value(), v) << h;
			}
		}
	}
}

// ---- delete_child_store ----

TEST(IpoibChildDelete, RangeIsZeroToFfff)
{
	expect_del("0", 0); // accepted; ipoib_vlan_delete then finds nothing (-ENODEV)
	expect_del("0x8000", 0x8000);
	expect_del("0x8001\n", 0x8001);
	expect_del("1", 1);
	expect_del("  32769", 0x8001);
	expect_del("0xffff", 0xffff);
	expect_del("-0", 0);
	expect_del("0x", 0); // converts as octal 0
	expect_del("08", 0);
	expect_del("4294967296", 0); // wraps to 0
	for (const char *s : {"", "\n", "abc", "+1", "-1", "0x10000", "65536", "0x1ffffffff", "0xffffffff"})
		expect_del_err(s);
}

// ---- the P_Key in use, uniqueness and delete matching ----

TEST(IpoibChildPkey, FullMemberBit)
{
	static_assert(child_pkey_in_use(0x0001) == 0x8001, "ipoib_ndo_init: priv->pkey |= 0x8000");
	static_assert(child_pkey_in_use(0x8001) == 0x8001, "");
	static_assert(child_pkey_in_use(0x7fff) == 0xffff, "");
	EXPECT_TRUE(child_pkey_invalid(0));
	EXPECT_TRUE(child_pkey_invalid(0x8000));
	EXPECT_FALSE(child_pkey_invalid(1));
	EXPECT_FALSE(child_pkey_invalid(0x8001));
	EXPECT_FALSE(child_pkey_invalid(0xffff));
}

TEST(IpoibChildPkey, UniqueComparesAsWrittenWithStored)
{
	// is_child_unique: the parent and every legacy child store P_Keys with bit 15 set.
	const ChildEntry kids[] = {{0x8001, ChildType::Legacy}, {0x8002, ChildType::Rtnl}};
	const kern::Span<const ChildEntry> s(kids);
	EXPECT_FALSE(child_is_unique(ChildType::Legacy, 0x8001, 0xffff, s)) << "same P_Key: duplicate";
	EXPECT_TRUE(child_is_unique(ChildType::Legacy, 0x0001, 0xffff, s))
		<< "0x0001 is not compared with the bit: both interfaces end up with 0x8001";
	EXPECT_TRUE(child_is_unique(ChildType::Legacy, 0x8002, 0xffff, s)) << "rtnl children are not compared";
	EXPECT_FALSE(child_is_unique(ChildType::Legacy, 0xffff, 0xffff, s)) << "the parent's P_Key is compared";
	EXPECT_TRUE(child_is_unique(ChildType::Legacy, 0x7fff, 0xffff, s)) << "...but only as written";
	EXPECT_TRUE(child_is_unique(ChildType::Rtnl, 0x8001, 0xffff, s)) << "rtnl children skip the check";
	EXPECT_TRUE(child_is_unique(ChildType::Rtnl, 0xffff, 0xffff, s));
	EXPECT_TRUE(child_is_unique(ChildType::Legacy, 0x8003, 0xffff, kern::Span<const ChildEntry>()));
}

TEST(IpoibChildPkey, CheckNewChildErrnos)
{
	const ChildEntry kids[] = {{0x8001, ChildType::Legacy}};
	const kern::Span<const ChildEntry> s(kids);
	// __ipoib_vlan_add: -EINVAL first, then -ENOTUNIQ.
	EXPECT_EQ(check_new_child(ChildType::Legacy, 0, 0xffff, s).error().code(), kEINVAL);
	EXPECT_EQ(check_new_child(ChildType::Rtnl, 0x8000, 0x8000, s).error().code(), kEINVAL);
	EXPECT_EQ(check_new_child(ChildType::Legacy, 0x8001, 0xffff, s).error().code(), kENOTUNIQ);
	EXPECT_EQ(check_new_child(ChildType::Legacy, 0xffff, 0xffff, s).error().code(), kENOTUNIQ);
	EXPECT_EQ(check_new_child(ChildType::Legacy, 0x0001, 0xffff, s).value(), 0x8001);
	EXPECT_EQ(check_new_child(ChildType::Legacy, 0x7fff, 0xffff, s).value(), 0xffff);
	EXPECT_EQ(check_new_child(ChildType::Rtnl, 0x8001, 0xffff, s).value(), 0x8001);
	EXPECT_EQ(check_new_child(ChildType::Rtnl, 0x0002, 0xffff, s).value(), 0x8002);
}

TEST(IpoibChildPkey, DeleteMatchesStoredAsWritten)
{
	// ipoib_vlan_delete: first legacy child in list order whose stored P_Key == the value.
	const ChildEntry kids[] = {
		{0x8005, ChildType::Rtnl},
		{0x8001, ChildType::Legacy}, // ib0.8001
		{0x8001, ChildType::Legacy}, // ib0.0001 (made by writing "1")
		{0x8005, ChildType::Legacy},
	};
	const kern::Span<const ChildEntry> s(kids);
	EXPECT_EQ(find_child_to_delete(0x8001, s).value(), 1u) << "the first one created";
	EXPECT_EQ(find_child_to_delete(0x0001, s).error().code(), kENODEV) << "\"1\" never matches a stored P_Key";
	EXPECT_EQ(find_child_to_delete(0x8005, s).value(), 3u) << "rtnl children cannot be deleted here";
	EXPECT_EQ(find_child_to_delete(0x0000, s).error().code(), kENODEV);
	EXPECT_EQ(find_child_to_delete(0x8000, s).error().code(), kENODEV);
	EXPECT_EQ(find_child_to_delete(0x8001, kern::Span<const ChildEntry>()).error().code(), kENODEV);
}

// ---- naming ----

std::string name(const char *parent, u16 pkey)
{
	char out[kIfNameSize];
	memset(out, 'Z', sizeof(out));
	const usize n = child_name(parent, pkey, out);
	EXPECT_EQ(n, strlen(out));
	EXPECT_LT(n, kIfNameSize);
	return out;
}

TEST(IpoibChildName, Format)
{
	// ipoib_vlan_add: snprintf(intf_name, 16, "%.10s.%04x", parent, pkey).
	EXPECT_EQ(name("ib0", 0x8001), "ib0.8001");
	EXPECT_EQ(name("ib0", 1), "ib0.0001") << "the value as written, not the P_Key in use";
	EXPECT_EQ(name("ib0", 0x7fff), "ib0.7fff");
	EXPECT_EQ(name("ib0", 0xabcd), "ib0.abcd") << "lower case";
	EXPECT_EQ(name("ib0", 0), "ib0.0000");
	EXPECT_EQ(name("ibp129s0f0", 0x8001), "ibp129s0f0.8001") << "10 characters: all kept, 15 total";
	EXPECT_EQ(name("ibp129s0f0np1", 0x8001), "ibp129s0f0.8001") << "truncated to 10";
	EXPECT_EQ(name("", 0x12), ".0012");
	EXPECT_EQ(name(nullptr, 0x12), "(null).0012");
	// Two values with the same name: "32769" and "0x8001".
	EXPECT_EQ(name("ib0", create("32769").value()), name("ib0", create("0x8001\n").value()));
}

// ---- umcast_store ----

TEST(IpoibChildUmcast, SimpleStrtoul)
{
	EXPECT_TRUE(umcast("1"));
	EXPECT_TRUE(umcast("1\n"));
	EXPECT_TRUE(umcast("2"));
	EXPECT_TRUE(umcast("0x1"));
	EXPECT_TRUE(umcast("010"));
	EXPECT_TRUE(umcast("1abc")) << "trailing garbage ignored";
	EXPECT_TRUE(umcast("0x7fffffff"));
	EXPECT_TRUE(umcast("0x100000001")) << "low 32 bits into the int";
	EXPECT_TRUE(umcast("4294967297"));
	EXPECT_FALSE(umcast("0"));
	EXPECT_FALSE(umcast("0\n"));
	EXPECT_FALSE(umcast(""));
	EXPECT_FALSE(umcast("abc")) << "garbage parses as 0 and clears";
	EXPECT_FALSE(umcast(" 1")) << "simple_strtoul does not skip white space";
	EXPECT_FALSE(umcast("\n1"));
	EXPECT_FALSE(umcast("+1")) << "no sign handling";
	EXPECT_FALSE(umcast("-1"));
	EXPECT_FALSE(umcast("08")) << "octal 0";
	EXPECT_FALSE(umcast("0x")) << "octal 0";
	EXPECT_FALSE(umcast("0x80000000")) << "int -2^31 is not > 0";
	EXPECT_FALSE(umcast("0xffffffff")) << "int -1";
	EXPECT_FALSE(umcast("4294967296")) << "int 0";
	EXPECT_FALSE(umcast("18446744073709551616")) << "2^64 wraps to 0";
	EXPECT_TRUE(parse_umcast(nullptr, 0).is_ok());
	EXPECT_FALSE(parse_umcast(nullptr, 0).value());
	EXPECT_FALSE(parse_umcast("1", 0).value()) << "bounded by len";
	EXPECT_EQ(kstr::simple_strtoul("0x1f", 4), 0x1fu);
	EXPECT_EQ(kstr::simple_strtoul("0x1f", 3), 1u);
	EXPECT_EQ(kstr::simple_strtoul("0xffffffffffffffff", 18), ~0ull);
}

TEST(IpoibChildUmcast, Netlink)
{
	// ipoib_changelink: nla_get_u16 into ipoib_set_umcast(int): > 0 for any non-zero u16.
	EXPECT_FALSE(umcast_from_netlink(0));
	EXPECT_TRUE(umcast_from_netlink(1));
	EXPECT_TRUE(umcast_from_netlink(0x8000));
	EXPECT_TRUE(umcast_from_netlink(0xffff));
}

// ---- mode_store ----

kern::Result<Mode> mode(const std::string &s) { return parse_mode(s.data(), s.size()); }

TEST(IpoibChildMode, ExactMatch)
{
	EXPECT_EQ(mode("connected\n").value(), Mode::Connected);
	EXPECT_EQ(mode("datagram\n").value(), Mode::Datagram);
	EXPECT_EQ(mode(std::string("connected\n\0junk", 15)).value(), Mode::Connected)
		<< "strcmp stops at the NUL kernfs would see";
	for (const char *s : {"connected", "datagram", "connected\n\n", " connected\n", "connected \n",
			      "Connected\n", "DATAGRAM\n", "connected\r\n", "conn\n", "", "\n", "datagram\nx",
			      "datagramm\n", "1\n", "0\n"}) {
		const kern::Result<Mode> r = mode(s);
		ASSERT_TRUE(r.is_err()) << '"' << s << '"';
		EXPECT_EQ(r.error().code(), kEINVAL) << '"' << s << '"';
	}
	EXPECT_EQ(parse_mode("connected\n", 9).error().code(), kEINVAL) << "len cuts the newline: echo -n";
	EXPECT_EQ(parse_mode(nullptr, 0).error().code(), kEINVAL);
}

TEST(IpoibChildMode, Change)
{
	// ipoib_set_mode: same mode is a successful no-op; connected needs IPOIB_CM_SUPPORTED.
	EXPECT_FALSE(mode_change(Mode::Datagram, Mode::Datagram, false).value());
	EXPECT_FALSE(mode_change(Mode::Connected, Mode::Connected, false).value());
	EXPECT_TRUE(mode_change(Mode::Connected, Mode::Datagram, false).value());
	EXPECT_TRUE(mode_change(Mode::Datagram, Mode::Connected, true).value());
	EXPECT_EQ(mode_change(Mode::Datagram, Mode::Connected, false).error().code(), kEINVAL);
	EXPECT_STREQ(mode_name(Mode::Connected), "connected");
	EXPECT_STREQ(mode_name(Mode::Datagram), "datagram");
	EXPECT_EQ(static_cast<int>(Mode::Datagram), 0) << "IPOIB_MODE_DATAGRAM";
	EXPECT_EQ(static_cast<int>(Mode::Connected), 1) << "IPOIB_MODE_CONNECTED";
}

// ---- netlink ----

LinkRequest req() { return LinkRequest{false, 0, false, 0, false, 0}; }
NewlinkParent parent(u16 pkey = 0xffff) { return NewlinkParent{true, true, false, pkey}; }

TEST(IpoibChildNetlink, NewlinkParentChecks)
{
	const char *msg = "unset";
	NewlinkParent p = parent();
	p.m_link_given = false;
	p.m_found_ib = false;
	EXPECT_EQ(validate_newlink(p, req(), true, &msg).error().code(), kEINVAL) << "no IFLA_LINK";
	EXPECT_STREQ(msg, kMsgNoLink);
	p.m_link_given = true;
	EXPECT_EQ(validate_newlink(p, req(), true, &msg).error().code(), kENODEV) << "missing or not ARPHRD_INFINIBAND";
	EXPECT_STREQ(msg, kMsgParentNotIb);
	p.m_found_ib = true;
	p.m_is_child = true;
	EXPECT_EQ(validate_newlink(p, req(), true, &msg).error().code(), kEINVAL) << "IPOIB_FLAG_SUBINTERFACE";
	EXPECT_STREQ(msg, "child creation disallowed for child devices") << "the in-tree warning";
	p.m_is_child = false;
	EXPECT_EQ(validate_newlink(p, req(), true, &msg).value(), 0xffff);
	EXPECT_EQ(msg, nullptr);
	EXPECT_EQ(validate_newlink(p, req(), true).value(), 0xffff) << "msg is optional";
}

TEST(IpoibChildNetlink, NewlinkPkey)
{
	const char *msg = nullptr;
	LinkRequest r = req();
	EXPECT_EQ(validate_newlink(parent(0xffff), r, false).value(), 0xffff) << "no PKEY: the parent's";
	EXPECT_EQ(validate_newlink(parent(0x8000), r, false, &msg).error().code(), kEINVAL)
		<< "a parent P_Key of 0x8000 is refused by __ipoib_vlan_add";
	EXPECT_STREQ(msg, kMsgBadPkey);
	r.has_pkey = true;
	for (u16 bad : {0x0000, 0x8000}) {
		r.pkey = bad;
		EXPECT_EQ(validate_newlink(parent(), r, false).error().code(), kEINVAL) << bad;
	}
	r.pkey = 0x0001;
	EXPECT_EQ(validate_newlink(parent(), r, false).value(), 0x8001) << "full-member bit set in ndo_init";
	r.pkey = 0xffff;
	EXPECT_EQ(validate_newlink(parent(0xffff), r, false).value(), 0xffff) << "duplicates allowed for rtnl";
	r.pkey = 0x7fff;
	EXPECT_EQ(validate_newlink(parent(), r, false).value(), 0xffff);
}

TEST(IpoibChildNetlink, NewlinkRunsChangelink)
{
	const char *msg = nullptr;
	LinkRequest r = req();
	r.has_mode = true;
	r.mode = 2;
	EXPECT_EQ(validate_newlink(parent(), r, true, &msg).error().code(), kEINVAL);
	EXPECT_STREQ(msg, kMsgBadMode);
	r.mode = 1;
	EXPECT_EQ(validate_newlink(parent(), r, false, &msg).error().code(), kEINVAL) << "no CM: -EINVAL";
	EXPECT_STREQ(msg, kMsgNoCm);
	EXPECT_EQ(validate_newlink(parent(), r, true).value(), 0xffff);
	r.mode = 0;
	EXPECT_EQ(validate_newlink(parent(), r, false).value(), 0xffff);
	// The P_Key error comes first (__ipoib_vlan_add runs before changelink).
	r.mode = 7;
	r.has_pkey = true;
	r.pkey = 0;
	EXPECT_EQ(validate_newlink(parent(), r, true, &msg).error().code(), kEINVAL);
	EXPECT_STREQ(msg, kMsgBadPkey);
	// Parent errors come before everything.
	NewlinkParent p = parent();
	p.m_found_ib = false;
	EXPECT_EQ(validate_newlink(p, r, true).error().code(), kENODEV);
}

TEST(IpoibChildNetlink, Changelink)
{
	const char *msg = "unset";
	LinkRequest r = req();
	kern::Result<LinkChange> c = validate_changelink(r, Mode::Datagram, true, &msg);
	ASSERT_TRUE(c.is_ok());
	EXPECT_FALSE(c.value().m_mode_switch);
	EXPECT_FALSE(c.value().m_set_umcast);
	EXPECT_EQ(msg, nullptr);

	r.has_pkey = true;
	r.pkey = 0; // ignored by ipoib_changelink, even an invalid one
	EXPECT_TRUE(validate_changelink(r, Mode::Datagram, true).is_ok());

	r.has_mode = true;
	for (u16 m : {2, 3, 0x100, 0xffff}) {
		r.mode = m;
		EXPECT_EQ(validate_changelink(r, Mode::Datagram, true, &msg).error().code(), kEINVAL) << m;
		EXPECT_STREQ(msg, kMsgBadMode);
	}
	r.mode = 1;
	c = validate_changelink(r, Mode::Datagram, true);
	EXPECT_TRUE(c.value().m_mode_switch);
	EXPECT_EQ(c.value().m_mode, Mode::Connected);
	c = validate_changelink(r, Mode::Connected, false);
	EXPECT_FALSE(c.value().m_mode_switch) << "already connected: no-op even without CM";
	EXPECT_EQ(validate_changelink(r, Mode::Datagram, false).error().code(), kEINVAL);
	r.mode = 0;
	c = validate_changelink(r, Mode::Connected, false);
	EXPECT_TRUE(c.value().m_mode_switch);
	EXPECT_EQ(c.value().m_mode, Mode::Datagram);

	r.has_umcast = true;
	r.umcast = 5;
	c = validate_changelink(r, Mode::Datagram, false);
	EXPECT_TRUE(c.value().m_set_umcast);
	EXPECT_TRUE(c.value().m_umcast);
	r.umcast = 0;
	c = validate_changelink(r, Mode::Datagram, false);
	EXPECT_TRUE(c.value().m_set_umcast);
	EXPECT_FALSE(c.value().m_umcast);
	// A failed MODE means UMCAST is not applied (ipoib_changelink returns first).
	r.mode = 9;
	r.umcast = 1;
	EXPECT_TRUE(validate_changelink(r, Mode::Datagram, false).is_err());
}

// ---- sysfs show ----

TEST(IpoibChildShow, Formats)
{
	char buf[32];
	{
		BufWriter w(buf);
		show_pkey(w, 0x8001);
		EXPECT_STREQ(w.c_str(), "0x8001\n");
	}
	{
		BufWriter w(buf);
		show_pkey(w, 0x12);
		EXPECT_STREQ(w.c_str(), "0x0012\n");
	}
	{
		BufWriter w(buf);
		show_pkey(w, 0xffff);
		EXPECT_STREQ(w.c_str(), "0xffff\n");
	}
	{
		BufWriter w(buf);
		show_umcast(w, true);
		EXPECT_STREQ(w.c_str(), "1\n");
	}
	{
		BufWriter w(buf);
		show_umcast(w, false);
		EXPECT_STREQ(w.c_str(), "0\n");
	}
	{
		BufWriter w(buf);
		show_mode(w, Mode::Connected);
		EXPECT_STREQ(w.c_str(), "connected\n");
	}
	{
		BufWriter w(buf);
		show_mode(w, Mode::Datagram);
		EXPECT_STREQ(w.c_str(), "datagram\n");
		EXPECT_EQ(w.size(), 9u);
	}
	{
		BufWriter w(buf);
		show_parent(w, "ib0");
		EXPECT_STREQ(w.c_str(), "ib0\n");
	}
	{
		char small[5];
		BufWriter w(small);
		show_pkey(w, 0x8001);
		EXPECT_TRUE(w.overflowed());
		EXPECT_STREQ(w.c_str(), "0x80");
	}
	// What show writes, the store reads back.
	BufWriter w(buf);
	show_mode(w, Mode::Connected);
	EXPECT_EQ(parse_mode(buf, w.size()).value(), Mode::Connected);
}

} // namespace
