/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ipoib/cm_proto.h - connected mode (RFC 4755) without the kernel: the
 * REQ/REP private data, the service ID, the sizes and timings the in-tree
 * driver uses, the work-request id layout on the shared CQs, and the
 * connection state machines as total transition functions.
 *
 * Pure: unit-tested in userspace (tests/unit/cm_proto_test.cc); the
 * driver (ipoib_cm.cc) acts on what these return.
 */
#ifndef IPOIB_CM_PROTO_H
#define IPOIB_CM_PROTO_H

#include "ipoib/wire.h"
#include "kern/endian.h"
#include "kern/result.h"

namespace ipoib {
namespace cm {

/* RFC 4755 / in-tree sizes. */
inline constexpr u32 kMtu = 65520;              /* IPOIB_CM_MTU */
inline constexpr u32 kBufSize = kMtu + kEncapLen; /* 65524: what a REP/REQ advertises */
inline constexpr u32 kPageSize = 4096;
inline constexpr u32 kHeadSize = kBufSize % kPageSize; /* 4084 */
inline constexpr u32 kMaxFrags = (kBufSize + kPageSize - 1) / kPageSize; /* 16 SGEs */
inline constexpr u32 kCopybreak = 256;          /* smaller receives are copied */
/*
 * Free receive pages an interface keeps for reuse (4 MB). A page the stack
 * frees comes back here instead of to the page allocator, which would
 * clear it again on the next allocation (init_on_alloc, on by default in
 * Debian's kernels): for a 64 KB receive that is a pass over the data.
 */
inline constexpr u32 kRxPoolPages = 1024;
/* RFC 4755's 8 bytes, then our extension (magic, capabilities). */
inline constexpr u32 kPrivLen = 16;
inline constexpr u32 kExtMagic = 0x49504f43; /* "IPOC" */
/* This end takes packets marked kEncapCsumFree (wire.h) on connections to it. */
inline constexpr u32 kCapCsumFree = 1u << 0;
/* The QP number's service ID prefix (IPOIB_CM_IETF_ID). */
inline constexpr u64 kIetfId = 0x1000000000000000ULL;
/* A REP advertising this or less is refused (ipoib_cm_rep_handler). */
inline constexpr u32 kMinRepMtu = kEncapLen;

/* Stale passive connections (ipoib_cm.c): idle 512 s, checked every 768 s, LRU stamp every 256 s. */
inline constexpr u32 kStaleIdleMs = 512000;
inline constexpr u32 kStalePeriodMs = 768000;
inline constexpr u32 kStampEveryMs = 256000;

/* REQ parameters of ipoib_cm_send_req. */
inline constexpr u8 kRespResources = 4;
inline constexpr u8 kCmResponseTimeout = 20;
inline constexpr u8 kRetryCount = 0;
inline constexpr u8 kRnrRetryCount = 0;
inline constexpr u8 kMaxCmRetries = 15;

/*
 * Sends in flight on one connection (its QP's send queue and our ring).
 * In-tree gives every connection send_queue_size (128); at 64 KB a packet
 * 16 in flight is 1 MB, more than a TCP window over one IB link needs,
 * and an idle connection's send queue and ring (most of its memory) are
 * then an eighth of in-tree's. All sends together stay under
 * send_queue_size.
 */
inline constexpr u32 kTxRing = 16;

/* Packets a connecting TX connection holds (in-tree: the neighbour queue, IPOIB_MAX_PATH_REC_QUEUE). */
inline constexpr u32 kMaxQueued = 3;

constexpr u64 service_id(u32 qpn) noexcept { return kIetfId | (qpn & 0xffffffu); }

/*
 * The private data of REQ and REP: the sender's UD QPN and its receive
 * size (RFC 4755), then, from us, kExtMagic and the capabilities. Peers
 * that know nothing of the extension send zeros there (ib_cm clears the
 * MAD) and ignore it: their caps decode as 0.
 */
struct PrivData {
	u32 qpn = 0; /* 24 bits used; the high byte is ignored on receive */
	u32 mtu = 0;
	u32 caps = 0;
};

inline void encode_priv(const PrivData &p, u8 (&out)[kPrivLen]) noexcept
{
	kern::store_be32(out, p.qpn);
	kern::store_be32(out + 4, p.mtu);
	kern::store_be32(out + 8, kExtMagic);
	kern::store_be32(out + 12, p.caps);
}

inline PrivData decode_priv(const u8 (&in)[kPrivLen]) noexcept
{
	PrivData p;
	p.qpn = kern::load_be32(in) & 0xffffffu;
	p.mtu = kern::load_be32(in + 4);
	p.caps = kern::load_be32(in + 8) == kExtMagic ? kern::load_be32(in + 12) : 0;
	return p;
}

/*
 * The MTU of a connection from a REP's advertised receive size, or
 * -EINVAL if it is too small (in-tree: mtu <= 4 is refused). Capped at
 * what we can send (kMtu).
 */
inline kern::Result<u32> rep_mtu(u32 advertised) noexcept
{
	if (advertised <= kMinRepMtu)
		return kern::Error(-kern::err::EINVAL);
	u32 mtu = advertised - kEncapLen;
	return mtu < kMtu ? mtu : kMtu;
}

/* The largest connected-mode MTU: with an SRQ, max_srq_sge pages less 16 bytes; else 65520 (b5). */
constexpr u32 max_mtu(bool srq, u32 srq_sge) noexcept
{
	if (!srq)
		return kMtu;
	const u32 sge = srq_sge < kMaxFrags ? srq_sge : kMaxFrags;
	return sge * kPageSize - 0x10;
}

/* SGEs per receive buffer. */
constexpr u32 rx_frags(bool srq, u32 srq_sge) noexcept
{
	if (!srq)
		return kMaxFrags;
	return srq_sge < kMaxFrags ? srq_sge : kMaxFrags;
}

/*
 * Work-request ids on the CQs the UD QP shares with the connections. Bit
 * 63 marks connected mode; bit 62 the drain marker; the low 32 bits are a
 * ring slot. The UD datapath's ids stay below 2^32.
 */
inline constexpr u64 kWrCm = 1ULL << 63;
inline constexpr u64 kWrDrain = 1ULL << 62;
constexpr bool wr_is_cm(u64 id) noexcept { return (id & kWrCm) != 0; }
constexpr bool wr_is_drain(u64 id) noexcept { return (id & kWrDrain) != 0; }
constexpr u32 wr_slot(u64 id) noexcept { return static_cast<u32>(id); }
constexpr u64 wr_cm(u32 slot) noexcept { return kWrCm | slot; }

/* ---- The active (TX) connection ---------------------------------------------- */

/*
 *   Idle --Started--> Connecting --Rep--> Connected
 *     \                  |                   |
 *      +--StartFailed----+--RepBad/Rej/      +--Rej/Dreq/Error/Flush--> Dead
 *                            Dreq/Error/Flush
 * Idle: made by xmit, packets queued, the start task not run yet.
 * Connecting: QP in INIT, REQ sent. Connected: RTS, RTU sent.
 * Dead: off its neighbour; queued packets dropped; reaped by the task
 * (cm_id destroyed, QP drained and destroyed). Dead is final.
 */
enum class TxState : u8 { Idle, Connecting, Connected, Dead };
enum class TxEvent : u8 { Started, StartFailed, Rep, RepBad, Rej, Dreq, Error, Flush };

struct TxStep {
	TxState next;
	bool requeue;   /* send the queued packets now (RTU sent) */
	bool teardown;  /* entered Dead: unlink, drop the queue, reap */
	bool send_drep; /* answer the peer's DREQ */
};

inline const char *tx_state_name(TxState s) noexcept
{
	switch (s) {
	case TxState::Idle:
		return "idle";
	case TxState::Connecting:
		return "connecting";
	case TxState::Connected:
		return "connected";
	case TxState::Dead:
		return "dead";
	}
	return "?";
}

/* Total: every (state, event) pair has an answer; -EINVAL where the event cannot apply. */
inline kern::Result<TxStep> tx_step(TxState s, TxEvent e) noexcept
{
	const TxStep dead{TxState::Dead, false, true, false};
	if (s == TxState::Dead)
		return kern::Error(-kern::err::EINVAL);
	switch (e) {
	case TxEvent::Started:
		if (s != TxState::Idle)
			return kern::Error(-kern::err::EINVAL);
		return TxStep{TxState::Connecting, false, false, false};
	case TxEvent::StartFailed:
		if (s != TxState::Idle)
			return kern::Error(-kern::err::EINVAL);
		return dead;
	case TxEvent::Rep:
		if (s != TxState::Connecting)
			return kern::Error(-kern::err::EINVAL);
		return TxStep{TxState::Connected, true, false, false};
	case TxEvent::RepBad:
		if (s != TxState::Connecting)
			return kern::Error(-kern::err::EINVAL);
		return dead;
	case TxEvent::Rej:
	case TxEvent::Error:
		if (s == TxState::Idle)
			return kern::Error(-kern::err::EINVAL);
		return dead;
	case TxEvent::Dreq:
		if (s == TxState::Idle)
			return kern::Error(-kern::err::EINVAL);
		return TxStep{TxState::Dead, false, true, true};
	case TxEvent::Flush:
		return dead;
	}
	return kern::Error(-kern::err::EINVAL);
}

/* ---- The passive (RX) connection ---------------------------------------------- */

/*
 *   Live --Dreq/Rej/Stale/Flush/Error--> Flushing --LastWqe--> Draining --Drained--> Gone
 * Live: RTS, receiving. Flushing: QP moved to ERR, waiting for the last
 * WQE event (with an SRQ). Draining: with an SRQ, the drain WR is posted
 * and Drained is its flushed completion, which comes after every other
 * completion of the QP; without one, the QP's own receives flush back
 * and Drained is the last of them (in-tree: recv_count reaching 0), so
 * no drain WR. Either way the QP can then be destroyed. Gone is final.
 */
enum class RxState : u8 { Live, Flushing, Draining, Gone };
enum class RxEvent : u8 { Dreq, Rej, Stale, Flush, Error, LastWqe, Drained };

struct RxStep {
	RxState next;
	bool to_err;     /* move the QP to ERR now */
	bool post_drain; /* post the drain WR now */
	bool reap;       /* destroy it (process context) */
	bool send_drep;
};

inline const char *rx_state_name(RxState s) noexcept
{
	switch (s) {
	case RxState::Live:
		return "live";
	case RxState::Flushing:
	case RxState::Draining:
		return "flushing";
	case RxState::Gone:
		return "gone";
	}
	return "?";
}

/*
 * srq: whether the connection's receives come from the SRQ (then the
 * last-WQE event must come before the drain WR; without one the drain WR
 * goes right after ERR, as the QP's own receives flush in order).
 * Events that no longer apply (a second DREQ while flushing) are no-ops:
 * they return the same state with no action.
 */
inline kern::Result<RxStep> rx_step(RxState s, RxEvent e, bool srq) noexcept
{
	if (s == RxState::Gone)
		return kern::Error(-kern::err::EINVAL);
	switch (e) {
	case RxEvent::Dreq:
	case RxEvent::Rej:
	case RxEvent::Stale:
	case RxEvent::Flush:
	case RxEvent::Error: {
		const bool drep = e == RxEvent::Dreq;
		if (s != RxState::Live)
			return RxStep{s, false, false, false, drep};
		if (srq)
			return RxStep{RxState::Flushing, true, false, false, drep};
		return RxStep{RxState::Draining, true, false, false, drep};
	}
	case RxEvent::LastWqe:
		if (s != RxState::Flushing || !srq)
			return RxStep{s, false, false, false, false};
		return RxStep{RxState::Draining, false, true, false, false};
	case RxEvent::Drained:
		if (s != RxState::Draining)
			return kern::Error(-kern::err::EINVAL);
		return RxStep{RxState::Gone, false, false, true, false};
	}
	return kern::Error(-kern::err::EINVAL);
}

/* A passive connection is stale once idle for idle_ms (stamps are coarse: every kStampEveryMs at most). */
constexpr bool rx_stale(u64 now_ms, u64 stamp_ms, u32 idle_ms) noexcept
{
	return now_ms > stamp_ms && now_ms - stamp_ms > idle_ms;
}

/* The idle threshold and check period: the in-tree values, or the test knob's (period 1.5x, as in-tree). */
struct StaleTiming {
	u32 idle_ms;
	u32 period_ms;
	u32 stamp_ms;
};
constexpr StaleTiming stale_timing(int knob_ms) noexcept
{
	if (knob_ms <= 0)
		return StaleTiming{kStaleIdleMs, kStalePeriodMs, kStampEveryMs};
	const u32 k = static_cast<u32>(knob_ms);
	return StaleTiming{k, k + k / 2, k / 2};
}

/*
 * What transmit does with a packet of len bytes (encap header included)
 * in connected mode: over the connection (up to its MTU), over UD (to a
 * peer without the RC flag, up to the UD MTU), or back to the stack as
 * "too big" with the UD MTU (PMTU emulation), unless it is GSO (in-tree
 * lets those through to UD LSO, which softib lacks: they are dropped).
 */
enum class CmTxPath : u8 { Connection, Ud, TooBig };
constexpr CmTxPath cm_tx_path(bool peer_rc, bool connected, u32 len, u32 conn_mtu, u32 ud_mtu) noexcept
{
	if (peer_rc && connected)
		return len > conn_mtu + kEncapLen ? CmTxPath::TooBig : CmTxPath::Connection;
	return len > ud_mtu + kEncapLen ? CmTxPath::TooBig : CmTxPath::Ud;
}

} // namespace cm
} // namespace ipoib

#endif /* IPOIB_CM_PROTO_H */
