/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/debugfs_fmt.h - the debugfs <if>_path and <if>_mcg record formats (pure).
 *
 * Scripts and support tooling parse /sys/kernel/debug/ipoib/<if>_path and
 * <if>_mcg, so we reproduce the in-tree ipoib_fs.c output exactly: the
 * same labels, the same printf field widths, the same "yes"/"no", even
 * its rate quirk (the fractional part is printed with %d, so 14.0625
 * Gb/s comes out as "14.62"). The GID style is 8 groups of %x joined by
 * ':' with no zero compression and no leading zeros.
 */
#ifndef IPOIB_DEBUGFS_FMT_H
#define IPOIB_DEBUGFS_FMT_H

#include "ipoib/buf_writer.h"
#include "ipoib/wire.h"
#include "kern/base.h"

namespace ipoib {

/* Longest GID text, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", plus its NUL. */
inline constexpr usize kGidStrLen = 40;

/* Appends `gid` in the debugfs style, e.g. "ff12:401b:ffff:0:0:0:ffff:ffff". */
inline void format_gid(BufWriter &w, const Gid &gid) noexcept
{
	for (usize i = 0; i < 8; i++) {
		w.put_hex(gid.group(i));
		if (i < 7)
			w.put_char(':');
	}
}

/*
 * Formats `gid` into buf[0..cap) (NUL-terminated, truncated if cap <
 * kGidStrLen). Returns the length of the text that was written.
 */
inline usize format_gid(const Gid &gid, char *buf, usize cap) noexcept
{
	BufWriter w(buf, cap);
	format_gid(w, gid);
	return w.size();
}

/*
 * enum ib_rate (the encoded static rate of a path record, IBA vol 1
 * table "Rate" in the PathRecord attribute) to Mb/s, as ib_rate_to_mbps():
 * the FDR/EDR-era values are the real data rates after 64b/66b coding
 * (14.0625, 25.78125 ...), and anything unknown is -1.
 */
inline int ib_rate_to_mbps(int rate) noexcept
{
	switch (rate) {
	case 2: return 2500;     /* IB_RATE_2_5_GBPS */
	case 5: return 5000;     /* IB_RATE_5_GBPS */
	case 3: return 10000;    /* IB_RATE_10_GBPS */
	case 6: return 20000;    /* IB_RATE_20_GBPS */
	case 4: return 30000;    /* IB_RATE_30_GBPS */
	case 7: return 40000;    /* IB_RATE_40_GBPS */
	case 8: return 60000;    /* IB_RATE_60_GBPS */
	case 9: return 80000;    /* IB_RATE_80_GBPS */
	case 10: return 120000;  /* IB_RATE_120_GBPS */
	case 11: return 14062;   /* IB_RATE_14_GBPS */
	case 12: return 56250;   /* IB_RATE_56_GBPS */
	case 13: return 112500;  /* IB_RATE_112_GBPS */
	case 14: return 168750;  /* IB_RATE_168_GBPS */
	case 15: return 25781;   /* IB_RATE_25_GBPS */
	case 16: return 103125;  /* IB_RATE_100_GBPS */
	case 17: return 206250;  /* IB_RATE_200_GBPS */
	case 18: return 309375;  /* IB_RATE_300_GBPS */
	case 19: return 28125;   /* IB_RATE_28_GBPS */
	case 20: return 53125;   /* IB_RATE_50_GBPS */
	case 21: return 425000;  /* IB_RATE_400_GBPS */
	case 22: return 637500;  /* IB_RATE_600_GBPS */
	default: return -1;      /* IB_RATE_PORT_CURRENT and unknown values */
	}
}

/* What one <if>_path record shows. */
struct PathRecordInfo {
	Gid m_dgid;
	u32 m_dlid = 0; /* host order; 0 means "not resolved" (in-tree: sa_path_get_dlid() == 0) */
	u8 m_sl = 0;
	u8 m_rate = 0;  /* enum ib_rate */
	/* Ours, after in-tree's lines: what was sent to this destination (its neighbours and connections). */
	u64 m_tx_packets = 0;
	u64 m_tx_bytes = 0;
};

/*
 * One <if>_path record:
 *   GID: <dgid>
 *     complete: %6s
 *   and, only if complete (DLID != 0):
 *     DLID:     0x%04x
 *     SL: %12d
 *     rate: %8d.%d Gb/sec
 *   then ours (parsers of in-tree's record skip lines they do not know):
 *     tx_packets: %lld
 *     tx_bytes: %lld
 *   then an empty line.
 * Returns false if the buffer was too small (the text is truncated).
 */
inline bool write_path_record(BufWriter &w, const PathRecordInfo &p) noexcept
{
	w.put_str("GID: ");
	format_gid(w, p.m_dgid);
	w.put_str("\n  complete: ");
	const bool complete = p.m_dlid != 0;
	w.put_str(complete ? "yes" : "no", 6);
	w.put_char('\n');
	if (complete) {
		const int rate = ib_rate_to_mbps(p.m_rate);
		w.put_str("  DLID:     0x");
		w.put_hex(p.m_dlid, 4, true);
		w.put_str("\n  SL: ");
		w.put_dec(p.m_sl, 12);
		w.put_str("\n  rate: ");
		/* C division truncates toward zero: an unknown rate (-1) prints "0.-1", as in-tree. */
		w.put_dec(rate / 1000, 8);
		w.put_char('.');
		w.put_dec(rate % 1000);
		w.put_str(" Gb/sec\n");
	}
	w.put_str("  tx_packets: ");
	w.put_dec(static_cast<kern::s64>(p.m_tx_packets));
	w.put_str("\n  tx_bytes: ");
	w.put_dec(static_cast<kern::s64>(p.m_tx_bytes));
	w.put_str("\n\n");
	return !w.overflowed();
}

/* What one <if>_mcg record shows. */
struct McgRecordInfo {
	Gid m_mgid;
	u64 m_created = 0;  /* jiffies when the group was allocated */
	u32 m_queuelen = 0; /* packets waiting for the join */
	bool m_complete = false;  /* an AH exists (joined) */
	bool m_send_only = false;
};

/*
 * One <if>_mcg record:
 *   GID: <mgid>
 *     created: %10ld
 *     queuelen: %9d
 *     complete: %9s
 *     send_only: %8s
 *   then an empty line.
 * `created` is an unsigned long printed with %ld and `queuelen` an
 * unsigned int printed with %d in-tree, so both are shown signed here too.
 */
inline bool write_mcg_record(BufWriter &w, const McgRecordInfo &m) noexcept
{
	w.put_str("GID: ");
	format_gid(w, m.m_mgid);
	w.put_str("\n  created: ");
	w.put_dec(static_cast<kern::s64>(m.m_created), 10);
	w.put_str("\n  queuelen: ");
	w.put_dec(static_cast<kern::s32>(m.m_queuelen), 9);
	w.put_str("\n  complete: ");
	w.put_str(m.m_complete ? "yes" : "no", 9);
	w.put_str("\n  send_only: ");
	w.put_str(m.m_send_only ? "yes" : "no", 8);
	w.put_str("\n\n");
	return !w.overflowed();
}

/* memcmp order of two GIDs (<0, 0, >0): the order of the in-tree multicast rb-tree. */
inline int gid_compare(const Gid &a, const Gid &b) noexcept
{
	for (usize i = 0; i < Gid::kLen; i++) {
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	}
	return 0;
}

/*
 * The in-tree <if>_mcg iterator (ipoib_mcast_iter_next): the record after
 * the one for `prev` is the group with the smallest MGID greater than
 * `prev`; the first is the smallest greater than the all-zero GID. So
 * records come sorted by MGID, whatever order the groups were made in.
 * `groups` is any range of T, `mgid_of(const T &)` gives a group's MGID.
 * Returns nullptr when no group is left.
 */
template <class Range, class MgidOf>
auto mcg_next(Range &groups, const Gid &prev, MgidOf mgid_of) noexcept -> decltype(&*groups.begin())
{
	decltype(&*groups.begin()) best = nullptr;
	for (auto &g : groups) {
		const Gid &m = mgid_of(g);
		if (gid_compare(prev, m) < 0 && (!best || gid_compare(m, mgid_of(*best)) < 0))
			best = &g;
	}
	return best;
}

} /* namespace ipoib */

#endif /* IPOIB_DEBUGFS_FMT_H */
