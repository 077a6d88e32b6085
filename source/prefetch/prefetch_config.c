/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The prefetcher from smb.conf, the local certificate's issuer */
#include <string.h>
#include <strings.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "util/bpa_config.h"
#include "util/bpa_crypto.h"
#include "prefetch/prefetch_config.h"
#include "prefetch/prefetch_io.h"
#include "ocsp/ocsp_client.h"

const char *bpa_prefetch_mode_name(enum bpa_prefetch_mode m)
{
	switch (m) {
	case BPA_PREFETCH_MODE_NO:
		return "no";
	case BPA_PREFETCH_MODE_SYNC:
		return "sync";
	case BPA_PREFETCH_MODE_ASYNC:
		return "async";
	}
	return "?";
}

bool bpa_prefetch_mode_parse(const char *s,
			     bool has_url,
			     enum bpa_prefetch_mode *m)
{
	if (s == NULL || strcasecmp(s, "auto") == 0) {
		*m = has_url ? BPA_PREFETCH_MODE_ASYNC : BPA_PREFETCH_MODE_NO;
	} else if (strcasecmp(s, "no") == 0) {
		*m = BPA_PREFETCH_MODE_NO;
	} else if (strcasecmp(s, "sync") == 0) {
		*m = BPA_PREFETCH_MODE_SYNC;
	} else if (strcasecmp(s, "async") == 0) {
		*m = BPA_PREFETCH_MODE_ASYNC;
	} else {
		return false;
	}
	return true;
}

HRESULT bpa_prefetch_params_from_config(const struct bpa_config *cfg,
					struct bpa_prefetch_params *p)
{
	bpa_prefetch_params_init(p);
	if (cfg->refused_option != NULL &&
	    strncmp(cfg->refused_option, "ocsp ", 5) == 0) {
		DBG_ERR("OCSP prefetch not started: bitspeerauth:%s is out of "
			"range\n", cfg->refused_option);
		return HRES_E_INVALIDARG;
	}
	p->s.min_validity = cfg->ocsp_min_validity;
	p->s.url_timeout_ms = cfg->ocsp_url_timeout;
	p->s.max_before = cfg->ocsp_max_before;
	p->s.min_before = cfg->ocsp_min_before;
	p->s.min_after = cfg->ocsp_min_after;
	p->response_file = cfg->ocsp_response_file;
	p->clock_skew = cfg->clock_skew;
	if (!bpa_prefetch_settings_valid(&p->s)) {
		DBG_ERR("OCSP prefetch not started: bitspeerauth:ocsp min "
			"before next update (%u) is more than ocsp max before "
			"next update (%u)\n", p->s.min_before,
			p->s.max_before);
		return HRES_E_INVALIDARG;
	}
	if (p->s.max_before < p->s.min_validity) {
		/* allowed, but every cycle leaves a gap without a staple */
		DBG_WARNING("bitspeerauth:ocsp max before next update (%u s) "
			    "is less than ocsp min validity (%u s): each "
			    "response stops being handed out %u s before its "
			    "refresh is due\n", p->s.max_before,
			    p->s.min_validity,
			    p->s.min_validity - p->s.max_before);
	}
	return BPA_S_OK;
}

HRESULT bpa_prefetch_issuer(TALLOC_CTX *mem_ctx,
			    gnutls_x509_crt_t leaf,
			    gnutls_x509_crt_t chain_first,
			    const char *ca_file,
			    gnutls_x509_crt_t *pissuer,
			    const char **from)
{
	gnutls_datum_t d = { NULL, 0 };
	gnutls_x509_crt_t *list = NULL;
	unsigned int n = 0;
	unsigned int i;
	HRESULT hr = HRES_CRYPT_E_NOT_FOUND;
	int rc;

	*pissuer = NULL;
	*from = NULL;
	if (chain_first != NULL &&
	    gnutls_x509_crt_check_issuer(leaf, chain_first) != 0) {
		*from = "the certificate file";
		return bpa_pf_copy_crt(mem_ctx, chain_first, pissuer);
	}
	if (ca_file == NULL) {
		return hr;
	}
	rc = gnutls_load_file(ca_file, &d);
	if (rc >= 0) {
		rc = gnutls_x509_crt_list_import2(&list, &n, &d,
						  GNUTLS_X509_FMT_PEM, 0);
	}
	if (rc < 0) {
		DBG_ERR("bitspeerauth:ca file %s: %s\n", ca_file,
			gnutls_strerror(rc));
		n = 0;
		hr = HRES_E_FAIL;
		goto done;
	}
	for (i = 0; i < n; i++) {
		if (gnutls_x509_crt_check_issuer(leaf, list[i]) != 0) {
			*from = "the ca file";
			hr = bpa_pf_copy_crt(mem_ctx, list[i], pissuer);
			break;
		}
	}
done:
	for (i = 0; i < n; i++) {
		gnutls_x509_crt_deinit(list[i]);
	}
	gnutls_free(list);
	gnutls_free(d.data);
	return hr;
}

bool bpa_prefetch_wanted(const struct bpa_config *cfg)
{
	const char *m = cfg->ocsp_prefetch;

	if (m != NULL && strcasecmp(m, "no") == 0) {
		return false;
	}
	if (!cfg->certificate_configured &&
	    (m == NULL || strcasecmp(m, "auto") == 0)) {
		return false;
	}
	return true;
}

HRESULT bpa_prefetch_plan_from_config(TALLOC_CTX *mem_ctx,
				      const struct bpa_config *cfg,
				      gnutls_x509_crt_t leaf,
				      gnutls_x509_crt_t chain_first,
				      struct bpa_prefetch_plan *plan)
{
	char *url = NULL;
	HRESULT hr;

	*plan = (struct bpa_prefetch_plan) { .mode = BPA_PREFETCH_MODE_NO };
	hr = bpa_ocsp_aia_url(mem_ctx, leaf, &url);
	if (!HRES_IS_OK(hr) && !HRES_IS_EQUAL(hr, HRES_CRYPT_E_NOT_FOUND)) {
		return hr;
	}
	if (!bpa_prefetch_mode_parse(cfg->ocsp_prefetch, url != NULL,
				     &plan->mode)) {
		DBG_ERR("bitspeerauth:ocsp prefetch = %s: not auto, no, sync "
			"or async: not started\n", cfg->ocsp_prefetch);
		return HRES_E_INVALIDARG;
	}
	if (plan->mode == BPA_PREFETCH_MODE_NO) {
		DBG_NOTICE("OCSP prefetch: no (%s)\n", url != NULL ?
			   "ocsp prefetch = no" : "no OCSP AIA URL");
		return BPA_S_OK;
	}
	if (url == NULL) {
		DBG_ERR("OCSP prefetch not started: %s has no OCSP AIA URL "
			"(CRYPT_E_NOT_IN_REVOCATION_DATABASE)\n",
			cfg->certificate_file);
		return HRES_CRYPT_E_NOT_IN_REVOCATION_DATABASE;
	}
	plan->url = url;
	hr = bpa_prefetch_params_from_config(cfg, &plan->params);
	if (!HRES_IS_OK(hr)) {
		return hr;
	}
	hr = bpa_prefetch_issuer(mem_ctx, leaf, chain_first, cfg->ca_file,
				 &plan->issuer, &plan->issuer_from);
	if (HRES_IS_EQUAL(hr, HRES_E_OUTOFMEMORY)) {
		return hr;
	}
	if (!HRES_IS_OK(hr)) {
		DBG_ERR("OCSP prefetch not started: the issuer of %s is "
			"neither in that file nor in bitspeerauth:ca file "
			"(E_INVALIDARG)\n", cfg->certificate_file);
		return HRES_E_INVALIDARG;
	}
	DBG_NOTICE("OCSP prefetch: %s from %s, issuer from %s\n",
		   bpa_prefetch_mode_name(plan->mode), url,
		   plan->issuer_from);
	return BPA_S_OK;
}
