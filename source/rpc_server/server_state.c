/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MS-BPAU 3.1.1, 3.1.3: the state one samba process keeps */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <ctype.h>
#include <time.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include "util/bpa_debug.h"
#include <param.h>
#include <dcesrv_core.h>
#include "peers/peer_table.h"
#include "localcert/local_cert.h"
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

/* MS-BPAU 3.1.3: the table, empty at start unless persistent */
static HRESULT state_open_table(struct bpa_srv_state *s)
{
	struct bpa_peer_table_params p;
	HRESULT hr;

	bpa_peer_table_params_init(&p);
	p.path = s->cfg->peer_table;
	p.max_peers = s->cfg->max_peers;
	p.evict_min_age = s->cfg->evict_min_age;
	p.persistent = s->cfg->persistent_peers;
	hr = bpa_peer_table_open(s, &p, &s->table);
	if (!HRES_IS_OK(hr)) {
		DBG_ERR("cannot open the peer table %s: 0x%08x (%s)\n",
			p.path, HRES_ERROR_V(hr),
			bpa_hresult_name(hr) ? bpa_hresult_name(hr)
						  : "error");
		return hr;
	}
	DBG_NOTICE("peer table %s (%s, at most %" PRIu32 " peers)\n",
		   p.path, p.persistent ? "persistent" : "emptied at start",
		   bpa_peer_table_max_peers(s->table));
	return hr;
}

void bpa_srv_state_init(struct dcesrv_context *dce_ctx)
{
	struct bpa_srv_state *s = NULL;
	HRESULT hr;

	if (bpa_state != NULL) {
		return;
	}
	s = talloc_zero(dce_ctx, struct bpa_srv_state);
	if (s == NULL) {
		DBG_ERR("no memory for the bitspeerauth state\n");
		return;
	}
	s->pid = getpid();
	s->cfg = bpa_config_load(s, dce_ctx->lp_ctx);
	if (s->cfg == NULL) {
		DBG_ERR("cannot read the bitspeerauth configuration\n");
		TALLOC_FREE(s);
		return;
	}
	hr = state_open_table(s);
	if (!HRES_IS_OK(hr)) {
		TALLOC_FREE(s);
		return;
	}
	talloc_set_destructor(s, state_destructor);
	bpa_state = s;
}

/* A process forked from the one that opened the table */
static bool state_after_fork(struct bpa_srv_state *s)
{
	HRESULT hr;

	if (s->table != NULL) {
		hr = bpa_peer_table_reopen(s->table);
		if (!HRES_IS_OK(hr)) {
			/* unusable (peer_table.h): drop it, open again */
			DBG_ERR("pid %d: cannot re-establish the peer table "
				"(0x%08x), opening it again\n", (int)getpid(),
				HRES_ERROR_V(hr));
			TALLOC_FREE(s->table);
		}
	}
	if (s->table == NULL) {
		/* the parent still holds the file: this does not empty it */
		hr = state_open_table(s);
		if (!HRES_IS_OK(hr)) {
			return false;
		}
	}
	s->pid = getpid();
	/* load the certificate afresh in this process */
	TALLOC_FREE(s->cert);
	return true;
}

static bool state_load_identity(struct bpa_srv_state *s,
				struct dcesrv_call_state *dce_call)
{
	struct loadparm_context *lp_ctx = dce_call->conn->dce_ctx->lp_ctx;
	bool ok;

	ok = find_dc_account(s, dce_call->event_ctx, lp_ctx, &s->dc_sid,
			     &s->dc_fqdn, &s->dc_account);
	if (!ok) {
		return false;
	}
	bpa_sid_format(&s->dc_sid, s->dc_sid_str);
	s->have_identity = true;
	DBG_NOTICE("serving as %s (%s, %s) in pid %d\n", s->dc_account,
		   s->dc_sid_str, s->dc_fqdn, (int)getpid());
	return true;
}

const struct bpa_config *bpa_srv_config(struct dcesrv_call_state *dce_call)
{
	if (bpa_state == NULL) {
		/* init_server did not run or failed: try once more */
		bpa_srv_state_init(dce_call->conn->dce_ctx);
	}
	return (bpa_state != NULL) ? bpa_state->cfg : NULL;
}

/* Serialise creation between the workers: one creates, the rest load */
static int cert_lock(TALLOC_CTX *mem_ctx, const char *cert_file)
{
	char *path = talloc_asprintf(mem_ctx, "%s.lock", cert_file);
	int fd;
	int ret;

	if (path == NULL) {
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		DBG_ERR("cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	do {
		ret = flock(fd, LOCK_EX);
	} while (ret == -1 && errno == EINTR);
	if (ret == -1) {
		DBG_ERR("cannot lock %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* MS-BPAU 3.1.1.1: the local certificate, created on first use */
static bool state_load_cert(struct bpa_srv_state *s, time_t now)
{
	struct bpa_local_cert_params p = {
		.cert_file = s->cfg->certificate_file,
		.key_file = s->cfg->key_file,
		.sid = &s->dc_sid,
		.dns_name = s->dc_fqdn,
		.key_bits = s->cfg->key_bits,
		.lifetime_days = s->cfg->cert_lifetime_days,
		.renew_days = s->cfg->cert_renew_days,
		.now = now,
	};
	TALLOC_CTX *frame = talloc_new(s);
	struct bpa_local_cert *lc = NULL;
	HRESULT hr = HRES_E_OUTOFMEMORY;
	int fd;

	fd = cert_lock(frame, p.cert_file);
	if (fd != -1) {
		hr = bpa_local_cert_load_or_create(s, &p, &lc);
		close(fd);
	}
	TALLOC_FREE(frame);
	if (fd == -1 || !HRES_IS_OK(hr) || lc == NULL) {
		DBG_ERR("no local certificate (%s, %s): 0x%08x\n",
			p.cert_file, p.key_file, HRES_ERROR_V(hr));
		TALLOC_FREE(lc);
		return false;
	}
	TALLOC_FREE(s->cert);
	s->cert = lc;
	DBG_NOTICE("%s the local certificate %s (subject %s, %zu byte "
		   "blob)\n", lc->created ? "created" : "loaded", p.cert_file,
		   s->dc_sid_str, lc->blob.length);
	return true;
}

struct bpa_srv_state *bpa_srv_state_get(struct dcesrv_call_state *dce_call)
{
	time_t now = time(NULL);
	pid_t pid = getpid();
	struct bpa_srv_state *s = NULL;
	bool ok = true;

	if (bpa_state == NULL) {
		/* init_server did not run or failed: try once more */
		bpa_srv_state_init(dce_call->conn->dce_ctx);
	}
	s = bpa_state;
	if (s == NULL) {
		return NULL;
	}
	if (s->pid != pid) {
		ok = state_after_fork(s);
	}
	if (ok && !s->have_identity) {
		ok = state_load_identity(s, dce_call);
	}
	if (ok && s->cert != NULL) {
		s->cert_due = bpa_local_cert_needs_renewal(
			s->cert, now, s->cfg->cert_renew_days);
	}
	if (ok && (s->cert == NULL || s->cert_due)) {
		ok = state_load_cert(s, now);
	}
	return ok ? s : NULL;
}
