/* SPDX-License-Identifier: BSD-3-Clause */
/* The interface table and argument parsing: names, indexes, reuse, MACs, numbers. */
#include <errno.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "cli_internal.h"
#include "test_common.h"

static struct cli_iftable t;

static struct cli_if *
add(int64_t instance, uint16_t port)
{
	struct cli_if *ifp = NULL;

	CU_ASSERT_EQUAL(cli_iftable_add_vhost(&t, port, instance, "v", &ifp), 0);
	return ifp;
}

static void
test_first_interface_is_index_1_instance_0(void)
{
	struct cli_if *a;

	cli_iftable_init(&t);
	a = add(-1, 0);
	CU_ASSERT_EQUAL(a->sw_if_index, 1);
	CU_ASSERT_STRING_EQUAL(a->name, "VirtualEthernet0/0/0");
	CU_ASSERT_PTR_EQUAL(cli_iftable_by_name(&t, "VirtualEthernet0/0/0"), a);
	CU_ASSERT_PTR_EQUAL(cli_iftable_by_sw_if_index(&t, 1), a);
	CU_ASSERT_PTR_EQUAL(cli_iftable_by_port(&t, 0), a);
	CU_ASSERT_PTR_NULL(cli_iftable_by_sw_if_index(&t, 0));
	CU_ASSERT_PTR_NULL(cli_iftable_by_sw_if_index(&t, 2));
}

static void
test_next_free_instance_fills_holes(void)
{
	struct cli_if *b;

	cli_iftable_init(&t);
	add(-1, 0);
	b = add(-1, 1);
	add(-1, 2);
	cli_iftable_del(&t, b);
	CU_ASSERT_EQUAL(cli_iftable_next_instance(&t), 1);
	b = add(-1, 3);
	CU_ASSERT_STRING_EQUAL(b->name, "VirtualEthernet0/0/1");
	CU_ASSERT_EQUAL(b->sw_if_index, 2);	/* deleted index reused */
	CU_ASSERT_STRING_EQUAL(add(-1, 4)->name, "VirtualEthernet0/0/3");
}

static void
test_renumber_allows_duplicates(void)
{
	struct cli_if *a, *b;

	cli_iftable_init(&t);
	a = add(-1, 0);
	add(5, 1);
	CU_ASSERT_TRUE(cli_iftable_instance_used(&t, 5));
	b = add(0, 2);
	CU_ASSERT_STRING_EQUAL(b->name, "VirtualEthernet0/0/0");
	CU_ASSERT_PTR_EQUAL(cli_iftable_by_name(&t, "VirtualEthernet0/0/0"), a);
	CU_ASSERT_STRING_EQUAL(add(-1, 3)->name, "VirtualEthernet0/0/1");
}

static void
test_other_ports_do_not_take_instances(void)
{
	cli_iftable_init(&t);
	CU_ASSERT_EQUAL(cli_iftable_add_other(&t, 0, "net_null0", NULL), 0);
	CU_ASSERT_STRING_EQUAL(add(-1, 1)->name, "VirtualEthernet0/0/0");
	CU_ASSERT_EQUAL(cli_iftable_by_name(&t, "net_null0")->is_vhost, false);
}

static void
test_table_full_is_enospc(void)
{
	int i;

	cli_iftable_init(&t);
	for (i = 0; i < CLI_MAX_IF; i++)
		CU_ASSERT_EQUAL(cli_iftable_add_vhost(&t, 0, -1, "v", NULL), 0);
	CU_ASSERT_EQUAL(cli_iftable_add_vhost(&t, 0, -1, "v", NULL), -ENOSPC);
}

/* The iterator visits used slots only, in order, and survives deleting the one it is on. */
static void
test_foreach_skips_free_slots_and_survives_delete(void)
{
	const struct cli_iftable *ct = &t;
	const struct cli_if *cifp;
	struct cli_if *ifp, *b;
	uint32_t seen[4];
	int n = 0;

	cli_iftable_init(&t);
	CLI_IFTABLE_FOREACH(ct, cifp)
		n++;
	CU_ASSERT_EQUAL(n, 0);
	add(-1, 0);
	b = add(-1, 1);
	add(-1, 2);
	add(-1, 3);
	cli_iftable_del(&t, b);
	CLI_IFTABLE_FOREACH(ct, cifp)
		if (n < 4)
			seen[n++] = cifp->sw_if_index;
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_EQUAL(seen[0], 1);
	CU_ASSERT_EQUAL(seen[1], 3);
	CU_ASSERT_EQUAL(seen[2], 4);
	n = 0;
	CLI_IFTABLE_FOREACH(&t, ifp) {
		n++;
		cli_iftable_del(&t, ifp);
	}
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_EQUAL(cli_iftable_next(&t, 0), CLI_MAX_IF);
	add(-1, 0);
	CU_ASSERT_EQUAL(cli_iftable_next(&t, 1), CLI_MAX_IF);
}

static void
test_mac_forms(void)
{
	struct rte_ether_addr m;

	CU_ASSERT_EQUAL(cli_parse_mac("02:fe:0a:0b:0c:0d", &m), 0);
	CU_ASSERT_EQUAL(m.addr_bytes[1], 0xfe);
	CU_ASSERT_EQUAL(cli_parse_mac("2:fe:a:b:c:d", &m), 0);
	CU_ASSERT_EQUAL(m.addr_bytes[5], 0x0d);
	CU_ASSERT_EQUAL(cli_parse_mac("02fe.0a0b.0c0d", &m), 0);
	CU_ASSERT_EQUAL(m.addr_bytes[0], 0x02);
	CU_ASSERT_EQUAL(m.addr_bytes[3], 0x0b);
	CU_ASSERT_EQUAL(cli_parse_mac("1:2", &m), -EINVAL);
	CU_ASSERT_EQUAL(cli_parse_mac("1:2:3:4:5:6:7", &m), -EINVAL);
	CU_ASSERT_EQUAL(cli_parse_mac("1:2:3:4:5:", &m), -EINVAL);
	CU_ASSERT_EQUAL(cli_parse_mac("g:2:3:4:5:6", &m), -EINVAL);
	CU_ASSERT_EQUAL(cli_parse_mac("02fe.0a0b", &m), -EINVAL);
	CU_ASSERT_EQUAL(cli_parse_mac("02fe0.0a0b.0c0d", &m), -EINVAL);
}

static void
test_numbers_reject_junk(void)
{
	uint64_t v;

	CU_ASSERT_EQUAL(cli_parse_u64("0x40400000", 16, UINT64_MAX, &v), 0);
	CU_ASSERT_EQUAL(v, 0x40400000);
	CU_ASSERT_EQUAL(cli_parse_u64("ffffffffffffffff", 16, UINT64_MAX, &v), 0);
	CU_ASSERT_EQUAL(cli_parse_u64("1ffffffffffffffff", 16, UINT64_MAX, &v), -EINVAL);
	CU_ASSERT_EQUAL(cli_parse_u64("12x", 10, 100, &v), -EINVAL);
	CU_ASSERT_EQUAL(cli_parse_u64("-1", 10, 100, &v), -EINVAL);
	CU_ASSERT_EQUAL(cli_parse_u64("101", 10, 100, &v), -EINVAL);
	CU_ASSERT_EQUAL(cli_parse_u64("", 10, 100, &v), -EINVAL);
}

static void
test_create_args_and_devargs(void)
{
	struct cli_create_args a;
	char err[256], buf[512];

	CU_ASSERT_EQUAL(cli_parse_create("renumber 3 feature-mask ff socket /s server", &a, err,
		sizeof(err)), 0);
	CU_ASSERT_EQUAL(a.renumber, 3);
	CU_ASSERT_EQUAL(a.feature_mask, 0xff);
	CU_ASSERT_EQUAL(cli_create_devargs(&a, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "iface=/s,server=1,queues=8,feature-mask=0xff");
	CU_ASSERT_EQUAL(cli_parse_create("server", &a, err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "missing argument: socket <socket-filename>");
	CU_ASSERT_EQUAL(cli_parse_create("socket /s=x", &a, err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "socket path `/s=x' must not contain ',' or '='");
}

static CU_TestInfo tests[] = {
	{ "first interface: sw_if_index 1, instance 0",
		test_first_interface_is_index_1_instance_0 },
	{ "next free instance fills holes, index reused", test_next_free_instance_fills_holes },
	{ "renumber allows duplicate names", test_renumber_allows_duplicates },
	{ "other ports take no instance", test_other_ports_do_not_take_instances },
	{ "full table: -ENOSPC", test_table_full_is_enospc },
	{ "foreach: used slots in order, delete inside",
		test_foreach_skips_free_slots_and_survives_delete },
	{ "MAC in unix and Cisco forms", test_mac_forms },
	{ "numbers reject junk", test_numbers_reject_junk },
	{ "create args and devargs", test_create_args_and_devargs },
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	return run_suite("cli_iftable", NULL, NULL, tests) ? 1 : 0;
}
