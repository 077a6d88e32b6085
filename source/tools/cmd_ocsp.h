/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * "bitspeerauth ocsp status | fetch | prefetch": the OCSP
 * response prefetching of the local certificate, for stapling (seed
 * cert-open-server-ocsp-response).
 */
#ifndef _BPA_CMD_OCSP_H_
#define _BPA_CMD_OCSP_H_

#include <talloc.h>

/* Exit statuses */
#define BPA_OCSP_EXIT_OK	0	/* status printed; fetch: good */
#define BPA_OCSP_EXIT_NOT_GOOD	1	/* fetch: revoked, unknown, ... */
#define BPA_OCSP_EXIT_USAGE	2
#define BPA_OCSP_EXIT_ERROR	3

/**
 * "ocsp status [--json] [-s SMB.CONF]": the local certificate, its OCSP
 * URL and issuer, the mode, the current response's thisUpdate /
 * nextUpdate, the next retrieval and the rule that set it, the last
 * error (from the running prefetcher's status file).
 * "ocsp fetch --cert C [--issuer I] [--out F] [--timeout MS] [--json]":
 * one retrieval by hand, the response verified; written to F (DER,
 * atomically) when good.
 * "ocsp prefetch [-s SMB.CONF]": the prefetcher of the local
 * certificate's response in the foreground, as samba runs it on an AD
 * DC, for a host where samba does not (a member: docs/ocsp-prefetch.md),
 * until SIGTERM or SIGINT (exit 0); 0 at once when there is nothing to
 * prefetch, 3 on an AD DC or a configuration it cannot run.
 * @argv[0] is "ocsp".
 */
int bpa_cmd_ocsp(TALLOC_CTX *mem_ctx, int argc, const char **argv);

#endif /* _BPA_CMD_OCSP_H_ */
