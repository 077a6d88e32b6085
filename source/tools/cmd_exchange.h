/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * "bitspeerauth exchange": the client role of MS-BPAU (3.2) from the
 * command line.  bitspeerauth.c dispatches the subcommand here.
 */
#ifndef _BPA_CMD_EXCHANGE_H_
#define _BPA_CMD_EXCHANGE_H_

#include <talloc.h>

/**
 * Run "exchange" with its own options; @argv[0] is "exchange".
 *
 *   exchange --server HOST --target-hostname FQDN
 *            [-k KEYTAB [--principal P] | --ccache FILE | -U USER%PASS]
 *            [--realm REALM] [--seal]
 *            [--client-cert PEM [--client-key PEM] | --client-blob FILE]
 *            [--server-account NAME$] [--server-sid SID | --dc HOST]
 *            [--peer-table FILE]
 *            [--no-store] [-s SMB.CONF]
 *
 * Prints what it got on stdout; errors on stderr.
 * @return 0 success, 1 the exchange failed (the HRESULT is printed),
 *         2 usage error
 */
int bpa_cmd_exchange(TALLOC_CTX *mem_ctx, int argc, const char **argv);

#endif /* _BPA_CMD_EXCHANGE_H_ */
