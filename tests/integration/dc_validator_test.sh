#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The seed bits-validate-server-certificate on a live DC (issue 11):
# phase two from smb.conf, the server role (the DC validating its
# callers' certificates).
#
# 1. "bitspeerauth:validator command" = a real shell script that appends
#    a line per call to a file this test reads: missing at first
#    (0x80200074, table unchanged), then accepting (called once per new
#    <caller, certificate>, not again for a cached pair), refusing with
#    its HRESULT (called every time, counted in "validator failures"),
#    replaced (cache cleared), removed (0x80200074, table unchanged) and
#    restored (success, no restart), sleeping past the timeout (its
#    child killed with it; meanwhile other callers are served: the
#    checks run in a child of samba), killed by a signal; "validator
#    reset".
# 2. the client role: "bitspeerauth exchange" validating the DC's
#    certificate with a program of its own, and its exit statuses.
# 3. "bitspeerauth:validator module" = the test module built by meson
#    (tests/validator/bpa_test_validator_module.c): the same, loaded
#    with dlopen, replaced, removed and restored.
# 4. both set: every exchange refused as unavailable, the error logged.
. "$(dirname "$0")/dc_lib.sh"

W=$BPA_BUILD_ROOT/tests/integration/validator-$$
rm -rf "$W"
mkdir -p "$W"
trap 'dc_cleanup; rm -rf "$W"' EXIT
TOOL=$BPA_BUILD_ROOT/source/tools/bitspeerauth
MODULE=${BPA_TEST_MODULE:-$BPA_BUILD_ROOT/tests/validator/bpa_test_validator.so}
PROG=$W/validator
CALLS=$W/calls
UNAVAILABLE="status=NT_STATUS_OK hresult=0x80200074 server_key_length=0"
UNTRUSTED="status=NT_STATUS_OK hresult=0x800b0109 server_key_length=0"

start() {
	dc_start validator --option 'bitspeerauth:audit json = yes' \
		--option 'bitspeerauth:validator timeout = 2' "$@"
	trap 'dc_cleanup; rm -rf "$W"' EXIT
	cc1=$(dc_kinit 'PEER1$')
	cc2=$(dc_kinit 'PEER2$')
}
p1() { call -s "$BPA_PEER1_SMBCONF" --binding "$BPA_BINDING" --ccache "$cc1" "$@"; }
p2() { call -s "$BPA_PEER2_SMBCONF" --binding "$BPA_BINDING" --ccache "$cc2" "$@"; }
tool() { "$TOOL" "$@" -s "$BPA_SMBCONF"; }
ncalls() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }

# install SRC DST: a new file, as an administrator installs one
install_new() {
	cp "$1" "$2.new" && chmod 0755 "$2.new" && mv "$2.new" "$2"
}

# The validator program: a line per call; flag files choose the answer
cat >"$W/validator.src" <<EOF
#!/bin/sh
n=\$(wc -c)
echo "\$BPA_ROLE \$BPA_ENDPOINT \$BPA_SUBJECT_SID \$BPA_CERT_SHA256 \$n" >>"$CALLS"
echo "stderr of the validator" >&2
if [ -f "$W/sleep" ]; then sleep 30 & echo \$! >"$W/child"; wait; fi
if [ -f "$W/kill" ]; then kill -9 \$\$; fi
if [ -f "$W/deny" ]; then cat "$W/deny"; exit 1; fi
exit 0
EOF

start --option "bitspeerauth:validator command = $PROG"
peer1_blob=$(make_blob PEER1 "$BPA_PEER1_SID")
peer2_blob=$(make_blob PEER2 "$BPA_PEER2_SID")

# -- missing program: unavailable, table unchanged
before=$(table_dump)
expect_eq "$(p1 --blob "$peer1_blob")" "$UNAVAILABLE" \
	"program missing: 0x80200074 (BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED)"
expect_eq "$(table_dump)" "$before" "program missing: the table is unchanged"
expect_match "$(cat "$BPA_LOG")" "validator command $PROG is unavailable \\(.*No such file or directory\\).*0x80200074 \\(BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED\\)" \
	"the log says unavailable, and why"

# -- accepting: once per pair
install_new "$W/validator.src" "$PROG"
expect_match "$(p1 --blob "$peer1_blob")" "$SUCCESS_RE" \
	"program installed: PEER1\$ accepted, no samba restart"
expect_eq "$(ncalls "$CALLS")" 1 "the program was called once"
tool peers export "$W/export" >/dev/null
sha=$(openssl x509 -in "$W/export/$BPA_PEER1_SID.pem" -outform DER | sha256sum | cut -d' ' -f1)
len=$(openssl x509 -in "$W/export/$BPA_PEER1_SID.pem" -outform DER | wc -c)
expect_eq "$(head -n 1 "$CALLS")" "server $BPA_PEER1_SID $BPA_PEER1_SID $sha $len" \
	"its environment (BPA_ROLE, BPA_ENDPOINT = the caller's SID, BPA_SUBJECT_SID, BPA_CERT_SHA256) and the DER on stdin"
expect_match "$(cat "$BPA_LOG")" "validator $PROG: stderr: stderr of the validator" \
	"its standard error is in the log"
expect_match "$(p1 --blob "$peer1_blob")" "$SUCCESS_RE" "PEER1\$ again: accepted"
expect_eq "$(ncalls "$CALLS")" 1 "a cached pair: the program is not called again"

# -- refusing: every time, counted
echo 0x800b0109 >"$W/deny"
before=$(table_dump)
expect_eq "$(p2 --blob "$peer2_blob")" "$UNTRUSTED" \
	"the program refuses PEER2\$: its HRESULT 0x800b0109 reaches the caller"
expect_eq "$(p2 --blob "$peer2_blob")" "$UNTRUSTED" "PEER2\$ again: refused again"
expect_eq "$(ncalls "$CALLS")" 3 "refusals are not cached: called each time"
expect_eq "$(table_dump)" "$before" "refused: the table is unchanged"
expect_match "$(p1 --blob "$peer1_blob")" "$SUCCESS_RE" \
	"PEER1\$'s cached pair is still accepted (the refusing program is not asked)"
expect_match "$(cat "$BPA_LOG")" "refusal 2 for this endpoint" \
	"each refusal is logged with the endpoint's running count"
json=$(tool validator failures --json)
expect_match "$json" "^\\[\\{\"endpoint\": \"$BPA_PEER2_SID\", \"count\": 2, \"first\": \"[0-9TZ:-]+\", \"last\": \"[0-9TZ:-]+\", \"lastHresult\": \"0x800b0109\"\\}\\]\$" \
	"validator failures --json: PEER2\$, count 2, lastHresult"
expect_match "$(tool validator failures)" "^$BPA_PEER2_SID +2 .* 0x800b0109" \
	"validator failures: the text table"
rm -f "$W/deny"

# -- replaced: the cache is cleared
install_new "$W/validator.src" "$PROG"
expect_match "$(p1 --blob "$peer1_blob")" "$SUCCESS_RE" "program replaced: PEER1\$ accepted"
expect_eq "$(ncalls "$CALLS")" 4 "replacing the program cleared the cache: called again"

# -- removed, then restored
mv "$PROG" "$W/saved"
before=$(table_dump)
expect_eq "$(p1 --blob "$peer1_blob")" "$UNAVAILABLE" \
	"program removed: 0x80200074 even for a cached pair"
expect_eq "$(table_dump)" "$before" "program removed: the table is unchanged"
mv "$W/saved" "$PROG"
expect_match "$(p1 --blob "$peer1_blob")" "$SUCCESS_RE" \
	"program restored: accepted without a samba restart"

# -- reset
out=$(tool validator reset)
expect_match "$out" "1 cached successes dropped" "validator reset drops the cached pair"
n=$(ncalls "$CALLS")
p1 --blob "$peer1_blob" >/dev/null
expect_eq "$(ncalls "$CALLS")" $((n + 1)) "after the reset the program is asked again"

# -- past the timeout: unavailable, its process group killed
touch "$W/sleep"
t0=$(date +%s)
expect_eq "$(p2 --blob "$peer2_blob")" "$UNAVAILABLE" \
	"a program that sleeps past 'validator timeout = 2': 0x80200074"
t1=$(date +%s)
ok $(( t1 - t0 >= 2 && t1 - t0 < 10 ? 0 : 1 )) "the call returned after the timeout ($((t1 - t0)) s)"
child=$(cat "$W/child")
gone=1
for _ in $(seq 50); do
	st=$(sed -n 's/^[0-9]* ([^)]*) \(.\).*/\1/p' "/proc/$child/stat" 2>/dev/null)
	if [ -z "$st" ] || [ "$st" = Z ]; then gone=0; break; fi
	sleep 0.1
done
ok $gone "the program's child (sleep, pid $child) was killed with its process group"
expect_match "$(cat "$BPA_LOG")" "unavailable \\(timed out after 2 s" "the log says it timed out"
rm -f "$W/sleep"

# -- a validator that waits holds up its own call only (exchange_async.h)
touch "$W/sleep"
rm -f "$W/child"
p2 --blob "$peer2_blob" >"$W/waiting.out" &
waiting=$!
for _ in $(seq 100); do
	[ -s "$W/child" ] && break
	sleep 0.05
done
expect_match "$(p1 --empty)" "$SUCCESS_RE" \
	"while PEER2\$'s validator waits, PEER1\$ is served (ClientKeyLength 0)"
kill -0 "$waiting" 2>/dev/null
ok $? "... before PEER2\$'s call has its answer"
expect_match "$(p1 --blob "$peer1_blob")" "$SUCCESS_RE" \
	"and PEER1\$'s exchange (its pair cached) is answered too"
kill -0 "$waiting" 2>/dev/null
ok $? "... still before PEER2\$'s answer"
wait "$waiting"
expect_eq "$(cat "$W/waiting.out")" "$UNAVAILABLE" \
	"then PEER2\$ gets its own answer: the validator timed out (0x80200074)"
rm -f "$W/sleep"

# -- killed by a signal
touch "$W/kill"
expect_eq "$(p2 --blob "$peer2_blob")" "$UNAVAILABLE" "a program killed by signal 9: 0x80200074"
expect_match "$(cat "$BPA_LOG")" "unavailable \\(killed by signal 9\\)" "the log says killed by signal 9"
rm -f "$W/kill"
json=$(tool validator failures --json)
expect_match "$json" "\"count\": 2, " "unavailability is not counted as a refusal"

# -- the audit lines
res=$(sed -n 's/^ *bitspeerauth-audit: //p' "$BPA_LOG" | /usr/bin/python3 -c '
import json, sys
for l in sys.stdin:
    if l.strip():
        r = json.loads(l)
        print(r["verdict"], r.get("phase"), r.get("validatorCached"), r["hresult"])' 2>&1 | sort | uniq -c | sed 's/^ *//')
expect_eq "$res" "3 added validator False 0x00000000
4 added validator True 0x00000000
2 invalid-certificate validator None 0x800b0109
5 invalid-certificate validator-unavailable None 0x80200074
1 served None None 0x00000000" \
	"the JSON audit lines carry phase and validatorCached"
expect_match "$(cat "$BPA_LOG")" "refused, invalid-certificate: refused by the validator: 0x800b0109 .* phase=validator" \
	"the text audit line names the phase"

# -- the client role: "bitspeerauth exchange" validating the DC's
# certificate with a validator of its own (PEER1's smb.conf)
CPROG=$W/client-validator
CCALLS=$W/client-calls
sed -e "s#$CALLS#$CCALLS#" -e "s#$W/sleep#$W/c-sleep#g" \
	-e "s#$W/kill#$W/c-kill#" -e "s#$W/deny#$W/c-deny#g" \
	-e "s#$W/child#$W/c-child#" "$W/validator.src" >"$W/client.src"
printf '\tbitspeerauth:validator command = %s\n\tbitspeerauth:validator timeout = 2\n' \
	"$CPROG" >>"$BPA_PEER1_SMBCONF"
ctool() { "$TOOL" "$@" -s "$BPA_PEER1_SMBCONF"; }
# exchange [options]: the CLI as PEER1$, from its keytab; output, then rc
exchange() {
	local out rc
	out=$(in_ns timeout 120 "$TOOL" exchange -s "$BPA_PEER1_SMBCONF" \
		--server 127.0.0.1 --target-hostname "$BPA_DC_FQDN" \
		--realm "$BPA_REALM" --keytab "$BPA_KEYTABS/PEER1\$.keytab" \
		--principal "PEER1\$@$BPA_REALM" \
		--dc 127.0.0.1 --dc-hostname "$BPA_DC_FQDN" "$@" 2>&1)
	rc=$?
	printf '%s\nrc=%s\n' "$out" "$rc"
}
out=$(exchange)
expect_match "$out" "validation: phase validator-unavailable, error context 8 .*0x80200074" \
	"client: its program missing: phase validator-unavailable"
expect_match "$out" "^rc=3\$" "client: unavailable is transient: exit 3"
install_new "$W/client.src" "$CPROG"
out=$(exchange)
expect_match "$out" "validation: phase validator \\(asked\\)" "client: the program is asked"
expect_match "$out" "^rc=0\$" "client: accepted: exit 0"
expect_match "$(head -n 1 "$CCALLS")" "^client 127\\.0\\.0\\.1:$BPA_PORT $BPA_DC_SID [0-9a-f]{64} [0-9]+\$" \
	"client: BPA_ROLE=client, BPA_ENDPOINT=<host as given>:<port>, the DC's SID"
out=$(exchange)
expect_match "$out" "validation: phase validator \\(cached\\)" "client: again: from the cache"
expect_eq "$(ncalls "$CCALLS")" 1 "client: a cached pair: not asked again"
echo 0x800b0109 >"$W/c-deny"
install_new "$W/client.src" "$CPROG"
out=$(exchange)
expect_match "$out" "validation: phase validator, error context 8 \\(BG_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK\\), 0x800b0109" \
	"client: the program replaced (cache cleared) and refusing: error context 8, its HRESULT"
expect_match "$out" "^rc=1\$" "client: a refusal is permanent: exit 1"
expect_eq "$(ncalls "$CCALLS")" 2 "client: replacing the program cleared the cached pair"
out=$(exchange)
expect_match "$out" "^rc=1\$" "client: refused again"
expect_eq "$(ncalls "$CCALLS")" 3 "client: refusals are not cached"
expect_match "$(ctool validator failures --json)" "^\\[\\{\"endpoint\": \"127\\.0\\.0\\.1:$BPA_PORT\", \"count\": 2, .*\"lastHresult\": \"0x800b0109\"\\}\\]\$" \
	"client: validator failures --json counts the server endpoint"
rm -f "$W/c-deny"
touch "$W/c-sleep"
out=$(exchange)
expect_match "$out" "^rc=3\$" "client: a program past the timeout: exit 3"
rm -f "$W/c-sleep"
touch "$W/c-kill"
out=$(exchange)
expect_match "$out" "^rc=3\$" "client: a program killed by a signal: exit 3"
rm -f "$W/c-kill"
out=$(exchange)
expect_match "$out" "^rc=0\$" "client: the program back to accepting: exit 0"
mv "$PROG" "$W/saved"
out=$(exchange)
expect_match "$out" "0x80200074 \\(BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED\\)" \
	"client: the server's validator unavailable: the server answers 0x80200074"
expect_match "$out" "^rc=3\$" "client: the server's unavailable validator is transient: exit 3"
mv "$W/saved" "$PROG"
out=$(exchange --server 127.0.0.9)
expect_match "$out" "^rc=3\$" "client: no server at the address (network): exit 3"

# -- the module
dc_stop
M=$W/module/validator.so
mkdir -p "$W/module"
start --option "bitspeerauth:validator module = $M"
peer1_blob=$(make_blob PEER1 "$BPA_PEER1_SID")
peer2_blob=$(make_blob PEER2 "$BPA_PEER2_SID")
expect_eq "$(p1 --blob "$peer1_blob")" "$UNAVAILABLE" "module missing: 0x80200074"
install_new "$MODULE" "$M"
expect_match "$(p1 --blob "$peer1_blob")" "$SUCCESS_RE" "module installed: PEER1\$ accepted"
expect_match "$(p1 --blob "$peer1_blob")" "$SUCCESS_RE" "PEER1\$ again: accepted"
expect_eq "$(ncalls "$M.log")" 1 "the module was called once (a cached pair)"
expect_match "$(head -n 1 "$M.log")" "^server $BPA_PEER1_SID $BPA_PEER1_SID [0-9a-f]{64} [0-9]+\$" \
	"the module got the role, endpoint, subject and hash"
echo 0x800b0109 >"$M.deny"
expect_eq "$(p2 --blob "$peer2_blob")" "$UNTRUSTED" "the module refuses PEER2\$ with 0x800b0109"
expect_eq "$(p2 --blob "$peer2_blob")" "$UNTRUSTED" "again"
expect_eq "$(ncalls "$M.log")" 3 "the module's refusals are not cached"
expect_match "$(tool validator failures --json)" "\"endpoint\": \"$BPA_PEER2_SID\", \"count\": 2" \
	"validator failures counts the module's refusals"
rm -f "$M.deny"
install_new "$MODULE" "$M"
expect_match "$(p1 --blob "$peer1_blob")" "$SUCCESS_RE" "module replaced: loaded again"
expect_eq "$(ncalls "$M.log")" 4 "replacing the module cleared the cache"
mv "$M" "$W/saved.so"
expect_eq "$(p1 --blob "$peer1_blob")" "$UNAVAILABLE" "module removed: 0x80200074"
mv "$W/saved.so" "$M"
expect_match "$(p1 --blob "$peer1_blob")" "$SUCCESS_RE" "module restored: accepted without a restart"
echo 'not an ELF file' >"$W/bad.so"
install_new "$W/bad.so" "$M"
expect_eq "$(p1 --blob "$peer1_blob")" "$UNAVAILABLE" "a file that does not load: 0x80200074"
expect_match "$(cat "$BPA_LOG")" "validator module $M is unavailable \\(cannot be loaded" \
	"the log says it cannot be loaded"

# -- both configured: a configuration error, never silently one of them
dc_stop
install_new "$W/validator.src" "$PROG"
start --option "bitspeerauth:validator command = $PROG" \
	--option "bitspeerauth:validator module = $M"
peer1_blob=$(make_blob PEER1 "$BPA_PEER1_SID")
n=$(ncalls "$CALLS")
expect_eq "$(p1 --blob "$peer1_blob")" "$UNAVAILABLE" \
	"command and module both set: refused as unavailable (0x80200074)"
expect_eq "$(ncalls "$CALLS")" "$n" "both set: neither is called"
expect_match "$(cat "$BPA_LOG")" "bitspeerauth:validator command and bitspeerauth:validator module are both set" \
	"both set: the configuration error is logged"

dc_done
