/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhostu-fwd's software offloads (app/offload.c) on real mbufs (EAL without
 * hugepages): a TSO frame for a port that cannot take it becomes segments of
 * the MSS whose checksums are right (in full, or the pseudo-header sum a
 * GUEST_CSUM guest fills in), whose payload is the frame's, and which give
 * every mbuf back when freed; a flooded frame stays whole for the members
 * that take TSO; checksums are filled in place. TCP over IPv6, which
 * librte_gso of DPDK 22.11 cannot segment, is segmented by offload_tcp6.c:
 * a 64 KiB frame becomes MSS-sized segments with their own payload length,
 * sequence number, flags and checksum; what it does not take (extension
 * headers, an MSS of 0) is dropped, not leaked.
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
/* TCP/IPv6 at the limit: a payload length of 65535, 14 + 40 + 20 + 65495 payload */
#define FRAME6		(14 + 40 + UINT16_MAX)
#define MSS6		1440
#define HDRS6		74
#define NSEGS6		((FRAME6 - HDRS6 + MSS6 - 1) / MSS6)
#define SEQ6		0xfffff000u	/* the sequence numbers wrap inside the frame */
#define FLAGS6		(RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG | RTE_TCP_FIN_FLAG | \
			 RTE_TCP_CWR_FLAG)

static struct rte_mempool *mp, *indirect;
static uint8_t frame[FRAME], frame6[FRAME6], got[FRAME6];
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

/* len bytes of buf as net_vhostu delivers a guest's TSO frame: a chain of 2 KB mbufs. */
static struct rte_mbuf *
mk_chain(const uint8_t *buf, uint32_t len)
{
	struct rte_mbuf *head = NULL, *m;
	uint32_t off = 0, k;

	while (off < len) {
		m = rte_pktmbuf_alloc(mp);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		k = RTE_MIN((uint32_t)rte_pktmbuf_tailroom(m), len - off);
		memcpy(rte_pktmbuf_append(m, k), buf + off, k);
		off += k;
		if (head == NULL)
			head = m;
		else
			CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_chain(head, m), 0);
	}
	return head;
}

static struct rte_mbuf *
mk_mbuf(uint64_t flags, uint16_t mss, bool v6)
{
	struct rte_mbuf *head;

	mk_frame(v6);
	head = mk_chain(frame, FRAME);
	head->ol_flags = flags | (v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4);
	head->l2_len = 14;
	head->l3_len = 20;
	head->l4_len = 20;
	head->tso_segsz = mss;
	return head;
}

/*
 * A TCP/IPv6 frame of FRAME6 bytes in frame6 as a guest's TSO frame has it:
 * the pseudo-header sum in the checksum field; with ext, a destination
 * options header (8 bytes) between IPv6 and TCP.
 */
static void
mk_frame6(bool ext)
{
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(frame6 + 14);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(frame6 + HDRS6 - 20 + (ext ? 8 : 0));
	uint32_t i;

	for (i = 0; i < FRAME6; i++)
		frame6[i] = (uint8_t)(i * 13 + 5);
	memset(frame6, 0, HDRS6 + (ext ? 8 : 0));
	frame6[0] = 0x02;
	frame6[6] = 0x02;
	frame6[12] = 0x86;
	frame6[13] = 0xdd;
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(UINT16_MAX);
	ip->proto = ext ? IPPROTO_DSTOPTS : IPPROTO_TCP;
	ip->hop_limits = 64;
	ip->src_addr[0] = 0xfd;
	ip->src_addr[15] = 1;
	ip->dst_addr[0] = 0xfd;
	ip->dst_addr[15] = 2;
	if (ext)
		frame6[54] = IPPROTO_TCP;	/* the options header's next header; length 0: 8 */
	th->sent_seq = rte_cpu_to_be_32(SEQ6);
	th->recv_ack = rte_cpu_to_be_32(77);
	th->data_off = 5 << 4;
	th->tcp_flags = FLAGS6;
	th->rx_win = rte_cpu_to_be_16(512);
	th->cksum = rte_ipv6_phdr_cksum(ip, 0);
}

static struct rte_mbuf *
mk_mbuf6(uint16_t mss, bool ext)
{
	struct rte_mbuf *head;

	mk_frame6(ext);
	head = mk_chain(frame6, FRAME6);
	head->ol_flags = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_IPV6;
	head->l2_len = 14;
	head->l3_len = ext ? 48 : 40;	/* what the driver's parse gives */
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

/* IPv6 segments in order: lengths, payload, seq, flags per position, checksums. */
static void
check_segments6(struct rte_mbuf **seg, uint16_t n, bool full_csum)
{
	const struct rte_tcp_hdr *th0 = (const struct rte_tcp_hdr *)(frame6 + HDRS6 - 20);
	uint32_t off = HDRS6, len;
	uint16_t i;
	uint8_t want;

	CU_ASSERT_EQUAL_FATAL(n, NSEGS6);
	for (i = 0; i < n; i++) {
		const struct rte_ipv6_hdr *ip;
		const struct rte_tcp_hdr *th;

		len = RTE_MIN((uint32_t)MSS6, (uint32_t)FRAME6 - off);
		CU_ASSERT_EQUAL_FATAL(seg[i]->pkt_len, HDRS6 + len);
		flat(seg[i]);
		ip = (const struct rte_ipv6_hdr *)(got + 14);
		th = (const struct rte_tcp_hdr *)(got + 54);
		CU_ASSERT(memcmp(got, frame6, 18) == 0);	/* Ethernet, start of IPv6 */
		CU_ASSERT(memcmp(got + HDRS6, frame6 + off, len) == 0);
		CU_ASSERT_EQUAL(rte_be_to_cpu_16(ip->payload_len), 20 + len);
		CU_ASSERT_EQUAL(ip->proto, IPPROTO_TCP);
		CU_ASSERT_EQUAL(rte_be_to_cpu_32(th->sent_seq), (uint32_t)(SEQ6 + off - HDRS6));
		CU_ASSERT_EQUAL(th->recv_ack, th0->recv_ack);
		CU_ASSERT_EQUAL(th->rx_win, th0->rx_win);
		want = RTE_TCP_ACK_FLAG;
		if (i == 0)
			want |= RTE_TCP_CWR_FLAG;
		if (i == n - 1)
			want |= RTE_TCP_PSH_FLAG | RTE_TCP_FIN_FLAG;
		CU_ASSERT_EQUAL(th->tcp_flags, want);
		CU_ASSERT_EQUAL(seg[i]->ol_flags & RTE_MBUF_F_TX_TCP_SEG, 0);
		CU_ASSERT((seg[i]->ol_flags & RTE_MBUF_F_TX_IPV6) != 0);
		CU_ASSERT_EQUAL(seg[i]->l2_len + seg[i]->l3_len + seg[i]->l4_len, HDRS6);
		if (full_csum) {
			CU_ASSERT_EQUAL(rte_ipv6_udptcp_cksum_verify(ip, th), 0);
			CU_ASSERT_EQUAL(seg[i]->ol_flags & RTE_MBUF_F_TX_L4_MASK, 0);
		} else {
			CU_ASSERT_EQUAL(th->cksum, rte_ipv6_phdr_cksum(ip, 0));
			CU_ASSERT_EQUAL(seg[i]->ol_flags & RTE_MBUF_F_TX_L4_MASK,
				RTE_MBUF_F_TX_TCP_CKSUM);
		}
		off += len;
	}
	CU_ASSERT_EQUAL(off, FRAME6);
}

static void
test_ipv6_tso_64k_for_a_port_without_tso6_becomes_checksummed_segments(void)
{
	struct rte_mbuf *m = mk_mbuf6(MSS6, false);
	struct rte_mbuf *seg[APP_GSO_MAX_SEGS];
	uint16_t n;

	CU_ASSERT_TRUE(app_offload_needs_sw(m, &tso_caps));
	n = app_offload_sw(0, m, &no_caps, seg, APP_GSO_MAX_SEGS);
	check_segments6(seg, n, true);
	rte_pktmbuf_free_bulk(seg, n);
	CU_ASSERT_TRUE(pools_full());
}

static void
test_ipv6_tso_for_a_guest_csum_port_leaves_it_the_tcp_checksum(void)
{
	struct rte_mbuf *m = mk_mbuf6(MSS6, false);
	struct rte_mbuf *seg[APP_GSO_MAX_SEGS];
	uint16_t n;

	n = app_offload_sw(0, m, &tso_caps, seg, APP_GSO_MAX_SEGS);
	check_segments6(seg, n, false);
	rte_pktmbuf_free_bulk(seg, n);
	CU_ASSERT_TRUE(pools_full());
}

/* Flooded: segmented for one member, the frame stays whole for the one with TSO6. */
static void
test_flooded_ipv6_tso_frame_stays_whole_for_others(void)
{
	static const struct app_offload_caps tso6_caps = { .vhost = true, .csum = true,
		.tso6 = true };
	struct rte_mbuf *m = mk_mbuf6(MSS6, false);
	struct rte_mbuf *seg[APP_GSO_MAX_SEGS];
	uint16_t n;

	rte_pktmbuf_refcnt_update(m, 1);
	n = app_offload_sw(0, m, &no_caps, seg, APP_GSO_MAX_SEGS);
	check_segments6(seg, n, true);
	CU_ASSERT_FALSE(app_offload_needs_sw(m, &tso6_caps));
	CU_ASSERT_EQUAL(m->tso_segsz, MSS6);
	flat(m);
	CU_ASSERT(memcmp(got, frame6, FRAME6) == 0);
	rte_pktmbuf_free_bulk(seg, n);
	CU_ASSERT_FALSE(pools_full());
	rte_pktmbuf_free(m);
	CU_ASSERT_TRUE(pools_full());
}

/* Not more than one MSS of payload: sent as it is, its checksum filled in. */
static void
test_ipv6_tso_of_one_segment_sent_whole(void)
{
	struct rte_mbuf *m = mk_mbuf6(UINT16_MAX - 20, false), *out[1];

	CU_ASSERT_EQUAL(app_offload_sw(0, m, &no_caps, out, 1), 1);
	CU_ASSERT_PTR_EQUAL(out[0], m);
	CU_ASSERT_EQUAL(m->ol_flags & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_L4_MASK), 0);
	flat(m);
	CU_ASSERT_EQUAL(rte_ipv6_udptcp_cksum_verify((const struct rte_ipv6_hdr *)(got + 14),
		got + 54), 0);
	rte_pktmbuf_free(m);
	CU_ASSERT_TRUE(pools_full());
}

static void
check_dropped6(struct rte_mbuf *m)
{
	struct rte_mbuf *seg[APP_GSO_MAX_SEGS];

	CU_ASSERT_TRUE(app_offload_needs_sw(m, &no_caps));
	CU_ASSERT_EQUAL(app_offload_sw(0, m, &no_caps, seg, APP_GSO_MAX_SEGS), 0);
	CU_ASSERT_TRUE(pools_full());
}

static void
test_ipv6_tso_with_extension_header_dropped_not_leaked(void)
{
	struct rte_mbuf *m = mk_mbuf6(MSS6, true);

	check_dropped6(m);
	/* The same frame with a parse that claims a bare header: TCP is not next. */
	m = mk_mbuf6(MSS6, true);
	m->l3_len = 40;
	check_dropped6(m);
}

static void
test_ipv6_tso_with_mss_0_or_too_many_segments_dropped_not_leaked(void)
{
	struct rte_mbuf *m = mk_mbuf6(0, false), *seg[APP_GSO_MAX_SEGS];

	check_dropped6(m);
	m = mk_mbuf6(MSS6, false);
	CU_ASSERT_EQUAL(app_offload_sw(0, m, &no_caps, seg, NSEGS6 - 1), 0);
	CU_ASSERT_TRUE(pools_full());
}

/* The IPv4 header claims TSO over IPv6 (flags that lie): not segmented as IPv6. */
static void
test_ipv6_flagged_tso_of_an_ipv4_frame_dropped_not_leaked(void)
{
	check_dropped6(mk_mbuf(RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM, MSS, true));
}

static CU_TestInfo tests[] = {
	{ "TSO for a port without offloads becomes checksummed segments",
		test_tso_for_a_port_without_offloads_becomes_checksummed_segments },
	{ "TSO for a GUEST_CSUM port leaves it the TCP checksum",
		test_tso_for_a_guest_csum_port_leaves_it_the_tcp_checksum },
	{ "flooded TSO frame segmented for one member stays whole for the others",
		test_flooded_tso_frame_segmented_for_one_member_stays_whole_for_others },
	{ "checksum-only frame filled in place", test_checksum_only_frame_filled_in_place },
	{ "64 KiB IPv6 TSO for a port without TSO6 becomes checksummed segments",
		test_ipv6_tso_64k_for_a_port_without_tso6_becomes_checksummed_segments },
	{ "IPv6 TSO for a GUEST_CSUM port leaves it the TCP checksum",
		test_ipv6_tso_for_a_guest_csum_port_leaves_it_the_tcp_checksum },
	{ "flooded IPv6 TSO frame stays whole for the others",
		test_flooded_ipv6_tso_frame_stays_whole_for_others },
	{ "IPv6 TSO of one segment sent whole", test_ipv6_tso_of_one_segment_sent_whole },
	{ "IPv6 TSO with an extension header dropped, not leaked",
		test_ipv6_tso_with_extension_header_dropped_not_leaked },
	{ "IPv6 TSO with MSS 0 or too many segments dropped, not leaked",
		test_ipv6_tso_with_mss_0_or_too_many_segments_dropped_not_leaked },
	{ "IPv6-flagged TSO of an IPv4 frame dropped, not leaked",
		test_ipv6_flagged_tso_of_an_ipv4_frame_dropped_not_leaked },
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
