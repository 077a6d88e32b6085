/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Seed bits-validate-server-certificate: the validation context, its
 * validator (set or configured), and the two phases of one check
 * (validator.h).
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/stat.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "util/bpa_config.h"
#include "util/bpa_crypto.h"
#include "util/bpa_text.h"
#include "util/sid_string.h"
#include "validator/validator.h"
#include "validator/validator_cache.h"
#include "validator/validator_private.h"

enum vmode {
	VMODE_NONE,		/* phase one only */
	VMODE_API,		/* bpa_validation_set_callback() */
	VMODE_COMMAND,		/* "validator command" */
	VMODE_MODULE,		/* "validator module" */
	VMODE_CONFLICT,		/* both configured: always unavailable */
};

/* Callbacks set in this process: each set is a new validator */
static uint64_t bpa_callbacks_set;

struct bpa_validation_ctx {
	enum vmode mode;
	bpa_validator_fn fn;
	void *fn_data;
	uint64_t generation;	/* bpa_callbacks_set when set */
	char *path;		/* command or module */
	uint32_t timeout;
	char *cache_file;	/* NULL: in memory */
	uint32_t cache_size;
	struct bpa_vcache *cache;
	bool cache_broken;	/* its open failed: logged once */
	struct bpa_vmodule *module;
	char *module_identity;	/* the file the module was loaded from */
	bool no_wait;		/* bpa_validation_set_no_wait() */
};

const char *bpa_validation_phase_name(enum bpa_validation_phase p)
{
	switch (p) {
	case BPA_PHASE_BUILTIN:
		return "builtin";
	case BPA_PHASE_VALIDATOR:
		return "validator";
	case BPA_PHASE_UNAVAILABLE:
		return "validator-unavailable";
	}
	return "unknown";
}

HRESULT bpa_validator_refusal(uint32_t v)
{
	return (v & 0x80000000u) != 0 ? HRES_ERROR(v) : HRES_E_FAIL;
}

static const char *hr_name(HRESULT hr)
{
	const char *n = bpa_hresult_name(hr);

	return n != NULL ? n : "?";
}

HRESULT bpa_validation_ctx_new(TALLOC_CTX *mem_ctx,
			       const struct bpa_validation_params *p,
			       struct bpa_validation_ctx **pctx)
{
	struct bpa_validation_ctx *ctx = NULL;

	*pctx = NULL;
	ctx = talloc_zero(mem_ctx, struct bpa_validation_ctx);
	if (ctx == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	ctx->timeout = (p != NULL && p->timeout != 0) ? p->timeout : 10;
	ctx->cache_size = (p != NULL && p->cache_size != 0) ?
		p->cache_size : BPA_VALIDATOR_CACHE_SIZE_DEFAULT;
	if (p != NULL && p->cache_file != NULL) {
		ctx->cache_file = talloc_strdup(ctx, p->cache_file);
		if (ctx->cache_file == NULL) {
			TALLOC_FREE(ctx);
			return HRES_E_OUTOFMEMORY;
		}
	}
	if (p != NULL && p->empty_at_start) {
		HRESULT hr = bpa_vcache_open(ctx, ctx->cache_file,
					     ctx->cache_size, true,
					     &ctx->cache);
		if (!HRES_IS_OK(hr)) {
			TALLOC_FREE(ctx);
			return hr;
		}
	}
	*pctx = ctx;
	return BPA_S_OK;
}

/* The cache, opened on first use; NULL (logged once) if it cannot be */
static struct bpa_vcache *ctx_cache(struct bpa_validation_ctx *ctx)
{
	HRESULT hr;

	if (ctx->cache != NULL || ctx->cache_broken) {
		return ctx->cache;
	}
	hr = bpa_vcache_open(ctx, ctx->cache_file, ctx->cache_size, false,
			     &ctx->cache);
	if (!HRES_IS_OK(hr)) {
		DBG_ERR("validator cache %s cannot be used (0x%08x): the "
			"validator is asked every time, refusals are not "
			"counted\n", ctx->cache_file, HRES_ERROR_V(hr));
		ctx->cache_broken = true;
	}
	return ctx->cache;
}

/*
 * Which validator this is, as the cache records it: the callback (this
 * process, the how-many-th set), or the configured file as it is now.
 * NULL with *@why when the file cannot be looked at.
 */
static char *identity(TALLOC_CTX *mem_ctx,
		      struct bpa_validation_ctx *ctx,
		      char **why)
{
	const char *kind = ctx->mode == VMODE_MODULE ? "module" : "command";
	struct stat st;

	*why = NULL;
	if (ctx->mode == VMODE_API) {
		return talloc_asprintf(mem_ctx, "callback pid=%d set=%" PRIu64,
				       (int)getpid(), ctx->generation);
	}
	if (stat(ctx->path, &st) != 0) {
		*why = talloc_asprintf(mem_ctx, "%s", strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = talloc_strdup(mem_ctx, "not a regular file");
		return NULL;
	}
	return talloc_asprintf(mem_ctx, "%s %s dev=%ju ino=%ju size=%jd "
			       "mtime=%jd.%09ld", kind, ctx->path,
			       (uintmax_t)st.st_dev, (uintmax_t)st.st_ino,
			       (intmax_t)st.st_size,
			       (intmax_t)st.st_mtim.tv_sec,
			       st.st_mtim.tv_nsec);
}

void bpa_validation_set_callback(struct bpa_validation_ctx *ctx,
				 bpa_validator_fn fn,
				 void *private_data)
{
	struct bpa_vcache *c = NULL;
	char *why = NULL;
	char *id = NULL;

	/* seed: "the last one set receives the calls" */
	TALLOC_FREE(ctx->module);
	TALLOC_FREE(ctx->module_identity);
	TALLOC_FREE(ctx->path);
	ctx->fn = fn;
	ctx->fn_data = private_data;
	ctx->generation = ++bpa_callbacks_set;
	ctx->mode = fn != NULL ? VMODE_API : VMODE_NONE;
	if (fn == NULL) {
		return;
	}
	/* seed: the cache is cleared on every call of
	 * SetServerCertificateValidationInterface */
	c = ctx_cache(ctx);
	id = identity(ctx, ctx, &why);
	if (c != NULL && id != NULL) {
		bpa_vcache_sync_identity(c, id);
	}
	TALLOC_FREE(id);
	TALLOC_FREE(why);
}

void bpa_validation_set_no_wait(struct bpa_validation_ctx *ctx, bool no_wait)
{
	if (ctx != NULL) {
		ctx->no_wait = no_wait;
	}
}

bool bpa_validation_has_validator(const struct bpa_validation_ctx *ctx)
{
	return ctx != NULL && ctx->mode != VMODE_NONE;
}

HRESULT bpa_validation_ctx_from_config(TALLOC_CTX *mem_ctx,
				       const struct bpa_config *cfg,
				       bool starting,
				       struct bpa_validation_ctx **pctx)
{
	struct bpa_validation_params p = {
		.cache_file = cfg->validator_cache_file,
		.cache_size = cfg->validator_cache_size,
		.timeout = cfg->validator_timeout,
	};
	struct bpa_validation_ctx *ctx = NULL;
	bool command = cfg->validator_command != NULL;
	bool module = cfg->validator_module != NULL;
	HRESULT hr;

	*pctx = NULL;
	p.empty_at_start = starting && (command || module);
	hr = bpa_validation_ctx_new(mem_ctx, &p, &ctx);
	if (!HRES_IS_OK(hr)) {
		return hr;
	}
	if (command && module) {
		/* never silently one of them: every check refused */
		DBG_ERR("bitspeerauth:validator command and bitspeerauth:"
			"validator module are both set: every certificate "
			"will be refused with 0x%08x "
			"(BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED) "
			"until one is removed\n",
			HRES_ERROR_V(BPA_E_VALIDATOR_UNAVAILABLE));
		ctx->mode = VMODE_CONFLICT;
	} else if (command || module) {
		ctx->mode = command ? VMODE_COMMAND : VMODE_MODULE;
		ctx->path = talloc_strdup(ctx, command ?
					  cfg->validator_command :
					  cfg->validator_module);
		if (ctx->path == NULL) {
			TALLOC_FREE(ctx);
			return HRES_E_OUTOFMEMORY;
		}
		DBG_NOTICE("validator %s %s (timeout %" PRIu32 " s, cache "
			   "%s, at most %" PRIu32 " pairs)\n",
			   command ? "command" : "module", ctx->path,
			   ctx->timeout, ctx->cache_file, ctx->cache_size);
	}
	*pctx = ctx;
	return BPA_S_OK;
}

/* The configured module, (re)loaded when the file changed */
static HRESULT call_module(TALLOC_CTX *mem_ctx,
			   struct bpa_validation_ctx *ctx,
			   const char *id,
			   const struct bpa_validator_request *req,
			   char **why)
{
	HRESULT hr;

	if (ctx->module != NULL && ctx->module_identity != NULL &&
	    strcmp(ctx->module_identity, id) != 0) {
		DBG_NOTICE("validator module %s changed: loading it again\n",
			   ctx->path);
		TALLOC_FREE(ctx->module);
		TALLOC_FREE(ctx->module_identity);
	}
	if (ctx->module == NULL) {
		hr = bpa_vmodule_load(ctx, ctx->path, &ctx->module, why);
		if (!HRES_IS_OK(hr)) {
			talloc_steal(mem_ctx, *why);
			return hr;
		}
		ctx->module_identity = talloc_strdup(ctx, id);
		if (ctx->module_identity == NULL) {
			TALLOC_FREE(ctx->module);
			return BPA_E_VALIDATOR_UNAVAILABLE;
		}
	}
	return bpa_vmodule_call(ctx->module, req);
}

/* One phase-two call (bpa_cert_phase_two_fn's private data) */
struct phase_two {
	struct bpa_validation_ctx *ctx;
	const char *endpoint;
	struct bpa_validation_result *res;
	time_t now;
	bool ran;
};

static HRESULT ask_validator(TALLOC_CTX *mem_ctx,
			     struct phase_two *pt,
			     const char *id,
			     const struct bpa_validator_request *req,
			     char **why)
{
	struct bpa_validation_ctx *ctx = pt->ctx;
	HRESULT hr;

	*why = NULL;
	switch (ctx->mode) {
	case VMODE_API:
		hr = ctx->fn(ctx->fn_data, req);
		if (HRES_IS_OK(hr) ||
		    HRES_IS_EQUAL(hr, BPA_E_VALIDATOR_UNAVAILABLE)) {
			return hr;
		}
		return bpa_validator_refusal(HRES_ERROR_V(hr));
	case VMODE_COMMAND:
		return bpa_vcommand_run(mem_ctx, ctx->path, ctx->timeout, req,
					why);
	case VMODE_MODULE:
		return call_module(mem_ctx, ctx, id, req, why);
	case VMODE_NONE:
	case VMODE_CONFLICT:
		break;
	}
	return BPA_E_VALIDATOR_UNAVAILABLE;
}

static const char *validator_name(const struct bpa_validation_ctx *ctx)
{
	switch (ctx->mode) {
	case VMODE_API:
		return "callback";
	case VMODE_COMMAND:
		return "command";
	case VMODE_MODULE:
		return "module";
	case VMODE_CONFLICT:
		return "command and module";
	case VMODE_NONE:
		break;
	}
	return "none";
}

/* Phase two (bpa_cert_phase_two_fn): phase one has accepted @blob */
static HRESULT phase_two_fn(void *private_data,
			    const struct bpa_cert_blob *blob,
			    enum bpa_cert_role role,
			    const struct bpa_cert_verdict *phase_one)
{
	struct phase_two *pt = private_data;
	struct bpa_validation_ctx *ctx = pt->ctx;
	TALLOC_CTX *frame = talloc_new(pt->res);
	struct bpa_validator_request req = { .role = 0 };
	struct bpa_vcache *cache = NULL;
	uint8_t digest[BPA_SHA256_LEN];
	char sha[2 * BPA_SHA256_LEN + 1];
	char sid[BPA_SID_STRING_MAX];
	char *id = NULL;
	char *why = NULL;
	HRESULT hr = BPA_E_VALIDATOR_UNAVAILABLE;

	pt->ran = true;
	if (frame == NULL ||
	    !bpa_sha256(blob->cert_der.data, blob->cert_der.length, digest)) {
		goto unavailable;	/* no memory */
	}
	bpa_hex_lower(digest, sizeof(digest), sha);
	bpa_sid_format(&phase_one->subject_sid, sid);
	/* the role of the one who asks: a server checks a client's */
	req.role = role == BPA_CERT_ROLE_CLIENT ? BPA_VALIDATOR_ROLE_SERVER :
		   BPA_VALIDATOR_ROLE_CLIENT;
	req.role_name = role == BPA_CERT_ROLE_CLIENT ? "server" : "client";
	req.endpoint = pt->endpoint;
	req.subject_sid = sid;
	req.cert_sha256 = sha;
	req.cert_der = blob->cert_der.data;
	req.cert_len = blob->cert_der.length;

	if (ctx->mode == VMODE_CONFLICT) {
		why = talloc_strdup(frame, "both a command and a module are "
				    "configured");
		goto unavailable;
	}
	id = identity(frame, ctx, &why);
	if (id == NULL) {
		why = talloc_asprintf(frame, "%s: %s", ctx->path, why);
		goto unavailable;
	}
	cache = ctx_cache(ctx);
	if (cache != NULL) {
		bpa_vcache_sync_identity(cache, id);
		if (bpa_vcache_hit(cache, pt->endpoint, sha)) {
			/* seed: not called again for a pair it allowed */
			pt->res->cached = true;
			DBG_INFO("validator: <%s, %s> accepted from the "
				 "cache\n", pt->endpoint, sha);
			hr = BPA_S_OK;
			goto done;
		}
	}
	if (ctx->no_wait) {
		/* asking would wait: nothing recorded, asked again later */
		hr = HRES_E_PENDING;
		goto done;
	}
	hr = ask_validator(frame, pt, id, &req, &why);
	if (HRES_IS_EQUAL(hr, BPA_E_VALIDATOR_UNAVAILABLE)) {
		goto unavailable;
	}
	if (HRES_IS_OK(hr)) {
		DBG_INFO("validator %s accepted the %s certificate of %s "
			 "(sha256 %s)\n", validator_name(ctx),
			 role == BPA_CERT_ROLE_CLIENT ? "client" : "server",
			 pt->endpoint, sha);
		if (cache != NULL) {
			bpa_vcache_add(cache, id, pt->endpoint, sha, pt->now);
		}
		goto done;
	}
	/* seed: refusals are never cached, and each is counted */
	if (cache != NULL) {
		pt->res->failures = bpa_vcache_failed(cache, pt->endpoint,
						      HRES_ERROR_V(hr),
						      pt->now);
	}
	DBG_WARNING("validator %s refused the %s certificate of %s (subject "
		    "%s, sha256 %s): 0x%08x (%s); refusal %" PRIu64 " for "
		    "this endpoint\n", validator_name(ctx),
		    role == BPA_CERT_ROLE_CLIENT ? "client" : "server",
		    pt->endpoint, sid, sha, HRES_ERROR_V(hr), hr_name(hr),
		    pt->res->failures);
	goto done;
unavailable:
	DBG_ERR("validator %s %s is unavailable (%s): the certificate of %s "
		"is refused with 0x%08x "
		"(BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED)\n",
		validator_name(ctx), ctx->path != NULL ? ctx->path : "",
		why != NULL ? why : "?", pt->endpoint,
		HRES_ERROR_V(BPA_E_VALIDATOR_UNAVAILABLE));
	hr = BPA_E_VALIDATOR_UNAVAILABLE;
done:
	TALLOC_FREE(frame);
	return hr;
}

HRESULT bpa_validation_check(TALLOC_CTX *mem_ctx,
			     struct bpa_validation_ctx *ctx,
			     const struct bpa_cert_blob *blob,
			     enum bpa_cert_role role,
			     const struct bpa_validate_policy *policy,
			     const char *endpoint,
			     time_t now,
			     struct bpa_validation_result **pres)
{
	struct bpa_validation_result *res = NULL;
	struct bpa_validate_policy pol;
	struct phase_two pt = { .ctx = ctx, .endpoint = endpoint,
				.now = now };
	struct bpa_cert_verdict *v = NULL;
	bool have = bpa_validation_has_validator(ctx);

	if (pres == NULL) {
		return HRES_E_INVALIDARG;
	}
	*pres = NULL;
	if (have && (endpoint == NULL ||
		     !bpa_vendpoint_ok(endpoint, strlen(endpoint)))) {
		DBG_WARNING("validator: endpoint '%s' is not one\n",
			    endpoint != NULL ? endpoint : "(null)");
		return HRES_E_INVALIDARG;
	}
	res = talloc_zero(mem_ctx, struct bpa_validation_result);
	if (res == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	pt.res = res;
	if (policy != NULL) {
		pol = *policy;
	} else {
		bpa_validate_policy_default(&pol);
	}
	pol.phase_two = have ? phase_two_fn : NULL;
	pol.phase_two_data = have ? &pt : NULL;

	/* phase one on every call, even when the pair is cached */
	bpa_cert_validate(res, blob, role, &pol, now, &v);
	if (v == NULL) {
		TALLOC_FREE(res);
		return HRES_E_OUTOFMEMORY;
	}
	res->verdict = v;
	res->hres = v->hres;
	res->have_validator = have;
	res->phase = BPA_PHASE_BUILTIN;
	if (v->reasons & BPA_CERT_R_PHASE_TWO) {
		res->phase = HRES_IS_EQUAL(v->hres,
					   BPA_E_VALIDATOR_UNAVAILABLE) ?
			BPA_PHASE_UNAVAILABLE : BPA_PHASE_VALIDATOR;
		res->error_context =
			BPA_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK;
	} else if (pt.ran) {
		res->phase = BPA_PHASE_VALIDATOR;
	}
	*pres = res;
	return res->hres;
}

static int by_last_desc(const void *a, const void *b)
{
	const struct bpa_validator_failure *x = a, *y = b;

	if (x->last != y->last) {
		return x->last < y->last ? 1 : -1;
	}
	return strcmp(x->endpoint, y->endpoint);
}

HRESULT bpa_validation_failures(TALLOC_CTX *mem_ctx,
				const char *cache_file,
				struct bpa_validator_failure **plist,
				size_t *pcount)
{
	struct bpa_vcache *c = NULL;
	HRESULT hr;

	*plist = NULL;
	*pcount = 0;
	hr = bpa_vcache_open_ro(mem_ctx, cache_file, &c);
	if (HRES_IS_EQUAL(hr, BPA_E_PEERS_NO_TABLE)) {
		return BPA_S_OK;	/* no refusal yet */
	}
	if (!HRES_IS_OK(hr)) {
		return hr;
	}
	hr = bpa_vcache_list_failures(mem_ctx, c, plist, pcount);
	TALLOC_FREE(c);
	if (HRES_IS_OK(hr) && *pcount > 1) {
		qsort(*plist, *pcount, sizeof(**plist), by_last_desc);
	}
	return hr;
}

HRESULT bpa_validation_reset(const char *cache_file,
			     bool failures,
			     uint64_t *pdropped)
{
	struct bpa_vcache *c = NULL;
	HRESULT hr;

	if (pdropped != NULL) {
		*pdropped = 0;
	}
	hr = bpa_vcache_open(NULL, cache_file, 1, false, &c);
	if (!HRES_IS_OK(hr)) {
		return hr;
	}
	hr = bpa_vcache_clear(c, failures, pdropped);
	TALLOC_FREE(c);
	return hr;
}
