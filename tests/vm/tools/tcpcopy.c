// SPDX-License-Identifier: GPL-2.0
/*
 * tcpcopy: move a byte stream over one TCP connection, whole (busybox nc
 * closes at the end of its input before the data is through).
 *
 *   tcpcopy -l PORT >FILE     accept one connection, copy it to stdout
 *                             until the peer closes, then exit
 *   tcpcopy ADDR PORT <FILE   connect (IPv4 or IPv6 literal), send stdin,
 *                             shut down the sending side and wait for the
 *                             receiver to close, so that exit 0 means it
 *                             read everything
 *
 * Exits 1 with a message on any error. Built statically by
 * tests/vm/mkroot.sh.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "tcpcopy: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Copies in to out until EOF. */
static void pump(int in, int out)
{
	static char buf[1 << 16];

	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		char *p = buf;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("read");
		if (n == 0)
			return;
		while (n > 0) {
			ssize_t w = write(out, p, n);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				die("write");
			p += w;
			n -= w;
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int s, one = 1;

	if (argc == 3 && !strcmp(argv[1], "-l")) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		int c;

		s = socket(AF_INET6, SOCK_STREAM, 0);
		if (s < 0)
			die("socket");
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(atoi(argv[2]));
		a->sin6_addr = in6addr_any;
		if (bind(s, (struct sockaddr *)a, sizeof(*a)) || listen(s, 1))
			die("bind/listen");
		c = accept(s, NULL, NULL);
		if (c < 0)
			die("accept");
		pump(c, 1);
		close(c);
		return 0;
	}
	if (argc == 3) {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
		char c;

		if (inet_pton(AF_INET, argv[1], &a4->sin_addr) == 1) {
			a4->sin_family = AF_INET;
			a4->sin_port = htons(atoi(argv[2]));
			len = sizeof(*a4);
		} else if (inet_pton(AF_INET6, argv[1], &a6->sin6_addr) == 1) {
			a6->sin6_family = AF_INET6;
			a6->sin6_port = htons(atoi(argv[2]));
			len = sizeof(*a6);
		} else {
			fprintf(stderr, "tcpcopy: not an address: %s\n", argv[1]);
			return 1;
		}
		s = socket(ss.ss_family, SOCK_STREAM, 0);
		if (s < 0)
			die("socket");
		if (connect(s, (struct sockaddr *)&ss, len))
			die("connect");
		pump(0, s);
		if (shutdown(s, SHUT_WR))
			die("shutdown");
		/* The receiver closes after reading our FIN: everything arrived. */
		if (read(s, &c, 1) != 0)
			die("waiting for the receiver to close");
		close(s);
		return 0;
	}
	fprintf(stderr, "usage: tcpcopy -l PORT >FILE | tcpcopy ADDR PORT <FILE\n");
	return 1;
}
