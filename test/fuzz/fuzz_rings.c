/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness of the datapath, split and packed rings: vhostu_rx_burst()
 * and vhostu_tx_burst() over guest memory the input writes, with the negotiated
 * features, ring placement and indexes, dirty log, mbuf sizes and the order
 * of bursts chosen by the input.
 *
 * Guest memory is a 256 KiB memfd mapped as two regions of 128 KiB, adjacent
 * in guest-physical space but apart in ours, each with PROT_NONE guard space
 * around it: a buffer that crosses from one region into the next, or any
 * access outside the regions, faults. The dirty log is a heap block of
 * exactly the size the input gives, so ASan sees a write past its end.
 *
 * Input (little-endian, test/fuzz/make_corpus.py writes it):
 *   struct fz_hdr		features, port and log set-up, two ring set-ups
 *   struct fz_op[nops]	the bursts and what the guest does between them
 *   memory image		copied to guest memory offset 0 (descriptor
 *				tables, avail rings, indirect tables, buffers)
 * Rings are placed by the offsets in fz_ring and translated by the driver's
 * own vhostu_vring_translate(), as SET_VRING_ADDR would.
 *
 * After every burst: each mbuf rx_burst returns passes rte_mbuf_check() and
 * the size limits, the device never returns more used entries than it took
 * avail entries, and the burst read no more descriptors than its budget allows
 * (3 x ring size + 1: zero-length chains under MRG_RXBUF once made it ring
 * size squared); on packed rings, what the burst published for EVENT_IDX
 * decisions (vr->used_pub) is its used position and the positions it moved;
 * at the end of the input every mbuf is back in its pool. The event areas
 * are guest memory like the rest (packed: the driver area's DESC mode with
 * its offset, seed packed-event-idx-desc), so the calls each burst decides
 * run on whatever the input wrote there.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "test_mbuf.h"
#include "vhostu_internal.h"

#define FZ_MEM_SIZE	(256u << 10)
#define FZ_REGION_SIZE	(FZ_MEM_SIZE / 2)
#define FZ_GUARD	(16u << 20)	/* PROT_NONE around each region */
#define FZ_GPA		0x100000ull	/* guest-physical address of region 0 */
#define FZ_UVA		0x7f0000000000ull	/* the frontend's address of region 0 */
#define FZ_UVA_GAP	0x10000ull	/* region 1 is apart in the frontend too */
#define FZ_PORT_ID	3
#define FZ_MAX_BURST	64
#define FZ_MAX_FRAME	(64u << 7)	/* the longest frame FZ_OP_TX sends */
#define FZ_MAX_OPS	32
#define FZ_BIG_MBUFS	1023
#define FZ_SMALL_MBUFS	31
#define FZ_SMALL_ROOM	128

/* fz_hdr.features: the virtio feature bits negotiated. */
#define FZ_F_MRG	0x01
#define FZ_F_IND	0x02
#define FZ_F_V1		0x04
#define FZ_F_ANY	0x08
#define FZ_F_LOG	0x10
#define FZ_F_EVENT_IDX	0x20
#define FZ_F_PACKED	0x40	/* packed rings: fz_ring.size_log2 & 0x10 makes the size odd */
#define FZ_F_IN_ORDER	0x80

/* fz_hdr.misc */
#define FZ_M_RARP	0x01	/* a SEND_RARP is pending */
#define FZ_M_SMALL	0x02	/* rx mbufs from the small pool: 128-byte segments, few */
#define FZ_M_NOCOAL	0x04	/* notify the guest on every burst */
#define FZ_M_CALLFD	0x08	/* the rings have a call eventfd */
#define FZ_M_OFFLOAD	0x10	/* every checksum and TSO offload (virtio-net headers read) */

/* fz_ring.flags */
#define FZ_R_LOG_USED	0x01	/* VHOST_VRING_F_LOG */
#define FZ_R_STARTED	0x02	/* a kick fd came */
#define FZ_R_ENABLED	0x04
#define FZ_R_LOG_OWN	0x08	/* log_guest_addr = the used ring's own address */

struct fz_ring {
	uint8_t size_log2;	/* & 15: 1 to 32768 entries */
	uint8_t flags;		/* FZ_R_* */
	uint16_t desc;		/* offset in guest memory / 16 */
	uint16_t avail;		/* offset / 4 */
	uint16_t used;		/* offset / 4 */
	uint16_t last_avail;	/* SET_VRING_BASE */
	uint16_t last_used;
	uint32_t log_guest_addr;
} __attribute__((packed));

struct fz_hdr {
	uint8_t features;	/* FZ_F_* */
	uint8_t misc;		/* FZ_M_* */
	uint8_t log_size;	/* bytes of dirty log; 0: no log */
	uint8_t nops;		/* & 31 */
	struct fz_ring ring[2];	/* vring 0 (guest RX, our tx), vring 1 (guest TX, our rx) */
} __attribute__((packed));

enum fz_opcode {
	FZ_OP_RX,	/* rx_burst of a % 64 frames */
	FZ_OP_TX,	/* tx_burst of a % 33 mbufs: lengths from arg, up to 64 << (b & 7), seg c */
	FZ_OP_POKE,	/* guest writes arg at offset (a << 8 | b) * 4 */
	FZ_OP_AVAIL,	/* guest moves avail->idx of ring c & 1 forward by a */
	FZ_OP_RETRANSLATE,	/* SET_VRING_ADDR again on ring c & 1 (a reconnect) */
	FZ_OP_RARP,	/* SEND_RARP */
	FZ_OP_NOTIFY,	/* vhostu_notify_guest on ring c & 1 */
	FZ_OP_KICKS,	/* rx interrupts: ask for kicks on vring 1 (a & 1) or stop (avail_event) */
	FZ_OP_COUNT
};

struct fz_op {
	uint8_t op;
	uint8_t a, b, c;
	uint32_t arg;
} __attribute__((packed));

_Static_assert(sizeof(struct fz_hdr) == 36, "fuzz_rings header is 36 bytes");
_Static_assert(sizeof(struct fz_op) == 8, "fuzz_rings op is 8 bytes");

static struct vhostu_port port;
static uint8_t *mem;			/* the memfd, one mapping for the harness */
static uint8_t *region_va[2];		/* the driver's view, in guarded windows */
static struct rte_mempool *big_pool, *small_pool;
static int callfd = -1;
static bool trace;		/* VHOSTU_FUZZ_LOG: say what each burst did */

static void
fz_die(const char *what)
{
	fprintf(stderr, "fuzz_rings: %s\n", what);
	abort();
}

/* Map the memfd: once for the harness, once per region between guards. */
static void
fz_mem_init(void)
{
	size_t span = 3 * (size_t)FZ_GUARD + FZ_MEM_SIZE;
	uint8_t *base;
	int fd, i;

	fd = memfd_create("vhostu-fuzz-guest", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, FZ_MEM_SIZE) != 0)
		fz_die("cannot create guest memory");
	mem = mmap(NULL, FZ_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	base = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED || base == MAP_FAILED)
		fz_die("cannot map guest memory");
	for (i = 0; i < 2; i++) {
		uint8_t *at = base + FZ_GUARD + (size_t)i * (FZ_GUARD + FZ_REGION_SIZE);

		region_va[i] = mmap(at, FZ_REGION_SIZE, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_FIXED, fd, (off_t)i * FZ_REGION_SIZE);
		if (region_va[i] != at)
			fz_die("cannot map a guest region");
	}
	close(fd);

	port.mem.nregions = 2;
	for (i = 0; i < 2; i++) {
		struct vhostu_region *r = &port.mem.regions[i];

		r->guest_phys_addr = FZ_GPA + (uint64_t)i * FZ_REGION_SIZE;
		r->size = FZ_REGION_SIZE;
		r->user_addr = FZ_UVA + (uint64_t)i * (FZ_REGION_SIZE + FZ_UVA_GAP);
		r->mmap_offset = (uint64_t)i * FZ_REGION_SIZE;
		r->host_addr = (uint64_t)(uintptr_t)region_va[i];
		r->map_base = region_va[i];
		r->map_len = FZ_REGION_SIZE;
		r->fd = -1;	/* the harness owns the mapping; the port never frees it */
	}
}

/* The frontend's virtual address of guest memory offset off. */
static uint64_t
fz_uva(uint32_t off)
{
	off &= FZ_MEM_SIZE - 1;
	return off < FZ_REGION_SIZE ? FZ_UVA + off :
		FZ_UVA + FZ_REGION_SIZE + FZ_UVA_GAP + (off - FZ_REGION_SIZE);
}

static uint64_t
fz_features(uint8_t f, uint8_t misc)
{
	uint64_t v = 0;

	if (f & FZ_F_MRG)
		v |= VHOSTU_BIT(VHOSTU_VIRTIO_NET_F_MRG_RXBUF);
	if (f & FZ_F_IND)
		v |= VHOSTU_BIT(VHOSTU_VIRTIO_F_INDIRECT_DESC);
	if (f & FZ_F_V1)
		v |= VHOSTU_BIT(VHOSTU_VIRTIO_F_VERSION_1);
	if (f & FZ_F_ANY)
		v |= VHOSTU_BIT(VHOSTU_VIRTIO_F_ANY_LAYOUT);
	if (f & FZ_F_LOG)
		v |= VHOSTU_BIT(VHOSTU_VHOST_F_LOG_ALL);
	if (f & FZ_F_EVENT_IDX)
		v |= VHOSTU_BIT(VHOSTU_VIRTIO_RING_F_EVENT_IDX);
	if (f & FZ_F_PACKED)
		v |= VHOSTU_BIT(VHOSTU_VIRTIO_F_RING_PACKED);
	if (f & FZ_F_IN_ORDER)
		v |= VHOSTU_BIT(VHOSTU_VIRTIO_F_IN_ORDER);
	if (misc & FZ_M_OFFLOAD)
		v |= VHOSTU_OFFLOAD_FEATURES;
	return v;
}

/* What SET_VRING_NUM/BASE/ADDR/KICK/ENABLE leave behind, through the driver's translate. */
static void
fz_ring_setup(unsigned int i, const struct fz_ring *c, uint8_t misc)
{
	struct vhostu_vring *vr = &port.vrings[i];

	vhostu_vring_init(vr, &port, i);
	vr->port_id = FZ_PORT_ID;
	vr->mp = (misc & FZ_M_SMALL) ? small_pool : big_pool;
	vr->callfd = (misc & FZ_M_CALLFD) ? callfd : -1;
	vr->size = 1u << (c->size_log2 & 15);
	vr->last_avail_idx = c->last_avail;
	vr->last_used_idx = c->last_used;
	if (vhostu_has_feature(&port, VHOSTU_VIRTIO_F_RING_PACKED)) {
		/* Any size; SET_VRING_BASE: index in bits 0-14, wrap counter in bit 15. */
		if ((c->size_log2 & 0x10) && vr->size > 2)
			vr->size = vr->size * 3 / 4 + 1;
		vr->last_avail_idx = (c->last_avail & 0x7fff) % vr->size;
		vr->avail_wrap = (c->last_avail >> 15) & 1;
		vr->last_used_idx = (c->last_used & 0x7fff) % vr->size;
		vr->used_wrap = (c->last_used >> 15) & 1;
	}
	vr->addr.index = i;
	vr->addr.flags = (c->flags & FZ_R_LOG_USED) ? VHOSTU_VRING_F_LOG : 0;
	vr->addr.desc_user_addr = fz_uva((uint32_t)c->desc * 16);
	vr->addr.avail_user_addr = fz_uva((uint32_t)c->avail * 4);
	vr->addr.used_user_addr = fz_uva((uint32_t)c->used * 4);
	vr->addr.log_guest_addr = (c->flags & FZ_R_LOG_OWN) ?
		FZ_GPA + (((uint32_t)c->used * 4) & (FZ_MEM_SIZE - 1)) : c->log_guest_addr;
	vr->addr_set = true;
	vr->log_used = (c->flags & FZ_R_LOG_USED) != 0;
	vr->log_guest_addr = vr->addr.log_guest_addr;
	vr->started = (c->flags & FZ_R_STARTED) != 0;
	vr->enabled = (c->flags & FZ_R_ENABLED) != 0;
	vhostu_vring_translate(&port, vr);
	vhostu_vring_update_ready(&port, vr);
}

static void
fz_port_setup(const struct fz_hdr *h)
{
	unsigned int i;

	port.features = fz_features(h->features, h->misc);
	port.hdr_size = (h->features & (FZ_F_MRG | FZ_F_V1)) ? VHOSTU_NET_HDR_LONG :
		VHOSTU_NET_HDR_SHORT;
	memset(port.rarp_mac, 0x02, sizeof(port.rarp_mac));
	if (h->log_size != 0) {
		port.log_addr = malloc(h->log_size);	/* exactly: ASan sees a write beyond */
		memset(port.log_addr, 0, h->log_size);
		port.log_size = h->log_size;
	}
	vhostu_coalesce_frames = (h->misc & FZ_M_NOCOAL) ? 0 : 32;
	for (i = 0; i < 2; i++)
		fz_ring_setup(i, &h->ring[i], h->misc);
	port.vrings[1].rarp_pending = (h->misc & FZ_M_RARP) != 0;	/* after the ring's init */
}

static void
fz_port_teardown(void)
{
	free(port.log_addr);
	port.log_addr = NULL;
	port.log_size = 0;
}

/* What rx_burst hands the application must be a sound mbuf chain. */
static void
fz_check_rx_mbuf(struct rte_mbuf *m)
{
	const char *why = NULL;

	if (rte_mbuf_check(m, 1, &why) != 0) {
		fprintf(stderr, "fuzz_rings: rx mbuf is broken: %s\n", why);
		abort();
	}
	if (m->pkt_len == 0 || m->pkt_len > VHOSTU_TSO_MAX_FRAME)
		fz_die("rx mbuf of length 0 or above the largest TSO frame");
	if (m->port != FZ_PORT_ID)
		fz_die("rx mbuf without the port id");
	/* Offload flags from a guest's header describe the frame they came with. */
	if ((m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) && (m->tso_segsz == 0 ||
			m->tso_segsz > m->pkt_len))
		fz_die("rx mbuf with TX_TCP_SEG and an MSS of 0 or above its length");
	if ((m->ol_flags & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_L4_MASK)) &&
			(uint32_t)m->l2_len + m->l3_len + m->l4_len > m->pkt_len)
		fz_die("rx mbuf with offload flags and headers longer than the frame");
}

/*
 * The device returns no more used entries than the avail entries it took, and
 * reads at most its budget (2 x ring size) plus one chain (1 + ring size).
 */
/* A packed ring position with its wrap counter, as one number in [0, 2 x size). */
static uint32_t
fz_packed_pos(const struct vhostu_vring *vr, uint16_t idx, bool wrap)
{
	return idx + (wrap ? 0 : vr->size);
}

/* What a packed ring's burst published for EVENT_IDX decisions, before the burst. */
struct fz_pub {
	uint64_t pub;
	uint32_t used;		/* fz_packed_pos of the used position */
};

static struct fz_pub
fz_pub_take(const struct vhostu_vring *vr)
{
	struct fz_pub p = { vr->used_pub, 0 };

	if (vr->packed && vr->size != 0)
		p.used = fz_packed_pos(vr, vr->last_used_idx, vr->used_wrap);
	return p;
}

/*
 * Packed rings: positions stay inside the ring, and the used position moves
 * exactly as far as the available one (every chain taken is returned). What
 * the burst published for the EVENT_IDX decision (vr->used_pub) is where its
 * used position ended, and its count of positions moved as far as that
 * position did (modulo 2 x size: a burst may go round more than once).
 */
static void
fz_check_packed(const struct vhostu_vring *vr, uint32_t delta0, struct fz_pub p0)
{
	uint32_t a = fz_packed_pos(vr, vr->last_avail_idx, vr->avail_wrap);
	uint32_t u = fz_packed_pos(vr, vr->last_used_idx, vr->used_wrap);
	uint32_t moved = (uint32_t)(vr->used_pub >> 32) - (uint32_t)(p0.pub >> 32);

	if (vr->last_avail_idx >= vr->size || vr->last_used_idx >= vr->size)
		fz_die("a packed ring position outside the ring");
	if ((a + 2 * vr->size - u) % (2 * vr->size) != delta0)
		fz_die("the used position did not follow the available one");
	if ((u + 2 * vr->size - p0.used) % (2 * vr->size) != moved % (2 * vr->size))
		fz_die("the positions published for EVENT_IDX are not the positions used");
	if (moved != 0 && (uint16_t)vr->used_pub !=
			(uint16_t)(vr->last_used_idx | (uint16_t)vr->used_wrap << 15))
		fz_die("the used position published for EVENT_IDX is not ours");
}

static uint32_t
fz_packed_delta(const struct vhostu_vring *vr)
{
	if (!vr->packed || vr->size == 0)
		return 0;
	return (fz_packed_pos(vr, vr->last_avail_idx, vr->avail_wrap) + 2 * vr->size -
		fz_packed_pos(vr, vr->last_used_idx, vr->used_wrap)) % (2 * vr->size);
}

static void
fz_check_indexes(const struct vhostu_vring *vr, uint16_t la0, uint16_t lu0, uint64_t reads0,
		uint32_t delta0, struct fz_pub p0)
{
	uint16_t took = vr->last_avail_idx - la0, gave = vr->last_used_idx - lu0;

	if (vr->packed)
		fz_check_packed(vr, delta0, p0);
	else if (took > vr->size || gave > took)
		fz_die("used entries beyond the avail entries taken");
	if (vr->stats.desc_reads - reads0 > 3ull * vr->size + 1)
		fz_die("a burst read more descriptors than its budget");
}

static void
fz_op_rx(const struct fz_op *op)
{
	struct vhostu_vring *vr = &port.vrings[1];
	struct rte_mbuf *pkts[FZ_MAX_BURST];
	uint16_t la0 = vr->last_avail_idx, lu0 = vr->last_used_idx, n, i;
	uint64_t reads0 = vr->stats.desc_reads;
	uint32_t delta0 = fz_packed_delta(vr);
	struct fz_pub p0 = fz_pub_take(vr);

	n = vhostu_rx_burst(vr, pkts, op->a % FZ_MAX_BURST);
	if (n > op->a % FZ_MAX_BURST)
		fz_die("rx_burst returned more frames than asked");
	for (i = 0; i < n; i++)
		fz_check_rx_mbuf(pkts[i]);
	if (trace)
		fprintf(stderr, "rx: %u of %u frames, ring %s, avail %u used %u\n", n,
			op->a % FZ_MAX_BURST, vr->ready ? "ready" : "not ready",
			vr->last_avail_idx, vr->last_used_idx);
	fz_check_indexes(vr, la0, lu0, reads0, delta0, p0);
	rte_pktmbuf_free_bulk(pkts, n);
}

/* A frame of len bytes of fill in segments of at most seg bytes, or NULL when the pool is dry. */
static struct rte_mbuf *
fz_mbuf(uint32_t len, uint32_t seg, uint8_t fill)
{
	static uint8_t frame[FZ_MAX_FRAME];

	if (len > sizeof(frame))
		fz_die("a tx frame longer than FZ_MAX_FRAME");
	memset(frame, fill, len);
	return test_mbuf_frame(big_pool, frame, len, seg);
}

static void
fz_op_tx(const struct fz_op *op)
{
	struct vhostu_vring *vr = &port.vrings[0];
	struct rte_mbuf *pkts[FZ_MAX_BURST];
	uint16_t la0 = vr->last_avail_idx, lu0 = vr->last_used_idx, n = op->a % 33, i, sent;
	uint32_t max = 64u << (op->b & 7), seg = op->c == 0 ? UINT32_MAX : op->c * 16u;
	uint32_t x = op->arg;
	uint64_t reads0 = vr->stats.desc_reads;
	uint32_t delta0 = fz_packed_delta(vr);
	struct fz_pub p0 = fz_pub_take(vr);

	for (i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		pkts[i] = fz_mbuf((x >> 8) % (max + 1), seg, (uint8_t)i);
		if (pkts[i] == NULL)
			break;
	}
	n = i;
	sent = vhostu_tx_burst(vr, pkts, n);
	if (sent > n)
		fz_die("tx_burst consumed more mbufs than given");
	if (trace)
		fprintf(stderr, "tx: %u of %u frames, ring %s, avail %u used %u, errors %" PRIu64
			" oversize %" PRIu64 "\n", sent, n, vr->ready ? "ready" : "not ready",
			vr->last_avail_idx, vr->last_used_idx, vr->stats.errors,
			vr->stats.oversize);
	fz_check_indexes(vr, la0, lu0, reads0, delta0, p0);
	rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
}

static void
fz_op(const struct fz_op *op)
{
	struct vhostu_vring *vr = &port.vrings[op->c & 1];
	uint8_t mac[RTE_ETHER_ADDR_LEN];
	uint32_t off;

	switch (op->op % FZ_OP_COUNT) {
	case FZ_OP_RX:
		fz_op_rx(op);
		break;
	case FZ_OP_TX:
		fz_op_tx(op);
		break;
	case FZ_OP_POKE:
		off = (((uint32_t)op->a << 8 | op->b) * 4) & (FZ_MEM_SIZE - 1);
		memcpy(mem + off, &op->arg, sizeof(op->arg));
		break;
	case FZ_OP_AVAIL:
		if (vr->avail != NULL)
			__atomic_fetch_add((uint16_t *)RTE_PTR_ADD(vr->avail, 2), op->a,
				__ATOMIC_RELEASE);
		break;
	case FZ_OP_RETRANSLATE:
		vhostu_vring_translate(&port, vr);
		vhostu_vring_update_ready(&port, vr);
		break;
	case FZ_OP_RARP:
		memcpy(mac, &op->a, 3);
		memcpy(mac + 3, &op->arg, 3);
		vhostu_send_rarp(&port, mac);
		break;
	case FZ_OP_NOTIFY:
		vhostu_notify_guest(vr);
		break;
	case FZ_OP_KICKS:
		/* As intr_enable/disable do: only on a ready ring, under its lock. */
		if (port.vrings[1].ready)
			vhostu_rx_want_kicks(&port.vrings[1], op->a & 1);
		break;
	}
}

static void
fz_check_pools(void)
{
	if (rte_mempool_avail_count(big_pool) != FZ_BIG_MBUFS ||
			rte_mempool_avail_count(small_pool) != FZ_SMALL_MBUFS)
		fz_die("mbufs leaked: a pool is not full at the end of the input");
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* --in-memory clashes with --no-huge in 22.11: a per-process prefix instead. */
	static char a0[] = "fuzz_rings", a1[] = "--no-huge", a2[] = "-m", a3[] = "128",
		a4[] = "--no-pci", a5[] = "--no-shconf", a6[] = "--no-telemetry", a7[] = "-l",
		a8[] = "0", a9[] = "--log-level=*:critical", a10[64];
	char *eal_argv[] = { a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, NULL };

	snprintf(a10, sizeof(a10), "--file-prefix=fuzz-rings-%d", (int)getpid());
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	if (rte_eal_init(RTE_DIM(eal_argv) - 1, eal_argv) < 0)
		fz_die("EAL init failed");
	trace = getenv("VHOSTU_FUZZ_LOG") != NULL;
	if (trace) {
		rte_log_set_global_level(RTE_LOG_DEBUG);
		rte_log_set_level_pattern("pmd.net.vhostu*", RTE_LOG_DEBUG);
	}
	big_pool = rte_pktmbuf_pool_create("fz_big", FZ_BIG_MBUFS, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	small_pool = rte_pktmbuf_pool_create("fz_small", FZ_SMALL_MBUFS, 0, 0,
		RTE_PKTMBUF_HEADROOM + FZ_SMALL_ROOM, SOCKET_ID_ANY);
	callfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (big_pool == NULL || small_pool == NULL || callfd < 0)
		fz_die("cannot create the mbuf pools");
	strcpy(port.name, "fuzz0");
	port.port_id = FZ_PORT_ID;
	port.max_queue_pairs = 1;
	port.conn_state = VHOSTU_CONN_UP;
	fz_mem_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct fz_hdr h;
	struct fz_op op;
	size_t off, nops, i, img;
	uint64_t drain;

	if (len < sizeof(h))
		return -1;	/* not an input: keep it out of the corpus */
	memcpy(&h, data, sizeof(h));
	nops = RTE_MIN((size_t)(h.nops % FZ_MAX_OPS), (len - sizeof(h)) / sizeof(op));
	off = sizeof(h) + nops * sizeof(op);
	img = RTE_MIN(len - off, (size_t)FZ_MEM_SIZE);
	memcpy(mem, data + off, img);
	memset(mem + img, 0, FZ_MEM_SIZE - img);

	fz_port_setup(&h);
	for (i = 0; i < nops; i++) {
		memcpy(&op, data + sizeof(h) + i * sizeof(op), sizeof(op));
		fz_op(&op);
	}
	fz_port_teardown();
	fz_check_pools();
	if (read(callfd, &drain, sizeof(drain)) < 0 && errno != EAGAIN)
		fz_die("cannot drain the call eventfd");
	return 0;
}
