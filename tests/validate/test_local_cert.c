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
	char lock[310];
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
	snprintf(f->lock, sizeof(f->lock), "%s.lock", f->cert);
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
	unlink(f->lock);
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

static void assert_blob_valid(TALLOC_CTX *ctx,
			      const struct bpa_local_cert *lc,
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
	assert_int_equal(count_files(f->dir), 3);	/* + lock, no temp */
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
	assert_int_equal(count_files(f->dir), 3);

	/* and the renewed one is what is reused next */
	assert_int_equal(HRES_ERROR_V(bpa_local_cert_load_or_create(ctx, &p,
		&lc4)), 0);
	assert_false(lc4->created);
	assert_memory_equal(lc4->cert_der.data, lc3->cert_der.data,
			    lc3->cert_der.length);
	talloc_free(ctx);
}

static void test_other_sid_recreated(void **state)
{
	struct fixture *f = *state;
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct bpa_local_cert_params p = f->p;
	struct bpa_local_cert *lc = NULL;
	struct dom_sid other;

	assert_int_equal(HRES_ERROR_V(bpa_local_cert_load_or_create(ctx, &p,
		&lc)), 0);
	assert_true(lc->created);

	/* the account's SID changed (machine re-joined): a renewal */
	assert_true(bpa_sid_parse("S-1-5-21-1-2-3-1106", &other));
	p.sid = &other;
	assert_int_equal(HRES_ERROR_V(bpa_local_cert_load_or_create(ctx, &p,
		&lc)), 0);
	assert_true(lc->created);
	assert_true(bpa_sid_equal(&lc->sid, &other));
	assert_int_equal(count_files(f->dir), 3);
	talloc_free(ctx);
}

/* ---- files that must never be replaced (issue 9 item 5, 17) -------- */

static DATA_BLOB slurp(TALLOC_CTX *ctx, const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t buf[65536];
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	return data_blob_talloc(ctx, buf, n);
}

static void spit(const char *path,
		 const void *data,
		 size_t len,
		 mode_t mode)
{
	FILE *fp = NULL;

	unlink(path);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	fclose(fp);
	assert_int_equal(chmod(path, mode), 0);
}

static void assert_same_file(TALLOC_CTX *ctx,
			     const char *path,
			     const DATA_BLOB *want,
			     const char *what)
{
	DATA_BLOB have = slurp(ctx, path);

	if (have.length != want->length ||
	    memcmp(have.data, want->data, have.length) != 0) {
		fail_msg("%s: %s was rewritten", what, path);
	}
}

static void assert_refused(TALLOC_CTX *ctx,
			   const struct bpa_local_cert_params *p,
			   const char *what)
{
	struct bpa_local_cert *lc = NULL;
	HRESULT hr = bpa_local_cert_load_or_create(ctx, p, &lc);

	if (HRES_ERROR_V(hr) != 0x80004005) {
		fail_msg("%s: 0x%08x, want E_FAIL (refused)", what,
			 HRES_ERROR_V(hr));
	}
	assert_null(lc);
}

/*
 * A self-managed pair that cannot be read or is unsafe: refused, the
 * files left byte for byte (before: "creating anew", a new identity).
 */
static void test_unreadable_or_unsafe_refused_never_replaced(void **state)
{
	struct fixture *f = *state;
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct bpa_local_cert_params p = f->p;
	struct bpa_local_cert *lc = NULL;
	char moved[320], link_target[320];
	gnutls_x509_privkey_t other = NULL;
	gnutls_datum_t other_pem = { NULL, 0 };
	DATA_BLOB cert, key;
	static const char garbage[] = "-----BEGIN CERTIFICATE-----\nAAAA\n"
				      "-----END CERTIFICATE-----\n";

	assert_int_equal(HRES_ERROR_V(bpa_local_cert_load_or_create(ctx, &p,
		&lc)), 0);
	cert = slurp(ctx, f->cert);
	key = slurp(ctx, f->key);

	/* a key others can read */
	assert_int_equal(chmod(f->key, 0640), 0);
	assert_refused(ctx, &p, "key mode 0640");
	assert_same_file(ctx, f->key, &key, "key mode 0640");
	assert_same_file(ctx, f->cert, &cert, "key mode 0640");
	assert_int_equal(chmod(f->key, 0600), 0);

	/* a certificate file that does not parse */
	spit(f->cert, garbage, sizeof(garbage) - 1, 0644);
	assert_refused(ctx, &p, "garbage certificate");
	assert_same_file(ctx, f->key, &key, "garbage certificate");
	spit(f->cert, cert.data, cert.length, 0644);

	/* the key file a symbolic link (to a good copy) */
	snprintf(link_target, sizeof(link_target), "%s/key.copy", f->dir);
	spit(link_target, key.data, key.length, 0600);
	assert_int_equal(unlink(f->key), 0);
	assert_int_equal(symlink(link_target, f->key), 0);
	assert_refused(ctx, &p, "key a symbolic link");
	assert_same_file(ctx, link_target, &key, "key a symbolic link");
	assert_same_file(ctx, f->cert, &cert, "key a symbolic link");
	assert_int_equal(unlink(f->key), 0);
	assert_int_equal(rename(link_target, f->key), 0);

	/* the key file a directory (read fails: EISDIR/EINVAL) */
	snprintf(moved, sizeof(moved), "%s/key.moved", f->dir);
	assert_int_equal(rename(f->key, moved), 0);
	assert_int_equal(mkdir(f->key, 0700), 0);
	assert_refused(ctx, &p, "key a directory");
	assert_same_file(ctx, f->cert, &cert, "key a directory");
	assert_int_equal(rmdir(f->key), 0);
	assert_int_equal(rename(moved, f->key), 0);

	/* a key that is not the certificate's */
	assert_int_equal(gnutls_x509_privkey_init(&other), 0);
	assert_int_equal(gnutls_x509_privkey_generate(other, GNUTLS_PK_RSA,
						      2048, 0), 0);
	assert_int_equal(gnutls_x509_privkey_export2(other,
		GNUTLS_X509_FMT_PEM, &other_pem), 0);
	spit(f->key, other_pem.data, other_pem.size, 0600);
	assert_refused(ctx, &p, "key of another certificate");
	assert_same_file(ctx, f->cert, &cert, "key of another certificate");
	gnutls_free(other_pem.data);
	gnutls_x509_privkey_deinit(other);
	spit(f->key, key.data, key.length, 0600);

	/* and the original pair still loads, unchanged */
	assert_int_equal(HRES_ERROR_V(bpa_local_cert_load_or_create(ctx, &p,
		&lc)), 0);
	assert_false(lc->created);
	assert_same_file(ctx, f->cert, &cert, "reloaded");
	assert_int_equal(count_files(f->dir), 3);
	talloc_free(ctx);
}

/* the lock file is never followed (O_NOFOLLOW) */
static void test_lock_file_symlink_refused(void **state)
{
	struct fixture *f = *state;
	TALLOC_CTX *ctx = talloc_new(NULL);
	char target[320];
	struct stat st;

	snprintf(target, sizeof(target), "%s/elsewhere", f->dir);
	assert_int_equal(symlink(target, f->lock), 0);
	assert_refused(ctx, &f->p, "lock file a symbolic link");
	assert_int_equal(lstat(target, &st), -1);	/* not created */
	assert_int_equal(stat(f->cert, &st), -1);
	talloc_free(ctx);
}

/* ---- the administrator's certificate (issue 17) -------------------- */

static gnutls_x509_privkey_t gen_key(void)
{
	gnutls_x509_privkey_t k = NULL;

	assert_int_equal(gnutls_x509_privkey_init(&k), 0);
	assert_int_equal(gnutls_x509_privkey_generate(k, GNUTLS_PK_RSA, 2048,
						      0), 0);
	return k;
}

/* a certificate for @key named @cn, signed by @ca (NULL: itself) */
static gnutls_x509_crt_t gen_cert(gnutls_x509_privkey_t key,
				  const char *cn,
				  gnutls_x509_crt_t ca,
				  gnutls_x509_privkey_t ca_key,
				  bool is_ca,
				  time_t nb,
				  time_t na)
{
	gnutls_x509_crt_t c = NULL;
	uint8_t serial[8] = { 0x42, 1, 2, 3, 4, 5, 6, 7 };

	serial[7] = (uint8_t)(nb ^ strlen(cn));
	assert_int_equal(gnutls_x509_crt_init(&c), 0);
	assert_int_equal(gnutls_x509_crt_set_version(c, 3), 0);
	assert_int_equal(gnutls_x509_crt_set_serial(c, serial, 8), 0);
	assert_int_equal(gnutls_x509_crt_set_activation_time(c, nb), 0);
	assert_int_equal(gnutls_x509_crt_set_expiration_time(c, na), 0);
	assert_int_equal(gnutls_x509_crt_set_dn_by_oid(c,
		GNUTLS_OID_X520_COMMON_NAME, 0, cn, strlen(cn)), 0);
	assert_int_equal(gnutls_x509_crt_set_key(c, key), 0);
	if (is_ca) {
		assert_int_equal(gnutls_x509_crt_set_basic_constraints(c, 1,
								       -1), 0);
		assert_int_equal(gnutls_x509_crt_set_key_usage(c,
			GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN), 0);
	} else {
		assert_int_equal(gnutls_x509_crt_set_key_purpose_oid(c,
			GNUTLS_KP_TLS_WWW_SERVER, 0), 0);
		assert_int_equal(gnutls_x509_crt_set_key_purpose_oid(c,
			GNUTLS_KP_TLS_WWW_CLIENT, 0), 0);
		assert_int_equal(gnutls_x509_crt_set_key_usage(c,
			GNUTLS_KEY_DIGITAL_SIGNATURE |
			GNUTLS_KEY_KEY_ENCIPHERMENT), 0);
	}
	assert_int_equal(gnutls_x509_crt_sign2(c, ca != NULL ? ca : c,
		ca_key != NULL ? ca_key : key, GNUTLS_DIG_SHA256, 0), 0);
	return c;
}

static void append_pem(TALLOC_CTX *ctx, DATA_BLOB *out, gnutls_x509_crt_t c)
{
	gnutls_datum_t d = { NULL, 0 };

	assert_int_equal(gnutls_x509_crt_export2(c, GNUTLS_X509_FMT_PEM, &d),
			 0);
	assert_true(data_blob_append(ctx, out, d.data, d.size));
	gnutls_free(d.data);
}

static void write_key(const char *path, gnutls_x509_privkey_t k)
{
	gnutls_datum_t d = { NULL, 0 };

	assert_int_equal(gnutls_x509_privkey_export2(k, GNUTLS_X509_FMT_PEM,
						     &d), 0);
	spit(path, d.data, d.size, 0600);
	gnutls_free(d.data);
}

struct ca_set {
	gnutls_x509_privkey_t ca_key, leaf_key, other_key;
	gnutls_x509_crt_t ca;
};

static void ca_set_init(struct ca_set *s, time_t now)
{
	s->ca_key = gen_key();
	s->leaf_key = gen_key();
	s->other_key = gen_key();
	s->ca = gen_cert(s->ca_key, "BPA Test Enterprise CA", NULL, NULL,
			 true, now - 10 * DAY, now + 3650 * DAY);
}

static void ca_set_free(struct ca_set *s)
{
	gnutls_x509_crt_deinit(s->ca);
	gnutls_x509_privkey_deinit(s->ca_key);
	gnutls_x509_privkey_deinit(s->leaf_key);
	gnutls_x509_privkey_deinit(s->other_key);
}

/* cert file = a CA-issued leaf for @cn, then the CA; key = @key */
static void write_issued(TALLOC_CTX *ctx,
			 struct fixture *f,
			 struct ca_set *s,
			 const char *cn,
			 gnutls_x509_privkey_t key,
			 time_t nb,
			 time_t na,
			 DATA_BLOB *leaf_der)
{
	gnutls_x509_crt_t leaf = gen_cert(s->leaf_key, cn, s->ca, s->ca_key,
					  false, nb, na);
	DATA_BLOB pem = data_blob_null;
	gnutls_datum_t der = { NULL, 0 };

	append_pem(ctx, &pem, leaf);
	append_pem(ctx, &pem, s->ca);
	spit(f->cert, pem.data, pem.length, 0644);
	write_key(f->key, key);
	assert_int_equal(gnutls_x509_crt_export2(leaf, GNUTLS_X509_FMT_DER,
						 &der), 0);
	if (leaf_der != NULL) {
		*leaf_der = data_blob_talloc(ctx, der.data, der.size);
	}
	gnutls_free(der.data);
	gnutls_x509_crt_deinit(leaf);
}

static void test_configured_ca_issued_used_as_is(void **state)
{
	struct fixture *f = *state;
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct bpa_local_cert_params p = f->p;
	struct bpa_local_cert *lc = NULL;
	struct bpa_cert_blob *blob = NULL;
	struct ca_set s;
	DATA_BLOB leaf, cert, key;
	char dn[256];
	size_t dn_len = sizeof(dn);

	ca_set_init(&s, p.now);
	/* 20 days left, renew 30: still used (never renewed), a warning */
	write_issued(ctx, f, &s, SID, s.leaf_key, p.now - DAY,
		     p.now + 20 * DAY, &leaf);
	cert = slurp(ctx, f->cert);
	key = slurp(ctx, f->key);
	p.configured = true;
	assert_int_equal(HRES_ERROR_V(bpa_local_cert_load_or_create(ctx, &p,
		&lc)), 0);
	assert_false(lc->created);
	assert_true(lc->configured);
	assert_false(bpa_local_cert_needs_renewal(lc, p.now, p.renew_days));
	assert_true(bpa_local_cert_needs_renewal(lc, p.now + 21 * DAY,
						 p.renew_days));
	/* the blob carries the leaf */
	assert_int_equal(lc->cert_der.length, leaf.length);
	assert_memory_equal(lc->cert_der.data, leaf.data, leaf.length);
	assert_int_equal(bpa_blob_decode(ctx, lc->blob.data, lc->blob.length,
					 &blob), BPA_BLOB_OK);
	assert_memory_equal(blob->cert_der.data, leaf.data, leaf.length);
	/* the issuer chain for OCSP and revocation */
	assert_int_equal(bpa_local_cert_num_issuers(lc), 1);
	assert_non_null(bpa_local_cert_issuer(lc, 0));
	assert_null(bpa_local_cert_issuer(lc, 1));
	assert_int_equal(gnutls_x509_crt_get_dn(bpa_local_cert_issuer(lc, 0),
						dn, &dn_len), 0);
	assert_string_equal(dn, "CN=BPA Test Enterprise CA");
	/* nothing written, no lock file next to the administrator's */
	assert_same_file(ctx, f->cert, &cert, "configured, loaded");
	assert_same_file(ctx, f->key, &key, "configured, loaded");
	assert_int_equal(count_files(f->dir), 2);
	ca_set_free(&s);
	talloc_free(ctx);
}

static void test_configured_refused_never_written(void **state)
{
	struct fixture *f = *state;
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct bpa_local_cert_params p = f->p;
	struct ca_set s;
	DATA_BLOB cert, key;
	size_t i;
	struct {
		const char *what;
		const char *cn;
		bool other_key;
		time_t nb, na;
	} cases[] = {
		{ "CN not the machine SID", "S-1-5-21-1-2-3-1106", false,
		  -DAY, 300 * DAY },
		{ "expired", SID, false, -300 * DAY, -DAY },
		{ "key does not match", SID, true, -DAY, 300 * DAY },
	};

	p.configured = true;
	/* absent: not created */
	assert_refused(ctx, &p, "configured, absent");
	assert_int_equal(count_files(f->dir), 0);

	ca_set_init(&s, p.now);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_issued(ctx, f, &s, cases[i].cn,
			     cases[i].other_key ? s.other_key : s.leaf_key,
			     p.now + cases[i].nb, p.now + cases[i].na, NULL);
		cert = slurp(ctx, f->cert);
		key = slurp(ctx, f->key);
		assert_refused(ctx, &p, cases[i].what);
		assert_same_file(ctx, f->cert, &cert, cases[i].what);
		assert_same_file(ctx, f->key, &key, cases[i].what);
		assert_int_equal(count_files(f->dir), 2);
	}
	ca_set_free(&s);
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
		cmocka_unit_test_setup_teardown(test_other_sid_recreated,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_unreadable_or_unsafe_refused_never_replaced,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_file_symlink_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_configured_ca_issued_used_as_is, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_configured_refused_never_written, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_bad_parameters_rejected,
						setup, teardown),
		cmocka_unit_test(test_renewal_boundary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
