/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames both ways between DPDK's virtio-user and net_vhostu, one suite per
 * combination (test_e2e_virtio_user.c lists them): which side listens, queues
 * 1, 2 and 8, mrg_rxbuf and in_order on and off, split and packed rings. Each
 * suite brings both ports up, checks what was negotiated, moves frames of 64
 * to 9000 bytes both ways on every queue and compares every byte, the count
 * and the order per queue,
 * then tears both ports down and checks that no fd and no mbuf stayed behind.
 *
 * Our port always has queues=8, as the switch creates its ports (it does not
 * know how many queue pairs a guest will use); virtio-user uses 1, 2 or 8, and
 * traffic runs on those. Each queue carries more frames than its ring has
 * entries, so every ring wraps.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "e2e_harness.h"
#include "rte_pmd_vhostu.h"
#include "test_common.h"

#define E2E_ROUNDS		32	/* each size this many times per queue and direction:
					 * 288 frames, past the 256 of a ring */

static const uint16_t e2e_sizes[] = { 64, 65, 128, 1500, 1518, 2048, 4000, 8000, 9000 };
#define E2E_NSIZES		RTE_DIM(e2e_sizes)
#define E2E_FRAMES		(E2E_ROUNDS * E2E_NSIZES)	/* per queue and direction */

/* Progress of one queue in a transfer. */
struct e2e_queue {
	struct rte_mbuf *pend[E2E_BURST];	/* built, not yet taken by tx_burst */
	uint16_t npend;
	uint16_t next_build;	/* index into the queue's frame list */
	uint16_t next_rx;	/* next deliverable frame expected */
	uint16_t ndeliver;	/* frames the receiver can take */
	uint16_t nreceived;
	uint16_t nbad;		/* received frames that differ from what was sent */
};

static uint8_t got_buf[E2E_MAX_FRAME];

/* ---------------------------------------------------------------- helpers */

static uint16_t
e2e_frame_len(uint16_t idx)
{
	return e2e_sizes[idx % E2E_NSIZES];
}

/* Largest frame the receiver of dir can take (0: no limit below E2E_MAX_FRAME). */
static uint32_t
e2e_rx_limit(enum e2e_dir dir)
{
	/*
	 * Without MRG_RXBUF, virtio-user posts one mbuf per receive buffer: room
	 * for the header plus data_room - headroom bytes of frame. vhostu must drop
	 * and count a larger frame (oversize), not truncate or split it.
	 */
	if (dir == E2E_TO_PEER && !cur->mrg_rxbuf)
		return rte_pktmbuf_data_room_size(peer_mp) - RTE_PKTMBUF_HEADROOM;
	return 0;
}

static uint64_t
e2e_xstat(uint16_t port, const char *name)
{
	uint64_t id, value = UINT64_MAX;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
			rte_eth_xstats_get_by_id(port, &id, &value, 1) != 1)
		CU_FAIL("xstat missing");
	return value;
}

static uint64_t
e2e_vhostu_qstat(const char *pfx, uint16_t q, const char *what)
{
	char name[RTE_ETH_XSTATS_NAME_SIZE];

	snprintf(name, sizeof(name), "%s_q%u_%s", pfx, q, what);
	return e2e_xstat(vport, name);
}

/* ------------------------------------------------------------- transfers */

static void
e2e_queue_init(struct e2e_queue *eq, enum e2e_dir dir)
{
	uint32_t limit = e2e_rx_limit(dir);
	uint16_t i;

	memset(eq, 0, sizeof(*eq));
	for (i = 0; i < E2E_FRAMES; i++)
		if (limit == 0 || e2e_frame_len(i) <= limit)
			eq->ndeliver++;
}

/* Build and send what the queue still has to send; false if mbufs ran out. */
static bool
e2e_queue_send(struct e2e_queue *eq, enum e2e_dir dir, uint16_t q)
{
	uint16_t port = dir == E2E_TO_VHOSTU ? pport : vport;
	struct rte_mempool *mp = dir == E2E_TO_VHOSTU ? peer_mp : vhostu_mp;
	uint16_t n;

	while (eq->npend < E2E_BURST && eq->next_build < E2E_FRAMES) {
		uint16_t len = e2e_frame_len(eq->next_build);

		e2e_frame(expect_buf, len, dir, q, eq->next_build);
		eq->pend[eq->npend] = e2e_mbuf_build(mp, expect_buf, len);
		if (eq->pend[eq->npend] == NULL)
			return false;
		eq->npend++;
		eq->next_build++;
	}
	if (eq->npend == 0)
		return true;
	n = rte_eth_tx_burst(port, q, eq->pend, eq->npend);
	memmove(eq->pend, &eq->pend[n], (eq->npend - n) * sizeof(eq->pend[0]));
	eq->npend -= n;
	return true;
}

/* Compare one received frame with the next deliverable one the queue sent. */
static void
e2e_queue_check(struct e2e_queue *eq, enum e2e_dir dir, uint16_t q, struct rte_mbuf *m)
{
	uint32_t limit = e2e_rx_limit(dir);
	const void *data;
	uint16_t len;

	while (eq->next_rx < E2E_FRAMES && limit != 0 && e2e_frame_len(eq->next_rx) > limit)
		eq->next_rx++;
	eq->nreceived++;
	if (eq->next_rx >= E2E_FRAMES) {
		eq->nbad++;	/* more frames than were sent */
		return;
	}
	len = e2e_frame_len(eq->next_rx);
	e2e_frame(expect_buf, len, dir, q, eq->next_rx);
	data = rte_pktmbuf_read(m, 0, RTE_MIN(m->pkt_len, sizeof(got_buf)), got_buf);
	if (m->pkt_len != len || data == NULL || memcmp(data, expect_buf, len) != 0) {
		if (eq->nbad++ == 0)
			fprintf(stderr, "\n  q%u frame %u: got %u bytes in %u segs, sent %u\n",
				q, eq->next_rx, m->pkt_len, m->nb_segs, len);
	}
	eq->next_rx++;
}

static void
e2e_queue_receive(struct e2e_queue *eq, enum e2e_dir dir, uint16_t q)
{
	uint16_t port = dir == E2E_TO_VHOSTU ? vport : pport;
	struct rte_mbuf *rx[E2E_BURST];
	uint16_t n, i;

	n = rte_eth_rx_burst(port, q, rx, E2E_BURST);
	for (i = 0; i < n; i++)
		e2e_queue_check(eq, dir, q, rx[i]);
	rte_pktmbuf_free_bulk(rx, n);
}

static bool
e2e_queue_done(const struct e2e_queue *eq)
{
	return eq->next_build == E2E_FRAMES && eq->npend == 0 && eq->nreceived >= eq->ndeliver;
}

/*
 * Send E2E_FRAMES frames on every queue in direction dir while polling the
 * receiver, until everything deliverable has arrived or the deadline passes.
 * Then every queue must have received exactly its deliverable frames, in
 * order and byte-exact.
 */
static void
e2e_transfer(enum e2e_dir dir, struct e2e_queue *eqs)
{
	uint64_t deadline = e2e_deadline(E2E_XFER_TIMEOUT_S);
	bool done, mbufs_ok = true;
	uint16_t q;

	for (q = 0; q < cur->queues; q++)
		e2e_queue_init(&eqs[q], dir);
	do {
		done = true;
		for (q = 0; q < cur->queues; q++) {
			mbufs_ok &= e2e_queue_send(&eqs[q], dir, q);
			e2e_queue_receive(&eqs[q], dir, q);
			done &= e2e_queue_done(&eqs[q]);
		}
	} while (!done && mbufs_ok && !e2e_expired(deadline));
	CU_ASSERT(mbufs_ok);
	for (q = 0; q < cur->queues; q++) {
		struct e2e_queue *eq = &eqs[q];

		e2e_queue_receive(eq, dir, q);	/* nothing more may come */
		if (eq->nreceived != eq->ndeliver || eq->npend != 0 || eq->nbad != 0)
			fprintf(stderr, "\n  q%u: sent %u (%u unsent), received %u of %u, %u bad\n",
				q, eq->next_build, eq->npend, eq->nreceived, eq->ndeliver,
				eq->nbad);
		CU_ASSERT_EQUAL(eq->npend, 0);
		CU_ASSERT_EQUAL(eq->nreceived, eq->ndeliver);
		CU_ASSERT_EQUAL(eq->nbad, 0);
		rte_pktmbuf_free_bulk(eq->pend, eq->npend);
	}
}

/* ------------------------------------------------------------------ tests */

static void
test_frontend_connects_and_both_links_come_up(void)
{
	CU_ASSERT_FATAL(e2e_bring_up() == 0);
	CU_ASSERT_FATAL(e2e_links_up(e2e_deadline(E2E_LINK_TIMEOUT_S)));
	ports_up = true;
}

/*
 * What DPDK 22.11's virtio PMD over virtio-user asks a vhost-user backend for,
 * of what we offer. virtio-user passes the backend's features through its
 * VIRTIO_USER_SUPPORTED_FEATURES filter, which has no GUEST_ANNOUNCE,
 * ANY_LAYOUT or LOG_ALL; the virtio PMD then takes INDIRECT_DESC and VERSION_1,
 * virtio-user adds PROTOCOL_FEATURES; MRG_RXBUF unless mrg_rxbuf=0; MQ only
 * with a control queue, which virtio-user turns on for queues > 1 (CTRL_VQ it
 * keeps to itself); IN_ORDER with in_order=1 (its default); RING_PACKED with
 * packed_vq=1. EVENT_IDX neither its filter nor the PMD knows for split rings:
 * never asked for.
 */
static uint64_t
e2e_requested(const struct e2e_combo *c)
{
	uint64_t f = E2E_F_INDIRECT_DESC | E2E_F_VERSION_1 | E2E_F_PROTOCOL_FEATURES;

	if (c->mrg_rxbuf)
		f |= E2E_F_MRG_RXBUF;
	if (c->queues > 1)
		f |= E2E_F_MQ;
	if (c->in_order)
		f |= E2E_F_IN_ORDER;
	if (c->packed)
		f |= E2E_F_RING_PACKED;
	return f;
}

static void
test_negotiated_features_are_offered_and_requested_rings_as_configured(void)
{
	static struct rte_pmd_vhostu_info info;
	uint16_t v;

	CU_ASSERT_FATAL(ports_up);
	CU_ASSERT_FATAL(rte_pmd_vhostu_get_info(vport, &info) == 0);
	CU_ASSERT_TRUE(info.connected);
	CU_ASSERT_EQUAL(info.server, cur->vhostu_server);
	CU_ASSERT_EQUAL(info.features_mask, e2e_mask(cur));
	CU_ASSERT_EQUAL(info.features_offered, E2E_OFFERED & e2e_mask(cur));
	if (info.features != (info.features_offered & e2e_requested(cur)))
		fprintf(stderr, "\n  negotiated 0x%" PRIx64 ", expected 0x%" PRIx64 "\n",
			info.features, info.features_offered & e2e_requested(cur));
	CU_ASSERT_EQUAL(info.features, info.features_offered & e2e_requested(cur));
	CU_ASSERT_EQUAL(!!(info.features & E2E_F_MRG_RXBUF), cur->mrg_rxbuf);
	CU_ASSERT_EQUAL(!!(info.features & E2E_F_RING_PACKED), cur->packed);
	CU_ASSERT_EQUAL(info.virtio_net_hdr_sz, 12);	/* VERSION_1 */
	CU_ASSERT(info.nregions >= 1);
	/* virtio-user sets up every vring of its queue pairs, 256 entries each. */
	CU_ASSERT_EQUAL(info.nvrings, 2u * cur->queues);
	for (v = 0; v < 2 * cur->queues && v < RTE_PMD_VHOSTU_MAX_VRINGS; v++) {
		CU_ASSERT_EQUAL(info.vrings[v].qsz, 256);
		CU_ASSERT_TRUE(info.vrings[v].enabled);
		CU_ASSERT_TRUE(info.vrings[v].ready);
	}
}

static void
test_frames_virtio_user_sends_arrive_byte_exact_in_order_per_queue(void)
{
	struct e2e_queue eqs[E2E_VHOSTU_QUEUES];
	uint64_t before[E2E_VHOSTU_QUEUES];
	uint16_t q;

	CU_ASSERT_FATAL(ports_up);
	for (q = 0; q < cur->queues; q++)
		before[q] = e2e_vhostu_qstat("rx", q, "packets");
	e2e_transfer(E2E_TO_VHOSTU, eqs);
	for (q = 0; q < cur->queues; q++)
		CU_ASSERT_EQUAL(e2e_vhostu_qstat("rx", q, "packets") - before[q], E2E_FRAMES);
}

/*
 * With mrg_rxbuf=0 the frames larger than one virtio-user buffer (4000, 8000,
 * 9000 bytes) cannot be delivered: vhostu must count each as an oversize drop
 * and deliver the others, in order.
 */
static void
test_frames_vhostu_sends_arrive_byte_exact_in_order_oversize_counted(void)
{
	struct e2e_queue eqs[E2E_VHOSTU_QUEUES];
	uint64_t good[E2E_VHOSTU_QUEUES], over[E2E_VHOSTU_QUEUES];
	uint16_t q;

	CU_ASSERT_FATAL(ports_up);
	for (q = 0; q < cur->queues; q++) {
		good[q] = e2e_vhostu_qstat("tx", q, "packets");
		over[q] = e2e_vhostu_qstat("tx", q, "oversize_errors");
	}
	e2e_transfer(E2E_TO_PEER, eqs);
	for (q = 0; q < cur->queues; q++) {
		CU_ASSERT_EQUAL(e2e_vhostu_qstat("tx", q, "packets") - good[q], eqs[q].ndeliver);
		CU_ASSERT_EQUAL(e2e_vhostu_qstat("tx", q, "oversize_errors") - over[q],
			E2E_FRAMES - eqs[q].ndeliver);
	}
	if (cur->mrg_rxbuf)
		CU_ASSERT_EQUAL(eqs[0].ndeliver, E2E_FRAMES);
}

static void
test_teardown_releases_every_fd_and_mbuf(void)
{
	int fds;

	CU_ASSERT(e2e_tear_down() == 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(vhostu_mp), 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(peer_mp), 0);
	fds = count_fds();
	CU_ASSERT(fds > 0);
	if (fds != fds_before)
		fprintf(stderr, "\n  %d fds open, %d before the suite\n", fds, fds_before);
	CU_ASSERT_EQUAL(fds, fds_before);
}

CU_TestInfo e2e_tests[] = {
	{ "virtio-user connects, both links come up, every queue pair gets ready",
		test_frontend_connects_and_both_links_come_up },
	{ "negotiated features = offered & requested; vrings set up",
		test_negotiated_features_are_offered_and_requested_rings_as_configured },
	{ "frames virtio-user sends arrive byte-exact, in order, on every vhostu rx queue",
		test_frames_virtio_user_sends_arrive_byte_exact_in_order_per_queue },
	{ "frames vhostu sends arrive byte-exact, in order; oversize ones counted as drops",
		test_frames_vhostu_sends_arrive_byte_exact_in_order_oversize_counted },
	{ "stop, close and uninit of both ports release every fd and mbuf",
		test_teardown_releases_every_fd_and_mbuf },
	CU_TEST_INFO_NULL,
};
