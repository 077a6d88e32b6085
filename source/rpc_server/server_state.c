/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MS-BPAU 3.1.1, 3.1.3: the state one server process keeps */
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
#include <tevent.h>
#include "peers/peer_table.h"
#include "revocation/revocation.h"
#include "validator/validator.h"
#include "localcert/local_cert.h"
#include "rpc_server/server_state.h"
#include "rpc_server/host.h"
#include "rpc_server/server_prefetch.h"

/* The one state of this process; its owner is the dcesrv context */
static struct bpa_srv_state *bpa_state;
/* The host this process serves as (bpa_srv_set_host()) */
static const struct bpa_srv_host *bpa_host;

static int state_destructor(struct bpa_srv_state *s)
{
	if (bpa_state == s) {
		bpa_state = NULL;
	}
	return 0;
}

void bpa_srv_set_host(const struct bpa_srv_host *host)
{
	bpa_host = host;
}

/*
 * MS-BPAU 3.1.3: the table, empty at start unless persistent.  An open
 * that is not the server's start (@starting false) never empties it.
 */
static HRESULT open_table(TALLOC_CTX *mem_ctx,
			  const struct bpa_config *cfg,
			  bool starting,
			  struct bpa_peer_table **pt)
{
	struct bpa_peer_table_params p;
	HRESULT hr;

	bpa_peer_table_params_init(&p);
	p.path = cfg->peer_table;
	p.max_peers = cfg->max_peers;
	p.evict_min_age = cfg->evict_min_age;
	p.persistent = cfg->persistent_peers || !starting;
	/* the host's start checked a persistent table; workers use it */
	p.skip_check = !starting;
	hr = bpa_peer_table_open(mem_ctx, &p, pt);
	if (!HRES_IS_OK(hr)) {
		DBG_ERR("cannot open the peer table %s: 0x%08x (%s)\n",
			p.path, HRES_ERROR_V(hr),
			bpa_hresult_name(hr) ? bpa_hresult_name(hr)
						  : "error");
		return hr;
	}
	DBG_NOTICE("peer table %s (%s, at most %" PRIu32 " peers)\n",
		   p.path,
		   cfg->persistent_peers ? "persistent" :
		   starting ? "emptied at start" :
		   "emptied at the host's start",
		   bpa_peer_table_max_peers(*pt));
	return hr;
}

static HRESULT state_open_table(struct bpa_srv_state *s)
{
	HRESULT hr = open_table(s, s->cfg, s->host->init_starts_table,
				&s->table);

	if (HRES_IS_OK(hr)) {
		/* 3.1.6.1: a revoked certificate is not a known peer */
		bpa_peer_table_set_revocation(s->table, s->rev,
					      (int)s->cfg->revocation_check);
	}
	return hr;
}

HRESULT bpa_srv_table_start(struct loadparm_context *lp_ctx)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	struct bpa_peer_table *t = NULL;
	struct bpa_config *cfg = NULL;
	HRESULT hr = HRES_E_OUTOFMEMORY;

	if (frame == NULL) {
		return hr;
	}
	cfg = bpa_config_load(frame, lp_ctx);
	if (cfg == NULL) {
		DBG_ERR("cannot read the bitspeerauth configuration\n");
		goto done;
	}
	hr = open_table(frame, cfg, true, &t);
	if (HRES_IS_OK(hr)) {
		/* the validator's success cache starts empty too */
		struct bpa_validation_ctx *v = NULL;

		hr = bpa_validation_ctx_from_config(frame, cfg, true, &v);
	}
done:
	TALLOC_FREE(frame);
	return hr;
}

void bpa_srv_state_init(struct dcesrv_context *dce_ctx)
{
	struct bpa_srv_state *s = NULL;
	HRESULT hr;

	if (bpa_state != NULL) {
		return;
	}
	if (bpa_host == NULL) {
		DBG_ERR("no host set for the bitspeerauth server\n");
		return;
	}
	s = talloc_zero(dce_ctx, struct bpa_srv_state);
	if (s == NULL) {
		DBG_ERR("no memory for the bitspeerauth state\n");
		return;
	}
	s->pid = tevent_cached_getpid();
	s->host = bpa_host;
	s->cfg = bpa_config_load(s, dce_ctx->lp_ctx);
	if (s->cfg == NULL) {
		DBG_ERR("cannot read the bitspeerauth configuration\n");
		TALLOC_FREE(s);
		return;
	}
	/* seed ocsp-revocation-provider: a configuration that cannot be
	 * used (a provider name, a ca file, a crl file) leaves no state:
	 * calls answer E_FAIL rather than skip the checks asked for */
	hr = bpa_rev_stack_from_config(s, s->cfg, &s->rev);
	if (!HRES_IS_OK(hr)) {
		DBG_ERR("the bitspeerauth:revocation configuration is not "
			"usable: 0x%08x (%s)\n", HRES_ERROR_V(hr),
			bpa_hresult_name(hr) ? bpa_hresult_name(hr) : "error");
		TALLOC_FREE(s);
		return;
	}
	DBG_NOTICE("revocation check = %s\n",
		   bpa_rev_mode_name((enum bpa_rev_mode)
				     s->cfg->revocation_check));
	hr = state_open_table(s);
	if (!HRES_IS_OK(hr)) {
		TALLOC_FREE(s);
		return;
	}
	/* seed bits-validate-server-certificate: the validator, its cache
	 * emptied at the server's start like the table */
	hr = bpa_validation_ctx_from_config(s, s->cfg,
					    s->host->init_starts_table,
					    &s->validator);
	if (!HRES_IS_OK(hr)) {
		DBG_ERR("the bitspeerauth:validator cache is not usable: "
			"0x%08x\n", HRES_ERROR_V(hr));
		TALLOC_FREE(s);
		return;
	}
	talloc_set_destructor(s, state_destructor);
	bpa_state = s;
}

static bool state_load_identity(struct bpa_srv_state *s,
				struct tevent_context *ev,
				struct loadparm_context *lp_ctx);
static bool state_load_cert(struct bpa_srv_state *s, time_t now);

/*
 * MS-BPAU 3.1.1.1: the identity and the local certificate, from the
 * endpoint server's initialisation, so that a self-managed pair is
 * created (an RSA key generation) at the server's start and not by its
 * first caller.  A failure is logged and leaves the first call to try
 * again.  seed cert-open-server-ocsp-response: the prefetcher needs the
 * certificate, so it starts here too, in the process that forks the
 * workers.
 */
void bpa_srv_state_start(struct dcesrv_context *dce_ctx)
{
	struct bpa_srv_state *s = bpa_state;
	struct tevent_context *ev = NULL;
	bool prefetch = false;

	if (s == NULL) {
		return;
	}
	prefetch = s->prefetch_pid == 0 && s->host->runs_prefetch &&
		   bpa_srv_prefetch_wanted(s);
	/* for sam.ldb only: the lookup gets a loop of its own */
	ev = tevent_context_init(s);
	if (ev == NULL) {
		return;
	}
	if (!s->have_identity &&
	    !state_load_identity(s, ev, dce_ctx->lp_ctx)) {
		DBG_WARNING("no identity yet, the first call looks again%s\n",
			    prefetch ? "; OCSP prefetch not started" : "");
		goto done;
	}
	if (s->cert == NULL && !state_load_cert(s, time(NULL))) {
		DBG_WARNING("no local certificate yet, the first call tries "
			    "again%s\n",
			    prefetch ? "; OCSP prefetch not started" : "");
		goto done;
	}
	if (prefetch) {
		bpa_srv_prefetch_start(s);
	}
done:
	TALLOC_FREE(ev);
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
				"(0x%08x), opening it again\n",
				(int)tevent_cached_getpid(), HRES_ERROR_V(hr));
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
	s->pid = tevent_cached_getpid();
	/* load the certificate afresh in this process */
	TALLOC_FREE(s->cert);
	return true;
}

static bool state_load_identity(struct bpa_srv_state *s,
				struct tevent_context *ev,
				struct loadparm_context *lp_ctx)
{
	bool ok;

	ok = s->host->find_identity(s, ev, lp_ctx, &s->self);
	if (!ok) {
		return false;
	}
	bpa_sid_format(&s->self.sid, s->self_sid_str);
	s->have_identity = true;
	DBG_NOTICE("serving as %s %s (%s, %s) in pid %d\n", s->host->role,
		   s->self.account, s->self_sid_str, s->self.fqdn,
		   (int)tevent_cached_getpid());
	return true;
}

const struct bpa_config *bpa_srv_config(struct dcesrv_call_state *dce_call)
{
	return (bpa_state != NULL) ? bpa_state->cfg : NULL;
}

/* MS-BPAU 3.1.1.1: the local certificate (a missing self-managed pair
 * is created) */
static bool state_load_cert(struct bpa_srv_state *s, time_t now)
{
	struct bpa_local_cert_params p = {
		.cert_file = s->cfg->certificate_file,
		.key_file = s->cfg->key_file,
		.sid = &s->self.sid,
		.dns_name = s->self.fqdn,
		.key_bits = s->cfg->key_bits,
		.lifetime_days = s->cfg->cert_lifetime_days,
		.renew_days = s->cfg->cert_renew_days,
		.now = now,
		/* the administrator's files: used as they are or refused */
		.configured = s->cfg->certificate_configured,
	};
	struct bpa_local_cert *lc = NULL;
	HRESULT hr;

	/* the self-managed pair is created under localcert's lock file */
	hr = bpa_local_cert_load_or_create(s, &p, &lc);
	if (!HRES_IS_OK(hr) || lc == NULL) {
		DBG_ERR("no local certificate (%s, %s): 0x%08x\n",
			p.cert_file, p.key_file, HRES_ERROR_V(hr));
		TALLOC_FREE(lc);
		return false;
	}
	TALLOC_FREE(s->cert);
	s->cert = lc;
	DBG_NOTICE("%s the local certificate %s (subject %s, %zu byte "
		   "blob)\n", lc->created ? "created" : "loaded", p.cert_file,
		   s->self_sid_str, lc->blob.length);
	return true;
}

/*
 * No fork hook reaches an endpoint server: struct dcesrv_endpoint_server
 * has only init_server and shutdown_server, the rpc task's post_fork
 * (dcesrv_post_fork() in Samba's source4/rpc_server/service_rpc.c) only
 * adds the single-process endpoints, and the standard model's fork at
 * accept calls no hook at all.  The first hook that runs in the serving
 * process is the interface's bind, so the pid is compared there, once
 * per bind, not per call.
 */
void bpa_srv_state_bind(void)
{
	struct bpa_srv_state *s = bpa_state;

	if (s == NULL || s->pid == tevent_cached_getpid()) {
		return;
	}
	/* on failure (logged) s->pid stays: the calls on this binding
	 * answer E_FAIL and the next bind tries again */
	(void)state_after_fork(s);
}

struct bpa_srv_state *bpa_srv_state_get(struct dcesrv_call_state *dce_call)
{
	time_t now = time(NULL);
	struct bpa_srv_state *s = bpa_state;
	bool ok = true;

	/* created by init_server only (bpa_srv_state_init()) */
	if (s == NULL) {
		return NULL;
	}
	/* made ready for this process by bpa_srv_state_bind() */
	if (s->pid != tevent_cached_getpid()) {
		DBG_ERR("pid %d: the state was not re-established after the "
			"fork\n", (int)tevent_cached_getpid());
		return NULL;
	}
	if (!s->have_identity) {
		ok = state_load_identity(s, dce_call->event_ctx,
					 dce_call->conn->dce_ctx->lp_ctx);
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

char *bpa_srv_host_dns_name(TALLOC_CTX *mem_ctx,
			    struct loadparm_context *lp_ctx)
{
	char *s = talloc_asprintf(mem_ctx, "%s.%s",
				  lpcfg_netbios_name(lp_ctx),
				  lpcfg_dnsdomain(lp_ctx));
	char *p = NULL;

	for (p = s; p != NULL && *p != '\0'; p++) {
		*p = tolower((unsigned char)*p);
	}
	return s;
}
