/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The real port operations: rte_vdev_init / ethdev / rte_pmd_vhostu.h.
 * Ports are configured with every queue the device offers and left stopped
 * (admin-down); `set interface state up` starts them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "cli_internal.h"

#define CLI_RING_SIZE	1024

int
cli_port_configure(uint16_t port_id, struct rte_mempool *mp)
{
	struct rte_eth_dev_info dev_info;
	struct rte_eth_conf conf;
	uint16_t q, nq;
	int ret;

	ret = rte_eth_dev_info_get(port_id, &dev_info);
	if (ret < 0)
		return ret;
	nq = RTE_MIN(dev_info.max_rx_queues, dev_info.max_tx_queues);
	if (nq == 0)
		return -EINVAL;
	memset(&conf, 0, sizeof(conf));
	/* Our own ports can wake a sleeping worker (set interface rx-mode). */
	conf.intr_conf.rxq = strcmp(dev_info.driver_name, "net_vhostu") == 0;
	ret = rte_eth_dev_configure(port_id, nq, nq, &conf);
	for (q = 0; ret == 0 && q < nq; q++) {
		ret = rte_eth_rx_queue_setup(port_id, q, CLI_RING_SIZE,
			rte_eth_dev_socket_id(port_id), NULL, mp);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(port_id, q, CLI_RING_SIZE,
				rte_eth_dev_socket_id(port_id), NULL);
	}
	return ret < 0 ? ret : 0;
}

/* RTE_MAX_ETHPORTS of the ethdev library that runs (rte_eth_find_next: none after). */
static unsigned int
cli_port_max(void)
{
	return rte_eth_find_next(UINT16_MAX);
}

static bool
cli_port_none_left(void)
{
	return rte_eth_dev_count_total() >= cli_port_max();
}

static int
cli_port_create(const char *vdev, const char *devargs, uint16_t *port_id)
{
	int ret;

	/* checked first: no probe, no socket made and removed, no DPDK error line */
	if (cli_port_none_left())
		return -ENOSPC;
	ret = rte_vdev_init(vdev, devargs);
	if (ret < 0 && cli_port_none_left())
		return -ENOSPC;
	if (ret < 0)	/* -ENOSPC is only for ports (a full file system is logged) */
		return ret == -1 ? -EINVAL : ret == -ENOSPC ? -EIO : ret;
	ret = rte_eth_dev_get_port_by_name(vdev, port_id);
	if (ret == 0)
		ret = cli_port_configure(*port_id, cli_main.mp);
	if (ret < 0) {
		if (rte_eth_dev_get_port_by_name(vdev, port_id) == 0)
			rte_eth_dev_close(*port_id);
		rte_vdev_uninit(vdev);
	}
	return ret;
}

static int
cli_port_destroy(uint16_t port_id, const char *vdev)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	int ret;

	if (rte_eth_dev_get_name_by_port(port_id, name) < 0)
		return -ENODEV;
	ret = rte_eth_dev_close(port_id);
	if (rte_vdev_uninit(vdev[0] ? vdev : name) < 0 && ret == 0)
		ret = -EIO;
	return ret;
}

static int
cli_port_start(uint16_t port_id)
{
	return rte_eth_dev_start(port_id);
}

static int
cli_port_stop(uint16_t port_id)
{
	return rte_eth_dev_stop(port_id);
}

static int
cli_port_stats(uint16_t port_id, struct cli_if_stats *st)
{
	struct rte_eth_stats s;
	int ret;

	ret = rte_eth_stats_get(port_id, &s);
	if (ret < 0)
		return ret;
	st->rx_packets = s.ipackets;
	st->rx_bytes = s.ibytes;
	st->tx_packets = s.opackets;
	st->tx_bytes = s.obytes;
	st->rx_miss = s.imissed + s.ierrors + s.rx_nombuf;
	/* tx errors: what the switch could not send, counted by the forwarding layer */
	return 0;
}

static const struct cli_port_ops cli_port_ops_default = {
	.create = cli_port_create,
	.destroy = cli_port_destroy,
	.start = cli_port_start,
	.stop = cli_port_stop,
	.info = rte_pmd_vhostu_get_info,
	.descriptors = rte_pmd_vhostu_get_descriptors,
	.stats = cli_port_stats,
	.set_debug = rte_pmd_vhostu_set_debug,
	.coalesce = rte_pmd_vhostu_get_coalesce,
};

const struct cli_port_ops *
cli_port_default_ops(void)
{
	return &cli_port_ops_default;
}

static int
cli_scan_one(uint16_t port_id)
{
	struct rte_pmd_vhostu_info *info;
	char name[RTE_ETH_NAME_MAX_LEN];
	struct cli_if *ifp;
	int ret;

	if (rte_eth_dev_get_name_by_port(port_id, name) < 0)
		return -ENODEV;
	ret = cli_port_configure(port_id, cli_main.mp);
	if (ret < 0)
		return ret;
	if (!rte_pmd_vhostu_is_vhostu(port_id))
		return cli_iftable_add_other(&cli_main.ift, port_id, name, NULL);
	ret = cli_iftable_add_vhost(&cli_main.ift, port_id, -1, name, &ifp);
	if (ret < 0)
		return ret;
	info = calloc(1, sizeof(*info));
	if (info != NULL && rte_pmd_vhostu_get_info(port_id, info) == 0)
		snprintf(ifp->socket, sizeof(ifp->socket), "%s", info->socket_path);
	free(info);
	return 0;
}

/*
 * The tables of the shell, the forwarding layer and the driver are sized by
 * the RTE_MAX_ETHPORTS vhostu was compiled with; a port id of a library with
 * more would index past them. A build against build-deps/dpdk-N that picks
 * up the system's libraries (or the other way round) stops here.
 */
static int
cli_port_check_limit(void)
{
	if (cli_port_max() == RTE_MAX_ETHPORTS)
		return 0;
	fprintf(stderr, "vhostu: built for a DPDK with %u ports (RTE_MAX_ETHPORTS) but runs "
		"with one of %u: use the DPDK libraries it was built with "
		"(doc/user-guide.md, How many interfaces)\n", (unsigned int)RTE_MAX_ETHPORTS,
		cli_port_max());
	return -ELIBBAD;
}

int
cli_scan_ports(void)
{
	uint16_t port_id;
	int ret;

	ret = cli_port_check_limit();
	if (ret < 0)
		return ret;
	RTE_ETH_FOREACH_DEV(port_id) {
		if (cli_iftable_by_port(&cli_main.ift, port_id) != NULL)
			continue;
		ret = cli_scan_one(port_id);
		if (ret < 0)
			return ret;
	}
	cli_apply();
	return 0;
}

void
cli_fini(void)
{
	struct cli_if *ifp;

	CLI_IFTABLE_FOREACH(&cli_main.ift, ifp)
		ifp->deleting = true;
	cli_apply();
	CLI_IFTABLE_FOREACH(&cli_main.ift, ifp) {
		if (ifp->admin_up)
			cli_main.port->stop(ifp->port_id);
		cli_main.port->destroy(ifp->port_id, ifp->vdev);
		cli_iftable_del(&cli_main.ift, ifp);
	}
	cli_apply();
}
