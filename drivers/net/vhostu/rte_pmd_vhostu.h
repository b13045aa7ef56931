/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Public API of the net_vhostu PMD for applications: a consistent snapshot of
 * a port's vhost-user state (what `show vhost-user` prints), the descriptor
 * table of a vring, and switch-wide settings (debug, notification coalescing).
 *
 * Link-state (RTE_ETH_EVENT_INTR_LSC) callbacks of net_vhostu ports run with
 * no driver lock held, on the driver's control thread (a frontend came or
 * went, rings got ready) or on the thread that starts or stops the port. They
 * may read snapshots and the link, create ports, and wait for other threads
 * that use the driver, closing ports included. They must not close a
 * net_vhostu port themselves: closing the port whose callbacks run waits for
 * them to return, and closing the last port joins the control thread.
 */
#ifndef RTE_PMD_VHOSTU_H
#define RTE_PMD_VHOSTU_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RTE_PMD_VHOSTU_DRIVER_NAME	"net_vhostu"
#define RTE_PMD_VHOSTU_MAX_REGIONS	32
#define RTE_PMD_VHOSTU_MAX_VRINGS	16
#define RTE_PMD_VHOSTU_PATH_MAX		108

struct rte_pmd_vhostu_region {
	int fd;
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr;
	uint64_t mmap_offset;
	uint64_t mmap_addr;	/* our address of guest_phys_addr */
};

struct rte_pmd_vhostu_vring {
	uint32_t qsz;
	uint16_t last_avail_idx;
	uint16_t last_used_idx;
	/*
	 * Split rings: avail->flags, avail->idx, used->flags, used->idx. Packed
	 * rings: the driver event suppression area's flags and off_wrap, then the
	 * device area's. 0 when the ring is not mapped.
	 */
	uint16_t avail_flags;
	uint16_t avail_idx;
	uint16_t used_flags;
	uint16_t used_idx;
	bool packed;		/* a packed ring: the wrap counters below mean something */
	bool avail_wrap;	/* the driver's wrap counter at last_avail_idx */
	bool used_wrap;		/* ours at last_used_idx */
	bool event_idx;		/* EVENT_IDX negotiated and the ring mapped: the two below */
	uint16_t avail_event;	/* ours, after the used ring: where the guest kicks */
	uint16_t used_event;	/* the guest's, after the avail ring: where we signal */
	int kickfd;
	int callfd;
	int errfd;
	bool enabled;
	bool ready;		/* the datapath may use it */
	uint64_t packets;
	uint64_t bytes;
};

struct rte_pmd_vhostu_info {
	char socket_path[RTE_PMD_VHOSTU_PATH_MAX];
	bool server;
	bool connected;
	int sock_errno;		/* last socket error; 0 prints as "Success" */
	uint16_t max_queue_pairs;
	uint64_t features_mask;
	uint64_t features_offered;
	uint64_t features;	/* negotiated */
	uint64_t protocol_features;	/* negotiated */
	uint32_t virtio_net_hdr_sz;
	uint8_t status;		/* virtio device status (SET_STATUS) */
	uint16_t mtu;		/* NET_SET_MTU, 0 if never sent */
	bool link_up;
	uint32_t nregions;
	struct rte_pmd_vhostu_region regions[RTE_PMD_VHOSTU_MAX_REGIONS];
	uint32_t nvrings;	/* vrings the frontend has touched */
	struct rte_pmd_vhostu_vring vrings[RTE_PMD_VHOSTU_MAX_VRINGS];
};

struct rte_pmd_vhostu_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;		/* packed rings: the buffer id */
	uint64_t user_addr;	/* our mapping of addr, 0 if outside memory */
};

/* Virtio feature bits an application deciding what a guest can take looks at. */
#define RTE_PMD_VHOSTU_F_GUEST_CSUM	(UINT64_C(1) << 1)
#define RTE_PMD_VHOSTU_F_GUEST_TSO4	(UINT64_C(1) << 7)
#define RTE_PMD_VHOSTU_F_GUEST_TSO6	(UINT64_C(1) << 8)

/* True if port_id is a net_vhostu port. */
bool rte_pmd_vhostu_is_vhostu(uint16_t port_id);

/*
 * The virtio features the port's frontend negotiated (0 while there is
 * none), read without a lock: for a datapath that chooses per frame what a
 * guest can take. They change when the guest's driver does; a frame sent
 * with an offload the guest no longer has is dropped and counted (tx xstat
 * offload_not_negotiated_drops). 0, or -EINVAL when port_id is not ours.
 */
int rte_pmd_vhostu_get_features(uint16_t port_id, uint64_t *features);

/* Fill info with a consistent snapshot of the port. 0 or -errno. */
int rte_pmd_vhostu_get_info(uint16_t port_id, struct rte_pmd_vhostu_info *info);

/*
 * Copy the descriptor table of vring `vring` (up to max entries) into out.
 * Returns the number of descriptors copied (the queue size, or 0 when the ring
 * is not mapped), or -errno.
 */
int rte_pmd_vhostu_get_descriptors(uint16_t port_id, uint16_t vring,
		struct rte_pmd_vhostu_desc *out, uint32_t max);

/* Per-message protocol logging (`debug vhost-user on|off`). */
void rte_pmd_vhostu_set_debug(bool on);
bool rte_pmd_vhostu_get_debug(void);

/* Guest notification coalescing: notify after `frames` frames or `time_s` seconds. */
int rte_pmd_vhostu_set_coalesce(uint32_t frames, double time_s);
void rte_pmd_vhostu_get_coalesce(uint32_t *frames, double *time_s);

/* Link the PMD into a static binary: call this once from the application. */
void rte_pmd_vhostu_link(void);

#ifdef __cplusplus
}
#endif

#endif /* RTE_PMD_VHOSTU_H */
