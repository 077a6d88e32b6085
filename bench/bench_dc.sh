#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# End-to-end ExchangePublicKeys against throwaway DCs
# (buildtools/dc-harness.sh), every figure a ratio to a baseline
# measured in the same run (bench/bench_dc_calls.c says how):
#  1. one connection, samba -M single, volatile table, log level 0:
#     alternating certificates / the same one / ClientKeyLength 0 vs
#     mgmt_is_server_listening on the same binding (krb5, sign), and
#     samba's CPU per call in each mode;
#  2. the first exchange on a fresh connection vs a later one;
#  3. "persistent peers = yes" vs the volatile table: two DCs up at
#     once, one block on each in turn (interleaved);
#  4. samba -M prefork (4 children): 4 parallel clients vs 1;
#  5. "bitspeerauth exchange --timing" run again and again: the CLI's
#     wall time for one exchange per part (run before 4, on the
#     single DC);
#  6. a validator module with "validator cache size = 1" on -M single:
#     the same certificate each time (its pair cached: decided in samba)
#     and alternating ones (never cached: every call's checks asked of
#     the checker process, source/rpc_server/exchange_async.h) vs mgmt, with
#     BENCH_DC_FORK_CALLS calls per block (default 200; run before 4).
# Needs root (the harness's namespaces).  BENCH_DC_CALLS (calls per
# block, default 1000) and BENCH_DC_REPS (default 5) scale it; at the
# defaults it takes ~2-4 minutes on 2 cores.  BENCH_DC_CLI_RUNS (default
# 10) is the number of CLI runs of part 5 per variant.
#
# Usage: bench/bench_dc.sh BUILD_DIR
set -uo pipefail
B=$(cd "${1:?usage: bench/bench_dc.sh BUILD_DIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
HARNESS=$HERE/../buildtools/dc-harness.sh
CALLS_BIN=$B/bench/bpa_bench_dc_calls
DC_CALL=$B/tests/integration/bpa_dc_call
CLI=$B/source/tools/bitspeerauth
CLI_RUNS=${BENCH_DC_CLI_RUNS:-10}
N=${BENCH_DC_CALLS:-1000}
R=${BENCH_DC_REPS:-5}
# BENCH_DC_SECTIONS: which of the numbered parts below run (default all)
SECTIONS=" ${BENCH_DC_SECTIONS:-1 2 3 4 5 6} "
want() { [[ "$SECTIONS" == *" $1 "* ]]; }
export BPA_BUILD_ROOT=$B
export BPA_DC_LOG_LEVEL=0

if [ "$(id -u)" != 0 ]; then
	echo "bench_dc: needs root (network namespaces); skipped"
	exit 0
fi
[ -x "$CALLS_BIN" ] && [ -x "$DC_CALL" ] ||
	{ echo "bench_dc: build first (make)" >&2; exit 2; }

WORK=$(mktemp -d "$B/bench/dc.XXXXXX")
DCS=()
cleanup() {
	local d
	for d in "${DCS[@]}"; do
		"$HARNESS" stop "$d" >/dev/null 2>&1 || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME [harness options]: a DC in $WORK/NAME, ccache and blobs
# of PEER1$ there too
start() {
	local name=$1 d=$WORK/$1
	shift
	DCS+=("$d")
	"$HARNESS" start "$d" "$@" >"$WORK/$name.start.log" 2>&1 ||
		{ cat "$WORK/$name.start.log" >&2; return 1; }
	(
		set -a
		. "$d/env"
		"$HARNESS" kinit "$d" 'PEER1$' "$d/peer1.ccache" &&
		"$DC_CALL" --make-blob "$BPA_PEER1_SID" --out "$d/a.blob" &&
		"$DC_CALL" --make-blob "$BPA_PEER1_SID" --out "$d/b.blob"
	) >>"$WORK/$name.start.log" 2>&1 ||
		{ cat "$WORK/$name.start.log" >&2; return 1; }
}

# calls NAME ARGS...: bench_dc_calls against DC NAME as PEER1$
calls() {
	local d=$WORK/$1
	shift
	(
		set -a
		. "$d/env"
		ip netns exec "$BPA_NETNS" "$CALLS_BIN" \
			--binding "ncacn_ip_tcp:127.0.0.1[$BPA_PORT,krb5,sign,target_hostname=$BPA_DC_FQDN]" -s "$BPA_PEER1_SMBCONF" \
			--ccache "$d/peer1.ccache" --blob "$d/a.blob" \
			--blob2 "$d/b.blob" --calls "${CALLS_N:-$N}" "$@"
	)
}

# min / median / max of the numbers on stdin
stats() {
	sort -g | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "min %9.3f  median %9.3f  max %9.3f", v[1], m, v[NR] }'
}

# the pid of DC NAME's samba
samba_pid_of() { (set -a; . "$WORK/$1/env"; echo "$BPA_SAMBA_PID"); }

# sync_profile NAME: the fdatasync/fsync/msync calls of DC NAME's samba
# during one block of N alternating exchanges, per call, with their
# mean latency as strace sees it
sync_profile() {
	local d=$WORK/$1 pid sp
	command -v strace >/dev/null ||
		{ echo "   (no strace: syncs not counted)"; return 0; }
	pid=$(samba_pid_of "$1")
	strace -f --seccomp-bpf -c -w -e trace=fdatasync,fsync,msync \
		-o "$WORK/$1.sync" -p "$pid" 2>/dev/null &
	sp=$!
	sleep 0.5
	calls "$1" --rate alt >/dev/null
	kill -INT "$sp" 2>/dev/null
	wait "$sp" 2>/dev/null
	awk -v n="$N" '$NF ~ /^(fdatasync|fsync|msync)$/ {
		printf "   %-10s %5.2f per call, %6d us each (mean wall, traced)\n",
			$NF, $4 / n, $3; found = 1 }
		END { if (!found) print "   no fdatasync, fsync or msync" }' \
		"$WORK/$1.sync"
}

start single --model single || exit 1
if want 1; then
echo "-- 1. one connection, -M single, volatile table, krb5 sign"
# with the server's own CPU per call (all of samba is one process)
calls single --reps "$R" --modes mgmt,alt,same,empty \
	--server-pid "$(samba_pid_of single)" || exit 1
fi

if want 2; then
echo "-- 2. a fresh connection: first exchange vs later ones"
echo "   with smb.conf socket options (TCP_NODELAY), as the client does:"
calls single --first "$R" --modes alt,mgmt || exit 1
echo "   Samba's client socket as it is (Nagle on):"
calls single --first "$R" --modes alt,mgmt --nagle || exit 1
fi

if want 3; then
echo "-- 3. persistent peers = yes vs no (two DCs, blocks interleaved)"
start persistent --model single \
	--option 'bitspeerauth:persistent peers = yes' || exit 1
: >"$WORK/ratio"
for r in $(seq "$R"); do
	v=$(calls single --rate alt | sed -n 's/^rate=//p')
	p=$(calls persistent --rate alt | sed -n 's/^rate=//p')
	[ -n "$v" ] && [ -n "$p" ] || exit 1
	echo "$v" >>"$WORK/vol"
	echo "$p" >>"$WORK/per"
	awk -v p="$p" -v v="$v" 'BEGIN { print p / v }' >>"$WORK/ratio"
done
printf '%-28s %s\n' "volatile alt calls/s" "$(stats <"$WORK/vol")"
printf '%-28s %s\n' "persistent alt calls/s" "$(stats <"$WORK/per")"
printf '%-28s %s x\n' "ratio persistent/volatile" "$(stats <"$WORK/ratio")"
# where the persistent table's time goes: its syncs, counted on
# samba for one more block (strace, these syscalls only)
sync_profile persistent
"$HARNESS" stop "$WORK/persistent" >/dev/null 2>&1
fi

# cli_runs NAME VARIANT: part 5, CLI_RUNS runs of the CLI as PEER1$
# against DC NAME; VARIANT "fresh": each run from a copy of a ccache
# with only the TGT (the bind asks the KDC for a service ticket),
# "cached": one ccache throughout (the tickets stay in it).  Prints the
# min and median of each part of "--timing", and of the process's wall
# time seen from outside (exec, libraries, smb.conf and all).
cli_runs() {
	local d=$WORK/$1 variant=$2 i out t0 t1 cc part
	: >"$WORK/cli.$variant"
	(
		set -a
		. "$d/env"
		"$HARNESS" kinit "$d" 'PEER1$' "$d/cli-tgt.ccache"
	) >/dev/null 2>&1 || { echo "kinit failed" >&2; return 1; }
	cp "$d/cli-tgt.ccache" "$d/cli-run.ccache"
	for i in $(seq 0 "$CLI_RUNS"); do
		[ "$variant" = fresh ] &&
			cp "$d/cli-tgt.ccache" "$d/cli-run.ccache"
		t0=$(date +%s%N)
		out=$(
			set -a
			. "$d/env"
			ip netns exec "$BPA_NETNS" "$CLI" exchange --timing \
				-s "$BPA_PEER1_SMBCONF" --server 127.0.0.1 \
				--target-hostname "$BPA_DC_FQDN" \
				--realm "$BPA_REALM" \
				--ccache "$d/cli-run.ccache" --dc 127.0.0.1 \
				--dc-hostname "$BPA_DC_FQDN" \
				--peer-table "$d/cli-peers.tdb" 2>&1
		) || { echo "$out" >&2; return 1; }
		t1=$(date +%s%N)
		# run 0 warms the caches (files, the local certificate)
		[ "$i" = 0 ] && continue
		echo "$(grep '^timing:' <<<"$out") process=$(( (t1 - t0) /
			1000 ))" >>"$WORK/cli.$variant"
	done
	for part in kerberos lookup local_cert bind call store total process; do
		printf '   %-11s %s ms\n' "$part" "$(sed -n \
			"s/.* $part=\([0-9.]*\).*/\1/p" "$WORK/cli.$variant" |
			awk -v p="$part" '{ print (p == "process") ? $1 / 1000 : $1 }' |
			stats)"
	done
}

if want 5; then
echo "-- 5. the CLI (bitspeerauth exchange --timing), $CLI_RUNS runs each"
echo "   a ccache with the TGT only (a service ticket asked in the bind):"
cli_runs single fresh || exit 1
echo "   the service tickets cached from the run before:"
cli_runs single cached || exit 1
fi

if want 6; then
echo "-- 6. a validator (module, cache size 1) on -M single: same (cached, in samba) and alt (the checker asked each call) vs mgmt"
"$HARNESS" stop "$WORK/single" >/dev/null 2>&1
cp "$B/tests/validator/bpa_test_validator.so" "$WORK/validator.so" || exit 1
start validator --model single \
	--option "bitspeerauth:validator module = $WORK/validator.so" \
	--option 'bitspeerauth:validator cache size = 1' || exit 1
CALLS_N=${BENCH_DC_FORK_CALLS:-200} calls validator --reps "$R" \
	--modes mgmt,same,alt || exit 1
"$HARNESS" stop "$WORK/validator" >/dev/null 2>&1
fi

want 4 || exit 0
echo "-- 4. -M prefork (4 children): 4 clients vs 1"
"$HARNESS" stop "$WORK/single" >/dev/null 2>&1
start prefork --model prefork --option 'prefork children = 4' || exit 1
calls prefork --reps "$R" --modes mgmt,alt --procs 1,4 || exit 1
