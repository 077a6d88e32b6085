/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Inside "bitspeerauth exchange" (cmd_exchange.h): what its files share.
 *   cmd_exchange.c        the command: options, the run, the local
 *                         certificate sent (3.2.1.1)
 *   exchange_creds.c      the Kerberos credentials (3.2.3)
 *   exchange_authority.c  who answers for account SIDs (3.2.4.1)
 *   exchange_accept.c     the server's key: validated, stored (3.2.4.1)
 */
#ifndef _BPA_CMD_EXCHANGE_PRIVATE_H_
#define _BPA_CMD_EXCHANGE_PRIVATE_H_

#include <stdint.h>
#include <stdbool.h>
#include <talloc.h>
#include <tevent.h>
#include <core/hresult.h>
#include <gen_ndr/security.h>
#include "client/bpa_client.h"

struct loadparm_context;
struct cli_credentials;
struct bpa_config;

struct exchange_opts {
	const char *server;
	const char *target_hostname;
	const char *realm;
	const char *keytab;
	const char *principal;
	const char *ccache;
	const char *user;
	const char *client_blob;
	const char *client_cert;
	const char *client_key;
	const char *server_sid;
	const char *server_account;
	const char *dc;
	const char *dc_hostname;
	const char *dc_account;
	const char *peer_table;
	const char *configfile;
	int seal;
	int no_store;
	int timing;
};

struct exchange_run {
	struct tevent_context *ev;
	struct loadparm_context *lp_ctx;
	struct bpa_config *config;
	struct cli_credentials *creds;
	char *binding;		/* to the server */
	/* who answers for account SIDs: never the server (3.2.4.1) */
	struct bpa_sid_authority authority;
	const char *authority_name;	/* "winbind", "DC <fqdn>" */
	struct bpa_samr_conn *samr;	/* to a DC authority, once open */
	HRESULT lookup_hr;	/* why exchange_lookup_sid() failed */
	struct bpa_client_timing *timing; /* --timing, else NULL */
	uint64_t mark;		/* the end of the last exchange_lookup_sid() */
};

/* Exit statuses (bitspeerauth(1)): a refusal is permanent, an
 * unavailable validator or the network transient (seed
 * bits-validate-server-certificate: retry later) */
#define EXCHANGE_EXIT_REFUSED	1
#define EXCHANGE_EXIT_TRANSIENT	3

/** The exit status of a failed exchange: transient or refused */
int exchange_refused_exit(HRESULT hr);

/** The realm: --realm, else the credentials', else smb.conf's */
const char *exchange_pick_realm(const struct exchange_opts *o,
				struct cli_credentials *creds,
				struct loadparm_context *lp_ctx);

/**
 * MS-BPAU 3.2.3: Kerberos only.  From a keytab (default principal: this
 * host's machine account), a credential cache, or a password.  Prints
 * why not.
 */
bool exchange_make_creds(TALLOC_CTX *mem_ctx,
			 const struct exchange_opts *o,
			 struct loadparm_context *lp_ctx,
			 struct cli_credentials **pcreds);

/** The sAMAccountName of the credentials, else this host's "NETBIOS$" */
char *exchange_own_account(TALLOC_CTX *mem_ctx,
			   struct cli_credentials *creds,
			   struct loadparm_context *lp_ctx);

/** An IPv4 or IPv6 address rather than a host name */
bool exchange_is_address(const char *s);

/**
 * MS-BPAU 3.2.4.1 (issue 9): --dc names a DC, asked over a binding that
 * only the DC's own account can complete; else this host's winbindd.
 * Never the server under test.  Prints why there is none.
 */
bool exchange_pick_authority(TALLOC_CTX *mem_ctx,
			     const struct exchange_opts *o,
			     struct exchange_run *r,
			     const char *realm);

/** An account's SID from the authority; prints why not */
bool exchange_lookup_sid(TALLOC_CTX *mem_ctx,
			 struct exchange_run *r,
			 const char *account,
			 struct dom_sid *sid);

/**
 * 3.2.4.1: decode, validate (server role), subject check, store the
 * server's key of @res; prints the verdict.  Returns the exit status.
 */
int exchange_accept_server_key(TALLOC_CTX *mem_ctx,
			       const struct exchange_opts *o,
			       struct exchange_run *r,
			       const struct dom_sid *server_sid,
			       const struct bpa_client_result *res);

#endif /* _BPA_CMD_EXCHANGE_PRIVATE_H_ */
