/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vhostu shell: VPP's vhost-user commands on DPDK's librte_cmdline.
 * This is its interface to the application: start-up, the ops it gives the
 * shell, running lines and files, and the interface table and placement
 * that the forwarding layer reads. What the library's own files share
 * (tokens, formats, parsers, the shell's state) is in cli_internal.h.
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
#include <stddef.h>
#include <stdint.h>

#include <cmdline_parse.h>
#include <rte_config.h>
#include <rte_ether.h>

#include <rte_pmd_vhostu.h>

struct cmdline;
struct rte_mempool;

#define CLI_IF_NAMESIZE		64
#define CLI_VDEV_NAMESIZE	64
/*
 * sw_if_index 1..CLI_MAX_IF. Every interface is a DPDK port, so the table
 * holds as many as the DPDK vhostu is built with has ports (32 for Debian's;
 * scripts/setup.sh --max-ports N builds one with more).
 */
#define CLI_MAX_IF		RTE_MAX_ETHPORTS
#define CLI_MAX_THREADS		128	/* thread 0 = main lcore, workers 1.. */
#define CLI_MAX_RXQ		(RTE_PMD_VHOSTU_MAX_VRINGS / 2)
#define CLI_REST_SIZE		4096	/* the rest of a line, with its NUL */
/* The longest command line, without its newline (files and stdin). */
#define CLI_LINE_MAX		(CLI_REST_SIZE - 2)

/* --- the interface table: what the shell publishes through apply() --- */

/* What an interface does with what it receives. */
enum cli_l2_mode {
	CLI_L2_NONE,		/* l3: drop */
	CLI_L2_XCONNECT,	/* send to xc_sw_if_index */
	CLI_L2_BRIDGE,		/* switch in bridge domain bd_id */
};

/* How a worker waits for an rx queue (VPP's rx-mode). */
enum cli_rx_mode {
	CLI_RX_POLLING,		/* polled all the time */
	CLI_RX_INTERRUPT,	/* its worker sleeps until the guest kicks */
	CLI_RX_ADAPTIVE,	/* polled while frames come, interrupt when idle */
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
	uint8_t rx_mode[CLI_MAX_RXQ];	/* enum cli_rx_mode, per rx queue */
	bool opt_packed;	/* vhost: created with `packed`, `event-idx` (show says so) */
	bool opt_event_idx;
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

/* An empty table (cli_iftable.c, pure, as the rest of this section). */
void cli_iftable_init(struct cli_iftable *t);

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

/* Lookups; NULL when there is none (cli_internal.h has forms that may change it). */
const struct cli_if *cli_iftable_by_name(const struct cli_iftable *t, const char *name);
const struct cli_if *cli_iftable_by_sw_if_index(const struct cli_iftable *t,
		uint32_t sw_if_index);
const struct cli_if *cli_iftable_by_port(const struct cli_iftable *t, uint16_t port_id);
const struct cli_if *cli_iftable_by_socket(const struct cli_iftable *t, const char *path);

/* --- placement (cli_place.c, pure): VPP's, computed by the forwarding layer --- */
struct cli_vring_place {
	uint16_t thread;
	uint16_t vring;
	uint8_t mode;		/* rx: enum cli_rx_mode (the shell fills it in for show) */
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

/* --- the world the commands act on --- */
struct cli_if_stats {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	uint64_t drops, tx_error, rx_miss;
};

struct cli_port_ops {
	/*
	 * rte_vdev_init + configure + queue setup, port left stopped. -ENOSPC
	 * means one thing only: every DPDK port is in use (nothing was made).
	 */
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
	const struct cli_port_ops *port;	/* NULL: the real ports (cli_port.c) */
	const struct cli_fwd_ops *fwd;
	struct rte_mempool *mp;			/* for the default port ops */
};

/* --- the shell --- */
int cli_init(const struct cli_config *cfg);
/* Put the ports that exist already (EAL --vdev) in the table, in port order. */
int cli_scan_ports(void);
/* Stop and remove every interface (quit). */
void cli_fini(void);

/* The command list for cmdline_new(); cli_init() fills it (a cmdline may be made before). */
extern cmdline_parse_ctx_t cli_ctx[];

/*
 * Run one command line (no newline needed). 0 on success, -1 if it did not
 * parse or the command failed (the error is printed with err_prefix).
 */
int cli_run_line(struct cmdline *cl, const char *line);
/* cli_run_line() with its errors starting with err_prefix ("FILE:LINE: "), as a file's do. */
int cli_run_line_prefixed(struct cmdline *cl, const char *line, const char *err_prefix);
/* Run a command file; stops at the first failing line. 0 or -1. */
int cli_exec_file(struct cmdline *cl, const char *path);

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

/*
 * --- telemetry (cli_telemetry.c): the shell's state as DPDK telemetry data ---
 * They read the interface table and the ports as the commands do: call them
 * where commands run (the application's main lcore), never from the
 * telemetry thread itself.
 */
struct rte_tel_data;

/* /vhostu/interfaces: every interface's name, in sw_if_index order. */
int cli_tel_interfaces(struct rte_tel_data *d);
/* /vhostu/interface,NAME: what show interface and show vhost-user show. 0 or -ENOENT. */
int cli_tel_interface(const char *name, struct rte_tel_data *d);

#endif /* CLI_H */
