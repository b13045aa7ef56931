/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vhost-user sockets and the one control thread that serves them all:
 * listen/accept for server ports, connect and retry for client ports, and
 * message framing (a message may arrive in pieces, fds with any piece).
 *
 * Ports are kept in a slot table. An epoll event carries the slot, the kind of
 * fd and a generation: for a listening socket the slot's (it changes when a
 * port is added or removed), for a connection the connection's own (a new one
 * for every connection). So an event that was already fetched in the same
 * epoll_wait batch for a port removed since, or for a connection replaced
 * since (server: a new frontend; client: a reconnect), is recognised and
 * dropped. The control thread handles every event holding vhostu_ctl.lock;
 * adding and removing a port take it too.
 *
 * Link changes are recorded under the locks (port->lsc_pending) and raised as
 * RTE_ETH_EVENT_INTR_LSC at the end of each round with no driver lock held,
 * so an application's callback may take the port's mutex (snapshots) or wait
 * for a thread that creates or closes ports. Removing a port whose callbacks
 * are running waits until they return.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_lcore.h>

#include "vhostu_internal.h"

/* Every net_vhostu port is an ethdev port: the ethdev limit comes first. */
#define VHOSTU_CTL_MAX_PORTS	RTE_MAX_ETHPORTS
#define VHOSTU_CTL_TICK_MS	100

enum vhostu_fd_kind {
	VHOSTU_FD_WAKE = 0,
	VHOSTU_FD_LISTEN = 1,
	VHOSTU_FD_CONN = 2,
};

static struct {
	pthread_mutex_t lock;
	pthread_t thread;
	bool running;
	bool stop;
	int epfd;
	int wakefd;
	uint32_t nports;
	struct vhostu_port *slots[VHOSTU_CTL_MAX_PORTS];
	uint32_t gen[VHOSTU_CTL_MAX_PORTS];
	uint32_t conn_gen;		/* the generation of the last connection made */
	struct vhostu_port *raising;	/* whose LSC callbacks run, ctl.lock released */
	pthread_cond_t raised;		/* raising went back to NULL */
} vhostu_ctl = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.raised = PTHREAD_COND_INITIALIZER,
	.epfd = -1,
	.wakefd = -1,
};

static uint64_t
vhostu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
vhostu_token(uint32_t gen, uint32_t slot, enum vhostu_fd_kind kind)
{
	return ((uint64_t)gen << 32) | ((uint64_t)kind << 24) | slot;
}

/*
 * The port an event belongs to, or NULL when the fd it was fetched for has
 * gone since: the port was removed, or its connection closed or replaced.
 * Connection generations come from one counter for all ports, so a port that
 * took the slot of a removed one never has the old port's connection's.
 */
static struct vhostu_port *
vhostu_token_port(uint64_t token, enum vhostu_fd_kind *kind)
{
	uint32_t slot = token & 0xffffff, gen = (uint32_t)(token >> 32);
	struct vhostu_port *p;

	*kind = (enum vhostu_fd_kind)((token >> 24) & 0xff);
	if (slot >= VHOSTU_CTL_MAX_PORTS)
		return NULL;
	p = vhostu_ctl.slots[slot];
	if (p == NULL)
		return NULL;
	if (*kind == VHOSTU_FD_LISTEN)
		return vhostu_ctl.gen[slot] == gen ? p : NULL;
	return p->conn_fd >= 0 && p->conn_gen == gen ? p : NULL;
}

static int
vhostu_epoll_add(int fd, uint64_t token)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = token };

	return epoll_ctl(vhostu_ctl.epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static void
vhostu_epoll_del(int fd)
{
	if (fd >= 0)
		epoll_ctl(vhostu_ctl.epfd, EPOLL_CTL_DEL, fd, NULL);
}

/* Drop a partly received message and the fds it brought. */
void
vhostu_rx_reset(struct vhostu_rx_msg *rx)
{
	int i;

	for (i = 0; i < rx->nfds; i++)
		vhostu_close_fd(&rx->fds[i]);
	rx->nfds = 0;
	rx->have = 0;
}

/* The frontend is gone: forget its state, and reconnect later if a client. */
static void
vhostu_conn_close(struct vhostu_port *p, int err)
{
	if (p->conn_fd >= 0) {
		vhostu_epoll_del(p->conn_fd);
		close(p->conn_fd);
		VHOSTU_PORT_LOG(p, INFO, "connection on %s closed%s%s", p->path,
			err ? ": " : "", err ? strerror(err) : "");
	}
	p->conn_fd = -1;
	p->conn_state = VHOSTU_CONN_NONE;
	if (err != 0)
		p->sock_errno = err;
	vhostu_rx_reset(&p->rx);
	vhostu_port_reset_state(p);
	p->next_retry_ms = vhostu_now_ms() + p->reconnect_ms;
}

static int
vhostu_conn_up(struct vhostu_port *p, int fd)
{
	int ret;

	p->conn_fd = fd;
	p->conn_state = VHOSTU_CONN_UP;
	p->sock_errno = 0;
	p->conn_gen = ++vhostu_ctl.conn_gen;
	ret = vhostu_epoll_add(fd, vhostu_token(p->conn_gen, p->ctl_slot, VHOSTU_FD_CONN));
	if (ret < 0) {
		VHOSTU_PORT_LOG(p, ERR, "cannot watch the connection: %s", strerror(-ret));
		vhostu_conn_close(p, -ret);
		return ret;
	}
	VHOSTU_PORT_LOG(p, INFO, "frontend connected on %s", p->path);
	return 0;
}

static void
vhostu_sockaddr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	strlcpy(sa->sun_path, path, sizeof(sa->sun_path));
}

/* Client: one connection attempt; never blocks. */
static void
vhostu_client_try(struct vhostu_port *p)
{
	struct sockaddr_un sa;
	int fd, err;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		p->sock_errno = errno;
		goto retry;
	}
	vhostu_sockaddr(&sa, p->path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = errno;
		close(fd);
		if (err != p->sock_errno)
			VHOSTU_PORT_LOG(p, INFO, "connect %s: %s (retrying every %u ms)",
				p->path, strerror(err), p->reconnect_ms);
		p->sock_errno = err;
		goto retry;
	}
	vhostu_conn_up(p, fd);
	return;
retry:
	p->next_retry_ms = vhostu_now_ms() + p->reconnect_ms;
}

/* Server: a new connection replaces the old one (the VM was reset). */
static void
vhostu_server_accept(struct vhostu_port *p)
{
	int fd = accept4(p->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			p->sock_errno = errno;
		return;
	}
	if (p->conn_fd >= 0) {
		VHOSTU_PORT_LOG(p, INFO, "a new frontend replaces the connected one");
		vhostu_conn_close(p, 0);
	}
	vhostu_conn_up(p, fd);
}

/* Keep the fds of a control message; any beyond the maximum are closed. */
static void
vhostu_rx_take_fds(struct vhostu_rx_msg *rx, struct msghdr *mh)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		int *fds = (int *)CMSG_DATA(c);
		size_t i, n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			if (rx->nfds < VHOSTU_MAX_FDS)
				rx->fds[rx->nfds++] = fds[i];
			else
				close(fds[i]);
		}
	}
}

/*
 * Read what is there of the current message. Returns 1 when a message is
 * complete, 0 when more is needed, -errno when the connection must close.
 */
static int
vhostu_rx_read(struct vhostu_port *p)
{
	struct vhostu_rx_msg *rx = &p->rx;
	char cbuf[CMSG_SPACE(VHOSTU_MAX_FDS * sizeof(int))];
	size_t want = rx->have < VHOSTU_HDR_SIZE ? VHOSTU_HDR_SIZE :
		VHOSTU_HDR_SIZE + rx->msg.hdr.size;
	struct iovec iov = {
		.iov_base = (uint8_t *)&rx->msg + rx->have,
		.iov_len = want - rx->have,
	};
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	ssize_t n;

	if (iov.iov_len == 0)
		return 1;	/* a header-only message */
	n = recvmsg(p->conn_fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n == 0)
		return -ECONNRESET;
	vhostu_rx_take_fds(rx, &mh);
	if (mh.msg_flags & MSG_CTRUNC) {
		VHOSTU_PORT_LOG(p, ERR, "more than %d fds on one message", VHOSTU_MAX_FDS);
		return -EBADMSG;
	}
	rx->have += (size_t)n;
	if (rx->have == VHOSTU_HDR_SIZE && rx->msg.hdr.size > VHOSTU_MAX_BODY) {
		VHOSTU_PORT_LOG(p, ERR, "%s with a %u-byte payload, larger than any request's",
			vhostu_request_name(rx->msg.hdr.request), rx->msg.hdr.size);
		return -EMSGSIZE;
	}
	return rx->have >= VHOSTU_HDR_SIZE && rx->have == VHOSTU_HDR_SIZE + rx->msg.hdr.size;
}

static int
vhostu_send_reply(struct vhostu_port *p, const struct vhostu_reply *r)
{
	size_t len = VHOSTU_HDR_SIZE + r->msg.hdr.size;
	ssize_t n;

	VHOSTU_PORT_MSG_LOG(p, DEBUG, "-> %s reply size %u",
		vhostu_request_name(r->msg.hdr.request), r->msg.hdr.size);
	do {
		n = send(p->conn_fd, &r->msg, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* A frontend that does not read its replies is not waited for. */
	return (size_t)n == len ? 0 : -EAGAIN;
}

/* Read and handle every complete message waiting on the connection. */
static void
vhostu_conn_readable(struct vhostu_port *p)
{
	struct vhostu_reply reply;
	int ret, budget = 64;

	while (budget-- > 0 && p->conn_fd >= 0) {
		ret = vhostu_rx_read(p);
		if (ret == 0)
			return;
		if (ret == 1) {
			ret = vhostu_msg_handle(p, &p->rx, &reply);
			p->rx.have = 0;
			p->rx.nfds = 0;
			if (ret == 0 && reply.send)
				ret = vhostu_send_reply(p, &reply);
		}
		if (ret < 0) {
			vhostu_conn_close(p, ret == -ECONNRESET ? 0 : -ret);
			return;
		}
	}
}

static void
vhostu_ctl_event(uint64_t token, uint32_t events)
{
	enum vhostu_fd_kind kind;
	struct vhostu_port *p = vhostu_token_port(token, &kind);

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	if (kind == VHOSTU_FD_LISTEN)
		vhostu_server_accept(p);
	else if (kind == VHOSTU_FD_CONN) {
		if (events & EPOLLIN)
			vhostu_conn_readable(p);
		else if (events & (EPOLLHUP | EPOLLERR))
			vhostu_conn_close(p, 0);
	}
	if (vhostu_link_update_locked(p))
		p->lsc_pending = true;
	pthread_mutex_unlock(&p->lock);
}

static void
vhostu_ctl_timers(void)
{
	uint64_t now = vhostu_now_ms();
	uint32_t i;

	for (i = 0; i < VHOSTU_CTL_MAX_PORTS; i++) {
		struct vhostu_port *p = vhostu_ctl.slots[i];

		if (p == NULL || p->server || p->conn_fd >= 0 || now < p->next_retry_ms)
			continue;
		pthread_mutex_lock(&p->lock);
		vhostu_client_try(p);
		if (vhostu_link_update_locked(p))
			p->lsc_pending = true;
		pthread_mutex_unlock(&p->lock);
	}
}

/*
 * Raise the LSC events recorded this round, with ctl.lock released for each
 * (held on entry and on return). The port stays while its callbacks run:
 * vhostu_ctl_remove_port waits for raising to move on. A port removed before
 * its turn has left its slot, and its event goes with it.
 */
static void
vhostu_ctl_raise_pending(void)
{
	uint32_t i;

	for (i = 0; i < VHOSTU_CTL_MAX_PORTS && !vhostu_ctl.stop; i++) {
		struct vhostu_port *p = vhostu_ctl.slots[i];

		if (p == NULL || !p->lsc_pending)
			continue;
		p->lsc_pending = false;
		vhostu_ctl.raising = p;
		pthread_mutex_unlock(&vhostu_ctl.lock);
		vhostu_link_raise(p);
		pthread_mutex_lock(&vhostu_ctl.lock);
		vhostu_ctl.raising = NULL;
		pthread_cond_broadcast(&vhostu_ctl.raised);
	}
}

/* A frontend shrank memory we map (vhostu_fault.c): that port's connection goes. */
static void
vhostu_ctl_faults(void)
{
	uint64_t v;
	uint32_t i;

	if (read(vhostu_ctl.wakefd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		VHOSTU_LOG(DEBUG, "read the wake eventfd: %s", strerror(errno));
	if (!vhostu_fault_pending())
		return;
	for (i = 0; i < VHOSTU_CTL_MAX_PORTS; i++) {
		struct vhostu_port *p = vhostu_ctl.slots[i];
		bool faulted;

		if (p == NULL)
			continue;
		pthread_mutex_lock(&p->lock);
		faulted = vhostu_fault_take(p);
		if (faulted && p->conn_fd >= 0)
			vhostu_conn_close(p, EFAULT);
		if (faulted && vhostu_link_update_locked(p))
			p->lsc_pending = true;
		pthread_mutex_unlock(&p->lock);
	}
}

/*
 * Guest calls a burst left pending with nobody to flush them (see
 * vhostu_notify_backstop). Returns the next epoll timeout: the coalescing
 * time while some are pending, else the tick.
 */
static int
vhostu_ctl_flush_calls(void)
{
	bool left = false;
	uint32_t i;

	for (i = 0; i < VHOSTU_CTL_MAX_PORTS; i++)
		if (vhostu_ctl.slots[i] != NULL && vhostu_notify_backstop(vhostu_ctl.slots[i]))
			left = true;
	return left ? vhostu_notify_backstop_ms() : VHOSTU_CTL_TICK_MS;
}

static uint32_t
vhostu_ctl_loop(void *arg)
{
	struct epoll_event evs[16];
	int i, n, timeout = VHOSTU_CTL_TICK_MS;

	RTE_SET_USED(arg);
	for (;;) {
		n = epoll_wait(vhostu_ctl.epfd, evs, RTE_DIM(evs), timeout);
		pthread_mutex_lock(&vhostu_ctl.lock);
		if (vhostu_ctl.stop) {
			pthread_mutex_unlock(&vhostu_ctl.lock);
			break;
		}
		for (i = 0; i < n; i++)
			if ((evs[i].data.u64 >> 24 & 0xff) != VHOSTU_FD_WAKE)
				vhostu_ctl_event(evs[i].data.u64, evs[i].events);
		vhostu_ctl_faults();
		vhostu_ctl_timers();
		timeout = vhostu_ctl_flush_calls();
		vhostu_ctl_raise_pending();
		pthread_mutex_unlock(&vhostu_ctl.lock);
	}
	return 0;
}

static void *
vhostu_ctl_thread_main(void *arg)
{
	vhostu_ctl_loop(arg);
	return NULL;
}

/* Start the control thread with the first port; ctl.lock is held. */
static int
vhostu_ctl_start(void)
{
	int ret;

	if (vhostu_ctl.running)
		return 0;
	vhostu_ctl.epfd = epoll_create1(EPOLL_CLOEXEC);
	vhostu_ctl.wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (vhostu_ctl.epfd < 0 || vhostu_ctl.wakefd < 0) {
		ret = -errno;
		goto fail;
	}
	ret = vhostu_epoll_add(vhostu_ctl.wakefd, (uint64_t)VHOSTU_FD_WAKE << 24);
	if (ret < 0)
		goto fail;
	vhostu_fault_set_wakefd(vhostu_ctl.wakefd);
	vhostu_ctl.stop = false;
	ret = -rte_ctrl_thread_create(&vhostu_ctl.thread, "vhostu-ctl", NULL,
		vhostu_ctl_thread_main, NULL);
	if (ret < 0)
		goto fail;
	vhostu_ctl.running = true;
	return 0;
fail:
	VHOSTU_LOG(ERR, "cannot start the control thread: %s", strerror(-ret));
	vhostu_fault_set_wakefd(-1);
	vhostu_close_fd(&vhostu_ctl.wakefd);
	vhostu_close_fd(&vhostu_ctl.epfd);
	return ret;
}

/* Stop the control thread with the last port; called without ctl.lock. */
static void
vhostu_ctl_stop(void)
{
	uint64_t one = 1;
	pthread_t t;

	pthread_mutex_lock(&vhostu_ctl.lock);
	if (!vhostu_ctl.running || vhostu_ctl.nports > 0) {
		pthread_mutex_unlock(&vhostu_ctl.lock);
		return;
	}
	vhostu_ctl.stop = true;
	vhostu_ctl.running = false;
	t = vhostu_ctl.thread;
	if (write(vhostu_ctl.wakefd, &one, sizeof(one)) < 0)
		VHOSTU_LOG(DEBUG, "wake control thread: %s", strerror(errno));
	pthread_mutex_unlock(&vhostu_ctl.lock);
	pthread_join(t, NULL);
	pthread_mutex_lock(&vhostu_ctl.lock);
	if (!vhostu_ctl.running) {
		vhostu_fault_set_wakefd(-1);
		vhostu_close_fd(&vhostu_ctl.wakefd);
		vhostu_close_fd(&vhostu_ctl.epfd);
	}
	pthread_mutex_unlock(&vhostu_ctl.lock);
}

/* Register a port with the control thread: it listens or starts connecting. */
int
vhostu_ctl_add_port(struct vhostu_port *p)
{
	uint32_t slot;
	int ret;

	pthread_mutex_lock(&vhostu_ctl.lock);
	ret = vhostu_ctl_start();
	if (ret < 0)
		goto out;
	for (slot = 0; slot < VHOSTU_CTL_MAX_PORTS && vhostu_ctl.slots[slot] != NULL; slot++)
		;
	if (slot == VHOSTU_CTL_MAX_PORTS) {
		VHOSTU_PORT_LOG(p, ERR, "more than %u vhost-user ports",
			(unsigned int)VHOSTU_CTL_MAX_PORTS);
		ret = -ENOSPC;
		goto out;
	}
	vhostu_ctl.gen[slot]++;
	p->ctl_slot = slot;
	if (p->server) {
		ret = vhostu_epoll_add(p->listen_fd,
			vhostu_token(vhostu_ctl.gen[slot], slot, VHOSTU_FD_LISTEN));
		if (ret < 0)
			goto out;
	} else {
		p->next_retry_ms = 0;	/* first attempt on the next tick */
	}
	vhostu_ctl.slots[slot] = p;
	vhostu_ctl.nports++;
out:
	pthread_mutex_unlock(&vhostu_ctl.lock);
	if (ret < 0)
		vhostu_ctl_stop();
	return ret;
}

/*
 * Unregister a port: its sockets are closed and its state reset. If the
 * control thread is running the port's LSC callbacks, wait until they return.
 */
void
vhostu_ctl_remove_port(struct vhostu_port *p)
{
	pthread_mutex_lock(&vhostu_ctl.lock);
	while (vhostu_ctl.raising == p)
		pthread_cond_wait(&vhostu_ctl.raised, &vhostu_ctl.lock);
	if (vhostu_ctl.slots[p->ctl_slot] == p) {
		vhostu_ctl.slots[p->ctl_slot] = NULL;
		vhostu_ctl.gen[p->ctl_slot]++;
		vhostu_ctl.nports--;
	}
	pthread_mutex_lock(&p->lock);
	if (p->conn_fd >= 0)
		vhostu_conn_close(p, 0);
	if (p->listen_fd >= 0) {
		vhostu_epoll_del(p->listen_fd);
		vhostu_close_fd(&p->listen_fd);
	}
	pthread_mutex_unlock(&p->lock);
	pthread_mutex_unlock(&vhostu_ctl.lock);
	vhostu_ctl_stop();
}

/*
 * A path may be reused only when it is a stale socket: nothing listens on
 * it, which connect says with ECONNREFUSED and nothing else. Anything else
 * there (a file, a live listener, a socket we may not connect to, one of
 * another type) is never removed.
 */
static int
vhostu_sock_clear_stale(const char *path)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd, ret;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		VHOSTU_LOG(ERR, "%s exists and is not a socket: not touching it", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	vhostu_sockaddr(&sa, path);
	ret = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ? 0 : errno;
	close(fd);
	if (ret == 0 || ret == EAGAIN) {
		VHOSTU_LOG(ERR, "%s: another listener is using this socket", path);
		return -EADDRINUSE;
	}
	if (ret != ECONNREFUSED) {
		VHOSTU_LOG(ERR, "%s exists and connect says %s (errno %d), not that it is stale: "
			"not touching it", path, strerror(ret), ret);
		return -ret;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		ret = errno;
		VHOSTU_LOG(ERR, "%s: cannot remove the stale socket: %s", path, strerror(ret));
		return -ret;
	}
	return 0;
}

/*
 * Server ports: a listening socket only its owner may connect to (mode 0600),
 * or its owner and one group (0660) when group >= 0.
 */
int
vhostu_sock_listen(const char *path, int64_t group, int *fd_out)
{
	struct sockaddr_un sa;
	int fd, ret;

	ret = vhostu_sock_clear_stale(path);
	if (ret < 0)
		return ret;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* On Linux the socket inode's mode becomes the file's mode at bind. */
	if (fchmod(fd, S_IRUSR | S_IWUSR) < 0)
		goto fail;
	vhostu_sockaddr(&sa, path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	if (group >= 0 && (chown(path, (uid_t)-1, (gid_t)group) < 0 ||
			chmod(path, S_IRUSR | S_IWUSR | S_IRGRP | S_IWGRP) < 0)) {
		ret = -errno;
		unlink(path);
		close(fd);
		return ret;
	}
	if (listen(fd, 1) < 0) {
		ret = -errno;
		unlink(path);
		close(fd);
		return ret;
	}
	*fd_out = fd;
	return 0;
fail:
	ret = -errno;
	close(fd);
	return ret;
}
