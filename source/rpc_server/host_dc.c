/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The AD DC host (bitspeerauth.so inside samba): the machine account is
 * the DC's own computer object in sam.ldb, and the endpoint server's
 * initialisation, in the process that forks the workers, is the
 * server's start (MS-BPAU 3.1.3).
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <ctype.h>
#include "util/bpa_debug.h"
#include <param.h>
#include <util/data_blob.h>
#include <ldb.h>
#include "rpc_server/server_state.h"
#include "rpc_server/host.h"

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

/* objectSid in its binary form (MS-DTYP 2.4.2.2) */
static bool sid_from_binary(const uint8_t *data,
			    size_t length,
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
static bool dc_find_identity(TALLOC_CTX *mem_ctx,
			     struct tevent_context *ev,
			     struct loadparm_context *lp_ctx,
			     struct bpa_srv_identity *id)
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
	ok = (val != NULL) && sid_from_binary(val->data, val->length,
					      &id->sid);
	if (!ok) {
		DBG_ERR("DC account %s has no valid objectSid\n", acct);
		goto done;
	}
	host = ldb_msg_find_attr_as_string(res->msgs[0], "dNSHostName", NULL);
	if (host != NULL) {
		id->fqdn = talloc_strdup(mem_ctx, host);
	} else {
		id->fqdn = bpa_srv_host_dns_name(mem_ctx, lp_ctx);
	}
	id->account = talloc_strdup(mem_ctx, acct);
	ok = (id->fqdn != NULL && id->account != NULL);
done:
	TALLOC_FREE(frame);
	return ok;
}

const struct bpa_srv_host bpa_srv_host_dc = {
	.role = "AD DC",
	.find_identity = dc_find_identity,
	.init_starts_table = true,
	.runs_prefetch = true,
};
