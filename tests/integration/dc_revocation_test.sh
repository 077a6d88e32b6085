#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The revocation stack in the live server (seed ocsp-revocation-provider,
# README "Revocation"): the administrator revokes a stored peer with
# "bitspeerauth peers revoke"; its row goes, "peers check" answers
# unknown, the same certificate presented again is refused with
# CRYPT_E_REVOKED (0x80092010) and the table is unchanged, and the
# JSON audit line carries the "revocation" field.  A new key for the
# same account is accepted; "peers unrevoke" lifts the refusal.
. "$(dirname "$0")/dc_lib.sh"

dc_start revocation --option 'bitspeerauth:audit json = yes'
cc1=$(dc_kinit 'PEER1$')
TOOL=$BPA_BUILD_ROOT/source/tools/bitspeerauth
REVOKED="status=NT_STATUS_OK hresult=0x80092010 server_key_length=0"
p1() { call -s "$BPA_PEER1_SMBCONF" --binding "$BPA_BINDING" --ccache "$cc1" "$@"; }
tool() { "$TOOL" "$@" -s "$BPA_SMBCONF"; }

peer1_blob=$(make_blob PEER1 "$BPA_PEER1_SID")
peer1b_blob=$(make_blob PEER1b "$BPA_PEER1_SID")

expect_match "$(p1 --blob "$peer1_blob")" "$SUCCESS_RE" \
	"PEER1\$ with its self-signed certificate: S_OK (local provider: good)"
expect_eq "$(table_sids)" "$BPA_PEER1_SID" "the table holds PEER1\$"
tool peers export "$DC_DIR/export" >/dev/null
cert=$DC_DIR/export/$BPA_PEER1_SID.pem
tool peers check "$cert" >/dev/null
ok $? "peers check: PEER1\$'s certificate is a known peer"

out=$(tool peers revoke "$BPA_PEER1_SID" --reason keyCompromise)
ok $? "peers revoke SID --reason keyCompromise" "$out"
expect_match "$out" "^revoked $BPA_PEER1_SID \\(certificate sha256 [0-9a-f]{64}, keyCompromise\\); its row is removed\$" \
	"peers revoke names the certificate and the reason"
expect_eq "$(table_sids)" "" "revoking by SID removed PEER1\$'s row"
got=$(tool peers check "$cert"); st=$?
expect_eq "$got $st" "unknown 1" "peers check: the revoked certificate is unknown (exit 1)"
json=$(tool peers revoked --json)
expect_match "$json" "\"sid\": \"$BPA_PEER1_SID\", \"sha256\": \"[0-9a-f]{64}\", \"reason\": \"keyCompromise\"" \
	"peers revoked --json lists it"
got=$("$TOOL" revocation check "$cert" -s "$BPA_SMBCONF")
expect_match "$got" "^status: CRYPT_E_REVOKED \\(0x80092010\\)\$" \
	"revocation check: CRYPT_E_REVOKED"
expect_match "$got" "^provider: local\$" "revocation check: decided by local"
expect_match "$got" "^reason: keyCompromise\$" "revocation check: the reason"

before=$(table_dump)
expect_eq "$(p1 --blob "$peer1_blob")" "$REVOKED" \
	"the revoked certificate presented again: 0x80092010 (CRYPT_E_REVOKED)"
expect_eq "$(table_dump)" "$before" "revoked: the peer table is unchanged"
expect_match "$(cat "$BPA_LOG")" "refused, revoked: CRYPT_E_REVOKED subject=$BPA_PEER1_SID, hresult 0x80092010 revocation=revoked" \
	"the refusal is logged with the HRESULT's name"
expect_match "$(cat "$BPA_LOG")" "revocation \\(soft\\): refused: CRYPT_E_REVOKED \\(0x80092010\\) at index 0 by local, reason keyCompromise" \
	"the stack's log line names the provider, index and reason"

expect_match "$(p1 --blob "$peer1b_blob")" "$SUCCESS_RE" \
	"PEER1\$ with a new key: S_OK"
tool peers unrevoke "$BPA_PEER1_SID" >/dev/null
ok $? "peers unrevoke SID"
expect_match "$(p1 --blob "$peer1_blob")" "$SUCCESS_RE" \
	"unrevoked, the old certificate is accepted again"

res=$(sed -n 's/^ *bitspeerauth-audit: //p' "$BPA_LOG" | /usr/bin/python3 -c '
import json, sys
for l in sys.stdin:
    if l.strip():
        r = json.loads(l)
        print(r["verdict"], r.get("revocation"), r["hresult"])' 2>&1)
expect_eq "$res" "added good 0x00000000
revoked revoked 0x80092010
added good 0x00000000
added good 0x00000000" "the JSON audit lines carry the revocation field"

dc_done
