/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One OCSP exchange (RFC 6960 A.1: HTTP POST of the DER request):
 * request, fetch, check.  See bpa_ocsp_query() in ocsp_client.h.
 */
#include <string.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "ocsp/ocsp_client.h"

HRESULT bpa_ocsp_query(TALLOC_CTX *mem_ctx,
		       gnutls_x509_crt_t cert,
		       gnutls_x509_crt_t issuer,
		       const char *url,
		       const struct bpa_ocsp_params *p,
		       time_t now,
		       struct bpa_ocsp_result **presult)
{
	TALLOC_CTX *frame = NULL;
	struct bpa_ocsp_params defaults;
	struct bpa_ocsp_request *req = NULL;
	struct bpa_ocsp_result *r = NULL;
	char *aia = NULL;
	char *err = NULL;
	DATA_BLOB resp = data_blob_null;
	HRESULT hr;

	*presult = NULL;
	if (cert == NULL || issuer == NULL) {
		return HRES_E_INVALIDARG;
	}
	if (p == NULL) {
		bpa_ocsp_params_init(&defaults);
		p = &defaults;
	}
	frame = talloc_new(mem_ctx);
	if (frame == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	if (url == NULL) {
		hr = bpa_ocsp_aia_url(frame, cert, &aia);
		if (!HRES_IS_OK(hr)) {
			goto done;
		}
		url = aia;
	}
	hr = bpa_ocsp_request_build(frame, cert, issuer, p->nonce, &req);
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	hr = bpa_ocsp_http_fetch(frame, url, &req->der,
				 "application/ocsp-request", p->timeout_ms,
				 p->max_response, &resp, &err);
	if (HRES_IS_EQUAL(hr, HRES_CRYPT_E_REVOCATION_OFFLINE)) {
		r = talloc_zero(frame, struct bpa_ocsp_result);
		if (r == NULL) {
			hr = HRES_E_OUTOFMEMORY;
			goto done;
		}
		r->outcome = BPA_OCSP_TRANSPORT_ERROR;
		r->this_update = r->next_update = r->revocation_time = -1;
		r->produced_at = -1;
		r->detail = talloc_steal(r, err);
		hr = BPA_S_OK;
	} else if (HRES_IS_OK(hr)) {
		hr = bpa_ocsp_response_check(frame, &resp, req, cert, issuer,
					     now, p->clock_skew, &r);
	}
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	r->url = talloc_strdup(r, url);
	if (r->url == NULL) {
		hr = HRES_E_OUTOFMEMORY;
		goto done;
	}
	/* detail may point to static text or to r's own children */
	DBG_INFO("OCSP %s: %s\n", url, r->detail ? r->detail : "");
	*presult = talloc_steal(mem_ctx, r);
done:
	TALLOC_FREE(frame);
	return hr;
}
