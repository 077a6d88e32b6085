/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One log line (and optionally one JSON line) per ExchangePublicKeys */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "util/bpa_debug.h"
#include "util/bpa_text.h"
#include <dcesrv_core.h>
#include "rpc_server/auth_check.h"
#include "rpc_server/exchange.h"
#include "rpc_server/audit.h"

static const char *auth_type_name(enum dcerpc_AuthType t)
{
	switch (t) {
	case DCERPC_AUTH_TYPE_NONE:
		return "none";
	case DCERPC_AUTH_TYPE_KRB5:
		return "krb5";
	case DCERPC_AUTH_TYPE_SPNEGO:
		return "spnego";
	case DCERPC_AUTH_TYPE_NTLMSSP:
		return "ntlmssp";
	case DCERPC_AUTH_TYPE_SCHANNEL:
		return "schannel";
	case DCERPC_AUTH_TYPE_NCALRPC_AS_SYSTEM:
		return "ncalrpc-as-system";
	default:
		return "other";
	}
}

static const char *auth_level_name(enum dcerpc_AuthLevel l)
{
	switch (l) {
	case DCERPC_AUTH_LEVEL_NONE:
		return "none";
	case DCERPC_AUTH_LEVEL_CONNECT:
		return "connect";
	case DCERPC_AUTH_LEVEL_CALL:
		return "call";
	case DCERPC_AUTH_LEVEL_PACKET:
		return "packet";
	case DCERPC_AUTH_LEVEL_INTEGRITY:
		return "integrity";
	case DCERPC_AUTH_LEVEL_PRIVACY:
		return "privacy";
	default:
		return "other";
	}
}

static char *json_field(char *out, const char *name, const char *value,
			bool last)
{
	out = talloc_asprintf_append_buffer(out, "\"%s\": ", name);
	if (out != NULL) {
		out = bpa_json_append_string(out, value);
	}
	if (out != NULL) {
		out = talloc_strdup_append_buffer(out, last ? "}" : ", ");
	}
	return out;
}

char *bpa_srv_audit_json(TALLOC_CTX *mem_ctx,
			 const struct bpa_srv_caller *caller,
			 const struct bpa_exchange_result *res, time_t now)
{
	char ts[BPA_TIME_STRING_MAX];
	char hr[16];
	char *out = NULL;

	bpa_time_format(now, ts);
	snprintf(hr, sizeof(hr), "0x%08x", HRES_ERROR_V(res->hr));
	out = talloc_strdup(mem_ctx, "{\"type\": \"bitspeerauth\", "
			    "\"version\": 1, ");
	out = json_field(out, "timestamp", ts, false);
	out = json_field(out, "callerSid", caller ? caller->sid_str : "",
			 false);
	out = json_field(out, "account", caller ? caller->account_name : "",
			 false);
	out = json_field(out, "remoteAddress", caller ? caller->remote : "",
			 false);
	out = json_field(out, "authType",
			 caller ? auth_type_name(caller->auth_type) : "",
			 false);
	out = json_field(out, "authLevel",
			 caller ? auth_level_name(caller->auth_level) : "",
			 false);
	out = talloc_asprintf_append_buffer(out, "\"clientKeyLength\": %u, ",
					    (unsigned)res->client_key_length);
	out = json_field(out, "subjectSid", res->subject, false);
	out = json_field(out, "verdict",
			 bpa_exchange_verdict_name(res->verdict), false);
	out = json_field(out, "reason", res->reason, false);
	if (res->revocation != NULL) {
		out = json_field(out, "revocation", res->revocation, false);
	}
	out = json_field(out, "hresult", hr, true);
	return out;
}

char *bpa_srv_audit_text(TALLOC_CTX *mem_ctx,
			 const struct bpa_srv_caller *caller,
			 const struct bpa_exchange_result *res)
{
	TALLOC_CTX *frame = talloc_new(mem_ctx);
	const char *sid = caller ? caller->sid_str : "?";
	const char *acct = NULL;
	const char *addr = NULL;
	const char *at = caller ? auth_type_name(caller->auth_type) : "?";
	const char *al = caller ? auth_level_name(caller->auth_level) : "?";
	const char *v = bpa_exchange_verdict_name(res->verdict);
	const char *why = bpa_printable(frame, res->reason);
	const char *subject = res->subject[0] ? res->subject : "-";
	char *line = NULL;

	acct = bpa_printable(frame, caller ? caller->account_name : "?");
	addr = bpa_printable(frame, caller ? caller->remote : "?");
	switch (res->verdict) {
	case BPA_EXCHANGE_SERVED:
	case BPA_EXCHANGE_ADDED:
		line = talloc_asprintf(mem_ctx, "ExchangePublicKeys from %s "
				       "(%s) at %s [%s/%s] key %" PRIu32
				       " bytes: %s subject=%s", sid, acct,
				       addr, at, al, res->client_key_length,
				       v, subject);
		break;
	case BPA_EXCHANGE_ERROR:
		line = talloc_asprintf(mem_ctx, "ExchangePublicKeys from %s "
				       "(%s) at %s [%s/%s]: %s: %s, hresult "
				       "0x%08x", sid, acct, addr, at, al, v,
				       why, HRES_ERROR_V(res->hr));
		break;
	default:
		line = talloc_asprintf(mem_ctx, "ExchangePublicKeys from %s "
				       "(%s) at %s [%s/%s] key %" PRIu32
				       " bytes: refused, %s: %s subject=%s, "
				       "hresult 0x%08x", sid, acct, addr, at,
				       al, res->client_key_length, v, why,
				       subject, HRES_ERROR_V(res->hr));
		break;
	}
	if (line != NULL && res->revocation != NULL) {
		line = talloc_asprintf_append(line, " revocation=%s",
					      res->revocation);
	}
	TALLOC_FREE(frame);
	return line;
}

void bpa_srv_audit(const struct bpa_srv_caller *caller,
		   const struct bpa_exchange_result *res,
		   bool json, time_t now)
{
	char *text = bpa_srv_audit_text(NULL, caller, res);
	const char *t = "ExchangePublicKeys (no memory for the line)";
	char *line = NULL;

	if (text != NULL) {
		t = text;
	}
	switch (res->verdict) {
	case BPA_EXCHANGE_SERVED:
	case BPA_EXCHANGE_ADDED:
		DBG_NOTICE("%s\n", t);
		break;
	case BPA_EXCHANGE_ERROR:
		DBG_ERR("%s\n", t);
		break;
	default:
		DBG_WARNING("%s\n", t);
		break;
	}
	TALLOC_FREE(text);
	if (!json) {
		return;
	}
	line = bpa_srv_audit_json(NULL, caller, res, now);
	if (line != NULL) {
		DEBUG(1, ("bitspeerauth-audit: %s\n", line));
	}
	TALLOC_FREE(line);
}
