/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the test_e2e_virtio_user suites share (e2e_harness.c): EAL and the
 * mempools, the combination under test, creating, bringing up and tearing
 * down the net_vhostu port and its virtio-user peer, frames and mbuf chains,
 * time bounds, and each suite's tests and set-up.
 */
#ifndef E2E_HARNESS_H
#define E2E_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "rte_pmd_vhostu.h"

#define E2E_VHOSTU_NAME		"net_vhostu_e2e"
#define E2E_PEER_NAME		"net_virtio_user_e2e"
#define E2E_VHOSTU_QUEUES	8
#define E2E_NB_DESC		256	/* virtio-user's rings have 256 entries too */
/* 8 queues of 256 posted buffers, chains of 9000 bytes */
#define E2E_NB_MBUFS		16383
#define E2E_BURST		32
#define E2E_MAX_FRAME		9000
#define E2E_LINK_TIMEOUT_S	10
#define E2E_XFER_TIMEOUT_S	10
#define E2E_ETHERTYPE		0x88b5	/* IEEE local experimental */

/* Feature bits (virtio 1.x and vhost-user specifications). */
#define E2E_BIT(b)		(UINT64_C(1) << (b))
#define E2E_F_MRG_RXBUF		E2E_BIT(15)
#define E2E_F_MQ		E2E_BIT(22)
#define E2E_F_INDIRECT_DESC	E2E_BIT(28)
#define E2E_F_PROTOCOL_FEATURES	E2E_BIT(30)
#define E2E_F_VERSION_1		E2E_BIT(32)
#define E2E_F_RING_PACKED	E2E_BIT(34)
#define E2E_F_IN_ORDER		E2E_BIT(35)
/* What net_vhostu offers by default (VPP's set, EVENT_IDX, RING_PACKED, IN_ORDER, offloads). */
#define E2E_OFFERED		UINT64_C(0xd7c62bb8b)

/* One combination under test. */
struct e2e_combo {
	bool vhostu_server;	/* else virtio-user listens (server=1), we connect */
	uint16_t queues;	/* virtio-user queue pairs */
	bool mrg_rxbuf;
	bool in_order;
	bool no_indirect;	/* feature-mask without INDIRECT_DESC */
	bool packed;		/* virtio-user packed_vq=1: packed rings */
};

/* Which way frames go. */
enum e2e_dir {
	E2E_TO_VHOSTU,		/* virtio-user tx_burst -> vhostu rx_burst */
	E2E_TO_PEER,		/* vhostu tx_burst -> virtio-user rx_burst */
};

/* State of the running suite; a suite's init sets cur and fds_before. */
extern const struct e2e_combo *cur;
extern char sock_dir[64];
extern char sock_path[RTE_PMD_VHOSTU_PATH_MAX];
extern struct rte_mempool *vhostu_mp, *peer_mp;
extern uint16_t vport, pport;
extern bool vhostu_made, peer_made, ports_up;
extern int fds_before;		/* open fds when the suite started */
extern bool vhostu_rxq_intr;	/* our port is configured with rx interrupts */
extern bool e2e_peer_offloads;	/* virtio-user asks for checksum, TSO and LRO offloads */
extern uint8_t expect_buf[E2E_MAX_FRAME];

/* EAL, the socket directory and the mempools, for the whole program. */
int e2e_eal_init(void);
int e2e_env_init(void);
void e2e_env_clean(void);

/* Helpers. */
uint64_t e2e_deadline(unsigned int seconds);
bool e2e_expired(uint64_t deadline);
/* Frame `seq` of queue q in direction dir: Ethernet header, seq, pseudo-random bytes. */
void e2e_frame(uint8_t *buf, uint32_t len, enum e2e_dir dir, uint16_t q, uint16_t seq);
/* An mbuf chain holding data: as many segments as the pool's buffers need. */
struct rte_mbuf *e2e_mbuf_build(struct rte_mempool *mp, const uint8_t *data, uint32_t len);

/* Ports. */
int e2e_port_setup(uint16_t port, uint16_t nq, struct rte_mempool *mp);
int e2e_vdev_create(const char *name, const char *args, uint16_t *port);
uint64_t e2e_mask(const struct e2e_combo *c);
int e2e_vhostu_create(void);
int e2e_peer_create(void);
bool e2e_links_up(uint64_t deadline);
int e2e_bring_up(void);
int e2e_tear_down(void);

/* The suites: frames (test_e2e_frames.c), rx interrupts, LSC callbacks. */
extern CU_TestInfo e2e_tests[];
extern CU_TestInfo intr_tests[];
int e2e_intr_init(void);
int e2e_intr_clean(void);
extern CU_TestInfo lsc_tests[];
int e2e_lsc_init(void);
int e2e_lsc_clean(void);
extern CU_TestInfo offload_tests[];	/* test_e2e_offload.c */
int e2e_offload_init(void);
int e2e_offload_clean(void);

#endif
