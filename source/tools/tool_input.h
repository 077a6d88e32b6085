/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the bitspeerauth commands read the same way: smb.conf's
 * bitspeerauth:* options and certificate files.
 */
#ifndef _BPA_TOOL_INPUT_H_
#define _BPA_TOOL_INPUT_H_

#include <stdbool.h>
#include <stddef.h>
#include <talloc.h>
#include <util/data_blob.h>
#include <gnutls/x509.h>

struct bpa_config;

/**
 * Every certificate in the file @path (PEM, one or more; or one DER)
 * as DER blobs on @mem_ctx.  Errors are printed (prefixed @who).
 */
bool bpa_tool_read_certs(TALLOC_CTX *mem_ctx,
			 const char *who,
			 const char *path,
			 DATA_BLOB **pcerts,
			 size_t *pn);

/**
 * The same as GnuTLS certificates, on @mem_ctx (deinitialised when it is
 * freed).
 */
bool bpa_tool_read_crts(TALLOC_CTX *mem_ctx,
			const char *who,
			const char *path,
			gnutls_x509_crt_t **pcrts,
			size_t *pn);

/** The bitspeerauth:* options of @configfile (NULL: the default
 * smb.conf; a missing default file gives the defaults). */
struct bpa_config *bpa_tool_load_config(TALLOC_CTX *mem_ctx,
					const char *who,
					const char *configfile);

#endif /* _BPA_TOOL_INPUT_H_ */
