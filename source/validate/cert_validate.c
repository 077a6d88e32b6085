/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MS-BPAU 3.1.4.1, 3.2.4.1: validation of a peer's certificate, phase
 * one (GnuTLS), then the optional phase-two callback.
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <inttypes.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "util/sid_string.h"
#include "util/bpa_text.h"
#include "util/bpa_crypto.h"
#include "blob/cert_der.h"
#include "validate/cert_validate.h"

void bpa_validate_policy_default(struct bpa_validate_policy *p)
{
	*p = (struct bpa_validate_policy) {
		.min_rsa_bits = 2048,
		.max_rsa_bits = BPA_MAX_RSA_BITS_DEFAULT,
		.allow_sha1_signatures = false,
		.clock_skew = 300,
	};
}

static const struct {
	uint32_t bit;
	const char *name;
} reason_names[] = {
	{ BPA_CERT_R_DER, "certificate DER does not parse" },
	{ BPA_CERT_R_NOT_RSA, "not an RSA key" },
	{ BPA_CERT_R_RSA_TOO_SMALL, "RSA key too small" },
	{ BPA_CERT_R_SUBJECT_NOT_ONE_CN, "subject is not exactly one CN" },
	{ BPA_CERT_R_CN_NOT_SID, "subject CN is not a SID string" },
	{ BPA_CERT_R_NOT_SELF_ISSUED, "issuer differs from subject" },
	{ BPA_CERT_R_SELF_SIGNATURE, "self-signature does not verify" },
	{ BPA_CERT_R_WEAK_SIGNATURE, "weak signature algorithm" },
	{ BPA_CERT_R_NOT_YET_VALID, "not yet valid" },
	{ BPA_CERT_R_EXPIRED, "expired" },
	{ BPA_CERT_R_EKU_EXTENSION, "EKU extension does not allow the role" },
	{ BPA_CERT_R_EKU_PROPERTY, "ENHKEY_USAGE does not allow the role" },
	{ BPA_CERT_R_HASH_MISMATCH, "hash property mismatch" },
	{ BPA_CERT_R_PHASE_TWO, "refused by phase two" },
	{ BPA_CERT_R_INTERNAL, "internal error" },
	{ BPA_CERT_R_RSA_TOO_LARGE, "RSA key too large" },
	{ BPA_CERT_R_RSA_EXPONENT, "RSA exponent not allowed" },
	{ BPA_CERT_R_RSA_DEGENERATE, "RSA key degenerate" },
	{ BPA_CERT_R_WRONG_SUBJECT, "subject is not the expected SID" },
	{ BPA_CERT_R_UNTRUSTED_ISSUER,
	  "not issued by a trust anchor (ca file)" },
};

const char *bpa_cert_reason_name(uint32_t reason)
{
	size_t i;

	for (i = 0; i < sizeof(reason_names) / sizeof(reason_names[0]); i++) {
		if (reason_names[i].bit == reason) {
			return reason_names[i].name;
		}
	}
	return "unknown";
}

/* GnuTLS objects of one validation, released with it (bpa_crypto.h) */
struct validate_state {
	gnutls_x509_crt_t crt;
	gnutls_pubkey_t pubkey;
};

/* DER string types a SID string can be written in (all ASCII-clean) */
static bool cn_string_tag(uint8_t tag)
{
	return tag == 0x0c ||	/* UTF8String */
	       tag == 0x13 ||	/* PrintableString */
	       tag == 0x14 ||	/* TeletexString */
	       tag == 0x16;	/* IA5String */
}

/*
 * MS-BPAU 3.1.4.1: "The subject of the client certificate MUST be a SID
 * string": the subject Name is exactly one RDN holding exactly one
 * attribute, commonName, whose value is a canonical SID string.
 */
static void check_subject(const struct bpa_der_cert *c,
			  struct bpa_cert_verdict *v)
{
	static const uint8_t oid_cn[3] = { 0x55, 0x04, 0x03 };
	struct bpa_der_tlv name, rdn, ava, oid, val;
	const uint8_t *p = NULL;
	size_t len;
	bool ok = false;

	ok = bpa_der_read(c->subject.p, c->subject.len, &name);
	if (!ok || name.content.len == 0) {
		goto not_one_cn;
	}
	ok = bpa_der_read(name.content.p, name.content.len, &rdn);
	if (!ok || rdn.tag != 0x31 || rdn.whole.len != name.content.len) {
		goto not_one_cn;	/* more than one RDN */
	}
	ok = bpa_der_read(rdn.content.p, rdn.content.len, &ava);
	if (!ok || ava.tag != 0x30 || ava.whole.len != rdn.content.len) {
		goto not_one_cn;	/* more than one attribute */
	}
	p = ava.content.p;
	len = ava.content.len;
	ok = bpa_der_read(p, len, &oid);
	if (!ok || oid.tag != 0x06 || oid.content.len != sizeof(oid_cn) ||
	    memcmp(oid.content.p, oid_cn, sizeof(oid_cn)) != 0) {
		goto not_one_cn;
	}
	ok = bpa_der_read(p + oid.whole.len, len - oid.whole.len, &val);
	if (!ok || val.whole.len != len - oid.whole.len) {
		goto not_one_cn;
	}
	ok = cn_string_tag(val.tag);
	if (!ok) {
		v->reasons |= BPA_CERT_R_CN_NOT_SID;
		return;
	}
	ok = bpa_sid_parse_len((const char *)val.content.p, val.content.len,
			       &v->subject_sid);
	if (!ok) {
		v->reasons |= BPA_CERT_R_CN_NOT_SID;
		return;
	}
	v->has_sid = true;
	return;
not_one_cn:
	v->reasons |= BPA_CERT_R_SUBJECT_NOT_ONE_CN;
}

/* The role's EKU in a DER ExtKeyUsageSyntax; false if malformed */
static bool eku_allows(const uint8_t *der, size_t len,
		       enum bpa_cert_role role, bool *allows)
{
	const uint8_t *oid = role == BPA_CERT_ROLE_CLIENT ?
		bpa_oid_client_auth : bpa_oid_server_auth;

	return bpa_der_eku_has(der, len, oid, sizeof(bpa_oid_client_auth),
			       allows);
}

static void check_eku(const struct bpa_der_cert *c,
		      const struct bpa_cert_blob *blob,
		      enum bpa_cert_role role, struct bpa_cert_verdict *v)
{
	const DATA_BLOB *prop = NULL;
	struct bpa_der_span ext;
	bool allows = false;
	bool ok = false;

	ok = bpa_der_cert_find_ext(c, bpa_oid_ext_key_usage,
				   sizeof(bpa_oid_ext_key_usage), &ext);
	if (!ok) {
		v->reasons |= BPA_CERT_R_DER;
		return;
	}
	if (ext.len > 0) {
		ok = eku_allows(ext.p, ext.len, role, &allows);
		if (!ok) {
			v->reasons |= BPA_CERT_R_DER;
		} else if (!allows) {
			v->reasons |= BPA_CERT_R_EKU_EXTENSION;
		}
	}
	prop = bpa_blob_find_prop(blob, BPA_PROP_ENHKEY_USAGE);
	if (prop != NULL) {
		ok = eku_allows(prop->data, prop->length, role, &allows);
		if (!ok || !allows) {
			v->reasons |= BPA_CERT_R_EKU_PROPERTY;
		}
	}
}

/* The hash properties (cert_blob.c has what each covers) */
static const uint32_t hash_props[] = {
	BPA_PROP_SHA1_HASH,
	BPA_PROP_MD5_HASH,
	BPA_PROP_SIGNATURE_HASH,
	BPA_PROP_KEY_IDENTIFIER,
	BPA_PROP_ISSUER_PUBLIC_KEY_MD5_HASH,
	BPA_PROP_SUBJECT_PUBLIC_KEY_MD5_HASH,
	BPA_PROP_ISSUER_SERIAL_NUMBER_MD5_HASH,
	BPA_PROP_SUBJECT_NAME_MD5_HASH,
};

static void check_hashes(TALLOC_CTX *mem_ctx,
			 const struct bpa_cert_blob *blob,
			 struct bpa_cert_verdict *v)
{
	size_t i;

	for (i = 0; i < sizeof(hash_props) / sizeof(hash_props[0]); i++) {
		const DATA_BLOB *have = NULL;
		DATA_BLOB want = data_blob_null;
		enum bpa_blob_err err;

		have = bpa_blob_find_prop(blob, hash_props[i]);
		if (have == NULL) {
			continue;
		}
		err = bpa_blob_prop_compute(mem_ctx, &blob->cert_der,
					    hash_props[i], &want);
		if (err == BPA_BLOB_ERR_NOT_COMPUTABLE) {
			/* issuer key of a certificate not self-issued: that
			 * is refused as such already */
			continue;
		}
		if (err == BPA_BLOB_ERR_CERT_DER) {
			/* a malformed SKI extension (KEY_IDENTIFIER): the
			 * peer's DER, not an internal failure */
			v->reasons |= BPA_CERT_R_DER;
			continue;
		}
		if (err != BPA_BLOB_OK) {
			v->reasons |= BPA_CERT_R_INTERNAL;
			continue;
		}
		if (want.length != have->length ||
		    memcmp(want.data, have->data, want.length) != 0) {
			v->reasons |= BPA_CERT_R_HASH_MISMATCH;
			v->bad_props |= 1u << hash_props[i];
		}
		data_blob_free(&want);
	}
}

/* SHA-1 or weaker: MD2, MD5, SHA-1, or a hash GnuTLS does not know */
static bool weak_signature(gnutls_sign_algorithm_t sa,
			   const struct bpa_validate_policy *policy)
{
	gnutls_digest_algorithm_t dig = gnutls_sign_get_hash_algorithm(sa);

	switch (dig) {
	case GNUTLS_DIG_SHA256:
	case GNUTLS_DIG_SHA384:
	case GNUTLS_DIG_SHA512:
	case GNUTLS_DIG_SHA3_256:
	case GNUTLS_DIG_SHA3_384:
	case GNUTLS_DIG_SHA3_512:
		return false;
	case GNUTLS_DIG_SHA1:
		return !policy->allow_sha1_signatures;
	default:
		return true;
	}
}

/*
 * Stage 3: issuer = subject (or, with trust anchors, any issuer: stage
 * 5 decides) and an acceptable signature algorithm
 */
static void check_signature_algorithm(struct validate_state *s,
				      const struct bpa_der_cert *c,
				      const struct bpa_validate_policy *policy,
				      struct bpa_cert_verdict *v)
{
	gnutls_sign_algorithm_t sa;
	int rc;

	if (c->issuer.len != c->subject.len ||
	    memcmp(c->issuer.p, c->subject.p, c->issuer.len) != 0) {
		v->ca_issued = true;
		if (policy->anchors == NULL) {
			v->reasons |= BPA_CERT_R_NOT_SELF_ISSUED;
		}
	}
	rc = gnutls_x509_crt_get_signature_algorithm(s->crt);
	if (rc < 0) {
		v->reasons |= BPA_CERT_R_WEAK_SIGNATURE;
		return;
	}
	sa = (gnutls_sign_algorithm_t)rc;
	v->sign_algo = gnutls_sign_get_name(sa);
	if (weak_signature(sa, policy)) {
		v->reasons |= BPA_CERT_R_WEAK_SIGNATURE;
	}
}

/*
 * Stage 5: the self-signature, the one public-key operation.  Reached
 * only with an RSA key that check_key() bounded.
 */
static void check_self_signature(struct validate_state *s,
				 const struct bpa_der_cert *c,
				 struct bpa_cert_verdict *v)
{
	gnutls_sign_algorithm_t sa;
	gnutls_datum_t tbs = {
		.data = (unsigned char *)(uintptr_t)c->tbs.p,
		.size = (unsigned)c->tbs.len,
	};
	gnutls_datum_t sig = {
		.data = (unsigned char *)(uintptr_t)c->sig.p,
		.size = (unsigned)c->sig.len,
	};
	int rc;

	rc = gnutls_x509_crt_get_signature_algorithm(s->crt);
	if (rc < 0) {
		v->reasons |= BPA_CERT_R_SELF_SIGNATURE;
		return;
	}
	sa = (gnutls_sign_algorithm_t)rc;
	rc = bpa_gnutls_pubkey_init(s, &s->pubkey);
	if (rc < 0) {
		DBG_ERR("gnutls_pubkey_init: %s\n", gnutls_strerror(rc));
		v->reasons |= BPA_CERT_R_INTERNAL;
		return;
	}
	rc = gnutls_pubkey_import_x509(s->pubkey, s->crt, 0);
	if (rc < 0) {
		DBG_INFO("gnutls_pubkey_import_x509: %s\n",
			 gnutls_strerror(rc));
		v->reasons |= BPA_CERT_R_SELF_SIGNATURE;
		return;
	}
	/* whether the algorithm is acceptable was decided in stage 3 */
	rc = gnutls_pubkey_verify_data2(s->pubkey, sa,
					GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1 |
					GNUTLS_VERIFY_ALLOW_BROKEN,
					&tbs, &sig);
	if (rc < 0) {
		DBG_INFO("self-signature: %s\n", gnutls_strerror(rc));
		v->reasons |= BPA_CERT_R_SELF_SIGNATURE;
	}
}

/* the anchor's own validity at @now, with the policy's clock skew */
static bool anchor_valid_at(gnutls_x509_crt_t ca,
			    const struct bpa_validate_policy *policy,
			    time_t now)
{
	time_t nb = gnutls_x509_crt_get_activation_time(ca);
	time_t na = gnutls_x509_crt_get_expiration_time(ca);

	if (nb == (time_t)-1 || na == (time_t)-1) {
		return false;
	}
	return (int64_t)now + policy->clock_skew >= (int64_t)nb &&
	       (int64_t)now - policy->clock_skew <= (int64_t)na;
}

/*
 * Stage 5 for a CA-issued certificate: issued by one of the policy's
 * anchors (GnuTLS checks the signature and that the anchor is a CA),
 * the anchor valid at @now.  GnuTLS's own clock is not used: the
 * leaf's validity was stage 3's, at @now like everything else.
 */
static void check_issuer_signature(struct validate_state *s,
				   const struct bpa_validate_policy *policy,
				   time_t now,
				   struct bpa_cert_verdict *v)
{
	gnutls_x509_crt_t ca = NULL;
	unsigned int flags = GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
			     GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS;
	unsigned int status = 0;
	int rc;

	if (policy->anchors == NULL) {
		v->reasons |= BPA_CERT_R_UNTRUSTED_ISSUER;
		return;
	}
	if (policy->allow_sha1_signatures) {
		flags |= GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1;
	}
	rc = gnutls_x509_trust_list_verify_crt(policy->anchors, &s->crt, 1,
					       flags, &status, NULL);
	if (rc < 0 || status != 0) {
		DBG_INFO("not issued by a trust anchor: %s (status 0x%x)\n",
			 rc < 0 ? gnutls_strerror(rc) : "verify", status);
		v->reasons |= BPA_CERT_R_UNTRUSTED_ISSUER;
		return;
	}
	rc = gnutls_x509_trust_list_get_issuer(policy->anchors, s->crt, &ca,
					       GNUTLS_TL_GET_COPY);
	if (rc < 0) {
		v->reasons |= BPA_CERT_R_UNTRUSTED_ISSUER;
		return;
	}
	if (!anchor_valid_at(ca, policy, now)) {
		DBG_INFO("the issuing trust anchor is not valid now\n");
		v->reasons |= BPA_CERT_R_UNTRUSTED_ISSUER;
	}
	gnutls_x509_crt_deinit(ca);
}

/* rsaEncryption, 1.2.840.113549.1.1.1 (RFC 8017 A.1) */
static const uint8_t oid_rsa_encryption[9] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01
};

/*
 * A DER INTEGER's magnitude: false if negative; @p/@len without the
 * leading zero octets (len 0 for zero).
 */
static bool der_uint(const struct bpa_der_tlv *t, const uint8_t **p,
		     size_t *len)
{
	const uint8_t *q = t->content.p;
	size_t n = t->content.len;

	if (t->tag != 0x02 || n == 0 || (q[0] & 0x80) != 0) {
		return false;
	}
	while (n > 0 && q[0] == 0) {
		q++;
		n--;
	}
	*p = q;
	*len = n;
	return true;
}

static uint32_t uint_bits(const uint8_t *p, size_t len)
{
	uint32_t bits;
	uint8_t top;

	if (len == 0) {
		return 0;
	}
	if (len > UINT32_MAX / 8) {
		return UINT32_MAX;
	}
	bits = (uint32_t)len * 8;
	for (top = p[0]; (top & 0x80) == 0; top <<= 1) {
		bits--;
	}
	return bits;
}

struct rsa_key_info {
	uint32_t bits;		/* modulus */
	uint32_t e_bits;
	uint32_t e;		/* when e_bits <= 32 */
};

/*
 * The subjectPublicKeyInfo of @c: rsaEncryption with RSAPublicKey
 * ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017
 * A.1.1), read from the DER alone.  Returns the reasons of the key.
 *
 * Bounds, so that the one public-key operation (s^e mod n, stage 5)
 * costs at most what an RSA-@max_bits key with a 32-bit exponent costs:
 *  - modulus @min_bits..@max_bits ("min rsa bits", "max rsa bits");
 *  - e odd and 3 <= e < 2^32: CryptoAPI keeps the exponent in a DWORD
 *    (RSAPUBKEY.pubexp), so a Windows peer cannot have a larger one;
 *    e = 1 makes the "signature" the padded hash itself (anyone could
 *    forge it), an even e has no inverse mod lambda(n);
 *  - the modulus odd and larger than an allowed e (else the key is
 *    degenerate).
 */
static uint32_t rsa_key_reasons(const struct bpa_der_cert *c,
				uint32_t min_bits, uint32_t max_bits,
				struct rsa_key_info *k)
{
	struct bpa_der_tlv spki, alg, oid, seq, n, e;
	const uint8_t *np = NULL, *ep = NULL;
	size_t nlen = 0, elen = 0;
	uint32_t r = 0;
	size_t i;
	bool ok;

	*k = (struct rsa_key_info) { 0 };
	ok = bpa_der_read(c->spki.p, c->spki.len, &spki) &&
	     bpa_der_read(spki.content.p, spki.content.len, &alg) &&
	     alg.tag == 0x30 &&
	     bpa_der_read(alg.content.p, alg.content.len, &oid) &&
	     oid.tag == 0x06;
	if (!ok) {
		return BPA_CERT_R_DER;
	}
	if (oid.content.len != sizeof(oid_rsa_encryption) ||
	    memcmp(oid.content.p, oid_rsa_encryption,
		   sizeof(oid_rsa_encryption)) != 0) {
		return BPA_CERT_R_NOT_RSA;
	}
	ok = c->spk.p != NULL &&
	     bpa_der_read(c->spk.p, c->spk.len, &seq) && seq.tag == 0x30 &&
	     seq.whole.len == c->spk.len &&
	     bpa_der_read(seq.content.p, seq.content.len, &n) &&
	     bpa_der_read(seq.content.p + n.whole.len,
			  seq.content.len - n.whole.len, &e) &&
	     n.whole.len + e.whole.len == seq.content.len &&
	     der_uint(&n, &np, &nlen) && der_uint(&e, &ep, &elen);
	if (!ok) {
		return BPA_CERT_R_DER;
	}
	k->bits = uint_bits(np, nlen);
	k->e_bits = uint_bits(ep, elen);
	for (i = 0; k->e_bits <= 32 && i < elen; i++) {
		k->e = (k->e << 8) | ep[i];
	}
	if (k->bits < min_bits) {
		r |= BPA_CERT_R_RSA_TOO_SMALL;
	}
	if (k->bits > max_bits) {
		r |= BPA_CERT_R_RSA_TOO_LARGE;
	}
	if (k->e_bits > 32 || k->e < 3 || (k->e & 1) == 0) {
		r |= BPA_CERT_R_RSA_EXPONENT;
	}
	if (nlen == 0 || (np[nlen - 1] & 1) == 0 ||
	    (k->e_bits <= 32 && k->bits <= k->e_bits)) {
		r |= BPA_CERT_R_RSA_DEGENERATE;
	}
	return r;
}

uint32_t bpa_cert_check_rsa_key(const uint8_t *der, size_t len,
				uint32_t min_bits, uint32_t max_bits,
				uint32_t *pbits)
{
	struct bpa_der_cert c;
	struct rsa_key_info k = { 0 };
	uint32_t r = BPA_CERT_R_DER;
	bool ok;

	ok = der != NULL && bpa_der_cert_parse(der, len, &c);
	if (ok) {
		r = rsa_key_reasons(&c, min_bits, max_bits, &k);
	}
	if (pbits != NULL) {
		*pbits = k.bits;
	}
	return r;
}

static void check_key(const struct bpa_der_cert *c,
		      const struct bpa_validate_policy *policy,
		      struct bpa_cert_verdict *v)
{
	struct rsa_key_info k;

	v->reasons |= rsa_key_reasons(c, policy->min_rsa_bits,
				      policy->max_rsa_bits, &k);
	v->rsa_bits = k.bits;
	v->rsa_exponent_bits = k.e_bits;
	v->rsa_exponent = k.e;
}

static void check_time(struct validate_state *s,
		       const struct bpa_validate_policy *policy,
		       time_t now, struct bpa_cert_verdict *v)
{
	v->not_before = gnutls_x509_crt_get_activation_time(s->crt);
	v->not_after = gnutls_x509_crt_get_expiration_time(s->crt);
	if (v->not_before == (time_t)-1 ||
	    (int64_t)now + policy->clock_skew < (int64_t)v->not_before) {
		v->reasons |= BPA_CERT_R_NOT_YET_VALID;
	}
	if (v->not_after == (time_t)-1 ||
	    (int64_t)now - policy->clock_skew > (int64_t)v->not_after) {
		v->reasons |= BPA_CERT_R_EXPIRED;
	}
}

/* The verdict's HRESULT: the first reason in this order decides */
static HRESULT reasons_hresult(uint32_t r)
{
	if (r == 0) {
		return BPA_S_OK;
	}
	if (r & BPA_CERT_R_INTERNAL) {
		return HRES_E_FAIL;
	}
	if (r & BPA_CERT_R_DER) {
		return HRES_CRYPT_E_ASN1_ERROR;
	}
	if (r & (BPA_CERT_R_SUBJECT_NOT_ONE_CN | BPA_CERT_R_CN_NOT_SID |
		 BPA_CERT_R_WRONG_SUBJECT)) {
		return HRES_E_ACCESSDENIED;	/* MS-BPAU 3.1.4.1 */
	}
	/* stage 3 in this order; stages 4 and 5 only come alone */
	if (r & BPA_CERT_R_NOT_SELF_ISSUED) {
		return HRES_TRUST_E_CERT_SIGNATURE;
	}
	if (r & (BPA_CERT_R_NOT_RSA | BPA_CERT_R_RSA_TOO_SMALL |
		 BPA_CERT_R_RSA_TOO_LARGE | BPA_CERT_R_RSA_EXPONENT |
		 BPA_CERT_R_RSA_DEGENERATE)) {
		return HRES_NTE_BAD_KEY;
	}
	if (r & BPA_CERT_R_WEAK_SIGNATURE) {
		return HRES_NTE_BAD_ALGID;
	}
	if (r & (BPA_CERT_R_NOT_YET_VALID | BPA_CERT_R_EXPIRED)) {
		return HRES_CERT_E_EXPIRED;
	}
	if (r & (BPA_CERT_R_EKU_EXTENSION | BPA_CERT_R_EKU_PROPERTY)) {
		return HRES_CERT_E_WRONG_USAGE;
	}
	if (r & BPA_CERT_R_HASH_MISMATCH) {
		return HRES_CRYPT_E_HASH_VALUE;
	}
	if (r & BPA_CERT_R_SELF_SIGNATURE) {
		return HRES_TRUST_E_CERT_SIGNATURE;
	}
	if (r & BPA_CERT_R_UNTRUSTED_ISSUER) {
		return HRES_CERT_E_CHAINING;
	}
	return HRES_E_FAIL;
}

/* Stage 2: the subject, and whose it must be (MS-BPAU 3.1.4.1) */
static void check_identity(const struct bpa_der_cert *c,
			   const struct bpa_validate_policy *policy,
			   struct bpa_cert_verdict *v)
{
	check_subject(c, v);
	if (v->has_sid && policy->expected_subject != NULL &&
	    !bpa_sid_equal(&v->subject_sid, policy->expected_subject)) {
		v->reasons |= BPA_CERT_R_WRONG_SUBJECT;
	}
}

/* Stages 1..5 of the header comment; each returns early on a refusal */
static void phase_one(TALLOC_CTX *mem_ctx,
		      const struct bpa_cert_blob *blob,
		      enum bpa_cert_role role,
		      const struct bpa_validate_policy *policy,
		      time_t now, struct bpa_cert_verdict *v)
{
	struct validate_state *s = NULL;
	struct bpa_der_cert c;
	gnutls_datum_t der;
	bool ok = false;
	int rc;

	/* 1: the DER outline */
	if (blob == NULL || blob->cert_der.data == NULL) {
		v->reasons |= BPA_CERT_R_DER;
		return;
	}
	ok = bpa_der_cert_parse(blob->cert_der.data, blob->cert_der.length,
				&c);
	if (!ok) {
		v->reasons |= BPA_CERT_R_DER;
		return;
	}
	/* 2: whose certificate it is decides first */
	check_identity(&c, policy, v);
	if (v->reasons != 0) {
		return;
	}
	/* 3: the policy, cheap checks only */
	check_key(&c, policy, v);
	s = talloc_zero(mem_ctx, struct validate_state);
	if (s == NULL) {
		v->reasons |= BPA_CERT_R_INTERNAL;
		return;
	}
	rc = bpa_gnutls_x509_crt_init(s, &s->crt);
	if (rc < 0) {
		DBG_ERR("gnutls_x509_crt_init: %s\n", gnutls_strerror(rc));
		v->reasons |= BPA_CERT_R_INTERNAL;
		return;
	}
	der.data = blob->cert_der.data;
	der.size = (unsigned)blob->cert_der.length;
	rc = gnutls_x509_crt_import(s->crt, &der, GNUTLS_X509_FMT_DER);
	if (rc < 0) {
		DBG_INFO("gnutls_x509_crt_import: %s\n", gnutls_strerror(rc));
		v->reasons |= BPA_CERT_R_DER;
		return;
	}
	check_signature_algorithm(s, &c, policy, v);
	check_time(s, policy, now, v);
	check_eku(&c, blob, role, v);
	if (v->reasons != 0) {
		return;
	}
	/* 4: the hash properties */
	check_hashes(s, blob, v);
	if (v->reasons != 0) {
		return;
	}
	/* 5: the self-signature, with a key stage 3 bounded; or the
	 * issuing anchor's signature */
	if (v->ca_issued) {
		check_issuer_signature(s, policy, now, v);
		return;
	}
	check_self_signature(s, &c, v);
}

HRESULT bpa_cert_validate(TALLOC_CTX *mem_ctx,
			  const struct bpa_cert_blob *blob,
			  enum bpa_cert_role role,
			  const struct bpa_validate_policy *policy,
			  time_t now,
			  struct bpa_cert_verdict **pverdict)
{
	struct bpa_validate_policy defaults;
	struct bpa_cert_verdict *v = NULL;
	TALLOC_CTX *frame = NULL;
	char *text = NULL;

	if (pverdict == NULL) {
		return HRES_E_INVALIDARG;
	}
	*pverdict = NULL;
	if (policy == NULL) {
		bpa_validate_policy_default(&defaults);
		policy = &defaults;
	}
	v = talloc_zero(mem_ctx, struct bpa_cert_verdict);
	if (v == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	frame = talloc_new(v);
	if (frame == NULL) {
		TALLOC_FREE(v);
		return HRES_E_OUTOFMEMORY;
	}
	v->role = role;
	v->min_rsa_bits = policy->min_rsa_bits;
	v->max_rsa_bits = policy->max_rsa_bits;

	phase_one(frame, blob, role, policy, now, v);
	v->hres = reasons_hresult(v->reasons);

	if (v->reasons == 0 && policy->phase_two != NULL) {
		v->phase_two_hres = policy->phase_two(policy->phase_two_data,
						      blob, role, v);
		if (!HRES_IS_OK(v->phase_two_hres)) {
			v->reasons |= BPA_CERT_R_PHASE_TWO;
			v->hres = v->phase_two_hres;
		}
	}
	TALLOC_FREE(frame);

	text = bpa_cert_verdict_string(v, v);
	if (v->reasons != 0) {
		DBG_NOTICE("%s certificate refused (0x%08" PRIx32 "): %s\n",
			   role == BPA_CERT_ROLE_CLIENT ? "client" : "server",
			   HRES_ERROR_V(v->hres), text ? text : "?");
	} else {
		DBG_INFO("%s certificate accepted\n",
			 role == BPA_CERT_ROLE_CLIENT ? "client" : "server");
	}
	TALLOC_FREE(text);
	*pverdict = v;
	return v->hres;
}

char *bpa_cert_verdict_string(TALLOC_CTX *mem_ctx,
			      const struct bpa_cert_verdict *v)
{
	const char *role_eku = NULL;
	char *s = NULL;
	char tbuf[BPA_TIME_STRING_MAX];
	size_t i;

	if (v->reasons == 0) {
		return talloc_strdup(mem_ctx, "accepted");
	}
	role_eku = v->role == BPA_CERT_ROLE_CLIENT ? "clientAuth" :
		   "serverAuth";
	s = talloc_strdup(mem_ctx, "");
	for (i = 0; s != NULL && (1u << i) <= BPA_CERT_R_LAST; i++) {
		uint32_t bit = 1u << i;
		const char *sep = s[0] == '\0' ? "" : ", ";

		if (!(v->reasons & bit)) {
			continue;
		}
		switch (bit) {
		case BPA_CERT_R_RSA_TOO_SMALL:
			s = talloc_asprintf_append(s, "%sRSA key %" PRIu32
						   " < %" PRIu32 " bits", sep,
						   v->rsa_bits,
						   v->min_rsa_bits);
			break;
		case BPA_CERT_R_RSA_TOO_LARGE:
			s = talloc_asprintf_append(s, "%sRSA key %" PRIu32
						   " > %" PRIu32 " bits", sep,
						   v->rsa_bits,
						   v->max_rsa_bits);
			break;
		case BPA_CERT_R_RSA_EXPONENT:
			if (v->rsa_exponent_bits > 32) {
				s = talloc_asprintf_append(s,
					"%sRSA exponent of %" PRIu32 " bits "
					"(odd 3..2^32-1 allowed)", sep,
					v->rsa_exponent_bits);
			} else {
				s = talloc_asprintf_append(s,
					"%sRSA exponent %" PRIu32 " (odd "
					"3..2^32-1 allowed)", sep,
					v->rsa_exponent);
			}
			break;
		case BPA_CERT_R_WEAK_SIGNATURE:
			s = talloc_asprintf_append(s, "%sweak signature (%s)",
				sep, v->sign_algo ? v->sign_algo : "unknown");
			break;
		case BPA_CERT_R_NOT_YET_VALID:
			s = talloc_asprintf_append(s,
				"%snot yet valid (not before %s)", sep,
				bpa_time_format(v->not_before, tbuf));
			break;
		case BPA_CERT_R_EXPIRED:
			s = talloc_asprintf_append(s,
				"%sexpired (not after %s)", sep,
				bpa_time_format(v->not_after, tbuf));
			break;
		case BPA_CERT_R_EKU_EXTENSION:
			s = talloc_asprintf_append(s,
				"%sEKU extension does not allow %s", sep,
				role_eku);
			break;
		case BPA_CERT_R_EKU_PROPERTY:
			s = talloc_asprintf_append(s,
				"%sENHKEY_USAGE property does not allow %s",
				sep, role_eku);
			break;
		case BPA_CERT_R_HASH_MISMATCH: {
			uint32_t id;

			s = talloc_asprintf_append(s,
				"%shash property mismatch:", sep);
			for (id = 0; s != NULL && id < 32; id++) {
				if (v->bad_props & (1u << id)) {
					s = talloc_asprintf_append(s, " %s",
						bpa_blob_prop_name(id));
				}
			}
			break;
		}
		case BPA_CERT_R_PHASE_TWO:
			s = talloc_asprintf_append(s,
				"%srefused by phase two (0x%08" PRIx32 ")",
				sep, HRES_ERROR_V(v->phase_two_hres));
			break;
		default:
			s = talloc_asprintf_append(s, "%s%s", sep,
						   bpa_cert_reason_name(bit));
			break;
		}
	}
	return s;
}
