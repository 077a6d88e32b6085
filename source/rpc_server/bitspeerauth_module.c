/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bitspeerauth.so: the BitsPeerAuth endpoint server [MS-BPAU] as a
 * Samba dcerpc_server module.  samba loads it from
 * <modulesdir>/dcerpc_server/ and serves it when smb.conf has
 * "dcerpc endpoint servers = +bitspeerauth".
 *
 * The marshalling is pidl's (ndr_bitspeerauth_s.c, generated at build
 * time); this file is the protocol, each detail in a named layer:
 *   auth_check.c    who may call (3.1.4.1 <2>)
 *   server_state.c  per-process state: config, DC identity, cert, table
 *   exchange.c      what a call does with a ClientKey (3.1.4.1)
 *   audit.c         one log line (and optional JSON line) per call
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include "util/bpa_debug.h"
#include <dcesrv_core.h>
#include "util/hresult_codes.h"
#include "librpc/gen_ndr/ndr_bitspeerauth.h"
#include "rpc_server/auth_check.h"
#include "rpc_server/server_state.h"

static HRESULT dcesrv_ExchangePublicKeys(struct dcesrv_call_state *dce_call,
					 TALLOC_CTX *mem_ctx,
					 struct ExchangePublicKeys *r);

/* pidl's glue compares an int with a uint32_t */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "librpc/gen_ndr/ndr_bitspeerauth_s.c"
#pragma GCC diagnostic pop

/* MS-BPAU 3.1.4.1 */
static HRESULT dcesrv_ExchangePublicKeys(struct dcesrv_call_state *dce_call,
					 TALLOC_CTX *mem_ctx,
					 struct ExchangePublicKeys *r)
{
	struct bpa_srv_state *state = NULL;
	struct bpa_srv_caller *caller = NULL;
	enum bpa_caller_verdict who;

	/* on any nonzero result: no server key */
	*r->out.pServerKeyLength = 0;
	*r->out.pServerKey = NULL;

	state = bpa_srv_state_get(dce_call);
	if (state == NULL) {
		return BPA_E_FAIL;
	}

	/* the caller's identity, before any work */
	who = bpa_srv_check_caller(mem_ctx, dce_call,
				   state->cfg->allow_user_accounts, &caller);
	if (who != BPA_CALLER_OK) {
		DBG_WARNING("refused %s from %s: %s\n",
			    caller ? caller->sid_str : "?",
			    caller ? caller->remote : "?",
			    bpa_caller_verdict_name(who));
		return BPA_E_ACCESSDENIED;
	}
	DBG_NOTICE("call from %s (%s) at %s\n", caller->sid_str,
		   caller->account_name, caller->remote);
	return BPA_E_FAIL;
}

NTSTATUS samba_init_module(TALLOC_CTX *ctx);

NTSTATUS samba_init_module(TALLOC_CTX *ctx)
{
	bpa_debug_init();
	return dcerpc_server_bitspeerauth_init(ctx);
}
