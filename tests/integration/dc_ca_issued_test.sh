#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# CA-issued peer certificates on a live DC (seed ocsp-revocation-provider,
# "Trust anchors for CA-issued peer certificates"; README "Revocation"):
# the DC runs with "bitspeerauth:ca file" naming an enterprise CA (made
# here with certtool) and "revocation check = hard"; openssl's own OCSP
# responder (openssl ocsp -index) answers for that CA on a loopback
# address inside the DC's network namespace, the AIA URL of every leaf.
#
#   - a leaf issued by the CA with CN = the caller's SID, status good:
#     S_OK, stored;
#   - the same for a leaf the CA revoked: CRYPT_E_REVOKED (0x80092010);
#   - a leaf issued by another CA: CERT_E_CHAINING (0x800B010A);
#   - a leaf of the CA naming another account's SID: 0x80070005 first;
#   - the responder stopped, hard mode: CRYPT_E_REVOCATION_OFFLINE
#     (0x80092013), and a CA-issued leaf without any revocation source:
#     CRYPT_E_NO_REVOCATION_CHECK (0x80092012);
#   - a self-signed peer certificate is still accepted in hard mode (the
#     administrator's list is authoritative for those).
# Every refusal leaves the peer table byte for byte as it was.
. "$(dirname "$0")/dc_lib.sh"

W=$BPA_BUILD_ROOT/tests/integration/ca-issued-$$
rm -rf "$W"
mkdir -p "$W"
OCSP_PORT=8890
OCSP_URL=http://127.0.0.1:$OCSP_PORT/
RESPONDER_PID=""
cleanup() {
	[ -n "$RESPONDER_PID" ] && kill "$RESPONDER_PID" 2>/dev/null
	dc_cleanup
	rm -rf "$W"
}

# --- the CAs, before the DC starts: it loads "ca file" at start ---------
ca() {	# ca NAME CN
	certtool --generate-privkey --rsa --bits 2048 \
		--outfile "$W/$1.key" >/dev/null 2>&1
	printf 'cn = "%s"\nca\ncert_signing_key\ncrl_signing_key\n%s\n' \
		"$2" "expiration_days = 3650" > "$W/$1.tmpl"
	certtool --generate-self-signed --load-privkey "$W/$1.key" \
		--template "$W/$1.tmpl" --outfile "$W/$1.pem" >/dev/null 2>&1
}
ca ca "BPA Test Peer CA"
ca other "BPA Test Peer CA"	# the same name, another key
[ -s "$W/ca.pem" ] && [ -s "$W/other.pem" ] ||
	{ echo "Bail out! certtool failed"; exit 1; }

dc_start ca-issued --option "bitspeerauth:ca file = $W/ca.pem" \
	--option "bitspeerauth:revocation check = hard" \
	--option "bitspeerauth:revocation url timeout = 2000" \
	--option 'bitspeerauth:audit json = yes'
trap cleanup EXIT

# leaf NAME CN ISSUER [noaia]: NAME.der issued by ISSUER, and its blob
leaf() {
	certtool --generate-privkey --rsa --bits 2048 \
		--outfile "$W/$1.key" >/dev/null 2>&1
	{
		echo "cn = \"$2\""
		echo "tls_www_client"
		echo "tls_www_server"
		echo "signing_key"
		echo "expiration_days = 30"
		[ "${4:-}" = noaia ] || echo "ocsp_uri = $OCSP_URL"
	} > "$W/$1.tmpl"
	certtool --generate-certificate --load-privkey "$W/$1.key" \
		--load-ca-certificate "$W/$3.pem" \
		--load-ca-privkey "$W/$3.key" --template "$W/$1.tmpl" \
		--outfile "$W/$1.pem" >/dev/null 2>&1
	openssl x509 -in "$W/$1.pem" -outform DER -out "$W/$1.der" \
		2>/dev/null
	"$DC_CALL" --blob-of-cert "$W/$1.der" --out "$W/$1.blob" \
		>/dev/null 2>&1 || echo "# blob of $1 failed" >&2
}
leaf good1 "$BPA_PEER1_SID" ca
leaf revoked2 "$BPA_PEER2_SID" ca
leaf foreign1 "$BPA_PEER1_SID" other
leaf wrongsid2 "$BPA_PEER1_SID" ca
leaf good3 "$BPA_PEER3_SID" ca
leaf noaia4 "$BPA_PEER4_SID" ca noaia
for f in good1 revoked2 foreign1 wrongsid2 good3 noaia4; do
	[ -s "$W/$f.blob" ] || { echo "Bail out! leaf $f failed"; exit 1; }
done

# openssl ocsp's index: V for the good ones, R (keyCompromise) for one
index_line() {	# index_line STATUS NAME
	local serial subject exp revoked=""
	serial=$(openssl x509 -in "$W/$2.pem" -noout -serial | cut -d= -f2)
	subject=$(openssl x509 -in "$W/$2.pem" -noout -subject \
		-nameopt compat | sed 's/^subject=//')
	exp=$(date -u -d '+30 days' +%y%m%d%H%M%SZ)
	[ "$1" = R ] && revoked="$(date -u -d '-1 hour' +%y%m%d%H%M%SZ),keyCompromise"
	printf '%s\t%s\t%s\t%s\tunknown\t%s\n' "$1" "$exp" "$revoked" \
		"$serial" "$subject"
}
{
	index_line V good1
	index_line R revoked2
	index_line V wrongsid2
	index_line V good3
} > "$W/index.txt"
# two leaves name PEER1$'s SID
echo "unique_subject = no" > "$W/index.txt.attr"
# not through in_ns: $! must be openssl itself, to stop it below
ip netns exec "$BPA_NETNS" openssl ocsp -index "$W/index.txt" -port "$OCSP_PORT" \
	-rsigner "$W/ca.pem" -rkey "$W/ca.key" -CA "$W/ca.pem" \
	-ndays 1 > "$W/ocsp.log" 2>&1 &
RESPONDER_PID=$!
i=0
until grep -q 'waiting for OCSP' "$W/ocsp.log" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 100 ] && { echo "Bail out! openssl ocsp did not start"; exit 1; }
	sleep 0.1
done

cc() { dc_kinit "PEER$1\$"; }
as_peer() {	# as_peer N BLOB: PEER<N>$ sends BLOB
	local conf_var=BPA_PEER${1}_SMBCONF
	call -s "${!conf_var:-$BPA_PEER1_SMBCONF}" --binding "$BPA_BINDING" \
		--ccache "$(cc "$1")" --blob "$2"
}
refused() {	# refused N NAME HRESULT WHAT
	local before
	before=$(table_dump)
	expect_eq "$(as_peer "$1" "$W/$2.blob")" \
		"status=NT_STATUS_OK hresult=$3 server_key_length=0" "$4"
	expect_eq "$(table_dump)" "$before" "$4: the table is unchanged"
}

expect_match "$(as_peer 1 "$W/good1.blob")" "$SUCCESS_RE" \
	"PEER1\$, a leaf of the configured CA, OCSP good: S_OK"
expect_eq "$(table_sids)" "$BPA_PEER1_SID" "PEER1\$'s CA-issued certificate is stored"
refused 2 revoked2 0x80092010 \
	"PEER2\$, a leaf the CA revoked: CRYPT_E_REVOKED"
refused 1 foreign1 0x800b010a \
	"PEER1\$, a leaf of another CA of the same name: CERT_E_CHAINING"
expect_match "$(cat "$BPA_LOG")" "not issued by a trust anchor \\(ca file\\)" \
	"the log says the certificate is not issued by a trust anchor"
refused 2 wrongsid2 0x80070005 \
	"PEER2\$ with the CA's leaf for PEER1\$'s SID: E_ACCESSDENIED"
refused 4 noaia4 0x80092012 \
	"PEER4\$, a CA-issued leaf with no OCSP URL or CRL, hard mode: CRYPT_E_NO_REVOCATION_CHECK"

kill "$RESPONDER_PID" 2>/dev/null
wait "$RESPONDER_PID" 2>/dev/null
RESPONDER_PID=""
refused 3 good3 0x80092013 \
	"PEER3\$, the responder down, hard mode: CRYPT_E_REVOCATION_OFFLINE"
expect_match "$(as_peer 3 "$(make_blob PEER3 "$BPA_PEER3_SID")")" \
	"$SUCCESS_RE" "PEER3\$ with a self-signed certificate, hard mode: S_OK"

res=$(sed -n 's/^ *bitspeerauth-audit: //p' "$BPA_LOG" | /usr/bin/python3 -c '
import json, sys
for l in sys.stdin:
    if l.strip():
        r = json.loads(l)
        print(r["verdict"], r.get("revocation"), r["hresult"])' 2>&1)
expect_match "$res" "^added good 0x00000000
revoked revoked 0x80092010
" "the JSON audit lines: added (good), revoked"

dc_done
