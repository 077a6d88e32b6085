/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MS-BPAU 3.1.1.1 / 3.2.1.1: the local certificate, created, reused,
 * renewed; its CERTIFICATE_BLOB passes our own validation */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "localcert/local_cert.h"
#include "validate/cert_validate.h"
#include "blob/cert_blob.h"
#include "util/bpa_hresult.h"
#include "util/sid_string.h"

#define SID "S-1-5-21-1004336348-1177238915-682003330-1105"
#define DAY 86400

struct fixture {
	char dir[256];
	char cert[300];
	char key[300];
	struct dom_sid sid;
	struct bpa_local_cert_params p;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/bpa-localcert-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->cert, sizeof(f->cert), "%s/cert.pem", f->dir);
	snprintf(f->key, sizeof(f->key), "%s/key.pem", f->dir);
	assert_true(bpa_sid_parse(SID, &f->sid));
	f->p = (struct bpa_local_cert_params) {
		.cert_file = f->cert,
		.key_file = f->key,
		.sid = &f->sid,
		.dns_name = "peer1.bpa.test",
		.key_bits = 2048,
		.lifetime_days = 365,
		.renew_days = 30,
		.now = time(NULL),
	};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (getenv("BPA_KEEP") != NULL) {
		free(f);
		return 0;
	}
	unlink(f->cert);
	unlink(f->key);
	if (getenv("BPA_KEEP") == NULL) {
		assert_int_equal(rmdir(f->dir), 0); /* nothing else left */
	}
	free(f);
	return 0;
}

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e = NULL;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.') {
			n++;
		}
	}
	closedir(d);
	return n;
}

static void assert_blob_valid(TALLOC_CTX *ctx, const struct bpa_local_cert *lc,
			      time_t now)
{
	struct bpa_cert_blob *blob = NULL;
	struct bpa_cert_verdict *v = NULL;
	DATA_BLOB again = data_blob_null;
	enum bpa_cert_role roles[] = { BPA_CERT_ROLE_CLIENT,
				       BPA_CERT_ROLE_SERVER };
	struct dom_sid want;
	size_t i;

	assert_int_equal(bpa_blob_decode(ctx, lc->blob.data, lc->blob.length,
					 &blob), BPA_BLOB_OK);
	assert_false(blob->had_key_prov_info);
	assert_null(bpa_blob_find_prop(blob, BPA_PROP_KEY_PROV_INFO));
	assert_non_null(bpa_blob_find_prop(blob, BPA_PROP_ENHKEY_USAGE));
	assert_int_equal(blob->num_props, 6);
	assert_int_equal(blob->cert_der.length, lc->cert_der.length);
	assert_memory_equal(blob->cert_der.data, lc->cert_der.data,
			    lc->cert_der.length);
	/* encode(decode(blob)) == blob */
	assert_int_equal(bpa_blob_encode(ctx, blob, &again), BPA_BLOB_OK);
	assert_int_equal(again.length, lc->blob.length);
	assert_memory_equal(again.data, lc->blob.data, again.length);

	assert_true(bpa_sid_parse(SID, &want));
	for (i = 0; i < 2; i++) {
		HRESULT h = bpa_cert_validate(ctx, blob, roles[i], NULL, now,
					      &v);

		if (!HRES_IS_OK(h)) {
			fail_msg("role %zu: %s", i,
				 bpa_cert_verdict_string(ctx, v));
		}
		assert_true(v->has_sid);
		assert_true(bpa_sid_equal(&v->subject_sid, &want));
		assert_int_equal(v->rsa_bits, 2048);
	}
}

static void test_created_reused_renewed(void **state)
{
	struct fixture *f = *state;
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct bpa_local_cert *lc1 = NULL, *lc2 = NULL, *lc3 = NULL;
	struct bpa_local_cert *lc4 = NULL;
	struct bpa_local_cert_params p = f->p;
	char san[256];
	size_t san_len = sizeof(san);
	struct stat st;

	/* created */
	assert_int_equal(HRES_ERROR_V(bpa_local_cert_load_or_create(ctx, &p,
		&lc1)), 0);
	assert_true(lc1->created);
	assert_int_equal(stat(f->key, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(f->cert, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(count_files(f->dir), 2);	/* no temp files */
	assert_int_equal(lc1->not_after - p.now, 365 * DAY);
	assert_int_equal(p.now - lc1->not_before, 3600);
	assert_true(bpa_sid_equal(&lc1->sid, &f->sid));
	assert_int_equal(gnutls_x509_crt_get_subject_alt_name(
		bpa_local_cert_crt(lc1), 0, san, &san_len, NULL),
		GNUTLS_SAN_DNSNAME);
	assert_string_equal(san, "peer1.bpa.test");
	assert_non_null(bpa_local_cert_key(lc1));
	assert_false(bpa_local_cert_needs_renewal(lc1, p.now, p.renew_days));
	assert_blob_valid(ctx, lc1, p.now);

	/* reused: same certificate from the files */
	assert_int_equal(HRES_ERROR_V(bpa_local_cert_load_or_create(ctx, &p,
		&lc2)), 0);
	assert_false(lc2->created);
	assert_int_equal(lc2->cert_der.length, lc1->cert_der.length);
	assert_memory_equal(lc2->cert_der.data, lc1->cert_der.data,
			    lc1->cert_der.length);
	assert_int_equal(lc2->blob.length, lc1->blob.length);
	assert_memory_equal(lc2->blob.data, lc1->blob.data,
			    lc1->blob.length);

	/* 29 days before expiry (renew 30): renewed */
	p.now += 336 * DAY;
	assert_true(bpa_local_cert_needs_renewal(lc2, p.now, p.renew_days));
	assert_int_equal(HRES_ERROR_V(bpa_local_cert_load_or_create(ctx, &p,
		&lc3)), 0);
	assert_true(lc3->created);
	assert_int_equal(lc3->not_after - p.now, 365 * DAY);
	assert_false(lc3->cert_der.length == lc1->cert_der.length &&
		     memcmp(lc3->cert_der.data, lc1->cert_der.data,
			    lc1->cert_der.length) == 0);
	assert_blob_valid(ctx, lc3, p.now);
	assert_int_equal(stat(f->key, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(count_files(f->dir), 2);

	/* and the renewed one is what is reused next */
	assert_int_equal(HRES_ERROR_V(bpa_local_cert_load_or_create(ctx, &p,
		&lc4)), 0);
	assert_false(lc4->created);
	assert_memory_equal(lc4->cert_der.data, lc3->cert_der.data,
			    lc3->cert_der.length);
	talloc_free(ctx);
}

static void test_other_sid_or_garbage_recreated(void **state)
{
	struct fixture *f = *state;
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct bpa_local_cert_params p = f->p;
	struct bpa_local_cert *lc = NULL;
	struct dom_sid other;
	struct stat st;
	FILE *fp = NULL;

	assert_int_equal(HRES_ERROR_V(bpa_local_cert_load_or_create(ctx, &p,
		&lc)), 0);
	assert_true(lc->created);

	/* the account's SID changed (machine re-joined) */
	assert_true(bpa_sid_parse("S-1-5-21-1-2-3-1106", &other));
	p.sid = &other;
	assert_int_equal(HRES_ERROR_V(bpa_local_cert_load_or_create(ctx, &p,
		&lc)), 0);
	assert_true(lc->created);
	assert_true(bpa_sid_equal(&lc->sid, &other));

	/* a key file others can read: a new key, mode 0600 again */
	assert_int_equal(chmod(f->key, 0640), 0);
	assert_int_equal(HRES_ERROR_V(bpa_local_cert_load_or_create(ctx, &p,
		&lc)), 0);
	assert_true(lc->created);
	assert_int_equal(stat(f->key, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	/* a certificate file that does not parse */
	fp = fopen(f->cert, "w");
	assert_non_null(fp);
	fputs("-----BEGIN CERTIFICATE-----\nAAAA\n"
	      "-----END CERTIFICATE-----\n", fp);
	fclose(fp);
	assert_int_equal(HRES_ERROR_V(bpa_local_cert_load_or_create(ctx, &p,
		&lc)), 0);
	assert_true(lc->created);
	assert_int_equal(count_files(f->dir), 2);
	talloc_free(ctx);
}

static void test_bad_parameters_rejected(void **state)
{
	struct fixture *f = *state;
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct bpa_local_cert *lc = NULL;
	struct bpa_local_cert_params p;
	size_t before = talloc_total_blocks(ctx);

	p = f->p;
	p.key_bits = 1024;
	assert_int_equal(HRES_ERROR_V(bpa_local_cert_load_or_create(ctx, &p,
		&lc)), 0x80070057);
	p = f->p;
	p.renew_days = p.lifetime_days;
	assert_int_equal(HRES_ERROR_V(bpa_local_cert_load_or_create(ctx, &p,
		&lc)), 0x80070057);
	p = f->p;
	p.sid = NULL;
	assert_int_equal(HRES_ERROR_V(bpa_local_cert_load_or_create(ctx, &p,
		&lc)), 0x80070057);
	p = f->p;
	p.key_file = p.cert_file;
	assert_int_equal(HRES_ERROR_V(bpa_local_cert_load_or_create(ctx, &p,
		&lc)), 0x80070057);
	assert_null(lc);
	assert_int_equal(talloc_total_blocks(ctx), before);
	assert_int_equal(count_files(f->dir), 0);
	talloc_free(ctx);
}

static void test_renewal_boundary(void **state)
{
	struct bpa_local_cert lc = { .not_after = 1000 * DAY };

	assert_false(bpa_local_cert_needs_renewal(&lc, 969 * DAY, 30));
	assert_true(bpa_local_cert_needs_renewal(&lc, 970 * DAY, 30));
	assert_true(bpa_local_cert_needs_renewal(&lc, 1001 * DAY, 0));
	assert_false(bpa_local_cert_needs_renewal(&lc, 999 * DAY, 0));
	assert_true(bpa_local_cert_needs_renewal(NULL, 0, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_created_reused_renewed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_other_sid_or_garbage_recreated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_parameters_rejected,
						setup, teardown),
		cmocka_unit_test(test_renewal_boundary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
