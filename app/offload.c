/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Software segmentation and checksums for destinations that cannot take a
 * frame's offloads (see offload.h).
 *
 * Segmentation of TCP over IPv4 is librte_gso's: each segment is a header
 * mbuf (a copy of the frame's headers, from the switch's pool) and indirect
 * mbufs attached to the frame's payload, so the payload is never copied; the
 * frame is freed by the last segment sent. TCP over IPv6, which DPDK 22.11's
 * librte_gso cannot segment, is done the same way in offload_tcp6.c. The
 * headers of each segment then get their checksums (librte_net): the IPv4
 * header always (virtio has no offload for it), TCP in full, or left to the
 * guest (NEEDS_CSUM) when it negotiated GUEST_CSUM. Each worker has its GSO
 * context; the indirect pool is shared.
 *
 * A flooded frame is one mbuf with a reference per member, sent by one
 * worker to each in turn: rte_gso_segment clears TX_TCP_SEG in it, so the
 * flags are put back for the next member; checksums filled in place (and
 * their flags cleared) hold for every member.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_gso.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "cli.h"
#include "offload.h"
#include "rte_pmd_vhostu.h"

#define APP_GSO_NB_INDIRECT	16383
#define APP_GSO_CACHE		256

static struct {
	struct rte_mempool *indirect;
	struct rte_gso_ctx ctx[CLI_MAX_THREADS];
} app_off;

int
app_offload_init(struct rte_mempool *direct)
{
	unsigned int t;

	app_off.indirect = rte_pktmbuf_pool_create("app_gso_indirect", APP_GSO_NB_INDIRECT,
		APP_GSO_CACHE, 0, 0, rte_socket_id());
	if (app_off.indirect == NULL)
		return -ENOMEM;
	for (t = 0; t < CLI_MAX_THREADS; t++) {
		app_off.ctx[t].direct_pool = direct;
		app_off.ctx[t].indirect_pool = app_off.indirect;
		app_off.ctx[t].flag = 0;	/* IP ids count up, as the sender's would */
		app_off.ctx[t].gso_types = RTE_ETH_TX_OFFLOAD_TCP_TSO;
		app_off.ctx[t].gso_size = RTE_ETHER_MTU + RTE_ETHER_HDR_LEN;
	}
	return 0;
}

void
app_offload_fini(void)
{
	rte_mempool_free(app_off.indirect);
	app_off.indirect = NULL;
}

void
app_offload_caps(uint16_t port_id, struct app_offload_caps *caps)
{
	uint64_t f = 0;

	caps->vhost = rte_pmd_vhostu_get_features(port_id, &f) == 0;
	caps->csum = f & RTE_PMD_VHOSTU_F_GUEST_CSUM;
	caps->tso4 = f & RTE_PMD_VHOSTU_F_GUEST_TSO4;
	caps->tso6 = f & RTE_PMD_VHOSTU_F_GUEST_TSO6;
}

bool
app_offload_needs_sw(const struct rte_mbuf *m, const struct app_offload_caps *caps)
{
	uint64_t fl = m->ol_flags;

	if (fl & RTE_MBUF_F_TX_UDP_SEG)
		return true;
	if (fl & RTE_MBUF_F_TX_TCP_SEG)
		return !((fl & RTE_MBUF_F_TX_IPV6) ? caps->tso6 : caps->tso4);
	if ((fl & RTE_MBUF_F_TX_L4_MASK) && !caps->csum)
		return true;
	return (fl & RTE_MBUF_F_TX_IP_CKSUM) && !caps->vhost;
}

/* The L4 checksum of m in full, in place; the field held the pseudo-header sum. */
static void
app_offload_l4_sw(struct rte_mbuf *m, uint8_t *field, bool v6, void *l3)
{
	uint16_t l4_off = m->l2_len + m->l3_len, c = 0;

	memcpy(field, &c, sizeof(c));
	if (v6)
		c = rte_ipv6_udptcp_cksum_mbuf(m, l3, l4_off);
	else
		c = rte_ipv4_udptcp_cksum_mbuf(m, l3, l4_off);
	memcpy(field, &c, sizeof(c));
}

/*
 * Fill in m's checksums that caps cannot take; true if done (or nothing to
 * do), false if m's headers are not where its lengths say (m is sent as it is).
 */
static bool
app_offload_csum(struct rte_mbuf *m, const struct app_offload_caps *caps)
{
	uint64_t fl = m->ol_flags, l4 = fl & RTE_MBUF_F_TX_L4_MASK;
	uint32_t l4_off = m->l2_len + m->l3_len;
	bool v6 = fl & RTE_MBUF_F_TX_IPV6;
	struct rte_ipv4_hdr *ip4;
	uint8_t *field;
	void *l3;

	if (l4 != RTE_MBUF_F_TX_TCP_CKSUM && l4 != RTE_MBUF_F_TX_UDP_CKSUM)
		l4 = 0;
	if (l4_off + (l4 == 0 ? 0 : sizeof(struct rte_tcp_hdr)) > m->data_len ||
			m->l3_len < (v6 ? sizeof(struct rte_ipv6_hdr) : sizeof(*ip4)))
		return false;
	l3 = rte_pktmbuf_mtod_offset(m, void *, m->l2_len);
	if ((fl & RTE_MBUF_F_TX_IP_CKSUM) && !v6) {
		ip4 = l3;
		ip4->hdr_checksum = 0;
		ip4->hdr_checksum = rte_ipv4_cksum(ip4);
		m->ol_flags &= ~RTE_MBUF_F_TX_IP_CKSUM;
	}
	if (l4 == 0 || caps->csum)
		return true;
	field = rte_pktmbuf_mtod_offset(m, uint8_t *, l4_off + (l4 == RTE_MBUF_F_TX_TCP_CKSUM ?
		offsetof(struct rte_tcp_hdr, cksum) : offsetof(struct rte_udp_hdr, dgram_cksum)));
	app_offload_l4_sw(m, field, v6, l3);
	m->ol_flags &= ~RTE_MBUF_F_TX_L4_MASK;
	return true;
}

/*
 * A segment of m, its headers its own: fill their checksums. rte_gso_segment's
 * IPv4 segments get their lengths, flags and pseudo-header sum here; the IPv6
 * ones (offload_tcp6.c) come with them.
 */
static void
app_offload_seg_csum(struct rte_mbuf *seg, const struct rte_mbuf *m,
		const struct app_offload_caps *caps)
{
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;

	if (m->ol_flags & RTE_MBUF_F_TX_IPV6) {
		app_offload_csum(seg, caps);
		return;
	}
	seg->l2_len = m->l2_len;
	seg->l3_len = m->l3_len;
	seg->l4_len = m->l4_len;
	seg->tso_segsz = 0;
	seg->ol_flags = (seg->ol_flags & ~(RTE_MBUF_F_TX_OFFLOAD_MASK)) |
		RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM;
	ip = rte_pktmbuf_mtod_offset(seg, struct rte_ipv4_hdr *, seg->l2_len);
	th = rte_pktmbuf_mtod_offset(seg, struct rte_tcp_hdr *, seg->l2_len + seg->l3_len);
	/* The pseudo-header sum of this segment's length, as NEEDS_CSUM wants it. */
	th->cksum = rte_ipv4_phdr_cksum(ip, 0);
	app_offload_csum(seg, caps);
}

/* TCP over IPv4 by librte_gso: the segments (> 0), 0 for one segment's worth, or -1. */
static int
app_offload_gso4(uint16_t thread, struct rte_mbuf *m, struct rte_mbuf **out, uint16_t max)
{
	struct rte_gso_ctx *ctx = &app_off.ctx[thread];
	uint32_t hdrs = m->l2_len + m->l3_len + m->l4_len;
	uint64_t fl = m->ol_flags;
	int n;

	if (!(fl & RTE_MBUF_F_TX_IPV4) || m->tso_segsz == 0 ||
			hdrs + m->tso_segsz > UINT16_MAX || hdrs > m->data_len)
		return -1;
	ctx->gso_size = (uint16_t)(hdrs + m->tso_segsz);
	if (ctx->gso_size < RTE_GSO_SEG_SIZE_MIN)
		return -1;
	n = rte_gso_segment(m, ctx, out, max);
	m->ol_flags = fl;	/* the next member of a flood sees the frame as it came */
	return n < 0 ? -1 : n;
}

static uint16_t
app_offload_segment(uint16_t thread, struct rte_mbuf *m, const struct app_offload_caps *caps,
		struct rte_mbuf **out, uint16_t max)
{
	int n, i;

	if (m->ol_flags & RTE_MBUF_F_TX_UDP_SEG)
		goto drop;
	if (m->ol_flags & RTE_MBUF_F_TX_IPV6)
		n = app_offload_tcp6_segment(m, app_off.ctx[thread].direct_pool, app_off.indirect,
			out, max);
	else
		n = app_offload_gso4(thread, m, out, max);
	if (n < 0)
		goto drop;
	if (n == 0) {
		/* One segment's worth: the frame itself, its checksums filled in. */
		m->ol_flags &= ~RTE_MBUF_F_TX_TCP_SEG;
		m->tso_segsz = 0;
		app_offload_csum(m, caps);
		out[0] = m;
		return 1;
	}
	for (i = 0; i < n; i++)
		app_offload_seg_csum(out[i], m, caps);
	rte_pktmbuf_free(m);	/* the segments hold the payload now */
	return (uint16_t)n;
drop:
	rte_pktmbuf_free(m);
	return 0;
}

uint16_t
app_offload_sw(uint16_t thread, struct rte_mbuf *m, const struct app_offload_caps *caps,
		struct rte_mbuf **out, uint16_t max)
{
	if (max == 0 || thread >= CLI_MAX_THREADS) {
		rte_pktmbuf_free(m);
		return 0;
	}
	if (m->ol_flags & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG))
		return app_offload_segment(thread, m, caps, out, max);
	app_offload_csum(m, caps);
	out[0] = m;
	return 1;
}
