/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhostu-fwd's software offloads: a frame a guest sent with offloads (TSO,
 * checksums to fill in: mbuf TX flags, see drivers/net/vhostu/vhostu_offload.h)
 * goes as it is to a guest that negotiated the matching GUEST_* feature, and
 * is segmented (librte_gso) and checksummed (librte_net) first for one that
 * did not, or for a port that is not a vhost-user one.
 */
#ifndef APP_OFFLOAD_H
#define APP_OFFLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

struct rte_mempool;

/* The most segments one frame becomes: 64 KiB at an MSS of 256 and more. */
#define APP_GSO_MAX_SEGS	256

/* What a destination port takes as it is. */
struct app_offload_caps {
	bool vhost;		/* a net_vhostu port: IPv4 header checksums are the driver's */
	bool csum;		/* GUEST_CSUM: TCP/UDP checksums left to fill in */
	bool tso4;		/* GUEST_TSO4 */
	bool tso6;		/* GUEST_TSO6 */
};

/* Header mbufs come from direct; the payload of segments is attached (a pool of our own). */
int app_offload_init(struct rte_mempool *direct);
void app_offload_fini(void);

/* True if any of the frames asks for an offload. */
static inline bool
app_offload_any(struct rte_mbuf *const *m, uint16_t n)
{
	uint64_t fl = 0;
	uint16_t i;

	for (i = 0; i < n; i++)
		fl |= m[i]->ol_flags;
	return (fl & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG | RTE_MBUF_F_TX_L4_MASK |
		RTE_MBUF_F_TX_IP_CKSUM)) != 0;
}

/* What port_id takes, now (a guest's driver may renegotiate at any time). */
void app_offload_caps(uint16_t port_id, struct app_offload_caps *caps);

/* True if m must go through app_offload_sw before it is sent to a port with caps. */
bool app_offload_needs_sw(const struct rte_mbuf *m, const struct app_offload_caps *caps);

/*
 * Segment and checksum m in software as far as caps needs it, with thread's
 * GSO context. The frames to send are put in out (at most max); returns how
 * many, 0 when m was dropped (freed: segmentation failed or is not
 * supported: UDP, TCP over IPv6 with extension headers, an MSS of 0). m may
 * be shared (a flood): it is left whole for the others, only checksums are
 * filled in place.
 */
uint16_t app_offload_sw(uint16_t thread, struct rte_mbuf *m, const struct app_offload_caps *caps,
		struct rte_mbuf **out, uint16_t max);

/*
 * Inside offload*.c: TCP over a bare IPv6 header into segments of m's MSS
 * (offload_tcp6.c), headers from direct, payload attached from indirect; m is
 * left as it is (the caller frees it). Each segment has TX_IPV6 |
 * TX_TCP_CKSUM and the pseudo-header sum in its TCP checksum field. Returns
 * the segments, 0 if m fits one segment, -1 if m cannot be segmented here.
 */
int app_offload_tcp6_segment(struct rte_mbuf *m, struct rte_mempool *direct,
		struct rte_mempool *indirect, struct rte_mbuf **out, uint16_t max);

#endif /* APP_OFFLOAD_H */
