/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The msg suite's cases of packed rings (VIRTIO_F_RING_PACKED: sizes, the
 * base with its wrap counter, the event suppression areas) and of EVENT_IDX
 * (what a restarted ring remembers), on the fixture of test_msg.h.
 */
#include <CUnit/Basic.h>

#include "vhostu_internal.h"
#include "test_common.h"
#include "test_msg.h"

/* Set a packed ring's addresses: descriptor ring, driver and device areas. */
static int
send_packed_addr(uint32_t idx, uint64_t desc, uint64_t driver, uint64_t device,
		struct vhostu_reply *r)
{
	struct vhostu_rx_msg m;

	msg_init(&m, VHOSTU_REQ_SET_VRING_ADDR, VHOSTU_FLAG_NEED_REPLY,
		sizeof(struct vhostu_vring_addr));
	m.msg.body.addr.index = idx;
	m.msg.body.addr.desc_user_addr = GUEST_UVA + desc;
	m.msg.body.addr.avail_user_addr = GUEST_UVA + driver;
	m.msg.body.addr.used_user_addr = GUEST_UVA + device;
	return vhostu_msg_handle(port, &m, r);
}

static void
test_packed_ring_size_base_and_areas(void)
{
	const uint64_t f = 0x150408000ULL | VHOSTU_BIT(VHOSTU_VIRTIO_F_RING_PACKED);
	struct vhostu_vring *vr = &port->vrings[1];
	struct vhostu_reply r;

	CU_ASSERT_EQUAL(send_u64(VHOSTU_REQ_SET_FEATURES, f, 0, &r), 0);
	map_guest_memory();
	/* A packed ring's size need not be a power of two. */
	CU_ASSERT_EQUAL(send_state(VHOSTU_REQ_SET_VRING_NUM, 1, 100, &r), 0);
	CU_ASSERT_EQUAL(vr->size, 100);
	/* Bit 15 of the base is the wrap counter; the index must be inside the ring. */
	CU_ASSERT_EQUAL(send_state(VHOSTU_REQ_SET_VRING_BASE, 1, 100 | 0x8000, &r), 0);
	CU_ASSERT_EQUAL(vr->last_avail_idx, 0);
	CU_ASSERT_TRUE(vr->avail_wrap);
	/* QEMU's used position in bits 16-31: we return every chain, used = avail. */
	CU_ASSERT_EQUAL(send_state(VHOSTU_REQ_SET_VRING_BASE, 1, 42 | 40u << 16, &r), 0);
	CU_ASSERT_EQUAL(vr->last_avail_idx, 42);
	CU_ASSERT_EQUAL(vr->last_used_idx, 42);
	CU_ASSERT_FALSE(vr->avail_wrap);
	CU_ASSERT_FALSE(vr->used_wrap);
	/* Event suppression areas are 4 bytes, aligned 4; the ring 16 bytes a descriptor. */
	CU_ASSERT_EQUAL(send_packed_addr(1, 0x20000, 0x20000 + 1600 + 2, 0x21000, &r), 0);
	CU_ASSERT_EQUAL(r.msg.body.u64, 1);
	CU_ASSERT_EQUAL(send_packed_addr(1, 0x20000, 0x20000 + 1600, MEM_SIZE - 2, &r), 0);
	CU_ASSERT_EQUAL(r.msg.body.u64, 1);
	CU_ASSERT_EQUAL(send_packed_addr(1, MEM_SIZE - 1600 + 16, 0, 4, &r), 0);
	CU_ASSERT_EQUAL(r.msg.body.u64, 1);
	CU_ASSERT_PTR_NULL(vr->desc);
	CU_ASSERT_EQUAL(send_packed_addr(1, 0x20000, 0x20000 + 1600, MEM_SIZE - 4, &r), 0);
	CU_ASSERT_EQUAL(r.msg.body.u64, 0);
	CU_ASSERT_TRUE(vr->packed);
	CU_ASSERT_EQUAL(send_u64(VHOSTU_REQ_SET_VRING_KICK, 1 | VHOSTU_VRING_NOFD, 0, &r), 0);
	CU_ASSERT_EQUAL(send_state(VHOSTU_REQ_SET_VRING_ENABLE, 1, 1, &r), 0);
	CU_ASSERT_TRUE(vr->ready);
	/* GET_VRING_BASE answers in QEMU's encoding: avail and wrap, used and wrap << 16. */
	vr->last_avail_idx = 77;
	vr->avail_wrap = true;
	vr->last_used_idx = 75;
	vr->used_wrap = false;
	CU_ASSERT_EQUAL(send_state(VHOSTU_REQ_GET_VRING_BASE, 1, 0, &r), 0);
	CU_ASSERT_EQUAL(r.msg.body.state.num, (77 | 0x8000) | 75u << 16);
	CU_ASSERT_FALSE(vr->ready);
	vhostu_port_reset_state(port);
	CU_ASSERT_FALSE(vr->packed);
	CU_ASSERT_TRUE(vr->avail_wrap);
	CU_ASSERT_EQUAL(count_fds(), fd_baseline);
}

/* A split ring must still be a power of two, even if SET_VRING_NUM came before features. */
static void
test_split_ring_of_a_size_only_packed_may_have_is_not_ready(void)
{
	struct vhostu_reply r;

	CU_ASSERT_EQUAL(send_u64(VHOSTU_REQ_SET_FEATURES,
		0x150408000ULL | VHOSTU_BIT(VHOSTU_VIRTIO_F_RING_PACKED), 0, &r), 0);
	map_guest_memory();
	CU_ASSERT_EQUAL(send_state(VHOSTU_REQ_SET_VRING_NUM, 1, 100, &r), 0);
	CU_ASSERT_EQUAL(send_packed_addr(1, 0x20000, 0x20000 + 1600, 0x21000, &r), 0);
	CU_ASSERT_EQUAL(r.msg.body.u64, 0);
	CU_ASSERT_PTR_NOT_NULL(port->vrings[1].desc);
	/* The frontend renegotiates split rings: the size no longer fits. */
	CU_ASSERT_EQUAL(send_u64(VHOSTU_REQ_SET_FEATURES, 0x150408000ULL, 0, &r), 0);
	CU_ASSERT_FALSE(port->vrings[1].packed);
	CU_ASSERT_PTR_NULL(port->vrings[1].desc);
	vhostu_port_reset_state(port);
}

/*
 * EVENT_IDX: a ring stopped by GET_VRING_BASE and started again (SET_VRING_BASE,
 * a kick: a reconnect, a migration) has no last signal decision to go by; its
 * first one must signal, whatever used_event the guest left.
 */
static void
test_restarted_ring_forgets_its_last_signal_decision(void)
{
	struct vhostu_vring *vr = &port->vrings[1];
	struct vhostu_reply r;
	struct vhostu_rx_msg m;

	CU_ASSERT_EQUAL(send_u64(VHOSTU_REQ_SET_FEATURES, 0x150408000ULL |
		VHOSTU_BIT(VHOSTU_VIRTIO_RING_F_EVENT_IDX), 0, &r), 0);
	map_guest_memory();
	setup_vring(0, 0x10000);
	setup_vring(1, 0x20000);
	CU_ASSERT_EQUAL(send_state(VHOSTU_REQ_SET_VRING_ENABLE, 1, 1, &r), 0);
	CU_ASSERT_TRUE_FATAL(vr->ready);
	CU_ASSERT_FALSE(vr->signalled_valid);
	vr->signalled_valid = true;	/* as the datapath leaves it */
	vr->signalled_used = 5;
	/* SET_MEM_TABLE again (QEMU resends it): readiness recomputed, no restart. */
	map_guest_memory();
	CU_ASSERT_TRUE(vr->ready);
	CU_ASSERT_TRUE(vr->signalled_valid);
	CU_ASSERT_EQUAL(send_state(VHOSTU_REQ_GET_VRING_BASE, 1, 0, &r), 0);
	CU_ASSERT_EQUAL(send_state(VHOSTU_REQ_SET_VRING_BASE, 1, 5, &r), 0);
	msg_init(&m, VHOSTU_REQ_SET_VRING_KICK, 0, 8);
	m.msg.body.u64 = 1;
	msg_add_fd(&m, eventfd_dup());
	CU_ASSERT_EQUAL(vhostu_msg_handle(port, &m, &r), 0);
	CU_ASSERT_TRUE(vr->ready);
	CU_ASSERT_FALSE(vr->signalled_valid);
	vhostu_port_reset_state(port);
	CU_ASSERT_EQUAL(count_fds(), fd_baseline);
}

CU_TestInfo msg_packed_tests[] = {
	{ "packed ring: any size, base with the wrap counter, event areas checked",
		test_packed_ring_size_base_and_areas },
	{ "a split ring of a size only a packed ring may have is not ready",
		test_split_ring_of_a_size_only_packed_may_have_is_not_ready },
	{ "EVENT_IDX: a restarted ring forgets its last signal decision",
		test_restarted_ring_forgets_its_last_signal_decision },
	CU_TEST_INFO_NULL,
};
