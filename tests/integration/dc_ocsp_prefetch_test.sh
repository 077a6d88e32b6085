#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# OCSP prefetch on a live DC (seed cert-open-server-ocsp-response,
# docs/ocsp-prefetch.md): samba -M prefork with the administrator's
# CA-issued certificate (certtool: CN = the DC's machine SID, an OCSP
# AIA URL, the file holding the leaf then the CA) and "ocsp prefetch =
# sync" against a real openssl ocsp in the harness's namespace.  When
# samba's start returns without a responder (after the URL timeout),
# the response file appears once the responder is up and holds a good
# response for that certificate; "bitspeerauth ocsp status" shows the
# schedule (max-before-next-update) and a refresh comes seconds later,
# retrieved by one process only (the prefetch process the rpc task
# forked, not the workers); the exchange
# still returns that certificate's blob and the administrator's files
# are byte for byte unchanged.
. "$(dirname "$0")/dc_lib.sh"

W=$BPA_BUILD_ROOT/tests/integration/ocsp-prefetch-$$
rm -rf "$W"
mkdir -p "$W"
CERT=$W/machine-cert.pem
KEY=$W/machine-key.pem
RESP=$W/ocsp-response.der
TOOL=$BPA_BUILD_ROOT/source/tools/bitspeerauth
OSSL=""
stop_responder() {
	[ -n "$OSSL" ] && kill "$OSSL" 2>/dev/null && wait "$OSSL" 2>/dev/null
	OSSL=""
}
# openssl ocsp in the DC's namespace, on the certificate's AIA port
start_responder() {
	(cd "$W" && exec ip netns exec "$BPA_NETNS" openssl ocsp \
		-index index.txt -port 8890 -rsigner ca.pem -rkey ca.key \
		-CA ca.pem -nmin 1 >>"$W/ossl.log" 2>&1) &
	OSSL=$!
}
comm_of() { cat "/proc/$1/comm" 2>/dev/null; }
ppid_of() { awk '{ print $4 }' "/proc/$1/stat" 2>/dev/null; }
cleanup() { stop_responder; dc_cleanup; rm -rf "$W"; }

start() {
	dc_start ocsp-prefetch --model prefork \
		--option "bitspeerauth:certificate file = $CERT" \
		--option "bitspeerauth:key file = $KEY" \
		--option "bitspeerauth:ocsp prefetch = sync" \
		--option "bitspeerauth:ocsp response file = $RESP" \
		--option "bitspeerauth:ocsp url timeout = 3000" \
		--option "bitspeerauth:ocsp min validity = 30" \
		--option "bitspeerauth:ocsp max before next update = 55" \
		--option "bitspeerauth:ocsp min before next update = 2" \
		--option "bitspeerauth:ocsp min after next update = 1" \
		--option "debug pid = yes" \
		--option "log level = 1 bitspeerauth:3"
	trap cleanup EXIT
}
start
tool() { "$TOOL" "$@" -s "$BPA_SMBCONF"; }

# --- the PKI: a CA and the DC's certificate with an OCSP URL ------------
certtool --generate-privkey --rsa --bits 2048 --outfile "$W/ca.key" \
	>/dev/null 2>&1
printf 'cn = "BPA Prefetch Test CA"\nca\ncert_signing_key\ncrl_signing_key\nexpiration_days = 3650\n' \
	> "$W/ca.tmpl"
certtool --generate-self-signed --load-privkey "$W/ca.key" \
	--template "$W/ca.tmpl" --outfile "$W/ca.pem" >/dev/null 2>&1
certtool --generate-privkey --rsa --bits 2048 --outfile "$KEY" \
	>/dev/null 2>&1
chmod 0600 "$KEY"
cat > "$W/leaf.tmpl" <<EOT
cn = "$BPA_DC_SID"
tls_www_server
tls_www_client
signing_key
encryption_key
expiration_days = 365
ocsp_uri = "http://127.0.0.1:8890/"
EOT
certtool --generate-certificate --load-privkey "$KEY" \
	--load-ca-certificate "$W/ca.pem" --load-ca-privkey "$W/ca.key" \
	--template "$W/leaf.tmpl" --outfile "$W/leaf.out" >/dev/null 2>&1
certtool --certificate-info --infile "$W/leaf.out" --outder \
	--outfile "$W/leaf.der" >/dev/null 2>&1
sed -n '/-----BEGIN/,/-----END/p' "$W/leaf.out" > "$CERT"
cat "$W/ca.pem" >> "$CERT"
chmod 0644 "$CERT"
[ -s "$W/leaf.der" ] || { echo "Bail out! certtool failed"; exit 1; }
serial=$(openssl x509 -in "$W/leaf.out" -noout -serial | sed 's/serial=//')
end=$(date -u -d "$(openssl x509 -in "$W/leaf.out" -noout -enddate |
	sed 's/notAfter=//')" +%y%m%d%H%M%SZ)
printf 'V\t%s\t\t%s\tunknown\t/CN=%s\n' "$end" "$serial" "$BPA_DC_SID" \
	> "$W/index.txt"
echo "unique_subject = no" > "$W/index.txt.attr"
sums() { sha256sum "$CERT" "$KEY" | awk '{ print $1 }' | tr '\n' ' '; }
before=$(sums)

# --- samba restarted with it, no responder yet: sync start returns -----
dc_stop
start
expect_match "$(grep -c 'OCSP prefetch: sync from http://127.0.0.1:8890/, issuer from the certificate file' "$BPA_LOG")" \
	"^1$" "sync prefetch started once, issuer from the certificate file"
[ ! -e "$RESP" ]
ok $? "sync, responder down: samba's start returned, no response file"
grep -q "Couldn't connect" "$BPA_LOG"
ok $? "sync, responder down: the failed first retrieval is logged"

# --- the responder in the DC's namespace: the file appears --------------
start_responder
for i in $(seq 250); do
	[ -s "$RESP" ] && break
	sleep 0.1
done
[ -s "$RESP" ]
ok $? "the response file appears once the responder is up (backoff)"
in_ns openssl ocsp -respin "$RESP" -issuer "$W/ca.pem" -cert "$W/leaf.out" \
	-CAfile "$W/ca.pem" -no_nonce 2>&1 | grep -q ': good$'
ok $? "the response file: a good response for the DC's certificate (openssl)"
expect_eq "$(stat -c %a "$RESP")" "644" "the response file is mode 0644"

st=$(tool ocsp status)
expect_match "$st" "^state: good$" "ocsp status: state good" "$st"
expect_match "$st" "^url: http://127.0.0.1:8890/$" "ocsp status: the AIA URL"
expect_match "$st" "^issuer: the certificate file$" \
	"ocsp status: the issuer from the certificate file's chain"
expect_match "$st" "^prefetch: sync " "ocsp status: sync"
pid=$(echo "$st" | sed -n 's/^prefetcher: pid \([0-9]*\),.*/\1/p')
expect_eq "$(comm_of "$pid")" "bpa-ocsp" \
	"the prefetcher ($pid) is the prefetch process"
watcher=$(ppid_of "$pid")
expect_eq "$(comm_of "$watcher")" "bpa-ocsp-watch" \
	"its parent is the watcher that restarts it"
expect_eq "$(comm_of "$(ppid_of "$watcher")")" "rpc[master]" \
	"the watcher's parent is samba's rpc task (the prefork master), not a worker"
expect_eq "$(grep -c 'OCSP prefetch process [0-9]* running' "$BPA_LOG")" "1" \
	"one prefetch process for the whole samba (not one per worker)"
expect_match "$st" "^next retrieval: .* \\(in [0-9]+ s, max-before-next-update\\)$" \
	"ocsp status: the next retrieval and its rule"
expect_match "$st" "^next update: .* \\(in [0-9]+ s\\)$" \
	"ocsp status: nextUpdate"
json=$(tool ocsp status --json)
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["state"] == "good" and d["rule"] == "max-before-next-update" and d["running"]' "$json"
ok $? "ocsp status --json: good, its rule, running" "$json"

# --- the exchange: the certificate's blob, the files unchanged ----------
cc=$(dc_kinit 'PEER1$')
expect_match "$(call -s "$BPA_PEER1_SMBCONF" --binding "$BPA_BINDING" \
	--ccache "$cc" --blob "$(make_blob PEER1 "$BPA_PEER1_SID")" \
	--out "$W/reply")" "$SUCCESS_RE" "the exchange succeeds"
n=$(stat -c %s "$W/leaf.der")
tail -c "$n" "$W/reply" 2>/dev/null | cmp -s - "$W/leaf.der"
ok $? "the exchange returns the CA-issued certificate's blob"
expect_eq "$(sums)" "$before" "certificate and key files byte for byte unchanged"

# --- a refresh (five seconds after), by the rpc task alone --------------
first=$(md5sum < "$RESP")
for i in $(seq 150); do
	[ "$(md5sum < "$RESP" 2>/dev/null)" != "$first" ] && break
	sleep 0.1
done
[ "$(md5sum < "$RESP")" != "$first" ]
ok $? "a refreshed response replaced the file within 15 s"
st=$(tool ocsp status)
expect_match "$st" "^retrievals: [2-9][0-9]*, failing: 0$" \
	"ocsp status: more than one retrieval, none failing" "$st"
expect_match "$st" "^prefetcher: pid $pid," "the same process retrieves"
lines=$(grep -B1 "OCSP response for the local certificate from" "$BPA_LOG" |
	grep -o 'pid=[0-9]*' | sort -u)
expect_eq "$lines" "pid=$pid" "only the prefetch process retrieved (the log's pids)" \
	"$(grep -B1 'OCSP response for the local' "$BPA_LOG" | head -n 6)"
expect_eq "$(sums)" "$before" "files still unchanged"

# --- the responder down: the last good response is kept -----------------
stop_responder
sleep 6
[ -s "$RESP" ]
ok $? "responder down: the last good response is still there"
st=$(tool ocsp status)
expect_match "$st" "^last error: .*(connect|Connection)" \
	"ocsp status: the last error says the responder is down" "$st"

# --- the prefetch process killed: its watcher starts another ------------
start_responder
kill -9 "$pid"
new=""
for i in $(seq 150); do
	new=$(tool ocsp status | sed -n 's/^prefetcher: pid \([0-9]*\),.*/\1/p')
	[ -n "$new" ] && [ "$new" != "$pid" ] && break
	sleep 0.1
done
[ -n "$new" ] && [ "$new" != "$pid" ]
ok $? "kill -9 of the prefetch process: another took over within 15 s" \
	"was $pid, now '$new'"
expect_eq "$(comm_of "$new")" "bpa-ocsp" "the new one is a prefetch process"
expect_eq "$(ppid_of "$new")" "$watcher" "started by the same watcher"
grep -q "OCSP prefetch process $pid ended by signal 9: starting it again in 1 s" \
	"$BPA_LOG"
ok $? "the watcher logged the end and the restart"
first=$(md5sum < "$RESP" 2>/dev/null)
for i in $(seq 150); do
	[ "$(md5sum < "$RESP" 2>/dev/null)" != "$first" ] && break
	sleep 0.1
done
[ -s "$RESP" ] && [ "$(md5sum < "$RESP")" != "$first" ]
ok $? "the new prefetch process refreshes the response file"
expect_match "$(tool ocsp status)" "^state: good$" "ocsp status: good again"
dc_done
