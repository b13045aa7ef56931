/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Suite "hostile guest": hand-built broken chains on both sides (loops, out
 * of range indices and addresses, bad indirect tables, avail index jumps) must
 * be dropped and counted without touching other rings; then random rings and
 * descriptors rewritten by a second thread while the bursts read them.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <CUnit/CUnit.h>

#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "rxtx_harness.h"

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
b_nothing(struct fg_ring *r __rte_unused)
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
bw_nothing(struct fg_ring *r __rte_unused)
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

/* ------------------------------------------- bounded work, short frames */

#define BIG_RING 32768	/* the largest ring the spec allows */

/* Descriptors 0..n-1 in one chain of zero-length buffers; flags or'ed with fl. */
static void
zero_length_chain(struct fg_ring *r, uint16_t n, uint16_t fl)
{
	uint64_t buf = fg_alloc(64, 8);
	uint16_t i;

	for (i = 0; i < n; i++)
		fg_desc(r, i, buf, 0, fl | (i + 1 < n ? VRING_DESC_F_NEXT : 0), i + 1);
}

/*
 * MRG_RXBUF: the first chain holds only the header, every further avail entry
 * names a chain of 32767 zero-length buffers. Walking on from chain to chain
 * read about 2^30 descriptors per burst (and the next burst did it again):
 * now a chain with no room is bad, and the burst stops at its budget.
 */
static void
test_tx_hostile_mrg_ring_of_zero_length_chains_bounded_per_burst(void)
{
	struct rte_mbuf *m[4];
	struct fg_ring *r = &grx[0];
	uint32_t id, len, i;
	uint16_t n;

	port_setup(F_DEFAULT, BIG_RING, 0);
	zero_length_chain(r, BIG_RING - 1, VRING_DESC_F_WRITE);
	fg_desc(r, BIG_RING - 1, fg_alloc(12, 8), 12, VRING_DESC_F_WRITE, 0);
	fg_avail_add(r, BIG_RING - 1);
	for (i = 1; i < BIG_RING; i++)
		fg_avail_add(r, 0);
	fg_kick(r);
	for (i = 0; i < RTE_DIM(m); i++)
		m[i] = mk_mbuf(64, i, 4096);
	n = vhostu_tx_burst(txq(0), m, RTE_DIM(m));
	CU_ASSERT(n >= 1);
	CU_ASSERT(txq(0)->stats.desc_reads <= 3u * BIG_RING + 1);
	CU_ASSERT_EQUAL(txq(0)->stats.errors, n);
	CU_ASSERT_EQUAL(txq(0)->stats.no_desc, RTE_DIM(m) - n);
	CU_ASSERT_EQUAL(txq(0)->stats.packets, 0);
	/* The first frame took both kinds of chain, the others one each: all len 0. */
	CU_ASSERT_EQUAL(fg_used_idx(r), n + 1);
	while (fg_used_pop(r, &id, &len))
		CU_ASSERT_EQUAL(len, 0);
	if (n < RTE_DIM(m))
		rte_pktmbuf_free_bulk(&m[n], RTE_DIM(m) - n);
	CU_ASSERT(txq(0)->ready);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

/* Without MRG_RXBUF a chain with no room was kept as "too small" and walked again per frame. */
static void
test_tx_hostile_zero_room_chain_is_bad_not_small(void)
{
	struct rte_mbuf *m[4];
	struct fg_ring *r = &grx[0];
	uint32_t id, len, i;

	port_setup(F_V1, BIG_RING, 0);
	zero_length_chain(r, BIG_RING, VRING_DESC_F_WRITE);
	for (i = 0; i < BIG_RING; i++)
		fg_avail_add(r, 0);
	fg_kick(r);
	for (i = 0; i < RTE_DIM(m); i++)
		m[i] = mk_mbuf(64, i, 4096);
	CU_ASSERT_EQUAL(vhostu_tx_burst(txq(0), m, RTE_DIM(m)), 2);
	CU_ASSERT(txq(0)->stats.desc_reads <= 3u * BIG_RING + 1);
	CU_ASSERT_EQUAL(txq(0)->stats.errors, 2);
	CU_ASSERT_EQUAL(txq(0)->stats.oversize, 0);
	CU_ASSERT_EQUAL(fg_used_idx(r), 2);
	while (fg_used_pop(r, &id, &len))
		CU_ASSERT_EQUAL(len, 0);
	rte_pktmbuf_free_bulk(&m[2], 2);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

/* The guest's TX side: chains of zero-length buffers cost one budget per burst. */
static void
test_rx_hostile_ring_of_zero_length_chains_bounded_per_burst(void)
{
	struct rte_mbuf *m[32];
	uint64_t reads;
	uint32_t i;

	port_setup(F_DEFAULT, BIG_RING, 0);
	zero_length_chain(&gtx[0], BIG_RING, 0);
	for (i = 0; i < BIG_RING; i++)
		fg_avail_add(&gtx[0], 0);
	fg_kick(&gtx[0]);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), m, RTE_DIM(m)), 0);
	reads = rxq(0)->stats.desc_reads;
	CU_ASSERT(reads <= 3u * BIG_RING + 1);
	CU_ASSERT_EQUAL(rxq(0)->stats.errors, fg_used_idx(&gtx[0]));
	CU_ASSERT(rxq(0)->stats.errors >= 1);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

/* A frame shorter than an Ethernet header: returned with len 0, counted, never delivered. */
static void
test_rx_hostile_frames_shorter_than_an_ethernet_header_dropped_as_runts(void)
{
	struct rte_mbuf *m[4];
	uint32_t id, len, i;

	port_setup(F_DEFAULT, 256, 0);
	for (i = 1; i < RTE_ETHER_HDR_LEN; i++)
		guest_send(0, i, i, NULL, 0, i % 2);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), m, RTE_DIM(m)), 0);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), m, RTE_DIM(m)), 0);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), m, RTE_DIM(m)), 0);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), m, RTE_DIM(m)), 0);
	CU_ASSERT_EQUAL(rxq(0)->stats.runt, RTE_ETHER_HDR_LEN - 1);
	CU_ASSERT_EQUAL(rxq(0)->stats.errors, 0);
	CU_ASSERT_EQUAL(rxq(0)->stats.packets, 0);
	for (i = 1; i < RTE_ETHER_HDR_LEN; i++) {
		CU_ASSERT(fg_used_pop(&gtx[0], &id, &len));
		CU_ASSERT_EQUAL(len, 0);
	}
	guest_send(0, RTE_ETHER_HDR_LEN, 99, NULL, 0, false);
	CU_ASSERT(rx_one_ok(0, RTE_ETHER_HDR_LEN));
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

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

/* ----------------------------------------------------------------- suite */

CU_TestInfo hostile_tests[] = {
	T(test_tx_hostile_mrg_ring_of_zero_length_chains_bounded_per_burst),
	T(test_tx_hostile_zero_room_chain_is_bad_not_small),
	T(test_rx_hostile_ring_of_zero_length_chains_bounded_per_burst),
	T(test_rx_hostile_frames_shorter_than_an_ethernet_header_dropped_as_runts),
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
