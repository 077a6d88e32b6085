/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The read side of the peer table: MS-BPAU 3.1.6.1 / 3.2.6.1 ("is this
 * certificate a known peer?", two hash lookups and no allocation, then
 * the revocation check when one is set), get,
 * count, traverse.
 */
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

struct cert_match {
	const DATA_BLOB *cert;
	const uint8_t *hash;
	bool match;
	bool bad;
};

static int cert_match_parser(TDB_DATA key,
			     TDB_DATA data,
			     void *private_data)
{
	struct cert_match *m = private_data;
	struct bpa_peer_record_view v;
	bool ok;

	ok = bpa_peer_record_view(data.dptr, data.dsize, &v);
	if (!ok) {
		m->bad = true;
		return 0;
	}
	m->match = memcmp(v.hash, m->hash, BPA_PEER_HASH_LEN) == 0 &&
		   v.cert_len == m->cert->length &&
		   memcmp(v.cert, m->cert->data, v.cert_len) == 0;
	return 0;
}

/* MS-BPAU 3.1.6.1, 3.2.6.1 */
bool bpa_peer_table_known_cert(struct bpa_peer_table *t,
			       const DATA_BLOB *cert_der,
			       struct dom_sid *psid)
{
	char cert_key[BPA_PEER_CERT_KEY_MAX];
	char sid_key[BPA_PEER_SID_KEY_MAX];
	struct peer_sid_copy s = { .len = 0 };
	struct cert_match m = { .cert = cert_der };
	struct dom_sid sid;
	uint8_t hash[BPA_PEER_HASH_LEN];
	size_t klen = 0;
	bool ok;
	int rc;

	if (t == NULL || t->tdb == NULL || cert_der == NULL ||
	    cert_der->data == NULL || cert_der->length == 0) {
		return false;
	}
	ok = bpa_peer_sha256(cert_der->data, cert_der->length, hash);
	if (!ok) {
		return false;
	}
	klen = bpa_peer_cert_key(hash, cert_key);
	rc = tdb_parse_record(t->tdb, peer_key(cert_key, klen),
			      peer_sid_copy_parser, &s);
	if (rc != 0) {
		enum TDB_ERROR e = tdb_error(t->tdb);

		if (e != TDB_ERR_NOEXIST) {
			DBG_ERR("peer table %s: lookup: %s\n", t->path,
				tdb_errorstr(t->tdb));
		}
		return false;
	}
	ok = !s.bad;
	if (ok) {
		ok = bpa_sid_parse_len(s.buf, s.len, &sid);
	}
	if (!ok) {
		DBG_ERR("peer table %s: index entry %s is not a SID: "
			"BPA_E_PEERS_CORRUPT\n", t->path, cert_key);
		return false;
	}
	klen = bpa_peer_sid_key(&sid, sid_key);
	if (klen == 0) {
		return false;
	}
	m.hash = hash;
	rc = tdb_parse_record(t->tdb, peer_key(sid_key, klen),
			      cert_match_parser, &m);
	if (rc != 0) {
		/* replaced or removed between the two lookups */
		return false;
	}
	if (m.bad) {
		DBG_ERR("peer table %s: row %s does not decode: "
			"BPA_E_PEERS_CORRUPT\n", t->path, sid_key);
		return false;
	}
	if (m.match && bpa_peer_rev_refuses(t, cert_der)) {
		/* a revoked certificate is not a known peer */
		return false;
	}
	if (m.match && psid != NULL) {
		*psid = sid;
	}
	return m.match;
}

HRESULT bpa_peer_table_get(TALLOC_CTX *mem_ctx,
			   struct bpa_peer_table *t,
			   const struct dom_sid *sid,
			   struct bpa_peer **ppeer)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	char sid_key[BPA_PEER_SID_KEY_MAX];
	struct bpa_peer_record_view v;
	DATA_BLOB rec = data_blob_null;
	size_t klen = 0;
	HRESULT hr;

	*ppeer = NULL;
	if (frame == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	hr = peer_sid_entry(t, false, sid, sid_key, &klen);
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	hr = peer_fetch_row(frame, t, peer_key(sid_key, klen), &rec, &v);
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	*ppeer = bpa_peer_record_to_peer(mem_ctx, &v, sid);
	if (*ppeer == NULL) {
		hr = HRES_E_OUTOFMEMORY;
	}
done:
	TALLOC_FREE(frame);
	return hr;
}

HRESULT bpa_peer_table_count(struct bpa_peer_table *t, uint32_t *count)
{
	HRESULT hr = peer_table_usable(t, false);

	*count = 0;
	if (!HRES_IS_OK(hr)) {
		return hr;
	}
	return peer_meta_read(t, count);
}

struct traverse_state {
	struct bpa_peer_table *t;
	bpa_peer_table_traverse_fn fn;
	void *private_data;
	uint32_t count;
	HRESULT hr;
};

static int traverse_fn(struct tdb_context *tdb,
		       TDB_DATA key,
		       TDB_DATA data,
		       void *private_data)
{
	struct traverse_state *st = private_data;
	struct bpa_peer_record_view v;
	struct bpa_peer *peer = NULL;
	struct dom_sid sid;
	size_t plen = BPA_PEER_SID_PREFIX_LEN;
	bool ok;
	int ret;

	ok = peer_is_sid_key(key);
	if (!ok) {
		return 0;
	}
	ok = bpa_sid_parse_len((const char *)key.dptr + plen,
			       key.dsize - plen, &sid);
	if (ok) {
		ok = bpa_peer_record_view(data.dptr, data.dsize, &v);
	}
	if (!ok) {
		DBG_ERR("peer table %s: row %.*s does not decode: "
			"BPA_E_PEERS_CORRUPT\n", st->t->path,
			(int)key.dsize, (const char *)key.dptr);
		st->hr = BPA_E_PEERS_CORRUPT;
		return 1;
	}
	peer = bpa_peer_record_to_peer(NULL, &v, &sid);
	if (peer == NULL) {
		st->hr = HRES_E_OUTOFMEMORY;
		return 1;
	}
	st->count++;
	ret = st->fn(peer, st->private_data);
	TALLOC_FREE(peer);
	return ret != 0 ? 1 : 0;
}

HRESULT bpa_peer_table_traverse(struct bpa_peer_table *t,
				bpa_peer_table_traverse_fn fn,
				void *private_data,
				uint32_t *count)
{
	struct traverse_state st = {
		.t = t, .fn = fn, .private_data = private_data,
		.hr = BPA_S_OK,
	};
	HRESULT hr = peer_table_usable(t, false);
	int n;

	if (count != NULL) {
		*count = 0;
	}
	if (!HRES_IS_OK(hr)) {
		return hr;
	}
	if (fn == NULL) {
		return HRES_E_INVALIDARG;
	}
	n = tdb_traverse_read(t->tdb, traverse_fn, &st);
	if (n < 0 && HRES_IS_OK(st.hr)) {
		DBG_ERR("peer table %s: traverse: %s\n", t->path,
			tdb_errorstr(t->tdb));
		st.hr = HRES_E_FAIL;
	}
	if (count != NULL) {
		*count = st.count;
	}
	return st.hr;
}
