#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""testpmd's csum forward engine through net_vhostu, checksums offloaded both ways.

Three dpdk-testpmd processes:
  backend  our PMD (LD_PRELOAD), ports 0 and 1 (net_vhostu servers), the csum
           engine between them (`set fwd csum`, paired), `csum set ip|tcp|udp
           hw` on both ports (stopped for it), `set verbose 1`: it prints the
           rx flags of each frame and the tx flags it sets;
  sender   DPDK's virtio-user on backend port 0, and a net_pcap port that reads
           the test frames from a pcap file written here (testpmd's txonly can
           make UDP only; there is no kernel netdev to inject into);
  receiver virtio-user on backend port 1, io forwarding into a net_pcap port
           that writes what arrives to a pcap file, byte for byte.

What DPDK 22.11's virtio-user does (its ethdev, drivers/net/virtio): it
negotiates VIRTIO_NET_F_CSUM when the application enables the TCP/UDP
checksum tx offloads and GUEST_CSUM for the rx ones (HOST/GUEST_TSO4+6 for
TSO and LRO); it has no IPv4 header checksum offload either way. On tx a
TX_TCP/UDP_CKSUM frame becomes a NEEDS_CSUM header (its tx_prepare writes the
pseudo-header sum); on rx a NEEDS_CSUM frame gets RTE_MBUF_F_RX_L4_CKSUM_NONE
and its checksum field is left as it came (the pseudo-header sum); without a
header flag it never checks a checksum (RX_L4_CKSUM_UNKNOWN).

Frames: TCP and UDP over IPv4 and IPv6 with wrong checksums (and a wrong IPv4
header checksum), a UDP/IPv4 frame with checksum 0 (no checksum: left alone),
each of its own length, which names it in the logs.

Scenarios (the backend stays, the peers are started for each):
  1. sender in the csum engine with `csum set tcp|udp hw` on virtio-user: its
     frames reach the backend with NEEDS_CSUM, the backend prints
     RX_L4_CKSUM_NONE for them (net_vhostu's header -> mbuf flags); the
     receiver has no GUEST_CSUM: every checksum it captures is right in full
     (net_vhostu's TX_*_CKSUM -> software checksum);
  2. the same, the receiver with the rx checksum offloads (GUEST_CSUM): it
     prints RX_L4_CKSUM_NONE for them and captures the pseudo-header sums
     (TX_*_CKSUM -> NEEDS_CSUM header), the IPv4 header checksum right;
  3. the sender in io forwarding: the frames reach the backend as they are,
     without a header (RX_L4_CKSUM_UNKNOWN), checksums wrong; the csum engine
     flags them TX_*_CKSUM and calls rte_eth_tx_prepare (testpmd leaves the
     pseudo-header sum to it): the receiver captures them all right in full;
  4. TSO: a large TCP frame from the sender's pcap file becomes a TSO frame
     (`tso set` on virtio-user), the backend receives it with RX_LRO and its
     MSS and sends it on with `tso set` to a receiver with LRO (GUEST_TSO4),
     which captures it whole (see scenario_tso).

Usage: test_csum_engine.py [--keep]
(VHOSTU_BUILD = build dir; PYTHONPATH=test/lib; meson test sets both)
"""

import argparse
import os
import re
import struct
import sys

sys.dont_write_bytecode = True    # no __pycache__ in the source tree
from vhostu_frontend import (Failure, backend, log, main_wrapper, work_dir,  # noqa: E402
                             deadline_wait)
import vhostu_frontend as V  # noqa: E402

IPPROTO_TCP = 6
IPPROTO_UDP = 17
BAD = 0xdead

# (name, IP version, L4 protocol, frame length, L4 checksum as sent: None = wrong)
FRAMES = [
    ("tcp4", 4, IPPROTO_TCP, 118, None),
    ("udp4", 4, IPPROTO_UDP, 131, None),
    ("tcp6", 6, IPPROTO_TCP, 247, None),
    ("udp6", 6, IPPROTO_UDP, 362, None),
    ("tcp4-big", 4, IPPROTO_TCP, 1414, None),
    ("udp6-big", 6, IPPROTO_UDP, 1475, None),
    ("udp4-nocsum", 4, IPPROTO_UDP, 99, 0),
]
BY_LEN = {f[3]: f for f in FRAMES}
BY_LEN[14 + 20 + 20 + 5 * 1448] = ("tso4", 4, IPPROTO_TCP, 14 + 20 + 20 + 5 * 1448, None)


# --- frames and checksums ---

def csum16(data):
    """The ones' complement sum of data (not complemented)."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def pseudo(ver, ip, proto, l4len):
    if ver == 4:
        return ip[12:20] + struct.pack("!BBH", 0, proto, l4len)
    return ip[8:40] + struct.pack("!IxxxB", l4len, proto)


def l4_offset(ver):
    return 14 + (20 if ver == 4 else 40)


def csum_field(proto):
    return 16 if proto == IPPROTO_TCP else 6


def make_frame(ver, proto, length, l4sum, tag):
    l4len = length - l4_offset(ver)
    payload = bytes((tag * 7 + i) & 0xff for i in range(l4len - (20 if proto == IPPROTO_TCP
                                                                  else 8)))
    if proto == IPPROTO_TCP:
        l4 = struct.pack("!HHIIBBHHH", 1000 + tag, 80, 1, 0, 5 << 4, 0x18, 512, 0, 0) + payload
    else:
        l4 = struct.pack("!HHHH", 1000 + tag, 4789 + 100, l4len, 0) + payload
    if ver == 4:
        ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + l4len, tag, 0, 64, proto, 0,
                                   bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])))
        struct.pack_into("!H", ip, 10, BAD)           # a wrong header checksum
        etype = 0x0800
    else:
        ip = bytearray(struct.pack("!IHBB16s16s", 6 << 28, l4len, proto, 64,
                                   b"\xfd" + b"\0" * 14 + b"\x01",
                                   b"\xfd" + b"\0" * 14 + b"\x02"))
        etype = 0x86dd
    l4 = bytearray(l4)
    off = csum_field(proto)
    struct.pack_into("!H", l4, off, BAD if l4sum is None else l4sum)
    eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + struct.pack("!H", etype)
    frame = eth + bytes(ip) + bytes(l4)
    assert len(frame) == length
    return frame


def check_frame(frame, want):
    """The captured frame against what it must be: `full` checksums or the
    `pseudo`-header sums a NEEDS_CSUM receiver fills in. Returns an error or None."""
    name, ver, proto, length, l4sum = BY_LEN[len(frame)]
    l3 = frame[14:l4_offset(ver)]
    l4 = frame[l4_offset(ver):]
    if ver == 4 and csum16(l3) != 0xffff:
        return "%s: IPv4 header checksum 0x%04x is wrong" % (name, struct.unpack("!H",
                                                                                 l3[10:12])[0])
    got = struct.unpack("!H", l4[csum_field(proto):csum_field(proto) + 2])[0]
    if l4sum == 0:
        return None if got == 0 else "%s: UDP checksum 0 (none) became 0x%04x" % (name, got)
    ph = pseudo(ver, l3, proto, len(l4))
    if want == "full":
        if csum16(ph + l4) != 0xffff:
            return "%s: %s checksum 0x%04x is wrong" % (
                name, "TCP" if proto == IPPROTO_TCP else "UDP", got)
    else:
        if got != csum16(ph):
            return "%s: checksum field 0x%04x, not the pseudo-header sum 0x%04x" % (
                name, got, csum16(ph))
    return None


# --- pcap files ---

def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for fr in frames:
            f.write(struct.pack("<IIII", 0, 0, len(fr), len(fr)) + fr)


def read_pcap(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return []
    out, off = [], 24
    while off + 16 <= len(data):
        caplen = struct.unpack_from("<IIII", data, off)[2]
        if off + 16 + caplen > len(data):
            break       # a record being written
        out.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return out


# --- processes ---

def peer(workdir, name, sock, pcap_args, fwd):
    """testpmd with virtio-user on sock and a net_pcap port (rx_pcap=FILE: it
    reads FILE once and drops what it is sent; tx_pcap=FILE: it writes what
    it is sent to FILE, flushed each burst, and receives nothing); returns
    (testpmd, virtio-user port id, pcap port id). Forwarding not started."""
    eal = ["--vdev", "net_virtio_user0,path=%s" % sock, "--vdev", "net_pcap0," + pcap_args]
    # --no-flush-rx: `start` would first read and drop what the pcap port has
    t = V.Testpmd(name, eal, ["--forward-mode=%s" % fwd, "--port-topology=paired",
                              "--no-flush-rx"],
                  os.path.join(workdir, name + ".log"), main_lcore=1)
    t.wait_prompt()
    out = t.cmd("show port info all")
    ids = {drv: int(pid) for pid, drv in
           re.findall(r"Infos for port (\d+)\s.*?Driver name: *(\S+)", out, re.S)}
    if "net_virtio_user" not in ids or "net_pcap" not in ids:
        raise Failure("%s: ports not found in:\n%s" % (name, out))
    return t, ids["net_virtio_user"], ids["net_pcap"]


def must(t, line, bad=("not supported", "Please stop", "Bad arguments", "Invalid", "Fail to")):
    """Run a testpmd command that must not refuse."""
    out = t.cmd(line)
    for b in bad:
        if b in out:
            raise Failure("%s: `%s` said:\n%s" % (t.name, line, out))
    return out


def offloads(t, port, rxtx):
    out = t.cmd("show port %d %s_offload configuration" % (port, rxtx))
    m = re.search(r"Port : (.*)", out)
    return m.group(1).split() if m else []


def verbose_blocks(text):
    """The csum engine's verbose lines: {pkt_len: (rx flags, tx flags, all lines)}."""
    res = {}
    for m in re.finditer(r"port=\d+, mbuf=\S+, pkt_len=(\d+), nb_segs=\d+:\n"
                         r"rx: [^\n]*flags=([^\n]*)\n(?:[^\n]*\n)*?tx: flags=([^\n]*)", text):
        res[int(m.group(1))] = (m.group(2).split(), m.group(3).split(), m.group(0))
    return res


def rx_dump_flags(text):
    """io forwarding's rx dump (`set verbose 1`): {length: ol_flags}."""
    return {int(m.group(1)): m.group(2).split() for m in
            re.finditer(r" - length=(\d+) [^\n]*\n\s+ol_flags: ([^\n]*)", text)}


def configure(t, line_fmts, port, want_rx=(), want_tx=()):
    """Stop t's ports, run each command (formatted with port), start them,
    check the port's offload configuration has want_rx / want_tx."""
    if not line_fmts:
        return
    must(t, "port stop all")
    for fmt in line_fmts:
        must(t, fmt % port)
    must(t, "port start all")
    for rxtx, want in (("rx", want_rx), ("tx", want_tx)):
        got = offloads(t, port, rxtx)
        if not set(want) <= set(got):
            raise Failure("%s: %s offloads %s, not %s" % (t.name, rxtx, got, " ".join(want)))


def start_peers(b, workdir, socks, n, in_pcap, sender_fwd, sender_cmds, receiver_cmds,
                want):
    """Receiver (io into a pcap file) on backend port 1, sender (from in_pcap)
    on port 0, configured, links up, receiver forwarding. Returns (sender,
    receiver, the receiver's output file)."""
    out_pcap = os.path.join(workdir, "out%d.pcap" % n)
    mark = b.size()
    rx, rx_vu, _ = peer(workdir, "receiver%d" % n, socks[1], "tx_pcap=" + out_pcap, "io")
    try:
        tx, tx_vu, _ = peer(workdir, "sender%d" % n, socks[0], "rx_pcap=" + in_pcap, sender_fwd)
    except Failure:
        rx.quit()
        raise
    try:
        configure(rx, receiver_cmds, rx_vu, want_rx=want.get("rx", ()))
        configure(tx, sender_cmds, tx_vu, want_tx=want.get("tx", ()))
        for t, vu in ((rx, rx_vu), (tx, tx_vu)):
            t.wait_link(vu, True, 20.0)
        for p in (0, 1):
            if not deadline_wait(lambda: b.link_up(p), 20.0, 0.1):
                raise Failure("backend port %d link not up:\n%s" % (p, b.text(mark)[-3000:]))
        rx.cmd("set verbose 1")
        must(rx, "start")
    except Failure:
        tx.quit()
        rx.quit()
        raise
    return tx, rx, out_pcap


def send_and_capture(b, tx, out_pcap, count):
    """Start the sender; wait for count frames in the receiver's file and the
    backend's csum engine lines of as many. Returns (frames, backend's text)."""
    bmark = b.size()
    must(tx, "start")
    res = {}

    def all_arrived():
        res["got"] = read_pcap(out_pcap)
        return len(res["got"]) >= count
    if not deadline_wait(all_arrived, 20.0, 0.1):
        raise Failure("receiver captured %d of %d frames; backend:\n%s\nsender:\n%s" %
                      (len(res["got"]), count, b.text(bmark)[-3000:],
                       tx.cmd("show port stats all")))
    if not deadline_wait(lambda: len(verbose_blocks(b.text(bmark))) >= count, 10.0, 0.1):
        raise Failure("backend printed no csum engine lines for every frame:\n%s" %
                      b.text(bmark)[-4000:])
    return res["got"], b.text(bmark)


def scenario(b, workdir, socks, n, what, sender_fwd, receiver_csum):
    log("scenario %d: %s" % (n, what))
    sender_cmds = ["csum set tcp hw %d", "csum set udp hw %d"] if sender_fwd == "csum" else []
    receiver_cmds = (["port config %d rx_offload tcp_cksum on",
                      "port config %d rx_offload udp_cksum on"] if receiver_csum else [])
    tx, rx, out_pcap = start_peers(b, workdir, socks, n, os.path.join(workdir, "in.pcap"),
                                   sender_fwd, sender_cmds, receiver_cmds,
                                   {"rx": ("TCP_CKSUM", "UDP_CKSUM") if receiver_csum else (),
                                    "tx": ("TCP_CKSUM", "UDP_CKSUM") if sender_cmds else ()})
    try:
        got, btext = send_and_capture(b, tx, out_pcap, len(FRAMES))
        check_results(n, btext, rx, got, sender_fwd, receiver_csum)
    finally:
        tx.quit()
        rx.quit()
    b.check_alive()
    log("  ok: scenario %d" % n)


# Scenario 4: one TCP/IPv4 frame of 5 MSS, made a TSO frame by the sender's csum engine.
TSO_MSS = 1448
TSO_LEN = 14 + 20 + 20 + 5 * TSO_MSS


def scenario_tso(b, workdir, socks, n):
    """TSO through testpmd: `tso set` on the sender's virtio-user (HOST_TSO4)
    turns a large TCP frame from its pcap file into a TSO frame; it reaches
    the backend with RX_LRO and its MSS (net_vhostu's gso header -> flags),
    `tso set` on backend port 1 sends it on as TSO (GUEST_TSO4, the
    receiver's LRO): the receiver captures it whole, flagged RX_LRO, its IPv4
    header checksum right and the pseudo-header sum of the whole frame in the
    TCP checksum field (rte_eth_tx_prepare's, as Linux keeps it)."""
    log("scenario %d: a TSO frame through the csum engine (tso set %d)" % (n, TSO_MSS))
    frame = make_frame(4, IPPROTO_TCP, TSO_LEN, None, 99)
    in_pcap = os.path.join(workdir, "tso.pcap")
    write_pcap(in_pcap, [frame])
    must(b, "stop")
    must(b, "port stop 1")
    must(b, "tso set %d 1" % TSO_MSS)
    must(b, "port start 1")
    must(b, "start")
    tx, rx, out_pcap = start_peers(
        b, workdir, socks, n, in_pcap, "csum", ["tso set %d %%d" % TSO_MSS,
                                                 "csum set tcp hw %d"],
        ["port config %d rx_offload tcp_cksum on", "port config %d rx_offload udp_cksum on",
         "port config %d rx_offload tcp_lro on"],
        {"rx": ("TCP_LRO",), "tx": ("TCP_TSO",)})
    try:
        got, btext = send_and_capture(b, tx, out_pcap, 1)
        errors = []
        rxf, txf, lines = verbose_blocks(btext).get(TSO_LEN, ([], [], ""))
        m = re.search(r"lro_segsz=(\d+)", lines)
        if "RTE_MBUF_F_RX_LRO" not in rxf or not m or int(m.group(1)) != TSO_MSS:
            errors.append("the backend received it with %s, lro_segsz %s (expected "
                          "RTE_MBUF_F_RX_LRO, %d):\n%s" % (rxf, m and m.group(1), TSO_MSS,
                                                           lines))
        if "RTE_MBUF_F_TX_TCP_SEG" not in txf:
            errors.append("the csum engine sent it with %s, no RTE_MBUF_F_TX_TCP_SEG" % txf)
        if len(got) != 1 or len(got[0]) != TSO_LEN:
            errors.append("captured %s bytes, sent one frame of %d" %
                          ([len(f) for f in got], TSO_LEN))
        else:
            if got[0][54:] != frame[54:]:
                errors.append("the captured payload differs from the one sent")
            e = check_frame(got[0], "pseudo")
            if e:
                errors.append("captured " + e)
        flags = rx_dump_flags(rx.text()).get(TSO_LEN, [])
        if "RTE_MBUF_F_RX_LRO" not in flags:
            errors.append("virtio-user received it with %s, no RTE_MBUF_F_RX_LRO" % flags)
        if errors:
            raise Failure("scenario %d:\n  %s" % (n, "\n  ".join(errors)))
        log("    backend rx %s lro_segsz %d, tx %s; captured whole, RX_LRO" %
            (" ".join(rxf), TSO_MSS, " ".join(txf)))
    finally:
        tx.quit()
        rx.quit()
    b.check_alive()
    log("  ok: scenario %d" % n)


def check_results(n, btext, rx, got, sender_fwd, receiver_csum):
    errors = []
    blocks = verbose_blocks(btext)
    for name, ver, proto, length, l4sum in FRAMES:
        rxf, txf, _ = blocks.get(length, ([], [], ""))
        l4_rx = [f for f in rxf if f.startswith("RTE_MBUF_F_RX_L4_CKSUM")]
        want_rx = ("RTE_MBUF_F_RX_L4_CKSUM_NONE" if sender_fwd == "csum" and l4sum is None
                   else "RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN")
        if l4_rx != [want_rx]:
            errors.append("%s: the backend received it with %s, expected %s" %
                          (name, l4_rx, want_rx))
        want_tx = "RTE_MBUF_F_TX_%s_CKSUM" % ("TCP" if proto == IPPROTO_TCP else "UDP")
        if l4sum is None and want_tx not in txf:
            errors.append("%s: the csum engine sent it with %s, no %s" % (name, txf, want_tx))
        log("    %-11s backend rx %s, tx %s" % (name, " ".join(l4_rx), " ".join(txf)))
    lens = sorted(len(f) for f in got)
    sent = sorted(f[3] for f in FRAMES)
    if lens != sent:
        errors.append("captured frames of lengths %s, sent %s" % (lens, sent))
    want = "pseudo" if receiver_csum else "full"
    for fr in got:
        if len(fr) in BY_LEN:
            e = check_frame(fr, want)
            if e:
                errors.append("captured " + e)
    if receiver_csum:
        flags = rx_dump_flags(rx.text())
        for name, ver, proto, length, l4sum in FRAMES:
            f = [x for x in flags.get(length, []) if x.startswith("RTE_MBUF_F_RX_L4_CKSUM")]
            want_f = "RTE_MBUF_F_RX_L4_CKSUM_%s" % ("NONE" if l4sum is None else "UNKNOWN")
            if f != [want_f]:
                errors.append("%s: virtio-user received it with %s, expected %s" %
                              (name, f, want_f))
    if errors:
        raise Failure("scenario %d:\n  %s" % (n, "\n  ".join(errors)))
    log("    %d frames captured, checksums %s" %
        (len(got), "pseudo-header sums (NEEDS_CSUM)" if receiver_csum else "right in full"))


def run(args):
    with work_dir("csum-engine", keep=args.keep) as workdir:
        socks = [os.path.join(workdir, "vhu%d.sock" % i) for i in (0, 1)]
        write_pcap(os.path.join(workdir, "in.pcap"),
                   [make_frame(v, p, ln, s, i) for i, (_, v, p, ln, s) in enumerate(FRAMES)])
        b = backend(["iface=%s,server=1" % s for s in socks], workdir, fwd="csum",
                    extra_app=["--port-topology=paired"], msg_debug=False)
        caps = b.cmd("show port 0 tx_offload capabilities")
        log("  net_vhostu tx offload capabilities: %s" %
            " ".join(re.findall(r"[A-Z0-9_]+_CKSUM|TCP_TSO", caps)))
        must(b, "stop")
        must(b, "port stop all")
        for p in (0, 1):
            for proto in ("ip", "tcp", "udp"):
                must(b, "csum set %s hw %d" % (proto, p))
        for p in (0, 1):
            out = b.cmd("csum show %d" % p)     # a stopped port's only
            if len(re.findall(r"(?m)^(IP|UDP|TCP) checksum offload is hw", out)) != 3:
                raise Failure("backend port %d: csum show:\n%s" % (p, out))
        must(b, "port start all")
        b.cmd("set verbose 1")
        must(b, "start")
        scenario(b, workdir, socks, 1, "NEEDS_CSUM from virtio-user, receiver without "
                 "GUEST_CSUM", "csum", False)
        scenario(b, workdir, socks, 2, "NEEDS_CSUM from virtio-user, receiver with "
                 "GUEST_CSUM", "csum", True)
        scenario(b, workdir, socks, 3, "wrong checksums without a header, csum engine "
                 "fills them (tx_prepare)", "io", False)
        scenario_tso(b, workdir, socks, 4)
        b.quit()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    main_wrapper(lambda: run(args))


if __name__ == "__main__":
    main()
