#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# One command from a clean clone: set up, build, and run the loopback
# benchmark (options: scripts/bench.py --help). When the ovs backend is asked
# for, it also installs Open vSwitch with DPDK (openvswitch-switch-dpdk, a
# bench-only package: the test set-up does not need it) and reserves 2 MiB
# hugepages for it and its peer (OVS forces --in-memory, which needs them).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build="${VHOSTU_BENCH_BUILD:-$top/build}"
hugepages="${VHOSTU_BENCH_HUGEPAGES:-1200}"	# 2 x 1024 MiB of socket memory, and slack

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# OVS-DPDK for the ovs backend: the package (its services are not started
# here: bench.py runs a private ovsdb-server and ovs-vswitchd per run), hugepages.
ovs_setup() {
	if [ ! -x /usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk ]; then
		echo "bench: installing openvswitch-switch-dpdk" >&2
		as_root apt-get update -q >/dev/null
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends openvswitch-switch-dpdk >/dev/null
	fi
	if [ "$(cat /proc/sys/vm/nr_hugepages)" -lt "$hugepages" ]; then
		echo "$hugepages" | as_root tee /proc/sys/vm/nr_hugepages >/dev/null
	fi
	if ! grep -q '^[^ ]* /dev/hugepages hugetlbfs' /proc/mounts; then
		as_root mkdir -p /dev/hugepages
		as_root mount -t hugetlbfs nodev /dev/hugepages
	fi
}

bash "$top/scripts/setup.sh" >/dev/null
for a in "$@"; do
	case "$a" in *ovs*) ovs_setup; break ;; esac
done
[ -f "$build/build.ninja" ] || meson setup "$build" "$top" >/dev/null
ninja -C "$build" >/dev/null
exec python3 "$top/scripts/bench.py" --build "$build" "$@"
