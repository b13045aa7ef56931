/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Suite "packed rings, hostile guest": every hostile class of the split
 * suites in its packed form (ids out of range, flags that do not match the
 * wrap counter, chains longer than the ring or running into descriptors that
 * are not available, indirect tables bad in any way) and random rings.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "rxtx_harness.h"

/* --------------------------------------------------------- hostile guest */

#define HSIZE	16
#define HSTART	14	/* hand-built chains start two before the wrap */

/* Ring descriptor k of a hand-built chain: position HSTART + k, with the wrap. */
static void
hd(struct fg_ring *r, uint16_t k, uint64_t addr, uint32_t len, uint16_t id, uint16_t flags)
{
	uint16_t pos = HSTART;
	bool wrap = true;

	vhostu_packed_step(HSIZE, &pos, &wrap, k);
	fg_pdesc(r, pos, addr, len, id, flags, wrap);
}

static uint64_t
hbuf(uint32_t len)
{
	return fg_alloc(len, 8);
}

/* A table of n entries (len 112 each, flags), made by the builder. */
static uint64_t
htable(uint32_t n, uint16_t flags)
{
	uint64_t gpa = fg_alloc(16u * n, 16);
	struct vhostu_pdesc *t = fg_va(gpa);
	uint32_t i;

	for (i = 0; i < n; i++) {
		t[i].addr = hbuf(112);
		t[i].len = 112;
		t[i].id = 0;
		t[i].flags = flags;
	}
	return gpa;
}

/* The used descriptor at position HSTART: our wrap counter, len 0, that id. */
static bool
hused(const struct fg_ring *r, uint16_t id)
{
	const struct vhostu_pdesc *d = (const struct vhostu_pdesc *)(const void *)r->desc + HSTART;

	return d->flags == (VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED) &&
		d->id == id && d->len == 0;
}

/* The guest takes back what we returned (the builder bypassed its bookkeeping). */
static void
hresync(struct fg_ring *r)
{
	r->avail_pos = r->vr->last_avail_idx;
	r->avail_wrap = r->vr->avail_wrap;
	r->used_pos = r->vr->last_used_idx;
	r->used_wrap = r->vr->used_wrap;
	r->nfree = r->size;
	memset(r->ndesc, 0, r->size * sizeof(r->ndesc[0]));
}

/*
 * build() writes a bad chain of ndesc ring descriptors at HSTART on the guest
 * TX ring; one burst must drop and count it, return it with len 0 (id) and
 * move on by ndesc; then both queues move frames.
 */
static void
hostile_prx(uint16_t (*build)(struct fg_ring *r), uint64_t features)
{
	struct rte_mbuf *m[4];
	uint16_t ndesc, id, pos = HSTART;
	bool wrap = true;

	port_setup_packed(features, HSIZE, HSTART, true);
	ndesc = build(&gtx[0]);
	id = ((struct vhostu_pdesc *)(void *)gtx[0].desc)[(HSTART + ndesc - 1) % HSIZE].id;
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), m, 4), 0);
	CU_ASSERT_EQUAL(rxq(0)->stats.errors + rxq(0)->stats.oversize + rxq(0)->stats.runt, 1);
	CU_ASSERT_EQUAL(rxq(0)->stats.packets, 0);
	CU_ASSERT(hused(&gtx[0], id));
	vhostu_packed_step(HSIZE, &pos, &wrap, ndesc);
	CU_ASSERT_EQUAL(rxq(0)->last_avail_idx, pos);
	CU_ASSERT_EQUAL(rxq(0)->avail_wrap, wrap);
	CU_ASSERT_EQUAL(rxq(0)->last_used_idx, pos);
	CU_ASSERT(rxq(0)->ready);
	hresync(&gtx[0]);
	guest_send(0, 64, 1, NULL, 0, false);
	CU_ASSERT(rx_one_ok(0, 64));
	guest_send(1, 64, 2, NULL, 0, false);
	CU_ASSERT(rx_one_ok(1, 64));
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

static uint16_t
b_id_out_of_range(struct fg_ring *r)
{
	hd(r, 0, hbuf(112), 112, HSIZE + 3, 0);
	return 1;
}

static uint16_t
b_id_out_of_range_in_the_last_descriptor(struct fg_ring *r)
{
	hd(r, 1, hbuf(100), 100, 0xffff, 0);
	hd(r, 0, hbuf(12), 12, 3, VRING_DESC_F_NEXT);
	return 2;
}

static uint16_t
b_chain_longer_than_the_ring(struct fg_ring *r)
{
	uint16_t k;

	for (k = HSIZE; k-- > 0;)
		hd(r, k, hbuf(50), 50, 1, VRING_DESC_F_NEXT);
	return HSIZE;
}

/* NEXT on the last descriptor before the wrap, and a stale one after it. */
static uint16_t
b_next_into_a_descriptor_that_is_not_available(struct fg_ring *r)
{
	fg_pdesc(r, 0, hbuf(50), 50, 1, 0, true);	/* last lap's: not available now */
	hd(r, 1, hbuf(50), 50, 1, VRING_DESC_F_NEXT);
	hd(r, 0, hbuf(50), 50, 1, VRING_DESC_F_NEXT);
	return 2;
}

static uint16_t
b_outside_memory(struct fg_ring *r)
{
	hd(r, 0, FG_GPA_BASE + FG_MEM_SIZE - 10, 112, 0, 0);
	return 1;
}

static uint16_t
b_huge_len(struct fg_ring *r)
{
	hd(r, 0, hbuf(112), 0xffffffffu, 0, 0);
	return 1;
}

static uint16_t
b_zero_len(struct fg_ring *r)
{
	hd(r, 0, hbuf(112), 0, 0, 0);
	return 1;
}

static uint16_t
b_header_only(struct fg_ring *r)
{
	hd(r, 0, hbuf(12), 12, 0, 0);
	return 1;
}

static uint16_t
b_indirect_empty(struct fg_ring *r)
{
	hd(r, 0, htable(1, 0), 0, 0, VRING_DESC_F_INDIRECT);
	return 1;
}

static uint16_t
b_indirect_misaligned(struct fg_ring *r)
{
	hd(r, 0, htable(2, 0), 24, 0, VRING_DESC_F_INDIRECT);
	return 1;
}

static uint16_t
b_indirect_longer_than_the_ring(struct fg_ring *r)
{
	hd(r, 0, htable(HSIZE + 1, 0), 16u * (HSIZE + 1), 0, VRING_DESC_F_INDIRECT);
	return 1;
}

static uint16_t
b_indirect_nested(struct fg_ring *r)
{
	hd(r, 0, htable(2, VRING_DESC_F_INDIRECT), 32, 0, VRING_DESC_F_INDIRECT);
	return 1;
}

static uint16_t
b_indirect_outside_memory(struct fg_ring *r)
{
	hd(r, 0, FG_GPA_BASE + FG_MEM_SIZE - 16, 32, 0, VRING_DESC_F_INDIRECT);
	return 1;
}

static uint16_t
b_indirect_with_next(struct fg_ring *r)
{
	hd(r, 1, hbuf(112), 112, 0, 0);
	hd(r, 0, htable(1, 0), 16, 0, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT);
	return 2;
}

static uint16_t
b_indirect_not_first(struct fg_ring *r)
{
	hd(r, 1, htable(1, 0), 16, 0, VRING_DESC_F_INDIRECT);
	hd(r, 0, hbuf(12), 12, 0, VRING_DESC_F_NEXT);
	return 2;
}

#define PRX_HOSTILE(name, features) \
static void \
test_packed_rx_hostile_##name(void) \
{ \
	hostile_prx(b_##name, features); \
}

PRX_HOSTILE(id_out_of_range, F_DEFAULT)
PRX_HOSTILE(id_out_of_range_in_the_last_descriptor, F_DEFAULT)
PRX_HOSTILE(chain_longer_than_the_ring, F_DEFAULT)
PRX_HOSTILE(next_into_a_descriptor_that_is_not_available, F_DEFAULT)
PRX_HOSTILE(outside_memory, F_DEFAULT)
PRX_HOSTILE(huge_len, F_DEFAULT)
PRX_HOSTILE(zero_len, F_DEFAULT)
PRX_HOSTILE(header_only, F_DEFAULT)
PRX_HOSTILE(indirect_empty, F_DEFAULT)
PRX_HOSTILE(indirect_misaligned, F_DEFAULT)
PRX_HOSTILE(indirect_longer_than_the_ring, F_DEFAULT)
PRX_HOSTILE(indirect_nested, F_DEFAULT)
PRX_HOSTILE(indirect_outside_memory, F_DEFAULT)
PRX_HOSTILE(indirect_with_next, F_DEFAULT)
PRX_HOSTILE(indirect_not_first, F_DEFAULT)

static void
test_packed_rx_hostile_indirect_not_negotiated(void)
{
	hostile_prx(b_indirect_nested, F_MRG | F_V1);
}

/* A descriptor whose flags do not match the wrap counter is not there: nothing moves. */
static void
test_packed_rx_flags_of_the_wrong_wrap_are_not_available(void)
{
	struct rte_mbuf *m[4];

	port_setup_packed(F_DEFAULT, HSIZE, HSTART, true);
	fg_pdesc(&gtx[0], HSTART, hbuf(112), 112, HSTART, 0, false);	/* wrong wrap */
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), m, 4), 0);
	((struct vhostu_pdesc *)(void *)gtx[0].desc)[HSTART].flags =
		VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED;	/* "used" */
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), m, 4), 0);
	CU_ASSERT_EQUAL(rxq(0)->last_avail_idx, HSTART);
	CU_ASSERT_EQUAL(rxq(0)->stats.errors, 0);
	CU_ASSERT_EQUAL(rxq(0)->stats.desc_reads, 0);
	guest_send(0, 64, 1, NULL, 0, false);	/* the guest gets it right */
	CU_ASSERT(rx_one_ok(0, 64));
}

/* On the guest RX ring: a bad chain is returned with len 0, the frame dropped. */
static void
hostile_ptx(uint16_t (*build)(struct fg_ring *r), uint64_t features)
{
	uint16_t ndesc, id, pos = HSTART;
	bool wrap = true;

	port_setup_packed(features, HSIZE, HSTART, true);
	ndesc = build(&grx[0]);
	id = ((struct vhostu_pdesc *)(void *)grx[0].desc)[(HSTART + ndesc - 1) % HSIZE].id;
	CU_ASSERT_EQUAL(tx_one(0, 64, 1, 4096), 1);
	CU_ASSERT_EQUAL(txq(0)->stats.errors, 1);
	CU_ASSERT_EQUAL(txq(0)->stats.packets, 0);
	CU_ASSERT(hused(&grx[0], id));
	vhostu_packed_step(HSIZE, &pos, &wrap, ndesc);
	CU_ASSERT_EQUAL(txq(0)->last_avail_idx, pos);
	CU_ASSERT_EQUAL(txq(0)->avail_wrap, wrap);
	CU_ASSERT(txq(0)->ready);
	hresync(&grx[0]);
	guest_post_rx(0, 1, 2048);
	CU_ASSERT_EQUAL(tx_one(0, 64, 2, 4096), 1);
	CU_ASSERT(guest_recv_ok(0, 64, 1));
	guest_post_rx(1, 1, 2048);
	CU_ASSERT_EQUAL(tx_one(1, 64, 3, 4096), 1);
	CU_ASSERT(guest_recv_ok(1, 64, 1));
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

static uint16_t
bt_read_only(struct fg_ring *r)
{
	hd(r, 0, hbuf(2048), 2048, 0, 0);
	return 1;
}

static uint16_t
bt_id_out_of_range(struct fg_ring *r)
{
	hd(r, 0, hbuf(2048), 2048, 0x8000, VRING_DESC_F_WRITE);
	return 1;
}

static uint16_t
bt_chain_longer_than_the_ring(struct fg_ring *r)
{
	uint16_t k;

	for (k = HSIZE; k-- > 0;)
		hd(r, k, hbuf(2048), 2048, 1, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT);
	return HSIZE;
}

static uint16_t
bt_next_into_a_descriptor_that_is_not_available(struct fg_ring *r)
{
	fg_pdesc(r, 0, hbuf(2048), 2048, 1, VRING_DESC_F_WRITE, true);	/* stale */
	hd(r, 1, hbuf(2048), 2048, 1, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT);
	hd(r, 0, hbuf(2048), 2048, 1, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT);
	return 2;
}

static uint16_t
bt_only_zero_length(struct fg_ring *r)
{
	hd(r, 1, hbuf(8), 0, 4, VRING_DESC_F_WRITE);
	hd(r, 0, hbuf(8), 0, 4, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT);
	return 2;
}

static uint16_t
bt_indirect_nested(struct fg_ring *r)
{
	hd(r, 0, htable(2, VRING_DESC_F_WRITE | VRING_DESC_F_INDIRECT), 32, 0,
		VRING_DESC_F_INDIRECT);
	return 1;
}

static uint16_t
bt_indirect_misaligned(struct fg_ring *r)
{
	hd(r, 0, htable(2, VRING_DESC_F_WRITE), 20, 0, VRING_DESC_F_INDIRECT);
	return 1;
}

#define PTX_HOSTILE(name, features) \
static void \
test_packed_tx_hostile_##name(void) \
{ \
	hostile_ptx(bt_##name, features); \
}

PTX_HOSTILE(read_only, F_DEFAULT)
PTX_HOSTILE(id_out_of_range, F_DEFAULT)
PTX_HOSTILE(chain_longer_than_the_ring, F_DEFAULT)
PTX_HOSTILE(next_into_a_descriptor_that_is_not_available, F_DEFAULT)
PTX_HOSTILE(only_zero_length, F_DEFAULT)
PTX_HOSTILE(indirect_nested, F_DEFAULT)
PTX_HOSTILE(indirect_misaligned, F_V1 | F_IND)

/*
 * Random rings: descriptors, flags, ids, lengths and event areas from a
 * PRNG, rewritten between bursts. Nothing may crash, every burst stays within
 * its budget, and every mbuf comes back.
 */
static void
test_packed_random_rings_stay_bounded(void)
{
	struct rte_mbuf *m[32];
	uint32_t x = 12345, i, k, burst;
	uint16_t n, size;

	for (i = 0; i < 400; i++) {
		size = (uint16_t)(1 + i % 37);
		port_setup_packed(F_DEFAULT, size, (uint16_t)(i % size), i & 1);
		for (k = 0; k < size; k++) {
			uint16_t flags;

			x = x * 1103515245u + 12345u;
			flags = (uint16_t)(x >> 8) & (VRING_DESC_F_NEXT | VRING_DESC_F_WRITE |
				VRING_DESC_F_INDIRECT | VRING_PACKED_DESC_F_AVAIL |
				VRING_PACKED_DESC_F_USED);
			x = x * 1103515245u + 12345u;
			fg_pdesc(&gtx[0], k, x & 1 ? hbuf(256) : htable(x % 5, flags & 3),
				(x >> 4) % 300, (uint16_t)(x >> 16) % (size + 2), flags, i & 1);
			fg_pdesc(&grx[0], k, hbuf(256), (x >> 5) % 300,
				(uint16_t)(x >> 17) % (size + 2), flags, (i >> 1) & 1);
		}
		for (burst = 0; burst < 3; burst++) {
			uint64_t before = rxq(0)->stats.desc_reads;

			n = vhostu_rx_burst(rxq(0), m, 32);
			if (n != 0)
				rte_pktmbuf_free_bulk(m, n);
			CU_ASSERT(rxq(0)->stats.desc_reads - before <= 3u * size + 1);
			before = txq(0)->stats.desc_reads;
			for (k = 0; k < 8; k++)
				m[k] = mk_mbuf(64 + k * 200, k, 4096);
			n = vhostu_tx_burst(txq(0), m, 8);
			rte_pktmbuf_free_bulk(&m[n], 8 - n);
			CU_ASSERT(txq(0)->stats.desc_reads - before <= 3u * size + 1);
			CU_ASSERT(rxq(0)->last_avail_idx < size && txq(0)->last_avail_idx < size);
			CU_ASSERT(rxq(0)->last_used_idx < size && txq(0)->last_used_idx < size);
		}
		fg_ring_fini(&grx[0]);
		fg_ring_fini(&gtx[0]);
		fg_ring_fini(&grx[1]);
		fg_ring_fini(&gtx[1]);
		rte_free(port);
		port = NULL;
	}
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

CU_TestInfo packed_hostile_tests[] = {
	T(test_packed_rx_hostile_id_out_of_range),
	T(test_packed_rx_hostile_id_out_of_range_in_the_last_descriptor),
	T(test_packed_rx_hostile_chain_longer_than_the_ring),
	T(test_packed_rx_hostile_next_into_a_descriptor_that_is_not_available),
	T(test_packed_rx_hostile_outside_memory),
	T(test_packed_rx_hostile_huge_len),
	T(test_packed_rx_hostile_zero_len),
	T(test_packed_rx_hostile_header_only),
	T(test_packed_rx_hostile_indirect_empty),
	T(test_packed_rx_hostile_indirect_misaligned),
	T(test_packed_rx_hostile_indirect_longer_than_the_ring),
	T(test_packed_rx_hostile_indirect_nested),
	T(test_packed_rx_hostile_indirect_outside_memory),
	T(test_packed_rx_hostile_indirect_with_next),
	T(test_packed_rx_hostile_indirect_not_first),
	T(test_packed_rx_hostile_indirect_not_negotiated),
	T(test_packed_rx_flags_of_the_wrong_wrap_are_not_available),
	T(test_packed_tx_hostile_read_only),
	T(test_packed_tx_hostile_id_out_of_range),
	T(test_packed_tx_hostile_chain_longer_than_the_ring),
	T(test_packed_tx_hostile_next_into_a_descriptor_that_is_not_available),
	T(test_packed_tx_hostile_only_zero_length),
	T(test_packed_tx_hostile_indirect_nested),
	T(test_packed_tx_hostile_indirect_misaligned),
	T(test_packed_random_rings_stay_bounded),
	CU_TEST_INFO_NULL,
};
