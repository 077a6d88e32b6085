/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A rogue server for dc_rogue_server (issue 9): rpcd_bitspeerauth linked
 * with this definition of bpa_winbind_account_sid() instead of the
 * library's, so that the member, authenticated as its own account
 * MEMBER$, serves a certificate whose subject is the SID it claims
 * (BPA_ROGUE_CLAIM_SID, e.g. the DC's).  A computer its attacker
 * controls runs whatever software they like; this is the least change
 * that makes it lie about who it is.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "util/sid_string.h"
#include "util/bpa_winbind.h"

HRESULT bpa_winbind_account_sid(const char *domain,
				const char *account,
				struct dom_sid *sid)
{
	const char *claim = getenv("BPA_ROGUE_CLAIM_SID");
	bool ok;

	if (claim == NULL || sid == NULL) {
		DBG_ERR("rogue: no BPA_ROGUE_CLAIM_SID\n");
		return HRES_E_FAIL;
	}
	ok = bpa_sid_parse(claim, sid);
	if (!ok) {
		return HRES_E_FAIL;
	}
	DBG_ERR("rogue: %s\\%s claims to be %s\n", domain, account, claim);
	return BPA_S_OK;
}
