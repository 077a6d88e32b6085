/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Inside the local certificate (local_cert.h), MS-BPAU 3.1.1.1 and
 * 3.2.1.1:
 *   local_cert.c         load (or refuse) the files, decide to create
 *   local_cert_create.c  a new self-signed certificate and key, written
 *   local_cert_lock.c    the creation lock (the files are read and
 *                        written with util/bpa_file.h)
 */
#ifndef _BPA_LOCAL_CERT_PRIVATE_H_
#define _BPA_LOCAL_CERT_PRIVATE_H_

#include <stdbool.h>
#include <sys/types.h>
#include <talloc.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include "localcert/local_cert.h"

#define SECONDS_PER_DAY 86400

struct bpa_local_cert_gnutls {
	gnutls_x509_crt_t crt;		/* the leaf */
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t *issuers;	/* after the leaf in the file */
	unsigned int num_issuers;
};

/** Deinit every GnuTLS object of @gt (its talloc destructor too) */
int bpa_lc_objects_release(struct bpa_local_cert_gnutls *gt);

/** @lc's leaf as DER into lc->cert_der; false on error (logged) */
bool bpa_lc_export_der(struct bpa_local_cert *lc);

/** MS-BPAU 3.1.1.1: a new self-signed certificate for @p->sid */
HRESULT bpa_lc_create(struct bpa_local_cert *lc,
		      const struct bpa_local_cert_params *p);

/*
 * Serialise creation between processes (samba's workers, the CLI): one
 * creates, the rest load.  O_NOFOLLOW: a link planted there is refused,
 * never followed to create or lock another file.
 */
int bpa_lc_lock(TALLOC_CTX *mem_ctx,
		const char *cert_file);

#endif /* _BPA_LOCAL_CERT_PRIVATE_H_ */
