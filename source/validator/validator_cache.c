/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The validator's tdb: success cache and failure counts (seed
 * bits-validate-server-certificate; see validator_cache.h).
 */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <tdb.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "validator/validator_cache.h"

struct bpa_vcache {
	struct tdb_context *tdb;
	char *path;		/* NULL: in memory */
	pid_t pid;		/* the process that opened it */
	uint32_t max;
};

static int vcache_destructor(struct bpa_vcache *c)
{
	if (c->tdb != NULL) {
		tdb_close(c->tdb);
		c->tdb = NULL;
	}
	return 0;
}

/*
 * Each change is one transaction; a cache in memory (TDB_INTERNAL) has
 * no transactions and no other process to race with.
 */
static int tx_start(struct bpa_vcache *c)
{
	return c->path == NULL ? 0 : tdb_transaction_start(c->tdb);
}

static int tx_commit(struct bpa_vcache *c)
{
	return c->path == NULL ? 0 : tdb_transaction_commit(c->tdb);
}

static void tx_cancel(struct bpa_vcache *c)
{
	if (c->path != NULL) {
		tdb_transaction_cancel(c->tdb);
	}
}

static TDB_DATA str_key(const char *s)
{
	return (TDB_DATA) { .dptr = (uint8_t *)(uintptr_t)s,
			    .dsize = strlen(s) };
}

/* A handle inherited over fork() is re-established (tdb_reopen) */
static struct tdb_context *vcache_tdb(struct bpa_vcache *c)
{
	if (c->tdb == NULL) {
		return NULL;
	}
	if (c->path != NULL && c->pid != getpid()) {
		if (tdb_reopen(c->tdb) != 0) {
			/* tdb_reopen() freed it */
			DBG_ERR("validator cache %s: tdb_reopen failed\n",
				c->path);
			c->tdb = NULL;
			return NULL;
		}
		c->pid = getpid();
	}
	return c->tdb;
}

static int count_ok_fn(struct tdb_context *tdb,
		       TDB_DATA k,
		       TDB_DATA v,
		       void *priv)
{
	uint64_t *n = priv;

	if (bpa_vkey_is_ok(k.dptr, k.dsize)) {
		(*n)++;
	}
	return 0;
}

struct clear_state {
	bool failures;
	uint64_t dropped;
};

static int clear_fn(struct tdb_context *tdb,
		    TDB_DATA k,
		    TDB_DATA v,
		    void *priv)
{
	struct clear_state *cs = priv;
	const uint8_t *ep = NULL;
	size_t len = 0;
	bool drop;

	if (bpa_vkey_is_ok(k.dptr, k.dsize)) {
		cs->dropped++;
		drop = true;
	} else if (bpa_vfail_key_endpoint(k.dptr, k.dsize, &ep, &len)) {
		drop = cs->failures;
	} else {
		/* seq/, meta, identity, and anything we do not know */
		drop = true;
	}
	if (drop) {
		tdb_delete(tdb, k);
	}
	return 0;
}

/* Inside a transaction: every record but the failures (unless asked) */
static int clear_locked(struct tdb_context *tdb,
			bool failures,
			uint64_t *dropped)
{
	struct clear_state cs = { .failures = failures };
	int rc = tdb_traverse(tdb, clear_fn, &cs);

	*dropped = cs.dropped;
	return rc < 0 ? -1 : 0;
}

HRESULT bpa_vcache_clear(struct bpa_vcache *c,
			 bool failures,
			 uint64_t *pdropped)
{
	struct tdb_context *tdb = vcache_tdb(c);
	uint64_t dropped = 0;

	if (pdropped != NULL) {
		*pdropped = 0;
	}
	if (tdb == NULL) {
		return HRES_E_FAIL;
	}
	if (tx_start(c) != 0) {
		return HRES_E_FAIL;
	}
	if (clear_locked(tdb, failures, &dropped) != 0) {
		tx_cancel(c);
		return HRES_E_FAIL;
	}
	if (tx_commit(c) != 0) {
		return HRES_E_FAIL;
	}
	if (pdropped != NULL) {
		*pdropped = dropped;
	}
	return BPA_S_OK;
}

static HRESULT vcache_open(TALLOC_CTX *mem_ctx,
			   const char *path,
			   uint32_t max,
			   int open_flags,
			   struct bpa_vcache **pc)
{
	struct bpa_vcache *c = talloc_zero(mem_ctx, struct bpa_vcache);
	int tdb_flags = TDB_DEFAULT | TDB_NOSYNC;

	*pc = NULL;
	if (c == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	c->max = max;
	c->pid = getpid();
	if (path == NULL) {
		tdb_flags = TDB_INTERNAL;
	} else {
		c->path = talloc_strdup(c, path);
		if (c->path == NULL) {
			TALLOC_FREE(c);
			return HRES_E_OUTOFMEMORY;
		}
	}
	c->tdb = tdb_open(path != NULL ? path : "validator-cache", 0,
			  tdb_flags, open_flags, 0600);
	if (c->tdb == NULL) {
		int err = errno;

		TALLOC_FREE(c);
		if (err == ENOENT) {
			return BPA_E_PEERS_NO_TABLE;
		}
		DBG_ERR("validator cache %s: cannot open: %s\n", path,
			strerror(err));
		return HRES_E_FAIL;
	}
	talloc_set_destructor(c, vcache_destructor);
	*pc = c;
	return BPA_S_OK;
}

HRESULT bpa_vcache_open(TALLOC_CTX *mem_ctx,
			const char *path,
			uint32_t max,
			bool empty,
			struct bpa_vcache **pc)
{
	uint64_t dropped = 0;
	HRESULT hr;

	hr = vcache_open(mem_ctx, path, max, O_RDWR | O_CREAT, pc);
	if (!HRES_IS_OK(hr) || !empty) {
		return hr;
	}
	hr = bpa_vcache_clear(*pc, false, &dropped);
	if (!HRES_IS_OK(hr)) {
		DBG_ERR("validator cache %s: cannot be emptied\n", path);
		TALLOC_FREE(*pc);
		return hr;
	}
	DBG_NOTICE("validator cache %s: emptied at start (%" PRIu64
		   " pairs)\n", path != NULL ? path : "(memory)", dropped);
	return hr;
}

HRESULT bpa_vcache_open_ro(TALLOC_CTX *mem_ctx,
			   const char *path,
			   struct bpa_vcache **pc)
{
	return vcache_open(mem_ctx, path, 0, O_RDONLY, pc);
}

static bool identity_is(struct tdb_context *tdb, const char *identity)
{
	TDB_DATA d = tdb_fetch(tdb, str_key(BPA_VKEY_IDENTITY));
	size_t len = strlen(identity);
	bool same;

	same = d.dptr != NULL && d.dsize == len &&
	       memcmp(d.dptr, identity, len) == 0;
	free(d.dptr);
	return same;
}

void bpa_vcache_sync_identity(struct bpa_vcache *c, const char *identity)
{
	struct tdb_context *tdb = vcache_tdb(c);
	uint64_t dropped = 0;
	int rc;

	if (tdb == NULL || identity_is(tdb, identity)) {
		return;
	}
	if (tx_start(c) != 0) {
		return;
	}
	if (identity_is(tdb, identity)) {
		/* another process did it meanwhile */
		tx_cancel(c);
		return;
	}
	rc = clear_locked(tdb, false, &dropped);
	if (rc == 0) {
		rc = tdb_store(tdb, str_key(BPA_VKEY_IDENTITY),
			       str_key(identity), TDB_REPLACE);
	}
	if (rc != 0) {
		tx_cancel(c);
		return;
	}
	if (tx_commit(c) == 0) {
		DBG_NOTICE("validator is now %s: %" PRIu64 " cached "
			   "successes dropped\n", identity, dropped);
	}
}

static char *ok_key(TALLOC_CTX *mem_ctx,
		    const char *endpoint,
		    const char *sha256)
{
	return talloc_asprintf(mem_ctx, "%s%s/%s", BPA_VKEY_OK, sha256,
			       endpoint);
}

bool bpa_vcache_hit(struct bpa_vcache *c,
		    const char *endpoint,
		    const char *sha256)
{
	struct tdb_context *tdb = vcache_tdb(c);
	char *k = NULL;
	bool hit;

	if (tdb == NULL) {
		return false;
	}
	k = ok_key(c, endpoint, sha256);
	if (k == NULL) {
		return false;
	}
	hit = tdb_exists(tdb, str_key(k)) != 0;
	TALLOC_FREE(k);
	return hit;
}

static void meta_get(struct tdb_context *tdb, struct bpa_vmeta *m)
{
	TDB_DATA d = tdb_fetch(tdb, str_key(BPA_VKEY_META));

	if (!bpa_vmeta_pull(d.dptr, d.dsize, m)) {
		*m = (struct bpa_vmeta) { 0 };
	}
	free(d.dptr);
}

/* Oldest out until at most c->max pairs may exist (in a transaction) */
static int evict_locked(struct tdb_context *tdb,
			uint32_t max,
			struct bpa_vmeta *m)
{
	uint8_t sk[BPA_VSEQ_KEY_LEN];
	TDB_DATA skey = { .dptr = sk, .dsize = sizeof(sk) };

	while (m->next - m->oldest > max) {
		TDB_DATA okk;
		TDB_DATA d;
		struct bpa_vok o;

		bpa_vseq_key(m->oldest, sk);
		okk = tdb_fetch(tdb, skey);
		if (okk.dptr != NULL) {
			d = tdb_fetch(tdb, okk);
			/* only if the pair is still the one of this seq */
			if (bpa_vok_pull(d.dptr, d.dsize, &o) &&
			    o.seq == m->oldest) {
				tdb_delete(tdb, okk);
			}
			free(d.dptr);
			free(okk.dptr);
			tdb_delete(tdb, skey);
		}
		m->oldest++;
	}
	return 0;
}

void bpa_vcache_add(struct bpa_vcache *c,
		    const char *identity,
		    const char *endpoint,
		    const char *sha256,
		    time_t now)
{
	struct tdb_context *tdb = vcache_tdb(c);
	uint8_t okv[BPA_VOK_LEN], mv[BPA_VMETA_LEN], sk[BPA_VSEQ_KEY_LEN];
	struct bpa_vmeta m;
	struct bpa_vok o;
	char *k = NULL;
	int rc = -1;

	if (tdb == NULL) {
		return;
	}
	k = ok_key(c, endpoint, sha256);
	if (k == NULL) {
		return;
	}
	if (tx_start(c) != 0) {
		goto done;
	}
	/* the cache was cleared for another validator meanwhile */
	if (!identity_is(tdb, identity) || tdb_exists(tdb, str_key(k))) {
		tx_cancel(c);
		goto done;
	}
	meta_get(tdb, &m);
	o = (struct bpa_vok) { .seq = m.next, .when = (uint64_t)now };
	bpa_vok_push(&o, okv);
	bpa_vseq_key(o.seq, sk);
	m.next++;
	rc = tdb_store(tdb, str_key(k),
		       (TDB_DATA) { .dptr = okv, .dsize = sizeof(okv) },
		       TDB_INSERT);
	if (rc == 0) {
		rc = tdb_store(tdb, (TDB_DATA) { .dptr = sk,
						 .dsize = sizeof(sk) },
			       str_key(k), TDB_REPLACE);
	}
	if (rc == 0) {
		rc = evict_locked(tdb, c->max, &m);
	}
	if (rc == 0) {
		bpa_vmeta_push(&m, mv);
		rc = tdb_store(tdb, str_key(BPA_VKEY_META),
			       (TDB_DATA) { .dptr = mv, .dsize = sizeof(mv) },
			       TDB_REPLACE);
	}
	if (rc != 0) {
		DBG_WARNING("validator cache: cannot store: %s\n",
			    tdb_errorstr(tdb));
		tx_cancel(c);
		goto done;
	}
	tx_commit(c);
done:
	TALLOC_FREE(k);
}

struct oldest_fail {
	uint64_t n;
	uint64_t last;
	uint8_t *key;
	size_t len;
};

/* A failure record met by failures_traverse() */
typedef int (*failure_fn)(TDB_DATA key,
			  const uint8_t *endpoint,
			  size_t len,
			  const struct bpa_vfail *f,
			  void *priv);

struct failure_walk {
	failure_fn fn;
	void *priv;
};

static int failure_walk_fn(struct tdb_context *tdb,
			   TDB_DATA k,
			   TDB_DATA v,
			   void *priv)
{
	struct failure_walk *w = priv;
	const uint8_t *ep = NULL;
	struct bpa_vfail f;
	size_t len;

	if (!bpa_vfail_key_endpoint(k.dptr, k.dsize, &ep, &len) ||
	    !bpa_vfail_pull(v.dptr, v.dsize, &f)) {
		return 0;	/* a success record, or not ours */
	}
	return w->fn(k, ep, len, &f, w->priv);
}

/*
 * @fn on every failure record of @tdb (the others are passed over),
 * under tdb_traverse_read() or, inside a transaction, tdb_traverse();
 * their answer
 */
static int failures_traverse(struct tdb_context *tdb,
			     bool read_only,
			     failure_fn fn,
			     void *priv)
{
	struct failure_walk w = { .fn = fn, .priv = priv };

	if (read_only) {
		return tdb_traverse_read(tdb, failure_walk_fn, &w);
	}
	return tdb_traverse(tdb, failure_walk_fn, &w);
}

static int oldest_fail_fn(TDB_DATA k,
			  const uint8_t *ep,
			  size_t len,
			  const struct bpa_vfail *f,
			  void *priv)
{
	struct oldest_fail *of = priv;

	of->n++;
	if (of->key == NULL || f->last < of->last) {
		uint8_t *copy = realloc(of->key, k.dsize);

		if (copy == NULL) {
			return -1;
		}
		memcpy(copy, k.dptr, k.dsize);
		of->key = copy;
		of->len = k.dsize;
		of->last = f->last;
	}
	return 0;
}

/* A new endpoint: at most c->max of them, the least recent out */
static void bound_failures_locked(struct tdb_context *tdb, uint32_t max)
{
	struct oldest_fail of = { .n = 0 };

	if (failures_traverse(tdb, false, oldest_fail_fn, &of) >= 0 &&
	    of.n >= max &&
	    of.key != NULL) {
		tdb_delete(tdb, (TDB_DATA) { .dptr = of.key,
					     .dsize = of.len });
	}
	free(of.key);
}

uint64_t bpa_vcache_failed(struct bpa_vcache *c,
			   const char *endpoint,
			   uint32_t hresult,
			   time_t now)
{
	struct tdb_context *tdb = vcache_tdb(c);
	uint8_t fv[BPA_VFAIL_LEN];
	struct bpa_vfail f;
	TDB_DATA d;
	char *k = NULL;
	uint64_t count = 0;

	if (tdb == NULL) {
		return 0;
	}
	k = talloc_asprintf(c, "%s%s", BPA_VKEY_FAIL, endpoint);
	if (k == NULL) {
		return 0;
	}
	if (tx_start(c) != 0) {
		goto done;
	}
	d = tdb_fetch(tdb, str_key(k));
	if (!bpa_vfail_pull(d.dptr, d.dsize, &f)) {
		bound_failures_locked(tdb, c->max);
		f = (struct bpa_vfail) { .count = 0, .first = (uint64_t)now };
	}
	free(d.dptr);
	if (f.count < UINT64_MAX) {
		f.count++;
	}
	f.last = (uint64_t)now < f.first ? f.first : (uint64_t)now;
	f.hresult = hresult;
	bpa_vfail_push(&f, fv);
	if (tdb_store(tdb, str_key(k),
		      (TDB_DATA) { .dptr = fv, .dsize = sizeof(fv) },
		      TDB_REPLACE) != 0) {
		tx_cancel(c);
		goto fail;
	}
	if (tx_commit(c) != 0) {
		goto fail;
	}
	count = f.count;
	goto done;
fail:
	DBG_WARNING("validator cache: cannot count the refusal: %s\n",
		    tdb_errorstr(tdb));
done:
	TALLOC_FREE(k);
	return count;
}

uint64_t bpa_vcache_count(struct bpa_vcache *c)
{
	struct tdb_context *tdb = vcache_tdb(c);
	uint64_t n = 0;

	if (tdb != NULL) {
		tdb_traverse_read(tdb, count_ok_fn, &n);
	}
	return n;
}

struct list_state {
	TALLOC_CTX *mem_ctx;
	struct bpa_validator_failure *list;
	size_t n;
	bool nomem;
};

static int list_fn(TDB_DATA k,
		   const uint8_t *ep,
		   size_t len,
		   const struct bpa_vfail *f,
		   void *priv)
{
	struct list_state *ls = priv;
	struct bpa_validator_failure *e = NULL;

	e = talloc_realloc(ls->mem_ctx, ls->list,
			   struct bpa_validator_failure, ls->n + 1);
	if (e == NULL) {
		ls->nomem = true;
		return -1;
	}
	ls->list = e;
	e = &ls->list[ls->n];
	e->endpoint = talloc_strndup(ls->list, (const char *)ep, len);
	if (e->endpoint == NULL) {
		ls->nomem = true;
		return -1;
	}
	e->count = f->count;
	e->first = f->first;
	e->last = f->last;
	e->last_hresult = f->hresult;
	ls->n++;
	return 0;
}

HRESULT bpa_vcache_list_failures(TALLOC_CTX *mem_ctx,
				 struct bpa_vcache *c,
				 struct bpa_validator_failure **plist,
				 size_t *pcount)
{
	struct tdb_context *tdb = vcache_tdb(c);
	struct list_state ls = { .mem_ctx = mem_ctx };

	*plist = NULL;
	*pcount = 0;
	if (tdb == NULL) {
		return HRES_E_FAIL;
	}
	if (failures_traverse(tdb, true, list_fn, &ls) < 0 || ls.nomem) {
		TALLOC_FREE(ls.list);
		return ls.nomem ? HRES_E_OUTOFMEMORY : HRES_E_FAIL;
	}
	*plist = ls.list;
	*pcount = ls.n;
	return BPA_S_OK;
}
