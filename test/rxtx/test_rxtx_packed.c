/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Suites "packed rings" and "packed rings, hostile guest": the bursts over
 * packed virtqueues (vhostu_rxtx_packed.c). Frames both ways through three
 * wraps from every start position, chains split across the wrap, indirect
 * tables, full rings, MRG_RXBUF on and off, more used descriptors than one
 * shadow holds, notifications both ways (with EVENT_IDX, the driver area's
 * DESC mode: offsets before, at and after what a burst used, the other wrap
 * counter, across the wrap, batches coalesced over bursts and longer than
 * the ring, chains of several positions, restarts); then every hostile class
 * in its packed form (ids out of range, flags that do not match the wrap
 * counter, chains longer than the ring or running into descriptors that are
 * not available, indirect tables bad in any way) and random rings.
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

/* ------------------------------------------------------------- positions */

/* Our positions and wrap counters are the guest's (all it posted came back). */
static bool
positions_agree(const struct fg_ring *r)
{
	const struct vhostu_vring *vr = r->vr;

	return vr->last_avail_idx == r->avail_pos && vr->avail_wrap == r->avail_wrap &&
		vr->last_used_idx == r->used_pos && vr->used_wrap == r->used_wrap &&
		r->used_pos == r->avail_pos && r->nfree == r->size;
}

/* The guest sends 3 wraps' worth of frames in chains of 1..3 buffers, one at a time. */
static bool
rx_through_wraps(uint16_t size, uint16_t start, bool wrap, bool indirect)
{
	uint32_t segs[3] = { 12, 30, 200 }, id, len, i, flen;
	uint16_t head, nseg;

	port_setup_packed(F_DEFAULT, size, start, wrap);
	for (i = 0; i < 3u * size + 1; i++) {
		nseg = (uint16_t)RTE_MIN(1u + i % 3, (uint32_t)size);
		flen = 64 + i % 100;
		head = guest_send(0, flen, i, segs, nseg, indirect);
		if (!rx_one_ok(0, flen) || !fg_used_pop(&gtx[0], &id, &len) || id != head ||
				len != 0)
			return false;
	}
	return rxq(0)->stats.errors == 0 && rxq(0)->stats.packets == 3u * size + 1 &&
		positions_agree(&gtx[0]);
}

static void
test_packed_rx_wraps_from_every_position_of_a_ring_of_8(void)
{
	uint16_t start;

	for (start = 0; start < 8; start++) {
		CU_ASSERT(rx_through_wraps(8, start, true, false));
		CU_ASSERT(rx_through_wraps(8, start, false, false));
	}
}

static void
test_packed_rx_wraps_in_a_ring_of_256(void)
{
	static const uint16_t starts[] = { 0, 1, 2, 127, 253, 254, 255 };
	unsigned int i;

	for (i = 0; i < RTE_DIM(starts); i++)
		CU_ASSERT(rx_through_wraps(256, starts[i], true, false));
}

static void
test_packed_rx_ring_size_need_not_be_a_power_of_two(void)
{
	uint16_t start;

	for (start = 0; start < 5; start++)
		CU_ASSERT(rx_through_wraps(5, start, true, false));
	CU_ASSERT(rx_through_wraps(100, 99, false, false));
}

static void
test_packed_rx_indirect_through_wraps(void)
{
	uint16_t start;

	for (start = 0; start < 8; start++)
		CU_ASSERT(rx_through_wraps(8, start, true, true));
}

/* The guest posts receive chains of 1..3 buffers and reads each frame we send. */
static bool
tx_through_wraps(uint64_t features, uint16_t size, uint16_t start, bool wrap, bool indirect)
{
	/* Chains of one, two and three buffers; the last one always has room. */
	static const uint32_t segs[3][3] = { { 2048 }, { 12, 2048 }, { 12, 40, 2048 } };
	uint32_t i, flen;
	uint16_t nseg;

	port_setup_packed(features, size, start, wrap);
	for (i = 0; i < 3u * size + 1; i++) {
		nseg = (uint16_t)RTE_MIN(1u + i % 3, (uint32_t)size);
		flen = 60 + i % 200;
		fg_rx_post(&grx[0], segs[nseg - 1], nseg, indirect);
		if (tx_one(0, flen, i, 4096) != 1 || !guest_recv_ok(0, flen, 1))
			return false;
	}
	return txq(0)->stats.errors == 0 && txq(0)->stats.packets == 3u * size + 1 &&
		positions_agree(&grx[0]);
}

static void
test_packed_tx_wraps_from_every_position_of_a_ring_of_8(void)
{
	uint16_t start;

	for (start = 0; start < 8; start++) {
		CU_ASSERT(tx_through_wraps(F_DEFAULT, 8, start, true, false));
		CU_ASSERT(tx_through_wraps(F_V1 | F_IND, 8, start, false, false));
	}
}

static void
test_packed_tx_wraps_in_a_ring_of_256(void)
{
	CU_ASSERT(tx_through_wraps(F_DEFAULT, 256, 0, true, false));
	CU_ASSERT(tx_through_wraps(F_DEFAULT, 256, 255, true, false));
	CU_ASSERT(tx_through_wraps(F_V1 | F_IND, 256, 254, false, false));
	CU_ASSERT(tx_through_wraps(F_IND, 7, 3, true, false));	/* 10-byte header */
}

static void
test_packed_tx_indirect_through_wraps(void)
{
	uint16_t start;

	for (start = 0; start < 8; start++)
		CU_ASSERT(tx_through_wraps(F_DEFAULT, 8, start, true, true));
}

/* ------------------------------------------------------------- MRG_RXBUF */

static void
test_packed_mrg_frame_over_chains_across_the_wrap(void)
{
	uint32_t len;

	port_setup_packed(F_DEFAULT, 8, 6, true);
	guest_post_rx(0, 4, 512);
	CU_ASSERT_EQUAL(tx_one(0, 1500, 1, 4096), 1);
	CU_ASSERT(guest_recv_ok(0, 1500, 3));
	/* The frame took positions 6, 7, 0: one chain of 512 is left at 1. */
	CU_ASSERT_EQUAL(txq(0)->last_avail_idx, 1);
	CU_ASSERT(!txq(0)->avail_wrap);
	CU_ASSERT_EQUAL(tx_one(0, 400, 2, 4096), 1);
	CU_ASSERT(guest_recv_ok(0, 400, 1));
	len = txq(0)->stats.errors;
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT(positions_agree(&grx[0]));
}

static void
test_packed_mrg_frame_waits_untouched_when_the_ring_runs_out(void)
{
	port_setup_packed(F_DEFAULT, 8, 7, true);
	guest_post_rx(0, 2, 512);
	CU_ASSERT_EQUAL(tx_one(0, 1500, 1, 4096), 0);
	CU_ASSERT_EQUAL(fg_used_count(&grx[0]), 0);
	CU_ASSERT_EQUAL(txq(0)->last_avail_idx, 7);
	CU_ASSERT_EQUAL(txq(0)->last_used_idx, 7);
	CU_ASSERT_EQUAL(txq(0)->stats.no_desc, 1);
	guest_post_rx(0, 2, 512);
	CU_ASSERT_EQUAL(tx_one(0, 1500, 2, 4096), 1);
	CU_ASSERT(guest_recv_ok(0, 1500, 3));
	CU_ASSERT_EQUAL(fg_used_count(&grx[0]), 0);
	CU_ASSERT_EQUAL(txq(0)->stats.errors, 0);
}

static void
test_packed_without_mrg_a_small_chain_waits_for_a_frame_that_fits(void)
{
	port_setup_packed(F_V1, 8, 0, true);
	guest_post_rx(0, 1, 200);
	CU_ASSERT_EQUAL(tx_one(0, 1000, 1, 4096), 1);	/* dropped: too big for it */
	CU_ASSERT_EQUAL(txq(0)->stats.oversize, 1);
	CU_ASSERT_EQUAL(fg_used_count(&grx[0]), 0);
	CU_ASSERT_EQUAL(tx_one(0, 100, 2, 4096), 1);
	CU_ASSERT(guest_recv_ok(0, 100, 1));
}

/* ------------------------------------------------------------- full rings */

static void
test_packed_tx_ring_full_keeps_the_rest_with_the_caller(void)
{
	struct rte_mbuf *m[10];
	unsigned int i, round;
	uint16_t sent;

	port_setup_packed(F_DEFAULT, 8, 3, true);
	for (round = 0; round < 3; round++) {
		guest_post_rx(0, 8, 2048);
		for (i = 0; i < 10; i++)
			m[i] = mk_mbuf(100, round * 10 + i, 4096);
		sent = vhostu_tx_burst(txq(0), m, 10);
		CU_ASSERT_EQUAL(sent, 8);
		rte_pktmbuf_free_bulk(&m[sent], 10 - sent);
		CU_ASSERT_EQUAL(fg_used_count(&grx[0]), 8);
		for (i = 0; i < 8; i++)
			CU_ASSERT(fg_rx_read(&grx[0], 12, true, got, got, sizeof(got)) == 100);
		CU_ASSERT(positions_agree(&grx[0]));
	}
	CU_ASSERT_EQUAL(txq(0)->stats.no_desc, 6);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

static void
test_packed_rx_full_ring_in_one_burst(void)
{
	struct rte_mbuf *m[32];
	unsigned int i, round;
	uint32_t id, len;
	uint16_t n;

	port_setup_packed(F_DEFAULT, 8, 5, false);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 8; i++)
			guest_send(0, 64, i, NULL, 0, false);
		n = vhostu_rx_burst(rxq(0), m, 32);
		CU_ASSERT_EQUAL(n, 8);
		rte_pktmbuf_free_bulk(m, n);
		for (i = 0; i < 8; i++)
			CU_ASSERT(fg_used_pop(&gtx[0], &id, &len));
		CU_ASSERT(positions_agree(&gtx[0]));
	}
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

/* More used descriptors in one burst than the shadow holds (256): written in two goes. */
static void
test_packed_bursts_longer_than_the_shadow(void)
{
	static struct rte_mbuf *m[300];
	uint32_t id, len, i;
	uint16_t n, head[300];

	port_setup_packed(F_DEFAULT, 512, 400, true);
	for (i = 0; i < 300; i++)
		head[i] = guest_send(0, 64, i, NULL, 0, false);
	n = vhostu_rx_burst(rxq(0), m, 300);
	CU_ASSERT_EQUAL(n, 300);
	rte_pktmbuf_free_bulk(m, n);
	for (i = 0; i < 300; i++)
		CU_ASSERT(fg_used_pop(&gtx[0], &id, &len) && id == head[i]);
	CU_ASSERT(positions_agree(&gtx[0]));

	guest_post_rx(0, 300, 2048);
	for (i = 0; i < 300; i++)
		m[i] = mk_mbuf(64 + i, i, 4096);
	CU_ASSERT_EQUAL(vhostu_tx_burst(txq(0), m, 300), 300);
	for (i = 0; i < 300; i++)
		CU_ASSERT(fg_rx_read(&grx[0], 12, true, got, got, sizeof(got)) == (int)(64 + i));
	CU_ASSERT(positions_agree(&grx[0]));
}

/* A long MRG frame after many short ones: the shadow writes out the short ones first. */
static void
test_packed_mrg_frame_that_fills_the_shadow_half_way(void)
{
	struct rte_mbuf *m[101];
	uint32_t i, small = 32;

	port_setup_packed(F_DEFAULT, 1024, 0, true);
	guest_post_rx(0, 100, 2048);
	for (i = 0; i < 200; i++)
		fg_rx_post(&grx[0], &small, 1, false);
	for (i = 0; i < 100; i++)
		m[i] = mk_mbuf(64, i, 4096);
	m[100] = mk_mbuf(6000, 100, 4096);	/* (12 + 6000) / 32: 188 chains */
	CU_ASSERT_EQUAL(vhostu_tx_burst(txq(0), m, 101), 101);
	CU_ASSERT_EQUAL(txq(0)->stats.packets, 101);
	for (i = 0; i < 100; i++)
		CU_ASSERT(fg_rx_read(&grx[0], 12, true, got, got, sizeof(got)) == 64);
	fg_pattern(expect, 6000, 100);
	CU_ASSERT(guest_recv_ok(0, 6000, 188));
	CU_ASSERT_EQUAL(fg_used_count(&grx[0]), 0);
}

/* ---------------------------------------------------------- notification */

static void
test_packed_driver_event_disable_never_signals_enable_does(void)
{
	int fd;

	port_setup_packed(F_DEFAULT, 8, 0, true);
	fd = use_eventfd(txq(0));
	vhostu_coalesce_frames = 0;
	guest_post_rx(0, 4, 2048);
	grx[0].drv_event->flags = VRING_PACKED_EVENT_DISABLE;
	CU_ASSERT_EQUAL(tx_one(0, 64, 1, 4096), 1);
	CU_ASSERT_EQUAL(calls(fd), 0);
	grx[0].drv_event->flags = VRING_PACKED_EVENT_ENABLE;
	CU_ASSERT_EQUAL(tx_one(0, 64, 2, 4096), 1);
	CU_ASSERT_EQUAL(calls(fd), 1);
	/* DESC without EVENT_IDX is not valid: read as ENABLE, never a lost call. */
	grx[0].drv_event->flags = VRING_PACKED_EVENT_DESC;
	CU_ASSERT_EQUAL(tx_one(0, 64, 3, 4096), 1);
	CU_ASSERT_EQUAL(calls(fd), 1);

	fd = use_eventfd(rxq(0));
	gtx[0].drv_event->flags = VRING_PACKED_EVENT_DISABLE;
	guest_send(0, 64, 4, NULL, 0, false);
	CU_ASSERT(rx_one_ok(0, 64));
	CU_ASSERT_EQUAL(calls(fd), 0);
	gtx[0].drv_event->flags = VRING_PACKED_EVENT_ENABLE;
	guest_send(0, 64, 5, NULL, 0, false);
	CU_ASSERT(rx_one_ok(0, 64));
	CU_ASSERT_EQUAL(calls(fd), 1);
}

static void
test_packed_device_event_asks_for_kicks_only_with_rx_interrupts(void)
{
	struct rte_mbuf *m[4];

	port_setup_packed(F_DEFAULT, 8, 0, true);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), m, 4), 0);
	CU_ASSERT_EQUAL(gtx[0].dev_event->flags, VRING_PACKED_EVENT_DISABLE);
	CU_ASSERT_EQUAL(tx_one(0, 64, 1, 4096), 0);	/* no buffers yet */
	CU_ASSERT_EQUAL(grx[0].dev_event->flags, VRING_PACKED_EVENT_DISABLE);

	rxq(0)->intr_enabled = true;
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), m, 4), 0);
	CU_ASSERT_EQUAL(gtx[0].dev_event->flags, VRING_PACKED_EVENT_ENABLE);
	/* Enabling with nothing waiting: sleep; with a chain waiting: poll again. */
	CU_ASSERT(!vhostu_rx_want_kicks(rxq(0), true));
	guest_send(0, 64, 2, NULL, 0, false);
	CU_ASSERT(vhostu_rx_want_kicks(rxq(0), true));
	CU_ASSERT(rx_one_ok(0, 64));
	rxq(0)->intr_enabled = false;
	CU_ASSERT(!vhostu_rx_want_kicks(rxq(0), false));
	CU_ASSERT_EQUAL(gtx[0].dev_event->flags, VRING_PACKED_EVENT_DISABLE);
}

/* ------------------------------------------------- EVENT_IDX, DESC mode */

/* The guest's driver area in DESC mode: a call once position off of lap wrap is used. */
static void
guest_desc_event(struct fg_ring *r, uint16_t off, bool wrap)
{
	r->drv_event->off_wrap = vhostu_packed_base(off, wrap);
	r->drv_event->flags = VRING_PACKED_EVENT_DESC;
}

/* n frames to the guest, one tx burst each; the guest reads each and posts its buffer again. */
static void
ptx_frames(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		guest_post_rx(0, 1, 2048);
		CU_ASSERT_EQUAL(tx_one(0, 64, i, 4096), 1);
		CU_ASSERT(guest_recv_ok(0, 64, 1));
	}
}

/* [old, new) in ring positions with wrap counters (off_wrap form), n = new - old. */
static void
test_packed_need_event_is_the_offset_among_the_positions_used(void)
{
	const uint16_t w1 = 1u << 15;	/* wrap counter 1: the first lap */

	/* Ring of 8, 3 positions used ending at 5 of lap 1: 2, 3, 4. */
	CU_ASSERT_FALSE(vhostu_packed_need_event(w1 | 1, w1 | 5, 3, 8));
	CU_ASSERT_TRUE(vhostu_packed_need_event(w1 | 2, w1 | 5, 3, 8));
	CU_ASSERT_TRUE(vhostu_packed_need_event(w1 | 4, w1 | 5, 3, 8));
	CU_ASSERT_FALSE(vhostu_packed_need_event(w1 | 5, w1 | 5, 3, 8));	/* unwritten */
	CU_ASSERT_FALSE(vhostu_packed_need_event(w1 | 7, w1 | 5, 3, 8));
	/* The same offsets of the other lap are a ring away: not these positions. */
	CU_ASSERT_FALSE(vhostu_packed_need_event(3, w1 | 5, 3, 8));
	CU_ASSERT_FALSE(vhostu_packed_need_event(4, w1 | 5, 3, 8));
	/* Across the wrap: 6, 7 of lap 1 and 0 of lap 2, ending at 1 of lap 2. */
	CU_ASSERT_TRUE(vhostu_packed_need_event(w1 | 6, 1, 3, 8));
	CU_ASSERT_TRUE(vhostu_packed_need_event(w1 | 7, 1, 3, 8));
	CU_ASSERT_TRUE(vhostu_packed_need_event(0, 1, 3, 8));
	CU_ASSERT_FALSE(vhostu_packed_need_event(1, 1, 3, 8));
	CU_ASSERT_FALSE(vhostu_packed_need_event(w1 | 5, 1, 3, 8));
	CU_ASSERT_FALSE(vhostu_packed_need_event(w1 | 0, 1, 3, 8));	/* wrong wrap */
	/* From lap 2 back to lap 1 (the third lap), odd ring size 5. */
	CU_ASSERT_TRUE(vhostu_packed_need_event(4, w1 | 1, 2, 5));
	CU_ASSERT_TRUE(vhostu_packed_need_event(w1 | 0, w1 | 1, 2, 5));
	CU_ASSERT_FALSE(vhostu_packed_need_event(w1 | 4, w1 | 1, 2, 5));
	/* A batch longer than a ring still crosses an event a ring behind us. */
	CU_ASSERT_TRUE(vhostu_packed_need_event(w1 | 6, 5, 12, 8));
	CU_ASSERT_FALSE(vhostu_packed_need_event(w1 | 6, 5, 6, 8));
	CU_ASSERT_TRUE(vhostu_packed_need_event(w1 | 5, 5, 8, 8));	/* exactly a ring */
	/* A whole ring of 32768 in one batch. */
	CU_ASSERT_TRUE(vhostu_packed_need_event(w1 | 0, 0, 32768, 32768));
	CU_ASSERT_FALSE(vhostu_packed_need_event(0, 0, 32768, 32768));
	/* Nothing used, and an offset outside the ring (a broken driver: a call too many). */
	CU_ASSERT_FALSE(vhostu_packed_need_event(w1 | 4, w1 | 5, 0, 8));
	CU_ASSERT_TRUE(vhostu_packed_need_event(w1 | 8, w1 | 5, 1, 8));
}

/* Before the offset, at it, after it: one call, for the burst that wrote it. */
static void
test_packed_evidx_desc_signals_only_the_burst_that_uses_the_offset(void)
{
	struct rte_mbuf *m[3];
	unsigned int i;
	int fd;

	port_setup_packed(F_DEFAULT | F_EVIDX, 16, 0, true);
	fd = use_eventfd(txq(0));
	vhostu_coalesce_frames = 0;
	guest_desc_event(&grx[0], 3, true);
	/* The ring just started: the first decision signals, whatever the offset. */
	ptx_frames(1);
	CU_ASSERT_EQUAL(calls(fd), 1);
	ptx_frames(2);			/* positions 1, 2 */
	CU_ASSERT_EQUAL(calls(fd), 0);
	ptx_frames(1);			/* 3 */
	CU_ASSERT_EQUAL(calls(fd), 1);
	ptx_frames(2);			/* 4, 5: passed, not moved on by the guest */
	CU_ASSERT_EQUAL(calls(fd), 0);
	CU_ASSERT_EQUAL(txq(0)->pending_calls, 0);
	/* One burst of three over 6, 7, 8: the offset inside it. */
	guest_desc_event(&grx[0], 7, true);
	guest_post_rx(0, 3, 2048);
	for (i = 0; i < 3; i++)
		m[i] = mk_mbuf(64, i, 4096);
	CU_ASSERT_EQUAL(vhostu_tx_burst(txq(0), m, 3), 3);
	CU_ASSERT_EQUAL(calls(fd), 1);
	for (i = 0; i < 3; i++)
		CU_ASSERT(fg_rx_read(&grx[0], 12, true, got, got, sizeof(got)) == 64);
	/* ENABLE signals, DISABLE does not, DESC again: judged from the last decision. */
	grx[0].drv_event->flags = VRING_PACKED_EVENT_ENABLE;
	ptx_frames(1);			/* 9 */
	CU_ASSERT_EQUAL(calls(fd), 1);
	grx[0].drv_event->flags = VRING_PACKED_EVENT_DISABLE;
	ptx_frames(1);			/* 10 */
	CU_ASSERT_EQUAL(calls(fd), 0);
	guest_desc_event(&grx[0], 10, true);	/* behind what the last decision saw */
	ptx_frames(1);			/* 11 */
	CU_ASSERT_EQUAL(calls(fd), 0);
	guest_desc_event(&grx[0], 12, true);
	ptx_frames(1);			/* 12 */
	CU_ASSERT_EQUAL(calls(fd), 1);
	CU_ASSERT_EQUAL(txq(0)->stats.notifications, 5);
}

/* The offset with the other wrap counter is a lap away: no call until that lap. */
static void
test_packed_evidx_desc_with_the_other_wrap_waits_a_lap(void)
{
	int fd;

	port_setup_packed(F_DEFAULT | F_EVIDX, 8, 0, true);
	fd = use_eventfd(txq(0));
	vhostu_coalesce_frames = 0;
	ptx_frames(1);			/* the first decision */
	CU_ASSERT_EQUAL(calls(fd), 1);
	guest_desc_event(&grx[0], 2, false);	/* position 2 of the second lap */
	ptx_frames(7);			/* 1..7 of lap 1, 2 among them */
	CU_ASSERT_EQUAL(calls(fd), 0);
	ptx_frames(2);			/* 0, 1 of lap 2 */
	CU_ASSERT_EQUAL(calls(fd), 0);
	ptx_frames(1);			/* 2 of lap 2 */
	CU_ASSERT_EQUAL(calls(fd), 1);
	ptx_frames(8);			/* a lap later, its wrap counter is stale again */
	CU_ASSERT_EQUAL(calls(fd), 0);
}

/* Across the end of the ring: the last position of a lap and the first of the next. */
static void
test_packed_evidx_desc_across_the_wrap(void)
{
	int fd;

	port_setup_packed(F_DEFAULT | F_EVIDX, 8, 6, true);
	fd = use_eventfd(txq(0));
	vhostu_coalesce_frames = 0;
	guest_desc_event(&grx[0], 0, false);
	ptx_frames(1);			/* 6: the first decision */
	CU_ASSERT_EQUAL(calls(fd), 1);
	ptx_frames(1);			/* 7 */
	CU_ASSERT_EQUAL(calls(fd), 0);
	ptx_frames(1);			/* 0 of lap 2 */
	CU_ASSERT_EQUAL(calls(fd), 1);
	guest_desc_event(&grx[0], 7, false);
	ptx_frames(6);			/* 1..6 */
	CU_ASSERT_EQUAL(calls(fd), 0);
	ptx_frames(2);			/* 7 of lap 2 and 0 of lap 3 (wrap counter 1) */
	CU_ASSERT_EQUAL(calls(fd), 1);
	guest_desc_event(&grx[0], 0, true);	/* lap 3 began with the burst before */
	ptx_frames(1);
	CU_ASSERT_EQUAL(calls(fd), 0);
}

/*
 * Coalesced over several bursts, a batch is judged from the last decision:
 * four frames over positions 4..7 cross offset 5 though the burst that
 * made the flush (7) does not, and a batch longer than the ring crosses an
 * offset a ring behind where it ends. The last frames of a flow, left
 * pending, are signalled by the paired rx poll with what the tx burst
 * published.
 */
static void
test_packed_evidx_desc_coalesced_batches_still_cross(void)
{
	struct rte_mbuf *m;
	int fd;

	port_setup_packed(F_DEFAULT | F_EVIDX, 8, 0, true);
	fd = use_eventfd(txq(0));
	coalesce_frames_only(txq(0), 4);
	guest_desc_event(&grx[0], 5, true);
	ptx_frames(3);
	CU_ASSERT_EQUAL(calls(fd), 0);
	ptx_frames(1);			/* 4 pending: the first decision */
	CU_ASSERT_EQUAL(calls(fd), 1);
	ptx_frames(4);			/* 4..7 hold 5 */
	CU_ASSERT_EQUAL(calls(fd), 1);
	ptx_frames(4);			/* 0..3 of lap 2 do not */
	CU_ASSERT_EQUAL(calls(fd), 0);
	CU_ASSERT_EQUAL(txq(0)->pending_calls, 0);
	/*
	 * 12 frames over 4 of lap 2 to 7 of lap 3, ending at 0 of lap 4: 1 of
	 * lap 3 among them, 7 positions back (judged by positions alone, as
	 * if a batch were shorter than the ring, it would be a lap ahead).
	 */
	coalesce_frames_only(txq(0), 12);
	guest_desc_event(&grx[0], 1, true);
	ptx_frames(11);
	CU_ASSERT_EQUAL(calls(fd), 0);
	ptx_frames(1);
	CU_ASSERT_EQUAL(calls(fd), 1);
	/* 0 of lap 4 is next: two frames left pending, then the paired rx poll. */
	guest_desc_event(&grx[0], 1, false);
	ptx_frames(2);
	CU_ASSERT_EQUAL(calls(fd), 0);
	CU_ASSERT_EQUAL(txq(0)->pending_calls, 2);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), &m, 1), 0);
	CU_ASSERT_EQUAL(calls(fd), 1);
	CU_ASSERT_EQUAL(txq(0)->pending_calls, 0);
}

/* Guest TX chains of three descriptors: the offset counts ring positions, not chains. */
static void
test_packed_evidx_desc_rx_counts_ring_positions(void)
{
	const uint32_t segs[3] = { 12, 20, 100 };
	unsigned int i;
	uint32_t id, len;
	int fd;

	port_setup_packed(F_DEFAULT | F_EVIDX, 16, 0, true);
	fd = use_eventfd(rxq(0));
	vhostu_coalesce_frames = 0;
	guest_desc_event(&gtx[0], 7, true);	/* the middle of the third chain, 6..8 */
	for (i = 0; i < 4; i++) {
		guest_send(0, 100, i, segs, 3, false);
		CU_ASSERT(rx_one_ok(0, 100));
		CU_ASSERT(fg_used_pop(&gtx[0], &id, &len));
		/* Chain 0: the start; chain 2: positions 6, 7, 8. */
		CU_ASSERT_EQUAL(calls(fd), i == 0 || i == 2 ? 1u : 0u);
	}
}

/* After a restart (SET_VRING_BASE, reconnect) the first decision signals again. */
static void
test_packed_evidx_desc_first_decision_after_a_restart_signals(void)
{
	struct vhostu_vring *vr;
	int fd;

	port_setup_packed(F_DEFAULT | F_EVIDX, 8, 0, true);
	vr = txq(0);
	fd = use_eventfd(vr);
	vhostu_coalesce_frames = 0;
	guest_desc_event(&grx[0], 7, false);
	ptx_frames(2);
	CU_ASSERT_EQUAL(calls(fd), 1);
	vr->ready = false;
	vr->started = true;
	vr->enabled = true;
	vhostu_vring_update_ready(port, vr);
	CU_ASSERT_TRUE_FATAL(vr->ready);
	ptx_frames(1);
	CU_ASSERT_EQUAL(calls(fd), 1);
	ptx_frames(1);
	CU_ASSERT_EQUAL(calls(fd), 0);
}

/* Under LOG_ALL with VHOST_VRING_F_LOG, each used descriptor's page is marked dirty. */
static void
test_packed_used_descriptors_are_logged(void)
{
	uint64_t page;

	port_setup_packed(F_DEFAULT | F_LOG, 256, 0, true);
	port->log_size = (FG_GPA_BASE + FG_MEM_SIZE) / VHOSTU_PAGE_SIZE / 8 + 1;
	port->log_addr = calloc(1, port->log_size);
	CU_ASSERT_FATAL(port->log_addr != NULL);
	txq(0)->log_used = true;
	guest_post_rx(0, 1, 2048);
	CU_ASSERT_EQUAL(tx_one(0, 64, 1, 4096), 1);
	page = grx[0].desc_gpa / VHOSTU_PAGE_SIZE;
	CU_ASSERT(port->log_addr[page / 8] & (1u << (page % 8)));
	page = grx[0].chains[0].gpa[0] / VHOSTU_PAGE_SIZE;
	CU_ASSERT(port->log_addr[page / 8] & (1u << (page % 8)));
	CU_ASSERT(guest_recv_ok(0, 64, 1));
}

CU_TestInfo packed_tests[] = {
	T(test_packed_rx_wraps_from_every_position_of_a_ring_of_8),
	T(test_packed_rx_wraps_in_a_ring_of_256),
	T(test_packed_rx_ring_size_need_not_be_a_power_of_two),
	T(test_packed_rx_indirect_through_wraps),
	T(test_packed_tx_wraps_from_every_position_of_a_ring_of_8),
	T(test_packed_tx_wraps_in_a_ring_of_256),
	T(test_packed_tx_indirect_through_wraps),
	T(test_packed_mrg_frame_over_chains_across_the_wrap),
	T(test_packed_mrg_frame_waits_untouched_when_the_ring_runs_out),
	T(test_packed_without_mrg_a_small_chain_waits_for_a_frame_that_fits),
	T(test_packed_tx_ring_full_keeps_the_rest_with_the_caller),
	T(test_packed_rx_full_ring_in_one_burst),
	T(test_packed_bursts_longer_than_the_shadow),
	T(test_packed_mrg_frame_that_fills_the_shadow_half_way),
	T(test_packed_driver_event_disable_never_signals_enable_does),
	T(test_packed_device_event_asks_for_kicks_only_with_rx_interrupts),
	T(test_packed_need_event_is_the_offset_among_the_positions_used),
	T(test_packed_evidx_desc_signals_only_the_burst_that_uses_the_offset),
	T(test_packed_evidx_desc_with_the_other_wrap_waits_a_lap),
	T(test_packed_evidx_desc_across_the_wrap),
	T(test_packed_evidx_desc_coalesced_batches_still_cross),
	T(test_packed_evidx_desc_rx_counts_ring_positions),
	T(test_packed_evidx_desc_first_decision_after_a_restart_signals),
	T(test_packed_used_descriptors_are_logged),
	CU_TEST_INFO_NULL,
};

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
