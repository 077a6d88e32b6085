/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The administrator's revocation list (seed ocsp-revocation-provider,
 * our "local" provider): storage.  See rev_local.h for the format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <tdb.h>
#include <tevent.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "ocsp/ocsp_client.h"
#include "revocation/rev_local.h"

#define REV_MAGIC "BPAREVOK"
#define REV_META "BPA/REVOKED"
#define REV_PREFIX "rev/"
#define REV_MAX_CERT (1024 * 1024)
#define REV_MAX_SID 256

bool bpa_rev_cert_hash(const DATA_BLOB *der, uint8_t hash[32])
{
	return gnutls_hash_fast(GNUTLS_DIG_SHA256, der->data, der->length,
				hash) == 0;
}

static void hash_key(const uint8_t hash[32], char key[4 + 64 + 1])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	memcpy(key, REV_PREFIX, 4);
	for (i = 0; i < 32; i++) {
		key[4 + 2 * i] = hex[hash[i] >> 4];
		key[4 + 2 * i + 1] = hex[hash[i] & 0xf];
	}
	key[4 + 64] = '\0';
}

static TDB_DATA key_of(const char *s)
{
	return (TDB_DATA) { .dptr = (uint8_t *)s, .dsize = strlen(s) };
}

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static uint32_t get_u32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/*
 * The list as the last lookup of this process opened it (issue 15: a
 * check then costs one stat(2) of the path, not an open).  The handle
 * is read-only and kept while the path still names the file it was
 * opened on, unchanged: the device, inode, size and ctime of stat(2)
 * equal those of fstat(2) on the handle when it was opened.  Changes
 * made in place through tdb (another process's "peers revoke") are seen
 * through the kept handle anyway, as for any shared tdb; a file put in
 * its place, removed or grown is opened again.  Never used across fork
 * (pid), and dropped before every other open of a list in this process
 * (tdb refuses a second open of one file in a process).
 */
static struct {
	char *path;
	struct tdb_context *tdb;
	pid_t pid;
	struct stat st;
} rev_kept;

static void kept_drop(void)
{
	/* one inherited over fork is the child's to close too: its
	 * mapping and descriptor are the child's copies, no lock is held */
	if (rev_kept.tdb != NULL) {
		tdb_close(rev_kept.tdb);
		rev_kept.tdb = NULL;
	}
	free(rev_kept.path);
	rev_kept.path = NULL;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static struct tdb_context *list_open(const char *path,
				     bool write,
				     HRESULT *hr);

/* The read-only list for a lookup: NULL with *@hr as list_open */
static struct tdb_context *kept_open(const char *path, HRESULT *hr)
{
	struct tdb_context *tdb = NULL;
	struct stat st;

	if (path == NULL) {
		*hr = HRES_E_INVALIDARG;
		return NULL;
	}
	if (stat(path, &st) != 0) {
		int err = errno;

		kept_drop();
		if (err == ENOENT) {
			/* a missing file lists nothing */
			*hr = BPA_S_OK;
			return NULL;
		}
		/* not kept: list_open says what is wrong */
		return list_open(path, false, hr);
	}
	if (rev_kept.tdb != NULL && rev_kept.pid == tevent_cached_getpid() &&
	    strcmp(rev_kept.path, path) == 0 &&
	    same_file(&st, &rev_kept.st)) {
		*hr = BPA_S_OK;
		return rev_kept.tdb;
	}
	kept_drop();
	tdb = list_open(path, false, hr);
	if (tdb == NULL) {
		return NULL;
	}
	rev_kept.path = strdup(path);
	if (rev_kept.path == NULL ||
	    fstat(tdb_fd(tdb), &rev_kept.st) != 0) {
		/* not kept: this lookup only */
		free(rev_kept.path);
		rev_kept.path = NULL;
		*hr = BPA_S_OK;
		return tdb;
	}
	rev_kept.tdb = tdb;
	rev_kept.pid = tevent_cached_getpid();
	return tdb;
}

/* Close @tdb unless it is the kept handle */
static void kept_close(struct tdb_context *tdb)
{
	if (tdb != NULL && tdb != rev_kept.tdb) {
		tdb_close(tdb);
	}
}

/* Open @path; @write creates it.  NULL with *@hr set on failure (a
 * missing file read-only: NULL and S_OK). */
static struct tdb_context *list_open(const char *path,
				     bool write,
				     HRESULT *hr)
{
	struct tdb_context *tdb = NULL;
	TDB_DATA meta;
	uint8_t buf[12];

	*hr = HRES_E_FAIL;
	if (path == NULL) {
		*hr = HRES_E_INVALIDARG;
		return NULL;
	}
	kept_drop();
	tdb = tdb_open(path, 0, TDB_DEFAULT,
		       write ? O_RDWR | O_CREAT : O_RDONLY, 0600);
	if (tdb == NULL) {
		if (!write && errno == ENOENT) {
			*hr = BPA_S_OK;
			return NULL;
		}
		DBG_ERR("revocation list %s: cannot open: %s\n", path,
			strerror(errno));
		return NULL;
	}
	meta = tdb_fetch(tdb, key_of(REV_META));
	if (meta.dptr == NULL) {
		/* a new file: ours when empty */
		if (write && tdb_traverse_read(tdb, NULL, NULL) == 0) {
			memcpy(buf, REV_MAGIC, 8);
			put_u32(buf + 8, BPA_REV_LOCAL_VERSION);
			if (tdb_store(tdb, key_of(REV_META),
				      (TDB_DATA) { buf, sizeof(buf) },
				      TDB_INSERT) == 0) {
				*hr = BPA_S_OK;
				return tdb;
			}
		} else if (!write && tdb_traverse_read(tdb, NULL, NULL) == 0) {
			*hr = BPA_S_OK;
			return tdb;
		}
		DBG_ERR("%s is not a bitspeerauth revocation list\n", path);
		tdb_close(tdb);
		*hr = HRES_CRYPT_E_FILE_ERROR;
		return NULL;
	}
	if (meta.dsize != 12 || memcmp(meta.dptr, REV_MAGIC, 8) != 0 ||
	    get_u32(meta.dptr + 8) != BPA_REV_LOCAL_VERSION) {
		DBG_ERR("%s is not a bitspeerauth revocation list of version "
			"%d\n", path, BPA_REV_LOCAL_VERSION);
		free(meta.dptr);
		tdb_close(tdb);
		*hr = HRES_CRYPT_E_FILE_ERROR;
		return NULL;
	}
	free(meta.dptr);
	*hr = BPA_S_OK;
	return tdb;
}

/* Decode one entry record onto @mem_ctx */
static bool entry_pull(TALLOC_CTX *mem_ctx,
		       const TDB_DATA *d,
		       struct bpa_rev_entry *e)
{
	const uint8_t *p = d->dptr;
	size_t len = d->dsize, sid_len, cert_len;
	uint64_t t;

	if (len < 4 + 4 + 8 + 2 || get_u32(p) != BPA_REV_LOCAL_VERSION) {
		return false;
	}
	e->reason = get_u32(p + 4);
	t = get_u32(p + 8) | (uint64_t)get_u32(p + 12) << 32;
	e->revoked_at = (time_t)t;
	sid_len = p[16] | (size_t)p[17] << 8;
	if (sid_len > REV_MAX_SID || len < 18 + sid_len + 4) {
		return false;
	}
	e->sid = talloc_strndup(mem_ctx, (const char *)p + 18, sid_len);
	cert_len = get_u32(p + 18 + sid_len);
	if (cert_len == 0 || cert_len != len - (18 + sid_len + 4) ||
	    e->sid == NULL) {
		return false;
	}
	e->cert_der = data_blob_talloc(mem_ctx, p + 22 + sid_len, cert_len);
	if (e->cert_der.data == NULL) {
		return false;
	}
	return bpa_rev_cert_hash(&e->cert_der, e->cert_hash);
}

/* The subject CN of @der, or "" */
static char *subject_cn(TALLOC_CTX *mem_ctx, const DATA_BLOB *der)
{
	gnutls_x509_crt_t c = NULL;
	gnutls_datum_t d = { der->data, der->length };
	char buf[REV_MAX_SID];
	size_t sz = sizeof(buf);
	char *cn = NULL;

	if (gnutls_x509_crt_init(&c) < 0) {
		return NULL;
	}
	if (gnutls_x509_crt_import(c, &d, GNUTLS_X509_FMT_DER) == 0 &&
	    gnutls_x509_crt_get_dn_by_oid(c, GNUTLS_OID_X520_COMMON_NAME, 0,
					  0, buf, &sz) == 0) {
		cn = talloc_strndup(mem_ctx, buf, sz);
	} else {
		cn = talloc_strdup(mem_ctx, "");
	}
	gnutls_x509_crt_deinit(c);
	return cn;
}

HRESULT bpa_rev_local_add(const char *path,
			  const DATA_BLOB *cert_der,
			  uint32_t reason,
			  const char *sid,
			  time_t now)
{
	TALLOC_CTX *frame = NULL;
	struct tdb_context *tdb = NULL;
	uint8_t hash[32];
	char key[4 + 64 + 1];
	uint8_t *rec = NULL;
	size_t sid_len, len;
	uint64_t t = (uint64_t)now;
	HRESULT hr = HRES_E_INVALIDARG;

	if (cert_der == NULL || cert_der->length == 0 ||
	    cert_der->length > REV_MAX_CERT ||
	    bpa_crl_reason_name(reason) == NULL) {
		return HRES_E_INVALIDARG;
	}
	frame = talloc_new(NULL);
	if (frame == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	if (sid == NULL) {
		sid = subject_cn(frame, cert_der);
		if (sid == NULL) {
			hr = HRES_E_OUTOFMEMORY;
			goto done;
		}
	}
	sid_len = strlen(sid);
	if (sid_len > REV_MAX_SID || !bpa_rev_cert_hash(cert_der, hash)) {
		goto done;
	}
	len = 22 + sid_len + cert_der->length;
	rec = talloc_size(frame, len);
	if (rec == NULL) {
		hr = HRES_E_OUTOFMEMORY;
		goto done;
	}
	put_u32(rec, BPA_REV_LOCAL_VERSION);
	put_u32(rec + 4, reason);
	put_u32(rec + 8, (uint32_t)t);
	put_u32(rec + 12, (uint32_t)(t >> 32));
	rec[16] = sid_len & 0xff;
	rec[17] = sid_len >> 8;
	memcpy(rec + 18, sid, sid_len);
	put_u32(rec + 18 + sid_len, cert_der->length);
	memcpy(rec + 22 + sid_len, cert_der->data, cert_der->length);
	hash_key(hash, key);

	tdb = list_open(path, true, &hr);
	if (tdb == NULL) {
		goto done;
	}
	hr = HRES_E_FAIL;
	if (tdb_transaction_start(tdb) != 0) {
		goto done;
	}
	if (tdb_store(tdb, key_of(key), (TDB_DATA) { rec, len },
		      TDB_REPLACE) != 0) {
		tdb_transaction_cancel(tdb);
		goto done;
	}
	if (tdb_transaction_commit(tdb) != 0) {
		goto done;
	}
	hr = BPA_S_OK;
done:
	if (!HRES_IS_OK(hr) && tdb != NULL) {
		DBG_ERR("revocation list %s: %s\n", path,
			tdb_errorstr(tdb));
	}
	if (tdb != NULL) {
		tdb_close(tdb);
	}
	TALLOC_FREE(frame);
	return hr;
}

HRESULT bpa_rev_local_remove(const char *path, const uint8_t hash[32])
{
	struct tdb_context *tdb = NULL;
	char key[4 + 64 + 1];
	HRESULT hr;

	hash_key(hash, key);
	tdb = list_open(path, false, &hr);
	if (tdb == NULL) {
		return HRES_IS_OK(hr) ? HRES_CRYPT_E_NOT_FOUND : hr;
	}
	tdb_close(tdb);
	tdb = list_open(path, true, &hr);
	if (tdb == NULL) {
		return hr;
	}
	/* as an add: one transaction, synced at its commit */
	if (tdb_transaction_start(tdb) != 0) {
		hr = HRES_E_FAIL;
		goto done;
	}
	if (tdb_delete(tdb, key_of(key)) != 0) {
		hr = (tdb_error(tdb) == TDB_ERR_NOEXIST) ?
			HRES_CRYPT_E_NOT_FOUND : HRES_E_FAIL;
		tdb_transaction_cancel(tdb);
		goto done;
	}
	if (tdb_transaction_commit(tdb) != 0) {
		hr = HRES_E_FAIL;
	}
done:
	tdb_close(tdb);
	return hr;
}

struct list_state {
	TALLOC_CTX *mem_ctx;
	struct bpa_rev_entry *entries;
	size_t count;
	bool bad;
	const char *sid;	/* remove_sid: only these keys */
	char (*keys)[4 + 64 + 1];
};

static int list_fn(struct tdb_context *tdb,
		   TDB_DATA key,
		   TDB_DATA data,
		   void *private_data)
{
	struct list_state *st = private_data;
	struct bpa_rev_entry e = { .reason = 0 };
	struct bpa_rev_entry *n = NULL;

	if (key.dsize < 4 || memcmp(key.dptr, REV_PREFIX, 4) != 0) {
		return 0;
	}
	if (!entry_pull(st->mem_ctx, &data, &e)) {
		DBG_ERR("revocation list: a damaged entry\n");
		st->bad = true;
		return 0;
	}
	if (st->sid != NULL && strcmp(st->sid, e.sid) != 0) {
		TALLOC_FREE(e.sid);
		data_blob_free(&e.cert_der);
		return 0;
	}
	n = talloc_realloc(st->mem_ctx, st->entries, struct bpa_rev_entry,
			   st->count + 1);
	if (n == NULL) {
		st->bad = true;
		return -1;
	}
	n[st->count] = e;
	talloc_steal(n, e.sid);
	talloc_steal(n, e.cert_der.data);
	st->count++;
	st->entries = n;
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct bpa_rev_entry *x = a, *y = b;

	if (x->revoked_at != y->revoked_at) {
		return x->revoked_at < y->revoked_at ? -1 : 1;
	}
	return memcmp(x->cert_hash, y->cert_hash, 32);
}

HRESULT bpa_rev_local_list(TALLOC_CTX *mem_ctx,
			   const char *path,
			   struct bpa_rev_entry **pentries,
			   size_t *pcount)
{
	struct list_state st = { .mem_ctx = mem_ctx };
	struct tdb_context *tdb = NULL;
	HRESULT hr;

	*pentries = NULL;
	*pcount = 0;
	tdb = list_open(path, false, &hr);
	if (tdb == NULL) {
		return hr;
	}
	if (tdb_traverse_read(tdb, list_fn, &st) < 0 || st.bad) {
		tdb_close(tdb);
		TALLOC_FREE(st.entries);
		return HRES_E_FAIL;
	}
	tdb_close(tdb);
	if (st.count > 1) {
		qsort(st.entries, st.count, sizeof(st.entries[0]), entry_cmp);
	}
	*pentries = st.entries;
	*pcount = st.count;
	return BPA_S_OK;
}

HRESULT bpa_rev_local_remove_sid(const char *path,
				 const char *sid,
				 uint32_t *removed)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	struct list_state st = { .mem_ctx = frame, .sid = sid };
	struct tdb_context *tdb = NULL;
	size_t i;
	HRESULT hr;

	*removed = 0;
	if (frame == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	tdb = list_open(path, false, &hr);
	if (tdb == NULL) {
		TALLOC_FREE(frame);
		return HRES_IS_OK(hr) ? HRES_CRYPT_E_NOT_FOUND : hr;
	}
	tdb_close(tdb);
	tdb = list_open(path, true, &hr);
	if (tdb == NULL) {
		TALLOC_FREE(frame);
		return hr;
	}
	hr = HRES_E_FAIL;
	if (tdb_transaction_start(tdb) != 0) {
		goto done;
	}
	if (tdb_traverse_read(tdb, list_fn, &st) < 0 || st.bad) {
		tdb_transaction_cancel(tdb);
		goto done;
	}
	for (i = 0; i < st.count; i++) {
		char key[4 + 64 + 1];

		hash_key(st.entries[i].cert_hash, key);
		if (tdb_delete(tdb, key_of(key)) != 0) {
			tdb_transaction_cancel(tdb);
			goto done;
		}
	}
	if (tdb_transaction_commit(tdb) != 0) {
		goto done;
	}
	*removed = st.count;
	hr = st.count > 0 ? BPA_S_OK : HRES_CRYPT_E_NOT_FOUND;
done:
	tdb_close(tdb);
	TALLOC_FREE(frame);
	return hr;
}

HRESULT bpa_rev_local_lookup(TALLOC_CTX *mem_ctx,
			     const char *path,
			     const DATA_BLOB *cert_der,
			     struct bpa_rev_entry **pe)
{
	struct tdb_context *tdb = NULL;
	struct bpa_rev_entry *e = NULL;
	uint8_t hash[32];
	char key[4 + 64 + 1];
	TDB_DATA d;
	HRESULT hr;

	if (pe != NULL) {
		*pe = NULL;
	}
	if (cert_der == NULL || !bpa_rev_cert_hash(cert_der, hash)) {
		return HRES_E_INVALIDARG;
	}
	tdb = kept_open(path, &hr);
	if (tdb == NULL) {
		return HRES_IS_OK(hr) ? HRES_CRYPT_E_NOT_FOUND : hr;
	}
	hash_key(hash, key);
	d = tdb_fetch(tdb, key_of(key));
	kept_close(tdb);
	if (d.dptr == NULL) {
		return HRES_CRYPT_E_NOT_FOUND;
	}
	e = talloc_zero(mem_ctx, struct bpa_rev_entry);
	if (e == NULL) {
		free(d.dptr);
		return HRES_E_OUTOFMEMORY;
	}
	if (!entry_pull(e, &d, e) ||
	    memcmp(e->cert_hash, hash, 32) != 0) {
		DBG_ERR("revocation list %s: damaged entry %s: treated as "
			"revoked\n", path, key);
		/* fail closed: a damaged entry of this certificate */
		e->reason = 0;
		e->sid = talloc_strdup(e, "");
		hr = BPA_S_OK;
	} else {
		hr = BPA_S_OK;
	}
	free(d.dptr);
	if (pe != NULL) {
		*pe = e;
	} else {
		TALLOC_FREE(e);
	}
	return hr;
}
