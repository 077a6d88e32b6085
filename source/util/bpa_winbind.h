/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Account SIDs from this host's winbindd (libwbclient), which asks a DC
 * of the domain.  Used for the identity of a member's server (its own
 * machine account, source/rpc_server/host_member.c) and by the client
 * for the SID a server's certificate must carry (MS-BPAU 3.2.4.1): an
 * authority that is not the server under test.
 */
#ifndef _BPA_WINBIND_H_
#define _BPA_WINBIND_H_

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <talloc.h>
#include <util/data_blob.h>
#include <gen_ndr/security.h>
#include "util/bpa_hresult.h"

/** Whether this host's winbindd answers (a domain-joined host) */
bool bpa_winbind_available(void);

/**
 * The SID of @domain\@account (e.g. "BPA", "VM$").
 *
 * @return S_OK and @sid; BPA_E_CLIENT_NO_SUCH_ACCOUNT (unknown, or not
 *         a user/computer account); HRES_E_FAIL (winbindd not
 *         reachable, or an unusable answer); HRES_E_INVALIDARG.
 */
HRESULT bpa_winbind_account_sid(const char *domain,
				const char *account,
				struct dom_sid *sid);

#endif /* _BPA_WINBIND_H_ */
