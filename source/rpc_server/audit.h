/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bitspeerauth server: one log line per ExchangePublicKeys, in our debug
 * class: caller SID, account, address, auth type/level, verdict, named
 * reason, HRESULT.  Successes at level 3 (NOTICE), refusals at level 1
 * (WARNING), internal errors at 0 (ERR).
 *
 * Refusals of callers nobody authenticated (auth type none, no token,
 * the anonymous SID S-1-5-7) are at level 5 (INFO): anyone who reaches
 * the port can send them as fast as the connection goes, and at level 1
 * they would flood the log.  Instead one summary line at level 1 per
 * process and BPA_AUDIT_SUMMARY_INTERVAL seconds counts them.  Refusals
 * of authenticated principals (NTLM, a user account, ...) stay at 1.
 *
 * With "bitspeerauth:audit json = yes" each call also logs one JSON
 * object on a line of its own, prefixed "bitspeerauth-audit: ", at
 * level 1 (so "log level = 1" shows it; an unauthenticated refusal's at
 * level 5 with its text line):
 *   {"type": "bitspeerauth", "version": 1, "timestamp": "...Z",
 *    "callerSid": ..., "account": ..., "remoteAddress": ...,
 *    "authType": "krb5", "authLevel": "integrity",
 *    "clientKeyLength": N, "subjectSid": ..., "verdict": "added",
 *    "reason": ..., "revocation": "good", "hresult": "0x00000000"}
 * ("revocation", also " revocation=..." at the end of the text line,
 * when the certificate got as far as the revocation check; "phase",
 * " phase=...", which validation phase decided, when a certificate was
 * validated: "builtin", "validator", "validator-unavailable"; and on
 * success "validatorCached": true/false, " validatorCached=yes|no",
 * whether the validator's answer came from its success cache)
 */
#ifndef _BPA_SRV_AUDIT_H_
#define _BPA_SRV_AUDIT_H_

#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include <talloc.h>

struct bpa_srv_caller;
struct bpa_exchange_result;

/* The level of refusals of unauthenticated callers, and their summary */
#define BPA_AUDIT_UNAUTH_LEVEL 5
#define BPA_AUDIT_SUMMARY_INTERVAL 60

/** The debug level of the text line of one call (see above) */
int bpa_srv_audit_level(const struct bpa_srv_caller *caller,
			const struct bpa_exchange_result *res);

/**
 * Log one call.  @caller may be NULL (no memory to describe it).
 * @param json  also log the JSON line
 * @param now   the time of the call
 */
void bpa_srv_audit(const struct bpa_srv_caller *caller,
		   const struct bpa_exchange_result *res,
		   bool json,
		   time_t now);

/**
 * The text line of one call on @mem_ctx (no newline), NULL on ENOMEM.
 * Control characters in the account, address and reason become '?'.
 */
char *bpa_srv_audit_text(TALLOC_CTX *mem_ctx,
			 const struct bpa_srv_caller *caller,
			 const struct bpa_exchange_result *res);

/**
 * The JSON object of one call on @mem_ctx (without prefix or newline),
 * NULL on ENOMEM.  Strings are escaped per RFC 8259.
 */
char *bpa_srv_audit_json(TALLOC_CTX *mem_ctx,
			 const struct bpa_srv_caller *caller,
			 const struct bpa_exchange_result *res,
			 time_t now);

#endif /* _BPA_SRV_AUDIT_H_ */
