#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""An operator's tools on a running vhostu-fwd: DPDK telemetry and packet capture.

vhostu-fwd (one worker, shared EAL config: no --no-shconf) with two server
interfaces cross-connected, a virtio-user peer (dpdk-testpmd, io forwarding)
on each, frames looping through the switch:
  - telemetry, over the v2 socket of its --file-prefix, both with DPDK's
    dpdk-telemetry.py and with a plain SOCK_SEQPACKET client:
    /vhostu/interfaces lists the interfaces `show interface` lists;
    /vhostu/interface,NAME has, with the traffic stopped, the counters of
    `show interface` and the socket, features, placement and vrings of
    `show vhost-user`, value for value; an unknown name answers null;
    /ethdev/xstats still serves the PMD's xstats;
  - capture: dpdk-dumpcap --file-prefix P -i net_vhostu_if0 -c 20 -w FILE
    (a secondary process with our PMD loaded) captures while the frames
    loop; the pcapng file holds 20 packets (at most a burst more: dumpcap
    checks its count per burst) that are testpmd's UDP frames from one of
    the two peers, and vhostu-fwd forwards on after dumpcap left.
Capture needs memory the secondary can map: vhostu-fwd runs on hugepages
when some are free (scripts/setup.sh reserves them), else the capture part
is skipped, loudly.

Usage: test_ops.py [--keep]
(VHOSTU_BUILD = build dir; PYTHONPATH=test/lib; meson test sets both)
"""

import argparse
import glob
import json
import os
import re
import socket
import struct
import subprocess
import sys

sys.dont_write_bytecode = True    # no __pycache__ in the source tree
from vhostu_frontend import (Failure, virtio_user, work_dir, log, main_wrapper,  # noqa: E402
                             deadline_wait, build_dir, pmd_env)
from vhostu_procs import VhostuFwdShell, die_with_parent, dpdk_prefix, runtime_dir  # noqa: E402

IFS = ("VirtualEthernet0/0/0", "VirtualEthernet0/0/1")
MACS = ("02:00:00:00:00:0a", "02:00:00:00:00:0b")
CAPTURE_N = 20
HUGE_MB = 128


# --- telemetry ---

class Telemetry:
    """A client of DPDK's telemetry socket v2 (one JSON reply per command)."""

    def __init__(self, prefix):
        self.path = os.path.join(runtime_dir(prefix), "dpdk_telemetry.v2")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.settimeout(10)
        self.sock.connect(self.path)
        self.info = json.loads(self.sock.recv(1024).decode())
        self.max_len = self.info["max_output_len"]

    def get(self, cmd):
        self.sock.send(cmd.encode())
        reply = json.loads(self.sock.recv(self.max_len).decode())
        key = cmd.split(",", 1)[0]
        if key not in reply:
            raise Failure("telemetry %s: reply without %s: %s" % (cmd, key, reply))
        return reply[key]

    def close(self):
        self.sock.close()


def telemetry_py(prefix, cmds):
    """dpdk-telemetry.py -f prefix with cmds on stdin: its JSON replies, in order."""
    tool = "dpdk-telemetry.py"
    p = subprocess.run([tool, "-f", prefix], input="\n".join(cmds) + "\n", timeout=30,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       preexec_fn=die_with_parent)
    if p.returncode != 0:
        raise Failure("%s -f %s: exit status %d:\n%s" % (tool, prefix, p.returncode, p.stdout))
    dec, text, out = json.JSONDecoder(), p.stdout, []
    i = 0
    while i < len(text):
        j = text.find("{", i)
        if j < 0:
            break
        obj, i = dec.raw_decode(text, j)
        out.append(obj)
    return out


# --- what the shell shows ---

def show_interface(fwd):
    """show interface: {name: {counter: value}} (zero counters are not shown)."""
    rows, cur = {}, None
    for ln in fwd.cmd("show interface").splitlines()[1:]:
        m = re.match(r"^(\S+)\s+(\d+)\s+(up|down)\s*(.*)$", ln)
        if m:
            cur = rows.setdefault(m.group(1), {"admin_state": m.group(3)})
            rest = m.group(4)
        elif cur is not None:
            rest = ln.strip()
        for name, v in re.findall(r"([a-z][a-z -]*?)\s+(\d+)\s*$", rest):
            cur[name.strip().replace(" ", "_").replace("-", "_")] = int(v)
    return rows


def show_vhost(fwd, name):
    """The fields of show vhost-user NAME that the telemetry dict has too."""
    out = fwd.cmd("show vhost-user %s" % name)
    g = {}
    m = re.search(r"^ features \(0x([0-9a-f]+)\):", out, re.M)
    g["features"] = int(m.group(1), 16)
    m = re.search(r"^  protocol features \(0x([0-9a-f]+)\)", out, re.M)
    g["protocol_features"] = int(m.group(1), 16)
    g["virtio_net_hdr_sz"] = int(re.search(r"^virtio_net_hdr_sz (\d+)", out, re.M).group(1))
    m = re.search(r'^ socket filename (\S+) type (\w+) errno "([^"]*)"', out, re.M)
    g["socket"], g["role"], g["errno"] = m.group(1), m.group(2), m.group(3)
    rx = out[out.index("rx placement:"):out.index(" tx placement:")]
    g["rx_placement"] = [(int(t), int(v)) for t, v in
                         re.findall(r"thread (\d+) on vring (\d+)", rx)]
    g["tx_placement"] = re.search(r" tx placement: (\S+)", out).group(1)
    g["regions"] = int(re.search(r"Memory regions \(total (\d+)\)", out).group(1))
    vr = re.findall(r"qsz (\d+) last_avail_idx (\d+) last_used_idx (\d+)\n"
                    r"  avail.flags (\w+) avail.idx (\d+) used.flags (\w+) used.idx (\d+)\n"
                    r"  kickfd (-?\d+) callfd (-?\d+) errfd (-?\d+)", out)
    g["vrings"] = [(int(q), int(la), int(lu), int(af, 16), int(ai), int(uf, 16), int(ui),
                    int(k), int(c), int(e)) for q, la, lu, af, ai, uf, ui, k, c, e in vr]
    return g


def tel_vrings(d):
    f = ["qsz", "last_avail_idx", "last_used_idx", "avail_flags", "avail_idx",
         "used_flags", "used_idx", "kickfd", "callfd", "errfd"]
    return [tuple(d["vring_" + k][q] for k in f) for q in range(d["vrings"])]


def compare(what, got, want):
    if got != want:
        raise Failure("%s: telemetry says %r, the shell %r" % (what, got, want))


def quiet_counters(fwd):
    """show interface once two readings agree (the peers stopped sending)."""
    last = [None]

    def same():
        now = show_interface(fwd)
        ok = now == last[0]
        last[0] = now
        return ok
    if not deadline_wait(same, 15.0, 0.3):
        raise Failure("counters still move after the peers stopped: %s" % last[0])
    return last[0]


def check_telemetry(fwd, prefix, peers):
    log("scenario: telemetry endpoints")
    replies = telemetry_py(prefix, ["/vhostu/interfaces", "/vhostu/interface,%s" % IFS[0]])
    if len(replies) != 2 or replies[0].get("/vhostu/interfaces") != list(IFS):
        raise Failure("dpdk-telemetry.py: /vhostu/interfaces: %s" % replies)
    if replies[1].get("/vhostu/interface", {}).get("name") != IFS[0]:
        raise Failure("dpdk-telemetry.py: /vhostu/interface,%s: %s" % (IFS[0], replies[1]))
    log("  ok: dpdk-telemetry.py reads /vhostu/interfaces and /vhostu/interface")
    for p in peers:
        p.cmd("stop")
    shown = quiet_counters(fwd)
    tel = Telemetry(prefix)
    try:
        compare("/vhostu/interfaces", tel.get("/vhostu/interfaces"), sorted(shown))
        for name in IFS:
            check_one(fwd, tel, name, shown[name])
        if tel.get("/vhostu/interface,VirtualEthernet0/0/9") is not None:
            raise Failure("an unknown interface must answer null")
        xs = tel.get("/ethdev/xstats,0")
        if not isinstance(xs, dict) or "rx_q0_packets" not in xs:
            raise Failure("/ethdev/xstats,0 has no rx_q0_packets: %s" % xs)
    finally:
        tel.close()
    log("  ok: telemetry values match show interface and show vhost-user")


def check_one(fwd, tel, name, row):
    d = tel.get("/vhostu/interface,%s" % name)
    if not isinstance(d, dict):
        raise Failure("/vhostu/interface,%s: %r" % (name, d))
    log("    %s: rx %d tx %d packets, features 0x%x, %d vrings" %
        (name, d["rx_packets"], d["tx_packets"], d["features"], d["vrings"]))
    for k in ("rx_packets", "rx_bytes", "tx_packets", "tx_bytes", "drops", "rx_miss",
              "tx_error"):
        compare("%s %s" % (name, k), d[k], row.get(k, 0))
    compare("%s admin_state" % name, d["admin_state"], row["admin_state"])
    if d["rx_packets"] == 0 or d["tx_packets"] == 0:
        raise Failure("%s: no traffic counted: %s" % (name, d))
    sv = show_vhost(fwd, name)
    for k in ("features", "protocol_features", "virtio_net_hdr_sz", "socket", "role",
              "errno", "tx_placement", "regions"):
        compare("%s %s" % (name, k), d[k], sv[k])
    compare("%s rx placement" % name,
            list(zip(d["rx_placement_thread"], d["rx_placement_vring"])), sv["rx_placement"])
    compare("%s vrings" % name, tel_vrings(d), sv["vrings"])
    compare("%s l2" % name, (d["l2"], d.get("xconnect")),
            ("xconnect", IFS[1] if name == IFS[0] else IFS[0]))


# --- capture ---

def pcapng_packets(path):
    """The frames (captured bytes, original length) of a pcapng file's EPBs."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 12 or struct.unpack_from("<I", data, 0)[0] != 0x0A0D0D0A:
        raise Failure("%s is not a pcapng file (%d bytes)" % (path, len(data)))
    if struct.unpack_from("<I", data, 8)[0] != 0x1A2B3C4D:
        raise Failure("%s: not a little-endian section" % path)
    out, off = [], 0
    while off + 12 <= len(data):
        btype, blen = struct.unpack_from("<II", data, off)
        if blen < 12 or off + blen > len(data):
            raise Failure("%s: bad block at offset %d (type %#x, length %d)" %
                          (path, off, btype, blen))
        if btype == 6:      # Enhanced Packet Block
            caplen, origlen = struct.unpack_from("<II", data, off + 20)
            out.append((data[off + 28:off + 28 + caplen], origlen))
        off += blen
    return out


def check_frame(frame, origlen):
    """A frame testpmd's tx_first made (UDP 198.18.0.1:9 -> 198.18.0.2:9) from a peer."""
    macs = [bytes.fromhex(m.replace(":", "")) for m in MACS]
    if origlen != 64 or len(frame) != 64:
        raise Failure("captured frame of %d bytes (original %d), testpmd sends 64" %
                      (len(frame), origlen))
    if frame[6:12] not in macs:
        raise Failure("captured frame from %s, not from a peer %s" % (frame[6:12].hex(), MACS))
    want = {"ethertype": b"\x08\x00", "ip version/ihl": b"\x45", "protocol": b"\x11",
            "ip src": bytes([198, 18, 0, 1]), "ip dst": bytes([198, 18, 0, 2]),
            "udp ports": struct.pack(">HH", 9, 9)}
    got = {"ethertype": frame[12:14], "ip version/ihl": frame[14:15], "protocol": frame[23:24],
           "ip src": frame[26:30], "ip dst": frame[30:34], "udp ports": frame[34:38]}
    for k in want:
        if got[k] != want[k]:
            raise Failure("captured frame %s: %s, expected %s; frame %s" %
                          (k, got[k].hex(), want[k].hex(), frame.hex()))


def check_capture(fwd, prefix, workdir):
    log("scenario: dpdk-dumpcap -i net_vhostu_if0 -c %d" % CAPTURE_N)
    out = os.path.join(workdir, "cap.pcapng")
    argv = ["dpdk-dumpcap", "--file-prefix", prefix, "-i", "net_vhostu_if0",
            "-c", str(CAPTURE_N), "-w", out]
    env = dict(os.environ)
    env.update(pmd_env())
    p = subprocess.run(argv, env=env, timeout=60, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, preexec_fn=die_with_parent)
    if p.returncode != 0:
        raise Failure("%s: exit status %d:\n%s" % (" ".join(argv), p.returncode, p.stdout))
    pkts = pcapng_packets(out)
    log("    dumpcap said:\n      %s\n    %d packets in the file" %
        ("\n      ".join(p.stdout.strip().splitlines()[-4:]), len(pkts)))
    if not CAPTURE_N <= len(pkts) < CAPTURE_N + 32:
        raise Failure("%d packets in %s, asked for %d" % (len(pkts), out, CAPTURE_N))
    for frame, origlen in pkts:
        check_frame(frame, origlen)
    log("  ok: %d testpmd frames captured, bytes checked" % len(pkts))


def hugepages_free_mb():
    """Free 2 MB hugepages (in MB) on a mounted hugetlbfs, else 0."""
    with open("/proc/mounts") as f:
        if not any(ln.split()[2] == "hugetlbfs" for ln in f if len(ln.split()) > 2):
            return 0
    with open("/proc/meminfo") as f:
        mi = dict(ln.split(":", 1) for ln in f)
    return int(mi["HugePages_Free"].split()[0]) * int(mi["Hugepagesize"].split()[0]) // 1024


# --- the switch ---

def start_fwd(workdir, prefix, huge):
    app = os.path.join(build_dir(), "app", "vhostu-fwd")
    mem = ["-m", str(HUGE_MB)] if huge else ["--no-huge", "-m", "256"]
    argv = [app] + mem + ["--no-pci", "-l", "0,1", "--main-lcore", "0",
                          "--file-prefix=" + prefix, "--", "-i"]
    fwd = VhostuFwdShell("vhostu-fwd", argv, os.path.join(workdir, "vhostu-fwd.log"))
    fwd.wait_prompt()
    for i in range(2):
        name = fwd.create(os.path.join(workdir, "s%d.sock" % i))
        if name != IFS[i]:
            raise Failure("create vhost-user: %s, expected %s" % (name, IFS[i]))
    for a, b in ((0, 1), (1, 0)):
        fwd.ok("set interface l2 xconnect %s %s" % (IFS[a], IFS[b]))
    for name in IFS:
        fwd.ok("set interface state %s up" % name)
    return fwd


def start_peers(fwd, workdir):
    """A virtio-user peer on each interface; frames loop: vu1 forwards what
    vu0's tx_first sent back through the switch, vu0 forwards it again."""
    peers = []
    for i in range(2):
        peers.append(virtio_user("path=%s,mac=%s" % (os.path.join(workdir, "s%d.sock" % i),
                                                     MACS[i]),
                                 workdir, name="vu%d" % i))
    for p in peers:
        p.wait_link(0, True, 15.0)
    peers[1].cmd("start")
    peers[0].cmd("start tx_first 4")
    try:
        for p in peers:
            p.wait_traffic(0, timeout=15.0, min_delta=100)
    except Failure:
        log("show interface:\n" + fwd.cmd("show interface"))
        raise
    return peers


def remove_hugepage_files(prefix):
    """EAL leaves a primary's hugepage files (<prefix>map_N) behind: free them."""
    with open("/proc/mounts") as f:
        mounts = [ln.split()[1] for ln in f if len(ln.split()) > 2 and
                  ln.split()[2] == "hugetlbfs"]
    for m in mounts:
        for name in glob.glob(os.path.join(m, prefix + "map_*")):
            os.unlink(name)


def run(keep):
    huge = hugepages_free_mb() >= HUGE_MB + 32 and not os.environ.get("VHOSTU_OPS_NOHUGE")
    prefix = dpdk_prefix("ops")
    try:
        with work_dir("ops", keep) as workdir:
            run_fwd(workdir, prefix, huge)
    finally:
        remove_hugepage_files(prefix)


def run_fwd(workdir, prefix, huge):
    fwd = start_fwd(workdir, prefix, huge)
    peers = []
    try:
        peers = start_peers(fwd, workdir)
        if huge:
            check_capture(fwd, prefix, workdir)
            for p in peers:
                p.wait_traffic(0, timeout=15.0, min_delta=100)
            log("  ok: frames flow on after dumpcap left")
        else:
            log("SKIP capture: fewer than %d MB of free hugepages (run scripts/setup.sh): "
                "a --no-huge primary's memory cannot be mapped by dumpcap" % (HUGE_MB + 32))
        check_telemetry(fwd, prefix, peers)
    finally:
        for p in peers:
            p.quit()
        rc = fwd.quit(10)
    if rc != 0:
        raise Failure("vhostu-fwd exit status %s; output:\n%s" % (rc, fwd.tail(60)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", action="store_true", help="keep the work dir")
    args = ap.parse_args()
    run(args.keep)


if __name__ == "__main__":
    main_wrapper(main)
