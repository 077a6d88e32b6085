/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * "bitspeerauth exchange": the server's key, MS-BPAU 3.2.4.1
 * (cmd_exchange_private.h): both validation phases, the revocation
 * stack, the subject, then the client's own peer table (3.2.1.2).
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <inttypes.h>
#include <time.h>
#include <talloc.h>
#include "util/bpa_hresult.h"
#include "util/sid_string.h"
#include "util/bpa_config.h"
#include "util/bpa_text.h"
#include "revocation/revocation.h"
#include "validate/cert_validate.h"
#include "validator/validator.h"
#include "peers/peer_table.h"
#include "tools/tool_output.h"
#include "tools/cmd_exchange_private.h"

/* The client's own table of peer certificates (3.2.1.2), kept */
static bool open_table(TALLOC_CTX *mem_ctx,
		       const struct exchange_opts *o,
		       struct exchange_run *r,
		       struct bpa_peer_table **pt)
{
	struct bpa_peer_table_params p;
	HRESULT hr;

	bpa_peer_table_params_init(&p);
	p.path = o->peer_table != NULL ? o->peer_table :
		r->config->client_peer_table;
	p.max_peers = r->config->max_peers;
	p.evict_min_age = r->config->evict_min_age;
	/* a command-line client is short-lived: its table persists */
	p.persistent = true;
	hr = bpa_peer_table_open(mem_ctx, &p, pt);
	if (!HRES_IS_OK(hr)) {
		fprintf(stderr, "peer table %s: ", p.path);
		bpa_tool_print_hresult(NULL, "open", hr);
		return false;
	}
	return true;
}


int exchange_refused_exit(HRESULT hr)
{
	if (bpa_client_hresult_is_transient(hr)) {
		printf("transient error: retry later\n");
		return EXCHANGE_EXIT_TRANSIENT;
	}
	return EXCHANGE_EXIT_REFUSED;
}

/* Which phase decided, as the seed's error context names it */
static void print_phase(const struct bpa_validation_result *vr)
{
	const char *name = bpa_hresult_name(vr->hres);

	if (vr->error_context == 0) {
		printf("validation: phase %s%s\n",
		       bpa_validation_phase_name(vr->phase),
		       vr->phase != BPA_PHASE_VALIDATOR ? "" :
		       vr->cached ? " (cached)" : " (asked)");
		return;
	}
	printf("validation: phase %s, error context %" PRIu32
	       " (BG_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK), 0x%08" PRIx32
	       " (%s)\n", bpa_validation_phase_name(vr->phase),
	       vr->error_context, HRES_ERROR_V(vr->hres),
	       name != NULL ? name : "?");
}

int exchange_accept_server_key(TALLOC_CTX *mem_ctx,
			       const struct exchange_opts *o,
			       struct exchange_run *r,
			       const struct dom_sid *server_sid,
			       const struct bpa_client_result *res)
{
	const DATA_BLOB *server_blob = &res->server_blob;
	struct bpa_validation_result *vr = NULL;
	struct bpa_validate_policy policy;
	struct bpa_client_accept a = { .server_sid = server_sid };
	struct bpa_cert_verdict *v = NULL;
	struct bpa_peer_table *table = NULL;
	char *text = NULL;
	bool ok;
	HRESULT hr;

	bpa_validate_policy_default(&policy);
	policy.min_rsa_bits = r->config->min_rsa_bits;
	policy.max_rsa_bits = r->config->max_rsa_bits;
	policy.allow_sha1_signatures = r->config->allow_sha1_signatures;
	policy.clock_skew = r->config->clock_skew;
	if (o->no_store == 0) {
		ok = open_table(mem_ctx, o, r, &table);
		if (!ok) {
			return 1;
		}
	}
	a.policy = &policy;
	a.table = table;
	a.now = time(NULL);
	a.revocation_mode = (int)r->config->revocation_check;
	hr = bpa_rev_stack_from_config(mem_ctx, r->config, &a.revocation);
	if (!HRES_IS_OK(hr)) {
		bpa_tool_print_hresult(NULL, "revocation configuration", hr);
		return 1;
	}
	/* seed ocsp-revocation-provider: CA-issued servers need "ca file" */
	policy.anchors = bpa_rev_stack_anchors(a.revocation);
	/* phase two: the validator of smb.conf; the endpoint as BITS
	 * names it, the server as given and the port connected to */
	hr = bpa_validation_ctx_from_config(mem_ctx, r->config, false,
					    &a.validator);
	if (!HRES_IS_OK(hr)) {
		bpa_tool_print_hresult(NULL, "validator configuration", hr);
		return 1;
	}
	a.endpoint = talloc_asprintf(mem_ctx, "%s:%u", o->server,
				     (unsigned)res->port);
	if (a.endpoint == NULL) {
		return 1;
	}
	a.pvalidation = &vr;
	hr = bpa_client_accept_server_blob(mem_ctx, server_blob, &a, &v);
	if (v != NULL) {
		char sid[BPA_SID_STRING_MAX] = "-";
		char until[BPA_TIME_STRING_MAX];

		text = bpa_cert_verdict_string(mem_ctx, v);
		if (v->has_sid) {
			bpa_sid_format(&v->subject_sid, sid);
		}
		bpa_time_format(v->not_after, until);
		printf("server certificate: %s (subject %s, RSA %" PRIu32
		       " bits, not after %s)\n", text != NULL ? text : "?",
		       sid, v->rsa_bits, until);
	}
	if (vr != NULL) {
		print_phase(vr);
	}
	if (!HRES_IS_OK(hr)) {
		bpa_tool_print_hresult(NULL, "server certificate refused", hr);
		return exchange_refused_exit(hr);
	}
	if (table == NULL) {
		printf("validated, not stored (--no-store)\n");
	} else {
		printf("added to the peer table %s\n",
		       o->peer_table != NULL ? o->peer_table :
		       r->config->client_peer_table);
	}
	return 0;
}
