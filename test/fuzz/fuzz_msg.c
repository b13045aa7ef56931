/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness of the vhost-user message path: framing, validation and
 * every handler of vhostu_msg.c, with real fds.
 *
 * Input: the byte stream a frontend writes on the socket, cut into messages
 * by the rules of vhostu_sock.c: a 12-byte header, then hdr.size bytes of
 * body; a size above VHOSTU_MAX_BODY closes the connection. Bits 16-31 of the
 * header's flags, which the protocol leaves at zero, belong to the harness and
 * say which fds travel with the message (FZ_FLAG_*, FZ_FD_*); the driver sees
 * them cleared. Unless bit 31 is set, the harness also sets NEED_REPLY: when
 * the REPLY_ACK answer says a request was refused, the port must be exactly
 * as it was before the request. test/fuzz/make_corpus.py writes inputs in this format.
 *
 * Each message goes through vhostu_msg_handle() on a port with 2 queue pairs,
 * as the control thread runs it, with the same receive buffer reused from
 * message to message. A close (negative return), a framing error or the input
 * ending mid-message resets the port as a disconnect does, and the stream
 * goes on as a new connection. After every message each ready ring is checked
 * against the memory table and probed with an empty tx burst, which reads and
 * writes the ring where a burst would.
 *
 * A message with request FZ_REQ_SHRINK is not handed to the driver: it is the
 * frontend shrinking every memfd it handed over to the u64 of its body (0 when
 * shorter), after which the harness touches the first and last byte of every
 * region and of the log, as bursts would. That must not kill the process: a
 * mapping now beyond its file turns into zeros and marks the port, and the
 * harness then does what the control thread does (vhostu_fault_take, close).
 * After every message, each region's file sealed against shrinking must be
 * unwatched and every other one watched (vhostu_fault.c).
 *
 * At the end of each input the port is reset, and the harness aborts unless
 * every fd it handed over is closed again (the fd count is back where it
 * started) and none of its memfds is still mapped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vhostu_internal.h"

/* Harness bits of the header's flags. */
#define FZ_FLAG_PARAM_SHIFT	16	/* bits 16-23: P, a parameter of the fd kind */
#define FZ_FLAG_NFDS_SHIFT	24	/* bits 24-27: fds attached; above 8 closes */
#define FZ_FLAG_KIND_SHIFT	28	/* bits 28-30: what the fds are (FZ_FD_*) */
#define FZ_FLAG_OWN_ACK		(1u << 31)	/* leave NEED_REPLY as the frontend set it */
#define FZ_FLAG_MASK		0xffff0000u

/* What the fds of a message are. "Asked" = the size the body asks of fd i. */
enum fz_fd_kind {
	FZ_FD_AUTO = 0,		/* memfd of the asked size; an eventfd when none is asked */
	FZ_FD_EVENTFD = 1,	/* eventfd */
	FZ_FD_PAGES = 2,	/* memfd of P pages */
	FZ_FD_SHORT = 3,	/* memfd P + 1 bytes shorter than asked */
	FZ_FD_DEVZERO = 4,	/* /dev/zero: a device, no size to check */
	FZ_FD_SEALED = 5,	/* memfd of the asked size, sealed against shrinking and growing;
				 * odd P: against writes too (cannot be mapped) */
	FZ_FD_PIPE = 6,		/* read end of a pipe */
	FZ_FD_FILL = 7,		/* memfd of the asked size, every byte P */
};

#define FZ_MEMFD_MAX	(1u << 20)	/* no memfd is larger: keeps runs fast */
#define FZ_MEMFD_NAME	"vhostu-fuzz"
#define FZ_MAX_MADE	4096		/* fds made for one input, tracked by the leak check */
#define FZ_MAX_KEPT	256		/* memfds the frontend keeps to shrink: the first ones */
#define FZ_REQ_SHRINK	0x80000000u	/* not a request: the frontend shrinks its memfds */

static struct vhostu_port port;
static int fds_made[FZ_MAX_MADE];	/* every fd handed to the driver this input */
static unsigned int nfds_made;
static bool made_mappable;	/* a memfd or /dev/zero was handed over this input */
static int memfds_kept[FZ_MAX_KEPT];	/* the frontend's own copies of its memfds */
static unsigned int nmemfds_kept;
static int maps_at_start;

static void
fz_die(const char *what)
{
	fprintf(stderr, "fuzz_msg: %s\n", what);
	abort();
}

static bool
fz_fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0 || errno != EBADF;
}

/* Mappings of what the harness hands over (memfds, /dev/zero) now in the process. */
static int
fz_count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;

	if (f == NULL)
		fz_die("cannot read /proc/self/maps");
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, "memfd:" FZ_MEMFD_NAME) != NULL ||
			strstr(line, "/dev/zero") != NULL;
	fclose(f);
	return n;
}

static void
fz_port_init(void)
{
	unsigned int i;

	pthread_mutex_init(&port.lock, NULL);
	strcpy(port.name, "fuzz0");
	port.max_queue_pairs = 2;
	port.feature_mask = UINT64_MAX;
	port.features_offered = VHOSTU_DEFAULT_FEATURES;
	port.conn_state = VHOSTU_CONN_UP;
	port.listen_fd = -1;
	port.conn_fd = -1;
	port.hdr_size = VHOSTU_NET_HDR_SHORT;
	for (i = 0; i < RTE_DIM(port.vrings); i++)
		vhostu_vring_init(&port.vrings[i], &port, i);
}

/* The frontend went away: what vhostu_conn_close() does to the port. */
static void
fz_disconnect(void)
{
	vhostu_rx_reset(&port.rx);
	vhostu_port_reset_state(&port);
}

static uint64_t
fz_sum(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* The file size the body asks of fd i, or 0 when the request maps nothing. */
static uint64_t
fz_asked(const struct vhostu_msg *msg, int i)
{
	switch (msg->hdr.request) {
	case VHOSTU_REQ_SET_MEM_TABLE:
		if (i >= VHOSTU_MAX_REGIONS)
			return 0;
		return fz_sum(msg->body.mem.regions[i].mmap_offset,
			msg->body.mem.regions[i].memory_size);
	case VHOSTU_REQ_ADD_MEM_REG:
	case VHOSTU_REQ_REM_MEM_REG:
		return fz_sum(msg->body.mem_single.region.mmap_offset,
			msg->body.mem_single.region.memory_size);
	case VHOSTU_REQ_SET_LOG_BASE:
		return fz_sum(msg->body.log.mmap_offset, msg->body.log.mmap_size);
	default:
		return 0;
	}
}

static int
fz_memfd(uint64_t size, bool seal, bool seal_write, int fill)
{
	int fd = memfd_create(FZ_MEMFD_NAME, MFD_CLOEXEC | (seal ? MFD_ALLOW_SEALING : 0));
	void *p;

	if (fd < 0)
		return -1;
	size = RTE_MIN(size, (uint64_t)FZ_MEMFD_MAX);
	if (ftruncate(fd, (off_t)size) != 0)
		goto fail;
	if (fill > 0 && size > 0) {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			goto fail;
		memset(p, fill, size);
		munmap(p, size);
	}
	if (seal && fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK |
			(seal_write ? F_SEAL_WRITE : 0)) != 0)
		goto fail;
	/* The frontend keeps its own fd of the file, to shrink it later. */
	if (nmemfds_kept < FZ_MAX_KEPT) {
		memfds_kept[nmemfds_kept] = dup(fd);
		nmemfds_kept += memfds_kept[nmemfds_kept] >= 0;
	}
	made_mappable = true;
	return fd;
fail:
	close(fd);
	return -1;
}

static int
fz_make_fd(enum fz_fd_kind kind, uint32_t param, uint64_t asked)
{
	int fd, pfd[2];

	switch (kind) {
	case FZ_FD_AUTO:
		if (asked != 0)
			return fz_memfd(asked, false, false, 0);
		/* fall through */
	case FZ_FD_EVENTFD:
		return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	case FZ_FD_PAGES:
		return fz_memfd((uint64_t)param * 4096, false, false, 0);
	case FZ_FD_SHORT:
		return fz_memfd(asked > param + 1 ? asked - param - 1 : 0, false, false, 0);
	case FZ_FD_DEVZERO:
		fd = open("/dev/zero", O_RDWR | O_CLOEXEC);
		made_mappable |= fd >= 0;
		return fd;
	case FZ_FD_SEALED:
		return fz_memfd(asked, true, (param & 1) != 0, 0);
	case FZ_FD_PIPE:
		if (pipe2(pfd, O_CLOEXEC) != 0)
			return -1;
		close(pfd[1]);
		return pfd[0];
	case FZ_FD_FILL:
		return fz_memfd(asked, false, false, (int)param);
	}
	return -1;
}

/* Attach n fds of kind to the message in the receive buffer; false if the process is out. */
static bool
fz_attach_fds(struct vhostu_rx_msg *rx, unsigned int n, enum fz_fd_kind kind, uint32_t param)
{
	unsigned int i;
	int fd;

	for (i = 0; i < n; i++) {
		fd = fz_make_fd(kind, param, fz_asked(&rx->msg, (int)i));
		if (fd < 0)
			return false;
		if (nfds_made == FZ_MAX_MADE) {
			close(fd);
			return false;
		}
		fds_made[nfds_made++] = fd;
		rx->fds[rx->nfds++] = fd;
	}
	return true;
}

static void
fz_check_reply(const struct vhostu_rx_msg *rx, const struct vhostu_reply *r)
{
	if (!r->send)
		return;
	if (r->msg.hdr.size > VHOSTU_MAX_BODY)
		fz_die("reply larger than any message body");
	if (r->msg.hdr.request != rx->msg.hdr.request)
		fz_die("reply to a different request");
	if (r->msg.hdr.flags != (VHOSTU_VERSION | VHOSTU_FLAG_REPLY))
		fz_die("reply flags are not version 1 + REPLY");
}

/* True when [p, p+len) lies wholly inside one mapped region. */
static bool
fz_in_memory(const void *p, uint64_t len)
{
	uint64_t a = (uint64_t)(uintptr_t)p;
	uint32_t i;

	for (i = 0; i < port.mem.nregions; i++) {
		const struct vhostu_region *r = &port.mem.regions[i];

		if (a >= r->host_addr && a - r->host_addr <= r->size &&
				len <= r->size - (a - r->host_addr))
			return true;
	}
	return false;
}

/* A file sealed against shrinking needs no watch; any other one does. */
static void
fz_check_watched(void)
{
	uint32_t i;

	for (i = 0; i < port.mem.nregions; i++) {
		const struct vhostu_region *r = &port.mem.regions[i];
		int seals = fcntl(r->fd, F_GET_SEALS);
		bool sealed = seals >= 0 && (seals & F_SEAL_SHRINK);

		if (vhostu_fault_watched((void *)(uintptr_t)r->host_addr) == sealed)
			fz_die(sealed ? "a region sealed against shrinking is watched" :
				"a region whose file can shrink is not watched");
	}
}

static uint8_t
fz_touch(const void *va)
{
	return *(const volatile uint8_t *)va;
}

/* True when byte off of fd lies in a page wholly beyond the end of the file. */
static bool
fz_beyond_file(int fd, uint64_t off)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		fz_die("cannot stat a region's file");
	return (off & ~(uint64_t)4095) >= RTE_ALIGN_CEIL((uint64_t)st.st_size, 4096);
}

/*
 * The frontend shrinks its files, then bursts touch the memory: a SIGBUS
 * beyond a file's end must turn into zeros and mark the port.
 */
static void
fz_shrink(const struct vhostu_rx_msg *rx)
{
	uint64_t size = rx->msg.hdr.size >= 8 ? rx->msg.body.u64 : 0;
	bool expect = false;
	unsigned int i;

	size = RTE_MIN(size, (uint64_t)FZ_MEMFD_MAX);
	for (i = 0; i < nmemfds_kept; i++)
		if (ftruncate(memfds_kept[i], (off_t)size) != 0 && errno != EPERM)
			fz_die("ftruncate of a memfd failed");	/* EPERM: sealed */
	for (i = 0; i < port.mem.nregions; i++) {
		const struct vhostu_region *r = &port.mem.regions[i];

		expect |= fz_beyond_file(r->fd, r->mmap_offset) ||
			fz_beyond_file(r->fd, r->mmap_offset + r->size - 1);
		fz_touch(vhostu_gpa_to_va(&port.mem, r->guest_phys_addr, 1));
		fz_touch(vhostu_gpa_to_va(&port.mem, r->guest_phys_addr + r->size - 1, 1));
	}
	if (port.log_addr != NULL) {
		fz_touch(port.log_addr);
		fz_touch(port.log_addr + port.log_size - 1);
	}
	if (expect && port.fault_state != VHOSTU_FAULT_RECORDED)
		fz_die("a region beyond its file was touched and the port is not marked");
	if (port.fault_state != VHOSTU_FAULT_RECORDED)
		return;
	/* What the control thread does on its wake-up. */
	if (!vhostu_fault_pending() || !vhostu_fault_take(&port) || vhostu_fault_take(&port))
		fz_die("a recorded fault is not taken exactly once");
	fz_disconnect();
}

/* Every ready ring lies in mapped memory; an empty burst may touch it. */
static void
fz_probe_rings(void)
{
	unsigned int i;

	for (i = 0; i < 2u * port.max_queue_pairs; i++) {
		struct vhostu_vring *vr = &port.vrings[i];
		uint64_t n = vr->size;

		if (!vr->ready)
			continue;
		if (vr->packed) {
			/* Any size; the event areas are 4 bytes; the bursts index with the base. */
			if (n == 0 || n > VHOSTU_MAX_RING_SIZE || vr->last_avail_idx >= n ||
					vr->last_used_idx >= n)
				fz_die("a ready packed ring has a bad size or base");
			if (!fz_in_memory(vr->desc, n * sizeof(struct vhostu_desc)) ||
					!fz_in_memory(vr->avail, 4) || !fz_in_memory(vr->used, 4))
				fz_die("a ready packed ring lies outside the mapped memory");
			vhostu_tx_burst(vr, NULL, 0);
			continue;
		}
		if (n == 0 || (n & (n - 1)) != 0 || n > VHOSTU_MAX_RING_SIZE)
			fz_die("a ready ring has a size that is not a power of two up to 32768");
		if (!fz_in_memory(vr->desc, n * sizeof(struct vhostu_desc)) ||
				!fz_in_memory(vr->avail, 4 + 2 * n) ||
				!fz_in_memory(vr->used, 4 + 8 * n))
			fz_die("a ready ring lies outside the mapped memory");
		vhostu_tx_burst(vr, NULL, 0);
	}
	(void)vhostu_port_ready(&port);	/* what the link state follows */
	fz_check_watched();
}

/* What a refused request must leave as it was. */
struct fz_snap {
	uint64_t features, protocol_features;
	bool features_set, owner_set;
	uint8_t status;
	uint32_t hdr_size;
	uint16_t mtu;
	struct vhostu_mem mem;
	void *log_base;
	uint64_t log_size;
	struct {
		void *desc, *avail, *used;
		uint32_t size;
		uint16_t last_avail_idx, last_used_idx;
		bool ready, started, enabled, addr_set, log_used;
		int kickfd, callfd, errfd;
		struct vhostu_vring_addr addr;
	} vr[VHOSTU_MAX_VRINGS];
};

static void
fz_snapshot(struct fz_snap *s)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->features = port.features;
	s->protocol_features = port.protocol_features;
	s->features_set = port.features_set;
	s->owner_set = port.owner_set;
	s->status = port.status;
	s->hdr_size = port.hdr_size;
	s->mtu = port.mtu;
	memcpy(&s->mem, &port.mem, sizeof(s->mem));
	s->log_base = port.log_base;
	s->log_size = port.log_size;
	for (i = 0; i < VHOSTU_MAX_VRINGS; i++) {
		const struct vhostu_vring *vr = &port.vrings[i];

		s->vr[i].desc = vr->desc;
		s->vr[i].avail = vr->avail;
		s->vr[i].used = vr->used;
		s->vr[i].size = vr->size;
		s->vr[i].last_avail_idx = vr->last_avail_idx;
		s->vr[i].last_used_idx = vr->last_used_idx;
		s->vr[i].ready = vr->ready;
		s->vr[i].started = vr->started;
		s->vr[i].enabled = vr->enabled;
		s->vr[i].addr_set = vr->addr_set;
		s->vr[i].log_used = vr->log_used;
		s->vr[i].kickfd = vr->kickfd;
		s->vr[i].callfd = vr->callfd;
		s->vr[i].errfd = vr->errfd;
		s->vr[i].addr = vr->addr;
	}
}

/* The requests whose reply is their answer, not the REPLY_ACK status. */
static bool
fz_own_reply(uint32_t req)
{
	return req == VHOSTU_REQ_GET_FEATURES || req == VHOSTU_REQ_GET_PROTOCOL_FEATURES ||
		req == VHOSTU_REQ_GET_QUEUE_NUM || req == VHOSTU_REQ_GET_MAX_MEM_SLOTS ||
		req == VHOSTU_REQ_GET_STATUS || req == VHOSTU_REQ_GET_VRING_BASE ||
		req == VHOSTU_REQ_SET_LOG_BASE;
}

/*
 * The one refusal that changes a ring, by design (test/peer's hostile case
 * "ring addresses outside memory"): SET_VRING_ADDR keeps the addresses, for a
 * later memory table to make usable, and the ring stops until then.
 */
static void
fz_refused_vring_addr(struct fz_snap *before, const struct fz_snap *after, uint32_t index)
{
	if (index >= VHOSTU_MAX_VRINGS)
		return;
	if (after->vr[index].ready || after->vr[index].desc != NULL)
		fz_die("a ring whose addresses were refused is still in use");
	before->vr[index].addr = after->vr[index].addr;
	before->vr[index].addr_set = after->vr[index].addr_set;
	before->vr[index].log_used = after->vr[index].log_used;
	before->vr[index].desc = NULL;
	before->vr[index].avail = NULL;
	before->vr[index].used = NULL;
	before->vr[index].ready = false;
}

static void
fz_handle(struct vhostu_rx_msg *rx)
{
	struct vhostu_reply reply;
	struct fz_snap before, after;
	int ret;

	fz_snapshot(&before);
	ret = vhostu_msg_handle(&port, rx, &reply);
	if (rx->nfds != 0)
		fz_die("vhostu_msg_handle left fds in the message");
	rx->have = 0;
	rx->nfds = 0;
	fz_check_reply(rx, &reply);
	/* REPLY_ACK says refused: the port must be as it was. */
	if (ret == 0 && reply.send && !fz_own_reply(rx->msg.hdr.request) &&
			reply.msg.hdr.size == sizeof(uint64_t) && reply.msg.body.u64 != 0) {
		fz_snapshot(&after);
		if (rx->msg.hdr.request == VHOSTU_REQ_SET_VRING_ADDR)
			fz_refused_vring_addr(&before, &after, rx->msg.body.addr.index);
		if (memcmp(&before, &after, sizeof(before)) != 0) {
			fprintf(stderr, "fuzz_msg: refused %s changed the port\n",
				vhostu_request_name(rx->msg.hdr.request));
			abort();
		}
	}
	if (ret < 0)
		fz_disconnect();
	fz_probe_rings();
}

/* Feed the stream message by message; returns at its end. */
static void
fz_stream(const uint8_t *data, size_t len)
{
	struct vhostu_rx_msg *rx = &port.rx;
	size_t off = 0;

	while (len - off >= VHOSTU_HDR_SIZE) {
		enum fz_fd_kind kind;
		uint32_t flags, nfds, size;

		memcpy(&rx->msg.hdr, data + off, VHOSTU_HDR_SIZE);
		off += VHOSTU_HDR_SIZE;
		rx->have = VHOSTU_HDR_SIZE;
		flags = rx->msg.hdr.flags;
		rx->msg.hdr.flags &= ~FZ_FLAG_MASK;
		/* Ask for REPLY_ACK, so that a refusal shows and is checked (fz_handle). */
		if (!(flags & FZ_FLAG_OWN_ACK))
			rx->msg.hdr.flags |= VHOSTU_FLAG_NEED_REPLY;
		size = rx->msg.hdr.size;
		nfds = (flags >> FZ_FLAG_NFDS_SHIFT) & 0xf;
		if (size > VHOSTU_MAX_BODY) {
			fz_disconnect();	/* -EMSGSIZE: the connection closes */
			continue;
		}
		if (len - off < size) {
			fz_disconnect();	/* the peer is gone mid-message */
			return;
		}
		memcpy(&rx->msg.body, data + off, size);
		off += size;
		rx->have += size;
		if (rx->msg.hdr.request == FZ_REQ_SHRINK) {
			fz_shrink(rx);
			fz_probe_rings();
			continue;
		}
		kind = (enum fz_fd_kind)((flags >> FZ_FLAG_KIND_SHIFT) & 7);
		/* More fds than one message carries: MSG_CTRUNC closes the connection. */
		if (nfds > VHOSTU_MAX_FDS ||
				!fz_attach_fds(rx, nfds, kind,
					(flags >> FZ_FLAG_PARAM_SHIFT) & 0xff)) {
			fz_disconnect();
			continue;
		}
		fz_handle(rx);
	}
	if (off != len)
		fz_disconnect();	/* a partial header, then the peer left */
}

static void
fz_check_released(void)
{
	unsigned int i;

	for (i = 0; i < nmemfds_kept; i++)
		close(memfds_kept[i]);
	nmemfds_kept = 0;

	/* Nothing else opens fds during an input: each number made must be free again. */
	for (i = 0; i < nfds_made; i++)
		if (fz_fd_open(fds_made[i])) {
			fprintf(stderr, "fuzz_msg: fd %d is still open after the port was reset\n",
				fds_made[i]);
			abort();
		}
	if (made_mappable && fz_count_maps() != maps_at_start)
		fz_die("guest memory still mapped after the port was reset");
	if (port.mem.nregions != 0 || port.log_base != NULL)
		fz_die("the port still has memory after a reset");
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	/* Handlers log every refusal: keep the runs quiet (VHOSTU_FUZZ_LOG=1 to see them). */
	if (getenv("VHOSTU_FUZZ_LOG") == NULL)
		rte_log_set_global_level(RTE_LOG_CRIT);
	else
		rte_log_set_level_pattern("pmd.net.vhostu*", RTE_LOG_DEBUG);
	fz_port_init();
	maps_at_start = fz_count_maps();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	/* Inputs do not see each other: a fresh receive buffer and port. */
	memset(&port.rx, 0, sizeof(port.rx));
	port.mtu = 0;
	port.vrings[1].rarp_pending = false;
	nfds_made = 0;
	made_mappable = false;
	fz_stream(data, len);
	fz_disconnect();
	fz_check_released();
	return 0;
}
