/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frontend memory: the regions of SET_MEM_TABLE / ADD_MEM_REG mapped into our
 * address space, and the dirty-page log of SET_LOG_BASE. The callers (message
 * handlers) pause every vring while the table changes. A mapping of a file
 * the frontend could still shrink is watched for SIGBUS (vhostu_fault.c) from
 * its mmap to its munmap.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vhostu_internal.h"

static uint64_t
vhostu_page_size(void)
{
	long sz = sysconf(_SC_PAGESIZE);

	return sz > 0 ? (uint64_t)sz : 4096;
}

/* A new region must not overlap an existing one, in either address space. */
static bool
vhostu_ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * Touching a mapping beyond the end of its file raises SIGBUS: refuse any
 * range the file does not hold. Devices are refused too: their size cannot be
 * checked, and /dev/zero at an offset maps, then raises SIGBUS on the first
 * touch (test/fuzz/regress/msg/devzero-*).
 */
static int
vhostu_fd_holds(int fd, uint64_t offset, uint64_t len)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EBADF;
	if ((uint64_t)st.st_size < offset || (uint64_t)st.st_size - offset < len)
		return -ERANGE;
	return 0;
}

static int
vhostu_region_check(const struct vhostu_mem *m, const struct vhostu_mem_region *w)
{
	uint32_t i;

	if (w->memory_size == 0)
		return -EINVAL;
	if (w->guest_phys_addr + w->memory_size < w->guest_phys_addr ||
			w->userspace_addr + w->memory_size < w->userspace_addr ||
			w->mmap_offset + w->memory_size < w->mmap_offset ||
			w->memory_size > SIZE_MAX / 2)
		return -EOVERFLOW;
	for (i = 0; i < m->nregions; i++) {
		const struct vhostu_region *r = &m->regions[i];

		if (vhostu_ranges_overlap(w->guest_phys_addr, w->memory_size,
				r->guest_phys_addr, r->size) ||
				vhostu_ranges_overlap(w->userspace_addr, w->memory_size,
				r->user_addr, r->size))
			return -EEXIST;
	}
	return 0;
}

/*
 * Map one region. On success the region owns fd; on failure the caller still
 * owns it (and closes it).
 */
int
vhostu_mem_add_region(struct vhostu_port *p, struct vhostu_mem *m,
		const struct vhostu_mem_region *w, int fd)
{
	uint64_t pgsz = vhostu_page_size();
	uint64_t map_off, delta, len;
	struct vhostu_region *r;
	void *base;
	int ret;

	if (m->nregions >= VHOSTU_MAX_MEM_SLOTS)
		return -ENOSPC;
	ret = vhostu_region_check(m, w);
	if (ret == 0)
		ret = vhostu_fd_holds(fd, w->mmap_offset, w->memory_size);
	if (ret < 0)
		return ret;
	map_off = w->mmap_offset & ~(pgsz - 1);
	delta = w->mmap_offset - map_off;
	len = RTE_ALIGN_CEIL(w->memory_size + delta, pgsz);
	base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		(off_t)map_off);
	if (base == MAP_FAILED)
		return -errno;
	ret = vhostu_fault_watch(p, base, len, fd, VHOSTU_FAULT_REGION, w->guest_phys_addr,
		w->memory_size);
	if (ret < 0) {
		munmap(base, len);
		return ret;
	}
	r = &m->regions[m->nregions];
	r->guest_phys_addr = w->guest_phys_addr;
	r->size = w->memory_size;
	r->user_addr = w->userspace_addr;
	r->mmap_offset = w->mmap_offset;
	r->map_base = base;
	r->map_len = len;
	r->host_addr = (uint64_t)(uintptr_t)base + delta;
	r->fd = fd;
	m->nregions++;
	return 0;
}

static void
vhostu_region_unmap(struct vhostu_region *r)
{
	if (r->map_base != NULL) {
		vhostu_fault_unwatch(r->map_base);
		munmap(r->map_base, r->map_len);
	}
	if (r->fd >= 0)
		close(r->fd);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

void
vhostu_mem_remove_region(struct vhostu_mem *m, uint32_t i)
{
	if (i >= m->nregions)
		return;
	vhostu_region_unmap(&m->regions[i]);
	memmove(&m->regions[i], &m->regions[i + 1],
		(m->nregions - i - 1) * sizeof(m->regions[0]));
	m->nregions--;
	m->regions[m->nregions].fd = -1;
}

void
vhostu_mem_clear(struct vhostu_mem *m)
{
	while (m->nregions > 0)
		vhostu_mem_remove_region(m, m->nregions - 1);
}

/* True when the table already maps exactly these regions (QEMU resends it). */
bool
vhostu_mem_same(const struct vhostu_mem *m, const struct vhostu_mem_region *w, uint32_t n)
{
	uint32_t i;

	if (m->nregions != n)
		return false;
	for (i = 0; i < n; i++) {
		const struct vhostu_region *r = &m->regions[i];

		if (r->guest_phys_addr != w[i].guest_phys_addr || r->size != w[i].memory_size ||
				r->user_addr != w[i].userspace_addr ||
				r->mmap_offset != w[i].mmap_offset)
			return false;
	}
	return true;
}

/* Map the dirty log: size bytes at offset in fd. On success the fd is closed. */
int
vhostu_log_map(struct vhostu_port *p, int fd, uint64_t size, uint64_t offset)
{
	uint64_t pgsz = vhostu_page_size();
	uint64_t map_off, delta, len;
	void *base;
	int ret;

	if (size == 0 || size > SIZE_MAX / 2 || offset + size < offset)
		return -EINVAL;
	ret = vhostu_fd_holds(fd, offset, size);
	if (ret < 0)
		return ret;
	map_off = offset & ~(pgsz - 1);
	delta = offset - map_off;
	len = RTE_ALIGN_CEIL(size + delta, pgsz);
	base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)map_off);
	if (base == MAP_FAILED)
		return -errno;
	ret = vhostu_fault_watch(p, base, len, fd, VHOSTU_FAULT_LOG, 0, size);
	if (ret < 0) {
		munmap(base, len);
		return ret;
	}
	vhostu_log_unmap(p);
	p->log_base = base;
	p->log_map_len = len;
	p->log_addr = (uint8_t *)base + delta;
	p->log_size = size;
	close(fd);
	return 0;
}

void
vhostu_log_unmap(struct vhostu_port *p)
{
	if (p->log_base != NULL) {
		vhostu_fault_unwatch(p->log_base);
		munmap(p->log_base, p->log_map_len);
	}
	p->log_base = NULL;
	p->log_addr = NULL;
	p->log_map_len = 0;
	p->log_size = 0;
}
