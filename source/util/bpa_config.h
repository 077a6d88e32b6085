/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bitspeerauth settings: every one is an smb.conf parametric option
 * "bitspeerauth:<name>" in [global].  bpa_options[] in bpa_config.c is
 * the one table of their names, types, defaults and ranges; the loader
 * reads through it, and tests/docs/check_options.py proves that the man
 * page (docs/man/bitspeerauth.8.xml) and README.md document every entry
 * with the same default (and range).  The layers below (blob, validate,
 * peers, localcert) take plain parameter structs and never read smb.conf
 * themselves.
 *
 * Adding an option: a field below, one row in bpa_options[], a
 * <varlistentry> in docs/man/bitspeerauth.8.xml, a row in README.md's
 * option table.  The docs_options test says what is missing.
 */
#ifndef _BPA_CONFIG_H_
#define _BPA_CONFIG_H_

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <talloc.h>

struct loadparm_context;

struct bpa_config {
	/* MS-BPAU 3.1.4.1 <3>: table limits (peers) */
	uint32_t max_peers;		/* "max peers" */
	uint32_t evict_min_age;		/* "evict min age" (s) */
	bool persistent_peers;		/* "persistent peers" */
	char *peer_table;		/* "peer table" */
	/* MS-BPAU 3.2.1.2: the client role keeps a table of its own */
	char *client_peer_table;	/* "client peer table" */

	/* MS-BPAU 3.1.4.1 <2>: who may call */
	bool allow_user_accounts;	/* "allow user accounts" */

	/* validation phase one (3.1.4.1, 3.2.4.1) */
	uint32_t min_rsa_bits;		/* "min rsa bits" */
	uint32_t max_rsa_bits;		/* "max rsa bits", >= min */
	bool allow_sha1_signatures;	/* "allow sha1 signatures" */
	uint32_t clock_skew;		/* "clock skew" (s) */

	/* local certificate (3.1.1.1) */
	char *certificate_file;		/* "certificate file" */
	char *key_file;			/* "key file" */
	/* either option set: the administrator's files, used as they are
	 * or refused, never created, renewed or rewritten (issue 17) */
	bool certificate_configured;
	/* smb.conf's "server role" is an AD DC: samba serves the endpoint
	 * and runs the OCSP prefetch (not samba-dcerpcd, not the tool) */
	bool ad_dc;
	uint32_t key_bits;		/* "key bits" */
	uint32_t cert_lifetime_days;	/* "certificate lifetime" */
	uint32_t cert_renew_days;	/* "certificate renew days" */

	/* logging */
	bool audit_json;		/* "audit json" */

	/* revocation (seed ocsp-revocation-provider, source/revocation) */
	char *revocation_check_name;	/* "revocation check": no, soft,
					 * hard */
	uint32_t revocation_check;	/* the same as enum bpa_rev_mode:
					 * 0 no, 1 soft, 2 hard */
	char *revocation_providers;	/* "revocation providers" */
	uint32_t revocation_url_timeout; /* "revocation url timeout" (ms) */
	char *revocation_list;		/* "revocation list" */
	char *revocation_cache;		/* "revocation cache" */
	char *ca_file;			/* "ca file", NULL: none */
	char *crl_files;		/* "crl files", NULL: none */

	/* phase two, the validator (seed bits-validate-server-
	 * certificate, source/validator) */
	char *validator_command;	/* "validator command", NULL: none */
	char *validator_module;		/* "validator module", NULL: none */
	uint32_t validator_timeout;	/* "validator timeout" (s) */
	uint32_t validator_cache_size;	/* "validator cache size" */
	char *validator_cache_file;	/* "validator cache file" */

	/* OCSP prefetch of the local certificate's response, for stapling
	 * (seed cert-open-server-ocsp-response, source/prefetch) */
	char *ocsp_prefetch;		/* "ocsp prefetch": auto, no, sync,
					 * async */
	uint32_t ocsp_min_validity;	/* "ocsp min validity" (s) */
	uint32_t ocsp_url_timeout;	/* "ocsp url timeout" (ms) */
	uint32_t ocsp_max_before;	/* "ocsp max before next update" */
	uint32_t ocsp_min_before;	/* "ocsp min before next update" */
	uint32_t ocsp_min_after;	/* "ocsp min after next update" */
	char *ocsp_response_file;	/* "ocsp response file" */

	/* The first option of a BPA_OPTION_STRICT row whose value was out
	 * of range (its field holds the default), NULL if none: the
	 * feature it belongs to refuses to start rather than run on a
	 * value the administrator did not ask for (issue 17). */
	const char *refused_option;
};

/** Is @lp_ctx's "server role" an active directory domain controller? */
bool bpa_config_is_ad_dc(struct loadparm_context *lp_ctx);

enum bpa_option_type {
	BPA_OPTION_BOOL,	/* bool; def */
	BPA_OPTION_UINT,	/* uint32_t; def, min..max */
	BPA_OPTION_PATH,	/* char *; default dir/def_str */
	BPA_OPTION_STRING,	/* char *; default def_str (NULL: unset) */
};

/* The folder a BPA_OPTION_PATH default lives in */
enum bpa_option_dir {
	BPA_DIR_NONE,
	BPA_DIR_STATE,		/* lpcfg_state_directory(): state directory */
	BPA_DIR_PRIVATE,	/* lpcfg_private_dir(): private dir */
};

struct bpa_option {
	const char *name;	/* without "bitspeerauth:" */
	enum bpa_option_type type;
	size_t offset;		/* of its field in struct bpa_config */
	uint32_t def;		/* BOOL (0/1), UINT */
	uint32_t min;		/* UINT */
	uint32_t max;		/* UINT */
	const char *def_str;	/* PATH: file name; STRING: default */
	enum bpa_option_dir dir;	/* PATH */
	bool strict;		/* UINT: out of range is refused (logged,
				 * refused_option), not replaced */
};

/**
 * Read all bitspeerauth:* options from @lp_ctx into a new bpa_config
 * allocated on @mem_ctx (strings are its children).  Out-of-range
 * values are logged and replaced by the default; for a strict option
 * also named in refused_option.  NULL only on ENOMEM.
 */
struct bpa_config *bpa_config_load(TALLOC_CTX *mem_ctx,
				   struct loadparm_context *lp_ctx);

/** The option table; *@count entries. */
const struct bpa_option *bpa_config_options(size_t *count);

/**
 * The default of @o as the documentation writes it: "100", "yes"/"no",
 * "<state directory>/bitspeerauth_peers.tdb", "" for an unset string.
 */
char *bpa_option_default_string(TALLOC_CTX *mem_ctx,
				const struct bpa_option *o);

#endif /* _BPA_CONFIG_H_ */
