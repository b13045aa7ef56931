/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checksum and segmentation offloads (see vhostu_offload.h): the virtio-net
 * header to mbuf flags and back, and the software checksums for what a guest
 * did not negotiate.
 *
 * The guest's header is checked as a whole before any of it is used: a
 * header whose numbers do not fit the frame (the class of CVE-2024-11614 in
 * rte_vhost) costs the frame and nothing else. The frame itself is our copy
 * in mbufs: parsing it cannot race with the guest.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "vhostu_offload.h"

#define VHOSTU_TCP_CSUM_OFF	offsetof(struct rte_tcp_hdr, cksum)
#define VHOSTU_UDP_CSUM_OFF	offsetof(struct rte_udp_hdr, dgram_cksum)
#define VHOSTU_TCP_CWR		0x80	/* tcp_flags: congestion window reduced (ECN) */

/* Write len bytes at offset off of the frame m, whatever segments they fall in. */
static void
vhostu_mbuf_write(struct rte_mbuf *m, uint32_t off, const void *src, uint32_t len)
{
	const uint8_t *s = src;
	uint32_t k;

	for (; m != NULL && len != 0; m = m->next) {
		if (off >= m->data_len) {
			off -= m->data_len;
			continue;
		}
		k = RTE_MIN(len, (uint32_t)m->data_len - off);
		memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, off), s, k);
		s += k;
		len -= k;
		off = 0;
	}
}

/*
 * What a device does for NEEDS_CSUM: the ones' complement sum from start to
 * the end of the frame (the field at start + off holds the pseudo-header sum
 * already), complemented, into that field. The caller checked both fit.
 */
static void
vhostu_csum_sw(struct rte_mbuf *m, uint32_t start, uint32_t off)
{
	uint16_t sum = 0, c;

	if (rte_raw_cksum_mbuf(m, start, m->pkt_len - start, &sum) < 0)
		return;
	c = (uint16_t)~sum;
	if (c == 0)
		c = 0xffff;	/* 0 means "no checksum" to UDP; the same value to TCP */
	vhostu_mbuf_write(m, start + off, &c, sizeof(c));
}

/* The gso_type against the features; 0 or -enum vhostu_hdr_error. */
static int
vhostu_gso_type_check(uint8_t gso, uint64_t features)
{
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		if (features & VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_HOST_TSO4))
			return 0;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if (features & VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_HOST_TSO6))
			return 0;
		break;
	default:
		break;	/* UDP (UFO) is never offered; anything else is unknown */
	}
	return -VHOSTU_HDR_NOT_NEGOTIATED;
}

/* What can be checked without parsing the frame; 0 or -enum vhostu_hdr_error. */
static int
vhostu_hdr_check(const struct vhostu_net_hdr *h, uint32_t len, uint64_t features)
{
	const uint8_t gso = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	int r;

	if ((h->gso_type & VIRTIO_NET_HDR_GSO_ECN) &&
			!(features & VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_HOST_ECN)))
		return -VHOSTU_HDR_BAD_ECN;
	if (gso != VIRTIO_NET_HDR_GSO_NONE) {
		r = vhostu_gso_type_check(gso, features);
		if (r < 0)
			return r;
		if (h->gso_size == 0 || h->gso_size > len)
			return -VHOSTU_HDR_BAD_GSO_SIZE;
		/* The spec: a GSO frame always asks for its checksum. */
		if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
			return -VHOSTU_HDR_BAD_CSUM;
	}
	if (h->hdr_len > len)
		return -VHOSTU_HDR_BAD_HDR_LEN;
	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return 0;
	if (!(features & VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_CSUM)))
		return -VHOSTU_HDR_NOT_NEGOTIATED;
	if ((uint32_t)h->csum_start + h->csum_offset + sizeof(uint16_t) > len)
		return -VHOSTU_HDR_BAD_CSUM;
	return 0;
}

/* The frame's L4 is TCP (or UDP) with its whole header inside the frame. */
static bool
vhostu_l4_is(const struct rte_mbuf *m, uint32_t ptype, const struct rte_net_hdr_lens *hl,
		uint32_t l4)
{
	uint32_t min = l4 == RTE_PTYPE_L4_TCP ? sizeof(struct rte_tcp_hdr) :
		sizeof(struct rte_udp_hdr);

	return (ptype & RTE_PTYPE_L4_MASK) == l4 && hl->l4_len >= min &&
		(uint32_t)hl->l2_len + hl->l3_len + hl->l4_len <= m->pkt_len;
}

static void
vhostu_mbuf_set_lens(struct rte_mbuf *m, const struct rte_net_hdr_lens *hl)
{
	m->l2_len = hl->l2_len;
	m->l3_len = hl->l3_len;
	m->l4_len = hl->l4_len;
}

/* A TSO frame, its header checked: it must be TCP over the IP version of gso_type. */
static int
vhostu_from_guest_tso(const struct vhostu_net_hdr *h, struct rte_mbuf *m, uint32_t ptype,
		const struct rte_net_hdr_lens *hl)
{
	const bool v4 = (h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) == VIRTIO_NET_HDR_GSO_TCPV4;
	uint32_t l4_off = hl->l2_len + hl->l3_len;

	if (!vhostu_l4_is(m, ptype, hl, RTE_PTYPE_L4_TCP) ||
			(v4 ? !RTE_ETH_IS_IPV4_HDR(ptype) : !RTE_ETH_IS_IPV6_HDR(ptype)))
		return -VHOSTU_HDR_NOT_TCP;
	if (h->csum_start != l4_off || h->csum_offset != VHOSTU_TCP_CSUM_OFF)
		return -VHOSTU_HDR_BAD_CSUM;
	/* hdr_len is a hint (Linux gives its linear part), but never short of the headers. */
	if (h->hdr_len != 0 && h->hdr_len < l4_off + hl->l4_len)
		return -VHOSTU_HDR_BAD_HDR_LEN;
	vhostu_mbuf_set_lens(m, hl);
	m->tso_segsz = h->gso_size;
	m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM |
		(v4 ? RTE_MBUF_F_TX_IPV4 : RTE_MBUF_F_TX_IPV6) |
		RTE_MBUF_F_RX_LRO | RTE_MBUF_F_RX_L4_CKSUM_NONE;
	return 0;
}

int
vhostu_offload_from_guest(const struct vhostu_net_hdr *h, struct rte_mbuf *m, uint64_t features)
{
	struct rte_net_hdr_lens hl;
	uint32_t ptype, l4_off;
	uint64_t ip;
	int r;

	/* Nothing negotiated: a legacy driver's header carries no meaning. */
	if (!(features & VHOSTU_OFFLOAD_HOST_FEATURES))
		return 0;
	if (likely(h->flags == 0 && h->gso_type == VIRTIO_NET_HDR_GSO_NONE))
		return h->hdr_len > m->pkt_len ? -VHOSTU_HDR_BAD_HDR_LEN : 0;
	r = vhostu_hdr_check(h, m->pkt_len, features);
	if (r < 0 || !(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return r;	/* DATA_VALID and unknown flags from a driver: ignored */
	ptype = rte_net_get_ptype(m, &hl, RTE_PTYPE_L2_MASK | RTE_PTYPE_L3_MASK |
		RTE_PTYPE_L4_MASK);
	if ((h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) != VIRTIO_NET_HDR_GSO_NONE)
		return vhostu_from_guest_tso(h, m, ptype, &hl);
	l4_off = hl.l2_len + hl.l3_len;
	ip = RTE_ETH_IS_IPV4_HDR(ptype) ? RTE_MBUF_F_TX_IPV4 :
		RTE_ETH_IS_IPV6_HDR(ptype) ? RTE_MBUF_F_TX_IPV6 : 0;
	if (ip != 0 && h->csum_start == l4_off) {
		if (h->csum_offset == VHOSTU_TCP_CSUM_OFF &&
				vhostu_l4_is(m, ptype, &hl, RTE_PTYPE_L4_TCP)) {
			vhostu_mbuf_set_lens(m, &hl);
			m->ol_flags |= ip | RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_RX_L4_CKSUM_NONE;
			return 0;
		}
		if (h->csum_offset == VHOSTU_UDP_CSUM_OFF &&
				vhostu_l4_is(m, ptype, &hl, RTE_PTYPE_L4_UDP)) {
			vhostu_mbuf_set_lens(m, &hl);
			m->ol_flags |= ip | RTE_MBUF_F_TX_UDP_CKSUM | RTE_MBUF_F_RX_L4_CKSUM_NONE;
			return 0;
		}
	}
	/* A checksum mbuf flags cannot describe (not TCP's or UDP's): done here. */
	vhostu_csum_sw(m, h->csum_start, h->csum_offset);
	return 0;
}

/* The IPv4 header checksum: virtio has no offload for it. */
static void
vhostu_ipv4_csum_sw(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip;

	m->ol_flags &= ~RTE_MBUF_F_TX_IP_CKSUM;
	if (m->l2_len + (uint32_t)m->l3_len > m->data_len || m->l3_len < sizeof(*ip))
		return;	/* headers not in the first segment: left as they are */
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static bool
vhostu_tcp_cwr(const struct rte_mbuf *m)
{
	const struct rte_tcp_hdr *th;
	struct rte_tcp_hdr copy;

	th = rte_pktmbuf_read(m, m->l2_len + m->l3_len, sizeof(copy), &copy);
	return th != NULL && (th->tcp_flags & VHOSTU_TCP_CWR);
}

static int
vhostu_to_guest_tso(const struct rte_mbuf *m, struct vhostu_net_hdr *h, uint64_t features)
{
	const bool v6 = m->ol_flags & RTE_MBUF_F_TX_IPV6;
	const uint64_t need = VHOSTU_BIT(v6 ? VHOSTU_VIRTIO_NET_F_GUEST_TSO6 :
		VHOSTU_VIRTIO_NET_F_GUEST_TSO4);
	uint32_t hdrs = m->l2_len + m->l3_len + m->l4_len;

	if ((m->ol_flags & RTE_MBUF_F_TX_UDP_SEG) || !(features & need) ||
			m->tso_segsz == 0 || hdrs > m->pkt_len)
		return -ENOTSUP;
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
	/* Linux marks a TSO frame whose first segment has CWR set. */
	if ((features & VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_GUEST_ECN)) && vhostu_tcp_cwr(m))
		h->gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	h->hdr_len = (uint16_t)hdrs;
	h->gso_size = m->tso_segsz;
	h->csum_start = m->l2_len + m->l3_len;
	h->csum_offset = VHOSTU_TCP_CSUM_OFF;
	return 1;
}

int
vhostu_offload_to_guest(struct rte_mbuf *m, struct vhostu_net_hdr *h, uint64_t features)
{
	uint64_t l4 = m->ol_flags & RTE_MBUF_F_TX_L4_MASK;
	uint32_t start = m->l2_len + m->l3_len, off;

	h->flags = 0;
	h->gso_type = VIRTIO_NET_HDR_GSO_NONE;
	h->hdr_len = 0;
	h->gso_size = 0;
	h->csum_start = 0;
	h->csum_offset = 0;
	if (likely(!(m->ol_flags & VHOSTU_TX_OFFLOAD_FLAGS)))
		return 0;
	if (m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM)
		vhostu_ipv4_csum_sw(m);
	if (m->ol_flags & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG))
		return vhostu_to_guest_tso(m, h, features);
	if (l4 != RTE_MBUF_F_TX_TCP_CKSUM && l4 != RTE_MBUF_F_TX_UDP_CKSUM)
		return 0;	/* SCTP's CRC: virtio has no offload for it */
	off = l4 == RTE_MBUF_F_TX_TCP_CKSUM ? VHOSTU_TCP_CSUM_OFF : VHOSTU_UDP_CSUM_OFF;
	if (start + off + (uint32_t)sizeof(uint16_t) > m->pkt_len || start > UINT16_MAX)
		return 0;	/* flags that do not fit the frame: sent as it is */
	if (features & VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_GUEST_CSUM)) {
		h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h->csum_start = (uint16_t)start;
		h->csum_offset = (uint16_t)off;
		return 1;
	}
	/* DPDK's convention is virtio's: the field holds the pseudo-header sum. */
	vhostu_csum_sw(m, start, off);
	m->ol_flags &= ~RTE_MBUF_F_TX_L4_MASK;
	return 0;
}

/*
 * The pseudo-header sum of m's L4 (proto over the IP header at l3) into the
 * field at off: with the L4 length, virtio's convention for NEEDS_CSUM and
 * Linux's for a GSO frame (the guest adjusts it per segment). IPv6
 * extension headers are skipped: the sum names TCP/UDP and their length.
 */
static int
vhostu_prepare_phdr(struct rte_mbuf *m, uint8_t proto, uint32_t off)
{
	struct rte_ipv6_hdr ip6;
	uint16_t sum, ext;
	void *l3;

	if (m->l2_len + (uint32_t)m->l3_len + off + sizeof(sum) > m->data_len)
		return -EINVAL;	/* headers not in the first segment */
	l3 = rte_pktmbuf_mtod_offset(m, void *, m->l2_len);
	if (m->ol_flags & RTE_MBUF_F_TX_IPV4) {
		if (m->l3_len < sizeof(struct rte_ipv4_hdr))
			return -EINVAL;
		sum = rte_ipv4_phdr_cksum(l3, 0);
	} else if (m->ol_flags & RTE_MBUF_F_TX_IPV6) {
		if (m->l3_len < sizeof(ip6))
			return -EINVAL;
		memcpy(&ip6, l3, sizeof(ip6));
		ext = m->l3_len - sizeof(ip6);
		if (rte_be_to_cpu_16(ip6.payload_len) < ext)
			return -EINVAL;
		ip6.payload_len = rte_cpu_to_be_16(rte_be_to_cpu_16(ip6.payload_len) - ext);
		ip6.proto = proto;
		sum = rte_ipv6_phdr_cksum(&ip6, 0);
	} else {
		return -EINVAL;
	}
	memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, m->l2_len + m->l3_len + off), &sum,
		sizeof(sum));
	return 0;
}

uint16_t
vhostu_tx_prepare(void *txq __rte_unused, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *m;
	uint64_t l4;
	uint16_t i;
	int r;

	for (i = 0; i < n; i++) {
		m = pkts[i];
		if (likely(!(m->ol_flags & VHOSTU_TX_OFFLOAD_FLAGS)))
			continue;
		l4 = m->ol_flags & RTE_MBUF_F_TX_L4_MASK;
		if ((m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) || l4 == RTE_MBUF_F_TX_TCP_CKSUM)
			r = vhostu_prepare_phdr(m, IPPROTO_TCP, VHOSTU_TCP_CSUM_OFF);
		else if (l4 == RTE_MBUF_F_TX_UDP_CKSUM)
			r = vhostu_prepare_phdr(m, IPPROTO_UDP, VHOSTU_UDP_CSUM_OFF);
		else
			r = 0;	/* IPv4 header checksums are the burst's; it refuses UDP_SEG */
		if (r < 0) {
			rte_errno = -r;
			return i;
		}
	}
	return n;
}
