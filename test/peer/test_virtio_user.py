#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""net_vhostu with a real frontend: DPDK's virtio-user PMD in dpdk-testpmd.

One backend testpmd (our PMD, io forwarding, each port looped to itself,
--rxq=2 --txq=2) with two ports:
  port 0  server, queues=2: virtio-user connects to it;
  port 1  client, queues=2: it connects to a virtio-user started with server=1.
Peers are started one after the other, with io forwarding and `start tx_first`
so that packets loop between the two processes:
  - both directions with queues=1 and queues=2 (2: both queue pairs carry
    traffic, read per queue from the backend's xstats rx_q<N>_packets);
  - variants in the server direction: mrg_rxbuf=0/1 x in_order=0/1 on split
    rings, mrg_rxbuf=in_order=0 and 1 on packed rings (packed_vq=1); packed
    rings in the client direction and with queues=2 too;
  - virtio-user quits and restarts 20 times on port 0 (every other time with
    packed rings): the link comes back and traffic flows each time, and the
    backend's open fds are the same after each quit as before the first start.
If build/app/vhostu-fwd exists and has `show vhost-user`, the negotiated
features of a virtio-user peer are checked there (see check_show_vhost_user),
jumbo frames are flooded in a bridge domain of three virtio-user peers
(see check_jumbo_flood), and 8 queue pairs carry traffic through an xconnect
(check_fwd_queues8).

Usage: test_virtio_user.py [--restarts N] [-k SUBSTRING] [--keep]
(VHOSTU_BUILD = build dir; PYTHONPATH=test/lib; meson test sets both)
"""

import argparse
import os
import re
import select
import socket
import struct
import sys
import threading
import time

sys.dont_write_bytecode = True    # no __pycache__ in the source tree
from vhostu_frontend import (Failure, backend, virtio_user, work_dir,  # noqa: E402
                             log, main_wrapper, stable_fds, wait_fds,
                             deadline_wait, build_dir, OFFERED_DEFAULT)
import vhostu_frontend as V  # noqa: E402
from vhostu_procs import Fwd, fwd_with_peers  # noqa: E402

# What net_vhostu offers as protocol features (MQ, LOG_SHMFD, RARP, REPLY_ACK, MTU,
# CONFIGURE_MEM_SLOTS, STATUS); GET_PROTOCOL_FEATURES is checked in
# test_protocol_hostile.py.
PROTOCOL_OFFERED = 0x1801f


def queue_packets(b, port):
    xs = b.xstats(port)
    return {q: (xs.get("rx_q%d_packets" % q, 0), xs.get("tx_q%d_packets" % q, 0))
            for q in range(2)}


def check_traffic(b, port, peer, queues, what):
    """Counters grow on both sides; with 2 queues, on each queue of the backend."""
    drx, dtx = b.wait_traffic(port, timeout=15.0, min_delta=100)
    prx, ptx = peer.wait_traffic(0, timeout=15.0, min_delta=100)
    log("    %s: backend port %d rx +%d tx +%d, virtio-user rx +%d tx +%d" %
        (what, port, drx, dtx, prx, ptx))
    if queues == 2:
        q0 = queue_packets(b, port)
        res = {}

        def each_queue_grew():
            q1 = queue_packets(b, port)
            res["d"] = {q: (q1[q][0] - q0[q][0], q1[q][1] - q0[q][1]) for q in q1}
            return all(rx > 0 and tx > 0 for rx, tx in res["d"].values())
        if not deadline_wait(each_queue_grew, 15.0, 0.2):
            raise Failure("%s: not every queue carries traffic: per-queue (rx, tx) deltas %s"
                          % (what, res.get("d")))
        log("    %s: per-queue (rx, tx) deltas %s" % (what, res["d"]))


def run_peer(b, port, devargs, workdir, queues, what, name="virtio-user", server_peer=False):
    """Start a virtio-user testpmd, wait for the link, loop packets, check, quit."""
    mark = b.size()
    t0 = time.monotonic()
    peer = virtio_user(devargs, workdir, name=name, queues=queues)
    try:
        if not b.wait_log(r"net_vhostu%d: link up" % port, mark, 15.0):
            raise Failure("%s: backend port %d link did not come up:\n%s" %
                          (what, port, b.text(mark)[-3000:]))
        peer.wait_link(0, True, 15.0)
        peer.cmd("start tx_first 4")
        check_traffic(b, port, peer, queues, what)
    finally:
        peer.quit()
    if not b.wait_log(r"net_vhostu%d: connection on .* closed" % port, mark, 10.0):
        raise Failure("%s: the backend did not notice virtio-user quitting" % what)
    b.check_alive()
    log("  ok: %s (%.1f s)" % (what, time.monotonic() - t0))


def probe_virtio_user(workdir, devargs):
    """What virtio-user asks for when a backend offers everything: a scripted
    backend offers every feature bit (0..40) and every protocol bit (0..16),
    answers what needs an answer, and records SET_FEATURES and
    SET_PROTOCOL_FEATURES. Returns (features, protocol features)."""
    path = os.path.join(workdir, "probe.sock")
    lsock = V.Frontend.listen(path)
    got = {}

    def serve():
        try:
            r, _, _ = select.select([lsock], [], [], 30)
            if not r:
                return
            conn, _ = lsock.accept()
            with conn:
                while True:
                    hdr, fds, _, _ = socket.recv_fds(conn, V.HDR.size, 8)
                    for fd in fds:
                        os.close(fd)
                    if len(hdr) < V.HDR.size:
                        return
                    req, flags, size = V.HDR.unpack(hdr)
                    body = b""
                    while len(body) < size:
                        chunk, fds, _, _ = socket.recv_fds(conn, size - len(body), 8)
                        for fd in fds:
                            os.close(fd)
                        if not chunk:
                            return
                        body += chunk
                    val = {V.GET_FEATURES: (1 << 41) - 1,
                           V.GET_PROTOCOL_FEATURES: (1 << 17) - 1,
                           V.GET_QUEUE_NUM: 8, V.GET_MAX_MEM_SLOTS: 8,
                           V.GET_STATUS: got.get("status", 0)}.get(req)
                    if req == V.SET_FEATURES:
                        got["features"] = struct.unpack("<Q", body)[0]
                    elif req == V.SET_PROTOCOL_FEATURES:
                        got["protocol"] = struct.unpack("<Q", body)[0]
                    elif req == V.SET_STATUS:
                        got["status"] = struct.unpack("<Q", body)[0]
                    if req == V.GET_VRING_BASE:
                        reply = body[:4] + struct.pack("<I", 0)
                    elif val is not None:
                        reply = V.u64(val)
                    elif flags & V.F_NEED_REPLY:
                        reply = V.u64(0)
                    else:
                        continue
                    conn.sendall(V.HDR.pack(req, V.VERSION | V.F_REPLY, len(reply)) + reply)
        except OSError:
            return

    th = threading.Thread(target=serve, daemon=True)
    th.start()
    peer = None
    try:
        peer = V.Testpmd("probe", ["--vdev", "net_virtio_user0,path=%s,%s" % (path, devargs)],
                         [], os.path.join(workdir, "probe.log"), main_lcore=1)
        if not deadline_wait(lambda: "features" in got or not peer.alive(), 60.0, 0.05) \
                or "features" not in got:
            raise Failure("probe: virtio-user sent no SET_FEATURES:\n%s" % peer.tail())
    finally:
        if peer:
            peer.kill()
        lsock.close()
        th.join(10)
    return got["features"], got.get("protocol", 0)


def check_show_vhost_user(workdir):
    """The negotiated features through the snapshot, via vhostu-fwd's shell:
    equal to what we offer (0xd7c62bb8b) & what virtio-user asks for when
    everything is offered (probed by a scripted backend)."""
    app = os.path.join(build_dir(), "app", "vhostu-fwd")
    if not os.path.exists(app):
        log("SKIP negotiated features through `show vhost-user`: %s is not built" % app)
        return
    for devargs, queues in (("queues=2", 2), ("queues=1,mrg_rxbuf=0", 1)):
        log("scenario: show vhost-user with virtio-user %s" % devargs)
        theirs, ptheirs = probe_virtio_user(workdir, devargs)
        want = OFFERED_DEFAULT & theirs
        pwant = PROTOCOL_OFFERED & ptheirs
        log("    virtio-user asks for 0x%x (protocol 0x%x) of everything; expected "
            "negotiated 0x%x (protocol 0x%x)" % (theirs, ptheirs, want, pwant))
        sock = os.path.join(workdir, "fwd0.sock")
        fwd = Fwd(app, workdir, "create vhost-user socket %s server\n"
                  "set interface state VirtualEthernet0/0/0 up\n" % sock)
        try:
            fwd.wait(r"^VirtualEthernet0/0/0$")
            peer = virtio_user("path=%s,%s" % (sock, devargs), workdir, name="vu-fwd",
                               queues=queues)
            try:
                peer.wait_link(0, True, 15.0)
                start = fwd.post("show vhost-user")
                fwd.wait(r"Virtqueue 1 ", start)
                out = fwd.text(start)
                if queues == 2:
                    dstart = fwd.post("show vhost-user VirtualEthernet0/0/0 descriptors")
                    fwd.post("show interface")
                    fwd.wait(r"^ +Name +Idx", dstart)
                    dout = fwd.text(dstart)
            finally:
                peer.quit()
        finally:
            fwd.quit(10)
        m = re.search(r"^ features \(0x([0-9a-f]+)\):", out, re.M)
        pm = re.search(r"^  protocol features \(0x([0-9a-f]+)\)", out, re.M)
        hm = re.search(r"^virtio_net_hdr_sz (\d+)", out, re.M)
        if not m or not pm or not hm:
            raise Failure("show vhost-user: no features / protocol features / header size "
                          "line in:\n%s" % out)
        got, pgot, hdr = int(m.group(1), 16), int(pm.group(1), 16), int(hm.group(1))
        log("    show vhost-user: features 0x%x protocol 0x%x virtio_net_hdr_sz %d" %
            (got, pgot, hdr))
        if got != want:
            raise Failure("negotiated features 0x%x, expected 0x%x = 0x%x & 0x%x (diff 0x%x)"
                          % (got, want, OFFERED_DEFAULT, theirs, got ^ want))
        if pgot != pwant:
            raise Failure("negotiated protocol features 0x%x, expected 0x%x" % (pgot, pwant))
        if hdr != 12:
            raise Failure("virtio_net_hdr_sz %d with VERSION_1, expected 12" % hdr)
        log("  ok: negotiated features match")
        if queues == 2:
            check_show_format(dout, sock, queues, want, pwant)
            log("  ok: `show vhost-user ... descriptors` has the seed's format, line by line")


# A's frames: 64 bytes of headers and 1..5 segments of 1000 more, a random count per
# frame (`set txsplit rand`): 64..5064 bytes, 1..3 mbufs in vhostu-fwd (2048-byte data
# room), with tails of different lengths.
JUMBO_SEGS = "64,1000,1000,1000,1000,1000"
JUMBO_ROUNDS = 30     # rounds of `start tx_first 2` (64 frames): the pools are reused


def jumbo_peer(workdir, sock, name, extra=()):
    """A virtio-user testpmd with mergeable rx buffers, rxonly, for the flood."""
    return virtio_user("path=%s,mrg_rxbuf=1" % sock, workdir, name=name, fwd="rxonly",
                       extra_app=["--max-pkt-len=9000", "--enable-scatter"] + list(extra))


def fwd_counters(fwd, ifname):
    """The counters of `show interface IF`: {name: value} (0 ones are not shown)."""
    start = fwd.post("show interface %s" % ifname)
    fwd.post("show bridge-domain 1")     # its header ends the answer before it
    fwd.wait(r"^ +BD-ID ", start)
    text = fwd.text(start)
    text = text[text.index(ifname):text.index("BD-ID")]
    return {k.strip(): int(v) for k, v in
            re.findall(r"((?:rx|tx)[ -]\w+|drops)\s+(\d+)\s*$", text, re.M)}


def check_jumbo_flood(workdir):
    """Issue 10 item 3: A sends frames of up to 5064 bytes to a MAC nobody has,
    in one bridge domain with B and C: every frame is flooded to B and C, most
    as chains of mbufs. Each receiver must get every frame that A sent and
    every byte, round after round, and vhostu-fwd must drop nothing. (A tail
    segment freed by B's copy while C's still uses it goes back to the pool
    twice; handed out twice, it carries the tail of two frames at once, and
    byte counts go wrong.)"""
    app = os.path.join(build_dir(), "app", "vhostu-fwd")
    if not os.path.exists(app):
        log("SKIP jumbo flood: %s is not built" % app)
        return
    log("scenario: frames of up to 5064 bytes flooded to two members of a bridge domain, "
        "%d rounds" % JUMBO_ROUNDS)
    names = ["VirtualEthernet0/0/%d" % i for i in range(3)]
    socks = [os.path.join(workdir, "jf%d.sock" % i) for i in range(3)]
    cli = "".join("create vhost-user socket %s server\n" % sk for sk in socks)
    cli += "".join("set interface state %s up\nset interface l2 bridge %s 1\n" % (n, n)
                   for n in names)
    fwd = Fwd(app, workdir, cli)
    with fwd_with_peers(fwd, "jumbo flood") as peers:
        fwd.wait(r"^VirtualEthernet0/0/2$")
        a = jumbo_peer(workdir, socks[0], "jf-a", ["--txpkts=" + JUMBO_SEGS])
        peers.append(a)
        for i, name in ((1, "jf-b"), (2, "jf-c")):
            peers.append(jumbo_peer(workdir, socks[i], name))
        for p in peers:
            p.wait_link(0, True, 20.0)
        for p in peers[1:]:
            p.cmd("start")
        a.cmd("set txsplit rand")
        run_jumbo_rounds(fwd, a, peers[1:])
        for n in names:
            c = fwd_counters(fwd, n)
            log("    vhostu-fwd %s: %s" % (n, c))
            if c.get("tx-error", 0) or c.get("drops", 0):
                raise Failure("jumbo flood: vhostu-fwd %s dropped frames: %s" % (n, c))
        fwd.check_alive()
    log("  ok: jumbo flood")


def run_jumbo_rounds(fwd, a, receivers):
    """Rounds of A sending 64 frames; each receiver must count exactly what A sent."""
    for r in range(JUMBO_ROUNDS):
        a.cmd("start tx_first 2")
        a.cmd("stop")
        sent, sent_bytes = a.counts()[3:5]
        res = {}

        def all_in():
            res["c"] = [p.counts() for p in receivers]
            return all(c[0] >= sent for c in res["c"])
        deadline_wait(all_in, 15.0, 0.2)
        for p, c in zip(receivers, res["c"]):
            if c[0] != sent or c[1] != sent_bytes or c[2] != 0:
                raise Failure("jumbo flood round %d: %s received %d frames, %d bytes, %d "
                              "errors; A sent %d frames, %d bytes"
                              % (r + 1, p.name, c[0], c[1], c[2], sent, sent_bytes))
        fwd.check_alive()
    log("    %d rounds: both receivers got all %d frames, %d bytes"
        % (JUMBO_ROUNDS, sent, sent_bytes))


def check_fwd_queues8(workdir):
    """8 queue pairs through vhostu-fwd (issue 10, item 6): A (virtio-user,
    queues=8) sends with txonly into an l2 xconnect, B (queues=8) receives
    with rxonly. B must go on receiving far past one ring's worth (256 frames
    per vring), and `show vhost-user` must list all 16 vrings of B enabled."""
    app = os.path.join(build_dir(), "app", "vhostu-fwd")
    if not os.path.exists(app):
        log("SKIP 8 queue pairs through vhostu-fwd: %s is not built" % app)
        return
    log("scenario: vhostu-fwd xconnect, virtio-user queues=8 txonly -> queues=8 rxonly")
    sa, sb = os.path.join(workdir, "q8a.sock"), os.path.join(workdir, "q8b.sock")
    fwd = Fwd(app, workdir, "create vhost-user socket %s server queues 8\n"
              "create vhost-user socket %s server queues 8\n"
              "set interface state VirtualEthernet0/0/0 up\n"
              "set interface state VirtualEthernet0/0/1 up\n"
              "set interface l2 xconnect VirtualEthernet0/0/0 VirtualEthernet0/0/1\n"
              "set interface l2 xconnect VirtualEthernet0/0/1 VirtualEthernet0/0/0\n"
              % (sa, sb))
    try:
        fwd.wait(r"^VirtualEthernet0/0/1$")
        pa = virtio_user("path=%s,queues=8" % sa, workdir, name="q8-A", queues=8)
        pb = virtio_user("path=%s,queues=8" % sb, workdir, name="q8-B", queues=8)
        try:
            pa.wait_link(0, True, 15.0)
            pb.wait_link(0, True, 15.0)
            pb.cmd("set fwd rxonly")
            pb.cmd("start")
            pa.cmd("set fwd txonly")
            pa.cmd("start")
            # 16 rings' worth: every ring B receives on has wrapped many times.
            want = 16 * 256
            got = deadline_wait(lambda: pb.port_stats(0)[0] > want and pb.port_stats(0)[0],
                                30.0, 0.2)
            if not got:
                raise Failure("queues=8: B received %d frames, expected more than %d; "
                              "vhostu-fwd:\n%s" % (pb.port_stats(0)[0], want,
                                                  fwd.text()[-3000:]))
            if not deadline_wait(lambda: pb.port_stats(0)[0] > got + want, 30.0, 0.2):
                raise Failure("queues=8: B stopped receiving at %d frames" %
                              pb.port_stats(0)[0])
            start = fwd.post("show vhost-user VirtualEthernet0/0/1")
            fwd.wait(r"Virtqueue 15 .*\n.*\n.*\n.*kickfd", start)
            out = fwd.text(start)
        finally:
            pa.quit()
            pb.quit()
    finally:
        fwd.quit(10)
    vqs = re.findall(r"^ Virtqueue (\d+) \((TX|RX)( disabled)?\)", out, re.M)
    if [int(v) for v, _, _ in vqs] != list(range(16)) or any(d for _, _, d in vqs):
        raise Failure("queues=8: show vhost-user lists vrings %s, expected 0..15 enabled"
                      % (vqs,))
    log("  ok: 8 queue pairs: B received past %d frames and kept receiving; 16 vrings"
        % (got + want))


# The seed's `show vhost-user ... descriptors` format (doc/vhost-user-cli.rst),
# line by line: fixed lines exactly, variable lines by pattern.
HEX16 = r"0x[0-9a-f]{16}"
SHOW_FIXED = {
    "global": ["Virtio vhost-user interfaces", "Global:", "  coalesce frames 32 time 1e-3"],
    "mem_head": "region fd    guest_phys_addr    memory_size        userspace_addr     "
                "mmap_offset        mmap_addr",
    "mem_rule": "====== ===== ================== ================== ================== "
                "================== ==================",
    "desc_head": "   id          addr         len  flags  next      user_addr",
    "desc_rule": "  ===== ================== ===== ====== ===== ==================",
}


class Lines:
    """The output, one line at a time, with a failure that says where."""

    def __init__(self, text):
        self.lines = [ln for ln in text.splitlines()
                      if not ln.startswith(("vhostu:", "vhostu.msg:"))]
        self.i = 0

    def fail(self, what):
        ctx = "\n".join(self.lines[max(0, self.i - 3):self.i + 3])
        raise Failure("show vhost-user line %d: %s; around it:\n%s" % (self.i + 1, what, ctx))

    def exact(self, want):
        got = self.lines[self.i] if self.i < len(self.lines) else "<end>"
        if got != want:
            self.fail("expected %r, got %r" % (want, got))
        self.i += 1

    def match(self, pattern):
        got = self.lines[self.i] if self.i < len(self.lines) else "<end>"
        m = re.fullmatch(pattern, got)
        if not m:
            self.fail("expected /%s/, got %r" % (pattern, got))
        self.i += 1
        return m

    def peek(self, pattern):
        return self.i < len(self.lines) and re.fullmatch(pattern, self.lines[self.i])


def check_bits(lines, value, prefix):
    """One `   NAME (bit)` line per set bit, in bit order."""
    for bit in range(64):
        if value >> bit & 1:
            lines.match(r"   %s\w+ \(%d\)" % (prefix, bit))


def check_show_format(text, sock, queues, features, protocol):
    """Every line of `show vhost-user IF descriptors` for a live virtio-user peer."""
    L = Lines(text[text.index("Virtio vhost-user interfaces"):])
    for want in SHOW_FIXED["global"]:
        L.exact(want)
    L.exact("Interface: VirtualEthernet0/0/0 (ifindex 1)")
    L.exact("virtio_net_hdr_sz 12")
    L.exact(" features mask (0xffffffffffffffff):")
    L.exact(" features (0x%x):" % features)
    check_bits(L, features, r"(VIRTIO|VHOST)_")
    L.exact("  protocol features (0x%x)" % protocol)
    check_bits(L, protocol, "VHOST_USER_PROTOCOL_F_")
    L.exact("")
    L.exact(' socket filename %s type server errno "Success"' % sock)
    L.exact("")
    L.exact("rx placement:")
    rx = set()
    while L.peek(r"   thread \d+ on vring \d+"):
        rx.add(int(L.match(r"   thread \d+ on vring (\d+)").group(1)))
    if rx != {2 * q + 1 for q in range(queues)}:
        L.fail("rx placement covers vrings %s, expected the odd vrings below %d"
               % (sorted(rx), 2 * queues))
    L.match(r" tx placement: (spin-lock|lock-free)")
    while L.peek(r"   thread \d+ on vring \d+"):
        vring = int(L.match(r"   thread \d+ on vring (\d+)").group(1))
        if vring % 2 or vring >= 2 * queues:
            L.fail("tx placement on vring %d" % vring)
    L.exact("")
    n = int(L.match(r"Memory regions \(total (\d+)\)").group(1))
    L.exact(SHOW_FIXED["mem_head"])
    L.exact(SHOW_FIXED["mem_rule"])
    for r in range(n):
        L.match(r"  %d     \d+ +%s %s %s %s %s" % (r, HEX16, HEX16, HEX16, HEX16, HEX16))
    for v in range(2 * queues):
        L.exact("")
        L.exact(" Virtqueue %d (%s)" % (v, "RX" if v % 2 else "TX"))
        L.match(r"  qsz 256 last_avail_idx \d+ last_used_idx \d+")
        L.match(r"  avail\.flags [0-9a-f]+ avail\.idx \d+ used\.flags [0-9a-f]+ used\.idx \d+")
        L.match(r"  kickfd \d+ callfd \d+ errfd -1")
        L.exact("")
        L.exact("  descriptor table:")
        L.exact(SHOW_FIXED["desc_head"])
        L.exact(SHOW_FIXED["desc_rule"])
        for d in range(256):
            m = L.match(r"  %-5d (%s) (\d+) +0x[0-9a-f]{4} (\d+) +(%s)" % (d, HEX16, HEX16))
            if int(m.group(1), 16) and not int(m.group(4), 16):
                L.fail("descriptor %d of vring %d has an address but no user_addr" % (d, v))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--restarts", type=int, default=20)
    ap.add_argument("-k", default="", help="run only scenarios whose name contains this")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    t_start = time.monotonic()
    with work_dir("virtio-user", args.keep) as workdir:
        s0 = os.path.join(workdir, "vhostu0.sock")
        s1 = os.path.join(workdir, "peer1.sock")
        b = backend(["iface=%s,server=1,queues=2" % s0, "iface=%s,server=0,queues=2" % s1],
                    workdir, extra_app=["--rxq=2", "--txq=2"], msg_debug=False)
        base = stable_fds(b)
        log("backend pid %d: %d fds open" % (b.pid, len(base)))

        scenarios = [
            ("vhostu server, virtio-user client, queues=1", 0, "path=%s" % s0, 1),
            ("vhostu client, virtio-user server=1, queues=1", 1,
             "path=%s,server=1" % s1, 1),
            ("vhostu server, virtio-user client, queues=2", 0, "path=%s,queues=2" % s0, 2),
            ("vhostu client, virtio-user server=1, queues=2", 1,
             "path=%s,server=1,queues=2" % s1, 2),
        ]
        # Packed rings: two of the four mrg_rxbuf x in_order variants here (the
        # e2e suite runs all four in-process), both roles, queues 1 and 2.
        for pk, mrg, ino in ((0, 0, 0), (0, 0, 1), (0, 1, 0), (0, 1, 1), (1, 0, 0), (1, 1, 1)):
            scenarios.append(("server direction, mrg_rxbuf=%d in_order=%d packed_vq=%d"
                              % (mrg, ino, pk), 0,
                              "path=%s,mrg_rxbuf=%d,in_order=%d,packed_vq=%d"
                              % (s0, mrg, ino, pk), 1))
        scenarios += [
            ("vhostu client, virtio-user server=1, queues=1 packed_vq=1", 1,
             "path=%s,server=1,packed_vq=1" % s1, 1),
            ("vhostu server, virtio-user client, queues=2 packed_vq=1", 0,
             "path=%s,queues=2,packed_vq=1" % s0, 2),
            ("vhostu client, virtio-user server=1, queues=2 packed_vq=1", 1,
             "path=%s,server=1,queues=2,packed_vq=1" % s1, 2),
        ]
        for what, port, devargs, queues in scenarios:
            if args.k and args.k not in what:
                continue
            log("scenario: %s" % what)
            run_peer(b, port, devargs, workdir, queues, what)
            wait_fds(b, base, what + ": after virtio-user quit")

        if not args.k or "restart" in args.k:
            log("scenario: virtio-user quits and restarts %d times on port 0" % args.restarts)
            for i in range(args.restarts):
                mark = b.size()
                # A new virtio-user process starts its ring at 0 whatever we had.
                peer = virtio_user("path=%s,packed_vq=%d" % (s0, i % 2), workdir,
                                   name="virtio-user-r")
                try:
                    if not b.wait_log(r"net_vhostu0: link up", mark, 15.0):
                        raise Failure("restart %d: port 0 link did not come up" % (i + 1))
                    peer.cmd("start tx_first")
                    b.wait_traffic(0, timeout=15.0)
                finally:
                    peer.quit()
                if not b.wait_log(r"net_vhostu0: link down", mark, 10.0):
                    raise Failure("restart %d: port 0 link did not go down" % (i + 1))
                wait_fds(b, base, "restart %d" % (i + 1))
                log("  restart %d: link up, traffic, quit, fds back to %d" % (i + 1, len(base)))

        b.quit()
        if not args.k or "show" in args.k:
            check_show_vhost_user(workdir)
        if not args.k or "jumbo" in args.k:
            check_jumbo_flood(workdir)
        if not args.k or "queues=8" in args.k:
            check_fwd_queues8(workdir)
        log("total %.0f s" % (time.monotonic() - t_start))


if __name__ == "__main__":
    main_wrapper(main)
