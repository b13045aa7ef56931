/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * End to end with a real frontend: DPDK's virtio-user PMD (Debian's
 * librte_net_virtio plugin, loaded by EAL from its plugin directory) and
 * net_vhostu in one process, talking vhost-user over a unix socket. virtio-user
 * sends its messages synchronously from the calling thread; our control thread
 * answers them. --no-huge memory is memfd-backed, so virtio-user can share it.
 *
 * One suite per combination: which side listens, queues 1, 2 and 8, mrg_rxbuf
 * and in_order on and off. Each suite brings both ports up, checks what was
 * negotiated, moves frames of 64 to 9000 bytes both ways on every queue and
 * compares every byte, the count and the order per queue, then tears both ports
 * down and checks that no fd and no mbuf stayed behind.
 *
 * Our port always has queues=8, as the switch creates its ports (it does not
 * know how many queue pairs a guest will use); virtio-user uses 1, 2 or 8, and
 * traffic runs on those. Each queue carries more frames than its ring has
 * entries, so every ring wraps.
 *
 * A suite checks rx interrupts: rte_epoll_wait on a queue's fd wakes when
 * virtio-user sends, and the registration survives a reconnect.
 *
 * A last suite checks where link-state callbacks run: with no driver lock
 * held, so a callback may take a snapshot and wait for another thread that
 * closes a port, on connect and on disconnect.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_interrupts.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "rte_pmd_vhostu.h"
#include "test_common.h"

#define E2E_VHOSTU_NAME		"net_vhostu_e2e"
#define E2E_PEER_NAME		"net_virtio_user_e2e"
#define E2E_VHOSTU_QUEUES	8
#define E2E_NB_DESC		256	/* virtio-user's rings have 256 entries too */
#define E2E_NB_MBUFS		16383	/* 8 queues of 256 posted buffers, chains of 9000 bytes */
#define E2E_BURST		32
#define E2E_ROUNDS		32	/* each size this many times per queue and direction:
					 * 288 frames, past the 256 of a ring */
#define E2E_MAX_FRAME		9000
#define E2E_LINK_TIMEOUT_S	10
#define E2E_XFER_TIMEOUT_S	10
#define E2E_ETHERTYPE		0x88b5	/* IEEE local experimental */

/* Feature bits (virtio 1.x and vhost-user specifications). */
#define E2E_BIT(b)		(UINT64_C(1) << (b))
#define E2E_F_MRG_RXBUF		E2E_BIT(15)
#define E2E_F_MQ		E2E_BIT(22)
#define E2E_F_INDIRECT_DESC	E2E_BIT(28)
#define E2E_F_PROTOCOL_FEATURES	E2E_BIT(30)
#define E2E_F_VERSION_1		E2E_BIT(32)
#define E2E_F_IN_ORDER		E2E_BIT(35)
/* What net_vhostu offers by default (VPP's set). */
#define E2E_OFFERED		UINT64_C(0x15c628000)

static const uint16_t e2e_sizes[] = { 64, 65, 128, 1500, 1518, 2048, 4000, 8000, 9000 };
#define E2E_NSIZES		RTE_DIM(e2e_sizes)
#define E2E_FRAMES		(E2E_ROUNDS * E2E_NSIZES)	/* per queue and direction */

/* One combination under test. */
struct e2e_combo {
	bool vhostu_server;	/* else virtio-user listens (server=1), we connect */
	uint16_t queues;	/* virtio-user queue pairs */
	bool mrg_rxbuf;
	bool in_order;
	bool no_indirect;	/* feature-mask without INDIRECT_DESC */
};

/* Which way frames go. */
enum e2e_dir {
	E2E_TO_VHOSTU,		/* virtio-user tx_burst -> vhostu rx_burst */
	E2E_TO_PEER,		/* vhostu tx_burst -> virtio-user rx_burst */
};

/* Progress of one queue in a transfer. */
struct e2e_queue {
	struct rte_mbuf *pend[E2E_BURST];	/* built, not yet taken by tx_burst */
	uint16_t npend;
	uint16_t next_build;	/* index into the queue's frame list */
	uint16_t next_rx;	/* next deliverable frame expected */
	uint16_t ndeliver;	/* frames the receiver can take */
	uint16_t nreceived;
	uint16_t nbad;		/* received frames that differ from what was sent */
};

static const struct e2e_combo *cur;
static char sock_dir[64];
static char sock_path[RTE_PMD_VHOSTU_PATH_MAX];
static struct rte_mempool *vhostu_mp, *peer_mp;
static uint16_t vport, pport;
static bool vhostu_made, peer_made, ports_up;
static int fds_before;	/* open fds when the suite started */
static bool vhostu_rxq_intr;	/* our port is configured with rx interrupts */
static uint8_t expect_buf[E2E_MAX_FRAME], got_buf[E2E_MAX_FRAME];

/* ---------------------------------------------------------------- helpers */

static uint64_t
e2e_deadline(unsigned int seconds)
{
	return rte_get_timer_cycles() + (uint64_t)seconds * rte_get_timer_hz();
}

static bool
e2e_expired(uint64_t deadline)
{
	return rte_get_timer_cycles() > deadline;
}

/* Frame `seq` of queue q in direction dir: Ethernet header, seq, pseudo-random bytes. */
static void
e2e_frame(uint8_t *buf, uint32_t len, enum e2e_dir dir, uint16_t q, uint16_t seq)
{
	uint32_t x = 0x9e3779b9u ^ ((uint32_t)dir << 24) ^ ((uint32_t)q << 16) ^ seq;
	uint32_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)x;
	}
	memset(buf, 0xff, RTE_ETHER_ADDR_LEN);		/* broadcast */
	buf[6] = 0x02;					/* locally administered source */
	buf[7] = (uint8_t)dir;
	buf[8] = (uint8_t)q;
	buf[12] = E2E_ETHERTYPE >> 8;
	buf[13] = E2E_ETHERTYPE & 0xff;
	buf[14] = (uint8_t)(seq >> 8);
	buf[15] = (uint8_t)seq;
}

static uint16_t
e2e_frame_len(uint16_t idx)
{
	return e2e_sizes[idx % E2E_NSIZES];
}

/* An mbuf chain holding data: as many segments as the pool's buffers need. */
static struct rte_mbuf *
e2e_mbuf_build(struct rte_mempool *mp, const uint8_t *data, uint32_t len)
{
	struct rte_mbuf *head = NULL, *m;
	uint32_t off = 0, k;

	while (off < len) {
		m = rte_pktmbuf_alloc(mp);
		if (m == NULL)
			goto fail;
		k = RTE_MIN(len - off, (uint32_t)rte_pktmbuf_tailroom(m));
		memcpy(rte_pktmbuf_append(m, k), data + off, k);
		off += k;
		if (head == NULL)
			head = m;
		else if (rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			goto fail;
		}
	}
	return head;
fail:
	rte_pktmbuf_free(head);
	return NULL;
}

/* Largest frame the receiver of dir can take (0: no limit below E2E_MAX_FRAME). */
static uint32_t
e2e_rx_limit(enum e2e_dir dir)
{
	/*
	 * Without MRG_RXBUF, virtio-user posts one mbuf per receive buffer: room
	 * for the header plus data_room - headroom bytes of frame. vhostu must drop
	 * and count a larger frame (oversize), not truncate or split it.
	 */
	if (dir == E2E_TO_PEER && !cur->mrg_rxbuf)
		return rte_pktmbuf_data_room_size(peer_mp) - RTE_PKTMBUF_HEADROOM;
	return 0;
}

static uint64_t
e2e_xstat(uint16_t port, const char *name)
{
	uint64_t id, value = UINT64_MAX;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
			rte_eth_xstats_get_by_id(port, &id, &value, 1) != 1)
		CU_FAIL("xstat missing");
	return value;
}

static uint64_t
e2e_vhostu_qstat(const char *pfx, uint16_t q, const char *what)
{
	char name[RTE_ETH_XSTATS_NAME_SIZE];

	snprintf(name, sizeof(name), "%s_q%u_%s", pfx, q, what);
	return e2e_xstat(vport, name);
}

/* ------------------------------------------------------------ port set-up */

static int
e2e_port_setup(uint16_t port, uint16_t nq, struct rte_mempool *mp)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	uint16_t q;
	int ret;

	ret = rte_eth_dev_info_get(port, &info);
	if (ret != 0)
		return ret;
	/* Frames up to 9000 bytes are mbuf chains of 2048-byte buffers. */
	if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	conf.intr_conf.rxq = port == vport && vhostu_rxq_intr;
	ret = rte_eth_dev_configure(port, nq, nq, &conf);
	for (q = 0; ret == 0 && q < nq; q++) {
		ret = rte_eth_rx_queue_setup(port, q, E2E_NB_DESC, SOCKET_ID_ANY, NULL, mp);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(port, q, E2E_NB_DESC, SOCKET_ID_ANY, NULL);
	}
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	return ret;
}

static int
e2e_vdev_create(const char *name, const char *args, uint16_t *port)
{
	int ret = rte_vdev_init(name, args);

	if (ret != 0) {
		fprintf(stderr, "rte_vdev_init(%s, %s): %d\n", name, args, ret);
		return ret;
	}
	return rte_eth_dev_get_port_by_name(name, port);
}

static uint64_t
e2e_mask(const struct e2e_combo *c)
{
	return c->no_indirect ? ~E2E_F_INDIRECT_DESC : UINT64_MAX;
}

static int
e2e_vhostu_create(void)
{
	char args[256];
	int ret;

	/* As a client, retry often: virtio-user only listens once it is created. */
	snprintf(args, sizeof(args), "iface=%s,server=%d,queues=%d,reconnect-ms=10,"
		"feature-mask=0x%" PRIx64, sock_path, cur->vhostu_server, E2E_VHOSTU_QUEUES,
		e2e_mask(cur));
	ret = e2e_vdev_create(E2E_VHOSTU_NAME, args, &vport);
	vhostu_made = ret == 0;
	return ret;
}

static int
e2e_peer_create(void)
{
	char args[256];
	int ret;

	snprintf(args, sizeof(args), "path=%s,server=%d,queues=%u,mrg_rxbuf=%d,in_order=%d,"
		"mac=02:00:00:00:00:01",
		sock_path, !cur->vhostu_server, cur->queues, cur->mrg_rxbuf, cur->in_order);
	ret = e2e_vdev_create(E2E_PEER_NAME, args, &pport);
	peer_made = ret == 0;
	return ret;
}

/* Every vring of the frontend's queue pairs is ready on our side. */
static bool
e2e_vrings_ready(void)
{
	static struct rte_pmd_vhostu_info info;
	uint16_t v;

	if (rte_pmd_vhostu_get_info(vport, &info) != 0)
		return false;
	for (v = 0; v < 2 * cur->queues; v++)
		if (!info.vrings[v].ready)
			return false;
	return true;
}

/*
 * Both links up, and every queue pair the frontend enabled ready: virtio-user
 * enables pair 1 with a SET_VRING_ENABLE that asks for no reply (we do not
 * offer REPLY_ACK), so our control thread may handle it after link up.
 */
static bool
e2e_links_up(uint64_t deadline)
{
	struct rte_eth_link lv, lp;

	do {
		if (rte_eth_link_get_nowait(vport, &lv) == 0 &&
				rte_eth_link_get_nowait(pport, &lp) == 0 &&
				lv.link_status == RTE_ETH_LINK_UP &&
				lp.link_status == RTE_ETH_LINK_UP && e2e_vrings_ready())
			return true;
		rte_delay_us_sleep(1000);
	} while (!e2e_expired(deadline));
	return false;
}

/*
 * Both ports. The listening side first: our server must exist before
 * virtio-user connects; virtio-user as server accepts its first connection
 * inside rte_vdev_init, so our client must already be retrying by then.
 */
static int
e2e_bring_up(void)
{
	int ret;

	ret = e2e_vhostu_create();
	if (ret == 0)
		ret = e2e_peer_create();
	if (ret == 0)
		ret = e2e_port_setup(vport, E2E_VHOSTU_QUEUES, vhostu_mp);
	if (ret == 0)
		ret = e2e_port_setup(pport, cur->queues, peer_mp);
	if (ret != 0)
		fprintf(stderr, "bring-up: %d (%s)\n", ret, strerror(-ret));
	return ret;
}

/* Stop, close and remove both ports: the frontend first, as a guest shutting down. */
static int
e2e_tear_down(void)
{
	int ret = 0;

	if (peer_made) {
		if (rte_eth_dev_stop(pport) != 0 || rte_vdev_uninit(E2E_PEER_NAME) != 0)
			ret = -EIO;
		peer_made = false;
	}
	if (vhostu_made) {
		if (rte_eth_dev_stop(vport) != 0 || rte_vdev_uninit(E2E_VHOSTU_NAME) != 0)
			ret = -EIO;
		vhostu_made = false;
	}
	ports_up = false;
	unlink(sock_path);
	return ret;
}

/* ------------------------------------------------------------- transfers */

static void
e2e_queue_init(struct e2e_queue *eq, enum e2e_dir dir)
{
	uint32_t limit = e2e_rx_limit(dir);
	uint16_t i;

	memset(eq, 0, sizeof(*eq));
	for (i = 0; i < E2E_FRAMES; i++)
		if (limit == 0 || e2e_frame_len(i) <= limit)
			eq->ndeliver++;
}

/* Build and send what the queue still has to send; false if mbufs ran out. */
static bool
e2e_queue_send(struct e2e_queue *eq, enum e2e_dir dir, uint16_t q)
{
	uint16_t port = dir == E2E_TO_VHOSTU ? pport : vport;
	struct rte_mempool *mp = dir == E2E_TO_VHOSTU ? peer_mp : vhostu_mp;
	uint16_t n;

	while (eq->npend < E2E_BURST && eq->next_build < E2E_FRAMES) {
		uint16_t len = e2e_frame_len(eq->next_build);

		e2e_frame(expect_buf, len, dir, q, eq->next_build);
		eq->pend[eq->npend] = e2e_mbuf_build(mp, expect_buf, len);
		if (eq->pend[eq->npend] == NULL)
			return false;
		eq->npend++;
		eq->next_build++;
	}
	if (eq->npend == 0)
		return true;
	n = rte_eth_tx_burst(port, q, eq->pend, eq->npend);
	memmove(eq->pend, &eq->pend[n], (eq->npend - n) * sizeof(eq->pend[0]));
	eq->npend -= n;
	return true;
}

/* Compare one received frame with the next deliverable one the queue sent. */
static void
e2e_queue_check(struct e2e_queue *eq, enum e2e_dir dir, uint16_t q, struct rte_mbuf *m)
{
	uint32_t limit = e2e_rx_limit(dir);
	const void *data;
	uint16_t len;

	while (eq->next_rx < E2E_FRAMES && limit != 0 && e2e_frame_len(eq->next_rx) > limit)
		eq->next_rx++;
	eq->nreceived++;
	if (eq->next_rx >= E2E_FRAMES) {
		eq->nbad++;	/* more frames than were sent */
		return;
	}
	len = e2e_frame_len(eq->next_rx);
	e2e_frame(expect_buf, len, dir, q, eq->next_rx);
	data = rte_pktmbuf_read(m, 0, RTE_MIN(m->pkt_len, sizeof(got_buf)), got_buf);
	if (m->pkt_len != len || data == NULL || memcmp(data, expect_buf, len) != 0) {
		if (eq->nbad++ == 0)
			fprintf(stderr, "\n  q%u frame %u: got %u bytes in %u segs, sent %u\n",
				q, eq->next_rx, m->pkt_len, m->nb_segs, len);
	}
	eq->next_rx++;
}

static void
e2e_queue_receive(struct e2e_queue *eq, enum e2e_dir dir, uint16_t q)
{
	uint16_t port = dir == E2E_TO_VHOSTU ? vport : pport;
	struct rte_mbuf *rx[E2E_BURST];
	uint16_t n, i;

	n = rte_eth_rx_burst(port, q, rx, E2E_BURST);
	for (i = 0; i < n; i++)
		e2e_queue_check(eq, dir, q, rx[i]);
	rte_pktmbuf_free_bulk(rx, n);
}

static bool
e2e_queue_done(const struct e2e_queue *eq)
{
	return eq->next_build == E2E_FRAMES && eq->npend == 0 && eq->nreceived >= eq->ndeliver;
}

/*
 * Send E2E_FRAMES frames on every queue in direction dir while polling the
 * receiver, until everything deliverable has arrived or the deadline passes.
 * Then every queue must have received exactly its deliverable frames, in
 * order and byte-exact.
 */
static void
e2e_transfer(enum e2e_dir dir, struct e2e_queue *eqs)
{
	uint64_t deadline = e2e_deadline(E2E_XFER_TIMEOUT_S);
	bool done, mbufs_ok = true;
	uint16_t q;

	for (q = 0; q < cur->queues; q++)
		e2e_queue_init(&eqs[q], dir);
	do {
		done = true;
		for (q = 0; q < cur->queues; q++) {
			mbufs_ok &= e2e_queue_send(&eqs[q], dir, q);
			e2e_queue_receive(&eqs[q], dir, q);
			done &= e2e_queue_done(&eqs[q]);
		}
	} while (!done && mbufs_ok && !e2e_expired(deadline));
	CU_ASSERT(mbufs_ok);
	for (q = 0; q < cur->queues; q++) {
		struct e2e_queue *eq = &eqs[q];

		e2e_queue_receive(eq, dir, q);	/* nothing more may come */
		if (eq->nreceived != eq->ndeliver || eq->npend != 0 || eq->nbad != 0)
			fprintf(stderr, "\n  q%u: sent %u (%u unsent), received %u of %u, %u bad\n",
				q, eq->next_build, eq->npend, eq->nreceived, eq->ndeliver,
				eq->nbad);
		CU_ASSERT_EQUAL(eq->npend, 0);
		CU_ASSERT_EQUAL(eq->nreceived, eq->ndeliver);
		CU_ASSERT_EQUAL(eq->nbad, 0);
		rte_pktmbuf_free_bulk(eq->pend, eq->npend);
	}
}

/* ------------------------------------------------------------------ tests */

static void
test_frontend_connects_and_both_links_come_up(void)
{
	CU_ASSERT_FATAL(e2e_bring_up() == 0);
	CU_ASSERT_FATAL(e2e_links_up(e2e_deadline(E2E_LINK_TIMEOUT_S)));
	ports_up = true;
}

/*
 * What DPDK 22.11's virtio PMD over virtio-user asks a vhost-user backend for,
 * of what we offer. virtio-user passes the backend's features through its
 * VIRTIO_USER_SUPPORTED_FEATURES filter, which has no GUEST_ANNOUNCE,
 * ANY_LAYOUT or LOG_ALL; the virtio PMD then takes INDIRECT_DESC and VERSION_1,
 * virtio-user adds PROTOCOL_FEATURES; MRG_RXBUF unless mrg_rxbuf=0; MQ only
 * with a control queue, which virtio-user turns on for queues > 1 (CTRL_VQ it
 * keeps to itself). IN_ORDER it asks for with in_order=1, but we do not offer it.
 */
static uint64_t
e2e_requested(const struct e2e_combo *c)
{
	uint64_t f = E2E_F_INDIRECT_DESC | E2E_F_VERSION_1 | E2E_F_PROTOCOL_FEATURES;

	if (c->mrg_rxbuf)
		f |= E2E_F_MRG_RXBUF;
	if (c->queues > 1)
		f |= E2E_F_MQ;
	if (c->in_order)
		f |= E2E_F_IN_ORDER;
	return f;
}

static void
test_negotiated_features_are_offered_and_requested_rings_as_configured(void)
{
	static struct rte_pmd_vhostu_info info;
	uint16_t v;

	CU_ASSERT_FATAL(ports_up);
	CU_ASSERT_FATAL(rte_pmd_vhostu_get_info(vport, &info) == 0);
	CU_ASSERT_TRUE(info.connected);
	CU_ASSERT_EQUAL(info.server, cur->vhostu_server);
	CU_ASSERT_EQUAL(info.features_mask, e2e_mask(cur));
	CU_ASSERT_EQUAL(info.features_offered, E2E_OFFERED & e2e_mask(cur));
	if (info.features != (info.features_offered & e2e_requested(cur)))
		fprintf(stderr, "\n  negotiated 0x%" PRIx64 ", expected 0x%" PRIx64 "\n",
			info.features, info.features_offered & e2e_requested(cur));
	CU_ASSERT_EQUAL(info.features, info.features_offered & e2e_requested(cur));
	CU_ASSERT_EQUAL(!!(info.features & E2E_F_MRG_RXBUF), cur->mrg_rxbuf);
	CU_ASSERT_EQUAL(info.virtio_net_hdr_sz, 12);	/* VERSION_1 */
	CU_ASSERT(info.nregions >= 1);
	/* virtio-user sets up every vring of its queue pairs, 256 entries each. */
	CU_ASSERT_EQUAL(info.nvrings, 2u * cur->queues);
	for (v = 0; v < 2 * cur->queues && v < RTE_PMD_VHOSTU_MAX_VRINGS; v++) {
		CU_ASSERT_EQUAL(info.vrings[v].qsz, 256);
		CU_ASSERT_TRUE(info.vrings[v].enabled);
		CU_ASSERT_TRUE(info.vrings[v].ready);
	}
}

static void
test_frames_virtio_user_sends_arrive_byte_exact_in_order_per_queue(void)
{
	struct e2e_queue eqs[E2E_VHOSTU_QUEUES];
	uint64_t before[E2E_VHOSTU_QUEUES];
	uint16_t q;

	CU_ASSERT_FATAL(ports_up);
	for (q = 0; q < cur->queues; q++)
		before[q] = e2e_vhostu_qstat("rx", q, "packets");
	e2e_transfer(E2E_TO_VHOSTU, eqs);
	for (q = 0; q < cur->queues; q++)
		CU_ASSERT_EQUAL(e2e_vhostu_qstat("rx", q, "packets") - before[q], E2E_FRAMES);
}

/*
 * With mrg_rxbuf=0 the frames larger than one virtio-user buffer (4000, 8000,
 * 9000 bytes) cannot be delivered: vhostu must count each as an oversize drop
 * and deliver the others, in order.
 */
static void
test_frames_vhostu_sends_arrive_byte_exact_in_order_oversize_counted(void)
{
	struct e2e_queue eqs[E2E_VHOSTU_QUEUES];
	uint64_t good[E2E_VHOSTU_QUEUES], over[E2E_VHOSTU_QUEUES];
	uint16_t q;

	CU_ASSERT_FATAL(ports_up);
	for (q = 0; q < cur->queues; q++) {
		good[q] = e2e_vhostu_qstat("tx", q, "packets");
		over[q] = e2e_vhostu_qstat("tx", q, "oversize_errors");
	}
	e2e_transfer(E2E_TO_PEER, eqs);
	for (q = 0; q < cur->queues; q++) {
		CU_ASSERT_EQUAL(e2e_vhostu_qstat("tx", q, "packets") - good[q], eqs[q].ndeliver);
		CU_ASSERT_EQUAL(e2e_vhostu_qstat("tx", q, "oversize_errors") - over[q],
			E2E_FRAMES - eqs[q].ndeliver);
	}
	if (cur->mrg_rxbuf)
		CU_ASSERT_EQUAL(eqs[0].ndeliver, E2E_FRAMES);
}

static void
test_teardown_releases_every_fd_and_mbuf(void)
{
	int fds;

	CU_ASSERT(e2e_tear_down() == 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(vhostu_mp), 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(peer_mp), 0);
	fds = count_fds();
	CU_ASSERT(fds > 0);
	if (fds != fds_before)
		fprintf(stderr, "\n  %d fds open, %d before the suite\n", fds, fds_before);
	CU_ASSERT_EQUAL(fds, fds_before);
}

static CU_TestInfo e2e_tests[] = {
	{ "virtio-user connects, both links come up, every queue pair gets ready",
		test_frontend_connects_and_both_links_come_up },
	{ "negotiated features = offered & requested; vrings set up",
		test_negotiated_features_are_offered_and_requested_rings_as_configured },
	{ "frames virtio-user sends arrive byte-exact, in order, on every vhostu rx queue",
		test_frames_virtio_user_sends_arrive_byte_exact_in_order_per_queue },
	{ "frames vhostu sends arrive byte-exact, in order; oversize ones counted as drops",
		test_frames_vhostu_sends_arrive_byte_exact_in_order_oversize_counted },
	{ "stop, close and uninit of both ports release every fd and mbuf",
		test_teardown_releases_every_fd_and_mbuf },
	CU_TEST_INFO_NULL,
};

/* ------------------------------------------------------- rx interrupts */

#define E2E_INTR_QUEUES		2
#define E2E_INTR_WAKE_MS	5000	/* bound on a wake that must come */
#define E2E_INTR_QUIET_MS	200	/* how long a wake that must not come is waited for */

static const struct e2e_combo intr_combo = { true, E2E_INTR_QUEUES, true, false, false };
static int intr_epfd[E2E_INTR_QUEUES] = { -1, -1 };

static int
e2e_intr_init(void)
{
	cur = &intr_combo;
	vhostu_rxq_intr = true;
	fds_before = count_fds();
	return 0;
}

static int
e2e_intr_clean(void)
{
	uint16_t q;

	for (q = 0; q < E2E_INTR_QUEUES; q++) {
		if (vhostu_made && intr_epfd[q] >= 0)
			rte_eth_dev_rx_intr_ctl_q(vport, q, intr_epfd[q], RTE_INTR_EVENT_DEL, NULL);
		if (intr_epfd[q] >= 0)
			close(intr_epfd[q]);
		intr_epfd[q] = -1;
	}
	e2e_tear_down();
	vhostu_rxq_intr = false;
	return 0;
}

/* Events on queue q's epoll fd within ms milliseconds. */
static int
e2e_intr_wait(uint16_t q, int ms)
{
	struct rte_epoll_event ev[2];

	return rte_epoll_wait(intr_epfd[q], ev, RTE_DIM(ev), ms);
}

/* One 64-byte frame from virtio-user on queue q. */
static bool
e2e_intr_peer_send(uint16_t q, uint16_t seq)
{
	struct rte_mbuf *m;

	e2e_frame(expect_buf, 64, E2E_TO_VHOSTU, q, seq);
	m = e2e_mbuf_build(peer_mp, expect_buf, 64);
	if (m == NULL)
		return false;
	if (rte_eth_tx_burst(pport, q, &m, 1) == 1)
		return true;
	rte_pktmbuf_free(m);
	return false;
}

/* Poll our queue q until n frames came (bounded); how many came. */
static unsigned int
e2e_intr_take(uint16_t q, unsigned int n)
{
	uint64_t deadline = e2e_deadline(E2E_XFER_TIMEOUT_S);
	struct rte_mbuf *rx[E2E_BURST];
	unsigned int got = 0;
	uint16_t k;

	while (got < n && !e2e_expired(deadline)) {
		k = rte_eth_rx_burst(vport, q, rx, E2E_BURST);
		rte_pktmbuf_free_bulk(rx, k);
		got += k;
	}
	return got;
}

/* One poll of our queue q, as an application makes after enabling: frames it got. */
static uint16_t
e2e_intr_poll(uint16_t q)
{
	struct rte_mbuf *rx[E2E_BURST];
	uint16_t k = rte_eth_rx_burst(vport, q, rx, E2E_BURST);

	rte_pktmbuf_free_bulk(rx, k);
	return k;
}

static void
e2e_intr_bring_up(void)
{
	CU_ASSERT_FATAL(e2e_bring_up() == 0);
	CU_ASSERT_FATAL(e2e_links_up(e2e_deadline(E2E_LINK_TIMEOUT_S)));
	ports_up = true;
}

/* Enable, poll once more as applications do; then the queue's fd must stay quiet. */
static void
e2e_intr_arm(uint16_t q)
{
	CU_ASSERT_EQUAL(rte_eth_dev_rx_intr_enable(vport, q), 0);
	CU_ASSERT_EQUAL(e2e_intr_poll(q), 0);
	e2e_intr_wait(q, 0);	/* what the ring's start left: the enable drained it */
}

static void
test_intr_epoll_wakes_when_virtio_user_sends_and_not_when_disabled(void)
{
	uint16_t q;

	e2e_intr_bring_up();
	for (q = 0; q < E2E_INTR_QUEUES; q++) {
		intr_epfd[q] = epoll_create1(EPOLL_CLOEXEC);
		CU_ASSERT_FATAL(intr_epfd[q] >= 0);
		CU_ASSERT_FATAL(rte_eth_dev_rx_intr_ctl_q(vport, q, intr_epfd[q],
			RTE_INTR_EVENT_ADD, NULL) == 0);
	}
	for (q = 0; q < E2E_INTR_QUEUES; q++) {
		e2e_intr_arm(q);
		CU_ASSERT_EQUAL(e2e_intr_wait(q, E2E_INTR_QUIET_MS), 0);
		CU_ASSERT_FATAL(e2e_intr_peer_send(q, 1));
		CU_ASSERT_EQUAL(e2e_intr_wait(q, E2E_INTR_WAKE_MS), 1);
		CU_ASSERT_EQUAL(e2e_intr_wait(q, 0), 0);	/* one kick, one wake */
		CU_ASSERT_EQUAL(rte_eth_dev_rx_intr_disable(vport, q), 0);
		CU_ASSERT_EQUAL(e2e_intr_take(q, 1), 1);
		/* Disabled: the burst tells the guest not to kick. */
		CU_ASSERT_FATAL(e2e_intr_peer_send(q, 2));
		CU_ASSERT_EQUAL(e2e_intr_wait(q, E2E_INTR_QUIET_MS), 0);
		CU_ASSERT_EQUAL(e2e_intr_take(q, 1), 1);
	}
}

static void
test_intr_frame_posted_before_enable_wakes_at_once(void)
{
	uint16_t q;

	CU_ASSERT_FATAL(ports_up);
	for (q = 0; q < E2E_INTR_QUEUES; q++) {
		/* Polling: virtio-user sees NO_NOTIFY and does not kick. */
		CU_ASSERT_EQUAL(e2e_intr_poll(q), 0);
		CU_ASSERT_FATAL(e2e_intr_peer_send(q, 3));
		CU_ASSERT_EQUAL(rte_eth_dev_rx_intr_enable(vport, q), 0);
		CU_ASSERT_EQUAL(e2e_intr_wait(q, E2E_INTR_WAKE_MS), 1);
		CU_ASSERT_EQUAL(rte_eth_dev_rx_intr_disable(vport, q), 0);
		CU_ASSERT_EQUAL(e2e_intr_take(q, 1), 1);
	}
}

static void
test_intr_registration_survives_a_reconnect(void)
{
	uint16_t q;

	CU_ASSERT_FATAL(ports_up);
	CU_ASSERT(rte_eth_dev_stop(pport) == 0);
	CU_ASSERT(rte_vdev_uninit(E2E_PEER_NAME) == 0);
	peer_made = false;
	CU_ASSERT_FATAL(e2e_peer_create() == 0);
	CU_ASSERT_FATAL(e2e_port_setup(pport, cur->queues, peer_mp) == 0);
	CU_ASSERT_FATAL(e2e_links_up(e2e_deadline(E2E_LINK_TIMEOUT_S)));
	for (q = 0; q < E2E_INTR_QUEUES; q++) {
		e2e_intr_arm(q);
		CU_ASSERT_EQUAL(e2e_intr_wait(q, E2E_INTR_QUIET_MS), 0);
		CU_ASSERT_FATAL(e2e_intr_peer_send(q, 4));
		CU_ASSERT_EQUAL(e2e_intr_wait(q, E2E_INTR_WAKE_MS), 1);
		CU_ASSERT_EQUAL(rte_eth_dev_rx_intr_disable(vport, q), 0);
		CU_ASSERT_EQUAL(e2e_intr_take(q, 1), 1);
	}
}

static void
test_intr_teardown_releases_every_fd(void)
{
	e2e_intr_clean();
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(vhostu_mp), 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(peer_mp), 0);
	CU_ASSERT_EQUAL(count_fds(), fds_before);
}

static CU_TestInfo intr_tests[] = {
	{ "rte_epoll_wait on a queue's fd wakes when virtio-user sends, not when disabled",
		test_intr_epoll_wakes_when_virtio_user_sends_and_not_when_disabled },
	{ "a frame posted before rx_queue_intr_enable wakes at once (no lost kick)",
		test_intr_frame_posted_before_enable_wakes_at_once },
	{ "the registration stays valid when the frontend reconnects",
		test_intr_registration_survives_a_reconnect },
	{ "teardown releases every fd and mbuf", test_intr_teardown_releases_every_fd },
	CU_TEST_INFO_NULL,
};

/* ------------------------------------------------------- LSC callbacks */

#define E2E_LSC_WAIT_S		3	/* how long a callback waits for its helper */
#define E2E_NSPARES		2	/* ports the callbacks' helpers close, one per event */

/* What the LSC callbacks of our port saw; written by the callback, then calls. */
static struct {
	unsigned int calls;
	unsigned int on_ctl;		/* ran on the driver's control thread */
	unsigned int snap_ok;		/* rte_pmd_vhostu_get_info worked */
	bool last_up;			/* link_up in the last snapshot */
	unsigned int helper_late;	/* the helper did not finish within E2E_LSC_WAIT_S */
} lsc;
static uint16_t spare_port[E2E_NSPARES];
static bool spare_made[E2E_NSPARES];
static int spare_closed[E2E_NSPARES];	/* set by the helper once the close returned */
static const struct e2e_combo lsc_combo = { true, 1, true, false, false };

static void *
e2e_lsc_helper(void *arg)
{
	uintptr_t i = (uintptr_t)arg;

	/* Closing a net_vhostu port takes the driver's control lock. */
	rte_eth_dev_close(spare_port[i]);
	__atomic_store_n(&spare_closed[i], 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * What an application may do in a callback: hand work that uses the driver
 * to another thread and wait for it. If the callback ran with the control
 * lock held, the helper could not finish until the callback returned.
 */
static void
e2e_lsc_close_spare(unsigned int i)
{
	uint64_t deadline = e2e_deadline(E2E_LSC_WAIT_S);
	pthread_t t;

	if (pthread_create(&t, NULL, e2e_lsc_helper, (void *)(uintptr_t)i) != 0) {
		lsc.helper_late++;
		return;
	}
	while (!__atomic_load_n(&spare_closed[i], __ATOMIC_ACQUIRE) && !e2e_expired(deadline))
		rte_delay_us_sleep(1000);
	if (!__atomic_load_n(&spare_closed[i], __ATOMIC_ACQUIRE)) {
		fprintf(stderr, "\n  LSC callback %u: closing a port in another thread did not "
			"finish within %d s\n", i, E2E_LSC_WAIT_S);
		lsc.helper_late++;
		pthread_detach(t);	/* it finishes once the callback returns */
		return;
	}
	pthread_join(t, NULL);
}

static int
e2e_lsc_cb(uint16_t port, enum rte_eth_event_type ev, void *arg, void *ret_param)
{
	static struct rte_pmd_vhostu_info info;
	unsigned int n = lsc.calls;
	char name[16];

	RTE_SET_USED(ev);
	RTE_SET_USED(arg);
	RTE_SET_USED(ret_param);
	if (pthread_getname_np(pthread_self(), name, sizeof(name)) == 0 &&
			strcmp(name, "vhostu-ctl") == 0)
		lsc.on_ctl++;
	if (rte_pmd_vhostu_get_info(port, &info) == 0) {
		lsc.snap_ok++;
		lsc.last_up = info.link_up;
	}
	if (n < E2E_NSPARES)
		e2e_lsc_close_spare(n);
	__atomic_store_n(&lsc.calls, n + 1, __ATOMIC_RELEASE);
	return 0;
}

/* Wait (bounded) until the callback has run n times. */
static bool
e2e_lsc_wait(unsigned int n)
{
	uint64_t deadline = e2e_deadline(E2E_LINK_TIMEOUT_S + E2E_LSC_WAIT_S);

	while (__atomic_load_n(&lsc.calls, __ATOMIC_ACQUIRE) < n && !e2e_expired(deadline))
		rte_delay_us_sleep(1000);
	return __atomic_load_n(&lsc.calls, __ATOMIC_ACQUIRE) >= n;
}

static int
e2e_lsc_init(void)
{
	char name[32], args[256];
	unsigned int i;

	cur = &lsc_combo;
	memset(&lsc, 0, sizeof(lsc));
	memset(spare_closed, 0, sizeof(spare_closed));
	fds_before = count_fds();
	for (i = 0; i < E2E_NSPARES; i++) {
		/* Client ports that never reach anyone: something to close. */
		snprintf(name, sizeof(name), "net_vhostu_spare%u", i);
		snprintf(args, sizeof(args), "iface=%s/nobody%u.sock,server=0", sock_dir, i);
		if (e2e_vdev_create(name, args, &spare_port[i]) != 0)
			return -1;
		spare_made[i] = true;
	}
	return 0;
}

static int
e2e_lsc_clean(void)
{
	char name[32];
	unsigned int i;

	e2e_tear_down();
	for (i = 0; i < E2E_NSPARES; i++) {
		snprintf(name, sizeof(name), "net_vhostu_spare%u", i);
		if (spare_made[i])
			rte_vdev_uninit(name);	/* the vdev; the port may be closed already */
		spare_made[i] = false;
	}
	return 0;
}

static void
test_lsc_callback_on_connect_may_snapshot_and_wait_for_a_port_close(void)
{
	CU_ASSERT_FATAL(e2e_vhostu_create() == 0);
	CU_ASSERT_FATAL(rte_eth_dev_callback_register(vport, RTE_ETH_EVENT_INTR_LSC,
		e2e_lsc_cb, NULL) == 0);
	/* Started first, so that the link comes up when the frontend is ready. */
	CU_ASSERT_FATAL(e2e_port_setup(vport, E2E_VHOSTU_QUEUES, vhostu_mp) == 0);
	CU_ASSERT_FATAL(e2e_peer_create() == 0);
	CU_ASSERT_FATAL(e2e_port_setup(pport, cur->queues, peer_mp) == 0);
	CU_ASSERT_FATAL(e2e_links_up(e2e_deadline(E2E_LINK_TIMEOUT_S)));
	ports_up = true;
	CU_ASSERT_FATAL(e2e_lsc_wait(1));
	CU_ASSERT(lsc.on_ctl >= 1);	/* the frontend's DRIVER_OK: the control thread */
	CU_ASSERT_EQUAL(lsc.snap_ok, lsc.calls);
	CU_ASSERT_TRUE(lsc.last_up);
	CU_ASSERT_EQUAL(lsc.helper_late, 0);
	CU_ASSERT_FALSE(rte_eth_dev_is_valid_port(spare_port[0]));
}

static void
test_lsc_callback_on_disconnect_may_snapshot_and_wait_for_a_port_close(void)
{
	unsigned int before = __atomic_load_n(&lsc.calls, __ATOMIC_ACQUIRE);

	CU_ASSERT_FATAL(ports_up);
	CU_ASSERT_FATAL(before == 1);
	CU_ASSERT(rte_eth_dev_stop(pport) == 0);
	CU_ASSERT(rte_vdev_uninit(E2E_PEER_NAME) == 0);
	peer_made = false;
	CU_ASSERT_FATAL(e2e_lsc_wait(before + 1));
	CU_ASSERT(lsc.on_ctl >= 2);
	CU_ASSERT_EQUAL(lsc.snap_ok, lsc.calls);
	CU_ASSERT_FALSE(lsc.last_up);
	CU_ASSERT_EQUAL(lsc.helper_late, 0);
	CU_ASSERT_FALSE(rte_eth_dev_is_valid_port(spare_port[1]));
}

static void
test_lsc_teardown_releases_every_fd(void)
{
	CU_ASSERT(rte_eth_dev_callback_unregister(vport, RTE_ETH_EVENT_INTR_LSC,
		e2e_lsc_cb, NULL) == 0);
	e2e_lsc_clean();
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(vhostu_mp), 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(peer_mp), 0);
	CU_ASSERT_EQUAL(count_fds(), fds_before);
}

static CU_TestInfo lsc_tests[] = {
	{ "on connect, an LSC callback runs unlocked: snapshot, wait for a port close",
		test_lsc_callback_on_connect_may_snapshot_and_wait_for_a_port_close },
	{ "on disconnect, an LSC callback runs unlocked: snapshot, wait for a port close",
		test_lsc_callback_on_disconnect_may_snapshot_and_wait_for_a_port_close },
	{ "teardown releases every fd and mbuf", test_lsc_teardown_releases_every_fd },
	CU_TEST_INFO_NULL,
};

/* ----------------------------------------------------------------- suites */

/*
 * n, vhostu is the server, queues, mrg_rxbuf, in_order, no INDIRECT_DESC.
 * Without INDIRECT_DESC, virtio-user sends a multi-segment frame as a direct
 * chain (header descriptor, then one per segment) instead of an indirect table.
 */
#define E2E_COMBOS(X) \
	X(0, true, 1, 0, 0, 0) X(1, true, 1, 0, 1, 0) \
	X(2, true, 1, 1, 0, 0) X(3, true, 1, 1, 1, 0) \
	X(4, true, 2, 0, 0, 0) X(5, true, 2, 0, 1, 0) \
	X(6, true, 2, 1, 0, 0) X(7, true, 2, 1, 1, 0) \
	X(8, false, 1, 0, 0, 0) X(9, false, 1, 0, 1, 0) \
	X(10, false, 1, 1, 0, 0) X(11, false, 1, 1, 1, 0) \
	X(12, false, 2, 0, 0, 0) X(13, false, 2, 0, 1, 0) \
	X(14, false, 2, 1, 0, 0) X(15, false, 2, 1, 1, 0) \
	X(16, true, 2, 0, 0, 1) X(17, true, 2, 1, 0, 1) \
	X(18, true, 8, 1, 0, 0) X(19, false, 8, 1, 0, 0) \
	X(20, true, 8, 0, 1, 0)

#define E2E_COMBO(n, srv, q, m, o, ni) { srv, q, m, o, ni },
static const struct e2e_combo e2e_combos[] = { E2E_COMBOS(E2E_COMBO) };

#define E2E_INIT(n, srv, q, m, o, ni) \
static int \
e2e_init_##n(void) \
{ \
	cur = &e2e_combos[n]; \
	fds_before = count_fds(); \
	return 0; \
}
E2E_COMBOS(E2E_INIT)

/* A suite whose tests stopped half way still leaves nothing behind. */
static int
e2e_suite_clean(void)
{
	e2e_tear_down();
	return 0;
}

#define E2E_SERVER	"vhostu server, virtio-user client: "
#define E2E_CLIENT	"vhostu client, virtio-user server: "
#define E2E_ARGS(q, m, o) "queues=" #q " mrg_rxbuf=" #m " in_order=" #o
#define E2E_NO_IND	", feature-mask without INDIRECT_DESC"
#define E2E_SUITE_NAME(srv, q, m, o, ni) \
	((srv) ? ((ni) ? E2E_SERVER E2E_ARGS(q, m, o) E2E_NO_IND : E2E_SERVER E2E_ARGS(q, m, o)) : \
		((ni) ? E2E_CLIENT E2E_ARGS(q, m, o) E2E_NO_IND : E2E_CLIENT E2E_ARGS(q, m, o)))
#define E2E_SUITE(n, srv, q, m, o, ni) \
	{ E2E_SUITE_NAME(srv, q, m, o, ni), e2e_init_##n, e2e_suite_clean, NULL, NULL, e2e_tests },
static CU_SuiteInfo suites[] = {
	E2E_COMBOS(E2E_SUITE)
	{ "rx interrupts: vhostu server, virtio-user client, queues=2", e2e_intr_init,
		e2e_intr_clean, NULL, NULL, intr_tests },
	{ "link-state callbacks run with no driver lock held", e2e_lsc_init, e2e_lsc_clean,
		NULL, NULL, lsc_tests },
	CU_SUITE_INFO_NULL,
};

/* ------------------------------------------------------------------- main */

static int
e2e_eal_init(void)
{
	char prefix[64];
	char *argv[] = { "test_e2e_virtio_user", "--no-huge", "-m", "512", "--no-pci",
		"--no-shconf", prefix, "-l", "0", "--log-level=*:warning", NULL };

	/* --in-memory would be simpler, but EAL refuses it with --no-huge. */
	snprintf(prefix, sizeof(prefix), "--file-prefix=e2e-%d", (int)getpid());
	return rte_eal_init(RTE_DIM(argv) - 1, argv);
}

static int
e2e_env_init(void)
{
	strlcpy(sock_dir, "/tmp/vhostu-e2e-XXXXXX", sizeof(sock_dir));
	if (mkdtemp(sock_dir) == NULL)
		return -errno;
	snprintf(sock_path, sizeof(sock_path), "%s/s.sock", sock_dir);
	vhostu_mp = rte_pktmbuf_pool_create("e2e_vhostu", E2E_NB_MBUFS, 0, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	peer_mp = rte_pktmbuf_pool_create("e2e_peer", E2E_NB_MBUFS, 0, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	return vhostu_mp != NULL && peer_mp != NULL ? 0 : -ENOMEM;
}

int
main(void)
{
	unsigned int failed;

	if (e2e_eal_init() < 0) {
		fprintf(stderr, "test_e2e_virtio_user: EAL init failed\n");
		return 1;
	}
	if (e2e_env_init() != 0) {
		fprintf(stderr, "test_e2e_virtio_user: set-up failed\n");
		return 1;
	}
	failed = run_suites(suites);
	rmdir(sock_dir);
	rte_mempool_free(vhostu_mp);
	rte_mempool_free(peer_mp);
	rte_eal_cleanup();
	return failed != 0;
}
