/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MS-BPAU 2.2.2: encoding a CERTIFICATE_BLOB (cert_blob.h) */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <inttypes.h>
#include "util/bpa_debug.h"
#include "util/bpa_bytes.h"
#include "blob/cert_blob.h"
#include "blob/cert_blob_private.h"

enum bpa_blob_err bpa_blob_encode(TALLOC_CTX *mem_ctx,
				  const struct bpa_cert_blob *blob,
				  DATA_BLOB *out)
{
	enum bpa_blob_err err = BPA_BLOB_OK;
	uint32_t seen = 0;
	size_t total = BPA_BLOB_CERT_HEADER_LEN;
	size_t off = 0;
	uint8_t *buf = NULL;
	uint32_t i;

	if (blob == NULL || out == NULL || blob->cert_der.length == 0 ||
	    blob->cert_der.data == NULL ||
	    (blob->num_props > 0 && blob->props == NULL)) {
		return BPA_BLOB_ERR_INVALID_PARAM;
	}
	for (i = 0; i < blob->num_props; i++) {
		const struct bpa_blob_prop *p = &blob->props[i];

		if (p->id == BPA_PROP_KEY_PROV_INFO) {
			continue;	/* 3.1.4.1: SHOULD NOT send */
		}
		err = bpa_blob_check_prop(p->id, p->value.data,
					  p->value.length, &seen);
		if (err != BPA_BLOB_OK) {
			goto fail;
		}
		total += BPA_BLOB_PROP_HEADER_LEN + p->value.length;
		if (total > BPA_BLOB_MAX_LEN) {
			err = BPA_BLOB_ERR_OUTPUT_TOO_LONG;
			goto fail;
		}
	}
	if (blob->cert_der.length > BPA_BLOB_MAX_LEN - total) {
		err = BPA_BLOB_ERR_OUTPUT_TOO_LONG;
		goto fail;
	}
	total += blob->cert_der.length;

	buf = talloc_size(mem_ctx, total);
	if (buf == NULL) {
		return BPA_BLOB_ERR_NOMEM;
	}
	for (i = 0; i < blob->num_props; i++) {
		const struct bpa_blob_prop *p = &blob->props[i];

		if (p->id == BPA_PROP_KEY_PROV_INFO) {
			continue;
		}
		PUSH_LE_U32(buf, off, p->id);
		PUSH_LE_U32(buf, off + 4, 1);
		PUSH_LE_U32(buf, off + 8, (uint32_t)p->value.length);
		if (p->value.length > 0) {
			memcpy(buf + off + BPA_BLOB_PROP_HEADER_LEN,
			       p->value.data,
			       p->value.length);
		}
		off += BPA_BLOB_PROP_HEADER_LEN + p->value.length;
	}
	PUSH_LE_U32(buf, off, BPA_BLOB_CERT_ELEMENT_ID);
	PUSH_LE_U32(buf, off + 4, 1);
	PUSH_LE_U32(buf, off + 8, (uint32_t)blob->cert_der.length);
	memcpy(buf + off + BPA_BLOB_CERT_HEADER_LEN, blob->cert_der.data,
	       blob->cert_der.length);

	*out = data_blob_const(buf, total);
	return BPA_BLOB_OK;
fail:
	DBG_NOTICE("cannot encode CERTIFICATE_BLOB: %s (property %" PRIu32
		   ")\n", bpa_blob_strerror(err), i);
	return err;
}
