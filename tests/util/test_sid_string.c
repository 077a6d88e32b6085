/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MS-DTYP 2.4.2.1 SID strings: canonical parse and format */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "util/sid_string.h"

static const char *good[] = {
	"S-1-5-21-397955417-626881126-188441444-3394717", /* MS-BPAU 4.2 */
	"S-1-5-18",
	"S-1-0-0",
	"S-1-4294967295-4294967295",
	"S-1-0x010000000000-7",
	"S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15",
};

static const char *bad[] = {
	"",
	"S",
	"S-1-",
	"S-1-5",		/* no SubAuthority: the ABNF needs one */
	"s-1-5-18",		/* not canonical */
	"S-2-5-18",		/* revision */
	"S-1-5-18-",
	"S-1-5--18",
	"S-1-05-18",		/* leading zero */
	"S-1-5-018",
	"S-1-5-4294967296",	/* > 2^32 - 1 */
	"S-1-4294967296-1",
	"S-1-5-99999999999",
	"S-1-5-+18",
	"S-1-5-18 ",
	" S-1-5-18",
	"S-1-0x0000FFFFFFFF-1",	/* hex only for authorities >= 2^32 */
	"S-1-0x01000000000-7",	/* 11 hex digits */
	"S-1-0x01000000000G-7",
	"S-1-0x01000000000a-7",	/* canonical hex is upper case */
	"S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16", /* 16 subauths */
};

static void test_parse_format_roundtrip(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct dom_sid sid;
		char buf[BPA_SID_STRING_MAX];

		assert_true(bpa_sid_parse(good[i], &sid));
		assert_non_null(bpa_sid_format(&sid, buf));
		assert_string_equal(buf, good[i]);
	}
}

static void test_non_canonical_rejected(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dom_sid sid;

		if (bpa_sid_parse(bad[i], &sid)) {
			fail_msg("accepted \"%s\"", bad[i]);
		}
		assert_int_equal(sid.num_auths, 0);
	}
}

static void test_parse_len_stops_at_len(void **state)
{
	struct dom_sid sid;
	const char *s = "S-1-5-18garbage";

	assert_true(bpa_sid_parse_len(s, 8, &sid));
	assert_false(bpa_sid_parse_len(s, 9, &sid));
	assert_false(bpa_sid_parse_len(NULL, 0, &sid));
}

static void test_equal_and_talloc_string(void **state)
{
	struct dom_sid a, b;
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	char *s = NULL;

	assert_true(bpa_sid_parse("S-1-5-21-1-2-3-1000", &a));
	assert_true(bpa_sid_parse("S-1-5-21-1-2-3-1000", &b));
	assert_true(bpa_sid_equal(&a, &b));
	assert_true(bpa_sid_parse("S-1-5-21-1-2-3-1001", &b));
	assert_false(bpa_sid_equal(&a, &b));
	assert_true(bpa_sid_parse("S-1-5-21-1-2-3", &b));
	assert_false(bpa_sid_equal(&a, &b));

	s = bpa_sid_string(mem_ctx, &a);
	assert_string_equal(s, "S-1-5-21-1-2-3-1000");
	a.num_auths = 16;
	assert_null(bpa_sid_string(mem_ctx, &a));
	a.num_auths = 0;	/* "S-1-5" is not a SID string */
	assert_null(bpa_sid_string(mem_ctx, &a));
	talloc_free(mem_ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format_roundtrip),
		cmocka_unit_test(test_non_canonical_rejected),
		cmocka_unit_test(test_parse_len_stops_at_len),
		cmocka_unit_test(test_equal_and_talloc_string),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
