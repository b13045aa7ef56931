#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# CI (meson test `guest_vhostu_fwd`, suite `guest`): every guest scenario
# against vhostu-fwd. Two Linux guests (Debian kernel, busybox initramfs built
# now from the installed packages) under QEMU TCG, their vhost-user NICs on
# VirtualEthernet interfaces of vhostu-fwd, cross-connected both ways:
#
#   ping             vhostu server, QEMU client; the guests ping each other
#   ping-packed      the same over packed virtqueues (virtio-net-pci packed=on)
#   qemu-server      vhostu client, QEMU server=on,wait=off
#   big              MTU 9000, 8000-byte pings (mergeable buffers, chains)
#   flood            5000 back-to-back pings each way
#   mq               queues=2/mq=on, both pairs enabled, per-queue counters
#   idle-peer        one guest only answers
#   guest-reset      a QEMU SIGKILLed and started again on the same socket
#   backend-restart  vhostu-fwd stopped (SIGTERM) and started again while the
#                    QEMUs (servers) keep running; traffic resumes
#   tcp              a TCP bulk transfer (VHOSTU_GUEST_TCP_MB, default 8 MB,
#                    checked by digest) with the offloads negotiated; the rate
#                    is printed
#   tcp-no-offloads  the same with them masked off (feature-mask)
#   tcp-bridge       tcp through bridge domain 1
#   tcp-mixed        a guest with offloads to one without (the switch segments
#                    and checksums in software)
# and in each, `show vhost-user` for every QEMU interface (memory regions as
# QEMU sent them, socket type, every vring's state) and `show interface`.
#
# Usage: test-guest-vhostu-fwd.sh [path/to/vhostu-fwd] [scenario ...]
# Env: VHOSTU_BUILD (build dir: image and artifacts go under it),
#      VHOSTU_GUEST_BUDGET (s for the whole run, default 720),
#      VHOSTU_GUEST_SCENARIO_TIMEOUT (s per scenario, default 150).
# Bounded: each wait (60 s), each scenario, the whole run; kills everything it
# starts. On failure the guest consoles, QEMU logs and the switch's log stay in
# $VHOSTU_BUILD/test-artifacts/guest/vhostu-fwd-SCENARIO/ (paths printed).
# Exit 77 (skip) only when the machine cannot boot a guest at all (not root, no
# QEMU, no kernel): scripts/setup.sh installs what it needs.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# guest.py imports vhostu_procs from test/lib.
export PYTHONPATH="$here/../lib${PYTHONPATH:+:$PYTHONPATH}"
build=${VHOSTU_BUILD:-$(cd "$here/../.." && pwd)/build}
fwd=${1:-$build/app/vhostu-fwd}
[ $# -gt 0 ] && shift
budget=${VHOSTU_GUEST_BUDGET:-720}
per=${VHOSTU_GUEST_SCENARIO_TIMEOUT:-150}

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "not root (the kernel image in /boot is root-only)"
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64 (scripts/setup.sh installs qemu-system-x86)"
ls /boot/vmlinuz-* >/dev/null 2>&1 || skip "no kernel in /boot (scripts/setup.sh installs linux-image-amd64)"
[ -x "$fwd" ] || { echo "FAIL: no vhostu-fwd at $fwd"; exit 1; }

artifacts=$build/test-artifacts/guest
mkdir -p "$artifacts"
args=()
for s in "$@"; do
	args+=(--scenario "$s")
done
start=$(date +%s)
rc=0
# guest.py bounds each scenario and the run, and kills its QEMUs and switches
# on any exit; timeout(1) is the backstop.
VHOSTU_FWD=$fwd VHOSTU_BUILD=$build timeout --signal=TERM --kill-after=15 $((budget + 60)) \
	python3 "$here/guest.py" pair --backend vhostu-fwd "${args[@]}" \
	--image-dir "$build/test-guest-image" --logdir "$artifacts" --clean-passed \
	--timeout 60 --scenario-timeout "$per" --budget "$budget" || rc=$?
echo "guest_vhostu_fwd: $(( $(date +%s) - start )) s, $([ $rc = 0 ] && echo PASS || echo "FAIL ($rc)")"
[ $rc = 0 ] || echo "guest_vhostu_fwd: artifacts under $artifacts"
exit $rc
