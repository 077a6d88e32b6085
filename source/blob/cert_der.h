/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A minimal strict DER reader for the parts of an X.509 certificate
 * (RFC 5280 4.1) that the CERTIFICATE_BLOB hash properties cover and
 * that validation needs byte-exact (the TBSCertificate that was signed).
 * Definite lengths in minimal form only, everything bounded by the
 * input.  Used by source/blob and source/validate; not a general parser
 * (GnuTLS does the rest).
 */
#ifndef _BPA_CERT_DER_H_
#define _BPA_CERT_DER_H_

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

/* A byte range inside the certificate */
struct bpa_der_span {
	const uint8_t *p;
	size_t len;
};

/* One DER element: tag, the whole TLV and its contents */
struct bpa_der_tlv {
	uint8_t tag;
	struct bpa_der_span whole;
	struct bpa_der_span content;
};

/*
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm,
 * signatureValue BIT STRING }, with the TBSCertificate fields split out.
 */
struct bpa_der_cert {
	struct bpa_der_span tbs;	/* TBSCertificate, whole TLV */
	struct bpa_der_span serial;	/* INTEGER contents (big-endian) */
	struct bpa_der_span issuer;	/* Name, whole TLV */
	struct bpa_der_span subject;	/* Name, whole TLV */
	struct bpa_der_span spki;	/* SubjectPublicKeyInfo, whole TLV */
	struct bpa_der_span spk;	/* subjectPublicKey BIT STRING
					 * contents after the unused-bits
					 * octet: the RSAPublicKey DER */
	struct bpa_der_span extensions;	/* Extensions SEQUENCE contents,
					 * len 0 if absent */
	struct bpa_der_span sig_alg;	/* AlgorithmIdentifier, whole */
	struct bpa_der_span sig;	/* signature bits (no unused octet) */
};

/**
 * Read one DER element at @buf (@len bytes available).
 * @return true and fills @tlv; false if it is not a well-formed DER
 *         element (bad or non-minimal length, beyond @len, tag >= 31).
 */
bool bpa_der_read(const uint8_t *buf, size_t len, struct bpa_der_tlv *tlv);

/**
 * Split @der (exactly one Certificate, nothing after it) into @c.
 * @return false if the structure is not a certificate.
 */
bool bpa_der_cert_parse(const uint8_t *der,
			size_t len,
			struct bpa_der_cert *c);

/**
 * Find the extension @oid (contents octets of the OID, @oid_len) in @c.
 * @return true and @value = extnValue OCTET STRING contents if present;
 *         true and @value->len == 0 if absent; false if malformed.
 */
bool bpa_der_cert_find_ext(const struct bpa_der_cert *c,
			   const uint8_t *oid,
			   size_t oid_len,
			   struct bpa_der_span *value);

/**
 * Check an ExtKeyUsageSyntax (SEQUENCE SIZE (1..MAX) OF OID) at @der.
 * @return false if malformed; else true with *@has_oid set if @oid
 *         (contents octets) or anyExtendedKeyUsage is in it.
 */
bool bpa_der_eku_has(const uint8_t *der,
		     size_t len,
		     const uint8_t *oid,
		     size_t oid_len,
		     bool *has_oid);

/* OID contents octets */
extern const uint8_t bpa_oid_server_auth[8];	/* 1.3.6.1.5.5.7.3.1 */
extern const uint8_t bpa_oid_client_auth[8];	/* 1.3.6.1.5.5.7.3.2 */
extern const uint8_t bpa_oid_ext_key_usage[3];	/* 2.5.29.37 */
extern const uint8_t bpa_oid_subject_key_id[3];	/* 2.5.29.14 */

#endif /* _BPA_CERT_DER_H_ */
