/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Suite "event index and in-order": VIRTIO_RING_F_EVENT_IDX (when the bursts
 * signal the guest: its used_event, with our coalescing on top).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <CUnit/CUnit.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "rxtx_harness.h"
#include "vhostu_notify.h"

/* The guest's used_event, after its avail ring. */
static void
guest_used_event(struct fg_ring *r, uint16_t v)
{
	*vhostu_used_event(r->vr) = v;
}

/* Coalescing by frames only: the time never runs out within a test. */
static void
coalesce_frames_only(struct vhostu_vring *vr, uint32_t frames)
{
	vhostu_coalesce_frames = frames;
	vhostu_coalesce_tsc = UINT64_MAX / 4;
	vr->last_call_tsc = rte_rdtsc();
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
	CU_ASSERT_EQUAL(txq(0)->pending_calls, 0);
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
	CU_ASSERT_EQUAL(txq(0)->pending_calls, 0);
	/* The last frames of a flow: left pending, signalled when the queue goes idle. */
	guest_used_event(&grx[0], 13);
	tx_frames(2);
	CU_ASSERT_EQUAL(calls(fd), 0);
	CU_ASSERT_EQUAL(txq(0)->pending_calls, 2);
	CU_ASSERT_EQUAL(vhostu_tx_burst(txq(0), &m, 0), 0);
	CU_ASSERT_EQUAL(calls(fd), 1);
	CU_ASSERT_EQUAL(txq(0)->pending_calls, 0);
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

/* ----------------------------------------------------------------- suite */

CU_TestInfo evidx_tests[] = {
	T(test_need_event_is_entry_event_among_old_to_new_across_the_16_bit_wrap),
	T(test_evidx_signals_only_the_frame_that_crosses_used_event),
	T(test_evidx_coalesced_batch_crossing_used_event_signals_one_that_does_not_stays_silent),
	T(test_evidx_coalesced_batch_across_the_index_wrap_signals),
	T(test_evidx_ignores_no_interrupt_flag),
	T(test_evidx_rx_burst_signals_by_used_event),
	T(test_evidx_first_decision_after_a_ring_restart_signals),
	CU_TEST_INFO_NULL,
};
