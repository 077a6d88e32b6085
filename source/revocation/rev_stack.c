/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The revocation provider stack and its dispatcher (seed
 * ocsp-revocation-provider: "Provider Behavior", the CertVerifyRevocation
 * dispatcher calling providers again with the unprocessed
 * certificates).  See revocation.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "util/bpa_config.h"
#include "ocsp/ocsp_client.h"
#include "revocation/rev_private.h"

void bpa_rev_params_init(struct bpa_rev_params *p)
{
	memset(p, 0, sizeof(*p));
	p->providers = "local ocsp crl";
	p->url_timeout_ms = BPA_OCSP_DEFAULT_TIMEOUT_MS;
	p->clock_skew = BPA_OCSP_DEFAULT_CLOCK_SKEW;
	p->max_response = BPA_OCSP_DEFAULT_MAX_RESPONSE;
}

static const struct bpa_rev_provider *const known_providers[] = {
	&bpa_rev_provider_local,
	&bpa_rev_provider_ocsp,
	&bpa_rev_provider_crl,
};

static int stack_destructor(struct bpa_rev_stack *s)
{
	size_t i;

	if (s->anchors != NULL) {
		gnutls_x509_trust_list_deinit(s->anchors, 1);
	}
	for (i = 0; i < s->n_anchor_certs; i++) {
		gnutls_x509_crt_deinit(s->anchor_certs[i]);
	}
	for (i = 0; i < s->n_crls; i++) {
		gnutls_x509_crl_deinit(s->crls[i]);
	}
	return 0;
}

static HRESULT parse_providers(struct bpa_rev_stack *s, const char *list)
{
	char *copy = talloc_strdup(s, list);
	char *tok = NULL, *save = NULL;
	size_t i;

	if (copy == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	for (tok = strtok_r(copy, " \t,", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t,", &save)) {
		bool found = false;

		for (i = 0; i < sizeof(known_providers) /
				sizeof(known_providers[0]); i++) {
			if (strcasecmp(tok, known_providers[i]->name) == 0) {
				found = true;
				break;
			}
		}
		if (!found) {
			DBG_ERR("bitspeerauth:revocation providers: unknown "
				"provider \"%s\" (known: local ocsp crl)\n",
				tok);
			return HRES_E_INVALIDARG;
		}
		if (s->n_providers == BPA_REV_MAX_PROVIDERS) {
			DBG_ERR("bitspeerauth:revocation providers: more "
				"than %d\n", BPA_REV_MAX_PROVIDERS);
			return HRES_E_INVALIDARG;
		}
		s->providers[s->n_providers++] = known_providers[i];
	}
	TALLOC_FREE(copy);
	return BPA_S_OK;
}

static HRESULT load_anchors(struct bpa_rev_stack *s, const char *path)
{
	gnutls_datum_t d = { NULL, 0 };
	unsigned n = 0, i;
	gnutls_x509_crt_t *list = NULL;
	int rc;

	rc = gnutls_load_file(path, &d);
	if (rc < 0) {
		DBG_ERR("bitspeerauth:ca file %s: %s\n", path,
			gnutls_strerror(rc));
		return HRES_E_INVALIDARG;
	}
	rc = gnutls_x509_crt_list_import2(&list, &n, &d, GNUTLS_X509_FMT_PEM,
					  0);
	gnutls_free(d.data);
	if (rc < 0 || n == 0) {
		DBG_ERR("bitspeerauth:ca file %s: no certificate: %s\n", path,
			rc < 0 ? gnutls_strerror(rc) : "empty");
		return HRES_E_INVALIDARG;
	}
	s->anchor_certs = talloc_array(s, gnutls_x509_crt_t, n);
	if (s->anchor_certs == NULL) {
		for (i = 0; i < n; i++) {
			gnutls_x509_crt_deinit(list[i]);
		}
		gnutls_free(list);
		return HRES_E_OUTOFMEMORY;
	}
	memcpy(s->anchor_certs, list, n * sizeof(list[0]));
	s->n_anchor_certs = n;
	gnutls_free(list);

	rc = gnutls_x509_trust_list_init(&s->anchors, 0);
	if (rc < 0) {
		s->anchors = NULL;
		return HRES_E_OUTOFMEMORY;
	}
	/* the list gets copies; ours stay for chain building */
	for (i = 0; i < n; i++) {
		gnutls_x509_crt_t c = NULL;
		gnutls_datum_t der = { NULL, 0 };

		rc = gnutls_x509_crt_export2(s->anchor_certs[i],
					     GNUTLS_X509_FMT_DER, &der);
		if (rc == 0) {
			rc = gnutls_x509_crt_init(&c);
		}
		if (rc == 0) {
			rc = gnutls_x509_crt_import(c, &der,
						    GNUTLS_X509_FMT_DER);
		}
		gnutls_free(der.data);
		if (rc == 0) {
			rc = gnutls_x509_trust_list_add_cas(s->anchors, &c, 1,
							    0);
			rc = (rc == 1) ? 0 : GNUTLS_E_INTERNAL_ERROR;
			if (rc != 0) {
				gnutls_x509_crt_deinit(c);
			}
		} else if (c != NULL) {
			gnutls_x509_crt_deinit(c);
		}
		if (rc != 0) {
			DBG_ERR("bitspeerauth:ca file %s: %s\n", path,
				gnutls_strerror(rc));
			return HRES_E_INVALIDARG;
		}
	}
	DBG_INFO("%u trust anchor(s) from %s\n", n, path);
	return BPA_S_OK;
}

static HRESULT load_crl_file(struct bpa_rev_stack *s, const char *path)
{
	gnutls_datum_t d = { NULL, 0 };
	gnutls_x509_crl_t crl = NULL;
	gnutls_x509_crl_t *nc = NULL;
	DATA_BLOB *nd = NULL;
	gnutls_datum_t der = { NULL, 0 };
	int rc;

	rc = gnutls_load_file(path, &d);
	if (rc < 0) {
		DBG_ERR("bitspeerauth:crl files: %s: %s\n", path,
			gnutls_strerror(rc));
		return HRES_E_INVALIDARG;
	}
	rc = gnutls_x509_crl_init(&crl);
	if (rc == 0) {
		rc = gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_DER);
		if (rc < 0) {
			rc = gnutls_x509_crl_import(crl, &d,
						    GNUTLS_X509_FMT_PEM);
		}
	}
	gnutls_free(d.data);
	if (rc == 0) {
		rc = gnutls_x509_crl_export2(crl, GNUTLS_X509_FMT_DER, &der);
	}
	if (rc < 0) {
		DBG_ERR("bitspeerauth:crl files: %s: not a CRL: %s\n", path,
			gnutls_strerror(rc));
		if (crl != NULL) {
			gnutls_x509_crl_deinit(crl);
		}
		return HRES_E_INVALIDARG;
	}
	nc = talloc_realloc(s, s->crls, gnutls_x509_crl_t, s->n_crls + 1);
	nd = (nc == NULL) ? NULL :
		talloc_realloc(s, s->crl_der, DATA_BLOB, s->n_crls + 1);
	if (nc != NULL) {
		s->crls = nc;
	}
	if (nd == NULL) {
		gnutls_x509_crl_deinit(crl);
		gnutls_free(der.data);
		return HRES_E_OUTOFMEMORY;
	}
	s->crl_der = nd;
	s->crl_der[s->n_crls] = data_blob_talloc(s->crl_der, der.data,
						 der.size);
	gnutls_free(der.data);
	if (s->crl_der[s->n_crls].data == NULL) {
		gnutls_x509_crl_deinit(crl);
		return HRES_E_OUTOFMEMORY;
	}
	s->crls[s->n_crls++] = crl;
	return BPA_S_OK;
}

static char *dup_or_null(TALLOC_CTX *mem_ctx, const char *s, bool *nomem)
{
	char *r = NULL;

	if (s == NULL || s[0] == '\0') {
		return NULL;
	}
	r = talloc_strdup(mem_ctx, s);
	if (r == NULL) {
		*nomem = true;
	}
	return r;
}

HRESULT bpa_rev_stack_create(TALLOC_CTX *mem_ctx,
			     const struct bpa_rev_params *p,
			     struct bpa_rev_stack **pstack)
{
	struct bpa_rev_stack *s = NULL;
	bool nomem = false;
	HRESULT hr;

	*pstack = NULL;
	s = talloc_zero(mem_ctx, struct bpa_rev_stack);
	if (s == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	talloc_set_destructor(s, stack_destructor);
	s->p = *p;
	s->p.providers = dup_or_null(s, p->providers != NULL ? p->providers
				     : "local ocsp crl", &nomem);
	s->p.local_list = dup_or_null(s, p->local_list, &nomem);
	s->p.cache = dup_or_null(s, p->cache, &nomem);
	s->p.ca_file = dup_or_null(s, p->ca_file, &nomem);
	s->p.crl_files = dup_or_null(s, p->crl_files, &nomem);
	if (nomem) {
		hr = HRES_E_OUTOFMEMORY;
		goto fail;
	}
	if (s->p.url_timeout_ms == 0) {
		s->p.url_timeout_ms = BPA_OCSP_DEFAULT_TIMEOUT_MS;
	}
	if (s->p.max_response == 0) {
		s->p.max_response = BPA_OCSP_DEFAULT_MAX_RESPONSE;
	}
	hr = parse_providers(s, s->p.providers != NULL ? s->p.providers : "");
	if (!HRES_IS_OK(hr)) {
		goto fail;
	}
	if (s->p.ca_file != NULL) {
		hr = load_anchors(s, s->p.ca_file);
		if (!HRES_IS_OK(hr)) {
			goto fail;
		}
	}
	if (s->p.crl_files != NULL) {
		char *copy = talloc_strdup(s, s->p.crl_files);
		char *tok = NULL, *save = NULL;

		if (copy == NULL) {
			hr = HRES_E_OUTOFMEMORY;
			goto fail;
		}
		for (tok = strtok_r(copy, " \t,", &save); tok != NULL;
		     tok = strtok_r(NULL, " \t,", &save)) {
			hr = load_crl_file(s, tok);
			if (!HRES_IS_OK(hr)) {
				goto fail;
			}
		}
		TALLOC_FREE(copy);
	}
	*pstack = s;
	return BPA_S_OK;
fail:
	TALLOC_FREE(s);
	return hr;
}

HRESULT bpa_rev_stack_from_config(TALLOC_CTX *mem_ctx,
				  const struct bpa_config *cfg,
				  struct bpa_rev_stack **pstack)
{
	struct bpa_rev_params p;

	bpa_rev_params_init(&p);
	p.providers = cfg->revocation_providers;
	p.local_list = cfg->revocation_list;
	p.cache = cfg->revocation_cache;
	p.ca_file = cfg->ca_file;
	p.crl_files = cfg->crl_files;
	p.url_timeout_ms = cfg->revocation_url_timeout;
	p.clock_skew = cfg->clock_skew;
	return bpa_rev_stack_create(mem_ctx, &p, pstack);
}

gnutls_x509_trust_list_t bpa_rev_stack_anchors(const struct bpa_rev_stack *s)
{
	return s != NULL ? s->anchors : NULL;
}

bool bpa_rev_stack_may_fetch(const struct bpa_rev_stack *s)
{
	size_t i;

	/* an issuer is known only from the anchors (a peer sends its
	 * leaf alone): without them no provider reaches the network */
	if (s == NULL || s->anchors == NULL) {
		return false;
	}
	for (i = 0; i < s->n_providers; i++) {
		if (s->providers[i]->network) {
			return true;
		}
	}
	return false;
}

bool bpa_rev_self_signed(gnutls_x509_crt_t c)
{
	unsigned v = 0;

	if (gnutls_x509_crt_check_issuer(c, c) != 1) {
		return false;
	}
	if (gnutls_x509_crt_verify(c, &c, 1,
				   GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
				   GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1 |
				   GNUTLS_VERIFY_ALLOW_BROKEN, &v) < 0) {
		return false;
	}
	return (v & GNUTLS_CERT_SIGNATURE_FAILURE) == 0;
}

gnutls_x509_crt_t bpa_rev_issuer(const struct bpa_rev_chain *chain,
				 uint32_t i)
{
	if (i + 1 < chain->count) {
		return chain->certs[i + 1];
	}
	return NULL;
}

void bpa_rev_note_freshness(struct bpa_rev_status *st,
			    time_t next,
			    time_t now)
{
	int64_t f = (int64_t)next - (int64_t)now;

	if (!st->has_freshness_time || f < st->freshness_time) {
		st->has_freshness_time = true;
		st->freshness_time = f;
	}
}

/* --- chains ----------------------------------------------------------- */

static int chain_destructor(struct bpa_rev_chain *c)
{
	uint32_t i;

	for (i = 0; i < c->count; i++) {
		if (c->certs[i] != NULL) {
			gnutls_x509_crt_deinit(c->certs[i]);
		}
	}
	return 0;
}

static gnutls_x509_crt_t crt_from_der(const DATA_BLOB *der)
{
	gnutls_x509_crt_t c = NULL;
	gnutls_datum_t d = { der->data, der->length };

	if (der->length == 0 || der->length > UINT32_MAX ||
	    gnutls_x509_crt_init(&c) < 0) {
		return NULL;
	}
	if (gnutls_x509_crt_import(c, &d, GNUTLS_X509_FMT_DER) < 0) {
		gnutls_x509_crt_deinit(c);
		return NULL;
	}
	return c;
}

static bool chain_append(struct bpa_rev_chain *ch, gnutls_x509_crt_t c)
{
	gnutls_datum_t der = { NULL, 0 };

	if (gnutls_x509_crt_export2(c, GNUTLS_X509_FMT_DER, &der) < 0) {
		return false;
	}
	ch->der[ch->count] = data_blob_talloc(ch->der, der.data, der.size);
	gnutls_free(der.data);
	if (ch->der[ch->count].data == NULL) {
		return false;
	}
	ch->self_signed[ch->count] = -1;
	ch->certs[ch->count++] = c;
	return true;
}

/* The leaf: its DER as given (no export); @c may be NULL (parse later) */
static bool chain_append_leaf(struct bpa_rev_chain *ch,
			      gnutls_x509_crt_t c,
			      const DATA_BLOB *der,
			      int8_t self_signed)
{
	ch->der[0] = data_blob_talloc(ch->der, der->data, der->length);
	if (ch->der[0].data == NULL) {
		return false;
	}
	ch->self_signed[0] = self_signed;
	ch->certs[0] = c;
	ch->count = 1;
	return true;
}

gnutls_x509_crt_t bpa_rev_chain_crt(const struct bpa_rev_chain *chain,
				    uint32_t i)
{
	if (chain == NULL || i >= chain->count) {
		return NULL;
	}
	if (chain->certs[i] == NULL) {
		chain->certs[i] = crt_from_der(&chain->der[i]);
	}
	return chain->certs[i];
}

bool bpa_rev_chain_self_signed(const struct bpa_rev_chain *chain,
			       uint32_t i)
{
	gnutls_x509_crt_t c = NULL;

	if (chain == NULL || i >= chain->count) {
		return false;
	}
	if (chain->self_signed[i] < 0) {
		c = bpa_rev_chain_crt(chain, i);
		chain->self_signed[i] = c != NULL && bpa_rev_self_signed(c);
	}
	return chain->self_signed[i] == 1;
}

/* Is @issuer the issuer of @c, by name and by signature? */
static bool issued_by(gnutls_x509_crt_t c, gnutls_x509_crt_t issuer)
{
	unsigned v = 0;

	if (gnutls_x509_crt_check_issuer(c, issuer) != 1) {
		return false;
	}
	if (gnutls_x509_crt_verify(c, &issuer, 1,
				   GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
				   GNUTLS_VERIFY_DISABLE_CA_SIGN, &v) < 0) {
		return false;
	}
	return (v & GNUTLS_CERT_SIGNATURE_FAILURE) == 0;
}

static gnutls_x509_crt_t copy_crt(gnutls_x509_crt_t c)
{
	gnutls_datum_t der = { NULL, 0 };
	DATA_BLOB b;
	gnutls_x509_crt_t r = NULL;

	if (gnutls_x509_crt_export2(c, GNUTLS_X509_FMT_DER, &der) < 0) {
		return NULL;
	}
	b = data_blob_const(der.data, der.size);
	r = crt_from_der(&b);
	gnutls_free(der.data);
	return r;
}

HRESULT bpa_rev_chain_build(TALLOC_CTX *mem_ctx,
			    const struct bpa_rev_stack *stack,
			    const DATA_BLOB *leaf_der,
			    const DATA_BLOB *extra,
			    size_t n_extra,
			    struct bpa_rev_chain **pchain)
{
	return bpa_rev_chain_build_flags(mem_ctx, stack, leaf_der, extra,
					 n_extra, 0, pchain);
}

HRESULT bpa_rev_chain_build_flags(TALLOC_CTX *mem_ctx,
				  const struct bpa_rev_stack *stack,
				  const DATA_BLOB *leaf_der,
				  const DATA_BLOB *extra,
				  size_t n_extra,
				  uint32_t leaf_flags,
				  struct bpa_rev_chain **pchain)
{
	TALLOC_CTX *frame = NULL;
	struct bpa_rev_chain *ch = NULL;
	gnutls_x509_crt_t *pool = NULL;
	gnutls_x509_crt_t *mine = NULL;	/* parsed @extra, ours to free */
	size_t n_pool = 0, n_mine = 0, i;
	gnutls_x509_crt_t c = NULL;
	HRESULT hr = HRES_E_OUTOFMEMORY;

	*pchain = NULL;
	if (leaf_der == NULL) {
		return HRES_E_INVALIDARG;
	}
	frame = talloc_new(mem_ctx);
	ch = talloc_zero(frame, struct bpa_rev_chain);
	if (ch == NULL) {
		goto done;
	}
	ch->certs = talloc_zero_array(ch, gnutls_x509_crt_t,
				      BPA_REV_MAX_CHAIN);
	ch->der = talloc_zero_array(ch, DATA_BLOB, BPA_REV_MAX_CHAIN);
	ch->self_signed = talloc_zero_array(ch, int8_t, BPA_REV_MAX_CHAIN);
	if (ch->certs == NULL || ch->der == NULL || ch->self_signed == NULL) {
		goto done;
	}
	talloc_set_destructor(ch, chain_destructor);
	if ((leaf_flags & BPA_REV_LEAF_SELF_SIGNED) != 0) {
		/* the caller verified it: a chain of one, parsed if asked */
		if (leaf_der->length == 0 ||
		    !chain_append_leaf(ch, NULL, leaf_der, 1)) {
			hr = leaf_der->length == 0 ? HRES_E_INVALIDARG :
			     HRES_E_OUTOFMEMORY;
			goto done;
		}
		ch->checked = 1;
		*pchain = talloc_steal(mem_ctx, ch);
		hr = BPA_S_OK;
		goto done;
	}
	c = crt_from_der(leaf_der);
	if (c == NULL) {
		hr = HRES_E_INVALIDARG;
		goto done;
	}
	if (!chain_append_leaf(ch, c, leaf_der, -1)) {
		gnutls_x509_crt_deinit(c);
		goto done;
	}
	/* candidate issuers: the extra certificates, then the anchors */
	pool = talloc_zero_array(frame, gnutls_x509_crt_t,
				 n_extra + (stack ? stack->n_anchor_certs : 0)
				 + 1);
	mine = talloc_zero_array(frame, gnutls_x509_crt_t, n_extra + 1);
	if (pool == NULL || mine == NULL) {
		goto done;
	}
	for (i = 0; i < n_extra; i++) {
		gnutls_x509_crt_t x = crt_from_der(&extra[i]);

		if (x == NULL) {
			DBG_NOTICE("chain certificate %zu does not parse: "
				   "ignored\n", i);
			continue;
		}
		mine[n_mine++] = x;
		pool[n_pool++] = x;
	}
	for (i = 0; stack != NULL && i < stack->n_anchor_certs; i++) {
		pool[n_pool++] = stack->anchor_certs[i];
	}
	while (ch->count < BPA_REV_MAX_CHAIN) {
		gnutls_x509_crt_t last = ch->certs[ch->count - 1];
		gnutls_x509_crt_t next = NULL;

		if (n_pool == 0 ||
		    bpa_rev_chain_self_signed(ch, ch->count - 1)) {
			/* no candidate issuer, or the end of the chain */
			break;
		}
		for (i = 0; i < n_pool; i++) {
			if (pool[i] != NULL && issued_by(last, pool[i])) {
				next = pool[i];
				break;
			}
		}
		if (next == NULL) {
			break;
		}
		c = copy_crt(next);
		if (c == NULL || !chain_append(ch, c)) {
			if (c != NULL) {
				gnutls_x509_crt_deinit(c);
			}
			goto done;
		}
		pool[i] = NULL;	/* each certificate once: no loops */
	}
	ch->checked = ch->count;
	if (ch->count > 1 && bpa_rev_chain_self_signed(ch, ch->count - 1)) {
		/* issue 17: a self-signed trust anchor is not checked */
		ch->checked = ch->count - 1;
	}
	*pchain = talloc_steal(mem_ctx, ch);
	hr = BPA_S_OK;
done:
	for (i = 0; i < n_mine; i++) {
		gnutls_x509_crt_deinit(mine[i]);
	}
	TALLOC_FREE(frame);
	return hr;
}

/* --- the dispatcher --------------------------------------------------- */

static void status_init(struct bpa_rev_status *st)
{
	memset(st, 0, sizeof(*st));
	st->detail = "";
}

HRESULT bpa_rev_verify(TALLOC_CTX *mem_ctx,
		       struct bpa_rev_stack *s,
		       const struct bpa_rev_chain *chain,
		       const struct bpa_rev_para *para,
		       struct bpa_rev_status *status)
{
	struct bpa_rev_status fresh;
	uint32_t first = 0;
	size_t i;

	status_init(status);
	status_init(&fresh);
	if (chain == NULL || chain->count == 0 || para == NULL || s == NULL) {
		status->error = HRES_E_INVALIDARG;
		status->detail = "no certificate to check";
		return status->error;
	}
	if (s->n_providers == 0) {
		status->error = HRES_CRYPT_E_NO_REVOCATION_DLL;
		status->detail = "no revocation provider configured";
		return status->error;
	}
	while (first < chain->checked) {
		bool progressed = false;
		char *why = NULL;	/* each provider's reason to pass */

		for (i = 0; i < s->n_providers; i++) {
			struct bpa_rev_status st;
			HRESULT hr;

			status_init(&st);
			hr = s->providers[i]->fn(mem_ctx, s, chain, first,
						para, &st);
			st.provider = s->providers[i]->name;
			if (HRES_IS_OK(hr)) {
				/* all the rest is good */
				if (st.has_freshness_time) {
					bpa_rev_note_freshness(&fresh,
						para->now + st.freshness_time,
						para->now);
				}
				*status = st;
				status->index = chain->checked - 1;
				status->has_freshness_time =
					fresh.has_freshness_time;
				status->freshness_time = fresh.freshness_time;
				return status->error;
			}
			if (!HRES_IS_EQUAL(hr,
					   HRES_CRYPT_E_NO_REVOCATION_CHECK)) {
				/* REVOKED, OFFLINE, E_INVALIDARG: the end */
				*status = st;
				return status->error;
			}
			if (st.index > first) {
				/* partly checked: start again at the rest */
				if (st.has_freshness_time) {
					bpa_rev_note_freshness(&fresh,
						para->now + st.freshness_time,
						para->now);
				}
				first = st.index;
				progressed = true;
				break;
			}
			/* this one could not check it: the next provider */
			DBG_DEBUG("%s: no check of certificate %u: %s\n",
				  st.provider, first, st.detail);
			why = talloc_asprintf(mem_ctx, "%s%s%s", why ? why : "",
					      why ? "; " : "", st.detail);
		}
		if (!progressed) {
			status->error = HRES_CRYPT_E_NO_REVOCATION_CHECK;
			status->index = first;
			status->detail = talloc_asprintf(mem_ctx,
				"no provider could check certificate %u (%s)",
				first, why ? why : "");
			if (status->detail == NULL) {
				status->detail = "no provider could check";
			}
			return status->error;
		}
	}
	/* every certificate checked by partial answers */
	status->error = BPA_S_OK;
	status->index = chain->checked > 0 ? chain->checked - 1 : 0;
	status->detail = "good";
	status->has_freshness_time = fresh.has_freshness_time;
	status->freshness_time = fresh.freshness_time;
	return status->error;
}
