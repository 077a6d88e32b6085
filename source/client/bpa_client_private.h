/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Internal to source/client: shared by the exchange and the lookups. */
#ifndef _BPA_CLIENT_PRIVATE_H_
#define _BPA_CLIENT_PRIVATE_H_

#include <stdint.h>
#include <stdbool.h>
#include <core/ntstatus.h>
#include <core/hresult.h>

struct dcerpc_pipe;
struct ndr_interface_table;

/** HRESULT_FROM_NT(@status) (MS-ERREF 2.1) */
HRESULT bpa_client_hresult_from_nt(NTSTATUS status);

/**
 * true if @binding parses and asks for what MS-BPAU needs: ncacn_ip_tcp
 * (2.1), krb5 (3.2.3), and sign or seal.  Logs why not.
 */
bool bpa_client_binding_ok(const char *binding);

/**
 * Check @binding (bpa_client_binding_ok(), else E_INVALIDARG), then
 * dcerpc_pipe_connect() to it for @table, require Kerberos with sign or
 * seal (else NT_STATUS_RPC_UNSUPPORTED_AUTHN_LEVEL) and set the
 * MS-BPAU 3.2.2 call timeout.  The pipe is allocated on @mem_ctx.
 * @return S_OK or HRESULT_FROM_NT() of the failure
 */
HRESULT bpa_client_connect(TALLOC_CTX *mem_ctx,
			   struct tevent_context *ev,
			   struct loadparm_context *lp_ctx,
			   struct cli_credentials *creds,
			   const char *binding,
			   const struct ndr_interface_table *table,
			   struct dcerpc_pipe **pp);

#endif /* _BPA_CLIENT_PRIVATE_H_ */
