#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# MS-BPAU 3.1.4.1 <3>: a full table.  With "bitspeerauth:max peers = 1"
# a second computer within a minute of the first gets 0x80040006 and the
# table keeps the first; the first may still replace its own row.  Also
# the JSON audit line ("bitspeerauth:audit json = yes").
. "$(dirname "$0")/dc_lib.sh"

dc_start full --option 'bitspeerauth:max peers = 1' \
	--option 'bitspeerauth:audit json = yes'
cc1=$(dc_kinit 'PEER1$')
cc2=$(dc_kinit 'PEER2$')
peer1_blob=$(make_blob PEER1 "$BPA_PEER1_SID")
peer1b_blob=$(make_blob PEER1b "$BPA_PEER1_SID")
peer2_blob=$(make_blob PEER2 "$BPA_PEER2_SID")
p1() { call -s "$BPA_PEER1_SMBCONF" --binding "$BPA_BINDING" --ccache "$cc1" "$@"; }
p2() { call -s "$BPA_PEER2_SMBCONF" --binding "$BPA_BINDING" --ccache "$cc2" "$@"; }

start=$(date +%s)
expect_match "$(p1 --blob "$peer1_blob")" "$SUCCESS_RE" "PEER1\$ fills the one row: S_OK"
before=$(table_dump)
expect_eq "$(p2 --blob "$peer2_blob")" "$TABLEFULL" \
	"PEER2\$ within 60 s of PEER1\$: 0x80040006"
expect_eq "$(table_dump)" "$before" "table full: the table is unchanged"
expect_eq "$(table_sids)" "$BPA_PEER1_SID" "the table still holds PEER1\$ only"
expect_match "$(p1 --blob "$peer1b_blob")" "$SUCCESS_RE" \
	"PEER1\$ replaces its own row in a full table: S_OK"
elapsed=$(($(date +%s) - start))
[ "$elapsed" -lt 60 ]
ok $? "all of it within the 60 s eviction age (${elapsed}s)"

# the JSON audit lines parse and say what happened
json=$(sed -n 's/^ *bitspeerauth-audit: //p' "$BPA_LOG")
res=$(printf '%s\n' "$json" | /usr/bin/python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
print(len(rows))
for r in rows:
    print(r["callerSid"], r["authType"], r["authLevel"], r["verdict"],
          r["reason"], r["hresult"], r["subjectSid"])' 2>&1)
expect_eq "$(echo "$res" | head -n 1)" 3 "three JSON audit lines, all valid JSON"
expect_match "$res" "^$BPA_PEER2_SID krb5 integrity table-full peer-table-full 0x80040006 $BPA_PEER2_SID\$" \
	"the table-full refusal's JSON line"
expect_match "$res" "^$BPA_PEER1_SID krb5 integrity added added 0x00000000 $BPA_PEER1_SID\$" \
	"a success's JSON line"

dc_done
