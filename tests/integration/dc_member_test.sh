#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A domain member MEMBER next to the throwaway DC (dc-harness.sh start
# --member, member-start), serving the endpoint through samba-dcerpcd and
# rpcd_bitspeerauth: the join, the member's epmapper, exchanges with
# MEMBER and every refusal against it (MS-BPAU 3.1.4.1), the member's
# client CLI with no identity flags, MS-BPAU 4.1 end to end (both
# directions, then TLS between the two hosts), and smbtorture (rpc.mgmt,
# our suite) against MEMBER's endpoint.  One DC and one member; the
# member is restarted once (MS-BPAU 3.1.3, and the torture suite's table
# of one row).
. "$(dirname "$0")/dc_lib.sh"

TLS_PEER=${BPA_TLS_PEER:-$BPA_BUILD_ROOT/tests/integration/bpa_tls_peer}
CLI=$BPA_BUILD_ROOT/source/tools/bitspeerauth
TORTURE_MODULE=$BPA_BUILD_ROOT/torture/bitspeerauth_torture.so

dc_start member --member
member_start "MEMBER joined and serving (dc-harness.sh member-start)"

as_member() { "$HARNESS" member-exec "$DC_DIR" -- "$@"; }
as_dc() { "$HARNESS" dc-exec "$DC_DIR" -- "$@"; }
m_table_dump() { "$DC_CALL" --table "$BPA_MEMBER_PEER_TABLE" 2>/dev/null; }
m_table_sids() { m_table_dump | sed -n 's/^\(S-[0-9-]*\) .*/\1/p'; }
sorted() { printf '%s\n' "$@" | sort | tr '\n' ' '; }

# expect_refused checks MEMBER's table
REFUSED_DUMP=m_table_dump
REFUSED_TABLE="MEMBER's table"

# --- the join -------------------------------------------------------------
out=$(as_member net ads testjoin -s "$BPA_MEMBER_SMBCONF" 2>&1)
expect_match "$out" "Join is OK" "net ads testjoin on MEMBER: Join is OK"
out=$(in_ns samba-tool computer show MEMBER --attributes=objectSid,dNSHostName \
	-s "$BPA_SMBCONF" 2>/dev/null)
expect_match "$out" "^dNSHostName: member.bpa.test\$" \
	"the DC has MEMBER\$ with dNSHostName member.bpa.test"
expect_match "$BPA_MEMBER_SID" "^$BPA_DOMAIN_SID-[0-9]+\$" \
	"MEMBER\$'s SID is an account of the domain"
out=$(as_member wbinfo -n "$BPA_DOMAIN\\MEMBER\$" 2>&1)
expect_match "$out" "^$BPA_MEMBER_SID " \
	"MEMBER's winbindd maps BPA\\MEMBER\$ to that SID"

# --- the member's endpoint mapper -----------------------------------------
port=$(in_ns /usr/bin/python3 "$BPA_SOURCE_ROOT/buildtools/epm-lookup.py" \
	--host "$BPA_MEMBER_ADDR" "$BPA_MEMBER_SMBCONF" "$BPA_IFACE_UUID" \
	2>/dev/null)
expect_match "$port" '^[0-9]+$' \
	"MEMBER's epmapper (127.0.0.2:135) maps BitsPeerAuth to a TCP port"
all=$(in_ns /usr/bin/python3 "$BPA_SOURCE_ROOT/buildtools/epm-lookup.py" \
	--host "$BPA_MEMBER_ADDR" "$BPA_MEMBER_SMBCONF" 2>/dev/null)
expect_match "$all" "^$BPA_IFACE_UUID 1 $port " \
	"the epmapper's listing has BitsPeerAuth v1 on that dynamic port"
expect_match "$all" "^12345778-1234-abcd-ef00-0123456789ab 0 " \
	"and Samba's own lsarpc, from the same samba-dcerpcd"
dc_port=$(in_ns /usr/bin/python3 "$BPA_SOURCE_ROOT/buildtools/epm-lookup.py" \
	"$BPA_SMBCONF" "$BPA_IFACE_UUID" 2>/dev/null)
expect_eq "$dc_port" "$BPA_PORT" "the DC's own endpoint is still served"

# --- exchanges with MEMBER (3.1.4.1) --------------------------------------
cc1=$(dc_kinit 'PEER1$')
cc2=$(dc_kinit 'PEER2$')
ccu=$(dc_kinit bpauser)
m1_sign() { call -s "$BPA_PEER1_SMBCONF" --binding "$BPA_MEMBER_BINDING" --ccache "$cc1" "$@"; }
m2_seal() { call -s "$BPA_PEER2_SMBCONF" --binding "$BPA_MEMBER_BINDING_SEAL" --ccache "$cc2" "$@"; }
peer1_blob=$(make_blob PEER1 "$BPA_PEER1_SID")
peer2_blob=$(make_blob PEER2 "$BPA_PEER2_SID")
user_blob=$(make_blob bpauser "$BPA_USER_SID")

expect_eq "$(m_table_dump | head -n 1)" "count=0" \
	"MEMBER's table is empty at start (MS-BPAU 3.1.3)"
res=$(m1_sign --blob "$peer1_blob" --out "$DC_DIR/m1.blob")
expect_match "$res" "$SUCCESS_RE" \
	"PEER1\$ (created on the DC) to MEMBER, krb5 at integrity: S_OK"
expect_eq "$("$DC_CALL" --blob-subject "$DC_DIR/m1.blob" 2>&1)" \
	"$BPA_MEMBER_SID" "MEMBER's certificate subject is MEMBER\$'s SID"
expect_eq "$(m_table_sids)" "$BPA_PEER1_SID" "MEMBER's table holds PEER1\$"
res=$(m2_seal --blob "$peer2_blob" --out "$DC_DIR/m2.blob")
expect_match "$res" "$SUCCESS_RE" \
	"PEER2\$ to MEMBER, krb5 at privacy: S_OK"
expect_eq "$(m_table_sids | tr '\n' ' ')" \
	"$(sorted "$BPA_PEER1_SID" "$BPA_PEER2_SID")" \
	"MEMBER's table holds PEER1\$ and PEER2\$"
cmp -s "$DC_DIR/m1.blob" "$DC_DIR/m2.blob"
ok $? "MEMBER returns the same certificate to both callers"
expect_eq "$(table_sids)" "" "the DC's own table is untouched"
expect_match "$(cat "$BPA_MEMBER_LOG")" \
	"serving as member MEMBER\\\$ \($BPA_MEMBER_SID, member.bpa.test\)" \
	"the helper logs whom it serves as"

# --- refusals against MEMBER (3.1.4.1 <2>, 3.1.4) -------------------------
m=$BPA_MEMBER_ADDR
for case in "NTLM at integrity:ncacn_ip_tcp:$m[ntlm,sign]" \
	    "NTLM at privacy:ncacn_ip_tcp:$m[ntlm,seal]"; do
	expect_refused "${case%%:*} as PEER1\$ to MEMBER: 0x80070005" \
		"$ACCESSDENIED" call -s "$BPA_PEER1_SMBCONF" \
		--binding "${case#*:}" --user "PEER1\$@$BPA_REALM" \
		--password "$BPA_PEER1_PASSWORD" --blob "$peer1_blob"
done
expect_refused "anonymous to MEMBER: 0x80070005" "$ACCESSDENIED" \
	call -s "$BPA_PEER1_SMBCONF" --binding "ncacn_ip_tcp:$m[]" \
	--anonymous --blob "$peer1_blob"
expect_refused "user account bpauser (Kerberos) to MEMBER: 0x80070005" \
	"$ACCESSDENIED" call -s "$BPA_PEER1_SMBCONF" \
	--binding "$BPA_MEMBER_BINDING" --ccache "$ccu" --blob "$user_blob"
expect_refused "PEER1\$ sends PEER2\$'s certificate to MEMBER: 0x80070005" \
	"$ACCESSDENIED" m1_sign --blob "$peer2_blob"
expect_refused "PEER1\$ sends MEMBER's own certificate: 0x80070005" \
	"$ACCESSDENIED" m1_sign --blob "$DC_DIR/m1.blob"
expect_refused "NULL ClientKey with ClientKeyLength 5 to MEMBER: NDR fault" \
	"$BAD_STUB" m1_sign --raw-hex 0500000000000000
res=$(m1_sign --empty)
expect_match "$res" "$SUCCESS_RE" "MEMBER still serves after the refusals"
log=$(cat "$BPA_MEMBER_LOG")
for r in not-kerberos not-a-computer-account; do
	expect_match "$log" "refused-caller.*$r" \
		"MEMBER's log names the refusal reason $r"
done

# --- MS-BPAU 4.1: MEMBER <-> DC, the client with no identity flags --------
out=$(as_member timeout 120 "$CLI" exchange --server "$BPA_DC_FQDN" \
	-s "$BPA_MEMBER_SMBCONF" 2>&1)
st=$?
ok $st "MEMBER's client: exchange --server $BPA_DC_FQDN -s smb.conf, nothing else" \
	"$(printf '%s' "$out" | tail -3)"
expect_match "$out" "^server account: $BPA_DC_NETBIOS\\\$ $BPA_DC_SID \(winbind\)\$" \
	"the DC's SID came from MEMBER's winbindd"
expect_match "$out" "^local certificate: MEMBER\\\$ $BPA_MEMBER_SID " \
	"as MEMBER\$ (the machine account from its secrets.tdb)"
expect_match "$out" "^auth: type 16 level 5\$" "Kerberos at integrity"
expect_match "$(table_sids)" "^$BPA_MEMBER_SID\$" \
	"the DC's table holds MEMBER\$"
m_client=$("$DC_CALL" --table "$BPA_MEMBER_CLIENT_PEER_TABLE" 2>/dev/null)
expect_match "$m_client" "^$BPA_DC_SID " \
	"MEMBER's client table (its state directory) holds the DC"

out=$(as_dc timeout 120 "$CLI" exchange --server "$BPA_MEMBER_ADDR" \
	--target-hostname "$BPA_MEMBER_FQDN" -s "$BPA_SMBCONF" 2>&1)
st=$?
ok $st "the DC's client, as its machine account, exchanges with MEMBER" \
	"$(printf '%s' "$out" | tail -3)"
expect_match "$out" "^server account: MEMBER\\\$ $BPA_MEMBER_SID \(winbind\)\$" \
	"MEMBER's SID came from the DC's winbindd"
expect_match "$out" "^local certificate: $BPA_DC_NETBIOS\\\$ $BPA_DC_SID " \
	"as the DC's machine account"
expect_eq "$(m_table_sids | tr '\n' ' ')" \
	"$(sorted "$BPA_PEER1_SID" "$BPA_PEER2_SID" "$BPA_DC_SID")" \
	"MEMBER's table holds the DC"
dc_client=$("$DC_CALL" --table "$BPA_DIR/state/bitspeerauth_client_peers.tdb" \
	2>/dev/null)
expect_match "$dc_client" "^$BPA_MEMBER_SID " "the DC's client table holds MEMBER"

# TLS between the hosts: MEMBER serves with its certificate and its table,
# the DC connects with its certificate and its client table
m_cert=$BPA_MEMBER_DIR/private/bitspeerauth_cert.pem
m_key=$BPA_MEMBER_DIR/private/bitspeerauth_key.pem
d_cert=$BPA_DIR/private/bitspeerauth_cert.pem
d_key=$BPA_DIR/private/bitspeerauth_key.pem
d_client_table=$BPA_DIR/state/bitspeerauth_client_peers.tdb

# tls NAME: server on MEMBER, client as the DC (client options after --)
tls() {
	local pf=$DC_DIR/tls.port srv i
	rm -f "$pf"
	in_ns "$TLS_PEER" server --cert "$m_cert" --key "$m_key" \
		--table "$BPA_MEMBER_PEER_TABLE" --listen "$BPA_MEMBER_ADDR" \
		--port-file "$pf" >"$DC_DIR/tls.server" 2>&1 &
	srv=$!
	for ((i = 0; i < 100; i++)); do
		[ -s "$pf" ] && break
		sleep 0.1
	done
	in_ns "$TLS_PEER" client --connect "$BPA_MEMBER_ADDR" \
		--port "$(cat "$pf" 2>/dev/null || echo 0)" --bind 127.0.0.1 \
		"$@" >"$DC_DIR/tls.client" 2>&1
	wait "$srv"
	cat "$DC_DIR/tls.server" "$DC_DIR/tls.client"
}

out=$(tls --cert "$d_cert" --key "$d_key" --table "$d_client_table")
expect_match "$out" "^server: ok peer CN=$BPA_DC_SID\$" \
	"TLS: MEMBER accepts the DC's certificate (in MEMBER's table)"
expect_match "$out" "^client: ok peer CN=$BPA_MEMBER_SID\$" \
	"TLS: the DC accepts MEMBER's certificate (in its client table)"

certtool --generate-privkey --key-type rsa --bits 2048 \
	--outfile "$DC_DIR/stranger-key.pem" >/dev/null 2>&1
printf 'cn = "%s"\nexpiration_days = 30\ntls_www_client\ntls_www_server\nsigning_key\nencryption_key\n' \
	"$BPA_DC_SID" >"$DC_DIR/stranger.tmpl"
certtool --generate-self-signed --load-privkey "$DC_DIR/stranger-key.pem" \
	--template "$DC_DIR/stranger.tmpl" \
	--outfile "$DC_DIR/stranger-cert.pem" >/dev/null 2>&1
out=$(tls --cert "$DC_DIR/stranger-cert.pem" --key "$DC_DIR/stranger-key.pem" \
	--table "$d_client_table")
expect_match "$out" "^server: failed " \
	"TLS: a never-exchanged certificate (even with the DC's SID as CN) is refused by MEMBER"
expect_match "$out" "^client: failed " "and the connection fails for the client"

out=$("$CLI" peers remove "$BPA_DC_SID" --table "$BPA_MEMBER_PEER_TABLE" 2>&1)
ok $? "bitspeerauth peers remove the DC from MEMBER's table" "$out"
out=$(tls --cert "$d_cert" --key "$d_key" --table "$d_client_table")
expect_match "$out" "^server: failed " \
	"TLS: the DC's certificate, removed from MEMBER's table, is refused"
expect_match "$out" "^client: failed " "and the DC's connection fails"

# --- smbtorture against MEMBER's endpoint ---------------------------------
torture() {
	in_ns timeout 120 smbtorture "$@" 2>&1
}
# (each rpcd_ helper answers mgmt for its own interfaces only, and
# rpc.mgmt asks only interfaces smbtorture knows: unlike on the DC, our
# UUID is not in its listing)
out=$(torture "$BPA_MEMBER_BINDING" -s "$BPA_PEER1_SMBCONF" \
	-U "PEER1\$@$BPA_REALM%$BPA_PEER1_PASSWORD" --realm="$BPA_REALM" \
	--use-kerberos=required rpc.mgmt)
ok $? "smbtorture rpc.mgmt against MEMBER exits 0"
printf '%s\n' "$out" >"$DC_DIR/rpc-mgmt.out"
expect_match "$out" "^success: mgmt" "rpc.mgmt succeeds against MEMBER"

# our suite needs a table of one row (rpc.table-limit): restart MEMBER
# and a validator, which MEMBER's rpcd_ workers run from a child of
# theirs (exchange_async.h): the program notes its parent's name
VPROG=$DC_DIR/member-validator
printf '#!/bin/sh\ncat >/dev/null\ncat /proc/$PPID/comm >>%s\nexit 0\n' \
	"$VPROG.calls" >"$VPROG"
chmod 0755 "$VPROG"
"$HARNESS" member-stop "$DC_DIR" >/dev/null 2>&1
member_start "MEMBER restarted with max peers = 1 and a validator" \
	--option 'bitspeerauth:max peers = 1' \
	--option "bitspeerauth:validator command = $VPROG"
expect_eq "$(m_table_dump | head -n 1)" "count=0" \
	"MEMBER's table is empty after samba-dcerpcd restarted (MS-BPAU 3.1.3)"
out=$(torture "$BPA_MEMBER_BINDING" -s "$BPA_PEER1_SMBCONF" \
	-U "PEER1\$@$BPA_REALM%$BPA_PEER1_PASSWORD" --realm="$BPA_REALM" \
	--use-kerberos=required \
	--option="torture:bpa_samr_binding=ncacn_ip_tcp:127.0.0.1[krb5,seal,target_hostname=$BPA_DC_FQDN]" \
	--option="torture:bpa_second_account=PEER2\$@$BPA_REALM%$BPA_PEER2_PASSWORD" \
	--load-module="$TORTURE_MODULE" bitspeerauth)
ok $? "smbtorture bitspeerauth against MEMBER exits 0"
printf '%s\n' "$out" | grep -E '^(success|failure|error|skip):' | sed 's/^/# /'
expect_eq "$(printf '%s\n' "$out" | grep -cE '^(failure|error|skip):')" 0 \
	"no test of our suite failed or was skipped against MEMBER"
expect_match "$(sort -u "$VPROG.calls" 2>/dev/null | tr '\n' ' ')" '^bpa-check $' \
	"MEMBER ran its validator from a child of the worker (bpa-check), never on the worker's loop"

dc_done
