/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The BitsPeerAuth endpoint server, one for every host: the interface
 * (pidl's glue), its ExchangePublicKeys handler and the layers below it.
 * A shell (the DC module, the member's rpcd_ helper) gets it here and
 * hands it to Samba: dcerpc_register_ep_server() in samba, the
 * get_servers() callback of rpc_worker_main() in samba-dcerpcd.
 */
#ifndef _BPA_SRV_ENDPOINT_H_
#define _BPA_SRV_ENDPOINT_H_

#include <stdint.h>
#include <stdbool.h>
#include <dcesrv_core.h>

struct bpa_srv_host;

/**
 * The endpoint server "bitspeerauth", serving as @host (which must
 * outlive the process; see server_state.h).  Its init_server registers
 * the interface's endpoints (ncacn_ip_tcp, dynamic: MS-BPAU 2.1, 3.1.3)
 * and opens the server state.
 */
const struct dcesrv_endpoint_server *bpa_srv_endpoint_server(
	const struct bpa_srv_host *host);

#endif /* _BPA_SRV_ENDPOINT_H_ */
