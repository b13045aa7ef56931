/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bursts of net_vhostu over packed virtqueues (vhostu_packed.h has the
 * layout). vhostu_rx_burst/vhostu_tx_burst call them inside the ring's guard;
 * they leave it. What they share with the split bursts (copying
 * frames, the virtio-net header and the offloads it carries, MRG_RXBUF, RARP,
 * counters, the work bound) is in vhostu_rxtx.h; only the walk over
 * descriptors (vhostu_pchain.h) and the used descriptors (vhostu_pshadow.h)
 * are theirs.
 *
 * The guest is not trusted, as for split rings (vhostu_rxtx.c): each
 * descriptor of a chain is read once (its flags first, with acquire), each
 * buffer must lie inside one region, each walk is bounded (a direct chain by
 * the ring size, an indirect one by its table) and a burst by its budget of
 * descriptor reads. Policy for broken chains:
 * - the descriptor at our position is not available (flags do not match the
 *   driver's wrap counter): the ring is empty there, nothing is consumed;
 * - a chain that is bad (a buffer outside memory, WRITE wrong for the
 *   direction, an indirect descriptor with NEXT or not first, an indirect
 *   table that is empty, not a multiple of 16 bytes, longer than the ring,
 *   outside memory or with INDIRECT entries, a direct chain longer than the
 *   ring or running into descriptors that are not available): the chain, up
 *   to its last descriptor, is returned with len 0 and counts as an error;
 * - a buffer id >= ring size: the chain is returned all the same (so that
 *   our used position stays with the driver's), with len 0, and the frame
 *   counts as an error;
 * - runts, oversize frames, zero-length chains under MRG_RXBUF: as for split.
 *
 * Used descriptors are collected in a shadow (struct vhostu_pshadow) and
 * written at the end of the burst, or when the shadow fills: every id/len and
 * every flags but the first's, then the first's flags with release. The
 * driver polls that one, so it sees all of them at once, and sees a frame of
 * several buffers (MRG_RXBUF) only when all of them are there. The shadow is
 * also what lets a frame that finds the ring empty half way give its buffers
 * back untouched (descriptors are overwritten only when used).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_atomic.h>
#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "vhostu_internal.h"
#include "vhostu_notify.h"
#include "vhostu_packed.h"
#include "vhostu_pchain.h"
#include "vhostu_pshadow.h"
#include "vhostu_rxtx.h"

/*
 * Kicks on this ring: the device event suppression area, which only we
 * write. Asking for them (rx interrupts) needs a full fence before the ring
 * is read again: a chain the driver made available while it still saw
 * DISABLE came with no kick.
 */
static __rte_always_inline void
vhostu_packed_kicks(struct vhostu_vring *vr, bool on)
{
	volatile struct vhostu_pevent *ev = vhostu_packed_device_event(vr);
	uint16_t want = on ? VRING_PACKED_EVENT_ENABLE : VRING_PACKED_EVENT_DISABLE;

	if (likely(ev->flags == want))
		return;
	ev->flags = want;
	if (unlikely(vr->log_used))
		vhostu_log_write(vr->port, vr->log_event_gpa, sizeof(struct vhostu_pevent));
	if (on)
		rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
}

bool
vhostu_rx_want_kicks_packed(struct vhostu_vring *vr, bool on)
{
	vhostu_packed_kicks(vr, on);
	return on && vhostu_packed_has_avail(vr);
}

/*
 * Available descriptors from our position on, at most max: no more chains
 * than that can be waiting. Only flags are read; the walk reads them again
 * and decides.
 */
static __rte_always_inline uint16_t
vhostu_packed_count_avail(const struct vhostu_vring *vr, uint16_t max)
{
	uint16_t idx = vr->last_avail_idx, n = 0;
	bool wrap = vr->avail_wrap;

	while (n < max && vhostu_packed_flags_avail(vhostu_pdesc_flags(vr, idx), wrap)) {
		n++;
		vhostu_packed_step(vr->size, &idx, &wrap, 1);
	}
	return n;
}

/* Batches of four (vhostu_packed.h); tests turn them off to compare with the walk. */
bool vhostu_packed_batch = true;

#define VHOSTU_PBATCH	4

/* Four chains of one descriptor each, read together (vhostu_pbatch_read). */
struct vhostu_pbatch {
	struct vhostu_buf b[VHOSTU_PBATCH];
	uint16_t id[VHOSTU_PBATCH];
};

/*
 * Guest TX buffer va (a frame behind its virtio-net header): ask for the line
 * its frame starts in, which the copy reads first, and for the header's
 * only when offloads make us read it (drivers put the header at the end of
 * the line before the frame's).
 */
static __rte_always_inline void
vhostu_prefetch_frame_read(const struct vhostu_vring *vr, const uint8_t *va)
{
	rte_prefetch0(va + vr->port->hdr_size);
	if (vr->port->features & VHOSTU_OFFLOAD_HOST_FEATURES)
		rte_prefetch0(va);
}

/*
 * The four descriptors at idx as four chains of one buffer each, if that is
 * what they are: idx a multiple of four with four more before the ring's end
 * (one cache line of the ring, as drivers align it), all four available under
 * wrap, none with NEXT or INDIRECT, WRITE as write_flag, ids inside the ring,
 * buffer k at least min[k] bytes and inside guest memory. Their flags are read
 * first, each with acquire, as the walk reads each descriptor's. On false
 * nothing is taken: the walk reads them again, one chain at a time, and
 * decides what each one is. Guest TX buffers (write_flag 0) are prefetched:
 * the copy pass waits for the guest's cache otherwise.
 */
static __rte_always_inline bool
vhostu_pbatch_read(const struct vhostu_vring *vr, uint16_t idx, bool wrap,
		uint16_t write_flag, const uint32_t *min, struct vhostu_pbatch *bt)
{
	const uint16_t mask = VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED |
		VRING_DESC_F_NEXT | VRING_DESC_F_INDIRECT | VRING_DESC_F_WRITE;
	const uint16_t want = vhostu_packed_avail_flags(wrap) | write_flag;
	const volatile struct vhostu_pdesc *s;
	uint16_t f[VHOSTU_PBATCH], bad = 0;
	unsigned int k;

	if ((idx & (VHOSTU_PBATCH - 1)) != 0 || (uint32_t)idx + VHOSTU_PBATCH > vr->size)
		return false;
	for (k = 0; k < VHOSTU_PBATCH; k++)
		f[k] = vhostu_pdesc_flags(vr, idx + k);
	for (k = 0; k < VHOSTU_PBATCH; k++)
		bad |= (uint16_t)((f[k] & mask) ^ want);
	if (bad != 0)
		return false;
	for (k = 0; k < VHOSTU_PBATCH; k++) {
		s = &vhostu_pdesc_ring(vr)[idx + k];
		bt->b[k].gpa = s->addr;
		bt->b[k].len = s->len;
		bt->id[k] = s->id;
		if (unlikely(bt->id[k] >= vr->size || bt->b[k].len < min[k]))
			return false;
		bt->b[k].va = vhostu_gpa_to_va(&vr->port->mem, bt->b[k].gpa, bt->b[k].len);
		if (unlikely(bt->b[k].va == NULL))
			return false;
		if (write_flag == 0)
			vhostu_prefetch_frame_read(vr, bt->b[k].va);
	}
	return true;
}

/*
 * Copy the chain at the walk's position into m: 0, -EAGAIN (no chain there),
 * or the errors of the split path (vhostu_rx_copy_*).
 */
static __rte_always_inline int
vhostu_prx_chain(struct vhostu_vring *vr, struct vhostu_pchain *c, struct vhostu_copies *q,
		struct rte_mbuf *m)
{
	struct vhostu_rx_copy x;
	struct vhostu_buf b;
	int r;

	vhostu_rx_copy_start(&x, vr, m, q);
	while ((r = vhostu_pchain_next(vr, c, &b, 0)) > 0) {
		r = vhostu_rx_copy_buf(&x, vr->mp, &b);
		if (unlikely(r < 0))
			return r;
	}
	if (unlikely(r == -EAGAIN))
		return r;
	return vhostu_rx_copy_end(&x, vr, r);
}

/* The frame m of a chain taken with result r: delivered (true), or dropped and counted. */
static __rte_always_inline bool
vhostu_prx_deliver(struct vhostu_vring *vr, struct rte_mbuf *m, int r, uint64_t *bytes)
{
	if (unlikely(r < 0)) {
		vhostu_mbuf_recycle(m);
		vhostu_rx_drop(vr, r);
		return false;
	}
	*bytes += m->pkt_len;
	vr->stats.size_bins[vhostu_size_bin(m->pkt_len)]++;
	return true;
}

/*
 * The four chains of bt into pkts[*nrx] on: for each, what the walk's loop
 * does for a chain of one buffer. Returns the chains taken: fewer than four
 * when mbufs ran out, and then the rest waits. *reads gets the descriptors
 * read, counted as the walk counts them.
 */
static __rte_always_inline unsigned int
vhostu_prx_batch(struct vhostu_vring *vr, struct vhostu_pshadow *sh, struct vhostu_copies *q,
		const struct vhostu_pbatch *bt, struct rte_mbuf **pkts, uint16_t *nrx,
		uint64_t *bytes, uint32_t *reads)
{
	struct vhostu_rx_copy x;
	unsigned int k;
	int r;

	for (k = 0; k < VHOSTU_PBATCH; k++) {
		struct rte_mbuf *m = pkts[*nrx];

		/* Where the walk writes the shadow out: under IN_ORDER it shows. */
		if (unlikely(sh->n == VHOSTU_PACKED_SHADOW))
			vhostu_pshadow_flush(vr, sh, sh->n);
		vhostu_rx_copy_start(&x, vr, m, q);
		r = vhostu_rx_copy_buf(&x, vr->mp, &bt->b[k]);
		if (unlikely(r == -ENOMEM)) {
			vhostu_mbuf_recycle(m);
			vr->stats.mbuf_fail++;
			(*reads)++;	/* the walk read it too */
			break;
		}
		if (likely(r == 0))
			r = vhostu_rx_copy_end(&x, vr, 0);
		vhostu_pshadow_put(sh, vr->size, bt->id[k], 1, 0, 0);
		if (vhostu_prx_deliver(vr, m, r, bytes))
			(*nrx)++;
	}
	*reads += k;
	vhostu_packed_step(vr->size, &vr->last_avail_idx, &vr->avail_wrap, k);
	vr->stats.batches++;
	return k;
}

/*
 * Dequeue up to n frames from the guest's TX ring. One function for speed,
 * as the split one; the per-chain work is in the inline helpers.
 */
uint16_t
vhostu_rx_burst_packed(struct vhostu_vring *vr, struct rte_mbuf **pkts, uint16_t n)
{
	static const uint32_t rx_min[VHOSTU_PBATCH] = { 1, 1, 1, 1 };
	struct vhostu_pshadow sh;
	struct vhostu_pbatch bt;
	struct vhostu_copies q;
	struct vhostu_pchain c = { .reads = 0 };
	uint16_t count, i, nrx = 0, nused = 0;
	uint64_t bytes = 0;
	int r;

	if (unlikely(!vr->ready || vr->mp == NULL))
		goto out;
	vhostu_packed_kicks(vr, __atomic_load_n(&vr->intr_enabled, __ATOMIC_RELAXED));
	if (unlikely(__atomic_load_n(&vr->rarp_pending, __ATOMIC_RELAXED) && n != 0))
		return vhostu_rx_rarp(vr, pkts);
	count = vhostu_packed_count_avail(vr, (uint16_t)RTE_MIN((uint32_t)n, vr->size));
	if (count == 0)
		goto notify;
	if (unlikely(rte_pktmbuf_alloc_bulk(vr->mp, pkts, count) != 0)) {
		vr->stats.mbuf_fail += count;
		goto notify;
	}
	q.n = 0;
	vhostu_pshadow_init(&sh, vr, &q, vhostu_has_feature(vr->port, VHOSTU_VIRTIO_F_IN_ORDER));
	for (i = 0; i < count; i++) {
		struct rte_mbuf *m = pkts[nrx];

		if (unlikely(c.reads >= VHOSTU_BURST_BUDGET(vr->size)))
			break;	/* budget spent (never on the first chain): the rest waits */
		if (vhostu_packed_batch && count - i >= VHOSTU_PBATCH &&
				c.reads + VHOSTU_PBATCH <= VHOSTU_BURST_BUDGET(vr->size) &&
				vhostu_pbatch_read(vr, vr->last_avail_idx, vr->avail_wrap, 0,
					rx_min, &bt)) {
			if (vhostu_prx_batch(vr, &sh, &q, &bt, pkts, &nrx, &bytes, &c.reads) <
					VHOSTU_PBATCH)
				break;	/* mbufs ran out: the rest waits */
			i += VHOSTU_PBATCH - 1;
			continue;
		}
		if (unlikely(sh.n == VHOSTU_PACKED_SHADOW))
			vhostu_pshadow_flush(vr, &sh, sh.n);
		vhostu_pchain_init(vr, &c, vr->last_avail_idx, vr->avail_wrap);
		r = vhostu_prx_chain(vr, &c, &q, m);
		if (unlikely(r == -EAGAIN || r == -ENOMEM)) {
			/* No chain after all, or mbufs ran out: the chain waits. */
			vhostu_mbuf_recycle(m);
			if (r == -ENOMEM)
				vr->stats.mbuf_fail++;
			break;
		}
		if (unlikely(r < 0))
			vhostu_pchain_skip(vr, &c);
		vr->last_avail_idx = c.ridx;
		vr->avail_wrap = c.rwrap;
		vhostu_pshadow_add(&sh, vr, &c, 0, 0);
		if (unlikely(r == 0 && c.id >= vr->size))
			r = -EINVAL;	/* an id the driver cannot have given */
		if (vhostu_prx_deliver(vr, m, r, &bytes))
			nrx++;
	}
	vhostu_pshadow_flush(vr, &sh, sh.n);
	if (nrx < count)
		rte_pktmbuf_free_bulk(&pkts[nrx], count - nrx);
	vr->stats.packets += nrx;
	vr->stats.bytes += bytes;
	vr->stats.desc_reads += c.reads;
	nused = vhostu_pshadow_count(&sh);
notify:
	vhostu_notify_check(vr, nused);
out:
	vhostu_ring_leave(vr);
	if (likely(vr->port != NULL))
		vhostu_notify_paired_tx(vr);
	return nrx;
}

/* State of one tx burst over a packed ring. */
struct vhostu_ptx {
	struct vhostu_tx t;	/* the header and vr; its split ring fields are unused */
	uint16_t aidx;		/* next available position */
	bool awrap;
	uint16_t aidx0;		/* where the burst started */
	bool awrap0;
	uint32_t fstart;	/* shadow entry of the frame in progress */
	struct vhostu_copies q;
	struct vhostu_pchain c;	/* the walk; c.reads is the burst's budget */
	struct vhostu_pshadow sh;
};

/*
 * Fill the chain at our position with what remains of the header and the
 * frame, then walk to its end. The bytes written (0: no room at all),
 * -EINVAL (bad chain, walked to its end) or -EAGAIN (no chain).
 */
static __rte_always_inline int
vhostu_ptx_chain(struct vhostu_ptx *pt, struct vhostu_src *s)
{
	struct vhostu_vring *vr = pt->t.vr;
	struct vhostu_buf b;
	uint32_t written = 0, k;
	int r = 0;

	vhostu_pchain_init(vr, &pt->c, pt->aidx, pt->awrap);
	while (pt->t.hdr_off < pt->t.hdr_size || s->left != 0) {
		r = vhostu_pchain_next(vr, &pt->c, &b, VRING_DESC_F_WRITE);
		if (r <= 0)
			break;
		k = 0;
		if (pt->t.hdr_off < pt->t.hdr_size)
			k = vhostu_tx_put_hdr(&pt->t, &b);
		k += vhostu_tx_put_data(&pt->t, s, b.va + k, b.len - k);
		vhostu_log_write(vr->port, b.gpa, k);
		written += k;
		r = 0;
	}
	if (unlikely(r == -EAGAIN))
		return r;
	if (unlikely(!vhostu_pchain_skip(vr, &pt->c) || r < 0 || pt->c.id >= vr->size))
		return -EINVAL;
	return written;
}

/* The walk's chain is taken: our position moves past it. */
static __rte_always_inline void
vhostu_ptx_take(struct vhostu_ptx *pt, uint32_t len)
{
	vhostu_pshadow_add(&pt->sh, pt->t.vr, &pt->c, len, VRING_DESC_F_WRITE);
	pt->aidx = pt->c.ridx;
	pt->awrap = pt->c.rwrap;
}

/* Without MRG_RXBUF: one chain per frame. 0, -EINVAL, -EMSGSIZE, -ENOSPC (empty or budget). */
static __rte_always_inline int
vhostu_ptx_frame_one(struct vhostu_ptx *pt, const struct rte_mbuf *m)
{
	struct vhostu_vring *vr = pt->t.vr;
	struct vhostu_src s;
	int r;

	/* Never true for the burst's first frame: reads start at 0. */
	if (unlikely(pt->c.reads >= VHOSTU_BURST_BUDGET(vr->size)))
		return -ENOSPC;
	if (unlikely(pt->sh.n == VHOSTU_PACKED_SHADOW))
		vhostu_pshadow_flush(vr, &pt->sh, pt->sh.n);
	vhostu_tx_start(&pt->t, &s, m);
	r = vhostu_ptx_chain(pt, &s);
	if (unlikely(r == -EAGAIN))
		return -ENOSPC;
	/* No room at all (zero-length buffers only) is a bad chain, not a small one. */
	if (unlikely(r <= 0)) {
		vhostu_ptx_take(pt, 0);
		return -EINVAL;
	}
	if (unlikely(s.left != 0 || pt->t.hdr_off < pt->t.hdr_size))
		return -EMSGSIZE;	/* too small for this frame: the next one may fit */
	vhostu_ptx_take(pt, r);
	return 0;
}

/* Return the chains taken for a frame we drop with len 0: nothing in them is valid. */
static void
vhostu_ptx_void(struct vhostu_ptx *pt)
{
	uint32_t i;

	for (i = pt->fstart; i < pt->sh.n; i++) {
		pt->sh.e[i].len = 0;
		pt->sh.e[i].flags &= ~VRING_DESC_F_WRITE;
	}
}

/* Give back the chains of the frame in progress untouched: it waits for the next burst. */
static void
vhostu_ptx_rollback(struct vhostu_ptx *pt, uint16_t aidx, bool awrap)
{
	struct vhostu_pshadow *sh = &pt->sh;

	if (sh->n != pt->fstart) {
		sh->uidx = sh->e[pt->fstart].pos;
		sh->uwrap = (sh->e[pt->fstart].flags & VRING_PACKED_DESC_F_USED) != 0;
	}
	sh->n = pt->fstart;
	pt->aidx = aidx;
	pt->awrap = awrap;
}

/*
 * The shadow is full in the middle of a frame: write out the frames before
 * it. False if the frame alone fills it (more than VHOSTU_PACKED_SHADOW
 * chains: buffers no honest driver posts for one frame).
 */
static bool
vhostu_ptx_make_room(struct vhostu_ptx *pt)
{
	if (pt->fstart == 0)
		return false;
	vhostu_pshadow_flush(pt->t.vr, &pt->sh, pt->fstart);
	pt->fstart = 0;
	return true;
}

/*
 * With MRG_RXBUF: as many chains as the frame needs. 0, -EINVAL, -ENOSPC
 * (ring empty, or the burst's budget spent: the frame waits for the next
 * burst).
 */
static __rte_always_inline int
vhostu_ptx_frame_mrg(struct vhostu_ptx *pt, const struct rte_mbuf *m)
{
	struct vhostu_vring *vr = pt->t.vr;
	uint16_t aidx = pt->aidx, nbufs = 0;
	bool awrap = pt->awrap, first = aidx == pt->aidx0 && awrap == pt->awrap0;
	struct vhostu_src s;
	int r;

	if (unlikely(pt->sh.n == VHOSTU_PACKED_SHADOW))
		vhostu_pshadow_flush(vr, &pt->sh, pt->sh.n);
	pt->fstart = pt->sh.n;
	vhostu_tx_start(&pt->t, &s, m);
	do {
		if (unlikely(pt->sh.n == VHOSTU_PACKED_SHADOW && !vhostu_ptx_make_room(pt))) {
			vhostu_ptx_void(pt);
			return -EINVAL;
		}
		if (unlikely(pt->c.reads >= VHOSTU_BURST_BUDGET(vr->size))) {
			if (!first) {
				vhostu_ptx_rollback(pt, aidx, awrap);
				return -ENOSPC;
			}
			/* The first frame alone spent it: drop it, so that bursts advance. */
			vhostu_ptx_void(pt);
			return -EINVAL;
		}
		r = vhostu_ptx_chain(pt, &s);
		if (unlikely(r == -EAGAIN)) {
			vhostu_ptx_rollback(pt, aidx, awrap);
			return -ENOSPC;
		}
		/* The whole header in the first chain, and no chain without room: as split. */
		if (unlikely(r <= 0 || pt->t.hdr_off < pt->t.hdr_size)) {
			vhostu_ptx_take(pt, 0);
			vhostu_ptx_void(pt);
			return -EINVAL;
		}
		vhostu_ptx_take(pt, r);
		nbufs++;
	} while (s.left != 0);
	vhostu_tx_set_num_buffers(&pt->t, nbufs);
	return 0;
}

static __rte_always_inline void
vhostu_ptx_init(struct vhostu_ptx *pt, struct vhostu_vring *vr)
{
	pt->t.vr = vr;
	pt->aidx = vr->last_avail_idx;
	pt->awrap = vr->avail_wrap;
	pt->aidx0 = pt->aidx;
	pt->awrap0 = pt->awrap;
	pt->fstart = 0;
	pt->c.reads = 0;
	vhostu_tx_hdr_init(&pt->t, vr->port);
	/* While the frontend logs dirty pages, each copy must land before it is logged. */
	pt->q.n = 0;
	pt->t.q = vhostu_logging(vr->port) ? NULL : &pt->q;
	vhostu_pshadow_init(&pt->sh, vr, pt->t.q, false);
}

/*
 * Four frames into four chains of one buffer each, if the next four
 * descriptors are that (vhostu_pbatch_read) and each buffer takes its whole
 * frame, while nothing makes the walk necessary: no dirty logging (each copy
 * logged), no offload flags on the frames and none left in the header from
 * an earlier one (the header is the burst's, num_buffers 1). Then each frame
 * goes as vhostu_ptx_frame_one (or _mrg with one buffer) sends it. False if
 * not: nothing was taken.
 */
static __rte_always_inline bool
vhostu_ptx_batch(struct vhostu_ptx *pt, struct rte_mbuf **pkts)
{
	struct vhostu_vring *vr = pt->t.vr;
	uint32_t min[VHOSTU_PBATCH], k, len;
	struct vhostu_pbatch bt;
	struct vhostu_src s;

	if (pt->t.q == NULL || pt->t.hdr_dirty ||
			pt->c.reads + VHOSTU_PBATCH > VHOSTU_BURST_BUDGET(vr->size))
		return false;
	for (k = 0; k < VHOSTU_PBATCH; k++) {
		if (unlikely(pkts[k]->ol_flags & VHOSTU_TX_OFFLOAD_FLAGS))
			return false;
		min[k] = pt->t.hdr_size + pkts[k]->pkt_len;
	}
	if (!vhostu_pbatch_read(vr, pt->aidx, pt->awrap, VRING_DESC_F_WRITE, min, &bt))
		return false;
	for (k = 0; k < VHOSTU_PBATCH; k++) {
		if (unlikely(pt->sh.n == VHOSTU_PACKED_SHADOW))
			vhostu_pshadow_flush(vr, &pt->sh, pt->sh.n);
		vhostu_tx_start(&pt->t, &s, pkts[k]);
		len = vhostu_tx_put_hdr(&pt->t, &bt.b[k]);
		len += vhostu_tx_put_data(&pt->t, &s, bt.b[k].va + len, bt.b[k].len - len);
		vhostu_pshadow_put(&pt->sh, vr->size, bt.id[k], 1, len, VRING_DESC_F_WRITE);
		vr->stats.size_bins[vhostu_size_bin(pkts[k]->pkt_len)]++;
	}
	pt->c.reads += VHOSTU_PBATCH;
	vhostu_packed_step(vr->size, &pt->aidx, &pt->awrap, VHOSTU_PBATCH);
	vr->stats.batches++;
	/*
	 * Hand the four over now, as rte_vhost does: the driver, polling the
	 * line we just wrote, starts on them while we copy the next four.
	 */
	vhostu_pshadow_flush(vr, &pt->sh, pt->sh.n);
	return true;
}

/*
 * Enqueue up to n frames into the guest's RX ring: as the split tx burst,
 * the frames consumed (sent, or dropped for the guest's fault) are freed, the
 * rest found the ring full and stay with the caller.
 */
uint16_t
vhostu_tx_burst_packed(struct vhostu_vring *vr, struct rte_mbuf **pkts, uint16_t n)
{
	struct vhostu_ptx pt;
	uint16_t i, k;
	uint64_t bytes = 0, sent = 0;
	bool mrg;
	int r;

	if (unlikely(!vr->ready)) {
		vhostu_ring_leave(vr);
		return 0;
	}
	vhostu_packed_kicks(vr, false);
	mrg = vhostu_has_feature(vr->port, VHOSTU_VIRTIO_NET_F_MRG_RXBUF);
	vhostu_ptx_init(&pt, vr);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (vhostu_packed_batch && n - i >= VHOSTU_PBATCH &&
				vhostu_ptx_batch(&pt, &pkts[i])) {
			for (k = 0; k < VHOSTU_PBATCH; k++)
				bytes += pkts[i + k]->pkt_len;
			sent += VHOSTU_PBATCH;
			i += VHOSTU_PBATCH - 1;
			continue;
		}
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		if (unlikely(vhostu_tx_offload(&pt.t, m) < 0)) {
			vr->stats.offload_drops++;
			continue;
		}
		r = mrg ? vhostu_ptx_frame_mrg(&pt, m) : vhostu_ptx_frame_one(&pt, m);
		if (likely(r == 0)) {
			sent++;
			bytes += m->pkt_len;
			vr->stats.size_bins[vhostu_size_bin(m->pkt_len)]++;
		} else if (r == -ENOSPC) {
			break;
		} else if (r == -EMSGSIZE) {
			vr->stats.oversize++;
		} else {
			vr->stats.errors++;
		}
	}
	vr->last_avail_idx = pt.aidx;
	vr->avail_wrap = pt.awrap;
	vhostu_pshadow_flush(vr, &pt.sh, pt.sh.n);
	vr->stats.no_desc += n - i;
	vr->stats.packets += sent;
	vr->stats.bytes += bytes;
	vr->stats.desc_reads += pt.c.reads;
	vhostu_notify_check(vr, vhostu_pshadow_count(&pt.sh));
	vhostu_ring_leave(vr);
	if (i != 0)
		rte_pktmbuf_free_bulk(pkts, i);
	return i;
}
