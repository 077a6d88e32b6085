/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The OCSP client (source/ocsp) against real responders on loopback
 * (run by with_responders.sh): openssl's "openssl ocsp -index" for the
 * certificate statuses, a canned python3-cryptography responder for
 * error statuses, signers and times.  One test per row of the seed's
 * tables (ocsp-revocation-provider: status, OCSP errors, connection
 * errors, verification errors, revocation reasons, freshness).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <talloc.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/ocsp.h>
#include "ocsp/ocsp_client.h"

struct pki {
	const char *dir;
	const char *canned;
	gnutls_x509_crt_t ca;
};

static struct pki P;

static gnutls_x509_crt_t load(const char *name)
{
	char path[512];
	gnutls_datum_t d = { NULL, 0 };
	gnutls_x509_crt_t c = NULL;

	snprintf(path, sizeof(path), "%s/%s.pem", P.dir, name);
	assert_int_equal(gnutls_load_file(path, &d), 0);
	assert_int_equal(gnutls_x509_crt_init(&c), 0);
	assert_int_equal(gnutls_x509_crt_import(c, &d, GNUTLS_X509_FMT_PEM),
			 0);
	gnutls_free(d.data);
	return c;
}

static int group_setup(void **state)
{
	P.dir = getenv("BPA_PKI");
	P.canned = getenv("BPA_CANNED");
	if (P.dir == NULL || P.canned == NULL) {
		fprintf(stderr, "run me through with_responders.sh\n");
		return -1;
	}
	P.ca = load("ca");
	return 0;
}

static int group_teardown(void **state)
{
	gnutls_x509_crt_deinit(P.ca);
	return 0;
}

/* Query @leaf (issued by @issuer, NULL: the CA) at @url (NULL: AIA) */
static struct bpa_ocsp_result *query(TALLOC_CTX *mem_ctx,
				     const char *leaf,
				     const char *issuer_name,
				     const char *mode,
				     const struct bpa_ocsp_params *p)
{
	gnutls_x509_crt_t c = load(leaf);
	gnutls_x509_crt_t issuer = issuer_name ? load(issuer_name) : P.ca;
	struct bpa_ocsp_result *r = NULL;
	char *url = NULL;
	HRESULT hr;

	if (mode != NULL) {
		url = talloc_asprintf(mem_ctx, "%s/%s", P.canned, mode);
	}
	hr = bpa_ocsp_query(mem_ctx, c, issuer, url, p, time(NULL), &r);
	assert_true(HRES_IS_OK(hr));
	assert_non_null(r);
	gnutls_x509_crt_deinit(c);
	if (issuer != P.ca) {
		gnutls_x509_crt_deinit(issuer);
	}
	return r;
}

/* RFC 6960 4.1.1 / 4.4.1: one certID, our SHA-1 hashes, the nonce */
static void test_request_has_cert_id_and_nonce(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	gnutls_x509_crt_t c = load("good");
	struct bpa_ocsp_request *req = NULL;
	gnutls_ocsp_req_t parsed = NULL;
	gnutls_datum_t d, nh, kh, sn, nonce;
	gnutls_digest_algorithm_t dig;
	unsigned crit = 1;

	assert_true(HRES_IS_OK(bpa_ocsp_request_build(mem, c, P.ca, true,
						      &req)));
	assert_int_equal(req->nonce.length, BPA_OCSP_NONCE_LEN);
	assert_int_equal(gnutls_ocsp_req_init(&parsed), 0);
	d.data = req->der.data;
	d.size = req->der.length;
	assert_int_equal(gnutls_ocsp_req_import(parsed, &d), 0);
	assert_int_equal(gnutls_ocsp_req_get_cert_id(parsed, 0, &dig, &nh,
						     &kh, &sn), 0);
	assert_int_equal(dig, GNUTLS_DIG_SHA1);
	assert_int_equal(sn.size, 2);	/* serial 0x1001 */
	assert_int_equal(sn.data[0], 0x10);
	assert_int_equal(sn.data[1], 0x01);
	assert_int_equal(gnutls_ocsp_req_get_nonce(parsed, &crit, &nonce), 0);
	assert_int_equal(crit, 0);
	assert_int_equal(nonce.size, BPA_OCSP_NONCE_LEN);
	assert_memory_equal(nonce.data, req->nonce.data, nonce.size);
	assert_int_not_equal(gnutls_ocsp_req_get_cert_id(parsed, 1, NULL,
							 NULL, NULL, NULL), 0);
	gnutls_free(nh.data);
	gnutls_free(kh.data);
	gnutls_free(sn.data);
	gnutls_free(nonce.data);
	gnutls_ocsp_req_deinit(parsed);

	/* without a nonce: no extension */
	TALLOC_FREE(req);
	assert_true(HRES_IS_OK(bpa_ocsp_request_build(mem, c, P.ca, false,
						      &req)));
	assert_int_equal(req->nonce.length, 0);
	assert_int_equal(gnutls_ocsp_req_init(&parsed), 0);
	d.data = req->der.data;
	d.size = req->der.length;
	assert_int_equal(gnutls_ocsp_req_import(parsed, &d), 0);
	assert_int_not_equal(gnutls_ocsp_req_get_nonce(parsed, NULL, &nonce),
			     0);
	gnutls_ocsp_req_deinit(parsed);
	gnutls_x509_crt_deinit(c);
	talloc_free(mem);
}

/* RFC 5280 4.2.2.1; the seed: no AIA OCSP URL -> NO_REVOCATION_CHECK */
static void test_aia_url_or_not_found(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	gnutls_x509_crt_t c = load("good");
	gnutls_x509_crt_t n = load("noaia");
	struct bpa_ocsp_result *r = NULL;
	char *url = NULL;

	assert_true(HRES_IS_OK(bpa_ocsp_aia_url(mem, c, &url)));
	assert_string_equal(url, "http://127.0.0.1:8888/");
	assert_true(HRES_IS_EQUAL(bpa_ocsp_aia_url(mem, n, &url),
				  HRES_CRYPT_E_NOT_FOUND));
	assert_null(url);
	assert_true(HRES_IS_EQUAL(bpa_ocsp_query(mem, n, P.ca, NULL, NULL,
						 time(NULL), &r),
				  HRES_CRYPT_E_NOT_FOUND));
	assert_null(r);
	gnutls_x509_crt_deinit(c);
	gnutls_x509_crt_deinit(n);
	talloc_free(mem);
}

/* Seed table: Good -> ERROR_SUCCESS (openssl's responder) */
static void test_openssl_good(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_ocsp_result *r = query(mem, "good", NULL, NULL, NULL);
	time_t now = time(NULL);

	assert_int_equal(r->outcome, BPA_OCSP_GOOD);
	assert_true(r->has_next_update);	/* -ndays 1 */
	assert_true(r->next_update > now + 86400 - 600);
	assert_true(r->next_update <= now + 86400 + 60);
	assert_true(r->this_update <= now + 60);
	assert_false(r->delegated_responder);
	assert_true(r->response_der.length > 100);
	assert_string_equal(r->url, "http://127.0.0.1:8888/");
	talloc_free(mem);
}

/* Seed table: Unknown -> (the provider maps it to OFFLINE) */
static void test_openssl_unknown(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_ocsp_result *r = query(mem, "unknown", NULL, NULL, NULL);

	assert_int_equal(r->outcome, BPA_OCSP_UNKNOWN);
	talloc_free(mem);
}

/* Seed: Revoked with each of the seven RFC 5280 5.3.1 reasons */
static void test_openssl_revoked_each_reason(void **state)
{
	static const struct {
		const char *leaf;
		uint32_t reason;
	} rows[] = {
		{ "revoked-unspecified", BPA_CRL_REASON_UNSPECIFIED },
		{ "revoked-keyCompromise", BPA_CRL_REASON_KEY_COMPROMISE },
		{ "revoked-cACompromise", BPA_CRL_REASON_CA_COMPROMISE },
		{ "revoked-affiliationChanged",
		  BPA_CRL_REASON_AFFILIATION_CHANGED },
		{ "revoked-superseded", BPA_CRL_REASON_SUPERSEDED },
		{ "revoked-cessationOfOperation",
		  BPA_CRL_REASON_CESSATION_OF_OPERATION },
		{ "revoked-certificateHold",
		  BPA_CRL_REASON_CERTIFICATE_HOLD },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		TALLOC_CTX *mem = talloc_new(NULL);
		struct bpa_ocsp_result *r = query(mem, rows[i].leaf, NULL,
						  NULL, NULL);
		time_t now = time(NULL);

		assert_int_equal(r->outcome, BPA_OCSP_REVOKED);
		assert_true(r->has_reason);
		assert_int_equal(r->reason, rows[i].reason);
		assert_string_equal(bpa_crl_reason_name(r->reason),
				    rows[i].leaf + strlen("revoked-"));
		/* revoked an hour ago (ocsp_pki.py) */
		assert_true(r->revocation_time > now - 3600 - 600);
		assert_true(r->revocation_time < now - 3600 + 600);
		talloc_free(mem);
	}
}

/* Seed, OCSP errors: each responder error status is reported as such */
static void test_each_responder_error_status(void **state)
{
	static const struct {
		const char *mode;
		int status;
	} rows[] = {
		{ "malformedRequest", GNUTLS_OCSP_RESP_MALFORMEDREQUEST },
		{ "internalError", GNUTLS_OCSP_RESP_INTERNALERROR },
		{ "tryLater", GNUTLS_OCSP_RESP_TRYLATER },
		{ "sigRequired", GNUTLS_OCSP_RESP_SIGREQUIRED },
		{ "unauthorized", GNUTLS_OCSP_RESP_UNAUTHORIZED },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		TALLOC_CTX *mem = talloc_new(NULL);
		struct bpa_ocsp_result *r = query(mem, "good", NULL,
						  rows[i].mode, NULL);

		assert_int_equal(r->outcome, BPA_OCSP_RESPONDER_ERROR);
		assert_int_equal(r->responder_status, rows[i].status);
		assert_string_equal(
			bpa_ocsp_responder_status_name(r->responder_status),
			rows[i].mode);
		talloc_free(mem);
	}
}

/* Delegated responder: issued by the issuer, with id-kp-OCSPSigning */
static void test_delegated_responder_accepted(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_ocsp_result *r = query(mem, "good", NULL, "delegated",
					  NULL);

	assert_int_equal(r->outcome, BPA_OCSP_GOOD);
	assert_true(r->delegated_responder);
	talloc_free(mem);
}

/* Seed, verification errors: responderNotTrusted, in its three forms */
static void test_wrong_signers_refused(void **state)
{
	static const struct {
		const char *mode;
		unsigned bit;
	} rows[] = {
		/* issued by the issuer, but without OCSPSigning */
		{ "delegated-noeku", GNUTLS_OCSP_VERIFY_SIGNER_KEYUSAGE_ERROR },
		/* OCSPSigning, but issued by another CA */
		{ "other-responder", GNUTLS_OCSP_VERIFY_UNTRUSTED_SIGNER },
		/* signed by a key that is not the issuer's */
		{ "wrong-key", GNUTLS_OCSP_VERIFY_SIGNATURE_FAILURE },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		TALLOC_CTX *mem = talloc_new(NULL);
		struct bpa_ocsp_result *r = query(mem, "good", NULL,
						  rows[i].mode, NULL);

		assert_int_equal(r->outcome, BPA_OCSP_VERIFY_ERROR);
		assert_int_equal(r->verify_error, BPA_OCSP_VE_SIGNER);
		if ((r->verify_status & rows[i].bit) == 0) {
			fail_msg("%s: verify bits 0x%x", rows[i].mode,
				 r->verify_status);
		}
		talloc_free(mem);
	}
}

/* Seed, verification errors: responseExpired, responseNotYetValid */
static void test_expired_and_not_yet_valid(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_ocsp_result *r = query(mem, "good", NULL, "expired", NULL);

	assert_int_equal(r->outcome, BPA_OCSP_VERIFY_ERROR);
	assert_int_equal(r->verify_error, BPA_OCSP_VE_EXPIRED);
	assert_true(r->has_next_update);
	r = query(mem, "good", NULL, "not-yet-valid", NULL);
	assert_int_equal(r->outcome, BPA_OCSP_VERIFY_ERROR);
	assert_int_equal(r->verify_error, BPA_OCSP_VE_NOT_YET_VALID);
	talloc_free(mem);
}

/* thisUpdate/nextUpdate with the clock skew, on one stored response */
static void test_freshness_with_clock_skew(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_ocsp_result *r = query(mem, "good", NULL, NULL, NULL);
	gnutls_x509_crt_t c = load("good");
	struct bpa_ocsp_result *r2 = NULL;
	time_t nu = r->next_update, tu = r->this_update;

	/* no request: no nonce check (a stored or stapled response) */
	assert_true(HRES_IS_OK(bpa_ocsp_response_check(mem, &r->response_der,
		NULL, c, P.ca, nu + 300, 300, &r2)));
	assert_int_equal(r2->outcome, BPA_OCSP_GOOD);
	assert_true(HRES_IS_OK(bpa_ocsp_response_check(mem, &r->response_der,
		NULL, c, P.ca, nu + 301, 300, &r2)));
	assert_int_equal(r2->verify_error, BPA_OCSP_VE_EXPIRED);
	assert_true(HRES_IS_OK(bpa_ocsp_response_check(mem, &r->response_der,
		NULL, c, P.ca, nu + 1, 0, &r2)));
	assert_int_equal(r2->verify_error, BPA_OCSP_VE_EXPIRED);
	assert_true(HRES_IS_OK(bpa_ocsp_response_check(mem, &r->response_der,
		NULL, c, P.ca, tu - 300, 300, &r2)));
	assert_int_equal(r2->outcome, BPA_OCSP_GOOD);
	assert_true(HRES_IS_OK(bpa_ocsp_response_check(mem, &r->response_der,
		NULL, c, P.ca, tu - 301, 300, &r2)));
	assert_int_equal(r2->verify_error, BPA_OCSP_VE_NOT_YET_VALID);
	/* the text names the seconds to nextUpdate */
	assert_string_equal(bpa_ocsp_result_string(mem, r, nu - 3600),
			    "good, next update in 3600 s");
	gnutls_x509_crt_deinit(c);
	talloc_free(mem);
}

/* A response without nextUpdate is good, without freshness time */
static void test_no_next_update(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_ocsp_result *r = query(mem, "good", NULL, "no-next-update",
					  NULL);

	assert_int_equal(r->outcome, BPA_OCSP_GOOD);
	assert_false(r->has_next_update);
	talloc_free(mem);
}

/* Nonce sent: a missing or different one is a verification error */
static void test_nonce_must_match(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_ocsp_params p;
	struct bpa_ocsp_result *r = query(mem, "good", NULL, "no-nonce", NULL);

	assert_int_equal(r->outcome, BPA_OCSP_VERIFY_ERROR);
	assert_int_equal(r->verify_error, BPA_OCSP_VE_NONCE);
	r = query(mem, "good", NULL, "bad-nonce", NULL);
	assert_int_equal(r->verify_error, BPA_OCSP_VE_NONCE);
	/* not sent: not required */
	bpa_ocsp_params_init(&p);
	p.nonce = false;
	r = query(mem, "good", NULL, "no-nonce", &p);
	assert_int_equal(r->outcome, BPA_OCSP_GOOD);
	talloc_free(mem);
}

/* certID: a response about another certificate does not answer ours */
static void test_response_for_other_cert(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_ocsp_result *r = query(mem, "good", NULL, "wrong-cert",
					  NULL);

	assert_int_equal(r->outcome, BPA_OCSP_VERIFY_ERROR);
	assert_int_equal(r->verify_error, BPA_OCSP_VE_NO_MATCH);
	/* the issuer matters too: right serial, wrong issuer */
	r = query(mem, "good", "other-ca", "good", NULL);
	assert_int_equal(r->outcome, BPA_OCSP_VERIFY_ERROR);
	talloc_free(mem);
}

/* A certificate of an intermediate, asked of its own issuer */
static void test_intermediate_issuer(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_ocsp_result *r = query(mem, "leaf-of-inter", "inter",
					  "good", NULL);

	assert_int_equal(r->outcome, BPA_OCSP_GOOD);
	r = query(mem, "inter", NULL, "revoked", NULL);
	assert_int_equal(r->outcome, BPA_OCSP_REVOKED);
	assert_int_equal(r->reason, BPA_CRL_REASON_KEY_COMPROMISE);
	talloc_free(mem);
}

/* Garbage with HTTP 200 is malformed */
static void test_garbage_is_malformed(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_ocsp_result *r = query(mem, "good", NULL, "garbage", NULL);

	assert_int_equal(r->outcome, BPA_OCSP_VERIFY_ERROR);
	assert_int_equal(r->verify_error, BPA_OCSP_VE_MALFORMED);
	talloc_free(mem);
}

/* Seed, connection errors: down, HTTP status, too big, too slow */
static void test_transport_errors(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_ocsp_params p;
	struct bpa_ocsp_result *r = NULL;
	gnutls_x509_crt_t c = load("good");
	struct timespec t0, t1;
	double ms;

	bpa_ocsp_params_init(&p);
	/* nothing listens on port 9 of this namespace */
	assert_true(HRES_IS_OK(bpa_ocsp_query(mem, c, P.ca,
		"http://127.0.0.1:9/", &p, time(NULL), &r)));
	assert_int_equal(r->outcome, BPA_OCSP_TRANSPORT_ERROR);
	assert_non_null(strstr(r->detail, "onnect"));
	assert_int_equal(r->response_der.length, 0);

	r = query(mem, "good", NULL, "http500", NULL);
	assert_int_equal(r->outcome, BPA_OCSP_TRANSPORT_ERROR);
	assert_string_equal(r->detail, "HTTP status 500");

	r = query(mem, "good", NULL, "big", NULL);	/* 1 MiB > 64 KiB */
	assert_int_equal(r->outcome, BPA_OCSP_TRANSPORT_ERROR);
	assert_non_null(strstr(r->detail, "larger than 65536"));

	/* the responder sleeps 3 s; our timeout is 300 ms */
	p.timeout_ms = 300;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = query(mem, "good", NULL, "slow", &p);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	assert_int_equal(r->outcome, BPA_OCSP_TRANSPORT_ERROR);
	assert_non_null(strstr(r->detail, "imeout"));
	assert_true(ms < 2500);

	/* not http:// */
	assert_true(HRES_IS_OK(bpa_ocsp_query(mem, c, P.ca,
		"file:///etc/passwd", NULL, time(NULL), &r)));
	assert_int_equal(r->outcome, BPA_OCSP_TRANSPORT_ERROR);
	gnutls_x509_crt_deinit(c);
	talloc_free(mem);
}

/* The names the CLI and logs use */
static void test_reason_names(void **state)
{
	uint32_t v = 99;

	assert_string_equal(bpa_crl_reason_name(1), "keyCompromise");
	assert_string_equal(bpa_crl_reason_name(2), "cACompromise");
	assert_string_equal(bpa_crl_reason_name(3), "affiliationChanged");
	assert_string_equal(bpa_crl_reason_name(6), "certificateHold");
	assert_null(bpa_crl_reason_name(7));
	assert_null(bpa_crl_reason_name(11));
	assert_true(bpa_crl_reason_from_name("superseded", &v));
	assert_int_equal(v, 4);
	assert_true(bpa_crl_reason_from_name("KEYCOMPROMISE", &v));
	assert_int_equal(v, 1);
	assert_false(bpa_crl_reason_from_name("stolen", &v));
	assert_false(bpa_crl_reason_from_name(NULL, &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_has_cert_id_and_nonce),
		cmocka_unit_test(test_aia_url_or_not_found),
		cmocka_unit_test(test_openssl_good),
		cmocka_unit_test(test_openssl_unknown),
		cmocka_unit_test(test_openssl_revoked_each_reason),
		cmocka_unit_test(test_each_responder_error_status),
		cmocka_unit_test(test_delegated_responder_accepted),
		cmocka_unit_test(test_wrong_signers_refused),
		cmocka_unit_test(test_expired_and_not_yet_valid),
		cmocka_unit_test(test_freshness_with_clock_skew),
		cmocka_unit_test(test_no_next_update),
		cmocka_unit_test(test_nonce_must_match),
		cmocka_unit_test(test_response_for_other_cert),
		cmocka_unit_test(test_intermediate_issuer),
		cmocka_unit_test(test_garbage_is_malformed),
		cmocka_unit_test(test_transport_errors),
		cmocka_unit_test(test_reason_names),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
