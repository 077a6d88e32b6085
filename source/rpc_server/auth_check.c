/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MS-BPAU 3.1.4.1 <2>: who may call ExchangePublicKeys */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "util/bpa_debug.h"
#include <dcesrv_core.h>
#include <tsocket.h>
#include <samba/session.h>
#include <gen_ndr/auth.h>
#include <gen_ndr/samr.h>
#include "rpc_server/auth_check.h"

const char *bpa_caller_verdict_name(enum bpa_caller_verdict v)
{
	switch (v) {
	case BPA_CALLER_OK:
		return "ok";
	case BPA_CALLER_NOT_KERBEROS:
		return "not-kerberos";
	case BPA_CALLER_LEVEL_TOO_LOW:
		return "auth-level-below-integrity";
	case BPA_CALLER_NO_IDENTITY:
		return "no-identity";
	case BPA_CALLER_NOT_DOMAIN_ACCOUNT:
		return "not-a-domain-account";
	case BPA_CALLER_NOT_COMPUTER:
		return "not-a-computer-account";
	}
	return "unknown";
}

/* S-1-5-21-...: an account of an AD domain (MS-DTYP 2.4.2.4) */
static bool sid_is_domain_account(const struct dom_sid *sid)
{
	static const uint8_t nt_authority[6] = { 0, 0, 0, 0, 0, 5 };

	if (sid->sid_rev_num != 1 || sid->num_auths < 5) {
		return false;
	}
	int cmp;

	cmp = memcmp(sid->id_auth, nt_authority, sizeof(nt_authority));
	if (cmp != 0) {
		return false;
	}
	return sid->sub_auths[0] == 21;
}

static bool is_computer(const struct auth_user_info *info)
{
	uint32_t trust = ACB_WSTRUST | ACB_SVRTRUST;
	size_t len;

	if (info == NULL || info->account_name == NULL) {
		return false;
	}
	if ((info->acct_flags & trust) == 0) {
		return false;
	}
	len = strlen(info->account_name);
	return len > 1 && info->account_name[len - 1] == '$';
}

static const char *remote_string(TALLOC_CTX *mem_ctx,
				 struct dcesrv_call_state *dce_call)
{
	const struct tsocket_address *addr = NULL;
	char *s = NULL;

	addr = dcesrv_connection_get_remote_address(dce_call->conn);
	if (addr == NULL) {
		return "unknown";
	}
	s = tsocket_address_string(addr, mem_ctx);
	return (s != NULL) ? s : "unknown";
}

enum bpa_caller_verdict bpa_srv_check_caller(TALLOC_CTX *mem_ctx,
					     struct dcesrv_call_state *dce_call,
					     bool allow_user_accounts,
					     struct bpa_srv_caller **caller)
{
	struct bpa_srv_caller *c = NULL;
	struct auth_session_info *session = NULL;
	const struct auth_user_info *info = NULL;
	const char *dom = NULL;
	const char *acc = NULL;
	bool domain_account;
	bool computer;

	*caller = NULL;
	c = talloc_zero(mem_ctx, struct bpa_srv_caller);
	if (c == NULL) {
		return BPA_CALLER_NO_IDENTITY;
	}
	*caller = c;
	c->remote = remote_string(c, dce_call);
	c->account_name = "";
	snprintf(c->sid_str, sizeof(c->sid_str), "none");

	dcesrv_call_auth_info(dce_call, &c->auth_type, &c->auth_level);

	session = dcesrv_call_session_info(dce_call);
	if (session != NULL && session->security_token != NULL &&
	    session->security_token->num_sids > 0) {
		/* the user SID is the first one (PRIMARY_USER_SID_INDEX) */
		c->sid = session->security_token->sids[0];
		bpa_sid_format(&c->sid, c->sid_str);
	}
	if (session != NULL) {
		info = session->info;
	}
	if (info != NULL) {
		dom = (info->domain_name != NULL) ? info->domain_name : "";
		acc = (info->account_name != NULL) ? info->account_name : "";
		c->account_name = talloc_asprintf(c, "%s\\%s", dom, acc);
		if (c->account_name == NULL) {
			c->account_name = "";
		}
		c->acct_flags = info->acct_flags;
	}

	/* rule 1: Kerberos only (MS-BPAU 3.1.4.1, 3.2.3) */
	if (c->auth_type != DCERPC_AUTH_TYPE_KRB5) {
		return BPA_CALLER_NOT_KERBEROS;
	}
	/* rule 2: integrity or privacy */
	if (c->auth_level < DCERPC_AUTH_LEVEL_INTEGRITY) {
		return BPA_CALLER_LEVEL_TOO_LOW;
	}
	/* rule 3: an account of a domain */
	if (session == NULL || session->security_token == NULL ||
	    session->security_token->num_sids == 0) {
		return BPA_CALLER_NO_IDENTITY;
	}
	domain_account = sid_is_domain_account(&c->sid);
	if (!domain_account) {
		return BPA_CALLER_NOT_DOMAIN_ACCOUNT;
	}
	/* rule 4, <2>: a computer account unless configured otherwise */
	computer = is_computer(info);
	if (!allow_user_accounts && !computer) {
		return BPA_CALLER_NOT_COMPUTER;
	}
	return BPA_CALLER_OK;
}
