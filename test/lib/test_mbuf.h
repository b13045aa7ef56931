/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test frames as mbuf chains, for the rxtx suite (rxtx_harness.c) and the
 * rings fuzz harness (fuzz_rings.c). No CUnit: the fuzz build has none.
 */
#ifndef VHOSTU_TEST_MBUF_H
#define VHOSTU_TEST_MBUF_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

/*
 * The len bytes at data as a chain of mbufs from mp, each segment holding at
 * most seg (>= 1) bytes and never more than its tailroom; len 0 gives one
 * empty segment. NULL when the pool runs dry, with nothing taken from it.
 */
struct rte_mbuf *
test_mbuf_frame(struct rte_mempool *mp, const uint8_t *data, uint32_t len, uint32_t seg);

#endif /* VHOSTU_TEST_MBUF_H */
