/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Opening the peer table: MS-BPAU 3.1.3 (an empty table at start-up),
 * the checks that keep a clearing open away from files that are not
 * ours, and tdb_reopen() after fork().  See peer_table.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
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

static int peer_table_destructor(struct bpa_peer_table *t)
{
	if (t->tdb != NULL) {
		tdb_close(t->tdb);
		t->tdb = NULL;
	}
	return 0;
}

/*
 * Two keys per peer plus the meta record: a load factor of about 1 up
 * to "max peers = 1000000", a longer chain per bucket above it.  The
 * cap bounds what every write pays: tdb_transaction_start() copies all
 * bucket heads (4 bytes each) into a fresh allocation, so an add on a
 * table sized for 10M peers copied 64 MiB and took ~47 ms against
 * 1-2 ms at the cap (bench_exchange, srv-big); each record more in a
 * chain costs a lookup ~2 us on the writer's unmapped handle, ~0.2 us
 * on a mapped reader (bench_peers_lookup at 1M peers, smaller sizes).
 * The size is fixed when the file is created: a persistent table keeps
 * it until the file is removed.
 */
#define PEER_TABLE_HASH_MIN 131
#define PEER_TABLE_HASH_MAX 2000001

static int peer_table_hash_size(uint32_t max_peers)
{
	uint64_t n = 2 * (uint64_t)max_peers + 1;

	if (n < PEER_TABLE_HASH_MIN) {
		n = PEER_TABLE_HASH_MIN;
	}
	if (n > PEER_TABLE_HASH_MAX) {
		n = PEER_TABLE_HASH_MAX;
	}
	return (int)n;
}

/* What a failed tdb_open_ex() of a file that looked like a tdb means */
static HRESULT peer_open_error(struct bpa_peer_table *t, int err)
{
	DBG_ERR("peer table %s: tdb_open: %s\n", t->path, strerror(err));
	if (err == ENOENT) {
		return BPA_E_PEERS_NO_TABLE;
	}
	if (err == EIO || err == EINVAL || err == EPROTO) {
		/* the probe saw a tdb header: a damaged tdb */
		DBG_ERR("peer table %s: damaged tdb: BPA_E_PEERS_CORRUPT, "
			"file left as it is\n", t->path);
		return BPA_E_PEERS_CORRUPT;
	}
	return HRES_E_FAIL;
}

/*
 * Before an open that may clear the file (@clearing: TDB_CLEAR_IF_FIRST),
 * make sure the file is a peer table of ours: never wipe someone else's
 * file.  A missing or empty file is fine.  Also run for every open so
 * that a file which is not a tdb at all gets a precise error.  With
 * @clearing or @check the tdb is opened here, with its mapping, and its
 * records looked at; with @check that is the whole consistency check of
 * a persistent table (bpa_peer_table_check()): through the mapping it
 * costs a tenth of what it costs through the writer's pread()s.  *ours
 * says that the file is known to be ours (or new) after the probe.
 */
static HRESULT peer_table_probe(struct bpa_peer_table *t,
				bool clearing,
				bool check,
				bool *ours)
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
	HRESULT hr = BPA_S_OK;

	*ours = false;
	fd = open(t->path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENOENT) {
			if (t->attach) {
				DBG_ERR("peer table %s does not exist: "
					"BPA_E_PEERS_NO_TABLE\n", t->path);
				return BPA_E_PEERS_NO_TABLE;
			}
			*ours = true;
			return BPA_S_OK;
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
		*ours = !t->attach;
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
	if (!clearing && !check) {
		goto done;
	}
	/* O_RDWR so that tdb can run a pending transaction recovery */
	tdb = tdb_open_ex(t->path, 0, TDB_DEFAULT, O_RDWR, 0, &log_ctx, NULL);
	if (tdb == NULL && !clearing) {
		hr = peer_open_error(t, errno);
		goto done;
	}
	if (tdb == NULL) {
		DBG_ERR("peer table %s: cannot open as tdb (%s): "
			"BPA_E_PEERS_FOREIGN, file left as it is\n", t->path,
			strerror(errno));
		hr = BPA_E_PEERS_FOREIGN;
		goto done;
	}
	hr = peer_check_meta(t, tdb, true, &missing, &count);
	if (HRES_IS_OK(hr) && check) {
		hr = peer_table_check_tdb(t, tdb);
		if (!HRES_IS_OK(hr)) {
			DBG_ERR("peer table %s fails its consistency check: "
				"BPA_E_PEERS_CORRUPT, file left as it is\n",
				t->path);
		}
	}
	tdb_close(tdb);
	*ours = HRES_IS_OK(hr);
done:
	if (fd != -1) {
		close(fd);
	}
	return hr;
}

/* Write the "BPA/TABLE" record of an empty table, unless someone did */
static HRESULT peer_table_init_meta(struct bpa_peer_table *t)
{
	bool missing = false;
	uint32_t count = 0;
	HRESULT hr;

	hr = peer_tx_start(t);
	if (!HRES_IS_OK(hr)) {
		return hr;
	}
	hr = peer_check_meta(t, t->tdb, false, &missing, &count);
	if (!HRES_IS_OK(hr) || !missing) {
		peer_tx_cancel(t);
		return hr;
	}
	hr = peer_meta_store(t, 0);
	if (!HRES_IS_OK(hr)) {
		peer_tx_cancel(t);
		return hr;
	}
	return peer_tx_commit(t);
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
	bool ours = false;
	uint32_t count = 0;
	HRESULT hr = BPA_S_OK;

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
	t->clock_skew = BPA_PEER_TABLE_DEFAULT_CLOCK_SKEW;
	t->min_rsa_bits = BPA_PEER_TABLE_DEFAULT_MIN_RSA_BITS;
	t->max_rsa_bits = BPA_PEER_TABLE_DEFAULT_MAX_RSA_BITS;
	t->persistent = p->persistent;
	t->attach = p->attach;
	t->read_only = p->read_only;
	talloc_set_destructor(t, peer_table_destructor);

	/* A clearing open must only ever clear a table of ours; a
	 * persistent one is checked, unless the caller knows it was */
	hr = peer_table_probe(t, !t->attach && !t->persistent,
			      t->persistent && !t->attach && !p->skip_check,
			      &ours);
	if (!HRES_IS_OK(hr)) {
		goto done;
	}

	/*
	 * A handle that writes reads through pread() instead of a mapping:
	 * every tdb_transaction_start() re-checks the file size and, with a
	 * mapping, unmaps and maps the whole file again (a TLB shootdown and
	 * a page fault per page touched after it), and every sync of a
	 * persistent table is an fdatasync() plus an msync().  A read-only
	 * handle (lookups, listings) keeps the mapping.
	 */
	if (!t->read_only) {
		tdb_flags |= TDB_NOMMAP;
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
		hr = peer_open_error(t, errno);
		goto done;
	}

	hr = peer_check_meta(t, t->tdb, !ours, &missing, &count);
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	if (missing && !t->read_only) {
		hr = peer_table_init_meta(t);
		if (!HRES_IS_OK(hr)) {
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
	return BPA_S_OK;
}
