/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhostu-ctl: vhostu-fwd's shell from another process, over its command
 * socket (the protocol is in cmd_sock.h).
 *   vhostu-ctl [-s SOCKET] COMMAND...  one command (its words joined): its
 *                                     output, exit status 1 if it failed
 *   vhostu-ctl [-s SOCKET] exec FILE   the commands of FILE (read here), up to
 *                                     the first that fails ("FILE:LINE: error")
 *   vhostu-ctl [-s SOCKET]             on a terminal, the switch's shell (its
 *                                     line editor: prompt, history, Tab, ?);
 *                                     otherwise stdin's lines, one command each
 * Exit status 2: usage, or the switch cannot be reached (the reason is said).
 * No DPDK: a plain client.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#define CMD_SOCK_PROTOCOL_ONLY
#include "cmd_sock.h"

#define CTL_EXIT_FAILED	1	/* a command failed */
#define CTL_EXIT_ERROR	2	/* usage, connection */

struct ctl_reader {
	int fd;
	size_t off, len;
	char buf[65536];
};

static struct termios ctl_saved_tty;
static volatile sig_atomic_t ctl_tty_raw;

static void
ctl_why(const char *path, int err)
{
	const char *why;

	switch (err) {
	case ENOENT:
		why = "no such socket (is vhostu-fwd running, with this --cli-socket?)";
		break;
	case ECONNREFUSED:
		why = "connection refused (nothing listens on it: vhostu-fwd is not running)";
		break;
	case EACCES:
	case EPERM:
		why = "permission denied (the socket is for its owner and group: "
			"is this user in its group?)";
		break;
	default:
		why = strerror(err);
		break;
	}
	fprintf(stderr, "vhostu-ctl: cannot connect to %s: %s\n", path, why);
}

static int
ctl_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd, err;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "vhostu-ctl: %s: path too long (at most %zu characters)\n",
			path, sizeof(sa.sun_path) - 1);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "vhostu-ctl: socket: %s\n", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = errno;
		close(fd);
		ctl_why(path, err);
		return -1;
	}
	return fd;
}

static int
ctl_write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == ENOTSOCK)
			w = write(fd, p, n);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * A request: text and its newline. A failure is not reported here: the
 * switch may have said why it closed (too many clients), and reading the
 * answer shows it.
 */
static void
ctl_send_line(int fd, const char *line)
{
	if (ctl_write_all(fd, line, strlen(line)) == 0)
		ctl_write_all(fd, "\n", 1);
}

/* More of the answer into the buffer; -1 when the connection ends. */
static int
ctl_fill(struct ctl_reader *r)
{
	ssize_t n;

	do
		n = read(r->fd, r->buf, sizeof(r->buf));
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	r->off = 0;
	r->len = (size_t)n;
	return 0;
}

/* One answer: the output to out (NULL: dropped), then the status. 0, 1, or -1 if cut short. */
static int
ctl_answer(struct ctl_reader *r, FILE *out)
{
	int status = 0, digits = 0;
	char *nul = NULL, c;
	size_t n;

	while (nul == NULL) {
		if (r->off == r->len && ctl_fill(r) < 0)
			goto cut;
		n = r->len - r->off;
		nul = memchr(r->buf + r->off, '\0', n);
		if (nul != NULL)
			n = (size_t)(nul - (r->buf + r->off));
		if (out != NULL && n > 0)
			fwrite(r->buf + r->off, 1, n, out);
		r->off += n;
	}
	r->off++;	/* the NUL */
	for (;;) {
		if (r->off == r->len && ctl_fill(r) < 0)
			goto cut;
		c = r->buf[r->off++];
		if (c == '\n')
			break;
		if (c < '0' || c > '9' || ++digits > 3)
			goto cut;
		status = status * 10 + (c - '0');
	}
	if (digits == 0)
		goto cut;
	if (out != NULL)
		fflush(out);
	return status == 0 ? 0 : 1;
cut:
	if (out != NULL)
		fflush(out);
	fprintf(stderr, "vhostu-ctl: the switch closed the connection\n");
	return -1;
}

static int
ctl_status_exit(int st)
{
	return st < 0 ? CTL_EXIT_ERROR : st == 0 ? 0 : CTL_EXIT_FAILED;
}

/* The words as one command. */
static int
ctl_command(int fd, int argc, char **argv)
{
	struct ctl_reader *r = calloc(1, sizeof(*r));
	size_t len = 1;
	char *line;
	int i, st;

	for (i = 0; i < argc; i++) {
		if (strchr(argv[i], '\n') != NULL) {
			fprintf(stderr, "vhostu-ctl: a command is one line\n");
			free(r);
			return CTL_EXIT_ERROR;
		}
		len += strlen(argv[i]) + 1;
	}
	line = calloc(1, len);
	if (r == NULL || line == NULL) {
		free(r);
		free(line);
		return CTL_EXIT_ERROR;
	}
	for (i = 0; i < argc; i++) {
		if (i > 0)
			strcat(line, " ");
		strcat(line, argv[i]);
	}
	r->fd = fd;
	ctl_send_line(fd, line);
	st = ctl_answer(r, stdout);
	free(line);
	free(r);
	return ctl_status_exit(st);
}

/* One line of a file, its errors prefixed with "FILE:LINE: ". 0, 1 or -1. */
static int
ctl_exec_line(int fd, struct ctl_reader *r, const char *path, unsigned int lineno,
		const char *line)
{
	char prefix[CMD_SOCK_PREFIX_MAX + 32];
	int st;

	snprintf(prefix, sizeof(prefix), "%c%s %s:%u: ", CMD_SOCK_CTL, CMD_SOCK_CTL_PREFIX,
		path, lineno);
	ctl_send_line(fd, prefix);
	ctl_send_line(fd, line);
	st = ctl_answer(r, stdout);	/* the prefix's: empty, or why the switch refused */
	if (st != 0)
		return st;
	return ctl_answer(r, stdout);
}

/* The commands of a file, as the switch's exec runs them: stops at the first failure. */
static int
ctl_exec(int fd, const char *path)
{
	struct ctl_reader *r = calloc(1, sizeof(*r));
	unsigned int lineno = 0;
	size_t cap = 0;
	char *line = NULL;
	ssize_t n;
	int st = 0;
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL || r == NULL) {
		printf("cannot open `%s': %s\n", path, strerror(errno));
		free(r);
		if (f != NULL)
			fclose(f);
		return CTL_EXIT_FAILED;
	}
	r->fd = fd;
	while (st == 0 && (n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n > CMD_SOCK_LINE_MAX || memchr(line, '\0', (size_t)n) != NULL) {
			printf("%s:%u: line too long (at most %d characters)\n", path, lineno,
				CMD_SOCK_LINE_MAX);
			st = 1;
			break;
		}
		st = ctl_exec_line(fd, r, path, lineno, line);
	}
	fflush(stdout);
	free(line);
	free(r);
	fclose(f);
	return ctl_status_exit(st);
}

/* stdin's lines, each a command; all run. Exit 1 if any failed. */
static int
ctl_lines(int fd)
{
	struct ctl_reader *r = calloc(1, sizeof(*r));
	size_t cap = 0;
	char *line = NULL;
	int st = 0, any = 0;
	ssize_t n;

	if (r == NULL)
		return CTL_EXIT_ERROR;
	r->fd = fd;
	while (st >= 0 && (n = getline(&line, &cap, stdin)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		ctl_send_line(fd, line);
		st = ctl_answer(r, stdout);
		any |= st;
	}
	free(line);
	free(r);
	return st < 0 ? CTL_EXIT_ERROR : any ? CTL_EXIT_FAILED : 0;
}

static void
ctl_tty_restore(void)
{
	if (ctl_tty_raw) {
		tcsetattr(STDIN_FILENO, TCSANOW, &ctl_saved_tty);
		ctl_tty_raw = 0;
	}
}

static void
ctl_tty_signal(int sig)
{
	ctl_tty_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Keys go to the switch's line editor as they are typed (as its own -i shell reads them). */
static void
ctl_tty_raw_mode(void)
{
	struct termios t;

	if (tcgetattr(STDIN_FILENO, &ctl_saved_tty) < 0)
		return;
	t = ctl_saved_tty;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	signal(SIGTERM, ctl_tty_signal);
	signal(SIGHUP, ctl_tty_signal);
	signal(SIGINT, ctl_tty_signal);
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
		ctl_tty_raw = 1;
}

/* Copy what one fd has to another; false at its end. */
static bool
ctl_relay(int from, int to)
{
	char buf[4096];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n < 0 && errno == EINTR)
		return true;
	if (n <= 0)
		return false;
	return ctl_write_all(to, buf, (size_t)n) == 0;
}

/* A terminal: the switch's shell, until `quit`, ^D on an empty line, or the switch leaves. */
static int
ctl_terminal(int fd)
{
	char req[32];
	struct pollfd p[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = fd, .events = POLLIN },
	};

	snprintf(req, sizeof(req), "%c%s", CMD_SOCK_CTL, CMD_SOCK_CTL_TERMINAL);
	ctl_send_line(fd, req);
	ctl_tty_raw_mode();
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents != 0 && !ctl_relay(fd, STDOUT_FILENO))
			break;
		if (p[0].revents != 0 && !ctl_relay(STDIN_FILENO, fd)) {
			shutdown(fd, SHUT_WR);	/* the end of our input ends the session */
			p[0].fd = -1;
		}
	}
	ctl_tty_restore();
	return 0;
}

static void
ctl_usage(FILE *f)
{
	fprintf(f, "Usage: vhostu-ctl [-s SOCKET] [COMMAND...]\n"
		"       vhostu-ctl [-s SOCKET] exec FILE\n"
		"  -s SOCKET  vhostu-fwd's command socket (default %s)\n"
		"  COMMAND    a shell command, e.g. show vhost-user; exit status 1 if it fails\n"
		"  exec FILE  run the commands of FILE, up to the first that fails\n"
		"Without a command: the shell (prompt, history, Tab, ?) on a terminal,\n"
		"else one command per line of stdin.\n", CMD_SOCK_DEFAULT_PATH);
}

int
main(int argc, char **argv)
{
	const char *path = CMD_SOCK_DEFAULT_PATH;
	int c, fd, ret;

	while ((c = getopt(argc, argv, "+s:h")) != -1) {
		switch (c) {
		case 's':
			path = optarg;
			break;
		case 'h':
			ctl_usage(stdout);
			return 0;
		default:
			ctl_usage(stderr);
			return CTL_EXIT_ERROR;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc >= 1 && strcmp(argv[0], "exec") == 0 && argc != 2) {
		fprintf(stderr, "vhostu-ctl: exec takes one file\n");
		return CTL_EXIT_ERROR;
	}
	signal(SIGPIPE, SIG_IGN);
	fd = ctl_connect(path);
	if (fd < 0)
		return CTL_EXIT_ERROR;
	if (argc == 2 && strcmp(argv[0], "exec") == 0)
		ret = ctl_exec(fd, argv[1]);
	else if (argc > 0)
		ret = ctl_command(fd, argc, argv);
	else if (isatty(STDIN_FILENO))
		ret = ctl_terminal(fd);
	else
		ret = ctl_lines(fd);
	close(fd);
	return ret;
}
