/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bitspeerauth: whole-buffer marshalling of ExchangePublicKeys.
 *
 * The generated table (ndr_table_bitspeerauth, gen_ndr/ndr_bitspeerauth.h)
 * is what dcesrv, the client stubs, ndrdump and smbtorture use.  These
 * two helpers wrap it for callers that hold a stub buffer of their own
 * (tests, tools): the pull applies every MS-BPAU 3.1.4 check of the
 * table's pull and, like ndr_pull_struct_blob_all(), also refuses bytes
 * left over after the last parameter.
 */
#ifndef _NDR_BITSPEERAUTH_STRICT_H_
#define _NDR_BITSPEERAUTH_STRICT_H_

#include <stdint.h>
#include <stdbool.h>
#include <talloc.h>
#include "librpc/gen_ndr/ndr_bitspeerauth.h"

/**
 * Pull one ExchangePublicKeys request (@ndr_flags NDR_IN) or response
 * (NDR_OUT) from all of @blob.
 *
 * @libndr_flags 0 for NDR32, LIBNDR_FLAG_NDR64 for NDR64.
 * @r            zeroed by the caller; for NDR_OUT the [ref] out
 *               pointers are allocated here.
 *
 * Everything @r points to afterwards is allocated under @mem_ctx.  On
 * error nothing is left allocated under @mem_ctx and the error is one
 * of: NDR_ERR_BUFSIZE (truncated), NDR_ERR_RANGE (a length above
 * BITSPEERAUTH_MAX_KEY_LENGTH), NDR_ERR_ARRAY_SIZE (conformance is not
 * the length), NDR_ERR_INVALID_POINTER (MS-BPAU 3.1.4: NULL key with a
 * nonzero length), NDR_ERR_NDR64 (an NDR64 value above 2^32-1),
 * NDR_ERR_UNREAD_BYTES (trailing data), NDR_ERR_ALLOC.
 */
enum ndr_err_code bpa_ndr_pull_exchange_blob(
	TALLOC_CTX *mem_ctx,
	const DATA_BLOB *blob,
	int ndr_flags,
	uint32_t libndr_flags,
	struct bitspeerauth_ExchangePublicKeys *r);

/**
 * Push the NDR_IN or NDR_OUT part of @r into @blob (allocated on
 * @mem_ctx), NDR32 or NDR64 as @libndr_flags says.  NDR_ERR_RANGE if a
 * length is above BITSPEERAUTH_MAX_KEY_LENGTH; NDR_ERR_INVALID_POINTER
 * for a NULL [ref] out pointer.
 */
enum ndr_err_code bpa_ndr_push_exchange_blob(
	TALLOC_CTX *mem_ctx,
	int ndr_flags,
	uint32_t libndr_flags,
	const struct bitspeerauth_ExchangePublicKeys *r,
	DATA_BLOB *blob);

#endif /* _NDR_BITSPEERAUTH_STRICT_H_ */
