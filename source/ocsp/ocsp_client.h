/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The OCSP client (RFC 6960): build a request for one certificate, send
 * it over HTTP, verify the response and classify it.  Used by the
 * revocation stack's "ocsp" provider (source/revocation, seed
 * ocsp-revocation-provider) and by the prefetcher of the local
 * certificate's response (stapling).
 *
 * Everything but bpa_ocsp_http_fetch() (and bpa_ocsp_query(), which
 * calls it) is a pure function of its arguments: time comes from the
 * caller, nothing is cached here.  Results are talloc children of the
 * mem_ctx given; GnuTLS objects passed in stay the caller's.
 *
 * What is ours and what is GnuTLS's: GnuTLS parses requests and
 * responses (gnutls_ocsp_req_*, gnutls_ocsp_resp_*) and verifies the
 * response signature, including a delegated responder (a certificate
 * in the response, issued by the issuer, with id-kp-OCSPSigning:
 * gnutls_ocsp_resp_verify_direct()).  Ours are the policy checks
 * around it (which single response is about our certificate, nonce,
 * thisUpdate/nextUpdate with clock skew) and the classification.  HTTP
 * is libcurl (its GnuTLS flavour), restricted to http:// URLs.
 *
 * Typical use:
 *
 *	struct bpa_ocsp_params p;
 *	struct bpa_ocsp_result *r = NULL;
 *
 *	bpa_ocsp_params_init(&p);
 *	hr = bpa_ocsp_query(mem_ctx, cert, issuer, NULL, &p, time(NULL),
 *			    &r);
 *	if (!HRES_IS_OK(hr)) -> ENOMEM / bad arguments only
 *	switch (r->outcome) { case BPA_OCSP_GOOD: ... }
 *
 * Thread safety: no shared state of ours; libcurl's global init is done
 * lazily by curl_easy_init() (thread-safe in the libcurl Debian 12
 * ships).  Signals: CURLOPT_NOSIGNAL is set, the timeout is libcurl's.
 */
#ifndef _BPA_OCSP_CLIENT_H_
#define _BPA_OCSP_CLIENT_H_

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <talloc.h>
#include <util/data_blob.h>
#include <core/hresult.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

/* Defaults of struct bpa_ocsp_params */
#define BPA_OCSP_DEFAULT_TIMEOUT_MS	15000	/* "revocation url timeout" */
#define BPA_OCSP_DEFAULT_MAX_RESPONSE	(64 * 1024)	/* bytes */
#define BPA_OCSP_DEFAULT_CLOCK_SKEW	300	/* seconds */
/* Bounds the callers' options are held to */
#define BPA_OCSP_MIN_TIMEOUT_MS		100
#define BPA_OCSP_MAX_TIMEOUT_MS		300000
#define BPA_OCSP_MAX_MAX_RESPONSE	(16 * 1024 * 1024)

/* Our nonce is this many random bytes (RFC 8954: 1..32) */
#define BPA_OCSP_NONCE_LEN		32

struct bpa_ocsp_params {
	uint32_t timeout_ms;	/* whole HTTP exchange, connect included */
	size_t max_response;	/* larger bodies are a transport error */
	uint32_t clock_skew;	/* tolerance on thisUpdate/nextUpdate (s) */
	bool nonce;		/* send a nonce and require it echoed */
};

/** Fill @p with the defaults: 15000 ms, 64 KiB, 300 s, nonce on. */
void bpa_ocsp_params_init(struct bpa_ocsp_params *p);

/* What an OCSP exchange came to */
enum bpa_ocsp_outcome {
	BPA_OCSP_GOOD = 0,		/* certStatus good */
	BPA_OCSP_REVOKED,		/* certStatus revoked: reason, time */
	BPA_OCSP_UNKNOWN,		/* certStatus unknown */
	BPA_OCSP_RESPONDER_ERROR,	/* responseStatus not successful:
					 * responder_status says which */
	BPA_OCSP_TRANSPORT_ERROR,	/* connect, timeout, HTTP status,
					 * size limit: see detail */
	BPA_OCSP_VERIFY_ERROR,		/* see verify_error */
};

/* Why a response was not accepted (outcome BPA_OCSP_VERIFY_ERROR) */
enum bpa_ocsp_verify_error {
	BPA_OCSP_VE_NONE = 0,
	BPA_OCSP_VE_MALFORMED,		/* not a DER OCSPResponse, or not a
					 * basic response */
	BPA_OCSP_VE_SIGNER,		/* signature does not verify with the
					 * issuer nor with a delegated
					 * responder it issued for OCSP
					 * signing (gnutls_verify bits) */
	BPA_OCSP_VE_NO_MATCH,		/* no single response for our certID */
	BPA_OCSP_VE_NONCE,		/* nonce sent: missing or different */
	BPA_OCSP_VE_NOT_YET_VALID,	/* thisUpdate > now + skew */
	BPA_OCSP_VE_EXPIRED,		/* nextUpdate < now - skew */
};

/* RFC 5280 5.3.1 CRLReason values (the seed's seven, and 8..10) */
enum bpa_crl_reason {
	BPA_CRL_REASON_UNSPECIFIED = 0,
	BPA_CRL_REASON_KEY_COMPROMISE = 1,
	BPA_CRL_REASON_CA_COMPROMISE = 2,
	BPA_CRL_REASON_AFFILIATION_CHANGED = 3,
	BPA_CRL_REASON_SUPERSEDED = 4,
	BPA_CRL_REASON_CESSATION_OF_OPERATION = 5,
	BPA_CRL_REASON_CERTIFICATE_HOLD = 6,
	/* 7 is not used */
	BPA_CRL_REASON_REMOVE_FROM_CRL = 8,
	BPA_CRL_REASON_PRIVILEGE_WITHDRAWN = 9,
	BPA_CRL_REASON_AA_COMPROMISE = 10,
};

/**
 * RFC 5280 name of a reason code ("keyCompromise", "cACompromise",
 * "affiliationChanged", "superseded", "cessationOfOperation",
 * "certificateHold", "unspecified", "removeFromCRL",
 * "privilegeWithdrawn", "aACompromise"); NULL for other values.
 */
const char *bpa_crl_reason_name(uint32_t reason);

/**
 * The reason code named @name (as above, case-insensitive).
 * @return true and *@preason, or false for an unknown name.
 */
bool bpa_crl_reason_from_name(const char *name, uint32_t *preason);

struct bpa_ocsp_result {
	enum bpa_ocsp_outcome outcome;
	enum bpa_ocsp_verify_error verify_error;
	uint32_t verify_status;		/* gnutls_ocsp_verify_reason_t bits
					 * (BPA_OCSP_VE_SIGNER) */
	int responder_status;		/* gnutls_ocsp_resp_status_t
					 * (BPA_OCSP_RESPONDER_ERROR) */
	/* certStatus details (GOOD, REVOKED, UNKNOWN, and the times also
	 * for NOT_YET_VALID / EXPIRED) */
	uint32_t reason;		/* enum bpa_crl_reason (REVOKED) */
	bool has_reason;		/* revocationReason was present */
	time_t revocation_time;		/* REVOKED */
	time_t this_update;
	time_t next_update;		/* when has_next_update */
	bool has_next_update;
	time_t produced_at;
	bool delegated_responder;	/* signed by a responder certificate,
					 * not by the issuer itself */
	const char *url;		/* where it came from, or NULL */
	const char *detail;		/* human-readable: what happened */
	DATA_BLOB response_der;		/* the raw response as received (for
					 * stapling / caching); empty on a
					 * transport error */
};

/** "good", "revoked", "unknown", "responder-error", "transport-error",
 * "verify-error" */
const char *bpa_ocsp_outcome_name(enum bpa_ocsp_outcome o);

/** "malformed", "signer", "no-match", "nonce", "not-yet-valid",
 * "expired", or "none" */
const char *bpa_ocsp_verify_error_name(enum bpa_ocsp_verify_error e);

/** RFC 6960 name of a responseStatus ("malformedRequest",
 * "internalError", "tryLater", "sigRequired", "unauthorized",
 * "successful"); NULL for others. */
const char *bpa_ocsp_responder_status_name(int status);

/**
 * The first http:// OCSP URL in @cert's Authority Information Access
 * extension (id-ad-ocsp, RFC 5280 4.2.2.1).  Other schemes are skipped.
 * @return S_OK and *@purl on @mem_ctx; HRES_CRYPT_E_NOT_FOUND when the
 *         certificate has none; HRES_E_OUTOFMEMORY.
 */
HRESULT bpa_ocsp_aia_url(TALLOC_CTX *mem_ctx,
			 gnutls_x509_crt_t cert,
			 char **purl);

/* A request: its DER and what the response must match */
struct bpa_ocsp_request {
	DATA_BLOB der;			/* the OCSPRequest, DER */
	DATA_BLOB nonce;		/* empty when none was sent */
};

/**
 * Build the OCSPRequest for @cert, issued by @issuer: one certID (SHA-1
 * hashes, as RFC 5019 lightweight responders expect), and with
 * @with_nonce a random nonce extension (RFC 6960 4.4.1, 32 bytes).
 * @return S_OK and *@preq on @mem_ctx; HRES_E_INVALIDARG (a NULL
 *         argument); HRES_E_OUTOFMEMORY; HRES_E_FAIL (a GnuTLS error,
 *         logged).
 */
HRESULT bpa_ocsp_request_build(TALLOC_CTX *mem_ctx,
			       gnutls_x509_crt_t cert,
			       gnutls_x509_crt_t issuer,
			       bool with_nonce,
			       struct bpa_ocsp_request **preq);

/**
 * Verify and classify @resp_der, the answer about @cert (issued by
 * @issuer) at time @now.  @req: the request it answers, for the nonce
 * check (NULL: no nonce check, e.g. a stapled or stored response).
 *
 * Checks, in order (the first failure decides):
 *  1. DER OCSPResponse; responseStatus not successful ->
 *     RESPONDER_ERROR (no further checks: such a response is unsigned);
 *  2. a basic response signed by @issuer or by a delegated responder
 *     (gnutls_ocsp_resp_verify_direct) -> else VERIFY_ERROR/SIGNER;
 *  3. a single response whose certID (hash algorithm, issuer name and
 *     key hashes, serial) is @cert's -> else NO_MATCH;
 *  4. nonce: @req sent one and the response's differs or is missing ->
 *     NONCE;
 *  5. thisUpdate <= now + skew, else NOT_YET_VALID; when present,
 *     nextUpdate >= now - skew, else EXPIRED;
 *  6. certStatus: GOOD, REVOKED (reason, time) or UNKNOWN.
 * A response without nextUpdate is accepted (has_next_update false).
 *
 * @return S_OK and *@presult on @mem_ctx (whatever the outcome: the
 *         outcome is in the result); HRES_E_INVALIDARG (NULL
 *         arguments); HRES_E_OUTOFMEMORY.
 */
HRESULT bpa_ocsp_response_check(TALLOC_CTX *mem_ctx,
				const DATA_BLOB *resp_der,
				const struct bpa_ocsp_request *req,
				gnutls_x509_crt_t cert,
				gnutls_x509_crt_t issuer,
				time_t now,
				uint32_t clock_skew,
				struct bpa_ocsp_result **presult);

/**
 * HTTP with libcurl: POST @body (Content-Type @content_type) to @url,
 * or GET when @body is NULL.  Only http:// URLs; no redirects; the
 * whole exchange within @timeout_ms; a body larger than @max_size is
 * refused as soon as it is seen (Content-Length or while receiving).
 * Proxies come from the environment as libcurl reads them.
 *
 * @return S_OK and the body in *@pout (on @mem_ctx) for HTTP 200;
 *         HRES_CRYPT_E_REVOCATION_OFFLINE for every transport failure
 *         (connect, timeout, HTTP status, size, other scheme), with a
 *         text in *@perr (on @mem_ctx, if @perr not NULL);
 *         HRES_E_INVALIDARG; HRES_E_OUTOFMEMORY.
 */
HRESULT bpa_ocsp_http_fetch(TALLOC_CTX *mem_ctx,
			    const char *url,
			    const DATA_BLOB *body,
			    const char *content_type,
			    uint32_t timeout_ms,
			    size_t max_size,
			    DATA_BLOB *pout,
			    char **perr);

/**
 * The whole exchange: build the request for @cert/@issuer, POST it to
 * @url (NULL: the certificate's AIA OCSP URL), check the response at
 * @now with bpa_ocsp_response_check().  A transport failure is outcome
 * TRANSPORT_ERROR with a detail text.
 * @return S_OK and *@presult; HRES_CRYPT_E_NOT_FOUND when @url is NULL
 *         and the certificate has no OCSP URL; HRES_E_INVALIDARG;
 *         HRES_E_OUTOFMEMORY; HRES_E_FAIL (GnuTLS error building the
 *         request).
 */
HRESULT bpa_ocsp_query(TALLOC_CTX *mem_ctx,
		       gnutls_x509_crt_t cert,
		       gnutls_x509_crt_t issuer,
		       const char *url,
		       const struct bpa_ocsp_params *p,
		       time_t now,
		       struct bpa_ocsp_result **presult);

/**
 * One line describing @r on @mem_ctx, e.g. "revoked (keyCompromise)
 * at 2026-12-01T20:00:00Z, next update in 3600 s" or
 * "responder-error (tryLater)".  NULL on ENOMEM.
 */
char *bpa_ocsp_result_string(TALLOC_CTX *mem_ctx,
			     const struct bpa_ocsp_result *r,
			     time_t now);

#endif /* _BPA_OCSP_CLIENT_H_ */
