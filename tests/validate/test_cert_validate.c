/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MS-BPAU 3.1.4.1 / 3.2.4.1 validation phase one: the 4.2 sample, a
 * good certificate, and one certificate per named reason */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "validate/cert_validate.h"
#include "util/bpa_hresult.h"
#include "util/sid_string.h"
#include "test_cert_util.h"

#define NOW ((time_t)1800000000)	/* 2027-01-15 */
#define FEB_2007 ((time_t)1171065600)	/* 2007-02-10 */
#define GOOD_SID "S-1-5-21-1004336348-1177238915-682003330-1105"

struct keys {
	gnutls_x509_privkey_t rsa2048;
	gnutls_x509_privkey_t rsa1024;
	gnutls_x509_privkey_t ec;
};
static struct keys K;

static int setup_keys(void **state)
{
	K.rsa2048 = tcu_key(GNUTLS_PK_RSA, 2048);
	K.rsa1024 = tcu_key(GNUTLS_PK_RSA, 1024);
	K.ec = tcu_key(GNUTLS_PK_ECDSA,
		       GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1));
	return 0;
}

static int teardown_keys(void **state)
{
	gnutls_x509_privkey_deinit(K.rsa2048);
	gnutls_x509_privkey_deinit(K.rsa1024);
	gnutls_x509_privkey_deinit(K.ec);
	return 0;
}

static struct tcu_cert_opts good_opts(void)
{
	struct tcu_cert_opts o = {
		.key = K.rsa2048,
		.cn = GOOD_SID,
		.not_before = NOW - 3600,
		.not_after = NOW + 30 * 86400,
		.eku = TCU_EKU_SERVER | TCU_EKU_CLIENT,
	};
	return o;
}

static struct bpa_cert_blob *blob_of(TALLOC_CTX *ctx, const DATA_BLOB *der)
{
	struct bpa_cert_blob *blob = NULL;

	assert_int_equal(bpa_blob_from_cert(ctx, der, &blob), BPA_BLOB_OK);
	return blob;
}

/* set (or add) property @id of @blob to @v */
static void set_prop(struct bpa_cert_blob *blob, uint32_t id,
		     const DATA_BLOB *v)
{
	uint32_t i;

	for (i = 0; i < blob->num_props; i++) {
		if (blob->props[i].id == id) {
			blob->props[i].value = *v;
			return;
		}
	}
	blob->props = talloc_realloc(blob, blob->props, struct bpa_blob_prop,
				     blob->num_props + 1);
	assert_non_null(blob->props);
	blob->props[blob->num_props].id = id;
	blob->props[blob->num_props].value = *v;
	blob->num_props++;
}

static struct bpa_cert_verdict *check(TALLOC_CTX *ctx,
				      const struct bpa_cert_blob *blob,
				      enum bpa_cert_role role,
				      const struct bpa_validate_policy *p,
				      time_t now, uint32_t reasons,
				      uint32_t hres, const char *what)
{
	struct bpa_cert_verdict *v = NULL;
	HRESULT h;

	h = bpa_cert_validate(ctx, blob, role, p, now, &v);
	assert_non_null(v);
	if (v->reasons != reasons) {
		fail_msg("%s: reasons 0x%x (%s), expected 0x%x", what,
			 v->reasons, bpa_cert_verdict_string(ctx, v),
			 reasons);
	}
	assert_int_equal(HRES_ERROR_V(h), hres);
	assert_int_equal(HRES_ERROR_V(v->hres), hres);
	return v;
}

/* ---- the 4.2 sample ------------------------------------------------- */

static struct bpa_cert_blob *sample_blob(TALLOC_CTX *ctx)
{
	DATA_BLOB s = tcu_load_hex(ctx, "ms-bpau-4.2-blob.hex");
	struct bpa_cert_blob *blob = NULL;

	assert_int_equal(bpa_blob_decode(ctx, s.data, s.length, &blob),
			 BPA_BLOB_OK);
	return blob;
}

static void test_sample_default_policy_names_three_reasons(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct bpa_cert_blob *blob = sample_blob(ctx);
	struct bpa_cert_verdict *v = NULL;
	char sid[BPA_SID_STRING_MAX];
	char *text = NULL;

	v = check(ctx, blob, BPA_CERT_ROLE_CLIENT, NULL, NOW,
		  BPA_CERT_R_RSA_TOO_SMALL | BPA_CERT_R_WEAK_SIGNATURE |
		  BPA_CERT_R_EXPIRED, 0x80090003, "sample");
	assert_true(v->has_sid);
	assert_string_equal(bpa_sid_format(&v->subject_sid, sid),
		"S-1-5-21-397955417-626881126-188441444-3394717");
	text = bpa_cert_verdict_string(ctx, v);
	assert_string_equal(text, "RSA key 1024 < 2048 bits, "
			    "weak signature (RSA-SHA1), "
			    "expired (not after 2007-02-16T21:56:16Z)");
	talloc_free(ctx);
}

static void test_sample_accepted_under_legacy_policy_in_feb_2007(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct bpa_cert_blob *blob = sample_blob(ctx);
	struct bpa_validate_policy legacy;
	struct bpa_cert_verdict *v = NULL;

	bpa_validate_policy_default(&legacy);
	legacy.min_rsa_bits = 1024;
	legacy.allow_sha1_signatures = true;
	v = check(ctx, blob, BPA_CERT_ROLE_CLIENT, &legacy, FEB_2007, 0, 0,
		  "sample, legacy, client");
	assert_string_equal(bpa_cert_verdict_string(ctx, v), "accepted");
	check(ctx, blob, BPA_CERT_ROLE_SERVER, &legacy, FEB_2007, 0, 0,
	      "sample, legacy, server");
	/* the same day under the default policy: key and signature */
	check(ctx, blob, BPA_CERT_ROLE_SERVER, NULL, FEB_2007,
	      BPA_CERT_R_RSA_TOO_SMALL | BPA_CERT_R_WEAK_SIGNATURE,
	      0x80090003, "sample, default, 2007");
	talloc_free(ctx);
}

/* ---- generated certificates ---------------------------------------- */

static void test_good_certificate_accepted_for_both_roles(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct tcu_cert_opts o = good_opts();
	DATA_BLOB der = tcu_make_cert(ctx, &o);
	struct bpa_cert_blob *blob = blob_of(ctx, &der);
	struct bpa_cert_verdict *v = NULL;
	struct dom_sid want;

	v = check(ctx, blob, BPA_CERT_ROLE_CLIENT, NULL, NOW, 0, 0, "good");
	assert_true(bpa_sid_parse(GOOD_SID, &want));
	assert_true(v->has_sid);
	assert_true(bpa_sid_equal(&v->subject_sid, &want));
	assert_int_equal(v->rsa_bits, 2048);
	check(ctx, blob, BPA_CERT_ROLE_SERVER, NULL, NOW, 0, 0, "good srv");
	talloc_free(ctx);
}

enum mutation {
	MUT_NONE,
	MUT_FLIP_SIGNATURE,
	MUT_JUNK_DER,
	MUT_EKU_PROP_SERVER_ONLY,
	MUT_DROP_EKU_PROP,
};

struct reason_case {
	const char *name;
	struct tcu_cert_opts o;	/* over good_opts(); 0 fields: default */
	int key;		/* 0 rsa2048, 1 rsa1024, 2 ec */
	int issuer;		/* -1 self, else key index */
	bool no_cn;
	enum mutation mut;
	enum bpa_cert_role role;
	time_t nb_delta, na_delta; /* relative to NOW, 0: default */
	uint32_t reasons;
	uint32_t hres;
};

static const struct reason_case reason_cases[] = {
	{ "DER junk", .mut = MUT_JUNK_DER, .issuer = -1,
	  .reasons = BPA_CERT_R_DER, .hres = 0x80093100 },
	{ "EC key", .key = 2, .issuer = -1,
	  .reasons = BPA_CERT_R_NOT_RSA, .hres = 0x80090003 },
	{ "RSA 1024", .key = 1, .issuer = -1,
	  .reasons = BPA_CERT_R_RSA_TOO_SMALL, .hres = 0x80090003 },
	{ "no CN", .o = { .org = "Samba" }, .no_cn = true, .issuer = -1,
	  .reasons = BPA_CERT_R_SUBJECT_NOT_ONE_CN, .hres = 0x80070005 },
	{ "two CNs", .o = { .cn2 = "S-1-5-18" }, .issuer = -1,
	  .reasons = BPA_CERT_R_SUBJECT_NOT_ONE_CN, .hres = 0x80070005 },
	{ "CN and O", .o = { .org = "Samba" }, .issuer = -1,
	  .reasons = BPA_CERT_R_SUBJECT_NOT_ONE_CN, .hres = 0x80070005 },
	{ "CN a host name", .o = { .cn = "peer1.bpa.test" }, .issuer = -1,
	  .reasons = BPA_CERT_R_CN_NOT_SID, .hres = 0x80070005 },
	{ "CN lower-case sid", .o = { .cn = "s-1-5-21-1-2-3-1105" },
	  .issuer = -1,
	  .reasons = BPA_CERT_R_CN_NOT_SID, .hres = 0x80070005 },
	{ "CN SID with text after", .o = { .cn = "S-1-5-21-1-2-3-1105 x" },
	  .issuer = -1,
	  .reasons = BPA_CERT_R_CN_NOT_SID, .hres = 0x80070005 },
	{ "signature bit flipped", .mut = MUT_FLIP_SIGNATURE, .issuer = -1,
	  .reasons = BPA_CERT_R_SELF_SIGNATURE, .hres = 0x80096004 },
	{ "signed by another key", .issuer = 1,
	  .reasons = BPA_CERT_R_NOT_SELF_ISSUED | BPA_CERT_R_SELF_SIGNATURE,
	  .hres = 0x80096004 },
	{ "SHA-1 signature", .o = { .dig = GNUTLS_DIG_SHA1 }, .issuer = -1,
	  .reasons = BPA_CERT_R_WEAK_SIGNATURE, .hres = 0x80090008 },
	{ "not yet valid (1 h ahead)", .nb_delta = 3600, .issuer = -1,
	  .reasons = BPA_CERT_R_NOT_YET_VALID, .hres = 0x800B0101 },
	{ "not before within skew", .nb_delta = 200, .issuer = -1 },
	{ "SKI extension: KEY_IDENTIFIER follows it", .o = { .ski = true },
	  .issuer = -1 },
	{ "expired 1 h ago", .nb_delta = -86400, .na_delta = -3600,
	  .issuer = -1, .reasons = BPA_CERT_R_EXPIRED, .hres = 0x800B0101 },
	{ "expired within skew", .nb_delta = -86400, .na_delta = -200,
	  .issuer = -1 },
	/* from_cert copies the extension into ENHKEY_USAGE: both refuse */
	{ "EKU serverAuth only, client role",
	  .o = { .eku = TCU_EKU_SERVER }, .issuer = -1,
	  .role = BPA_CERT_ROLE_CLIENT,
	  .reasons = BPA_CERT_R_EKU_EXTENSION | BPA_CERT_R_EKU_PROPERTY,
	  .hres = 0x800B0110 },
	{ "EKU clientAuth only, server role",
	  .o = { .eku = TCU_EKU_CLIENT }, .issuer = -1,
	  .role = BPA_CERT_ROLE_SERVER,
	  .reasons = BPA_CERT_R_EKU_EXTENSION | BPA_CERT_R_EKU_PROPERTY,
	  .hres = 0x800B0110 },
	{ "EKU extension serverAuth only, no property, client role",
	  .o = { .eku = TCU_EKU_SERVER }, .issuer = -1,
	  .mut = MUT_DROP_EKU_PROP, .role = BPA_CERT_ROLE_CLIENT,
	  .reasons = BPA_CERT_R_EKU_EXTENSION, .hres = 0x800B0110 },
	{ "EKU serverAuth only, server role",
	  .o = { .eku = TCU_EKU_SERVER }, .issuer = -1,
	  .role = BPA_CERT_ROLE_SERVER },
	{ "ENHKEY_USAGE property serverAuth only, client role",
	  .mut = MUT_EKU_PROP_SERVER_ONLY, .issuer = -1,
	  .role = BPA_CERT_ROLE_CLIENT,
	  .reasons = BPA_CERT_R_EKU_PROPERTY, .hres = 0x800B0110 },
};

static gnutls_x509_privkey_t key_n(int n)
{
	return n == 1 ? K.rsa1024 : n == 2 ? K.ec : K.rsa2048;
}

static void test_each_reason_named(void **state)
{
	static const uint8_t junk[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
	static const uint8_t eku_server[] = {
		0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07,
		0x03, 0x01 };
	size_t i;

	for (i = 0; i < sizeof(reason_cases) / sizeof(reason_cases[0]);
	     i++) {
		const struct reason_case *c = &reason_cases[i];
		TALLOC_CTX *ctx = talloc_new(NULL);
		struct tcu_cert_opts o = good_opts();
		struct bpa_cert_blob *blob = NULL;
		struct bpa_cert_verdict *v = NULL;
		DATA_BLOB der;
		char *text = NULL;
		uint32_t bit;

		o.key = key_n(c->key);
		o.issuer_key = c->issuer < 0 ? NULL : key_n(c->issuer);
		if (c->o.cn != NULL) {
			o.cn = c->o.cn;
		}
		if (c->no_cn) {
			o.cn = NULL;
		}
		o.cn2 = c->o.cn2;
		o.org = c->o.org;
		o.dig = c->o.dig;
		o.ski = c->o.ski;
		if (c->o.eku != 0) {
			o.eku = c->o.eku;
		}
		if (c->mut == MUT_EKU_PROP_SERVER_ONLY) {
			o.eku = 0;
		}
		o.not_before = NOW + (c->nb_delta ? c->nb_delta : -3600);
		o.not_after = NOW + (c->na_delta ? c->na_delta : 30 * 86400);
		der = tcu_make_cert(ctx, &o);
		if (c->mut == MUT_FLIP_SIGNATURE) {
			der.data[der.length - 1] ^= 0x01;
		}
		if (c->mut == MUT_JUNK_DER) {
			blob = talloc_zero(ctx, struct bpa_cert_blob);
			blob->cert_der = data_blob_const(junk, sizeof(junk));
		} else {
			blob = blob_of(ctx, &der);
		}
		if (c->mut == MUT_DROP_EKU_PROP) {
			uint32_t k;

			for (k = 0; k < blob->num_props; k++) {
				if (blob->props[k].id ==
				    BPA_PROP_ENHKEY_USAGE) {
					blob->props[k] =
						blob->props[--blob->num_props];
				}
			}
			assert_null(bpa_blob_find_prop(blob,
						BPA_PROP_ENHKEY_USAGE));
		}
		if (c->mut == MUT_EKU_PROP_SERVER_ONLY) {
			DATA_BLOB e = data_blob_const(eku_server,
						      sizeof(eku_server));

			set_prop(blob, BPA_PROP_ENHKEY_USAGE, &e);
		}
		v = check(ctx, blob, c->role, NULL, NOW, c->reasons, c->hres,
			  c->name);
		/* the text names each reason */
		text = bpa_cert_verdict_string(ctx, v);
		for (bit = 1; bit != 0 && c->reasons != 0; bit <<= 1) {
			const char *word = bpa_cert_reason_name(bit);

			if (!(c->reasons & bit)) {
				continue;
			}
			if (bit == BPA_CERT_R_RSA_TOO_SMALL) {
				word = "RSA key 1024 < 2048 bits";
			} else if (bit == BPA_CERT_R_WEAK_SIGNATURE) {
				word = "weak signature (RSA-SHA1)";
			} else if (bit == BPA_CERT_R_EKU_EXTENSION ||
				   bit == BPA_CERT_R_EKU_PROPERTY) {
				word = c->role == BPA_CERT_ROLE_CLIENT ?
				       "does not allow clientAuth" :
				       "does not allow serverAuth";
			} else if (bit == BPA_CERT_R_EXPIRED) {
				word = "expired (not after 2027-01-15T";
			} else if (bit == BPA_CERT_R_NOT_YET_VALID) {
				word = "not yet valid (not before 2027-01-15T";
			}
			if (strstr(text, word) == NULL) {
				fail_msg("%s: \"%s\" lacks \"%s\"", c->name,
					 text, word);
			}
		}
		talloc_free(ctx);
	}
}

static void test_sha1_accepted_when_legacy_allowed(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct tcu_cert_opts o = good_opts();
	struct bpa_validate_policy p;
	DATA_BLOB der;

	o.dig = GNUTLS_DIG_SHA1;
	der = tcu_make_cert(ctx, &o);
	bpa_validate_policy_default(&p);
	p.allow_sha1_signatures = true;
	check(ctx, blob_of(ctx, &der), BPA_CERT_ROLE_CLIENT, &p, NOW, 0, 0,
	      "SHA-1 allowed");
	talloc_free(ctx);
}

/* every hash property: right value accepted, one flipped bit named */
static void test_each_hash_property_checked(void **state)
{
	static const uint32_t ids[] = { 3, 4, 15, 20, 24, 25, 28, 29 };
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct tcu_cert_opts o = good_opts();
	DATA_BLOB der = tcu_make_cert(ctx, &o);
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct bpa_cert_blob *blob = blob_of(ctx, &der);
		struct bpa_cert_verdict *v = NULL;
		DATA_BLOB val = data_blob_null;
		char *text = NULL;

		assert_int_equal(bpa_blob_prop_compute(blob, &der, ids[i],
						       &val), BPA_BLOB_OK);
		set_prop(blob, ids[i], &val);
		check(ctx, blob, BPA_CERT_ROLE_CLIENT, NULL, NOW, 0, 0,
		      bpa_blob_prop_name(ids[i]));
		val.data[val.length - 1] ^= 0x80;
		v = check(ctx, blob, BPA_CERT_ROLE_CLIENT, NULL, NOW,
			  BPA_CERT_R_HASH_MISMATCH, 0x80091007,
			  bpa_blob_prop_name(ids[i]));
		assert_int_equal(v->bad_props, 1u << ids[i]);
		text = bpa_cert_verdict_string(ctx, v);
		assert_non_null(strstr(text, bpa_blob_prop_name(ids[i])));
	}
	talloc_free(ctx);
}

static int phase_two_calls;

static HRESULT refuse_all(void *private_data,
			  const struct bpa_cert_blob *blob,
			  enum bpa_cert_role role,
			  const struct bpa_cert_verdict *phase_one)
{
	phase_two_calls++;
	assert_int_equal(phase_one->reasons, 0);
	return HRES_ERROR(*(uint32_t *)private_data);
}

static void test_phase_two_called_only_after_phase_one(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct tcu_cert_opts o = good_opts();
	DATA_BLOB der = tcu_make_cert(ctx, &o);
	struct bpa_cert_blob *blob = blob_of(ctx, &der);
	struct bpa_cert_blob *sample = sample_blob(ctx);
	struct bpa_validate_policy p;
	struct bpa_cert_verdict *v = NULL;
	uint32_t answer = 0x800B0109;	/* CERT_E_UNTRUSTEDROOT */

	bpa_validate_policy_default(&p);
	p.phase_two = refuse_all;
	p.phase_two_data = &answer;
	phase_two_calls = 0;
	v = check(ctx, blob, BPA_CERT_ROLE_SERVER, &p, NOW,
		  BPA_CERT_R_PHASE_TWO, 0x800B0109, "phase two refuses");
	assert_int_equal(phase_two_calls, 1);
	assert_string_equal(bpa_cert_verdict_string(ctx, v),
			    "refused by phase two (0x800b0109)");
	answer = 0;
	check(ctx, blob, BPA_CERT_ROLE_SERVER, &p, NOW, 0, 0,
	      "phase two accepts");
	assert_int_equal(phase_two_calls, 2);
	check(ctx, sample, BPA_CERT_ROLE_SERVER, &p, NOW,
	      BPA_CERT_R_RSA_TOO_SMALL | BPA_CERT_R_WEAK_SIGNATURE |
	      BPA_CERT_R_EXPIRED, 0x80090003, "phase one refuses");
	assert_int_equal(phase_two_calls, 2);
	talloc_free(ctx);
}

/* a flipped bit anywhere in the sample's certificate: phase one names
 * a reason (a hash property always catches it), never crashes */
static void test_bit_flip_in_sample_certificate_refused(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct bpa_cert_blob *blob = sample_blob(ctx);
	struct bpa_validate_policy legacy;
	size_t n;

	bpa_validate_policy_default(&legacy);
	legacy.min_rsa_bits = 1024;
	legacy.allow_sha1_signatures = true;
	for (n = 0; n < blob->cert_der.length; n++) {
		struct bpa_cert_verdict *v = NULL;
		uint8_t bit = (uint8_t)(1u << (n % 8));

		blob->cert_der.data[n] ^= bit;
		bpa_cert_validate(ctx, blob, BPA_CERT_ROLE_CLIENT, &legacy,
				  FEB_2007, &v);
		assert_non_null(v);
		if (v->reasons == 0 || HRES_IS_OK(v->hres)) {
			fail_msg("flip at %zu accepted", n);
		}
		assert_int_equal(v->reasons & BPA_CERT_R_INTERNAL, 0);
		TALLOC_FREE(v);
		blob->cert_der.data[n] ^= bit;
	}
	talloc_free(ctx);
}

static void test_reason_names_distinct(void **state)
{
	uint32_t a, b;

	for (a = 1; a <= BPA_CERT_R_INTERNAL; a <<= 1) {
		assert_string_not_equal(bpa_cert_reason_name(a), "unknown");
		for (b = 1; b < a; b <<= 1) {
			assert_string_not_equal(bpa_cert_reason_name(a),
						bpa_cert_reason_name(b));
		}
	}
	assert_string_equal(bpa_cert_reason_name(3), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_sample_default_policy_names_three_reasons),
		cmocka_unit_test(
			test_sample_accepted_under_legacy_policy_in_feb_2007),
		cmocka_unit_test(test_good_certificate_accepted_for_both_roles),
		cmocka_unit_test(test_each_reason_named),
		cmocka_unit_test(test_sha1_accepted_when_legacy_allowed),
		cmocka_unit_test(test_each_hash_property_checked),
		cmocka_unit_test(test_phase_two_called_only_after_phase_one),
		cmocka_unit_test(test_bit_flip_in_sample_certificate_refused),
		cmocka_unit_test(test_reason_names_distinct),
	};
	return cmocka_run_group_tests(tests, setup_keys, teardown_keys);
}
