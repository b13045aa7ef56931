#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpus of the fuzz harnesses (test/fuzz/corpus/{msg,rings}).

msg: message streams in fuzz_msg.c's format: vhost-user messages as a
frontend sends them; bits 16-31 of each header's flags tell the harness which
fds to attach (count in bits 24-27, kind in bits 28-30, parameter in 16-23).
The sequences follow DPDK 22.11 virtio-user and QEMU's vhost-user-net, plus a
few hostile ones from doc/protocol.md's list.

rings: guest states in fuzz_rings.c's format: a 36-byte header (features,
port, log, two rings), 8-byte ops, then a guest memory image holding split
rings, indirect tables, virtio-net headers and frames.

Usage: make_corpus.py [OUTDIR]   (default: the corpus folder next to this file)
"""
import os
import struct
import sys

# --------------------------------------------------------------------- msg

REQ = {name: i for i, name in enumerate([
    None, "GET_FEATURES", "SET_FEATURES", "SET_OWNER", "RESET_OWNER", "SET_MEM_TABLE",
    "SET_LOG_BASE", "SET_LOG_FD", "SET_VRING_NUM", "SET_VRING_ADDR", "SET_VRING_BASE",
    "GET_VRING_BASE", "SET_VRING_KICK", "SET_VRING_CALL", "SET_VRING_ERR",
    "GET_PROTOCOL_FEATURES", "SET_PROTOCOL_FEATURES", "GET_QUEUE_NUM", "SET_VRING_ENABLE",
    "SEND_RARP", "NET_SET_MTU", "SET_BACKEND_REQ_FD", "IOTLB_MSG", "SET_VRING_ENDIAN",
    "GET_CONFIG", "SET_CONFIG", "CREATE_CRYPTO_SESSION", "CLOSE_CRYPTO_SESSION",
    "POSTCOPY_ADVISE", "POSTCOPY_LISTEN", "POSTCOPY_END", "GET_INFLIGHT_FD",
    "SET_INFLIGHT_FD", "GPU_SET_SOCKET", "RESET_DEVICE", "VRING_KICK", "GET_MAX_MEM_SLOTS",
    "ADD_MEM_REG", "REM_MEM_REG", "SET_STATUS", "GET_STATUS"]) if name}

NEED_REPLY = 1 << 3
FD_AUTO, FD_EVENTFD, FD_PAGES, FD_SHORT, FD_DEVZERO, FD_SEALED, FD_PIPE, FD_FILL = range(8)
NOFD = 1 << 8
SEAL_WRITE = 1          # FD_SEALED's parameter: sealed against writes too (cannot be mapped)
SHRINK = 0x80000000     # not a request: the harness shrinks every memfd to the body's u64

F_MRG, F_LOG_ALL, F_ANY, F_IND, F_PF, F_V1 = 1 << 15, 1 << 26, 1 << 27, 1 << 28, 1 << 30, 1 << 32
PF_MQ, PF_LOG_SHMFD, PF_RARP, PF_REPLY_ACK, PF_MTU = 1, 2, 4, 8, 16
PF_MEM_SLOTS, PF_STATUS = 1 << 15, 1 << 16


def msg(req, body=b"", flags=0, nfds=0, kind=FD_AUTO, param=0):
    req_id = REQ[req] if isinstance(req, str) else req
    f = 1 | flags | (param << 16) | (nfds << 24) | (kind << 28)
    return struct.pack("<III", req_id, f, len(body)) + body


def u64(req, v, **kw):
    return msg(req, struct.pack("<Q", v), **kw)


def state(req, index, num, **kw):
    return msg(req, struct.pack("<II", index, num), **kw)


def region(gpa, size, uva, off):
    return struct.pack("<QQQQ", gpa, size, uva, off)


def mem_table(regions, **kw):
    body = struct.pack("<II", len(regions), 0) + b"".join(region(*r) for r in regions)
    return msg("SET_MEM_TABLE", body, nfds=len(regions), **kw)


def vring_addr(index, desc, used, avail, flags=0, log=0):
    return msg("SET_VRING_ADDR", struct.pack("<IIQQQQ", index, flags, desc, used, avail, log))


def fd_msg(req, index, **kw):
    return u64(req, index, nfds=1, kind=FD_EVENTFD, **kw)


RING = 256


def ring_layout(uva, i):
    """desc, used, avail of ring i in a region at uva (4 KiB apart, 16 KiB per ring)."""
    base = uva + i * 0x4000
    return base, base + 0x2000, base + 0x1000


def ring_setup(uva, i, base=0, flags=0, log=0):
    desc, used, avail = ring_layout(uva, i)
    return (state("SET_VRING_NUM", i, RING) + state("SET_VRING_BASE", i, base) +
            vring_addr(i, desc, used, avail, flags, log) + fd_msg("SET_VRING_KICK", i))


def virtio_user_2211():
    """DPDK 22.11 virtio-user (split ring, 1 queue pair) start and quit."""
    uva = 0x100000000	# IOVA as VA: guest-physical = virtual
    feats = F_V1 | F_PF | F_MRG | F_IND | F_ANY
    s = msg("SET_OWNER") + msg("GET_FEATURES") + msg("GET_PROTOCOL_FEATURES")
    s += u64("SET_PROTOCOL_FEATURES", PF_MQ | PF_REPLY_ACK | PF_STATUS)
    s += fd_msg("SET_VRING_CALL", 0) + fd_msg("SET_VRING_CALL", 1)
    s += u64("SET_FEATURES", feats, flags=NEED_REPLY)
    s += u64("SET_STATUS", 0x0b, flags=NEED_REPLY) + msg("GET_STATUS")
    s += mem_table([(uva, 0x40000, uva, 0)], flags=NEED_REPLY)
    s += ring_setup(uva, 0) + ring_setup(uva, 1)
    s += state("SET_VRING_ENABLE", 0, 1) + state("SET_VRING_ENABLE", 1, 1)
    s += u64("SET_STATUS", 0x0f, flags=NEED_REPLY) + msg("GET_STATUS")
    s += state("SET_VRING_ENABLE", 0, 0) + state("SET_VRING_ENABLE", 1, 0)
    s += state("GET_VRING_BASE", 0, 0) + state("GET_VRING_BASE", 1, 0)
    return s


QEMU_PF = PF_MQ | PF_LOG_SHMFD | PF_RARP | PF_REPLY_ACK | PF_MTU | PF_MEM_SLOTS
QEMU_REGIONS = [(0, 0xa0000, 0x7f0000000000, 0), (0x100000, 0x80000, 0x7f0000100000, 0)]


def qemu_start(pf, mem):
    s = msg("GET_FEATURES") + msg("GET_PROTOCOL_FEATURES") + u64("SET_PROTOCOL_FEATURES", pf)
    s += msg("GET_QUEUE_NUM") + msg("SET_OWNER")
    s += u64("SET_FEATURES", F_V1 | F_PF | F_MRG | F_IND | F_ANY)
    s += mem
    for i in range(2):
        s += ring_setup(QEMU_REGIONS[1][2], i) + fd_msg("SET_VRING_CALL", i)
        s += state("SET_VRING_ENABLE", i, 1)
    return s


def qemu_mem_table():
    return qemu_start(QEMU_PF & ~PF_MEM_SLOTS, mem_table(QEMU_REGIONS, flags=NEED_REPLY))


def qemu_add_mem_reg():
    mem = msg("GET_MAX_MEM_SLOTS")
    for r in QEMU_REGIONS:
        mem += msg("ADD_MEM_REG", struct.pack("<Q", 0) + region(*r), nfds=1, flags=NEED_REPLY)
    s = qemu_start(QEMU_PF, mem)
    # Memory hot-unplug and back.
    s += msg("REM_MEM_REG", struct.pack("<Q", 0) + region(*QEMU_REGIONS[0]), nfds=1)
    s += msg("ADD_MEM_REG", struct.pack("<Q", 0) + region(*QEMU_REGIONS[0]), nfds=1)
    return s


def qemu_migration():
    """Start, then migration: dirty log on, rings logged, RARP after, MTU."""
    s = qemu_start(QEMU_PF & ~PF_MEM_SLOTS, mem_table(QEMU_REGIONS))
    s += msg("SET_LOG_BASE", struct.pack("<QQ", 0x1000, 0), nfds=1, flags=NEED_REPLY)
    s += msg("SET_LOG_FD", nfds=1, kind=FD_EVENTFD)
    s += u64("SET_FEATURES", F_V1 | F_PF | F_MRG | F_LOG_ALL)
    for i in range(2):
        desc, used, avail = ring_layout(QEMU_REGIONS[1][2], i)
        s += vring_addr(i, desc, used, avail, flags=1, log=QEMU_REGIONS[1][0] + used -
                        QEMU_REGIONS[1][2])
    s += msg("SEND_RARP", bytes([0x52, 0x54, 0, 0x12, 0x34, 0x56, 0, 0]))
    s += u64("NET_SET_MTU", 9000, flags=NEED_REPLY)
    s += state("GET_VRING_BASE", 0, 0) + state("GET_VRING_BASE", 1, 0)
    s += msg("RESET_OWNER")
    return s


def qemu_reconnect():
    """The frontend sets everything up twice (a VM reset), rings resumed at a base."""
    mem = mem_table(QEMU_REGIONS)
    s = qemu_start(QEMU_PF & ~PF_MEM_SLOTS, mem)
    s += mem	# QEMU resends the same table
    s += state("GET_VRING_BASE", 0, 0) + state("GET_VRING_BASE", 1, 0)
    s += ring_setup(QEMU_REGIONS[1][2], 0, base=100) + ring_setup(QEMU_REGIONS[1][2], 1, base=7)
    s += u64("SET_VRING_KICK", 0 | NOFD) + u64("SET_VRING_CALL", 1 | NOFD)
    s += fd_msg("SET_VRING_ERR", 0)
    return s


def hostile():
    """One stream per class of doc/protocol.md's hostile input that a seed can show."""
    uva = 0x7f0000000000
    return {
        "hostile-extra-fds": msg("SET_OWNER", nfds=3, kind=FD_EVENTFD) +
        msg("GET_FEATURES", nfds=8, kind=FD_PAGES, param=1),
        "hostile-repeat": mem_table([(0, 0x10000, uva, 0)]) + mem_table([(0, 0x20000, uva, 0)]) +
        msg("SET_LOG_BASE", struct.pack("<QQ", 0x1000, 0), nfds=1) +
        msg("SET_LOG_BASE", struct.pack("<QQ", 0x2000, 0x1000), nfds=1) +
        state("SET_VRING_NUM", 0, 256) + state("SET_VRING_NUM", 0, 64),
        "hostile-index": state("SET_VRING_NUM", 0x100, 256) + state("SET_VRING_NUM", 4, 256) +
        u64("SET_VRING_KICK", 0x1ff) + u64("SET_VRING_CALL", 0x100000000 | 1, nfds=1,
                                         kind=FD_EVENTFD) +
        state("GET_VRING_BASE", 0xffff, 0),
        "hostile-overflow": mem_table([(0xfffffffffffff000, 0x2000, uva, 0)]) +
        mem_table([(0, 0x1000, uva, 0xfffffffffffff000)]) +
        msg("SET_LOG_BASE", struct.pack("<QQ", 0x1000, 0xfffffffffffff800), nfds=1) +
        mem_table([(0, 0x10000, uva, 0), (0x8000, 0x10000, uva + 0x20000, 0)]),
        "hostile-short-file": mem_table([(0, 0x10000, uva, 0)], kind=FD_SHORT) +
        mem_table([(0, 0x10000, uva, 0)], kind=FD_DEVZERO) +
        mem_table([(0, 0x10000, uva, 0)], kind=FD_SEALED, param=SEAL_WRITE) +
        mem_table([(0, 0x10000, uva, 0)], kind=FD_PIPE),
        "hostile-sizes": msg("SET_FEATURES", b"\0" * 4) + msg("SET_VRING_ADDR", b"\0" * 300) +
        struct.pack("<III", REQ["SET_MEM_TABLE"], 1, 0x10000),
        "hostile-ring-size": state("SET_VRING_NUM", 0, 0) + state("SET_VRING_NUM", 0, 3) +
        state("SET_VRING_NUM", 0, 65536) + state("SET_VRING_BASE", 0, 0x10000),
        "hostile-ring-outside": mem_table([(0, 0x10000, uva, 0)]) + state("SET_VRING_NUM", 0, 256) +
        vring_addr(0, uva + 0xff00, uva + 0x2000, uva + 0x1000) + fd_msg("SET_VRING_KICK", 0) +
        state("SET_VRING_ENABLE", 0, 1) + vring_addr(0, uva + 8, uva + 0x2002, uva + 0x1001),
        "hostile-unknown": msg(99, b"\0" * 8, flags=NEED_REPLY, nfds=2, kind=FD_EVENTFD) +
        msg("GET_CONFIG", flags=NEED_REPLY) + msg("SET_FEATURES", b"\0" * 8) +
        struct.pack("<III", REQ["SET_OWNER"], 2, 0) + msg("GET_FEATURES"),
        "hostile-many-regions": msg("GET_MAX_MEM_SLOTS") + b"".join(
            msg("ADD_MEM_REG", struct.pack("<Q", 0) + region(k << 16, 0x1000, uva + (k << 16), 0),
                nfds=1) for k in range(33)),
        "hostile-log-fds": msg("SET_LOG_BASE", struct.pack("<QQ", 0x1000, 0), nfds=1,
                               kind=FD_SEALED, param=SEAL_WRITE) +
        msg("SET_LOG_BASE", struct.pack("<QQ", 0x1000, 0), nfds=1, kind=FD_DEVZERO) +
        msg("SET_LOG_BASE", struct.pack("<QQ", 0x1000, 0), nfds=1, kind=FD_SHORT) +
        msg("SET_LOG_BASE", struct.pack("<QQ", 0x1000, 0)),
        "hostile-mid-message": msg("SET_OWNER") + struct.pack("<III", REQ["SET_FEATURES"], 1, 8) +
        b"\0\0\0",
    }


def shrinking():
    """The frontend shrinks its files under running rings and a dirty log."""
    regions = QEMU_REGIONS
    return {
        "shrink-unsealed": qemu_migration().rsplit(msg("RESET_OWNER"), 1)[0] + u64(SHRINK, 0),
        "shrink-half": qemu_mem_table() + u64(SHRINK, 0x40000) + qemu_mem_table(),
        "shrink-sealed": qemu_start(QEMU_PF & ~PF_MEM_SLOTS,
                                    mem_table(regions, kind=FD_SEALED, flags=NEED_REPLY)) +
        msg("SET_LOG_BASE", struct.pack("<QQ", 0x1000, 0), nfds=1, kind=FD_SEALED) +
        u64(SHRINK, 0),
    }


def msg_corpus():
    c = {
        "virtio-user-22.11": virtio_user_2211(),
        "qemu-mem-table": qemu_mem_table(),
        "qemu-add-mem-reg": qemu_add_mem_reg(),
        "qemu-migration": qemu_migration(),
        "qemu-reconnect": qemu_reconnect(),
    }
    c.update(hostile())
    c.update(shrinking())
    return c

# ------------------------------------------------------------------- rings

GPA = 0x100000
HDR_FMT = "<BBBB"
RING_FMT = "<BBHHHHHI"
OP_FMT = "<BBBBI"
OP_RX, OP_TX, OP_POKE, OP_AVAIL, OP_RETRANSLATE, OP_RARP, OP_NOTIFY, OP_KICKS = range(8)
RF_MRG, RF_IND, RF_V1, RF_ANY, RF_LOG, RF_EVENT_IDX, RF_PACKED, RF_IN_ORDER = \
    1, 2, 4, 8, 16, 32, 64, 128
RM_RARP, RM_SMALL, RM_NOCOAL, RM_CALLFD, RM_OFFLOAD = 1, 2, 4, 8, 16
RR_LOG_USED, RR_STARTED, RR_ENABLED, RR_LOG_OWN = 1, 2, 4, 8
D_NEXT, D_WRITE, D_INDIRECT = 1, 2, 4


class Guest:
    """A guest memory image with two split rings (vring 0: guest RX, 1: guest TX)."""

    def __init__(self, size_log2=3, start=0):
        self.img = bytearray()
        self.n = 1 << size_log2
        self.size_log2 = size_log2
        self.start = start
        # vring v: desc at v * 0x400, avail at + 0x100, used at + 0x200
        self.desc = [v * 0x400 for v in range(2)]
        self.avail = [v * 0x400 + 0x100 for v in range(2)]
        self.used = [v * 0x400 + 0x200 for v in range(2)]
        self.next_desc = [0, 0]
        self.avail_idx = [start, start]
        self.heap = 0x800
        for v in range(2):
            self.put16(self.avail[v] + 2, start)
            self.put16(self.used[v] + 2, start)

    def put(self, off, data):
        if len(self.img) < off + len(data):
            self.img.extend(b"\0" * (off + len(data) - len(self.img)))
        self.img[off:off + len(data)] = data

    def put16(self, off, v):
        self.put(off, struct.pack("<H", v & 0xffff))

    def alloc(self, data_or_len, align=8):
        self.heap = (self.heap + align - 1) & ~(align - 1)
        off = self.heap
        if isinstance(data_or_len, int):
            self.heap += data_or_len	# beyond the image: zeros
        else:
            self.put(off, data_or_len)
            self.heap += len(data_or_len)
        return off

    def post(self, v, bufs, flags, indirect=False):
        """A chain of buffers [(offset, len)] on vring v."""
        descs = [struct.pack("<QIHH", GPA + o, ln, flags | (D_NEXT if k + 1 < len(bufs) else 0),
                             k + 1) for k, (o, ln) in enumerate(bufs)]
        head = self.next_desc[v] % self.n
        if indirect:
            t = self.alloc(b"".join(descs), 16)
            self.put(self.desc[v] + 16 * head, struct.pack("<QIHH", GPA + t, 16 * len(descs),
                                                          D_INDIRECT, 0))
            self.next_desc[v] += 1
        else:
            for k in range(len(bufs)):
                i = (self.next_desc[v] + k) % self.n
                nxt = (i + 1) % self.n
                d = bytearray(descs[k])
                struct.pack_into("<H", d, 14, nxt)
                self.put(self.desc[v] + 16 * i, bytes(d))
            self.next_desc[v] += len(bufs)
        self.put16(self.avail[v] + 4 + 2 * (self.avail_idx[v] % self.n), head)
        self.avail_idx[v] += 1
        self.put16(self.avail[v] + 2, self.avail_idx[v])

    def tx_frame(self, frame, hdr_len, split=None, indirect=False, hdr=None):
        """Guest TX (vring 1): header (zeros, or hdr) + frame, in one buffer or split at
        the offsets given."""
        data = (hdr or b"").ljust(hdr_len, b"\0")[:hdr_len] + frame
        cuts = [0] + (split or []) + [len(data)]
        bufs = [(self.alloc(data[a:b]), b - a) for a, b in zip(cuts, cuts[1:])]
        self.post(1, bufs, 0, indirect)

    def rx_bufs(self, lens, indirect=False):
        """Guest RX (vring 0): one chain of writable buffers."""
        self.post(0, [(self.alloc(ln), ln) for ln in lens], D_WRITE, indirect)

    def ring(self, v, flags=RR_STARTED | RR_ENABLED, log_addr=0):
        return struct.pack(RING_FMT, self.size_log2, flags, self.desc[v] // 16,
                           self.avail[v] // 4, self.used[v] // 4, self.start, self.start,
                           log_addr)

    def input(self, features, ops, misc=RM_CALLFD, log_size=0, ring_flags=RR_STARTED |
              RR_ENABLED):
        h = struct.pack(HDR_FMT, features, misc, log_size, len(ops))
        h += self.ring(0, ring_flags) + self.ring(1, ring_flags)
        return h + b"".join(struct.pack(OP_FMT, *o) for o in ops) + bytes(self.img)


class PackedGuest(Guest):
    """The same with packed rings: descriptor ring at v * 0x400, driver event
    area at + 0x100, device event area at + 0x200; both sides start at start
    under wrap counter wrap. size_log2 | 0x10 makes the ring 3/4 + 1 as big."""

    def __init__(self, size_log2=3, start=0, wrap=1):
        super().__init__(size_log2 & 0xf, 0)
        self.size_log2 = size_log2
        if size_log2 & 0x10 and self.n > 2:
            self.n = self.n * 3 // 4 + 1
        self.start = (start % self.n) | (wrap << 15)
        self.pos = [start % self.n, start % self.n]
        self.wrap = [wrap, wrap]

    def post(self, v, bufs, flags, indirect=False):
        """A chain of buffers [(offset, len)] on vring v, buffer id = its first position."""
        head = self.pos[v]

        def put_desc(addr, ln, fl):
            av = 0x80 if self.wrap[v] else 0x8000
            self.put(self.desc[v] + 16 * self.pos[v], struct.pack("<QIHH", addr, ln, head,
                                                                  fl | av))
            self.pos[v] += 1
            if self.pos[v] == self.n:
                self.pos[v] = 0
                self.wrap[v] ^= 1

        if indirect:
            t = self.alloc(b"".join(struct.pack("<QIHH", GPA + o, ln, 0, flags)
                                    for o, ln in bufs), 16)
            put_desc(GPA + t, 16 * len(bufs), D_INDIRECT)
        else:
            for k, (o, ln) in enumerate(bufs):
                put_desc(GPA + o, ln, flags | (D_NEXT if k + 1 < len(bufs) else 0))


def frame(n, seed):
    return bytes(((seed * 31 + k * 7) & 0xff) for k in range(n))


def tcp4_frame(n, seed):
    """Ethernet + IPv4 + TCP headers (what virtio-net offload headers describe), then bytes."""
    eth = b"\x02" + b"\0" * 5 + b"\x02" + b"\0" * 4 + b"\x01" + b"\x08\x00"
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, n - 14, 0, 0, 64, 6, 0, bytes([10, 0, 0, 1]),
                     bytes([10, 0, 0, 2]))
    tcp = struct.pack(">HHIIBBHHH", 1, 2, 0, 0, 0x50, 0x10, 0xffff, 0, 0)
    return (eth + ip + tcp + frame(n - 54, seed))[:n]


def net_hdr(flags, gso_type, hdr_len, gso_size, csum_start, csum_offset):
    return struct.pack("<BBHHHHH", flags, gso_type, hdr_len, gso_size, csum_start,
                       csum_offset, 0)


def ops_std():
    # rx 8, tx 4 mbufs up to 1024 bytes, rx, tx 8 small ones in 16-byte segments, notify
    return [(OP_RX, 8, 0, 0, 0), (OP_TX, 4, 4, 0, 0x1234), (OP_RX, 8, 0, 0, 0),
            (OP_TX, 8, 0, 1, 77), (OP_NOTIFY, 0, 0, 0, 0)]


def rings_corpus():
    c = {}

    g = Guest()
    for k in range(4):
        g.tx_frame(frame(60 + 100 * k, k), 12)
        g.rx_bufs([2048])
    c["v1-mrg-one-buffer"] = g.input(RF_V1 | RF_MRG | RF_ANY, ops_std())

    g = Guest()
    for k in range(4):
        g.tx_frame(frame(64, k), 10, split=[10])	# legacy: header alone first
        g.rx_bufs([10, 1514])
    c["legacy-split-header"] = g.input(0, ops_std())

    # Offloads: a TSO frame, a checksum request, and headers of each bad class.
    g = Guest(size_log2=4)
    for k, h in enumerate((net_hdr(1, 1, 54, 1448, 34, 16), net_hdr(1, 0, 0, 0, 34, 16),
                           net_hdr(1, 0, 0, 0, 3000, 16), net_hdr(1, 1, 54, 0, 34, 16),
                           net_hdr(1, 3, 54, 100, 34, 6), net_hdr(1, 0x81, 20, 100, 34, 16),
                           net_hdr(1, 4, 54, 1448, 34, 16), net_hdr(0, 1, 54, 1448, 34, 16))):
        g.tx_frame(tcp4_frame(3000 if k == 0 else 1000, k), 12, split=[5, 60], hdr=h)
    for k in range(4):
        g.rx_bufs([1536, 1536])
    c["offload-headers"] = g.input(RF_V1 | RF_MRG, ops_std(), misc=RM_CALLFD | RM_OFFLOAD)

    g = Guest()
    for k in range(3):
        g.tx_frame(frame(200, k), 12, split=[12, 50, 120], indirect=True)
        g.rx_bufs([12, 600, 1000], indirect=True)
    c["v1-indirect"] = g.input(RF_V1 | RF_IND, ops_std())

    g = Guest(size_log2=3)
    for k in range(8):
        g.rx_bufs([128])	# small buffers: a frame spans several chains
    g.tx_frame(frame(300, 9), 12, split=[5, 40])	# header split across descriptors
    c["mrg-small-buffers"] = g.input(RF_MRG | RF_V1, [(OP_TX, 3, 3, 0, 5), (OP_RX, 4, 0, 0, 0)])

    # MRG_RXBUF worst case: a first chain with room for the header only, then
    # every avail entry naming one chain of zero-length buffers (both rings).
    g = Guest(size_log2=4)
    g.rx_bufs([12])
    g.post(0, [(g.alloc(64), 0)] * 15, D_WRITE)
    g.post(1, [(g.alloc(64), 0)] * 16, 0)
    for v in range(2):
        for k in range(16 - g.avail_idx[v] + g.start):
            g.put16(g.avail[v] + 4 + 2 * (g.avail_idx[v] % g.n), 1 if v == 0 else 0)
            g.avail_idx[v] += 1
        g.put16(g.avail[v] + 2, g.avail_idx[v])
    c["mrg-zero-length-chains"] = g.input(RF_MRG | RF_V1, [(OP_TX, 4, 0, 0, 1),
                                                          (OP_TX, 4, 0, 0, 2),
                                                          (OP_RX, 32, 0, 0, 0)])

    g = Guest()
    for k in range(4):
        g.tx_frame(frame(100, k), 12)
        g.rx_bufs([1600])
    c["log-all"] = g.input(RF_V1 | RF_MRG | RF_LOG, ops_std(), log_size=48,
                           ring_flags=RR_STARTED | RR_ENABLED | RR_LOG_USED | RR_LOG_OWN)

    g = Guest(start=0xfffe)	# indexes wrap during the bursts
    for k in range(4):
        g.tx_frame(frame(70, k), 12)
        g.rx_bufs([1600])
    c["index-wrap"] = g.input(RF_V1, ops_std())

    g = Guest()
    for k in range(6):
        g.tx_frame(frame(1400, k), 12, split=[12, 700])
    c["rarp-small-pool"] = g.input(RF_V1, [(OP_RX, 4, 0, 0, 0), (OP_RX, 4, 0, 0, 0),
                                          (OP_RARP, 1, 2, 3, 0x040506), (OP_RX, 8, 0, 0, 0)],
                                   misc=RM_RARP | RM_SMALL | RM_NOCOAL | RM_CALLFD)

    g = Guest()
    for k in range(2):
        g.tx_frame(frame(64, k), 12)
        g.rx_bufs([1600])
    # The guest posts more between bursts, and the frontend reconnects.
    c["guest-moves"] = g.input(RF_V1 | RF_MRG, [
        (OP_RX, 1, 0, 0, 0), (OP_AVAIL, 1, 0, 1, 0), (OP_RX, 4, 0, 0, 0),
        (OP_POKE, 0, 0x80 + 1, 0, 0x00030000), (OP_RETRANSLATE, 0, 0, 1, 0),
        (OP_TX, 2, 2, 0, 1), (OP_AVAIL, 2, 0, 0, 0), (OP_TX, 2, 2, 0, 1)])

    g = PackedGuest(size_log2=3, start=6)	# chains across the wrap
    for k in range(5):
        g.tx_frame(frame(60 + 150 * k, k), 12, split=[12, 40] if k % 2 else None)
        g.rx_bufs([512] if k % 2 else [12, 600])
    c["packed-mrg-wrap"] = g.input(RF_PACKED | RF_V1 | RF_MRG | RF_IND, ops_std())

    g = PackedGuest(size_log2=0x13, start=4, wrap=0)	# 7 entries, second lap
    for k in range(3):
        g.tx_frame(frame(200, k), 12, split=[12, 50, 120], indirect=True)
        g.rx_bufs([12, 600, 1000], indirect=True)
    c["packed-indirect-odd-size"] = g.input(RF_PACKED | RF_V1 | RF_IND, ops_std())

    g = PackedGuest(size_log2=4)
    for k in range(2):
        g.tx_frame(frame(64, k), 12)
        g.rx_bufs([1600])
    c["packed-log-notify"] = g.input(RF_PACKED | RF_V1 | RF_MRG | RF_LOG, [
        (OP_RX, 4, 0, 0, 0), (OP_TX, 2, 2, 0, 1), (OP_POKE, 0, 0x40 + 0, 0, 0x00010000),
        (OP_NOTIFY, 0, 0, 0, 0), (OP_RETRANSLATE, 0, 0, 1, 0), (OP_RX, 4, 0, 0, 0)],
        log_size=48, ring_flags=RR_STARTED | RR_ENABLED | RR_LOG_USED)

    # EVENT_IDX on packed rings: both driver areas in DESC mode (flags 2, an
    # offset and wrap counter in off_wrap), moved by the guest between bursts
    # that each decide (no coalescing), across the wrap.
    g = PackedGuest(size_log2=3, start=5)
    for v in range(2):
        g.put(g.avail[v], struct.pack("<HH", 0x8000 | 7, 2))
    for k in range(6):
        g.tx_frame(frame(64 + k, k), 12)
        g.rx_bufs([1600])
    c["packed-event-idx-desc"] = g.input(RF_PACKED | RF_V1 | RF_MRG | RF_EVENT_IDX, [
        (OP_RX, 2, 0, 0, 0), (OP_TX, 2, 2, 0, 1), (OP_POKE, 0, 0x40 + 0, 0, 0x00020001),
        (OP_RX, 8, 0, 0, 0), (OP_TX, 4, 2, 0, 7), (OP_POKE, 1, 0x40 + 0, 0, 0x00028002),
        (OP_NOTIFY, 0, 0, 1, 0), (OP_RETRANSLATE, 0, 0, 0, 0), (OP_TX, 2, 2, 0, 3)],
        misc=RM_CALLFD | RM_NOCOAL)

    # EVENT_IDX with calls (used_event decides) and rx interrupts asking for
    # kicks (avail_event, after the used ring), logged; IN_ORDER batches.
    g = Guest()
    for k in range(4):
        g.tx_frame(frame(90, k), 12)
        g.rx_bufs([1600])
    c["event-idx-in-order"] = g.input(
        RF_V1 | RF_MRG | RF_EVENT_IDX | RF_IN_ORDER | RF_LOG,
        [(OP_RX, 2, 0, 0, 0), (OP_KICKS, 1, 0, 0, 0), (OP_RX, 8, 0, 0, 0),
         (OP_TX, 4, 4, 0, 0x1234), (OP_KICKS, 0, 0, 0, 0), (OP_NOTIFY, 0, 0, 1, 0)],
        misc=RM_CALLFD, log_size=48,
        ring_flags=RR_STARTED | RR_ENABLED | RR_LOG_USED | RR_LOG_OWN)
    return c

# -------------------------------------------------------------------- main


def write(outdir, name, corpus):
    d = os.path.join(outdir, name)
    os.makedirs(d, exist_ok=True)
    for fname, data in sorted(corpus.items()):
        with open(os.path.join(d, fname), "wb") as f:
            f.write(data)
        print(f"{name}/{fname}: {len(data)} bytes")


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus")
    write(outdir, "msg", msg_corpus())
    write(outdir, "rings", rings_corpus())


if __name__ == "__main__":
    main()
