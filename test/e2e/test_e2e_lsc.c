/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where link-state callbacks run: with no driver lock held, so a callback may
 * take a snapshot (rte_pmd_vhostu_get_info) and wait for another thread that
 * closes a port, on connect and on disconnect of virtio-user.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "e2e_harness.h"
#include "rte_pmd_vhostu.h"
#include "test_common.h"

#define E2E_LSC_WAIT_S		3	/* how long a callback waits for its helper */
#define E2E_NSPARES		2	/* ports the callbacks' helpers close, one per event */

/* What the LSC callbacks of our port saw; written by the callback, then calls. */
static struct {
	unsigned int calls;
	unsigned int on_ctl;		/* ran on the driver's control thread */
	unsigned int snap_ok;		/* rte_pmd_vhostu_get_info worked */
	bool last_up;			/* link_up in the last snapshot */
	unsigned int helper_late;	/* the helper did not finish within E2E_LSC_WAIT_S */
} lsc;
static uint16_t spare_port[E2E_NSPARES];
static bool spare_made[E2E_NSPARES];
static int spare_closed[E2E_NSPARES];	/* set by the helper once the close returned */
static const struct e2e_combo lsc_combo = { true, 1, true, false, false };

static void *
e2e_lsc_helper(void *arg)
{
	uintptr_t i = (uintptr_t)arg;

	/* Closing a net_vhostu port takes the driver's control lock. */
	rte_eth_dev_close(spare_port[i]);
	__atomic_store_n(&spare_closed[i], 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * What an application may do in a callback: hand work that uses the driver
 * to another thread and wait for it. If the callback ran with the control
 * lock held, the helper could not finish until the callback returned.
 */
static void
e2e_lsc_close_spare(unsigned int i)
{
	uint64_t deadline = e2e_deadline(E2E_LSC_WAIT_S);
	pthread_t t;

	if (pthread_create(&t, NULL, e2e_lsc_helper, (void *)(uintptr_t)i) != 0) {
		lsc.helper_late++;
		return;
	}
	while (!__atomic_load_n(&spare_closed[i], __ATOMIC_ACQUIRE) && !e2e_expired(deadline))
		rte_delay_us_sleep(1000);
	if (!__atomic_load_n(&spare_closed[i], __ATOMIC_ACQUIRE)) {
		fprintf(stderr, "\n  LSC callback %u: closing a port in another thread did not "
			"finish within %d s\n", i, E2E_LSC_WAIT_S);
		lsc.helper_late++;
		pthread_detach(t);	/* it finishes once the callback returns */
		return;
	}
	pthread_join(t, NULL);
}

static int
e2e_lsc_cb(uint16_t port, enum rte_eth_event_type ev, void *arg, void *ret_param)
{
	static struct rte_pmd_vhostu_info info;
	unsigned int n = lsc.calls;
	char name[16];

	RTE_SET_USED(ev);
	RTE_SET_USED(arg);
	RTE_SET_USED(ret_param);
	if (pthread_getname_np(pthread_self(), name, sizeof(name)) == 0 &&
			strcmp(name, "vhostu-ctl") == 0)
		lsc.on_ctl++;
	if (rte_pmd_vhostu_get_info(port, &info) == 0) {
		lsc.snap_ok++;
		lsc.last_up = info.link_up;
	}
	if (n < E2E_NSPARES)
		e2e_lsc_close_spare(n);
	__atomic_store_n(&lsc.calls, n + 1, __ATOMIC_RELEASE);
	return 0;
}

/* Wait (bounded) until the callback has run n times. */
static bool
e2e_lsc_wait(unsigned int n)
{
	uint64_t deadline = e2e_deadline(E2E_LINK_TIMEOUT_S + E2E_LSC_WAIT_S);

	while (__atomic_load_n(&lsc.calls, __ATOMIC_ACQUIRE) < n && !e2e_expired(deadline))
		rte_delay_us_sleep(1000);
	return __atomic_load_n(&lsc.calls, __ATOMIC_ACQUIRE) >= n;
}

int
e2e_lsc_init(void)
{
	char name[32], args[256];
	unsigned int i;

	cur = &lsc_combo;
	memset(&lsc, 0, sizeof(lsc));
	memset(spare_closed, 0, sizeof(spare_closed));
	fds_before = count_fds();
	for (i = 0; i < E2E_NSPARES; i++) {
		/* Client ports that never reach anyone: something to close. */
		snprintf(name, sizeof(name), "net_vhostu_spare%u", i);
		snprintf(args, sizeof(args), "iface=%s/nobody%u.sock,server=0", sock_dir, i);
		if (e2e_vdev_create(name, args, &spare_port[i]) != 0)
			return -1;
		spare_made[i] = true;
	}
	return 0;
}

int
e2e_lsc_clean(void)
{
	char name[32];
	unsigned int i;

	e2e_tear_down();
	for (i = 0; i < E2E_NSPARES; i++) {
		snprintf(name, sizeof(name), "net_vhostu_spare%u", i);
		if (spare_made[i])
			rte_vdev_uninit(name);	/* the vdev; the port may be closed already */
		spare_made[i] = false;
	}
	return 0;
}

static void
test_lsc_callback_on_connect_may_snapshot_and_wait_for_a_port_close(void)
{
	CU_ASSERT_FATAL(e2e_vhostu_create() == 0);
	CU_ASSERT_FATAL(rte_eth_dev_callback_register(vport, RTE_ETH_EVENT_INTR_LSC,
		e2e_lsc_cb, NULL) == 0);
	/* Started first, so that the link comes up when the frontend is ready. */
	CU_ASSERT_FATAL(e2e_port_setup(vport, E2E_VHOSTU_QUEUES, vhostu_mp) == 0);
	CU_ASSERT_FATAL(e2e_peer_create() == 0);
	CU_ASSERT_FATAL(e2e_port_setup(pport, cur->queues, peer_mp) == 0);
	CU_ASSERT_FATAL(e2e_links_up(e2e_deadline(E2E_LINK_TIMEOUT_S)));
	ports_up = true;
	CU_ASSERT_FATAL(e2e_lsc_wait(1));
	CU_ASSERT(lsc.on_ctl >= 1);	/* the frontend's DRIVER_OK: the control thread */
	CU_ASSERT_EQUAL(lsc.snap_ok, lsc.calls);
	CU_ASSERT_TRUE(lsc.last_up);
	CU_ASSERT_EQUAL(lsc.helper_late, 0);
	CU_ASSERT_FALSE(rte_eth_dev_is_valid_port(spare_port[0]));
}

static void
test_lsc_callback_on_disconnect_may_snapshot_and_wait_for_a_port_close(void)
{
	unsigned int before = __atomic_load_n(&lsc.calls, __ATOMIC_ACQUIRE);

	CU_ASSERT_FATAL(ports_up);
	CU_ASSERT_FATAL(before == 1);
	CU_ASSERT(rte_eth_dev_stop(pport) == 0);
	CU_ASSERT(rte_vdev_uninit(E2E_PEER_NAME) == 0);
	peer_made = false;
	CU_ASSERT_FATAL(e2e_lsc_wait(before + 1));
	CU_ASSERT(lsc.on_ctl >= 2);
	CU_ASSERT_EQUAL(lsc.snap_ok, lsc.calls);
	CU_ASSERT_FALSE(lsc.last_up);
	CU_ASSERT_EQUAL(lsc.helper_late, 0);
	CU_ASSERT_FALSE(rte_eth_dev_is_valid_port(spare_port[1]));
}

static void
test_lsc_teardown_releases_every_fd(void)
{
	CU_ASSERT(rte_eth_dev_callback_unregister(vport, RTE_ETH_EVENT_INTR_LSC,
		e2e_lsc_cb, NULL) == 0);
	e2e_lsc_clean();
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(vhostu_mp), 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(peer_mp), 0);
	CU_ASSERT_EQUAL(count_fds(), fds_before);
}

CU_TestInfo lsc_tests[] = {
	{ "on connect, an LSC callback runs unlocked: snapshot, wait for a port close",
		test_lsc_callback_on_connect_may_snapshot_and_wait_for_a_port_close },
	{ "on disconnect, an LSC callback runs unlocked: snapshot, wait for a port close",
		test_lsc_callback_on_disconnect_may_snapshot_and_wait_for_a_port_close },
	{ "teardown releases every fd and mbuf", test_lsc_teardown_releases_every_fd },
	CU_TEST_INFO_NULL,
};
