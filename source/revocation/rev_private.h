/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Inside the revocation stack: the provider contract and the stack's
 * state.  Not installed.
 */
#ifndef _BPA_REV_PRIVATE_H_
#define _BPA_REV_PRIVATE_H_

#include "revocation/revocation.h"

struct bpa_rev_stack;

/*
 * One provider (the seed's CertDllVerifyRevocation with
 * CERT_VERIFY_REV_CHAIN_FLAG): check chain->certs[first ..
 * chain->checked - 1].  Fill @st (index absolute in the chain) and
 * return st->error:
 *   0                      all of them good;
 *   NO_REVOCATION_CHECK    st->index = the first one not checked (those
 *                          before it are good);
 *   REVOKED / OFFLINE / E_INVALIDARG   st->index = the one that decided.
 * st->provider is set by the dispatcher.  Freshness: the provider sets
 * has_freshness_time / freshness_time of the response that decided, or
 * for a good result the soonest nextUpdate among those it used.
 */
typedef HRESULT (*bpa_rev_provider_fn)(TALLOC_CTX *mem_ctx,
				       struct bpa_rev_stack *s,
				       const struct bpa_rev_chain *chain,
				       uint32_t first,
				       const struct bpa_rev_para *para,
				       struct bpa_rev_status *st);

/* A provider as "bitspeerauth:revocation providers" names it; each
 * rev_provider_<name>.c defines its own */
struct bpa_rev_provider {
	const char *name;
	bpa_rev_provider_fn fn;
	bool network;	/* may fetch (HTTP), for an issuer it knows */
};

extern const struct bpa_rev_provider bpa_rev_provider_local;
extern const struct bpa_rev_provider bpa_rev_provider_ocsp;
extern const struct bpa_rev_provider bpa_rev_provider_crl;

#define BPA_REV_MAX_PROVIDERS 8
#define BPA_REV_MAX_CHAIN 16

struct bpa_rev_stack {
	struct bpa_rev_params p;		/* strings owned by the stack */
	const struct bpa_rev_provider *providers[BPA_REV_MAX_PROVIDERS];
	size_t n_providers;
	gnutls_x509_trust_list_t anchors;	/* "ca file", or NULL */
	gnutls_x509_crt_t *anchor_certs;	/* the same, for chains */
	size_t n_anchor_certs;
	gnutls_x509_crl_t *crls;		/* "crl files" */
	DATA_BLOB *crl_der;
	size_t n_crls;
};

/** Is @c self-issued and does its signature verify with its own key? */
bool bpa_rev_self_signed(gnutls_x509_crt_t c);

/** chain->certs[i], parsed on first use; NULL if it does not parse */
gnutls_x509_crt_t bpa_rev_chain_crt(const struct bpa_rev_chain *chain,
				    uint32_t i);

/** bpa_rev_self_signed() of chain->certs[i], found out once per chain */
bool bpa_rev_chain_self_signed(const struct bpa_rev_chain *chain,
			       uint32_t i);

/** The issuer of chain->certs[i]: certs[i + 1], or NULL. */
gnutls_x509_crt_t bpa_rev_issuer(const struct bpa_rev_chain *chain,
				 uint32_t i);

/* Freshness of a response with nextUpdate @next at @now, kept in @st
 * when it is the soonest so far */
void bpa_rev_note_freshness(struct bpa_rev_status *st,
			    time_t next,
			    time_t now);

/* The cache of OCSP responses and CRLs (tdb at s->p.cache): @key ->
 * DER, kept until @expires.  Misses and errors are a NULL result. */
DATA_BLOB bpa_rev_cache_get(TALLOC_CTX *mem_ctx,
			    const struct bpa_rev_stack *s,
			    const char *key,
			    time_t now);
void bpa_rev_cache_put(const struct bpa_rev_stack *s,
		       const char *key,
		       const DATA_BLOB *der,
		       time_t expires);
void bpa_rev_cache_del(const struct bpa_rev_stack *s, const char *key);

#endif /* _BPA_REV_PRIVATE_H_ */
