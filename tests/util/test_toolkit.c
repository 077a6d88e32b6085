/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The shared toolkit (source/util): little-endian helpers and the
 * bounded reader, SHA-256 and hex, the time format, the JSON escaper and
 * the printable filter (which agree: below 0x20 and DEL are control
 * characters), the talloc-owned GnuTLS objects (valgrind checks that
 * freeing the parent releases them), the wiped secret buffer; and
 * tevent_cached_getpid(), which the server's "is this state still this
 * process's" checks rely on: a fork's child sees its own pid, and so do
 * grandchildren.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <tevent.h>
#include <cmocka.h>
#include "util/bpa_bytes.h"
#include "util/bpa_crypto.h"
#include "util/bpa_text.h"

static void test_le(void **state)
{
	uint8_t b[12] = { 0 };

	PUSH_LE_U32(b, 0, 0x04030201);
	PUSH_LE_U64(b, 4, 0x0c0b0a0908070605ull);
	for (size_t i = 0; i < sizeof(b); i++) {
		assert_int_equal(b[i], i + 1);
	}
	assert_int_equal(PULL_LE_U32(b, 0), 0x04030201);
	assert_true(PULL_LE_U64(b, 4) == 0x0c0b0a0908070605ull);
	PUSH_LE_U64(b, 4, (uint64_t)(int64_t)-2);
	assert_true((int64_t)PULL_LE_U64(b, 4) == -2);
}

static void test_reader_bounds(void **state)
{
	const uint8_t d[6] = { 1, 0, 0, 0, 9, 9 };
	struct bpa_reader r = bpa_reader_init(d, sizeof(d));
	uint32_t v = 0;
	uint64_t w = 0;

	assert_true(bpa_reader_u32(&r, &v));
	assert_int_equal(v, 1);
	assert_false(bpa_reader_u32(&r, &v));	/* 2 left */
	assert_false(bpa_reader_u64(&r, &w));
	/* a failed take moves nothing */
	assert_int_equal(r.left, 2);
	assert_null(bpa_reader_take(&r, 3));
	assert_ptr_equal(bpa_reader_take(&r, 2), d + 4);
	assert_int_equal(r.left, 0);
	assert_non_null(bpa_reader_take(&r, 0));
}

static void test_sha256_hex(void **state)
{
	uint8_t h[BPA_SHA256_LEN];
	char hex[2 * BPA_SHA256_LEN + 1];

	assert_true(bpa_sha256((const uint8_t *)"abc", 3, h));
	bpa_hex_lower(h, sizeof(h), hex);
	/* FIPS 180-2, appendix B.1 */
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
				 "b00361a396177a9cb410ff61f20015ad");
}

static void test_time_format(void **state)
{
	char buf[BPA_TIME_STRING_MAX];

	assert_string_equal(bpa_time_format(0, buf), "1970-01-01T00:00:00Z");
	assert_string_equal(bpa_time_format(1700000000, buf),
			    "2023-11-14T22:13:20Z");
}

static void test_json_and_printable_agree(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *j = NULL;

	j = bpa_json_append_string(talloc_strdup(mem, ""),
				   "a\"b\\c\x01" "d\x7f" "e\x1f" "\xc3\xa9");
	assert_string_equal(j, "\"a\\\"b\\\\c\\u0001d\\u007fe\\u001f"
			       "\xc3\xa9\"");
	assert_string_equal(bpa_json_append_string(talloc_strdup(mem, "x"),
						    NULL), "x\"\"");
	assert_null(bpa_json_append_string(NULL, "a"));
	assert_string_equal(bpa_printable(mem, "a\x01" "b\x7f" "c\n\xc3\xa9"),
			    "a?b?c?\xc3\xa9");
	assert_string_equal(bpa_printable(mem, NULL), "?");
	assert_true(bpa_is_control(0x7f));
	assert_true(bpa_is_control(0));
	assert_false(bpa_is_control(0x20));
	assert_false(bpa_is_control(0x80));
	talloc_free(mem);
}

static void test_gnutls_owned(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	gnutls_x509_crt_t crt = NULL;
	gnutls_x509_privkey_t key = NULL;
	gnutls_pubkey_t pub = NULL;

	assert_int_equal(bpa_gnutls_x509_crt_init(mem, &crt), 0);
	assert_int_equal(bpa_gnutls_x509_privkey_init(mem, &key), 0);
	assert_int_equal(bpa_gnutls_pubkey_init(mem, &pub), 0);
	assert_non_null(crt);
	assert_non_null(key);
	assert_non_null(pub);
	/* no deinit: freeing the owner releases all three (valgrind) */
	talloc_free(mem);
}

static void test_secret_blob(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	DATA_BLOB b = bpa_secret_blob_talloc(mem, "key", 3);
	DATA_BLOB z = bpa_secret_blob_talloc(mem, NULL, 4);

	assert_non_null(b.data);
	assert_int_equal(b.length, 3);
	assert_memory_equal(b.data, "key", 3);
	assert_string_equal(talloc_get_name(b.data), "bpa_secret_blob");
	assert_memory_equal(z.data, "\0\0\0\0", 4);
	talloc_free(mem);
}

/* In a child: 0 when the cached pid is its own, asked twice */
static int child_pid_ok(void)
{
	pid_t a = tevent_cached_getpid();

	return (a == getpid() && tevent_cached_getpid() == a) ? 0 : 1;
}

/* Exit status of a fork whose child runs @fn */
static int in_child(int (*fn)(void))
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		_exit(fn());
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* A grandchild, after its parent remembered its own pid */
static int grandchild_pid_ok(void)
{
	if (child_pid_ok() != 0) {
		return 2;
	}
	return in_child(child_pid_ok) == 0 ? 0 : 3;
}

static void test_pid_after_fork(void **state)
{
	/* remembered here first: the children must not see it */
	assert_int_equal(tevent_cached_getpid(), getpid());
	assert_int_equal(in_child(child_pid_ok), 0);
	assert_int_equal(in_child(grandchild_pid_ok), 0);
	assert_int_equal(tevent_cached_getpid(), getpid());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_le),
		cmocka_unit_test(test_reader_bounds),
		cmocka_unit_test(test_sha256_hex),
		cmocka_unit_test(test_time_format),
		cmocka_unit_test(test_json_and_printable_agree),
		cmocka_unit_test(test_gnutls_owned),
		cmocka_unit_test(test_secret_blob),
		cmocka_unit_test(test_pid_after_fork),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
