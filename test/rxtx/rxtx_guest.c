/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fake guest driver of the datapath tests (see rxtx_guest.h).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rxtx_guest.h"

static int fg_fd = -1;
static uint8_t *fg_base;
static uint64_t fg_next;	/* bump allocator, offset in the region */

int
fg_mem_init(void)
{
	fg_fd = memfd_create("fake-guest", 0);
	if (fg_fd < 0 || ftruncate(fg_fd, FG_MEM_SIZE) != 0)
		return -1;
	fg_base = mmap(NULL, FG_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fg_fd, 0);
	if (fg_base == MAP_FAILED)
		return -1;
	return 0;
}

void
fg_mem_fini(void)
{
	munmap(fg_base, FG_MEM_SIZE);
	close(fg_fd);
}

void
fg_mem_reset(void)
{
	/* Only what was handed out is dirty. */
	memset(fg_base, 0, fg_next);
	fg_next = 0;
}

uint64_t
fg_alloc(size_t len, size_t align)
{
	uint64_t off = (fg_next + align - 1) & ~(uint64_t)(align - 1);

	if (off + len > FG_MEM_SIZE)
		abort();
	fg_next = off + len;
	return FG_GPA_BASE + off;
}

void *
fg_va(uint64_t gpa)
{
	return fg_base + (gpa - FG_GPA_BASE);
}

void
fg_mem_fill_region(struct vhostu_mem *m)
{
	memset(m, 0, sizeof(*m));
	m->nregions = 1;
	m->regions[0].guest_phys_addr = FG_GPA_BASE;
	m->regions[0].size = FG_MEM_SIZE;
	m->regions[0].user_addr = (uint64_t)(uintptr_t)fg_base;
	m->regions[0].host_addr = (uint64_t)(uintptr_t)fg_base;
	m->regions[0].map_base = fg_base;
	m->regions[0].map_len = FG_MEM_SIZE;
	m->regions[0].fd = fg_fd;
}

void
fg_ring_init(struct fg_ring *r, struct vhostu_vring *vr, uint16_t size, uint16_t start)
{
	memset(r, 0, sizeof(*r));
	r->vr = vr;
	r->size = size;
	r->desc_gpa = fg_alloc(16u * size, 4096);
	r->avail_gpa = fg_alloc(6u + 2u * size, 2);
	r->used_gpa = fg_alloc(6u + 8u * size, 4096);
	r->desc = fg_va(r->desc_gpa);
	r->avail = fg_va(r->avail_gpa);
	r->used = fg_va(r->used_gpa);
	r->avail->idx = start;
	r->used->idx = start;
	r->avail_idx = start;
	r->used_seen = start;
	r->chains = calloc(size, sizeof(*r->chains));

	vr->desc = r->desc;
	vr->avail = r->avail;
	vr->used = r->used;
	vr->size = size;
	vr->last_avail_idx = start;
	vr->last_used_idx = start;
	vr->log_guest_addr = r->used_gpa;
	vr->ready = true;
}

void
fg_ring_fini(struct fg_ring *r)
{
	free(r->chains);
	r->chains = NULL;
	free(r->ndesc);
	r->ndesc = NULL;
}

void
fg_ring_init_packed(struct fg_ring *r, struct vhostu_vring *vr, uint16_t size, uint16_t start,
		bool wrap)
{
	memset(r, 0, sizeof(*r));
	r->vr = vr;
	r->size = size;
	r->packed = true;
	r->desc_gpa = fg_alloc(16u * size, 16);
	r->avail_gpa = fg_alloc(4, 4);	/* driver event suppression */
	r->used_gpa = fg_alloc(4, 4);	/* device event suppression */
	r->desc = fg_va(r->desc_gpa);
	r->drv_event = fg_va(r->avail_gpa);
	r->dev_event = fg_va(r->used_gpa);
	r->avail_pos = start;
	r->avail_wrap = wrap;
	r->used_pos = start;
	r->used_wrap = wrap;
	r->nfree = size;
	r->chains = calloc(size, sizeof(*r->chains));
	r->ndesc = calloc(size, sizeof(*r->ndesc));

	vr->desc = r->desc;
	vr->avail = (struct vhostu_avail *)(void *)r->drv_event;
	vr->used = (struct vhostu_used *)(void *)r->dev_event;
	vr->size = size;
	vr->packed = true;
	vr->last_avail_idx = start;
	vr->avail_wrap = wrap;
	vr->last_used_idx = start;
	vr->used_wrap = wrap;
	vr->log_desc_gpa = r->desc_gpa;
	vr->log_event_gpa = r->used_gpa;
	vr->log_guest_addr = r->used_gpa;
	vr->ready = true;
}

void
fg_pdesc(struct fg_ring *r, uint16_t i, uint64_t addr, uint32_t len, uint16_t id,
		uint16_t flags, bool wrap)
{
	struct vhostu_pdesc *d = (struct vhostu_pdesc *)(void *)r->desc + i;

	d->addr = addr;
	d->len = len;
	d->id = id;
	__atomic_store_n((uint16_t *)((uint8_t *)d + 14),
			(uint16_t)(flags | vhostu_packed_avail_flags(wrap)), __ATOMIC_RELEASE);
}

static bool
fg_pused_at(const struct fg_ring *r, uint16_t pos, bool wrap, uint16_t *id, uint32_t *len)
{
	const struct vhostu_pdesc *d = (const struct vhostu_pdesc *)(const void *)r->desc + pos;
	uint16_t f = __atomic_load_n((const uint16_t *)((const uint8_t *)d + 14),
			__ATOMIC_ACQUIRE);
	bool avail = (f & VRING_PACKED_DESC_F_AVAIL) != 0;
	bool used = (f & VRING_PACKED_DESC_F_USED) != 0;

	if (avail != wrap || used != wrap)
		return false;
	*id = d->id;
	*len = d->len;
	return true;
}

unsigned int
fg_used_count(const struct fg_ring *r)
{
	uint16_t pos = r->used_pos, id, n = 0;
	bool wrap = r->used_wrap;
	uint32_t len;

	while (n < r->size && fg_pused_at(r, pos, wrap, &id, &len) && id < r->size &&
			r->ndesc[id] != 0) {
		n++;
		vhostu_packed_step(r->size, &pos, &wrap, r->ndesc[id]);
	}
	return n;
}

static bool
fg_pused_pop(struct fg_ring *r, uint32_t *id, uint32_t *len)
{
	uint16_t i;

	if (!fg_pused_at(r, r->used_pos, r->used_wrap, &i, len))
		return false;
	*id = i;
	if (i >= r->size || r->ndesc[i] == 0)
		abort();	/* the device returned an id nobody posted */
	r->nfree += r->ndesc[i];
	vhostu_packed_step(r->size, &r->used_pos, &r->used_wrap, r->ndesc[i]);
	r->ndesc[i] = 0;
	return true;
}

/*
 * Packed, IN_ORDER: the used descriptor at used_pos names the last chain the
 * device returned with it; the driver takes back its own chains from used_pos
 * up to that one (a chain's id is its head's position here).
 */
unsigned int
fg_used_pop_in_order(struct fg_ring *r, uint32_t *id)
{
	uint16_t last, head;
	unsigned int n = 0;
	uint32_t len;

	if (!fg_pused_at(r, r->used_pos, r->used_wrap, &last, &len))
		return 0;
	if (last >= r->size || r->ndesc[last] == 0)
		abort();	/* the device named a chain nobody posted */
	do {
		head = r->used_pos;
		if (r->ndesc[head] == 0)
			abort();	/* past what was posted without meeting it */
		r->nfree += r->ndesc[head];
		vhostu_packed_step(r->size, &r->used_pos, &r->used_wrap, r->ndesc[head]);
		r->ndesc[head] = 0;
		n++;
	} while (head != last);
	*id = last;
	return n;
}

/* Packed: the chain's descriptors from avail_pos, the first one made available last. */
static uint16_t
fg_pchain_write(struct fg_ring *r, const struct fg_chain *c, uint16_t flags, bool indirect)
{
	uint16_t head = r->avail_pos, n = indirect ? 1 : c->nseg, i, pos = head;
	bool hwrap = r->avail_wrap, wrap = hwrap;
	struct vhostu_pdesc *t;
	uint64_t tgpa;

	if (n > r->nfree)
		abort();	/* the test posts more than the ring holds */
	if (indirect) {
		tgpa = fg_alloc(16u * c->nseg, 16);
		t = fg_va(tgpa);
		for (i = 0; i < c->nseg; i++) {
			t[i].addr = c->gpa[i];
			t[i].len = c->len[i];
			t[i].id = 0;
			t[i].flags = flags;
		}
		fg_pdesc(r, head, tgpa, 16u * c->nseg, head, VRING_DESC_F_INDIRECT, hwrap);
		vhostu_packed_step(r->size, &r->avail_pos, &r->avail_wrap, 1);
	} else {
		for (i = 0; i < n; i++) {
			vhostu_packed_step(r->size, &pos, &wrap, i == 0 ? 0 : 1);
			if (i != 0)
				fg_pdesc(r, pos, c->gpa[i], c->len[i], head,
					flags | (i + 1 < n ? VRING_DESC_F_NEXT : 0), wrap);
		}
		fg_pdesc(r, head, c->gpa[0], c->len[0], head,
			flags | (n > 1 ? VRING_DESC_F_NEXT : 0), hwrap);
		vhostu_packed_step(r->size, &r->avail_pos, &r->avail_wrap, n);
	}
	r->nfree -= n;
	r->ndesc[head] = n;
	r->chains[head] = *c;
	return head;
}

void
fg_desc(struct fg_ring *r, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
		uint16_t next)
{
	r->desc[i].addr = addr;
	r->desc[i].len = len;
	r->desc[i].flags = flags;
	r->desc[i].next = next;
}

void
fg_avail_add(struct fg_ring *r, uint16_t head)
{
	uint16_t *ring = (uint16_t *)((uint8_t *)r->avail + 4);

	ring[r->avail_idx & (r->size - 1)] = head;
	r->avail_idx++;
}

void
fg_kick(struct fg_ring *r)
{
	if (r->packed)
		return;	/* chains were made available as they were posted */
	__atomic_store_n((uint16_t *)((uint8_t *)r->avail + 2), r->avail_idx, __ATOMIC_RELEASE);
}

uint16_t
fg_used_idx(const struct fg_ring *r)
{
	return __atomic_load_n((uint16_t *)((uint8_t *)r->used + 2), __ATOMIC_ACQUIRE);
}

uint16_t
fg_used_flags(const struct fg_ring *r)
{
	return *(volatile uint16_t *)r->used;
}

void
fg_avail_set_flags(struct fg_ring *r, uint16_t flags)
{
	*(volatile uint16_t *)r->avail = flags;
}

bool
fg_used_pop(struct fg_ring *r, uint32_t *id, uint32_t *len)
{
	struct vhostu_used_elem *e;

	if (r->packed)
		return fg_pused_pop(r, id, len);
	if (r->used_seen == fg_used_idx(r))
		return false;
	e = (struct vhostu_used_elem *)((uint8_t *)r->used + 4 +
			8u * (r->used_seen & (r->size - 1)));
	*id = e->id;
	*len = e->len;
	r->used_seen++;
	return true;
}

/* Descriptors of a chain: direct ones from the ring, cyclically, or an indirect table. */
static uint16_t
fg_chain_write(struct fg_ring *r, const struct fg_chain *c, uint16_t flags, bool indirect)
{
	uint16_t head = r->next_desc & (r->size - 1), i, idx, nxt;
	struct vhostu_desc *t;
	uint64_t tgpa;

	if (r->packed)
		return fg_pchain_write(r, c, flags, indirect);
	if (indirect) {
		tgpa = fg_alloc(16u * c->nseg, 16);
		t = fg_va(tgpa);
		for (i = 0; i < c->nseg; i++) {
			t[i].addr = c->gpa[i];
			t[i].len = c->len[i];
			t[i].flags = flags | (i + 1 < c->nseg ? VRING_DESC_F_NEXT : 0);
			t[i].next = i + 1;
		}
		fg_desc(r, head, tgpa, 16u * c->nseg, VRING_DESC_F_INDIRECT, 0);
		r->next_desc++;
	} else {
		for (i = 0; i < c->nseg; i++) {
			idx = r->next_desc++ & (r->size - 1);
			nxt = r->next_desc & (r->size - 1);
			fg_desc(r, idx, c->gpa[i], c->len[i],
					flags | (i + 1 < c->nseg ? VRING_DESC_F_NEXT : 0), nxt);
		}
	}
	r->chains[head] = *c;
	fg_avail_add(r, head);
	return head;
}

uint16_t
fg_tx_post(struct fg_ring *r, const void *hdr, uint32_t hdr_len, const void *frame,
		uint32_t len, const uint32_t *seg_lens, uint16_t nseg, bool indirect)
{
	uint32_t total = hdr_len + len, off = 0, k, i;
	uint8_t *all = malloc(total + 1);
	struct fg_chain c = { .nseg = 0 };

	memcpy(all, hdr, hdr_len);
	memcpy(all + hdr_len, frame, len);
	for (i = 0; i < nseg; i++) {
		k = i + 1 == nseg ? total - off : RTE_MIN(seg_lens[i], total - off);
		/* A gap after each buffer: nothing may assume they are contiguous. */
		c.gpa[c.nseg] = fg_alloc(k + 64, 8);
		c.len[c.nseg] = k;
		memcpy(fg_va(c.gpa[c.nseg]), all + off, k);
		c.nseg++;
		off += k;
	}
	free(all);
	return fg_chain_write(r, &c, 0, indirect);
}

uint16_t
fg_rx_post(struct fg_ring *r, const uint32_t *seg_lens, uint16_t nseg, bool indirect)
{
	struct fg_chain c = { .nseg = nseg };
	uint16_t i;

	for (i = 0; i < nseg; i++) {
		c.gpa[i] = fg_alloc(seg_lens[i] + 64, 8);
		c.len[i] = seg_lens[i];
		/* Poison, so bytes the device did not write never pass for data. */
		memset(fg_va(c.gpa[i]), 0xa5, seg_lens[i]);
	}
	return fg_chain_write(r, &c, VRING_DESC_F_WRITE, indirect);
}

/* Append the first len bytes the device wrote into chain id to buf. */
static int
fg_gather(struct fg_ring *r, uint32_t id, uint32_t len, uint8_t *buf, size_t *have, size_t max)
{
	const struct fg_chain *c;
	uint32_t i, k;

	if (id >= r->size)
		return -1;
	c = &r->chains[id];
	for (i = 0; i < c->nseg && len != 0; i++) {
		k = RTE_MIN(len, c->len[i]);
		if (*have + k > max)
			return -1;
		memcpy(buf + *have, fg_va(c->gpa[i]), k);
		*have += k;
		len -= k;
	}
	return len == 0 ? 0 : -1;
}

int
fg_rx_read(struct fg_ring *r, uint32_t hdr_len, bool mrg, void *hdr, void *out, size_t max)
{
	size_t have = 0, cap = max + hdr_len;
	uint8_t *buf = malloc(cap);
	uint32_t id, len, nbufs = 1, i;
	int ret = -1;

	if (!fg_used_pop(r, &id, &len) || fg_gather(r, id, len, buf, &have, cap) != 0 ||
			have < hdr_len)
		goto out;
	if (mrg)
		nbufs = buf[10] | (buf[11] << 8);
	for (i = 1; i < nbufs; i++)
		if (!fg_used_pop(r, &id, &len) || fg_gather(r, id, len, buf, &have, cap) != 0)
			goto out;
	memcpy(hdr, buf, hdr_len);
	memcpy(out, buf + hdr_len, have - hdr_len);
	ret = (int)(have - hdr_len);
out:
	free(buf);
	return ret;
}

void
fg_pattern(uint8_t *buf, uint32_t len, uint32_t seed)
{
	uint32_t i, x = seed * 2654435761u + 1;

	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
}
