/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Suite "tx: mbufs to guest RX ring": what vhostu_tx_burst writes into the
 * buffers the guest posted (mergeable and single-chain layouts, header split,
 * multi-segment mbufs, full and short rings, ring wrap).
 */
#include <stdbool.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "rxtx_harness.h"

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

/*
 * The header is stored only where the buffer differs from it: a buffer that
 * holds the right header already, or one with a stale num_buffers, reads
 * right afterwards.
 */
static void
tx_into_buffer_holding(uint8_t num_buffers_lo)
{
	uint32_t len = 2048;
	uint16_t head;
	uint8_t *va;

	port_setup(F_DEFAULT, 256, 0);
	head = fg_rx_post(&grx[0], &len, 1, false);
	fg_kick(&grx[0]);
	va = fg_va(grx[0].chains[head].gpa[0]);
	memset(va, 0, 12);
	va[10] = num_buffers_lo;
	CU_ASSERT_EQUAL(tx_one(0, 100, 7, 4096), 1);
	CU_ASSERT(guest_recv_ok(0, 100, 1));
}

static void
test_tx_header_already_in_the_buffer_reads_right(void)
{
	tx_into_buffer_holding(1);
}

static void
test_tx_stale_num_buffers_in_the_buffer_is_rewritten(void)
{
	tx_into_buffer_holding(2);
}

/*
 * A frame too big for the buffer leaves it to the next frame of the same
 * burst; copies wait for the burst's end, so the second frame's must win.
 */
static void
test_tx_small_frame_after_oversize_one_in_one_burst_byte_exact(void)
{
	struct rte_mbuf *pkts[2];

	port_setup(F_V1, 256, 0);
	guest_post_rx(0, 1, 200);
	pkts[0] = mk_mbuf(300, 1, 4096);
	pkts[1] = mk_mbuf(100, 2, 4096);	/* guest_recv_ok checks against this one */
	CU_ASSERT_EQUAL(vhostu_tx_burst(txq(0), pkts, 2), 2);
	CU_ASSERT_EQUAL(txq(0)->stats.oversize, 1);
	CU_ASSERT(guest_recv_ok(0, 100, 1));
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

/* ----------------------------------------------------------------- suite */

CU_TestInfo tx_tests[] = {
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
	T(test_tx_header_already_in_the_buffer_reads_right),
	T(test_tx_stale_num_buffers_in_the_buffer_is_rewritten),
	T(test_tx_small_frame_after_oversize_one_in_one_burst_byte_exact),
	T(test_tx_ring_wraps_around_index_65535_mrg),
	T(test_tx_ring_wraps_around_index_65535_without_mrg),
	CU_TEST_INFO_NULL,
};
