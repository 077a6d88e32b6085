#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Suite 'dc': smbtorture against a throwaway DC (tests/integration/dc_lib.sh)
#   1. our module's suite: smbtorture ... --load-module=MODULE bitspeerauth
#      (--load-module last: docs/platform.md, "Harness traps")
#   2. Samba's built-in rpc.mgmt, in a separate call (with --load-module
#      the built-in suites are not registered), which must list our
#      interface.
# As the computer account PEER1$, Kerberos only (MS-BPAU 3.2.3).
#
# Usage: dc_torture_test.sh MODULE   (BPA_SOURCE_ROOT, BPA_BUILD_ROOT set)
MODULE=$1
# shellcheck source=../tests/integration/dc_lib.sh
. "$BPA_SOURCE_ROOT/tests/integration/dc_lib.sh"

# rpc.table-limit needs a table of one row (MS-BPAU 3.1.4.1 <3>)
dc_start torture --option 'bitspeerauth:max peers = 1'

torture() {
	in_ns timeout 120 smbtorture "$BPA_BINDING" \
		-s "$BPA_SMBCONF" -U "PEER1\$@$BPA_REALM%$BPA_PEER1_PASSWORD" \
		--realm="$BPA_REALM" --use-kerberos=required "$@" 2>&1
}

out=$(torture \
	--option="torture:bpa_second_account=PEER2\$@$BPA_REALM%$BPA_PEER2_PASSWORD" \
	--load-module="$MODULE" bitspeerauth)
ok $? "smbtorture bitspeerauth exits 0"
printf '%s\n' "$out" | grep -E '^(success|failure|error|skip):' |
	sed 's/^/# /'
expect_eq "$(printf '%s\n' "$out" | grep -cE '^(failure|error|skip):')" 0 \
	"no test of the module suite failed or was skipped"
expect_eq "$(printf '%s\n' "$out" | grep -c '^success:')" 18 \
	"all 18 tests of the module suite succeeded"
for t in ndr.strict-pull-refusals rpc.null-key-with-length-faults \
	 rpc.binding-is-kerberos rpc.exchange-success \
	 rpc.subject-sid-mismatch rpc.table-limit; do
	expect_match "$out" "^success: $t\$" "smbtorture bitspeerauth.$t"
done

out=$(torture rpc.mgmt)
ok $? "smbtorture rpc.mgmt exits 0"
expect_match "$out" "^success: mgmt" "rpc.mgmt succeeds"
expect_match "$out" "$BPA_IFACE_UUID" "rpc.mgmt lists the interface"

dc_done
