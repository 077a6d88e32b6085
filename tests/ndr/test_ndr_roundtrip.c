/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ExchangePublicKeys marshalling (MS-BPAU 3.1.4.1, section 6) through
 * the pidl-generated code and our strict pull (MS-BPAU 3.1.4): round
 * trips in NDR32 and NDR64, and a named table of bad stubs, each with
 * the precise ndr_err_code it must produce.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <setjmp.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>
#include "common/test_hex.h"
#include "librpc/ndr/ndr_bitspeerauth_strict.h"
#include "util/bpa_hresult.h"

#define MAXLEN BITSPEERAUTH_MAX_KEY_LENGTH

static const uint32_t syntaxes[] = { 0, LIBNDR_FLAG_NDR64 };

static uint8_t *make_key(TALLOC_CTX *mem_ctx, uint32_t len, uint8_t seed)
{
	uint8_t *k = talloc_array(mem_ctx, uint8_t, len);
	uint32_t i;

	assert_non_null(k);
	for (i = 0; i < len; i++) {
		k[i] = (uint8_t)(i * 31 + seed);
	}
	return k;
}

struct rt_case {
	const char *name;
	uint32_t length;
	bool null_ptr;
};

/* every shape the two key parameters can take on the wire */
static const struct rt_case rt_cases[] = {
	{ "null", 0, true },
	{ "empty", 0, false },
	{ "one_byte", 1, false },
	{ "odd", 1001, false },
	{ "maximal", MAXLEN, false },
};

static void test_request_roundtrips_ndr32_and_ndr64(void **state)
{
	size_t s, i;

	for (s = 0; s < 2; s++) {
		for (i = 0; i < sizeof(rt_cases) / sizeof(rt_cases[0]); i++) {
			const struct rt_case *c = &rt_cases[i];
			TALLOC_CTX *frame = talloc_new(NULL);
			struct bitspeerauth_ExchangePublicKeys in = {
				.in = { 0 } };
			struct bitspeerauth_ExchangePublicKeys got = {
				.in = { 0 } };
			DATA_BLOB blob = { 0 };
			enum ndr_err_code err;

			in.in.ClientKeyLength = c->length;
			in.in.ClientKey = c->null_ptr ? NULL :
				make_key(frame, c->length, 7);
			err = bpa_ndr_push_exchange_blob(frame, NDR_IN,
							 syntaxes[s], &in,
							 &blob);
			assert_int_equal(err, NDR_ERR_SUCCESS);
			err = bpa_ndr_pull_exchange_blob(frame, &blob, NDR_IN,
							 syntaxes[s], &got);
			if (err != NDR_ERR_SUCCESS) {
				fail_msg("%s/%zu: %s", c->name, s,
					 ndr_map_error2string(err));
			}
			assert_int_equal(got.in.ClientKeyLength, c->length);
			assert_int_equal(got.in.ClientKey == NULL,
					 c->null_ptr);
			if (c->length > 0) {
				assert_memory_equal(got.in.ClientKey,
						    in.in.ClientKey,
						    c->length);
			}
			/* the pull prepared the [ref] out pointers */
			assert_non_null(got.out.pServerKeyLength);
			assert_non_null(got.out.pServerKey);
			talloc_free(frame);
		}
	}
}

static void test_response_roundtrips_ndr32_and_ndr64(void **state)
{
	size_t s, i;

	for (s = 0; s < 2; s++) {
		for (i = 0; i < sizeof(rt_cases) / sizeof(rt_cases[0]); i++) {
			const struct rt_case *c = &rt_cases[i];
			TALLOC_CTX *frame = talloc_new(NULL);
			struct bitspeerauth_ExchangePublicKeys out = {
				.in = { 0 } };
			struct bitspeerauth_ExchangePublicKeys got = {
				.in = { 0 } };
			uint32_t len = c->length;
			uint8_t *key = NULL;
			DATA_BLOB blob = { 0 };
			enum ndr_err_code err;

			key = c->null_ptr ? NULL : make_key(frame, len, 3);
			out.out.pServerKeyLength = &len;
			out.out.pServerKey = &key;
			out.out.result = c->null_ptr ?
				HRES_E_ACCESSDENIED : BPA_S_OK;
			err = bpa_ndr_push_exchange_blob(frame, NDR_OUT,
							 syntaxes[s], &out,
							 &blob);
			assert_int_equal(err, NDR_ERR_SUCCESS);
			err = bpa_ndr_pull_exchange_blob(frame, &blob,
							 NDR_OUT, syntaxes[s],
							 &got);
			if (err != NDR_ERR_SUCCESS) {
				fail_msg("%s/%zu: %s", c->name, s,
					 ndr_map_error2string(err));
			}
			assert_int_equal(*got.out.pServerKeyLength, len);
			assert_int_equal(*got.out.pServerKey == NULL,
					 c->null_ptr);
			if (len > 0) {
				assert_memory_equal(*got.out.pServerKey, key,
						    len);
			}
			assert_int_equal(HRES_ERROR_V(got.out.result),
					 HRES_ERROR_V(out.out.result));
			talloc_free(frame);
		}
	}
}

static void test_push_refuses_bad_values(void **state)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	struct bitspeerauth_ExchangePublicKeys r = { .in = { 0 } };
	uint32_t len = MAXLEN + 1;
	uint8_t *key = NULL;
	DATA_BLOB blob = { 0 };
	size_t s;

	for (s = 0; s < 2; s++) {
		/* [ref] out pointers may not be NULL */
		assert_int_equal(bpa_ndr_push_exchange_blob(frame, NDR_OUT,
				 syntaxes[s], &r, &blob),
				 NDR_ERR_INVALID_POINTER);
		/* MS-BPAU 2.2.1: lengths are at most 64 KiB */
		r.in.ClientKeyLength = MAXLEN + 1;
		assert_int_equal(bpa_ndr_push_exchange_blob(frame, NDR_IN,
				 syntaxes[s], &r, &blob), NDR_ERR_RANGE);
		r.in.ClientKeyLength = 0;
		r.out.pServerKeyLength = &len;
		r.out.pServerKey = &key;
		assert_int_equal(bpa_ndr_push_exchange_blob(frame, NDR_OUT,
				 syntaxes[s], &r, &blob), NDR_ERR_RANGE);
		r.out.pServerKeyLength = NULL;
		r.out.pServerKey = NULL;
	}
	assert_int_equal(talloc_total_blocks(frame), 1);
	talloc_free(frame);
}

/* ------------------------------------------------------------------ */
/* bad stubs: each a precise error, nothing allocated, no crash       */

struct bad_case {
	const char *name;
	int dir;		/* NDR_IN or NDR_OUT */
	uint32_t syntax;	/* 0 or LIBNDR_FLAG_NDR64 */
	const char *hex;
	enum ndr_err_code expect;
};

#define N32 0
#define N64 LIBNDR_FLAG_NDR64

static const struct bad_case bad_cases[] = {
	/* MS-BPAU 6: KEY_LENGTH is range(0, 65536) */
	{ "req_length_65537_null_ptr", NDR_IN, N32,
	  "01000100" "00000000", NDR_ERR_RANGE },
	{ "req_length_65537_with_ptr", NDR_IN, N32,
	  "01000100" "00000200" "01000100", NDR_ERR_RANGE },
	{ "req_length_max_u32", NDR_IN, N32,
	  "ffffffff" "00000000", NDR_ERR_RANGE },
	{ "req_ndr64_length_65537", NDR_IN, N64,
	  "01000100" "00000000" "0000000000000000", NDR_ERR_RANGE },
	{ "rep_length_65537", NDR_OUT, N32,
	  "01000100" "00000000" "00000000", NDR_ERR_RANGE },
	{ "rep_ndr64_length_65537", NDR_OUT, N64,
	  "01000100" "00000000" "0000000000000000" "00000000",
	  NDR_ERR_RANGE },
	/* conformance (max_count) must equal the length parameter */
	{ "req_max_count_below_length", NDR_IN, N32,
	  "05000000" "00000200" "04000000" "01020304",
	  NDR_ERR_ARRAY_SIZE },
	{ "req_max_count_above_length", NDR_IN, N32,
	  "04000000" "00000200" "05000000" "0102030405",
	  NDR_ERR_ARRAY_SIZE },
	{ "req_ndr64_max_count_above_length", NDR_IN, N64,
	  "04000000" "00000000" "0000020000000000" "0500000000000000"
	  "0102030405", NDR_ERR_ARRAY_SIZE },
	{ "rep_max_count_above_length", NDR_OUT, N32,
	  "02000000" "00000200" "03000000" "010203" "00" "00000000",
	  NDR_ERR_ARRAY_SIZE },
	/* a huge max_count: refused, not allocated */
	{ "req_max_count_4g", NDR_IN, N32,
	  "01000000" "00000200" "ffffffff" "01", NDR_ERR_ARRAY_SIZE },
	{ "rep_ndr64_max_count_256m", NDR_OUT, N64,
	  "01000000" "00000000" "0000020000000000" "0000001000000000"
	  "01", NDR_ERR_ARRAY_SIZE },
	/* MS-BPAU 3.1.4: NULL unique pointer with a nonzero length */
	{ "req_null_ptr_with_length", NDR_IN, N32,
	  "05000000" "00000000", NDR_ERR_INVALID_POINTER },
	{ "req_ndr64_null_ptr_with_length", NDR_IN, N64,
	  "05000000" "00000000" "0000000000000000",
	  NDR_ERR_INVALID_POINTER },
	{ "rep_null_ptr_with_length", NDR_OUT, N32,
	  "05000000" "00000000" "00000000", NDR_ERR_INVALID_POINTER },
	{ "rep_ndr64_null_ptr_with_length", NDR_OUT, N64,
	  "05000000" "00000000" "0000000000000000" "00000000",
	  NDR_ERR_INVALID_POINTER },
	/* NDR64 values that do not fit Samba's 32-bit representation */
	{ "req_ndr64_referent_above_2_32", NDR_IN, N64,
	  "01000000" "00000000" "0000020001000000" "0100000000000000"
	  "01", NDR_ERR_NDR64 },
	{ "req_ndr64_max_count_above_2_32", NDR_IN, N64,
	  "01000000" "00000000" "0000020000000000" "0100000001000000"
	  "01", NDR_ERR_NDR64 },
	/* ndr_pull_struct_blob_all() semantics: no trailing data */
	{ "req_trailing_byte", NDR_IN, N32,
	  "00000000" "00000000" "00", NDR_ERR_UNREAD_BYTES },
	{ "req_ndr64_trailing_bytes", NDR_IN, N64,
	  "00000000" "00000000" "0000000000000000" "0000000000000000",
	  NDR_ERR_UNREAD_BYTES },
	{ "rep_trailing_byte", NDR_OUT, N32,
	  "00000000" "00000000" "00000000" "ff", NDR_ERR_UNREAD_BYTES },
	/* a key that claims more bytes than the stub holds */
	{ "req_64k_key_with_two_bytes", NDR_IN, N32,
	  "00000100" "00000200" "00000100" "0102", NDR_ERR_BUFSIZE },
	{ "rep_ndr64_64k_key_with_two_bytes", NDR_OUT, N64,
	  "00000100" "00000000" "0000020000000000" "0000010000000000"
	  "0102", NDR_ERR_BUFSIZE },
	/* not a stub at all */
	{ "req_empty", NDR_IN, N32, "", NDR_ERR_BUFSIZE },
	{ "rep_empty", NDR_OUT, N64, "", NDR_ERR_BUFSIZE },
};

static DATA_BLOB hex_blob(TALLOC_CTX *mem_ctx, const char *hex)
{
	DATA_BLOB b = data_blob_null;

	assert_true(bpa_test_hex_decode(mem_ctx, hex, &b));
	return b;
}

static void test_bad_stubs_give_named_errors(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		TALLOC_CTX *frame = talloc_new(NULL);
		TALLOC_CTX *out_ctx = talloc_new(frame);
		struct bitspeerauth_ExchangePublicKeys r = { .in = { 0 } };
		DATA_BLOB b = hex_blob(frame, c->hex);
		enum ndr_err_code err;

		err = bpa_ndr_pull_exchange_blob(out_ctx, &b, c->dir,
						 c->syntax, &r);
		if (err != c->expect) {
			fail_msg("%s: got %s, expected %s", c->name,
				 ndr_map_error2string(err),
				 ndr_map_error2string(c->expect));
		}
		/* nothing changed: no allocation left, @r untouched */
		assert_int_equal(talloc_total_blocks(out_ctx), 1);
		assert_null(r.in.ClientKey);
		assert_null(r.out.pServerKeyLength);
		talloc_free(frame);
	}
}

/*
 * dcesrv (and Samba's client) pull through the table and ignore unread
 * stub bytes (dcerpc.c: "ignoring %u unread bytes"): the table pull
 * itself succeeds on a trailing byte; only the _blob helper refuses it.
 */
static void test_table_pull_leaves_trailing_bytes_to_caller(void **state)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	DATA_BLOB b = hex_blob(frame, "00000000" "00000000" "00");
	struct ndr_pull *ndr = ndr_pull_init_blob(&b, frame);
	struct bitspeerauth_ExchangePublicKeys r = { .in = { 0 } };
	enum ndr_err_code err;

	assert_non_null(ndr);
	err = ndr_table_bitspeerauth.calls[NDR_BITSPEERAUTH_EXCHANGEPUBLICKEYS]
		.ndr_pull(ndr, NDR_IN, &r);
	assert_int_equal(err, NDR_ERR_SUCCESS);
	assert_int_equal(ndr->offset, 8);
	assert_int_equal(ndr->data_size, 9);
	talloc_free(frame);
}

/* MS-BPAU 2.2.1: 65536 is the largest length, in both syntaxes */
static void test_max_length_is_accepted(void **state)
{
	static const int dirs[] = { NDR_IN, NDR_OUT };
	size_t s, d;

	for (s = 0; s < 2; s++) {
	for (d = 0; d < 2; d++) {
		TALLOC_CTX *frame = talloc_new(NULL);
		struct bitspeerauth_ExchangePublicKeys r = { .in = { 0 } };
		struct bitspeerauth_ExchangePublicKeys got = { .in = { 0 } };
		uint32_t len = BITSPEERAUTH_MAX_KEY_LENGTH;
		uint8_t *key = make_key(frame, len, 5);
		DATA_BLOB b = { 0 };
		const uint8_t *pulled = NULL;

		r.in.ClientKeyLength = len;
		r.in.ClientKey = key;
		r.out.pServerKeyLength = &len;
		r.out.pServerKey = &key;
		assert_int_equal(bpa_ndr_push_exchange_blob(frame, dirs[d],
				 syntaxes[s], &r, &b), NDR_ERR_SUCCESS);
		assert_int_equal(bpa_ndr_pull_exchange_blob(frame, &b,
				 dirs[d], syntaxes[s], &got),
				 NDR_ERR_SUCCESS);
		pulled = dirs[d] == NDR_IN ? got.in.ClientKey :
					     *got.out.pServerKey;
		assert_non_null(pulled);
		assert_memory_equal(pulled, key, len);
		talloc_free(frame);
	}
	}
}

/*
 * The table's NDR_OUT pull without LIBNDR_FLAG_REF_ALLOC fills the
 * caller's [ref] out pointers; NULL ones are refused, not written.
 */
static void test_table_pull_refuses_null_ref_out(void **state)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	DATA_BLOB b = hex_blob(frame, "00000000" "00000000" "00000000");
	struct ndr_pull *ndr = ndr_pull_init_blob(&b, frame);
	struct bitspeerauth_ExchangePublicKeys r = { .in = { 0 } };
	uint32_t len = 7;
	enum ndr_err_code err;

	assert_non_null(ndr);
	err = ndr_table_bitspeerauth.calls[NDR_BITSPEERAUTH_EXCHANGEPUBLICKEYS]
		.ndr_pull(ndr, NDR_OUT, &r);
	assert_int_equal(err, NDR_ERR_INVALID_POINTER);

	/* with the caller's pointers the same stub pulls */
	ndr->offset = 0;
	r.out.pServerKeyLength = &len;
	r.out.pServerKey = talloc_zero(frame, uint8_t *);
	assert_non_null(r.out.pServerKey);
	err = ndr_table_bitspeerauth.calls[NDR_BITSPEERAUTH_EXCHANGEPUBLICKEYS]
		.ndr_pull(ndr, NDR_OUT, &r);
	assert_int_equal(err, NDR_ERR_SUCCESS);
	assert_int_equal(len, 0);
	assert_null(*r.out.pServerKey);
	talloc_free(frame);
}

/* every proper prefix of a good stub is NDR_ERR_BUFSIZE */
static void test_truncated_at_every_byte(void **state)
{
	static const uint32_t lens[] = { 0, 3, 9 };
	static const int dirs[] = { NDR_IN, NDR_OUT };
	size_t s, l, d, cut;

	for (s = 0; s < 2; s++) {
	for (l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
	for (d = 0; d < 2; d++) {
		int dir = dirs[d];
		TALLOC_CTX *frame = talloc_new(NULL);
		struct bitspeerauth_ExchangePublicKeys r = { .in = { 0 } };
		uint32_t len = lens[l];
		uint8_t *key = make_key(frame, len, 1);
		DATA_BLOB full = { 0 };

		r.in.ClientKeyLength = len;
		r.in.ClientKey = key;
		r.out.pServerKeyLength = &len;
		r.out.pServerKey = &key;
		assert_int_equal(bpa_ndr_push_exchange_blob(frame, dir,
				 syntaxes[s], &r, &full), NDR_ERR_SUCCESS);

		for (cut = 0; cut < full.length; cut++) {
			DATA_BLOB part = data_blob_const(full.data, cut);
			TALLOC_CTX *out_ctx = talloc_new(frame);
			struct bitspeerauth_ExchangePublicKeys got = {
				.in = { 0 } };
			enum ndr_err_code err;

			err = bpa_ndr_pull_exchange_blob(out_ctx, &part, dir,
							 syntaxes[s], &got);
			if (err != NDR_ERR_BUFSIZE) {
				fail_msg("len %u dir %d ndr64 %zu cut %zu/%zu:"
					 " %s", len, dir, s, cut, full.length,
					 ndr_map_error2string(err));
			}
			assert_int_equal(talloc_total_blocks(out_ctx), 1);
			talloc_free(out_ctx);
		}
		talloc_free(frame);
	}
	}
	}
}

/*
 * Mutations of good stubs (deterministic): every one is either pulled
 * (and then pushes back to a stub of the same length) or refused with
 * one of the named errors of bpa_ndr_pull_exchange_blob(); valgrind
 * watches every read.
 */
static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static bool named_refusal(enum ndr_err_code err)
{
	switch (err) {
	case NDR_ERR_BUFSIZE:
	case NDR_ERR_RANGE:
	case NDR_ERR_ARRAY_SIZE:
	case NDR_ERR_INVALID_POINTER:
	case NDR_ERR_NDR64:
	case NDR_ERR_UNREAD_BYTES:
		return true;
	default:
		return false;
	}
}

static void test_mutated_stubs_pull_or_refuse_by_name(void **state)
{
	static const int dirs[] = { NDR_IN, NDR_OUT };
	uint32_t seed = 0x8badf00d;
	size_t s, d, i;
	size_t pulled = 0, refused = 0;

	for (s = 0; s < 2; s++) {
	for (d = 0; d < 2; d++) {
		TALLOC_CTX *frame = talloc_new(NULL);
		struct bitspeerauth_ExchangePublicKeys r = { .in = { 0 } };
		uint32_t len = 6;
		uint8_t *key = make_key(frame, len, 9);
		DATA_BLOB good = { 0 };

		r.in.ClientKeyLength = len;
		r.in.ClientKey = key;
		r.out.pServerKeyLength = &len;
		r.out.pServerKey = &key;
		assert_int_equal(bpa_ndr_push_exchange_blob(frame, dirs[d],
				 syntaxes[s], &r, &good), NDR_ERR_SUCCESS);

		for (i = 0; i < 2000; i++) {
			TALLOC_CTX *ctx = talloc_new(frame);
			DATA_BLOB m = data_blob_talloc(ctx, good.data,
						       good.length);
			struct bitspeerauth_ExchangePublicKeys got = {
				.in = { 0 } };
			uint32_t flips = 1 + xorshift(&seed) % 3;
			enum ndr_err_code err;

			while (flips-- > 0) {
				uint32_t at = xorshift(&seed) % m.length;

				m.data[at] ^= (uint8_t)(1 + xorshift(&seed) %
							255);
			}
			/* sometimes cut or extend by one byte too */
			if (xorshift(&seed) % 8 == 0) {
				m.length--;
			}
			err = bpa_ndr_pull_exchange_blob(ctx, &m, dirs[d],
							 syntaxes[s], &got);
			if (err == NDR_ERR_SUCCESS) {
				DATA_BLOB again = { 0 };

				assert_int_equal(bpa_ndr_push_exchange_blob(
					ctx, dirs[d], syntaxes[s], &got,
					&again), NDR_ERR_SUCCESS);
				assert_int_equal(again.length, m.length);
				pulled++;
			} else if (named_refusal(err)) {
				assert_int_equal(talloc_total_blocks(ctx), 2);
				refused++;
			} else {
				fail_msg("mutation %zu: %s", i,
					 ndr_map_error2string(err));
			}
			talloc_free(ctx);
		}
		talloc_free(frame);
	}
	}
	/* both outcomes happen: the mutations are not all trivial */
	assert_true(pulled > 100);
	assert_true(refused > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_roundtrips_ndr32_and_ndr64),
		cmocka_unit_test(test_response_roundtrips_ndr32_and_ndr64),
		cmocka_unit_test(test_push_refuses_bad_values),
		cmocka_unit_test(test_bad_stubs_give_named_errors),
		cmocka_unit_test(
			test_table_pull_leaves_trailing_bytes_to_caller),
		cmocka_unit_test(test_max_length_is_accepted),
		cmocka_unit_test(test_table_pull_refuses_null_ref_out),
		cmocka_unit_test(test_truncated_at_every_byte),
		cmocka_unit_test(test_mutated_stubs_pull_or_refuse_by_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
