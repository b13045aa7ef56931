/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A bridge domain's MAC table: 4096 buckets of 4 ways, one 64-bit word per
 * entry (mac << 16 | port, 0 = free) and its last-seen second. Workers learn
 * and look up without locks (relaxed atomics on whole words, so a reader sees
 * an old or a new entry, never half of one); the main lcore ages and sweeps.
 * Pure code: no EAL, no mbufs.
 */
#ifndef APP_L2_MAC_H
#define APP_L2_MAC_H

#include <stdbool.h>
#include <stdint.h>

#define APP_MAC_BUCKETS	4096
#define APP_MAC_WAYS	4
#define APP_MAC_SLOTS	(APP_MAC_BUCKETS * APP_MAC_WAYS)

struct app_mac_table {
	uint64_t e[APP_MAC_SLOTS];
	uint32_t ts[APP_MAC_SLOTS];	/* last seen, seconds */
};

/* One learned entry, as the l2fib dump gives it. */
struct app_mac_entry {
	uint8_t mac[6];
	uint16_t port_id;
	uint32_t age_s;
};

/* The 48-bit key of a MAC address (network order bytes). */
static inline uint64_t
app_mac_key(const uint8_t b[6])
{
	return (uint64_t)b[0] << 40 | (uint64_t)b[1] << 32 | (uint64_t)b[2] << 24 |
		(uint64_t)b[3] << 16 | (uint64_t)b[4] << 8 | b[5];
}

static inline uint32_t
app_mac_bucket(uint64_t key)
{
	return (uint32_t)((key * UINT64_C(0x9e3779b97f4a7c15)) >> 52) & (APP_MAC_BUCKETS - 1);
}

/* The port that key was learned on, or -1. */
static inline int
app_mac_lookup(const struct app_mac_table *t, uint64_t key)
{
	uint32_t i, b = app_mac_bucket(key) * APP_MAC_WAYS;
	uint64_t e;

	for (i = 0; i < APP_MAC_WAYS; i++) {
		e = __atomic_load_n(&t->e[b + i], __ATOMIC_RELAXED);
		if (e != 0 && e >> 16 == key)
			return (int)(e & 0xffff);
	}
	return -1;
}

/*
 * key was seen on port at second now: refresh or move its entry, else take a
 * free way or, in a full bucket, the way seen longest ago. Stores only what
 * changed, so a steady flow writes nothing (no cache line bouncing between
 * workers).
 */
static inline void
app_mac_learn(struct app_mac_table *t, uint64_t key, uint16_t port, uint32_t now)
{
	uint32_t i, b = app_mac_bucket(key) * APP_MAC_WAYS, victim = b;
	uint64_t e, want = key << 16 | port, zero = 0;

	for (i = 0; i < APP_MAC_WAYS; i++) {
		e = __atomic_load_n(&t->e[b + i], __ATOMIC_RELAXED);
		if (e != 0 && e >> 16 == key) {
			if (e != want)
				__atomic_store_n(&t->e[b + i], want, __ATOMIC_RELAXED);
			if (t->ts[b + i] != now)
				__atomic_store_n(&t->ts[b + i], now, __ATOMIC_RELAXED);
			return;
		}
		if (e == 0 || t->ts[b + i] < t->ts[victim])
			victim = b + i;
	}
	__atomic_store_n(&t->ts[victim], now, __ATOMIC_RELAXED);
	e = __atomic_load_n(&t->e[victim], __ATOMIC_RELAXED);
	if (e == 0)
		__atomic_compare_exchange_n(&t->e[victim], &zero, want, false,
			__ATOMIC_RELAXED, __ATOMIC_RELAXED);
	else
		__atomic_store_n(&t->e[victim], want, __ATOMIC_RELAXED);
}

/* A zeroed table, or NULL. */
struct app_mac_table *app_mac_table_new(void);
void app_mac_table_free(struct app_mac_table *t);
/* Clear the entries for which drop(entry, last seen, arg) is true. */
void app_mac_sweep(struct app_mac_table *t, bool (*drop)(uint64_t e, uint32_t ts, void *arg),
		void *arg);
/* Clear the entries not seen for more than age_s seconds at second now. */
void app_mac_age(struct app_mac_table *t, uint32_t now, uint32_t age_s);
/* Clear the entries learned on port. */
void app_mac_forget_port(struct app_mac_table *t, uint16_t port);
/* Copy at most max entries into out; returns how many. */
uint32_t app_mac_dump(const struct app_mac_table *t, uint32_t now, struct app_mac_entry *out,
		uint32_t max);

#endif /* APP_L2_MAC_H */
