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
against net_vhost, test-guest-vhostu-fwd.sh (CI) against vhostu-fwd.
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
sys.dont_write_bytecode = True    # no __pycache__ in the source tree
# Every process this module starts goes through spawn(), so that an exit path
# (exception, signal, atexit) can kill what is left: kill_all().
from vhostu_procs import (Failure, VhostuFwdShell, deadline_wait,  # noqa: E402
                          forget, kill_all, kill_group, remove_runtime_dir, spawn)


def _log(msg):
    print("guest.py: %s" % msg, file=sys.stderr, flush=True)


def _on_signal(signum, _frame):
    raise SystemExit("guest.py: signal %d, stopping" % signum)


atexit.register(kill_all, 2.0)
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
                 accel=None, packed=False, event_idx=True):
        self.name = name
        self.event_idx = event_idx  # False: virtio-net-pci,event_idx=off
        self.sock = sock
        self.image = image
        self.server = server
        self.reconnect = reconnect
        self.mac = mac
        self.queues = queues
        self.packed = packed    # virtio-net-pci packed=on: packed virtqueues
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
        if self.packed:
            device += ",packed=on"
        if not self.event_idx:
            device += ",event_idx=off"
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
        self.proc = spawn(self.argv(), self.qemu_log)
        if self.server:
            # QEMU creates its listening socket before the guest runs.
            if not deadline_wait(lambda: os.path.exists(self.sock) or self.proc.poll() is not None, 15, 0.1):
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
            kill_group(self.proc)
            forget(self.proc)
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

    def started(self):
        """The program says that it is up (beyond running)."""
        return True

    def wait_ready(self, timeout=30):
        """The process is up (started()); in server mode the sockets exist."""
        def ready():
            if self.proc.poll() is not None:
                return "exited"
            if not self.started():
                return None
            if self.server and not all(os.path.exists(s) for s in self.socks):
                return None
            return "ok"
        r = deadline_wait(ready, timeout, 0.1)
        if r != "ok":
            raise Failure("%s did not become ready within %d s (%s)\n%s" % (
                self.name, timeout, r or "timeout", self.describe()))
        return self

    def queue_stats(self):
        """{(port, queue): rx packets} if the backend can tell, else None."""
        return None

    def guest_rx_queues(self, port, queues):
        """The guest rx queues this backend's forwarding must have used."""
        return range(queues)

    def check(self, guests, *, queues=1):
        """Backend-specific checks after a scenario's traffic, with the
        guests still up; returns a dict for the report (or None)."""
        return None

    def stop_clean(self, how="quit"):
        """stop(); a backend that can tell raises Failure if it did not exit
        cleanly."""
        self.stop()

    def stop(self):
        if self.proc is not None:
            kill_group(self.proc, grace=5.0)
            forget(self.proc)
            self.proc = None
        # EAL's runtime directory for our own file prefix
        remove_runtime_dir(self.prefix)

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
        self.proc = spawn(self.argv(), self.log, stdin=subprocess.PIPE, env=env)
        return self

    def _log_text(self):
        try:
            with open(self.log, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def started(self):
        return "Start automatic packet forwarding" in self._log_text()

    def wait_ready(self, timeout=60):
        return super().wait_ready(timeout)

    def command(self, cmd, until, timeout=10):
        """Send one testpmd command; wait for a regex in the new log text."""
        before = len(self._log_text())
        self.proc.stdin.write((cmd + "\n").encode())
        self.proc.stdin.flush()
        rx = re.compile(until)
        got = deadline_wait(lambda: rx.search(self._log_text()[before:]), timeout, 0.1)
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
    """vhostu-fwd itself, driven through its shell the way an operator does:
    `-i` on a stdin pipe (prompt and echo on stdout, which goes to the log),
    one `create vhost-user socket S [server]` per socket, l2 xconnect both
    ways in pairs, interfaces up. command() sends one line and returns what it
    printed up to the next prompt. Stopped by `quit` (or SIGTERM), which must
    exit 0 within 10 s; killed otherwise.

    VHOSTU_FWD: the binary (default VHOSTU_BUILD/app/vhostu-fwd);
    VHOSTU_FWD_EAL: extra EAL arguments, e.g.
    `--log-level=pmd.net.vhostu*:debug`; VHOSTU_FWD_DEBUG=1 also runs
    `debug vhost-user on` (every message in the log)."""

    name = "vhostu-fwd"
    VGA_HOLE = (0xa0000, 0xc0000)

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        build = os.environ.get("VHOSTU_BUILD", os.path.join(TOP, "build"))
        self.binary = os.environ.get("VHOSTU_FWD", os.path.join(build, "app", "vhostu-fwd"))
        if not os.access(self.binary, os.X_OK):
            raise Failure("no vhostu-fwd at %s (build it, or set VHOSTU_FWD)" % self.binary)
        self.extra = shlex.split(os.environ.get("VHOSTU_FWD_EAL", ""))
        self.debug = os.environ.get("VHOSTU_FWD_DEBUG") == "1"
        self.ifnames = ["VirtualEthernet0/0/%d" % i for i in range(len(self.socks))]
        self.exit_status = None
        self.shown = []     # every `show vhost-user` answer checked, for the report
        self.show_info = {}  # port -> the last check_show()
        self._diagnosed = False
        self.shell = None   # the running vhostu-fwd (VhostuFwdShell)
        self.masks = {}     # socket index -> feature-mask of its interface
        self.bridge = False  # bridge domain 1 instead of xconnect pairs

    def argv(self):
        # A complete EAL set (with any EAL argument the embedded defaults are
        # not used): no hugepages, no shared files, lcore 1 forwards.
        return (["stdbuf", "-oL", self.binary, "--no-huge", "-m", "256", "--no-pci",
                 "--no-shconf", "--file-prefix=%s" % self.prefix, "-l", "0,1"]
                + self.extra + ["--", "-i"])

    def commands(self):
        cmds = ["debug vhost-user on"] if self.debug else []
        for i, s in enumerate(self.socks):
            cmds.append("create vhost-user socket %s%s%s" % (
                s, " server" if self.server else "",
                " feature-mask 0x%x" % self.masks[i] if i in self.masks else ""))
        if self.bridge:
            cmds += ["set interface l2 bridge %s 1" % n for n in self.ifnames]
        for i in range(0, len(self.socks) - 1, 2):
            if self.bridge:
                break
            a, b = self.ifnames[i], self.ifnames[i + 1]
            cmds += ["set interface l2 xconnect %s %s" % (a, b),
                     "set interface l2 xconnect %s %s" % (b, a)]
        cmds += ["set interface state %s up" % n for n in self.ifnames]
        return cmds

    def command(self, cmd, timeout=15):
        """Run one shell command; return its answer (the lines it printed,
        without the echo, the prompt and log lines)."""
        return self.shell.cmd(cmd, timeout)

    def start(self):
        if self.server:
            for s in self.socks:
                if os.path.exists(s):
                    os.unlink(s)
        self.exit_status = None
        self._diagnosed = False
        self.shell = VhostuFwdShell(self.name, self.argv(), self.log)
        self.shell.describe = self.describe     # failures show the post-mortem
        self.proc = self.shell.proc
        self.shell.wait_prompt(0, 60)
        n = 0
        for c in self.commands():
            out = self.command(c)
            if c.startswith("create "):
                want = self.ifnames[n]
                n += 1
                if out.strip() != want:
                    raise Failure("%s: '%s' answered %r, expected %r\n%s" % (
                        self.name, c, out, want, self.describe()))
            elif out.strip():
                raise Failure("%s: '%s' answered %r, expected nothing\n%s" % (
                    self.name, c, out, self.describe()))
        return self

    # -- show vhost-user ------------------------------------------------------

    @staticmethod
    def parse_show(text):
        """`show vhost-user IF` -> {'type', 'errno', 'features', 'regions':
        [{'fd', 'gpa', 'size', 'uaddr', 'offset', 'mmap'}], 'nregions',
        'vrings': {n: {'dir', 'disabled', 'qsz', 'last_avail_idx', ...}}}."""
        info = {"regions": [], "vrings": {}, "nregions": None, "type": None}
        m = re.search(r"socket filename (\S+) type (\S+) errno \"([^\"]*)\"", text)
        if m:
            info["socket"], info["type"], info["errno"] = m.groups()
        m = re.search(r"^ features \((0x[0-9a-f]+)\)", text, re.M)
        if m:
            info["features"] = int(m.group(1), 16)
        # placement: [(thread, vring)]
        m = re.search(r"^rx placement:\n(.*?)^ tx placement: (\S+)\n(.*?)^\S", text, re.M | re.S)
        if m:
            info["rx_place"] = [(int(t), int(v)) for t, v in
                                re.findall(r"thread (\d+) on vring (\d+)", m.group(1))]
            info["tx_lock"] = m.group(2)
            info["tx_place"] = [(int(t), int(v)) for t, v in
                                re.findall(r"thread (\d+) on vring (\d+)", m.group(3))]
        m = re.search(r"^Memory regions \(total (\d+)\)", text, re.M)
        if m:
            info["nregions"] = int(m.group(1))
        for m in re.finditer(r"^\s+(\d+)\s+(-?\d+)\s+(0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+) "
                             r"(0x[0-9a-f]+) (0x[0-9a-f]+)\s*$", text, re.M):
            info["regions"].append(dict(zip(
                ("fd", "gpa", "size", "uaddr", "offset", "mmap"),
                [int(m.group(2))] + [int(x, 16) for x in m.groups()[2:]])))
        for m in re.finditer(r"^ Virtqueue (\d+) \((TX|RX)( disabled)?\)\n(.*?)(?=^ Virtqueue|\Z)",
                             text, re.M | re.S):
            v = {"dir": m.group(2), "disabled": bool(m.group(3))}
            for k, val in re.findall(r"([a-z_.]+) (-?\d+)", m.group(4)):
                v[k] = int(val)
            info["vrings"][int(m.group(1))] = v
        return info

    def show(self, i):
        return self.parse_show(self.command("show vhost-user %s" % self.ifnames[i]))

    def check_show(self, i, *, queues=1, mem=256 << 20, qsz=256, traffic=True, packed=False):
        """Scenario 7, for interface i while its guest runs: the memory
        regions QEMU sent (non-empty, sizes adding up to the guest RAM), the
        socket type, and every vring's state. Returns the parsed answer."""
        text = self.command("show vhost-user %s" % self.ifnames[i])
        info = self.parse_show(text)
        errs = []
        want_type = "server" if self.server else "client"
        if info["type"] != want_type:
            errs.append("socket type %r, expected %r" % (info["type"], want_type))
        if info.get("socket") != self.socks[i]:
            errs.append("socket filename %r, expected %r" % (info.get("socket"), self.socks[i]))
        regs = info["regions"]
        if not info["nregions"] or len(regs) != info["nregions"]:
            errs.append("memory regions: total %s, %d rows" % (info["nregions"], len(regs)))
        # QEMU (pc, RAM below 4 GB, one memfd backend) sends its RAM minus
        # the legacy VGA window 0xa0000-0xbffff (MMIO): 0-640K and 768K-end.
        # The regions must tile exactly that, each one a window of the same
        # memfd: mmap_offset = guest address, QEMU's address - guest address
        # the same for all.
        total = sum(r["size"] for r in regs)
        if total != mem - self.VGA_HOLE[1] + self.VGA_HOLE[0]:
            errs.append("memory region sizes add up to %#x: guest RAM %#x less the VGA "
                        "window %#x-%#x expected" % (total, mem, *self.VGA_HOLE))
        for r in regs:
            if r["fd"] < 0 or r["mmap"] == 0 or r["size"] == 0:
                errs.append("region %s not mapped" % r)
            if r["offset"] != r["gpa"] or r["uaddr"] - r["gpa"] != regs[0]["uaddr"]:
                errs.append("region at %#x: mmap_offset %#x / userspace_addr %#x are not "
                            "QEMU's one memfd window" % (r["gpa"], r["offset"], r["uaddr"]))
        spans = sorted((r["gpa"], r["gpa"] + r["size"]) for r in regs)
        gaps, at = [], 0
        for a0, a1 in spans:
            if a0 < at:
                errs.append("regions overlap at guest address %#x" % a0)
            elif a0 > at:
                gaps.append((at, a0))
            at = max(at, a1)
        if at != mem or gaps != [self.VGA_HOLE]:
            errs.append("regions cover guest memory up to %#x with gaps %s: up to %#x with "
                        "only the VGA window expected" % (at, [tuple(map(hex, g)) for g in gaps],
                                                          mem))
        vr = info["vrings"]
        want = set(range(2 * queues))
        # Every rx queue (the guest's tx vrings) placed on a thread; tx: the
        # main lcore (thread 0) does not forward when there is a worker, so
        # only the vrings of worker threads carry traffic to the guest (as in
        # VPP: with one worker, one of the guest's rx queues stays idle).
        rx_place = {v for _, v in info.get("rx_place", [])}
        if rx_place != {n for n in want if n & 1}:
            errs.append("rx placement on vrings %s, expected %s" % (
                sorted(rx_place), sorted(n for n in want if n & 1)))
        tx_fwd = {v for t, v in info.get("tx_place", []) if t >= 1} or \
            {n for n in want if not n & 1}
        info["tx_fwd_vrings"] = tx_fwd
        if not want <= set(vr):
            errs.append("vrings %s listed, expected at least %s" % (sorted(vr), sorted(want)))
        for n, v in sorted(vr.items()):
            where = "Virtqueue %d" % n
            if v["dir"] != ("RX" if n & 1 else "TX"):
                errs.append("%s labelled %s" % (where, v["dir"]))
            if n not in want:
                continue
            if v["disabled"]:
                errs.append("%s disabled" % where)
            if v.get("qsz") != qsz:
                errs.append("%s qsz %s, expected %d" % (where, v.get("qsz"), qsz))
            if v.get("kickfd", -1) < 0 or v.get("callfd", -1) < 0:
                errs.append("%s kickfd %s callfd %s" % (where, v.get("kickfd"), v.get("callfd")))
            # packed: VPP's event suppression areas (driver's, device's) instead
            areas = ("avail_event.off_wrap", "used_event.off_wrap", "counter") if packed \
                else ("avail.idx", "used.idx")
            for k in ("last_avail_idx", "last_used_idx") + areas:
                if k not in v:
                    errs.append("%s: no %s" % (where, k))
            if errs:
                continue
            if packed:
                # positions inside the ring, with wrap counters: no index to compare
                if v["last_avail_idx"] >= qsz or v["last_used_idx"] >= qsz:
                    errs.append("%s packed positions %d/%d outside the ring" % (
                        where, v["last_avail_idx"], v["last_used_idx"]))
                if traffic and n & 1 and v["last_avail_idx"] == 0:
                    errs.append("%s (the guest's tx) never consumed" % where)
                if traffic and not n & 1 and n in tx_fwd and v["last_used_idx"] == 0:
                    errs.append("%s (the guest's rx) never filled" % where)
                continue
            # split ring indices: nothing in flight beyond the ring size
            if (v["avail.idx"] - v["last_avail_idx"]) & 0xffff > qsz:
                errs.append("%s avail.idx %d - last_avail_idx %d > qsz" % (
                    where, v["avail.idx"], v["last_avail_idx"]))
            if (v["last_avail_idx"] - v["last_used_idx"]) & 0xffff > qsz:
                errs.append("%s last_avail_idx %d - last_used_idx %d > qsz" % (
                    where, v["last_avail_idx"], v["last_used_idx"]))
            if traffic and n & 1 and v["last_avail_idx"] == 0:
                errs.append("%s (the guest's tx) never consumed" % where)
            if traffic and not n & 1 and n in tx_fwd and v["used.idx"] == 0:
                errs.append("%s (the guest's rx) never filled" % where)
        self.shown.append((self.ifnames[i], text))
        self.show_info[i] = info
        if errs:
            raise Failure("%s: show vhost-user %s: %s\n%s" % (
                self.name, self.ifnames[i], "; ".join(errs), text))
        return info

    def guest_rx_queues(self, port, queues):
        """The rx queues of guest `port` that the worker threads' tx
        placement sends on (see check_show)."""
        return sorted(v // 2 for v in self.show_info[port]["tx_fwd_vrings"])

    def queue_stats(self):
        """{(port, queue): packets the switch took from the guest's tx vring
        2q+1}, from `show vhost-user` (the app has no per-queue counters):
        last_avail_idx counts the chains consumed (mod 2^16)."""
        st = {}
        for i in range(len(self.socks)):
            for n, v in self.show(i)["vrings"].items():
                if n & 1:
                    st[(i, n // 2)] = v.get("last_avail_idx", 0)
        return st

    def interface_counters(self):
        """`show interface` -> {name: {counter: value}}."""
        out, cur = {}, None
        for line in self.command("show interface").splitlines():
            m = re.match(r"^(\S+)\s+(\d+)\s+(up|down)\s*(.*)$", line)
            if m:
                cur = out.setdefault(m.group(1), {})
                rest = m.group(4)
            elif cur is not None:
                rest = line
            else:
                continue
            m = re.match(r"^\s*(.*?)\s+(\d+)\s*$", rest)
            if m:
                cur[m.group(1)] = int(m.group(2))
        return out

    def check(self, guests, *, queues=1):
        """After a scenario's traffic, with the guests still up: scenario 7
        on every interface, and the counters of `show interface`."""
        out = {}
        for i, g in enumerate(guests[:len(self.socks)]):
            info = self.check_show(i, queues=queues, packed=getattr(g, "packed", False))
            out[self.ifnames[i]] = "type=%s regions=%s vrings=%s" % (
                info["type"], "+".join("%#x@%#x" % (r["size"], r["gpa"])
                                       for r in info["regions"]),
                ",".join("%d:%d/%d" % (n, v.get("last_avail_idx", 0), v.get("used.idx", 0))
                         for n, v in sorted(info["vrings"].items()) if not v["disabled"]))
        ctr = self.interface_counters()
        for i, n in enumerate(self.ifnames):
            c = ctr.get(n)
            if c is None:
                raise Failure("%s: show interface does not list %s" % (self.name, n))
            if not c.get("rx packets") or not c.get("tx packets"):
                raise Failure("%s: show interface: %s has counters %s; rx and tx "
                              "packets expected" % (self.name, n, c))
            out[n] += " rx=%d tx=%d drops=%d tx-error=%d" % (
                c.get("rx packets", 0), c.get("tx packets", 0), c.get("drops", 0),
                c.get("tx-error", 0))
        return out

    # -- stop -----------------------------------------------------------------

    def stop(self, how="quit"):
        """`quit` (or SIGTERM with how="term"); exit_status is the exit
        status, or None when it had to be killed."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                if how == "term":
                    os.kill(self.proc.pid, signal.SIGTERM)
                else:
                    self.proc.stdin.write(b"quit\n")
                    self.proc.stdin.flush()
                self.exit_status = self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                _log("%s did not exit within 10 s of %s: killing it" % (self.name, how))
        elif self.proc is not None:
            self.exit_status = self.proc.returncode
        super().stop()

    def describe(self):
        """The log's tail; then, once and while the switch runs, `show
        interface` and `show vhost-user` are run into the log for the
        post-mortem (the log is kept as an artifact)."""
        text = super().describe()
        if self.proc is not None and self.proc.poll() is None and not self._diagnosed:
            self._diagnosed = True
            try:
                self.command("show interface", timeout=5)
                self.command("show vhost-user", timeout=5)
                text += "\n(show interface, show vhost-user at the failure: in %s)" % self.log
            except Failure:
                pass
        return text

    def stop_clean(self, how="quit"):
        """stop(), and a Failure unless the switch exited with status 0."""
        self.stop(how)
        if self.exit_status != 0:
            raise Failure("%s: %s: exit status %s (expected 0)" % (
                self.name, how, "none: killed after 10 s" if self.exit_status is None
                else self.exit_status))


BACKENDS = {"net_vhost": TestpmdNetVhost, "net_vhostu": TestpmdNetVhostu,
            "vhostu-fwd": VhostuFwd}


class _Scenario:
    """A scenario's sockets (s0, s1 in a temporary directory), guests and
    backend. Leaving the with block: a Failure gets the tails of the logs it
    does not show yet (while the processes still run), then the guests and
    the backend are stopped and the sockets' directory removed."""

    def __init__(self, logdir):
        os.makedirs(logdir, exist_ok=True)
        self.sockdir = tempfile.mkdtemp(prefix="vhostu-guest-")
        self.socks = [os.path.join(self.sockdir, "s%d.sock" % i) for i in range(2)]
        self.guests = []
        self.backend = None

    def __enter__(self):
        return self

    def __exit__(self, _etype, e, _tb):
        try:
            if isinstance(e, Failure):
                raise Failure(_with_logs(e, self.guests, self.backend)) from None
        finally:
            for g in self.guests:
                g.stop()
            if self.backend:
                self.backend.stop()
            shutil.rmtree(self.sockdir, ignore_errors=True)


def run_pair(backend_cls, image, logdir, *, qemu_server=False, test="ping", mtu=1500,
             size=56, count=5, queues=1, big=False, timeout=120, peer_test=None,
             packed=False, event_idx=True, rx_mode=None):
    """Two guests (10.0.0.1, 10.0.0.2) on sockets s0/s1 of the backend, which
    forwards between them; each pings the other (or g0 only answers, when
    peer_test="idle"). event_idx=False: QEMU's virtio-net-pci without it
    (Linux takes VIRTIO_RING_F_EVENT_IDX whenever it is offered). rx_mode:
    `set interface rx-mode` of every interface first (vhostu-fwd only: its
    worker sleeps on the guests' kicks). Returns a
    dict of results and timings; raises Failure with the logs' tails on any
    failure."""
    sc = _Scenario(logdir)
    socks, guests = sc.socks, sc.guests
    backend = sc.backend = backend_cls(socks, logdir, server=not qemu_server, queues=queues,
                                       big=big)
    t0 = time.monotonic()
    with sc:
        if not qemu_server:
            backend.start().wait_ready()
            _set_rx_mode(backend, rx_mode)
        for i in range(2):
            params = _guest_params(i, test, mtu=mtu, size=size, count=count,
                                   # stay up while the other guest may still be pinging
                                   linger=timeout)
            if i == 0 and peer_test == "idle":
                params.update(test="idle", life=2 * timeout)
            g = Guest("g%d" % i, socks[i], image, logdir, server=qemu_server,
                      mac="52:54:00:00:00:%02x" % (i + 1), queues=queues, params=params,
                      packed=packed, event_idx=event_idx)
            guests.append(g.start())
        if qemu_server:
            backend.start().wait_ready()
            _set_rx_mode(backend, rx_mode)
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
        chk = backend.check(guests, queues=queues)
        if chk:
            out["backend_check"] = chk
        _check_event_idx(backend, event_idx)
        if queues > 1:
            st = backend.queue_stats()
            out["backend_queue_rx"] = {"%d/%d" % k: v for k, v in sorted((st or {}).items())}
            if st is not None:
                idle = [k for k in ((p, q) for p in range(2) for q in range(queues))
                        if not st.get(k)]
                if idle:
                    raise Failure("backend saw no packets on rx port/queue %s: %s\n%s" % (
                        idle, st, backend.describe()))
            for i, g in enumerate(guests):
                res = out["guests"][g.name]
                for q in backend.guest_rx_queues(i, queues):
                    if int(res.get("rxq%d" % q, "0")) == 0:
                        raise Failure("%s received nothing on rx queue %d: %s\n%s" % (
                            g.name, q, res, g.describe()))
        backend.stop_clean()
        out["total_s"] = round(time.monotonic() - t0, 2)
        return out


def _set_rx_mode(backend, mode):
    """set interface rx-mode on every interface of a vhostu-fwd backend
    (testpmd backends poll: for them the scenario is a plain ping)."""
    if mode is None or not isinstance(backend, VhostuFwd):
        return
    for n in backend.ifnames:
        out = backend.command("set interface rx-mode %s %s" % (n, mode))
        if out.strip():
            raise Failure("set interface rx-mode %s %s: %s" % (n, mode, out))


def _check_event_idx(backend, want):
    """Where the backend shows what was negotiated (vhostu-fwd), EVENT_IDX
    (bit 29) is as QEMU was told: on by default, since we offer it."""
    for i, info in sorted(getattr(backend, "show_info", {}).items()):
        f = info.get("features")
        if f is not None and bool(f & (1 << 29)) != want:
            raise Failure("port %d negotiated features %#x: EVENT_IDX %s, expected %s" % (
                i, f, "on" if f & (1 << 29) else "off", "on" if want else "off"))


def _with_logs(e, guests, backend):
    """A scenario's failure message with the tails of the guest consoles it
    does not show yet, and of the backend's log."""
    msg = str(e)
    for g in guests:
        if g.console not in msg:
            msg += "\n" + g.describe()
    if backend is not None:
        msg += "\n" + backend.describe()
    return msg


def _guest_params(i, test, **kw):
    p = {"ip": "10.0.0.%d/24" % (i + 1), "peer": "10.0.0.%d" % (2 - i), "test": test}
    p.update(kw)
    return p


def run_guest_reset(backend_cls, image, logdir, *, timeout=120, **_):
    """The backend listens; g0 stays up (idle), g1 pings it, then g1's QEMU is
    killed and started again on the same socket and must ping again, without
    anything done to the backend."""
    sc = _Scenario(logdir)
    socks, guests = sc.socks, sc.guests
    backend = sc.backend = backend_cls(socks, logdir, server=True)
    t0 = time.monotonic()
    with sc:
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
            chk = backend.check([g0, g1])
            if chk:
                out["backend_check_run%d" % run] = chk
            g1.kill()   # SIGKILL while the guest runs: the socket just closes
        backend.stop_clean()
        out["total_s"] = round(time.monotonic() - t0, 2)
        return out


def run_backend_restart(backend_cls, image, logdir, *, timeout=120, **_):
    """QEMU listens (server=on,wait=off) and the backend connects. g1 pings
    g0 in rounds; the backend is stopped (rounds must fail) and started again
    (rounds must pass again) while both QEMUs keep running."""
    sc = _Scenario(logdir)
    socks, guests = sc.socks, sc.guests
    t0 = time.monotonic()
    with sc:
        g0 = Guest("g0", socks[0], image, logdir, server=True, mac="52:54:00:00:00:01",
                   params=_guest_params(0, "idle", life=3 * timeout))
        g1 = Guest("g1", socks[1], image, logdir, server=True, mac="52:54:00:00:00:02",
                   params=_guest_params(1, "rounds", life=3 * timeout, count=3))
        guests += [g0.start(), g1.start()]
        backend = sc.backend = backend_cls(socks, logdir, server=False)
        backend.start().wait_ready()
        t_ok1, _ = g1.wait_for("ROUND", timeout, pred=lambda f: f.get("status") == "PASS")
        # stopped as a service manager does (SIGTERM); must exit 0
        backend.stop_clean("term")
        t_stop = g1.now()
        t_fail, _ = g1.wait_for("ROUND", 30, after=t_stop,
                                pred=lambda f: f.get("received") == "0")
        backend.log = backend.log.replace(".log", "-restarted.log")
        backend.start().wait_ready()
        t_start = g1.now()
        t_ok2, f2 = g1.wait_for("ROUND", 60, after=t_start,
                                pred=lambda f: f.get("status") == "PASS")
        chk = backend.check(guests)
        backend.stop_clean()
        return {"backend": backend.name, "qemu_server": True, "test": "backend-restart",
                "startup_s": 0, "total_s": round(time.monotonic() - t0, 2),
                **({"backend_check": chk} if chk else {}),
                "guests": {"g1": {"first_pass_s": round(t_ok1, 2),
                                  "stopped_at_s": round(t_stop, 2),
                                  "failing_round_at_s": round(t_fail, 2),
                                  "restarted_at_s": round(t_start, 2),
                                  "pass_again_at_s": round(t_ok2, 2),
                                  "resume_s": round(t_ok2 - t_start, 2),
                                  "round": f2.get("round")}}}


def run_idle_peer(backend_cls, image, logdir, *, timeout=120, **_):
    """g0 only answers (test=idle), g1 pings it."""
    return run_pair(backend_cls, image, logdir, timeout=timeout, peer_test="idle")


# Offload feature bits (virtio-net): what a Linux guest negotiates when offered.
F_OFFLOADS = (1 << 0) | (1 << 1) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 11) | (1 << 12) | \
    (1 << 13)
F_OFFLOADS_CORE = (1 << 0) | (1 << 1) | (1 << 7) | (1 << 11)   # CSUM GUEST_CSUM TSO4 both ways
MASK_NO_OFFLOADS = 0xd7c628000   # the default offer without the offloads (and MTU)
# TCG guests on a shared machine move a few MB/s: keep the scenario in bounds.
TCP_MB = int(os.environ.get("VHOSTU_GUEST_TCP_MB", "8"))


def _tcp_run(backend_cls, image, logdir, label, *, masks, bridge, timeout):
    """g0 sends TCP_MB MB to g1 through the backend (xconnect or bridge
    domain 1), masks: socket index -> feature-mask. The transfer must arrive
    whole (the receiver's digest is the sender's), and `show vhost-user` must
    show the offloads negotiated exactly where they were not masked."""
    ldir = os.path.join(logdir, label)
    sc = _Scenario(ldir)
    socks, guests = sc.socks, sc.guests
    backend = sc.backend = backend_cls(socks, ldir, server=True)
    backend.masks = dict(masks)
    backend.bridge = bridge
    with sc:
        backend.start().wait_ready()
        for i, role in enumerate(("send", "recv")):
            params = _guest_params(i, "tcp", role=role, mb=TCP_MB, linger=timeout)
            g = Guest("g%d" % i, socks[i], image, ldir,
                      mac="52:54:00:00:00:%02x" % (i + 1), params=params)
            guests.append(g.start())
        # boot, then the transfer: twice the bound of one wait
        results = wait_reports(guests, "RESULT", 2 * timeout)
        snd, rcv = results[0][1], results[1][1]
        if snd.get("status") != "PASS" or rcv.get("status") != "PASS" or \
                snd.get("digest") != rcv.get("digest") or snd.get("bytes") != rcv.get("bytes"):
            raise Failure("tcp %s: sender %s, receiver %s\n%s" % (
                label, snd, rcv, "\n".join(g.describe() for g in guests)))
        out = {"mbps": float(snd.get("mbps", 0)), "secs": float(snd.get("secs", 0)),
               "bytes": int(snd["bytes"])}
        chk = backend.check(guests)
        feats = {}
        for i in range(2):
            info = getattr(backend, "show_info", {}).get(i)
            if info is None or "features" not in info:
                continue
            f = info["features"]
            feats[i] = f
            want_on = i not in masks or masks[i] & F_OFFLOADS_CORE == F_OFFLOADS_CORE
            if want_on and f & F_OFFLOADS_CORE != F_OFFLOADS_CORE:
                raise Failure("tcp %s: %s negotiated 0x%x: offloads 0x%x expected" % (
                    label, backend.ifnames[i], f, F_OFFLOADS_CORE))
            if not want_on and f & F_OFFLOADS:
                raise Failure("tcp %s: %s negotiated 0x%x: offloads 0x%x were masked" % (
                    label, backend.ifnames[i], f, f & F_OFFLOADS))
        out["features"] = " ".join("%s=0x%x" % (backend.ifnames[i], f)
                                   for i, f in sorted(feats.items()))
        # The sender's frames as the switch received them: TSO frames (above
        # an MTU) exactly when g0 has the offloads.
        if hasattr(backend, "interface_counters"):
            c = backend.interface_counters().get(backend.ifnames[0], {})
            avg = c.get("rx bytes", 0) / max(1, c.get("rx packets", 0))
            out["sender_avg_frame"] = int(avg)
            if (0 not in masks) != (avg > 1518):
                raise Failure("tcp %s: %s received frames of %d bytes on average: %s "
                              "expected" % (label, backend.ifnames[0], avg,
                                            "TSO frames" if 0 not in masks else "at most 1518"))
        if chk:
            out["backend_check"] = chk
        backend.stop_clean()
        return out


def run_tcp(backend_cls, image, logdir, *, timeout=120, bridge=False, runs=None, **_):
    """TCP bulk transfers g0 -> g1, one pair of guests per run: with the
    offloads negotiated, with them masked off, or g0 with and g1 without
    (the switch segments and checksums in software). Rates are printed, not
    asserted: TCG guests on a shared machine."""
    t0 = time.monotonic()
    out = {"backend": backend_cls.name, "qemu_server": False,
           "test": "tcp-bridge" if bridge else "tcp", "startup_s": 0, "guests": {}}
    for label, masks in runs:
        r = _tcp_run(backend_cls, image, logdir, label, masks=masks, bridge=bridge,
                     timeout=timeout)
        out["guests"][label] = {k: v for k, v in r.items() if k != "backend_check"}
        _log("tcp %s%s: %d bytes in %.2f s, %.1f Mbit/s (%s)" % (
            label, " (bridge)" if bridge else "", r["bytes"], r["secs"], r["mbps"],
            r["features"]))
    out["total_s"] = round(time.monotonic() - t0, 2)
    return out


SCENARIOS = {
    # name: (function, keyword arguments)
    "ping": (run_pair, dict()),
    "ping-packed": (run_pair, dict(packed=True)),
    "ping-no-event-idx": (run_pair, dict(event_idx=False)),
    "ping-rx-interrupt": (run_pair, dict(rx_mode="interrupt")),
    "qemu-server": (run_pair, dict(qemu_server=True)),
    "big": (run_pair, dict(mtu=9000, size=8000)),
    "flood": (run_pair, dict(test="flood", count=5000)),
    "mq": (run_pair, dict(queues=2, test="mq")),
    "idle-peer": (run_idle_peer, dict()),
    "guest-reset": (run_guest_reset, dict()),
    "backend-restart": (run_backend_restart, dict()),
    # TCP: offloads on, then off (the rates of the two, one after the other),
    # bridged, and from a guest with offloads to one without
    "tcp": (run_tcp, dict(runs=[("offloads", {})])),
    "tcp-no-offloads": (run_tcp, dict(runs=[("no-offloads", {0: MASK_NO_OFFLOADS,
                                                             1: MASK_NO_OFFLOADS})])),
    "tcp-bridge": (run_tcp, dict(bridge=True, runs=[("bridge-offloads", {})])),
    "tcp-mixed": (run_tcp, dict(runs=[("offloads-to-none", {1: MASK_NO_OFFLOADS})])),
}


def run_scenario(name, backend_cls, image, logdir, timeout=120):
    fn, kw = SCENARIOS[name]
    return fn(backend_cls, image, logdir, timeout=timeout, **kw)


def _fmt(res):
    lines = ["%s qemu_server=%s test=%s startup=%ss total=%ss" % (
        res["backend"], res["qemu_server"], res["test"], res["startup_s"], res["total_s"])]
    for name, r in res["guests"].items():
        lines.append("  %s: %s" % (name, " ".join("%s=%s" % kv for kv in r.items())))
    for k in sorted(k for k in res if k.startswith("backend_check")):
        for n, v in res[k].items():
            lines.append("  %s %s: %s" % (k, n, v))
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
    p.add_argument("--scenario-timeout", type=int, default=0,
                   help="bound of each whole scenario, seconds (0: none)")
    p.add_argument("--budget", type=int, default=0,
                   help="bound of the whole run, seconds (0: none); scenarios that "
                        "cannot start in time fail as not run")
    p.add_argument("--clean-passed", action="store_true",
                   help="remove the logs of passed scenarios (keep failures' as artifacts)")
    p.add_argument("--image-dir", help="where the kernel and initramfs are built "
                                       "(default test/guest/work)")
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

    image = GuestImage(getattr(args, "image_dir", None)).ensure()
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
    failed = []
    t_run = time.monotonic()
    for n in names:
        logdir = os.path.join(args.logdir, "%s-%s" % (args.backend, n))
        shutil.rmtree(logdir, ignore_errors=True)
        bound = args.scenario_timeout
        if args.budget:
            left = int(args.budget - (time.monotonic() - t_run))
            if left < min(30, bound or 30):
                failed.append((n, None))
                print("FAIL %s: not run: the run's budget of %d s is spent" % (n, args.budget),
                      flush=True)
                continue
            bound = min(bound, left) if bound else left
        _log("scenario %s against %s (logs in %s%s)" % (
            n, args.backend, logdir, ", bound %d s" % bound if bound else ""))
        t_s = time.monotonic()
        try:
            with _alarm(bound, "scenario %s exceeded its bound of %d s" % (n, bound)):
                res = run_scenario(n, BACKENDS[args.backend], image, logdir,
                                   timeout=args.timeout)
            print("PASS %s (%.1f s): %s" % (n, time.monotonic() - t_s, _fmt(res)), flush=True)
            if args.clean_passed:
                shutil.rmtree(logdir, ignore_errors=True)
        except Failure as e:
            failed.append((n, logdir))
            print("FAIL %s (%.1f s): %s" % (n, time.monotonic() - t_s, e), flush=True)
    kill_all(2.0)
    print("%d scenario(s) against %s in %.1f s: %d passed, %d failed%s" % (
        len(names), args.backend, time.monotonic() - t_run, len(names) - len(failed),
        len(failed), (" (" + " ".join(n for n, _ in failed) + ")") if failed else ""),
        flush=True)
    for n, d in failed:
        if d and os.path.isdir(d):
            print("artifacts of %s (guest consoles, QEMU and switch logs):" % n)
            for f in sorted(os.listdir(d)):
                print("  %s" % os.path.join(d, f))
    return 1 if failed else 0


class _alarm:
    """Raise Failure(msg) in the main thread after `seconds` (0: never). The
    scenario's finally blocks then kill its QEMUs and its backend."""

    def __init__(self, seconds, msg):
        self.seconds, self.msg = seconds, msg

    def _fire(self, _signum, _frame):
        raise Failure(self.msg)

    def __enter__(self):
        if self.seconds:
            self.old = signal.signal(signal.SIGALRM, self._fire)
            signal.alarm(self.seconds)
        return self

    def __exit__(self, *exc):
        if self.seconds:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, self.old)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
