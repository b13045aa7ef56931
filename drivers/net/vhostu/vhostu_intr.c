/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rx interrupts: an application (l3fwd-power style, or vhostu-fwd's workers)
 * sleeps in rte_epoll_wait until the guest kicks vring 2q+1, the ring rx
 * queue q reads.
 *
 * The guest's kick fd changes with every connection and SET_VRING_KICK, but
 * the fd an application registered (rte_eth_dev_rx_intr_ctl_q) must not go
 * stale. So each rx queue has an fd of its own for the port's life: an epoll
 * fd holding the current kick fd and an eventfd of ours, both
 * edge-triggered. An epoll fd is readable while one of its fds has an event
 * not yet collected, so the application's epoll wakes on every kick; the
 * control thread moves the kick fd in and out of it (vhostu_vring_set_kick)
 * and nothing else changes. Each kick costs no thread but the application's.
 *
 * Kicks are consumed by an epoll_wait on the queue's fd with timeout 0 (in
 * intr_enable and intr_disable), so a level-triggered epoll does not spin. We
 * never read the kick fd itself: it is blocking and the frontend shares it, so
 * a frontend that reads it first would make our read wait.
 *
 * Enable clears VRING_USED_F_NO_NOTIFY (with EVENT_IDX, also publishes
 * avail_event: vhostu_rx_want_kicks) and then looks at the ring: a frame
 * posted while the guest still saw the flag or the old avail_event came with
 * no kick, so we write our eventfd instead and the application wakes at once
 * and polls.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <ethdev_driver.h>
#include <rte_interrupts.h>

#include "vhostu_internal.h"

static void
vhostu_intr_watch(struct vhostu_vring *vr, int fd, int op)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };

	if (epoll_ctl(vr->intr_epfd, op, fd, &ev) < 0)
		VHOSTU_PORT_LOG(vr->port, ERR, "vring %u: rx interrupt fd: epoll_ctl(%d) of fd %d:"
			" %s", vr->index, op, fd, strerror(errno));
}

/* Make the queue's fd readable: the application wakes and polls. */
static void
vhostu_intr_wake(struct vhostu_vring *vr)
{
	uint64_t one = 1;

	/* Non-blocking: a full counter (EAGAIN) is readable all the same. */
	if (write(vr->intr_wakefd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		VHOSTU_PORT_LOG(vr->port, ERR, "vring %u: rx interrupt wake: %s", vr->index,
			strerror(errno));
}

/* Collect the events the queue's fd has: it is not readable until the next kick. */
static void
vhostu_intr_drain(struct vhostu_vring *vr)
{
	struct epoll_event evs[2];
	uint64_t v;

	if (epoll_wait(vr->intr_epfd, evs, RTE_DIM(evs), 0) > 0 &&
			read(vr->intr_wakefd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		VHOSTU_PORT_LOG(vr->port, ERR, "vring %u: rx interrupt drain: %s", vr->index,
			strerror(errno));
}

void
vhostu_vring_set_kick(struct vhostu_vring *vr, int fd)
{
	if (vr->kickfd >= 0) {
		/* The frontend holds the same file: closing ours would not remove it. */
		if (vr->intr_epfd >= 0)
			vhostu_intr_watch(vr, vr->kickfd, EPOLL_CTL_DEL);
		close(vr->kickfd);
	}
	vr->kickfd = fd;
	if (fd >= 0 && vr->intr_epfd >= 0) {
		vhostu_intr_watch(vr, fd, EPOLL_CTL_ADD);
		/* A ring (re)starts: a sleeping application polls, its burst sets the flags. */
		vhostu_intr_wake(vr);
	}
}

static int
vhostu_intr_queue_open(struct vhostu_vring *vr)
{
	int epfd, wakefd;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		return -errno;
	wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (wakefd < 0) {
		close(epfd);
		return -ENOMEM;
	}
	vhostu_vrings_pause(vr, 1);
	vr->intr_epfd = epfd;
	vr->intr_wakefd = wakefd;
	vhostu_intr_watch(vr, wakefd, EPOLL_CTL_ADD);
	if (vr->kickfd >= 0)
		vhostu_intr_watch(vr, vr->kickfd, EPOLL_CTL_ADD);
	vhostu_vrings_resume(vr, 1);
	return 0;
}

static void
vhostu_intr_queue_close(struct vhostu_vring *vr)
{
	vhostu_vrings_pause(vr, 1);
	if (vr->intr_epfd >= 0)
		close(vr->intr_epfd);	/* takes the kick fd's registration with it */
	if (vr->intr_wakefd >= 0)
		close(vr->intr_wakefd);
	vr->intr_epfd = -1;
	vr->intr_wakefd = -1;
	__atomic_store_n(&vr->intr_enabled, false, __ATOMIC_RELAXED);
	vhostu_vrings_resume(vr, 1);
}

void
vhostu_intr_free(struct rte_eth_dev *dev)
{
	struct vhostu_port *p = dev->data->dev_private;
	uint16_t q;

	for (q = 0; q < p->max_queue_pairs; q++)
		vhostu_intr_queue_close(&p->vrings[2 * q + 1]);
	if (dev->intr_handle != NULL) {
		rte_intr_vec_list_free(dev->intr_handle);
		rte_intr_instance_free(dev->intr_handle);
		dev->intr_handle = NULL;
	}
}

/* The intr handle ethdev's rx interrupt API reads: queue q's fd is efds[q]. */
static int
vhostu_intr_handle_make(struct rte_eth_dev *dev, uint16_t nq)
{
	struct vhostu_port *p = dev->data->dev_private;
	struct rte_intr_handle *h;
	uint16_t q;

	h = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (h == NULL)
		return -ENOMEM;
	dev->intr_handle = h;
	/* EXT: EAL reads nothing from our fds when they wake it; intr_enable drains them. */
	if (rte_intr_type_set(h, RTE_INTR_HANDLE_EXT) != 0 ||
			rte_intr_vec_list_alloc(h, NULL, nq) != 0 ||
			rte_intr_nb_efd_set(h, nq) != 0 || rte_intr_max_intr_set(h, nq + 1) != 0)
		return -ENOMEM;
	for (q = 0; q < nq; q++)
		if (rte_intr_vec_list_index_set(h, q, RTE_INTR_VEC_RXTX_OFFSET + q) != 0 ||
				rte_intr_efds_index_set(h, q, p->vrings[2 * q + 1].intr_epfd) != 0)
			return -EINVAL;
	return 0;
}

/* dev_configure: one interrupt fd per rx queue when intr_conf.rxq asks for them. */
int
vhostu_intr_setup(struct rte_eth_dev *dev)
{
	struct vhostu_port *p = dev->data->dev_private;
	uint16_t q, nq = dev->data->nb_rx_queues;
	int ret = 0;

	vhostu_intr_free(dev);
	if (!dev->data->dev_conf.intr_conf.rxq)
		return 0;
	for (q = 0; ret == 0 && q < nq; q++)
		ret = vhostu_intr_queue_open(&p->vrings[2 * q + 1]);
	if (ret == 0)
		ret = vhostu_intr_handle_make(dev, nq);
	if (ret != 0) {
		VHOSTU_PORT_LOG(p, ERR, "rx interrupts for %u queues: %s", nq, strerror(-ret));
		vhostu_intr_free(dev);
	}
	return ret;
}

static struct vhostu_vring *
vhostu_intr_vring(struct rte_eth_dev *dev, uint16_t qid)
{
	struct vhostu_port *p = dev->data->dev_private;

	if (qid >= dev->data->nb_rx_queues || p->vrings[2 * qid + 1].intr_epfd < 0)
		return NULL;
	return &p->vrings[2 * qid + 1];
}

int
vhostu_rx_intr_enable(struct rte_eth_dev *dev, uint16_t qid)
{
	struct vhostu_vring *vr = vhostu_intr_vring(dev, qid);
	bool waiting;

	if (vr == NULL)
		return -ENOTSUP;	/* configured without intr_conf.rxq */
	__atomic_store_n(&vr->intr_enabled, true, __ATOMIC_RELAXED);
	vhostu_intr_drain(vr);
	/* The control thread changes the ring: the application polls once more. */
	if (!vhostu_ring_enter_intr(vr)) {
		vhostu_intr_wake(vr);
		return 0;
	}
	waiting = vr->ready && vhostu_rx_want_kicks(vr, true);
	vhostu_ring_leave_intr(vr);
	if (waiting)
		vhostu_intr_wake(vr);
	return 0;
}

int
vhostu_rx_intr_disable(struct rte_eth_dev *dev, uint16_t qid)
{
	struct vhostu_vring *vr = vhostu_intr_vring(dev, qid);

	if (vr == NULL)
		return -ENOTSUP;
	__atomic_store_n(&vr->intr_enabled, false, __ATOMIC_RELAXED);
	vhostu_intr_drain(vr);
	/* If the ring is paused, the next burst sets the flag. */
	if (vhostu_ring_enter_intr(vr)) {
		if (vr->ready)
			vhostu_rx_want_kicks(vr, false);
		vhostu_ring_leave_intr(vr);
	}
	return 0;
}
