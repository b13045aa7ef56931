#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Loopback benchmark: net_vhostu against DPDK's net_vhost (rte_vhost).

Method (ARCHITECTURE.md): two dpdk-testpmd processes, one forwarding lcore
each. The backend runs the PMD under test with io forwarding on one port (what
arrives is sent back); the peer runs virtio-user with io forwarding and
`start tx_first 32` fills the loop. The rate is read from the peer's port
statistics over a fixed window; the backend's busy cycles per packet from
`--record-core-cycles` and `show fwd stats all`. The two PMDs run alternately
(A B A B ...) and the script prints medians and the ratio per pair.

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
    """An interactive dpdk-testpmd driven over a pipe."""

    def __init__(self, name, eal, app, env=None):
        self.name = name
        cmd = ["stdbuf", "-oL", TESTPMD] + eal + ["--"] + app + ["-i"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, env=env, text=True,
                                     start_new_session=True)
        self.out = ""
        self.expect("testpmd> ", 60)

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
        return self.expect("testpmd> ", timeout)

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


def one_run(pmd, size, queues, window, plugin, workdir, run_id):
    sock = os.path.join(workdir, f"bench{run_id}.sock")
    if os.path.exists(sock):
        os.unlink(sock)
    env = dict(os.environ)
    if pmd == "vhostu":
        env["LD_PRELOAD"] = plugin
        vdev = f"net_vhostu0,iface={sock},server=1,queues={queues}"
    else:
        vdev = f"net_vhost0,iface={sock},queues={queues}"
    mem = ["--no-huge", "-m", "1024", "--no-pci"]
    q = [f"--rxq={queues}", f"--txq={queues}"]
    backend = Testpmd("backend", ["-l", "0,1", "--main-lcore", "0"] + mem +
                      [f"--file-prefix=bench-be-{os.getpid()}-{run_id}", "--vdev", vdev],
                      ["--forward-mode=io", "--record-core-cycles", "--nb-cores=1",
                       "--total-num-mbufs=32768"] + q, env)
    peer = None
    try:
        backend.cmd("start")
        peer = Testpmd("peer", ["-l", "0,1", "--main-lcore", "1"] + mem +
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
        backend.cmd("stop", 60)
        cpp = cycles_per_packet(backend.out + backend.cmd("show fwd stats all"))
        peer.cmd("stop", 60)
        return mpps, cpp
    finally:
        if peer:
            peer.close()
        backend.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.environ.get("VHOSTU_BUILD", "build"))
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--sizes", default="64,1518")
    ap.add_argument("--queues", default="1")
    ap.add_argument("--window", type=float, default=5.0, help="seconds per measurement")
    args = ap.parse_args()
    plugin = os.path.abspath(os.path.join(args.build, "drivers/net/vhostu/librte_net_vhostu.so"))
    if not os.path.exists(plugin):
        sys.exit(f"bench: {plugin} not found: build first (ninja -C {args.build})")
    workdir = tempfile.mkdtemp(prefix="vhostu-bench-")
    print(f"# net_vhostu vs net_vhost, testpmd io loopback, virtio-user peer, "
          f"{args.pairs} pairs, {args.window:.0f} s windows")
    print(f"{'size':>5} {'q':>2} {'pair':>4} {'vhostu Mpps':>11} {'vhost Mpps':>10} "
          f"{'ratio':>6} {'vhostu cyc/pkt':>14} {'vhost cyc/pkt':>13}")
    run_id = 0
    summary = []
    for queues in [int(x) for x in args.queues.split(",")]:
        for size in [int(x) for x in args.sizes.split(",")]:
            rows = []
            for pair in range(args.pairs):
                res = {}
                for pmd in ("vhostu", "vhost"):
                    run_id += 1
                    res[pmd] = one_run(pmd, size, queues, args.window, plugin, workdir, run_id)
                ratio = res["vhostu"][0] / res["vhost"][0] if res["vhost"][0] else float("nan")
                rows.append((res["vhostu"], res["vhost"], ratio))
                print(f"{size:>5} {queues:>2} {pair + 1:>4} {res['vhostu'][0]:>11.2f} "
                      f"{res['vhost'][0]:>10.2f} {ratio:>6.2f} {res['vhostu'][1]:>14.0f} "
                      f"{res['vhost'][1]:>13.0f}", flush=True)
            summary.append((size, queues,
                            statistics.median(r[0][0] for r in rows),
                            statistics.median(r[1][0] for r in rows),
                            statistics.median(r[2] for r in rows),
                            statistics.median(r[0][1] for r in rows),
                            statistics.median(r[1][1] for r in rows)))
    print("\n# medians")
    print(f"{'size':>5} {'q':>2} {'vhostu Mpps':>11} {'vhost Mpps':>10} {'ratio':>6} "
          f"{'vhostu cyc/pkt':>14} {'vhost cyc/pkt':>13}")
    for s in summary:
        print(f"{s[0]:>5} {s[1]:>2} {s[2]:>11.2f} {s[3]:>10.2f} {s[4]:>6.2f} {s[5]:>14.0f} "
              f"{s[6]:>13.0f}")


if __name__ == "__main__":
    main()
