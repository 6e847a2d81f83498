// SPDX-License-Identifier: GPL-2.0
/*
 * cmfuzz: seeded, deterministic IB CM (connected-mode IPoIB, RFC 4755)
 * MAD fuzzer over softib's injection point (softib/sibN/portP/inject,
 * Documentation/softib.md): each MAD arrives at the port's GSI QP (QPN 1,
 * Q_Key 0x80010000) from a forged sender.
 *
 *   cmfuzz -f INJECT -q UD_QPN -g OWN_GID -L PEER_LID -G PEER_GID
 *          -s SEED -n COUNT [-P PKEY] [-d USEC] [-x CLASS,...] [-o CLASS]
 *
 * UD_QPN and OWN_GID are the receiver's (the interface under test): the
 * service ID is IPoIB's, 0x1000000000000000 | UD_QPN (in-tree
 * IPOIB_CM_IETF_ID); PEER_* a real port of the fabric, used as the forged
 * REQs' sender half of the time. Classes (-x leaves some out, -o sends
 * only one):
 *
 *   req          a REQ a real requester could send (RC, a valid path to
 *                OWN_GID) with random comm ID, CA GUID, QPN, PSN, MTU,
 *                and IPoIB private data that is valid or malformed: QPN
 *                0 or random, receive size 0, tiny, huge or unaligned,
 *                garbage, all zero, or our extension with random caps
 *   req_garbage  a REQ with random bytes in every field but the MAD
 *                header, the service ID and the path's GIDs
 *   req_rej      a REQ, then the stale REJ (reason timeout, ARI = its CA
 *                GUID) that tears its connection down again
 *   req_dup      a REQ sent twice (ib_cm answers the duplicate itself)
 *   rep rtu dreq drep rej mra lap apr
 *                that message with unknown (random) comm IDs and random
 *                body bytes: stale messages of a connection that is gone
 *   bad_mad      a CM MAD with a wrong base or class version, method or
 *                attribute ID, or cut short (0-255 bytes)
 *
 * -d waits USEC microseconds after each MAD, so that the GSI QP's receive
 * queue (ib_mad posts 512) keeps up and every MAD reaches ib_cm.
 *
 * Every REQ asks for a response timeout of at most 2^17 x 4.096 us
 * (about 0.5 s; ib_cm waits 512 ms) and at most 15 retries, so ib_cm gives
 * up on a REP the forger never answers within 16 x 0.5 s: the bound on
 * how long a connection made by a forged REQ can wait for its RTU.
 *
 * Prints "class NAME N" per class, "connections N" (REQs that may have
 * made a passive connection) and "sent N failed N"; exits 1 if a write
 * failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzzlib.h"

#define MAD_LEN		256
#define QP1_QKEY	0x80010000u
#define IETF_ID		0x1000000000000000ULL

/* MAD header (IBA 13.4.3) and CM attribute IDs (IBA 12.6) */
#define CM_CLASS	0x07
#define CM_CLASS_VER	2
#define METHOD_SEND	0x03
enum { A_REQ = 0x10, A_MRA, A_REJ, A_REP, A_RTU, A_DREQ, A_DREP, A_SIDR_REQ, A_SIDR_REP, A_LAP, A_APR };

enum cls {
	C_REQ, C_REQ_GARBAGE, C_REQ_REJ, C_REQ_DUP, C_REP, C_RTU, C_DREQ, C_DREP,
	C_REJ, C_MRA, C_LAP, C_APR, C_BAD_MAD, C_MAX
};

static const char *const cls_name[C_MAX] = {
	"req", "req_garbage", "req_rej", "req_dup", "rep", "rtu", "dreq", "drep",
	"rej", "mra", "lap", "apr", "bad_mad",
};
static const struct fuzz_classes classes = { "cmfuzz", cls_name, C_MAX };

static void put64(uint8_t *p, uint64_t v) { put32(p, v >> 32); put32(p + 4, (uint32_t)v); }
static void put24(uint8_t *p, uint32_t v) { p[0] = v >> 16; p[1] = v >> 8; p[2] = v; }

/* Configuration. */
static uint32_t own_qpn;
static uint16_t peer_lid, pkey = 0xffff;
static uint8_t own_gid[16], peer_gid[16];

struct mad {
	uint16_t slid;
	uint32_t sqpn;
	uint8_t d[MAD_LEN];
	size_t len;
};

/* The CM message body starts after the 24-byte MAD header. */
#define M(m, off) ((m)->d + 24 + (off))

static void mad_init(struct mad *m, unsigned attr)
{
	memset(m->d, 0, sizeof(m->d));
	m->len = MAD_LEN;
	m->d[0] = 1;			/* base version */
	m->d[1] = CM_CLASS;
	m->d[2] = CM_CLASS_VER;
	m->d[3] = METHOD_SEND;
	put64(m->d + 8, rnd64());	/* transaction ID */
	put16(m->d + 16, attr);
	/* The sender: the real peer's port half of the time, else forged. */
	m->sqpn = 1;
	switch (rnd(4)) {
	case 0:
	case 1:
		m->slid = peer_lid;
		break;
	case 2:
		m->slid = 2 + rnd(0xbffd);	/* any unicast LID, most off the fabric */
		break;
	default:
		m->slid = peer_lid;
		m->sqpn = rnd(0x1000000);	/* ib_cm answers QP1 anyway */
	}
}

/* IPoIB's REQ private data (RFC 4755: UD QPN, receive size), valid or not. */
static void req_priv(uint8_t *pd)
{
	static const uint32_t sizes[] = { 0, 1, 4, 5, 65524, 65525, 0xffffffff, 0x80000000, 2048, 4093 };

	memset(pd, 0, 92);
	switch (rnd(8)) {
	case 0:		/* valid, as in-tree sends it */
		put32(pd, rnd(0x1000000));
		put32(pd + 4, 65524);
		break;
	case 1:		/* QPN 0 or with the high byte set */
		put32(pd, rnd(2) ? 0 : (uint32_t)rnd64());
		put32(pd + 4, 65524);
		break;
	case 2:		/* receive size 0, tiny, huge, unaligned */
		put32(pd, rnd(0x1000000));
		put32(pd + 4, rnd(2) ? sizes[rnd(10)] : (uint32_t)rnd64() | 1);
		break;
	case 3:		/* garbage */
		rnd_bytes(pd, 92);
		break;
	case 4:		/* all zero */
		break;
	case 5:		/* ours' extension ("IPOC"), random capabilities */
		put32(pd, rnd(0x1000000));
		put32(pd + 4, 65524);
		put32(pd + 8, 0x49504f43);
		put32(pd + 12, (uint32_t)rnd64());
		break;
	case 6:		/* the extension's magic with garbage around it */
		rnd_bytes(pd, 92);
		put32(pd + 8, 0x49504f43);
		break;
	default:	/* short: only some leading bytes */
		rnd_bytes(pd, rnd(8));
	}
}

/*
 * A REQ to our service over a path that ends at OWN_GID (ib_cm rejects
 * the rest with "invalid GID" itself). Returns the CA GUID.
 */
static uint64_t mk_req(struct mad *m, int garbage)
{
	static const uint8_t mtus[] = { 1, 2, 3, 4, 5 };
	uint64_t guid = rnd64();

	mad_init(m, A_REQ);
	if (garbage)
		rnd_bytes(M(m, 0), MAD_LEN - 24);
	put64(M(m, 8), IETF_ID | (own_qpn & 0xffffff));
	if (garbage) {
		/* bounded timeouts (see the top); the rest stays random */
		M(m, 47)[0] = (uint8_t)(rnd(18) << 3 | (M(m, 47)[0] & 7));
		M(m, 51)[0] = (uint8_t)(rnd(16) << 4 | (M(m, 51)[0] & 15));
		memcpy(M(m, 72), own_gid, 16);
		if (rnd(2))
			memcpy(M(m, 56), peer_gid, 16);
		rnd_bytes(M(m, 140), 92);
		return 0;
	}
	put32(M(m, 0), (uint32_t)rnd64());		/* local comm ID */
	put64(M(m, 16), guid);				/* local CA GUID */
	put32(M(m, 28), (uint32_t)rnd64());		/* local Q_Key (RC: unused) */
	put24(M(m, 32), 2 + rnd(0xfffffd));		/* local QPN */
	M(m, 35)[0] = rnd(2) ? 4 : rnd(256);		/* responder resources */
	M(m, 39)[0] = rnd(2) ? 0 : rnd(256);		/* initiator depth */
	M(m, 43)[0] = (uint8_t)(rnd(32) << 3);		/* remote response timeout, RC, no e2e */
	put24(M(m, 44), rnd(0x1000000));		/* starting PSN */
	M(m, 47)[0] = (uint8_t)(rnd(18) << 3 | rnd(8));	/* local response timeout, retry count */
	put16(M(m, 48), pkey);
	/* path MTU (sometimes invalid: 0, 6-15), RDC 0, RNR retry */
	M(m, 50)[0] = (uint8_t)((rnd(4) ? mtus[rnd(5)] : rnd(16)) << 4 | rnd(8));
	M(m, 51)[0] = (uint8_t)(rnd(16) << 4 | rnd(2) << 3);	/* max CM retries, SRQ */
	put16(M(m, 52), rnd(4) ? peer_lid : 1 + rnd(0xbfff));	/* primary local LID */
	put16(M(m, 54), rnd(0xc000));			/* primary remote LID */
	if (rnd(4))
		memcpy(M(m, 56), peer_gid, 16);
	else
		rnd_bytes(M(m, 56), 16);
	memcpy(M(m, 72), own_gid, 16);
	put32(M(m, 88), rnd(0x100000) << 12 | rnd(64));	/* flow label, packet rate */
	M(m, 92)[0] = rnd(256);				/* traffic class */
	M(m, 93)[0] = rnd(2) ? 0 : rnd(256);		/* hop limit */
	M(m, 94)[0] = (uint8_t)(rnd(16) << 4 | 1 << 3);	/* SL, subnet local */
	M(m, 95)[0] = (uint8_t)(rnd(32) << 3);		/* local ACK timeout */
	req_priv(M(m, 140));
	return guid;
}

/* A message of an unknown connection: random comm IDs and body. */
static void mk_stale(struct mad *m, unsigned attr)
{
	mad_init(m, attr);
	rnd_bytes(M(m, 0), MAD_LEN - 24);
	switch (attr) {
	case A_REJ:
		/* a rejected message and reason that ib_cm looks up */
		M(m, 8)[0] = (uint8_t)(rnd(3) << 6);
		put16(M(m, 10), rnd(2) ? 1 + rnd(33) : rnd(65536));
		break;
	case A_MRA:
		M(m, 8)[0] = (uint8_t)(rnd(3) << 6);
		break;
	case A_APR:
		M(m, 8)[0] = rnd(72);
		break;
	default:
		break;
	}
}

static void mk_bad(struct mad *m)
{
	mad_init(m, A_REQ + rnd(11));
	rnd_bytes(M(m, 0), MAD_LEN - 24);
	switch (rnd(5)) {
	case 0:
		m->d[0] = 2 + rnd(254);			/* base version */
		break;
	case 1:
		m->d[2] = rnd(2) ? 1 : 3 + rnd(253);	/* class version */
		break;
	case 2:
		m->d[3] = (uint8_t[]){ 0x01, 0x02, 0x06, 0x81, 0x83, 0x7f }[rnd(6)];
		break;
	case 3:
		put16(m->d + 16, rnd(2) ? rnd(0x10) : 0x1b + rnd(0xffe4));
		break;
	default:
		m->len = rnd(MAD_LEN);			/* cut short */
	}
}

static int send_mad(int fd, const struct mad *m)
{
	uint8_t buf[INJ_HDR_LEN + MAD_LEN];
	ssize_t n;

	memset(buf, 0, INJ_HDR_LEN);
	le32(buf, INJ_MAGIC);
	le32(buf + 4, 1);		/* the GSI QP */
	le32(buf + 8, m->sqpn);
	le32(buf + 12, QP1_QKEY);
	le16(buf + 18, m->slid);
	le16(buf + 20, pkey);
	memcpy(buf + INJ_HDR_LEN, m->d, m->len);
	n = write(fd, buf, INJ_HDR_LEN + m->len);
	return n == (ssize_t)(INJ_HDR_LEN + m->len) ? 0 : -1;
}

static void usage(void)
{
	fprintf(stderr, "usage: cmfuzz -f INJECT -q UD_QPN -g OWN_GID -L PEER_LID -G PEER_GID\n"
		"       -s SEED -n COUNT [-P PKEY] [-d USEC] [-x CLASS,...] [-o CLASS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const unsigned stale_attr[] = {
		[C_REP] = A_REP, [C_RTU] = A_RTU, [C_DREQ] = A_DREQ, [C_DREP] = A_DREP,
		[C_REJ] = A_REJ, [C_MRA] = A_MRA, [C_LAP] = A_LAP, [C_APR] = A_APR,
	};
	const char *file = NULL, *exclude = NULL, *only = NULL;
	unsigned long long seed = 1;
	long count = 0, delay_us = 0, sent = 0, failed = 0, conns = 0, per[C_MAX] = { 0 };
	int opt, fd, nen = 0, list[C_MAX], have_g = 0, have_G = 0;
	struct mad m;

	while ((opt = getopt(argc, argv, "f:q:g:L:G:s:n:P:d:x:o:")) != -1) {
		switch (opt) {
		case 'f': file = optarg; break;
		case 'q': own_qpn = strtoul(optarg, NULL, 0) & 0xffffff; break;
		case 'g': if (parse_gid(optarg, own_gid)) usage(); have_g = 1; break;
		case 'L': peer_lid = strtoul(optarg, NULL, 0); break;
		case 'G': if (parse_gid(optarg, peer_gid)) usage(); have_G = 1; break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': count = strtol(optarg, NULL, 0); break;
		case 'P': pkey = strtoul(optarg, NULL, 0); break;
		case 'd': delay_us = strtol(optarg, NULL, 0); break;
		case 'x': exclude = optarg; break;
		case 'o': only = optarg; break;
		default: usage();
		}
	}
	if (!file || !own_qpn || !have_g || !have_G || !peer_lid || count <= 0)
		usage();
	nen = class_list(&classes, exclude, only, list);
	if (!nen)
		usage();
	fd = open(file, O_WRONLY);
	if (fd < 0) {
		perror(file);
		return 1;
	}
	rnd_seed(seed);
	while (sent < count) {
		enum cls k = (enum cls)list[rnd(nen)];
		int n = 1, i;
		uint64_t guid = 0;
		uint32_t comm = 0;
		uint16_t slid = 0;

		switch (k) {
		case C_REQ:
		case C_REQ_REJ:
		case C_REQ_DUP:
			guid = mk_req(&m, 0);
			comm = (uint32_t)M(&m, 0)[0] << 24 | M(&m, 1)[0] << 16 | M(&m, 2)[0] << 8 | M(&m, 3)[0];
			slid = m.slid;
			n = k == C_REQ ? 1 : 2;
			conns++;
			break;
		case C_REQ_GARBAGE:
			mk_req(&m, 1);
			conns++;
			break;
		case C_BAD_MAD:
			mk_bad(&m);
			break;
		default:
			mk_stale(&m, stale_attr[k]);
		}
		for (i = 0; i < n && sent < count; i++, sent++) {
			if (i == 1 && k == C_REQ_REJ) {
				/* the REQ's REJ: reason timeout (1), ARI its CA GUID */
				mk_stale(&m, A_REJ);
				m.slid = slid;
				m.sqpn = 1;
				put32(M(&m, 0), comm);
				put32(M(&m, 4), 0);
				M(&m, 8)[0] = 1 << 6;		/* REP rejected */
				M(&m, 9)[0] = 8 << 1;		/* ARI length */
				put16(M(&m, 10), 1);
				put64(M(&m, 12), guid);
			}
			per[k]++;
			if (send_mad(fd, &m) && failed++ < 5)
				fprintf(stderr, "cmfuzz: MAD %ld (%s, %zu bytes): %s\n", sent, cls_name[k],
					m.len, strerror(errno));
			if (delay_us > 0)
				usleep(delay_us);
		}
	}
	close(fd);
	class_counts(&classes, per);
	printf("connections %ld\n", conns);
	printf("sent %ld failed %ld\n", sent, failed);
	return failed ? 1 : 0;
}
