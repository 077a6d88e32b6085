#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The man pages: their DocBook source is valid against the DocBook 4.5 DTD
# (from the local catalog, --nonet), and "MANWIDTH=80 man --warnings -l"
# renders each page without a single warning, with its sections.
# usage: man_render_test.sh SOURCE_ROOT PAGE...
set -u
root=$1; shift
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fail=1; echo "not ok $n - $*"; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

for page in "$@"; do
	name=$(basename "$page")
	src="$root/docs/man/$name.xml"
	if xmllint --nonet --noout --valid "$src" 2> "$tmp/err" &&
	   [ ! -s "$tmp/err" ]; then
		ok "$name.xml is valid DocBook 4.5"
	else
		not_ok "$name.xml is valid DocBook 4.5"; sed 's/^/# /' "$tmp/err"
	fi
	MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$page" \
		> "$tmp/out" 2> "$tmp/err"
	if [ $? -eq 0 ] && [ ! -s "$tmp/err" ]; then
		ok "$name renders without warnings"
	else
		not_ok "$name renders without warnings"
		sed 's/^/# /' "$tmp/err"
	fi
	long=$(awk 'length > 80' "$tmp/out" | head -n 3)
	if [ -z "$long" ]; then
		ok "$name fits 80 columns"
	else
		not_ok "$name fits 80 columns"; echo "$long" | sed 's/^/# /'
	fi
	case $name in
	*.1) want="NAME SYNOPSIS DESCRIPTION COMMANDS EXIT.STATUS SEE.ALSO" ;;
	*.8) want="NAME SYNOPSIS DESCRIPTION OPTIONS LOGGING FILES SEE.ALSO" ;;
	esac
	for s in $want; do
		if grep -q "^$s\$" "$tmp/out"; then
			ok "$name has section $s"
		else
			not_ok "$name has section $s"
		fi
	done
done
echo "1..$n"
exit $fail
