/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A fake virtio-net guest driver for the datapath tests: it owns a memfd
 * "guest memory" region, lays out split rings in it, posts buffers the way a
 * driver does and reads back what the device put in the used ring.
 */
#ifndef RXTX_GUEST_H
#define RXTX_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vhostu_internal.h"
#include "vhostu_packed.h"

#define FG_GPA_BASE	0x100000ull
#define FG_MEM_SIZE	(64u << 20)
#define FG_MAX_SEGS	64

/* The buffers of one chain, as the guest posted them. */
struct fg_chain {
	uint16_t nseg;
	uint64_t gpa[FG_MAX_SEGS];
	uint32_t len[FG_MAX_SEGS];
};

struct fg_ring {
	struct vhostu_vring *vr;
	uint16_t size;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	struct vhostu_desc *desc;
	struct vhostu_avail *avail;
	struct vhostu_used *used;
	uint16_t avail_idx;	/* the guest's shadow, published by fg_kick */
	uint16_t used_seen;	/* used entries the guest has consumed */
	uint16_t next_desc;	/* descriptors are handed out cyclically */
	struct fg_chain *chains;	/* by head (packed: by buffer id, the head's position) */

	/* Packed rings (fg_ring_init_packed): desc is the descriptor ring. */
	bool packed;
	uint16_t avail_pos;	/* where the next chain goes */
	bool avail_wrap;	/* the driver's wrap counter there */
	uint16_t used_pos;	/* where the next used descriptor comes */
	bool used_wrap;
	uint16_t nfree;		/* descriptors the driver may still make available */
	uint16_t *ndesc;	/* ring descriptors of the chain, by buffer id */
	struct vhostu_pevent *drv_event, *dev_event;
};

/* Memory. */
int fg_mem_init(void);
void fg_mem_fini(void);
void fg_mem_reset(void);
uint64_t fg_alloc(size_t len, size_t align);
void *fg_va(uint64_t gpa);
void fg_mem_fill_region(struct vhostu_mem *m);

/* Rings. */
void fg_ring_init(struct fg_ring *r, struct vhostu_vring *vr, uint16_t size, uint16_t start);
void fg_ring_fini(struct fg_ring *r);
/*
 * A packed ring (vhostu_packed.h) of size descriptors (any size up to 32768),
 * both sides starting at position start under wrap counter wrap. Chains are
 * made available when posted (fg_kick does nothing); their buffer id is the
 * position of their first descriptor.
 */
void fg_ring_init_packed(struct fg_ring *r, struct vhostu_vring *vr, uint16_t size,
		uint16_t start, bool wrap);
/* Packed: write ring descriptor i as the driver makes it available under wrap. */
void fg_pdesc(struct fg_ring *r, uint16_t i, uint64_t addr, uint32_t len, uint16_t id,
		uint16_t flags, bool wrap);
/* Packed: the used descriptors waiting at used_pos, without consuming them. */
unsigned int fg_used_count(const struct fg_ring *r);
/*
 * Packed, IN_ORDER: take back the chains the used descriptor at used_pos
 * returns (up to the one it names, *id). Returns how many (0: none used there).
 */
unsigned int fg_used_pop_in_order(struct fg_ring *r, uint32_t *id);
void fg_desc(struct fg_ring *r, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
		uint16_t next);
void fg_avail_add(struct fg_ring *r, uint16_t head);
void fg_kick(struct fg_ring *r);
bool fg_used_pop(struct fg_ring *r, uint32_t *id, uint32_t *len);
uint16_t fg_used_idx(const struct fg_ring *r);
uint16_t fg_used_flags(const struct fg_ring *r);
void fg_avail_set_flags(struct fg_ring *r, uint16_t flags);

/*
 * Guest TX: post hdr+frame split into buffers of seg_lens (nseg entries, the
 * last one takes whatever remains), direct or through an indirect table.
 * Returns the head.
 */
uint16_t fg_tx_post(struct fg_ring *r, const void *hdr, uint32_t hdr_len, const void *frame,
		uint32_t len, const uint32_t *seg_lens, uint16_t nseg, bool indirect);

/* Guest RX: post one chain of nseg writable buffers of seg_lens. Returns the head. */
uint16_t fg_rx_post(struct fg_ring *r, const uint32_t *seg_lens, uint16_t nseg, bool indirect);

/*
 * Guest RX: read one received frame from the used ring (following
 * num_buffers when mrg). The header goes to hdr (hdr_len bytes), the frame to
 * out. Returns the frame length, or -1 if the used ring is empty or broken.
 */
int fg_rx_read(struct fg_ring *r, uint32_t hdr_len, bool mrg, void *hdr, void *out, size_t max);

/* Deterministic frame contents. */
void fg_pattern(uint8_t *buf, uint32_t len, uint32_t seed);

#endif /* RXTX_GUEST_H */
