/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MS-BPAU 2.2.2.1: the hash properties (and ENHKEY_USAGE) computed from
 * a certificate, the blob Vista sends (4.2), and the SHA-256 the peer
 * table keys certificates by (cert_blob.h).
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include "util/bpa_debug.h"
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

/* @algo over the concatenation of @n spans into a new @out */
static enum bpa_blob_err hash_spans(TALLOC_CTX *mem_ctx,
				    gnutls_digest_algorithm_t algo,
				    const struct bpa_der_span *spans,
				    size_t n,
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
				  const uint8_t *p,
				  size_t len,
				  DATA_BLOB *out)
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
				 uint32_t id,
				 DATA_BLOB *out)
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
					uint32_t id,
					DATA_BLOB *out)
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

