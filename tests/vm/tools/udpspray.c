// SPDX-License-Identifier: GPL-2.0
/*
 * udpspray: 64-byte UDP datagrams to many IPv4 destinations, for the
 * scale bench (tests/bench/scale.sh) and test fabric_peers.
 *
 *   udpspray [-p PORT] [-s BYTES] ADDR N SECS
 *       send datagrams round-robin to the N consecutive addresses from
 *       ADDR (ADDR, ADDR+1, ..., wrapping) for SECS seconds, as fast as
 *       the socket takes them;
 *   udpspray [-p PORT] [-s BYTES] -1 ADDR N
 *       one datagram to each of the N addresses, then exit (warm-up).
 *
 * Prints "sent P errors E secs T pps R": P sendto() calls that succeeded,
 * E that failed (ENOBUFS, EAGAIN, ...: not retried), T the time taken
 * (CLOCK_MONOTONIC, guest time under instruction counting), R = P / T.
 * Exit status 0 unless the socket cannot be made or nothing was sent.
 * Built statically by tests/vm/mkroot.sh.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int usage(void)
{
	fprintf(stderr, "usage: udpspray [-p PORT] [-s BYTES] ADDR N SECS\n"
			"       udpspray [-p PORT] [-s BYTES] -1 ADDR N\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	unsigned long long sent = 0, errors = 0, k;
	char buf[1500] = { 0 };
	int s, c, once = 0, port = 9, size = 64;
	unsigned long n;
	uint32_t first;
	double secs = 0, t0, t, end;

	while ((c = getopt(argc, argv, "1p:s:")) != -1) {
		switch (c) {
		case '1': once = 1; break;
		case 'p': port = atoi(optarg); break;
		case 's': size = atoi(optarg); break;
		default: return usage();
		}
	}
	if (argc - optind != (once ? 2 : 3) || size < 0 || size > (int)sizeof(buf))
		return usage();
	if (inet_pton(AF_INET, argv[optind], &sa.sin_addr) != 1)
		return usage();
	first = ntohl(sa.sin_addr.s_addr);
	n = strtoul(argv[optind + 1], NULL, 0);
	if (!once)
		secs = atof(argv[optind + 2]);
	if (n == 0 || (!once && secs <= 0))
		return usage();
	sa.sin_port = htons(port);

	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0) {
		fprintf(stderr, "udpspray: socket: %s\n", strerror(errno));
		return 1;
	}
	t0 = now();
	end = t0 + secs;
	for (k = 0;; k++) {
		if (once && k == n)
			break;
		/* The clock every 64 sends: even a vDSO call costs under TCG. */
		if (!once && !(k & 63) && now() >= end)
			break;
		sa.sin_addr.s_addr = htonl(first + (uint32_t)(k % n));
		memcpy(buf, &k, sizeof(k) < (size_t)size ? sizeof(k) : (size_t)size);
		if (sendto(s, buf, size, 0, (struct sockaddr *)&sa, sizeof(sa)) == size)
			sent++;
		else
			errors++;
	}
	t = now() - t0;
	printf("sent %llu errors %llu secs %.3f pps %.0f\n", sent, errors, t,
	       t > 0 ? sent / t : 0.0);
	close(s);
	return sent ? 0 : 1;
}
