/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * End to end with a real frontend: DPDK's virtio-user PMD (Debian's
 * librte_net_virtio plugin, loaded by EAL from its plugin directory) and
 * net_vhostu in one process, talking vhost-user over a unix socket. virtio-user
 * sends its messages synchronously from the calling thread; our control thread
 * answers them. --no-huge memory is memfd-backed, so virtio-user can share it.
 *
 * This file is the program and its list of suites: one frames suite per
 * combination (test_e2e_frames.c), one of rx interrupts (test_e2e_intr.c) and
 * one of link-state callbacks (test_e2e_lsc.c); e2e_harness.c is what they
 * share.
 */
#include <stdbool.h>
#include <stdio.h>

#include <CUnit/CUnit.h>

#include <rte_eal.h>

#include "e2e_harness.h"
#include "test_common.h"

/* ----------------------------------------------------------------- suites */

/*
 * n, vhostu is the server, queues, mrg_rxbuf, in_order, no INDIRECT_DESC,
 * packed rings (virtio-user packed_vq=1).
 * Without INDIRECT_DESC, virtio-user sends a multi-segment frame as a direct
 * chain (header descriptor, then one per segment) instead of an indirect table.
 */
#define E2E_COMBOS(X) \
	X(0, true, 1, 0, 0, 0, 0) X(1, true, 1, 0, 1, 0, 0) \
	X(2, true, 1, 1, 0, 0, 0) X(3, true, 1, 1, 1, 0, 0) \
	X(4, true, 2, 0, 0, 0, 0) X(5, true, 2, 0, 1, 0, 0) \
	X(6, true, 2, 1, 0, 0, 0) X(7, true, 2, 1, 1, 0, 0) \
	X(8, false, 1, 0, 0, 0, 0) X(9, false, 1, 0, 1, 0, 0) \
	X(10, false, 1, 1, 0, 0, 0) X(11, false, 1, 1, 1, 0, 0) \
	X(12, false, 2, 0, 0, 0, 0) X(13, false, 2, 0, 1, 0, 0) \
	X(14, false, 2, 1, 0, 0, 0) X(15, false, 2, 1, 1, 0, 0) \
	X(16, true, 2, 0, 0, 1, 0) X(17, true, 2, 1, 0, 1, 0) \
	X(18, true, 8, 1, 0, 0, 0) X(19, false, 8, 1, 0, 0, 0) \
	X(20, true, 8, 0, 1, 0, 0) \
	X(21, true, 1, 0, 0, 0, 1) X(22, true, 1, 1, 1, 0, 1) \
	X(23, true, 2, 1, 0, 0, 1) X(24, true, 2, 0, 1, 0, 1) \
	X(25, false, 1, 1, 0, 0, 1) X(26, false, 1, 0, 1, 0, 1) \
	X(27, false, 2, 0, 0, 0, 1) X(28, false, 2, 1, 1, 0, 1) \
	X(29, true, 2, 1, 0, 1, 1)

#define E2E_COMBO(n, srv, q, m, o, ni, pk) { srv, q, m, o, ni, pk },
static const struct e2e_combo e2e_combos[] = { E2E_COMBOS(E2E_COMBO) };

#define E2E_INIT(n, srv, q, m, o, ni, pk) \
static int \
e2e_init_##n(void) \
{ \
	cur = &e2e_combos[n]; \
	fds_before = count_fds(); \
	return 0; \
}
E2E_COMBOS(E2E_INIT)

/* A suite whose tests stopped half way still leaves nothing behind. */
static int
e2e_suite_clean(void)
{
	e2e_tear_down();
	return 0;
}

#define E2E_SERVER	"vhostu server, virtio-user client: "
#define E2E_CLIENT	"vhostu client, virtio-user server: "
#define E2E_ARGS(q, m, o, pk) "queues=" #q " mrg_rxbuf=" #m " in_order=" #o " packed_vq=" #pk
#define E2E_NO_IND	", feature-mask without INDIRECT_DESC"
#define E2E_SUITE_NAME(srv, q, m, o, ni, pk) \
	((srv) ? ((ni) ? E2E_SERVER E2E_ARGS(q, m, o, pk) E2E_NO_IND : \
			E2E_SERVER E2E_ARGS(q, m, o, pk)) : \
		((ni) ? E2E_CLIENT E2E_ARGS(q, m, o, pk) E2E_NO_IND : \
			E2E_CLIENT E2E_ARGS(q, m, o, pk)))
#define E2E_SUITE(n, srv, q, m, o, ni, pk) \
	{ E2E_SUITE_NAME(srv, q, m, o, ni, pk), e2e_init_##n, e2e_suite_clean, NULL, NULL, \
		e2e_tests },
static CU_SuiteInfo suites[] = {
	E2E_COMBOS(E2E_SUITE)
	{ "rx interrupts: vhostu server, virtio-user client, queues=2", e2e_intr_init,
		e2e_intr_clean, NULL, NULL, intr_tests },
	{ "link-state callbacks run with no driver lock held", e2e_lsc_init, e2e_lsc_clean,
		NULL, NULL, lsc_tests },
	{ "offloads with virtio-user: vhostu server, queues=1 mrg_rxbuf=1", e2e_offload_init,
		e2e_offload_clean, NULL, NULL, offload_tests },
	CU_SUITE_INFO_NULL,
};

/* ------------------------------------------------------------------- main */

int
main(void)
{
	unsigned int failed;

	if (e2e_eal_init() < 0) {
		fprintf(stderr, "test_e2e_virtio_user: EAL init failed\n");
		return 1;
	}
	if (e2e_env_init() != 0) {
		fprintf(stderr, "test_e2e_virtio_user: set-up failed\n");
		return 1;
	}
	failed = run_suites(suites);
	e2e_env_clean();
	rte_eal_cleanup();
	return failed != 0;
}
