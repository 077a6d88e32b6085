/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The write side of the peer table: add (MS-BPAU 3.1.4.1 <3> <4>, the
 * client's 3.2.4.1 <6> <7>), batches of adds, eviction of the oldest
 * row when full, remove.  Every change is one tdb transaction.
 */
#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif

#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <sys/types.h>
#include <tdb.h>
#include "util/bpa_debug.h"
#include "util/sid_string.h"
#include "peers/peer_table.h"
#include "peers/peer_table_private.h"
#include "peers/peer_record.h"

static HRESULT peer_validate(const struct bpa_peer *peer,
			     char sid_key[BPA_PEER_SID_KEY_MAX],
			     size_t *sid_klen)
{
	const char *sid_str = sid_key + BPA_PEER_SID_PREFIX_LEN;
	size_t addr_len = 0;

	if (peer == NULL) {
		DBG_WARNING("add: no peer: HRES_E_INVALIDARG\n");
		return HRES_E_INVALIDARG;
	}
	*sid_klen = bpa_peer_sid_key(&peer->sid, sid_key);
	if (*sid_klen == 0) {
		DBG_WARNING("add: invalid SID: HRES_E_INVALIDARG\n");
		return HRES_E_INVALIDARG;
	}
	if (peer->cert_der.data == NULL || peer->cert_der.length == 0 ||
	    peer->cert_der.length > BPA_PEER_TABLE_MAX_BLOB) {
		DBG_WARNING("add %s: certificate of %zu bytes: "
			    "HRES_E_INVALIDARG\n", sid_str,
			    peer->cert_der.length);
		return HRES_E_INVALIDARG;
	}
	if (peer->properties.length > BPA_PEER_TABLE_MAX_BLOB ||
	    (peer->properties.length > 0 && peer->properties.data == NULL)) {
		DBG_WARNING("add %s: properties of %zu bytes: "
			    "HRES_E_INVALIDARG\n", sid_str,
			    peer->properties.length);
		return HRES_E_INVALIDARG;
	}
	if (peer->address != NULL) {
		addr_len = strnlen(peer->address, BPA_PEER_MAX_ADDRESS + 1);
	}
	if (addr_len > BPA_PEER_MAX_ADDRESS) {
		DBG_WARNING("add %s: address too long: HRES_E_INVALIDARG\n",
			    sid_str);
		return HRES_E_INVALIDARG;
	}
	return BPA_S_OK;
}

/* Finding the row with the oldest insertion time (MS-BPAU <3>) */
struct oldest_state {
	TALLOC_CTX *mem_ctx;
	bool found;
	bool corrupt;
	int64_t inserted;
	DATA_BLOB key;
};

static int oldest_fn(struct tdb_context *tdb,
		     TDB_DATA key,
		     TDB_DATA data,
		     void *private_data)
{
	struct oldest_state *st = private_data;
	struct bpa_peer_record_view v;
	bool older = false;
	bool ok;

	ok = peer_is_sid_key(key);
	if (!ok) {
		return 0;
	}
	ok = bpa_peer_record_view(data.dptr, data.dsize, &v);
	if (!ok) {
		st->corrupt = true;
		return 1;
	}
	if (!st->found || v.inserted < st->inserted) {
		older = true;
	} else if (v.inserted == st->inserted) {
		/* ties: the smallest key, so that the choice is stable */
		size_t n = MIN(key.dsize, st->key.length);
		int c = 0;

		c = memcmp(key.dptr, st->key.data, n);

		older = (c < 0 || (c == 0 && key.dsize < st->key.length));
	}
	if (older) {
		data_blob_free(&st->key);
		st->key = data_blob_talloc(st->mem_ctx, key.dptr, key.dsize);
		if (st->key.data == NULL) {
			st->corrupt = true;
			return 1;
		}
		st->inserted = v.inserted;
		st->found = true;
	}
	return 0;
}

/*
 * Remove the "cert/" entry of @hash, the certificate of @sid_str's row.
 * The entry is written and removed only together with that row, in one
 * transaction, and an add refuses a certificate whose entry names
 * another SID (BPA_E_PEER_CERT_IN_USE): so it names @sid_str, and is
 * deleted without reading it first (issue 15: a second chain walk per
 * exchange).  peer_table_check() verifies the pairing of a persistent
 * table at open; a volatile one starts empty.
 */
static HRESULT drop_cert_index(struct bpa_peer_table *t,
			       const uint8_t *hash,
			       const char *sid_str,
			       size_t sid_len)
{
	char cert_key[BPA_PEER_CERT_KEY_MAX];
	size_t klen = bpa_peer_cert_key(hash, cert_key);
	HRESULT hr;

	hr = peer_delete(t, peer_key(cert_key, klen));
	if (HRES_IS_EQUAL(hr, BPA_E_PEER_NOT_FOUND)) {
		DBG_WARNING("peer table %s: %.*s had no index entry\n",
			    t->path, (int)sid_len, sid_str);
		return BPA_S_OK;
	}
	return hr;
}

/* Delete a "sid/" row and its index entry; inside a transaction */
static HRESULT drop_row(TALLOC_CTX *mem_ctx,
			struct bpa_peer_table *t,
			TDB_DATA sid_key)
{
	struct bpa_peer_record_view v;
	DATA_BLOB rec = data_blob_null;
	size_t plen = BPA_PEER_SID_PREFIX_LEN;
	HRESULT hr;

	hr = peer_fetch_row(mem_ctx, t, sid_key, &rec, &v);
	if (!HRES_IS_OK(hr)) {
		return hr;
	}
	hr = drop_cert_index(t, v.hash,
			     (const char *)sid_key.dptr + plen,
			     sid_key.dsize - plen);
	if (!HRES_IS_OK(hr)) {
		return hr;
	}
	return peer_delete(t, sid_key);
}

/* MS-BPAU 3.1.4.1 <3>: evict the oldest row if old enough */
static HRESULT evict_oldest(TALLOC_CTX *mem_ctx,
			    struct bpa_peer_table *t,
			    time_t now)
{
	struct oldest_state st = { .mem_ctx = mem_ctx };
	int64_t age;
	int n;

	n = tdb_traverse_read(t->tdb, oldest_fn, &st);
	if (n < 0 && !st.corrupt) {
		DBG_ERR("peer table %s: traverse: %s\n", t->path,
			tdb_errorstr(t->tdb));
		return HRES_E_FAIL;
	}
	if (st.corrupt || !st.found) {
		DBG_ERR("peer table %s: full, but no decodable row to evict: "
			"BPA_E_PEERS_CORRUPT\n", t->path);
		return BPA_E_PEERS_CORRUPT;
	}
	age = (int64_t)now - st.inserted;
	if (age <= (int64_t)t->evict_min_age) {
		DBG_NOTICE("peer table %s full (%" PRIu32 " peers), oldest "
			   "%.*s inserted %" PRId64 " s ago (<= %" PRIu32
			   "): HRES_OLE_E_NOCACHE\n", t->path, t->max_peers,
			   (int)st.key.length, (const char *)st.key.data,
			   age, t->evict_min_age);
		return HRES_OLE_E_NOCACHE;
	}
	DBG_INFO("peer table %s: evicting %.*s, inserted %" PRId64
		 " s ago\n", t->path, (int)st.key.length,
		 (const char *)st.key.data, age);
	return drop_row(mem_ctx, t, (TDB_DATA) { .dptr = st.key.data,
						 .dsize = st.key.length });
}

/*
 * The row count of the "BPA/TABLE" record, read once per transaction
 * and only by an add that needs it: replacing a principal's row (every
 * exchange after its first) leaves the count alone, so it does not pay
 * for the lookup.
 */
struct peer_count {
	bool known;
	uint32_t n;
};

static HRESULT peer_count_get(struct bpa_peer_table *t, struct peer_count *c)
{
	HRESULT hr;

	if (c->known) {
		return BPA_S_OK;
	}
	hr = peer_meta_read(t, &c->n);
	c->known = HRES_IS_OK(hr);
	return hr;
}

/*
 * One add inside the caller's transaction (MS-BPAU 3.1.4.1 <3> <4>);
 * *count is the table's row count, kept up to date here.
 */
static HRESULT peer_add_in_tx(TALLOC_CTX *mem_ctx,
			      struct bpa_peer_table *t,
			      const struct bpa_peer *peer,
			      time_t now,
			      struct peer_count *count)
{
	TALLOC_CTX *frame = talloc_new(mem_ctx);
	char sid_key[BPA_PEER_SID_KEY_MAX];
	char cert_key[BPA_PEER_CERT_KEY_MAX];
	const char *sid_str = NULL;
	size_t sid_klen = 0, sid_len = 0, cert_klen = 0;
	size_t plen = BPA_PEER_SID_PREFIX_LEN;
	uint8_t hash[BPA_PEER_HASH_LEN];
	DATA_BLOB rec = data_blob_null;
	DATA_BLOB owner = data_blob_null;
	DATA_BLOB old = data_blob_null;
	struct bpa_peer_record_view v;
	bool ok;
	int c;
	HRESULT hr;

	if (frame == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	hr = peer_validate(peer, sid_key, &sid_klen);
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	sid_str = sid_key + plen;
	sid_len = sid_klen - plen;
	ok = bpa_peer_sha256(peer->cert_der.data, peer->cert_der.length,
			     hash);
	if (!ok) {
		hr = HRES_E_FAIL;
		goto done;
	}
	cert_klen = bpa_peer_cert_key(hash, cert_key);
	rec = bpa_peer_record_push(frame, peer, hash, now, now);
	if (rec.data == NULL) {
		hr = HRES_E_OUTOFMEMORY;
		goto done;
	}

	/* A certificate maps to one principal */
	hr = peer_fetch(frame, t, peer_key(cert_key, cert_klen), &owner);
	c = 0;
	if (HRES_IS_OK(hr) && owner.length == sid_len) {
		c = memcmp(owner.data, sid_str, sid_len);
	} else if (HRES_IS_OK(hr)) {
		c = 1;
	}
	if (c != 0) {
		DBG_WARNING("peer table %s: certificate %s is already the "
			    "one of %.*s, not added for %s: "
			    "BPA_E_PEER_CERT_IN_USE\n", t->path,
			    cert_key + BPA_PEER_CERT_PREFIX_LEN,
			    (int)owner.length, (const char *)owner.data,
			    sid_str);
		hr = BPA_E_PEER_CERT_IN_USE;
		goto done;
	}
	if (!HRES_IS_OK(hr) && !HRES_IS_EQUAL(hr, BPA_E_PEER_NOT_FOUND)) {
		goto done;
	}

	hr = peer_fetch_row(frame, t, peer_key(sid_key, sid_klen), &old,
			    &v);
	if (HRES_IS_OK(hr)) {
		/* MS-BPAU <3> <4>: delete the prior row, insert the new */
		c = memcmp(v.hash, hash, BPA_PEER_HASH_LEN);
		if (c != 0) {
			hr = drop_cert_index(t, v.hash, sid_str, sid_len);
			if (!HRES_IS_OK(hr)) {
				goto done;
			}
		}
		DBG_INFO("peer table %s: replacing the certificate of %s\n",
			 t->path, sid_str);
	} else if (HRES_IS_EQUAL(hr, BPA_E_PEER_NOT_FOUND)) {
		/* a new principal: make room (MS-BPAU <3>) */
		hr = peer_count_get(t, count);
		if (!HRES_IS_OK(hr)) {
			goto done;
		}
		while (count->n >= t->max_peers) {
			hr = evict_oldest(frame, t, now);
			if (!HRES_IS_OK(hr)) {
				goto done;
			}
			count->n -= 1;
		}
		count->n += 1;
		hr = peer_meta_store(t, count->n);
		if (!HRES_IS_OK(hr)) {
			goto done;
		}
		DBG_INFO("peer table %s: adding %s (%" PRIu32 " peers)\n",
			 t->path, sid_str, count->n);
	} else {
		goto done;
	}

	hr = peer_store(t, peer_key(sid_key, sid_klen),
			(TDB_DATA) { .dptr = rec.data, .dsize = rec.length });
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	hr = peer_store(t, peer_key(cert_key, cert_klen),
			peer_key(sid_str, sid_len));
done:
	TALLOC_FREE(frame);
	return hr;
}

HRESULT bpa_peer_table_add(struct bpa_peer_table *t,
			   const struct bpa_peer *peer,
			   time_t now)
{
	return bpa_peer_table_add_batch(t, peer, 1, now, NULL);
}

HRESULT bpa_peer_table_add_batch(struct bpa_peer_table *t,
				 const struct bpa_peer *peers,
				 size_t n,
				 time_t now,
				 size_t *failed)
{
	TALLOC_CTX *frame = NULL;
	struct peer_count count = { .known = false };
	bool in_tx = false;
	HRESULT hr;
	size_t i = 0;

	hr = peer_table_usable(t, true);
	if (!HRES_IS_OK(hr)) {
		return hr;
	}
	if (peers == NULL || n == 0) {
		DBG_WARNING("add: no peer: HRES_E_INVALIDARG\n");
		return HRES_E_INVALIDARG;
	}
	frame = talloc_new(NULL);
	if (frame == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	hr = peer_tx_start(t);
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	in_tx = true;
	for (i = 0; i < n; i++) {
		hr = peer_add_in_tx(frame, t, &peers[i], now, &count);
		if (!HRES_IS_OK(hr)) {
			goto done;
		}
	}
	in_tx = false;
	hr = peer_tx_commit(t);
done:
	if (in_tx) {
		peer_tx_cancel(t);
	}
	if (failed != NULL) {
		*failed = HRES_IS_OK(hr) ? n : i;
	}
	TALLOC_FREE(frame);
	return hr;
}

HRESULT bpa_peer_table_remove(struct bpa_peer_table *t,
			      const struct dom_sid *sid)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	char sid_key[BPA_PEER_SID_KEY_MAX];
	uint32_t count = 0;
	size_t klen = 0;
	bool in_tx = false;
	HRESULT hr;

	if (frame == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	hr = peer_sid_entry(t, true, sid, sid_key, &klen);
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	hr = peer_tx_start_count(t, &count);
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	in_tx = true;
	hr = drop_row(frame, t, peer_key(sid_key, klen));
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	if (count == 0) {
		DBG_ERR("peer table %s: count 0 with a row in it: "
			"BPA_E_PEERS_CORRUPT\n", t->path);
		hr = BPA_E_PEERS_CORRUPT;
		goto done;
	}
	hr = peer_meta_store(t, count - 1);
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	in_tx = false;
	hr = peer_tx_commit(t);
	if (HRES_IS_OK(hr)) {
		DBG_NOTICE("peer table %s: removed %s\n", t->path,
			   sid_key + BPA_PEER_SID_PREFIX_LEN);
	}
done:
	if (in_tx) {
		peer_tx_cancel(t);
	}
	TALLOC_FREE(frame);
	return hr;
}
