/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ExchangePublicKeys against an NDR engine no one here wrote: impacket
 * encodes requests and responses (NDR32 and NDR64) at test time
 * (impacket_vectors.py, run by meson before this test).  Our pull must
 * accept each of them (and refuse the MS-BPAU 3.1.4 NULL-with-length
 * ones), and our push must produce the same bytes except where NDR
 * leaves the encoder free (referent ids, padding), as impacket's own
 * mask says.
 *
 * Usage: test_ndr_impacket VECTORS.TXT
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <setjmp.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "common/test_hex.h"
#include "librpc/ndr/ndr_bitspeerauth_strict.h"

static const char *vectors_path;

struct vector {
	char name[64];
	int dir;
	uint32_t syntax;
	uint32_t length;
	bool has_ptr;
	unsigned int fill;
	uint32_t result;
	DATA_BLOB data;
	DATA_BLOB mask;
};

static DATA_BLOB unhex(TALLOC_CTX *mem_ctx, const char *hex)
{
	DATA_BLOB b = data_blob_null;

	assert_true(bpa_test_hex_decode(mem_ctx, hex, &b));
	return b;
}

/* all vectors of the file */
static struct vector *read_vectors(TALLOC_CTX *mem_ctx, size_t *count)
{
	FILE *f = fopen(vectors_path, "r");
	struct vector *v = NULL;
	size_t n = 0;
	char *line = NULL;
	size_t cap = 0;

	if (f == NULL) {
		fail_msg("cannot open %s", vectors_path);
	}
	while (getline(&line, &cap, f) > 0) {
		/* a 64 KiB key and its NDR64 header, in hex */
		static char big_hex[280000], big_mask[280000];
		char dir[8];
		struct vector *e = NULL;
		unsigned int n64, len, ptr, fill, res;
		int got;

		v = talloc_realloc(mem_ctx, v, struct vector, n + 1);
		assert_non_null(v);
		e = &v[n];
		got = sscanf(line, "%63s %7s %u %u %u %u %x %279999s %279999s",
			     e->name, dir, &n64, &len, &ptr, &fill, &res,
			     big_hex, big_mask);
		assert_int_equal(got, 9);
		e->dir = strcmp(dir, "in") == 0 ? NDR_IN : NDR_OUT;
		e->syntax = n64 ? LIBNDR_FLAG_NDR64 : 0;
		e->length = len;
		e->has_ptr = ptr != 0;
		e->fill = fill;
		e->result = res;
		e->data = unhex(v, big_hex);
		e->mask = unhex(v, big_mask);
		assert_int_equal(e->data.length, e->mask.length);
		n++;
	}
	free(line);
	fclose(f);
	*count = n;
	return v;
}

/* impacket_vectors.py: key byte i is (i * 7 + fill) % 0x90 */
static uint8_t *expected_key(TALLOC_CTX *mem_ctx, const struct vector *e)
{
	uint8_t *k = talloc_array(mem_ctx, uint8_t, e->length);
	uint32_t i;

	assert_non_null(k);
	for (i = 0; i < e->length; i++) {
		k[i] = (uint8_t)((i * 7 + e->fill) % 0x90);
	}
	return k;
}

static bool is_refusal(const struct vector *e)
{
	return strstr(e->name, "null_with_length") != NULL;
}

static void test_impacket_vectors_cover_both_syntaxes(void **state)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	size_t n = 0, i, n64 = 0, outs = 0, maxed = 0;
	struct vector *v = read_vectors(frame, &n);

	for (i = 0; i < n; i++) {
		n64 += v[i].syntax != 0;
		outs += v[i].dir == NDR_OUT;
		maxed += v[i].length == BITSPEERAUTH_MAX_KEY_LENGTH;
	}
	assert_true(n >= 16);
	assert_int_equal(n64 * 2, n);
	assert_true(outs >= 6);
	assert_int_equal(maxed, 4);
	talloc_free(frame);
}

static void test_our_pull_accepts_impacket_encoding(void **state)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	size_t n = 0, i;
	struct vector *v = read_vectors(frame, &n);

	for (i = 0; i < n; i++) {
		const struct vector *e = &v[i];
		TALLOC_CTX *ctx = talloc_new(frame);
		struct bitspeerauth_ExchangePublicKeys r = { .in = { 0 } };
		uint8_t *want = expected_key(ctx, e);
		enum ndr_err_code err;
		const uint8_t *key = NULL;
		uint32_t len;

		err = bpa_ndr_pull_exchange_blob(ctx, &e->data, e->dir,
						 e->syntax, &r);
		if (is_refusal(e)) {
			/* MS-BPAU 3.1.4 */
			if (err != NDR_ERR_INVALID_POINTER) {
				fail_msg("%s: %s", e->name,
					 ndr_map_error2string(err));
			}
			talloc_free(ctx);
			continue;
		}
		if (err != NDR_ERR_SUCCESS) {
			fail_msg("%s: %s", e->name, ndr_map_error2string(err));
		}
		if (e->dir == NDR_IN) {
			len = r.in.ClientKeyLength;
			key = r.in.ClientKey;
		} else {
			len = *r.out.pServerKeyLength;
			key = *r.out.pServerKey;
			assert_int_equal(HRES_ERROR_V(r.out.result),
					 e->result);
		}
		assert_int_equal(len, e->length);
		assert_int_equal(key != NULL, e->has_ptr);
		if (len > 0) {
			assert_memory_equal(key, want, len);
		}
		talloc_free(ctx);
	}
	talloc_free(frame);
}

static void test_our_push_equals_impacket_up_to_padding(void **state)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	size_t n = 0, i, compared = 0;
	struct vector *v = read_vectors(frame, &n);

	for (i = 0; i < n; i++) {
		const struct vector *e = &v[i];
		TALLOC_CTX *ctx = talloc_new(frame);
		struct bitspeerauth_ExchangePublicKeys r = { .in = { 0 } };
		uint8_t *key = e->has_ptr ? expected_key(ctx, e) : NULL;
		uint32_t len = e->length;
		DATA_BLOB ours = { 0 };
		size_t b, free_bytes = 0;

		if (is_refusal(e)) {
			talloc_free(ctx);
			continue;
		}
		r.in.ClientKeyLength = len;
		r.in.ClientKey = key;
		r.out.pServerKeyLength = &len;
		r.out.pServerKey = &key;
		r.out.result = HRES_ERROR(e->result);
		assert_int_equal(bpa_ndr_push_exchange_blob(ctx, e->dir,
				 e->syntax, &r, &ours), NDR_ERR_SUCCESS);
		if (ours.length != e->data.length) {
			fail_msg("%s: %zu bytes, impacket %zu", e->name,
				 ours.length, e->data.length);
		}
		for (b = 0; b < ours.length; b++) {
			if (e->mask.data[b] != 0) {
				free_bytes++;
				continue;
			}
			if (ours.data[b] != e->data.data[b]) {
				fail_msg("%s: byte %zu is 0x%02x, impacket "
					 "0x%02x", e->name, b, ours.data[b],
					 e->data.data[b]);
			}
		}
		/* only a referent id and alignment may differ */
		assert_true(free_bytes <= 12);
		compared++;
		talloc_free(ctx);
	}
	assert_true(compared >= 16);
	talloc_free(frame);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_impacket_vectors_cover_both_syntaxes),
		cmocka_unit_test(test_our_pull_accepts_impacket_encoding),
		cmocka_unit_test(test_our_push_equals_impacket_up_to_padding),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s VECTORS.TXT\n", argv[0]);
		return 2;
	}
	vectors_path = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
