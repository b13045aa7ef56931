# SPDX-License-Identifier: BSD-3-Clause
"""A scripted vhost-user frontend and the processes the peer tests drive.

Python 3 stdlib only. Pieces:

  Frontend       one vhost-user connection (connect to a server socket, or
                 accept on a listening one): send any message, well formed or
                 not, with any fds, in one piece or several; receive replies;
                 notice a closed connection. Every wait is bounded.
  GuestMemory    memfd-backed "guest" memory, one region, with a bump allocator.
  SplitRing      a split virtqueue in that memory: post buffers, read used
                 entries, kick/call eventfds.
  Device         the result of handshake(): the rings of a set-up device,
                 with echo() to send a frame and wait for it to come back
                 (the backend forwards in a loop).
  Testpmd        dpdk-testpmd driven through its interactive prompt over a
                 pipe, output to a log file (test/lib/vhostu_procs.py's
                 Interactive): port stats, link state, open fds.
  backend()      testpmd with our PMD (LD_PRELOAD) and one or more net_vhostu ports.
  virtio_user()  testpmd with DPDK's virtio-user PMD: the real peer.

Environment: VHOSTU_BUILD (the build dir holding
drivers/net/vhostu/librte_net_vhostu.so); defaults to ../../build-peer.
"""

import contextlib
import mmap
import os
import re
import select
import shutil
import socket
import struct
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
from vhostu_procs import (Failure, Interactive, deadline_wait, dpdk_prefix,  # noqa: E402,F401
                          kill_all)

# --- wire format (QEMU docs/interop/vhost-user.rst) ---

REQ = {
    "GET_FEATURES": 1, "SET_FEATURES": 2, "SET_OWNER": 3, "RESET_OWNER": 4,
    "SET_MEM_TABLE": 5, "SET_LOG_BASE": 6, "SET_LOG_FD": 7, "SET_VRING_NUM": 8,
    "SET_VRING_ADDR": 9, "SET_VRING_BASE": 10, "GET_VRING_BASE": 11,
    "SET_VRING_KICK": 12, "SET_VRING_CALL": 13, "SET_VRING_ERR": 14,
    "GET_PROTOCOL_FEATURES": 15, "SET_PROTOCOL_FEATURES": 16, "GET_QUEUE_NUM": 17,
    "SET_VRING_ENABLE": 18, "SEND_RARP": 19, "NET_SET_MTU": 20,
    "SET_BACKEND_REQ_FD": 21, "IOTLB_MSG": 22, "SET_VRING_ENDIAN": 23,
    "GET_CONFIG": 24, "SET_CONFIG": 25, "CREATE_CRYPTO_SESSION": 26,
    "CLOSE_CRYPTO_SESSION": 27, "POSTCOPY_ADVISE": 28, "POSTCOPY_LISTEN": 29,
    "POSTCOPY_END": 30, "GET_INFLIGHT_FD": 31, "SET_INFLIGHT_FD": 32,
    "GPU_SET_SOCKET": 33, "RESET_DEVICE": 34, "VRING_KICK": 35,
    "GET_MAX_MEM_SLOTS": 36, "ADD_MEM_REG": 37, "REM_MEM_REG": 38,
    "SET_STATUS": 39, "GET_STATUS": 40,
}
REQ_NAME = {v: k for k, v in REQ.items()}
# the request ids as names (GET_FEATURES, ...), for the tests
GET_FEATURES = REQ["GET_FEATURES"]
SET_FEATURES = REQ["SET_FEATURES"]
SET_OWNER = REQ["SET_OWNER"]
RESET_OWNER = REQ["RESET_OWNER"]
SET_MEM_TABLE = REQ["SET_MEM_TABLE"]
SET_LOG_BASE = REQ["SET_LOG_BASE"]
SET_LOG_FD = REQ["SET_LOG_FD"]
SET_VRING_NUM = REQ["SET_VRING_NUM"]
SET_VRING_ADDR = REQ["SET_VRING_ADDR"]
SET_VRING_BASE = REQ["SET_VRING_BASE"]
GET_VRING_BASE = REQ["GET_VRING_BASE"]
SET_VRING_KICK = REQ["SET_VRING_KICK"]
SET_VRING_CALL = REQ["SET_VRING_CALL"]
SET_VRING_ERR = REQ["SET_VRING_ERR"]
GET_PROTOCOL_FEATURES = REQ["GET_PROTOCOL_FEATURES"]
SET_PROTOCOL_FEATURES = REQ["SET_PROTOCOL_FEATURES"]
GET_QUEUE_NUM = REQ["GET_QUEUE_NUM"]
SET_VRING_ENABLE = REQ["SET_VRING_ENABLE"]
SEND_RARP = REQ["SEND_RARP"]
NET_SET_MTU = REQ["NET_SET_MTU"]
SET_BACKEND_REQ_FD = REQ["SET_BACKEND_REQ_FD"]
IOTLB_MSG = REQ["IOTLB_MSG"]
SET_VRING_ENDIAN = REQ["SET_VRING_ENDIAN"]
GET_CONFIG = REQ["GET_CONFIG"]
SET_CONFIG = REQ["SET_CONFIG"]
CREATE_CRYPTO_SESSION = REQ["CREATE_CRYPTO_SESSION"]
CLOSE_CRYPTO_SESSION = REQ["CLOSE_CRYPTO_SESSION"]
POSTCOPY_ADVISE = REQ["POSTCOPY_ADVISE"]
POSTCOPY_LISTEN = REQ["POSTCOPY_LISTEN"]
POSTCOPY_END = REQ["POSTCOPY_END"]
GET_INFLIGHT_FD = REQ["GET_INFLIGHT_FD"]
SET_INFLIGHT_FD = REQ["SET_INFLIGHT_FD"]
GPU_SET_SOCKET = REQ["GPU_SET_SOCKET"]
RESET_DEVICE = REQ["RESET_DEVICE"]
VRING_KICK = REQ["VRING_KICK"]
GET_MAX_MEM_SLOTS = REQ["GET_MAX_MEM_SLOTS"]
ADD_MEM_REG = REQ["ADD_MEM_REG"]
REM_MEM_REG = REQ["REM_MEM_REG"]
SET_STATUS = REQ["SET_STATUS"]
GET_STATUS = REQ["GET_STATUS"]

VERSION = 0x1
F_REPLY = 1 << 2
F_NEED_REPLY = 1 << 3
HDR = struct.Struct("<III")
VRING_NOFD = 1 << 8

# virtio feature bits
F_MRG_RXBUF = 15
F_CTRL_VQ = 17
F_GUEST_ANNOUNCE = 21
F_MQ = 22
F_LOG_ALL = 26
F_ANY_LAYOUT = 27
F_INDIRECT_DESC = 28
F_EVENT_IDX = 29
F_PROTOCOL_FEATURES = 30
F_VERSION_1 = 32
OFFERED_DEFAULT = 0xd7c62bb8b   # VPP set, EVENT_IDX, RING_PACKED, IN_ORDER, offloads: protocol.md

# protocol feature bits
PF_MQ = 0
PF_LOG_SHMFD = 1
PF_RARP = 2
PF_REPLY_ACK = 3
PF_MTU = 4
PF_CONFIGURE_MEM_SLOTS = 15
PF_STATUS = 16

S_ACKNOWLEDGE = 0x1
S_DRIVER = 0x2
S_DRIVER_OK = 0x4
S_FEATURES_OK = 0x8

VRING_F_LOG = 0x1


def bit(b):
    return 1 << b


def u64(v):
    return struct.pack("<Q", v & 0xffffffffffffffff)


def state(index, num):
    """vhost_vring_state: u32 index, u32 num."""
    return struct.pack("<II", index & 0xffffffff, num & 0xffffffff)


def vring_addr(index, desc, used, avail, flags=0, log=0):
    """vhost_vring_addr: u32 index, u32 flags, u64 desc, used, avail, log."""
    return struct.pack("<IIQQQQ", index & 0xffffffff, flags, desc, used, avail, log)


def region(gpa, size, uva, offset):
    """vhost_memory_region: u64 gpa, size, userspace_addr, mmap_offset."""
    return struct.pack("<QQQQ", gpa, size & 0xffffffffffffffff, uva,
                       offset & 0xffffffffffffffff)


def mem_table(regions, nregions=None):
    """SET_MEM_TABLE body: u32 nregions, u32 padding, regions."""
    n = len(regions) if nregions is None else nregions
    return struct.pack("<II", n & 0xffffffff, 0) + b"".join(regions)


def log_base(size, offset):
    return struct.pack("<QQ", size & 0xffffffffffffffff, offset & 0xffffffffffffffff)


def mem_single(reg):
    """ADD_MEM_REG / REM_MEM_REG body: u64 padding, one region."""
    return u64(0) + reg


def log(msg):
    print(msg, flush=True)


# --- the vhost-user connection ---

class Closed(Exception):
    """The backend closed the connection."""


class Frontend:
    """One vhost-user connection, as the frontend (driver) side."""

    def __init__(self, sock):
        self.sock = sock
        self.sock.setblocking(True)

    @classmethod
    def connect(cls, path, timeout=10.0):
        """Connect to a backend listening on path (retrying until timeout)."""
        end = time.monotonic() + timeout
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
            try:
                s.connect(path)
                return cls(s)
            except (FileNotFoundError, ConnectionRefusedError) as e:
                s.close()
                if time.monotonic() >= end:
                    raise Failure("cannot connect to %s within %.0f s: %s" % (path, timeout, e))
                time.sleep(0.05)

    @staticmethod
    def listen(path):
        """A listening socket for a backend in client mode; accept with accept()."""
        if os.path.exists(path):
            os.unlink(path)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        s.bind(path)
        s.listen(1)
        return s

    @classmethod
    def accept(cls, lsock, timeout=10.0):
        r, _, _ = select.select([lsock], [], [], timeout)
        if not r:
            raise Failure("the backend did not connect within %.0f s" % timeout)
        s, _ = lsock.accept()
        return cls(s)

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # sending

    def send_raw(self, data, fds=()):
        """Send bytes (any part of a message) with fds attached to them."""
        try:
            if fds:
                socket.send_fds(self.sock, [data], list(fds))
            else:
                self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError) as e:
            raise Closed(str(e))

    def send(self, req, payload=b"", fds=(), need_reply=False, flags=None, size=None):
        """Send one message; size overrides the header's size field (lies welcome)."""
        if flags is None:
            flags = VERSION | (F_NEED_REPLY if need_reply else 0)
        hdr = HDR.pack(req, flags, len(payload) if size is None else size)
        self.send_raw(hdr + payload, fds)

    def send_pieces(self, req, payload=b"", fds=(), cuts=(5, 9), delay=0.05, fds_on=-1,
                    need_reply=False):
        """Send one message cut at the given offsets, pausing between pieces;
        the fds ride on piece number fds_on (default: the last)."""
        flags = VERSION | (F_NEED_REPLY if need_reply else 0)
        data = HDR.pack(req, flags, len(payload)) + payload
        bounds = [0] + [c for c in cuts if 0 < c < len(data)] + [len(data)]
        pieces = [data[a:b] for a, b in zip(bounds, bounds[1:])]
        fds_on = fds_on % len(pieces)
        for i, piece in enumerate(pieces):
            self.send_raw(piece, fds if i == fds_on else ())
            if i + 1 < len(pieces):
                time.sleep(delay)

    # receiving

    def _recv_exact(self, n, end):
        buf = b""
        while len(buf) < n:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError("no reply within the deadline (%d of %d bytes)" %
                                   (len(buf), n))
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                continue
            try:
                chunk = self.sock.recv(n - len(buf))
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                raise Closed("connection closed by the backend")
            buf += chunk
        return buf

    def recv(self, timeout=5.0):
        """One message from the backend: (request, flags, payload)."""
        end = time.monotonic() + timeout
        req, flags, size = HDR.unpack(self._recv_exact(HDR.size, end))
        if size > 4096:
            raise Failure("reply with a %d-byte payload" % size)
        payload = self._recv_exact(size, end) if size else b""
        return req, flags, payload

    def reply(self, req, timeout=5.0):
        """Wait for the reply to req; checks the header; returns the payload."""
        rreq, flags, payload = self.recv(timeout)
        if rreq != req:
            raise Failure("reply to %s carries request %d" % (REQ_NAME.get(req, req), rreq))
        if flags & 0x3 != VERSION or not flags & F_REPLY:
            raise Failure("reply to %s has flags 0x%x (want version 1 + REPLY)" %
                          (REQ_NAME.get(req, req), flags))
        return payload

    def reply_u64(self, req, timeout=5.0):
        payload = self.reply(req, timeout)
        if len(payload) != 8:
            raise Failure("reply to %s has %d bytes, want 8" % (REQ_NAME.get(req, req),
                                                                len(payload)))
        return struct.unpack("<Q", payload)[0]

    def call(self, req, payload=b"", fds=(), timeout=5.0):
        """A request that has a reply by definition (GET_*): returns the payload."""
        self.send(req, payload, fds)
        return self.reply(req, timeout)

    def call_u64(self, req, payload=b"", fds=(), timeout=5.0):
        self.send(req, payload, fds)
        return self.reply_u64(req, timeout)

    def ack(self, req, payload=b"", fds=(), timeout=5.0):
        """Send with NEED_REPLY; returns the u64 of the ack (0 = success)."""
        self.send(req, payload, fds, need_reply=True)
        return self.reply_u64(req, timeout)

    def ok(self, req, payload=b"", fds=(), timeout=5.0):
        """Send with NEED_REPLY and insist on success."""
        v = self.ack(req, payload, fds, timeout)
        if v != 0:
            raise Failure("%s was refused (ack %d)" % (REQ_NAME.get(req, req), v))

    def outcome(self, req, timeout=5.0):
        """After a message sent with NEED_REPLY: ('ack', value) or ('closed', None)."""
        try:
            return "ack", self.reply_u64(req, timeout)
        except Closed:
            return "closed", None

    def wait_closed(self, timeout=5.0):
        """True when the backend closes the connection within timeout (data ignored)."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return False
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                continue
            try:
                if not self.sock.recv(4096):
                    return True
            except ConnectionResetError:
                return True

    def alive(self, timeout=5.0):
        """True when the backend still answers on this connection (GET_FEATURES)."""
        try:
            self.send(GET_FEATURES)
            self.reply_u64(GET_FEATURES, timeout)
            return True
        except Closed:
            return False


# --- guest memory and rings ---

def memfd(name, size):
    fd = os.memfd_create(name, os.MFD_CLOEXEC)
    os.ftruncate(fd, size)
    return fd


class GuestMemory:
    """One memfd region: guest-physical gpa0.., frontend-virtual uva0.."""

    def __init__(self, size=2 << 20, name="vhostu-test-mem", gpa0=0x100000,
                 uva0=0x7f1200000000):
        self.size = size
        self.name = name
        self.fd = memfd(name, size)
        self.mm = mmap.mmap(self.fd, size)
        # 16-bit ring indexes must be written and read in one access: struct's
        # pack_into zero-fills its target first (a backend may read that 0).
        self.u16 = memoryview(self.mm).cast("H")
        self.gpa0 = gpa0
        self.uva0 = uva0
        self.next = 0

    def alloc(self, n, align=64):
        off = (self.next + align - 1) & ~(align - 1)
        if off + n > self.size:
            raise Failure("test guest memory exhausted")
        self.next = off + n
        return off

    def gpa(self, off):
        return self.gpa0 + off

    def uva(self, off):
        return self.uva0 + off

    def region(self):
        return region(self.gpa0, self.size, self.uva0, 0)

    def table(self):
        return mem_table([self.region()])

    def get16(self, off):
        return self.u16[off // 2]

    def set16(self, off, v):
        self.u16[off // 2] = v & 0xffff

    def close(self):
        if self.u16 is not None:
            self.u16.release()
            self.u16 = None
        try:
            self.mm.close()
        except BufferError:
            pass
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class SplitRing:
    """A split virtqueue laid out in GuestMemory; one descriptor per buffer."""

    def __init__(self, mem, index, size=256):
        self.mem = mem
        self.index = index
        self.size = size
        self.desc = mem.alloc(16 * size, 4096)
        self.avail = mem.alloc(6 + 2 * size, 2)
        self.used = mem.alloc(6 + 8 * size, 4096)
        self.avail_idx = 0
        self.last_used = 0
        self.bufs = {}
        self.kick = os.eventfd(0, os.EFD_CLOEXEC | os.EFD_NONBLOCK)
        self.call = os.eventfd(0, os.EFD_CLOEXEC | os.EFD_NONBLOCK)

    def addr_msg(self, flags=0, log=0):
        m = self.mem
        return vring_addr(self.index, m.uva(self.desc), m.uva(self.used), m.uva(self.avail),
                          flags, log)

    def set_base(self, base):
        """Start both indexes at base (what SET_VRING_BASE will say)."""
        self.avail_idx = base & 0xffff
        self.last_used = base & 0xffff
        for off, v in ((self.avail, 0), (self.avail + 2, base), (self.used, 0),
                       (self.used + 2, base)):
            self.mem.set16(off, v)

    def post(self, off, length, writable, gpa=None):
        """Offer the buffer at memory offset off (or at guest-physical gpa, in
        another region); returns its descriptor id."""
        m = self.mem
        slot = self.avail_idx % self.size
        did = slot
        struct.pack_into("<QIHH", m.mm, self.desc + 16 * did,
                         m.gpa(off) if gpa is None else gpa, length, 2 if writable else 0, 0)
        m.set16(self.avail + 4 + 2 * slot, did)
        self.bufs[did] = (off, length)
        self.avail_idx = (self.avail_idx + 1) & 0xffff
        m.set16(self.avail + 2, self.avail_idx)
        return did

    def notify(self):
        os.eventfd_write(self.kick, 1)

    def used_idx(self):
        return self.mem.get16(self.used + 2)

    def take_used(self):
        """New used entries: [(id, len)]."""
        out = []
        idx = self.used_idx()
        while self.last_used != idx:
            slot = self.last_used % self.size
            did, ln = struct.unpack_from("<II", self.mem.mm, self.used + 4 + 8 * slot)
            out.append((did, ln))
            self.last_used = (self.last_used + 1) & 0xffff
        return out

    def close(self):
        for fd in (self.kick, self.call):
            if fd >= 0:
                os.close(fd)
        self.kick = self.call = -1


class Device:
    """A device set up by handshake(): rings, memory, negotiated features."""

    def __init__(self, fe, mem, rings, features, protocol, hdr_len):
        self.fe = fe
        self.mem = mem
        self.rings = rings
        self.features = features
        self.protocol = protocol
        self.hdr_len = hdr_len
        self.rx_bufs = []

    def fill_rx(self, q=0, n=32, buflen=2048):
        """Offer n writable buffers on the guest RX ring of queue pair q."""
        r = self.rings[2 * q]
        for _ in range(n):
            off = self.mem.alloc(buflen, 64)
            r.post(off, buflen, True)
        r.notify()

    def send(self, frame, q=0):
        """Put one frame (after a zero virtio-net header) on the guest TX ring."""
        r = self.rings[2 * q + 1]
        off = self.mem.alloc(self.hdr_len + len(frame), 64)
        data = bytes(self.hdr_len) + frame
        self.mem.mm[off:off + len(data)] = data
        r.post(off, len(data), False)
        r.notify()

    def received(self, q=0):
        """Frames delivered on the guest RX ring since the last call."""
        r = self.rings[2 * q]
        out = []
        for did, ln in r.take_used():
            off, _ = r.bufs[did]
            data = bytes(self.mem.mm[off:off + ln])
            out.append(data[self.hdr_len:])
        return out

    def wait_frame(self, match, q=0, timeout=5.0):
        """Wait for a received frame for which match(frame) is true."""
        end = time.monotonic() + timeout
        seen = []
        while time.monotonic() < end:
            for f in self.received(q):
                if match(f):
                    return f
                seen.append(f)
            time.sleep(0.01)
        raise Failure("no matching frame within %.0f s (%d others received)" %
                      (timeout, len(seen)))

    def echo(self, q=0, timeout=5.0, tag=None):
        """Send a frame on the TX ring and wait for it back on the RX ring: the
        backend (testpmd io forwarding, loop topology) returns what it gets."""
        tag = tag or os.urandom(8)
        frame = (b"\x02\x00\x00\x00\x00\x01" + b"\x02\x00\x00\x00\x00\x02" + b"\x88\xb5" +
                 b"vhostu-echo" + tag).ljust(60, b"\0")
        self.send(frame, q)
        return self.wait_frame(lambda f: f[:len(frame)] == frame, q, timeout)

    def close(self):
        for r in self.rings:
            r.close()


DEFAULT_WANT = (bit(F_VERSION_1) | bit(F_PROTOCOL_FEATURES) | bit(F_MRG_RXBUF) |
                bit(F_ANY_LAYOUT) | bit(F_MQ))
DEFAULT_PWANT = (bit(PF_MQ) | bit(PF_REPLY_ACK) | bit(PF_STATUS) | bit(PF_LOG_SHMFD) |
                 bit(PF_RARP) | bit(PF_MTU) | bit(PF_CONFIGURE_MEM_SLOTS))


def handshake(fe, mem=None, queues=1, want=DEFAULT_WANT, pwant=DEFAULT_PWANT,
              ring_size=256, base=0, rx_fill=32, split=False):
    """The full valid sequence: SET_OWNER, GET_FEATURES, GET/SET_PROTOCOL_FEATURES,
    SET_FEATURES, SET_MEM_TABLE, per ring NUM/BASE/ADDR/CALL/KICK, SET_VRING_ENABLE,
    SET_STATUS DRIVER_OK. Every message that may be acked is (REPLY_ACK) and must
    succeed. split=True sends every message in pieces with the fds on the last.
    Returns a Device (its memory belongs to it unless mem was given)."""
    mem = mem or GuestMemory()

    def send(req, payload=b"", fds=()):
        if split:
            fe.send_pieces(req, payload, fds, cuts=(3, 12, 15), delay=0.01,
                           need_reply=reply_ack)
        else:
            fe.send(req, payload, fds, need_reply=reply_ack)
        if reply_ack:
            v = fe.reply_u64(req)
            if v != 0:
                raise Failure("handshake: %s refused (ack %d)" % (REQ_NAME[req], v))

    reply_ack = False
    send(SET_OWNER)
    offered = fe.call_u64(GET_FEATURES)
    features = offered & want
    protocol = 0
    if features & bit(F_PROTOCOL_FEATURES):
        poffered = fe.call_u64(GET_PROTOCOL_FEATURES)
        protocol = poffered & pwant
        send(SET_PROTOCOL_FEATURES, u64(protocol))
        reply_ack = bool(protocol & bit(PF_REPLY_ACK))
    send(SET_FEATURES, u64(features))
    send(SET_MEM_TABLE, mem.table(), [mem.fd])
    rings = [SplitRing(mem, i, ring_size) for i in range(2 * queues)]
    for r in rings:
        r.set_base(base)
        send(SET_VRING_NUM, state(r.index, ring_size))
        send(SET_VRING_BASE, state(r.index, base))
        send(SET_VRING_ADDR, r.addr_msg())
        send(SET_VRING_CALL, u64(r.index), [r.call])
        send(SET_VRING_KICK, u64(r.index), [r.kick])
    if features & bit(F_PROTOCOL_FEATURES):
        for r in rings:
            send(SET_VRING_ENABLE, state(r.index, 1))
    if protocol & bit(PF_STATUS):
        send(SET_STATUS, u64(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK))
    hdr_len = 12 if features & (bit(F_VERSION_1) | bit(F_MRG_RXBUF)) else 10
    dev = Device(fe, mem, rings, features, protocol, hdr_len)
    for q in range(queues):
        dev.fill_rx(q, rx_fill)
    return dev


# --- processes ---

def build_dir():
    return os.environ.get("VHOSTU_BUILD") or os.path.join(TOP, "build-peer")


def pmd_path():
    p = os.path.join(build_dir(), "drivers", "net", "vhostu", "librte_net_vhostu.so")
    if not os.path.exists(p):
        raise Failure("%s not found: build first (VHOSTU_BUILD=%s)" % (p, build_dir()))
    return p


def tmpdir(tag):
    return tempfile.mkdtemp(prefix="vhostu-%s-" % tag, dir="/tmp")


@contextlib.contextmanager
def work_dir(tag, keep=False):
    """A test's work directory (logs, sockets). On the way out every process
    left is killed; the directory is removed when the body ran through
    (unless keep), kept for its logs otherwise."""
    workdir = tmpdir(tag)
    log("work dir %s" % workdir)
    ok = False
    try:
        yield workdir
        ok = True
    finally:
        kill_all()
        if ok and not keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            log("logs kept in %s" % workdir)


class Testpmd(Interactive):
    """dpdk-testpmd in interactive mode: commands over a stdin pipe, all output
    (its own and the EAL/PMD logs) into a log file that we read back."""

    prompt = "testpmd> "

    def __init__(self, name, eal, app, log_path, env=None, main_lcore=0):
        argv = (["stdbuf", "-oL", "dpdk-testpmd", "-l", "0,1", "--main-lcore", str(main_lcore),
                 "--no-huge", "-m", "512", "--no-pci",
                 "--file-prefix=" + dpdk_prefix(name)] +
                eal + ["--", "-i", "--total-num-mbufs=16384"] + app)
        e = dict(os.environ)
        e.update(env or {})
        super().__init__(name, argv, log_path, env=e)

    # ports

    def port_stats(self, port):
        out = self.cmd("show port stats %d" % port)
        m_rx = re.search(r"RX-packets:\s*(\d+)", out)
        m_tx = re.search(r"TX-packets:\s*(\d+)", out)
        if not m_rx or not m_tx:
            raise Failure("%s: cannot read port %d stats from:\n%s" % (self.name, port, out))
        return int(m_rx.group(1)), int(m_tx.group(1))

    def counts(self, port=0):
        """(RX-packets, RX-bytes, RX-errors, TX-packets, TX-bytes) of a port."""
        out = self.cmd("show port stats %d" % port)
        vals = []
        for k in ("RX-packets", "RX-bytes", "RX-errors", "TX-packets", "TX-bytes"):
            m = re.search(r"%s:\s*(\d+)" % k, out)
            if not m:
                raise Failure("%s: no %s in:\n%s" % (self.name, k, out))
            vals.append(int(m.group(1)))
        return tuple(vals)

    def xstats(self, port):
        out = self.cmd("show port xstats %d" % port)
        return {k: int(v) for k, v in re.findall(r"^\s*(\w+):\s+(\d+)\s*$", out, re.M)}

    def link_up(self, port):
        out = self.cmd("show port info %d" % port)
        m = re.search(r"Link status:\s*(\w+)", out)
        if not m:
            raise Failure("%s: no link status for port %d in:\n%s" % (self.name, port, out))
        return m.group(1) == "up"

    def wait_link(self, port, up=True, timeout=15.0):
        if not deadline_wait(lambda: self.link_up(port) == up, timeout, 0.1):
            raise Failure("%s: port %d link did not go %s within %.0f s; last output:\n%s" %
                          (self.name, port, "up" if up else "down", timeout, self.tail()))

    def wait_traffic(self, port, timeout=15.0, min_delta=1, rx=True, tx=True):
        """Wait until the port's RX and TX counters both grow; returns the deltas."""
        rx0, tx0 = self.port_stats(port)
        d = [0, 0]

        def grew():
            r, t = self.port_stats(port)
            d[0], d[1] = r - rx0, t - tx0
            return (not rx or d[0] >= min_delta) and (not tx or d[1] >= min_delta)
        if not deadline_wait(grew, timeout, 0.2):
            raise Failure("%s: port %d counters did not grow in %.0f s (rx +%d tx +%d)" %
                          (self.name, port, timeout, d[0], d[1]))
        return d

    def fd_count(self):
        return len(self.fds())


def stable_fds(t, timeout=5.0, gap=0.05):
    """t's open fds once two snapshots gap s apart agree (a client port's
    retry socket lives for microseconds)."""
    last = [t.fds()]

    def same():
        time.sleep(gap)
        now = t.fds()
        ok = now == last[0]
        last[0] = now
        return ok
    deadline_wait(same, timeout, 0)
    return last[0]


def wait_fds(t, base, what, timeout=5.0):
    """Wait until t's open fds are exactly base again; fail with the difference."""
    res = {}

    def same():
        now = t.fds()
        res["extra"] = {k: v for k, v in now.items() if base.get(k) != v}
        res["gone"] = {k: v for k, v in base.items() if k not in now}
        res["n"] = len(now)
        return not res["extra"] and not res["gone"]
    if not deadline_wait(same, timeout, 0.05):
        raise Failure("%s: %s has %d fds, %d before; new: %s; gone: %s" %
                      (what, t.name, res["n"], len(base), res["extra"], res["gone"]))


def backend(ports, workdir, name="backend", fwd="io", extra_app=(), msg_debug=True,
            main_lcore=0):
    """testpmd with our PMD and one net_vhostu port per devargs string in ports,
    io forwarding, each port looped to itself, forwarding started. Returns the
    Testpmd once its prompt is up."""
    eal = []
    for i, devargs in enumerate(ports):
        eal += ["--vdev", "net_vhostu%d,%s" % (i, devargs)]
    eal += ["--log-level=pmd.net.vhostu:debug"]
    if msg_debug:
        eal += ["--log-level=pmd.net.vhostu.msg:debug"]
    app = ["--forward-mode=%s" % fwd, "--port-topology=loop", "--auto-start"] + list(extra_app)
    t = Testpmd(name, eal, app, os.path.join(workdir, name + ".log"),
                env=pmd_env(), main_lcore=main_lcore)
    t.wait_prompt()
    return t


def virtio_user(devargs, workdir, name="virtio-user", queues=1, fwd="io", extra_app=(),
                main_lcore=1):
    """testpmd with DPDK's virtio-user PMD (net_virtio_user0,<devargs>), io
    forwarding, not started (send `start tx_first`). Returns once the prompt is up
    (with server=1 that is after the backend connected)."""
    eal = ["--vdev", "net_virtio_user0," + devargs]
    app = ["--forward-mode=%s" % fwd, "--port-topology=loop",
           "--rxq=%d" % queues, "--txq=%d" % queues] + list(extra_app)
    t = Testpmd(name, eal, app, os.path.join(workdir, name + ".log"), main_lcore=main_lcore)
    t.wait_prompt()
    return t


def pmd_env():
    """Environment that loads our PMD into testpmd. In a sanitizer build the
    PMD needs the sanitizer runtimes loaded first (VHOSTU_SANITIZER_PRELOAD,
    set by test/meson.build); leaks in testpmd itself are not ours to report."""
    rt = os.environ.get("VHOSTU_SANITIZER_PRELOAD", "")
    env = {"LD_PRELOAD": (rt + " " + pmd_path()).strip()}
    if rt:
        env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=1"
    return env


def main_wrapper(fn):
    """Run fn(); print PASS/FAIL; kill every process left; exit status."""
    try:
        fn()
    except Failure as e:
        log("FAIL: %s" % e)
        kill_all()
        sys.exit(1)
    except Exception:
        import traceback
        traceback.print_exc()
        log("FAIL: unexpected exception")
        kill_all()
        sys.exit(1)
    kill_all()
    log("PASS")
