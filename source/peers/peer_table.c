/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The table of peer certificates on tdb: MS-BPAU 3.1.1.2, 3.1.3,
 * 3.1.4.1 <3> <4>, 3.1.6.1 (and the client's 3.2.1.2, 3.2.6.1).
 * See peer_table.h for the contract and peer_record.h for the format.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <tdb.h>
#include "util/bpa_debug.h"
#include "util/sid_string.h"
#include "peers/peer_table.h"
#include "peers/peer_record.h"

#define S_OK_HR BPA_S_OK

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif

struct bpa_peer_table {
	struct tdb_context *tdb;
	char *path;
	uint32_t max_peers;
	uint32_t evict_min_age;
	bool persistent;
	bool attach;
	bool read_only;
	void (*hook)(const char *where, void *private_data);
	void *hook_private;
};

static TDB_DATA str_key(const char *s, size_t len)
{
	return (TDB_DATA) { .dptr = (unsigned char *)s, .dsize = len };
}

static const TDB_DATA meta_key = {
	.dptr = (unsigned char *)BPA_PEER_META_KEY,
	.dsize = sizeof(BPA_PEER_META_KEY) - 1,
};

/* tdb's own messages go to our debug class */
static void peer_tdb_log(struct tdb_context *tdb,
			 enum tdb_debug_level level,
			 const char *fmt, ...) PRINTF_ATTRIBUTE(3, 4);

static void peer_tdb_log(struct tdb_context *tdb,
			 enum tdb_debug_level level,
			 const char *fmt, ...)
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

void bpa_peer_table_params_init(struct bpa_peer_table_params *p)
{
	*p = (struct bpa_peer_table_params) {
		.max_peers = BPA_PEER_TABLE_DEFAULT_MAX_PEERS,
		.evict_min_age = BPA_PEER_TABLE_DEFAULT_EVICT_MIN_AGE,
	};
}

uint32_t bpa_peer_table_max_peers(const struct bpa_peer_table *t)
{
	return t->max_peers;
}

void bpa_peer_table_set_test_hook(struct bpa_peer_table *t,
				  void (*hook)(const char *where,
					       void *private_data),
				  void *private_data)
{
	t->hook = hook;
	t->hook_private = private_data;
}

static void run_hook(struct bpa_peer_table *t, const char *where)
{
	if (t->hook != NULL) {
		t->hook(where, t->hook_private);
	}
}

static int peer_table_destructor(struct bpa_peer_table *t)
{
	if (t->tdb != NULL) {
		tdb_close(t->tdb);
		t->tdb = NULL;
	}
	return 0;
}

/* Two keys per peer plus the meta record, load factor about 1 */
static int peer_table_hash_size(uint32_t max_peers)
{
	uint64_t n = 2 * (uint64_t)max_peers + 1;

	if (n < 131) {
		n = 131;
	}
	if (n > 16777213) {
		n = 16777213;
	}
	return (int)n;
}

/*
 * Fetch @key into a talloc copy.
 * S_OK, BPA_E_PEER_NOT_FOUND, HRES_E_OUTOFMEMORY or HRES_E_FAIL.
 */
static HRESULT peer_fetch(TALLOC_CTX *mem_ctx, struct bpa_peer_table *t,
			  TDB_DATA key, DATA_BLOB *out)
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
	return S_OK_HR;
}

static HRESULT peer_store(struct bpa_peer_table *t, TDB_DATA key,
			  TDB_DATA data)
{
	int rc = tdb_store(t->tdb, key, data, TDB_REPLACE);

	if (rc != 0) {
		DBG_ERR("peer table %s: store %.*s: %s\n", t->path,
			(int)key.dsize, (const char *)key.dptr,
			tdb_errorstr(t->tdb));
		return HRES_E_FAIL;
	}
	return S_OK_HR;
}

static HRESULT peer_delete(struct bpa_peer_table *t, TDB_DATA key)
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
	return S_OK_HR;
}

static int first_record_fn(struct tdb_context *tdb, TDB_DATA key,
			   TDB_DATA data, void *private_data)
{
	return 1;	/* one is enough */
}

/*
 * Is the "BPA/TABLE" record there and ours?  *missing is set when the
 * file holds no record at all (a new or just cleared table).
 */
static HRESULT peer_check_meta(struct bpa_peer_table *t,
			       struct tdb_context *tdb, bool *missing,
			       uint32_t *count)
{
	TDB_DATA d = tdb_fetch(tdb, meta_key);
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
			return BPA_E_PEERS_FOREIGN;
		}
		*missing = true;
		return S_OK_HR;
	}
	hr = bpa_peer_meta_pull(d.dptr, d.dsize, &version, count);
	free(d.dptr);
	if (HRES_IS_EQUAL(hr, BPA_E_PEERS_VERSION)) {
		DBG_ERR("peer table %s: record format version %" PRIu32
			", this build reads %d: BPA_E_PEERS_VERSION, file left "
			"as it is\n", t->path, version,
			BPA_PEER_TABLE_VERSION);
	} else if (!HRES_IS_OK(hr)) {
		DBG_ERR("peer table %s: bad %s record: BPA_E_PEERS_FOREIGN, "
			"file left as it is\n", t->path, BPA_PEER_META_KEY);
	}
	return hr;
}

/*
 * Before an open that may clear the file (TDB_CLEAR_IF_FIRST), make sure
 * the file is a peer table of ours: never wipe someone else's file.  A
 * missing or empty file is fine.  Also run for every open so that a file
 * which is not a tdb at all gets a precise error.
 */
static HRESULT peer_table_probe(struct bpa_peer_table *t, bool deep)
{
	static const char tdb_magic[] = "TDB file\n";
	struct tdb_logging_context log_ctx = {
		.log_fn = peer_tdb_log, .log_private = t->path,
	};
	struct tdb_context *tdb = NULL;
	char head[16];
	struct stat st;
	bool missing = false;
	uint32_t count = 0;
	ssize_t n;
	int fd = -1;
	int rc;
	int c = 1;
	HRESULT hr = S_OK_HR;

	fd = open(t->path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENOENT) {
			if (t->attach) {
				DBG_ERR("peer table %s does not exist: "
					"BPA_E_PEERS_NO_TABLE\n", t->path);
				return BPA_E_PEERS_NO_TABLE;
			}
			return S_OK_HR;
		}
		DBG_ERR("peer table %s: open: %s\n", t->path,
			strerror(errno));
		return HRES_E_FAIL;
	}
	rc = fstat(fd, &st);
	if (rc != 0) {
		DBG_ERR("peer table %s: fstat: %s\n", t->path,
			strerror(errno));
		hr = HRES_E_FAIL;
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		DBG_ERR("peer table %s is not a regular file: "
			"BPA_E_PEERS_FOREIGN\n", t->path);
		hr = BPA_E_PEERS_FOREIGN;
		goto done;
	}
	if (st.st_size == 0) {
		if (t->attach) {
			DBG_ERR("peer table %s is empty (no tdb header): "
				"BPA_E_PEERS_FOREIGN\n", t->path);
			hr = BPA_E_PEERS_FOREIGN;
		}
		goto done;
	}
	n = read(fd, head, sizeof(head));
	if (n >= (ssize_t)(sizeof(tdb_magic) - 1)) {
		c = memcmp(head, tdb_magic, sizeof(tdb_magic) - 1);
	}
	if (c != 0) {
		DBG_ERR("peer table %s is not a tdb file (bad magic): "
			"BPA_E_PEERS_FOREIGN, file left as it is\n", t->path);
		hr = BPA_E_PEERS_FOREIGN;
		goto done;
	}
	close(fd);
	fd = -1;
	if (!deep) {
		goto done;
	}
	/* O_RDWR so that tdb can run a pending transaction recovery */
	tdb = tdb_open_ex(t->path, 0, TDB_DEFAULT, O_RDWR, 0, &log_ctx, NULL);
	if (tdb == NULL) {
		DBG_ERR("peer table %s: cannot open as tdb (%s): "
			"BPA_E_PEERS_FOREIGN, file left as it is\n", t->path,
			strerror(errno));
		hr = BPA_E_PEERS_FOREIGN;
		goto done;
	}
	hr = peer_check_meta(t, tdb, &missing, &count);
	tdb_close(tdb);
done:
	if (fd != -1) {
		close(fd);
	}
	return hr;
}

static HRESULT tx_start(struct bpa_peer_table *t)
{
	int rc = tdb_transaction_start(t->tdb);

	if (rc != 0) {
		DBG_ERR("peer table %s: transaction start: %s\n", t->path,
			tdb_errorstr(t->tdb));
		return HRES_E_FAIL;
	}
	return S_OK_HR;
}

static void tx_cancel(struct bpa_peer_table *t)
{
	int rc = tdb_transaction_cancel(t->tdb);

	if (rc != 0) {
		DBG_ERR("peer table %s: transaction cancel: %s\n", t->path,
			tdb_errorstr(t->tdb));
	}
}

/* Commit; on failure tdb has cancelled the transaction */
static HRESULT tx_commit(struct bpa_peer_table *t)
{
	int rc;

	run_hook(t, "in_transaction");
	rc = tdb_transaction_prepare_commit(t->tdb);
	if (rc != 0) {
		DBG_ERR("peer table %s: prepare commit: %s\n", t->path,
			tdb_errorstr(t->tdb));
		tx_cancel(t);
		return HRES_E_FAIL;
	}
	run_hook(t, "prepared");
	rc = tdb_transaction_commit(t->tdb);
	if (rc != 0) {
		DBG_ERR("peer table %s: commit: %s\n", t->path,
			tdb_errorstr(t->tdb));
		return HRES_E_FAIL;
	}
	run_hook(t, "committed");
	return S_OK_HR;
}

static HRESULT meta_store(struct bpa_peer_table *t, uint32_t count)
{
	uint8_t buf[BPA_PEER_META_LEN];

	bpa_peer_meta_push(buf, count);
	return peer_store(t, meta_key,
			  (TDB_DATA) { .dptr = buf, .dsize = sizeof(buf) });
}

/* Write the "BPA/TABLE" record of an empty table, unless someone did */
static HRESULT peer_table_init_meta(struct bpa_peer_table *t)
{
	bool missing = false;
	uint32_t count = 0;
	HRESULT hr;

	hr = tx_start(t);
	if (!HRES_IS_OK(hr)) {
		return hr;
	}
	hr = peer_check_meta(t, t->tdb, &missing, &count);
	if (!HRES_IS_OK(hr) || !missing) {
		tx_cancel(t);
		return hr;
	}
	hr = meta_store(t, 0);
	if (!HRES_IS_OK(hr)) {
		tx_cancel(t);
		return hr;
	}
	return tx_commit(t);
}

HRESULT bpa_peer_table_open(TALLOC_CTX *mem_ctx,
			    const struct bpa_peer_table_params *p,
			    struct bpa_peer_table **pt)
{
	struct bpa_peer_table *t = NULL;
	struct tdb_logging_context log_ctx = { .log_fn = peer_tdb_log };
	int tdb_flags = TDB_DEFAULT;
	int open_flags = O_RDWR | O_CREAT;
	int hash_size = 0;
	bool missing = false;
	uint32_t count = 0;
	HRESULT hr = S_OK_HR;

	*pt = NULL;
	if (p == NULL || p->path == NULL || p->path[0] == '\0' ||
	    (p->read_only && !p->attach)) {
		DBG_ERR("invalid peer table parameters\n");
		return HRES_E_INVALIDARG;
	}
	t = talloc_zero(mem_ctx, struct bpa_peer_table);
	if (t == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	t->path = talloc_strdup(t, p->path);
	if (t->path == NULL) {
		hr = HRES_E_OUTOFMEMORY;
		goto done;
	}
	t->max_peers = p->max_peers;
	if (t->max_peers == 0) {
		t->max_peers = BPA_PEER_TABLE_DEFAULT_MAX_PEERS;
	}
	t->evict_min_age = p->evict_min_age;
	t->persistent = p->persistent;
	t->attach = p->attach;
	t->read_only = p->read_only;
	talloc_set_destructor(t, peer_table_destructor);

	/* A clearing open must only ever clear a table of ours */
	hr = peer_table_probe(t, !t->attach && !t->persistent);
	if (!HRES_IS_OK(hr)) {
		goto done;
	}

	if (t->attach) {
		open_flags = t->read_only ? O_RDONLY : O_RDWR;
	} else {
		hash_size = peer_table_hash_size(t->max_peers);
		tdb_flags |= TDB_INCOMPATIBLE_HASH;
		if (!t->persistent) {
			/* MS-BPAU 3.1.3: empty at initialization */
			tdb_flags |= TDB_CLEAR_IF_FIRST | TDB_NOSYNC;
		}
	}
	log_ctx.log_private = t->path;
	t->tdb = tdb_open_ex(t->path, hash_size, tdb_flags, open_flags, 0600,
			     &log_ctx, NULL);
	if (t->tdb == NULL) {
		int err = errno;

		DBG_ERR("peer table %s: tdb_open: %s\n", t->path,
			strerror(err));
		if (err == ENOENT) {
			hr = BPA_E_PEERS_NO_TABLE;
		} else if (err == EIO || err == EINVAL || err == EPROTO) {
			/* the probe saw a tdb header: a damaged tdb */
			DBG_ERR("peer table %s: damaged tdb: "
				"BPA_E_PEERS_CORRUPT, file left as it is\n",
				t->path);
			hr = BPA_E_PEERS_CORRUPT;
		} else {
			hr = HRES_E_FAIL;
		}
		goto done;
	}

	hr = peer_check_meta(t, t->tdb, &missing, &count);
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	if (missing && !t->read_only) {
		hr = peer_table_init_meta(t);
		if (!HRES_IS_OK(hr)) {
			goto done;
		}
	}
	if (t->persistent && !t->attach) {
		hr = bpa_peer_table_check(t);
		if (!HRES_IS_OK(hr)) {
			DBG_ERR("peer table %s fails its consistency check: "
				"BPA_E_PEERS_CORRUPT, file left as it is\n",
				t->path);
			goto done;
		}
	}
	DBG_INFO("peer table %s open (%s, max %" PRIu32 " peers, "
		 "evict after %" PRIu32 " s)\n", t->path,
		 t->attach ? "attached" :
		 (t->persistent ? "persistent" : "cleared at start-up"),
		 t->max_peers, t->evict_min_age);
	*pt = t;
	t = NULL;
done:
	TALLOC_FREE(t);
	return hr;
}

HRESULT bpa_peer_table_reopen(struct bpa_peer_table *t)
{
	int rc;

	if (t == NULL || t->tdb == NULL) {
		return HRES_E_FAIL;
	}
	rc = tdb_reopen(t->tdb);
	if (rc != 0) {
		/* tdb_reopen() frees the context on failure */
		t->tdb = NULL;
		DBG_ERR("peer table %s: tdb_reopen failed: %s\n", t->path,
			strerror(errno));
		return HRES_E_FAIL;
	}
	return S_OK_HR;
}

static HRESULT peer_table_usable(struct bpa_peer_table *t, bool write)
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
	return S_OK_HR;
}

static HRESULT meta_read(struct bpa_peer_table *t, uint32_t *count)
{
	bool missing = false;
	HRESULT hr = peer_check_meta(t, t->tdb, &missing, count);

	if (HRES_IS_OK(hr) && missing && !t->read_only) {
		/* only a read-only opener may see a just-cleared table */
		DBG_ERR("peer table %s: %s record vanished: "
			"BPA_E_PEERS_CORRUPT\n", t->path, BPA_PEER_META_KEY);
		return BPA_E_PEERS_CORRUPT;
	}
	return hr;
}

static HRESULT peer_validate(const struct bpa_peer *peer,
			     char sid_key[BPA_PEER_SID_KEY_MAX],
			     size_t *sid_klen)
{
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
			    "HRES_E_INVALIDARG\n", sid_key + 4,
			    peer->cert_der.length);
		return HRES_E_INVALIDARG;
	}
	if (peer->properties.length > BPA_PEER_TABLE_MAX_BLOB ||
	    (peer->properties.length > 0 && peer->properties.data == NULL)) {
		DBG_WARNING("add %s: properties of %zu bytes: "
			    "HRES_E_INVALIDARG\n", sid_key + 4,
			    peer->properties.length);
		return HRES_E_INVALIDARG;
	}
	if (peer->address != NULL) {
		addr_len = strnlen(peer->address, BPA_PEER_MAX_ADDRESS + 1);
	}
	if (addr_len > BPA_PEER_MAX_ADDRESS) {
		DBG_WARNING("add %s: address too long: HRES_E_INVALIDARG\n",
			    sid_key + 4);
		return HRES_E_INVALIDARG;
	}
	return S_OK_HR;
}

/* Finding the row with the oldest insertion time (MS-BPAU <3>) */
struct oldest_state {
	TALLOC_CTX *mem_ctx;
	bool found;
	bool corrupt;
	int64_t inserted;
	DATA_BLOB key;
};

static bool is_sid_key(TDB_DATA key)
{
	size_t plen = sizeof(BPA_PEER_SID_PREFIX) - 1;

	return key.dsize > plen &&
	       memcmp(key.dptr, BPA_PEER_SID_PREFIX, plen) == 0;
}

static bool is_cert_key(TDB_DATA key)
{
	size_t plen = sizeof(BPA_PEER_CERT_PREFIX) - 1;

	return key.dsize > plen &&
	       memcmp(key.dptr, BPA_PEER_CERT_PREFIX, plen) == 0;
}

static int oldest_fn(struct tdb_context *tdb, TDB_DATA key, TDB_DATA data,
		     void *private_data)
{
	struct oldest_state *st = private_data;
	struct bpa_peer_record_view v;
	bool older = false;
	bool ok;

	ok = is_sid_key(key);
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

/* Remove the "cert/" entry of @hash if it names @sid_str */
static HRESULT drop_cert_index(TALLOC_CTX *mem_ctx, struct bpa_peer_table *t,
			       const uint8_t *hash, const char *sid_str,
			       size_t sid_len)
{
	char cert_key[BPA_PEER_CERT_KEY_MAX];
	size_t klen = bpa_peer_cert_key(hash, cert_key);
	DATA_BLOB owner = data_blob_null;
	int c;
	HRESULT hr;

	hr = peer_fetch(mem_ctx, t, str_key(cert_key, klen), &owner);
	if (HRES_IS_EQUAL(hr, BPA_E_PEER_NOT_FOUND)) {
		DBG_WARNING("peer table %s: %s had no index entry\n",
			    t->path, sid_str);
		return S_OK_HR;
	}
	if (!HRES_IS_OK(hr)) {
		return hr;
	}
	c = 1;
	if (owner.length == sid_len) {
		c = memcmp(owner.data, sid_str, sid_len);
	}
	if (c != 0) {
		DBG_WARNING("peer table %s: index of %s names another SID\n",
			    t->path, sid_str);
		return S_OK_HR;
	}
	return peer_delete(t, str_key(cert_key, klen));
}

/* Delete a "sid/" row and its index entry; inside a transaction */
static HRESULT drop_row(TALLOC_CTX *mem_ctx, struct bpa_peer_table *t,
			TDB_DATA sid_key)
{
	struct bpa_peer_record_view v;
	DATA_BLOB rec = data_blob_null;
	size_t plen = sizeof(BPA_PEER_SID_PREFIX) - 1;
	bool ok;
	HRESULT hr;

	hr = peer_fetch(mem_ctx, t, sid_key, &rec);
	if (!HRES_IS_OK(hr)) {
		return hr;
	}
	ok = bpa_peer_record_view(rec.data, rec.length, &v);
	if (!ok) {
		DBG_ERR("peer table %s: row %.*s does not decode: "
			"BPA_E_PEERS_CORRUPT\n", t->path,
			(int)sid_key.dsize, (const char *)sid_key.dptr);
		return BPA_E_PEERS_CORRUPT;
	}
	hr = drop_cert_index(mem_ctx, t, v.hash,
			     (const char *)sid_key.dptr + plen,
			     sid_key.dsize - plen);
	if (!HRES_IS_OK(hr)) {
		return hr;
	}
	return peer_delete(t, sid_key);
}

/* MS-BPAU 3.1.4.1 <3>: evict the oldest row if old enough */
static HRESULT evict_oldest(TALLOC_CTX *mem_ctx, struct bpa_peer_table *t,
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
 * One add inside the caller's transaction (MS-BPAU 3.1.4.1 <3> <4>);
 * *count is the table's row count, kept up to date here.
 */
static HRESULT peer_add_in_tx(TALLOC_CTX *mem_ctx, struct bpa_peer_table *t,
			      const struct bpa_peer *peer, time_t now,
			      uint32_t *count)
{
	TALLOC_CTX *frame = talloc_new(mem_ctx);
	char sid_key[BPA_PEER_SID_KEY_MAX];
	char cert_key[BPA_PEER_CERT_KEY_MAX];
	const char *sid_str = NULL;
	size_t sid_klen = 0, sid_len = 0, cert_klen = 0;
	size_t plen = sizeof(BPA_PEER_SID_PREFIX) - 1;
	uint8_t hash[32];
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
	hr = peer_fetch(frame, t, str_key(cert_key, cert_klen), &owner);
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
			    cert_key + 5, (int)owner.length,
			    (const char *)owner.data, sid_str);
		hr = BPA_E_PEER_CERT_IN_USE;
		goto done;
	}
	if (!HRES_IS_OK(hr) && !HRES_IS_EQUAL(hr, BPA_E_PEER_NOT_FOUND)) {
		goto done;
	}

	hr = peer_fetch(frame, t, str_key(sid_key, sid_klen), &old);
	if (HRES_IS_OK(hr)) {
		/* MS-BPAU <3> <4>: delete the prior row, insert the new */
		ok = bpa_peer_record_view(old.data, old.length, &v);
		if (!ok) {
			DBG_ERR("peer table %s: row %s does not decode: "
				"BPA_E_PEERS_CORRUPT\n", t->path, sid_str);
			hr = BPA_E_PEERS_CORRUPT;
			goto done;
		}
		c = memcmp(v.hash, hash, 32);
		if (c != 0) {
			hr = drop_cert_index(frame, t, v.hash, sid_str,
					     sid_len);
			if (!HRES_IS_OK(hr)) {
				goto done;
			}
		}
		DBG_INFO("peer table %s: replacing the certificate of %s\n",
			 t->path, sid_str);
	} else if (HRES_IS_EQUAL(hr, BPA_E_PEER_NOT_FOUND)) {
		/* a new principal: make room (MS-BPAU <3>) */
		while (*count >= t->max_peers) {
			hr = evict_oldest(frame, t, now);
			if (!HRES_IS_OK(hr)) {
				goto done;
			}
			*count -= 1;
		}
		*count += 1;
		hr = meta_store(t, *count);
		if (!HRES_IS_OK(hr)) {
			goto done;
		}
		DBG_INFO("peer table %s: adding %s (%" PRIu32 " peers)\n",
			 t->path, sid_str, *count);
	} else {
		goto done;
	}

	hr = peer_store(t, str_key(sid_key, sid_klen),
			(TDB_DATA) { .dptr = rec.data, .dsize = rec.length });
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	hr = peer_store(t, str_key(cert_key, cert_klen),
			str_key(sid_str, sid_len));
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
				 size_t n, time_t now, size_t *failed)
{
	TALLOC_CTX *frame = NULL;
	uint32_t count = 0;
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
	hr = tx_start(t);
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	in_tx = true;
	hr = meta_read(t, &count);
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	for (i = 0; i < n; i++) {
		hr = peer_add_in_tx(frame, t, &peers[i], now, &count);
		if (!HRES_IS_OK(hr)) {
			goto done;
		}
	}
	in_tx = false;
	hr = tx_commit(t);
done:
	if (in_tx) {
		tx_cancel(t);
	}
	if (failed != NULL) {
		*failed = HRES_IS_OK(hr) ? n : i;
	}
	TALLOC_FREE(frame);
	return hr;
}

/* tdb_parse_record() parsers for the lookup path: no allocation */
struct sid_copy {
	char buf[BPA_SID_STRING_MAX];
	size_t len;
	bool bad;
};

static int sid_copy_parser(TDB_DATA key, TDB_DATA data, void *private_data)
{
	struct sid_copy *s = private_data;

	if (data.dsize == 0 || data.dsize >= sizeof(s->buf)) {
		s->bad = true;
		return 0;
	}
	memcpy(s->buf, data.dptr, data.dsize);
	s->len = data.dsize;
	return 0;
}

struct cert_match {
	const DATA_BLOB *cert;
	const uint8_t *hash;
	bool match;
	bool bad;
};

static int cert_match_parser(TDB_DATA key, TDB_DATA data,
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
	m->match = memcmp(v.hash, m->hash, 32) == 0 &&
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
	struct sid_copy s = { .len = 0 };
	struct cert_match m = { .cert = cert_der };
	struct dom_sid sid;
	uint8_t hash[32];
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
	rc = tdb_parse_record(t->tdb, str_key(cert_key, klen),
			      sid_copy_parser, &s);
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
	rc = tdb_parse_record(t->tdb, str_key(sid_key, klen),
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
	bool ok;
	HRESULT hr;

	*ppeer = NULL;
	if (frame == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	hr = peer_table_usable(t, false);
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	klen = (sid != NULL) ? bpa_peer_sid_key(sid, sid_key) : 0;
	if (klen == 0) {
		hr = HRES_E_INVALIDARG;
		goto done;
	}
	hr = peer_fetch(frame, t, str_key(sid_key, klen), &rec);
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	ok = bpa_peer_record_view(rec.data, rec.length, &v);
	if (!ok) {
		DBG_ERR("peer table %s: row %s does not decode: "
			"BPA_E_PEERS_CORRUPT\n", t->path, sid_key);
		hr = BPA_E_PEERS_CORRUPT;
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
	hr = peer_table_usable(t, true);
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	klen = (sid != NULL) ? bpa_peer_sid_key(sid, sid_key) : 0;
	if (klen == 0) {
		hr = HRES_E_INVALIDARG;
		goto done;
	}
	hr = tx_start(t);
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	in_tx = true;
	hr = meta_read(t, &count);
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	hr = drop_row(frame, t, str_key(sid_key, klen));
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	if (count == 0) {
		DBG_ERR("peer table %s: count 0 with a row in it: "
			"BPA_E_PEERS_CORRUPT\n", t->path);
		hr = BPA_E_PEERS_CORRUPT;
		goto done;
	}
	hr = meta_store(t, count - 1);
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	in_tx = false;
	hr = tx_commit(t);
	if (HRES_IS_OK(hr)) {
		DBG_NOTICE("peer table %s: removed %s\n", t->path,
			   sid_key + 4);
	}
done:
	if (in_tx) {
		tx_cancel(t);
	}
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
	return meta_read(t, count);
}

struct traverse_state {
	struct bpa_peer_table *t;
	bpa_peer_table_traverse_fn fn;
	void *private_data;
	uint32_t count;
	HRESULT hr;
};

static int traverse_fn(struct tdb_context *tdb, TDB_DATA key, TDB_DATA data,
		       void *private_data)
{
	struct traverse_state *st = private_data;
	struct bpa_peer_record_view v;
	struct bpa_peer *peer = NULL;
	struct dom_sid sid;
	size_t plen = sizeof(BPA_PEER_SID_PREFIX) - 1;
	bool ok;
	int ret;

	ok = is_sid_key(key);
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
		.hr = S_OK_HR,
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

/* bpa_peer_table_check(): called by tdb_check() for every record */
struct check_state {
	struct bpa_peer_table *t;
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
	size_t plen = sizeof(BPA_PEER_SID_PREFIX) - 1;
	char cert_key[BPA_PEER_CERT_KEY_MAX];
	struct bpa_peer_record_view v;
	struct sid_copy s = { .len = 0 };
	struct dom_sid sid;
	uint8_t hash[32];
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
		ok = (memcmp(hash, v.hash, 32) == 0);
	}
	if (!ok) {
		DBG_ERR("check %s: row %.*s: SHA-256 does not match its "
			"certificate\n", st->t->path, (int)key.dsize,
			(const char *)key.dptr);
		st->bad = true;
		return;
	}
	klen = bpa_peer_cert_key(v.hash, cert_key);
	rc = tdb_parse_record(st->t->tdb, str_key(cert_key, klen),
			      sid_copy_parser, &s);
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
	size_t plen = sizeof(BPA_PEER_CERT_PREFIX) - 1;
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
	rec = tdb_fetch(st->t->tdb, str_key(sid_key, klen));
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
	bool is_sid = is_sid_key(key);
	bool is_cert = is_cert_key(key);

	if (key.dsize == meta_key.dsize) {
		is_meta = (memcmp(key.dptr, meta_key.dptr, key.dsize) == 0);
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

HRESULT bpa_peer_table_check(struct bpa_peer_table *t)
{
	struct check_state st = { .t = t };
	HRESULT hr = peer_table_usable(t, false);
	int rc;

	if (!HRES_IS_OK(hr)) {
		return hr;
	}
	rc = tdb_check(t->tdb, check_fn, &st);
	if (rc != 0) {
		DBG_ERR("check %s: tdb_check failed: %s\n", t->path,
			tdb_errorstr(t->tdb));
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
	return S_OK_HR;
}
