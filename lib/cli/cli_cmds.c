/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The commands: one table entry each (keywords, arguments, callback, what it
 * does), from which cli_ctx.c makes the cmdline instances, the help strings
 * and the forms that report "missing argument" and "unknown input".
 * Callbacks only turn words into arguments; the logic is in cli_vhost.c and
 * cli_interface.c. Every command's last argument takes the rest of the line,
 * so that the callback can say what is wrong with it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <rte_common.h>

#include "cli_internal.h"

#define CLI_ARG(tok, field, src, list, multi, reject, help) \
	static struct cli_token tok = { \
		.hdr = { .ops = &cli_token_ops, .offset = offsetof(struct cli_res, field) }, \
		.data = { src, list, multi, reject, help }, \
	}

static const char *const cli_updown[] = { "up", "down", NULL };
static const char *const cli_onoff[] = { "on", "off", NULL };
static const char *const cli_rx_modes[] = { "polling", "interrupt", "adaptive", NULL };
static const char *const cli_rx_mode_words[] = {
	"queue", "polling", "interrupt", "adaptive", NULL
};
static const char *const cli_show_if_words[] = { "rx-placement", NULL };

CLI_ARG(t_if, a1, CLI_TOKEN_SRC_IF, NULL, false, false, "<interface>");
CLI_ARG(t_bd_id, a1, CLI_TOKEN_SRC_NONE, NULL, false, false, "<bd-id>");
CLI_ARG(t_rest_if, rest, CLI_TOKEN_SRC_IF, NULL, true, false, "<interface> ...");
/* An interface list that is not `rx-placement': show interface leaves that word to its command. */
CLI_ARG(t_rest_show_if, rest, CLI_TOKEN_SRC_IF, cli_show_if_words, true, true,
	"<interface> ...");
CLI_ARG(t_rest_rx_mode, rest, CLI_TOKEN_SRC_LIST, cli_rx_mode_words, true, false,
	"[queue <n>] polling|interrupt|adaptive");
CLI_ARG(t_rest_any, rest, CLI_TOKEN_SRC_NONE, NULL, true, false, "<arguments>");
CLI_ARG(t_rest_create, rest, CLI_TOKEN_SRC_LIST, cli_create_words, true, false,
	&CLI_CREATE_USAGE[1]);
CLI_ARG(t_rest_updown, rest, CLI_TOKEN_SRC_LIST, cli_updown, true, false, "up|down");
CLI_ARG(t_rest_onoff, rest, CLI_TOKEN_SRC_LIST, cli_onoff, true, false, "on|off");
CLI_ARG(t_rest_file, rest, CLI_TOKEN_SRC_NONE, NULL, true, false, "<file>");
CLI_ARG(t_rest_minutes, rest, CLI_TOKEN_SRC_NONE, NULL, true, false, "<minutes>");
CLI_ARG(t_rest_bd, rest, CLI_TOKEN_SRC_NONE, NULL, true, false, "<bd-id> [detail]");

/* --- helpers --- */

/*
 * Words of rest; at most max, else an error naming the first extra word. With
 * need, at least one: rest can be only blanks that cmdline does not take as
 * such (\v, \f), and the callers read w[0].
 */
static int
cli_words(struct cmdline *cl, char *rest, char **w, int max, const char *need)
{
	char *all[64];
	int n, i;

	n = cli_split(rest, all, 64);
	if (n < 0 || n > max) {
		cli_error(cl, "unknown input `%s'", n < 0 ? "..." : all[max]);
		return -1;
	}
	if (n == 0 && need != NULL) {
		cli_error(cl, "missing argument: %s", need);
		return -1;
	}
	for (i = 0; i < n; i++)
		w[i] = all[i];
	return n;
}

static struct cli_if *
cli_lookup_if(struct cmdline *cl, const char *name)
{
	struct cli_if *ifp = cli_iftable_by_name_mut(&cli_main.ift, name);

	if (ifp == NULL)
		cli_error(cl, "unknown interface `%s'", name);
	return ifp;
}

static struct cli_if *
cli_lookup_vhost(struct cmdline *cl, const char *name)
{
	struct cli_if *ifp = cli_lookup_if(cl, name);

	if (ifp != NULL && !ifp->is_vhost) {
		cli_error(cl, "Not a vhost interface");
		return NULL;
	}
	return ifp;
}

static int
cli_parse_bd_id(struct cmdline *cl, const char *s, uint32_t *bd)
{
	uint64_t v;

	if (cli_parse_u64(s, 10, CLI_BD_ID_MAX, &v) < 0 || v == 0) {
		cli_error(cl, "bad bridge-domain id `%s' (1..%u)", s, CLI_BD_ID_MAX);
		return -1;
	}
	*bd = (uint32_t)v;
	return 0;
}

/* --- create vhost-user --- */

static void
cmd_create_vhost_parsed(void *res, struct cmdline *cl, void *data __rte_unused)
{
	struct cli_res *r = res;
	struct cli_create_args a;
	char err[256];

	if (cli_parse_create(r->rest, &a, err, sizeof(err)) < 0) {
		cli_error(cl, "%s", err);
		return;
	}
	cli_vhost_create(cl, &a);
}

/* --- show vhost-user --- */

static void
cmd_show_vhost_parsed(void *res, struct cmdline *cl, void *data __rte_unused)
{
	struct cli_res *r = res;
	const struct cli_if *ifs[CLI_MAX_IF];
	char *w[CLI_MAX_IF + 1];
	bool descr = false;
	int n, i, k = 0;

	n = cli_words(cl, r->rest, w, CLI_MAX_IF + 1, NULL);
	if (n < 0)
		return;
	for (i = 0; i < n; i++) {
		if (strcmp(w[i], "descriptors") == 0 || strcmp(w[i], "desc") == 0) {
			descr = true;
			continue;
		}
		ifs[k] = cli_lookup_vhost(cl, w[i]);
		if (ifs[k++] == NULL)
			return;
	}
	cli_vhost_show(cl, ifs, k, descr);
}

/* --- debug vhost-user --- */

static void
cmd_debug_vhost_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cli_res *r = res;
	char *w[1];

	if (cli_words(cl, r->rest, w, 1, cli_cmd_need(data)) < 0)
		return;
	if (strcmp(w[0], "on") != 0 && strcmp(w[0], "off") != 0) {
		cli_error(cl, "unknown input `%s' (on or off)", w[0]);
		return;
	}
	cli_main.port->set_debug(strcmp(w[0], "on") == 0);
}

/* --- delete vhost-user --- */

static struct cli_if *
cli_delete_target(struct cmdline *cl, char **w, int n)
{
	struct cli_if *ifp;
	uint64_t v;

	if (strcmp(w[0], "sw_if_index") != 0) {
		if (n > 1) {
			cli_error(cl, "unknown input `%s'", w[1]);
			return NULL;
		}
		return cli_lookup_vhost(cl, w[0]);
	}
	if (n < 2) {
		cli_error(cl, "missing argument: sw_if_index <sw_idx>");
		return NULL;
	}
	if (cli_parse_u64(w[1], 10, UINT32_MAX, &v) < 0) {
		cli_error(cl, "bad sw_if_index `%s'", w[1]);
		return NULL;
	}
	ifp = cli_iftable_by_sw_if_index_mut(&cli_main.ift, (uint32_t)v);
	if (ifp == NULL)
		cli_error(cl, "unknown interface: no sw_if_index %s", w[1]);
	else if (!ifp->is_vhost)
		cli_error(cl, "Not a vhost interface");
	return ifp != NULL && ifp->is_vhost ? ifp : NULL;
}

static void
cmd_delete_vhost_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cli_res *r = res;
	struct cli_if *ifp;
	char *w[3];
	int n;

	n = cli_words(cl, r->rest, w, 2, cli_cmd_need(data));
	if (n < 0)
		return;
	ifp = cli_delete_target(cl, w, n);
	if (ifp != NULL)
		cli_vhost_delete(cl, ifp);
}

/* --- set interface state --- */

static void
cmd_set_state_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cli_res *r = res;
	struct cli_if *ifp;
	char *w[1];

	ifp = cli_lookup_if(cl, r->a1);
	if (ifp == NULL || cli_words(cl, r->rest, w, 1, cli_cmd_need(data)) < 0)
		return;
	if (strcmp(w[0], "up") != 0 && strcmp(w[0], "down") != 0) {
		cli_error(cl, "unknown input `%s' (up or down)", w[0]);
		return;
	}
	cli_if_set_state(cl, ifp, strcmp(w[0], "up") == 0);
}

/* --- set interface l2 xconnect / bridge, set interface l3 --- */

static void
cmd_set_xconnect_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cli_res *r = res;
	struct cli_if *ifp, *peer;
	char *w[1];

	ifp = cli_lookup_if(cl, r->a1);
	if (ifp == NULL || cli_words(cl, r->rest, w, 1, cli_cmd_need(data)) < 0)
		return;
	peer = cli_lookup_if(cl, w[0]);
	if (peer != NULL)
		cli_if_set_l2(cl, ifp, CLI_L2_XCONNECT, peer->sw_if_index, 0);
}

static void
cmd_set_bridge_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cli_res *r = res;
	struct cli_if *ifp;
	uint32_t bd;
	char *w[1];

	ifp = cli_lookup_if(cl, r->a1);
	if (ifp == NULL || cli_words(cl, r->rest, w, 1, cli_cmd_need(data)) < 0)
		return;
	if (cli_parse_bd_id(cl, w[0], &bd) == 0)
		cli_if_set_l2(cl, ifp, CLI_L2_BRIDGE, 0, bd);
}

static void
cmd_set_l3_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cli_res *r = res;
	struct cli_if *ifp;
	char *w[1];

	if (cli_words(cl, r->rest, w, 1, cli_cmd_need(data)) < 0)
		return;
	ifp = cli_lookup_if(cl, w[0]);
	if (ifp != NULL)
		cli_if_set_l2(cl, ifp, CLI_L2_NONE, 0, 0);
}

/* --- set interface rx-mode, show interface rx-placement --- */

static int
cli_rx_mode_word(const char *w)
{
	int i;

	for (i = 0; cli_rx_modes[i] != NULL; i++)
		if (strcmp(w, cli_rx_modes[i]) == 0)
			return i;
	return -1;
}

/* VPP's words in any order: [queue <n>] and one mode; the last mode given counts. */
static void
cmd_set_rx_mode_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cli_res *r = res;
	int n, i, m, mode = -1, queue = -1;
	struct cli_if *ifp;
	uint64_t v;
	char *w[4];

	ifp = cli_lookup_if(cl, r->a1);
	if (ifp == NULL || (n = cli_words(cl, r->rest, w, 4, cli_cmd_need(data))) < 0)
		return;
	for (i = 0; i < n; i++) {
		m = cli_rx_mode_word(w[i]);
		if (m >= 0) {
			mode = m;
		} else if (strcmp(w[i], "queue") != 0) {
			cli_error(cl, "unknown input `%s'", w[i]);
			return;
		} else if (i + 1 == n) {
			cli_error(cl, "missing argument: queue <n>");
			return;
		} else if (cli_parse_u64(w[++i], 10, CLI_MAX_RXQ * 16, &v) < 0) {
			cli_error(cl, "bad queue `%s'", w[i]);
			return;
		} else {
			queue = (int)v;
		}
	}
	if (mode < 0) {
		cli_error(cl, "missing argument: %s", cli_cmd_need(data));
		return;
	}
	cli_if_set_rx_mode(cl, ifp, queue, (enum cli_rx_mode)mode);
}

static void
cmd_show_rx_placement_parsed(void *res __rte_unused, struct cmdline *cl,
		void *data __rte_unused)
{
	cli_if_show_rx_placement(cl);
}

/* --- set bridge-domain mac-age --- */

static void
cmd_set_mac_age_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cli_res *r = res;
	uint32_t bd;
	uint64_t min;
	char *w[1];

	if (cli_parse_bd_id(cl, r->a1, &bd) < 0 ||
			cli_words(cl, r->rest, w, 1, cli_cmd_need(data)) < 0)
		return;
	if (cli_parse_u64(w[0], 10, 255, &min) < 0) {
		cli_error(cl, "bad mac-age `%s' (minutes, 0..255, 0 = off)", w[0]);
		return;
	}
	cli_bd_set_age(cl, bd, (uint32_t)min);
}

/* --- show interface / bridge-domain / l2fib --- */

static void
cmd_show_if_parsed(void *res, struct cmdline *cl, void *data __rte_unused)
{
	struct cli_res *r = res;
	const struct cli_if *ifs[CLI_MAX_IF];
	char *w[CLI_MAX_IF];
	int n, i;

	n = cli_words(cl, r->rest, w, CLI_MAX_IF, NULL);
	if (n < 0)
		return;
	for (i = 0; i < n; i++) {
		ifs[i] = cli_lookup_if(cl, w[i]);
		if (ifs[i] == NULL)
			return;
	}
	cli_if_show(cl, ifs, n);
}

static void
cmd_show_bd_parsed(void *res, struct cmdline *cl, void *data __rte_unused)
{
	struct cli_res *r = res;
	uint32_t bd = 0;
	char *w[2];
	int n;

	n = cli_words(cl, r->rest, w, 2, NULL);
	if (n < 0 || (n > 0 && cli_parse_bd_id(cl, w[0], &bd) < 0))
		return;
	if (n == 2 && strcmp(w[1], "detail") != 0) {
		cli_error(cl, "unknown input `%s'", w[1]);
		return;
	}
	cli_bd_show(cl, bd, n == 2);
}

static void
cmd_show_l2fib_parsed(void *res __rte_unused, struct cmdline *cl, void *data __rte_unused)
{
	cli_l2fib_show(cl);
}

/* --- exec, quit, help --- */

static void
cmd_exec_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cli_res *r = res;
	char *w[1];

	if (cli_words(cl, r->rest, w, 1, cli_cmd_need(data)) < 0)
		return;
	if (cli_exec_file(cl, w[0]) < 0)
		cli_main.failed = 1;
}

static void
cmd_quit_parsed(void *res __rte_unused, struct cmdline *cl, void *data __rte_unused)
{
	if (cli_main.fwd != NULL && cli_main.fwd->quit != NULL)
		cli_main.fwd->quit();
	cmdline_quit(cl);
}

static void
cmd_help_parsed(void *res __rte_unused, struct cmdline *cl, void *data __rte_unused)
{
	int i;

	cmdline_printf(cl, "Commands (Tab completes words and interface names, "
		"? lists what may follow):\n");
	for (i = 0; cli_ctx[i] != NULL; i++)
		if (cli_ctx[i]->help_str != NULL)
			cmdline_printf(cl, "  %s\n", cli_ctx[i]->help_str);
}


/* --- the table --- */

#define CLI_ARG_END	{ NULL, NULL, NULL }

static const struct cli_cmd cli_cmds[] = {
	{ { "create", "vhost-user" },
		{ { &t_rest_create, &CLI_CREATE_USAGE[1], &CLI_CREATE_NEEDS[1] } }, false,
		cmd_create_vhost_parsed, "create a vhost-user interface VirtualEthernet0/0/N" },
	{ { "show", "vhost-user" },
		{ { &t_rest_if, "[<interface> [<interface> [..]]] [descriptors]", NULL } }, true,
		cmd_show_vhost_parsed, "vhost-user state of the interfaces (all if none given)" },
	{ { "debug", "vhost-user" }, { { &t_rest_onoff, "<on | off>", "on | off" } }, false,
		cmd_debug_vhost_parsed, "per-message vhost-user protocol logging" },
	{ { "delete", "vhost-user" },
		{ { &t_rest_if, "{<interface> | sw_if_index <sw_idx>}",
			"<interface> | sw_if_index <sw_idx>" } }, false,
		cmd_delete_vhost_parsed, "delete a vhost-user interface (its socket file stays)" },
	{ { "set", "interface", "state" },
		{ { &t_if, "<interface>", NULL }, { &t_rest_updown, "up|down", "up | down" } },
		false, cmd_set_state_parsed, "admin state (start/stop the port)" },
	{ { "set", "interface", "l2", "xconnect" },
		{ { &t_if, "<interface>", NULL }, { &t_rest_if, "<peer-interface>", NULL } },
		false, cmd_set_xconnect_parsed, "send what arrives on the interface to the peer" },
	{ { "set", "interface", "l2", "bridge" },
		{ { &t_if, "<interface>", NULL }, { &t_rest_any, "<bd-id>", NULL } }, false,
		cmd_set_bridge_parsed,
		"make the interface a member of a bridge domain (MAC learning, flooding)" },
	{ { "set", "interface", "l3" }, { { &t_rest_if, "<interface>", NULL } }, false,
		cmd_set_l3_parsed, "leave xconnect / bridge: what arrives is dropped" },
	{ { "set", "interface", "rx-mode" },
		{ { &t_if, "<interface>", NULL },
			{ &t_rest_rx_mode, "[queue <n>] [polling | interrupt | adaptive]",
				"polling | interrupt | adaptive" } },
		false, cmd_set_rx_mode_parsed,
		"poll the rx queues, or sleep until the guest kicks (interrupt), or poll "
		"while frames come and sleep when idle (adaptive); all queues unless one "
		"is given" },
	{ { "show", "interface", "rx-placement" }, { CLI_ARG_END }, false,
		cmd_show_rx_placement_parsed,
		"the rx queues each thread polls, and their rx-mode" },
	{ { "show", "interface" }, { { &t_rest_show_if, "[<interface> ...]", NULL } }, true,
		cmd_show_if_parsed, "name, sw_if_index, state, counters" },
	{ { "show", "bridge-domain" }, { { &t_rest_bd, "[<bd-id> [detail]]", NULL } }, true,
		cmd_show_bd_parsed, "bridge domains, members with detail" },
	{ { "show", "l2fib" }, { CLI_ARG_END }, false, cmd_show_l2fib_parsed,
		"the MAC addresses the bridge domains learned" },
	{ { "set", "bridge-domain", "mac-age" },
		{ { &t_bd_id, "<bd-id>", NULL }, { &t_rest_minutes, "<minutes>", NULL } }, false,
		cmd_set_mac_age_parsed, "MAC aging (0 = off)" },
	{ { "exec" }, { { &t_rest_file, "<file>", NULL } }, false, cmd_exec_parsed,
		"run the commands in file (# comments; stops at the first failing line)" },
	{ { "quit" }, { CLI_ARG_END }, false, cmd_quit_parsed,
		"stop the ports, close the sockets and exit" },
	{ { "help" }, { CLI_ARG_END }, false, cmd_help_parsed, "this list" },
};

/* Where VPP's message for a prefix says more than the words that may follow. */
static const struct cli_prefix_hint cli_hints[] = {
	{ "create", "create vhost-user ..." },
	{ "debug", "debug vhost-user <on | off>" },
	{ "delete", "delete vhost-user ..." },
};

/* Each command, its optional form, its shorter forms and those of its prefixes. */
#define CLI_CTX_MAX	128

cmdline_parse_ctx_t cli_ctx[CLI_CTX_MAX + 1];

int
cli_cmds_init(void)
{
	static const struct cli_cmd_table t = {
		cli_cmds, RTE_DIM(cli_cmds), cli_hints, RTE_DIM(cli_hints)
	};
	static int built;

	if (built == 0)
		built = cli_ctx_build(cli_ctx, CLI_CTX_MAX, &t) == 0 ? 1 : -1;
	return built > 0 ? 0 : -ENOMEM;
}
