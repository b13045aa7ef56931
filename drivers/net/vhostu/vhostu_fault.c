/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Surviving a frontend that shrinks a file we map.
 *
 * Guest memory and the dirty log are files of the frontend mapped MAP_SHARED.
 * When the frontend truncates one, the next access beyond its new end raises
 * SIGBUS, which would kill the whole switch. A memfd sealed against shrinking
 * (F_SEAL_SHRINK, QEMU's default for memory-backend-memfd) cannot do that and
 * is not watched. Every other mapping is entered in a registry that a SIGBUS
 * handler reads: for an address inside one of them, the handler replaces the
 * whole mapping in place by anonymous memory (the faulting access is retried
 * and reads zeros), records the fault in the port and wakes the control
 * thread, which closes that port's connection. Other addresses go to the
 * handler that was installed before ours, so other faults still end the
 * process as they did.
 *
 * The registry is a fixed array: the control path adds and removes entries
 * under a mutex; the handler reads it without locks. Each entry carries a
 * sequence number, odd while it is being rewritten, so the handler never acts
 * on an entry it read half old, half new. An entry is removed before its
 * mapping is unmapped, and mappings are unmapped only while no burst can be
 * inside them (every vring paused), so the handler never replaces memory
 * that is no longer ours.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "vhostu_internal.h"

#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC	0x958458f6
#endif

/*
 * Room for every mapping of every port at once: each may have all its memory
 * slots and a log, twice while a table or log is swapped (the new one is
 * mapped before the old one goes). Only the entries in use are touched (and
 * scanned by the handler), so the size costs address space, not memory.
 */
#define VHOSTU_FAULT_MAX_WATCH	(RTE_MAX_ETHPORTS * 2 * (VHOSTU_MAX_MEM_SLOTS + 1))

struct vhostu_fault_entry {
	uint32_t seq;		/* odd while the entry changes */
	uint32_t kind;		/* enum vhostu_fault_kind */
	uintptr_t start;	/* 0: free */
	size_t len;
	struct vhostu_port *port;
	uint64_t gpa;		/* region: its guest-physical address */
	uint64_t size;		/* region or log size, for the log line */
};

static struct {
	pthread_mutex_t lock;	/* writers only; the handler takes no lock */
	bool installed;
	uint32_t nslots;	/* entries [0, nslots) may be in use */
	uint32_t pending;	/* faults recorded since the control thread last looked */
	int wakefd;		/* the control thread's eventfd, -1 without one */
	struct sigaction old;	/* the handler ours chains to */
	struct vhostu_fault_entry e[VHOSTU_FAULT_MAX_WATCH];
} vhostu_fault = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wakefd = -1,
};

/* What the handler copied out of an entry. */
struct vhostu_fault_hit {
	uint32_t kind;
	uintptr_t start;
	size_t len;
	struct vhostu_port *port;
	uint64_t gpa;
	uint64_t size;
};

#define VHOSTU_LOAD(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define VHOSTU_STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

/* Async-signal-safe: atomics only. */
static bool
vhostu_fault_lookup(uintptr_t addr, struct vhostu_fault_hit *h)
{
	uint32_t i, n = __atomic_load_n(&vhostu_fault.nslots, __ATOMIC_ACQUIRE);

	for (i = 0; i < n; i++) {
		struct vhostu_fault_entry *e = &vhostu_fault.e[i];
		uint32_t seq = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);

		if (seq & 1)
			continue;	/* being added or removed: not in use by a burst */
		h->start = VHOSTU_LOAD(e->start);
		h->len = VHOSTU_LOAD(e->len);
		h->port = VHOSTU_LOAD(e->port);
		h->kind = VHOSTU_LOAD(e->kind);
		h->gpa = VHOSTU_LOAD(e->gpa);
		h->size = VHOSTU_LOAD(e->size);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (VHOSTU_LOAD(e->seq) != seq)
			continue;
		if (h->start != 0 && addr >= h->start && addr - h->start < h->len)
			return true;
	}
	return false;
}

/* Record the first fault of a port and wake the control thread; async-signal-safe. */
static void
vhostu_fault_record(const struct vhostu_fault_hit *h, uintptr_t addr)
{
	struct vhostu_port *p = h->port;
	uint32_t none = 0;
	uint64_t one = 1;
	int fd;

	if (__atomic_compare_exchange_n(&p->fault_state, &none, VHOSTU_FAULT_RECORDING, false,
			__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		p->fault.kind = h->kind;
		p->fault.gpa = h->gpa;
		p->fault.size = h->size;
		p->fault.offset = addr - h->start;
		__atomic_store_n(&p->fault_state, VHOSTU_FAULT_RECORDED, __ATOMIC_RELEASE);
	}
	__atomic_fetch_add(&vhostu_fault.pending, 1, __ATOMIC_RELEASE);
	fd = __atomic_load_n(&vhostu_fault.wakefd, __ATOMIC_ACQUIRE);
	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0)
		return;	/* the 100 ms tick looks anyway */
}

/* Not ours: what would have happened without us. */
static void
vhostu_fault_chain(int sig, siginfo_t *si, void *uctx)
{
	const struct sigaction *old = &vhostu_fault.old;
	struct sigaction dfl;

	if (old->sa_flags & SA_SIGINFO) {
		old->sa_sigaction(sig, si, uctx);
		return;
	}
	if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
		old->sa_handler(sig);
		return;
	}
	/* The default action (a SIGBUS from a fault cannot be ignored): die of it. */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, NULL);
	raise(sig);
}

static void
vhostu_fault_sigbus(int sig, siginfo_t *si, void *uctx)
{
	struct vhostu_fault_hit h;
	int saved_errno = errno;
	void *m;

	/* si_code <= 0: sent by a process, si_addr means nothing. */
	if (si->si_code > 0 && vhostu_fault_lookup((uintptr_t)si->si_addr, &h)) {
		m = mmap((void *)h.start, h.len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
		if (m != MAP_FAILED) {
			vhostu_fault_record(&h, (uintptr_t)si->si_addr);
			errno = saved_errno;
			return;	/* the access is retried on zeros */
		}
	}
	errno = saved_errno;
	vhostu_fault_chain(sig, si, uctx);
}

/* Install the handler with the first watched mapping; the lock is held. */
static int
vhostu_fault_install(void)
{
	struct sigaction sa;

	if (vhostu_fault.installed)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = vhostu_fault_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &vhostu_fault.old) < 0)
		return -errno;
	vhostu_fault.installed = true;
	/* A sanitizer may keep the signal to itself (ASan's allow_user_segv_handler=0). */
	if (sigaction(SIGBUS, NULL, &sa) == 0 && sa.sa_sigaction != vhostu_fault_sigbus)
		VHOSTU_LOG(WARNING, "the SIGBUS handler did not take: a frontend that shrinks "
			"its memory will crash the process");
	return 0;
}

/*
 * A file that cannot shrink needs no watch: a memfd sealed with F_SEAL_SHRINK.
 * Not on hugetlbfs, though: a page there can still be missing (a hole punched
 * and no huge page left), which is a SIGBUS too.
 */
static bool
vhostu_fault_cannot_shrink(int fd)
{
	struct statfs sfs;
	int seals = fcntl(fd, F_GET_SEALS);

	if (seals < 0 || !(seals & F_SEAL_SHRINK))
		return false;
	return fstatfs(fd, &sfs) == 0 && (uint64_t)sfs.f_type != HUGETLBFS_MAGIC;
}

int
vhostu_fault_watch(struct vhostu_port *p, void *base, size_t len, int fd,
		enum vhostu_fault_kind kind, uint64_t gpa, uint64_t size)
{
	struct vhostu_fault_entry *e;
	uint32_t i;
	int ret;

	if (vhostu_fault_cannot_shrink(fd))
		return 0;
	pthread_mutex_lock(&vhostu_fault.lock);
	ret = vhostu_fault_install();
	if (ret < 0)
		goto out;
	for (i = 0; i < VHOSTU_FAULT_MAX_WATCH && vhostu_fault.e[i].start != 0; i++)
		;
	if (i == VHOSTU_FAULT_MAX_WATCH) {
		VHOSTU_PORT_LOG(p, ERR, "more than %u mappings of unsealed files to watch",
			(unsigned int)VHOSTU_FAULT_MAX_WATCH);
		ret = -ENOSPC;
		goto out;
	}
	e = &vhostu_fault.e[i];
	__atomic_store_n(&e->seq, e->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	VHOSTU_STORE(e->len, len);
	VHOSTU_STORE(e->port, p);
	VHOSTU_STORE(e->kind, (uint32_t)kind);
	VHOSTU_STORE(e->gpa, gpa);
	VHOSTU_STORE(e->size, size);
	VHOSTU_STORE(e->start, (uintptr_t)base);
	__atomic_store_n(&e->seq, e->seq + 1, __ATOMIC_RELEASE);
	if (i >= vhostu_fault.nslots)
		__atomic_store_n(&vhostu_fault.nslots, i + 1, __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&vhostu_fault.lock);
	return ret;
}

void
vhostu_fault_unwatch(void *base)
{
	uint32_t i;

	pthread_mutex_lock(&vhostu_fault.lock);
	for (i = 0; i < vhostu_fault.nslots; i++) {
		struct vhostu_fault_entry *e = &vhostu_fault.e[i];

		if (e->start != (uintptr_t)base)
			continue;
		__atomic_store_n(&e->seq, e->seq + 1, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		VHOSTU_STORE(e->start, 0);
		VHOSTU_STORE(e->port, NULL);
		__atomic_store_n(&e->seq, e->seq + 1, __ATOMIC_RELEASE);
		break;
	}
	pthread_mutex_unlock(&vhostu_fault.lock);
}

bool
vhostu_fault_watched(const void *addr)
{
	struct vhostu_fault_hit h;

	return vhostu_fault_lookup((uintptr_t)addr, &h);
}

void
vhostu_fault_set_wakefd(int fd)
{
	__atomic_store_n(&vhostu_fault.wakefd, fd, __ATOMIC_RELEASE);
}

bool
vhostu_fault_pending(void)
{
	return __atomic_exchange_n(&vhostu_fault.pending, 0, __ATOMIC_ACQUIRE) != 0;
}

/* The control thread, port->lock held: true (logged, cleared) when p faulted. */
bool
vhostu_fault_take(struct vhostu_port *p)
{
	const struct vhostu_fault_info *f = &p->fault;

	if (__atomic_load_n(&p->fault_state, __ATOMIC_ACQUIRE) != VHOSTU_FAULT_RECORDED)
		return false;
	if (f->kind == VHOSTU_FAULT_LOG)
		VHOSTU_PORT_LOG(p, ERR, "the frontend shrank the file of the dirty log (size 0x%"
			PRIx64 ") under our mapping: SIGBUS at offset 0x%" PRIx64
			"; the log now reads as zeros, closing the connection", f->size,
			f->offset);
	else
		VHOSTU_PORT_LOG(p, ERR, "the frontend shrank the file of memory region gpa 0x%"
			PRIx64 " size 0x%" PRIx64 " under our mapping: SIGBUS at offset 0x%" PRIx64
			"; the region now reads as zeros, closing the connection", f->gpa,
			f->size, f->offset);
	__atomic_store_n(&p->fault_state, VHOSTU_FAULT_NONE, __ATOMIC_RELEASE);
	return true;
}
