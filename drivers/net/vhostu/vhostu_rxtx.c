/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bursts of net_vhostu over split virtqueues (packed ones are in
 * vhostu_rxtx_packed.c; what both use is in vhostu_rxtx.h).
 *
 * rx_burst dequeues the guest's TX ring (vring 2q+1) into mbufs; tx_burst
 * enqueues mbufs into the guest's RX ring (vring 2q). Both own the vring for
 * the whole burst through one entry into its guard (see vhostu_internal.h).
 *
 * The guest is not trusted. Every descriptor and avail entry is read once
 * into a local; every chain walk is bounded by the size of the table it walks;
 * every buffer must lie wholly inside one memory region. What the guest got
 * wrong costs it a frame (dropped and counted); only an avail index that no
 * honest driver can produce stops the ring.
 *
 * Policy for broken chains:
 * - head index >= ring size: the avail slot is consumed, no used entry is
 *   written (there is no valid id to return), the frame counts as an error;
 * - a valid head whose chain is bad (loop, next out of range, indirect table
 *   bad in any way, buffer outside memory, header short): the chain is
 *   returned in the used ring with len 0 and the frame counts as an error;
 * - avail->idx more than the ring size ahead of last_avail_idx: the ring is
 *   stopped (ready = false) with a log line, until the frontend sets it up
 *   again; nothing is consumed;
 * - a guest TX frame shorter than an Ethernet header (1..13 bytes): returned
 *   with len 0, counted as runt (a chain with no frame at all is a bad chain);
 * - a guest RX chain that gives no room at all (only zero-length buffers)
 *   when the frame still needs some: a bad chain, the frame is dropped.
 *
 * Bounded work: a burst reads a few rings' worth of descriptors at most.
 * Each chain walk is bounded by its table; before each further chain the
 * burst checks its budget, VHOSTU_BURST_BUDGET(ring size) reads of direct and
 * indirect descriptors, and ends when it is spent, so zero-length descriptors
 * cannot make one burst walk ring size * ring size entries. The frame in
 * progress then stays for the next burst, unless it is the burst's first
 * (an honest guest's chains, read once, never exhaust the budget alone): that
 * one is dropped as a bad chain, so every burst advances.
 *
 * Offloads: a guest frame's virtio-net header is copied to the stack as the
 * chain is walked (each byte read once) and turned into mbuf flags by
 * vhostu_offload_from_guest; an mbuf's flags become the header of a frame to
 * the guest through vhostu_offload_to_guest. One call per direction, in the
 * helpers both ring layouts share (vhostu_rx_copy_end, vhostu_tx_offload in
 * vhostu_rxtx.h).
 *
 * Layout assumption: the host is little-endian (x86, arm64), as virtio 1.x
 * rings are and legacy rings on these hosts are.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_atomic.h>
#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_prefetch.h>

#include "vhostu_internal.h"
#include "vhostu_notify.h"
#include "vhostu_packed.h"
#include "vhostu_rxtx.h"

static __rte_always_inline volatile uint16_t *
vhostu_avail_ring(const struct vhostu_vring *vr)
{
	return (volatile uint16_t *)RTE_PTR_ADD(vr->avail, offsetof(struct vhostu_avail, ring));
}

static __rte_always_inline uint16_t
vhostu_avail_idx(const struct vhostu_vring *vr)
{
	/* Acquire: the ring entries and descriptors we read next were written before. */
	return __atomic_load_n((uint16_t *)RTE_PTR_ADD(vr->avail,
			offsetof(struct vhostu_avail, idx)), __ATOMIC_ACQUIRE);
}

static __rte_always_inline struct vhostu_used_elem *
vhostu_used_elem(const struct vhostu_vring *vr, uint16_t idx)
{
	return (struct vhostu_used_elem *)RTE_PTR_ADD(vr->used,
			offsetof(struct vhostu_used, ring) +
			(size_t)(idx & (vr->size - 1)) * sizeof(struct vhostu_used_elem));
}

static __rte_always_inline void
vhostu_used_set(const struct vhostu_vring *vr, uint16_t idx, uint32_t id, uint32_t len)
{
	struct vhostu_used_elem *e = vhostu_used_elem(vr, idx);

	/*
	 * Unchanged since the ring's last lap (IN_ORDER, frames of one size): a
	 * store would take the line from the guest, which reads it, for nothing.
	 */
	if (e->id != id || e->len != len) {
		e->id = id;
		e->len = len;
	}
}

/* Log used ring entries [start, start+n) and used->idx by guest-physical address. */
static void
vhostu_used_log(struct vhostu_vring *vr, uint16_t start, uint16_t n)
{
	uint64_t ring = vr->log_guest_addr + offsetof(struct vhostu_used, ring);
	uint16_t first = start & (vr->size - 1);
	uint16_t n1 = RTE_MIN(n, (uint16_t)(vr->size - first));
	const size_t esz = sizeof(struct vhostu_used_elem);

	vhostu_log_write(vr->port, ring + first * esz, n1 * esz);
	if (n1 < n)
		vhostu_log_write(vr->port, ring, (n - n1) * esz);
	vhostu_log_write(vr->port, vr->log_guest_addr + offsetof(struct vhostu_used, idx),
			sizeof(uint16_t));
}

/*
 * Publish n used entries from last_used_idx on, of which the first nwritten
 * were written (n, or 1 for an IN_ORDER batch): one release store per burst.
 */
static __rte_always_inline void
vhostu_used_publish(struct vhostu_vring *vr, uint16_t n, uint16_t nwritten)
{
	uint16_t start = vr->last_used_idx;

	if (n == 0)
		return;
	vr->last_used_idx = start + n;
	__atomic_store_n((uint16_t *)RTE_PTR_ADD(vr->used, offsetof(struct vhostu_used, idx)),
			vr->last_used_idx, __ATOMIC_RELEASE);
	if (unlikely(vr->log_used))
		vhostu_used_log(vr, start, nwritten);
}

/* We poll: tell the guest that kicks are not needed (unless rx interrupts are on). */
static __rte_always_inline void
vhostu_used_no_notify(struct vhostu_vring *vr)
{
	volatile uint16_t *flags = (volatile uint16_t *)vr->used;

	if (likely(*flags & VRING_USED_F_NO_NOTIFY))
		return;
	*flags |= VRING_USED_F_NO_NOTIFY;
	if (unlikely(vr->log_used))
		vhostu_log_write(vr->port, vr->log_guest_addr, sizeof(uint16_t));
}

/*
 * The application sleeps on this ring's kicks (rx interrupts): ask for them.
 * The flag must be visible before the avail index is read again, or a frame
 * the guest posts meanwhile, seeing NO_NOTIFY still set, comes with no kick.
 */
static __rte_always_inline void
vhostu_used_want_notify(struct vhostu_vring *vr)
{
	volatile uint16_t *flags = (volatile uint16_t *)vr->used;

	if (likely(!(*flags & VRING_USED_F_NO_NOTIFY)))
		return;
	*flags &= ~VRING_USED_F_NO_NOTIFY;
	if (unlikely(vr->log_used))
		vhostu_log_write(vr->port, vr->log_guest_addr, sizeof(uint16_t));
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static __rte_always_inline void
vhostu_used_notify_mode(struct vhostu_vring *vr)
{
	if (likely(!__atomic_load_n(&vr->intr_enabled, __ATOMIC_RELAXED)))
		vhostu_used_no_notify(vr);
	else
		vhostu_used_want_notify(vr);
}

/*
 * EVENT_IDX: kick me when you make entry idx available. avail_event is in the
 * used ring area, so it is logged like the used ring.
 */
static void
vhostu_avail_event_set(struct vhostu_vring *vr, uint16_t idx)
{
	*vhostu_avail_event(vr) = idx;
	if (unlikely(vr->log_used))
		vhostu_log_write(vr->port, vr->log_guest_addr + offsetof(struct vhostu_used, ring) +
				(uint64_t)vr->size * sizeof(struct vhostu_used_elem),
				sizeof(uint16_t));
}

/*
 * With EVENT_IDX the guest ignores NO_NOTIFY and kicks when its avail index
 * crosses our avail_event. Polling, we leave avail_event where it is, as
 * rte_vhost and Linux's vhost do: it falls behind, and the guest kicks once
 * when it crosses it, then once per 65536 buffers, which costs less than a
 * store (and a dirty-log write) in every burst. The flag is kept as without
 * EVENT_IDX (a guest honouring it anyway is not kicked, and show vhost-user
 * reads the same). Asking for kicks, we publish the next entry we will read
 * (the guest's avail index once we drained the ring), then, after a full
 * fence, look at the avail index again: a frame posted before the guest saw
 * the new avail_event came with no kick. A burst in between needs no update:
 * the guest's kick for crossing the published value stays uncollected in the
 * queue's interrupt fd until the next enable or disable, so the application
 * wakes and enables again, which publishes afresh.
 */
bool
vhostu_rx_want_kicks(struct vhostu_vring *vr, bool on)
{
	if (vr->packed)
		return vhostu_rx_want_kicks_packed(vr, on);
	if (!on) {
		vhostu_used_no_notify(vr);
		return false;
	}
	vhostu_used_want_notify(vr);
	if (vhostu_split_event_idx(vr->port)) {
		vhostu_avail_event_set(vr, vr->last_avail_idx);
		rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	}
	return vhostu_avail_idx(vr) != vr->last_avail_idx;
}

/*
 * An avail index no honest driver produces: stop the ring rather than read
 * entries the guest never wrote. Runs once per broken ring, so it may log.
 */
static void
vhostu_vring_fail(struct vhostu_vring *vr, uint16_t avail_idx)
{
	vr->ready = false;
	vr->stats.stopped++;
	vr->stats.errors++;
	VHOSTU_PORT_LOG(vr->port, ERR, "vring %u: avail idx %u is more than %u ahead of %u;"
		" ring stopped", vr->index, avail_idx, vr->size, vr->last_avail_idx);
}

/* Read the avail index; false if the ring must stop. */
static __rte_always_inline bool
vhostu_avail_count(struct vhostu_vring *vr, uint16_t *avail_idx, uint16_t *navail)
{
	*avail_idx = vhostu_avail_idx(vr);
	*navail = (uint16_t)(*avail_idx - vr->last_avail_idx);
	if (unlikely(*navail > vr->size)) {
		vhostu_vring_fail(vr, *avail_idx);
		return false;
	}
	return true;
}

static __rte_always_inline uint16_t
vhostu_avail_head(const struct vhostu_vring *vr, uint16_t idx)
{
	return vhostu_avail_ring(vr)[idx & (vr->size - 1)];
}

/* Start a walk at head; c->reads goes on counting across the chains of a burst. */
static __rte_always_inline void
vhostu_chain_init(const struct vhostu_vring *vr, uint16_t head, struct vhostu_chain *c)
{
	c->table = vr->desc;
	c->tsize = vr->size;
	c->idx = head;
	c->left = vr->size;
	c->more = true;
	c->first = true;
}

/* Each field read once: the guest may rewrite the descriptor while we look. */
static __rte_always_inline void
vhostu_desc_read(const struct vhostu_desc *table, uint32_t i, struct vhostu_desc *d)
{
	const volatile struct vhostu_desc *s = &table[i];

	d->addr = s->addr;
	d->len = s->len;
	d->flags = s->flags;
	d->next = s->next;
}

/* Switch the walk to the indirect table d describes; false if it is bad. */
static __rte_always_inline bool
vhostu_chain_indirect(const struct vhostu_vring *vr, struct vhostu_chain *c,
		const struct vhostu_desc *d)
{
	const struct vhostu_desc *table;

	table = vhostu_indirect_table(vr, d->addr, d->len, d->flags, c->first);
	if (unlikely(table == NULL))
		return false;
	c->table = table;
	c->tsize = d->len / sizeof(struct vhostu_desc);
	c->idx = 0;
	c->left = c->tsize;
	c->first = false;
	return true;
}

/*
 * Next non-empty buffer of the chain: 1 and *b filled, 0 at the end, -EINVAL
 * when the chain is bad. write_flag is VRING_DESC_F_WRITE when we are going to
 * write the buffers (guest RX), 0 when we only read them (guest TX, where the
 * flag is ignored). Zero-length descriptors are skipped: they move nothing and
 * the walk stays bounded by c->left.
 */
static __rte_always_inline int
vhostu_chain_next(const struct vhostu_vring *vr, struct vhostu_chain *c,
		struct vhostu_buf *b, uint16_t write_flag)
{
	struct vhostu_desc d;

	while (c->more) {
		if (unlikely(c->left == 0))
			return -EINVAL;	/* a loop, or a chain longer than its table */
		c->left--;
		c->reads++;
		vhostu_desc_read(c->table, c->idx, &d);
		if (unlikely(d.flags & VRING_DESC_F_INDIRECT)) {
			if (!vhostu_chain_indirect(vr, c, &d))
				return -EINVAL;
			continue;
		}
		c->first = false;
		if (unlikely((d.flags & write_flag) != write_flag))
			return -EINVAL;
		if (d.flags & VRING_DESC_F_NEXT) {
			if (unlikely(d.next >= c->tsize))
				return -EINVAL;
			c->idx = d.next;
		} else {
			c->more = false;
		}
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
 * Copy the frame of the chain at head into m (chaining more mbufs from
 * vr->mp as needed); the virtio-net header, wherever it lies, is copied once
 * to the stack and turned into offload flags. 0, -EINVAL (bad chain),
 * -EMSGSIZE (oversize), -EBADMSG (shorter than an Ethernet header), -EPROTO
 * (bad header), -ENOMEM (mbufs ran out).
 */
static __rte_always_inline int
vhostu_rx_chain(struct vhostu_vring *vr, struct vhostu_chain *c, uint16_t head,
		struct rte_mbuf *m, struct vhostu_copies *q)
{
	struct vhostu_rx_copy x;
	struct vhostu_buf b;
	int r;

	vhostu_chain_init(vr, head, c);
	vhostu_rx_copy_start(&x, vr, m, q);
	while ((r = vhostu_chain_next(vr, c, &b, 0)) > 0) {
		r = vhostu_rx_copy_buf(&x, vr->mp, &b);
		if (unlikely(r < 0))
			return r;
	}
	return vhostu_rx_copy_end(&x, vr, r);
}

/*
 * Nothing to do on this rx queue: no new avail entry, no RARP to hand over,
 * no call pending on this ring or the paired tx ring for this poll to flush.
 * An idle queue costs its poll this and the guard: four cache lines (the
 * ring's, the guest's avail->idx, the two rings' notification lines) and the
 * guard's mode (one line all rings share), none written by
 * anyone else while it stays idle, no store but the two of busy (no locked
 * instruction: vhostu_ring_enter).
 */
static __rte_always_inline bool
vhostu_rx_idle(const struct vhostu_vring *vr)
{
	return vhostu_avail_idx(vr) == vr->last_avail_idx &&
		!__atomic_load_n(&vr->rarp_pending, __ATOMIC_RELAXED) &&
		vhostu_calls_pending(vr) == 0 &&
		vhostu_calls_pending(&vr->port->vrings[vr->index - 1]) == 0;
}

/*
 * Dequeue up to n frames from the guest's TX ring. One function for speed:
 * the per-chain work is in always-inline helpers above.
 */
uint16_t
vhostu_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n)
{
	struct vhostu_vring *vr = queue;
	uint16_t avail_idx, navail, count, i, la, nused = 0, nrx = 0, head, next_head, ustep;
	struct vhostu_chain c = { .reads = 0 };
	struct vhostu_copies q;
	uint64_t bytes = 0;
	int r;

	if (unlikely(!vhostu_ring_enter(vr)))
		return 0;
	/* Inside the guard: SET_FEATURES may have changed the layout since the last burst. */
	if (unlikely(vr->packed))
		return vhostu_rx_burst_packed(vr, pkts, n);
	if (unlikely(!vr->ready || vr->mp == NULL))
		goto out;
	/*
	 * Polling mode leaves the flags as the last busy burst set them; a change
	 * of mode (vhostu_rx_want_kicks) sets them itself. A ring idle since it
	 * started may still lack NO_NOTIFY: its first frame then comes with a
	 * kick, which the polling application ignores.
	 */
	if (likely(vhostu_rx_idle(vr))) {
		vhostu_ring_leave(vr);
		return 0;
	}
	vhostu_used_notify_mode(vr);
	if (unlikely(!vhostu_avail_count(vr, &avail_idx, &navail)))
		goto out;
	if (unlikely(__atomic_load_n(&vr->rarp_pending, __ATOMIC_RELAXED) && n != 0))
		return vhostu_rx_rarp(vr, pkts);
	count = RTE_MIN(n, navail);
	if (count == 0)
		goto notify;
	if (unlikely(rte_pktmbuf_alloc_bulk(vr->mp, pkts, count) != 0)) {
		vr->stats.mbuf_fail += count;
		goto notify;
	}

	/*
	 * IN_ORDER (virtio 1.x 2.7.9): the guest used its buffers in order, so one
	 * used entry, at the batch's first slot and naming its last chain, returns
	 * them all; the guest counts them from used->idx. Lengths mean nothing for
	 * buffers we only read. So every chain writes that one slot (ustep 0).
	 */
	ustep = vhostu_has_feature(vr->port, VHOSTU_VIRTIO_F_IN_ORDER) ? 0 : 1;
	la = vr->last_avail_idx;
	q.n = 0;
	next_head = vhostu_avail_head(vr, la);
	for (i = 0; i < count; i++) {
		struct rte_mbuf *m = pkts[nrx];

		if (unlikely(c.reads >= VHOSTU_BURST_BUDGET(vr->size)))
			break;	/* budget spent (never on the first chain): the rest waits */
		head = next_head;
		if (i + 1 < count) {
			next_head = vhostu_avail_head(vr, la + 1);
			if (likely(next_head < vr->size))
				rte_prefetch0(&vr->desc[next_head]);
		}
		la++;
		if (unlikely(head >= vr->size)) {
			vr->stats.errors++;
			continue;
		}
		r = vhostu_rx_chain(vr, &c, head, m, &q);
		if (unlikely(r == -ENOMEM)) {
			/* Leave the chain for the next burst. */
			vhostu_mbuf_recycle(m);
			vr->stats.mbuf_fail++;
			la--;
			break;
		}
		vhostu_used_set(vr, vr->last_used_idx + nused * ustep, head, 0);
		nused++;
		if (unlikely(r < 0)) {
			vhostu_mbuf_recycle(m);
			vhostu_rx_drop(vr, r);
			continue;
		}
		bytes += m->pkt_len;
		vr->stats.size_bins[vhostu_size_bin(m->pkt_len)]++;
		nrx++;
	}
	vhostu_copies_flush(&q);	/* before the guest gets its buffers back */
	vr->last_avail_idx = la;
	vhostu_used_publish(vr, nused, ustep != 0 ? nused : 1);
	if (nrx < count)
		rte_pktmbuf_free_bulk(&pkts[nrx], count - nrx);
	vr->stats.packets += nrx;
	vr->stats.bytes += bytes;
	vr->stats.desc_reads += c.reads;
notify:
	vhostu_notify_check(vr, nused);
out:
	vhostu_ring_leave(vr);
	if (likely(vr->port != NULL))
		vhostu_notify_paired_tx(vr);
	return nrx;
}

/*
 * Fill the chain at head with what remains of the header and the frame.
 * Returns the bytes written (the used len; 0: the chain gave no room at all)
 * or -EINVAL for a bad chain.
 */
static __rte_always_inline int
vhostu_tx_chain(struct vhostu_tx *t, uint16_t head, struct vhostu_src *s)
{
	struct vhostu_vring *vr = t->vr;
	struct vhostu_buf b;
	uint32_t written = 0, k;
	int r;

	vhostu_chain_init(vr, head, &t->c);
	while (t->hdr_off < t->hdr_size || s->left != 0) {
		r = vhostu_chain_next(vr, &t->c, &b, VRING_DESC_F_WRITE);
		if (r <= 0) {
			if (unlikely(r < 0))
				return r;
			break;
		}
		k = 0;
		if (t->hdr_off < t->hdr_size)
			k = vhostu_tx_put_hdr(t, &b);
		k += vhostu_tx_put_data(t, s, b.va + k, b.len - k);
		vhostu_log_write(vr->port, b.gpa, k);
		written += k;
	}
	return written;
}

/* Without MRG_RXBUF: one chain per frame. 0, -EINVAL, -EMSGSIZE, -ENOSPC (budget spent). */
static __rte_always_inline int
vhostu_tx_frame_one(struct vhostu_tx *t, const struct rte_mbuf *m)
{
	struct vhostu_vring *vr = t->vr;
	struct vhostu_src s;
	uint16_t head;
	int r;

	/* Never true for the burst's first frame: reads start at 0. */
	if (unlikely(t->c.reads >= VHOSTU_BURST_BUDGET(vr->size)))
		return -ENOSPC;
	head = vhostu_avail_head(vr, t->la);
	t->la++;
	if (unlikely(head >= vr->size))
		return -EINVAL;
	vhostu_tx_start(t, &s, m);
	r = vhostu_tx_chain(t, head, &s);
	/* No room at all (zero-length buffers only) is a bad chain, not a small one. */
	if (unlikely(r <= 0)) {
		if (r == 0)
			r = -EINVAL;
		vhostu_used_set(vr, vr->last_used_idx + t->nused++, head, 0);
		return r;
	}
	if (unlikely(s.left != 0 || t->hdr_off < t->hdr_size)) {
		/* Too small for this frame: keep the buffer for the next one. */
		t->la--;
		return -EMSGSIZE;
	}
	vhostu_used_set(vr, vr->last_used_idx + t->nused++, head, r);
	return 0;
}

/* Return every chain taken for a frame we drop with len 0: nothing in them is valid. */
static void
vhostu_tx_void(struct vhostu_tx *t, uint16_t from)
{
	uint16_t i;

	for (i = from; i != t->nused; i++)
		vhostu_used_elem(t->vr, t->vr->last_used_idx + i)->len = 0;
}

/*
 * With MRG_RXBUF: as many chains as the frame needs. 0, -EINVAL, -ENOSPC (ring
 * empty, or the burst's budget spent: the frame waits for the next burst).
 */
static __rte_always_inline int
vhostu_tx_frame_mrg(struct vhostu_tx *t, const struct rte_mbuf *m)
{
	struct vhostu_vring *vr = t->vr;
	uint16_t start_la = t->la, start_used = t->nused, nbufs = 0, head;
	struct vhostu_src s;
	int r;

	vhostu_tx_start(t, &s, m);
	do {
		if (unlikely(t->la == t->avail_idx)) {
			t->la = start_la;
			t->nused = start_used;
			return -ENOSPC;
		}
		if (unlikely(t->c.reads >= VHOSTU_BURST_BUDGET(vr->size))) {
			if (start_la != vr->last_avail_idx) {
				t->la = start_la;
				t->nused = start_used;
				return -ENOSPC;
			}
			/* The first frame alone spent it: drop it, so that bursts advance. */
			vhostu_tx_void(t, start_used);
			return -EINVAL;
		}
		head = vhostu_avail_head(vr, t->la);
		t->la++;
		if (unlikely(head >= vr->size)) {
			vhostu_tx_void(t, start_used);
			return -EINVAL;
		}
		r = vhostu_tx_chain(t, head, &s);
		/*
		 * The whole header must be in the first chain: the guest parses it
		 * there. A chain with no room at all is bad: walking on from it is how
		 * zero-length descriptors would make a frame read ring size chains.
		 */
		if (unlikely(r <= 0 || t->hdr_off < t->hdr_size)) {
			vhostu_used_set(vr, vr->last_used_idx + t->nused++, head, 0);
			vhostu_tx_void(t, start_used);
			return -EINVAL;
		}
		vhostu_used_set(vr, vr->last_used_idx + t->nused++, head, r);
		nbufs++;
	} while (s.left != 0);
	vhostu_tx_set_num_buffers(t, nbufs);
	return 0;
}

/*
 * Enqueue up to n frames into the guest's RX ring. Returns how many of pkts
 * were consumed (sent, or dropped for the guest's fault) and freed; the rest
 * found the ring full and stay with the caller.
 */
uint16_t
vhostu_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n)
{
	struct vhostu_vring *vr = queue;
	struct vhostu_copies q;
	struct vhostu_tx t;
	uint16_t navail, i = 0;
	uint64_t bytes = 0, sent = 0;
	bool mrg;
	int r;

	if (unlikely(!vhostu_ring_enter(vr)))
		return 0;
	if (unlikely(vr->packed))
		return vhostu_tx_burst_packed(vr, pkts, n);
	if (unlikely(!vr->ready))
		goto out;
	vhostu_used_no_notify(vr);
	if (unlikely(!vhostu_avail_count(vr, &t.avail_idx, &navail)))
		goto out;
	t.vr = vr;
	t.la = vr->last_avail_idx;
	t.nused = 0;
	t.c.reads = 0;
	mrg = vhostu_has_feature(vr->port, VHOSTU_VIRTIO_NET_F_MRG_RXBUF);
	vhostu_tx_hdr_init(&t, vr->port);
	/* While the frontend logs dirty pages, each copy must land before it is logged. */
	q.n = 0;
	t.q = vhostu_logging(vr->port) ? NULL : &q;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (t.la == t.avail_idx)
			break;
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		if (unlikely(vhostu_tx_offload(&t, m) < 0)) {
			vr->stats.offload_drops++;
			continue;
		}
		r = mrg ? vhostu_tx_frame_mrg(&t, m) : vhostu_tx_frame_one(&t, m);
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
	vhostu_copies_flush(&q);	/* before used->idx and before the mbufs are freed */
	vr->last_avail_idx = t.la;
	/* IN_ORDER or not, one entry per chain: the guest reads each one's length. */
	vhostu_used_publish(vr, t.nused, t.nused);
	vr->stats.no_desc += n - i;
	vr->stats.packets += sent;
	vr->stats.bytes += bytes;
	vr->stats.desc_reads += t.c.reads;
	vhostu_notify_check(vr, t.nused);
	vhostu_ring_leave(vr);
	if (i != 0)
		rte_pktmbuf_free_bulk(pkts, i);
	return i;
out:
	vhostu_ring_leave(vr);
	return 0;
}
