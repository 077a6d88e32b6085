/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MS-BPAU 3.1.4.1 with its checks off the serving loop (exchange_async.h) */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <tevent.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "util/bpa_config.h"
#include "validator/validator.h"
#include "revocation/revocation.h"
#include "rpc_server/auth_check.h"
#include "rpc_server/server_state.h"
#include "rpc_server/exchange.h"
#include "rpc_server/exchange_private.h"
#include "rpc_server/exchange_async.h"
#include "rpc_server/checker.h"

struct exchange_async_state {
	struct tevent_req *req;
	TALLOC_CTX *out;		/* the call's: the result's memory */
	struct bpa_srv_state *state;
	const struct bpa_srv_caller *caller;
	time_t now;
	struct bpa_exchange_call c;
	struct bpa_exchange_result res;
};

/* May the revocation check wait on a fetch? */
static bool checks_may_fetch(const struct bpa_srv_state *state)
{
	return (enum bpa_rev_mode)state->cfg->revocation_check !=
	       BPA_REV_MODE_NO && bpa_rev_stack_may_fetch(state->rev);
}

bool bpa_srv_exchange_may_block(const struct bpa_srv_state *state)
{
	return bpa_validation_has_validator(state->validator) ||
	       checks_may_fetch(state);
}

static void exchange_fail(struct exchange_async_state *s, const char *why)
{
	s->res.verdict = BPA_EXCHANGE_ERROR;
	s->res.hr = HRES_E_FAIL;
	s->res.reason = why;
	s->res.server_blob = data_blob_null;
	tevent_req_done(s->req);
}

/* A string of the verdict on the call's context (NULL for "" where the
 * result says "did not get that far") */
static const char *verdict_str(struct exchange_async_state *s,
			       const char *w,
			       size_t n,
			       bool empty_is_null)
{
	char *v = NULL;

	if (empty_is_null && w[0] == '\0') {
		return NULL;
	}
	v = talloc_strndup(s->out, w, n);
	return v != NULL ? v : "no-memory";
}

static void exchange_checked(struct tevent_req *subreq)
{
	struct tevent_req *req = tevent_req_callback_data(subreq,
							  struct tevent_req);
	struct exchange_async_state *s = tevent_req_data(
		req, struct exchange_async_state);
	struct bpa_check_verdict w;
	bool answered;

	answered = bpa_checker_recv(subreq, &w);
	TALLOC_FREE(subreq);
	if (!answered) {
		exchange_fail(s, "checks-failed");
		return;
	}
	s->res.validator_cached = w.validator_cached != 0;
	snprintf(s->res.subject, sizeof(s->res.subject), "%.*s",
		 (int)sizeof(w.subject), w.subject);
	s->res.revocation = verdict_str(s, w.revocation,
					sizeof(w.revocation), true);
	s->res.phase = verdict_str(s, w.phase, sizeof(w.phase), true);
	if (w.passed != 0) {
		bpa_srv_exchange_finish(s->out, s->state, s->caller, &s->c,
					s->now, &s->res);
		tevent_req_done(req);
		return;
	}
	s->res.hr = HRES_ERROR(w.hr);
	s->res.verdict = (enum bpa_exchange_verdict)w.verdict;
	s->res.reason = verdict_str(s, w.reason, sizeof(w.reason), false);
	s->res.server_blob = data_blob_null;
	tevent_req_done(req);
}

struct tevent_req *bpa_srv_exchange_send(TALLOC_CTX *mem_ctx,
					 struct tevent_context *ev,
					 struct bpa_srv_state *state,
					 const struct bpa_srv_caller *caller,
					 const uint8_t *key,
					 uint32_t key_len,
					 time_t now)
{
	struct tevent_req *req = NULL;
	struct tevent_req *subreq = NULL;
	struct exchange_async_state *s = NULL;
	enum bpa_exchange_step step;

	req = tevent_req_create(mem_ctx, &s, struct exchange_async_state);
	if (req == NULL) {
		return NULL;
	}
	*s = (struct exchange_async_state) {
		.req = req, .out = mem_ctx, .state = state, .caller = caller,
		.now = now,
	};
	step = bpa_srv_exchange_start(mem_ctx, state, key, key_len, &s->c,
				      &s->res);
	if (step == BPA_EXCHANGE_STEP_DONE) {
		tevent_req_done(req);
		return tevent_req_post(req, ev);
	}
	/* decided without waiting (phase one refuses, a cached pair, no
	 * fetching provider): here */
	if (!checks_may_fetch(state)) {
		bool ok;

		bpa_validation_set_no_wait(state->validator, true);
		ok = bpa_srv_exchange_check(mem_ctx, state, caller, s->c.blob,
					    now, &s->res);
		bpa_validation_set_no_wait(state->validator, false);
		if (!HRES_IS_EQUAL(s->res.hr, HRES_E_PENDING)) {
			if (ok) {
				bpa_srv_exchange_finish(mem_ctx, state,
							caller, &s->c, now,
							&s->res);
			}
			tevent_req_done(req);
			return tevent_req_post(req, ev);
		}
		/* the checker decides it all again */
		s->res.revocation = NULL;
		s->res.phase = NULL;
		s->res.validator_cached = false;
		s->res.subject[0] = '\0';
	}
	/* on s: a call that goes away takes its check with it */
	subreq = bpa_checker_send(s, ev, state, caller->sid_str, key,
				  key_len, now);
	if (subreq == NULL) {
		exchange_fail(s, "no-memory");
		return tevent_req_post(req, ev);
	}
	tevent_req_set_callback(subreq, exchange_checked, req);
	return req;
}

void bpa_srv_exchange_recv(struct tevent_req *req,
			   struct bpa_exchange_result *res)
{
	struct exchange_async_state *s = tevent_req_data(
		req, struct exchange_async_state);

	*res = s->res;
	tevent_req_received(req);
}
