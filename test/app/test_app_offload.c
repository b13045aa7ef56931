/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhostu-fwd's software offloads (app/offload.c) on real mbufs (EAL without
 * hugepages): a TSO frame for a port that cannot take it becomes segments of
 * the MSS whose checksums are right (in full, or the pseudo-header sum a
 * GUEST_CSUM guest fills in), whose payload is the frame's, and which give
 * every mbuf back when freed; a flooded frame stays whole for the members
 * that take TSO; checksums are filled in place; what librte_gso of DPDK
 * 22.11 cannot segment (IPv6) is dropped, not leaked.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "offload.h"
#include "test_common.h"

#define POOL_SIZE	1023
#define FRAME		20014	/* 14 Ethernet + 20 IPv4 + 20 TCP + 19960 payload */
#define MSS		1448
#define HDRS		54
#define NSEGS		((FRAME - HDRS + MSS - 1) / MSS)

static struct rte_mempool *mp, *indirect;
static uint8_t frame[FRAME], got[FRAME];
static const struct app_offload_caps no_caps = { .vhost = true };
static const struct app_offload_caps csum_caps = { .vhost = true, .csum = true };
static const struct app_offload_caps tso_caps = { .vhost = true, .csum = true, .tso4 = true };

static void
mk_frame(bool v6)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame + 14);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(frame + HDRS - 20);
	uint32_t i;

	for (i = 0; i < FRAME; i++)
		frame[i] = (uint8_t)(i * 7 + 3);
	memset(frame, 0, HDRS);
	frame[0] = 0x02;
	frame[6] = 0x02;
	frame[12] = v6 ? 0x86 : 0x08;
	frame[13] = v6 ? 0xdd : 0x00;
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(FRAME - 14);
	ip->packet_id = rte_cpu_to_be_16(100);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(0x0a000001);
	ip->dst_addr = rte_cpu_to_be_32(0x0a000002);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th->sent_seq = rte_cpu_to_be_32(1000);
	th->data_off = 5 << 4;
	th->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
	th->cksum = rte_ipv4_phdr_cksum(ip, 0);	/* as a guest's NEEDS_CSUM leaves it */
}

/* The frame as net_vhostu delivers a guest's TSO frame: a chain of 2 KB mbufs. */
static struct rte_mbuf *
mk_mbuf(uint64_t flags, uint16_t mss, bool v6)
{
	struct rte_mbuf *head = NULL, *m;
	uint32_t off = 0, k;

	mk_frame(v6);
	while (off < FRAME) {
		m = rte_pktmbuf_alloc(mp);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		k = RTE_MIN((uint32_t)rte_pktmbuf_tailroom(m), FRAME - off);
		memcpy(rte_pktmbuf_append(m, k), frame + off, k);
		off += k;
		if (head == NULL)
			head = m;
		else
			CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_chain(head, m), 0);
	}
	head->ol_flags = flags | (v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4);
	head->l2_len = 14;
	head->l3_len = 20;
	head->l4_len = 20;
	head->tso_segsz = mss;
	return head;
}

static bool
pools_full(void)
{
	return rte_mempool_avail_count(mp) == POOL_SIZE &&
		rte_mempool_in_use_count(indirect) == 0;
}

/* m's bytes, contiguous, in got. */
static void
flat(const struct rte_mbuf *m)
{
	const void *p = rte_pktmbuf_read(m, 0, m->pkt_len, got);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	if (p != got)
		memcpy(got, p, m->pkt_len);
}

/* Segments in order: MSS payloads that add up to the frame's, seq and checksums right. */
static void
check_segments(struct rte_mbuf **seg, uint16_t n, bool full_csum)
{
	uint32_t off = HDRS, len;
	uint16_t i;

	CU_ASSERT_EQUAL_FATAL(n, NSEGS);
	for (i = 0; i < n; i++) {
		const struct rte_ipv4_hdr *ip;
		const struct rte_tcp_hdr *th;

		len = RTE_MIN((uint32_t)MSS, (uint32_t)FRAME - off);
		CU_ASSERT_EQUAL_FATAL(seg[i]->pkt_len, HDRS + len);
		flat(seg[i]);
		ip = (const struct rte_ipv4_hdr *)(got + 14);
		th = (const struct rte_tcp_hdr *)(got + 34);
		CU_ASSERT(memcmp(got + HDRS, frame + off, len) == 0);
		CU_ASSERT_EQUAL(rte_be_to_cpu_16(ip->total_length), 40 + len);
		CU_ASSERT_EQUAL(rte_ipv4_cksum(ip), 0);	/* valid */
		CU_ASSERT_EQUAL(rte_be_to_cpu_32(th->sent_seq), 1000 + off - HDRS);
		CU_ASSERT_EQUAL(seg[i]->ol_flags & RTE_MBUF_F_TX_TCP_SEG, 0);
		if (full_csum) {
			CU_ASSERT_EQUAL(rte_ipv4_udptcp_cksum_verify(ip, th), 0);
			CU_ASSERT_EQUAL(seg[i]->ol_flags & RTE_MBUF_F_TX_L4_MASK, 0);
		} else {
			CU_ASSERT_EQUAL(th->cksum, rte_ipv4_phdr_cksum(ip, 0));
			CU_ASSERT_EQUAL(seg[i]->ol_flags & RTE_MBUF_F_TX_L4_MASK,
				RTE_MBUF_F_TX_TCP_CKSUM);
		}
		off += len;
	}
	CU_ASSERT_EQUAL(off, FRAME);
}

static void
test_tso_for_a_port_without_offloads_becomes_checksummed_segments(void)
{
	struct rte_mbuf *m = mk_mbuf(RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM, MSS, false);
	struct rte_mbuf *seg[APP_GSO_MAX_SEGS];
	uint16_t n;

	CU_ASSERT_TRUE(app_offload_needs_sw(m, &no_caps));
	n = app_offload_sw(0, m, &no_caps, seg, APP_GSO_MAX_SEGS);
	check_segments(seg, n, true);
	rte_pktmbuf_free_bulk(seg, n);
	CU_ASSERT_TRUE(pools_full());
}

static void
test_tso_for_a_guest_csum_port_leaves_it_the_tcp_checksum(void)
{
	struct rte_mbuf *m = mk_mbuf(RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM, MSS, false);
	struct rte_mbuf *seg[APP_GSO_MAX_SEGS];
	uint16_t n;

	CU_ASSERT_TRUE(app_offload_needs_sw(m, &csum_caps));
	n = app_offload_sw(0, m, &csum_caps, seg, APP_GSO_MAX_SEGS);
	check_segments(seg, n, false);
	rte_pktmbuf_free_bulk(seg, n);
	CU_ASSERT_TRUE(pools_full());
}

/* Flooded to three members: one without TSO, two with; every mbuf comes back. */
static void
test_flooded_tso_frame_segmented_for_one_member_stays_whole_for_others(void)
{
	struct rte_mbuf *m = mk_mbuf(RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM, MSS, false);
	struct rte_mbuf *seg[APP_GSO_MAX_SEGS];
	uint16_t n;

	rte_pktmbuf_refcnt_update(m, 2);	/* what app_bd_flood does for 3 members */
	n = app_offload_sw(0, m, &no_caps, seg, APP_GSO_MAX_SEGS);
	check_segments(seg, n, true);
	CU_ASSERT_FALSE(app_offload_needs_sw(m, &tso_caps));
	CU_ASSERT((m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) != 0);
	CU_ASSERT_EQUAL(m->tso_segsz, MSS);
	flat(m);
	CU_ASSERT(memcmp(got, frame, FRAME) == 0);
	rte_pktmbuf_free_bulk(seg, n);
	CU_ASSERT_FALSE(pools_full());
	rte_pktmbuf_free(m);	/* member 2 sent it */
	rte_pktmbuf_free(m);	/* member 3 */
	CU_ASSERT_TRUE(pools_full());
}

static void
test_checksum_only_frame_filled_in_place(void)
{
	struct rte_mbuf *m = mk_mbuf(RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_IP_CKSUM, 0, false);
	struct rte_mbuf *out[1];
	const struct rte_ipv4_hdr *ip;

	CU_ASSERT_TRUE(app_offload_needs_sw(m, &no_caps));
	CU_ASSERT_EQUAL(app_offload_sw(0, m, &no_caps, out, 1), 1);
	CU_ASSERT_PTR_EQUAL(out[0], m);
	CU_ASSERT_EQUAL(m->ol_flags & (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_IP_CKSUM), 0);
	flat(m);
	ip = (const struct rte_ipv4_hdr *)(got + 14);
	CU_ASSERT_EQUAL(rte_ipv4_cksum(ip), 0);
	CU_ASSERT_EQUAL(rte_ipv4_udptcp_cksum_verify(ip, got + 34), 0);
	rte_pktmbuf_free(m);
	CU_ASSERT_TRUE(pools_full());
}

static void
test_ipv6_tso_without_tso6_dropped_not_leaked(void)
{
	struct rte_mbuf *m = mk_mbuf(RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM, MSS, true);
	struct rte_mbuf *seg[APP_GSO_MAX_SEGS];

	CU_ASSERT_TRUE(app_offload_needs_sw(m, &tso_caps));
	CU_ASSERT_EQUAL(app_offload_sw(0, m, &tso_caps, seg, APP_GSO_MAX_SEGS), 0);
	CU_ASSERT_TRUE(pools_full());
}

static CU_TestInfo tests[] = {
	{ "TSO for a port without offloads becomes checksummed segments",
		test_tso_for_a_port_without_offloads_becomes_checksummed_segments },
	{ "TSO for a GUEST_CSUM port leaves it the TCP checksum",
		test_tso_for_a_guest_csum_port_leaves_it_the_tcp_checksum },
	{ "flooded TSO frame segmented for one member stays whole for the others",
		test_flooded_tso_frame_segmented_for_one_member_stays_whole_for_others },
	{ "checksum-only frame filled in place", test_checksum_only_frame_filled_in_place },
	{ "IPv6 TSO without TSO6 dropped, not leaked",
		test_ipv6_tso_without_tso6_dropped_not_leaked },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "vhostu-fwd software offloads", NULL, NULL, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	char prefix[64];
	char *argv[] = { "test_app_offload", "--no-huge", "-m", "128", "--no-pci",
		"--no-shconf", "-l", "0", "--log-level=*:error", prefix, NULL };
	unsigned int failed;

	snprintf(prefix, sizeof(prefix), "--file-prefix=app-offload-%d", (int)getpid());
	if (rte_eal_init(RTE_DIM(argv) - 1, argv) < 0) {
		fprintf(stderr, "test_app_offload: EAL init failed\n");
		return 1;
	}
	mp = rte_pktmbuf_pool_create("test_direct", POOL_SIZE, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (mp == NULL || app_offload_init(mp) < 0 ||
			(indirect = rte_mempool_lookup("app_gso_indirect")) == NULL) {
		fprintf(stderr, "test_app_offload: pools\n");
		return 1;
	}
	failed = run_suites(suites);
	app_offload_fini();
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return failed != 0;
}
