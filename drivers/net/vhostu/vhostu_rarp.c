/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SEND_RARP: after a live migration the frontend asks the backend to announce
 * the guest's MAC so that switches learn where it went. The control thread
 * records the request; the next receive burst on queue 0 hands the switch one
 * broadcast RARP frame as if the guest had sent it.
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_mbuf.h>

#include "vhostu_internal.h"

#define VHOSTU_RARP_OP_REQUEST	3	/* RFC 903 reverse request */

int
vhostu_send_rarp(struct vhostu_port *p, const uint8_t mac[6])
{
	memcpy(p->rarp_mac, mac, RTE_ETHER_ADDR_LEN);
	__atomic_store_n(&p->vrings[1].rarp_pending, true, __ATOMIC_RELEASE);
	VHOSTU_PORT_LOG(p, INFO, "RARP for " RTE_ETHER_ADDR_PRT_FMT " requested",
		mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return 0;
}

static void
vhostu_rarp_fill(struct rte_mbuf *m, const uint8_t *mac)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *rarp = (struct rte_arp_hdr *)(eth + 1);
	uint32_t len = RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN;

	memset(eth, 0, len);
	memset(&eth->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	memcpy(&eth->src_addr, mac, RTE_ETHER_ADDR_LEN);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_RARP);
	rarp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	rarp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	rarp->arp_hlen = RTE_ETHER_ADDR_LEN;
	rarp->arp_plen = 4;
	rarp->arp_opcode = rte_cpu_to_be_16(VHOSTU_RARP_OP_REQUEST);
	memcpy(&rarp->arp_data.arp_sha, mac, RTE_ETHER_ADDR_LEN);
	memcpy(&rarp->arp_data.arp_tha, mac, RTE_ETHER_ADDR_LEN);
	m->data_len = len;
	m->pkt_len = len;
}

/* The pending RARP frame, once; NULL when none is pending (or no mbuf). */
struct rte_mbuf *
vhostu_rarp_take(struct vhostu_port *p, struct rte_mempool *mp)
{
	struct rte_mbuf *m;

	if (likely(!__atomic_load_n(&p->vrings[1].rarp_pending, __ATOMIC_ACQUIRE)))
		return NULL;
	m = rte_pktmbuf_alloc(mp);
	if (m == NULL)
		return NULL;	/* try again on the next burst */
	__atomic_store_n(&p->vrings[1].rarp_pending, false, __ATOMIC_RELAXED);
	vhostu_rarp_fill(m, p->rarp_mac);
	return m;
}
