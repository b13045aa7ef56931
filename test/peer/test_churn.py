#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Churn under traffic: vhostu-fwd keeps forwarding, and keeps its fds and
memory, while a third interface is torn up and rebuilt hundreds of times.

vhostu-fwd (-l 0,1: shell + one worker) with three server interfaces:
  A, B  xconnected to each other, each with a DPDK virtio-user peer in
        dpdk-testpmd doing io forwarding; `start tx_first 4` on B puts frames
        in circulation: A -> switch -> B -> switch -> A ...
  C     the churned one: the scripted frontend of vhostu_frontend.py, C
        xconnected to itself so that a frame sent by the frontend comes back.
Each round on C does all of:
  (b) delete C (every 4th round with the frontend still connected and 8
      frames in flight: it must be disconnected), create it again on the same
      socket (same name expected), set it up and xconnect it to itself; every
      5th round it is left unconnected (no l2 mode: what it receives is
      dropped, nothing comes back: the connection is checked instead of echo);
  (a) connect, full handshake, echo a frame, disconnect with 8 frames in
      flight; connect again, handshake, echo;
  (c) replace the memory table of the running device: odd rounds with a
      fresh memfd (the memory copied into it at another file offset, nothing
      in flight), even rounds with a new fd onto the same pages and a region
      one page shorter, sent while 8 frames are in flight; then echo;
  (d) disable both vrings (SET_VRING_ENABLE 0) with 8 frames in flight,
      enable them again, echo; every 10th round instead a frame sent while
      they are disabled must not come back before the enable, and must after.
  Frames "in flight" (class Inflight) must all be received by the switch and
  each come back or be counted as a tx-error of C: a tx burst that finds the
  guest's rx vring paused (table change) or disabled drops, as lib/vhost does.
Every --check rounds: vhostu-fwd is alive and A<->B counters grow.
Three times during the churn peer B quits and starts again; traffic must
resume (`start tx_first 4` on the new B).

Figures, after 10 warm-up rounds and at the end (both times C exists, is up,
and has no frontend; A and B run), all printed:
  - open fds (/proc/PID/fd): the count must be equal (differences listed);
  - VmRSS: growth below --rss-bound MiB (default 8, see RSS_BOUND_WHY; only
    reported in a sanitizer build, where ASan's quarantine holds freed memory
    and LeakSanitizer checks at `quit` instead);
  - rte_malloc heap 0 (DPDK telemetry): allocation count and bytes must be
    equal;
  - mappings of the frontend's memfds (/proc/PID/maps): none may remain.
At the end A<->B must still forward (the switch's counters and both peers'
grow), and `quit` must exit 0.

Usage: test_churn.py [--rounds N] [--check N] [--rss-bound MIB] [--keep]
(VHOSTU_BUILD = the build dir holding app/vhostu-fwd; PYTHONPATH=test/lib;
meson test sets both)
"""

import argparse
import mmap
import os
import re
import sys
import time

sys.dont_write_bytecode = True    # no __pycache__ in the source tree
from vhostu_frontend import (Failure, Frontend, GuestMemory, handshake,  # noqa: E402
                             virtio_user, work_dir, log, stable_fds,
                             main_wrapper, deadline_wait, build_dir, mem_table, region,
                             memfd, state, SET_MEM_TABLE, SET_VRING_ENABLE)
import vhostu_procs  # noqa: E402

RSS_BOUND_WHY = (
    "the warm-up rounds have allocated once all that a round needs (ports, "
    "vrings, mappings, conf copies, malloc arenas); what remains is allocator "
    "noise, 0.0-0.2 MiB over 300 rounds in our runs. 8 MiB stays clear of "
    "that noise and still catches ~27 KiB kept per round, less than one conf "
    "(~75 KiB, calloc'ed at every publish, several per round) or the touched "
    "pages of one guest-memory mapping per session (~40 KiB, 3 sessions per "
    "round); smaller leaks of rte_malloc memory, fds and mappings are caught "
    "exactly by the other figures")

IF_RX = re.compile(r"^(\S+)\s+(\d+)\s+(up|down)\s*(.*?)\s*$")
COUNTER = re.compile(r"^(.*?)\s+(\d+)$")


class Switch(vhostu_procs.Switch):
    """vhostu-fwd -i: commands over a stdin pipe, output into a log file."""

    def __init__(self, app, workdir):
        super().__init__(app, workdir, "churn-fwd")

    def counters(self, *names):
        """`show interface [names]`: {name: {counter: value}}."""
        out = self.cmd(" ".join(("show interface",) + names))
        res, cur = {}, None
        for ln in out.splitlines():
            if not ln.strip() or ln.lstrip().startswith("Name"):
                continue
            m = IF_RX.match(ln)
            if m and not ln[0].isspace():
                cur = res.setdefault(m.group(1), {})
                rest = m.group(4)
            else:
                rest = ln.strip()
            c = COUNTER.match(rest)
            if cur is not None and c:
                cur[c.group(1)] = int(c.group(2))
        return res

    def churn_maps(self):
        """Mappings of the churned frontend's memfds (memfd:churn-*) still in place."""
        return [ln.rstrip() for ln in self.maps_matching("memfd:churn-")]


# --- the churned interface's frontend ---

def echo(dev, what, timeout=3.0):
    """A frame out on C's tx ring and back on its rx ring; one rx buffer
    offered for it."""
    dev.fill_rx(0, 1)
    try:
        dev.echo(timeout=timeout)
    except Failure as e:
        raise Failure("%s: %s" % (what, e))


def session(sock, tag, mem_size=1 << 20):
    """Connect to C and do the full handshake; returns the Device."""
    fe = Frontend.connect(sock, timeout=10.0)
    try:
        return handshake(fe, mem=GuestMemory(size=mem_size, name="churn-" + tag), rx_fill=8)
    except BaseException:
        fe.close()
        raise


def end_session(dev):
    dev.fe.close()
    dev.close()
    dev.mem.close()


def swap_mapping(mem, fd, offset):
    """Point GuestMemory mem at fd (mapped from offset), closing the old one."""
    mm = mmap.mmap(fd, mem.size, offset=offset)
    old_mm, old_fd = mem.mm, mem.fd
    mem.u16.release()
    mem.mm, mem.fd, mem.u16 = mm, fd, memoryview(mm).cast("H")
    try:
        old_mm.close()
    except BufferError:
        pass
    os.close(old_fd)


def replace_fresh(dev, rnd):
    """SET_MEM_TABLE with a fresh memfd holding a copy of the memory, mapped
    at another file offset (an identical table would be kept as it is).
    Nothing is in flight: the backend writes nothing while we copy."""
    mem = dev.mem
    off = 4096 * (1 + rnd % 3)
    fd = memfd("churn-fresh", off + mem.size)
    data = mem.mm[:]
    os.pwrite(fd, data, off)
    try:
        dev.fe.ok(SET_MEM_TABLE, mem_table([region(mem.gpa0, mem.size, mem.uva0, off)]), [fd])
    except BaseException:
        os.close(fd)
        raise
    swap_mapping(mem, fd, off)


class Inflight:
    """n frames put on C's tx ring (and n rx buffers offered) right before an
    action, without waiting. check() then requires that the switch received
    every one, and that each came back or was counted as a tx-error of C:
    the worker's tx burst found the guest's rx vring paused by a table change
    or disabled (net_vhostu, like lib/vhost, drops rather than waits there)."""

    def __init__(self, sw, name, dev, n=8, counters=True):
        self.sw, self.name, self.dev, self.n = sw, name, dev, n
        self.c0 = sw.counters(name).get(name, {}) if counters else None
        dev.fill_rx(0, n)
        self.frames = set()
        for _ in range(n):
            f = (b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x88\xb5churn-inflight" +
                 os.urandom(6)).ljust(60, b"\0")
            self.frames.add(f)
            dev.send(f)

    def check(self, what):
        """Returns how many were dropped (counted)."""
        want = set(self.frames)
        res = {}

        def accounted():
            for f in self.dev.received():
                want.discard(f[:60])
            if not want:
                return True
            c1 = self.sw.counters(self.name).get(self.name, {})
            res["rx"] = c1.get("rx packets", 0) - self.c0.get("rx packets", 0)
            res["txerr"] = c1.get("tx-error", 0) - self.c0.get("tx-error", 0)
            return res["rx"] == self.n and res["txerr"] == len(want)
        if not deadline_wait(accounted, 5.0, 0.01):
            raise Failure("%s: of %d frames in flight, %d did not come back within 5 s; the "
                          "switch received %s of them and counted %s tx-errors on %s" %
                          (what, self.n, len(want), res.get("rx"), res.get("txerr"),
                           self.name))
        return len(want)


def replace_same_pages(sw, name, dev, rnd):
    """SET_MEM_TABLE with a new fd onto the same memfd and a region one page
    shorter (an identical table would be kept as it is, fd and all), sent
    while frames are in flight (see Inflight)."""
    mem = dev.mem
    fd = os.open("/proc/self/fd/%d" % mem.fd, os.O_RDWR | os.O_CLOEXEC)
    fl = Inflight(sw, name, dev)
    try:
        dev.fe.ok(SET_MEM_TABLE, mem_table([region(mem.gpa0, mem.size - 4096, mem.uva0, 0)]),
                  [fd])
    finally:
        os.close(fd)
    return fl.check("round %d, SET_MEM_TABLE (same pages)" % rnd)


def toggle_queues(sw, name, dev, rnd, connected):
    """SET_VRING_ENABLE 0 on both vrings, then 1. Connected to itself: frames
    are in flight when the disable goes out (see Inflight); every 10th round,
    instead, a frame sent while the vrings are disabled must wait for the
    enable. Returns how many in-flight frames were dropped (counted)."""
    hold = connected and rnd % 10 == 0
    fl = Inflight(sw, name, dev) if connected and not hold else None
    for r in dev.rings:
        dev.fe.ok(SET_VRING_ENABLE, state(r.index, 0))
    held = None
    if hold:
        held = (b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x88\xb5churn-held" +
                os.urandom(6)).ljust(60, b"\0")
        dev.fill_rx(0, 1)
        dev.send(held)
        time.sleep(0.1)     # a window for a wrong echo; no event says "nothing"
        early = [f for f in dev.received() if f[:60] == held]
        if early:
            raise Failure("round %d: a frame sent on a disabled vring was forwarded" % rnd)
    for r in dev.rings:
        dev.fe.ok(SET_VRING_ENABLE, state(r.index, 1))
    if held is not None:
        try:
            dev.wait_frame(lambda f: f[:60] == held, timeout=5.0)
        except Failure as e:
            raise Failure("round %d: the frame held while the vrings were disabled: %s" %
                          (rnd, e))
    return fl.check("round %d, SET_VRING_ENABLE 0/1" % rnd) if fl else 0


class Churn:
    """Interface C and its rounds."""

    def __init__(self, sw, sock):
        self.sw = sw
        self.sock = sock
        self.name = sw.create(sock)
        self.connected_mode = True
        self.dropped = 0    # in-flight frames dropped (and counted)
        self.setup(True)

    def setup(self, xconnect):
        self.sw.ok("set interface state %s up" % self.name)
        if xconnect:
            self.sw.ok("set interface l2 xconnect %s %s" % (self.name, self.name))
        self.connected_mode = xconnect

    def recreate(self, xconnect, dev=None):
        """Delete C (with dev's connection still open, if given) and create it again."""
        self.sw.ok("delete vhost-user %s" % self.name)
        if dev is not None and not dev.fe.wait_closed(5.0):
            raise Failure("delete vhost-user %s left the frontend connected" % self.name)
        name = self.sw.create(self.sock)
        if name != self.name:
            raise Failure("C came back as %s, was %s (lowest free instance expected)" %
                          (name, self.name))
        self.setup(xconnect)

    def check(self, dev, what):
        if self.connected_mode:
            echo(dev, what)
        elif not dev.fe.alive(5.0):
            raise Failure("%s: the connection is gone" % what)

    def round(self, rnd):
        # (b) delete and create again, once in 4 with a frontend connected
        xc = rnd % 5 != 4
        if rnd % 4 == 3:
            dev = session(self.sock, "pre%d" % rnd)
            try:
                self.check(dev, "round %d before delete" % rnd)
                if self.connected_mode:
                    Inflight(self.sw, self.name, dev, counters=False)
                self.recreate(xc, dev)
            finally:
                end_session(dev)
        else:
            self.recreate(xc)
        # (a) connect, handshake, echo, disconnect, reconnect
        dev = session(self.sock, "a%d" % rnd)
        try:
            self.check(dev, "round %d first connection" % rnd)
            if self.connected_mode:     # closed with frames in flight
                Inflight(self.sw, self.name, dev, counters=False)
        finally:
            end_session(dev)
        dev = session(self.sock, "b%d" % rnd)
        try:
            self.check(dev, "round %d reconnection" % rnd)
            # (c) the memory table replaced under a running device
            if rnd % 2:
                replace_fresh(dev, rnd)
            elif self.connected_mode:
                self.dropped += replace_same_pages(self.sw, self.name, dev, rnd)
            self.check(dev, "round %d after SET_MEM_TABLE" % rnd)
            # (d) queues off and on
            self.dropped += toggle_queues(self.sw, self.name, dev, rnd, self.connected_mode)
            self.check(dev, "round %d after SET_VRING_ENABLE 0/1" % rnd)
        finally:
            end_session(dev)


# --- the traffic ports ---

def ab_counters(sw, a, b):
    c = sw.counters()
    return (c.get(a, {}).get("tx packets", 0), c.get(b, {}).get("tx packets", 0))


def wait_ab_traffic(sw, a, b, what, timeout=15.0, min_delta=100):
    """Both directions of the xconnect carry frames: the switch's tx counters
    of A and B grow by min_delta."""
    a0, b0 = ab_counters(sw, a, b)
    d = [0, 0]

    def grew():
        a1, b1 = ab_counters(sw, a, b)
        d[0], d[1] = a1 - a0, b1 - b0
        return d[0] >= min_delta and d[1] >= min_delta
    if not deadline_wait(grew, timeout, 0.1):
        raise Failure("%s: A<->B traffic stopped: in %.0f s the switch sent %+d frames to A "
                      "and %+d to B; last output:\n%s" % (what, timeout, d[0], d[1],
                                                          sw.tail()))
    return d


def start_b(sock_b, workdir, n):
    p = virtio_user("path=%s" % sock_b, workdir, name="peer-b%d" % n)
    p.wait_link(0, True, 15.0)
    p.cmd("start tx_first 4")
    return p


def restart_b(sw, pb, sock_b, workdir, n, a, b):
    t0 = time.monotonic()
    pb.quit()
    pb = start_b(sock_b, workdir, n)
    d = wait_ab_traffic(sw, a, b, "after peer B restart %d" % n)
    log("  peer B restart %d: traffic resumed in %.1f s (+%d to A, +%d to B)" %
        (n, time.monotonic() - t0, d[0], d[1]))
    return pb


def fd_report(before, after):
    extra = {k: v for k, v in after.items() if before.get(k) != v}
    gone = {k: v for k, v in before.items() if after.get(k) != v}
    return "new or changed: %s; gone or changed: %s" % (extra, gone)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=300)
    ap.add_argument("--check", type=int, default=25, help="check A<->B every N rounds")
    ap.add_argument("--rss-bound", type=float, default=8.0, help="MiB")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    app = os.path.join(build_dir(), "app", "vhostu-fwd")
    if not os.path.exists(app):
        raise Failure("%s not found: build first (VHOSTU_BUILD=%s)" % (app, build_dir()))
    sanitized = bool(os.environ.get("VHOSTU_SANITIZER_PRELOAD"))
    t_start = time.monotonic()
    with work_dir("churn", args.keep) as workdir:
        sock_a, sock_b, sock_c = (os.path.join(workdir, n + ".sock") for n in "abc")
        sw = Switch(app, workdir)
        a, b = sw.create(sock_a), sw.create(sock_b)
        for n in (a, b):
            sw.ok("set interface state %s up" % n)
        sw.ok("set interface l2 xconnect %s %s" % (a, b))
        sw.ok("set interface l2 xconnect %s %s" % (b, a))
        churn = Churn(sw, sock_c)
        log("vhostu-fwd pid %d: A=%s B=%s C=%s" % (sw.pid, a, b, churn.name))

        pa = virtio_user("path=%s" % sock_a, workdir, name="peer-a")
        pa.wait_link(0, True, 15.0)
        pa.cmd("start")
        pb = start_b(sock_b, workdir, 0)
        d = wait_ab_traffic(sw, a, b, "start")
        log("A<->B forwarding: +%d to A, +%d to B" % tuple(d))

        # warm-up: one of every kind of round
        for rnd in range(10):
            churn.round(rnd)
        fds0 = stable_fds(sw, gap=0.1)
        rss0 = sw.status("VmRSS")
        heap0 = sw.heap()
        maps0 = sw.churn_maps()
        pa_rx0, pa_tx0 = pa.port_stats(0)
        log("after warm-up (10 rounds, %.0f s): %d fds, VmRSS %.1f MiB" %
            (time.monotonic() - t_start, len(fds0), rss0 / 1024))

        t_churn = time.monotonic()
        restarts_at = {args.rounds * k // 4 for k in (1, 2, 3)}
        n_restart = 0
        for i in range(args.rounds):
            rnd = 10 + i
            churn.round(rnd)
            if i + 1 in restarts_at:
                n_restart += 1
                pb = restart_b(sw, pb, sock_b, workdir, n_restart, a, b)
            elif (i + 1) % args.check == 0:
                wait_ab_traffic(sw, a, b, "round %d" % rnd, min_delta=1)
                log("  %d rounds (%.1f s/round), %d fds, VmRSS %.1f MiB" %
                    (i + 1, (time.monotonic() - t_churn) / (i + 1), len(sw.fds()),
                     sw.status("VmRSS") / 1024))
        churn_s = time.monotonic() - t_churn

        fds1 = stable_fds(sw, gap=0.1)
        rss1 = sw.status("VmRSS")
        heap1 = sw.heap()
        maps1 = sw.churn_maps()
        d = wait_ab_traffic(sw, a, b, "end")
        pa.wait_traffic(0, timeout=15.0, min_delta=100)
        pb.wait_traffic(0, timeout=15.0, min_delta=100)
        pa_rx1, pa_tx1 = pa.port_stats(0)
        log("churn: %d rounds in %.0f s; fds %d -> %d; rss %.1f MiB -> %.1f MiB (%+.1f); "
            "A<->B forwarded %d frames meanwhile (A sent %d, received %d); peer B restarted "
            "%d times; %d in-flight frames of C dropped (and counted) by SET_MEM_TABLE or "
            "SET_VRING_ENABLE 0" %
            (args.rounds, churn_s, len(fds0), len(fds1), rss0 / 1024, rss1 / 1024,
             (rss1 - rss0) / 1024, (pa_rx1 - pa_rx0) + (pa_tx1 - pa_tx0), pa_tx1 - pa_tx0,
             pa_rx1 - pa_rx0, n_restart, churn.dropped))
        if heap0 and heap1:
            log("rte_malloc: %d allocations, %d bytes -> %d allocations, %d bytes" %
                (heap0 + heap1))
        if maps0 or maps1:
            raise Failure("vhostu-fwd still maps guest memory of closed connections "
                          "(after warm-up: %d, at the end: %d):\n%s" %
                          (len(maps0), len(maps1), "\n".join((maps0 + maps1)[:10])))
        if len(fds1) != len(fds0):
            raise Failure("vhostu-fwd has %d fds after the churn, %d before: %s" %
                          (len(fds1), len(fds0), fd_report(fds0, fds1)))
        growth = (rss1 - rss0) / 1024
        if growth >= args.rss_bound:
            if sanitized:
                log("  (sanitizer build: RSS growth %.1f MiB not held against the bound; "
                    "ASan's quarantine keeps freed memory)" % growth)
            else:
                raise Failure("vhostu-fwd's RSS grew by %.1f MiB over %d rounds (bound %.0f "
                              "MiB: %s)" % (growth, args.rounds, args.rss_bound, RSS_BOUND_WHY))
        if heap0 and heap1 and heap0 != heap1:
            raise Failure("vhostu-fwd's rte_malloc heap holds %d allocations (%d bytes) after "
                          "the churn, %d (%d bytes) before" % (heap1 + heap0))
        pb.quit()
        pa.quit()
        rc = sw.quit(20.0)
        if rc != 0:
            raise Failure("vhostu-fwd: quit exited with status %s; last output:\n%s" %
                          (rc, sw.tail()))
        log("total %.0f s" % (time.monotonic() - t_start))


if __name__ == "__main__":
    main_wrapper(main)
