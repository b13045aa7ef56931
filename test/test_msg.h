/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The msg suite's fixture (test_msg.c), shared with test_msg_packed.c: the
 * port the handlers are fed messages for, made by the suite's set-up, and
 * the helpers that build and send messages.
 */
#ifndef VHOSTU_TEST_MSG_H
#define VHOSTU_TEST_MSG_H

#include <stdint.h>

#include <CUnit/CUnit.h>

#include "vhostu_internal.h"

#define MEM_SIZE	(1u << 20)
#define GUEST_UVA	0x7f0000000000ULL	/* the frontend's virtual address of guest memory */
#define RING_SIZE	256

extern struct vhostu_port *port;
extern int fd_baseline;	/* open fds after the set-up: every test ends with as many */

/* A new eventfd: kick, call, err and log fds must be eventfds. */
int eventfd_dup(void);
/* A message of size bytes, no fds yet. */
void msg_init(struct vhostu_rx_msg *m, uint32_t req, uint32_t flags, uint32_t size);
void msg_add_fd(struct vhostu_rx_msg *m, int fd);
/* Handle a request with a u64 or a vring state body; its return, the reply in r. */
int send_u64(uint32_t req, uint64_t v, uint32_t flags, struct vhostu_reply *r);
int send_state(uint32_t req, uint32_t index, uint32_t num, struct vhostu_reply *r);
/* SET_MEM_TABLE: one region of MEM_SIZE at gpa 0, uva GUEST_UVA. */
void map_guest_memory(void);
/* Set up split vring idx at guest offset off: NUM, BASE, ADDR, KICK. */
void setup_vring(uint32_t idx, uint64_t off);

extern CU_TestInfo msg_packed_tests[];	/* test_msg_packed.c */

#endif
