/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MS-BPAU 2.2.2 CERTIFICATE_BLOB codec: the 4.2 sample, round trips and
 * a table-driven corpus of malformed blobs */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "blob/cert_blob.h"
#include "util/bpa_hresult.h"
#include "test_cert_util.h"

#define SAMPLE_FILE "ms-bpau-4.2-blob.hex"
#define SAMPLE_CERT_OFF 0xc6
#define SAMPLE_CERT_LEN 0x22d

static struct bpa_cert_blob sentinel;

/* ---- a small blob writer ------------------------------------------- */

struct wbuf {
	uint8_t b[70000];
	size_t n;
};

static void w32(struct wbuf *w, uint32_t v)
{
	w->b[w->n++] = (uint8_t)v;
	w->b[w->n++] = (uint8_t)(v >> 8);
	w->b[w->n++] = (uint8_t)(v >> 16);
	w->b[w->n++] = (uint8_t)(v >> 24);
}

static void wbytes(struct wbuf *w, const void *p, size_t len)
{
	memcpy(w->b + w->n, p, len);
	w->n += len;
}

static void wprop(struct wbuf *w,
		  uint32_t id,
		  uint32_t reserved,
		  uint32_t len,
		  const void *val,
		  size_t vlen)
{
	w32(w, id);
	w32(w, reserved);
	w32(w, len);
	wbytes(w, val, vlen);
}

static DATA_BLOB sample_cert(TALLOC_CTX *mem_ctx)
{
	DATA_BLOB s = tcu_load_hex(mem_ctx, SAMPLE_FILE);

	return data_blob_const(s.data + SAMPLE_CERT_OFF, SAMPLE_CERT_LEN);
}

static void wcert(struct wbuf *w, const DATA_BLOB *der)
{
	wprop(w, 32, 1, (uint32_t)der->length, der->data, der->length);
}

/* decode must fail with @expect, leave *pblob alone and leak nothing */
static void expect_decode_error(const uint8_t *buf,
				size_t len,
				enum bpa_blob_err expect,
				const char *what)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct bpa_cert_blob *blob = &sentinel;
	size_t before = talloc_total_blocks(ctx);
	enum bpa_blob_err err;

	err = bpa_blob_decode(ctx, buf, len, &blob);
	if (err != expect) {
		fail_msg("%s: got \"%s\", expected \"%s\"", what,
			 bpa_blob_strerror(err), bpa_blob_strerror(expect));
	}
	assert_ptr_equal(blob, &sentinel);
	assert_int_equal(talloc_total_blocks(ctx), before);
	talloc_free(ctx);
}

/* ---- the 4.2 sample -------------------------------------------------- */

static void test_sample_is_755_bytes_with_557_byte_cert(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	DATA_BLOB s = tcu_load_hex(ctx, SAMPLE_FILE);

	assert_int_equal(s.length, 0x2f3);
	/* the certificate element at 0xba: id 32, Reserved 1, 0x22d */
	assert_memory_equal(s.data + 0xba,
		"\x20\x00\x00\x00\x01\x00\x00\x00\x2d\x02\x00\x00", 12);
	assert_int_equal(s.data[SAMPLE_CERT_OFF], 0x30);
	talloc_free(ctx);
}

static void test_sample_decodes_six_properties_in_order(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	DATA_BLOB s = tcu_load_hex(ctx, SAMPLE_FILE);
	struct bpa_cert_blob *blob = NULL;
	static const uint32_t ids[] = { 25, 15, 3, 9, 4, 20 };
	static const uint8_t eku[] = {
		0x30, 0x14, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07,
		0x03, 0x01, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07,
		0x03, 0x02 };
	const DATA_BLOB *p = NULL;
	size_t i;

	assert_int_equal(bpa_blob_decode(ctx, s.data, s.length, &blob),
			 BPA_BLOB_OK);
	assert_int_equal(blob->num_props, 6);
	for (i = 0; i < 6; i++) {
		assert_int_equal(blob->props[i].id, ids[i]);
	}
	assert_false(blob->had_key_prov_info);
	assert_int_equal(blob->cert_der.length, SAMPLE_CERT_LEN);
	assert_memory_equal(blob->cert_der.data, s.data + SAMPLE_CERT_OFF,
			    SAMPLE_CERT_LEN);
	p = bpa_blob_find_prop(blob, BPA_PROP_ENHKEY_USAGE);
	assert_non_null(p);
	assert_int_equal(p->length, sizeof(eku));
	assert_memory_equal(p->data, eku, sizeof(eku));
	assert_null(bpa_blob_find_prop(blob, BPA_PROP_KEY_SPEC));
	talloc_free(ctx);
}

/* the hash definitions of cert_blob.c reproduce all of Vista's values */
static void test_sample_hash_properties_match_certificate(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	DATA_BLOB s = tcu_load_hex(ctx, SAMPLE_FILE);
	struct bpa_cert_blob *blob = NULL;
	uint32_t i;

	assert_int_equal(bpa_blob_decode(ctx, s.data, s.length, &blob),
			 BPA_BLOB_OK);
	for (i = 0; i < blob->num_props; i++) {
		DATA_BLOB want = data_blob_null;
		uint32_t id = blob->props[i].id;

		if (id == BPA_PROP_ENHKEY_USAGE) {
			/* the sample's certificate has no EKU extension */
			assert_int_equal(bpa_blob_prop_compute(ctx,
				&blob->cert_der, id, &want),
				BPA_BLOB_ERR_NOT_COMPUTABLE);
			continue;
		}
		assert_int_equal(bpa_blob_prop_compute(ctx, &blob->cert_der,
						       id, &want),
				 BPA_BLOB_OK);
		if (want.length != blob->props[i].value.length ||
		    memcmp(want.data, blob->props[i].value.data,
			   want.length) != 0) {
			fail_msg("%s does not match", bpa_blob_prop_name(id));
		}
	}
	talloc_free(ctx);
}

static void test_sample_reencodes_byte_exact(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	DATA_BLOB s = tcu_load_hex(ctx, SAMPLE_FILE);
	struct bpa_cert_blob *blob = NULL;
	DATA_BLOB out = data_blob_null;

	assert_int_equal(bpa_blob_decode(ctx, s.data, s.length, &blob),
			 BPA_BLOB_OK);
	assert_int_equal(bpa_blob_encode(ctx, blob, &out), BPA_BLOB_OK);
	assert_int_equal(out.length, s.length);
	assert_memory_equal(out.data, s.data, s.length);
	talloc_free(ctx);
}

/* from_cert on the sample's certificate rebuilds what Vista sent except
 * ENHKEY_USAGE (a store property there, no extension in the cert) */
static void test_from_cert_rebuilds_vista_properties(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	DATA_BLOB s = tcu_load_hex(ctx, SAMPLE_FILE);
	DATA_BLOB der = sample_cert(ctx);
	struct bpa_cert_blob *vista = NULL;
	struct bpa_cert_blob *ours = NULL;
	uint32_t i;

	assert_int_equal(bpa_blob_decode(ctx, s.data, s.length, &vista),
			 BPA_BLOB_OK);
	assert_int_equal(bpa_blob_from_cert(ctx, &der, &ours), BPA_BLOB_OK);
	assert_int_equal(ours->num_props, 5);
	for (i = 0; i < ours->num_props; i++) {
		const DATA_BLOB *v = bpa_blob_find_prop(vista,
							ours->props[i].id);

		assert_non_null(v);
		assert_int_equal(v->length, ours->props[i].value.length);
		assert_memory_equal(v->data, ours->props[i].value.data,
				    v->length);
	}
	assert_null(bpa_blob_find_prop(ours, BPA_PROP_ENHKEY_USAGE));
	talloc_free(ctx);
}

static void test_sha256_fingerprint(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	DATA_BLOB der = sample_cert(ctx);
	DATA_BLOB empty = data_blob_null;
	uint8_t fp[BPA_CERT_SHA256_LEN];
	static const uint8_t want[BPA_CERT_SHA256_LEN] = {
		0xa0, 0xc1, 0x32, 0x0e, 0xd7, 0xa7, 0xa7, 0x92,
		0x73, 0x91, 0x2a, 0x69, 0xb8, 0xf4, 0xbf, 0xa7,
		0x60, 0x14, 0xe8, 0xa5, 0xa1, 0x5e, 0x0f, 0x66,
		0x1a, 0xdd, 0xb3, 0x74, 0x16, 0xe0, 0x68, 0x2d };

	assert_true(bpa_cert_sha256(&der, fp));
	assert_memory_equal(fp, want, sizeof(want));
	assert_false(bpa_cert_sha256(&empty, fp));
	talloc_free(ctx);
}

/* ---- a "good" blob with every property kind, on the sample's cert ---- */

static const uint8_t kpi_ok[] = {
	28, 0, 0, 0,  32, 0, 0, 0,  1, 0, 0, 0,  7, 0, 0, 0, /* flags: ign. */
	0, 0, 0, 0, 0, 0, 0, 0,  1, 0, 0, 0,
	'c', 0, 0, 0,  'p', 0, 0, 0 };
static const uint8_t name_ok[] = { 'n', 0, 'a', 0, 0, 0 };
static const uint8_t spec_ok[] = { 1, 0, 0, 0 };
static const uint8_t date_ok[] = { 0, 0x80, 0x3e, 0xd5, 0xde, 0xb1,
				   0x9d, 0x01 };
static const uint8_t alg_para_ok[] = { 0x05, 0x00 };

static DATA_BLOB good_blob(TALLOC_CTX *ctx, struct wbuf *w)
{
	DATA_BLOB der = sample_cert(ctx);
	uint32_t extra[] = {
		BPA_PROP_ISSUER_PUBLIC_KEY_MD5_HASH,
		BPA_PROP_SUBJECT_NAME_MD5_HASH,
		BPA_PROP_ISSUER_SERIAL_NUMBER_MD5_HASH,
		BPA_PROP_SHA1_HASH };
	size_t i;

	w->n = 0;
	wprop(w, BPA_PROP_KEY_PROV_INFO, 1, sizeof(kpi_ok), kpi_ok,
	      sizeof(kpi_ok));
	wprop(w, BPA_PROP_FRIENDLY_NAME, 1, sizeof(name_ok), name_ok,
	      sizeof(name_ok));
	wprop(w, BPA_PROP_DESCRIPTION, 1, sizeof(name_ok), name_ok,
	      sizeof(name_ok));
	wprop(w, BPA_PROP_AUTO_ENROLL, 1, sizeof(name_ok), name_ok,
	      sizeof(name_ok));
	wprop(w, BPA_PROP_KEY_SPEC, 1, 4, spec_ok, 4);
	wprop(w, BPA_PROP_DATE_STAMP, 1, 8, date_ok, 8);
	wprop(w, BPA_PROP_PUBKEY_ALG_PARA, 1, 2, alg_para_ok, 2);
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		DATA_BLOB v = data_blob_null;

		assert_int_equal(bpa_blob_prop_compute(ctx, &der, extra[i],
						       &v), BPA_BLOB_OK);
		wprop(w, extra[i], 1, (uint32_t)v.length, v.data, v.length);
	}
	wcert(w, &der);
	return data_blob_const(w->b, w->n);
}

static void test_good_blob_drops_key_prov_info(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct wbuf *w = talloc(ctx, struct wbuf);
	DATA_BLOB g = good_blob(ctx, w);
	struct bpa_cert_blob *blob = NULL;
	struct bpa_cert_blob *again = NULL;
	DATA_BLOB out = data_blob_null;

	assert_int_equal(bpa_blob_decode(ctx, g.data, g.length, &blob),
			 BPA_BLOB_OK);
	assert_true(blob->had_key_prov_info);
	assert_int_equal(blob->num_props, 10);
	assert_null(bpa_blob_find_prop(blob, BPA_PROP_KEY_PROV_INFO));
	assert_non_null(bpa_blob_find_prop(blob, BPA_PROP_AUTO_ENROLL));

	/* encode: everything but KEY_PROV_INFO, which is never sent */
	assert_int_equal(bpa_blob_encode(ctx, blob, &out), BPA_BLOB_OK);
	assert_int_equal(out.length, g.length - 12 - sizeof(kpi_ok));
	assert_memory_equal(out.data, g.data + 12 + sizeof(kpi_ok),
			    out.length);
	assert_int_equal(bpa_blob_decode(ctx, out.data, out.length, &again),
			 BPA_BLOB_OK);
	assert_false(again->had_key_prov_info);
	talloc_free(ctx);
}

/* What decoding the first @n bytes of a well-formed blob must say */
static enum bpa_blob_err truncation_error(const uint8_t *b, size_t n)
{
	size_t off = 0;

	for (;;) {
		uint32_t id = b[off] | (b[off + 1] << 8) |
			      (b[off + 2] << 16) | ((uint32_t)b[off + 3] << 24);
		uint32_t len = b[off + 8] | (b[off + 9] << 8) |
			       (b[off + 10] << 16) |
			       ((uint32_t)b[off + 11] << 24);

		if (n == off) {
			return BPA_BLOB_ERR_NO_CERTIFICATE;
		}
		if (n < off + 4) {
			return BPA_BLOB_ERR_PROP_HEADER_TRUNCATED;
		}
		if (n < off + 12) {
			return id == 32 ? BPA_BLOB_ERR_CERT_HEADER_TRUNCATED :
					  BPA_BLOB_ERR_PROP_HEADER_TRUNCATED;
		}
		if (n < off + 12 + len) {
			return id == 32 ? BPA_BLOB_ERR_CERT_BEYOND_INPUT :
					  BPA_BLOB_ERR_PROP_BEYOND_INPUT;
		}
		off += 12 + len;
	}
}

static void truncate_everywhere(const DATA_BLOB *b)
{
	size_t n;

	for (n = 0; n < b->length; n++) {
		char what[64];

		snprintf(what, sizeof(what), "truncated at %zu", n);
		expect_decode_error(b->data, n, truncation_error(b->data, n),
				    what);
	}
}

static void test_truncation_at_every_offset_of_sample(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	DATA_BLOB s = tcu_load_hex(ctx, SAMPLE_FILE);

	truncate_everywhere(&s);
	talloc_free(ctx);
}

static void test_truncation_at_every_offset_of_good_blob(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct wbuf *w = talloc(ctx, struct wbuf);
	DATA_BLOB g = good_blob(ctx, w);

	truncate_everywhere(&g);
	talloc_free(ctx);
}

/* ---- malformed corpus ------------------------------------------------ */

static const uint8_t h20[20], h16[16], h19[19], h17[17], h21[21];
static const uint8_t d7[7], d9[9], spec3[3];
static const uint8_t spec2[] = { 2, 0, 0, 0 };
static const uint8_t str_odd[] = { 'a', 0, 0 };
static const uint8_t str_nonul[] = { 'a', 0, 'b', 0 };
static const uint8_t str_embedded[] = { 'a', 0, 0, 0, 'b', 0, 0, 0 };
static const uint8_t eku_junk[] = { 0x04, 0x01, 0x00 };
static const uint8_t eku_empty[] = { 0x30, 0x00 };
static const uint8_t eku_trailing[] = { 0x30, 0x03, 0x06, 0x01, 0x2b, 0x00 };
static const uint8_t eku_long_form_short[] = { 0x30, 0x81, 0x03, 0x06, 0x01,
					       0x2b };
static const uint8_t alg_two[] = { 0x05, 0x00, 0x05, 0x00 };
static const uint8_t alg_indef[] = { 0x30, 0x80, 0x00, 0x00 };

#define KPI_HDR(oc, op, type, r0, spec) \
	oc, 0, 0, 0,  op, 0, 0, 0,  type, 0, 0, 0,  0, 0, 0, 0, \
	r0, 0, 0, 0, 0, 0, 0, 0,  spec, 0, 0, 0
static const uint8_t kpi_short[27] = {
	28, 0, 0, 0,  32, 0, 0, 0,  1, 0, 0, 0,  0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0,  1, 0, 0 };
static const uint8_t kpi_type2[] = { KPI_HDR(28, 32, 2, 0, 1),
				     'c', 0, 0, 0, 'p', 0, 0, 0 };
static const uint8_t kpi_res[] = { KPI_HDR(28, 32, 1, 9, 1),
				   'c', 0, 0, 0, 'p', 0, 0, 0 };
static const uint8_t kpi_spec2[] = { KPI_HDR(28, 32, 1, 0, 2),
				     'c', 0, 0, 0, 'p', 0, 0, 0 };
static const uint8_t kpi_off_header[] = { KPI_HDR(20, 32, 1, 0, 1),
					  'c', 0, 0, 0, 'p', 0, 0, 0 };
static const uint8_t kpi_off_end[] = { KPI_HDR(28, 36, 1, 0, 1),
				       'c', 0, 0, 0, 'p', 0, 0, 0 };
static const uint8_t kpi_off_huge[] = { 28, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
					1, 0, 0, 0, 0, 0, 0, 0,
					0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
					'c', 0, 0, 0, 'p', 0, 0, 0 };
static const uint8_t kpi_unterm[] = { KPI_HDR(28, 32, 1, 0, 1),
				      'c', 0, 0, 0, 'p', 0, 'p', 0 };
static const uint8_t kpi_overlap[] = { KPI_HDR(28, 30, 1, 0, 1),
				       'c', 0, 0, 0, 'p', 0, 0, 0 };
static const uint8_t kpi_same[] = { KPI_HDR(28, 28, 1, 0, 1),
				    'c', 0, 0, 0 };
static const uint8_t kpi_unused9[] = { KPI_HDR(28, 41, 1, 0, 1),
				       'c', 0, 0, 0,
				       0, 0, 0, 0, 0, 0, 0, 0, 0,
				       'p', 0, 0, 0 };
static const uint8_t kpi_unused8[] = { KPI_HDR(28, 40, 1, 0, 1),
				       'c', 0, 0, 0,
				       0, 0, 0, 0, 0, 0, 0, 0,
				       'p', 0, 0, 0 };
static const uint8_t kpi_unused_tail[] = { KPI_HDR(28, 32, 1, 0, 1),
					   'c', 0, 0, 0, 'p', 0, 0, 0,
					   0, 0, 0, 0, 0, 0, 0, 0, 0 };

struct prop_case {
	const char *name;
	enum bpa_blob_err expect;
	uint32_t id;
	uint32_t reserved;
	int64_t len_field;	/* -1: the value's length */
	const uint8_t *val;
	size_t vlen;
	bool twice;
};

#define P(nm, err, i, v) { nm, err, i, 1, -1, v, sizeof(v), false }

static const struct prop_case prop_cases[] = {
	{ "unknown id 5", BPA_BLOB_ERR_PROP_UNKNOWN_ID, 5, 1, -1, h20, 20 },
	{ "unknown id 0", BPA_BLOB_ERR_PROP_UNKNOWN_ID, 0, 1, -1, h20, 20 },
	{ "unknown id 31", BPA_BLOB_ERR_PROP_UNKNOWN_ID, 31, 1, -1, h20, 20 },
	{ "spec's literal cert Reserved 0x0000000010000020",
	  BPA_BLOB_ERR_CERT_RESERVED, 0x10000020, 0, -1, h20, 20 },
	{ "unknown id 0xffffffff", BPA_BLOB_ERR_PROP_UNKNOWN_ID,
	  0xffffffff, 1, -1, h20, 20 },
	{ "Reserved 0", BPA_BLOB_ERR_PROP_RESERVED, 3, 0, -1, h20, 20 },
	{ "Reserved 2", BPA_BLOB_ERR_PROP_RESERVED, 3, 2, -1, h20, 20 },
	{ "Reserved 0x01000000", BPA_BLOB_ERR_PROP_RESERVED, 3, 0x01000000,
	  -1, h20, 20 },
	{ "Length 0xffffffff", BPA_BLOB_ERR_PROP_TOO_LONG, 3, 1,
	  0xffffffff, h20, 20 },
	{ "Length 65537", BPA_BLOB_ERR_PROP_TOO_LONG, 3, 1, 65537, h20, 20 },
	{ "Length 65536 in a short blob", BPA_BLOB_ERR_PROP_BEYOND_INPUT, 3,
	  1, 65536, h20, 20 },
	{ "duplicate SHA1_HASH", BPA_BLOB_ERR_PROP_DUPLICATE, 3, 1, -1, h20,
	  20, true },
	{ "duplicate KEY_PROV_INFO", BPA_BLOB_ERR_PROP_DUPLICATE, 2, 1, -1,
	  kpi_ok, sizeof(kpi_ok), true },
	P("SHA1_HASH 19 bytes", BPA_BLOB_ERR_PROP_BAD_SIZE, 3, h19),
	P("SHA1_HASH 21 bytes", BPA_BLOB_ERR_PROP_BAD_SIZE, 3, h21),
	P("MD5_HASH 17 bytes", BPA_BLOB_ERR_PROP_BAD_SIZE, 4, h17),
	P("MD5_HASH 20 bytes", BPA_BLOB_ERR_PROP_BAD_SIZE, 4, h20),
	P("SIGNATURE_HASH 16 bytes", BPA_BLOB_ERR_PROP_BAD_SIZE, 15, h16),
	P("KEY_IDENTIFIER 19 bytes", BPA_BLOB_ERR_PROP_BAD_SIZE, 20, h19),
	P("ISSUER_PUBLIC_KEY_MD5 17", BPA_BLOB_ERR_PROP_BAD_SIZE, 24, h17),
	P("SUBJECT_PUBLIC_KEY_MD5 20", BPA_BLOB_ERR_PROP_BAD_SIZE, 25, h20),
	P("ISSUER_SERIAL_MD5 19", BPA_BLOB_ERR_PROP_BAD_SIZE, 28, h19),
	P("SUBJECT_NAME_MD5 21", BPA_BLOB_ERR_PROP_BAD_SIZE, 29, h21),
	P("KEY_SPEC 3 bytes", BPA_BLOB_ERR_PROP_BAD_SIZE, 6, spec3),
	P("DATE_STAMP 7 bytes", BPA_BLOB_ERR_PROP_BAD_SIZE, 27, d7),
	P("DATE_STAMP 9 bytes", BPA_BLOB_ERR_PROP_BAD_SIZE, 27, d9),
	{ "SHA1_HASH empty", BPA_BLOB_ERR_PROP_BAD_SIZE, 3, 1, -1, h20, 0 },
	P("KEY_SPEC 2", BPA_BLOB_ERR_KEY_SPEC_VALUE, 6, spec2),
	P("FRIENDLY_NAME odd length", BPA_BLOB_ERR_STRING_ODD_LENGTH, 11,
	  str_odd),
	P("FRIENDLY_NAME without NUL", BPA_BLOB_ERR_STRING_UNTERMINATED, 11,
	  str_nonul),
	P("DESCRIPTION embedded NUL", BPA_BLOB_ERR_STRING_UNTERMINATED, 13,
	  str_embedded),
	{ "AUTO_ENROLL empty", BPA_BLOB_ERR_STRING_UNTERMINATED, 21, 1, -1,
	  h20, 0 },
	P("ENHKEY_USAGE not a SEQUENCE", BPA_BLOB_ERR_ENHKEY_USAGE_DER, 9,
	  eku_junk),
	P("ENHKEY_USAGE empty SEQUENCE", BPA_BLOB_ERR_ENHKEY_USAGE_DER, 9,
	  eku_empty),
	P("ENHKEY_USAGE trailing byte", BPA_BLOB_ERR_ENHKEY_USAGE_DER, 9,
	  eku_trailing),
	P("ENHKEY_USAGE non-minimal length", BPA_BLOB_ERR_ENHKEY_USAGE_DER,
	  9, eku_long_form_short),
	P("PUBKEY_ALG_PARA two elements", BPA_BLOB_ERR_PUBKEY_ALG_PARA_DER,
	  22, alg_two),
	P("PUBKEY_ALG_PARA indefinite", BPA_BLOB_ERR_PUBKEY_ALG_PARA_DER,
	  22, alg_indef),
	P("KEY_PROV_INFO 27 bytes", BPA_BLOB_ERR_KPI_TOO_SHORT, 2,
	  kpi_short),
	P("KEY_PROV_INFO provider type 2", BPA_BLOB_ERR_KPI_PROV_TYPE, 2,
	  kpi_type2),
	P("KEY_PROV_INFO Reserved 9", BPA_BLOB_ERR_KPI_RESERVED, 2, kpi_res),
	P("KEY_PROV_INFO key spec 2", BPA_BLOB_ERR_KPI_KEY_SPEC, 2,
	  kpi_spec2),
	P("KEY_PROV_INFO offset in header", BPA_BLOB_ERR_KPI_OFFSET_OUTSIDE,
	  2, kpi_off_header),
	P("KEY_PROV_INFO offset at end", BPA_BLOB_ERR_KPI_OFFSET_OUTSIDE,
	  2, kpi_off_end),
	P("KEY_PROV_INFO offset 0xffffffff",
	  BPA_BLOB_ERR_KPI_OFFSET_OUTSIDE, 2, kpi_off_huge),
	P("KEY_PROV_INFO name unterminated",
	  BPA_BLOB_ERR_KPI_NAME_UNTERMINATED, 2, kpi_unterm),
	P("KEY_PROV_INFO names overlap", BPA_BLOB_ERR_KPI_NAMES_OVERLAP, 2,
	  kpi_overlap),
	P("KEY_PROV_INFO same offset", BPA_BLOB_ERR_KPI_NAMES_OVERLAP, 2,
	  kpi_same),
	P("KEY_PROV_INFO unused run of 9", BPA_BLOB_ERR_KPI_UNUSED_RUN, 2,
	  kpi_unused9),
	P("KEY_PROV_INFO unused tail of 9", BPA_BLOB_ERR_KPI_UNUSED_RUN, 2,
	  kpi_unused_tail),
	P("KEY_PROV_INFO unused run of 8 is fine", BPA_BLOB_OK, 2,
	  kpi_unused8),
};

static void test_malformed_property_corpus(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct wbuf *w = talloc(ctx, struct wbuf);
	DATA_BLOB der = sample_cert(ctx);
	size_t i;

	for (i = 0; i < sizeof(prop_cases) / sizeof(prop_cases[0]); i++) {
		const struct prop_case *c = &prop_cases[i];
		uint32_t len = c->len_field < 0 ? (uint32_t)c->vlen :
						  (uint32_t)c->len_field;
		int k;

		w->n = 0;
		for (k = 0; k < (c->twice ? 2 : 1); k++) {
			wprop(w, c->id, c->reserved, len, c->val, c->vlen);
		}
		wcert(w, &der);
		if (c->expect == BPA_BLOB_OK) {
			struct bpa_cert_blob *blob = NULL;

			assert_int_equal(bpa_blob_decode(ctx, w->b, w->n,
							 &blob), BPA_BLOB_OK);
			continue;
		}
		expect_decode_error(w->b, w->n, c->expect, c->name);
	}
	talloc_free(ctx);
}

struct cert_case {
	const char *name;
	enum bpa_blob_err expect;
	uint32_t id;
	uint32_t reserved;
	int64_t len_delta;	/* added to the real length */
	bool zero_len;
	bool huge_len;
	size_t trailing;
	bool omit;		/* no certificate at all */
};

static const struct cert_case cert_cases[] = {
	{ "cert Reserved 0", BPA_BLOB_ERR_CERT_RESERVED, 32, 0 },
	{ "cert Reserved 2", BPA_BLOB_ERR_CERT_RESERVED, 32, 2 },
	{ "cert Reserved 0x10000000", BPA_BLOB_ERR_CERT_RESERVED, 32,
	  0x10000000 },
	{ "cert length 0", BPA_BLOB_ERR_CERT_LENGTH_ZERO, 32, 1, 0, true },
	{ "cert length + 1", BPA_BLOB_ERR_CERT_BEYOND_INPUT, 32, 1, 1 },
	{ "cert length 0xffffffff", BPA_BLOB_ERR_CERT_BEYOND_INPUT, 32, 1, 0,
	  false, true },
	{ "cert length - 1", BPA_BLOB_ERR_TRAILING_BYTES, 32, 1, -1 },
	{ "one trailing byte", BPA_BLOB_ERR_TRAILING_BYTES, 32, 1, 0, false,
	  false, 1 },
	{ "a trailing property", BPA_BLOB_ERR_TRAILING_BYTES, 32, 1, 0,
	  false, false, 32 },
	{ "no certificate", BPA_BLOB_ERR_NO_CERTIFICATE, 32, 1, 0, false,
	  false, 0, true },
};

static void test_malformed_certificate_corpus(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct wbuf *w = talloc(ctx, struct wbuf);
	DATA_BLOB der = sample_cert(ctx);
	size_t i;

	for (i = 0; i < sizeof(cert_cases) / sizeof(cert_cases[0]); i++) {
		const struct cert_case *c = &cert_cases[i];
		uint32_t len = (uint32_t)((int64_t)der.length + c->len_delta);

		if (c->zero_len) {
			len = 0;
		}
		if (c->huge_len) {
			len = 0xffffffff;
		}
		w->n = 0;
		wprop(w, BPA_PROP_SHA1_HASH, 1, 20, h20, 20);
		if (!c->omit) {
			w32(w, c->id);
			w32(w, c->reserved);
			w32(w, len);
			wbytes(w, der.data, der.length);
			memset(w->b + w->n, 0x20, c->trailing);
			w->n += c->trailing;
		}
		expect_decode_error(w->b, w->n, c->expect, c->name);
	}
	talloc_free(ctx);
}

static void test_input_over_64k_rejected(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct wbuf *w = talloc(ctx, struct wbuf);
	DATA_BLOB der = sample_cert(ctx);
	struct bpa_cert_blob *blob = NULL;
	uint8_t *big = talloc_zero_size(ctx, 65536);
	size_t i;

	/* a PUBKEY_ALG_PARA (one DER OCTET STRING) that brings the blob to
	 * exactly 65536 bytes: fine; one byte more: refused */
	for (i = 0; i < 2; i++) {
		size_t vlen = 65536 + i - 24 - der.length;

		big[0] = 0x04;
		big[1] = 0x82;
		big[2] = (uint8_t)((vlen - 4) >> 8);
		big[3] = (uint8_t)(vlen - 4);
		w->n = 0;
		wprop(w, BPA_PROP_PUBKEY_ALG_PARA, 1, (uint32_t)vlen, big,
		      vlen);
		wcert(w, &der);
		assert_int_equal(w->n, 65536 + i);
		if (i == 0) {
			assert_int_equal(bpa_blob_decode(ctx, w->b, w->n,
							 &blob), BPA_BLOB_OK);
		} else {
			expect_decode_error(w->b, w->n,
					    BPA_BLOB_ERR_INPUT_TOO_LONG,
					    "65537 bytes");
		}
	}
	expect_decode_error(NULL, 0, BPA_BLOB_ERR_NO_CERTIFICATE, "empty");
	talloc_free(ctx);
}

static void test_encode_refuses_what_decode_refuses(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	DATA_BLOB der = sample_cert(ctx);
	struct bpa_blob_prop props[2];
	struct bpa_cert_blob blob = {
		.num_props = 1, .props = props, .cert_der = der };
	DATA_BLOB out = data_blob_null;
	uint8_t *big = talloc_zero_size(ctx, 65536);

	props[0].id = 5;
	props[0].value = data_blob_const(h20, 20);
	assert_int_equal(bpa_blob_encode(ctx, &blob, &out),
			 BPA_BLOB_ERR_PROP_UNKNOWN_ID);
	props[0].id = BPA_PROP_SHA1_HASH;
	props[0].value = data_blob_const(h19, 19);
	assert_int_equal(bpa_blob_encode(ctx, &blob, &out),
			 BPA_BLOB_ERR_PROP_BAD_SIZE);
	props[0].value = data_blob_const(h20, 20);
	props[1] = props[0];
	blob.num_props = 2;
	assert_int_equal(bpa_blob_encode(ctx, &blob, &out),
			 BPA_BLOB_ERR_PROP_DUPLICATE);
	/* KEY_PROV_INFO is skipped, not sent */
	props[1].id = BPA_PROP_KEY_PROV_INFO;
	props[1].value = data_blob_const(kpi_ok, sizeof(kpi_ok));
	assert_int_equal(bpa_blob_encode(ctx, &blob, &out), BPA_BLOB_OK);
	assert_int_equal(out.length, 12 + 20 + 12 + der.length);
	/* too long in all */
	props[1].id = BPA_PROP_DESCRIPTION;
	memset(big, 'x', 65536 - 40 - 2);	/* "xxxx...", NUL unit */
	props[1].value = data_blob_const(big, 65536 - 40);
	assert_int_equal(bpa_blob_encode(ctx, &blob, &out),
			 BPA_BLOB_ERR_OUTPUT_TOO_LONG);
	blob.cert_der = data_blob_null;
	assert_int_equal(bpa_blob_encode(ctx, &blob, &out),
			 BPA_BLOB_ERR_INVALID_PARAM);
	talloc_free(ctx);
}

static void test_from_cert_with_eku_and_ski_roundtrips(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	gnutls_x509_privkey_t key = tcu_key(GNUTLS_PK_RSA, 2048);
	struct tcu_cert_opts o = {
		.key = key, .cn = "S-1-5-21-1-2-3-1000",
		.not_before = 1700000000, .not_after = 1800000000,
		.eku = TCU_EKU_SERVER | TCU_EKU_CLIENT, .ski = true };
	DATA_BLOB der = tcu_make_cert(ctx, &o);
	struct bpa_cert_blob *blob = NULL;
	struct bpa_cert_blob *back = NULL;
	DATA_BLOB out = data_blob_null;
	const DATA_BLOB *kid = NULL;
	static const uint32_t ids[] = { 25, 15, 3, 9, 4, 20 };
	uint32_t i;

	assert_int_equal(bpa_blob_from_cert(ctx, &der, &blob), BPA_BLOB_OK);
	assert_int_equal(blob->num_props, 6);
	for (i = 0; i < 6; i++) {
		assert_int_equal(blob->props[i].id, ids[i]);
	}
	/* KEY_IDENTIFIER follows the SKI extension when there is one */
	kid = bpa_blob_find_prop(blob, BPA_PROP_KEY_IDENTIFIER);
	assert_non_null(kid);
	assert_int_equal(kid->length, 20);
	{
		gnutls_x509_crt_t crt = NULL;
		gnutls_datum_t d = { der.data, (unsigned)der.length };
		uint8_t ski[64];
		size_t ski_len = sizeof(ski);
		unsigned critical = 0;

		assert_int_equal(gnutls_x509_crt_init(&crt), 0);
		assert_int_equal(gnutls_x509_crt_import(crt, &d,
			GNUTLS_X509_FMT_DER), 0);
		assert_int_equal(gnutls_x509_crt_get_subject_key_id(crt, ski,
			&ski_len, &critical), 0);
		assert_int_equal(ski_len, kid->length);
		assert_memory_equal(ski, kid->data, ski_len);
		gnutls_x509_crt_deinit(crt);
	}
	/* and it is not SHA-1(SubjectPublicKeyInfo), which the test
	 * certificate's SKI deliberately differs from */
	o.ski = false;
	{
		DATA_BLOB plain = tcu_make_cert(ctx, &o);
		DATA_BLOB kid2 = data_blob_null;

		assert_int_equal(bpa_blob_prop_compute(ctx, &plain,
			BPA_PROP_KEY_IDENTIFIER, &kid2), BPA_BLOB_OK);
		assert_int_equal(kid2.length, 20);
		assert_memory_not_equal(kid2.data, kid->data, 20);
	}
	assert_int_equal(bpa_blob_encode(ctx, blob, &out), BPA_BLOB_OK);
	assert_int_equal(bpa_blob_decode(ctx, out.data, out.length, &back),
			 BPA_BLOB_OK);
	assert_int_equal(back->num_props, 6);
	assert_memory_equal(back->cert_der.data, der.data, der.length);
	gnutls_x509_privkey_deinit(key);
	talloc_free(ctx);
}

static void test_from_cert_rejects_garbage(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	static const uint8_t junk[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
	DATA_BLOB der = data_blob_const(junk, sizeof(junk));
	struct bpa_cert_blob *blob = &sentinel;
	size_t before = talloc_total_blocks(ctx);

	assert_int_equal(bpa_blob_from_cert(ctx, &der, &blob),
			 BPA_BLOB_ERR_CERT_DER);
	assert_ptr_equal(blob, &sentinel);
	assert_int_equal(talloc_total_blocks(ctx), before);
	assert_int_equal(bpa_blob_prop_compute(ctx, &der, 3, &der),
			 BPA_BLOB_ERR_CERT_DER);
	talloc_free(ctx);
}

/* the DER outline reader refuses every truncation and every bit flip
 * that breaks the structure, and never reads outside the input */
static void test_der_outline_truncations_and_flips(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	DATA_BLOB der = sample_cert(ctx);
	uint8_t *copy = talloc_memdup(ctx, der.data, der.length);
	size_t n;
	size_t flipped_ok = 0;

	for (n = 0; n < der.length; n++) {
		/* an exact-size heap copy so valgrind sees any overread */
		uint8_t *cut = talloc_memdup(ctx, der.data, n ? n : 1);
		DATA_BLOB part = data_blob_const(cut, n);
		DATA_BLOB out = data_blob_null;

		assert_int_equal(bpa_blob_prop_compute(ctx, &part,
			BPA_PROP_SHA1_HASH, &out), BPA_BLOB_ERR_CERT_DER);
		talloc_free(cut);
	}
	for (n = 0; n < der.length; n++) {
		DATA_BLOB part = data_blob_const(copy, der.length);
		struct bpa_cert_blob *blob = NULL;
		enum bpa_blob_err err;

		copy[n] ^= (uint8_t)(1u << (n % 8));
		err = bpa_blob_from_cert(ctx, &part, &blob);
		if (err == BPA_BLOB_OK) {
			flipped_ok++;
			TALLOC_FREE(blob);
		} else {
			assert_int_equal(err, BPA_BLOB_ERR_CERT_DER);
		}
		copy[n] ^= (uint8_t)(1u << (n % 8));
	}
	/* most flips land in values, not in the outline */
	assert_true(flipped_ok > der.length / 2);
	talloc_free(ctx);
}

/* one flipped bit at each offset of the sample: decoded or refused by
 * name, never a crash; what decodes re-encodes to the same bytes */
static void test_bit_flip_at_every_offset_of_sample(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	DATA_BLOB s = tcu_load_hex(ctx, SAMPLE_FILE);
	size_t n;

	for (n = 0; n < s.length; n++) {
		struct bpa_cert_blob *blob = NULL;
		DATA_BLOB out = data_blob_null;
		enum bpa_blob_err err;

		s.data[n] ^= (uint8_t)(1u << (n % 8));
		err = bpa_blob_decode(ctx, s.data, s.length, &blob);
		if (err == BPA_BLOB_OK) {
			assert_int_equal(bpa_blob_encode(ctx, blob, &out),
					 BPA_BLOB_OK);
			assert_int_equal(out.length, s.length);
			assert_memory_equal(out.data, s.data, s.length);
			TALLOC_FREE(blob);
			data_blob_free(&out);
		} else {
			assert_int_not_equal(err, BPA_BLOB_ERR_NOMEM);
			assert_null(blob);
		}
		s.data[n] ^= (uint8_t)(1u << (n % 8));
	}
	talloc_free(ctx);
}

static void test_error_texts_distinct_and_hresults(void **state)
{
	int i, j;

	for (i = 0; i < BPA_BLOB_ERR_COUNT; i++) {
		const char *a = bpa_blob_strerror(i);

		assert_string_not_equal(a, "unknown error");
		for (j = 0; j < i; j++) {
			assert_string_not_equal(a, bpa_blob_strerror(j));
		}
	}
	assert_string_equal(bpa_blob_strerror(BPA_BLOB_ERR_COUNT),
			    "unknown error");
	assert_int_equal(HRES_ERROR_V(bpa_blob_err_hresult(BPA_BLOB_OK)), 0);
	assert_int_equal(HRES_ERROR_V(bpa_blob_err_hresult(
		BPA_BLOB_ERR_KPI_NAMES_OVERLAP)), 0x80070057);
	assert_int_equal(HRES_ERROR_V(bpa_blob_err_hresult(
		BPA_BLOB_ERR_NOMEM)), 0x8007000E);
	assert_string_equal(bpa_blob_prop_name(25),
			    "SUBJECT_PUBLIC_KEY_MD5_HASH");
	assert_string_equal(bpa_blob_prop_name(5), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_is_755_bytes_with_557_byte_cert),
		cmocka_unit_test(test_sample_decodes_six_properties_in_order),
		cmocka_unit_test(test_sample_hash_properties_match_certificate),
		cmocka_unit_test(test_sample_reencodes_byte_exact),
		cmocka_unit_test(test_from_cert_rebuilds_vista_properties),
		cmocka_unit_test(test_sha256_fingerprint),
		cmocka_unit_test(test_good_blob_drops_key_prov_info),
		cmocka_unit_test(test_truncation_at_every_offset_of_sample),
		cmocka_unit_test(test_truncation_at_every_offset_of_good_blob),
		cmocka_unit_test(test_malformed_property_corpus),
		cmocka_unit_test(test_malformed_certificate_corpus),
		cmocka_unit_test(test_input_over_64k_rejected),
		cmocka_unit_test(test_encode_refuses_what_decode_refuses),
		cmocka_unit_test(test_from_cert_with_eku_and_ski_roundtrips),
		cmocka_unit_test(test_from_cert_rejects_garbage),
		cmocka_unit_test(test_der_outline_truncations_and_flips),
		cmocka_unit_test(test_bit_flip_at_every_offset_of_sample),
		cmocka_unit_test(test_error_texts_distinct_and_hresults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
