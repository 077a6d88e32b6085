/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bitspeerauth server: what one ExchangePublicKeys call does with the
 * ClientKey of a caller that auth_check.h has let in (MS-BPAU 3.1.4.1):
 *
 *  - ClientKeyLength 0: the client's certificate is not decoded; the
 *    server's CERTIFICATE_BLOB is returned;
 *  - else the blob is decoded (source/blob) and its certificate
 *    validated for the client role: phase one (source/validate), then
 *    the configured validator (source/validator, endpoint = the
 *    caller's SID string); a blob that does not decode or a
 *    certificate either phase refuses is refused with its HRESULT
 *    (the validator's own, or 0x80200074 when it is unavailable);
 *  - its subject must be a SID string naming the caller, else
 *    0x80070005: source/validate decides that (the caller's SID is the
 *    policy's expected_subject; bpa_cert_verdict_subject_refused() in
 *    cert_validate.h), this layer only names the refusal
 *    ("wrong-subject") for the audit and returns the verdict's HRESULT;
 *    a certificate the table holds for another SID
 *    (BPA_E_PEER_CERT_IN_USE, source/peers) is answered the same way;
 *  - the revocation stack (source/revocation) checks it under
 *    "bitspeerauth:revocation check": a certificate the policy refuses
 *    is refused with the provider's HRESULT (CRYPT_E_REVOKED
 *    0x80092010, CRYPT_E_REVOCATION_OFFLINE 0x80092013, ...);
 *  - the certificate is added to the peer table, replacing the
 *    caller's previous one (<4>); a full table is 0x80040006 (<3>);
 *  - then the server's CERTIFICATE_BLOB is returned.
 * Any refusal leaves the table as it was.  exchange_async.h runs the
 * same with the checks (validation, revocation) in a child process.
 */
#ifndef _BPA_SRV_EXCHANGE_H_
#define _BPA_SRV_EXCHANGE_H_

#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include <talloc.h>
#include <util/data_blob.h>
#include "util/bpa_hresult.h"
#include "util/sid_string.h"

struct bpa_srv_state;
struct bpa_srv_caller;

/** What the call came to; one value per audit verdict */
enum bpa_exchange_verdict {
	BPA_EXCHANGE_SERVED = 0,	/* no ClientKey: server key sent */
	BPA_EXCHANGE_ADDED,		/* ClientKey added, key sent */
	BPA_EXCHANGE_REFUSED_CALLER,	/* auth_check.h said no */
	BPA_EXCHANGE_BAD_BLOB,		/* the blob does not decode */
	BPA_EXCHANGE_INVALID_CERT,	/* validation failed */
	BPA_EXCHANGE_WRONG_SUBJECT,	/* subject not the caller's SID */
	BPA_EXCHANGE_TABLE_FULL,	/* <3> */
	BPA_EXCHANGE_REVOKED,		/* the revocation policy refused it */
	BPA_EXCHANGE_ERROR,		/* internal: storage, encoding */
};

struct bpa_exchange_result {
	HRESULT hr;			/* what the call returns */
	enum bpa_exchange_verdict verdict;
	const char *reason;		/* a named reason, never NULL */
	char subject[BPA_SID_STRING_MAX];	/* certificate subject or "" */
	uint32_t client_key_length;
	const char *revocation;		/* the check's audit word ("good",
					 * "revoked", "unknown", "not-checked",
					 * "failed", "off"), NULL when the call
					 * did not get that far (static, or on
					 * the call's context) */
	/* which validation phase decided (seed bits-validate-server-
	 * certificate): "builtin", "validator", "validator-unavailable";
	 * NULL when no certificate was validated (static, or on the
	 * call's context) */
	const char *phase;
	bool validator_cached;		/* accepted from the success cache */
	DATA_BLOB server_blob;		/* on success: *pServerKey */
};

/**
 * Serve the ClientKey of an admitted @caller.
 *
 * @param mem_ctx  owner of res->server_blob (the call's mem_ctx)
 * @param state    this process's state (config, cert, table)
 * @param key      ClientKey, NULL when @key_len is 0
 * @param now      the time of the call
 * @param res      out: always filled; res->hr is S_OK only with a
 *                 non-empty server_blob
 */
void bpa_srv_exchange(TALLOC_CTX *mem_ctx,
		      struct bpa_srv_state *state,
		      const struct bpa_srv_caller *caller,
		      const uint8_t *key,
		      uint32_t key_len,
		      time_t now,
		      struct bpa_exchange_result *res);

/** Stable name of @v for logs ("added", "refused-caller", ...) */
const char *bpa_exchange_verdict_name(enum bpa_exchange_verdict v);

#endif /* _BPA_SRV_EXCHANGE_H_ */
