#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""vhostu_procs.spawn()'s children do not outlive the test that started them.

A holder process (this file with --hold) imports vhostu_procs, spawns
`sleep 300` through spawn() (its own session, as testpmd and vhostu-fwd
are) and prints its pid. Then:
  - SIGTERM to the holder (what meson sends first on a timeout): the holder
    kills what it started and exits 128 + 15; the sleep is gone;
  - SIGKILL to the holder (what meson sends half a second later): nothing
    of the holder runs, the kernel kills the sleep (PR_SET_PDEATHSIG).
Each bounded: the sleep must be gone within 5 s.

Usage: test_procs.py (PYTHONPATH=test/lib)
"""

import os
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True    # no __pycache__ in the source tree
from vhostu_procs import Failure, deadline_wait  # noqa: E402


def hold():
    import tempfile
    import vhostu_procs
    log = os.path.join(tempfile.gettempdir(), "vhostu-test-procs-%d.log" % os.getpid())
    p = vhostu_procs.spawn(["sleep", "300"], log)
    os.unlink(log)
    print(p.pid, flush=True)
    while True:
        time.sleep(1)


def gone(pid):
    """pid has exited (and been reaped, or is a zombie of someone else's)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def case(sig):
    holder = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--hold"],
                              stdout=subprocess.PIPE, text=True)
    child = None
    try:
        child = int(holder.stdout.readline())
        if gone(child):
            raise Failure("the sleep the holder spawned is not running")
        holder.send_signal(sig)
        rc = holder.wait(timeout=10)
        if not deadline_wait(lambda: gone(child), 5.0, 0.05):
            raise Failure("holder killed by %s (exit status %s): its child %d still runs"
                          % (signal.Signals(sig).name, rc, child))
        print("ok: %s to the holder (exit status %s): its child %d is gone"
              % (signal.Signals(sig).name, rc, child), flush=True)
    finally:
        holder.kill()
        holder.wait()
        if child is not None and not gone(child):
            os.kill(child, signal.SIGKILL)


def main():
    if sys.argv[1:] == ["--hold"]:
        hold()
    try:
        case(signal.SIGTERM)
        case(signal.SIGKILL)
    except Failure as e:
        print("FAIL: %s" % e, flush=True)
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
