/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bitspeerauth: the NDR checks pidl does not make.
 *
 * MS-BPAU 3.1.4: the runtime MUST reject a NULL unique pointer with a
 * nonzero conformant value.  pidl's generated pull accepts a NULL
 * ClientKey with any ClientKeyLength, so ExchangePublicKeys is [nopull]
 * in bitspeerauth.idl and pulled here: through the generated parser of
 * the identical bitspeerauth_wire function, then checked.  A request
 * that fails the check is an NDR error, so dcesrv answers it with
 * DCERPC_FAULT_NDR before the handler runs, and ndrdump refuses it.
 */

#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include "librpc/gen_ndr/ndr_bitspeerauth.h"
#include "librpc/gen_ndr/ndr_bitspeerauth_wire.h"

_PUBLIC_ enum ndr_err_code ndr_pull_ExchangePublicKeys(
	struct ndr_pull *ndr, int flags, struct ExchangePublicKeys *r)
{
	struct ExchangePublicKeysWire w = { .in = { 0 } };
	enum ndr_err_code err;

	/* With NDR_OUT only, the caller's [ref] out pointers are filled */
	w.out.pServerKeyLength = r->out.pServerKeyLength;
	w.out.pServerKey = r->out.pServerKey;

	err = ndr_table_bitspeerauth_wire.calls[NDR_EXCHANGEPUBLICKEYSWIRE]
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
	/* Both in and out: the wire pull allocated the [ref] out pointers */
	r->out.pServerKeyLength = w.out.pServerKeyLength;
	r->out.pServerKey = w.out.pServerKey;
	if (flags & NDR_OUT) {
		r->out.result = w.out.result;
	}
	return NDR_ERR_SUCCESS;
}
