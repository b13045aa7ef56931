/* SPDX-License-Identifier: BSD-3-Clause */
/* Device arguments of net_vhostu: parsed and validated, nothing else. */
#ifndef VHOSTU_DEVARGS_H
#define VHOSTU_DEVARGS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#include <rte_ether.h>

#define VHOSTU_ARG_IFACE	"iface"
#define VHOSTU_ARG_SERVER	"server"
#define VHOSTU_ARG_QUEUES	"queues"
#define VHOSTU_ARG_FEATURE_MASK	"feature-mask"
#define VHOSTU_ARG_HWADDR	"hwaddr"
#define VHOSTU_ARG_RECONNECT	"reconnect-ms"
#define VHOSTU_ARG_GROUP	"socket-group"

#define VHOSTU_RECONNECT_MS_DEFAULT	1000
#define VHOSTU_RECONNECT_MS_MIN		10
#define VHOSTU_RECONNECT_MS_MAX		60000

/* The parameter string dpdk-pmdinfo.py shows. */
#define VHOSTU_PARAMS VHOSTU_ARG_IFACE "=<path> " VHOSTU_ARG_SERVER "=<0|1> " \
	VHOSTU_ARG_QUEUES "=<int> " VHOSTU_ARG_FEATURE_MASK "=<hex> " VHOSTU_ARG_HWADDR "=<mac> " \
	VHOSTU_ARG_RECONNECT "=<int> " VHOSTU_ARG_GROUP "=<group>"

struct vhostu_devargs {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool server;
	uint16_t queues;
	uint64_t feature_mask;
	bool has_mac;
	struct rte_ether_addr mac;
	uint32_t reconnect_ms;	/* client: interval between connection attempts */
	bool has_group;		/* server: this group may connect too */
	gid_t group;
};

/* Parse args into da. 0, or -errno after logging what was wrong. */
int vhostu_devargs_parse(const char *args, struct vhostu_devargs *da);

#endif /* VHOSTU_DEVARGS_H */
