/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhostu-fwd's DPDK telemetry endpoints: /vhostu/interfaces and
 * /vhostu/interface,NAME (lib/cli/cli_telemetry.c builds the answers).
 *
 * The telemetry library calls us on a thread of its own, one per client.
 * The interface table and the ports belong to the main lcore, where the
 * shell runs the commands, without a lock. So a callback does not read them:
 * it posts its request and waits, at most APP_TEL_WAIT_MS, for the main lcore
 * to answer it between two commands (app_telemetry_serve() in its idle loop,
 * at least every 100 ms). Requests are served one at a time; one that times
 * out is withdrawn under the lock, so the main lcore never fills data whose
 * callback has returned.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_log.h>
#include <rte_telemetry.h>

#include "cli.h"
#include "ops.h"

#define APP_TEL_WAIT_MS	2000

enum app_tel_kind {
	APP_TEL_INTERFACES,
	APP_TEL_INTERFACE,
};

static struct {
	pthread_mutex_t client;	/* one request at a time */
	pthread_mutex_t lock;	/* the fields below */
	pthread_cond_t done_cond;
	bool open;		/* the main lcore serves requests */
	bool pending;		/* read without the lock by app_telemetry_serve */
	bool done;
	enum app_tel_kind kind;
	char name[CLI_IF_NAMESIZE];
	struct rte_tel_data *d;
	int ret;
} app_tel = {
	.client = PTHREAD_MUTEX_INITIALIZER,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

static void
app_tel_deadline(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += APP_TEL_WAIT_MS / 1000;
	ts->tv_nsec += (long)(APP_TEL_WAIT_MS % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Post the request and wait for its answer; app_tel.lock is held. */
static int
app_tel_wait(enum app_tel_kind kind, const char *name, struct rte_tel_data *d)
{
	struct timespec until;
	int err = 0;

	app_tel.kind = kind;
	snprintf(app_tel.name, sizeof(app_tel.name), "%s", name);
	app_tel.d = d;
	app_tel.done = false;
	__atomic_store_n(&app_tel.pending, true, __ATOMIC_RELEASE);
	app_tel_deadline(&until);
	while (!app_tel.done && err != ETIMEDOUT)
		err = pthread_cond_timedwait(&app_tel.done_cond, &app_tel.lock, &until);
	if (app_tel.done)
		return app_tel.ret;
	__atomic_store_n(&app_tel.pending, false, __ATOMIC_RELAXED);
	RTE_LOG(WARNING, USER1, "vhostu-fwd: telemetry request not answered within %d ms "
		"(a command is running?)\n", APP_TEL_WAIT_MS);
	return -EBUSY;
}

static int
app_tel_ask(enum app_tel_kind kind, const char *name, struct rte_tel_data *d)
{
	int ret = -ENODEV;

	pthread_mutex_lock(&app_tel.client);
	pthread_mutex_lock(&app_tel.lock);
	if (app_tel.open)
		ret = app_tel_wait(kind, name, d);
	pthread_mutex_unlock(&app_tel.lock);
	pthread_mutex_unlock(&app_tel.client);
	return ret;
}

static int
app_tel_interfaces(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	return app_tel_ask(APP_TEL_INTERFACES, "", d);
}

static int
app_tel_interface(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	char name[CLI_IF_NAMESIZE];
	size_t n;

	if (params == NULL)
		return -EINVAL;
	params += strspn(params, " \t");
	n = strcspn(params, " \t\r\n");
	if (n == 0 || n >= sizeof(name))
		return -EINVAL;
	memcpy(name, params, n);
	name[n] = '\0';
	return app_tel_ask(APP_TEL_INTERFACE, name, d);
}

int
app_telemetry_init(void)
{
	pthread_condattr_t attr;
	int ret;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	ret = pthread_cond_init(&app_tel.done_cond, &attr);
	pthread_condattr_destroy(&attr);
	if (ret != 0)
		return -ret;
	ret = rte_telemetry_register_cmd("/vhostu/interfaces", app_tel_interfaces,
		"Returns the interface names. Takes no parameters");
	if (ret == 0)
		ret = rte_telemetry_register_cmd("/vhostu/interface", app_tel_interface,
			"Returns an interface's state. Parameters: name");
	if (ret < 0)
		return ret;
	pthread_mutex_lock(&app_tel.lock);
	app_tel.open = true;
	pthread_mutex_unlock(&app_tel.lock);
	return 0;
}

void
app_telemetry_serve(void)
{
	if (!__atomic_load_n(&app_tel.pending, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&app_tel.lock);
	if (app_tel.pending && app_tel.open) {
		if (app_tel.kind == APP_TEL_INTERFACES)
			app_tel.ret = cli_tel_interfaces(app_tel.d);
		else
			app_tel.ret = cli_tel_interface(app_tel.name, app_tel.d);
		__atomic_store_n(&app_tel.pending, false, __ATOMIC_RELAXED);
		app_tel.done = true;
		pthread_cond_broadcast(&app_tel.done_cond);
	}
	pthread_mutex_unlock(&app_tel.lock);
}

/*
 * Before the shell's state goes: a waiting request gets -ENODEV, later ones
 * too (the library has no way to unregister a command).
 */
void
app_telemetry_fini(void)
{
	pthread_mutex_lock(&app_tel.lock);
	app_tel.open = false;
	if (app_tel.pending) {
		__atomic_store_n(&app_tel.pending, false, __ATOMIC_RELAXED);
		app_tel.ret = -ENODEV;
		app_tel.done = true;
		pthread_cond_broadcast(&app_tel.done_cond);
	}
	pthread_mutex_unlock(&app_tel.lock);
}
