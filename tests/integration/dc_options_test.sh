#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# bitspeerauth:* options reach the live server (README "The server
# module and its smb.conf options"): "allow user accounts = yes" serves a
# user account with Kerberos (still never NTLM), and "min rsa bits"
# reaches the validation of client certificates.
. "$(dirname "$0")/dc_lib.sh"

dc_start options --option 'bitspeerauth:allow user accounts = yes' \
	--option 'bitspeerauth:min rsa bits = 3072'
ccu=$(dc_kinit bpauser)
cc1=$(dc_kinit 'PEER1$')
user_blob=$(make_blob bpauser "$BPA_USER_SID" 3072)
peer1_blob=$(make_blob PEER1 "$BPA_PEER1_SID")

res=$(call -s "$BPA_PEER1_SMBCONF" --binding "$BPA_BINDING" \
	--ccache "$ccu" --blob "$user_blob")
expect_match "$res" "$SUCCESS_RE" \
	"allow user accounts = yes: bpauser with Kerberos at integrity: S_OK"
expect_eq "$(table_sids)" "$BPA_USER_SID" "the table holds bpauser"
before=$(table_dump)
res=$(call -s "$BPA_PEER1_SMBCONF" --binding "ncacn_ip_tcp:127.0.0.1[ntlm,sign]" \
	--user "bpauser@$BPA_REALM" --password "$BPA_USER_PASSWORD" \
	--blob "$user_blob")
expect_eq "$res" "$ACCESSDENIED" \
	"allow user accounts = yes: bpauser with NTLM is still refused"
expect_eq "$(table_dump)" "$before" "NTLM: the table is unchanged"
res=$(call -s "$BPA_PEER1_SMBCONF" --binding "$BPA_BINDING" \
	--ccache "$cc1" --blob "$peer1_blob")
expect_eq "$res" "status=NT_STATUS_OK hresult=0x80090003 server_key_length=0" \
	"min rsa bits = 3072: a 2048-bit client certificate gets NTE_BAD_KEY"
expect_eq "$(table_dump)" "$before" "too small a key: the table is unchanged"
expect_match "$(cat "$BPA_LOG")" "refused, invalid-certificate: RSA key 2048 < 3072 bits" \
	"the refusal is logged with the validator's reason"

dc_done
