/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MS-BPAU 3.1.1, 3.1.3: the state one samba process keeps */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <ctype.h>
#include <unistd.h>
#include "util/bpa_debug.h"
#include <param.h>
#include <dcesrv_core.h>
#include "rpc_server/server_state.h"
#include <ldb.h>

/*
 * Exported by Samba's public libsamdb, declared in no installed header
 * (signature of Samba 4.17: the 5th argument is the remote address
 * used for auditing, the 6th the ldb flags).
 */
struct auth_session_info *system_session(struct loadparm_context *lp_ctx);
struct ldb_context *samdb_connect(TALLOC_CTX *mem_ctx,
				  struct tevent_context *ev,
				  struct loadparm_context *lp_ctx,
				  struct auth_session_info *session_info,
				  const struct tsocket_address *remote_address,
				  unsigned int flags);

/* The one state of this process; its owner is the dcesrv context */
static struct bpa_srv_state *bpa_state;

static int state_destructor(struct bpa_srv_state *s)
{
	if (bpa_state == s) {
		bpa_state = NULL;
	}
	return 0;
}

/* objectSid in its binary form (MS-DTYP 2.4.2.2) */
static bool sid_from_binary(const uint8_t *data, size_t length,
			    struct dom_sid *sid)
{
	size_t i;
	uint8_t n;

	memset(sid, 0, sizeof(*sid));
	if (data == NULL || length < 8) {
		return false;
	}
	n = data[1];
	if (data[0] != 1 || n > 15 || length != 8 + 4 * (size_t)n) {
		return false;
	}
	sid->sid_rev_num = 1;
	sid->num_auths = n;
	memcpy(sid->id_auth, data + 2, 6);
	for (i = 0; i < n; i++) {
		const uint8_t *p = data + 8 + 4 * i;

		sid->sub_auths[i] = (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
			((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
	}
	return true;
}

/* The DC's own computer object: objectSid and dNSHostName */
static bool find_dc_account(TALLOC_CTX *mem_ctx, struct tevent_context *ev,
			    struct loadparm_context *lp_ctx,
			    struct dom_sid *sid, char **fqdn, char **account)
{
	static const char * const attrs[] = {
		"objectSid", "dNSHostName", NULL
	};
	TALLOC_CTX *frame = talloc_new(NULL);
	struct ldb_context *samdb = NULL;
	struct ldb_result *res = NULL;
	const struct ldb_val *val = NULL;
	const char *host = NULL;
	char *acct = NULL;
	char *esc = NULL;
	bool ok = false;
	int ret;

	acct = talloc_asprintf(frame, "%s$", lpcfg_netbios_name(lp_ctx));
	if (acct == NULL) {
		goto done;
	}
	esc = ldb_binary_encode_string(frame, acct);
	if (esc == NULL) {
		goto done;
	}
	samdb = samdb_connect(frame, ev, lp_ctx, system_session(lp_ctx),
			      NULL, 0);
	if (samdb == NULL) {
		DBG_ERR("cannot open sam.ldb to find the DC account\n");
		goto done;
	}
	ret = ldb_search(samdb, frame, &res, ldb_get_default_basedn(samdb),
			 LDB_SCOPE_SUBTREE, attrs,
			 "(&(objectClass=computer)(sAMAccountName=%s))", esc);
	if (ret != LDB_SUCCESS || res->count != 1) {
		DBG_ERR("DC account %s not found in sam.ldb: %s\n", acct,
			(ret != LDB_SUCCESS) ? ldb_errstring(samdb) :
			"not exactly one match");
		goto done;
	}
	val = ldb_msg_find_ldb_val(res->msgs[0], "objectSid");
	ok = (val != NULL) && sid_from_binary(val->data, val->length, sid);
	if (!ok) {
		DBG_ERR("DC account %s has no valid objectSid\n", acct);
		goto done;
	}
	host = ldb_msg_find_attr_as_string(res->msgs[0], "dNSHostName", NULL);
	if (host != NULL) {
		*fqdn = talloc_strdup(mem_ctx, host);
	} else {
		*fqdn = talloc_asprintf(mem_ctx, "%s.%s",
					lpcfg_netbios_name(lp_ctx),
					lpcfg_dnsdomain(lp_ctx));
	}
	*account = talloc_strdup(mem_ctx, acct);
	ok = (*fqdn != NULL && *account != NULL);
	if (ok && host == NULL) {
		char *p = NULL;

		for (p = *fqdn; *p != '\0'; p++) {
			*p = tolower((unsigned char)*p);
		}
	}
done:
	TALLOC_FREE(frame);
	return ok;
}

bool bpa_srv_find_dc_sid(struct tevent_context *ev,
			 struct loadparm_context *lp_ctx,
			 struct dom_sid *sid)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	char *fqdn = NULL;
	char *account = NULL;
	bool ok;

	ok = find_dc_account(frame, ev, lp_ctx, sid, &fqdn, &account);
	TALLOC_FREE(frame);
	return ok;
}

static struct bpa_srv_state *state_make(struct dcesrv_call_state *dce_call)
{
	struct dcesrv_context *dce_ctx = dce_call->conn->dce_ctx;
	struct bpa_srv_state *s = NULL;
	bool ok;

	s = talloc_zero(dce_ctx, struct bpa_srv_state);
	if (s == NULL) {
		return NULL;
	}
	s->pid = getpid();
	s->cfg = bpa_config_load(s, dce_ctx->lp_ctx);
	if (s->cfg == NULL) {
		goto fail;
	}
	ok = find_dc_account(s, dce_call->event_ctx, dce_ctx->lp_ctx,
			     &s->dc_sid, &s->dc_fqdn, &s->dc_account);
	if (!ok) {
		goto fail;
	}
	bpa_sid_format(&s->dc_sid, s->dc_sid_str);
	DBG_NOTICE("serving as %s (%s, %s) in pid %d\n", s->dc_account,
		   s->dc_sid_str, s->dc_fqdn, (int)s->pid);
	talloc_set_destructor(s, state_destructor);
	return s;
fail:
	TALLOC_FREE(s);
	return NULL;
}

struct bpa_srv_state *bpa_srv_state_get(struct dcesrv_call_state *dce_call)
{
	if (bpa_state != NULL && bpa_state->pid != getpid()) {
		/*
		 * Made by the process we were forked from: its handles
		 * are shared with it.  Forget it without closing them.
		 */
		talloc_set_destructor(bpa_state, NULL);
		bpa_state = NULL;
	}
	if (bpa_state == NULL) {
		bpa_state = state_make(dce_call);
	}
	return bpa_state;
}
