/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MS-BPAU 3.2.4.1: the subject of the server's certificate "MUST be a
 * SID that represents the Kerberos identity of the server".  Which SID
 * that is, is asked of an authority for the domain's accounts, never of
 * the server under test: Kerberos proves the server holds its account's
 * key, not that what it says about SIDs is true (issue 9).  The
 * authorities are this host's winbindd (it has the answer from a DC over
 * its own secure channel) and a DC over SAMR, on a sealed binding whose
 * mutual authentication names the DC's own account.
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include "util/bpa_debug.h"
#include <talloc.h>
#include <tevent.h>
#include "util/bpa_hresult.h"
#include "util/bpa_winbind.h"
#include "client/bpa_client.h"

_PUBLIC_ char *bpa_client_authority_binding(TALLOC_CTX *mem_ctx,
					    const struct bpa_sid_authority *a)
{
	char *account = NULL;
	char *s = NULL;

	if (a == NULL || a->kind != BPA_SID_AUTHORITY_DC ||
	    a->dc_host == NULL || a->dc_hostname == NULL ||
	    a->realm == NULL || a->realm[0] == '\0') {
		return NULL;
	}
	if (a->dc_account != NULL) {
		account = talloc_strdup(mem_ctx, a->dc_account);
	} else {
		account = bpa_client_machine_account(mem_ctx, a->dc_hostname);
	}
	if (account == NULL) {
		return NULL;
	}
	/* the DC's account is the principal; privacy, as for SAMR */
	s = bpa_client_binding_string_for(mem_ctx, a->dc_host, a->dc_hostname,
					  account, a->realm, true);
	TALLOC_FREE(account);
	return s;
}

_PUBLIC_ HRESULT bpa_client_authority_sid_on(TALLOC_CTX *mem_ctx,
					     struct tevent_context *ev,
					     struct loadparm_context *lp_ctx,
					     struct cli_credentials *creds,
					     const struct bpa_sid_authority *a,
					     TALLOC_CTX *conn_ctx,
					     struct bpa_samr_conn **samr,
					     const char *account,
					     struct dom_sid *sid)
{
	char *binding = NULL;
	HRESULT hr;

	if (a == NULL || account == NULL || account[0] == '\0' ||
	    sid == NULL) {
		return HRES_E_INVALIDARG;
	}
	switch (a->kind) {
	case BPA_SID_AUTHORITY_WINBIND:
		return bpa_winbind_account_sid(a->domain, account, sid);
	case BPA_SID_AUTHORITY_DC:
		break;
	default:
		return HRES_E_INVALIDARG;
	}
	binding = bpa_client_authority_binding(mem_ctx, a);
	if (binding == NULL) {
		return HRES_E_INVALIDARG;
	}
	DBG_INFO("asking %s for %s%s\n", binding, account,
		 samr != NULL && *samr != NULL ? " (connected)" : "");
	if (samr == NULL) {
		hr = bpa_client_lookup_account_sid(mem_ctx, ev, lp_ctx, creds,
						   binding, account, sid);
	} else {
		hr = bpa_client_lookup_account_sid_on(mem_ctx, ev, lp_ctx,
						      creds, binding,
						      conn_ctx, samr,
						      account, sid);
	}
	TALLOC_FREE(binding);
	return hr;
}

_PUBLIC_ HRESULT bpa_client_authority_sid(TALLOC_CTX *mem_ctx,
					  struct tevent_context *ev,
					  struct loadparm_context *lp_ctx,
					  struct cli_credentials *creds,
					  const struct bpa_sid_authority *a,
					  const char *account,
					  struct dom_sid *sid)
{
	return bpa_client_authority_sid_on(mem_ctx, ev, lp_ctx, creds, a,
					   NULL, NULL, account, sid);
}
