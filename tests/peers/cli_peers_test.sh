#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# "bitspeerauth peers" against a table written through the API
# (peers_fixture): list, list --json (python3 -m json.tool), show,
# remove, check exit statuses (0 known, 1 unknown, 2+ error), export
# (valid PEM per certtool).  TAP output.
#
# Usage: cli_peers_test.sh BITSPEERAUTH PEERS_FIXTURE
# BPA_CLI_WRAPPER (e.g. "valgrind --error-exitcode=99 ..."), if set,
# runs every CLI call under it; exit status 99 then means a memory error.
set -uo pipefail
CLI_BIN=$1
FIXTURE=$2
read -r -a WRAP <<<"${BPA_CLI_WRAPPER:-}"
cli() {
	"${WRAP[@]}" "$CLI_BIN" "$@"
}
CLI=cli
PY=/usr/bin/python3
N=5
DIR=$(mktemp -d "${TMPDIR:-/tmp}/bpa-cli-XXXXXX")
trap 'rm -rf "$DIR"' EXIT
TABLE=$DIR/peers.tdb
SID0=S-1-5-21-1-2-3-1000
n=0
fails=0

ok() {	# ok DESCRIPTION COMMAND...
	local d=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $d"
	else
		echo "not ok $n - $d"
		fails=$((fails + 1))
	fi
}

# status WANT COMMAND...: the command exits with WANT ("2+": >= 2)
status() {
	local want=$1 rc
	shift
	"$@" >"$DIR/out" 2>"$DIR/err"
	rc=$?
	if [ "$rc" = 99 ] && [ "${#WRAP[@]}" -gt 0 ]; then
		echo "# wrapper (valgrind) error: $*" >&2
		sed 's/^/#   /' "$DIR/err" >&2
		return 1
	elif [ "$want" = "2+" ]; then
		[ "$rc" -ge 2 ] && return 0
	elif [ "$rc" = "$want" ]; then
		return 0
	fi
	echo "# exit $rc, wanted $want: $*" >&2
	sed 's/^/#   /' "$DIR/out" "$DIR/err" >&2
	return 1
}

"$FIXTURE" "$TABLE" "$DIR" "$N" || { echo "Bail out! fixture failed"; exit 1; }
P="peers --table $TABLE"

ok "list exits 0" status 0 "$CLI" $P list
ok "list shows $N peers" \
	test "$(grep -c '^S-1-5-21-1-2-3-' "$DIR/out")" = "$N"
ok "list --json exits 0" status 0 "$CLI" $P list --json
cp "$DIR/out" "$DIR/list.json"
ok "list --json is JSON (python3 -m json.tool)" \
	"$PY" -m json.tool "$DIR/list.json" /dev/null
ok "list --json: count, peers, escaped address, sha256" "$PY" -c '
import json, sys, hashlib
d = json.load(open(sys.argv[1]))
assert d["count"] == int(sys.argv[2]) == len(d["peers"]), d
p = [x for x in d["peers"] if x["sid"] == "S-1-5-21-1-2-3-1000"][0]
assert p["address"] == "peer \"zero\"\\\t.example", p["address"]
der = open(sys.argv[3] + "/known-0.der", "rb").read()
assert p["cert_sha256"] == hashlib.sha256(der).hexdigest()
assert p["inserted_epoch"] == 1700000000
assert p["inserted"] == "2023-11-14T22:13:20Z", p["inserted"]
' "$DIR/list.json" "$N" "$DIR"

ok "show SID exits 0" status 0 "$CLI" $P show $SID0
ok "show prints the certificate's SHA-256" \
	grep -q "$(sha256sum "$DIR/known-0.der" | cut -d' ' -f1)" "$DIR/out"
ok "show prints the subject" grep -q "CN=$SID0" "$DIR/out"
ok "show prints the PEM the fixture wrote" \
	bash -c "sed -n '/BEGIN CERT/,/END CERT/p' '$DIR/out' |
		 cmp -s - '$DIR/known-0.pem'"
ok "show of a SID not in the table exits 1" \
	status 1 "$CLI" $P show S-1-5-21-1-2-3-4242
ok "show of a non-SID exits 2" status 2 "$CLI" $P show nonsense

ok "check known PEM exits 0" status 0 "$CLI" $P check "$DIR/known-0.pem"
ok "check names the peer" grep -q "known: $SID0" "$DIR/out"
ok "check known DER exits 0" status 0 "$CLI" $P check "$DIR/known-3.der"
ok "check unknown certificate exits 1" \
	status 1 "$CLI" $P check "$DIR/unknown.pem"
ok "check of a file that is not a certificate exits 2+" \
	status 2+ "$CLI" $P check "$DIR/notacert.pem"
ok "check of a missing file exits 2+" \
	status 2+ "$CLI" $P check "$DIR/missing.pem"
ok "check without argument exits 2" status 2 "$CLI" $P check
# issue 9, 3.1.6.1: a stored certificate that has expired since is not a
# known peer
ok "check of a stored but expired certificate exits 1" \
	status 1 "$CLI" peers --table "$DIR/expired.tdb" check \
	"$DIR/expired.pem"
ok "and says it is outside its validity" \
	grep -q "S-1-5-21-1-2-3-998.*outside its validity" "$DIR/out"

ok "export exits 0" status 0 "$CLI" $P export "$DIR/export"
ok "export wrote one file per peer" \
	test "$(ls "$DIR/export" | wc -l)" = "$N"
valid_pems() {
	local i f
	for i in $(seq 0 $((N - 1))); do
		f=$DIR/export/S-1-5-21-1-2-3-$((1000 + i)).pem
		certtool -i --infile "$f" >"$DIR/certtool.out" 2>&1 || return 1
		grep -q "Subject: CN=S-1-5-21-1-2-3-$((1000 + i))" \
			"$DIR/certtool.out" || return 1
		cmp -s "$f" "$DIR/known-$i.pem" || return 1
	done
}
ok "exported files are valid PEM (certtool) named by SID" valid_pems

ok "remove SID exits 0" status 0 "$CLI" $P remove $SID0
ok "removed certificate is unknown" \
	status 1 "$CLI" $P check "$DIR/known-0.pem"
count_is() {
	cli $P list --json >"$DIR/count.json" &&
	"$PY" -c 'import json,sys; \
		  assert json.load(open(sys.argv[1]))["count"] == int(sys.argv[2])' \
		"$DIR/count.json" "$1"
}
ok "list shows $((N - 1)) peers" count_is $((N - 1))
ok "remove again exits 1" status 1 "$CLI" $P remove $SID0

ok "verify of a sound table exits 0" status 0 "$CLI" $P verify
ok "... and says so" grep -q "consistent: $((N - 1)) peers" "$DIR/out"
cp "$TABLE" "$DIR/damaged.tdb"
# flip bytes inside peer 1's stored certificate
"$PY" -c '
import sys
t = open(sys.argv[1], "rb").read()
der = open(sys.argv[2], "rb").read()
off = t.index(der) + 100
t = t[:off] + bytes(b ^ 0xff for b in t[off:off + 8]) + t[off + 8:]
open(sys.argv[1], "wb").write(t)
' "$DIR/damaged.tdb" "$DIR/known-1.der"
ok "verify of a damaged copy exits 2+" \
	status 2+ "$CLI" peers verify --table "$DIR/damaged.tdb"
ok "... naming BPA_E_PEERS_CORRUPT" grep -q BPA_E_PEERS_CORRUPT "$DIR/err"
ok "check of the damaged peer's certificate answers unknown (1)" \
	status 1 "$CLI" peers check --table "$DIR/damaged.tdb" \
	"$DIR/known-1.pem"

cat >"$DIR/smb.conf" <<EOC
[global]
	bitspeerauth:peer table = $TABLE
EOC
ok "-s smb.conf finds the table (bitspeerauth:peer table)" \
	status 0 "$CLI" peers list -s "$DIR/smb.conf"
ok "... and lists $((N - 1)) peers" \
	test "$(grep -c '^S-1-5-21-1-2-3-' "$DIR/out")" = "$((N - 1))"

ok "a missing table exits 2+" \
	status 2+ "$CLI" peers list --table "$DIR/nothing.tdb"
ok "... and does not create it" test ! -e "$DIR/nothing.tdb"
echo "not a tdb" >"$DIR/foreign.tdb"
ok "a foreign file exits 2+" \
	status 2+ "$CLI" peers list --table "$DIR/foreign.tdb"
ok "... naming BPA_E_PEERS_FOREIGN" grep -q BPA_E_PEERS_FOREIGN "$DIR/err"
ok "an unknown subcommand exits 2" status 2 "$CLI" peers frobnicate
ok "list with an extra argument exits 2" status 2 "$CLI" $P list extra

echo "1..$n"
[ "$fails" = 0 ]
