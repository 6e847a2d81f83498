// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// Tests for ipoib/buf_writer.h and ipoib/debugfs_fmt.h. The expected text
// is produced by libc snprintf with the in-tree format strings from
// ipoib_fs.c, so a width or padding slip shows up as a diff.

#include <gtest/gtest.h>

#include <climits>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "kapi_user.h"
#include "ipoib/debugfs_fmt.h"
#include "ipoib/mcast_map.h"

using namespace ipoib;

namespace {

// ---- BufWriter against printf --------------------------------------------

std::string w_dec(long long v, usize width)
{
	char buf[64];
	BufWriter w(buf);
	w.put_dec(v, width);
	EXPECT_FALSE(w.overflowed());
	return buf;
}

std::string w_hex(unsigned long long v, usize width, bool zero)
{
	char buf[64];
	BufWriter w(buf);
	w.put_hex(v, width, zero);
	return buf;
}

std::string printf_str(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
std::string printf_str(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

TEST(IpoibBufWriter, DecimalMatchesPrintf)
{
	const long long values[] = {0, 1, -1, 9, 10, 99, 100, 12345, -12345, 2147483647, -2147483648LL,
				    4294892296LL, LLONG_MAX, LLONG_MIN};
	for (long long v : values) {
		for (int width : {0, 1, 2, 6, 8, 9, 10, 12, 25}) {
			EXPECT_EQ(w_dec(v, static_cast<usize>(width)), printf_str("%*lld", width, v)) << v << " w" << width;
		}
	}
}

TEST(IpoibBufWriter, UnsignedAndHexMatchPrintf)
{
	const unsigned long long values[] = {0, 1, 0xf, 0x10, 0x12, 0xabc, 0xffff, 0x10000, 0xdeadbeef, ULLONG_MAX};
	for (unsigned long long v : values) {
		for (int width : {0, 1, 4, 8, 20}) {
			EXPECT_EQ(w_hex(v, static_cast<usize>(width), false), printf_str("%*llx", width, v)) << v;
			EXPECT_EQ(w_hex(v, static_cast<usize>(width), true), printf_str("%0*llx", width, v)) << v;
			char buf[64];
			BufWriter w(buf);
			w.put_udec(v, static_cast<usize>(width));
			EXPECT_EQ(std::string(buf), printf_str("%*llu", width, v)) << v;
		}
	}
}

TEST(IpoibBufWriter, StringPadding)
{
	for (const char *s : {"", "no", "yes", "abcdefghij"}) {
		for (int width : {0, 2, 6, 8, 9}) {
			char buf[64];
			BufWriter w(buf);
			w.put_str(s, static_cast<usize>(width));
			EXPECT_EQ(std::string(buf), printf_str("%*s", width, s)) << s << " w" << width;
		}
	}
	char buf[16];
	BufWriter w(buf);
	w.put_str(nullptr);
	EXPECT_STREQ(buf, "(null)");
}

TEST(IpoibBufWriter, TruncatesAndTerminates)
{
	char buf[8];
	std::memset(buf, 'x', sizeof(buf));
	BufWriter w(buf, 5);
	w.put_str("abc");
	EXPECT_FALSE(w.overflowed());
	w.put_dec(12345);
	EXPECT_TRUE(w.overflowed());
	EXPECT_EQ(w.size(), 4u);
	EXPECT_STREQ(buf, "abc1");
	EXPECT_EQ(buf[5], 'x') << "nothing past the capacity";
	w.put_char('z');
	EXPECT_STREQ(buf, "abc1");

	BufWriter one(buf, 1);
	one.put_char('a');
	EXPECT_TRUE(one.overflowed());
	EXPECT_STREQ(buf, "");

	BufWriter none(nullptr, 10);
	none.put_str("hello");
	EXPECT_TRUE(none.overflowed());
	EXPECT_STREQ(none.c_str(), "");
	EXPECT_EQ(none.size(), 0u);

	char c = 'q';
	BufWriter zero(&c, 0);
	zero.put_char('a');
	EXPECT_EQ(c, 'q');
	EXPECT_TRUE(zero.overflowed());
}

// ---- GID format ---------------------------------------------------------------

std::string gid_str(const Gid &g)
{
	char buf[kGidStrLen];
	const usize n = format_gid(g, buf, sizeof(buf));
	EXPECT_EQ(n, std::string(buf).size());
	return buf;
}

TEST(IpoibGidFormat, NoCompressionNoLeadingZeros)
{
	EXPECT_EQ(gid_str(broadcast_addr(0xffff).gid()), "ff12:401b:ffff:0:0:0:ffff:ffff");
	EXPECT_EQ(gid_str(Gid()), "0:0:0:0:0:0:0:0");
	EXPECT_EQ(gid_str(Gid::from_parts(0xfe80000000000000ull, 0x0002c90300a1b2c3ull)), "fe80:0:0:0:2:c903:a1:b2c3");
	const u8 all[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	const std::string longest = gid_str(Gid(all));
	EXPECT_EQ(longest, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	EXPECT_EQ(longest.size() + 1, kGidStrLen) << "kGidStrLen fits the longest GID exactly";
}

TEST(IpoibGidFormat, SmallBufferTruncates)
{
	char buf[10];
	EXPECT_EQ(format_gid(broadcast_addr(0xffff).gid(), buf, sizeof(buf)), 9u);
	EXPECT_STREQ(buf, "ff12:401b");
}

// ---- Rates --------------------------------------------------------------------

TEST(IpoibRate, IbRateToMbps)
{
	EXPECT_EQ(ib_rate_to_mbps(0), -1) << "IB_RATE_PORT_CURRENT";
	EXPECT_EQ(ib_rate_to_mbps(1), -1);
	EXPECT_EQ(ib_rate_to_mbps(2), 2500);
	EXPECT_EQ(ib_rate_to_mbps(3), 10000);
	EXPECT_EQ(ib_rate_to_mbps(4), 30000);
	EXPECT_EQ(ib_rate_to_mbps(5), 5000);
	EXPECT_EQ(ib_rate_to_mbps(6), 20000);
	EXPECT_EQ(ib_rate_to_mbps(7), 40000);
	EXPECT_EQ(ib_rate_to_mbps(8), 60000);
	EXPECT_EQ(ib_rate_to_mbps(9), 80000);
	EXPECT_EQ(ib_rate_to_mbps(10), 120000);
	EXPECT_EQ(ib_rate_to_mbps(11), 14062);
	EXPECT_EQ(ib_rate_to_mbps(12), 56250);
	EXPECT_EQ(ib_rate_to_mbps(13), 112500);
	EXPECT_EQ(ib_rate_to_mbps(14), 168750);
	EXPECT_EQ(ib_rate_to_mbps(15), 25781);
	EXPECT_EQ(ib_rate_to_mbps(16), 103125);
	EXPECT_EQ(ib_rate_to_mbps(17), 206250);
	EXPECT_EQ(ib_rate_to_mbps(18), 309375);
	EXPECT_EQ(ib_rate_to_mbps(19), 28125);
	EXPECT_EQ(ib_rate_to_mbps(20), 53125);
	EXPECT_EQ(ib_rate_to_mbps(21), 425000);
	EXPECT_EQ(ib_rate_to_mbps(22), 637500);
	EXPECT_EQ(ib_rate_to_mbps(23), -1);
	EXPECT_EQ(ib_rate_to_mbps(-5), -1);
}

// ---- Records, against the in-tree format strings -------------------------------

// In-tree's record without its closing empty line: ours inserts its counters there.
std::string in_tree_path_body(const PathRecordInfo &p)
{
	char gid[kGidStrLen];
	format_gid(p.m_dgid, gid, sizeof(gid));
	std::string s = printf_str("GID: %s\n"
				   "  complete: %6s\n",
				   gid, p.m_dlid ? "yes" : "no");
	if (p.m_dlid) {
		const int rate = ib_rate_to_mbps(p.m_rate);
		s += printf_str("  DLID:     0x%04x\n"
				"  SL: %12d\n"
				"  rate: %8d.%d Gb/sec\n",
				p.m_dlid, p.m_sl, rate / 1000, rate % 1000);
	}
	return s;
}

std::string ours_counters(const PathRecordInfo &p)
{
	return printf_str("  tx_packets: %lld\n  tx_bytes: %lld\n", static_cast<long long>(p.m_tx_packets),
			  static_cast<long long>(p.m_tx_bytes));
}

std::string ours_path(const PathRecordInfo &p)
{
	char buf[512];
	BufWriter w(buf);
	EXPECT_TRUE(write_path_record(w, p));
	return buf;
}

TEST(IpoibDebugfsPath, KnownAnswers)
{
	PathRecordInfo p;
	p.m_dgid = Gid::from_parts(0xfe80000000000000ull, 0x0002c90300123456ull);
	p.m_dlid = 0x12;
	p.m_sl = 0;
	p.m_rate = 3;
	EXPECT_EQ(ours_path(p), "GID: fe80:0:0:0:2:c903:12:3456\n"
				"  complete:    yes\n"
				"  DLID:     0x0012\n"
				"  SL:            0\n"
				"  rate:       10.0 Gb/sec\n"
				"  tx_packets: 0\n"
				"  tx_bytes: 0\n"
				"\n");
	p.m_dlid = 0;
	EXPECT_EQ(ours_path(p), "GID: fe80:0:0:0:2:c903:12:3456\n"
				"  complete:     no\n"
				"  tx_packets: 0\n"
				"  tx_bytes: 0\n"
				"\n");
	p.m_dlid = 0xbeef;
	p.m_sl = 15;
	p.m_rate = 11; // 14.0625 Gb/s prints as "14.62", as in-tree
	EXPECT_EQ(ours_path(p), "GID: fe80:0:0:0:2:c903:12:3456\n"
				"  complete:    yes\n"
				"  DLID:     0xbeef\n"
				"  SL:           15\n"
				"  rate:       14.62 Gb/sec\n"
				"  tx_packets: 0\n"
				"  tx_bytes: 0\n"
				"\n");
}

TEST(IpoibDebugfsPath, MatchesInTreeFormatForAllRatesAndLids)
{
	PathRecordInfo p;
	p.m_dgid = Gid::from_parts(0xfe80000000000000ull, 0x1ull);
	for (u32 dlid : {0u, 1u, 0x1fu, 0xc000u, 0xffffu, 0x12345u}) {
		for (int rate = 0; rate <= 24; rate++) {
			for (u8 sl : {0, 7, 15}) {
				p.m_dlid = dlid;
				p.m_rate = static_cast<u8>(rate);
				p.m_sl = sl;
				p.m_tx_packets = dlid * 3u;
				p.m_tx_bytes = static_cast<u64>(dlid) << 20;
				EXPECT_EQ(ours_path(p), in_tree_path_body(p) + ours_counters(p) + "\n") << dlid << " " << rate;
			}
		}
	}
	p.m_dlid = 1;
	p.m_rate = 0;
	EXPECT_NE(ours_path(p).find("       0.-1 Gb/sec"), std::string::npos) << "unknown rate, as in-tree";
}

TEST(IpoibDebugfsPath, OverflowReported)
{
	PathRecordInfo p;
	p.m_dlid = 1;
	char buf[40];
	BufWriter w(buf);
	EXPECT_FALSE(write_path_record(w, p));
	EXPECT_TRUE(w.overflowed());
	EXPECT_EQ(w.size(), 39u);
}

std::string in_tree_mcg(const McgRecordInfo &m)
{
	char gid[kGidStrLen];
	format_gid(m.m_mgid, gid, sizeof(gid));
	return printf_str("GID: %s\n"
			  "  created: %10ld\n"
			  "  queuelen: %9d\n"
			  "  complete: %9s\n"
			  "  send_only: %8s\n"
			  "\n",
			  gid, static_cast<long>(m.m_created), static_cast<int>(m.m_queuelen), m.m_complete ? "yes" : "no",
			  m.m_send_only ? "yes" : "no");
}

std::string ours_mcg(const McgRecordInfo &m)
{
	char buf[512];
	BufWriter w(buf);
	EXPECT_TRUE(write_mcg_record(w, m));
	return buf;
}

TEST(IpoibDebugfsMcg, KnownAnswer)
{
	McgRecordInfo m;
	m.m_mgid = broadcast_addr(0xffff).gid();
	m.m_created = 4294892296ull; // INITIAL_JIFFIES at HZ=250
	m.m_queuelen = 0;
	m.m_complete = true;
	m.m_send_only = false;
	EXPECT_EQ(ours_mcg(m), "GID: ff12:401b:ffff:0:0:0:ffff:ffff\n"
			       "  created: 4294892296\n"
			       "  queuelen:         0\n"
			       "  complete:       yes\n"
			       "  send_only:       no\n"
			       "\n");
}

TEST(IpoibDebugfsMcg, MatchesInTreeFormat)
{
	McgRecordInfo m;
	m.m_mgid = ipv4_mc_mgid(kern::Be32::from_cpu(0xe00000fb), broadcast_addr(0x8001));
	for (u64 created : {0ull, 1ull, 123456ull, 4294892296ull, 99999999999ull, ~0ull}) {
		for (u32 q : {0u, 3u, 64u, 0x7fffffffu, 0xffffffffu}) {
			for (int flags = 0; flags < 4; flags++) {
				m.m_created = created;
				m.m_queuelen = q;
				m.m_complete = flags & 1;
				m.m_send_only = flags & 2;
				EXPECT_EQ(ours_mcg(m), in_tree_mcg(m)) << created << " " << q << " " << flags;
			}
		}
	}
}

TEST(IpoibDebugfsMcg, GidCompareIsMemcmp)
{
	const Gid a = broadcast_addr(0xffff).gid();
	const Gid b = broadcast_addr(0x8001).gid();
	EXPECT_EQ(gid_compare(a, a), 0);
	EXPECT_EQ(gid_compare(a, b) < 0, std::memcmp(a.raw(), b.raw(), 16) < 0);
	EXPECT_EQ(gid_compare(b, a) < 0, std::memcmp(b.raw(), a.raw(), 16) < 0);
	EXPECT_LT(gid_compare(Gid(), a), 0);
}

struct FakeGroup {
	Gid mgid;
	int id;
};

/* The records an in-tree style walk yields, as ids. */
std::string walk(FakeGroup *begin, FakeGroup *end)
{
	struct R {
		FakeGroup *b, *e;
		FakeGroup *begin() { return b; }
		FakeGroup *end() { return e; }
	} r{begin, end};
	std::string out;
	Gid prev;
	while (FakeGroup *g = mcg_next(r, prev, [](const FakeGroup &x) -> const Gid & { return x.mgid; })) {
		out += std::to_string(g->id) + " ";
		prev = g->mgid;
	}
	return out;
}

TEST(IpoibDebugfsMcg, WalkIsSortedByMgid)
{
	const HwAddr bc = broadcast_addr(0xffff);
	FakeGroup g[] = {
		{bc.gid(), 0},
		{ipv4_mc_mgid(kern::Be32::from_cpu(0xef010101), bc), 1}, /* 239.1.1.1 */
		{ipv4_mc_mgid(kern::Be32::from_cpu(0xe0000001), bc), 2}, /* 224.0.0.1 */
		{ipv4_mc_mgid(kern::Be32::from_cpu(0xe00000fb), bc), 3}, /* 224.0.0.251 */
	};
	/* the last 4 bytes: 00000001 < 000000fb < 0f010101 < ffffffff */
	EXPECT_EQ(walk(g, g + 4), "2 3 1 0 ");
	EXPECT_EQ(walk(g, g), "");
	/* The all-zero GID is never shown (in-tree starts strictly after it). */
	FakeGroup z[] = {{Gid(), 7}, {bc.gid(), 8}};
	EXPECT_EQ(walk(z, z + 2), "8 ");
}

TEST(IpoibDebugfsMcg, WalkOrderDoesNotDependOnInsertion)
{
	const HwAddr bc = broadcast_addr(0x8001);
	FakeGroup a[6], b[6];
	for (int i = 0; i < 6; i++) {
		a[i] = {ipv4_mc_mgid(kern::Be32::from_cpu(0xe0000000u + static_cast<u32>(i * 37 % 6)), bc), i * 37 % 6};
		b[5 - i] = a[i];
	}
	EXPECT_EQ(walk(a, a + 6), "0 1 2 3 4 5 ");
	EXPECT_EQ(walk(b, b + 6), "0 1 2 3 4 5 ");
}

} // namespace
