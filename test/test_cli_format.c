/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The show formats fed the state of the spec's example (seed) print the
 * spec's lines. The one deliberate difference: the spec's Virtqueue 6 has
 * " avail.flags" with one leading space, a typo in the document; we print
 * two spaces like every other virtqueue.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "cli_internal.h"
#include "test_cli_capture.h"
#include "test_common.h"

static struct test_capture cap;

static const char seed_show[] =
	"Virtio vhost-user interfaces\n"
	"Global:\n"
	"  coalesce frames 32 time 1e-3\n"
	"Interface: VirtualEthernet0/0/0 (ifindex 1)\n"
	"virtio_net_hdr_sz 12\n"
	" features mask (0xffffffffffffffff):\n"
	" features (0x50408000):\n"
	"   VIRTIO_NET_F_MRG_RXBUF (15)\n"
	"   VIRTIO_NET_F_MQ (22)\n"
	"   VIRTIO_F_INDIRECT_DESC (28)\n"
	"   VHOST_USER_F_PROTOCOL_FEATURES (30)\n"
	"  protocol features (0x3)\n"
	"   VHOST_USER_PROTOCOL_F_MQ (0)\n"
	"   VHOST_USER_PROTOCOL_F_LOG_SHMFD (1)\n"
	"\n"
	" socket filename /var/run/vpp/vhost1.sock type client errno \"Success\"\n"
	"\n"
	"rx placement:\n"
	"   thread 1 on vring 1\n"
	"   thread 1 on vring 5\n"
	"   thread 2 on vring 3\n"
	"   thread 2 on vring 7\n"
	" tx placement: spin-lock\n"
	"   thread 0 on vring 0\n"
	"   thread 1 on vring 2\n"
	"   thread 2 on vring 0\n"
	"\n"
	"Memory regions (total 2)\n"
	"region fd    guest_phys_addr    memory_size        userspace_addr     "
	"mmap_offset        mmap_addr\n"
	"====== ===== ================== ================== ================== "
	"================== ==================\n"
	"  0     60    0x0000000000000000 0x00000000000a0000 0x00002aaaaac00000 "
	"0x0000000000000000 0x00002aab2b400000\n"
	"  1     61    0x00000000000c0000 0x000000003ff40000 0x00002aaaaacc0000 "
	"0x00000000000c0000 0x00002aababcc0000\n"
	"\n"
	" Virtqueue 0 (TX)\n"
	"  qsz 256 last_avail_idx 0 last_used_idx 0\n"
	"  avail.flags 1 avail.idx 128 used.flags 1 used.idx 0\n"
	"  kickfd 62 callfd 64 errfd -1\n"
	"\n"
	" Virtqueue 1 (RX)\n"
	"  qsz 256 last_avail_idx 0 last_used_idx 0\n"
	"  avail.flags 1 avail.idx 0 used.flags 1 used.idx 0\n"
	"  kickfd 65 callfd 66 errfd -1\n"
	"\n"
	" Virtqueue 2 (TX)\n"
	"  qsz 256 last_avail_idx 0 last_used_idx 0\n"
	"  avail.flags 1 avail.idx 128 used.flags 1 used.idx 0\n"
	"  kickfd 63 callfd 70 errfd -1\n"
	"\n"
	" Virtqueue 3 (RX)\n"
	"  qsz 256 last_avail_idx 0 last_used_idx 0\n"
	"  avail.flags 1 avail.idx 0 used.flags 1 used.idx 0\n"
	"  kickfd 72 callfd 74 errfd -1\n"
	"\n"
	" Virtqueue 4 (TX disabled)\n"
	"  qsz 256 last_avail_idx 0 last_used_idx 0\n"
	"  avail.flags 1 avail.idx 0 used.flags 1 used.idx 0\n"
	"  kickfd 76 callfd 78 errfd -1\n"
	"\n"
	" Virtqueue 5 (RX disabled)\n"
	"  qsz 256 last_avail_idx 0 last_used_idx 0\n"
	"  avail.flags 1 avail.idx 0 used.flags 1 used.idx 0\n"
	"  kickfd 80 callfd 82 errfd -1\n"
	"\n"
	" Virtqueue 6 (TX disabled)\n"
	"  qsz 256 last_avail_idx 0 last_used_idx 0\n"
	"  avail.flags 1 avail.idx 0 used.flags 1 used.idx 0\n"
	"  kickfd 84 callfd 86 errfd -1\n"
	"\n"
	" Virtqueue 7 (RX disabled)\n"
	"  qsz 256 last_avail_idx 0 last_used_idx 0\n"
	"  avail.flags 1 avail.idx 0 used.flags 1 used.idx 0\n"
	"  kickfd 88 callfd 90 errfd -1\n";

static const char seed_desc_head[] =
	"\n"
	"  descriptor table:\n"
	"   id          addr         len  flags  next      user_addr\n"
	"  ===== ================== ===== ====== ===== ==================\n"
	"  0     0x0000000010b6e974 2060  0x0002 1     0x00002aabbc76e974\n"
	"  1     0x0000000010b6e034 2060  0x0002 2     0x00002aabbc76e034\n"
	"  2     0x0000000010b6d6f4 2060  0x0002 3     0x00002aabbc76d6f4\n"
	"  3     0x0000000010b6cdb4 2060  0x0002 4     0x00002aabbc76cdb4\n"
	"  4     0x0000000010b6c474 2060  0x0002 5     0x00002aabbc76c474\n"
	"  5     0x0000000010b6bb34 2060  0x0002 6     0x00002aabbc76bb34\n"
	"  6     0x0000000010b6b1f4 2060  0x0002 7     0x00002aabbc76b1f4\n"
	"  7     0x0000000010b6a8b4 2060  0x0002 8     0x00002aabbc76a8b4\n"
	"  8     0x0000000010b69f74 2060  0x0002 9     0x00002aabbc769f74\n"
	"  9     0x0000000010b69634 2060  0x0002 10    0x00002aabbc769634\n"
	"  10    0x0000000010b68cf4 2060  0x0002 11    0x00002aabbc768cf4\n";

static const char seed_desc_tail[] =
	"  249   0x0000000000000000 0     0x0000 250   0x00002aab2b400000\n"
	"  250   0x0000000000000000 0     0x0000 251   0x00002aab2b400000\n"
	"  251   0x0000000000000000 0     0x0000 252   0x00002aab2b400000\n"
	"  252   0x0000000000000000 0     0x0000 253   0x00002aab2b400000\n"
	"  253   0x0000000000000000 0     0x0000 254   0x00002aab2b400000\n"
	"  254   0x0000000000000000 0     0x0000 255   0x00002aab2b400000\n"
	"  255   0x0000000000000000 0     0x0000 32768 0x00002aab2b400000\n";

static void
seed_info(struct rte_pmd_vhostu_info *info)
{
	static const int fds[8][2] = {
		{62, 64}, {65, 66}, {63, 70}, {72, 74}, {76, 78}, {80, 82}, {84, 86}, {88, 90}
	};
	int q;

	memset(info, 0, sizeof(*info));
	snprintf(info->socket_path, sizeof(info->socket_path), "/var/run/vpp/vhost1.sock");
	info->server = false;
	info->sock_errno = 0;
	info->features_mask = UINT64_MAX;
	info->features = 0x50408000;
	info->protocol_features = 0x3;
	info->virtio_net_hdr_sz = 12;
	info->nregions = 2;
	info->regions[0] = (struct rte_pmd_vhostu_region){ 60, 0, 0xa0000, 0x2aaaaac00000,
		0, 0x2aab2b400000 };
	info->regions[1] = (struct rte_pmd_vhostu_region){ 61, 0xc0000, 0x3ff40000,
		0x2aaaaacc0000, 0xc0000, 0x2aababcc0000 };
	info->nvrings = 8;
	for (q = 0; q < 8; q++) {
		struct rte_pmd_vhostu_vring *v = &info->vrings[q];

		v->qsz = 256;
		v->avail_flags = 1;
		v->used_flags = 1;
		v->avail_idx = (q == 0 || q == 2) ? 128 : 0;
		v->kickfd = fds[q][0];
		v->callfd = fds[q][1];
		v->errfd = -1;
		v->enabled = q < 4;
	}
}

/* The seed's VPP: 2 workers, rx queues 0..3 placed in turn, 2 enabled tx queues. */
static void
seed_placement(struct cli_placement *p)
{
	uint32_t rr = 0;
	uint16_t q;

	memset(p, 0, sizeof(*p));
	for (q = 0; q < 4; q++) {
		p->rx[q].thread = cli_place_rx_next(&rr, 2);
		p->rx[q].vring = (uint16_t)(2 * q + 1);
	}
	p->n_rx = 4;
	cli_place_tx(0x3, 3, p);
}

static void
test_show_vhost_user_matches_seed(void)
{
	struct rte_pmd_vhostu_info info;
	struct cli_placement place;
	struct cli_vhost_show s;
	uint32_t q;

	seed_info(&info);
	seed_placement(&place);
	s = (struct cli_vhost_show){ "VirtualEthernet0/0/0", 1, &info, &place };
	cli_fmt_global(cap.cl, 32, 1e-3);
	cli_fmt_vhost_head(cap.cl, &s);
	for (q = 0; q < info.nvrings; q++)
		cli_fmt_vring(cap.cl, q, &info.vrings[q]);
	CU_ASSERT_STRING_EQUAL(test_capture_take(&cap), seed_show);
}

static void
test_descriptor_rows_match_seed(void)
{
	static struct rte_pmd_vhostu_desc d[256];
	const char *out;
	int i;

	for (i = 0; i < 256; i++) {
		d[i].next = (uint16_t)(i + 1);
		d[i].user_addr = 0x2aab2b400000;
	}
	d[255].next = 32768;
	for (i = 0; i <= 10; i++) {
		d[i].addr = 0x10b6e974 - (uint64_t)i * 0x940;
		d[i].len = 2060;
		d[i].flags = 2;
		d[i].user_addr = 0x2aabbc76e974 - (uint64_t)i * 0x940;
	}
	cli_fmt_descriptors(cap.cl, d, 256, false);
	out = test_capture_take(&cap);
	CU_ASSERT(strncmp(out, seed_desc_head, strlen(seed_desc_head)) == 0);
	CU_ASSERT(strlen(out) > strlen(seed_desc_tail));
	CU_ASSERT_STRING_EQUAL(out + strlen(out) - strlen(seed_desc_tail), seed_desc_tail);
}

static void
test_feature_names_by_bit(void)
{
	CU_ASSERT_STRING_EQUAL(cli_virtio_feature_name(15), "VIRTIO_NET_F_MRG_RXBUF");
	CU_ASSERT_STRING_EQUAL(cli_virtio_feature_name(32), "VIRTIO_F_VERSION_1");
	CU_ASSERT_STRING_EQUAL(cli_virtio_feature_name(30), "VHOST_USER_F_PROTOCOL_FEATURES");
	CU_ASSERT_STRING_EQUAL(cli_protocol_feature_name(0), "VHOST_USER_PROTOCOL_F_MQ");
	CU_ASSERT_STRING_EQUAL(cli_protocol_feature_name(1), "VHOST_USER_PROTOCOL_F_LOG_SHMFD");
	CU_ASSERT_PTR_NULL(cli_virtio_feature_name(2));
	CU_ASSERT_PTR_NULL(cli_virtio_feature_name(64));
}

/* VPP 20+'s names of the bits it added, one line each as every other bit. */
static void
test_event_idx_in_order_packed_feature_names(void)
{
	struct rte_pmd_vhostu_info info;

	memset(&info, 0, sizeof(info));
	info.features = (UINT64_C(1) << 29) | (UINT64_C(1) << 34) | (UINT64_C(1) << 35);
	cli_fmt_features(cap.cl, &info);
	CU_ASSERT_STRING_EQUAL(test_capture_take(&cap),
		"virtio_net_hdr_sz 0\n"
		" features mask (0x0):\n"
		" features (0xc20000000):\n"
		"   VIRTIO_RING_F_EVENT_IDX (29)\n"
		"   VIRTIO_F_RING_PACKED (34)\n"
		"   VIRTIO_F_IN_ORDER (35)\n"
		"  protocol features (0x0)\n");
}

/* With EVENT_IDX a split ring's line carries both event indexes, as VPP 20+ prints it. */
static void
test_vring_with_event_idx_shows_the_event_indexes(void)
{
	struct rte_pmd_vhostu_info info;

	seed_info(&info);
	info.vrings[1].event_idx = true;
	info.vrings[1].avail_flags = 0;
	info.vrings[1].avail_idx = 300;
	info.vrings[1].avail_event = 44;
	info.vrings[1].used_event = 65535;
	info.vrings[1].used_idx = 17;
	cli_fmt_vring(cap.cl, 1, &info.vrings[1]);
	CU_ASSERT_STRING_EQUAL(test_capture_take(&cap),
		"\n Virtqueue 1 (RX)\n"
		"  qsz 256 last_avail_idx 0 last_used_idx 0\n"
		"  avail.flags 0 avail event idx 44 avail.idx 300 used.flags 1 used event idx 65535"
		" used.idx 17\n"
		"  kickfd 65 callfd 66 errfd -1\n");
}

/*
 * A packed ring as VPP 20+ prints it: the driver's event suppression area
 * (VPP's avail_event) and the device's (used_event) with their flags by
 * name, off_wrap and its offset, then the wrap counters, the driver's as the
 * AVAIL flag VPP keeps (128), ours as 1; EVENT_IDX changes nothing in it.
 */
static void
test_packed_vring_shows_the_event_areas_and_wrap_counters(void)
{
	struct rte_pmd_vhostu_info info;
	struct rte_pmd_vhostu_vring *v;

	seed_info(&info);
	v = &info.vrings[1];
	v->packed = true;
	v->event_idx = true;
	v->qsz = 255;
	v->last_avail_idx = 17;
	v->last_used_idx = 17;
	v->avail_wrap = true;
	v->used_wrap = true;
	v->avail_flags = 2;	/* DESC */
	v->avail_idx = 0x8000 | 20;
	v->used_flags = 1;	/* DISABLE */
	v->used_idx = 0;
	cli_fmt_vring(cap.cl, 1, v);
	CU_ASSERT_STRING_EQUAL(test_capture_take(&cap),
		"\n Virtqueue 1 (RX)\n"
		"  qsz 255 last_avail_idx 17 last_used_idx 17\n"
		"  avail_event.flags VRING_EVENT_F_DESC avail_event.off_wrap 32788"
		" avail event idx 20\n"
		"  used_event.flags VRING_EVENT_F_DISABLE used_event.off_wrap 0 used event idx 0\n"
		"  avail wrap counter 128, used wrap counter 1\n"
		"  kickfd 65 callfd 66 errfd -1\n");
	/* The second lap; flags with no name (a driver's garbage) as numbers. */
	v->enabled = false;
	v->avail_wrap = false;
	v->used_wrap = false;
	v->avail_flags = 0;	/* ENABLE */
	v->avail_idx = 7;
	v->used_flags = 0xbeef;
	v->used_idx = 0xffff;
	cli_fmt_vring(cap.cl, 0, v);
	CU_ASSERT_STRING_EQUAL(test_capture_take(&cap),
		"\n Virtqueue 0 (TX disabled)\n"
		"  qsz 255 last_avail_idx 17 last_used_idx 17\n"
		"  avail_event.flags VRING_EVENT_F_ENABLE avail_event.off_wrap 7"
		" avail event idx 7\n"
		"  used_event.flags 48879 used_event.off_wrap 65535 used event idx 32767\n"
		"  avail wrap counter 0, used wrap counter 0\n"
		"  kickfd 65 callfd 66 errfd -1\n");
}

/* A packed ring's descriptor table: VPP's header (slot, id), the buffer id in the id column. */
static void
test_packed_descriptor_rows_show_the_buffer_id(void)
{
	struct rte_pmd_vhostu_desc d[2] = {
		{ 0x10b6e974, 2060, 0x0082, 0, 0x2aabbc76e974 },
		{ 0x10b6e034, 1518, 0x8080, 65535, 0 },
	};

	cli_fmt_descriptors(cap.cl, d, 2, true);
	CU_ASSERT_STRING_EQUAL(test_capture_take(&cap),
		"\n  descriptor table:\n"
		"  slot         addr         len  flags  id    user_addr\n"
		"  ===== ================== ===== ====== ===== ==================\n"
		"  0     0x0000000010b6e974 2060  0x0082 0     0x00002aabbc76e974\n"
		"  1     0x0000000010b6e034 1518  0x8080 65535 0x0000000000000000\n");
}

/* Created with VPP 20+'s `packed` and `event-idx`: said under the interface line. */
static void
test_packed_and_event_idx_options_are_shown_under_the_interface(void)
{
	static const char both[] = "Interface: VirtualEthernet0/0/0 (ifindex 1)\n"
		"  Packed ring enable\n"
		"  Event index enable\n"
		"virtio_net_hdr_sz 12\n";
	static const char evidx[] = "Interface: VirtualEthernet0/0/0 (ifindex 1)\n"
		"  Event index enable\n"
		"virtio_net_hdr_sz 12\n";
	struct rte_pmd_vhostu_info info;
	struct cli_placement place;
	struct cli_vhost_show s;

	seed_info(&info);
	seed_placement(&place);
	s = (struct cli_vhost_show){ "VirtualEthernet0/0/0", 1, &info, &place, true, true };
	cli_fmt_vhost_head(cap.cl, &s);
	CU_ASSERT(strncmp(test_capture_take(&cap), both, strlen(both)) == 0);
	s.packed = false;
	cli_fmt_vhost_head(cap.cl, &s);
	CU_ASSERT(strncmp(test_capture_take(&cap), evidx, strlen(evidx)) == 0);
}

static void
test_unknown_feature_bit_prints_unknown(void)
{
	struct rte_pmd_vhostu_info info;

	memset(&info, 0, sizeof(info));
	info.features = UINT64_C(1) << 2;
	cli_fmt_features(cap.cl, &info);
	CU_ASSERT_PTR_NOT_NULL(strstr(test_capture_take(&cap), "   UNKNOWN (2)\n"));
}

static void
test_errno_and_server_type(void)
{
	struct rte_pmd_vhostu_info info;

	memset(&info, 0, sizeof(info));
	snprintf(info.socket_path, sizeof(info.socket_path), "/tmp/x.sock");
	info.server = true;
	info.sock_errno = 111;
	cli_fmt_socket(cap.cl, &info);
	CU_ASSERT_STRING_EQUAL(test_capture_take(&cap),
		" socket filename /tmp/x.sock type server errno \"Connection refused\"\n");
}

static void
test_no_regions_prints_no_table(void)
{
	struct rte_pmd_vhostu_info info;

	memset(&info, 0, sizeof(info));
	cli_fmt_regions(cap.cl, &info);
	CU_ASSERT_STRING_EQUAL(test_capture_take(&cap), "Memory regions (total 0)\n");
}

static void
test_tx_placement_lock_free_when_each_thread_has_a_queue(void)
{
	struct cli_placement p;

	memset(&p, 0, sizeof(p));
	cli_place_tx(0xf, 3, &p);
	CU_ASSERT_FALSE(p.tx_spinlock);
	CU_ASSERT_EQUAL(p.tx[2].vring, 4);
	CU_ASSERT_EQUAL(cli_place_tx_queue(&p, 2), 2);
	cli_place_tx(0, 2, &p);
	CU_ASSERT_TRUE(p.tx_spinlock);
	CU_ASSERT_EQUAL(p.tx[1].vring, 0);
	cli_place_tx(0x2, 2, &p);	/* only queue 1 enabled: both threads on vring 2 */
	CU_ASSERT_TRUE(p.tx_spinlock);
	CU_ASSERT_EQUAL(p.tx[0].vring, 2);
	CU_ASSERT_EQUAL(p.tx[1].vring, 2);
}

static void
test_rx_placement_round_robin_over_workers(void)
{
	uint32_t rr = 0;

	CU_ASSERT_EQUAL(cli_place_rx_next(&rr, 3), 1);
	CU_ASSERT_EQUAL(cli_place_rx_next(&rr, 3), 2);
	CU_ASSERT_EQUAL(cli_place_rx_next(&rr, 3), 3);
	CU_ASSERT_EQUAL(cli_place_rx_next(&rr, 3), 1);
	CU_ASSERT_EQUAL(cli_place_rx_next(&rr, 0), 0);
}

static void
test_show_interface_columns(void)
{
	struct cli_if_stats st = { .rx_packets = 5, .rx_bytes = 390, .drops = 3 };

	cli_fmt_if_header(cap.cl);
	cli_fmt_if_row(cap.cl, "VirtualEthernet0/0/0", 1, true, &st);
	memset(&st, 0, sizeof(st));
	cli_fmt_if_row(cap.cl, "VirtualEthernet0/0/1", 2, false, &st);
	CU_ASSERT_STRING_EQUAL(test_capture_take(&cap),
		"              Name               Idx    State       Counter          Count     \n"
		"VirtualEthernet0/0/0              1      up    rx packets                     5\n"
		"                                               rx bytes                     390\n"
		"                                               drops                          3\n"
		"VirtualEthernet0/0/1              2     down   \n");
}

static void
test_center_puts_odd_space_left(void)
{
	char b[40];

	cli_fmt_center(b, sizeof(b), "State", 10);
	CU_ASSERT_STRING_EQUAL(b, "   State  ");
	cli_fmt_center(b, sizeof(b), "toolongforit", 5);
	CU_ASSERT_STRING_EQUAL(b, "toolo");
}

static int
suite_init(void)
{
	return test_capture_open(&cap, NULL);
}

static int
suite_clean(void)
{
	test_capture_close(&cap);
	return 0;
}

static CU_TestInfo tests[] = {
	{ "show vhost-user matches the seed", test_show_vhost_user_matches_seed },
	{ "descriptor rows match the seed", test_descriptor_rows_match_seed },
	{ "feature names by bit", test_feature_names_by_bit },
	{ "unknown feature bit prints UNKNOWN", test_unknown_feature_bit_prints_unknown },
	{ "EVENT_IDX, RING_PACKED, IN_ORDER by name",
		test_event_idx_in_order_packed_feature_names },
	{ "vring with EVENT_IDX shows the event indexes",
		test_vring_with_event_idx_shows_the_event_indexes },
	{ "packed vring: event areas and wrap counters as VPP 20+",
		test_packed_vring_shows_the_event_areas_and_wrap_counters },
	{ "packed descriptor rows show the buffer id",
		test_packed_descriptor_rows_show_the_buffer_id },
	{ "packed and event-idx options shown under the interface",
		test_packed_and_event_idx_options_are_shown_under_the_interface },
	{ "errno text and server type", test_errno_and_server_type },
	{ "no regions: no table", test_no_regions_prints_no_table },
	{ "tx placement lock-free / spin-lock",
		test_tx_placement_lock_free_when_each_thread_has_a_queue },
	{ "rx placement round robin", test_rx_placement_round_robin_over_workers },
	{ "show interface columns", test_show_interface_columns },
	{ "centre: odd space left, long cut", test_center_puts_odd_space_left },
	CU_TEST_INFO_NULL,
};

int
main(void)
{
	return run_suite("cli_format", suite_init, suite_clean, tests) ? 1 : 0;
}
