#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""`meson install` into a DESTDIR: the files an operator and another DPDK
application need are there, and the installed pkg-config file works.

  - DESTDIR=<tmp> meson install -C $VHOSTU_BUILD --no-rebuild;
  - present: bin/vhostu-fwd (and bin/vhostu-ctl when the build has it), the
    PMD's shared library, rte_pmd_vhostu.h, rte_net_vhostu.pc, the man pages
    vhostu-fwd.1 and vhostu-ctl.1, sysconfdir/vhostu/default.cli, and the
    systemd unit and vhostu.conf when the source tree has them;
  - pkg-config --cflags --libs rte_net_vhostu, with the .pc's prefix moved
    into the DESTDIR, builds test/install/probe_installed.c, which, run with
    --vdev net_vhostu0,iface=...,server=1, finds a net_vhostu port listening
    on that socket.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get("VHOSTU_SRC") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("VHOSTU_BUILD") or os.path.join(SRC, "build")


class Failure(Exception):
    pass


def run(argv, env=None, timeout=120):
    p = subprocess.run(argv, env=env, timeout=timeout, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    out = p.stdout.decode("utf-8", "replace")
    if p.returncode != 0:
        raise Failure("%s: exit status %d:\n%s" % (" ".join(argv), p.returncode, out[-3000:]))
    return out


def introspect(what):
    return json.loads(run(["meson", "introspect", "--" + what, BUILD]))


def options():
    return {o["name"]: o["value"] for o in introspect("buildoptions")}


def has_target(name):
    return any(t["name"] == name for t in introspect("targets"))


def expected(opt):
    """The files (absolute install paths) that must be installed."""
    prefix, libdir = opt["prefix"], opt["libdir"]

    def under(d, *rest):
        return os.path.join(d if os.path.isabs(d) else os.path.join(prefix, d), *rest)
    want = [under(opt["bindir"], "vhostu-fwd"),
            under(libdir, "librte_net_vhostu.so"),
            under(opt["includedir"], "rte_pmd_vhostu.h"),
            under(libdir, "pkgconfig", "rte_net_vhostu.pc"),
            under(opt["mandir"], "man1", "vhostu-fwd.1"),
            under(opt["mandir"], "man1", "vhostu-ctl.1"),
            under(opt["sysconfdir"], "vhostu", "default.cli")]
    if has_target("vhostu-ctl"):
        want.append(under(opt["bindir"], "vhostu-ctl"))
    if os.path.exists(os.path.join(SRC, "config", "vhostu.conf")):
        want.append(under(opt["sysconfdir"], "vhostu", "vhostu.conf"))
    if os.path.exists(os.path.join(SRC, "config", "vhostu-fwd.service")):
        unit_dir = opt.get("systemd_unit_dir") or os.path.join(prefix, "lib", "systemd",
                                                                "system")
        want.append(os.path.join(unit_dir, "vhostu-fwd.service"))
    return want


def check_files(dest, want):
    missing = [p for p in want if not os.path.exists(dest + p)]
    if missing:
        raise Failure("not installed: %s" % ", ".join(missing))
    for p in want:
        print("  installed: %s" % p)


def sanitizer_flags():
    s = os.environ.get("VHOSTU_B_SANITIZE", "none")
    return [] if s in ("", "none") else ["-fsanitize=" + s]


def build_probe(dest, opt, work):
    """probe_installed.c against the DESTDIR's rte_net_vhostu.pc."""
    prefix, libdir = opt["prefix"], opt["libdir"]
    pc = os.path.join(dest + prefix, libdir, "pkgconfig", "rte_net_vhostu.pc")
    # the installed file, with its prefix moved into the DESTDIR (libdpdk's stays)
    pcdir = os.path.join(work, "pkgconfig")
    os.makedirs(pcdir)
    with open(pc) as f:
        text = f.read()
    if ("prefix=%s\n" % prefix) not in text:
        raise Failure("%s has no prefix=%s line:\n%s" % (pc, prefix, text))
    with open(os.path.join(pcdir, "rte_net_vhostu.pc"), "w") as f:
        f.write(text.replace("prefix=%s\n" % prefix, "prefix=%s\n" % (dest + prefix), 1))
    env = dict(os.environ, PKG_CONFIG_PATH=pcdir)
    flags = run(["pkg-config", "--cflags", "--libs", "rte_net_vhostu"], env=env).split()
    print("  pkg-config --cflags --libs rte_net_vhostu: %s" % " ".join(flags))
    if not any(f.startswith("-I" + dest) for f in flags) or "-lrte_net_vhostu" not in flags:
        raise Failure("pkg-config flags do not point into the DESTDIR: %s" % flags)
    exe = os.path.join(work, "probe_installed")
    run(["cc", "-o", exe, os.path.join(SRC, "test", "install", "probe_installed.c")] +
        sanitizer_flags() + flags)
    return exe


def run_probe(exe, dest, opt, work):
    sock = os.path.join(work, "probe.sock")
    prefix = "inst-%d" % os.getpid()
    env = dict(os.environ, LD_LIBRARY_PATH=os.path.join(dest + opt["prefix"], opt["libdir"]))
    if sanitizer_flags():
        env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=1"
    try:
        out = run([exe, "--no-huge", "-m", "64", "--no-pci", "--no-shconf", "-l", "0",
                   "--log-level=*:warning", "--file-prefix=" + prefix,
                   "--vdev", "net_vhostu0,iface=%s,server=1" % sock], env=env, timeout=60)
    finally:
        shutil.rmtree(os.path.join("/var/run/dpdk" if os.getuid() == 0 else
                                   os.environ.get("XDG_RUNTIME_DIR", "/tmp") + "/dpdk",
                                   prefix), ignore_errors=True)
    print("  probe_installed: %s" % out.strip())
    if ("net_vhostu server socket %s" % sock) not in out:
        raise Failure("probe_installed did not create the port on %s:\n%s" % (sock, out))


def main():
    work = tempfile.mkdtemp(prefix="vhostu-install-")
    ok = False
    try:
        dest = os.path.join(work, "dest")
        opt = options()
        run(["meson", "install", "-C", BUILD, "--no-rebuild", "--quiet"],
            env=dict(os.environ, DESTDIR=dest), timeout=300)
        check_files(dest, expected(opt))
        exe = build_probe(dest, opt, work)
        run_probe(exe, dest, opt, work)
        ok = True
    except (Failure, subprocess.TimeoutExpired) as e:
        print("FAIL: %s" % e)
    finally:
        if ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("work dir kept: %s" % work)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
