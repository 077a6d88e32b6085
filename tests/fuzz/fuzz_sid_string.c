/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz harness: SID strings (source/util/sid_string.h, MS-DTYP 2.4.2.1).
 *
 * Invariants: bpa_sid_parse_len() accepts exactly the canonical form, so
 * a parsed SID formats back to the very input bytes; a refused input
 * leaves the SID zeroed; the NUL-terminated parser agrees; and a SID
 * built from raw bytes formats to text that parses back to it.
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include "fuzz_common.h"
#include "util/sid_string.h"

static void check_text(const uint8_t *data, size_t size)
{
	struct dom_sid sid;
	struct dom_sid sid2;
	struct dom_sid zero;
	char buf[BPA_SID_STRING_MAX];
	char *copy = NULL;
	const char *s = NULL;
	bool ok;
	bool ok2;

	memset(&sid, 0xA5, sizeof(sid));
	memset(&zero, 0, sizeof(zero));
	ok = bpa_sid_parse_len((const char *)data, size, &sid);
	if (!ok) {
		FUZZ_CHECK(memcmp(&sid, &zero, sizeof(sid)) == 0,
			   "refused SID not zeroed");
	} else {
		s = bpa_sid_format(&sid, buf);
		FUZZ_CHECK(s != NULL, "parsed SID does not format");
		FUZZ_CHECK(strlen(s) == size, "formatted length differs");
		FUZZ_CHECK(memcmp(s, data, size) == 0,
			   "parsed SID does not format to the input");
		FUZZ_CHECK(bpa_sid_equal(&sid, &sid),
			   "SID not equal to itself");
	}

	/* The NUL-terminated entry point on the same text */
	copy = malloc(size + 1);
	FUZZ_CHECK(copy != NULL, "malloc");
	memcpy(copy, data, size);
	copy[size] = '\0';
	ok2 = bpa_sid_parse(copy, &sid2);
	if (memchr(data, '\0', size) == NULL) {
		FUZZ_CHECK(ok2 == ok, "parse and parse_len disagree");
		if (ok) {
			FUZZ_CHECK(memcmp(&sid, &sid2, sizeof(sid)) == 0,
				   "parse and parse_len differ");
		}
	} else {
		/* an embedded NUL is never canonical */
		FUZZ_CHECK(!ok, "parse_len accepted a NUL");
	}
	free(copy);
}

static void check_struct(const uint8_t *data, size_t size)
{
	struct dom_sid sid;
	struct dom_sid back;
	char buf[BPA_SID_STRING_MAX];
	const char *s = NULL;
	TALLOC_CTX *ctx = NULL;
	char *t = NULL;
	bool ok;

	if (size < sizeof(sid)) {
		return;
	}
	memcpy(&sid, data, sizeof(sid));
	s = bpa_sid_format(&sid, buf);
	ctx = talloc_new(NULL);
	FUZZ_CHECK(ctx != NULL, "talloc_new");
	t = bpa_sid_string(ctx, &sid);
	FUZZ_CHECK((s == NULL) == (t == NULL), "format and string disagree");
	if (s == NULL) {
		FUZZ_CHECK(sid.sid_rev_num != 1 || sid.num_auths < 1 ||
			   sid.num_auths > 15, "valid SID did not format");
		fuzz_ctx_done(ctx);
		return;
	}
	FUZZ_CHECK(strlen(s) < BPA_SID_STRING_MAX, "formatted SID too long");
	FUZZ_CHECK(strcmp(s, t) == 0, "format and string differ");
	TALLOC_FREE(t);
	ok = bpa_sid_parse(s, &back);
	FUZZ_CHECK(ok, "formatted SID does not parse");
	FUZZ_CHECK(bpa_sid_equal(&sid, &back), "formatted SID parses else");
	fuzz_ctx_done(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_text(data, size);
	check_struct(data, size);
	return 0;
}
