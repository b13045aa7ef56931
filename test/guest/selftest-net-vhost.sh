#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Developer tool, not run by CI: proves the guest harness against a backend
# nobody here wrote, DPDK's own net_vhost PMD in dpdk-testpmd (io forwarding,
# port 0 <-> port 1). Two guests, 10.0.0.1 and 10.0.0.2, ping each other:
#
#   ping             QEMU the client, testpmd listens
#   qemu-server      QEMU listens (server=on,wait=off), testpmd connects (client=1)
#   big              MTU 9000, 8000-byte pings (mergeable rx buffers, mbuf chains)
#   flood            5000 back-to-back pings (ping -A) each way
#   mq               queues=2 / mq=on, both pairs enabled in the guests, traffic
#                    seen on every queue in the guests' and testpmd's counters
#   idle-peer        one guest only answers
#   guest-reset      a QEMU killed and started again on the same socket
#   backend-restart  testpmd stopped and started again while QEMU (server) runs
#
# Usage: test/guest/selftest-net-vhost.sh [scenario ...]   (default: all)
# Logs (guest consoles, QEMU and testpmd output): test/guest/work/logs/.
# At most two guests run at a time; every process is killed on exit.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# guest.py imports vhostu_procs from test/lib.
export PYTHONPATH="$here/../lib${PYTHONPATH:+:$PYTHONPATH}"

command -v dpdk-testpmd >/dev/null || { echo "selftest: dpdk-testpmd missing (apt-get install dpdk)" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null || { echo "selftest: qemu-system-x86_64 missing (apt-get install qemu-system-x86)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "selftest: run as root (the kernel image in /boot is root-only)" >&2; exit 1; }

args=()
for s in "$@"; do
	args+=(--scenario "$s")
done
start=$(date +%s)
# guest.py kills its QEMU and testpmd processes on any exit; the timeout
# bounds the whole run (8 scenarios take about 2 minutes here).
rc=0
timeout --signal=TERM --kill-after=20 900 \
	python3 "$here/guest.py" pair --backend net_vhost "${args[@]}" || rc=$?
echo "selftest: $(( $(date +%s) - start )) s, $([ $rc = 0 ] && echo PASS || echo "FAIL ($rc)")"
exit $rc
