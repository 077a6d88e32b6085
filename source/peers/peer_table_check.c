/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bpa_peer_table_check(): tdb_check() plus the table's own invariants
 * ("bitspeerauth peers verify", and every open of a persistent table).
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

/* bpa_peer_table_check(): called by tdb_check() for every record */
struct check_state {
	struct bpa_peer_table *t;
	struct tdb_context *tdb;	/* t->tdb, or the open's own */
	uint32_t rows;
	uint32_t index;
	bool meta_seen;
	uint32_t meta_count;
	bool bad;
};

static bool is_lower_hex(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!((p[i] >= '0' && p[i] <= '9') ||
		      (p[i] >= 'a' && p[i] <= 'f'))) {
			return false;
		}
	}
	return true;
}

static void check_row(struct check_state *st, TDB_DATA key, TDB_DATA data)
{
	size_t plen = BPA_PEER_SID_PREFIX_LEN;
	char cert_key[BPA_PEER_CERT_KEY_MAX];
	struct bpa_peer_record_view v;
	struct peer_sid_copy s = { .len = 0 };
	struct dom_sid sid;
	uint8_t hash[BPA_PEER_HASH_LEN];
	size_t klen;
	bool ok;
	int rc;

	st->rows++;
	ok = bpa_sid_parse_len((const char *)key.dptr + plen,
			       key.dsize - plen, &sid);
	if (!ok) {
		DBG_ERR("check %s: key %.*s is not a canonical SID\n",
			st->t->path, (int)key.dsize, (const char *)key.dptr);
		st->bad = true;
		return;
	}
	ok = bpa_peer_record_view(data.dptr, data.dsize, &v);
	if (!ok) {
		DBG_ERR("check %s: row %.*s does not decode\n", st->t->path,
			(int)key.dsize, (const char *)key.dptr);
		st->bad = true;
		return;
	}
	ok = bpa_peer_sha256(v.cert, v.cert_len, hash);
	if (ok) {
		ok = (memcmp(hash, v.hash, BPA_PEER_HASH_LEN) == 0);
	}
	if (!ok) {
		DBG_ERR("check %s: row %.*s: SHA-256 does not match its "
			"certificate\n", st->t->path, (int)key.dsize,
			(const char *)key.dptr);
		st->bad = true;
		return;
	}
	klen = bpa_peer_cert_key(v.hash, cert_key);
	rc = tdb_parse_record(st->tdb, peer_key(cert_key, klen),
			      peer_sid_copy_parser, &s);
	ok = (rc == 0 && !s.bad && s.len == key.dsize - plen);
	if (ok) {
		ok = (memcmp(s.buf, key.dptr + plen, s.len) == 0);
	}
	if (!ok) {
		DBG_ERR("check %s: row %.*s: index entry %s missing or "
			"naming another SID\n", st->t->path, (int)key.dsize,
			(const char *)key.dptr, cert_key);
		st->bad = true;
	}
}

static void check_index(struct check_state *st, TDB_DATA key, TDB_DATA data)
{
	size_t plen = BPA_PEER_CERT_PREFIX_LEN;
	char sid_key[BPA_PEER_SID_KEY_MAX];
	char hex[BPA_PEER_HASH_HEX_LEN + 1];
	struct bpa_peer_record_view v;
	struct dom_sid sid;
	TDB_DATA rec;
	size_t klen;
	bool ok;
	int c;

	st->index++;
	ok = (key.dsize == plen + BPA_PEER_HASH_HEX_LEN);
	if (ok) {
		ok = is_lower_hex(key.dptr + plen, BPA_PEER_HASH_HEX_LEN);
	}
	if (ok) {
		ok = bpa_sid_parse_len((const char *)data.dptr, data.dsize,
				       &sid);
	}
	if (!ok) {
		DBG_ERR("check %s: bad index entry %.*s\n", st->t->path,
			(int)key.dsize, (const char *)key.dptr);
		st->bad = true;
		return;
	}
	klen = bpa_peer_sid_key(&sid, sid_key);
	rec = tdb_fetch(st->tdb, peer_key(sid_key, klen));
	if (rec.dptr == NULL) {
		DBG_ERR("check %s: index entry %.*s names %s, not in the "
			"table\n", st->t->path, (int)key.dsize,
			(const char *)key.dptr, sid_key);
		st->bad = true;
		return;
	}
	ok = bpa_peer_record_view(rec.dptr, rec.dsize, &v);
	if (!ok) {
		/* reported by check_row() */
		free(rec.dptr);
		return;
	}
	bpa_peer_hash_hex(v.hash, hex);
	free(rec.dptr);
	c = memcmp(hex, key.dptr + plen, BPA_PEER_HASH_HEX_LEN);
	if (c != 0) {
		DBG_ERR("check %s: index entry %.*s names %s, which has "
			"another certificate\n", st->t->path, (int)key.dsize,
			(const char *)key.dptr, sid_key);
		st->bad = true;
	}
}

static int check_fn(TDB_DATA key, TDB_DATA data, void *private_data)
{
	struct check_state *st = private_data;
	uint32_t version = 0;
	HRESULT hr;

	bool is_meta = false;
	bool is_sid = peer_is_sid_key(key);
	bool is_cert = peer_is_cert_key(key);

	if (key.dsize == peer_meta_key().dsize) {
		is_meta = (memcmp(key.dptr, peer_meta_key().dptr,
				  key.dsize) == 0);
	}
	if (is_meta) {
		hr = bpa_peer_meta_pull(data.dptr, data.dsize, &version,
					&st->meta_count);
		if (!HRES_IS_OK(hr)) {
			DBG_ERR("check %s: bad %s record\n", st->t->path,
				BPA_PEER_META_KEY);
			st->bad = true;
		}
		st->meta_seen = true;
	} else if (is_sid) {
		check_row(st, key, data);
	} else if (is_cert) {
		check_index(st, key, data);
	} else {
		DBG_ERR("check %s: unknown key %.*s\n", st->t->path,
			(int)key.dsize, (const char *)key.dptr);
		st->bad = true;
	}
	return 0;
}

HRESULT peer_table_check_tdb(struct bpa_peer_table *t,
			     struct tdb_context *tdb)
{
	struct check_state st = { .t = t, .tdb = tdb };
	int rc;

	rc = tdb_check(tdb, check_fn, &st);
	if (rc != 0) {
		DBG_ERR("check %s: tdb_check failed: %s\n", t->path,
			tdb_errorstr(tdb));
		return BPA_E_PEERS_CORRUPT;
	}
	if (!st.meta_seen && (st.rows > 0 || st.index > 0)) {
		DBG_ERR("check %s: rows but no %s record\n", t->path,
			BPA_PEER_META_KEY);
		st.bad = true;
	}
	if (st.meta_seen && st.meta_count != st.rows) {
		DBG_ERR("check %s: count says %" PRIu32 ", %" PRIu32
			" rows\n", t->path, st.meta_count, st.rows);
		st.bad = true;
	}
	if (st.index != st.rows) {
		DBG_ERR("check %s: %" PRIu32 " rows, %" PRIu32
			" index entries\n", t->path, st.rows, st.index);
		st.bad = true;
	}
	if (st.bad) {
		return BPA_E_PEERS_CORRUPT;
	}
	DBG_DEBUG("check %s: %" PRIu32 " peers, consistent\n", t->path,
		  st.rows);
	return BPA_S_OK;
}

HRESULT bpa_peer_table_check(struct bpa_peer_table *t)
{
	HRESULT hr = peer_table_usable(t, false);

	if (!HRES_IS_OK(hr)) {
		return hr;
	}
	return peer_table_check_tdb(t, t->tdb);
}
