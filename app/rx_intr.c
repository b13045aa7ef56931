/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Worker sleep on rx interrupts. A queue is registered (rte_eth_dev_rx_intr_ctl_q)
 * with the epoll fd of the worker that polls it, once, by the main lcore;
 * ethdev keeps one registration per queue, so a queue that moves is
 * unregistered first. Workers wait with epoll_wait, not rte_epoll_wait: they
 * never read the events (they poll their queues after any wake), so an event
 * of a queue unregistered meanwhile, whose ethdev data may be freed with its
 * port, is never dereferenced. app_intr_reg[port][queue] says which worker a
 * queue is registered with: the main lcore sets it after a registration and
 * clears it before the unregistration, so a worker only counts on interrupts
 * of queues that have them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_interrupts.h>
#include <rte_log.h>

#include "rx_intr.h"

uint16_t app_intr_reg[RTE_MAX_ETHPORTS][CLI_MAX_RXQ];

static struct {
	uint16_t n_workers;
	int epfd[CLI_MAX_THREADS];	/* index: thread (1..n_workers) */
	int wakefd[CLI_MAX_THREADS];
	uint16_t want[RTE_MAX_ETHPORTS][CLI_MAX_RXQ];
} app_intr;

int
app_intr_init(uint16_t n_workers)
{
	struct epoll_event ev = { .events = EPOLLIN };
	uint16_t t;

	app_intr.n_workers = n_workers;
	for (t = 0; t < CLI_MAX_THREADS; t++)
		app_intr.epfd[t] = app_intr.wakefd[t] = -1;
	for (t = 1; t <= n_workers; t++) {
		app_intr.epfd[t] = epoll_create1(EPOLL_CLOEXEC);
		app_intr.wakefd[t] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (app_intr.epfd[t] < 0 || app_intr.wakefd[t] < 0)
			return -errno;
		if (epoll_ctl(app_intr.epfd[t], EPOLL_CTL_ADD, app_intr.wakefd[t], &ev) < 0)
			return -errno;
	}
	return 0;
}

void
app_intr_fini(void)
{
	uint16_t t;

	for (t = 0; t < CLI_MAX_THREADS; t++) {
		if (app_intr.epfd[t] >= 0)
			close(app_intr.epfd[t]);
		if (app_intr.wakefd[t] >= 0)
			close(app_intr.wakefd[t]);
		app_intr.epfd[t] = app_intr.wakefd[t] = -1;
	}
}

void
app_intr_begin(void)
{
	memset(app_intr.want, 0, sizeof(app_intr.want));
}

void
app_intr_want(uint16_t port_id, uint16_t queue, uint16_t thread)
{
	if (port_id < RTE_MAX_ETHPORTS && queue < CLI_MAX_RXQ && thread >= 1 &&
			thread <= app_intr.n_workers)
		app_intr.want[port_id][queue] = thread;
}

/* Back to polling: no worker counts on it, its guest stops kicking. */
static void
app_intr_unregister(uint16_t port, uint16_t q)
{
	uint16_t t = app_intr_reg[port][q];

	__atomic_store_n(&app_intr_reg[port][q], 0, __ATOMIC_RELEASE);
	rte_eth_dev_rx_intr_ctl_q(port, q, app_intr.epfd[t], RTE_INTR_EVENT_DEL, NULL);
	rte_eth_dev_rx_intr_disable(port, q);
}

static void
app_intr_register(uint16_t port, uint16_t q, uint16_t t)
{
	int ret = rte_eth_dev_rx_intr_ctl_q(port, q, app_intr.epfd[t], RTE_INTR_EVENT_ADD, NULL);

	if (ret < 0) {
		RTE_LOG(WARNING, USER1, "vhostu-fwd: port %u queue %u: no rx interrupt (%s): "
			"polled\n", port, q, strerror(-ret));
		return;
	}
	__atomic_store_n(&app_intr_reg[port][q], t, __ATOMIC_RELEASE);
}

/* After a conf is published: workers see it, none polls what left it. */
void
app_intr_commit(void)
{
	uint16_t p, q;

	for (p = 0; p < RTE_MAX_ETHPORTS; p++)
		for (q = 0; q < CLI_MAX_RXQ; q++)
			if (app_intr_reg[p][q] != 0 && app_intr_reg[p][q] != app_intr.want[p][q])
				app_intr_unregister(p, q);
	for (p = 0; p < RTE_MAX_ETHPORTS; p++)
		for (q = 0; q < CLI_MAX_RXQ; q++)
			if (app_intr.want[p][q] != 0 && app_intr_reg[p][q] == 0)
				app_intr_register(p, q, app_intr.want[p][q]);
}

void
app_intr_wait(uint16_t thread, int timeout_ms)
{
	struct epoll_event evs[8];
	uint64_t v;

	if (epoll_wait(app_intr.epfd[thread], evs, RTE_DIM(evs), timeout_ms) > 0 &&
			read(app_intr.wakefd[thread], &v, sizeof(v)) < 0 && errno != EAGAIN)
		RTE_LOG(ERR, USER1, "vhostu-fwd: worker %u: wake fd: %s\n", thread,
			strerror(errno));
}

void
app_intr_wake_all(void)
{
	uint64_t one = 1;
	uint16_t t;

	for (t = 1; t <= app_intr.n_workers; t++)
		if (app_intr.wakefd[t] >= 0 && write(app_intr.wakefd[t], &one, sizeof(one)) < 0 &&
				errno != EAGAIN)
			RTE_LOG(ERR, USER1, "vhostu-fwd: wake worker %u: %s\n", t, strerror(errno));
}
