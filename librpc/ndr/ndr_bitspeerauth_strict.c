/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bitspeerauth: the hand-written NDR pull of ExchangePublicKeys.
 *
 * bitspeerauth.idl marks the method [nopull]: pidl generates its push,
 * print and tables, and this file supplies the pull it declares,
 * because pidl's pull makes two choices MS-BPAU does not allow:
 *
 * - MS-BPAU 3.1.4 (and 3.2.4 for the client): the runtime MUST reject
 *   a NULL unique pointer with a nonzero conformant value; pidl's pull
 *   accepts a NULL ClientKey (or *pServerKey) with any length.
 * - pidl allocates max_count bytes before it compares max_count with
 *   the length parameter, so a 13-byte stub could make the server
 *   allocate up to 256 MiB.  Here the conformance is compared first
 *   and nothing is allocated for bytes the stub does not hold.
 *
 * A stub that fails is an NDR error, so dcesrv answers it with
 * DCERPC_FAULT_NDR before the handler runs, the client stub returns an
 * error, and ndrdump refuses it.  The NDR32/NDR64 differences (pointer
 * and conformance widths, their alignment, NDR_ERR_NDR64 for values
 * above 2^32-1) are the primitives' (ndr_pull_generic_ptr,
 * ndr_pull_array_size), as in generated code.
 */

#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include "librpc/gen_ndr/ndr_bitspeerauth.h"
#include "librpc/ndr/ndr_bitspeerauth_strict.h"

/*
 * One key as MS-BPAU 6 puts it on the wire, the same in both
 * directions: [range(0,65536)] uint32 length, then a unique pointer to
 * a conformant byte array of that size (a top-level pointer: its
 * referent follows at once).  *key is allocated on the pull's current
 * memory context, NULL for a NULL pointer.
 */
static enum ndr_err_code bpa_ndr_pull_key(struct ndr_pull *ndr,
					  const char *name,
					  uint32_t *length,
					  uint8_t **key)
{
	uint32_t referent = 0;
	uint32_t size = 0;

	*key = NULL;
	NDR_CHECK(ndr_pull_uint32(ndr, NDR_SCALARS, length));
	if (*length > BITSPEERAUTH_MAX_KEY_LENGTH) {
		return ndr_pull_error(ndr, NDR_ERR_RANGE,
				      "%s: length %" PRIu32 " above %d",
				      name, *length,
				      BITSPEERAUTH_MAX_KEY_LENGTH);
	}
	NDR_CHECK(ndr_pull_generic_ptr(ndr, &referent));
	if (referent == 0) {
		/* MS-BPAU 3.1.4: NULL unique pointer, nonzero conformance */
		if (*length != 0) {
			return ndr_pull_error(ndr, NDR_ERR_INVALID_POINTER,
					      "%s: NULL with length %" PRIu32,
					      name, *length);
		}
		return NDR_ERR_SUCCESS;
	}

	/* the conformance (max_count), keyed by the slot it sizes */
	NDR_CHECK(ndr_pull_array_size(ndr, key));
	NDR_CHECK(ndr_steal_array_size(ndr, key, &size));
	if (size != *length) {
		return ndr_pull_error(ndr, NDR_ERR_ARRAY_SIZE,
				      "%s: conformance %" PRIu32
				      " is not the length %" PRIu32,
				      name, size, *length);
	}
	NDR_PULL_NEED_BYTES(ndr, size);
	NDR_PULL_ALLOC_N(ndr, *key, size);
	return ndr_pull_array_uint8(ndr, NDR_SCALARS, *key, size);
}

_PUBLIC_ enum ndr_err_code ndr_pull_bitspeerauth_ExchangePublicKeys(
	struct ndr_pull *ndr,
	int flags,
	struct bitspeerauth_ExchangePublicKeys *r)
{
	NDR_PULL_CHECK_FN_FLAGS(ndr, flags);

	if (flags & NDR_IN) {
		NDR_ZERO_STRUCT(r->out);
		NDR_CHECK(bpa_ndr_pull_key(ndr, "ClientKey",
					   &r->in.ClientKeyLength,
					   &r->in.ClientKey));
		/* the [ref] out parameters the server's handler fills */
		NDR_PULL_ALLOC(ndr, r->out.pServerKeyLength);
		*r->out.pServerKeyLength = 0;
		NDR_PULL_ALLOC(ndr, r->out.pServerKey);
		*r->out.pServerKey = NULL;
	}

	if (flags & NDR_OUT) {
		/*
		 * [ref] pointers are not on the wire: the caller's, or new
		 * ones when the caller asks for them (LIBNDR_FLAG_REF_ALLOC)
		 */
		if (ndr->flags & LIBNDR_FLAG_REF_ALLOC) {
			NDR_PULL_ALLOC(ndr, r->out.pServerKeyLength);
			NDR_PULL_ALLOC(ndr, r->out.pServerKey);
		}
		if (r->out.pServerKeyLength == NULL ||
		    r->out.pServerKey == NULL) {
			return ndr_pull_error(ndr, NDR_ERR_INVALID_POINTER,
					      "ExchangePublicKeys: NULL [ref]"
					      " out parameter");
		}
		NDR_CHECK(bpa_ndr_pull_key(ndr, "pServerKey",
					   r->out.pServerKeyLength,
					   r->out.pServerKey));
		NDR_CHECK(ndr_pull_HRESULT(ndr, NDR_SCALARS, &r->out.result));
	}
	return NDR_ERR_SUCCESS;
}

_PUBLIC_ enum ndr_err_code bpa_ndr_pull_exchange_blob(
	TALLOC_CTX *mem_ctx,
	const DATA_BLOB *blob,
	int ndr_flags,
	uint32_t libndr_flags,
	struct bitspeerauth_ExchangePublicKeys *r)
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
	TALLOC_CTX *mem_ctx,
	int ndr_flags,
	uint32_t libndr_flags,
	const struct bitspeerauth_ExchangePublicKeys *r,
	DATA_BLOB *blob)
{
	const struct ndr_interface_call *call = &ndr_table_bitspeerauth
		.calls[NDR_BITSPEERAUTH_EXCHANGEPUBLICKEYS];
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
