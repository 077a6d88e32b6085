#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `make run`: a throwaway Samba AD DC serving the BitsPeerAuth endpoint,
# one ExchangePublicKeys as the computer account PEER1$, the peer table,
# then serve until ^C (or `make stop`).
#
#   buildtools/run.sh BUILD
#
# The DC lives in BUILD/run-dc, in a network namespace of its own (see
# dc-harness.sh): clients must run inside it, e.g.
#   buildtools/dc-harness.sh exec BUILD/run-dc -- CMD...
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
H=$HERE/dc-harness.sh
BUILD=$(cd "${1:?usage: run.sh BUILD}" && pwd)
DIR=$BUILD/run-dc
CLI=$BUILD/source/tools/bitspeerauth
CALL=$BUILD/tests/integration/bpa_dc_call

stopped=0
stop_dc() {
	[ $stopped = 1 ] && return
	stopped=1
	echo
	echo "== stopping the DC"
	"$H" stop "$DIR"
}
trap stop_dc EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export BPA_BUILD_ROOT=$BUILD
echo "== starting a throwaway AD DC with the bitspeerauth endpoint"
"$H" start "$DIR" || exit 1
set -a
# shellcheck source=/dev/null
. "$DIR/env"
set +a

echo
echo "realm:            $BPA_REALM"
echo "DC:               $BPA_DC_FQDN ($BPA_DC_SID)"
echo "network namespace $BPA_NETNS (loopback only)"
port=$("$H" exec "$DIR" -- /usr/bin/python3 "$HERE/epm-lookup.py" \
	"$BPA_SMBCONF" "$BPA_IFACE_UUID" 2>/dev/null)
echo "endpoint:         BitsPeerAuth $BPA_IFACE_UUID v1.0 on" \
	"ncacn_ip_tcp:127.0.0.1[${port:-?}] (as the epmapper reports it)"

echo
echo "== one ExchangePublicKeys as PEER1\$ (Kerberos, integrity)"
cc=$DIR/peer1.ccache
"$H" kinit "$DIR" 'PEER1$' "$cc" || echo "kinit failed"
if [ -x "$CLI" ]; then
	# PEER1's own smb.conf: its local certificate (created on first
	# use) and client peer table; the server's SID asked of the DC
	# (the authority: the server under test is never asked)
	"$H" exec "$DIR" -- "$CLI" exchange -s "$BPA_PEER1_SMBCONF" \
		--server 127.0.0.1 --target-hostname "$BPA_DC_FQDN" \
		--realm "$BPA_REALM" --keytab "$BPA_KEYTABS/PEER1\$.keytab" \
		--principal "PEER1\$@$BPA_REALM" \
		--dc 127.0.0.1 --dc-hostname "$BPA_DC_FQDN" \
		>"$DIR/exchange.out" 2>&1
	st=$?
	grep -v "Unknown classname" "$DIR/exchange.out"
	[ $st = 0 ] || echo "the exchange failed (status $st)"
	echo
	echo "== the server's peer table ($BPA_PEER_TABLE)"
	"$CLI" peers list -s "$BPA_SMBCONF" ||
		echo "bitspeerauth peers list failed (status $?)"
else
	echo "The client CLI ($CLI) is not built yet: no exchange with it."
	if [ -x "$CALL" ]; then
		echo "Instead, the test caller asks for the server's key" \
			"(ClientKeyLength 0):"
		"$H" exec "$DIR" -- "$CALL" -s "$BPA_PEER1_SMBCONF" \
			--binding "$BPA_BINDING" --ccache "$cc" --empty
	fi
	echo "(and no 'bitspeerauth peers list' either)"
fi

echo
echo "Serving.  Clients run inside the namespace, e.g. an exchange as PEER2\$:"
echo "  $H exec $DIR -- $CLI exchange -s $BPA_PEER2_SMBCONF \\"
echo "    --server 127.0.0.1 --target-hostname $BPA_DC_FQDN --realm $BPA_REALM \\"
echo "    --keytab '$BPA_KEYTABS/PEER2\$.keytab' --principal 'PEER2\$@$BPA_REALM' \\"
echo "    --dc 127.0.0.1 --dc-hostname $BPA_DC_FQDN"
echo "  $CLI peers list -s $BPA_SMBCONF"
echo "or Samba's own rpc.mgmt:"
echo "  $H exec $DIR -- smbtorture '$BPA_BINDING' -s $BPA_SMBCONF \\"
echo "    -U 'PEER1\$@$BPA_REALM%$BPA_PEER1_PASSWORD' --realm=$BPA_REALM \\"
echo "    --use-kerberos=required rpc.mgmt"
echo "Log: $BPA_LOG.  ^C (or 'make stop') stops the DC."
while [ -f "$DIR/env" ] && kill -0 "$BPA_SAMBA_PID" 2>/dev/null; do
	sleep 1
done
# `make stop` stops samba first, then removes DIR/env: give it time
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	[ -f "$DIR/env" ] || break
	sleep 1
done
if [ -f "$DIR/env" ]; then
	echo "samba exited by itself; the end of its log:"
	tail -20 "$BPA_LOG"
	exit 1
fi
stopped=1	# `make stop` did it
exit 0
