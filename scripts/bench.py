#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Loopback benchmark of net_vhostu and vhostu-fwd against net_vhost and OVS-DPDK.

Method (doc/performance.md): a backend loops frames back to one virtio-user
peer (dpdk-testpmd, io forwarding, `start tx_first 32`); each owns one core.
Backends (`--backends A,B`, the ratio is A/B):
  vhostu  testpmd io forwarding over net_vhostu (LD_PRELOAD)
  vhost   testpmd io forwarding over DPDK's net_vhost (rte_vhost)
  fwd     vhostu-fwd, its interface cross-connected to itself
  ovs     Open vSwitch with DPDK: netdev bridge, one dpdkvhostuserclient port,
          flow in_port=1,actions=in_port (needs hugepages: scripts/bench.sh)
A backend may carry options: `fwd:idle=30` (30 more interfaces whose
frontends are connected and idle; for testpmd backends 30 more ports),
`fwd:rxmode=adaptive` (set interface rx-mode on every interface),
`vhostu:packed` and `vhostu:inorder` (the virtio-user peer, and the idle
frontends, run with `packed_vq=1` / `in_order=1`: packed rings, IN_ORDER;
both may be given), `vhostu:build=DIR` and `fwd:build=DIR` (the driver or
vhostu-fwd of another build directory: two builds against each other, as
`--backends vhostu:build=old,vhostu`). `--idle-ports N` and `--rx-mode M` with one backend X
make the pair `X:idle=N` / `X` or `X:rxmode=M` / `X`; `--ring packed|inorder`
gives both backends that option (by default: `vhostu:packed,vhost:packed`).

Each run reads the peer's RX counter every second of its window: the run's
figure is the median of those per-second rates, printed with their p10 and
p90, and a run whose samples changed mode (max/min > 1.5 or p10 < 0.8 x
median) is flagged `MODE`. Runs alternate A B A B ... (`--pairs`, 9 by
default); the summary gives per backend the median, p10 and p90 of the run
medians and the same of the per-pair ratios.

Alongside, vhostu-corelat samples once a second how long a cache line takes
to go from the peer's CPU to the backend's and back (it takes about a
millisecond of each second from the pollers): on a VM that figure moves with
where the host runs the two vCPUs, and the loop's rate moves with it. Each
run prints its median; the summary also gives each backend's median rate
over the seconds whose round trip was near the bench's lowest ("near") and
over the others ("far").

`--tso MSS`: TSO frames instead (testpmd's txonly makes UDP only): the peer
replays one TCP/IPv4 frame of SIZE bytes (--sizes) from a pcap file
(net_pcap, infinite_rx) through the csum engine with `tso set MSS` on its
virtio-user port (HOST_TSO4) and LRO on (GUEST_TSO4), so the backend takes
and gives back TSO frames; net_vhost runs with tso=1,legacy-ol-flags=1 then.

`--idle-cpu` measures instead: vhostu-fwd with its interfaces (1 + --idle-ports)
connected to idle frontends, in each rx mode, CPU time of all its threads
over 10 s, in % of one core.

This is a measurement, not a test: it prints numbers and never fails on them.
"""
import argparse
import glob
import os
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time

TESTPMD = "dpdk-testpmd"
OVS_VSWITCHD = "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk"
OVS_SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"
MEM = ["--no-huge", "-m", "1024", "--no-pci"]
LABELS = {"vhostu": "net_vhostu", "vhost": "net_vhost", "fwd": "vhostu-fwd", "ovs": "OVS-DPDK"}


class Proc:
    """An interactive dpdk-testpmd (or vhostu-fwd) driven over a pipe."""

    def __init__(self, name, eal, app, env=None, program=TESTPMD, prompt="testpmd> ",
                 wait=True):
        self.name = name
        self.prompt = prompt
        cmd = ["stdbuf", "-oL", program] + eal + ["--"] + app + ["-i"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, env=env, text=True,
                                     start_new_session=True)
        self.out = ""
        if wait:
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
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def counter(text, name):
    m = re.search(name + r":\s+(\d+)", text)
    return int(m.group(1)) if m else 0


def cycles_per_packet(text):
    m = re.search(r"CPU cycles/packet=([\d.]+)", text)
    return float(m.group(1)) if m else float("nan")


def quantiles(v):
    """p10, median, p90 (nan for no data)."""
    v = [x for x in v if x == x]
    if not v:
        return float("nan"), float("nan"), float("nan")
    if len(v) == 1:
        return v[0], v[0], v[0]
    q = statistics.quantiles(v, n=10, method="inclusive")
    return q[0], statistics.median(v), q[8]


def cpu_steal():
    """(steal, total) jiffies of each cpu."""
    r = {}
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu") and line[3].isdigit():
                x = line.split()
                r[x[0]] = (int(x[8]), sum(int(y) for y in x[1:9]))
    return r


class Corelat:
    """vhostu-corelat in the background: (time, round trip ns) samples."""

    def __init__(self, build, path):
        self.samples = []
        self.path = path
        self.f = open(path, "w")
        prog = os.path.join(build, "tools", "vhostu-corelat")
        self.proc = subprocess.Popen([prog, "0", "1", "1.0"], stdout=self.f,
                                     stderr=subprocess.DEVNULL, start_new_session=True)

    def between(self, t0, t1):
        with open(self.path) as f:
            for line in f.readlines()[len(self.samples):]:
                x = line.split()
                if len(x) == 2:
                    self.samples.append((float(x[0]), float(x[1])))
        return [rt for t, rt in self.samples if t0 < t <= t1 and rt == rt]  # nan: gave up

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        self.f.close()


class Spec:
    def __init__(self, text):
        parts = text.split(":")
        self.kind = parts[0]
        self.idle = 0
        self.rxmode = None
        self.packed = False
        self.inorder = False
        self.build = None
        if self.kind not in LABELS:
            sys.exit(f"bench: unknown backend `{self.kind}' (one of {', '.join(LABELS)})")
        for p in parts[1:]:
            k, _, v = p.partition("=")
            if k == "idle" and v.isdigit():
                self.idle = int(v)
            elif k == "rxmode" and v in ("polling", "interrupt", "adaptive"):
                self.rxmode = v
            elif p == "packed":
                self.packed = True
            elif p == "inorder":
                self.inorder = True
            elif k == "build" and v:
                self.build = os.path.abspath(v)
            else:
                sys.exit(f"bench: bad backend option `{p}' (idle=N, rxmode=MODE, packed, "
                         "inorder, build=DIR)")
        if self.rxmode and self.kind != "fwd":
            sys.exit("bench: rxmode=... is for the fwd backend")
        if self.kind == "ovs" and self.idle:
            sys.exit("bench: idle=N is not supported for ovs")
        if self.build and self.kind not in ("vhostu", "fwd"):
            sys.exit("bench: build=DIR is for the vhostu and fwd backends")
        self.label = LABELS[self.kind] + "".join(
            [f"+{self.idle}idle" if self.idle else "", f"+{self.rxmode}" if self.rxmode else "",
             "+packed" if self.packed else "", "+inorder" if self.inorder else "",
             f"@{os.path.basename(self.build)}" if self.build else ""])

    def ring_opts(self):
        """What the virtio-user frontends add to their --vdev for this backend's rings."""
        return (",packed_vq=1" if self.packed else "") + (",in_order=1" if self.inorder else "")


class Bench:
    def __init__(self, args):
        self.args = args
        self.build = os.path.abspath(args.build)
        self.workdir = tempfile.mkdtemp(prefix="vhostu-bench-")
        self.run_id = 0

    def sock(self, name):
        path = os.path.join(self.workdir, f"{name}{self.run_id}.sock")
        if os.path.exists(path):
            os.unlink(path)
        return path

    def prefix(self, who):
        return f"--file-prefix=bench-{who}-{os.getpid()}-{self.run_id}"

    # --- backends ---

    def start_fwd(self, socks, queues, rxmode, build=None):
        eal = ["-l", "0,1", "--main-lcore", "0"] + MEM + [self.prefix("be")]
        fwd = Proc("vhostu-fwd", eal, [],
                   program=os.path.join(build or self.build, "app", "vhostu-fwd"),
                   prompt="vhostu# ")
        for i, s in enumerate(socks):
            fwd.cmd(f"create vhost-user socket {s} server queues {queues}")
            ifn = f"VirtualEthernet0/0/{i}"
            fwd.cmd(f"set interface l2 xconnect {ifn} {ifn}")
            if rxmode:
                fwd.cmd(f"set interface rx-mode {ifn} {rxmode}")
            fwd.cmd(f"set interface state {ifn} up")
        return fwd

    def start_testpmd(self, kind, socks, queues, build=None):
        eal = ["-l", "0,1", "--main-lcore", "0"] + MEM + [self.prefix("be")]
        env = dict(os.environ)
        if kind == "vhostu":
            env["LD_PRELOAD"] = os.path.join(build or self.build,
                                             "drivers/net/vhostu/librte_net_vhostu.so")
        for i, s in enumerate(socks):
            if kind == "vhostu":
                eal += ["--vdev", f"net_vhostu{i},iface={s},server=1,queues={queues}"]
            else:
                eal += ["--vdev", f"net_vhost{i},iface={s},queues={queues}" +
                        (",tso=1,legacy-ol-flags=1" if self.args.tso else "")]
        be = Proc("backend", eal,
                  ["--forward-mode=io", "--port-topology=loop", "--record-core-cycles",
                   "--record-burst-stats", "--nb-cores=1",
                   f"--total-num-mbufs={32768 + 4096 * (len(socks) - 1)}",
                   f"--rxq={queues}", f"--txq={queues}"], env)
        be.cmd("start")
        return be

    def idle_frontends(self, socks, server=False, ring=""):
        """One testpmd with a virtio-user port per socket, never started: idle."""
        if not socks:
            return None
        # testpmd wants a forwarding lcore; it stays idle, as forwarding never starts
        eal = ["-l", "0,1", "--main-lcore", "1"] + MEM + [self.prefix("idle")]
        for i, s in enumerate(socks):
            eal += ["--vdev", f"net_virtio_user{i},path={s},queues=1" +
                    (",server=1" if server else "") + ring]
        return Proc("idle-frontends", eal,
                    ["--nb-cores=1", f"--total-num-mbufs={2048 * len(socks) + 4096}"])

    def peer(self, sock, queues, size, hugepages=False, server=False, wait=True, ring=""):
        mem = (["-m", "1024", "--no-pci", "--single-file-segments"] if hugepages else MEM)
        vdev = f"net_virtio_user0,path={sock},queues={queues}" + (",server=1" if server else "") \
            + ring
        if self.args.tso:
            return self.tso_peer(mem, vdev, queues, size)
        return Proc("peer", ["-l", "0,1", "--main-lcore", "1"] + mem +
                    [self.prefix("fe"), "--vdev", vdev],
                    ["--forward-mode=io", "--nb-cores=1", "--total-num-mbufs=32768",
                     f"--txpkts={size}", f"--rxq={queues}", f"--txq={queues}"], wait=wait)

    def tso_peer(self, mem, vdev, queues, size):
        """--tso: port 0 virtio-user with TSO and LRO, port 1 net_pcap replaying
        one TCP frame of size bytes (mbufs of 64 KiB: infinite_rx wants the frame
        in one), the csum engine between them."""
        pcap = os.path.join(self.workdir, f"tso{size}.pcap")
        write_tcp_pcap(pcap, size)
        p = Proc("peer", ["-l", "0,1", "--main-lcore", "1"] + mem +
                 [self.prefix("fe"), "--vdev", vdev,
                  "--vdev", f"net_pcap0,rx_pcap={pcap},infinite_rx=1"],
                 ["--forward-mode=csum", "--nb-cores=1", "--total-num-mbufs=4096",
                  "--mbuf-size=65535", f"--rxq={queues}", f"--txq={queues}"])
        for line in ("port stop all", f"tso set {self.args.tso} 0", "csum set tcp hw 0",
                     "port config 0 rx_offload tcp_cksum on",
                     "port config 0 rx_offload tcp_lro on", "port start all"):
            p.cmd(line, 60)
        return p

    # --- one run ---

    def measure(self, peer, corelat):
        """Per-second rates (Mpps) over the window, with core latency and steal per second."""
        time.sleep(1.0)  # let the loop settle
        a = counter(peer.cmd("show port stats 0"), "RX-packets")
        t = time.monotonic()
        w = time.time()
        st = cpu_steal()
        out = []
        for _ in range(int(round(self.args.window))):
            time.sleep(max(0.0, t + 1.0 - time.monotonic()))
            b = counter(peer.cmd("show port stats 0"), "RX-packets")
            t2, w2, st2 = time.monotonic(), time.time(), cpu_steal()
            steal = max((st2[c][0] - st[c][0]) / max(1, st2[c][1] - st[c][1]) for c in st2)
            rts = corelat.between(w, w2) if corelat else []
            out.append(((b - a) / (t2 - t) / 1e6, statistics.median(rts) if rts else
                        float("nan"), 100.0 * steal))
            a, t, w, st = b, t2, w2, st2
        return out

    def one_run(self, spec, size, queues, corelat):
        self.run_id += 1
        if spec.kind == "ovs":
            return self.one_run_ovs(spec, size, queues, corelat)
        sock = self.sock("bench")
        idle = [self.sock(f"idle{i}-") for i in range(spec.idle)]
        if spec.kind == "fwd":
            be = self.start_fwd([sock] + idle, queues, spec.rxmode, spec.build)
        else:
            be = self.start_testpmd(spec.kind, [sock] + idle, queues, spec.build)
        fe = peer = None
        try:
            fe = self.idle_frontends(idle, ring=spec.ring_opts())
            peer = self.peer(sock, queues, size, ring=spec.ring_opts())
            peer.cmd("start" if self.args.tso else "start tx_first 32")
            samples = self.measure(peer, corelat)
            cpp, bursts = float("nan"), ""
            if spec.kind != "fwd":
                be.cmd("stop", 60)
                text = be.out + be.cmd("show fwd stats all")
                cpp = cycles_per_packet(text)
                m = re.search(r"RX-bursts : \d+ \[([^\]]*)\]", text)
                bursts = m.group(1) if m else ""
            peer.cmd("stop", 60)
            return samples, cpp, bursts
        finally:
            for p in (peer, fe):
                if p:
                    p.close()
            be.close()

    # --- OVS-DPDK ---

    def ovs(self, rundir, *argv, check=True):
        env = dict(os.environ, OVS_RUNDIR=rundir, OVS_LOGDIR=rundir, OVS_DBDIR=rundir)
        return subprocess.run(list(argv), env=env, check=check, capture_output=True, text=True,
                              timeout=60)

    def one_run_ovs(self, spec, size, queues, corelat):
        rundir = os.path.join(self.workdir, f"ovs{self.run_id}")
        os.makedirs(rundir)
        db = os.path.join(rundir, "conf.db")
        dbsock = "unix:" + os.path.join(rundir, "db.sock")
        vsctl = ["ovs-vsctl", "--db=" + dbsock, "--timeout=30"]
        sock = self.sock("ovs")
        # virtio-user is the server here: it waits in its set-up for OVS to connect.
        peer = self.peer(sock, queues, size, hugepages=True, server=True, wait=False,
                         ring=spec.ring_opts())
        started = []
        try:
            self.ovs(rundir, "ovsdb-tool", "create", db, OVS_SCHEMA)
            self.ovs(rundir, "ovsdb-server", db, "--remote=p" + dbsock, "--detach",
                     "--pidfile=" + os.path.join(rundir, "ovsdb.pid"),
                     "--unixctl=" + os.path.join(rundir, "ovsdb.ctl"),
                     "--log-file=" + os.path.join(rundir, "ovsdb.log"))
            started.append("ovsdb")
            self.ovs(rundir, *vsctl, "--no-wait", "init")
            self.ovs(rundir, *vsctl, "--no-wait", "set", "Open_vSwitch", ".",
                     "other_config:dpdk-init=true", "other_config:dpdk-lcore-mask=0x1",
                     "other_config:pmd-cpu-mask=0x2", "other_config:dpdk-socket-mem=1024",
                     "other_config:dpdk-extra=--no-pci")
            self.ovs(rundir, OVS_VSWITCHD, dbsock, "--detach",
                     "--pidfile=" + os.path.join(rundir, "vswitchd.pid"),
                     "--unixctl=" + os.path.join(rundir, "vswitchd.ctl"),
                     "--log-file=" + os.path.join(rundir, "vswitchd.log"))
            started.append("vswitchd")
            self.ovs(rundir, *vsctl, "add-br", "br0", "--", "set", "bridge", "br0",
                     "datapath_type=netdev")
            self.ovs(rundir, *vsctl, "add-port", "br0", "vhu0", "--", "set", "Interface",
                     "vhu0", "type=dpdkvhostuserclient", f"options:vhost-server-path={sock}",
                     f"options:n_rxq={queues}", "ofport_request=1")
            self.ovs(rundir, "ovs-ofctl", "del-flows", "br0")
            self.ovs(rundir, "ovs-ofctl", "add-flow", "br0", "in_port=1,actions=in_port")
            peer.expect(peer.prompt, 60)
            peer.cmd("start tx_first 32")
            samples = self.measure(peer, corelat)
            peer.cmd("stop", 60)
            return samples, float("nan"), ""
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
            log = os.path.join(rundir, "vswitchd.log")
            tail = open(log).read()[-2000:] if os.path.exists(log) else ""
            sys.exit(f"bench: OVS set-up failed: {e}\n{getattr(e, 'stderr', '')}\n{tail}")
        finally:
            peer.close()
            # A peer killed after a failed quit leaves its hugepage files behind.
            for f in glob.glob(f"/dev/hugepages/bench-fe-{os.getpid()}-{self.run_id}*"):
                os.unlink(f)
            for who in reversed(started):
                ctl = os.path.join(rundir, f"{who}.ctl")
                self.ovs(rundir, "ovs-appctl", "-t", ctl, "exit", check=False)
                pidf = os.path.join(rundir, f"{who}.pid")
                deadline = time.monotonic() + 10
                while os.path.exists(pidf) and time.monotonic() < deadline:
                    time.sleep(0.1)
                if os.path.exists(pidf):
                    try:
                        os.kill(int(open(pidf).read()), signal.SIGKILL)
                    except (OSError, ValueError):
                        pass

    # --- idle CPU ---

    def idle_cpu(self, modes, nidle, ring="", secs=10.0):
        print(f"# idle vhostu-fwd: {1 + nidle} interfaces, frontends connected and idle, "
              f"CPU time of all threads over {secs:.0f} s")
        print(f"{'rx-mode':>10} {'CPU % of one core':>18}")
        hz = os.sysconf("SC_CLK_TCK")
        for mode in modes:
            self.run_id += 1
            socks = [self.sock(f"idle{i}-") for i in range(1 + nidle)]
            be = self.start_fwd(socks, 1, mode)
            fe = None
            try:
                fe = self.idle_frontends(socks, ring=ring)
                time.sleep(2.0)  # connected, rings set up, modes applied

                def cpu():
                    with open(f"/proc/{be.proc.pid}/stat") as f:
                        x = f.read().rsplit(")", 1)[1].split()
                    return int(x[11]) + int(x[12])
                c0, t0 = cpu(), time.monotonic()
                time.sleep(secs)
                c1, t1 = cpu(), time.monotonic()
                print(f"{mode:>10} {100.0 * (c1 - c0) / hz / (t1 - t0):>18.2f}", flush=True)
            finally:
                if fe:
                    fe.close()
                be.close()


def write_tcp_pcap(path, size):
    """A pcap file of one TCP/IPv4 frame of size bytes (checksums are the csum engine's)."""
    l4len = size - 34
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + l4len, 1, 0, 64, 6, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    tcp = struct.pack("!HHIIBBHHH", 1000, 80, 1, 0, 5 << 4, 0x10, 512, 0, 0)
    frame = (b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\0" + ip + tcp +
             bytes(i & 0xff for i in range(l4len - 20)))
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        f.write(struct.pack("<IIII", 0, 0, len(frame), len(frame)) + frame)


def flag(samples):
    r = [s[0] for s in samples]
    if not r:
        return ""
    p10, med, _ = quantiles(r)
    if (min(r) > 0 and max(r) / min(r) > 1.5) or p10 < 0.8 * med or min(r) == 0:
        return "MODE"
    return ""


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.environ.get("VHOSTU_BUILD", "build"))
    ap.add_argument("--pairs", type=int, default=9)
    ap.add_argument("--sizes", default="64,1518")
    ap.add_argument("--queues", default="1")
    ap.add_argument("--window", type=float, default=10.0,
                    help="seconds per run, one sample each (default 10)")
    ap.add_argument("--backends", default="vhostu,vhost",
                    help="A,B from vhostu, vhost, fwd, ovs, each with :idle=N, "
                         ":rxmode=MODE (fwd), :packed, :inorder; the ratio is A/B")
    ap.add_argument("--idle-ports", type=int, default=None,
                    help="with one backend X: the pair X:idle=N / X")
    ap.add_argument("--rx-mode", choices=("polling", "interrupt", "adaptive"),
                    help="with one backend X (fwd): the pair X:rxmode=M / X")
    ap.add_argument("--tso", type=int, metavar="MSS",
                    help="TSO frames of --sizes bytes (TCP/IPv4, e.g. 64054) cut at MSS")
    ap.add_argument("--ring", choices=("packed", "inorder"),
                    help="give both backends :packed (virtio-user packed_vq=1) or :inorder "
                         "(in_order=1)")
    ap.add_argument("--idle-cpu", action="store_true",
                    help="measure an idle vhostu-fwd's CPU use per rx mode instead")
    ap.add_argument("--no-corelat", action="store_true",
                    help="do not sample the cache-line round trip between the two CPUs")
    ap.add_argument("--samples", action="store_true",
                    help="print every run's per-second samples (Mpps@round-trip-ns)")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    for need in ("drivers/net/vhostu/librte_net_vhostu.so", "app/vhostu-fwd",
                 "tools/vhostu-corelat"):
        if not os.path.exists(os.path.join(build, need)):
            sys.exit(f"bench: {need} not found in {build}: build first (ninja -C {build})")
    bench = Bench(args)
    if args.idle_cpu:
        ring = Spec("fwd:" + args.ring).ring_opts() if args.ring else ""
        bench.idle_cpu(["interrupt", "adaptive", "polling"], args.idle_ports or 0, ring)
        return
    names = args.backends.split(",")
    if len(names) == 1 and (args.idle_ports is not None or args.rx_mode):
        opt = f":idle={args.idle_ports}" if args.idle_ports is not None else ""
        opt += f":rxmode={args.rx_mode}" if args.rx_mode else ""
        names = [names[0] + opt, names[0]]
    if len(names) != 2:
        sys.exit("bench: --backends wants two backends, e.g. vhostu,vhost")
    if args.ring:
        names = [n + ":" + args.ring for n in names]
    specs = [Spec(n) for n in names]
    if args.tso and (any(s.kind == "ovs" for s in specs) or args.tso < 1 or
                     args.queues != "1" or
                     any(not 54 + args.tso < int(x) <= 65000 for x in args.sizes.split(","))):
        sys.exit("bench: --tso MSS: backends vhostu, vhost, fwd, --queues 1, --sizes of "
                 "55+MSS..65000")
    if any(s.kind == "ovs" for s in specs) and not os.path.exists(OVS_VSWITCHD):
        sys.exit(f"bench: {OVS_VSWITCHD} not found: run scripts/bench.sh (it installs "
                 "openvswitch-switch-dpdk and sets up hugepages)")
    corelat = None if args.no_corelat else Corelat(build, os.path.join(bench.workdir,
                                                                         "corelat.txt"))
    try:
        run_all(bench, specs, args, corelat)
    finally:
        if corelat:
            corelat.stop()
        shutil.rmtree(bench.workdir, ignore_errors=True)


def run_all(bench, specs, args, corelat):
    a, b = specs
    w = max(len(a.label), len(b.label), 10)
    print(f"# {a.label} vs {b.label}, loopback to a virtio-user peer in testpmd, "
          f"{args.pairs} interleaved pairs, {args.window:.0f} one-second samples per run")
    print("# per run: median Mpps of its samples [p10 p90], MODE if they changed mode, "
          "median core round trip (ns), max steal %; ratio of the two medians")
    print(f"{'size':>5} {'q':>2} {'pair':>4} {'backend':>{w}} {'Mpps':>6} {'p10':>6} "
          f"{'p90':>6} {'flag':>4} {'rt ns':>6} {'steal':>5} {'cyc/pkt':>7}  {'ratio':>5}")
    summary = []
    for queues in [int(x) for x in args.queues.split(",")]:
        for size in [int(x) for x in args.sizes.split(",")]:
            runs = {0: [], 1: []}
            ratios = []
            for pair in range(args.pairs):
                meds = []
                for k, spec in enumerate(specs):
                    samples, cpp, bursts = bench.one_run(spec, size, queues, corelat)
                    p10, med, p90 = quantiles([s[0] for s in samples])
                    rt = quantiles([s[1] for s in samples])[1]
                    steal = max([s[2] for s in samples] or [0.0])
                    runs[k].append((med, samples))
                    meds.append(med)
                    ratio = ""
                    if k == 1:
                        r = meds[0] / meds[1] if meds[1] else float("nan")
                        ratios.append(r)
                        ratio = f"{r:5.2f}"
                    print(f"{size:>5} {queues:>2} {pair + 1:>4} {spec.label:>{w}} {med:6.2f} "
                          f"{p10:6.2f} {p90:6.2f} {flag(samples):>4} {rt:6.0f} {steal:5.1f} "
                          f"{cpp:7.0f}  {ratio:>5}", flush=True)
                    if args.samples:
                        print("      samples " + " ".join(f"{s[0]:.2f}@{s[1]:.0f}"
                                                          for s in samples))
                        if bursts:
                            print(f"      backend rx bursts: {bursts}")
            summary.append((size, queues, runs, ratios))
    print_summary(specs, summary, corelat, w)


def print_summary(specs, summary, corelat, w):
    print("\n# summary: median [p10 p90] over the runs' medians; ratio over the pairs")
    print(f"{'size':>5} {'q':>2} {specs[0].label + ' Mpps':>{w + 5}} {'':>13} "
          f"{specs[1].label + ' Mpps':>{w + 5}} {'':>13} {'ratio':>6} {'':>11} {'MODE runs':>9}")
    for size, queues, runs, ratios in summary:
        cols = []
        for k in (0, 1):
            p10, med, p90 = quantiles([r[0] for r in runs[k]])
            cols.append(f"{med:>{w + 5}.2f} [{p10:5.2f} {p90:5.2f}]")
        p10, med, p90 = quantiles(ratios)
        modes = sum(1 for k in (0, 1) for r in runs[k] if flag(r[1]))
        nruns = len(runs[0]) + len(runs[1])
        print(f"{size:>5} {queues:>2} {cols[0]} {cols[1]} {med:6.2f} [{p10:4.2f} {p90:4.2f}] "
              f"{modes:>4}/{nruns}")
    if not corelat:
        return
    rts = [s[1] for _, _, runs, _ in summary for k in (0, 1) for r in runs[k] for s in r[1]
           if s[1] == s[1]]
    if not rts:
        return
    lo = min(rts)
    print(f"\n# by core round trip: 'near' seconds had a round trip under {2 * lo:.0f} ns "
          f"(twice the lowest seen), 'far' the others; median Mpps [seconds]")
    print(f"{'size':>5} {'q':>2} {'backend':>{w}} {'near':>7} {'n':>4} {'far':>7} {'n':>4}")
    for size, queues, runs, _ in summary:
        for k in (0, 1):
            near = [s[0] for r in runs[k] for s in r[1] if s[1] == s[1] and s[1] < 2 * lo]
            far = [s[0] for r in runs[k] for s in r[1] if s[1] == s[1] and s[1] >= 2 * lo]
            f = (lambda v: statistics.median(v) if v else float("nan"))
            print(f"{size:>5} {queues:>2} {specs[k].label:>{w}} {f(near):7.2f} {len(near):>4} "
                  f"{f(far):7.2f} {len(far):>4}")


if __name__ == "__main__":
    main()
