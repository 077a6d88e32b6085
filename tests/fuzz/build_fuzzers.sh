#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Builds the libFuzzer harnesses with clang, apart from the main (gcc)
# build: the parser sources are compiled again here with
# -fsanitize=fuzzer-no-link,address,undefined (coverage for libFuzzer,
# ASan+UBSan, every UB finding fatal), each harness is linked with
# -fsanitize=fuzzer.  Samba's libraries (talloc, ndr, gnutls, ...) are
# the installed, uninstrumented ones.
#
# usage: build_fuzzers.sh CLANG SRCROOT BUILDROOT OUTDIR DEPFILE \
#            SOURCE.c... -- HARNESS.c...
# Writes OUTDIR/<harness name> for each harness and one depfile (make
# syntax, target = the first harness) naming every header read.

set -eu

CC=$1 SRC=$2 BLD=$3 OUT=$4 DEP=$5
shift 5

PKGS="talloc ndr samba-util gnutls dcerpc"
modulesdir=$(pkg-config --variable=modulesdir dcerpc_server)
privlib=$(dirname "$modulesdir")/libsamba-debug-samba4.so.0

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CFLAGS="-g -O1 -fno-omit-frame-pointer $SAN -std=gnu11 -Wall -Wextra
	-Werror -Wno-unused-parameter -Wno-missing-field-initializers
	-D_GNU_SOURCE=1 -DHAVE_IMMEDIATE_STRUCTURES=1
	-I$SRC -I$SRC/source -I$SRC/tests/fuzz -I$BLD -I$BLD/librpc/gen_ndr
	$(pkg-config --cflags $PKGS)"
LIBS="$(pkg-config --libs $PKGS) $privlib -Wl,-rpath,$(dirname "$privlib")"

obj="$OUT/fuzz-obj"
mkdir -p "$obj"
objs=""
deps=""
compile() {	# compile SOURCE OBJECT EXTRA-FLAGS
	# shellcheck disable=SC2086
	$CC $CFLAGS $3 -MD -MF "$2.d" -c "$1" -o "$2"
	deps="$deps $2.d"
}

while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	o="$obj/$(basename "$1" .c).o"
	compile "$1" "$o" -fsanitize=fuzzer-no-link
	objs="$objs $o"
	shift
done
[ $# -gt 0 ] && shift

first=""
for h in "$@"; do
	name=$(basename "$h" .c)
	o="$obj/$name.o"
	compile "$h" "$o" -fsanitize=fuzzer
	# shellcheck disable=SC2086
	$CC $SAN -fsanitize=fuzzer -o "$OUT/$name" "$o" $objs $LIBS
	[ -n "$first" ] || first="$OUT/$name"
done

# One depfile for ninja: the first output depends on every header read
{
	printf '%s:' "$first"
	# shellcheck disable=SC2086
	cat $deps | sed -e 's/^[^:]*://' -e 's/\\$//' | tr '\n' ' '
	echo
} > "$DEP"
