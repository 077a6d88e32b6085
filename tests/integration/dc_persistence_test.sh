#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# MS-BPAU 3.1.3: the server initializes an empty table of peer
# certificates when it starts, unless "bitspeerauth:persistent peers =
# yes" keeps it across restarts.  The table lives outside the DC folder
# here so that it survives the restart of a freshly copied DC.
. "$(dirname "$0")/dc_lib.sh"

TABLE_FILE=$BPA_BUILD_ROOT/tests/integration/persist-$$.tdb
rm -f "$TABLE_FILE"
trap 'dc_cleanup; rm -f "$TABLE_FILE"' EXIT

exchange_as() {
	local n=$1 conf sid cc
	conf=BPA_PEER${n}_SMBCONF
	sid=BPA_PEER${n}_SID
	cc=$(dc_kinit "PEER$n\$")
	call -s "${!conf}" --binding "$BPA_BINDING" --ccache "$cc" \
		--blob "$(make_blob PEER$n "${!sid}")"
}

for persistent in yes no; do
	dc_start persist --option "bitspeerauth:peer table = $TABLE_FILE" \
		--option "bitspeerauth:persistent peers = $persistent"
	trap 'dc_cleanup; rm -f "$TABLE_FILE"' EXIT
	expect_match "$(exchange_as 1)" "$SUCCESS_RE" \
		"persistent=$persistent: PEER1\$ exchanges"
	expect_eq "$(table_dump | head -n 1)" "count=1" \
		"persistent=$persistent: one row before the restart"
	dc_stop
	dc_start persist --option "bitspeerauth:peer table = $TABLE_FILE" \
		--option "bitspeerauth:persistent peers = $persistent"
	trap 'dc_cleanup; rm -f "$TABLE_FILE"' EXIT
	if [ $persistent = yes ]; then
		expect_eq "$(table_sids)" "$BPA_PEER1_SID" \
			"persistent peers = yes: PEER1\$ is still there after a restart"
		expect_match "$(exchange_as 2)" "$SUCCESS_RE" \
			"persistent peers = yes: PEER2\$ exchanges after the restart"
		expect_eq "$(table_dump | head -n 1)" "count=2" \
			"persistent peers = yes: both rows"
	else
		expect_eq "$(table_dump | head -n 1)" "count=0" \
			"persistent peers = no: the restarted server's table is empty (3.1.3)"
		expect_match "$(exchange_as 2)" "$SUCCESS_RE" \
			"persistent peers = no: PEER2\$ exchanges after the restart"
		expect_eq "$(table_sids)" "$BPA_PEER2_SID" \
			"persistent peers = no: only the new row"
	fi
	dc_stop
done

# What "persistent peers = yes" promises after a crash: an exchange
# answered S_OK was committed (a tdb transaction, synced), so kill -9
# of every samba process right after it loses nothing, and the table
# that the next start opens passes its consistency check.
rm -f "$TABLE_FILE"
dc_start persist --option "bitspeerauth:peer table = $TABLE_FILE" \
	--option "bitspeerauth:persistent peers = yes"
trap 'dc_cleanup; rm -f "$TABLE_FILE"' EXIT
expect_match "$(exchange_as 1)" "$SUCCESS_RE" "kill -9: PEER1\$ exchanges"
expect_match "$(exchange_as 2)" "$SUCCESS_RE" "kill -9: PEER2\$ exchanges"
pids=$(ip netns pids "$BPA_NETNS")
[ -n "$pids" ] && kill -9 $pids
ok $? "kill -9 of every process of the DC"
dc_stop
dc_start persist --option "bitspeerauth:peer table = $TABLE_FILE" \
	--option "bitspeerauth:persistent peers = yes"
trap 'dc_cleanup; rm -f "$TABLE_FILE"' EXIT
expect_eq "$(table_dump | head -n 1)" "count=2" \
	"after kill -9 and a restart: both committed rows, the table consistent"
expect_eq "$(table_sids | tr '\n' ' ')" \
	"$(printf '%s\n' "$BPA_PEER1_SID" "$BPA_PEER2_SID" | sort | tr '\n' ' ')" \
	"after kill -9: the rows of PEER1\$ and PEER2\$"
expect_match "$(exchange_as 3)" "$SUCCESS_RE" \
	"after kill -9: the restarted server adds to the same table"
dc_stop

dc_done
