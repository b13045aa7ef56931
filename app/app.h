/* SPDX-License-Identifier: BSD-3-Clause */
/* vhostu-fwd: what main.c and fwd.c share. */
#ifndef APP_H
#define APP_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"

struct rte_mempool;

/* Set by quit, SIGINT and SIGTERM. */
extern volatile bool app_quit;

/* The forwarding layer: workers, placement, l2 xconnect and bridging. */
int app_fwd_init(void);
/* Start a worker on every lcore but the main one. */
int app_fwd_launch(void);
/* Stop the workers and wait for them. */
void app_fwd_stop(void);
void app_fwd_fini(void);
/* Main lcore: placement refresh, MAC aging; at most every 100 ms unless forced. */
void app_fwd_housekeep(bool force);
/* One forwarding pass for thread 0 (used when there is no worker lcore). */
void app_fwd_poll_main(void);
uint16_t app_fwd_n_workers(void);
const struct cli_fwd_ops *app_fwd_ops(void);

#endif /* APP_H */
