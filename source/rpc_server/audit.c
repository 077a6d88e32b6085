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

static char *json_field(char *out,
			const char *name,
			const char *value,
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
			 const struct bpa_exchange_result *res,
			 time_t now)
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
	if (res->phase != NULL) {
		out = json_field(out, "phase", res->phase, false);
	}
	if (res->phase != NULL && HRES_IS_OK(res->hr)) {
		out = talloc_asprintf_append_buffer(out,
			"\"validatorCached\": %s, ",
			res->validator_cached ? "true" : "false");
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
	if (line != NULL && res->phase != NULL) {
		line = talloc_asprintf_append(line, " phase=%s", res->phase);
	}
	if (line != NULL && res->phase != NULL && HRES_IS_OK(res->hr)) {
		line = talloc_asprintf_append(line, " validatorCached=%s",
					      res->validator_cached ? "yes" :
					      "no");
	}
	TALLOC_FREE(frame);
	return line;
}

/*
 * A caller nobody authenticated: no caller described, auth type none,
 * no token, or the anonymous SID (S-1-5-7).  Anyone who can reach the
 * port can be one, as often as the connection allows.
 */
static bool caller_unauthenticated(const struct bpa_srv_caller *c)
{
	if (c == NULL || c->auth_type == DCERPC_AUTH_TYPE_NONE) {
		return true;
	}
	return strcmp(c->sid_str, "none") == 0 ||
	       strcmp(c->sid_str, "S-1-5-7") == 0;
}

int bpa_srv_audit_level(const struct bpa_srv_caller *caller,
			const struct bpa_exchange_result *res)
{
	switch (res->verdict) {
	case BPA_EXCHANGE_SERVED:
	case BPA_EXCHANGE_ADDED:
		return DBGLVL_NOTICE;
	case BPA_EXCHANGE_ERROR:
		return DBGLVL_ERR;
	case BPA_EXCHANGE_REFUSED_CALLER:
		if (caller_unauthenticated(caller)) {
			return BPA_AUDIT_UNAUTH_LEVEL;
		}
		return DBGLVL_WARNING;
	default:
		return DBGLVL_WARNING;
	}
}

/* This process's count of unauthenticated refusals since the last summary */
static struct {
	time_t since;
	uint64_t count;
} unauth;

/* One level-1 line per BPA_AUDIT_SUMMARY_INTERVAL, not one per call */
static void unauth_summary(const struct bpa_srv_caller *caller, time_t now)
{
	char ts[BPA_TIME_STRING_MAX];
	TALLOC_CTX *frame = NULL;
	const char *addr = NULL;

	unauth.count++;
	if (unauth.since != 0 && now >= unauth.since &&
	    now - unauth.since < BPA_AUDIT_SUMMARY_INTERVAL) {
		return;
	}
	frame = talloc_new(NULL);
	addr = bpa_printable(frame, caller ? caller->remote : "?");
	bpa_time_format(unauth.since != 0 ? unauth.since : now, ts);
	DBG_WARNING("ExchangePublicKeys: %" PRIu64 " call(s) of "
		    "unauthenticated or anonymous callers refused since %s, "
		    "the last from %s (each logged at level %d)\n",
		    unauth.count, ts, addr, BPA_AUDIT_UNAUTH_LEVEL);
	TALLOC_FREE(frame);
	unauth.since = now;
	unauth.count = 0;
}

void bpa_srv_audit(const struct bpa_srv_caller *caller,
		   const struct bpa_exchange_result *res,
		   bool json,
		   time_t now)
{
	int level = bpa_srv_audit_level(caller, res);
	/* the JSON line is at level 1, a flood's with its text line */
	int json_level = (level == BPA_AUDIT_UNAUTH_LEVEL) ? level :
			 DBGLVL_WARNING;
	char *text = NULL;
	char *line = NULL;

	if (level == BPA_AUDIT_UNAUTH_LEVEL) {
		unauth_summary(caller, now);
	}
	/* below the log level nothing is formatted: a flood costs no
	 * allocation */
	if (CHECK_DEBUGLVL(level)) {
		text = bpa_srv_audit_text(NULL, caller, res);
		DEBUG(level, ("%s\n", text != NULL ? text :
			      "ExchangePublicKeys (no memory for the line)"));
		TALLOC_FREE(text);
	}
	if (!json || !CHECK_DEBUGLVL(json_level)) {
		return;
	}
	line = bpa_srv_audit_json(NULL, caller, res, now);
	if (line != NULL) {
		DEBUG(json_level, ("bitspeerauth-audit: %s\n", line));
	}
	TALLOC_FREE(line);
}
