#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Samba's own ndrdump, loading ndr_table_bitspeerauth from our
# bitspeerauth_ndr_table.so, dumps captured (impacket-encoded) stubs in
# NDR32 and NDR64 and refuses the MS-BPAU 3.1.4 NULL-with-length one.
#
# Usage: ndrdump_test.sh NDRDUMP TABLE.so VECTOR_DIR
set -u
NDRDUMP=$1
DSO=$2
VEC=$3
fails=0
n=0

# check NAME EXPECT_RC PATTERN ndrdump-args...
check() {
	name=$1 want_rc=$2 pattern=$3
	shift 3
	n=$((n + 1))
	out=$("$NDRDUMP" --load-dso="$DSO" "$@" 2>&1)
	rc=$?
	if [ "$want_rc" = 0 ] && [ "$rc" != 0 ]; then
		echo "not ok $n - $name: rc $rc"; echo "$out" | sed 's/^/# /'
		fails=$((fails + 1)); return
	fi
	if [ "$want_rc" != 0 ] && [ "$rc" = 0 ]; then
		echo "not ok $n - $name: accepted"; echo "$out" | sed 's/^/# /'
		fails=$((fails + 1)); return
	fi
	if ! printf '%s\n' "$out" | grep -qF -- "$pattern"; then
		echo "not ok $n - $name: no \"$pattern\""
		echo "$out" | head -20 | sed 's/^/# /'
		fails=$((fails + 1)); return
	fi
	echo "ok $n - $name"
}

check "dumps an NDR32 request" 0 \
	"ClientKeyLength          : 0x00000005 (5)" \
	bitspeerauth bitspeerauth_ExchangePublicKeys in "$VEC/req_small_ndr32.bin"
check "dumps an NDR64 request with --ndr64" 0 \
	"ClientKeyLength          : 0x00000005 (5)" \
	--ndr64 bitspeerauth bitspeerauth_ExchangePublicKeys in "$VEC/req_small_ndr64.bin"
check "dumps a maximal NDR64 request" 0 "ClientKey: ARRAY(65536)" \
	--ndr64 bitspeerauth bitspeerauth_ExchangePublicKeys in "$VEC/req_max_ndr64.bin"
check "dumps an NDR32 response" 0 \
	"pServerKeyLength         : 0x00000007 (7)" \
	bitspeerauth bitspeerauth_ExchangePublicKeys out "$VEC/rep_small_ndr32.bin"
check "dumps an NDR64 error response" 0 "HRES_E_ACCESSDENIED" \
	--ndr64 bitspeerauth bitspeerauth_ExchangePublicKeys out "$VEC/rep_error_ndr64.bin"
check "refuses an NDR32 NULL ClientKey with a length" 1 \
	"pull returned Invalid Pointer" \
	bitspeerauth bitspeerauth_ExchangePublicKeys in \
	"$VEC/req_null_with_length_ndr32.bin"
check "refuses an NDR64 NULL ClientKey with a length" 1 \
	"pull returned Invalid Pointer" \
	--ndr64 bitspeerauth bitspeerauth_ExchangePublicKeys in \
	"$VEC/req_null_with_length_ndr64.bin"
check "refuses an NDR64 capture read as NDR32" 1 "pull returned" \
	bitspeerauth bitspeerauth_ExchangePublicKeys in "$VEC/req_small_ndr64.bin"

echo "1..$n"
[ "$fails" = 0 ]
