/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The peer table (MS-BPAU 3.1.1.2, 3.1.3, 3.1.4.1 <3> <4>, 3.1.6.1):
 * limit, replacement, eviction age, HRES_OLE_E_NOCACHE leaving the table
 * unchanged, persistence, foreign and corrupt files.  Real tdb files;
 * the clock is the test's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <tdb.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include "util/sid_string.h"
#include "peers/peer_table.h"
#include "peer_test_util.h"

#define T0 1700000000

struct fixture {
	TALLOC_CTX *mem_ctx;
	char *dir;
	char *path;
};

static int setup(void **state)
{
	struct fixture *f = talloc_zero(NULL, struct fixture);

	assert_non_null(f);
	f->mem_ctx = f;
	f->dir = ptu_tmpdir(f);
	assert_non_null(f->dir);
	f->path = talloc_asprintf(f, "%s/peers.tdb", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ptu_rmdir(f->dir);
	talloc_free(f);
	return 0;
}

static struct bpa_peer_table *open_table(struct fixture *f,
					 uint32_t max,
					 uint32_t min_age,
					 bool persistent)
{
	struct bpa_peer_table_params p;
	struct bpa_peer_table *t = NULL;
	HRESULT hr;

	bpa_peer_table_params_init(&p);
	p.path = f->path;
	p.max_peers = max;
	p.evict_min_age = min_age;
	p.persistent = persistent;
	hr = bpa_peer_table_open(f->mem_ctx, &p, &t);
	if (!HRES_IS_OK(hr)) {
		fail_msg("open %s: 0x%08x", f->path, HRES_ERROR_V(hr));
	}
	return t;
}

static HRESULT try_open(struct fixture *f, bool persistent, bool attach)
{
	struct bpa_peer_table_params p;
	struct bpa_peer_table *t = NULL;
	HRESULT hr;

	bpa_peer_table_params_init(&p);
	p.path = f->path;
	p.persistent = persistent;
	p.attach = attach;
	hr = bpa_peer_table_open(f->mem_ctx, &p, &t);
	if (HRES_IS_OK(hr)) {
		assert_non_null(t);
		TALLOC_FREE(t);
	} else {
		assert_null(t);
	}
	return hr;
}

static uint32_t count_of(struct bpa_peer_table *t)
{
	uint32_t n = 0;

	assert_true(HRES_IS_OK(bpa_peer_table_count(t, &n)));
	return n;
}

static void assert_hr(HRESULT got, HRESULT want)
{
	if (!HRES_IS_EQUAL(got, want)) {
		fail_msg("got 0x%08x (%s), want 0x%08x (%s)",
			 HRES_ERROR_V(got), bpa_hresult_name(got),
			 HRES_ERROR_V(want), bpa_hresult_name(want));
	}
}

static void assert_consistent(struct bpa_peer_table *t)
{
	assert_hr(bpa_peer_table_check(t), BPA_S_OK);
}

static void test_add_makes_cert_known_and_gettable(void **state)
{
	struct fixture *f = *state;
	struct bpa_peer_table *t = open_table(f, 100, 60, false);
	struct bpa_peer *p = ptu_peer(f, 1000, 0);
	struct bpa_peer *other = ptu_peer(f, 1000, 1);
	struct bpa_peer *got = NULL;
	struct dom_sid sid;
	uint8_t hash[32];

	assert_int_equal(count_of(t), 0);
	assert_false(bpa_peer_table_known_cert(t, &p->cert_der, &sid));
	assert_hr(bpa_peer_table_add(t, p, T0), BPA_S_OK);
	assert_int_equal(count_of(t), 1);

	memset(&sid, 0, sizeof(sid));
	assert_true(bpa_peer_table_known_cert(t, &p->cert_der, &sid));
	assert_true(bpa_sid_equal(&sid, &p->sid));
	assert_true(bpa_peer_table_known_cert(t, &p->cert_der, NULL));
	/* same SID, other bytes: not known (3.1.6.1 is about the cert) */
	assert_false(bpa_peer_table_known_cert(t, &other->cert_der, NULL));
	/* a prefix of a known certificate is not known */
	other->cert_der.length = p->cert_der.length - 1;
	memcpy(other->cert_der.data, p->cert_der.data, other->cert_der.length);
	assert_false(bpa_peer_table_known_cert(t, &other->cert_der, NULL));

	assert_hr(bpa_peer_table_get(f, t, &p->sid, &got), BPA_S_OK);
	assert_true(bpa_sid_equal(&got->sid, &p->sid));
	assert_int_equal(got->cert_der.length, p->cert_der.length);
	assert_memory_equal(got->cert_der.data, p->cert_der.data,
			    p->cert_der.length);
	assert_int_equal(got->properties.length, p->properties.length);
	assert_memory_equal(got->properties.data, p->properties.data,
			    p->properties.length);
	assert_int_equal(got->inserted, T0);
	assert_int_equal(got->last_exchange, T0);
	assert_string_equal(got->address, "10.0.0.1");
	assert_int_equal(gnutls_hash_fast(GNUTLS_DIG_SHA256, p->cert_der.data,
					  p->cert_der.length, hash), 0);
	assert_memory_equal(got->cert_hash, hash, 32);
	assert_consistent(t);
	TALLOC_FREE(t);
}

/* MS-BPAU 3.1.4.1 <3>: 100 by default, never exceeded */
static void test_default_limit_is_100_and_never_exceeded(void **state)
{
	struct fixture *f = *state;
	struct bpa_peer_table *t = open_table(f, 0, 60, false);
	uint32_t i;

	assert_int_equal(bpa_peer_table_max_peers(t), 100);
	for (i = 0; i < 100; i++) {
		struct bpa_peer *p = ptu_peer(f, 2000 + i, 0);

		assert_hr(bpa_peer_table_add(t, p, T0 + i), BPA_S_OK);
		TALLOC_FREE(p);
	}
	assert_int_equal(count_of(t), 100);
	/* the oldest is 2000 + i, inserted at T0 + i */
	for (i = 0; i < 30; i++) {
		struct bpa_peer *p = ptu_peer(f, 3000 + i, 0);
		struct bpa_peer *old = ptu_peer(f, 2000 + i, 0);

		assert_hr(bpa_peer_table_add(t, p, T0 + i + 60),
			  HRES_OLE_E_NOCACHE);
		assert_int_equal(count_of(t), 100);
		assert_hr(bpa_peer_table_add(t, p, T0 + i + 61),
			  BPA_S_OK);
		assert_int_equal(count_of(t), 100);
		assert_false(bpa_peer_table_known_cert(t, &old->cert_der,
						       NULL));
		assert_true(bpa_peer_table_known_cert(t, &p->cert_der, NULL));
		TALLOC_FREE(p);
		TALLOC_FREE(old);
	}
	assert_consistent(t);
	TALLOC_FREE(t);
}

/* MS-BPAU 3.1.4.1 <3>: evict the oldest only if more than a minute old */
static void test_eviction_needs_more_than_min_age(void **state)
{
	static const struct {
		int age;
		bool evicts;
	} cases[] = {
		{ 0, false }, { 59, false }, { 60, false }, { 61, true },
		{ 3600, true },
	};
	struct fixture *f = *state;
	size_t c;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct bpa_peer_table *t = open_table(f, 3, 60, false);
		struct bpa_peer *p[4];
		char *before = NULL, *after = NULL;
		HRESULT hr;
		uint32_t i;

		for (i = 0; i < 4; i++) {
			p[i] = ptu_peer(f, 10 + i, (uint32_t)c);
		}
		/* oldest is p[0] at T0, then T0+5, T0+10 */
		for (i = 0; i < 3; i++) {
			assert_hr(bpa_peer_table_add(t, p[i], T0 + 5 * i),
				  BPA_S_OK);
		}
		before = ptu_dump(f, t);
		assert_non_null(before);
		hr = bpa_peer_table_add(t, p[3], T0 + cases[c].age);
		after = ptu_dump(f, t);
		assert_non_null(after);
		assert_int_equal(count_of(t), 3);
		if (cases[c].evicts) {
			assert_hr(hr, BPA_S_OK);
			assert_false(bpa_peer_table_known_cert(
				t, &p[0]->cert_der, NULL));
			assert_true(bpa_peer_table_known_cert(
				t, &p[1]->cert_der, NULL));
			assert_true(bpa_peer_table_known_cert(
				t, &p[3]->cert_der, NULL));
		} else {
			/* 0x80040006 and nothing changed at all */
			assert_int_equal(HRES_ERROR_V(hr), 0x80040006);
			assert_string_equal(before, after);
			assert_false(bpa_peer_table_known_cert(
				t, &p[3]->cert_der, NULL));
		}
		assert_consistent(t);
		TALLOC_FREE(t);
		/* start each case empty */
		assert_int_equal(unlink(f->path), 0);
	}
}

/* MS-BPAU 3.1.4.1 <3> <4>: same SID: delete, re-insert, new time */
static void test_same_sid_replaces_cert_with_new_insertion_time(void **state)
{
	struct fixture *f = *state;
	struct bpa_peer_table *t = open_table(f, 2, 60, false);
	struct bpa_peer *a1 = ptu_peer(f, 1, 1);
	struct bpa_peer *a2 = ptu_peer(f, 1, 2);
	struct bpa_peer *b = ptu_peer(f, 2, 1);
	struct bpa_peer *c = ptu_peer(f, 3, 1);
	struct bpa_peer *got = NULL;

	assert_hr(bpa_peer_table_add(t, a1, T0), BPA_S_OK);
	assert_hr(bpa_peer_table_add(t, b, T0 + 1), BPA_S_OK);
	/* full and young: a replacement is still accepted */
	assert_hr(bpa_peer_table_add(t, a2, T0 + 10), BPA_S_OK);
	assert_int_equal(count_of(t), 2);
	assert_false(bpa_peer_table_known_cert(t, &a1->cert_der, NULL));
	assert_true(bpa_peer_table_known_cert(t, &a2->cert_der, NULL));
	assert_hr(bpa_peer_table_get(f, t, &a1->sid, &got), BPA_S_OK);
	assert_int_equal(got->inserted, T0 + 10);
	/* the same certificate again also refreshes the time */
	assert_hr(bpa_peer_table_add(t, a2, T0 + 20), BPA_S_OK);
	assert_hr(bpa_peer_table_get(f, t, &a1->sid, &got), BPA_S_OK);
	assert_int_equal(got->inserted, T0 + 20);
	assert_int_equal(count_of(t), 2);
	/* so b (T0+1) is now the oldest: evicted at T0+62, not a */
	assert_hr(bpa_peer_table_add(t, c, T0 + 62), BPA_S_OK);
	assert_false(bpa_peer_table_known_cert(t, &b->cert_der, NULL));
	assert_true(bpa_peer_table_known_cert(t, &a2->cert_der, NULL));
	assert_true(bpa_peer_table_known_cert(t, &c->cert_der, NULL));
	assert_consistent(t);
	TALLOC_FREE(t);
}

static void test_cert_of_another_sid_is_refused_unchanged(void **state)
{
	struct fixture *f = *state;
	struct bpa_peer_table *t = open_table(f, 10, 60, false);
	struct bpa_peer *a = ptu_peer(f, 1, 1);
	struct bpa_peer *b = ptu_peer(f, 2, 1);
	char *before = NULL;
	struct dom_sid sid;

	b->cert_der = a->cert_der;
	assert_hr(bpa_peer_table_add(t, a, T0), BPA_S_OK);
	before = ptu_dump(f, t);
	assert_hr(bpa_peer_table_add(t, b, T0 + 100), BPA_E_PEER_CERT_IN_USE);
	assert_string_equal(before, ptu_dump(f, t));
	assert_true(bpa_peer_table_known_cert(t, &a->cert_der, &sid));
	assert_true(bpa_sid_equal(&sid, &a->sid));
	TALLOC_FREE(t);
}

static void test_remove_forgets_peer(void **state)
{
	struct fixture *f = *state;
	struct bpa_peer_table *t = open_table(f, 10, 60, false);
	struct bpa_peer *a = ptu_peer(f, 1, 1);
	struct bpa_peer *b = ptu_peer(f, 2, 1);
	struct bpa_peer *got = NULL;

	assert_hr(bpa_peer_table_add(t, a, T0), BPA_S_OK);
	assert_hr(bpa_peer_table_add(t, b, T0), BPA_S_OK);
	assert_hr(bpa_peer_table_remove(t, &a->sid), BPA_S_OK);
	assert_int_equal(count_of(t), 1);
	assert_false(bpa_peer_table_known_cert(t, &a->cert_der, NULL));
	assert_true(bpa_peer_table_known_cert(t, &b->cert_der, NULL));
	assert_hr(bpa_peer_table_remove(t, &a->sid), BPA_E_PEER_NOT_FOUND);
	assert_hr(bpa_peer_table_get(f, t, &a->sid, &got),
		  BPA_E_PEER_NOT_FOUND);
	assert_null(got);
	/* the certificate is free again for its owner */
	assert_hr(bpa_peer_table_add(t, a, T0 + 1), BPA_S_OK);
	assert_consistent(t);
	TALLOC_FREE(t);
}

static void test_invalid_peer_refused_unchanged(void **state)
{
	struct fixture *f = *state;
	struct bpa_peer_table *t = open_table(f, 10, 60, false);
	struct bpa_peer *ok = ptu_peer(f, 1, 1);
	struct bpa_peer *p = NULL;
	char *before = NULL;
	char *longaddr = talloc_zero_array(f, char, 2000);
	int i;

	memset(longaddr, 'a', 1999);
	assert_hr(bpa_peer_table_add(t, ok, T0), BPA_S_OK);
	before = ptu_dump(f, t);
	for (i = 0; i < 5; i++) {
		p = ptu_peer(f, 2, 1);
		switch (i) {
		case 0:
			p->sid.num_auths = 16;
			break;
		case 1:
			p->cert_der.length = 0;
			break;
		case 2:
			p->cert_der.data = NULL;
			break;
		case 3:
			p->properties = data_blob_talloc(p, NULL,
				BPA_PEER_TABLE_MAX_BLOB + 1);
			break;
		case 4:
			p->address = longaddr;
			break;
		}
		assert_hr(bpa_peer_table_add(t, p, T0), HRES_E_INVALIDARG);
		assert_string_equal(before, ptu_dump(f, t));
	}
	assert_hr(bpa_peer_table_add(t, NULL, T0), HRES_E_INVALIDARG);
	assert_false(bpa_peer_table_known_cert(t, NULL, NULL));
	assert_false(bpa_peer_table_known_cert(NULL, &ok->cert_der, NULL));
	TALLOC_FREE(t);
}

/* MS-BPAU 3.1.3: empty at initialization, unless persistent */
static void test_persistence_on_and_off(void **state)
{
	struct fixture *f = *state;
	struct bpa_peer *a = ptu_peer(f, 1, 1);
	struct bpa_peer_table *t = NULL;

	t = open_table(f, 10, 60, false);
	assert_hr(bpa_peer_table_add(t, a, T0), BPA_S_OK);
	TALLOC_FREE(t);
	t = open_table(f, 10, 60, false);
	assert_int_equal(count_of(t), 0);
	assert_false(bpa_peer_table_known_cert(t, &a->cert_der, NULL));
	TALLOC_FREE(t);

	t = open_table(f, 10, 60, true);
	assert_hr(bpa_peer_table_add(t, a, T0), BPA_S_OK);
	TALLOC_FREE(t);
	t = open_table(f, 10, 60, true);
	assert_int_equal(count_of(t), 1);
	assert_true(bpa_peer_table_known_cert(t, &a->cert_der, NULL));
	TALLOC_FREE(t);
	/* a server start that is not persistent empties it */
	t = open_table(f, 10, 60, false);
	assert_int_equal(count_of(t), 0);
	TALLOC_FREE(t);
}

/*
 * The server's model: a long-lived process keeps the table open, so a
 * later non-persistent open (a worker) does not clear it; once nobody
 * has it open, the next start does.
 */
static void test_open_does_not_clear_while_another_process_has_it(void **s)
{
	struct fixture *f = *s;
	struct bpa_peer *a = ptu_peer(f, 1, 1);
	struct bpa_peer_table *t = NULL;
	int to_child[2], to_parent[2];
	char c = 0;
	pid_t pid;
	int status = 0;

	assert_int_equal(pipe(to_child), 0);
	assert_int_equal(pipe(to_parent), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int rc = 1;

		/* never outlive a failed test */
		ptu_child_bound();
		close(to_child[1]);
		close(to_parent[0]);
		t = open_table(f, 10, 60, false);
		if (HRES_IS_OK(bpa_peer_table_add(t, a, T0)) &&
		    write(to_parent[1], "x", 1) == 1 &&
		    read(to_child[0], &c, 1) == 1) {
			rc = 0;
		}
		TALLOC_FREE(t);
		ptu_child_exit(f, rc);
	}
	assert_int_equal(read(to_parent[0], &c, 1), 1);
	t = open_table(f, 10, 60, false);
	assert_int_equal(count_of(t), 1);
	assert_true(bpa_peer_table_known_cert(t, &a->cert_der, NULL));
	TALLOC_FREE(t);
	assert_int_equal(write(to_child[1], "x", 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	t = open_table(f, 10, 60, false);
	assert_int_equal(count_of(t), 0);
	TALLOC_FREE(t);
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
}

/*
 * bpa_peer_table_reopen() in a forked worker re-takes the lock that
 * keeps the table from being emptied: once the parent's handle is gone,
 * the worker alone keeps the table alive; when it is gone too, the next
 * start empties it.
 */
static void test_reopened_worker_keeps_table_alive(void **state)
{
	struct fixture *f = *state;
	struct bpa_peer *a = ptu_peer(f, 1, 1);
	struct bpa_peer_table *t = open_table(f, 10, 60, false);
	int to_child[2], to_parent[2];
	char c = 0;
	int status = 0;
	pid_t pid;

	assert_hr(bpa_peer_table_add(t, a, T0), BPA_S_OK);
	assert_int_equal(pipe(to_child), 0);
	assert_int_equal(pipe(to_parent), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int rc = 1;
		bool known = false;

		/* never outlive a failed test */
		ptu_child_bound();
		close(to_child[1]);
		close(to_parent[0]);

		if (HRES_IS_OK(bpa_peer_table_reopen(t)) &&
		    write(to_parent[1], "x", 1) == 1 &&
		    read(to_child[0], &c, 1) == 1) {
			known = bpa_peer_table_known_cert(t, &a->cert_der,
							  NULL);
			rc = known ? 0 : 2;
		}
		TALLOC_FREE(t);
		ptu_child_exit(f, rc);
	}
	assert_int_equal(read(to_parent[0], &c, 1), 1);
	TALLOC_FREE(t);
	/* the parent's handle is gone; the worker's keeps the table */
	t = open_table(f, 10, 60, false);
	assert_int_equal(count_of(t), 1);
	TALLOC_FREE(t);
	assert_int_equal(write(to_child[1], "x", 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* nobody has it open: a new start empties it (MS-BPAU 3.1.3) */
	t = open_table(f, 10, 60, false);
	assert_int_equal(count_of(t), 0);
	TALLOC_FREE(t);
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
}

static void make_foreign_tdb(const char *path,
			     const char *key,
			     const char *val)
{
	struct tdb_context *tdb = tdb_open(path, 0, 0, O_RDWR | O_CREAT,
					   0600);
	TDB_DATA k = { (unsigned char *)key, strlen(key) };
	TDB_DATA v = { (unsigned char *)val, strlen(val) };

	assert_non_null(tdb);
	assert_int_equal(tdb_store(tdb, k, v, TDB_REPLACE), 0);
	tdb_close(tdb);
}

/* Rewrite one record of an existing table behind its back */
static void poke(const char *path,
		 const char *key,
		 const void *val,
		 size_t len)
{
	struct tdb_context *tdb = tdb_open(path, 0, 0, O_RDWR, 0600);
	TDB_DATA k = { (unsigned char *)key, strlen(key) };
	TDB_DATA v = { (unsigned char *)val, len };

	assert_non_null(tdb);
	if (val == NULL) {
		assert_int_equal(tdb_delete(tdb, k), 0);
	} else {
		assert_int_equal(tdb_store(tdb, k, v, TDB_REPLACE), 0);
	}
	tdb_close(tdb);
}

/* Foreign and damaged files: a named error, the file left untouched */
static void test_foreign_or_corrupt_file_named_error_untouched(void **state)
{
	struct fixture *f = *state;
	static const uint8_t garbage[] = "this is not a tdb file at all....";
	static const uint8_t v99[16] = {
		'B', 'P', 'A', 'P', 'E', 'E', 'R', 'S', 99, 0, 0, 0, 0, 0, 0, 0
	};
	static const uint8_t badrow[] = { 1, 0, 0, 0, 9, 9 };
	struct bpa_peer *a = ptu_peer(f, 1, 1);
	struct bpa_peer_table *t = NULL;
	DATA_BLOB before, after;
	int mode;

	/* not a tdb at all: every mode refuses, bytes unchanged */
	assert_int_equal(ptu_write_file(f->path, garbage, sizeof(garbage)), 0);
	for (mode = 0; mode < 3; mode++) {
		assert_hr(try_open(f, mode == 1, mode == 2),
			  BPA_E_PEERS_FOREIGN);
		after = ptu_read_file(f, f->path);
		assert_int_equal(after.length, sizeof(garbage));
		assert_memory_equal(after.data, garbage, sizeof(garbage));
	}
	unlink(f->path);

	/* someone else's tdb: not cleared, not touched */
	make_foreign_tdb(f->path, "SECRETS/KEY", "precious");
	before = ptu_read_file(f, f->path);
	for (mode = 0; mode < 3; mode++) {
		assert_hr(try_open(f, mode == 1, mode == 2),
			  BPA_E_PEERS_FOREIGN);
		after = ptu_read_file(f, f->path);
		assert_int_equal(after.length, before.length);
		assert_memory_equal(after.data, before.data, before.length);
	}
	unlink(f->path);

	/* a directory */
	assert_int_equal(mkdir(f->path, 0700), 0);
	assert_hr(try_open(f, false, false), BPA_E_PEERS_FOREIGN);
	assert_int_equal(rmdir(f->path), 0);

	/* attach to nothing */
	assert_hr(try_open(f, false, true), BPA_E_PEERS_NO_TABLE);
	assert_int_equal(access(f->path, F_OK), -1);

	/* our magic, another record version */
	t = open_table(f, 10, 60, true);
	assert_hr(bpa_peer_table_add(t, a, T0), BPA_S_OK);
	TALLOC_FREE(t);
	poke(f->path, "BPA/TABLE", v99, sizeof(v99));
	for (mode = 0; mode < 3; mode++) {
		assert_hr(try_open(f, mode == 1, mode == 2),
			  BPA_E_PEERS_VERSION);
	}
	unlink(f->path);

	/* a row that does not decode: persistent open refuses */
	t = open_table(f, 10, 60, true);
	assert_hr(bpa_peer_table_add(t, a, T0), BPA_S_OK);
	TALLOC_FREE(t);
	poke(f->path, "sid/S-1-5-21-1-2-3-1", badrow, sizeof(badrow));
	assert_hr(try_open(f, true, false), BPA_E_PEERS_CORRUPT);
	/* attached, lookups of the bad row answer "no", never crash */
	{
		struct bpa_peer_table_params p;
		struct bpa_peer *got = NULL;

		bpa_peer_table_params_init(&p);
		p.path = f->path;
		p.attach = true;
		assert_hr(bpa_peer_table_open(f, &p, &t), BPA_S_OK);
		assert_false(bpa_peer_table_known_cert(t, &a->cert_der, NULL));
		assert_hr(bpa_peer_table_get(f, t, &a->sid, &got),
			  BPA_E_PEERS_CORRUPT);
		assert_hr(bpa_peer_table_check(t), BPA_E_PEERS_CORRUPT);
		assert_hr(bpa_peer_table_traverse(t, NULL, NULL, NULL),
			  HRES_E_INVALIDARG);
		TALLOC_FREE(t);
	}
	/* a non-persistent start empties its own table, as 3.1.3 wants */
	assert_hr(try_open(f, false, false), BPA_S_OK);
	unlink(f->path);

	/* an index entry pointing nowhere, and a stray key */
	t = open_table(f, 10, 60, true);
	assert_hr(bpa_peer_table_add(t, a, T0), BPA_S_OK);
	TALLOC_FREE(t);
	poke(f->path, "cert/00000000000000000000000000000000"
		      "00000000000000000000000000000000", "S-1-5-18", 8);
	assert_hr(try_open(f, true, false), BPA_E_PEERS_CORRUPT);
	poke(f->path, "cert/00000000000000000000000000000000"
		      "00000000000000000000000000000000", NULL, 0);
	assert_hr(try_open(f, true, false), BPA_S_OK);
	poke(f->path, "stray", "x", 1);
	assert_hr(try_open(f, true, false), BPA_E_PEERS_CORRUPT);
	/* a worker's open (skip_check: the host's start checked) */
	{
		struct bpa_peer_table_params p;

		bpa_peer_table_params_init(&p);
		p.path = f->path;
		p.persistent = true;
		p.skip_check = true;
		assert_hr(bpa_peer_table_open(f, &p, &t), BPA_S_OK);
		assert_true(bpa_peer_table_known_cert(t, &a->cert_der, NULL));
		assert_hr(bpa_peer_table_check(t), BPA_E_PEERS_CORRUPT);
		TALLOC_FREE(t);
	}
	unlink(f->path);

	/* a truncated file */
	t = open_table(f, 10, 60, true);
	assert_hr(bpa_peer_table_add(t, a, T0), BPA_S_OK);
	TALLOC_FREE(t);
	assert_int_equal(truncate(f->path, 200), 0);
	assert_hr(try_open(f, true, false), BPA_E_PEERS_CORRUPT);
	assert_hr(try_open(f, true, true), BPA_E_PEERS_CORRUPT);
	/* not recognisable as ours any more: a clearing open refuses */
	assert_hr(try_open(f, false, false), BPA_E_PEERS_FOREIGN);
	after = ptu_read_file(f, f->path);
	assert_int_equal(after.length, 200);
	unlink(f->path);
}

static void test_read_only_handle_refuses_writes(void **state)
{
	struct fixture *f = *state;
	struct bpa_peer *a = ptu_peer(f, 1, 1);
	struct bpa_peer_table_params p;
	struct bpa_peer_table *t = open_table(f, 10, 60, true);
	struct bpa_peer_table *ro = NULL;

	assert_hr(bpa_peer_table_add(t, a, T0), BPA_S_OK);
	TALLOC_FREE(t);
	bpa_peer_table_params_init(&p);
	p.path = f->path;
	p.attach = true;
	p.read_only = true;
	assert_hr(bpa_peer_table_open(f, &p, &ro), BPA_S_OK);
	assert_true(bpa_peer_table_known_cert(ro, &a->cert_der, NULL));
	assert_hr(bpa_peer_table_add(ro, a, T0), BPA_E_PEERS_READ_ONLY);
	assert_hr(bpa_peer_table_remove(ro, &a->sid), BPA_E_PEERS_READ_ONLY);
	assert_consistent(ro);
	TALLOC_FREE(ro);
	/* read_only without attach is a parameter error */
	p.attach = false;
	assert_hr(bpa_peer_table_open(f, &p, &ro), HRES_E_INVALIDARG);
	assert_hr(bpa_peer_table_open(f, NULL, &ro), HRES_E_INVALIDARG);
}

/* A batch is all or nothing, and obeys the same limit */
static void test_batch_is_all_or_nothing(void **state)
{
	struct fixture *f = *state;
	struct bpa_peer_table *t = open_table(f, 5, 60, false);
	struct bpa_peer batch[4];
	char *before = NULL;
	size_t failed = 99;
	uint32_t i;

	for (i = 0; i < 4; i++) {
		batch[i] = *ptu_peer(f, 100 + i, 0);
	}
	assert_hr(bpa_peer_table_add_batch(t, batch, 4, T0, &failed),
		  BPA_S_OK);
	assert_int_equal(failed, 4);
	assert_int_equal(count_of(t), 4);
	before = ptu_dump(f, t);

	/* the second one takes peer 103's certificate: none added */
	for (i = 0; i < 4; i++) {
		batch[i] = *ptu_peer(f, 200 + i, 0);
	}
	batch[1].cert_der = ptu_peer(f, 103, 0)->cert_der;
	assert_hr(bpa_peer_table_add_batch(t, batch, 4, T0 + 1000, &failed),
		  BPA_E_PEER_CERT_IN_USE);
	assert_int_equal(failed, 1);
	assert_string_equal(before, ptu_dump(f, t));

	/* 4 new into a table of 5 holding 4, all young: the second fails */
	batch[1] = *ptu_peer(f, 201, 0);
	assert_hr(bpa_peer_table_add_batch(t, batch, 4, T0 + 10, &failed),
		  HRES_OLE_E_NOCACHE);
	assert_int_equal(failed, 1);
	assert_string_equal(before, ptu_dump(f, t));

	/* old enough: evicts 3 of the first batch, limit held */
	assert_hr(bpa_peer_table_add_batch(t, batch, 4, T0 + 61, &failed),
		  BPA_S_OK);
	assert_int_equal(count_of(t), 5);
	assert_hr(bpa_peer_table_add_batch(t, batch, 0, T0, NULL),
		  HRES_E_INVALIDARG);
	assert_consistent(t);
	TALLOC_FREE(t);
}

/*
 * Record version 1, written byte by byte here (the layout of
 * peer_table_private.h before version 2): u32 version 1 | u32 flags |
 * i64 inserted | i64 last_exchange | SHA-256 | u32 cert_len | cert |
 * u32 props_len | props | u32 addr_len or 0xFFFFFFFF.
 */
static void le32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

/* One CERTIFICATE_BLOB element: id, Reserved 1, length, value */
static size_t element(uint8_t *out,
		      uint32_t id,
		      const void *val,
		      uint32_t len)
{
	le32(out, id);
	le32(out + 4, 1);
	le32(out + 8, len);
	memcpy(out + 12, val, len);
	return 12 + len;
}

static void put_v1_row(struct fixture *f,
		       const char *sid,
		       const DATA_BLOB *cert,
		       const uint8_t *props,
		       size_t props_len,
		       int64_t inserted)
{
	uint8_t hash[32];
	char hex[65];
	char key[128];
	size_t len = 4 + 4 + 16 + 32 + 4 + cert->length + 4 + props_len + 4;
	uint8_t *rec = talloc_zero_size(f, len);
	uint8_t *p = rec;
	size_t i;

	assert_non_null(rec);
	assert_int_equal(gnutls_hash_fast(GNUTLS_DIG_SHA256, cert->data,
					  cert->length, hash), 0);
	le32(p, 1);
	le32(p + 4, 0);
	le32(p + 8, (uint32_t)inserted);
	le32(p + 16, (uint32_t)inserted);
	memcpy(p + 24, hash, 32);
	p += 56;
	le32(p, (uint32_t)cert->length);
	memcpy(p + 4, cert->data, cert->length);
	p += 4 + cert->length;
	le32(p, (uint32_t)props_len);
	memcpy(p + 4, props, props_len);
	p += 4 + props_len;
	le32(p, 0xFFFFFFFFu);
	snprintf(key, sizeof(key), "sid/%s", sid);
	poke(f->path, key, rec, len);
	for (i = 0; i < 32; i++) {
		snprintf(hex + 2 * i, 3, "%02x", hash[i]);
	}
	snprintf(key, sizeof(key), "cert/%s", hex);
	poke(f->path, key, sid, strlen(sid));
	talloc_free(rec);
}

static uint32_t raw_version(struct fixture *f, const char *key)
{
	struct tdb_context *tdb = tdb_open(f->path, 0, 0, O_RDONLY, 0600);
	TDB_DATA k = { (unsigned char *)key, strlen(key) };
	TDB_DATA d;
	uint32_t v = 0;
	size_t at = strcmp(key, "BPA/TABLE") == 0 ? 8 : 0;

	assert_non_null(tdb);
	d = tdb_fetch(tdb, k);
	assert_non_null(d.dptr);
	assert_true(d.dsize >= at + 4);
	v = d.dptr[at] | (d.dptr[at + 1] << 8) | (d.dptr[at + 2] << 16) |
	    ((uint32_t)d.dptr[at + 3] << 24);
	free(d.dptr);
	tdb_close(tdb);
	return v;
}

/*
 * Version 1 tables still open: a server row (props = the whole blob, the
 * certificate element last) and a client row (props = the wire prefix,
 * KEY_PROV_INFO included) both read as the version 2 meaning, the
 * property elements alone; the first write makes the meta record
 * version 2 and leaves the old rows readable.
 */
static void test_version_1_records_read_migrated(void **state)
{
	struct fixture *f = *state;
	static const char *server = "S-1-5-21-1-2-3-2001";
	static const char *client = "S-1-5-21-1-2-3-2002";
	static const uint8_t sha1[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
		11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
	static const uint8_t kpi[8] = { 'k', 'e', 'y', 'p', 'r', 'o', 'v', 0 };
	uint8_t meta[16] = { 'B', 'P', 'A', 'P', 'E', 'E', 'R', 'S' };
	uint8_t want[32];
	uint8_t *props = NULL;
	size_t want_len = 0;
	size_t n = 0;
	DATA_BLOB cert_s = data_blob_null;
	DATA_BLOB cert_c = data_blob_null;
	struct bpa_peer_table *t = NULL;
	struct bpa_peer *row = NULL;
	struct bpa_peer *d = ptu_peer(f, 2003, 1);
	struct dom_sid sid, got;

	assert_non_null(d);
	assert_int_equal(ptu_selfsigned(f, server, &cert_s, NULL, NULL), 0);
	assert_int_equal(ptu_selfsigned(f, client, &cert_c, NULL, NULL), 0);
	want_len = element(want, 3, sha1, sizeof(sha1));

	/* an empty table file, then its records as version 1 wrote them */
	t = open_table(f, 10, 60, true);
	TALLOC_FREE(t);
	props = talloc_size(f, 2 * 12 + sizeof(sha1) + sizeof(kpi) +
			    cert_s.length + cert_c.length);
	assert_non_null(props);
	n = element(props, 3, sha1, sizeof(sha1));
	n += element(props + n, 32, cert_s.data, cert_s.length);
	put_v1_row(f, server, &cert_s, props, n, T0);
	n = element(props, 2, kpi, sizeof(kpi));
	n += element(props + n, 3, sha1, sizeof(sha1));
	put_v1_row(f, client, &cert_c, props, n, T0 + 1);
	le32(meta + 8, 1);
	le32(meta + 12, 2);
	poke(f->path, "BPA/TABLE", meta, sizeof(meta));
	assert_int_equal(raw_version(f, "BPA/TABLE"), 1);

	t = open_table(f, 10, 60, true);
	assert_int_equal(count_of(t), 2);
	assert_consistent(t);
	assert_true(bpa_sid_parse(server, &sid));
	assert_hr(bpa_peer_table_get(f, t, &sid, &row), BPA_S_OK);
	assert_int_equal(row->cert_der.length, cert_s.length);
	assert_int_equal(row->properties.length, want_len);
	assert_memory_equal(row->properties.data, want, want_len);
	TALLOC_FREE(row);
	assert_true(bpa_peer_table_known_cert(t, &cert_s, &got));
	assert_true(bpa_sid_equal(&got, &sid));

	assert_true(bpa_sid_parse(client, &sid));
	assert_hr(bpa_peer_table_get(f, t, &sid, &row), BPA_S_OK);
	assert_int_equal(row->properties.length, want_len);
	assert_memory_equal(row->properties.data, want, want_len);
	TALLOC_FREE(row);
	assert_true(bpa_peer_table_known_cert(t, &cert_c, &got));

	/* a write: the meta record is version 2, old rows stay readable */
	assert_hr(bpa_peer_table_add(t, d, T0 + 2), BPA_S_OK);
	assert_int_equal(count_of(t), 3);
	assert_consistent(t);
	TALLOC_FREE(t);
	assert_int_equal(raw_version(f, "BPA/TABLE"), 2);
	assert_int_equal(raw_version(f, "sid/S-1-5-21-1-2-3-2001"), 1);
	assert_int_equal(raw_version(f, "sid/S-1-5-21-1-2-3-2003"), 2);
	t = open_table(f, 10, 60, true);
	assert_int_equal(count_of(t), 3);
	assert_hr(bpa_peer_table_get(f, t, &sid, &row), BPA_S_OK);
	assert_memory_equal(row->properties.data, want, want_len);
	TALLOC_FREE(row);
	TALLOC_FREE(t);
}

static int hash_size_of(const char *path)
{
	struct tdb_context *tdb = tdb_open(path, 0, 0, O_RDONLY, 0600);
	int n;

	assert_non_null(tdb);
	n = tdb_hash_size(tdb);
	tdb_close(tdb);
	return n;
}

/*
 * Two tdb buckets per peer (lookups O(1)), but never more than 2000001:
 * every write transaction copies all bucket heads, so the limit alone
 * must not make each add cost milliseconds.  A persistent table keeps
 * the size it was created with.
 */
static void test_hash_size_follows_limit_up_to_a_cap(void **state)
{
	static const struct {
		uint32_t max;
		int hash_size;
	} cases[] = {
		{ 1, 131 }, { 100, 201 }, { 1000000, 2000001 },
		{ 1000001, 2000001 }, { 10000000, 2000001 },
	};
	struct fixture *f = *state;
	struct bpa_peer_table *t = NULL;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t = open_table(f, cases[i].max, 60, false);
		TALLOC_FREE(t);
		assert_int_equal(hash_size_of(f->path), cases[i].hash_size);
	}
	unlink(f->path);
	t = open_table(f, 100, 60, true);
	TALLOC_FREE(t);
	t = open_table(f, 1000, 60, true);
	assert_int_equal(bpa_peer_table_max_peers(t), 1000);
	TALLOC_FREE(t);
	assert_int_equal(hash_size_of(f->path), 201);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_add_makes_cert_known_and_gettable,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_default_limit_is_100_and_never_exceeded,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_eviction_needs_more_than_min_age,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_same_sid_replaces_cert_with_new_insertion_time,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_cert_of_another_sid_is_refused_unchanged,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_forgets_peer,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_invalid_peer_refused_unchanged,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_persistence_on_and_off,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_open_does_not_clear_while_another_process_has_it,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_reopened_worker_keeps_table_alive,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_foreign_or_corrupt_file_named_error_untouched,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_version_1_records_read_migrated,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_read_only_handle_refuses_writes,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_is_all_or_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_hash_size_follows_limit_up_to_a_cap,
			setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
