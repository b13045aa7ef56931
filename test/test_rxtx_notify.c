/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Suite "notification and dirty log": when the bursts signal the guest's call
 * eventfd (coalescing by frames and time, idle flush, NO_INTERRUPT), and which
 * pages they mark in the dirty log under VHOST_F_LOG_ALL.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "rxtx_harness.h"

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

/*
 * A frontend can raise the call eventfd's counter to its maximum: the write
 * must fail at once (the fd is non-blocking, SET_VRING_CALL sees to it), be
 * counted, and the frame still be delivered.
 */
static void
test_notify_call_fd_at_its_maximum_fails_and_is_counted(void)
{
	const uint64_t max = UINT64_MAX - 1;
	int fd;

	port_setup(F_DEFAULT, 256, 0);
	fd = use_eventfd(txq(0));
	vhostu_coalesce_frames = 0;
	CU_ASSERT_FATAL(write(fd, &max, sizeof(max)) == sizeof(max));
	guest_post_rx(0, 8, 2048);
	CU_ASSERT_EQUAL(tx_one(0, 64, 1, 4096), 1);
	CU_ASSERT_EQUAL(txq(0)->stats.notify_fail, 1);
	CU_ASSERT_EQUAL(txq(0)->stats.notifications, 0);
	CU_ASSERT(guest_recv_ok(0, 64, 1));
	/* Once the guest reads its counter, calls work again. */
	CU_ASSERT_EQUAL(calls(fd), max);
	CU_ASSERT_EQUAL(tx_one(0, 64, 2, 4096), 1);
	CU_ASSERT_EQUAL(calls(fd), 1);
	CU_ASSERT_EQUAL(txq(0)->stats.notify_fail, 1);
	CU_ASSERT_EQUAL(txq(0)->stats.notifications, 1);
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

/* ----------------------------------------------------------------- suite */

CU_TestInfo notify_tests[] = {
	T(test_notify_every_burst_when_coalesce_frames_is_0),
	T(test_notify_coalesces_until_the_frame_threshold),
	T(test_notify_pending_frames_signalled_when_the_queue_goes_idle),
	T(test_notify_pending_tx_frames_signalled_by_the_rx_poll),
	T(test_notify_suppressed_when_guest_sets_no_interrupt),
	T(test_notify_rx_returns_guest_tx_buffers_with_a_call),
	T(test_notify_default_coalescing_signals_the_first_frame_after_idle),
	T(test_notify_call_fd_at_its_maximum_fails_and_is_counted),
	T(test_dirty_log_marks_data_header_and_used_ring_pages_on_tx),
	T(test_dirty_log_marks_used_ring_but_not_guest_tx_buffers_on_rx),
	T(test_dirty_log_untouched_without_log_all),
	CU_TEST_INFO_NULL,
};
