/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>
#include <strings.h>
#include <inttypes.h>
#include "util/bpa_debug.h"
#include <param.h>
#include "util/bpa_config.h"

/* exported by libsamba-hostconfig, not declared in the installed param.h */
const char *lpcfg_state_directory(struct loadparm_context *);

#define BPA_PARM "bitspeerauth"

/* libds/common/roles.h (not installed): enum server_role */
#define BPA_ROLE_ACTIVE_DIRECTORY_DC 4

bool bpa_config_is_ad_dc(struct loadparm_context *lp_ctx)
{
	return lpcfg_server_role(lp_ctx) == BPA_ROLE_ACTIVE_DIRECTORY_DC;
}

/*
 * The offset of field @f of struct bpa_config, and a compile error when
 * its type is not @T (a row that names the wrong field cannot build).
 */
#define BPA_FIELD(f, T) (offsetof(struct bpa_config, f) + 0 * sizeof(char[ \
	__builtin_types_compatible_p( \
		__typeof__(((struct bpa_config *)0)->f), T) ? 1 : -1]))

#define OPT_UINT(n, f, d, lo, hi) { .name = (n), .type = BPA_OPTION_UINT, \
	.offset = BPA_FIELD(f, uint32_t), .def = (d), .min = (lo), \
	.max = (hi) }
/* out of range: refused at start (refused_option), not replaced */
#define OPT_STRICT_UINT(n, f, d, lo, hi) { .name = (n), \
	.type = BPA_OPTION_UINT, .offset = BPA_FIELD(f, uint32_t), \
	.def = (d), .min = (lo), .max = (hi), .strict = true }
#define OPT_BOOL(n, f, d) { .name = (n), .type = BPA_OPTION_BOOL, \
	.offset = BPA_FIELD(f, bool), .def = (d) }
#define OPT_PATH(n, f, d, file) { .name = (n), .type = BPA_OPTION_PATH, \
	.offset = BPA_FIELD(f, char *), .dir = (d), .def_str = (file) }
#define OPT_STRING(n, f, d) { .name = (n), .type = BPA_OPTION_STRING, \
	.offset = BPA_FIELD(f, char *), .def_str = (d) }

/*
 * Every bitspeerauth:<name> option: the code's defaults and ranges come
 * from here and nowhere else.  Documented in docs/man/bitspeerauth.8.xml
 * and README.md (tests/docs/check_options.py keeps them in step).
 */
static const struct bpa_option bpa_options[] = {
	/* MS-BPAU 3.1.4.1 <3> */
	OPT_UINT("max peers", max_peers, 100, 1, 10000000),
	OPT_UINT("evict min age", evict_min_age, 60, 0, 86400),
	/* MS-BPAU 3.1.3 */
	OPT_BOOL("persistent peers", persistent_peers, false),
	OPT_PATH("peer table", peer_table, BPA_DIR_STATE,
		 "bitspeerauth_peers.tdb"),
	/* MS-BPAU 3.2.1.2 */
	OPT_PATH("client peer table", client_peer_table, BPA_DIR_STATE,
		 "bitspeerauth_client_peers.tdb"),
	/* MS-BPAU 3.1.4.1 <2> */
	OPT_BOOL("allow user accounts", allow_user_accounts, false),
	/* validation phase one (3.1.4.1, 3.2.4.1) */
	OPT_UINT("min rsa bits", min_rsa_bits, 2048, 512, 16384),
	/* bounds the cost of a peer's signature check (validate/) */
	OPT_UINT("max rsa bits", max_rsa_bits, 16384, 1024, 65536),
	OPT_BOOL("allow sha1 signatures", allow_sha1_signatures, false),
	OPT_UINT("clock skew", clock_skew, 300, 0, 86400),
	/* the local certificate (3.1.1.1, 3.2.1.1) */
	OPT_PATH("certificate file", certificate_file, BPA_DIR_PRIVATE,
		 "bitspeerauth_cert.pem"),
	OPT_PATH("key file", key_file, BPA_DIR_PRIVATE,
		 "bitspeerauth_key.pem"),
	OPT_UINT("key bits", key_bits, 3072, 2048, 16384),
	OPT_UINT("certificate lifetime", cert_lifetime_days, 365, 1, 36500),
	OPT_UINT("certificate renew days", cert_renew_days, 30, 0, 36500),
	/* logging */
	OPT_BOOL("audit json", audit_json, false),
	/* revocation (seed ocsp-revocation-provider) */
	OPT_STRING("revocation check", revocation_check_name, "soft"),
	OPT_STRING("revocation providers", revocation_providers,
		   "local ocsp crl"),
	OPT_UINT("revocation url timeout", revocation_url_timeout, 15000,
		 100, 300000),
	OPT_PATH("revocation list", revocation_list, BPA_DIR_STATE,
		 "bitspeerauth_revoked.tdb"),
	OPT_PATH("revocation cache", revocation_cache, BPA_DIR_STATE,
		 "bitspeerauth_revocation_cache.tdb"),
	OPT_STRING("ca file", ca_file, NULL),
	OPT_STRING("crl files", crl_files, NULL),
	/* the validator (seed bits-validate-server-certificate) */
	OPT_STRING("validator command", validator_command, NULL),
	OPT_STRING("validator module", validator_module, NULL),
	OPT_UINT("validator timeout", validator_timeout, 10, 1, 600),
	OPT_UINT("validator cache size", validator_cache_size, 10000, 1,
		 10000000),
	OPT_PATH("validator cache file", validator_cache_file, BPA_DIR_STATE,
		 "bitspeerauth_validator.tdb"),
	/* OCSP prefetch (seed cert-open-server-ocsp-response); small values
	 * are accepted so that tests run the real schedule in seconds */
	OPT_STRING("ocsp prefetch", ocsp_prefetch, "auto"),
	OPT_STRICT_UINT("ocsp min validity", ocsp_min_validity, 600, 1,
			604800),
	OPT_STRICT_UINT("ocsp url timeout", ocsp_url_timeout, 15000, 100,
			300000),
	OPT_STRICT_UINT("ocsp max before next update", ocsp_max_before,
			14400, 1, 2592000),
	OPT_STRICT_UINT("ocsp min before next update", ocsp_min_before, 120,
			1, 2592000),
	OPT_STRICT_UINT("ocsp min after next update", ocsp_min_after, 60, 1,
			86400),
	OPT_PATH("ocsp response file", ocsp_response_file, BPA_DIR_STATE,
		 "bitspeerauth_ocsp_response.der"),
};

const struct bpa_option *bpa_config_options(size_t *count)
{
	*count = sizeof(bpa_options) / sizeof(bpa_options[0]);
	return bpa_options;
}

static const char *dir_name(enum bpa_option_dir d)
{
	switch (d) {
	case BPA_DIR_STATE:
		return "<state directory>";
	case BPA_DIR_PRIVATE:
		return "<private dir>";
	case BPA_DIR_NONE:
		break;
	}
	return "";
}

char *bpa_option_default_string(TALLOC_CTX *mem_ctx,
				const struct bpa_option *o)
{
	switch (o->type) {
	case BPA_OPTION_BOOL:
		return talloc_strdup(mem_ctx, o->def ? "yes" : "no");
	case BPA_OPTION_UINT:
		return talloc_asprintf(mem_ctx, "%" PRIu32, o->def);
	case BPA_OPTION_PATH:
		return talloc_asprintf(mem_ctx, "%s/%s", dir_name(o->dir),
				       o->def_str);
	case BPA_OPTION_STRING:
		return talloc_strdup(mem_ctx,
				     o->def_str != NULL ? o->def_str : "");
	}
	return NULL;
}

static uint32_t parm_u32(struct loadparm_context *lp_ctx,
			 const struct bpa_option *o,
			 struct bpa_config *c)
{
	unsigned long v = lpcfg_parm_ulong(lp_ctx, NULL, BPA_PARM, o->name,
					   o->def);

	if ((v < o->min || v > o->max) && o->strict) {
		DBG_ERR("bitspeerauth:%s = %lu out of range [%" PRIu32 ", %"
			PRIu32 "]: refused\n", o->name, v, o->min, o->max);
		if (c->refused_option == NULL) {
			c->refused_option = o->name;
		}
		return o->def;
	}
	if (v < o->min || v > o->max) {
		DBG_WARNING("bitspeerauth:%s = %lu out of range "
			    "[%" PRIu32 ", %" PRIu32 "], using %" PRIu32 "\n",
			    o->name, v, o->min, o->max, o->def);
		return o->def;
	}
	return (uint32_t)v;
}

static bool parm_set(struct loadparm_context *lp_ctx, const char *name)
{
	const char *v = lpcfg_parm_string(lp_ctx, NULL, BPA_PARM, name);

	return v != NULL && v[0] != '\0';
}

static char *parm_str(TALLOC_CTX *mem_ctx,
		      struct loadparm_context *lp_ctx,
		      const struct bpa_option *o,
		      bool *ok)
{
	const char *v = lpcfg_parm_string(lp_ctx, NULL, BPA_PARM, o->name);
	const char *dir = NULL;
	char *s = NULL;

	*ok = true;
	if (v != NULL && v[0] != '\0') {
		s = talloc_strdup(mem_ctx, v);
	} else if (o->type == BPA_OPTION_STRING) {
		if (o->def_str == NULL) {
			return NULL;
		}
		s = talloc_strdup(mem_ctx, o->def_str);
	} else {
		dir = (o->dir == BPA_DIR_PRIVATE) ?
			lpcfg_private_dir(lp_ctx) :
			lpcfg_state_directory(lp_ctx);
		s = talloc_asprintf(mem_ctx, "%s/%s", dir, o->def_str);
	}
	*ok = (s != NULL);
	return s;
}

struct bpa_config *bpa_config_load(TALLOC_CTX *mem_ctx,
				   struct loadparm_context *lp_ctx)
{
	struct bpa_config *c = talloc_zero(mem_ctx, struct bpa_config);
	size_t i;

	if (c == NULL) {
		return NULL;
	}
	for (i = 0; i < sizeof(bpa_options) / sizeof(bpa_options[0]); i++) {
		const struct bpa_option *o = &bpa_options[i];
		char *field = (char *)c + o->offset;
		bool ok = true;

		switch (o->type) {
		case BPA_OPTION_BOOL:
			*(bool *)field = lpcfg_parm_bool(lp_ctx, NULL,
							 BPA_PARM, o->name,
							 o->def != 0);
			break;
		case BPA_OPTION_UINT:
			*(uint32_t *)field = parm_u32(lp_ctx, o, c);
			break;
		case BPA_OPTION_PATH:
		case BPA_OPTION_STRING:
			*(char **)field = parm_str(c, lp_ctx, o, &ok);
			break;
		}
		if (!ok) {
			TALLOC_FREE(c);
			return NULL;
		}
	}

	/* "revocation check": no | soft | hard, else the default */
	if (strcasecmp(c->revocation_check_name, "no") == 0) {
		c->revocation_check = 0;
	} else if (strcasecmp(c->revocation_check_name, "hard") == 0) {
		c->revocation_check = 2;
	} else {
		if (strcasecmp(c->revocation_check_name, "soft") != 0) {
			DBG_WARNING("bitspeerauth:revocation check = %s: not "
				    "no, soft or hard, using soft\n",
				    c->revocation_check_name);
		}
		c->revocation_check = 1;
	}

	/* Rules between options, after each has its own range */
	if (c->max_rsa_bits < c->min_rsa_bits) {
		DBG_WARNING("bitspeerauth:max rsa bits = %" PRIu32 " is below "
			    "min rsa bits = %" PRIu32 ", using %" PRIu32 "\n",
			    c->max_rsa_bits, c->min_rsa_bits,
			    c->min_rsa_bits);
		c->max_rsa_bits = c->min_rsa_bits;
	}
	/* either file set: the administrator's pair (issue 17) */
	c->certificate_configured = parm_set(lp_ctx, "certificate file") ||
				    parm_set(lp_ctx, "key file");
	c->ad_dc = bpa_config_is_ad_dc(lp_ctx);
	return c;
}
