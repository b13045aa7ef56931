/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * show interface, set interface state, l2 xconnect / bridge / l3,
 * show bridge-domain, show l2fib.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmdline.h>

#include "cli_internal.h"

int
cli_if_set_state(struct cmdline *cl, struct cli_if *ifp, bool up)
{
	int ret;

	if (ifp->admin_up == up)
		return 0;
	if (up) {
		ret = cli_main.port->start(ifp->port_id);
		if (ret < 0) {
			cli_error(cl, "%s: cannot start the port: %s", ifp->name, strerror(-ret));
			return -1;
		}
		ifp->admin_up = true;
		cli_apply();
		return 0;
	}
	/* workers first: once apply returns, none touches the port */
	ifp->admin_up = false;
	cli_apply();
	ret = cli_main.port->stop(ifp->port_id);
	if (ret < 0)
		cmdline_printf(cl, "warning: %s: port did not stop cleanly: %s\n", ifp->name,
			strerror(-ret));
	return 0;
}

int
cli_if_set_l2(struct cmdline *cl, struct cli_if *ifp, enum cli_l2_mode mode,
		uint32_t xc_sw_if_index, uint32_t bd_id)
{
	int ret;

	/* the one step that can fail comes before anything changes */
	if (mode == CLI_L2_BRIDGE) {
		ret = cli_main.fwd->bd_prepare(bd_id);
		if (ret < 0) {
			cli_error(cl, "%s: cannot join bridge domain %u: %s", ifp->name, bd_id,
				strerror(-ret));
			return -1;
		}
	}
	ifp->l2_mode = mode;
	ifp->xc_sw_if_index = mode == CLI_L2_XCONNECT ? xc_sw_if_index : 0;
	ifp->bd_id = mode == CLI_L2_BRIDGE ? bd_id : 0;
	cli_apply();
	return 0;
}

/* The rx queues ifp has: a vhost port's queue pairs, else as many as workers poll. */
static int
cli_if_n_rxq(struct cmdline *cl, const struct cli_if *ifp)
{
	static struct rte_pmd_vhostu_info info;
	int ret;

	if (!ifp->is_vhost)
		return CLI_MAX_RXQ;
	ret = cli_main.port->info(ifp->port_id, &info);
	if (ret < 0) {
		cli_error(cl, "%s: cannot read its state: %s", ifp->name, strerror(-ret));
		return -1;
	}
	return RTE_MIN((int)info.max_queue_pairs, CLI_MAX_RXQ);
}

int
cli_if_set_rx_mode(struct cmdline *cl, struct cli_if *ifp, int queue, enum cli_rx_mode mode)
{
	int n = cli_if_n_rxq(cl, ifp), q;

	if (n < 0)
		return -1;
	if (queue >= n) {
		cli_error(cl, "unknown queue %d on interface %s", queue, ifp->name);
		return -1;
	}
	for (q = 0; q < n; q++)
		if (queue < 0 || q == queue)
			ifp->rx_mode[q] = (uint8_t)mode;
	cli_apply();
	return 0;
}

/* One node of one thread: the queues of the interfaces it polls, in table order. */
static void
cli_rxp_node(struct cmdline *cl, uint16_t thread, bool vhost, bool *thread_shown)
{
	static struct cli_placement p;
	const struct cli_if *ifp;
	bool node_shown = false;
	uint16_t i;

	CLI_IFTABLE_FOREACH(&cli_main.ift, ifp) {
		if (ifp->deleting || ifp->is_vhost != vhost)
			continue;
		memset(&p, 0, sizeof(p));
		cli_main.fwd->placement(ifp->port_id, &p);
		for (i = 0; i < p.n_rx && i < CLI_MAX_RXQ; i++) {
			if (p.rx[i].thread != thread)
				continue;
			if (!*thread_shown)
				cli_fmt_rxp_thread(cl, thread);
			if (!node_shown)
				cli_fmt_rxp_node(cl, vhost ? "vhost-user-input" : "dpdk-input");
			*thread_shown = node_shown = true;
			cli_fmt_rxp_queue(cl, ifp->name, p.rx[i].vring / 2,
				ifp->rx_mode[p.rx[i].vring / 2]);
		}
	}
}

/* VPP's show interface rx-placement: per thread, per input node, its queues. */
int
cli_if_show_rx_placement(struct cmdline *cl)
{
	bool shown;
	uint16_t t;

	for (t = 0; t < CLI_MAX_THREADS; t++) {
		shown = false;
		cli_rxp_node(cl, t, false, &shown);
		cli_rxp_node(cl, t, true, &shown);
	}
	return 0;
}

void
cli_if_counters(const struct cli_if *ifp, struct cli_if_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (cli_main.port->stats(ifp->port_id, st) < 0)
		memset(st, 0, sizeof(*st));
	cli_main.fwd->drops(ifp->port_id, &st->drops, &st->tx_error);
}

static void
cli_if_show_one(struct cmdline *cl, const struct cli_if *ifp)
{
	struct cli_if_stats st;

	cli_if_counters(ifp, &st);
	cli_fmt_if_row(cl, ifp->name, ifp->sw_if_index, ifp->admin_up, &st);
}

int
cli_if_show(struct cmdline *cl, const struct cli_if *const *ifs, int n)
{
	const struct cli_if *ifp;
	int i;

	cli_fmt_if_header(cl);
	for (i = 0; i < n; i++)
		cli_if_show_one(cl, ifs[i]);
	if (n == 0)
		CLI_IFTABLE_FOREACH(&cli_main.ift, ifp)
			cli_if_show_one(cl, ifp);
	return 0;
}

static void
cli_bd_show_members(struct cmdline *cl, uint32_t bd_id)
{
	const struct cli_if *ifp;
	char sw[16];

	cmdline_printf(cl, "\n");
	cli_fmt_bd_member(cl, "Interface", "If-idx", "ISN", "SHG", "BVI", "TxFlood",
		"VLAN-Tag-Rewrite");
	CLI_IFTABLE_FOREACH(&cli_main.ift, ifp) {
		if (ifp->l2_mode != CLI_L2_BRIDGE || ifp->bd_id != bd_id)
			continue;
		snprintf(sw, sizeof(sw), "%u", ifp->sw_if_index);
		cli_fmt_bd_member(cl, ifp->name, sw, "0", "0", "-", "*", "none");
	}
}

int
cli_bd_show(struct cmdline *cl, uint32_t bd_id, bool detail)
{
	const struct cli_bd *bd;
	struct cli_bd_info info;
	int i, shown = 0;

	for (i = 0; i < cli_main.ift.n_bds; i++) {
		bd = &cli_main.ift.bds[i];
		if (bd_id != 0 && bd->bd_id != bd_id)
			continue;
		info = (struct cli_bd_info){ bd->bd_id, bd->mac_age_min, true, true };
		if (shown++ == 0 || detail)
			cli_fmt_bd_header(cl);
		cli_fmt_bd_row(cl, &info, (uint32_t)i + 1);
		if (detail)
			cli_bd_show_members(cl, bd->bd_id);
	}
	if (shown == 0 && bd_id != 0) {
		cli_error(cl, "no such bridge domain %u", bd_id);
		return -1;
	}
	if (shown == 0)
		cmdline_printf(cl, "no bridge-domains in use\n");
	return 0;
}

int
cli_bd_set_age(struct cmdline *cl, uint32_t bd_id, uint32_t minutes)
{
	struct cli_bd *bd = cli_iftable_bd_mut(&cli_main.ift, bd_id);

	if (bd == NULL) {
		cli_error(cl, "no bridge domain %u", bd_id);
		return -1;
	}
	bd->mac_age_min = minutes;
	cli_apply();
	return 0;
}

int
cli_l2fib_show(struct cmdline *cl)
{
	struct cli_l2fib_entry *e;
	const struct cli_if *ifp;
	int n, i;

	e = calloc(CLI_L2FIB_SHOW_MAX, sizeof(*e));
	if (e == NULL) {
		cli_error(cl, "out of memory");
		return -1;
	}
	n = cli_main.fwd->l2fib(e, CLI_L2FIB_SHOW_MAX);
	cli_fmt_l2fib_header(cl);
	for (i = 0; i < n; i++) {
		ifp = cli_iftable_by_port(&cli_main.ift, e[i].port_id);
		cli_fmt_l2fib_row(cl, &e[i], ifp ? ifp->sw_if_index : 0,
			ifp ? ifp->name : "DELETED");
	}
	cmdline_printf(cl, "%d l2fib entries\n", n < 0 ? 0 : n);
	free(e);
	return 0;
}
