/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Statistics of net_vhostu: eth_dev_ops stats and xstats over the counters the
 * bursts keep in each vring (struct vhostu_vring_stats). Rx queue q is vring
 * 2q+1 (the guest's TX), tx queue q is vring 2q (the guest's RX).
 *
 * Readers take no lock: each counter is a naturally aligned 64-bit word that
 * only the burst inside the vring writes. Reset zeroes the counters with the
 * vrings paused, so no burst is halfway through an update; a burst that meets
 * a paused vring returns 0 and polls again; it takes each notification lock
 * too, under which flushers count calls. Reset must therefore not be called
 * by a pauser, nor from inside a burst.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_ethdev.h>

#include "vhostu_internal.h"

enum vhostu_xstat_dir {
	VHOSTU_XS_RX = 1,
	VHOSTU_XS_TX = 2,
	VHOSTU_XS_BOTH = 3,
};

/* One counter of struct vhostu_vring_stats, named for the port total and per queue. */
struct vhostu_xstat_def {
	const char *name;	/* port total: rx_<name>, tx_<name> */
	const char *qname;	/* per queue: rx_q<N>_<qname> */
	size_t off;
	unsigned int dir;
};

#define VHOSTU_XS(name, qname, field, dir) \
	{ name, qname, offsetof(struct vhostu_vring_stats, field), dir }

static const struct vhostu_xstat_def vhostu_xstat_defs[] = {
	VHOSTU_XS("good_packets", "packets", packets, VHOSTU_XS_BOTH),
	VHOSTU_XS("good_bytes", "bytes", bytes, VHOSTU_XS_BOTH),
	VHOSTU_XS("bad_chain_errors", "bad_chain_errors", errors, VHOSTU_XS_BOTH),
	VHOSTU_XS("oversize_errors", "oversize_errors", oversize, VHOSTU_XS_BOTH),
	VHOSTU_XS("no_desc_drops", "no_desc_drops", no_desc, VHOSTU_XS_TX),
	VHOSTU_XS("mbuf_alloc_failed", "mbuf_alloc_failed", mbuf_fail, VHOSTU_XS_RX),
	VHOSTU_XS("guest_notifications", "guest_notifications", notifications, VHOSTU_XS_BOTH),
	VHOSTU_XS("guest_notify_failed", "guest_notify_failed", notify_fail, VHOSTU_XS_BOTH),
	VHOSTU_XS("ring_stopped", "ring_stopped", stopped, VHOSTU_XS_BOTH),
	VHOSTU_XS("runt_errors", "runt_errors", runt, VHOSTU_XS_RX),
	VHOSTU_XS("descriptors_read", "descriptors_read", desc_reads, VHOSTU_XS_BOTH),
	VHOSTU_XS("bad_hdr_csum_errors", "bad_hdr_csum_errors",
			hdr_errors[VHOSTU_HDR_BAD_CSUM], VHOSTU_XS_RX),
	VHOSTU_XS("bad_hdr_gso_size_errors", "bad_hdr_gso_size_errors",
			hdr_errors[VHOSTU_HDR_BAD_GSO_SIZE], VHOSTU_XS_RX),
	VHOSTU_XS("bad_hdr_not_negotiated_errors", "bad_hdr_not_negotiated_errors",
			hdr_errors[VHOSTU_HDR_NOT_NEGOTIATED], VHOSTU_XS_RX),
	VHOSTU_XS("bad_hdr_len_errors", "bad_hdr_len_errors",
			hdr_errors[VHOSTU_HDR_BAD_HDR_LEN], VHOSTU_XS_RX),
	VHOSTU_XS("bad_hdr_tso_not_tcp_errors", "bad_hdr_tso_not_tcp_errors",
			hdr_errors[VHOSTU_HDR_NOT_TCP], VHOSTU_XS_RX),
	VHOSTU_XS("bad_hdr_ecn_errors", "bad_hdr_ecn_errors",
			hdr_errors[VHOSTU_HDR_BAD_ECN], VHOSTU_XS_RX),
	VHOSTU_XS("offload_not_negotiated_drops", "offload_not_negotiated_drops",
			offload_drops, VHOSTU_XS_TX),
	VHOSTU_XS("undersize_packets", "undersize_packets", size_bins[7], VHOSTU_XS_BOTH),
	VHOSTU_XS("size_64_packets", "size_64_packets", size_bins[0], VHOSTU_XS_BOTH),
	VHOSTU_XS("size_65_to_127_packets", "size_65_to_127_packets", size_bins[1],
			VHOSTU_XS_BOTH),
	VHOSTU_XS("size_128_to_255_packets", "size_128_to_255_packets", size_bins[2],
			VHOSTU_XS_BOTH),
	VHOSTU_XS("size_256_to_511_packets", "size_256_to_511_packets", size_bins[3],
			VHOSTU_XS_BOTH),
	VHOSTU_XS("size_512_to_1023_packets", "size_512_to_1023_packets", size_bins[4],
			VHOSTU_XS_BOTH),
	VHOSTU_XS("size_1024_to_1518_packets", "size_1024_to_1518_packets", size_bins[5],
			VHOSTU_XS_BOTH),
	VHOSTU_XS("size_1519_to_max_packets", "size_1519_to_max_packets", size_bins[6],
			VHOSTU_XS_BOTH),
};

#define VHOSTU_NB_XSTAT_DEFS RTE_DIM(vhostu_xstat_defs)

static struct vhostu_port *
vhostu_stats_port(struct rte_eth_dev *dev)
{
	return dev->data->dev_private;
}

static unsigned int
vhostu_nb_queues(struct rte_eth_dev *dev, unsigned int dir)
{
	unsigned int n = dir == VHOSTU_XS_RX ? dev->data->nb_rx_queues : dev->data->nb_tx_queues;

	return RTE_MIN(n, (unsigned int)VHOSTU_MAX_QUEUE_PAIRS);
}

static const struct vhostu_vring_stats *
vhostu_queue_stats(struct vhostu_port *p, unsigned int dir, unsigned int q)
{
	return &p->vrings[dir == VHOSTU_XS_RX ? 2 * q + 1 : 2 * q].stats;
}

/* Frames dropped for a bad virtio-net header, all reasons. */
static uint64_t
vhostu_hdr_errors(const struct vhostu_vring_stats *s)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 1; i < VHOSTU_HDR_ERROR_MAX; i++)
		n += s->hdr_errors[i];
	return n;
}

static uint64_t
vhostu_stat_read(const struct vhostu_vring_stats *s, size_t off)
{
	return __atomic_load_n((const uint64_t *)((const char *)s + off), __ATOMIC_RELAXED);
}

int
vhostu_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *stats)
{
	struct vhostu_port *p = vhostu_stats_port(dev);
	unsigned int nrx = vhostu_nb_queues(dev, VHOSTU_XS_RX);
	unsigned int ntx = vhostu_nb_queues(dev, VHOSTU_XS_TX);
	const struct vhostu_vring_stats *s;
	unsigned int q;

	/* Totals over every vring, so counts of queues since removed still add up. */
	for (q = 0; q < VHOSTU_MAX_QUEUE_PAIRS; q++) {
		s = vhostu_queue_stats(p, VHOSTU_XS_RX, q);
		if (q < nrx && q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			stats->q_ipackets[q] = s->packets;
			stats->q_ibytes[q] = s->bytes;
			stats->q_errors[q] = s->errors + s->oversize + s->runt +
				vhostu_hdr_errors(s);
		}
		stats->ipackets += s->packets;
		stats->ibytes += s->bytes;
		stats->ierrors += s->errors + s->oversize + s->runt + vhostu_hdr_errors(s);
		stats->rx_nombuf += s->mbuf_fail;

		s = vhostu_queue_stats(p, VHOSTU_XS_TX, q);
		if (q < ntx && q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			stats->q_opackets[q] = s->packets;
			stats->q_obytes[q] = s->bytes;
		}
		stats->opackets += s->packets;
		stats->obytes += s->bytes;
		stats->oerrors += s->errors + s->oversize + s->no_desc + s->offload_drops;
	}
	return 0;
}

int
vhostu_stats_reset(struct rte_eth_dev *dev)
{
	struct vhostu_port *p = vhostu_stats_port(dev);
	unsigned int i;

	vhostu_vrings_pause(p->vrings, VHOSTU_MAX_VRINGS);	/* one membarrier for all */
	for (i = 0; i < VHOSTU_MAX_VRINGS; i++) {
		struct vhostu_vring *vr = &p->vrings[i];

		rte_spinlock_lock(&vr->notify_lock);	/* flushers count notifications */
		memset(&vr->stats, 0, sizeof(vr->stats));
		rte_spinlock_unlock(&vr->notify_lock);
	}
	vhostu_vrings_resume(p->vrings, VHOSTU_MAX_VRINGS);
	return 0;
}

static unsigned int
vhostu_xstats_count(struct rte_eth_dev *dev)
{
	unsigned int dir, i, n = 0;

	for (dir = VHOSTU_XS_RX; dir <= VHOSTU_XS_TX; dir++)
		for (i = 0; i < VHOSTU_NB_XSTAT_DEFS; i++)
			if (vhostu_xstat_defs[i].dir & dir)
				n += 1 + vhostu_nb_queues(dev, dir);
	return n;
}

/*
 * Walk every xstat in id order, calling fn(id, def, dir, queue) where queue is
 * -1 for the port total. Names and values come from the same walk, so their
 * ids always agree.
 */
typedef void (*vhostu_xstat_fn)(void *arg, unsigned int id, const struct vhostu_xstat_def *d,
		unsigned int dir, int q);

static void
vhostu_xstats_walk(struct rte_eth_dev *dev, vhostu_xstat_fn fn, void *arg, unsigned int max)
{
	unsigned int dir, i, id = 0, nq;
	int q;

	for (dir = VHOSTU_XS_RX; dir <= VHOSTU_XS_TX; dir++) {
		nq = vhostu_nb_queues(dev, dir);
		for (i = 0; i < VHOSTU_NB_XSTAT_DEFS; i++) {
			if (!(vhostu_xstat_defs[i].dir & dir))
				continue;
			for (q = -1; q < (int)nq; q++) {
				if (id >= max)
					return;
				fn(arg, id++, &vhostu_xstat_defs[i], dir, q);
			}
		}
	}
}

struct vhostu_xstat_values {
	struct vhostu_port *port;
	struct rte_eth_xstat *out;
};

static void
vhostu_xstat_value(void *arg, unsigned int id, const struct vhostu_xstat_def *d,
		unsigned int dir, int q)
{
	struct vhostu_xstat_values *v = arg;
	uint64_t sum = 0;
	unsigned int i;

	if (q >= 0) {
		sum = vhostu_stat_read(vhostu_queue_stats(v->port, dir, q), d->off);
	} else {
		for (i = 0; i < VHOSTU_MAX_QUEUE_PAIRS; i++)
			sum += vhostu_stat_read(vhostu_queue_stats(v->port, dir, i), d->off);
	}
	v->out[id].id = id;
	v->out[id].value = sum;
}

int
vhostu_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xstats, unsigned int n)
{
	struct vhostu_xstat_values v = { .port = vhostu_stats_port(dev), .out = xstats };
	unsigned int count = vhostu_xstats_count(dev);

	if (xstats == NULL || n < count)
		return count;
	vhostu_xstats_walk(dev, vhostu_xstat_value, &v, count);
	return count;
}

static void
vhostu_xstat_name(void *arg, unsigned int id, const struct vhostu_xstat_def *d,
		unsigned int dir, int q)
{
	struct rte_eth_xstat_name *names = arg;
	const char *pfx = dir == VHOSTU_XS_RX ? "rx" : "tx";

	if (q < 0)
		snprintf(names[id].name, sizeof(names[id].name), "%s_%s", pfx, d->name);
	else
		snprintf(names[id].name, sizeof(names[id].name), "%s_q%d_%s", pfx, q, d->qname);
}

int
vhostu_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
		unsigned int n)
{
	unsigned int count = vhostu_xstats_count(dev);

	if (names == NULL)
		return count;
	vhostu_xstats_walk(dev, vhostu_xstat_name, names, RTE_MIN(n, count));
	return count;
}

int
vhostu_xstats_reset(struct rte_eth_dev *dev)
{
	return vhostu_stats_reset(dev);
}
