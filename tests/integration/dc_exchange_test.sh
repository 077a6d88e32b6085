#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# ExchangePublicKeys against a live DC (MS-BPAU 3.1.4.1), many cases on
# one DC.  Successes first (so the table is not empty), then every
# refusal, each asserting the HRESULT (or the RPC fault) AND that the
# peer table did not change.  Client certificates come from
# torture/torture_cert.c, an encoder independent of source/blob.
. "$(dirname "$0")/dc_lib.sh"

dc_start exchange
cc1=$(dc_kinit 'PEER1$')
cc2=$(dc_kinit 'PEER2$')
ccu=$(dc_kinit bpauser)

p1_sign() { call -s "$BPA_PEER1_SMBCONF" --binding "$BPA_BINDING" --ccache "$cc1" "$@"; }
p1_seal() { call -s "$BPA_PEER1_SMBCONF" --binding "$BPA_BINDING_SEAL" --ccache "$cc1" "$@"; }
p2_seal() { call -s "$BPA_PEER2_SMBCONF" --binding "$BPA_BINDING_SEAL" --ccache "$cc2" "$@"; }


# MS-BPAU 3.1.1.1: samba made its self-managed pair when it started, so
# the first caller does not pay for the key generation
srv_cert=$BPA_DIR/private/bitspeerauth_cert.pem
[ -s "$srv_cert" ]
ok $? "before any call, the server's self-managed certificate exists"
expect_match "$(grep "the local certificate" "$BPA_LOG")" \
	"created the local certificate $srv_cert" \
	"samba logged its creation at start-up"

peer1_blob=$(make_blob PEER1 "$BPA_PEER1_SID")
peer1b_blob=$(make_blob PEER1b "$BPA_PEER1_SID")
peer2_blob=$(make_blob PEER2 "$BPA_PEER2_SID")
user_blob=$(make_blob bpauser "$BPA_USER_SID")
notsid_blob=$(make_blob notsid "bitspeerauth test peer")

# --- successes ----------------------------------------------------------
res=$(p1_sign --empty --out "$DC_DIR/server0.blob")
expect_match "$res" "$SUCCESS_RE" \
	"ClientKeyLength 0 as PEER1\$ (krb5, integrity): S_OK with the server's blob"
expect_eq "$(table_sids)" "" "ClientKeyLength 0 adds nothing to the table"
expect_eq "$("$DC_CALL" --blob-subject "$DC_DIR/server0.blob" 2>&1)" \
	"$BPA_DC_SID" "the server's blob decodes; its subject is the DC's machine account SID"
openssl x509 -in "$srv_cert" -outform DER -out "$DC_DIR/server-cert.der"
n=$(stat -c %s "$DC_DIR/server-cert.der")
tail -c "$n" "$DC_DIR/server0.blob" | cmp -s - "$DC_DIR/server-cert.der"
ok $? "the first call's blob carries the certificate made at start-up"

res=$(p1_sign --blob "$peer1_blob" --out "$DC_DIR/server1.blob")
expect_match "$res" "$SUCCESS_RE" \
	"PEER1\$ with its own certificate, krb5 at integrity: S_OK"
expect_eq "$(table_sids)" "$BPA_PEER1_SID" "the table holds PEER1\$"
cmp -s "$DC_DIR/server0.blob" "$DC_DIR/server1.blob"
ok $? "the server returns the same certificate to every caller"

res=$(p2_seal --blob "$peer2_blob" --out "$DC_DIR/server2.blob")
expect_match "$res" "$SUCCESS_RE" \
	"PEER2\$ with its own certificate, krb5 at privacy: S_OK"
expect_eq "$(table_sids | tr '\n' ' ')" \
	"$(printf '%s\n' "$BPA_PEER1_SID" "$BPA_PEER2_SID" | sort | tr '\n' ' ')" \
	"the table holds PEER1\$ and PEER2\$"
expect_eq "$("$DC_CALL" --blob-subject "$DC_DIR/server2.blob" 2>&1)" \
	"$BPA_DC_SID" "over seal too, the server's subject is the DC's SID"

before=$(table_dump | grep "^$BPA_PEER1_SID ")
res=$(p1_seal --blob "$peer1b_blob")
expect_match "$res" "$SUCCESS_RE" "PEER1\$ again with a new certificate: S_OK"
after=$(table_dump | grep "^$BPA_PEER1_SID ")
[ -n "$after" ] && [ "${after%% inserted*}" != "${before%% inserted*}" ]
ok $? "the new certificate replaced PEER1\$'s row (MS-BPAU <4>)"
expect_eq "$(table_dump | head -n 1)" "count=2" "still two rows"

# --- who may call (3.1.4.1 <2>) ---------------------------------------
for case in \
	"NTLM at integrity:ncacn_ip_tcp:127.0.0.1[ntlm,sign]" \
	"NTLM at privacy:ncacn_ip_tcp:127.0.0.1[ntlm,seal]" \
	"SPNEGO (Kerberos inside) at integrity:ncacn_ip_tcp:127.0.0.1[spnego,sign,target_hostname=$BPA_DC_FQDN]"
do
	name=${case%%:*}
	binding=${case#*:}
	expect_refused "$name as PEER1\$ with its valid blob: 0x80070005" \
		"$ACCESSDENIED" call -s "$BPA_PEER1_SMBCONF" --binding "$binding" \
		--user "PEER1\$@$BPA_REALM" --password "$BPA_PEER1_PASSWORD" \
		--blob "$peer1_blob"
done
expect_refused "anonymous, no authentication: 0x80070005" "$ACCESSDENIED" \
	call -s "$BPA_PEER1_SMBCONF" --binding "ncacn_ip_tcp:127.0.0.1[]" \
	--anonymous --blob "$peer1_blob"
expect_refused "Kerberos at connect level: access denied by dcesrv" \
	"status=NT_STATUS_ACCESS_DENIED" \
	call -s "$BPA_PEER1_SMBCONF" \
	--binding "ncacn_ip_tcp:127.0.0.1[krb5,connect,target_hostname=$BPA_DC_FQDN]" \
	--ccache "$cc1" --blob "$peer1_blob"
for b in "$BPA_BINDING" "$BPA_BINDING_SEAL"; do
	expect_refused "user account bpauser, Kerberos ($b): 0x80070005" \
		"$ACCESSDENIED" call -s "$BPA_PEER1_SMBCONF" --binding "$b" \
		--ccache "$ccu" --blob "$user_blob"
done

# --- the certificate's subject (3.1.4.1) ------------------------------
expect_refused "PEER1\$ sends PEER2\$'s certificate (another computer's SID): 0x80070005" \
	"$ACCESSDENIED" p1_sign --blob "$peer2_blob"
expect_refused "subject is not a SID string: 0x80070005" \
	"$ACCESSDENIED" p1_sign --blob "$notsid_blob"
expect_refused "PEER1\$ sends the DC's own certificate: 0x80070005" \
	"$ACCESSDENIED" p1_sign --blob "$DC_DIR/server0.blob"

# --- malformed requests (3.1.4, NDR), as PEER1$ with Kerberos ---------
expect_refused "NULL ClientKey with ClientKeyLength 5: NDR fault" \
	"$BAD_STUB" p1_sign --raw-hex 0500000000000000
expect_refused "conformance 4 for ClientKeyLength 5: NDR fault" \
	"$BAD_STUB" p1_sign --raw-hex 0500000000000200040000000102030400
big=$DC_DIR/len65537.ndr
/usr/bin/python3 -c '
import struct, sys
n = 65537
sys.stdout.buffer.write(struct.pack("<III", n, 0x20000, n) + b"A" * n)' >"$big"
expect_refused "ClientKeyLength 65537: NDR fault (range 0..65536)" \
	"$BAD_STUB" p1_sign --raw "$big"
expect_refused "opnum 1: op-range fault" \
	"status=NT_STATUS_RPC_PROCNUM_OUT_OF_RANGE" \
	p1_sign --raw-hex 0000000000000000 --opnum 1
garbage=$DC_DIR/garbage.blob
printf 'not a CERTIFICATE_BLOB at all' >"$garbage"
before=$(table_dump)
res=$(p1_sign --blob "$garbage")
expect_match "$res" "^status=NT_STATUS_OK hresult=0x8[0-9a-f]{7} server_key_length=0\$" \
	"a malformed blob: an error HRESULT and no server key"
expect_eq "$(table_dump)" "$before" "malformed blob: the peer table is unchanged"
head -c 200 "$peer1_blob" >"$DC_DIR/truncated.blob"
before=$(table_dump)
res=$(p1_sign --blob "$DC_DIR/truncated.blob")
expect_match "$res" "^status=NT_STATUS_OK hresult=0x8[0-9a-f]{7} server_key_length=0\$" \
	"a truncated blob: an error HRESULT and no server key"
expect_eq "$(table_dump)" "$before" "truncated blob: the peer table is unchanged"

# --- a second client: impacket's NTLM and its own NDR encoder ---------
before=$(table_dump)
res=$(in_ns /usr/bin/python3 "$BPA_SOURCE_ROOT/tests/integration/dc_impacket_ntlm.py" \
	127.0.0.1 "$BPA_PORT" "$BPA_DOMAIN" 'PEER1$' "$BPA_PEER1_PASSWORD" \
	"$peer1_blob" 2>&1)
expect_match "$res" "^ntlm-integrity hresult=0x80070005 keylen=0\$" \
	"impacket, NTLM at integrity, PEER1\$ with its blob: 0x80070005"
expect_match "$res" "^ntlm-privacy hresult=0x80070005 keylen=0\$" \
	"impacket, NTLM at privacy, PEER1\$ with its blob: 0x80070005"
expect_match "$res" "^ntlm-null-key-length-5 fault=rpc_x_bad_stub_data\$" \
	"impacket, NULL ClientKey with length 5: bad stub data fault"
expect_eq "$(table_dump)" "$before" "impacket cases: the peer table is unchanged"

# --- a bind offering NDR64 and NDR32 ----------------------------------
res=$(in_ns /usr/bin/python3 "$BPA_SOURCE_ROOT/tests/integration/dc_bind_syntax.py" \
	127.0.0.1 "$BPA_PORT" 2>&1)
expect_eq "$res" "ctx0=2/2 ctx1=0/0 response=response hresult=0x80070005" \
	"NDR64+NDR32 bind: NDR64 rejected, NDR32 accepted and served (unauthenticated: 0x80070005)"

# --- every call was logged with its reason ----------------------------
log=$(cat "$BPA_LOG")
expect_match "$log" "ExchangePublicKeys from $BPA_PEER1_SID \(BPA.PEER1\\$\) at ipv4:127.0.0.1:[0-9]+ \[krb5/integrity\].*: added subject=$BPA_PEER1_SID" \
	"a success is logged with caller SID, account, address, auth and verdict"
expect_match "$log" "refused, refused-caller: not-kerberos" \
	"an NTLM refusal is logged with its named reason"
expect_match "$log" "refused, refused-caller: not-a-computer-account" \
	"a user-account refusal is logged with its named reason"
expect_match "$log" "refused, wrong-subject: subject-is-not-the-caller" \
	"a subject mismatch is logged with its named reason"

dc_done
