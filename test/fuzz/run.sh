#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Runs one libFuzzer harness for `meson test` and scripts/fuzz.sh.
#
#   run.sh fuzz   HARNESS CORPUS REGRESS WORK SECONDS [libFuzzer args...]
#       Fuzz for SECONDS from the seeds in CORPUS and REGRESS (read only);
#       new inputs go to WORK/corpus, crashes to WORK/artifacts/.
#   run.sh replay HARNESS CORPUS REGRESS WORK
#       Run every file of REGRESS and CORPUS once: all must pass.
#
# Ends with a line "fuzz: NAME: N runs, cov C, ft F, corpus K" (fuzz mode).
set -uo pipefail

mode=$1 bin=$2 corpus=$3 regress=$4 work=$5
shift 5
name=$(basename "$bin")
mkdir -p "$work/corpus" "$work/artifacts"
# Sanitizer reports stop the run and carry symbols.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

case "$mode" in
fuzz)
	secs=$1
	shift
	regress_dir=
	[ -d "$regress" ] && regress_dir=$regress
	log="$work/fuzz.log"
	# VHOSTU_FUZZ_VERBOSE=1: libFuzzer's progress lines on stderr too.
	"$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$work/artifacts/" "$@" \
		"$work/corpus" "$corpus" ${regress_dir:+"$regress_dir"} 2>&1 | tee "$log" |
		if [ -n "${VHOSTU_FUZZ_VERBOSE:-}" ]; then
			grep --line-buffered -E '^#[0-9]+[[:space:]]+(INITED|pulse|DONE)|^==|ERROR' >&2
		else
			cat >/dev/null
		fi
	status=${PIPESTATUS[0]}
	if [ "$status" -ne 0 ]; then
		tail -n 60 "$log"
		echo "fuzz: $name: FAILED (exit $status); the input is in $work/artifacts/;" \
			"minimise it with $bin -minimize_crash=1 -runs=10000 FILE, then add it to $regress/"
		exit "$status"
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")
	echo "fuzz: $name: ${runs:-?} runs in ${secs}s, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}"
	;;
replay)
	mapfile -t files < <(find "$regress" "$corpus" -type f ! -name '*.md' 2>/dev/null | sort)
	if [ "${#files[@]}" -eq 0 ]; then
		echo "fuzz: $name: nothing to replay"
		exit 0
	fi
	log="$work/replay.log"
	"$bin" -timeout=10 -rss_limit_mb=2048 "$@" "${files[@]}" >"$log" 2>&1
	status=$?
	if [ "$status" -ne 0 ]; then
		tail -n 60 "$log"
		echo "fuzz: $name: replay FAILED (exit $status)"
		exit "$status"
	fi
	echo "fuzz: $name: ${#files[@]} inputs replayed, all pass"
	;;
*)
	echo "usage: run.sh fuzz|replay HARNESS CORPUS REGRESS WORK [SECONDS] [args]" >&2
	exit 2
	;;
esac
