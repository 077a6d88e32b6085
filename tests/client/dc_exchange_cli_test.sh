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
CLI=$1
# shellcheck source=../integration/dc_lib.sh
. "$BPA_SOURCE_ROOT/tests/integration/dc_lib.sh"

dc_start cli

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
	in_ns timeout 120 $WRAP "$CLI" exchange \
		-s "${!conf_var}" --server 127.0.0.1 \
		--target-hostname "$BPA_DC_FQDN" --realm "$BPA_REALM" \
		--keytab "$BPA_KEYTABS/$peer\$.keytab" \
		--principal "$peer\$@$BPA_REALM" \
		--dc 127.0.0.1 --dc-hostname "$BPA_DC_FQDN" "$@" 2>&1
}

# check NAME WANT_RC RC OUTPUT PATTERN...: the exit status and every
# pattern (grep -E), one TAP line
check() {
	local name=$1 want=$2 rc=$3 out=$4 p
	shift 4
	if [ "$rc" != "$want" ]; then
		ok 1 "$name" "rc $rc, expected $want; $(printf '%s' "$out" |
			tail -5 | tr '\n' ' ')"
		return
	fi
	for p in "$@"; do
		if ! grep -qE -- "$p" <<<"$out"; then
			ok 1 "$name" "no /$p/ in: $(printf '%s' "$out" |
				tail -5 | tr '\n' ' ')"
			return
		fi
	done
	ok 0 "$name"
}

WRAP=$VG
out=$(exchange PEER1); rc=$?
WRAP=""
check "PEER1 gets the DC's certificate, checked against SAMR's SID (valgrind)" 0 \
	"$rc" "$out" "server account: ${BPA_DC_NETBIOS}\\\$ $BPA_DC_SID \(DC " \
	"added to the peer table"

out=$(exchange PEER1 --seal); rc=$?
check "again with seal: the row is replaced (<7>)" 0 "$rc" "$out" \
	"added to the peer table"

out=$(exchange PEER2 --server-sid "$BPA_DC_SID"); rc=$?
check "PEER2 with --server-sid (no lookup)" 0 "$rc" "$out" \
	"server account: .* $BPA_DC_SID"

cc=$(dc_kinit 'PEER4$')
out=$(in_ns timeout 60 "$CLI" exchange \
	-s "$BPA_PEER4_SMBCONF" --server 127.0.0.1 \
	--target-hostname "$BPA_DC_FQDN" --realm "$BPA_REALM" \
	--ccache "$cc" --seal --dc 127.0.0.1 --dc-hostname "$BPA_DC_FQDN" 2>&1)
rc=$?
check "PEER4 from a credential cache (kinit), sealed" 0 "$rc" "$out" \
	"local certificate: PEER4. " "auth: type 16 level 6" \
	"added to the peer table"

WRAP=$VG
out=$(exchange PEER2 --server-sid "$BPA_PEER1_SID"); rc=$?
WRAP=""
check "a server certificate that is not the expected account is refused (valgrind)" \
	1 "$rc" "$out" "HRES_SEC_E_WRONG_PRINCIPAL"

# issue 15: --timing, one line with every part (bench_dc.sh part 5)
out=$(exchange PEER2 --timing); rc=$?
check "--timing: the wall time of each part of the exchange" 0 "$rc" "$out" \
	"^timing: kerberos=[0-9.]+ lookup=[0-9.]+ local_cert=[0-9.]+ bind=[0-9.]+ call=[0-9.]+ store=[0-9.]+ total=[0-9.]+ ms\$"

out=$(exchange PEER2 --no-store --client-cert "$DC_DIR/p2-cert.pem" \
	--client-key "$DC_DIR/p2-key.pem"); rc=$?
check "--no-store validates only; --client-cert/--client-key created" 0 \
	"$rc" "$out" "not stored" "local certificate: PEER2. .* \(created\)"
expect_eq "$([ -s "$DC_DIR/p2-cert.pem" ] && stat -c %a "$DC_DIR/p2-key.pem")" \
	600 "the created certificate exists and its key file has mode 0600"

out=$(in_ns timeout 60 "$CLI" exchange \
	-s "$BPA_PEER2_SMBCONF" --server 127.0.0.1 \
	--target-hostname "wrong.$BPA_REALM" --realm "$BPA_REALM" \
	--keytab "$BPA_KEYTABS/PEER2\$.keytab" \
	--principal "PEER2\$@$BPA_REALM" --server-sid "$BPA_DC_SID" \
	--dc 127.0.0.1 --dc-hostname "$BPA_DC_FQDN" 2>&1)
rc=$?
check "mutual authentication: a wrong server principal fails" 1 "$rc" \
	"$out" "(SAMR|ExchangePublicKeys): 0x"

out=$(in_ns timeout 60 "$CLI" exchange \
	-s "$BPA_PEER3_SMBCONF" --server 127.0.0.1 \
	--target-hostname "$BPA_DC_FQDN" --realm "$BPA_REALM" \
	-U "$BPA_USER@$BPA_REALM%$BPA_USER_PASSWORD" \
	--dc 127.0.0.1 --dc-hostname "$BPA_DC_FQDN" 2>&1)
rc=$?
check "a user account is refused by the server (3.1.4.1 <2>)" 1 "$rc" \
	"$out" "ExchangePublicKeys: 0x80070005"

dc_done
