/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CERTIFICATE_BLOB codec, MS-BPAU 2.2.2.
 *
 * A CERTIFICATE_BLOB is zero or more certificate properties (2.2.2.1),
 * each { PropertyID, Reserved = 1, Length, Value } in little-endian,
 * followed by the encoded certificate (2.2.2.2).  The decoder is strict:
 * every MUST of 2.2.2 is checked, everything is bounded by the input and
 * by 64 KiB (KEY_LENGTH, 2.2.1), and each failure has its own named
 * error.  KEY_PROV_INFO (2.2.2.1.1) is checked and then dropped: it
 * refers to the sender's local resources (3.1.4.1 <5>).
 *
 * Wire note: 2.2.2.2 writes the certificate Reserved field as the 64-bit
 * value 0x0000000010000020, but the 4.2 sample carries the bytes
 * 20 00 00 00 01 00 00 00, i.e. 0x0000000100000020: a CryptoAPI element
 * with id 32 (the certificate itself) and Reserved 1, like a property.
 * The codec follows the sample (what Windows sends).
 */
#ifndef _BPA_CERT_BLOB_H_
#define _BPA_CERT_BLOB_H_

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <talloc.h>
#include <util/data_blob.h>
#include <core/hresult.h>

/* MS-BPAU 2.2.1 KEY_LENGTH: [range(0, 65536)] */
#define BPA_BLOB_MAX_LEN 65536

/* MS-BPAU 2.2.2.1: PropertyID values */
enum bpa_blob_prop_id {
	BPA_PROP_KEY_PROV_INFO			= 2,
	BPA_PROP_SHA1_HASH			= 3,
	BPA_PROP_MD5_HASH			= 4,
	BPA_PROP_KEY_SPEC			= 6,
	BPA_PROP_ENHKEY_USAGE			= 9,
	BPA_PROP_FRIENDLY_NAME			= 11,
	BPA_PROP_DESCRIPTION			= 13,
	BPA_PROP_SIGNATURE_HASH			= 15,
	BPA_PROP_KEY_IDENTIFIER			= 20,
	BPA_PROP_AUTO_ENROLL			= 21,
	BPA_PROP_PUBKEY_ALG_PARA		= 22,
	BPA_PROP_ISSUER_PUBLIC_KEY_MD5_HASH	= 24,
	BPA_PROP_SUBJECT_PUBLIC_KEY_MD5_HASH	= 25,
	BPA_PROP_DATE_STAMP			= 27,
	BPA_PROP_ISSUER_SERIAL_NUMBER_MD5_HASH	= 28,
	BPA_PROP_SUBJECT_NAME_MD5_HASH		= 29,
};

/* 2.2.2.2 as seen on the wire in 4.2: element id of the certificate */
#define BPA_BLOB_CERT_ELEMENT_ID	32

/* One named result per way a blob can be wrong (see bpa_blob_strerror) */
enum bpa_blob_err {
	BPA_BLOB_OK = 0,
	BPA_BLOB_ERR_NOMEM,
	BPA_BLOB_ERR_INVALID_PARAM,	/* NULL argument, bad caller data */
	BPA_BLOB_ERR_INPUT_TOO_LONG,	/* input > 65536 bytes */
	/* 2.2.2.1 property framing */
	BPA_BLOB_ERR_PROP_HEADER_TRUNCATED,
	BPA_BLOB_ERR_PROP_RESERVED,	/* Reserved != 1 */
	BPA_BLOB_ERR_PROP_TOO_LONG,	/* Length > 65536 */
	BPA_BLOB_ERR_PROP_BEYOND_INPUT,	/* Length past the end */
	BPA_BLOB_ERR_PROP_UNKNOWN_ID,
	BPA_BLOB_ERR_PROP_DUPLICATE,
	/* 2.2.2.1 property values */
	BPA_BLOB_ERR_PROP_BAD_SIZE,	/* fixed size 20/16/4/8 wrong */
	BPA_BLOB_ERR_STRING_ODD_LENGTH,	/* UTF-16 string, odd length */
	BPA_BLOB_ERR_STRING_UNTERMINATED, /* no NUL, or NUL before end */
	BPA_BLOB_ERR_KEY_SPEC_VALUE,	/* KEY_SPEC != 1 */
	BPA_BLOB_ERR_ENHKEY_USAGE_DER,	/* not a DER SEQUENCE OF OID */
	BPA_BLOB_ERR_PUBKEY_ALG_PARA_DER, /* not one DER element */
	/* 2.2.2.1.1 KEY_PROV_INFO */
	BPA_BLOB_ERR_KPI_TOO_SHORT,
	BPA_BLOB_ERR_KPI_PROV_TYPE,	/* Provider Type != 1 */
	BPA_BLOB_ERR_KPI_RESERVED,	/* Reserved != 0 */
	BPA_BLOB_ERR_KPI_KEY_SPEC,	/* Key Specification != 1 */
	BPA_BLOB_ERR_KPI_OFFSET_OUTSIDE, /* offset not inside Name Data */
	BPA_BLOB_ERR_KPI_NAME_UNTERMINATED,
	BPA_BLOB_ERR_KPI_NAMES_OVERLAP,
	BPA_BLOB_ERR_KPI_UNUSED_RUN,	/* > 8 contiguous unused bytes */
	/* 2.2.2.2 certificate */
	BPA_BLOB_ERR_NO_CERTIFICATE,	/* input ends after the properties */
	BPA_BLOB_ERR_CERT_HEADER_TRUNCATED,
	BPA_BLOB_ERR_CERT_RESERVED,	/* Reserved != the 4.2 value */
	BPA_BLOB_ERR_CERT_LENGTH_ZERO,
	BPA_BLOB_ERR_CERT_BEYOND_INPUT,
	BPA_BLOB_ERR_TRAILING_BYTES,	/* bytes after the certificate */
	/* encoding, computing */
	BPA_BLOB_ERR_OUTPUT_TOO_LONG,	/* encoding would exceed 65536 */
	BPA_BLOB_ERR_CERT_DER,		/* certificate DER does not parse */
	BPA_BLOB_ERR_CRYPTO,		/* a hash could not be computed */
	BPA_BLOB_ERR_NOT_COMPUTABLE,	/* property not derivable from cert */
	BPA_BLOB_ERR_COUNT		/* keep last */
};

/* One property as on the wire (Value copied, owned by the blob) */
struct bpa_blob_prop {
	uint32_t id;
	DATA_BLOB value;
};

/* A decoded CERTIFICATE_BLOB; all memory is a talloc child of it */
struct bpa_cert_blob {
	uint32_t num_props;
	struct bpa_blob_prop *props;	/* wire order, no KEY_PROV_INFO */
	bool had_key_prov_info;		/* it was there and was valid */
	DATA_BLOB cert_der;		/* the X.509 certificate, DER */
};

/** Stable short text for @err ("KEY_PROV_INFO names overlap", ...). */
const char *bpa_blob_strerror(enum bpa_blob_err err);

/**
 * HRESULT to return for @err: decoding errors are E_INVALIDARG (3.1.4.1
 * only says "nonzero"), ENOMEM is E_OUTOFMEMORY, a certificate that does
 * not parse is CRYPT_E_ASN1_ERROR, internal failures E_FAIL, OK is 0.
 */
HRESULT bpa_blob_err_hresult(enum bpa_blob_err err);

/** Name of a property id ("SHA1_HASH"), or "unknown". */
const char *bpa_blob_prop_name(uint32_t id);

/**
 * Decode @len bytes at @buf (MS-BPAU 2.2.2).  On success *@pblob is a new
 * blob on @mem_ctx holding copies of the values.  On error *@pblob is
 * untouched, nothing is left allocated, and the reason and byte offset
 * are logged at DBG_NOTICE.
 */
enum bpa_blob_err bpa_blob_decode(TALLOC_CTX *mem_ctx,
				  const uint8_t *buf,
				  size_t len,
				  struct bpa_cert_blob **pblob);

/**
 * Encode @blob into @out (data allocated on @mem_ctx).  KEY_PROV_INFO is
 * never emitted (3.1.4.1: SHOULD NOT); every other property is checked
 * as the decoder would check it, so what is encoded decodes.  On error
 * @out is untouched.
 */
enum bpa_blob_err bpa_blob_encode(TALLOC_CTX *mem_ctx,
				  const struct bpa_cert_blob *blob,
				  DATA_BLOB *out);

/** The value of property @id in @blob, or NULL if absent. */
const DATA_BLOB *bpa_blob_find_prop(const struct bpa_cert_blob *blob,
				    uint32_t id);

/**
 * Compute the value property @id must have for the certificate
 * @cert_der.  The definitions (cert_blob.c; the first five reproduce
 * all of the 4.2 sample's values):
 *   SHA1_HASH, MD5_HASH       the whole DER certificate
 *   SIGNATURE_HASH            SHA-1 of the DER TBSCertificate
 *   KEY_IDENTIFIER            the Subject Key Identifier extension's
 *                             keyIdentifier, else SHA-1 of the DER
 *                             SubjectPublicKeyInfo
 *   SUBJECT_PUBLIC_KEY_MD5    MD5 of the DER RSAPublicKey (the
 *                             subjectPublicKey BIT STRING contents)
 *   ISSUER_PUBLIC_KEY_MD5     the same for the issuer's key (self-issued
 *                             certificates only)
 *   SUBJECT_NAME_MD5          MD5 of the DER subject Name
 *   ISSUER_SERIAL_NUMBER_MD5  MD5 of the DER issuer Name followed by
 *                             the serial number octets little-endian
 * Hash properties and ENHKEY_USAGE only: for ENHKEY_USAGE without an
 * EKU extension, and for ISSUER_PUBLIC_KEY_MD5_HASH of a certificate
 * that is not self-issued, BPA_BLOB_ERR_NOT_COMPUTABLE.
 */
enum bpa_blob_err bpa_blob_prop_compute(TALLOC_CTX *mem_ctx,
					const DATA_BLOB *cert_der,
					uint32_t id,
					DATA_BLOB *out);

/**
 * Build a blob for @cert_der with the properties Windows Vista sends
 * (4.2, in its order): SUBJECT_PUBLIC_KEY_MD5_HASH, SIGNATURE_HASH,
 * SHA1_HASH, ENHKEY_USAGE (only when the certificate has an EKU
 * extension), MD5_HASH, KEY_IDENTIFIER.
 */
enum bpa_blob_err bpa_blob_from_cert(TALLOC_CTX *mem_ctx,
				     const DATA_BLOB *cert_der,
				     struct bpa_cert_blob **pblob);

#define BPA_CERT_SHA256_LEN 32

/**
 * SHA-256 of the DER certificate: the fingerprint the peer table keys
 * certificates by.  false if @cert_der is empty or hashing fails.
 */
bool bpa_cert_sha256(const DATA_BLOB *cert_der,
		     uint8_t out[BPA_CERT_SHA256_LEN]);

#endif /* _BPA_CERT_BLOB_H_ */
