/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * "bitspeerauth ocsp status" and "bitspeerauth ocsp fetch": the OCSP
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
 * atomically) when good.  @argv[0] is "ocsp".
 */
int bpa_cmd_ocsp(TALLOC_CTX *mem_ctx, int argc, const char **argv);

#endif /* _BPA_CMD_OCSP_H_ */
