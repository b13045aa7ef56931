#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Hundreds of interfaces (issue 16), run by hand: not part of scripts/test.sh
# (it builds a DPDK, then takes minutes).
#
#   scripts/test-many-ports.sh [N] [test_many_ports.py options]
#
# N (default 256): builds DPDK with N ports into build-deps/dpdk-N if it is
# not there (scripts/setup.sh --max-ports N, long), vhostu against it in
# build-N, runs the port-limit test there (N interfaces, the next refused),
# then test/peer/test_many_ports.py: N server interfaces, 64 with a connected
# scripted frontend, a pair of virtio-user peers (the system's dpdk-testpmd)
# forwarding frames counted exactly meanwhile, all deleted, fds and memory
# back to the start. It prints the figures doc/performance.md quotes.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
n=256
case "${1:-}" in
[0-9]*) n=$1; shift ;;
esac

"$top/scripts/setup.sh" --max-ports "$n"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
pc="$top/build-deps/dpdk-$n/lib/$multiarch/pkgconfig"
build="$top/build-$n"
if [ ! -f "$build/build.ninja" ]; then
	PKG_CONFIG_PATH="$pc" meson setup "$build" "$top" -Dtests=false
fi
nice -n 10 ninja -C "$build" app/vhostu-fwd
ports=$(sed -n 's/^#define RTE_MAX_ETHPORTS \([0-9]*\)$/\1/p' \
	"$top/build-deps/dpdk-$n/include/rte_build_config.h")
[ "$ports" = "$n" ] || { echo "build-deps/dpdk-$n has $ports ports, not $n" >&2; exit 1; }

export VHOSTU_BUILD="$build" VHOSTU_SRC="$top" PYTHONPATH="$top/test/lib"
export PYTHONDONTWRITEBYTECODE=1
echo "== the port limit on build-$n: $n interfaces, the next refused"
python3 "$top/test/app/test_port_limit.py" "$build/app/vhostu-fwd" "$n"
echo "== $n interfaces, connected ones, a forwarding pair"
python3 "$top/test/peer/test_many_ports.py" --ports "$n" \
	--dpdk-libdir "$top/build-deps/dpdk-$n/lib/$multiarch" "$@"
