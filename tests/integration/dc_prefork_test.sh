#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# samba -M prefork: exchanges from parallel connections all land in the
# one peer table (it is opened by the process that forks the workers,
# MS-BPAU 3.1.3, and each worker re-establishes the inherited handle).
# To be sure that more than one worker wrote to it, the worker that
# served the first round is killed; prefork serves the next exchange
# from another worker, which must see and extend the same table.
. "$(dirname "$0")/dc_lib.sh"

dc_start prefork --model prefork --option 'prefork children = 4' \
	--option 'debug pid = yes'
declare -a blobs ccs
for n in 1 2 3 4; do
	sidvar=BPA_PEER${n}_SID
	ccs[$n]=$(dc_kinit "PEER$n\$")
	blobs[$n]=$(make_blob PEER$n "${!sidvar}")
done
# at_once BINDING REPEAT TAG CASE: PEER1$..PEER4$ each make REPEAT
# exchanges on a connection of their own, all at the same time; the
# case "PEERn$: CASE" for each
at_once() {
	local binding=$1 repeat=$2 tag=$3 what=$4 n confvar
	for n in 1 2 3 4; do
		confvar=BPA_PEER${n}_SMBCONF
		call -s "${!confvar}" --binding "$binding" \
			--ccache "${ccs[$n]}" --blob "${blobs[$n]}" \
			--repeat "$repeat" >"$DC_DIR/$tag$n.out" &
	done
	wait
	for n in 1 2 3 4; do
		expect_match "$(cat "$DC_DIR/$tag$n.out")" "$SUCCESS_RE" \
			"PEER$n\$: $what"
	done
}
at_once "$BPA_BINDING" 3 par \
	"three exchanges on a parallel connection succeed"
want=$(for n in 1 2 3 4; do v=BPA_PEER${n}_SID; echo "${!v}"; done | sort)
expect_eq "$(table_sids)" "$want" "all four computers are in the one table"
expect_eq "$(table_dump | head -n 1)" "count=4" "four rows, no duplicates"
# load: four connections at once, 25 exchanges each; the table stays
# consistent (table_dump runs bpa_peer_table_check(): tdb_check and the
# table's invariants, and prints check=... first if they fail)
at_once "$BPA_BINDING_SEAL" 25 load "25 sealed exchanges under load succeed"
expect_eq "$(table_dump | head -n 1)" "count=4" \
	"after 100 exchanges: consistent (tdb check), still four rows"

# the pids that logged an exchange (smb.conf "debug pid = yes")
serving_pids() {
	grep -B1 "ExchangePublicKeys from" "$BPA_LOG" |
		sed -n 's/.*pid=\([0-9]*\).*/\1/p' | sort -u
}
first=$(serving_pids | tr '\n' ' ')
echo "# first round served by worker pid(s): $first"
for p in $first; do
	kill -KILL "$p" 2>/dev/null
done
sleep 1
p1_blob2=$(make_blob PEER1c "$BPA_PEER1_SID")
res=$(call -s "$BPA_PEER1_SMBCONF" --binding "$BPA_BINDING" \
	--ccache "${ccs[1]}" --blob "$p1_blob2")
expect_match "$res" "$SUCCESS_RE" \
	"after its worker was killed, PEER1\$ exchanges again: S_OK"
all=$(serving_pids | tr '\n' ' ')
echo "# all rounds served by worker pid(s): $all"
[ "$(echo "$all" | wc -w)" -gt "$(echo "$first" | wc -w)" ]
ok $? "another worker process served the new exchange"
expect_eq "$(table_sids)" "$want" "that worker sees the same four rows"
expect_eq "$(table_dump | head -n 1)" "count=4" "and replaced PEER1\$'s row, no fifth"

dc_done
