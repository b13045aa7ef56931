/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhostu-corelat: how long a cache line takes to go from one CPU to another
 * and back, sampled once a period, for scripts/bench.py.
 *
 * A loopback benchmark on a VM moves every frame through cache lines that the
 * two pollers' vCPUs hand to each other; where the host runs those vCPUs (the
 * same core complex or not) sets that cost, and it may change by the second.
 * Each sample runs two SCHED_FIFO threads, one pinned on each CPU, that pass
 * a counter back and forth ITERS times (about a millisecond), so the pollers
 * lose that much of each period. Every wait gives up after SPIN_LIMIT_S (the
 * sample reads nan), so that a thread that cannot get its CPU (another
 * real-time spinner there) never keeps the other one spinning.
 * Output, one line per sample:
 *   <unix time> <round trip ns>
 *
 * Usage: vhostu-corelat [cpu_a cpu_b [period_s [iters]]]   (default 0 1 1.0 2000)
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SPIN_LIMIT_S	0.02

struct corelat {
	_Atomic long flag __attribute__((aligned(64)));
	_Atomic int ready __attribute__((aligned(64)));
	_Atomic int gave_up;
	long iters;
	int cpu[2];
	double deadline;	/* CLOCK_MONOTONIC */
	double rt_ns;
};

static double
corelat_now(clockid_t clk)
{
	struct timespec t;

	clock_gettime(clk, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

/*
 * A thread on cpu that runs ahead of the pollers there, from its first
 * instruction (so that a loaded machine does not delay its start).
 */
static int
corelat_start(pthread_t *t, int cpu, void *(*fn)(void *), struct corelat *c)
{
	struct sched_param sp = { .sched_priority = 50 };
	pthread_attr_t attr;
	cpu_set_t set;
	int r;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
	pthread_attr_setschedparam(&attr, &sp);
	r = pthread_create(t, &attr, fn, c);
	if (r == EPERM) {	/* no real-time priority: run as we may */
		pthread_attr_setinheritsched(&attr, PTHREAD_INHERIT_SCHED);
		r = pthread_create(t, &attr, fn, c);
	}
	pthread_attr_destroy(&attr);
	return r;
}

/* Spin until *v == want; false if the other side gave up or the deadline passed. */
static int
corelat_wait(struct corelat *c, _Atomic long *v, long want)
{
	unsigned int n = 0;

	while (atomic_load_explicit(v, memory_order_acquire) != want) {
		if ((++n & 1023) == 0 && (atomic_load(&c->gave_up) ||
				corelat_now(CLOCK_MONOTONIC) > c->deadline)) {
			atomic_store(&c->gave_up, 1);
			return 0;
		}
	}
	return 1;
}

/* Both sides started: neither spins while the other still waits for its CPU. */
static int
corelat_meet(struct corelat *c)
{
	unsigned int n = 0;

	atomic_fetch_add(&c->ready, 1);
	while (atomic_load(&c->ready) < 2) {
		if ((++n & 1023) == 0 && (atomic_load(&c->gave_up) ||
				corelat_now(CLOCK_MONOTONIC) > c->deadline)) {
			atomic_store(&c->gave_up, 1);
			return 0;
		}
	}
	return 1;
}

static void *
corelat_pong(void *arg)
{
	struct corelat *c = arg;
	long i;

	if (!corelat_meet(c))
		return NULL;
	for (i = 0; i < c->iters; i++) {
		if (!corelat_wait(c, &c->flag, 2 * i + 1))
			return NULL;
		atomic_store_explicit(&c->flag, 2 * i + 2, memory_order_release);
	}
	return NULL;
}

static void *
corelat_ping(void *arg)
{
	struct corelat *c = arg;
	double t0;
	long i;

	c->rt_ns = NAN;
	if (!corelat_meet(c))
		return NULL;
	t0 = corelat_now(CLOCK_MONOTONIC);
	c->deadline = t0 + SPIN_LIMIT_S;
	for (i = 0; i < c->iters; i++) {
		atomic_store_explicit(&c->flag, 2 * i + 1, memory_order_release);
		if (!corelat_wait(c, &c->flag, 2 * i + 2))
			return NULL;
	}
	c->rt_ns = (corelat_now(CLOCK_MONOTONIC) - t0) / c->iters * 1e9;
	return NULL;
}

int
main(int argc, char **argv)
{
	static struct corelat c;
	double period = argc > 3 ? atof(argv[3]) : 1.0;
	pthread_t a, b;

	c.cpu[0] = argc > 2 ? atoi(argv[1]) : 0;
	c.cpu[1] = argc > 2 ? atoi(argv[2]) : 1;
	c.iters = argc > 4 ? atol(argv[4]) : 2000;
	if (c.iters <= 0 || period <= 0) {
		fprintf(stderr, "usage: vhostu-corelat [cpu_a cpu_b [period_s [iters]]]\n");
		return 2;
	}
	for (;;) {
		atomic_store(&c.flag, 0);
		atomic_store(&c.ready, 0);
		atomic_store(&c.gave_up, 0);
		/* Starting takes longer than a sample; each side then has SPIN_LIMIT_S. */
		c.deadline = corelat_now(CLOCK_MONOTONIC) + 10 * SPIN_LIMIT_S;
		errno = corelat_start(&b, c.cpu[1], corelat_pong, &c);
		if (errno == 0)
			errno = corelat_start(&a, c.cpu[0], corelat_ping, &c);
		if (errno != 0) {
			fprintf(stderr, "vhostu-corelat: pthread_create: %s\n", strerror(errno));
			return 1;
		}
		pthread_join(a, NULL);
		pthread_join(b, NULL);
		printf("%.3f %.0f\n", corelat_now(CLOCK_REALTIME), c.rt_ns);
		fflush(stdout);
		usleep((useconds_t)(period * 1e6));
	}
}
