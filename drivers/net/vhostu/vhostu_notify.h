/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest notifications (the call eventfd) of net_vhostu: what the bursts run
 * inline after every burst, and the flusher they call when it is time to
 * signal (vhostu_notify.c). doc/design.md, "Guest notifications", says why
 * the state is kept apart from the ring and who may flush.
 */
#ifndef VHOSTU_NOTIFY_H
#define VHOSTU_NOTIFY_H

#include <rte_branch_prediction.h>
#include <rte_cycles.h>

#include "vhostu_internal.h"
#include "vhostu_packed.h"

/*
 * Guest notifications. A burst publishes used->idx (release), then stores its
 * count of published entries, calls_published (release; only the ring's
 * bursts write it, so no locked instruction). A flusher, under notify_lock
 * (trylock only), reads it (acquire), and if it moved since calls_decided,
 * decides on a signal and moves calls_decided there. A flusher that loses the
 * trylock leaves the frames pending for the next one, and the one holding the
 * lock may have read the count before our store: so no frame is ever
 * signalled before it is visible, and none is forgotten while a flusher still
 * runs. Flushers: the ring's own bursts, the rx burst of the paired ring (for
 * tx rings) and the control thread's backstop.
 *
 * A decision needs a full fence (vhostu_notify_at), which waits for every
 * store of the burst to reach the cache: in the far placement of the two
 * cores that was about a tenth of each burst, to learn that a polling guest
 * wants no call. So a burst first looks at the guest's flags without a fence
 * (vhostu_guest_polls): if they say it polls, it leaves its frames pending
 * and notes so (calls_looked). The look may be stale (the guest may have just
 * asked for calls and be reading used->idx before our store lands); the
 * frames are then decided with the fence at the latest after the coalescing
 * time, by the ring's next burst, the paired rx poll or the backstop, as any
 * pending frames are. An empty burst decides at once, as before.
 */

/* Frames published and not decided on. */
static __rte_always_inline uint32_t
vhostu_calls_pending(const struct vhostu_vring *vr)
{
	return __atomic_load_n(&vr->calls_published, __ATOMIC_RELAXED) -
		__atomic_load_n(&vr->calls_decided, __ATOMIC_RELAXED);
}

/*
 * Without a fence, only a hint: the guest said it wants no call for now
 * (split: VRING_AVAIL_F_NO_INTERRUPT without EVENT_IDX; packed: DISABLE
 * without EVENT_IDX). With EVENT_IDX, where the guest's index decides, the
 * burst decides at once as before. The caller is inside the ring's guard.
 */
static __rte_always_inline bool
vhostu_guest_polls(const struct vhostu_vring *vr)
{
	if (vhostu_has_feature(vr->port, VHOSTU_VIRTIO_RING_F_EVENT_IDX))
		return false;
	if (unlikely(vr->packed))
		return vhostu_packed_no_call(vr);
	return (*(volatile uint16_t *)vr->avail & VRING_AVAIL_F_NO_INTERRUPT) != 0;
}

/*
 * EVENT_IDX: the guest asked to be signalled once the used index passes
 * used_event, i.e. when entry used_event is among those published since the
 * last decision, [old, new), in 16-bit index arithmetic (virtio 1.x 2.7.10,
 * Linux's vring_need_event).
 */
static __rte_always_inline bool
vhostu_need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

/* Signal what is pending, unless another flusher holds the lock (it or the next one will). */
void vhostu_notify_flush(struct vhostu_vring *vr, uint64_t now);

/* The coalescing time in TSC cycles, converted on first use. */
static __rte_always_inline uint64_t
vhostu_coalesce_cycles(void)
{
	uint64_t tsc = __atomic_load_n(&vhostu_coalesce_tsc, __ATOMIC_RELAXED);

	if (unlikely(tsc == 0 && vhostu_coalesce_time > 0)) {
		tsc = (uint64_t)(vhostu_coalesce_time * rte_get_tsc_hz());
		__atomic_store_n(&vhostu_coalesce_tsc, tsc, __ATOMIC_RELAXED);
	}
	return tsc;
}

/*
 * Called at the end of every burst, empty ones included, after used->idx was
 * published. While frames keep coming, calls are coalesced by count and time;
 * the first empty burst after them means the queue went idle, and the guest is
 * told at once, so a lone frame (a ping) never waits for the coalescing time.
 */
static __rte_always_inline void
vhostu_notify_check(struct vhostu_vring *vr, uint16_t nused)
{
	uint32_t frames = vhostu_coalesce_frames, published, pending;
	uint64_t now;
	bool due;

	published = vr->calls_published;	/* ours: only this ring's bursts write it */
	if (nused != 0) {
		published += nused;
		__atomic_store_n(&vr->calls_published, published, __ATOMIC_RELEASE);
	}
	pending = published - __atomic_load_n(&vr->calls_decided, __ATOMIC_RELAXED);
	if (likely(pending == 0))
		return;
	now = rte_rdtsc();
	due = now - __atomic_load_n(&vr->last_call_tsc, __ATOMIC_RELAXED) >=
		vhostu_coalesce_cycles();
	if (nused != 0 && !due && vhostu_guest_polls(vr)) {
		__atomic_store_n(&vr->calls_looked, published, __ATOMIC_RELAXED);
		return;
	}
	if (nused == 0 || frames == 0 || pending >= frames || due)
		vhostu_notify_flush(vr, now);
}

/*
 * Applications call tx_burst only when they have frames (testpmd, l2fwd,
 * vhostu-fwd), so the empty tx burst that would signal frames a tx burst left
 * pending may never come: a lone reply then waited for the next frame to that
 * guest. The rx burst of the same queue pair, which the application polls all
 * the time, stands in for it: pending frames of the guest's RX ring 2q are
 * signalled by the next poll of ring 2q+1, as an empty tx burst would. It
 * takes only the notification lock of ring 2q, never enters its guard, so a
 * tx burst on another lcore is never made to fail. An application that does
 * not poll the paired rx queue has the control thread's backstop.
 */
static __rte_always_inline void
vhostu_notify_paired_tx(struct vhostu_vring *rxvr)
{
	struct vhostu_vring *vr = &rxvr->port->vrings[rxvr->index - 1];
	uint32_t published = __atomic_load_n(&vr->calls_published, __ATOMIC_RELAXED);
	uint64_t now;

	if (likely(published == __atomic_load_n(&vr->calls_decided, __ATOMIC_RELAXED)))
		return;
	now = rte_rdtsc();
	/* Left for later by a burst that saw the guest poll: only once they are due. */
	if (published == __atomic_load_n(&vr->calls_looked, __ATOMIC_RELAXED) &&
			now - __atomic_load_n(&vr->last_call_tsc, __ATOMIC_RELAXED) <
			vhostu_coalesce_cycles())
		return;
	vhostu_notify_flush(vr, now);
}

#endif /* VHOSTU_NOTIFY_H */
