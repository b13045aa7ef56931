/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest notifications of net_vhostu, out of the bursts' line: the eventfd
 * write, the flush a burst or the paired rx poll asks for, and the control
 * thread's backstop for frames nobody else flushes. The coalescing settings
 * are switch-wide (show vhost-user's Global block).
 */
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

/* Signal now; notify_lock held, the frames taken from pending_calls. */
static void
vhostu_notify_at(struct vhostu_vring *vr, uint64_t now)
{
	const uint64_t one = 1;

	__atomic_store_n(&vr->last_call_tsc, now, __ATOMIC_RELAXED);
	if (vr->callfd < 0 || vr->avail == NULL)
		return;
	/* Our used->idx store must be visible before we read the guest's flags. */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (unlikely(vr->packed)) {
		if (vhostu_packed_no_call(vr))	/* the driver event suppression area */
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
	if (!rte_spinlock_trylock(&vr->notify_lock))
		return;
	if (__atomic_exchange_n(&vr->pending_calls, 0, __ATOMIC_ACQUIRE) != 0)
		vhostu_notify_at(vr, now);
	rte_spinlock_unlock(&vr->notify_lock);
}

void
vhostu_notify_guest(struct vhostu_vring *vr)
{
	rte_spinlock_lock(&vr->notify_lock);
	__atomic_store_n(&vr->pending_calls, 0, __ATOMIC_RELAXED);
	vhostu_notify_at(vr, rte_rdtsc());
	rte_spinlock_unlock(&vr->notify_lock);
}

/*
 * The backstop: frames a burst left pending with no burst or rx poll to
 * follow are signalled once they waited the coalescing time. The control
 * thread calls it; it takes no ring lock (a tx burst must not fail for it).
 */
bool
vhostu_notify_backstop(struct vhostu_port *p)
{
	uint64_t now = rte_rdtsc(), wait = vhostu_coalesce_cycles();
	bool left = false;
	unsigned int i;

	for (i = 0; i < RTE_DIM(p->vrings); i++) {
		struct vhostu_vring *vr = &p->vrings[i];

		if (likely(__atomic_load_n(&vr->pending_calls, __ATOMIC_RELAXED) == 0))
			continue;
		if (now - __atomic_load_n(&vr->last_call_tsc, __ATOMIC_RELAXED) >= wait)
			vhostu_notify_flush(vr, now);
		if (__atomic_load_n(&vr->pending_calls, __ATOMIC_RELAXED) != 0)
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
