// SPDX-License-Identifier: GPL-2.0
/*
 * pktfuzz: seeded, deterministic IPoIB packet fuzzer over softib's
 * injection point (softib/sibN/portP/inject, Documentation/softib.md).
 *
 *   pktfuzz -f INJECT -q QPN -l LID -Q QKEY -P PKEY -s SEED -n COUNT
 *           [-L PEER_LID] [-g OWN_GID] [-G PEER_GID] [-m MGID] [-M MLID]
 *           [-4 OWN_IPV4] [-6 OWN_IPV6] [-u MTU] [-x CLASS,...] [-o CLASS]
 *
 * QPN, LID, GID, IPv4/IPv6 are the receiver's (the interface under test),
 * PEER_* a real sender on the fabric, MGID/MLID the broadcast group.
 * Each packet is one write() of a 64-byte header and the payload.  Classes
 * (-x leaves some out, -o sends only one):
 *
 *   ipv4, ipv6, arp  valid-looking IPoIB (RFC 4391 4-byte encap) IPv4
 *                    (ICMP echo, UDP, TCP), IPv6 (ICMPv6 echo, neighbour
 *                    solicitations), ARP; half of them with random
 *                    corruption of header fields and lengths
 *   arp_garbage      ARP requests for our address and replies, from
 *                    OWN_IPV4's /24 hosts .100-.199, with a garbage 20-byte
 *                    hardware address (random flags, QPN, GID)
 *   ethertype        unknown ethertypes, random payload
 *   truncated        0 to 4 bytes of payload (header only at most)
 *   oversize         MTU+1 to MTU+1024 bytes (receive length error)
 *   bad_grh          a GRH of random bytes, a wrong IP version, or a DGID
 *                    that is not ours, on a valid-looking packet
 *   bad_pkey         a P_Key that does not match ours (softib drops it)
 *   bad_qkey         a Q_Key that is not ours (softib drops it)
 *   forged_src       source LID off the fabric (0, SM, multicast,
 *                    permissive, unassigned, our own) and source QPN
 *                    0, 1, 0xffffff or random
 *   mcast_self       to the broadcast MGID from our own LID, QPN and GID
 *                    (our own echo: the driver must drop it)
 *   mcast            to the broadcast MGID from a forged sender
 *
 * Prints "class NAME N" per class and "sent N failed N"; exits 1 if a write
 * failed.  Addresses of made-up hosts are in .100-.199 of OWN_IPV4's /24 and
 * fd11::100-1ff style, so a real peer's neighbour entry is never poisoned.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzzlib.h"

#define GRH_LEN		40
#define SLACK		1024
#define MCAST_QPN	0xffffff

enum cls {
	C_IPV4, C_IPV6, C_ARP, C_ARP_GARBAGE, C_ETHERTYPE, C_TRUNCATED,
	C_OVERSIZE, C_BAD_GRH, C_BAD_PKEY, C_BAD_QKEY, C_FORGED, C_MCAST_SELF,
	C_MCAST, C_MAX
};

static const char *const cls_name[C_MAX] = {
	"ipv4", "ipv6", "arp", "arp_garbage", "ethertype", "truncated",
	"oversize", "bad_grh", "bad_pkey", "bad_qkey", "forged_src",
	"mcast_self", "mcast",
};
static const struct fuzz_classes classes = { "pktfuzz", cls_name, C_MAX };

/* Configuration: the receiver and the fabric. */
static uint32_t own_qpn, qkey;
static uint16_t own_lid, peer_lid = 2, pkey, mlid = 0xc000;
static uint8_t own_gid[16], peer_gid[16], mgid[16];
static uint8_t own_ip4[4], own_ip6[16];
static int mtu = 2048;

struct pkt {
	uint32_t dqpn, sqpn, qk;
	uint16_t dlid, slid, pk;
	uint8_t sl, grh_on;
	uint8_t grh[GRH_LEN];
	uint8_t data[4096 + SLACK];
	size_t len;
};


static uint32_t csum_add(uint32_t s, const uint8_t *p, size_t n)
{
	for (; n > 1; p += 2, n -= 2)
		s += (uint32_t)p[0] << 8 | p[1];
	if (n)
		s += (uint32_t)p[0] << 8;
	return s;
}

static uint16_t csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* A valid unicast packet from the peer, ready for a payload. */
static void pkt_init(struct pkt *p)
{
	memset(p, 0, offsetof(struct pkt, data));
	p->dqpn = own_qpn;
	p->sqpn = 2 + rnd(0x1000);
	p->qk = qkey;
	p->dlid = own_lid;
	p->slid = peer_lid;
	p->pk = pkey;
	p->len = 0;
}

static void grh_fill(uint8_t *g, const uint8_t *sgid, const uint8_t *dgid, size_t paylen)
{
	put32(g, 6u << 28 | rnd(0x100000));
	put16(g + 4, (unsigned)paylen + 12);
	g[6] = 0x1b;
	g[7] = rnd(2) ? 0 : 255;
	memcpy(g + 8, sgid, 16);
	memcpy(g + 24, dgid, 16);
}

/* A made-up host of our subnets, never a real peer's address. */
static void fake_ip4(uint8_t *a)
{
	memcpy(a, own_ip4, 3);
	a[3] = 100 + rnd(100);
}

static void fake_ip6(uint8_t *a)
{
	memcpy(a, own_ip6, 14);
	a[14] = 1;
	a[15] = rnd(256);
}

/* Random mutations of the first @hdr bytes (header fields) and the length. */
static void corrupt(struct pkt *p, size_t hdr)
{
	int i, n = 1 + rnd(3);

	for (i = 0; i < n; i++) {
		switch (rnd(4)) {
		case 0:		/* a random byte in the headers */
			if (hdr > 4)
				p->data[4 + rnd(hdr - 4)] = rnd(256);
			break;
		case 1:		/* a bit flip anywhere */
			if (p->len)
				p->data[rnd(p->len)] ^= 1u << rnd(8);
			break;
		case 2:		/* cut short */
			if (p->len > 4)
				p->len = 4 + rnd(p->len - 4);
			break;
		default:	/* trailing garbage, up to the MTU */
			if (p->len + 4 < (size_t)mtu) {
				size_t add = rnd(mtu - p->len - 4) % 512 + 1;

				rnd_bytes(p->data + p->len, add);
				p->len += add;
			}
		}
	}
}

static size_t rnd_datalen(size_t room)
{
	switch (rnd(10)) {
	case 0:
		return room;			/* exactly the MTU */
	case 1: case 2: case 3:
		return rnd(room + 1);
	default:
		return rnd(room < 128 ? room + 1 : 128);
	}
}

static void encap(struct pkt *p, unsigned proto)
{
	put16(p->data, proto);
	put16(p->data + 2, 0);
}

static void mk_ipv4(struct pkt *p, int allow_corrupt)
{
	uint8_t *ip = p->data + 4, *l4 = ip + 20;
	size_t room = mtu - 4 - 20 - 8, dl = rnd_datalen(room);
	uint8_t proto;
	size_t l4len;

	encap(p, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[8] = rnd(2) ? 64 : 1 + rnd(255);
	switch (rnd(4)) {
	case 0:
		proto = 1;	/* ICMP echo request */
		l4[0] = 8;
		l4[1] = 0;
		put16(l4 + 2, 0);
		put32(l4 + 4, rnd64());
		break;
	case 1:
		proto = 17;	/* UDP, no checksum */
		put16(l4, 1024 + rnd(60000));
		put16(l4 + 2, rnd(3) ? 9 + rnd(2000) : rnd(65536));
		put16(l4 + 4, (unsigned)(8 + dl));
		put16(l4 + 6, 0);
		break;
	case 2:
		proto = 6;	/* TCP segment, random flags */
		rnd_bytes(l4, 8);
		dl = dl < 12 ? 12 : dl;
		break;
	default:
		proto = rnd(256);
		rnd_bytes(l4, 8);
	}
	rnd_bytes(l4 + 8, dl);
	if (proto == 6) {
		l4[12] = 0x50;
		l4[13] = rnd(64);
	}
	l4len = 8 + dl;
	if (proto == 1)
		put16(l4 + 2, csum_fold(csum_add(0, l4, l4len)));
	ip[9] = proto;
	put16(ip + 2, (unsigned)(20 + l4len));
	put16(ip + 4, rnd(65536));
	if (!rnd(8))
		put16(ip + 6, rnd(65536));	/* fragments */
	fake_ip4(ip + 12);
	switch (rnd(4)) {
	case 0:
		memcpy(ip + 16, own_ip4, 3);	/* subnet broadcast */
		ip[19] = 255;
		break;
	case 1:
		put32(ip + 16, rnd(2) ? 0xe0000001 : 0xffffffff);
		break;
	default:
		memcpy(ip + 16, own_ip4, 4);
	}
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	p->len = 4 + 20 + l4len;
	if (allow_corrupt && rnd(2))
		corrupt(p, 4 + 20 + 8);
}

static void mk_ipv6(struct pkt *p, int allow_corrupt)
{
	uint8_t *ip = p->data + 4, *l4 = ip + 40;
	size_t room = mtu - 4 - 40 - 32, dl = rnd_datalen(room), l4len;
	uint32_t s;
	uint8_t nh;

	encap(p, 0x86dd);
	memset(ip, 0, 40);
	put32(ip, 6u << 28 | rnd(0x100000));
	fake_ip6(ip + 8);
	memcpy(ip + 24, own_ip6, 16);
	ip[7] = 64;
	switch (rnd(4)) {
	case 0:		/* echo request */
		nh = 58;
		l4[0] = 128;
		l4[1] = 0;
		put32(l4 + 4, rnd64());
		rnd_bytes(l4 + 8, dl);
		l4len = 8 + dl;
		break;
	case 1:		/* neighbour solicitation for us, with a garbage SLLA */
		nh = 58;
		ip[7] = 255;
		l4[0] = 135;
		l4[1] = 0;
		put32(l4 + 4, 0);
		memcpy(l4 + 8, own_ip6, 16);
		l4[24] = 1;
		l4[25] = 3;			/* 24 bytes: type, len, 20-byte addr, pad */
		rnd_bytes(l4 + 26, 22);
		l4len = 48;
		break;
	case 2:		/* UDP */
		nh = 17;
		put16(l4, 1024 + rnd(60000));
		put16(l4 + 2, rnd(65536));
		put16(l4 + 4, (unsigned)(8 + dl));
		put16(l4 + 6, 0);
		rnd_bytes(l4 + 8, dl);
		l4len = 8 + dl;
		break;
	default:	/* extension headers, no next header, anything */
		nh = rnd(2) ? (uint8_t[]){ 0, 43, 44, 59, 60 }[rnd(5)] : rnd(256);
		rnd_bytes(l4, 8 + dl);
		l4len = 8 + dl;
	}
	ip[6] = nh;
	put16(ip + 4, (unsigned)l4len);
	if (nh == 58) {
		uint8_t ph[8] = { 0 };

		put16(l4 + 2, 0);
		put32(ph, (uint32_t)l4len);
		ph[7] = 58;
		s = csum_add(0, ip + 8, 32);
		s = csum_add(s, ph, 8);
		put16(l4 + 2, csum_fold(csum_add(s, l4, l4len)));
	}
	p->len = 4 + 40 + l4len;
	if (allow_corrupt && rnd(2))
		corrupt(p, 4 + 40 + 8);
}

/* A garbage IPoIB hardware address: flags, QPN, GID. */
static void garbage_hw(uint8_t *hw)
{
	rnd_bytes(hw, 20);
	switch (rnd(4)) {
	case 0:		/* link-local GID of no port */
		put32(hw + 4, 0xfe800000);
		put32(hw + 8, 0);
		break;
	case 1:		/* a multicast GID */
		hw[4] = 0xff;
		break;
	case 2:		/* our own GID, a random QPN */
		memcpy(hw + 4, own_gid, 16);
		break;
	default:
		break;
	}
}

static void mk_arp(struct pkt *p, int garbage, int allow_corrupt)
{
	uint8_t *a = p->data + 4;

	encap(p, 0x0806);
	put16(a, 32);
	put16(a + 2, 0x0800);
	a[4] = 20;
	a[5] = 4;
	put16(a + 6, rnd(2) ? 1 : 2);
	if (garbage) {
		garbage_hw(a + 8);
	} else {
		put32(a + 8, rnd(0x1000000));
		memcpy(a + 12, peer_gid, 16);
	}
	fake_ip4(a + 28);
	put32(a + 32, own_qpn);
	memcpy(a + 36, own_gid, 16);
	memcpy(a + 52, own_ip4, 4);
	p->len = 4 + 56;
	if (!garbage && allow_corrupt && rnd(2)) {
		switch (rnd(3)) {
		case 0:
			a[4] = rnd(256);	/* hln */
			break;
		case 1:
			a[5] = rnd(256);	/* pln */
			break;
		default:
			put16(a + 6, rnd(65536));	/* op */
		}
		corrupt(p, 4 + 8);
	}
}

/* Some valid-looking payload. */
static void mk_any(struct pkt *p)
{
	switch (rnd(3)) {
	case 0:
		mk_ipv4(p, 1);
		break;
	case 1:
		mk_ipv6(p, 1);
		break;
	default:
		mk_arp(p, 0, 1);
	}
}

static void mk(struct pkt *p, enum cls c)
{
	pkt_init(p);
	switch (c) {
	case C_IPV4:
		mk_ipv4(p, 1);
		break;
	case C_IPV6:
		mk_ipv6(p, 1);
		break;
	case C_ARP:
		mk_arp(p, 0, 1);
		break;
	case C_ARP_GARBAGE:
		mk_arp(p, 1, 0);
		break;
	case C_ETHERTYPE: {
		unsigned t;

		do
			t = rnd(65536);
		while (t == 0x0800 || t == 0x86dd || t == 0x0806 || t == 0x8035);
		encap(p, t);
		p->len = 4 + rnd(rnd(4) ? 128 : mtu - 4 + 1);
		rnd_bytes(p->data + 4, p->len - 4);
		break;
	}
	case C_TRUNCATED:
		p->len = rnd(5);
		rnd_bytes(p->data, p->len);
		if (rnd(2) && p->len >= 2)
			put16(p->data, (unsigned[]){ 0x0800, 0x86dd, 0x0806 }[rnd(3)]);
		break;
	case C_OVERSIZE:
		mk_any(p);
		p->len = mtu + 1 + rnd(SLACK);
		rnd_bytes(p->data + 64, p->len - 64);
		break;
	case C_BAD_GRH:
		mk_any(p);
		p->grh_on = 1;
		switch (rnd(3)) {
		case 0:
			rnd_bytes(p->grh, GRH_LEN);
			break;
		case 1: {
			grh_fill(p->grh, peer_gid, own_gid, p->len);
			p->grh[0] = (p->grh[0] & 0x0f) | (rnd(16) << 4);
			break;
		}
		default: {
			uint8_t dgid[16];

			rnd_bytes(dgid, 16);
			if (rnd(2))
				dgid[0] = 0xff;	/* multicast, not our group */
			grh_fill(p->grh, peer_gid, dgid, p->len);
		}
		}
		break;
	case C_BAD_PKEY:
		mk_any(p);
		do
			p->pk = rnd(65536);
		while ((p->pk & 0x7fff) == (pkey & 0x7fff) && (p->pk & 0x7fff));
		break;
	case C_BAD_QKEY:
		mk_any(p);
		do
			p->qk = (uint32_t)rnd64();
		while (p->qk == qkey);
		break;
	case C_FORGED:
		mk_any(p);
		p->slid = (uint16_t[]){ 0, 1, 0xffff, 0xc000 + rnd(0x3fff), 100 + rnd(1000), own_lid }[rnd(6)];
		p->sqpn = (uint32_t[]){ 0, 1, MCAST_QPN, rnd(0x1000000), own_qpn }[rnd(5)];
		if (p->slid == own_lid && p->sqpn == own_qpn)
			p->sqpn ^= 1 + rnd(0xfff);	/* that is mcast_self's */
		break;
	case C_MCAST_SELF:
	case C_MCAST:
		if (rnd(2))
			mk_ipv4(p, 0);
		else
			mk_arp(p, 0, 0);
		p->dqpn = MCAST_QPN;
		p->dlid = mlid;
		p->grh_on = 1;
		if (c == C_MCAST_SELF) {
			p->slid = own_lid;
			p->sqpn = own_qpn;
			grh_fill(p->grh, own_gid, mgid, p->len);
		} else {
			uint8_t sgid[16];

			memcpy(sgid, peer_gid, 16);
			rnd_bytes(sgid + 8, rnd(2) ? 8 : 0);
			p->slid = rnd(2) ? peer_lid : rnd(65536);
			grh_fill(p->grh, sgid, mgid, p->len);
		}
		break;
	default:
		break;
	}
}

static int send_pkt(int fd, const struct pkt *p)
{
	static uint8_t buf[INJ_HDR_LEN + sizeof(p->data)];
	ssize_t n;

	memset(buf, 0, INJ_HDR_LEN);
	le32(buf, INJ_MAGIC);
	le32(buf + 4, p->dqpn);
	le32(buf + 8, p->sqpn);
	le32(buf + 12, p->qk);
	le16(buf + 16, p->dlid);
	le16(buf + 18, p->slid);
	le16(buf + 20, p->pk);
	buf[22] = p->sl;
	buf[23] = p->grh_on ? 1 : 0;
	memcpy(buf + 24, p->grh, GRH_LEN);
	memcpy(buf + INJ_HDR_LEN, p->data, p->len);
	n = write(fd, buf, INJ_HDR_LEN + p->len);
	return n == (ssize_t)(INJ_HDR_LEN + p->len) ? 0 : -1;
}

static void usage(void)
{
	fprintf(stderr, "usage: pktfuzz -f INJECT -q QPN -l LID -Q QKEY -P PKEY -s SEED -n COUNT\n"
		"       [-L PEER_LID] [-g OWN_GID] [-G PEER_GID] [-m MGID] [-M MLID]\n"
		"       [-4 OWN_IPV4] [-6 OWN_IPV6] [-u MTU] [-x CLASS,...] [-o CLASS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *file = NULL, *exclude = NULL, *only = NULL;
	unsigned long long seed = 1;
	long count = 0, sent = 0, failed = 0, per[C_MAX] = { 0 };
	int opt, fd, nen = 0, list[C_MAX];
	static struct pkt p;

	inet_pton(AF_INET, "10.11.0.2", own_ip4);
	inet_pton(AF_INET6, "fd11::2", own_ip6);
	while ((opt = getopt(argc, argv, "f:q:l:Q:P:s:n:L:g:G:m:M:4:6:u:x:o:")) != -1) {
		switch (opt) {
		case 'f': file = optarg; break;
		case 'q': own_qpn = strtoul(optarg, NULL, 0) & 0xffffff; break;
		case 'l': own_lid = strtoul(optarg, NULL, 0); break;
		case 'Q': qkey = strtoul(optarg, NULL, 0); break;
		case 'P': pkey = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': count = strtol(optarg, NULL, 0); break;
		case 'L': peer_lid = strtoul(optarg, NULL, 0); break;
		case 'g': if (parse_gid(optarg, own_gid)) usage(); break;
		case 'G': if (parse_gid(optarg, peer_gid)) usage(); break;
		case 'm': if (parse_gid(optarg, mgid)) usage(); break;
		case 'M': mlid = strtoul(optarg, NULL, 0); break;
		case '4': if (inet_pton(AF_INET, optarg, own_ip4) != 1) usage(); break;
		case '6': if (inet_pton(AF_INET6, optarg, own_ip6) != 1) usage(); break;
		case 'u': mtu = atoi(optarg); break;
		case 'x': exclude = optarg; break;
		case 'o': only = optarg; break;
		default: usage();
		}
	}
	if (!file || !own_qpn || !own_lid || !pkey || count <= 0 || mtu < 256 || mtu > 4096)
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
	for (; sent < count; sent++) {
		enum cls k = (enum cls)list[rnd(nen)];

		mk(&p, k);
		per[k]++;
		if (send_pkt(fd, &p)) {
			if (failed++ < 5)
				fprintf(stderr, "pktfuzz: packet %ld (%s, %zu bytes): %s\n", sent, cls_name[k],
					p.len, strerror(errno));
		}
	}
	close(fd);
	class_counts(&classes, per);
	printf("sent %ld failed %ld\n", sent, failed);
	return failed ? 1 : 0;
}
