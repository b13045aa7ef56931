/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checksum and segmentation offloads: the virtio-net header of a frame
 * (virtio 1.x, 5.1.6) to mbuf offload flags and back. Each burst (split
 * rings in vhostu_rxtx.c, and any other ring layout) calls these two from
 * one place per direction.
 *
 * From the guest: a header that asks for an offload becomes RTE_MBUF_F_TX_*
 * flags (the switch sends the frame on as it came: TCP_SEG with tso_segsz,
 * TCP/UDP_CKSUM with the pseudo-header sum in the checksum field, as DPDK
 * and virtio both keep it), RTE_MBUF_F_RX_L4_CKSUM_NONE (the data is intact,
 * its checksum not filled in) and, for TSO, RTE_MBUF_F_RX_LRO; l2/l3/l4_len
 * come from parsing the frame, not from the header. A checksum request at a
 * place that is not a TCP or UDP checksum is done in software at once.
 * A header that is wrong in any way costs the frame: the caller drops it and
 * counts the reason (enum vhostu_hdr_error).
 *
 * To the guest: an mbuf's TX flags become the header. What the guest did
 * not negotiate is done here in software when it can be (checksums: IPv4
 * header, TCP/UDP without GUEST_CSUM); a TSO frame to a guest without
 * GUEST_TSO4/6 cannot be, and is refused (the application segments it
 * first: vhostu-fwd does, app/offload.c).
 */
#ifndef VHOSTU_OFFLOAD_H
#define VHOSTU_OFFLOAD_H

#include <stdint.h>

#include <rte_mbuf_core.h>

#include "vhostu_proto.h"

/* Why a guest's header was refused. */
enum vhostu_hdr_error {
	VHOSTU_HDR_OK = 0,
	VHOSTU_HDR_BAD_CSUM,		/* csum_start/offset beyond the frame, TSO without
					 * NEEDS_CSUM or with a checksum that is not TCP's */
	VHOSTU_HDR_BAD_GSO_SIZE,	/* gso_size 0 or larger than the frame */
	VHOSTU_HDR_NOT_NEGOTIATED,	/* a gso_type (or NEEDS_CSUM) not negotiated, or unknown */
	VHOSTU_HDR_BAD_HDR_LEN,		/* hdr_len beyond the frame, or short of its headers */
	VHOSTU_HDR_NOT_TCP,		/* TSO of a frame that is not TCP over that IP version */
	VHOSTU_HDR_BAD_ECN,		/* the ECN bit without HOST_ECN */
	VHOSTU_HDR_ERROR_MAX,
};

/* The largest TSO frame: an IP datagram of 64 KiB behind Ethernet and VLAN headers. */
#define VHOSTU_TSO_MAX_FRAME	(UINT16_MAX + 14 + 4)

/* The mbuf flags vhostu_offload_to_guest acts on. */
#define VHOSTU_TX_OFFLOAD_FLAGS (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG | \
	RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_IP_CKSUM)

/*
 * The header h of the guest's frame m (h is our copy: every field is read
 * from it once) into m's offload flags. features: the negotiated ones; with
 * none of VHOSTU_OFFLOAD_HOST_FEATURES the header means nothing and is
 * ignored. 0, or -enum vhostu_hdr_error: drop the frame.
 */
int vhostu_offload_from_guest(const struct vhostu_net_hdr *h, struct rte_mbuf *m,
		uint64_t features);

/*
 * m's TX flags into h (all fields but num_buffers, which the caller keeps).
 * Checksums the guest cannot take are done in m, and their flags cleared.
 * 1: h asks the guest for something; 0: h is all zero; -ENOTSUP: the guest
 * cannot take this frame (TSO without GUEST_TSO4/6, UDP segmentation): drop it.
 */
int vhostu_offload_to_guest(struct rte_mbuf *m, struct vhostu_net_hdr *h, uint64_t features);

/*
 * tx_pkt_prepare (rte_eth_tx_prepare): for frames with TCP/UDP checksum or
 * TSO flags, the pseudo-header sum in the checksum field, which DPDK leaves
 * to the application or to this call (testpmd's csum engine relies on it).
 * Returns n, or the index of the first frame whose headers are not in its
 * first segment or not the IP version of its flags (rte_errno EINVAL).
 */
uint16_t vhostu_tx_prepare(void *txq, struct rte_mbuf **pkts, uint16_t n);

#endif /* VHOSTU_OFFLOAD_H */
