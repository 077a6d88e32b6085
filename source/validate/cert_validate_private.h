/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Inside phase one (cert_validate.h), MS-BPAU 3.1.4.1 / 3.2.4.1:
 *   cert_validate.c   the stages in order: DER, subject, policy, hash
 *                     properties, then the signature; phase two
 *   cert_rsa_key.c    stage 3's RSA key bounds, read from the DER
 *   cert_signature.c  the signature algorithm (stage 3) and the one
 *                     public-key operation (stage 5)
 *   cert_verdict.c    a verdict's HRESULT and its text
 */
#ifndef _BPA_CERT_VALIDATE_PRIVATE_H_
#define _BPA_CERT_VALIDATE_PRIVATE_H_

#include <stdint.h>
#include <time.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>
#include <core/hresult.h>
#include "blob/cert_der.h"
#include "validate/cert_validate.h"

/* GnuTLS objects of one validation, released with it (bpa_crypto.h) */
struct validate_state {
	gnutls_x509_crt_t crt;
	gnutls_pubkey_t pubkey;
	gnutls_sign_algorithm_t sign_algo;	/* stage 3's */
};

struct rsa_key_info {
	uint32_t bits;		/* modulus */
	uint32_t e_bits;
	uint32_t e;		/* when e_bits <= 32 */
	struct bpa_der_span n;	/* the magnitudes, big-endian, inside */
	struct bpa_der_span pe;	/* the certificate's DER */
};

/**
 * The subjectPublicKeyInfo of @c checked against @min_bits..@max_bits
 * and the exponent rules (cert_rsa_key.c says why each); *@k is what
 * was read.  Returns the reasons (0: a usable RSA key).
 */
uint32_t bpa_validate_rsa_key(const struct bpa_der_cert *c,
			      uint32_t min_bits,
			      uint32_t max_bits,
			      struct rsa_key_info *k);

/**
 * Stage 3: issuer = subject (or, with trust anchors, any issuer: stage
 * 5 decides) and an acceptable signature algorithm
 */
void bpa_validate_signature_algorithm(struct validate_state *s,
				      const struct bpa_der_cert *c,
				      const struct bpa_validate_policy *policy,
				      struct bpa_cert_verdict *v);

/**
 * Stage 5: the self-signature, the one public-key operation, with the
 * algorithm stage 3 read and the key @k that bpa_validate_rsa_key()
 * bounded (the key is built from @k: GnuTLS does not parse the
 * certificate's key a second time).
 */
void bpa_validate_self_signature(struct validate_state *s,
				 const struct bpa_der_cert *c,
				 const struct rsa_key_info *k,
				 struct bpa_cert_verdict *v);

/**
 * Stage 5 for a CA-issued certificate: issued by one of the policy's
 * anchors (GnuTLS checks the signature and that the anchor is a CA),
 * the anchor valid at @now.  GnuTLS's own clock is not used: the
 * leaf's validity was stage 3's, at @now like everything else.
 */
void bpa_validate_issuer_signature(struct validate_state *s,
				   const struct bpa_validate_policy *policy,
				   time_t now,
				   struct bpa_cert_verdict *v);

/** The verdict's HRESULT: the first of @reasons in stage order decides */
HRESULT bpa_validate_hresult(uint32_t reasons);

#endif /* _BPA_CERT_VALIDATE_PRIVATE_H_ */
