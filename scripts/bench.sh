#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# One command from a clean clone: set up, build, and run the loopback
# benchmark of net_vhostu against net_vhost (options: scripts/bench.py --help).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build="${VHOSTU_BENCH_BUILD:-$top/build}"
bash "$top/scripts/setup.sh" >/dev/null
[ -f "$build/build.ninja" ] || meson setup "$build" "$top" >/dev/null
ninja -C "$build" >/dev/null
exec python3 "$top/scripts/bench.py" --build "$build" "$@"
