/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The harness of the end-to-end suites: EAL with --no-huge (memfd-backed, so
 * virtio-user can share it), the mempools, creating net_vhostu and DPDK's
 * virtio-user port for the combination under test, bringing both links up
 * and tearing both ports down, and the frame and mbuf helpers more than one
 * suite uses.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "e2e_harness.h"
#include "rte_pmd_vhostu.h"

const struct e2e_combo *cur;
char sock_dir[64];
char sock_path[RTE_PMD_VHOSTU_PATH_MAX];
struct rte_mempool *vhostu_mp, *peer_mp;
uint16_t vport, pport;
bool vhostu_made, peer_made, ports_up;
int fds_before;
bool vhostu_rxq_intr;
bool e2e_peer_offloads;
uint8_t expect_buf[E2E_MAX_FRAME];

/* ---------------------------------------------------------------- helpers */

uint64_t
e2e_deadline(unsigned int seconds)
{
	return rte_get_timer_cycles() + (uint64_t)seconds * rte_get_timer_hz();
}

bool
e2e_expired(uint64_t deadline)
{
	return rte_get_timer_cycles() > deadline;
}

/* Frame `seq` of queue q in direction dir: Ethernet header, seq, pseudo-random bytes. */
void
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

/* An mbuf chain holding data: as many segments as the pool's buffers need. */
struct rte_mbuf *
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

/* ------------------------------------------------------------ port set-up */

int
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
	/* The virtio PMD negotiates only the offloads its application asks for. */
	if (port == pport && e2e_peer_offloads) {
		conf.rxmode.offloads |= info.rx_offload_capa & (RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
			RTE_ETH_RX_OFFLOAD_UDP_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_LRO);
		conf.txmode.offloads |= info.tx_offload_capa & (RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
			RTE_ETH_TX_OFFLOAD_UDP_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_TSO);
	}
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

int
e2e_vdev_create(const char *name, const char *args, uint16_t *port)
{
	int ret = rte_vdev_init(name, args);

	if (ret != 0) {
		fprintf(stderr, "rte_vdev_init(%s, %s): %d\n", name, args, ret);
		return ret;
	}
	return rte_eth_dev_get_port_by_name(name, port);
}

uint64_t
e2e_mask(const struct e2e_combo *c)
{
	return c->no_indirect ? ~E2E_F_INDIRECT_DESC : UINT64_MAX;
}

int
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

int
e2e_peer_create(void)
{
	char args[256];
	int ret;

	snprintf(args, sizeof(args), "path=%s,server=%d,queues=%u,mrg_rxbuf=%d,in_order=%d,"
		"packed_vq=%d,mac=02:00:00:00:00:01",
		sock_path, !cur->vhostu_server, cur->queues, cur->mrg_rxbuf, cur->in_order,
		cur->packed);
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
bool
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
int
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
int
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

/* -------------------------------------------------------------- the program */

int
e2e_eal_init(void)
{
	char prefix[64];
	char *argv[] = { "test_e2e_virtio_user", "--no-huge", "-m", "512", "--no-pci",
		"--no-shconf", prefix, "-l", "0", "--log-level=*:warning", NULL };

	/* --in-memory would be simpler, but EAL refuses it with --no-huge. */
	snprintf(prefix, sizeof(prefix), "--file-prefix=e2e-%d", (int)getpid());
	return rte_eal_init(RTE_DIM(argv) - 1, argv);
}

int
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

void
e2e_env_clean(void)
{
	rmdir(sock_dir);
	rte_mempool_free(vhostu_mp);
	rte_mempool_free(peer_mp);
}
