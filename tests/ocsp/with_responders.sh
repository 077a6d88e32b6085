#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# with_responders.sh CMD [ARGS...]
#
# Runs CMD in a network namespace of its own (only "lo", so no HTTP can
# leave loopback) next to two OCSP responders for a throwaway PKI:
#   - openssl's real responder (openssl ocsp -index) on 127.0.0.1:8888,
#     the AIA URL of every leaf certificate;
#   - ocsp_pki.py's canned responder on 127.0.0.1:8889: the first
#     path segment of the URL picks the answer (error statuses, wrong
#     signers, expired responses, ...), GET serves DIR/www/ (CRLs).
# CMD gets BPA_PKI (the PKI folder) and BPA_CANNED (http://127.0.0.1:P).
# Needs root (unshare); otherwise exits 77 (meson: skipped).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../common/own_netns.sh"
tmp=$(mktemp -d /tmp/bpa-ocsp-XXXXXX)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	[ -n "${BPA_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

pki="$tmp/pki"
/usr/bin/python3 "$here/ocsp_pki.py" pki "$pki" http://127.0.0.1:8888/ \
	"${BPA_CRL_URL:-}" >&2
(cd "$pki" && exec openssl ocsp -index index.txt -port 8888 \
	-rsigner ca.pem -rkey ca.key -CA ca.pem -ndays 1 \
	>"$tmp/openssl-ocsp.log" 2>&1) &
pids="$pids $!"
/usr/bin/python3 "$here/ocsp_pki.py" serve "$pki" "$tmp/port" \
	>"$tmp/canned.log" 2>&1 &
pids="$pids $!"

# wait for both to listen (bounded: 20 s)
i=0
until [ -f "$tmp/port" ] && grep -q 'waiting for OCSP' \
		"$tmp/openssl-ocsp.log" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 200 ]; then
		echo "responders did not start" >&2
		cat "$tmp"/*.log >&2
		exit 1
	fi
	sleep 0.1
done

export BPA_PKI="$pki"
export BPA_CANNED="http://127.0.0.1:$(cat "$tmp/port")"
rc=0
"$@" || rc=$?
exit $rc
