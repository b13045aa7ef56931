#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""vhostu-ctl and vhostu-fwd's command socket; vhostu-fwd as a service.

  forms     every command form of the seed (doc/vhost-user-cli.rst) and of the
            user guide, run in the terminal shell (-i) and through vhostu-ctl:
            the same output; errors exit 1; `exec FILE` stops at the first
            failing line with FILE:LINE, as the shell's exec; `quit` ends the
            session only; an over-long line is refused
  terminal  vhostu-ctl on a pty: the prompt, Tab completion, history, quit
  clients   two clients at once, requests sent ahead of answers; clients that
            send nothing, garbage, half a line, a huge line, or never read
            their answers: meanwhile vhostu-ctl and the terminal shell answer
            within a bounded wait; a 17th client is refused with a message;
            after a storm of clients vhostu-fwd has the fds it had before
  socket    mode 0660 and the configured group: a user of that group may
            connect, another may not (vhostu-ctl says permission denied);
            the missing directory is made 0755; a stale socket is replaced, a
            live one refused (the second switch exits 1, the first goes on);
            no socket: vhostu-ctl says so
  service   vhostu-fwd --config FILE, started with setsid and stdin
            /dev/null (and once with stdin closed): EAL arguments, command
            file, socket, group and coalescing from the file; reachable over
            vhostu-ctl; its main thread sleeps; SIGTERM: exit 0, no socket,
            no process

Usage: test_ctl.py PATH/TO/vhostu-fwd PATH/TO/vhostu-ctl [-k SUBSTRING] [--keep]
(PYTHONPATH=test/lib; meson test sets it)
"""

import argparse
import grp
import os
import pty
import re
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True    # no __pycache__ in the source tree
from vhostu_frontend import Failure, work_dir, log, main_wrapper  # noqa: E402
from vhostu_procs import (VhostuFwdShell, deadline_wait, dpdk_prefix, spawn,  # noqa: E402
                          forget, kill_group)

EAL = ["--no-huge", "-m", "256", "--no-pci", "--no-shconf", "-l", "0,1", "--main-lcore", "0"]
ANSWER_S = 5.0      # the bound on an answer while hostile clients are connected
NOBODY = 65534


class Paths:
    fwd = None
    ctl = None


def ctl(sock, *words, stdin=None, timeout=20.0, user=None):
    """vhostu-ctl -s sock words...: (exit status, stdout, stderr)."""
    argv = [Paths.ctl, "-s", sock] + list(words)
    kw = {}
    if user is not None:
        kw["preexec_fn"] = user
    p = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout,
                       **kw)
    return p.returncode, p.stdout, p.stderr


def start_shell(workdir, name, cli, extra=()):
    """vhostu-fwd -i with a command file and its own command socket."""
    cmdfile = os.path.join(workdir, name + ".cli")
    with open(cmdfile, "w") as f:
        f.write(cli)
    sock = os.path.join(workdir, name + "-cli.sock")
    argv = ([Paths.fwd] + EAL + ["--file-prefix=" + dpdk_prefix(name), "--", "-i",
            "--cmdline-file", cmdfile, "--cli-socket", sock] + list(extra))
    sh = VhostuFwdShell("vhostu-fwd", argv, os.path.join(workdir, name + ".log"))
    sh.wait_prompt()
    if not deadline_wait(lambda: os.path.exists(sock), 10):
        raise Failure("no command socket %s; %s" % (sock, sh.describe()))
    return sh, sock


def answer(sock_obj, timeout=ANSWER_S):
    """Read one answer of the protocol: (output, status)."""
    buf = b""
    end = time.monotonic() + timeout
    while True:
        nul = buf.find(b"\0")
        if nul >= 0 and buf.find(b"\n", nul) >= 0:
            st = buf[nul + 1:buf.find(b"\n", nul)]
            return buf[:nul].decode(), int(st), buf[buf.find(b"\n", nul) + 1:]
        left = end - time.monotonic()
        if left <= 0:
            raise Failure("no answer within %.0f s (got %r)" % (timeout, buf[-200:]))
        r, _, _ = select.select([sock_obj], [], [], left)
        if r:
            d = sock_obj.recv(65536)
            if not d:
                raise Failure("connection closed before the answer (got %r)" % buf[-200:])
            buf += d


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


# --- forms ---

def forms(d):
    """(command, what undoes it, expected status): each is run twice, in the
    shell and through vhostu-ctl, and the undo after each, so both see the same
    state."""
    return [
        ("show vhost-user", None, 0),
        ("show vhost-user VirtualEthernet0/0/0", None, 0),
        ("show vhost-user VirtualEthernet0/0/0 descriptors", None, 0),
        ("show vhost-user VirtualEthernet0/0/0 VirtualEthernet0/0/1", None, 0),
        ("show interface", None, 0),
        ("show interface VirtualEthernet0/0/1", None, 0),
        ("show interface rx-placement", None, 0),
        ("show bridge-domain", None, 0),
        ("show l2fib", None, 0),
        ("help", None, 0),
        ("create vhost-user socket %s/c2.sock server feature-mask 0x40400000" % d,
         "delete vhost-user VirtualEthernet0/0/2", 0),
        ("create vhost-user socket %s/c3.sock" % d, "delete vhost-user VirtualEthernet0/0/2", 0),
        ("create vhost-user socket %s/c4.sock server hwaddr 02:fe:00:00:00:01 renumber 7" % d,
         "delete vhost-user VirtualEthernet0/0/7", 0),
        ("set interface state VirtualEthernet0/0/0 up", None, 0),
        ("show interface", None, 0),
        ("set interface state VirtualEthernet0/0/0 down", None, 0),
        ("set interface l2 xconnect VirtualEthernet0/0/0 VirtualEthernet0/0/1",
         "set interface l3 VirtualEthernet0/0/0", 0),
        ("set interface l2 bridge VirtualEthernet0/0/1 5", None, 0),
        ("show bridge-domain", None, 0),
        ("show bridge-domain 5 detail", None, 0),
        ("set bridge-domain mac-age 5 3", None, 0),
        ("set interface rx-mode VirtualEthernet0/0/0 interrupt", None, 0),
        ("set interface rx-mode VirtualEthernet0/0/0 queue 0 polling", None, 0),
        ("show interface rx-placement", None, 0),
        ("debug vhost-user on", None, 0),
        ("debug vhost-user off", None, 0),
        ("delete vhost-user sw_if_index 2",
         "create vhost-user socket %s/s1.sock server" % d, 0),
        # errors
        ("show vhost-user nope", None, 1),
        ("show vhost-user VirtualEthernet0/0/0 nope", None, 1),
        ("show interface nope", None, 1),
        ("set interface state nope up", None, 1),
        ("set interface state VirtualEthernet0/0/0", None, 1),
        ("set interface state VirtualEthernet0/0/0 sideways", None, 1),
        ("set interface rx-mode VirtualEthernet0/0/0 queue 9 polling", None, 1),
        ("set interface rx-mode VirtualEthernet0/0/0", None, 1),
        ("set interface l2 xconnect VirtualEthernet0/0/0", None, 1),
        ("set interface l2 bridge VirtualEthernet0/0/0 nope", None, 1),
        ("set bridge-domain mac-age 99 1", None, 1),
        ("show bridge-domain 99", None, 1),
        ("set", None, 1),
        ("show", None, 1),
        ("create", None, 1),
        ("create vhost-user", None, 1),
        ("create vhost-user socket %s/s0.sock server" % d, None, 1),
        ("create vhost-user server", None, 1),
        ("create vhost-user socket %s/x.sock feature-mask zz" % d, None, 1),
        ("delete vhost-user", None, 1),
        ("delete vhost-user nope", None, 1),
        ("delete vhost-user sw_if_index 99", None, 1),
        ("debug vhost-user", None, 1),
        ("debug vhost-user maybe", None, 1),
        ("exec %s/no-such-file.cli" % d, None, 1),
        ("frobnicate", None, 1),
        ("show frobnicate", None, 1),
    ]


def check_forms(workdir):
    d = workdir
    sh, sock = start_shell(workdir, "forms",
                           "create vhost-user socket %s/s0.sock server\n"
                           "create vhost-user socket %s/s1.sock server\n" % (d, d))
    n = 0
    for cmd, undo, want in forms(d):
        a = sh.cmd(cmd)
        if undo:
            sh.cmd(undo)
        rc, b, err = ctl(sock, *cmd.split())
        if undo:
            ctl(sock, *undo.split())
        b = b.rstrip("\n")
        if a != b:
            raise Failure("`%s': the shell printed\n%s\n--- vhostu-ctl printed\n%s" % (cmd, a, b))
        if rc != want:
            raise Failure("`%s': vhostu-ctl exit status %d, want %d (%s%s)"
                          % (cmd, rc, want, b, err))
        n += 1
    log("  ok: %d command forms: the same output in the shell and through vhostu-ctl, "
        "errors exit 1" % n)
    rc, out, _ = ctl(sock, "help")
    cmds = [ln.split(":")[0] for ln in out.splitlines() if ln.startswith("  ")]
    if rc != 0 or len(cmds) < 15 or len(cmds) != len(set(cmds)):
        raise Failure("help does not list each command once:\n%s" % out)

    # exec: the file's commands, up to the first failing one (FILE:LINE: error)
    f = os.path.join(d, "some.cli")
    with open(f, "w") as fh:
        fh.write("# a comment\n\nshow interface VirtualEthernet0/0/0\n"
                 "set interface state nope up\n"
                 "create vhost-user socket %s/tail.sock server\n" % d)
    a = sh.cmd("exec " + f)
    rc, b, err = ctl(sock, "exec", f)
    if a != b.rstrip("\n") or rc != 1 or "%s:4: unknown interface `nope'" % f not in b:
        raise Failure("exec: shell\n%s\n--- vhostu-ctl (%d)\n%s%s" % (a, rc, b, err))
    if os.path.exists(os.path.join(d, "tail.sock")):
        raise Failure("exec went on after the failing line")
    with open(f, "w") as fh:
        fh.write("set interface state VirtualEthernet0/0/0 up\nshow interface\n")
    rc, b, err = ctl(sock, "exec", f)
    if rc != 0 or not re.search(r"^VirtualEthernet0/0/0 +1 +up", b, re.M):
        raise Failure("exec of a good file: %d\n%s%s" % (rc, b, err))
    rc, b, err = ctl(sock, "exec", os.path.join(d, "missing.cli"))
    if rc != 1 or "cannot open" not in b:
        raise Failure("exec of a missing file: %d %s%s" % (rc, b, err))
    log("  ok: vhostu-ctl exec stops at the first failing line, FILE:LINE as the shell's exec")

    # stdin: one command per line, all run, status 1 if one failed
    rc, b, err = ctl(sock, stdin="show interface VirtualEthernet0/0/0\nnope\nshow l2fib\n")
    if rc != 1 or "unknown input `nope'" not in b or "l2fib entries" not in b:
        raise Failure("vhostu-ctl with commands on stdin: %d\n%s%s" % (rc, b, err))

    # quit ends the session, not the switch
    rc, b, err = ctl(sock, "quit")
    if rc != 0 or not sh.alive():
        raise Failure("vhostu-ctl quit: status %d, switch alive %s" % (rc, sh.alive()))
    rc, b, err = ctl(sock, "show", "interface")
    if rc != 0:
        raise Failure("after vhostu-ctl quit the socket does not answer: %d %s" % (rc, err))

    # a line longer than the shell takes: refused whole, the switch goes on
    rc, b, err = ctl(sock, "show", "interface", "x" * 5000)
    if rc != 1 or "line too long (at most 4094 characters): refused" not in b:
        raise Failure("over-long line: %d %r %s" % (rc, b[:200], err))
    log("  ok: commands on stdin, quit ends the session only, an over-long line is refused")
    if sh.quit() != 0:
        raise Failure("vhostu-fwd quit: bad exit status; %s" % sh.describe())
    if os.path.exists(sock):
        raise Failure("the command socket %s is left after quit" % sock)


# --- terminal ---

def pty_read_until(fd, pattern, timeout=10.0):
    buf = b""
    end = time.monotonic() + timeout
    rx = re.compile(pattern)
    while not rx.search(buf.decode("utf-8", "replace")):
        left = end - time.monotonic()
        if left <= 0:
            raise Failure("vhostu-ctl terminal: no /%s/ within %.0f s; got %r"
                          % (pattern, timeout, buf[-500:]))
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                d = os.read(fd, 4096)
            except OSError:
                d = b""
            if not d:
                raise Failure("vhostu-ctl terminal ended; got %r" % buf[-500:])
            buf += d
    return buf.decode("utf-8", "replace")


def check_terminal(workdir):
    sh, sock = start_shell(workdir, "term",
                           "create vhost-user socket %s/t0.sock server\n" % workdir)
    master, slave = pty.openpty()
    p = subprocess.Popen([Paths.ctl, "-s", sock], stdin=slave, stdout=slave, stderr=slave,
                         start_new_session=True)
    os.close(slave)
    try:
        pty_read_until(master, r"vhostu# ")
        os.write(master, b"show interf\t")
        pty_read_until(master, r"show interface ")
        os.write(master, b"Virt\t")
        pty_read_until(master, r"VirtualEthernet0/0/0")
        os.write(master, b"\n")
        pty_read_until(master, r"VirtualEthernet0/0/0 +1 +down[\s\S]*vhostu# ")
        os.write(master, b"\x1b[A")     # up: the last command again
        pty_read_until(master, r"show interface VirtualEthernet0/0/0")
        os.write(master, b"\n")
        pty_read_until(master, r"VirtualEthernet0/0/0 +1 +down[\s\S]*vhostu# ")
        os.write(master, b"quit\n")
        rc = p.wait(timeout=10)
    finally:
        kill_group(p)
        os.close(master)
    if rc != 0 or not sh.alive():
        raise Failure("vhostu-ctl terminal: exit %s, switch alive %s" % (rc, sh.alive()))
    log("  ok: vhostu-ctl on a terminal: prompt, Tab completion, history; quit leaves "
        "the switch running")
    sh.quit()


# --- clients ---

def sender(s, data):
    """Send data from a thread (it may block: the switch reads at its pace)."""
    def run():
        try:
            s.sendall(data)
        except OSError:
            pass
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def bounded_answer(sh, sock, what):
    t0 = time.monotonic()
    rc, out, err = ctl(sock, "show", "interface", timeout=ANSWER_S)
    if rc != 0 or "VirtualEthernet0/0/0" not in out:
        raise Failure("%s: vhostu-ctl show interface: %d %s%s" % (what, rc, out, err))
    if time.monotonic() - t0 > ANSWER_S:
        raise Failure("%s: vhostu-ctl answered after %.1f s" % (what, time.monotonic() - t0))
    if "VirtualEthernet0/0/0" not in sh.cmd("show interface", timeout=ANSWER_S):
        raise Failure("%s: the terminal shell does not answer" % what)


def check_clients(workdir):
    sh, sock = start_shell(workdir, "clients",
                           "create vhost-user socket %s/k0.sock server\n" % workdir)
    before = sh.fds()

    # two at once, requests ahead of answers, one line in two pieces
    a, b = connect(sock), connect(sock)
    a.sendall(b"show inter")
    b.sendall(b"show interface\nshow l2fib\nnope\n")
    out, st, rest = answer(b)
    if st != 0 or "VirtualEthernet0/0/0" not in out:
        raise Failure("client B: %d %r" % (st, out))
    a.sendall(b"face VirtualEthernet0/0/0\n")
    out, st, _ = answer(a)
    if st != 0 or "VirtualEthernet0/0/0" not in out:
        raise Failure("client A: %d %r" % (st, out))
    b2 = rest
    while b2.count(b"\0") < 2 or not b2.endswith(b"\n"):
        r, _, _ = select.select([b], [], [], ANSWER_S)
        if not r:
            raise Failure("client B: the answers to its 2nd and 3rd requests: %r" % b2)
        b2 += b.recv(65536)
    if b"l2fib entries\n\x000\n" not in b2 or b"unknown input `nope'\n\x001\n" not in b2:
        raise Failure("client B's pipelined answers: %r" % b2)
    a.close()
    b.close()
    log("  ok: two clients at once, requests sent ahead, a line in two pieces")

    # hostile clients, all at once
    bad = []
    idle = connect(sock)
    bad.append(idle)
    garbage = connect(sock)
    garbage.sendall(bytes(range(256)) * 8 + b"\x01bogus\n\xff\xfe\x00\x00\n")
    bad.append(garbage)
    half = connect(sock)
    half.sendall(b"show vhost-user VirtualEth")
    bad.append(half)
    huge = connect(sock)
    sender(huge, b"x" * (4 << 20))
    bad.append(huge)
    deaf = connect(sock)
    deaf.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sender(deaf, b"show vhost-user VirtualEthernet0/0/0 descriptors\n" * 20000)
    bad.append(deaf)
    bounded_answer(sh, sock, "hostile clients connected")
    # the garbage client got answers (errors), not a closed connection
    got = b""
    while got.count(b"\0") < 2:
        r, _, _ = select.select([garbage], [], [], ANSWER_S)
        if not r:
            raise Failure("the garbage client got no answers: %r" % got[-200:])
        d = garbage.recv(65536)
        if not d:
            break
        got += d
    if b"line too long" not in got and b"unknown" not in got:
        raise Failure("the garbage client's answers: %r" % got[-300:])
    bounded_answer(sh, sock, "after the garbage")
    log("  ok: clients sending nothing, garbage, half a line, 4 MiB without a newline, "
        "or never reading: vhostu-ctl and the shell answer within %.0f s" % ANSWER_S)

    # a 17th client is refused, with a message
    more = [connect(sock) for _ in range(16 - len(bad))]
    deadline_wait(lambda: len(sh.fds()) >= len(before) + 2 * 16, 5)
    rc, out, err = ctl(sock, "show", "interface")
    if rc != 1 or "too many command clients" not in out:
        raise Failure("a 17th client: %d %r %r" % (rc, out, err))
    for s in more:
        s.close()
    bounded_answer(sh, sock, "after the 17th client")
    log("  ok: a 17th client is refused, with a message")

    # a storm of short clients: some send a command and leave without the answer
    for k in range(300):
        s = connect(sock)
        if k % 3 == 0:
            s.sendall(b"show interface\n")
        elif k % 3 == 1:
            s.sendall(b"show vhost-user\n")
            s.recv(10)
        s.close()
    for s in bad:
        s.shutdown(socket.SHUT_RDWR)    # also ends the blocked sends of their threads
        s.close()
    bounded_answer(sh, sock, "after the storm")
    if not deadline_wait(lambda: sh.fds() == before, 10):
        raise Failure("vhostu-fwd's fds before the clients:\n%s\nafter:\n%s"
                      % (sorted(before.items()), sorted(sh.fds().items())))
    log("  ok: after 300 short clients and the hostile ones, the same fds as before")
    if sh.quit() != 0:
        raise Failure("vhostu-fwd quit after the clients: %s" % sh.describe())


# --- socket ---

def as_user(uid, gid, groups):
    def f():
        os.setgroups(groups)
        os.setgid(gid)
        os.setuid(uid)
    return f


def try_connect(path, pre):
    """Connect to path in a child process run as pre() sets it: 0 or the errno."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            pre()
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
        except OSError as e:
            code = e.errno or 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def other_group():
    """A group other than our own to give the socket to: any (root), else one we are in."""
    if os.getuid() == 0:
        for g in grp.getgrall():
            if g.gr_gid not in (0, NOBODY):
                return g
    for gid in os.getgroups():
        if gid != os.getgid():
            return grp.getgrgid(gid)
    return None


def start_service(workdir, name, conf, stdin_closed=False):
    """vhostu-fwd --config conf, no terminal: setsid, stdin /dev/null (or closed)."""
    path = os.path.join(workdir, name + ".conf")
    with open(path, "w") as f:
        f.write(conf)
    argv = [Paths.fwd, "--config", path]
    if stdin_closed:
        argv = ["sh", "-c", 'exec "$0" "$@" <&-'] + argv
    return spawn(argv, os.path.join(workdir, name + ".log"))


def log_text(workdir, name):
    with open(os.path.join(workdir, name + ".log"), errors="replace") as f:
        return f.read()


def accepts(path):
    try:
        connect(path).close()
        return True
    except OSError:
        return False


def wait_socket(proc, path, workdir, name):
    """Until the switch accepts on path (a stale file there does not count)."""
    if not deadline_wait(lambda: accepts(path) or proc.poll() is not None, 20):
        raise Failure("%s: no socket %s" % (name, path))
    if proc.poll() is not None:
        raise Failure("%s exited (%s):\n%s" % (name, proc.returncode, log_text(workdir, name)))


def stop_service(proc, workdir, name):
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        raise Failure("%s: still running 15 s after SIGTERM" % name)
    forget(proc)
    if rc != 0:
        raise Failure("%s: exit status %s after SIGTERM:\n%s" % (name, rc,
                      log_text(workdir, name)[-2000:]))


def conf_text(name, sock, extra=""):
    return ("# test\neal-args = %s --file-prefix %s\ncli-socket = %s\n%s"
            % (" ".join(EAL), dpdk_prefix(name), sock, extra))


def check_socket(workdir):
    g = other_group()
    rundir = os.path.join(workdir, "run")
    os.chmod(workdir, 0o755)            # others may reach the socket, if its mode says so
    sock = os.path.join(rundir, "cli.sock")
    # a stale socket left by a dead switch: bound, never listened on, closed
    os.mkdir(rundir, 0o755)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(sock)
    stale.close()
    extra = "cli-socket-group = %s\n" % g.gr_name if g else ""
    p = start_service(workdir, "sock", conf_text("sock", sock, extra))
    wait_socket(p, sock, workdir, "sock")
    if ctl(sock, "show", "interface")[0] != 0:
        raise Failure("the switch that replaced a stale socket does not answer")
    st = os.stat(sock)
    if stat.S_IMODE(st.st_mode) != 0o660 or not stat.S_ISSOCK(st.st_mode):
        raise Failure("socket mode %o, want 0660" % st.st_mode)
    if g is not None:
        if st.st_gid != g.gr_gid:
            raise Failure("socket group %d, want %d (%s)" % (st.st_gid, g.gr_gid, g.gr_name))
        if os.getuid() == 0:
            e = try_connect(sock, as_user(NOBODY, g.gr_gid, []))
            if e != 0:
                raise Failure("a user of group %s cannot connect: errno %d" % (g.gr_name, e))
            e = try_connect(sock, as_user(NOBODY, NOBODY, []))
            if e != 13:
                raise Failure("a user of neither owner nor group connects (errno %d)" % e)
            # vhostu-ctl says why (a copy others may run)
            bindir = os.path.join(workdir, "bin")
            os.mkdir(bindir, 0o755)
            shutil.copy(Paths.ctl, bindir)
            saved, Paths.ctl = Paths.ctl, os.path.join(bindir, os.path.basename(Paths.ctl))
            try:
                rc, out, err = ctl(sock, "show", "interface",
                                   user=as_user(NOBODY, NOBODY, []))
            finally:
                Paths.ctl = saved
            if rc != 2 or "permission denied" not in err:
                raise Failure("vhostu-ctl as another user: %d %r" % (rc, err))
            log("  ok: socket 0660, group %s: its users connect, others are refused "
                "(vhostu-ctl: permission denied)" % g.gr_name)
    if stat.S_IMODE(os.stat(rundir).st_mode) != 0o755:
        raise Failure("socket directory mode %o" % os.stat(rundir).st_mode)
    # a missing directory is made 0755
    sock2 = os.path.join(workdir, "made", "cli.sock")
    p2 = start_service(workdir, "made", conf_text("made", sock2))
    wait_socket(p2, sock2, workdir, "made")
    if stat.S_IMODE(os.stat(os.path.dirname(sock2)).st_mode) != 0o755:
        raise Failure("made directory mode %o" % os.stat(os.path.dirname(sock2)).st_mode)
    stop_service(p2, workdir, "made")
    # a live socket: the second switch refuses it and exits 1; the first goes on
    p3 = start_service(workdir, "live", conf_text("live", sock))
    try:
        rc = p3.wait(timeout=30)
    except subprocess.TimeoutExpired:
        raise Failure("a second switch on a live socket did not exit")
    forget(p3)
    if rc != 1 or "listens on it" not in log_text(workdir, "live"):
        raise Failure("a second switch on a live socket: exit %s\n%s"
                      % (rc, log_text(workdir, "live")[-1500:]))
    if not os.path.exists(sock) or ctl(sock, "show", "interface")[0] != 0:
        raise Failure("the first switch lost its socket to the second")
    stop_service(p, workdir, "sock")
    if os.path.exists(sock):
        raise Failure("socket left after SIGTERM")
    rc, out, err = ctl(sock, "show", "interface")
    if rc != 2 or "no such socket" not in err:
        raise Failure("vhostu-ctl without a switch: %d %r" % (rc, err))
    log("  ok: stale socket replaced, live one refused (exit 1), directory made 0755; "
        "no socket: vhostu-ctl says so (exit 2)")


# --- service ---

def thread_cpu(pid):
    with open("/proc/%d/task/%d/stat" % (pid, pid)) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def check_service_once(workdir, name, stdin_closed):
    sock = os.path.join(workdir, name + "-cli.sock")
    cli = os.path.join(workdir, name + "-startup.cli")
    with open(cli, "w") as f:
        f.write("create vhost-user socket %s/%s-v0.sock server\n"
                "set interface state VirtualEthernet0/0/0 up\n" % (workdir, name))
    p = start_service(workdir, name, conf_text(
        name, sock, "cmdline-file = %s\ncoalesce-frames = 64\ncoalesce-time = 2e-3\n" % cli),
        stdin_closed)
    wait_socket(p, sock, workdir, name)
    rc, out, err = ctl(sock, "show", "vhost-user")
    if rc != 0 or "coalesce frames 64 time 2e-3" not in out:
        raise Failure("%s: show vhost-user: %d\n%s%s" % (name, rc, out, err))
    rc, out, err = ctl(sock, "show", "interface")
    if rc != 0 or not re.search(r"^VirtualEthernet0/0/0 +1 +up", out, re.M):
        raise Failure("%s: the command file did not run: %s%s" % (name, out, err))
    # the main thread sleeps: stdin at its end must not make it spin
    c0, t0 = thread_cpu(p.pid), time.monotonic()
    time.sleep(2.0)     # the measurement window, not a synchronisation
    share = (thread_cpu(p.pid) - c0) / (time.monotonic() - t0)
    if share > 0.2:
        raise Failure("%s: the main thread uses %.0f%% of a core" % (name, 100 * share))
    stop_service(p, workdir, name)
    if os.path.exists(sock):
        raise Failure("%s: the command socket is left after SIGTERM" % name)
    if os.path.exists("/proc/%d" % p.pid):
        raise Failure("%s: the process is still there" % name)
    return share


def check_service(workdir):
    a = check_service_once(workdir, "svc", False)
    b = check_service_once(workdir, "svc-closed", True)
    log("  ok: vhostu-fwd --config, no terminal (stdin /dev/null, then closed): command "
        "file, coalescing, reachable; main thread %.0f%% / %.0f%%; SIGTERM: exit 0, no "
        "socket, no process" % (100 * a, 100 * b))
    # a bad settings file: FILE:LINE, exit 1
    bad = os.path.join(workdir, "bad.conf")
    with open(bad, "w") as f:
        f.write("cli-socket = %s/bad.sock\ncoalesce-time = 5\n" % workdir)
    p = subprocess.run([Paths.fwd, "--config", bad], capture_output=True, text=True,
                       timeout=30)
    if p.returncode != 1 or "%s:2: expected seconds" % bad not in p.stderr:
        raise Failure("bad settings file: %d %r" % (p.returncode, p.stderr))
    log("  ok: a bad settings file: FILE:LINE and exit 1")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("fwd")
    ap.add_argument("ctl")
    ap.add_argument("-k", default="", help="run only checks whose name contains this")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    Paths.fwd, Paths.ctl = os.path.abspath(args.fwd), os.path.abspath(args.ctl)
    checks = [("forms", check_forms), ("terminal", check_terminal),
              ("clients", check_clients), ("socket", check_socket),
              ("service", check_service)]
    with work_dir("ctl", args.keep) as workdir:
        for name, fn in checks:
            if args.k in name:
                log(name)
                fn(workdir)


if __name__ == "__main__":
    main_wrapper(main)
