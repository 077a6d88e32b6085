#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The module loads into a live DC (MS-BPAU 3.1.3): samba registers the
# endpoint server, the epmapper maps our UUID to a dynamic
# ncacn_ip_tcp port, and a Kerberos (sign) rpc.mgmt as PEER1$ lists it.
# Then the harness's stop leaves nothing behind.
. "$(dirname "$0")/dc_lib.sh"

dc_start endpoint

log=$(cat "$BPA_LOG")
expect_match "$log" "DCERPC endpoint server 'bitspeerauth' registered" \
	"samba logs that the bitspeerauth endpoint server registered"

port=$(in_ns /usr/bin/python3 "$BPA_SOURCE_ROOT/buildtools/epm-lookup.py" \
	"$BPA_SMBCONF" "$BPA_IFACE_UUID" 2>/dev/null)
expect_match "$port" '^[0-9]+$' "the epmapper maps our UUID to a TCP port"
if [ -n "$port" ] && [ "$port" != 135 ]; then
	ok 0 "the port is dynamic ($port), not the epmapper's"
else
	ok 1 "the port is dynamic" "port '$port'"
fi
listing=$(in_ns /usr/bin/python3 "$BPA_SOURCE_ROOT/buildtools/epm-lookup.py" \
	"$BPA_SMBCONF" 2>/dev/null)
expect_match "$listing" "^$BPA_IFACE_UUID 1 $port bitspeerauth\$" \
	"the epmapper entry is v1 on ncacn_ip_tcp with our annotation"

out=$(mgmt_torture)
expect_match "$out" "^success: mgmt" \
	"smbtorture rpc.mgmt as PEER1\$ with krb5,sign passes"
expect_match "$out" "uuid $BPA_IFACE_UUID +version 0x00000001" \
	"rpc.mgmt inq_if_ids lists our UUID v1"

# the harness leaves nothing behind
dc_stop
ip netns list | grep -qw "$BPA_NETNS"
ok $((! $?)) "after stop, the network namespace $BPA_NETNS is gone"
kill -0 "$BPA_SAMBA_PID" 2>/dev/null
ok $((! $?)) "after stop, samba (pid $BPA_SAMBA_PID) is gone"
grep -q "$DC_DIR" /proc/self/mounts
ok $((! $?)) "after stop, nothing of the DC is mounted"
[ ! -e "$DC_DIR/env" ]
ok $? "after stop, DIR/env is gone (no DC to exec into)"

dc_done
