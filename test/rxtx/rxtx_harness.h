/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the test_rxtx suites share (rxtx_harness.c): the feature sets, the
 * state of the running test (mempool, port, the fake guest's rings, frame
 * buffers), the port set-up, the one-frame helpers, and each suite's tests.
 */
#ifndef RXTX_HARNESS_H
#define RXTX_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include <ethdev_driver.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "rxtx_guest.h"
#include "vhostu_internal.h"

#define F(b)		VHOSTU_BIT(VHOSTU_##b)
#define F_MRG		F(VIRTIO_NET_F_MRG_RXBUF)
#define F_V1		F(VIRTIO_F_VERSION_1)
#define F_IND		F(VIRTIO_F_INDIRECT_DESC)
#define F_LOG		F(VHOST_F_LOG_ALL)
#define F_PACKED	F(VIRTIO_F_RING_PACKED)
#define F_EVIDX		F(VIRTIO_RING_F_EVENT_IDX)
#define F_INORDER	F(VIRTIO_F_IN_ORDER)
#define F_DEFAULT	(F_MRG | F_V1 | F_IND)

#define NB_MBUFS	4095
#define MAX_FRAME	(16 * 1024)
#define PORT_ID		7

extern struct rte_mempool *mp;
extern struct vhostu_port *port;
extern struct fg_ring grx[2];	/* guest RX rings: vrings 0, 2 (our tx queues 0, 1) */
extern struct fg_ring gtx[2];	/* guest TX rings: vrings 1, 3 (our rx queues 0, 1) */
extern uint8_t expect[MAX_FRAME], got[MAX_FRAME];
extern const uint8_t zero_hdr[12];

/* Set-up. */
struct vhostu_vring *rxq(unsigned int q);
struct vhostu_vring *txq(unsigned int q);
/* A port as the handlers leave it after negotiation and ring set-up. */
void port_setup(uint64_t features, uint16_t size, uint16_t start);
/* The same with packed rings (F_PACKED is added), both sides at start under wrap. */
void port_setup_packed(uint64_t features, uint16_t size, uint16_t start, bool wrap);

/* Helpers. */
bool mbuf_equals(const struct rte_mbuf *m, const uint8_t *exp, uint32_t len);
/* A frame of len bytes from the pattern, in mbuf segments of at most seg bytes. */
struct rte_mbuf *mk_mbuf(uint32_t len, uint32_t seed, uint32_t seg);
/* The guest sends a frame of len bytes on rx queue q in buffers of seg_lens. */
uint16_t guest_send(unsigned int q, uint32_t len, uint32_t seed, const uint32_t *segs,
		uint16_t nseg, bool indirect);
/* rx_burst must return exactly the frame just sent by guest_send. */
bool rx_one_ok(unsigned int q, uint32_t len);
/* The guest posts n receive chains of one buffer of len bytes on tx queue q. */
void guest_post_rx(unsigned int q, unsigned int n, uint32_t len);
uint16_t tx_one(unsigned int q, uint32_t len, uint32_t seed, uint32_t seg);
/* The guest reads one frame from tx queue q; it must be the last one sent. */
bool guest_recv_ok(unsigned int q, uint32_t len, uint16_t num_buffers);
uint64_t calls(int fd);
/* Coalescing by frames only: the time never runs out within a test. */
void coalesce_frames_only(struct vhostu_vring *vr, uint32_t frames);
int use_eventfd(struct vhostu_vring *vr);

/*
 * Rx interrupts on rx queue 0 as vhostu_intr_setup makes them (an epoll fd
 * holding the queue's wake eventfd), and the ethdev an application passes to
 * rx_queue_intr_enable/disable.
 */
struct intr_fixture {
	struct rte_eth_dev_data data;
	struct rte_eth_dev dev;
	int epfd, wakefd;
};
void intr_fixture_init(struct intr_fixture *f);
/* Whether the application, sleeping on the queue's interrupt fd, would be woken now. */
bool intr_fixture_woken(const struct intr_fixture *f);
void intr_fixture_fini(struct intr_fixture *f);

/* The suites' tests, each ended by CU_TEST_INFO_NULL. */
#define T(fn) { #fn, fn }

extern CU_TestInfo rx_tests[];		/* test_rxtx_rx.c */
extern CU_TestInfo tx_tests[];		/* test_rxtx_tx.c */
extern CU_TestInfo notify_tests[];	/* test_rxtx_notify.c */
extern CU_TestInfo hostile_tests[];	/* test_rxtx_hostile.c */
extern CU_TestInfo stats_tests[];	/* test_rxtx_stats.c */
extern CU_TestInfo offload_tests[];	/* test_rxtx_offload.c */
extern CU_TestInfo packed_tests[];	/* test_rxtx_packed.c */
extern CU_TestInfo packed_hostile_tests[];	/* test_rxtx_packed_hostile.c */
extern CU_TestInfo packed_batch_tests[];	/* test_rxtx_packed_batch.c */
extern CU_TestInfo evidx_tests[];	/* test_rxtx_evidx.c */
extern CU_TestInfo guard_tests[];	/* test_rxtx_guard.c */

#endif /* RXTX_HARNESS_H */
