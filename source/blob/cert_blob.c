/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MS-BPAU 2.2.2 CERTIFICATE_BLOB codec (first slice: stubs) */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include "util/hresult_codes.h"
#include "blob/cert_blob.h"

const char *bpa_blob_strerror(enum bpa_blob_err err)
{
	return "not implemented";
}

HRESULT bpa_blob_err_hresult(enum bpa_blob_err err)
{
	return err == BPA_BLOB_OK ? HRES_ERROR(0) : BPA_E_FAIL;
}

const char *bpa_blob_prop_name(uint32_t id)
{
	return "unknown";
}

enum bpa_blob_err bpa_blob_decode(TALLOC_CTX *mem_ctx,
				  const uint8_t *buf, size_t len,
				  struct bpa_cert_blob **pblob)
{
	return BPA_BLOB_ERR_INVALID_PARAM;
}

enum bpa_blob_err bpa_blob_encode(TALLOC_CTX *mem_ctx,
				  const struct bpa_cert_blob *blob,
				  DATA_BLOB *out)
{
	return BPA_BLOB_ERR_INVALID_PARAM;
}

const DATA_BLOB *bpa_blob_find_prop(const struct bpa_cert_blob *blob,
				    uint32_t id)
{
	return NULL;
}

enum bpa_blob_err bpa_blob_prop_compute(TALLOC_CTX *mem_ctx,
					const DATA_BLOB *cert_der,
					uint32_t id, DATA_BLOB *out)
{
	return BPA_BLOB_ERR_INVALID_PARAM;
}

enum bpa_blob_err bpa_blob_from_cert(TALLOC_CTX *mem_ctx,
				     const DATA_BLOB *cert_der,
				     struct bpa_cert_blob **pblob)
{
	return BPA_BLOB_ERR_INVALID_PARAM;
}

bool bpa_cert_sha256(const DATA_BLOB *cert_der,
		     uint8_t out[BPA_CERT_SHA256_LEN])
{
	return false;
}
