// SPDX-License-Identifier: GPL-2.0
/*
 * ctlfuzz: random control-plane requests at an IPoIB interface and its
 * children, the three ways users configure one: sysfs writes, rtnl link
 * requests and ethtool ioctls. For the control-plane fuzz test
 * (tests/vm/tests/fuzz_control.sh).
 *
 *   ctlfuzz [-s SEED] [-n COUNT] [-d PARENT] [-c MAXCHILDREN] [-D]
 *
 * -D: no rtnl request asks for connected mode (an IFLA_IPOIB_MODE of 1 is
 * sent as 0; the generator's draws stay the same). For in-tree 6.1, whose
 * ipoib_set_mode() drops rtnl inside the rtnetlink request to flush its
 * paths and, when its rtnl_trylock() then fails (another task took rtnl
 * in the window), returns -EBUSY with rtnl released: the rtnetlink core
 * then unlocks a mutex another task holds. A check-fresh run caught it as
 * "RTNL: assertion failed" in in-tree's ipoib_vlan_delete_task.
 *
 * Each request is drawn from a seeded generator (the same seed gives the
 * same sequence, for any driver):
 *   sysfs   create_child, delete_child, mode, umcast, mtu of the parent or
 *           of a child, written with a number (edge values and random
 *           ones), a word, or random bytes;
 *   rtnl    RTM_NEWLINK type ipoib on the parent or on another ifindex,
 *           with IFLA_IPOIB_PKEY/MODE/UMCAST of random lengths and values
 *           and unknown attributes; changelink of a child; RTM_DELLINK;
 *   ethtool SIOCETHTOOL set and get commands (coalesce, rings, channels,
 *           legacy offload toggles, features, string sets, stats) with
 *           random fields.
 * Children it made are named fz<N>; at most MAXCHILDREN (4) live at once,
 * and all are deleted at the end.
 * Every request must return within 10 s and fail, if it fails, with an
 * errno a user may see: a kernel-internal one (ENOTSUPP 524, ERESTARTSYS
 * 512, ...) or EFAULT (our buffers are valid) is counted as bad. Prints
 * per-kind counts and errno histograms; exits 1 if any request was bad.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift64*: deterministic for a seed, the same on every build. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static uint32_t below(uint32_t n) { return n ? rnd() % n : 0; }

/* A number a user might write: edge values mostly, random ones sometimes. */
static uint32_t num(void)
{
	static const uint32_t edge[] = { 0, 1, 2, 0x7fff, 0x8000, 0x8001, 0x8002, 0x8003, 0xfffe, 0xffff,
					 0x10000, 0x18001, 68, 1280, 2044, 4092, 65520, 65521,
					 128, 256, 512, 8192, 8193, 16, 17, 0x7fffffff, 0xffffffff };
	if (below(4))
		return edge[below(sizeof(edge) / sizeof(edge[0]))];
	return rnd() >> below(32);
}

enum kind { K_SYSFS, K_RTNL, K_ETHTOOL, K_NR };
static const char *const kind_name[K_NR] = { "sysfs", "rtnl", "ethtool" };
static long count[K_NR], okc[K_NR], errc[K_NR][4096], bad;

static const char *parent;
static int parent_ifindex, max_children = 4;
static int children[64], nchildren, child_seq;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void record(enum kind k, int err, double t0, const char *what)
{
	double dt = now() - t0;
	count[k]++;
	if (!err)
		okc[k]++;
	else if (err > 0 && err < 4096)
		errc[k][err]++;
	/* Kernel-internal codes sit between 512 and 529; EFAULT means a copy went wrong. */
	if ((err >= 512 && err < 530) || err == EFAULT || err < 0 || dt > 10.0) {
		bad++;
		printf("# BAD %s: %s: errno %d (%s), %.1f s\n", kind_name[k], what, err, strerror(err), dt);
	}
}

/* The interface a request goes to: the parent, or one of the children. */
static void pick_dev(char *name, size_t len)
{
	if (nchildren && below(2)) {
		char buf[IF_NAMESIZE];
		int idx = children[below(nchildren)];
		if (if_indextoname(idx, buf)) {
			snprintf(name, len, "%s", buf);
			return;
		}
	}
	snprintf(name, len, "%s", parent);
}

/* The parent's children as they are now, however made (iflink names the parent). */
static void refresh_children(void)
{
	struct if_nameindex *all = if_nameindex(), *i;

	nchildren = 0;
	if (!all)
		return;
	for (i = all; i->if_index; i++) {
		char path[96], buf[32];
		int fd;
		ssize_t len;

		if ((int)i->if_index == parent_ifindex)
			continue;
		snprintf(path, sizeof(path), "/sys/class/net/%s/iflink", i->if_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = 0;
		if (atoi(buf) == parent_ifindex && nchildren < (int)(sizeof(children) / sizeof(children[0])))
			children[nchildren++] = i->if_index;
	}
	if_freenameindex(all);
}

/* ---- sysfs ---- */

static void do_sysfs(void)
{
	static const char *const attr[] = { "create_child", "delete_child", "mode", "umcast", "mtu" };
	static const char *const words[] = { "connected", "datagram", "connected\n", "datagram\n", "", "\n",
					     "0x8001", "-1", "+5", "0x", "1 2", "CONNECTED", "datagramX" };
	char dev[IF_NAMESIZE], path[128], val[80], what[256];
	const char *a = attr[below(sizeof(attr) / sizeof(attr[0]))];
	size_t len;
	int fd, err = 0;
	double t0;

	pick_dev(dev, sizeof(dev));
	/* Children may be made only while fewer than the cap are alive. */
	if (!strcmp(a, "create_child") && nchildren >= max_children)
		a = "delete_child";
	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", dev, a);
	switch (below(4)) {
	case 0:
	case 1:
		len = snprintf(val, sizeof(val), below(2) ? "0x%x\n" : "%u\n", num());
		break;
	case 2:
		len = snprintf(val, sizeof(val), "%s", words[below(sizeof(words) / sizeof(words[0]))]);
		break;
	default:
		len = below(sizeof(val));
		for (size_t i = 0; i < len; i++)
			val[i] = (char)rnd();
		break;
	}
	snprintf(what, sizeof(what), "write %zu bytes to %s", len, path);
	t0 = now();
	fd = open(path, O_WRONLY);
	if (fd < 0) {
		err = errno;
	} else {
		if (write(fd, val, len) < 0)
			err = errno;
		close(fd);
	}
	record(K_SYSFS, err, t0, what);
	if (!err && (!strcmp(a, "create_child") || !strcmp(a, "delete_child")))
		refresh_children();
}

/* ---- rtnl ---- */

struct req {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	char buf[1024];
};

static struct rtattr *attr_put(struct nlmsghdr *nh, unsigned short type, const void *data, int len)
{
	struct rtattr *rta = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));
	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
	return rta;
}

static void attr_end(struct nlmsghdr *nh, struct rtattr *nest)
{
	nest->rta_len = (char *)nh + nh->nlmsg_len - (char *)nest;
}

static int nl_talk(int fd, struct nlmsghdr *nh)
{
	char ack[8192];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	ssize_t n;

	nh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (sendto(fd, nh, nh->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return errno;
	for (;;) {
		n = recv(fd, ack, sizeof(ack), 0);
		if (n < 0)
			return errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *)ack; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_ERROR)
				return -((struct nlmsgerr *)NLMSG_DATA(h))->error;
		}
	}
}

static int no_rtnl_connected; /* -D */

static void ipoib_data(struct nlmsghdr *nh)
{
	struct rtattr *li = attr_put(nh, IFLA_LINKINFO, NULL, 0);
	attr_put(nh, IFLA_INFO_KIND, "ipoib", below(8) ? 6 : 5 /* sometimes unterminated */);
	if (below(5)) {
		struct rtattr *data = attr_put(nh, IFLA_INFO_DATA, NULL, 0);
		int n = below(4);
		for (int i = 0; i < n; i++) {
			unsigned short type = below(6) ? IFLA_IPOIB_PKEY + below(3) : below(8);
			uint32_t v = num();
			int len = below(4) ? 2 : below(9);
			unsigned char bytes[8];
			memcpy(bytes, &v, 4);
			memcpy(bytes + 4, &v, 4);
			if (type == IFLA_IPOIB_MODE && len == 2 && below(2))
				v = below(3), memcpy(bytes, &v, 2);
			if (no_rtnl_connected && type == IFLA_IPOIB_MODE && len >= 2 &&
			    (bytes[0] | bytes[1] << 8) == 1)
				bytes[0] = 0;
			attr_put(nh, type, bytes, len);
		}
		attr_end(nh, data);
	}
	attr_end(nh, li);
}

static void do_rtnl(int fd)
{
	struct req r;
	char what[128], name[IF_NAMESIZE];
	int op = below(8), err;
	double t0;

	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r.ifi.ifi_family = AF_UNSPEC;
	refresh_children();
	if (op < 4 && nchildren < max_children) {
		/* newlink on the parent (mostly) or on another interface */
		int link = below(6) ? parent_ifindex : (int)below(8);
		r.nh.nlmsg_type = RTM_NEWLINK;
		r.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
		snprintf(name, sizeof(name), "fz%d", child_seq++);
		attr_put(&r.nh, IFLA_IFNAME, name, strlen(name) + 1);
		attr_put(&r.nh, IFLA_LINK, &link, 4);
		if (below(4) == 0) {
			uint32_t mtu = num();
			attr_put(&r.nh, IFLA_MTU, &mtu, 4);
		}
		ipoib_data(&r.nh);
		snprintf(what, sizeof(what), "newlink %s link %d", name, link);
	} else if (op < 6 && nchildren) {
		/* changelink of a child, or of the parent */
		r.nh.nlmsg_type = RTM_NEWLINK;
		r.ifi.ifi_index = below(3) ? children[below(nchildren)] : parent_ifindex;
		ipoib_data(&r.nh);
		snprintf(what, sizeof(what), "changelink ifindex %d", r.ifi.ifi_index);
	} else if (nchildren) {
		r.nh.nlmsg_type = RTM_DELLINK;
		r.ifi.ifi_index = below(8) ? children[below(nchildren)] : parent_ifindex;
		snprintf(what, sizeof(what), "dellink ifindex %d", r.ifi.ifi_index);
	} else {
		r.nh.nlmsg_type = RTM_NEWLINK;
		r.ifi.ifi_index = parent_ifindex;
		ipoib_data(&r.nh);
		snprintf(what, sizeof(what), "changelink parent");
	}
	t0 = now();
	err = nl_talk(fd, &r.nh);
	/*
	 * dellink of the parent: the in-tree driver's dellink ignores a
	 * parent and reports success (ours does the same); either way the
	 * parent must still be there.
	 */
	if (r.nh.nlmsg_type == RTM_DELLINK && r.ifi.ifi_index == parent_ifindex &&
	    if_nametoindex(parent) != (unsigned int)parent_ifindex) {
		printf("# BAD rtnl: dellink removed the parent\n");
		bad++;
	}
	record(K_RTNL, err, t0, what);
	if (!err)
		refresh_children();
}

/* ---- ethtool ---- */

/* A set starts from the current values (zeros if the get fails). */
static void get_current(int fd, struct ifreq *ifr, uint32_t cmd, void *buf, size_t len)
{
	memset(buf, 0, len);
	memcpy(buf, &cmd, sizeof(cmd));
	if (ioctl(fd, SIOCETHTOOL, ifr) < 0)
		memset(buf, 0, len);
}

static void do_ethtool(int fd)
{
	union {
		struct ethtool_coalesce c;
		struct ethtool_ringparam r;
		struct ethtool_channels ch;
		struct ethtool_value v;
		struct ethtool_drvinfo d;
		struct ethtool_gstrings s;
		struct ethtool_sset_info si;
		struct ethtool_stats st;
		struct ethtool_sfeatures sf;
		struct ethtool_gfeatures gf;
		uint32_t words[4096];
	} u;
	static const uint32_t cmds[] = { ETHTOOL_SCOALESCE, ETHTOOL_SRINGPARAM, ETHTOOL_SCHANNELS,
					 ETHTOOL_SGSO, ETHTOOL_STSO, ETHTOOL_SSG, ETHTOOL_SRXCSUM,
					 ETHTOOL_STXCSUM, ETHTOOL_SGRO, ETHTOOL_SFEATURES, ETHTOOL_GSTRINGS,
					 ETHTOOL_GSSET_INFO, ETHTOOL_GSTATS, ETHTOOL_GDRVINFO, ETHTOOL_GCOALESCE,
					 ETHTOOL_GRINGPARAM, ETHTOOL_GCHANNELS, ETHTOOL_GFEATURES, ETHTOOL_GLINK };
	struct ifreq ifr;
	char what[128];
	uint32_t cmd = cmds[below(sizeof(cmds) / sizeof(cmds[0]))];
	int err = 0;
	double t0;

	memset(&u, 0, sizeof(u));
	memset(&ifr, 0, sizeof(ifr));
	pick_dev(ifr.ifr_name, sizeof(ifr.ifr_name));
	ifr.ifr_data = (void *)&u;
	/* Get first where a set needs the current values, then randomise some fields. */
	switch (cmd) {
	case ETHTOOL_SCOALESCE:
		get_current(fd, &ifr, ETHTOOL_GCOALESCE, &u, sizeof(u));
		u.c.rx_coalesce_usecs = below(2) ? num() : below(100);
		u.c.rx_max_coalesced_frames = below(2) ? num() : below(100);
		if (!below(4))
			u.c.use_adaptive_rx_coalesce = below(3);
		if (!below(6))
			u.c.tx_coalesce_usecs = num();
		break;
	case ETHTOOL_SRINGPARAM:
		get_current(fd, &ifr, ETHTOOL_GRINGPARAM, &u, sizeof(u));
		if (below(2))
			u.r.rx_pending = below(2) ? num() : 64u << below(9);
		if (below(2))
			u.r.tx_pending = below(2) ? num() : 64u << below(9);
		if (!below(8))
			u.r.rx_mini_pending = num();
		break;
	case ETHTOOL_SCHANNELS:
		get_current(fd, &ifr, ETHTOOL_GCHANNELS, &u, sizeof(u));
		u.ch.tx_count = below(2) ? below(20) : num();
		if (!below(6))
			u.ch.rx_count = below(4);
		if (!below(6))
			u.ch.combined_count = below(4);
		break;
	case ETHTOOL_SFEATURES:
		u.sf.size = below(4);
		for (uint32_t i = 0; i < u.sf.size; i++) {
			u.sf.features[i].valid = rnd() & rnd();
			u.sf.features[i].requested = rnd();
		}
		break;
	case ETHTOOL_GSTRINGS:
		u.s.string_set = below(24);
		u.s.len = below(4) ? 0 : below(64);
		break;
	case ETHTOOL_GSSET_INFO:
		u.si.sset_mask = rnd() | ((uint64_t)rnd() << 32);
		break;
	case ETHTOOL_GSTATS:
		u.st.n_stats = below(40);
		break;
	case ETHTOOL_GFEATURES:
		u.gf.size = below(4);
		break;
	default:
		u.v.data = below(4) ? below(2) : num();
		break;
	}
	u.words[0] = cmd;
	snprintf(what, sizeof(what), "ethtool cmd 0x%x on %s", cmd, ifr.ifr_name);
	t0 = now();
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		err = errno;
	record(K_ETHTOOL, err, t0, what);
}

int main(int argc, char **argv)
{
	long n = 1000, seed = 1;
	int opt, nl, sk;

	parent = "ib0";
	while ((opt = getopt(argc, argv, "s:n:d:c:D")) != -1) {
		switch (opt) {
		case 'D': no_rtnl_connected = 1; break;
		case 's': seed = atol(optarg); break;
		case 'n': n = atol(optarg); break;
		case 'd': parent = optarg; break;
		case 'c': max_children = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: ctlfuzz [-s SEED] [-n COUNT] [-d PARENT] [-c MAXCHILDREN] [-D]\n");
			return 2;
		}
	}
	if (max_children > 32)
		max_children = 32;
	rng_state = 0x9e3779b97f4a7c15ULL ^ (uint64_t)seed;
	parent_ifindex = if_nametoindex(parent);
	if (!parent_ifindex) {
		perror(parent);
		return 2;
	}
	nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (nl < 0 || sk < 0) {
		perror("socket");
		return 2;
	}
	refresh_children();
	for (long i = 0; i < n; i++) {
		switch (below(3)) {
		case K_SYSFS: do_sysfs(); break;
		case K_RTNL: do_rtnl(nl); break;
		default: do_ethtool(sk); break;
		}
	}
	/* Every child goes, whichever way it was made. */
	refresh_children();
	for (int i = 0; i < nchildren; i++) {
		struct req r;
		memset(&r, 0, sizeof(r));
		r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
		r.nh.nlmsg_type = RTM_DELLINK;
		r.ifi.ifi_index = children[i];
		int err = nl_talk(nl, &r.nh);
		if (err) {
			printf("# BAD cleanup: dellink ifindex %d: %s\n", children[i], strerror(err));
			bad++;
		}
	}
	for (int k = 0; k < K_NR; k++) {
		printf("%s: %ld requests, %ld ok", kind_name[k], count[k], okc[k]);
		for (int e = 1; e < 4096; e++)
			if (errc[k][e])
				printf(", %s %ld", strerrorname_np(e) ? strerrorname_np(e) : "?", errc[k][e]);
		printf("\n");
	}
	printf("bad: %ld\n", bad);
	return bad ? 1 : 0;
}
