/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vhostu shell: VPP's vhost-user commands on DPDK's librte_cmdline.
 *
 * The library holds the interface table (VirtualEthernet0/0/N <-> sw_if_index
 * <-> DPDK port), the commands and the show formats. It reaches the ports
 * through struct cli_port_ops (ethdev + rte_pmd_vhostu.h; cli_port.c has the
 * real ones) and the application's forwarding through struct cli_fwd_ops, so
 * that the commands can be tested with fakes and without EAL.
 */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cmdline_parse.h>
#include <rte_ether.h>

#include <rte_pmd_vhostu.h>

struct cmdline;
struct rte_mempool;

#define CLI_IF_NAME_PREFIX	"VirtualEthernet0/0/"
#define CLI_IF_NAMESIZE		64
#define CLI_VDEV_NAMESIZE	64
#define CLI_MAX_IF		128	/* sw_if_index 1..CLI_MAX_IF */
#define CLI_MAX_THREADS		128	/* thread 0 = main lcore, workers 1.. */
#define CLI_MAX_RXQ		(RTE_PMD_VHOSTU_MAX_VRINGS / 2)
#define CLI_VDEV_PREFIX		"net_vhostu_if"
#define CLI_DEFAULT_QUEUES	8	/* queue pairs offered, as VPP */
#define CLI_BD_ID_MAX		16777215u
#define CLI_DEFAULT_MAC_AGE_MIN	5	/* bridge-domain MAC aging, minutes */
#define CLI_EXEC_DEPTH_MAX	8
#define CLI_WORD_SIZE		256	/* one word of a command, with its NUL */
#define CLI_REST_SIZE		4096	/* the rest of a line, with its NUL */

/* What an interface does with what it receives. */
enum cli_l2_mode {
	CLI_L2_NONE,		/* l3: drop */
	CLI_L2_XCONNECT,	/* send to xc_sw_if_index */
	CLI_L2_BRIDGE,		/* switch in bridge domain bd_id */
};

struct cli_if {
	bool used;
	bool is_vhost;		/* a net_vhostu port (else named by its ethdev name) */
	bool from_shell;	/* made by `create vhost-user` (vs EAL --vdev) */
	bool admin_up;
	bool deleting;		/* leaving: the forwarding layer must drop it */
	uint32_t sw_if_index;
	uint32_t instance;	/* N of VirtualEthernet0/0/N */
	uint16_t port_id;
	char name[CLI_IF_NAMESIZE];
	char vdev[CLI_VDEV_NAMESIZE];
	char socket[RTE_PMD_VHOSTU_PATH_MAX];	/* vhost: its socket path */
	enum cli_l2_mode l2_mode;
	uint32_t xc_sw_if_index;
	uint32_t bd_id;
};

/* A bridge domain: made by its first member, gone with its last. */
struct cli_bd {
	uint32_t bd_id;
	uint32_t mac_age_min;	/* 0: off */
};

/*
 * Slot i holds sw_if_index i + 1 (VPP's index 0 is local0). The bridge
 * domains, by id, are part of it: what apply() publishes is the whole
 * configuration; the forwarding side keeps only run-time state.
 */
struct cli_iftable {
	struct cli_if ifs[CLI_MAX_IF];
	uint16_t n_bds;
	struct cli_bd bds[CLI_MAX_IF];
};

/* --- interface table (cli_iftable.c, pure) --- */
void cli_iftable_init(struct cli_iftable *t);
bool cli_iftable_instance_used(const struct cli_iftable *t, uint32_t instance);
uint32_t cli_iftable_next_instance(const struct cli_iftable *t);
/* Add a vhost interface; instance < 0 picks the next free one. 0 or -ENOSPC. */
int cli_iftable_add_vhost(struct cli_iftable *t, uint16_t port_id, int64_t instance,
		const char *vdev, struct cli_if **out);
/* Add another DPDK port under its own name. 0 or -ENOSPC. */
int cli_iftable_add_other(struct cli_iftable *t, uint16_t port_id, const char *name,
		struct cli_if **out);
void cli_iftable_del(struct cli_iftable *t, struct cli_if *ifp);

/* The first used slot at or after slot, or CLI_MAX_IF when there is none. */
int cli_iftable_next(const struct cli_iftable *t, int slot);

/*
 * Every used interface of t, in sw_if_index order; ifp is a const pointer
 * for a const table. The body may delete ifp (cli_iftable_del). t is
 * evaluated more than once.
 */
#define CLI_IFTABLE_FOREACH(t, ifp) \
	for ((ifp) = &(t)->ifs[cli_iftable_next((t), 0)]; \
			(ifp) < &(t)->ifs[CLI_MAX_IF]; \
			(ifp) = &(t)->ifs[cli_iftable_next((t), (int)((ifp) - (t)->ifs) + 1)])

/* Lookups; NULL when there is none. The _mut forms are for callers that change it. */
const struct cli_if *cli_iftable_by_name(const struct cli_iftable *t, const char *name);
struct cli_if *cli_iftable_by_name_mut(struct cli_iftable *t, const char *name);
const struct cli_if *cli_iftable_by_sw_if_index(const struct cli_iftable *t,
		uint32_t sw_if_index);
struct cli_if *cli_iftable_by_sw_if_index_mut(struct cli_iftable *t, uint32_t sw_if_index);
const struct cli_if *cli_iftable_by_port(const struct cli_iftable *t, uint16_t port_id);
const struct cli_if *cli_iftable_by_socket(const struct cli_iftable *t, const char *path);
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
};

int cli_parse_u64(const char *s, int base, uint64_t max, uint64_t *out);
int cli_parse_mac(const char *s, struct rte_ether_addr *mac);
int cli_parse_create(const char *line, struct cli_create_args *a, char *err, size_t errlen);
int cli_create_devargs(const struct cli_create_args *a, char *buf, size_t len);
/* Split line into at most max words (modifies line). Returns the count, or -E2BIG. */
int cli_split(char *line, char **words, int max);

/* --- placement (cli_place.c, pure) --- */
struct cli_vring_place {
	uint16_t thread;
	uint16_t vring;
};

struct cli_placement {
	uint16_t n_rx;
	struct cli_vring_place rx[CLI_MAX_RXQ];
	uint16_t n_tx;
	struct cli_vring_place tx[CLI_MAX_THREADS];
	bool tx_spinlock;
};

/*
 * VPP's tx placement: threads 0..n_threads-1 take the enabled queues (bits of
 * enabled_txq) in turn; a queue taken by two threads means spin-lock.
 */
void cli_place_tx(uint32_t enabled_txq, uint16_t n_threads, struct cli_placement *p);
/* tx queue of each thread (queue index, not vring), as cli_place_tx chose. */
uint16_t cli_place_tx_queue(const struct cli_placement *p, uint16_t thread);
/* Round-robin rx placement: the next rx queue goes to worker 1 + (*rr % n_workers). */
uint16_t cli_place_rx_next(uint32_t *rr, uint16_t n_workers);

/* --- formatting (cli_format.c, pure: prints through cmdline_printf) --- */
struct cli_vhost_show {
	const char *name;
	uint32_t ifindex;
	const struct rte_pmd_vhostu_info *info;
	const struct cli_placement *place;
};

struct cli_if_stats {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	uint64_t drops, tx_error, rx_miss;
};

const char *cli_virtio_feature_name(unsigned int bit);
const char *cli_protocol_feature_name(unsigned int bit);
void cli_fmt_global(struct cmdline *cl, uint32_t frames, double time_s);
void cli_fmt_features(struct cmdline *cl, const struct rte_pmd_vhostu_info *info);
void cli_fmt_socket(struct cmdline *cl, const struct rte_pmd_vhostu_info *info);
void cli_fmt_placement(struct cmdline *cl, const struct cli_placement *p);
void cli_fmt_regions(struct cmdline *cl, const struct rte_pmd_vhostu_info *info);
void cli_fmt_vring(struct cmdline *cl, uint32_t q, const struct rte_pmd_vhostu_vring *v);
void cli_fmt_descriptors(struct cmdline *cl, const struct rte_pmd_vhostu_desc *d, uint32_t n);
/* Everything of one interface but the descriptor tables. */
void cli_fmt_vhost_head(struct cmdline *cl, const struct cli_vhost_show *s);
void cli_fmt_if_header(struct cmdline *cl);
void cli_fmt_if_row(struct cmdline *cl, const char *name, uint32_t sw_if_index, bool up,
		const struct cli_if_stats *st);
void cli_fmt_center(char *buf, size_t len, const char *s, unsigned int width);
struct cli_bd_info;
struct cli_l2fib_entry;
void cli_fmt_bd_header(struct cmdline *cl);
void cli_fmt_bd_row(struct cmdline *cl, const struct cli_bd_info *bd, uint32_t index);
void cli_fmt_bd_member(struct cmdline *cl, const char *name, const char *sw, const char *isn,
		const char *shg, const char *bvi, const char *txflood, const char *vtr);
void cli_fmt_l2fib_header(struct cmdline *cl);
void cli_fmt_l2fib_row(struct cmdline *cl, const struct cli_l2fib_entry *e, uint32_t sw_if_index,
		const char *name);

/* --- the world the commands act on --- */
struct cli_port_ops {
	/* rte_vdev_init + configure + queue setup, port left stopped. */
	int (*create)(const char *vdev, const char *devargs, uint16_t *port_id);
	/* close + rte_vdev_uninit (the port is stopped). */
	int (*destroy)(uint16_t port_id, const char *vdev);
	int (*start)(uint16_t port_id);
	int (*stop)(uint16_t port_id);
	int (*info)(uint16_t port_id, struct rte_pmd_vhostu_info *info);
	int (*descriptors)(uint16_t port_id, uint16_t vring, struct rte_pmd_vhostu_desc *d,
			uint32_t max);
	int (*stats)(uint16_t port_id, struct cli_if_stats *st);
	void (*set_debug)(bool on);
	void (*coalesce)(uint32_t *frames, double *time_s);
};

struct cli_l2fib_entry {
	struct rte_ether_addr mac;
	uint32_t bd_id;
	uint16_t port_id;
	uint32_t age_s;
};

struct cli_bd_info {
	uint32_t bd_id;
	uint32_t mac_age_min;	/* 0: off */
	bool learn;
	bool flood;
};

struct cli_fwd_ops {
	/*
	 * Publish the interface table to the workers. It cannot fail: when it
	 * returns, no worker polls or sends to an interface that is down,
	 * deleting or gone, and every bridge domain of t has its MAC table if
	 * bd_prepare() said yes for it.
	 */
	void (*apply)(const struct cli_iftable *t);
	/* Before an interface joins bd_id: what apply() will need for it. 0 or -errno. */
	int (*bd_prepare)(uint32_t bd_id);
	/* Re-read the ports' vring state now (placement follows the frontends). */
	void (*refresh)(void);
	void (*placement)(uint16_t port_id, struct cli_placement *p);
	/* Frames the switch dropped: received (no l2 mode, no peer) / not sent. */
	void (*drops)(uint16_t port_id, uint64_t *rx_drops, uint64_t *tx_errors);
	int (*l2fib)(struct cli_l2fib_entry *out, uint32_t max);
	void (*quit)(void);
};

struct cli_config {
	const struct cli_port_ops *port;	/* NULL: cli_port_default_ops() */
	const struct cli_fwd_ops *fwd;
	struct rte_mempool *mp;			/* for the default port ops */
};

/* The shell's state: one per process. */
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

int cli_init(const struct cli_config *cfg);
/* Put the ports that exist already (EAL --vdev) in the table, in port order. */
int cli_scan_ports(void);
/* Stop and remove every interface (quit). */
void cli_fini(void);
const struct cli_port_ops *cli_port_default_ops(void);
int cli_port_configure(uint16_t port_id, struct rte_mempool *mp);

/* The command list for cmdline_new(). */
extern cmdline_parse_ctx_t cli_ctx[];

/* Sync the bridge domains with their members and publish the table. */
void cli_apply(void);

/* Report a failed command: prints err_prefix + message, sets cli_main.failed. */
void cli_error(struct cmdline *cl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Run one command line (no newline needed). 0 on success, -1 if it did not
 * parse or the command failed (the error is printed with err_prefix).
 */
int cli_run_line(struct cmdline *cl, const char *line);
/* Run a command file; stops at the first failing line. 0 or -1. */
int cli_exec_file(struct cmdline *cl, const char *path);

/* The longest command line, without its newline (files and stdin). */
#define CLI_LINE_MAX	(CLI_REST_SIZE - 2)

/*
 * Commands that arrive in pieces (stdin as a pipe): each complete line runs;
 * a line longer than CLI_LINE_MAX is refused whole, with an error, and what
 * is left of it up to its newline is dropped, never run.
 */
struct cli_lines {
	char buf[CLI_LINE_MAX + 1];
	size_t have;
	bool skipping;		/* inside a refused line */
};

void cli_lines_feed(struct cmdline *cl, struct cli_lines *l, const char *data, size_t n);
/* End of input: run the last line if it had no newline. */
void cli_lines_end(struct cmdline *cl, struct cli_lines *l);

/* Commands (cli_vhost.c, cli_interface.c): the logic the tokens call. */
int cli_vhost_create(struct cmdline *cl, const struct cli_create_args *a);
int cli_vhost_delete(struct cmdline *cl, struct cli_if *ifp);
/* Show ifs[0..n), or every vhost interface when n is 0. */
int cli_vhost_show(struct cmdline *cl, const struct cli_if *const *ifs, int n, bool descriptors);
int cli_if_set_state(struct cmdline *cl, struct cli_if *ifp, bool up);
int cli_if_set_l2(struct cmdline *cl, struct cli_if *ifp, enum cli_l2_mode mode,
		uint32_t xc_sw_if_index, uint32_t bd_id);
/* Show ifs[0..n), or every interface when n is 0. */
int cli_if_show(struct cmdline *cl, const struct cli_if *const *ifs, int n);
int cli_bd_show(struct cmdline *cl, uint32_t bd_id, bool detail);
int cli_bd_set_age(struct cmdline *cl, uint32_t bd_id, uint32_t minutes);
int cli_l2fib_show(struct cmdline *cl);
#define CLI_L2FIB_SHOW_MAX	65536

/* Token type: one word (or, multi, the rest of the line) with completion. */
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

#endif /* CLI_H */
