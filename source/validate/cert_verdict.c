/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A phase-one verdict in words: each reason's name, the HRESULT the
 * reasons come to (in stage order) and the verdict's text
 * (cert_validate.h).
 */
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <talloc.h>
#include "util/bpa_hresult.h"
#include "util/bpa_text.h"
#include "validate/cert_validate.h"
#include "validate/cert_validate_private.h"

static const struct {
	uint32_t bit;
	const char *name;
} reason_names[] = {
	{ BPA_CERT_R_DER, "certificate DER does not parse" },
	{ BPA_CERT_R_NOT_RSA, "not an RSA key" },
	{ BPA_CERT_R_RSA_TOO_SMALL, "RSA key too small" },
	{ BPA_CERT_R_SUBJECT_NOT_ONE_CN, "subject is not exactly one CN" },
	{ BPA_CERT_R_CN_NOT_SID, "subject CN is not a SID string" },
	{ BPA_CERT_R_NOT_SELF_ISSUED, "issuer differs from subject" },
	{ BPA_CERT_R_SELF_SIGNATURE, "self-signature does not verify" },
	{ BPA_CERT_R_WEAK_SIGNATURE, "weak signature algorithm" },
	{ BPA_CERT_R_NOT_YET_VALID, "not yet valid" },
	{ BPA_CERT_R_EXPIRED, "expired" },
	{ BPA_CERT_R_EKU_EXTENSION, "EKU extension does not allow the role" },
	{ BPA_CERT_R_EKU_PROPERTY, "ENHKEY_USAGE does not allow the role" },
	{ BPA_CERT_R_HASH_MISMATCH, "hash property mismatch" },
	{ BPA_CERT_R_PHASE_TWO, "refused by phase two" },
	{ BPA_CERT_R_INTERNAL, "internal error" },
	{ BPA_CERT_R_RSA_TOO_LARGE, "RSA key too large" },
	{ BPA_CERT_R_RSA_EXPONENT, "RSA exponent not allowed" },
	{ BPA_CERT_R_RSA_DEGENERATE, "RSA key degenerate" },
	{ BPA_CERT_R_WRONG_SUBJECT, "subject is not the expected SID" },
	{ BPA_CERT_R_UNTRUSTED_ISSUER,
	  "not issued by a trust anchor (ca file)" },
};

const char *bpa_cert_reason_name(uint32_t reason)
{
	size_t i;

	for (i = 0; i < sizeof(reason_names) / sizeof(reason_names[0]); i++) {
		if (reason_names[i].bit == reason) {
			return reason_names[i].name;
		}
	}
	return "unknown";
}

bool bpa_cert_verdict_subject_refused(const struct bpa_cert_verdict *v)
{
	/* the subject's reasons, and no earlier stage's HRESULT first */
	return v != NULL && (v->reasons & BPA_CERT_R_SUBJECT) != 0 &&
	       HRES_IS_EQUAL(bpa_validate_hresult(v->reasons),
			     HRES_E_ACCESSDENIED);
}

HRESULT bpa_validate_hresult(uint32_t r)
{
	if (r == 0) {
		return BPA_S_OK;
	}
	if (r & BPA_CERT_R_INTERNAL) {
		return HRES_E_FAIL;
	}
	if (r & BPA_CERT_R_DER) {
		return HRES_CRYPT_E_ASN1_ERROR;
	}
	if (r & BPA_CERT_R_SUBJECT) {
		return HRES_E_ACCESSDENIED;	/* MS-BPAU 3.1.4.1 */
	}
	/* stage 3 in this order; stages 4 and 5 only come alone */
	if (r & BPA_CERT_R_NOT_SELF_ISSUED) {
		return HRES_TRUST_E_CERT_SIGNATURE;
	}
	if (r & (BPA_CERT_R_NOT_RSA | BPA_CERT_R_RSA_TOO_SMALL |
		 BPA_CERT_R_RSA_TOO_LARGE | BPA_CERT_R_RSA_EXPONENT |
		 BPA_CERT_R_RSA_DEGENERATE)) {
		return HRES_NTE_BAD_KEY;
	}
	if (r & BPA_CERT_R_WEAK_SIGNATURE) {
		return HRES_NTE_BAD_ALGID;
	}
	if (r & (BPA_CERT_R_NOT_YET_VALID | BPA_CERT_R_EXPIRED)) {
		return HRES_CERT_E_EXPIRED;
	}
	if (r & (BPA_CERT_R_EKU_EXTENSION | BPA_CERT_R_EKU_PROPERTY)) {
		return HRES_CERT_E_WRONG_USAGE;
	}
	if (r & BPA_CERT_R_HASH_MISMATCH) {
		return HRES_CRYPT_E_HASH_VALUE;
	}
	if (r & BPA_CERT_R_SELF_SIGNATURE) {
		return HRES_TRUST_E_CERT_SIGNATURE;
	}
	if (r & BPA_CERT_R_UNTRUSTED_ISSUER) {
		return HRES_CERT_E_CHAINING;
	}
	return HRES_E_FAIL;
}

char *bpa_cert_verdict_string(TALLOC_CTX *mem_ctx,
			      const struct bpa_cert_verdict *v)
{
	const char *role_eku = NULL;
	char *s = NULL;
	char tbuf[BPA_TIME_STRING_MAX];
	size_t i;

	if (v->reasons == 0) {
		return talloc_strdup(mem_ctx, "accepted");
	}
	role_eku = v->role == BPA_CERT_ROLE_CLIENT ? "clientAuth" :
		   "serverAuth";
	s = talloc_strdup(mem_ctx, "");
	for (i = 0; s != NULL && (1u << i) <= BPA_CERT_R_LAST; i++) {
		uint32_t bit = 1u << i;
		const char *sep = s[0] == '\0' ? "" : ", ";

		if (!(v->reasons & bit)) {
			continue;
		}
		switch (bit) {
		case BPA_CERT_R_RSA_TOO_SMALL:
		case BPA_CERT_R_RSA_TOO_LARGE: {
			bool small = bit == BPA_CERT_R_RSA_TOO_SMALL;

			s = talloc_asprintf_append(s, "%sRSA key %" PRIu32
				" %c %" PRIu32 " bits", sep, v->rsa_bits,
				small ? '<' : '>',
				small ? v->min_rsa_bits : v->max_rsa_bits);
			break;
		}
		case BPA_CERT_R_RSA_EXPONENT:
			if (v->rsa_exponent_bits > 32) {
				s = talloc_asprintf_append(s,
					"%sRSA exponent of %" PRIu32 " bits "
					"(odd 3..2^32-1 allowed)", sep,
					v->rsa_exponent_bits);
			} else {
				s = talloc_asprintf_append(s,
					"%sRSA exponent %" PRIu32 " (odd "
					"3..2^32-1 allowed)", sep,
					v->rsa_exponent);
			}
			break;
		case BPA_CERT_R_WEAK_SIGNATURE:
			s = talloc_asprintf_append(s, "%sweak signature (%s)",
				sep, v->sign_algo ? v->sign_algo : "unknown");
			break;
		case BPA_CERT_R_NOT_YET_VALID:
			s = talloc_asprintf_append(s,
				"%snot yet valid (not before %s)", sep,
				bpa_time_format(v->not_before, tbuf));
			break;
		case BPA_CERT_R_EXPIRED:
			s = talloc_asprintf_append(s,
				"%sexpired (not after %s)", sep,
				bpa_time_format(v->not_after, tbuf));
			break;
		case BPA_CERT_R_EKU_EXTENSION:
			s = talloc_asprintf_append(s,
				"%sEKU extension does not allow %s", sep,
				role_eku);
			break;
		case BPA_CERT_R_EKU_PROPERTY:
			s = talloc_asprintf_append(s,
				"%sENHKEY_USAGE property does not allow %s",
				sep, role_eku);
			break;
		case BPA_CERT_R_HASH_MISMATCH: {
			uint32_t id;

			s = talloc_asprintf_append(s,
				"%shash property mismatch:", sep);
			for (id = 0; s != NULL && id < 32; id++) {
				if (v->bad_props & (1u << id)) {
					s = talloc_asprintf_append(s, " %s",
						bpa_blob_prop_name(id));
				}
			}
			break;
		}
		case BPA_CERT_R_PHASE_TWO:
			s = talloc_asprintf_append(s,
				"%srefused by phase two (0x%08" PRIx32 ")",
				sep, HRES_ERROR_V(v->phase_two_hres));
			break;
		default:
			s = talloc_asprintf_append(s, "%s%s", sep,
						   bpa_cert_reason_name(bit));
			break;
		}
	}
	return s;
}

