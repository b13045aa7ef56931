/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The guard between bursts and pausers (vhostu_guard.c): a pause does not
 * return while a burst or an rx interrupt call is inside one of its rings
 * (an intr call from another thread during a burst included), a burst on a
 * paused ring returns 0, and concurrent bursts and pauses never overlap.
 * Each case runs with membarrier (as set up on this machine) and with the
 * fence fallback forced.
 *
 * Threads report through atomics, never CUnit (not thread-safe); every wait
 * is a bounded number of polls; nothing is asserted about time.
 */
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/membarrier.h>

#include <CUnit/CUnit.h>

#include <ethdev_driver.h>
#include <rte_pause.h>

#include "rxtx_harness.h"

#define POLLS		100000u	/* of 100 us: 10 s at most for what must happen */
#define HELD_POLLS	1000u	/* of 100 us: the pause must not return meanwhile */

static uint32_t entered, release, pause_returned, resume_now, intr_done;

static bool
poll_until_set(const uint32_t *flag)
{
	unsigned int i;

	for (i = 0; i < POLLS; i++) {
		if (__atomic_load_n(flag, __ATOMIC_ACQUIRE))
			return true;
		usleep(100);
	}
	return false;
}

static bool
poll_until_paused(const struct vhostu_vring *vr)
{
	unsigned int i;

	for (i = 0; i < POLLS; i++) {
		if (__atomic_load_n(&vr->paused, __ATOMIC_ACQUIRE))
			return true;
		usleep(100);
	}
	return false;
}

/* Enters ring vrings[3] (rx queue 1) as a burst does, and stays until released. */
static void *
holder_main(void *arg)
{
	struct vhostu_vring *vr = arg;

	if (!vhostu_ring_enter(vr))
		return NULL;	/* entered stays 0: the test fails */
	__atomic_store_n(&entered, 1, __ATOMIC_RELEASE);
	poll_until_set(&release);
	vhostu_ring_leave(vr);
	return NULL;
}

/* Pauses every ring of the port, says so, and resumes when told. */
static void *
pauser_main(void *arg)
{
	RTE_SET_USED(arg);
	vhostu_vrings_pause(port->vrings, 4);
	__atomic_store_n(&pause_returned, 1, __ATOMIC_RELEASE);
	poll_until_set(&resume_now);
	vhostu_vrings_resume(port->vrings, 4);
	return NULL;
}

/*
 * Start a pauser while holder is inside vrings[3]: it must pause the ring (the
 * last it pauses, so it is waiting then) and not return while the holder
 * stays; then release the holder, see the pause return and join the holder.
 * The pauser then waits for resume_now.
 */
static void
start_pause_and_release(pthread_t *pauser, pthread_t holder)
{
	bool early = false;
	unsigned int i;

	CU_ASSERT_FATAL(pthread_create(pauser, NULL, pauser_main, NULL) == 0);
	CU_ASSERT(poll_until_paused(&port->vrings[3]));
	for (i = 0; i < HELD_POLLS && !early; i++) {
		early = __atomic_load_n(&pause_returned, __ATOMIC_ACQUIRE) != 0;
		usleep(100);
	}
	CU_ASSERT(!early);
	__atomic_store_n(&release, 1, __ATOMIC_RELEASE);
	CU_ASSERT(poll_until_set(&pause_returned));
	pthread_join(holder, NULL);
}

static void
pause_waits_for_the_holder(void)
{
	pthread_t holder, pauser;
	struct rte_mbuf *m;

	port_setup(F_DEFAULT, 256, 0);
	guest_send(0, 64, 1, NULL, 0, false);
	entered = release = pause_returned = resume_now = 0;
	CU_ASSERT_FATAL(pthread_create(&holder, NULL, holder_main, rxq(1)) == 0);
	CU_ASSERT_FATAL(poll_until_set(&entered));
	start_pause_and_release(&pauser, holder);

	/* Paused: the datapath side is turned away and leaves busy as it was. */
	CU_ASSERT(!vhostu_ring_enter(rxq(0)));
	CU_ASSERT_EQUAL(rxq(0)->busy, 0);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), &m, 1), 0);
	CU_ASSERT_EQUAL(rxq(0)->last_avail_idx, 0);
	CU_ASSERT_EQUAL(gtx[0].used->idx, 0);

	__atomic_store_n(&resume_now, 1, __ATOMIC_RELEASE);
	pthread_join(pauser, NULL);
	CU_ASSERT_EQUAL(rxq(0)->paused, 0);
	fg_pattern(expect, 64, 1);
	CU_ASSERT(rx_one_ok(0, 64));	/* resumed: the frame waited for us */
}

/* Enters ring vrings[3] from the rx interrupt side and leaves at once. */
static void *
intr_visitor_main(void *arg)
{
	struct vhostu_vring *vr = arg;

	if (vhostu_ring_enter_intr(vr)) {
		vhostu_ring_leave_intr(vr);
		__atomic_store_n(&intr_done, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/*
 * vhostu-fwd's main lcore disables the rx interrupt of a queue that a worker
 * already polls: that call coming and going during the worker's burst must
 * not let a pause through while the burst is still inside.
 */
static void
pause_waits_for_a_burst_an_intr_call_overlapped(void)
{
	pthread_t holder, visitor, pauser;

	port_setup(F_DEFAULT, 256, 0);
	entered = release = pause_returned = resume_now = intr_done = 0;
	CU_ASSERT_FATAL(pthread_create(&holder, NULL, holder_main, rxq(1)) == 0);
	CU_ASSERT_FATAL(poll_until_set(&entered));
	CU_ASSERT_FATAL(pthread_create(&visitor, NULL, intr_visitor_main, rxq(1)) == 0);
	CU_ASSERT(poll_until_set(&intr_done));
	pthread_join(visitor, NULL);
	CU_ASSERT_EQUAL(rxq(1)->intr_busy, 0);
	start_pause_and_release(&pauser, holder);
	/* Paused: the intr side is turned away too, and leaves its count as it was. */
	CU_ASSERT(!vhostu_ring_enter_intr(rxq(1)));
	CU_ASSERT_EQUAL(rxq(1)->intr_busy, 0);
	__atomic_store_n(&resume_now, 1, __ATOMIC_RELEASE);
	pthread_join(pauser, NULL);
}

/* The pause waits for an intr call inside as for a burst. */
static void *
intr_holder_main(void *arg)
{
	struct vhostu_vring *vr = arg;

	if (!vhostu_ring_enter_intr(vr))
		return NULL;
	__atomic_store_n(&entered, 1, __ATOMIC_RELEASE);
	poll_until_set(&release);
	vhostu_ring_leave_intr(vr);
	return NULL;
}

static void
pause_waits_for_an_intr_call_inside(void)
{
	pthread_t holder, pauser;

	port_setup(F_DEFAULT, 256, 0);
	entered = release = pause_returned = resume_now = 0;
	CU_ASSERT_FATAL(pthread_create(&holder, NULL, intr_holder_main, rxq(1)) == 0);
	CU_ASSERT_FATAL(poll_until_set(&entered));
	start_pause_and_release(&pauser, holder);
	__atomic_store_n(&resume_now, 1, __ATOMIC_RELEASE);
	pthread_join(pauser, NULL);
}

/*
 * rx_intr_enable on a paused ring leaves the guest's flags alone and wakes
 * the application, which polls again after the pause; disable does nothing.
 */
static void
test_rx_intr_calls_on_a_paused_ring_wake_and_touch_nothing(void)
{
	struct intr_fixture f;
	struct vhostu_vring *vr;
	uint16_t flags;

	port_setup(F_DEFAULT, 256, 0);
	vr = rxq(0);
	intr_fixture_init(&f);
	flags = gtx[0].used->flags;
	vhostu_vrings_pause(vr, 1);
	CU_ASSERT_EQUAL(vhostu_rx_intr_enable(&f.dev, 0), 0);
	CU_ASSERT_EQUAL(gtx[0].used->flags, flags);
	CU_ASSERT(intr_fixture_woken(&f));
	CU_ASSERT_EQUAL(vhostu_rx_intr_disable(&f.dev, 0), 0);
	CU_ASSERT_EQUAL(gtx[0].used->flags, flags);
	CU_ASSERT_EQUAL(vr->intr_busy, 0);
	vhostu_vrings_resume(vr, 1);
	/* Resumed: enable asks for kicks (clears NO_NOTIFY), disable sets it back. */
	CU_ASSERT_EQUAL(vhostu_rx_intr_enable(&f.dev, 0), 0);
	CU_ASSERT_EQUAL(gtx[0].used->flags & VRING_USED_F_NO_NOTIFY, 0);
	CU_ASSERT_EQUAL(vhostu_rx_intr_disable(&f.dev, 0), 0);
	CU_ASSERT_NOT_EQUAL(gtx[0].used->flags & VRING_USED_F_NO_NOTIFY, 0);
	intr_fixture_fini(&f);
}

/*
 * Stress: a datapath thread does a non-atomic read-modify-write of a counter
 * inside the guard, the test thread pauses and reads it twice then adds to
 * it. An overlap shows as two different reads or as a lost update.
 */
#define STRESS_ENTERS	200000u
#define STRESS_PAUSES	2000u

static volatile uint64_t shared_counter;
static uint64_t stress_inside;	/* entries that got in (datapath thread only) */
static uint32_t stress_stop;

static void *
stress_datapath(void *arg)
{
	struct vhostu_vring *vr = arg;
	unsigned int i;

	for (i = 0; i < STRESS_ENTERS && !__atomic_load_n(&stress_stop, __ATOMIC_RELAXED);
			i++) {
		uint64_t x;

		if (!vhostu_ring_enter(vr))
			continue;
		x = shared_counter;
		rte_pause();
		shared_counter = x + 1;
		stress_inside++;
		vhostu_ring_leave(vr);
	}
	return NULL;
}

static void
pauses_and_bursts_never_overlap(void)
{
	unsigned int i, j, mismatches = 0;
	struct vhostu_vring *vr;
	pthread_t t;

	port_setup(F_DEFAULT, 256, 0);
	vr = rxq(0);
	shared_counter = 0;
	stress_inside = 0;
	stress_stop = 0;
	CU_ASSERT_FATAL(pthread_create(&t, NULL, stress_datapath, vr) == 0);
	for (i = 0; i < STRESS_PAUSES; i++) {
		uint64_t a, b;

		vhostu_vrings_pause(vr, 1);
		a = shared_counter;
		for (j = 0; j < 20; j++)
			rte_pause();
		b = shared_counter;
		mismatches += a != b;
		shared_counter = b + 1;
		vhostu_vrings_resume(vr, 1);
		if (i % 64 == 0)
			sched_yield();	/* let the datapath run on a busy machine */
	}
	__atomic_store_n(&stress_stop, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(mismatches, 0);
	CU_ASSERT_EQUAL(shared_counter, stress_inside + STRESS_PAUSES);
	CU_ASSERT_EQUAL(vr->busy, 0);
	CU_ASSERT_EQUAL(vr->paused, 0);
}

/* The two modes: as set up (membarrier where the kernel has it), and forced fences. */
static void
with_fence(bool fence, void (*test)(void))
{
	bool was = vhostu_guard_mode.fence;

	vhostu_guard_mode.fence = fence;
	test();
	vhostu_guard_mode.fence = was;
}

static void
test_guard_setup_registers_membarrier_where_available(void)
{
	long cmds = syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);

	vhostu_guard_setup();
	/* Fences only where the kernel refuses us. */
	CU_ASSERT_EQUAL(vhostu_guard_mode.fence,
		!(cmds >= 0 && (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED)));
}

static void
test_pause_waits_for_a_burst_inside(void)
{
	pause_waits_for_the_holder();
}

static void
test_pause_waits_for_a_burst_inside_fence_fallback(void)
{
	with_fence(true, pause_waits_for_the_holder);
}

static void
test_pause_waits_for_a_burst_an_intr_call_overlapped(void)
{
	pause_waits_for_a_burst_an_intr_call_overlapped();
}

static void
test_pause_waits_for_an_intr_call_inside(void)
{
	pause_waits_for_an_intr_call_inside();
}

static void
test_pause_waits_for_an_intr_call_inside_fence_fallback(void)
{
	with_fence(true, pause_waits_for_an_intr_call_inside);
}

static void
test_pauses_and_bursts_never_overlap(void)
{
	pauses_and_bursts_never_overlap();
}

static void
test_pauses_and_bursts_never_overlap_fence_fallback(void)
{
	with_fence(true, pauses_and_bursts_never_overlap);
}

CU_TestInfo guard_tests[] = {
	T(test_guard_setup_registers_membarrier_where_available),
	T(test_pause_waits_for_a_burst_inside),
	T(test_pause_waits_for_a_burst_inside_fence_fallback),
	T(test_pause_waits_for_a_burst_an_intr_call_overlapped),
	T(test_pause_waits_for_an_intr_call_inside),
	T(test_pause_waits_for_an_intr_call_inside_fence_fallback),
	T(test_rx_intr_calls_on_a_paused_ring_wake_and_touch_nothing),
	T(test_pauses_and_bursts_never_overlap),
	T(test_pauses_and_bursts_never_overlap_fence_fallback),
	CU_TEST_INFO_NULL,
};
