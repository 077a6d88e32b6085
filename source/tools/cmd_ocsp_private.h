/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared by the "bitspeerauth ocsp" commands (cmd_ocsp.h) */
#ifndef _BPA_CMD_OCSP_PRIVATE_H_
#define _BPA_CMD_OCSP_PRIVATE_H_

#include <stdbool.h>
#include <stddef.h>
#include <talloc.h>
#include <gnutls/x509.h>

struct bpa_config;

/* The certificates of the PEM file @path as GnuTLS objects on @mem_ctx
 * (freed with it); false, said on stderr, if it cannot be read */
bool bpa_ocsp_read_crts(TALLOC_CTX *mem_ctx,
			const char *who,
			const char *path,
			gnutls_x509_crt_t **pcrts,
			size_t *pn);

/* "ocsp prefetch" (cmd_ocsp_prefetch.c); an exit status */
int bpa_cmd_ocsp_prefetch(TALLOC_CTX *mem_ctx,
			  const char *who,
			  const struct bpa_config *cfg);

#endif /* _BPA_CMD_OCSP_PRIVATE_H_ */
