/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The BitsPeerAuth endpoint server [MS-BPAU], the same for every host:
 * pidl's marshalling glue (ndr_bitspeerauth_s.c, generated at build
 * time, with the strict pull of librpc/ndr/) and the one handler of
 * ExchangePublicKeys.  The shells (bitspeerauth_module.c on an AD DC,
 * rpcd_bitspeerauth.c on a member) hand this endpoint server to samba or
 * samba-dcerpcd; each detail is in a named layer:
 *   auth_check.c    who may call (3.1.4.1 <2>)
 *   server_state.c  per-process state: config, host identity, local
 *                   certificate, peer table (3.1.1, 3.1.3)
 *   exchange.c      what a call does with a ClientKey (3.1.4.1)
 *   audit.c         one log line (and optional JSON line) per call
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include "util/bpa_debug.h"
#include <dcesrv_core.h>
#include <tevent.h>
#include "util/bpa_hresult.h"
#include "librpc/gen_ndr/ndr_bitspeerauth.h"
#include "rpc_server/auth_check.h"
#include "rpc_server/server_state.h"
#include "rpc_server/exchange.h"
#include "rpc_server/exchange_async.h"
#include "rpc_server/audit.h"
#include "rpc_server/endpoint.h"

static HRESULT dcesrv_bitspeerauth_ExchangePublicKeys(
	struct dcesrv_call_state *dce_call,
	TALLOC_CTX *mem_ctx,
	struct bitspeerauth_ExchangePublicKeys *r);
static NTSTATUS bpa_init_server(struct dcesrv_context *dce_ctx,
				const struct dcesrv_endpoint_server *ep);
#define DCESRV_INTERFACE_BITSPEERAUTH_INIT_SERVER bpa_init_server
static NTSTATUS bpa_bind(struct dcesrv_connection_context *context,
			 const struct dcesrv_interface *iface);
#define DCESRV_INTERFACE_BITSPEERAUTH_BIND bpa_bind

/* pidl's glue compares an int with a uint32_t */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "librpc/gen_ndr/ndr_bitspeerauth_s.c"
#pragma GCC diagnostic pop

/* MS-BPAU 3.1.3: register on a dynamic endpoint, open the table */
static NTSTATUS bpa_init_server(struct dcesrv_context *dce_ctx,
				const struct dcesrv_endpoint_server *ep)
{
	/* the one place the state is created */
	bpa_srv_state_init(dce_ctx);
	bpa_srv_state_start(dce_ctx);
	return bitspeerauth__op_init_server(dce_ctx, ep);
}

/* In the serving process, before its first call on the connection */
static NTSTATUS bpa_bind(struct dcesrv_connection_context *context,
			 const struct dcesrv_interface *iface)
{
	bpa_srv_state_bind();
	return NT_STATUS_OK;
}

/* A call whose checks run in a child (exchange_async.h) */
struct pending_exchange {
	struct dcesrv_call_state *dce_call;
	struct bitspeerauth_ExchangePublicKeys *r;
	struct bpa_srv_caller *caller;
	bool json;
	time_t now;
};

static void answer(struct bitspeerauth_ExchangePublicKeys *r,
		   const struct bpa_exchange_result *res)
{
	if (HRES_IS_OK(res->hr)) {
		*r->out.pServerKeyLength = res->server_blob.length;
		*r->out.pServerKey = res->server_blob.data;
	}
}

static void pending_exchange_done(struct tevent_req *req)
{
	struct pending_exchange *p = tevent_req_callback_data(
		req, struct pending_exchange);
	struct bpa_exchange_result res;
	NTSTATUS status;

	bpa_srv_exchange_recv(req, &res);
	TALLOC_FREE(req);
	bpa_srv_audit(p->caller, &res, p->json, p->now);
	answer(p->r, &res);
	p->r->out.result = res.hr;
	status = dcesrv_reply(p->dce_call);
	if (!NT_STATUS_IS_OK(status)) {
		DBG_ERR("cannot send the reply of an exchange: %s\n",
			nt_errstr(status));
	}
}

/*
 * The exchange goes on after this returns; its reply is sent from
 * pending_exchange_done().  false: not started (no memory), nothing
 * changed, serve it here.
 */
static bool exchange_async(struct dcesrv_call_state *dce_call,
			   TALLOC_CTX *mem_ctx,
			   struct bpa_srv_state *state,
			   struct bpa_srv_caller *caller,
			   struct bitspeerauth_ExchangePublicKeys *r,
			   bool json,
			   time_t now)
{
	struct pending_exchange *p = talloc(mem_ctx, struct pending_exchange);
	struct tevent_req *req = NULL;

	if (p == NULL) {
		return false;
	}
	*p = (struct pending_exchange) {
		.dce_call = dce_call, .r = r, .caller = caller,
		.json = json, .now = now,
	};
	req = bpa_srv_exchange_send(mem_ctx, dce_call->event_ctx, state,
				    caller, r->in.ClientKey,
				    r->in.ClientKeyLength, now);
	if (req == NULL) {
		TALLOC_FREE(p);
		return false;
	}
	tevent_req_set_callback(req, pending_exchange_done, p);
	dce_call->state_flags |= DCESRV_CALL_STATE_FLAG_ASYNC;
	return true;
}

/* MS-BPAU 3.1.4.1 */
static HRESULT dcesrv_bitspeerauth_ExchangePublicKeys(
	struct dcesrv_call_state *dce_call,
	TALLOC_CTX *mem_ctx,
	struct bitspeerauth_ExchangePublicKeys *r)
{
	struct bpa_exchange_result res = {
		.hr = HRES_E_ACCESSDENIED,
		.verdict = BPA_EXCHANGE_REFUSED_CALLER,
		.client_key_length = r->in.ClientKeyLength,
	};
	const struct bpa_config *cfg = NULL;
	struct bpa_srv_caller *caller = NULL;
	struct bpa_srv_state *state = NULL;
	enum bpa_caller_verdict who;
	time_t now = time(NULL);
	bool json;

	/* a nonzero result carries no server key */
	*r->out.pServerKeyLength = 0;
	*r->out.pServerKey = NULL;

	/* the caller's identity, before any work (<2>) */
	cfg = bpa_srv_config(dce_call);
	json = (cfg != NULL) && cfg->audit_json;
	who = bpa_srv_check_caller(mem_ctx, dce_call,
				   (cfg != NULL) && cfg->allow_user_accounts,
				   &caller);
	if (who != BPA_CALLER_OK) {
		res.reason = bpa_caller_verdict_name(who);
		bpa_srv_audit(caller, &res, json, now);
		return res.hr;
	}

	state = bpa_srv_state_get(dce_call);
	if (state == NULL) {
		res.hr = HRES_E_FAIL;
		res.verdict = BPA_EXCHANGE_ERROR;
		res.reason = "server-state-unavailable";
		bpa_srv_audit(caller, &res, json, now);
		return res.hr;
	}

	/* a validator or a responder may take seconds: not on this loop */
	if (r->in.ClientKeyLength != 0 &&
	    bpa_srv_exchange_may_block(state) &&
	    (dce_call->state_flags & DCESRV_CALL_STATE_FLAG_MAY_ASYNC) &&
	    exchange_async(dce_call, mem_ctx, state, caller, r, json, now)) {
		/* the result is set when the reply is sent */
		return BPA_S_OK;
	}
	bpa_srv_exchange(mem_ctx, state, caller, r->in.ClientKey,
			 r->in.ClientKeyLength, now, &res);
	bpa_srv_audit(caller, &res, json, now);
	answer(r, &res);
	return res.hr;
}

const struct dcesrv_endpoint_server *bpa_srv_endpoint_server(
	const struct bpa_srv_host *host)
{
	static const struct dcesrv_endpoint_server ep_server = {
		.name = "bitspeerauth",
		.initialized = false,
		.init_server = bpa_init_server,
		.shutdown_server = bitspeerauth__op_shutdown_server,
		.interface_by_uuid = bitspeerauth__op_interface_by_uuid,
		.interface_by_name = bitspeerauth__op_interface_by_name,
	};

	bpa_srv_set_host(host);
	return &ep_server;
}
