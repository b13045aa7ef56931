/* SPDX-License-Identifier: BSD-3-Clause */
/* Test frames as mbuf chains (test_mbuf.h). */
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "test_mbuf.h"

struct rte_mbuf *
test_mbuf_frame(struct rte_mempool *mp, const uint8_t *data, uint32_t len, uint32_t seg)
{
	struct rte_mbuf *head = NULL, *last = NULL, *m;
	uint32_t off = 0, k;

	do {
		m = rte_pktmbuf_alloc(mp);
		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		k = RTE_MIN(RTE_MIN(len - off, seg), (uint32_t)rte_pktmbuf_tailroom(m));
		memcpy(rte_pktmbuf_append(m, k), data + off, k);
		off += k;
		if (head == NULL) {
			head = m;
		} else {
			last->next = m;
			head->nb_segs++;
			head->pkt_len += k;
		}
		last = m;
	} while (off < len);
	return head;
}
