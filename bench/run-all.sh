#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run every benchmark built in BUILD_DIR/bench (bench_*), then the
# scripts bench/bench_*.sh (given BUILD_DIR), one after the other; each prints its own numbers and ratios against a baseline
# measured in the same run.  Extra arguments for one benchmark:
# BENCH_ARGS_<name>="..." (e.g. BENCH_ARGS_bench_peers_lookup="100000").
#
# Usage: bench/run-all.sh BUILD_DIR
set -uo pipefail
B=${1:?usage: bench/run-all.sh BUILD_DIR}
[ -d "$B/bench" ] || { echo "no $B/bench: build first (make)" >&2; exit 2; }
fails=0
found=0
for exe in "$B"/bench/bench_*; do
	[ -f "$exe" ] && [ -x "$exe" ] || continue
	found=1
	name=$(basename "$exe")
	var=BENCH_ARGS_$name
	echo "== $name"
	start=$(date +%s)
	# shellcheck disable=SC2086
	if ! "$exe" ${!var:-}; then
		echo "!! $name failed" >&2
		fails=$((fails + 1))
	fi
	echo "== $name: $(( $(date +%s) - start )) s"
done
# scripts that need more than one process (a DC): bench/bench_*.sh
for sh in "$(dirname "$0")"/bench_*.sh; do
	[ -f "$sh" ] || continue
	found=1
	name=$(basename "$sh" .sh)
	echo "== $name"
	start=$(date +%s)
	if ! "$sh" "$B"; then
		echo "!! $name failed" >&2
		fails=$((fails + 1))
	fi
	echo "== $name: $(( $(date +%s) - start )) s"
done
[ "$found" = 1 ] || { echo "no benchmark in $B/bench" >&2; exit 2; }
[ "$fails" = 0 ]
