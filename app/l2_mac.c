/* SPDX-License-Identifier: BSD-3-Clause */
/* The MAC table's slow paths: allocation, sweeps (main lcore), the dump. */
#include <stdlib.h>

#include <rte_common.h>

#include "l2_mac.h"

struct app_mac_table *
app_mac_table_new(void)
{
	return calloc(1, sizeof(struct app_mac_table));
}

void
app_mac_table_free(struct app_mac_table *t)
{
	free(t);
}

/*
 * A compare-and-swap, not a store: a worker may have re-learned the entry
 * since it was read, and that newer entry must stay.
 */
void
app_mac_sweep(struct app_mac_table *t, bool (*drop)(uint64_t e, uint32_t ts, void *arg),
		void *arg)
{
	uint32_t i;
	uint64_t e;

	for (i = 0; i < APP_MAC_SLOTS; i++) {
		e = __atomic_load_n(&t->e[i], __ATOMIC_RELAXED);
		if (e != 0 && drop(e, __atomic_load_n(&t->ts[i], __ATOMIC_RELAXED), arg))
			__atomic_compare_exchange_n(&t->e[i], &e, 0, false, __ATOMIC_RELAXED,
				__ATOMIC_RELAXED);
	}
}

struct app_mac_age_arg {
	uint32_t now;
	uint32_t age_s;
};

static bool
app_mac_expired(uint64_t e __rte_unused, uint32_t ts, void *arg)
{
	const struct app_mac_age_arg *a = arg;

	return a->now - ts > a->age_s;
}

void
app_mac_age(struct app_mac_table *t, uint32_t now, uint32_t age_s)
{
	struct app_mac_age_arg a = { now, age_s };

	app_mac_sweep(t, app_mac_expired, &a);
}

static bool
app_mac_on_port(uint64_t e, uint32_t ts __rte_unused, void *arg)
{
	return (uint16_t)(e & 0xffff) == *(const uint16_t *)arg;
}

void
app_mac_forget_port(struct app_mac_table *t, uint16_t port)
{
	app_mac_sweep(t, app_mac_on_port, &port);
}

uint32_t
app_mac_dump(const struct app_mac_table *t, uint32_t now, struct app_mac_entry *out,
		uint32_t max)
{
	uint32_t i, n = 0;
	uint64_t e;
	int k;

	for (i = 0; i < APP_MAC_SLOTS && n < max; i++) {
		e = __atomic_load_n(&t->e[i], __ATOMIC_RELAXED);
		if (e == 0)
			continue;
		out[n].port_id = (uint16_t)(e & 0xffff);
		for (k = 0; k < 6; k++)
			out[n].mac[k] = (uint8_t)(e >> (56 - 8 * k));
		out[n].age_s = now - __atomic_load_n(&t->ts[i], __ATOMIC_RELAXED);
		n++;
	}
	return n;
}
