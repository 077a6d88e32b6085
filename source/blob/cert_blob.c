/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MS-BPAU 2.2.2 CERTIFICATE_BLOB codec */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "util/bpa_bytes.h"
#include "util/bpa_crypto.h"
#include "blob/cert_blob.h"
#include "blob/cert_der.h"

/*
 * What each hash property covers.  Established on the 4.2 sample (a
 * Windows Vista blob; tests/data/ms-bpau-4.2-blob.hex), whose six
 * properties all match these definitions:
 *
 *   SHA1_HASH (3)     SHA-1 of the whole DER certificate
 *   MD5_HASH (4)      MD5 of the whole DER certificate
 *   SIGNATURE_HASH (15)
 *                     SHA-1 of the DER TBSCertificate (the signed part,
 *                     tag and length included) -- not of the signature
 *                     bits, despite 2.2.2.1's "hash of the signature"
 *   KEY_IDENTIFIER (20)
 *                     SHA-1 of the DER SubjectPublicKeyInfo (tag,
 *                     length, algorithm and BIT STRING); when the
 *                     certificate has a Subject Key Identifier
 *                     extension, CryptoAPI uses its keyIdentifier
 *                     instead, and so do we (the sample has none)
 *   SUBJECT_PUBLIC_KEY_MD5_HASH (25)
 *                     MD5 of the subjectPublicKey BIT STRING contents
 *                     after the unused-bits octet, i.e. of the DER
 *                     RSAPublicKey (not of the SubjectPublicKeyInfo)
 *
 * Not in the sample, so best-founded definitions (CryptoAPI keeps these
 * as hashes over CERT_INFO fields, which hold the DER encodings):
 *
 *   ISSUER_PUBLIC_KEY_MD5_HASH (24)
 *                     as 25, over the issuer's key; computable here
 *                     only for a self-issued certificate (issuer Name
 *                     equal to subject Name), where it is the same key
 *   SUBJECT_NAME_MD5_HASH (29)
 *                     MD5 of the DER subject Name (tag and length incl.)
 *   ISSUER_SERIAL_NUMBER_MD5_HASH (28)
 *                     MD5 of the DER issuer Name followed by the
 *                     serialNumber INTEGER contents in CryptoAPI's
 *                     little-endian order (CRYPT_INTEGER_BLOB)
 */

enum prop_kind {
	KIND_FIXED,		/* exactly .size bytes */
	KIND_STRING,		/* NUL-terminated UTF-16LE */
	KIND_KEY_SPEC,		/* uint32 == 1 */
	KIND_EKU,		/* DER ExtKeyUsageSyntax */
	KIND_DER,		/* one DER element */
	KIND_KEY_PROV_INFO,	/* 2.2.2.1.1 */
};

struct prop_desc {
	uint32_t id;
	const char *name;
	enum prop_kind kind;
	size_t size;
};

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

static const struct prop_desc *prop_lookup(uint32_t id)
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
	const struct prop_desc *d = prop_lookup(id);

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
				     const uint8_t *v, size_t len)
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

#define PROP_HEADER_LEN 12
/* the low half of 2.2.2.2's Reserved as the text writes it, 0x10000020,
 * not what Windows sends (see cert_blob.h) */
#define SPEC_LITERAL_CERT_RESERVED 0x10000020
#define CERT_HEADER_LEN 12

static enum bpa_blob_err decode_props(struct bpa_cert_blob *blob,
				      const uint8_t *buf, size_t len,
				      size_t *poff)
{
	uint32_t seen = 0;
	size_t off = 0;

	for (;;) {
		size_t rem = len - off;
		const struct prop_desc *d = NULL;
		struct bpa_blob_prop *props = NULL;
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
		if (rem < PROP_HEADER_LEN) {
			return BPA_BLOB_ERR_PROP_HEADER_TRUNCATED;
		}
		if (PULL_LE_U32(buf, off + 4) != 1) {
			return BPA_BLOB_ERR_PROP_RESERVED;
		}
		plen = PULL_LE_U32(buf, off + 8);
		if (plen > BPA_BLOB_MAX_LEN) {
			return BPA_BLOB_ERR_PROP_TOO_LONG;
		}
		if (plen > rem - PROP_HEADER_LEN) {
			return BPA_BLOB_ERR_PROP_BEYOND_INPUT;
		}
		d = prop_lookup(id);
		if (d == NULL) {
			return BPA_BLOB_ERR_PROP_UNKNOWN_ID;
		}
		if (seen & (1u << id)) {
			return BPA_BLOB_ERR_PROP_DUPLICATE;
		}
		seen |= 1u << id;
		err = check_value(d, buf + off + PROP_HEADER_LEN, plen);
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
			p->value = data_blob_talloc(props,
						    buf + off + PROP_HEADER_LEN,
						    plen);
			if (plen > 0 && p->value.data == NULL) {
				return BPA_BLOB_ERR_NOMEM;
			}
			blob->num_props++;
		}
		off += PROP_HEADER_LEN + plen;
	}
}

/* MS-BPAU 2.2.2.2, as on the wire in 4.2 (see cert_blob.h) */
static enum bpa_blob_err decode_cert(struct bpa_cert_blob *blob,
				     const uint8_t *buf, size_t len)
{
	uint32_t clen;

	if (len < CERT_HEADER_LEN) {
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
	if (clen > len - CERT_HEADER_LEN) {
		return BPA_BLOB_ERR_CERT_BEYOND_INPUT;
	}
	if (clen < len - CERT_HEADER_LEN) {
		return BPA_BLOB_ERR_TRAILING_BYTES;
	}
	blob->cert_der = data_blob_talloc(blob, buf + CERT_HEADER_LEN, clen);
	if (blob->cert_der.data == NULL) {
		return BPA_BLOB_ERR_NOMEM;
	}
	return BPA_BLOB_OK;
}

enum bpa_blob_err bpa_blob_decode(TALLOC_CTX *mem_ctx,
				  const uint8_t *buf, size_t len,
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

enum bpa_blob_err bpa_blob_encode(TALLOC_CTX *mem_ctx,
				  const struct bpa_cert_blob *blob,
				  DATA_BLOB *out)
{
	enum bpa_blob_err err = BPA_BLOB_OK;
	uint32_t seen = 0;
	size_t total = CERT_HEADER_LEN;
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
		const struct prop_desc *d = prop_lookup(p->id);

		if (p->id == BPA_PROP_KEY_PROV_INFO) {
			continue;	/* 3.1.4.1: SHOULD NOT send */
		}
		if (d == NULL) {
			err = BPA_BLOB_ERR_PROP_UNKNOWN_ID;
			goto fail;
		}
		if (seen & (1u << p->id)) {
			err = BPA_BLOB_ERR_PROP_DUPLICATE;
			goto fail;
		}
		seen |= 1u << p->id;
		if (p->value.length > BPA_BLOB_MAX_LEN) {
			err = BPA_BLOB_ERR_PROP_TOO_LONG;
			goto fail;
		}
		err = check_value(d, p->value.data, p->value.length);
		if (err != BPA_BLOB_OK) {
			goto fail;
		}
		total += PROP_HEADER_LEN + p->value.length;
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
			memcpy(buf + off + PROP_HEADER_LEN, p->value.data,
			       p->value.length);
		}
		off += PROP_HEADER_LEN + p->value.length;
	}
	PUSH_LE_U32(buf, off, BPA_BLOB_CERT_ELEMENT_ID);
	PUSH_LE_U32(buf, off + 4, 1);
	PUSH_LE_U32(buf, off + 8, (uint32_t)blob->cert_der.length);
	memcpy(buf + off + CERT_HEADER_LEN, blob->cert_der.data,
	       blob->cert_der.length);

	*out = data_blob_const(buf, total);
	return BPA_BLOB_OK;
fail:
	DBG_NOTICE("cannot encode CERTIFICATE_BLOB: %s (property %" PRIu32
		   ")\n", bpa_blob_strerror(err), i);
	return err;
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

/* @algo over the concatenation of @n spans into a new @out */
static enum bpa_blob_err hash_spans(TALLOC_CTX *mem_ctx,
				    gnutls_digest_algorithm_t algo,
				    const struct bpa_der_span *spans, size_t n,
				    DATA_BLOB *out)
{
	gnutls_hash_hd_t h = NULL;
	unsigned dlen = gnutls_hash_get_len(algo);
	DATA_BLOB res = data_blob_null;
	size_t i;
	int rc;

	rc = gnutls_hash_init(&h, algo);
	if (rc < 0) {
		DBG_ERR("gnutls_hash_init: %s\n", gnutls_strerror(rc));
		return BPA_BLOB_ERR_CRYPTO;
	}
	for (i = 0; i < n; i++) {
		rc = gnutls_hash(h, spans[i].p, spans[i].len);
		if (rc < 0) {
			DBG_ERR("gnutls_hash: %s\n", gnutls_strerror(rc));
			gnutls_hash_deinit(h, NULL);
			return BPA_BLOB_ERR_CRYPTO;
		}
	}
	res = data_blob_talloc(mem_ctx, NULL, dlen);
	if (res.data == NULL) {
		gnutls_hash_deinit(h, NULL);
		return BPA_BLOB_ERR_NOMEM;
	}
	gnutls_hash_deinit(h, res.data);
	*out = res;
	return BPA_BLOB_OK;
}

static enum bpa_blob_err hash_one(TALLOC_CTX *mem_ctx,
				  gnutls_digest_algorithm_t algo,
				  const uint8_t *p, size_t len, DATA_BLOB *out)
{
	struct bpa_der_span s = { .p = p, .len = len };

	return hash_spans(mem_ctx, algo, &s, 1, out);
}

static bool span_equal(const struct bpa_der_span *a,
		       const struct bpa_der_span *b)
{
	return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

static enum bpa_blob_err compute(TALLOC_CTX *mem_ctx,
				 const DATA_BLOB *der,
				 const struct bpa_der_cert *c,
				 uint32_t id, DATA_BLOB *out)
{
	struct bpa_der_span v;
	struct bpa_der_tlv t;
	bool self_issued = false;
	bool ok = false;

	switch (id) {
	case BPA_PROP_SHA1_HASH:
		return hash_one(mem_ctx, GNUTLS_DIG_SHA1, der->data,
				der->length, out);
	case BPA_PROP_MD5_HASH:
		return hash_one(mem_ctx, GNUTLS_DIG_MD5, der->data,
				der->length, out);
	case BPA_PROP_SIGNATURE_HASH:
		return hash_spans(mem_ctx, GNUTLS_DIG_SHA1, &c->tbs, 1, out);
	case BPA_PROP_SUBJECT_PUBLIC_KEY_MD5_HASH:
		return hash_spans(mem_ctx, GNUTLS_DIG_MD5, &c->spk, 1, out);
	case BPA_PROP_ISSUER_PUBLIC_KEY_MD5_HASH:
		self_issued = span_equal(&c->issuer, &c->subject);
		if (!self_issued) {
			return BPA_BLOB_ERR_NOT_COMPUTABLE;
		}
		return hash_spans(mem_ctx, GNUTLS_DIG_MD5, &c->spk, 1, out);
	case BPA_PROP_SUBJECT_NAME_MD5_HASH:
		return hash_spans(mem_ctx, GNUTLS_DIG_MD5, &c->subject, 1,
				  out);
	case BPA_PROP_ISSUER_SERIAL_NUMBER_MD5_HASH: {
		uint8_t rev[64];
		struct bpa_der_span s[2];
		size_t i;

		if (c->serial.len > sizeof(rev)) {
			return BPA_BLOB_ERR_NOT_COMPUTABLE;
		}
		for (i = 0; i < c->serial.len; i++) {
			rev[i] = c->serial.p[c->serial.len - 1 - i];
		}
		s[0] = c->issuer;
		s[1].p = rev;
		s[1].len = c->serial.len;
		return hash_spans(mem_ctx, GNUTLS_DIG_MD5, s, 2, out);
	}
	case BPA_PROP_KEY_IDENTIFIER:
		ok = bpa_der_cert_find_ext(c, bpa_oid_subject_key_id,
					   sizeof(bpa_oid_subject_key_id), &v);
		if (!ok) {
			return BPA_BLOB_ERR_CERT_DER;
		}
		if (v.len == 0) {
			return hash_spans(mem_ctx, GNUTLS_DIG_SHA1, &c->spki,
					  1, out);
		}
		ok = bpa_der_read(v.p, v.len, &t);
		if (!ok || t.tag != 0x04 || t.whole.len != v.len) {
			return BPA_BLOB_ERR_CERT_DER;
		}
		*out = data_blob_talloc(mem_ctx, t.content.p, t.content.len);
		if (t.content.len > 0 && out->data == NULL) {
			return BPA_BLOB_ERR_NOMEM;
		}
		return BPA_BLOB_OK;
	case BPA_PROP_ENHKEY_USAGE:
		ok = bpa_der_cert_find_ext(c, bpa_oid_ext_key_usage,
					   sizeof(bpa_oid_ext_key_usage), &v);
		if (!ok) {
			return BPA_BLOB_ERR_CERT_DER;
		}
		if (v.len == 0) {
			return BPA_BLOB_ERR_NOT_COMPUTABLE;
		}
		*out = data_blob_talloc(mem_ctx, v.p, v.len);
		if (out->data == NULL) {
			return BPA_BLOB_ERR_NOMEM;
		}
		return BPA_BLOB_OK;
	default:
		return BPA_BLOB_ERR_NOT_COMPUTABLE;
	}
}

enum bpa_blob_err bpa_blob_prop_compute(TALLOC_CTX *mem_ctx,
					const DATA_BLOB *cert_der,
					uint32_t id, DATA_BLOB *out)
{
	struct bpa_der_cert c;
	bool ok = false;

	if (cert_der == NULL || out == NULL || cert_der->data == NULL) {
		return BPA_BLOB_ERR_INVALID_PARAM;
	}
	ok = bpa_der_cert_parse(cert_der->data, cert_der->length, &c);
	if (!ok) {
		return BPA_BLOB_ERR_CERT_DER;
	}
	return compute(mem_ctx, cert_der, &c, id, out);
}

/* 4.2: the properties Vista sends, in its order */
static const uint32_t vista_props[] = {
	BPA_PROP_SUBJECT_PUBLIC_KEY_MD5_HASH,
	BPA_PROP_SIGNATURE_HASH,
	BPA_PROP_SHA1_HASH,
	BPA_PROP_ENHKEY_USAGE,
	BPA_PROP_MD5_HASH,
	BPA_PROP_KEY_IDENTIFIER,
};

enum bpa_blob_err bpa_blob_from_cert(TALLOC_CTX *mem_ctx,
				     const DATA_BLOB *cert_der,
				     struct bpa_cert_blob **pblob)
{
	TALLOC_CTX *frame = talloc_new(mem_ctx);
	struct bpa_cert_blob *blob = NULL;
	enum bpa_blob_err err = BPA_BLOB_OK;
	struct bpa_der_cert c;
	size_t n = sizeof(vista_props) / sizeof(vista_props[0]);
	size_t i;
	bool ok = false;

	if (frame == NULL) {
		return BPA_BLOB_ERR_NOMEM;
	}
	if (cert_der == NULL || pblob == NULL || cert_der->data == NULL ||
	    cert_der->length == 0) {
		err = BPA_BLOB_ERR_INVALID_PARAM;
		goto done;
	}
	if (cert_der->length > BPA_BLOB_MAX_LEN) {
		err = BPA_BLOB_ERR_OUTPUT_TOO_LONG;
		goto done;
	}
	ok = bpa_der_cert_parse(cert_der->data, cert_der->length, &c);
	if (!ok) {
		err = BPA_BLOB_ERR_CERT_DER;
		goto done;
	}
	blob = talloc_zero(frame, struct bpa_cert_blob);
	if (blob == NULL) {
		err = BPA_BLOB_ERR_NOMEM;
		goto done;
	}
	blob->props = talloc_zero_array(blob, struct bpa_blob_prop, n);
	blob->cert_der = data_blob_talloc(blob, cert_der->data,
					  cert_der->length);
	if (blob->props == NULL || blob->cert_der.data == NULL) {
		err = BPA_BLOB_ERR_NOMEM;
		goto done;
	}
	for (i = 0; i < n; i++) {
		struct bpa_blob_prop *p = &blob->props[blob->num_props];

		err = compute(blob->props, cert_der, &c, vista_props[i],
			      &p->value);
		if (err == BPA_BLOB_ERR_NOT_COMPUTABLE &&
		    vista_props[i] == BPA_PROP_ENHKEY_USAGE) {
			continue;	/* no EKU extension */
		}
		if (err != BPA_BLOB_OK) {
			goto done;
		}
		p->id = vista_props[i];
		blob->num_props++;
	}
	*pblob = talloc_move(mem_ctx, &blob);
done:
	if (err != BPA_BLOB_OK) {
		DBG_NOTICE("cannot build CERTIFICATE_BLOB: %s\n",
			   bpa_blob_strerror(err));
	}
	TALLOC_FREE(frame);
	return err;
}

bool bpa_cert_sha256(const DATA_BLOB *cert_der,
		     uint8_t out[BPA_CERT_SHA256_LEN])
{
	if (cert_der == NULL || cert_der->data == NULL ||
	    cert_der->length == 0) {
		return false;
	}
	return bpa_sha256(cert_der->data, cert_der->length, out);
}
