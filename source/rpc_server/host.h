/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The hosts the endpoint server runs on (struct bpa_srv_host,
 * server_state.h), one file each: host_dc.c (an AD DC, the samba module)
 * and host_member.c (a domain member, the rpcd_ helper).
 */
#ifndef _BPA_SRV_HOST_H_
#define _BPA_SRV_HOST_H_

#include <talloc.h>
#include "rpc_server/server_state.h"

struct loadparm_context;

/* sam.ldb: the DC's computer object; init is the server's start */
extern const struct bpa_srv_host bpa_srv_host_dc;

/* winbindd: the member's machine account; the start is samba-dcerpcd's
 * discovery run (bpa_srv_table_start()) */
extern const struct bpa_srv_host bpa_srv_host_member;

/** "<netbios name>.<dns domain>" in lower case, on @mem_ctx, or NULL */
char *bpa_srv_host_dns_name(TALLOC_CTX *mem_ctx,
			    struct loadparm_context *lp_ctx);

#endif /* _BPA_SRV_HOST_H_ */
