/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private structures of the net_vhostu PMD, shared by its source files.
 *
 * Threads and what protects what:
 * - The control thread (vhostu_sock.c) owns every socket and runs every
 *   message handler, holding port->lock (a mutex) while it touches the port.
 *   The shell reads snapshots under the same mutex (rte_pmd_vhostu.h).
 * - A burst owns a vring while it is inside the ring's guard (vhostu_guard.c),
 *   entered once per burst, never per packet. The datapath side enters with
 *   two plain accesses: busy = 1, then a look at paused (a compiler barrier
 *   between them, no fence: vhostu_ring_enter); on a paused ring it leaves at
 *   once and the burst returns 0, to poll again. The pausers' side (the
 *   control thread before it unmaps memory or rewrites a ring: SET_MEM_TABLE,
 *   GET_VRING_BASE, disconnect, close; queue set-up, rx interrupt set-up and
 *   stats_reset on the application's thread) sets paused on every ring
 *   concerned, makes one membarrier(2) stand for the fence the bursts no
 *   longer execute, and waits until none of them is busy (vhostu_vrings_pause).
 *   So either a burst sees paused or its pauser sees it busy and waits: no
 *   burst is ever inside memory that goes away, and a burst never waits.
 *   Where membarrier is refused, bursts fence after busy = 1 instead
 *   (vhostu_guard_mode). Contract: one thread at a time runs a ring's
 *   bursts (ethdev's rule for a queue); any number of pausers, one at a time
 *   (they serialize on a mutex of their own). rx_intr_enable/disable of the
 *   queue enter too, but on a side of their own (a count, and a fence:
 *   vhostu_ring_enter_intr), from any thread: vhostu-fwd's main lcore
 *   disables a queue that has moved to a worker already polling it, and a
 *   shared busy flag would be cleared under that worker's burst. No burst
 *   enters another ring's guard, so no burst can make another one return 0.
 * - The guest notification state of a vring (callfd, the calls_ counts,
 *   last_call_tsc) is apart from the ring, under vring->notify_lock: flushers
 *   (the ring's own burst, the rx burst of the paired ring, the control
 *   thread's backstop) only ever trylock it; the control thread takes it,
 *   after pausing the rings, in vhostu_port_pause, so a flusher never reads a
 *   ring being unmapped or a callfd being replaced. The counts are atomic:
 *   a burst stores what it published, a flusher what it decided on
 *   (vhostu_notify.h).
 */
#ifndef VHOSTU_INTERNAL_H
#define VHOSTU_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_atomic.h>
#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_dev.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_spinlock.h>

#include "vhostu_offload.h"
#include "vhostu_proto.h"

struct rte_eth_dev;
struct rte_mempool;

extern int vhostu_logtype;
extern int vhostu_logtype_msg;
extern int vhostu_logtype_data;

#define VHOSTU_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, vhostu_logtype, "vhostu: " fmt "\n", ##__VA_ARGS__)
#define VHOSTU_MSG_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, vhostu_logtype_msg, "vhostu.msg: " fmt "\n", ##__VA_ARGS__)

/* The same with the port's name first: "vhostu: <name>: ...". */
#define VHOSTU_PORT_LOG(p, level, fmt, ...) \
	VHOSTU_LOG(level, "%s: " fmt, (p)->name, ##__VA_ARGS__)
#define VHOSTU_PORT_MSG_LOG(p, level, fmt, ...) \
	VHOSTU_MSG_LOG(level, "%s: " fmt, (p)->name, ##__VA_ARGS__)

/* Datapath logging is compiled out unless VHOSTU_DATA_DEBUG is defined. */
#ifdef VHOSTU_DATA_DEBUG
#define VHOSTU_DATA_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, vhostu_logtype_data, "vhostu.data: " fmt "\n", ##__VA_ARGS__)
#else
#define VHOSTU_DATA_LOG(level, fmt, ...) do { } while (0)
#endif

#define VHOSTU_PAGE_SIZE	4096u	/* dirty log granularity */

/* One region of frontend memory, mapped here. */
struct vhostu_region {
	uint64_t guest_phys_addr;
	uint64_t size;
	uint64_t user_addr;	/* the frontend's virtual address of the region */
	uint64_t mmap_offset;	/* offset of the region in fd */
	uint64_t host_addr;	/* our address of guest_phys_addr */
	void *map_base;		/* what mmap returned */
	size_t map_len;
	int fd;
};

struct vhostu_mem {
	uint32_t nregions;
	struct vhostu_region regions[VHOSTU_MAX_MEM_SLOTS];
};

/* Per-vring counters; the datapath owns them, stats_get reads them. */
struct vhostu_vring_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;	/* bad chains: frames dropped for the guest's fault */
	uint64_t no_desc;	/* tx: ring full, frame not sent */
	uint64_t oversize;	/* rx: frame above VHOSTU_RX_MAX_FRAME; tx: larger than the
				 * guest's buffer (without MRG_RXBUF) */
	uint64_t mbuf_fail;	/* rx: mbuf allocation failed */
	uint64_t notifications;	/* call eventfd writes */
	uint64_t notify_fail;	/* call eventfd writes that failed (counter full: EAGAIN) */
	uint64_t size_bins[8];	/* 64, 65-127, 128-255, 256-511, 512-1023, 1024-1518, >1518, <64 */
	uint64_t stopped;	/* the datapath stopped the ring (avail index out of range) */
	uint64_t runt;		/* rx: frame shorter than an Ethernet header, dropped */
	uint64_t desc_reads;	/* descriptors read (direct and indirect): bounded per burst */
	uint64_t hdr_errors[VHOSTU_HDR_ERROR_MAX];	/* rx: bad virtio-net headers, by
							 * reason (index 0 unused) */
	uint64_t offload_drops;	/* tx: an offload the guest did not negotiate (TSO) */
	uint64_t batches;	/* packed rings: batches of four single-descriptor chains */
};

struct vhostu_port;

struct vhostu_vring {
	/*
	 * The guard (see the top of this file), on the line every burst reads
	 * anyway and no other thread writes while the ring is busy: busy is
	 * written by the burst, paused only by pausers, and rarely.
	 */
	uint8_t busy;		/* atomic: a burst is inside */
	uint8_t paused;		/* atomic: a pauser holds the ring */
	/*
	 * Ring 1 (queue 0's guest TX): SEND_RARP asked for an announcement, which
	 * the next rx burst hands over (vhostu_rarp.c). Here, not in the port,
	 * so that an idle poll reads no line of the port's.
	 */
	bool rarp_pending;	/* atomic */
	uint32_t intr_busy;	/* atomic: rx_intr_enable/disable calls inside */

	/*
	 * What a burst reads, valid while ready is true. Packed rings
	 * (vhostu_packed.h): desc is the descriptor ring, avail the driver event
	 * suppression area, used the device event suppression area.
	 */
	struct vhostu_desc *desc;
	struct vhostu_avail *avail;
	struct vhostu_used *used;
	uint32_t size;		/* split: power of two; packed: 1..32768; 0 until SET_VRING_NUM */
	uint16_t last_avail_idx;
	uint16_t last_used_idx;
	bool ready;		/* started, enabled, addresses translated */
	bool packed;		/* VIRTIO_F_RING_PACKED negotiated (vhostu_vring_translate) */
	bool avail_wrap;	/* packed: the driver's wrap counter at last_avail_idx */
	bool used_wrap;		/* packed: our wrap counter at last_used_idx */
	uint64_t log_desc_gpa;	/* packed, log_used: guest-physical address of desc */
	uint64_t log_event_gpa;	/* packed, log_used: ... of the device event area */
	struct vhostu_port *port;
	struct rte_mempool *mp;	/* rx queues: where mbufs come from */
	uint16_t port_id;
	uint16_t index;		/* vring index: 2q = guest RX (our tx), 2q+1 = guest TX */
	bool log_used;		/* VHOST_VRING_F_LOG: log used ring writes */
	uint64_t log_guest_addr;
	struct vhostu_vring_stats stats;	/* notifications, notify_fail: under notify_lock */

	/* Control thread state. */
	bool started;		/* a kick fd (or no-fd flag) was given */
	bool enabled;		/* SET_VRING_ENABLE, or implied without PROTOCOL_FEATURES */
	bool addr_set;
	bool touched;		/* the frontend set anything on this ring */
	int kickfd;		/* changed only by vhostu_vring_set_kick */
	int errfd;
	struct vhostu_vring_addr addr;	/* as the frontend sent it, for re-translation */

	/*
	 * Rx interrupts (vhostu_intr.c), rings 2q+1 of a port configured with
	 * intr_conf.rxq; otherwise -1 and false. intr_epfd is the queue's fd in
	 * the ethdev intr handle; changed with the ring paused.
	 */
	int intr_epfd;		/* epoll fd holding kickfd and intr_wakefd, edge-triggered */
	int intr_wakefd;	/* our eventfd: wakes the application without a kick */
	bool intr_enabled;	/* atomic: the application asked for kicks (intr_enable) */

	/* Guest notification, on a line of its own: flushers on other lcores read it. */
	rte_spinlock_t notify_lock __rte_cache_aligned;	/* see the top of this file */
	int callfd;		/* -1: no notification; changed paused, under notify_lock */
	/*
	 * Calls pending (vhostu_notify.h): used entries published, counted by the
	 * ring's bursts alone, so that a burst adds with a plain store and no
	 * locked instruction; the count at the last signal decision, written by
	 * flushers under notify_lock; the count when a burst last saw that the
	 * guest polls and left the decision for later, written by the bursts.
	 * All modulo 2^32, atomic.
	 */
	uint32_t calls_published;
	uint32_t calls_decided;
	uint32_t calls_looked;
	uint64_t last_call_tsc;	/* atomic; written under notify_lock */
	/*
	 * EVENT_IDX, under notify_lock: used->idx at the last signal decision
	 * (the "old" of vring_need_event), valid unless the ring (re)started:
	 * then the next decision signals whatever the guest's used_event says.
	 */
	uint16_t signalled_used;
	bool signalled_valid;
	/*
	 * Packed rings: the end of what the guest can see of the used
	 * descriptors, for the decision of a flusher on another lcore. Bits
	 * 0-15 the next used position with its wrap counter (as SET_VRING_BASE
	 * has them), bits 32-63 the ring positions used so far (mod 2^32).
	 * Atomic: the burst stores it (release) after each write of used
	 * descriptors, inside the guard. signalled_count is its count at the last
	 * decision, under notify_lock (vhostu_notify.c).
	 */
	uint64_t used_pub;
	uint32_t signalled_count;
} __rte_cache_aligned;

enum vhostu_conn_state {
	VHOSTU_CONN_NONE,	/* client: waiting to retry; server: listening */
	VHOSTU_CONN_UP,		/* a frontend is connected */
};

/* A message being received, which may arrive in pieces. */
struct vhostu_rx_msg {
	struct vhostu_msg msg;
	size_t have;		/* bytes of hdr + body received */
	int fds[VHOSTU_MAX_FDS];
	int nfds;
};

/* What the SIGBUS handler recorded of a port's first fault (vhostu_fault.c). */
enum vhostu_fault_kind {
	VHOSTU_FAULT_REGION,	/* a guest memory region */
	VHOSTU_FAULT_LOG,	/* the dirty log */
};

enum vhostu_fault_state {
	VHOSTU_FAULT_NONE,
	VHOSTU_FAULT_RECORDING,	/* the handler is writing fault */
	VHOSTU_FAULT_RECORDED,	/* the control thread closes the connection */
};

struct vhostu_fault_info {
	uint32_t kind;		/* enum vhostu_fault_kind */
	uint64_t gpa;		/* region: its guest-physical address */
	uint64_t size;		/* of the region or the log */
	uint64_t offset;	/* of the faulting address in the mapping */
};

struct vhostu_port {
	pthread_mutex_t lock;	/* control thread vs shell snapshots */

	/* Configuration from devargs. */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool server;
	uint32_t reconnect_ms;	/* client: retry interval */
	int64_t socket_group;	/* server: group allowed to connect, -1: owner only */
	uint16_t max_queue_pairs;
	uint64_t feature_mask;
	struct rte_ether_addr mac;
	uint16_t port_id;
	struct rte_eth_dev *eth_dev;
	char name[RTE_DEV_NAME_MAX_LEN];

	/* Connection (control thread). */
	int listen_fd;
	int conn_fd;
	enum vhostu_conn_state conn_state;
	int sock_errno;		/* last socket error, 0 = Success */
	uint64_t next_retry_ms;	/* client: when to connect again */
	struct vhostu_rx_msg rx;
	uint32_t ctl_slot;	/* index in the control thread's port table */
	uint32_t conn_gen;	/* the connection's generation, in its epoll token */
	bool lsc_pending;	/* control thread: the link changed, LSC not raised yet */

	/* Negotiated state (message handlers). */
	uint64_t features_offered;
	uint64_t features;
	uint64_t protocol_features;
	bool features_set;
	bool owner_set;
	uint8_t status;
	uint32_t hdr_size;	/* virtio-net header: 10 or 12 */
	uint16_t mtu;
	struct vhostu_mem mem;
	void *log_base;		/* dirty log mapping */
	size_t log_map_len;
	uint8_t *log_addr;	/* log_base + offset */
	uint64_t log_size;
	uint32_t nvrings;	/* highest vring index touched + 1 */
	int32_t msg_vring;	/* the vring the message being handled names, or -1 */

	/* Ethdev state. */
	bool dev_started;	/* admin up */
	bool link_up;
	uint8_t rarp_mac[RTE_ETHER_ADDR_LEN];	/* SEND_RARP: vrings[1].rarp_pending */
	struct vhostu_vring vrings[VHOSTU_MAX_VRINGS];

	/* Memory the frontend took away (vhostu_fault.c): written by the SIGBUS handler. */
	uint32_t fault_state;	/* enum vhostu_fault_state, atomic */
	struct vhostu_fault_info fault;	/* valid once fault_state is RECORDED */
};

/* Close *fd if it is open and mark it closed: the one way fds of a port are let go. */
static inline void
vhostu_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static inline bool
vhostu_has_feature(const struct vhostu_port *p, unsigned int bit)
{
	return (p->features & VHOSTU_BIT(bit)) != 0;
}

static inline bool
vhostu_has_protocol_feature(const struct vhostu_port *p, unsigned int bit)
{
	return (p->protocol_features & VHOSTU_BIT(bit)) != 0;
}

/*
 * Translate a guest-physical range to our address. The range is valid only
 * when it lies wholly inside one region; otherwise NULL.
 */
static __rte_always_inline void *
vhostu_gpa_to_va(const struct vhostu_mem *m, uint64_t gpa, uint64_t len)
{
	uint32_t i;

	for (i = 0; i < m->nregions; i++) {
		const struct vhostu_region *r = &m->regions[i];
		uint64_t off = gpa - r->guest_phys_addr;

		if (gpa >= r->guest_phys_addr && off < r->size && len <= r->size - off)
			return (void *)(uintptr_t)(r->host_addr + off);
	}
	return NULL;
}

/* The same for the frontend's virtual addresses (ring addresses). */
static inline void *
vhostu_uva_to_va(const struct vhostu_mem *m, uint64_t uva, uint64_t len)
{
	uint32_t i;

	for (i = 0; i < m->nregions; i++) {
		const struct vhostu_region *r = &m->regions[i];
		uint64_t off = uva - r->user_addr;

		if (uva >= r->user_addr && off < r->size && len <= r->size - off)
			return (void *)(uintptr_t)(r->host_addr + off);
	}
	return NULL;
}

/*
 * EVENT_IDX on a split ring (virtio 1.x 2.7.7, 2.7.10): the guest's
 * used_event follows its avail ring, our avail_event follows the used ring.
 * vhostu_vring_translate maps both when the feature is negotiated; the guest
 * may write used_event at any time, so it is read once, volatile. Packed
 * rings have event suppression areas of their own instead: these two words
 * do not exist there.
 */
static inline bool
vhostu_split_event_idx(const struct vhostu_port *p)
{
	return (p->features & (VHOSTU_BIT(VHOSTU_VIRTIO_RING_F_EVENT_IDX) |
			VHOSTU_BIT(VHOSTU_VIRTIO_F_RING_PACKED))) ==
			VHOSTU_BIT(VHOSTU_VIRTIO_RING_F_EVENT_IDX);
}

static __rte_always_inline volatile uint16_t *
vhostu_used_event(const struct vhostu_vring *vr)
{
	return (volatile uint16_t *)RTE_PTR_ADD(vr->avail, offsetof(struct vhostu_avail, ring) +
			(size_t)vr->size * sizeof(uint16_t));
}

static __rte_always_inline volatile uint16_t *
vhostu_avail_event(const struct vhostu_vring *vr)
{
	return (volatile uint16_t *)RTE_PTR_ADD(vr->used, offsetof(struct vhostu_used, ring) +
			(size_t)vr->size * sizeof(struct vhostu_used_elem));
}

/* Is the frontend logging our writes (live migration)? */
static __rte_always_inline bool
vhostu_logging(const struct vhostu_port *p)
{
	return (p->features & VHOSTU_BIT(VHOSTU_VHOST_F_LOG_ALL)) && p->log_addr != NULL;
}

/* Mark [gpa, gpa+len) dirty in the migration log when LOG_ALL is on. */
static __rte_always_inline void
vhostu_log_write(struct vhostu_port *p, uint64_t gpa, uint64_t len)
{
	uint64_t page, last;

	if (likely(!vhostu_logging(p)) || len == 0)
		return;
	page = gpa / VHOSTU_PAGE_SIZE;
	last = (gpa + len - 1) / VHOSTU_PAGE_SIZE;
	for (; page <= last; page++) {
		if (page / 8 >= p->log_size)
			return;
		__atomic_fetch_or(&p->log_addr[page / 8], (uint8_t)(1u << (page % 8)),
				__ATOMIC_RELAXED);
	}
}

/*
 * vhostu_guard.c: a ring's guard (see the top of this file). The mode's fence
 * is true until membarrier(2) is registered for the process (the first
 * vhostu_guard_setup), and stays true where the kernel refuses it: bursts then
 * fence after busy = 1 and pausers fence instead of calling membarrier. On a
 * cache line of its own (the struct fills it): every burst reads it, nobody
 * writes it after set-up.
 */
struct vhostu_guard_mode {
	bool fence;
} __rte_cache_aligned;
extern struct vhostu_guard_mode vhostu_guard_mode;
void vhostu_guard_setup(void);
/* Pause the n rings at vrs (one membarrier for all) until vhostu_vrings_resume. */
void vhostu_vrings_pause(struct vhostu_vring *vrs, unsigned int n);
void vhostu_vrings_resume(struct vhostu_vring *vrs, unsigned int n);

/*
 * The datapath side's entry: false (and nothing touched but busy, back to 0)
 * when a pauser holds the ring. No locked instruction unless fencing.
 */
static __rte_always_inline bool
vhostu_ring_enter(struct vhostu_vring *vr)
{
	__atomic_store_n(&vr->busy, 1, __ATOMIC_RELAXED);
	if (unlikely(__atomic_load_n(&vhostu_guard_mode.fence, __ATOMIC_RELAXED)))
		rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	else
		rte_compiler_barrier();	/* the pauser's membarrier is the fence */
	/* Acquire: what the last pauser changed in the ring, it wrote before paused = 0. */
	if (likely(!__atomic_load_n(&vr->paused, __ATOMIC_ACQUIRE)))
		return true;
	__atomic_store_n(&vr->busy, 0, __ATOMIC_RELEASE);
	return false;
}

/*
 * Leave: a plain release store, so that a pauser that sees busy == 0 also sees
 * every store of the burst (used entries, frames in guest buffers) done.
 */
static __rte_always_inline void
vhostu_ring_leave(struct vhostu_vring *vr)
{
	__atomic_store_n(&vr->busy, 0, __ATOMIC_RELEASE);
}

/*
 * The rx interrupt side's entry, from any thread and alongside a burst (see
 * the top of this file): a count, since two threads may be inside, and a
 * fence of its own, since it is rare.
 */
static inline bool
vhostu_ring_enter_intr(struct vhostu_vring *vr)
{
	__atomic_fetch_add(&vr->intr_busy, 1, __ATOMIC_RELAXED);
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (likely(!__atomic_load_n(&vr->paused, __ATOMIC_ACQUIRE)))
		return true;
	__atomic_fetch_sub(&vr->intr_busy, 1, __ATOMIC_RELEASE);
	return false;
}

static inline void
vhostu_ring_leave_intr(struct vhostu_vring *vr)
{
	__atomic_fetch_sub(&vr->intr_busy, 1, __ATOMIC_RELEASE);
}

/* vhostu_mem.c */
int vhostu_mem_add_region(struct vhostu_port *p, struct vhostu_mem *m,
		const struct vhostu_mem_region *wire, int fd);
void vhostu_mem_remove_region(struct vhostu_mem *m, uint32_t i);
void vhostu_mem_clear(struct vhostu_mem *m);
bool vhostu_mem_same(const struct vhostu_mem *m, const struct vhostu_mem_region *wire,
		uint32_t n);
int vhostu_log_map(struct vhostu_port *p, int fd, uint64_t size, uint64_t offset);
void vhostu_log_unmap(struct vhostu_port *p);

/*
 * vhostu_fault.c: mappings of files the frontend could shrink are watched by a
 * SIGBUS handler; a fault in one turns it into zeros and closes the connection.
 */
int vhostu_fault_watch(struct vhostu_port *p, void *base, size_t len, int fd,
		enum vhostu_fault_kind kind, uint64_t gpa, uint64_t size);
void vhostu_fault_unwatch(void *base);
bool vhostu_fault_watched(const void *addr);
void vhostu_fault_set_wakefd(int fd);
bool vhostu_fault_pending(void);
bool vhostu_fault_take(struct vhostu_port *p);

/* vhostu_vring.c */
void vhostu_vring_init(struct vhostu_vring *vr, struct vhostu_port *p, uint16_t index);
void vhostu_vring_reset(struct vhostu_vring *vr);
int vhostu_vring_translate(struct vhostu_port *p, struct vhostu_vring *vr);
void vhostu_vring_update_ready(struct vhostu_port *p, struct vhostu_vring *vr);
void vhostu_port_pause(struct vhostu_port *p);
void vhostu_port_resume(struct vhostu_port *p);
bool vhostu_port_ready(const struct vhostu_port *p);

/* vhostu_msg.c */
struct vhostu_reply {
	bool send;
	struct vhostu_msg msg;
};
int vhostu_msg_handle(struct vhostu_port *p, struct vhostu_rx_msg *in, struct vhostu_reply *out);
const char *vhostu_request_name(uint32_t request);
void vhostu_port_reset_state(struct vhostu_port *p);

/* vhostu_sock.c */
int vhostu_ctl_add_port(struct vhostu_port *p);
void vhostu_ctl_remove_port(struct vhostu_port *p);
int vhostu_sock_listen(const char *path, int64_t group, int *fd_out);
void vhostu_rx_reset(struct vhostu_rx_msg *rx);

/* vhostu_ethdev.c */
struct vhostu_port *vhostu_port_from_id(uint16_t port_id);
bool vhostu_link_update_locked(struct vhostu_port *p);
void vhostu_link_raise(struct vhostu_port *p);
void vhostu_link_update_notify(struct vhostu_port *p);

/*
 * vhostu_intr.c: rx interrupts. set_kick replaces a ring's kick fd (closing
 * the old one) and keeps the queue's interrupt fd watching it; the caller
 * has paused the ring.
 */
void vhostu_vring_set_kick(struct vhostu_vring *vr, int fd);
int vhostu_intr_setup(struct rte_eth_dev *dev);
void vhostu_intr_free(struct rte_eth_dev *dev);
int vhostu_rx_intr_enable(struct rte_eth_dev *dev, uint16_t qid);
int vhostu_rx_intr_disable(struct rte_eth_dev *dev, uint16_t qid);

/* vhostu_rarp.c: SEND_RARP (after migration, when GUEST_ANNOUNCE is not negotiated). */
int vhostu_send_rarp(struct vhostu_port *p, const uint8_t mac[6]);
struct rte_mbuf *vhostu_rarp_take(struct vhostu_port *p, struct rte_mempool *mp);

/* vhostu_rxtx.c: the bursts; queue is the struct vhostu_vring of the ring. */
uint16_t vhostu_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n);
uint16_t vhostu_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n);
/*
 * Ask the guest for kicks on its TX ring (clear VRING_USED_F_NO_NOTIFY) or
 * tell it not to; the caller is inside vr's guard (the intr side: a burst may
 * run meanwhile, which sets the flags its own way) and vr is ready. True
 * when, kicks asked for, frames are already waiting: the guest may have
 * posted them without a kick, before it saw the flag.
 */
bool vhostu_rx_want_kicks(struct vhostu_vring *vr, bool on);

/* vhostu_notify.c (the bursts' inline part is in vhostu_notify.h). */
/* Notify the guest through callfd now, unless it asked for no interrupts. */
void vhostu_notify_guest(struct vhostu_vring *vr);
/*
 * Control thread backstop: signal the rings of p whose pending calls waited the
 * coalescing time. True if some are still pending; then call again within
 * vhostu_notify_backstop_ms().
 */
bool vhostu_notify_backstop(struct vhostu_port *p);
int vhostu_notify_backstop_ms(void);

/* vhostu_stats.c: eth_dev_ops stats and xstats over the vrings' counters. */
struct rte_eth_stats;
struct rte_eth_xstat;
struct rte_eth_xstat_name;
int vhostu_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *stats);
int vhostu_stats_reset(struct rte_eth_dev *dev);
int vhostu_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xstats, unsigned int n);
int vhostu_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
		unsigned int n);
int vhostu_xstats_reset(struct rte_eth_dev *dev);

/* Guest notification coalescing, switch-wide (show vhost-user's Global block). */
extern uint32_t vhostu_coalesce_frames;
extern uint64_t vhostu_coalesce_tsc;	/* in TSC cycles */
extern double vhostu_coalesce_time;	/* in seconds, as set */

#endif /* VHOSTU_INTERNAL_H */
