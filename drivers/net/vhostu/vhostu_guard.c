/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The guard between a ring's bursts and its pausers (the contract is at the
 * top of vhostu_internal.h): an asymmetric Dekker pattern, liburcu's
 * membarrier flavour.
 *
 * A burst stores busy = 1 and then loads paused; a pauser stores paused = 1
 * and then loads busy. Each pair is a store followed by a load of another
 * word, which the CPU may reorder (x86's store buffer does) unless a full
 * fence separates them: without one on both sides, the burst could read
 * paused == 0 while the pauser reads busy == 0, and the pauser would unmap
 * memory the burst is in. Bursts run millions of times a second and pauses a
 * few times per connection, so the pauser pays for both sides:
 * membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) runs a full barrier on every
 * CPU running a thread of this process (a CPU that runs none passes through
 * the scheduler, a barrier too) before it returns. A burst's two accesses
 * then only need to stay in program order for the compiler. One membarrier
 * serves every ring a pause concerns.
 *
 * rx_intr_enable/disable, which may run on another thread than the ring's
 * bursts, count themselves in intr_busy and fence: pauses wait for both.
 *
 * The command must be registered once per process; where the kernel (older
 * than 4.14) or a seccomp filter refuses it, vhostu_guard_mode.fence stays
 * true and both sides execute a full fence, as a lock would.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/membarrier.h>
#endif

#include <rte_atomic.h>
#include <rte_pause.h>

#include "vhostu_internal.h"

/*
 * Bursts fence until membarrier is registered: a burst that runs before
 * vhostu_guard_setup is then as safe as one after it.
 */
struct vhostu_guard_mode vhostu_guard_mode = { .fence = true };

/* Pausers, one at a time: paused is a flag, not a count. */
static pthread_mutex_t vhostu_pause_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t vhostu_guard_once = PTHREAD_ONCE_INIT;

static long
vhostu_membarrier(int cmd)
{
#if defined(__linux__) && defined(__NR_membarrier)
	return syscall(__NR_membarrier, cmd, 0, 0);
#else
	RTE_SET_USED(cmd);
	errno = ENOSYS;
	return -1;
#endif
}

static void
vhostu_guard_setup_once(void)
{
#if defined(__linux__) && defined(__NR_membarrier)
	long cmds = vhostu_membarrier(MEMBARRIER_CMD_QUERY);

	if (cmds < 0) {
		VHOSTU_LOG(INFO, "membarrier(2) unavailable (%s): bursts enter their rings"
			" with a full fence", strerror(errno));
		return;
	}
	if (!(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED)) {
		VHOSTU_LOG(INFO, "membarrier(2) has no private expedited command: bursts"
			" enter their rings with a full fence");
		return;
	}
	if (vhostu_membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) != 0) {
		VHOSTU_LOG(INFO, "membarrier(2) registration refused (%s): bursts enter"
			" their rings with a full fence", strerror(errno));
		return;
	}
	/* Registered: from now on every pause calls membarrier. */
	__atomic_store_n(&vhostu_guard_mode.fence, false, __ATOMIC_RELEASE);
#else
	VHOSTU_LOG(INFO, "no membarrier(2): bursts enter their rings with a full fence");
#endif
}

/* Once per process, before the first port's rings are used. */
void
vhostu_guard_setup(void)
{
	pthread_once(&vhostu_guard_once, vhostu_guard_setup_once);
}

/*
 * The pausers' fence, standing for the one bursts do not execute. After a
 * successful registration membarrier cannot fail; if it did, bursts would
 * have entered without a fence and none of ours would make up for it.
 */
static void
vhostu_guard_barrier(void)
{
	static bool logged;

	if (__atomic_load_n(&vhostu_guard_mode.fence, __ATOMIC_ACQUIRE)) {
		rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
		return;
	}
	if (likely(vhostu_membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0))
		return;
	if (!logged)
		VHOSTU_LOG(ERR, "membarrier(2) failed after registration (%s): a burst"
			" may be inside a ring being paused", strerror(errno));
	logged = true;
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void
vhostu_vrings_pause(struct vhostu_vring *vrs, unsigned int n)
{
	unsigned int i;

	pthread_mutex_lock(&vhostu_pause_mutex);
	for (i = 0; i < n; i++)
		__atomic_store_n(&vrs[i].paused, 1, __ATOMIC_RELAXED);
	vhostu_guard_barrier();
	/* Bursts and intr calls never wait and are bounded: each one inside leaves soon. */
	for (i = 0; i < n; i++)
		while (__atomic_load_n(&vrs[i].busy, __ATOMIC_ACQUIRE) != 0 ||
				__atomic_load_n(&vrs[i].intr_busy, __ATOMIC_ACQUIRE) != 0)
			rte_pause();
}

void
vhostu_vrings_resume(struct vhostu_vring *vrs, unsigned int n)
{
	unsigned int i;

	/* Release: the next burst sees what the pause changed. */
	for (i = 0; i < n; i++)
		__atomic_store_n(&vrs[i].paused, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&vhostu_pause_mutex);
}
