#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Start the switch with its embedded default: set up and build if needed, then
# run vhostu-fwd interactively with no hugepages and no NIC, after running
# config/default.cli. Extra arguments go to vhostu-fwd (EAL args, then -- and
# the app's own).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build="${VHOSTU_RUN_BUILD:-$top/build}"
bash "$top/scripts/setup.sh" >/dev/null
[ -f "$build/build.ninja" ] || meson setup "$build" "$top" >/dev/null
ninja -C "$build" >/dev/null
cd "$top"
if [ $# -eq 0 ]; then
	exec "$build/app/vhostu-fwd" -- -i --cmdline-file "$top/config/default.cli"
fi
exec "$build/app/vhostu-fwd" "$@"
