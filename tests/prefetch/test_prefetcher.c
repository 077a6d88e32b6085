/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The prefetcher (seed cert-open-server-ocsp-response) against a real
 * openssl ocsp responder on loopback, in the namespace of with_pki.sh.
 * Responses live one minute (-nmin 1) and the settings are small (min
 * validity 50 s, max before 55 s, min before 2 s, min after 1 s), so a
 * refresh is due five seconds after each retrieval and a response stops
 * being handed out ten seconds after it was made.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <talloc.h>
#include <tevent.h>
#include "util/bpa_hresult.h"
#include "prefetch/prefetcher.h"
#include "prefetch/prefetch_config.h"
#include "pf_test_util.h"

struct fx {
	TALLOC_CTX *mem_ctx;
	struct tevent_context *ev;
	gnutls_x509_crt_t ca;
	char *file;
	struct bpa_prefetch_params p;
	pid_t responder;	/* stopped by teardown if the test failed */
};

static void start(struct fx *f, const char *signer)
{
	f->responder = pf_responder_start(signer);
}

static void stop(struct fx *f)
{
	pf_responder_stop(f->responder);
	f->responder = 0;
}

static int setup(void **state)
{
	struct fx *f = talloc_zero(NULL, struct fx);
	char dir[] = "/tmp/bpa-pf-XXXXXX";

	assert_non_null(f);
	assert_non_null(mkdtemp(dir));
	f->mem_ctx = f;
	f->ev = tevent_context_init(f);
	assert_non_null(f->ev);
	f->ca = pf_load_crt(f, "ca");
	f->file = talloc_asprintf(f, "%s/response.der", dir);
	bpa_prefetch_params_init(&f->p);
	f->p.s.min_validity = 50;
	f->p.s.url_timeout_ms = 1000;
	f->p.s.max_before = 55;
	f->p.s.min_before = 2;
	f->p.s.min_after = 1;
	f->p.response_file = f->file;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char *cmd = talloc_asprintf(f, "rm -rf '%s'", f->file);

	/* the folder: strip "/response.der" */
	cmd[strlen(cmd) - strlen("/response.der'")] = '\'';
	cmd[strlen(cmd) - strlen("response.der'")] = '\0';
	if (f->responder > 0) {
		pf_responder_stop(f->responder);
	}
	assert_int_equal(system(cmd), 0);
	talloc_free(f);
	return 0;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* The file holds exactly what is handed out */
static void assert_file_is_current(struct fx *f, struct bpa_prefetch *pf)
{
	const DATA_BLOB *cur = bpa_prefetch_current(pf, time(NULL));
	gnutls_datum_t d = { NULL, 0 };
	struct stat st;

	assert_non_null(cur);
	assert_int_equal(gnutls_load_file(f->file, &d), 0);
	assert_int_equal(d.size, cur->length);
	assert_memory_equal(d.data, cur->data, d.size);
	gnutls_free(d.data);
	assert_int_equal(stat(f->file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
}

/* Errors that refuse to open (the seed's two) */
static void test_open_refused(void **state)
{
	struct fx *f = *state;
	gnutls_x509_crt_t good = pf_load_crt(f, "good");
	gnutls_x509_crt_t noaia = pf_load_crt(f, "noaia");
	struct bpa_prefetch_params bad = f->p;
	struct bpa_prefetch *pf = NULL;
	HRESULT hr;

	hr = bpa_prefetch_open(f, NULL, good, f->ca, 0, &f->p, &pf);
	assert_true(HRES_IS_EQUAL(hr, HRES_E_INVALIDARG));
	hr = bpa_prefetch_open(f, f->ev, good, NULL, 0, &f->p, &pf);
	assert_true(HRES_IS_EQUAL(hr, HRES_E_INVALIDARG));
	hr = bpa_prefetch_open(f, f->ev, good, f->ca, 2, &f->p, &pf);
	assert_true(HRES_IS_EQUAL(hr, HRES_E_INVALIDARG));
	bad.s.min_before = bad.s.max_before + 1;
	hr = bpa_prefetch_open(f, f->ev, good, f->ca, 0, &bad, &pf);
	assert_true(HRES_IS_EQUAL(hr, HRES_E_INVALIDARG));
	assert_null(pf);
	hr = bpa_prefetch_open(f, f->ev, noaia, f->ca, BPA_PREFETCH_ASYNC_FLAG,
			       &f->p, &pf);
	assert_true(HRES_IS_EQUAL(hr,
				  HRES_CRYPT_E_NOT_IN_REVOCATION_DATABASE));
	assert_null(pf);
	assert_false(exists(f->file));
}

/* dwFlags 0, responder up: the file exists when open returns */
static void test_sync_up(void **state)
{
	struct fx *f = *state;
	gnutls_x509_crt_t good = pf_load_crt(f, "good");
	struct bpa_prefetch *pf = NULL;
	struct bpa_prefetch_status st;
	struct bpa_prefetch_status fst;
	DATA_BLOB copy;

	start(f, "ca");
	assert_true(HRES_IS_OK(bpa_prefetch_open(f, f->ev, good, f->ca, 0,
						 &f->p, &pf)));
	assert_true(exists(f->file));
	assert_file_is_current(f, pf);
	assert_true(HRES_IS_OK(bpa_prefetch_get(f, pf, time(NULL), &copy)));
	bpa_prefetch_get_status(pf, &st);
	assert_int_equal(st.state, BPA_PREFETCH_STATE_GOOD);
	assert_string_equal(st.url, "http://127.0.0.1:8890/");
	assert_true(st.next_update - st.this_update >= 55);
	assert_int_equal(st.failures, 0);
	/* a refresh five seconds later, nextUpdate - max before */
	assert_int_equal(st.rule, BPA_PREFETCH_RULE_MAX_BEFORE);
	assert_int_equal(st.next_retrieval, st.next_update - 55);
	/* what the status command reads */
	assert_true(HRES_IS_OK(bpa_prefetch_status_read(f, f->file, &fst)));
	assert_int_equal(fst.pid, getpid());
	assert_int_equal(fst.state, BPA_PREFETCH_STATE_GOOD);
	assert_int_equal(fst.next_update, st.next_update);
	assert_int_equal(fst.next_retrieval, st.next_retrieval);
	assert_int_equal(fst.rule, st.rule);
	bpa_prefetch_close(pf);
	stop(f);

	/* restart with the responder down: the file is loaded */
	assert_true(HRES_IS_OK(bpa_prefetch_open(f, f->ev, good, f->ca, 0,
						 &f->p, &pf)));
	assert_file_is_current(f, pf);
	bpa_prefetch_get_status(pf, &st);
	assert_int_equal(st.retrievals, 0);
	bpa_prefetch_close(pf);
}

/*
 * dwFlags 0, responder silent: open returns after the URL timeout with
 * nothing; once the responder is up the file appears (backoff 1, 2 s).
 */
static void test_sync_down(void **state)
{
	struct fx *f = *state;
	gnutls_x509_crt_t good = pf_load_crt(f, "good");
	struct bpa_prefetch *pf = NULL;
	struct bpa_prefetch_status st;
	int silent = pf_silent_listener();
	double t0 = pf_ms();
	double took;
	int i;

	assert_true(HRES_IS_OK(bpa_prefetch_open(f, f->ev, good, f->ca, 0,
						 &f->p, &pf)));
	took = pf_ms() - t0;
	print_message("# sync open against a silent responder: %.0f ms\n",
		      took);
	assert_true(took >= 900);
	assert_true(took < 4000);
	assert_null(bpa_prefetch_current(pf, time(NULL)));
	assert_false(exists(f->file));
	bpa_prefetch_get_status(pf, &st);
	assert_int_equal(st.failures, 1);
	assert_int_equal(st.rule, BPA_PREFETCH_RULE_BACKOFF);
	assert_non_null(st.last_error);
	print_message("# last error: %s\n", st.last_error);
	close(silent);
	start(f, "ca");
	for (i = 0; i < 150 && !exists(f->file); i++) {
		pf_run(f->ev, 100, NULL);
	}
	print_message("# the file appeared after %.0f ms\n", pf_ms() - t0);
	assert_true(exists(f->file));
	assert_file_is_current(f, pf);
	bpa_prefetch_get_status(pf, &st);
	assert_int_equal(st.failures, 0);
	assert_null(st.last_error);
	bpa_prefetch_close(pf);
	stop(f);
}

/* The async flag: open returns at once, the response comes from the loop */
static void test_async(void **state)
{
	struct fx *f = *state;
	gnutls_x509_crt_t good = pf_load_crt(f, "good");
	struct bpa_prefetch *pf = NULL;
	int i;

	start(f, "ca");
	assert_true(HRES_IS_OK(bpa_prefetch_open(f, f->ev, good, f->ca,
						 BPA_PREFETCH_ASYNC_FLAG,
						 &f->p, &pf)));
	assert_null(bpa_prefetch_current(pf, time(NULL)));
	assert_false(exists(f->file));
	for (i = 0; i < 100 && !exists(f->file); i++) {
		pf_run(f->ev, 100, NULL);
	}
	assert_file_is_current(f, pf);
	/* freeing the parent stops it */
	talloc_free(pf);
	stop(f);
}

/*
 * A refresh brings a newer response; then the responder goes away: the
 * last good one is handed out until min validity, never after, and the
 * file goes with it.
 */
static void test_refresh_outage(void **state)
{
	struct fx *f = *state;
	gnutls_x509_crt_t good = pf_load_crt(f, "good");
	struct bpa_prefetch *pf = NULL;
	struct bpa_prefetch_status st;
	time_t first_this_update;
	bool seen_kept = false;
	int i;

	start(f, "ca");
	assert_true(HRES_IS_OK(bpa_prefetch_open(f, f->ev, good, f->ca, 0,
						 &f->p, &pf)));
	bpa_prefetch_get_status(pf, &st);
	print_message("# first: %s\n", st.last_error ? st.last_error : "ok");
	assert_int_equal(st.state, BPA_PREFETCH_STATE_GOOD);
	first_this_update = st.this_update;
	for (i = 0; i < 100 && st.this_update == first_this_update; i++) {
		pf_run(f->ev, 100, NULL);
		bpa_prefetch_get_status(pf, &st);
	}
	print_message("# refreshed: thisUpdate +%lld s\n",
		      (long long)(st.this_update - first_this_update));
	assert_true(st.this_update > first_this_update);
	assert_file_is_current(f, pf);
	stop(f);

	/* outage: at most 10 s of hand-out left, then nothing */
	for (i = 0; i < 160; i++) {
		time_t now = time(NULL);
		const DATA_BLOB *cur = bpa_prefetch_current(pf, now);

		bpa_prefetch_get_status(pf, &st);
		if (cur != NULL) {
			/* never with less than min validity left */
			assert_true(st.next_update - now >= 50);
			if (st.failures > 0) {
				seen_kept = true;
			}
		} else if (!exists(f->file)) {
			break;
		}
		pf_run(f->ev, 100, NULL);
	}
	assert_true(seen_kept);
	assert_null(bpa_prefetch_current(pf, time(NULL)));
	assert_false(exists(f->file));
	bpa_prefetch_get_status(pf, &st);
	assert_int_equal(st.state, BPA_PREFETCH_STATE_NONE);
	assert_true(st.failures > 0);
	assert_true(st.next_update - time(NULL) < 50);
	print_message("# %u failed retrievals, last: %s\n", st.failures,
		      st.last_error);
	bpa_prefetch_close(pf);
}

/* revoked: logged, not stapled, reported; a stale file goes away */
static void test_revoked(void **state)
{
	struct fx *f = *state;
	gnutls_x509_crt_t rev = pf_load_crt(f, "revoked-keyCompromise");
	struct bpa_prefetch *pf = NULL;
	struct bpa_prefetch_status st;

	start(f, "ca");
	assert_true(HRES_IS_OK(bpa_prefetch_open(f, f->ev, rev, f->ca, 0,
						 &f->p, &pf)));
	assert_null(bpa_prefetch_current(pf, time(NULL)));
	assert_false(exists(f->file));
	bpa_prefetch_get_status(pf, &st);
	print_message("# revoked: %s\n", st.last_error);
	assert_int_equal(st.state, BPA_PREFETCH_STATE_REVOKED);
	assert_int_equal(st.reason, 1);	/* keyCompromise */
	assert_non_null(strstr(st.last_error, "revoked"));
	bpa_prefetch_close(pf);
	stop(f);
}

/* signed by another CA's key: refused, nothing handed out */
static void test_wrong_key(void **state)
{
	struct fx *f = *state;
	gnutls_x509_crt_t good = pf_load_crt(f, "good");
	struct bpa_prefetch *pf = NULL;
	struct bpa_prefetch_status st;

	start(f, "other-ca");
	assert_true(HRES_IS_OK(bpa_prefetch_open(f, f->ev, good, f->ca, 0,
						 &f->p, &pf)));
	bpa_prefetch_get_status(pf, &st);
	print_message("# wrong key: %s\n", st.last_error);
	assert_null(bpa_prefetch_current(pf, time(NULL)));
	assert_false(exists(f->file));
	assert_int_equal(st.state, BPA_PREFETCH_STATE_NONE);
	assert_int_equal(st.failures, 1);
	print_message("# wrong key: %s\n", st.last_error);
	assert_non_null(strstr(st.last_error, "signer"));
	bpa_prefetch_close(pf);
	stop(f);
}

/* The issuer: the certificate file's chain, else the ca file */
static void test_issuer(void **state)
{
	struct fx *f = *state;
	gnutls_x509_crt_t good = pf_load_crt(f, "good");
	gnutls_x509_crt_t other = pf_load_crt(f, "other-ca");
	gnutls_x509_crt_t got = NULL;
	const char *from = NULL;
	char *ca_file = pf_pki_path(f, "ca.pem");
	char *other_file = pf_pki_path(f, "other-ca.pem");
	HRESULT hr;

	hr = bpa_prefetch_issuer(f, good, f->ca, NULL, &got, &from);
	assert_true(HRES_IS_OK(hr));
	assert_string_equal(from, "the certificate file");
	assert_int_equal(gnutls_x509_crt_equals(got, f->ca), 1);
	hr = bpa_prefetch_issuer(f, good, other, ca_file, &got, &from);
	assert_true(HRES_IS_OK(hr));
	assert_string_equal(from, "the ca file");
	assert_int_equal(gnutls_x509_crt_equals(got, f->ca), 1);
	hr = bpa_prefetch_issuer(f, good, NULL, other_file, &got, &from);
	assert_true(HRES_IS_EQUAL(hr, HRES_CRYPT_E_NOT_FOUND));
	assert_null(got);
	hr = bpa_prefetch_issuer(f, good, NULL, NULL, &got, &from);
	assert_true(HRES_IS_EQUAL(hr, HRES_CRYPT_E_NOT_FOUND));
	hr = bpa_prefetch_issuer(f, good, NULL, "/nonexistent.pem", &got,
				 &from);
	assert_true(HRES_IS_EQUAL(hr, HRES_E_FAIL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_issuer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_down, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_async, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refresh_outage, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_revoked, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wrong_key, setup,
						teardown),
	};

	gnutls_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
