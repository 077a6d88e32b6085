#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# One bounded libFuzzer run for the 'fuzz' suite:
#   run_fuzzer.sh FUZZER CORPUS WORKDIR SECONDS [libFuzzer options...]
# Fuzzes for SECONDS starting from the committed CORPUS (read only: new
# inputs go to WORKDIR/corpus, a finding to WORKDIR/crash-* etc.).
# Exit status nonzero on any crash, sanitizer report (ASan, UBSan, LSan),
# invariant break (abort), an input that runs for more than 1 s
# (-timeout=1: an input that costs the server seconds of CPU is a bug,
# issue 9) or RSS above 2 GiB.

set -eu
fuzzer=$1 corpus=$2 work=$3 secs=$4
shift 4

rm -rf "$work"
mkdir -p "$work/corpus"
ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export ASAN_OPTIONS
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

rc=0
"$fuzzer" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=1 \
	-max_len=70000 -print_final_stats=1 \
	-artifact_prefix="$work/" "$@" "$work/corpus" "$corpus" \
	> "$work/log" 2>&1 || rc=$?
grep -E '^(stat::|Done|INFO: seed corpus)' "$work/log" || true
if [ "$rc" != 0 ]; then
	echo "FAILED ($rc): the last 60 log lines of $work/log:"
	tail -n 60 "$work/log"
	ls -l "$work"/crash-* "$work"/leak-* "$work"/timeout-* \
		"$work"/oom-* 2>/dev/null || true
	exit 1
fi
exit 0
