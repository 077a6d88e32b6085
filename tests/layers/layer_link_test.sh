#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The build fails on a back-edge between the layers (README "Layout").
# Each layer is linked alone, with -z defs, into bpa_layer_check_<layer>.so
# (meson.build); this reruns exactly that link, as ninja has it, with one
# more object that calls a function of another layer, and expects it to
# fail with an undefined reference when that layer is to the right (or
# not listed), and to link when it is one the layer may use.  Headers
# too (an inline function, a struct) must come only from the layer itself
# or the layers its check links: what a folder #includes "<folder>/..."
# is compared with the archives on its check's link line (linking cannot
# see those).
# usage: layer_link_test.sh BUILD_ROOT SOURCE_ROOT NINJA CC...
set -u
build=$1; src=$2; ninja=$3; shift 3
cc="$*"
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fail=1; echo "not ok $n - $*"; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# command_of LAYER: ninja's command line for the layer's check
command_of() {
	[ -s "$tmp/cmd.$1" ] || "$ninja" -C "$build" -t commands \
		"bpa_layer_check_$1.so" | tail -n 1 > "$tmp/cmd.$1"
	cat "$tmp/cmd.$1"
}

# link LAYER [SYMBOL]: the layer's check link into $tmp, plus a probe
# calling SYMBOL; its output in $tmp/err
link() {
	target=bpa_layer_check_$1.so
	cmd=$(command_of "$1")
	case $cmd in
	*"-o $target "*) ;;
	*) echo "# no link command for $target: $cmd"; return 2 ;;
	esac
	probe=
	if [ -n "${2:-}" ]; then
		printf 'void %s(void);\nvoid bpa_probe_%s(void);\n' "$2" "$1" \
			> "$tmp/probe.c"
		printf 'void bpa_probe_%s(void) { %s(); }\n' "$1" "$2" \
			>> "$tmp/probe.c"
		# shellcheck disable=SC2086 # the compiler and its wrapper
		$cc -c -fPIC -o "$tmp/probe.o" "$tmp/probe.c" \
			> "$tmp/err" 2>&1 || return 2
		probe=$tmp/probe.o
	fi
	# shellcheck disable=SC2086 # ninja's command line, word for word
	(cd "$build" && eval "${cmd%%-o "$target" *}" -o "$tmp/out.so" $probe \
		"${cmd#*-o "$target" }") > "$tmp/err" 2>&1
}

# LAYER SYMBOL: the layer may call SYMBOL's layer
allowed() {
	if link "$1" "$2"; then
		ok "$1 may call $2"
	else
		not_ok "$1 may call $2"; sed 's/^/# /' "$tmp/err"
	fi
}

# LAYER SYMBOL: a call from LAYER to SYMBOL is a back-edge
refused() {
	link "$1" "$2"
	rc=$?
	if [ $rc -eq 1 ] &&
	   grep -q "undefined reference to \`$2'" "$tmp/err"; then
		ok "$1 calling $2 fails to link"
	else
		not_ok "$1 calling $2 fails to link (rc $rc)"
		sed 's/^/# /' "$tmp/err"
	fi
}

# LAYER: the folders it #includes from are itself and those it links
includes() {
	dir=source/$1
	[ "$1" = wire ] && dir=librpc
	# the archives of its link line, as folder names, and its own
	{ command_of "$1" | tr ' ' '\n' |
		sed -n 's,^\(.*/\)*libbpa_\([a-z_]*\)\.a$,\2,p' |
		sed 's,^ndr$,librpc,'
	  echo "${dir##*/}"; } | sort -u > "$tmp/may"
	bad=$(sed -n 's,^#include "\([a-z_]*\)/.*,\1,p' "$src/$dir"/*.[ch] |
		sort -u | grep -vxF -f "$tmp/may" | tr '\n' ' ')
	if [ -z "$bad" ]; then
		ok "$1 includes only from what it links:" \
			"$(tr '\n' ' ' < "$tmp/may")"
	else
		not_ok "$1 includes from ${bad% }, which it does not link"
	fi
}

for layer in wire util blob ocsp validate revocation validator localcert \
	     prefetch peers client rpc_server; do
	includes "$layer"
done

# the build links every layer alone already; these add one call each
allowed blob bpa_sid_format
allowed peers bpa_cert_validate
allowed client bpa_peer_table_count
allowed rpc_server bpa_peer_table_count
refused util bpa_peer_table_count
refused blob bpa_cert_validate
refused validate bpa_rev_check_cert
refused ocsp bpa_blob_decode
refused peers bpa_client_exchange
refused rpc_server bpa_client_exchange
refused wire bpa_sid_format

echo "1..$n"
exit $fail
