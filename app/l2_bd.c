/* SPDX-License-Identifier: BSD-3-Clause */
/* Bridge domains: their MAC tables by id (main lcore), the flood fan-out. */
#include <errno.h>

#include <rte_mbuf.h>

#include "l2_bd.h"

struct app_mac_table *
app_bd_table(const struct app_bd_tables *r, uint32_t bd_id)
{
	uint16_t i;

	for (i = 0; i < r->n; i++)
		if (r->t[i].bd_id == bd_id)
			return r->t[i].macs;
	return NULL;
}

int
app_bd_prepare(struct app_bd_tables *r, uint32_t bd_id)
{
	struct app_mac_table *macs;

	if (app_bd_table(r, bd_id) != NULL)
		return 0;
	if (r->n == APP_BD_TABLES_MAX)
		return -ENOSPC;
	macs = app_mac_table_new();
	if (macs == NULL)
		return -ENOMEM;
	r->t[r->n++] = (struct app_bd_table){ bd_id, macs };
	return 0;
}

static bool
app_bd_kept(const struct app_bd *keep, uint16_t n, uint32_t bd_id)
{
	uint16_t i;

	for (i = 0; i < n; i++)
		if (keep[i].bd_id == bd_id)
			return true;
	return false;
}

void
app_bd_release(struct app_bd_tables *r, const struct app_bd *keep, uint16_t n)
{
	uint16_t i = 0;

	while (i < r->n) {
		if (app_bd_kept(keep, n, r->t[i].bd_id)) {
			i++;
			continue;
		}
		app_mac_table_free(r->t[i].macs);
		r->t[i] = r->t[--r->n];
	}
}

void
app_bd_tables_free(struct app_bd_tables *r)
{
	app_bd_release(r, NULL, 0);
}

uint16_t
app_bd_flood(const uint16_t *members, uint16_t n_members, uint16_t in, struct rte_mbuf *m,
		uint16_t *out)
{
	uint16_t i, n = 0;

	for (i = 0; i < n_members; i++)
		if (members[i] != in)
			out[n++] = members[i];
	/* every segment: each copy's free drops one reference of each */
	if (n > 1)
		rte_pktmbuf_refcnt_update(m, (int16_t)(n - 1));
	return n;
}
