/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>
#include "util/bpa_debug.h"
#include <param.h>
#include "util/bpa_config.h"

/* exported by libsamba-hostconfig, not declared in the installed param.h */
const char *lpcfg_state_directory(struct loadparm_context *);

#define BPA_PARM "bitspeerauth"

static uint32_t parm_u32(struct loadparm_context *lp_ctx, const char *name,
			 uint32_t def, uint32_t min, uint32_t max)
{
	unsigned long v = lpcfg_parm_ulong(lp_ctx, NULL, BPA_PARM, name, def);

	if (v < min || v > max) {
		DBG_WARNING("bitspeerauth:%s = %lu out of range "
			    "[%" PRIu32 ", %" PRIu32 "], using %" PRIu32 "\n",
			    name, v, min, max, def);
		return def;
	}
	return (uint32_t)v;
}

static char *parm_path(TALLOC_CTX *mem_ctx, struct loadparm_context *lp_ctx,
		       const char *name, const char *dir, const char *file)
{
	const char *v = lpcfg_parm_string(lp_ctx, NULL, BPA_PARM, name);

	if (v != NULL && v[0] != '\0') {
		return talloc_strdup(mem_ctx, v);
	}
	return talloc_asprintf(mem_ctx, "%s/%s", dir, file);
}

struct bpa_config *bpa_config_load(TALLOC_CTX *mem_ctx,
				   struct loadparm_context *lp_ctx)
{
	struct bpa_config *c = talloc_zero(mem_ctx, struct bpa_config);
	const char *state = NULL;
	const char *priv = NULL;

	if (c == NULL) {
		return NULL;
	}
	state = lpcfg_state_directory(lp_ctx);
	priv = lpcfg_private_dir(lp_ctx);

	c->max_peers = parm_u32(lp_ctx, "max peers", 100, 1, 10000000);
	c->evict_min_age = parm_u32(lp_ctx, "evict min age", 60, 0, 86400);
	c->persistent_peers = lpcfg_parm_bool(lp_ctx, NULL, BPA_PARM,
					      "persistent peers", false);
	c->peer_table = parm_path(c, lp_ctx, "peer table", state,
				  "bitspeerauth_peers.tdb");
	c->client_peer_table = parm_path(c, lp_ctx, "client peer table",
					 state,
					 "bitspeerauth_client_peers.tdb");
	c->allow_user_accounts = lpcfg_parm_bool(lp_ctx, NULL, BPA_PARM,
						 "allow user accounts", false);
	c->min_rsa_bits = parm_u32(lp_ctx, "min rsa bits", 2048, 512, 16384);
	/* bounds the cost of a peer's signature check (validate/) */
	c->max_rsa_bits = parm_u32(lp_ctx, "max rsa bits", 16384, 1024,
				   65536);
	if (c->max_rsa_bits < c->min_rsa_bits) {
		DBG_WARNING("bitspeerauth:max rsa bits = %" PRIu32 " is below "
			    "min rsa bits = %" PRIu32 ", using %" PRIu32 "\n",
			    c->max_rsa_bits, c->min_rsa_bits,
			    c->min_rsa_bits);
		c->max_rsa_bits = c->min_rsa_bits;
	}
	c->allow_sha1_signatures = lpcfg_parm_bool(lp_ctx, NULL, BPA_PARM,
						   "allow sha1 signatures",
						   false);
	c->clock_skew = parm_u32(lp_ctx, "clock skew", 300, 0, 86400);
	c->certificate_file = parm_path(c, lp_ctx, "certificate file", priv,
					"bitspeerauth_cert.pem");
	c->key_file = parm_path(c, lp_ctx, "key file", priv,
				"bitspeerauth_key.pem");
	c->key_bits = parm_u32(lp_ctx, "key bits", 3072, 2048, 16384);
	c->cert_lifetime_days = parm_u32(lp_ctx, "certificate lifetime",
					 365, 1, 36500);
	c->cert_renew_days = parm_u32(lp_ctx, "certificate renew days",
				      30, 0, 36500);
	c->audit_json = lpcfg_parm_bool(lp_ctx, NULL, BPA_PARM, "audit json",
					false);

	if (c->peer_table == NULL || c->client_peer_table == NULL ||
	    c->certificate_file == NULL ||
	    c->key_file == NULL) {
		TALLOC_FREE(c);
		return NULL;
	}
	return c;
}
