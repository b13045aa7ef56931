#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The port limit (issue 16) of the DPDK this build uses: every interface is
an ethdev port, RTE_MAX_ETHPORTS of them in all (32 for Debian's DPDK).

vhostu-fwd -i, with no port but its own (--no-pci, no --vdev):
  - creates MAX server interfaces; the last one works: the scripted frontend
    connects and does the full handshake, the interface, up and xconnected
    to itself, echoes a frame;
  - the next create is refused with our message (the limit and how to raise
    it) and leaves nothing behind: no socket file, `show interface'
    unchanged, the same open fds;
  - delete one, create again: it works (the freed name comes back), and the
    create after it is refused again, just as cleanly.

Usage: test_port_limit.py VHOSTU_FWD MAX_PORTS [--keep]
(meson passes RTE_MAX_ETHPORTS as MAX_PORTS; PYTHONPATH=test/lib)
"""

import os
import sys

sys.dont_write_bytecode = True    # no __pycache__ in the source tree
from vhostu_frontend import (Failure, Frontend, handshake, log, main_wrapper,  # noqa: E402
                             stable_fds, work_dir)
from vhostu_procs import Switch  # noqa: E402

REFUSED = ("cannot create vhost-user interface on `%s': all %d DPDK ports are in use "
           "(RTE_MAX_ETHPORTS of the DPDK vhostu-fwd is built with); for more, build "
           "vhostu with scripts/setup.sh --max-ports N (doc/user-guide.md)")


def check_refused(sw, sock, max_ports, what):
    """The create after the last port: our message, and nothing changed."""
    shown = sw.cmd("show interface")
    fds = stable_fds(sw, gap=0.1)
    out = sw.cmd("create vhost-user socket %s server" % sock).strip()
    if out != REFUSED % (sock, max_ports):
        raise Failure("%s: create past the limit printed:\n%s\nexpected:\n%s"
                      % (what, out, REFUSED % (sock, max_ports)))
    if os.path.lexists(sock):
        raise Failure("%s: the refused create left %s" % (what, sock))
    if sw.cmd("show interface") != shown:
        raise Failure("%s: show interface changed after the refused create" % what)
    after = stable_fds(sw, gap=0.1)
    if after != fds:
        raise Failure("%s: %d fds before the refused create, %d after; new %s, gone %s"
                      % (what, len(fds), len(after),
                         {k: v for k, v in after.items() if fds.get(k) != v},
                         {k: v for k, v in fds.items() if k not in after}))
    log("  ok: %s: refused with our message, no socket, same table, %d fds"
        % (what, len(after)))


def check_works(sw, name, sock, what):
    """A frontend connects to name's socket; up and xconnected to itself, it echoes."""
    sw.ok("set interface state %s up" % name)
    sw.ok("set interface l2 xconnect %s %s" % (name, name))
    fe = Frontend.connect(sock, timeout=10.0)
    try:
        dev = handshake(fe, rx_fill=8)
        try:
            dev.echo(timeout=10.0)
        finally:
            dev.close()
            dev.mem.close()
    finally:
        fe.close()
    log("  ok: %s: %s (%s) echoes a frame" % (what, name, sock))


def main():
    if len(sys.argv) < 3:
        raise Failure("usage: test_port_limit.py VHOSTU_FWD MAX_PORTS [--keep]")
    app, max_ports = sys.argv[1], int(sys.argv[2])
    with work_dir("limit", "--keep" in sys.argv[3:]) as workdir:
        sw = Switch(app, workdir, "limit-fwd", eal=["--no-shconf"])
        socks = [os.path.join(workdir, "s%d.sock" % i) for i in range(max_ports + 1)]
        names = [sw.create(s) for s in socks[:max_ports]]
        if names != ["VirtualEthernet0/0/%d" % i for i in range(max_ports)]:
            raise Failure("names of the %d interfaces: %s" % (max_ports, names))
        log("vhostu-fwd pid %d: %d interfaces created" % (sw.pid, max_ports))
        check_works(sw, names[-1], socks[-2], "interface %d of %d" % (max_ports, max_ports))
        check_refused(sw, socks[-1], max_ports, "interface %d" % (max_ports + 1))

        freed = max_ports // 2
        sw.ok("delete vhost-user %s" % names[freed])
        name = sw.create(socks[-1])
        if name != names[freed]:
            raise Failure("create after delete: %s, expected the freed %s" % (name, names[freed]))
        check_works(sw, name, socks[-1], "created again at the limit")
        again = os.path.join(workdir, "again.sock")
        check_refused(sw, again, max_ports, "past the limit again")
        rc = sw.quit(20.0)
        if rc != 0:
            raise Failure("vhostu-fwd exit status %s; %s" % (rc, sw.describe()))


if __name__ == "__main__":
    main_wrapper(main)
