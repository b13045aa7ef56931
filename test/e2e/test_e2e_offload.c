/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Suite "offloads with virtio-user": DPDK's virtio PMD configured with the
 * checksum and TSO/LRO offloads negotiates them with net_vhostu, and each
 * works both ways: a TCP frame virtio-user sends with TX_TCP_CKSUM (or
 * TX_TCP_SEG) reaches our rx with the same flags and lengths; one we send
 * with them reaches virtio-user's rx with RX_L4_CKSUM_NONE (or RX_LRO and
 * its MSS), the bytes unchanged.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "e2e_harness.h"
#include "test_common.h"

#define OFF_FRAME	20014		/* a TSO frame: 14 Ethernet + 20000 IPv4 */
#define OFF_MSS		1448
#define OFF_L4		(RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr))
#define OFF_TX		(RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_IPV4)

/* CSUM, GUEST_CSUM, GUEST_TSO4, HOST_TSO4 */
#define OFF_FEATURES	(E2E_BIT(0) | E2E_BIT(1) | E2E_BIT(7) | E2E_BIT(11))

static const struct e2e_combo off_combo = { true, 1, true, false, false };
static uint8_t off_frame[OFF_FRAME];

int
e2e_offload_init(void)
{
	cur = &off_combo;
	e2e_peer_offloads = true;
	fds_before = count_fds();
	return 0;
}

int
e2e_offload_clean(void)
{
	e2e_tear_down();
	e2e_peer_offloads = false;
	return 0;
}

/* A TCP/IPv4 frame of len bytes in off_frame; the checksum field holds 0. */
static void
off_tcp_frame(uint32_t len, uint16_t seq)
{
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;

	e2e_frame(off_frame, len, E2E_TO_VHOSTU, 0, seq);
	off_frame[12] = 0x08;	/* IPv4 */
	off_frame[13] = 0x00;
	ip = (struct rte_ipv4_hdr *)(off_frame + RTE_ETHER_HDR_LEN);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - RTE_ETHER_HDR_LEN));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(0x0a000001);
	ip->dst_addr = rte_cpu_to_be_32(0x0a000002);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th = (struct rte_tcp_hdr *)(off_frame + OFF_L4);
	memset(th, 0, sizeof(*th));
	th->data_off = 5 << 4;
	th->tcp_flags = RTE_TCP_ACK_FLAG;
}

static struct rte_mbuf *
off_mbuf(struct rte_mempool *mp, uint32_t len, uint64_t flags, uint16_t mss)
{
	struct rte_mbuf *m = e2e_mbuf_build(mp, off_frame, len);

	CU_ASSERT_FATAL(m != NULL);
	m->ol_flags = flags | RTE_MBUF_F_TX_IPV4;
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = sizeof(struct rte_ipv4_hdr);
	m->l4_len = sizeof(struct rte_tcp_hdr);
	m->tso_segsz = mss;
	return m;
}

/* One frame from port's queue 0 within the transfer bound, or NULL. */
static struct rte_mbuf *
off_take(uint16_t port)
{
	uint64_t deadline = e2e_deadline(E2E_XFER_TIMEOUT_S);
	struct rte_mbuf *m;

	while (!e2e_expired(deadline))
		if (rte_eth_rx_burst(port, 0, &m, 1) == 1)
			return m;
	return NULL;
}

/* Bytes of m from the TCP header's end on equal off_frame's: the payload went whole. */
static bool
off_payload_ok(const struct rte_mbuf *m, uint32_t len)
{
	static uint8_t got[OFF_FRAME];
	const uint32_t from = OFF_L4 + sizeof(struct rte_tcp_hdr);
	const void *p;

	if (m->pkt_len != len)
		return false;
	p = rte_pktmbuf_read(m, from, len - from, got);
	return p != NULL && memcmp(p, off_frame + from, len - from) == 0;
}

/* From the peer through tx_prepare (which sets the pseudo-header sum) and tx_burst. */
static void
off_peer_send(struct rte_mbuf *m)
{
	CU_ASSERT_FATAL(rte_eth_tx_prepare(pport, 0, &m, 1) == 1);
	CU_ASSERT_FATAL(rte_eth_tx_burst(pport, 0, &m, 1) == 1);
}

static void
test_offload_negotiated_with_virtio_user_configured_for_them(void)
{
	static struct rte_pmd_vhostu_info info;

	CU_ASSERT_FATAL(e2e_bring_up() == 0);
	CU_ASSERT_FATAL(e2e_links_up(e2e_deadline(E2E_LINK_TIMEOUT_S)));
	ports_up = true;
	CU_ASSERT_FATAL(rte_pmd_vhostu_get_info(vport, &info) == 0);
	CU_ASSERT_EQUAL(info.features & OFF_FEATURES, OFF_FEATURES);
}

static void
test_offload_tcp_checksum_from_virtio_user_arrives_as_tx_tcp_cksum(void)
{
	struct rte_mbuf *m;

	CU_ASSERT_FATAL(ports_up);
	off_tcp_frame(1514, 1);
	off_peer_send(off_mbuf(peer_mp, 1514, RTE_MBUF_F_TX_TCP_CKSUM, 0));
	m = off_take(vport);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(m->ol_flags & OFF_TX, RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_IPV4);
	CU_ASSERT_EQUAL(m->l2_len + m->l3_len, OFF_L4);
	CU_ASSERT_EQUAL(m->l4_len, sizeof(struct rte_tcp_hdr));
	CU_ASSERT(off_payload_ok(m, 1514));
	rte_pktmbuf_free(m);
}

static void
test_offload_tso_from_virtio_user_arrives_as_tx_tcp_seg(void)
{
	struct rte_mbuf *m;

	CU_ASSERT_FATAL(ports_up);
	off_tcp_frame(OFF_FRAME, 2);
	off_peer_send(off_mbuf(peer_mp, OFF_FRAME, RTE_MBUF_F_TX_TCP_SEG |
		RTE_MBUF_F_TX_TCP_CKSUM, OFF_MSS));
	m = off_take(vport);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(m->ol_flags & OFF_TX, RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM |
		RTE_MBUF_F_TX_IPV4);
	CU_ASSERT_EQUAL(m->tso_segsz, OFF_MSS);
	CU_ASSERT(off_payload_ok(m, OFF_FRAME));
	rte_pktmbuf_free(m);
}

static void
test_offload_tcp_checksum_to_virtio_user_arrives_as_rx_l4_cksum_none(void)
{
	struct rte_mbuf *m;
	uint16_t n;

	CU_ASSERT_FATAL(ports_up);
	off_tcp_frame(1514, 3);
	m = off_mbuf(vhostu_mp, 1514, RTE_MBUF_F_TX_TCP_CKSUM, 0);
	n = rte_eth_tx_burst(vport, 0, &m, 1);
	CU_ASSERT_FATAL(n == 1);
	m = off_take(pport);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK, RTE_MBUF_F_RX_L4_CKSUM_NONE);
	CU_ASSERT(off_payload_ok(m, 1514));
	rte_pktmbuf_free(m);
}

static void
test_offload_tso_to_virtio_user_arrives_as_rx_lro_with_its_mss(void)
{
	struct rte_mbuf *m;
	uint16_t n;

	CU_ASSERT_FATAL(ports_up);
	off_tcp_frame(OFF_FRAME, 4);
	m = off_mbuf(vhostu_mp, OFF_FRAME, RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM,
		OFF_MSS);
	n = rte_eth_tx_burst(vport, 0, &m, 1);
	CU_ASSERT_FATAL(n == 1);
	m = off_take(pport);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT((m->ol_flags & RTE_MBUF_F_RX_LRO) != 0);
	CU_ASSERT_EQUAL(m->tso_segsz, OFF_MSS);
	CU_ASSERT(off_payload_ok(m, OFF_FRAME));
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(e2e_tear_down(), 0);
	CU_ASSERT_EQUAL(count_fds(), fds_before);
}

CU_TestInfo offload_tests[] = {
	{ "offloads negotiated with virtio-user configured for them",
		test_offload_negotiated_with_virtio_user_configured_for_them },
	{ "TCP checksum from virtio-user arrives as TX_TCP_CKSUM",
		test_offload_tcp_checksum_from_virtio_user_arrives_as_tx_tcp_cksum },
	{ "TSO from virtio-user arrives as TX_TCP_SEG",
		test_offload_tso_from_virtio_user_arrives_as_tx_tcp_seg },
	{ "TCP checksum to virtio-user arrives as RX_L4_CKSUM_NONE",
		test_offload_tcp_checksum_to_virtio_user_arrives_as_rx_l4_cksum_none },
	{ "TSO to virtio-user arrives as RX_LRO with its MSS",
		test_offload_tso_to_virtio_user_arrives_as_rx_lro_with_its_mss },
	CU_TEST_INFO_NULL,
};
