/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * "bitspeerauth peers": look at and manage the table of peer
 * certificates (MS-BPAU 3.1.1.2 / 3.2.1.2) and answer the 3.1.6.1
 * question for a certificate file.  bitspeerauth.c dispatches here.
 */
#ifndef _BPA_CMD_PEERS_H_
#define _BPA_CMD_PEERS_H_

#include <talloc.h>

/* How the peers subcommands name themselves in messages */
#define BPA_PEERS_WHO "bitspeerauth peers"

/* Exit statuses of the peers subcommands */
#define BPA_PEERS_EXIT_OK	0	/* done; "check": known */
#define BPA_PEERS_EXIT_NO	1	/* "check": unknown; "show"/"remove":
					 * no such peer */
#define BPA_PEERS_EXIT_USAGE	2	/* bad command line */
#define BPA_PEERS_EXIT_ERROR	3	/* table missing/damaged (also
					 * "verify" finding damage), I/O,
					 * a file that is not a certificate */

/**
 * Run "peers SUBCOMMAND ..."; @argv[0] is "peers".
 *
 *   peers list [--json]
 *   peers show SID
 *   peers remove SID
 *   peers check CERTFILE      (PEM or DER)
 *   peers export DIR          (DIR/<SID>.pem for each peer)
 *   peers verify              (tdb_check() + the table's invariants)
 *   peers revoke | unrevoke | revoked   (cmd_revocation.h)
 * each with [-s|--configfile SMB.CONF] [--table PATH] [-d LEVEL].
 *
 * @return one of the BPA_PEERS_EXIT_* statuses
 */
int bpa_cmd_peers(TALLOC_CTX *mem_ctx, int argc, const char **argv);

#endif /* _BPA_CMD_PEERS_H_ */
