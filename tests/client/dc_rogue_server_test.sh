#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Suite 'dc', issue 9 item 3: the client takes a server's SID from an
# authority, never from the server under test.  A second computer
# account, MEMBER$ (dc-harness.sh --member), serves the endpoint as a
# rogue: authenticated as MEMBER$, it serves a certificate whose subject
# is the DC's SID (rpcd_bitspeerauth_rogue).  The client, PEER1$ on a
# host without winbindd, must not store that certificate under the DC's
# SID nor replace the DC's row; with a DC as authority it learns
# MEMBER$'s real SID and refuses the mismatch; a "DC" that cannot prove
# to be the DC's account is no authority.
#
# Usage: dc_rogue_server_test.sh BITSPEERAUTH
CLI=$1
# shellcheck source=../integration/dc_lib.sh
. "$BPA_SOURCE_ROOT/tests/integration/dc_lib.sh"

dc_start rogue --member
# the member is the rogue: rpcd_bitspeerauth_rogue claims the DC's SID
BPA_ROGUE_CLAIM_SID=$BPA_DC_SID BPA_RPCD=$BPA_ROGUE_RPCD \
	member_start "the rogue MEMBER joined and serving"

T1=$DC_DIR/peer1-client.tdb
fp() { "$DC_CALL" --table "$T1" 2>/dev/null | grep "^$1 "; }

# exchange TARGET-ADDR TARGET-FQDN [options]: PEER1$'s CLI (keytab)
exchange() {
	local addr=$1 fqdn=$2
	shift 2
	in_ns timeout 120 "$CLI" exchange -s "$BPA_PEER1_SMBCONF" \
		--server "$addr" --target-hostname "$fqdn" \
		--realm "$BPA_REALM" --keytab "$BPA_KEYTABS/PEER1\$.keytab" \
		--principal "PEER1\$@$BPA_REALM" --peer-table "$T1" "$@" 2>&1
}
AUTH=(--dc 127.0.0.1 --dc-hostname "$BPA_DC_FQDN")

# the rogue really claims the DC's SID
res=$(call -s "$BPA_PEER1_SMBCONF" --binding "$BPA_MEMBER_BINDING" \
	--ccache "$(dc_kinit 'PEER1$')" --empty --out "$DC_DIR/rogue.blob")
expect_match "$res" "$SUCCESS_RE" "the rogue answers ExchangePublicKeys"
expect_eq "$("$DC_CALL" --blob-subject "$DC_DIR/rogue.blob" 2>&1)" \
	"$BPA_DC_SID" "the rogue's certificate claims the DC's SID"

# the honest DC first: its row in PEER1's table
out=$(exchange 127.0.0.1 "$BPA_DC_FQDN" "${AUTH[@]}"); rc=$?
expect_eq "$rc" 0 "PEER1 exchanges with the DC, the DC as authority"
expect_match "$out" "^server account: $BPA_DC_NETBIOS\\\$ $BPA_DC_SID \(DC $BPA_DC_FQDN\)\$" \
	"the DC's SID came from the DC over SAMR, named as the authority"
dc_row=$(fp "$BPA_DC_SID")
expect_match "$dc_row" "^$BPA_DC_SID " "PEER1's table holds the DC"

# no authority: the rogue is not asked who it is
out=$(exchange "$BPA_MEMBER_ADDR" "$BPA_MEMBER_FQDN"); rc=$?
expect_eq "$rc" 2 "no winbindd, no --dc: the client refuses (exit 2)"
expect_match "$out" "no authority for account SIDs" \
	"and says it has no authority; it never asks the server under test"

# the rogue as "DC": it cannot prove to be the DC's account
out=$(exchange "$BPA_MEMBER_ADDR" "$BPA_MEMBER_FQDN" \
	--dc "$BPA_MEMBER_ADDR" --dc-hostname "$BPA_DC_FQDN"); rc=$?
expect_eq "$rc" 1 "the rogue at --dc with the DC's name fails the bind"
expect_match "$out" "^looking up .*DC $BPA_DC_FQDN: 0x" \
	"the lookup fails: mutual authentication names DC\$, not MEMBER\$"

# the DC as authority: MEMBER$'s real SID, the rogue's claim refused
out=$(exchange "$BPA_MEMBER_ADDR" "$BPA_MEMBER_FQDN" "${AUTH[@]}"); rc=$?
expect_eq "$rc" 1 "the rogue's certificate is refused"
expect_match "$out" "^server account: MEMBER\\\$ $BPA_MEMBER_SID \(DC $BPA_DC_FQDN\)\$" \
	"the authority names MEMBER\$'s own SID"
expect_match "$out" "HRES_SEC_E_WRONG_PRINCIPAL" \
	"the mismatch is SEC_E_WRONG_PRINCIPAL (MS-BPAU 3.2.4.1)"
expect_eq "$(fp "$BPA_DC_SID")" "$dc_row" \
	"the DC's row in PEER1's table is unchanged"
expect_eq "$("$DC_CALL" --table "$T1" 2>/dev/null | head -n 1)" "count=1" \
	"and nothing was added"

# the DC's client asks its own winbindd: the same refusal
out=$("$HARNESS" dc-exec "$DC_DIR" -- timeout 120 "$CLI" exchange \
	--server "$BPA_MEMBER_ADDR" --target-hostname "$BPA_MEMBER_FQDN" \
	-s "$BPA_SMBCONF" --no-store 2>&1); rc=$?
expect_eq "$rc" 1 "the DC's client refuses the rogue too"
expect_match "$out" "^server account: MEMBER\\\$ $BPA_MEMBER_SID \(winbind\)\$" \
	"with MEMBER\$'s SID from the DC's winbindd"

dc_done
