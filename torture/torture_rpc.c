/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bitspeerauth.rpc: ExchangePublicKeys against a live server.
 *
 * smbtorture gives the binding and the credentials (-U, --realm,
 * --use-kerberos=required); every test opens its own connection with
 * torture_rpc_connection().
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <talloc.h>
#include <core/ntstatus.h>
#include <core/hresult.h>
#include <dcerpc.h>
#include <rpc_common.h>
#include <gen_ndr/dcerpc.h>
#include "torture/bpa_torture_abi.h"
#include "torture/bpa_torture.h"
#include "librpc/gen_ndr/ndr_bitspeerauth.h"

static bool connect_pipe(struct torture_context *tctx,
			 struct dcerpc_pipe **p)
{
	NTSTATUS status = torture_rpc_connection(tctx, p,
						 &ndr_table_bitspeerauth);

	if (!NT_STATUS_IS_OK(status)) {
		torture_result(tctx, TORTURE_FAIL, "connect: %s",
			       nt_errstr(status));
		return false;
	}
	return true;
}

/* Send @len bytes someone else encoded as opnum @opnum */
static NTSTATUS raw_call(struct torture_context *tctx, struct dcerpc_pipe *p,
			 uint32_t opnum, const uint8_t *in, size_t len)
{
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint32_t out_flags = 0;

	return dcerpc_binding_handle_raw_call(p->binding_handle, NULL, opnum,
					      0, in, len, tctx, &out,
					      &out_len, &out_flags);
}

/* MS-BPAU 3.1.4: a NULL ClientKey with a length is an NDR fault */
static bool test_null_key_with_length_faults(struct torture_context *tctx)
{
	static const uint8_t stub[] = {
		0x05, 0x00, 0x00, 0x00,	/* ClientKeyLength 5 */
		0x00, 0x00, 0x00, 0x00,	/* ClientKey NULL */
	};
	struct dcerpc_pipe *p = NULL;
	NTSTATUS status;

	if (!connect_pipe(tctx, &p)) {
		return false;
	}
	status = raw_call(tctx, p, NDR_EXCHANGEPUBLICKEYS, stub,
			  sizeof(stub));
	if (!NT_STATUS_EQUAL(status, NT_STATUS_RPC_BAD_STUB_DATA)) {
		torture_result(tctx, TORTURE_FAIL,
			       "got %s, expected a DCERPC_FAULT_NDR "
			       "(NT_STATUS_RPC_BAD_STUB_DATA)",
			       nt_errstr(status));
		return false;
	}
	torture_comment(tctx, "refused: %s (fault 0x%08x)\n",
			nt_errstr(status), p->last_fault_code);
	return true;
}

/* MS-BPAU 3.1.4: only opnum 0 exists */
static bool test_opnum_out_of_range(struct torture_context *tctx)
{
	static const uint8_t stub[] = { 0, 0, 0, 0, 0, 0, 0, 0 };
	struct dcerpc_pipe *p = NULL;
	NTSTATUS status;

	if (!connect_pipe(tctx, &p)) {
		return false;
	}
	status = raw_call(tctx, p, 1, stub, sizeof(stub));
	if (!NT_STATUS_EQUAL(status, NT_STATUS_RPC_PROCNUM_OUT_OF_RANGE)) {
		torture_result(tctx, TORTURE_FAIL,
			       "got %s, expected "
			       "NT_STATUS_RPC_PROCNUM_OUT_OF_RANGE",
			       nt_errstr(status));
		return false;
	}
	return true;
}

/*
 * Trailing stub bytes: dcesrv pulls through the table and, like Samba's
 * client (dcerpc.c "ignoring %u unread bytes"), does not refuse bytes
 * left after the last parameter (NT3.1 compatibility).  Our strict pull
 * keeps that: only the whole-buffer helper bpa_ndr_pull_exchange_blob()
 * refuses them.  This pins the behaviour: the call is answered, not
 * faulted.
 */
static bool test_trailing_bytes_are_not_a_fault(struct torture_context *tctx)
{
	static const uint8_t stub[] = {
		0x00, 0x00, 0x00, 0x00,	/* ClientKeyLength 0 */
		0x00, 0x00, 0x00, 0x00,	/* ClientKey NULL */
		0xde, 0xad, 0xbe, 0xef,	/* trailing */
	};
	struct dcerpc_pipe *p = NULL;
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint32_t out_flags = 0;
	NTSTATUS status;

	if (!connect_pipe(tctx, &p)) {
		return false;
	}
	status = dcerpc_binding_handle_raw_call(p->binding_handle, NULL,
						NDR_EXCHANGEPUBLICKEYS, 0,
						stub, sizeof(stub), tctx,
						&out, &out_len, &out_flags);
	if (!NT_STATUS_IS_OK(status)) {
		torture_result(tctx, TORTURE_FAIL, "got %s (fault 0x%08x)",
			       nt_errstr(status), p->last_fault_code);
		return false;
	}
	torture_comment(tctx, "answered with a %zu byte stub\n", out_len);
	return true;
}

/* MS-BPAU 3.2.3: the connection smbtorture made is Kerberos */
static bool test_binding_is_kerberos(struct torture_context *tctx)
{
	struct dcerpc_pipe *p = NULL;
	enum dcerpc_AuthType type = DCERPC_AUTH_TYPE_NONE;
	enum dcerpc_AuthLevel level = DCERPC_AUTH_LEVEL_NONE;

	if (!connect_pipe(tctx, &p)) {
		return false;
	}
	dcerpc_binding_handle_auth_info(p->binding_handle, &type, &level);
	if (type != DCERPC_AUTH_TYPE_KRB5 ||
	    level < DCERPC_AUTH_LEVEL_INTEGRITY) {
		torture_result(tctx, TORTURE_FAIL,
			       "auth type %d level %d: run with a "
			       "[krb5,sign] binding and Kerberos "
			       "credentials", (int)type, (int)level);
		return false;
	}
	return true;
}

struct torture_suite *bpa_torture_rpc_suite(TALLOC_CTX *mem_ctx)
{
	struct torture_suite *suite = torture_suite_create(mem_ctx, "rpc");

	if (suite == NULL) {
		return NULL;
	}
	torture_suite_add_simple_test(suite, "binding-is-kerberos",
				      test_binding_is_kerberos);
	torture_suite_add_simple_test(suite, "null-key-with-length-faults",
				      test_null_key_with_length_faults);
	torture_suite_add_simple_test(suite, "opnum-out-of-range",
				      test_opnum_out_of_range);
	torture_suite_add_simple_test(suite, "trailing-bytes-are-not-a-fault",
				      test_trailing_bytes_are_not_a_fault);
	return suite;
}
