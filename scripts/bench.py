#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Loopback benchmark: net_vhostu against DPDK's net_vhost (rte_vhost).

Method (doc/performance.md): two dpdk-testpmd processes, one forwarding lcore
each. The backend runs the PMD under test with io forwarding on one port (what
arrives is sent back); the peer runs virtio-user with io forwarding and
`start tx_first 32` fills the loop. The rate is read from the peer's port
statistics over a fixed window; the backend's busy cycles per packet from
`--record-core-cycles` and `show fwd stats all`. The two PMDs run alternately
(A B A B ...) and the script prints medians and the ratio per pair.
`--backends fwd,vhost` runs the method's second half: vhostu-fwd (its one
interface cross-connected to itself, so it loops frames back like testpmd's io
mode) against testpmd with net_vhost. vhostu-fwd has no cycle counter: its
cycles/packet column reads nan.

This is a measurement, not a test: it prints numbers and never fails on them.
"""
import argparse
import os
import re
import select
import statistics
import subprocess
import sys
import tempfile
import time

TESTPMD = "dpdk-testpmd"


class Testpmd:
    """An interactive dpdk-testpmd (or vhostu-fwd) driven over a pipe."""

    def __init__(self, name, eal, app, env=None, program=TESTPMD, prompt="testpmd> "):
        self.name = name
        self.prompt = prompt
        cmd = ["stdbuf", "-oL", program] + eal + ["--"] + app + ["-i"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, env=env, text=True,
                                     start_new_session=True)
        self.out = ""
        self.expect(prompt, 60)

    def read_until(self, pattern, timeout):
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while not re.search(pattern, self.out):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{self.name}: no {pattern!r} in time; output:\n"
                                   + self.out[-3000:])
            r, _, _ = select.select([fd], [], [], left)
            if r:
                chunk = os.read(fd, 65536).decode(errors="replace")
                if not chunk:
                    raise RuntimeError(f"{self.name} exited:\n" + self.out[-3000:])
                self.out += chunk
        m = re.search(pattern, self.out)
        text = self.out[:m.end()]
        self.out = self.out[m.end():]
        return text

    def expect(self, pattern, timeout=30):
        return self.read_until(re.escape(pattern), timeout)

    def cmd(self, line, timeout=30):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self.expect(self.prompt, timeout)

    def close(self):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            self.proc.wait(timeout=20)
        except Exception:
            pass
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()


def rx_packets(text):
    m = re.search(r"RX-packets:\s+(\d+)", text)
    return int(m.group(1)) if m else 0


def cycles_per_packet(text):
    m = re.search(r"CPU cycles/packet=([\d.]+)", text)
    return float(m.group(1)) if m else float("nan")


MEM = ["--no-huge", "-m", "1024", "--no-pci"]


def start_backend(pmd, sock, queues, build, run_id):
    """The side under test, forwarding what arrives back out of the same port."""
    eal = (["-l", "0,1", "--main-lcore", "0"] + MEM +
           [f"--file-prefix=bench-be-{os.getpid()}-{run_id}"])
    if pmd == "fwd":
        fwd = Testpmd("vhostu-fwd", eal, [], program=os.path.join(build, "app", "vhostu-fwd"),
                      prompt="vhostu# ")
        fwd.cmd(f"create vhost-user socket {sock} server queues {queues}")
        fwd.cmd("set interface l2 xconnect VirtualEthernet0/0/0 VirtualEthernet0/0/0")
        fwd.cmd("set interface state VirtualEthernet0/0/0 up")
        return fwd
    env = dict(os.environ)
    if pmd == "vhostu":
        env["LD_PRELOAD"] = os.path.join(build, "drivers/net/vhostu/librte_net_vhostu.so")
        vdev = f"net_vhostu0,iface={sock},server=1,queues={queues}"
    else:
        vdev = f"net_vhost0,iface={sock},queues={queues}"
    backend = Testpmd("backend", eal + ["--vdev", vdev],
                      ["--forward-mode=io", "--record-core-cycles", "--nb-cores=1",
                       "--total-num-mbufs=32768", f"--rxq={queues}", f"--txq={queues}"], env)
    backend.cmd("start")
    return backend


def one_run(pmd, size, queues, window, build, workdir, run_id):
    sock = os.path.join(workdir, f"bench{run_id}.sock")
    if os.path.exists(sock):
        os.unlink(sock)
    q = [f"--rxq={queues}", f"--txq={queues}"]
    backend = start_backend(pmd, sock, queues, build, run_id)
    peer = None
    try:
        peer = Testpmd("peer", ["-l", "0,1", "--main-lcore", "1"] + MEM +
                       [f"--file-prefix=bench-fe-{os.getpid()}-{run_id}", "--vdev",
                        f"net_virtio_user0,path={sock},queues={queues}"],
                       ["--forward-mode=io", "--nb-cores=1", "--total-num-mbufs=32768",
                        f"--txpkts={size}"] + q)
        peer.cmd("start tx_first 32")
        time.sleep(1.0)                      # let the loop settle
        a = rx_packets(peer.cmd("show port stats 0"))
        t0 = time.monotonic()
        time.sleep(window)
        b = rx_packets(peer.cmd("show port stats 0"))
        mpps = (b - a) / (time.monotonic() - t0) / 1e6
        cpp = float("nan")
        if pmd != "fwd":
            backend.cmd("stop", 60)
            cpp = cycles_per_packet(backend.out + backend.cmd("show fwd stats all"))
        peer.cmd("stop", 60)
        return mpps, cpp
    finally:
        if peer:
            peer.close()
        backend.close()


LABELS = {"vhostu": "net_vhostu", "vhost": "net_vhost", "fwd": "vhostu-fwd"}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.environ.get("VHOSTU_BUILD", "build"))
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--sizes", default="64,1518")
    ap.add_argument("--queues", default="1")
    ap.add_argument("--window", type=float, default=5.0, help="seconds per measurement")
    ap.add_argument("--backends", default="vhostu,vhost",
                    help="A,B: each of vhostu (testpmd + net_vhostu), vhost (testpmd + "
                         "net_vhost), fwd (vhostu-fwd); the ratio is A/B")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    pmds = args.backends.split(",")
    if len(pmds) != 2 or any(p not in LABELS for p in pmds):
        sys.exit(f"bench: --backends wants two of {', '.join(LABELS)}, e.g. vhostu,vhost")
    for need in ("drivers/net/vhostu/librte_net_vhostu.so", "app/vhostu-fwd"):
        if not os.path.exists(os.path.join(build, need)):
            sys.exit(f"bench: {need} not found in {build}: build first (ninja -C {build})")
    workdir = tempfile.mkdtemp(prefix="vhostu-bench-")
    a, b = pmds
    la, lb = LABELS[a], LABELS[b]
    w = max(len(la), len(lb)) + 5
    print(f"# {la} vs {lb}, io loopback, virtio-user peer in testpmd, "
          f"{args.pairs} pairs, {args.window:.0f} s windows")
    head = (f"{la + ' Mpps':>{w}} {lb + ' Mpps':>{w}} {'ratio':>6} "
            f"{la + ' cyc/pkt':>{w + 3}} {lb + ' cyc/pkt':>{w + 3}}")
    print(f"{'size':>5} {'q':>2} {'pair':>4} " + head)
    run_id = 0
    summary = []
    for queues in [int(x) for x in args.queues.split(",")]:
        for size in [int(x) for x in args.sizes.split(",")]:
            rows = []
            for pair in range(args.pairs):
                res = {}
                for pmd in pmds:
                    run_id += 1
                    res[pmd] = one_run(pmd, size, queues, args.window, build, workdir, run_id)
                ratio = res[a][0] / res[b][0] if res[b][0] else float("nan")
                row = (res[a][0], res[b][0], ratio, res[a][1], res[b][1])
                rows.append(row)
                print(f"{size:>5} {queues:>2} {pair + 1:>4} " + fmt_row(row, w), flush=True)
            summary.append((size, queues, [statistics.median(r[k] for r in rows)
                                           for k in range(5)]))
    print("\n# medians")
    print(f"{'size':>5} {'q':>2} " + head)
    for size, queues, med in summary:
        print(f"{size:>5} {queues:>2} " + fmt_row(med, w))


def fmt_row(r, w):
    return (f"{r[0]:>{w}.2f} {r[1]:>{w}.2f} {r[2]:>6.2f} {r[3]:>{w + 3}.0f} "
            f"{r[4]:>{w + 3}.0f}")


if __name__ == "__main__":
    main()
