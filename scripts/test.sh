#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The whole test suite: set-up (packages, driver SDK headers), the lint step
# (scripts/lint.sh), then every test under `meson test` twice: in a normal
# build and in a build with AddressSanitizer and UndefinedBehaviorSanitizer;
# then bounded libFuzzer runs of the message path and the rings (60 s each)
# and every regression input, in a clang build. Ends with one line "N passed,
# N failed, N skipped" over all. Options go to `meson test` (e.g. --suite
# cli). VHOSTU_TEST_SANITIZE=0 skips the sanitizer build, VHOSTU_TEST_FUZZ=0
# the fuzz runs.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
base="${VHOSTU_TEST_BUILD:-$top/build-test}"

bash "$top/scripts/setup.sh"

# build_and_test DIR TEST_ARGS [meson setup options...]; TEST_ARGS is one word.
build_and_test() {
	local dir=$1 args=$2
	shift 2
	if [ -f "$dir/build.ninja" ]; then
		meson setup --reconfigure "$dir" "$top" "$@" >/dev/null
	else
		meson setup "$dir" "$top" "$@" >/dev/null
	fi
	ninja -C "$dir"
	echo "== meson test in $dir"
	# shellcheck disable=SC2086
	meson test -C "$dir" --no-rebuild --print-errorlogs --num-processes 1 $args
}

test_args="$*"
status=0
logs=()
# Lint first (line length, shellcheck, pyflakes): findings fail the run, the tests still run.
bash "$top/scripts/lint.sh" || status=1
build_and_test "$base" "$test_args" || status=1
logs+=("$base/meson-logs/testlog.json")
if [ "${VHOSTU_TEST_SANITIZE:-1}" != 0 ]; then
	build_and_test "$base-asan" "$test_args" -Db_sanitize=address,undefined \
		-Db_lundef=false || status=1
	logs+=("$base-asan/meson-logs/testlog.json")
fi
if [ "${VHOSTU_TEST_FUZZ:-1}" != 0 ] && [ -z "$test_args" ]; then
	CC=clang build_and_test "$base-fuzz" "--suite fuzz" -Db_sanitize=address,undefined \
		-Db_lundef=false -Dfuzz=true || status=1
	logs+=("$base-fuzz/meson-logs/testlog.json")
fi

python3 - "${logs[@]}" <<'PY'
import json, sys
counts = {}
for path in sys.argv[1:]:
    for line in open(path):
        if line.strip():
            r = json.loads(line)["result"]
            counts[r] = counts.get(r, 0) + 1
passed = counts.get("OK", 0) + counts.get("EXPECTEDFAIL", 0)
failed = sum(counts.get(k, 0) for k in ("FAIL", "TIMEOUT", "ERROR", "UNEXPECTEDPASS"))
print(f"{passed} passed, {failed} failed, {counts.get('SKIP', 0)} skipped")
PY
exit "$status"
