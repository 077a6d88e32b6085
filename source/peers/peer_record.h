/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Internal to source/peers: the on-disk encoding of the peer table's
 * records (format version BPA_PEER_TABLE_VERSION), all little-endian.
 *
 * "BPA/TABLE" (16 bytes):
 *   "BPAPEERS" | u32 version | u32 count
 * "sid/<SID>":
 *   u32 version | u32 flags (0) | i64 inserted | i64 last_exchange |
 *   32 bytes SHA-256 | u32 cert_len | cert | u32 props_len | props |
 *   u32 addr_len (0xFFFFFFFF: no address) | addr (no NUL)
 * "cert/<64 hex>":
 *   the SID string (no NUL)
 */
#ifndef _BPA_PEER_RECORD_H_
#define _BPA_PEER_RECORD_H_

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "util/sid_string.h"
#include "peers/peer_table.h"

#define BPA_PEER_META_KEY "BPA/TABLE"
#define BPA_PEER_META_MAGIC "BPAPEERS"
#define BPA_PEER_META_LEN 16
#define BPA_PEER_SID_PREFIX "sid/"
#define BPA_PEER_CERT_PREFIX "cert/"
#define BPA_PEER_HASH_HEX_LEN 64
#define BPA_PEER_NO_ADDRESS 0xFFFFFFFFu
#define BPA_PEER_MAX_ADDRESS 1024

/* "sid/" + SID string + NUL */
#define BPA_PEER_SID_KEY_MAX (4 + BPA_SID_STRING_MAX)
/* "cert/" + 64 hex + NUL */
#define BPA_PEER_CERT_KEY_MAX (5 + BPA_PEER_HASH_HEX_LEN + 1)

/* A decoded "sid/" record pointing into the encoded bytes */
struct bpa_peer_record_view {
	uint32_t version;
	int64_t inserted;
	int64_t last_exchange;
	const uint8_t *hash;		/* 32 bytes */
	const uint8_t *cert;
	uint32_t cert_len;
	const uint8_t *props;
	uint32_t props_len;
	const uint8_t *addr;		/* NULL: no address */
	uint32_t addr_len;
};

/**
 * Decode @len bytes at @data into @v (pointers into @data).  Strict:
 * right version, no trailing bytes, a nonempty certificate, lengths
 * within bounds, no NUL in the address.
 * @return false if the bytes are not a valid record
 */
bool bpa_peer_record_view(const uint8_t *data, size_t len,
			  struct bpa_peer_record_view *v);

/**
 * Encode @peer (with @hash, @inserted, @last_exchange) on @mem_ctx.
 * @return the bytes; data NULL on ENOMEM
 */
DATA_BLOB bpa_peer_record_push(TALLOC_CTX *mem_ctx,
			       const struct bpa_peer *peer,
			       const uint8_t hash[32],
			       int64_t inserted, int64_t last_exchange);

/**
 * Copy @v into a new struct bpa_peer on @mem_ctx (sid from @sid).
 * @return NULL on ENOMEM
 */
struct bpa_peer *bpa_peer_record_to_peer(TALLOC_CTX *mem_ctx,
					 const struct bpa_peer_record_view *v,
					 const struct dom_sid *sid);

/** Encode the "BPA/TABLE" record */
void bpa_peer_meta_push(uint8_t buf[BPA_PEER_META_LEN], uint32_t count);

/**
 * Decode the "BPA/TABLE" record.
 * @return S_OK, BPA_E_PEERS_FOREIGN (not our magic/length) or
 *         BPA_E_PEERS_VERSION; *version is set whenever the magic matched
 */
HRESULT bpa_peer_meta_pull(const uint8_t *data, size_t len,
			   uint32_t *version, uint32_t *count);

/** SHA-256 of @data (GnuTLS); false on a GnuTLS error (logged) */
bool bpa_peer_sha256(const uint8_t *data, size_t len, uint8_t out[32]);

/** "sid/<SID>" into @buf; its length, or 0 if @sid is invalid */
size_t bpa_peer_sid_key(const struct dom_sid *sid,
			char buf[BPA_PEER_SID_KEY_MAX]);

/** "cert/<hex>" into @buf; its length */
size_t bpa_peer_cert_key(const uint8_t hash[32],
			 char buf[BPA_PEER_CERT_KEY_MAX]);

/** lower-case hex of @hash into @hex (65 bytes with NUL) */
void bpa_peer_hash_hex(const uint8_t hash[32],
		       char hex[BPA_PEER_HASH_HEX_LEN + 1]);

#endif /* _BPA_PEER_RECORD_H_ */
