/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MS-BPAU 3.2.4.1: what the client does with pServerKey once the call
 * succeeded with a nonzero pServerKeyLength: decode, validate for the
 * server role, check the subject is the server, store.
 */
#include <stdint.h>
#include <stdbool.h>
#include "util/bpa_debug.h"
#include <talloc.h>
#include "util/sid_string.h"
#include "blob/cert_blob.h"
#include "validate/cert_validate.h"
#include "validator/validator.h"
#include "peers/peer_table.h"
#include "revocation/revocation.h"
#include "client/bpa_client.h"

_PUBLIC_ HRESULT bpa_client_accept_server_blob(
	TALLOC_CTX *mem_ctx,
	const DATA_BLOB *server_blob,
	const struct bpa_client_accept *a,
	struct bpa_cert_verdict **pverdict)
{
	TALLOC_CTX *frame = NULL;
	struct bpa_cert_blob *blob = NULL;
	struct bpa_cert_verdict *v = NULL;
	struct bpa_validation_result *vr = NULL;
	struct bpa_validate_policy policy;
	enum bpa_blob_err berr;
	DATA_BLOB props;
	char *text = NULL;
	char buf[BPA_SID_STRING_MAX];
	bool same;
	HRESULT hr;

	if (pverdict != NULL) {
		*pverdict = NULL;
	}
	if (a != NULL && a->pvalidation != NULL) {
		*a->pvalidation = NULL;
	}
	if (server_blob == NULL || server_blob->length == 0 || a == NULL ||
	    a->server_sid == NULL || a->policy == NULL) {
		return HRES_E_INVALIDARG;
	}
	frame = talloc_new(mem_ctx);
	if (frame == NULL) {
		return HRES_E_OUTOFMEMORY;
	}

	/* 3.2.4.1: "the client MUST decode the server certificate" */
	berr = bpa_blob_decode(frame, server_blob->data, server_blob->length,
			       &blob);
	if (berr != BPA_BLOB_OK) {
		DBG_WARNING("server blob does not decode: %s\n",
			    bpa_blob_strerror(berr));
		hr = bpa_blob_err_hresult(berr);
		goto done;
	}

	/* for the server role: serverAuth, and phase one in full; whose
	 * certificate it is decides first (3.2.4.1) */
	policy = *a->policy;
	policy.expected_subject = a->server_sid;
	/* phase one, then the validator (seed
	 * bits-validate-server-certificate) */
	hr = bpa_validation_check(frame, a->validator, blob,
				  BPA_CERT_ROLE_SERVER, &policy, a->endpoint,
				  a->now, &vr);
	if (vr != NULL) {
		v = vr->verdict;
		text = bpa_cert_verdict_string(frame, v);
		if (pverdict != NULL) {
			*pverdict = talloc_steal(mem_ctx, v);
		}
		if (a->pvalidation != NULL) {
			*a->pvalidation = talloc_steal(mem_ctx, vr);
		}
	}
	if (v != NULL && (v->reasons & BPA_CERT_R_WRONG_SUBJECT)) {
		DBG_WARNING("server certificate is not for %s: refused\n",
			    bpa_sid_format(a->server_sid, buf));
		hr = HRES_SEC_E_WRONG_PRINCIPAL;
		goto done;
	}
	if (!HRES_IS_OK(hr)) {
		DBG_WARNING("server certificate refused: %s\n",
			    text != NULL ? text : "(no memory)");
		goto done;
	}

	/* 3.2.4.1: the subject MUST be the server's Kerberos identity */
	same = v->has_sid && bpa_sid_equal(&v->subject_sid, a->server_sid);
	if (!same) {
		DBG_WARNING("server certificate is not for %s: refused\n",
			    bpa_sid_format(a->server_sid, buf));
		hr = HRES_SEC_E_WRONG_PRINCIPAL;
		goto done;
	}
	/* seed ocsp-revocation-provider: before it is stored */
	if (a->revocation_mode != BPA_REV_MODE_NO) {
		struct bpa_rev_status st;
		bool accept = false;

		hr = bpa_rev_check_cert(frame, a->revocation,
					(enum bpa_rev_mode)a->revocation_mode,
					&blob->cert_der, NULL, 0, a->now,
					&accept, &st);
		if (HRES_IS_OK(hr) && !accept) {
			DBG_WARNING("server certificate refused by "
				    "revocation: %s\n",
				    bpa_rev_error_name(st.error) ?: "?");
			hr = st.error;
		}
		if (!HRES_IS_OK(hr)) {
			goto done;
		}
	}
	if (a->table == NULL) {
		hr = BPA_S_OK;
		goto done;
	}
	/* the same properties the server keeps (peer_record.h) */
	hr = bpa_peer_properties_from_blob(frame, blob, &props);
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	hr = bpa_client_store_server_cert(a->table, a->server_sid,
					  &v->subject_sid, &blob->cert_der,
					  &props, a->now);
done:
	TALLOC_FREE(frame);
	return hr;
}
