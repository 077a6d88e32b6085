/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Phase one's signatures: the algorithm (stage 3), the self-signature
 * or the issuing trust anchor's (stage 5, the one public-key operation;
 * cert_validate_private.h).
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>
#include "util/bpa_debug.h"
#include "util/bpa_crypto.h"
#include "validate/cert_validate.h"
#include "validate/cert_validate_private.h"

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

void bpa_validate_signature_algorithm(struct validate_state *s,
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
	s->sign_algo = sa;
	v->sign_algo = gnutls_sign_get_name(sa);
	if (weak_signature(sa, policy)) {
		v->reasons |= BPA_CERT_R_WEAK_SIGNATURE;
	}
}

/* A span of the certificate as GnuTLS takes it (GnuTLS only reads it) */
static gnutls_datum_t span_datum(struct bpa_der_span sp)
{
	return (gnutls_datum_t) {
		.data = (unsigned char *)(uintptr_t)sp.p,
		.size = (unsigned)sp.len,
	};
}

void bpa_validate_self_signature(struct validate_state *s,
				 const struct bpa_der_cert *c,
				 const struct rsa_key_info *k,
				 struct bpa_cert_verdict *v)
{
	gnutls_datum_t tbs = span_datum(c->tbs);
	gnutls_datum_t sig = span_datum(c->sig);
	gnutls_datum_t n = span_datum(k->n);
	gnutls_datum_t e = span_datum(k->pe);
	int rc;

	rc = bpa_gnutls_pubkey_init(s, &s->pubkey);
	if (rc < 0) {
		DBG_ERR("gnutls_pubkey_init: %s\n", gnutls_strerror(rc));
		v->reasons |= BPA_CERT_R_INTERNAL;
		return;
	}
	rc = gnutls_pubkey_import_rsa_raw(s->pubkey, &n, &e);
	if (rc < 0) {
		DBG_INFO("gnutls_pubkey_import_rsa_raw: %s\n",
			 gnutls_strerror(rc));
		v->reasons |= BPA_CERT_R_SELF_SIGNATURE;
		return;
	}
	/* whether the algorithm is acceptable was decided in stage 3 */
	rc = gnutls_pubkey_verify_data2(s->pubkey, s->sign_algo,
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

void bpa_validate_issuer_signature(struct validate_state *s,
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
