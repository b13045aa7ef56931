/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Suite "packed rings": the bursts over packed virtqueues
 * (vhostu_rxtx_packed.c). Frames both ways through three
 * wraps from every start position, chains split across the wrap, indirect
 * tables, full rings, MRG_RXBUF on and off, more used descriptors than one
 * shadow holds, notifications both ways (with EVENT_IDX, the driver area's
 * DESC mode: offsets before, at and after what a burst used, the other wrap
 * counter, across the wrap, batches coalesced over bursts and longer than
 * the ring, chains of several positions, restarts). Hostile guests:
 * test_rxtx_packed_hostile.c.
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
#include "vhostu_notify.h"

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
	CU_ASSERT_EQUAL(vhostu_calls_pending(txq(0)), 0);
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
	CU_ASSERT_EQUAL(vhostu_calls_pending(txq(0)), 0);
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
	CU_ASSERT_EQUAL(vhostu_calls_pending(txq(0)), 2);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), &m, 1), 0);
	CU_ASSERT_EQUAL(calls(fd), 1);
	CU_ASSERT_EQUAL(vhostu_calls_pending(txq(0)), 0);
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
