/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rpcd_bitspeerauth: the BitsPeerAuth endpoint server [MS-BPAU] as a
 * samba-dcerpcd helper, the domain member's shell.  samba-dcerpcd finds
 * it in its libexec folder (rpcd_*), asks it for its interfaces with
 * --list-interfaces and starts it as workers that serve the connections
 * it accepts; rpc_worker_main() (Samba's libRPC-WORKER, rpc_worker.h) is
 * that whole protocol.  The endpoint server and its handler are
 * endpoint.c's, shared with the DC module; what is the member's own is
 * host_member.c (identity from winbindd, the table's start here).
 *
 * MS-BPAU 2.1 needs ncacn_ip_tcp, which samba-dcerpcd serves only as a
 * standalone daemon ("rpc start on demand helpers = no",
 * samba-dcerpcd --libexec-rpcds; docs/member-server.md).
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include "util/bpa_debug.h"
#include <param.h>
#include <dcesrv_core.h>
#include "librpc/gen_ndr/ndr_bitspeerauth.h"
#include "rpc_server/server_state.h"
#include "rpc_server/endpoint.h"
#include "rpc_server/host.h"
#include "rpc_worker.h"

/* libsamba-hostconfig and libsmbconf, declared in no installed header */
const struct loadparm_s3_helpers *loadparm_s3_helpers(void);
struct loadparm_context *loadparm_init_s3(
	TALLOC_CTX *mem_ctx,
	const struct loadparm_s3_helpers *s3_fns);

/* Samba's own helpers' defaults; smb.conf "rpcd_bitspeerauth:num_workers"
 * and "rpcd_bitspeerauth:idle_seconds" override them */
#define BPA_RPCD_WORKERS 5
#define BPA_RPCD_IDLE_SECONDS 60

/*
 * --list-interfaces: samba-dcerpcd asks this once when it starts, before
 * any worker runs, so this is the server's start (MS-BPAU 3.1.3): the
 * peer table is emptied here, not in the workers, which come and go.
 */
static size_t bpa_rpcd_interfaces(const struct ndr_interface_table ***pifaces,
				  void *private_data)
{
	static const struct ndr_interface_table *ifaces[] = {
		&ndr_table_bitspeerauth,
	};
	struct loadparm_context *lp_ctx = NULL;
	size_t n = 0;

	bpa_debug_init();
	*pifaces = ifaces;
	lp_ctx = loadparm_init_s3(NULL, loadparm_s3_helpers());
	if (lp_ctx == NULL) {
		DBG_ERR("no memory for the configuration\n");
		return 0;
	}
	if (bpa_config_is_ad_dc(lp_ctx)) {
		/* samba serves it (bitspeerauth.so) */
		goto done;
	}
	/* a table that cannot be opened is logged; calls answer E_FAIL */
	(void)bpa_srv_table_start(lp_ctx);
	n = 1;
done:
	TALLOC_FREE(lp_ctx);
	return n;
}

/*
 * In each worker, before it serves: rpc_worker_main() (Samba's
 * source3/rpc_server/rpc_worker.c) registers what this returns and so
 * runs the endpoint server's init_server in the worker itself, which
 * creates the worker's state (server_state.h); no fork follows.
 */
static size_t bpa_rpcd_servers(struct dcesrv_context *dce_ctx,
			       const struct dcesrv_endpoint_server ***pservers,
			       void *private_data)
{
	static const struct dcesrv_endpoint_server *servers[1];

	bpa_debug_init();
	servers[0] = bpa_srv_endpoint_server(&bpa_srv_host_member);
	*pservers = servers;
	return bpa_config_is_ad_dc(dce_ctx->lp_ctx) ? 0 : 1;
}

int main(int argc, const char *argv[])
{
	return rpc_worker_main(argc, argv, "rpcd_bitspeerauth",
			       BPA_RPCD_WORKERS, BPA_RPCD_IDLE_SECONDS,
			       bpa_rpcd_interfaces, bpa_rpcd_servers, NULL);
}
