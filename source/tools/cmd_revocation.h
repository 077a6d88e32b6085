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

/* Exit statuses of "revocation check" */
#define BPA_REV_EXIT_ACCEPTED	0	/* the policy accepts it */
#define BPA_REV_EXIT_REFUSED	1	/* revoked, unknown, or (hard) not
					 * checked */
#define BPA_REV_EXIT_USAGE	2
#define BPA_REV_EXIT_ERROR	3

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

#endif /* _BPA_CMD_REVOCATION_H_ */
