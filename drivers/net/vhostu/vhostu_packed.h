/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packed virtqueues (VIRTIO_F_RING_PACKED, virtio 1.1 section 2.7): the ring
 * layout and the accessors the packed bursts (vhostu_rxtx_packed.c), the
 * notification code and the control thread share.
 *
 * A packed ring is one descriptor ring that both sides write, and two event
 * suppression areas. A descriptor is available when its AVAIL flag equals
 * the driver's wrap counter and its USED flag does not; the device returns a
 * chain by writing one used descriptor (id of the chain, len written, AVAIL
 * and USED both equal to its own wrap counter) at its used position, and
 * moves that position by the chain's length in descriptors. A wrap counter
 * starts at 1 and flips each time its position passes the end of the ring,
 * whose size need not be a power of two.
 *
 * In struct vhostu_vring, for a packed ring: desc is the descriptor ring,
 * avail the driver event suppression area (the driver says when it wants
 * calls; we only read it), used the device event suppression area (we say
 * whether we want kicks; we only write it). last_avail_idx/avail_wrap are
 * where the next available chain starts, last_used_idx/used_wrap where the
 * next used descriptor goes.
 */
#ifndef VHOSTU_PACKED_H
#define VHOSTU_PACKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

#include "vhostu_internal.h"

#define VRING_PACKED_DESC_F_AVAIL	(1u << 7)
#define VRING_PACKED_DESC_F_USED	(1u << 15)

/* Event suppression flags (struct vhostu_pevent.flags). */
#define VRING_PACKED_EVENT_ENABLE	0x0
#define VRING_PACKED_EVENT_DISABLE	0x1
#define VRING_PACKED_EVENT_DESC		0x2	/* only with EVENT_IDX */

/* SET/GET_VRING_BASE of a packed ring: index in bits 0-14, wrap counter in bit 15. */
#define VHOSTU_PACKED_IDX_MASK		0x7fffu
#define VHOSTU_PACKED_WRAP_SHIFT	15

/* A position and its wrap counter as SET/GET_VRING_BASE carry them. */
static inline uint16_t
vhostu_packed_base(uint16_t idx, bool wrap)
{
	return (uint16_t)(idx | (uint16_t)wrap << VHOSTU_PACKED_WRAP_SHIFT);
}

struct vhostu_pdesc {
	uint64_t addr;
	uint32_t len;
	uint16_t id;
	uint16_t flags;
} __attribute__((packed));

struct vhostu_pevent {
	uint16_t off_wrap;	/* DESC: offset in bits 0-14, wrap counter in bit 15 */
	uint16_t flags;
} __attribute__((packed));

_Static_assert(sizeof(struct vhostu_pdesc) == 16, "packed descriptor is 16 bytes");
_Static_assert(sizeof(struct vhostu_pevent) == 4, "event suppression is 4 bytes");

static __rte_always_inline struct vhostu_pdesc *
vhostu_pdesc_ring(const struct vhostu_vring *vr)
{
	return (struct vhostu_pdesc *)(void *)vr->desc;
}

/* The flags the driver gives an available descriptor under wrap counter wrap. */
static __rte_always_inline uint16_t
vhostu_packed_avail_flags(bool wrap)
{
	return wrap ? VRING_PACKED_DESC_F_AVAIL : VRING_PACKED_DESC_F_USED;
}

/* The flags we give a used descriptor under wrap counter wrap. */
static __rte_always_inline uint16_t
vhostu_packed_used_flags(bool wrap)
{
	return wrap ? (VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED) : 0;
}

/* Available for us under the driver's wrap counter wrap (AVAIL == wrap, USED != wrap). */
static __rte_always_inline bool
vhostu_packed_flags_avail(uint16_t flags, bool wrap)
{
	return (flags & (VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED)) ==
		vhostu_packed_avail_flags(wrap);
}

/*
 * The flags of descriptor i, read with acquire: the rest of the descriptor
 * (and of its chain) was written before them and is read after.
 */
static __rte_always_inline uint16_t
vhostu_pdesc_flags(const struct vhostu_vring *vr, uint32_t i)
{
	return __atomic_load_n((uint16_t *)RTE_PTR_ADD(vr->desc, (size_t)i * 16 +
			offsetof(struct vhostu_pdesc, flags)), __ATOMIC_ACQUIRE);
}

/* Whether the chain at last_avail_idx is available: what an empty poll costs. */
static __rte_always_inline bool
vhostu_packed_has_avail(const struct vhostu_vring *vr)
{
	return vhostu_packed_flags_avail(vhostu_pdesc_flags(vr, vr->last_avail_idx),
			vr->avail_wrap);
}

/* Step a ring position, flipping its wrap counter when it passes the end. */
static __rte_always_inline void
vhostu_packed_step(uint32_t size, uint16_t *idx, bool *wrap, uint32_t n)
{
	uint32_t i = (uint32_t)*idx + n;

	if (i >= size) {
		i -= size;
		*wrap = !*wrap;
	}
	*idx = (uint16_t)i;
}

static __rte_always_inline volatile struct vhostu_pevent *
vhostu_packed_driver_event(const struct vhostu_vring *vr)
{
	return (volatile struct vhostu_pevent *)(void *)vr->avail;
}

static __rte_always_inline volatile struct vhostu_pevent *
vhostu_packed_device_event(const struct vhostu_vring *vr)
{
	return (volatile struct vhostu_pevent *)(void *)vr->used;
}

/*
 * Without EVENT_IDX: whether the driver asked for no calls. DISABLE never
 * signals, ENABLE always does; DESC is only valid with EVENT_IDX and is read
 * as ENABLE (a call too many is harmless, one too few is a stalled guest).
 * The caller has a full fence between publishing the used descriptors and
 * this read.
 */
static __rte_always_inline bool
vhostu_packed_no_call(const struct vhostu_vring *vr)
{
	return vhostu_packed_driver_event(vr)->flags == VRING_PACKED_EVENT_DISABLE;
}

/* A position and its wrap counter as one number modulo 2 x size: wrap 1 is the first lap. */
static __rte_always_inline uint32_t
vhostu_packed_lap_pos(uint16_t off_wrap, uint32_t size)
{
	return (off_wrap & VHOSTU_PACKED_IDX_MASK) + (off_wrap >> VHOSTU_PACKED_WRAP_SHIFT ?
		0 : size);
}

/*
 * EVENT_IDX, the driver area in DESC mode (virtio 1.2 2.8.10, 2.8.21.3): the
 * driver wants a call once we have written the used descriptor at offset
 * event & 0x7fff under wrap counter event >> 15. n ring positions were used
 * since the last decision, ending at new_pos (the next used position, in the
 * same form): signal if event is among them. A driver sets its event at
 * most a ring ahead of what it consumed, and we are at most a ring ahead of
 * that, so the event lies within a ring of new_pos on either side and its
 * wrap counter tells which: d below, how far the event is behind new_pos
 * modulo 2 x size, is 1..size when we passed it, and then it is in the
 * batch if d <= n (DPDK's vhost_vring_call_packed, with a batch that may span
 * several laps). An offset outside the ring signals: a call too many costs
 * a broken driver nothing.
 */
static inline bool
vhostu_packed_need_event(uint16_t event, uint16_t new_pos, uint32_t n, uint32_t size)
{
	uint32_t e, p, d;

	if ((event & VHOSTU_PACKED_IDX_MASK) >= size)
		return true;
	e = vhostu_packed_lap_pos(event, size);
	p = vhostu_packed_lap_pos(new_pos, size);
	d = p >= e ? p - e : p + 2 * size - e;
	return d != 0 && d <= size && d <= n;
}

struct rte_mbuf;

/*
 * Whether the packed bursts take four single-descriptor chains at once where
 * the ring offers them (vhostu_rxtx_packed.c); true. Tests clear it to
 * compare the batches with the one-chain walk.
 */
extern bool vhostu_packed_batch;

/*
 * vhostu_rxtx_packed.c: the bursts over packed rings, same contract as the
 * split ones, except that vhostu_rx_burst/vhostu_tx_burst call them inside
 * the ring's guard (they leave it).
 */
uint16_t vhostu_rx_burst_packed(struct vhostu_vring *vr, struct rte_mbuf **pkts, uint16_t n);
uint16_t vhostu_tx_burst_packed(struct vhostu_vring *vr, struct rte_mbuf **pkts, uint16_t n);
bool vhostu_rx_want_kicks_packed(struct vhostu_vring *vr, bool on);

#endif /* VHOSTU_PACKED_H */
