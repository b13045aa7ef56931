#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""net_vhostu's control plane against a scripted frontend on a real socket.

One backend (dpdk-testpmd + our PMD, io forwarding, each port looped to
itself) with three ports:
  port 0  server: the scripted frontend plays here, valid and hostile;
  port 1  server: DPDK virtio-user in a second testpmd, forwarding all along;
  port 2  client: the scripted frontend listens, the backend connects to it.

Part 1 plays every message we handle and checks the replies and their effect
(traffic through a ring the script owns). Part 2 plays every hostile class of
doc/protocol.md that concerns messages. After every case:
  - the backend logged a clear line for it (regex on its log),
  - it answered with an error (u64 != 0) or closed the connection, as the case says,
  - the process is alive,
  - once the connection is gone, its open fds are exactly those it had before
    and none of the test's memfds is still mapped,
  - a new connection with a full valid handshake carries a frame both ways,
  - port 1's counters kept growing (the other port never noticed).

Usage: test_protocol_hostile.py [-k SUBSTRING] [-v]
(VHOSTU_BUILD = build dir; PYTHONPATH=test/lib; meson test sets both)
"""

import argparse
import os
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True    # no __pycache__ in the source tree
from vhostu_frontend import (ADD_MEM_REG, F_LOG_ALL, F_NEED_REPLY,  # noqa: E402
                             F_PROTOCOL_FEATURES, F_REPLY, F_VERSION_1, Failure, Frontend,
                             GET_CONFIG, GET_FEATURES, GET_MAX_MEM_SLOTS, GET_PROTOCOL_FEATURES,
                             GET_QUEUE_NUM, GET_STATUS, GET_VRING_BASE, GuestMemory, HDR,
                             NET_SET_MTU, OFFERED_DEFAULT, PF_REPLY_ACK, REM_MEM_REG, RESET_DEVICE,
                             RESET_OWNER, SEND_RARP, SET_BACKEND_REQ_FD, SET_FEATURES,
                             SET_INFLIGHT_FD, SET_LOG_BASE, SET_LOG_FD, SET_MEM_TABLE, SET_OWNER,
                             SET_PROTOCOL_FEATURES, SET_STATUS, SET_VRING_ADDR, SET_VRING_BASE,
                             SET_VRING_CALL, SET_VRING_ENABLE, SET_VRING_ERR, SET_VRING_KICK,
                             SET_VRING_NUM, VERSION, VRING_F_LOG, VRING_NOFD, backend, bit,
                             deadline_wait, handshake, log, log_base, main_wrapper, mem_single,
                             mem_table, region, stable_fds, state, u64, virtio_user, vring_addr,
                             wait_fds, work_dir)
import vhostu_frontend as V  # noqa: E402

P0 = "net_vhostu0: "
CASES = []


XFAIL = {}


def case(name, xfail=None):
    """Register a case; xfail names a known driver bug: the case's failure is
    reported as XFAIL and does not fail the run (remove the mark once fixed)."""
    def deco(fn):
        CASES.append((name, fn))
        if xfail:
            XFAIL[name] = xfail
        return fn
    return deco


class Ctx:
    """What a case gets: the backend, a fresh connection on port 0, helpers."""

    def __init__(self, b, sock0):
        self.b = b
        self.sock0 = sock0
        self.fe = None
        self.mark = 0
        self.owned = []     # fds, memories, devices to release after the case

    def connect(self):
        if self.fe:
            self.fe.close()
        self.fe = Frontend.connect(self.sock0)
        return self.fe

    def mem(self, tag, size=2 << 20, **kw):
        m = GuestMemory(size=size, name="vht-" + tag, **kw)
        self.owned.append(m)
        return m

    def memfd(self, tag, size=1 << 20):
        fd = V.memfd("vht-" + tag, size)
        self.owned.append(fd)
        return fd

    def eventfd(self):
        fd = os.eventfd(0, os.EFD_CLOEXEC)
        self.owned.append(fd)
        return fd

    def handshake(self, **kw):
        kw.setdefault("mem", self.mem("hs"))
        dev = handshake(self.fe, **kw)
        self.owned.append(dev)
        return dev

    def release(self):
        if self.fe:
            self.fe.close()
            self.fe = None
        for o in reversed(self.owned):
            if isinstance(o, int):
                os.close(o)
            else:
                o.close()
        self.owned = []

    # expectations

    def expect_log(self, pattern, timeout=5.0):
        m = self.b.wait_log(pattern, self.mark, timeout)
        if not m:
            raise Failure("no log line matching /%s/; backend log since the case began:\n%s" %
                          (pattern, self.b.text(self.mark)[-3000:]))
        log("    log: %s" % self.b.text(self.mark)[m.start():].splitlines()[0].strip())
        return m

    def expect_no_log(self, pattern, window=0.5):
        """Absence needs a window: nothing matching appears within it."""
        if self.b.wait_log(pattern, self.mark, window):
            raise Failure("unexpected log line /%s/:\n%s" % (pattern, self.b.text(self.mark)))

    def refused(self, req, pattern, how="either"):
        """After a message sent with NEED_REPLY: an error ack (u64 != 0) or a
        closed connection ('ack', 'closed' or 'either'), and a log line."""
        kind, v = self.fe.outcome(req)
        name = V.REQ_NAME.get(req, str(req))
        if kind == "ack" and v == 0:
            raise Failure("%s was accepted (ack 0), expected a refusal" % name)
        if how != "either" and kind != how:
            raise Failure("%s: expected %s, got %s" % (name, "an error reply" if how == "ack"
                                                       else "a closed connection",
                                                       "a closed connection" if kind == "closed"
                                                       else "ack %d" % v))
        log("    %s -> %s" % (name, "closed" if kind == "closed" else "error ack %d" % v))
        self.expect_log(pattern)
        if kind == "ack" and not self.fe.alive():
            raise Failure("the connection died after an error reply to %s" % name)
        return kind

    def closed(self, pattern):
        if not self.fe.wait_closed(5.0):
            raise Failure("the backend kept the connection open")
        log("    connection closed by the backend")
        self.expect_log(pattern)

    def ok(self, req, payload=b"", fds=()):
        self.fe.ok(req, payload, fds)


def wait_fds_back(b, base, what, timeout=5.0):
    """b's fds are exactly base again and none of the test's memfds is mapped."""
    wait_fds(b, base, what, timeout)
    maps = b.maps_matching("memfd:vht-")
    if maps:
        raise Failure("%s: test memory still mapped in the backend:\n%s" % (what, "".join(maps)))


def valid_session(ctx, tag):
    """A new connection, the full valid handshake, a frame both ways, disconnect."""
    b = ctx.b
    mark = b.size()
    with Frontend.connect(ctx.sock0) as fe:
        mem = GuestMemory(name="vht-" + tag)
        try:
            dev = handshake(fe, mem)
            if not b.wait_log(P0 + "link up", mark, 5.0):
                raise Failure("valid handshake after the case: port 0 link did not come up:\n%s"
                              % b.text(mark)[-3000:])
            dev.echo()
            dev.close()
        finally:
            fe.close()
            mem.close()
    if not b.wait_log(P0 + "link down", mark, 5.0):
        raise Failure("port 0 link did not go down after the valid session closed")


def run_case(b, peer, sock0, base, name, fn):
    log("case: %s" % name)
    ctx = Ctx(b, sock0)
    rx1_0, _ = b.port_stats(1)
    ctx.mark = b.size()
    ctx.connect()
    try:
        fn(ctx)
        if name in XFAIL:
            log("  XPASS: %s: the known bug (%s) seems fixed: remove the xfail mark" %
                (name, XFAIL[name]))
    except Failure as e:
        if name not in XFAIL:
            raise
        log("  XFAIL (known driver bug: %s): %s" % (XFAIL[name], e))
    finally:
        ctx.release()
    b.check_alive()
    wait_fds_back(b, base, name + ": after the connection closed")
    valid_session(ctx, "recover")
    wait_fds_back(b, base, name + ": after the valid session")
    # A short case on a loaded machine may end before the peer was scheduled:
    # port 1 must move within a bounded wait, not within the case.
    deadline_wait(lambda: b.port_stats(1)[0] > rx1_0, 5.0)
    rx1, _ = b.port_stats(1)
    if rx1 <= rx1_0:
        raise Failure("%s: port 1 stopped forwarding (rx %d -> %d)" % (name, rx1_0, rx1))
    peer.check_alive()
    log("  ok (backend alive, fds back to %d, recovered, port 1 +%d rx)" %
        (len(base), rx1 - rx1_0))


# ---------------------------------------------------------------------------
# Part 1: every message we handle, valid
# ---------------------------------------------------------------------------

@case("spec: GET_FEATURES, GET_PROTOCOL_FEATURES, GET_QUEUE_NUM, GET_MAX_MEM_SLOTS")
def _(c):
    f = c.fe.call_u64(GET_FEATURES)
    log("    features 0x%x" % f)
    if f != OFFERED_DEFAULT:
        raise Failure("GET_FEATURES 0x%x, expected 0x%x" % (f, OFFERED_DEFAULT))
    pf = c.fe.call_u64(GET_PROTOCOL_FEATURES)
    log("    protocol features 0x%x" % pf)
    if pf & 0x3 != 0x3:
        raise Failure("protocol features 0x%x lack MQ and LOG_SHMFD" % pf)
    if not pf & bit(PF_REPLY_ACK):
        raise Failure("protocol features 0x%x lack REPLY_ACK" % pf)
    c.ok(SET_PROTOCOL_FEATURES, u64(pf))
    q = c.fe.call_u64(GET_QUEUE_NUM)
    if q != 1:
        raise Failure("GET_QUEUE_NUM %d, port 0 has 1 queue pair" % q)
    slots = c.fe.call_u64(GET_MAX_MEM_SLOTS)
    log("    queue num %d, max mem slots %d" % (q, slots))
    if slots < 8:
        raise Failure("GET_MAX_MEM_SLOTS %d < 8" % slots)
    # a GET with NEED_REPLY gets its reply, once
    c.fe.send(GET_FEATURES, need_reply=True)
    if c.fe.reply_u64(GET_FEATURES) != f:
        raise Failure("GET_FEATURES with NEED_REPLY answered differently")
    if not c.fe.alive():
        raise Failure("a second reply (or a close) followed GET_FEATURES with NEED_REPLY")


# testpmd turns LSC interrupts on, so rte_eth_link_get() reads the copy the
# driver publishes with rte_eth_linkstatus_set() before raising the event.
@case("spec: the ethdev link status (testpmd's show port info) follows the frontend")
def _(c):
    dev = c.handshake()
    c.expect_log(P0 + "link up")
    if not c.b.link_up(0):
        raise Failure("the PMD logged 'link up' and raised LSC, but rte_eth_link_get() "
                      "(testpmd 'show port info 0') says down")
    dev.echo()
    c.fe.close()
    c.expect_log(P0 + "link down")
    if c.b.link_up(0):
        raise Failure("the PMD logged 'link down', rte_eth_link_get() says up")


@case("spec: full handshake, traffic both ways, SET/GET_STATUS")
def _(c):
    dev = c.handshake()
    c.expect_log(P0 + "link up")
    dev.echo()
    st = c.fe.call_u64(GET_STATUS)
    if st != 0xf:
        raise Failure("GET_STATUS %#x after SET_STATUS 0xf" % st)
    c.ok(SET_STATUS, u64(0x7))   # DRIVER_OK kept
    if c.fe.call_u64(GET_STATUS) != 0x7:
        raise Failure("GET_STATUS does not return what SET_STATUS set")
    c.ok(SET_STATUS, u64(0))     # reset by status: link goes down
    c.expect_log(P0 + "link down")


@case("spec: the handshake with every message in pieces, fds on the last piece")
def _(c):
    dev = c.handshake(split=True)
    c.expect_log(P0 + "link up")
    dev.echo()


@case("spec: a message in pieces with fds on the first piece and long gaps")
def _(c):
    mem = c.mem("pieces")
    c.fe.ok(SET_OWNER)
    # SET_MEM_TABLE: header in 3 pieces, the fd on the first, 0.3 s between pieces;
    # port 1 must keep forwarding while the control thread waits for the rest.
    b = c.b
    rx0, _ = b.port_stats(1)
    c.fe.send_pieces(SET_MEM_TABLE, mem.table(), [mem.fd], cuts=(2, 7, 12, 30), delay=0.3,
                     fds_on=0, need_reply=True)
    if c.fe.reply_u64(SET_MEM_TABLE) != 0:
        raise Failure("SET_MEM_TABLE sent in pieces was refused")
    rx1, _ = b.port_stats(1)
    if rx1 <= rx0:
        raise Failure("port 1 did not forward while a message arrived in pieces")
    dev = c.handshake(mem=mem)   # replaces the table with the same one
    c.expect_log(P0 + "link up")
    dev.echo()


@case("spec: 200 messages in one send (framing of back-to-back messages)")
def _(c):
    blob = b"".join(HDR.pack(SET_VRING_NUM, VERSION | F_NEED_REPLY, 8) + state(i % 2, 256)
                    for i in range(200))
    c.fe.send_raw(blob)
    for i in range(200):
        if c.fe.reply_u64(SET_VRING_NUM) != 0:
            raise Failure("message %d of the batch refused" % i)


@case("spec: SET_VRING_BASE, GET_VRING_BASE stops the ring, a new KICK restarts it")
def _(c):
    dev = c.handshake(base=1000)
    c.expect_log(P0 + "link up")
    for _ in range(3):
        dev.echo()
    txr = dev.rings[1]
    c.ok(SET_VRING_ENABLE, state(1, 0))
    st = c.fe.call(GET_VRING_BASE, state(1, 0))
    idx, num = struct.unpack("<II", st)
    log("    GET_VRING_BASE(1) -> index %d num %d" % (idx, num))
    if (idx, num) != (1, 1003):
        raise Failure("GET_VRING_BASE(1) = (%d, %d), expected (1, 1003): base 1000 + 3 frames"
                      % (idx, num))
    # stopped: a frame posted now is not consumed
    used0 = txr.used_idx()
    dev.send(b"\xff" * 60)
    if deadline_wait(lambda: txr.used_idx() != used0, 0.5):
        raise Failure("the ring consumed a frame after GET_VRING_BASE stopped it")
    kick = c.eventfd()
    c.ok(SET_VRING_BASE, state(1, num))
    c.ok(SET_VRING_KICK, u64(1), [kick])
    c.ok(SET_VRING_ENABLE, state(1, 1))
    if not deadline_wait(lambda: txr.used_idx() != used0, 5.0):
        raise Failure("the ring did not resume after SET_VRING_KICK + SET_VRING_ENABLE")
    dev.echo()


@case("spec: SET_VRING_ENABLE 0/1 takes the link down and up")
def _(c):
    dev = c.handshake()
    c.expect_log(P0 + "link up")
    c.mark = c.b.size()
    c.ok(SET_VRING_ENABLE, state(0, 0))
    c.expect_log(P0 + "link down")
    c.mark = c.b.size()
    c.ok(SET_VRING_ENABLE, state(0, 1))
    c.expect_log(P0 + "link up")
    dev.echo()


@case("spec: without PROTOCOL_FEATURES a kicked ring is enabled at once")
def _(c):
    dev = c.handshake(want=V.DEFAULT_WANT & ~bit(F_PROTOCOL_FEATURES))
    c.expect_log(P0 + "link up")
    dev.echo()


@case("spec: SEND_RARP announces the MAC on the receive path")
def _(c):
    dev = c.handshake()
    c.expect_log(P0 + "link up")
    mac = b"\x52\x54\x00\x12\x34\x56"
    c.ok(SEND_RARP, mac + b"\0\0")
    f = dev.wait_frame(lambda f: f[12:14] == b"\x80\x35")
    if f[0:6] != b"\xff" * 6 or f[6:12] != mac:
        raise Failure("RARP frame dst %s src %s, expected broadcast from %s" %
                      (f[0:6].hex(), f[6:12].hex(), mac.hex()))
    log("    RARP frame from %s received" % f[6:12].hex(":"))


@case("spec: NET_SET_MTU, SET_VRING_ERR, SET_LOG_FD, SET_VRING_CALL without fd")
def _(c):
    c.handshake()
    c.ok(NET_SET_MTU, u64(9000))
    c.ok(SET_VRING_ERR, u64(0), [c.eventfd()])
    c.ok(SET_VRING_ERR, u64(0 | VRING_NOFD))
    c.ok(SET_LOG_FD, b"", [c.eventfd()])
    c.ok(SET_VRING_CALL, u64(1 | VRING_NOFD))


@case("spec: SET_LOG_BASE + LOG_ALL: the datapath marks the pages it writes")
def _(c):
    dev = c.handshake(want=V.DEFAULT_WANT | bit(F_LOG_ALL))
    if not dev.features & bit(F_LOG_ALL):
        raise Failure("LOG_ALL not offered")
    c.expect_log(P0 + "link up")
    logfd = c.memfd("log", 4096)
    c.fe.send(SET_LOG_BASE, log_base(4096, 0), [logfd], need_reply=True)
    if c.fe.reply_u64(SET_LOG_BASE) != 0:
        raise Failure("SET_LOG_BASE refused")
    rxr = dev.rings[0]
    m = dev.mem
    c.ok(SET_VRING_ADDR, rxr.addr_msg(VRING_F_LOG, m.gpa(rxr.used)))
    dev.echo()
    logm = os.pread(logfd, 4096, 0)

    def dirty(gpa):
        p = gpa // 4096
        return bool(logm[p // 8] & (1 << (p % 8)))
    # the buffer the echo landed in: the last one used on the RX ring
    did, _ = struct.unpack_from("<II", m.mm, rxr.used + 4 + 8 * ((rxr.last_used - 1) % rxr.size))
    buf_gpa = m.gpa(rxr.bufs[did][0])
    if not dirty(buf_gpa):
        raise Failure("the page of the RX buffer written (gpa 0x%x) is not marked dirty" % buf_gpa)
    if not dirty(m.gpa(rxr.used)):
        raise Failure("the used ring page (gpa 0x%x) is not marked dirty" % m.gpa(rxr.used))
    log("    dirty: buffer page 0x%x and used ring page 0x%x" % (buf_gpa, m.gpa(rxr.used)))


@case("spec: ADD_MEM_REG carries traffic, REM_MEM_REG unmaps it")
def _(c):
    dev = c.handshake()
    c.expect_log(P0 + "link up")
    m2 = c.mem("add", 1 << 20, gpa0=0x40000000, uva0=0x7f3400000000)
    c.ok(ADD_MEM_REG, mem_single(m2.region()), [m2.fd])
    if not c.b.maps_matching("memfd:vht-add"):
        raise Failure("ADD_MEM_REG: the region is not mapped in the backend")
    # a frame whose buffer lives in the added region
    txr = dev.rings[1]
    frame = b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x88\xb5" + b"added-region".ljust(46, b"\0")
    off = m2.alloc(12 + len(frame))
    m2.mm[off:off + 12 + len(frame)] = bytes(12) + frame
    txr.post(None, 12 + len(frame), False, gpa=m2.gpa(off))
    dev.wait_frame(lambda f: f[:len(frame)] == frame)
    log("    frame from the added region came back")
    c.ok(REM_MEM_REG, mem_single(m2.region()))
    if c.b.maps_matching("memfd:vht-add"):
        raise Failure("REM_MEM_REG: the region is still mapped")
    dev.echo()


@case("spec: RESET_OWNER forgets the device; a new handshake on the same connection")
def _(c):
    dev = c.handshake()
    c.expect_log(P0 + "link up")
    c.mark = c.b.size()
    c.fe.send(RESET_OWNER)
    c.expect_log(P0 + "link down")
    if c.b.maps_matching("memfd:vht-hs"):
        raise Failure("RESET_OWNER left the memory mapped")
    dev.close()
    c.mark = c.b.size()
    dev = c.handshake(mem=c.mem("hs2"))
    c.expect_log(P0 + "link up")
    dev.echo()


@case("spec: a new connection replaces the connected one")
def _(c):
    c.handshake()
    c.expect_log(P0 + "link up")
    with Frontend.connect(c.sock0) as fe2:
        if not c.fe.wait_closed(5.0):
            raise Failure("the old connection was not closed when a new one came")
        c.expect_log(P0 + "a new frontend replaces the connected one")
        dev = handshake(fe2, c.mem("hs2"))
        c.owned.append(dev)
        dev.echo()


# ---------------------------------------------------------------------------
# Part 2: hostile
# ---------------------------------------------------------------------------

@case("hostile: 3 fds on SET_OWNER")
def _(c):
    c.fe.send(SET_OWNER, b"", [c.eventfd() for _ in range(3)], need_reply=True)
    c.refused(SET_OWNER, P0 + r"SET_OWNER: 3 fds attached")


@case("hostile: an fd on GET_FEATURES")
def _(c):
    c.fe.send(GET_FEATURES, b"", [c.eventfd()])
    c.refused(GET_FEATURES, P0 + r"GET_FEATURES: 1 fds attached")


@case("hostile: SET_FEATURES with 8 fds")
def _(c):
    c.fe.send(SET_FEATURES, u64(bit(F_VERSION_1)), [c.eventfd() for _ in range(8)],
              need_reply=True)
    c.refused(SET_FEATURES, P0 + r"SET_FEATURES: 8 fds attached")


@case("hostile: 2 fds on SET_VRING_KICK")
def _(c):
    c.handshake()
    c.fe.send(SET_VRING_KICK, u64(0), [c.eventfd(), c.eventfd()], need_reply=True)
    c.refused(SET_VRING_KICK, P0 + r"SET_VRING_KICK: 2 fds attached")


@case("hostile: 2 fds on SET_LOG_BASE")
def _(c):
    c.fe.send(SET_LOG_BASE, log_base(4096, 0), [c.memfd("log", 4096), c.eventfd()],
              need_reply=True)
    c.refused(SET_LOG_BASE, P0 + r"SET_LOG_BASE: 2 fds attached")


@case("hostile: 1 region with 3 fds on SET_MEM_TABLE")
def _(c):
    m = c.mem("mt")
    c.fe.send(SET_MEM_TABLE, m.table(), [m.fd, c.eventfd(), c.eventfd()], need_reply=True)
    c.refused(SET_MEM_TABLE, P0 + r"SET_MEM_TABLE: 1 regions with 3 fds")


@case("hostile: 9 fds on one message")
def _(c):
    c.fe.send(SET_OWNER, b"", [c.eventfd() for _ in range(9)], need_reply=True)
    c.refused(SET_OWNER, P0 + r"more than 8 fds", how="closed")


@case("hostile: fds on every piece of a message (5 + 5)")
def _(c):
    fds = [c.eventfd() for _ in range(10)]
    data = HDR.pack(SET_VRING_CALL, VERSION | F_NEED_REPLY, 8) + u64(0)
    c.fe.send_raw(data[:6], fds[:5])
    time.sleep(0.05)
    c.fe.send_raw(data[6:], fds[5:])
    c.refused(SET_VRING_CALL, P0 + r"SET_VRING_CALL: 8 fds attached", how="closed")


@case("hostile: an fd on an unknown request (99) and on SET_BACKEND_REQ_FD")
def _(c):
    c.fe.send(99, u64(0), [c.eventfd(), c.eventfd()], need_reply=True)
    c.refused(99, P0 + r"request UNKNOWN \(99\) is not supported", how="ack")
    c.fe.send(SET_BACKEND_REQ_FD, b"", [c.eventfd()], need_reply=True)
    c.refused(SET_BACKEND_REQ_FD, P0 + r"request SET_BACKEND_REQ_FD \(21\) is not supported",
              how="ack")


@case("hostile: repeated SET_VRING_NUM x100")
def _(c):
    c.handshake()
    n0 = c.b.fd_count()
    for i in range(100):
        c.ok(SET_VRING_NUM, state(i % 2, 1 << (i % 15 + 1)))
    if c.b.fd_count() != n0:
        raise Failure("fd count %d -> %d after 100 SET_VRING_NUM" % (n0, c.b.fd_count()))


@case("hostile: repeated SET_MEM_TABLE x20, new memfd each time")
def _(c):
    c.ok(SET_OWNER)
    n0 = None
    for i in range(20):
        m = c.mem("mt%d" % i, 1 << 20, gpa0=0x100000 * (1 + i % 3))
        c.ok(SET_MEM_TABLE, m.table(), [m.fd])
        maps = c.b.maps_matching("memfd:vht-")
        if len(maps) != 1 or ("vht-mt%d " % i) not in maps[0]:
            raise Failure("after SET_MEM_TABLE #%d the backend maps:\n%s" % (i, "".join(maps)))
        n = c.b.fd_count()
        if n0 is None:
            n0 = n
        elif n != n0:
            raise Failure("fd count %d -> %d after SET_MEM_TABLE #%d" % (n0, n, i))


@case("hostile: repeated SET_LOG_BASE x20, new memfd each time")
def _(c):
    c.ok(SET_OWNER)
    n0 = c.b.fd_count()
    for i in range(20):
        c.fe.send(SET_LOG_BASE, log_base(4096, 0), [c.memfd("log%d" % i, 4096)],
                  need_reply=True)
        if c.fe.reply_u64(SET_LOG_BASE) != 0:
            raise Failure("SET_LOG_BASE #%d refused" % i)
        maps = c.b.maps_matching("memfd:vht-")
        if len(maps) != 1 or ("vht-log%d " % i) not in maps[0]:
            raise Failure("after SET_LOG_BASE #%d the backend maps:\n%s" % (i, "".join(maps)))
    if c.b.fd_count() != n0:
        raise Failure("fd count %d -> %d after 20 SET_LOG_BASE" % (n0, c.b.fd_count()))


@case("hostile: repeated SET_VRING_KICK/CALL/ERR x20, new eventfd each time")
def _(c):
    c.handshake()
    n0 = c.b.fd_count()
    for i in range(20):
        for req in (SET_VRING_KICK, SET_VRING_CALL, SET_VRING_ERR):
            fd = os.eventfd(0, os.EFD_CLOEXEC)
            try:
                c.ok(req, u64(i % 2), [fd])
            finally:
                os.close(fd)
    if c.b.fd_count() != n0 + 2:    # the two rings gained an err fd each
        raise Failure("fd count %d -> %d after 60 fd messages (2 err fds expected)" %
                      (n0, c.b.fd_count()))


@case("hostile: a full pipe or a socket as kick/call/err fd is refused; port 1 forwards on")
def _(c):
    dev = c.handshake()
    c.expect_log(P0 + "link up")
    r, w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
    c.owned += [r, w]
    # Full: had the backend taken it as call fd, its first call would block the
    # worker lcore that also serves port 1.
    try:
        while True:
            os.write(w, b"\0" * 4096)
    except BlockingIOError:
        pass
    s1, s2 = socket.socketpair()
    c.owned += [s1, s2]
    rx0, _ = c.b.port_stats(1)
    for fd, kind in ((w, r"pipe:\[\d+\]"), (s1.fileno(), r"socket:\[\d+\]")):
        for req in (SET_VRING_CALL, SET_VRING_KICK, SET_VRING_ERR):
            for idx in (0, 1):
                c.fe.send(req, u64(idx), [fd], need_reply=True)
                c.refused(req, P0 + r"%s: vring %d: fd \d+ is %s, not an eventfd: refused" %
                          (V.REQ_NAME[req], idx, kind), how="ack")
                c.mark = c.b.size()
    # The rings kept their eventfds: traffic (and its calls) goes on.
    for _ in range(4):
        dev.echo()
    if not deadline_wait(lambda: c.b.port_stats(1)[0] > rx0, 5.0):
        raise Failure("port 1 stopped forwarding while port 0 got a pipe as call fd")


@case("hostile: ADD_MEM_REG beyond the slot count, overlapping, empty; REM_MEM_REG unknown")
def _(c):
    c.ok(SET_OWNER)
    slots = c.fe.call_u64(GET_MAX_MEM_SLOTS)
    n0 = c.b.fd_count()
    for i in range(slots):
        fd = V.memfd("vht-slot%d" % i, 4096)
        try:
            c.ok(ADD_MEM_REG, mem_single(region(0x1000000 + i * 0x10000, 4096,
                                                0x7f5500000000 + i * 0x10000, 0)), [fd])
        finally:
            os.close(fd)
    if c.b.fd_count() != n0 + slots:
        raise Failure("%d regions added, fd count %d -> %d" % (slots, n0, c.b.fd_count()))
    fd = c.memfd("slotx", 4096)
    c.fe.send(ADD_MEM_REG, mem_single(region(0x2000000, 4096, 0x7f5600000000, 0)), [fd],
              need_reply=True)
    c.refused(ADD_MEM_REG, P0 + r"ADD_MEM_REG .*No space left")
    c.ok(REM_MEM_REG, mem_single(region(0x1000000, 4096, 0x7f5500000000, 0)))
    c.fe.send(ADD_MEM_REG, mem_single(region(0x1010800, 4096, 0x7f5600000000, 0)), [fd],
              need_reply=True)
    c.refused(ADD_MEM_REG, P0 + r"ADD_MEM_REG .*File exists")
    c.fe.send(ADD_MEM_REG, mem_single(region(0x3000000, 0, 0x7f5700000000, 0)), [fd],
              need_reply=True)
    c.refused(ADD_MEM_REG, P0 + r"ADD_MEM_REG .*size 0x0\)")
    c.fe.send(REM_MEM_REG, mem_single(region(0x5000000, 4096, 0x7f5800000000, 0)),
              need_reply=True)
    c.refused(REM_MEM_REG, P0 + r"REM_MEM_REG: no region at gpa 0x5000000")
    if c.b.fd_count() != n0 + slots - 1:
        raise Failure("fd count %d, expected %d" % (c.b.fd_count(), n0 + slots - 1))


def _bad_index(req, payload_fn, pattern, how="either", setup=True):
    def fn(c):
        if setup:
            c.handshake()
        for idx in (2, 0x10000 | 0, 0xffffffff):
            c.mark = c.b.size()
            payload, fds = payload_fn(c, idx)
            c.fe.send(req, payload, fds, need_reply=True)
            kind = c.refused(req, P0 + pattern % {"i": idx})
            if kind == "closed":
                if idx != 0xffffffff:
                    c.fe.close()
                    c.connect()
                    c.handshake(mem=c.mem("hs%x" % idx))
    return fn


for _req, _pf, _pat in [
        (SET_VRING_NUM, lambda c, i: (state(i, 256), []),
         r"SET_VRING_NUM: vring index %(i)d out of range"),
        (SET_VRING_BASE, lambda c, i: (state(i, 0), []),
         r"SET_VRING_BASE: vring index %(i)d out of range"),
        (SET_VRING_ENABLE, lambda c, i: (state(i, 1), []),
         r"SET_VRING_ENABLE: vring index %(i)d out of range"),
        (SET_VRING_ADDR, lambda c, i: (vring_addr(i, 0x7f1200000000, 0x7f1200004000,
                                                  0x7f1200002000), []),
         r"SET_VRING_ADDR: vring index %(i)d out of range"),
        (GET_VRING_BASE, lambda c, i: (state(i, 0), []),
         r"GET_VRING_BASE: vring index %(i)d out of range")]:
    case("hostile: %s with vring index 2, 0x10000, 0xffffffff" % V.REQ_NAME[_req])(
        _bad_index(_req, _pf, _pat))


@case("hostile: SET_VRING_KICK/CALL/ERR naming ring 2, 0xff, and with bits above the index")
def _(c):
    c.handshake()
    for req in (SET_VRING_KICK, SET_VRING_CALL, SET_VRING_ERR):
        name = V.REQ_NAME[req]
        for v, pat in ((2, r"%s: vring index 2 out of range"),
                       (0xff, r"%s: vring index 255 out of range"),
                       (0x10000, r"%s: payload 0x10000 has bits beyond"),
                       (0x100000000, r"%s: payload 0x100000000 has bits beyond")):
            c.mark = c.b.size()
            c.fe.send(req, u64(v), [c.eventfd()], need_reply=True)
            c.refused(req, P0 + pat % name, how="ack")
        c.mark = c.b.size()
        c.fe.send(req, u64(0 | VRING_NOFD), [c.eventfd()], need_reply=True)
        c.refused(req, P0 + r"%s: no-fd flag 1 but 1 fds attached" % name, how="ack")
        c.mark = c.b.size()
        c.fe.send(req, u64(0), [], need_reply=True)
        c.refused(req, P0 + r"%s: no-fd flag 0 but 0 fds attached" % name, how="ack")


# A frontend that went on without its log would migrate a guest whose dirty
# pages nobody recorded: the connection must go.
@case("hostile: SET_LOG_BASE size/offset overflow, size 0, beyond the memfd, not a file")
def _(c):
    for size, off, pat, fd in ((0x2000, 0xfffffffffffff000, "Invalid argument", None),
                               (0xffffffffffffffff, 0x1000, "Invalid argument", None),
                               (0, 0, "Invalid argument", None),
                               (0x2000, 0, "Numerical result out of range", None),
                               (0x1000, 0x1000, "Numerical result out of range", None),
                               (0x1000, 0, "Bad file descriptor", c.eventfd())):
        c.mark = c.b.size()
        c.ok(SET_OWNER)
        c.fe.send(SET_LOG_BASE, log_base(size, off), [fd or c.memfd("log", 4096)],
                  need_reply=True)
        c.refused(SET_LOG_BASE, P0 + r"SET_LOG_BASE size 0x%x offset 0x%x: %s: closing the "
                  r"connection" % (size, off, pat), how="closed")
        c.connect()


def _mem_refused(c, body, fds, pattern, how="either"):
    c.mark = c.b.size()
    c.fe.send(SET_MEM_TABLE, body, fds, need_reply=True)
    if c.refused(SET_MEM_TABLE, P0 + pattern, how) == "closed":
        c.connect()
        c.ok(SET_OWNER)


@case("hostile: SET_MEM_TABLE regions whose gpa/uva/offset + size overflow")
def _(c):
    c.ok(SET_OWNER)
    fd = c.memfd("ovf", 1 << 20)
    for reg, what in ((region(0xfffffffffffff000, 0x2000, 0x7f0000000000, 0), "gpa"),
                      (region(0x100000, 0x2000, 0xfffffffffffff000, 0), "uva"),
                      (region(0x100000, 0x2000, 0x7f0000000000, 0xfffffffffffff000), "offset"),
                      (region(0x100000, 0xffffffffffffffff, 0x7f0000000000, 0), "size")):
        log("    overflow in %s" % what)
        _mem_refused(c, mem_table([reg]), [fd], r"SET_MEM_TABLE: region 0 .*: (Value too "
                     r"large|Invalid argument|Numerical result out of range)")


@case("hostile: SET_MEM_TABLE overlapping regions (gpa, uva)")
def _(c):
    c.ok(SET_OWNER)
    a, b_ = c.memfd("ova", 1 << 20), c.memfd("ovb", 1 << 20)
    _mem_refused(c, mem_table([region(0x100000, 1 << 20, 0x7f0000000000, 0),
                               region(0x180000, 1 << 20, 0x7f1000000000, 0)]), [a, b_],
                 r"SET_MEM_TABLE: region 1 .*File exists")
    _mem_refused(c, mem_table([region(0x100000, 1 << 20, 0x7f0000000000, 0),
                               region(0x900000, 1 << 20, 0x7f0000080000, 0)]), [a, b_],
                 r"SET_MEM_TABLE: region 1 .*File exists")


@case("hostile: SET_MEM_TABLE with 0 regions, 9 regions, 0xffffffff regions")
def _(c):
    c.ok(SET_OWNER)
    fd = c.memfd("cnt", 1 << 20)
    reg = region(0x100000, 1 << 20, 0x7f0000000000, 0)
    _mem_refused(c, mem_table([reg], nregions=0), [fd],
                 r"SET_MEM_TABLE: 0 regions with 1 fds")
    _mem_refused(c, mem_table([], nregions=0), [fd],
                 r"SET_MEM_TABLE: payload of 8 bytes")
    regs = [region(0x100000 * (i + 1), 4096, 0x7f0000000000 + 0x100000 * i, 0)
            for i in range(8)]
    fds = [c.memfd("cnt%d" % i, 4096) for i in range(8)]
    _mem_refused(c, mem_table(regs, nregions=9), fds, r"SET_MEM_TABLE: 9 regions with 8 fds")
    _mem_refused(c, mem_table(regs, nregions=0xffffffff), fds,
                 r"SET_MEM_TABLE: 4294967295 regions")
    regs9 = regs + [region(0x1000000, 4096, 0x7f0001000000, 0)]
    _mem_refused(c, mem_table(regs9), fds, r"SET_MEM_TABLE with a 296-byte payload", how="closed")


@case("hostile: SET_MEM_TABLE fd count not matching the regions")
def _(c):
    c.ok(SET_OWNER)
    a, b_ = c.memfd("fa", 1 << 20), c.memfd("fb", 1 << 20)
    two = mem_table([region(0x100000, 1 << 20, 0x7f0000000000, 0),
                     region(0x200000, 1 << 20, 0x7f0000100000, 0)])
    _mem_refused(c, two, [a], r"SET_MEM_TABLE: 2 regions with 1 fds")
    one = mem_table([region(0x100000, 1 << 20, 0x7f0000000000, 0)])
    _mem_refused(c, one, [a, b_], r"SET_MEM_TABLE: 1 regions with 2 fds")
    _mem_refused(c, one, [], r"SET_MEM_TABLE: 0 fds attached")


@case("hostile: SET_MEM_TABLE region larger than its memfd, offset beyond it")
def _(c):
    c.ok(SET_OWNER)
    fd = c.memfd("small", 1 << 20)
    _mem_refused(c, mem_table([region(0x100000, 2 << 20, 0x7f0000000000, 0)]), [fd],
                 r"SET_MEM_TABLE: region 0 .*Numerical result out of range")
    _mem_refused(c, mem_table([region(0x100000, 4096, 0x7f0000000000, 1 << 20)]), [fd],
                 r"SET_MEM_TABLE: region 0 .*Numerical result out of range")
    # and not an fd that maps at all
    _mem_refused(c, mem_table([region(0x100000, 4096, 0x7f0000000000, 0)]), [c.eventfd()],
                 r"SET_MEM_TABLE: region 0 ")


@case("hostile: a 4096-byte payload, and size 0xffffffff")
def _(c):
    c.fe.send(SET_OWNER, bytes(4096), need_reply=True)
    c.refused(SET_OWNER, P0 + r"SET_OWNER with a 4096-byte payload", how="closed")
    c.mark = c.b.size()
    c.connect()
    c.fe.send(SET_MEM_TABLE, b"", need_reply=True, size=0xffffffff)
    c.refused(SET_MEM_TABLE, P0 + r"SET_MEM_TABLE with a 4294967295-byte payload", how="closed")


@case("hostile: payloads shorter or longer than the request's body")
def _(c):
    for req, payload in ((SET_VRING_NUM, b"\0" * 4), (SET_VRING_ADDR, b"\0" * 16),
                         (SET_FEATURES, b""), (SET_FEATURES, b"\0" * 16),
                         (SET_LOG_BASE, b"\0" * 8), (SET_VRING_KICK, b"\0" * 4),
                         (SET_PROTOCOL_FEATURES, b"\0" * 255), (SEND_RARP, b"\0" * 3),
                         (ADD_MEM_REG, b"\0" * 32)):
        c.mark = c.b.size()
        fds = [c.memfd("short", 4096)] if req in (SET_LOG_BASE, ADD_MEM_REG) else []
        c.fe.send(req, payload, fds, need_reply=True)
        name = V.REQ_NAME[req]
        if c.refused(req, P0 + r"%s: payload of %d bytes, expected" % (name, len(payload))) \
                == "closed":
            c.connect()


@case("hostile: queue sizes 0, 3, 32769, 65535, 65536 (32768 accepted)")
def _(c):
    c.ok(SET_OWNER)
    for n in (0, 3, 32769, 65535, 65536, 0xffffffff):
        c.mark = c.b.size()
        c.fe.send(SET_VRING_NUM, state(0, n), need_reply=True)
        c.refused(SET_VRING_NUM, P0 + r"SET_VRING_NUM: vring 0 size %d is not a power of two"
                  % n, how="ack")
    c.ok(SET_VRING_NUM, state(0, 32768))


@case("hostile: ring addresses outside memory, straddling its end, misaligned")
def _(c):
    dev = c.handshake()
    c.expect_log(P0 + "link up")
    m = dev.mem
    end = m.uva(m.size)
    good = dev.rings[1]
    bad = [("desc outside", vring_addr(1, 0x1000, m.uva(good.used), m.uva(good.avail))),
           ("used straddling the end", vring_addr(1, m.uva(good.desc), end - 8,
                                                  m.uva(good.avail))),
           ("avail at the end", vring_addr(1, m.uva(good.desc), m.uva(good.used), end)),
           ("desc misaligned", vring_addr(1, m.uva(good.desc) + 8, m.uva(good.used),
                                          m.uva(good.avail)))]
    for what, body in bad:
        log("    %s" % what)
        c.mark = c.b.size()
        c.fe.send(SET_VRING_ADDR, body, need_reply=True)
        kind, v = c.fe.outcome(SET_VRING_ADDR)
        if kind == "closed":
            raise Failure("the connection closed on a bad ring address")
        if v == 0:
            raise Failure("SET_VRING_ADDR (%s) was acked 0, expected a refusal" % what)
        c.expect_log(P0 + r"vring 1: ring addresses .* are not inside the frontend's memory")
        # the ring is not usable: the link is down and stays down through
        # a kick, an enable and DRIVER_OK
        c.expect_log(P0 + "link down")
        c.mark = c.b.size()
        c.ok(SET_VRING_KICK, u64(1), [c.eventfd()])
        c.ok(SET_VRING_ENABLE, state(1, 1))
        c.ok(SET_STATUS, u64(0xf))
        c.expect_no_log(P0 + "link up", 0.5)
        c.ok(SET_VRING_ADDR, good.addr_msg())
        c.expect_log(P0 + "link up")
    dev.echo()


@case("hostile: ring addresses set before any memory table")
def _(c):
    c.ok(SET_OWNER)
    c.ok(SET_VRING_NUM, state(0, 256))
    c.ok(SET_VRING_ADDR, vring_addr(0, 0x7f1200000000, 0x7f1200004000, 0x7f1200002000))
    c.ok(SET_VRING_KICK, u64(0), [c.eventfd()])
    c.expect_no_log(P0 + "link up", 0.3)


@case("hostile: unknown requests 0, 24 GET_CONFIG, 34, 41, 99, 0xffffffff with NEED_REPLY")
def _(c):
    for req, name in ((0, "UNKNOWN"), (GET_CONFIG, "GET_CONFIG"), (RESET_DEVICE, "RESET_DEVICE"),
                      (41, "UNKNOWN"), (99, "UNKNOWN"), (0xffffffff, "UNKNOWN")):
        c.mark = c.b.size()
        c.fe.send(req, bytes(12 + 8) if req == GET_CONFIG else b"", need_reply=True)
        c.refused(req, P0 + r"request %s \(%d\) is not supported" % (name, req), how="ack")
    # and without NEED_REPLY: no reply, the connection goes on
    c.mark = c.b.size()
    c.fe.send(SET_INFLIGHT_FD, u64(0))
    c.expect_log(P0 + r"request SET_INFLIGHT_FD \(32\) is not supported")
    if c.fe.call_u64(GET_FEATURES) != OFFERED_DEFAULT:
        raise Failure("GET_FEATURES after an unknown request: wrong reply (a stray one?)")


@case("hostile: features and values outside what was offered")
def _(c):
    for req, payload, pat in (
            # NOTIFY_ON_EMPTY (24): a transport bit we never offer
            (SET_FEATURES, u64(bit(24) | bit(F_VERSION_1)),
             r"SET_FEATURES .* not offered"),
            (SET_FEATURES, u64(1 << 63), r"SET_FEATURES .* not offered"),
            (SET_PROTOCOL_FEATURES, u64(1 << 5), r"SET_PROTOCOL_FEATURES .* not offered"),
            (SET_VRING_ENABLE, state(0, 2), r"SET_VRING_ENABLE: vring 0 value 2"),
            (SET_VRING_BASE, state(0, 0x10000), r"SET_VRING_BASE: vring 0 base 65536"),
            (SET_STATUS, u64(0x100), r"SET_STATUS 0x100 is not a device status"),
            (NET_SET_MTU, u64(0), r"NET_SET_MTU 0 is outside"),
            (NET_SET_MTU, u64(70000), r"NET_SET_MTU 70000 is outside")):
        c.mark = c.b.size()
        c.fe.send(req, payload, need_reply=True)
        c.refused(req, P0 + pat, how="ack")


@case("hostile: protocol version 0 and 2, a frontend setting REPLY")
def _(c):
    for flags in (0x0, 0x2):
        c.mark = c.b.size()
        c.fe.send(GET_FEATURES, flags=flags)
        c.closed(P0 + r"GET_FEATURES: protocol version %d, only 1 is spoken" % flags)
        c.connect()
    c.fe.send(SET_OWNER, flags=VERSION | F_REPLY)
    if not c.fe.alive():
        raise Failure("SET_OWNER with the REPLY flag broke the connection")


@case("hostile: disconnect mid-header")
def _(c):
    c.fe.send_raw(HDR.pack(SET_MEM_TABLE, VERSION, 40)[:5], [c.eventfd()])
    c.fe.close()
    c.expect_log(P0 + r"connection on .* closed")


@case("hostile: disconnect mid-body with fds on the pieces")
def _(c):
    m = c.mem("mid")
    c.ok(SET_OWNER)
    data = HDR.pack(SET_MEM_TABLE, VERSION, 40) + m.table()
    c.fe.send_raw(data[:12], [m.fd])
    time.sleep(0.05)
    c.fe.send_raw(data[12:30], [c.eventfd()])
    c.fe.close()
    c.expect_log(P0 + r"connection on .* closed")


@case("hostile: disconnect with a running device and traffic")
def _(c):
    dev = c.handshake()
    c.expect_log(P0 + "link up")
    for _ in range(5):
        dev.send(b"\x02" * 60)
    c.fe.close()
    c.expect_log(P0 + "link down")


# The frontend shrinks a file the backend maps (an unsealed memfd): the next
# access there would be a SIGBUS that kills the switch. The backend must turn
# the mapping into zeros, close that connection only, and go on.
@case("hostile: the frontend truncates its guest memory under a running device")
def _(c):
    m = c.mem("trunc")
    dev = c.handshake(mem=m)
    c.expect_log(P0 + "link up")
    dev.echo()
    log("    ftruncate(guest memory, 0) with the rings polled")
    os.ftruncate(m.fd, 0)    # from now on the script must not touch m.mm either
    dev.rings[1].notify()
    c.closed(P0 + r"the frontend shrank the file of memory region gpa 0x%x size 0x%x under "
             r"our mapping: SIGBUS at offset 0x[0-9a-f]+; the region now reads as zeros, "
             r"closing the connection" % (m.gpa0, m.size))
    c.expect_log(P0 + r"connection on .* closed: Bad address")


@case("hostile: the frontend truncates its dirty log while the datapath logs")
def _(c):
    dev = c.handshake(want=V.DEFAULT_WANT | bit(F_LOG_ALL))
    c.expect_log(P0 + "link up")
    logfd = c.memfd("trunclog", 4096)
    c.fe.send(SET_LOG_BASE, log_base(4096, 0), [logfd], need_reply=True)
    if c.fe.reply_u64(SET_LOG_BASE) != 0:
        raise Failure("SET_LOG_BASE refused")
    rxr = dev.rings[0]
    c.ok(SET_VRING_ADDR, rxr.addr_msg(VRING_F_LOG, dev.mem.gpa(rxr.used)))
    dev.echo()
    log("    ftruncate(log, 0), then a frame the backend writes (and logs) to the guest")
    os.ftruncate(logfd, 0)
    dev.send(b"\x02" * 60)
    c.closed(P0 + r"the frontend shrank the file of the dirty log \(size 0x1000\) under our "
             r"mapping: SIGBUS at offset 0x[0-9a-f]+; the log now reads as zeros, closing "
             r"the connection")


@case("hostile: garbage bytes")
def _(c):
    c.fe.send_raw(b"\xde\xad\xbe\xef" * 64)
    c.closed(P0 + r"UNKNOWN with a 4022250974-byte payload")


# ---------------------------------------------------------------------------
# client mode (port 2): the backend connects to us and reconnects after a close
# ---------------------------------------------------------------------------

def client_mode(b, sock2):
    """Port 2 connects to the script; a refused message closes the connection
    and the port reconnects (every second) and works again."""
    log("case: client mode: handshake, traffic, refused message, reconnect")
    before = stable_fds(b)
    lsock = Frontend.listen(sock2)
    try:
        for round_ in range(3):
            mark = b.size()
            fe = Frontend.accept(lsock, timeout=10.0)
            mem = GuestMemory(name="vht-client")
            try:
                if round_ == 1:
                    fd = os.eventfd(0, os.EFD_CLOEXEC)
                    fe.send(SET_OWNER, b"", [fd, fd], need_reply=True)
                    os.close(fd)
                    if fe.outcome(SET_OWNER)[0] != "closed":
                        raise Failure("client mode: 2 fds on SET_OWNER not refused by a close")
                    if not b.wait_log(r"net_vhostu2: SET_OWNER: 2 fds attached", mark):
                        raise Failure("client mode: no log line for the refused message")
                    log("    round 1: refused by a close; the port must reconnect")
                else:
                    dev = handshake(fe, mem)
                    if not b.wait_log(r"net_vhostu2: link up", mark, 5.0):
                        raise Failure("client mode: port 2 link did not come up")
                    dev.echo()
                    dev.close()
                    log("    round %d: handshake and traffic ok" % round_)
            finally:
                fe.close()
                mem.close()
            if not b.wait_log(r"net_vhostu2: connection on .* closed", mark, 5.0):
                raise Failure("client mode: the close was not noticed")
    finally:
        lsock.close()
        os.unlink(sock2)
    wait_fds_back(b, before, "client mode: after the last close")
    log("  ok (3 connections; fds back to %d)" % len(before))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-k", default="", help="run only cases whose name contains this")
    ap.add_argument("-x", default=None, help="skip cases whose name contains this")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    with work_dir("hostile", args.keep) as workdir:
        s0, s1, s2 = (os.path.join(workdir, "s%d.sock" % i) for i in range(3))
        b = backend(["iface=%s,server=1" % s0, "iface=%s,server=1" % s1,
                     "iface=%s,server=0" % s2], workdir)
        peer = virtio_user("path=%s" % s1, workdir)
        if not b.wait_log(r"net_vhostu1: link up", 0, 15.0):
            raise Failure("port 1 did not come up with virtio-user:\n%s" % b.tail())
        peer.cmd("start tx_first 4")
        b.wait_traffic(1)
        log("port 1 forwards virtio-user traffic")
        if not args.k or "client" in args.k:
            client_mode(b, s2)
        base = stable_fds(b)
        log("backend pid %d has %d fds open" % (b.pid, len(base)))
        valid_session(Ctx(b, s0), "first")
        wait_fds_back(b, base, "first valid session")
        n = 0
        for name, fn in CASES:
            if args.k and args.k not in name or args.x and args.x in name:
                continue
            run_case(b, peer, s0, base, name, fn)
            n += 1
        rx, tx = b.port_stats(1)
        log("%d cases passed; port 1 forwarded %d packets meanwhile" % (n, rx))
        peer.quit()
        b.quit()


if __name__ == "__main__":
    main_wrapper(main)
