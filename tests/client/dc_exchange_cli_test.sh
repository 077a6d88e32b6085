#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Suite 'dc': "bitspeerauth exchange" (MS-BPAU 3.2) against a throwaway
# DC (buildtools/dc-harness.sh), each case a named TAP line.  The client
# peers are PEER1..PEER2 with their own smb.conf (local certificate,
# client peer table) from the harness.
#
# Usage: dc_exchange_cli_test.sh BITSPEERAUTH  (BPA_SOURCE_ROOT,
#        BPA_BUILD_ROOT set by meson)
set -uo pipefail
CLI=$1
: "${BPA_SOURCE_ROOT:?run through meson test}"
: "${BPA_BUILD_ROOT:?run through meson test}"
HARNESS=$BPA_SOURCE_ROOT/buildtools/dc-harness.sh
export BPA_BUILD_ROOT

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP the dc suite needs root"
	exit 77
fi
DIR=$BPA_BUILD_ROOT/tests/client/dc-cli-$$
n=0
fails=0
cleanup() {
	"$HARNESS" stop "$DIR" >/dev/null 2>&1 || true
	[ "$fails" = 0 ] && rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
"$HARNESS" start "$DIR" || { echo "Bail out! DC did not start"; exit 1; }
set -a
# shellcheck source=/dev/null
. "$DIR/env"
set +a

# Some cases run the CLI under valgrind: a memory error or a definite
# leak is exit status 99
VG="valgrind --quiet --error-exitcode=99 --leak-check=full
 --errors-for-leak-kinds=definite --show-leak-kinds=definite
 --suppressions=$BPA_SOURCE_ROOT/tests/valgrind.supp"
WRAP=""

# exchange PEERn [options]: the CLI as client peer n, keytab credentials
exchange() {
	local peer=$1
	shift
	local conf_var=BPA_${peer}_SMBCONF
	# shellcheck disable=SC2086
	ip netns exec "$BPA_NETNS" timeout 120 $WRAP "$CLI" exchange \
		-s "${!conf_var}" --server 127.0.0.1 \
		--target-hostname "$BPA_DC_FQDN" --realm "$BPA_REALM" \
		--keytab "$BPA_KEYTABS/$peer\$.keytab" \
		--principal "$peer\$@$BPA_REALM" "$@" 2>&1
}

# check NAME WANT_RC OUTPUT PATTERN...: rc and every pattern (grep -E)
check() {
	local name=$1 want=$2 rc=$3 out=$4 p
	shift 4
	n=$((n + 1))
	if [ "$rc" != "$want" ]; then
		echo "not ok $n - $name (rc $rc, expected $want)"
		printf '%s\n' "$out" | tail -20 | sed 's/^/# /'
		fails=$((fails + 1))
		return
	fi
	for p in "$@"; do
		if ! printf '%s\n' "$out" | grep -qE -- "$p"; then
			echo "not ok $n - $name (no /$p/)"
			printf '%s\n' "$out" | tail -20 | sed 's/^/# /'
			fails=$((fails + 1))
			return
		fi
	done
	echo "ok $n - $name"
}

WRAP=$VG
out=$(exchange PEER1); rc=$?
WRAP=""
check "PEER1 gets the DC's certificate, checked against SAMR's SID (valgrind)" 0 \
	"$rc" "$out" "server account: ${BPA_DC_NETBIOS}\\\$ $BPA_DC_SID" \
	"added to the peer table"

out=$(exchange PEER1 --seal); rc=$?
check "again with seal: the row is replaced (<7>)" 0 "$rc" "$out" \
	"added to the peer table"

out=$(exchange PEER2 --server-sid "$BPA_DC_SID"); rc=$?
check "PEER2 with --server-sid (no lookup)" 0 "$rc" "$out" \
	"server account: .* $BPA_DC_SID"

"$HARNESS" kinit "$DIR" 'PEER4$' "$DIR/peer4.ccache" >/dev/null 2>&1
out=$(ip netns exec "$BPA_NETNS" timeout 60 "$CLI" exchange \
	-s "$BPA_PEER4_SMBCONF" --server 127.0.0.1 \
	--target-hostname "$BPA_DC_FQDN" --realm "$BPA_REALM" \
	--ccache "$DIR/peer4.ccache" --seal 2>&1)
rc=$?
check "PEER4 from a credential cache (kinit), sealed" 0 "$rc" "$out" \
	"local certificate: PEER4. " "auth: type 16 level 6" \
	"added to the peer table"

WRAP=$VG
out=$(exchange PEER2 --server-sid "$BPA_PEER1_SID"); rc=$?
WRAP=""
check "a server certificate that is not the expected account is refused (valgrind)" \
	1 "$rc" "$out" "BPA_E_CLIENT_WRONG_SERVER"

out=$(exchange PEER2 --no-store --client-cert "$DIR/p2-cert.pem" \
	--client-key "$DIR/p2-key.pem"); rc=$?
check "--no-store validates only; --client-cert/--client-key created" 0 \
	"$rc" "$out" "not stored" "local certificate: PEER2. .* \(created\)"
[ -s "$DIR/p2-cert.pem" ] && [ "$(stat -c %a "$DIR/p2-key.pem")" = 600 ] ||
	{ echo "# no certificate/key files"; fails=$((fails + 1)); }

out=$(ip netns exec "$BPA_NETNS" timeout 60 "$CLI" exchange \
	-s "$BPA_PEER2_SMBCONF" --server 127.0.0.1 \
	--target-hostname "wrong.$BPA_REALM" --realm "$BPA_REALM" \
	--keytab "$BPA_KEYTABS/PEER2\$.keytab" \
	--principal "PEER2\$@$BPA_REALM" --server-sid "$BPA_DC_SID" 2>&1)
rc=$?
check "mutual authentication: a wrong server principal fails" 1 "$rc" \
	"$out" "(SAMR|ExchangePublicKeys): 0x"

out=$(ip netns exec "$BPA_NETNS" timeout 60 "$CLI" exchange \
	-s "$BPA_PEER3_SMBCONF" --server 127.0.0.1 \
	--target-hostname "$BPA_DC_FQDN" --realm "$BPA_REALM" \
	-U "$BPA_USER@$BPA_REALM%$BPA_USER_PASSWORD" 2>&1)
rc=$?
check "a user account is refused by the server (3.1.4.1 <2>)" 1 "$rc" \
	"$out" "ExchangePublicKeys: 0x80070005"

echo "1..$n"
[ "$fails" = 0 ]
