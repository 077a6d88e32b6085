/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * smbtorture module: the "bitspeerauth" suite.
 *
 *   smbtorture BINDING -U ... --use-kerberos=required \
 *       --load-module=build/torture/bitspeerauth_torture.so bitspeerauth
 *
 * (docs/platform.md: --load-module last; with it the built-in suites are not
 * registered.)
 */
#include <stdint.h>
#include <stdbool.h>
#include <talloc.h>
#include <core/ntstatus.h>
#include "torture/bpa_torture_abi.h"
#include "torture/bpa_torture.h"

/* smbtorture calls this when it loads the module */
NTSTATUS samba_init_module(TALLOC_CTX *ctx);

_PUBLIC_ NTSTATUS samba_init_module(TALLOC_CTX *ctx)
{
	struct torture_suite *suite = NULL;
	struct torture_suite *ndr = NULL;
	struct torture_suite *rpc = NULL;

	suite = torture_suite_create(ctx, "bitspeerauth");
	if (suite == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	ndr = bpa_torture_ndr_suite(suite);
	rpc = bpa_torture_rpc_suite(suite);
	if (ndr == NULL || rpc == NULL) {
		talloc_free(suite);
		return NT_STATUS_NO_MEMORY;
	}
	torture_suite_add_suite(suite, ndr);
	torture_suite_add_suite(suite, rpc);
	if (!torture_register_suite(ctx, suite)) {
		return NT_STATUS_UNSUCCESSFUL;
	}
	return NT_STATUS_OK;
}
