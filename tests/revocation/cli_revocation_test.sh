#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# "bitspeerauth revocation check" and "peers revoke/unrevoke/revoked"
# (no DC), run by tests/ocsp/with_responders.sh: openssl's responder at
# the leaves' AIA, the CRLs at their CDP.  Output names the status, the
# deciding index and provider, the reason and the seconds to nextUpdate;
# the exit status is the policy's decision (soft / hard).
set -u
TOOL=$BPA_BUILD_ROOT/source/tools/bitspeerauth
T=$(mktemp -d /tmp/bpa-revcli-XXXXXX)
trap 'rm -rf "$T"' EXIT
n=0 failed=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else
		failed=$((failed + 1)); echo "not ok $n - $2"
		[ $# -ge 3 ] && printf '#   %s\n' "$3"
	fi
}
match() { printf '%s\n' "$1" | grep -Eq -- "$2"; ok $? "$3" "$1"; }

conf() {	# conf NAME [extra option lines]
	local f=$T/$1.conf
	shift
	{
		echo "[global]"
		echo "state directory = $T"
		echo "private dir = $T"
		echo "bitspeerauth:revocation list = $T/revoked.tdb"
		echo "bitspeerauth:revocation cache = $T/cache.tdb"
		echo "bitspeerauth:ca file = $BPA_PKI/ca.pem"
		for l in "$@"; do echo "$l"; done
	} > "$f"
	echo "$f"
}
C=$(conf soft)
H=$(conf hard "bitspeerauth:revocation check = hard")
O=$(conf ocsp "bitspeerauth:revocation providers = local ocsp")
rc() { "$@" >/dev/null 2>&1; echo $?; }

out=$("$TOOL" revocation check "$BPA_PKI/good.pem" -s "$C")
match "$out" '^status: S_OK \(0x00000000\)$' "good: S_OK"
match "$out" '^provider: ocsp$' "good: decided by ocsp (local passed it on)"
match "$out" '^next update in: [0-9]+ s$' "good: the seconds to nextUpdate"
ok "$(rc "$TOOL" revocation check "$BPA_PKI/good.pem" -s "$H")" "good: exit 0 also in hard mode"

out=$("$TOOL" revocation check "$BPA_PKI/revoked-affiliationChanged.pem" -s "$C")
st=$?
match "$out" '^status: CRYPT_E_REVOKED \(0x80092010\)$' "revoked: CRYPT_E_REVOKED"
match "$out" '^reason: affiliationChanged$' "revoked: the RFC 5280 reason name"
match "$out" '^next update in: [0-9]+ s$' "revoked: the seconds to nextUpdate of the deciding response"
[ "$st" = 1 ]; ok $? "revoked: exit 1 (refused) in soft mode"

out=$("$TOOL" revocation check "$BPA_PKI/unknown.pem" -s "$C" --json)
st=$?
match "$out" '"status": "CRYPT_E_REVOCATION_OFFLINE", "hresult": "0x80092013", "index": 0, "provider": "ocsp"' \
	"unknown: OFFLINE by ocsp (JSON)"
match "$out" '"revocation": "unknown", "mode": "soft", "accepted": false' \
	"unknown: refused in soft mode too"
[ "$st" = 1 ]; ok $? "unknown: exit 1"
printf '%s\n' "$out" | /usr/bin/python3 -c 'import json,sys; json.load(sys.stdin)'
ok $? "the --json output parses"

out=$("$TOOL" revocation check "$BPA_PKI/crlonly.pem" -s "$C")
match "$out" '^provider: crl$' "no AIA: ocsp passes it on, crl decides"
out=$("$TOOL" revocation check "$BPA_PKI/crlonly.pem" -s "$O"); st=$?
match "$out" '^status: CRYPT_E_NO_REVOCATION_CHECK \(0x80092012\)$' \
	"no AIA, no crl provider: NO_REVOCATION_CHECK"
match "$out" '^decision \(soft\): accepted, but the check did not take place$' \
	"soft: allowed, and the user is told the check did not take place"
[ "$st" = 0 ]; ok $? "soft: exit 0"
ok "$([ "$(rc "$TOOL" revocation check "$BPA_PKI/crlonly.pem" -s "$O" --mode hard)" = 1 ]; echo $?)" \
	"hard: the same is refused (exit 1)"
out=$("$TOOL" revocation check "$BPA_PKI/down.pem" -s "$H")
match "$out" '^status: CRYPT_E_REVOCATION_OFFLINE \(0x80092013\)$' "responder down: OFFLINE"
match "$out" '^decision \(hard\): refused$' "responder down: refused in hard mode"

out=$("$TOOL" revocation check "$BPA_PKI/leaf-of-inter-revoked.pem" \
	--chain "$BPA_PKI/inter-revoked.pem" -s "$C")
match "$out" '^index: 1$' "chain of three: the revoked intermediate's index"
match "$out" '^reason: cACompromise$' "chain of three: its reason"

# the administrator's list, by certificate
out=$("$TOOL" peers revoke --cert "$BPA_PKI/selfsigned.pem" --reason certificateHold -s "$C" 2>/dev/null)
match "$out" '^revoked certificate sha256 [0-9a-f]{64} \(certificateHold\)$' "peers revoke --cert"
out=$("$TOOL" revocation check "$BPA_PKI/selfsigned.pem" -s "$C")
match "$out" '^provider: local$' "a self-signed certificate: local decides"
match "$out" '^reason: certificateHold$' "... revoked, with the reason given"
out=$("$TOOL" peers revoked -s "$C")
match "$out" 'S-1-5-21-1004336348-1177238915-682003330-4000  [0-9a-f]{64}  certificateHold  ' \
	"peers revoked lists it (its CN)"
ok "$(rc "$TOOL" peers unrevoke --cert "$BPA_PKI/selfsigned.pem" -s "$C")" "peers unrevoke --cert"
ok "$(rc "$TOOL" revocation check "$BPA_PKI/selfsigned.pem" -s "$C")" "unrevoked: good again"
[ "$(rc "$TOOL" peers unrevoke --cert "$BPA_PKI/selfsigned.pem" -s "$C")" = 1 ]
ok $? "unrevoke of a certificate not listed: exit 1"
[ "$(rc "$TOOL" peers revoke --cert "$BPA_PKI/good.pem" --reason stolen -s "$C")" = 2 ]
ok $? "an unknown reason name: usage error"
[ "$(rc "$TOOL" revocation check "$BPA_PKI/good.pem" -s "$(conf bad "bitspeerauth:revocation providers = local scvp")")" = 3 ]
ok $? "an unknown provider name: refused (exit 3)"

echo "1..$n"
[ "$failed" = 0 ]
