/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The cache of the ocsp and crl providers (seed: responses cached until
 * their nextUpdate; failures never cached): one tdb, key -> u64 expiry
 * + DER.  Whatever comes out is verified again by the provider, so a
 * damaged or planted entry can only cost a fetch.
 */
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <tdb.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "revocation/rev_private.h"

/* Bound the file: past this many entries it is emptied (refetch) */
#define REV_CACHE_MAX_ENTRIES 10000

static struct tdb_context *cache_open(const struct bpa_rev_stack *s)
{
	struct tdb_context *tdb = NULL;

	if (s->p.cache == NULL) {
		return NULL;
	}
	tdb = tdb_open(s->p.cache, 0, TDB_DEFAULT, O_RDWR | O_CREAT, 0600);
	if (tdb == NULL) {
		DBG_NOTICE("revocation cache %s cannot be opened\n",
			   s->p.cache);
	}
	return tdb;
}

static TDB_DATA key_of(const char *k)
{
	return (TDB_DATA) { .dptr = (uint8_t *)k, .dsize = strlen(k) };
}

DATA_BLOB bpa_rev_cache_get(TALLOC_CTX *mem_ctx,
			    const struct bpa_rev_stack *s,
			    const char *key,
			    time_t now)
{
	struct tdb_context *tdb = cache_open(s);
	DATA_BLOB out = data_blob_null;
	TDB_DATA d;
	uint64_t exp = 0;
	size_t i;

	if (tdb == NULL) {
		return out;
	}
	d = tdb_fetch(tdb, key_of(key));
	if (d.dptr != NULL && d.dsize > 8) {
		for (i = 0; i < 8; i++) {
			exp |= (uint64_t)d.dptr[i] << (8 * i);
		}
		if ((int64_t)exp >= (int64_t)now) {
			out = data_blob_talloc(mem_ctx, d.dptr + 8,
					       d.dsize - 8);
		} else {
			tdb_delete(tdb, key_of(key));
		}
	}
	free(d.dptr);
	tdb_close(tdb);
	return out;
}

void bpa_rev_cache_put(const struct bpa_rev_stack *s,
		       const char *key,
		       const DATA_BLOB *der,
		       time_t expires)
{
	struct tdb_context *tdb = NULL;
	uint8_t *buf = NULL;
	uint64_t exp = (uint64_t)expires;
	size_t i;

	if (s->p.cache == NULL || der->length == 0) {
		return;
	}
	buf = malloc(8 + der->length);
	if (buf == NULL) {
		return;
	}
	for (i = 0; i < 8; i++) {
		buf[i] = (exp >> (8 * i)) & 0xff;
	}
	memcpy(buf + 8, der->data, der->length);
	tdb = cache_open(s);
	if (tdb != NULL) {
		if (tdb_traverse_read(tdb, NULL, NULL) >
		    REV_CACHE_MAX_ENTRIES) {
			tdb_wipe_all(tdb);
		}
		if (tdb_store(tdb, key_of(key),
			      (TDB_DATA) { buf, 8 + der->length },
			      TDB_REPLACE) != 0) {
			DBG_NOTICE("revocation cache %s: %s\n", s->p.cache,
				   tdb_errorstr(tdb));
		}
		tdb_close(tdb);
	}
	free(buf);
}

void bpa_rev_cache_del(const struct bpa_rev_stack *s, const char *key)
{
	struct tdb_context *tdb = cache_open(s);

	if (tdb != NULL) {
		tdb_delete(tdb, key_of(key));
		tdb_close(tdb);
	}
}
