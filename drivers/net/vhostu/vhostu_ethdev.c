/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_vhostu as a DPDK vdev: probe and remove, the ethdev ops, link state.
 * rx queue q reads vring 2q+1 (the guest's TX), tx queue q writes vring 2q
 * (the guest's RX).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "rte_pmd_vhostu.h"
#include "vhostu_devargs.h"
#include "vhostu_internal.h"

RTE_LOG_REGISTER(vhostu_logtype, pmd.net.vhostu, INFO);
RTE_LOG_REGISTER(vhostu_logtype_msg, pmd.net.vhostu.msg, INFO);
RTE_LOG_REGISTER(vhostu_logtype_data, pmd.net.vhostu.data, INFO);

static const struct eth_dev_ops vhostu_ops;

/* Paths in use by our ports: two ports on one socket would fight over it. */
static pthread_mutex_t vhostu_ports_lock = PTHREAD_MUTEX_INITIALIZER;
static TAILQ_HEAD(, vhostu_port_entry) vhostu_ports = TAILQ_HEAD_INITIALIZER(vhostu_ports);
struct vhostu_port_entry {
	TAILQ_ENTRY(vhostu_port_entry) next;
	struct vhostu_port *port;
};

static int
vhostu_ports_claim(struct vhostu_port *p)
{
	struct vhostu_port_entry *e;
	int ret = 0;

	pthread_mutex_lock(&vhostu_ports_lock);
	TAILQ_FOREACH(e, &vhostu_ports, next)
		if (strcmp(e->port->path, p->path) == 0)
			ret = -EADDRINUSE;
	if (ret == 0) {
		e = rte_zmalloc("vhostu_port_entry", sizeof(*e), 0);
		if (e == NULL)
			ret = -ENOMEM;
		else {
			e->port = p;
			TAILQ_INSERT_TAIL(&vhostu_ports, e, next);
		}
	}
	pthread_mutex_unlock(&vhostu_ports_lock);
	return ret;
}

static void
vhostu_ports_release(struct vhostu_port *p)
{
	struct vhostu_port_entry *e;

	pthread_mutex_lock(&vhostu_ports_lock);
	TAILQ_FOREACH(e, &vhostu_ports, next) {
		if (e->port == p) {
			TAILQ_REMOVE(&vhostu_ports, e, next);
			rte_free(e);
			break;
		}
	}
	pthread_mutex_unlock(&vhostu_ports_lock);
}

struct vhostu_port *
vhostu_port_from_id(uint16_t port_id)
{
	struct rte_eth_dev *dev;

	if (!rte_eth_dev_is_valid_port(port_id))
		return NULL;
	dev = &rte_eth_devices[port_id];
	if (dev->dev_ops != &vhostu_ops)
		return NULL;
	return dev->data->dev_private;
}

/*
 * Link is up when the port is started and the frontend has a queue pair
 * ready. Records the state; the caller holds p->lock. Returns true when it
 * changed: the caller then raises RTE_ETH_EVENT_INTR_LSC with no driver lock
 * held (vhostu_link_raise), since the application's callback may ask for a
 * snapshot (p->lock) or wait for a thread that creates or closes ports.
 */
bool
vhostu_link_update_locked(struct vhostu_port *p)
{
	struct rte_eth_link link = {
		.link_speed = RTE_ETH_SPEED_NUM_10G,
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = RTE_ETH_LINK_FIXED,
	};
	bool up, changed;

	up = p->dev_started && vhostu_port_ready(p);
	changed = up != p->link_up;
	__atomic_store_n(&p->link_up, up, __ATOMIC_RELEASE);
	/* With LSC on, rte_eth_link_get reads this copy without asking us. */
	link.link_status = up ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN;
	rte_eth_linkstatus_set(p->eth_dev, &link);
	if (changed)
		VHOSTU_PORT_LOG(p, INFO, "link %s", up ? "up" : "down");
	return changed;
}

/* Run the application's LSC callbacks; the caller holds no driver lock. */
void
vhostu_link_raise(struct vhostu_port *p)
{
	rte_eth_dev_callback_process(p->eth_dev, RTE_ETH_EVENT_INTR_LSC, NULL);
}

/* The same for a caller that holds no driver lock (the application's thread). */
void
vhostu_link_update_notify(struct vhostu_port *p)
{
	bool changed;

	pthread_mutex_lock(&p->lock);
	changed = vhostu_link_update_locked(p);
	pthread_mutex_unlock(&p->lock);
	if (changed)
		vhostu_link_raise(p);
}

static int
vhostu_dev_configure(struct rte_eth_dev *dev)
{
	struct vhostu_port *p = dev->data->dev_private;

	if (dev->data->nb_rx_queues > p->max_queue_pairs ||
			dev->data->nb_tx_queues > p->max_queue_pairs) {
		VHOSTU_PORT_LOG(p, ERR, "%u rx / %u tx queues asked, the port has %u"
			" (devarg queues)", dev->data->nb_rx_queues, dev->data->nb_tx_queues,
			p->max_queue_pairs);
		return -EINVAL;
	}
	return vhostu_intr_setup(dev);
}

static int
vhostu_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct vhostu_port *p = dev->data->dev_private;

	info->max_mac_addrs = 1;
	info->max_rx_pktlen = RTE_ETHER_MAX_JUMBO_FRAME_LEN;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	info->max_mtu = RTE_ETHER_MAX_JUMBO_FRAME_LEN - RTE_ETHER_HDR_LEN - RTE_ETHER_CRC_LEN;
	info->max_rx_queues = p->max_queue_pairs;
	info->max_tx_queues = p->max_queue_pairs;
	info->min_rx_bufsize = 0;
	/*
	 * What the bursts do whatever the guest negotiated: frames from it carry
	 * the flags of what it asked for (vhostu_offload.h); to it, checksums it
	 * cannot take are done in software. TSO to a guest without GUEST_TSO4/6
	 * is dropped and counted: rte_pmd_vhostu_get_features tells which.
	 */
	info->rx_offload_capa = RTE_ETH_RX_OFFLOAD_SCATTER | RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
		RTE_ETH_RX_OFFLOAD_UDP_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_LRO;
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS | RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
		RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM |
		RTE_ETH_TX_OFFLOAD_TCP_TSO;
	info->max_lro_pkt_size = VHOSTU_TSO_MAX_FRAME;
	info->default_rxportconf.nb_queues = 1;
	info->default_txportconf.nb_queues = 1;
	info->speed_capa = RTE_ETH_LINK_SPEED_10G;
	return 0;
}

static int
vhostu_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc __rte_unused,
		unsigned int socket __rte_unused, const struct rte_eth_rxconf *conf __rte_unused,
		struct rte_mempool *mp)
{
	struct vhostu_port *p = dev->data->dev_private;
	struct vhostu_vring *vr = &p->vrings[2 * qid + 1];

	vhostu_vrings_pause(vr, 1);
	vr->mp = mp;
	vr->port_id = dev->data->port_id;
	vhostu_vrings_resume(vr, 1);
	dev->data->rx_queues[qid] = vr;
	return 0;
}

static int
vhostu_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc __rte_unused,
		unsigned int socket __rte_unused, const struct rte_eth_txconf *conf __rte_unused)
{
	struct vhostu_port *p = dev->data->dev_private;
	struct vhostu_vring *vr = &p->vrings[2 * qid];

	vr->port_id = dev->data->port_id;
	dev->data->tx_queues[qid] = vr;
	return 0;
}

static void
vhostu_queue_release(struct rte_eth_dev *dev __rte_unused, uint16_t qid __rte_unused)
{
	/* The queues are the port's vrings: nothing to free. */
}

static void
vhostu_set_queue_states(struct rte_eth_dev *dev, uint8_t state)
{
	uint16_t q;

	for (q = 0; q < dev->data->nb_rx_queues; q++)
		dev->data->rx_queue_state[q] = state;
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		dev->data->tx_queue_state[q] = state;
}

static int
vhostu_dev_start(struct rte_eth_dev *dev)
{
	struct vhostu_port *p = dev->data->dev_private;

	pthread_mutex_lock(&p->lock);
	p->dev_started = true;
	pthread_mutex_unlock(&p->lock);
	vhostu_set_queue_states(dev, RTE_ETH_QUEUE_STATE_STARTED);
	vhostu_link_update_notify(p);
	return 0;
}

static int
vhostu_dev_stop(struct rte_eth_dev *dev)
{
	struct vhostu_port *p = dev->data->dev_private;

	pthread_mutex_lock(&p->lock);
	p->dev_started = false;
	pthread_mutex_unlock(&p->lock);
	vhostu_set_queue_states(dev, RTE_ETH_QUEUE_STATE_STOPPED);
	vhostu_link_update_notify(p);
	return 0;
}

static int
vhostu_dev_close(struct rte_eth_dev *dev)
{
	struct vhostu_port *p = dev->data->dev_private;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	vhostu_ctl_remove_port(p);	/* closes the sockets, resets the state */
	vhostu_intr_free(dev);
	vhostu_ports_release(p);
	pthread_mutex_destroy(&p->lock);
	/* rte_eth_dev_release_port frees mac_addrs and the private data. */
	return 0;
}

static int
vhostu_link_update(struct rte_eth_dev *dev, int wait __rte_unused)
{
	struct vhostu_port *p = dev->data->dev_private;
	struct rte_eth_link link = {
		.link_speed = RTE_ETH_SPEED_NUM_10G,
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = RTE_ETH_LINK_FIXED,
		.link_status = __atomic_load_n(&p->link_up, __ATOMIC_ACQUIRE) ?
			RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN,
	};

	return rte_eth_linkstatus_set(dev, &link);
}

static int
vhostu_promisc_nop(struct rte_eth_dev *dev __rte_unused)
{
	/* A vhost-user port delivers every frame: filtering is the switch's job. */
	return 0;
}

static int
vhostu_mtu_set(struct rte_eth_dev *dev __rte_unused, uint16_t mtu __rte_unused)
{
	return 0;
}

static int
vhostu_mac_addr_set(struct rte_eth_dev *dev __rte_unused, struct rte_ether_addr *addr __rte_unused)
{
	return 0;
}

static const struct eth_dev_ops vhostu_ops = {
	.dev_configure = vhostu_dev_configure,
	.dev_infos_get = vhostu_dev_infos_get,
	.dev_start = vhostu_dev_start,
	.dev_stop = vhostu_dev_stop,
	.dev_close = vhostu_dev_close,
	.link_update = vhostu_link_update,
	.rx_queue_setup = vhostu_rx_queue_setup,
	.tx_queue_setup = vhostu_tx_queue_setup,
	.rx_queue_release = vhostu_queue_release,
	.tx_queue_release = vhostu_queue_release,
	.promiscuous_enable = vhostu_promisc_nop,
	.promiscuous_disable = vhostu_promisc_nop,
	.allmulticast_enable = vhostu_promisc_nop,
	.allmulticast_disable = vhostu_promisc_nop,
	.mtu_set = vhostu_mtu_set,
	.mac_addr_set = vhostu_mac_addr_set,
	.stats_get = vhostu_stats_get,
	.stats_reset = vhostu_stats_reset,
	.xstats_get = vhostu_xstats_get,
	.xstats_get_names = vhostu_xstats_get_names,
	.xstats_reset = vhostu_xstats_reset,
	.rx_queue_intr_enable = vhostu_rx_intr_enable,
	.rx_queue_intr_disable = vhostu_rx_intr_disable,
};

/* VPP's choice: a random locally administered address, 02:fe:xx:xx:xx:xx. */
static void
vhostu_random_mac(struct rte_ether_addr *mac)
{
	uint32_t r = (uint32_t)rte_rand();

	mac->addr_bytes[0] = 0x02;
	mac->addr_bytes[1] = 0xfe;
	memcpy(&mac->addr_bytes[2], &r, 4);
}

static void
vhostu_port_init(struct vhostu_port *p, struct rte_eth_dev *dev, const char *name,
		const struct vhostu_devargs *da)
{
	unsigned int i;

	pthread_mutex_init(&p->lock, NULL);
	strlcpy(p->name, name, sizeof(p->name));
	memcpy(p->path, da->path, sizeof(p->path));
	p->server = da->server;
	p->reconnect_ms = da->reconnect_ms;
	p->socket_group = da->has_group ? (int64_t)da->group : -1;
	p->max_queue_pairs = da->queues;
	p->feature_mask = da->feature_mask;
	p->features_offered = VHOSTU_DEFAULT_FEATURES & da->feature_mask;
	p->hdr_size = VHOSTU_NET_HDR_SHORT;
	p->eth_dev = dev;
	p->port_id = dev->data->port_id;
	p->listen_fd = -1;
	p->conn_fd = -1;
	if (da->has_mac)
		p->mac = da->mac;
	else
		vhostu_random_mac(&p->mac);
	for (i = 0; i < RTE_DIM(p->vrings); i++)
		vhostu_vring_init(&p->vrings[i], p, i);
}

static int
vhostu_dev_setup(struct rte_eth_dev *dev, struct vhostu_port *p)
{
	struct rte_eth_dev_data *data = dev->data;

	data->mac_addrs = rte_zmalloc("vhostu_mac", sizeof(struct rte_ether_addr), 0);
	if (data->mac_addrs == NULL)
		return -ENOMEM;
	*data->mac_addrs = p->mac;
	data->dev_flags |= RTE_ETH_DEV_INTR_LSC;
	dev->dev_ops = &vhostu_ops;
	dev->rx_pkt_burst = vhostu_rx_burst;
	dev->tx_pkt_burst = vhostu_tx_burst;
	dev->tx_pkt_prepare = vhostu_tx_prepare;
	return 0;
}

/*
 * A secondary process (dpdk-dumpcap, dpdk-pdump, dpdk-proc-info) sees the
 * primary's ports so that it can name them and ask the primary to capture;
 * the sockets, rings and guest memory stay the primary's (mapped there
 * only), so it gets no datapath and no control, only the port's info and
 * the link the primary keeps in the shared ethdev data.
 */
static uint16_t
vhostu_secondary_burst(void *queue __rte_unused, struct rte_mbuf **pkts __rte_unused,
		uint16_t n __rte_unused)
{
	return 0;
}

static int
vhostu_secondary_link_update(struct rte_eth_dev *dev __rte_unused, int wait __rte_unused)
{
	return 0;
}

static const struct eth_dev_ops vhostu_secondary_ops = {
	.dev_infos_get = vhostu_dev_infos_get,
	.link_update = vhostu_secondary_link_update,
	.promiscuous_enable = vhostu_promisc_nop,
	.promiscuous_disable = vhostu_promisc_nop,
};

static int
vhostu_probe_secondary(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct rte_eth_dev *dev;

	dev = rte_eth_dev_attach_secondary(name);
	if (dev == NULL) {
		VHOSTU_LOG(ERR, "%s: not a port of the primary process", name);
		return -ENODEV;
	}
	dev->dev_ops = &vhostu_secondary_ops;
	dev->device = &vdev->device;
	dev->rx_pkt_burst = vhostu_secondary_burst;
	dev->tx_pkt_burst = vhostu_secondary_burst;
	rte_eth_dev_probing_finish(dev);
	return 0;
}

/*
 * Why rte_eth_vdev_allocate failed: every ethdev port in use (-ENOSPC, said
 * with the limit, which only a DPDK built with more can raise) or memory.
 */
static int
vhostu_no_port(const char *name)
{
	/* documented: RTE_MAX_ETHPORTS of the ethdev library that runs when no port follows */
	unsigned int max = rte_eth_find_next(UINT16_MAX);

	if (rte_eth_dev_count_total() < max)
		return -ENOMEM;
	VHOSTU_LOG(ERR, "%s: no ethdev port left: all %u are in use (RTE_MAX_ETHPORTS of "
		"this DPDK build), port not created", name, max);
	return -ENOSPC;
}

static int
vhostu_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct vhostu_devargs da;
	struct rte_eth_dev *dev;
	struct vhostu_port *p;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return vhostu_probe_secondary(vdev);
	ret = vhostu_devargs_parse(rte_vdev_device_args(vdev), &da);
	if (ret < 0) {
		VHOSTU_LOG(ERR, "%s: bad device arguments, port not created", name);
		return ret;
	}
	dev = rte_eth_vdev_allocate(vdev, sizeof(*p));
	if (dev == NULL)
		return vhostu_no_port(name);
	p = dev->data->dev_private;
	vhostu_port_init(p, dev, name, &da);
	ret = vhostu_ports_claim(p);
	if (ret < 0) {
		VHOSTU_PORT_LOG(p, ERR, "socket %s is already used by another vhostu port",
			p->path);
		goto fail;
	}
	ret = vhostu_dev_setup(dev, p);
	if (ret == 0 && p->server) {
		ret = vhostu_sock_listen(p->path, p->socket_group, &p->listen_fd);
		if (ret < 0)
			VHOSTU_PORT_LOG(p, ERR, "cannot listen on %s: %s", p->path,
				strerror(-ret));
	}
	if (ret == 0)
		ret = vhostu_ctl_add_port(p);
	if (ret < 0)
		goto fail_claimed;
	rte_eth_dev_probing_finish(dev);
	VHOSTU_PORT_LOG(p, INFO, "port %u, %s socket %s, %u queue pair(s)", p->port_id,
		p->server ? "server" : "client", p->path, p->max_queue_pairs);
	return 0;

fail_claimed:
	if (p->listen_fd >= 0) {
		close(p->listen_fd);
		unlink(p->path);
	}
	vhostu_ports_release(p);
fail:
	pthread_mutex_destroy(&p->lock);
	rte_eth_dev_release_port(dev);
	return ret;
}

static int
vhostu_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));

	if (dev == NULL)
		return 0;	/* already closed */
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return rte_eth_dev_release_port(dev);	/* the primary's port lives on */
	if (dev->state != RTE_ETH_DEV_UNUSED && dev->dev_ops == &vhostu_ops)
		rte_eth_dev_close(dev->data->port_id);
	return 0;
}

static struct rte_vdev_driver vhostu_driver = {
	.probe = vhostu_probe,
	.remove = vhostu_remove,
};

RTE_PMD_REGISTER_VDEV(net_vhostu, vhostu_driver);
RTE_PMD_REGISTER_PARAM_STRING(net_vhostu, VHOSTU_PARAMS);

/* What dpdk-pmdinfo.py reads; DPDK's build generates this, ours writes it. */
static const char vhostu_pmd_info[] __rte_used =
	"PMD_INFO_STRING= {\"name\": \"net_vhostu\", \"params\": \"" VHOSTU_PARAMS
	"\", \"pci_ids\": []}";

void
rte_pmd_vhostu_link(void)
{
}
