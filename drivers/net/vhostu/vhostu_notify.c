/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest notifications of net_vhostu, out of the bursts' line: the eventfd
 * write, the flush a burst or the paired rx poll asks for, and the control
 * thread's backstop for frames nobody else flushes. The coalescing settings
 * are switch-wide (show vhost-user's Global block).
 */
#include <stddef.h>
#include <unistd.h>

#include <rte_atomic.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_spinlock.h>

#include "vhostu_internal.h"
#include "vhostu_notify.h"
#include "vhostu_packed.h"

uint32_t vhostu_coalesce_frames = 32;
/* 0 until the first burst converts vhostu_coalesce_time with the TSC rate. */
uint64_t vhostu_coalesce_tsc;
double vhostu_coalesce_time = 1e-3;

/*
 * With EVENT_IDX: does the guest want a signal for what was published since
 * the last decision? "old" is used->idx at that decision, whether it signalled
 * or not, so frames coalesced over several bursts are one batch, and a batch
 * that crosses used_event signals however many bursts it took. A guest that
 * moves used_event back behind us re-reads used->idx after it (its side of
 * the barrier), so it needs no signal for what it skipped. After a (re)start
 * (SET_VRING_BASE, reconnect, migration) there is no "old": signal.
 */
static bool
vhostu_notify_event_idx(struct vhostu_vring *vr)
{
	uint16_t new_idx, old_idx = vr->signalled_used;
	bool valid = vr->signalled_valid;

	/* What the guest sees: a burst on another lcore may have published more since. */
	new_idx = __atomic_load_n((uint16_t *)RTE_PTR_ADD(vr->used,
			offsetof(struct vhostu_used, idx)), __ATOMIC_RELAXED);
	vr->signalled_used = new_idx;
	vr->signalled_valid = true;
	return !valid || vhostu_need_event(*vhostu_used_event(vr), new_idx, old_idx);
}

/*
 * A packed ring: the driver event suppression area decides. Without
 * EVENT_IDX only DISABLE keeps us quiet. With it, ENABLE signals, DISABLE
 * does not, and DESC signals when the used descriptor at the driver's offset
 * and wrap counter is among the positions used since the last decision, as
 * for split rings: every decision, whatever the mode, starts a new batch
 * (a driver that switches to DESC re-reads the ring after it, its side of
 * the barrier), and the first one after a (re)start signals. "New" is what
 * the bursts published (vr->used_pub), not our position: a burst on another
 * lcore may be half way.
 */
static bool
vhostu_notify_packed(struct vhostu_vring *vr)
{
	const volatile struct vhostu_pevent *ev = vhostu_packed_driver_event(vr);
	uint32_t old = vr->signalled_count, count;
	bool valid = vr->signalled_valid;
	uint16_t flags, event;
	uint64_t pub;

	if (!vhostu_has_feature(vr->port, VHOSTU_VIRTIO_RING_F_EVENT_IDX))
		return !vhostu_packed_no_call(vr);
	pub = __atomic_load_n(&vr->used_pub, __ATOMIC_ACQUIRE);
	count = (uint32_t)(pub >> 32);
	vr->signalled_count = count;
	vr->signalled_valid = true;
	/* The driver writes off_wrap before it sets DESC: flags first, then the offset. */
	flags = __atomic_load_n((const uint16_t *)RTE_PTR_ADD(vr->avail,
			offsetof(struct vhostu_pevent, flags)), __ATOMIC_ACQUIRE);
	if (flags != VRING_PACKED_EVENT_DESC)
		return flags != VRING_PACKED_EVENT_DISABLE;
	if (!valid)
		return true;
	event = ev->off_wrap;
	return vhostu_packed_need_event(event, (uint16_t)pub, count - old, vr->size);
}

/* Signal now; notify_lock held, the frames decided on (calls_decided moved). */
static void
vhostu_notify_at(struct vhostu_vring *vr, uint64_t now)
{
	const uint64_t one = 1;

	__atomic_store_n(&vr->last_call_tsc, now, __ATOMIC_RELAXED);
	if (vr->callfd < 0 || vr->avail == NULL)
		return;
	/*
	 * Our used->idx store (packed: the used descriptors' flags) must be
	 * visible before we read the guest's flags or used_event (packed: its
	 * event suppression area): the guest writes those and then reads ours, so
	 * without this full fence both sides can miss the other's store and the
	 * guest sleeps on frames it was never told about.
	 */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (unlikely(vr->packed)) {
		if (!vhostu_notify_packed(vr))
			return;
	} else if (vhostu_split_event_idx(vr->port)) {
		/* The flag means nothing then (virtio 1.x 2.7.10): only used_event counts. */
		if (!vhostu_notify_event_idx(vr))
			return;
	} else if (*(volatile uint16_t *)vr->avail & VRING_AVAIL_F_NO_INTERRUPT) {
		return;	/* avail->flags */
	}
	/* callfd is non-blocking (SET_VRING_CALL): a counter at its maximum fails here. */
	if (likely(write(vr->callfd, &one, sizeof(one)) == (ssize_t)sizeof(one)))
		vr->stats.notifications++;
	else
		vr->stats.notify_fail++;
}

void
vhostu_notify_flush(struct vhostu_vring *vr, uint64_t now)
{
	uint32_t published;

	if (!rte_spinlock_trylock(&vr->notify_lock))
		return;
	/* Acquire: the used entries counted were published before. */
	published = __atomic_load_n(&vr->calls_published, __ATOMIC_ACQUIRE);
	if (published != vr->calls_decided) {
		__atomic_store_n(&vr->calls_decided, published, __ATOMIC_RELAXED);
		vhostu_notify_at(vr, now);
	}
	rte_spinlock_unlock(&vr->notify_lock);
}

void
vhostu_notify_guest(struct vhostu_vring *vr)
{
	rte_spinlock_lock(&vr->notify_lock);
	__atomic_store_n(&vr->calls_decided, __atomic_load_n(&vr->calls_published,
			__ATOMIC_ACQUIRE), __ATOMIC_RELAXED);
	vhostu_notify_at(vr, rte_rdtsc());
	rte_spinlock_unlock(&vr->notify_lock);
}

/*
 * The backstop: frames a burst left pending with no burst or rx poll to
 * follow are signalled once they waited the coalescing time. The control
 * thread calls it; it pauses no ring (a tx burst must not fail for it).
 */
bool
vhostu_notify_backstop(struct vhostu_port *p)
{
	uint64_t now = rte_rdtsc(), wait = vhostu_coalesce_cycles();
	bool left = false;
	unsigned int i;

	for (i = 0; i < RTE_DIM(p->vrings); i++) {
		struct vhostu_vring *vr = &p->vrings[i];

		if (likely(vhostu_calls_pending(vr) == 0))
			continue;
		if (now - __atomic_load_n(&vr->last_call_tsc, __ATOMIC_RELAXED) >= wait)
			vhostu_notify_flush(vr, now);
		if (vhostu_calls_pending(vr) != 0)
			left = true;
	}
	return left;
}

/* How soon the backstop must run again while calls are pending: the coalescing time. */
int
vhostu_notify_backstop_ms(void)
{
	double ms = vhostu_coalesce_time * 1e3;

	if (!(ms >= 1.0))
		return 1;
	return ms > 100.0 ? 100 : (int)ms;
}
