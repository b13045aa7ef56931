/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The walk over one chain of a packed virtqueue, for vhostu_rxtx_packed.c:
 * ring descriptors from our position on, or an indirect table, each
 * descriptor read once (its flags first, with acquire), each walk bounded by
 * the ring size or its table.
 */
#ifndef VHOSTU_PCHAIN_H
#define VHOSTU_PCHAIN_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

#include "vhostu_internal.h"
#include "vhostu_packed.h"
#include "vhostu_rxtx.h"

/* A walk over one chain: ring descriptors from a position, or an indirect table. */
struct vhostu_pchain {
	const struct vhostu_pdesc *table;	/* the indirect table, NULL in the ring */
	uint32_t tsize;		/* entries in table */
	uint32_t tidx;		/* next table entry */
	uint16_t ridx;		/* next ring position */
	bool rwrap;		/* the driver's wrap counter at ridx */
	uint16_t ndesc;		/* ring descriptors the chain took */
	uint16_t id;		/* buffer id, of the last ring descriptor read */
	uint32_t left;		/* descriptors we may still read: bounds the walk */
	bool more;		/* the chain goes on */
	uint32_t reads;		/* descriptors read in this burst, all chains: the budget */
};

static __rte_always_inline void
vhostu_pchain_init(const struct vhostu_vring *vr, struct vhostu_pchain *c, uint16_t idx,
		bool wrap)
{
	c->table = NULL;
	c->ridx = idx;
	c->rwrap = wrap;
	c->ndesc = 0;
	c->id = 0;
	c->left = vr->size;
	c->more = true;
}

/*
 * Read the ring descriptor at c->ridx, flags first (acquire), each field
 * once; false if it is not available.
 */
static __rte_always_inline bool
vhostu_pchain_ring_read(const struct vhostu_vring *vr, struct vhostu_pchain *c,
		struct vhostu_pdesc *d)
{
	const volatile struct vhostu_pdesc *s = &vhostu_pdesc_ring(vr)[c->ridx];

	d->flags = vhostu_pdesc_flags(vr, c->ridx);
	if (unlikely(!vhostu_packed_flags_avail(d->flags, c->rwrap)))
		return false;
	d->addr = s->addr;
	d->len = s->len;
	d->id = s->id;
	c->ndesc++;
	c->id = d->id;
	vhostu_packed_step(vr->size, &c->ridx, &c->rwrap, 1);
	return true;
}

static __rte_always_inline void
vhostu_pdesc_read_table(const struct vhostu_pdesc *table, uint32_t i, struct vhostu_pdesc *d)
{
	const volatile struct vhostu_pdesc *s = &table[i];

	d->addr = s->addr;
	d->len = s->len;
	d->flags = s->flags;
}

/* vhostu_indirect_table checks a table's length in split descriptors. */
_Static_assert(sizeof(struct vhostu_pdesc) == sizeof(struct vhostu_desc),
	"packed and split descriptors are both 16 bytes");

/* Switch the walk to the indirect table the head d describes; false if it is bad. */
static __rte_always_inline bool
vhostu_pchain_indirect(const struct vhostu_vring *vr, struct vhostu_pchain *c,
		const struct vhostu_pdesc *d)
{
	const struct vhostu_pdesc *table;

	table = vhostu_indirect_table(vr, d->addr, d->len, d->flags, c->ndesc == 1);
	if (unlikely(table == NULL))
		return false;
	c->table = table;
	c->tsize = d->len / sizeof(struct vhostu_pdesc);
	c->tidx = 0;
	c->left = c->tsize;
	c->more = true;
	return true;
}

/*
 * Next non-empty buffer of the chain: 1 and *b filled, 0 at its end, -EINVAL
 * when it is bad, -EAGAIN when there is no chain at all (the ring is empty
 * at our position). write_flag as for split rings. In an indirect table the
 * entries follow each other to its end (their NEXT flags mean nothing).
 */
static __rte_always_inline int
vhostu_pchain_next(const struct vhostu_vring *vr, struct vhostu_pchain *c,
		struct vhostu_buf *b, uint16_t write_flag)
{
	struct vhostu_pdesc d;

	while (c->more) {
		if (unlikely(c->left == 0))
			return -EINVAL;	/* a chain longer than the ring or its table */
		c->left--;
		c->reads++;
		if (c->table == NULL) {
			if (unlikely(!vhostu_pchain_ring_read(vr, c, &d)))
				return c->ndesc == 0 ? -EAGAIN : -EINVAL;
			c->more = (d.flags & VRING_DESC_F_NEXT) != 0;
			if (unlikely(d.flags & VRING_DESC_F_INDIRECT)) {
				if (!vhostu_pchain_indirect(vr, c, &d))
					return -EINVAL;
				continue;
			}
		} else {
			vhostu_pdesc_read_table(c->table, c->tidx++, &d);
			c->more = c->tidx < c->tsize;
			if (unlikely(d.flags & VRING_DESC_F_INDIRECT))
				return -EINVAL;	/* nested */
		}
		if (unlikely((d.flags & write_flag) != write_flag))
			return -EINVAL;
		if (unlikely(d.len == 0))
			continue;
		b->va = vhostu_gpa_to_va(&vr->port->mem, d.addr, d.len);
		if (unlikely(b->va == NULL))
			return -EINVAL;
		b->gpa = d.addr;
		b->len = d.len;
		return 1;
	}
	return 0;
}

/*
 * Walk to the end of a direct chain we stopped reading (bad, or the frame
 * ended first): its length and its id are in its last descriptor. False if
 * it has no end: longer than the ring, or running into descriptors that are
 * not available.
 */
static __rte_always_inline bool
vhostu_pchain_skip(const struct vhostu_vring *vr, struct vhostu_pchain *c)
{
	struct vhostu_pdesc d;

	if (c->table != NULL)
		return true;	/* an indirect chain takes one ring descriptor */
	while (c->more) {
		if (unlikely(c->left == 0))
			return false;
		c->left--;
		c->reads++;
		if (unlikely(!vhostu_pchain_ring_read(vr, c, &d)))
			return false;
		c->more = (d.flags & VRING_DESC_F_NEXT) != 0;
	}
	return true;
}

#endif /* VHOSTU_PCHAIN_H */
