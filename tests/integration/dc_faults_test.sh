#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# When the module cannot work (its peer table cannot be opened), samba
# and its other RPC services keep running: our calls answer E_FAIL with
# no key (and still refuse unauthorised callers first), and the failure
# is logged.
. "$(dirname "$0")/dc_lib.sh"

dc_start faults --option \
	"bitspeerauth:peer table = /nonexistent-bpa-dir/peers.tdb"
cc1=$(dc_kinit 'PEER1$')
peer1_blob=$(make_blob PEER1 "$BPA_PEER1_SID")

res=$(call -s "$BPA_PEER1_SMBCONF" --binding "$BPA_BINDING" \
	--ccache "$cc1" --blob "$peer1_blob")
expect_eq "$res" "status=NT_STATUS_OK hresult=0x80004005 server_key_length=0" \
	"no peer table: a computer's exchange gets E_FAIL and no key"
res=$(call -s "$BPA_PEER1_SMBCONF" --binding "ncacn_ip_tcp:127.0.0.1[]" \
	--anonymous --blob "$peer1_blob")
expect_eq "$res" "$ACCESSDENIED" \
	"no peer table: an anonymous caller is still refused first (0x80070005)"
expect_match "$(cat "$BPA_LOG")" "cannot open the peer table /nonexistent-bpa-dir/peers.tdb" \
	"the cause is logged"
expect_match "$(cat "$BPA_LOG")" "error: server-state-unavailable" \
	"the failed exchange is logged with its reason"
out=$(mgmt_torture)
expect_match "$out" "^success: mgmt" \
	"samba's RPC services still answer (rpc.mgmt passes)"

dc_done
