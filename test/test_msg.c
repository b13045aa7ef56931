/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user message handlers fed messages directly, without a socket: valid
 * requests change the port as the spec says, bad ones are refused, leave the
 * port as it was, and every fd received is kept or closed.
 *
 * This file: the fixture (test_msg.h), the cases of split rings, memory, the
 * dirty log and fds, and main; packed rings and EVENT_IDX: test_msg_packed.c.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "vhostu_internal.h"
#include "test_common.h"
#include "test_msg.h"

struct vhostu_port *port;
int fd_baseline;

/* Kick, call, err and log fds must be eventfds (anything else is refused). */
int
eventfd_dup(void)
{
	return eventfd(0, EFD_CLOEXEC);
}

static bool
fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static int
guest_memfd(size_t size)
{
	int fd = memfd_create("guest", MFD_CLOEXEC);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(ftruncate(fd, (off_t)size) == 0);
	return fd;
}

static int
setup(void)
{
	unsigned int i;

	port = calloc(1, sizeof(*port));
	if (port == NULL)
		return 1;
	pthread_mutex_init(&port->lock, NULL);
	strcpy(port->name, "test0");
	port->max_queue_pairs = 2;
	port->feature_mask = UINT64_MAX;
	port->features_offered = VHOSTU_DEFAULT_FEATURES;
	port->conn_state = VHOSTU_CONN_UP;
	port->listen_fd = -1;
	port->conn_fd = -1;
	for (i = 0; i < RTE_DIM(port->vrings); i++)
		vhostu_vring_init(&port->vrings[i], port, i);
	fd_baseline = count_fds();
	return 0;
}

static int
teardown(void)
{
	vhostu_port_reset_state(port);
	free(port);
	return 0;
}

/* Build a message; fds are given in order, -1 ends the list. */
void
msg_init(struct vhostu_rx_msg *m, uint32_t req, uint32_t flags, uint32_t size)
{
	memset(m, 0, sizeof(*m));
	m->msg.hdr.request = req;
	m->msg.hdr.flags = VHOSTU_VERSION | flags;
	m->msg.hdr.size = size;
	m->nfds = 0;
}

void
msg_add_fd(struct vhostu_rx_msg *m, int fd)
{
	m->fds[m->nfds++] = fd;
}

int
send_u64(uint32_t req, uint64_t v, uint32_t flags, struct vhostu_reply *r)
{
	struct vhostu_rx_msg m;

	msg_init(&m, req, flags, 8);
	m.msg.body.u64 = v;
	return vhostu_msg_handle(port, &m, r);
}

int
send_state(uint32_t req, uint32_t index, uint32_t num, struct vhostu_reply *r)
{
	struct vhostu_rx_msg m;

	msg_init(&m, req, 0, 8);
	m.msg.body.state.index = index;
	m.msg.body.state.num = num;
	return vhostu_msg_handle(port, &m, r);
}

static int
send_mem_table(uint32_t n, const struct vhostu_mem_region *regs, const int *fds, int nfds,
		struct vhostu_reply *r)
{
	struct vhostu_rx_msg m;
	int i;

	msg_init(&m, VHOSTU_REQ_SET_MEM_TABLE, VHOSTU_FLAG_NEED_REPLY,
		8 + RTE_MAX(n, 1u) * sizeof(struct vhostu_mem_region));
	m.msg.body.mem.nregions = n;
	if (n > 0 && n <= VHOSTU_MAX_REGIONS)
		memcpy(m.msg.body.mem.regions, regs, n * sizeof(*regs));
	for (i = 0; i < nfds; i++)
		msg_add_fd(&m, fds[i]);
	return vhostu_msg_handle(port, &m, r);
}

static struct vhostu_mem_region
region(uint64_t gpa, uint64_t size, uint64_t uva, uint64_t off)
{
	struct vhostu_mem_region w = {
		.guest_phys_addr = gpa, .memory_size = size, .userspace_addr = uva,
		.mmap_offset = off,
	};
	return w;
}

void
map_guest_memory(void)
{
	struct vhostu_mem_region w = region(0, MEM_SIZE, GUEST_UVA, 0);
	struct vhostu_reply r;
	int fd = guest_memfd(MEM_SIZE);

	CU_ASSERT_EQUAL_FATAL(send_mem_table(1, &w, &fd, 1, &r), 0);
	CU_ASSERT_TRUE(r.send);
	CU_ASSERT_EQUAL(r.msg.body.u64, 0);
	CU_ASSERT_EQUAL_FATAL(port->mem.nregions, 1);
}

/* Set up vring idx at guest offset `off`: NUM, BASE, ADDR, KICK. */
void
setup_vring(uint32_t idx, uint64_t off)
{
	struct vhostu_reply r;
	struct vhostu_rx_msg m;

	CU_ASSERT_EQUAL(send_state(VHOSTU_REQ_SET_VRING_NUM, idx, RING_SIZE, &r), 0);
	CU_ASSERT_EQUAL(send_state(VHOSTU_REQ_SET_VRING_BASE, idx, 0, &r), 0);
	msg_init(&m, VHOSTU_REQ_SET_VRING_ADDR, 0, sizeof(struct vhostu_vring_addr));
	m.msg.body.addr.index = idx;
	m.msg.body.addr.desc_user_addr = GUEST_UVA + off;
	m.msg.body.addr.avail_user_addr = GUEST_UVA + off + 16 * RING_SIZE;
	m.msg.body.addr.used_user_addr = GUEST_UVA + off + 0x2000;
	CU_ASSERT_EQUAL(vhostu_msg_handle(port, &m, &r), 0);
	msg_init(&m, VHOSTU_REQ_SET_VRING_KICK, 0, 8);
	m.msg.body.u64 = idx;
	msg_add_fd(&m, eventfd_dup());
	CU_ASSERT_EQUAL(vhostu_msg_handle(port, &m, &r), 0);
}

static void
test_get_features_offers_the_seed_set(void)
{
	struct vhostu_reply r;
	struct vhostu_rx_msg m;

	msg_init(&m, VHOSTU_REQ_GET_FEATURES, 0, 0);
	CU_ASSERT_EQUAL(vhostu_msg_handle(port, &m, &r), 0);
	CU_ASSERT_TRUE(r.send);
	CU_ASSERT_EQUAL(r.msg.hdr.flags, VHOSTU_VERSION | VHOSTU_FLAG_REPLY);
	CU_ASSERT_EQUAL(r.msg.hdr.size, 8);
	CU_ASSERT_EQUAL(r.msg.body.u64, 0xd7c62bb8bULL);
}

static void
test_set_features_refuses_bits_not_offered(void)
{
	struct vhostu_reply r;

	CU_ASSERT_EQUAL(send_u64(VHOSTU_REQ_SET_FEATURES, VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_HOST_UFO),
		VHOSTU_FLAG_NEED_REPLY, &r), 0);
	CU_ASSERT_TRUE(r.send);
	CU_ASSERT_EQUAL(r.msg.body.u64, 1);	/* failure */
	CU_ASSERT_FALSE(port->features_set);
	CU_ASSERT_EQUAL(send_u64(VHOSTU_REQ_SET_FEATURES, 0x150408000ULL,
		VHOSTU_FLAG_NEED_REPLY, &r), 0);
	CU_ASSERT_EQUAL(r.msg.body.u64, 0);
	CU_ASSERT_EQUAL(port->features, 0x150408000ULL);
	CU_ASSERT_EQUAL(port->hdr_size, 12);
}

static void
test_protocol_features_negotiate_only_what_is_offered(void)
{
	struct vhostu_reply r;
	struct vhostu_rx_msg m;

	msg_init(&m, VHOSTU_REQ_GET_PROTOCOL_FEATURES, 0, 0);
	CU_ASSERT_EQUAL(vhostu_msg_handle(port, &m, &r), 0);
	CU_ASSERT_EQUAL(r.msg.body.u64 & 0x3, 0x3);	/* MQ and LOG_SHMFD, as the seed shows */
	CU_ASSERT_EQUAL(send_u64(VHOSTU_REQ_SET_PROTOCOL_FEATURES,
		VHOSTU_BIT(VHOSTU_PF_BACKEND_REQ), VHOSTU_FLAG_NEED_REPLY, &r), 0);
	CU_ASSERT_EQUAL(r.msg.body.u64, 1);
	CU_ASSERT_EQUAL(send_u64(VHOSTU_REQ_SET_PROTOCOL_FEATURES,
		0x3 | VHOSTU_BIT(VHOSTU_PF_REPLY_ACK), 0, &r), 0);
	CU_ASSERT_EQUAL(port->protocol_features, 0x3 | VHOSTU_BIT(VHOSTU_PF_REPLY_ACK));
}

static void
test_bad_mem_tables_change_nothing(void)
{
	struct vhostu_mem_region w[2];
	struct vhostu_reply r;
	int fds[2];
	uint64_t host;

	map_guest_memory();
	host = port->mem.regions[0].host_addr;
	/* Region larger than its file. */
	fds[0] = guest_memfd(4096);
	w[0] = region(0, MEM_SIZE, GUEST_UVA + MEM_SIZE, 0);
	CU_ASSERT_EQUAL(send_mem_table(1, w, fds, 1, &r), 0);
	CU_ASSERT_EQUAL(r.msg.body.u64, 1);
	CU_ASSERT_FALSE(fd_is_open(fds[0]));
	/* size + offset overflowing. */
	fds[0] = guest_memfd(4096);
	w[0] = region(0, 4096, GUEST_UVA, UINT64_MAX - 100);
	CU_ASSERT_EQUAL(send_mem_table(1, w, fds, 1, &r), 0);
	CU_ASSERT_EQUAL(r.msg.body.u64, 1);
	/* Overlapping regions. */
	fds[0] = guest_memfd(8192);
	fds[1] = guest_memfd(8192);
	w[0] = region(0, 8192, GUEST_UVA, 0);
	w[1] = region(4096, 8192, GUEST_UVA + 0x10000, 0);
	CU_ASSERT_EQUAL(send_mem_table(2, w, fds, 2, &r), 0);
	CU_ASSERT_EQUAL(r.msg.body.u64, 1);
	CU_ASSERT_FALSE(fd_is_open(fds[0]) || fd_is_open(fds[1]));
	/* Region count 0, and fds not matching the count. */
	fds[0] = guest_memfd(4096);
	CU_ASSERT_EQUAL(send_mem_table(0, w, fds, 1, &r), 0);
	CU_ASSERT_EQUAL(r.msg.body.u64, 1);
	fds[0] = guest_memfd(4096);
	w[0] = region(0, 4096, GUEST_UVA, 0);
	w[1] = region(0x100000, 4096, GUEST_UVA + 0x100000, 0);
	CU_ASSERT_EQUAL(send_mem_table(2, w, fds, 1, &r), 0);
	CU_ASSERT_EQUAL(r.msg.body.u64, 1);
	CU_ASSERT_FALSE(fd_is_open(fds[0]));
	/* The first table is still in place. */
	CU_ASSERT_EQUAL(port->mem.nregions, 1);
	CU_ASSERT_EQUAL(port->mem.regions[0].host_addr, host);
	vhostu_port_reset_state(port);
	CU_ASSERT_EQUAL(count_fds(), fd_baseline);
}

static void
test_same_mem_table_twice_keeps_the_mapping(void)
{
	struct vhostu_mem_region w = region(0, MEM_SIZE, GUEST_UVA, 0);
	struct vhostu_reply r;
	uint64_t host;
	int fd;

	map_guest_memory();
	host = port->mem.regions[0].host_addr;
	fd = guest_memfd(MEM_SIZE);
	CU_ASSERT_EQUAL(send_mem_table(1, &w, &fd, 1, &r), 0);
	CU_ASSERT_EQUAL(r.msg.body.u64, 0);
	CU_ASSERT_EQUAL(port->mem.regions[0].host_addr, host);
	CU_ASSERT_FALSE(fd_is_open(fd));
	vhostu_port_reset_state(port);
	CU_ASSERT_EQUAL(count_fds(), fd_baseline);
}

static void
test_vring_num_must_be_a_power_of_two_up_to_32768(void)
{
	static const uint32_t bad[] = { 0, 3, 100, 65536, 0x80000000u };
	struct vhostu_reply r;
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++) {
		CU_ASSERT_EQUAL(send_state(VHOSTU_REQ_SET_VRING_NUM, 0, bad[i], &r), 0);
		CU_ASSERT_EQUAL(port->vrings[0].size, 0);
	}
	CU_ASSERT_EQUAL(port->nvrings, 0);	/* a refused request shows no ring */
	CU_ASSERT_EQUAL(send_state(VHOSTU_REQ_SET_VRING_NUM, 0, 32768, &r), 0);
	CU_ASSERT_EQUAL(port->vrings[0].size, 32768);
	vhostu_port_reset_state(port);
}

static void
test_vring_index_is_checked_as_32_bits(void)
{
	static const uint32_t bad[] = { 4, 16, 255, 0x10000, 0x10001, UINT32_MAX };
	struct vhostu_reply r;
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++) {
		CU_ASSERT_EQUAL(send_state(VHOSTU_REQ_SET_VRING_NUM, bad[i], 256, &r), 0);
		CU_ASSERT_EQUAL(send_state(VHOSTU_REQ_SET_VRING_ENABLE, bad[i], 1, &r), 0);
		/* No sensible GET_VRING_BASE reply exists: the connection is closed. */
		CU_ASSERT(send_state(VHOSTU_REQ_GET_VRING_BASE, bad[i], 0, &r) < 0);
	}
	for (i = 0; i < RTE_DIM(port->vrings); i++)
		CU_ASSERT_EQUAL(port->vrings[i].size, 0);
	CU_ASSERT_EQUAL(port->nvrings, 0);
	/* KICK/CALL: only bits 0-7 and the no-fd bit 8 may be set. */
	CU_ASSERT_EQUAL(send_u64(VHOSTU_REQ_SET_VRING_CALL, 0x10000 | VHOSTU_VRING_NOFD, 0, &r), 0);
	CU_ASSERT_EQUAL(send_u64(VHOSTU_REQ_SET_VRING_CALL, 5 | VHOSTU_VRING_NOFD, 0, &r), 0);
	CU_ASSERT_EQUAL(port->nvrings, 0);
}

static void
test_ring_outside_memory_is_not_ready(void)
{
	struct vhostu_reply r;
	struct vhostu_rx_msg m;

	map_guest_memory();
	CU_ASSERT_EQUAL(send_state(VHOSTU_REQ_SET_VRING_NUM, 1, RING_SIZE, &r), 0);
	msg_init(&m, VHOSTU_REQ_SET_VRING_ADDR, 0, sizeof(struct vhostu_vring_addr));
	m.msg.body.addr.index = 1;
	m.msg.body.addr.desc_user_addr = GUEST_UVA + MEM_SIZE - 16;	/* runs past the end */
	m.msg.body.addr.avail_user_addr = GUEST_UVA;
	m.msg.body.addr.used_user_addr = GUEST_UVA + 0x1000;
	m.msg.hdr.flags |= VHOSTU_FLAG_NEED_REPLY;
	CU_ASSERT_EQUAL(vhostu_msg_handle(port, &m, &r), 0);
	CU_ASSERT_TRUE(r.send);
	CU_ASSERT_EQUAL(r.msg.body.u64, 1);
	CU_ASSERT_EQUAL(send_u64(VHOSTU_REQ_SET_VRING_KICK, 1 | VHOSTU_VRING_NOFD, 0, &r), 0);
	CU_ASSERT_EQUAL(send_state(VHOSTU_REQ_SET_VRING_ENABLE, 1, 1, &r), 0);
	CU_ASSERT_PTR_NULL(port->vrings[1].desc);
	CU_ASSERT_FALSE(port->vrings[1].ready);
	vhostu_port_reset_state(port);
}

static void
test_full_setup_makes_a_ready_pair_and_get_vring_base_stops_it(void)
{
	struct vhostu_reply r;

	CU_ASSERT_EQUAL(send_u64(VHOSTU_REQ_SET_FEATURES, 0x150408000ULL, 0, &r), 0);
	map_guest_memory();
	setup_vring(0, 0x10000);
	setup_vring(1, 0x20000);
	CU_ASSERT_FALSE(vhostu_port_ready(port));	/* PROTOCOL_FEATURES: enable decides */
	CU_ASSERT_EQUAL(send_state(VHOSTU_REQ_SET_VRING_ENABLE, 0, 1, &r), 0);
	CU_ASSERT_EQUAL(send_state(VHOSTU_REQ_SET_VRING_ENABLE, 1, 1, &r), 0);
	CU_ASSERT_TRUE(port->vrings[0].ready && port->vrings[1].ready);
	CU_ASSERT_TRUE(vhostu_port_ready(port));
	CU_ASSERT_EQUAL(port->nvrings, 2);
	port->vrings[1].last_avail_idx = 77;
	CU_ASSERT_EQUAL(send_state(VHOSTU_REQ_GET_VRING_BASE, 1, 0, &r), 0);
	CU_ASSERT_TRUE(r.send);
	CU_ASSERT_EQUAL(r.msg.body.state.index, 1);
	CU_ASSERT_EQUAL(r.msg.body.state.num, 77);
	CU_ASSERT_FALSE(port->vrings[1].ready);
	CU_ASSERT_EQUAL(port->vrings[1].kickfd, -1);
	CU_ASSERT_FALSE(vhostu_port_ready(port));
	vhostu_port_reset_state(port);
	CU_ASSERT_EQUAL(count_fds(), fd_baseline);
}

static void
test_status_gates_readiness_when_negotiated(void)
{
	struct vhostu_reply r;

	CU_ASSERT_EQUAL(send_u64(VHOSTU_REQ_SET_PROTOCOL_FEATURES,
		VHOSTU_BIT(VHOSTU_PF_STATUS), 0, &r), 0);
	CU_ASSERT_EQUAL(send_u64(VHOSTU_REQ_SET_FEATURES, 0x100000000ULL, 0, &r), 0);
	map_guest_memory();
	setup_vring(0, 0x10000);
	setup_vring(1, 0x20000);
	/* Without PROTOCOL_FEATURES the rings are enabled by their kick. */
	CU_ASSERT_TRUE(port->vrings[0].ready && port->vrings[1].ready);
	CU_ASSERT_FALSE(vhostu_port_ready(port));
	CU_ASSERT_EQUAL(send_u64(VHOSTU_REQ_SET_STATUS, 0xf, 0, &r), 0);
	CU_ASSERT_TRUE(vhostu_port_ready(port));
	CU_ASSERT_EQUAL(send_u64(VHOSTU_REQ_SET_STATUS, 0x1ff, 0, &r), 0);	/* not a status */
	CU_ASSERT_EQUAL(port->status, 0xf);
	vhostu_port_reset_state(port);
	CU_ASSERT_EQUAL(count_fds(), fd_baseline);
}

static void
test_extra_fds_close_the_connection_and_are_closed(void)
{
	struct vhostu_reply r;
	struct vhostu_rx_msg m;
	int a = eventfd_dup(), b = eventfd_dup();

	msg_init(&m, VHOSTU_REQ_SET_OWNER, 0, 0);
	msg_add_fd(&m, a);
	msg_add_fd(&m, b);
	CU_ASSERT(vhostu_msg_handle(port, &m, &r) < 0);
	CU_ASSERT_FALSE(fd_is_open(a) || fd_is_open(b));
	/* A kick that says "no fd" but brings one. */
	a = eventfd_dup();
	msg_init(&m, VHOSTU_REQ_SET_VRING_KICK, 0, 8);
	m.msg.body.u64 = VHOSTU_VRING_NOFD;
	msg_add_fd(&m, a);
	CU_ASSERT_EQUAL(vhostu_msg_handle(port, &m, &r), 0);
	CU_ASSERT_FALSE(fd_is_open(a));
	CU_ASSERT_FALSE(port->vrings[0].started);
	CU_ASSERT_EQUAL(count_fds(), fd_baseline);
}

static void
test_wrong_payload_sizes_close_the_connection(void)
{
	struct vhostu_reply r;
	struct vhostu_rx_msg m;

	msg_init(&m, VHOSTU_REQ_SET_FEATURES, 0, 4);
	CU_ASSERT(vhostu_msg_handle(port, &m, &r) < 0);
	msg_init(&m, VHOSTU_REQ_SET_VRING_ADDR, 0, 39);
	CU_ASSERT(vhostu_msg_handle(port, &m, &r) < 0);
	msg_init(&m, VHOSTU_REQ_SET_VRING_NUM, 0, 16);
	CU_ASSERT(vhostu_msg_handle(port, &m, &r) < 0);
	msg_init(&m, VHOSTU_REQ_GET_FEATURES, 2 /* version 2 */, 0);
	m.msg.hdr.flags = 2;
	CU_ASSERT(vhostu_msg_handle(port, &m, &r) < 0);
}

static void
test_unknown_requests_get_an_error_reply(void)
{
	static const uint32_t reqs[] = { 0, VHOSTU_REQ_GET_CONFIG, VHOSTU_REQ_VRING_KICK, 99,
		UINT32_MAX };
	struct vhostu_reply r;
	struct vhostu_rx_msg m;
	unsigned int i;
	int fd;

	for (i = 0; i < RTE_DIM(reqs); i++) {
		fd = eventfd_dup();
		msg_init(&m, reqs[i], VHOSTU_FLAG_NEED_REPLY, 8);
		msg_add_fd(&m, fd);
		CU_ASSERT_EQUAL(vhostu_msg_handle(port, &m, &r), 0);
		CU_ASSERT_TRUE(r.send);
		CU_ASSERT_EQUAL(r.msg.hdr.request, reqs[i]);
		CU_ASSERT_EQUAL(r.msg.body.u64, 1);
		CU_ASSERT_FALSE(fd_is_open(fd));
	}
	CU_ASSERT_STRING_EQUAL(vhostu_request_name(VHOSTU_REQ_GET_STATUS), "GET_STATUS");
	CU_ASSERT_STRING_EQUAL(vhostu_request_name(12345), "UNKNOWN");
}

static void
test_log_base_is_checked_and_replaced_without_leaks(void)
{
	struct vhostu_reply r;
	struct vhostu_rx_msg m;
	int i, fd;

	for (i = 0; i < 3; i++) {
		fd = guest_memfd(8192);
		msg_init(&m, VHOSTU_REQ_SET_LOG_BASE, 0, sizeof(struct vhostu_log));
		m.msg.body.log.mmap_size = 4096;
		m.msg.body.log.mmap_offset = 4096;
		msg_add_fd(&m, fd);
		CU_ASSERT_EQUAL(vhostu_msg_handle(port, &m, &r), 0);
		CU_ASSERT_TRUE(r.send);
		CU_ASSERT_EQUAL(r.msg.body.u64, 0);
		CU_ASSERT_PTR_NOT_NULL(port->log_addr);
	}
	CU_ASSERT_EQUAL(count_fds(), fd_baseline);	/* the log fd is closed once mapped */
	vhostu_port_reset_state(port);
	CU_ASSERT_PTR_NULL(port->log_addr);
}

static int
send_log_base(int fd, uint64_t size, uint64_t offset, uint32_t flags, struct vhostu_reply *r)
{
	struct vhostu_rx_msg m;

	msg_init(&m, VHOSTU_REQ_SET_LOG_BASE, flags, sizeof(struct vhostu_log));
	m.msg.body.log.mmap_size = size;
	m.msg.body.log.mmap_offset = offset;
	msg_add_fd(&m, fd);
	return vhostu_msg_handle(port, &m, r);
}

/* Going on without the log would let a migration corrupt the destination guest. */
static void
test_failed_log_base_closes_the_connection(void)
{
	static const struct { uint64_t size, offset; } bad[] = {
		{ UINT64_MAX - 10, 4096 },	/* size + offset overflow */
		{ 0, 0 },			/* empty */
		{ 8192, 4096 },			/* beyond the file */
		{ 4096, 8192 },			/* offset at the end of the file */
	};
	struct vhostu_reply r;
	unsigned int i;
	int fd, pfd[2];

	for (i = 0; i < RTE_DIM(bad); i++) {
		fd = guest_memfd(8192);
		CU_ASSERT(send_log_base(fd, bad[i].size, bad[i].offset, 0, &r) < 0);
		CU_ASSERT_FALSE(r.send);
		CU_ASSERT_FALSE(fd_is_open(fd));
		CU_ASSERT(send_log_base(guest_memfd(8192), bad[i].size, bad[i].offset,
			VHOSTU_FLAG_NEED_REPLY, &r) < 0);
	}
	/* Not a file that can be mapped. */
	CU_ASSERT_FATAL(pipe(pfd) == 0);
	CU_ASSERT(send_log_base(pfd[0], 4096, 0, 0, &r) < 0);
	CU_ASSERT_FALSE(fd_is_open(pfd[0]));
	close(pfd[1]);
	vhostu_port_reset_state(port);
	CU_ASSERT_EQUAL(count_fds(), fd_baseline);
}

static void
test_add_and_remove_mem_regions(void)
{
	struct vhostu_reply r;
	struct vhostu_rx_msg m;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		msg_init(&m, VHOSTU_REQ_ADD_MEM_REG, VHOSTU_FLAG_NEED_REPLY,
			sizeof(struct vhostu_mem_single));
		m.msg.body.mem_single.region = region(i * 0x10000, 0x10000,
			GUEST_UVA + i * 0x10000, 0);
		msg_add_fd(&m, guest_memfd(0x10000));
		CU_ASSERT_EQUAL(vhostu_msg_handle(port, &m, &r), 0);
		CU_ASSERT_EQUAL(r.msg.body.u64, 0);
	}
	CU_ASSERT_EQUAL(port->mem.nregions, 3);
	/* The same region again (QEMU, one vhost device per queue pair) is no change. */
	msg_init(&m, VHOSTU_REQ_ADD_MEM_REG, VHOSTU_FLAG_NEED_REPLY,
		sizeof(struct vhostu_mem_single));
	m.msg.body.mem_single.region = region(0x10000, 0x10000, GUEST_UVA + 0x10000, 0);
	msg_add_fd(&m, guest_memfd(0x10000));
	CU_ASSERT_EQUAL(vhostu_msg_handle(port, &m, &r), 0);
	CU_ASSERT_EQUAL(r.msg.body.u64, 0);
	CU_ASSERT_EQUAL(port->mem.nregions, 3);
	/* An overlapping, different one is refused. */
	m.msg.body.mem_single.region = region(0x18000, 0x10000, GUEST_UVA + 0x18000, 0);
	msg_add_fd(&m, guest_memfd(0x10000));
	CU_ASSERT_EQUAL(vhostu_msg_handle(port, &m, &r), 0);
	CU_ASSERT_EQUAL(r.msg.body.u64, 1);
	CU_ASSERT_EQUAL(port->mem.nregions, 3);
	CU_ASSERT_PTR_NOT_NULL(vhostu_gpa_to_va(&port->mem, 0x20000, 0x10000));
	CU_ASSERT_PTR_NULL(vhostu_gpa_to_va(&port->mem, 0x20000, 0x10001));
	msg_init(&m, VHOSTU_REQ_REM_MEM_REG, VHOSTU_FLAG_NEED_REPLY,
		sizeof(struct vhostu_mem_single));
	m.msg.body.mem_single.region = region(0x10000, 0x10000, GUEST_UVA + 0x10000, 0);
	CU_ASSERT_EQUAL(vhostu_msg_handle(port, &m, &r), 0);
	CU_ASSERT_EQUAL(r.msg.body.u64, 0);
	CU_ASSERT_EQUAL(port->mem.nregions, 2);
	CU_ASSERT_PTR_NULL(vhostu_gpa_to_va(&port->mem, 0x10000, 1));
	CU_ASSERT_EQUAL(vhostu_msg_handle(port, &m, &r), 0);	/* gone already */
	CU_ASSERT_EQUAL(r.msg.body.u64, 1);
	vhostu_port_reset_state(port);
	CU_ASSERT_EQUAL(count_fds(), fd_baseline);
}

static void
test_queue_num_and_mem_slots_are_announced(void)
{
	struct vhostu_reply r;
	struct vhostu_rx_msg m;

	msg_init(&m, VHOSTU_REQ_GET_QUEUE_NUM, 0, 0);
	CU_ASSERT_EQUAL(vhostu_msg_handle(port, &m, &r), 0);
	CU_ASSERT_EQUAL(r.msg.body.u64, 2);
	msg_init(&m, VHOSTU_REQ_GET_MAX_MEM_SLOTS, 0, 0);
	CU_ASSERT_EQUAL(vhostu_msg_handle(port, &m, &r), 0);
	CU_ASSERT_EQUAL(r.msg.body.u64, VHOSTU_MAX_MEM_SLOTS);
}

/* What a burst does to guest memory: read it through the driver's translation. */
static uint8_t
touch(const void *va)
{
	return *(const volatile uint8_t *)va;
}

static int
sealed_memfd(size_t size, unsigned int seals)
{
	int fd = memfd_create("guest", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(ftruncate(fd, (off_t)size) == 0);
	CU_ASSERT_FATAL(fcntl(fd, F_ADD_SEALS, seals) == 0);
	return fd;
}

static void
test_memfd_sealed_against_shrinking_is_not_watched(void)
{
	struct vhostu_mem_region w = region(0, MEM_SIZE, GUEST_UVA, 0);
	struct vhostu_reply r;
	int fd = sealed_memfd(MEM_SIZE, F_SEAL_SHRINK);

	CU_ASSERT_EQUAL(send_mem_table(1, &w, &fd, 1, &r), 0);
	CU_ASSERT_EQUAL(r.msg.body.u64, 0);
	CU_ASSERT_EQUAL_FATAL(port->mem.nregions, 1);
	CU_ASSERT_FALSE(vhostu_fault_watched((void *)(uintptr_t)port->mem.regions[0].host_addr));
	vhostu_port_reset_state(port);
	/* Sealed, but not against shrinking: watched. */
	fd = sealed_memfd(MEM_SIZE, F_SEAL_GROW);
	CU_ASSERT_EQUAL(send_mem_table(1, &w, &fd, 1, &r), 0);
	CU_ASSERT_EQUAL(r.msg.body.u64, 0);
	CU_ASSERT_TRUE(vhostu_fault_watched((void *)(uintptr_t)port->mem.regions[0].host_addr));
	vhostu_port_reset_state(port);
	CU_ASSERT_EQUAL(count_fds(), fd_baseline);
}

static void
test_truncated_region_reads_zeros_and_marks_the_port(void)
{
	struct vhostu_mem_region w = region(0x100000, MEM_SIZE, GUEST_UVA, 0);
	struct vhostu_reply r;
	int fd = guest_memfd(MEM_SIZE), frontend = dup(fd);
	uint8_t *va, b = 0x5a;

	CU_ASSERT_EQUAL(send_mem_table(1, &w, &fd, 1, &r), 0);
	CU_ASSERT_EQUAL(r.msg.body.u64, 0);
	va = vhostu_gpa_to_va(&port->mem, 0x110000, 64);
	CU_ASSERT_PTR_NOT_NULL_FATAL(va);
	CU_ASSERT_TRUE(vhostu_fault_watched(va));
	CU_ASSERT_EQUAL(pwrite(frontend, &b, 1, 0x10000), 1);
	CU_ASSERT_EQUAL(touch(va), 0x5a);	/* shared with the frontend */
	CU_ASSERT_EQUAL(port->fault_state, VHOSTU_FAULT_NONE);
	/* The frontend shrinks its file: the next access would raise SIGBUS. */
	CU_ASSERT_EQUAL(ftruncate(frontend, 0), 0);
	CU_ASSERT_EQUAL(touch(va), 0);
	CU_ASSERT_EQUAL(touch(vhostu_gpa_to_va(&port->mem, 0x100000 + MEM_SIZE - 1, 1)), 0);
	CU_ASSERT_EQUAL(port->fault_state, VHOSTU_FAULT_RECORDED);
	CU_ASSERT_EQUAL(port->fault.kind, VHOSTU_FAULT_REGION);
	CU_ASSERT_EQUAL(port->fault.gpa, 0x100000);
	CU_ASSERT_EQUAL(port->fault.size, MEM_SIZE);
	CU_ASSERT_EQUAL(port->fault.offset, 0x10000);	/* the first fault is kept */
	/* What the control thread does: it sees the fault once, then closes. */
	CU_ASSERT_TRUE(vhostu_fault_pending());
	CU_ASSERT_FALSE(vhostu_fault_pending());
	CU_ASSERT_TRUE(vhostu_fault_take(port));
	CU_ASSERT_FALSE(vhostu_fault_take(port));
	vhostu_port_reset_state(port);
	CU_ASSERT_FALSE(vhostu_fault_watched(va));
	close(frontend);
	CU_ASSERT_EQUAL(count_fds(), fd_baseline);
}

static void
test_truncated_log_is_survived_by_the_datapath(void)
{
	struct vhostu_reply r;
	int fd = guest_memfd(8192), frontend = dup(fd);
	uint8_t b;

	CU_ASSERT_EQUAL(send_log_base(fd, 4096, 4096, 0, &r), 0);
	CU_ASSERT_EQUAL(r.msg.body.u64, 0);
	CU_ASSERT_TRUE(vhostu_fault_watched(port->log_addr));
	port->features |= VHOSTU_BIT(VHOSTU_VHOST_F_LOG_ALL);
	vhostu_log_write(port, 9 * VHOSTU_PAGE_SIZE, 1);
	CU_ASSERT_EQUAL(pread(frontend, &b, 1, 4096 + 1), 1);
	CU_ASSERT_EQUAL(b, 0x2);	/* page 9: byte 1, bit 1 */
	CU_ASSERT_EQUAL(ftruncate(frontend, 4096), 0);	/* the log is beyond the end now */
	vhostu_log_write(port, 9 * VHOSTU_PAGE_SIZE, 1);	/* as a burst marks a page */
	CU_ASSERT_EQUAL(port->fault_state, VHOSTU_FAULT_RECORDED);
	CU_ASSERT_EQUAL(port->fault.kind, VHOSTU_FAULT_LOG);
	CU_ASSERT_EQUAL(port->fault.size, 4096);
	CU_ASSERT_EQUAL(touch(port->log_addr + 1), 0x2);	/* zeros, then the retried write */
	CU_ASSERT_TRUE(vhostu_fault_pending());
	CU_ASSERT_TRUE(vhostu_fault_take(port));
	vhostu_port_reset_state(port);
	close(frontend);
	CU_ASSERT_EQUAL(count_fds(), fd_baseline);
}

/* With our handler installed, a SIGBUS elsewhere still ends the process. */
static void
test_other_sigbus_still_kills_the_process(void)
{
	int status, fd;
	uint8_t *va;
	pid_t pid;

	map_guest_memory();	/* an unsealed memfd: the handler is installed */
	CU_ASSERT_TRUE(vhostu_fault_watched((void *)(uintptr_t)port->mem.regions[0].host_addr));
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		/* Not ours: the sanitizers' handler (a report) or the default action. */
		fd = open("/dev/null", O_WRONLY);
		dup2(fd, STDERR_FILENO);
		fd = memfd_create("other", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, 4096) != 0)
			_exit(2);
		va = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (va == MAP_FAILED || ftruncate(fd, 0) != 0)
			_exit(2);
		touch(va);
		_exit(0);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFSIGNALED(status));
	if (WIFSIGNALED(status))
		CU_ASSERT(WTERMSIG(status) == SIGBUS || WTERMSIG(status) == SIGABRT);
	vhostu_port_reset_state(port);
	CU_ASSERT_EQUAL(count_fds(), fd_baseline);
}

/* One fd of each kind the handlers must refuse: a pipe, a regular file, a socket. */
static int
not_an_eventfd(unsigned int kind, int *other)
{
	int fds[2];

	*other = -1;
	if (kind == 0) {
		CU_ASSERT_FATAL(pipe2(fds, O_CLOEXEC) == 0);
	} else if (kind == 1) {
		fds[0] = memfd_create("not-an-eventfd", MFD_CLOEXEC);
		CU_ASSERT_FATAL(fds[0] >= 0);
		return fds[0];
	} else {
		CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
	}
	*other = fds[1];
	return fds[0];
}

static int
send_fd_msg(uint32_t req, uint64_t v, int fd, struct vhostu_reply *r)
{
	struct vhostu_rx_msg m;

	msg_init(&m, req, VHOSTU_FLAG_NEED_REPLY, req == VHOSTU_REQ_SET_LOG_FD ? 0 : 8);
	m.msg.body.u64 = v;
	msg_add_fd(&m, fd);
	return vhostu_msg_handle(port, &m, r);
}

static void
test_kick_call_err_and_log_fds_must_be_eventfds(void)
{
	static const uint32_t reqs[] = { VHOSTU_REQ_SET_VRING_KICK, VHOSTU_REQ_SET_VRING_CALL,
		VHOSTU_REQ_SET_VRING_ERR, VHOSTU_REQ_SET_LOG_FD };
	struct vhostu_vring *vr = &port->vrings[1];
	struct vhostu_reply r;
	unsigned int i, kind;
	int call, fd, other;

	call = eventfd_dup();
	CU_ASSERT_EQUAL(send_fd_msg(VHOSTU_REQ_SET_VRING_CALL, 1, call, &r), 0);
	CU_ASSERT_TRUE(r.send);
	CU_ASSERT_EQUAL(r.msg.body.u64, 0);
	CU_ASSERT_EQUAL(vr->callfd, call);
	/* The datapath's write must never block on it. */
	CU_ASSERT((fcntl(call, F_GETFL) & O_NONBLOCK) != 0);
	for (kind = 0; kind < 3; kind++) {
		for (i = 0; i < RTE_DIM(reqs); i++) {
			fd = not_an_eventfd(kind, &other);
			CU_ASSERT_EQUAL(send_fd_msg(reqs[i], 1, fd, &r), 0);
			CU_ASSERT_TRUE(r.send);
			CU_ASSERT_EQUAL(r.msg.body.u64, 1);
			CU_ASSERT_FALSE(fd_is_open(fd));
			if (other >= 0)
				close(other);
			/* The ring keeps what it had. */
			CU_ASSERT_EQUAL(vr->callfd, call);
			CU_ASSERT_EQUAL(vr->kickfd, -1);
			CU_ASSERT_EQUAL(vr->errfd, -1);
			CU_ASSERT_FALSE(vr->started);
		}
	}
	CU_ASSERT_EQUAL(port->nvrings, 2);	/* from the accepted call fd only */
	for (i = 0; i < RTE_DIM(reqs); i++) {
		CU_ASSERT_EQUAL(send_fd_msg(reqs[i], 1, eventfd_dup(), &r), 0);
		CU_ASSERT_EQUAL(r.msg.body.u64, 0);
	}
	CU_ASSERT(vr->kickfd >= 0 && vr->errfd >= 0 && vr->callfd >= 0);
	CU_ASSERT_TRUE(vr->started);
	vhostu_port_reset_state(port);
	CU_ASSERT_EQUAL(count_fds(), fd_baseline);
}

static CU_TestInfo tests[] = {
	{ "GET_FEATURES offers the seed's set", test_get_features_offers_the_seed_set },
	{ "SET_FEATURES refuses bits not offered", test_set_features_refuses_bits_not_offered },
	{ "protocol features negotiate only what is offered",
		test_protocol_features_negotiate_only_what_is_offered },
	{ "bad memory tables change nothing", test_bad_mem_tables_change_nothing },
	{ "the same memory table twice keeps the mapping",
		test_same_mem_table_twice_keeps_the_mapping },
	{ "vring size must be a power of two up to 32768",
		test_vring_num_must_be_a_power_of_two_up_to_32768 },
	{ "vring index is checked as 32 bits", test_vring_index_is_checked_as_32_bits },
	{ "a ring outside memory is not ready", test_ring_outside_memory_is_not_ready },
	{ "full setup makes a ready pair; GET_VRING_BASE stops a ring",
		test_full_setup_makes_a_ready_pair_and_get_vring_base_stops_it },
	{ "DRIVER_OK gates readiness when STATUS is negotiated",
		test_status_gates_readiness_when_negotiated },
	{ "extra fds are closed", test_extra_fds_close_the_connection_and_are_closed },
	{ "wrong payload sizes close the connection",
		test_wrong_payload_sizes_close_the_connection },
	{ "unknown requests get an error reply", test_unknown_requests_get_an_error_reply },
	{ "SET_LOG_BASE is checked and replaced without leaks",
		test_log_base_is_checked_and_replaced_without_leaks },
	{ "a SET_LOG_BASE that fails closes the connection",
		test_failed_log_base_closes_the_connection },
	{ "a memfd sealed against shrinking is not watched",
		test_memfd_sealed_against_shrinking_is_not_watched },
	{ "a truncated region reads zeros and marks the port",
		test_truncated_region_reads_zeros_and_marks_the_port },
	{ "a truncated dirty log is survived by the datapath",
		test_truncated_log_is_survived_by_the_datapath },
	{ "another SIGBUS still kills the process", test_other_sigbus_still_kills_the_process },
	{ "ADD_MEM_REG and REM_MEM_REG", test_add_and_remove_mem_regions },
	{ "queue count and memory slots are announced",
		test_queue_num_and_mem_slots_are_announced },
	{ "kick, call, err and log fds must be eventfds; the call fd is made non-blocking",
		test_kick_call_err_and_log_fds_must_be_eventfds },
	CU_TEST_INFO_NULL,
};

/* Each suite has a port of its own (setup), freed at its end (teardown). */
static CU_SuiteInfo suites[] = {
	{ "msg", setup, teardown, NULL, NULL, tests },
	{ "msg: packed rings and EVENT_IDX", setup, teardown, NULL, NULL, msg_packed_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return run_suites(suites) ? 1 : 0;
}
