/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The used descriptors of a packed burst, for vhostu_rxtx_packed.c: collected
 * in a shadow and written out at the end of the burst or when the shadow
 * fills, the first one's flags last and with release (see the comment at the
 * top of vhostu_rxtx_packed.c), after the burst's deferred copies.
 */
#ifndef VHOSTU_PSHADOW_H
#define VHOSTU_PSHADOW_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

#include "vhostu_internal.h"
#include "vhostu_packed.h"
#include "vhostu_pchain.h"
#include "vhostu_rxtx.h"

/* Used descriptors a burst collects before it must write them out. */
#define VHOSTU_PACKED_SHADOW	256

/* One used descriptor to write. */
struct vhostu_pused {
	uint16_t pos;		/* ring position */
	uint16_t id;
	uint32_t len;
	uint16_t flags;		/* AVAIL and USED as our wrap counter at pos, WRITE if len */
	uint16_t ndesc;		/* ring positions the chain took */
};

struct vhostu_pshadow {
	uint32_t n;
	uint32_t written;	/* entries written out earlier in this burst */
	uint16_t uidx;		/* where the next used descriptor goes */
	bool uwrap;
	bool one;		/* IN_ORDER guest TX ring: one used descriptor returns them all */
	struct vhostu_copies *q;	/* deferred copies, done before any entry is written */
	struct vhostu_pused e[VHOSTU_PACKED_SHADOW];
};

static __rte_always_inline void
vhostu_pshadow_init(struct vhostu_pshadow *sh, const struct vhostu_vring *vr,
		struct vhostu_copies *q, bool one)
{
	sh->q = q;
	sh->one = one;
	sh->n = 0;
	sh->written = 0;
	sh->uidx = vr->last_used_idx;
	sh->uwrap = vr->used_wrap;
}

/* Return chain id of ndesc ring descriptors: one used descriptor at our used position. */
static __rte_always_inline void
vhostu_pshadow_put(struct vhostu_pshadow *sh, uint32_t size, uint16_t id, uint16_t ndesc,
		uint32_t len, uint16_t write_flag)
{
	struct vhostu_pused *e = &sh->e[sh->n++];

	e->pos = sh->uidx;
	e->id = id;
	e->len = len;
	e->flags = vhostu_packed_used_flags(sh->uwrap) | (len != 0 ? write_flag : 0);
	e->ndesc = ndesc;
	vhostu_packed_step(size, &sh->uidx, &sh->uwrap, ndesc);
}

/* Return the chain c walked. */
static __rte_always_inline void
vhostu_pshadow_add(struct vhostu_pshadow *sh, const struct vhostu_vring *vr,
		const struct vhostu_pchain *c, uint32_t len, uint16_t write_flag)
{
	vhostu_pshadow_put(sh, vr->size, c->id, c->ndesc, len, write_flag);
}

/* The positions n used descriptors take. */
static __rte_always_inline uint32_t
vhostu_pused_positions(const struct vhostu_pused *e, uint32_t n)
{
	uint32_t i, npos = 0;

	for (i = 0; i < n; i++)
		npos += e[i].ndesc;
	return npos;
}

/* Used descriptor e at position pos; its flags with release when release is set. */
static __rte_always_inline void
vhostu_pused_store(struct vhostu_pdesc *ring, uint16_t pos, const struct vhostu_pused *e,
		bool release)
{
	ring[pos].id = e->id;
	ring[pos].len = e->len;
	if (release)
		__atomic_store_n((uint16_t *)RTE_PTR_ADD(ring, (size_t)pos * 16 +
				offsetof(struct vhostu_pdesc, flags)), e->flags, __ATOMIC_RELEASE);
	else
		ring[pos].flags = e->flags;
}

/*
 * Write n used descriptors: the first one's flags last, with release, so the
 * driver (which polls it) sees all of them and what we wrote into the buffers.
 * With sh->one (IN_ORDER, guest TX ring: lengths mean nothing there) only the
 * first is written, naming the last chain: the driver walks its own chains
 * from its used position up to that id (virtio 1.2 2.8.20), as rte_vhost
 * returns them. Returns the ring positions they take.
 */
static uint32_t
vhostu_packed_write_used(struct vhostu_vring *vr, const struct vhostu_pshadow *sh,
		const struct vhostu_pused *e, uint32_t n)
{
	struct vhostu_pdesc *ring = vhostu_pdesc_ring(vr);
	struct vhostu_pused one;
	uint32_t i;

	if (n == 0)
		return 0;
	if (sh->one && n > 1) {
		one = e[0];
		one.id = e[n - 1].id;
		vhostu_pused_store(ring, e[0].pos, &one, true);
		if (unlikely(vr->log_used))
			vhostu_log_write(vr->port, vr->log_desc_gpa +
				(uint64_t)e[0].pos * sizeof(struct vhostu_pdesc),
				sizeof(struct vhostu_pdesc));
		return vhostu_pused_positions(e, n);
	}
	for (i = 1; i < n; i++)
		vhostu_pused_store(ring, e[i].pos, &e[i], false);
	vhostu_pused_store(ring, e[0].pos, &e[0], true);
	if (unlikely(vr->log_used))
		for (i = 0; i < n; i++)
			vhostu_log_write(vr->port, vr->log_desc_gpa +
				(uint64_t)e[i].pos * sizeof(struct vhostu_pdesc),
				sizeof(struct vhostu_pdesc));
	return vhostu_pused_positions(e, n);
}

/*
 * What the guest can now see, for an EVENT_IDX decision on another lcore
 * (vr->used_pub): our next used position and the positions used so far.
 */
static __rte_always_inline void
vhostu_packed_publish(struct vhostu_vring *vr, uint32_t npos)
{
	uint32_t count = (uint32_t)(__atomic_load_n(&vr->used_pub, __ATOMIC_RELAXED) >> 32);

	__atomic_store_n(&vr->used_pub, (uint64_t)(count + npos) << 32 |
		vhostu_packed_base(vr->last_used_idx, vr->used_wrap), __ATOMIC_RELEASE);
}

/* Write out the first n entries of the shadow and keep the rest for later. */
static void
vhostu_pshadow_flush(struct vhostu_vring *vr, struct vhostu_pshadow *sh, uint32_t n)
{
	uint32_t npos;

	if (sh->q != NULL)
		vhostu_copies_flush(sh->q);	/* the buffers are the guest's once used */
	npos = vhostu_packed_write_used(vr, sh, sh->e, n);
	if (n < sh->n) {
		vr->last_used_idx = sh->e[n].pos;
		vr->used_wrap = (sh->e[n].flags & VRING_PACKED_DESC_F_USED) != 0;
		memmove(sh->e, &sh->e[n], (sh->n - n) * sizeof(sh->e[0]));
	} else {
		vr->last_used_idx = sh->uidx;
		vr->used_wrap = sh->uwrap;
	}
	if (npos != 0)
		vhostu_packed_publish(vr, npos);
	sh->n -= n;
	sh->written += n;
}

/* Used descriptors the burst returned, for the notification check. */
static __rte_always_inline uint16_t
vhostu_pshadow_count(const struct vhostu_pshadow *sh)
{
	return (uint16_t)RTE_MIN(sh->written + sh->n, (uint32_t)UINT16_MAX);
}

#endif /* VHOSTU_PSHADOW_H */
