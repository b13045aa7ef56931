#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Fuzz the vhost-user message path and the rings (test/fuzz/README.md).
#
#   scripts/fuzz.sh [SECONDS] [HARNESS...]    fuzz each harness SECONDS (default 60)
#   scripts/fuzz.sh 3600                      an hour each
#   scripts/fuzz.sh 600 msg                   only fuzz_msg
#
# Sets up a clang build with ASan+UBSan and libFuzzer in build-fuzz (or
# $VHOSTU_FUZZ_BUILD), then runs each harness with one job, starting from the
# committed corpus plus what earlier runs found. New inputs stay in
# BUILD/test/fuzz/scratch-HARNESS; the committed corpus changes only when you
# merge them in (the command is printed at the end). Ends with one line per
# harness: executions, coverage (edges, features) and corpus size.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build="${VHOSTU_FUZZ_BUILD:-$top/build-fuzz}"
secs=60
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
	secs=$1
	shift
fi
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(msg rings)

bash "$top/scripts/setup.sh"
if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" "$top" -Db_sanitize=address,undefined -Db_lundef=false \
		-Dfuzz=true >/dev/null
fi
targets=()
for h in "${harnesses[@]}"; do
	[ -f "$top/test/fuzz/fuzz_$h.c" ] || { echo "fuzz: no harness named $h" >&2; exit 2; }
	targets+=("test/fuzz/fuzz_$h")
done
ninja -C "$build" -j2 "${targets[@]}"

status=0
summary=()
for h in "${harnesses[@]}"; do
	scratch="$build/test/fuzz/scratch-$h"
	echo "fuzz: fuzz_$h for ${secs}s (scratch corpus $scratch/corpus)"
	line=$(VHOSTU_FUZZ_VERBOSE=1 "$top/test/fuzz/run.sh" fuzz "$build/test/fuzz/fuzz_$h" \
		"$top/test/fuzz/corpus/$h" "$top/test/fuzz/regress/$h" "$scratch" "$secs" |
		tee /dev/stderr | tail -n 1) || status=1
	summary+=("$line")
	n=$(find "$scratch/corpus" -type f | wc -l)
	echo "fuzz: $n inputs in the scratch corpus; to keep the ones that add coverage:"
	echo "  $build/test/fuzz/fuzz_$h -merge=1 $top/test/fuzz/corpus/$h $scratch/corpus"
done
printf '%s\n' "${summary[@]}"
exit "$status"
