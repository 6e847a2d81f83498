/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/sa.h - the subnet administrator (ib_sa) from C++: the module's SA
 * client registration, path record queries and multicast joins.
 *
 * PathQuery and McastJoin are embedded in the object that owns them and
 * bound to one of its member functions, like kern::Work:
 *
 *     m_query.init<Path, &Path::on_path>(this);
 *     TRY(m_query.start(dev, port, dgid, sgid, pkey, tclass, 1000, Gfp::Atomic));
 *
 * They are NonMovable because ib_sa holds their address until the
 * callback has run. Callbacks come from ib_sa's work (see kapi/sa.h):
 * treat them as atomic, and expect them possibly before start()/join()
 * returns. As with Work, the destructors do not wait (waiting sleeps):
 * the owner calls wait() (and McastJoin::leave()) first.
 */
#ifndef KERN_SA_H
#define KERN_SA_H

#include "kapi/sa.h"
#include "kern/base.h"
#include "kern/ib.h"
#include "kern/memory.h"
#include "kern/registration.h"
#include "kern/result.h"

namespace kern {

/* Holds the module's ib_sa_client; unregistering waits for every query and membership. */
/* ib_sa_register_client cannot fail in 6.1. */
inline int sa_client_register() noexcept
{
	kapi_sa_register_client();
	return 0;
}
using SaClientRegistration = Registration<sa_client_register, kapi_sa_unregister_client>;

/*
 * A path record kept by value (plain bytes, freely copyable). A
 * value-initialised PathRecord is "unresolved": dlid() == 0. Getters are glue
 * calls because the record layout is the kernel's.
 */
class PathRecord {
public:
	PathRecord() = default;

	u32 dlid() const { return kapi_path_dlid(&m_rec); }
	u32 slid() const { return kapi_path_slid(&m_rec); }
	u8 sl() const { return kapi_path_sl(&m_rec); }
	u8 rate() const { return kapi_path_rate(&m_rec); } /* enum ib_rate */
	u8 mtu() const { return kapi_path_mtu(&m_rec); }   /* enum ib_mtu */
	u16 pkey() const { return kapi_path_pkey(&m_rec); }
	u8 hop_limit() const { return kapi_path_hop_limit(&m_rec); }
	u8 traffic_class() const { return kapi_path_traffic_class(&m_rec); }
	u32 flow_label() const { return kapi_path_flow_label(&m_rec); }
	Gid dgid() const
	{
		Gid g;
		kapi_path_dgid(&m_rec, g.raw);
		return g;
	}
	Gid sgid() const
	{
		Gid g;
		kapi_path_sgid(&m_rec, g.raw);
		return g;
	}
	bool resolved() const { return dlid() != 0; }

	const struct kapi_path *raw() const { return &m_rec; }

private:
	friend class PathQuery;
	struct kapi_path m_rec {};
};
/* PathQuery hands the glue's kapi_path to C++ as a PathRecord without copying. */
static_assert(sizeof(PathRecord) == sizeof(struct kapi_path), "PathRecord must be a bare kapi_path");

/* One outstanding path record query at a time. */
class PathQuery : NonMovable {
public:
	PathQuery() = default;

	/*
	 * Fn(status, path): path is non-null exactly when status is ok and
	 * is valid only during the call (copy the PathRecord). Runs once per
	 * successful start(), in ib_sa callback context (do not sleep).
	 */
	template <class T, void (T::*Fn)(Status, const PathRecord *)>
	void init(T *owner)
	{
		m_owner = owner;
		m_call = [](void *o, Status st, const PathRecord *p) { (static_cast<T *>(o)->*Fn)(kern::move(st), p); };
		kapi_sa_path_query_init(&m_q, &PathQuery::trampoline, this);
	}

	/*
	 * Queries DGID|SGID|NUMB_PATH|TRAFFIC_CLASS|PKEY (ipoib's mask).
	 * -EBUSY while the previous query's callback has not returned.
	 * Context: any, with a matching gfp.
	 */
	Status start(IbDevice dev, u32 port, const Gid &dgid, const Gid &sgid, u16 pkey, u8 tclass,
		     unsigned int timeout_ms, Gfp gfp)
	{
		return from_errno(kapi_sa_path_rec_get(&m_q, dev.raw(), port, dgid.raw, sgid.raw, pkey, tclass,
						       timeout_ms, to_kapi(gfp)));
	}
	/* The callback then runs soon with -EINTR. Context: any. */
	void cancel() { kapi_sa_path_query_cancel(&m_q); }
	/* True when no callback is pending. Context: any. */
	bool done() { return kapi_sa_path_query_done(&m_q) != 0; }
	/* Context: process; sleeps until no callback is pending. */
	void wait() { kapi_sa_path_query_wait(&m_q); }

private:
	static void trampoline(void *self_, int status, const struct kapi_path *path)
	{
		PathQuery *self = static_cast<PathQuery *>(self_);
		/* 6.1 can report success with no record (num_prs == 0). */
		if (status == 0 && !path)
			status = -err::ENODATA;
		if (status < 0)
			self->m_call(self->m_owner, Error(status), nullptr);
		else
			self->m_call(self->m_owner, ok(), reinterpret_cast<const PathRecord *>(path));
	}

	struct kapi_sa_path_query m_q {};
	void (*m_call)(void *, Status, const PathRecord *) = nullptr;
	void *m_owner = nullptr;
};

/* An MCMemberRecord in host order; GIDs in network order. */
using McMember = struct kapi_mcmember;

/* JoinState values for McMember::join_state. */
inline constexpr u8 kJoinFullMember = KAPI_SA_JOIN_FULL_MEMBER;
inline constexpr u8 kJoinSendOnlyFullMember = KAPI_SA_JOIN_SENDONLY_FULL_MEMBER;
inline constexpr u8 kSaSelectorEq = KAPI_SA_EQ;

/*
 * Component masks as ipoib_mcast_join() builds them: the broadcast group
 * is joined with MGID|PORT_GID|PKEY|JOIN_STATE only (the SM owns its
 * parameters); every other group must match the broadcast group's
 * Q_Key, MTU, traffic class, rate, SL, flow label and hop limit
 * (RFC 4391), so those fields are copied from it and included.
 */
inline constexpr u64 kMcMaskBroadcast = KAPI_SA_MCMEMBER_REC_MGID | KAPI_SA_MCMEMBER_REC_PORT_GID |
					 KAPI_SA_MCMEMBER_REC_PKEY | KAPI_SA_MCMEMBER_REC_JOIN_STATE;
inline constexpr u64 kMcMaskLikeBroadcast =
	kMcMaskBroadcast | KAPI_SA_MCMEMBER_REC_QKEY | KAPI_SA_MCMEMBER_REC_MTU_SELECTOR |
	KAPI_SA_MCMEMBER_REC_MTU | KAPI_SA_MCMEMBER_REC_TRAFFIC_CLASS | KAPI_SA_MCMEMBER_REC_RATE_SELECTOR |
	KAPI_SA_MCMEMBER_REC_RATE | KAPI_SA_MCMEMBER_REC_SL | KAPI_SA_MCMEMBER_REC_FLOW_LABEL |
	KAPI_SA_MCMEMBER_REC_HOP_LIMIT;

/*
 * ib_sa has a record for mgid on this port: some client on this host
 * (userspace through rdma_cm, or ipoib itself) holds a membership.
 * ipoib's umcast uses it to skip groups userspace joined. Context: any.
 */
inline bool sa_group_cached(IbDevice dev, u32 port, const Gid &mgid)
{
	McMember rec{};
	return kapi_sa_get_mcmember_rec(dev.raw(), port, mgid.raw, &rec) == 0;
}

/*
 * What the join callback tells ib_sa. Free makes ib_sa free the
 * membership right after the callback (6.1: non-zero return). Return
 * Free only for a failed join; on -ENETRESET for an established
 * membership return Keep (as ipoib does) and leave() from process
 * context, because ib_sa's own free would race with leave().
 */
enum class JoinVerdict { Keep, Free };

/* One multicast membership (or join in flight) at a time. */
class McastJoin : NonMovable {
public:
	McastJoin() = default;
	/* The owner must leave() first; leaving sleeps, destructors must not. */
	~McastJoin() { KERN_WARN_ON(joined()); }

	/*
	 * Fn(status, rec): rec is non-null exactly when status is ok, valid
	 * only during the call. Called once per join() with its result, and
	 * again with -ENETRESET if a port event drops the group.
	 * Never call leave() from it (deadlock).
	 */
	template <class T, JoinVerdict (T::*Fn)(Status, const McMember *)>
	void init(T *owner)
	{
		m_owner = owner;
		m_call = [](void *o, Status st, const McMember *r) {
			return (static_cast<T *>(o)->*Fn)(kern::move(st), r);
		};
		kapi_sa_join_init(&m_j, &McastJoin::trampoline, this);
	}

	/*
	 * Starts ib_sa_join_multicast(). -EBUSY if a membership is held or
	 * the previous join's callback has not run. Context: any, with a
	 * matching gfp.
	 */
	Status join(IbDevice dev, u32 port, const McMember &rec, u64 comp_mask, Gfp gfp)
	{
		if (joined())
			return Error(-err::EBUSY);
		__atomic_store_n(&m_first, true, __ATOMIC_RELEASE);
		int rc = kapi_sa_join_multicast(&m_j, dev.raw(), port, &rec, comp_mask, to_kapi(gfp));
		if (rc < 0)
			__atomic_store_n(&m_first, false, __ATOMIC_RELEASE);
		return from_errno(rc);
	}

	/* True while a membership is held (the callback kept it). Context: any. */
	bool joined() const { return __atomic_load_n(&m_mc, __ATOMIC_ACQUIRE) != nullptr; }
	/* True when the last join's callback has returned. Context: any. */
	bool done() { return kapi_sa_join_done(&m_j) != 0; }
	/* Context: process; sleeps until done(). */
	void wait() { kapi_sa_join_wait(&m_j); }

	/* ib_sa_free_multicast() if held. Context: process; sleeps. Not from the callback. */
	void leave()
	{
		struct kapi_sa_mcast *mc = __atomic_exchange_n(&m_mc, nullptr, __ATOMIC_ACQ_REL);
		if (mc)
			kapi_sa_free_multicast(mc);
	}

private:
	static int trampoline(void *self_, int status, struct kapi_sa_mcast *mc, const struct kapi_mcmember *rec)
	{
		McastJoin *self = static_cast<McastJoin *>(self_);
		/* Only the first callback of a join hands us the membership. */
		const bool first = __atomic_exchange_n(&self->m_first, false, __ATOMIC_ACQ_REL);
		JoinVerdict v = status < 0 ? self->m_call(self->m_owner, Error(status), nullptr)
					   : self->m_call(self->m_owner, ok(), rec);
		if (v == JoinVerdict::Free) {
			/* ib_sa frees mc after we return: forget it unless leave() already took it. */
			struct kapi_sa_mcast *expected = mc;
			__atomic_compare_exchange_n(&self->m_mc, &expected, nullptr, false, __ATOMIC_ACQ_REL,
						    __ATOMIC_ACQUIRE);
			return 1;
		}
		/*
		 * Later callbacks (-ENETRESET) must not store it again: leave()
		 * may already have taken it and be waiting in ib_sa_free_multicast().
		 */
		if (first)
			__atomic_store_n(&self->m_mc, mc, __ATOMIC_RELEASE);
		return 0;
	}

	struct kapi_sa_join m_j {};
	JoinVerdict (*m_call)(void *, Status, const McMember *) = nullptr;
	void *m_owner = nullptr;
	struct kapi_sa_mcast *m_mc = nullptr;
	bool m_first = false;
};

} // namespace kern

#endif /* KERN_SA_H */
