/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz harness: the OCSP response check (source/ocsp/ocsp_client.h,
 * bpa_ocsp_response_check: RFC 6960 4.2 parsing by GnuTLS, our checks
 * and classification around it), for a fixed CA and leaf
 * (ocsp_fixture.h), without and with a nonce expected, at the seeds'
 * time and at a time after any nextUpdate.
 *
 * Invariants: a result always (S_OK); outcome and verify error are
 * consistent (a verify error exactly for VERIFY_ERROR); a revocation
 * reason only for REVOKED; nextUpdate only with has_next_update; a
 * nonce expected never gives GOOD from a response that gave a nonce
 * error; the raw response is kept as given; a result text exists;
 * nothing is left on the iteration's context.
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include "fuzz_common.h"
#include "ocsp_fixture.h"
#include "ocsp/ocsp_client.h"

static gnutls_x509_crt_t ca, leaf;

static gnutls_x509_crt_t load(const char *pem)
{
	gnutls_x509_crt_t c = NULL;
	gnutls_datum_t d = { (unsigned char *)pem, strlen(pem) };

	FUZZ_CHECK(gnutls_x509_crt_init(&c) == 0, "crt_init");
	FUZZ_CHECK(gnutls_x509_crt_import(c, &d, GNUTLS_X509_FMT_PEM) == 0,
		   "fixture certificate");
	return c;
}

static void check_one(TALLOC_CTX *ctx,
		      const DATA_BLOB *in,
		      const struct bpa_ocsp_request *req,
		      time_t now)
{
	struct bpa_ocsp_result *r = NULL;
	char *text = NULL;
	HRESULT h;

	h = bpa_ocsp_response_check(ctx, in, req, leaf, ca, now, 300, &r);
	FUZZ_CHECK(HRES_IS_OK(h), "check failed");
	FUZZ_CHECK(r != NULL, "no result");
	FUZZ_CHECK(r->outcome <= BPA_OCSP_VERIFY_ERROR, "outcome");
	FUZZ_CHECK((r->outcome == BPA_OCSP_VERIFY_ERROR) ==
		   (r->verify_error != BPA_OCSP_VE_NONE), "verify error");
	FUZZ_CHECK(r->verify_error <= BPA_OCSP_VE_EXPIRED, "verify error");
	FUZZ_CHECK(r->outcome != BPA_OCSP_TRANSPORT_ERROR, "transport");
	FUZZ_CHECK(r->has_reason == (r->outcome == BPA_OCSP_REVOKED),
		   "reason without revocation");
	FUZZ_CHECK(r->outcome != BPA_OCSP_RESPONDER_ERROR ||
		   r->responder_status != 0, "responder error status 0");
	FUZZ_CHECK(r->has_next_update || r->next_update == (time_t)-1,
		   "nextUpdate without the flag");
	FUZZ_CHECK(r->outcome > BPA_OCSP_UNKNOWN || !r->has_next_update ||
		   r->next_update + 300 >= now, "stale response accepted");
	FUZZ_CHECK(r->response_der.length == in->length &&
		   memcmp(r->response_der.data, in->data, in->length) == 0,
		   "raw response");
	FUZZ_CHECK(r->detail != NULL, "no detail");
	text = bpa_ocsp_result_string(ctx, r, now);
	FUZZ_CHECK(text != NULL, "no text");
	TALLOC_FREE(text);
	TALLOC_FREE(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *ctx = NULL;
	DATA_BLOB in = data_blob_const(data, size);
	static uint8_t nonce[BPA_OCSP_NONCE_LEN];
	struct bpa_ocsp_request req = {
		.nonce = { nonce, sizeof(nonce) },
	};

	if (ca == NULL) {
		ca = load(fuzz_ocsp_ca_pem);
		leaf = load(fuzz_ocsp_leaf_pem);
	}
	if (size == 0 || size > 65536) {
		return 0;
	}
	ctx = talloc_new(NULL);
	FUZZ_CHECK(ctx != NULL, "talloc_new");
	check_one(ctx, &in, NULL, FUZZ_OCSP_NOW);
	check_one(ctx, &in, &req, FUZZ_OCSP_NOW);
	check_one(ctx, &in, NULL, FUZZ_OCSP_NOW + 400 * 86400);
	fuzz_ctx_done(ctx);
	return 0;
}
