/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the bursts over split rings (vhostu_rxtx.c) and packed rings
 * (vhostu_rxtx_packed.c) share, all inline: the work bounds, a translated
 * guest buffer, copying a guest TX chain into mbufs buffer by buffer, writing
 * the virtio-net header and an mbuf frame into guest RX buffers (num_buffers
 * with MRG_RXBUF), RARP, and the per-frame counters. Only the walk over
 * descriptors and the used entries differ between the two ring layouts.
 *
 * Offloads: a guest frame's virtio-net header is copied to a stack copy as
 * the chain is walked (each byte read once) and turned into mbuf flags by
 * vhostu_offload_from_guest (vhostu_rx_copy_end); an mbuf's flags become the
 * header of a frame to the guest through vhostu_offload_to_guest
 * (vhostu_tx_offload). Both ring layouts go through these two.
 */
#ifndef VHOSTU_RXTX_H
#define VHOSTU_RXTX_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>

#include "vhostu_internal.h"

/*
 * Descriptor reads one burst may start chains with: every descriptor of the
 * ring once, and as many indirect table entries (an honest guest's chains are
 * disjoint, so it needs more only with long indirect tables on a tiny ring,
 * and then gets fewer frames per burst, none dropped). A burst reads at most
 * this plus one chain (1 + ring size).
 */
#define VHOSTU_BURST_BUDGET(size)	(2u * (size))

/*
 * Largest frame rx_burst accepts from a guest: the largest TSO frame, an IP
 * datagram of 64 KiB behind an Ethernet and a VLAN header.
 */
#define VHOSTU_RX_MAX_FRAME	VHOSTU_TSO_MAX_FRAME

/* A walk over one descriptor chain, direct or through an indirect table. */
struct vhostu_chain {
	const struct vhostu_desc *table;
	uint32_t tsize;		/* entries in table */
	uint32_t idx;		/* next entry to read */
	uint32_t left;		/* entries we may still read: bounds loops */
	bool more;		/* the previous entry had NEXT */
	bool first;		/* only the head may be indirect */
	uint32_t reads;		/* descriptors read in this burst, all chains: the budget */
};

/* One guest buffer, translated. */
struct vhostu_buf {
	uint8_t *va;
	uint64_t gpa;
	uint32_t len;
};

/*
 * The indirect table a descriptor (addr, len, flags as read from the ring)
 * points to, checked for both ring layouts: INDIRECT_DESC negotiated, the
 * descriptor the chain's head (head false: a later one, or an entry of a table,
 * which would nest) and without NEXT, the table a whole number of descriptors,
 * at least one and at most the ring size (its walk costs no more reads than a
 * direct chain), inside one region. NULL if it is not. Its entries are 16 bytes
 * in both layouts (vhostu_rxtx_packed.c asserts it), addr and len first, but
 * the flags lie elsewhere (split: flags, next; packed: id, flags), so reading
 * them stays with each walk.
 */
static __rte_always_inline const void *
vhostu_indirect_table(const struct vhostu_vring *vr, uint64_t addr, uint32_t len,
		uint16_t flags, bool head)
{
	if (unlikely(!head || (flags & VRING_DESC_F_NEXT) ||
			!vhostu_has_feature(vr->port, VHOSTU_VIRTIO_F_INDIRECT_DESC) ||
			len == 0 || len % sizeof(struct vhostu_desc) != 0 ||
			len / sizeof(struct vhostu_desc) > vr->size))
		return NULL;
	return vhostu_gpa_to_va(&vr->port->mem, addr, len);
}

/* 64, 65-127, 128-255, 256-511, 512-1023, 1024-1518, >1518, <64 */
static __rte_always_inline unsigned int
vhostu_size_bin(uint32_t len)
{
	if (len == 64)
		return 0;
	if (len < 64)
		return 7;
	if (len > 1518)
		return 6;
	/* 65..127 has 7 significant bits -> 1, ..., 1024..1518 has 11 -> 5 */
	return (32 - __builtin_clz(len)) - 6;
}

static __rte_always_inline void
vhostu_mbuf_recycle(struct rte_mbuf *m)
{
	if (m->next != NULL)
		rte_pktmbuf_free(m->next);
	rte_pktmbuf_reset(m);
}

/*
 * Small copies a split burst defers to one pass at its end. The lines of
 * guest buffers usually sit in the guest's cache: each load or store of one
 * waits for it to come over. Interleaved with a chain walk, only a few are
 * asked for at a time (stores leave the core in order, and a walk has many);
 * in one tight pass many are, and the waits overlap. rte_vhost batches small
 * copies the same way. A pass must run before the frames are handed over:
 * used->idx published (guest RX) or mbufs returned or freed (guest TX).
 */
#define VHOSTU_COPY_BATCH 64
#define VHOSTU_COPY_SMALL 256

struct vhostu_copies {
	uint16_t n;
	struct {
		void *dst;
		const void *src;
		uint32_t len;
	} c[VHOSTU_COPY_BATCH];
};

/*
 * A copy made now. Large ones go to the C library: its memcpy picks the
 * host's widest vectors at run time (AVX2 on these hosts), where rte_memcpy
 * is fixed to the ISA DPDK was built for (SSE4.2 in Debian's): half the
 * loads and stores per byte while guest lines come over. 1518-byte loopback
 * ran 7-18% faster for it (doc/performance.md). Small ones stay inline.
 */
static __rte_always_inline void
vhostu_copy_now(void *dst, const void *src, uint32_t len)
{
	if (len > VHOSTU_COPY_SMALL)
		memcpy(dst, src, len);
	else
		rte_memcpy(dst, src, len);
}

static __rte_always_inline void
vhostu_copy(struct vhostu_copies *q, void *dst, const void *src, uint32_t len)
{
	if (q != NULL && len <= VHOSTU_COPY_SMALL && q->n < VHOSTU_COPY_BATCH) {
		q->c[q->n].dst = dst;
		q->c[q->n].src = src;
		q->c[q->n].len = len;
		q->n++;
		return;
	}
	vhostu_copy_now(dst, src, len);
}

static __rte_always_inline void
vhostu_copies_flush(struct vhostu_copies *q)
{
	uint16_t i;

	for (i = 0; i < q->n; i++)
		rte_memcpy(q->c[i].dst, q->c[i].src, q->c[i].len);
	q->n = 0;
}

/* Copying one guest TX chain into mbufs, buffer by buffer (vhostu_rx_copy_*). */
struct vhostu_rx_copy {
	struct rte_mbuf *m;	/* the frame's first mbuf */
	struct rte_mbuf *seg;	/* the one being filled */
	uint8_t *dst;
	uint32_t room;		/* in seg */
	uint32_t hdr_size;
	uint32_t hdr_left;	/* bytes of the virtio-net header still to copy */
	uint32_t total;		/* frame bytes copied */
	bool need_hdr;		/* offloads negotiated: the header means something */
	struct vhostu_copies *q;	/* copies deferred, or NULL */
	uint8_t hdr[sizeof(struct vhostu_net_hdr)];	/* the guest's header, our copy */
};

static __rte_always_inline void
vhostu_rx_copy_start(struct vhostu_rx_copy *x, const struct vhostu_vring *vr,
		struct rte_mbuf *m, struct vhostu_copies *q)
{
	x->q = q;
	x->need_hdr = (vr->port->features & VHOSTU_OFFLOAD_HOST_FEATURES) != 0;
	x->m = m;
	x->seg = m;
	x->dst = rte_pktmbuf_mtod(m, uint8_t *);
	x->room = rte_pktmbuf_tailroom(m);
	x->hdr_size = vr->port->hdr_size;	/* 10 or 12: fits hdr */
	x->hdr_left = x->hdr_size;
	x->total = 0;
	memset(x->hdr, 0, sizeof(x->hdr));
}

/* The header, all copied, asks for nothing the frame's bytes are needed for. */
static __rte_always_inline bool
vhostu_rx_hdr_plain(const struct vhostu_rx_copy *x)
{
	const struct vhostu_net_hdr *h = (const struct vhostu_net_hdr *)x->hdr;

	return !x->need_hdr || (x->hdr_left == 0 && h->flags == 0 &&
			h->gso_type == VIRTIO_NET_HDR_GSO_NONE);
}

/*
 * Append the frame bytes of buffer b (the header copied aside wherever it lies),
 * chaining more mbufs from mp as needed: 0, -EMSGSIZE (oversize), -ENOMEM.
 */
static __rte_always_inline int
vhostu_rx_copy_buf(struct vhostu_rx_copy *x, struct rte_mempool *mp, const struct vhostu_buf *b)
{
	uint8_t *src = b->va;
	uint32_t len = b->len, k;

	if (x->hdr_left != 0) {
		k = RTE_MIN(x->hdr_left, len);
		/* Without offloads, not even read: one guest cache line less per frame. */
		if (x->need_hdr)
			memcpy(&x->hdr[x->hdr_size - x->hdr_left], src, k);
		x->hdr_left -= k;
		src += k;
		len -= k;
	}
	if (unlikely(len > VHOSTU_RX_MAX_FRAME - x->total))
		return -EMSGSIZE;
	x->total += len;
	while (len != 0) {
		if (unlikely(x->room == 0)) {
			struct rte_mbuf *n = rte_pktmbuf_alloc(mp);

			if (n == NULL)
				return -ENOMEM;
			x->seg->next = n;
			x->seg = n;
			x->m->nb_segs++;
			x->dst = rte_pktmbuf_mtod(n, uint8_t *);
			x->room = rte_pktmbuf_tailroom(n);
		}
		k = RTE_MIN(x->room, len);
		/*
		 * Deferred only into the first mbuf (a chained one is freed if the
		 * chain turns out bad) and while nothing will parse the frame before
		 * the pass: a header asking for checksum or GSO is checked against it.
		 */
		if (x->seg == x->m && vhostu_rx_hdr_plain(x))
			vhostu_copy(x->q, x->dst, src, k);
		else
			vhostu_copy_now(x->dst, src, k);
		x->dst += k;
		src += k;
		len -= k;
		x->room -= k;
		x->seg->data_len += k;
	}
	return 0;
}

/*
 * The guest's virtio-net header (our copy) into m's offload flags, when an
 * offload was negotiated. 0, or -EPROTO: a bad header, counted by reason.
 */
static __rte_always_inline int
vhostu_rx_offload(struct vhostu_vring *vr, const uint8_t *hdr, struct rte_mbuf *m)
{
	uint64_t features = vr->port->features;
	int r;

	if (likely(!(features & VHOSTU_OFFLOAD_HOST_FEATURES)))
		return 0;
	r = vhostu_offload_from_guest((const struct vhostu_net_hdr *)hdr, m, features);
	if (likely(r == 0))
		return 0;
	vr->stats.hdr_errors[-r]++;
	return -EPROTO;
}

/*
 * The chain walk ended with r (0: done, < 0: bad chain): 0 and the mbuf
 * complete with its offload flags, -EINVAL (bad chain), -EBADMSG (shorter
 * than an Ethernet header: the switch would read bytes that are not there)
 * or -EPROTO (bad virtio-net header).
 */
static __rte_always_inline int
vhostu_rx_copy_end(struct vhostu_rx_copy *x, struct vhostu_vring *vr, int r)
{
	if (unlikely(r < 0 || x->hdr_left != 0 || x->total == 0))
		return -EINVAL;
	if (unlikely(x->total < RTE_ETHER_HDR_LEN))
		return -EBADMSG;
	x->m->pkt_len = x->total;
	x->m->port = vr->port_id;
	return vhostu_rx_offload(vr, x->hdr, x->m);
}

/* Account a chain rx_burst could not deliver. */
static __rte_always_inline void
vhostu_rx_drop(struct vhostu_vring *vr, int err)
{
	if (err == -EMSGSIZE)
		vr->stats.oversize++;
	else if (err == -EBADMSG)
		vr->stats.runt++;
	else if (err != -EPROTO)	/* bad headers: counted by reason */
		vr->stats.errors++;
}

/*
 * SEND_RARP after a migration: queue 0 hands the switch the announcement as
 * if the guest had sent it, in a burst of its own.
 */
static inline uint16_t
vhostu_rx_rarp(struct vhostu_vring *vr, struct rte_mbuf **pkts)
{
	pkts[0] = vhostu_rarp_take(vr->port, vr->mp);
	if (pkts[0] != NULL)
		pkts[0]->port = vr->port_id;
	vhostu_ring_leave(vr);
	return pkts[0] != NULL;
}

/* Where an mbuf frame is read from while it is written into the guest. */
struct vhostu_src {
	const struct rte_mbuf *seg;
	uint32_t off;		/* in seg */
	uint32_t left;		/* bytes of the frame still to write */
};

/*
 * State of one tx burst. The packed burst uses the header part and vr only
 * (vhostu_tx_put_hdr, vhostu_tx_set_num_buffers, vhostu_tx_hdr_init,
 * vhostu_tx_offload).
 */
struct vhostu_tx {
	struct vhostu_vring *vr;
	uint16_t avail_idx;	/* snapshot */
	uint16_t la;		/* next avail entry */
	uint16_t nused;		/* used entries written after vr->last_used_idx */
	uint32_t hdr_size;
	uint32_t hdr_off;	/* header bytes written for the current frame */
	bool hdr_dirty;		/* hdr has offload fields set (by the previous frame) */
	uint8_t hdr[sizeof(struct vhostu_net_hdr)];
	uint8_t *nb_va[2];	/* where num_buffers' two bytes landed (MRG_RXBUF) */
	uint64_t nb_gpa[2];
	struct vhostu_chain c;	/* the walk; c.reads is the burst's budget */
	struct vhostu_copies *q;	/* copies deferred, or NULL */
};

/*
 * Store the header only where it differs from what the buffer holds: a guest
 * that reuses its buffers (DPDK's virtio PMD does, and clears the header on
 * its side the same way) then keeps the line shared, and neither side pays a
 * cache-line transfer for it.
 */
static __rte_always_inline void
vhostu_hdr_assign(uint8_t *dst, const uint8_t *hdr, uint32_t size)
{
	uint64_t a, b;
	uint32_t c = 0, d = 0;

	memcpy(&a, dst, 8);
	memcpy(&b, hdr, 8);
	if (size == VHOSTU_NET_HDR_LONG) {
		memcpy(&c, dst + 8, 4);
		memcpy(&d, hdr + 8, 4);
	} else {
		memcpy(&c, dst + 8, 2);
		memcpy(&d, hdr + 8, 2);
	}
	if (a != b || c != d)
		memcpy(dst, hdr, size);
}

/* Copy header bytes into the buffer; remember where num_buffers goes. */
static __rte_always_inline uint32_t
vhostu_tx_put_hdr(struct vhostu_tx *t, const struct vhostu_buf *b)
{
	const uint32_t nb = offsetof(struct vhostu_net_hdr, num_buffers);
	uint32_t k, j;

	/* The usual layout: the whole header at the start of the first buffer. */
	if (likely(t->hdr_off == 0 && b->len >= sizeof(struct vhostu_net_hdr))) {
		/* Constant sizes, so the copies are inlined stores. */
		if (t->hdr_size == VHOSTU_NET_HDR_LONG)
			vhostu_hdr_assign(b->va, t->hdr, VHOSTU_NET_HDR_LONG);
		else
			vhostu_hdr_assign(b->va, t->hdr, VHOSTU_NET_HDR_SHORT);
		t->nb_va[0] = b->va + nb;
		t->nb_va[1] = b->va + nb + 1;
		t->nb_gpa[0] = b->gpa + nb;
		t->nb_gpa[1] = b->gpa + nb + 1;
		t->hdr_off = t->hdr_size;
		return t->hdr_size;
	}
	k = RTE_MIN(t->hdr_size - t->hdr_off, b->len);
	memcpy(b->va, &t->hdr[t->hdr_off], k);
	for (j = 0; j < 2; j++) {
		if (nb + j >= t->hdr_off && nb + j < t->hdr_off + k) {
			t->nb_va[j] = b->va + (nb + j - t->hdr_off);
			t->nb_gpa[j] = b->gpa + (nb + j - t->hdr_off);
		}
	}
	t->hdr_off += k;
	return k;
}

/* Copy frame bytes from s into [dst, dst+room); returns bytes copied. */
static __rte_always_inline uint32_t
vhostu_tx_put_data(struct vhostu_tx *t, struct vhostu_src *s, uint8_t *dst, uint32_t room)
{
	uint32_t done = 0, k;

	while (room != 0 && s->left != 0) {
		if (s->off == s->seg->data_len) {
			s->seg = s->seg->next;
			s->off = 0;
			continue;
		}
		k = RTE_MIN(room, (uint32_t)s->seg->data_len - s->off);
		vhostu_copy(t->q, dst + done,
				rte_pktmbuf_mtod_offset(s->seg, const uint8_t *, s->off), k);
		s->off += k;
		s->left -= k;
		done += k;
		room -= k;
	}
	return done;
}

static __rte_always_inline void
vhostu_tx_start(struct vhostu_tx *t, struct vhostu_src *s, const struct rte_mbuf *m)
{
	s->seg = m;
	s->off = 0;
	s->left = m->pkt_len;
	t->hdr_off = 0;
}

static __rte_always_inline void
vhostu_tx_set_num_buffers(struct vhostu_tx *t, uint16_t nbufs)
{
	struct vhostu_port *p = t->vr->port;
	unsigned int j;

	if (unlikely(t->hdr_size < sizeof(struct vhostu_net_hdr)))
		return;	/* a 10-byte header has no num_buffers */
	/* num_buffers is little-endian; its two bytes may sit in two descriptors. */
	if (*t->nb_va[0] != (uint8_t)nbufs)
		*t->nb_va[0] = (uint8_t)nbufs;
	if (*t->nb_va[1] != (uint8_t)(nbufs >> 8))
		*t->nb_va[1] = (uint8_t)(nbufs >> 8);
	for (j = 0; j < 2; j++)
		vhostu_log_write(p, t->nb_gpa[j], 1);
}

static __rte_always_inline void
vhostu_tx_hdr_init(struct vhostu_tx *t, const struct vhostu_port *p)
{
	struct vhostu_net_hdr *h = (struct vhostu_net_hdr *)t->hdr;

	memset(t->hdr, 0, sizeof(t->hdr));
	t->hdr_dirty = false;
	t->q = NULL;
	t->hdr_size = RTE_MIN(p->hdr_size, (uint32_t)sizeof(t->hdr));
	/*
	 * A 12-byte header carries num_buffers: 1 without MRG_RXBUF (VERSION_1);
	 * with it, 1 is what most frames take, and the count is set after the walk.
	 */
	h->num_buffers = 1;
}

/*
 * The header of frame m from its offload flags; frames without any reuse the
 * burst's header as long as no frame before them set fields in it. 0, or
 * -ENOTSUP: the guest cannot take this frame.
 */
static __rte_always_inline int
vhostu_tx_offload(struct vhostu_tx *t, struct rte_mbuf *m)
{
	int r;

	if (likely(!(m->ol_flags & VHOSTU_TX_OFFLOAD_FLAGS) && !t->hdr_dirty))
		return 0;
	r = vhostu_offload_to_guest(m, (struct vhostu_net_hdr *)t->hdr, t->vr->port->features);
	t->hdr_dirty = r > 0;
	return r < 0 ? r : 0;
}

#endif /* VHOSTU_RXTX_H */
