/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Suite "offloads": the virtio-net header both ways (vhostu_offload.c through
 * the bursts). Guest frames' headers become mbuf flags and lengths, every
 * class of bad header costs the frame and is counted by reason, mbuf flags
 * become the header of frames to the guest, and what the guest did not
 * negotiate is done in software (checksums) or refused (TSO). Frames at the
 * limits: 64 KiB TSO, 9000-byte MTU, with and without MRG_RXBUF, the legacy
 * 10-byte header, headers split across descriptors; and the same over packed
 * rings, whose bursts make the same calls (vhostu_rxtx.h).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "rxtx_harness.h"
#include "test_mbuf.h"

#define F_CSUM		F(VIRTIO_NET_F_CSUM)
#define F_GCSUM		F(VIRTIO_NET_F_GUEST_CSUM)
#define F_HTSO4		F(VIRTIO_NET_F_HOST_TSO4)
#define F_HTSO6		F(VIRTIO_NET_F_HOST_TSO6)
#define F_HECN		F(VIRTIO_NET_F_HOST_ECN)
#define F_GTSO4		F(VIRTIO_NET_F_GUEST_TSO4)
#define F_GTSO6		F(VIRTIO_NET_F_GUEST_TSO6)
#define F_GECN		F(VIRTIO_NET_F_GUEST_ECN)
#define F_HOST		(F_CSUM | F_HTSO4 | F_HTSO6 | F_HECN)
#define F_GUEST		(F_GCSUM | F_GTSO4 | F_GTSO6 | F_GECN)
#define F_OFF		(F_DEFAULT | F_HOST | F_GUEST)

#define BIG		(UINT16_MAX + RTE_ETHER_HDR_LEN)	/* the largest IPv4 TSO frame */
#define MSS		1448
#define TX_FLAGS	(RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_IPV4 | \
			 RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_IP_CKSUM)

static uint8_t frame[BIG + 64], back[BIG + 64];
static bool packed;	/* ring_setup lays out packed rings: the on_packed tests */

/* The port with split rings, or packed ones (in the on_packed tests). */
static void
ring_setup(uint64_t features, uint16_t size, uint16_t start)
{
	if (packed)
		port_setup_packed(features, size, start, true);
	else
		port_setup(features, size, start);
}

/* The layout of a test frame. */
struct l4_frame {
	uint32_t len;
	bool v6;
	uint8_t proto;		/* IPPROTO_TCP, IPPROTO_UDP */
	uint32_t l3_off, l4_off, l4_len;
	uint32_t csum_off;	/* of the L4 checksum field in the frame */
};

/*
 * Ethernet, IPv4 or IPv6, TCP or UDP, a patterned payload: len bytes in
 * frame. The L4 checksum field holds the pseudo-header sum, as a guest
 * asking for NEEDS_CSUM leaves it.
 */
static void
mk_l4(struct l4_frame *f, uint32_t len, bool v6, uint8_t proto, uint32_t seed)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)frame;
	struct rte_ipv4_hdr *ip4;
	struct rte_ipv6_hdr *ip6;
	struct rte_tcp_hdr *th;
	struct rte_udp_hdr *uh;
	uint16_t phdr;

	fg_pattern(frame, len, seed);
	f->len = len;
	f->v6 = v6;
	f->proto = proto;
	f->l3_off = RTE_ETHER_HDR_LEN;
	f->l4_off = f->l3_off + (v6 ? sizeof(*ip6) : sizeof(*ip4));
	f->l4_len = proto == IPPROTO_TCP ? sizeof(*th) : sizeof(*uh);
	memset(eh, 0, sizeof(*eh));
	eh->dst_addr.addr_bytes[0] = 0x02;
	eh->src_addr.addr_bytes[0] = 0x02;
	eh->src_addr.addr_bytes[5] = 1;
	eh->ether_type = rte_cpu_to_be_16(v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	if (v6) {
		ip6 = (struct rte_ipv6_hdr *)(frame + f->l3_off);
		memset(ip6, 0, sizeof(*ip6));
		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip6->payload_len = rte_cpu_to_be_16((uint16_t)(len - f->l4_off));
		ip6->proto = proto;
		ip6->hop_limits = 64;
		ip6->src_addr[15] = 1;
		ip6->dst_addr[15] = 2;
		phdr = rte_ipv6_phdr_cksum(ip6, 0);
	} else {
		ip4 = (struct rte_ipv4_hdr *)(frame + f->l3_off);
		memset(ip4, 0, sizeof(*ip4));
		ip4->version_ihl = RTE_IPV4_VHL_DEF;
		ip4->total_length = rte_cpu_to_be_16((uint16_t)(len - f->l3_off));
		ip4->time_to_live = 64;
		ip4->next_proto_id = proto;
		ip4->src_addr = rte_cpu_to_be_32(0x0a000001);
		ip4->dst_addr = rte_cpu_to_be_32(0x0a000002);
		ip4->hdr_checksum = rte_ipv4_cksum(ip4);
		phdr = rte_ipv4_phdr_cksum(ip4, 0);
	}
	if (proto == IPPROTO_TCP) {
		th = (struct rte_tcp_hdr *)(frame + f->l4_off);
		th->data_off = 5 << 4;
		th->tcp_flags = RTE_TCP_ACK_FLAG;
		th->cksum = phdr;
		f->csum_off = f->l4_off + offsetof(struct rte_tcp_hdr, cksum);
	} else {
		uh = (struct rte_udp_hdr *)(frame + f->l4_off);
		uh->dgram_len = rte_cpu_to_be_16((uint16_t)(len - f->l4_off));
		uh->dgram_cksum = phdr;
		f->csum_off = f->l4_off + offsetof(struct rte_udp_hdr, dgram_cksum);
	}
}

/* The header a Linux guest writes for f: NEEDS_CSUM, and TSO when mss != 0. */
static struct vhostu_net_hdr
hdr_for(const struct l4_frame *f, uint16_t mss)
{
	struct vhostu_net_hdr h = { 0 };

	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.csum_start = (uint16_t)f->l4_off;
	h.csum_offset = (uint16_t)(f->csum_off - f->l4_off);
	if (mss != 0) {
		h.gso_type = f->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
		h.gso_size = mss;
		h.hdr_len = (uint16_t)(f->l4_off + f->l4_len);
	}
	return h;
}

/* The guest sends frame (f->len bytes) with header h, in buffers of segs (NULL: one). */
static void
send_with(const struct vhostu_net_hdr *h, uint32_t len, const uint32_t *segs, uint16_t nseg)
{
	uint32_t one = port->hdr_size + len;

	if (segs == NULL) {
		segs = &one;
		nseg = 1;
	}
	fg_tx_post(&gtx[0], h, port->hdr_size, frame, len, segs, nseg, false);
	fg_kick(&gtx[0]);
}

/* One frame out of rx_burst, equal to frame; NULL if none or different. */
static struct rte_mbuf *
rx_frame(uint32_t len)
{
	struct rte_mbuf *m = NULL;

	if (vhostu_rx_burst(rxq(0), &m, 1) != 1)
		return NULL;
	if (!mbuf_equals(m, frame, len)) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	return m;
}

static uint64_t
hdr_errors(enum vhostu_hdr_error e)
{
	return rxq(0)->stats.hdr_errors[e];
}

/* ------------------------------------------------------- from the guest */

static void
rx_csum(uint64_t features, bool v6, uint8_t proto, uint32_t len, uint64_t want_l4)
{
	struct vhostu_net_hdr h;
	struct l4_frame f;
	struct rte_mbuf *m;

	ring_setup(features, 256, 0);
	mk_l4(&f, len, v6, proto, 1);
	h = hdr_for(&f, 0);
	send_with(&h, len, NULL, 0);
	m = rx_frame(len);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(m->ol_flags & TX_FLAGS,
		want_l4 | (v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4));
	CU_ASSERT_EQUAL(m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK, RTE_MBUF_F_RX_L4_CKSUM_NONE);
	CU_ASSERT_EQUAL(m->l2_len, RTE_ETHER_HDR_LEN);
	CU_ASSERT_EQUAL(m->l3_len, f.l4_off - f.l3_off);
	CU_ASSERT_EQUAL(m->l4_len, f.l4_len);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

static void
test_offload_rx_needs_csum_tcp4_becomes_tx_tcp_cksum_with_lengths(void)
{
	rx_csum(F_OFF, false, IPPROTO_TCP, 1514, RTE_MBUF_F_TX_TCP_CKSUM);
}

static void
test_offload_rx_needs_csum_udp6_becomes_tx_udp_cksum(void)
{
	rx_csum(F_OFF, true, IPPROTO_UDP, 1000, RTE_MBUF_F_TX_UDP_CKSUM);
}

static void
test_offload_rx_needs_csum_9000_byte_frame_legacy_header(void)
{
	rx_csum(F_IND | F_CSUM, false, IPPROTO_TCP, 9014, RTE_MBUF_F_TX_TCP_CKSUM);
	CU_ASSERT_EQUAL(port->hdr_size, 10);
}

static void
rx_tso(uint64_t features, bool v6, uint32_t len, const uint32_t *segs, uint16_t nseg)
{
	struct vhostu_net_hdr h;
	struct l4_frame f;
	struct rte_mbuf *m;

	ring_setup(features, 256, 0);
	mk_l4(&f, len, v6, IPPROTO_TCP, 2);
	h = hdr_for(&f, MSS);
	send_with(&h, len, segs, nseg);
	m = rx_frame(len);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(m->ol_flags & TX_FLAGS, RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM |
		(v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4));
	CU_ASSERT((m->ol_flags & RTE_MBUF_F_RX_LRO) != 0);
	CU_ASSERT_EQUAL(m->tso_segsz, MSS);
	CU_ASSERT_EQUAL(m->l2_len + m->l3_len, f.l4_off);
	CU_ASSERT_EQUAL(m->l4_len, sizeof(struct rte_tcp_hdr));
	CU_ASSERT_EQUAL(rxq(0)->stats.packets, 1);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

static void
test_offload_rx_tso4_64k_frame(void)
{
	rx_tso(F_OFF, false, BIG, NULL, 0);
}

static void
test_offload_rx_tso4_64k_frame_in_many_buffers(void)
{
	static const uint32_t segs[] = { 12, 54, 4096, 4096, 4096, 4096, 4096 };

	rx_tso(F_OFF, false, BIG, segs, RTE_DIM(segs));
}

static void
test_offload_rx_tso6_without_mrg(void)
{
	rx_tso(F_V1 | F_IND | F_HOST, true, 30000, NULL, 0);
}

/* The header split over descriptors at every offset: each field still read right. */
static void
test_offload_rx_header_split_at_every_offset(void)
{
	struct vhostu_net_hdr h;
	struct l4_frame f;
	struct rte_mbuf *m;
	uint32_t split, segs[3];

	ring_setup(F_OFF, 256, 0);
	mk_l4(&f, 20000, false, IPPROTO_TCP, 3);
	h = hdr_for(&f, MSS);
	for (split = 1; split < 12; split++) {
		segs[0] = split;
		segs[1] = 1;
		segs[2] = 30000;
		send_with(&h, f.len, segs, 3);
		m = rx_frame(f.len);
		CU_ASSERT_FATAL(m != NULL);
		CU_ASSERT((m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) != 0);
		CU_ASSERT_EQUAL(m->tso_segsz, MSS);
		rte_pktmbuf_free(m);
	}
	CU_ASSERT_EQUAL(rxq(0)->stats.packets, 11);
}

/* Ones' complement sum of frame[from, to), folded. */
static uint16_t
sum16(const uint8_t *b, uint32_t from, uint32_t to)
{
	uint32_t s = rte_raw_cksum(b + from, to - from);

	return (uint16_t)s;
}

/*
 * NEEDS_CSUM somewhere mbuf flags cannot say (here: a frame that is not IP):
 * done in software at once, as a device would: the sum from csum_start on,
 * the seed in the field included, complemented into the field.
 */
static void
test_offload_rx_needs_csum_elsewhere_done_in_software(void)
{
	struct vhostu_net_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 20,
		.csum_offset = 6 };
	const uint16_t seed = 0x1234;
	struct rte_mbuf *m;
	uint16_t c;

	ring_setup(F_OFF, 256, 0);
	fg_pattern(frame, 3001, 4);
	frame[12] = 0x88;	/* ethertype 0x88b5: local experimental */
	frame[13] = 0xb5;
	memcpy(&frame[26], &seed, 2);
	/* what the field must hold: ~(sum of the region, seed in its place) */
	c = (uint16_t)~sum16(frame, 20, 3001);
	if (c == 0)
		c = 0xffff;
	send_with(&h, 3001, (const uint32_t[]){ 100, 1000, 3000 }, 3);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), &m, 1), 1);
	CU_ASSERT_FATAL(m->pkt_len == 3001);
	CU_ASSERT_EQUAL(m->ol_flags & TX_FLAGS, 0);
	memcpy(&frame[26], &c, 2);
	CU_ASSERT(mbuf_equals(m, frame, 3001));
	rte_pktmbuf_free(m);
}

/* Without any offload negotiated, the header means nothing (a legacy driver). */
static void
test_offload_rx_header_ignored_without_offloads(void)
{
	struct vhostu_net_hdr h;
	struct l4_frame f;
	struct rte_mbuf *m;

	ring_setup(F_DEFAULT | F_GUEST, 256, 0);
	mk_l4(&f, 3000, false, IPPROTO_TCP, 5);
	h = hdr_for(&f, MSS);
	h.gso_size = 0;		/* bad, were it looked at */
	send_with(&h, f.len, NULL, 0);
	m = rx_frame(f.len);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(m->ol_flags & TX_FLAGS, 0);
	rte_pktmbuf_free(m);
}

/* ------------------------------------------------------- bad headers */

/* A bad header costs the frame only: counted by reason, the chain returned, the next frame fine. */
static void
rx_bad(uint64_t features, const struct l4_frame *f, const struct vhostu_net_hdr *h,
		enum vhostu_hdr_error why)
{
	struct rte_mbuf *m = NULL;
	uint32_t id, len;
	struct vhostu_net_hdr good;
	struct l4_frame g;

	send_with(h, f->len, NULL, 0);
	CU_ASSERT_EQUAL(vhostu_rx_burst(rxq(0), &m, 1), 0);
	CU_ASSERT_EQUAL(hdr_errors(why), 1);
	CU_ASSERT_EQUAL(rxq(0)->stats.errors, 0);
	CU_ASSERT(fg_used_pop(&gtx[0], &id, &len) && len == 0);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
	mk_l4(&g, 1514, false, IPPROTO_TCP, 9);
	good = hdr_for(&g, 0);
	if (!(features & F_CSUM))
		memset(&good, 0, sizeof(good));
	send_with(&good, g.len, NULL, 0);
	m = rx_frame(g.len);
	CU_ASSERT(m != NULL);
	rte_pktmbuf_free(m);
}

#define BAD_CASE(name, features, v6, proto, len, mss, edit, why) \
static void \
test_offload_rx_bad_##name(void) \
{ \
	struct vhostu_net_hdr h; \
	struct l4_frame f; \
 \
	ring_setup(features, 256, 0); \
	mk_l4(&f, len, v6, proto, 7); \
	h = hdr_for(&f, mss); \
	edit; \
	rx_bad(features, &f, &h, why); \
}

BAD_CASE(csum_start_beyond_frame, F_OFF, false, IPPROTO_TCP, 1514, 0,
	h.csum_start = 1514, VHOSTU_HDR_BAD_CSUM)
BAD_CASE(csum_offset_beyond_frame, F_OFF, false, IPPROTO_TCP, 1514, 0,
	h.csum_offset = 1514 - 34 - 1, VHOSTU_HDR_BAD_CSUM)
BAD_CASE(csum_start_and_offset_wrap, F_OFF, false, IPPROTO_TCP, 1514, 0,
	(h.csum_start = 0xffff, h.csum_offset = 0xffff), VHOSTU_HDR_BAD_CSUM)
BAD_CASE(tso_without_needs_csum, F_OFF, false, IPPROTO_TCP, 5000, MSS,
	h.flags = 0, VHOSTU_HDR_BAD_CSUM)
BAD_CASE(tso_checksum_not_tcps, F_OFF, false, IPPROTO_TCP, 5000, MSS,
	h.csum_offset = 6, VHOSTU_HDR_BAD_CSUM)
BAD_CASE(gso_size_zero, F_OFF, false, IPPROTO_TCP, 5000, MSS,
	h.gso_size = 0, VHOSTU_HDR_BAD_GSO_SIZE)
BAD_CASE(gso_size_larger_than_frame, F_OFF, false, IPPROTO_TCP, 5000, MSS,
	h.gso_size = 5001, VHOSTU_HDR_BAD_GSO_SIZE)
BAD_CASE(tso4_not_negotiated, F_DEFAULT | F_CSUM | F_HTSO6, false, IPPROTO_TCP, 5000, MSS,
	(void)0, VHOSTU_HDR_NOT_NEGOTIATED)
BAD_CASE(tso6_not_negotiated, F_DEFAULT | F_CSUM | F_HTSO4, true, IPPROTO_TCP, 5000, MSS,
	(void)0, VHOSTU_HDR_NOT_NEGOTIATED)
BAD_CASE(ufo_never_offered, F_OFF, false, IPPROTO_UDP, 5000, MSS,
	h.gso_type = VIRTIO_NET_HDR_GSO_UDP, VHOSTU_HDR_NOT_NEGOTIATED)
BAD_CASE(unknown_gso_type, F_OFF, false, IPPROTO_TCP, 5000, MSS,
	h.gso_type = 0x42, VHOSTU_HDR_NOT_NEGOTIATED)
BAD_CASE(needs_csum_without_csum, F_DEFAULT | F_HTSO4, false, IPPROTO_TCP, 1514, 0,
	(void)0, VHOSTU_HDR_NOT_NEGOTIATED)
BAD_CASE(hdr_len_beyond_frame, F_OFF, false, IPPROTO_TCP, 5000, MSS,
	h.hdr_len = 5001, VHOSTU_HDR_BAD_HDR_LEN)
BAD_CASE(hdr_len_short_of_headers, F_OFF, false, IPPROTO_TCP, 5000, MSS,
	h.hdr_len = 40, VHOSTU_HDR_BAD_HDR_LEN)
BAD_CASE(hdr_len_beyond_frame_without_gso, F_OFF, false, IPPROTO_TCP, 1514, 0,
	h.hdr_len = 2000, VHOSTU_HDR_BAD_HDR_LEN)
BAD_CASE(tso_of_udp, F_OFF, false, IPPROTO_UDP, 5000, MSS,
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4, VHOSTU_HDR_NOT_TCP)
BAD_CASE(tso4_of_ipv6, F_OFF, true, IPPROTO_TCP, 5000, MSS,
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4, VHOSTU_HDR_NOT_TCP)
BAD_CASE(ecn_without_host_ecn, F_DEFAULT | F_CSUM | F_HTSO4, false, IPPROTO_TCP, 5000, MSS,
	h.gso_type |= VIRTIO_NET_HDR_GSO_ECN, VHOSTU_HDR_BAD_ECN)

/* With HOST_ECN the ECN bit is fine. */
static void
test_offload_rx_ecn_with_host_ecn(void)
{
	struct vhostu_net_hdr h;
	struct l4_frame f;
	struct rte_mbuf *m;

	ring_setup(F_OFF, 256, 0);
	mk_l4(&f, 5000, false, IPPROTO_TCP, 8);
	h = hdr_for(&f, MSS);
	h.gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	send_with(&h, f.len, NULL, 0);
	m = rx_frame(f.len);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT((m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) != 0);
	rte_pktmbuf_free(m);
}

/* ------------------------------------------------------- to the guest */

static struct rte_mbuf *
mk_tx(const struct l4_frame *f, uint64_t flags, uint16_t mss)
{
	struct rte_mbuf *m = test_mbuf_frame(mp, frame, f->len, 2048);

	CU_ASSERT_FATAL(m != NULL);
	m->ol_flags = flags | (f->v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4);
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = f->l4_off - f->l3_off;
	m->l4_len = f->l4_len;
	m->tso_segsz = mss;
	return m;
}

/* The guest reads one frame into back; its header into *h. The length, or -1. */
static int
guest_read(struct vhostu_net_hdr *h)
{
	memset(h, 0, sizeof(*h));
	return fg_rx_read(&grx[0], port->hdr_size, vhostu_has_feature(port,
		VHOSTU_VIRTIO_NET_F_MRG_RXBUF), h, back, sizeof(back));
}

static void
test_offload_tx_tcp_cksum_to_guest_csum_is_needs_csum(void)
{
	struct vhostu_net_hdr h;
	struct l4_frame f;
	struct rte_mbuf *m;

	ring_setup(F_OFF, 256, 0);
	guest_post_rx(0, 16, 2048);
	mk_l4(&f, 1514, false, IPPROTO_TCP, 10);
	m = mk_tx(&f, RTE_MBUF_F_TX_TCP_CKSUM, 0);
	CU_ASSERT_EQUAL(vhostu_tx_burst(txq(0), &m, 1), 1);
	CU_ASSERT_EQUAL(guest_read(&h), 1514);
	CU_ASSERT(memcmp(back, frame, 1514) == 0);
	CU_ASSERT_EQUAL(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	CU_ASSERT_EQUAL(h.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	CU_ASSERT_EQUAL(h.csum_start, 34);
	CU_ASSERT_EQUAL(h.csum_offset, 16);
	CU_ASSERT_EQUAL(h.num_buffers, 1);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

/* Checksums the guest cannot take are filled in before the copy. */
static void
tx_csum_sw(uint64_t features, bool v6, uint8_t proto, uint32_t len)
{
	const uint64_t l4 = proto == IPPROTO_TCP ? RTE_MBUF_F_TX_TCP_CKSUM :
		RTE_MBUF_F_TX_UDP_CKSUM;
	struct vhostu_net_hdr h;
	struct l4_frame f;
	struct rte_mbuf *m;
	const void *l3;

	ring_setup(features, 256, 0);
	guest_post_rx(0, 16, 10000);
	mk_l4(&f, len, v6, proto, 11);
	if (!v6)	/* TX_IP_CKSUM: DPDK's applications leave it 0 */
		((struct rte_ipv4_hdr *)(frame + f.l3_off))->hdr_checksum = 0;
	m = mk_tx(&f, l4 | (v6 ? 0 : RTE_MBUF_F_TX_IP_CKSUM), 0);
	CU_ASSERT_EQUAL(vhostu_tx_burst(txq(0), &m, 1), 1);
	CU_ASSERT_EQUAL(guest_read(&h), (int)len);
	CU_ASSERT_EQUAL(h.flags, 0);
	CU_ASSERT_EQUAL(h.csum_start, 0);
	l3 = back + f.l3_off;
	if (v6) {
		CU_ASSERT_EQUAL(rte_ipv6_udptcp_cksum_verify(l3, back + f.l4_off), 0);
	} else {
		CU_ASSERT_EQUAL(rte_ipv4_cksum(l3), 0);	/* a valid header sums to 0xffff */
		CU_ASSERT_EQUAL(rte_ipv4_udptcp_cksum_verify(l3, back + f.l4_off), 0);
	}
	/* everything else as it was */
	CU_ASSERT(memcmp(back + f.csum_off + 2, frame + f.csum_off + 2,
		len - f.csum_off - 2) == 0);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

static void
test_offload_tx_tcp4_cksum_without_guest_csum_done_in_software(void)
{
	tx_csum_sw(F_DEFAULT, false, IPPROTO_TCP, 9014);
}

static void
test_offload_tx_udp6_cksum_without_guest_csum_done_in_software(void)
{
	tx_csum_sw(F_V1, true, IPPROTO_UDP, 1500);
}

static void
tx_tso(uint64_t features, bool v6, uint32_t len, bool cwr)
{
	struct vhostu_net_hdr h;
	struct l4_frame f;
	struct rte_mbuf *m[2];
	bool mrg = features & F_MRG;

	ring_setup(features, 256, 0);
	if (mrg)
		guest_post_rx(0, 128, 1536);
	else
		guest_post_rx(0, 4, 70000);
	mk_l4(&f, len, v6, IPPROTO_TCP, 12);
	if (cwr)
		((struct rte_tcp_hdr *)(frame + f.l4_off))->tcp_flags |= RTE_TCP_CWR_FLAG;
	m[0] = mk_tx(&f, RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM, MSS);
	m[1] = mk_mbuf(100, 13, 4096);	/* no offload: its header must be all zero again */
	CU_ASSERT_EQUAL(vhostu_tx_burst(txq(0), m, 2), 2);
	CU_ASSERT_EQUAL(guest_read(&h), (int)len);
	CU_ASSERT(memcmp(back, frame, len) == 0);
	CU_ASSERT_EQUAL(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	CU_ASSERT_EQUAL(h.gso_type, (v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4) |
		(cwr ? VIRTIO_NET_HDR_GSO_ECN : 0));
	CU_ASSERT_EQUAL(h.gso_size, MSS);
	CU_ASSERT_EQUAL(h.hdr_len, f.l4_off + 20);
	CU_ASSERT_EQUAL(h.csum_start, f.l4_off);
	CU_ASSERT_EQUAL(h.csum_offset, 16);
	CU_ASSERT(guest_recv_ok(0, 100, 1));
	CU_ASSERT_EQUAL(txq(0)->stats.packets, 2);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

static void
test_offload_tx_tso4_64k_to_guest_tso4_mrg(void)
{
	tx_tso(F_OFF, false, BIG, false);
}

static void
test_offload_tx_tso4_64k_to_guest_tso4_without_mrg(void)
{
	tx_tso(F_V1 | F_IND | F_GUEST, false, BIG, false);
}

static void
test_offload_tx_tso6_with_cwr_sets_ecn_legacy_header(void)
{
	tx_tso(F_IND | F_GUEST, true, 20000, true);
}

/* TSO to a guest without GUEST_TSO4: dropped and counted, the next frame goes. */
static void
test_offload_tx_tso_not_negotiated_dropped_and_counted(void)
{
	struct l4_frame f;
	struct rte_mbuf *m[2];

	ring_setup(F_DEFAULT | F_GCSUM | F_GTSO6, 256, 0);
	guest_post_rx(0, 128, 1536);
	mk_l4(&f, 20000, false, IPPROTO_TCP, 14);
	m[0] = mk_tx(&f, RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM, MSS);
	m[1] = mk_mbuf(200, 15, 4096);
	CU_ASSERT_EQUAL(vhostu_tx_burst(txq(0), m, 2), 2);
	CU_ASSERT_EQUAL(txq(0)->stats.offload_drops, 1);
	CU_ASSERT_EQUAL(txq(0)->stats.packets, 1);
	CU_ASSERT(guest_recv_ok(0, 200, 1));
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NB_MBUFS);
}

/* ------------------------------------------------------- packed rings */

/* A test of this suite over packed rings. */
static void
on_packed(void (*fn)(void))
{
	packed = true;
	fn();
	packed = false;
}

#define PACKED_CASE(name) \
static void \
test_offload_packed_##name(void) \
{ \
	on_packed(test_offload_##name); \
}

PACKED_CASE(rx_needs_csum_tcp4_becomes_tx_tcp_cksum_with_lengths)
PACKED_CASE(rx_tso4_64k_frame_in_many_buffers)
PACKED_CASE(rx_tso6_without_mrg)
PACKED_CASE(rx_header_split_at_every_offset)
PACKED_CASE(rx_header_ignored_without_offloads)
PACKED_CASE(rx_bad_csum_start_beyond_frame)
PACKED_CASE(rx_bad_gso_size_zero)
PACKED_CASE(rx_bad_tso4_of_ipv6)
PACKED_CASE(tx_tcp_cksum_to_guest_csum_is_needs_csum)
PACKED_CASE(tx_tcp4_cksum_without_guest_csum_done_in_software)
PACKED_CASE(tx_tso4_64k_to_guest_tso4_mrg)
PACKED_CASE(tx_tso4_64k_to_guest_tso4_without_mrg)
PACKED_CASE(tx_tso_not_negotiated_dropped_and_counted)

CU_TestInfo offload_tests[] = {
	T(test_offload_rx_needs_csum_tcp4_becomes_tx_tcp_cksum_with_lengths),
	T(test_offload_rx_needs_csum_udp6_becomes_tx_udp_cksum),
	T(test_offload_rx_needs_csum_9000_byte_frame_legacy_header),
	T(test_offload_rx_tso4_64k_frame),
	T(test_offload_rx_tso4_64k_frame_in_many_buffers),
	T(test_offload_rx_tso6_without_mrg),
	T(test_offload_rx_header_split_at_every_offset),
	T(test_offload_rx_needs_csum_elsewhere_done_in_software),
	T(test_offload_rx_header_ignored_without_offloads),
	T(test_offload_rx_bad_csum_start_beyond_frame),
	T(test_offload_rx_bad_csum_offset_beyond_frame),
	T(test_offload_rx_bad_csum_start_and_offset_wrap),
	T(test_offload_rx_bad_tso_without_needs_csum),
	T(test_offload_rx_bad_tso_checksum_not_tcps),
	T(test_offload_rx_bad_gso_size_zero),
	T(test_offload_rx_bad_gso_size_larger_than_frame),
	T(test_offload_rx_bad_tso4_not_negotiated),
	T(test_offload_rx_bad_tso6_not_negotiated),
	T(test_offload_rx_bad_ufo_never_offered),
	T(test_offload_rx_bad_unknown_gso_type),
	T(test_offload_rx_bad_needs_csum_without_csum),
	T(test_offload_rx_bad_hdr_len_beyond_frame),
	T(test_offload_rx_bad_hdr_len_short_of_headers),
	T(test_offload_rx_bad_hdr_len_beyond_frame_without_gso),
	T(test_offload_rx_bad_tso_of_udp),
	T(test_offload_rx_bad_tso4_of_ipv6),
	T(test_offload_rx_bad_ecn_without_host_ecn),
	T(test_offload_rx_ecn_with_host_ecn),
	T(test_offload_tx_tcp_cksum_to_guest_csum_is_needs_csum),
	T(test_offload_tx_tcp4_cksum_without_guest_csum_done_in_software),
	T(test_offload_tx_udp6_cksum_without_guest_csum_done_in_software),
	T(test_offload_tx_tso4_64k_to_guest_tso4_mrg),
	T(test_offload_tx_tso4_64k_to_guest_tso4_without_mrg),
	T(test_offload_tx_tso6_with_cwr_sets_ecn_legacy_header),
	T(test_offload_tx_tso_not_negotiated_dropped_and_counted),
	T(test_offload_packed_rx_needs_csum_tcp4_becomes_tx_tcp_cksum_with_lengths),
	T(test_offload_packed_rx_tso4_64k_frame_in_many_buffers),
	T(test_offload_packed_rx_tso6_without_mrg),
	T(test_offload_packed_rx_header_split_at_every_offset),
	T(test_offload_packed_rx_header_ignored_without_offloads),
	T(test_offload_packed_rx_bad_csum_start_beyond_frame),
	T(test_offload_packed_rx_bad_gso_size_zero),
	T(test_offload_packed_rx_bad_tso4_of_ipv6),
	T(test_offload_packed_tx_tcp_cksum_to_guest_csum_is_needs_csum),
	T(test_offload_packed_tx_tcp4_cksum_without_guest_csum_done_in_software),
	T(test_offload_packed_tx_tso4_64k_to_guest_tso4_mrg),
	T(test_offload_packed_tx_tso4_64k_to_guest_tso4_without_mrg),
	T(test_offload_packed_tx_tso_not_negotiated_dropped_and_counted),
	CU_TEST_INFO_NULL,
};
