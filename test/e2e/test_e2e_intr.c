/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rx interrupts end to end: with our port configured for rx interrupts and
 * virtio-user as the frontend (2 queue pairs), rte_epoll_wait on a queue's fd
 * wakes when virtio-user sends and not while the queue's interrupt is
 * disabled, a frame posted before the enable is not a lost kick, and the
 * registration survives a reconnect of the frontend.
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_interrupts.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "e2e_harness.h"
#include "test_common.h"

/* ------------------------------------------------------- rx interrupts */

#define E2E_INTR_QUEUES		2
#define E2E_INTR_WAKE_MS	5000	/* bound on a wake that must come */
#define E2E_INTR_QUIET_MS	200	/* how long a wake that must not come is waited for */

static const struct e2e_combo intr_combo = { true, E2E_INTR_QUEUES, true, false, false };
static int intr_epfd[E2E_INTR_QUEUES] = { -1, -1 };

int
e2e_intr_init(void)
{
	cur = &intr_combo;
	vhostu_rxq_intr = true;
	fds_before = count_fds();
	return 0;
}

int
e2e_intr_clean(void)
{
	uint16_t q;

	for (q = 0; q < E2E_INTR_QUEUES; q++) {
		if (vhostu_made && intr_epfd[q] >= 0)
			rte_eth_dev_rx_intr_ctl_q(vport, q, intr_epfd[q], RTE_INTR_EVENT_DEL, NULL);
		if (intr_epfd[q] >= 0)
			close(intr_epfd[q]);
		intr_epfd[q] = -1;
	}
	e2e_tear_down();
	vhostu_rxq_intr = false;
	return 0;
}

/* Events on queue q's epoll fd within ms milliseconds. */
static int
e2e_intr_wait(uint16_t q, int ms)
{
	struct rte_epoll_event ev[2];

	return rte_epoll_wait(intr_epfd[q], ev, RTE_DIM(ev), ms);
}

/* One 64-byte frame from virtio-user on queue q. */
static bool
e2e_intr_peer_send(uint16_t q, uint16_t seq)
{
	struct rte_mbuf *m;

	e2e_frame(expect_buf, 64, E2E_TO_VHOSTU, q, seq);
	m = e2e_mbuf_build(peer_mp, expect_buf, 64);
	if (m == NULL)
		return false;
	if (rte_eth_tx_burst(pport, q, &m, 1) == 1)
		return true;
	rte_pktmbuf_free(m);
	return false;
}

/* Poll our queue q until n frames came (bounded); how many came. */
static unsigned int
e2e_intr_take(uint16_t q, unsigned int n)
{
	uint64_t deadline = e2e_deadline(E2E_XFER_TIMEOUT_S);
	struct rte_mbuf *rx[E2E_BURST];
	unsigned int got = 0;
	uint16_t k;

	while (got < n && !e2e_expired(deadline)) {
		k = rte_eth_rx_burst(vport, q, rx, E2E_BURST);
		rte_pktmbuf_free_bulk(rx, k);
		got += k;
	}
	return got;
}

/* One poll of our queue q, as an application makes after enabling: frames it got. */
static uint16_t
e2e_intr_poll(uint16_t q)
{
	struct rte_mbuf *rx[E2E_BURST];
	uint16_t k = rte_eth_rx_burst(vport, q, rx, E2E_BURST);

	rte_pktmbuf_free_bulk(rx, k);
	return k;
}

static void
e2e_intr_bring_up(void)
{
	CU_ASSERT_FATAL(e2e_bring_up() == 0);
	CU_ASSERT_FATAL(e2e_links_up(e2e_deadline(E2E_LINK_TIMEOUT_S)));
	ports_up = true;
}

/* Enable, poll once more as applications do; then the queue's fd must stay quiet. */
static void
e2e_intr_arm(uint16_t q)
{
	CU_ASSERT_EQUAL(rte_eth_dev_rx_intr_enable(vport, q), 0);
	CU_ASSERT_EQUAL(e2e_intr_poll(q), 0);
	e2e_intr_wait(q, 0);	/* what the ring's start left: the enable drained it */
}

static void
test_intr_epoll_wakes_when_virtio_user_sends_and_not_when_disabled(void)
{
	uint16_t q;

	e2e_intr_bring_up();
	for (q = 0; q < E2E_INTR_QUEUES; q++) {
		intr_epfd[q] = epoll_create1(EPOLL_CLOEXEC);
		CU_ASSERT_FATAL(intr_epfd[q] >= 0);
		CU_ASSERT_FATAL(rte_eth_dev_rx_intr_ctl_q(vport, q, intr_epfd[q],
			RTE_INTR_EVENT_ADD, NULL) == 0);
	}
	for (q = 0; q < E2E_INTR_QUEUES; q++) {
		e2e_intr_arm(q);
		CU_ASSERT_EQUAL(e2e_intr_wait(q, E2E_INTR_QUIET_MS), 0);
		CU_ASSERT_FATAL(e2e_intr_peer_send(q, 1));
		CU_ASSERT_EQUAL(e2e_intr_wait(q, E2E_INTR_WAKE_MS), 1);
		CU_ASSERT_EQUAL(e2e_intr_wait(q, 0), 0);	/* one kick, one wake */
		CU_ASSERT_EQUAL(rte_eth_dev_rx_intr_disable(vport, q), 0);
		CU_ASSERT_EQUAL(e2e_intr_take(q, 1), 1);
		/* Disabled: the burst tells the guest not to kick. */
		CU_ASSERT_FATAL(e2e_intr_peer_send(q, 2));
		CU_ASSERT_EQUAL(e2e_intr_wait(q, E2E_INTR_QUIET_MS), 0);
		CU_ASSERT_EQUAL(e2e_intr_take(q, 1), 1);
	}
}

static void
test_intr_frame_posted_before_enable_wakes_at_once(void)
{
	uint16_t q;

	CU_ASSERT_FATAL(ports_up);
	for (q = 0; q < E2E_INTR_QUEUES; q++) {
		/* Polling: virtio-user sees NO_NOTIFY and does not kick. */
		CU_ASSERT_EQUAL(e2e_intr_poll(q), 0);
		CU_ASSERT_FATAL(e2e_intr_peer_send(q, 3));
		CU_ASSERT_EQUAL(rte_eth_dev_rx_intr_enable(vport, q), 0);
		CU_ASSERT_EQUAL(e2e_intr_wait(q, E2E_INTR_WAKE_MS), 1);
		CU_ASSERT_EQUAL(rte_eth_dev_rx_intr_disable(vport, q), 0);
		CU_ASSERT_EQUAL(e2e_intr_take(q, 1), 1);
	}
}

static void
test_intr_registration_survives_a_reconnect(void)
{
	uint16_t q;

	CU_ASSERT_FATAL(ports_up);
	CU_ASSERT(rte_eth_dev_stop(pport) == 0);
	CU_ASSERT(rte_vdev_uninit(E2E_PEER_NAME) == 0);
	peer_made = false;
	CU_ASSERT_FATAL(e2e_peer_create() == 0);
	CU_ASSERT_FATAL(e2e_port_setup(pport, cur->queues, peer_mp) == 0);
	CU_ASSERT_FATAL(e2e_links_up(e2e_deadline(E2E_LINK_TIMEOUT_S)));
	for (q = 0; q < E2E_INTR_QUEUES; q++) {
		e2e_intr_arm(q);
		CU_ASSERT_EQUAL(e2e_intr_wait(q, E2E_INTR_QUIET_MS), 0);
		CU_ASSERT_FATAL(e2e_intr_peer_send(q, 4));
		CU_ASSERT_EQUAL(e2e_intr_wait(q, E2E_INTR_WAKE_MS), 1);
		CU_ASSERT_EQUAL(rte_eth_dev_rx_intr_disable(vport, q), 0);
		CU_ASSERT_EQUAL(e2e_intr_take(q, 1), 1);
	}
}

static void
test_intr_teardown_releases_every_fd(void)
{
	e2e_intr_clean();
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(vhostu_mp), 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(peer_mp), 0);
	CU_ASSERT_EQUAL(count_fds(), fds_before);
}

CU_TestInfo intr_tests[] = {
	{ "rte_epoll_wait on a queue's fd wakes when virtio-user sends, not when disabled",
		test_intr_epoll_wakes_when_virtio_user_sends_and_not_when_disabled },
	{ "a frame posted before rx_queue_intr_enable wakes at once (no lost kick)",
		test_intr_frame_posted_before_enable_wakes_at_once },
	{ "the registration stays valid when the frontend reconnects",
		test_intr_registration_survives_a_reconnect },
	{ "teardown releases every fd and mbuf", test_intr_teardown_releases_every_fd },
	CU_TEST_INFO_NULL,
};
