/* SPDX-License-Identifier: BSD-3-Clause */
/* Bridge domains: the list of domains and their MAC tables, the flood fan-out. */
#include <errno.h>

#include <rte_mbuf.h>

#include "l2_bd.h"

int
app_bd_find(const struct app_bd_list *l, uint32_t bd_id)
{
	uint16_t i;

	for (i = 0; i < l->n; i++)
		if (l->bd[i].bd_id == bd_id)
			return i;
	return -ENOENT;
}

int
app_bd_index(struct app_bd_list *l, uint32_t bd_id)
{
	int i = app_bd_find(l, bd_id);

	if (i >= 0)
		return i;
	if (l->n == CLI_MAX_IF)
		return -ENOSPC;
	i = l->n;
	l->bd[i].macs = app_mac_table_new();
	if (l->bd[i].macs == NULL)
		return -ENOMEM;
	l->bd[i].bd_id = bd_id;
	l->bd[i].age_min = CLI_DEFAULT_MAC_AGE_MIN;
	l->n++;
	return i;
}

void
app_bd_list_free(struct app_bd_list *l)
{
	uint16_t i;

	for (i = 0; i < l->n; i++)
		app_mac_table_free(l->bd[i].macs);
	l->n = 0;
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
