/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MS-BPAU 3.1.4.1: what one ExchangePublicKeys does with a ClientKey */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "util/sid_string.h"
#include "util/bpa_config.h"
#include "blob/cert_blob.h"
#include "validate/cert_validate.h"
#include "validator/validator.h"
#include "localcert/local_cert.h"
#include "peers/peer_table.h"
#include "revocation/revocation.h"
#include "rpc_server/auth_check.h"
#include "rpc_server/server_state.h"
#include "rpc_server/exchange.h"
#include "rpc_server/exchange_private.h"

const char *bpa_exchange_verdict_name(enum bpa_exchange_verdict v)
{
	switch (v) {
	case BPA_EXCHANGE_SERVED:
		return "served";
	case BPA_EXCHANGE_ADDED:
		return "added";
	case BPA_EXCHANGE_REFUSED_CALLER:
		return "refused-caller";
	case BPA_EXCHANGE_BAD_BLOB:
		return "bad-blob";
	case BPA_EXCHANGE_INVALID_CERT:
		return "invalid-certificate";
	case BPA_EXCHANGE_WRONG_SUBJECT:
		return "wrong-subject";
	case BPA_EXCHANGE_TABLE_FULL:
		return "table-full";
	case BPA_EXCHANGE_REVOKED:
		return "revoked";
	case BPA_EXCHANGE_ERROR:
		return "error";
	}
	return "unknown";
}

static void refuse(struct bpa_exchange_result *res,
		   enum bpa_exchange_verdict v,
		   HRESULT hr,
		   const char *why)
{
	res->verdict = v;
	res->hr = hr;
	res->reason = why;
	res->server_blob = data_blob_null;
}

/* The server's CERTIFICATE_BLOB, copied to the call's @mem_ctx */
static bool copy_server_blob(TALLOC_CTX *mem_ctx,
			     const struct bpa_srv_state *state,
			     DATA_BLOB *out)
{
	const DATA_BLOB *b = &state->cert->blob;

	*out = data_blob_null;
	if (b->length == 0 || b->length > BPA_BLOB_MAX_LEN) {
		return false;
	}
	*out = data_blob_talloc(mem_ctx, b->data, b->length);
	return out->data != NULL;
}

/*
 * Seed bits-validate-server-certificate: phase two decided.  The
 * validator's HRESULT is returned to the caller (3.1.4.1 "MUST return a
 * nonzero error"), or BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED.
 */
static void refuse_by_validator(TALLOC_CTX *mem_ctx,
				const struct bpa_validation_result *vr,
				struct bpa_exchange_result *res)
{
	const char *name = bpa_hresult_name(vr->hres);
	const char *why = NULL;

	if (vr->phase == BPA_PHASE_UNAVAILABLE) {
		refuse(res, BPA_EXCHANGE_INVALID_CERT, vr->hres,
		       "validator-unavailable: "
		       "BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED");
		return;
	}
	why = talloc_asprintf(mem_ctx, "refused by the validator: 0x%08x "
			      "(%s), refusal %" PRIu64 " from this endpoint",
			      HRES_ERROR_V(vr->hres),
			      name != NULL ? name : "?", vr->failures);
	refuse(res, BPA_EXCHANGE_INVALID_CERT, vr->hres,
	       why != NULL ? why : "refused by the validator");
}

/* Both phases for the client role; subject errors are <2>'s */
static bool validate_client(TALLOC_CTX *mem_ctx,
			    const struct bpa_srv_state *state,
			    const struct bpa_srv_caller *caller,
			    const struct bpa_cert_blob *blob,
			    time_t now,
			    struct bpa_cert_verdict **pv,
			    struct bpa_exchange_result *res)
{
	struct bpa_validate_policy policy;
	struct bpa_validation_result *vr = NULL;
	struct bpa_cert_verdict *v = NULL;
	const char *why = NULL;
	HRESULT hr;

	bpa_validate_policy_default(&policy);
	policy.min_rsa_bits = state->cfg->min_rsa_bits;
	policy.max_rsa_bits = state->cfg->max_rsa_bits;
	/* 3.1.4.1: the caller's identity decides before policy, crypto */
	policy.expected_subject = &caller->sid;
	policy.allow_sha1_signatures = state->cfg->allow_sha1_signatures;
	policy.clock_skew = state->cfg->clock_skew;
	/* seed ocsp-revocation-provider: CA-issued peers need "ca file" */
	policy.anchors = bpa_rev_stack_anchors(state->rev);

	/* the endpoint of the server role: the caller's principal */
	hr = bpa_validation_check(mem_ctx, state->validator, blob,
				  BPA_CERT_ROLE_CLIENT, &policy,
				  caller->sid_str, now, &vr);
	if (vr == NULL) {
		refuse(res, BPA_EXCHANGE_ERROR, hr, "no-memory");
		return false;
	}
	v = vr->verdict;
	*pv = v;
	res->phase = bpa_validation_phase_name(vr->phase);
	res->validator_cached = vr->cached;
	if (v->has_sid) {
		bpa_sid_format(&v->subject_sid, res->subject);
	}
	if (HRES_IS_OK(hr)) {
		return true;
	}
	if (vr->phase != BPA_PHASE_BUILTIN) {
		refuse_by_validator(mem_ctx, vr, res);
		return false;
	}
	why = bpa_cert_verdict_string(mem_ctx, v);
	if (!bpa_cert_verdict_subject_refused(v)) {
		refuse(res, BPA_EXCHANGE_INVALID_CERT, hr,
		       why ? why : "invalid-certificate");
		return false;
	}
	/* validate decided (and its HRESULT); here only the audit word */
	if (v->reasons & BPA_CERT_R_WRONG_SUBJECT) {
		why = "subject-is-not-the-caller";
	}
	refuse(res, BPA_EXCHANGE_WRONG_SUBJECT, hr,
	       why ? why : "subject-not-a-sid");
	return false;
}

/* Seed ocsp-revocation-provider: the certificate before it is stored */
static bool revocation_check(TALLOC_CTX *mem_ctx,
			     const struct bpa_srv_state *state,
			     const struct bpa_cert_blob *blob,
			     const struct bpa_cert_verdict *verdict,
			     time_t now,
			     struct bpa_exchange_result *res)
{
	enum bpa_rev_mode mode = (enum bpa_rev_mode)
				 state->cfg->revocation_check;
	struct bpa_rev_status st;
	/* phase one accepted it: a peer's own certificate has a verified
	 * self-signature, which the revocation check need not redo */
	uint32_t flags = verdict->ca_issued ? 0 : BPA_REV_LEAF_SELF_SIGNED;
	bool accept = false;
	HRESULT hr;

	hr = bpa_rev_check_cert_flags(mem_ctx, state->rev, mode,
				      &blob->cert_der, NULL, 0, flags, now,
				      &accept, &st);
	if (!HRES_IS_OK(hr)) {
		refuse(res, BPA_EXCHANGE_ERROR, hr, "no-memory");
		return false;
	}
	res->revocation = bpa_rev_audit_word(mode, &st);
	if (!accept) {
		/* the reason names the HRESULT; mem_ctx is the call's */
		const char *name = bpa_rev_error_name(st.error);

		refuse(res, BPA_EXCHANGE_REVOKED, st.error,
		       name != NULL ? name : "revocation");
		return false;
	}
	return true;
}

/* MS-BPAU 3.1.4.1 <3>, <4>: add the caller's row, or replace it */
static bool add_peer(TALLOC_CTX *mem_ctx,
		     struct bpa_srv_state *state,
		     const struct bpa_srv_caller *caller,
		     const struct bpa_cert_blob *blob,
		     time_t now,
		     struct bpa_exchange_result *res)
{
	struct bpa_peer peer = {
		.sid = caller->sid,
		.cert_der = blob->cert_der,
		.address = caller->remote,
	};
	HRESULT hr;

	/* <5>: the properties are kept, without KEY_PROV_INFO */
	hr = bpa_peer_properties_from_blob(mem_ctx, blob, &peer.properties);
	if (!HRES_IS_OK(hr)) {
		refuse(res, BPA_EXCHANGE_ERROR, hr,
		       bpa_hresult_name(hr) ? bpa_hresult_name(hr)
					    : "properties");
		return false;
	}
	hr = bpa_peer_table_add(state->table, &peer, now);
	if (HRES_IS_OK(hr)) {
		return true;
	}
	if (HRES_IS_EQUAL(hr, HRES_OLE_E_NOCACHE)) {	/* table full */
		refuse(res, BPA_EXCHANGE_TABLE_FULL, hr, "peer-table-full");
	} else if (HRES_ERROR_V(hr) == HRES_ERROR_V(BPA_E_PEER_CERT_IN_USE)) {
		/* the same certificate already names another principal */
		refuse(res, BPA_EXCHANGE_WRONG_SUBJECT, HRES_E_ACCESSDENIED,
		       "certificate-held-by-another-peer");
	} else {
		refuse(res, BPA_EXCHANGE_ERROR, HRES_E_FAIL,
		       bpa_hresult_name(hr) ? bpa_hresult_name(hr)
						 : "peer-table-error");
	}
	return false;
}

enum bpa_exchange_step bpa_srv_exchange_start(TALLOC_CTX *mem_ctx,
					      struct bpa_srv_state *state,
					      const uint8_t *key,
					      uint32_t key_len,
					      struct bpa_exchange_call *c,
					      struct bpa_exchange_result *res)
{
	enum bpa_blob_err berr;
	bool ok;

	*c = (struct bpa_exchange_call) { .ours = data_blob_null };
	res->client_key_length = key_len;
	res->revocation = NULL;
	res->phase = NULL;
	res->validator_cached = false;
	res->subject[0] = '\0';
	refuse(res, BPA_EXCHANGE_ERROR, HRES_E_OUTOFMEMORY, "no-memory");

	/* what we answer with, known before anything may change */
	ok = copy_server_blob(mem_ctx, state, &c->ours);
	if (!ok) {
		refuse(res, BPA_EXCHANGE_ERROR, HRES_E_FAIL,
		       "no-server-certificate-blob");
		return BPA_EXCHANGE_STEP_DONE;
	}

	/* ClientKeyLength 0: MUST NOT decode; our certificate only */
	if (key_len == 0) {
		res->verdict = BPA_EXCHANGE_SERVED;
		res->reason = "no-client-key";
		res->hr = BPA_S_OK;
		res->server_blob = c->ours;
		return BPA_EXCHANGE_STEP_DONE;
	}

	/* decode (2.2.2): an error is a nonzero result */
	berr = bpa_blob_decode(mem_ctx, key, key_len, &c->blob);
	if (berr != BPA_BLOB_OK) {
		refuse(res, BPA_EXCHANGE_BAD_BLOB, bpa_blob_err_hresult(berr),
		       bpa_blob_strerror(berr));
		return BPA_EXCHANGE_STEP_DONE;
	}
	return BPA_EXCHANGE_STEP_CHECK;
}

bool bpa_srv_exchange_check(TALLOC_CTX *mem_ctx,
			    const struct bpa_srv_state *state,
			    const struct bpa_srv_caller *caller,
			    const struct bpa_cert_blob *blob,
			    time_t now,
			    struct bpa_exchange_result *res)
{
	struct bpa_cert_verdict *verdict = NULL;
	bool ok;

	/* the subject is the caller's SID from here on (cert_validate.h) */
	ok = validate_client(mem_ctx, state, caller, blob, now, &verdict,
			     res);
	if (!ok) {
		return false;
	}
	return revocation_check(mem_ctx, state, blob, verdict, now, res);
}

void bpa_srv_exchange_finish(TALLOC_CTX *mem_ctx,
			     struct bpa_srv_state *state,
			     const struct bpa_srv_caller *caller,
			     const struct bpa_exchange_call *c,
			     time_t now,
			     struct bpa_exchange_result *res)
{
	TALLOC_CTX *frame = talloc_new(mem_ctx);
	bool ok;

	if (frame == NULL) {
		refuse(res, BPA_EXCHANGE_ERROR, HRES_E_OUTOFMEMORY,
		       "no-memory");
		return;
	}
	ok = add_peer(frame, state, caller, c->blob, now, res);
	if (ok) {
		res->verdict = BPA_EXCHANGE_ADDED;
		res->reason = "added";
		res->hr = BPA_S_OK;
		res->server_blob = c->ours;
	}
	TALLOC_FREE(frame);
}

void bpa_srv_exchange(TALLOC_CTX *mem_ctx,
		      struct bpa_srv_state *state,
		      const struct bpa_srv_caller *caller,
		      const uint8_t *key,
		      uint32_t key_len,
		      time_t now,
		      struct bpa_exchange_result *res)
{
	TALLOC_CTX *frame = talloc_new(mem_ctx);
	struct bpa_exchange_call c;
	enum bpa_exchange_step step;

	if (frame == NULL) {
		res->client_key_length = key_len;
		refuse(res, BPA_EXCHANGE_ERROR, HRES_E_OUTOFMEMORY,
		       "no-memory");
		return;
	}
	/* the server blob on the call's context, the rest on the frame */
	step = bpa_srv_exchange_start(frame, state, key, key_len, &c, res);
	if (step == BPA_EXCHANGE_STEP_CHECK &&
	    bpa_srv_exchange_check(mem_ctx, state, caller, c.blob, now,
				   res)) {
		bpa_srv_exchange_finish(frame, state, caller, &c, now, res);
	}
	if (HRES_IS_OK(res->hr)) {
		(void)talloc_steal(mem_ctx, c.ours.data);
	}
	TALLOC_FREE(frame);
}
