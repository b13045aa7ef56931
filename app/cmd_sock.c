/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command socket (protocol in cmd_sock.h). Everything runs on the main
 * lcore, from the poll() that also waits for stdin: the sockets are
 * non-blocking, each session has a bounded input buffer (one line) and an
 * output buffer, and no client can make the main lcore wait. A session's
 * commands print into a memfd of its own (its cmdline's output fd, never a
 * socket, so a command never blocks on a client); after each command what it
 * printed moves to the session's output buffer. While that holds more than
 * CMD_SOCK_OUT_LOW bytes the session's requests are not read (they wait in
 * the kernel), so the buffer holds at most one answer more; an answer that
 * makes it exceed CMD_SOCK_OUT_MAX disconnects the client, logged.
 */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmdline.h>
#include <rte_common.h>
#include <rte_log.h>

#include "cli.h"
#include "cmd_sock.h"

#define CMD_SOCK_PROMPT		"vhostu# "
#define CMD_SOCK_OUT_LOW	(64u * 1024)
#define CMD_SOCK_OUT_MAX	(64u * 1024 * 1024)
#define CMD_SOCK_ACCEPT_BURST	8
#define CMD_SOCK_BUSY_MSG	"too many command clients (at most 16)\n"

#define CMD_LOG(level, fmt, ...) \
	RTE_LOG(level, USER1, "vhostu-fwd: command socket: " fmt "\n", ##__VA_ARGS__)

_Static_assert(CMD_SOCK_LINE_MAX == CLI_LINE_MAX, "the protocol's line is the shell's");

enum cmd_sess_mode {
	CMD_SESS_LINES,		/* one request per line, answers with a status */
	CMD_SESS_TERMINAL,	/* keys in, a terminal's output back */
};

struct cmd_sess {
	int fd;			/* -1: a free slot */
	unsigned int id;	/* for the log */
	enum cmd_sess_mode mode;
	struct cmdline *cl;	/* prints into out_fd; cmdline_free() closes it */
	int out_fd;
	bool eof;		/* the client sent all it will */
	bool closing;		/* no more requests: close once the output is sent */
	bool dead;		/* close now, nothing more to send */
	bool skipping;		/* dropping the rest of an over-long line */
	char err_prefix[CMD_SOCK_PREFIX_MAX + 1];
	char in[CMD_SOCK_LINE_MAX + 2];	/* a line, its newline, a NUL */
	size_t in_len;
	char *out;
	size_t out_off, out_len, out_cap;
};

static struct {
	int listen_fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;
	ino_t ino;
	unsigned int next_id;
	struct cmd_sess *current;	/* running a command */
	struct cmd_sess sess[CMD_SOCK_MAX_CLIENTS];
} cs = { .listen_fd = -1 };

/* --- the listening socket --- */

static int
cmd_sock_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path)) {
		CMD_LOG(ERR, "%s: path too long (at most %zu characters)", path,
			sizeof(sa->sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(sa->sun_path, path);
	return 0;
}

/* Make the socket's directory (0755) when it is missing. */
static int
cmd_sock_mkdir(const char *path)
{
	char dir[sizeof(cs.path)];
	char *slash;
	int err;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) == 0)
		return chmod(dir, 0755) == 0 ? 0 : -errno;	/* whatever the umask */
	err = errno;
	if (err == EEXIST)
		return 0;
	CMD_LOG(ERR, "cannot make the directory %s: %s", dir, strerror(err));
	return -err;
}

/* A socket file at path that nobody accepts on (a dead switch's) is removed; 0 or -errno. */
static int
cmd_sock_clear_stale(const char *path, const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, err;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		CMD_LOG(ERR, "%s exists and is not a socket: not touching it", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	err = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0 ? 0 : errno;
	close(fd);
	if (err == 0 || err == EAGAIN) {
		CMD_LOG(ERR, "%s: another process (a vhostu-fwd running?) listens on it", path);
		return -EADDRINUSE;
	}
	if (err != ECONNREFUSED) {
		CMD_LOG(ERR, "%s exists and connect says %s, not that it is stale: not touching it",
			path, strerror(err));
		return -err;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		err = errno;
		CMD_LOG(ERR, "%s: cannot remove the stale socket: %s", path, strerror(err));
		return -err;
	}
	CMD_LOG(INFO, "%s: replaced a stale socket", path);
	return 0;
}

/* A group name or a numeric gid; -1 when there is no such group. */
static int64_t
cmd_sock_group(const char *name)
{
	struct group gr, *res = NULL;
	char buf[4096], *end;
	unsigned long v;

	errno = 0;
	v = strtoul(name, &end, 10);
	if (*name != '\0' && *end == '\0' && errno == 0 && v < UINT32_MAX)
		return (int64_t)v;
	if (getgrnam_r(name, &gr, buf, sizeof(buf), &res) == 0 && res != NULL)
		return res->gr_gid;
	return -1;
}

/* Owner and group may connect: 0660, the file given to group when there is one. */
static int
cmd_sock_set_mode(const char *path, int64_t gid)
{
	int err;

	if (gid >= 0 && chown(path, (uid_t)-1, (gid_t)gid) < 0) {
		err = errno;
		CMD_LOG(ERR, "%s: cannot give it to group %" PRId64 ": %s", path, gid,
			strerror(err));
		return -err;
	}
	if (chmod(path, S_IRUSR | S_IWUSR | S_IRGRP | S_IWGRP) < 0) {
		err = errno;
		CMD_LOG(ERR, "%s: chmod: %s", path, strerror(err));
		return -err;
	}
	return 0;
}

static int
cmd_sock_bind(const char *path, const struct sockaddr_un *sa, int64_t gid)
{
	struct stat st;
	int fd, ret;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* Owner only until the group and mode are set: no window for others. */
	if (fchmod(fd, S_IRUSR | S_IWUSR) < 0 ||
			bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0) {
		ret = -errno;
		CMD_LOG(ERR, "%s: bind: %s", path, strerror(-ret));
		close(fd);
		return ret;
	}
	ret = cmd_sock_set_mode(path, gid);
	if (ret == 0 && listen(fd, CMD_SOCK_MAX_CLIENTS) < 0)
		ret = -errno;
	if (ret == 0 && lstat(path, &st) < 0)
		ret = -errno;
	if (ret < 0) {
		unlink(path);
		close(fd);
		return ret;
	}
	cs.dev = st.st_dev;
	cs.ino = st.st_ino;
	cs.listen_fd = fd;
	return 0;
}

int
cmd_sock_open(const char *path, const char *group)
{
	struct sockaddr_un sa;
	int64_t gid = -1;
	unsigned int i;
	int ret;

	if (cs.listen_fd >= 0)
		return -EBUSY;
	for (i = 0; i < RTE_DIM(cs.sess); i++)
		cs.sess[i].fd = -1;
	if (group != NULL && *group != '\0') {
		gid = cmd_sock_group(group);
		if (gid < 0) {
			CMD_LOG(ERR, "%s: no such group `%s'", path, group);
			return -EINVAL;
		}
	}
	ret = cmd_sock_addr(&sa, path);
	if (ret == 0)
		ret = cmd_sock_mkdir(path);
	if (ret == 0)
		ret = cmd_sock_clear_stale(path, &sa);
	if (ret == 0)
		ret = cmd_sock_bind(path, &sa, gid);
	if (ret < 0)
		return ret;
	snprintf(cs.path, sizeof(cs.path), "%s", path);
	CMD_LOG(INFO, "listening on %s", path);
	return 0;
}

/* --- a session's output --- */

static void
cmd_sess_close(struct cmd_sess *s)
{
	cmdline_free(s->cl);	/* closes out_fd */
	close(s->fd);
	free(s->out);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

static size_t
cmd_sess_pending(const struct cmd_sess *s)
{
	return s->out_len - s->out_off;
}

/* Room for n more bytes of output; -ENOBUFS past CMD_SOCK_OUT_MAX. */
static int
cmd_sess_reserve(struct cmd_sess *s, size_t n)
{
	size_t need = cmd_sess_pending(s) + n, cap;
	char *p;

	if (need > CMD_SOCK_OUT_MAX)
		return -ENOBUFS;
	if (s->out_off > 0) {
		memmove(s->out, s->out + s->out_off, cmd_sess_pending(s));
		s->out_len -= s->out_off;
		s->out_off = 0;
	}
	if (need <= s->out_cap)
		return 0;
	cap = RTE_MAX(need, RTE_MAX(s->out_cap * 2, (size_t)4096));
	p = realloc(s->out, RTE_MIN(cap, (size_t)CMD_SOCK_OUT_MAX));
	if (p == NULL)
		return -ENOMEM;
	s->out = p;
	s->out_cap = RTE_MIN(cap, (size_t)CMD_SOCK_OUT_MAX);
	return 0;
}

/* An answer too big for the output buffer: the client is dropped. */
static void
cmd_sess_overflow(struct cmd_sess *s, size_t n)
{
	CMD_LOG(WARNING, "client %u: %zu bytes of output waiting, more than %u: disconnected",
		s->id, cmd_sess_pending(s) + n, CMD_SOCK_OUT_MAX);
	s->dead = true;
	s->out_off = s->out_len = 0;
}

static void
cmd_sess_put(struct cmd_sess *s, const void *data, size_t n)
{
	if (s->dead)
		return;
	if (cmd_sess_reserve(s, n) < 0) {
		cmd_sess_overflow(s, n);
		return;
	}
	memcpy(s->out + s->out_len, data, n);
	s->out_len += n;
}

/* Move what the session's commands printed into its output buffer. */
static void
cmd_sess_collect(struct cmd_sess *s)
{
	off_t n = lseek(s->out_fd, 0, SEEK_CUR);
	size_t done = 0;
	ssize_t got;

	if (n <= 0)
		return;
	if (s->dead) {
		/* dropped: nobody to send it to */
	} else if (cmd_sess_reserve(s, (size_t)n) < 0) {
		cmd_sess_overflow(s, (size_t)n);
	} else {
		while (done < (size_t)n) {
			got = pread(s->out_fd, s->out + s->out_len + done, (size_t)n - done,
				(off_t)done);
			if (got <= 0)
				break;
			done += (size_t)got;
		}
		s->out_len += done;
	}
	if (ftruncate(s->out_fd, 0) < 0 || lseek(s->out_fd, 0, SEEK_SET) < 0)
		s->dead = true;
}

/* Send what the socket takes now; a client that is gone is closed. */
static void
cmd_sess_flush(struct cmd_sess *s)
{
	ssize_t n;

	while (cmd_sess_pending(s) > 0) {
		n = send(s->fd, s->out + s->out_off, cmd_sess_pending(s),
			MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			s->dead = true;
			s->out_off = s->out_len = 0;
			return;
		}
		s->out_off += (size_t)n;
	}
	s->out_off = s->out_len = 0;
}

/* --- running requests --- */

static void
cmd_sess_status(struct cmd_sess *s, int ret)
{
	char end[4] = { '\0', ret == 0 ? '0' : '1', '\n' };

	cmd_sess_collect(s);
	cmd_sess_put(s, end, 3);
}

static void
cmd_sess_to_terminal(struct cmd_sess *s)
{
	int fd = memfd_create("vhostu-cli-client", MFD_CLOEXEC);
	struct cmdline *cl = fd < 0 ? NULL : cmdline_new(cli_ctx, CMD_SOCK_PROMPT, -1, fd);

	if (cl == NULL) {
		CMD_LOG(ERR, "client %u: no terminal: %s", s->id, strerror(errno));
		if (fd >= 0)
			close(fd);
		s->closing = true;
		return;
	}
	cmdline_free(s->cl);
	s->cl = cl;
	s->out_fd = fd;
	s->mode = CMD_SESS_TERMINAL;
	cmd_sess_collect(s);	/* the prompt */
}

/* A session request (CMD_SOCK_CTL ...). */
static void
cmd_sess_control(struct cmd_sess *s, const char *req)
{
	size_t plen = strlen(CMD_SOCK_CTL_PREFIX);

	if (strcmp(req, CMD_SOCK_CTL_TERMINAL) == 0) {
		cmd_sess_to_terminal(s);
		return;
	}
	if (strncmp(req, CMD_SOCK_CTL_PREFIX, plen) == 0 &&
			(req[plen] == '\0' || req[plen] == ' ')) {
		snprintf(s->err_prefix, sizeof(s->err_prefix), "%s",
			req[plen] == ' ' ? req + plen + 1 : "");
		cmd_sess_status(s, 0);
		return;
	}
	cmdline_printf(s->cl, "unknown session request\n");
	cmd_sess_status(s, -1);
}

/* One line (its newline removed). */
static void
cmd_sess_line(struct cmd_sess *s, char *line)
{
	size_t n = strlen(line);
	int ret;

	if (n > 0 && line[n - 1] == '\r')
		line[n - 1] = '\0';
	if (line[0] == CMD_SOCK_CTL) {
		cmd_sess_control(s, line + 1);
		return;
	}
	cs.current = s;
	ret = cli_run_line_prefixed(s->cl, line, s->err_prefix);
	cs.current = NULL;
	cmd_sess_status(s, ret);
}

static void
cmd_sess_consume(struct cmd_sess *s, size_t n)
{
	memmove(s->in, s->in + n, s->in_len - n);
	s->in_len -= n;
}

/* The complete lines received, while the client reads its answers. */
static void
cmd_sess_run_lines(struct cmd_sess *s)
{
	char *nl;
	size_t len;

	while (!s->closing && !s->dead && s->mode == CMD_SESS_LINES && s->in_len > 0 &&
			cmd_sess_pending(s) < CMD_SOCK_OUT_LOW) {
		nl = memchr(s->in, '\n', s->in_len);
		if (nl == NULL && s->in_len <= CMD_SOCK_LINE_MAX && !s->eof)
			return;
		len = nl != NULL ? (size_t)(nl - s->in) : s->in_len;
		if (s->skipping) {
			s->skipping = nl == NULL;
		} else if (len > CMD_SOCK_LINE_MAX) {
			cmdline_printf(s->cl, "%sline too long (at most %d characters): refused\n",
				s->err_prefix, CMD_SOCK_LINE_MAX);
			cmd_sess_status(s, -1);
			s->skipping = nl == NULL;
		} else {
			s->in[len] = '\0';
			cmd_sess_line(s, s->in);
		}
		cmd_sess_consume(s, nl != NULL ? len + 1 : s->in_len);
	}
	if (s->eof && s->in_len == 0)
		s->closing = true;
}

/* Keys for the line editor, up to and with each Return, while the client reads. */
static void
cmd_sess_run_terminal(struct cmd_sess *s)
{
	size_t n, i;
	int ret;

	while (!s->closing && !s->dead && s->mode == CMD_SESS_TERMINAL && s->in_len > 0 &&
			cmd_sess_pending(s) < CMD_SOCK_OUT_LOW) {
		for (i = 0; i < s->in_len && s->in[i] != '\n' && s->in[i] != '\r'; i++)
			;
		n = i < s->in_len ? i + 1 : s->in_len;
		cs.current = s;
		ret = cmdline_in(s->cl, s->in, (int)n);
		cs.current = NULL;
		cmd_sess_collect(s);
		cmd_sess_consume(s, n);
		if (ret < 0)
			s->closing = true;	/* quit, or ^D on an empty line */
	}
	if (s->eof)
		s->closing = true;
}

static void
cmd_sess_run(struct cmd_sess *s)
{
	if (s->mode == CMD_SESS_LINES)
		cmd_sess_run_lines(s);
	if (s->mode == CMD_SESS_TERMINAL)
		cmd_sess_run_terminal(s);
}

static void
cmd_sess_read(struct cmd_sess *s)
{
	size_t room = sizeof(s->in) - 1 - s->in_len;
	ssize_t n;

	if (room == 0)
		return;
	n = recv(s->fd, s->in + s->in_len, room, MSG_DONTWAIT);
	if (n > 0)
		s->in_len += (size_t)n;
	else if (n == 0)
		s->eof = true;
	else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		s->dead = true;
}

/* --- sessions --- */

static struct cmd_sess *
cmd_sess_free_slot(void)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(cs.sess); i++)
		if (cs.sess[i].fd < 0)
			return &cs.sess[i];
	return NULL;
}

static void
cmd_sock_refuse(int fd)
{
	static const char msg[] = CMD_SOCK_BUSY_MSG "\0" "1\n";

	CMD_LOG(WARNING, "a client more than %d: refused", CMD_SOCK_MAX_CLIENTS);
	if (send(fd, msg, sizeof(msg) - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		CMD_LOG(DEBUG, "refused client: %s", strerror(errno));
	close(fd);
}

static void
cmd_sock_new_session(int fd)
{
	struct cmd_sess *s = cmd_sess_free_slot();
	int out_fd;

	if (s == NULL) {
		cmd_sock_refuse(fd);
		return;
	}
	out_fd = memfd_create("vhostu-cli-client", MFD_CLOEXEC);
	s->cl = out_fd < 0 ? NULL : cmdline_new(cli_ctx, "", -1, out_fd);
	if (s->cl == NULL) {
		CMD_LOG(ERR, "no session for a client: %s", strerror(errno));
		if (out_fd >= 0)
			close(out_fd);
		close(fd);
		return;
	}
	s->fd = fd;
	s->out_fd = out_fd;
	s->id = ++cs.next_id;
	s->mode = CMD_SESS_LINES;
	CMD_LOG(DEBUG, "client %u connected", s->id);
}

static void
cmd_sock_accept(void)
{
	int i, fd;

	for (i = 0; i < CMD_SOCK_ACCEPT_BURST; i++) {
		fd = accept4(cs.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
					errno != ECONNABORTED)
				CMD_LOG(ERR, "accept: %s", strerror(errno));
			return;
		}
		cmd_sock_new_session(fd);
	}
}

unsigned int
cmd_sock_pollfds(struct pollfd *p, unsigned int max)
{
	unsigned int n = 0, i;
	struct cmd_sess *s;

	if (cs.listen_fd < 0 || max == 0)
		return 0;
	p[n++] = (struct pollfd){ .fd = cs.listen_fd, .events = POLLIN };
	for (i = 0; i < RTE_DIM(cs.sess) && n < max; i++) {
		s = &cs.sess[i];
		if (s->fd < 0)
			continue;
		p[n] = (struct pollfd){ .fd = s->fd };
		if (!s->eof && !s->closing && !s->dead && cmd_sess_pending(s) < CMD_SOCK_OUT_LOW &&
				s->in_len < sizeof(s->in) - 1)
			p[n].events |= POLLIN;
		if (cmd_sess_pending(s) > 0)
			p[n].events |= POLLOUT;
		n++;
	}
	return n;
}

static struct cmd_sess *
cmd_sock_session_of(int fd)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(cs.sess); i++)
		if (cs.sess[i].fd == fd)
			return &cs.sess[i];
	return NULL;
}

static void
cmd_sess_serve(struct cmd_sess *s, short revents)
{
	if (revents & (POLLHUP | POLLERR | POLLNVAL)) {
		/* Gone both ways: nobody to answer. */
		cmd_sess_close(s);
		return;
	}
	if (revents & POLLOUT)
		cmd_sess_flush(s);
	if (revents & POLLIN)
		cmd_sess_read(s);
	cmd_sess_run(s);
	cmd_sess_flush(s);
	if (s->dead || (s->closing && cmd_sess_pending(s) == 0))
		cmd_sess_close(s);
}

void
cmd_sock_handle(const struct pollfd *p, unsigned int n)
{
	struct cmd_sess *s;
	unsigned int i;

	if (cs.listen_fd < 0 || n == 0)
		return;
	for (i = 1; i < n; i++) {
		if (p[i].revents == 0)
			continue;
		s = cmd_sock_session_of(p[i].fd);
		if (s != NULL)
			cmd_sess_serve(s, p[i].revents);
	}
	if (p[0].revents & POLLIN)
		cmd_sock_accept();
}

bool
cmd_sock_quit_session(void)
{
	if (cs.current == NULL)
		return false;
	cs.current->closing = true;
	return true;
}

void
cmd_sock_close(void)
{
	struct stat st;
	unsigned int i;

	if (cs.listen_fd < 0)
		return;
	for (i = 0; i < RTE_DIM(cs.sess); i++)
		if (cs.sess[i].fd >= 0)
			cmd_sess_close(&cs.sess[i]);
	close(cs.listen_fd);
	cs.listen_fd = -1;
	/* Only our own socket: another switch may have replaced it meanwhile. */
	if (lstat(cs.path, &st) == 0 && st.st_dev == cs.dev && st.st_ino == cs.ino)
		unlink(cs.path);
}
