/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Validation of a peer's certificate, MS-BPAU 3.1.4.1 (server receiving
 * the client's) and 3.2.4.1 (client receiving the server's).
 *
 * Validation has two phases, as BITS does it (see
 * IBackgroundCopyServerCertificateValidationCallback): phase one is the
 * fixed set of checks below, done with GnuTLS; phase two is an optional
 * pluggable callback (bpa_cert_phase_two_fn) that is called only when
 * phase one accepted the certificate and may refuse it with an HRESULT.
 *
 * Phase one runs from cheap to expensive and stops at the first stage
 * that refuses (so a verdict can name several reasons of one stage):
 *
 *   1. the DER outline (own walk, no GnuTLS);
 *   2. the subject: exactly one CN, a SID string, and, when the policy
 *      names one, the expected SID (the caller's identity decides
 *      first, MS-BPAU 3.1.4.1);
 *   3. the policy, all cheap: the RSA key's modulus and exponent bounds
 *      (read from the DER, before GnuTLS touches the key), issuer =
 *      subject, signature algorithm, validity, EKU;
 *   4. the hash properties (hashes of the certificate's bytes);
 *   5. the self-signature: the one public-key operation, done only
 *      when everything else passed, on a key whose cost is bounded by
 *      stage 3 (modulus <= max_rsa_bits, exponent < 2^32).  A
 *      CA-issued certificate (issuer != subject) is accepted only when
 *      the policy has trust anchors ("bitspeerauth:ca file", seed
 *      ocsp-revocation-provider): then stage 5 is the issuer's
 *      signature, checked against the anchor that issued it, and the
 *      anchor's own validity at the same time.
 *
 * The HRESULT precedence (bpa_cert_validate()) follows the same order,
 * so skipping a later stage never changes the HRESULT.
 */
#ifndef _BPA_CERT_VALIDATE_H_
#define _BPA_CERT_VALIDATE_H_

#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include <talloc.h>
#include <gnutls/x509.h>
#include <util/data_blob.h>
#include <core/hresult.h>
#include <gen_ndr/security.h>
#include "blob/cert_blob.h"

/* Whose certificate is checked: its EKU must allow that role */
enum bpa_cert_role {
	BPA_CERT_ROLE_CLIENT,	/* needs clientAuth (3.1.4.1) */
	BPA_CERT_ROLE_SERVER,	/* needs serverAuth (3.2.4.1) */
};

struct bpa_cert_verdict;

/**
 * Phase two: called after phase one accepted @blob for @role.
 * Return 0 to accept, any error HRESULT to refuse (it becomes the
 * verdict's HRESULT and BPA_CERT_R_PHASE_TWO is set).
 */
typedef HRESULT (*bpa_cert_phase_two_fn)(
	void *private_data,
	const struct bpa_cert_blob *blob,
	enum bpa_cert_role role,
	const struct bpa_cert_verdict *phase_one);

/* Largest RSA modulus accepted by default ("max rsa bits") */
#define BPA_MAX_RSA_BITS_DEFAULT 16384

/* What phase one accepts (smb.conf names in util/bpa_config.h) */
struct bpa_validate_policy {
	uint32_t min_rsa_bits;		/* 2048 */
	uint32_t max_rsa_bits;		/* 16384: bounds the verify cost */
	/* the SID the subject must name (the caller, the server), checked
	 * before anything else; NULL: the caller compares it itself */
	const struct dom_sid *expected_subject;
	bool allow_sha1_signatures;	/* false */
	uint32_t clock_skew;		/* seconds, 300 */
	/* CAs that may issue peer certificates ("ca file"); NULL: only
	 * self-signed ones are accepted.  Not owned by the policy. */
	gnutls_x509_trust_list_t anchors;
	bpa_cert_phase_two_fn phase_two; /* NULL: no phase two */
	void *phase_two_data;
};

/** Fill @p with the defaults (2048..16384 bits, no SHA-1, 300 s, no
 * expected subject, no phase 2). */
void bpa_validate_policy_default(struct bpa_validate_policy *p);

/* Named reasons; a verdict's reasons are an OR of these */
enum bpa_cert_reason {
	BPA_CERT_R_DER			= 1u << 0,  /* does not parse */
	BPA_CERT_R_NOT_RSA		= 1u << 1,
	BPA_CERT_R_RSA_TOO_SMALL	= 1u << 2,
	BPA_CERT_R_SUBJECT_NOT_ONE_CN	= 1u << 3,
	BPA_CERT_R_CN_NOT_SID		= 1u << 4,
	BPA_CERT_R_NOT_SELF_ISSUED	= 1u << 5,  /* issuer != subject */
	BPA_CERT_R_SELF_SIGNATURE	= 1u << 6,  /* does not verify */
	BPA_CERT_R_WEAK_SIGNATURE	= 1u << 7,  /* SHA-1 or weaker */
	BPA_CERT_R_NOT_YET_VALID	= 1u << 8,
	BPA_CERT_R_EXPIRED		= 1u << 9,
	BPA_CERT_R_EKU_EXTENSION	= 1u << 10, /* ext. forbids role */
	BPA_CERT_R_EKU_PROPERTY		= 1u << 11, /* ENHKEY_USAGE forbids */
	BPA_CERT_R_HASH_MISMATCH	= 1u << 12, /* see bad_props */
	BPA_CERT_R_PHASE_TWO		= 1u << 13, /* the callback refused */
	BPA_CERT_R_INTERNAL		= 1u << 14, /* GnuTLS/ENOMEM failure */
	BPA_CERT_R_RSA_TOO_LARGE	= 1u << 15, /* > max_rsa_bits */
	BPA_CERT_R_RSA_EXPONENT		= 1u << 16, /* e not odd 3..2^32-1 */
	BPA_CERT_R_RSA_DEGENERATE	= 1u << 17, /* modulus even, <= e */
	BPA_CERT_R_WRONG_SUBJECT	= 1u << 18, /* not expected_subject */
	BPA_CERT_R_UNTRUSTED_ISSUER	= 1u << 19, /* CA-issued, no anchor */
};
#define BPA_CERT_R_LAST BPA_CERT_R_UNTRUSTED_ISSUER
#define BPA_CERT_R_ALL ((BPA_CERT_R_LAST << 1) - 1)

/* Stage 2's reasons: the subject, and whose it is (MS-BPAU 3.1.4.1) */
#define BPA_CERT_R_SUBJECT (BPA_CERT_R_SUBJECT_NOT_ONE_CN | \
			    BPA_CERT_R_CN_NOT_SID | \
			    BPA_CERT_R_WRONG_SUBJECT)

/** Short text of one reason bit ("expired"); "unknown" otherwise. */
const char *bpa_cert_reason_name(uint32_t reason);

struct bpa_cert_verdict {
	uint32_t reasons;		/* 0: accepted */
	uint32_t bad_props;		/* 1u << id per mismatched property */
	HRESULT hres;			/* what to return; 0 when accepted */
	bool has_sid;			/* the subject CN is a SID string */
	struct dom_sid subject_sid;
	/* details for the text (valid when the DER parsed) */
	uint32_t rsa_bits;		/* modulus bits (or the key's bits) */
	uint32_t min_rsa_bits;		/* the policy's minimum */
	uint32_t max_rsa_bits;		/* the policy's maximum */
	uint32_t rsa_exponent_bits;	/* bits of e */
	uint32_t rsa_exponent;		/* e when it has <= 32 bits */
	time_t not_before;
	time_t not_after;
	const char *sign_algo;		/* static GnuTLS name, or NULL */
	bool ca_issued;			/* issuer != subject (anchors) */
	enum bpa_cert_role role;
	HRESULT phase_two_hres;
};

/**
 * Phase one (and phase two when @policy has it) on @blob's certificate
 * and properties for @role, at time @now.  *@pverdict is allocated on
 * @mem_ctx.  The returned HRESULT is the verdict's (0 when accepted);
 * HRES_E_OUTOFMEMORY with *@pverdict NULL only on ENOMEM (E_INVALIDARG
 * if @pverdict is NULL).  @policy NULL means the defaults.
 *
 * HRESULT, first match: DER -> CRYPT_E_ASN1_ERROR; subject not one CN,
 * not a SID, or not the expected SID -> 0x80070005 (3.1.4.1); not
 * self-issued and no anchors -> TRUST_E_CERT_SIGNATURE; not RSA,
 * modulus outside min..max, bad exponent, degenerate -> NTE_BAD_KEY;
 * weak signature -> NTE_BAD_ALGID; validity -> CERT_E_EXPIRED; EKU ->
 * CERT_E_WRONG_USAGE; hashes -> CRYPT_E_HASH_VALUE; self-signature ->
 * TRUST_E_CERT_SIGNATURE; CA-issued and not issued by a valid anchor
 * -> CERT_E_CHAINING; phase two -> its own HRESULT.
 */
HRESULT bpa_cert_validate(TALLOC_CTX *mem_ctx,
			  const struct bpa_cert_blob *blob,
			  enum bpa_cert_role role,
			  const struct bpa_validate_policy *policy,
			  time_t now,
			  struct bpa_cert_verdict **pverdict);

/**
 * MS-BPAU 3.1.4.1: did the subject decide @v (its HRESULT is then
 * 0x80070005, HRES_E_ACCESSDENIED)?  This layer alone decides that a
 * subject that is not one CN, not a SID string, or not the policy's
 * expected_subject is refused, and with which HRESULT; callers (the
 * server's exchange.c, the client) take v->hres and only classify the
 * refusal for their audit.  Conversely a verdict with hres S_OK and an
 * expected_subject has has_sid set and subject_sid equal to it.
 */
bool bpa_cert_verdict_subject_refused(const struct bpa_cert_verdict *v);

/**
 * Human-readable verdict on @mem_ctx: "accepted", or the reasons in bit
 * order with details, e.g. "RSA key 1024 < 2048 bits, weak signature
 * (RSA-SHA1), expired (not after 2007-02-16T21:56:16Z)".  NULL on ENOMEM.
 */
char *bpa_cert_verdict_string(TALLOC_CTX *mem_ctx,
			      const struct bpa_cert_verdict *v);

/**
 * The RSA key bounds of stage 3 alone, for wherever a peer's key is
 * used without bpa_cert_validate() (the TLS hook, the CLI): @der is one
 * X.509 certificate.  Returns the reasons (0: an RSA key within
 * @min_bits..@max_bits, odd exponent 3..2^32-1, odd modulus > e;
 * BPA_CERT_R_DER if the certificate or its key does not parse).  Reads
 * only the DER: cost linear in @len, no public-key operation.
 * *@pbits (if not NULL) is the modulus size.
 */
uint32_t bpa_cert_check_rsa_key(const uint8_t *der,
				size_t len,
				uint32_t min_bits,
				uint32_t max_bits,
				uint32_t *pbits);

#endif /* _BPA_CERT_VALIDATE_H_ */
