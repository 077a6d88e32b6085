/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MS-BPAU 3.1.4.1, 3.2.4.1: validation phase one (first slice: stubs) */
#include <stdint.h>
#include <stdbool.h>
#include "util/hresult_codes.h"
#include "validate/cert_validate.h"

void bpa_validate_policy_default(struct bpa_validate_policy *p)
{
	*p = (struct bpa_validate_policy) {
		.min_rsa_bits = 2048,
		.allow_sha1_signatures = false,
		.clock_skew = 300,
	};
}

const char *bpa_cert_reason_name(uint32_t reason)
{
	return "unknown";
}

HRESULT bpa_cert_validate(TALLOC_CTX *mem_ctx,
			  const struct bpa_cert_blob *blob,
			  enum bpa_cert_role role,
			  const struct bpa_validate_policy *policy,
			  time_t now,
			  struct bpa_cert_verdict **pverdict)
{
	struct bpa_cert_verdict *v = talloc_zero(mem_ctx,
						 struct bpa_cert_verdict);

	*pverdict = v;
	if (v == NULL) {
		return BPA_E_OUTOFMEMORY;
	}
	v->reasons = BPA_CERT_R_INTERNAL;
	v->hres = BPA_E_FAIL;
	return v->hres;
}

char *bpa_cert_verdict_string(TALLOC_CTX *mem_ctx,
			      const struct bpa_cert_verdict *v)
{
	return talloc_strdup(mem_ctx, "not implemented");
}
