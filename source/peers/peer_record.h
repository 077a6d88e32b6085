/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Internal to source/peers: encoding and decoding of the peer table's
 * records, whose layout peer_table_private.h describes.
 *
 * A row's props (struct bpa_peer.properties) mean one thing in both
 * roles: the CERTIFICATE_BLOB's property elements (MS-BPAU 2.2.2.1) in
 * wire encoding and wire order, without KEY_PROV_INFO (3.1.4.1 <5>) and
 * without the certificate element (2.2.2.2, kept as cert DER beside
 * them): props followed by the certificate element is the blob again.
 * bpa_peer_properties_from_blob() (peer_table.h) makes them.
 *
 * Record version 1 (BPA_PEER_TABLE_VERSION_1) stored what the roles
 * happened to have: the server the whole re-encoded blob, the client
 * the wire's prefix (KEY_PROV_INFO included).  Such rows are still read;
 * bpa_peer_record_to_peer() converts their props (drops a trailing
 * certificate element for this certificate and any KEY_PROV_INFO), so
 * callers only ever see the version 2 meaning.
 */
#ifndef _BPA_PEER_RECORD_H_
#define _BPA_PEER_RECORD_H_

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <talloc.h>
#include <util/data_blob.h>
#include "util/bpa_hresult.h"
#include "util/sid_string.h"
#include "peers/peer_table_private.h"

struct bpa_peer;
struct dom_sid;

/* A decoded "sid/" record pointing into the encoded bytes */
struct bpa_peer_record_view {
	uint32_t version;
	int64_t inserted;
	int64_t last_exchange;
	const uint8_t *hash;		/* BPA_PEER_HASH_LEN bytes */
	const uint8_t *cert;
	uint32_t cert_len;
	const uint8_t *props;
	uint32_t props_len;
	const uint8_t *addr;		/* NULL: no address */
	uint32_t addr_len;
};

/**
 * Decode @len bytes at @data into @v (pointers into @data).  Strict:
 * version 2 or 1 (v->props as stored: see above), no trailing bytes,
 * a nonempty certificate, lengths
 * within bounds, no NUL in the address.
 * @return false if the bytes are not a valid record
 */
bool bpa_peer_record_view(const uint8_t *data,
			  size_t len,
			  struct bpa_peer_record_view *v);

/**
 * Encode @peer (with @hash, @inserted, @last_exchange) on @mem_ctx.
 * @return the bytes; data NULL on ENOMEM
 */
DATA_BLOB bpa_peer_record_push(TALLOC_CTX *mem_ctx,
			       const struct bpa_peer *peer,
			       const uint8_t hash[BPA_PEER_HASH_LEN],
			       int64_t inserted,
			       int64_t last_exchange);

/**
 * Copy @v into a new struct bpa_peer on @mem_ctx (sid from @sid); a
 * version 1 row's props are converted to the version 2 meaning.
 * @return NULL on ENOMEM
 */
struct bpa_peer *bpa_peer_record_to_peer(TALLOC_CTX *mem_ctx,
					 const struct bpa_peer_record_view *v,
					 const struct dom_sid *sid);

/** Encode the "BPA/TABLE" record */
void bpa_peer_meta_push(uint8_t buf[BPA_PEER_META_LEN], uint32_t count);

/**
 * Decode the "BPA/TABLE" record.
 * @return S_OK (version 2 or 1), BPA_E_PEERS_FOREIGN (not our
 *         magic/length) or BPA_E_PEERS_VERSION; *version is set
 *         whenever the magic matched
 */
HRESULT bpa_peer_meta_pull(const uint8_t *data,
			   size_t len,
			   uint32_t *version,
			   uint32_t *count);

/** SHA-256 of @data (GnuTLS); false on a GnuTLS error (logged) */
bool bpa_peer_sha256(const uint8_t *data,
		     size_t len,
		     uint8_t out[BPA_PEER_HASH_LEN]);

/** "sid/<SID>" into @buf; its length, or 0 if @sid is invalid */
size_t bpa_peer_sid_key(const struct dom_sid *sid,
			char buf[BPA_PEER_SID_KEY_MAX]);

/** "cert/<hex>" into @buf; its length */
size_t bpa_peer_cert_key(const uint8_t hash[BPA_PEER_HASH_LEN],
			 char buf[BPA_PEER_CERT_KEY_MAX]);

/** lower-case hex of @hash into @hex (65 bytes with NUL) */
void bpa_peer_hash_hex(const uint8_t hash[BPA_PEER_HASH_LEN],
		       char hex[BPA_PEER_HASH_HEX_LEN + 1]);

#endif /* _BPA_PEER_RECORD_H_ */
