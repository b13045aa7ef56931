/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Suite "packed rings, batches of four": where the ring offers four chains of
 * one descriptor, the packed bursts take them at once (vhostu_packed_batch),
 * and the result must be the one-chain walk's, byte for byte. One runner
 * plays each scenario of a table twice, batches on then off, and compares
 * the mbufs returned, all of the guest's memory (buffers, rings, event
 * areas), our positions, every counter but stats.batches, the calls and the
 * dirty log. Rings of 8 and 16 from every position under both wrap counters,
 * 10 and 255 (no batch across the end), 256, 512 (the shadow filling);
 * bursts of 1..size + 1 and 40; one chain in four bad each way the batch refuses.
 * Then IN_ORDER on the guest TX ring: one used descriptor naming the last chain.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "rxtx_harness.h"
#include "test_mbuf.h"
#include "vhostu_rxtx.h"

/* ------------------------------------------------------------ scenarios */

/* What chain 2 of every four the guest posts is; the other three are K_ONE. */
enum pb_kind {
	K_ONE,		/* one descriptor: a frame (rx) or a buffer of 512 bytes (tx) */
	K_TWO,		/* two descriptors, the header alone in the first */
	K_IND,		/* an indirect table of one entry */
	K_INDBIG,	/* an indirect table of six entries: the budget runs out */
	K_ZERO,		/* length 0 */
	K_BIGID,	/* id outside the ring */
	K_OUTSIDE,	/* a buffer that ends outside guest memory */
	K_NOTAVAIL,	/* flags of the other wrap counter: not available yet */
	K_SHORT,	/* tx: a buffer of 40 bytes, too short for any frame */
	K_RUNT,		/* rx: a frame of 10 bytes */
	K_OVERSIZE,	/* rx: a frame above VHOSTU_RX_MAX_FRAME */
	K_BIG,		/* rx: a frame of 3000 bytes, two mbufs */
	K_CSUM,		/* rx: a TCP frame with NEEDS_CSUM in its header */
};

struct pb_case {
	const char *name;
	bool tx;		/* mbufs to the guest RX ring; else the guest TX ring to mbufs */
	uint64_t features;
	enum pb_kind kind;
	uint32_t seg;		/* tx: mbuf segments of at most seg bytes (0: 4096) */
	uint64_t ol_flags;	/* tx: on every other frame, l2_len 14, l3_len 20 */
	bool small_pool;	/* rx: only mbufs for one burst's chains in the pool */
	bool log;		/* dirty logging, every vring */
	bool must_batch;	/* a ring of 4k from any start, a burst of 7: one batch at least */
};

#define TCP_CK	(RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_IPV4)
#define F_GCSUM	F(VIRTIO_NET_F_GUEST_CSUM)
#define F_CSUM	F(VIRTIO_NET_F_CSUM)

#define RX(name, f, k, ...)	{ name, false, f, k, __VA_ARGS__ }
#define TX(name, f, k, ...)	{ name, true, f, k, __VA_ARGS__ }

static const struct pb_case cases[] = {
	RX("rx, chains of one", F_DEFAULT, K_ONE, .must_batch = true),
	RX("rx, chains of one, 10-byte header", F_IND, K_ONE, .must_batch = true),
	RX("rx, chains of one, IN_ORDER", F_DEFAULT | F_INORDER, K_ONE, .must_batch = true),
	RX("rx, two descriptors", F_DEFAULT, K_TWO, .seg = 0),
	RX("rx, two descriptors, IN_ORDER", F_DEFAULT | F_INORDER, K_TWO, .seg = 0),
	RX("rx, indirect", F_DEFAULT, K_IND, .seg = 0),
	RX("rx, budget", F_DEFAULT, K_INDBIG, .seg = 0),
	RX("rx, zero length", F_DEFAULT, K_ZERO, .seg = 0),
	RX("rx, id outside the ring", F_DEFAULT, K_BIGID, .seg = 0),
	RX("rx, id outside the ring, IN_ORDER", F_DEFAULT | F_INORDER, K_BIGID, .seg = 0),
	RX("rx, outside memory", F_DEFAULT, K_OUTSIDE, .seg = 0),
	RX("rx, not available", F_DEFAULT, K_NOTAVAIL, .seg = 0),
	RX("rx, runts", F_DEFAULT, K_RUNT, .seg = 0),
	RX("rx, oversize", F_V1, K_OVERSIZE, .seg = 0),
	RX("rx, NEEDS_CSUM", F_DEFAULT | F_CSUM, K_CSUM, .seg = 0),
	RX("rx, pool runs dry", F_DEFAULT, K_BIG, .small_pool = true),
	RX("rx, dirty log", F_DEFAULT | F_LOG, K_TWO, .log = true),
	TX("tx, chains of one", F_DEFAULT, K_ONE, .must_batch = true),
	TX("tx, chains of one, no MRG", F_V1 | F_IND, K_ONE, .must_batch = true),
	TX("tx, chains of one, 10-byte header", F_IND, K_ONE, .must_batch = true),
	TX("tx, chains of one, IN_ORDER", F_DEFAULT | F_INORDER, K_ONE, .must_batch = true),
	TX("tx, multi-segment mbufs", F_DEFAULT, K_ONE, .seg = 100),
	TX("tx, TCP_CKSUM, GUEST_CSUM", F_DEFAULT | F_GCSUM, K_ONE, .ol_flags = TCP_CK),
	TX("tx, TCP_CKSUM, no GUEST_CSUM", F_DEFAULT, K_ONE, .ol_flags = TCP_CK),
	TX("tx, two descriptors", F_DEFAULT, K_TWO, .seg = 0),
	TX("tx, indirect", F_DEFAULT, K_IND, .seg = 0),
	TX("tx, zero length", F_DEFAULT, K_ZERO, .seg = 0),
	TX("tx, id outside the ring", F_DEFAULT, K_BIGID, .seg = 0),
	TX("tx, outside memory", F_DEFAULT, K_OUTSIDE, .seg = 0),
	TX("tx, not available", F_DEFAULT, K_NOTAVAIL, .seg = 0),
	TX("tx, short buffers, MRG", F_DEFAULT, K_SHORT, .seg = 0),
	TX("tx, short buffers, no MRG", F_V1 | F_IND, K_SHORT, .seg = 0),
	TX("tx, dirty log", F_DEFAULT | F_LOG, K_ONE, .log = true),
};

struct pb_shape {
	uint16_t size, start;
	bool wrap;
	uint16_t burst;
};

/* ---------------------------------------------------------------- a play */

#define PB_ROUNDS	2	/* the guest posts, three bursts, the guest takes all back */
#define PB_BURSTS	3
#define PB_MAXM		(PB_ROUNDS * PB_BURSTS * 320)
#define PB_CHAINS	300u	/* chains the guest posts in a round, at most (and 3 bursts' + 8) */
#define PB_BIGFRAME	(VHOSTU_RX_MAX_FRAME + 1)

/* An mbuf returned by rx_burst: pkt_len, ol_flags, port, a hash of its data. */
struct pb_mbuf {
	uint64_t f[4];
};

/* All a play leaves. */
struct pb_rec {
	uint16_t ret[PB_ROUNDS * PB_BURSTS];
	unsigned int nm;
	struct pb_mbuf m[PB_MAXM];
	struct vhostu_vring_stats st[2];	/* rx, tx */
	uint16_t pos[8];	/* rx, tx: last_avail_idx, avail_wrap, last_used_idx, used_wrap */
	uint64_t calls[2];
	uint8_t *mem;		/* the guest's memory, copied (batch play) */
	size_t memlen;
	uint64_t batches, batches0;	/* both directions; in the first burst */
};

static struct pb_rec rec[2];	/* [0]: batches on, [1]: off */
static struct rte_mempool *small;	/* 64 mbufs, no cache, for "pool runs dry"; kept */
static uint8_t frame[PB_BIGFRAME];
static unsigned int reported;	/* differences printed, per test */
static uint8_t log_copy[(FG_GPA_BASE + FG_MEM_SIZE) / VHOSTU_PAGE_SIZE / 8];

/* Ethernet, IPv4, TCP headers over a patterned payload (shorter frames: pattern only). */
static void
pb_frame(uint32_t len, uint32_t seed)
{
	fg_pattern(frame, len, seed);
	if (len < 54)
		return;
	frame[12] = 0x08;
	frame[13] = 0x00;
	frame[14] = 0x45;
	frame[16] = (uint8_t)((len - 14) >> 8);
	frame[17] = (uint8_t)(len - 14);
	frame[23] = 6;		/* TCP */
	frame[46] = 5 << 4;	/* data offset */
}

/* The length of frame i: 60..359 bytes. */
#define PB_LEN(i)	(60 + ((i) * 37) % 300)

/* The guest's chain i; false when the ring has no room for it. */
static bool
pb_post(const struct pb_case *c, uint32_t i)
{
	static const uint8_t csum_hdr[12] = { 1, 0, 0, 0, 0, 0, 34, 0, 16, 0, 0, 0 };
	enum pb_kind k = i % 4 == 2 ? c->kind : K_ONE;
	struct fg_ring *r = c->tx ? &grx[0] : &gtx[0];
	uint32_t hs = port->hdr_size, len = PB_LEN(i);
	/* Buffers: K_INDBIG's six, K_TWO's two from 4, K_ONE's one at 5, K_SHORT's at 6. */
	const uint32_t segs[7] = { hs, 10, 10, 10, hs, 512, 40 };
	uint16_t nseg = k == K_INDBIG ? 6 : k == K_TWO ? 2 : 1, head;
	const uint32_t *sg = &segs[k == K_INDBIG ? 0 : k == K_TWO ? 4 : k == K_SHORT ? 6 : 5];
	bool wrap = r->avail_wrap, ind = k == K_IND || k == K_INDBIG;
	struct vhostu_pdesc *d;

	if (r->nfree < (k == K_TWO ? 2 : 1))
		return false;
	if (c->tx) {
		head = fg_rx_post(r, sg, nseg, ind);
	} else {
		len = k == K_RUNT ? 10 : k == K_OVERSIZE ? PB_BIGFRAME : k == K_BIG ? 3000 : len;
		pb_frame(len, i);
		head = fg_tx_post(r, k == K_CSUM ? csum_hdr : zero_hdr, hs, frame, len, sg, nseg,
			ind);
	}
	d = (struct vhostu_pdesc *)(void *)r->desc + head;
	if (k == K_ZERO)
		d->len = 0;
	else if (k == K_BIGID)
		d->id = r->size + 3;
	else if (k == K_OUTSIDE)
		d->addr = FG_GPA_BASE + FG_MEM_SIZE - 8;
	else if (k == K_NOTAVAIL)
		d->flags = (d->flags & ~vhostu_packed_used_flags(true)) |
			vhostu_packed_avail_flags(!wrap);
	return true;
}

static uint64_t
pb_hash(const struct rte_mbuf *m)
{
	uint64_t h = 14695981039346656037ull;
	const uint8_t *p;
	uint32_t i;

	for (; m != NULL; m = m->next)
		for (p = rte_pktmbuf_mtod(m, const uint8_t *), i = 0; i < m->data_len; i++)
			h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

static uint16_t
pb_rx(struct pb_rec *o, uint16_t burst)
{
	static struct rte_mbuf *pkts[512];
	uint16_t n = vhostu_rx_burst(rxq(0), pkts, burst), k;

	for (k = 0; k < n && o->nm < PB_MAXM; k++, o->nm++)
		o->m[o->nm] = (struct pb_mbuf){ { pkts[k]->pkt_len, pkts[k]->ol_flags,
			pkts[k]->port, pb_hash(pkts[k]) } };
	if (n != 0)
		rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

static uint16_t
pb_tx(const struct pb_case *c, uint32_t b, uint16_t burst)
{
	static struct rte_mbuf *pkts[512];
	uint32_t len, k;
	uint16_t n;

	for (k = 0; k < burst; k++) {
		len = PB_LEN(b * 64 + k);
		pb_frame(len, b * 64 + k);
		pkts[k] = test_mbuf_frame(mp, frame, len, c->seg != 0 ? c->seg : 4096);
		CU_ASSERT_FATAL(pkts[k] != NULL);
		if (c->ol_flags != 0 && k % 2 == 1) {
			pkts[k]->ol_flags |= c->ol_flags;
			pkts[k]->l2_len = 14;
			pkts[k]->l3_len = 20;
		}
	}
	n = vhostu_tx_burst(txq(0), pkts, burst);
	if (n < burst)
		rte_pktmbuf_free_bulk(&pkts[n], burst - n);
	return n;
}

/* One play of case c on shape s, batches on or off, into o. */
static void
pb_play(const struct pb_case *c, const struct pb_shape *s, bool batch, struct pb_rec *o)
{
	static struct rte_mbuf *held[64];
	struct fg_ring *r;
	unsigned int nheld = 0, round, b, nb = 0;
	uint32_t i = 0, posted;
	int fd[2];

	vhostu_packed_batch = batch;
	port_setup_packed(c->features, s->size, s->start, s->wrap);
	r = c->tx ? &grx[0] : &gtx[0];
	fd[0] = use_eventfd(rxq(0));
	fd[1] = use_eventfd(txq(0));
	vhostu_coalesce_frames = 0;
	if (c->log) {
		port->log_size = sizeof(log_copy);
		port->log_addr = calloc(1, port->log_size);
		CU_ASSERT_FATAL(port->log_addr != NULL);
		rxq(0)->log_used = txq(0)->log_used = true;
	}
	if (c->small_pool) {
		if (small == NULL)
			small = rte_pktmbuf_pool_create("pbatch", 64, 0, 0,
				RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
		CU_ASSERT_FATAL(small != NULL);
		nheld = 64 - RTE_MIN(RTE_MIN(s->burst, s->size), 64);
		CU_ASSERT_FATAL(nheld == 0 || rte_pktmbuf_alloc_bulk(small, held, nheld) == 0);
		rxq(0)->mp = small;
	}
	o->nm = 0;
	for (round = 0; round < PB_ROUNDS; round++) {
		for (posted = 0; posted < RTE_MIN(PB_CHAINS, 3u * s->burst + 8) &&
				pb_post(c, i); posted++)
			i++;
		for (b = 0; b < PB_BURSTS; b++, nb++) {
			o->ret[nb] = c->tx ? pb_tx(c, nb, s->burst) : pb_rx(o, s->burst);
			if (nb == 0)
				o->batches0 = rxq(0)->stats.batches + txq(0)->stats.batches;
		}
		/* The guest takes all back; what we did not take it posts again. */
		r->avail_pos = r->vr->last_avail_idx;
		r->avail_wrap = r->vr->avail_wrap;
		r->used_pos = r->vr->last_used_idx;
		r->used_wrap = r->vr->used_wrap;
		r->nfree = r->size;
	}
	if (nheld != 0)
		rte_pktmbuf_free_bulk(held, nheld);
	o->st[0] = rxq(0)->stats;
	o->st[1] = txq(0)->stats;
	o->batches = o->st[0].batches + o->st[1].batches;
	o->st[0].batches = o->st[1].batches = 0;
	for (b = 0; b < 2; b++) {
		const struct vhostu_vring *vr = b == 0 ? rxq(0) : txq(0);
		uint16_t *p = &o->pos[4 * b];

		p[0] = vr->last_avail_idx;
		p[1] = vr->avail_wrap;
		p[2] = vr->last_used_idx;
		p[3] = vr->used_wrap;
		o->calls[b] = calls(fd[b]);
	}
	o->memlen = fg_alloc(1, 1) - FG_GPA_BASE;
	vhostu_packed_batch = true;
}

/* ------------------------------------------------------------ comparison */

/* The counter at byte off of struct vhostu_vring_stats (all of them uint64_t). */
static const char *
pb_stat_name(size_t off)
{
#define STAT(f) { offsetof(struct vhostu_vring_stats, f), #f }
	static const struct { size_t off; const char *name; } names[] = {
		STAT(packets), STAT(bytes), STAT(errors), STAT(no_desc), STAT(oversize),
		STAT(mbuf_fail), STAT(notifications), STAT(notify_fail), STAT(size_bins),
		STAT(stopped), STAT(runt), STAT(desc_reads), STAT(hdr_errors),
		STAT(offload_drops), STAT(batches),
	};
#undef STAT
	const char *name = "?";
	unsigned int i;

	for (i = 0; i < RTE_DIM(names); i++)
		if (off >= names[i].off)
			name = names[i].name;
	return name;
}

/* A difference: one failure, and a line that says where (the first few of a test). */
static void
pb_diff(const struct pb_case *c, const struct pb_shape *s, const char *what, uint64_t on,
		uint64_t off)
{
	CU_FAIL("batch and walk differ (see the output)");
	if (reported++ < 12)
		printf("\n  pbatch: %s, size %u start %u wrap %d burst %u: %s: batch %" PRIu64
			" (0x%" PRIx64 "), walk %" PRIu64 " (0x%" PRIx64 ")", c->name, s->size,
			s->start, s->wrap, s->burst, what, on, on, off, off);
}

/* Packed descriptor i of the ring at p as one number: id << 48 | len << 16 | flags. */
static uint64_t
pb_dword(const uint8_t *p, size_t i)
{
	const struct vhostu_pdesc *d = (const struct vhostu_pdesc *)(const void *)p + i;

	return (uint64_t)d->id << 48 | (uint64_t)d->len << 16 | d->flags;
}

/* The first byte of guest memory that differs: named by descriptor if in a ring. */
static void
pb_cmp_mem(const struct pb_case *c, const struct pb_shape *s, const struct pb_rec *a)
{
	const uint8_t *live = fg_va(FG_GPA_BASE);
	const struct fg_ring *rings[2] = { &gtx[0], &grx[0] };
	char what[96];
	size_t off, lo, i;
	unsigned int k;

	if (memcmp(a->mem, live, a->memlen) == 0)
		return;
	for (off = 0; a->mem[off] == live[off]; off++)
		;
	for (k = 0; k < 2; k++) {
		lo = rings[k]->desc_gpa - FG_GPA_BASE;
		if (off < lo || off >= lo + 16u * s->size)
			continue;
		i = (off - lo) / 16;
		snprintf(what, sizeof(what), "guest %s ring descriptor %zu (id << 48 | len << 16 |"
			" flags)", k == 0 ? "TX" : "RX", i);
		pb_diff(c, s, what, pb_dword(a->mem + lo, i), pb_dword(live + lo, i));
		return;
	}
	snprintf(what, sizeof(what), "guest memory at 0x%zx (byte)", (size_t)(FG_GPA_BASE + off));
	pb_diff(c, s, what, a->mem[off], live[off]);
}

static void
pb_cmp(const struct pb_case *c, const struct pb_shape *s, const struct pb_rec *a,
		const struct pb_rec *b)
{
	static const char *const pos[8] = { "rx last_avail_idx", "rx avail_wrap",
		"rx last_used_idx", "rx used_wrap", "tx last_avail_idx", "tx avail_wrap",
		"tx last_used_idx", "tx used_wrap" };
	static const char *const mf[4] = { "pkt_len", "ol_flags", "port", "data hash" };
	char what[64];
	unsigned int i, k;

	for (i = 0; i < PB_ROUNDS * PB_BURSTS; i++)
		if (a->ret[i] != b->ret[i]) {
			snprintf(what, sizeof(what), "burst %u returned", i);
			pb_diff(c, s, what, a->ret[i], b->ret[i]);
		}
	if (a->nm != b->nm)
		pb_diff(c, s, "mbufs returned", a->nm, b->nm);
	for (i = 0; i < RTE_MIN(a->nm, b->nm); i++) {
		for (k = 0; k < 4 && a->m[i].f[k] == b->m[i].f[k]; k++)
			;
		if (k < 4) {
			snprintf(what, sizeof(what), "mbuf %u %s", i, mf[k]);
			pb_diff(c, s, what, a->m[i].f[k], b->m[i].f[k]);
			break;
		}
	}
	for (i = 0; i < 8; i++)
		if (a->pos[i] != b->pos[i])
			pb_diff(c, s, pos[i], a->pos[i], b->pos[i]);
	for (i = 0; i < 2; i++)
		if (a->calls[i] != b->calls[i])
			pb_diff(c, s, i == 0 ? "rx calls" : "tx calls", a->calls[i], b->calls[i]);
	for (i = 0; i < sizeof(a->st) / 8; i++)	/* all uint64_t */
		if (((const uint64_t *)a->st)[i] != ((const uint64_t *)b->st)[i]) {
			k = i % (sizeof(a->st[0]) / 8);
			snprintf(what, sizeof(what), "%s stats.%s (word %u)",
				i == k ? "rx" : "tx", pb_stat_name(8u * k), k);
			pb_diff(c, s, what, ((const uint64_t *)a->st)[i],
				((const uint64_t *)b->st)[i]);
		}
	if (a->memlen != b->memlen)
		pb_diff(c, s, "guest memory handed out", a->memlen, b->memlen);
	else
		pb_cmp_mem(c, s, a);
	if (c->log && memcmp(log_copy, port->log_addr, sizeof(log_copy)) != 0)
		pb_diff(c, s, "dirty log bytes that differ", 1, 0);
}

/* Case c on shape s, batches on then off; what the batch play must have done. */
static void
pb_check(const struct pb_case *c, const struct pb_shape *s, uint64_t *batches,
		uint64_t *mbuf_fail)
{
	struct pb_rec *a = &rec[0];

	pb_play(c, s, true, a);
	a->mem = malloc(a->memlen);
	CU_ASSERT_FATAL(a->mem != NULL);
	memcpy(a->mem, fg_va(FG_GPA_BASE), a->memlen);
	if (c->log)
		memcpy(log_copy, port->log_addr, sizeof(log_copy));
	pb_play(c, s, false, &rec[1]);
	CU_ASSERT_EQUAL(rec[1].batches, 0);
	if (rte_mempool_avail_count(mp) != NB_MBUFS || (small != NULL &&
			rte_mempool_avail_count(small) != 64))
		pb_diff(c, s, "mbufs missing from the pools after both plays",
			NB_MBUFS - rte_mempool_avail_count(mp),
			small != NULL ? 64 - rte_mempool_avail_count(small) : 0);
	pb_cmp(c, s, a, &rec[1]);
	if (c->must_batch && s->size % 4 == 0 && s->burst >= 7 && a->batches == 0)
		pb_diff(c, s, "batches (none where a run of four is aligned)", 0, 0);
	/* From the last positions of a ring of 10 or 255: walked up to the wrap. */
	if (c->kind == K_ONE && s->size % 4 != 0 && s->start >= (s->size & ~3u) &&
			s->burst < s->size - s->start + 4 && a->batches0 != 0)
		pb_diff(c, s, "batches in the first burst (none can fit before the end)",
			a->batches0, 0);
	*batches += a->batches;
	*mbuf_fail += a->st[0].mbuf_fail;
	free(a->mem);
	a->mem = NULL;
}

/* ---------------------------------------------------------------- runner */

/*
 * All of guest memory zero: port set-up clears only what the last port had,
 * and other suites leave bytes beyond it that would fill a play's gaps.
 */
static void
pb_clean(void)
{
	memset(fg_va(FG_GPA_BASE), 0, FG_MEM_SIZE);
	reported = 0;
}

static const uint16_t some_bursts[] = { 1, 3, 4, 5, 7, 8, 9, 17, 40 };

/*
 * Every case on rings of size from the starts given (NULL: every position),
 * under both wrap counters. Bursts: 1..size + 1 and 40 (more than the ring
 * holds is all it holds) for the cases that must batch, if all_bursts; else
 * some_bursts.
 */
static void
pb_ring(uint16_t size, const uint16_t *starts, unsigned int nstarts, bool all_bursts)
{
	struct pb_shape s = { .size = size };
	unsigned int k, j, w, bi, nb;
	uint64_t batches, fails;
	bool every;

	pb_clean();
	for (k = 0; k < RTE_DIM(cases); k++) {
		const struct pb_case *c = &cases[k];

		batches = fails = 0;
		every = all_bursts && c->must_batch;
		nb = every ? size + 2u : RTE_DIM(some_bursts);
		for (j = 0; j < (starts != NULL ? nstarts : size); j++)
			for (w = 0; w < 2; w++)
				for (bi = 0; bi < nb; bi++) {
					s.start = starts != NULL ? starts[j] : (uint16_t)j;
					s.wrap = w == 0;
					s.burst = !every ? some_bursts[bi] : bi + 1u < nb ?
						(uint16_t)(bi + 1) : 40;
					pb_check(c, &s, &batches, &fails);
				}
		if (c->must_batch && size % 4 == 0)
			CU_ASSERT(batches > 0);
		if (c->small_pool && size == 8)
			CU_ASSERT(fails > 0);	/* a chain found no mbuf: the rest waited */
	}
}

static void
test_packed_batch_equals_walk_on_rings_of_8_and_16_from_every_position(void)
{
	pb_ring(8, NULL, 0, true);
	pb_ring(16, NULL, 0, true);
}

/* Rings that do not end on a multiple of four: the last positions are walked. */
static void
test_packed_batch_equals_walk_on_rings_of_10_and_255(void)
{
	static const uint16_t starts[] = { 0, 1, 248, 250, 251, 252, 253, 254 };

	pb_ring(10, NULL, 0, false);
	pb_ring(255, starts, RTE_DIM(starts), false);
}

static void
test_packed_batch_equals_walk_on_rings_of_256(void)
{
	static const uint16_t starts[] = { 0, 1, 3, 4, 252, 253, 255 };

	pb_ring(256, starts, RTE_DIM(starts), false);
}

/* Bursts of 300 chains: the shadow (256 used descriptors) fills in the middle. */
static void
test_packed_batch_equals_walk_when_the_shadow_fills(void)
{
	static const uint16_t starts[] = { 0, 1, 2, 3, 510 };
	struct pb_shape s = { .size = 512, .wrap = true, .burst = 300 };
	uint64_t batches = 0, fails = 0;
	unsigned int j, k;

	pb_clean();
	for (k = 0; k < RTE_DIM(cases); k++)
		for (j = 0; j < RTE_DIM(starts); j++) {
			s.start = starts[j];
			pb_check(&cases[k], &s, &batches, &fails);
		}
	CU_ASSERT(batches > 0);
}

/* --------------------------------------------------------------- IN_ORDER */

/*
 * IN_ORDER, guest TX ring: n chains from start (chain 1 of two descriptors if
 * two, the last one outside guest memory if bad); one burst takes them all
 * and writes one used descriptor, at start, naming the last chain, len 0, the
 * wrap of start; the positions after it stay the guest's. The guest, popping
 * in order, takes all n back.
 */
static void
pb_inorder_rx_one(uint16_t start, bool wrap, bool two, bool bad, bool batch)
{
	const uint16_t size = 16, n = 7;
	struct vhostu_pdesc *ring;
	struct rte_mbuf *pkts[16];
	uint16_t heads[7], got, pos = start, npos = 0, k, p;
	uint32_t segs[2] = { 12, 200 }, id = 0;
	bool w = wrap, pw;

	vhostu_packed_batch = batch;
	port_setup_packed(F_DEFAULT | F_INORDER, size, start, wrap);
	ring = (struct vhostu_pdesc *)(void *)gtx[0].desc;
	for (k = 0; k < n; k++) {
		pb_frame(64u + k, k);
		heads[k] = fg_tx_post(&gtx[0], zero_hdr, 12, frame, 64u + k, segs,
			two && k == 1 ? 2 : 1, false);
		npos += two && k == 1 ? 2 : 1;
	}
	if (bad)
		ring[heads[n - 1]].addr = FG_GPA_BASE + FG_MEM_SIZE - 8;
	got = vhostu_rx_burst(rxq(0), pkts, RTE_DIM(pkts));
	CU_ASSERT_EQUAL(got, bad ? n - 1 : n);
	if (got != 0)
		rte_pktmbuf_free_bulk(pkts, got);
	CU_ASSERT_EQUAL(ring[start].id, heads[n - 1]);
	CU_ASSERT_EQUAL(ring[start].len, 0);
	CU_ASSERT_EQUAL(ring[start].flags, vhostu_packed_used_flags(wrap));
	for (k = 1, p = start, pw = wrap; k < npos; k++) {
		vhostu_packed_step(size, &p, &pw, 1);
		CU_ASSERT_EQUAL(ring[p].flags & vhostu_packed_used_flags(true),
			vhostu_packed_avail_flags(pw));
	}
	vhostu_packed_step(size, &pos, &w, npos);
	CU_ASSERT(rxq(0)->last_used_idx == pos && rxq(0)->used_wrap == w);
	CU_ASSERT(rxq(0)->last_avail_idx == pos && rxq(0)->avail_wrap == w);
	CU_ASSERT_EQUAL(rxq(0)->stats.errors, bad ? 1 : 0);
	CU_ASSERT_EQUAL(fg_used_pop_in_order(&gtx[0], &id), n);
	CU_ASSERT_EQUAL(id, heads[n - 1]);
	CU_ASSERT(gtx[0].used_pos == pos && gtx[0].used_wrap == w && gtx[0].nfree == size);
	/* Seven chains of one from any start hold an aligned run of four. */
	if (batch && !two && !bad)
		CU_ASSERT(rxq(0)->stats.batches > 0);
	vhostu_packed_batch = true;
}

/* From starts before, at and across the wrap (12..15), batches on and off. */
static void
pb_inorder_rx(bool bad)
{
	static const uint16_t starts[] = { 0, 1, 4, 9, 12, 13, 14, 15 };
	unsigned int j, m;

	for (j = 0; j < RTE_DIM(starts); j++)
		for (m = 0; m < 8; m++)
			pb_inorder_rx_one(starts[j], m & 1, m & 2, bad, m & 4);
}

static void
test_packed_inorder_rx_one_used_descriptor_names_the_last_chain(void)
{
	pb_inorder_rx(false);
}

static void
test_packed_inorder_rx_one_used_descriptor_even_when_the_last_chain_is_bad(void)
{
	pb_inorder_rx(true);
}

/* Guest RX buffers under IN_ORDER: the guest reads each length, one per chain still. */
static void
test_packed_inorder_tx_keeps_one_used_descriptor_per_chain(void)
{
	static const uint16_t starts[] = { 0, 2, 12, 14 };
	struct vhostu_pdesc *ring;
	struct rte_mbuf *m[8];
	uint16_t pos, k, j;
	bool w;

	for (j = 0; j < RTE_DIM(starts); j++) {
		port_setup_packed(F_DEFAULT | F_INORDER, 16, starts[j], true);
		ring = (struct vhostu_pdesc *)(void *)grx[0].desc;
		guest_post_rx(0, 8, 2048);
		for (k = 0; k < 8; k++)
			m[k] = mk_mbuf(100u + k, k, 4096);
		CU_ASSERT_EQUAL(vhostu_tx_burst(txq(0), m, 8), 8);
		CU_ASSERT(txq(0)->stats.batches > 0);
		for (k = 0, pos = starts[j], w = true; k < 8; k++) {
			CU_ASSERT_EQUAL(ring[pos].id, pos);
			CU_ASSERT_EQUAL(ring[pos].len, 12u + 100u + k);
			CU_ASSERT_EQUAL(ring[pos].flags,
				vhostu_packed_used_flags(w) | VRING_DESC_F_WRITE);
			vhostu_packed_step(16, &pos, &w, 1);
			CU_ASSERT_EQUAL(fg_rx_read(&grx[0], 12, true, got, got, sizeof(got)),
				100 + k);
		}
	}
}

CU_TestInfo packed_batch_tests[] = {
	T(test_packed_batch_equals_walk_on_rings_of_8_and_16_from_every_position),
	T(test_packed_batch_equals_walk_on_rings_of_10_and_255),
	T(test_packed_batch_equals_walk_on_rings_of_256),
	T(test_packed_batch_equals_walk_when_the_shadow_fills),
	T(test_packed_inorder_rx_one_used_descriptor_names_the_last_chain),
	T(test_packed_inorder_rx_one_used_descriptor_even_when_the_last_chain_is_bad),
	T(test_packed_inorder_tx_keeps_one_used_descriptor_per_chain),
	CU_TEST_INFO_NULL,
};
