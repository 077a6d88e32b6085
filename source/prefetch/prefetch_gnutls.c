/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The GnuTLS stapling callback (prefetch_gnutls.h) */
#include <string.h>
#include <time.h>
#include "util/bpa_debug.h"
#include "prefetch/prefetcher.h"
#include "prefetch/prefetch_gnutls.h"

/* gnutls_status_request_ocsp_func: a gnutls_malloc'ed copy, or none */
static int staple(gnutls_session_t session,
		  void *ptr,
		  gnutls_datum_t *ocsp_response)
{
	struct bpa_prefetch *pf = ptr;
	const DATA_BLOB *cur = bpa_prefetch_current(pf, time(NULL));

	ocsp_response->data = NULL;
	ocsp_response->size = 0;
	if (cur == NULL || cur->length == 0) {
		DBG_INFO("no OCSP response to staple\n");
		return GNUTLS_E_NO_CERTIFICATE_STATUS;
	}
	ocsp_response->data = gnutls_malloc(cur->length);
	if (ocsp_response->data == NULL) {
		return GNUTLS_E_MEMORY_ERROR;
	}
	memcpy(ocsp_response->data, cur->data, cur->length);
	ocsp_response->size = (unsigned int)cur->length;
	return 0;
}

int bpa_prefetch_gnutls_install(gnutls_certificate_credentials_t cred,
				unsigned int idx,
				struct bpa_prefetch *pf)
{
	int rc;

	if (cred == NULL || pf == NULL) {
		return GNUTLS_E_INVALID_REQUEST;
	}
	rc = gnutls_certificate_set_ocsp_status_request_function2(cred, idx,
								  staple, pf);
	if (rc < 0) {
		DBG_ERR("cannot install the OCSP stapling callback: %s\n",
			gnutls_strerror(rc));
	}
	return rc;
}
