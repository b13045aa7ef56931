/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP over IPv6 segmentation in software, for a destination without
 * GUEST_TSO6: DPDK 22.11's librte_gso segments TCP over IPv4 only.
 *
 * Done as librte_gso does it for IPv4: each segment is a header mbuf from the
 * switch's pool (a copy of the frame's Ethernet, IPv6 and TCP headers) and
 * indirect mbufs attached to the frame's payload, so the payload is never
 * copied and the frame is freed by the last segment sent. Per segment: the
 * IPv6 payload length, the sequence number, FIN and PSH on the last segment
 * only and CWR on the first only (what a TCP sender would have sent), and the
 * pseudo-header sum in the checksum field with TX_TCP_CKSUM, as a guest's
 * NEEDS_CSUM frame has it: the caller fills in the checksum or leaves it to a
 * GUEST_CSUM guest. Only a bare IPv6 header is taken: with extension headers
 * (l3_len beyond 40) the frame is not segmented.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "offload.h"

/* Ethernet with two VLAN tags, IPv6, TCP with the most options. */
#define APP_TCP6_MAX_HDRS	(RTE_ETHER_HDR_LEN + 8 + sizeof(struct rte_ipv6_hdr) + 60)

/* The flags that belong to one end of the byte stream only. */
#define APP_TCP6_LAST_ONLY	(RTE_TCP_FIN_FLAG | RTE_TCP_PSH_FLAG)
#define APP_TCP6_FIRST_ONLY	RTE_TCP_CWR_FLAG

/* m's headers can be segmented here: TCP right behind a bare IPv6 header. */
static bool
app_tcp6_ok(const struct rte_mbuf *m, uint8_t *hdrs)
{
	const uint32_t n = m->l2_len + m->l3_len + m->l4_len;
	const struct rte_ipv6_hdr *ip;
	const void *p;

	if (m->tso_segsz == 0 || m->l3_len != sizeof(struct rte_ipv6_hdr) ||
			m->l4_len < sizeof(struct rte_tcp_hdr) || n > APP_TCP6_MAX_HDRS ||
			n > m->pkt_len)
		return false;
	p = rte_pktmbuf_read(m, 0, n, hdrs);
	if (p == NULL)
		return false;
	if (p != hdrs)
		memcpy(hdrs, p, n);
	ip = (const struct rte_ipv6_hdr *)(hdrs + m->l2_len);
	return (rte_be_to_cpu_32(ip->vtc_flow) >> 28) == 6 && ip->proto == IPPROTO_TCP;
}

/* Attach the len bytes of m's data at off to seg, one indirect mbuf per piece. */
static int
app_tcp6_attach(struct rte_mbuf *seg, struct rte_mbuf *m, uint32_t off, uint32_t len,
		struct rte_mempool *indirect)
{
	struct rte_mbuf *last = seg, *mi;
	uint32_t k;

	for (; m != NULL && off >= m->data_len; m = m->next)
		off -= m->data_len;
	for (; m != NULL && len != 0; m = m->next, off = 0) {
		k = RTE_MIN(len, (uint32_t)m->data_len - off);
		if (k == 0)
			continue;
		mi = rte_pktmbuf_alloc(indirect);
		if (mi == NULL)
			return -1;
		rte_pktmbuf_attach(mi, m);
		rte_pktmbuf_adj(mi, (uint16_t)off);
		rte_pktmbuf_trim(mi, (uint16_t)(mi->data_len - k));
		last->next = mi;
		last = mi;
		seg->nb_segs++;
		seg->pkt_len += k;
		len -= k;
	}
	return len == 0 ? 0 : -1;
}

/* Segment i of n: headers from hdrs, payload bytes [off, off + len) of m's data. */
static struct rte_mbuf *
app_tcp6_one(struct rte_mbuf *m, const uint8_t *hdrs, uint32_t off, uint32_t len,
		bool first, bool last, struct rte_mempool *direct, struct rte_mempool *indirect)
{
	const uint32_t l4_off = m->l2_len + m->l3_len, n = l4_off + m->l4_len;
	struct rte_ipv6_hdr *ip;
	struct rte_tcp_hdr *th;
	struct rte_mbuf *seg;
	uint32_t seq;

	seg = rte_pktmbuf_alloc(direct);
	if (seg == NULL || rte_pktmbuf_tailroom(seg) < n)
		goto fail;
	memcpy(rte_pktmbuf_append(seg, (uint16_t)n), hdrs, n);
	if (app_tcp6_attach(seg, m, off, len, indirect) < 0)
		goto fail;
	ip = rte_pktmbuf_mtod_offset(seg, struct rte_ipv6_hdr *, m->l2_len);
	th = rte_pktmbuf_mtod_offset(seg, struct rte_tcp_hdr *, l4_off);
	ip->payload_len = rte_cpu_to_be_16((uint16_t)(m->l4_len + len));
	seq = rte_be_to_cpu_32(th->sent_seq) + off - n;
	th->sent_seq = rte_cpu_to_be_32(seq);
	if (!last)
		th->tcp_flags &= ~APP_TCP6_LAST_ONLY;
	if (!first)
		th->tcp_flags &= ~APP_TCP6_FIRST_ONLY;
	th->cksum = rte_ipv6_phdr_cksum(ip, 0);
	seg->l2_len = m->l2_len;
	seg->l3_len = m->l3_len;
	seg->l4_len = m->l4_len;
	seg->ol_flags = RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_TCP_CKSUM;
	seg->port = m->port;
	return seg;
fail:
	rte_pktmbuf_free(seg);
	return NULL;
}

int
app_offload_tcp6_segment(struct rte_mbuf *m, struct rte_mempool *direct,
		struct rte_mempool *indirect, struct rte_mbuf **out, uint16_t max)
{
	uint8_t hdrs[APP_TCP6_MAX_HDRS];
	uint32_t n, off, len, mss;
	uint16_t k = 0;

	if (!app_tcp6_ok(m, hdrs))
		return -1;
	n = m->l2_len + m->l3_len + m->l4_len;
	mss = m->tso_segsz;
	if (m->pkt_len - n <= mss)
		return 0;	/* one segment's worth: the caller sends the frame itself */
	if ((m->pkt_len - n + mss - 1) / mss > max)
		return -1;
	for (off = n; off < m->pkt_len; off += len) {
		len = RTE_MIN(mss, m->pkt_len - off);
		out[k] = app_tcp6_one(m, hdrs, off, len, off == n, off + len == m->pkt_len,
			direct, indirect);
		if (out[k] == NULL) {
			rte_pktmbuf_free_bulk(out, k);
			return -1;
		}
		k++;
	}
	return k;
}
