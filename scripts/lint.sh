#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The lint step (scripts/test.sh runs it before the tests; it runs alone too):
# C sources within 100 columns (a tab counts to the next multiple of 8),
# the shell scripts through shellcheck, the Python through pyflakes. Reads the files git
# tracks (or, outside a git checkout, those find lists). Exit status 1 and one
# line per finding when something is wrong.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
status=0

# files PATTERN...: tracked files matching the patterns, one per line.
files() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -- "$@"
	else
		local p args=()
		for p in "$@"; do
			args+=(-o -name "$p")
		done
		find . -path ./build-deps -prune -o -path './build*' -prune -o \
			-type f \( -false "${args[@]}" \) -print | sed 's|^\./||'
	fi
}

need() {
	command -v "$1" >/dev/null 2>&1 || {
		echo "lint: $1 not found (scripts/setup.sh installs it)" >&2
		exit 1
	}
}

check_columns() {
	files '*.c' '*.h' | python3 -c '
import sys
bad = 0
for path in sys.stdin.read().split():
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            width = len(line.rstrip("\n").expandtabs(8))
            if width > 100:
                print("%s:%d: %d columns (at most 100)" % (path, n, width))
                bad = 1
sys.exit(bad)' || status=1
}

check_shell() {
	local list
	list=$(files '*.sh' '.ci/run')
	[ -n "$list" ] || return 0
	# shellcheck disable=SC2086
	shellcheck -x $list || status=1
}

check_python() {
	local list
	list=$(files '*.py')
	[ -n "$list" ] || return 0
	# shellcheck disable=SC2086
	pyflakes3 $list || status=1
}

need shellcheck
need pyflakes3
check_columns
check_shell
check_python
if [ "$status" = 0 ]; then
	echo "lint: ok"
else
	echo "lint: FAILED"
fi
exit "$status"
