/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MS-BPAU 3.1.1.1, 3.2.1.1: the local certificate (first slice: stubs) */
#include <stdint.h>
#include <stdbool.h>
#include "util/hresult_codes.h"
#include "localcert/local_cert.h"

HRESULT bpa_local_cert_load_or_create(TALLOC_CTX *mem_ctx,
				      const struct bpa_local_cert_params *p,
				      struct bpa_local_cert **plc)
{
	return BPA_E_FAIL;
}

gnutls_x509_crt_t bpa_local_cert_crt(const struct bpa_local_cert *lc)
{
	return NULL;
}

gnutls_x509_privkey_t bpa_local_cert_key(const struct bpa_local_cert *lc)
{
	return NULL;
}

bool bpa_local_cert_needs_renewal(const struct bpa_local_cert *lc,
				  time_t now, uint32_t renew_days)
{
	return lc == NULL ||
	       lc->not_after - (time_t)renew_days * 86400 <= now;
}
