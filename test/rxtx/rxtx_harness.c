/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The state the test_rxtx suites share (mempool, port, the fake guest's rings,
 * frame buffers), the port as the message handlers would leave it, and the
 * helpers that send and receive one frame through the guest and the bursts.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "rxtx_harness.h"
#include "test_mbuf.h"

struct rte_mempool *mp;
struct vhostu_port *port;
struct fg_ring grx[2];	/* guest RX rings: vrings 0, 2 (our tx queues 0, 1) */
struct fg_ring gtx[2];	/* guest TX rings: vrings 1, 3 (our rx queues 0, 1) */
uint8_t expect[MAX_FRAME], got[MAX_FRAME];
const uint8_t zero_hdr[12];
/*
 * The header every guest frame carries: NEEDS_CSUM set with csum_start 2055 and
 * csum_offset 2569, beyond every test frame. We offer no offloads, so rx must
 * ignore it and deliver the frame unchanged.
 */
static const uint8_t junk_hdr[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

/* ------------------------------------------------------------------ set-up */

struct vhostu_vring *
rxq(unsigned int q)
{
	return &port->vrings[2 * q + 1];
}

struct vhostu_vring *
txq(unsigned int q)
{
	return &port->vrings[2 * q];
}

/*
 * The port with its four vrings, no ring laid out yet. A test may set up
 * several ports in turn (the packed suites loop over sizes and positions):
 * what the previous one had goes first.
 */
static void
port_setup_common(uint64_t features)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		fg_ring_fini(&grx[i]);
		fg_ring_fini(&gtx[i]);
	}
	if (port != NULL) {
		for (i = 0; i < 4; i++)
			if (port->vrings[i].callfd >= 0)
				close(port->vrings[i].callfd);
		free(port->log_addr);
		rte_free(port);
		port = NULL;
	}
	fg_mem_reset();
	vhostu_guard_setup();	/* as the driver does with its first port */
	port = rte_zmalloc("test-port", sizeof(*port), RTE_CACHE_LINE_SIZE);
	CU_ASSERT_FATAL(port != NULL);
	port->features = features;
	port->hdr_size = (features & (F_MRG | F_V1)) ? 12 : 10;
	port->port_id = PORT_ID;
	fg_mem_fill_region(&port->mem);
	for (i = 0; i < 4; i++) {
		struct vhostu_vring *vr = &port->vrings[i];

		vr->port = port;
		vr->index = i;
		vr->port_id = PORT_ID;
		vr->callfd = -1;
		vr->kickfd = -1;
		vr->errfd = -1;
		vr->intr_epfd = -1;	/* configured without rx interrupts */
		vr->intr_wakefd = -1;
		vr->mp = mp;
	}
}

/* A port as the handlers leave it after negotiation and ring set-up. */
void
port_setup(uint64_t features, uint16_t size, uint16_t start)
{
	unsigned int i;

	if (features & F_PACKED) {
		port_setup_packed(features, size, start % size, true);
		return;
	}
	port_setup_common(features);
	for (i = 0; i < 2; i++) {
		fg_ring_init(&grx[i], txq(i), size, start);
		fg_ring_init(&gtx[i], rxq(i), size, start);
	}
}

void
port_setup_packed(uint64_t features, uint16_t size, uint16_t start, bool wrap)
{
	unsigned int i;

	port_setup_common(features | F_PACKED);
	for (i = 0; i < 2; i++) {
		fg_ring_init_packed(&grx[i], txq(i), size, start, wrap);
		fg_ring_init_packed(&gtx[i], rxq(i), size, start, wrap);
	}
}

/* --------------------------------------------------------------- helpers */

bool
mbuf_equals(const struct rte_mbuf *m, const uint8_t *exp, uint32_t len)
{
	const uint8_t *data;
	uint32_t off = 0;

	if (m->pkt_len != len || m->port != PORT_ID)
		return false;
	for (; m != NULL; m = m->next) {
		data = rte_pktmbuf_mtod(m, const uint8_t *);
		if (off + m->data_len > len || memcmp(data, exp + off, m->data_len) != 0)
			return false;
		off += m->data_len;
	}
	return off == len;
}

/* A frame of len bytes from the pattern, in mbuf segments of at most seg bytes. */
struct rte_mbuf *
mk_mbuf(uint32_t len, uint32_t seed, uint32_t seg)
{
	struct rte_mbuf *head;

	fg_pattern(expect, len, seed);
	head = test_mbuf_frame(mp, expect, len, seg);
	CU_ASSERT_FATAL(head != NULL);
	return head;
}

/* The guest sends a frame of len bytes on rx queue q in buffers of seg_lens. */
uint16_t
guest_send(unsigned int q, uint32_t len, uint32_t seed, const uint32_t *segs, uint16_t nseg,
		bool indirect)
{
	uint32_t one = port->hdr_size + len;
	uint16_t head;

	fg_pattern(expect, len, seed);
	if (segs == NULL) {
		segs = &one;
		nseg = 1;
	}
	head = fg_tx_post(&gtx[q], junk_hdr, port->hdr_size, expect, len, segs, nseg, indirect);
	fg_kick(&gtx[q]);
	return head;
}

/* rx_burst must return exactly the frame just sent by guest_send. */
bool
rx_one_ok(unsigned int q, uint32_t len)
{
	struct rte_mbuf *pkts[4];
	uint16_t n = vhostu_rx_burst(rxq(q), pkts, 4);
	bool ok = n == 1 && mbuf_equals(pkts[0], expect, len);

	if (n != 0)
		rte_pktmbuf_free_bulk(pkts, n);
	return ok;
}

/* The guest posts n receive chains of one buffer of len bytes on tx queue q. */
void
guest_post_rx(unsigned int q, unsigned int n, uint32_t len)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		fg_rx_post(&grx[q], &len, 1, false);
	fg_kick(&grx[q]);
}

uint16_t
tx_one(unsigned int q, uint32_t len, uint32_t seed, uint32_t seg)
{
	struct rte_mbuf *m = mk_mbuf(len, seed, seg);
	uint16_t n = vhostu_tx_burst(txq(q), &m, 1);

	if (n == 0)
		rte_pktmbuf_free(m);
	return n;
}

/* The guest reads one frame from tx queue q; it must be the last one sent. */
bool
guest_recv_ok(unsigned int q, uint32_t len, uint16_t num_buffers)
{
	bool mrg = vhostu_has_feature(port, VHOSTU_VIRTIO_NET_F_MRG_RXBUF);
	uint8_t hdr[12], want[12] = { 0 };
	int r = fg_rx_read(&grx[q], port->hdr_size, mrg, hdr, got, sizeof(got));

	if (port->hdr_size == 12) {
		want[10] = (uint8_t)num_buffers;
		want[11] = (uint8_t)(num_buffers >> 8);
	}
	return r == (int)len && memcmp(got, expect, len) == 0 &&
			memcmp(hdr, want, port->hdr_size) == 0;
}

void
coalesce_frames_only(struct vhostu_vring *vr, uint32_t frames)
{
	vhostu_coalesce_frames = frames;
	vhostu_coalesce_tsc = UINT64_MAX / 4;
	vr->last_call_tsc = rte_rdtsc();
}

uint64_t
calls(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

int
use_eventfd(struct vhostu_vring *vr)
{
	vr->callfd = eventfd(0, EFD_NONBLOCK);
	CU_ASSERT_FATAL(vr->callfd >= 0);
	return vr->callfd;
}

void
intr_fixture_init(struct intr_fixture *f)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	struct vhostu_vring *vr = rxq(0);

	memset(f, 0, sizeof(*f));
	f->data.nb_rx_queues = 1;
	f->data.dev_private = port;
	f->dev.data = &f->data;
	f->epfd = epoll_create1(EPOLL_CLOEXEC);
	f->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	CU_ASSERT_FATAL(f->epfd >= 0 && f->wakefd >= 0);
	CU_ASSERT_FATAL(epoll_ctl(f->epfd, EPOLL_CTL_ADD, f->wakefd, &ev) == 0);
	vr->intr_epfd = f->epfd;
	vr->intr_wakefd = f->wakefd;
}

bool
intr_fixture_woken(const struct intr_fixture *f)
{
	struct epoll_event got;

	return epoll_wait(f->epfd, &got, 1, 0) == 1;
}

void
intr_fixture_fini(struct intr_fixture *f)
{
	struct vhostu_vring *vr = rxq(0);

	vr->intr_epfd = -1;
	vr->intr_wakefd = -1;
	close(f->epfd);
	close(f->wakefd);
}
