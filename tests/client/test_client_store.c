/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MS-BPAU 3.2.4.1 (last step) with <6> and <7>: the server's certificate
 * is stored only under the server's own SID, in a real tdb peer table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <talloc.h>
#include "util/sid_string.h"
#include "peers/peer_table.h"
#include "peer_test_util.h"
#include "client/bpa_client.h"

#define SERVER "S-1-5-21-1004336348-1177238915-682003330-1000"
#define OTHER "S-1-5-21-1004336348-1177238915-682003330-1104"
#define T0 1700000000

struct fixture {
	char *dir;
	char *path;
	struct bpa_peer_table *t;
	struct dom_sid server;
	struct dom_sid other;
};

static int setup(void **state)
{
	struct fixture *f = talloc_zero(NULL, struct fixture);
	struct bpa_peer_table_params p;

	assert_non_null(f);
	f->dir = ptu_tmpdir(f);
	assert_non_null(f->dir);
	f->path = talloc_asprintf(f, "%s/peers.tdb", f->dir);
	bpa_peer_table_params_init(&p);
	p.path = f->path;
	p.max_peers = 1;	/* <6> in a table of one row */
	p.evict_min_age = 60;
	p.persistent = true;
	assert_true(HRES_IS_OK(bpa_peer_table_open(f, &p, &f->t)));
	assert_true(bpa_sid_parse(SERVER, &f->server));
	assert_true(bpa_sid_parse(OTHER, &f->other));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	TALLOC_FREE(f->t);
	ptu_rmdir(f->dir);
	talloc_free(f);
	return 0;
}

static DATA_BLOB cert(uint8_t tag)
{
	static uint8_t buf[2][64];
	uint8_t *b = buf[tag & 1];

	memset(b, tag, 64);
	return data_blob_const(b, 64);
}

static uint32_t rows(struct fixture *f)
{
	uint32_t n = 0;

	assert_true(HRES_IS_OK(bpa_peer_table_count(f->t, &n)));
	return n;
}

static void stored_cert_is(struct fixture *f,
			   const struct dom_sid *sid,
			   uint8_t tag)
{
	struct bpa_peer *row = NULL;
	DATA_BLOB want = cert(tag);

	assert_true(HRES_IS_OK(bpa_peer_table_get(f, f->t, sid, &row)));
	assert_int_equal(row->cert_der.length, want.length);
	assert_memory_equal(row->cert_der.data, want.data, want.length);
	talloc_free(row);
}

static void test_server_cert_stored_under_server_sid(void **state)
{
	struct fixture *f = *state;
	DATA_BLOB c = cert(1);

	assert_true(HRES_IS_OK(bpa_client_store_server_cert(f->t, &f->server,
			&f->server, &c, NULL, T0)));
	assert_int_equal(rows(f), 1);
	stored_cert_is(f, &f->server, 1);
}

static void test_wrong_subject_refused_and_nothing_stored(void **state)
{
	struct fixture *f = *state;
	DATA_BLOB c = cert(1);
	HRESULT hr;

	hr = bpa_client_store_server_cert(f->t, &f->server, &f->other, &c,
					  NULL, T0);
	assert_true(HRES_IS_EQUAL(hr, HRES_SEC_E_WRONG_PRINCIPAL));
	assert_int_equal(rows(f), 0);
}

static void test_same_server_replaced(void **state)
{
	struct fixture *f = *state;
	DATA_BLOB c1 = cert(1);
	DATA_BLOB c2 = cert(2);

	assert_true(HRES_IS_OK(bpa_client_store_server_cert(f->t, &f->server,
			&f->server, &c1, NULL, T0)));
	/* <7>: Windows replaces the prior certificate */
	assert_true(HRES_IS_OK(bpa_client_store_server_cert(f->t, &f->server,
			&f->server, &c2, NULL, T0 + 1)));
	assert_int_equal(rows(f), 1);
	stored_cert_is(f, &f->server, 2);
}

static void test_full_table_refuses_then_evicts_after_a_minute(void **state)
{
	struct fixture *f = *state;
	DATA_BLOB c1 = cert(1);
	DATA_BLOB c2 = cert(2);
	HRESULT hr;

	assert_true(HRES_IS_OK(bpa_client_store_server_cert(f->t, &f->server,
			&f->server, &c1, NULL, T0)));
	/* <6>: the oldest row is younger than a minute: an error */
	hr = bpa_client_store_server_cert(f->t, &f->other, &f->other, &c2,
					  NULL, T0 + 30);
	assert_true(HRES_IS_EQUAL(hr, HRES_OLE_E_NOCACHE));
	assert_int_equal(rows(f), 1);
	stored_cert_is(f, &f->server, 1);
	/* older than a minute: evicted, the new server stored */
	assert_true(HRES_IS_OK(bpa_client_store_server_cert(f->t, &f->other,
			&f->other, &c2, NULL, T0 + 61)));
	assert_int_equal(rows(f), 1);
	stored_cert_is(f, &f->other, 2);
}

static void test_bad_arguments(void **state)
{
	struct fixture *f = *state;
	DATA_BLOB empty = data_blob_null;
	DATA_BLOB c = cert(1);

	assert_true(HRES_IS_EQUAL(bpa_client_store_server_cert(f->t,
			&f->server, &f->server, &empty, NULL, T0),
			HRES_E_INVALIDARG));
	assert_true(HRES_IS_EQUAL(bpa_client_store_server_cert(NULL,
			&f->server, &f->server, &c, NULL, T0),
			HRES_E_INVALIDARG));
	assert_int_equal(rows(f), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_server_cert_stored_under_server_sid,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_wrong_subject_refused_and_nothing_stored,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_server_replaced,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_full_table_refuses_then_evicts_after_a_minute,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
