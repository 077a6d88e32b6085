/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The prefetcher from smb.conf (bitspeerauth:ocsp *) and the issuer of
 * the local certificate, shared by the AD DC's server (rpc_server/
 * server_prefetch.c), "bitspeerauth ocsp prefetch" (a member's) and
 * "bitspeerauth ocsp status".
 */
#ifndef _BPA_PREFETCH_CONFIG_H_
#define _BPA_PREFETCH_CONFIG_H_

#include <stdbool.h>
#include <talloc.h>
#include <core/hresult.h>
#include <gnutls/x509.h>
#include "prefetch/prefetcher.h"

struct bpa_config;

enum bpa_prefetch_mode {
	BPA_PREFETCH_MODE_NO = 0,
	BPA_PREFETCH_MODE_SYNC,		/* dwFlags 0 */
	BPA_PREFETCH_MODE_ASYNC,	/* ..._ASYNC_FLAG */
};

/** "no", "sync", "async" */
const char *bpa_prefetch_mode_name(enum bpa_prefetch_mode m);

/**
 * "bitspeerauth:ocsp prefetch" = @s: "no", "sync", "async", or "auto"
 * (async when @has_url, the local certificate's OCSP AIA URL, else no).
 * false for another word.
 */
bool bpa_prefetch_mode_parse(const char *s,
			     bool has_url,
			     enum bpa_prefetch_mode *m);

/**
 * The prefetcher's parameters from @cfg: the five settings, the
 * response file, the clock skew.  HRES_E_INVALIDARG (logged) when an
 * ocsp option was out of range (cfg->refused_option) or the settings do
 * not fit together; the strings stay @cfg's.
 */
HRESULT bpa_prefetch_params_from_config(const struct bpa_config *cfg,
					struct bpa_prefetch_params *p);

/**
 * The issuer of @leaf: @chain_first (the certificate after the leaf in
 * its file) if it issued @leaf, else the first certificate of @ca_file
 * (PEM, "bitspeerauth:ca file") that did.  *@from says which ("the
 * certificate file", "the ca file").
 * @return S_OK and *@pissuer (a copy on @mem_ctx); HRES_CRYPT_E_NOT_FOUND
 *         when neither has it; HRES_E_FAIL (an unreadable ca file,
 *         logged); HRES_E_OUTOFMEMORY.
 */
HRESULT bpa_prefetch_issuer(TALLOC_CTX *mem_ctx,
			    gnutls_x509_crt_t leaf,
			    gnutls_x509_crt_t chain_first,
			    const char *ca_file,
			    gnutls_x509_crt_t *pissuer,
			    const char **from);

/**
 * Would "ocsp prefetch" run for @cfg at all?  Not for "no", nor for
 * "auto" with the self-managed pair, which is self-signed: no AIA URL.
 */
bool bpa_prefetch_wanted(const struct bpa_config *cfg);

/* What a host's prefetcher runs with (bpa_prefetch_plan_from_config()) */
struct bpa_prefetch_plan {
	enum bpa_prefetch_mode mode;
	const char *url;		/* the AIA URL (NULL with mode no) */
	gnutls_x509_crt_t issuer;	/* the issuer's copy */
	const char *issuer_from;	/* bpa_prefetch_issuer()'s *from */
	struct bpa_prefetch_params params;
};

/**
 * The plan for @leaf, the local certificate, from @cfg: the mode, and
 * unless it is "no", the URL, the parameters and the issuer
 * (@chain_first, the certificate after the leaf in its file, else
 * "bitspeerauth:ca file"; bpa_prefetch_issuer()).  Allocated on
 * @mem_ctx; strings of @cfg are shared.
 * @return S_OK (mode no: nothing to run, logged at level 3);
 *         HRES_E_INVALIDARG: "ocsp prefetch" is not a mode, an ocsp
 *         option was refused, or no issuer was found;
 *         HRES_CRYPT_E_NOT_IN_REVOCATION_DATABASE: sync or async, and
 *         @leaf has no OCSP AIA URL; HRES_E_OUTOFMEMORY.  Every error is
 *         logged at level 0, naming what is missing.
 */
HRESULT bpa_prefetch_plan_from_config(TALLOC_CTX *mem_ctx,
				      const struct bpa_config *cfg,
				      gnutls_x509_crt_t leaf,
				      gnutls_x509_crt_t chain_first,
				      struct bpa_prefetch_plan *plan);

#endif /* _BPA_PREFETCH_CONFIG_H_ */
