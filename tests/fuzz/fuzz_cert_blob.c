/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz harness: the CERTIFICATE_BLOB decoder (source/blob/cert_blob.h,
 * MS-BPAU 2.2.2).
 *
 * Invariants: a refused input gets a named error with a text and a
 * nonzero HRESULT, leaves *pblob untouched and nothing allocated; a
 * decoded blob has distinct known property ids (KEY_PROV_INFO dropped),
 * each found by bpa_blob_find_prop(); it re-encodes to exactly the input
 * when it had no KEY_PROV_INFO, and the re-encoding always decodes to
 * the same properties and certificate; nothing is left on the context.
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include "fuzz_common.h"
#include "blob/cert_blob.h"

static bool same_blob(const struct bpa_cert_blob *a,
		      const struct bpa_cert_blob *b)
{
	uint32_t i;

	if (a->num_props != b->num_props ||
	    data_blob_cmp(&a->cert_der, &b->cert_der) != 0) {
		return false;
	}
	for (i = 0; i < a->num_props; i++) {
		if (a->props[i].id != b->props[i].id ||
		    a->props[i].value.length != b->props[i].value.length) {
			return false;
		}
		if (a->props[i].value.length > 0 &&
		    memcmp(a->props[i].value.data, b->props[i].value.data,
			   a->props[i].value.length) != 0) {
			return false;
		}
	}
	return true;
}

static void check_decoded(TALLOC_CTX *ctx,
			  const uint8_t *data,
			  size_t size,
			  const struct bpa_cert_blob *blob)
{
	struct bpa_cert_blob *again = NULL;
	DATA_BLOB enc = data_blob_null;
	enum bpa_blob_err err;
	uint32_t i;
	uint32_t j;

	FUZZ_CHECK(talloc_parent(blob) == ctx, "blob not on mem_ctx");
	FUZZ_CHECK(blob->cert_der.length > 0 &&
		   blob->cert_der.length <= size, "certificate length");
	FUZZ_CHECK(blob->num_props == 0 || blob->props != NULL, "props");
	for (i = 0; i < blob->num_props; i++) {
		const DATA_BLOB *v = NULL;

		FUZZ_CHECK(blob->props[i].id != BPA_PROP_KEY_PROV_INFO,
			   "KEY_PROV_INFO kept");
		FUZZ_CHECK(strcmp(bpa_blob_prop_name(blob->props[i].id),
				  "unknown") != 0, "unknown id accepted");
		for (j = 0; j < i; j++) {
			FUZZ_CHECK(blob->props[j].id != blob->props[i].id,
				   "duplicate id accepted");
		}
		v = bpa_blob_find_prop(blob, blob->props[i].id);
		FUZZ_CHECK(v == &blob->props[i].value, "find_prop");
	}

	err = bpa_blob_encode(ctx, blob, &enc);
	FUZZ_CHECK(err == BPA_BLOB_OK, "decoded blob does not encode");
	if (!blob->had_key_prov_info) {
		FUZZ_CHECK(enc.length == size &&
			   memcmp(enc.data, data, size) == 0,
			   "re-encoding differs from the input");
	} else {
		FUZZ_CHECK(enc.length < size, "KEY_PROV_INFO not dropped");
	}
	err = bpa_blob_decode(ctx, enc.data, enc.length, &again);
	FUZZ_CHECK(err == BPA_BLOB_OK, "re-encoding does not decode");
	FUZZ_CHECK(!again->had_key_prov_info, "KEY_PROV_INFO re-encoded");
	FUZZ_CHECK(same_blob(blob, again), "re-decoded blob differs");
	TALLOC_FREE(again);
	data_blob_free(&enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpa_cert_blob sentinel;
	struct bpa_cert_blob *blob = &sentinel;
	TALLOC_CTX *ctx = talloc_new(NULL);
	enum bpa_blob_err err;

	FUZZ_CHECK(ctx != NULL, "talloc_new");
	err = bpa_blob_decode(ctx, data, size, &blob);
	FUZZ_CHECK(err < BPA_BLOB_ERR_COUNT, "error code out of range");
	FUZZ_CHECK(bpa_blob_strerror(err) != NULL, "no error text");
	if (err != BPA_BLOB_OK) {
		FUZZ_CHECK(blob == &sentinel, "*pblob set on error");
		FUZZ_CHECK(!HRES_IS_OK(bpa_blob_err_hresult(err)),
			   "error with HRESULT 0");
		FUZZ_CHECK(size <= BPA_BLOB_MAX_LEN ||
			   err == BPA_BLOB_ERR_INPUT_TOO_LONG,
			   "long input not refused as too long");
	} else {
		FUZZ_CHECK(size <= BPA_BLOB_MAX_LEN, "long input decoded");
		FUZZ_CHECK(blob != NULL && blob != &sentinel, "no blob");
		check_decoded(ctx, data, size, blob);
		TALLOC_FREE(blob);
	}
	fuzz_ctx_done(ctx);
	return 0;
}
