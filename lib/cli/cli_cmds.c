/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command table: tokens, one cmd_<name>_parsed() per command and its
 * cmdline_parse_inst_t with the help string. Callbacks only turn words into
 * arguments; the logic is in cli_vhost.c and cli_interface.c.
 *
 * Every command's last token takes the rest of the line, and each command
 * has shorter forms that report "missing argument", plus catch-alls that
 * report "unknown input": so every error says what was wrong.
 */
#include <stdio.h>
#include <string.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>

#include "cli.h"

/* One result layout for every command: keywords by position, then arguments. */
struct cli_res {
	cmdline_fixed_string_t w0, w1, w2, w3;
	char a1[CLI_WORD_SIZE];
	char rest[CLI_REST_SIZE];
};

#define CLI_KW(tok, field, str) \
	static cmdline_parse_token_string_t tok = \
		TOKEN_STRING_INITIALIZER(struct cli_res, field, str)

#define CLI_ARG(tok, field, src, list, multi, reject, help) \
	static struct cli_token tok = { \
		.hdr = { .ops = &cli_token_ops, .offset = offsetof(struct cli_res, field) }, \
		.data = { src, list, multi, reject, help }, \
	}

#define CLI_T(t) ((void *)&(t))

CLI_KW(t_create, w0, "create");
CLI_KW(t_show, w0, "show");
CLI_KW(t_debug, w0, "debug");
CLI_KW(t_delete, w0, "delete");
CLI_KW(t_set, w0, "set");
CLI_KW(t_exec, w0, "exec");
CLI_KW(t_quit, w0, "quit");
CLI_KW(t_help, w0, "help");
CLI_KW(t_vhost_user, w1, "vhost-user");
CLI_KW(t_interface, w1, "interface");
CLI_KW(t_bridge_domain, w1, "bridge-domain");
CLI_KW(t_l2fib, w1, "l2fib");
CLI_KW(t_state, w2, "state");
CLI_KW(t_l2, w2, "l2");
CLI_KW(t_l3, w2, "l3");
CLI_KW(t_mac_age, w2, "mac-age");
CLI_KW(t_xconnect, w3, "xconnect");
CLI_KW(t_bridge, w3, "bridge");

static const char *const cli_top_words[] = {
	"create", "show", "debug", "delete", "set", "exec", "quit", "help", NULL
};
static const char *const cli_vhost_user_word[] = { "vhost-user", NULL };
static const char *const cli_show_words[] = {
	"vhost-user", "interface", "bridge-domain", "l2fib", NULL
};
static const char *const cli_set_words[] = { "interface", "bridge-domain", NULL };
static const char *const cli_set_if_words[] = { "state", "l2", "l3", NULL };
static const char *const cli_l2_words[] = { "xconnect", "bridge", NULL };
static const char *const cli_bd_set_words[] = { "mac-age", NULL };
static const char *const cli_updown[] = { "up", "down", NULL };
static const char *const cli_onoff[] = { "on", "off", NULL };
static const char *const cli_create_opts[] = {
	"socket", "server", "feature-mask", "hwaddr", "renumber", "queues", NULL
};

CLI_ARG(t_if, a1, CLI_TOKEN_SRC_IF, NULL, false, false, "<interface>");
CLI_ARG(t_bd_id, a1, CLI_TOKEN_SRC_NONE, NULL, false, false, "<bd-id>");
CLI_ARG(t_rest_if, rest, CLI_TOKEN_SRC_IF, NULL, true, false, "<interface> ...");
CLI_ARG(t_rest_any, rest, CLI_TOKEN_SRC_NONE, NULL, true, false, "<arguments>");
CLI_ARG(t_rest_create, rest, CLI_TOKEN_SRC_LIST, cli_create_opts, true, false,
	"socket <socket-filename> [server] [feature-mask <hex>] [hwaddr <mac-addr>] "
	"[renumber <dev_instance>] [queues <n>]");
CLI_ARG(t_rest_updown, rest, CLI_TOKEN_SRC_LIST, cli_updown, true, false, "up|down");
CLI_ARG(t_rest_onoff, rest, CLI_TOKEN_SRC_LIST, cli_onoff, true, false, "on|off");
CLI_ARG(t_rest_file, rest, CLI_TOKEN_SRC_NONE, NULL, true, false, "<file>");
CLI_ARG(t_rest_minutes, rest, CLI_TOKEN_SRC_NONE, NULL, true, false, "<minutes>");
CLI_ARG(t_rest_bd, rest, CLI_TOKEN_SRC_NONE, NULL, true, false, "<bd-id> [detail]");
CLI_ARG(t_bad_top, rest, CLI_TOKEN_SRC_LIST, cli_top_words, true, true, "<command>");
CLI_ARG(t_bad_vu, rest, CLI_TOKEN_SRC_LIST, cli_vhost_user_word, true, true, "vhost-user");
CLI_ARG(t_bad_show, rest, CLI_TOKEN_SRC_LIST, cli_show_words, true, true, "<what>");
CLI_ARG(t_bad_set, rest, CLI_TOKEN_SRC_LIST, cli_set_words, true, true, "<what>");
CLI_ARG(t_bad_set_if, rest, CLI_TOKEN_SRC_LIST, cli_set_if_words, true, true, "<what>");
CLI_ARG(t_bad_l2, rest, CLI_TOKEN_SRC_LIST, cli_l2_words, true, true, "<what>");
CLI_ARG(t_bad_bd_set, rest, CLI_TOKEN_SRC_LIST, cli_bd_set_words, true, true, "<what>");

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
	struct cli_if *ifp = cli_iftable_by_name(&cli_main.ift, name);

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

/* --- shared callbacks --- */

static void
cmd_missing_parsed(void *res __rte_unused, struct cmdline *cl, void *data)
{
	cli_error(cl, "missing argument: %s", (const char *)data);
}

static void
cmd_unknown_parsed(void *res, struct cmdline *cl, void *data __rte_unused)
{
	char *w[1] = { NULL };
	struct cli_res *r = res;

	cli_split(r->rest, w, 1);
	cli_error(cl, "unknown input `%s'", w[0] ? w[0] : r->rest);
}

#define CLI_MISSING(inst, what, ...) \
	static cmdline_parse_inst_t inst = { \
		.f = cmd_missing_parsed, .data = (void *)(what), \
		.help_str = NULL, .tokens = { __VA_ARGS__, NULL }, \
	}

#define CLI_UNKNOWN(inst, ...) \
	static cmdline_parse_inst_t inst = { \
		.f = cmd_unknown_parsed, .data = NULL, \
		.help_str = NULL, .tokens = { __VA_ARGS__, NULL }, \
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

static cmdline_parse_inst_t cmd_create_vhost = {
	.f = cmd_create_vhost_parsed,
	.help_str = "create vhost-user socket <socket-filename> [server] "
		"[feature-mask <hex>] [hwaddr <mac-addr>] [renumber <dev_instance>] "
		"[queues <n>]: create a vhost-user interface VirtualEthernet0/0/N",
	.tokens = { CLI_T(t_create), CLI_T(t_vhost_user), CLI_T(t_rest_create), NULL },
};
CLI_MISSING(cmd_create_vhost_missing, "socket <socket-filename>",
	CLI_T(t_create), CLI_T(t_vhost_user));
CLI_MISSING(cmd_create_missing, "create vhost-user ...", CLI_T(t_create));
CLI_UNKNOWN(cmd_create_unknown, CLI_T(t_create), CLI_T(t_bad_vu));

/* --- show vhost-user --- */

static void
cmd_show_vhost_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cli_res *r = res;
	struct cli_if *ifs[CLI_MAX_IF];
	char *w[CLI_MAX_IF + 1];
	bool descr = false;
	int n, i, k = 0;

	n = data != NULL ? 0 : cli_words(cl, r->rest, w, CLI_MAX_IF + 1, NULL);
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

static cmdline_parse_inst_t cmd_show_vhost = {
	.f = cmd_show_vhost_parsed,
	.help_str = "show vhost-user [<interface> [<interface> [..]]] [descriptors]: "
		"vhost-user state of the interfaces (all if none given)",
	.tokens = { CLI_T(t_show), CLI_T(t_vhost_user), CLI_T(t_rest_if), NULL },
};

static cmdline_parse_inst_t cmd_show_vhost_all = {
	.f = cmd_show_vhost_parsed,
	.data = (void *)1,
	.help_str = "show vhost-user: vhost-user state of every interface",
	.tokens = { CLI_T(t_show), CLI_T(t_vhost_user), NULL },
};

/* --- debug vhost-user --- */

static void
cmd_debug_vhost_parsed(void *res, struct cmdline *cl, void *data __rte_unused)
{
	struct cli_res *r = res;
	char *w[1];

	if (cli_words(cl, r->rest, w, 1, "on | off") < 0)
		return;
	if (strcmp(w[0], "on") != 0 && strcmp(w[0], "off") != 0) {
		cli_error(cl, "unknown input `%s' (on or off)", w[0]);
		return;
	}
	cli_main.port->set_debug(strcmp(w[0], "on") == 0);
}

static cmdline_parse_inst_t cmd_debug_vhost = {
	.f = cmd_debug_vhost_parsed,
	.help_str = "debug vhost-user <on | off>: per-message vhost-user protocol logging",
	.tokens = { CLI_T(t_debug), CLI_T(t_vhost_user), CLI_T(t_rest_onoff), NULL },
};
CLI_MISSING(cmd_debug_vhost_missing, "on | off", CLI_T(t_debug), CLI_T(t_vhost_user));
CLI_MISSING(cmd_debug_missing, "debug vhost-user <on | off>", CLI_T(t_debug));
CLI_UNKNOWN(cmd_debug_unknown, CLI_T(t_debug), CLI_T(t_bad_vu));

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
	ifp = cli_iftable_by_sw_if_index(&cli_main.ift, (uint32_t)v);
	if (ifp == NULL)
		cli_error(cl, "unknown interface: no sw_if_index %s", w[1]);
	else if (!ifp->is_vhost)
		cli_error(cl, "Not a vhost interface");
	return ifp != NULL && ifp->is_vhost ? ifp : NULL;
}

static void
cmd_delete_vhost_parsed(void *res, struct cmdline *cl, void *data __rte_unused)
{
	struct cli_res *r = res;
	struct cli_if *ifp;
	char *w[3];
	int n;

	n = cli_words(cl, r->rest, w, 2, "<interface> | sw_if_index <sw_idx>");
	if (n < 0)
		return;
	ifp = cli_delete_target(cl, w, n);
	if (ifp != NULL)
		cli_vhost_delete(cl, ifp);
}

static cmdline_parse_inst_t cmd_delete_vhost = {
	.f = cmd_delete_vhost_parsed,
	.help_str = "delete vhost-user {<interface> | sw_if_index <sw_idx>}: "
		"delete a vhost-user interface (its socket file stays)",
	.tokens = { CLI_T(t_delete), CLI_T(t_vhost_user), CLI_T(t_rest_if), NULL },
};
CLI_MISSING(cmd_delete_vhost_missing, "<interface> | sw_if_index <sw_idx>",
	CLI_T(t_delete), CLI_T(t_vhost_user));
CLI_MISSING(cmd_delete_missing, "delete vhost-user ...", CLI_T(t_delete));
CLI_UNKNOWN(cmd_delete_unknown, CLI_T(t_delete), CLI_T(t_bad_vu));

/* --- set interface state --- */

static void
cmd_set_state_parsed(void *res, struct cmdline *cl, void *data __rte_unused)
{
	struct cli_res *r = res;
	struct cli_if *ifp;
	char *w[1];

	ifp = cli_lookup_if(cl, r->a1);
	if (ifp == NULL || cli_words(cl, r->rest, w, 1, "up | down") < 0)
		return;
	if (strcmp(w[0], "up") != 0 && strcmp(w[0], "down") != 0) {
		cli_error(cl, "unknown input `%s' (up or down)", w[0]);
		return;
	}
	cli_if_set_state(cl, ifp, strcmp(w[0], "up") == 0);
}

static cmdline_parse_inst_t cmd_set_state = {
	.f = cmd_set_state_parsed,
	.help_str = "set interface state <interface> up|down: admin state (start/stop the port)",
	.tokens = { CLI_T(t_set), CLI_T(t_interface), CLI_T(t_state), CLI_T(t_if),
		CLI_T(t_rest_updown), NULL },
};
CLI_MISSING(cmd_set_state_missing1, "up | down",
	CLI_T(t_set), CLI_T(t_interface), CLI_T(t_state), CLI_T(t_if));
CLI_MISSING(cmd_set_state_missing0, "<interface> up|down",
	CLI_T(t_set), CLI_T(t_interface), CLI_T(t_state));

/* --- set interface l2 xconnect / bridge, set interface l3 --- */

static void
cmd_set_xconnect_parsed(void *res, struct cmdline *cl, void *data __rte_unused)
{
	struct cli_res *r = res;
	struct cli_if *ifp, *peer;
	char *w[1];

	ifp = cli_lookup_if(cl, r->a1);
	if (ifp == NULL || cli_words(cl, r->rest, w, 1, "<peer-interface>") < 0)
		return;
	peer = cli_lookup_if(cl, w[0]);
	if (peer != NULL)
		cli_if_set_l2(cl, ifp, CLI_L2_XCONNECT, peer->sw_if_index, 0);
}

static cmdline_parse_inst_t cmd_set_xconnect = {
	.f = cmd_set_xconnect_parsed,
	.help_str = "set interface l2 xconnect <interface> <peer-interface>: "
		"send what arrives on the interface to the peer",
	.tokens = { CLI_T(t_set), CLI_T(t_interface), CLI_T(t_l2), CLI_T(t_xconnect),
		CLI_T(t_if), CLI_T(t_rest_if), NULL },
};
CLI_MISSING(cmd_set_xconnect_missing1, "<peer-interface>", CLI_T(t_set),
	CLI_T(t_interface), CLI_T(t_l2), CLI_T(t_xconnect), CLI_T(t_if));
CLI_MISSING(cmd_set_xconnect_missing0, "<interface> <peer-interface>", CLI_T(t_set),
	CLI_T(t_interface), CLI_T(t_l2), CLI_T(t_xconnect));

static void
cmd_set_bridge_parsed(void *res, struct cmdline *cl, void *data __rte_unused)
{
	struct cli_res *r = res;
	struct cli_if *ifp;
	uint32_t bd;
	char *w[1];

	ifp = cli_lookup_if(cl, r->a1);
	if (ifp == NULL || cli_words(cl, r->rest, w, 1, "<bd-id>") < 0)
		return;
	if (cli_parse_bd_id(cl, w[0], &bd) == 0)
		cli_if_set_l2(cl, ifp, CLI_L2_BRIDGE, 0, bd);
}

static cmdline_parse_inst_t cmd_set_bridge = {
	.f = cmd_set_bridge_parsed,
	.help_str = "set interface l2 bridge <interface> <bd-id>: "
		"make the interface a member of a bridge domain (MAC learning, flooding)",
	.tokens = { CLI_T(t_set), CLI_T(t_interface), CLI_T(t_l2), CLI_T(t_bridge),
		CLI_T(t_if), CLI_T(t_rest_any), NULL },
};
CLI_MISSING(cmd_set_bridge_missing1, "<bd-id>", CLI_T(t_set), CLI_T(t_interface),
	CLI_T(t_l2), CLI_T(t_bridge), CLI_T(t_if));
CLI_MISSING(cmd_set_bridge_missing0, "<interface> <bd-id>", CLI_T(t_set),
	CLI_T(t_interface), CLI_T(t_l2), CLI_T(t_bridge));
CLI_MISSING(cmd_set_l2_missing, "xconnect | bridge", CLI_T(t_set), CLI_T(t_interface),
	CLI_T(t_l2));
CLI_UNKNOWN(cmd_set_l2_unknown, CLI_T(t_set), CLI_T(t_interface), CLI_T(t_l2),
	CLI_T(t_bad_l2));

static void
cmd_set_l3_parsed(void *res, struct cmdline *cl, void *data __rte_unused)
{
	struct cli_res *r = res;
	struct cli_if *ifp;
	char *w[1];

	if (cli_words(cl, r->rest, w, 1, "<interface>") < 0)
		return;
	ifp = cli_lookup_if(cl, w[0]);
	if (ifp != NULL)
		cli_if_set_l2(cl, ifp, CLI_L2_NONE, 0, 0);
}

static cmdline_parse_inst_t cmd_set_l3 = {
	.f = cmd_set_l3_parsed,
	.help_str = "set interface l3 <interface>: leave xconnect / bridge: "
		"what arrives is dropped",
	.tokens = { CLI_T(t_set), CLI_T(t_interface), CLI_T(t_l3), CLI_T(t_rest_if), NULL },
};
CLI_MISSING(cmd_set_l3_missing, "<interface>", CLI_T(t_set), CLI_T(t_interface),
	CLI_T(t_l3));
CLI_MISSING(cmd_set_if_missing, "state | l2 | l3", CLI_T(t_set), CLI_T(t_interface));
CLI_UNKNOWN(cmd_set_if_unknown, CLI_T(t_set), CLI_T(t_interface), CLI_T(t_bad_set_if));
CLI_MISSING(cmd_set_missing, "interface | bridge-domain", CLI_T(t_set));
CLI_UNKNOWN(cmd_set_unknown, CLI_T(t_set), CLI_T(t_bad_set));

/* --- set bridge-domain mac-age --- */

static void
cmd_set_mac_age_parsed(void *res, struct cmdline *cl, void *data __rte_unused)
{
	struct cli_res *r = res;
	uint32_t bd;
	uint64_t min;
	char *w[1];

	if (cli_parse_bd_id(cl, r->a1, &bd) < 0 ||
			cli_words(cl, r->rest, w, 1, "<minutes>") < 0)
		return;
	if (cli_parse_u64(w[0], 10, 255, &min) < 0) {
		cli_error(cl, "bad mac-age `%s' (minutes, 0..255, 0 = off)", w[0]);
		return;
	}
	cli_bd_set_age(cl, bd, (uint32_t)min);
}

static cmdline_parse_inst_t cmd_set_mac_age = {
	.f = cmd_set_mac_age_parsed,
	.help_str = "set bridge-domain mac-age <bd-id> <minutes>: MAC aging (0 = off)",
	.tokens = { CLI_T(t_set), CLI_T(t_bridge_domain), CLI_T(t_mac_age), CLI_T(t_bd_id),
		CLI_T(t_rest_minutes), NULL },
};
CLI_MISSING(cmd_set_mac_age_missing1, "<minutes>", CLI_T(t_set), CLI_T(t_bridge_domain),
	CLI_T(t_mac_age), CLI_T(t_bd_id));
CLI_MISSING(cmd_set_mac_age_missing0, "<bd-id> <minutes>", CLI_T(t_set),
	CLI_T(t_bridge_domain), CLI_T(t_mac_age));
CLI_MISSING(cmd_set_bd_missing, "mac-age", CLI_T(t_set), CLI_T(t_bridge_domain));
CLI_UNKNOWN(cmd_set_bd_unknown, CLI_T(t_set), CLI_T(t_bridge_domain), CLI_T(t_bad_bd_set));

/* --- show interface / bridge-domain / l2fib --- */

static void
cmd_show_if_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cli_res *r = res;
	struct cli_if *ifs[CLI_MAX_IF];
	char *w[CLI_MAX_IF];
	int n, i;

	n = data != NULL ? 0 : cli_words(cl, r->rest, w, CLI_MAX_IF, NULL);
	if (n < 0)
		return;
	for (i = 0; i < n; i++) {
		ifs[i] = cli_lookup_if(cl, w[i]);
		if (ifs[i] == NULL)
			return;
	}
	cli_if_show(cl, ifs, n);
}

static cmdline_parse_inst_t cmd_show_if = {
	.f = cmd_show_if_parsed,
	.help_str = "show interface [<interface> ...]: name, sw_if_index, state, counters",
	.tokens = { CLI_T(t_show), CLI_T(t_interface), CLI_T(t_rest_if), NULL },
};

static cmdline_parse_inst_t cmd_show_if_all = {
	.f = cmd_show_if_parsed,
	.data = (void *)1,
	.help_str = "show interface: every interface",
	.tokens = { CLI_T(t_show), CLI_T(t_interface), NULL },
};

static void
cmd_show_bd_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cli_res *r = res;
	uint32_t bd = 0;
	char *w[2];
	int n;

	n = data != NULL ? 0 : cli_words(cl, r->rest, w, 2, NULL);
	if (n < 0 || (n > 0 && cli_parse_bd_id(cl, w[0], &bd) < 0))
		return;
	if (n == 2 && strcmp(w[1], "detail") != 0) {
		cli_error(cl, "unknown input `%s'", w[1]);
		return;
	}
	cli_bd_show(cl, bd, n == 2);
}

static cmdline_parse_inst_t cmd_show_bd = {
	.f = cmd_show_bd_parsed,
	.help_str = "show bridge-domain [<bd-id> [detail]]: bridge domains, members with detail",
	.tokens = { CLI_T(t_show), CLI_T(t_bridge_domain), CLI_T(t_rest_bd), NULL },
};

static cmdline_parse_inst_t cmd_show_bd_all = {
	.f = cmd_show_bd_parsed,
	.data = (void *)1,
	.help_str = "show bridge-domain: every bridge domain",
	.tokens = { CLI_T(t_show), CLI_T(t_bridge_domain), NULL },
};

static void
cmd_show_l2fib_parsed(void *res __rte_unused, struct cmdline *cl, void *data __rte_unused)
{
	cli_l2fib_show(cl);
}

static cmdline_parse_inst_t cmd_show_l2fib = {
	.f = cmd_show_l2fib_parsed,
	.help_str = "show l2fib: the MAC addresses the bridge domains learned",
	.tokens = { CLI_T(t_show), CLI_T(t_l2fib), NULL },
};
CLI_MISSING(cmd_show_missing, "vhost-user | interface | bridge-domain | l2fib",
	CLI_T(t_show));
CLI_UNKNOWN(cmd_show_unknown, CLI_T(t_show), CLI_T(t_bad_show));

/* --- exec, quit, help --- */

static void
cmd_exec_parsed(void *res, struct cmdline *cl, void *data __rte_unused)
{
	struct cli_res *r = res;
	char *w[1];

	if (cli_words(cl, r->rest, w, 1, "<file>") < 0)
		return;
	if (cli_exec_file(cl, w[0]) < 0)
		cli_main.failed = 1;
}

static cmdline_parse_inst_t cmd_exec = {
	.f = cmd_exec_parsed,
	.help_str = "exec <file>: run the commands in file (# comments; stops at the first "
		"failing line)",
	.tokens = { CLI_T(t_exec), CLI_T(t_rest_file), NULL },
};
CLI_MISSING(cmd_exec_missing, "<file>", CLI_T(t_exec));

static void
cmd_quit_parsed(void *res __rte_unused, struct cmdline *cl, void *data __rte_unused)
{
	if (cli_main.fwd != NULL && cli_main.fwd->quit != NULL)
		cli_main.fwd->quit();
	cmdline_quit(cl);
}

static cmdline_parse_inst_t cmd_quit = {
	.f = cmd_quit_parsed,
	.help_str = "quit: stop the ports, close the sockets and exit",
	.tokens = { CLI_T(t_quit), NULL },
};

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

static cmdline_parse_inst_t cmd_help = {
	.f = cmd_help_parsed,
	.help_str = "help: this list",
	.tokens = { CLI_T(t_help), NULL },
};

CLI_UNKNOWN(cmd_top_unknown, CLI_T(t_bad_top));

cmdline_parse_ctx_t cli_ctx[] = {
	&cmd_create_vhost, &cmd_show_vhost, &cmd_show_vhost_all, &cmd_debug_vhost,
	&cmd_delete_vhost, &cmd_set_state, &cmd_set_xconnect, &cmd_set_bridge, &cmd_set_l3,
	&cmd_show_if, &cmd_show_if_all, &cmd_show_bd, &cmd_show_bd_all, &cmd_show_l2fib,
	&cmd_set_mac_age, &cmd_exec, &cmd_quit, &cmd_help,
	/* shorter forms: say what is missing or unknown */
	&cmd_create_vhost_missing, &cmd_create_missing, &cmd_create_unknown,
	&cmd_debug_vhost_missing, &cmd_debug_missing, &cmd_debug_unknown,
	&cmd_delete_vhost_missing, &cmd_delete_missing, &cmd_delete_unknown,
	&cmd_set_state_missing1, &cmd_set_state_missing0,
	&cmd_set_xconnect_missing1, &cmd_set_xconnect_missing0,
	&cmd_set_bridge_missing1, &cmd_set_bridge_missing0,
	&cmd_set_l2_missing, &cmd_set_l2_unknown, &cmd_set_l3_missing,
	&cmd_set_if_missing, &cmd_set_if_unknown, &cmd_set_missing, &cmd_set_unknown,
	&cmd_set_mac_age_missing1, &cmd_set_mac_age_missing0, &cmd_set_bd_missing,
	&cmd_set_bd_unknown, &cmd_show_missing, &cmd_show_unknown, &cmd_exec_missing,
	&cmd_top_unknown,
	NULL,
};
