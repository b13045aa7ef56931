/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What lib/cli's files share, and its white-box tests read: the shell's
 * state, changing the interface table, argument parsing, the show formats,
 * the logic behind the commands and the token type. The application uses
 * cli.h only.
 */
#ifndef CLI_INTERNAL_H
#define CLI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmdline_parse.h>
#include <cmdline_parse_string.h>
#include <rte_ether.h>

#include <rte_pmd_vhostu.h>

#include "cli.h"

#define CLI_IF_NAME_PREFIX	"VirtualEthernet0/0/"
#define CLI_VDEV_PREFIX		"net_vhostu_if"
#define CLI_DEFAULT_QUEUES	8	/* queue pairs offered, as VPP */
#define CLI_BD_ID_MAX		16777215u
#define CLI_DEFAULT_MAC_AGE_MIN	5	/* bridge-domain MAC aging, minutes */
#define CLI_EXEC_DEPTH_MAX	8
#define CLI_WORD_SIZE		256	/* one word of a command, with its NUL */

/* --- changing the interface table (cli_iftable.c, pure) --- */
bool cli_iftable_instance_used(const struct cli_iftable *t, uint32_t instance);
uint32_t cli_iftable_next_instance(const struct cli_iftable *t);
/* Add a vhost interface; instance < 0 picks the next free one. 0 or -ENOSPC. */
int cli_iftable_add_vhost(struct cli_iftable *t, uint16_t port_id, int64_t instance,
		const char *vdev, struct cli_if **out);
/* Add another DPDK port under its own name. 0 or -ENOSPC. */
int cli_iftable_add_other(struct cli_iftable *t, uint16_t port_id, const char *name,
		struct cli_if **out);
void cli_iftable_del(struct cli_iftable *t, struct cli_if *ifp);
/* cli_iftable_by_name / _by_sw_if_index for callers that change what they find. */
struct cli_if *cli_iftable_by_name_mut(struct cli_iftable *t, const char *name);
struct cli_if *cli_iftable_by_sw_if_index_mut(struct cli_iftable *t, uint32_t sw_if_index);
/*
 * Make bds match the members: a domain for every bd_id a bridge interface
 * (up or down) has, with the default MAC age when new; none without members.
 */
void cli_iftable_bd_sync(struct cli_iftable *t);
const struct cli_bd *cli_iftable_bd(const struct cli_iftable *t, uint32_t bd_id);
struct cli_bd *cli_iftable_bd_mut(struct cli_iftable *t, uint32_t bd_id);

/* --- argument parsing (cli_args.c, pure) --- */
struct cli_create_args {
	char socket[RTE_PMD_VHOSTU_PATH_MAX];
	bool server;
	bool has_feature_mask;
	uint64_t feature_mask;
	bool has_hwaddr;
	struct rte_ether_addr hwaddr;
	bool has_renumber;
	uint32_t renumber;
	uint16_t queues;
	bool packed;		/* VPP 20+'s options: accepted, nothing to enable (on by default) */
	bool event_idx;
};

/*
 * The options of `create vhost-user`, in the order help shows them: kind
 * (NEEDED: must be given, with a value; VALUE: takes a value; FLAG: takes
 * none), the word, the name of its value in help, its parser (cli_args.c).
 * Parsing, completion of the words and the help text all come from here.
 */
#define CLI_CREATE_OPTIONS(X) \
	X(NEEDED, "socket", "<socket-filename>", cli_opt_socket) \
	X(FLAG, "server", NULL, cli_opt_server) \
	X(VALUE, "feature-mask", "<hex>", cli_opt_feature_mask) \
	X(VALUE, "hwaddr", "<mac-addr>", cli_opt_hwaddr) \
	X(VALUE, "renumber", "<dev_instance>", cli_opt_renumber) \
	X(FLAG, "gso", NULL, cli_opt_gso) \
	X(VALUE, "queues", "<n>", cli_opt_queues) \
	X(FLAG, "packed", NULL, cli_opt_packed) \
	X(FLAG, "event-idx", NULL, cli_opt_event_idx)

#define CLI_CREATE_USAGE_NEEDED(word, value)	" " word " " value
#define CLI_CREATE_USAGE_VALUE(word, value)	" [" word " " value "]"
#define CLI_CREATE_USAGE_FLAG(word, value)	" [" word "]"
#define CLI_CREATE_USAGE_OF(kind, word, value, parse) CLI_CREATE_USAGE_##kind(word, value)
/* " socket <socket-filename> [server] ...": a string literal, for help strings. */
#define CLI_CREATE_USAGE	CLI_CREATE_OPTIONS(CLI_CREATE_USAGE_OF)
#define CLI_CREATE_NEEDS_NEEDED(word, value)	" " word " " value
#define CLI_CREATE_NEEDS_VALUE(word, value)	""
#define CLI_CREATE_NEEDS_FLAG(word, value)	""
#define CLI_CREATE_NEEDS_OF(kind, word, value, parse) CLI_CREATE_NEEDS_##kind(word, value)
/* " socket <socket-filename>": the options that must be given. */
#define CLI_CREATE_NEEDS	CLI_CREATE_OPTIONS(CLI_CREATE_NEEDS_OF)

/* The option words of CLI_CREATE_OPTIONS, NULL-terminated (for completion). */
extern const char *const cli_create_words[];

int cli_parse_u64(const char *s, int base, uint64_t max, uint64_t *out);
int cli_parse_mac(const char *s, struct rte_ether_addr *mac);
/* The options of create vhost-user (CLI_CREATE_OPTIONS) in any order. 0 or -EINVAL and err. */
int cli_parse_create(const char *line, struct cli_create_args *a, char *err, size_t errlen);
int cli_create_devargs(const struct cli_create_args *a, char *buf, size_t len);
/* Split line into at most max words (modifies line). Returns the count, or -E2BIG. */
int cli_split(char *line, char **words, int max);

/* --- formatting (cli_format.c, pure: prints through cmdline_printf) --- */
struct cli_vhost_show {
	const char *name;
	uint32_t ifindex;
	const struct rte_pmd_vhostu_info *info;
	const struct cli_placement *place;
	bool packed;		/* created with `packed` / `event-idx`: VPP says so */
	bool event_idx;
};

struct cli_bd_info {
	uint32_t bd_id;
	uint32_t mac_age_min;	/* 0: off */
	bool learn;
	bool flood;
};

const char *cli_virtio_feature_name(unsigned int bit);
const char *cli_protocol_feature_name(unsigned int bit);
void cli_fmt_global(struct cmdline *cl, uint32_t frames, double time_s);
void cli_fmt_features(struct cmdline *cl, const struct rte_pmd_vhostu_info *info);
void cli_fmt_socket(struct cmdline *cl, const struct rte_pmd_vhostu_info *info);
void cli_fmt_placement(struct cmdline *cl, const struct cli_placement *p);
/* "polling", "interrupt", "adaptive". */
const char *cli_rx_mode_name(unsigned int mode);
/* show interface rx-placement: "Thread 1 (vpp_wk_0):", then its nodes and queues. */
void cli_fmt_rxp_thread(struct cmdline *cl, uint16_t thread);
void cli_fmt_rxp_node(struct cmdline *cl, const char *node);
void cli_fmt_rxp_queue(struct cmdline *cl, const char *name, uint16_t queue, unsigned int mode);
void cli_fmt_regions(struct cmdline *cl, const struct rte_pmd_vhostu_info *info);
void cli_fmt_vring(struct cmdline *cl, uint32_t q, const struct rte_pmd_vhostu_vring *v);
/* Packed rings: d[i].next is the buffer id (rte_pmd_vhostu_get_descriptors). */
void cli_fmt_descriptors(struct cmdline *cl, const struct rte_pmd_vhostu_desc *d, uint32_t n,
		bool packed);
/* Everything of one interface but the descriptor tables. */
void cli_fmt_vhost_head(struct cmdline *cl, const struct cli_vhost_show *s);
void cli_fmt_if_header(struct cmdline *cl);
void cli_fmt_if_row(struct cmdline *cl, const char *name, uint32_t sw_if_index, bool up,
		const struct cli_if_stats *st);
void cli_fmt_center(char *buf, size_t len, const char *s, unsigned int width);
void cli_fmt_bd_header(struct cmdline *cl);
void cli_fmt_bd_row(struct cmdline *cl, const struct cli_bd_info *bd, uint32_t index);
void cli_fmt_bd_member(struct cmdline *cl, const char *name, const char *sw, const char *isn,
		const char *shg, const char *bvi, const char *txflood, const char *vtr);
void cli_fmt_l2fib_header(struct cmdline *cl);
void cli_fmt_l2fib_row(struct cmdline *cl, const struct cli_l2fib_entry *e, uint32_t sw_if_index,
		const char *name);

/* --- the shell's state (cli_main.c): one per process --- */
struct cli_main {
	struct cli_iftable ift;
	const struct cli_port_ops *port;
	const struct cli_fwd_ops *fwd;
	struct rte_mempool *mp;
	uint32_t vdev_seq;	/* next net_vhostu_if<k> */
	int failed;		/* set by a command that failed */
	char err_prefix[320];	/* "FILE:LINE: " while running a file */
	int exec_depth;
};

extern struct cli_main cli_main;

const struct cli_port_ops *cli_port_default_ops(void);
int cli_port_configure(uint16_t port_id, struct rte_mempool *mp);

/* Sync the bridge domains with their members and publish the table. */
void cli_apply(void);

/* Report a failed command: prints err_prefix + message, sets cli_main.failed. */
void cli_error(struct cmdline *cl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* --- commands (cli_vhost.c, cli_interface.c): the logic the tokens call --- */
int cli_vhost_create(struct cmdline *cl, const struct cli_create_args *a);
int cli_vhost_delete(struct cmdline *cl, struct cli_if *ifp);
/* ifp's placement as show prints it: the forwarding layer's, with each rx queue's mode. */
void cli_vhost_placement(const struct cli_if *ifp, struct cli_placement *p);
/* Show ifs[0..n), or every vhost interface when n is 0. */
int cli_vhost_show(struct cmdline *cl, const struct cli_if *const *ifs, int n, bool descriptors);
int cli_if_set_state(struct cmdline *cl, struct cli_if *ifp, bool up);
int cli_if_set_l2(struct cmdline *cl, struct cli_if *ifp, enum cli_l2_mode mode,
		uint32_t xc_sw_if_index, uint32_t bd_id);
/* ifp's counters as show interface prints them: the port's, with the switch's drops. */
void cli_if_counters(const struct cli_if *ifp, struct cli_if_stats *st);
/* Show ifs[0..n), or every interface when n is 0. */
int cli_if_show(struct cmdline *cl, const struct cli_if *const *ifs, int n);
/* Queue (or every queue when queue < 0) of ifp to mode; publishes the table. */
int cli_if_set_rx_mode(struct cmdline *cl, struct cli_if *ifp, int queue,
		enum cli_rx_mode mode);
int cli_if_show_rx_placement(struct cmdline *cl);
int cli_bd_show(struct cmdline *cl, uint32_t bd_id, bool detail);
int cli_bd_set_age(struct cmdline *cl, uint32_t bd_id, uint32_t minutes);
int cli_l2fib_show(struct cmdline *cl);
#define CLI_L2FIB_SHOW_MAX	65536

/* --- token type (cli_token.c): one word (or, multi, the rest of the line) --- */
enum cli_token_source {
	CLI_TOKEN_SRC_NONE,
	CLI_TOKEN_SRC_IF,	/* interface names */
	CLI_TOKEN_SRC_LIST,	/* a NULL-terminated list of words */
};

struct cli_token_data {
	enum cli_token_source src;
	const char *const *list;
	bool multi;		/* take the rest of the line */
	bool reject_list;	/* do not match when the first word is in list */
	const char *help;
};

struct cli_token {
	struct cmdline_token_hdr hdr;
	struct cli_token_data data;
};

extern struct cmdline_token_ops cli_token_ops;

/*
 * --- the commands (cli_cmds.c) and what cmdline gets from them (cli_ctx.c) ---
 *
 * A command is its keywords, then at most a word and the rest of the line.
 * From the table come its cmdline instance with the help string, and the
 * forms that say what is wrong: each shorter form of a command reports the
 * missing argument, each prefix of keywords reports what may follow it, and
 * a word no command has there is "unknown input".
 */
#define CLI_CMD_WORDS	4	/* keywords of a command */
#define CLI_CMD_ARGS	2	/* a word (a1), then the rest of the line (rest) */

/* One result layout for every command: keywords by position, then arguments. */
struct cli_res {
	cmdline_fixed_string_t w[CLI_CMD_WORDS];
	char a1[CLI_WORD_SIZE];
	char rest[CLI_REST_SIZE];
};

struct cli_arg {
	struct cli_token *tok;	/* NULL: no more arguments */
	const char *syntax;	/* how help writes it */
	const char *alone;	/* the missing argument when only it is missing; NULL: syntax */
};

struct cli_cmd {
	const char *words[CLI_CMD_WORDS + 1];	/* NULL-terminated */
	struct cli_arg args[CLI_CMD_ARGS];
	bool optional;		/* it runs without its arguments too */
	/* data is this entry */
	void (*f)(void *res, struct cmdline *cl, void *data);
	const char *what;	/* help: what it does */
};

/* A prefix of keywords whose "missing argument" says more than the words that may follow. */
struct cli_prefix_hint {
	const char *prefix;	/* keywords, one space apart */
	const char *missing;
};

struct cli_cmd_table {
	const struct cli_cmd *cmds;
	unsigned int n_cmds;
	const struct cli_prefix_hint *hints;
	unsigned int n_hints;
};

/* Fill ctx (room for max instances and the NULL) from the table. 0, -ENOMEM or -ENOSPC. */
int cli_ctx_build(cmdline_parse_ctx_t *ctx, unsigned int max, const struct cli_cmd_table *t);
/* What "missing argument" says when the last argument of data's command is not there. */
const char *cli_cmd_need(const void *data);
/* Build cli_ctx from the command table, once. 0 or -errno. */
int cli_cmds_init(void);

#endif /* CLI_INTERNAL_H */
