/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * OCSP response side (RFC 6960 4.2, 3.2): verification of a response
 * about one certificate and its classification.  Parsing and the
 * signature (issuer or delegated responder) are GnuTLS's; the checks
 * around them are ours (see bpa_ocsp_response_check() in the header).
 */
#include <string.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/ocsp.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "util/bpa_text.h"
#include "ocsp/ocsp_client.h"

static bool datum_eq(const gnutls_datum_t *a, const gnutls_datum_t *b)
{
	return a->size == b->size &&
	       (a->size == 0 || memcmp(a->data, b->data, a->size) == 0);
}

/*
 * certID of @cert/@issuer with hash @dig (RFC 6960 4.1.1), through a
 * throwaway request: GnuTLS computes the hashes the way responders do.
 */
struct cert_id {
	gnutls_digest_algorithm_t dig;
	gnutls_datum_t name_hash;
	gnutls_datum_t key_hash;
	gnutls_datum_t serial;
};

static void cert_id_free(struct cert_id *id)
{
	gnutls_free(id->name_hash.data);
	gnutls_free(id->key_hash.data);
	gnutls_free(id->serial.data);
	memset(id, 0, sizeof(*id));
}

static int cert_id_make(gnutls_x509_crt_t cert,
			gnutls_x509_crt_t issuer,
			gnutls_digest_algorithm_t dig,
			struct cert_id *id)
{
	gnutls_ocsp_req_t req = NULL;
	int rc;

	memset(id, 0, sizeof(*id));
	rc = gnutls_ocsp_req_init(&req);
	if (rc < 0) {
		return rc;
	}
	rc = gnutls_ocsp_req_add_cert(req, dig, issuer, cert);
	if (rc < 0) {
		goto done;
	}
	rc = gnutls_ocsp_req_get_cert_id(req, 0, &id->dig, &id->name_hash,
					 &id->key_hash, &id->serial);
done:
	gnutls_ocsp_req_deinit(req);
	return rc;
}

static void set_verify_error(struct bpa_ocsp_result *r,
			     enum bpa_ocsp_verify_error e,
			     const char *detail)
{
	r->outcome = BPA_OCSP_VERIFY_ERROR;
	r->verify_error = e;
	r->detail = detail;
}

/* Text of gnutls_ocsp_verify_reason_t bits, static */
static const char *signer_text(unsigned v)
{
	if (v & GNUTLS_OCSP_VERIFY_SIGNER_NOT_FOUND) {
		return "responder not trusted: signer not found";
	}
	if (v & GNUTLS_OCSP_VERIFY_UNTRUSTED_SIGNER) {
		return "responder not trusted: signer not issued by the "
		       "issuer";
	}
	if (v & GNUTLS_OCSP_VERIFY_SIGNER_KEYUSAGE_ERROR) {
		return "responder not trusted: signer lacks OCSPSigning";
	}
	if (v & GNUTLS_OCSP_VERIFY_INSECURE_ALGORITHM) {
		return "responder not trusted: insecure signature algorithm";
	}
	if (v & GNUTLS_OCSP_VERIFY_CERT_NOT_ACTIVATED) {
		return "responder not trusted: signer not yet valid";
	}
	if (v & GNUTLS_OCSP_VERIFY_CERT_EXPIRED) {
		return "responder not trusted: signer expired";
	}
	return "responder not trusted: signature does not verify";
}

/*
 * Find the single response about @cert: index, or -1.  Each single
 * response's certID is compared with ours computed with its own hash
 * algorithm (RFC 6960 4.1.1: all four fields).
 */
static int find_single(gnutls_ocsp_resp_t resp,
		       gnutls_x509_crt_t cert,
		       gnutls_x509_crt_t issuer)
{
	unsigned i;

	for (i = 0; i < 1024; i++) {
		gnutls_digest_algorithm_t dig = GNUTLS_DIG_UNKNOWN;
		gnutls_datum_t nh = { NULL, 0 }, kh = { NULL, 0 };
		gnutls_datum_t sn = { NULL, 0 };
		struct cert_id ours;
		bool match = false;
		int rc;

		rc = gnutls_ocsp_resp_get_single(resp, i, &dig, &nh, &kh, &sn,
						 NULL, NULL, NULL, NULL, NULL);
		if (rc < 0) {
			return -1;	/* no more (or does not decode) */
		}
		rc = cert_id_make(cert, issuer, dig, &ours);
		if (rc == 0) {
			match = datum_eq(&nh, &ours.name_hash) &&
				datum_eq(&kh, &ours.key_hash) &&
				datum_eq(&sn, &ours.serial);
		}
		cert_id_free(&ours);
		gnutls_free(nh.data);
		gnutls_free(kh.data);
		gnutls_free(sn.data);
		if (match) {
			return (int)i;
		}
	}
	return -1;
}

/* Does the issuer's key sign the response itself? */
static bool signed_by_issuer(gnutls_ocsp_resp_t resp,
			     gnutls_x509_crt_t issuer)
{
	gnutls_x509_crt_t *certs = NULL;
	size_t n = 0, i;
	bool by_issuer = true;
	gnutls_datum_t id = { NULL, 0 };
	int rc;

	rc = gnutls_ocsp_resp_get_certs(resp, &certs, &n);
	if (rc < 0) {
		return true;
	}
	if (n == 0) {
		gnutls_free(certs);
		return true;	/* no certificates: the issuer signed */
	}
	/* Which certificate is the responder?  Compare the responder ID
	 * (by DN) with each; a certificate equal to the issuer is the
	 * issuer. */
	rc = gnutls_ocsp_resp_get_responder_raw_id(resp, GNUTLS_OCSP_RESP_ID_DN,
						   &id);
	for (i = 0; i < n; i++) {
		if (rc == 0) {
			gnutls_datum_t dn = { NULL, 0 };

			if (gnutls_x509_crt_get_raw_dn(certs[i], &dn) == 0 &&
			    datum_eq(&dn, &id) &&
			    gnutls_x509_crt_equals(certs[i], issuer) == 0) {
				by_issuer = false;
			}
			gnutls_free(dn.data);
		} else if (gnutls_x509_crt_equals(certs[i], issuer) == 0) {
			/* by key: GnuTLS found a signer other than the
			 * issuer among the certificates */
			by_issuer = false;
		}
		gnutls_x509_crt_deinit(certs[i]);
	}
	gnutls_free(certs);
	gnutls_free(id.data);
	return by_issuer;
}

HRESULT bpa_ocsp_response_check(TALLOC_CTX *mem_ctx,
				const DATA_BLOB *resp_der,
				const struct bpa_ocsp_request *req,
				gnutls_x509_crt_t cert,
				gnutls_x509_crt_t issuer,
				time_t now,
				uint32_t clock_skew,
				struct bpa_ocsp_result **presult)
{
	struct bpa_ocsp_result *r = NULL;
	gnutls_ocsp_resp_t resp = NULL;
	gnutls_datum_t d;
	gnutls_datum_t nonce = { NULL, 0 };
	unsigned verify = 0, status = 0, reason = 0;
	time_t this_update = -1, next_update = -1, rev_time = -1;
	int idx, rc;
	HRESULT hr = HRES_E_OUTOFMEMORY;

	*presult = NULL;
	if (resp_der == NULL || cert == NULL || issuer == NULL) {
		return HRES_E_INVALIDARG;
	}
	r = talloc_zero(mem_ctx, struct bpa_ocsp_result);
	if (r == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	r->responder_status = GNUTLS_OCSP_RESP_SUCCESSFUL;
	r->this_update = r->next_update = r->revocation_time = -1;
	r->produced_at = -1;
	if (resp_der->length > 0) {
		r->response_der = data_blob_talloc(r, resp_der->data,
						   resp_der->length);
		if (r->response_der.data == NULL) {
			goto done;
		}
	}

	rc = gnutls_ocsp_resp_init(&resp);
	if (rc < 0) {
		DBG_ERR("gnutls_ocsp_resp_init: %s\n", gnutls_strerror(rc));
		goto done;
	}
	d.data = resp_der->data;
	d.size = resp_der->length;
	if (resp_der->length == 0 || resp_der->length > UINT32_MAX) {
		set_verify_error(r, BPA_OCSP_VE_MALFORMED, "empty response");
		goto classified;
	}
	/* 1. OCSPResponse; responseStatus (RFC 6960 4.2.1) */
	rc = gnutls_ocsp_resp_import(resp, &d);
	if (rc < 0) {
		set_verify_error(r, BPA_OCSP_VE_MALFORMED,
				 "not an OCSP response");
		goto classified;
	}
	rc = gnutls_ocsp_resp_get_status(resp);
	if (rc < 0) {
		set_verify_error(r, BPA_OCSP_VE_MALFORMED,
				 "no response status");
		goto classified;
	}
	if (rc != GNUTLS_OCSP_RESP_SUCCESSFUL) {
		r->outcome = BPA_OCSP_RESPONDER_ERROR;
		r->responder_status = rc;
		r->detail = bpa_ocsp_responder_status_name(rc);
		if (r->detail == NULL) {
			r->detail = "unknown response status";
		}
		goto classified;
	}
	/* A successful status must carry a basic response */
	rc = gnutls_ocsp_resp_get_single(resp, 0, NULL, NULL, NULL, NULL,
					 NULL, NULL, NULL, NULL, NULL);
	if (rc < 0) {
		set_verify_error(r, BPA_OCSP_VE_MALFORMED,
				 "no basic response");
		goto classified;
	}
	r->produced_at = gnutls_ocsp_resp_get_produced(resp);

	/* 2. signature: issuer, or delegated responder (RFC 6960 4.2.2.2) */
	rc = gnutls_ocsp_resp_verify_direct(resp, issuer, &verify, 0);
	if (rc < 0) {
		DBG_INFO("gnutls_ocsp_resp_verify_direct: %s\n",
			 gnutls_strerror(rc));
		set_verify_error(r, BPA_OCSP_VE_SIGNER,
				 "responder not trusted: signature does not "
				 "verify");
		goto classified;
	}
	if (verify != 0) {
		r->verify_status = verify;
		set_verify_error(r, BPA_OCSP_VE_SIGNER, signer_text(verify));
		goto classified;
	}
	r->delegated_responder = !signed_by_issuer(resp, issuer);

	/* 3. the single response about our certificate */
	idx = find_single(resp, cert, issuer);
	if (idx < 0) {
		set_verify_error(r, BPA_OCSP_VE_NO_MATCH,
				 "no response for this certificate");
		goto classified;
	}
	rc = gnutls_ocsp_resp_get_single(resp, idx, NULL, NULL, NULL, NULL,
					 &status, &this_update, &next_update,
					 &rev_time, &reason);
	if (rc < 0) {
		set_verify_error(r, BPA_OCSP_VE_MALFORMED,
				 "single response does not decode");
		goto classified;
	}
	r->this_update = this_update;
	if (next_update != (time_t)-1) {
		r->next_update = next_update;
		r->has_next_update = true;
	}

	/* 4. nonce (RFC 6960 4.4.1) */
	if (req != NULL && req->nonce.length > 0) {
		gnutls_datum_t want = { req->nonce.data, req->nonce.length };

		rc = gnutls_ocsp_resp_get_nonce(resp, NULL, &nonce);
		if (rc < 0) {
			set_verify_error(r, BPA_OCSP_VE_NONCE,
					 "nonce missing from the response");
			goto classified;
		}
		if (!datum_eq(&nonce, &want)) {
			set_verify_error(r, BPA_OCSP_VE_NONCE,
					 "nonce does not match the request");
			goto classified;
		}
	}

	/* 5. freshness (RFC 6960 4.2.2.1; RFC 5019 4) */
	if (this_update == (time_t)-1 ||
	    this_update > now + (time_t)clock_skew) {
		set_verify_error(r, BPA_OCSP_VE_NOT_YET_VALID,
				 "response not yet valid (thisUpdate)");
		goto classified;
	}
	if (r->has_next_update && next_update + (time_t)clock_skew < now) {
		set_verify_error(r, BPA_OCSP_VE_EXPIRED,
				 "response expired (nextUpdate)");
		goto classified;
	}

	/* 6. certStatus */
	switch (status) {
	case GNUTLS_OCSP_CERT_GOOD:
		r->outcome = BPA_OCSP_GOOD;
		r->detail = "good";
		break;
	case GNUTLS_OCSP_CERT_REVOKED:
		r->outcome = BPA_OCSP_REVOKED;
		r->revocation_time = rev_time;
		/* GnuTLS gives UNSPECIFIED when revocationReason is
		 * absent; RFC 5280 5.3.1 says the same */
		r->reason = reason;
		r->has_reason = true;
		r->detail = "revoked";
		break;
	case GNUTLS_OCSP_CERT_UNKNOWN:
		r->outcome = BPA_OCSP_UNKNOWN;
		r->detail = "unknown to the responder";
		break;
	default:
		set_verify_error(r, BPA_OCSP_VE_MALFORMED,
				 "unknown certStatus");
		break;
	}

classified:
	*presult = r;
	r = NULL;
	hr = BPA_S_OK;
done:
	gnutls_free(nonce.data);
	if (resp != NULL) {
		gnutls_ocsp_resp_deinit(resp);
	}
	TALLOC_FREE(r);
	return hr;
}

static char *fmt_time(TALLOC_CTX *mem_ctx, time_t t)
{
	char buf[BPA_TIME_STRING_MAX];

	return talloc_strdup(mem_ctx, bpa_time_format(t, buf));
}

char *bpa_ocsp_result_string(TALLOC_CTX *mem_ctx,
			     const struct bpa_ocsp_result *r,
			     time_t now)
{
	TALLOC_CTX *frame = talloc_new(mem_ctx);
	char *s = NULL;
	char *out = NULL;

	if (frame == NULL) {
		return NULL;
	}
	s = talloc_strdup(frame, bpa_ocsp_outcome_name(r->outcome));
	switch (r->outcome) {
	case BPA_OCSP_REVOKED: {
		const char *rn = bpa_crl_reason_name(r->reason);

		s = talloc_asprintf_append(s, " (%s) at %s",
					   rn != NULL ? rn : "unknown-reason",
					   fmt_time(frame, r->revocation_time));
		break;
	}
	case BPA_OCSP_RESPONDER_ERROR:
	case BPA_OCSP_TRANSPORT_ERROR:
		s = talloc_asprintf_append(s, " (%s)",
					   r->detail ? r->detail : "?");
		break;
	case BPA_OCSP_VERIFY_ERROR:
		s = talloc_asprintf_append(s, " (%s: %s)",
			bpa_ocsp_verify_error_name(r->verify_error),
			r->detail ? r->detail : "?");
		break;
	default:
		break;
	}
	if (s != NULL && r->has_next_update &&
	    r->outcome != BPA_OCSP_TRANSPORT_ERROR &&
	    r->outcome != BPA_OCSP_RESPONDER_ERROR) {
		s = talloc_asprintf_append(s, ", next update in %lld s",
				(long long)(r->next_update - now));
	}
	if (s != NULL) {
		out = talloc_steal(mem_ctx, s);
	}
	TALLOC_FREE(frame);
	return out;
}
