/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Suite "stats and xstats": the per-queue counters the bursts keep, as
 * vhostu_stats_get and vhostu_xstats_get report them through a fake ethdev.
 */
#include <stdint.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include <ethdev_driver.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "rxtx_harness.h"

/* ----------------------------------------------------------- statistics */

static struct rte_eth_dev_data dev_data;
static struct rte_eth_dev dev;

static struct rte_eth_dev *
fake_dev(void)
{
	memset(&dev_data, 0, sizeof(dev_data));
	memset(&dev, 0, sizeof(dev));
	dev_data.dev_private = port;
	dev_data.nb_rx_queues = 2;
	dev_data.nb_tx_queues = 2;
	dev.data = &dev_data;
	return &dev;
}

/* Some good and some bad traffic on both queues of both directions. */
static void
stats_traffic(void)
{
	port_setup(F_DEFAULT, 256, 0);
	guest_send(0, 64, 1, NULL, 0, false);
	CU_ASSERT(rx_one_ok(0, 64));
	guest_send(1, 1000, 1, NULL, 0, false);
	CU_ASSERT(rx_one_ok(1, 1000));
	guest_send(1, 2000, 1, NULL, 0, false);
	CU_ASSERT(rx_one_ok(1, 2000));
	fg_tx_post(&gtx[1], zero_hdr, 12, zero_hdr, 0, NULL, 1, false);	/* header only */
	fg_kick(&gtx[1]);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(1), (struct rte_mbuf *[1]){ NULL }, 1), 0);
	guest_post_rx(0, 1, 2048);
	CU_ASSERT_EQUAL(tx_one(0, 100, 1, 4096), 1);
	CU_ASSERT_EQUAL(tx_one(0, 100, 1, 4096), 0);	/* ring full */
}

static void
test_stats_sum_queues_and_map_counters_to_ethdev_fields(void)
{
	struct rte_eth_stats st;

	stats_traffic();
	memset(&st, 0, sizeof(st));
	CU_ASSERT_EQUAL(vhostu_stats_get(fake_dev(), &st), 0);
	CU_ASSERT_EQUAL(st.ipackets, 3);
	CU_ASSERT_EQUAL(st.ibytes, 3064);
	CU_ASSERT_EQUAL(st.q_ipackets[0], 1);
	CU_ASSERT_EQUAL(st.q_ipackets[1], 2);
	CU_ASSERT_EQUAL(st.q_ibytes[1], 3000);
	CU_ASSERT_EQUAL(st.ierrors, 1);
	CU_ASSERT_EQUAL(st.q_errors[1], 1);
	CU_ASSERT_EQUAL(st.opackets, 1);
	CU_ASSERT_EQUAL(st.obytes, 100);
	CU_ASSERT_EQUAL(st.q_opackets[0], 1);
	CU_ASSERT_EQUAL(st.oerrors, 1);
	CU_ASSERT_EQUAL(vhostu_stats_reset(fake_dev()), 0);
	memset(&st, 0, sizeof(st));
	vhostu_stats_get(fake_dev(), &st);
	CU_ASSERT_EQUAL(st.ipackets + st.opackets + st.ierrors + st.oerrors, 0);
}

static int64_t
xstat(const char *name)
{
	struct rte_eth_xstat_name names[512];
	struct rte_eth_xstat vals[512];
	int n = vhostu_xstats_get_names(fake_dev(), names, 512), i;

	CU_ASSERT_FATAL(n > 0 && n <= 512);
	CU_ASSERT_FATAL(vhostu_xstats_get(fake_dev(), vals, 512) == n);
	for (i = 0; i < n; i++)
		if (strcmp(names[i].name, name) == 0)
			return vals[i].id == (uint64_t)i ? (int64_t)vals[i].value : -2;
	return -1;
}

static void
test_xstats_have_dpdk_style_names_and_values(void)
{
	stats_traffic();
	CU_ASSERT_EQUAL(xstat("rx_good_packets"), 3);
	CU_ASSERT_EQUAL(xstat("rx_good_bytes"), 3064);
	CU_ASSERT_EQUAL(xstat("rx_q0_packets"), 1);
	CU_ASSERT_EQUAL(xstat("rx_q1_packets"), 2);
	CU_ASSERT_EQUAL(xstat("rx_q1_bytes"), 3000);
	CU_ASSERT_EQUAL(xstat("rx_size_64_packets"), 1);
	CU_ASSERT_EQUAL(xstat("rx_size_512_to_1023_packets"), 1);
	CU_ASSERT_EQUAL(xstat("rx_size_1519_to_max_packets"), 1);
	CU_ASSERT_EQUAL(xstat("rx_q1_size_1519_to_max_packets"), 1);
	CU_ASSERT_EQUAL(xstat("rx_bad_chain_errors"), 1);
	CU_ASSERT_EQUAL(xstat("rx_q1_bad_chain_errors"), 1);
	CU_ASSERT_EQUAL(xstat("rx_oversize_errors"), 0);
	CU_ASSERT_EQUAL(xstat("rx_mbuf_alloc_failed"), 0);
	CU_ASSERT_EQUAL(xstat("rx_guest_notifications"), 0);	/* no call fd */
	CU_ASSERT_EQUAL(xstat("tx_good_packets"), 1);
	CU_ASSERT_EQUAL(xstat("tx_size_65_to_127_packets"), 1);
	CU_ASSERT_EQUAL(xstat("tx_no_desc_drops"), 1);
	CU_ASSERT_EQUAL(xstat("tx_q0_no_desc_drops"), 1);
	CU_ASSERT_EQUAL(xstat("tx_q1_no_desc_drops"), 0);
	CU_ASSERT_EQUAL(xstat("tx_ring_stopped"), 0);
	CU_ASSERT_EQUAL(xstat("rx_no_desc_drops"), -1);	/* tx only */
	CU_ASSERT_EQUAL(xstat("tx_mbuf_alloc_failed"), -1);	/* rx only */
	CU_ASSERT_EQUAL(xstat("rx_q2_packets"), -1);	/* two queues configured */
	CU_ASSERT_EQUAL(vhostu_xstats_reset(fake_dev()), 0);
	CU_ASSERT_EQUAL(xstat("rx_good_packets"), 0);
	CU_ASSERT_EQUAL(xstat("tx_q0_no_desc_drops"), 0);
}

static void
test_xstats_names_unique_and_short_count_asks_for_more(void)
{
	struct rte_eth_xstat_name names[512];
	struct rte_eth_xstat vals[4];
	int n, i, j;

	port_setup(F_DEFAULT, 256, 0);
	n = vhostu_xstats_get_names(fake_dev(), NULL, 0);
	CU_ASSERT(n > 0);
	CU_ASSERT_EQUAL(vhostu_xstats_get_names(fake_dev(), names, 512), n);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			CU_ASSERT(strcmp(names[i].name, names[j].name) != 0);
	CU_ASSERT_EQUAL(vhostu_xstats_get(fake_dev(), vals, 4), n);
	CU_ASSERT_EQUAL(vhostu_xstats_get_names(fake_dev(), names, 4), n);
}

/* ----------------------------------------------------------------- suite */

CU_TestInfo stats_tests[] = {
	T(test_stats_sum_queues_and_map_counters_to_ethdev_fields),
	T(test_xstats_have_dpdk_style_names_and_values),
	T(test_xstats_names_unique_and_short_count_asks_for_more),
	CU_TEST_INFO_NULL,
};
