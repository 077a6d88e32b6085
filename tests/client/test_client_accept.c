/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MS-BPAU 3.2.4.1 after the call: bpa_client_accept_server_blob() on
 * server blobs made by the torture encoder (torture/torture_cert.c,
 * independent of source/blob), with a real tdb peer table.  A table of
 * named cases: each wrong certificate gets its HRESULT and stores
 * nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <talloc.h>
#include "util/sid_string.h"
#include "util/bpa_hresult.h"
#include "validate/cert_validate.h"
#include "validator/validator.h"
#include "peers/peer_table.h"
#include "peer_test_util.h"
#include "client/bpa_client.h"
#include "torture/torture_cert.h"

#define SERVER "S-1-5-21-1004336348-1177238915-682003330-1000"
#define OTHER "S-1-5-21-1004336348-1177238915-682003330-1104"

struct fixture {
	char *dir;
	char *path;
	struct bpa_peer_table *t;
	struct dom_sid server;
	struct bpa_validate_policy policy;
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
	p.persistent = true;
	assert_true(HRES_IS_OK(bpa_peer_table_open(f, &p, &f->t)));
	assert_true(bpa_sid_parse(SERVER, &f->server));
	bpa_validate_policy_default(&f->policy);
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

static uint32_t rows(struct fixture *f)
{
	uint32_t n = 0;

	assert_true(HRES_IS_OK(bpa_peer_table_count(f->t, &n)));
	return n;
}

static HRESULT accept_blob(struct fixture *f,
			   const DATA_BLOB *blob,
			   bool store)
{
	struct bpa_client_accept a = {
		.server_sid = &f->server,
		.policy = &f->policy,
		.table = store ? f->t : NULL,
		.now = time(NULL),
	};
	struct bpa_cert_verdict *v = NULL;
	HRESULT hr;

	hr = bpa_client_accept_server_blob(f, blob, &a, &v);
	TALLOC_FREE(v);
	return hr;
}

static void test_server_certificate_accepted_and_stored(void **state)
{
	struct fixture *f = *state;
	struct bpa_peer *row = NULL;
	DATA_BLOB blob;
	const char *err = NULL;

	assert_true(bpa_torture_make_blob(f, SERVER, &blob, &err));
	assert_true(HRES_IS_OK(accept_blob(f, &blob, true)));
	assert_int_equal(rows(f), 1);
	assert_true(HRES_IS_OK(bpa_peer_table_get(f, f->t, &f->server,
						  &row)));
	/* the certificate, and the blob's properties (one SHA1_HASH) */
	assert_true(row->cert_der.length > 500);
	assert_int_equal(row->properties.length, 12 + 20);
	talloc_free(row);
}

static void test_validate_only_stores_nothing(void **state)
{
	struct fixture *f = *state;
	DATA_BLOB blob;
	const char *err = NULL;

	assert_true(bpa_torture_make_blob(f, SERVER, &blob, &err));
	assert_true(HRES_IS_OK(accept_blob(f, &blob, false)));
	assert_int_equal(rows(f), 0);
}

struct bad_case {
	const char *name;
	const char *subject;
	struct bpa_torture_cert_opts opts;
	HRESULT want;
};

static void test_bad_server_certificates_refused_by_name(void **state)
{
	struct fixture *f = *state;
	const struct bad_case cases[] = {
		/* 3.2.4.1: the subject MUST be the server's identity */
		{ "another account", OTHER, { .rsa_bits = 0 },
		  HRES_SEC_E_WRONG_PRINCIPAL },
		/* not a SID at all */
		{ "subject not a SID", "vm.bpa.test", { .rsa_bits = 0 },
		  HRES_E_ACCESSDENIED },
		/* the server role needs serverAuth */
		{ "clientAuth only", SERVER, { .client_auth_only = true },
		  HRES_CERT_E_WRONG_USAGE },
		{ "expired", SERVER, { .expired = true },
		  HRES_CERT_E_EXPIRED },
		{ "1024-bit key", SERVER, { .rsa_bits = 1024 },
		  HRES_NTE_BAD_KEY },
		{ "SHA1_HASH property mismatch", SERVER,
		  { .bad_sha1_property = true }, HRES_CRYPT_E_HASH_VALUE },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		DATA_BLOB blob;
		const char *err = NULL;
		HRESULT hr;

		assert_true(bpa_torture_make_blob_opts(f, cases[i].subject,
				&cases[i].opts, &blob, &err));
		hr = accept_blob(f, &blob, true);
		if (!HRES_IS_EQUAL(hr, cases[i].want)) {
			fail_msg("%s: 0x%08x, expected 0x%08x", cases[i].name,
				 HRES_ERROR_V(hr),
				 HRES_ERROR_V(cases[i].want));
		}
		assert_int_equal(rows(f), 0);
	}
}

static void test_undecodable_blob_refused(void **state)
{
	struct fixture *f = *state;
	static const uint8_t junk[] = { 1, 2, 3, 4, 5, 6, 7 };
	DATA_BLOB blob = data_blob_const(junk, sizeof(junk));
	HRESULT hr;

	hr = accept_blob(f, &blob, true);
	assert_false(HRES_IS_OK(hr));
	assert_int_equal(rows(f), 0);
}

/* Seed bits-validate-server-certificate: phase two for the client role */
struct fake {
	int calls;
	HRESULT answer;
	char endpoint[64];
	char role[16];
};

static HRESULT fake_fn(void *private_data,
		       const struct bpa_validator_request *req)
{
	struct fake *fk = private_data;

	fk->calls++;
	snprintf(fk->endpoint, sizeof(fk->endpoint), "%s", req->endpoint);
	snprintf(fk->role, sizeof(fk->role), "%s", req->role_name);
	return fk->answer;
}

static void test_validator_for_the_client_role(void **state)
{
	struct fixture *f = *state;
	struct bpa_validation_ctx *v = NULL;
	struct bpa_validation_result *vr = NULL;
	struct fake fk = { .answer = HRES_ERROR(0x800b0109) };
	struct bpa_client_accept a = {
		.server_sid = &f->server,
		.policy = &f->policy,
		.table = f->t,
		.now = time(NULL),
		.endpoint = "dc1.example.com:49152",
		.pvalidation = &vr,
	};
	DATA_BLOB blob;
	const char *err = NULL;
	HRESULT hr;

	assert_true(HRES_IS_OK(bpa_validation_ctx_new(f, NULL, &v)));
	bpa_validation_set_callback(v, fake_fn, &fk);
	a.validator = v;
	assert_true(bpa_torture_make_blob(f, SERVER, &blob, &err));
	hr = bpa_client_accept_server_blob(f, &blob, &a, NULL);
	assert_int_equal(HRES_ERROR_V(hr), 0x800b0109);
	assert_non_null(vr);
	assert_int_equal(vr->phase, BPA_PHASE_VALIDATOR);
	assert_int_equal(vr->error_context, 8);
	assert_string_equal(fk.endpoint, "dc1.example.com:49152");
	assert_string_equal(fk.role, "client");
	assert_int_equal(rows(f), 0);	/* refused: nothing stored */

	fk.answer = BPA_S_OK;
	hr = bpa_client_accept_server_blob(f, &blob, &a, NULL);
	assert_true(HRES_IS_OK(hr));
	assert_false(vr->cached);
	assert_int_equal(rows(f), 1);
	hr = bpa_client_accept_server_blob(f, &blob, &a, NULL);
	assert_true(HRES_IS_OK(hr));
	assert_true(vr->cached);
	assert_int_equal(fk.calls, 2);

	/* the wrong server: phase one decides, the validator is not asked */
	assert_true(bpa_torture_make_blob(f, OTHER, &blob, &err));
	hr = bpa_client_accept_server_blob(f, &blob, &a, NULL);
	assert_true(HRES_IS_EQUAL(hr, HRES_SEC_E_WRONG_PRINCIPAL));
	assert_int_equal(fk.calls, 2);
	TALLOC_FREE(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_validator_for_the_client_role, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_server_certificate_accepted_and_stored,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_validate_only_stores_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_bad_server_certificates_refused_by_name,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_undecodable_blob_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
