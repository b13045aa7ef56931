/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Suite "event index and in-order": VIRTIO_RING_F_EVENT_IDX (when the bursts
 * signal the guest: its used_event, with our coalescing on top; where it
 * kicks: our avail_event) and VIRTIO_F_IN_ORDER (one used entry per rx burst).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include <ethdev_driver.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "rxtx_harness.h"
#include "vhostu_notify.h"

/* The guest's used_event (after its avail ring), and our avail_event (after the used ring). */
static void
guest_used_event(struct fg_ring *r, uint16_t v)
{
	*vhostu_used_event(r->vr) = v;
}

static uint16_t
guest_avail_event(const struct fg_ring *r)
{
	return *vhostu_avail_event(r->vr);
}

/* Would a guest kick, publishing [old, new) with our avail_event as it is? (Linux's rule) */
static bool
guest_would_kick(const struct fg_ring *r, uint16_t new_idx, uint16_t old_idx)
{
	return vhostu_need_event(guest_avail_event(r), new_idx, old_idx);
}

/* n frames of 64 bytes, one tx burst each. */
static void
tx_frames(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL(tx_one(0, 64, i, 4096), 1);
}

/* ------------------------------------------------------- vring_need_event */

static void
test_need_event_is_entry_event_among_old_to_new_across_the_16_bit_wrap(void)
{
	/* [0xfffe, 0x0001) holds 0xfffe, 0xffff and 0x0000. */
	CU_ASSERT_TRUE(vhostu_need_event(0xfffe, 0x0001, 0xfffe));
	CU_ASSERT_TRUE(vhostu_need_event(0xffff, 0x0001, 0xfffe));
	CU_ASSERT_TRUE(vhostu_need_event(0x0000, 0x0001, 0xfffe));
	CU_ASSERT_FALSE(vhostu_need_event(0x0001, 0x0001, 0xfffe));	/* not written yet */
	CU_ASSERT_FALSE(vhostu_need_event(0xfffd, 0x0001, 0xfffe));	/* passed before */
	CU_ASSERT_FALSE(vhostu_need_event(0x8000, 0x0001, 0xfffe));
	CU_ASSERT_FALSE(vhostu_need_event(0x0005, 0x0005, 0x0005));	/* nothing new */
	CU_ASSERT_TRUE(vhostu_need_event(0x0004, 0x0005, 0x0004));
	/* A whole ring of 32768 in one batch. */
	CU_ASSERT_TRUE(vhostu_need_event(0x7fff, 0x8000, 0x0000));
	CU_ASSERT_FALSE(vhostu_need_event(0x8000, 0x8000, 0x0000));
}

/* ------------------------------------------------------------- used_event */

static void
test_evidx_signals_only_the_frame_that_crosses_used_event(void)
{
	int fd;

	port_setup(F_DEFAULT | F_EVIDX, 256, 0);
	fd = use_eventfd(txq(0));
	vhostu_coalesce_frames = 0;
	guest_post_rx(0, 16, 2048);
	guest_used_event(&grx[0], 3);
	/* The ring just started: the first decision signals, whatever used_event says. */
	tx_frames(1);
	CU_ASSERT_EQUAL(calls(fd), 1);
	/* Entries 1 and 2: the guest waits for entry 3. */
	tx_frames(2);
	CU_ASSERT_EQUAL(calls(fd), 0);
	tx_frames(1);
	CU_ASSERT_EQUAL(calls(fd), 1);
	CU_ASSERT_EQUAL(txq(0)->stats.notifications, 2);
	/* Not moved on by the guest: nothing more to signal. */
	tx_frames(3);
	CU_ASSERT_EQUAL(calls(fd), 0);
	CU_ASSERT_EQUAL(vhostu_calls_pending(txq(0)), 0);
	guest_used_event(&grx[0], 7);	/* the next entry */
	tx_frames(1);
	CU_ASSERT_EQUAL(calls(fd), 1);
}

/*
 * Coalesced over several bursts, a batch is judged from the last decision:
 * 4 frames from used idx 4 to 8 cross used_event 5 even though the burst
 * that triggered the flush (7 -> 8) does not.
 */
static void
test_evidx_coalesced_batch_crossing_used_event_signals_one_that_does_not_stays_silent(void)
{
	struct rte_mbuf *m;
	int fd;

	port_setup(F_DEFAULT | F_EVIDX, 256, 0);
	fd = use_eventfd(txq(0));
	coalesce_frames_only(txq(0), 4);
	guest_post_rx(0, 32, 2048);
	guest_used_event(&grx[0], 5);
	tx_frames(3);
	CU_ASSERT_EQUAL(calls(fd), 0);
	tx_frames(1);			/* 4 pending: the first decision, signalled */
	CU_ASSERT_EQUAL(calls(fd), 1);
	tx_frames(4);			/* [4, 8) holds 5 */
	CU_ASSERT_EQUAL(calls(fd), 1);
	tx_frames(4);			/* [8, 12) does not */
	CU_ASSERT_EQUAL(calls(fd), 0);
	CU_ASSERT_EQUAL(vhostu_calls_pending(txq(0)), 0);
	/* The last frames of a flow: left pending, signalled when the queue goes idle. */
	guest_used_event(&grx[0], 13);
	tx_frames(2);
	CU_ASSERT_EQUAL(calls(fd), 0);
	CU_ASSERT_EQUAL(vhostu_calls_pending(txq(0)), 2);
	CU_ASSERT_EQUAL(vhostu_tx_burst(txq(0), &m, 0), 0);
	CU_ASSERT_EQUAL(calls(fd), 1);
	CU_ASSERT_EQUAL(vhostu_calls_pending(txq(0)), 0);
}

/* The same at the 16-bit wrap of the indexes. */
static void
test_evidx_coalesced_batch_across_the_index_wrap_signals(void)
{
	int fd;

	port_setup(F_DEFAULT | F_EVIDX, 256, 0xfffc);
	fd = use_eventfd(txq(0));
	coalesce_frames_only(txq(0), 4);
	guest_post_rx(0, 16, 2048);
	guest_used_event(&grx[0], 0x0005);
	tx_frames(4);			/* to 0x0000: the first decision */
	CU_ASSERT_EQUAL(calls(fd), 1);
	guest_used_event(&grx[0], 0x0002);
	tx_frames(4);			/* [0, 4) holds 2 */
	CU_ASSERT_EQUAL(calls(fd), 1);
	CU_ASSERT_EQUAL(fg_used_idx(&grx[0]), 0x0004);
}

/* With EVENT_IDX the guest's NO_INTERRUPT flag means nothing: used_event decides. */
static void
test_evidx_ignores_no_interrupt_flag(void)
{
	int fd;

	port_setup(F_DEFAULT | F_EVIDX, 256, 0);
	fd = use_eventfd(txq(0));
	vhostu_coalesce_frames = 0;
	guest_post_rx(0, 8, 2048);
	fg_avail_set_flags(&grx[0], VRING_AVAIL_F_NO_INTERRUPT);
	guest_used_event(&grx[0], 1);
	tx_frames(2);
	CU_ASSERT_EQUAL(calls(fd), 2);
}

/* Guest RX buffers returned by rx_burst follow the same rule. */
static void
test_evidx_rx_burst_signals_by_used_event(void)
{
	unsigned int i;
	int fd;

	port_setup(F_DEFAULT | F_EVIDX, 256, 0);
	fd = use_eventfd(rxq(0));
	vhostu_coalesce_frames = 0;
	guest_used_event(&gtx[0], 2);
	for (i = 0; i < 4; i++) {
		guest_send(0, 64, i, NULL, 0, false);
		CU_ASSERT(rx_one_ok(0, 64));
		/* Entry 0: the start; entry 2: used_event. */
		CU_ASSERT_EQUAL(calls(fd), i == 0 || i == 2 ? 1u : 0u);
	}
}

/* After a restart (SET_VRING_BASE, reconnect) the first decision signals again. */
static void
test_evidx_first_decision_after_a_ring_restart_signals(void)
{
	struct vhostu_vring *vr;
	int fd;

	port_setup(F_DEFAULT | F_EVIDX, 256, 0);
	vr = txq(0);
	fd = use_eventfd(vr);
	vhostu_coalesce_frames = 0;
	guest_post_rx(0, 8, 2048);
	guest_used_event(&grx[0], 1000);
	tx_frames(2);
	CU_ASSERT_EQUAL(calls(fd), 1);
	/* GET_VRING_BASE stops the ring; SET_VRING_BASE and a kick start it again. */
	vr->ready = false;
	vr->started = true;
	vr->enabled = true;
	vhostu_vring_update_ready(port, vr);
	CU_ASSERT_TRUE_FATAL(vr->ready);
	tx_frames(1);
	CU_ASSERT_EQUAL(calls(fd), 1);
	tx_frames(1);
	CU_ASSERT_EQUAL(calls(fd), 0);
	/* Readiness recomputed on a running ring (SET_FEATURES, SET_MEM_TABLE) is no restart. */
	vhostu_vring_update_ready(port, vr);
	tx_frames(1);
	CU_ASSERT_EQUAL(calls(fd), 0);
}

/* ------------------------------------------------------------ avail_event */

static void
test_evidx_polling_leaves_avail_event_behind(void)
{
	unsigned int i;

	port_setup(F_DEFAULT | F_EVIDX, 256, 0);
	for (i = 0; i < 5; i++) {
		guest_send(0, 64, i, NULL, 0, false);
		CU_ASSERT(rx_one_ok(0, 64));
	}
	/* Never written: the guest kicks when it crosses 0, once per 65536 buffers. */
	CU_ASSERT_EQUAL(guest_avail_event(&gtx[0]), 0);
	CU_ASSERT_FALSE(vhostu_rx_want_kicks(rxq(0), false));
	CU_ASSERT_EQUAL(guest_avail_event(&gtx[0]), 0);
	CU_ASSERT_FALSE(guest_would_kick(&gtx[0], 6, 5));
}

static void
test_evidx_asking_for_kicks_publishes_avail_event_so_the_next_post_kicks(void)
{
	struct rte_mbuf *pkts[4];
	unsigned int i;

	port_setup(F_DEFAULT | F_EVIDX, 256, 0);
	for (i = 0; i < 3; i++)
		guest_send(0, 64, i, NULL, 0, false);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), pkts, RTE_DIM(pkts)), 3);
	rte_pktmbuf_free_bulk(pkts, 3);
	CU_ASSERT_FALSE(vhostu_rx_want_kicks(rxq(0), true));	/* drained: sleep */
	CU_ASSERT_EQUAL(guest_avail_event(&gtx[0]), 3);
	CU_ASSERT_TRUE(guest_would_kick(&gtx[0], 4, 3));
	/* Polling again: avail_event stays, it is not worth a store per burst. */
	CU_ASSERT_FALSE(vhostu_rx_want_kicks(rxq(0), false));
	CU_ASSERT_EQUAL(guest_avail_event(&gtx[0]), 3);
}

/*
 * The lost-kick race: the guest posts a frame after our last read of its
 * avail index and before it sees the new avail_event, so it does not kick;
 * asking for kicks must find the frame, and the application polls instead of
 * sleeping.
 */
static void
test_evidx_asking_for_kicks_finds_a_frame_posted_without_a_kick(void)
{
	port_setup(F_DEFAULT | F_EVIDX, 256, 0);
	guest_send(0, 64, 1, NULL, 0, false);
	CU_ASSERT(rx_one_ok(0, 64));
	guest_send(0, 64, 2, NULL, 0, false);
	CU_ASSERT_FALSE(guest_would_kick(&gtx[0], 2, 1));	/* avail_event 0: no kick */
	CU_ASSERT_TRUE(vhostu_rx_want_kicks(rxq(0), true));
	CU_ASSERT_EQUAL(guest_avail_event(&gtx[0]), 1);
	CU_ASSERT(rx_one_ok(0, 64));
	CU_ASSERT_FALSE(vhostu_rx_want_kicks(rxq(0), true));
	CU_ASSERT_EQUAL(guest_avail_event(&gtx[0]), 2);
}

/*
 * The same through rx_queue_intr_enable, as an application about to sleep
 * calls it: the queue's interrupt fd (an epoll fd holding our wake eventfd,
 * as vhostu_intr_setup makes it) becomes readable for the frame posted with
 * no kick, and the guest's next post would kick.
 */
static void
test_evidx_rx_intr_enable_wakes_for_a_frame_posted_without_a_kick(void)
{
	struct intr_fixture f;

	port_setup(F_DEFAULT | F_EVIDX, 256, 0);
	intr_fixture_init(&f);
	/* Drained: enable publishes avail_event, nothing to wake for. */
	guest_send(0, 64, 1, NULL, 0, false);
	CU_ASSERT(rx_one_ok(0, 64));
	CU_ASSERT_EQUAL(vhostu_rx_intr_enable(&f.dev, 0), 0);
	CU_ASSERT_EQUAL(guest_avail_event(&gtx[0]), 1);
	CU_ASSERT_FALSE(intr_fixture_woken(&f));
	CU_ASSERT_EQUAL(vhostu_rx_intr_disable(&f.dev, 0), 0);
	/* Polling: one more frame (avail_event stays 1), then one that does not cross it. */
	guest_send(0, 64, 2, NULL, 0, false);
	CU_ASSERT(rx_one_ok(0, 64));
	guest_send(0, 64, 3, NULL, 0, false);
	CU_ASSERT_FALSE(guest_would_kick(&gtx[0], 3, 2));
	CU_ASSERT_EQUAL(vhostu_rx_intr_enable(&f.dev, 0), 0);
	CU_ASSERT_EQUAL(guest_avail_event(&gtx[0]), 2);
	CU_ASSERT(intr_fixture_woken(&f));
	CU_ASSERT_EQUAL(vhostu_rx_intr_disable(&f.dev, 0), 0);
	CU_ASSERT(rx_one_ok(0, 64));
	intr_fixture_fini(&f);
}

/* Without EVENT_IDX avail_event is not ours: the word after the used ring stays as it was. */
static void
test_no_evidx_never_writes_past_the_used_ring(void)
{
	port_setup(F_DEFAULT, 256, 0);
	*vhostu_avail_event(rxq(0)) = 0x5a5a;
	guest_send(0, 64, 1, NULL, 0, false);
	CU_ASSERT(rx_one_ok(0, 64));
	CU_ASSERT_FALSE(vhostu_rx_want_kicks(rxq(0), true));
	CU_ASSERT_FALSE(fg_used_flags(&gtx[0]) & VRING_USED_F_NO_NOTIFY);
	CU_ASSERT_EQUAL(guest_avail_event(&gtx[0]), 0x5a5a);
}

static bool
log_bit(uint64_t gpa)
{
	uint64_t page = gpa / VHOSTU_PAGE_SIZE;

	return (port->log_addr[page / 8] >> (page % 8)) & 1;
}

/* avail_event lies in the used ring area: a migration must carry it. */
static void
test_evidx_avail_event_write_is_dirty_logged(void)
{
	uint64_t at;
	uint16_t size = 1024;	/* the used ring spans three pages: its end has its own */

	port_setup(F_DEFAULT | F_EVIDX | F_LOG, size, 0);
	port->log_size = (FG_GPA_BASE + FG_MEM_SIZE) / VHOSTU_PAGE_SIZE / 8;
	port->log_addr = calloc(1, port->log_size);
	rxq(0)->log_used = true;
	at = gtx[0].used_gpa + 4 + 8u * size;
	CU_ASSERT_FATAL(at / VHOSTU_PAGE_SIZE != gtx[0].used_gpa / VHOSTU_PAGE_SIZE);
	CU_ASSERT_FALSE(vhostu_rx_want_kicks(rxq(0), true));
	CU_ASSERT(log_bit(at));
	CU_ASSERT(log_bit(at + 1));
}

/* --------------------------------------------------------------- IN_ORDER */

/* Poison the guest's used ring: entries we must not write keep it. */
static void
used_poison(struct fg_ring *r)
{
	struct vhostu_used_elem *e = (struct vhostu_used_elem *)((uint8_t *)r->used + 4);
	uint16_t i;

	for (i = 0; i < r->size; i++) {
		e[i].id = 0xdead;
		e[i].len = 0xbeef;
	}
}

static const struct vhostu_used_elem *
used_at(const struct fg_ring *r, uint16_t idx)
{
	return (const struct vhostu_used_elem *)((const uint8_t *)r->used + 4) +
		(idx & (r->size - 1));
}

static void
inorder_rx_batch(uint16_t start)
{
	struct rte_mbuf *pkts[8];
	uint16_t heads[5], i, n;

	port_setup(F_DEFAULT | F_INORDER, 256, start);
	used_poison(&gtx[0]);
	for (i = 0; i < 5; i++) {
		uint32_t segs[2] = { 20, 100 };

		/* Chains of two buffers: the guest's ids are not the ring positions. */
		fg_pattern(expect, 64, i);
		heads[i] = fg_tx_post(&gtx[0], zero_hdr, port->hdr_size, expect, 64, segs, 2,
			false);
	}
	fg_kick(&gtx[0]);
	n = vhostu_rx_burst(rxq(0), pkts, RTE_DIM(pkts));
	CU_ASSERT_EQUAL(n, 5);
	for (i = 0; i < n; i++) {
		fg_pattern(expect, 64, i);
		CU_ASSERT(mbuf_equals(pkts[i], expect, 64));
	}
	rte_pktmbuf_free_bulk(pkts, n);
	/* One entry, at the batch's first slot, names the last chain; the index moves by 5. */
	CU_ASSERT_EQUAL(fg_used_idx(&gtx[0]), (uint16_t)(start + 5));
	CU_ASSERT_EQUAL(used_at(&gtx[0], start)->id, heads[4]);
	CU_ASSERT_EQUAL(used_at(&gtx[0], start)->len, 0);
	for (i = 1; i < 5; i++)
		CU_ASSERT_EQUAL(used_at(&gtx[0], start + i)->id, 0xdead);
	CU_ASSERT_EQUAL(rxq(0)->last_used_idx, (uint16_t)(start + 5));
	CU_ASSERT_EQUAL(rxq(0)->last_avail_idx, (uint16_t)(start + 5));
}

static void
test_inorder_rx_burst_returns_its_chains_in_one_used_entry(void)
{
	inorder_rx_batch(0);
}

static void
test_inorder_rx_burst_one_used_entry_across_the_ring_and_index_wrap(void)
{
	inorder_rx_batch(0xfffe);	/* slots 254, 255, 0, 1, 2; indexes 0xfffe to 3 */
}

/* Guest RX buffers: the guest reads each chain's length, so one entry per chain. */
static void
test_inorder_tx_burst_keeps_one_used_entry_per_chain(void)
{
	struct rte_mbuf *m[3];
	uint16_t i;

	port_setup(F_DEFAULT | F_INORDER, 256, 0);
	guest_post_rx(0, 8, 2048);
	for (i = 0; i < 3; i++)
		m[i] = mk_mbuf(100 + i, i, 4096);
	CU_ASSERT_EQUAL(vhostu_tx_burst(txq(0), m, 3), 3);
	CU_ASSERT_EQUAL(fg_used_idx(&grx[0]), 3);
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(used_at(&grx[0], i)->id, i);
		CU_ASSERT_EQUAL(used_at(&grx[0], i)->len, port->hdr_size + 100u + i);
	}
}

/* Bad chains are returned too, in the same single entry. */
static void
test_inorder_rx_burst_entry_names_the_last_chain_even_when_it_was_bad(void)
{
	struct rte_mbuf *pkts[4];
	uint16_t head;

	port_setup(F_DEFAULT | F_INORDER, 256, 0);
	used_poison(&gtx[0]);
	guest_send(0, 64, 1, NULL, 0, false);
	head = guest_send(0, 64, 2, NULL, 0, false);
	gtx[0].desc[head].addr = 0x10;	/* outside guest memory */
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), pkts, RTE_DIM(pkts)), 1);
	rte_pktmbuf_free(pkts[0]);
	CU_ASSERT_EQUAL(fg_used_idx(&gtx[0]), 2);
	CU_ASSERT_EQUAL(used_at(&gtx[0], 0)->id, head);
	CU_ASSERT_EQUAL(used_at(&gtx[0], 1)->id, 0xdead);
	CU_ASSERT_EQUAL(rxq(0)->stats.errors, 1);
}

/* ----------------------------------------------------------------- suite */

CU_TestInfo evidx_tests[] = {
	T(test_need_event_is_entry_event_among_old_to_new_across_the_16_bit_wrap),
	T(test_evidx_signals_only_the_frame_that_crosses_used_event),
	T(test_evidx_coalesced_batch_crossing_used_event_signals_one_that_does_not_stays_silent),
	T(test_evidx_coalesced_batch_across_the_index_wrap_signals),
	T(test_evidx_ignores_no_interrupt_flag),
	T(test_evidx_rx_burst_signals_by_used_event),
	T(test_evidx_first_decision_after_a_ring_restart_signals),
	T(test_evidx_polling_leaves_avail_event_behind),
	T(test_evidx_asking_for_kicks_publishes_avail_event_so_the_next_post_kicks),
	T(test_evidx_asking_for_kicks_finds_a_frame_posted_without_a_kick),
	T(test_evidx_rx_intr_enable_wakes_for_a_frame_posted_without_a_kick),
	T(test_no_evidx_never_writes_past_the_used_ring),
	T(test_evidx_avail_event_write_is_dirty_logged),
	T(test_inorder_rx_burst_returns_its_chains_in_one_used_entry),
	T(test_inorder_rx_burst_one_used_entry_across_the_ring_and_index_wrap),
	T(test_inorder_tx_burst_keeps_one_used_entry_per_chain),
	T(test_inorder_rx_burst_entry_names_the_last_chain_even_when_it_was_bad),
	CU_TEST_INFO_NULL,
};
