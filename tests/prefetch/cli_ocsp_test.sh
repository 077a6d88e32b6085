#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# cli_ocsp_test.sh BITSPEERAUTH (run by with_pki.sh): "bitspeerauth ocsp
# fetch" against a real openssl ocsp on 127.0.0.1:8890 (good, revoked,
# no AIA URL, responder down, usage), "bitspeerauth ocsp status" from
# an smb.conf (issuer from the ca file, the response file checked, an
# out-of-range option named) and "bitspeerauth ocsp prefetch" (a
# member's prefetcher: the file kept, status, one at a time, SIGTERM,
# and what it refuses).  TAP.
set -u
TOOL=$1
[ -n "${BPA_CLI_WRAPPER:-}" ] && TOOL="$BPA_CLI_WRAPPER $TOOL"
P=$BPA_PKI
T=$BPA_TMP/cli
mkdir -p "$T"
n=0
fails=0
ok() {	# ok DESCRIPTION COMMAND...: the command succeeds
	n=$((n + 1))
	d=$1
	shift
	if "$@"; then
		echo "ok $n - $d"
	else
		echo "not ok $n - $d"
		fails=$((fails + 1))
	fi
}
rc_is() {	# rc_is WANT COMMAND...: exit status and output in $T/out
	want=$1
	shift
	"$@" >"$T/out" 2>&1
	got=$?
	[ "$got" = "$want" ] || { echo "# exit $got, want $want:"; \
		sed 's/^/# /' "$T/out"; return 1; }
}
has() { grep -q -- "$1" "$T/out" || { echo "# no '$1' in:"; \
	sed 's/^/# /' "$T/out"; return 1; }; }
good_for() {	# good_for DER-FILE: openssl verifies it, good for good.pem
	openssl ocsp -respin "$1" -issuer "$P/ca.pem" -cert "$P/good.pem" \
		-CAfile "$P/ca.pem" -no_nonce 2>&1 | grep -q 'good.pem: good'
}

(cd "$P" && exec openssl ocsp -index index.txt -port 8890 -rsigner ca.pem \
	-rkey ca.key -CA ca.pem -nmin 1 >"$T/ossl.log" 2>&1) &
OSSL=$!
trap 'kill $OSSL 2>/dev/null; wait $OSSL 2>/dev/null' EXIT
i=0
until grep -q "waiting for OCSP" "$T/ossl.log" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || break; sleep 0.1
done

ok "fetch good: exit 0" rc_is 0 $TOOL ocsp fetch --cert "$P/good.pem" \
	--issuer "$P/ca.pem" --out "$T/good.der"
ok "fetch good: says good" has "result: good"
ok "fetch good: the URL" has "url: http://127.0.0.1:8890/"
ok "fetch good: the file verifies as good (openssl)" good_for "$T/good.der"
ok "fetch good: mode 0644" sh -c \
	"[ \"\$(stat -c %a '$T/good.der')\" = 644 ]"
ok "fetch --json" rc_is 0 $TOOL ocsp fetch --cert "$P/good.pem" \
	--issuer "$P/ca.pem" --json
ok "fetch --json: outcome" has '"outcome": "good"'
ok "fetch revoked: exit 1" rc_is 1 $TOOL ocsp fetch \
	--cert "$P/revoked-keyCompromise.pem" --issuer "$P/ca.pem" \
	--out "$T/revoked.der"
ok "fetch revoked: says so" has "revoked (keyCompromise)"
ok "fetch revoked: no file written" test ! -e "$T/revoked.der"
ok "fetch without AIA: exit 1" rc_is 1 $TOOL ocsp fetch \
	--cert "$P/noaia.pem" --issuer "$P/ca.pem"
ok "fetch without AIA: the seed's error" \
	has CRYPT_E_NOT_IN_REVOCATION_DATABASE
ok "fetch with the wrong issuer: exit 3" rc_is 3 $TOOL ocsp fetch \
	--cert "$P/good.pem" --issuer "$P/other-ca.pem"
ok "fetch without --cert: usage" rc_is 2 $TOOL ocsp fetch
ok "no subcommand: usage" rc_is 2 $TOOL ocsp
ok "usage names status" has "bitspeerauth ocsp status"

cat > "$T/smb.conf" <<EOC
[global]
	bitspeerauth:certificate file = $P/good.pem
	bitspeerauth:key file = $P/good.key
	bitspeerauth:ca file = $P/ca.pem
	bitspeerauth:ocsp response file = $T/resp.der
EOC
ok "status, nothing yet: exit 0" rc_is 0 $TOOL ocsp status -s "$T/smb.conf"
ok "status: the URL" has "url: http://127.0.0.1:8890/"
ok "status: issuer from the ca file" has "issuer: the ca file"
ok "status: auto is async" has "prefetch: async (ocsp prefetch = auto)"
ok "status: no response file" has "(absent)"
ok "status: not running" has "not running"
cp "$T/good.der" "$T/resp.der"
ok "status, a one-minute response, min validity 600" rc_is 0 $TOOL ocsp \
	status -s "$T/smb.conf"
ok "status: good but not handed out" has "less than ocsp min validity"
printf '\tbitspeerauth:ocsp min validity = 30\n' >> "$T/smb.conf"
ok "status with a response file" rc_is 0 $TOOL ocsp status -s "$T/smb.conf"
ok "status: the file is good" has "good, handed out"
ok "status --json" rc_is 0 $TOOL ocsp status -s "$T/smb.conf" --json
ok "status --json: url and state" sh -c "grep -q '\"url\": \"http://127.0.0.1:8890/\"' '$T/out' && grep -q '\"responseFileState\": \"good, handed out\"' '$T/out' && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' '$T/out'"
printf '\tbitspeerauth:ocsp min validity = 0\n' >> "$T/smb.conf"
ok "status, min validity 0" rc_is 0 $TOOL ocsp status -s "$T/smb.conf"
ok "status: the refused option is named" \
	has "refused: bitspeerauth:ocsp min validity is out of range"
# --- ocsp prefetch: the prefetcher in the foreground (a member's) -------
cat > "$T/pf.conf" <<EOC
[global]
	server role = member server
	bitspeerauth:certificate file = $P/good.pem
	bitspeerauth:key file = $P/good.key
	bitspeerauth:ca file = $P/ca.pem
	bitspeerauth:ocsp response file = $T/pf.der
	bitspeerauth:ocsp min validity = 30
EOC
$TOOL ocsp prefetch -s "$T/pf.conf" >"$T/pf.out" 2>&1 &
PF=$!
i=0
until [ -s "$T/pf.der" ] && [ -s "$T/pf.der.status" ]; do
	i=$((i + 1)); [ $i -lt 200 ] || break; sleep 0.1
done
ok "prefetch: the response file appears" test -s "$T/pf.der"
ok "prefetch: it verifies as good (openssl)" good_for "$T/pf.der"
ok "prefetch: says what it runs" sh -c \
	"grep -q '^prefetching (async) the OCSP response of $P/good.pem from http://127.0.0.1:8890/, issuer from the ca file' '$T/pf.out'"
ok "prefetch: status while it runs" rc_is 0 $TOOL ocsp status \
	-s "$T/pf.conf"
ok "prefetch: status names its pid" has "prefetcher: pid $PF,"
ok "prefetch: status says good" has "state: good"
ok "prefetch: a second one on the same file refuses" rc_is 3 $TOOL ocsp \
	prefetch -s "$T/pf.conf"
ok "prefetch: because of the lock" has "another prefetcher holds it"
kill -TERM $PF
wait $PF
ok "prefetch: SIGTERM stops it with exit 0" test $? = 0
ok "prefetch: it says so" grep -q "^stopped by signal 15" "$T/pf.out"
ok "prefetch: the response file stays for the next start" test -s "$T/pf.der"
ok "status after the stop" rc_is 0 $TOOL ocsp status -s "$T/pf.conf" --json
ok "status after the stop: the status file, not running" python3 -c \
	'import json,sys; d=json.load(open(sys.argv[1])); assert d["statusFile"] and not d["running"] and d["pid"] == int(sys.argv[2]), d' \
	"$T/out" "$PF"
ok "status after the stop: says so" rc_is 0 $TOOL ocsp status \
	-s "$T/pf.conf"
ok "status after the stop: its pid, not running" \
	has "prefetcher: pid $PF, not running (its last status"

sed 's/server role = member server/server role = active directory domain controller/' \
	"$T/pf.conf" >"$T/pf-dc.conf"
ok "prefetch on an AD DC: exit 3" rc_is 3 $TOOL ocsp prefetch \
	-s "$T/pf-dc.conf"
ok "prefetch on an AD DC: samba runs it there" has "this is an AD DC"
printf '\tbitspeerauth:ocsp prefetch = no\n' >"$T/pf-no.conf.add"
cat "$T/pf.conf" "$T/pf-no.conf.add" >"$T/pf-no.conf"
ok "prefetch = no: exit 0 at once" rc_is 0 $TOOL ocsp prefetch \
	-s "$T/pf-no.conf"
ok "prefetch = no: nothing to prefetch" has "nothing to prefetch"
sed "s|$P/good|$P/noaia|" "$T/pf.conf" >"$T/pf-noaia.conf"
printf '\tbitspeerauth:ocsp prefetch = async\n' >>"$T/pf-noaia.conf"
ok "prefetch = async, no AIA URL: exit 3" rc_is 3 $TOOL ocsp prefetch \
	-s "$T/pf-noaia.conf"
ok "prefetch = async, no AIA URL: the seed's error" \
	has CRYPT_E_NOT_IN_REVOCATION_DATABASE
sed "s|ca file = $P/ca.pem|ca file = $P/other-ca.pem|" "$T/pf.conf" \
	>"$T/pf-noissuer.conf"
ok "prefetch, the issuer in neither file: exit 3" rc_is 3 $TOOL ocsp \
	prefetch -s "$T/pf-noissuer.conf"
ok "prefetch, the issuer in neither file: E_INVALIDARG" has E_INVALIDARG

kill $OSSL; wait $OSSL 2>/dev/null
ok "fetch, responder down: exit 1" rc_is 1 $TOOL ocsp fetch \
	--cert "$P/good.pem" --issuer "$P/ca.pem" --timeout 500
ok "fetch, responder down: transport error" has "transport-error"

echo "1..$n"
[ $fails = 0 ]
