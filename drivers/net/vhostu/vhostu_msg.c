/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user message handling: one handler per request and a dispatch table
 * that says, per request, the payload sizes and fd counts accepted and
 * whether the datapath must be paused. Sizes and fds are checked before any
 * handler runs; every fd received is either kept by a handler or closed here.
 * Handlers build their reply; the socket code sends it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vhostu_internal.h"
#include "vhostu_packed.h"

/* What a handler returns besides 0 (done, ack success) and -errno (refused). */
#define VHOSTU_MSG_REPLY	1	/* the handler built a reply */
#define VHOSTU_MSG_CLOSE	2	/* protocol broken: close the connection */

typedef int (*vhostu_msg_handler_t)(struct vhostu_port *p, struct vhostu_rx_msg *m,
		struct vhostu_reply *r);

/* Indexed by request; its name comes from VHOSTU_REQUESTS (vhostu_request_name). */
struct vhostu_msg_desc {
	vhostu_msg_handler_t handler;
	uint32_t min_size;
	uint32_t max_size;
	uint8_t min_fds;
	uint8_t max_fds;
	bool pause;		/* pause every vring around the handler */
};

#define VHOSTU_REQ_NAME(name, id) [id] = #name,
static const char *const vhostu_request_names[VHOSTU_REQ_MAX] = {
	VHOSTU_REQUESTS(VHOSTU_REQ_NAME)
};
#undef VHOSTU_REQ_NAME

const char *
vhostu_request_name(uint32_t request)
{
	if (request < VHOSTU_REQ_MAX && vhostu_request_names[request] != NULL)
		return vhostu_request_names[request];
	return "UNKNOWN";
}

/* Take an fd out of the message so that the final cleanup does not close it. */
static int
vhostu_msg_take_fd(struct vhostu_rx_msg *m, int i)
{
	int fd = m->fds[i];

	m->fds[i] = -1;
	return fd;
}

static void
vhostu_reply_u64(struct vhostu_reply *r, uint64_t v)
{
	r->msg.hdr.size = sizeof(uint64_t);
	r->msg.body.u64 = v;
}

/*
 * What fd is: "anon_inode:[eventfd]", "pipe:[123]", a path... The kernel's
 * name for it is the only way to tell an eventfd from other fds.
 */
static void
vhostu_fd_kind(int fd, char *kind, size_t len)
{
	char path[32];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, kind, len - 1);
	if (n < 0)
		snprintf(kind, len, "of unknown kind (%s)", strerror(errno));
	else
		kind[n] = '\0';
}

/*
 * Kick, call, err and log fds must be eventfds: the datapath writes call fds,
 * and a pipe or a socket nobody reads would block that write and with it every
 * port of the lcore. Anything else is refused, the ring keeps its fd.
 */
static bool
vhostu_msg_eventfd_ok(struct vhostu_port *p, struct vhostu_rx_msg *m, const char *req)
{
	static const char eventfd_kind[] = "anon_inode:[eventfd]";
	char kind[64];

	vhostu_fd_kind(m->fds[0], kind, sizeof(kind));
	if (strcmp(kind, eventfd_kind) == 0)
		return true;
	if (p->msg_vring >= 0)
		VHOSTU_PORT_LOG(p, ERR, "%s: vring %d: fd %d is %s, not an eventfd: refused",
			req, p->msg_vring, m->fds[0], kind);
	else
		VHOSTU_PORT_LOG(p, ERR, "%s: fd %d is %s, not an eventfd: refused", req,
			m->fds[0], kind);
	return false;
}

/* The ring a vring-state or vring-address message names, or NULL (logged). */
static struct vhostu_vring *
vhostu_msg_vring(struct vhostu_port *p, uint32_t index, const char *req)
{
	if (index >= 2u * p->max_queue_pairs) {
		VHOSTU_PORT_LOG(p, ERR, "%s: vring index %" PRIu32 " out of range"
			" (the port has %u)", req, index, 2u * p->max_queue_pairs);
		return NULL;
	}
	p->msg_vring = (int32_t)index;	/* shown by `show vhost-user` once the message succeeds */
	return &p->vrings[index];
}

/* Recompute readiness of every ring after a change that affects them all. */
static void
vhostu_vrings_refresh(struct vhostu_port *p)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(p->vrings); i++) {
		struct vhostu_vring *vr = &p->vrings[i];

		if (vr->addr_set)
			vhostu_vring_translate(p, vr);
		vhostu_vring_update_ready(p, vr);
	}
}

static int
vhostu_h_get_features(struct vhostu_port *p, struct vhostu_rx_msg *m __rte_unused,
		struct vhostu_reply *r)
{
	vhostu_reply_u64(r, p->features_offered);
	return VHOSTU_MSG_REPLY;
}

static int
vhostu_h_set_features(struct vhostu_port *p, struct vhostu_rx_msg *m,
		struct vhostu_reply *r __rte_unused)
{
	uint64_t f = m->msg.body.u64;

	if (f & ~p->features_offered) {
		VHOSTU_PORT_LOG(p, ERR, "SET_FEATURES 0x%" PRIx64 " asks for 0x%" PRIx64
			" which was not offered (offered 0x%" PRIx64 ")",
			f, f & ~p->features_offered, p->features_offered);
		return -ENOTSUP;
	}
	/* Atomic: rte_pmd_vhostu_get_features reads it with no lock. */
	__atomic_store_n(&p->features, f, __ATOMIC_RELAXED);
	p->features_set = true;
	p->hdr_size = (f & (VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_MRG_RXBUF) |
		VHOSTU_BIT(VHOSTU_VIRTIO_F_VERSION_1))) ?
		VHOSTU_NET_HDR_LONG : VHOSTU_NET_HDR_SHORT;
	if (!(f & VHOSTU_BIT(VHOSTU_VHOST_USER_F_PROTOCOL_FEATURES))) {
		unsigned int i;

		/* Without PROTOCOL_FEATURES a started ring is enabled at once. */
		for (i = 0; i < RTE_DIM(p->vrings); i++)
			if (p->vrings[i].started)
				p->vrings[i].enabled = true;
	}
	vhostu_vrings_refresh(p);
	return 0;
}

static int
vhostu_h_set_owner(struct vhostu_port *p, struct vhostu_rx_msg *m __rte_unused,
		struct vhostu_reply *r __rte_unused)
{
	p->owner_set = true;
	return 0;
}

static int
vhostu_h_reset_owner(struct vhostu_port *p, struct vhostu_rx_msg *m __rte_unused,
		struct vhostu_reply *r __rte_unused)
{
	vhostu_port_reset_state(p);
	return 0;
}

static int
vhostu_h_get_protocol_features(struct vhostu_port *p __rte_unused,
		struct vhostu_rx_msg *m __rte_unused, struct vhostu_reply *r)
{
	vhostu_reply_u64(r, VHOSTU_DEFAULT_PROTOCOL_FEATURES);
	return VHOSTU_MSG_REPLY;
}

static int
vhostu_h_set_protocol_features(struct vhostu_port *p, struct vhostu_rx_msg *m,
		struct vhostu_reply *r __rte_unused)
{
	uint64_t f = m->msg.body.u64;

	if (f & ~VHOSTU_DEFAULT_PROTOCOL_FEATURES) {
		VHOSTU_PORT_LOG(p, ERR, "SET_PROTOCOL_FEATURES 0x%" PRIx64 " asks for 0x%" PRIx64
			" which was not offered", f, f & ~VHOSTU_DEFAULT_PROTOCOL_FEATURES);
		return -ENOTSUP;
	}
	p->protocol_features = f;
	return 0;
}

static int
vhostu_h_get_queue_num(struct vhostu_port *p, struct vhostu_rx_msg *m __rte_unused,
		struct vhostu_reply *r)
{
	vhostu_reply_u64(r, p->max_queue_pairs);
	return VHOSTU_MSG_REPLY;
}

static int
vhostu_h_get_max_mem_slots(struct vhostu_port *p __rte_unused, struct vhostu_rx_msg *m __rte_unused,
		struct vhostu_reply *r)
{
	vhostu_reply_u64(r, VHOSTU_MAX_MEM_SLOTS);
	return VHOSTU_MSG_REPLY;
}

/* Map every region of the new table aside; swap only when all of them mapped. */
static int
vhostu_h_set_mem_table(struct vhostu_port *p, struct vhostu_rx_msg *m,
		struct vhostu_reply *r __rte_unused)
{
	const struct vhostu_mem_table *t = &m->msg.body.mem;
	struct vhostu_mem fresh = { .nregions = 0 };
	struct vhostu_mem old;
	uint32_t i, n = t->nregions;
	int ret;

	if (n == 0 || n > VHOSTU_MAX_REGIONS || m->msg.hdr.size < 8 + n * sizeof(t->regions[0]) ||
			(uint32_t)m->nfds != n) {
		VHOSTU_PORT_LOG(p, ERR, "SET_MEM_TABLE: %u regions with %d fds in %u bytes"
			" is not a valid table", n, m->nfds, m->msg.hdr.size);
		return -EINVAL;
	}
	if (vhostu_mem_same(&p->mem, t->regions, n))
		return 0;	/* the fds are closed by the caller */
	for (i = 0; i < n; i++) {
		ret = vhostu_mem_add_region(p, &fresh, &t->regions[i], m->fds[i]);
		if (ret < 0) {
			VHOSTU_PORT_LOG(p, ERR, "SET_MEM_TABLE: region %u (gpa 0x%" PRIx64
				" size 0x%" PRIx64 " offset 0x%" PRIx64 "): %s", i,
				t->regions[i].guest_phys_addr, t->regions[i].memory_size,
				t->regions[i].mmap_offset, strerror(-ret));
			vhostu_mem_clear(&fresh);	/* closes the fds it took */
			return ret;
		}
		m->fds[i] = -1;
	}
	old = p->mem;
	p->mem = fresh;
	vhostu_vrings_refresh(p);
	vhostu_mem_clear(&old);
	return 0;
}

static bool
vhostu_region_matches(const struct vhostu_region *r, const struct vhostu_mem_region *w)
{
	return r->guest_phys_addr == w->guest_phys_addr && r->size == w->memory_size &&
		r->user_addr == w->userspace_addr;
}

static int
vhostu_h_add_mem_reg(struct vhostu_port *p, struct vhostu_rx_msg *m,
		struct vhostu_reply *r __rte_unused)
{
	const struct vhostu_mem_region *w = &m->msg.body.mem_single.region;
	uint32_t i;
	int ret;

	/* QEMU sets up each queue pair on its own and adds the same regions again. */
	for (i = 0; i < p->mem.nregions; i++)
		if (vhostu_region_matches(&p->mem.regions[i], w) &&
				p->mem.regions[i].mmap_offset == w->mmap_offset)
			return 0;	/* the fd is closed by the caller */
	ret = vhostu_mem_add_region(p, &p->mem, w, m->fds[0]);
	if (ret < 0) {
		VHOSTU_PORT_LOG(p, ERR, "ADD_MEM_REG (gpa 0x%" PRIx64 " size 0x%" PRIx64 "): %s",
			w->guest_phys_addr, w->memory_size, strerror(-ret));
		return ret;
	}
	m->fds[0] = -1;
	vhostu_vrings_refresh(p);
	return 0;
}

static int
vhostu_h_rem_mem_reg(struct vhostu_port *p, struct vhostu_rx_msg *m,
		struct vhostu_reply *r __rte_unused)
{
	const struct vhostu_mem_region *w = &m->msg.body.mem_single.region;
	uint32_t i;

	for (i = 0; i < p->mem.nregions; i++) {
		if (vhostu_region_matches(&p->mem.regions[i], w)) {
			vhostu_mem_remove_region(&p->mem, i);
			vhostu_vrings_refresh(p);
			return 0;
		}
	}
	VHOSTU_PORT_LOG(p, ERR, "REM_MEM_REG: no region at gpa 0x%" PRIx64 " size 0x%" PRIx64,
		w->guest_phys_addr, w->memory_size);
	return -ENOENT;
}

static int
vhostu_h_set_log_base(struct vhostu_port *p, struct vhostu_rx_msg *m, struct vhostu_reply *r)
{
	const struct vhostu_log *l = &m->msg.body.log;
	int ret;

	/*
	 * A frontend that goes on after a refused log would migrate without
	 * one and corrupt the destination guest: as rte_vhost does, a log we
	 * cannot map closes the connection (which is the frontend's answer).
	 */
	ret = vhostu_log_map(p, m->fds[0], l->mmap_size, l->mmap_offset);
	if (ret < 0) {
		VHOSTU_PORT_LOG(p, ERR, "SET_LOG_BASE size 0x%" PRIx64 " offset 0x%" PRIx64
			": %s: closing the connection", l->mmap_size, l->mmap_offset,
			strerror(-ret));
		return VHOSTU_MSG_CLOSE;
	}
	/* The frontend waits for this reply (LOG_SHMFD). */
	m->fds[0] = -1;	/* vhostu_log_map closed it */
	vhostu_reply_u64(r, 0);
	return VHOSTU_MSG_REPLY;
}

static int
vhostu_h_set_log_fd(struct vhostu_port *p, struct vhostu_rx_msg *m,
		struct vhostu_reply *r __rte_unused)
{
	/* We never signal log updates through an eventfd: the fd is closed. */
	return vhostu_msg_eventfd_ok(p, m, "SET_LOG_FD") ? 0 : -EINVAL;
}

static int
vhostu_h_set_vring_num(struct vhostu_port *p, struct vhostu_rx_msg *m,
		struct vhostu_reply *r __rte_unused)
{
	struct vhostu_vring *vr = vhostu_msg_vring(p, m->msg.body.state.index, "SET_VRING_NUM");
	uint32_t num = m->msg.body.state.num;

	if (vr == NULL)
		return -ERANGE;
	/* A packed ring's size need not be a power of two (virtio 1.1, 2.7.10.1). */
	if (num == 0 || num > VHOSTU_MAX_RING_SIZE || ((num & (num - 1)) != 0 &&
			!vhostu_has_feature(p, VHOSTU_VIRTIO_F_RING_PACKED))) {
		VHOSTU_PORT_LOG(p, ERR, "SET_VRING_NUM: vring %u size %u is not a power of two"
			" up to %u", vr->index, num, VHOSTU_MAX_RING_SIZE);
		return -EINVAL;
	}
	vr->size = num;
	vhostu_vring_translate(p, vr);
	vhostu_vring_update_ready(p, vr);
	return 0;
}

static int
vhostu_h_set_vring_addr(struct vhostu_port *p, struct vhostu_rx_msg *m,
		struct vhostu_reply *r __rte_unused)
{
	const struct vhostu_vring_addr *a = &m->msg.body.addr;
	struct vhostu_vring *vr = vhostu_msg_vring(p, a->index, "SET_VRING_ADDR");
	int ret;

	if (vr == NULL)
		return -ERANGE;
	vr->addr = *a;
	vr->addr_set = true;
	vr->log_used = (a->flags & VHOSTU_VRING_F_LOG) != 0;
	vr->log_guest_addr = a->log_guest_addr;
	ret = vhostu_vring_translate(p, vr);
	vhostu_vring_update_ready(p, vr);
	/* Without memory yet the addresses wait for SET_MEM_TABLE; with it they must fit. */
	return ret;
}

static int
vhostu_h_set_vring_base(struct vhostu_port *p, struct vhostu_rx_msg *m,
		struct vhostu_reply *r __rte_unused)
{
	struct vhostu_vring *vr = vhostu_msg_vring(p, m->msg.body.state.index, "SET_VRING_BASE");
	uint32_t num = m->msg.body.state.num;

	if (vr == NULL)
		return -ERANGE;
	if (vhostu_has_feature(p, VHOSTU_VIRTIO_F_RING_PACKED)) {
		/*
		 * Bits 0-14 the next available position, bit 15 the driver's wrap
		 * counter; QEMU puts its used position and wrap in bits 16-31. We
		 * return every chain we take within its burst, so the used position
		 * is the available one (as rte_vhost takes it).
		 */
		uint16_t idx = (uint16_t)(num & VHOSTU_PACKED_IDX_MASK);

		if (vr->size != 0 && idx >= vr->size) {
			VHOSTU_PORT_LOG(p, ERR, "SET_VRING_BASE: vring %u packed base %u is"
				" outside the ring of %u", vr->index, idx, vr->size);
			return -EINVAL;
		}
		vr->last_avail_idx = idx;
		vr->avail_wrap = (num >> VHOSTU_PACKED_WRAP_SHIFT) & 1;
		vr->last_used_idx = idx;
		vr->used_wrap = vr->avail_wrap;
		return 0;
	}
	if (num > UINT16_MAX) {
		VHOSTU_PORT_LOG(p, ERR, "SET_VRING_BASE: vring %u base %u does not fit a split"
			" ring index", vr->index, num);
		return -EINVAL;
	}
	vr->last_avail_idx = (uint16_t)num;
	vr->last_used_idx = (uint16_t)num;
	return 0;
}

static int
vhostu_h_get_vring_base(struct vhostu_port *p, struct vhostu_rx_msg *m, struct vhostu_reply *r)
{
	struct vhostu_vring *vr = vhostu_msg_vring(p, m->msg.body.state.index, "GET_VRING_BASE");

	if (vr == NULL)
		return VHOSTU_MSG_CLOSE;	/* no sensible reply to give */
	vr->started = false;
	vr->ready = false;
	vhostu_vring_set_kick(vr, -1);
	r->msg.hdr.size = sizeof(struct vhostu_vring_state);
	r->msg.body.state.index = vr->index;
	r->msg.body.state.num = vr->last_avail_idx;
	if (vhostu_has_feature(p, VHOSTU_VIRTIO_F_RING_PACKED))
		/* Available position and wrap, then the used ones (QEMU reads both). */
		r->msg.body.state.num = vhostu_packed_base(vr->last_avail_idx, vr->avail_wrap) |
			(uint32_t)vhostu_packed_base(vr->last_used_idx, vr->used_wrap) << 16;
	return VHOSTU_MSG_REPLY;
}

/* The vring a KICK/CALL/ERR payload names: bits 0-7 the index, bit 8 "no fd". */
static struct vhostu_vring *
vhostu_msg_fd_vring(struct vhostu_port *p, struct vhostu_rx_msg *m, const char *req, bool *nofd)
{
	uint64_t v = m->msg.body.u64;

	*nofd = (v & VHOSTU_VRING_NOFD) != 0;
	if (v & ~(uint64_t)(VHOSTU_VRING_IDX_MASK | VHOSTU_VRING_NOFD)) {
		VHOSTU_PORT_LOG(p, ERR, "%s: payload 0x%" PRIx64 " has bits beyond the index"
			" and no-fd flag", req, v);
		return NULL;
	}
	if (*nofd != (m->nfds == 0)) {
		VHOSTU_PORT_LOG(p, ERR, "%s: no-fd flag %d but %d fds attached", req, *nofd,
			m->nfds);
		return NULL;
	}
	return vhostu_msg_vring(p, (uint32_t)(v & VHOSTU_VRING_IDX_MASK), req);
}

/* What SET_VRING_KICK, CALL and ERR differ in; vhostu_msg_set_vring_fd does the rest. */
struct vhostu_vring_fd_msg {
	const char *req;
	size_t field;	/* offset of the int fd it replaces in struct vhostu_vring */
	/* NULL or a last check of a new fd, before the old one is closed: -errno refuses it */
	int (*accept)(struct vhostu_port *p, struct vhostu_vring *vr, int fd);
	/* NULL or what follows the swap, also for "no fd" */
	void (*done)(struct vhostu_port *p, struct vhostu_vring *vr);
	/* NULL or what replaces the fd (closing the old one) instead of a plain swap */
	void (*swap)(struct vhostu_vring *vr, int fd);
};

/*
 * Check the payload and the fd, then replace the ring's fd: the old one is
 * closed, "no fd" leaves -1. A refused fd leaves the ring as it was; it is
 * closed by the caller with the message.
 */
static int
vhostu_msg_set_vring_fd(struct vhostu_port *p, struct vhostu_rx_msg *m,
		const struct vhostu_vring_fd_msg *k)
{
	bool nofd;
	struct vhostu_vring *vr = vhostu_msg_fd_vring(p, m, k->req, &nofd);
	int *fd;

	if (vr == NULL)
		return -EINVAL;
	if (!nofd && !vhostu_msg_eventfd_ok(p, m, k->req))
		return -EINVAL;
	if (!nofd && k->accept != NULL && k->accept(p, vr, m->fds[0]) < 0)
		return -EINVAL;
	fd = RTE_PTR_ADD(vr, k->field);
	if (k->swap != NULL) {
		k->swap(vr, nofd ? -1 : vhostu_msg_take_fd(m, 0));
	} else {
		vhostu_close_fd(fd);
		if (!nofd)
			*fd = vhostu_msg_take_fd(m, 0);
	}
	if (k->done != NULL)
		k->done(p, vr);
	return 0;
}

/* A kick fd (or "no fd": the frontend polls) starts the ring. */
static void
vhostu_msg_kick_done(struct vhostu_port *p, struct vhostu_vring *vr)
{
	vr->started = true;
	if (!vhostu_has_feature(p, VHOSTU_VHOST_USER_F_PROTOCOL_FEATURES))
		vr->enabled = true;
	vhostu_vring_translate(p, vr);
	vhostu_vring_update_ready(p, vr);
}

/*
 * The call fd is made non-blocking: a frontend can raise an eventfd's counter
 * to its maximum, and the datapath's write must then fail (it is counted), not
 * wait. O_NONBLOCK is a flag of the open file, which the frontend shares; it
 * only matters to a reader, and QEMU and virtio-user make theirs non-blocking.
 * The swap itself is with the ring paused, under notify_lock (SET_VRING_CALL pauses).
 */
static int
vhostu_msg_call_accept(struct vhostu_port *p, struct vhostu_vring *vr, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		VHOSTU_PORT_LOG(p, ERR, "SET_VRING_CALL: vring %u: cannot make fd %d"
			" non-blocking: %s", vr->index, fd, strerror(errno));
		return -EINVAL;
	}
	return 0;
}

static int
vhostu_h_set_vring_kick(struct vhostu_port *p, struct vhostu_rx_msg *m,
		struct vhostu_reply *r __rte_unused)
{
	static const struct vhostu_vring_fd_msg kick = {
		"SET_VRING_KICK", offsetof(struct vhostu_vring, kickfd), NULL,
		vhostu_msg_kick_done, vhostu_vring_set_kick,	/* rx interrupts follow it */
	};

	return vhostu_msg_set_vring_fd(p, m, &kick);
}

static int
vhostu_h_set_vring_call(struct vhostu_port *p, struct vhostu_rx_msg *m,
		struct vhostu_reply *r __rte_unused)
{
	static const struct vhostu_vring_fd_msg call = {
		"SET_VRING_CALL", offsetof(struct vhostu_vring, callfd), vhostu_msg_call_accept,
		NULL,
	};

	return vhostu_msg_set_vring_fd(p, m, &call);
}

static int
vhostu_h_set_vring_err(struct vhostu_port *p, struct vhostu_rx_msg *m,
		struct vhostu_reply *r __rte_unused)
{
	static const struct vhostu_vring_fd_msg err = {
		"SET_VRING_ERR", offsetof(struct vhostu_vring, errfd), NULL, NULL,
	};

	return vhostu_msg_set_vring_fd(p, m, &err);
}

static int
vhostu_h_set_vring_enable(struct vhostu_port *p, struct vhostu_rx_msg *m,
		struct vhostu_reply *r __rte_unused)
{
	struct vhostu_vring *vr = vhostu_msg_vring(p, m->msg.body.state.index,
		"SET_VRING_ENABLE");
	uint32_t on = m->msg.body.state.num;

	if (vr == NULL)
		return -ERANGE;
	if (on > 1) {
		VHOSTU_PORT_LOG(p, ERR, "SET_VRING_ENABLE: vring %u value %u is neither 0 nor 1",
			vr->index, on);
		return -EINVAL;
	}
	vr->enabled = on == 1;
	vhostu_vring_update_ready(p, vr);
	return 0;
}

static int
vhostu_h_send_rarp(struct vhostu_port *p, struct vhostu_rx_msg *m,
		struct vhostu_reply *r __rte_unused)
{
	return vhostu_send_rarp(p, m->msg.body.mac);
}

static int
vhostu_h_net_set_mtu(struct vhostu_port *p, struct vhostu_rx_msg *m,
		struct vhostu_reply *r __rte_unused)
{
	uint64_t mtu = m->msg.body.u64;

	if (mtu < RTE_ETHER_MIN_MTU || mtu > UINT16_MAX) {
		VHOSTU_PORT_LOG(p, ERR, "NET_SET_MTU %" PRIu64 " is outside %u..%u", mtu,
			RTE_ETHER_MIN_MTU, UINT16_MAX);
		return -EINVAL;
	}
	p->mtu = (uint16_t)mtu;
	return 0;
}

static int
vhostu_h_set_status(struct vhostu_port *p, struct vhostu_rx_msg *m,
		struct vhostu_reply *r __rte_unused)
{
	uint64_t st = m->msg.body.u64;

	if (st > UINT8_MAX) {
		VHOSTU_PORT_LOG(p, ERR, "SET_STATUS 0x%" PRIx64 " is not a device status", st);
		return -EINVAL;
	}
	p->status = (uint8_t)st;
	return 0;
}

static int
vhostu_h_get_status(struct vhostu_port *p, struct vhostu_rx_msg *m __rte_unused,
		struct vhostu_reply *r)
{
	vhostu_reply_u64(r, p->status);
	return VHOSTU_MSG_REPLY;
}

#define NOFD 0, 0
#define ONEFD 1, 1
#define ANYFD 0, 1
static const struct vhostu_msg_desc vhostu_msg_table[VHOSTU_REQ_MAX] = {
	[VHOSTU_REQ_GET_FEATURES] = { vhostu_h_get_features, 0, 8, NOFD, false },
	[VHOSTU_REQ_SET_FEATURES] = { vhostu_h_set_features, 8, 8, NOFD, true },
	[VHOSTU_REQ_SET_OWNER] = { vhostu_h_set_owner, 0, 8, NOFD, false },
	[VHOSTU_REQ_RESET_OWNER] = { vhostu_h_reset_owner, 0, 8, NOFD, false },
	[VHOSTU_REQ_SET_MEM_TABLE] = { vhostu_h_set_mem_table,
		8 + sizeof(struct vhostu_mem_region), sizeof(struct vhostu_mem_table),
		1, VHOSTU_MAX_REGIONS, true },
	[VHOSTU_REQ_SET_LOG_BASE] = { vhostu_h_set_log_base,
		sizeof(struct vhostu_log), sizeof(struct vhostu_log), ONEFD, true },
	[VHOSTU_REQ_SET_LOG_FD] = { vhostu_h_set_log_fd, 0, 8, ONEFD, false },
	[VHOSTU_REQ_SET_VRING_NUM] = { vhostu_h_set_vring_num, 8, 8, NOFD, true },
	[VHOSTU_REQ_SET_VRING_ADDR] = { vhostu_h_set_vring_addr,
		sizeof(struct vhostu_vring_addr), sizeof(struct vhostu_vring_addr), NOFD, true },
	[VHOSTU_REQ_SET_VRING_BASE] = { vhostu_h_set_vring_base, 8, 8, NOFD, true },
	[VHOSTU_REQ_GET_VRING_BASE] = { vhostu_h_get_vring_base, 8, 8, NOFD, true },
	[VHOSTU_REQ_SET_VRING_KICK] = { vhostu_h_set_vring_kick, 8, 8, ANYFD, true },
	[VHOSTU_REQ_SET_VRING_CALL] = { vhostu_h_set_vring_call, 8, 8, ANYFD, true },
	[VHOSTU_REQ_SET_VRING_ERR] = { vhostu_h_set_vring_err, 8, 8, ANYFD, false },
	[VHOSTU_REQ_GET_PROTOCOL_FEATURES] = { vhostu_h_get_protocol_features,
		0, 8, NOFD, false },
	[VHOSTU_REQ_SET_PROTOCOL_FEATURES] = { vhostu_h_set_protocol_features,
		8, 8, NOFD, false },
	[VHOSTU_REQ_GET_QUEUE_NUM] = { vhostu_h_get_queue_num, 0, 8, NOFD, false },
	[VHOSTU_REQ_SET_VRING_ENABLE] = { vhostu_h_set_vring_enable, 8, 8, NOFD, true },
	[VHOSTU_REQ_SEND_RARP] = { vhostu_h_send_rarp, 6, 8, NOFD, false },
	[VHOSTU_REQ_NET_SET_MTU] = { vhostu_h_net_set_mtu, 8, 8, NOFD, false },
	[VHOSTU_REQ_GET_MAX_MEM_SLOTS] = { vhostu_h_get_max_mem_slots, 0, 8, NOFD, false },
	[VHOSTU_REQ_ADD_MEM_REG] = { vhostu_h_add_mem_reg,
		sizeof(struct vhostu_mem_single), sizeof(struct vhostu_mem_single), ONEFD, true },
	[VHOSTU_REQ_REM_MEM_REG] = { vhostu_h_rem_mem_reg,
		sizeof(struct vhostu_mem_single), sizeof(struct vhostu_mem_single), ANYFD, true },
	[VHOSTU_REQ_SET_STATUS] = { vhostu_h_set_status, 8, 8, NOFD, false },
	[VHOSTU_REQ_GET_STATUS] = { vhostu_h_get_status, 0, 8, NOFD, false },
};
#undef NOFD
#undef ONEFD
#undef ANYFD

static void
vhostu_msg_close_fds(struct vhostu_rx_msg *m)
{
	int i;

	for (i = 0; i < m->nfds; i++)
		vhostu_close_fd(&m->fds[i]);
	m->nfds = 0;
}

/* Size and fd checks that run before any handler. */
static int
vhostu_msg_validate(struct vhostu_port *p, const struct vhostu_msg_desc *d,
		const struct vhostu_rx_msg *m)
{
	const char *name = vhostu_request_name(m->msg.hdr.request);
	uint32_t size = m->msg.hdr.size;

	if (size < d->min_size || size > d->max_size) {
		VHOSTU_PORT_LOG(p, ERR, "%s: payload of %u bytes, expected %u to %u", name,
			size, d->min_size, d->max_size);
		return -EBADMSG;
	}
	if (m->nfds < d->min_fds || m->nfds > d->max_fds) {
		VHOSTU_PORT_LOG(p, ERR, "%s: %d fds attached, expected %u to %u", name,
			m->nfds, d->min_fds, d->max_fds);
		return -EBADMSG;
	}
	return 0;
}

static void
vhostu_msg_debug(const struct vhostu_port *p, const struct vhostu_rx_msg *m)
{
	VHOSTU_PORT_MSG_LOG(p, DEBUG, "<- %s (%u) flags 0x%x size %u fds %d",
		vhostu_request_name(m->msg.hdr.request), m->msg.hdr.request, m->msg.hdr.flags,
		m->msg.hdr.size, m->nfds);
}

/* The REPLY_ACK answer: 0 for success, 1 for failure. */
static void
vhostu_msg_ack(const struct vhostu_port *p, const struct vhostu_rx_msg *m, int ret,
		struct vhostu_reply *r)
{
	/* A frontend only asks once REPLY_ACK is negotiated; one that asks anyway waits. */
	RTE_SET_USED(p);
	if (r->send || !(m->msg.hdr.flags & VHOSTU_FLAG_NEED_REPLY))
		return;
	r->send = true;
	vhostu_reply_u64(r, ret < 0 ? 1 : 0);
}

static int
vhostu_msg_run(struct vhostu_port *p, const struct vhostu_msg_desc *d, struct vhostu_rx_msg *m,
		struct vhostu_reply *r)
{
	int ret;

	p->msg_vring = -1;
	if (d->pause)
		vhostu_port_pause(p);
	ret = d->handler(p, m, r);
	if (d->pause)
		vhostu_port_resume(p);
	if (ret >= 0 && ret != VHOSTU_MSG_CLOSE && p->msg_vring >= 0) {
		p->vrings[p->msg_vring].touched = true;
		p->nvrings = RTE_MAX(p->nvrings, (uint32_t)p->msg_vring + 1);
	}
	return ret;
}

/*
 * Handle one complete message. Returns 0 to go on (a reply may be in out) or
 * -errno when the connection must be closed. Every fd in `in` is kept by a
 * handler or closed here.
 */
int
vhostu_msg_handle(struct vhostu_port *p, struct vhostu_rx_msg *in, struct vhostu_reply *out)
{
	uint32_t req = in->msg.hdr.request;
	const struct vhostu_msg_desc *d;
	int ret;

	memset(out, 0, sizeof(*out));
	out->msg.hdr.request = req;
	out->msg.hdr.flags = VHOSTU_VERSION | VHOSTU_FLAG_REPLY;
	vhostu_msg_debug(p, in);
	if ((in->msg.hdr.flags & VHOSTU_VERSION_MASK) != VHOSTU_VERSION) {
		VHOSTU_PORT_LOG(p, ERR, "%s: protocol version %u, only 1 is spoken",
			vhostu_request_name(req), in->msg.hdr.flags & VHOSTU_VERSION_MASK);
		vhostu_msg_close_fds(in);
		return -EPROTO;
	}
	d = req < VHOSTU_REQ_MAX ? &vhostu_msg_table[req] : NULL;
	if (d == NULL || d->handler == NULL) {
		VHOSTU_PORT_LOG(p, WARNING, "request %s (%u) is not supported",
			vhostu_request_name(req), req);
		vhostu_msg_close_fds(in);
		vhostu_msg_ack(p, in, -ENOTSUP, out);
		return 0;
	}
	ret = vhostu_msg_validate(p, d, in);
	if (ret < 0) {
		vhostu_msg_close_fds(in);
		return ret;
	}
	ret = vhostu_msg_run(p, d, in, out);
	vhostu_msg_close_fds(in);
	if (ret == VHOSTU_MSG_CLOSE)
		return -EPROTO;
	out->send = ret == VHOSTU_MSG_REPLY;
	vhostu_msg_ack(p, in, ret, out);
	return 0;
}

/* Forget everything a connection set up: rings, memory, log, negotiation. */
void
vhostu_port_reset_state(struct vhostu_port *p)
{
	unsigned int i;

	vhostu_port_pause(p);
	for (i = 0; i < RTE_DIM(p->vrings); i++)
		vhostu_vring_reset(&p->vrings[i]);
	vhostu_mem_clear(&p->mem);
	vhostu_log_unmap(p);
	__atomic_store_n(&p->features, 0, __ATOMIC_RELAXED);
	p->protocol_features = 0;
	p->features_set = false;
	p->owner_set = false;
	p->status = 0;
	p->hdr_size = VHOSTU_NET_HDR_SHORT;
	p->nvrings = 0;
	vhostu_port_resume(p);
}
