/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bitspeerauth server: the state one samba process keeps (MS-BPAU
 * 3.1.1): its configuration, the DC's identity, its local certificate
 * (3.1.1.1) and its handle on the table of peer certificates (3.1.1.2).
 *
 * The peer table is opened once, when samba initialises the endpoint
 * server (bpa_srv_state_init(), from the interface's init_server hook)
 * in the process that then forks the workers (or serves itself, with
 * "-M single").  That first open empties it (MS-BPAU 3.1.3) unless
 * "bitspeerauth:persistent peers = yes", and that process keeps it
 * open for the server's life, so the one tdb file is shared by all
 * workers.  A worker that inherited the handle re-establishes it
 * (bpa_peer_table_reopen(), see source/peers/peer_table.h) before its
 * first use: bpa_srv_state_get() does that when it sees a new pid.
 *
 * The DC's identity and the local certificate are looked up on the
 * first call a process serves (they need sam.ldb and may create files)
 * and kept for the life of the process.
 */
#ifndef _BPA_SRV_SERVER_STATE_H_
#define _BPA_SRV_SERVER_STATE_H_

#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>
#include <talloc.h>
#include <dcesrv_core.h>
#include "util/sid_string.h"
#include "util/bpa_config.h"

struct bpa_peer_table;
struct bpa_local_cert;

struct bpa_srv_state {
	pid_t pid;			/* the process using it now */
	struct bpa_config *cfg;		/* bitspeerauth:* options */
	struct bpa_peer_table *table;	/* MS-BPAU 3.1.1.2 */
	bool have_identity;		/* dc_* below are set */
	struct dom_sid dc_sid;		/* the DC's machine account SID */
	char dc_sid_str[BPA_SID_STRING_MAX];
	char *dc_fqdn;			/* "vm.bpa.test" */
	char *dc_account;		/* "VM$" */
	struct bpa_local_cert *cert;	/* MS-BPAU 3.1.1.1 */
	bool cert_due;			/* within "certificate renew days" */
};

/**
 * Endpoint server initialisation (MS-BPAU 3.1.3): read the
 * configuration and open (empty, unless persistent) the peer table.
 * A failure is logged and leaves no state: calls then answer E_FAIL
 * rather than taking every other RPC service of the DC down.
 */
void bpa_srv_state_init(struct dcesrv_context *dce_ctx);

/**
 * The configuration, for the checks made before any work (auth_check.h).
 * @return the options read at initialisation, or NULL (logged) if
 *         there is no state; callers then apply the defaults.
 */
const struct bpa_config *bpa_srv_config(struct dcesrv_call_state *dce_call);

/**
 * The state of the process serving @dce_call, ready for a call: table
 * re-established after a fork, DC identity and local certificate
 * loaded (the certificate is created on first use).
 *
 * @return the state (owned by the dcesrv context, lives as long as the
 *         process), or NULL if it is not usable (logged); the caller
 *         then answers HRES_E_FAIL.
 */
struct bpa_srv_state *bpa_srv_state_get(struct dcesrv_call_state *dce_call);

#endif /* _BPA_SRV_SERVER_STATE_H_ */
