/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The "ocsp" provider (seed: "Returning the Response for OCSP"), on the
 * OCSP client of source/ocsp.  One certificate per call:
 *   no issuer known, or no AIA OCSP URL     -> NO_REVOCATION_CHECK
 *   good                                    -> success (or the rest)
 *   revoked                                 -> CRYPT_E_REVOKED + reason
 *   unknown                                 -> REVOCATION_OFFLINE
 *   every responder error status, every connection error, every
 *   verification error (not yet valid, expired, responder not
 *   trusted, nonce, certID)                 -> REVOCATION_OFFLINE
 *   freshness asked and outside nextUpdate  -> REVOCATION_OFFLINE
 * Good and revoked responses are cached until nextUpdate; failures not.
 */
#include <string.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "ocsp/ocsp_client.h"
#include "revocation/rev_local.h"
#include "revocation/rev_private.h"

static char *cache_key(TALLOC_CTX *mem_ctx,
		       const DATA_BLOB *cert,
		       const DATA_BLOB *issuer)
{
	uint8_t h1[32], h2[32];
	char *k = NULL;
	size_t i;

	if (!bpa_rev_cert_hash(cert, h1) || !bpa_rev_cert_hash(issuer, h2)) {
		return NULL;
	}
	k = talloc_strdup(mem_ctx, "ocsp/");
	for (i = 0; i < 32 && k != NULL; i++) {
		k = talloc_asprintf_append(k, "%02x", h1[i]);
	}
	for (i = 0; i < 32 && k != NULL; i++) {
		k = talloc_asprintf_append(k, "%s%02x", i == 0 ? "/" : "",
					   h2[i]);
	}
	return k;
}

static HRESULT ocsp_check(TALLOC_CTX *mem_ctx,
			  struct bpa_rev_stack *s,
			  const struct bpa_rev_chain *chain,
			  uint32_t first,
			  const struct bpa_rev_para *para,
			  struct bpa_rev_status *st)
{
	gnutls_x509_crt_t cert = bpa_rev_chain_crt(chain, first);
	gnutls_x509_crt_t issuer = bpa_rev_issuer(chain, first);
	struct bpa_ocsp_params op;
	struct bpa_ocsp_result *r = NULL;
	char *url = NULL, *key = NULL;
	DATA_BLOB cached;
	bool from_cache = false;
	HRESULT hr;

	st->index = first;
	st->error = HRES_CRYPT_E_NO_REVOCATION_CHECK;
	if (issuer == NULL) {
		st->detail = "ocsp: the issuer is not known";
		return st->error;
	}
	hr = bpa_ocsp_aia_url(mem_ctx, cert, &url);
	if (HRES_IS_EQUAL(hr, HRES_CRYPT_E_NOT_FOUND)) {
		st->detail = "ocsp: no AIA OCSP URL";
		return st->error;
	}
	if (!HRES_IS_OK(hr)) {
		st->error = HRES_CRYPT_E_REVOCATION_OFFLINE;
		st->detail = "ocsp: out of memory";
		return st->error;
	}
	key = cache_key(mem_ctx, &chain->der[first], &chain->der[first + 1]);
	if (key != NULL) {
		cached = bpa_rev_cache_get(mem_ctx, s, key, para->now);
		if (cached.length > 0) {
			hr = bpa_ocsp_response_check(mem_ctx, &cached, NULL,
						     cert, issuer, para->now,
						     s->p.clock_skew, &r);
			if (HRES_IS_OK(hr) &&
			    (r->outcome == BPA_OCSP_GOOD ||
			     r->outcome == BPA_OCSP_REVOKED)) {
				from_cache = true;
			} else {
				TALLOC_FREE(r);
				bpa_rev_cache_del(s, key);
			}
		}
	}
	if (r == NULL) {
		bpa_ocsp_params_init(&op);
		op.timeout_ms = s->p.url_timeout_ms;
		op.max_response = s->p.max_response;
		op.clock_skew = s->p.clock_skew;
		hr = bpa_ocsp_query(mem_ctx, cert, issuer, url, &op, para->now,
				    &r);
		if (!HRES_IS_OK(hr)) {
			st->error = HRES_CRYPT_E_REVOCATION_OFFLINE;
			st->detail = "ocsp: the request could not be made";
			return st->error;
		}
	}
	if (r->has_next_update) {
		bpa_rev_note_freshness(st, r->next_update, para->now);
	}
	st->detail = talloc_asprintf(mem_ctx, "ocsp %s%s: %s", url,
				     from_cache ? " (cached)" : "",
				     bpa_ocsp_result_string(mem_ctx, r,
							    para->now));
	if (st->detail == NULL) {
		st->detail = "ocsp";
	}
	if ((r->outcome == BPA_OCSP_GOOD || r->outcome == BPA_OCSP_REVOKED) &&
	    para->check_freshness &&
	    ((r->has_next_update && r->next_update < para->now) ||
	     (para->freshness_time > 0 &&
	      r->this_update + (time_t)para->freshness_time < para->now))) {
		st->error = HRES_CRYPT_E_REVOCATION_OFFLINE;
		st->detail = talloc_asprintf(mem_ctx, "%s; outside the "
					     "freshness time", st->detail);
		return st->error;
	}
	if (!from_cache && key != NULL && r->has_next_update &&
	    (r->outcome == BPA_OCSP_GOOD || r->outcome == BPA_OCSP_REVOKED)) {
		bpa_rev_cache_put(s, key, &r->response_der, r->next_update);
	}
	switch (r->outcome) {
	case BPA_OCSP_GOOD:
		if (first + 1 < chain->checked) {
			st->index = first + 1;
			st->error = HRES_CRYPT_E_NO_REVOCATION_CHECK;
		} else {
			st->error = BPA_S_OK;
		}
		break;
	case BPA_OCSP_REVOKED:
		st->error = HRES_CRYPT_E_REVOKED;
		st->reason = r->reason;
		break;
	case BPA_OCSP_UNKNOWN:
		/* seed: OFFLINE, not NOT_IN_REVOCATION_DATABASE */
		st->error = HRES_CRYPT_E_REVOCATION_OFFLINE;
		st->definitive_unknown = true;
		break;
	default:
		st->error = HRES_CRYPT_E_REVOCATION_OFFLINE;
		break;
	}
	return st->error;
}

const struct bpa_rev_provider bpa_rev_provider_ocsp = {
	.name = "ocsp",
	.fn = ocsp_check,
	.network = true,
};
