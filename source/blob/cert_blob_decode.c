/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MS-BPAU 2.2.2: decoding a CERTIFICATE_BLOB (cert_blob.h) */
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include "util/bpa_debug.h"
#include "util/bpa_bytes.h"
#include "blob/cert_blob.h"
#include "blob/cert_blob_private.h"

/* the low half of 2.2.2.2's Reserved as the text writes it, 0x10000020,
 * not what Windows sends (see cert_blob.h) */
#define SPEC_LITERAL_CERT_RESERVED 0x10000020

static enum bpa_blob_err decode_props(struct bpa_cert_blob *blob,
				      const uint8_t *buf,
				      size_t len,
				      size_t *poff)
{
	uint32_t seen = 0;
	size_t off = 0;

	for (;;) {
		size_t rem = len - off;
		struct bpa_blob_prop *props = NULL;
		const uint8_t *value = NULL;
		enum bpa_blob_err err;
		uint32_t id, plen;

		*poff = off;
		if (rem == 0) {
			return BPA_BLOB_ERR_NO_CERTIFICATE;
		}
		if (rem < 4) {
			return BPA_BLOB_ERR_PROP_HEADER_TRUNCATED;
		}
		id = PULL_LE_U32(buf, off);
		if (id == BPA_BLOB_CERT_ELEMENT_ID ||
		    id == SPEC_LITERAL_CERT_RESERVED) {
			/* 2.2.2.2 follows (decode_cert rejects the spec's
			 * literal value with a name that says so) */
			return BPA_BLOB_OK;
		}
		if (rem < BPA_BLOB_PROP_HEADER_LEN) {
			return BPA_BLOB_ERR_PROP_HEADER_TRUNCATED;
		}
		if (PULL_LE_U32(buf, off + 4) != 1) {
			return BPA_BLOB_ERR_PROP_RESERVED;
		}
		plen = PULL_LE_U32(buf, off + 8);
		if (plen > BPA_BLOB_MAX_LEN) {
			return BPA_BLOB_ERR_PROP_TOO_LONG;
		}
		if (plen > rem - BPA_BLOB_PROP_HEADER_LEN) {
			return BPA_BLOB_ERR_PROP_BEYOND_INPUT;
		}
		value = buf + off + BPA_BLOB_PROP_HEADER_LEN;
		err = bpa_blob_check_prop(id, value, plen, &seen);
		if (err != BPA_BLOB_OK) {
			return err;
		}
		if (id == BPA_PROP_KEY_PROV_INFO) {
			/* 3.1.4.1 <5>: checked, then ignored */
			blob->had_key_prov_info = true;
		} else {
			struct bpa_blob_prop *p = NULL;

			props = talloc_realloc(blob, blob->props,
					       struct bpa_blob_prop,
					       blob->num_props + 1);
			if (props == NULL) {
				return BPA_BLOB_ERR_NOMEM;
			}
			blob->props = props;
			p = &props[blob->num_props];
			p->id = id;
			p->value = data_blob_talloc(props, value, plen);
			if (plen > 0 && p->value.data == NULL) {
				return BPA_BLOB_ERR_NOMEM;
			}
			blob->num_props++;
		}
		off += BPA_BLOB_PROP_HEADER_LEN + plen;
	}
}

/* MS-BPAU 2.2.2.2, as on the wire in 4.2 (see cert_blob.h) */
static enum bpa_blob_err decode_cert(struct bpa_cert_blob *blob,
				     const uint8_t *buf,
				     size_t len)
{
	uint32_t clen;

	if (len < BPA_BLOB_CERT_HEADER_LEN) {
		return BPA_BLOB_ERR_CERT_HEADER_TRUNCATED;
	}
	if (PULL_LE_U32(buf, 0) != BPA_BLOB_CERT_ELEMENT_ID ||
	    PULL_LE_U32(buf, 4) != 1) {
		return BPA_BLOB_ERR_CERT_RESERVED;
	}
	clen = PULL_LE_U32(buf, 8);
	if (clen == 0) {
		return BPA_BLOB_ERR_CERT_LENGTH_ZERO;
	}
	if (clen > len - BPA_BLOB_CERT_HEADER_LEN) {
		return BPA_BLOB_ERR_CERT_BEYOND_INPUT;
	}
	if (clen < len - BPA_BLOB_CERT_HEADER_LEN) {
		return BPA_BLOB_ERR_TRAILING_BYTES;
	}
	blob->cert_der = data_blob_talloc(blob,
					  buf + BPA_BLOB_CERT_HEADER_LEN,
					  clen);
	if (blob->cert_der.data == NULL) {
		return BPA_BLOB_ERR_NOMEM;
	}
	return BPA_BLOB_OK;
}

enum bpa_blob_err bpa_blob_decode(TALLOC_CTX *mem_ctx,
				  const uint8_t *buf,
				  size_t len,
				  struct bpa_cert_blob **pblob)
{
	struct bpa_cert_blob *blob = NULL;
	enum bpa_blob_err err = BPA_BLOB_OK;
	size_t off = 0;

	if (pblob == NULL || (buf == NULL && len > 0)) {
		return BPA_BLOB_ERR_INVALID_PARAM;
	}
	if (len > BPA_BLOB_MAX_LEN) {
		err = BPA_BLOB_ERR_INPUT_TOO_LONG;
		goto done;
	}
	blob = talloc_zero(mem_ctx, struct bpa_cert_blob);
	if (blob == NULL) {
		err = BPA_BLOB_ERR_NOMEM;
		goto done;
	}
	err = decode_props(blob, buf, len, &off);
	if (err != BPA_BLOB_OK) {
		goto done;
	}
	err = decode_cert(blob, buf + off, len - off);
done:
	if (err != BPA_BLOB_OK) {
		DBG_NOTICE("CERTIFICATE_BLOB of %zu bytes rejected: %s "
			   "at offset %zu\n", len, bpa_blob_strerror(err),
			   off);
		TALLOC_FREE(blob);
		return err;
	}
	DBG_DEBUG("CERTIFICATE_BLOB: %" PRIu32 " properties%s, "
		  "certificate of %zu bytes\n", blob->num_props,
		  blob->had_key_prov_info ? " (+KEY_PROV_INFO dropped)" : "",
		  blob->cert_der.length);
	*pblob = blob;
	return BPA_BLOB_OK;
}
