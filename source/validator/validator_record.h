/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The records of the validator's tdb (validator_cache.c), one format
 * each, little-endian, version 1 (seed bits-validate-server-certificate:
 * the success cache and the failure counts):
 *
 *   "meta"                 u8 version, u64 next seq, u64 oldest seq
 *   "identity"             the validator the cached successes are for
 *                          (text, validator_ctx.c)
 *   "ok/<sha256>/<ep>"     u8 version, u64 seq, u64 time accepted
 *   "seq/" u64 seq         the "ok/..." key inserted as number seq
 *                          (oldest out)
 *   "fail/<ep>"            u8 version, u64 count, u64 first, u64 last,
 *                          u32 last HRESULT
 *
 * <ep> is an endpoint: 1..BPA_VENDPOINT_MAX bytes of printable ASCII
 * without space.  The parsers accept exactly the encodings the pushers
 * write (tests/fuzz/fuzz_validator_record.c).
 */
#ifndef _BPA_VALIDATOR_RECORD_H_
#define _BPA_VALIDATOR_RECORD_H_

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#define BPA_VRECORD_VERSION 1
/* a 253-byte DNS name, ":" and a port */
#define BPA_VENDPOINT_MAX 320

#define BPA_VKEY_META "meta"
#define BPA_VKEY_IDENTITY "identity"
#define BPA_VKEY_OK "ok/"
#define BPA_VKEY_SEQ "seq/"
#define BPA_VKEY_FAIL "fail/"

#define BPA_VMETA_LEN 17
#define BPA_VOK_LEN 17
#define BPA_VFAIL_LEN 29
#define BPA_VSEQ_KEY_LEN 12	/* "seq/" + u64 */

struct bpa_vmeta {
	uint64_t next;		/* seq of the next pair */
	uint64_t oldest;	/* seq of the oldest pair that may exist */
};

struct bpa_vok {
	uint64_t seq;
	uint64_t when;
};

struct bpa_vfail {
	uint64_t count;		/* >= 1 */
	uint64_t first;		/* <= last */
	uint64_t last;
	uint32_t hresult;
};

/** An endpoint as the records hold it */
bool bpa_vendpoint_ok(const char *ep, size_t len);

void bpa_vmeta_push(const struct bpa_vmeta *m, uint8_t out[BPA_VMETA_LEN]);
bool bpa_vmeta_pull(const uint8_t *d, size_t n, struct bpa_vmeta *m);

void bpa_vok_push(const struct bpa_vok *o, uint8_t out[BPA_VOK_LEN]);
bool bpa_vok_pull(const uint8_t *d, size_t n, struct bpa_vok *o);

void bpa_vfail_push(const struct bpa_vfail *f, uint8_t out[BPA_VFAIL_LEN]);
bool bpa_vfail_pull(const uint8_t *d, size_t n, struct bpa_vfail *f);

void bpa_vseq_key(uint64_t seq, uint8_t out[BPA_VSEQ_KEY_LEN]);

/**
 * The endpoint of a "fail/<ep>" key: true with *@ep, *@len pointing
 * into @key if it is one with a valid endpoint.
 */
bool bpa_vfail_key_endpoint(const uint8_t *key,
			    size_t n,
			    const uint8_t **ep,
			    size_t *len);

/** A key "ok/..." (a cached success) */
bool bpa_vkey_is_ok(const uint8_t *key, size_t n);

#endif /* _BPA_VALIDATOR_RECORD_H_ */
