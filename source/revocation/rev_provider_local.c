/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The "local" provider: the administrator's own list (rev_local.h).
 * For a self-signed certificate (an MS-BPAU peer certificate) it is
 * authoritative: listed -> REVOKED, else good.  For a CA-issued one:
 * listed -> REVOKED, else NO_REVOCATION_CHECK (the next provider asks
 * the CA).  One certificate per call, as the seed's sample does.
 */
#include <string.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "ocsp/ocsp_client.h"
#include "revocation/rev_local.h"
#include "revocation/rev_private.h"

static HRESULT local_check(TALLOC_CTX *mem_ctx,
			   struct bpa_rev_stack *s,
			   const struct bpa_rev_chain *chain,
			   uint32_t first,
			   const struct bpa_rev_para *para,
			   struct bpa_rev_status *st)
{
	struct bpa_rev_entry *e = NULL;
	HRESULT hr;

	st->index = first;
	if (s->p.local_list == NULL) {
		st->error = HRES_CRYPT_E_NO_REVOCATION_CHECK;
		st->detail = "local: no revocation list";
		return st->error;
	}
	hr = bpa_rev_local_lookup(mem_ctx, s->p.local_list,
				  &chain->der[first], &e);
	if (HRES_IS_OK(hr)) {
		const char *rn = bpa_crl_reason_name(e->reason);

		st->error = HRES_CRYPT_E_REVOKED;
		st->reason = e->reason;
		st->detail = talloc_asprintf(mem_ctx,
			"revoked by the administrator (%s)",
			rn != NULL ? rn : "unspecified");
		if (st->detail == NULL) {
			st->detail = "revoked by the administrator";
		}
		TALLOC_FREE(e);
		return st->error;
	}
	if (!HRES_IS_EQUAL(hr, HRES_CRYPT_E_NOT_FOUND)) {
		/* the list exists but cannot be read: no "good" from us */
		st->error = HRES_CRYPT_E_REVOCATION_OFFLINE;
		st->detail = "local: the revocation list cannot be read";
		return st->error;
	}
	if (!bpa_rev_chain_self_signed(chain, first)) {
		st->error = HRES_CRYPT_E_NO_REVOCATION_CHECK;
		st->detail = "local: not listed (CA-issued: left to the CA)";
		return st->error;
	}
	st->detail = "local: not listed";
	if (first + 1 < chain->checked) {
		st->index = first + 1;
		st->error = HRES_CRYPT_E_NO_REVOCATION_CHECK;
		return st->error;
	}
	st->error = BPA_S_OK;
	return st->error;
}

const struct bpa_rev_provider bpa_rev_provider_local = {
	.name = "local",
	.fn = local_check,
};
