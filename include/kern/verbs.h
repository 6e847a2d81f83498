/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/verbs.h - IB verbs from C++: owning PD, CQ, UD QP, AH and
 * multicast-attach objects, the hot-path post/poll calls, DMA mapping.
 *
 * Owners are move-only values made by a static create() returning
 * Result<T>; the destructor releases the kernel object, so every early
 * return (TRY) unwinds in reverse order of creation. The kapi handles
 * are glue-allocated, so moving an owner only moves a pointer, and the
 * CQ/QP callbacks are bound like kern::Work:
 *
 *     auto cq = TRY(kern::Cq::create<Dev, &Dev::on_rx_cq>(ib, this, size, vec));
 *
 * Destruction order is the caller's job, as in C: QP before its CQs and
 * PD, AHs before the PD, McastAttach before its QP.
 */
#ifndef KERN_VERBS_H
#define KERN_VERBS_H

#include "kapi/verbs.h"
#include "kern/base.h"
#include "kern/ib.h"
#include "kern/log.h"
#include "kern/result.h"
#include "kern/netdev.h"
#include "kern/sa.h"
#include "kern/skb.h"
#include "kern/span.h"

namespace kern {

enum class QpState : u8 {
	Reset = KAPI_QPS_RESET,
	Init = KAPI_QPS_INIT,
	Rtr = KAPI_QPS_RTR,
	Rts = KAPI_QPS_RTS,
	Sqd = KAPI_QPS_SQD,
	Sqe = KAPI_QPS_SQE,
	Err = KAPI_QPS_ERR,
};

enum class QpEvent : u8 {
	QpFatal = KAPI_QP_EVENT_QP_FATAL,
	QpReqErr = KAPI_QP_EVENT_QP_REQ_ERR,
	QpAccessErr = KAPI_QP_EVENT_QP_ACCESS_ERR,
	CommEst = KAPI_QP_EVENT_COMM_EST,
	SqDrained = KAPI_QP_EVENT_SQ_DRAINED,
	PathMig = KAPI_QP_EVENT_PATH_MIG,
	PathMigErr = KAPI_QP_EVENT_PATH_MIG_ERR,
	LastWqeReached = KAPI_QP_EVENT_QP_LAST_WQE_REACHED,
};

/* QP create flags and send flags: bit sets, so plain constants. */
namespace qp_create {
inline constexpr u32 UdLso = KAPI_QP_CREATE_IPOIB_UD_LSO;
inline constexpr u32 BlockMcastLoopback = KAPI_QP_CREATE_BLOCK_MULTICAST_LOOPBACK;
inline constexpr u32 NetifQp = KAPI_QP_CREATE_NETIF_QP;
inline constexpr u32 NetdevUse = KAPI_QP_CREATE_NETDEV_USE;
} // namespace qp_create

namespace send_flag {
inline constexpr u32 Signaled = KAPI_SEND_SIGNALED;
inline constexpr u32 Solicited = KAPI_SEND_SOLICITED;
inline constexpr u32 Inline = KAPI_SEND_INLINE;
inline constexpr u32 IpCsum = KAPI_SEND_IP_CSUM;
inline constexpr u32 Bql = KAPI_SEND_BQL; /* not IB: byte queue limits told before the post */
} // namespace send_flag

/* Plain data carriers: no kernel meaning, so C++ uses the kapi structs as they are. */
using VerbsCaps = struct kapi_verbs_caps;
using UdQpInit = struct kapi_ud_qp_init;
using TxMap = struct kapi_tx_map;
using RxSlot = struct kapi_rx_slot;
inline constexpr int kMaxSendSge = KAPI_UD_MAX_SEND_SGE;

/*
 * A work completion. A bare kapi_wc with typed accessors, so an array of
 * them is polled in place (no copy on the NAPI path).
 */
class Wc {
public:
	u64 wr_id() const { return m_wc.wr_id; }
	bool ok() const { return m_wc.status == KAPI_WC_SUCCESS; }
	/* enum ib_wc_status; compare with the KAPI_WC_* values or log it. */
	u32 status() const { return m_wc.status; }
	bool flushed() const { return m_wc.status == KAPI_WC_WR_FLUSH_ERR; }
	bool is_recv() const { return (m_wc.opcode & KAPI_WC_RECV) != 0; }
	u32 opcode() const { return m_wc.opcode; }
	u32 byte_len() const { return m_wc.byte_len; }
	u32 qp_num() const { return m_wc.qp_num; }
	u32 src_qp() const { return m_wc.src_qp; }
	u32 slid() const { return m_wc.slid; }
	u8 sl() const { return m_wc.sl; }
	u16 pkey_index() const { return m_wc.pkey_index; }
	u32 vendor_err() const { return m_wc.vendor_err; }
	bool has_grh() const { return (m_wc.wc_flags & KAPI_WC_GRH) != 0; }
	bool ip_csum_ok() const { return (m_wc.wc_flags & KAPI_WC_IP_CSUM_OK) != 0; }
	/* The owner the completing QP was created with (connected-mode QPs: their connection). */
	void *qp_owner() const { return m_wc.qp_owner; }

private:
	friend class Cq;
	struct kapi_wc m_wc;
};
static_assert(sizeof(Wc) == sizeof(struct kapi_wc), "Cq::poll relies on Wc being a bare kapi_wc");

/* Device capabilities. Context: any. */
inline VerbsCaps query_verbs_caps(IbDevice dev)
{
	VerbsCaps caps{};
	kapi_verbs_query_caps(dev.raw(), &caps);
	return caps;
}

/* ib_find_pkey(): the P_Key's table index. Context: process. */
inline Result<u16> find_pkey(IbDevice dev, u32 port, u16 pkey)
{
	u16 index = 0;
	int rc = kapi_verbs_find_pkey(dev.raw(), port, pkey, &index);
	if (rc < 0)
		return Error(rc);
	return index;
}

/* Protection domain. */
class Pd : NonCopyable {
public:
	Pd() = default;
	Pd(Pd &&o) noexcept : m_pd(exchange(o.m_pd, nullptr)) {}
	Pd &operator=(Pd &&o) noexcept
	{
		if (this != &o) {
			reset();
			m_pd = exchange(o.m_pd, nullptr);
		}
		return *this;
	}
	~Pd() { reset(); }

	/* Context: process. */
	static Result<Pd> create(IbDevice dev)
	{
		Pd pd;
		TRY(from_errno(kapi_pd_alloc(dev.raw(), &pd.m_pd)));
		return pd;
	}
	/* Context: process. */
	void reset()
	{
		kapi_pd_dealloc(m_pd);
		m_pd = nullptr;
	}
	struct kapi_pd *raw() const { return m_pd; }

private:
	struct kapi_pd *m_pd = nullptr;
};

/* Completion queue with a bound completion handler. */
class Cq : NonCopyable {
public:
	Cq() = default;
	Cq(Cq &&o) noexcept : m_cq(exchange(o.m_cq, nullptr)) {}
	Cq &operator=(Cq &&o) noexcept
	{
		if (this != &o) {
			reset();
			m_cq = exchange(o.m_cq, nullptr);
		}
		return *this;
	}
	~Cq() { reset(); }

	/*
	 * Fn runs in the HCA's completion context (hard IRQ or softirq): it
	 * must not sleep; IPoIB schedules NAPI there. `owner` must outlive
	 * the Cq. The CQ starts unarmed. Context: process.
	 */
	template <class T, void (T::*Fn)()>
	static Result<Cq> create(IbDevice dev, T *owner, int cqe, int comp_vector)
	{
		Cq cq;
		TRY(from_errno(kapi_cq_create(
			dev.raw(), cqe, comp_vector, [](void *o) { (static_cast<T *>(o)->*Fn)(); }, owner,
			&cq.m_cq)));
		return cq;
	}
	/* After this the handler never runs again. Context: process. */
	void reset()
	{
		kapi_cq_destroy(m_cq);
		m_cq = nullptr;
	}

	/* Arms for the next completion. Context: any. */
	Status req_notify() { return from_errno(kapi_cq_req_notify(m_cq, 0)); }
	/*
	 * Arms and reports whether completions may have slipped in before
	 * arming (true: poll again, the NAPI rescheduling case). Context: any.
	 */
	Result<bool> req_notify_report_missed()
	{
		int rc = kapi_cq_req_notify(m_cq, 1);
		if (rc < 0)
			return Error(rc);
		return rc > 0;
	}
	/* Polls into `wcs`; returns how many were filled. Context: any, one poller at a time. */
	Result<usize> poll(Span<Wc> wcs)
	{
		int n = kapi_cq_poll(m_cq, reinterpret_cast<struct kapi_wc *>(wcs.data()),
				     wcs.size() > 0x7fffffff ? 0x7fffffff : static_cast<int>(wcs.size()));
		if (n < 0)
			return Error(n);
		return static_cast<usize>(n);
	}
	/* rdma_set_cq_moderation() (ethtool -C). Context: process. */
	Status set_moderation(u16 count, u16 period_usec)
	{
		return from_errno(kapi_cq_set_moderation(m_cq, count, period_usec));
	}

	struct kapi_cq *raw() const { return m_cq; }

private:
	struct kapi_cq *m_cq = nullptr;
};

/* A borrowed address handle, as posted with a send. */
class AhRef {
public:
	AhRef() = default;
	explicit AhRef(struct kapi_ah *ah) : m_ah(ah) {}
	explicit operator bool() const { return m_ah != nullptr; }
	struct kapi_ah *raw() const { return m_ah; }

private:
	struct kapi_ah *m_ah = nullptr;
};

/*
 * Whether an AH call may sleep (RDMA_{CREATE,DESTROY}_AH_SLEEPABLE).
 * Pick by the caller's context, like Gfp.
 */
enum class AhSleep : u8 { No = 0, Yes = 1 };

/*
 * An owned address handle. The destructor uses the non-sleeping destroy
 * so it is safe anywhere; reset(AhSleep::Yes) when in process context.
 */
class Ah : NonCopyable {
public:
	Ah() = default;
	Ah(Ah &&o) noexcept : m_ah(exchange(o.m_ah, nullptr)) {}
	Ah &operator=(Ah &&o) noexcept
	{
		if (this != &o) {
			reset();
			m_ah = exchange(o.m_ah, nullptr);
		}
		return *this;
	}
	~Ah() { reset(); }

	/* ib_init_ah_attr_from_path() + rdma_create_ah(). Context: per `sleep`. */
	static Result<Ah> create_from_path(Pd &pd, u32 port, const PathRecord &path, AhSleep sleep)
	{
		Ah ah;
		TRY(from_errno(kapi_ah_create_from_path(pd.raw(), port, path.raw(), static_cast<int>(sleep),
							&ah.m_ah)));
		return ah;
	}
	/* DLID = mlid with a GRH to the MGID, from the group's record. Context: per `sleep`. */
	static Result<Ah> create_mcast(Pd &pd, u32 port, const McMember &rec, AhSleep sleep)
	{
		Ah ah;
		TRY(from_errno(kapi_ah_create_mcast(pd.raw(), port, rec.mlid, rec.mgid, rec.flow_label,
						    rec.hop_limit, rec.traffic_class, rec.sl, rec.rate,
						    static_cast<int>(sleep), &ah.m_ah)));
		return ah;
	}
	/* No send may still use it (IPoIB's AH reaper decides). Context: per `sleep`. */
	void reset(AhSleep sleep = AhSleep::No)
	{
		kapi_ah_destroy(m_ah, static_cast<int>(sleep));
		m_ah = nullptr;
	}
	AhRef ref() const { return AhRef(m_ah); }

private:
	struct kapi_ah *m_ah = nullptr;
};

/* A UD QP (every send signaled). */
class UdQp : NonCopyable {
public:
	UdQp() = default;
	UdQp(UdQp &&o) noexcept : m_qp(exchange(o.m_qp, nullptr)) {}
	UdQp &operator=(UdQp &&o) noexcept
	{
		if (this != &o) {
			reset();
			m_qp = exchange(o.m_qp, nullptr);
		}
		return *this;
	}
	~UdQp() { reset(); }

	/*
	 * `init` holds the requested sizes/flags and receives the granted
	 * ones. Fn(event) runs in atomic context (maybe hard IRQ); `owner`
	 * must outlive the QP. Context: process.
	 */
	template <class T, void (T::*Fn)(QpEvent)>
	static Result<UdQp> create(Pd &pd, Cq &send_cq, Cq &recv_cq, UdQpInit &init, T *owner)
	{
		return create_raw(pd, send_cq, recv_cq, init,
				  [](void *o, enum kapi_qp_event ev) {
					  (static_cast<T *>(o)->*Fn)(static_cast<QpEvent>(ev));
				  },
				  owner);
	}
	/* Without an event handler (the in-tree ipoib installs none). */
	static Result<UdQp> create(Pd &pd, Cq &send_cq, Cq &recv_cq, UdQpInit &init)
	{
		return create_raw(pd, send_cq, recv_cq, init, nullptr, nullptr);
	}

	/* Context: process. A failed destroy is reported and the handle leaked. */
	void reset()
	{
		if (m_qp && kapi_qp_destroy(m_qp) < 0)
			kern_warn("ib_ipoib: ib_destroy_qp failed; leaking the QP\n");
		m_qp = nullptr;
	}

	u32 qp_num() const { return kapi_qp_num(m_qp); }

	/*
	 * RESET -> INIT -> RTR -> RTS (ipoib_init_qp). On failure the QP is
	 * back in RESET and *failed_state (if given) names the step.
	 * Context: process.
	 */
	Status init_to_rts(u16 pkey_index, u32 port, u32 qkey, u32 sq_psn, QpState *failed_state = nullptr)
	{
		enum kapi_qp_state st = KAPI_QPS_RESET;
		int rc = kapi_ud_qp_init_to_rts(m_qp, pkey_index, port, qkey, sq_psn, &st);
		if (rc < 0 && failed_state)
			*failed_state = static_cast<QpState>(st);
		return from_errno(rc);
	}
	/* Q_Key alone, in RTS (after the broadcast join). Context: process. */
	Status set_qkey(u32 qkey) { return from_errno(kapi_qp_set_qkey(m_qp, qkey)); }
	/* State-only transition: Err (flush), Reset, or Sqe -> Rts. Context: process. */
	Status modify_state(QpState st)
	{
		return from_errno(kapi_qp_modify_state(m_qp, static_cast<enum kapi_qp_state>(st)));
	}
	/* Context: process. */
	Result<QpState> query_state()
	{
		enum kapi_qp_state st = KAPI_QPS_RESET;
		int rc = kapi_qp_query_state(m_qp, &st);
		if (rc < 0)
			return Error(rc);
		return static_cast<QpState>(st);
	}

	/* Hot path. Context: any; serialise posts per queue yourself. */
	Status post_recv(u64 wr_id, u64 addr, u32 len)
	{
		return from_errno(kapi_ud_post_recv(m_qp, wr_id, addr, len));
	}
	/*
	 * The skb datapath (see kapi/verbs.h): one glue call per step.
	 * send_skb maps and posts; -E2BIG means linearize and retry; on any
	 * error the skb is still the caller's. hlen/mss select LSO.
	 */
	Status send_skb(Skb skb, u64 wr_id, AhRef ah, u32 remote_qpn, u32 remote_qkey, u32 flags, int max_sge,
			TxMap &map, int hlen = 0, int mss = 0)
	{
		return from_errno(kapi_ud_send_skb(m_qp, skb.raw(), wr_id, ah.raw(), remote_qpn, remote_qkey, flags,
						   max_sge, hlen, mss, &map));
	}
	/* Completion: unmap, then consume (sent) or drop. budget 0 outside NAPI. */
	void tx_release(Skb skb, const TxMap &map, int budget, bool sent, int hlen = 0)
	{
		kapi_ud_tx_release(m_qp, skb.raw(), &map, hlen, budget, sent ? 1 : 0);
	}
	/* Allocate + map + post a receive buffer of len bytes into slot. */
	Status rx_refill(NetDev dev, u64 wr_id, u32 len, RxSlot &slot)
	{
		return from_errno(kapi_ud_rx_refill(m_qp, dev.raw(), wr_id, len, &slot));
	}
	/* Re-post a slot's buffer as it is (still mapped), e.g. after a drop. */
	Status rx_repost(u64 wr_id, const RxSlot &slot, u32 len)
	{
		return from_errno(kapi_ud_post_recv(m_qp, wr_id, slot.addr, len));
	}
	/* Copybreak: a small receive copied into a new skb; slot's buffer stays mapped, to re-post. */
	Status rx_copy(NetDev dev, const RxSlot &slot, u32 len, u32 byte_len, Skb &out, const u8 *&data)
	{
		struct kapi_skb *skb = nullptr;
		void *d = nullptr;
		Status st = from_errno(kapi_ud_rx_copy(m_qp, dev.raw(), &slot, len, byte_len, &skb, &d));
		if (st.is_ok()) {
			out = Skb(skb);
			data = static_cast<const u8 *>(d);
		}
		return st;
	}
	void rx_unmap(const RxSlot &slot, u32 len) { kapi_ud_rx_unmap(m_qp, &slot, len); }
	void rx_release(RxSlot &slot, u32 len) { kapi_ud_rx_release(m_qp, &slot, len); }

	struct kapi_qp *raw() const { return m_qp; }

private:
	static Result<UdQp> create_raw(Pd &pd, Cq &send_cq, Cq &recv_cq, UdQpInit &init, kapi_qp_event_fn fn,
				       void *owner)
	{
		UdQp qp;
		TRY(from_errno(kapi_ud_qp_create(pd.raw(), send_cq.raw(), recv_cq.raw(), &init, fn, owner, &qp.m_qp)));
		return qp;
	}

	struct kapi_qp *m_qp = nullptr;
};

/* The QP's membership of a multicast group's traffic; detached on destruction (process context). */
class McastAttach : NonCopyable {
public:
	McastAttach() = default;
	McastAttach(McastAttach &&o) noexcept
		: m_qp(exchange(o.m_qp, nullptr)), m_mgid(o.m_mgid), m_mlid(o.m_mlid)
	{
	}
	McastAttach &operator=(McastAttach &&o) noexcept
	{
		if (this != &o) {
			reset();
			m_qp = exchange(o.m_qp, nullptr);
			m_mgid = o.m_mgid;
			m_mlid = o.m_mlid;
		}
		return *this;
	}
	~McastAttach() { reset(); }

	/* ib_attach_mcast(). The QP must outlive this. Context: process. */
	static Result<McastAttach> attach(UdQp &qp, const Gid &mgid, u16 mlid)
	{
		TRY(from_errno(kapi_qp_attach_mcast(qp.raw(), mgid.raw, mlid)));
		McastAttach a;
		a.m_qp = qp.raw();
		a.m_mgid = mgid;
		a.m_mlid = mlid;
		return a;
	}
	/* ib_detach_mcast(); its error is returned once, then we are detached regardless. */
	Status detach()
	{
		struct kapi_qp *qp = exchange(m_qp, nullptr);
		if (!qp)
			return ok();
		return from_errno(kapi_qp_detach_mcast(qp, m_mgid.raw, m_mlid));
	}
	void reset()
	{
		if (detach().is_err())
			kern_warn("ib_ipoib: ib_detach_mcast failed\n");
	}
	bool attached() const { return m_qp != nullptr; }

private:
	struct kapi_qp *m_qp = nullptr;
	Gid m_mgid{};
	u16 m_mlid = 0;
};

} // namespace kern

#endif /* KERN_VERBS_H */
