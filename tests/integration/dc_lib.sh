# SPDX-License-Identifier: GPL-3.0-or-later
#
# Shared by the 'dc' test scripts: one throwaway DC per script (many
# cases share it), TAP-style "ok N - name" lines, and a stop that always
# runs.  Source it, then call dc_start.
set -uo pipefail

: "${BPA_SOURCE_ROOT:?run through meson test}"
: "${BPA_BUILD_ROOT:?run through meson test}"
HARNESS=$BPA_SOURCE_ROOT/buildtools/dc-harness.sh
DC_CALL=${BPA_DC_CALL:-$BPA_BUILD_ROOT/tests/integration/bpa_dc_call}
export BPA_BUILD_ROOT

TESTS_RUN=0
TESTS_FAILED=0
DC_DIR=""

dc_cleanup() {
	local rc=$?
	if [ -n "$DC_DIR" ]; then
		"$HARNESS" stop "$DC_DIR" >/dev/null 2>&1 || true
		# keep the DC folder (logs) only when something failed
		if [ "$rc" = 0 ] && [ "$TESTS_FAILED" = 0 ]; then
			rm -rf "$DC_DIR"
		fi
	fi
}

# dc_start NAME [harness start options]: start a DC, load its env
dc_start() {
	local name=$1
	shift
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP the dc suite needs root"
		exit 77
	fi
	DC_DIR=$BPA_BUILD_ROOT/tests/integration/dc-$name-$$
	trap dc_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	"$HARNESS" start "$DC_DIR" "$@" || { echo "Bail out! DC did not start"; exit 1; }
	set -a
	# shellcheck source=/dev/null
	. "$DC_DIR/env"
	set +a
}

# member_start CASE [harness member-start options]: join MEMBER (a DC
# started with --member) or restart it, serving the endpoint; the case
# CASE for the result, then the env again (it gains BPA_MEMBER_*).
# The environment of the call reaches the member (BPA_RPCD=...).
member_start() {
	local name=$1 out st
	shift
	# a restart joins afresh: keep the logs of the member it replaces
	if [ -n "${BPA_MEMBER_LOGS:-}" ] && [ -d "$BPA_MEMBER_LOGS" ]; then
		cp -a "$BPA_MEMBER_LOGS" "$DC_DIR/member-logs.${MEMBER_STARTS:-0}"
	fi
	MEMBER_STARTS=$((${MEMBER_STARTS:-0} + 1))
	out=$DC_DIR/member-start.$MEMBER_STARTS.out
	"$HARNESS" member-start "$DC_DIR" "$@" >"$out" 2>&1
	st=$?
	ok $st "$name" "$(tail -5 "$out")"
	[ $st = 0 ] || { echo "Bail out! no member"; exit 1; }
	set -a
	# shellcheck source=/dev/null
	. "$DC_DIR/env"
	set +a
}

# Stop the DC (dc_start again to restart it, with a fresh domain copy)
dc_stop() {
	"$HARNESS" stop "$DC_DIR" >/dev/null 2>&1
}

# Run a command inside the DC's network namespace
in_ns() {
	ip netns exec "$BPA_NETNS" "$@"
}

# A Kerberos ticket cache for an account ("PEER1$", "bpauser")
dc_kinit() {
	local account=$1 cc=$DC_DIR/${1//\$/}.ccache
	"$HARNESS" kinit "$DC_DIR" "$account" "$cc" >/dev/null 2>&1 ||
		{ echo "# kinit $account failed" >&2; return 1; }
	echo "$cc"
}

# The rows of the DC's peer table (read only; "count=none" before the
# first open): "count=N" then "<SID> <sha256> inserted=.. last=.."
table_dump() {
	"$DC_CALL" --table "$BPA_PEER_TABLE" 2>/dev/null
}

# The SIDs in the DC's peer table, one a line, sorted
table_sids() {
	table_dump | sed -n 's/^\(S-[0-9-]*\) .*/\1/p'
}

# make_blob NAME SUBJECT [RSA-BITS]: a fresh self-signed certificate
# with CN=SUBJECT as a CERTIFICATE_BLOB (torture/torture_cert.c); its path
make_blob() {
	local f=$DC_DIR/$1.blob
	"$DC_CALL" --make-blob "$2" --rsa-bits "${3:-2048}" --out "$f" \
		>/dev/null 2>&1 ||
		{ echo "# make_blob $1 failed" >&2; return 1; }
	echo "$f"
}

# call [-s SMBCONF] --binding B IDENTITY REQUEST: bpa_dc_call in the
# DC's namespace; its result line
call() {
	in_ns "$DC_CALL" "$@" 2>/dev/null | tail -n 1
}

ACCESSDENIED="status=NT_STATUS_OK hresult=0x80070005 server_key_length=0"
TABLEFULL="status=NT_STATUS_OK hresult=0x80040006 server_key_length=0"
BAD_STUB="status=NT_STATUS_RPC_BAD_STUB_DATA"
SUCCESS_RE='^status=NT_STATUS_OK hresult=0x00000000 server_key_length=[1-9][0-9]*$'

# ok COND-STATUS NAME [diagnostic]
ok() {
	local st=$1 name=$2
	TESTS_RUN=$((TESTS_RUN + 1))
	if [ "$st" = 0 ]; then
		echo "ok $TESTS_RUN - $name"
	else
		TESTS_FAILED=$((TESTS_FAILED + 1))
		echo "not ok $TESTS_RUN - $name"
		# every diagnostic line a TAP comment: a bare line makes meson
		# reject the whole output ("Unknown TAP output lines")
		[ $# -ge 3 ] && printf '%s\n' "$3" | sed 's/^/#   /'
	fi
	return 0
}

# expect_eq GOT WANT NAME
expect_eq() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3" "got '$1', want '$2'"
	fi
}

# expect_match TEXT REGEX NAME
expect_match() {
	# a here-string, not a pipe: with pipefail, grep -q leaving at the
	# first match can kill printf with SIGPIPE on a long text and turn
	# a match into a failure
	if grep -Eq -- "$2" <<<"$1"; then
		ok 0 "$3"
	else
		ok 1 "$3" "'$(printf '%s' "$1" | head -c 300)' !~ /$2/"
	fi
}

# smbtorture rpc.mgmt against the DC's endpoint, as PEER1$ (Kerberos)
mgmt_torture() {
	in_ns smbtorture "$BPA_BINDING" -s "$BPA_SMBCONF" \
		-U "PEER1\$@$BPA_REALM%$BPA_PEER1_PASSWORD" \
		--realm="$BPA_REALM" --use-kerberos=required rpc.mgmt 2>&1
}

# expect_refused NAME WANT-LINE CALL...: the call prints WANT-LINE and
# the table is byte for byte what it was (dumped by $REFUSED_DUMP, the
# DC's table_dump unless a script sets another; named $REFUSED_TABLE
# in the case)
REFUSED_DUMP=table_dump
REFUSED_TABLE="the peer table"
expect_refused() {
	local name=$1 want=$2 before after got
	shift 2
	before=$("$REFUSED_DUMP")
	got=$("$@")
	after=$("$REFUSED_DUMP")
	expect_eq "$got" "$want" "$name"
	expect_eq "$after" "$before" "$name: $REFUSED_TABLE is unchanged"
}

dc_done() {
	echo "1..$TESTS_RUN"
	if [ "$TESTS_FAILED" != 0 ]; then
		echo "# $TESTS_FAILED of $TESTS_RUN failed; log: $BPA_LOG"
		exit 1
	fi
	exit 0
}
