/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Account SIDs from this host's winbindd (libwbclient) */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include "util/bpa_debug.h"
#include <wbclient.h>
#include "util/bpa_hresult.h"
#include "util/sid_string.h"
#include "util/bpa_winbind.h"

bool bpa_winbind_available(void)
{
	return WBC_ERROR_IS_OK(wbcPing());
}

HRESULT bpa_winbind_account_sid(const char *domain,
				const char *account,
				struct dom_sid *sid)
{
	struct wbcDomainSid wsid;
	enum wbcSidType type = WBC_SID_NAME_UNKNOWN;
	char buf[WBC_SID_STRING_BUFLEN];
	wbcErr wret;
	int len;

	if (domain == NULL || account == NULL || account[0] == '\0' ||
	    sid == NULL) {
		return HRES_E_INVALIDARG;
	}
	wret = wbcLookupName(domain, account, &wsid, &type);
	if (wret == WBC_ERR_DOMAIN_NOT_FOUND ||
	    wret == WBC_ERR_INVALID_SID) {
		return BPA_E_CLIENT_NO_SUCH_ACCOUNT;
	}
	if (!WBC_ERROR_IS_OK(wret)) {
		DBG_NOTICE("winbindd: %s\\%s: %s\n", domain, account,
			   wbcErrorString(wret));
		/* "none mapped" and winbindd errors alike */
		return (wret == WBC_ERR_WINBIND_NOT_AVAILABLE) ?
			HRES_E_FAIL : BPA_E_CLIENT_NO_SUCH_ACCOUNT;
	}
	if (type != WBC_SID_NAME_USER && type != WBC_SID_NAME_COMPUTER) {
		return BPA_E_CLIENT_NO_SUCH_ACCOUNT;
	}
	len = wbcSidToStringBuf(&wsid, buf, sizeof(buf));
	if (len <= 0 || (size_t)len >= sizeof(buf) ||
	    !bpa_sid_parse(buf, sid)) {
		return HRES_E_FAIL;
	}
	return BPA_S_OK;
}
