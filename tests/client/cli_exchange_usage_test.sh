#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# "bitspeerauth exchange" argument errors need no DC: each is a usage
# error (exit 2) with a message, before any network or file access.
#
# Usage: cli_exchange_usage_test.sh BITSPEERAUTH
CLI=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
printf '[global]\n\tnetbios name = PEER9\n\trealm = BPA.TEST\n\tprivate dir = %s\n\tstate directory = %s\n\tlock directory = %s\n' \
	"$T" "$T" "$T" >"$T/smb.conf"
n=0
fails=0

# usage NAME PATTERN ARGS...: exit 2 and PATTERN on stderr
usage() {
	name=$1 pattern=$2
	shift 2
	n=$((n + 1))
	err=$("$CLI" exchange -s "$T/smb.conf" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" != 2 ] || ! printf '%s\n' "$err" | grep -qE -- "$pattern"
	then
		echo "not ok $n - $name (rc $rc)"
		printf '%s\n' "$err" | sed 's/^/# /'
		fails=$((fails + 1))
		return
	fi
	echo "ok $n - $name"
}

usage "no --server" "Usage|usage" --target-hostname vm.bpa.test
usage "no --target-hostname and an address as --server" "Usage|usage" \
	--server 127.0.0.1
usage "a name as --server is the target hostname too" "not a SID" \
	--server vm.bpa.test -U 'a%b' --server-sid S-1-5-x
usage "no identity flags and no machine account in the secrets" \
	"no machine account in PEER9's secrets" \
	--server 127.0.0.1 --target-hostname vm.bpa.test
usage "unknown option" "unknown option" --server h \
	--target-hostname vm.bpa.test --frobnicate
usage "binding injection in the host" "bad --server" \
	--server '127.0.0.1[ncalrpc]' --target-hostname vm.bpa.test \
	-U 'a%b'
usage "option injection in the FQDN" "bad --server" \
	--server 127.0.0.1 --target-hostname 'vm,seal' -U 'a%b'
usage "a server account with a realm of its own" "bad --server" \
	--server 127.0.0.1 --target-hostname vm.bpa.test \
	--server-account 'VM$@EVIL.TEST' --realm BPA.TEST -U 'a%b'
usage "--server-sid that is not a SID" "not a SID" \
	--server 127.0.0.1 --target-hostname vm.bpa.test -U 'a%b' \
	--server-sid S-1-5-x
usage "missing ccache" "ccache" --server 127.0.0.1 \
	--target-hostname vm.bpa.test --ccache "$T/none"
# issue 9: the server's SID never comes from the server under test
usage "no winbindd and no --dc: no authority, the server is not asked" \
	"no authority for account SIDs" --server 127.0.0.1 \
	--target-hostname vm.bpa.test -U 'a%b'
usage "--server-sid alone: our own SID still needs an authority" \
	"no authority for account SIDs" --server 127.0.0.1 \
	--target-hostname vm.bpa.test -U 'a%b' \
	--server-sid S-1-5-21-1-2-3-1000
usage "--dc as an address needs --dc-hostname (the DC's account)" \
	"--dc-hostname" --server 127.0.0.1 --target-hostname vm.bpa.test \
	-U 'a%b' --dc 127.0.0.1
usage "option injection in --dc-hostname" "bad --dc" \
	--server 127.0.0.1 --target-hostname vm.bpa.test -U 'a%b' \
	--dc 127.0.0.1 --dc-hostname 'dc1.bpa.test,sign'

echo "1..$n"
[ "$fails" = 0 ]
