/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The validator's tdb (seed bits-validate-server-certificate): the
 * success cache of <endpoint, SHA-256> pairs, bounded (oldest out),
 * for the validator named by the "identity" record, and the failure
 * counts per endpoint.  Shared by every process that opens the file
 * (samba's workers, the CLI); each change is one tdb transaction.
 * Record formats: validator_record.h.  Internal to source/validator.
 */
#ifndef _BPA_VALIDATOR_CACHE_H_
#define _BPA_VALIDATOR_CACHE_H_

#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include <talloc.h>
#include "util/bpa_hresult.h"
#include "validator/validator_record.h"
#include "validator/validator.h"

struct bpa_vcache;

/**
 * Open (create) @path, or a cache in memory when @path is NULL.
 * @max pairs are kept.  @empty: drop the cached successes (the
 * failure records stay).  Logged on error.
 */
HRESULT bpa_vcache_open(TALLOC_CTX *mem_ctx,
			const char *path,
			uint32_t max,
			bool empty,
			struct bpa_vcache **pc);

/** The same file read only; BPA_E_PEERS_NO_TABLE if it is missing */
HRESULT bpa_vcache_open_ro(TALLOC_CTX *mem_ctx,
			   const char *path,
			   struct bpa_vcache **pc);

/**
 * The cached successes are for the validator @identity: if the file
 * names another, they are dropped and @identity recorded.
 */
void bpa_vcache_sync_identity(struct bpa_vcache *c, const char *identity);

/** true if <@endpoint, @sha256> is cached (for the current identity) */
bool bpa_vcache_hit(struct bpa_vcache *c,
		    const char *endpoint,
		    const char *sha256);

/**
 * Cache <@endpoint, @sha256> accepted at @now by validator @identity;
 * nothing if the file names another validator by now.
 */
void bpa_vcache_add(struct bpa_vcache *c,
		    const char *identity,
		    const char *endpoint,
		    const char *sha256,
		    time_t now);

/** Count a refusal of @endpoint; returns its count (0 on error) */
uint64_t bpa_vcache_failed(struct bpa_vcache *c,
			   const char *endpoint,
			   uint32_t hresult,
			   time_t now);

/** Drop the cached successes (and the failures); how many pairs */
HRESULT bpa_vcache_clear(struct bpa_vcache *c,
			 bool failures,
			 uint64_t *pdropped);

/** Cached pairs */
uint64_t bpa_vcache_count(struct bpa_vcache *c);

/** The failure records, in no particular order, on @mem_ctx */
HRESULT bpa_vcache_list_failures(TALLOC_CTX *mem_ctx,
				 struct bpa_vcache *c,
				 struct bpa_validator_failure **plist,
				 size_t *pcount);

#endif /* _BPA_VALIDATOR_CACHE_H_ */
