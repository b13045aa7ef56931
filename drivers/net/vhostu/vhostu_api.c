/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rte_pmd_vhostu.h: snapshots of a port's vhost-user state for applications,
 * taken under the port's lock so that no message changes them half way, and
 * switch-wide settings.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>

#include "rte_pmd_vhostu.h"
#include "vhostu_internal.h"
#include "vhostu_packed.h"

static void
vhostu_snap_regions(const struct vhostu_port *p, struct rte_pmd_vhostu_info *info)
{
	uint32_t i;

	info->nregions = RTE_MIN(p->mem.nregions, (uint32_t)RTE_PMD_VHOSTU_MAX_REGIONS);
	for (i = 0; i < info->nregions; i++) {
		const struct vhostu_region *r = &p->mem.regions[i];
		struct rte_pmd_vhostu_region *o = &info->regions[i];

		o->fd = r->fd;
		o->guest_phys_addr = r->guest_phys_addr;
		o->memory_size = r->size;
		o->userspace_addr = r->user_addr;
		o->mmap_offset = r->mmap_offset;
		o->mmap_addr = r->host_addr;
	}
}

static void
vhostu_snap_vring(const struct vhostu_vring *vr, struct rte_pmd_vhostu_vring *o)
{
	o->qsz = vr->size;
	o->last_avail_idx = vr->last_avail_idx;
	o->last_used_idx = vr->last_used_idx;
	o->packed = vr->packed;
	o->avail_wrap = vr->avail_wrap;
	o->used_wrap = vr->used_wrap;
	o->kickfd = vr->kickfd;
	o->callfd = vr->callfd;
	o->errfd = vr->errfd;
	o->enabled = vr->enabled;
	o->ready = vr->ready;
	o->packets = vr->stats.packets;
	o->bytes = vr->stats.bytes;
	if (vr->avail != NULL && vr->used != NULL) {
		/* The guest writes these meanwhile: one volatile u16 load each. */
		const volatile uint16_t *avail = (const volatile uint16_t *)(void *)vr->avail;
		const volatile uint16_t *used = (const volatile uint16_t *)(void *)vr->used;

		/* Packed: struct vhostu_pevent, off_wrap then flags (4 bytes, as mapped). */
		o->avail_flags = vr->packed ? avail[1] : avail[0];
		o->avail_idx = vr->packed ? avail[0] : avail[1];
		o->used_flags = vr->packed ? used[1] : used[0];
		o->used_idx = vr->packed ? used[0] : used[1];
		/* Mapped with the rings when EVENT_IDX is negotiated (vhostu_vring_translate). */
		if (vhostu_split_event_idx(vr->port)) {
			o->event_idx = true;
			o->avail_event = *vhostu_avail_event(vr);
			o->used_event = *vhostu_used_event(vr);
		}
	}
}

bool
rte_pmd_vhostu_is_vhostu(uint16_t port_id)
{
	return vhostu_port_from_id(port_id) != NULL;
}

int
rte_pmd_vhostu_get_features(uint16_t port_id, uint64_t *features)
{
	const struct vhostu_port *p = vhostu_port_from_id(port_id);

	if (p == NULL || features == NULL)
		return -EINVAL;
	*features = __atomic_load_n(&p->features, __ATOMIC_RELAXED);
	return 0;
}

int
rte_pmd_vhostu_get_info(uint16_t port_id, struct rte_pmd_vhostu_info *info)
{
	struct vhostu_port *p = vhostu_port_from_id(port_id);
	uint32_t i;

	if (p == NULL || info == NULL)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	pthread_mutex_lock(&p->lock);
	strlcpy(info->socket_path, p->path, sizeof(info->socket_path));
	info->server = p->server;
	info->connected = p->conn_state == VHOSTU_CONN_UP;
	info->sock_errno = p->sock_errno;
	info->max_queue_pairs = p->max_queue_pairs;
	info->features_mask = p->feature_mask;
	info->features_offered = p->features_offered;
	info->features = p->features;
	info->protocol_features = p->protocol_features;
	info->virtio_net_hdr_sz = p->hdr_size;
	info->status = p->status;
	info->mtu = p->mtu;
	info->link_up = p->link_up;
	vhostu_snap_regions(p, info);
	info->nvrings = RTE_MIN(p->nvrings, (uint32_t)RTE_PMD_VHOSTU_MAX_VRINGS);
	for (i = 0; i < info->nvrings; i++)
		vhostu_snap_vring(&p->vrings[i], &info->vrings[i]);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

int
rte_pmd_vhostu_get_descriptors(uint16_t port_id, uint16_t vring,
		struct rte_pmd_vhostu_desc *out, uint32_t max)
{
	struct vhostu_port *p = vhostu_port_from_id(port_id);
	const struct vhostu_vring *vr;
	uint32_t i, n;

	if (p == NULL || (out == NULL && max > 0) || vring >= VHOSTU_MAX_VRINGS)
		return -EINVAL;
	pthread_mutex_lock(&p->lock);
	vr = &p->vrings[vring];
	n = vr->desc != NULL ? RTE_MIN(vr->size, max) : 0;
	for (i = 0; i < n; i++) {
		struct vhostu_desc d;
		struct vhostu_pdesc pd;
		void *va;

		/* The guest may change it meanwhile: one copy, then the fields. */
		if (vr->packed) {
			memcpy(&pd, &vhostu_pdesc_ring(vr)[i], sizeof(pd));
			out[i].addr = pd.addr;
			out[i].len = pd.len;
			out[i].flags = pd.flags;
			out[i].next = pd.id;
		} else {
			memcpy(&d, &vr->desc[i], sizeof(d));
			out[i].addr = d.addr;
			out[i].len = d.len;
			out[i].flags = d.flags;
			out[i].next = d.next;
		}
		va = vhostu_gpa_to_va(&p->mem, out[i].addr, 1);
		out[i].user_addr = (uint64_t)(uintptr_t)va;
	}
	pthread_mutex_unlock(&p->lock);
	return (int)n;
}

void
rte_pmd_vhostu_set_debug(bool on)
{
	rte_log_set_level(vhostu_logtype_msg, on ? RTE_LOG_DEBUG : RTE_LOG_INFO);
}

bool
rte_pmd_vhostu_get_debug(void)
{
	return rte_log_get_level(vhostu_logtype_msg) >= (int)RTE_LOG_DEBUG;
}

int
rte_pmd_vhostu_set_coalesce(uint32_t frames, double time_s)
{
	if (time_s < 0 || time_s > 1.0)
		return -EINVAL;
	vhostu_coalesce_frames = frames;
	vhostu_coalesce_time = time_s;
	vhostu_coalesce_tsc = (uint64_t)(time_s * (double)rte_get_tsc_hz());
	return 0;
}

void
rte_pmd_vhostu_get_coalesce(uint32_t *frames, double *time_s)
{
	if (frames != NULL)
		*frames = vhostu_coalesce_frames;
	if (time_s != NULL)
		*time_s = vhostu_coalesce_time;
}
