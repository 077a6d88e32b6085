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
 * Phase one names every reason it refuses a certificate for (a bitmask,
 * so one verdict can name several).  Comparing the subject SID to the
 * caller's Kerberos identity is the caller's job: the verdict carries
 * the SID.
 */
#ifndef _BPA_CERT_VALIDATE_H_
#define _BPA_CERT_VALIDATE_H_

#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include <talloc.h>
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
typedef HRESULT (*bpa_cert_phase_two_fn)(void *private_data,
					 const struct bpa_cert_blob *blob,
					 enum bpa_cert_role role,
					 const struct bpa_cert_verdict *phase_one);

/* What phase one accepts (smb.conf names in util/bpa_config.h) */
struct bpa_validate_policy {
	uint32_t min_rsa_bits;		/* 2048 */
	bool allow_sha1_signatures;	/* false */
	uint32_t clock_skew;		/* seconds, 300 */
	bpa_cert_phase_two_fn phase_two; /* NULL: no phase two */
	void *phase_two_data;
};

/** Fill @p with the defaults (2048 bits, no SHA-1, 300 s, no phase 2). */
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
};

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
	time_t not_before;
	time_t not_after;
	const char *sign_algo;		/* static GnuTLS name, or NULL */
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
 * HRESULT, first match: DER -> CRYPT_E_ASN1_ERROR; subject not one CN
 * or not a SID -> 0x80070005 (3.1.4.1); self-signature or not
 * self-issued -> TRUST_E_CERT_SIGNATURE; not RSA / too small ->
 * NTE_BAD_KEY; weak signature -> NTE_BAD_ALGID; validity ->
 * CERT_E_EXPIRED; EKU -> CERT_E_WRONG_USAGE; hashes ->
 * CRYPT_E_HASH_VALUE; phase two -> its own HRESULT.
 */
HRESULT bpa_cert_validate(TALLOC_CTX *mem_ctx,
			  const struct bpa_cert_blob *blob,
			  enum bpa_cert_role role,
			  const struct bpa_validate_policy *policy,
			  time_t now,
			  struct bpa_cert_verdict **pverdict);

/**
 * Human-readable verdict on @mem_ctx: "accepted", or the reasons in bit
 * order with details, e.g. "RSA key 1024 < 2048 bits, weak signature
 * (RSA-SHA1), expired (not after 2007-02-16T21:56:16Z)".  NULL on ENOMEM.
 */
char *bpa_cert_verdict_string(TALLOC_CTX *mem_ctx,
			      const struct bpa_cert_verdict *v);

#endif /* _BPA_CERT_VALIDATE_H_ */
