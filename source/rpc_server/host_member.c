/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The domain member host (rpcd_bitspeerauth under samba-dcerpcd): the
 * machine account is "<netbios name>$" of the member's domain, its SID
 * asked of the member's winbindd (libwbclient; winbindd has it from a
 * DC); the server's start is samba-dcerpcd's discovery run of the
 * helper, so workers open the table without emptying it (MS-BPAU 3.1.3,
 * server_state.h).
 */
#include <stdint.h>
#include <stdbool.h>
#include "util/bpa_debug.h"
#include <param.h>
#include "util/bpa_winbind.h"
#include "rpc_server/server_state.h"
#include "rpc_server/host.h"

/* libsamba-hostconfig (public), declared in no installed header */
const char *lpcfg_workgroup(struct loadparm_context *lp_ctx);

static bool member_find_identity(TALLOC_CTX *mem_ctx,
				 struct tevent_context *ev,
				 struct loadparm_context *lp_ctx,
				 struct bpa_srv_identity *id)
{
	const char *domain = lpcfg_workgroup(lp_ctx);
	char *acct = NULL;
	HRESULT hr;

	acct = talloc_asprintf(mem_ctx, "%s$", lpcfg_netbios_name(lp_ctx));
	if (acct == NULL) {
		return false;
	}
	hr = bpa_winbind_account_sid(domain, acct, &id->sid);
	if (!HRES_IS_OK(hr)) {
		DBG_ERR("winbindd cannot give the SID of %s\\%s: %s\n",
			domain, acct, bpa_hresult_name(hr) ?
			bpa_hresult_name(hr) : "error");
		TALLOC_FREE(acct);
		return false;
	}
	id->fqdn = bpa_srv_host_dns_name(mem_ctx, lp_ctx);
	id->account = acct;
	return id->fqdn != NULL;
}

const struct bpa_srv_host bpa_srv_host_member = {
	.role = "member",
	.find_identity = member_find_identity,
	.init_starts_table = false,
};
