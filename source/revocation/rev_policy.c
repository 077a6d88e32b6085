/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What a revocation status means for the caller (seed: "Expected
 * Application Behavior"): "bitspeerauth:revocation check = no | soft |
 * hard", the audit word, the names in logs, and the one-call check of
 * a peer's certificate used by the exchange, the 3.1.6.1 query and the
 * TLS hook.
 */
#include <string.h>
#include <strings.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "ocsp/ocsp_client.h"
#include "revocation/revocation.h"

bool bpa_rev_mode_parse(const char *s, enum bpa_rev_mode *pmode)
{
	if (s == NULL) {
		return false;
	}
	if (strcasecmp(s, "no") == 0) {
		*pmode = BPA_REV_MODE_NO;
	} else if (strcasecmp(s, "soft") == 0) {
		*pmode = BPA_REV_MODE_SOFT;
	} else if (strcasecmp(s, "hard") == 0) {
		*pmode = BPA_REV_MODE_HARD;
	} else {
		return false;
	}
	return true;
}

const char *bpa_rev_mode_name(enum bpa_rev_mode m)
{
	switch (m) {
	case BPA_REV_MODE_NO:
		return "no";
	case BPA_REV_MODE_SOFT:
		return "soft";
	case BPA_REV_MODE_HARD:
		return "hard";
	}
	return "invalid";
}

static const struct {
	uint32_t v;
	const char *name;
} rev_names[] = {
	{ 0, "S_OK" },
	{ 0x80092010, "CRYPT_E_REVOKED" },
	{ 0x80092011, "CRYPT_E_NO_REVOCATION_DLL" },
	{ 0x80092012, "CRYPT_E_NO_REVOCATION_CHECK" },
	{ 0x80092013, "CRYPT_E_REVOCATION_OFFLINE" },
	{ 0x80092014, "CRYPT_E_NOT_IN_REVOCATION_DATABASE" },
	{ 0x80070057, "E_INVALIDARG" },
};

const char *bpa_rev_error_name(HRESULT hr)
{
	size_t i;

	for (i = 0; i < sizeof(rev_names) / sizeof(rev_names[0]); i++) {
		if (HRES_ERROR_V(hr) == rev_names[i].v) {
			return rev_names[i].name;
		}
	}
	return NULL;
}

bool bpa_rev_accept(enum bpa_rev_mode mode, const struct bpa_rev_status *st)
{
	if (mode == BPA_REV_MODE_NO || st == NULL) {
		return true;
	}
	if (HRES_IS_OK(st->error)) {
		return true;
	}
	if (HRES_IS_EQUAL(st->error, HRES_CRYPT_E_REVOKED) ||
	    st->definitive_unknown) {
		return false;
	}
	/* could not check: allowed (and reported) only in soft mode */
	return mode == BPA_REV_MODE_SOFT;
}

const char *bpa_rev_audit_word(enum bpa_rev_mode mode,
			       const struct bpa_rev_status *st)
{
	if (mode == BPA_REV_MODE_NO || st == NULL) {
		return "off";
	}
	if (HRES_IS_OK(st->error)) {
		return "good";
	}
	if (HRES_IS_EQUAL(st->error, HRES_CRYPT_E_REVOKED)) {
		return "revoked";
	}
	if (st->definitive_unknown) {
		return "unknown";
	}
	return mode == BPA_REV_MODE_SOFT ? "not-checked" : "failed";
}

char *bpa_rev_status_string(TALLOC_CTX *mem_ctx,
			    const struct bpa_rev_status *st)
{
	const char *name = bpa_rev_error_name(st->error);
	char *s = NULL;

	s = talloc_asprintf(mem_ctx, "%s (0x%08X) at index %" PRIu32,
			    name ? name : "?", HRES_ERROR_V(st->error),
			    st->index);
	if (s != NULL && st->provider != NULL) {
		s = talloc_asprintf_append(s, " by %s", st->provider);
	}
	if (s != NULL && HRES_IS_EQUAL(st->error, HRES_CRYPT_E_REVOKED)) {
		const char *rn = bpa_crl_reason_name(st->reason);

		s = talloc_asprintf_append(s, ", reason %s",
					   rn ? rn : "unspecified");
	}
	if (s != NULL && st->has_freshness_time) {
		s = talloc_asprintf_append(s, ", next update in %" PRId64
					   " s", st->freshness_time);
	}
	if (s != NULL && st->detail != NULL && st->detail[0] != '\0') {
		s = talloc_asprintf_append(s, ": %s", st->detail);
	}
	return s;
}

HRESULT bpa_rev_check_cert(TALLOC_CTX *mem_ctx,
			   struct bpa_rev_stack *s,
			   enum bpa_rev_mode mode,
			   const DATA_BLOB *leaf_der,
			   const DATA_BLOB *extra,
			   size_t n_extra,
			   time_t now,
			   bool *paccept,
			   struct bpa_rev_status *status)
{
	return bpa_rev_check_cert_flags(mem_ctx, s, mode, leaf_der, extra,
					n_extra, 0, now, paccept, status);
}

HRESULT bpa_rev_check_cert_flags(TALLOC_CTX *mem_ctx,
				 struct bpa_rev_stack *s,
				 enum bpa_rev_mode mode,
				 const DATA_BLOB *leaf_der,
				 const DATA_BLOB *extra,
				 size_t n_extra,
				 uint32_t leaf_flags,
				 time_t now,
				 bool *paccept,
				 struct bpa_rev_status *status)
{
	TALLOC_CTX *frame = NULL;
	struct bpa_rev_chain *chain = NULL;
	struct bpa_rev_para para = { .now = now };
	char *text = NULL;
	HRESULT hr;

	memset(status, 0, sizeof(*status));
	status->detail = "off";
	*paccept = true;
	if (mode == BPA_REV_MODE_NO) {
		return BPA_S_OK;
	}
	frame = talloc_new(mem_ctx);
	if (frame == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	if (s == NULL) {
		status->error = HRES_CRYPT_E_NO_REVOCATION_DLL;
		status->detail = "no revocation stack";
	} else {
		hr = bpa_rev_chain_build_flags(frame, s, leaf_der, extra,
					       n_extra, leaf_flags, &chain);
		if (HRES_IS_EQUAL(hr, HRES_E_OUTOFMEMORY)) {
			TALLOC_FREE(frame);
			return hr;
		}
		bpa_rev_verify(frame, s, chain, &para, status);
	}
	*paccept = bpa_rev_accept(mode, status);
	/* the line is made only for a log that takes it */
	if (!*paccept || !HRES_IS_OK(status->error) ||
	    CHECK_DEBUGLVLC(DBGC_CLASS, DBGLVL_INFO)) {
		text = bpa_rev_status_string(frame, status);
	}
	if (!*paccept) {
		DBG_WARNING("revocation (%s): refused: %s\n",
			    bpa_rev_mode_name(mode), text ? text : "");
	} else if (!HRES_IS_OK(status->error)) {
		/* seed: tell that the check did not take place, and why */
		DBG_WARNING("revocation (%s): not checked, allowed: %s\n",
			    bpa_rev_mode_name(mode), text ? text : "");
	} else {
		DBG_INFO("revocation: %s\n", text ? text : "");
	}
	status->detail = talloc_strdup(mem_ctx, status->detail);
	if (status->detail == NULL) {
		status->detail = "";
	}
	TALLOC_FREE(frame);
	return BPA_S_OK;
}
