/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Suite "notification and dirty log": when the bursts signal the guest's call
 * eventfd (coalescing by frames and time, idle flush, NO_INTERRUPT), and which
 * pages they mark in the dirty log under VHOST_F_LOG_ALL.
 */
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "rxtx_harness.h"
#include "vhostu_notify.h"

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
	CU_ASSERT_EQUAL(vhostu_calls_pending(txq(0)), 3);
	CU_ASSERT_EQUAL(tx_one(0, 64, 3, 4096), 1);
	CU_ASSERT_EQUAL(calls(fd), 1);
	CU_ASSERT_EQUAL(vhostu_calls_pending(txq(0)), 0);
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
	CU_ASSERT_EQUAL(vhostu_calls_pending(txq(0)), 0);
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
	CU_ASSERT_EQUAL(vhostu_calls_pending(txq(0)), 0);
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
	CU_ASSERT_EQUAL(vhostu_calls_pending(txq(0)), 0);
	fg_avail_set_flags(&grx[0], 0);
	CU_ASSERT_EQUAL(tx_one(0, 64, 0, 4096), 1);
	CU_ASSERT_EQUAL(calls(fd), 1);
}

/*
 * A guest that polls (NO_INTERRUPT): a burst with frames looks at its flags
 * without a fence and leaves the decision for later, however many frames (no
 * call, no fence); an empty burst decides, and still makes no call.
 */
static void
test_notify_polling_guest_left_pending_without_a_call(void)
{
	unsigned int i;
	int fd;

	port_setup(F_DEFAULT, 256, 0);
	fd = use_eventfd(txq(0));
	vhostu_coalesce_frames = 0;	/* every burst would decide */
	vhostu_coalesce_tsc = UINT64_MAX / 4;
	txq(0)->last_call_tsc = rte_rdtsc();
	fg_avail_set_flags(&grx[0], VRING_AVAIL_F_NO_INTERRUPT);
	guest_post_rx(0, 8, 2048);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(tx_one(0, 64, i, 4096), 1);
	CU_ASSERT_EQUAL(vhostu_calls_pending(txq(0)), 3);
	CU_ASSERT_EQUAL(txq(0)->calls_looked, txq(0)->calls_published);
	CU_ASSERT_EQUAL(calls(fd), 0);
	CU_ASSERT_EQUAL(vhostu_tx_burst(txq(0), NULL, 0), 0);
	CU_ASSERT_EQUAL(vhostu_calls_pending(txq(0)), 0);
	CU_ASSERT_EQUAL(calls(fd), 0);
	CU_ASSERT_EQUAL(txq(0)->stats.notifications, 0);
}

/*
 * The look was stale: the guest asks for calls after the burst left its frame
 * pending. The paired rx poll leaves it while it is not due (the burst saw a
 * polling guest), and signals it once the coalescing time has passed.
 */
static void
test_notify_stale_look_signalled_by_the_rx_poll_once_due(void)
{
	struct rte_mbuf *m[4];
	int fd;

	port_setup(F_DEFAULT, 256, 0);
	fd = use_eventfd(txq(0));
	vhostu_coalesce_tsc = UINT64_MAX / 4;
	txq(0)->last_call_tsc = rte_rdtsc();
	fg_avail_set_flags(&grx[0], VRING_AVAIL_F_NO_INTERRUPT);
	guest_post_rx(0, 8, 2048);
	CU_ASSERT_EQUAL(tx_one(0, 64, 0, 4096), 1);
	fg_avail_set_flags(&grx[0], 0);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), m, RTE_DIM(m)), 0);
	CU_ASSERT_EQUAL(calls(fd), 0);
	CU_ASSERT_EQUAL(vhostu_calls_pending(txq(0)), 1);
	txq(0)->last_call_tsc = rte_rdtsc() - vhostu_coalesce_tsc;
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), m, RTE_DIM(m)), 0);
	CU_ASSERT_EQUAL(calls(fd), 1);
	CU_ASSERT_EQUAL(vhostu_calls_pending(txq(0)), 0);
}

/* The same, decided by the ring's next burst once due, and by the control thread's backstop. */
static void
test_notify_stale_look_signalled_by_the_next_burst_or_the_backstop(void)
{
	int fd;

	port_setup(F_DEFAULT, 256, 0);
	fd = use_eventfd(txq(0));
	vhostu_coalesce_frames = 0;
	vhostu_coalesce_tsc = UINT64_MAX / 4;
	txq(0)->last_call_tsc = rte_rdtsc();
	fg_avail_set_flags(&grx[0], VRING_AVAIL_F_NO_INTERRUPT);
	guest_post_rx(0, 8, 2048);
	CU_ASSERT_EQUAL(tx_one(0, 64, 0, 4096), 1);
	fg_avail_set_flags(&grx[0], 0);
	txq(0)->last_call_tsc = rte_rdtsc() - vhostu_coalesce_tsc;
	CU_ASSERT_EQUAL(tx_one(0, 64, 1, 4096), 1);	/* due: decides, with the fence */
	CU_ASSERT_EQUAL(calls(fd), 1);
	CU_ASSERT_EQUAL(vhostu_calls_pending(txq(0)), 0);

	fg_avail_set_flags(&grx[0], VRING_AVAIL_F_NO_INTERRUPT);
	CU_ASSERT_EQUAL(tx_one(0, 64, 2, 4096), 1);
	fg_avail_set_flags(&grx[0], 0);
	CU_ASSERT_EQUAL(vhostu_calls_pending(txq(0)), 1);
	CU_ASSERT(vhostu_notify_backstop(port));	/* not due yet: left */
	CU_ASSERT_EQUAL(calls(fd), 0);
	txq(0)->last_call_tsc = rte_rdtsc() - vhostu_coalesce_tsc;
	CU_ASSERT(!vhostu_notify_backstop(port));
	CU_ASSERT_EQUAL(calls(fd), 1);
}

/*
 * Guest TX buffers returned by a burst that left the call pending: the next
 * rx poll, which finds nothing new (the idle fast path), must still signal.
 */
static void
test_notify_pending_rx_calls_signalled_by_the_next_empty_rx_poll(void)
{
	struct rte_mbuf *m[4];
	int fd;

	port_setup(F_DEFAULT, 256, 0);
	fd = use_eventfd(rxq(0));
	vhostu_coalesce_tsc = UINT64_MAX / 4;
	rxq(0)->last_call_tsc = rte_rdtsc();
	guest_send(0, 64, 1, NULL, 0, false);
	CU_ASSERT(rx_one_ok(0, 64));
	CU_ASSERT_EQUAL(calls(fd), 0);
	CU_ASSERT_EQUAL(vhostu_calls_pending(rxq(0)), 1);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), m, RTE_DIM(m)), 0);
	CU_ASSERT_EQUAL(calls(fd), 1);
	CU_ASSERT_EQUAL(vhostu_calls_pending(rxq(0)), 0);
	/* Idle now: further polls stay silent. */
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), m, RTE_DIM(m)), 0);
	CU_ASSERT_EQUAL(calls(fd), 0);
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

/* Another lcore polls rx queue 0 as fast as it can: it flushes tx queue 0's calls. */
struct rx_hammer {
	bool stop;
	uint64_t polls;
};

static void *
rx_hammer_main(void *arg)
{
	struct rx_hammer *h = arg;
	struct rte_mbuf *m[4];
	uint16_t n;

	while (!__atomic_load_n(&h->stop, __ATOMIC_ACQUIRE)) {
		n = vhostu_rx_burst(rxq(0), m, RTE_DIM(m));
		if (n != 0)
			rte_pktmbuf_free_bulk(m, n);
		__atomic_fetch_add(&h->polls, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* EAL pinned the main thread, and so its children, to one CPU: run t beside it. */
static void
other_cpus(pthread_t t)
{
	long i, n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	CPU_ZERO(&set);
	for (i = n > 1 ? 1 : 0; i < n && i < CPU_SETSIZE; i++)
		CPU_SET(i, &set);
	pthread_setaffinity_np(t, sizeof(set), &set);
}

/* The guest takes what the device used and posts the same buffers again. */
static void
guest_recycle_rx(struct fg_ring *r)
{
	uint32_t id, len;

	while (fg_used_pop(r, &id, &len))
		fg_avail_add(r, (uint16_t)id);
	fg_kick(r);
}

/*
 * The rx burst of ring 1 flushes ring 0's pending calls: it must never make a
 * tx burst on ring 0 (another lcore) fail, as taking ring 0's lock did.
 */
static void
test_notify_rx_poll_on_another_lcore_never_fails_a_tx_burst(void)
{
	struct rx_hammer h = { .stop = false, .polls = 0 };
	unsigned int i, zeros = 0;
	pthread_t t;
	uint64_t t0;
	int fd;

	port_setup(F_DEFAULT, 256, 0);
	fd = use_eventfd(txq(0));
	/* tx bursts never signal themselves: every frame is left to the rx poll. */
	vhostu_coalesce_frames = UINT32_MAX;
	vhostu_coalesce_tsc = UINT64_MAX / 4;
	txq(0)->last_call_tsc = rte_rdtsc();
	guest_post_rx(0, 256, 2048);
	CU_ASSERT_FATAL(pthread_create(&t, NULL, rx_hammer_main, &h) == 0);
	other_cpus(t);
	t0 = rte_rdtsc();
	while (__atomic_load_n(&h.polls, __ATOMIC_RELAXED) == 0 &&
			rte_rdtsc() - t0 < 10 * rte_get_tsc_hz())
		sched_yield();
	for (i = 0; i < 100000; i++) {
		guest_recycle_rx(&grx[0]);
		if (tx_one(0, 64, i, 4096) == 0)
			zeros++;
	}
	__atomic_store_n(&h.stop, true, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(zeros, 0);
	CU_ASSERT_EQUAL(txq(0)->stats.packets, 100000);
	CU_ASSERT(h.polls > 0);
	/* Nothing lost: whatever is still pending goes with the next flush. */
	vhostu_rx_burst(rxq(0), NULL, 0);
	CU_ASSERT_EQUAL(vhostu_calls_pending(txq(0)), 0);
	CU_ASSERT(calls(fd) > 0);
}

/* Wait up to ms for the eventfd to be signalled; its counter, or 0. */
static uint64_t
wait_calls(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (poll(&pfd, 1, ms) != 1)
		return 0;
	return calls(fd);
}

/*
 * An application with more tx than rx queues never polls rx queue 1: frames
 * tx queue 1 left pending must still be signalled, by the control thread.
 */
static void
test_notify_pending_frames_without_any_rx_poll_are_signalled_by_the_control_thread(void)
{
	char dir[80], *tmp = getenv("TMPDIR");
	int fd, ret;

	port_setup(F_DEFAULT, 256, 0);
	fd = use_eventfd(txq(1));
	snprintf(dir, sizeof(dir), "%s/rxtx-XXXXXX", tmp != NULL ? tmp : "/tmp");
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	pthread_mutex_init(&port->lock, NULL);
	snprintf(port->name, sizeof(port->name), "rxtx-backstop");
	snprintf(port->path, sizeof(port->path), "%s/s.sock", dir);
	port->server = true;
	port->conn_fd = -1;
	CU_ASSERT_FATAL(vhostu_sock_listen(port->path, -1, &port->listen_fd) == 0);
	ret = vhostu_ctl_add_port(port);
	CU_ASSERT_FATAL(ret == 0);
	/* A call was just made: the next frame is coalesced, not signalled. */
	vhostu_coalesce_time = 1e-3;
	txq(1)->last_call_tsc = rte_rdtsc();
	guest_post_rx(1, 8, 2048);
	CU_ASSERT_EQUAL(tx_one(1, 64, 1, 4096), 1);
	CU_ASSERT(guest_recv_ok(1, 64, 1));
	/* Generous: the backstop runs within a tick (100 ms) plus the coalescing time. */
	CU_ASSERT_EQUAL(wait_calls(fd, 5000), 1);
	CU_ASSERT_EQUAL(vhostu_calls_pending(txq(1)), 0);
	CU_ASSERT_EQUAL(txq(1)->stats.notifications, 1);
	vhostu_ctl_remove_port(port);
	unlink(port->path);
	rmdir(dir);
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
	T(test_notify_pending_rx_calls_signalled_by_the_next_empty_rx_poll),
	T(test_notify_suppressed_when_guest_sets_no_interrupt),
	T(test_notify_polling_guest_left_pending_without_a_call),
	T(test_notify_stale_look_signalled_by_the_rx_poll_once_due),
	T(test_notify_stale_look_signalled_by_the_next_burst_or_the_backstop),
	T(test_notify_rx_returns_guest_tx_buffers_with_a_call),
	T(test_notify_default_coalescing_signals_the_first_frame_after_idle),
	T(test_notify_call_fd_at_its_maximum_fails_and_is_counted),
	T(test_notify_rx_poll_on_another_lcore_never_fails_a_tx_burst),
	T(test_notify_pending_frames_without_any_rx_poll_are_signalled_by_the_control_thread),
	T(test_dirty_log_marks_data_header_and_used_ring_pages_on_tx),
	T(test_dirty_log_marks_used_ring_but_not_guest_tx_buffers_on_rx),
	T(test_dirty_log_untouched_without_log_all),
	CU_TEST_INFO_NULL,
};
