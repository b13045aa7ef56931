#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Hundreds of interfaces on a DPDK built with more ports (issue 16); run by
scripts/test-many-ports.sh, by hand, not by meson test (it needs the large
build and takes minutes).

vhostu-fwd -i (-l 0,1: shell + one worker), built against build-deps/dpdk-N:
  0. every DPDK library it maps is that build's (--dpdk-libdir; none of the
     system's);
  1. warm-up: N server interfaces created (when N is the limit, the next one
     is refused) and deleted, timed (allocator
     arenas, the conf copies and the ports' first allocations are made);
     then the start figures: open fds, VmRSS, PSS, threads, rte_malloc;
  2. N server interfaces created (timed): the idle figures;
  3. interfaces 0 and 1 xconnected, each with a DPDK virtio-user peer in the
     system's dpdk-testpmd (rxonly): a round is 64 frames from A to B and 64
     from B to A (`start tx_first 2'), and the receiver must count exactly the
     frames and bytes the sender sent; a round before, during (after every
     batch of 8) and after connecting...
  4. ...--connected interfaces (default 64) with the scripted frontend
     (vhostu_frontend.py, full handshake, 1 MiB of guest memory each), each up,
     xconnected to itself and echoing a frame: the connected figures;
  5. the frontends disconnect, the peers quit, all N interfaces are deleted
     (timed): fds exactly as at the start, VmRSS and USS (private memory;
     PSS moves when a peer sharing our library pages quits) within
     --rss-bound MiB of the start (RSS_BOUND_WHY), rte_malloc's allocation
     count and bytes as at the start; `quit' exits 0.
The figures are printed as a table at the end (doc/performance.md).

Usage: test_many_ports.py [--ports N] [--connected K] [--rss-bound MIB]
                          [--dpdk-libdir DIR] [--max-ports M] [--keep]
(VHOSTU_BUILD = the build dir of the large build; PYTHONPATH=test/lib)
"""

import argparse
import os
import re
import sys
import time

sys.dont_write_bytecode = True    # no __pycache__ in the source tree
from vhostu_frontend import (Failure, Frontend, GuestMemory, build_dir, handshake,  # noqa: E402
                             log, main_wrapper, stable_fds, virtio_user, wait_fds, work_dir,
                             deadline_wait)
import vhostu_procs  # noqa: E402

RSS_BOUND_WHY = (
    "after the warm-up (N interfaces made and deleted once) every allocation the run "
    "needs has been made once; what the end adds is allocator noise: freed malloc and "
    "rte_malloc memory stays resident, and the frontends' guest memory is unmapped "
    "(exactly: no memfd mapping may remain). 4 MiB is below what one leaked connected "
    "interface per 4 would keep; fds and rte_malloc allocations are compared exactly")


class Switch(vhostu_procs.Switch):
    def __init__(self, app, workdir):
        super().__init__(app, workdir, "many-fwd", mem_mb=1024)

    def rollup(self):
        """/proc/PID/smaps_rollup: {field: KiB}."""
        out = {}
        with open("/proc/%d/smaps_rollup" % self.pid) as f:
            for ln in f:
                m = re.match(r"^(\w+):\s+(\d+) kB", ln)
                if m:
                    out[m.group(1)] = int(m.group(2))
        return out

    def figures(self):
        """fds, VmRSS, USS (private pages: unlike PSS, it does not change when a
        process sharing our pages, a peer, starts or quits), PSS, threads."""
        fds = stable_fds(self, gap=0.1)
        r = self.rollup()
        return {"fds": len(fds), "rss": self.status("VmRSS"),
                "uss": r.get("Private_Clean", 0) + r.get("Private_Dirty", 0),
                "pss": r.get("Pss", 0), "threads": self.status("Threads"),
                "heap": self.heap(), "fdset": fds}


def check_own_dpdk(sw, libdir):
    """Every librte_* mapped comes from one DPDK: libdir's, when given."""
    libs = {ln.split()[-1] for ln in sw.maps_matching("librte_") if "/" in ln}
    dirs = {os.path.dirname(os.path.realpath(p)).replace("/dpdk/pmds-23.0", "") for p in libs}
    want = os.path.realpath(libdir) if libdir else None
    if len(dirs) != 1 or (want and dirs != {want}):
        raise Failure("vhostu-fwd maps DPDK libraries from %s, expected only %s"
                      % (sorted(dirs), want or "one directory"))
    log("  ok: all %d DPDK libraries mapped are from %s" % (len(libs), dirs.pop()))


class Pair:
    """Interfaces 0 and 1, xconnected, with virtio-user peers A and B."""

    def __init__(self, sw, names, socks, workdir):
        for n in names:
            sw.ok("set interface state %s up" % n)
        sw.ok("set interface l2 xconnect %s %s" % (names[0], names[1]))
        sw.ok("set interface l2 xconnect %s %s" % (names[1], names[0]))
        self.sw = sw
        self.peers = [virtio_user("path=%s" % s, workdir, name="peer-" + t, fwd="rxonly")
                      for s, t in zip(socks, "ab")]
        for p in self.peers:
            p.wait_link(0, True, 30.0)
            p.cmd("start")
        self.rounds = 0
        self.frames = 0

    def one_way(self, src, dst, what):
        src.cmd("stop")
        src.cmd("start tx_first 2")
        sent, sent_bytes = src.counts()[3:5]
        res = {}

        def arrived():
            res["c"] = dst.counts()
            return res["c"][0] >= sent
        deadline_wait(arrived, 20.0, 0.2)
        got, got_bytes, errors = res["c"][:3]
        if (got, got_bytes, errors) != (sent, sent_bytes, 0):
            raise Failure("%s: %s received %d frames, %d bytes, %d errors; %s sent %d frames, "
                          "%d bytes" % (what, dst.name, got, got_bytes, errors, src.name, sent,
                                        sent_bytes))

    def round(self, what):
        a, b = self.peers
        self.one_way(a, b, what + " A->B")
        self.one_way(b, a, what + " B->A")
        self.rounds += 1
        self.sw.check_alive()

    def close(self):
        for p in self.peers:
            p.quit()


def connect_frontend(sw, name, sock, i):
    """The scripted frontend on name: handshake, up, xconnected to itself, echo."""
    sw.ok("set interface state %s up" % name)
    sw.ok("set interface l2 xconnect %s %s" % (name, name))
    fe = Frontend.connect(sock, timeout=10.0)
    try:
        dev = handshake(fe, mem=GuestMemory(size=1 << 20, name="many-%d" % i), rx_fill=8)
        dev.echo(timeout=10.0)
    except BaseException:
        fe.close()
        raise
    return dev


def timed(fn):
    t = time.monotonic()
    fn()
    return time.monotonic() - t


def report(args, t, warm, f0, f1, f2, f3):
    n, k = args.ports, args.connected
    keys = ("fds", "rss", "uss", "pss", "threads")
    log("figures (vhostu-fwd -l 0,1, --no-huge -m 1024; the machine was shared and "
        "loaded: other builds and tests ran at the same time):")
    log("  create %d interfaces: %.2f s (first time %.2f s); delete %d: %.2f s (first time "
        "%.2f s)" % (n, t["create"], t["create0"], n, t["delete"], t["delete0"]))
    log("  %-34s %6s %10s %9s %9s %8s" % ("", "fds", "VmRSS KiB", "USS KiB", "PSS KiB",
                                          "threads"))
    for label, f in (("fresh (no interface yet)", warm[0]),
                     ("%d interfaces, first time" % n, warm[1]),
                     ("all deleted: the start", f0), ("%d idle interfaces" % n, f1),
                     ("+ pair and %d frontends" % k, f2), ("all deleted: the end", f3)):
        log("  %-34s %6d %10d %9d %9d %8d" % ((label,) + tuple(f[x] for x in keys)))

    def per(a, b, m):
        return tuple((b[x] - a[x]) / m for x in keys)
    log("  per idle interface, first time: %.1f fds, %.1f KiB RSS, %.1f KiB USS, %.1f KiB "
        "PSS, %.2f threads" % per(warm[0], warm[1], n))
    log("  per idle interface, again:      %.1f fds, %.1f KiB RSS, %.1f KiB USS, %.1f KiB "
        "PSS, %.2f threads" % per(f0, f1, n))
    log("  per connected interface (over idle; %d frontends + 2 virtio-user peers): +%.1f "
        "fds, +%.1f KiB RSS, +%.1f KiB USS, +%.1f KiB PSS, +%.2f threads"
        % ((k,) + per(f1, f2, k + 2)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ports", type=int, default=256)
    ap.add_argument("--connected", type=int, default=64)
    ap.add_argument("--rss-bound", type=float, default=4.0, help="MiB")
    ap.add_argument("--dpdk-libdir", help="where every DPDK library must come from")
    ap.add_argument("--max-ports", type=int,
                    help="RTE_MAX_ETHPORTS, when --ports is not the limit (default: it is)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    if args.connected + 2 > args.ports:
        raise Failure("--connected %d leaves no room for the pair in %d ports"
                      % (args.connected, args.ports))
    app = os.path.join(build_dir(), "app", "vhostu-fwd")
    if not os.path.exists(app):
        raise Failure("%s not found: build first (VHOSTU_BUILD=%s)" % (app, build_dir()))
    n, t = args.ports, {}
    with work_dir("many", args.keep) as workdir:
        socks = [os.path.join(workdir, "s%d.sock" % i) for i in range(n)]
        sw = Switch(app, workdir)
        log("vhostu-fwd pid %d (%s)" % (sw.pid, app))
        check_own_dpdk(sw, args.dpdk_libdir)
        names = []
        fresh = sw.figures()
        t["create0"] = timed(lambda: names.extend(sw.create(s) for s in socks))
        first = sw.figures()
        if names != ["VirtualEthernet0/0/%d" % i for i in range(n)]:
            raise Failure("names of the %d interfaces: %s..." % (n, names[:3]))
        if args.max_ports in (None, n):     # the limit itself: the next is refused
            out = sw.cmd("create vhost-user socket %s/past.sock server" % workdir)
            if "all %d DPDK ports are in use" % n not in out:
                raise Failure("interface %d: expected our refusal, got:\n%s" % (n + 1, out))
        t["delete0"] = timed(lambda: [sw.ok("delete vhost-user %s" % x) for x in names])
        log("warm-up: %d interfaces created in %.2f s, deleted in %.2f s; the next refused"
            % (n, t["create0"], t["delete0"]))
        f0 = sw.figures()

        t["create"] = timed(lambda: [sw.create(s) for s in socks])
        f1 = sw.figures()
        log("%d interfaces in %.2f s: %d fds, VmRSS %d KiB" % (n, t["create"], f1["fds"],
                                                              f1["rss"]))
        check_show(sw, names)

        pair = Pair(sw, names[:2], socks[:2], workdir)
        devs = []
        try:
            pair.round("before the frontends")
            for i in range(2, 2 + args.connected):
                devs.append(connect_frontend(sw, names[i], socks[i], i))
                if (i - 1) % 8 == 0:
                    pair.round("with %d frontends" % len(devs))
            f2 = sw.figures()
            check_placement(sw, names[:2 + args.connected])
            for d in devs:      # all of them still work
                d.fill_rx(0, 1)
                d.echo(timeout=10.0)
            pair.round("after the frontends")
            log("  ok: %d frontends connected and echoing; %d pair rounds, every frame "
                "and byte counted both ways" % (len(devs), pair.rounds))
        finally:
            for d in devs:
                d.fe.close()
                d.close()
                d.mem.close()
            pair.close()
        t["delete"] = timed(lambda: [sw.ok("delete vhost-user %s" % x) for x in names])
        wait_fds(sw, f0["fdset"], "all %d deleted" % n, timeout=10.0)
        f3 = sw.figures()
        maps = sw.maps_matching("memfd:many-")
        report(args, t, (fresh, first), f0, f1, f2, f3)
        check_end(args, f0, f3, maps)
        rc = sw.quit(30.0)
        if rc != 0:
            raise Failure("vhostu-fwd exit status %s; %s" % (rc, sw.describe()))


def check_show(sw, names):
    """show interface and show vhost-user list every interface."""
    out = sw.cmd("show interface")
    listed = re.findall(r"^(VirtualEthernet0/0/\d+)\s+(\d+)\s", out, re.M)
    if [x for x, _ in listed] != names or [int(i) for _, i in listed] != \
            list(range(1, len(names) + 1)):
        raise Failure("show interface lists %d interfaces, %d expected (%s ...)"
                      % (len(listed), len(names), listed[:3]))
    out = sw.cmd("show vhost-user", timeout=60.0)
    shown = re.findall(r"^Interface: (\S+) \(ifindex (\d+)\)", out, re.M)
    if [x for x, _ in shown] != names:
        raise Failure("show vhost-user shows %d interfaces, %d expected" %
                      (len(shown), len(names)))
    log("  ok: show interface and show vhost-user list all %d" % len(names))


def check_placement(sw, connected):
    """show interface rx-placement has queue 0 of every connected interface, once."""
    out = sw.cmd("show interface rx-placement", timeout=60.0)
    placed = re.findall(r"^\s+(VirtualEthernet0/0/\d+) queue 0 \(", out, re.M)
    if sorted(placed) != sorted(connected):
        raise Failure("rx-placement has %d queues 0, %d connected interfaces; missing %s"
                      % (len(placed), len(connected), sorted(set(connected) - set(placed))[:5]))
    log("  ok: rx-placement places queue 0 of all %d connected interfaces" % len(connected))


def check_end(args, f0, f3, maps):
    if maps:
        raise Failure("frontend memory still mapped after the deletes: %s" % maps[:3])
    grow = max(f3["rss"] - f0["rss"], f3["uss"] - f0["uss"]) / 1024
    if grow > args.rss_bound:
        raise Failure("VmRSS/USS grew %.1f MiB from the start, bound %.1f MiB (%s)"
                      % (grow, args.rss_bound, RSS_BOUND_WHY))
    if f0["heap"] and f3["heap"] and f0["heap"] != f3["heap"]:
        raise Failure("rte_malloc holds %d allocations (%d bytes) at the end, %d (%d bytes) "
                      "at the start" % (f3["heap"] + f0["heap"]))
    log("  ok: at the end %d fds as at the start, VmRSS %+d KiB, USS %+d KiB (bound %.0f "
        "MiB), rte_malloc %s as at the start" % (f3["fds"], f3["rss"] - f0["rss"],
                                                 f3["uss"] - f0["uss"], args.rss_bound,
                                                 f3["heap"]))


if __name__ == "__main__":
    main_wrapper(main)
