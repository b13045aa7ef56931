# SPDX-License-Identifier: BSD-3-Clause
"""The processes the Python tests start (test/peer, test/app, test/guest):
Python 3 stdlib only.

  Failure        a check failed (the one exception class of every test)
  deadline_wait  poll a condition, bounded
  spawn()        a program in its own process group, output to a log file,
                 remembered so that kill_all() stops whatever is left, and
                 killed by the kernel if the test dies first (die_with_parent);
                 on SIGTERM or SIGHUP all are killed at once and the test
                 unwinds (exit status 128 + the signal)
  dpdk_prefix()  a unique DPDK --file-prefix, its run directory removed by
                 kill_all() (or remove_runtime_dir())
  Interactive    a program driven over a stdin pipe with a prompt
                 (dpdk-testpmd -i, vhostu-fwd -i): cmd(line) returns what it
                 printed up to the next prompt; check_alive, tail, quit, kill
  VhostuFwdShell vhostu-fwd -i: cmd(line) returns the answer alone (no
                 echo, no log lines); ok(line), create(sock)
  Switch         vhostu-fwd -i alone (no port, --no-huge), up to its prompt;
                 its VmRSS and rte_malloc figures
  Fwd            vhostu-fwd with a command file, commands on a stdin pipe
                 (post() sends without waiting, wait() for a pattern)
  fwd_with_peers with: quits the peers, then vhostu-fwd, whose exit status
                 must be 0
"""

import atexit
import contextlib
import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

LIVE = []           # processes started by spawn() and not stopped yet
_PREFIXES = []      # DPDK --file-prefix values used: their run dirs go at the end
_LIBC = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1


class Failure(Exception):
    """A check failed; the message says what was expected and what happened."""


def deadline_wait(cond, timeout, interval=0.02):
    """Poll cond() until it returns a true value or timeout s pass; returns it."""
    end = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() >= end:
            return v
        time.sleep(interval)


def kill_group(proc, grace=3.0):
    """Stop proc's process group: SIGTERM, then SIGKILL after grace s."""
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


def forget(proc):
    """proc is stopped (or will be by its owner): kill_all() leaves it."""
    if proc in LIVE:
        LIVE.remove(proc)


def die_with_parent():
    """A preexec_fn: the child gets SIGKILL when the thread that started it
    ends (PR_SET_PDEATHSIG, kept across exec), so a test killed outright
    (meson's SIGKILL half a second after its SIGTERM) leaves no busy-polling
    DPDK process behind. A parent that died before the prctl: exit at once."""
    parent = os.getppid()
    if _LIBC.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0 or os.getppid() != parent:
        os._exit(127)


def spawn(argv, log_path, stdin=subprocess.DEVNULL, env=None):
    """Start argv in its own process group, stdout+stderr to log_path; it dies
    with this process (die_with_parent), so start it from the main thread."""
    if threading.current_thread() is not threading.main_thread():
        raise Failure("spawn %s from a thread: it would die when the thread ends" % argv[0])
    logf = open(log_path, "wb")
    try:
        proc = subprocess.Popen(argv, stdin=stdin, stdout=logf, stderr=subprocess.STDOUT,
                                start_new_session=True, env=env, preexec_fn=die_with_parent)
    finally:
        logf.close()
    LIVE.append(proc)
    return proc


def runtime_dir(prefix):
    """EAL's runtime directory for a --file-prefix (eal_get_runtime_dir)."""
    if os.getuid() == 0:
        base = "/var/run"
    else:
        base = os.environ.get("XDG_RUNTIME_DIR", "/tmp")
    return os.path.join(base, "dpdk", prefix)


def remove_runtime_dir(prefix):
    """EAL leaves its runtime directory behind; remove it (process gone)."""
    shutil.rmtree(runtime_dir(prefix), ignore_errors=True)


def dpdk_prefix(name):
    """A unique --file-prefix, remembered so that kill_all() removes its run dir."""
    prefix = "%s-%d-%d" % (name, os.getpid(), int(time.monotonic() * 1000))
    _PREFIXES.append(prefix)
    return prefix


def kill_all(grace=3.0):
    """Kill every process still running, remove the run dirs of dpdk_prefix()."""
    while LIVE:
        kill_group(LIVE.pop(), grace)
    while _PREFIXES:
        remove_runtime_dir(_PREFIXES.pop())


def _terminated(signum, _frame):
    """SIGTERM (meson's timeout, first), SIGHUP: kill what we started and
    remove its run dirs at once (meson sends SIGKILL 0.5 s later, too soon
    for a `quit' or for waiting on an exit), then unwind: the finally blocks
    and atexit reap the processes and remove the work dirs."""
    for proc in LIVE:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    for prefix in _PREFIXES:
        remove_runtime_dir(prefix)
    print("vhostu_procs: signal %d: the processes started were killed" % signum,
          file=sys.stderr, flush=True)
    raise SystemExit(128 + signum)


atexit.register(kill_all, 1.0)
if threading.current_thread() is threading.main_thread():
    for _sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(_sig, _terminated)


class Interactive:
    """A program in interactive mode: commands over a stdin pipe, all its
    output (prompt, echo, answers, logs) into a log file that is read back."""

    prompt = None       # what it prints when it waits for a command (str)
    prompt_interval = 0.05  # how often wait_prompt() looks

    def __init__(self, name, argv, log_path, env=None):
        self.name = name
        self.argv = argv
        self.log_path = log_path
        self.proc = spawn(argv, log_path, stdin=subprocess.PIPE, env=env)
        self.pid = self.proc.pid

    # output

    def text(self, start=0):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(start)
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def size(self):
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0

    def tail(self, n=40):
        return "\n".join(self.text().splitlines()[-n:])

    def describe(self):
        """What a failure shows of the program."""
        return "last output:\n" + self.tail()

    def wait_log(self, pattern, start=0, timeout=5.0):
        """Wait for a regex in the log after byte offset start; returns the match."""
        rx = re.compile(pattern)
        m = deadline_wait(lambda: rx.search(self.text(start)), timeout, 0.02)
        if not m:
            self.check_alive()
        return m

    # the process

    def alive(self):
        return self.proc.poll() is None

    def check_alive(self):
        if not self.alive():
            raise Failure("%s exited (rc %s); %s" %
                          (self.name, self.proc.returncode, self.describe()))

    def fds(self):
        """The process's open fds: {fd: link target}."""
        out = {}
        base = "/proc/%d/fd" % self.pid
        for n in os.listdir(base):
            try:
                out[int(n)] = os.readlink(os.path.join(base, n))
            except OSError:
                pass
        return out

    def maps_matching(self, needle):
        """The lines of /proc/PID/maps that contain needle."""
        with open("/proc/%d/maps" % self.pid) as f:
            return [ln for ln in f if needle in ln]

    # commands

    def wait_prompt(self, start=0, timeout=60.0):
        """Wait for the prompt in the log after byte offset start."""
        p = self.prompt.encode()

        def ready():
            if not self.alive():
                return True
            with open(self.log_path, "rb") as f:
                f.seek(start)
                return p in f.read()
        deadline_wait(ready, timeout, self.prompt_interval)
        self.check_alive()
        with open(self.log_path, "rb") as f:
            f.seek(start)
            if p not in f.read():
                raise Failure("%s: no prompt within %.0f s; %s" %
                              (self.name, timeout, self.describe()))

    def send(self, line):
        """Write one line to its stdin (no wait)."""
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def cmd(self, line, timeout=20.0):
        """Run one command; returns all it printed up to the next prompt."""
        self.check_alive()
        start = self.size()
        try:
            self.send(line)
        except BrokenPipeError:
            self.check_alive()
            raise
        self.wait_prompt(start, timeout)
        out = self.text(start)
        return out[:out.find(self.prompt)]

    def quit(self, timeout=15.0):
        """The `quit` command; kill the group if it does not exit within
        timeout s. Returns the exit status (None if it had to be killed or
        had exited before)."""
        rc = None
        if self.alive():
            try:
                self.send("quit")
                self.proc.stdin.close()
                rc = self.proc.wait(timeout=timeout)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                pass
        self.kill()
        return rc

    def kill(self):
        kill_group(self.proc)
        forget(self.proc)
        try:
            self.proc.stdin.close()
        except (BrokenPipeError, ValueError):
            pass


class VhostuFwdShell(Interactive):
    """vhostu-fwd -i: its shell over the pipe. cmd() returns the command's
    answer: the lines it printed, without the echo, the prompt and log lines."""

    prompt = "vhostu# "
    # A line of the log (EAL, PMD) rather than a command's answer.
    LOGLINE = re.compile(r"^(?:vhostu(?:\.\w+)?|vhostu-fwd|EAL|TELEMETRY|VHOST_\w+|ETHDEV|"
                         r"MBUF|MEMPOOL|RING|USER\d+|LCORE|RCU|PMD): ")

    # The same, written by another thread into the middle of a line: the
    # shell echoes a command key by key, so a log line can split the echo.
    INLINE_LOG = re.compile(r"(?<=[^\n])(?:vhostu(?:\.\w+)?|vhostu-fwd|EAL|TELEMETRY|VHOST_\w+|"
                            r"ETHDEV|MBUF|MEMPOOL|RING|USER\d+|LCORE|RCU|PMD): [^\n]*\n")

    def cmd(self, line, timeout=20.0):
        text = super().cmd(line, timeout).replace("\r", "")
        while True:
            joined = self.INLINE_LOG.sub("", text)
            if joined == text:
                break
            text = joined
        lines = text.split("\n")
        # Keep what follows the echoed command. What precedes it is earlier
        # output (log lines of another thread); it may begin in the middle of
        # a line: a write that crosses a page boundary grows the file's size
        # in two steps.
        for k, ln in enumerate(lines):
            if ln.strip() == line:
                lines = lines[k + 1:]
                break
        return "\n".join(ln for ln in lines if not self.LOGLINE.match(ln)).strip("\n")

    def ok(self, line, timeout=20.0):
        """A command that prints nothing when it succeeds."""
        out = self.cmd(line, timeout)
        if out.strip():
            raise Failure("`%s' failed: %s" % (line, out.strip()))

    def create(self, sock):
        """create vhost-user socket SOCK server: the new interface's name,
        which must be all the command printed."""
        out = self.cmd("create vhost-user socket %s server" % sock).strip()
        if not re.fullmatch(r"VirtualEthernet0/0/\d+", out):
            raise Failure("create vhost-user %s: expected the name, got:\n%s" % (sock, out))
        return out


class Switch(VhostuFwdShell):
    """vhostu-fwd -i with no port of its own (--no-pci, no --vdev), --no-huge,
    lcores 0 (shell) and 1 (a worker), a --file-prefix of its own
    (self.prefix); returns once the prompt is up."""

    prompt_interval = 0.005

    def __init__(self, app, workdir, tag, mem_mb=512, eal=(), timeout=60.0):
        self.prefix = dpdk_prefix(tag)
        argv = ([app, "--no-huge", "-m", str(mem_mb), "--no-pci", "-l", "0,1"] + list(eal) +
                ["--file-prefix=" + self.prefix, "--", "-i"])
        super().__init__("vhostu-fwd", argv, os.path.join(workdir, "vhostu-fwd.log"))
        self.wait_prompt(0, timeout)

    def status(self, key):
        """A number of /proc/PID/status (VmRSS in KiB, Threads)."""
        with open("/proc/%d/status" % self.pid) as f:
            for ln in f:
                if ln.startswith(key + ":"):
                    return int(ln.split()[1])
        raise Failure("no %s in /proc/%d/status" % (key, self.pid))

    def heap(self):
        """rte_malloc's heap 0 through DPDK telemetry: (Alloc_count, Alloc_size),
        or None when the telemetry socket is not there."""
        path = os.path.join(runtime_dir(self.prefix), "dpdk_telemetry.v2")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
                s.settimeout(5.0)
                s.connect(path)
                s.recv(4096)
                s.send(b"/eal/heap_info,0")
                info = json.loads(s.recv(65536))["/eal/heap_info"]
        except (OSError, ValueError, KeyError) as e:
            print("  (no rte_malloc figures: telemetry %s: %s)" % (path, e), flush=True)
            return None
        return info["Alloc_count"], info["Alloc_size"]


class Fwd(Interactive):
    """vhostu-fwd with a command file, commands on a stdin pipe, output to a file."""

    def __init__(self, app, workdir, cli):
        cmdfile = os.path.join(workdir, "fwd.cli")
        with open(cmdfile, "w") as f:
            f.write(cli)
        argv = [app, "--no-huge", "-m", "256", "--no-pci", "--no-shconf", "-l", "0,1",
                "--main-lcore", "0", "--file-prefix=" + dpdk_prefix("vfwd"), "--",
                "--cmdline-file", cmdfile]
        super().__init__("vhostu-fwd", argv, os.path.join(workdir, "vhostu-fwd.log"))

    def wait(self, pattern, start=0, timeout=15.0):
        rx = re.compile(pattern, re.M)
        m = deadline_wait(lambda: rx.search(self.text(start)) or not self.alive(),
                          timeout, 0.05)
        m = rx.search(self.text(start))
        if not m:
            raise Failure("vhostu-fwd: no /%s/ within %.0f s; output:\n%s" %
                          (pattern, timeout, self.text(start)[-3000:]))
        return m

    def post(self, line):
        """Send a command (no prompt: no wait); returns the log offset before it."""
        start = self.size()
        self.send(line)
        return start


@contextlib.contextmanager
def fwd_with_peers(fwd, what):
    """with fwd_with_peers(fwd, "scenario") as peers: the body appends the
    peers it starts. At the end, whatever happened, the peers quit, then fwd
    (10 s); when the body passed, fwd's exit status must be 0 (a Failure
    naming what, with the end of fwd's output, otherwise)."""
    peers = []
    try:
        yield peers
    finally:
        for p in peers:
            p.quit()
        rc = fwd.quit(10)
    if rc != 0:
        raise Failure("%s: vhostu-fwd exit status %s; output:\n%s"
                      % (what, rc, fwd.text()[-3000:]))
