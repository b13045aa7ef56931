/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The interface table: VirtualEthernet0/0/N <-> sw_if_index <-> DPDK port.
 * sw_if_index starts at 1 (VPP's 0 is local0); the lowest free index is
 * reused by the next interface, and N is the lowest instance no interface
 * has, unless `renumber` chose one (duplicates allowed, as in VPP).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli_internal.h"

void
cli_iftable_init(struct cli_iftable *t)
{
	memset(t, 0, sizeof(*t));
}

bool
cli_iftable_instance_used(const struct cli_iftable *t, uint32_t instance)
{
	const struct cli_if *ifp;

	CLI_IFTABLE_FOREACH(t, ifp)
		if (ifp->is_vhost && ifp->instance == instance)
			return true;
	return false;
}

uint32_t
cli_iftable_next_instance(const struct cli_iftable *t)
{
	uint32_t n = 0;

	while (cli_iftable_instance_used(t, n))
		n++;
	return n;
}

static struct cli_if *
cli_iftable_alloc(struct cli_iftable *t, uint16_t port_id)
{
	struct cli_if *ifp;
	int i;

	for (i = 0; i < CLI_MAX_IF; i++) {
		ifp = &t->ifs[i];
		if (ifp->used)
			continue;
		memset(ifp, 0, sizeof(*ifp));
		ifp->used = true;
		ifp->sw_if_index = (uint32_t)i + 1;
		ifp->port_id = port_id;
		ifp->l2_mode = CLI_L2_NONE;
		return ifp;
	}
	return NULL;
}

int
cli_iftable_add_vhost(struct cli_iftable *t, uint16_t port_id, int64_t instance,
		const char *vdev, struct cli_if **out)
{
	struct cli_if *ifp;
	uint32_t n;

	n = instance < 0 ? cli_iftable_next_instance(t) : (uint32_t)instance;
	ifp = cli_iftable_alloc(t, port_id);
	if (ifp == NULL)
		return -ENOSPC;
	ifp->is_vhost = true;
	ifp->instance = n;
	snprintf(ifp->name, sizeof(ifp->name), CLI_IF_NAME_PREFIX "%u", n);
	snprintf(ifp->vdev, sizeof(ifp->vdev), "%s", vdev ? vdev : "");
	if (out != NULL)
		*out = ifp;
	return 0;
}

int
cli_iftable_add_other(struct cli_iftable *t, uint16_t port_id, const char *name,
		struct cli_if **out)
{
	struct cli_if *ifp;

	ifp = cli_iftable_alloc(t, port_id);
	if (ifp == NULL)
		return -ENOSPC;
	snprintf(ifp->name, sizeof(ifp->name), "%s", name);
	if (out != NULL)
		*out = ifp;
	return 0;
}

/* Forget ifp; interfaces cross-connected to it go back to dropping. */
void
cli_iftable_del(struct cli_iftable *t, struct cli_if *ifp)
{
	uint32_t sw = ifp->sw_if_index;
	struct cli_if *o;

	memset(ifp, 0, sizeof(*ifp));
	CLI_IFTABLE_FOREACH(t, o)
		if (o->l2_mode == CLI_L2_XCONNECT && o->xc_sw_if_index == sw)
			o->l2_mode = CLI_L2_NONE;
	cli_iftable_bd_sync(t);
}

static int
cli_iftable_bd_index(const struct cli_iftable *t, uint32_t bd_id)
{
	uint16_t i;

	for (i = 0; i < t->n_bds; i++)
		if (t->bds[i].bd_id == bd_id)
			return i;
	return -1;
}

const struct cli_bd *
cli_iftable_bd(const struct cli_iftable *t, uint32_t bd_id)
{
	int i = cli_iftable_bd_index(t, bd_id);

	return i < 0 ? NULL : &t->bds[i];
}

struct cli_bd *
cli_iftable_bd_mut(struct cli_iftable *t, uint32_t bd_id)
{
	int i = cli_iftable_bd_index(t, bd_id);

	return i < 0 ? NULL : &t->bds[i];
}

/* Insert bd_id into the sorted ids[0..n) unless there; the new count. */
static uint16_t
cli_bd_ids_add(uint32_t *ids, uint16_t n, uint32_t bd_id)
{
	uint16_t j;

	for (j = 0; j < n; j++)
		if (ids[j] == bd_id)
			return n;
	for (j = n; j > 0 && ids[j - 1] > bd_id; j--)
		ids[j] = ids[j - 1];
	ids[j] = bd_id;
	return n + 1;
}

void
cli_iftable_bd_sync(struct cli_iftable *t)
{
	struct cli_bd bds[CLI_MAX_IF];
	const struct cli_bd *old;
	const struct cli_if *ifp;
	uint32_t ids[CLI_MAX_IF];
	uint16_t n = 0, j;

	CLI_IFTABLE_FOREACH(t, ifp)
		if (ifp->l2_mode == CLI_L2_BRIDGE)
			n = cli_bd_ids_add(ids, n, ifp->bd_id);
	for (j = 0; j < n; j++) {
		old = cli_iftable_bd(t, ids[j]);
		bds[j].bd_id = ids[j];
		bds[j].mac_age_min = old != NULL ? old->mac_age_min : CLI_DEFAULT_MAC_AGE_MIN;
	}
	memcpy(t->bds, bds, n * sizeof(bds[0]));
	memset(&t->bds[n], 0, (CLI_MAX_IF - n) * sizeof(bds[0]));
	t->n_bds = n;
}

int
cli_iftable_next(const struct cli_iftable *t, int slot)
{
	while (slot < CLI_MAX_IF && !t->ifs[slot].used)
		slot++;
	return slot;
}

/* Slot of the first (lowest sw_if_index) interface of that name, or -1. */
static int
cli_iftable_slot_by_name(const struct cli_iftable *t, const char *name)
{
	const struct cli_if *ifp;

	CLI_IFTABLE_FOREACH(t, ifp)
		if (strcmp(ifp->name, name) == 0)
			return (int)(ifp - t->ifs);
	return -1;
}

static int
cli_iftable_slot_by_sw_if_index(const struct cli_iftable *t, uint32_t sw_if_index)
{
	if (sw_if_index < 1 || sw_if_index > CLI_MAX_IF)
		return -1;
	return t->ifs[sw_if_index - 1].used ? (int)sw_if_index - 1 : -1;
}

const struct cli_if *
cli_iftable_by_name(const struct cli_iftable *t, const char *name)
{
	int i = cli_iftable_slot_by_name(t, name);

	return i < 0 ? NULL : &t->ifs[i];
}

struct cli_if *
cli_iftable_by_name_mut(struct cli_iftable *t, const char *name)
{
	int i = cli_iftable_slot_by_name(t, name);

	return i < 0 ? NULL : &t->ifs[i];
}

const struct cli_if *
cli_iftable_by_sw_if_index(const struct cli_iftable *t, uint32_t sw_if_index)
{
	int i = cli_iftable_slot_by_sw_if_index(t, sw_if_index);

	return i < 0 ? NULL : &t->ifs[i];
}

struct cli_if *
cli_iftable_by_sw_if_index_mut(struct cli_iftable *t, uint32_t sw_if_index)
{
	int i = cli_iftable_slot_by_sw_if_index(t, sw_if_index);

	return i < 0 ? NULL : &t->ifs[i];
}

const struct cli_if *
cli_iftable_by_port(const struct cli_iftable *t, uint16_t port_id)
{
	const struct cli_if *ifp;

	CLI_IFTABLE_FOREACH(t, ifp)
		if (ifp->port_id == port_id)
			return ifp;
	return NULL;
}

const struct cli_if *
cli_iftable_by_socket(const struct cli_iftable *t, const char *path)
{
	const struct cli_if *ifp;

	CLI_IFTABLE_FOREACH(t, ifp)
		if (ifp->is_vhost && strcmp(ifp->socket, path) == 0)
			return ifp;
	return NULL;
}
