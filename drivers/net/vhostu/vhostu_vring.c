/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Vring lifecycle on the control thread: the state SET_VRING_* builds up, the
 * translation of ring addresses into our address space, and the readiness a
 * burst checks. Changes to what a burst reads are made with the ring paused
 * (vhostu_guard.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "vhostu_internal.h"

void
vhostu_vring_init(struct vhostu_vring *vr, struct vhostu_port *p, uint16_t index)
{
	vhostu_guard_setup();	/* before the first port's rings are used */
	memset(vr, 0, sizeof(*vr));
	rte_spinlock_init(&vr->notify_lock);
	vr->port = p;
	vr->index = index;
	vr->kickfd = -1;
	vr->callfd = -1;
	vr->errfd = -1;
	vr->intr_epfd = -1;
	vr->intr_wakefd = -1;
	vr->avail_wrap = true;	/* packed rings' wrap counters start at 1 */
	vr->used_wrap = true;
}

/* Back to the state of a new connection; the caller has paused the ring. */
void
vhostu_vring_reset(struct vhostu_vring *vr)
{
	vhostu_vring_set_kick(vr, -1);
	vhostu_close_fd(&vr->callfd);
	vhostu_close_fd(&vr->errfd);
	vr->ready = false;
	vr->started = false;
	vr->enabled = false;
	vr->addr_set = false;
	vr->touched = false;
	vr->desc = NULL;
	vr->avail = NULL;
	vr->used = NULL;
	vr->size = 0;
	vr->last_avail_idx = 0;
	vr->last_used_idx = 0;
	vr->packed = false;
	vr->avail_wrap = true;
	vr->used_wrap = true;
	vr->log_desc_gpa = 0;
	vr->log_event_gpa = 0;
	vr->log_used = false;
	vr->log_guest_addr = 0;
	__atomic_store_n(&vr->calls_published, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&vr->calls_decided, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&vr->calls_looked, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&vr->last_call_tsc, 0, __ATOMIC_RELAXED);
	vr->signalled_used = 0;
	vr->signalled_valid = false;
	memset(&vr->addr, 0, sizeof(vr->addr));
}

static bool
vhostu_aligned(const void *p, uintptr_t align)
{
	return ((uintptr_t)p & (align - 1)) == 0;
}

/* The guest-physical address of our address va inside region memory, for the dirty log. */
static uint64_t
vhostu_va_to_gpa(const struct vhostu_mem *m, const void *va)
{
	uint64_t a = (uint64_t)(uintptr_t)va;
	uint32_t i;

	for (i = 0; i < m->nregions; i++) {
		const struct vhostu_region *r = &m->regions[i];

		if (a >= r->host_addr && a - r->host_addr < r->size)
			return r->guest_phys_addr + (a - r->host_addr);
	}
	return 0;
}

/*
 * A packed ring: the descriptor ring (16 bytes a descriptor, aligned 16) and
 * the two event suppression areas (4 bytes, aligned 4), and a base inside
 * the ring (the bursts index the ring with it).
 */
static int
vhostu_vring_translate_packed(struct vhostu_port *p, struct vhostu_vring *vr)
{
	uint64_t n = vr->size;

	vr->desc = vhostu_uva_to_va(&p->mem, vr->addr.desc_user_addr,
		n * sizeof(struct vhostu_desc));
	vr->avail = vhostu_uva_to_va(&p->mem, vr->addr.avail_user_addr, 4);
	vr->used = vhostu_uva_to_va(&p->mem, vr->addr.used_user_addr, 4);
	if (vr->desc == NULL || vr->avail == NULL || vr->used == NULL ||
			!vhostu_aligned(vr->desc, 16) || !vhostu_aligned(vr->avail, 4) ||
			!vhostu_aligned(vr->used, 4)) {
		VHOSTU_PORT_LOG(p, ERR, "vring %u: packed ring addresses (desc 0x%" PRIx64
			" driver area 0x%" PRIx64 " device area 0x%" PRIx64 ", size %u) are"
			" not inside the frontend's memory or misaligned",
			vr->index, vr->addr.desc_user_addr, vr->addr.avail_user_addr,
			vr->addr.used_user_addr, vr->size);
		return -EFAULT;
	}
	if (vr->last_avail_idx >= n || vr->last_used_idx >= n) {
		VHOSTU_PORT_LOG(p, ERR, "vring %u: packed ring base %u/%u is outside the"
			" ring of %u", vr->index, vr->last_avail_idx, vr->last_used_idx, vr->size);
		return -ERANGE;
	}
	vr->log_desc_gpa = vhostu_va_to_gpa(&p->mem, vr->desc);
	vr->log_event_gpa = vhostu_va_to_gpa(&p->mem, vr->used);
	return 0;
}

/*
 * Map the ring addresses the frontend gave (its virtual addresses) into ours.
 * Each part must lie wholly inside one region. The caller has paused the ring.
 */
int
vhostu_vring_translate(struct vhostu_port *p, struct vhostu_vring *vr)
{
	uint64_t extra = vhostu_has_feature(p, VHOSTU_VIRTIO_RING_F_EVENT_IDX) ? 2 : 0;
	uint64_t n = vr->size;
	int ret;

	vr->desc = NULL;
	vr->avail = NULL;
	vr->used = NULL;
	vr->packed = vhostu_has_feature(p, VHOSTU_VIRTIO_F_RING_PACKED);
	if (!vr->addr_set || n == 0 || p->mem.nregions == 0)
		return 0;
	if (vr->packed) {
		ret = vhostu_vring_translate_packed(p, vr);
		if (ret < 0) {
			vr->desc = NULL;
			vr->avail = NULL;
			vr->used = NULL;
		}
		return ret;
	}
	if ((n & (n - 1)) != 0) {
		VHOSTU_PORT_LOG(p, ERR, "vring %u: size %u is not a power of two: a split"
			" ring must be", vr->index, vr->size);
		return -EINVAL;
	}
	vr->desc = vhostu_uva_to_va(&p->mem, vr->addr.desc_user_addr,
		n * sizeof(struct vhostu_desc));
	vr->avail = vhostu_uva_to_va(&p->mem, vr->addr.avail_user_addr,
		sizeof(struct vhostu_avail) + n * sizeof(uint16_t) + extra);
	vr->used = vhostu_uva_to_va(&p->mem, vr->addr.used_user_addr,
		sizeof(struct vhostu_used) + n * sizeof(struct vhostu_used_elem) + extra);
	if (vr->desc == NULL || vr->avail == NULL || vr->used == NULL ||
			!vhostu_aligned(vr->desc, 16) || !vhostu_aligned(vr->avail, 2) ||
			!vhostu_aligned(vr->used, 4)) {
		VHOSTU_PORT_LOG(p, ERR, "vring %u: ring addresses (desc 0x%" PRIx64
			" avail 0x%" PRIx64 " used 0x%" PRIx64 ", size %u) are not inside the"
			" frontend's memory or misaligned",
			vr->index, vr->addr.desc_user_addr, vr->addr.avail_user_addr,
			vr->addr.used_user_addr, vr->size);
		vr->desc = NULL;
		vr->avail = NULL;
		vr->used = NULL;
		return -EFAULT;
	}
	/* A frontend that reconnects hands over a ring in use: resume where it is. */
	if (vr->used->idx != vr->last_used_idx) {
		VHOSTU_PORT_LOG(p, INFO, "vring %u: used idx %u differs from base %u,"
			" resuming at %u",
			vr->index, vr->used->idx, vr->last_used_idx, vr->used->idx);
		vr->last_used_idx = vr->used->idx;
		vr->last_avail_idx = vr->used->idx;
	}
	return 0;
}

/*
 * Recompute whether a burst may use the ring; the caller has paused it and
 * holds its notify_lock. A ring that (re)starts, after SET_VRING_BASE, a
 * reconnect or a migration, has no last signal decision to go by: with
 * EVENT_IDX its next decision signals (the guest may wait on a used_event
 * that our index passed before the restart).
 */
void
vhostu_vring_update_ready(struct vhostu_port *p, struct vhostu_vring *vr)
{
	bool was = vr->ready;

	RTE_SET_USED(p);
	vr->ready = vr->started && vr->enabled && vr->desc != NULL && vr->size != 0;
	if (vr->ready && !was)
		vr->signalled_valid = false;
}

/*
 * Pause the datapath of p: every ring (one membarrier for all), then every
 * notification lock, so that neither a burst nor a flusher of another ring is
 * inside what changes.
 */
void
vhostu_port_pause(struct vhostu_port *p)
{
	unsigned int i;

	vhostu_vrings_pause(p->vrings, RTE_DIM(p->vrings));
	for (i = 0; i < RTE_DIM(p->vrings); i++)
		rte_spinlock_lock(&p->vrings[i].notify_lock);
}

void
vhostu_port_resume(struct vhostu_port *p)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(p->vrings); i++)
		rte_spinlock_unlock(&p->vrings[i].notify_lock);
	vhostu_vrings_resume(p->vrings, RTE_DIM(p->vrings));
}

/* A queue pair is ready, and the driver said DRIVER_OK where STATUS is negotiated. */
bool
vhostu_port_ready(const struct vhostu_port *p)
{
	unsigned int q;

	if (p->conn_state != VHOSTU_CONN_UP)
		return false;
	if (vhostu_has_protocol_feature(p, VHOSTU_PF_STATUS) &&
			!(p->status & VHOSTU_STATUS_DRIVER_OK))
		return false;
	for (q = 0; q < p->max_queue_pairs; q++)
		if (p->vrings[2 * q].ready && p->vrings[2 * q + 1].ready)
			return true;
	return false;
}
