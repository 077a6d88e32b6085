/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MS-BPAU 2.2.2 CERTIFICATE_BLOB: the 2.2.2.1 property table and value
 * rules that decoding and encoding share, and the errors' names
 * (cert_blob_private.h lists the codec's files).
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include "util/bpa_hresult.h"
#include "util/bpa_bytes.h"
#include "blob/cert_blob.h"
#include "blob/cert_der.h"
#include "blob/cert_blob_private.h"

/* MS-BPAU 2.2.2.1 */
static const struct prop_desc prop_table[] = {
	{ BPA_PROP_KEY_PROV_INFO, "KEY_PROV_INFO", KIND_KEY_PROV_INFO, 0 },
	{ BPA_PROP_SHA1_HASH, "SHA1_HASH", KIND_FIXED, 20 },
	{ BPA_PROP_MD5_HASH, "MD5_HASH", KIND_FIXED, 16 },
	{ BPA_PROP_KEY_SPEC, "KEY_SPEC", KIND_KEY_SPEC, 4 },
	{ BPA_PROP_ENHKEY_USAGE, "ENHKEY_USAGE", KIND_EKU, 0 },
	{ BPA_PROP_FRIENDLY_NAME, "FRIENDLY_NAME", KIND_STRING, 0 },
	{ BPA_PROP_DESCRIPTION, "DESCRIPTION", KIND_STRING, 0 },
	{ BPA_PROP_SIGNATURE_HASH, "SIGNATURE_HASH", KIND_FIXED, 20 },
	{ BPA_PROP_KEY_IDENTIFIER, "KEY_IDENTIFIER", KIND_FIXED, 20 },
	{ BPA_PROP_AUTO_ENROLL, "AUTO_ENROLL", KIND_STRING, 0 },
	{ BPA_PROP_PUBKEY_ALG_PARA, "PUBKEY_ALG_PARA", KIND_DER, 0 },
	{ BPA_PROP_ISSUER_PUBLIC_KEY_MD5_HASH, "ISSUER_PUBLIC_KEY_MD5_HASH",
	  KIND_FIXED, 16 },
	{ BPA_PROP_SUBJECT_PUBLIC_KEY_MD5_HASH, "SUBJECT_PUBLIC_KEY_MD5_HASH",
	  KIND_FIXED, 16 },
	{ BPA_PROP_DATE_STAMP, "DATE_STAMP", KIND_FIXED, 8 },
	{ BPA_PROP_ISSUER_SERIAL_NUMBER_MD5_HASH,
	  "ISSUER_SERIAL_NUMBER_MD5_HASH", KIND_FIXED, 16 },
	{ BPA_PROP_SUBJECT_NAME_MD5_HASH, "SUBJECT_NAME_MD5_HASH",
	  KIND_FIXED, 16 },
};

const struct prop_desc *bpa_blob_prop_desc(uint32_t id)
{
	size_t i;

	for (i = 0; i < sizeof(prop_table) / sizeof(prop_table[0]); i++) {
		if (prop_table[i].id == id) {
			return &prop_table[i];
		}
	}
	return NULL;
}

const char *bpa_blob_prop_name(uint32_t id)
{
	const struct prop_desc *d = bpa_blob_prop_desc(id);

	return d != NULL ? d->name : "unknown";
}

static const char *err_text[BPA_BLOB_ERR_COUNT] = {
	[BPA_BLOB_OK] = "ok",
	[BPA_BLOB_ERR_NOMEM] = "out of memory",
	[BPA_BLOB_ERR_INVALID_PARAM] = "invalid parameter",
	[BPA_BLOB_ERR_INPUT_TOO_LONG] = "blob longer than 65536 bytes",
	[BPA_BLOB_ERR_PROP_HEADER_TRUNCATED] = "property header truncated",
	[BPA_BLOB_ERR_PROP_RESERVED] = "property Reserved is not 1",
	[BPA_BLOB_ERR_PROP_TOO_LONG] = "property Length over 64 KiB",
	[BPA_BLOB_ERR_PROP_BEYOND_INPUT] = "property Length beyond input",
	[BPA_BLOB_ERR_PROP_UNKNOWN_ID] = "unknown property id",
	[BPA_BLOB_ERR_PROP_DUPLICATE] = "duplicate property",
	[BPA_BLOB_ERR_PROP_BAD_SIZE] = "fixed-size property has wrong length",
	[BPA_BLOB_ERR_STRING_ODD_LENGTH] =
		"string property has odd length",
	[BPA_BLOB_ERR_STRING_UNTERMINATED] =
		"string property not NUL-terminated UTF-16",
	[BPA_BLOB_ERR_KEY_SPEC_VALUE] = "KEY_SPEC is not 1",
	[BPA_BLOB_ERR_ENHKEY_USAGE_DER] = "ENHKEY_USAGE is not DER EKU",
	[BPA_BLOB_ERR_PUBKEY_ALG_PARA_DER] =
		"PUBKEY_ALG_PARA is not one DER element",
	[BPA_BLOB_ERR_KPI_TOO_SHORT] = "KEY_PROV_INFO too short",
	[BPA_BLOB_ERR_KPI_PROV_TYPE] = "KEY_PROV_INFO provider type is not 1",
	[BPA_BLOB_ERR_KPI_RESERVED] = "KEY_PROV_INFO Reserved is not 0",
	[BPA_BLOB_ERR_KPI_KEY_SPEC] = "KEY_PROV_INFO key spec is not 1",
	[BPA_BLOB_ERR_KPI_OFFSET_OUTSIDE] =
		"KEY_PROV_INFO name offset outside Name Data",
	[BPA_BLOB_ERR_KPI_NAME_UNTERMINATED] =
		"KEY_PROV_INFO name not NUL-terminated",
	[BPA_BLOB_ERR_KPI_NAMES_OVERLAP] = "KEY_PROV_INFO names overlap",
	[BPA_BLOB_ERR_KPI_UNUSED_RUN] =
		"KEY_PROV_INFO unused run over 8 bytes",
	[BPA_BLOB_ERR_NO_CERTIFICATE] = "no certificate after properties",
	[BPA_BLOB_ERR_CERT_HEADER_TRUNCATED] = "certificate header truncated",
	[BPA_BLOB_ERR_CERT_RESERVED] = "certificate Reserved is wrong",
	[BPA_BLOB_ERR_CERT_LENGTH_ZERO] = "certificate length is zero",
	[BPA_BLOB_ERR_CERT_BEYOND_INPUT] = "certificate length beyond input",
	[BPA_BLOB_ERR_TRAILING_BYTES] = "trailing bytes after certificate",
	[BPA_BLOB_ERR_OUTPUT_TOO_LONG] = "encoding longer than 65536 bytes",
	[BPA_BLOB_ERR_CERT_DER] = "certificate DER does not parse",
	[BPA_BLOB_ERR_CRYPTO] = "hash computation failed",
	[BPA_BLOB_ERR_NOT_COMPUTABLE] =
		"property not computable from the certificate",
};

const char *bpa_blob_strerror(enum bpa_blob_err err)
{
	if ((unsigned)err >= BPA_BLOB_ERR_COUNT || err_text[err] == NULL) {
		return "unknown error";
	}
	return err_text[err];
}

HRESULT bpa_blob_err_hresult(enum bpa_blob_err err)
{
	switch (err) {
	case BPA_BLOB_OK:
		return BPA_S_OK;
	case BPA_BLOB_ERR_NOMEM:
		return HRES_E_OUTOFMEMORY;
	case BPA_BLOB_ERR_CERT_DER:
		return HRES_CRYPT_E_ASN1_ERROR;
	case BPA_BLOB_ERR_CRYPTO:
	case BPA_BLOB_ERR_NOT_COMPUTABLE:
		return HRES_E_FAIL;
	default:
		/* 3.1.4.1: a blob that does not decode, "nonzero error" */
		return HRES_E_INVALIDARG;
	}
}

/* UTF-16LE string of @len bytes whose only NUL unit is the last one */
static enum bpa_blob_err check_string(const uint8_t *v, size_t len)
{
	size_t i;

	if (len % 2 != 0) {
		return BPA_BLOB_ERR_STRING_ODD_LENGTH;
	}
	if (len == 0) {
		return BPA_BLOB_ERR_STRING_UNTERMINATED;
	}
	for (i = 0; i + 2 < len; i += 2) {
		if (v[i] == 0 && v[i + 1] == 0) {
			return BPA_BLOB_ERR_STRING_UNTERMINATED;
		}
	}
	if (v[len - 2] != 0 || v[len - 1] != 0) {
		return BPA_BLOB_ERR_STRING_UNTERMINATED;
	}
	return BPA_BLOB_OK;
}

/* End (exclusive) of the NUL-terminated UTF-16 name at @off, or 0 */
static size_t kpi_name_end(const uint8_t *v, size_t len, size_t off)
{
	size_t i;

	for (i = off; i + 1 < len; i += 2) {
		if (v[i] == 0 && v[i + 1] == 0) {
			return i + 2;
		}
	}
	return 0;
}

#define KPI_HEADER_LEN 28	/* 7 DWORDs before Name Data */

/* MS-BPAU 2.2.2.1.1: every MUST, in field order */
static enum bpa_blob_err check_key_prov_info(const uint8_t *v, size_t len)
{
	size_t off[2], end[2];
	size_t run = 0;
	size_t i;
	int n;

	if (len < KPI_HEADER_LEN) {
		return BPA_BLOB_ERR_KPI_TOO_SHORT;
	}
	if (PULL_LE_U32(v, 8) != 1) {
		return BPA_BLOB_ERR_KPI_PROV_TYPE;
	}
	/* Flags (v + 12): SHOULD be 0, MUST be ignored */
	if (PULL_LE_U32(v, 16) != 0 || PULL_LE_U32(v, 20) != 0) {
		return BPA_BLOB_ERR_KPI_RESERVED;
	}
	if (PULL_LE_U32(v, 24) != 1) {
		return BPA_BLOB_ERR_KPI_KEY_SPEC;
	}
	for (n = 0; n < 2; n++) {
		off[n] = PULL_LE_U32(v, 4 * n);
		if (off[n] < KPI_HEADER_LEN || off[n] >= len) {
			return BPA_BLOB_ERR_KPI_OFFSET_OUTSIDE;
		}
	}
	for (n = 0; n < 2; n++) {
		end[n] = kpi_name_end(v, len, off[n]);
		if (end[n] == 0) {
			return BPA_BLOB_ERR_KPI_NAME_UNTERMINATED;
		}
	}
	if (off[0] < end[1] && off[1] < end[0]) {
		return BPA_BLOB_ERR_KPI_NAMES_OVERLAP;
	}
	/* no unused area of more than eight contiguous bytes */
	for (i = KPI_HEADER_LEN; i < len; i++) {
		bool used = (i >= off[0] && i < end[0]) ||
			    (i >= off[1] && i < end[1]);

		run = used ? 0 : run + 1;
		if (run > 8) {
			return BPA_BLOB_ERR_KPI_UNUSED_RUN;
		}
	}
	return BPA_BLOB_OK;
}

/* MS-BPAU 2.2.2.1: the Value of a known property */
static enum bpa_blob_err check_value(const struct prop_desc *d,
				     const uint8_t *v,
				     size_t len)
{
	struct bpa_der_tlv tlv;
	bool has = false;
	bool ok = false;

	switch (d->kind) {
	case KIND_FIXED:
		if (len != d->size) {
			return BPA_BLOB_ERR_PROP_BAD_SIZE;
		}
		return BPA_BLOB_OK;
	case KIND_KEY_SPEC:
		if (len != d->size) {
			return BPA_BLOB_ERR_PROP_BAD_SIZE;
		}
		if (PULL_LE_U32(v, 0) != 1) {
			return BPA_BLOB_ERR_KEY_SPEC_VALUE;
		}
		return BPA_BLOB_OK;
	case KIND_STRING:
		return check_string(v, len);
	case KIND_EKU:
		ok = bpa_der_eku_has(v, len, bpa_oid_server_auth,
				     sizeof(bpa_oid_server_auth), &has);
		if (!ok) {
			return BPA_BLOB_ERR_ENHKEY_USAGE_DER;
		}
		return BPA_BLOB_OK;
	case KIND_DER:
		ok = bpa_der_read(v, len, &tlv);
		if (!ok || tlv.whole.len != len) {
			return BPA_BLOB_ERR_PUBKEY_ALG_PARA_DER;
		}
		return BPA_BLOB_OK;
	case KIND_KEY_PROV_INFO:
		return check_key_prov_info(v, len);
	}
	return BPA_BLOB_ERR_PROP_UNKNOWN_ID;
}

enum bpa_blob_err bpa_blob_check_prop(uint32_t id,
				      const uint8_t *v,
				      size_t len,
				      uint32_t *seen)
{
	const struct prop_desc *d = bpa_blob_prop_desc(id);

	if (d == NULL) {
		return BPA_BLOB_ERR_PROP_UNKNOWN_ID;
	}
	if (*seen & (1u << id)) {
		return BPA_BLOB_ERR_PROP_DUPLICATE;
	}
	*seen |= 1u << id;
	if (len > BPA_BLOB_MAX_LEN) {
		return BPA_BLOB_ERR_PROP_TOO_LONG;
	}
	return check_value(d, v, len);
}

const DATA_BLOB *bpa_blob_find_prop(const struct bpa_cert_blob *blob,
				    uint32_t id)
{
	uint32_t i;

	if (blob == NULL) {
		return NULL;
	}
	for (i = 0; i < blob->num_props; i++) {
		if (blob->props[i].id == id) {
			return &blob->props[i].value;
		}
	}
	return NULL;
}
