/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit suites of the net_vhostu datapath (vhostu_rxtx.c, vhostu_stats.c).
 *
 * The test plays the guest driver in-process (rxtx_guest.c): it lays out split
 * rings in a memfd region, posts buffers, calls the bursts and reads the used
 * ring. No socket, no control thread: the port is built by hand as the message
 * handlers would leave it.
 *
 * This file: EAL and mempool, per-test set-up and tear-down, the suite table
 * and main. The suites: test_rxtx_rx.c, test_rxtx_tx.c, test_rxtx_notify.c,
 * test_rxtx_hostile.c, test_rxtx_stats.c, test_rxtx_offload.c, test_rxtx_guard.c; what they
 * share: rxtx_harness.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include <rte_eal.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "rxtx_harness.h"
#include "test_common.h"

/* ------------------------------------------------------------------ set-up */

static void
test_setup(void)
{
	port = NULL;
}

static void
test_teardown(void)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		fg_ring_fini(&grx[i]);
		fg_ring_fini(&gtx[i]);
	}
	if (port != NULL) {
		free(port->log_addr);
		for (i = 0; i < 4; i++)
			if (port->vrings[i].callfd >= 0)
				close(port->vrings[i].callfd);
	}
	rte_free(port);
	port = NULL;
	vhostu_coalesce_frames = 32;
	vhostu_coalesce_time = 1e-3;
	vhostu_coalesce_tsc = 0;
	vhostu_packed_batch = true;
	rte_log_set_level(vhostu_logtype, RTE_LOG_ERR);
}

/* ------------------------------------------------------------------ main */

#define S(name, tests) \
	{ name, NULL, NULL, test_setup, test_teardown, tests }

static CU_SuiteInfo suites[] = {
	S("rx: guest TX ring to mbufs", rx_tests),
	S("tx: mbufs to guest RX ring", tx_tests),
	S("notification and dirty log", notify_tests),
	S("hostile guest", hostile_tests),
	S("stats and xstats", stats_tests),
	S("offloads", offload_tests),
	S("packed rings", packed_tests),
	S("packed rings, hostile guest", packed_hostile_tests),
	S("packed rings, batches of four", packed_batch_tests),
	S("event index and in-order", evidx_tests),
	S("guard: pauses and bursts", guard_tests),
	CU_SUITE_INFO_NULL,
};

static int
eal_init(void)
{
	char prefix[64];
	char *argv[] = { "test_rxtx", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
		"-l", "0", "--log-level=*:error", prefix, NULL };

	snprintf(prefix, sizeof(prefix), "--file-prefix=rxtx-%d", (int)getpid());
	return rte_eal_init(RTE_DIM(argv) - 1, argv);
}

int
main(void)
{
	unsigned int failed;

	if (eal_init() < 0) {
		fprintf(stderr, "test_rxtx: EAL init failed\n");
		return 1;
	}
	mp = rte_pktmbuf_pool_create("rxtx", NB_MBUFS, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
			SOCKET_ID_ANY);
	if (mp == NULL || fg_mem_init() != 0) {
		fprintf(stderr, "test_rxtx: set-up failed\n");
		return 1;
	}
	failed = run_suites(suites);
	fg_mem_fini();
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return failed != 0;
}
