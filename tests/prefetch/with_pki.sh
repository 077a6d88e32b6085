#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# with_pki.sh CMD [ARGS...]
#
# Runs CMD in a network namespace of its own (only "lo": nothing leaves
# loopback) with a throwaway PKI (tests/ocsp/ocsp_pki.py) whose leaf
# certificates have the OCSP AIA URL http://127.0.0.1:8890/.  CMD starts
# and stops the responders itself (openssl ocsp on 127.0.0.1:8890), so
# that it can take them down and bring them back.  CMD gets BPA_PKI.
# Needs root (unshare); otherwise exits 77 (meson: skipped).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../common/own_netns.sh"
tmp=$(mktemp -d /tmp/bpa-prefetch-XXXXXX)
cleanup() {
	[ -n "${BPA_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

/usr/bin/python3 "$here/../ocsp/ocsp_pki.py" pki "$tmp/pki" \
	http://127.0.0.1:8890/ >&2
export BPA_PKI="$tmp/pki"
export BPA_TMP="$tmp"
rc=0
"$@" || rc=$?
exit $rc
