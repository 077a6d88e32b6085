/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bitspeerauth server: the state one samba process keeps (MS-BPAU
 * 3.1.1): its configuration, the DC's identity, its local certificate
 * (3.1.1.1) and its handle on the table of peer certificates (3.1.1.2).
 *
 * The state is made on the first call a process serves, never in
 * samba_init_module(): samba forks its workers after loading modules,
 * and a tdb handle or a gnutls key must not cross a fork.  A process
 * that finds a state made by another pid (its parent) drops it and
 * makes its own.
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

struct bpa_srv_state {
	pid_t pid;			/* the process that made it */
	struct bpa_config *cfg;		/* bitspeerauth:* options */
	struct dom_sid dc_sid;		/* the DC's machine account SID */
	char dc_sid_str[BPA_SID_STRING_MAX];
	char *dc_fqdn;			/* "vm.bpa.test" */
	char *dc_account;		/* "VM$" */
};

/**
 * The state of this process, made on first use from the smb.conf and
 * sam.ldb of the samba serving @dce_call.
 *
 * @return the state (owned by the dcesrv context, lives as long as the
 *         process), or NULL if it cannot be made (logged); the caller
 *         then answers BPA_E_FAIL.
 */
struct bpa_srv_state *bpa_srv_state_get(struct dcesrv_call_state *dce_call);

/**
 * Look up the machine account SID of this DC in sam.ldb: the object
 * whose sAMAccountName is "<netbios name>$".
 *
 * @return true and fills @sid; false (logged) if it is not found
 */
bool bpa_srv_find_dc_sid(struct tevent_context *ev,
			 struct loadparm_context *lp_ctx,
			 struct dom_sid *sid);

#endif /* _BPA_SRV_SERVER_STATE_H_ */
