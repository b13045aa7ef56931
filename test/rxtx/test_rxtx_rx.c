/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Suite "rx: guest TX ring to mbufs": what the guest transmits, as
 * vhostu_rx_burst turns it into mbufs (header split, chains, indirect tables,
 * frame sizes, ring wrap, mbuf exhaustion, RARP, locked and not-ready rings).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "rxtx_harness.h"

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
	uint32_t seq = 0, first, i, k, n, done = 0, frame[15] = { 0 };

	port_setup(F_DEFAULT, 8, 65530);
	for (i = 0; i < 40; i++) {
		k = 1 + i % 8;
		first = seq;
		for (n = 0; n < k; n++, seq++) {
			frame[0] = seq;
			fg_tx_post(&gtx[0], zero_hdr, 12, frame, 60, NULL, 1, i % 3 == 0);
		}
		fg_kick(&gtx[0]);
		n = vhostu_rx_burst(rxq(0), pkts, 8);
		CU_ASSERT_FATAL(n == k);
		for (n = 0; n < k; n++) {
			CU_ASSERT(pkts[n]->pkt_len == 60);
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
test_bursts_return_0_when_paused_or_not_ready(void)
{
	struct vhostu_vring rx_before, tx_before;
	struct rte_mbuf *m;

	port_setup(F_DEFAULT, 256, 0);
	guest_send(0, 64, 1, NULL, 0, false);
	guest_post_rx(0, 1, 2048);
	vhostu_vrings_pause(port->vrings, 2);	/* txq(0), rxq(0) */
	memcpy(&rx_before, rxq(0), sizeof(rx_before));
	memcpy(&tx_before, txq(0), sizeof(tx_before));
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), &m, 1), 0);
	CU_ASSERT_EQUAL(tx_one(0, 64, 1, 4096), 0);
	/* Paused: the bursts touched nothing of their rings (busy is back to 0). */
	CU_ASSERT(memcmp(&rx_before, rxq(0), sizeof(rx_before)) == 0);
	CU_ASSERT(memcmp(&tx_before, txq(0), sizeof(tx_before)) == 0);
	CU_ASSERT_EQUAL(gtx[0].used->idx, 0);
	CU_ASSERT_EQUAL(grx[0].used->idx, 0);
	vhostu_vrings_resume(port->vrings, 2);
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

/* ----------------------------------------------------------------- suite */

CU_TestInfo rx_tests[] = {
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
	T(test_bursts_return_0_when_paused_or_not_ready),
	CU_TEST_INFO_NULL,
};
