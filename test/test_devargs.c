/* SPDX-License-Identifier: BSD-3-Clause */
/* net_vhostu devargs: every key accepted in its valid forms, every bad value refused. */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "vhostu_devargs.h"
#include "vhostu_internal.h"
#include "test_common.h"

static void
test_defaults_are_client_one_queue_full_mask(void)
{
	struct vhostu_devargs da;

	CU_ASSERT_EQUAL(vhostu_devargs_parse("iface=/tmp/a.sock", &da), 0);
	CU_ASSERT_STRING_EQUAL(da.path, "/tmp/a.sock");
	CU_ASSERT_FALSE(da.server);
	CU_ASSERT_EQUAL(da.queues, 1);
	CU_ASSERT_EQUAL(da.feature_mask, UINT64_MAX);
	CU_ASSERT_FALSE(da.has_mac);
	CU_ASSERT_EQUAL(da.reconnect_ms, 1000);
}

static void
test_every_key_parses(void)
{
	struct vhostu_devargs da;

	CU_ASSERT_EQUAL(vhostu_devargs_parse("iface=/x,server=1,queues=8,feature-mask=0x40400000,"
		"hwaddr=02:fe:aa:bb:cc:dd", &da), 0);
	CU_ASSERT_TRUE(da.server);
	CU_ASSERT_EQUAL(da.queues, 8);
	CU_ASSERT_EQUAL(da.feature_mask, 0x40400000ULL);
	CU_ASSERT_TRUE(da.has_mac);
	CU_ASSERT_EQUAL(da.mac.addr_bytes[0], 0x02);
	CU_ASSERT_EQUAL(da.mac.addr_bytes[5], 0xdd);
	CU_ASSERT_EQUAL(vhostu_devargs_parse("iface=/x,server=0,feature-mask=ffff,reconnect-ms=250",
		&da), 0);
	CU_ASSERT_EQUAL(da.reconnect_ms, 250);
	CU_ASSERT_FALSE(da.server);
	CU_ASSERT_EQUAL(da.feature_mask, 0xffffULL);
}

static void
test_bad_values_are_refused(void)
{
	static const char *const bad[] = {
		"",				/* no iface */
		"server=1",			/* no iface */
		"iface=",			/* empty path */
		"iface=/x,queues=0",
		"iface=/x,queues=9",
		"iface=/x,queues=-1",
		"iface=/x,queues=1x",
		"iface=/x,queues=",
		"iface=/x,server=2",
		"iface=/x,server=yes",
		"iface=/x,feature-mask=zz",
		"iface=/x,feature-mask=0x",
		"iface=/x,feature-mask=-1",
		"iface=/x,feature-mask=0x10000000000000000",
		"iface=/x,hwaddr=1:2",
		"iface=/x,hwaddr=01:02:03:04:05:06",	/* multicast */
		"iface=/x,hwaddr=00:00:00:00:00:00",
		"iface=/x,hwaddr=02:fe:aa:bb:cc:dd:ee",
		"iface=/x,hwaddr=02:fe:aa:bb:cc:zz",
		"iface=/x,unknown=1",
		"iface=/x,iface=/y",
		"iface=/x,reconnect-ms=0",
		"iface=/x,reconnect-ms=60001",
		"iface=/x,reconnect-ms=1s",
	};
	struct vhostu_devargs da;
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++) {
		int ret = vhostu_devargs_parse(bad[i], &da);

		if (ret == 0)
			fprintf(stderr, "accepted bad devargs \"%s\"\n", bad[i]);
		CU_ASSERT(ret < 0);
	}
}

static void
test_path_longer_than_sun_path_is_refused(void)
{
	char args[512], path[300];
	struct vhostu_devargs da;

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	snprintf(args, sizeof(args), "iface=%s", path);
	CU_ASSERT(vhostu_devargs_parse(args, &da) < 0);
	/* 107 bytes fit (108 with the terminating NUL); 108 do not. */
	path[107] = '\0';
	snprintf(args, sizeof(args), "iface=%s", path);
	CU_ASSERT_EQUAL(vhostu_devargs_parse(args, &da), 0);
	path[107] = 'a';
	path[108] = '\0';
	snprintf(args, sizeof(args), "iface=%s", path);
	CU_ASSERT(vhostu_devargs_parse(args, &da) < 0);
}

static CU_TestInfo tests[] = {
	{ "defaults are client, one queue, full mask",
		test_defaults_are_client_one_queue_full_mask },
	{ "every key parses", test_every_key_parses },
	{ "bad values are refused", test_bad_values_are_refused },
	{ "path longer than sun_path is refused", test_path_longer_than_sun_path_is_refused },
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	return run_suite("devargs", NULL, NULL, tests) ? 1 : 0;
}
