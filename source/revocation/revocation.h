/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The revocation provider stack (seed ocsp-revocation-provider: the
 * CryptoAPI CertVerifyRevocation() contract), for peer certificates.
 *
 * A stack is an ordered list of providers ("bitspeerauth:revocation
 * providers", default "local ocsp crl"):
 *   local  the administrator's own list (rev_local.h), a tdb next to
 *          the peer table.  Authoritative for a self-signed certificate
 *          (good or revoked); for a CA-issued one REVOKED when listed,
 *          else NO_REVOCATION_CHECK.
 *   ocsp   the certificate's AIA OCSP URL (source/ocsp); good and
 *          revoked answers cached until nextUpdate, failures not.
 *   crl    CRLs from "bitspeerauth:crl files" and the certificate's CDP
 *          http:// URLs, verified against the issuer, cached until
 *          nextUpdate.
 *
 * A chain (leaf first, each certificate issued by the next) is checked
 * as a whole (CERT_VERIFY_REV_CHAIN_FLAG).  A self-signed trust anchor
 * at its end is not itself checked (nothing can revoke it); a single
 * self-signed certificate (an MS-BPAU peer certificate) is.  The
 * dispatcher is the seed's: each provider is called with the
 * certificates not yet checked; one that checked some of them and not
 * the rest answers NO_REVOCATION_CHECK with the index of the first
 * unchecked one, and the walk starts again, from the first provider,
 * at that certificate.  NO_REVOCATION_CHECK at the same index hands
 * the certificate to the next provider; REVOKED, REVOCATION_OFFLINE and
 * E_INVALIDARG end the walk (no later provider may answer "good").  A
 * certificate no provider could check ends it with NO_REVOCATION_CHECK
 * (NO_REVOCATION_DLL when the stack has no provider at all).
 *
 * Status values are the real MS-ERREF HRESULTs (Samba's names):
 *   0                                  good
 *   HRES_CRYPT_E_REVOKED        0x80092010  revoked (reason set)
 *   HRES_CRYPT_E_NO_REVOCATION_DLL   0x80092011
 *   HRES_CRYPT_E_NO_REVOCATION_CHECK 0x80092012
 *   HRES_CRYPT_E_REVOCATION_OFFLINE  0x80092013
 *   HRES_E_INVALIDARG           0x80070057  (no certificate)
 *
 * Thread safety: a stack is for one thread at a time.  Files (the local
 * list, the cache) are opened for each check, so a stack made before a
 * fork works in the children.
 */
#ifndef _BPA_REVOCATION_H_
#define _BPA_REVOCATION_H_

#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include <talloc.h>
#include <util/data_blob.h>
#include <core/hresult.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

/*
 * A chain to check: leaf first, certs[i] issued by certs[i + 1].  A
 * leaf the caller vouched for (BPA_REV_LEAF_SELF_SIGNED) is parsed only
 * when a provider asks (bpa_rev_chain_crt()): certs[0] may be NULL.
 */
struct bpa_rev_chain {
	gnutls_x509_crt_t *certs;	/* owned by the chain (destructor) */
	DATA_BLOB *der;			/* the same, DER */
	int8_t *self_signed;		/* per certificate: 1, 0, or -1 not
					 * known yet (bpa_rev_chain_self_
					 * signed() finds out once) */
	uint32_t count;
	uint32_t checked;		/* certificates to check: count, or
					 * count - 1 when the last one is a
					 * self-signed trust anchor */
};

/**
 * Build a chain from @leaf_der: then the certificates of @extra (its
 * intermediates, e.g. a --chain file or a TLS peer's list, any order)
 * and of the stack's trust anchors ("bitspeerauth:ca file"), each
 * issuer found by name and signature, until a self-signed certificate
 * or no issuer is found (at most 16).
 * @stack may be NULL (no anchors).
 * @return S_OK and *@pchain on @mem_ctx; HRES_E_INVALIDARG for a leaf
 *         that does not parse; HRES_E_OUTOFMEMORY.
 */
struct bpa_rev_stack;
HRESULT bpa_rev_chain_build(TALLOC_CTX *mem_ctx,
			    const struct bpa_rev_stack *stack,
			    const DATA_BLOB *leaf_der,
			    const DATA_BLOB *extra,
			    size_t n_extra,
			    struct bpa_rev_chain **pchain);

/** bpa_rev_chain_build() with @leaf_flags (BPA_REV_LEAF_*, below) */
HRESULT bpa_rev_chain_build_flags(TALLOC_CTX *mem_ctx,
				  const struct bpa_rev_stack *stack,
				  const DATA_BLOB *leaf_der,
				  const DATA_BLOB *extra,
				  size_t n_extra,
				  uint32_t leaf_flags,
				  struct bpa_rev_chain **pchain);

/* The seed's CERT_REVOCATION_PARA */
struct bpa_rev_para {
	time_t now;
	bool check_freshness;		/* fCheckFreshnessTime: nextUpdate
					 * is evaluated without skew, and
					 * with freshness_time > 0 also
					 * thisUpdate's age */
	uint32_t freshness_time;	/* seconds, 0: nextUpdate only */
};

/* The seed's CERT_REVOCATION_STATUS, plus what the logs need */
struct bpa_rev_status {
	HRESULT error;			/* dwError (see above) */
	uint32_t index;			/* dwIndex: the certificate that
					 * decided (the last one checked
					 * when good) */
	uint32_t reason;		/* dwReason, RFC 5280 5.3.1 */
	bool has_freshness_time;	/* fHasFreshnessTime */
	int64_t freshness_time;		/* dwFreshnessTime: nextUpdate of
					 * the deciding response - now (s);
					 * negative when already past */
	bool definitive_unknown;	/* OFFLINE because a responder said
					 * "unknown" (a failure also in
					 * soft mode) */
	const char *provider;		/* deciding provider, or NULL */
	const char *detail;		/* text, never NULL */
};

/* Providers by name (the option's words) */
enum bpa_rev_provider_kind {
	BPA_REV_LOCAL,
	BPA_REV_OCSP,
	BPA_REV_CRL,
};

struct bpa_rev_params {
	const char *providers;		/* "local ocsp crl" (NULL: that) */
	const char *local_list;		/* the local provider's tdb */
	const char *cache;		/* OCSP/CRL cache tdb; NULL: none */
	const char *ca_file;		/* PEM trust anchors, or NULL */
	const char *crl_files;		/* space/comma separated, or NULL */
	uint32_t url_timeout_ms;	/* 15000 */
	uint32_t clock_skew;		/* 300 */
	size_t max_response;		/* OCSP response / CRL bytes */
};

/** Defaults: "local ocsp crl", 15000 ms, 300 s, 64 KiB; no paths. */
void bpa_rev_params_init(struct bpa_rev_params *p);

/**
 * Make a stack: parse the provider list, load the trust anchors and
 * the CRL files (read once, here).
 * @return S_OK and *@pstack on @mem_ctx; HRES_E_INVALIDARG (an unknown
 *         provider name, a trust anchor file or CRL file that cannot be
 *         read: logged with the path); HRES_E_OUTOFMEMORY.
 */
HRESULT bpa_rev_stack_create(TALLOC_CTX *mem_ctx,
			     const struct bpa_rev_params *p,
			     struct bpa_rev_stack **pstack);

/**
 * bpa_rev_stack_create() with the bitspeerauth:* options of @cfg
 * (util/bpa_config.h: revocation providers, revocation list,
 * revocation cache, ca file, crl files, revocation url timeout, clock
 * skew).  The mode ("revocation check") is cfg->revocation_check.
 */
struct bpa_config;
HRESULT bpa_rev_stack_from_config(TALLOC_CTX *mem_ctx,
				  const struct bpa_config *cfg,
				  struct bpa_rev_stack **pstack);

/** The trust anchors ("ca file"), or NULL when none; owned by @s. */
gnutls_x509_trust_list_t bpa_rev_stack_anchors(const struct bpa_rev_stack *s);

/**
 * May a check of a leaf alone (a peer's certificate) wait on the
 * network?  true when a provider fetches (ocsp, crl: HTTP) and "ca file"
 * gives issuers to fetch for.
 */
bool bpa_rev_stack_may_fetch(const struct bpa_rev_stack *s);

/**
 * CertVerifyRevocation() with CERT_VERIFY_REV_CHAIN_FLAG on @chain.
 * Always fills @status (detail on @mem_ctx or static).  Returns
 * @status->error.
 */
HRESULT bpa_rev_verify(TALLOC_CTX *mem_ctx,
		       struct bpa_rev_stack *s,
		       const struct bpa_rev_chain *chain,
		       const struct bpa_rev_para *para,
		       struct bpa_rev_status *status);

/* --- the seed's "expected application behaviour" --------------------- */

/* "bitspeerauth:revocation check" */
enum bpa_rev_mode {
	BPA_REV_MODE_NO = 0,	/* no check */
	BPA_REV_MODE_SOFT,	/* revoked / unknown refused; could not
				 * check: allowed, reported (default) */
	BPA_REV_MODE_HARD,	/* anything but good refused */
};

/** Parse "no", "soft", "hard" (case-insensitive); false otherwise. */
bool bpa_rev_mode_parse(const char *s, enum bpa_rev_mode *pmode);
const char *bpa_rev_mode_name(enum bpa_rev_mode m);

/**
 * The decision on @st under @mode: true to accept.  Revoked and a
 * definitive unknown are refused in soft and hard; in hard also
 * NO_REVOCATION_CHECK, NO_REVOCATION_DLL, REVOCATION_OFFLINE and
 * E_INVALIDARG.
 */
bool bpa_rev_accept(enum bpa_rev_mode mode, const struct bpa_rev_status *st);

/**
 * The audit word of a check: "good", "revoked", "unknown",
 * "not-checked" (soft mode let a could-not-check through), "failed"
 * (hard mode refused one), or "off" (@st NULL: mode no).
 */
const char *bpa_rev_audit_word(enum bpa_rev_mode mode,
			       const struct bpa_rev_status *st);

/** "CRYPT_E_REVOKED", ... or "S_OK"; NULL for other values. */
const char *bpa_rev_error_name(HRESULT hr);

/**
 * One line on @mem_ctx: "CRYPT_E_REVOKED (0x80092010) at index 0 by
 * local: keyCompromise; ..." with the freshness when there is one.
 */
char *bpa_rev_status_string(TALLOC_CTX *mem_ctx,
			    const struct bpa_rev_status *st);

/**
 * The whole check of a peer's certificate as the exchange, the 3.1.6.1
 * query and the TLS hook use it: chain from @leaf_der (+ @extra and the
 * anchors), bpa_rev_verify() at @now, the decision under @mode, and a
 * log line (the HRESULT named).  @mode NO: nothing is done, *@paccept
 * true, @status->error 0 with detail "off".
 * @return S_OK (see *@paccept and @status) or HRES_E_OUTOFMEMORY.
 */
HRESULT bpa_rev_check_cert(TALLOC_CTX *mem_ctx,
			   struct bpa_rev_stack *s,
			   enum bpa_rev_mode mode,
			   const DATA_BLOB *leaf_der,
			   const DATA_BLOB *extra,
			   size_t n_extra,
			   time_t now,
			   bool *paccept,
			   struct bpa_rev_status *status);

/*
 * What the caller has verified of the leaf already: it is self-issued
 * and its signature verifies with its own key (phase one of an MS-BPAU
 * peer certificate that is not CA-issued).  The chain is then the leaf
 * alone, and neither parsed again nor verified again.
 */
#define BPA_REV_LEAF_SELF_SIGNED 0x1u

/** bpa_rev_check_cert() with @leaf_flags (BPA_REV_LEAF_*) */
HRESULT bpa_rev_check_cert_flags(TALLOC_CTX *mem_ctx,
				 struct bpa_rev_stack *s,
				 enum bpa_rev_mode mode,
				 const DATA_BLOB *leaf_der,
				 const DATA_BLOB *extra,
				 size_t n_extra,
				 uint32_t leaf_flags,
				 time_t now,
				 bool *paccept,
				 struct bpa_rev_status *status);

#endif /* _BPA_REVOCATION_H_ */
