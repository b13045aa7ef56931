/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user wire format: the message header, payload layouts, request ids and
 * feature bits, as QEMU's docs/interop/vhost-user.rst and the virtio 1.x spec
 * define them. Nothing here knows about ports, threads or DPDK.
 */
#ifndef VHOSTU_PROTO_H
#define VHOSTU_PROTO_H

#include <stdint.h>

/* Header flags. */
#define VHOSTU_VERSION_MASK	0x3u
#define VHOSTU_VERSION		0x1u
#define VHOSTU_FLAG_REPLY	(1u << 2)
#define VHOSTU_FLAG_NEED_REPLY	(1u << 3)

#define VHOSTU_MAX_FDS		8	/* per message, SCM_RIGHTS */
#define VHOSTU_MAX_REGIONS	8	/* SET_MEM_TABLE */
#define VHOSTU_MAX_MEM_SLOTS	32	/* announced with CONFIGURE_MEM_SLOTS */
#define VHOSTU_MAX_QUEUE_PAIRS	8
#define VHOSTU_MAX_VRINGS	(2 * VHOSTU_MAX_QUEUE_PAIRS)
#define VHOSTU_MAX_RING_SIZE	32768

/* vring index payloads (KICK/CALL/ERR): bits 0-7 index, bit 8 "no fd". */
#define VHOSTU_VRING_IDX_MASK	0xffu
#define VHOSTU_VRING_NOFD	(1u << 8)

/* Every request id the spec defines; X(name, id). */
#define VHOSTU_REQUESTS(X) \
	X(GET_FEATURES, 1) \
	X(SET_FEATURES, 2) \
	X(SET_OWNER, 3) \
	X(RESET_OWNER, 4) \
	X(SET_MEM_TABLE, 5) \
	X(SET_LOG_BASE, 6) \
	X(SET_LOG_FD, 7) \
	X(SET_VRING_NUM, 8) \
	X(SET_VRING_ADDR, 9) \
	X(SET_VRING_BASE, 10) \
	X(GET_VRING_BASE, 11) \
	X(SET_VRING_KICK, 12) \
	X(SET_VRING_CALL, 13) \
	X(SET_VRING_ERR, 14) \
	X(GET_PROTOCOL_FEATURES, 15) \
	X(SET_PROTOCOL_FEATURES, 16) \
	X(GET_QUEUE_NUM, 17) \
	X(SET_VRING_ENABLE, 18) \
	X(SEND_RARP, 19) \
	X(NET_SET_MTU, 20) \
	X(SET_BACKEND_REQ_FD, 21) \
	X(IOTLB_MSG, 22) \
	X(SET_VRING_ENDIAN, 23) \
	X(GET_CONFIG, 24) \
	X(SET_CONFIG, 25) \
	X(CREATE_CRYPTO_SESSION, 26) \
	X(CLOSE_CRYPTO_SESSION, 27) \
	X(POSTCOPY_ADVISE, 28) \
	X(POSTCOPY_LISTEN, 29) \
	X(POSTCOPY_END, 30) \
	X(GET_INFLIGHT_FD, 31) \
	X(SET_INFLIGHT_FD, 32) \
	X(GPU_SET_SOCKET, 33) \
	X(RESET_DEVICE, 34) \
	X(VRING_KICK, 35) \
	X(GET_MAX_MEM_SLOTS, 36) \
	X(ADD_MEM_REG, 37) \
	X(REM_MEM_REG, 38) \
	X(SET_STATUS, 39) \
	X(GET_STATUS, 40)

#define VHOSTU_REQ_ENUM(name, id) VHOSTU_REQ_##name = id,
enum vhostu_request {
	VHOSTU_REQ_NONE = 0,
	VHOSTU_REQUESTS(VHOSTU_REQ_ENUM)
	VHOSTU_REQ_MAX
};
#undef VHOSTU_REQ_ENUM

/* Protocol feature bits, X(name, bit). */
#define VHOSTU_PROTOCOL_FEATURES(X) \
	X(MQ, 0) \
	X(LOG_SHMFD, 1) \
	X(RARP, 2) \
	X(REPLY_ACK, 3) \
	X(MTU, 4) \
	X(BACKEND_REQ, 5) \
	X(CROSS_ENDIAN, 6) \
	X(CRYPTO_SESSION, 7) \
	X(PAGEFAULT, 8) \
	X(CONFIG, 9) \
	X(BACKEND_SEND_FD, 10) \
	X(HOST_NOTIFIER, 11) \
	X(INFLIGHT_SHMFD, 12) \
	X(RESET_DEVICE, 13) \
	X(INBAND_NOTIFICATIONS, 14) \
	X(CONFIGURE_MEM_SLOTS, 15) \
	X(STATUS, 16)

#define VHOSTU_PF_ENUM(name, bit) VHOSTU_PF_##name = bit,
enum vhostu_protocol_feature {
	VHOSTU_PROTOCOL_FEATURES(VHOSTU_PF_ENUM)
};
#undef VHOSTU_PF_ENUM

/* Virtio feature bits a virtio-net vhost-user backend deals with, X(name, bit). */
#define VHOSTU_VIRTIO_FEATURES(X) \
	X(VIRTIO_NET_F_CSUM, 0) \
	X(VIRTIO_NET_F_GUEST_CSUM, 1) \
	X(VIRTIO_NET_F_MTU, 3) \
	X(VIRTIO_NET_F_MAC, 5) \
	X(VIRTIO_NET_F_GUEST_TSO4, 7) \
	X(VIRTIO_NET_F_GUEST_TSO6, 8) \
	X(VIRTIO_NET_F_GUEST_ECN, 9) \
	X(VIRTIO_NET_F_GUEST_UFO, 10) \
	X(VIRTIO_NET_F_HOST_TSO4, 11) \
	X(VIRTIO_NET_F_HOST_TSO6, 12) \
	X(VIRTIO_NET_F_HOST_ECN, 13) \
	X(VIRTIO_NET_F_HOST_UFO, 14) \
	X(VIRTIO_NET_F_MRG_RXBUF, 15) \
	X(VIRTIO_NET_F_STATUS, 16) \
	X(VIRTIO_NET_F_CTRL_VQ, 17) \
	X(VIRTIO_NET_F_CTRL_RX, 18) \
	X(VIRTIO_NET_F_CTRL_VLAN, 19) \
	X(VIRTIO_NET_F_CTRL_RX_EXTRA, 20) \
	X(VIRTIO_NET_F_GUEST_ANNOUNCE, 21) \
	X(VIRTIO_NET_F_MQ, 22) \
	X(VIRTIO_NET_F_CTRL_MAC_ADDR, 23) \
	X(VIRTIO_F_NOTIFY_ON_EMPTY, 24) \
	X(VHOST_F_LOG_ALL, 26) \
	X(VIRTIO_F_ANY_LAYOUT, 27) \
	X(VIRTIO_F_INDIRECT_DESC, 28) \
	X(VIRTIO_RING_F_EVENT_IDX, 29) \
	X(VHOST_USER_F_PROTOCOL_FEATURES, 30) \
	X(VIRTIO_F_VERSION_1, 32) \
	X(VIRTIO_F_ACCESS_PLATFORM, 33) \
	X(VIRTIO_F_RING_PACKED, 34) \
	X(VIRTIO_F_IN_ORDER, 35) \
	X(VIRTIO_F_ORDER_PLATFORM, 36) \
	X(VIRTIO_F_SR_IOV, 37) \
	X(VIRTIO_F_NOTIFICATION_DATA, 38) \
	X(VIRTIO_F_RING_RESET, 40)

#define VHOSTU_VF_ENUM(name, bit) VHOSTU_##name = bit,
enum vhostu_virtio_feature {
	VHOSTU_VIRTIO_FEATURES(VHOSTU_VF_ENUM)
};
#undef VHOSTU_VF_ENUM

#define VHOSTU_BIT(b) (UINT64_C(1) << (b))

/*
 * The checksum and segmentation offloads we implement (vhostu_offload.c), and
 * VIRTIO_NET_F_MTU: the MTU is the frontend's (QEMU's host_mtu, told to us
 * by NET_SET_MTU), we only let it through to the guest.
 */
#define VHOSTU_OFFLOAD_FEATURES ( \
	VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_CSUM) | \
	VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_GUEST_CSUM) | \
	VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_MTU) | \
	VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_GUEST_TSO4) | \
	VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_GUEST_TSO6) | \
	VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_GUEST_ECN) | \
	VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_HOST_TSO4) | \
	VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_HOST_TSO6) | \
	VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_HOST_ECN))

/* What the guest may ask of us in the header of a frame it sends. */
#define VHOSTU_OFFLOAD_HOST_FEATURES ( \
	VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_CSUM) | \
	VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_HOST_TSO4) | \
	VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_HOST_TSO6) | \
	VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_HOST_ECN) | \
	VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_HOST_UFO))

/*
 * What we offer by default: VPP's set 0x15c628000 (see doc/protocol.md),
 * EVENT_IDX (VPP 20+ offers it with `event-idx`), RING_PACKED (with
 * `packed`), IN_ORDER and the offloads: 0xd7c62bb8b; the feature mask takes
 * any of them away.
 */
#define VHOSTU_DEFAULT_FEATURES ( \
	VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_MRG_RXBUF) | \
	VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_CTRL_VQ) | \
	VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_GUEST_ANNOUNCE) | \
	VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_MQ) | \
	VHOSTU_BIT(VHOSTU_VHOST_F_LOG_ALL) | \
	VHOSTU_BIT(VHOSTU_VIRTIO_F_ANY_LAYOUT) | \
	VHOSTU_BIT(VHOSTU_VIRTIO_F_INDIRECT_DESC) | \
	VHOSTU_BIT(VHOSTU_VIRTIO_RING_F_EVENT_IDX) | \
	VHOSTU_BIT(VHOSTU_VHOST_USER_F_PROTOCOL_FEATURES) | \
	VHOSTU_BIT(VHOSTU_VIRTIO_F_VERSION_1) | \
	VHOSTU_BIT(VHOSTU_VIRTIO_F_RING_PACKED) | \
	VHOSTU_BIT(VHOSTU_VIRTIO_F_IN_ORDER) | \
	VHOSTU_OFFLOAD_FEATURES)

/* Protocol features we implement. */
#define VHOSTU_DEFAULT_PROTOCOL_FEATURES ( \
	VHOSTU_BIT(VHOSTU_PF_MQ) | \
	VHOSTU_BIT(VHOSTU_PF_LOG_SHMFD) | \
	VHOSTU_BIT(VHOSTU_PF_RARP) | \
	VHOSTU_BIT(VHOSTU_PF_REPLY_ACK) | \
	VHOSTU_BIT(VHOSTU_PF_MTU) | \
	VHOSTU_BIT(VHOSTU_PF_CONFIGURE_MEM_SLOTS) | \
	VHOSTU_BIT(VHOSTU_PF_STATUS))

/* Device status bits (SET_STATUS). */
#define VHOSTU_STATUS_ACKNOWLEDGE	0x01
#define VHOSTU_STATUS_DRIVER		0x02
#define VHOSTU_STATUS_DRIVER_OK		0x04
#define VHOSTU_STATUS_FEATURES_OK	0x08
#define VHOSTU_STATUS_NEEDS_RESET	0x40
#define VHOSTU_STATUS_FAILED		0x80

struct vhostu_msg_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
} __attribute__((packed));

struct vhostu_vring_state {
	uint32_t index;
	uint32_t num;
} __attribute__((packed));

struct vhostu_vring_addr {
	uint32_t index;
	uint32_t flags;		/* bit 0: VHOST_VRING_F_LOG */
	uint64_t desc_user_addr;
	uint64_t used_user_addr;
	uint64_t avail_user_addr;
	uint64_t log_guest_addr;
} __attribute__((packed));

#define VHOSTU_VRING_F_LOG	0x1u

struct vhostu_mem_region {
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr;
	uint64_t mmap_offset;
} __attribute__((packed));

struct vhostu_mem_table {
	uint32_t nregions;
	uint32_t padding;
	struct vhostu_mem_region regions[VHOSTU_MAX_REGIONS];
} __attribute__((packed));

/* ADD_MEM_REG / REM_MEM_REG */
struct vhostu_mem_single {
	uint64_t padding;
	struct vhostu_mem_region region;
} __attribute__((packed));

struct vhostu_log {
	uint64_t mmap_size;
	uint64_t mmap_offset;
} __attribute__((packed));

/* The largest body we accept: anything bigger is a protocol error. */
union vhostu_msg_body {
	uint64_t u64;
	struct vhostu_vring_state state;
	struct vhostu_vring_addr addr;
	struct vhostu_mem_table mem;
	struct vhostu_mem_single mem_single;
	struct vhostu_log log;
	uint8_t mac[6];
	uint8_t raw[256];
};

struct vhostu_msg {
	struct vhostu_msg_hdr hdr;
	union vhostu_msg_body body;
} __attribute__((packed));

#define VHOSTU_HDR_SIZE		sizeof(struct vhostu_msg_hdr)
#define VHOSTU_MAX_BODY		sizeof(union vhostu_msg_body)

_Static_assert(sizeof(struct vhostu_msg_hdr) == 12, "header is 12 bytes");
_Static_assert(sizeof(struct vhostu_vring_state) == 8, "vring state is 8 bytes");
_Static_assert(sizeof(struct vhostu_vring_addr) == 40, "vring addr is 40 bytes");
_Static_assert(sizeof(struct vhostu_mem_region) == 32, "region is 32 bytes");
_Static_assert(sizeof(struct vhostu_mem_table) == 8 + 8 * 32, "mem table is 264 bytes");
_Static_assert(sizeof(struct vhostu_mem_single) == 40, "single region is 40 bytes");
_Static_assert(sizeof(struct vhostu_log) == 16, "log is 16 bytes");

/* Split virtqueue layout (virtio 1.x, 2.7). */
#define VRING_DESC_F_NEXT	1
#define VRING_DESC_F_WRITE	2
#define VRING_DESC_F_INDIRECT	4
#define VRING_USED_F_NO_NOTIFY	1
#define VRING_AVAIL_F_NO_INTERRUPT 1

struct vhostu_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
} __attribute__((packed));

struct vhostu_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
} __attribute__((packed));

struct vhostu_used_elem {
	uint32_t id;
	uint32_t len;
} __attribute__((packed));

struct vhostu_used {
	uint16_t flags;
	uint16_t idx;
	struct vhostu_used_elem ring[];
} __attribute__((packed));

_Static_assert(sizeof(struct vhostu_desc) == 16, "descriptor is 16 bytes");

/* virtio-net header; num_buffers present with MRG_RXBUF or VERSION_1. */
struct vhostu_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
} __attribute__((packed));

#define VHOSTU_NET_HDR_SHORT	10
#define VHOSTU_NET_HDR_LONG	12
/* flags */
#define VIRTIO_NET_HDR_F_NEEDS_CSUM	1	/* checksum from csum_start on, at csum_offset */
#define VIRTIO_NET_HDR_F_DATA_VALID	2	/* device to driver only: checksum verified */
/* gso_type */
#define VIRTIO_NET_HDR_GSO_NONE		0
#define VIRTIO_NET_HDR_GSO_TCPV4	1
#define VIRTIO_NET_HDR_GSO_UDP		3
#define VIRTIO_NET_HDR_GSO_TCPV6	4
#define VIRTIO_NET_HDR_GSO_ECN		0x80	/* TCP with CWR: ECN, HOST_ECN / GUEST_ECN */

_Static_assert(sizeof(struct vhostu_net_hdr) == 12, "net header is 12 bytes");

#endif /* VHOSTU_PROTO_H */
