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
#include <stddef.h>
#include <string.h>
#include "util/bpa_debug.h"
#include <param.h>
#include <wbclient.h>
#include "util/sid_string.h"
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
	struct wbcDomainSid wsid;
	enum wbcSidType type = WBC_SID_NAME_UNKNOWN;
	char buf[WBC_SID_STRING_BUFLEN];
	char *acct = NULL;
	wbcErr wret;
	int len;
	bool ok = false;

	acct = talloc_asprintf(mem_ctx, "%s$", lpcfg_netbios_name(lp_ctx));
	if (acct == NULL) {
		return false;
	}
	wret = wbcLookupName(domain, acct, &wsid, &type);
	if (!WBC_ERROR_IS_OK(wret)) {
		DBG_ERR("winbindd cannot look up %s\\%s: %s\n", domain, acct,
			wbcErrorString(wret));
		goto done;
	}
	if (type != WBC_SID_NAME_USER && type != WBC_SID_NAME_COMPUTER) {
		DBG_ERR("%s\\%s is not an account (SID type %d)\n", domain,
			acct, (int)type);
		goto done;
	}
	len = wbcSidToStringBuf(&wsid, buf, sizeof(buf));
	if (len <= 0 || (size_t)len >= sizeof(buf) ||
	    !bpa_sid_parse(buf, &id->sid)) {
		DBG_ERR("winbindd gave %s\\%s an unusable SID\n", domain,
			acct);
		goto done;
	}
	id->fqdn = bpa_srv_host_dns_name(mem_ctx, lp_ctx);
	id->account = acct;
	acct = NULL;
	ok = (id->fqdn != NULL);
done:
	TALLOC_FREE(acct);
	return ok;
}

const struct bpa_srv_host bpa_srv_host_member = {
	.role = "member",
	.find_identity = member_find_identity,
	.init_starts_table = false,
};
