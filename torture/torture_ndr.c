/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bitspeerauth.ndr: ExchangePublicKeys (MS-BPAU 3.1.4.1) through
 * smbtorture's own NDR test machinery (pull, no unread bytes, print,
 * push, byte-for-byte compare), NDR32 and NDR64, and the stubs the
 * strict pull (MS-BPAU 3.1.4) must refuse.
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include "torture/bpa_torture_abi.h"
#include "torture/bpa_torture.h"
#include "librpc/gen_ndr/ndr_bitspeerauth.h"
#include "torture/torture_cert.h"

static const struct ndr_interface_call *exchange_call(void)
{
	const struct ndr_interface_table *t = &ndr_table_bitspeerauth;

	return &t->calls[NDR_BITSPEERAUTH_EXCHANGEPUBLICKEYS];
}

/* Canonical encodings (referent 0x00020000, zero padding) */
static const uint8_t req_ndr32[] = {
	0x05, 0x00, 0x00, 0x00,			/* ClientKeyLength */
	0x00, 0x00, 0x02, 0x00,			/* unique referent */
	0x05, 0x00, 0x00, 0x00,			/* max_count */
	0x01, 0x02, 0x03, 0x04, 0x05,
};
static const uint8_t req_ndr64[] = {
	0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x02, 0x03, 0x04, 0x05,
};
static const uint8_t req_null_ndr32[] = {
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};
static const uint8_t rep_ndr32[] = {
	0x03, 0x00, 0x00, 0x00,			/* *pServerKeyLength */
	0x00, 0x00, 0x02, 0x00,
	0x03, 0x00, 0x00, 0x00,
	0xaa, 0xbb, 0xcc, 0x00,			/* key, pad */
	0x00, 0x00, 0x00, 0x00,			/* S_OK */
};
static const uint8_t rep_ndr64[] = {
	0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xaa, 0xbb, 0xcc, 0x00,
	0x00, 0x00, 0x00, 0x00,
};
static const uint8_t rep_denied_ndr32[] = {
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
	0x05, 0x00, 0x07, 0x80,			/* E_ACCESSDENIED */
};
/* truncated inside the key: smbtorture expects NDR_ERR_BUFSIZE */
static const uint8_t req_truncated[] = {
	0x05, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x02, 0x00,
	0x05, 0x00, 0x00, 0x00,
	0x01, 0x02,
};

static bool check_req(struct torture_context *tctx, void *data)
{
	const struct bitspeerauth_ExchangePublicKeys *r = data;
	static const uint8_t key[] = { 1, 2, 3, 4, 5 };

	if (r->in.ClientKeyLength != 5 || r->in.ClientKey == NULL ||
	    memcmp(r->in.ClientKey, key, 5) != 0) {
		torture_result(tctx, TORTURE_FAIL, "ClientKey not 01..05");
		return false;
	}
	return true;
}

static bool check_req_null(struct torture_context *tctx, void *data)
{
	const struct bitspeerauth_ExchangePublicKeys *r = data;

	if (r->in.ClientKeyLength != 0 || r->in.ClientKey != NULL) {
		torture_result(tctx, TORTURE_FAIL, "expected no ClientKey");
		return false;
	}
	return true;
}

static bool check_rep(struct torture_context *tctx, void *data)
{
	const struct bitspeerauth_ExchangePublicKeys *r = data;
	static const uint8_t key[] = { 0xaa, 0xbb, 0xcc };

	if (*r->out.pServerKeyLength != 3 || *r->out.pServerKey == NULL ||
	    memcmp(*r->out.pServerKey, key, 3) != 0 ||
	    !HRES_IS_OK(r->out.result)) {
		torture_result(tctx, TORTURE_FAIL, "pServerKey not aabbcc");
		return false;
	}
	return true;
}

static bool check_rep_denied(struct torture_context *tctx, void *data)
{
	const struct bitspeerauth_ExchangePublicKeys *r = data;

	if (*r->out.pServerKeyLength != 0 || *r->out.pServerKey != NULL ||
	    HRES_ERROR_V(r->out.result) != 0x80070005) {
		torture_result(tctx, TORTURE_FAIL, "expected E_ACCESSDENIED");
		return false;
	}
	return true;
}

static void add_pullpush(struct torture_suite *suite,
			 const char *name,
			 const uint8_t *data,
			 size_t len,
			 int ndr_flags,
			 int flags,
			 bool (*check)(struct torture_context *, void *))
{
	const struct ndr_interface_call *call = exchange_call();

	_torture_suite_add_ndr_pullpush_test(suite, name, call->ndr_pull,
		call->ndr_push, NULL, call->ndr_print, name,
		data_blob_const(data, len), call->struct_size, ndr_flags,
		flags, "pull-check-print-push", check);
}

/* MS-BPAU 3.1.4: refused by the table's own pull, as dcesrv uses it */
struct refusal {
	const char *name;
	uint32_t flags;
	int ndr_flags;
	const uint8_t *data;
	size_t len;
	enum ndr_err_code err;
};

static const uint8_t req_null_with_length[] = {
	0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t req_null_with_length_ndr64[] = {
	0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t req_length_65537[] = {
	0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t req_conformance_mismatch[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
	0x03, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03,
};
static const uint8_t rep_null_with_length[] = {
	0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};

static const struct refusal refusals[] = {
	{ "null-key-with-length", 0, NDR_IN, req_null_with_length,
	  sizeof(req_null_with_length), NDR_ERR_INVALID_POINTER },
	{ "null-key-with-length-ndr64", LIBNDR_FLAG_NDR64, NDR_IN,
	  req_null_with_length_ndr64, sizeof(req_null_with_length_ndr64),
	  NDR_ERR_INVALID_POINTER },
	{ "length-65537", 0, NDR_IN, req_length_65537,
	  sizeof(req_length_65537), NDR_ERR_RANGE },
	{ "conformance-mismatch", 0, NDR_IN, req_conformance_mismatch,
	  sizeof(req_conformance_mismatch), NDR_ERR_ARRAY_SIZE },
	{ "null-server-key-with-length", 0, NDR_OUT, rep_null_with_length,
	  sizeof(rep_null_with_length), NDR_ERR_INVALID_POINTER },
};

static bool test_strict_pull_refusals(struct torture_context *tctx)
{
	const struct ndr_interface_call *call = exchange_call();
	size_t i;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		const struct refusal *c = &refusals[i];
		DATA_BLOB b = data_blob_const(c->data, c->len);
		struct ndr_pull *ndr = ndr_pull_init_blob(&b, tctx);
		void *r = NULL;
		enum ndr_err_code err;

		if (ndr == NULL) {
			torture_result(tctx, TORTURE_ERROR, "no memory");
			return false;
		}
		r = talloc_zero_size(ndr, call->struct_size);
		if (r == NULL) {
			torture_result(tctx, TORTURE_ERROR, "no memory");
			return false;
		}
		ndr->flags |= c->flags | LIBNDR_FLAG_REF_ALLOC;
		err = call->ndr_pull(ndr, c->ndr_flags, r);
		talloc_free(ndr);
		if (err != c->err) {
			torture_result(tctx, TORTURE_FAIL,
				       "%s: got %s, expected %s", c->name,
				       ndr_map_error2string(err),
				       ndr_map_error2string(c->err));
			return false;
		}
		torture_comment(tctx, "%s: %s\n", c->name,
				ndr_map_error2string(err));
	}
	return true;
}

/* The rpc tests' own certificate blobs read back as they were made */
static bool test_helper_certificate_blob(struct torture_context *tctx)
{
	const char *sid = "S-1-5-21-397955417-626881126-188441444-33947170";
	DATA_BLOB blob = data_blob_null;
	const char *err = NULL;
	char *subject = NULL;

	if (!bpa_torture_make_blob(tctx, sid, &blob, &err)) {
		torture_result(tctx, TORTURE_FAIL, "make: %s", err);
		return false;
	}
	subject = bpa_torture_blob_subject(tctx, &blob, &err);
	if (subject == NULL || strcmp(subject, sid) != 0) {
		torture_result(tctx, TORTURE_FAIL, "read back: %s",
			       subject != NULL ? subject : err);
		return false;
	}
	/* MS-BPAU 4.2: the certificate element, id 32, Reserved 1 */
	if (blob.length < 44 || blob.data[32] != 0x20 ||
	    blob.data[36] != 0x01) {
		torture_result(tctx, TORTURE_FAIL, "layout");
		return false;
	}
	torture_comment(tctx, "%zu byte blob for %s\n", blob.length,
			subject);
	return true;
}

struct torture_suite *bpa_torture_ndr_suite(TALLOC_CTX *mem_ctx)
{
	struct torture_suite *suite = torture_suite_create(mem_ctx, "ndr");
	const struct ndr_interface_call *call = exchange_call();

	if (suite == NULL) {
		return NULL;
	}
	add_pullpush(suite, "request-ndr32", req_ndr32, sizeof(req_ndr32),
		     NDR_IN, 0, check_req);
	add_pullpush(suite, "request-ndr64", req_ndr64, sizeof(req_ndr64),
		     NDR_IN, LIBNDR_FLAG_NDR64, check_req);
	add_pullpush(suite, "request-no-key", req_null_ndr32,
		     sizeof(req_null_ndr32), NDR_IN, 0, check_req_null);
	add_pullpush(suite, "response-ndr32", rep_ndr32, sizeof(rep_ndr32),
		     NDR_OUT, 0, check_rep);
	add_pullpush(suite, "response-ndr64", rep_ndr64, sizeof(rep_ndr64),
		     NDR_OUT, LIBNDR_FLAG_NDR64, check_rep);
	add_pullpush(suite, "response-access-denied", rep_denied_ndr32,
		     sizeof(rep_denied_ndr32), NDR_OUT, 0,
		     check_rep_denied);
	_torture_suite_add_ndr_pull_invalid_data_test(suite,
		"request-truncated", call->ndr_pull, "pull-fails-bufsize",
		data_blob_const(req_truncated, sizeof(req_truncated)),
		call->struct_size, NDR_IN, 0, NDR_ERR_BUFSIZE);
	torture_suite_add_simple_test(suite, "strict-pull-refusals",
				      test_strict_pull_refusals);
	torture_suite_add_simple_test(suite, "helper-certificate-blob",
				      test_helper_certificate_blob);
	return suite;
}
