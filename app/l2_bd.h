/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bridge domains on the forwarding side. Which domains exist and their MAC
 * age are configuration (lib/cli's table, published in struct app_conf as
 * struct app_bd); what lives here is run-time state: each domain's MAC
 * table, kept by id on the main lcore, made before a member joins (where
 * failing can be refused) and freed once a published configuration no
 * longer has the domain. And the flood fan-out the workers use.
 */
#ifndef APP_L2_BD_H
#define APP_L2_BD_H

#include <stdint.h>

#include "cli.h"
#include "l2_mac.h"

struct rte_mbuf;

/* A bridge domain as a published configuration has it. */
struct app_bd {
	uint32_t bd_id;
	uint32_t age_min;		/* 0: no aging */
	struct app_mac_table *macs;
	uint16_t n_members;
	uint16_t members[CLI_MAX_IF];	/* slots in the conf */
};

/* Every domain has a member, and one more may be prepared for a join. */
#define APP_BD_TABLES_MAX	(CLI_MAX_IF + 1)

struct app_bd_table {
	uint32_t bd_id;
	struct app_mac_table *macs;
};

struct app_bd_tables {
	uint16_t n;
	struct app_bd_table t[APP_BD_TABLES_MAX];
};

/* The MAC table of bd_id, or NULL. */
struct app_mac_table *app_bd_table(const struct app_bd_tables *r, uint32_t bd_id);
/* Make sure bd_id has a MAC table. 0, -ENOMEM or -ENOSPC. */
int app_bd_prepare(struct app_bd_tables *r, uint32_t bd_id);
/*
 * Free the tables of the domains that are not in keep[0..n), the published
 * configuration: call it only when no worker can see an older one.
 */
void app_bd_release(struct app_bd_tables *r, const struct app_bd *keep, uint16_t n);
void app_bd_tables_free(struct app_bd_tables *r);

/*
 * Flood m, received on slot in, to the other members (slots) of its domain:
 * fills out with the slots that must each be sent m and returns how many,
 * with the references of every segment of m raised to match. 0: nobody to
 * send to, m is left to the caller to drop.
 */
uint16_t app_bd_flood(const uint16_t *members, uint16_t n_members, uint16_t in,
		struct rte_mbuf *m, uint16_t *out);

#endif /* APP_L2_BD_H */
