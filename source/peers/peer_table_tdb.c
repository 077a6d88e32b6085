/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The peer table's tdb plumbing, shared by the open, write, read and
 * check sides: tdb's log into our debug class, fetch/store/delete with
 * HRESULTs, the write transaction (with the test hook), the "BPA/TABLE"
 * record.  See peer_table_private.h.
 */
#define BPA_PEER_TABLE_TEST_HOOK 1 /* defines the setter */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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
#include "peers/peer_record.h"

/* tdb's own messages go to our debug class */
void peer_tdb_log(struct tdb_context *tdb,
		  enum tdb_debug_level level,
		  const char *fmt,
		  ...)
{
	const char *path = tdb_get_logging_private(tdb);
	char *msg = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0) {
		return;
	}
	if (level <= TDB_DEBUG_ERROR) {
		DBG_ERR("peer table %s: tdb: %s", path ? path : "?", msg);
	} else {
		DBG_DEBUG("peer table %s: tdb: %s", path ? path : "?", msg);
	}
	free(msg);
}

void bpa_peer_table_set_test_hook(struct bpa_peer_table *t,
				  void (*hook)(const char *where,
					       void *private_data),
				  void *private_data)
{
	t->hook = hook;
	t->hook_private = private_data;
}

void peer_run_hook(struct bpa_peer_table *t, const char *where)
{
	if (t->hook != NULL) {
		t->hook(where, t->hook_private);
	}
}

HRESULT peer_fetch(TALLOC_CTX *mem_ctx,
		   struct bpa_peer_table *t,
		   TDB_DATA key,
		   DATA_BLOB *out)
{
	TDB_DATA d = tdb_fetch(t->tdb, key);

	*out = data_blob_null;
	if (d.dptr == NULL) {
		enum TDB_ERROR e = tdb_error(t->tdb);

		if (e == TDB_ERR_NOEXIST) {
			return BPA_E_PEER_NOT_FOUND;
		}
		DBG_ERR("peer table %s: fetch %.*s: %s\n", t->path,
			(int)key.dsize, (const char *)key.dptr,
			tdb_errorstr(t->tdb));
		return HRES_E_FAIL;
	}
	*out = data_blob_talloc(mem_ctx, d.dptr, d.dsize);
	free(d.dptr);
	if (out->data == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	return BPA_S_OK;
}

HRESULT peer_fetch_row(TALLOC_CTX *mem_ctx,
		       struct bpa_peer_table *t,
		       TDB_DATA key,
		       DATA_BLOB *rec,
		       struct bpa_peer_record_view *v)
{
	HRESULT hr = peer_fetch(mem_ctx, t, key, rec);
	bool ok;

	if (!HRES_IS_OK(hr)) {
		return hr;
	}
	ok = bpa_peer_record_view(rec->data, rec->length, v);
	if (!ok) {
		DBG_ERR("peer table %s: row %.*s does not decode: "
			"BPA_E_PEERS_CORRUPT\n", t->path, (int)key.dsize,
			(const char *)key.dptr);
		return BPA_E_PEERS_CORRUPT;
	}
	return BPA_S_OK;
}

HRESULT peer_store(struct bpa_peer_table *t,
		   TDB_DATA key,
		   TDB_DATA data)
{
	int rc = tdb_store(t->tdb, key, data, TDB_REPLACE);

	if (rc != 0) {
		DBG_ERR("peer table %s: store %.*s: %s\n", t->path,
			(int)key.dsize, (const char *)key.dptr,
			tdb_errorstr(t->tdb));
		return HRES_E_FAIL;
	}
	return BPA_S_OK;
}

HRESULT peer_delete(struct bpa_peer_table *t, TDB_DATA key)
{
	int rc = tdb_delete(t->tdb, key);

	if (rc != 0) {
		enum TDB_ERROR e = tdb_error(t->tdb);

		if (e == TDB_ERR_NOEXIST) {
			return BPA_E_PEER_NOT_FOUND;
		}
		DBG_ERR("peer table %s: delete %.*s: %s\n", t->path,
			(int)key.dsize, (const char *)key.dptr,
			tdb_errorstr(t->tdb));
		return HRES_E_FAIL;
	}
	return BPA_S_OK;
}

static int first_record_fn(struct tdb_context *tdb,
			   TDB_DATA key,
			   TDB_DATA data,
			   void *private_data)
{
	return 1;	/* one is enough */
}

/* Is the "BPA/TABLE" record there and ours? */
HRESULT peer_check_meta(struct bpa_peer_table *t,
			struct tdb_context *tdb,
			bool scan,
			bool *missing,
			uint32_t *count)
{
	TDB_DATA d = tdb_fetch(tdb, peer_meta_key());
	uint32_t version = 0;
	HRESULT hr;
	int n;

	*missing = false;
	*count = 0;
	if (d.dptr == NULL) {
		enum TDB_ERROR e = tdb_error(tdb);

		if (e != TDB_ERR_NOEXIST) {
			DBG_ERR("peer table %s: %s\n", t->path,
				tdb_errorstr(tdb));
			return HRES_E_FAIL;
		}
		*missing = true;
		if (!scan) {
			return BPA_S_OK;
		}
		n = tdb_traverse_read(tdb, first_record_fn, NULL);
		if (n < 0) {
			DBG_ERR("peer table %s: traverse: %s\n", t->path,
				tdb_errorstr(tdb));
			return HRES_E_FAIL;
		}
		if (n > 0) {
			DBG_ERR("peer table %s: a tdb that is not a "
				"bitspeerauth peer table (no %s record): "
				"BPA_E_PEERS_FOREIGN, file left as it is\n",
				t->path, BPA_PEER_META_KEY);
			*missing = false;
			return BPA_E_PEERS_FOREIGN;
		}
		return BPA_S_OK;
	}
	hr = bpa_peer_meta_pull(d.dptr, d.dsize, &version, count);
	free(d.dptr);
	if (HRES_IS_EQUAL(hr, BPA_E_PEERS_VERSION)) {
		DBG_ERR("peer table %s: record format version %" PRIu32
			", this build reads %d and %d: BPA_E_PEERS_VERSION, "
			"file left as it is\n", t->path, version,
			BPA_PEER_TABLE_VERSION_1, BPA_PEER_TABLE_VERSION);
	} else if (!HRES_IS_OK(hr)) {
		DBG_ERR("peer table %s: bad %s record: BPA_E_PEERS_FOREIGN, "
			"file left as it is\n", t->path, BPA_PEER_META_KEY);
	}
	return hr;
}

HRESULT peer_tx_start(struct bpa_peer_table *t)
{
	int rc = tdb_transaction_start(t->tdb);

	if (rc != 0) {
		DBG_ERR("peer table %s: transaction start: %s\n", t->path,
			tdb_errorstr(t->tdb));
		return HRES_E_FAIL;
	}
	return BPA_S_OK;
}

HRESULT peer_tx_start_count(struct bpa_peer_table *t, uint32_t *count)
{
	HRESULT hr = peer_tx_start(t);

	if (!HRES_IS_OK(hr)) {
		return hr;
	}
	hr = peer_meta_read(t, count);
	if (!HRES_IS_OK(hr)) {
		peer_tx_cancel(t);
	}
	return hr;
}

void peer_tx_cancel(struct bpa_peer_table *t)
{
	int rc = tdb_transaction_cancel(t->tdb);

	if (rc != 0) {
		DBG_ERR("peer table %s: transaction cancel: %s\n", t->path,
			tdb_errorstr(t->tdb));
	}
}

/* Commit; on failure tdb has cancelled the transaction */
HRESULT peer_tx_commit(struct bpa_peer_table *t)
{
	int rc;

	peer_run_hook(t, "in_transaction");
	rc = tdb_transaction_prepare_commit(t->tdb);
	if (rc != 0) {
		DBG_ERR("peer table %s: prepare commit: %s\n", t->path,
			tdb_errorstr(t->tdb));
		peer_tx_cancel(t);
		return HRES_E_FAIL;
	}
	peer_run_hook(t, "prepared");
	rc = tdb_transaction_commit(t->tdb);
	if (rc != 0) {
		DBG_ERR("peer table %s: commit: %s\n", t->path,
			tdb_errorstr(t->tdb));
		return HRES_E_FAIL;
	}
	peer_run_hook(t, "committed");
	return BPA_S_OK;
}

HRESULT peer_meta_store(struct bpa_peer_table *t, uint32_t count)
{
	uint8_t buf[BPA_PEER_META_LEN];

	bpa_peer_meta_push(buf, count);
	return peer_store(t, peer_meta_key(),
			  (TDB_DATA) { .dptr = buf, .dsize = sizeof(buf) });
}

HRESULT peer_table_usable(struct bpa_peer_table *t, bool write)
{
	if (t == NULL || t->tdb == NULL) {
		DBG_ERR("peer table handle not usable\n");
		return HRES_E_FAIL;
	}
	if (write && t->read_only) {
		DBG_ERR("peer table %s is open read-only: "
			"BPA_E_PEERS_READ_ONLY\n", t->path);
		return BPA_E_PEERS_READ_ONLY;
	}
	return BPA_S_OK;
}

HRESULT peer_sid_entry(struct bpa_peer_table *t,
		       bool write,
		       const struct dom_sid *sid,
		       char sid_key[BPA_PEER_SID_KEY_MAX],
		       size_t *klen)
{
	HRESULT hr = peer_table_usable(t, write);

	*klen = 0;
	if (!HRES_IS_OK(hr)) {
		return hr;
	}
	*klen = (sid != NULL) ? bpa_peer_sid_key(sid, sid_key) : 0;
	return (*klen != 0) ? BPA_S_OK : HRES_E_INVALIDARG;
}

HRESULT peer_meta_read(struct bpa_peer_table *t, uint32_t *count)
{
	bool missing = false;
	HRESULT hr = peer_check_meta(t, t->tdb, false, &missing, count);

	if (HRES_IS_OK(hr) && missing && !t->read_only) {
		/* only a read-only opener may see a just-cleared table */
		DBG_ERR("peer table %s: %s record vanished: "
			"BPA_E_PEERS_CORRUPT\n", t->path, BPA_PEER_META_KEY);
		return BPA_E_PEERS_CORRUPT;
	}
	return hr;
}

int peer_sid_copy_parser(TDB_DATA key, TDB_DATA data, void *private_data)
{
	struct peer_sid_copy *s = private_data;

	if (data.dsize == 0 || data.dsize >= sizeof(s->buf)) {
		s->bad = true;
		return 0;
	}
	memcpy(s->buf, data.dptr, data.dsize);
	s->len = data.dsize;
	return 0;
}
