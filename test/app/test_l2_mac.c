/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bridge domain's MAC table alone (no EAL): lookup, learning, a MAC
 * moving to another port, the victim in a full bucket, aging, the sweep when
 * a member leaves, the l2fib dump; and the list of domains.
 */
#include <errno.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "l2_bd.h"
#include "l2_mac.h"
#include "test_common.h"

static struct app_mac_table *t;

static uint64_t
key_of(uint32_t i)
{
	const uint8_t mac[6] = { 0x02, 0, (uint8_t)(i >> 24), (uint8_t)(i >> 16),
		(uint8_t)(i >> 8), (uint8_t)i };

	return app_mac_key(mac);
}

/* n different keys that share one bucket. */
static void
same_bucket(uint64_t *keys, int n)
{
	uint32_t b = app_mac_bucket(key_of(1)), i;
	int k = 0;

	for (i = 1; k < n; i++)
		if (app_mac_bucket(key_of(i)) == b)
			keys[k++] = key_of(i);
}

static int
n_entries(void)
{
	int i, n = 0;

	for (i = 0; i < APP_MAC_SLOTS; i++)
		n += t->e[i] != 0;
	return n;
}

/* Each test starts from an empty table. */
static void
setup(void)
{
	t = app_mac_table_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
}

static void
teardown(void)
{
	app_mac_table_free(t);
	t = NULL;
}

static void
test_key_is_the_mac_in_network_order(void)
{
	const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

	CU_ASSERT_EQUAL(app_mac_key(mac), UINT64_C(0x021122334455));
}

static void
test_lookup_finds_only_what_was_learned(void)
{
	CU_ASSERT_EQUAL(app_mac_lookup(t, key_of(1)), -1);
	app_mac_learn(t, key_of(1), 3, 100);
	app_mac_learn(t, key_of(2), 0, 100);
	CU_ASSERT_EQUAL(app_mac_lookup(t, key_of(1)), 3);
	CU_ASSERT_EQUAL(app_mac_lookup(t, key_of(2)), 0);
	CU_ASSERT_EQUAL(app_mac_lookup(t, key_of(3)), -1);
	CU_ASSERT_EQUAL(n_entries(), 2);
}

static void
test_relearning_refreshes_one_entry(void)
{
	uint32_t i, slot = APP_MAC_SLOTS;

	app_mac_learn(t, key_of(7), 1, 100);
	app_mac_learn(t, key_of(7), 1, 130);
	CU_ASSERT_EQUAL(n_entries(), 1);
	for (i = 0; i < APP_MAC_SLOTS; i++)
		if (t->e[i] != 0)
			slot = i;
	CU_ASSERT_FATAL(slot < APP_MAC_SLOTS);
	CU_ASSERT_EQUAL(t->ts[slot], 130);
}

static void
test_mac_moves_to_another_port(void)
{
	app_mac_learn(t, key_of(9), 1, 100);
	app_mac_learn(t, key_of(9), 4, 101);
	CU_ASSERT_EQUAL(app_mac_lookup(t, key_of(9)), 4);
	CU_ASSERT_EQUAL(n_entries(), 1);
}

static void
test_full_bucket_replaces_the_oldest(void)
{
	uint64_t k[APP_MAC_WAYS + 1];
	int i;

	same_bucket(k, APP_MAC_WAYS + 1);
	/* way 2 is seen longest ago */
	for (i = 0; i < APP_MAC_WAYS; i++)
		app_mac_learn(t, k[i], (uint16_t)i, i == 2 ? 50 : 100 + i);
	for (i = 0; i < APP_MAC_WAYS; i++)
		CU_ASSERT_EQUAL(app_mac_lookup(t, k[i]), i);
	app_mac_learn(t, k[APP_MAC_WAYS], 9, 200);
	CU_ASSERT_EQUAL(app_mac_lookup(t, k[APP_MAC_WAYS]), 9);
	CU_ASSERT_EQUAL(app_mac_lookup(t, k[2]), -1);
	for (i = 0; i < APP_MAC_WAYS; i++)
		if (i != 2)
			CU_ASSERT_EQUAL(app_mac_lookup(t, k[i]), i);
	CU_ASSERT_EQUAL(n_entries(), APP_MAC_WAYS);
}

static void
test_aging_clears_what_was_not_seen(void)
{
	app_mac_learn(t, key_of(1), 1, 100);
	app_mac_learn(t, key_of(2), 2, 150);
	app_mac_age(t, 400, 300);	/* 300 s: key 1 is exactly at its age, stays */
	CU_ASSERT_EQUAL(app_mac_lookup(t, key_of(1)), 1);
	app_mac_age(t, 401, 300);
	CU_ASSERT_EQUAL(app_mac_lookup(t, key_of(1)), -1);
	CU_ASSERT_EQUAL(app_mac_lookup(t, key_of(2)), 2);
	app_mac_age(t, 451, 300);
	CU_ASSERT_EQUAL(n_entries(), 0);
}

static void
test_sweep_forgets_a_port_that_left(void)
{
	uint32_t i;

	for (i = 1; i <= 100; i++)
		app_mac_learn(t, key_of(i), (uint16_t)(i % 3), 10);
	app_mac_forget_port(t, 1);
	for (i = 1; i <= 100; i++)
		CU_ASSERT_EQUAL(app_mac_lookup(t, key_of(i)), i % 3 == 1 ? -1 : (int)(i % 3));
	CU_ASSERT_EQUAL(n_entries(), 100 - 34);
}

static void
test_dump_gives_mac_port_and_age(void)
{
	const uint8_t mac[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
	struct app_mac_entry e[4];

	CU_ASSERT_EQUAL(app_mac_dump(t, 0, e, 4), 0);
	app_mac_learn(t, app_mac_key(mac), 5, 1000);
	app_mac_learn(t, key_of(1), 6, 1000);
	app_mac_learn(t, key_of(2), 7, 1000);
	CU_ASSERT_EQUAL(app_mac_dump(t, 1012, e, 2), 2);
	CU_ASSERT_EQUAL(app_mac_dump(t, 1012, e, 4), 3);
	CU_ASSERT(memcmp(e[0].mac, mac, 6) == 0 || memcmp(e[1].mac, mac, 6) == 0 ||
		memcmp(e[2].mac, mac, 6) == 0);
	CU_ASSERT_EQUAL(e[0].age_s, 12);
}

/* --- the MAC tables of the domains, by id --- */

static void
test_tables_prepared_once_per_domain(void)
{
	static struct app_bd_tables r;
	struct app_mac_table *m;

	CU_ASSERT_PTR_NULL(app_bd_table(&r, 7));
	CU_ASSERT_EQUAL(app_bd_prepare(&r, 7), 0);
	m = app_bd_table(&r, 7);
	CU_ASSERT_PTR_NOT_NULL(m);
	CU_ASSERT_EQUAL(app_bd_prepare(&r, 7), 0);
	CU_ASSERT_PTR_EQUAL(app_bd_table(&r, 7), m);
	CU_ASSERT_EQUAL(r.n, 1);
	app_bd_tables_free(&r);
	CU_ASSERT_EQUAL(r.n, 0);
}

/* Domains come and go for the process's whole life: their tables are freed. */
static void
test_tables_of_gone_domains_are_freed(void)
{
	static struct app_bd_tables r;
	struct app_bd keep[2] = { { .bd_id = 1 } };
	uint32_t id;

	CU_ASSERT_EQUAL(app_bd_prepare(&r, 1), 0);
	for (id = 2; id < 3 * APP_BD_TABLES_MAX; id++) {
		CU_ASSERT_EQUAL_FATAL(app_bd_prepare(&r, id), 0);
		keep[1].bd_id = id;
		app_bd_release(&r, keep, 2);
		CU_ASSERT_EQUAL(r.n, 2);
	}
	app_bd_release(&r, keep, 1);
	CU_ASSERT_EQUAL(r.n, 1);
	CU_ASSERT_PTR_NOT_NULL(app_bd_table(&r, 1));
	CU_ASSERT_PTR_NULL(app_bd_table(&r, id - 1));
	app_bd_tables_free(&r);
}

static void
test_tables_bounded(void)
{
	static struct app_bd_tables r;
	uint32_t id;

	for (id = 1; id <= APP_BD_TABLES_MAX; id++)
		CU_ASSERT_EQUAL(app_bd_prepare(&r, id), 0);
	CU_ASSERT_EQUAL(app_bd_prepare(&r, id), -ENOSPC);
	CU_ASSERT_EQUAL(app_bd_prepare(&r, 1), 0);
	app_bd_tables_free(&r);
}

static CU_TestInfo bd_tests[] = {
	{ "a domain's table is made once", test_tables_prepared_once_per_domain },
	{ "tables of domains that are gone are freed", test_tables_of_gone_domains_are_freed },
	{ "at most one table more than interfaces", test_tables_bounded },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo mac_tests[] = {
	{ "key is the MAC in network order", test_key_is_the_mac_in_network_order },
	{ "lookup finds only what was learned", test_lookup_finds_only_what_was_learned },
	{ "relearning refreshes, no second entry",
		test_relearning_refreshes_one_entry },
	{ "a MAC moves to another port", test_mac_moves_to_another_port },
	{ "a full bucket replaces its oldest entry", test_full_bucket_replaces_the_oldest },
	{ "aging clears what was not seen", test_aging_clears_what_was_not_seen },
	{ "sweep forgets a port that left", test_sweep_forgets_a_port_that_left },
	{ "dump gives MAC, port and age", test_dump_gives_mac_port_and_age },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "l2_mac", NULL, NULL, setup, teardown, mac_tests },
	{ "l2_bd_tables", NULL, NULL, NULL, NULL, bd_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return run_suites(suites) ? 1 : 0;
}
