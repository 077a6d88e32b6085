/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * "bitspeerauth revocation check" (the revocation stack on a
 * certificate file) and "bitspeerauth peers revoke | unrevoke |
 * revoked" (the administrator's own list), seed
 * ocsp-revocation-provider.
 */
#ifndef _BPA_CMD_REVOCATION_H_
#define _BPA_CMD_REVOCATION_H_

#include <stdbool.h>
#include <talloc.h>
#include <util/data_blob.h>

/* Exit statuses of "revocation check" */
#define BPA_REV_EXIT_ACCEPTED	0	/* the policy accepts it */
#define BPA_REV_EXIT_REFUSED	1	/* revoked, unknown, or (hard) not
					 * checked */
#define BPA_REV_EXIT_USAGE	2
#define BPA_REV_EXIT_ERROR	3

struct bpa_config;

/**
 * Run "revocation check CERTFILE [--chain FILE] [--json] [--mode
 * no|soft|hard] [-s SMB.CONF] [-d LEVEL]"; @argv[0] is "revocation".
 * Prints the overall status (its MS-ERREF name and value), the
 * deciding index and provider, the reason, the seconds to nextUpdate of
 * the deciding response when it has one, and the policy's decision.
 */
int bpa_cmd_revocation(TALLOC_CTX *mem_ctx, int argc, const char **argv);

/**
 * "peers revoke SID | --cert FILE [--reason NAME]", "peers unrevoke
 * SID | --cert FILE", "peers revoked [--json]".  @argv[0] is "peers".
 * @return a BPA_PEERS_EXIT_* status
 */
int bpa_cmd_peers_revoke(TALLOC_CTX *mem_ctx, int argc, const char **argv);

/** Is @argv's subcommand (the first non-option word after "peers") one
 * of bpa_cmd_peers_revoke()'s? */
bool bpa_cmd_peers_is_revoke(int argc, const char **argv);

/**
 * Every certificate in the file @path (PEM, one or more; or one DER)
 * as DER blobs on @mem_ctx.  Errors are printed (prefixed @who).
 */
bool bpa_tool_read_certs(TALLOC_CTX *mem_ctx, const char *who,
			 const char *path, DATA_BLOB **pcerts, size_t *pn);

/** The bitspeerauth:* options of @configfile (NULL: the default
 * smb.conf; a missing default file gives the defaults). */
struct bpa_config *bpa_tool_load_config(TALLOC_CTX *mem_ctx,
					const char *who,
					const char *configfile);

/** @s as a JSON string (RFC 8259 escapes) on @mem_ctx */
char *bpa_tool_json_str(TALLOC_CTX *mem_ctx, const char *s);

#endif /* _BPA_CMD_REVOCATION_H_ */
