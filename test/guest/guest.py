#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Boot Linux guests with vhost-user NICs under QEMU TCG and run network tests
between them through a vhost-user backend (a switch).

Pieces, usable from other test scripts (Python 3 stdlib only):

  GuestImage      the kernel + busybox initramfs (build-initramfs.sh)
  Guest           one QEMU process: console to a log file, bounded waits for
                  the report lines the guest's /init prints, always killed
  Backend         the switch under test, started for a list of socket paths;
                  subclasses: TestpmdNetVhost (DPDK's net_vhost in testpmd),
                  TestpmdNetVhostu (our net_vhostu PMD loaded into testpmd),
                  VhostuFwd (our application)
  run_pair()      the two-guest scenario: backend + two guests that ping each
                  other (ping, large frames, flood, multi-queue, either side
                  owning the sockets)

Command line: see `guest.py --help`; selftest-net-vhost.sh runs every scenario
against net_vhost.
"""

import argparse
import atexit
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))

# Every process this module starts, so that an exit path (exception, signal,
# atexit) can kill what is left.
_LIVE = []


def _log(msg):
    print("guest.py: %s" % msg, file=sys.stderr, flush=True)


class Failure(Exception):
    """A test failed; the message says why and where the logs are."""


def _kill_group(proc, grace=3.0):
    """Stop proc and its process group: SIGTERM, then SIGKILL after grace s."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=5)


def _spawn(argv, log_path, stdin=subprocess.DEVNULL, env=None):
    """Start argv in its own process group, stdout+stderr to log_path."""
    log = open(log_path, "wb")
    try:
        proc = subprocess.Popen(argv, stdin=stdin, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, env=env)
    finally:
        log.close()
    _LIVE.append(proc)
    return proc


def _cleanup_all():
    while _LIVE:
        _kill_group(_LIVE.pop(), grace=2.0)


def _on_signal(signum, _frame):
    raise SystemExit("guest.py: signal %d, stopping" % signum)


atexit.register(_cleanup_all)
for _sig in (signal.SIGTERM, signal.SIGHUP):
    signal.signal(_sig, _on_signal)


def _tail(path, lines=40):
    try:
        with open(path, "rb") as f:
            data = f.read().decode("utf-8", "replace")
    except OSError as e:
        return "(cannot read %s: %s)" % (path, e)
    # Drop the terminal escape sequences SeaBIOS prints.
    data = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1bc", "", data)
    return "\n".join(data.splitlines()[-lines:])


def _wait_until(cond, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


def parse_report(line):
    """'VHOSTU-RESULT a=1 b=2' -> ('RESULT', {'a': '1', 'b': '2'})."""
    words = line.split()
    kind = words[0][len("VHOSTU-"):]
    fields = {}
    for w in words[1:]:
        if "=" in w:
            k, v = w.split("=", 1)
            fields[k] = v
    return kind, fields


class GuestImage:
    """Kernel and initramfs, built (or reused) by build-initramfs.sh."""

    def __init__(self, workdir=None):
        self.workdir = workdir or os.path.join(HERE, "work")
        self.kernel = os.path.join(self.workdir, "vmlinuz")
        self.initrd = os.path.join(self.workdir, "initramfs.cpio.gz")

    def ensure(self):
        r = subprocess.run([os.path.join(HERE, "build-initramfs.sh"), self.workdir],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
        if r.returncode != 0:
            raise Failure("building the guest image failed:\n" + r.stdout.decode(errors="replace"))
        return self


class Guest:
    """One QEMU guest on one vhost-user socket.

    server=False: QEMU connects to the backend's socket (the backend listens;
    the socket must exist before start()). server=True: QEMU listens
    (server=on,wait=off) and the backend connects. params are the guest's
    vhostu.* kernel parameters without the prefix (see init)."""

    QEMU = os.environ.get("VHOSTU_QEMU", "qemu-system-x86_64")

    def __init__(self, name, sock, image, logdir, *, server=False, reconnect=None,
                 mac="52:54:00:00:00:01", queues=1, mem="256M", params=None,
                 accel=None):
        self.name = name
        self.sock = sock
        self.image = image
        self.server = server
        self.reconnect = reconnect
        self.mac = mac
        self.queues = queues
        self.mem = mem
        self.params = dict(params or {})
        self.params.setdefault("name", name)
        if queues > 1:
            self.params.setdefault("queues", queues)
        self.accel = accel or os.environ.get("VHOSTU_GUEST_ACCEL", "tcg")
        self.console = os.path.join(logdir, "%s.console.log" % name)
        self.qemu_log = os.path.join(logdir, "%s.qemu.log" % name)
        self.proc = None
        self.t_start = None
        self._seen = []   # (wall seconds since start, kind, fields)
        self._pos = 0
        self._partial = b""

    def argv(self):
        cmdline = "console=ttyS0 quiet panic=-1 " + " ".join(
            "vhostu.%s=%s" % (k, v) for k, v in self.params.items())
        chardev = "socket,id=c0,path=%s" % self.sock
        if self.server:
            chardev += ",server=on,wait=off"
        elif self.reconnect:
            chardev += ",reconnect=%d" % self.reconnect
        netdev = "vhost-user,id=n0,chardev=c0"
        device = "virtio-net-pci,netdev=n0,romfile=,vectors=0,mac=%s" % self.mac
        if self.queues > 1:
            netdev += ",queues=%d" % self.queues
            device += ",mq=on"
        return [self.QEMU,
                "-machine", "pc,accel=%s" % self.accel,
                "-m", self.mem, "-nographic", "-no-reboot",
                "-display", "none", "-monitor", "none",
                "-serial", "file:%s" % self.console,
                "-kernel", self.image.kernel, "-initrd", self.image.initrd,
                "-append", cmdline,
                "-object", "memory-backend-memfd,id=mem,size=%s,share=on" % self.mem,
                "-numa", "node,memdev=mem",
                "-chardev", chardev,
                "-netdev", netdev,
                "-device", device]

    def start(self):
        if not self.server and not os.path.exists(self.sock):
            raise Failure("%s: backend socket %s does not exist" % (self.name, self.sock))
        for p in (self.console,):
            if os.path.exists(p):
                os.unlink(p)
        self._seen, self._pos, self._partial = [], 0, b""
        self.t_start = time.monotonic()
        self.proc = _spawn(self.argv(), self.qemu_log)
        if self.server:
            # QEMU creates its listening socket before the guest runs.
            if not _wait_until(lambda: os.path.exists(self.sock) or self.proc.poll() is not None, 15):
                raise Failure("%s: QEMU did not create %s within 15 s" % (self.name, self.sock))
        if self.proc.poll() is not None:
            raise Failure("%s: QEMU exited at start (%s):\n%s" % (
                self.name, self.proc.returncode, _tail(self.qemu_log)))
        return self

    def _read_reports(self):
        try:
            with open(self.console, "rb") as f:
                f.seek(self._pos)
                data = f.read()
        except FileNotFoundError:
            return
        self._pos += len(data)
        data = self._partial + data
        lines = data.split(b"\n")
        self._partial = lines.pop()
        now = time.monotonic() - self.t_start
        for raw in lines:
            line = raw.decode("utf-8", "replace").strip()
            i = line.find("VHOSTU-")
            if i < 0:
                continue
            kind, fields = parse_report(line[i:])
            self._seen.append((now, kind, fields))

    def reports(self, kind=None):
        self._read_reports()
        return [(t, f) for t, k, f in self._seen if kind is None or k == kind]

    def wait_report(self, kind, timeout):
        """Wait (bounded) for the first report line of this kind; return
        (wall seconds since QEMU start, fields). Raises Failure on timeout or
        when QEMU exits without it."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.reports(kind)
            if got:
                return got[0]
            if self.proc.poll() is not None:
                self._read_reports()
                got = self.reports(kind)
                if got:
                    return got[0]
                raise Failure("%s: QEMU exited (status %s) before VHOSTU-%s\n%s" % (
                    self.name, self.proc.returncode, kind, self.describe()))
            if time.monotonic() >= deadline:
                raise Failure("%s: no VHOSTU-%s within %d s\n%s" % (
                    self.name, kind, timeout, self.describe()))
            time.sleep(0.1)

    def result(self, timeout):
        return self.wait_report("RESULT", timeout)

    def wait_for(self, kind, timeout, after=0.0, pred=None):
        """Wait (bounded) for a report of this kind seen at or after `after`
        (wall seconds since QEMU start) whose fields satisfy pred."""
        deadline = time.monotonic() + timeout
        while True:
            for t, f in self.reports(kind):
                if t >= after and (pred is None or pred(f)):
                    return t, f
            self.check_alive(kind)
            if time.monotonic() >= deadline:
                raise Failure("%s: no matching VHOSTU-%s within %d s\n%s" % (
                    self.name, kind, timeout, self.describe()))
            time.sleep(0.1)

    def now(self):
        """Wall seconds since this QEMU started."""
        return time.monotonic() - self.t_start

    def check_alive(self, kind):
        """Raise Failure if QEMU exited without a report of this kind."""
        if self.proc.poll() is not None and not self.reports(kind):
            raise Failure("%s: QEMU exited (status %s) before VHOSTU-%s\n%s" % (
                self.name, self.proc.returncode, kind, self.describe()))

    def describe(self):
        return ("--- %s console (%s), last lines:\n%s\n--- %s QEMU log (%s):\n%s" % (
            self.name, self.console, _tail(self.console), self.name, self.qemu_log,
            _tail(self.qemu_log, 10)))

    def wait_exit(self, timeout):
        try:
            self.proc.wait(timeout=timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def kill(self):
        """SIGKILL QEMU: the backend sees the socket close, nothing clean."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.stop()

    def stop(self):
        if self.proc is not None:
            _kill_group(self.proc)
            if self.proc in _LIVE:
                _LIVE.remove(self.proc)
        if self.server and os.path.exists(self.sock):
            os.unlink(self.sock)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def wait_reports(guests, kind, timeout):
    """Wait (bounded) until every guest printed a report of this kind, polling
    them all together so that each one's wall time is exact. Returns a list of
    (wall seconds since its QEMU start, fields) in the order of guests."""
    deadline = time.monotonic() + timeout
    while True:
        got = [g.reports(kind) for g in guests]
        if all(got):
            return [r[0] for r in got]
        for g, r in zip(guests, got):
            if not r:
                g.check_alive(kind)
        if time.monotonic() >= deadline:
            late = [g for g, r in zip(guests, got) if not r]
            raise Failure("%s: no VHOSTU-%s within %d s\n%s" % (
                ", ".join(g.name for g in late), kind, timeout,
                "\n".join(g.describe() for g in late)))
        time.sleep(0.1)


class Backend:
    """A vhost-user backend (a switch) for a list of sockets, forwarding
    socket i <-> socket i^1 (port 0 <-> 1, 2 <-> 3 ...).

    server=True: the backend listens on the sockets (QEMU is the client);
    server=False: QEMU listens and the backend connects."""

    name = "backend"
    _count = 0

    def __init__(self, socks, logdir, *, server=True, queues=1, big=False, prefix=None):
        self.socks = list(socks)
        self.logdir = logdir
        self.server = server
        self.queues = queues
        self.big = big
        Backend._count += 1
        self.prefix = prefix or "vhostu-guest-%d-%d" % (os.getpid(), Backend._count)
        self.log = os.path.join(logdir, "%s.log" % self.name)
        self.proc = None

    def start(self):
        raise NotImplementedError

    def wait_ready(self, timeout=30):
        """Server mode: the sockets exist. Client mode: the process is up."""
        raise NotImplementedError

    def queue_stats(self):
        """{(port, queue): rx packets} if the backend can tell, else None."""
        return None

    def stop(self):
        if self.proc is not None:
            _kill_group(self.proc, grace=5.0)
            if self.proc in _LIVE:
                _LIVE.remove(self.proc)
            self.proc = None
        # EAL's runtime directory for our own file prefix
        shutil.rmtree("/var/run/dpdk/%s" % self.prefix, ignore_errors=True)

    def describe(self):
        return "--- %s log (%s), last lines:\n%s" % (self.name, self.log, _tail(self.log, 30))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Testpmd(Backend):
    """dpdk-testpmd, io forwarding, interactive on a pipe (commands are
    written to its stdin, answers read from its log)."""

    pmd = None          # vdev driver name, e.g. net_vhost
    preload = None      # shared object to LD_PRELOAD (an out-of-tree PMD)
    TESTPMD = os.environ.get("VHOSTU_TESTPMD", "dpdk-testpmd")

    def vdev_args(self, i, sock):
        raise NotImplementedError

    def argv(self):
        argv = ["stdbuf", "-oL", self.TESTPMD, "-l", "0,1", "--no-huge", "-m", "512",
                "--no-pci", "--file-prefix=%s" % self.prefix]
        for i, s in enumerate(self.socks):
            argv += ["--vdev", self.vdev_args(i, s)]
        argv += ["--", "-i", "--forward-mode=io", "--auto-start", "--nb-cores=1",
                 "--total-num-mbufs=8192"]
        if self.queues > 1:
            argv += ["--rxq=%d" % self.queues, "--txq=%d" % self.queues]
        if self.big:
            # One mbuf per 9000-byte frame. Not needed by net_vhost, which
            # chains 2 KB mbufs (the default "big" scenario passes that way
            # and so exercises chains); here to take chains out of the picture.
            argv += ["--mbuf-size=10240", "--max-pkt-len=9600"]
        return argv

    def start(self):
        if self.server:
            for s in self.socks:
                if os.path.exists(s):
                    os.unlink(s)
        env = dict(os.environ)
        if self.preload:
            env["LD_PRELOAD"] = self.preload
        self.proc = _spawn(self.argv(), self.log, stdin=subprocess.PIPE, env=env)
        return self

    def _log_text(self):
        try:
            with open(self.log, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def wait_ready(self, timeout=60):
        def ready():
            if self.proc.poll() is not None:
                return "exited"
            if "Start automatic packet forwarding" not in self._log_text():
                return None
            if self.server and not all(os.path.exists(s) for s in self.socks):
                return None
            return "ok"
        r = _wait_until(ready, timeout)
        if r != "ok":
            raise Failure("%s did not become ready within %d s (%s)\n%s" % (
                self.name, timeout, r or "timeout", self.describe()))
        return self

    def command(self, cmd, until, timeout=10):
        """Send one testpmd command; wait for a regex in the new log text."""
        before = len(self._log_text())
        self.proc.stdin.write((cmd + "\n").encode())
        self.proc.stdin.flush()
        rx = re.compile(until)
        got = _wait_until(lambda: rx.search(self._log_text()[before:]), timeout)
        if not got:
            raise Failure("%s: no answer to '%s' within %d s\n%s" % (
                self.name, cmd, timeout, self.describe()))
        return self._log_text()[before:]

    def queue_stats(self):
        """Stop forwarding and read the per-stream counters testpmd prints."""
        out = self.command("stop", r"Done\.", timeout=15)
        stats = {}
        rx = re.compile(r"Forward Stats for RX Port=\s*(\d+)/Queue=\s*(\d+).*?\n\s*"
                        r"RX-packets:\s*(\d+)", re.S)
        for port, queue, pkts in rx.findall(out):
            stats[(int(port), int(queue))] = int(pkts)
        return stats

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.proc.stdin.write(b"quit\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        super().stop()


class TestpmdNetVhost(Testpmd):
    """DPDK's own net_vhost (rte_vhost) in dpdk-testpmd: the reference."""

    name = "testpmd-net_vhost"
    pmd = "net_vhost"

    def vdev_args(self, i, sock):
        a = "net_vhost%d,iface=%s" % (i, sock)
        if self.queues > 1:
            a += ",queues=%d" % self.queues
        if not self.server:
            a += ",client=1"
        return a


class TestpmdNetVhostu(Testpmd):
    """Our net_vhostu PMD loaded into dpdk-testpmd (LD_PRELOAD: EAL's -d
    refuses plugins under world-writable directories)."""

    name = "testpmd-net_vhostu"
    pmd = "net_vhostu"

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        build = os.environ.get("VHOSTU_BUILD", os.path.join(TOP, "build"))
        cands = sorted(os.path.join(d, f) for d, _, files in os.walk(build) for f in files
                       if re.match(r"librte_net_vhostu\.so(\.[0-9.]+)?$", f))
        self.preload = os.environ.get("VHOSTU_PMD_SO") or (cands[0] if cands else None)
        if not self.preload:
            raise Failure("no net_vhostu shared object under %s (set VHOSTU_PMD_SO)" % build)

    def vdev_args(self, i, sock):
        a = "net_vhostu%d,iface=%s" % (i, sock)
        if self.server:
            a += ",server=1"
        if self.queues > 1:
            a += ",queues=%d" % self.queues
        return a


class VhostuFwd(Backend):
    """vhostu-fwd itself: one VirtualEthernet interface per socket, created
    from EAL --vdev, xconnected in pairs by a start-up command file.
    The exact shell commands follow spec/vhost-user-cli.rst; adjust
    commands() when the application's CLI lands."""

    name = "vhostu-fwd"

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        build = os.environ.get("VHOSTU_BUILD", os.path.join(TOP, "build"))
        self.binary = os.environ.get("VHOSTU_FWD", os.path.join(build, "app", "vhostu-fwd"))
        if not os.access(self.binary, os.X_OK):
            raise Failure("no vhostu-fwd at %s (build it, or set VHOSTU_FWD)" % self.binary)
        self.extra = shlex.split(os.environ.get("VHOSTU_FWD_ARGS", ""))

    def commands(self):
        cmds = []
        for i in range(0, len(self.socks) - 1, 2):
            a, b = "VirtualEthernet0/0/%d" % i, "VirtualEthernet0/0/%d" % (i + 1)
            cmds += ["set interface state %s up" % a, "set interface state %s up" % b,
                     "set interface l2 xconnect %s %s" % (a, b),
                     "set interface l2 xconnect %s %s" % (b, a)]
        return cmds

    def start(self):
        if self.server:
            for s in self.socks:
                if os.path.exists(s):
                    os.unlink(s)
        argv = [self.binary, "-l", "0,1", "--no-huge", "-m", "512", "--no-pci",
                "--file-prefix=%s" % self.prefix]
        for i, s in enumerate(self.socks):
            a = "net_vhostu%d,iface=%s" % (i, s)
            if self.server:
                a += ",server=1"
            if self.queues > 1:
                a += ",queues=%d" % self.queues
            argv += ["--vdev", a]
        argv += self.extra
        self.proc = _spawn(argv, self.log, stdin=subprocess.PIPE)
        for c in self.commands():
            self.proc.stdin.write((c + "\n").encode())
        self.proc.stdin.flush()
        return self

    def wait_ready(self, timeout=60):
        def ready():
            if self.proc.poll() is not None:
                return "exited"
            if self.server and not all(os.path.exists(s) for s in self.socks):
                return None
            return "ok"
        r = _wait_until(ready, timeout)
        if r != "ok":
            raise Failure("%s did not become ready within %d s (%s)\n%s" % (
                self.name, timeout, r or "timeout", self.describe()))
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.proc.stdin.write(b"quit\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        super().stop()


BACKENDS = {"net_vhost": TestpmdNetVhost, "net_vhostu": TestpmdNetVhostu,
            "vhostu-fwd": VhostuFwd}

def run_pair(backend_cls, image, logdir, *, qemu_server=False, test="ping", mtu=1500,
             size=56, count=5, queues=1, big=False, timeout=120, peer_test=None):
    """Two guests (10.0.0.1, 10.0.0.2) on sockets s0/s1 of the backend, which
    forwards between them; each pings the other (or g0 only answers, when
    peer_test="idle"). Returns a dict of results and
    timings; raises Failure with the logs' tails on any failure."""
    os.makedirs(logdir, exist_ok=True)
    sockdir = tempfile.mkdtemp(prefix="vhostu-guest-")
    socks = [os.path.join(sockdir, "s%d.sock" % i) for i in range(2)]
    backend = backend_cls(socks, logdir, server=not qemu_server, queues=queues, big=big)
    guests = []
    t0 = time.monotonic()
    try:
        if not qemu_server:
            backend.start().wait_ready()
        for i in range(2):
            params = _guest_params(i, test, mtu=mtu, size=size, count=count,
                                   # stay up while the other guest may still be pinging
                                   linger=timeout)
            if i == 0 and peer_test == "idle":
                params.update(test="idle", life=2 * timeout)
            g = Guest("g%d" % i, socks[i], image, logdir, server=qemu_server,
                      mac="52:54:00:00:00:%02x" % (i + 1), queues=queues, params=params)
            guests.append(g.start())
        if qemu_server:
            backend.start().wait_ready()
        t_up = time.monotonic() - t0
        out = {"backend": backend.name, "qemu_server": qemu_server, "test": test,
               "startup_s": round(t_up, 2), "guests": {}}
        testing = guests[1:] if peer_test == "idle" else guests
        peers = wait_reports(testing, "PEER", timeout)
        results = wait_reports(testing, "RESULT", timeout)
        for g, (t_peer, _), (t_res, res) in zip(testing, peers, results):
            if res.get("status") != "PASS":
                raise Failure("%s: %s\n%s" % (g.name, " ".join(
                    "%s=%s" % kv for kv in res.items()), g.describe()))
            res["boot_to_ping_s"] = round(t_peer, 2)
            res["boot_to_result_s"] = round(t_res, 2)
            out["guests"][g.name] = res
        if queues > 1:
            st = backend.queue_stats()
            out["backend_queue_rx"] = {"%d/%d" % k: v for k, v in sorted((st or {}).items())}
            if st is not None:
                idle = [k for k in ((p, q) for p in range(2) for q in range(queues))
                        if not st.get(k)]
                if idle:
                    raise Failure("backend saw no packets on rx port/queue %s: %s\n%s" % (
                        idle, st, backend.describe()))
            for g in guests:
                res = out["guests"][g.name]
                for q in range(queues):
                    if int(res.get("rxq%d" % q, "0")) == 0:
                        raise Failure("%s received nothing on rx queue %d: %s\n%s" % (
                            g.name, q, res, g.describe()))
        out["total_s"] = round(time.monotonic() - t0, 2)
        return out
    except Failure as e:
        raise Failure("%s\n%s" % (e, backend.describe())) from None
    finally:
        for g in guests:
            g.stop()
        backend.stop()
        shutil.rmtree(sockdir, ignore_errors=True)


def _guest_params(i, test, **kw):
    p = {"ip": "10.0.0.%d/24" % (i + 1), "peer": "10.0.0.%d" % (2 - i), "test": test}
    p.update(kw)
    return p


def run_guest_reset(backend_cls, image, logdir, *, timeout=120, **_):
    """The backend listens; g0 stays up (idle), g1 pings it, then g1's QEMU is
    killed and started again on the same socket and must ping again, without
    anything done to the backend."""
    os.makedirs(logdir, exist_ok=True)
    sockdir = tempfile.mkdtemp(prefix="vhostu-guest-")
    socks = [os.path.join(sockdir, "s%d.sock" % i) for i in range(2)]
    backend = backend_cls(socks, logdir, server=True)
    guests = []
    t0 = time.monotonic()
    try:
        backend.start().wait_ready()
        g0 = Guest("g0", socks[0], image, logdir, mac="52:54:00:00:00:01",
                   params=_guest_params(0, "idle", life=3 * timeout))
        guests.append(g0.start())
        out = {"backend": backend.name, "qemu_server": False, "test": "guest-reset",
               "startup_s": 0, "guests": {}}
        for run in (1, 2):
            g1 = Guest("g1-run%d" % run, socks[1], image, logdir, mac="52:54:00:00:00:02",
                       params=_guest_params(1, "ping", name="g1", linger=timeout))
            guests.append(g1.start())
            t_peer, _ = g1.wait_report("PEER", timeout)
            t_res, res = g1.result(timeout)
            if res.get("status") != "PASS":
                raise Failure("%s: %s\n%s" % (g1.name, res, g1.describe()))
            res["boot_to_ping_s"] = round(t_peer, 2)
            out["guests"][g1.name] = res
            g1.kill()   # SIGKILL while the guest runs: the socket just closes
        out["total_s"] = round(time.monotonic() - t0, 2)
        return out
    except Failure as e:
        raise Failure("%s\n%s" % (e, backend.describe())) from None
    finally:
        for g in guests:
            g.stop()
        backend.stop()
        shutil.rmtree(sockdir, ignore_errors=True)


def run_backend_restart(backend_cls, image, logdir, *, timeout=120, **_):
    """QEMU listens (server=on,wait=off) and the backend connects. g1 pings
    g0 in rounds; the backend is stopped (rounds must fail) and started again
    (rounds must pass again) while both QEMUs keep running."""
    os.makedirs(logdir, exist_ok=True)
    sockdir = tempfile.mkdtemp(prefix="vhostu-guest-")
    socks = [os.path.join(sockdir, "s%d.sock" % i) for i in range(2)]
    guests = []
    backend = None
    t0 = time.monotonic()
    try:
        g0 = Guest("g0", socks[0], image, logdir, server=True, mac="52:54:00:00:00:01",
                   params=_guest_params(0, "idle", life=3 * timeout))
        g1 = Guest("g1", socks[1], image, logdir, server=True, mac="52:54:00:00:00:02",
                   params=_guest_params(1, "rounds", life=3 * timeout, count=3))
        guests += [g0.start(), g1.start()]
        backend = backend_cls(socks, logdir, server=False)
        backend.start().wait_ready()
        t_ok1, _ = g1.wait_for("ROUND", timeout, pred=lambda f: f.get("status") == "PASS")
        backend.stop()
        t_stop = g1.now()
        t_fail, _ = g1.wait_for("ROUND", 30, after=t_stop,
                                pred=lambda f: f.get("received") == "0")
        backend.log = backend.log.replace(".log", "-restarted.log")
        backend.start().wait_ready()
        t_start = g1.now()
        t_ok2, f2 = g1.wait_for("ROUND", 60, after=t_start,
                                pred=lambda f: f.get("status") == "PASS")
        return {"backend": backend.name, "qemu_server": True, "test": "backend-restart",
                "startup_s": 0, "total_s": round(time.monotonic() - t0, 2),
                "guests": {"g1": {"first_pass_s": round(t_ok1, 2),
                                  "stopped_at_s": round(t_stop, 2),
                                  "failing_round_at_s": round(t_fail, 2),
                                  "restarted_at_s": round(t_start, 2),
                                  "pass_again_at_s": round(t_ok2, 2),
                                  "resume_s": round(t_ok2 - t_start, 2),
                                  "round": f2.get("round")}}}
    except Failure as e:
        raise Failure("%s\n%s" % (e, backend.describe() if backend else "")) from None
    finally:
        for g in guests:
            g.stop()
        if backend:
            backend.stop()
        shutil.rmtree(sockdir, ignore_errors=True)


def run_idle_peer(backend_cls, image, logdir, *, timeout=120, **_):
    """g0 only answers (test=idle), g1 pings it."""
    return run_pair(backend_cls, image, logdir, timeout=timeout, peer_test="idle")


SCENARIOS = {
    # name: (function, keyword arguments)
    "ping": (run_pair, dict()),
    "qemu-server": (run_pair, dict(qemu_server=True)),
    "big": (run_pair, dict(mtu=9000, size=8000)),
    "flood": (run_pair, dict(test="flood", count=5000)),
    "mq": (run_pair, dict(queues=2, test="mq")),
    "idle-peer": (run_idle_peer, dict()),
    "guest-reset": (run_guest_reset, dict()),
    "backend-restart": (run_backend_restart, dict()),
}


def run_scenario(name, backend_cls, image, logdir, timeout=120):
    fn, kw = SCENARIOS[name]
    return fn(backend_cls, image, logdir, timeout=timeout, **kw)


def _fmt(res):
    lines = ["%s qemu_server=%s test=%s startup=%ss total=%ss" % (
        res["backend"], res["qemu_server"], res["test"], res["startup_s"], res["total_s"])]
    for name, r in res["guests"].items():
        lines.append("  %s: %s" % (name, " ".join("%s=%s" % kv for kv in r.items())))
    if "backend_queue_rx" in res:
        lines.append("  backend rx per port/queue: %s" % res["backend_queue_rx"])
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pair", help="run two-guest scenarios against a backend")
    p.add_argument("--backend", choices=sorted(BACKENDS), default="net_vhost")
    p.add_argument("--scenario", action="append", choices=sorted(SCENARIOS) + ["all"],
                   help="repeatable; default: all")
    p.add_argument("--logdir", default=os.path.join(HERE, "work", "logs"))
    p.add_argument("--timeout", type=int, default=120, help="per guest, seconds")
    b = sub.add_parser("boot", help="boot one guest by hand on SOCK (Ctrl-C stops it)")
    b.add_argument("sock")
    b.add_argument("--server", action="store_true", help="QEMU listens (server=on,wait=off)")
    b.add_argument("--queues", type=int, default=1)
    b.add_argument("--mac", default="52:54:00:00:00:01")
    b.add_argument("--logdir", default=os.path.join(HERE, "work", "logs"))
    b.add_argument("--timeout", type=int, default=300)
    b.add_argument("param", nargs="*", help="guest parameters KEY=VALUE (vhostu.KEY)")
    sub.add_parser("image", help="build the kernel + initramfs only")
    args = ap.parse_args(argv)

    image = GuestImage().ensure()
    if args.cmd == "image":
        print(image.kernel, image.initrd)
        return 0
    if args.cmd == "boot":
        os.makedirs(args.logdir, exist_ok=True)
        params = dict(kv.split("=", 1) for kv in args.param)
        g = Guest(params.get("name", "guest"), args.sock, image, args.logdir,
                  server=args.server, queues=args.queues, mac=args.mac, params=params)
        with g:
            g.start()
            _log("console: %s" % g.console)
            try:
                t, res = g.result(args.timeout)
            except Failure as e:
                _log(str(e))
                return 1
            print(" ".join("%s=%s" % kv for kv in res.items()), "wall=%.1fs" % t)
            return 0 if res.get("status") == "PASS" else 1
    names = args.scenario or ["all"]
    if "all" in names:
        names = list(SCENARIOS)
    failed = 0
    for n in names:
        logdir = os.path.join(args.logdir, "%s-%s" % (args.backend, n))
        _log("scenario %s against %s (logs in %s)" % (n, args.backend, logdir))
        try:
            res = run_scenario(n, BACKENDS[args.backend], image, logdir, timeout=args.timeout)
            print("PASS %s: %s" % (n, _fmt(res)), flush=True)
        except Failure as e:
            failed += 1
            print("FAIL %s: %s" % (n, e), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
