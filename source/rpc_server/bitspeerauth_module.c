/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bitspeerauth.so: the BitsPeerAuth endpoint server [MS-BPAU] as a
 * Samba dcerpc_server module, the AD DC's shell.  samba loads it from
 * <modulesdir>/dcerpc_server/ and serves it when smb.conf has
 * "dcerpc endpoint servers = +bitspeerauth".  The endpoint server and
 * its handler are endpoint.c's, shared with the member's rpcd_ helper;
 * what is the DC's own is host_dc.c (identity from sam.ldb).
 */
#include <stdint.h>
#include <stdbool.h>
#include "util/bpa_debug.h"
#include <dcesrv_core.h>
#include "rpc_server/endpoint.h"
#include "rpc_server/host.h"

NTSTATUS samba_init_module(TALLOC_CTX *ctx);

NTSTATUS samba_init_module(TALLOC_CTX *ctx)
{
	NTSTATUS status;

	bpa_debug_init();
	status = dcerpc_register_ep_server(
		bpa_srv_endpoint_server(&bpa_srv_host_dc));
	if (!NT_STATUS_IS_OK(status)) {
		DBG_ERR("cannot register the bitspeerauth endpoint server: "
			"%s\n", nt_errstr(status));
	}
	return status;
}
