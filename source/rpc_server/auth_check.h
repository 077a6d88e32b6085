/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bitspeerauth server: who may call ExchangePublicKeys (MS-BPAU 3.1.4.1
 * and product note <2>).
 *
 * The check runs in the call path, first thing in the handler: Samba
 * calls an interface's bind hook before the client has authenticated,
 * so only a call knows its final auth type, level and token.  Every
 * refusal is answered with 0x80070005 (HRES_E_ACCESSDENIED) and logged
 * with the name of its reason.  The interface deliberately does not use
 * dcesrv_interface_bind_require_integrity(): dcesrv would then answer
 * NTLM or unauthenticated calls with an RPC fault, not with the
 * HRESULT MS-BPAU 3.1.4.1 specifies, and our log would not see them.
 * (dcesrv itself still faults Kerberos at connect level with access
 * denied before the handler runs.)
 *
 * The rules, in order:
 *  1. the call is authenticated with Kerberos (DCERPC_AUTH_TYPE_KRB5,
 *     auth type 16); NTLM, SPNEGO, schannel, none are refused;
 *  2. at integrity (sign) or privacy (seal) level; connect is refused;
 *  3. the token's user SID is a domain account (S-1-5-21-...), never
 *     anonymous or a well-known SID;
 *  4. the account is a computer account: the account flags the KDC
 *     put in the PAC have ACB_WSTRUST (workstation/member server) or
 *     ACB_SVRTRUST (domain controller) set and the account name ends
 *     in '$'.  Interdomain trust accounts (ACB_DOMTRUST) are not
 *     computers.  "bitspeerauth:allow user accounts = yes" lifts rule 4.
 */
#ifndef _BPA_SRV_AUTH_CHECK_H_
#define _BPA_SRV_AUTH_CHECK_H_

#include <stdint.h>
#include <stdbool.h>
#include <talloc.h>
#include <dcesrv_core.h>
#include "util/sid_string.h"

struct bpa_config;

/** Why a caller was refused; BPA_CALLER_OK if it was not */
enum bpa_caller_verdict {
	BPA_CALLER_OK = 0,
	BPA_CALLER_NOT_KERBEROS,	/* auth type is not 16 */
	BPA_CALLER_LEVEL_TOO_LOW,	/* below integrity */
	BPA_CALLER_NO_IDENTITY,		/* no session or empty token */
	BPA_CALLER_NOT_DOMAIN_ACCOUNT,	/* anonymous, well-known SID */
	BPA_CALLER_NOT_COMPUTER,	/* a user (or trust) account */
};

/** The authenticated caller of one call, as the RPC layer reports it */
struct bpa_srv_caller {
	struct dom_sid sid;		/* the token's user SID */
	char sid_str[BPA_SID_STRING_MAX];	/* its string form */
	const char *account_name;	/* "DOMAIN\account" or "" */
	const char *remote;		/* "ipv4:127.0.0.1:49152" */
	enum dcerpc_AuthType auth_type;
	enum dcerpc_AuthLevel auth_level;
	uint32_t acct_flags;		/* ACB_* from the PAC */
};

/**
 * Describe the caller of @dce_call and decide whether it may call.
 *
 * @param mem_ctx   owner of *@caller
 * @param dce_call  the call being served
 * @param allow_user_accounts  lift rule 4 (bitspeerauth:allow user
 *                  accounts)
 * @param caller    out: the caller, filled as far as it is known even
 *                  when it is refused (for the log); NULL on ENOMEM
 *                  (then the call is refused as no-identity)
 * @return BPA_CALLER_OK or the reason of the refusal
 */
enum bpa_caller_verdict bpa_srv_check_caller(TALLOC_CTX *mem_ctx,
					     struct dcesrv_call_state *dce_call,
					     bool allow_user_accounts,
					     struct bpa_srv_caller **caller);

/** A stable name for @v, for logs and tests ("not-kerberos", ...) */
const char *bpa_caller_verdict_name(enum bpa_caller_verdict v);

#endif /* _BPA_SRV_AUTH_CHECK_H_ */
