/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shell's commands, every form and every error, through cmdline_parse()
 * as a user types them, on fake ports and a fake forwarding layer: each
 * error prints its message and leaves the interface table as it was.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "cli_internal.h"
#include "test_cli_capture.h"
#include "test_common.h"

static struct test_capture cap;

/* --- fake ports --- */
static int fake_next_port;
static int fake_created, fake_destroyed, fake_started, fake_stopped;
static char fake_devargs[512];
static bool fake_debug;
static int fake_create_ret;

static int
fake_create(const char *vdev __rte_unused, const char *devargs, uint16_t *port_id)
{
	if (fake_create_ret < 0)
		return fake_create_ret;
	snprintf(fake_devargs, sizeof(fake_devargs), "%s", devargs);
	*port_id = (uint16_t)fake_next_port++;
	fake_created++;
	return 0;
}

static int
fake_destroy(uint16_t port_id __rte_unused, const char *vdev __rte_unused)
{
	fake_destroyed++;
	return 0;
}

static int
fake_start(uint16_t port_id __rte_unused)
{
	fake_started++;
	return 0;
}

static int
fake_stop(uint16_t port_id __rte_unused)
{
	fake_stopped++;
	return 0;
}

static int
fake_info(uint16_t port_id, struct rte_pmd_vhostu_info *info)
{
	memset(info, 0, sizeof(*info));
	snprintf(info->socket_path, sizeof(info->socket_path), "/tmp/fake%u.sock", port_id);
	info->server = true;
	info->features_mask = UINT64_MAX;
	info->virtio_net_hdr_sz = 12;
	info->max_queue_pairs = 2;
	info->nvrings = 2;
	info->vrings[0].qsz = 4;
	info->vrings[0].enabled = true;
	info->vrings[0].kickfd = info->vrings[0].callfd = info->vrings[0].errfd = -1;
	info->vrings[1] = info->vrings[0];
	return 0;
}

static int
fake_descriptors(uint16_t port_id __rte_unused, uint16_t vring __rte_unused,
		struct rte_pmd_vhostu_desc *d, uint32_t max)
{
	uint32_t i;

	for (i = 0; i < 4 && i < max; i++)
		d[i] = (struct rte_pmd_vhostu_desc){ 0x1000 * i, 64, 0, (uint16_t)(i + 1), 0 };
	return 4;
}

static int
fake_stats(uint16_t port_id __rte_unused, struct cli_if_stats *st)
{
	st->rx_packets = 7;
	st->rx_bytes = 448;
	return 0;
}

static void
fake_set_debug(bool on)
{
	fake_debug = on;
}

static void
fake_coalesce(uint32_t *frames, double *t)
{
	*frames = 32;
	*t = 1e-3;
}

static const struct cli_port_ops fake_port = {
	fake_create, fake_destroy, fake_start, fake_stop, fake_info, fake_descriptors,
	fake_stats, fake_set_debug, fake_coalesce,
};

/* --- fake forwarding --- */
static int fake_applied;
static bool fake_quit;
static struct cli_iftable fake_last;

static int fake_prepare_ret, fake_prepared;

static void
fake_apply(const struct cli_iftable *t)
{
	fake_applied++;
	fake_last = *t;
}

static int
fake_bd_prepare(uint32_t bd_id __rte_unused)
{
	fake_prepared++;
	return fake_prepare_ret;
}

static void
fake_refresh(void)
{
}

static void
fake_placement(uint16_t port_id __rte_unused, struct cli_placement *p)
{
	p->n_rx = 1;
	p->rx[0] = (struct cli_vring_place){ 1, 1 };
	cli_place_tx(0x1, 2, p);
}

static void
fake_drops(uint16_t port_id __rte_unused, uint64_t *rx, uint64_t *tx __rte_unused)
{
	*rx += 2;
}

static int
fake_l2fib(struct cli_l2fib_entry *out __rte_unused, uint32_t max __rte_unused)
{
	return 0;
}

static void
fake_quit_fn(void)
{
	fake_quit = true;
}

static const struct cli_fwd_ops fake_fwd = {
	fake_apply, fake_bd_prepare, fake_refresh, fake_placement, fake_drops, fake_l2fib,
	fake_quit_fn,
};

/* --- helpers --- */

static void
reset(void)
{
	struct cli_config cfg = { .port = &fake_port, .fwd = &fake_fwd };

	cli_init(&cfg);
	fake_next_port = 0;
	fake_created = fake_destroyed = fake_started = fake_stopped = 0;
	fake_applied = 0;
	fake_prepare_ret = fake_prepared = 0;
	fake_create_ret = 0;
	fake_quit = false;
	test_capture_take(&cap);
}

/* Run line; return what it printed. */
static const char *
run(const char *line)
{
	cli_run_line(cap.cl, line);
	return test_capture_take(&cap);
}

static int
n_ifs(void)
{
	int i, n = 0;

	for (i = 0; i < CLI_MAX_IF; i++)
		n += cli_main.ift.ifs[i].used;
	return n;
}

/* line must fail with exactly msg and change nothing. */
static void
check_error(const char *line, const char *msg)
{
	struct cli_iftable before = cli_main.ift;
	int created = fake_created, destroyed = fake_destroyed, started = fake_started;
	int stopped = fake_stopped;
	char want[600];
	int ret;

	snprintf(want, sizeof(want), "%s\n", msg);
	ret = cli_run_line(cap.cl, line);
	CU_ASSERT_EQUAL(ret, -1);
	CU_ASSERT_STRING_EQUAL(test_capture_take(&cap), want);
	CU_ASSERT(memcmp(&before, &cli_main.ift, sizeof(before)) == 0);
	CU_ASSERT_EQUAL(fake_created, created);
	CU_ASSERT_EQUAL(fake_destroyed, destroyed);
	CU_ASSERT_EQUAL(fake_started, started);
	CU_ASSERT_EQUAL(fake_stopped, stopped);
	if (strcmp(test_capture_take(&cap), "") != 0 || ret != -1)
		printf("\n  line `%s'\n", line);
}

/* --- tests --- */

static void
test_create_prints_next_free_name(void)
{
	reset();
	CU_ASSERT_STRING_EQUAL(run("create vhost-user socket /tmp/a.sock"),
		"VirtualEthernet0/0/0\n");
	CU_ASSERT_STRING_EQUAL(run("create vhost-user socket /tmp/b.sock server "
		"feature-mask 0x40400000"), "VirtualEthernet0/0/1\n");
	CU_ASSERT_STRING_EQUAL(fake_devargs,
		"iface=/tmp/b.sock,server=1,queues=8,feature-mask=0x40400000");
	CU_ASSERT_EQUAL(cli_main.ift.ifs[1].sw_if_index, 2);
	CU_ASSERT_FALSE(cli_main.ift.ifs[1].admin_up);
	CU_ASSERT(fake_applied >= 2);
}

static void
test_create_options_any_order(void)
{
	reset();
	CU_ASSERT_STRING_EQUAL(run("create vhost-user hwaddr 0200.1111.2222 server "
		"queues 2 socket /tmp/c.sock"), "VirtualEthernet0/0/0\n");
	CU_ASSERT_STRING_EQUAL(fake_devargs,
		"iface=/tmp/c.sock,server=1,queues=2,hwaddr=02:00:11:11:22:22");
	CU_ASSERT_STRING_EQUAL(run("create vhost-user socket /tmp/d.sock hwaddr 2:0:0:0:0:aa"),
		"VirtualEthernet0/0/1\n");
	CU_ASSERT_STRING_EQUAL(fake_devargs,
		"iface=/tmp/d.sock,server=0,queues=8,hwaddr=02:00:00:00:00:aa");
}

/* VPP's gso: accepted anywhere among the options; the offloads are offered anyway. */
static void
test_create_accepts_gso_as_vpp_does(void)
{
	reset();
	CU_ASSERT_STRING_EQUAL(run("create vhost-user socket /tmp/g.sock gso server"),
		"VirtualEthernet0/0/0\n");
	CU_ASSERT_STRING_EQUAL(fake_devargs, "iface=/tmp/g.sock,server=1,queues=8");
	CU_ASSERT_STRING_EQUAL(run("create vhost-user gso socket /tmp/h.sock"),
		"VirtualEthernet0/0/1\n");
	CU_ASSERT_STRING_EQUAL(fake_devargs, "iface=/tmp/h.sock,server=0,queues=8");
	check_error("create vhost-user socket /tmp/x.sock gso 1", "unknown input `1'");
}

/*
 * VPP 20+'s `packed` and `event-idx` are accepted; both features are offered
 * by default, so the devargs do not change; show vhost-user says they were
 * given, as VPP does.
 */
static void
test_create_packed_and_event_idx_accepted_as_in_vpp(void)
{
	const char *out;

	reset();
	CU_ASSERT_STRING_EQUAL(run("create vhost-user socket /tmp/a.sock packed event-idx"),
		"VirtualEthernet0/0/0\n");
	CU_ASSERT_STRING_EQUAL(fake_devargs, "iface=/tmp/a.sock,server=0,queues=8");
	CU_ASSERT_STRING_EQUAL(run("create vhost-user event-idx server socket /tmp/b.sock"),
		"VirtualEthernet0/0/1\n");
	CU_ASSERT_STRING_EQUAL(fake_devargs, "iface=/tmp/b.sock,server=1,queues=8");
	out = run("show vhost-user VirtualEthernet0/0/0");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Interface: VirtualEthernet0/0/0 (ifindex 1)\n"
		"  Packed ring enable\n  Event index enable\nvirtio_net_hdr_sz"));
	out = run("show vhost-user VirtualEthernet0/0/1");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Interface: VirtualEthernet0/0/1 (ifindex 2)\n"
		"  Event index enable\nvirtio_net_hdr_sz"));
	CU_ASSERT_PTR_NOT_NULL(strstr(run("help"), "[queues <n>] [packed] [event-idx]"));
	check_error("create vhost-user socket /tmp/c.sock packed 1", "unknown input `1'");
}

static void
test_renumber_in_use_warns(void)
{
	reset();
	run("create vhost-user socket /tmp/a.sock");
	CU_ASSERT_STRING_EQUAL(run("create vhost-user socket /tmp/b.sock renumber 7"),
		"VirtualEthernet0/0/7\n");
	CU_ASSERT_STRING_EQUAL(run("create vhost-user socket /tmp/c.sock renumber 0"),
		"warning: instance 0 was in use: several interfaces are now named "
		"VirtualEthernet0/0/0\nVirtualEthernet0/0/0\n");
	CU_ASSERT_STRING_EQUAL(run("create vhost-user socket /tmp/d.sock"),
		"VirtualEthernet0/0/1\n");
	CU_ASSERT_EQUAL(n_ifs(), 4);
}

static void
test_delete_then_create_reuses_index(void)
{
	reset();
	run("create vhost-user socket /tmp/a.sock");
	run("create vhost-user socket /tmp/b.sock");
	CU_ASSERT_STRING_EQUAL(run("delete vhost-user sw_if_index 1"), "");
	CU_ASSERT_EQUAL(fake_destroyed, 1);
	CU_ASSERT_STRING_EQUAL(run("create vhost-user socket /tmp/a.sock"),
		"VirtualEthernet0/0/0\n");
	CU_ASSERT_EQUAL(cli_main.ift.ifs[0].sw_if_index, 1);
	CU_ASSERT_STRING_EQUAL(run("delete vhost-user VirtualEthernet0/0/1"), "");
	CU_ASSERT_EQUAL(n_ifs(), 1);
}

static void
test_create_errors_change_nothing(void)
{
	reset();
	run("create vhost-user socket /tmp/a.sock");
	check_error("create vhost-user", "missing argument: socket <socket-filename>");
	check_error("create vhost-user server", "missing argument: socket <socket-filename>");
	check_error("create vhost-user socket", "missing argument: `socket' needs a value");
	check_error("create vhost-user socket /tmp/x.sock feature-mask zz",
		"bad hex value `zz' for feature-mask");
	check_error("create vhost-user socket /tmp/x.sock feature-mask",
		"missing argument: `feature-mask' needs a value");
	check_error("create vhost-user socket /tmp/x.sock hwaddr 1:2",
		"bad MAC address `1:2' (X:X:X:X:X:X or X.X.X)");
	check_error("create vhost-user socket /tmp/x.sock hwaddr 1:2:3:4:5:6",
		"bad MAC address `1:2:3:4:5:6': not a unicast address");
	check_error("create vhost-user socket /tmp/x.sock hwaddr 02:00:00:00:00:100",
		"bad MAC address `02:00:00:00:00:100' (X:X:X:X:X:X or X.X.X)");
	check_error("create vhost-user socket /tmp/x.sock renumber -1",
		"bad instance `-1' for renumber (0..999999999)");
	check_error("create vhost-user socket /tmp/x.sock queues 0", "bad queue count `0' (1..8)");
	check_error("create vhost-user socket /tmp/x.sock bogus", "unknown input `bogus'");
	check_error("create vhost-user socket /tmp/a.sock",
		"socket `/tmp/a.sock' is already used by VirtualEthernet0/0/0");
	check_error("create vhost-user socket /tmp/../tmp/a.sock server",
		"socket `/tmp/a.sock' is already used by VirtualEthernet0/0/0");
	check_error("create vhost-user socket /tmp/a,b.sock",
		"socket path `/tmp/a,b.sock' must not contain ',' or '='");
	check_error("create vhost-user socket /tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock",
		"socket path `/tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock' is too long "
		"(at most 107 bytes)");
	check_error("create vhost-usr socket /tmp/x.sock", "unknown input `vhost-usr'");
	check_error("create", "missing argument: create vhost-user ...");
	fake_create_ret = -EADDRINUSE;
	check_error("create vhost-user socket /tmp/y.sock server",
		"cannot create vhost-user interface on `/tmp/y.sock': Address already in use");
	CU_ASSERT_EQUAL(n_ifs(), 1);
}

/* Every DPDK port in use (the port ops say -ENOSPC): our words, the limit, nothing made. */
static void
test_create_refused_when_no_port_left(void)
{
	char want[400];

	reset();
	run("create vhost-user socket /tmp/a.sock server");
	fake_create_ret = -ENOSPC;
	snprintf(want, sizeof(want), "cannot create vhost-user interface on `/tmp/b.sock': "
		"all %u DPDK ports are in use (RTE_MAX_ETHPORTS of the DPDK vhostu-fwd is built "
		"with); for more, build vhostu with scripts/setup.sh --max-ports N "
		"(doc/user-guide.md)", (unsigned int)RTE_MAX_ETHPORTS);
	check_error("create vhost-user socket /tmp/b.sock server", want);
	CU_ASSERT_EQUAL(n_ifs(), 1);
	fake_create_ret = 0;
	CU_ASSERT_STRING_EQUAL(run("create vhost-user socket /tmp/b.sock server"),
		"VirtualEthernet0/0/1\n");
}

static void
test_delete_errors_change_nothing(void)
{
	reset();
	run("create vhost-user socket /tmp/a.sock");
	cli_iftable_add_other(&cli_main.ift, 9, "net_null0", NULL);
	check_error("delete vhost-user", "missing argument: <interface> | sw_if_index <sw_idx>");
	check_error("delete vhost-user VirtualEthernet0/0/5",
		"unknown interface `VirtualEthernet0/0/5'");
	check_error("delete vhost-user sw_if_index 5", "unknown interface: no sw_if_index 5");
	check_error("delete vhost-user sw_if_index x1", "bad sw_if_index `x1'");
	check_error("delete vhost-user sw_if_index", "missing argument: sw_if_index <sw_idx>");
	check_error("delete vhost-user net_null0", "Not a vhost interface");
	check_error("delete vhost-user sw_if_index 2", "Not a vhost interface");
	check_error("delete vhost-user VirtualEthernet0/0/0 now", "unknown input `now'");
	check_error("delete", "missing argument: delete vhost-user ...");
}

static void
test_set_state_up_down(void)
{
	reset();
	run("create vhost-user socket /tmp/a.sock");
	CU_ASSERT_STRING_EQUAL(run("set interface state VirtualEthernet0/0/0 up"), "");
	CU_ASSERT_TRUE(cli_main.ift.ifs[0].admin_up);
	CU_ASSERT_TRUE(fake_last.ifs[0].admin_up);
	CU_ASSERT_EQUAL(fake_started, 1);
	run("set interface state VirtualEthernet0/0/0 up");
	CU_ASSERT_EQUAL(fake_started, 1);
	CU_ASSERT_STRING_EQUAL(run("set interface state VirtualEthernet0/0/0 down"), "");
	CU_ASSERT_FALSE(cli_main.ift.ifs[0].admin_up);
	CU_ASSERT_EQUAL(fake_stopped, 1);
	check_error("set interface state VirtualEthernet0/0/0 sideways",
		"unknown input `sideways' (up or down)");
	check_error("set interface state VirtualEthernet0/0/0", "missing argument: up | down");
	check_error("set interface state", "missing argument: <interface> up|down");
	check_error("set interface state nope up", "unknown interface `nope'");
	check_error("set interface state VirtualEthernet0/0/0 up now", "unknown input `now'");
	check_error("set interface stat VirtualEthernet0/0/0 up", "unknown input `stat'");
	check_error("set interface", "missing argument: state | l2 | l3 | rx-mode");
	check_error("set", "missing argument: interface | bridge-domain");
	check_error("set foo", "unknown input `foo'");
}

static void
test_l2_modes(void)
{
	reset();
	run("create vhost-user socket /tmp/a.sock");
	run("create vhost-user socket /tmp/b.sock");
	CU_ASSERT_STRING_EQUAL(run("set interface l2 xconnect VirtualEthernet0/0/0 "
		"VirtualEthernet0/0/1"), "");
	CU_ASSERT_EQUAL(fake_last.ifs[0].l2_mode, CLI_L2_XCONNECT);
	CU_ASSERT_EQUAL(fake_last.ifs[0].xc_sw_if_index, 2);
	CU_ASSERT_STRING_EQUAL(run("set interface l2 bridge VirtualEthernet0/0/1 10"), "");
	CU_ASSERT_EQUAL(fake_last.ifs[1].l2_mode, CLI_L2_BRIDGE);
	CU_ASSERT_EQUAL(fake_last.ifs[1].bd_id, 10);
	CU_ASSERT_STRING_EQUAL(run("set interface l3 VirtualEthernet0/0/0"), "");
	CU_ASSERT_EQUAL(fake_last.ifs[0].l2_mode, CLI_L2_NONE);
	check_error("set interface l2 xconnect VirtualEthernet0/0/0 nope",
		"unknown interface `nope'");
	check_error("set interface l2 xconnect VirtualEthernet0/0/0",
		"missing argument: <peer-interface>");
	check_error("set interface l2 bridge VirtualEthernet0/0/0 0",
		"bad bridge-domain id `0' (1..16777215)");
	check_error("set interface l2 bridge VirtualEthernet0/0/0 16777216",
		"bad bridge-domain id `16777216' (1..16777215)");
	check_error("set interface l2 bridge VirtualEthernet0/0/0", "missing argument: <bd-id>");
	check_error("set interface l2 bogus", "unknown input `bogus'");
	check_error("set interface l2", "missing argument: xconnect | bridge");
	check_error("set interface l3", "missing argument: <interface>");
	check_error("set bridge-domain mac-age 11 5", "no bridge domain 11");
	check_error("set bridge-domain mac-age 10 x", "bad mac-age `x' (minutes, 0..255, 0 = off)");
	CU_ASSERT_STRING_EQUAL(run("set bridge-domain mac-age 10 1"), "");
}

static void
test_rx_mode_sets_queues_and_shows_in_rx_placement(void)
{
	reset();
	run("create vhost-user socket /tmp/a.sock");
	CU_ASSERT_STRING_EQUAL(run("show interface rx-placement"),
		"Thread 1 (vpp_wk_0):\n  node vhost-user-input:\n"
		"    VirtualEthernet0/0/0 queue 0 (polling)\n");
	CU_ASSERT_STRING_EQUAL(run("set interface rx-mode VirtualEthernet0/0/0 interrupt"), "");
	CU_ASSERT_EQUAL(fake_last.ifs[0].rx_mode[0], CLI_RX_INTERRUPT);
	CU_ASSERT_EQUAL(fake_last.ifs[0].rx_mode[1], CLI_RX_INTERRUPT);
	CU_ASSERT_STRING_EQUAL(run("show interface rx-placement"),
		"Thread 1 (vpp_wk_0):\n  node vhost-user-input:\n"
		"    VirtualEthernet0/0/0 queue 0 (interrupt)\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(run("show vhost-user"),
		"rx placement:\n   thread 1 on vring 1, interrupt\n tx placement"));
	CU_ASSERT_STRING_EQUAL(run("set interface rx-mode VirtualEthernet0/0/0 queue 1 adaptive"),
		"");
	CU_ASSERT_EQUAL(fake_last.ifs[0].rx_mode[0], CLI_RX_INTERRUPT);
	CU_ASSERT_EQUAL(fake_last.ifs[0].rx_mode[1], CLI_RX_ADAPTIVE);
	/* VPP's words in any order */
	CU_ASSERT_STRING_EQUAL(run("set interface rx-mode VirtualEthernet0/0/0 polling queue 0"),
		"");
	CU_ASSERT_EQUAL(fake_last.ifs[0].rx_mode[0], CLI_RX_POLLING);
	CU_ASSERT_EQUAL(fake_last.ifs[0].rx_mode[1], CLI_RX_ADAPTIVE);
	CU_ASSERT_PTR_NOT_NULL(strstr(run("show vhost-user"),
		"rx placement:\n   thread 1 on vring 1\n tx placement"));
	/* show interface still takes interface names */
	CU_ASSERT_PTR_NOT_NULL(strstr(run("show interface VirtualEthernet0/0/0"),
		"\nVirtualEthernet0/0/0              1     down"));
	check_error("set interface rx-mode VirtualEthernet0/0/0 queue 2 polling",
		"unknown queue 2 on interface VirtualEthernet0/0/0");
	check_error("set interface rx-mode nope polling", "unknown interface `nope'");
	check_error("set interface rx-mode VirtualEthernet0/0/0",
		"missing argument: polling | interrupt | adaptive");
	check_error("set interface rx-mode VirtualEthernet0/0/0 queue 0",
		"missing argument: polling | interrupt | adaptive");
	check_error("set interface rx-mode VirtualEthernet0/0/0 interrupt queue",
		"missing argument: queue <n>");
	check_error("set interface rx-mode VirtualEthernet0/0/0 queue x polling", "bad queue `x'");
	check_error("set interface rx-mode VirtualEthernet0/0/0 sometimes",
		"unknown input `sometimes'");
	check_error("set interface rx-mode",
		"missing argument: <interface> [queue <n>] [polling | interrupt | adaptive]");
}

static void
test_delete_resets_xconnect_peer(void)
{
	reset();
	run("create vhost-user socket /tmp/a.sock");
	run("create vhost-user socket /tmp/b.sock");
	run("set interface l2 xconnect VirtualEthernet0/0/0 VirtualEthernet0/0/1");
	run("delete vhost-user VirtualEthernet0/0/1");
	CU_ASSERT_EQUAL(cli_main.ift.ifs[0].l2_mode, CLI_L2_NONE);
	CU_ASSERT_EQUAL(fake_last.ifs[0].l2_mode, CLI_L2_NONE);
}

static void
test_show_commands(void)
{
	const char *out;

	reset();
	run("create vhost-user socket /tmp/a.sock");
	out = run("show vhost-user");
	CU_ASSERT_PTR_EQUAL(strstr(out, "Virtio vhost-user interfaces\nGlobal:\n"
		"  coalesce frames 32 time 1e-3\nInterface: VirtualEthernet0/0/0 (ifindex 1)\n"),
		out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "rx placement:\n   thread 1 on vring 1\n"
		" tx placement: spin-lock\n   thread 0 on vring 0\n   thread 1 on vring 0\n"));
	CU_ASSERT_PTR_NULL(strstr(out, "descriptor table"));
	out = run("show vhost-user VirtualEthernet0/0/0 descriptors");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "  kickfd -1 callfd -1 errfd -1\n\n  descriptor table:\n"
		"   id          addr         len  flags  next      user_addr\n"
		"  ===== ================== ===== ====== ===== ==================\n"
		"  0     0x0000000000000000 64    0x0000 1     0x0000000000000000\n"));
	check_error("show vhost-user nope", "unknown interface `nope'");
	out = run("show interface");
	CU_ASSERT_STRING_EQUAL(out,
		"              Name               Idx    State       Counter          Count     \n"
		"VirtualEthernet0/0/0              1     down   rx packets                     7\n"
		"                                               rx bytes                     448\n"
		"                                               "
		"drops                          2\n");
	check_error("show interface nope", "unknown interface `nope'");
	CU_ASSERT_STRING_EQUAL(run("show bridge-domain"), "no bridge-domains in use\n");
	check_error("show bridge-domain 3", "no such bridge domain 3");
	check_error("show bridge-domain x", "bad bridge-domain id `x' (1..16777215)");
	check_error("show bridge-domain 3 verbose", "unknown input `verbose'");
	run("set interface l2 bridge VirtualEthernet0/0/0 3");
	CU_ASSERT_STRING_EQUAL(run("show bridge-domain 3"),
		"  BD-ID   Index   BSN  Age(min)  Learning  U-Forwrd  UU-Flood  Flooding  ARP-Term"
		"  BVI-Intf\n"
		"    3       1      0      5         on        on      flood       on       off "
		"      N/A   \n");
	CU_ASSERT_STRING_EQUAL(run("show l2fib"),
		"    Mac-Address     BD-ID  If-Idx  Age(s)         Interface-Name        \n"
		"0 l2fib entries\n");
	check_error("show", "missing argument: vhost-user | interface | bridge-domain | l2fib");
	check_error("show vhost", "unknown input `vhost'");
}

static void
test_debug_quit_help_and_unknown(void)
{
	reset();
	CU_ASSERT_STRING_EQUAL(run("debug vhost-user on"), "");
	CU_ASSERT_TRUE(fake_debug);
	CU_ASSERT_STRING_EQUAL(run("debug vhost-user off"), "");
	CU_ASSERT_FALSE(fake_debug);
	check_error("debug vhost-user maybe", "unknown input `maybe' (on or off)");
	check_error("debug vhost-user", "missing argument: on | off");
	check_error("debug", "missing argument: debug vhost-user <on | off>");
	check_error("frobnicate now", "unknown input `frobnicate'");
	CU_ASSERT_PTR_NOT_NULL(strstr(run("help"), "  create vhost-user socket <socket-filename>"));
	CU_ASSERT_STRING_EQUAL(run("   # just a comment"), "");
	CU_ASSERT_STRING_EQUAL(run(""), "");
	run("quit");
	CU_ASSERT_TRUE(fake_quit);
}

static void
test_exec_reports_file_and_line_and_stops(void)
{
	char path[] = "/tmp/test_cli_cmds_XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	char want[512];

	reset();
	fprintf(f, "# a comment\n\ncreate vhost-user socket /tmp/e1.sock\n"
		"set interface state nope up\ncreate vhost-user socket /tmp/e2.sock\n");
	fclose(f);
	CU_ASSERT_EQUAL(cli_exec_file(cap.cl, path), -1);
	snprintf(want, sizeof(want), "VirtualEthernet0/0/0\n%s:4: unknown interface `nope'\n",
		path);
	CU_ASSERT_STRING_EQUAL(test_capture_take(&cap), want);
	CU_ASSERT_EQUAL(n_ifs(), 1);
	snprintf(want, sizeof(want), "exec %s", path);
	CU_ASSERT_EQUAL(cli_run_line(cap.cl, want), -1);
	test_capture_take(&cap);
	check_error("exec /nonexistent/file", "cannot open `/nonexistent/file': "
		"No such file or directory");
	check_error("exec", "missing argument: <file>");
	unlink(path);
}

/*
 * \v and \f are blanks to the commands' word splitting but not to cmdline:
 * a line whose argument is only such blanks must say what is missing.
 */
static void
test_blank_only_arguments_are_missing(void)
{
	reset();
	run("create vhost-user socket /tmp/v.sock");
	run("create vhost-user socket /tmp/w.sock");
	check_error("debug vhost-user \v", "missing argument: on | off");
	check_error("debug vhost-user \f\v", "missing argument: on | off");
	check_error("set interface state VirtualEthernet0/0/0 \v",
		"missing argument: up | down");
	check_error("set interface l2 xconnect VirtualEthernet0/0/0 \f",
		"missing argument: <peer-interface>");
	check_error("set interface l2 bridge VirtualEthernet0/0/0 \v",
		"missing argument: <bd-id>");
	check_error("set interface l3 \v", "missing argument: <interface>");
	check_error("set bridge-domain mac-age 10 \v", "missing argument: <minutes>");
	check_error("delete vhost-user \v", "missing argument: <interface> | sw_if_index <sw_idx>");
	check_error("exec \f", "missing argument: <file>");
}

/* Feed text to l in pieces of step bytes. */
static void
feed(struct cli_lines *l, const char *text, size_t step)
{
	size_t n = strlen(text), i;

	for (i = 0; i < n; i += step)
		cli_lines_feed(cap.cl, l, text + i, n - i < step ? n - i : step);
}

static void
test_stdin_lines_in_pieces(void)
{
	static struct cli_lines l;

	reset();
	feed(&l, "create vhost-user socket /tmp/p1.sock\ncreate vhost-user socket /tmp/p2.sock\n"
		"create vhost-user socket /tmp/p3.sock", 1);
	CU_ASSERT_STRING_EQUAL(test_capture_take(&cap),
		"VirtualEthernet0/0/0\nVirtualEthernet0/0/1\n");
	cli_lines_end(cap.cl, &l);
	CU_ASSERT_STRING_EQUAL(test_capture_take(&cap), "VirtualEthernet0/0/2\n");
	CU_ASSERT_EQUAL(n_ifs(), 3);
}

/* A line over CLI_LINE_MAX is refused whole; the next line runs. */
static void
test_stdin_long_line_refused_whole(void)
{
	static char text[3 * CLI_LINE_MAX];
	static struct cli_lines l;
	size_t steps[] = { 1, 100, 4096, sizeof(text) }, k;
	int n;

	for (k = 0; k < RTE_DIM(steps); k++) {
		reset();
		memset(&l, 0, sizeof(l));
		n = snprintf(text, sizeof(text), "#%0*d", CLI_LINE_MAX, 0);
		snprintf(text + n, sizeof(text) - n, "create vhost-user socket /tmp/t.sock\n"
			"create vhost-user socket /tmp/u.sock\n");
		feed(&l, text, steps[k]);
		CU_ASSERT_STRING_EQUAL(test_capture_take(&cap),
			"line too long (at most 4094 characters): refused\n"
			"VirtualEthernet0/0/0\n");
		CU_ASSERT_EQUAL(n_ifs(), 1);
		CU_ASSERT_PTR_NOT_NULL(cli_iftable_by_socket(&cli_main.ift, "/tmp/u.sock"));
	}
	/* CLI_LINE_MAX itself fits */
	reset();
	n = snprintf(text, sizeof(text), "create vhost-user socket /tmp/%0*d\n",
		CLI_LINE_MAX - (int)strlen("create vhost-user socket /tmp/"), 1);
	CU_ASSERT_EQUAL(n, CLI_LINE_MAX + 1);
	feed(&l, text, 512);
	CU_ASSERT_PTR_NULL(strstr(test_capture_take(&cap), "line too long"));
	/* a refused last line without newline does not run at the end either */
	reset();
	memset(text, 'x', CLI_LINE_MAX + 1);
	text[CLI_LINE_MAX + 1] = '\0';
	feed(&l, text, 1000);
	cli_lines_end(cap.cl, &l);
	CU_ASSERT_STRING_EQUAL(test_capture_take(&cap),
		"line too long (at most 4094 characters): refused\n");
}

/* The shell owns the domains: made by the first member, published, gone with the last. */
static void
test_bridge_domains_follow_their_members(void)
{
	reset();
	run("create vhost-user socket /tmp/a.sock");
	run("create vhost-user socket /tmp/b.sock");
	run("set interface l2 bridge VirtualEthernet0/0/0 20");
	run("set interface l2 bridge VirtualEthernet0/0/1 10");
	CU_ASSERT_EQUAL(fake_prepared, 2);
	CU_ASSERT_EQUAL(fake_last.n_bds, 2);
	CU_ASSERT_EQUAL(fake_last.bds[0].bd_id, 10);
	CU_ASSERT_EQUAL(fake_last.bds[1].bd_id, 20);
	CU_ASSERT_EQUAL(fake_last.bds[1].mac_age_min, CLI_DEFAULT_MAC_AGE_MIN);
	CU_ASSERT_STRING_EQUAL(run("set bridge-domain mac-age 20 0"), "");
	CU_ASSERT_EQUAL(fake_last.bds[1].mac_age_min, 0);
	CU_ASSERT_STRING_EQUAL(run("show bridge-domain 20"),
		"  BD-ID   Index   BSN  Age(min)  Learning  U-Forwrd  UU-Flood  Flooding  ARP-Term"
		"  BVI-Intf\n"
		"   20       2      0     off        on        on      flood       on       off "
		"      N/A   \n");
	/* the last member leaves: the domain goes, a new one starts afresh */
	run("set interface l3 VirtualEthernet0/0/0");
	CU_ASSERT_EQUAL(fake_last.n_bds, 1);
	check_error("show bridge-domain 20", "no such bridge domain 20");
	check_error("set bridge-domain mac-age 20 3", "no bridge domain 20");
	run("set interface l2 bridge VirtualEthernet0/0/0 20");
	CU_ASSERT_EQUAL(fake_last.bds[1].mac_age_min, CLI_DEFAULT_MAC_AGE_MIN);
	run("delete vhost-user VirtualEthernet0/0/1");
	CU_ASSERT_EQUAL(fake_last.n_bds, 1);
	CU_ASSERT_EQUAL(fake_last.bds[0].bd_id, 20);
}

static void
test_bridge_join_refused_when_prepare_fails(void)
{
	int applied;

	reset();
	run("create vhost-user socket /tmp/a.sock");
	fake_prepare_ret = -ENOMEM;
	applied = fake_applied;
	check_error("set interface l2 bridge VirtualEthernet0/0/0 20",
		"VirtualEthernet0/0/0: cannot join bridge domain 20: Cannot allocate memory");
	CU_ASSERT_EQUAL(fake_applied, applied);
	CU_ASSERT_EQUAL(cli_main.ift.n_bds, 0);
}

/* The command words of a help line: up to the first argument or the colon. */
static void
help_words(const char *line, char *out, size_t len)
{
	size_t n = 0;

	while (*line == ' ')
		line++;
	while (n + 1 < len && line[n] != '\0' && line[n] != ':' && line[n] != '<' &&
			line[n] != '[' && line[n] != '{') {
		out[n] = line[n];
		n++;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/* help lists each command once, and every command it lists exists. */
static void
test_help_lists_each_command_once(void)
{
	char text[8192], seen[32][64], w[64];
	char *line, *save;
	int n = 0, i;

	reset();
	snprintf(text, sizeof(text), "%s", run("help"));
	line = strtok_r(text, "\n", &save);
	CU_ASSERT_PTR_NOT_NULL_FATAL(line);	/* the title */
	while ((line = strtok_r(NULL, "\n", &save)) != NULL && n < 32) {
		help_words(line, w, sizeof(w));
		for (i = 0; i < n; i++)
			if (strcmp(seen[i], w) == 0)
				CU_FAIL("a command is listed twice");
		snprintf(seen[n++], sizeof(seen[0]), "%s", w);
	}
	CU_ASSERT_EQUAL(n, 17);
	CU_ASSERT_PTR_NOT_NULL(strstr(run("help"), "  show vhost-user [<interface> "
		"[<interface> [..]]] [descriptors]: vhost-user state of the interfaces "
		"(all if none given)\n"));
	CU_ASSERT_PTR_NULL(strstr(run("help"), "show vhost-user: "));
}

static int
suite_init(void)
{
	return test_capture_open(&cap, cli_ctx);
}

static int
suite_clean(void)
{
	test_capture_close(&cap);
	return 0;
}

static CU_TestInfo tests[] = {
	{ "create prints the next free name", test_create_prints_next_free_name },
	{ "create options in any order", test_create_options_any_order },
	{ "create accepts gso as VPP does", test_create_accepts_gso_as_vpp_does },
	{ "create accepts packed and event-idx as VPP does",
		test_create_packed_and_event_idx_accepted_as_in_vpp },
	{ "renumber to an instance in use warns", test_renumber_in_use_warns },
	{ "delete then create reuses the index", test_delete_then_create_reuses_index },
	{ "create errors change nothing", test_create_errors_change_nothing },
	{ "no DPDK port left: create says so with the limit",
		test_create_refused_when_no_port_left },
	{ "delete errors change nothing", test_delete_errors_change_nothing },
	{ "set interface state up/down and errors", test_set_state_up_down },
	{ "l2 xconnect / bridge / l3 and errors", test_l2_modes },
	{ "delete resets the xconnect peer", test_delete_resets_xconnect_peer },
	{ "rx-mode sets queues, shows in rx-placement and show vhost-user; errors",
		test_rx_mode_sets_queues_and_shows_in_rx_placement },
	{ "show commands", test_show_commands },
	{ "debug, quit, help, unknown input", test_debug_quit_help_and_unknown },
	{ "help lists each command once", test_help_lists_each_command_once },
	{ "exec reports FILE:LINE and stops", test_exec_reports_file_and_line_and_stops },
	{ "arguments of only \\v or \\f are missing", test_blank_only_arguments_are_missing },
	{ "stdin: lines in pieces run as they complete", test_stdin_lines_in_pieces },
	{ "bridge domains follow their members", test_bridge_domains_follow_their_members },
	{ "a join whose MAC table cannot be made is refused",
		test_bridge_join_refused_when_prepare_fails },
	{ "stdin: an over-long line is refused whole", test_stdin_long_line_refused_whole },
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	return run_suite("cli_cmds", suite_init, suite_clean, tests) ? 1 : 0;
}
