/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rx interrupts for the workers: each worker has an epoll fd holding the
 * interrupt fds of its rx queues in interrupt or adaptive mode (ethdev's rx
 * interrupt API) and an eventfd the main lcore writes to wake it. The main
 * lcore alone registers and unregisters queues (app_intr_commit), after a
 * conf is published; a worker reads only which thread a queue is registered
 * with.
 */
#ifndef APP_RX_INTR_H
#define APP_RX_INTR_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>

#include "cli.h"

/* Registered thread of each port's rx queue (0: none); workers read it. */
extern uint16_t app_intr_reg[RTE_MAX_ETHPORTS][CLI_MAX_RXQ];

int app_intr_init(uint16_t n_workers);
void app_intr_fini(void);

/* Main lcore: the registrations the new conf wants, then make them so. */
void app_intr_begin(void);
void app_intr_want(uint16_t port_id, uint16_t queue, uint16_t thread);
void app_intr_commit(void);

/* Whether thread may sleep on the queue's interrupt (it is registered with it). */
static inline bool
app_intr_ready(uint16_t port_id, uint16_t queue, uint16_t thread)
{
	return __atomic_load_n(&app_intr_reg[port_id][queue], __ATOMIC_ACQUIRE) == thread;
}

/* Worker: sleep until a registered queue's interrupt, a wake, or timeout_ms. */
void app_intr_wait(uint16_t thread, int timeout_ms);
/* Main lcore: wake every sleeping worker (a new conf, quit). */
void app_intr_wake_all(void);

#endif /* APP_RX_INTR_H */
