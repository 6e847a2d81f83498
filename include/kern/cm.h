/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/cm.h - connected mode from C++: owning ib_cm ids, RC QPs and the
 * SRQ, the multi-fragment receive buffers, and PMTU replies (kapi/cm.h).
 *
 * A CmId's events call a member function bound at creation:
 *
 *     auto id = TRY(kern::CmId::create<Conn, &Conn::on_cm>(ib, this));
 *     int Conn::on_cm(kern::CmIdRef id, const kern::CmEvent &ev);
 *
 * Returning non-zero from the handler makes ib_cm destroy the id: the
 * owner must then forget it (release() its CmId without destroying).
 * A REQ on a listening id carries a new id (CmIdRef); the listener's
 * handler adopts it into a CmId and re-points it at the new owner.
 */
#ifndef KERN_CM_H
#define KERN_CM_H

#include "kapi/cm.h"
#include "kern/base.h"
#include "kern/ib.h"
#include "kern/log.h"
#include "kern/netdev.h"
#include "kern/result.h"
#include "kern/sa.h"
#include "kern/skb.h"
#include "kern/verbs.h"

namespace kern {

enum class CmEventType : u8 {
	ReqError = KAPI_CM_REQ_ERROR,
	ReqReceived = KAPI_CM_REQ_RECEIVED,
	RepError = KAPI_CM_REP_ERROR,
	RepReceived = KAPI_CM_REP_RECEIVED,
	RtuReceived = KAPI_CM_RTU_RECEIVED,
	UserEstablished = KAPI_CM_USER_ESTABLISHED,
	DreqError = KAPI_CM_DREQ_ERROR,
	DreqReceived = KAPI_CM_DREQ_RECEIVED,
	DrepReceived = KAPI_CM_DREP_RECEIVED,
	TimewaitExit = KAPI_CM_TIMEWAIT_EXIT,
	MraReceived = KAPI_CM_MRA_RECEIVED,
	RejReceived = KAPI_CM_REJ_RECEIVED,
};

namespace cm_rej {
inline constexpr u32 NoQp = KAPI_CM_REJ_NO_QP;
inline constexpr u32 NoResources = KAPI_CM_REJ_NO_RESOURCES;
inline constexpr u32 ConsumerDefined = KAPI_CM_REJ_CONSUMER_DEFINED;
} // namespace cm_rej

using CmReq = struct kapi_cm_req;
using CmRep = struct kapi_cm_rep;
using RcQpInit = struct kapi_rc_qp_init;
using CmRxSlot = struct kapi_cm_rx_slot;
inline constexpr u32 kCmMaxFrags = KAPI_CM_MAX_FRAGS;

class CmEvent {
public:
	CmEventType type() const { return static_cast<CmEventType>(m_ev.type); }
	const u8 (&private_data() const)[KAPI_CM_PRIV_LEN] { return m_ev.private_data; }
	u32 remote_qpn() const { return m_ev.remote_qpn; }
	u32 rej_reason() const { return m_ev.rej_reason; }
	u8 rnr_retry_count() const { return m_ev.rnr_retry_count; }
	bool srq() const { return m_ev.srq != 0; }

private:
	struct kapi_cm_event m_ev;
};
static_assert(sizeof(CmEvent) == sizeof(struct kapi_cm_event), "CmEvent is a bare kapi_cm_event");

/* A cm id seen in a handler: not owned. */
class CmIdRef {
public:
	explicit CmIdRef(struct kapi_cm_id *id) : m_id(id) {}
	struct kapi_cm_id *raw() const { return m_id; }

	Status send_rep(const CmRep &rep) { return from_errno(kapi_cm_send_rep(m_id, &rep)); }
	Status send_rtu() { return from_errno(kapi_cm_send_rtu(m_id)); }
	Status send_rej(u32 reason) { return from_errno(kapi_cm_send_rej(m_id, reason)); }
	Status send_dreq() { return from_errno(kapi_cm_send_dreq(m_id)); }
	Status send_drep() { return from_errno(kapi_cm_send_drep(m_id)); }

private:
	struct kapi_cm_id *m_id;
};

class CmId : NonCopyable {
public:
	CmId() = default;
	CmId(CmId &&o) noexcept : m_id(exchange(o.m_id, nullptr)) {}
	CmId &operator=(CmId &&o) noexcept
	{
		if (this != &o) {
			reset();
			m_id = exchange(o.m_id, nullptr);
		}
		return *this;
	}
	~CmId() { reset(); }

	template <class T, int (T::*Fn)(CmIdRef, const CmEvent &)>
	static Result<CmId> create(IbDevice dev, T *owner)
	{
		CmId id;
		TRY(from_errno(kapi_cm_create_id(dev.raw(), &trampoline<T, Fn>, owner, &id.m_id)));
		return id;
	}
	/* Takes ownership of an id ib_cm handed to a handler, re-pointing its events at owner. */
	template <class T, int (T::*Fn)(CmIdRef, const CmEvent &)>
	static CmId adopt(CmIdRef ref, T *owner)
	{
		(void)Fn; /* the listener's trampoline already serves T::Fn */
		kapi_cm_id_set_owner(ref.raw(), owner);
		CmId id;
		id.m_id = ref.raw();
		return id;
	}

	/* ib_destroy_cm_id (waits for a running handler). Never from its own handler. Context: process. */
	void reset() { kapi_cm_destroy_id(exchange(m_id, nullptr)); }
	/* Forgets the id without destroying it (its handler returned non-zero: ib_cm destroys it). */
	void forget() { m_id = nullptr; }
	explicit operator bool() const { return m_id != nullptr; }
	CmIdRef ref() const { return CmIdRef(m_id); }

	Status listen(u64 service_id) { return from_errno(kapi_cm_listen(m_id, service_id)); }
	Status send_req(const CmReq &req) { return from_errno(kapi_cm_send_req(m_id, &req)); }
	Status send_rep(const CmRep &rep) { return from_errno(kapi_cm_send_rep(m_id, &rep)); }
	Status send_rtu() { return from_errno(kapi_cm_send_rtu(m_id)); }
	Status send_rej(u32 reason) { return from_errno(kapi_cm_send_rej(m_id, reason)); }
	Status send_dreq() { return from_errno(kapi_cm_send_dreq(m_id)); }
	Status send_drep() { return from_errno(kapi_cm_send_drep(m_id)); }

private:
	template <class T, int (T::*Fn)(CmIdRef, const CmEvent &)>
	static int trampoline(void *owner, struct kapi_cm_id *id, const struct kapi_cm_event *ev)
	{
		return (static_cast<T *>(owner)->*Fn)(CmIdRef(id), *reinterpret_cast<const CmEvent *>(ev));
	}

	struct kapi_cm_id *m_id = nullptr;
};

/* The shared receive queue. */
class Srq : public OwnedHandle<struct kapi_srq, &kapi_srq_destroy> {
public:
	/* max_wr/max_sge: requested in, granted out. Context: process. */
	static Result<Srq> create(Pd &pd, u32 &max_wr, u32 &max_sge)
	{
		Srq s;
		TRY(from_errno(kapi_srq_create(pd.raw(), &max_wr, &max_sge, &s.m_h)));
		return s;
	}
};

/*
 * Receive pages that come back to be used again when the stack frees
 * them (page_pool). Only the NAPI poll allocates from it.
 */
class RxPool : public OwnedHandle<struct kapi_rx_pool, &kapi_rx_pool_destroy> {
public:
	/* Holds up to size free pages. Context: process. */
	static Result<RxPool> create(u32 size)
	{
		RxPool p;
		TRY(from_errno(kapi_rx_pool_create(size, &p.m_h)));
		return p;
	}
};

struct SrqCaps {
	u32 max_srq = 0;
	u32 max_srq_wr = 0;
	u32 max_srq_sge = 0;
};
inline SrqCaps query_srq_caps(IbDevice dev)
{
	SrqCaps c;
	kapi_srq_caps(dev.raw(), &c.max_srq, &c.max_srq_wr, &c.max_srq_sge);
	return c;
}

/* An RC QP (every send signaled). */
class RcQp : NonCopyable {
public:
	RcQp() = default;
	RcQp(RcQp &&o) noexcept : m_qp(exchange(o.m_qp, nullptr)) {}
	RcQp &operator=(RcQp &&o) noexcept
	{
		if (this != &o) {
			reset();
			m_qp = exchange(o.m_qp, nullptr);
		}
		return *this;
	}
	~RcQp() { reset(); }

	/*
	 * Completions of this QP carry owner in Wc::qp_owner(); Fn(event)
	 * runs in atomic context. srq may be null. Context: process.
	 */
	template <class T, void (T::*Fn)(QpEvent)>
	static Result<RcQp> create(Pd &pd, Cq &send_cq, Cq &recv_cq, Srq *srq, RcQpInit &init, T *owner)
	{
		RcQp qp;
		TRY(from_errno(kapi_rc_qp_create(
			pd.raw(), send_cq.raw(), recv_cq.raw(), srq ? srq->raw() : nullptr, &init,
			[](void *o, enum kapi_qp_event ev) { (static_cast<T *>(o)->*Fn)(static_cast<QpEvent>(ev)); },
			owner, &qp.m_qp)));
		return qp;
	}

	void reset()
	{
		if (m_qp && kapi_qp_destroy(m_qp) < 0)
			kern_warn("ib_ipoib: ib_destroy_qp failed; leaking the QP\n");
		m_qp = nullptr;
	}
	explicit operator bool() const { return m_qp != nullptr; }
	u32 qp_num() const { return kapi_qp_num(m_qp); }

	/* The active side's RESET -> INIT. Context: process. */
	Status init(u16 pkey_index, u32 port) { return from_errno(kapi_rc_qp_init(m_qp, pkey_index, port)); }
	/* ib_cm_init_qp_attr + modify for state; RTR may set the receive PSN. Context: process. */
	Status cm_modify(CmIdRef id, QpState st, bool set_rq_psn = false, u32 rq_psn = 0)
	{
		return from_errno(kapi_cm_modify_qp(id.raw(), m_qp, static_cast<int>(st), set_rq_psn ? 1 : 0, rq_psn));
	}
	Status modify_state(QpState st)
	{
		return from_errno(kapi_qp_modify_state(m_qp, static_cast<enum kapi_qp_state>(st)));
	}
	Status post_drain(u64 wr_id) { return from_errno(kapi_qp_post_drain(m_qp, wr_id)); }

	/* Transmit (see UdQp::send_skb; no AH on a connection). */
	Status send_skb(Skb skb, u64 wr_id, u32 flags, int max_sge, TxMap &map)
	{
		return from_errno(kapi_ud_send_skb(m_qp, skb.raw(), wr_id, nullptr, 0, 0, flags, max_sge, 0, 0, &map));
	}
	void tx_release(Skb skb, const TxMap &map, int budget, bool sent)
	{
		kapi_ud_tx_release(m_qp, skb.raw(), &map, 0, budget, sent ? 1 : 0);
	}
	struct kapi_qp *raw() const { return m_qp; }

private:
	struct kapi_qp *m_qp = nullptr;
};

/* Receive buffers of connected mode (head + pages), on a QP's own ring or the SRQ. */
namespace cm_rx {
inline Status alloc(Pd &pd, u32 nfrags, bool atomic, CmRxSlot &slot)
{
	return from_errno(kapi_cm_rx_alloc(pd.raw(), nfrags, atomic ? 1 : 0, &slot));
}
inline Status post(RcQp *qp, Srq *srq, u64 wr_id, const CmRxSlot &slot, u32 nfrags)
{
	return from_errno(kapi_cm_rx_post(qp ? qp->raw() : nullptr, srq ? srq->raw() : nullptr, wr_id, &slot, nfrags));
}
inline void release(Pd &pd, CmRxSlot &slot, u32 nfrags) { kapi_cm_rx_release(pd.raw(), &slot, nfrags); }
inline Result<Skb> copy(Pd &pd, NetDev dev, const CmRxSlot &slot, u32 byte_len)
{
	struct kapi_skb *out = nullptr;
	TRY(from_errno(kapi_cm_rx_copy(pd.raw(), dev.raw(), &slot, byte_len, &out)));
	return Skb(out);
}
/* pool: the receive NAPI's own (its only allocator), or an empty one for the page allocator. */
inline Result<Skb> swap(Pd &pd, NetDev dev, RxPool &pool, CmRxSlot &slot, u32 nfrags, u32 byte_len)
{
	struct kapi_skb *out = nullptr;
	TRY(from_errno(kapi_cm_rx_swap(pd.raw(), dev.raw(), pool.raw(), &slot, nfrags, byte_len, &out)));
	return Skb(out);
}
} // namespace cm_rx

/* get_random_u32(). Context: any. */
inline u32 random_u32() { return kapi_random_u32(); }

/* PMTU emulation: the route learns mtu now; the ICMP reply goes from process context. */
inline void skb_update_pmtu(Skb skb, u32 mtu) { kapi_skb_update_pmtu(skb.raw(), mtu); }
/* Consumes skb. Context: process, no netif tx lock. */
inline void skb_icmp_too_big(Skb skb, u32 mtu) { kapi_skb_icmp_too_big(skb.raw(), mtu); }

} // namespace kern

#endif /* KERN_CM_H */
