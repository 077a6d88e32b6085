/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Seed bits-validate-server-certificate: the two phases, the callback
 * semantics (fake callbacks), the success cache and failure records,
 * the command validator (real shell scripts) and the module validator
 * (the real test module, BPA_TEST_MODULE).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <errno.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "validator/validator.h"
#include "util/bpa_hresult.h"
#include "util/bpa_config.h"
#include "util/bpa_crypto.h"
#include "util/sid_string.h"
#include "test_cert_util.h"

#define NOW ((time_t)1800000000)	/* 2027-01-15 */
#define SID_A "S-1-5-21-1004336348-1177238915-682003330-1105"
#define SID_B "S-1-5-21-1004336348-1177238915-682003330-1106"

static gnutls_x509_privkey_t key;
static char tmpdir[] = "/tmp/bpa-validator-XXXXXX";

/* The fake callback: counts, and answers what it is told to */
struct fake {
	int calls;
	HRESULT answer;
	char endpoint[300];
	char sha[65];
	char subject[100];
	char role[10];
};

static HRESULT fake_fn(void *private_data,
		       const struct bpa_validator_request *req)
{
	struct fake *f = private_data;

	f->calls++;
	snprintf(f->endpoint, sizeof(f->endpoint), "%s", req->endpoint);
	snprintf(f->sha, sizeof(f->sha), "%s", req->cert_sha256);
	snprintf(f->subject, sizeof(f->subject), "%s", req->subject_sid);
	snprintf(f->role, sizeof(f->role), "%s", req->role_name);
	return f->answer;
}

static int setup(void **state)
{
	key = tcu_key(GNUTLS_PK_RSA, 2048);
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[200];

	gnutls_x509_privkey_deinit(key);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A certificate for @cn valid from NOW - @age for 30 days */
static struct bpa_cert_blob *blob_for(TALLOC_CTX *ctx,
				      const char *cn,
				      time_t age)
{
	struct tcu_cert_opts o = {
		.key = key,
		.cn = cn,
		.not_before = NOW - age,
		.not_after = NOW - age + 30 * 86400,
		.eku = TCU_EKU_SERVER | TCU_EKU_CLIENT,
	};
	DATA_BLOB der = tcu_make_cert(ctx, &o);
	struct bpa_cert_blob *blob = NULL;

	assert_non_null(der.data);
	assert_int_equal(bpa_blob_from_cert(ctx, &der, &blob), BPA_BLOB_OK);
	return blob;
}

static char *path_in_tmp(TALLOC_CTX *ctx, const char *name)
{
	return talloc_asprintf(ctx, "%s/%s", tmpdir, name);
}

static struct bpa_validation_ctx *new_ctx(TALLOC_CTX *mem,
					  const char *file,
					  uint32_t size,
					  bool empty)
{
	struct bpa_validation_params p = {
		.cache_file = file, .cache_size = size,
		.empty_at_start = empty, .timeout = 1,
	};
	struct bpa_validation_ctx *v = NULL;

	assert_true(HRES_IS_OK(bpa_validation_ctx_new(mem, &p, &v)));
	return v;
}

static struct bpa_validation_result *check_at(TALLOC_CTX *mem,
					      struct bpa_validation_ctx *v,
					      const struct bpa_cert_blob *b,
					      const char *endpoint,
					      time_t now)
{
	struct bpa_validation_result *r = NULL;

	bpa_validation_check(mem, v, b, BPA_CERT_ROLE_CLIENT, NULL, endpoint,
			     now, &r);
	assert_non_null(r);
	return r;
}

static struct bpa_validation_result *check(TALLOC_CTX *mem,
					   struct bpa_validation_ctx *v,
					   const struct bpa_cert_blob *b,
					   const char *endpoint)
{
	return check_at(mem, v, b, endpoint, NOW);
}

static void test_no_validator(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_validation_ctx *v = new_ctx(mem, NULL, 0, false);
	struct bpa_validation_result *r = NULL;

	r = check(mem, v, blob_for(mem, SID_A, 3600), SID_A);
	assert_true(HRES_IS_OK(r->hres));
	assert_int_equal(r->phase, BPA_PHASE_BUILTIN);
	assert_false(r->have_validator);
	assert_string_equal(bpa_validation_phase_name(r->phase), "builtin");
	TALLOC_FREE(mem);
}

/* Called after phase one accepted, with what the request promises */
static void test_called_after_phase_one(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_validation_ctx *v = new_ctx(mem, NULL, 0, false);
	struct fake f = { .answer = BPA_S_OK };
	struct bpa_cert_blob *good = blob_for(mem, SID_A, 3600);
	struct bpa_cert_blob *expired = blob_for(mem, SID_A, 60 * 86400);
	struct bpa_cert_blob *not_sid = blob_for(mem, "host.example", 3600);
	struct bpa_validation_result *r = NULL;
	uint8_t d[BPA_SHA256_LEN];
	char sha[65];

	bpa_validation_set_callback(v, fake_fn, &f);
	r = check(mem, v, expired, SID_A);
	assert_true(HRES_IS_EQUAL(r->hres, HRES_CERT_E_EXPIRED));
	assert_int_equal(r->phase, BPA_PHASE_BUILTIN);
	assert_int_equal(r->error_context, 0);
	r = check(mem, v, not_sid, SID_A);
	assert_int_equal(r->phase, BPA_PHASE_BUILTIN);
	assert_int_equal(f.calls, 0);

	r = check(mem, v, good, SID_A);
	assert_true(HRES_IS_OK(r->hres));
	assert_int_equal(f.calls, 1);
	assert_int_equal(r->phase, BPA_PHASE_VALIDATOR);
	assert_false(r->cached);
	assert_string_equal(f.endpoint, SID_A);
	assert_string_equal(f.subject, SID_A);
	assert_string_equal(f.role, "server");
	assert_true(bpa_sha256(good->cert_der.data, good->cert_der.length,
			       d));
	bpa_hex_lower(d, sizeof(d), sha);
	assert_string_equal(f.sha, sha);

	/* the client role: a client validating a server's certificate */
	r = NULL;
	bpa_validation_check(mem, v, good, BPA_CERT_ROLE_SERVER, NULL,
			     "dc.bpa.test:49152", NOW, &r);
	assert_non_null(r);
	assert_true(HRES_IS_OK(r->hres));
	assert_string_equal(f.role, "client");
	assert_string_equal(f.endpoint, "dc.bpa.test:49152");
	TALLOC_FREE(mem);
}

/* Not called again for a pair it allowed; a new endpoint is new */
static void test_cache_hit(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_validation_ctx *v = new_ctx(mem, NULL, 0, false);
	struct fake f = { .answer = BPA_S_OK };
	struct bpa_cert_blob *good = blob_for(mem, SID_A, 3600);
	struct bpa_cert_blob *other = blob_for(mem, SID_A, 7200);
	struct bpa_validation_result *r = NULL;

	bpa_validation_set_callback(v, fake_fn, &f);
	check(mem, v, good, SID_A);
	r = check(mem, v, good, SID_A);
	assert_true(HRES_IS_OK(r->hres));
	assert_true(r->cached);
	assert_int_equal(r->phase, BPA_PHASE_VALIDATOR);
	assert_int_equal(f.calls, 1);
	check(mem, v, good, SID_B);
	assert_int_equal(f.calls, 2);
	check(mem, v, other, SID_A);
	assert_int_equal(f.calls, 3);
	TALLOC_FREE(mem);
}

/*
 * bpa_validation_set_no_wait(): a pair that would need the validator is
 * E_PENDING, with nothing asked or counted; a cached pair is decided
 */
static void test_no_wait(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *file = path_in_tmp(mem, "nowait.tdb");
	struct bpa_validation_ctx *v = new_ctx(mem, file, 0, false);
	struct fake f = { .answer = HRES_E_ACCESSDENIED };
	struct bpa_cert_blob *good = blob_for(mem, SID_A, 3600);
	struct bpa_validation_result *r = NULL;
	struct bpa_validator_failure *list = NULL;
	size_t n = 0;

	bpa_validation_set_callback(v, fake_fn, &f);
	bpa_validation_set_no_wait(v, true);
	r = check(mem, v, good, SID_A);
	assert_true(HRES_IS_EQUAL(r->hres, HRES_E_PENDING));
	assert_int_equal(f.calls, 0);
	/* allowed to wait: refused, and counted */
	bpa_validation_set_no_wait(v, false);
	r = check(mem, v, good, SID_A);
	assert_true(HRES_IS_EQUAL(r->hres, HRES_E_ACCESSDENIED));
	assert_int_equal(r->failures, 1);
	f.answer = BPA_S_OK;
	r = check(mem, v, good, SID_A);
	assert_true(HRES_IS_OK(r->hres));
	assert_int_equal(f.calls, 2);
	/* the pair is cached now: decided without waiting */
	bpa_validation_set_no_wait(v, true);
	r = check(mem, v, good, SID_A);
	assert_true(HRES_IS_OK(r->hres));
	assert_true(r->cached);
	assert_int_equal(f.calls, 2);
	r = check(mem, v, good, SID_B);
	assert_true(HRES_IS_EQUAL(r->hres, HRES_E_PENDING));
	assert_int_equal(f.calls, 2);
	TALLOC_FREE(v);		/* one handle per file and process */
	/* the pending checks counted nothing */
	assert_true(HRES_IS_OK(bpa_validation_failures(mem, file, &list,
						       &n)));
	assert_int_equal(n, 1);
	assert_string_equal(list[0].endpoint, SID_A);
	assert_int_equal(list[0].count, 1);
	TALLOC_FREE(mem);
}

/* Refusals are never cached; each is counted */
static void test_refusals(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *file = path_in_tmp(mem, "refusals.tdb");
	struct bpa_validation_ctx *v = new_ctx(mem, file, 0, false);
	struct fake f = { .answer = HRES_E_ACCESSDENIED };
	struct bpa_cert_blob *good = blob_for(mem, SID_A, 3600);
	struct bpa_validation_result *r = NULL;
	struct bpa_validator_failure *list = NULL;
	size_t n = 0;
	int i;

	bpa_validation_set_callback(v, fake_fn, &f);
	for (i = 1; i <= 3; i++) {
		r = check_at(mem, v, good, SID_A, NOW + i);
		assert_true(HRES_IS_EQUAL(r->hres, HRES_E_ACCESSDENIED));
		assert_int_equal(r->phase, BPA_PHASE_VALIDATOR);
		assert_int_equal(r->error_context, 8);
		assert_int_equal(r->failures, i);
		assert_true(r->verdict->reasons & BPA_CERT_R_PHASE_TWO);
	}
	assert_int_equal(f.calls, 3);
	/* a value without the failure bit is E_FAIL */
	f.answer = HRES_ERROR(1);
	r = check_at(mem, v, good, SID_B, NOW + 10);
	assert_true(HRES_IS_EQUAL(r->hres, HRES_E_FAIL));
	TALLOC_FREE(v);		/* one handle per file and process */

	assert_true(HRES_IS_OK(bpa_validation_failures(mem, file, &list,
						       &n)));
	assert_int_equal(n, 2);
	/* most recent first */
	assert_string_equal(list[0].endpoint, SID_B);
	assert_int_equal(list[0].count, 1);
	assert_int_equal(list[0].last_hresult, 0x80004005);
	assert_string_equal(list[1].endpoint, SID_A);
	assert_int_equal(list[1].count, 3);
	assert_int_equal(list[1].first, NOW + 1);
	assert_int_equal(list[1].last, NOW + 3);
	assert_int_equal(list[1].last_hresult, 0x80070005);
	TALLOC_FREE(mem);
}

/* Unavailable: refused with 0x80200074, neither counted nor cached */
static void test_unavailable_callback(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *file = path_in_tmp(mem, "unavailable.tdb");
	struct bpa_validation_ctx *v = new_ctx(mem, file, 0, false);
	struct fake f = { .answer = BPA_E_VALIDATOR_UNAVAILABLE };
	struct bpa_cert_blob *good = blob_for(mem, SID_A, 3600);
	struct bpa_validation_result *r = NULL;
	struct bpa_validator_failure *list = NULL;
	size_t n = 0;

	bpa_validation_set_callback(v, fake_fn, &f);
	r = check(mem, v, good, SID_A);
	assert_true(HRES_IS_EQUAL(r->hres, BPA_E_VALIDATOR_UNAVAILABLE));
	assert_int_equal(r->phase, BPA_PHASE_UNAVAILABLE);
	assert_int_equal(r->error_context, 8);
	assert_string_equal(bpa_validation_phase_name(r->phase),
			    "validator-unavailable");
	assert_string_equal(bpa_hresult_name(r->hres),
			    "BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED");
	f.answer = BPA_S_OK;
	r = check(mem, v, good, SID_A);
	assert_true(HRES_IS_OK(r->hres));
	assert_false(r->cached);
	assert_int_equal(f.calls, 2);
	TALLOC_FREE(v);
	assert_true(HRES_IS_OK(bpa_validation_failures(mem, file, &list,
						       &n)));
	assert_int_equal(n, 0);
	TALLOC_FREE(mem);
}

/* Seed: the cache is cleared by a new callback; the last one wins */
static void test_new_callback(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_validation_ctx *v = new_ctx(mem, NULL, 0, false);
	struct fake a = { .answer = BPA_S_OK };
	struct fake b = { .answer = BPA_S_OK };
	struct bpa_cert_blob *good = blob_for(mem, SID_A, 3600);
	struct bpa_validation_result *r = NULL;

	bpa_validation_set_callback(v, fake_fn, &a);
	bpa_validation_set_callback(v, fake_fn, &b);
	check(mem, v, good, SID_A);
	assert_int_equal(a.calls, 0);
	assert_int_equal(b.calls, 1);
	bpa_validation_set_callback(v, fake_fn, &a);
	r = check(mem, v, good, SID_A);
	assert_false(r->cached);
	assert_int_equal(a.calls, 1);
	/* the same callback set again is a new one too */
	bpa_validation_set_callback(v, fake_fn, &a);
	check(mem, v, good, SID_A);
	assert_int_equal(a.calls, 2);
	assert_int_equal(b.calls, 1);
	/* NULL: phase one only */
	bpa_validation_set_callback(v, NULL, NULL);
	r = check(mem, v, good, SID_A);
	assert_int_equal(r->phase, BPA_PHASE_BUILTIN);
	assert_int_equal(a.calls, 2);
	TALLOC_FREE(mem);
}

/* Phase one on every call: a cached pair expired a second ago */
static void test_expired_cached(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_validation_ctx *v = new_ctx(mem, NULL, 0, false);
	struct fake f = { .answer = BPA_S_OK };
	struct bpa_cert_blob *good = blob_for(mem, SID_A, 3600);
	struct bpa_validation_result *r = NULL;
	time_t end = NOW - 3600 + 30 * 86400 + 300;	/* + clock skew */

	bpa_validation_set_callback(v, fake_fn, &f);
	r = check_at(mem, v, good, SID_A, end);
	assert_true(HRES_IS_OK(r->hres));
	r = check_at(mem, v, good, SID_A, end);
	assert_true(r->cached);
	r = check_at(mem, v, good, SID_A, end + 1);
	assert_true(HRES_IS_EQUAL(r->hres, HRES_CERT_E_EXPIRED));
	assert_int_equal(r->phase, BPA_PHASE_BUILTIN);
	assert_int_equal(f.calls, 1);
	TALLOC_FREE(mem);
}

/* Bounded: oldest out */
static void test_cache_bound(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_validation_ctx *v = new_ctx(mem, NULL, 2, false);
	struct fake f = { .answer = BPA_S_OK };
	struct bpa_cert_blob *good = blob_for(mem, SID_A, 3600);

	bpa_validation_set_callback(v, fake_fn, &f);
	check(mem, v, good, "e1");
	check(mem, v, good, "e2");
	check(mem, v, good, "e3");
	assert_int_equal(f.calls, 3);
	assert_true(check(mem, v, good, "e3")->cached);
	assert_true(check(mem, v, good, "e2")->cached);
	assert_false(check(mem, v, good, "e1")->cached);	/* evicted */
	assert_int_equal(f.calls, 4);
	assert_false(check(mem, v, good, "e2")->cached);
	TALLOC_FREE(mem);
}

/* ---- configured validators ---- */

static struct bpa_config *cfg_with(TALLOC_CTX *mem,
				   const char *command,
				   const char *module,
				   const char *file)
{
	struct bpa_config *c = talloc_zero(mem, struct bpa_config);

	assert_non_null(c);
	c->validator_command = command ? talloc_strdup(c, command) : NULL;
	c->validator_module = module ? talloc_strdup(c, module) : NULL;
	c->validator_timeout = 1;
	c->validator_cache_size = 100;
	c->validator_cache_file = talloc_strdup(c, file);
	return c;
}

static char *script(TALLOC_CTX *mem,
		    const char *name,
		    const char *body,
		    mode_t mode)
{
	char *path = path_in_tmp(mem, name);
	char *tmp = talloc_asprintf(mem, "%s.new", path);
	FILE *f = fopen(tmp, "w");

	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	assert_int_equal(chmod(tmp, mode), 0);
	/* a new file, as an administrator installs one */
	assert_int_equal(rename(tmp, path), 0);
	return path;
}

static int lines_of(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0;
	int c;

	if (f == NULL) {
		return 0;
	}
	while ((c = fgetc(f)) != EOF) {
		n += c == '\n';
	}
	fclose(f);
	return n;
}

static struct bpa_validation_ctx *cfg_ctx(TALLOC_CTX *mem,
					  const struct bpa_config *c,
					  bool starting)
{
	struct bpa_validation_ctx *v = NULL;

	assert_true(HRES_IS_OK(bpa_validation_ctx_from_config(mem, c,
							      starting, &v)));
	assert_true(bpa_validation_has_validator(v));
	return v;
}

/* A shared file: emptied at start (failures kept), reset */
static void test_file_start_reset(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *file = path_in_tmp(mem, "shared.tdb");
	char *body = talloc_asprintf(mem, "[ \"$BPA_ENDPOINT\" = e2 ] && "
				     "{ echo 0x80070005; exit 1; }\nexit 0");
	struct bpa_config *c = cfg_with(mem, script(mem, "sr.sh", body, 0755),
					NULL, file);
	struct bpa_validation_ctx *v = cfg_ctx(mem, c, true);
	struct bpa_cert_blob *good = blob_for(mem, SID_A, 3600);
	struct bpa_validator_failure *list = NULL;
	uint64_t dropped = 0;
	size_t n = 0;

	check(mem, v, good, "e1");
	assert_int_equal(HRES_ERROR_V(check(mem, v, good, "e2")->hres),
			 0x80070005);
	assert_true(check(mem, v, good, "e1")->cached);
	TALLOC_FREE(v);		/* one handle per file and process */

	/* another context (process) on the same file: still cached */
	v = cfg_ctx(mem, c, false);
	assert_true(check(mem, v, good, "e1")->cached);
	TALLOC_FREE(v);
	assert_true(HRES_IS_OK(bpa_validation_reset(file, false, &dropped)));
	assert_int_equal(dropped, 1);
	v = cfg_ctx(mem, c, false);
	assert_false(check(mem, v, good, "e1")->cached);
	assert_true(check(mem, v, good, "e1")->cached);
	TALLOC_FREE(v);

	/* samba's start: successes dropped, the failures stay */
	v = cfg_ctx(mem, c, true);
	assert_false(check(mem, v, good, "e1")->cached);
	TALLOC_FREE(v);
	assert_true(HRES_IS_OK(bpa_validation_failures(mem, file, &list,
						       &n)));
	assert_int_equal(n, 1);
	assert_string_equal(list[0].endpoint, "e2");
	assert_true(HRES_IS_OK(bpa_validation_reset(file, true, NULL)));
	assert_true(HRES_IS_OK(bpa_validation_failures(mem, file, &list,
						       &n)));
	assert_int_equal(n, 0);
	/* no file: no failures */
	assert_true(HRES_IS_OK(bpa_validation_failures(
		mem, path_in_tmp(mem, "none.tdb"), &list, &n)));
	assert_int_equal(n, 0);
	TALLOC_FREE(mem);
}

static void test_command(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *log = path_in_tmp(mem, "cmd.log");
	char *body = talloc_asprintf(mem,
		"n=$(wc -c)\n"
		"echo \"$BPA_ROLE $BPA_ENDPOINT $BPA_SUBJECT_SID "
		"$BPA_CERT_SHA256 $n $(env | grep -c ^BPA_) ${HOME:-none}\" "
		">> %s\n"
		"echo 'to the log' >&2\nexit 0", log);
	char *prog = script(mem, "accept.sh", body, 0755);
	struct bpa_config *c = cfg_with(mem, prog, NULL,
					path_in_tmp(mem, "cmd.tdb"));
	struct bpa_validation_ctx *v = cfg_ctx(mem, c, true);
	struct bpa_cert_blob *good = blob_for(mem, SID_A, 3600);
	struct bpa_validation_result *r = NULL;
	uint8_t d[BPA_SHA256_LEN];
	char sha[65];
	char want[400];
	char got[400] = "";
	FILE *f = NULL;

	r = check(mem, v, good, SID_A);
	assert_true(HRES_IS_OK(r->hres));
	assert_int_equal(r->phase, BPA_PHASE_VALIDATOR);
	assert_true(check(mem, v, good, SID_A)->cached);
	assert_int_equal(lines_of(log), 1);
	bpa_sha256(good->cert_der.data, good->cert_der.length, d);
	bpa_hex_lower(d, sizeof(d), sha);
	/* DER on stdin; the four BPA_*, nothing of the caller's */
	snprintf(want, sizeof(want), "server %s %s %s %zu 4 none\n", SID_A,
		 SID_A, sha, good->cert_der.length);
	f = fopen(log, "r");
	assert_non_null(f);
	assert_non_null(fgets(got, sizeof(got), f));
	fclose(f);
	assert_string_equal(got, want);

	/* replacing the program clears the cache */
	script(mem, "accept.sh", body, 0755);
	assert_false(check(mem, v, good, SID_A)->cached);
	assert_int_equal(lines_of(log), 2);
	TALLOC_FREE(mem);
}

static HRESULT run_script(TALLOC_CTX *mem,
			  const char *name,
			  const char *body,
			  mode_t mode,
			  enum bpa_validation_phase *phase)
{
	char *prog = script(mem, name, body, mode);
	struct bpa_config *c = cfg_with(mem, prog, NULL,
					path_in_tmp(mem, "run.tdb"));
	struct bpa_validation_ctx *v = cfg_ctx(mem, c, true);
	struct bpa_validation_result *r = NULL;
	HRESULT hr;

	r = check(mem, v, blob_for(mem, SID_A, 3600), SID_A);
	*phase = r->phase;
	hr = r->hres;
	TALLOC_FREE(v);
	return hr;
}

static void test_command_answers(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	enum bpa_validation_phase ph;
	HRESULT hr;

	hr = run_script(mem, "r1.sh", "echo 0x80070005; exit 1", 0755, &ph);
	assert_int_equal(HRES_ERROR_V(hr), 0x80070005);
	assert_int_equal(ph, BPA_PHASE_VALIDATOR);
	hr = run_script(mem, "r2.sh", "exit 3", 0755, &ph);
	assert_int_equal(HRES_ERROR_V(hr), 0x80004005);
	hr = run_script(mem, "r3.sh", "echo 0x00000001; exit 1", 0755, &ph);
	assert_int_equal(HRES_ERROR_V(hr), 0x80004005);
	hr = run_script(mem, "r4.sh", "echo not-a-number; exit 1", 0755, &ph);
	assert_int_equal(HRES_ERROR_V(hr), 0x80004005);
	/* exit 0 accepts whatever it prints; input it does not read */
	hr = run_script(mem, "r5.sh", "echo 0x80070005; exit 0", 0755, &ph);
	assert_true(HRES_IS_OK(hr));
	/* unavailable: not executable, killed by a signal */
	hr = run_script(mem, "u1.sh", "exit 0", 0644, &ph);
	assert_int_equal(HRES_ERROR_V(hr), 0x80200074);
	assert_int_equal(ph, BPA_PHASE_UNAVAILABLE);
	hr = run_script(mem, "u2.sh", "kill -9 $$", 0755, &ph);
	assert_int_equal(HRES_ERROR_V(hr), 0x80200074);
	TALLOC_FREE(mem);
}

static bool process_gone(pid_t pid)
{
	char path[64];
	char buf[512];
	FILE *f = NULL;
	char *p = NULL;
	bool gone = true;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL) {
		return true;
	}
	if (fgets(buf, sizeof(buf), f) != NULL) {
		p = strrchr(buf, ')');
		gone = p != NULL && p[1] == ' ' && p[2] == 'Z';
	}
	fclose(f);
	return gone;
}

/* The timeout ends the whole process group, children too */
static void test_command_timeout(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *pidf = path_in_tmp(mem, "child.pid");
	char *body = talloc_asprintf(mem, "sleep 30 &\necho $! > %s\n"
				     "sleep 30", pidf);
	enum bpa_validation_phase ph;
	long pid = 0;
	FILE *f = NULL;
	HRESULT hr;
	int i;

	hr = run_script(mem, "slow.sh", body, 0755, &ph);
	assert_int_equal(HRES_ERROR_V(hr), 0x80200074);
	assert_int_equal(ph, BPA_PHASE_UNAVAILABLE);
	f = fopen(pidf, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &pid), 1);
	fclose(f);
	for (i = 0; i < 100 && !process_gone((pid_t)pid); i++) {
		usleep(20000);
	}
	assert_true(process_gone((pid_t)pid));
	TALLOC_FREE(mem);
}

/* Missing, then back: works again without a new context */
static void test_command_missing(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *prog = path_in_tmp(mem, "back.sh");
	struct bpa_config *c = cfg_with(mem, prog, NULL,
					path_in_tmp(mem, "back.tdb"));
	struct bpa_validation_ctx *v = cfg_ctx(mem, c, true);
	struct bpa_cert_blob *good = blob_for(mem, SID_A, 3600);
	struct bpa_validation_result *r = NULL;

	r = check(mem, v, good, SID_A);
	assert_int_equal(HRES_ERROR_V(r->hres), 0x80200074);
	script(mem, "back.sh", "exit 0", 0755);
	r = check(mem, v, good, SID_A);
	assert_true(HRES_IS_OK(r->hres));
	TALLOC_FREE(mem);
}

/* Both configured: every check unavailable, never accepted */
static void test_both_configured(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *prog = script(mem, "both.sh", "exit 0", 0755);
	struct bpa_config *c = cfg_with(mem, prog, getenv("BPA_TEST_MODULE"),
					path_in_tmp(mem, "both.tdb"));
	struct bpa_validation_ctx *v = cfg_ctx(mem, c, true);
	struct bpa_validation_result *r = NULL;

	r = check(mem, v, blob_for(mem, SID_A, 3600), SID_A);
	assert_int_equal(HRES_ERROR_V(r->hres), 0x80200074);
	assert_int_equal(r->phase, BPA_PHASE_UNAVAILABLE);
	TALLOC_FREE(mem);
}

static void test_module(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	const char *built = getenv("BPA_TEST_MODULE");
	char *mod = path_in_tmp(mem, "validator.so");
	char *log = talloc_asprintf(mem, "%s.log", mod);
	char *deny = talloc_asprintf(mem, "%s.deny", mod);
	char *cmd = NULL;
	struct bpa_config *c = cfg_with(mem, NULL, mod,
					path_in_tmp(mem, "mod.tdb"));
	struct bpa_validation_ctx *v = NULL;
	struct bpa_cert_blob *good = blob_for(mem, SID_A, 3600);
	struct bpa_validation_result *r = NULL;
	FILE *f = NULL;

	assert_non_null(built);
	v = cfg_ctx(mem, c, true);
	/* not there yet */
	r = check(mem, v, good, SID_A);
	assert_int_equal(HRES_ERROR_V(r->hres), 0x80200074);
	cmd = talloc_asprintf(mem, "cp %s %s.new && mv %s.new %s", built, mod,
			      mod, mod);
	assert_int_equal(system(cmd), 0);
	r = check(mem, v, good, SID_A);
	assert_true(HRES_IS_OK(r->hres));
	assert_true(check(mem, v, good, SID_A)->cached);
	assert_int_equal(lines_of(log), 1);

	f = fopen(deny, "w");
	assert_non_null(f);
	fprintf(f, "0x800b0109\n");
	fclose(f);
	r = check(mem, v, good, SID_B);
	assert_int_equal(HRES_ERROR_V(r->hres), 0x800b0109);
	assert_int_equal(r->failures, 1);
	/* replaced: loaded again, cache cleared */
	assert_int_equal(system(cmd), 0);
	r = check(mem, v, good, SID_A);
	assert_int_equal(HRES_ERROR_V(r->hres), 0x800b0109);
	assert_int_equal(lines_of(log), 3);
	/* a file that is not a module */
	script(mem, "validator.so", "exit 0", 0755);
	r = check(mem, v, good, SID_A);
	assert_int_equal(HRES_ERROR_V(r->hres), 0x80200074);
	TALLOC_FREE(mem);
}

/* Endpoints: a longest DNS name with a port; no space, no control */
static void test_endpoints(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_validation_ctx *v = new_ctx(mem, NULL, 0, false);
	struct fake f = { .answer = BPA_S_OK };
	struct bpa_cert_blob *good = blob_for(mem, SID_A, 3600);
	struct bpa_validation_result *r = NULL;
	char ep[400];
	HRESULT hr;

	bpa_validation_set_callback(v, fake_fn, &f);
	memset(ep, 'a', 253);
	snprintf(ep + 253, sizeof(ep) - 253, ":65535");
	assert_true(HRES_IS_OK(check(mem, v, good, ep)->hres));
	memset(ep, 'a', 330);
	ep[330] = '\0';
	hr = bpa_validation_check(mem, v, good, BPA_CERT_ROLE_CLIENT, NULL,
				  ep, NOW, &r);
	assert_true(HRES_IS_EQUAL(hr, HRES_E_INVALIDARG));
	assert_null(r);
	hr = bpa_validation_check(mem, v, good, BPA_CERT_ROLE_CLIENT, NULL,
				  "a b:1", NOW, &r);
	assert_true(HRES_IS_EQUAL(hr, HRES_E_INVALIDARG));
	hr = bpa_validation_check(mem, v, good, BPA_CERT_ROLE_CLIENT, NULL,
				  "", NOW, &r);
	assert_true(HRES_IS_EQUAL(hr, HRES_E_INVALIDARG));
	assert_int_equal(f.calls, 1);
	TALLOC_FREE(mem);
}

/* The failure records are bounded too: the least recently refused out */
static void test_failures_bound(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *file = path_in_tmp(mem, "fbound.tdb");
	struct bpa_validation_ctx *v = new_ctx(mem, file, 2, false);
	struct fake f = { .answer = HRES_E_ACCESSDENIED };
	struct bpa_cert_blob *good = blob_for(mem, SID_A, 3600);
	struct bpa_validator_failure *list = NULL;
	size_t n = 0;

	bpa_validation_set_callback(v, fake_fn, &f);
	check_at(mem, v, good, "e1", NOW + 1);
	check_at(mem, v, good, "e2", NOW + 2);
	check_at(mem, v, good, "e1", NOW + 3);	/* e2 is now the oldest */
	check_at(mem, v, good, "e3", NOW + 4);
	TALLOC_FREE(v);
	assert_true(HRES_IS_OK(bpa_validation_failures(mem, file, &list,
						       &n)));
	assert_int_equal(n, 2);
	assert_string_equal(list[0].endpoint, "e3");
	assert_string_equal(list[1].endpoint, "e1");
	assert_int_equal(list[1].count, 2);
	TALLOC_FREE(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_validator),
		cmocka_unit_test(test_called_after_phase_one),
		cmocka_unit_test(test_cache_hit),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_no_wait),
		cmocka_unit_test(test_unavailable_callback),
		cmocka_unit_test(test_new_callback),
		cmocka_unit_test(test_expired_cached),
		cmocka_unit_test(test_cache_bound),
		cmocka_unit_test(test_file_start_reset),
		cmocka_unit_test(test_command),
		cmocka_unit_test(test_command_answers),
		cmocka_unit_test(test_command_timeout),
		cmocka_unit_test(test_command_missing),
		cmocka_unit_test(test_both_configured),
		cmocka_unit_test(test_module),
		cmocka_unit_test(test_endpoints),
		cmocka_unit_test(test_failures_bound),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
