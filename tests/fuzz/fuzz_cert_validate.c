/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz harness: validation of a decoded blob (source/validate/
 * cert_validate.h, MS-BPAU 3.1.4.1 / 3.2.4.1, GnuTLS underneath).
 *
 * The input is a certificate (DER) when it does not decode as a
 * CERTIFICATE_BLOB, else the blob; it is validated for both roles at a
 * fixed time.  For a certificate, also the blob bpa_blob_from_cert()
 * builds for it.
 *
 * Invariants: the returned HRESULT is the verdict's; it is 0 exactly
 * when no reason is set; reasons are known bits and hash mismatches are
 * flagged with their properties; a verdict text exists; a blob built
 * from the certificate never has a hash mismatch; the SID, when set, is
 * a valid SID; nothing is left on the iteration's context.
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include "fuzz_common.h"
#include "util/sid_string.h"
#include "blob/cert_blob.h"
#include "validate/cert_validate.h"

/* 2026-01-01T00:00:00Z */
#define FUZZ_NOW ((time_t)1767225600)
#define ALL_REASONS BPA_CERT_R_ALL

static void validate_one(TALLOC_CTX *ctx,
			 const struct bpa_cert_blob *blob,
			 enum bpa_cert_role role,
			 bool built)
{
	struct bpa_validate_policy pol;
	struct bpa_cert_verdict *v = NULL;
	char *text = NULL;
	HRESULT h;

	bpa_validate_policy_default(&pol);
	h = bpa_cert_validate(ctx, blob, role, &pol, FUZZ_NOW, &v);
	FUZZ_CHECK(v != NULL, "no verdict");
	FUZZ_CHECK(HRES_IS_EQUAL(h, v->hres), "HRESULT is not the verdict's");
	FUZZ_CHECK(HRES_IS_OK(h) == (v->reasons == 0),
		   "HRESULT 0 and reasons disagree");
	FUZZ_CHECK((v->reasons & ~(uint32_t)ALL_REASONS) == 0,
		   "unknown reason bit");
	FUZZ_CHECK((v->reasons & BPA_CERT_R_PHASE_TWO) == 0,
		   "phase two without a callback");
	FUZZ_CHECK(((v->reasons & BPA_CERT_R_HASH_MISMATCH) != 0) ==
		   (v->bad_props != 0), "hash mismatch without properties");
	FUZZ_CHECK(!built || (v->reasons & BPA_CERT_R_HASH_MISMATCH) == 0,
		   "computed properties do not match their certificate");
	FUZZ_CHECK((v->reasons & BPA_CERT_R_INTERNAL) == 0,
		   "internal failure");
	if (v->has_sid) {
		FUZZ_CHECK(bpa_sid_equal(&v->subject_sid, &v->subject_sid),
			   "invalid subject SID");
	}
	text = bpa_cert_verdict_string(ctx, v);
	FUZZ_CHECK(text != NULL, "no verdict text");
	FUZZ_CHECK((strcmp(text, "accepted") == 0) == (v->reasons == 0),
		   "verdict text");
	TALLOC_FREE(text);
	TALLOC_FREE(v);
}

static void validate_both(TALLOC_CTX *ctx,
			  const struct bpa_cert_blob *blob,
			  bool built)
{
	validate_one(ctx, blob, BPA_CERT_ROLE_CLIENT, built);
	validate_one(ctx, blob, BPA_CERT_ROLE_SERVER, built);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct bpa_cert_blob *blob = NULL;
	struct bpa_cert_blob bare = { .num_props = 0 };
	DATA_BLOB der = data_blob_const(data, size);
	enum bpa_blob_err err;

	FUZZ_CHECK(ctx != NULL, "talloc_new");
	if (size == 0 || size > BPA_BLOB_MAX_LEN) {
		fuzz_ctx_done(ctx);
		return 0;
	}
	err = bpa_blob_decode(ctx, data, size, &blob);
	if (err == BPA_BLOB_OK) {
		validate_both(ctx, blob, false);
		TALLOC_FREE(blob);
		fuzz_ctx_done(ctx);
		return 0;
	}

	/* The input as the certificate of a blob without properties */
	bare.cert_der = der;
	validate_both(ctx, &bare, false);

	/* ... and with the properties Windows sends, computed from it */
	err = bpa_blob_from_cert(ctx, &der, &blob);
	if (err == BPA_BLOB_OK) {
		validate_both(ctx, blob, true);
		TALLOC_FREE(blob);
	}
	fuzz_ctx_done(ctx);
	return 0;
}
