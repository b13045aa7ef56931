/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Queue placement, as VPP 18.07 does it. Pure.
 *
 * rx: each rx queue (vring 2q+1) goes to the next worker in turn, over all
 * interfaces (threads 1..N; thread 0, the main lcore, only when there is no
 * worker).
 * tx: thread t (0 = main lcore, counted as VPP counts it) uses the t-th
 * enabled tx queue (vring 2q), wrapping around; when some queue has to serve
 * two threads, every sender takes that queue's spin-lock.
 */
#include <string.h>

#include "cli.h"

void
cli_place_tx(uint32_t enabled_txq, uint16_t n_threads, struct cli_placement *p)
{
	uint16_t q[32], n_en = 0, t;
	unsigned int b;

	for (b = 0; b < CLI_MAX_RXQ && b < 32; b++)
		if (enabled_txq & (1u << b))
			q[n_en++] = (uint16_t)b;
	if (n_threads > CLI_MAX_THREADS)
		n_threads = CLI_MAX_THREADS;
	p->n_tx = n_threads;
	p->tx_spinlock = n_en == 0 || n_threads > n_en;
	for (t = 0; t < n_threads; t++) {
		p->tx[t].thread = t;
		p->tx[t].vring = n_en == 0 ? 0 : (uint16_t)(2 * q[t % n_en]);
	}
}

uint16_t
cli_place_tx_queue(const struct cli_placement *p, uint16_t thread)
{
	if (thread >= p->n_tx)
		return 0;
	return p->tx[thread].vring / 2;
}

uint16_t
cli_place_rx_next(uint32_t *rr, uint16_t n_workers)
{
	uint16_t t;

	if (n_workers == 0)
		return 0;
	t = (uint16_t)(1 + *rr % n_workers);
	(*rr)++;
	return t;
}
