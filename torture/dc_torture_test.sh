#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Suite 'dc': smbtorture against a throwaway DC (buildtools/dc-harness.sh)
#   1. our module's suite: smbtorture ... --load-module=MODULE bitspeerauth
#      (--load-module last: PLATFORM.md "Tools")
#   2. Samba's built-in rpc.mgmt, in a separate call (with --load-module
#      the built-in suites are not registered), which must list our
#      interface.
# As the computer account PEER1$, Kerberos only (MS-BPAU 3.2.3).
#
# Usage: dc_torture_test.sh MODULE   (BPA_SOURCE_ROOT, BPA_BUILD_ROOT set)
set -uo pipefail
MODULE=$1
: "${BPA_SOURCE_ROOT:?run through meson test}"
: "${BPA_BUILD_ROOT:?run through meson test}"
HARNESS=$BPA_SOURCE_ROOT/buildtools/dc-harness.sh
export BPA_BUILD_ROOT

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP the dc suite needs root"
	exit 77
fi
DIR=$BPA_BUILD_ROOT/torture/dc-torture-$$
n=0
fails=0
cleanup() {
	"$HARNESS" stop "$DIR" >/dev/null 2>&1 || true
	[ "$fails" = 0 ] && rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# rpc.table-limit needs a table of one row (MS-BPAU 3.1.4.1 <3>)
"$HARNESS" start "$DIR" --option 'bitspeerauth:max peers = 1' ||
	{ echo "Bail out! DC did not start"; exit 1; }
set -a
# shellcheck source=/dev/null
. "$DIR/env"
set +a

torture() {
	ip netns exec "$BPA_NETNS" timeout 120 smbtorture "$BPA_BINDING" \
		-s "$BPA_SMBCONF" -U "PEER1\$@$BPA_REALM%$BPA_PEER1_PASSWORD" \
		--realm="$BPA_REALM" --use-kerberos=required "$@" 2>&1
}

# ok_if NAME RC OUTPUT [grep pattern that must appear]...
ok_if() {
	local name=$1 rc=$2 out=$3 p
	shift 3
	n=$((n + 1))
	if [ "$rc" != 0 ]; then
		echo "not ok $n - $name (rc $rc)"
		printf '%s\n' "$out" | grep -v '^time:' | tail -30 | sed 's/^/# /'
		fails=$((fails + 1))
		return
	fi
	for p in "$@"; do
		if ! printf '%s\n' "$out" | grep -q -- "$p"; then
			echo "not ok $n - $name (no \"$p\")"
			printf '%s\n' "$out" | tail -30 | sed 's/^/# /'
			fails=$((fails + 1))
			return
		fi
	done
	echo "ok $n - $name"
}

out=$(torture \
	--option="torture:bpa_second_account=PEER2\$@$BPA_REALM%$BPA_PEER2_PASSWORD" \
	--load-module="$MODULE" bitspeerauth)
rc=$?
# every test ran and none failed
printf '%s\n' "$out" | grep -E '^(success|failure|error|skip):' |
	sed 's/^/# /'
# nothing failed or was skipped, and all 18 tests ran
if printf '%s\n' "$out" | grep -qE '^(failure|error|skip):'; then
	rc=1
fi
if [ "$(printf '%s\n' "$out" | grep -c '^success:')" != 18 ]; then
	echo "# expected 18 successes"
	rc=1
fi
ok_if "smbtorture bitspeerauth (module suite)" "$rc" "$out" \
	"^success: ndr.strict-pull-refusals" \
	"^success: rpc.null-key-with-length-faults" \
	"^success: rpc.binding-is-kerberos" \
	"^success: rpc.exchange-success" \
	"^success: rpc.subject-sid-mismatch" \
	"^success: rpc.table-limit"

out=$(torture rpc.mgmt)
rc=$?
ok_if "smbtorture rpc.mgmt lists the interface" "$rc" "$out" \
	"^success: mgmt" "$BPA_IFACE_UUID"

echo "1..$n"
[ "$fails" = 0 ]
