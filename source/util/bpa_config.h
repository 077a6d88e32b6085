/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bitspeerauth settings: every one is an smb.conf parametric option
 * "bitspeerauth:<name>" in [global].  This is the one place that knows
 * their names and defaults; README.md documents them.  The layers below
 * (blob, validate, peers, localcert) take plain parameter structs and
 * never read smb.conf themselves.
 */
#ifndef _BPA_CONFIG_H_
#define _BPA_CONFIG_H_

#include <stdint.h>
#include <stdbool.h>
#include <talloc.h>

struct loadparm_context;

struct bpa_config {
	/* MS-BPAU 3.1.4.1 <3>: table limits (peers) */
	uint32_t max_peers;		/* "max peers", 100 */
	uint32_t evict_min_age;		/* "evict min age" (s), 60 */
	bool persistent_peers;		/* "persistent peers", no */
	char *peer_table;		/* "peer table", state dir */
	/* MS-BPAU 3.2.1.2: the client role keeps a table of its own */
	char *client_peer_table;	/* "client peer table", state dir */

	/* MS-BPAU 3.1.4.1 <2>: who may call */
	bool allow_user_accounts;	/* "allow user accounts", no */

	/* validation phase one (3.1.4.1, 3.2.4.1) */
	uint32_t min_rsa_bits;		/* "min rsa bits", 2048 */
	uint32_t max_rsa_bits;		/* "max rsa bits", 16384 */
	bool allow_sha1_signatures;	/* "allow sha1 signatures", no */
	uint32_t clock_skew;		/* "clock skew" (s), 300 */

	/* local certificate (3.1.1.1) */
	char *certificate_file;		/* "certificate file", private */
	char *key_file;			/* "key file", private dir */
	uint32_t key_bits;		/* "key bits", 3072 */
	uint32_t cert_lifetime_days;	/* "certificate lifetime", 365 */
	uint32_t cert_renew_days;	/* "certificate renew days", 30 */

	/* logging */
	bool audit_json;		/* "audit json", no */
};

/**
 * Read all bitspeerauth:* options from @lp_ctx into a new bpa_config
 * allocated on @mem_ctx (strings are its children).  Out-of-range
 * values are clamped and logged.  NULL only on ENOMEM.
 */
struct bpa_config *bpa_config_load(TALLOC_CTX *mem_ctx,
				   struct loadparm_context *lp_ctx);

#endif /* _BPA_CONFIG_H_ */
