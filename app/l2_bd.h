/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bridge domains: their MAC tables, kept by id (main lcore), and the flood
 * fan-out that the workers use for broadcast and unknown unicast.
 */
#ifndef APP_L2_BD_H
#define APP_L2_BD_H

#include <stdint.h>

#include "cli.h"
#include "l2_mac.h"

struct rte_mbuf;

struct app_bd {
	uint32_t bd_id;
	uint32_t age_min;
	struct app_mac_table *macs;
};

/* Every bridge domain, in the order they appeared. */
struct app_bd_list {
	uint16_t n;
	struct app_bd bd[CLI_MAX_IF];
};

/* The index of domain bd_id, or -ENOENT. */
int app_bd_find(const struct app_bd_list *l, uint32_t bd_id);
/* The index of domain bd_id, made (empty table, default age) if new; -ENOSPC, -ENOMEM. */
int app_bd_index(struct app_bd_list *l, uint32_t bd_id);
void app_bd_list_free(struct app_bd_list *l);

/*
 * Flood m, received on slot in, to the other members (slots) of its domain:
 * fills out with the slots that must each be sent m and returns how many,
 * with m's references raised to match. 0: nobody to send to, m is left to
 * the caller to drop.
 */
uint16_t app_bd_flood(const uint16_t *members, uint16_t n_members, uint16_t in,
		struct rte_mbuf *m, uint16_t *out);

#endif /* APP_L2_BD_H */
