/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * OCSP request side (RFC 6960 4.1): the responder URL from the AIA
 * extension and the OCSPRequest, both with GnuTLS.  Also the names of
 * the vocabulary in ocsp_client.h.
 */
#include <string.h>
#include <strings.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/ocsp.h>
#include <gnutls/crypto.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "ocsp/ocsp_client.h"

void bpa_ocsp_params_init(struct bpa_ocsp_params *p)
{
	p->timeout_ms = BPA_OCSP_DEFAULT_TIMEOUT_MS;
	p->max_response = BPA_OCSP_DEFAULT_MAX_RESPONSE;
	p->clock_skew = BPA_OCSP_DEFAULT_CLOCK_SKEW;
	p->nonce = true;
}

/* RFC 5280 5.3.1 */
static const char *const reason_names[] = {
	[BPA_CRL_REASON_UNSPECIFIED] = "unspecified",
	[BPA_CRL_REASON_KEY_COMPROMISE] = "keyCompromise",
	[BPA_CRL_REASON_CA_COMPROMISE] = "cACompromise",
	[BPA_CRL_REASON_AFFILIATION_CHANGED] = "affiliationChanged",
	[BPA_CRL_REASON_SUPERSEDED] = "superseded",
	[BPA_CRL_REASON_CESSATION_OF_OPERATION] = "cessationOfOperation",
	[BPA_CRL_REASON_CERTIFICATE_HOLD] = "certificateHold",
	[BPA_CRL_REASON_REMOVE_FROM_CRL] = "removeFromCRL",
	[BPA_CRL_REASON_PRIVILEGE_WITHDRAWN] = "privilegeWithdrawn",
	[BPA_CRL_REASON_AA_COMPROMISE] = "aACompromise",
};

const char *bpa_crl_reason_name(uint32_t reason)
{
	if (reason >= sizeof(reason_names) / sizeof(reason_names[0])) {
		return NULL;
	}
	return reason_names[reason];
}

bool bpa_crl_reason_from_name(const char *name, uint32_t *preason)
{
	size_t i;

	if (name == NULL) {
		return false;
	}
	for (i = 0; i < sizeof(reason_names) / sizeof(reason_names[0]); i++) {
		if (reason_names[i] != NULL &&
		    strcasecmp(reason_names[i], name) == 0) {
			*preason = i;
			return true;
		}
	}
	return false;
}

const char *bpa_ocsp_outcome_name(enum bpa_ocsp_outcome o)
{
	switch (o) {
	case BPA_OCSP_GOOD:
		return "good";
	case BPA_OCSP_REVOKED:
		return "revoked";
	case BPA_OCSP_UNKNOWN:
		return "unknown";
	case BPA_OCSP_RESPONDER_ERROR:
		return "responder-error";
	case BPA_OCSP_TRANSPORT_ERROR:
		return "transport-error";
	case BPA_OCSP_VERIFY_ERROR:
		return "verify-error";
	}
	return "invalid";
}

const char *bpa_ocsp_verify_error_name(enum bpa_ocsp_verify_error e)
{
	switch (e) {
	case BPA_OCSP_VE_NONE:
		return "none";
	case BPA_OCSP_VE_MALFORMED:
		return "malformed";
	case BPA_OCSP_VE_SIGNER:
		return "signer";
	case BPA_OCSP_VE_NO_MATCH:
		return "no-match";
	case BPA_OCSP_VE_NONCE:
		return "nonce";
	case BPA_OCSP_VE_NOT_YET_VALID:
		return "not-yet-valid";
	case BPA_OCSP_VE_EXPIRED:
		return "expired";
	}
	return "invalid";
}

/* RFC 6960 4.2.1 OCSPResponseStatus */
const char *bpa_ocsp_responder_status_name(int status)
{
	switch (status) {
	case GNUTLS_OCSP_RESP_SUCCESSFUL:
		return "successful";
	case GNUTLS_OCSP_RESP_MALFORMEDREQUEST:
		return "malformedRequest";
	case GNUTLS_OCSP_RESP_INTERNALERROR:
		return "internalError";
	case GNUTLS_OCSP_RESP_TRYLATER:
		return "tryLater";
	case GNUTLS_OCSP_RESP_SIGREQUIRED:
		return "sigRequired";
	case GNUTLS_OCSP_RESP_UNAUTHORIZED:
		return "unauthorized";
	}
	return NULL;
}

/* RFC 5280 4.2.2.1: AuthorityInfoAccess, accessMethod id-ad-ocsp */
HRESULT bpa_ocsp_aia_url(TALLOC_CTX *mem_ctx,
			 gnutls_x509_crt_t cert,
			 char **purl)
{
	unsigned seq;
	int rc;

	*purl = NULL;
	if (cert == NULL) {
		return HRES_E_INVALIDARG;
	}
	for (seq = 0; seq < 64; seq++) {
		gnutls_datum_t d = { NULL, 0 };
		unsigned critical = 0;

		rc = gnutls_x509_crt_get_authority_info_access(
			cert, seq, GNUTLS_IA_OCSP_URI, &d, &critical);
		if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
			break;
		}
		if (rc == GNUTLS_E_UNKNOWN_ALGORITHM) {
			continue;	/* another access method */
		}
		if (rc < 0) {
			DBG_NOTICE("AIA extension: %s\n", gnutls_strerror(rc));
			break;
		}
		if (d.size > 7 && memchr(d.data, '\0', d.size) == NULL &&
		    strncasecmp((const char *)d.data, "http://", 7) == 0) {
			*purl = talloc_strndup(mem_ctx, (const char *)d.data,
					       d.size);
			gnutls_free(d.data);
			return (*purl == NULL) ? HRES_E_OUTOFMEMORY
					       : BPA_S_OK;
		}
		DBG_INFO("AIA OCSP location %u is not an http:// URL\n", seq);
		gnutls_free(d.data);
	}
	return HRES_CRYPT_E_NOT_FOUND;
}

/* RFC 6960 4.1.1 (request), 4.4.1 (nonce) */
HRESULT bpa_ocsp_request_build(TALLOC_CTX *mem_ctx,
			       gnutls_x509_crt_t cert,
			       gnutls_x509_crt_t issuer,
			       bool with_nonce,
			       struct bpa_ocsp_request **preq)
{
	gnutls_ocsp_req_t req = NULL;
	gnutls_datum_t der = { NULL, 0 };
	struct bpa_ocsp_request *r = NULL;
	uint8_t nonce[BPA_OCSP_NONCE_LEN];
	HRESULT hr = HRES_E_FAIL;
	int rc;

	*preq = NULL;
	if (cert == NULL || issuer == NULL) {
		return HRES_E_INVALIDARG;
	}
	r = talloc_zero(mem_ctx, struct bpa_ocsp_request);
	if (r == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	rc = gnutls_ocsp_req_init(&req);
	if (rc < 0) {
		DBG_ERR("gnutls_ocsp_req_init: %s\n", gnutls_strerror(rc));
		goto done;
	}
	rc = gnutls_ocsp_req_add_cert(req, GNUTLS_DIG_SHA1, issuer, cert);
	if (rc < 0) {
		DBG_ERR("gnutls_ocsp_req_add_cert: %s\n", gnutls_strerror(rc));
		goto done;
	}
	if (with_nonce) {
		/* The extnValue is an OCTET STRING holding the nonce as an
		 * OCTET STRING (RFC 8954); GnuTLS adds the inner one. */
		gnutls_datum_t n = { nonce, sizeof(nonce) };

		rc = gnutls_rnd(GNUTLS_RND_NONCE, nonce, sizeof(nonce));
		if (rc < 0) {
			DBG_ERR("gnutls_rnd: %s\n", gnutls_strerror(rc));
			goto done;
		}
		rc = gnutls_ocsp_req_set_nonce(req, 0, &n);
		if (rc < 0) {
			DBG_ERR("gnutls_ocsp_req_set_nonce: %s\n",
				gnutls_strerror(rc));
			goto done;
		}
		r->nonce = data_blob_talloc(r, nonce, sizeof(nonce));
		if (r->nonce.data == NULL) {
			hr = HRES_E_OUTOFMEMORY;
			goto done;
		}
	}
	rc = gnutls_ocsp_req_export(req, &der);
	if (rc < 0) {
		DBG_ERR("gnutls_ocsp_req_export: %s\n", gnutls_strerror(rc));
		goto done;
	}
	r->der = data_blob_talloc(r, der.data, der.size);
	if (r->der.data == NULL) {
		hr = HRES_E_OUTOFMEMORY;
		goto done;
	}
	*preq = r;
	r = NULL;
	hr = BPA_S_OK;
done:
	gnutls_free(der.data);
	if (req != NULL) {
		gnutls_ocsp_req_deinit(req);
	}
	TALLOC_FREE(r);
	return hr;
}
