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
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "util/sid_string.h"
#include "util/bpa_crypto.h"
#include "blob/cert_der.h"
#include "validate/cert_validate.h"
#include "validate/cert_validate_private.h"

void bpa_validate_policy_default(struct bpa_validate_policy *p)
{
	*p = (struct bpa_validate_policy) {
		.min_rsa_bits = 2048,
		.max_rsa_bits = BPA_MAX_RSA_BITS_DEFAULT,
		.allow_sha1_signatures = false,
		.clock_skew = 300,
	};
}

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
static bool eku_allows(const uint8_t *der,
		       size_t len,
		       enum bpa_cert_role role,
		       bool *allows)
{
	const uint8_t *oid = role == BPA_CERT_ROLE_CLIENT ?
		bpa_oid_client_auth : bpa_oid_server_auth;

	return bpa_der_eku_has(der, len, oid, sizeof(bpa_oid_client_auth),
			       allows);
}

static void check_eku(const struct bpa_der_cert *c,
		      const struct bpa_cert_blob *blob,
		      enum bpa_cert_role role,
		      struct bpa_cert_verdict *v)
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

static void check_key(const struct bpa_der_cert *c,
		      const struct bpa_validate_policy *policy,
		      struct rsa_key_info *k,
		      struct bpa_cert_verdict *v)
{
	v->reasons |= bpa_validate_rsa_key(c, policy->min_rsa_bits,
					   policy->max_rsa_bits, k);
	v->rsa_bits = k->bits;
	v->rsa_exponent_bits = k->e_bits;
	v->rsa_exponent = k->e;
}

static void check_time(struct validate_state *s,
		       const struct bpa_validate_policy *policy,
		       time_t now,
		       struct bpa_cert_verdict *v)
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
		      time_t now,
		      struct bpa_cert_verdict *v)
{
	struct validate_state *s = NULL;
	struct bpa_der_cert c;
	struct rsa_key_info k;
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
	check_key(&c, policy, &k, v);
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
	bpa_validate_signature_algorithm(s, &c, policy, v);
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
		bpa_validate_issuer_signature(s, policy, now, v);
		return;
	}
	bpa_validate_self_signature(s, &c, &k, v);
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
	v->hres = bpa_validate_hresult(v->reasons);

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
