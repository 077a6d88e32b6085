/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The peer table's on-disk records (see peer_record.h) */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include "util/bpa_debug.h"
#include "util/sid_string.h"
#include "util/bpa_bytes.h"
#include "util/bpa_crypto.h"
#include "blob/cert_blob.h"
#include "peers/peer_table.h"
#include "peers/peer_record.h"

/* the row keeps the hash the public struct hands back */
_Static_assert(sizeof(((struct bpa_peer *)0)->cert_hash) == BPA_PEER_HASH_LEN,
	       "cert_hash is a SHA-256");
_Static_assert(BPA_PEER_HASH_LEN == BPA_SHA256_LEN, "SHA-256");

bool bpa_peer_record_view(const uint8_t *data,
			  size_t len,
			  struct bpa_peer_record_view *v)
{
	struct bpa_reader r = bpa_reader_init(data, len);
	const uint8_t *p = NULL;
	uint32_t flags = 0;
	bool ok;

	memset(v, 0, sizeof(*v));
	ok = bpa_reader_u32(&r, &v->version);
	if (!ok || (v->version != BPA_PEER_TABLE_VERSION &&
		    v->version != BPA_PEER_TABLE_VERSION_1)) {
		return false;
	}
	ok = bpa_reader_u32(&r, &flags);
	if (!ok || flags != 0) {
		return false;
	}
	p = bpa_reader_take(&r, 16);
	if (p == NULL) {
		return false;
	}
	v->inserted = (int64_t)PULL_LE_U64(p, 0);
	v->last_exchange = (int64_t)PULL_LE_U64(p, 8);
	v->hash = bpa_reader_take(&r, BPA_PEER_HASH_LEN);
	if (v->hash == NULL) {
		return false;
	}
	ok = bpa_reader_u32(&r, &v->cert_len);
	if (!ok || v->cert_len == 0 || v->cert_len > BPA_PEER_TABLE_MAX_BLOB) {
		return false;
	}
	v->cert = bpa_reader_take(&r, v->cert_len);
	if (v->cert == NULL) {
		return false;
	}
	ok = bpa_reader_u32(&r, &v->props_len);
	if (!ok || v->props_len > BPA_PEER_TABLE_MAX_BLOB) {
		return false;
	}
	v->props = bpa_reader_take(&r, v->props_len);
	if (v->props == NULL) {
		return false;
	}
	ok = bpa_reader_u32(&r, &v->addr_len);
	if (!ok) {
		return false;
	}
	if (v->addr_len == BPA_PEER_NO_ADDRESS) {
		v->addr = NULL;
		v->addr_len = 0;
		return r.left == 0;
	}
	if (v->addr_len > BPA_PEER_MAX_ADDRESS) {
		return false;
	}
	v->addr = bpa_reader_take(&r, v->addr_len);
	if (v->addr == NULL) {
		return false;
	}
	p = memchr(v->addr, '\0', v->addr_len);
	if (p != NULL) {
		return false;
	}
	return r.left == 0;
}

DATA_BLOB bpa_peer_record_push(TALLOC_CTX *mem_ctx,
			       const struct bpa_peer *peer,
			       const uint8_t hash[BPA_PEER_HASH_LEN],
			       int64_t inserted,
			       int64_t last_exchange)
{
	size_t addr_len = 0;
	size_t len = 0;
	uint8_t *p = NULL;
	DATA_BLOB out = data_blob_null;

	if (peer->address != NULL) {
		addr_len = strlen(peer->address);
	}
	len = 4 + 4 + 16 + BPA_PEER_HASH_LEN + 4 + peer->cert_der.length +
	      4 + peer->properties.length + 4 + addr_len;
	out = data_blob_talloc(mem_ctx, NULL, len);
	if (out.data == NULL) {
		return out;
	}
	p = out.data;
	PUSH_LE_U32(p, 0, BPA_PEER_TABLE_VERSION);
	PUSH_LE_U32(p, 4, 0);
	PUSH_LE_U64(p, 8, (uint64_t)inserted);
	PUSH_LE_U64(p, 16, (uint64_t)last_exchange);
	memcpy(p + 24, hash, BPA_PEER_HASH_LEN);
	p += 24 + BPA_PEER_HASH_LEN;
	PUSH_LE_U32(p, 0, (uint32_t)peer->cert_der.length);
	memcpy(p + 4, peer->cert_der.data, peer->cert_der.length);
	p += 4 + peer->cert_der.length;
	PUSH_LE_U32(p, 0, (uint32_t)peer->properties.length);
	if (peer->properties.length > 0) {
		memcpy(p + 4, peer->properties.data, peer->properties.length);
	}
	p += 4 + peer->properties.length;
	if (peer->address == NULL) {
		PUSH_LE_U32(p, 0, BPA_PEER_NO_ADDRESS);
	} else {
		PUSH_LE_U32(p, 0, (uint32_t)addr_len);
		memcpy(p + 4, peer->address, addr_len);
	}
	return out;
}

/* MS-BPAU 2.2.2: { PropertyID, Reserved, Length } before each Value */
#define ELEMENT_HEADER_LEN 12

_PUBLIC_ HRESULT bpa_peer_properties_from_blob(
	TALLOC_CTX *mem_ctx,
	const struct bpa_cert_blob *blob,
	DATA_BLOB *props)
{
	DATA_BLOB all = data_blob_null;
	size_t cert_part = 0;
	enum bpa_blob_err err;

	*props = data_blob_null;
	if (blob == NULL || blob->cert_der.length == 0) {
		return HRES_E_INVALIDARG;
	}
	/* <5>: the encoder leaves KEY_PROV_INFO out; the certificate
	 * element comes last */
	err = bpa_blob_encode(mem_ctx, blob, &all);
	if (err != BPA_BLOB_OK) {
		return bpa_blob_err_hresult(err);
	}
	cert_part = ELEMENT_HEADER_LEN + blob->cert_der.length;
	if (all.length < cert_part) {
		data_blob_free(&all);
		return HRES_E_FAIL;
	}
	if (all.length == cert_part) {
		data_blob_free(&all);
		return BPA_S_OK;
	}
	*props = data_blob_talloc(mem_ctx, all.data, all.length - cert_part);
	data_blob_free(&all);
	return props->data != NULL ? BPA_S_OK : HRES_E_OUTOFMEMORY;
}

/*
 * A version 1 row's props in the version 2 meaning (peer_record.h): the
 * elements in order, without KEY_PROV_INFO, stopping at the certificate
 * element.  Bytes that are not elements (never written by this project)
 * are kept as they are.
 */
static DATA_BLOB props_from_v1(TALLOC_CTX *mem_ctx,
			       const struct bpa_peer_record_view *v)
{
	uint8_t *out = talloc_size(mem_ctx, v->props_len);
	size_t out_len = 0;
	size_t at = 0;

	if (out == NULL) {
		return data_blob_null;
	}
	while (at < v->props_len) {
		size_t left = v->props_len - at;
		const uint8_t *e = v->props + at;
		uint32_t id = 0;
		size_t len = 0;

		if (left < ELEMENT_HEADER_LEN) {
			break;
		}
		id = PULL_LE_U32(e, 0);
		len = PULL_LE_U32(e, 8);
		if (len > left - ELEMENT_HEADER_LEN) {
			break;
		}
		if (id == BPA_BLOB_CERT_ELEMENT_ID) {
			/* the server's copy of the certificate: not kept */
			at = v->props_len;
			break;
		}
		if (id != BPA_PROP_KEY_PROV_INFO) {
			memcpy(out + out_len, e, ELEMENT_HEADER_LEN + len);
			out_len += ELEMENT_HEADER_LEN + len;
		}
		at += ELEMENT_HEADER_LEN + len;
	}
	if (at < v->props_len) {
		memcpy(out + out_len, v->props + at, v->props_len - at);
		out_len += v->props_len - at;
	}
	return (DATA_BLOB){ .data = out, .length = out_len };
}

struct bpa_peer *bpa_peer_record_to_peer(TALLOC_CTX *mem_ctx,
					 const struct bpa_peer_record_view *v,
					 const struct dom_sid *sid)
{
	struct bpa_peer *peer = talloc_zero(mem_ctx, struct bpa_peer);

	if (peer == NULL) {
		return NULL;
	}
	peer->sid = *sid;
	peer->cert_der = data_blob_talloc(peer, v->cert, v->cert_len);
	if (peer->cert_der.data == NULL) {
		goto nomem;
	}
	if (v->props_len > 0 && v->version == BPA_PEER_TABLE_VERSION_1) {
		peer->properties = props_from_v1(peer, v);
		if (peer->properties.data == NULL) {
			goto nomem;
		}
	} else if (v->props_len > 0) {
		peer->properties = data_blob_talloc(peer, v->props,
						    v->props_len);
		if (peer->properties.data == NULL) {
			goto nomem;
		}
	}
	memcpy(peer->cert_hash, v->hash, BPA_PEER_HASH_LEN);
	peer->inserted = (time_t)v->inserted;
	peer->last_exchange = (time_t)v->last_exchange;
	if (v->addr != NULL) {
		peer->address = talloc_strndup(peer, (const char *)v->addr,
					       v->addr_len);
		if (peer->address == NULL) {
			goto nomem;
		}
	}
	return peer;
nomem:
	TALLOC_FREE(peer);
	return NULL;
}

void bpa_peer_meta_push(uint8_t buf[BPA_PEER_META_LEN], uint32_t count)
{
	memcpy(buf, BPA_PEER_META_MAGIC, BPA_PEER_META_MAGIC_LEN);
	PUSH_LE_U32(buf, 8, BPA_PEER_TABLE_VERSION);
	PUSH_LE_U32(buf, 12, count);
}

HRESULT bpa_peer_meta_pull(const uint8_t *data,
			   size_t len,
			   uint32_t *version,
			   uint32_t *count)
{
	int c = 1;

	if (len >= 12) {
		c = memcmp(data, BPA_PEER_META_MAGIC, BPA_PEER_META_MAGIC_LEN);
	}
	if (c != 0) {
		return BPA_E_PEERS_FOREIGN;
	}
	*version = PULL_LE_U32(data, 8);
	if (*version != BPA_PEER_TABLE_VERSION &&
	    *version != BPA_PEER_TABLE_VERSION_1) {
		return BPA_E_PEERS_VERSION;
	}
	if (len != BPA_PEER_META_LEN) {
		return BPA_E_PEERS_FOREIGN;
	}
	*count = PULL_LE_U32(data, 12);
	return BPA_S_OK;
}

bool bpa_peer_sha256(const uint8_t *data,
		     size_t len,
		     uint8_t out[BPA_PEER_HASH_LEN])
{
	return bpa_sha256(data, len, out);
}

size_t bpa_peer_sid_key(const struct dom_sid *sid,
			char buf[BPA_PEER_SID_KEY_MAX])
{
	char s[BPA_SID_STRING_MAX];
	const char *str = bpa_sid_format(sid, s);
	int n = 0;

	if (str == NULL) {
		return 0;
	}
	n = snprintf(buf, BPA_PEER_SID_KEY_MAX, "%s%s",
		     BPA_PEER_SID_PREFIX, str);
	if (n < 0 || (size_t)n >= BPA_PEER_SID_KEY_MAX) {
		return 0;
	}
	return (size_t)n;
}

void bpa_peer_hash_hex(const uint8_t hash[BPA_PEER_HASH_LEN],
		       char hex[BPA_PEER_HASH_HEX_LEN + 1])
{
	bpa_hex_lower(hash, BPA_PEER_HASH_LEN, hex);
}

size_t bpa_peer_cert_key(const uint8_t hash[BPA_PEER_HASH_LEN],
			 char buf[BPA_PEER_CERT_KEY_MAX])
{
	size_t plen = BPA_PEER_CERT_PREFIX_LEN;

	memcpy(buf, BPA_PEER_CERT_PREFIX, plen);
	bpa_peer_hash_hex(hash, buf + plen);
	return plen + BPA_PEER_HASH_HEX_LEN;
}
