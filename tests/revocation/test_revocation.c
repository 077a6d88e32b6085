/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The revocation provider stack (source/revocation, seed
 * ocsp-revocation-provider) against real responders on loopback (run
 * by tests/ocsp/with_responders.sh): openssl's responder at the leaves'
 * AIA, CRLs served at their CDP, the administrator's tdb list.  The
 * seed's dispatcher (fall through on NO_REVOCATION_CHECK, stop on
 * REVOKED and OFFLINE, chains with the deciding index), each provider,
 * freshness, and the no/soft/hard policy.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <talloc.h>
#include <tdb.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include "util/bpa_hresult.h"
#include "ocsp/ocsp_client.h"
#include "revocation/revocation.h"
#include "revocation/rev_local.h"

static const char *pki;
static char dir[64];
static char list_path[128], cache_path[128], ca_path[512];

static DATA_BLOB der_of(TALLOC_CTX *mem_ctx, const char *name)
{
	char path[512];
	gnutls_datum_t d = { NULL, 0 }, der = { NULL, 0 };
	gnutls_x509_crt_t c = NULL;
	DATA_BLOB b;

	snprintf(path, sizeof(path), "%s/%s.pem", pki, name);
	assert_int_equal(gnutls_load_file(path, &d), 0);
	assert_int_equal(gnutls_x509_crt_init(&c), 0);
	assert_int_equal(gnutls_x509_crt_import(c, &d, GNUTLS_X509_FMT_PEM),
			 0);
	assert_int_equal(gnutls_x509_crt_export2(c, GNUTLS_X509_FMT_DER,
						 &der), 0);
	b = data_blob_talloc(mem_ctx, der.data, der.size);
	gnutls_free(der.data);
	gnutls_free(d.data);
	gnutls_x509_crt_deinit(c);
	return b;
}

static int group_setup(void **state)
{
	pki = getenv("BPA_PKI");
	if (pki == NULL) {
		fprintf(stderr, "run me through with_responders.sh\n");
		return -1;
	}
	snprintf(dir, sizeof(dir), "/tmp/bpa-rev-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		return -1;
	}
	snprintf(list_path, sizeof(list_path), "%s/revoked.tdb", dir);
	snprintf(cache_path, sizeof(cache_path), "%s/cache.tdb", dir);
	snprintf(ca_path, sizeof(ca_path), "%s/ca.pem", pki);
	return 0;
}

static int group_teardown(void **state)
{
	unlink(list_path);
	unlink(cache_path);
	rmdir(dir);
	return 0;
}

/* A fresh list and cache for each test */
static int setup(void **state)
{
	unlink(list_path);
	unlink(cache_path);
	return 0;
}

static struct bpa_rev_stack *stack(TALLOC_CTX *mem_ctx,
				   const char *providers,
				   const char *crl_files)
{
	struct bpa_rev_params p;
	struct bpa_rev_stack *s = NULL;

	bpa_rev_params_init(&p);
	p.providers = providers;
	p.local_list = list_path;
	p.cache = cache_path;
	p.ca_file = ca_path;
	p.crl_files = crl_files;
	p.url_timeout_ms = 5000;
	assert_true(HRES_IS_OK(bpa_rev_stack_create(mem_ctx, &p, &s)));
	return s;
}

/* Check @leaf (with @inter as its chain, or none) at @now */
static HRESULT check_at(TALLOC_CTX *mem_ctx,
			struct bpa_rev_stack *s,
			const char *leaf,
			const char *inter,
			time_t now,
			bool freshness,
			uint32_t freshness_time,
			struct bpa_rev_status *st)
{
	DATA_BLOB l = der_of(mem_ctx, leaf);
	DATA_BLOB x;
	struct bpa_rev_chain *ch = NULL;
	struct bpa_rev_para para = {
		.now = now,
		.check_freshness = freshness,
		.freshness_time = freshness_time,
	};

	if (inter != NULL) {
		x = der_of(mem_ctx, inter);
	}
	assert_true(HRES_IS_OK(bpa_rev_chain_build(mem_ctx, s, &l,
		inter ? &x : NULL, inter ? 1 : 0, &ch)));
	return bpa_rev_verify(mem_ctx, s, ch, &para, st);
}

static HRESULT check(TALLOC_CTX *mem_ctx,
		     struct bpa_rev_stack *s,
		     const char *leaf,
		     const char *inter,
		     struct bpa_rev_status *st)
{
	return check_at(mem_ctx, s, leaf, inter, time(NULL), false, 0, st);
}

#define assert_hr(a, b) assert_int_equal(HRES_ERROR_V(a), HRES_ERROR_V(b))

/* Seed table: Good -> ERROR_SUCCESS, decided by ocsp (local passes a
 * CA-issued certificate on) */
static void test_good_by_ocsp(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_rev_stack *s = stack(mem, NULL, NULL);
	struct bpa_rev_status st;

	assert_hr(check(mem, s, "good", NULL, &st), BPA_S_OK);
	assert_string_equal(st.provider, "ocsp");
	assert_int_equal(st.index, 0);
	assert_true(st.has_freshness_time);
	assert_true(st.freshness_time > 86400 - 600);
	/* the responder's clock may have moved on a second or two */
	assert_true(st.freshness_time <= 86400 + 10);
	talloc_free(mem);
}

/* Seed table: Revoked -> CRYPT_E_REVOKED with dwReason, each reason */
static void test_revoked_each_reason_by_ocsp_and_crl(void **state)
{
	static const char *const reasons[] = {
		"unspecified", "keyCompromise", "cACompromise",
		"affiliationChanged", "superseded", "cessationOfOperation",
		"certificateHold",
	};
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_rev_stack *ocsp = stack(mem, "local ocsp", NULL);
	struct bpa_rev_stack *crl = stack(mem, "local crl", NULL);
	struct bpa_rev_status st;
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		char leaf[64];

		snprintf(leaf, sizeof(leaf), "revoked-%s", reasons[i]);
		assert_hr(check(mem, ocsp, leaf, NULL, &st),
			  HRES_CRYPT_E_REVOKED);
		assert_string_equal(st.provider, "ocsp");
		assert_string_equal(bpa_crl_reason_name(st.reason),
				    reasons[i]);
		/* the CRL at the CDP says the same, reason included */
		assert_hr(check(mem, crl, leaf, NULL, &st),
			  HRES_CRYPT_E_REVOKED);
		assert_string_equal(st.provider, "crl");
		assert_string_equal(bpa_crl_reason_name(st.reason),
				    reasons[i]);
		assert_true(st.has_freshness_time);
	}
	talloc_free(mem);
}

/* Seed table: Unknown -> CRYPT_E_REVOCATION_OFFLINE, and the walk stops
 * there: the crl provider (which would say good) is not asked */
static void test_unknown_is_offline_and_stops(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_rev_stack *s = stack(mem, "local ocsp crl", NULL);
	struct bpa_rev_stack *c = stack(mem, "crl", NULL);
	struct bpa_rev_status st;

	assert_hr(check(mem, s, "unknown", NULL, &st),
		  HRES_CRYPT_E_REVOCATION_OFFLINE);
	assert_string_equal(st.provider, "ocsp");
	assert_true(st.definitive_unknown);
	assert_false(bpa_rev_accept(BPA_REV_MODE_SOFT, &st));
	/* alone, crl answers good for it: the stop was the stack's */
	assert_hr(check(mem, c, "unknown", NULL, &st), BPA_S_OK);
	talloc_free(mem);
}

/* NO_REVOCATION_CHECK falls through: crlonly has no AIA, so ocsp passes
 * it on and crl decides; noaia has neither: nobody can check it */
static void test_no_check_falls_through(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_rev_stack *s = stack(mem, NULL, NULL);
	struct bpa_rev_stack *o = stack(mem, "local ocsp", NULL);
	struct bpa_rev_status st;

	assert_hr(check(mem, s, "crlonly", NULL, &st), BPA_S_OK);
	assert_string_equal(st.provider, "crl");
	assert_hr(check(mem, o, "crlonly", NULL, &st),
		  HRES_CRYPT_E_NO_REVOCATION_CHECK);
	assert_int_equal(st.index, 0);
	assert_non_null(strstr(st.detail, "no AIA OCSP URL"));
	assert_hr(check(mem, s, "noaia", NULL, &st),
		  HRES_CRYPT_E_NO_REVOCATION_CHECK);
	assert_non_null(strstr(st.detail, "no CRL of this issuer"));
	talloc_free(mem);
}

/* Seed, connection errors: OFFLINE, and the walk ends (crl, which
 * would say good, is not asked); without the chain the issuer of a
 * leaf of an intermediate is unknown: nobody can check it */
static void test_responder_down_is_offline(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_rev_stack *s = stack(mem, "ocsp crl", NULL);
	struct bpa_rev_stack *c = stack(mem, "crl", NULL);
	struct bpa_rev_status st;

	assert_hr(check(mem, s, "down", NULL, &st),
		  HRES_CRYPT_E_REVOCATION_OFFLINE);
	assert_string_equal(st.provider, "ocsp");
	assert_false(st.definitive_unknown);
	assert_non_null(strstr(st.detail, "transport-error"));
	assert_true(bpa_rev_accept(BPA_REV_MODE_SOFT, &st));
	assert_false(bpa_rev_accept(BPA_REV_MODE_HARD, &st));
	assert_hr(check(mem, c, "down", NULL, &st), BPA_S_OK);

	assert_hr(check(mem, s, "leaf-of-inter", NULL, &st),
		  HRES_CRYPT_E_NO_REVOCATION_CHECK);
	talloc_free(mem);
}

/* Seed: the chain as a whole; a chain of three with a revoked
 * intermediate is REVOKED at index 1; the anchor is not checked */
static void test_chain_of_three(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_rev_stack *s = stack(mem, "local ocsp", NULL);
	struct bpa_rev_status st;
	DATA_BLOB l = der_of(mem, "leaf-of-inter");
	DATA_BLOB x = der_of(mem, "inter");
	struct bpa_rev_chain *ch = NULL;

	assert_true(HRES_IS_OK(bpa_rev_chain_build(mem, s, &l, &x, 1, &ch)));
	assert_int_equal(ch->count, 3);		/* leaf, inter, CA */
	assert_int_equal(ch->checked, 2);	/* CA: trust anchor */

	assert_hr(check(mem, s, "leaf-of-inter", "inter", &st), BPA_S_OK);
	assert_int_equal(st.index, 1);
	assert_hr(check(mem, s, "leaf-of-inter-revoked", "inter-revoked", &st),
		  HRES_CRYPT_E_REVOKED);
	assert_int_equal(st.index, 1);
	assert_string_equal(bpa_crl_reason_name(st.reason), "cACompromise");
	assert_string_equal(st.provider, "ocsp");
	/* the administrator revokes the good intermediate: local decides
	 * at index 1 (the walk starts again at each certificate) */
	x = der_of(mem, "inter");
	assert_hr(bpa_rev_local_add(list_path, &x,
				    BPA_CRL_REASON_CA_COMPROMISE, NULL,
				    time(NULL)), BPA_S_OK);
	assert_hr(check(mem, s, "leaf-of-inter", "inter", &st),
		  HRES_CRYPT_E_REVOKED);
	assert_int_equal(st.index, 1);
	assert_string_equal(st.provider, "local");
	talloc_free(mem);
}

/* local: authoritative for a self-signed certificate */
static void test_local_self_signed(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_rev_stack *s = stack(mem, NULL, NULL);
	struct bpa_rev_stack *no_local = stack(mem, "ocsp crl", NULL);
	struct bpa_rev_status st;
	DATA_BLOB c = der_of(mem, "selfsigned");
	struct bpa_rev_entry *e = NULL;
	size_t n = 0;
	uint32_t removed = 0;

	assert_hr(check(mem, s, "selfsigned", NULL, &st), BPA_S_OK);
	assert_string_equal(st.provider, "local");
	assert_false(st.has_freshness_time);
	assert_hr(check(mem, no_local, "selfsigned", NULL, &st),
		  HRES_CRYPT_E_NO_REVOCATION_CHECK);

	assert_hr(bpa_rev_local_add(list_path, &c,
				    BPA_CRL_REASON_KEY_COMPROMISE,
				    "S-1-5-21-1-2-3-1000", 1000), BPA_S_OK);
	assert_hr(check(mem, s, "selfsigned", NULL, &st),
		  HRES_CRYPT_E_REVOKED);
	assert_string_equal(st.provider, "local");
	assert_int_equal(st.reason, BPA_CRL_REASON_KEY_COMPROMISE);

	assert_hr(bpa_rev_local_list(mem, list_path, &e, &n), BPA_S_OK);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].sid, "S-1-5-21-1-2-3-1000");
	assert_int_equal(e[0].revoked_at, 1000);
	assert_int_equal(e[0].cert_der.length, c.length);
	assert_hr(bpa_rev_local_remove_sid(list_path, "S-1-5-21-1-2-3-1000",
					   &removed), BPA_S_OK);
	assert_int_equal(removed, 1);
	assert_hr(check(mem, s, "selfsigned", NULL, &st), BPA_S_OK);
	assert_hr(bpa_rev_local_remove(list_path, e[0].cert_hash),
		  HRES_CRYPT_E_NOT_FOUND);
	/* by hash: listed, removed (committed), no longer revoked */
	assert_hr(bpa_rev_local_add(list_path, &c, BPA_CRL_REASON_UNSPECIFIED,
				    "S-1-5-21-1-2-3-1000", 1001), BPA_S_OK);
	assert_hr(check(mem, s, "selfsigned", NULL, &st),
		  HRES_CRYPT_E_REVOKED);
	assert_hr(bpa_rev_local_remove(list_path, e[0].cert_hash), BPA_S_OK);
	assert_hr(check(mem, s, "selfsigned", NULL, &st), BPA_S_OK);
	assert_hr(bpa_rev_local_list(mem, list_path, &e, &n), BPA_S_OK);
	assert_int_equal(n, 0);
	talloc_free(mem);
}

/*
 * BPA_REV_LEAF_SELF_SIGNED (issue 15): a chain of the leaf alone, not
 * parsed until a provider asks, with the same answers as without it;
 * a listed certificate is still REVOKED
 */
static void test_leaf_self_signed_flag(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_rev_stack *s = stack(mem, NULL, NULL);
	struct bpa_rev_stack *no_local = stack(mem, "ocsp crl", NULL);
	struct bpa_rev_chain *ch = NULL;
	struct bpa_rev_status st;
	struct bpa_rev_para para = { .now = time(NULL) };
	DATA_BLOB c = der_of(mem, "selfsigned");
	bool accept = false;

	assert_hr(bpa_rev_chain_build_flags(mem, s, &c, NULL, 0,
					    BPA_REV_LEAF_SELF_SIGNED, &ch),
		  BPA_S_OK);
	assert_int_equal(ch->count, 1);
	assert_int_equal(ch->checked, 1);
	assert_null(ch->certs[0]);
	assert_int_equal(ch->self_signed[0], 1);
	assert_memory_equal(ch->der[0].data, c.data, c.length);
	assert_hr(bpa_rev_verify(mem, s, ch, &para, &st), BPA_S_OK);
	assert_string_equal(st.provider, "local");
	assert_hr(bpa_rev_verify(mem, no_local, ch, &para, &st),
		  HRES_CRYPT_E_NO_REVOCATION_CHECK);

	assert_hr(bpa_rev_local_add(list_path, &c,
				    BPA_CRL_REASON_KEY_COMPROMISE,
				    "S-1-5-21-1-2-3-1000", 1000), BPA_S_OK);
	assert_hr(bpa_rev_check_cert_flags(mem, s, BPA_REV_MODE_SOFT, &c,
					   NULL, 0, BPA_REV_LEAF_SELF_SIGNED,
					   time(NULL), &accept, &st),
		  BPA_S_OK);
	assert_false(accept);
	assert_hr(st.error, HRES_CRYPT_E_REVOKED);
	/* the same without the flag */
	assert_hr(bpa_rev_check_cert(mem, s, BPA_REV_MODE_SOFT, &c, NULL, 0,
				     time(NULL), &accept, &st), BPA_S_OK);
	assert_false(accept);
	assert_hr(st.error, HRES_CRYPT_E_REVOKED);
	talloc_free(mem);
}

/* local: a CA-issued certificate listed is REVOKED before ocsp (which
 * would say good) is asked */
static void test_local_before_ocsp(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_rev_stack *s = stack(mem, NULL, NULL);
	struct bpa_rev_status st;
	DATA_BLOB c = der_of(mem, "good");

	assert_hr(bpa_rev_local_add(list_path, &c,
				    BPA_CRL_REASON_SUPERSEDED, NULL,
				    time(NULL)), BPA_S_OK);
	assert_hr(check(mem, s, "good", NULL, &st), HRES_CRYPT_E_REVOKED);
	assert_string_equal(st.provider, "local");
	assert_int_equal(st.reason, BPA_CRL_REASON_SUPERSEDED);
	talloc_free(mem);
}

/* The contexts of a test that forks: a child frees its copies before
 * it exits, for its own leak check */
static TALLOC_CTX *fork_mem[2];

static void child_exit(int rc)
{
	TALLOC_FREE(fork_mem[1]);
	TALLOC_FREE(fork_mem[0]);
	_exit(rc);
}

/*
 * What the administrator's "peers revoke" does, in another process:
 * @listed (NULL: none) into a new list at @path, then renamed over the
 * list when @replace, else added to the list in place.  @return 0 when
 * done.
 */
static int admin_revokes(const char *listed, bool replace)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char tmp[160];
	const char *path = list_path;
	DATA_BLOB c = data_blob_null;
	pid_t pid;
	int status = -1;
	int rc;

	fork_mem[1] = mem;
	if (listed != NULL) {
		c = der_of(mem, listed);
	}
	snprintf(tmp, sizeof(tmp), "%s/new.tdb", dir);
	pid = fork();
	if (pid == 0) {
		if (replace) {
			struct tdb_context *t = NULL;

			path = tmp;
			unlink(tmp);
			t = tdb_open(tmp, 0, TDB_DEFAULT,
				     O_RDWR | O_CREAT, 0600);
			if (t == NULL) {
				child_exit(2);
			}
			tdb_close(t);
		}
		if (listed != NULL &&
		    !HRES_IS_OK(bpa_rev_local_add(path, &c,
				BPA_CRL_REASON_KEY_COMPROMISE, NULL, 1))) {
			child_exit(3);
		}
		if (replace && rename(tmp, list_path) != 0) {
			child_exit(4);
		}
		child_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	fork_mem[1] = NULL;
	talloc_free(mem);
	return rc;
}

/* The result of a check of @leaf in a child of this process (the DC's
 * prefork workers): 0 good, 1 revoked, 2 anything else */
static int check_in_child(struct bpa_rev_stack *s, const char *leaf)
{
	struct bpa_rev_status st;
	pid_t pid;
	int status = -1;

	pid = fork();
	if (pid == 0) {
		TALLOC_CTX *mem = talloc_new(NULL);
		HRESULT hr = check(mem, s, leaf, NULL, &st);

		talloc_free(mem);
		child_exit(HRES_IS_OK(hr) ? 0 :
			   HRES_IS_EQUAL(hr, HRES_CRYPT_E_REVOKED) ? 1 : 2);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * Issue 15: the list is kept between checks (a stat of the path, not an
 * open, per check) yet a list created after the first check, or changed
 * in place, is seen by the very next check, also in a forked worker
 */
static void test_local_list_created_later(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_rev_stack *s = stack(mem, NULL, NULL);
	struct bpa_rev_status st;

	fork_mem[0] = mem;
	assert_hr(check(mem, s, "selfsigned", NULL, &st), BPA_S_OK);
	assert_hr(check(mem, s, "selfsigned", NULL, &st), BPA_S_OK);
	assert_int_equal(admin_revokes("good", false), 0);
	assert_hr(check(mem, s, "selfsigned", NULL, &st), BPA_S_OK);
	assert_hr(check(mem, s, "good", NULL, &st), HRES_CRYPT_E_REVOKED);
	assert_int_equal(check_in_child(s, "good"), 1);
	/* the same file, one more entry added in place */
	assert_int_equal(admin_revokes("selfsigned", false), 0);
	assert_hr(check(mem, s, "selfsigned", NULL, &st),
		  HRES_CRYPT_E_REVOKED);
	assert_int_equal(check_in_child(s, "selfsigned"), 1);
	/* removed: lists nothing again */
	assert_int_equal(unlink(list_path), 0);
	assert_hr(check(mem, s, "selfsigned", NULL, &st), BPA_S_OK);
	assert_int_equal(check_in_child(s, "selfsigned"), 0);
	fork_mem[0] = NULL;
	talloc_free(mem);
}

/* Issue 15: a list put in the place of the kept one (rename) is the one
 * the very next check reads, whichever way it changes the answer */
static void test_local_list_replaced(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_rev_stack *s = stack(mem, NULL, NULL);
	struct bpa_rev_status st;
	struct tdb_context *tdb = NULL;
	TDB_DATA k = { (uint8_t *)"other", 5 };
	char tmp[160];

	fork_mem[0] = mem;
	assert_int_equal(admin_revokes("good", true), 0);
	assert_hr(check(mem, s, "selfsigned", NULL, &st), BPA_S_OK);
	assert_hr(check(mem, s, "good", NULL, &st), HRES_CRYPT_E_REVOKED);
	assert_int_equal(admin_revokes("selfsigned", true), 0);
	assert_hr(check(mem, s, "selfsigned", NULL, &st),
		  HRES_CRYPT_E_REVOKED);
	assert_hr(check(mem, s, "good", NULL, &st), BPA_S_OK);
	assert_int_equal(check_in_child(s, "selfsigned"), 1);
	assert_int_equal(admin_revokes(NULL, true), 0);
	assert_hr(check(mem, s, "selfsigned", NULL, &st), BPA_S_OK);
	assert_int_equal(check_in_child(s, "selfsigned"), 0);

	/* replaced by a file that is not a list of ours: no "good" */
	snprintf(tmp, sizeof(tmp), "%s/foreign.tdb", dir);
	tdb = tdb_open(tmp, 0, TDB_DEFAULT, O_RDWR | O_CREAT, 0600);
	assert_non_null(tdb);
	assert_int_equal(tdb_store(tdb, k, k, TDB_INSERT), 0);
	tdb_close(tdb);
	assert_int_equal(rename(tmp, list_path), 0);
	assert_hr(check(mem, s, "selfsigned", NULL, &st),
		  HRES_CRYPT_E_REVOCATION_OFFLINE);
	fork_mem[0] = NULL;
	talloc_free(mem);
}

/* A file that is not a list of ours is refused and left alone */
static void test_local_foreign_file(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct tdb_context *tdb = tdb_open(list_path, 0, TDB_DEFAULT,
					   O_RDWR | O_CREAT, 0600);
	DATA_BLOB c = der_of(mem, "good");
	TDB_DATA k = { (uint8_t *)"other", 5 };
	struct bpa_rev_stack *s = stack(mem, NULL, NULL);
	struct bpa_rev_status st;

	assert_non_null(tdb);
	assert_int_equal(tdb_store(tdb, k, k, TDB_INSERT), 0);
	tdb_close(tdb);
	assert_hr(bpa_rev_local_add(list_path, &c, 1, NULL, 1),
		  HRES_CRYPT_E_FILE_ERROR);
	/* the local provider gives no "good" from an unreadable list */
	assert_hr(check(mem, s, "selfsigned", NULL, &st),
		  HRES_CRYPT_E_REVOCATION_OFFLINE);
	assert_string_equal(st.provider, "local");
	tdb = tdb_open(list_path, 0, TDB_DEFAULT, O_RDONLY, 0);
	assert_non_null(tdb);
	assert_int_equal(tdb_traverse_read(tdb, NULL, NULL), 1);
	tdb_close(tdb);
	talloc_free(mem);
}

/* Seed, freshness: nextUpdate (and the age of thisUpdate) evaluated
 * when asked; the result carries the seconds to nextUpdate */
static void test_freshness(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_rev_stack *s = stack(mem, "local ocsp", NULL);
	struct bpa_rev_status st;
	time_t now = time(NULL);

	assert_hr(check_at(mem, s, "good", NULL, now + 3600, false, 0, &st),
		  BPA_S_OK);
	assert_true(st.has_freshness_time);
	/* nextUpdate is the responder's clock + 1 day, read after @now:
	 * later by however long the machine took to get there */
	assert_true(st.freshness_time < 86400 - 3600 + 600);
	assert_true(st.freshness_time > 86400 - 3600 - 600);
	/* asked: thisUpdate no older than 60 s -> OFFLINE */
	assert_hr(check_at(mem, s, "good", NULL, now + 3600, true, 60, &st),
		  HRES_CRYPT_E_REVOCATION_OFFLINE);
	assert_non_null(strstr(st.detail, "freshness"));
	/* past nextUpdate (within the clock skew): good unless asked */
	assert_hr(check_at(mem, s, "good", NULL, now + 86400 + 100, false, 0,
			   &st), BPA_S_OK);
	assert_true(st.freshness_time < 0);
	assert_hr(check_at(mem, s, "good", NULL, now + 86400 + 100, true, 0,
			   &st), HRES_CRYPT_E_REVOCATION_OFFLINE);
	/* beyond the skew: the response has expired */
	assert_hr(check_at(mem, s, "good", NULL, now + 3 * 86400, false, 0,
			   &st), HRES_CRYPT_E_REVOCATION_OFFLINE);
	talloc_free(mem);
}

/* Good and revoked answers are cached until nextUpdate; unknown not */
static void test_ocsp_cache(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_rev_stack *s = stack(mem, "ocsp", NULL);
	struct bpa_rev_status st;

	assert_hr(check(mem, s, "good", NULL, &st), BPA_S_OK);
	assert_null(strstr(st.detail, "(cached)"));
	assert_hr(check(mem, s, "good", NULL, &st), BPA_S_OK);
	assert_non_null(strstr(st.detail, "(cached)"));
	assert_hr(check(mem, s, "revoked-superseded", NULL, &st),
		  HRES_CRYPT_E_REVOKED);
	assert_hr(check(mem, s, "revoked-superseded", NULL, &st),
		  HRES_CRYPT_E_REVOKED);
	assert_non_null(strstr(st.detail, "(cached)"));
	assert_hr(check(mem, s, "unknown", NULL, &st),
		  HRES_CRYPT_E_REVOCATION_OFFLINE);
	assert_hr(check(mem, s, "unknown", NULL, &st),
		  HRES_CRYPT_E_REVOCATION_OFFLINE);
	assert_null(strstr(st.detail, "(cached)"));
	/* a cached answer past its nextUpdate is not used */
	assert_hr(check_at(mem, s, "good", NULL, time(NULL) + 86400 + 10,
			   false, 0, &st), BPA_S_OK);
	assert_null(strstr(st.detail, "(cached)"));
	talloc_free(mem);
}

/* crl files: a good file decides without the CDP; an expired or
 * wrongly signed CRL of the issuer is OFFLINE */
static void test_crl_files(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char good[600], expired[600], badsig[600];
	struct bpa_rev_stack *s = NULL;
	struct bpa_rev_status st;

	snprintf(good, sizeof(good), "%s/ca.crl.pem", pki);
	snprintf(expired, sizeof(expired), "%s/ca-expired.crl.pem", pki);
	snprintf(badsig, sizeof(badsig), "%s/ca-badsig.crl.pem", pki);

	s = stack(mem, "crl", good);
	assert_hr(check(mem, s, "noaia", NULL, &st), BPA_S_OK);
	assert_non_null(strstr(st.detail, "crl file"));
	assert_hr(check(mem, s, "revoked-cessationOfOperation", NULL, &st),
		  HRES_CRYPT_E_REVOKED);
	assert_int_equal(st.reason, BPA_CRL_REASON_CESSATION_OF_OPERATION);

	s = stack(mem, "crl", expired);
	assert_hr(check(mem, s, "noaia", NULL, &st),
		  HRES_CRYPT_E_REVOCATION_OFFLINE);
	assert_non_null(strstr(st.detail, "expired"));
	/* with a CDP, the distribution point's good CRL answers */
	assert_hr(check(mem, s, "crlonly", NULL, &st), BPA_S_OK);

	s = stack(mem, "crl", badsig);
	assert_hr(check(mem, s, "noaia", NULL, &st),
		  HRES_CRYPT_E_REVOCATION_OFFLINE);
	assert_non_null(strstr(st.detail, "not signed by the issuer"));
	talloc_free(mem);
}

/* The seed's other codes: no provider -> NO_REVOCATION_DLL, nothing to
 * check -> E_INVALIDARG; an unknown provider name is refused */
static void test_no_dll_and_invalidarg(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_rev_stack *s = stack(mem, "", NULL);
	struct bpa_rev_params p;
	struct bpa_rev_stack *bad = NULL;
	struct bpa_rev_status st;
	struct bpa_rev_para para = { .now = time(NULL) };

	assert_hr(check(mem, s, "good", NULL, &st),
		  HRES_CRYPT_E_NO_REVOCATION_DLL);
	assert_hr(bpa_rev_verify(mem, s, NULL, &para, &st), HRES_E_INVALIDARG);
	bpa_rev_params_init(&p);
	p.providers = "local scvp";
	assert_hr(bpa_rev_stack_create(mem, &p, &bad), HRES_E_INVALIDARG);
	assert_null(bad);
	talloc_free(mem);
}

/* The seed's "expected application behaviour": no / soft / hard */
static void test_policy_soft_and_hard(void **state)
{
	static const struct {
		uint32_t error;
		bool unknown;
		bool soft, hard;
		const char *soft_word, *hard_word;
	} rows[] = {
		{ 0, false, true, true, "good", "good" },
		{ 0x80092010, false, false, false, "revoked", "revoked" },
		{ 0x80092013, true, false, false, "unknown", "unknown" },
		{ 0x80092013, false, true, false, "not-checked", "failed" },
		{ 0x80092012, false, true, false, "not-checked", "failed" },
		{ 0x80092011, false, true, false, "not-checked", "failed" },
		{ 0x80070057, false, true, false, "not-checked", "failed" },
	};
	TALLOC_CTX *mem = talloc_new(NULL);
	struct bpa_rev_stack *s = stack(mem, "local ocsp", NULL);
	struct bpa_rev_status st;
	DATA_BLOB c;
	enum bpa_rev_mode m;
	bool ok = false;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct bpa_rev_status r = {
			.error = HRES_ERROR(rows[i].error),
			.definitive_unknown = rows[i].unknown,
		};

		assert_int_equal(bpa_rev_accept(BPA_REV_MODE_SOFT, &r),
				 rows[i].soft);
		assert_int_equal(bpa_rev_accept(BPA_REV_MODE_HARD, &r),
				 rows[i].hard);
		assert_true(bpa_rev_accept(BPA_REV_MODE_NO, &r));
		assert_string_equal(bpa_rev_audit_word(BPA_REV_MODE_SOFT, &r),
				    rows[i].soft_word);
		assert_string_equal(bpa_rev_audit_word(BPA_REV_MODE_HARD, &r),
				    rows[i].hard_word);
		assert_string_equal(bpa_rev_audit_word(BPA_REV_MODE_NO, &r),
				    "off");
	}
	/* end to end: noaia can not be checked */
	c = der_of(mem, "noaia");
	assert_hr(bpa_rev_check_cert(mem, s, BPA_REV_MODE_SOFT, &c, NULL, 0,
				     time(NULL), &ok, &st), BPA_S_OK);
	assert_true(ok);
	assert_hr(st.error, HRES_CRYPT_E_NO_REVOCATION_CHECK);
	assert_hr(bpa_rev_check_cert(mem, s, BPA_REV_MODE_HARD, &c, NULL, 0,
				     time(NULL), &ok, &st), BPA_S_OK);
	assert_false(ok);
	assert_hr(bpa_rev_check_cert(mem, s, BPA_REV_MODE_NO, &c, NULL, 0,
				     time(NULL), &ok, &st), BPA_S_OK);
	assert_true(ok);
	assert_string_equal(st.detail, "off");

	assert_true(bpa_rev_mode_parse("HARD", &m));
	assert_int_equal(m, BPA_REV_MODE_HARD);
	assert_false(bpa_rev_mode_parse("strict", &m));
	assert_string_equal(bpa_rev_error_name(HRES_CRYPT_E_REVOKED),
			    "CRYPT_E_REVOKED");
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_good_by_ocsp, setup),
		cmocka_unit_test_setup(test_revoked_each_reason_by_ocsp_and_crl,
				       setup),
		cmocka_unit_test_setup(test_unknown_is_offline_and_stops,
				       setup),
		cmocka_unit_test_setup(test_no_check_falls_through, setup),
		cmocka_unit_test_setup(test_responder_down_is_offline, setup),
		cmocka_unit_test_setup(test_chain_of_three, setup),
		cmocka_unit_test_setup(test_local_self_signed, setup),
		cmocka_unit_test_setup(test_leaf_self_signed_flag, setup),
		cmocka_unit_test_setup(test_local_before_ocsp, setup),
		cmocka_unit_test_setup(test_local_foreign_file, setup),
		cmocka_unit_test_setup(test_local_list_created_later, setup),
		cmocka_unit_test_setup(test_local_list_replaced, setup),
		cmocka_unit_test_setup(test_freshness, setup),
		cmocka_unit_test_setup(test_ocsp_cache, setup),
		cmocka_unit_test_setup(test_crl_files, setup),
		cmocka_unit_test_setup(test_no_dll_and_invalidarg, setup),
		cmocka_unit_test_setup(test_policy_soft_and_hard, setup),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
