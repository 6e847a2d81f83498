// SPDX-License-Identifier: GPL-2.0
/*
 * vmagent: run commands on the other VM of a two-host boot (tests/vm/init
 * starts the server on host B; tests/vm/lib-2host.sh's `on B` is the client).
 *
 *   vmagent -l PORT                 serve: one request per TCP connection,
 *                                   each in its own process
 *   vmagent [-w SECS] HOST PORT CMD...
 *                                   run `sh -c "CMD..."` (the words joined
 *                                   by spaces) on the server, stdin from
 *                                   /dev/null; its stdout and stderr come
 *                                   back to ours, kept apart; exits with the
 *                                   command's status (128+N if killed by
 *                                   signal N)
 *   vmagent [-w SECS] -p HOST PORT DST
 *                                   copy stdin to the file DST on the server
 *
 * HOST is an address literal; -w bounds the connect (default 10 s). Exits 255 with a message if the
 * server cannot be reached or the connection breaks before the status came.
 * A command ends when its shell exits: what it left running in the
 * background keeps running, and output it writes after that is dropped. If
 * the client goes away first (killed by a timeout), the command's process
 * group is killed.
 *
 * Wire: request = type ('C' command, 'P' put), 32-bit big-endian length,
 * that many bytes (the command or DST); a put then streams the file until
 * the client shuts down its sending side. Reply = frames of type (1 stdout,
 * 2 stderr, 'x' exit status), 32-bit big-endian length, data; the exit
 * frame carries the status as 32-bit big-endian and is the last.
 *
 * Built statically by tests/vm/mkroot.sh.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define FRAME_OUT	1
#define FRAME_ERR	2
#define FRAME_EXIT	'x'
#define MAX_REQ		(1 << 20)	/* a command line or a path */

static const char *prog = "vmagent";

static void die(int code, const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(code);
}

static int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

/* 0 on success, -1 on error or on EOF before n bytes. */
static int read_all(int fd, void *buf, size_t n)
{
	char *p = buf;

	while (n > 0) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= r;
	}
	return 0;
}

static int send_frame(int s, int type, const void *data, uint32_t len)
{
	unsigned char h[5];

	h[0] = type;
	h[1] = len >> 24;
	h[2] = len >> 16;
	h[3] = len >> 8;
	h[4] = len;
	if (write_all(s, h, sizeof(h)))
		return -1;
	return write_all(s, data, len);
}

static int recv_header(int s, int *type, uint32_t *len)
{
	unsigned char h[5];

	if (read_all(s, h, sizeof(h)))
		return -1;
	*type = h[0];
	*len = (uint32_t)h[1] << 24 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 8 | h[4];
	return 0;
}

static int send_status(int s, int status)
{
	unsigned char b[4] = { status >> 24, status >> 16, status >> 8, status };

	return send_frame(s, FRAME_EXIT, b, 4);
}

/* An error of the server's own, reported as the command's stderr and status 1. */
static void serve_error(int s, const char *what, const char *arg)
{
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "vmagent server: %s %s: %s\n", what, arg, strerror(errno));

	send_frame(s, FRAME_ERR, msg, n < (int)sizeof(msg) ? n : (int)sizeof(msg) - 1);
	send_status(s, 1);
}

static void serve_put(int s, const char *dst)
{
	static char buf[1 << 16];
	int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0) {
		serve_error(s, "open", dst);
		return;
	}
	for (;;) {
		ssize_t n = read(s, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return; /* the client is gone */
		}
		if (n == 0)
			break;
		if (write_all(fd, buf, n)) {
			serve_error(s, "write", dst);
			close(fd);
			return;
		}
	}
	if (close(fd)) {
		serve_error(s, "close", dst);
		return;
	}
	send_status(s, 0);
}

/*
 * Forwards one read of a pipe as a frame: 2 if it had data, 1 if none for
 * now, 0 at EOF (the pipe is closed then).
 */
static int forward(int s, int *fd, int type, int *client_gone)
{
	static char buf[1 << 16];
	ssize_t n = read(*fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		return 0;
	}
	if (!*client_gone && send_frame(s, type, buf, n))
		*client_gone = 1;
	return 2;
}

static void serve_command(int s, const char *cmd)
{
	int out[2], err[2], status, exited = 0, client_gone = 0;
	pid_t pid;

	if (pipe(out) || pipe(err)) {
		serve_error(s, "pipe", "");
		return;
	}
	pid = fork();
	if (pid < 0) {
		serve_error(s, "fork", "");
		return;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		/* Its own group: a client that goes away takes all of it down. */
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		if (null < 0 || dup2(null, 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
			_exit(127);
		close(null);
		close(out[0]);
		close(out[1]);
		close(err[0]);
		close(err[1]);
		close(s);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	setpgid(pid, pid);
	while (!exited) {
		struct pollfd p[3] = {
			{ .fd = out[0], .events = POLLIN },
			{ .fd = err[0], .events = POLLIN },
			{ .fd = s, .events = POLLIN },
		};
		pid_t w;

		/* The client sends nothing after its request: readable means gone. */
		if (client_gone)
			p[2].fd = -1;
		/* Both pipes at EOF: the shell is about to exit, look soon. */
		if (poll(p, 3, out[0] < 0 && err[0] < 0 ? 5 : 100) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			forward(s, &out[0], FRAME_OUT, &client_gone);
		if (p[1].revents)
			forward(s, &err[0], FRAME_ERR, &client_gone);
		if (p[2].revents)
			client_gone = 1;
		if (client_gone)
			kill(-pid, SIGKILL);
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			exited = 1;
		else if (w < 0 && errno != EINTR)
			break;
	}
	/*
	 * The shell is gone: what it wrote is in the pipes. Take that, but do
	 * not wait for background processes that inherited them.
	 */
	if (out[0] >= 0)
		fcntl(out[0], F_SETFL, O_NONBLOCK);
	if (err[0] >= 0)
		fcntl(err[0], F_SETFL, O_NONBLOCK);
	while (out[0] >= 0 && forward(s, &out[0], FRAME_OUT, &client_gone) == 2)
		;
	while (err[0] >= 0 && forward(s, &err[0], FRAME_ERR, &client_gone) == 2)
		;
	if (out[0] >= 0)
		close(out[0]);
	if (err[0] >= 0)
		close(err[0]);
	if (client_gone)
		return;
	if (!exited)
		status = 255 << 8;
	send_status(s, WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status));
}

static void serve_one(int s)
{
	uint32_t len;
	int type;
	char *req;

	if (recv_header(s, &type, &len) || len > MAX_REQ)
		return;
	req = malloc(len + 1);
	if (!req || read_all(s, req, len))
		return;
	req[len] = 0;
	if (type == 'C')
		serve_command(s, req);
	else if (type == 'P')
		serve_put(s, req);
}

static int serve(const char *port)
{
	struct sockaddr_in6 a = { 0 };
	int s, one = 1;

	s = socket(AF_INET6, SOCK_STREAM, 0);
	if (s < 0)
		die(1, "socket");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin6_family = AF_INET6;
	a.sin6_port = htons(atoi(port));
	a.sin6_addr = in6addr_any;
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 16))
		die(1, "bind/listen");
	/* Connection processes reap themselves; each waits for its own command. */
	signal(SIGCHLD, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		int c = accept(s, NULL, NULL);
		pid_t pid;

		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die(1, "accept");
		}
		pid = fork();
		if (pid == 0) {
			close(s);
			signal(SIGCHLD, SIG_DFL);
			setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			serve_one(c);
			close(c);
			_exit(0);
		}
		close(c);
	}
}

/* HOST is an IPv4 or IPv6 literal (no resolver in a static binary). */
static int connect_to(const char *host, const char *port, int secs)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	socklen_t len, elen = sizeof(int);
	struct pollfd p;
	int s, e, rc;

	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(atoi(port));
		len = sizeof(*a4);
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(atoi(port));
		len = sizeof(*a6);
	} else {
		fprintf(stderr, "%s: not an address: %s\n", prog, host);
		exit(255);
	}
	s = socket(ss.ss_family, SOCK_STREAM, 0);
	if (s < 0)
		die(255, "socket");
	fcntl(s, F_SETFL, O_NONBLOCK);
	if (connect(s, (struct sockaddr *)&ss, len) && errno != EINPROGRESS)
		goto fail;
	p.fd = s;
	p.events = POLLOUT;
	rc = poll(&p, 1, secs * 1000);
	if (rc == 0) {
		fprintf(stderr, "%s: connect to %s port %s: no answer in %d s\n", prog, host, port, secs);
		exit(255);
	}
	if (rc < 0 || getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &elen))
		goto fail;
	if (e) {
		errno = e;
		goto fail;
	}
	fcntl(s, F_SETFL, 0);
	return s;
fail:
	fprintf(stderr, "%s: connect to %s port %s: %s\n", prog, host, port, strerror(errno));
	exit(255);
}

static void send_request(int s, int type, const char *req)
{
	if (send_frame(s, type, req, strlen(req)))
		die(255, "sending the request");
}

/* Reads reply frames until the exit status; returns it. */
static int client_replies(int s)
{
	static char buf[1 << 16];

	for (;;) {
		uint32_t len;
		int type;

		if (recv_header(s, &type, &len)) {
			fprintf(stderr, "%s: connection closed before the exit status\n", prog);
			exit(255);
		}
		if (type == FRAME_EXIT && len == 4) {
			unsigned char b[4];

			if (read_all(s, b, 4))
				break;
			return b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
		}
		if ((type != FRAME_OUT && type != FRAME_ERR) || len > sizeof(buf))
			break;
		if (read_all(s, buf, len))
			break;
		/* A closed stdout (| head) must not stop the stderr or the status. */
		write_all(type == FRAME_OUT ? 1 : 2, buf, len);
	}
	fprintf(stderr, "%s: broken reply from the server\n", prog);
	exit(255);
}

static void usage(void)
{
	fprintf(stderr, "usage: vmagent -l PORT | vmagent [-w SECS] HOST PORT CMD... | "
		"vmagent [-w SECS] -p HOST PORT DST <FILE\n");
	exit(255);
}

int main(int argc, char **argv)
{
	int secs = 10, put = 0, s, i;
	size_t len = 0;
	char *cmd;

	signal(SIGPIPE, SIG_IGN);
	if (argc == 3 && !strcmp(argv[1], "-l"))
		return serve(argv[2]);
	argv++;
	argc--;
	for (; argc > 0 && argv[0][0] == '-'; argv++, argc--) {
		if (!strcmp(argv[0], "-w") && argc > 1) {
			secs = atoi(argv[1]);
			argv++;
			argc--;
		} else if (!strcmp(argv[0], "-p")) {
			put = 1;
		} else {
			usage();
		}
	}
	if (put) {
		static char buf[1 << 16];

		if (argc != 3)
			usage();
		s = connect_to(argv[0], argv[1], secs);
		send_request(s, 'P', argv[2]);
		for (;;) {
			ssize_t n = read(0, buf, sizeof(buf));

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				die(255, "reading stdin");
			if (n == 0)
				break;
			if (write_all(s, buf, n))
				die(255, "sending");
		}
		if (shutdown(s, SHUT_WR))
			die(255, "shutdown");
		return client_replies(s);
	}
	if (argc < 3)
		usage();
	for (i = 2; i < argc; i++)
		len += strlen(argv[i]) + 1;
	cmd = malloc(len);
	if (!cmd)
		die(255, "malloc");
	cmd[0] = 0;
	for (i = 2; i < argc; i++) {
		if (i > 2)
			strcat(cmd, " ");
		strcat(cmd, argv[i]);
	}
	s = connect_to(argv[0], argv[1], secs);
	send_request(s, 'C', cmd);
	return client_replies(s);
}
