// SPDX-License-Identifier: GPL-2.0
/*
 * mcudp: IPv4 multicast UDP for the VM tests (busybox nc has no UDP and
 * iperf3 no multicast).
 *
 *   mcudp listen GROUP PORT IFNAME SECS [COUNT]
 *       join GROUP on IFNAME (IP_ADD_MEMBERSHIP: the kernel adds it to the
 *       device's multicast list), print "joined", receive on PORT until
 *       SECS pass or COUNT datagrams came, print "received N", leave.
 *   mcudp send GROUP PORT IFNAME COUNT
 *       send COUNT datagrams to GROUP:PORT out of IFNAME, 50 ms apart
 *       (TTL 1, no loopback), print "sent N".
 *
 * Exit status 0 unless a socket call fails. Built statically by
 * tests/vm/mkroot.sh.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "mcudp: %s: %s\n", what, strerror(errno));
	return 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct ip_mreqn mr = { 0 };
	unsigned int ifindex;
	int s, port;

	if (argc < 6 || (strcmp(argv[1], "listen") && strcmp(argv[1], "send"))) {
		fprintf(stderr, "usage: mcudp listen GROUP PORT IFNAME SECS [COUNT]\n"
				"       mcudp send GROUP PORT IFNAME COUNT\n");
		return 2;
	}
	if (inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1) {
		fprintf(stderr, "mcudp: bad group %s\n", argv[2]);
		return 2;
	}
	port = atoi(argv[3]);
	sa.sin_port = htons(port);
	ifindex = if_nametoindex(argv[4]);
	if (!ifindex)
		return die(argv[4]);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		return die("socket");

	mr.imr_multiaddr = sa.sin_addr;
	mr.imr_ifindex = ifindex;
	if (!strcmp(argv[1], "send")) {
		int n = atoi(argv[5]), i, sent = 0;
		unsigned char ttl = 1, loop = 0;
		char msg[32];

		if (setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) ||
		    setsockopt(s, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) ||
		    setsockopt(s, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop)))
			return die("setsockopt");
		for (i = 0; i < n; i++) {
			int len = snprintf(msg, sizeof(msg), "mcudp %d", i);

			if (sendto(s, msg, len, 0, (struct sockaddr *)&sa, sizeof(sa)) == len)
				sent++;
			usleep(50000);
		}
		printf("sent %d\n", sent);
		return 0;
	} else {
		double end = now() + atof(argv[5]);
		int want = argc > 6 ? atoi(argv[6]) : 0, got = 0, one = 1;
		struct sockaddr_in any = sa;

		any.sin_addr.s_addr = htonl(INADDR_ANY);
		if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
			return die("SO_REUSEADDR");
		if (bind(s, (struct sockaddr *)&any, sizeof(any)))
			return die("bind");
		if (setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)))
			return die("IP_ADD_MEMBERSHIP");
		printf("joined\n");
		fflush(stdout);
		while (!want || got < want) {
			double left = end - now();
			struct timeval tv;
			char buf[2048];

			if (left <= 0)
				break;
			tv.tv_sec = (time_t)left;
			tv.tv_usec = (suseconds_t)((left - tv.tv_sec) * 1e6);
			setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			if (recv(s, buf, sizeof(buf), 0) > 0)
				got++;
		}
		printf("received %d\n", got);
		close(s);
		return 0;
	}
}
