/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flood fan-out on real mbufs (EAL without hugepages): every segment of
 * a frame sent to k members must hold k references, so that each member's
 * free returns the segments to the pool only after the last one sent it.
 */
#include <stdio.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "l2_bd.h"
#include "test_common.h"

#define POOL_SIZE	255
#define SEG_DATA	2048

static struct rte_mempool *mp;

/* A frame of n_segs segments, each with some data in it. */
static struct rte_mbuf *
chain(uint16_t n_segs)
{
	struct rte_mbuf *head = NULL, *m;
	uint16_t i;

	for (i = 0; i < n_segs; i++) {
		m = rte_pktmbuf_alloc(mp);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		CU_ASSERT_PTR_NOT_NULL_FATAL(rte_pktmbuf_append(m, SEG_DATA));
		if (head == NULL)
			head = m;
		else
			CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_chain(head, m), 0);
	}
	return head;
}

static void
check_refcnt(struct rte_mbuf *m, uint16_t want)
{
	uint16_t seg = 0;

	for (; m != NULL; m = m->next, seg++) {
		if (rte_mbuf_refcnt_read(m) != want)
			printf("\n  segment %u: refcnt %u, want %u\n", seg,
				rte_mbuf_refcnt_read(m), want);
		CU_ASSERT_EQUAL(rte_mbuf_refcnt_read(m), want);
	}
}

/* Flood one frame in a domain of n_members, as received on member 0. */
static void
flood_and_free(uint16_t n_members, uint16_t n_segs)
{
	uint16_t members[8] = { 0, 1, 2, 3, 4, 5, 6, 7 }, out[8], n, i;
	unsigned int avail = rte_mempool_avail_count(mp);
	struct rte_mbuf *m = chain(n_segs);

	n = app_bd_flood(members, n_members, 0, m, out);
	CU_ASSERT_EQUAL(n, n_members - 1);
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL(out[i], i + 1);
	check_refcnt(m, n > 0 ? n : 1);
	/* each member's tx frees its copy; the last free returns every segment */
	for (i = 0; i < n; i++) {
		CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), avail - n_segs);
		rte_pktmbuf_free(m);
	}
	if (n == 0)
		rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), avail);
}

static void
test_flood_multi_segment_to_many(void)
{
	flood_and_free(3, 3);
	flood_and_free(8, 5);
}

static void
test_flood_multi_segment_to_one(void)
{
	flood_and_free(2, 3);
}

static void
test_flood_single_segment(void)
{
	flood_and_free(4, 1);
}

static void
test_flood_alone_sends_nothing(void)
{
	flood_and_free(1, 2);
}

static int
suite_init(void)
{
	mp = rte_pktmbuf_pool_create("flood", POOL_SIZE, 0, 0,
		RTE_PKTMBUF_HEADROOM + SEG_DATA, SOCKET_ID_ANY);
	return mp == NULL ? -1 : 0;
}

static int
suite_clean(void)
{
	rte_mempool_free(mp);
	return 0;
}

static CU_TestInfo tests[] = {
	{ "a multi-segment frame to 2 and 7 members: every segment",
		test_flood_multi_segment_to_many },
	{ "a multi-segment frame to 1 member", test_flood_multi_segment_to_one },
	{ "a one-segment frame to 3 members", test_flood_single_segment },
	{ "a lone member floods to nobody", test_flood_alone_sends_nothing },
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	char prefix[64];
	char *argv[] = { "test_l2_flood", "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
		prefix, "-l", "0", "--log-level=*:warning", NULL };
	unsigned int failed;

	snprintf(prefix, sizeof(prefix), "--file-prefix=l2flood-%d", (int)getpid());
	if (rte_eal_init(RTE_DIM(argv) - 1, argv) < 0) {
		fprintf(stderr, "EAL initialisation failed\n");
		return 1;
	}
	failed = run_suite("l2_flood", suite_init, suite_clean, tests);
	rte_eal_cleanup();
	return failed ? 1 : 0;
}
