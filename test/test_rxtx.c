/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit suites of the net_vhostu datapath (vhostu_rxtx.c, vhostu_stats.c).
 *
 * The test plays the guest driver in-process (rxtx_guest.c): it lays out split
 * rings in a memfd region, posts buffers, calls the bursts and reads the used
 * ring. No socket, no control thread: the port is built by hand as the message
 * handlers would leave it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include <ethdev_driver.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "rxtx_guest.h"
#include "vhostu_internal.h"
#include "test_common.h"

#define F(b)		VHOSTU_BIT(VHOSTU_##b)
#define F_MRG		F(VIRTIO_NET_F_MRG_RXBUF)
#define F_V1		F(VIRTIO_F_VERSION_1)
#define F_IND		F(VIRTIO_F_INDIRECT_DESC)
#define F_LOG		F(VHOST_F_LOG_ALL)
#define F_DEFAULT	(F_MRG | F_V1 | F_IND)

#define NB_MBUFS	4095
#define MAX_FRAME	(16 * 1024)
#define PORT_ID		7

static struct rte_mempool *mp;
static struct vhostu_port *port;
static struct fg_ring grx[2];	/* guest RX rings: vrings 0, 2 (our tx queues 0, 1) */
static struct fg_ring gtx[2];	/* guest TX rings: vrings 1, 3 (our rx queues 0, 1) */
static uint8_t expect[MAX_FRAME], got[MAX_FRAME];
static const uint8_t zero_hdr[12];
/*
 * The header every guest frame carries: NEEDS_CSUM set with csum_start 2055 and
 * csum_offset 2569, beyond every test frame. We offer no offloads, so rx must
 * ignore it and deliver the frame unchanged.
 */
static const uint8_t junk_hdr[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

/* ------------------------------------------------------------------ set-up */

static struct vhostu_vring *
rxq(unsigned int q)
{
	return &port->vrings[2 * q + 1];
}

static struct vhostu_vring *
txq(unsigned int q)
{
	return &port->vrings[2 * q];
}

/* A port as the handlers leave it after negotiation and ring set-up. */
static void
port_setup(uint64_t features, uint16_t size, uint16_t start)
{
	unsigned int i;

	fg_mem_reset();
	port = rte_zmalloc("test-port", sizeof(*port), RTE_CACHE_LINE_SIZE);
	CU_ASSERT_FATAL(port != NULL);
	port->features = features;
	port->hdr_size = (features & (F_MRG | F_V1)) ? 12 : 10;
	port->port_id = PORT_ID;
	fg_mem_fill_region(&port->mem);
	for (i = 0; i < 4; i++) {
		struct vhostu_vring *vr = &port->vrings[i];

		rte_spinlock_init(&vr->lock);
		vr->port = port;
		vr->index = i;
		vr->port_id = PORT_ID;
		vr->callfd = -1;
		vr->kickfd = -1;
		vr->errfd = -1;
		vr->mp = mp;
	}
	for (i = 0; i < 2; i++) {
		fg_ring_init(&grx[i], txq(i), size, start);
		fg_ring_init(&gtx[i], rxq(i), size, start);
	}
}

static void
test_setup(void)
{
	port = NULL;
}

static void
test_teardown(void)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		fg_ring_fini(&grx[i]);
		fg_ring_fini(&gtx[i]);
	}
	if (port != NULL) {
		free(port->log_addr);
		for (i = 0; i < 4; i++)
			if (port->vrings[i].callfd >= 0)
				close(port->vrings[i].callfd);
	}
	rte_free(port);
	port = NULL;
	vhostu_coalesce_frames = 32;
	vhostu_coalesce_time = 1e-3;
	vhostu_coalesce_tsc = 0;
	rte_log_set_level(vhostu_logtype, RTE_LOG_ERR);
}

/* --------------------------------------------------------------- helpers */

static bool
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
static struct rte_mbuf *
mk_mbuf(uint32_t len, uint32_t seed, uint32_t seg)
{
	struct rte_mbuf *head = NULL, *last = NULL, *m;
	uint32_t off = 0, k;

	fg_pattern(expect, len, seed);
	do {
		m = rte_pktmbuf_alloc(mp);
		CU_ASSERT_FATAL(m != NULL);
		k = RTE_MIN(RTE_MIN(len - off, seg), (uint32_t)rte_pktmbuf_tailroom(m));
		memcpy(rte_pktmbuf_append(m, k), expect + off, k);
		off += k;
		if (head == NULL) {
			head = m;
		} else {
			last->next = m;
			head->nb_segs++;
			head->pkt_len += k;
		}
		last = m;
	} while (off < len);
	return head;
}

/* The guest sends a frame of len bytes on rx queue q in buffers of seg_lens. */
static uint16_t
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
static bool
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
static void
guest_post_rx(unsigned int q, unsigned int n, uint32_t len)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		fg_rx_post(&grx[q], &len, 1, false);
	fg_kick(&grx[q]);
}

static uint16_t
tx_one(unsigned int q, uint32_t len, uint32_t seed, uint32_t seg)
{
	struct rte_mbuf *m = mk_mbuf(len, seed, seg);
	uint16_t n = vhostu_tx_burst(txq(q), &m, 1);

	if (n == 0)
		rte_pktmbuf_free(m);
	return n;
}

/* The guest reads one frame from tx queue q; it must be the last one sent. */
static bool
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

static uint64_t
calls(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static int
use_eventfd(struct vhostu_vring *vr)
{
	vr->callfd = eventfd(0, EFD_NONBLOCK);
	CU_ASSERT_FATAL(vr->callfd >= 0);
	return vr->callfd;
}

/* ------------------------------------------------------------ rx: guest TX */

static void
test_rx_single_buffer_frame_arrives_byte_exact(void)
{
	port_setup(F_DEFAULT, 256, 0);
	guest_send(0, 60, 1, NULL, 0, false);
	CU_ASSERT(rx_one_ok(0, 60));
	CU_ASSERT_EQUAL(rxq(0)->stats.packets, 1);
	CU_ASSERT_EQUAL(rxq(0)->stats.bytes, 60);
}

static void
test_rx_returns_used_entries_with_head_and_sets_no_notify(void)
{
	uint32_t id, len;
	uint16_t head;

	port_setup(F_DEFAULT, 256, 0);
	head = guest_send(0, 100, 2, NULL, 0, false);
	CU_ASSERT(rx_one_ok(0, 100));
	CU_ASSERT(fg_used_pop(&gtx[0], &id, &len));
	CU_ASSERT_EQUAL(id, head);
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT(fg_used_flags(&gtx[0]) & VRING_USED_F_NO_NOTIFY);
	CU_ASSERT_EQUAL(rxq(0)->last_avail_idx, 1);
}

/* Every header size, and the header split at every offset into 2 and 3 buffers. */
static void
rx_header_split_all_offsets(uint64_t features)
{
	uint32_t split, segs[3];

	port_setup(features, 256, 0);
	for (split = 1; split <= port->hdr_size + 4; split++) {
		segs[0] = split;
		segs[1] = 1000;
		guest_send(0, 200, split, segs, 2, false);
		CU_ASSERT(rx_one_ok(0, 200));
		segs[1] = 1;
		segs[2] = 1000;
		guest_send(0, 200, split + 100, segs, 3, false);
		CU_ASSERT(rx_one_ok(0, 200));
	}
	CU_ASSERT_EQUAL(rxq(0)->stats.errors, 0);
}

static void
test_rx_header_split_at_every_offset_version1(void)
{
	rx_header_split_all_offsets(F_V1 | F_IND);
}

static void
test_rx_header_split_at_every_offset_legacy_10_byte_header(void)
{
	rx_header_split_all_offsets(F_IND);
	CU_ASSERT_EQUAL(port->hdr_size, 10);
}

static void
test_rx_header_split_at_every_offset_mrg_without_version1(void)
{
	rx_header_split_all_offsets(F_MRG);
	CU_ASSERT_EQUAL(port->hdr_size, 12);
}

static void
rx_chains_1_to_n(bool indirect)
{
	uint32_t segs[FG_MAX_SEGS], nd, i;

	port_setup(F_DEFAULT, 256, 0);
	for (nd = 1; nd <= 40; nd++) {
		for (i = 0; i < nd; i++)
			segs[i] = (1000 + 12) / nd;
		guest_send(0, 1000, nd, segs, nd, indirect);
		CU_ASSERT(rx_one_ok(0, 1000));
	}
}

static void
test_rx_chains_of_1_to_40_direct_descriptors(void)
{
	rx_chains_1_to_n(false);
}

static void
test_rx_chains_of_1_to_40_indirect_descriptors(void)
{
	rx_chains_1_to_n(true);
}

static void
test_rx_chain_as_long_as_the_ring_is_accepted(void)
{
	uint32_t segs[16], i;

	port_setup(F_DEFAULT, 16, 0);
	for (i = 0; i < 16; i++)
		segs[i] = 100;
	guest_send(0, 1500, 3, segs, 16, false);
	CU_ASSERT(rx_one_ok(0, 1500));
	guest_send(0, 1500, 4, segs, 16, true);
	CU_ASSERT(rx_one_ok(0, 1500));
}

/* 60..9000+ bytes, one buffer and three, arriving in chained mbufs when large. */
static void
test_rx_frames_60_to_9018_bytes_byte_exact_in_chained_mbufs(void)
{
	static const uint32_t sizes[] = { 60, 64, 65, 127, 128, 255, 256, 511, 512, 1023, 1024,
		1500, 1514, 1518, 1519, 2047, 2048, 2049, 4096, 8192, 9000, 9018 };
	uint32_t segs[3] = { 7, 3000, 1 }, i;
	struct rte_mbuf *m;

	port_setup(F_DEFAULT, 256, 0);
	for (i = 0; i < RTE_DIM(sizes); i++) {
		guest_send(0, sizes[i], i, NULL, 0, false);
		CU_ASSERT(vhostu_rx_burst(rxq(0), &m, 1) == 1);
		CU_ASSERT(mbuf_equals(m, expect, sizes[i]));
		CU_ASSERT(m->nb_segs == (sizes[i] + 2047) / 2048);
		rte_pktmbuf_free(m);
		guest_send(0, sizes[i], i + 50, segs, 3, i % 2);
		CU_ASSERT(rx_one_ok(0, sizes[i]));
	}
	CU_ASSERT_EQUAL(rxq(0)->stats.packets, 2 * RTE_DIM(sizes));
	CU_ASSERT_EQUAL(rxq(0)->stats.size_bins[0], 2 * 1);	/* 64 */
	CU_ASSERT_EQUAL(rxq(0)->stats.size_bins[7], 2 * 1);	/* 60 */
	CU_ASSERT_EQUAL(rxq(0)->stats.size_bins[5], 2 * 4);	/* 1024..1518 */
	CU_ASSERT_EQUAL(rxq(0)->stats.size_bins[6], 2 * 8);	/* > 1518 */
}

static void
test_rx_burst_takes_at_most_n_and_leaves_the_rest(void)
{
	struct rte_mbuf *pkts[8];
	unsigned int i;

	port_setup(F_DEFAULT, 256, 0);
	for (i = 0; i < 10; i++)
		guest_send(0, 64, i, NULL, 0, false);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), pkts, 4), 4);
	rte_pktmbuf_free_bulk(pkts, 4);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), pkts, 4), 4);
	rte_pktmbuf_free_bulk(pkts, 4);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), pkts, 8), 2);
	rte_pktmbuf_free_bulk(pkts, 2);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), pkts, 8), 0);
	CU_ASSERT_EQUAL(fg_used_idx(&gtx[0]), 10);
}

/* Indices cross 65535 many times over a ring of 8. */
static void
test_rx_ring_wraps_around_index_65535(void)
{
	struct rte_mbuf *pkts[8];
	uint32_t seq = 0, first, i, k, n, done = 0;

	port_setup(F_DEFAULT, 8, 65530);
	for (i = 0; i < 40; i++) {
		k = 1 + i % 8;
		first = seq;
		for (n = 0; n < k; n++, seq++)
			fg_tx_post(&gtx[0], zero_hdr, 12, &seq, 4, NULL, 1, i % 3 == 0);
		fg_kick(&gtx[0]);
		n = vhostu_rx_burst(rxq(0), pkts, 8);
		CU_ASSERT_FATAL(n == k);
		for (n = 0; n < k; n++) {
			CU_ASSERT(pkts[n]->pkt_len == 4);
			/* a sequence number travels in each frame: order is kept */
			CU_ASSERT(*rte_pktmbuf_mtod(pkts[n], uint32_t *) == first + n);
		}
		rte_pktmbuf_free_bulk(pkts, k);
		done += k;
		while (fg_used_pop(&gtx[0], &n, &k))
			;
	}
	CU_ASSERT_EQUAL(rxq(0)->last_avail_idx, (uint16_t)(65530 + done));
	CU_ASSERT_EQUAL(fg_used_idx(&gtx[0]), (uint16_t)(65530 + done));
	CU_ASSERT_EQUAL(rxq(0)->stats.packets, done);
}

static void
test_rx_mbuf_exhaustion_counts_and_keeps_the_frame_for_later(void)
{
	struct rte_mempool *small;
	struct rte_mbuf *hold[64], *m;
	unsigned int n = 0;

	port_setup(F_DEFAULT, 256, 0);
	small = rte_pktmbuf_pool_create("rxtx-small", 8, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
			SOCKET_ID_ANY);
	CU_ASSERT_FATAL(small != NULL);
	rxq(0)->mp = small;
	while (n < RTE_DIM(hold) && (hold[n] = rte_pktmbuf_alloc(small)) != NULL)
		n++;
	guest_send(0, 100, 9, NULL, 0, false);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), &m, 1), 0);
	CU_ASSERT(rxq(0)->stats.mbuf_fail >= 1);
	CU_ASSERT_EQUAL(rxq(0)->last_avail_idx, 0);
	/* A jumbo frame with one mbuf free: the chained ones run out mid-copy. */
	rte_pktmbuf_free(hold[--n]);
	CU_ASSERT(rx_one_ok(0, 100));
	guest_send(0, 9000, 10, NULL, 0, false);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), &m, 1), 0);
	CU_ASSERT_EQUAL(rxq(0)->last_avail_idx, 1);
	rte_pktmbuf_free_bulk(hold, n);
	CU_ASSERT(rx_one_ok(0, 9000));
	CU_ASSERT_EQUAL(rte_mempool_avail_count(small), 8);
	rte_mempool_free(small);
}

static void
test_rx_frame_above_64k_dropped_as_oversize(void)
{
	uint32_t segs[2] = { 40000, 40000 };
	uint32_t id, len;

	port_setup(F_DEFAULT, 256, 0);
	{
		uint8_t *big = calloc(1, 80000);

		fg_tx_post(&gtx[0], zero_hdr, 12, big, 80000 - 12, segs, 2, false);
		free(big);
	}
	fg_kick(&gtx[0]);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), (struct rte_mbuf *[1]){ NULL }, 1), 0);
	CU_ASSERT_EQUAL(rxq(0)->stats.oversize, 1);
	CU_ASSERT(fg_used_pop(&gtx[0], &id, &len) && len == 0);
	guest_send(0, 64, 3, NULL, 0, false);
	CU_ASSERT(rx_one_ok(0, 64));
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

static void
test_rx_zero_length_descriptors_inside_a_chain_are_skipped(void)
{
	uint32_t segs[4] = { 30, 0, 0, 500 };

	port_setup(F_DEFAULT, 256, 0);
	guest_send(0, 300, 5, segs, 4, false);
	CU_ASSERT(rx_one_ok(0, 300));
	CU_ASSERT_EQUAL(rxq(0)->stats.errors, 0);
}

static void
test_rx_rarp_request_delivers_one_announcement_on_queue_0(void)
{
	struct rte_mbuf *m;
	static const uint8_t mac[6] = { 0x52, 0x54, 0, 1, 2, 3 };

	port_setup(F_DEFAULT, 256, 0);
	vhostu_send_rarp(port, mac);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(1), &m, 1), 0);
	CU_ASSERT_FATAL(vhostu_rx_burst(rxq(0), &m, 1) == 1);
	CU_ASSERT(memcmp(rte_pktmbuf_mtod_offset(m, uint8_t *, 6), mac, 6) == 0);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), &m, 1), 0);
}

static void
test_bursts_return_0_when_locked_or_not_ready(void)
{
	struct rte_mbuf *m;

	port_setup(F_DEFAULT, 256, 0);
	guest_send(0, 64, 1, NULL, 0, false);
	guest_post_rx(0, 1, 2048);
	rte_spinlock_lock(&rxq(0)->lock);
	rte_spinlock_lock(&txq(0)->lock);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), &m, 1), 0);
	CU_ASSERT_EQUAL(tx_one(0, 64, 1, 4096), 0);
	rte_spinlock_unlock(&rxq(0)->lock);
	rte_spinlock_unlock(&txq(0)->lock);
	rxq(0)->ready = false;
	txq(0)->ready = false;
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), &m, 1), 0);
	CU_ASSERT_EQUAL(tx_one(0, 64, 1, 4096), 0);
	rxq(0)->ready = true;
	txq(0)->ready = true;
	fg_pattern(expect, 64, 1);
	CU_ASSERT(rx_one_ok(0, 64));
	CU_ASSERT_EQUAL(tx_one(0, 64, 1, 4096), 1);
	CU_ASSERT(guest_recv_ok(0, 64, 1));
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

/* ------------------------------------------------------------ tx: guest RX */

static void
tx_mrg_sizes(uint64_t features, bool indirect)
{
	static const uint32_t sizes[] = { 60, 64, 1500, 1514, 1524, 1525, 3000, 9000, 9018 };
	uint32_t buf = 1536, i, n;

	port_setup(features, 256, 0);
	for (i = 0; i < 64; i++)
		fg_rx_post(&grx[0], &buf, 1, indirect);
	fg_kick(&grx[0]);
	for (i = 0; i < RTE_DIM(sizes); i++) {
		n = (sizes[i] + 12 + buf - 1) / buf;
		CU_ASSERT_EQUAL(tx_one(0, sizes[i], i, 4096), 1);
		CU_ASSERT(guest_recv_ok(0, sizes[i], n));
	}
	CU_ASSERT_EQUAL(txq(0)->stats.packets, RTE_DIM(sizes));
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

static void
test_tx_mrg_spreads_frames_over_buffers_and_sets_num_buffers(void)
{
	tx_mrg_sizes(F_DEFAULT, false);
}

static void
test_tx_mrg_without_version1_uses_12_byte_header(void)
{
	tx_mrg_sizes(F_MRG, false);
}

static void
test_tx_mrg_into_indirect_chains(void)
{
	tx_mrg_sizes(F_DEFAULT, true);
}

static void
tx_one_chain_sizes(uint64_t features, bool indirect)
{
	static const uint32_t sizes[] = { 60, 64, 100, 1500, 1518, 4000, 9000, 9018 };
	static const uint32_t chain[] = { 100, 200, 5000, 4000, 100 };
	uint32_t i;

	port_setup(features, 256, 0);
	for (i = 0; i < 32; i++)
		fg_rx_post(&grx[0], chain, RTE_DIM(chain), indirect);
	fg_kick(&grx[0]);
	for (i = 0; i < RTE_DIM(sizes); i++) {
		CU_ASSERT_EQUAL(tx_one(0, sizes[i], i, i % 2 ? 1000 : 4096), 1);
		CU_ASSERT(guest_recv_ok(0, sizes[i], 1));
	}
	CU_ASSERT_EQUAL(txq(0)->stats.packets, RTE_DIM(sizes));
}

static void
test_tx_without_mrg_one_multi_descriptor_chain_per_frame_version1(void)
{
	tx_one_chain_sizes(F_V1 | F_IND, false);
	CU_ASSERT_EQUAL(port->hdr_size, 12);
}

static void
test_tx_without_mrg_legacy_10_byte_header(void)
{
	tx_one_chain_sizes(F_IND, false);
	CU_ASSERT_EQUAL(port->hdr_size, 10);
}

static void
test_tx_without_mrg_into_indirect_chains(void)
{
	tx_one_chain_sizes(F_V1 | F_IND, true);
}

/* The guest's buffers split the header at every offset. */
static void
tx_header_split(uint64_t features)
{
	uint32_t split, segs[3];

	port_setup(features, 256, 0);
	for (split = 1; split <= port->hdr_size + 3; split++) {
		segs[0] = split;
		segs[1] = 1;
		segs[2] = 3000;
		fg_rx_post(&grx[0], segs, 3, false);
		fg_kick(&grx[0]);
		CU_ASSERT_EQUAL(tx_one(0, 1500, split, 4096), 1);
		CU_ASSERT(guest_recv_ok(0, 1500, 1));
	}
	CU_ASSERT_EQUAL(txq(0)->stats.errors, 0);
}

static void
test_tx_header_split_at_every_offset_mrg(void)
{
	tx_header_split(F_DEFAULT);
}

static void
test_tx_header_split_at_every_offset_without_mrg(void)
{
	tx_header_split(F_V1);
}

static void
test_tx_header_split_at_every_offset_legacy(void)
{
	tx_header_split(0);
}

static void
test_tx_multi_segment_mbufs_arrive_byte_exact(void)
{
	uint32_t buf = 2048, i;

	port_setup(F_DEFAULT, 256, 0);
	guest_post_rx(0, 64, buf);
	for (i = 1; i <= 9; i++) {
		CU_ASSERT_EQUAL(tx_one(0, 9000, i, 1000 + i * 37), 1);
		CU_ASSERT(guest_recv_ok(0, 9000, (9000 + 12 + buf - 1) / buf));
	}
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

static void
test_tx_ring_full_returns_count_sent_and_keeps_the_rest(void)
{
	struct rte_mbuf *pkts[5];
	unsigned int i;

	port_setup(F_V1, 256, 0);
	guest_post_rx(0, 3, 2048);
	for (i = 0; i < 5; i++)
		pkts[i] = mk_mbuf(100, i, 4096);
	CU_ASSERT_EQUAL(vhostu_tx_burst(txq(0), pkts, 5), 3);
	CU_ASSERT_EQUAL(txq(0)->stats.no_desc, 2);
	CU_ASSERT_EQUAL(rte_mbuf_refcnt_read(pkts[3]), 1);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS - 2);
	guest_post_rx(0, 2, 2048);
	CU_ASSERT_EQUAL(vhostu_tx_burst(txq(0), &pkts[3], 2), 2);
	CU_ASSERT_EQUAL(fg_used_idx(&grx[0]), 5);
	for (i = 0; i < 4; i++)
		CU_ASSERT(fg_rx_read(&grx[0], 12, false, got, got, sizeof(got)) == 100);
	fg_pattern(expect, 100, 4);
	CU_ASSERT(guest_recv_ok(0, 100, 1));
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

static void
test_tx_mrg_short_ring_rolls_back_without_consuming(void)
{
	struct rte_mbuf *m;

	port_setup(F_DEFAULT, 256, 0);
	guest_post_rx(0, 2, 1536);
	m = mk_mbuf(4000, 1, 4096);
	CU_ASSERT_EQUAL(vhostu_tx_burst(txq(0), &m, 1), 0);
	CU_ASSERT_EQUAL(txq(0)->last_avail_idx, 0);
	CU_ASSERT_EQUAL(txq(0)->last_used_idx, 0);
	CU_ASSERT_EQUAL(fg_used_idx(&grx[0]), 0);
	CU_ASSERT_EQUAL(txq(0)->stats.no_desc, 1);
	guest_post_rx(0, 1, 1536);
	CU_ASSERT_EQUAL(vhostu_tx_burst(txq(0), &m, 1), 1);
	CU_ASSERT(guest_recv_ok(0, 4000, 3));
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

static void
test_tx_without_mrg_frame_too_big_dropped_buffer_kept(void)
{
	port_setup(F_V1, 256, 0);
	guest_post_rx(0, 1, 500);
	CU_ASSERT_EQUAL(tx_one(0, 1500, 1, 4096), 1);
	CU_ASSERT_EQUAL(txq(0)->stats.oversize, 1);
	CU_ASSERT_EQUAL(txq(0)->last_avail_idx, 0);
	CU_ASSERT_EQUAL(fg_used_idx(&grx[0]), 0);
	CU_ASSERT_EQUAL(tx_one(0, 400, 2, 4096), 1);
	CU_ASSERT(guest_recv_ok(0, 400, 1));
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

static void
tx_wrap(uint64_t features)
{
	struct rte_mbuf *pkts[8];
	uint32_t i, k, n, total = 0;

	port_setup(features, 8, 65533);
	for (i = 0; i < 40; i++) {
		k = 1 + i % 8;
		guest_post_rx(0, k, 2048);
		for (n = 0; n < k; n++)
			pkts[n] = mk_mbuf(64 + n, i * 8 + n, 4096);
		CU_ASSERT_EQUAL(vhostu_tx_burst(txq(0), pkts, k), k);
		for (n = 0; n < k; n++) {
			fg_pattern(expect, 64 + n, i * 8 + n);
			CU_ASSERT(guest_recv_ok(0, 64 + n, 1));
		}
		total += k;
	}
	CU_ASSERT_EQUAL(fg_used_idx(&grx[0]), (uint16_t)(65533 + total));
}

static void
test_tx_ring_wraps_around_index_65535_mrg(void)
{
	tx_wrap(F_DEFAULT);
}

static void
test_tx_ring_wraps_around_index_65535_without_mrg(void)
{
	tx_wrap(F_V1);
}

/* ---------------------------------------------------------- notification */

static void
test_notify_every_burst_when_coalesce_frames_is_0(void)
{
	int fd;
	unsigned int i;

	port_setup(F_DEFAULT, 256, 0);
	fd = use_eventfd(txq(0));
	vhostu_coalesce_frames = 0;
	guest_post_rx(0, 8, 2048);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(tx_one(0, 64, i, 4096), 1);
	CU_ASSERT_EQUAL(calls(fd), 3);
	CU_ASSERT_EQUAL(txq(0)->stats.notifications, 3);
	/* An empty burst has nothing to signal. */
	CU_ASSERT_EQUAL(vhostu_tx_burst(txq(0), NULL, 0), 0);
	CU_ASSERT_EQUAL(calls(fd), 0);
}

static void
test_notify_coalesces_until_the_frame_threshold(void)
{
	int fd;
	unsigned int i;

	port_setup(F_DEFAULT, 256, 0);
	fd = use_eventfd(txq(0));
	vhostu_coalesce_frames = 4;
	vhostu_coalesce_tsc = UINT64_MAX / 4;
	txq(0)->last_call_tsc = rte_rdtsc();
	guest_post_rx(0, 8, 2048);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(tx_one(0, 64, i, 4096), 1);
	CU_ASSERT_EQUAL(calls(fd), 0);
	CU_ASSERT_EQUAL(txq(0)->pending_calls, 3);
	CU_ASSERT_EQUAL(tx_one(0, 64, 3, 4096), 1);
	CU_ASSERT_EQUAL(calls(fd), 1);
	CU_ASSERT_EQUAL(txq(0)->pending_calls, 0);
}

static void
test_notify_pending_frames_signalled_when_the_queue_goes_idle(void)
{
	struct rte_mbuf *m;
	int fd;

	port_setup(F_DEFAULT, 256, 0);
	fd = use_eventfd(txq(0));
	vhostu_coalesce_tsc = UINT64_MAX / 4;
	txq(0)->last_call_tsc = rte_rdtsc();
	guest_post_rx(0, 8, 2048);
	CU_ASSERT_EQUAL(tx_one(0, 64, 0, 4096), 1);
	CU_ASSERT_EQUAL(calls(fd), 0);
	/* Nothing more to send: the queue is idle and the guest hears at once. */
	CU_ASSERT_EQUAL(vhostu_tx_burst(txq(0), &m, 0), 0);
	CU_ASSERT_EQUAL(calls(fd), 1);
	CU_ASSERT_EQUAL(txq(0)->pending_calls, 0);
	/* No frames pending: further empty bursts stay silent. */
	CU_ASSERT_EQUAL(vhostu_tx_burst(txq(0), &m, 0), 0);
	CU_ASSERT_EQUAL(calls(fd), 0);
}

/* Applications call tx_burst only with frames: the rx poll must flush them. */
static void
test_notify_pending_tx_frames_signalled_by_the_rx_poll(void)
{
	struct rte_mbuf *m[4];
	int fd;

	port_setup(F_DEFAULT, 256, 0);
	fd = use_eventfd(txq(0));
	vhostu_coalesce_tsc = UINT64_MAX / 4;
	txq(0)->last_call_tsc = rte_rdtsc();
	guest_post_rx(0, 8, 2048);
	CU_ASSERT_EQUAL(tx_one(0, 64, 0, 4096), 1);
	CU_ASSERT_EQUAL(calls(fd), 0);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), m, RTE_DIM(m)), 0);
	CU_ASSERT_EQUAL(calls(fd), 1);
	CU_ASSERT_EQUAL(txq(0)->pending_calls, 0);
}

static void
test_notify_suppressed_when_guest_sets_no_interrupt(void)
{
	int fd;

	port_setup(F_DEFAULT, 256, 0);
	fd = use_eventfd(txq(0));
	vhostu_coalesce_frames = 0;
	fg_avail_set_flags(&grx[0], VRING_AVAIL_F_NO_INTERRUPT);
	guest_post_rx(0, 8, 2048);
	CU_ASSERT_EQUAL(tx_one(0, 64, 0, 4096), 1);
	CU_ASSERT_EQUAL(calls(fd), 0);
	CU_ASSERT_EQUAL(txq(0)->stats.notifications, 0);
	CU_ASSERT_EQUAL(txq(0)->pending_calls, 0);
	fg_avail_set_flags(&grx[0], 0);
	CU_ASSERT_EQUAL(tx_one(0, 64, 0, 4096), 1);
	CU_ASSERT_EQUAL(calls(fd), 1);
}

static void
test_notify_rx_returns_guest_tx_buffers_with_a_call(void)
{
	int fd;

	port_setup(F_DEFAULT, 256, 0);
	fd = use_eventfd(rxq(0));
	vhostu_coalesce_frames = 0;
	guest_send(0, 64, 1, NULL, 0, false);
	CU_ASSERT(rx_one_ok(0, 64));
	CU_ASSERT_EQUAL(calls(fd), 1);
	CU_ASSERT_EQUAL(rxq(0)->stats.notifications, 1);
}

static void
test_notify_default_coalescing_signals_the_first_frame_after_idle(void)
{
	int fd;

	port_setup(F_DEFAULT, 256, 0);
	fd = use_eventfd(txq(0));
	guest_post_rx(0, 8, 2048);
	CU_ASSERT_EQUAL(tx_one(0, 64, 0, 4096), 1);
	CU_ASSERT_EQUAL(calls(fd), 1);
	CU_ASSERT(vhostu_coalesce_tsc > 0);	/* 1 ms converted to TSC cycles */
	vhostu_notify_guest(txq(0));
	CU_ASSERT_EQUAL(calls(fd), 1);
	txq(0)->callfd = -1;
	close(fd);
	vhostu_notify_guest(txq(0));	/* no fd: nothing to do, no crash */
}

/* ------------------------------------------------------------ dirty log */

static bool
log_bit(uint64_t gpa)
{
	uint64_t page = gpa / VHOSTU_PAGE_SIZE;

	return (port->log_addr[page / 8] >> (page % 8)) & 1;
}

static unsigned int
log_bits_set(void)
{
	unsigned int n = 0;
	uint64_t i;

	for (i = 0; i < port->log_size; i++)
		n += __builtin_popcount(port->log_addr[i]);
	return n;
}

static void
log_setup(uint64_t features)
{
	unsigned int i;

	port_setup(features, 256, 0);
	port->log_size = (FG_GPA_BASE + FG_MEM_SIZE) / VHOSTU_PAGE_SIZE / 8;
	port->log_addr = calloc(1, port->log_size);
	for (i = 0; i < 4; i++)
		port->vrings[i].log_used = true;
}

static void
test_dirty_log_marks_data_header_and_used_ring_pages_on_tx(void)
{
	uint32_t segs[2] = { 6, 3 * 4096 };
	uint64_t gpa, untouched;
	uint16_t head;

	log_setup(F_DEFAULT | F_LOG);
	head = fg_rx_post(&grx[0], segs, 2, false);
	fg_kick(&grx[0]);
	untouched = fg_alloc(4096, 4096);
	gpa = grx[0].chains[head].gpa[1];
	CU_ASSERT_EQUAL(tx_one(0, 9000, 1, 4096), 1);
	CU_ASSERT(log_bit(grx[0].chains[head].gpa[0]));
	CU_ASSERT(log_bit(gpa));
	CU_ASSERT(log_bit(gpa + 4096));
	CU_ASSERT(log_bit(gpa + 6 + 9000 - 1));
	CU_ASSERT(!log_bit(untouched));
	CU_ASSERT(log_bit(grx[0].used_gpa));
	CU_ASSERT(guest_recv_ok(0, 9000, 1));
}

static void
test_dirty_log_marks_used_ring_but_not_guest_tx_buffers_on_rx(void)
{
	uint16_t head;

	log_setup(F_DEFAULT | F_LOG);
	head = guest_send(0, 5000, 1, NULL, 0, false);
	CU_ASSERT(rx_one_ok(0, 5000));
	CU_ASSERT(log_bit(gtx[0].used_gpa));
	CU_ASSERT(!log_bit(gtx[0].chains[head].gpa[0] + 4096));
	CU_ASSERT_EQUAL(log_bits_set(), 1);
}

static void
test_dirty_log_untouched_without_log_all(void)
{
	log_setup(F_DEFAULT);
	guest_post_rx(0, 8, 2048);
	CU_ASSERT_EQUAL(tx_one(0, 1500, 1, 4096), 1);
	guest_send(0, 1500, 1, NULL, 0, false);
	CU_ASSERT(rx_one_ok(0, 1500));
	CU_ASSERT_EQUAL(log_bits_set(), 0);
}

/* --------------------------------------------------- hostile guest, rx side */

#define HSIZE 16	/* ring size of the hostile tests */

/* A buffer holding header + a 100-byte frame, for hand-built chains. */
static uint64_t
hbuf(uint32_t len)
{
	return fg_alloc(len, 8);
}

/*
 * Post what build() wrote at head (or the raw avail entry), burst, and check
 * the outcome: the frame dropped and counted, the chain returned with len 0
 * when its head is valid, and both queues still moving frames.
 */
static void
hostile_rx(void (*build)(struct fg_ring *r), uint16_t head, uint64_t features)
{
	struct rte_mbuf *m[4];
	uint32_t id = 0xffff, len = 0xffff;

	port_setup(features, HSIZE, 0);
	build(&gtx[0]);
	fg_avail_add(&gtx[0], head);
	fg_kick(&gtx[0]);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), m, 4), 0);
	CU_ASSERT_EQUAL(rxq(0)->stats.errors + rxq(0)->stats.oversize, 1);
	CU_ASSERT_EQUAL(rxq(0)->stats.packets, 0);
	if (head < HSIZE) {
		CU_ASSERT(fg_used_pop(&gtx[0], &id, &len));
		CU_ASSERT_EQUAL(id, head);
		CU_ASSERT_EQUAL(len, 0);
	} else {
		CU_ASSERT_EQUAL(fg_used_idx(&gtx[0]), 0);
	}
	CU_ASSERT(rxq(0)->ready);
	gtx[0].next_desc = 8;	/* good frames use descriptors the builder left alone */
	guest_send(0, 64, 1, NULL, 0, false);
	CU_ASSERT(rx_one_ok(0, 64));
	guest_send(1, 64, 2, NULL, 0, false);
	CU_ASSERT(rx_one_ok(1, 64));
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

static void
b_loop(struct fg_ring *r)
{
	fg_desc(r, 0, hbuf(50), 50, VRING_DESC_F_NEXT, 1);
	fg_desc(r, 1, hbuf(50), 50, VRING_DESC_F_NEXT, 0);
}

static void
b_loop_through_every_descriptor(struct fg_ring *r)
{
	uint16_t i;

	for (i = 0; i < HSIZE; i++)
		fg_desc(r, i, hbuf(50), 50, VRING_DESC_F_NEXT, (i + 1) % HSIZE);
}

static void
b_next_out_of_range(struct fg_ring *r)
{
	fg_desc(r, 0, hbuf(50), 50, VRING_DESC_F_NEXT, HSIZE);
}

static void
b_outside_memory(struct fg_ring *r)
{
	fg_desc(r, 0, FG_GPA_BASE + FG_MEM_SIZE - 10, 100, 0, 0);
}

static void
b_below_memory(struct fg_ring *r)
{
	fg_desc(r, 0, 0x1000, 100, 0, 0);
}

static void
b_huge_len(struct fg_ring *r)
{
	fg_desc(r, 0, hbuf(50), 0xffffffffu, 0, 0);
}

static void
b_addr_wraps(struct fg_ring *r)
{
	fg_desc(r, 0, UINT64_MAX - 10, 100, 0, 0);
}

static void
b_shorter_than_header(struct fg_ring *r)
{
	fg_desc(r, 0, hbuf(8), 8, 0, 0);
}

static void
b_header_split_but_short(struct fg_ring *r)
{
	fg_desc(r, 0, hbuf(4), 4, VRING_DESC_F_NEXT, 1);
	fg_desc(r, 1, hbuf(4), 4, 0, 0);
}

static void
b_only_zero_length(struct fg_ring *r)
{
	fg_desc(r, 0, hbuf(8), 0, VRING_DESC_F_NEXT, 1);
	fg_desc(r, 1, hbuf(8), 0, 0, 0);
}

static void
b_header_only(struct fg_ring *r)
{
	fg_desc(r, 0, hbuf(12), 12, 0, 0);
}

static void
b_nothing(struct fg_ring *r)
{
}

/* An indirect table of n entries of 50 bytes each, chained; entry i's flags or'ed with fl. */
static uint64_t
itable(uint32_t n, uint16_t fl_last)
{
	uint64_t t = fg_alloc(16u * n, 16);
	struct vhostu_desc *d = fg_va(t);
	uint32_t i;

	for (i = 0; i < n; i++) {
		d[i].addr = hbuf(50);
		d[i].len = 50;
		d[i].flags = i + 1 < n ? VRING_DESC_F_NEXT : fl_last;
		d[i].next = i + 1;
	}
	return t;
}

static void
b_ind_len_not_multiple_of_16(struct fg_ring *r)
{
	fg_desc(r, 0, itable(2, 0), 24, VRING_DESC_F_INDIRECT, 0);
}

static void
b_ind_larger_than_ring(struct fg_ring *r)
{
	fg_desc(r, 0, itable(HSIZE + 1, 0), 16 * (HSIZE + 1), VRING_DESC_F_INDIRECT, 0);
}

static void
b_ind_nested(struct fg_ring *r)
{
	uint64_t t = itable(2, 0);
	struct vhostu_desc *d = fg_va(t);

	d[1].addr = itable(2, 0);
	d[1].len = 32;
	d[1].flags = VRING_DESC_F_INDIRECT;
	fg_desc(r, 0, t, 32, VRING_DESC_F_INDIRECT, 0);
}

static void
b_ind_outside_memory(struct fg_ring *r)
{
	fg_desc(r, 0, FG_GPA_BASE + FG_MEM_SIZE - 16, 32, VRING_DESC_F_INDIRECT, 0);
}

static void
b_ind_zero_length(struct fg_ring *r)
{
	fg_desc(r, 0, itable(2, 0), 0, VRING_DESC_F_INDIRECT, 0);
}

static void
b_ind_with_next(struct fg_ring *r)
{
	fg_desc(r, 0, itable(2, 0), 32, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
	fg_desc(r, 1, hbuf(50), 50, 0, 0);
}

static void
b_ind_after_direct(struct fg_ring *r)
{
	fg_desc(r, 0, hbuf(50), 50, VRING_DESC_F_NEXT, 1);
	fg_desc(r, 1, itable(2, 0), 32, VRING_DESC_F_INDIRECT, 0);
}

static void
b_ind_loop(struct fg_ring *r)
{
	uint64_t t = itable(3, VRING_DESC_F_NEXT);	/* last entry points at 3... */
	struct vhostu_desc *d = fg_va(t);

	d[2].next = 0;	/* ...no: back to 0 */
	fg_desc(r, 0, t, 48, VRING_DESC_F_INDIRECT, 0);
}

static void
b_ind_next_out_of_range(struct fg_ring *r)
{
	fg_desc(r, 0, itable(3, VRING_DESC_F_NEXT), 48, VRING_DESC_F_INDIRECT, 0);
}

static void
b_ind_valid(struct fg_ring *r)
{
	fg_desc(r, 0, itable(3, 0), 48, VRING_DESC_F_INDIRECT, 0);
}

#define HOSTILE_RX(name, builder, head, features) \
static void \
test_rx_hostile_##name(void) \
{ \
	hostile_rx(builder, head, features); \
}

HOSTILE_RX(chain_loop_dropped_and_counted, b_loop, 0, F_DEFAULT)
HOSTILE_RX(chain_through_every_descriptor_and_back_dropped, b_loop_through_every_descriptor, 0,
		F_DEFAULT)
HOSTILE_RX(next_out_of_range_dropped, b_next_out_of_range, 0, F_DEFAULT)
HOSTILE_RX(buffer_crossing_end_of_memory_dropped, b_outside_memory, 0, F_DEFAULT)
HOSTILE_RX(buffer_below_memory_dropped, b_below_memory, 0, F_DEFAULT)
HOSTILE_RX(buffer_length_4g_dropped, b_huge_len, 0, F_DEFAULT)
HOSTILE_RX(buffer_address_wrapping_64_bits_dropped, b_addr_wraps, 0, F_DEFAULT)
HOSTILE_RX(first_descriptor_shorter_than_header_dropped, b_shorter_than_header, 0, F_DEFAULT)
HOSTILE_RX(header_split_but_shorter_than_declared_dropped, b_header_split_but_short, 0,
		F_DEFAULT)
HOSTILE_RX(chain_of_only_zero_length_descriptors_dropped, b_only_zero_length, 0, F_DEFAULT)
HOSTILE_RX(header_without_frame_dropped, b_header_only, 0, F_DEFAULT)
HOSTILE_RX(head_index_out_of_range_skipped_without_used_entry, b_nothing, HSIZE, F_DEFAULT)
HOSTILE_RX(head_index_65535_skipped_without_used_entry, b_nothing, 0xffff, F_DEFAULT)
HOSTILE_RX(indirect_length_not_multiple_of_16_dropped, b_ind_len_not_multiple_of_16, 0,
		F_DEFAULT)
HOSTILE_RX(indirect_table_larger_than_ring_dropped, b_ind_larger_than_ring, 0, F_DEFAULT)
HOSTILE_RX(indirect_nested_dropped, b_ind_nested, 0, F_DEFAULT)
HOSTILE_RX(indirect_table_outside_memory_dropped, b_ind_outside_memory, 0, F_DEFAULT)
HOSTILE_RX(indirect_zero_length_dropped, b_ind_zero_length, 0, F_DEFAULT)
HOSTILE_RX(indirect_with_next_flag_dropped, b_ind_with_next, 0, F_DEFAULT)
HOSTILE_RX(indirect_after_direct_descriptor_dropped, b_ind_after_direct, 0, F_DEFAULT)
HOSTILE_RX(indirect_table_loop_dropped, b_ind_loop, 0, F_DEFAULT)
HOSTILE_RX(indirect_next_out_of_range_dropped, b_ind_next_out_of_range, 0, F_DEFAULT)
HOSTILE_RX(indirect_without_negotiation_dropped, b_ind_valid, 0, F_MRG | F_V1)

static void
test_rx_hostile_avail_index_jump_stops_only_that_ring(void)
{
	struct rte_mbuf *m[4];

	port_setup(F_DEFAULT, HSIZE, 0);
	guest_send(0, 64, 1, NULL, 0, false);
	gtx[0].avail_idx = HSIZE + 1;
	fg_kick(&gtx[0]);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), m, 4), 0);
	CU_ASSERT(!rxq(0)->ready);
	CU_ASSERT_EQUAL(rxq(0)->stats.stopped, 1);
	CU_ASSERT_EQUAL(rxq(0)->last_avail_idx, 0);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), m, 4), 0);
	CU_ASSERT_EQUAL(rxq(0)->stats.stopped, 1);
	guest_send(1, 64, 2, NULL, 0, false);
	CU_ASSERT(rx_one_ok(1, 64));
	guest_post_rx(0, 1, 2048);
	CU_ASSERT_EQUAL(tx_one(0, 64, 3, 4096), 1);
	CU_ASSERT(guest_recv_ok(0, 64, 1));
}

static void
test_rx_hostile_avail_index_exactly_ring_size_ahead_is_accepted(void)
{
	struct rte_mbuf *m[HSIZE];
	unsigned int i;

	port_setup(F_DEFAULT, HSIZE, 0);
	for (i = 0; i < HSIZE; i++)
		guest_send(0, 64, i, NULL, 0, false);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), m, HSIZE), HSIZE);
	rte_pktmbuf_free_bulk(m, HSIZE);
	CU_ASSERT(rxq(0)->ready);
}

/* --------------------------------------------------- hostile guest, tx side */

static void
hostile_tx(void (*build)(struct fg_ring *r), uint16_t head, uint64_t features)
{
	uint32_t id = 0xffff, len = 0xffff;

	port_setup(features, HSIZE, 0);
	build(&grx[0]);
	fg_avail_add(&grx[0], head);
	fg_kick(&grx[0]);
	/*
	 * 1000 bytes: more than a looping chain of 20-byte buffers holds within
	 * the ring-size bound (a frame that fits before the bound is written:
	 * harmless, the walk is bounded either way).
	 */
	CU_ASSERT_EQUAL(tx_one(0, 1000, 1, 4096), 1);	/* consumed: dropped */
	CU_ASSERT_EQUAL(txq(0)->stats.errors, 1);
	CU_ASSERT_EQUAL(txq(0)->stats.packets, 0);
	if (head < HSIZE) {
		CU_ASSERT(fg_used_pop(&grx[0], &id, &len));
		CU_ASSERT_EQUAL(id, head);
		CU_ASSERT_EQUAL(len, 0);
	}
	CU_ASSERT_EQUAL(fg_used_idx(&grx[0]), head < HSIZE ? 1 : 0);
	CU_ASSERT(txq(0)->ready);
	grx[0].next_desc = 8;
	guest_post_rx(0, 1, 2048);
	CU_ASSERT_EQUAL(tx_one(0, 64, 2, 4096), 1);
	CU_ASSERT(guest_recv_ok(0, 64, 1));
	guest_post_rx(1, 1, 2048);
	CU_ASSERT_EQUAL(tx_one(1, 64, 3, 4096), 1);
	CU_ASSERT(guest_recv_ok(1, 64, 1));
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

static void
bw_read_only(struct fg_ring *r)
{
	fg_desc(r, 0, hbuf(2048), 2048, 0, 0);
}

static void
bw_loop(struct fg_ring *r)
{
	fg_desc(r, 0, hbuf(20), 20, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	fg_desc(r, 1, hbuf(20), 20, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 0);
}

static void
bw_next_out_of_range(struct fg_ring *r)
{
	fg_desc(r, 0, hbuf(20), 20, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 999);
}

static void
bw_outside_memory(struct fg_ring *r)
{
	fg_desc(r, 0, FG_GPA_BASE + FG_MEM_SIZE - 100, 2048, VRING_DESC_F_WRITE, 0);
}

static void
bw_shorter_than_header(struct fg_ring *r)
{
	fg_desc(r, 0, hbuf(8), 8, VRING_DESC_F_WRITE, 0);
}

static void
bw_nothing(struct fg_ring *r)
{
}

static void
bw_ind_nested(struct fg_ring *r)
{
	b_ind_nested(r);
}

#define HOSTILE_TX(name, builder, head, features) \
static void \
test_tx_hostile_##name(void) \
{ \
	hostile_tx(builder, head, features); \
}

HOSTILE_TX(read_only_buffer_not_written_frame_dropped, bw_read_only, 0, F_DEFAULT)
HOSTILE_TX(chain_loop_dropped, bw_loop, 0, F_DEFAULT)
HOSTILE_TX(chain_loop_dropped_without_mrg, bw_loop, 0, F_V1)
HOSTILE_TX(next_out_of_range_dropped, bw_next_out_of_range, 0, F_DEFAULT)
HOSTILE_TX(buffer_crossing_end_of_memory_dropped, bw_outside_memory, 0, F_DEFAULT)
HOSTILE_TX(mrg_first_chain_shorter_than_header_dropped, bw_shorter_than_header, 0, F_DEFAULT)
HOSTILE_TX(head_index_out_of_range_dropped_without_used_entry, bw_nothing, HSIZE, F_DEFAULT)
HOSTILE_TX(head_index_out_of_range_without_mrg, bw_nothing, HSIZE, F_V1)
HOSTILE_TX(indirect_nested_dropped, bw_ind_nested, 0, F_DEFAULT)

/* A frame over two chains whose second is bad: both come back empty. */
static void
test_tx_hostile_mrg_bad_second_chain_voids_the_whole_frame(void)
{
	uint32_t id, len, buf = 1536;

	port_setup(F_DEFAULT, HSIZE, 0);
	fg_rx_post(&grx[0], &buf, 1, false);
	fg_desc(&grx[0], 5, FG_GPA_BASE + FG_MEM_SIZE, 1536, VRING_DESC_F_WRITE, 0);
	fg_avail_add(&grx[0], 5);
	fg_kick(&grx[0]);
	CU_ASSERT_EQUAL(tx_one(0, 2000, 1, 4096), 1);
	CU_ASSERT_EQUAL(txq(0)->stats.errors, 1);
	CU_ASSERT(fg_used_pop(&grx[0], &id, &len) && id == 0 && len == 0);
	CU_ASSERT(fg_used_pop(&grx[0], &id, &len) && id == 5 && len == 0);
	CU_ASSERT(!fg_used_pop(&grx[0], &id, &len));
}

static void
test_tx_hostile_avail_index_jump_stops_only_that_ring(void)
{
	port_setup(F_DEFAULT, HSIZE, 0);
	grx[0].avail_idx = 40000;
	fg_kick(&grx[0]);
	CU_ASSERT_EQUAL(tx_one(0, 64, 1, 4096), 0);
	CU_ASSERT(!txq(0)->ready);
	CU_ASSERT_EQUAL(txq(0)->stats.stopped, 1);
	guest_post_rx(1, 1, 2048);
	CU_ASSERT_EQUAL(tx_one(1, 64, 3, 4096), 1);
	CU_ASSERT(guest_recv_ok(1, 64, 1));
	guest_send(0, 64, 2, NULL, 0, false);
	CU_ASSERT(rx_one_ok(0, 64));
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

/* ---------------------------------------------- fuzz: random and changing rings */

static uint64_t fuzz_state;

static uint32_t
fuzz_rand(void)
{
	fuzz_state = fuzz_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(fuzz_state >> 33);
}

static uint64_t
fuzz_addr(void)
{
	switch (fuzz_rand() % 4) {
	case 0:
		return fuzz_rand() % (2 * FG_MEM_SIZE);
	case 1:
		return ((uint64_t)fuzz_rand() << 32) | fuzz_rand();
	default:
		return FG_GPA_BASE + 0x800000 + fuzz_rand() % (FG_MEM_SIZE - 0x900000);
	}
}

static void
fuzz_desc(struct fg_ring *r, struct vhostu_desc *d, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		d[i].addr = fuzz_addr();
		d[i].len = fuzz_rand() % 8 == 0 ? fuzz_rand() : fuzz_rand() % 3000;
		d[i].flags = fuzz_rand() % 8;
		d[i].next = fuzz_rand() % (r->size + 2);
		if ((d[i].flags & VRING_DESC_F_INDIRECT) && fuzz_rand() % 2) {
			/* Point at another random table of a random length. */
			d[i].addr = FG_GPA_BASE + 0x800000 + (fuzz_rand() % 4096) * 16;
			d[i].len = (fuzz_rand() % (r->size + 4)) * (fuzz_rand() % 3 ? 16 : 7);
		}
	}
}

static void
fuzz_round(struct fg_ring *r)
{
	uint16_t i, n = fuzz_rand() % (r->size + 1);

	fuzz_desc(r, r->desc, r->size);
	fuzz_desc(r, fg_va(FG_GPA_BASE + 0x800000), 4096);
	for (i = 0; i < n; i++)
		fg_avail_add(r, fuzz_rand() % 8 == 0 ? fuzz_rand() : fuzz_rand() % r->size);
	if (fuzz_rand() % 16 == 0)
		r->avail_idx += fuzz_rand();
	fg_kick(r);
}

static void
fuzz_restart(struct fg_ring *r)
{
	/* What a frontend's reset amounts to: ring set up again from the guest's state. */
	r->vr->ready = true;
	r->vr->last_avail_idx = r->avail_idx;
}

/* Random descriptor tables, avail entries and indices: bursts return, nothing leaks. */
static void
test_fuzz_random_rings_never_crash_loop_or_leak(void)
{
	struct rte_mbuf *pkts[32];
	unsigned int round, i, n;

	rte_log_set_level(vhostu_logtype, RTE_LOG_CRIT);	/* rings stop often here */
	port_setup(F_DEFAULT | F_LOG, 64, 0);
	port->log_size = (FG_GPA_BASE + FG_MEM_SIZE) / VHOSTU_PAGE_SIZE / 8;
	port->log_addr = calloc(1, port->log_size);
	fuzz_state = 42;
	for (round = 0; round < 3000; round++) {
		port->features ^= (fuzz_rand() % 2) ? F_MRG : 0;
		fuzz_round(&gtx[0]);
		fuzz_round(&grx[0]);
		n = vhostu_rx_burst(rxq(0), pkts, 32);
		CU_ASSERT_FATAL(n <= 32);
		if (n != 0)
			rte_pktmbuf_free_bulk(pkts, n);
		for (i = 0; i < 32; i++)
			pkts[i] = mk_mbuf(1 + fuzz_rand() % 9000, i, 4096);
		n = vhostu_tx_burst(txq(0), pkts, 32);
		CU_ASSERT_FATAL(n <= 32);
		rte_pktmbuf_free_bulk(&pkts[n], 32 - n);
		fuzz_restart(&gtx[0]);
		fuzz_restart(&grx[0]);
	}
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
	CU_ASSERT(rxq(0)->stats.errors > 0);
	CU_ASSERT(txq(0)->stats.errors > 0);
}

static volatile bool mutate_stop;

/* The guest rewriting descriptors and avail entries while bursts read them. */
static void *
mutator(void *arg)
{
	struct fg_ring *r = arg;
	uint64_t s = 7;
	uint16_t *ring = (uint16_t *)((uint8_t *)r->avail + 4);

	while (!mutate_stop) {
		s = s * 6364136223846793005ull + 1;
		r->desc[(s >> 40) % r->size].next = (s >> 20) % (r->size + 2);
		r->desc[(s >> 30) % r->size].len = (s >> 8) % 4096;
		r->desc[(s >> 50) % r->size].flags = (s >> 33) % 8;
		r->desc[(s >> 45) % r->size].addr = FG_GPA_BASE + (s >> 12) % (FG_MEM_SIZE + 8192);
		ring[(s >> 37) % r->size] = (s >> 17) % (r->size + 1);
	}
	return NULL;
}

static void
test_fuzz_descriptors_changing_under_the_bursts(void)
{
	struct rte_mbuf *pkts[32];
	pthread_t th[2];
	unsigned int round, i, n;

	rte_log_set_level(vhostu_logtype, RTE_LOG_CRIT);
	port_setup(F_DEFAULT, 64, 0);
	fuzz_state = 9;
	for (i = 0; i < 56; i++) {
		guest_send(0, 1 + i * 97, i, NULL, 0, i % 2);
		fg_rx_post(&grx[0], (uint32_t[]){ 1536 }, 1, i % 2);
	}
	mutate_stop = false;
	CU_ASSERT_FATAL(pthread_create(&th[0], NULL, mutator, &gtx[0]) == 0);
	CU_ASSERT_FATAL(pthread_create(&th[1], NULL, mutator, &grx[0]) == 0);
	for (round = 0; round < 20000; round++) {
		gtx[0].avail_idx += fuzz_rand() % 8;
		grx[0].avail_idx += fuzz_rand() % 8;
		fg_kick(&gtx[0]);
		fg_kick(&grx[0]);
		n = vhostu_rx_burst(rxq(0), pkts, 32);
		if (n != 0)
			rte_pktmbuf_free_bulk(pkts, n);
		for (i = 0; i < 8; i++)
			pkts[i] = mk_mbuf(1 + fuzz_rand() % 3000, i, 4096);
		n = vhostu_tx_burst(txq(0), pkts, 8);
		rte_pktmbuf_free_bulk(&pkts[n], 8 - n);
		fuzz_restart(&gtx[0]);
		fuzz_restart(&grx[0]);
	}
	mutate_stop = true;
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

/* ----------------------------------------------------------- statistics */

static struct rte_eth_dev_data dev_data;
static struct rte_eth_dev dev;

static struct rte_eth_dev *
fake_dev(void)
{
	memset(&dev_data, 0, sizeof(dev_data));
	memset(&dev, 0, sizeof(dev));
	dev_data.dev_private = port;
	dev_data.nb_rx_queues = 2;
	dev_data.nb_tx_queues = 2;
	dev.data = &dev_data;
	return &dev;
}

/* Some good and some bad traffic on both queues of both directions. */
static void
stats_traffic(void)
{
	port_setup(F_DEFAULT, 256, 0);
	guest_send(0, 64, 1, NULL, 0, false);
	CU_ASSERT(rx_one_ok(0, 64));
	guest_send(1, 1000, 1, NULL, 0, false);
	CU_ASSERT(rx_one_ok(1, 1000));
	guest_send(1, 2000, 1, NULL, 0, false);
	CU_ASSERT(rx_one_ok(1, 2000));
	fg_tx_post(&gtx[1], zero_hdr, 12, zero_hdr, 0, NULL, 1, false);	/* header only */
	fg_kick(&gtx[1]);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(1), (struct rte_mbuf *[1]){ NULL }, 1), 0);
	guest_post_rx(0, 1, 2048);
	CU_ASSERT_EQUAL(tx_one(0, 100, 1, 4096), 1);
	CU_ASSERT_EQUAL(tx_one(0, 100, 1, 4096), 0);	/* ring full */
}

static void
test_stats_sum_queues_and_map_counters_to_ethdev_fields(void)
{
	struct rte_eth_stats st;

	stats_traffic();
	memset(&st, 0, sizeof(st));
	CU_ASSERT_EQUAL(vhostu_stats_get(fake_dev(), &st), 0);
	CU_ASSERT_EQUAL(st.ipackets, 3);
	CU_ASSERT_EQUAL(st.ibytes, 3064);
	CU_ASSERT_EQUAL(st.q_ipackets[0], 1);
	CU_ASSERT_EQUAL(st.q_ipackets[1], 2);
	CU_ASSERT_EQUAL(st.q_ibytes[1], 3000);
	CU_ASSERT_EQUAL(st.ierrors, 1);
	CU_ASSERT_EQUAL(st.q_errors[1], 1);
	CU_ASSERT_EQUAL(st.opackets, 1);
	CU_ASSERT_EQUAL(st.obytes, 100);
	CU_ASSERT_EQUAL(st.q_opackets[0], 1);
	CU_ASSERT_EQUAL(st.oerrors, 1);
	CU_ASSERT_EQUAL(vhostu_stats_reset(fake_dev()), 0);
	memset(&st, 0, sizeof(st));
	vhostu_stats_get(fake_dev(), &st);
	CU_ASSERT_EQUAL(st.ipackets + st.opackets + st.ierrors + st.oerrors, 0);
}

static int64_t
xstat(const char *name)
{
	struct rte_eth_xstat_name names[512];
	struct rte_eth_xstat vals[512];
	int n = vhostu_xstats_get_names(fake_dev(), names, 512), i;

	CU_ASSERT_FATAL(n > 0 && n <= 512);
	CU_ASSERT_FATAL(vhostu_xstats_get(fake_dev(), vals, 512) == n);
	for (i = 0; i < n; i++)
		if (strcmp(names[i].name, name) == 0)
			return vals[i].id == (uint64_t)i ? (int64_t)vals[i].value : -2;
	return -1;
}

static void
test_xstats_have_dpdk_style_names_and_values(void)
{
	stats_traffic();
	CU_ASSERT_EQUAL(xstat("rx_good_packets"), 3);
	CU_ASSERT_EQUAL(xstat("rx_good_bytes"), 3064);
	CU_ASSERT_EQUAL(xstat("rx_q0_packets"), 1);
	CU_ASSERT_EQUAL(xstat("rx_q1_packets"), 2);
	CU_ASSERT_EQUAL(xstat("rx_q1_bytes"), 3000);
	CU_ASSERT_EQUAL(xstat("rx_size_64_packets"), 1);
	CU_ASSERT_EQUAL(xstat("rx_size_512_to_1023_packets"), 1);
	CU_ASSERT_EQUAL(xstat("rx_size_1519_to_max_packets"), 1);
	CU_ASSERT_EQUAL(xstat("rx_q1_size_1519_to_max_packets"), 1);
	CU_ASSERT_EQUAL(xstat("rx_bad_chain_errors"), 1);
	CU_ASSERT_EQUAL(xstat("rx_q1_bad_chain_errors"), 1);
	CU_ASSERT_EQUAL(xstat("rx_oversize_errors"), 0);
	CU_ASSERT_EQUAL(xstat("rx_mbuf_alloc_failed"), 0);
	CU_ASSERT_EQUAL(xstat("rx_guest_notifications"), 0);	/* no call fd */
	CU_ASSERT_EQUAL(xstat("tx_good_packets"), 1);
	CU_ASSERT_EQUAL(xstat("tx_size_65_to_127_packets"), 1);
	CU_ASSERT_EQUAL(xstat("tx_no_desc_drops"), 1);
	CU_ASSERT_EQUAL(xstat("tx_q0_no_desc_drops"), 1);
	CU_ASSERT_EQUAL(xstat("tx_q1_no_desc_drops"), 0);
	CU_ASSERT_EQUAL(xstat("tx_ring_stopped"), 0);
	CU_ASSERT_EQUAL(xstat("rx_no_desc_drops"), -1);	/* tx only */
	CU_ASSERT_EQUAL(xstat("tx_mbuf_alloc_failed"), -1);	/* rx only */
	CU_ASSERT_EQUAL(xstat("rx_q2_packets"), -1);	/* two queues configured */
	CU_ASSERT_EQUAL(vhostu_xstats_reset(fake_dev()), 0);
	CU_ASSERT_EQUAL(xstat("rx_good_packets"), 0);
	CU_ASSERT_EQUAL(xstat("tx_q0_no_desc_drops"), 0);
}

static void
test_xstats_names_unique_and_short_count_asks_for_more(void)
{
	struct rte_eth_xstat_name names[512];
	struct rte_eth_xstat vals[4];
	int n, i, j;

	port_setup(F_DEFAULT, 256, 0);
	n = vhostu_xstats_get_names(fake_dev(), NULL, 0);
	CU_ASSERT(n > 0);
	CU_ASSERT_EQUAL(vhostu_xstats_get_names(fake_dev(), names, 512), n);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			CU_ASSERT(strcmp(names[i].name, names[j].name) != 0);
	CU_ASSERT_EQUAL(vhostu_xstats_get(fake_dev(), vals, 4), n);
	CU_ASSERT_EQUAL(vhostu_xstats_get_names(fake_dev(), names, 4), n);
}

/* ------------------------------------------------------------------ main */

#define T(fn) { #fn, fn }

static CU_TestInfo rx_tests[] = {
	T(test_rx_single_buffer_frame_arrives_byte_exact),
	T(test_rx_returns_used_entries_with_head_and_sets_no_notify),
	T(test_rx_header_split_at_every_offset_version1),
	T(test_rx_header_split_at_every_offset_legacy_10_byte_header),
	T(test_rx_header_split_at_every_offset_mrg_without_version1),
	T(test_rx_chains_of_1_to_40_direct_descriptors),
	T(test_rx_chains_of_1_to_40_indirect_descriptors),
	T(test_rx_chain_as_long_as_the_ring_is_accepted),
	T(test_rx_frames_60_to_9018_bytes_byte_exact_in_chained_mbufs),
	T(test_rx_burst_takes_at_most_n_and_leaves_the_rest),
	T(test_rx_ring_wraps_around_index_65535),
	T(test_rx_mbuf_exhaustion_counts_and_keeps_the_frame_for_later),
	T(test_rx_frame_above_64k_dropped_as_oversize),
	T(test_rx_zero_length_descriptors_inside_a_chain_are_skipped),
	T(test_rx_rarp_request_delivers_one_announcement_on_queue_0),
	T(test_bursts_return_0_when_locked_or_not_ready),
	CU_TEST_INFO_NULL,
};

static CU_TestInfo tx_tests[] = {
	T(test_tx_mrg_spreads_frames_over_buffers_and_sets_num_buffers),
	T(test_tx_mrg_without_version1_uses_12_byte_header),
	T(test_tx_mrg_into_indirect_chains),
	T(test_tx_without_mrg_one_multi_descriptor_chain_per_frame_version1),
	T(test_tx_without_mrg_legacy_10_byte_header),
	T(test_tx_without_mrg_into_indirect_chains),
	T(test_tx_header_split_at_every_offset_mrg),
	T(test_tx_header_split_at_every_offset_without_mrg),
	T(test_tx_header_split_at_every_offset_legacy),
	T(test_tx_multi_segment_mbufs_arrive_byte_exact),
	T(test_tx_ring_full_returns_count_sent_and_keeps_the_rest),
	T(test_tx_mrg_short_ring_rolls_back_without_consuming),
	T(test_tx_without_mrg_frame_too_big_dropped_buffer_kept),
	T(test_tx_ring_wraps_around_index_65535_mrg),
	T(test_tx_ring_wraps_around_index_65535_without_mrg),
	CU_TEST_INFO_NULL,
};

static CU_TestInfo notify_tests[] = {
	T(test_notify_every_burst_when_coalesce_frames_is_0),
	T(test_notify_coalesces_until_the_frame_threshold),
	T(test_notify_pending_frames_signalled_when_the_queue_goes_idle),
	T(test_notify_pending_tx_frames_signalled_by_the_rx_poll),
	T(test_notify_suppressed_when_guest_sets_no_interrupt),
	T(test_notify_rx_returns_guest_tx_buffers_with_a_call),
	T(test_notify_default_coalescing_signals_the_first_frame_after_idle),
	T(test_dirty_log_marks_data_header_and_used_ring_pages_on_tx),
	T(test_dirty_log_marks_used_ring_but_not_guest_tx_buffers_on_rx),
	T(test_dirty_log_untouched_without_log_all),
	CU_TEST_INFO_NULL,
};

static CU_TestInfo hostile_tests[] = {
	T(test_rx_hostile_chain_loop_dropped_and_counted),
	T(test_rx_hostile_chain_through_every_descriptor_and_back_dropped),
	T(test_rx_hostile_next_out_of_range_dropped),
	T(test_rx_hostile_buffer_crossing_end_of_memory_dropped),
	T(test_rx_hostile_buffer_below_memory_dropped),
	T(test_rx_hostile_buffer_length_4g_dropped),
	T(test_rx_hostile_buffer_address_wrapping_64_bits_dropped),
	T(test_rx_hostile_first_descriptor_shorter_than_header_dropped),
	T(test_rx_hostile_header_split_but_shorter_than_declared_dropped),
	T(test_rx_hostile_chain_of_only_zero_length_descriptors_dropped),
	T(test_rx_hostile_header_without_frame_dropped),
	T(test_rx_hostile_head_index_out_of_range_skipped_without_used_entry),
	T(test_rx_hostile_head_index_65535_skipped_without_used_entry),
	T(test_rx_hostile_indirect_length_not_multiple_of_16_dropped),
	T(test_rx_hostile_indirect_table_larger_than_ring_dropped),
	T(test_rx_hostile_indirect_nested_dropped),
	T(test_rx_hostile_indirect_table_outside_memory_dropped),
	T(test_rx_hostile_indirect_zero_length_dropped),
	T(test_rx_hostile_indirect_with_next_flag_dropped),
	T(test_rx_hostile_indirect_after_direct_descriptor_dropped),
	T(test_rx_hostile_indirect_table_loop_dropped),
	T(test_rx_hostile_indirect_next_out_of_range_dropped),
	T(test_rx_hostile_indirect_without_negotiation_dropped),
	T(test_rx_hostile_avail_index_jump_stops_only_that_ring),
	T(test_rx_hostile_avail_index_exactly_ring_size_ahead_is_accepted),
	T(test_tx_hostile_read_only_buffer_not_written_frame_dropped),
	T(test_tx_hostile_chain_loop_dropped),
	T(test_tx_hostile_chain_loop_dropped_without_mrg),
	T(test_tx_hostile_next_out_of_range_dropped),
	T(test_tx_hostile_buffer_crossing_end_of_memory_dropped),
	T(test_tx_hostile_mrg_first_chain_shorter_than_header_dropped),
	T(test_tx_hostile_head_index_out_of_range_dropped_without_used_entry),
	T(test_tx_hostile_head_index_out_of_range_without_mrg),
	T(test_tx_hostile_indirect_nested_dropped),
	T(test_tx_hostile_mrg_bad_second_chain_voids_the_whole_frame),
	T(test_tx_hostile_avail_index_jump_stops_only_that_ring),
	T(test_fuzz_random_rings_never_crash_loop_or_leak),
	T(test_fuzz_descriptors_changing_under_the_bursts),
	CU_TEST_INFO_NULL,
};

static CU_TestInfo stats_tests[] = {
	T(test_stats_sum_queues_and_map_counters_to_ethdev_fields),
	T(test_xstats_have_dpdk_style_names_and_values),
	T(test_xstats_names_unique_and_short_count_asks_for_more),
	CU_TEST_INFO_NULL,
};

#define S(name, tests) \
	{ name, NULL, NULL, test_setup, test_teardown, tests }

static CU_SuiteInfo suites[] = {
	S("rx: guest TX ring to mbufs", rx_tests),
	S("tx: mbufs to guest RX ring", tx_tests),
	S("notification and dirty log", notify_tests),
	S("hostile guest", hostile_tests),
	S("stats and xstats", stats_tests),
	CU_SUITE_INFO_NULL,
};

static int
eal_init(void)
{
	char prefix[64];
	char *argv[] = { "test_rxtx", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
		"-l", "0", "--log-level=*:error", prefix, NULL };

	snprintf(prefix, sizeof(prefix), "--file-prefix=rxtx-%d", (int)getpid());
	return rte_eal_init(RTE_DIM(argv) - 1, argv);
}

int
main(void)
{
	unsigned int failed;

	if (eal_init() < 0) {
		fprintf(stderr, "test_rxtx: EAL init failed\n");
		return 1;
	}
	mp = rte_pktmbuf_pool_create("rxtx", NB_MBUFS, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
			SOCKET_ID_ANY);
	if (mp == NULL || fg_mem_init() != 0) {
		fprintf(stderr, "test_rxtx: set-up failed\n");
		return 1;
	}
	failed = run_suites(suites);
	fg_mem_fini();
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return failed != 0;
}
