/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bitspeerauth: the NDR checks pidl does not make.
 *
 * MS-BPAU 3.1.4 (and 3.2.4, which applies it to the client): the
 * runtime MUST reject a NULL unique pointer with a nonzero conformant
 * value.  pidl's generated pull accepts a NULL ClientKey (or
 * *pServerKey) with any length, so ExchangePublicKeys is [nopull] in
 * bitspeerauth.idl and pulled here: through the generated parser of the
 * identical bitspeerauth_wire function, then checked.  A stub that
 * fails the check is an NDR error, so dcesrv answers it with
 * DCERPC_FAULT_NDR before the handler runs, the client stub returns an
 * error, and ndrdump refuses it.
 */

#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include "librpc/gen_ndr/ndr_bitspeerauth.h"
#include "librpc/gen_ndr/ndr_bitspeerauth_wire.h"
#include "librpc/ndr/ndr_bitspeerauth_strict.h"

/*
 * The generated pull allocates max_count bytes before it compares
 * max_count with the length parameter: a 13-byte stub could make it
 * allocate up to 256 MiB.  Both directions start with the same three
 * scalars (length, unique pointer, conformance), so read them ahead
 * and refuse a conformance that is not the length before any
 * allocation.  Any other error is left to the generated pull, which
 * reports it at the same place with the same code.
 */
static enum ndr_err_code bpa_ndr_precheck_conformance(struct ndr_pull *ndr)
{
	uint32_t saved_offset = ndr->offset;
	uint32_t saved_ptr_count = ndr->ptr_count;
	uint32_t length = 0;
	uint32_t ptr = 0;
	uint32_t max_count = 0;
	enum ndr_err_code err;

	err = ndr_pull_uint32(ndr, NDR_SCALARS, &length);
	if (NDR_ERR_CODE_IS_SUCCESS(err) &&
	    length <= BITSPEERAUTH_MAX_KEY_LENGTH) {
		err = ndr_pull_generic_ptr(ndr, &ptr);
	}
	if (NDR_ERR_CODE_IS_SUCCESS(err) && ptr != 0) {
		err = ndr_pull_uint3264(ndr, NDR_SCALARS, &max_count);
	}
	ndr->offset = saved_offset;
	ndr->ptr_count = saved_ptr_count;

	if (NDR_ERR_CODE_IS_SUCCESS(err) && ptr != 0 && max_count != length) {
		return ndr_pull_error(ndr, NDR_ERR_ARRAY_SIZE,
			"ExchangePublicKeys: conformance %" PRIu32
			" is not the key length %" PRIu32,
			max_count, length);
	}
	return NDR_ERR_SUCCESS;
}

_PUBLIC_ enum ndr_err_code ndr_pull_bitspeerauth_ExchangePublicKeys(
	struct ndr_pull *ndr, int flags, struct bitspeerauth_ExchangePublicKeys *r)
{
	struct bitspeerauth_wire_ExchangePublicKeys w = { .in = { 0 } };
	enum ndr_err_code err;

	/* With NDR_OUT only, the caller's [ref] out pointers are filled */
	w.out.pServerKeyLength = r->out.pServerKeyLength;
	w.out.pServerKey = r->out.pServerKey;

	if ((flags & (NDR_IN | NDR_OUT)) != (NDR_IN | NDR_OUT)) {
		err = bpa_ndr_precheck_conformance(ndr);
		if (!NDR_ERR_CODE_IS_SUCCESS(err)) {
			return err;
		}
	}

	err = ndr_table_bitspeerauth_wire.calls[NDR_BITSPEERAUTH_WIRE_EXCHANGEPUBLICKEYS]
		.ndr_pull(ndr, flags, &w);
	if (!NDR_ERR_CODE_IS_SUCCESS(err)) {
		return err;
	}

	if (flags & NDR_IN) {
		/* MS-BPAU 3.1.4: NULL unique pointer, nonzero conformance */
		if (w.in.ClientKey == NULL && w.in.ClientKeyLength != 0) {
			return ndr_pull_error(ndr, NDR_ERR_INVALID_POINTER,
				"ExchangePublicKeys: NULL ClientKey with "
				"ClientKeyLength %" PRIu32,
				w.in.ClientKeyLength);
		}
		r->in.ClientKeyLength = w.in.ClientKeyLength;
		r->in.ClientKey = w.in.ClientKey;
	}
	if (flags & NDR_OUT) {
		/* MS-BPAU 3.2.4 -> 3.1.4: the same rule for the response */
		if (*w.out.pServerKey == NULL &&
		    *w.out.pServerKeyLength != 0) {
			return ndr_pull_error(ndr, NDR_ERR_INVALID_POINTER,
				"ExchangePublicKeys: NULL pServerKey with "
				"pServerKeyLength %" PRIu32,
				*w.out.pServerKeyLength);
		}
		r->out.result = w.out.result;
	}
	/* NDR_IN allocates the [ref] out pointers; NDR_OUT may have */
	r->out.pServerKeyLength = w.out.pServerKeyLength;
	r->out.pServerKey = w.out.pServerKey;
	return NDR_ERR_SUCCESS;
}

_PUBLIC_ enum ndr_err_code bpa_ndr_pull_exchange_blob(
	TALLOC_CTX *mem_ctx, const DATA_BLOB *blob, int ndr_flags,
	uint32_t libndr_flags, struct bitspeerauth_ExchangePublicKeys *r)
{
	TALLOC_CTX *tmp = NULL;
	struct ndr_pull *ndr = NULL;
	struct bitspeerauth_ExchangePublicKeys v = { .in = { 0 } };
	enum ndr_err_code err;

	if (ndr_flags != NDR_IN && ndr_flags != NDR_OUT) {
		return NDR_ERR_FLAGS;
	}
	/* everything the pull allocates, kept only on success */
	tmp = talloc_new(mem_ctx);
	if (tmp == NULL) {
		return NDR_ERR_ALLOC;
	}
	ndr = ndr_pull_init_blob(blob, tmp);
	if (ndr == NULL) {
		err = NDR_ERR_ALLOC;
		goto done;
	}
	ndr->flags |= libndr_flags | LIBNDR_FLAG_REF_ALLOC;

	err = ndr_pull_bitspeerauth_ExchangePublicKeys(ndr, ndr_flags, &v);
	if (!NDR_ERR_CODE_IS_SUCCESS(err)) {
		goto done;
	}
	/* ndr_pull_struct_blob_all() semantics: the stub is all there is */
	if (ndr->offset != ndr->data_size) {
		err = ndr_pull_error(ndr, NDR_ERR_UNREAD_BYTES,
				     "ExchangePublicKeys: %" PRIu32
				     " trailing bytes",
				     ndr->data_size - ndr->offset);
		goto done;
	}
	*r = v;
	err = NDR_ERR_SUCCESS;
done:
	TALLOC_FREE(ndr);
	if (!NDR_ERR_CODE_IS_SUCCESS(err)) {
		TALLOC_FREE(tmp);
	}
	return err;
}

_PUBLIC_ enum ndr_err_code bpa_ndr_push_exchange_blob(
	TALLOC_CTX *mem_ctx, int ndr_flags, uint32_t libndr_flags,
	const struct bitspeerauth_ExchangePublicKeys *r, DATA_BLOB *blob)
{
	const struct ndr_interface_call *call =
		&ndr_table_bitspeerauth.calls[NDR_BITSPEERAUTH_EXCHANGEPUBLICKEYS];
	struct ndr_push *ndr = NULL;
	enum ndr_err_code err;

	if (ndr_flags != NDR_IN && ndr_flags != NDR_OUT) {
		return NDR_ERR_FLAGS;
	}
	/* pidl's push does not check [range]: do it here */
	if ((ndr_flags & NDR_IN) &&
	    r->in.ClientKeyLength > BITSPEERAUTH_MAX_KEY_LENGTH) {
		return NDR_ERR_RANGE;
	}
	if ((ndr_flags & NDR_OUT) && r->out.pServerKeyLength != NULL &&
	    *r->out.pServerKeyLength > BITSPEERAUTH_MAX_KEY_LENGTH) {
		return NDR_ERR_RANGE;
	}

	ndr = ndr_push_init_ctx(mem_ctx);
	if (ndr == NULL) {
		return NDR_ERR_ALLOC;
	}
	ndr->flags |= libndr_flags;
	err = call->ndr_push(ndr, ndr_flags, r);
	if (!NDR_ERR_CODE_IS_SUCCESS(err)) {
		TALLOC_FREE(ndr);
		return err;
	}
	*blob = ndr_push_blob(ndr);
	talloc_steal(mem_ctx, blob->data);
	TALLOC_FREE(ndr);
	return NDR_ERR_SUCCESS;
}
