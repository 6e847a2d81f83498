/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kapi/sa.h - the subnet administrator client (ib_sa): path record
 * queries and multicast joins.
 *
 * One module-lifetime struct ib_sa_client lives in kapi/sa.c; every query
 * and join below is made on it, so kapi_sa_unregister_client() (which
 * waits for all of them) must come after the last one has finished.
 *
 * Records are kept in C. A resolved path is an opaque struct kapi_path
 * (a struct sa_path_rec in storage sized here and static_asserted in
 * kapi/sa.c) read through getters; a multicast member record is copied
 * into the plain struct kapi_mcmember with multi-byte fields in host
 * order. GIDs are 16 bytes in network order.
 *
 * Callbacks. ib_sa calls back from its own MAD and multicast work
 * (in 6.1: workqueue context), but it promises no more than "no locks of
 * ours held", so the upcalls below must not sleep and must treat the
 * context as possibly atomic (GFP_ATOMIC, non-sleepable AH creation).
 * A callback may run on another CPU before the call that started the
 * request has returned: the owner must be ready for it first (take the
 * lock the callback takes around the start, as ipoib does).
 *
 * Waiting. struct kapi_sa_path_query and struct kapi_sa_join embed a
 * struct completion (opaque storage, size asserted in kapi/sa.c) that the
 * glue completes after the upcall returns. An owner must wait for it
 * (kapi_sa_*_wait) before it is freed if a request may be in flight.
 */
#ifndef KAPI_SA_H
#define KAPI_SA_H
#include "types.h"

struct kapi_ib_device;

#define KAPI_PATH_BYTES 128
#define KAPI_SA_COMPLETION_BYTES 96

/* A path record (struct sa_path_rec). All-zero storage reads as "unresolved" (DLID 0). */
struct kapi_path {
	unsigned char opaque[KAPI_PATH_BYTES] __attribute__((aligned(8)));
};

/* A multicast membership (struct ib_sa_multicast), owned by ib_sa. */
struct kapi_sa_mcast;

/* enum ib_sa_selector values (the *_selector fields). */
enum kapi_sa_selector {
	KAPI_SA_GT = 0,
	KAPI_SA_LT = 1,
	KAPI_SA_EQ = 2,
};

/* JoinState bits (1 << enum ib_sa_mc_join_states). */
enum kapi_sa_join_state {
	KAPI_SA_JOIN_FULL_MEMBER = 1 << 0,
	KAPI_SA_JOIN_NON_MEMBER = 1 << 1,
	KAPI_SA_JOIN_SENDONLY_NON_MEMBER = 1 << 2,
	KAPI_SA_JOIN_SENDONLY_FULL_MEMBER = 1 << 3,
};

/* IB_SA_MCMEMBER_REC_* component-mask bits. */
#define KAPI_SA_MCMEMBER_REC_MGID (1ULL << 0)
#define KAPI_SA_MCMEMBER_REC_PORT_GID (1ULL << 1)
#define KAPI_SA_MCMEMBER_REC_QKEY (1ULL << 2)
#define KAPI_SA_MCMEMBER_REC_MLID (1ULL << 3)
#define KAPI_SA_MCMEMBER_REC_MTU_SELECTOR (1ULL << 4)
#define KAPI_SA_MCMEMBER_REC_MTU (1ULL << 5)
#define KAPI_SA_MCMEMBER_REC_TRAFFIC_CLASS (1ULL << 6)
#define KAPI_SA_MCMEMBER_REC_PKEY (1ULL << 7)
#define KAPI_SA_MCMEMBER_REC_RATE_SELECTOR (1ULL << 8)
#define KAPI_SA_MCMEMBER_REC_RATE (1ULL << 9)
#define KAPI_SA_MCMEMBER_REC_PACKET_LIFE_TIME_SELECTOR (1ULL << 10)
#define KAPI_SA_MCMEMBER_REC_PACKET_LIFE_TIME (1ULL << 11)
#define KAPI_SA_MCMEMBER_REC_SL (1ULL << 12)
#define KAPI_SA_MCMEMBER_REC_FLOW_LABEL (1ULL << 13)
#define KAPI_SA_MCMEMBER_REC_HOP_LIMIT (1ULL << 14)
#define KAPI_SA_MCMEMBER_REC_SCOPE (1ULL << 15)
#define KAPI_SA_MCMEMBER_REC_JOIN_STATE (1ULL << 16)
#define KAPI_SA_MCMEMBER_REC_PROXY_JOIN (1ULL << 17)

/* struct ib_sa_mcmember_rec in plain fields, host order. */
struct kapi_mcmember {
	kapi_u8 mgid[16];
	kapi_u8 port_gid[16];
	kapi_u32 qkey;
	kapi_u32 flow_label;
	kapi_u16 mlid;
	kapi_u16 pkey;
	kapi_u8 mtu_selector;
	kapi_u8 mtu;  /* enum ib_mtu */
	kapi_u8 traffic_class;
	kapi_u8 rate_selector;
	kapi_u8 rate; /* enum ib_rate */
	kapi_u8 packet_life_time_selector;
	kapi_u8 packet_life_time;
	kapi_u8 sl;
	kapi_u8 hop_limit;
	kapi_u8 scope;
	kapi_u8 join_state; /* enum kapi_sa_join_state bits */
	kapi_u8 proxy_join;
};

/*
 * Path query completion: status 0 with the path, or a negative errno
 * (-ETIMEDOUT, -EINTR when cancelled, ...) with path NULL. `path` is
 * valid only during the call: copy it (struct kapi_path is plain bytes).
 */
typedef void (*kapi_sa_path_fn)(void *owner, int status, const struct kapi_path *path);

/*
 * An embeddable path query: the completion plus the id/query cancel
 * needs. C++ never touches the fields; only the kapi_sa_path_* calls do.
 */
struct kapi_sa_path_query {
	unsigned char done[KAPI_SA_COMPLETION_BYTES] __attribute__((aligned(8)));
	kapi_sa_path_fn fn;
	void *owner;
	void *query; /* struct ib_sa_query *, only for cancel */
	int id;
};

/*
 * Join upcall. `mc` is the membership ib_sa will report on; `rec` (valid
 * only during the call) is the group's record when status is 0.
 * status != 0: the join failed (-ETIMEDOUT, -EINVAL, ...), or, on an
 * established membership, -ENETRESET after a port event.
 * Return value (6.1 semantics): non-zero makes ib_sa free the membership
 * itself as soon as the upcall returns, so the owner must forget `mc`
 * and never pass it to kapi_sa_free_multicast(); zero keeps it, and the
 * owner must later call kapi_sa_free_multicast(mc).
 * The upcall must never call kapi_sa_free_multicast() (it waits for the
 * callback: deadlock). Context: see the file comment; do not sleep.
 */
typedef int (*kapi_sa_join_fn)(void *owner, int status, struct kapi_sa_mcast *mc,
			       const struct kapi_mcmember *rec);

/* An embeddable join callback binding plus its completion. */
struct kapi_sa_join {
	unsigned char done[KAPI_SA_COMPLETION_BYTES] __attribute__((aligned(8)));
	kapi_sa_join_fn fn;
	void *owner;
};

KAPI_BEGIN_DECLS

/* ib_sa_register_client()/ib_sa_unregister_client() on the module's client. Context: process; unregister sleeps until every query and membership is gone. */
void kapi_sa_register_client(void);
void kapi_sa_unregister_client(void);

/* ---- Path records ---- */

/* Binds fn/owner and marks the query idle (done). Context: any; before any other use. */
void kapi_sa_path_query_init(struct kapi_sa_path_query *q, kapi_sa_path_fn fn, void *owner);
/*
 * ib_sa_path_rec_get() for one IB path with the comp mask ipoib uses:
 * DGID|SGID|NUMB_PATH(1)|TRAFFIC_CLASS|PKEY. The query must be idle
 * (done) or -EBUSY is returned. On success fn(owner, ...) runs exactly
 * once, later (maybe before this returns); on failure it never runs and
 * the query stays idle. gfp: KAPI_GFP_ATOMIC from atomic context.
 * Context: any, with a matching gfp. Serialise with cancel yourself.
 */
int kapi_sa_path_rec_get(struct kapi_sa_path_query *q, struct kapi_ib_device *dev, kapi_u32 port,
			 const kapi_u8 dgid[16], const kapi_u8 sgid[16], kapi_u16 pkey, kapi_u8 tclass,
			 unsigned int timeout_ms, enum kapi_gfp gfp);
/* ib_sa_cancel_query(): fn then runs soon with -EINTR. A no-op when idle. Context: any. */
void kapi_sa_path_query_cancel(struct kapi_sa_path_query *q);
/* 1 if no callback is pending (idle, or fn has returned). Context: any. */
int kapi_sa_path_query_done(struct kapi_sa_path_query *q);
/* Sleeps until no callback is pending. Context: process; sleeps. */
void kapi_sa_path_query_wait(struct kapi_sa_path_query *q);

/* Path getters, host order. Context: any. */
void kapi_path_dgid(const struct kapi_path *p, kapi_u8 gid[16]);
void kapi_path_sgid(const struct kapi_path *p, kapi_u8 gid[16]);
kapi_u32 kapi_path_dlid(const struct kapi_path *p); /* 0: unresolved */
kapi_u32 kapi_path_slid(const struct kapi_path *p);
kapi_u8 kapi_path_sl(const struct kapi_path *p);
kapi_u8 kapi_path_rate(const struct kapi_path *p); /* enum ib_rate */
kapi_u8 kapi_path_mtu(const struct kapi_path *p);  /* enum ib_mtu */
kapi_u16 kapi_path_pkey(const struct kapi_path *p);
kapi_u8 kapi_path_hop_limit(const struct kapi_path *p);
kapi_u8 kapi_path_traffic_class(const struct kapi_path *p);
kapi_u32 kapi_path_flow_label(const struct kapi_path *p);

/* ---- Multicast ---- */

/* Binds fn/owner and marks the join idle (done). Context: any; before any other use. */
void kapi_sa_join_init(struct kapi_sa_join *j, kapi_sa_join_fn fn, void *owner);
/*
 * ib_sa_join_multicast() with `rec` (host order; join_state from enum
 * kapi_sa_join_state) and comp_mask (KAPI_SA_MCMEMBER_REC_* bits).
 * The membership handle is not returned here: it arrives in the upcall,
 * possibly before this returns. -EBUSY if the previous join's first
 * callback has not run yet. One membership per kapi_sa_join at a time:
 * free the previous one before joining again.
 * Context: any with a matching gfp (ipoib joins under a spinlock, ATOMIC).
 */
int kapi_sa_join_multicast(struct kapi_sa_join *j, struct kapi_ib_device *dev, kapi_u32 port,
			   const struct kapi_mcmember *rec, kapi_u64 comp_mask, enum kapi_gfp gfp);
/* 1 if the last join's first callback has returned (or none was started). Context: any. */
int kapi_sa_join_done(struct kapi_sa_join *j);
/* Sleeps until kapi_sa_join_done(). Context: process; sleeps. */
void kapi_sa_join_wait(struct kapi_sa_join *j);
/*
 * ib_sa_free_multicast(): leaves the group and waits for any running
 * callback of this membership. Never from the join upcall. Context:
 * process; sleeps.
 */
void kapi_sa_free_multicast(struct kapi_sa_mcast *mc);
/*
 * ib_sa_get_mcmember_rec(): the record ib_sa has cached for a group this
 * host joined (through any client). -EADDRNOTAVAIL if none. Context: any.
 */
int kapi_sa_get_mcmember_rec(struct kapi_ib_device *dev, kapi_u32 port, const kapi_u8 mgid[16],
			     struct kapi_mcmember *out);

KAPI_END_DECLS
#endif
