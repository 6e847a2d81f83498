// SPDX-License-Identifier: GPL-2.0
/*
 * sibpcap: turn a capture of softib's two-host wire into an IPoIB capture.
 *
 *   tcpdump -i eth0 -w wire.pcap ether proto 0x88b5
 *   sibpcap wire.pcap ipoib.pcap
 *   tcpdump -nn -r ipoib.pcap
 *
 * The input is a classic pcap of Ethernet frames carrying softib's wire
 * protocol (tests/softib/sib_net.c; Documentation/softib.md, "Two hosts").
 * The output has link type LINKTYPE_IPOIB (242): each record is a 40-byte
 * GRH (SGID, DGID) followed by the IPoIB packet (the 4-byte IPoIB header
 * and what it carries), which tcpdump and Wireshark decode. UD packets to
 * QPs other than QP0/QP1 become one record each (multicast included); RC
 * messages, sent as segments, are put back together and become one record
 * each (a resent message only once). The GRH is the packet's own when it
 * had one; otherwise the GIDs are made from the LIDs with the port GUIDs
 * the hosts announced in the same capture (fe80::GUID), or fe80::LID for a
 * LID not announced. SA/CM MADs, ACKs and announcements are left out.
 *
 * Prints a summary line on stderr. Exit 0, or 1 on an unreadable input.
 * Built statically by tests/vm/mkroot.sh; also builds on the host.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ETH_HLEN 14
#define SIB_ETH_P 0x88b5
#define SIB_HDR 44
#define SIB_GRH 40
#define SIB_F_GRH 0x01
#define LINKTYPE_IPOIB 242
#define MAX_PORTS 256
#define MAX_FLOWS 256
#define MAX_MSG (1u << 20)

enum { T_UD = 1, T_RC = 2, T_REPLY = 3, T_HELLO = 4, T_BYE = 5 };

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static struct { uint16_t lid; uint8_t guid[8]; } ports[MAX_PORTS];
static int nports;

static struct flow {
	uint16_t slid;
	uint32_t qpn;
	uint32_t psn, off, total;
	int active;
	int have_last;
	uint32_t last_psn;	/* last message written */
	uint8_t *buf;
} flows[MAX_FLOWS];
static int nflows;

static uint32_t swap_ts;	/* input pcap in the other byte order */

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swap_ts ? __builtin_bswap32(v) : v;
}

static void learn(uint16_t lid, const uint8_t *guid)
{
	int i;

	for (i = 0; i < nports; i++)
		if (!memcmp(ports[i].guid, guid, 8))
			break;
	if (i == nports) {
		if (nports == MAX_PORTS)
			return;
		nports++;
	}
	ports[i].lid = lid;
	memcpy(ports[i].guid, guid, 8);
}

static void gid_of(uint16_t lid, uint8_t *gid)
{
	int i;

	memset(gid, 0, 16);
	gid[0] = 0xfe;
	gid[1] = 0x80;
	for (i = 0; i < nports; i++)
		if (ports[i].lid == lid) {
			memcpy(gid + 8, ports[i].guid, 8);
			return;
		}
	gid[14] = lid >> 8;
	gid[15] = lid & 0xff;
}

static unsigned long written;

static void emit(FILE *out, const uint8_t *ts, const uint8_t *grh, uint16_t slid,
		 uint16_t dlid, const uint8_t *data, uint32_t len)
{
	uint8_t g[SIB_GRH];
	uint32_t rec[4];

	if (grh) {
		memcpy(g, grh, SIB_GRH);
	} else {
		memset(g, 0, sizeof(g));
		g[0] = 0x60;
		g[4] = (len + 20) >> 8;	/* BTH + DETH + ICRC, as on the wire */
		g[5] = (len + 20) & 0xff;
		g[6] = 0x1b;
		gid_of(slid, g + 8);
		gid_of(dlid, g + 24);
	}
	rec[0] = rd32(ts);
	rec[1] = rd32(ts + 4);
	rec[2] = rec[3] = SIB_GRH + len;
	fwrite(rec, sizeof(rec), 1, out);
	fwrite(g, SIB_GRH, 1, out);
	fwrite(data, 1, len, out);
	written++;
}

static struct flow *flow_of(uint16_t slid, uint32_t qpn)
{
	int i;

	for (i = 0; i < nflows; i++)
		if (flows[i].slid == slid && flows[i].qpn == qpn)
			return &flows[i];
	if (nflows == MAX_FLOWS)
		return NULL;
	flows[nflows].slid = slid;
	flows[nflows].qpn = qpn;
	flows[nflows].buf = malloc(MAX_MSG);
	if (!flows[nflows].buf)
		return NULL;
	return &flows[nflows++];
}

int main(int argc, char **argv)
{
	unsigned long frames = 0, ud = 0, rc = 0, other = 0;
	uint8_t gh[24], rh[16];
	static uint8_t pkt[262144];
	FILE *in, *out;
	uint32_t magic;
	int i;

	if (argc != 3) {
		fprintf(stderr, "usage: sibpcap WIRE.pcap IPOIB.pcap\n");
		return 2;
	}
	in = fopen(argv[1], "rb");
	if (!in || fread(gh, sizeof(gh), 1, in) != 1) {
		perror(argv[1]);
		return 1;
	}
	memcpy(&magic, gh, 4);
	if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
		swap_ts = 1;
	else if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
		fprintf(stderr, "%s: not a classic pcap file\n", argv[1]);
		return 1;
	}
	if (rd32(gh + 20) != 1) {
		fprintf(stderr, "%s: link type %u, want Ethernet (1)\n", argv[1], rd32(gh + 20));
		return 1;
	}
	out = fopen(argv[2], "wb");
	if (!out) {
		perror(argv[2]);
		return 1;
	}
	/* Same magic (and so the same time-stamp unit), our link type. */
	{
		uint32_t h32[6] = { magic == 0xa1b23c4d || magic == 0x4d3cb2a1 ? 0xa1b23c4d : 0xa1b2c3d4,
				    0x00040002, 0, 0, sizeof(pkt), LINKTYPE_IPOIB };

		fwrite(h32, sizeof(h32), 1, out);
	}

	while (fread(rh, sizeof(rh), 1, in) == 1) {
		uint32_t cap = rd32(rh + 8), len, hl, plen;
		const uint8_t *h, *grh = NULL;

		if (cap > sizeof(pkt) || fread(pkt, 1, cap, in) != cap)
			break;
		frames++;
		if (cap < ETH_HLEN + SIB_HDR || be16(pkt + 12) != SIB_ETH_P || pkt[ETH_HLEN] != 1) {
			other++;
			continue;
		}
		h = pkt + ETH_HLEN;
		len = cap - ETH_HLEN;
		hl = SIB_HDR;
		if (h[2] & SIB_F_GRH) {
			grh = h + SIB_HDR;
			hl += SIB_GRH;
		}
		plen = be32(h + 40);
		if (len < hl || plen > len - hl) {
			other++;
			continue;
		}
		switch (h[1]) {
		case T_HELLO:
			for (i = 0; 4 + (i + 1) * 44 <= (int)plen && i < h[hl + 1]; i++) {
				const uint8_t *r = h + hl + 4 + i * 44;

				learn(be16(r + 8), r);
			}
			break;
		case T_UD:
			if ((be32(h + 12) & 0xffffff) <= 1)
				break;	/* SMPs and MADs */
			ud++;
			emit(out, rh, grh, be16(h + 4), be16(h + 6), h + hl, plen);
			break;
		case T_RC: {
			uint32_t psn = be32(h + 24) & 0xffffff, off = be32(h + 32), total = be32(h + 36);
			struct flow *f = flow_of(be16(h + 4), be32(h + 8) & 0xffffff);

			if (!f || total > MAX_MSG || off > total || plen > total - off)
				break;
			if (off == 0) {
				f->active = 1;
				f->psn = psn;
				f->off = 0;
				f->total = total;
			}
			if (!f->active || f->psn != psn || f->off != off)
				break;
			memcpy(f->buf + off, h + hl, plen);
			f->off += plen;
			if (f->off < f->total)
				break;
			f->active = 0;
			if (f->have_last && f->last_psn == psn)
				break;	/* a resend of what was written */
			f->have_last = 1;
			f->last_psn = psn;
			rc++;
			emit(out, rh, NULL, f->slid, be16(h + 6), f->buf, f->total);
			break;
		}
		default:
			break;
		}
	}
	fclose(in);
	if (fclose(out)) {
		perror(argv[2]);
		return 1;
	}
	fprintf(stderr, "sibpcap: %lu frames, %lu UD packets, %lu RC messages, %lu records written, %lu frames not softib, %d ports announced\n",
		frames, ud, rc, written, other, nports);
	return 0;
}
