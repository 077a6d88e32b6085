/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Two-phase certificate validation with a pluggable validator, as the
 * seed bits-validate-server-certificate describes the BITS callback,
 * for both roles: a server validating a client's certificate (MS-BPAU
 * 3.1.4.1) and a client validating a server's (3.2.4.1).
 *
 *  - Phase one is bpa_cert_validate() (source/validate), on every call.
 *  - Phase two, the validator, is called only when phase one accepted.
 *    It comes from the C API (bpa_validation_set_callback(): the last
 *    one set receives the calls) or from smb.conf: a program
 *    ("bitspeerauth:validator command", validator_command.c) or a
 *    shared object ("bitspeerauth:validator module",
 *    bpa_validator_module.h).  Both configured is an error: logged, and
 *    every certificate refused as unavailable.
 *  - Accepted <endpoint, SHA-256 of the DER> pairs are cached (a tdb,
 *    validator_cache.c): the validator is not asked again for them.
 *    Refusals are never cached; each is counted per endpoint (count,
 *    first and last time, last HRESULT).  The cache is cleared when the
 *    validator changes: a new callback, another configured path, or a
 *    change of the file behind it (device, inode, size, mtime).
 *  - A validator that cannot be called (missing, not executable, fails
 *    to load, crashes, times out) refuses with
 *    BPA_E_VALIDATOR_UNAVAILABLE (0x80200074), neither counted nor
 *    cached: once it is back the next call works.
 *
 * The endpoint is the remote party as the validator sees it: the
 * caller's SID string for the server role, "<host as given>:<port>"
 * for the client role.
 */
#ifndef _BPA_VALIDATOR_H_
#define _BPA_VALIDATOR_H_

#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include <talloc.h>
#include "util/bpa_hresult.h"
#include "validate/cert_validate.h"
#include "validator/bpa_validator_module.h"

struct bpa_config;
struct bpa_validation_ctx;

/* BG_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK: the validator decided */
#define BPA_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK 8

/* "bitspeerauth:validator cache size" default */
#define BPA_VALIDATOR_CACHE_SIZE_DEFAULT 10000

/**
 * A validator set through the API.  @req as for a module; returns
 * S_OK to accept, an error HRESULT to refuse with it,
 * BPA_E_VALIDATOR_UNAVAILABLE when it cannot decide now.
 */
typedef HRESULT (*bpa_validator_fn)(void *private_data,
				    const struct bpa_validator_request *req);

/* Which phase decided */
enum bpa_validation_phase {
	BPA_PHASE_BUILTIN = 0,		/* phase one (no validator, or it
					 * refused before phase two) */
	BPA_PHASE_VALIDATOR,		/* the validator accepted/refused */
	BPA_PHASE_UNAVAILABLE,		/* it could not be called */
};

/** "builtin", "validator", "validator-unavailable" */
const char *bpa_validation_phase_name(enum bpa_validation_phase p);

struct bpa_validation_params {
	/* the success cache and failure records; NULL: in memory, this
	 * process only */
	const char *cache_file;
	uint32_t cache_size;		/* pairs kept; 0: the default */
	bool empty_at_start;		/* drop the cached successes now */
	uint32_t timeout;		/* command validator, seconds (10) */
};

/* What one bpa_validation_check() decided */
struct bpa_validation_result {
	struct bpa_cert_verdict *verdict; /* phase one's (and two's) */
	HRESULT hres;			/* S_OK or the refusal's */
	enum bpa_validation_phase phase;
	bool have_validator;		/* one is set or configured */
	bool cached;			/* accepted from the cache */
	uint32_t error_context;		/* 8 for a validator refusal or
					 * unavailability, else 0 */
	uint64_t failures;		/* validator refusals counted for
					 * this endpoint so far (after this
					 * one) */
};

/* One endpoint's validator refusals */
struct bpa_validator_failure {
	char *endpoint;
	uint64_t count;
	uint64_t first;			/* time_t of the first refusal */
	uint64_t last;			/* and of the last */
	uint32_t last_hresult;
};

/**
 * A validation context without a validator (set one with
 * bpa_validation_set_callback()).  HRES_E_OUTOFMEMORY, or the cache
 * file's open error (logged).
 */
HRESULT bpa_validation_ctx_new(TALLOC_CTX *mem_ctx,
			       const struct bpa_validation_params *p,
			       struct bpa_validation_ctx **pctx);

/**
 * The context smb.conf describes: "validator command", "validator
 * module" (both set: logged, every check refused as unavailable),
 * "validator timeout", "validator cache size", "validator cache file".
 * @starting: the server's start (MS-BPAU 3.1.3), the cached successes
 * are dropped.  With neither option the context has no validator and
 * opens no file.
 */
HRESULT bpa_validation_ctx_from_config(TALLOC_CTX *mem_ctx,
				       const struct bpa_config *cfg,
				       bool starting,
				       struct bpa_validation_ctx **pctx);

/**
 * Set the validator (seed: SetServerCertificateValidationInterface):
 * it replaces any previous one, configured or set, and clears the
 * success cache.  @fn NULL removes the validator (phase one only).
 */
void bpa_validation_set_callback(struct bpa_validation_ctx *ctx,
				 bpa_validator_fn fn,
				 void *private_data);

/**
 * With @no_wait, a check that would ask the validator (its pair is not
 * in the success cache) asks nothing, records nothing and returns
 * HRES_E_PENDING (0x8000000A): a server loop decides the cached pairs
 * itself and waits for the rest elsewhere (rpc_server/exchange_async.h).
 */
void bpa_validation_set_no_wait(struct bpa_validation_ctx *ctx,
				bool no_wait);

/** true if a validator is set or configured (also a broken one) */
bool bpa_validation_has_validator(const struct bpa_validation_ctx *ctx);

/**
 * Both phases on @blob's certificate for @role (BPA_CERT_ROLE_CLIENT:
 * a server checks a client's) from @endpoint, at @now.  @policy is
 * phase one's (its phase_two must be NULL).  *@pres on @mem_ctx.
 * Returns res->hres (S_OK: accepted), or HRES_E_OUTOFMEMORY /
 * HRES_E_INVALIDARG with *@pres NULL.
 */
HRESULT bpa_validation_check(TALLOC_CTX *mem_ctx,
			     struct bpa_validation_ctx *ctx,
			     const struct bpa_cert_blob *blob,
			     enum bpa_cert_role role,
			     const struct bpa_validate_policy *policy,
			     const char *endpoint,
			     time_t now,
			     struct bpa_validation_result **pres);

/**
 * The failure records of @cache_file, most recent first, on @mem_ctx.
 * A missing file is no records.
 */
HRESULT bpa_validation_failures(TALLOC_CTX *mem_ctx,
				const char *cache_file,
				struct bpa_validator_failure **plist,
				size_t *pcount);

/**
 * "bitspeerauth validator reset": drop the cached successes of
 * @cache_file (and, with @failures, the failure records).
 * *@pdropped (if not NULL) is the number of pairs dropped.
 */
HRESULT bpa_validation_reset(const char *cache_file,
			     bool failures,
			     uint64_t *pdropped);

#endif /* _BPA_VALIDATOR_H_ */
