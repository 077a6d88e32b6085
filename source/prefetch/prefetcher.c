/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * seed cert-open-server-ocsp-response: CertOpenServerOcspResponse and
 * its background prefetching, on a tevent loop (prefetcher.h).
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <inttypes.h>
#include <errno.h>
#include <unistd.h>
#include <tevent.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "util/bpa_crypto.h"
#include "util/bpa_text.h"
#include "ocsp/ocsp_client.h"
#include "prefetch/prefetcher.h"
#include "prefetch/prefetch_io.h"
#include "prefetch/prefetch_private.h"

void bpa_prefetch_params_init(struct bpa_prefetch_params *p)
{
	memset(p, 0, sizeof(*p));
	bpa_prefetch_settings_init(&p->s);
	p->clock_skew = BPA_OCSP_DEFAULT_CLOCK_SKEW;
}

const char *bpa_prefetch_state_name(enum bpa_prefetch_state st)
{
	switch (st) {
	case BPA_PREFETCH_STATE_NONE:
		return "none";
	case BPA_PREFETCH_STATE_GOOD:
		return "good";
	case BPA_PREFETCH_STATE_REVOKED:
		return "revoked";
	}
	return "?";
}

static void pf_arm(struct bpa_prefetch *pf, time_t now);

/* Nothing may be handed out any more: forget it, remove the file */
static void pf_drop(struct bpa_prefetch *pf, const char *why)
{
	if (pf->have) {
		DBG_NOTICE("OCSP response for the local certificate no "
			   "longer handed out: %s\n", why);
	}
	pf->have = false;
	data_blob_free(&pf->der);
	TALLOC_FREE(pf->expire_timer);
	if (pf->p.response_file != NULL &&
	    unlink(pf->p.response_file) != 0 && errno != ENOENT) {
		DBG_ERR("cannot remove %s: %s\n", pf->p.response_file,
			strerror(errno));
	}
}

static bool pf_usable(const struct bpa_prefetch *pf, time_t now)
{
	return pf->have && pf->this_update <= now + (time_t)pf->p.clock_skew &&
	       bpa_prefetch_usable(&pf->p.s, pf->next_update, now);
}

const DATA_BLOB *bpa_prefetch_current(struct bpa_prefetch *pf, time_t now)
{
	if (pf == NULL || !pf_usable(pf, now)) {
		return NULL;
	}
	return &pf->der;
}

HRESULT bpa_prefetch_get(TALLOC_CTX *mem_ctx,
			 struct bpa_prefetch *pf,
			 time_t now,
			 DATA_BLOB *presp)
{
	const DATA_BLOB *cur = bpa_prefetch_current(pf, now);

	*presp = data_blob_null;
	if (cur == NULL) {
		return HRES_CRYPT_E_NOT_FOUND;
	}
	*presp = data_blob_talloc(mem_ctx, cur->data, cur->length);
	return presp->data != NULL ? BPA_S_OK : HRES_E_OUTOFMEMORY;
}

static void pf_set_error(struct bpa_prefetch *pf, const char *err)
{
	TALLOC_FREE(pf->last_error);
	if (err != NULL) {
		pf->last_error = talloc_strdup(pf, err);
	}
}

/*
 * A retrieval ended at @now with @body (a response to verify) or @err.
 * Only a verified good response that is newer and usable replaces what
 * is held; a revoked one drops it.
 */
static void pf_take(struct bpa_prefetch *pf,
		    const DATA_BLOB *body,
		    const char *err,
		    time_t now)
{
	TALLOC_CTX *frame = talloc_new(pf);
	struct bpa_ocsp_result *r = NULL;
	char *why = NULL;
	bool newer = false;
	HRESULT hr;

	pf->retrievals++;
	pf->have_attempt = true;
	pf->last_attempt = now;
	if (frame == NULL) {
		pf->failures++;
		pf_set_error(pf, "out of memory");
		goto done;
	}
	if (body == NULL) {
		why = talloc_asprintf(frame, "%s: %s", pf->url,
				      err ? err : "no response");
		goto failed;
	}
	hr = bpa_ocsp_response_check(frame, body, NULL, pf->cert, pf->issuer,
				     now, pf->p.clock_skew, &r);
	if (!HRES_IS_OK(hr)) {
		why = talloc_asprintf(frame, "cannot check the response: "
				      "0x%08x", HRES_ERROR_V(hr));
		goto failed;
	}
	if (r->outcome == BPA_OCSP_REVOKED) {
		char t[BPA_TIME_STRING_MAX];
		const char *rn = r->has_reason ?
				 bpa_crl_reason_name(r->reason) : NULL;

		DBG_ERR("OCSP: the local certificate is REVOKED (%s) at %s "
			"says %s: nothing is stapled\n",
			rn ? rn : "no reason given",
			bpa_time_format(r->revocation_time, t), pf->url);
		pf_drop(pf, "revoked");
		pf->state = BPA_PREFETCH_STATE_REVOKED;
		pf->revocation_time = r->revocation_time;
		pf->reason = r->has_reason ? r->reason : 0;
		why = talloc_asprintf(frame, "revoked (%s)",
				      rn ? rn : "unspecified");
		goto failed;
	}
	if (r->outcome != BPA_OCSP_GOOD) {
		why = bpa_ocsp_result_string(frame, r, now);
		goto failed;
	}
	if (!r->has_next_update) {
		why = talloc_strdup(frame, "good, but without nextUpdate: "
				    "not stapled");
		goto failed;
	}
	if (!bpa_prefetch_usable(&pf->p.s, r->next_update, now)) {
		why = talloc_asprintf(frame, "good, but valid for only %lld "
				      "s, less than the min validity %"
				      PRIu32 " s",
				      (long long)(r->next_update - now),
				      pf->p.s.min_validity);
		goto failed;
	}
	newer = !pf->have || r->this_update > pf->this_update ||
		(r->this_update == pf->this_update &&
		 r->next_update > pf->next_update);
	if (!newer) {
		why = talloc_strdup(frame, "the responder sent no newer "
				    "response");
		goto failed;
	}
	data_blob_free(&pf->der);
	pf->der = data_blob_talloc(pf, body->data, body->length);
	if (pf->der.data == NULL) {
		pf->have = false;
		why = talloc_strdup(frame, "out of memory");
		goto failed;
	}
	pf->have = true;
	pf->state = BPA_PREFETCH_STATE_GOOD;
	pf->this_update = r->this_update;
	pf->next_update = r->next_update;
	pf->failures = 0;
	pf_set_error(pf, NULL);
	if (pf->p.response_file != NULL &&
	    !bpa_pf_write_atomic(pf->p.response_file, pf->der.data,
				 pf->der.length, 0644)) {
		pf_set_error(pf, "cannot write the response file");
	}
	DBG_NOTICE("OCSP response for the local certificate from %s: good, "
		   "next update in %lld s\n", pf->url,
		   (long long)(pf->next_update - now));
	goto done;
failed:
	pf->failures++;
	pf_set_error(pf, why ? why : "out of memory");
	/* level 1: a responder outage is expected to happen */
	DBG_WARNING("OCSP prefetch for the local certificate: %s (%s%s)\n",
		    pf->last_error, pf->have ? "keeping the last good "
		    "response" : "nothing to staple",
		    pf_usable(pf, now) ? "" : ", not handed out");
done:
	TALLOC_FREE(frame);
}

/* What the retrieval sends: the certID, no nonce (see prefetcher.h) */
static bool pf_request(TALLOC_CTX *mem_ctx,
		       struct bpa_prefetch *pf,
		       DATA_BLOB *der)
{
	struct bpa_ocsp_request *req = NULL;
	HRESULT hr;

	hr = bpa_ocsp_request_build(mem_ctx, pf->cert, pf->issuer, false,
				    &req);
	if (!HRES_IS_OK(hr)) {
		return false;
	}
	*der = req->der;
	return true;
}

static void pf_fetch_done(void *private_data,
			  bool ok,
			  const DATA_BLOB *body,
			  const char *err)
{
	struct bpa_prefetch *pf = talloc_get_type_abort(private_data,
							struct bpa_prefetch);
	time_t now = time(NULL);

	pf_take(pf, ok ? body : NULL, ok ? NULL : err, now);
	TALLOC_FREE(pf->inflight);	/* body and err are gone now */
	pf_arm(pf, now);
}

static void pf_retrieve(struct tevent_context *ev,
			struct tevent_timer *te,
			struct timeval tv,
			void *private_data)
{
	struct bpa_prefetch *pf = talloc_get_type_abort(private_data,
							struct bpa_prefetch);
	DATA_BLOB req = data_blob_null;
	time_t now = time(NULL);

	pf->retrieve_timer = NULL;
	if (getpid() != pf->owner) {
		/* a forked worker inherited the timer: not ours to run */
		TALLOC_FREE(pf->expire_timer);
		return;
	}
	if (pf->inflight != NULL) {
		return;
	}
	if (!pf_request(pf, pf, &req)) {
		pf_take(pf, NULL, "cannot build the OCSP request", now);
		pf_arm(pf, now);
		return;
	}
	pf->inflight = bpa_pf_fetch_start(pf, pf->ev, pf->url, &req,
					  pf->p.s.url_timeout_ms,
					  BPA_OCSP_DEFAULT_MAX_RESPONSE,
					  pf_fetch_done, pf);
	data_blob_free(&req);
	if (pf->inflight == NULL) {
		pf_take(pf, NULL, "cannot start the HTTP child process", now);
		pf_arm(pf, now);
	}
}

static void pf_expire(struct tevent_context *ev,
		      struct tevent_timer *te,
		      struct timeval tv,
		      void *private_data)
{
	struct bpa_prefetch *pf = talloc_get_type_abort(private_data,
							struct bpa_prefetch);
	time_t now = time(NULL);

	pf->expire_timer = NULL;
	if (getpid() != pf->owner) {
		TALLOC_FREE(pf->retrieve_timer);
		return;
	}
	if (pf->have && !pf_usable(pf, now)) {
		pf_drop(pf, "less than the min validity left");
		pf->state = BPA_PREFETCH_STATE_NONE;
	}
	pf_arm(pf, now);
}

static struct timeval tv_at(time_t t)
{
	struct timeval tv = { .tv_sec = t, .tv_usec = 0 };

	return tv;
}

/* Schedule the next retrieval and the end of the margin; save status */
static void pf_arm(struct bpa_prefetch *pf, time_t now)
{
	struct bpa_prefetch_sched_in in = {
		.have_response = pf->have,
		.next_update = pf->next_update,
		.failures = pf->failures,
		.have_attempt = pf->have_attempt,
		.last_attempt = pf->last_attempt,
		.now = now,
	};
	time_t end;

	pf->next = bpa_prefetch_schedule(&pf->p.s, &in);
	TALLOC_FREE(pf->retrieve_timer);
	if (pf->inflight == NULL) {
		pf->retrieve_timer = tevent_add_timer(pf->ev, pf,
						      tv_at(pf->next.due),
						      pf_retrieve, pf);
	}
	TALLOC_FREE(pf->expire_timer);
	if (pf->have) {
		/* the first second it is no longer usable */
		end = pf->next_update - (time_t)pf->p.s.min_validity + 1;
		pf->expire_timer = tevent_add_timer(pf->ev, pf, tv_at(end),
						    pf_expire, pf);
	}
	if ((pf->inflight == NULL && pf->retrieve_timer == NULL) ||
	    (pf->have && pf->expire_timer == NULL)) {
		DBG_ERR("OCSP prefetch: cannot schedule (out of memory)\n");
	}
	DBG_INFO("OCSP prefetch: next retrieval in %lld s (%s)\n",
		 (long long)(pf->next.due - now),
		 bpa_prefetch_rule_name(pf->next.rule));
	bpa_pf_status_save(pf, now);
}

/* A response file still usable at start (prefetcher.h) */
static void pf_load_file(struct bpa_prefetch *pf, time_t now)
{
	TALLOC_CTX *frame = talloc_new(pf);
	struct bpa_ocsp_result *r = NULL;
	DATA_BLOB der = data_blob_null;
	bool missing = false;
	HRESULT hr;

	if (frame == NULL || pf->p.response_file == NULL) {
		goto done;
	}
	if (!bpa_pf_read_file(frame, pf->p.response_file,
			      BPA_OCSP_DEFAULT_MAX_RESPONSE, &der, &missing)) {
		if (!missing) {
			DBG_WARNING("%s: cannot be read, not used\n",
				    pf->p.response_file);
		}
		goto done;
	}
	hr = bpa_ocsp_response_check(frame, &der, NULL, pf->cert, pf->issuer,
				     now, pf->p.clock_skew, &r);
	if (HRES_IS_OK(hr) && r->outcome == BPA_OCSP_GOOD &&
	    r->has_next_update &&
	    bpa_prefetch_usable(&pf->p.s, r->next_update, now)) {
		pf->der = data_blob_talloc(pf, der.data, der.length);
		if (pf->der.data == NULL) {
			goto done;
		}
		pf->have = true;
		pf->state = BPA_PREFETCH_STATE_GOOD;
		pf->this_update = r->this_update;
		pf->next_update = r->next_update;
		DBG_NOTICE("loaded the OCSP response %s: good, next update "
			   "in %lld s\n", pf->p.response_file,
			   (long long)(r->next_update - now));
		goto done;
	}
	DBG_NOTICE("%s: not a usable response for the local certificate "
		   "(%s), removed\n", pf->p.response_file,
		   HRES_IS_OK(hr) ? (r->detail ? r->detail : "") : "error");
	pf_drop(pf, "not usable");
done:
	TALLOC_FREE(frame);
}

/* The first retrieval, blocking (dwFlags 0), bounded by the timeout */
static void pf_retrieve_now(struct bpa_prefetch *pf)
{
	TALLOC_CTX *frame = talloc_new(pf);
	DATA_BLOB req = data_blob_null;
	DATA_BLOB body = data_blob_null;
	char *err = NULL;
	HRESULT hr;

	if (frame == NULL) {
		return;
	}
	if (!pf_request(frame, pf, &req)) {
		pf_take(pf, NULL, "cannot build the OCSP request", time(NULL));
		goto done;
	}
	hr = bpa_ocsp_http_fetch(frame, pf->url, &req,
				 "application/ocsp-request",
				 pf->p.s.url_timeout_ms,
				 BPA_OCSP_DEFAULT_MAX_RESPONSE, &body, &err);
	pf_take(pf, HRES_IS_OK(hr) ? &body : NULL,
		err ? err : "HTTP fetch failed", time(NULL));
done:
	TALLOC_FREE(frame);
}

static int pf_destructor(struct bpa_prefetch *pf)
{
	/* the child is killed by the fetch's own destructor */
	TALLOC_FREE(pf->inflight);
	return 0;
}

HRESULT bpa_prefetch_open(TALLOC_CTX *mem_ctx,
			  struct tevent_context *ev,
			  gnutls_x509_crt_t cert,
			  gnutls_x509_crt_t issuer,
			  uint32_t flags,
			  const struct bpa_prefetch_params *p,
			  struct bpa_prefetch **ppf)
{
	struct bpa_prefetch *pf = NULL;
	time_t now = time(NULL);
	HRESULT hr = HRES_E_INVALIDARG;

	if (ppf != NULL) {
		*ppf = NULL;
	}
	if (ev == NULL || cert == NULL || issuer == NULL || p == NULL ||
	    ppf == NULL || (flags & ~BPA_PREFETCH_ASYNC_FLAG) != 0 ||
	    !bpa_prefetch_settings_valid(&p->s)) {
		DBG_ERR("OCSP prefetch: invalid arguments (E_INVALIDARG)\n");
		return hr;
	}
	pf = talloc_zero(mem_ctx, struct bpa_prefetch);
	if (pf == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	talloc_set_destructor(pf, pf_destructor);
	pf->ev = ev;
	pf->owner = getpid();
	pf->p = *p;
	if (p->response_file != NULL) {
		pf->p.response_file = talloc_strdup(pf, p->response_file);
		pf->status_path = bpa_prefetch_status_path(pf,
							   p->response_file);
		if (pf->p.response_file == NULL || pf->status_path == NULL) {
			hr = HRES_E_OUTOFMEMORY;
			goto fail;
		}
	}
	hr = bpa_ocsp_aia_url(pf, cert, &pf->url);
	if (HRES_IS_EQUAL(hr, HRES_CRYPT_E_NOT_FOUND)) {
		DBG_ERR("OCSP prefetch: the local certificate has no OCSP "
			"AIA URL (CRYPT_E_NOT_IN_REVOCATION_DATABASE)\n");
		hr = HRES_CRYPT_E_NOT_IN_REVOCATION_DATABASE;
		goto fail;
	}
	if (!HRES_IS_OK(hr)) {
		goto fail;
	}
	hr = bpa_pf_copy_crt(pf, cert, &pf->cert);
	if (HRES_IS_OK(hr)) {
		hr = bpa_pf_copy_crt(pf, issuer, &pf->issuer);
	}
	if (!HRES_IS_OK(hr)) {
		goto fail;
	}
	pf_load_file(pf, now);
	if ((flags & BPA_PREFETCH_ASYNC_FLAG) == 0 && !pf_usable(pf, now)) {
		pf_retrieve_now(pf);
		now = time(NULL);
	}
	DBG_NOTICE("OCSP prefetch for the local certificate from %s (%s): "
		   "%s\n", pf->url, (flags & BPA_PREFETCH_ASYNC_FLAG) ?
		   "async" : "sync", pf_usable(pf, now) ?
		   "a good response to staple" : "nothing to staple yet");
	pf_arm(pf, now);
	*ppf = pf;
	return BPA_S_OK;
fail:
	TALLOC_FREE(pf);
	return hr;
}

void bpa_prefetch_close(struct bpa_prefetch *pf)
{
	TALLOC_FREE(pf);
}

void bpa_prefetch_get_status(struct bpa_prefetch *pf,
			     struct bpa_prefetch_status *st)
{
	memset(st, 0, sizeof(*st));
	st->url = pf->url;
	st->state = pf->state;
	if (st->state == BPA_PREFETCH_STATE_GOOD && !pf_usable(pf,
							       time(NULL))) {
		st->state = BPA_PREFETCH_STATE_NONE;
	}
	st->has_response = pf->have;
	st->this_update = pf->this_update;
	st->next_update = pf->next_update;
	st->revocation_time = pf->revocation_time;
	st->reason = pf->reason;
	st->next_retrieval = pf->inflight != NULL ? 0 : pf->next.due;
	st->rule = pf->next.rule;
	st->failures = pf->failures;
	st->retrievals = pf->retrievals;
	st->last_attempt = pf->have_attempt ? pf->last_attempt : 0;
	st->last_error = pf->last_error;
	st->updated = time(NULL);
	st->pid = (int)pf->owner;
}
