/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz harness: the NDR pull of ExchangePublicKeys (MS-BPAU 3.1.4.1),
 * request and response, NDR32 and NDR64, through
 * ndr_table_bitspeerauth.calls[0].ndr_pull as dcesrv and the client
 * stubs call it (librpc/ndr/ndr_bitspeerauth_strict.c), and through the
 * whole-buffer bpa_ndr_pull_exchange_blob().
 *
 * Input: byte 0 selects the form (bit 0: NDR64, bit 1: response), the
 * rest is the stub.
 *
 * Invariants: an accepted stub has lengths within 64 KiB, no NULL key
 * with a nonzero length, and a key buffer of exactly the length; the
 * whole-buffer pull accepts exactly what the table pull accepts with no
 * byte left over, with the same values; pushing what was pulled gives a
 * stub of the input's length that pulls again to the same values and
 * pushes again to the same bytes; nothing is left on the context.
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include "fuzz_common.h"
#include "librpc/ndr/ndr_bitspeerauth_strict.h"

static bool same_key(uint32_t la,
		     const uint8_t *a,
		     uint32_t lb,
		     const uint8_t *b)
{
	if (la != lb || (a == NULL) != (b == NULL)) {
		return false;
	}
	return la == 0 || memcmp(a, b, la) == 0;
}

static bool same_call(int dir,
		      const struct bitspeerauth_ExchangePublicKeys *a,
		      const struct bitspeerauth_ExchangePublicKeys *b)
{
	if (dir == NDR_IN) {
		return same_key(a->in.ClientKeyLength, a->in.ClientKey,
				b->in.ClientKeyLength, b->in.ClientKey);
	}
	return HRES_IS_EQUAL(a->out.result, b->out.result) &&
	       same_key(*a->out.pServerKeyLength, *a->out.pServerKey,
			*b->out.pServerKeyLength, *b->out.pServerKey);
}

static void check_pulled(int dir,
			 const struct bitspeerauth_ExchangePublicKeys *r)
{
	uint32_t len = 0;
	const uint8_t *key = NULL;

	if (dir == NDR_IN) {
		len = r->in.ClientKeyLength;
		key = r->in.ClientKey;
		FUZZ_CHECK(r->out.pServerKeyLength != NULL &&
			   r->out.pServerKey != NULL,
			   "[ref] out pointers not allocated");
	} else {
		FUZZ_CHECK(r->out.pServerKeyLength != NULL &&
			   r->out.pServerKey != NULL, "[ref] out pointers");
		len = *r->out.pServerKeyLength;
		key = *r->out.pServerKey;
	}
	FUZZ_CHECK(len <= BITSPEERAUTH_MAX_KEY_LENGTH, "length over 64 KiB");
	FUZZ_CHECK(key != NULL || len == 0, "NULL key, nonzero length");
	if (key != NULL) {
		FUZZ_CHECK(talloc_get_size(key) == len,
			   "key buffer is not the length");
	}
}

static void check_push(TALLOC_CTX *ctx,
		       int dir,
		       uint32_t flags,
		       const struct bitspeerauth_ExchangePublicKeys *r,
		       size_t in_len,
		       bool whole)
{
	struct bitspeerauth_ExchangePublicKeys r2 = { .in = { 0 } };
	DATA_BLOB b1 = data_blob_null;
	DATA_BLOB b2 = data_blob_null;
	TALLOC_CTX *tmp = talloc_new(ctx);
	enum ndr_err_code err;

	FUZZ_CHECK(tmp != NULL, "talloc_new");
	err = bpa_ndr_push_exchange_blob(tmp, dir, flags, r, &b1);
	FUZZ_CHECK(NDR_ERR_CODE_IS_SUCCESS(err), "pulled call does not push");
	if (whole) {
		FUZZ_CHECK(b1.length == in_len,
			   "push length differs from the stub's");
	}
	err = bpa_ndr_pull_exchange_blob(tmp, &b1, dir, flags, &r2);
	FUZZ_CHECK(NDR_ERR_CODE_IS_SUCCESS(err), "pushed stub does not pull");
	FUZZ_CHECK(same_call(dir, r, &r2), "pulled again to other values");
	err = bpa_ndr_push_exchange_blob(tmp, dir, flags, &r2, &b2);
	FUZZ_CHECK(NDR_ERR_CODE_IS_SUCCESS(err), "second push");
	FUZZ_CHECK(data_blob_cmp(&b1, &b2) == 0, "second push differs");
	TALLOC_FREE(tmp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *ctx = NULL;
	TALLOC_CTX *wctx = NULL;
	struct bitspeerauth_ExchangePublicKeys *r = NULL;
	struct bitspeerauth_ExchangePublicKeys w = { .in = { 0 } };
	struct ndr_pull *pull = NULL;
	const struct ndr_interface_call *call = NULL;
	DATA_BLOB stub;
	uint32_t flags = 0;
	int dir = NDR_IN;
	enum ndr_err_code err;
	enum ndr_err_code err_whole;
	bool whole = false;

	if (size < 1) {
		return 0;
	}
	flags = (data[0] & 1) ? LIBNDR_FLAG_NDR64 : 0;
	dir = (data[0] & 2) ? NDR_OUT : NDR_IN;
	stub = data_blob_const(data + 1, size - 1);

	ctx = talloc_new(NULL);
	FUZZ_CHECK(ctx != NULL, "talloc_new");
	r = talloc_zero(ctx, struct bitspeerauth_ExchangePublicKeys);
	FUZZ_CHECK(r != NULL, "talloc_zero");
	if (dir == NDR_OUT) {
		/* as the client stub: the caller's [ref] out pointers */
		r->out.pServerKeyLength = talloc_zero(r, uint32_t);
		r->out.pServerKey = talloc_zero(r, uint8_t *);
		FUZZ_CHECK(r->out.pServerKeyLength != NULL &&
			   r->out.pServerKey != NULL, "talloc_zero");
	}

	/* As dcesrv_call_dispatch_local / the client stub pull */
	pull = ndr_pull_init_blob(&stub, r);
	FUZZ_CHECK(pull != NULL, "ndr_pull_init_blob");
	pull->flags |= LIBNDR_FLAG_REF_ALLOC | flags;
	call = ndr_table_bitspeerauth.calls;
	call += NDR_BITSPEERAUTH_EXCHANGEPUBLICKEYS;
	err = call->ndr_pull(pull, dir, r);
	whole = NDR_ERR_CODE_IS_SUCCESS(err) &&
		pull->offset == pull->data_size;
	TALLOC_FREE(pull);

	wctx = talloc_new(ctx);
	FUZZ_CHECK(wctx != NULL, "talloc_new");
	err_whole = bpa_ndr_pull_exchange_blob(wctx, &stub, dir, flags, &w);
	FUZZ_CHECK(NDR_ERR_CODE_IS_SUCCESS(err_whole) == whole,
		   "whole-buffer pull disagrees with the table pull");
	if (NDR_ERR_CODE_IS_SUCCESS(err_whole)) {
		check_pulled(dir, &w);
		FUZZ_CHECK(same_call(dir, r, &w),
			   "whole-buffer pull got other values");
	} else {
		FUZZ_CHECK(talloc_total_blocks(wctx) == 1,
			   "refused whole-buffer pull left memory");
	}
	TALLOC_FREE(wctx);
	if (NDR_ERR_CODE_IS_SUCCESS(err)) {
		check_pulled(dir, r);
		check_push(ctx, dir, flags, r, stub.length, whole);
	}
	TALLOC_FREE(r);
	fuzz_ctx_done(ctx);
	return 0;
}
