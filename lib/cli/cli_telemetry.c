/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The telemetry answers: what `show vhost-user` and `show interface` show, as
 * DPDK telemetry data (JSON). DPDK 22.11 nests only arrays of numbers or
 * strings in a dict, so per-vring, per-region and per-queue values are one
 * array per field, indexed by vring, region or queue ("vring_qsz": [256, 256]).
 * These read the shell's state: call them on the shell's thread only (the
 * application hands them the telemetry thread's requests).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "cli_internal.h"

/* Fields of struct rte_pmd_vhostu_vring, one array each: "vring_<field>". */
#define CLI_TEL_VRING_U64(X) \
	X(qsz) X(last_avail_idx) X(last_used_idx) X(avail_flags) X(avail_idx) \
	X(used_flags) X(used_idx) X(enabled) X(ready) X(packets) X(bytes)
#define CLI_TEL_VRING_INT(X) X(kickfd) X(callfd) X(errfd)
/* Fields of struct rte_pmd_vhostu_region: "region_<field>". */
#define CLI_TEL_REGION_U64(X) \
	X(guest_phys_addr) X(memory_size) X(userspace_addr) X(mmap_offset) X(mmap_addr)
#define CLI_TEL_REGION_INT(X) X(fd)

/* An array of n values under name in d; left out when out of memory. */
static void
cli_tel_u64s(struct rte_tel_data *d, const char *name, const uint64_t *v, unsigned int n)
{
	struct rte_tel_data *a = rte_tel_data_alloc();
	unsigned int i;

	if (a == NULL)
		return;
	rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
	for (i = 0; i < n; i++)
		rte_tel_data_add_array_u64(a, v[i]);
	if (rte_tel_data_add_dict_container(d, name, a, 0) < 0)
		rte_tel_data_free(a);
}

static void
cli_tel_ints(struct rte_tel_data *d, const char *name, const int *v, unsigned int n)
{
	struct rte_tel_data *a = rte_tel_data_alloc();
	unsigned int i;

	if (a == NULL)
		return;
	rte_tel_data_start_array(a, RTE_TEL_INT_VAL);
	for (i = 0; i < n; i++)
		rte_tel_data_add_array_int(a, v[i]);
	if (rte_tel_data_add_dict_container(d, name, a, 0) < 0)
		rte_tel_data_free(a);
}

static void
cli_tel_strings(struct rte_tel_data *d, const char *name, const char *const *v, unsigned int n)
{
	struct rte_tel_data *a = rte_tel_data_alloc();
	unsigned int i;

	if (a == NULL)
		return;
	rte_tel_data_start_array(a, RTE_TEL_STRING_VAL);
	for (i = 0; i < n; i++)
		rte_tel_data_add_array_string(a, v[i]);
	if (rte_tel_data_add_dict_container(d, name, a, 0) < 0)
		rte_tel_data_free(a);
}

/* The names of the bits set, as show prints them (UNKNOWN for a bit without a name). */
static void
cli_tel_bits(struct rte_tel_data *d, const char *name, uint64_t bits,
		const char *(*bit_name)(unsigned int))
{
	const char *names[64];
	unsigned int b, n = 0;

	for (b = 0; b < 64; b++)
		if (bits & (UINT64_C(1) << b))
			names[n++] = bit_name(b) != NULL ? bit_name(b) : "UNKNOWN";
	cli_tel_strings(d, name, names, n);
}

static void
cli_tel_features(struct rte_tel_data *d, const struct rte_pmd_vhostu_info *info)
{
	rte_tel_data_add_dict_u64(d, "virtio_net_hdr_sz", info->virtio_net_hdr_sz);
	rte_tel_data_add_dict_u64(d, "features_mask", info->features_mask);
	rte_tel_data_add_dict_u64(d, "features_offered", info->features_offered);
	rte_tel_data_add_dict_u64(d, "features", info->features);
	cli_tel_bits(d, "feature_names", info->features, cli_virtio_feature_name);
	rte_tel_data_add_dict_u64(d, "protocol_features", info->protocol_features);
	cli_tel_bits(d, "protocol_feature_names", info->protocol_features,
		cli_protocol_feature_name);
}

static void
cli_tel_socket(struct rte_tel_data *d, const struct rte_pmd_vhostu_info *info)
{
	rte_tel_data_add_dict_string(d, "socket", info->socket_path);
	rte_tel_data_add_dict_string(d, "role", info->server ? "server" : "client");
	rte_tel_data_add_dict_string(d, "state", info->connected ? "connected" : "waiting");
	rte_tel_data_add_dict_string(d, "errno", strerror(info->sock_errno));
	rte_tel_data_add_dict_string(d, "link", info->link_up ? "up" : "down");
	rte_tel_data_add_dict_u64(d, "max_queue_pairs", info->max_queue_pairs);
	rte_tel_data_add_dict_u64(d, "status", info->status);
	rte_tel_data_add_dict_u64(d, "mtu", info->mtu);
}

static void
cli_tel_regions(struct rte_tel_data *d, const struct rte_pmd_vhostu_info *info)
{
	unsigned int n = RTE_MIN(info->nregions, (uint32_t)RTE_PMD_VHOSTU_MAX_REGIONS), i;
	uint64_t u[RTE_PMD_VHOSTU_MAX_REGIONS] = { 0 };
	int v[RTE_PMD_VHOSTU_MAX_REGIONS] = { 0 };

	rte_tel_data_add_dict_u64(d, "regions", n);
#define CLI_TEL_REGION_ADD_U64(f) \
	for (i = 0; i < n; i++) \
		u[i] = info->regions[i].f; \
	cli_tel_u64s(d, "region_" #f, u, n);
#define CLI_TEL_REGION_ADD_INT(f) \
	for (i = 0; i < n; i++) \
		v[i] = info->regions[i].f; \
	cli_tel_ints(d, "region_" #f, v, n);
	CLI_TEL_REGION_INT(CLI_TEL_REGION_ADD_INT)
	CLI_TEL_REGION_U64(CLI_TEL_REGION_ADD_U64)
#undef CLI_TEL_REGION_ADD_U64
#undef CLI_TEL_REGION_ADD_INT
}

static void
cli_tel_vrings(struct rte_tel_data *d, const struct rte_pmd_vhostu_info *info)
{
	unsigned int n = RTE_MIN(info->nvrings, (uint32_t)RTE_PMD_VHOSTU_MAX_VRINGS), q;
	uint64_t u[RTE_PMD_VHOSTU_MAX_VRINGS] = { 0 };
	int v[RTE_PMD_VHOSTU_MAX_VRINGS] = { 0 };

	rte_tel_data_add_dict_u64(d, "vrings", n);
#define CLI_TEL_VRING_ADD_U64(f) \
	for (q = 0; q < n; q++) \
		u[q] = info->vrings[q].f; \
	cli_tel_u64s(d, "vring_" #f, u, n);
#define CLI_TEL_VRING_ADD_INT(f) \
	for (q = 0; q < n; q++) \
		v[q] = info->vrings[q].f; \
	cli_tel_ints(d, "vring_" #f, v, n);
	CLI_TEL_VRING_U64(CLI_TEL_VRING_ADD_U64)
	CLI_TEL_VRING_INT(CLI_TEL_VRING_ADD_INT)
#undef CLI_TEL_VRING_ADD_U64
#undef CLI_TEL_VRING_ADD_INT
}

/* rx placement per rx queue (thread, vring, mode); tx per thread (vring), and the lock. */
static void
cli_tel_placement(struct rte_tel_data *d, const struct cli_if *ifp)
{
	struct cli_placement p;
	uint64_t th[CLI_MAX_THREADS], vr[CLI_MAX_THREADS];
	const char *mode[CLI_MAX_RXQ];
	uint16_t i, n;

	cli_vhost_placement(ifp, &p);
	n = RTE_MIN(p.n_rx, (uint16_t)CLI_MAX_RXQ);
	for (i = 0; i < n; i++) {
		th[i] = p.rx[i].thread;
		vr[i] = p.rx[i].vring;
		mode[i] = cli_rx_mode_name(p.rx[i].mode);
	}
	cli_tel_u64s(d, "rx_placement_thread", th, n);
	cli_tel_u64s(d, "rx_placement_vring", vr, n);
	cli_tel_strings(d, "rx_placement_mode", mode, n);
	rte_tel_data_add_dict_string(d, "tx_placement", p.tx_spinlock ? "spin-lock" : "lock-free");
	n = RTE_MIN(p.n_tx, (uint16_t)CLI_MAX_THREADS);
	for (i = 0; i < n; i++) {
		th[i] = p.tx[i].thread;
		vr[i] = p.tx[i].vring;
	}
	cli_tel_u64s(d, "tx_placement_thread", th, n);
	cli_tel_u64s(d, "tx_placement_vring", vr, n);
}

static void
cli_tel_coalesce(struct rte_tel_data *d)
{
	uint32_t frames;
	double t;
	char buf[32];

	cli_main.port->coalesce(&frames, &t);
	snprintf(buf, sizeof(buf), "%g", t);
	rte_tel_data_add_dict_u64(d, "coalesce_frames", frames);
	rte_tel_data_add_dict_string(d, "coalesce_time", buf);
}

/* show interface: the state and every counter (zeros too, unlike show). */
static void
cli_tel_if(struct rte_tel_data *d, const struct cli_if *ifp)
{
	const struct cli_if *peer;
	struct cli_if_stats st;

	rte_tel_data_add_dict_string(d, "name", ifp->name);
	rte_tel_data_add_dict_u64(d, "sw_if_index", ifp->sw_if_index);
	rte_tel_data_add_dict_u64(d, "port_id", ifp->port_id);
	rte_tel_data_add_dict_string(d, "ethdev", ifp->is_vhost ? ifp->vdev : ifp->name);
	rte_tel_data_add_dict_string(d, "admin_state", ifp->admin_up ? "up" : "down");
	if (ifp->l2_mode == CLI_L2_XCONNECT) {
		peer = cli_iftable_by_sw_if_index(&cli_main.ift, ifp->xc_sw_if_index);
		rte_tel_data_add_dict_string(d, "l2", "xconnect");
		rte_tel_data_add_dict_string(d, "xconnect", peer != NULL ? peer->name : "");
	} else if (ifp->l2_mode == CLI_L2_BRIDGE) {
		rte_tel_data_add_dict_string(d, "l2", "bridge");
		rte_tel_data_add_dict_u64(d, "bridge_domain", ifp->bd_id);
	} else {
		rte_tel_data_add_dict_string(d, "l2", "l3");
	}
	cli_if_counters(ifp, &st);
	rte_tel_data_add_dict_u64(d, "rx_packets", st.rx_packets);
	rte_tel_data_add_dict_u64(d, "rx_bytes", st.rx_bytes);
	rte_tel_data_add_dict_u64(d, "tx_packets", st.tx_packets);
	rte_tel_data_add_dict_u64(d, "tx_bytes", st.tx_bytes);
	rte_tel_data_add_dict_u64(d, "drops", st.drops);
	rte_tel_data_add_dict_u64(d, "rx_miss", st.rx_miss);
	rte_tel_data_add_dict_u64(d, "tx_error", st.tx_error);
}

int
cli_tel_interfaces(struct rte_tel_data *d)
{
	const struct cli_if *ifp;

	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	CLI_IFTABLE_FOREACH(&cli_main.ift, ifp)
		if (!ifp->deleting)
			rte_tel_data_add_array_string(d, ifp->name);
	return 0;
}

int
cli_tel_interface(const char *name, struct rte_tel_data *d)
{
	struct rte_pmd_vhostu_info *info = NULL;
	const struct cli_if *ifp;
	int ret;

	ifp = name != NULL ? cli_iftable_by_name(&cli_main.ift, name) : NULL;
	if (ifp == NULL || ifp->deleting)
		return -ENOENT;
	if (ifp->is_vhost) {
		info = malloc(sizeof(*info));
		if (info == NULL)
			return -ENOMEM;
		cli_main.fwd->refresh();	/* the placement show would print */
		ret = cli_main.port->info(ifp->port_id, info);
		if (ret < 0) {
			free(info);
			return ret;
		}
	}
	rte_tel_data_start_dict(d);
	cli_tel_if(d, ifp);
	if (info != NULL) {
		cli_tel_socket(d, info);
		cli_tel_features(d, info);
		cli_tel_coalesce(d);
		cli_tel_placement(d, ifp);
		cli_tel_regions(d, info);
		cli_tel_vrings(d, info);
	}
	free(info);
	return 0;
}
