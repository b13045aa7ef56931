/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forwarding: worker lcores poll the rx queues placed on them and send by
 * l2 xconnect or bridge domain (MAC learning, aging, flooding; the MAC table
 * is l2_mac.c, the domains' tables and the flood fan-out l2_bd.c).
 * Interfaces in neither mode drop what they receive.
 *
 * Configuration changes (create, delete, state, l2 mode, a frontend enabling
 * queues) are published by the main lcore as a new immutable struct app_conf;
 * workers read it under QSBR RCU (librte_rcu): each worker reports a
 * quiescent state after every pass, holding nothing of the conf. When
 * app_fwd_apply() returns, no worker is inside a burst on a port that left
 * the conf, so it can be stopped and closed. Publishing cannot fail: the two
 * confs are allocated at init and take turns (the one not current is unseen
 * since the last synchronise), and a bridge domain's MAC table is made by
 * bd_prepare before its first member joins; a table whose domain left the
 * conf is freed after the synchronise.
 *
 * Tx queues: thread t sends on the queue cli_place_tx() gives it. A queue
 * shared by two threads is taken under its spin-lock (persistent per port and
 * queue, so both sides of a conf change use the same lock). During a change
 * every sender locks: the old conf is switched to lock_all, synchronised, the
 * new one published with lock_all, synchronised, and only then relaxed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_spinlock.h>

#include "app.h"
#include "l2_bd.h"
#include "l2_mac.h"
#include "offload.h"
#include "rx_intr.h"

#define APP_BURST	32
#define APP_NO_SLOT	UINT16_MAX
#define APP_HK_PERIOD_MS	100
#define APP_AGE_PERIOD_S	1
#define APP_SLEEP_MS	100	/* longest sleep: quiescent states, conf changes, quit */
#define APP_ADAPTIVE_IDLE_US	1000	/* adaptive: idle this long, then interrupt */

struct app_slot {
	uint16_t port_id;
	uint8_t mode;		/* enum cli_l2_mode */
	bool tx_shared;		/* some tx queue serves two threads */
	uint16_t xc_slot;
	uint16_t bd;		/* index in app_conf.bd */
	uint16_t txq[CLI_MAX_THREADS];
	uint8_t rx_mode[CLI_MAX_RXQ];	/* enum cli_rx_mode */
};

struct app_rxq {
	uint16_t slot;
	uint16_t port_id;
	uint16_t queue;
	uint8_t mode;		/* enum cli_rx_mode */
};

struct app_conf {
	bool lock_all;
	uint16_t n_slots;
	uint16_t slot_of_port[RTE_MAX_ETHPORTS];
	struct app_slot slot[CLI_MAX_IF];
	uint16_t n_bds;
	struct app_bd bd[CLI_MAX_IF];
	uint32_t rx_start[CLI_MAX_THREADS + 1];
	struct app_rxq rxq[CLI_MAX_IF * CLI_MAX_RXQ];
};

struct app_txbuf {
	uint16_t n;
	struct rte_mbuf *m[APP_BURST];
};

struct app_thread {
	struct app_txbuf buf[CLI_MAX_IF];
	uint16_t dirty[CLI_MAX_IF];
	uint16_t n_dirty;
	uint64_t rx_drops[RTE_MAX_ETHPORTS];
	uint64_t tx_errors[RTE_MAX_ETHPORTS];
	const struct app_conf *seen;	/* the conf busy_tsc is about */
	uint64_t busy_tsc[CLI_MAX_IF * CLI_MAX_RXQ];	/* per conf rxq: last frame */
} __rte_cache_aligned;

/* What the frontend has set up on a port, read by housekeeping. */
struct app_dyn {
	uint16_t n_rxq;		/* rx queues whose vring the frontend touched */
	uint32_t tx_enabled;	/* bit q: vring 2q enabled */
};

static struct {
	struct app_conf *cur;
	struct app_conf *conf[2];	/* cur is one of them, or NULL */
	struct rte_rcu_qsbr *qsv;
	uint16_t n_workers;
	uint16_t n_threads;
	struct app_thread *th;
	struct cli_iftable ift;
	struct app_dyn dyn[RTE_MAX_ETHPORTS];
	struct cli_placement place[RTE_MAX_ETHPORTS];
	struct app_bd_tables tables;
	rte_spinlock_t txlock[RTE_MAX_ETHPORTS][CLI_MAX_RXQ];
	uint32_t now_s;
	uint64_t adaptive_tsc;		/* APP_ADAPTIVE_IDLE_US in TSC cycles */
	uint64_t last_hk;
	uint32_t last_age;
} app_fwd;

volatile bool app_quit;

/* ---------- datapath ---------- */

/* Send n frames on (port, q); what the queue does not take is dropped and counted. */
static void
app_tx_run(uint16_t thread, uint16_t port, uint16_t q, struct rte_mbuf **m, uint16_t n)
{
	uint16_t sent;

	if (n == 0)
		return;
	sent = rte_eth_tx_burst(port, q, m, n);
	if (sent < n) {
		app_fwd.th[thread].tx_errors[port] += n - sent;
		rte_pktmbuf_free_bulk(&m[sent], n - sent);
	}
}

/*
 * Frames with offloads the port cannot take as they are (app/offload.c) are
 * segmented and checksummed first, each sent in order between the others.
 */
static void
app_tx_offload(uint16_t thread, uint16_t port, uint16_t q, struct rte_mbuf **m, uint16_t n)
{
	struct rte_mbuf *seg[APP_GSO_MAX_SEGS];
	struct app_offload_caps caps;
	uint16_t i, from = 0, k;

	app_offload_caps(port, &caps);
	for (i = 0; i < n; i++) {
		if (!app_offload_needs_sw(m[i], &caps))
			continue;
		app_tx_run(thread, port, q, &m[from], i - from);
		from = i + 1;
		k = app_offload_sw(thread, m[i], &caps, seg, RTE_DIM(seg));
		if (k == 0)
			app_fwd.th[thread].tx_errors[port]++;
		app_tx_run(thread, port, q, seg, k);
	}
	app_tx_run(thread, port, q, &m[from], n - from);
}

static void
app_tx(struct app_conf *c, uint16_t thread, uint16_t slot, struct rte_mbuf **m, uint16_t n)
{
	const struct app_slot *s = &c->slot[slot];
	uint16_t q = s->txq[thread], sent;
	rte_spinlock_t *lock = NULL;

	if (__atomic_load_n(&c->lock_all, __ATOMIC_ACQUIRE) || s->tx_shared)
		lock = &app_fwd.txlock[s->port_id][q];
	if (lock != NULL)
		rte_spinlock_lock(lock);
	if (unlikely(app_offload_any(m, n))) {
		app_tx_offload(thread, s->port_id, q, m, n);
		sent = n;
	} else {
		sent = rte_eth_tx_burst(s->port_id, q, m, n);
	}
	if (lock != NULL)
		rte_spinlock_unlock(lock);
	if (sent < n) {
		app_fwd.th[thread].tx_errors[s->port_id] += n - sent;
		rte_pktmbuf_free_bulk(&m[sent], n - sent);
	}
}

static void
app_buf_flush(struct app_conf *c, uint16_t thread, uint16_t slot)
{
	struct app_txbuf *b = &app_fwd.th[thread].buf[slot];

	if (b->n > 0)
		app_tx(c, thread, slot, b->m, b->n);
	b->n = 0;
}

static void
app_buf_add(struct app_conf *c, uint16_t thread, uint16_t slot, struct rte_mbuf *m)
{
	struct app_thread *th = &app_fwd.th[thread];
	struct app_txbuf *b = &th->buf[slot];

	if (b->n == APP_BURST)
		app_buf_flush(c, thread, slot);
	if (b->n == 0)
		th->dirty[th->n_dirty++] = slot;
	b->m[b->n++] = m;
}

static void
app_buf_flush_all(struct app_conf *c, uint16_t thread)
{
	struct app_thread *th = &app_fwd.th[thread];
	uint16_t i;

	for (i = 0; i < th->n_dirty; i++)
		app_buf_flush(c, thread, th->dirty[i]);
	th->n_dirty = 0;
}

static void
app_flood(struct app_conf *c, uint16_t thread, uint16_t in, uint16_t bd, struct rte_mbuf *m)
{
	uint16_t to[CLI_MAX_IF], i, n;

	n = app_bd_flood(c->bd[bd].members, c->bd[bd].n_members, in, m, to);
	if (n == 0) {
		app_fwd.th[thread].rx_drops[c->slot[in].port_id]++;
		rte_pktmbuf_free(m);
		return;
	}
	for (i = 0; i < n; i++)
		app_buf_add(c, thread, to[i], m);
}

static void
app_bridge(struct app_conf *c, uint16_t thread, uint16_t in, struct rte_mbuf **m, uint16_t n)
{
	const struct app_slot *s = &c->slot[in];
	struct app_mac_table *t = c->bd[s->bd].macs;
	uint32_t now = __atomic_load_n(&app_fwd.now_s, __ATOMIC_RELAXED);
	struct rte_ether_hdr *eh;
	uint16_t i, dst;
	int port;

	for (i = 0; i < n; i++) {
		eh = rte_pktmbuf_mtod(m[i], struct rte_ether_hdr *);
		if (rte_is_unicast_ether_addr(&eh->src_addr) &&
				!rte_is_zero_ether_addr(&eh->src_addr))
			app_mac_learn(t, app_mac_key(eh->src_addr.addr_bytes), s->port_id, now);
		port = rte_is_unicast_ether_addr(&eh->dst_addr) ?
			app_mac_lookup(t, app_mac_key(eh->dst_addr.addr_bytes)) : -1;
		dst = port < 0 || port >= RTE_MAX_ETHPORTS ? APP_NO_SLOT : c->slot_of_port[port];
		if (dst == APP_NO_SLOT || c->slot[dst].mode != CLI_L2_BRIDGE ||
				c->slot[dst].bd != s->bd) {
			app_flood(c, thread, in, s->bd, m[i]);
		} else if (dst == in) {
			app_fwd.th[thread].rx_drops[s->port_id]++;
			rte_pktmbuf_free(m[i]);
		} else {
			app_buf_add(c, thread, dst, m[i]);
		}
	}
	app_buf_flush_all(c, thread);
}

static void
app_fwd_burst(struct app_conf *c, uint16_t thread, uint16_t in, struct rte_mbuf **m, uint16_t n)
{
	const struct app_slot *s = &c->slot[in];

	if (s->mode == CLI_L2_XCONNECT && s->xc_slot != APP_NO_SLOT) {
		app_tx(c, thread, s->xc_slot, m, n);
		return;
	}
	if (s->mode == CLI_L2_BRIDGE) {
		app_bridge(c, thread, in, m, n);
		return;
	}
	app_fwd.th[thread].rx_drops[s->port_id] += n;
	rte_pktmbuf_free_bulk(m, n);
}

/*
 * Whether the empty queue q lets its worker sleep: it has an interrupt and
 * is in interrupt mode, or adaptive and idle for APP_ADAPTIVE_IDLE_US.
 */
static bool
app_rxq_may_sleep(const struct app_rxq *q, uint16_t thread, uint64_t busy, uint64_t now)
{
	if (q->mode == CLI_RX_POLLING || !app_intr_ready(q->port_id, q->queue, thread))
		return false;
	return q->mode == CLI_RX_INTERRUPT || now - busy >= app_fwd.adaptive_tsc;
}

/* One pass over the thread's queues; true if the worker may sleep now. */
static bool
app_fwd_poll(uint16_t thread)
{
	struct app_conf *c = __atomic_load_n(&app_fwd.cur, __ATOMIC_ACQUIRE);
	struct app_thread *th = &app_fwd.th[thread];
	struct rte_mbuf *m[APP_BURST];
	uint64_t now = rte_rdtsc();
	const struct app_rxq *q;
	bool sleep = thread != 0;
	uint32_t i;
	uint16_t n;

	if (c == NULL)
		return sleep;
	if (unlikely(th->seen != c)) {
		th->seen = c;
		for (i = c->rx_start[thread]; i < c->rx_start[thread + 1]; i++)
			th->busy_tsc[i] = now;
	}
	for (i = c->rx_start[thread]; i < c->rx_start[thread + 1]; i++) {
		q = &c->rxq[i];
		n = rte_eth_rx_burst(q->port_id, q->queue, m, APP_BURST);
		if (n > 0) {
			app_fwd_burst(c, thread, q->slot, m, n);
			th->busy_tsc[i] = now;
			sleep = false;
		} else if (sleep && !app_rxq_may_sleep(q, thread, th->busy_tsc[i], now)) {
			sleep = false;
		}
	}
	return sleep;
}

/*
 * Every queue of the thread is idle with an interrupt (or it has none): ask
 * the guests for kicks and sleep, offline for RCU so that a publish on the
 * main lcore does not wait for the sleep. A frame that came before the kick
 * was asked for wakes the sleep at once (the driver checks the ring).
 */
static void
app_worker_sleep(uint16_t thread)
{
	struct app_conf *c = __atomic_load_n(&app_fwd.cur, __ATOMIC_ACQUIRE);
	uint32_t i;

	/*
	 * An empty tx burst signals the guest what our last bursts left pending
	 * (call coalescing): the rx queue whose poll would have done it may be
	 * on a worker that sleeps too.
	 */
	for (i = 0; c != NULL && i < c->n_slots; i++)
		app_tx(c, thread, (uint16_t)i, NULL, 0);
	for (i = c ? c->rx_start[thread] : 0; c != NULL && i < c->rx_start[thread + 1]; i++)
		rte_eth_dev_rx_intr_enable(c->rxq[i].port_id, c->rxq[i].queue);
	rte_rcu_qsbr_thread_offline(app_fwd.qsv, thread);
	app_intr_wait(thread, APP_SLEEP_MS);
	rte_rcu_qsbr_thread_online(app_fwd.qsv, thread);
	/* c may be gone: the queues to poll again are those of the current conf */
	c = __atomic_load_n(&app_fwd.cur, __ATOMIC_ACQUIRE);
	for (i = c ? c->rx_start[thread] : 0; c != NULL && i < c->rx_start[thread + 1]; i++)
		if (c->rxq[i].mode != CLI_RX_POLLING)
			rte_eth_dev_rx_intr_disable(c->rxq[i].port_id, c->rxq[i].queue);
}

void
app_fwd_poll_main(void)
{
	if (app_fwd.n_workers == 0)
		app_fwd_poll(0);
}

static int
app_worker_main(void *arg)
{
	unsigned int thread = (unsigned int)(uintptr_t)arg;

	rte_rcu_qsbr_thread_register(app_fwd.qsv, thread);
	rte_rcu_qsbr_thread_online(app_fwd.qsv, thread);
	while (!__atomic_load_n(&app_quit, __ATOMIC_RELAXED)) {
		bool sleep = app_fwd_poll((uint16_t)thread);

		rte_rcu_qsbr_quiescent(app_fwd.qsv, thread);
		if (sleep && !__atomic_load_n(&app_quit, __ATOMIC_RELAXED))
			app_worker_sleep((uint16_t)thread);
	}
	rte_rcu_qsbr_thread_offline(app_fwd.qsv, thread);
	rte_rcu_qsbr_thread_unregister(app_fwd.qsv, thread);
	return 0;
}

/* ---------- building and publishing a conf (main lcore) ---------- */

/* Placement of every interface (forwarding or not), so show can print it. */
static void
app_place_all(const struct cli_iftable *t)
{
	const struct cli_if *ifp;
	struct cli_placement *p;
	uint32_t rr = 0;
	uint16_t q;

	CLI_IFTABLE_FOREACH(t, ifp) {
		if (ifp->deleting || ifp->port_id >= RTE_MAX_ETHPORTS)
			continue;
		p = &app_fwd.place[ifp->port_id];
		memset(p, 0, sizeof(*p));
		for (q = 0; q < app_fwd.dyn[ifp->port_id].n_rxq && q < CLI_MAX_RXQ; q++) {
			p->rx[q].thread = cli_place_rx_next(&rr, app_fwd.n_workers);
			p->rx[q].vring = (uint16_t)(2 * q + 1);
		}
		p->n_rx = q;
		cli_place_tx(app_fwd.dyn[ifp->port_id].tx_enabled, app_fwd.n_threads, p);
	}
}

static bool
app_if_forwards(const struct cli_if *ifp)
{
	return ifp->used && !ifp->deleting && ifp->admin_up && ifp->port_id < RTE_MAX_ETHPORTS;
}

/* The domains of t, with the MAC tables that bd_prepare made. */
static void
app_conf_bds(struct app_conf *c, const struct cli_iftable *t)
{
	struct app_bd *bd;
	uint16_t i;

	for (i = 0; i < t->n_bds && i < CLI_MAX_IF; i++) {
		bd = &c->bd[c->n_bds];
		bd->bd_id = t->bds[i].bd_id;
		bd->age_min = t->bds[i].mac_age_min;
		bd->macs = app_bd_table(&app_fwd.tables, bd->bd_id);
		if (bd->macs == NULL) {
			RTE_LOG(ERR, USER1, "vhostu-fwd: bridge domain %u has no MAC table: "
				"its members drop what they receive\n", bd->bd_id);
			continue;
		}
		c->n_bds++;
	}
}

static uint16_t
app_conf_bd_index(const struct app_conf *c, uint32_t bd_id)
{
	uint16_t i;

	for (i = 0; i < c->n_bds; i++)
		if (c->bd[i].bd_id == bd_id)
			return i;
	return APP_NO_SLOT;
}

static void
app_conf_slot(struct app_conf *c, const struct cli_if *ifp)
{
	struct app_slot *s = &c->slot[c->n_slots];
	struct app_bd *bd;
	uint16_t th;

	s->port_id = ifp->port_id;
	s->mode = (uint8_t)ifp->l2_mode;
	s->xc_slot = APP_NO_SLOT;
	s->tx_shared = app_fwd.place[ifp->port_id].tx_spinlock;
	memcpy(s->rx_mode, ifp->rx_mode, sizeof(s->rx_mode));
	for (th = 0; th < app_fwd.n_threads; th++)
		s->txq[th] = cli_place_tx_queue(&app_fwd.place[ifp->port_id], th);
	if (ifp->l2_mode == CLI_L2_BRIDGE) {
		s->bd = app_conf_bd_index(c, ifp->bd_id);
		if (s->bd == APP_NO_SLOT) {
			s->mode = CLI_L2_NONE;
		} else {
			bd = &c->bd[s->bd];
			bd->members[bd->n_members++] = c->n_slots;
		}
	}
	c->slot_of_port[ifp->port_id] = c->n_slots++;
}

static void
app_conf_slots(struct app_conf *c, const struct cli_iftable *t)
{
	const struct cli_if *ifp;

	memset(c->slot_of_port, 0xff, sizeof(c->slot_of_port));
	CLI_IFTABLE_FOREACH(t, ifp)
		if (app_if_forwards(ifp))
			app_conf_slot(c, ifp);
}

static void
app_conf_links(struct app_conf *c, const struct cli_iftable *t)
{
	const struct cli_if *ifp, *peer;
	struct app_slot *s;
	uint16_t i;

	for (i = 0; i < c->n_slots; i++) {
		s = &c->slot[i];
		if (s->mode != CLI_L2_XCONNECT)
			continue;
		ifp = cli_iftable_by_port(t, s->port_id);
		peer = ifp ? cli_iftable_by_sw_if_index(t, ifp->xc_sw_if_index) : NULL;
		if (peer != NULL && app_if_forwards(peer))
			s->xc_slot = c->slot_of_port[peer->port_id];
	}
}

/* rx queues of forwarding ports, grouped by thread. */
static void
app_conf_rxqs(struct app_conf *c)
{
	const struct cli_placement *p;
	uint32_t n = 0;
	uint16_t th, i, q;

	for (th = 0; th <= app_fwd.n_workers; th++) {
		c->rx_start[th] = n;
		for (i = 0; i < c->n_slots; i++) {
			p = &app_fwd.place[c->slot[i].port_id];
			for (q = 0; q < p->n_rx; q++) {
				if (p->rx[q].thread != th)
					continue;
				c->rxq[n++] = (struct app_rxq){ i, c->slot[i].port_id, q,
					c->slot[i].rx_mode[q] };
			}
		}
	}
	for (th = app_fwd.n_workers + 1; th <= CLI_MAX_THREADS; th++)
		c->rx_start[th] = n;
}

static void
app_conf_build(struct app_conf *c, const struct cli_iftable *t)
{
	memset(c, 0, sizeof(*c));
	app_place_all(t);
	app_conf_bds(c, t);
	app_conf_slots(c, t);
	app_conf_links(c, t);
	app_conf_rxqs(c);
	c->lock_all = true;
}

static bool
app_mac_stale(uint64_t e, uint32_t ts __rte_unused, void *arg)
{
	const struct app_conf *c = app_fwd.cur;
	uint16_t port = (uint16_t)(e & 0xffff), slot;
	uint16_t bd = (uint16_t)(uintptr_t)arg;

	slot = port < RTE_MAX_ETHPORTS ? c->slot_of_port[port] : APP_NO_SLOT;
	return slot == APP_NO_SLOT || c->slot[slot].mode != CLI_L2_BRIDGE || c->slot[slot].bd != bd;
}

/* Each queue out of polling mode registered with the worker that polls it. */
static void
app_publish_intr(const struct app_conf *c)
{
	uint32_t i;
	uint16_t th;

	app_intr_begin();
	for (th = 1; th <= app_fwd.n_workers; th++)
		for (i = c->rx_start[th]; i < c->rx_start[th + 1]; i++)
			if (c->rxq[i].mode != CLI_RX_POLLING)
				app_intr_want(c->rxq[i].port_id, c->rxq[i].queue, th);
	app_intr_commit();
	app_intr_wake_all();	/* sleeping workers look at the new conf now */
}

static void
app_publish(void)
{
	struct app_conf *old = app_fwd.cur, *c;
	uint16_t i;

	/* the conf that is not current: no worker has seen it since the last synchronise */
	c = old == app_fwd.conf[0] ? app_fwd.conf[1] : app_fwd.conf[0];
	app_conf_build(c, &app_fwd.ift);
	if (old != NULL) {
		__atomic_store_n(&old->lock_all, true, __ATOMIC_RELEASE);
		rte_rcu_qsbr_synchronize(app_fwd.qsv, RTE_QSBR_THRID_INVALID);
	}
	__atomic_store_n(&app_fwd.cur, c, __ATOMIC_RELEASE);
	rte_rcu_qsbr_synchronize(app_fwd.qsv, RTE_QSBR_THRID_INVALID);
	__atomic_store_n(&c->lock_all, false, __ATOMIC_RELEASE);
	app_publish_intr(c);
	/* forget what ports that left a bridge domain had learned there */
	for (i = 0; i < c->n_bds; i++)
		app_mac_sweep(c->bd[i].macs, app_mac_stale, (void *)(uintptr_t)i);
	/* no worker sees old any more: the tables of domains that are gone can go */
	app_bd_release(&app_fwd.tables, c->bd, c->n_bds);
}

/* Zero the counters of ports that are new in t. */
static void
app_reset_new_ports(const struct cli_iftable *t)
{
	const struct cli_if *ifp, *was;
	uint16_t th;

	CLI_IFTABLE_FOREACH(t, ifp) {
		if (ifp->port_id >= RTE_MAX_ETHPORTS)
			continue;
		was = cli_iftable_by_sw_if_index(&app_fwd.ift, ifp->sw_if_index);
		if (was != NULL && was->port_id == ifp->port_id)
			continue;
		for (th = 0; th < app_fwd.n_threads; th++) {
			app_fwd.th[th].rx_drops[ifp->port_id] = 0;
			app_fwd.th[th].tx_errors[ifp->port_id] = 0;
		}
		memset(&app_fwd.dyn[ifp->port_id], 0, sizeof(app_fwd.dyn[0]));
	}
}

static void
app_fwd_apply(const struct cli_iftable *t)
{
	app_reset_new_ports(t);
	app_fwd.ift = *t;
	app_fwd_housekeep(true);	/* read the ports' vring state; publishes */
	app_publish();
}

static int
app_fwd_bd_prepare(uint32_t bd_id)
{
	return app_bd_prepare(&app_fwd.tables, bd_id);
}

/* ---------- housekeeping (main lcore) ---------- */

static void
app_dyn_read(uint16_t port_id, bool is_vhost, struct app_dyn *d,
		struct rte_pmd_vhostu_info *info)
{
	struct rte_eth_dev_info di;
	uint16_t q;

	memset(d, 0, sizeof(*d));
	if (!is_vhost) {
		if (rte_eth_dev_info_get(port_id, &di) == 0) {
			d->n_rxq = RTE_MIN(di.nb_rx_queues, CLI_MAX_RXQ);
			d->tx_enabled = (1u << RTE_MIN(di.nb_tx_queues, CLI_MAX_RXQ)) - 1;
		}
		return;
	}
	if (rte_pmd_vhostu_get_info(port_id, info) < 0)
		return;
	for (q = 0; q < CLI_MAX_RXQ && 2u * q < info->nvrings; q++) {
		if (2u * q + 1 < info->nvrings)
			d->n_rxq = q + 1;
		if (info->vrings[2 * q].enabled)
			d->tx_enabled |= 1u << q;
	}
}

/* Re-read every port's vrings; true if the placement must change. */
static bool
app_dyn_refresh(void)
{
	static struct rte_pmd_vhostu_info info;
	const struct cli_if *ifp;
	struct app_dyn d;
	bool changed = false;

	CLI_IFTABLE_FOREACH(&app_fwd.ift, ifp) {
		if (ifp->deleting || ifp->port_id >= RTE_MAX_ETHPORTS)
			continue;
		app_dyn_read(ifp->port_id, ifp->is_vhost, &d, &info);
		if (memcmp(&d, &app_fwd.dyn[ifp->port_id], sizeof(d)) != 0) {
			app_fwd.dyn[ifp->port_id] = d;
			changed = true;
		}
	}
	return changed;
}

static void
app_age(void)
{
	const struct app_conf *c = app_fwd.cur;
	uint16_t i;

	if (app_fwd.now_s - app_fwd.last_age < APP_AGE_PERIOD_S)
		return;
	app_fwd.last_age = app_fwd.now_s;
	for (i = 0; c != NULL && i < c->n_bds; i++)
		if (c->bd[i].age_min > 0)
			app_mac_age(c->bd[i].macs, app_fwd.now_s, c->bd[i].age_min * 60);
}

void
app_fwd_housekeep(bool force)
{
	uint64_t now = rte_get_timer_cycles(), hz = rte_get_timer_hz();

	if (!force && now - app_fwd.last_hk < hz / 1000 * APP_HK_PERIOD_MS)
		return;
	app_fwd.last_hk = now;
	__atomic_store_n(&app_fwd.now_s, (uint32_t)(now / hz), __ATOMIC_RELAXED);
	app_age();
	if (app_dyn_refresh() && !force)
		app_publish();
}

/* ---------- cli_fwd_ops ---------- */

static void
app_fwd_refresh(void)
{
	if (app_dyn_refresh())
		app_publish();
}

static void
app_fwd_placement(uint16_t port_id, struct cli_placement *p)
{
	if (port_id < RTE_MAX_ETHPORTS)
		*p = app_fwd.place[port_id];
}

static void
app_fwd_drops(uint16_t port_id, uint64_t *rx_drops, uint64_t *tx_errors)
{
	uint16_t th;

	if (port_id >= RTE_MAX_ETHPORTS)
		return;
	for (th = 0; th < app_fwd.n_threads; th++) {
		*rx_drops += __atomic_load_n(&app_fwd.th[th].rx_drops[port_id], __ATOMIC_RELAXED);
		*tx_errors += __atomic_load_n(&app_fwd.th[th].tx_errors[port_id],
			__ATOMIC_RELAXED);
	}
}

static int
app_fwd_l2fib(struct cli_l2fib_entry *out, uint32_t max)
{
	static struct app_mac_entry e[APP_MAC_SLOTS];
	const struct app_conf *c = app_fwd.cur;
	uint32_t i, k, n = 0;
	uint16_t b;

	for (b = 0; c != NULL && b < c->n_bds && n < max; b++) {
		k = app_mac_dump(c->bd[b].macs, app_fwd.now_s, e,
			RTE_MIN(max - n, (uint32_t)APP_MAC_SLOTS));
		for (i = 0; i < k; i++, n++) {
			out[n].bd_id = c->bd[b].bd_id;
			out[n].port_id = e[i].port_id;
			memcpy(out[n].mac.addr_bytes, e[i].mac, RTE_ETHER_ADDR_LEN);
			out[n].age_s = e[i].age_s;
		}
	}
	return (int)n;
}

static void
app_fwd_quit(void)
{
	__atomic_store_n(&app_quit, true, __ATOMIC_RELAXED);
}

static const struct cli_fwd_ops app_fwd_ops_tbl = {
	.apply = app_fwd_apply,
	.bd_prepare = app_fwd_bd_prepare,
	.refresh = app_fwd_refresh,
	.placement = app_fwd_placement,
	.drops = app_fwd_drops,
	.l2fib = app_fwd_l2fib,
	.quit = app_fwd_quit,
};

const struct cli_fwd_ops *
app_fwd_ops(void)
{
	return &app_fwd_ops_tbl;
}

/* ---------- life cycle ---------- */

int
app_fwd_init(void)
{
	size_t sz;
	uint16_t p, q;

	app_fwd.n_workers = (uint16_t)rte_lcore_count() - 1;
	app_fwd.n_threads = app_fwd.n_workers + 1;
	if (app_fwd.n_threads > CLI_MAX_THREADS)
		return -E2BIG;
	app_fwd.th = rte_zmalloc("app_threads", sizeof(*app_fwd.th) * app_fwd.n_threads,
		RTE_CACHE_LINE_SIZE);
	sz = rte_rcu_qsbr_get_memsize(app_fwd.n_threads);
	app_fwd.qsv = rte_zmalloc("app_qsbr", sz, RTE_CACHE_LINE_SIZE);
	app_fwd.conf[0] = calloc(1, sizeof(struct app_conf));
	app_fwd.conf[1] = calloc(1, sizeof(struct app_conf));
	if (app_fwd.th == NULL || app_fwd.qsv == NULL || app_fwd.conf[0] == NULL ||
			app_fwd.conf[1] == NULL)
		return -ENOMEM;
	rte_rcu_qsbr_init(app_fwd.qsv, app_fwd.n_threads);
	app_fwd.adaptive_tsc = rte_get_tsc_hz() / 1000000 * APP_ADAPTIVE_IDLE_US;
	if (app_intr_init(app_fwd.n_workers) < 0)
		return -ENOMEM;
	for (p = 0; p < RTE_MAX_ETHPORTS; p++)
		for (q = 0; q < CLI_MAX_RXQ; q++)
			rte_spinlock_init(&app_fwd.txlock[p][q]);
	cli_iftable_init(&app_fwd.ift);
	return 0;
}

uint16_t
app_fwd_n_workers(void)
{
	return app_fwd.n_workers;
}

int
app_fwd_launch(void)
{
	unsigned int lcore;
	uintptr_t thread = 1;
	int ret;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		ret = rte_eal_remote_launch(app_worker_main, (void *)thread++, lcore);
		if (ret < 0)
			return ret;
	}
	return 0;
}

void
app_fwd_stop(void)
{
	__atomic_store_n(&app_quit, true, __ATOMIC_RELAXED);
	app_intr_wake_all();
	rte_eal_mp_wait_lcore();
}

void
app_fwd_fini(void)
{
	app_fwd.cur = NULL;
	free(app_fwd.conf[0]);
	free(app_fwd.conf[1]);
	app_fwd.conf[0] = app_fwd.conf[1] = NULL;
	app_bd_tables_free(&app_fwd.tables);
	app_intr_fini();
	rte_free(app_fwd.qsv);
	rte_free(app_fwd.th);
}
