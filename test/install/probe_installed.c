/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A DPDK application outside the tree: test_install.py builds it against the
 * installed rte_net_vhostu.pc and runs it with --vdev net_vhostu0,...; it
 * must find the port, see that it is net_vhostu and read its snapshot.
 */
#include <stdio.h>

#include <rte_eal.h>
#include <rte_ethdev.h>

#include <rte_pmd_vhostu.h>

int
main(int argc, char **argv)
{
	static struct rte_pmd_vhostu_info info;
	uint16_t port;
	int ret;

	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "probe_installed: EAL initialisation failed\n");
		return 1;
	}
	ret = 1;
	if (rte_eth_dev_get_port_by_name("net_vhostu0", &port) != 0)
		fprintf(stderr, "probe_installed: no port net_vhostu0\n");
	else if (!rte_pmd_vhostu_is_vhostu(port))
		fprintf(stderr, "probe_installed: port %u is not net_vhostu\n", port);
	else if (rte_pmd_vhostu_get_info(port, &info) != 0)
		fprintf(stderr, "probe_installed: no snapshot of port %u\n", port);
	else
		ret = 0;
	if (ret == 0)
		printf("port %u: net_vhostu %s socket %s\n", port,
			info.server ? "server" : "client", info.socket_path);
	rte_eal_cleanup();
	return ret;
}
