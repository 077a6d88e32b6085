/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Stapling from memory for a GnuTLS server (seed
 * cert-open-server-ocsp-response: what the prefetched response is for).
 * GnuTLS fetches and refreshes nothing itself; this callback hands each
 * handshake the prefetcher's current response (bpa_prefetch_current()),
 * so a refresh is stapled from the next handshake on, and nothing is
 * stapled when no response may be handed out.
 */
#ifndef _BPA_PREFETCH_GNUTLS_H_
#define _BPA_PREFETCH_GNUTLS_H_

#include <gnutls/gnutls.h>

struct bpa_prefetch;

/**
 * Install the callback on @cred for its certificate @idx (the index
 * gnutls_certificate_set_x509_key*() returned, 0 for the first one),
 * with gnutls_certificate_set_ocsp_status_request_function2().  @pf
 * must outlive @cred's use; the callback runs in the thread of the
 * handshake, the prefetcher's loop must be that thread's.
 * @return 0 or a GnuTLS error code.
 */
int bpa_prefetch_gnutls_install(gnutls_certificate_credentials_t cred,
				unsigned int idx,
				struct bpa_prefetch *pf);

#endif /* _BPA_PREFETCH_GNUTLS_H_ */
